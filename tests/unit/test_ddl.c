/*
 * Unit tests for the statement module: the tokenizer at every edge of
 * MariaDB's lexical rules (comments, executable comments, quoting), the
 * classification of each statement form the stream acts on, and the schema
 * diff, one test per change it carries and per change it refuses. Tables
 * for the diff are built here as information_schema would describe them,
 * through the same type map, with no server.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/ident.h"
#include "common/typemap.h"
#include "stream/ddl.h"
#include "stream/tables.h"

/* ---- tokenizer ---- */

/* lex_all: every token of sql as "K:text" joined by spaces, K one of
 * W(ord) Q(uoted) S(tring) N(umber) P(unct) E(rror); ends at END or ERROR */
static char *
lex_all(const char *sql, unsigned flags)
{
	static const char kinds[] = "-WQSNPE";
	ddl_lexer lx;
	ddl_token tok;
	buf out = BUF_INIT;

	ddl_lexer_init(&lx, sql, flags);
	while (ddl_next(&lx, &tok) != DDL_TOK_END) {
		buf_printf(&out, "%s%c:%s", out.len ? " " : "", kinds[tok.kind], tok.text);
		if (tok.kind == DDL_TOK_ERROR)
			break;
	}
	ddl_lexer_free(&lx);
	buf_puts(&out, "");
	return out.data;
}

/* lexes_as: lex_all(sql) must be exactly want */
static void
lexes_as(const char *sql, unsigned flags, const char *want)
{
	char *got = lex_all(sql, flags);

	ck_assert_msg(strcmp(got, want) == 0, "%s: got [%s], want [%s]", sql, got, want);
	free(got);
}

START_TEST(test_lex_empty)
{
	lexes_as("", 0, "");
	lexes_as("   \n\t ", 0, "");
	lexes_as("-- only a comment", 0, "");
	lexes_as("/* c */ # d", 0, "");
	lexes_as(NULL, 0, "");
}
END_TEST

START_TEST(test_lex_comments)
{
	lexes_as("DROP -- comment\nTABLE", 0, "W:DROP W:TABLE");
	lexes_as("DROP --\tcomment\nTABLE", 0, "W:DROP W:TABLE");
	lexes_as("DROP --", 0, "W:DROP");
	lexes_as("a --b", 0, "W:a P:- P:- W:b");   /* -- needs a blank after it */
	lexes_as("DROP # comment\nTABLE #end", 0, "W:DROP W:TABLE");
	lexes_as("DROP/* a\n * b */TABLE", 0, "W:DROP W:TABLE");
	lexes_as("DROP /*+ hint */ TABLE", 0, "W:DROP W:TABLE");
	lexes_as("a /* x /* y */ b", 0, "W:a W:b");    /* comments do not nest */
}
END_TEST

START_TEST(test_lex_executable_comments)
{
	lexes_as("CREATE /*!32302 TEMPORARY */ TABLE", 0, "W:CREATE W:TEMPORARY W:TABLE");
	lexes_as("/*!40101 SET NAMES utf8 */", 0, "W:SET W:NAMES W:utf8");
	lexes_as("/*! STRAIGHT_JOIN */", 0, "W:STRAIGHT_JOIN");
	lexes_as("/*!50100PARTITION*/", 0, "W:PARTITION");
	lexes_as("/*M! IF EXISTS */", 0, "W:IF W:EXISTS");
	lexes_as("/*M!100500 IF EXISTS*/ t", 0, "W:IF W:EXISTS W:t");
	lexes_as("/*!100500 x*/", 0, "W:x");      /* six digits */
	lexes_as("/*!1234 x*/", 0, "N:1234 W:x");  /* four digits: no version */
	/* a plain comment inside one, and a star-slash outside one */
	lexes_as("/*!50100 a /* b */ c */ d", 0, "W:a W:c W:d");
	lexes_as("a */ b", 0, "W:a P:* P:/ W:b");
}
END_TEST

START_TEST(test_lex_unterminated)
{
	lexes_as("DROP /* open", 0, "W:DROP E:");
	lexes_as("DROP /*! TABLE", 0, "W:DROP W:TABLE E:");
	lexes_as("DROP `t", 0, "W:DROP E:");
	lexes_as("SELECT 'abc", 0, "W:SELECT E:");
	lexes_as("SELECT 'abc\\", 0, "W:SELECT E:");
	lexes_as("SELECT \"a\"\"", 0, "W:SELECT E:");

	/* the fault is sticky, and says what and where */
	ddl_lexer lx;
	ddl_token tok;
	ddl_lexer_init(&lx, "x `y", 0);
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_WORD);
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_ERROR);
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_ERROR);
	ck_assert_int_eq(ddl_peek(&lx, &tok), DDL_TOK_ERROR);
	ck_assert_str_eq(lx.err, "unterminated quoted name at offset 2");
	ddl_lexer_free(&lx);
}
END_TEST

START_TEST(test_lex_quoted_names)
{
	lexes_as("`a``b`", 0, "Q:a`b");
	lexes_as("````", 0, "Q:`");
	lexes_as("``", 0, "Q:");
	lexes_as("`with space` `a\\b`", 0, "Q:with space Q:a\\b");  /* no escapes in names */
	lexes_as("`DROP`", 0, "Q:DROP");
	lexes_as("\"t\"", DDL_ANSI_QUOTES, "Q:t");

	/* a quoted keyword is not the keyword */
	ddl_lexer lx;
	ddl_token tok;
	ddl_lexer_init(&lx, "`TABLE` table", 0);
	ddl_next(&lx, &tok);
	ck_assert(!ddl_is(&tok, "TABLE"));
	ddl_next(&lx, &tok);
	ck_assert(ddl_is(&tok, "TABLE"));
	ck_assert_uint_eq(tok.len, 5);
	ck_assert_ptr_eq(tok.at, lx.sql + 8);
	ddl_lexer_free(&lx);
}
END_TEST

START_TEST(test_lex_strings)
{
	lexes_as("'it''s'", 0, "S:it's");
	lexes_as("'it\\'s'", 0, "S:it's");
	lexes_as("\"say \"\"hi\"\"\"", 0, "S:say \"hi\"");
	lexes_as("'a\\nb\\tc\\\\d'", 0, "S:a\nb\tc\\d");
	lexes_as("'\\%\\_\\q'", 0, "S:\\%\\_q");    /* \% and \_ keep the backslash */
	lexes_as("'a\\\\'", DDL_NO_BACKSLASH_ESCAPES, "S:a\\\\");
	lexes_as("'x\\'", DDL_NO_BACKSLASH_ESCAPES, "S:x\\");
	lexes_as("'' \"\"", 0, "S: S:");
	lexes_as("'a -- b /* c */'", 0, "S:a -- b /* c */");

	ddl_lexer lx;
	ddl_token tok;
	ddl_lexer_init(&lx, "'a\\0b'", 0);
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_STRING);
	ck_assert_uint_eq(tok.text_len, 3);
	ck_assert(memcmp(tok.text, "a\0b", 3) == 0);
	ddl_lexer_free(&lx);
}
END_TEST

START_TEST(test_lex_numbers_and_words)
{
	lexes_as("12 1.5 .5 1e3 1E-3 0x1F 3.", 0, "N:12 N:1.5 N:.5 N:1e3 N:1E-3 N:0x1F N:3.");
	lexes_as("1abc t$1 $x _9 a1b2", 0, "W:1abc W:t$1 W:$x W:_9 W:a1b2");
	lexes_as("caf\xC3\xA9", 0, "W:caf\xC3\xA9");
	lexes_as("(a,b);=", 0, "P:( W:a P:, W:b P:) P:; P:=");
	lexes_as("db.t", 0, "W:db P:. W:t");
	lexes_as("db.1t", 0, "W:db P:. W:1t");
	lexes_as("`db`.`t`", 0, "Q:db P:. Q:t");
	lexes_as("x=.5", 0, "W:x P:= N:.5");
}
END_TEST

START_TEST(test_lex_peek_and_keywords)
{
	ddl_lexer lx;
	ddl_token tok;

	ddl_lexer_init(&lx, "alter /*! Table */ t", 0);
	ck_assert_int_eq(ddl_peek(&lx, &tok), DDL_TOK_WORD);
	ck_assert(ddl_is(&tok, "ALTER"));
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_WORD);
	ck_assert(ddl_is(&tok, "ALTER"));
	ck_assert(!ddl_is(&tok, "ALTE"));
	ck_assert_int_eq(ddl_peek(&lx, &tok), DDL_TOK_WORD);
	ck_assert(ddl_is(&tok, "table"));
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_WORD);
	ck_assert(ddl_is(&tok, "TABLE"));
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_WORD);
	ck_assert_str_eq(tok.text, "t");
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_END);
	ck_assert_int_eq(ddl_next(&lx, &tok), DDL_TOK_END);
	ddl_lexer_free(&lx);
}
END_TEST

/* name_is: ddl_next_name over sql gives db and name */
static void
name_is(const char *sql, const char *dflt, const char *db, const char *name)
{
	ddl_lexer lx;
	ddl_name n;
	char err[256] = "";

	ddl_lexer_init(&lx, sql, 0);
	ck_assert_msg(ddl_next_name(&lx, dflt, &n, err, sizeof(err)), "%s: %s", sql, err);
	ck_assert_str_eq(n.db, db);
	ck_assert_str_eq(n.name, name);
	ddl_lexer_free(&lx);
}

/* name_refused: ddl_next_name over sql fails with err starting with want */
static void
name_refused(const char *sql, const char *want)
{
	ddl_lexer lx;
	ddl_name n;
	char err[256] = "";

	ddl_lexer_init(&lx, sql, 0);
	ck_assert_msg(!ddl_next_name(&lx, "d", &n, err, sizeof(err)), "%s accepted", sql);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s: %s", sql, err);
	ddl_lexer_free(&lx);
}

START_TEST(test_names)
{
	char long_name[80], max_name[80];

	name_is("t", "d", "d", "t");
	name_is("t", NULL, "", "t");
	name_is("db.t", "d", "db", "t");
	name_is("`my db`.`my``t`", "d", "my db", "my`t");
	name_is("db . /* c */ `t`", "d", "db", "t");
	name_is("`db`.t$2 rest", "d", "db", "t$2");
	name_is("/*!`a`.`b`*/", "d", "a", "b");
	memset(max_name, 'x', 64);
	max_name[64] = '\0';
	name_is(max_name, "d", "d", max_name);
	/* 64 characters of two bytes each fit */
	buf wide = BUF_INIT;
	for (int i = 0; i < 64; i++)
		buf_puts(&wide, "\xC3\xA9");
	name_is(wide.data, "d", "d", wide.data);
	buf_puts(&wide, "\xC3\xA9");
	name_refused(wide.data, "name longer than 64");
	buf_free(&wide);

	memset(long_name, 'y', 65);
	long_name[65] = '\0';
	name_refused(long_name, "name longer than 64");
	name_refused("``", "empty name");
	name_refused("db.``", "empty name");
	name_refused("`t", "unterminated quoted name");
	name_refused("123", "expected a table name");
	name_refused("'t'", "expected a table name");
	name_refused("", "a table name is missing");
	name_refused("db.", "a table name is missing");
}
END_TEST

/* ---- classification ---- */

/* classify: ddl_classify(sql) in database "d", which must succeed */
static ddl_stmt
classify(const char *sql)
{
	ddl_stmt st;
	char err[256] = "";

	ck_assert_msg(ddl_classify(sql, "d", 0, &st, err, sizeof(err)), "%s: %s", sql, err);
	return st;
}

/* kind_is: sql is kind, naming the tables listed ("db.t db.u", or "") */
static void
kind_is(const char *sql, ddl_kind kind, const char *tables)
{
	ddl_stmt st = classify(sql);
	buf got = BUF_INIT;

	for (size_t i = 0; i < st.ntables; i++)
		buf_printf(&got, "%s%s.%s", i ? " " : "", st.tables[i].db, st.tables[i].name);
	ck_assert_msg(st.kind == kind, "%s: kind %s, want %s", sql, ddl_kind_name(st.kind), ddl_kind_name(kind));
	ck_assert_msg(strcmp(buf_cstr(&got), tables) == 0, "%s: tables [%s], want [%s]", sql, buf_cstr(&got), tables);
	buf_free(&got);
	ddl_stmt_free(&st);
}

/* refused: ddl_classify(sql) fails as kind, with err starting with want */
static void
refused(const char *sql, ddl_kind kind, const char *want)
{
	ddl_stmt st;
	char err[256] = "";

	ck_assert_msg(!ddl_classify(sql, "d", 0, &st, err, sizeof(err)), "%s accepted", sql);
	ck_assert_msg(st.kind == kind, "%s: kind %s", sql, ddl_kind_name(st.kind));
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s: %s", sql, err);
	ddl_stmt_free(&st);
}

START_TEST(test_classify_boundaries)
{
	kind_is("BEGIN", DDL_NONE, "");
	kind_is("  begin work", DDL_NONE, "");
	kind_is("START TRANSACTION", DDL_NONE, "");
	kind_is("XA START 'x'", DDL_NONE, "");
	kind_is("XA END 'x'", DDL_NONE, "");
	kind_is("SAVEPOINT `sp`", DDL_NONE, "");
	kind_is("RELEASE SAVEPOINT sp", DDL_NONE, "");
	kind_is("ROLLBACK TO sp", DDL_NONE, "");
	kind_is("rollback work to savepoint sp", DDL_NONE, "");
	kind_is("COMMIT", DDL_COMMIT, "");
	kind_is("/* c */ commit", DDL_COMMIT, "");
	kind_is("ROLLBACK", DDL_COMMIT, "");
	kind_is("Rollback Work", DDL_COMMIT, "");
}
END_TEST

START_TEST(test_classify_truncate_and_dml)
{
	kind_is("TRUNCATE TABLE t", DDL_TRUNCATE, "d.t");
	kind_is("truncate `db`.`t`", DDL_TRUNCATE, "db.t");
	kind_is("TRUNCATE /* x */ TABLE db . t WAIT 3", DDL_TRUNCATE, "db.t");
	kind_is("INSERT INTO t VALUES (1)", DDL_DML, "d.t");
	kind_is("insert t (a) values (1)", DDL_DML, "d.t");
	kind_is("INSERT LOW_PRIORITY IGNORE INTO db.t SELECT 1", DDL_DML, "db.t");
	kind_is("INSERT DELAYED INTO t VALUES (1)", DDL_DML, "d.t");
	kind_is("INSERT HIGH_PRIORITY t SET a=1", DDL_DML, "d.t");
	kind_is("REPLACE INTO `x``y` VALUES (1)", DDL_DML, "d.x`y");
	kind_is("UPDATE LOW_PRIORITY IGNORE t SET a = 1", DDL_DML, "d.t");
	kind_is("update db.t set a = 'x'", DDL_DML, "db.t");
	kind_is("DELETE FROM t WHERE a = 1", DDL_DML, "d.t");
	kind_is("DELETE LOW_PRIORITY QUICK IGNORE FROM t", DDL_DML, "d.t");
	kind_is("DELETE t FROM t JOIN u", DDL_DML, "d.t");
	kind_is("delete\n\tfrom\n\t`db`.`t`", DDL_DML, "db.t");
	kind_is("INSERT INTO t$1 VALUES (1)", DDL_DML, "d.t$1");
	refused("INSERT INTO `t VALUES", DDL_DML, "unterminated quoted name");
}
END_TEST

START_TEST(test_classify_alter)
{
	ddl_stmt st;

	kind_is("ALTER TABLE t ADD COLUMN c int", DDL_ALTER, "d.t");
	kind_is("alter online ignore table if exists db.t drop c", DDL_ALTER, "db.t");
	kind_is("ALTER /*!50100 TABLE */ t ENGINE=InnoDB", DDL_ALTER, "d.t");
	kind_is("ALTER DATABASE d CHARACTER SET utf8mb4", DDL_OTHER, "");
	kind_is("ALTER VIEW v AS SELECT 1", DDL_OTHER, "");
	kind_is("CREATE INDEX i ON t (a)", DDL_ALTER, "d.t");
	kind_is("create unique index if not exists `i` using btree on db.t (a)", DDL_ALTER, "db.t");
	kind_is("DROP INDEX IF EXISTS i ON t", DDL_ALTER, "d.t");

	st = classify("ALTER TABLE t RENAME TO u");
	ck_assert_uint_eq(st.nrenames, 1);
	ck_assert_str_eq(st.renames[0].from.name, "t");
	ck_assert_str_eq(st.renames[0].to.db, "d");
	ck_assert_str_eq(st.renames[0].to.name, "u");
	ck_assert(!st.renames_columns);
	ddl_stmt_free(&st);
	kind_is("ALTER TABLE db.t ADD c int, RENAME AS e.u", DDL_ALTER, "db.t db.t e.u");
	kind_is("ALTER TABLE t RENAME u", DDL_ALTER, "d.t d.t d.u");

	/* column renames: CHANGE or RENAME COLUMN, at the start of a clause */
	st = classify("ALTER TABLE t CHANGE a b int");
	ck_assert(st.renames_columns);
	ck_assert_uint_eq(st.nrenames, 0);
	ddl_stmt_free(&st);
	st = classify("ALTER TABLE t ADD x int, rename column a to b");
	ck_assert(st.renames_columns);
	ck_assert_uint_eq(st.nrenames, 0);
	ddl_stmt_free(&st);
	st = classify("ALTER TABLE t RENAME INDEX i TO j, ADD `change` int, MODIFY `rename` text COMMENT 'CHANGE'");
	ck_assert(!st.renames_columns);
	ck_assert_uint_eq(st.nrenames, 0);
	ddl_stmt_free(&st);
	st = classify("ALTER TABLE t ADD c enum('a','b') DEFAULT 'a', ADD d int CHECK (d IN (1, 2)), CHANGE e f int");
	ck_assert(st.renames_columns);
	ddl_stmt_free(&st);
	refused("ALTER TABLE t ADD c int DEFAULT 'x", DDL_ALTER, "unterminated string");
	refused("ALTER TABLE t RENAME TO ``", DDL_ALTER, "empty name");
	refused("ALTER TABLE", DDL_ALTER, "a table name is missing");
}
END_TEST

START_TEST(test_classify_drop)
{
	kind_is("DROP TABLE t", DDL_DROP, "d.t");
	kind_is("DROP TABLE IF EXISTS `t` /* generated by server */", DDL_DROP, "d.t");
	kind_is("drop table if exists a, db.b ,`c`", DDL_DROP, "d.a db.b d.c");
	kind_is("DROP TABLE a, b RESTRICT", DDL_DROP, "d.a d.b");
	kind_is("DROP /*!40005 TEMPORARY */ TABLE IF EXISTS t", DDL_OTHER, "d.t");
	kind_is("DROP DATABASE d", DDL_OTHER, "");
	kind_is("DROP VIEW v", DDL_OTHER, "");

	ddl_stmt st = classify("DROP TEMPORARY TABLE t");
	ck_assert(st.temporary);
	ddl_stmt_free(&st);
	refused("DROP TABLE a,", DDL_DROP, "a table name is missing");
	refused("DROP TABLE a, 'b'", DDL_DROP, "expected a table name");
}
END_TEST

START_TEST(test_classify_rename)
{
	ddl_stmt st = classify("RENAME TABLE a TO b, db.c TO `e`.`f`");

	ck_assert_int_eq(st.kind, DDL_RENAME);
	ck_assert_uint_eq(st.nrenames, 2);
	ck_assert_str_eq(st.renames[0].from.name, "a");
	ck_assert_str_eq(st.renames[0].to.name, "b");
	ck_assert_str_eq(st.renames[1].from.db, "db");
	ck_assert_str_eq(st.renames[1].to.db, "e");
	ck_assert_str_eq(st.renames[1].to.name, "f");
	ddl_stmt_free(&st);
	/* the online schema-change swap */
	kind_is("RENAME TABLE `t` TO `_t_old`, `_t_new` TO `t`", DDL_RENAME, "d.t d._t_old d._t_new d.t");
	kind_is("rename tables if exists a wait 5 to b", DDL_RENAME, "d.a d.b");
	kind_is("RENAME TABLE a NOWAIT TO b", DDL_RENAME, "d.a d.b");
	kind_is("RENAME USER a TO b", DDL_OTHER, "");
	refused("RENAME TABLE a b", DDL_RENAME, "expected TO");
	refused("RENAME TABLE a TO", DDL_RENAME, "a table name is missing");
}
END_TEST

START_TEST(test_classify_create)
{
	ddl_stmt st = classify("CREATE TABLE t LIKE db.s");

	ck_assert_int_eq(st.kind, DDL_CREATE);
	ck_assert(st.has_like);
	ck_assert_str_eq(st.like.db, "db");
	ck_assert_str_eq(st.like.name, "s");
	ck_assert(!st.or_replace);
	ddl_stmt_free(&st);
	st = classify("CREATE OR /* c */ REPLACE TABLE t (a int)");
	ck_assert(st.or_replace);
	ddl_stmt_free(&st);
	/* the lexer flags of a QUERY event's sql_mode */
	ck_assert_uint_eq(ddl_sql_mode_flags(DDL_MODE_ANSI_QUOTES | DDL_MODE_NO_BACKSLASH_ESCAPES),
					  DDL_ANSI_QUOTES | DDL_NO_BACKSLASH_ESCAPES);
	ck_assert_uint_eq(ddl_sql_mode_flags(UINT64_C(1411383296)), 0);    /* MariaDB 10.11's default */
	kind_is("CREATE TABLE t LIKE db.s", DDL_CREATE, "d.t db.s");
	kind_is("create or replace table if not exists t (like s)", DDL_CREATE, "d.t d.s");
	kind_is("CREATE TABLE `t` (`id` int PRIMARY KEY)", DDL_CREATE, "d.t");
	kind_is("CREATE TABLE t SELECT 1", DDL_CREATE, "d.t");
	kind_is("CREATE TEMPORARY TABLE t (a int)", DDL_OTHER, "d.t");
	kind_is("CREATE DATABASE d", DDL_OTHER, "");
	kind_is("CREATE DEFINER=`u`@`%` TRIGGER x", DDL_OTHER, "");
	refused("CREATE TABLE t (LIKE s", DDL_CREATE, "expected )");
}
END_TEST

START_TEST(test_classify_other_and_refused)
{
	char sql[200];

	kind_is("", DDL_OTHER, "");
	kind_is("/* only */", DDL_OTHER, "");
	kind_is("SET @x = 1", DDL_OTHER, "");
	kind_is("GRANT ALL ON d.* TO u", DDL_OTHER, "");
	kind_is("( SELECT 1 )", DDL_OTHER, "");
	kind_is("`TRUNCATE` t", DDL_OTHER, "");
	kind_is("FLUSH TABLES", DDL_OTHER, "");
	refused("/* open", DDL_OTHER, "unterminated comment");

	snprintf(sql, sizeof(sql), "DROP TABLE a, ");
	memset(sql + 14, 'z', 65);
	sql[14 + 65] = '\0';
	refused(sql, DDL_DROP, "name longer than 64");

	ddl_stmt st;
	char err[64];
	ck_assert(ddl_classify("TRUNCATE t", NULL, 0, &st, err, sizeof(err)));
	ck_assert_str_eq(st.tables[0].db, "");
	ddl_stmt_free(&st);
	ck_assert(ddl_classify("DROP TABLE \"t\"", "d", DDL_ANSI_QUOTES, &st, err, sizeof(err)));
	ck_assert_str_eq(st.tables[0].name, "t");
	ddl_stmt_free(&st);
}
END_TEST

/* ---- schema diff ---- */

/* A column as information_schema describes it. */
typedef struct coldef {
	const char *name;
	const char *data_type;
	const char *column_type;
	bool        nullable;
	const char *dflt;           /* COLUMN_DEFAULT, or NULL */
	long long   dt_precision;
} coldef;

/* table: a described table "d"."t" of n columns, keyed on the columns
 * listed in key (indexes, ended by -1); the caller frees it with table_free */
static plan_table *
table(const coldef *defs, size_t n, const int *key)
{
	plan_table *pt = xcalloc(1, sizeof(plan_table));

	pt->source = xstrdup("t");
	pt->target = xstrdup("t");
	pt->qtarget = xstrdup("\"d\".\"t\"");
	pt->ncols = n;
	pt->cols = xcalloc(n, sizeof(plan_column));
	for (size_t i = 0; i < n; i++) {
		plan_column *c = &pt->cols[i];
		typemap_source src = { .name = defs[i].name, .data_type = defs[i].data_type,
							   .column_type = defs[i].column_type, .char_max_len = -1, .num_precision = -1,
							   .num_scale = -1, .dt_precision = defs[i].dt_precision };
		char err[256];
		ck_assert_msg(typemap_resolve(&src, &c->tm, err, sizeof(err)), "%s", err);
		c->name = xstrdup(defs[i].name);
		c->target = ident_target(defs[i].name, false);
		c->column_type = xstrdup(defs[i].column_type);
		c->nullable = defs[i].nullable;
		c->dt_precision = defs[i].dt_precision;
		buf d = BUF_INIT;
		bool unsupported;
		if (typemap_default(&c->tm, defs[i].dflt, &d, &unsupported))
			c->pg_default = xstrdup(d.data);
		buf_free(&d);
	}
	while (key[pt->nkey] >= 0)
		pt->nkey++;
	pt->key = xcalloc(pt->nkey + 1, sizeof(int));
	memcpy(pt->key, key, pt->nkey * sizeof(int));
	return pt;
}

static void
table_free(plan_table *pt)
{
	for (size_t i = 0; i < pt->ncols; i++) {
		free(pt->cols[i].name);
		free(pt->cols[i].target);
		free(pt->cols[i].column_type);
		free(pt->cols[i].pg_default);
	}
	free(pt->cols);
	free(pt->key);
	free(pt->source);
	free(pt->target);
	free(pt->qtarget);
	free(pt);
}

#define ID    { "Id", "int", "int(11)", false, NULL, -1 }
#define NAME  { "name", "varchar", "varchar(20)", true, NULL, -1 }
#define KEY0  ((const int[]) { 0, -1 })
#define T(...) (const coldef[]) { __VA_ARGS__ }, sizeof((const coldef[]) { __VA_ARGS__ }) / sizeof(coldef)

/* diff_gives: the diff from -> to carries, with exactly want */
static void
diff_gives(plan_table *from, plan_table *to, unsigned flags, const char *want)
{
	buf sql = BUF_INIT;
	char why[512] = "";

	ck_assert_msg(ddl_diff(from, to, "ALTER TABLE t ...", flags, &sql, why, sizeof(why)), "refused: %s", why);
	ck_assert_str_eq(buf_cstr(&sql), want);
	buf_free(&sql);
	table_free(from);
	table_free(to);
}

/* diff_refuses: the diff from -> to is refused with why == want (the
 * statement "S" is appended) and leaves alter_sql as it was */
static void
diff_refuses(plan_table *from, plan_table *to, const char *want)
{
	buf sql = BUF_INIT;
	char why[512] = "";

	buf_puts(&sql, "before");
	ck_assert(!ddl_diff(from, to, "S", 0, &sql, why, sizeof(why)));
	ck_assert_str_eq(why, want);
	ck_assert_str_eq(sql.data, "before");
	/* carried anyway when lenient (--to kafka) */
	buf_reset(&sql);
	ck_assert(ddl_diff(from, to, "S", DDL_DIFF_LENIENT, &sql, why, sizeof(why)));
	buf_free(&sql);
	table_free(from);
	table_free(to);
}

START_TEST(test_diff_nothing)
{
	diff_gives(table(T(ID, NAME), KEY0), table(T(ID, NAME), KEY0), 0, "");
	/* a change PostgreSQL does not see: int(11) -> int(10) */
	diff_gives(table(T(ID, NAME), KEY0),
			   table(T(ID, { "name", "varchar", "varchar(20)", true, NULL, -1 }), KEY0), 0, "");
}
END_TEST

START_TEST(test_diff_drop_and_add)
{
	diff_gives(table(T(ID, NAME), KEY0), table(T(ID), KEY0), 0, "ALTER TABLE \"d\".\"t\" DROP COLUMN \"name\"");
	diff_gives(table(T(ID), KEY0), table(T(ID, NAME), KEY0), 0,
			   "ALTER TABLE \"d\".\"t\" ADD COLUMN \"name\" character varying(20)");
	diff_gives(table(T(ID), KEY0), table(T(ID, { "N", "int", "int(11)", false, "7", -1 }), KEY0), 0,
			   "ALTER TABLE \"d\".\"t\" ADD COLUMN \"n\" integer DEFAULT 7 NOT NULL");
	diff_gives(table(T(ID), KEY0), table(T(ID, { "s", "varchar", "varchar(5)", true, "'a''b'", -1 }), KEY0), 0,
			   "ALTER TABLE \"d\".\"t\" ADD COLUMN \"s\" character varying(5) DEFAULT 'a''b'");
	/* both, in order: drops and changes first, then additions */
	diff_gives(table(T(ID, NAME), KEY0), table(T(ID, { "other", "int", "int(11)", true, NULL, -1 }), KEY0), 0,
			   "ALTER TABLE \"d\".\"t\" DROP COLUMN \"name\"; ALTER TABLE \"d\".\"t\" ADD COLUMN \"other\" integer");
}
END_TEST

START_TEST(test_diff_rename)
{
	/* by position, only when the statement renames */
	diff_gives(table(T(ID, NAME), KEY0), table(T(ID, { "title", "varchar", "varchar(20)", true, NULL, -1 }), KEY0),
			   DDL_DIFF_RENAMES, "ALTER TABLE \"d\".\"t\" RENAME COLUMN \"name\" TO \"title\"");
	/* renamed and retyped at once */
	diff_gives(table(T(ID, NAME), KEY0), table(T(ID, { "title", "varchar", "varchar(40)", false, NULL, -1 }), KEY0),
			   DDL_DIFF_RENAMES, "ALTER TABLE \"d\".\"t\" RENAME COLUMN \"name\" TO \"title\"; "
			   "ALTER TABLE \"d\".\"t\" ALTER COLUMN \"title\" TYPE character varying(40) USING \"title\"::character varying(40); "
			   "ALTER TABLE \"d\".\"t\" ALTER COLUMN \"title\" SET NOT NULL");
	/* a name the table had is not a rename: a swap of two names is a drop and an add each */
	diff_gives(table(T(ID, NAME, { "x", "int", "int(11)", true, NULL, -1 }), KEY0),
			   table(T(ID, { "x", "int", "int(11)", true, NULL, -1 }, { "y", "int", "int(11)", true, NULL, -1 }), KEY0),
			   DDL_DIFF_RENAMES, "ALTER TABLE \"d\".\"t\" DROP COLUMN \"name\"; "
			   "ALTER TABLE \"d\".\"t\" ADD COLUMN \"y\" integer");
}
END_TEST

START_TEST(test_diff_retype_carried)
{
	diff_gives(table(T(ID, { "n", "int", "int(11)", true, NULL, -1 }), KEY0),
			   table(T(ID, { "n", "bigint", "bigint(20)", true, NULL, -1 }), KEY0), 0,
			   "ALTER TABLE \"d\".\"t\" ALTER COLUMN \"n\" TYPE bigint USING \"n\"::bigint");
	diff_gives(table(T(ID, { "n", "int", "int(11)", true, NULL, -1 }), KEY0),
			   table(T(ID, { "n", "varchar", "varchar(30)", true, NULL, -1 }), KEY0), 0,
			   "ALTER TABLE \"d\".\"t\" ALTER COLUMN \"n\" TYPE character varying(30) USING \"n\"::character varying(30)");
	diff_gives(table(T(ID, { "ts", "datetime", "datetime", true, NULL, 0 }), KEY0),
			   table(T(ID, { "ts", "datetime", "datetime(3)", true, NULL, 3 }), KEY0), 0,
			   "ALTER TABLE \"d\".\"t\" ALTER COLUMN \"ts\" TYPE timestamp(3) without time zone "
			   "USING \"ts\"::timestamp(3) without time zone");
	diff_gives(table(T(ID, { "b", "varbinary", "varbinary(4)", true, NULL, -1 }), KEY0),
			   table(T(ID, { "b", "blob", "blob", true, NULL, -1 }), KEY0), 0, "");
}
END_TEST

START_TEST(test_diff_nullability)
{
	diff_gives(table(T(ID, { "name", "varchar", "varchar(20)", false, NULL, -1 }), KEY0),
			   table(T(ID, NAME), KEY0), 0, "ALTER TABLE \"d\".\"t\" ALTER COLUMN \"name\" DROP NOT NULL");
	diff_gives(table(T(ID, NAME), KEY0), table(T(ID, { "name", "varchar", "varchar(20)", false, NULL, -1 }), KEY0),
			   0, "ALTER TABLE \"d\".\"t\" ALTER COLUMN \"name\" SET NOT NULL");
}
END_TEST

START_TEST(test_diff_refusals)
{
	diff_refuses(table(T(ID, NAME), KEY0), table(T(ID, NAME), ((const int[]) { 0, 1, -1 })),
				 "the key changed (Id) -> (Id, name): S");
	diff_refuses(table(T(ID, NAME), KEY0), table(T(ID, NAME), ((const int[]) { -1 })), "the key changed (Id) -> (): S");
	diff_refuses(table(T(ID, { "n", "varchar", "varchar(5)", true, NULL, -1 }), KEY0),
				 table(T(ID, { "n", "int", "int(11)", true, NULL, -1 }), KEY0),
				 "column \"n\" changed type (varchar(5) -> int(11)), a conversion the stream does not carry "
				 "(PostgreSQL's cast could differ from MariaDB's): S");
	diff_refuses(table(T(ID, { "n", "int", "int(11)", true, NULL, -1 }), KEY0),
				 table(T(ID, { "n", "enum", "enum('a','b')", true, NULL, -1 }), KEY0),
				 "column \"n\" changed type (int(11) -> enum('a','b')), a conversion the stream does not carry "
				 "(PostgreSQL's cast could differ from MariaDB's): S");
	diff_refuses(table(T(ID, { "ts", "datetime", "datetime(3)", true, NULL, 3 }), KEY0),
				 table(T(ID, { "ts", "datetime", "datetime", true, NULL, 0 }), KEY0),
				 "column \"ts\" changed type (datetime(3) -> datetime), a conversion the stream does not carry "
				 "(PostgreSQL's cast could differ from MariaDB's): S");
	diff_refuses(table(T(ID), KEY0), table(T(ID, { "n", "int", "int(11)", false, NULL, -1 }), KEY0),
				 "new column \"n\" is NOT NULL without a default (MariaDB fills existing rows with implicit values "
				 "the stream cannot know): S");
	diff_refuses(table(T(ID), KEY0),
				 table(T(ID, { "at", "datetime", "datetime", true, "current_timestamp()", 0 }), KEY0),
				 "new column \"at\" has the default CURRENT_TIMESTAMP, which "
				 "MariaDB computed for the existing rows when it changed the table; the stream cannot know those "
				 "values: S");
	/* without a new name at the position, a rename is a drop and an add */
	diff_refuses(table(T(ID, NAME), KEY0), table(T(ID, { "title", "varchar", "varchar(20)", false, NULL, -1 }), KEY0),
				 "new column \"title\" is NOT NULL without a default (MariaDB fills existing rows with implicit "
				 "values the stream cannot know): S");
}
END_TEST

START_TEST(test_diff_helpers)
{
	ck_assert(ddl_default_is_constant("0"));
	ck_assert(ddl_default_is_constant("-1.5e3"));
	ck_assert(ddl_default_is_constant("'x'"));
	ck_assert(ddl_default_is_constant("'2020-01-01'::date"));
	ck_assert(ddl_default_is_constant("true"));
	ck_assert(ddl_default_is_constant("B'0101'"));
	ck_assert(!ddl_default_is_constant("CURRENT_TIMESTAMP"));
	ck_assert(!ddl_default_is_constant("'x'::text || now()"));
	ck_assert(!ddl_default_is_constant("nextval('s')"));
	ck_assert(!ddl_default_is_constant("B'01'x"));

	/* a NULL statement: the message alone; a short why is cut, not overrun */
	plan_table *from = table(T(ID), KEY0), *to = table(T(ID, { "n", "int", "int(11)", false, NULL, -1 }), KEY0);
	buf sql = BUF_INIT;
	char why[200], tiny[8];
	ck_assert(!ddl_diff(from, to, NULL, 0, &sql, why, sizeof(why)));
	ck_assert_str_eq(why, "new column \"n\" is NOT NULL without a default (MariaDB fills existing rows with "
					 "implicit values the stream cannot know)");
	ck_assert(!ddl_diff(from, to, "S", 0, &sql, tiny, sizeof(tiny)));
	ck_assert_str_eq(tiny, "new col");
	/* appended after what alter_sql held */
	buf_puts(&sql, "SELECT 1");
	ck_assert(ddl_diff(to, from, "S", 0, &sql, why, sizeof(why)));
	ck_assert_str_eq(sql.data, "SELECT 1; ALTER TABLE \"d\".\"t\" DROP COLUMN \"n\"");
	buf_free(&sql);
	table_free(from);
	table_free(to);
}
END_TEST

/* ---- a table map against the schema the stream holds ---- */

START_TEST(test_map_check)
{
	plan_table *pt = table(T(ID, NAME), KEY0);
	binlog_column cols[2] = {
		{ .type = 3, .name = "Id", .has_signedness = true, .is_pk = true, .decimals = -1 },
		{ .type = 15, .meta = 80, .name = "name", .charset = 45, .decimals = -1 },
	};
	binlog_table bt = { .db = "d", .name = "t", .ncols = 2, .cols = cols };
	char why[512] = "";

	pt->cols[1].collation_id = 45;
	pt->pk_sql = (char *) "pk";
	ck_assert_msg(tables_map_check(&bt, pt, why, sizeof(why)), "%s", why);
	cols[1].name = "nm";
	ck_assert(!tables_map_check(&bt, pt, why, sizeof(why)));
	ck_assert_str_eq(why, "column 2 is \"nm\" in the binary log, \"name\" in the schema the stream holds");
	cols[1].name = "name";
	cols[0].is_unsigned = true;
	ck_assert(!tables_map_check(&bt, pt, why, sizeof(why)));
	ck_assert_str_eq(why, "column \"Id\" is unsigned in the binary log, int(11) in the schema the stream holds");
	cols[0].is_unsigned = false;
	/* the binlog marks YEAR unsigned; information_schema never says so */
	plan_table *py = table(T({ "y", "year", "year(4)", true, NULL, -1 }), ((const int[]) { -1 }));
	binlog_column ycol = { .type = 13, .name = "y", .has_signedness = true, .is_unsigned = true, .decimals = -1 };
	binlog_table ybt = { .db = "d", .name = "t", .ncols = 1, .cols = &ycol };
	ck_assert_msg(tables_map_check(&ybt, py, why, sizeof(why)), "%s", why);
	table_free(py);
	cols[1].charset = 8;
	ck_assert(!tables_map_check(&bt, pt, why, sizeof(why)));
	ck_assert_str_eq(why, "column \"name\" has collation 8 in the binary log, 45 in the schema the stream holds");
	cols[1].charset = 0;    /* not logged: not compared */
	ck_assert(tables_map_check(&bt, pt, why, sizeof(why)));
	cols[1].is_pk = true;
	ck_assert(!tables_map_check(&bt, pt, why, sizeof(why)));
	ck_assert_str_eq(why, "column \"name\" is in the primary key in the binary log, not in the schema the stream holds");
	cols[1].is_pk = false;
	cols[0].type = 8;       /* BIGINT where the schema has INT */
	ck_assert(!tables_map_check(&bt, pt, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "column \"Id\" has type code 8"));
	bt.ncols = 1;
	ck_assert(!tables_map_check(&bt, pt, why, sizeof(why)));
	ck_assert_str_eq(why, "the binary log has 1 columns, the schema the stream holds 2");
	pt->pk_sql = NULL;
	table_free(pt);
}
END_TEST

Suite *
ddl_suite(void)
{
	Suite	   *s = suite_create("ddl");
	TCase	   *lex = tcase_create("lexer");
	TCase	   *cls = tcase_create("classify");
	TCase	   *diff = tcase_create("diff");

	tcase_add_test(lex, test_lex_empty);
	tcase_add_test(lex, test_lex_comments);
	tcase_add_test(lex, test_lex_executable_comments);
	tcase_add_test(lex, test_lex_unterminated);
	tcase_add_test(lex, test_lex_quoted_names);
	tcase_add_test(lex, test_lex_strings);
	tcase_add_test(lex, test_lex_numbers_and_words);
	tcase_add_test(lex, test_lex_peek_and_keywords);
	tcase_add_test(lex, test_names);
	suite_add_tcase(s, lex);
	tcase_add_test(cls, test_classify_boundaries);
	tcase_add_test(cls, test_classify_truncate_and_dml);
	tcase_add_test(cls, test_classify_alter);
	tcase_add_test(cls, test_classify_drop);
	tcase_add_test(cls, test_classify_rename);
	tcase_add_test(cls, test_classify_create);
	tcase_add_test(cls, test_classify_other_and_refused);
	suite_add_tcase(s, cls);
	tcase_add_test(diff, test_diff_nothing);
	tcase_add_test(diff, test_diff_drop_and_add);
	tcase_add_test(diff, test_diff_rename);
	tcase_add_test(diff, test_diff_retype_carried);
	tcase_add_test(diff, test_diff_nullability);
	tcase_add_test(diff, test_diff_refusals);
	tcase_add_test(diff, test_diff_helpers);
	tcase_add_test(diff, test_map_check);
	suite_add_tcase(s, diff);
	return s;
}
