/*
 * The DDL interpreter (ddl_apply): descriptions advanced by statement text
 * alone, with no server. The expected rows are those MariaDB 10.11 showed
 * for the same statements (t_ddl_history checks the interpreter against the
 * server itself, over a broader list).
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "stream/ddl.h"
#include "stream/ddl_apply.h"

static const ddl_apply_env env = { .db_collation = "utf8mb4_unicode_ci", .default_engine = "InnoDB" };

/* the table "acct" as information_schema describes it */
static const char *acct =
	"{\"tables\":[[\"BASE TABLE\",\"0\",\"1\",\"utf8mb4_unicode_ci\",\"InnoDB\"]],\"checks\":[],"
	"\"columns\":["
	"[\"id\",\"int\",\"int(11)\",null,\"10\",\"0\",null,\"NO\",null,\"auto_increment\",\"NEVER\",null],"
	"[\"name\",\"varchar\",\"varchar(20)\",\"20\",null,null,null,\"NO\",null,\"\",\"NEVER\",\"224\"],"
	"[\"bal\",\"decimal\",\"decimal(10,2)\",null,\"10\",\"2\",null,\"YES\",\"0.00\",\"\",\"NEVER\",null],"
	"[\"flag\",\"tinyint\",\"tinyint(1)\",null,\"3\",\"0\",null,\"YES\",\"1\",\"\",\"NEVER\",null]],"
	"\"indexes\":[[\"PRIMARY\",\"0\",\"id\",null,\"BTREE\"],[\"name\",\"1\",\"name\",null,\"BTREE\"]]}";

/* apply: the description after sql (asserted to succeed); heap */
static char *
apply(const char *desc, const char *sql)
{
	char *out = NULL, why[1024] = "";

	ck_assert_msg(ddl_apply(desc, "acct", sql, &env, &out, why, sizeof(why)), "%s: %s", sql, why);
	return out;
}

/* refused: the statement is refused, why names the part given */
static void
refused(const char *desc, const char *sql, const char *part)
{
	char *out = NULL, why[1024] = "";

	ck_assert_msg(!ddl_apply(desc, "acct", sql, &env, &out, why, sizeof(why)), "not refused: %s", sql);
	ck_assert_ptr_null(out);
	ck_assert_msg(strstr(why, part) != NULL, "why \"%s\" does not name \"%s\"", why, part);
}

/* field: field f of row i of the description's key ("columns", ...) */
static const char *
field(const char *desc, const char *key, size_t i, size_t f)
{
	static char val[512];
	json_t *d = json_loads(desc, 0, NULL);
	json_t *v = json_array_get(json_array_get(json_object_get(d, key), i), f);

	snprintf(val, sizeof(val), "%s", json_is_string(v) ? json_string_value(v) : "(null)");
	json_decref(d);
	return val;
}

static size_t
rows(const char *desc, const char *key)
{
	json_t *d = json_loads(desc, 0, NULL);
	size_t n = json_array_size(json_object_get(d, key));

	json_decref(d);
	return n;
}

/* names: the column names, comma-separated */
static const char *
names(const char *desc)
{
	static char out[512];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < rows(desc, "columns"); i++)
		n += (size_t) snprintf(out + n, sizeof(out) - n, "%s%s", i ? "," : "", field(desc, "columns", i, 0));
	return out;
}

/* col: the whole row of column i as "f0|f1|..." */
static const char *
col(const char *desc, size_t i)
{
	static char out[1024];
	size_t n = 0;

	for (size_t f = 0; f < 12; f++)
		n += (size_t) snprintf(out + n, sizeof(out) - n, "%s%s", f ? "|" : "", field(desc, "columns", i, f));
	return out;
}

START_TEST(test_add_column_types)
{
	char *d = apply(acct, "ALTER TABLE acct ADD a INT, ADD b INT UNSIGNED, ADD c BOOLEAN, ADD e SMALLINT ZEROFILL, "
					"ADD f DECIMAL, ADD g FLOAT(7,3), ADD h FLOAT(30), ADD i BIT, ADD j ENUM('x','y''z') NOT NULL, "
					"ADD k VARCHAR(10) CHARACTER SET latin1, ADD l TEXT(100), ADD m JSON, ADD n TIMESTAMP(3) NOT NULL "
					"DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), ADD o YEAR, ADD p INET6, ADD q POINT");

	ck_assert_str_eq(col(d, 4), "a|int|int(11)|(null)|10|0|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 5), "b|int|int(10) unsigned|(null)|10|0|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 6), "c|tinyint|tinyint(1)|(null)|3|0|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 7), "e|smallint|smallint(5) unsigned zerofill|(null)|5|0|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 8), "f|decimal|decimal(10,0)|(null)|10|0|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 9), "g|float|float(7,3)|(null)|7|3|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 10), "h|double|double|(null)|22|(null)|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 11), "i|bit|bit(1)|(null)|1|(null)|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 12), "j|enum|enum('x','y''z')|3|(null)|(null)|(null)|NO|(null)||NEVER|224");
	ck_assert_str_eq(col(d, 13), "k|varchar|varchar(10)|10|(null)|(null)|(null)|YES|NULL||NEVER|8");
	ck_assert_str_eq(col(d, 14), "l|text|text|65535|(null)|(null)|(null)|YES|NULL||NEVER|224");
	ck_assert_str_eq(col(d, 15), "m|longtext|longtext|4294967295|(null)|(null)|(null)|YES|NULL||NEVER|46");
	ck_assert_str_eq(col(d, 16), "n|timestamp|timestamp(3)|(null)|(null)|(null)|3|NO|current_timestamp(3)|"
					 "on update current_timestamp(3)|NEVER|(null)");
	ck_assert_str_eq(col(d, 17), "o|year|year(4)|(null)|(null)|(null)|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 18), "p|inet6|inet6|(null)|(null)|(null)|(null)|YES|NULL||NEVER|(null)");
	ck_assert_str_eq(col(d, 19), "q|point|point|(null)|(null)|(null)|(null)|YES|NULL||NEVER|(null)");
	ck_assert_uint_eq(rows(d, "checks"), 1);
	ck_assert_str_eq(field(d, "checks", 0, 0), "json_valid(`m`)");
	ck_assert_str_eq(field(d, "checks", 0, 1), "Column");
	free(d);
}
END_TEST

START_TEST(test_defaults)
{
	char *d = apply(acct, "ALTER TABLE acct ADD a INT DEFAULT '5', ADD b VARCHAR(9) DEFAULT 'it''s\\\\', "
					"ADD c DECIMAL(6,3) DEFAULT 1.5, ADD d DATETIME(2) DEFAULT '2020-01-01', ADD e BIT(4) DEFAULT 5, "
					"ADD f SET('a','b') DEFAULT 'B,a', ADD g DATETIME DEFAULT NOW(), ADD h INT DEFAULT (7), "
					"ADD i DOUBLE DEFAULT 1.50, ADD j BOOL DEFAULT FALSE, ADD k VARCHAR(3) DEFAULT _utf8mb4'q' COMMENT 'c'");

	ck_assert_str_eq(field(d, "columns", 4, 8), "5");
	ck_assert_str_eq(field(d, "columns", 5, 8), "'it''s\\\\'");
	ck_assert_str_eq(field(d, "columns", 6, 8), "1.500");
	ck_assert_str_eq(field(d, "columns", 7, 8), "'2020-01-01 00:00:00.00'");
	ck_assert_str_eq(field(d, "columns", 8, 8), "b'101'");
	ck_assert_str_eq(field(d, "columns", 9, 8), "'a,b'");
	ck_assert_str_eq(field(d, "columns", 10, 8), "current_timestamp()");
	ck_assert_str_eq(field(d, "columns", 11, 8), "7");
	ck_assert_str_eq(field(d, "columns", 12, 8), "1.5");
	ck_assert_str_eq(field(d, "columns", 13, 8), "0");
	ck_assert_str_eq(field(d, "columns", 14, 8), "'q'");
	free(d);
}
END_TEST

START_TEST(test_positions)
{
	char *d = apply(acct, "ALTER TABLE acct ADD x INT FIRST, ADD y INT AFTER name, ADD z INT");

	ck_assert_str_eq(names(d), "x,id,name,y,bal,flag,z");
	char *e = apply(d, "ALTER TABLE acct MODIFY z BIGINT FIRST, CHANGE x x2 INT AFTER flag");
	ck_assert_str_eq(names(e), "z,id,name,y,bal,flag,x2");
	free(d);
	d = apply(e, "ALTER TABLE acct ADD a1 INT FIRST, ADD a2 INT FIRST");
	ck_assert_str_eq(names(d), "a2,a1,z,id,name,y,bal,flag,x2");
	free(d);
	free(e);
}
END_TEST

START_TEST(test_five_steps)
{
	char *d1 = apply(acct, "ALTER TABLE acct ADD COLUMN note VARCHAR(100) DEFAULT 'none' AFTER name");
	char *d2 = apply(d1, "ALTER TABLE acct DROP COLUMN flag");
	char *d3 = apply(d2, "ALTER TABLE acct MODIFY bal DECIMAL(14,4)");
	char *d4 = apply(d3, "ALTER TABLE acct CHANGE name full_name VARCHAR(40)");

	ck_assert_str_eq(names(d4), "id,full_name,note,bal");
	ck_assert_str_eq(col(d4, 1), "full_name|varchar|varchar(40)|40|(null)|(null)|(null)|YES|NULL||NEVER|224");
	ck_assert_str_eq(col(d4, 2), "note|varchar|varchar(100)|100|(null)|(null)|(null)|YES|'none'||NEVER|224");
	ck_assert_str_eq(col(d4, 3), "bal|decimal|decimal(14,4)|(null)|14|4|(null)|YES|NULL||NEVER|(null)");
	/* the index on name follows the rename */
	ck_assert_str_eq(field(d4, "indexes", 1, 0), "name");
	ck_assert_str_eq(field(d4, "indexes", 1, 2), "full_name");
	free(d1);
	free(d2);
	free(d3);
	free(d4);
}
END_TEST

START_TEST(test_rename_and_defaults)
{
	char *d = apply(acct, "ALTER TABLE acct RENAME COLUMN name TO nm, ALTER COLUMN bal SET DEFAULT 3, "
					"ALTER flag DROP DEFAULT");

	ck_assert_str_eq(names(d), "id,nm,bal,flag");
	ck_assert_str_eq(field(d, "columns", 2, 8), "3.00");
	ck_assert_str_eq(field(d, "columns", 3, 8), "NULL");     /* nullable: NULL again */
	ck_assert_str_eq(field(d, "indexes", 1, 2), "nm");
	free(d);
}
END_TEST

START_TEST(test_indexes)
{
	char *d = apply(acct, "ALTER TABLE acct ADD INDEX (bal), ADD UNIQUE KEY (name(5)), ADD CONSTRAINT cu UNIQUE (bal, flag), "
					"ADD KEY `Zeta` (flag) USING HASH");

	/* PRIMARY first, then by name as information_schema orders them */
	ck_assert_str_eq(field(d, "indexes", 0, 0), "PRIMARY");
	ck_assert_str_eq(field(d, "indexes", 1, 0), "bal");
	ck_assert_str_eq(field(d, "indexes", 2, 0), "cu");
	ck_assert_str_eq(field(d, "indexes", 4, 0), "name");
	ck_assert_str_eq(field(d, "indexes", 5, 0), "name_2");
	ck_assert_str_eq(field(d, "indexes", 5, 1), "0");
	ck_assert_str_eq(field(d, "indexes", 5, 3), "5");
	ck_assert_str_eq(field(d, "indexes", 6, 0), "Zeta");
	ck_assert_str_eq(field(d, "indexes", 6, 4), "BTREE");    /* InnoDB: USING HASH is a B-tree */
	char *e = apply(d, "DROP INDEX cu ON acct");
	char *f = apply(e, "CREATE UNIQUE INDEX ub ON acct (bal) ALGORITHM=INPLACE");
	char *g = apply(f, "ALTER TABLE acct DROP PRIMARY KEY, ADD PRIMARY KEY (id, flag), DROP KEY `Zeta`");
	ck_assert_uint_eq(rows(g, "indexes"), 6);
	ck_assert_str_eq(field(g, "indexes", 1, 2), "flag");
	ck_assert_str_eq(field(g, "columns", 3, 7), "NO");      /* a primary key's column is NOT NULL */
	char *h = apply(g, "ALTER TABLE acct ADD UNIQUE (name, bal), DROP COLUMN bal");
	ck_assert_str_eq(field(h, "indexes", 2, 2), "name");    /* bal left the indexes it was in */
	free(d);
	free(e);
	free(f);
	free(g);
	free(h);
}
END_TEST

START_TEST(test_quoting_and_comments)
{
	char *d = apply(acct, "/* before */ ALTER TABLE `acct` ADD `we``ird` INT /*! NOT NULL */ /*!100301 DEFAULT 3 */ "
					"/*M! COMMENT 'c' */, -- a comment\n ADD b INT # another\n");
	ck_assert_str_eq(col(d, 4), "we`ird|int|int(11)|(null)|10|0|(null)|NO|3||NEVER|(null)");
	char *out = NULL, why[512];
	ddl_apply_env ansi = env;
	ansi.lexer_flags = DDL_ANSI_QUOTES;
	ck_assert_msg(ddl_apply(d, "acct", "ALTER TABLE \"acct\" ADD \"x y\" VARCHAR(3) DEFAULT 'q'", &ansi, &out,
							why, sizeof(why)), "%s", why);
	ck_assert_str_eq(field(out, "columns", 6, 0), "x y");
	ck_assert_str_eq(field(out, "columns", 6, 8), "'q'");
	free(out);
	free(d);
}
END_TEST

START_TEST(test_json_checks)
{
	char *d = apply(acct, "ALTER TABLE acct ADD j JSON, ADD k LONGTEXT, ADD CONSTRAINT jk CHECK (json_valid(k)), "
					"ADD CONSTRAINT other CHECK (id > 0)");
	ck_assert_uint_eq(rows(d, "checks"), 2);
	char *e = apply(d, "ALTER TABLE acct RENAME COLUMN j TO j2");
	ck_assert_str_eq(field(e, "checks", 0, 0), "json_valid(`j2`)");
	char *f = apply(e, "ALTER TABLE acct MODIFY j2 LONGTEXT");
	ck_assert_uint_eq(rows(f, "checks"), 1);
	ck_assert_str_eq(field(f, "checks", 0, 1), "Table");
	/* a check read from information_schema has no level: MODIFY is refused */
	refused("{\"tables\":[[\"BASE TABLE\",\"0\",null,\"utf8mb4_bin\",\"InnoDB\"]],\"checks\":[[\"json_valid(`j`)\"]],"
			"\"columns\":[[\"j\",\"longtext\",\"longtext\",\"4294967295\",null,null,null,\"YES\",\"NULL\",\"\","
			"\"NEVER\",\"46\"]],\"indexes\":[]}", "ALTER TABLE acct MODIFY j JSON NOT NULL", "level");
	free(d);
	free(e);
	free(f);
}
END_TEST

START_TEST(test_create_table)
{
	char *out = NULL, why[1024] = "";

	ck_assert_msg(ddl_apply_create("CREATE TABLE IF NOT EXISTS db.t (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, "
								   "code CHAR(3) NOT NULL UNIQUE, body TEXT, ts TIMESTAMP NULL, "
								   "PRIMARY KEY (id), KEY (body(10)), FULLTEXT (body)) ENGINE=InnoDB "
								   "DEFAULT CHARSET=latin1", NULL, &env, &out, why, sizeof(why)), "%s", why);
	ck_assert_str_eq(field(out, "tables", 0, 2), "1");
	ck_assert_str_eq(field(out, "tables", 0, 3), "latin1_swedish_ci");
	ck_assert_str_eq(col(out, 0), "id|bigint|bigint(20) unsigned|(null)|20|0|(null)|NO|(null)|auto_increment|NEVER|(null)");
	ck_assert_str_eq(col(out, 1), "code|char|char(3)|3|(null)|(null)|(null)|NO|(null)||NEVER|8");
	ck_assert_uint_eq(rows(out, "indexes"), 4);
	ck_assert_str_eq(field(out, "indexes", 1, 0), "body");
	ck_assert_str_eq(field(out, "indexes", 1, 3), "10");
	ck_assert_str_eq(field(out, "indexes", 2, 0), "body_2");
	ck_assert_str_eq(field(out, "indexes", 2, 4), "FULLTEXT");
	char *like = NULL;
	ck_assert_msg(ddl_apply_create("CREATE TABLE t2 LIKE t", out, &env, &like, why, sizeof(why)), "%s", why);
	ck_assert_str_eq(field(like, "columns", 1, 0), "code");
	free(like);
	free(out);
	/* without a character set: the database's default */
	ck_assert_msg(ddl_apply_create("CREATE TABLE t3 (a VARCHAR(3), b SERIAL)", NULL, &env, &out, why, sizeof(why)),
				  "%s", why);
	ck_assert_str_eq(field(out, "columns", 0, 11), "224");
	ck_assert_str_eq(field(out, "indexes", 0, 0), "b");
	free(out);
	ddl_apply_env unknown = { 0 };
	ck_assert(!ddl_apply_create("CREATE TABLE t4 (a VARCHAR(3))", NULL, &unknown, &out, why, sizeof(why)));
	ck_assert(!ddl_apply_create("CREATE TABLE t5 LIKE t", NULL, &env, &out, why, sizeof(why)));
	ck_assert(!ddl_apply_create("CREATE TABLE t6 AS SELECT 1", NULL, &env, &out, why, sizeof(why)));
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_refusals)
{
	refused(acct, "ALTER TABLE acct ADD x INT DEFAULT (1 + 2)", "default");
	refused(acct, "ALTER TABLE acct ADD x VARCHAR(9) DEFAULT concat('a','b')", "concat");
	refused(acct, "ALTER TABLE acct CONVERT TO CHARACTER SET latin1", "CONVERT");
	refused(acct, "ALTER TABLE acct ADD x FANCYTYPE", "FANCYTYPE");
	refused(acct, "ALTER TABLE acct ADD x DOUBLE DEFAULT 1e20", "1e20");
	refused(acct, "ALTER TABLE acct ADD x INT, DEFAULT CHARSET latin1", "same statement");
	refused(acct, "ALTER TABLE acct PARTITION BY HASH (id)", "PARTITION");
	refused(acct, "ALTER TABLE other ADD x INT", "other");
	refused(acct, "ALTER TABLE acct DROP COLUMN nosuch", "nosuch");
	refused(acct, "ALTER TABLE acct ADD x INT,", "");
	refused(acct, "ALTER TABLE acct ADD x INT /* open", "unterminated");
	refused(acct, "UPDATE acct SET id = 1", "not a statement");
	refused(acct, "ALTER TABLE acct ADD x VARCHAR(5) COLLATE utf8mb4_uca1400_ai_ci", "uca1400");
	/* a description recorded before TABLE_COLLATION was part of it */
	refused("{\"tables\":[[\"BASE TABLE\",\"0\",null]],\"checks\":[],\"columns\":[[\"id\",\"int\",\"int(11)\",null,"
			"\"10\",\"0\",null,\"NO\",null,\"\",\"NEVER\",null]],\"indexes\":[]}",
			"ALTER TABLE acct ADD x VARCHAR(3)", "older version");
	/* ... still takes what does not need it */
	char *d = apply("{\"tables\":[[\"BASE TABLE\",\"0\",null]],\"checks\":[],\"columns\":[[\"id\",\"int\",\"int(11)\",null,"
					"\"10\",\"0\",null,\"NO\",null,\"\",\"NEVER\",null]],\"indexes\":[]}",
					"ALTER TABLE acct ADD x VARCHAR(3) CHARACTER SET latin1");
	ck_assert_str_eq(field(d, "columns", 1, 11), "8");
	free(d);
}
END_TEST

START_TEST(test_ignored_options)
{
	char *d = apply(acct, "ALTER TABLE acct ALGORITHM=INPLACE, LOCK=NONE, ADD x INT COMMENT 'c', COMMENT 'table', "
					"ENGINE=InnoDB ROW_FORMAT=DYNAMIC, AUTO_INCREMENT=5, FORCE");
	ck_assert_str_eq(names(d), "id,name,bal,flag,x");
	free(d);
}
END_TEST

Suite *
ddl_apply_suite(void)
{
	Suite *s = suite_create("ddl_apply");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_add_column_types);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_five_steps);
	tcase_add_test(tc, test_rename_and_defaults);
	tcase_add_test(tc, test_indexes);
	tcase_add_test(tc, test_quoting_and_comments);
	tcase_add_test(tc, test_json_checks);
	tcase_add_test(tc, test_create_table);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_ignored_options);
	suite_add_tcase(s, tc);
	return s;
}
