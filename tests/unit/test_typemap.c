/*
 * Unit tests for the type map's column side: how a column described as
 * information_schema would describe it resolves (kind and PostgreSQL type,
 * with and without an allowlist override), and how its COLUMN_DEFAULT
 * translates. The encoding of values has its own suite.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/typemap.h"
#include "tests/unit/test_typemap.h"

#define OVERRIDE_TEST_LEN 100	/* an override must be shorter */

/* source: a column of the given types with every number NULL (-1) */
typemap_source
source(const char *data_type, const char *column_type)
{
	typemap_source src = {
		.name = "col_x",
		.data_type = data_type,
		.column_type = column_type,
		.char_max_len = -1,
		.num_precision = -1,
		.num_scale = -1,
		.dt_precision = -1,
	};

	return src;
}

/* resolve: resolves src, which must succeed */
typemap_column
resolve(const typemap_source *src)
{
	typemap_column col;
	char		err[256] = "";
	bool		ok = typemap_resolve(src, &col, err, sizeof(err));

	ck_assert_msg(ok, "resolve %s (%s) failed: %s", src->data_type,
				  src->column_type, err);
	return col;
}

/* column_of: a resolved column for a data type (numbers NULL) */
typemap_column
column_of(const char *data_type, const char *column_type)
{
	typemap_source src = source(data_type, column_type);

	return resolve(&src);
}

/* column_with_override: a resolved column with an override */
typemap_column
column_with_override(const char *data_type, const char *column_type,
					 const char *override)
{
	typemap_source src = source(data_type, column_type);

	src.override = override;
	return resolve(&src);
}


/* map_is: data_type/column_type must map to kind and pg_type */
static void
map_is(const char *data_type, const char *column_type, typemap_kind kind,
	   const char *pg_type)
{
	typemap_source src = source(data_type, column_type);
	typemap_column col = resolve(&src);

	ck_assert_msg(col.kind == kind, "%s: kind %d, want %d", column_type,
				  (int) col.kind, (int) kind);
	ck_assert_str_eq(col.pg_type, pg_type);
	ck_assert(!col.select_wkb);
}

/* resolve_fails: resolving must fail, naming the column and the given words */
static void
resolve_fails(const typemap_source *src, const char *word1, const char *word2)
{
	typemap_column col;
	char		err[256] = "";

	ck_assert(!typemap_resolve(src, &col, err, sizeof(err)));
	ck_assert_msg(strstr(err, "col_x") != NULL, "error lacks column: %s", err);
	if (word1)
		ck_assert_msg(strstr(err, word1) != NULL, "error lacks %s: %s", word1, err);
	if (word2)
		ck_assert_msg(strstr(err, word2) != NULL, "error lacks %s: %s", word2, err);
}


/* dflt_is: the default must translate to exactly want */
static void
dflt_is(const typemap_column *col, const char *def, const char *want)
{
	buf			out = BUF_INIT;
	bool		unsupported = true;

	ck_assert_msg(typemap_default(col, def, &out, &unsupported),
				  "default %s not translated", def);
	ck_assert_str_eq(buf_cstr(&out), want);
	ck_assert(!unsupported);
	buf_free(&out);
}

/* dflt_none: no default, and nothing appended; unsupported as given */
static void
dflt_none(const typemap_column *col, const char *def, bool want_unsupported)
{
	buf			out = BUF_INIT;
	bool		unsupported = !want_unsupported;

	buf_puts(&out, "DEFAULT ");
	ck_assert_msg(!typemap_default(col, def, &out, &unsupported),
				  "default %s should not translate (got %s)", def ? def : "NULL",
				  out.data);
	ck_assert_str_eq(out.data, "DEFAULT ");
	ck_assert_uint_eq(out.len, 8);
	ck_assert(unsupported == want_unsupported);
	buf_free(&out);
}


/* ---------------------------------------------------------------------
 * Resolving
 * --------------------------------------------------------------------- */

START_TEST(test_resolve_integers)
{
	map_is("tinyint", "tinyint(4)", TYPEMAP_INT, "smallint");
	map_is("tinyint", "tinyint(3) unsigned", TYPEMAP_INT, "smallint");
	map_is("smallint", "smallint(6)", TYPEMAP_INT, "smallint");
	map_is("smallint", "smallint(5) unsigned", TYPEMAP_INT, "integer");
	map_is("mediumint", "mediumint(9)", TYPEMAP_INT, "integer");
	map_is("mediumint", "mediumint(8) unsigned", TYPEMAP_INT, "integer");
	map_is("int", "int(11)", TYPEMAP_INT, "integer");
	map_is("int", "int(10) unsigned", TYPEMAP_INT, "bigint");
	map_is("int", "int(10) unsigned zerofill", TYPEMAP_INT, "bigint");
	map_is("bigint", "bigint(20)", TYPEMAP_INT, "bigint");
	map_is("bigint", "bigint(20) unsigned", TYPEMAP_INT, "numeric(20)");
	map_is("year", "year(4)", TYPEMAP_YEAR, "smallint");
}
END_TEST

START_TEST(test_resolve_tinyint1_stays_smallint)
{
	typemap_column col = column_of("tinyint", "tinyint(1)");

	ck_assert_int_eq(col.kind, TYPEMAP_INT);
	ck_assert_str_eq(col.pg_type, "smallint");
}
END_TEST

START_TEST(test_resolve_boolean_override)
{
	typemap_column col = column_with_override("tinyint", "tinyint(1)", "boolean");

	ck_assert_int_eq(col.kind, TYPEMAP_BOOL_INT);
	ck_assert_str_eq(col.pg_type, "boolean");

	col = column_with_override("int", "int(10) unsigned", "boolean");
	ck_assert_int_eq(col.kind, TYPEMAP_BOOL_INT);
	ck_assert_str_eq(col.pg_type, "boolean");

	col = column_with_override("bigint", "bigint(20) unsigned", "BOOLEAN");
	ck_assert_int_eq(col.kind, TYPEMAP_BOOL_INT);
	ck_assert_str_eq(col.pg_type, "boolean");

	/* BIT(1) is boolean already; the override changes nothing */
	typemap_source src = source("bit", "bit(1)");

	src.num_precision = 1;
	src.override = "boolean";
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_BOOL_BIT);
	ck_assert_str_eq(col.pg_type, "boolean");
	ck_assert_uint_eq(col.bits, 1);
}
END_TEST

START_TEST(test_resolve_boolean_override_rejected)
{
	typemap_source src = source("varchar", "varchar(10)");

	src.char_max_len = 10;
	src.override = "boolean";
	resolve_fails(&src, "varchar(10)", "boolean");

	src = source("bit", "bit(8)");
	src.num_precision = 8;
	src.override = "boolean";
	resolve_fails(&src, "bit(8)", "boolean");

	src = source("decimal", "decimal(1,0)");
	src.override = "boolean";
	resolve_fails(&src, "decimal(1,0)", "boolean");

	src = source("date", "date");
	src.override = "boolean";
	resolve_fails(&src, "date", "boolean");
}
END_TEST

START_TEST(test_resolve_numbers)
{
	typemap_source src = source("decimal", "decimal(10,2)");
	typemap_column col;

	src.num_precision = 10;
	src.num_scale = 2;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_DECIMAL);
	ck_assert_str_eq(col.pg_type, "numeric(10,2)");

	src = source("decimal", "decimal(65,30) unsigned");
	src.num_precision = 65;
	src.num_scale = 30;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_DECIMAL);
	ck_assert_str_eq(col.pg_type, "numeric(65,30)");

	/* without the numbers, COLUMN_TYPE says them */
	map_is("decimal", "decimal(7,3)", TYPEMAP_DECIMAL, "numeric(7,3)");
	map_is("decimal", "decimal(5,0)", TYPEMAP_DECIMAL, "numeric(5,0)");
	map_is("float", "float", TYPEMAP_FLOAT, "real");
	map_is("float", "float unsigned", TYPEMAP_FLOAT, "real");
	map_is("double", "double", TYPEMAP_DOUBLE, "double precision");
	map_is("double", "double(10,2)", TYPEMAP_DOUBLE, "double precision");
}
END_TEST

START_TEST(test_resolve_bit)
{
	typemap_source src = source("bit", "bit(1)");
	typemap_column col;

	src.num_precision = 1;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_BOOL_BIT);
	ck_assert_str_eq(col.pg_type, "boolean");
	ck_assert_uint_eq(col.bits, 1);

	src = source("bit", "bit(10)");
	src.num_precision = 10;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_BIT);
	ck_assert_str_eq(col.pg_type, "bit(10)");
	ck_assert_uint_eq(col.bits, 10);

	col = column_of("bit", "bit(64)");
	ck_assert_int_eq(col.kind, TYPEMAP_BIT);
	ck_assert_str_eq(col.pg_type, "bit(64)");
	ck_assert_uint_eq(col.bits, 64);
}
END_TEST

START_TEST(test_resolve_strings)
{
	typemap_source src = source("char", "char(10)");
	typemap_column col;

	src.char_max_len = 10;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_TEXT);
	ck_assert_str_eq(col.pg_type, "character(10)");

	src = source("varchar", "varchar(255)");
	src.char_max_len = 255;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_TEXT);
	ck_assert_str_eq(col.pg_type, "character varying(255)");

	map_is("varchar", "varchar(64)", TYPEMAP_TEXT, "character varying(64)");
	map_is("char", "char(0)", TYPEMAP_TEXT, "text");
	map_is("tinytext", "tinytext", TYPEMAP_TEXT, "text");
	map_is("text", "text", TYPEMAP_TEXT, "text");
	map_is("mediumtext", "mediumtext", TYPEMAP_TEXT, "text");
	map_is("longtext", "longtext", TYPEMAP_TEXT, "text");
	map_is("enum", "enum('a','b','it''s')", TYPEMAP_TEXT, "text");
	map_is("set", "set('x','y')", TYPEMAP_TEXT, "text");
}
END_TEST

START_TEST(test_resolve_json)
{
	typemap_source src = source("longtext", "longtext");

	src.is_json = true;
	typemap_column col = resolve(&src);

	ck_assert_int_eq(col.kind, TYPEMAP_JSON);
	ck_assert_str_eq(col.pg_type, "jsonb");
	map_is("json", "json", TYPEMAP_JSON, "jsonb");
	map_is("longtext", "longtext", TYPEMAP_TEXT, "text");
}
END_TEST

START_TEST(test_resolve_binary)
{
	map_is("binary", "binary(16)", TYPEMAP_BYTEA, "bytea");
	map_is("varbinary", "varbinary(255)", TYPEMAP_BYTEA, "bytea");
	map_is("tinyblob", "tinyblob", TYPEMAP_BYTEA, "bytea");
	map_is("blob", "blob", TYPEMAP_BYTEA, "bytea");
	map_is("mediumblob", "mediumblob", TYPEMAP_BYTEA, "bytea");
	map_is("longblob", "longblob", TYPEMAP_BYTEA, "bytea");
}
END_TEST

START_TEST(test_resolve_temporal)
{
	typemap_source src = source("datetime", "datetime(6)");
	typemap_column col;

	map_is("date", "date", TYPEMAP_DATE, "date");
	map_is("datetime", "datetime", TYPEMAP_DATETIME, "timestamp(0) without time zone");
	src.dt_precision = 6;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_DATETIME);
	ck_assert_str_eq(col.pg_type, "timestamp(6) without time zone");

	src = source("timestamp", "timestamp(3)");
	src.dt_precision = 3;
	col = resolve(&src);
	ck_assert_int_eq(col.kind, TYPEMAP_TIMESTAMP);
	ck_assert_str_eq(col.pg_type, "timestamp(3) with time zone");

	src = source("timestamp", "timestamp");
	src.dt_precision = 0;
	col = resolve(&src);
	ck_assert_str_eq(col.pg_type, "timestamp(0) with time zone");

	map_is("time", "time", TYPEMAP_TIME, "interval");
	map_is("time", "time(6)", TYPEMAP_TIME, "interval");
}
END_TEST

START_TEST(test_resolve_inet_uuid)
{
	map_is("inet4", "inet4", TYPEMAP_INET, "inet");
	map_is("inet6", "inet6", TYPEMAP_INET, "inet");
	map_is("uuid", "uuid", TYPEMAP_UUID, "uuid");
}
END_TEST

START_TEST(test_resolve_geometry)
{
	static const char *const names[] = {
		"geometry", "point", "linestring", "polygon", "multipoint",
		"multilinestring", "multipolygon", "geometrycollection"
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		typemap_source src = source(names[i], names[i]);
		typemap_column col = resolve(&src);

		ck_assert_int_eq(col.kind, TYPEMAP_GEOMETRY);
		ck_assert_str_eq(col.pg_type, "bytea");
		ck_assert(col.select_wkb);
		ck_assert(!col.postgis);

		src.postgis = true;
		col = resolve(&src);
		ck_assert_int_eq(col.kind, TYPEMAP_GEOMETRY);
		ck_assert_str_eq(col.pg_type, "geometry");
		ck_assert(col.select_wkb);
		ck_assert(col.postgis);
	}
}
END_TEST

START_TEST(test_resolve_unknown_type)
{
	typemap_source src = source("vector", "vector(3)");

	resolve_fails(&src, "vector", NULL);

	/* an override rescues it: PostgreSQL parses the text */
	typemap_column col = column_with_override("vector", "vector(3)", "text");

	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "text");
	ck_assert(!col.select_wkb);

	/* but it cannot become boolean */
	src.override = "boolean";
	resolve_fails(&src, "vector", "boolean");
}
END_TEST

START_TEST(test_resolve_override_passthrough)
{
	typemap_column col = column_with_override("varchar", "varchar(36)", "uuid");

	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "uuid");

	col = column_with_override("int", "int(11)", "bigint");
	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "bigint");

	col = column_with_override("text", "text", "character varying(10)");
	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "character varying(10)");

	col = column_with_override("double", "double", "numeric(10,2)");
	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "numeric(10,2)");

	col = column_with_override("longtext", "longtext", "TEXT");
	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "text");

	col = column_with_override("time", "time", "time without time zone");
	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "time without time zone");

	col = column_with_override("date", "date", "text");
	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_str_eq(col.pg_type, "text");
}
END_TEST

START_TEST(test_resolve_override_keeps_value_handling)
{
	/* jsonb needs the \u0000 rule: a text column forced to jsonb gets it */
	typemap_column col = column_with_override("longtext", "longtext", "jsonb");

	ck_assert_int_eq(col.kind, TYPEMAP_JSON);
	ck_assert_str_eq(col.pg_type, "jsonb");

	/* bytea keeps every byte as hex, whatever the source */
	col = column_with_override("varchar", "varchar(10)", "bytea");
	ck_assert_int_eq(col.kind, TYPEMAP_BYTEA);
	ck_assert_str_eq(col.pg_type, "bytea");

	/* temporal targets keep the zero-date rule and the UTC offset */
	col = column_with_override("timestamp", "timestamp", "timestamp without time zone");
	ck_assert_int_eq(col.kind, TYPEMAP_TIMESTAMP);
	ck_assert_str_eq(col.pg_type, "timestamp without time zone");
	col = column_with_override("datetime", "datetime", "date");
	ck_assert_int_eq(col.kind, TYPEMAP_DATETIME);
	ck_assert_str_eq(col.pg_type, "date");

	/* BIT values are raw bytes: bit types and bytea only */
	col = column_with_override("bit", "bit(10)", "bit varying(16)");
	ck_assert_int_eq(col.kind, TYPEMAP_BIT);
	ck_assert_uint_eq(col.bits, 10);
	ck_assert_str_eq(col.pg_type, "bit varying(16)");
	col = column_with_override("bit", "bit(1)", "bit(1)");
	ck_assert_int_eq(col.kind, TYPEMAP_BIT);
	ck_assert_uint_eq(col.bits, 1);

	/* geometry values are WKB: geometry or bytea only */
	col = column_with_override("point", "point", "bytea");
	ck_assert_int_eq(col.kind, TYPEMAP_GEOMETRY);
	ck_assert(col.select_wkb);
	ck_assert(!col.postgis);
	col = column_with_override("polygon", "polygon", "geometry(polygon,4326)");
	ck_assert_int_eq(col.kind, TYPEMAP_GEOMETRY);
	ck_assert(col.select_wkb);
	ck_assert(col.postgis);
	ck_assert_str_eq(col.pg_type, "geometry(polygon,4326)");
}
END_TEST

START_TEST(test_resolve_override_rejected)
{
	static const char *const bad[] = {
		"", "text; drop table x", "text, x integer", "int)", "(int",
		"numeric(10", "t\xC3\xABxt", "text--", "\"text\"", "text'", " text",
		"1text", "int[]", "text\n",
	};
	typemap_source src = source("varchar", "varchar(10)");
	char		longname[OVERRIDE_TEST_LEN + 1];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		src.override = bad[i];
		resolve_fails(&src, "override", NULL);
	}
	memset(longname, 'a', OVERRIDE_TEST_LEN);
	longname[OVERRIDE_TEST_LEN] = '\0';
	src.override = longname;
	resolve_fails(&src, "override", NULL);
	longname[OVERRIDE_TEST_LEN - 1] = '\0';
	src.override = longname;
	typemap_column col = resolve(&src);

	ck_assert_int_eq(col.kind, TYPEMAP_PASSTHROUGH);
	ck_assert_uint_eq(strlen(col.pg_type), OVERRIDE_TEST_LEN - 1);

	/* raw-byte sources cannot pass through as text */
	src = source("bit", "bit(10)");
	src.override = "integer";
	resolve_fails(&src, "bit(10)", "integer");
	src = source("point", "point");
	src.override = "text";
	resolve_fails(&src, "point", "text");
}
END_TEST


/* ---------------------------------------------------------------------
 * Defaults
 * --------------------------------------------------------------------- */

START_TEST(test_default_none)
{
	typemap_column col = column_of("int", "int(11)");

	dflt_none(&col, NULL, false);
	dflt_none(&col, "NULL", false);
	col = column_of("varchar", "varchar(10)");
	dflt_none(&col, NULL, false);
	dflt_none(&col, "NULL", false);
	col = column_of("blob", "blob");
	dflt_none(&col, "NULL", false);
}
END_TEST

START_TEST(test_default_strings)
{
	typemap_column col = column_of("varchar", "varchar(20)");

	dflt_is(&col, "'abc'", "'abc'");
	dflt_is(&col, "''", "''");
	dflt_is(&col, "'it''s'", "'it''s'");
	dflt_is(&col, "'it\\'s'", "'it''s'");
	dflt_is(&col, "'a\\\\b'", "'a\\b'");
	dflt_is(&col, "'a\\nb'", "'a\nb'");
	dflt_is(&col, "'NULL'", "'NULL'");
	dflt_is(&col, "'5'", "'5'");
	dflt_is(&col, "'caf\xc3\xa9'", "'caf\xc3\xa9'");
	/* a bare number on a string column */
	dflt_is(&col, "0", "'0'");
	col = column_of("enum", "enum('a','b')");
	dflt_is(&col, "'b'", "'b'");
	col = column_of("json", "json");
	dflt_is(&col, "'{}'", "'{}'");
	col = column_of("uuid", "uuid");
	dflt_is(&col, "'00000000-0000-0000-0000-000000000000'",
			"'00000000-0000-0000-0000-000000000000'");
}
END_TEST

START_TEST(test_default_numbers)
{
	typemap_column col = column_of("int", "int(11)");

	dflt_is(&col, "0", "0");
	dflt_is(&col, "-1", "-1");
	dflt_is(&col, "'5'", "5");
	dflt_is(&col, "18446744073709551615", "18446744073709551615");
	col = column_of("decimal", "decimal(5,2)");
	dflt_is(&col, "1.50", "1.50");
	dflt_is(&col, "-0.01", "-0.01");
	col = column_of("double", "double");
	dflt_is(&col, "1.5e10", "1.5e10");
	col = column_of("year", "year(4)");
	dflt_is(&col, "2000", "2000");
	col = column_of("tinyint", "tinyint(1)");
	dflt_is(&col, "1", "1");
}
END_TEST

START_TEST(test_default_booleans)
{
	typemap_column col = column_with_override("tinyint", "tinyint(1)", "boolean");

	dflt_is(&col, "0", "false");
	dflt_is(&col, "1", "true");
	dflt_is(&col, "'0'", "false");
	dflt_is(&col, "-1", "true");
	dflt_none(&col, "b'1'", true);
	col = column_of("bit", "bit(1)");
	dflt_is(&col, "b'1'", "true");
	dflt_is(&col, "b'0'", "false");
	dflt_is(&col, "1", "true");
	dflt_is(&col, "0", "false");
	dflt_none(&col, "b'10'", true);
	dflt_none(&col, "b'2'", true);
}
END_TEST

START_TEST(test_default_bits)
{
	typemap_column col = column_of("bit", "bit(4)");

	dflt_is(&col, "b'0101'", "B'0101'");
	dflt_is(&col, "b'101'", "B'0101'");
	dflt_is(&col, "b'0'", "B'0000'");
	dflt_is(&col, "5", "B'0101'");
	dflt_none(&col, "b'11111'", true);
	dflt_none(&col, "16", true);
	col = column_of("bit", "bit(10)");
	dflt_is(&col, "b'1000000001'", "B'1000000001'");
	dflt_is(&col, "b'11'", "B'0000000011'");
}
END_TEST

START_TEST(test_default_dates)
{
	typemap_column col = column_of("date", "date");

	dflt_is(&col, "'0000-00-00'", "'-infinity'");
	dflt_is(&col, "'2023-00-15'", "'-infinity'");
	dflt_is(&col, "'2020-02-29'", "'2020-02-29'");
	dflt_is(&col, "curdate()", "CURRENT_DATE");
	dflt_is(&col, "current_timestamp()", "CURRENT_DATE");
	col = column_of("datetime", "datetime");
	dflt_is(&col, "'0000-00-00 00:00:00'", "'-infinity'");
	dflt_is(&col, "'2020-01-01 10:00:00'", "'2020-01-01 10:00:00'");
	dflt_is(&col, "'2020-01-01'", "'2020-01-01'");
	dflt_is(&col, "current_timestamp()", "CURRENT_TIMESTAMP");
	dflt_is(&col, "now()", "CURRENT_TIMESTAMP");
	dflt_is(&col, "curdate()", "CURRENT_DATE");
	col = column_of("timestamp", "timestamp(3)");
	dflt_is(&col, "current_timestamp(3)", "CURRENT_TIMESTAMP(3)");
	dflt_is(&col, "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP");
	dflt_is(&col, "current_timestamp(0)", "CURRENT_TIMESTAMP(0)");
	dflt_is(&col, "'0000-00-00 00:00:00.000'", "'-infinity'");
	dflt_is(&col, "'2020-01-01 00:00:00.000'", "'2020-01-01 00:00:00.000+00'");
	dflt_none(&col, "current_timestamp(7)", true);
	dflt_none(&col, "'yesterday'", true);
	col = column_of("time", "time");
	dflt_is(&col, "'12:00:00'", "'12:00:00'");
	dflt_is(&col, "'-838:59:59'", "'-838:59:59'");
}
END_TEST

START_TEST(test_default_unsupported)
{
	typemap_column col = column_of("char", "char(36)");

	dflt_none(&col, "uuid()", true);
	dflt_none(&col, "current_timestamp()", true);
	dflt_none(&col, "'a' + 'b'", true);
	dflt_none(&col, "'abc", true);
	dflt_none(&col, "'a\\0b'", true);
	col = column_of("int", "int(11)");
	dflt_none(&col, "(1 + 2)", true);
	dflt_none(&col, "'x'", true);
	dflt_none(&col, "nextval(`s`)", true);
	col = column_of("blob", "blob");
	dflt_none(&col, "'x'", true);
	col = column_of("varbinary", "varbinary(4)");
	dflt_none(&col, "'\\0\\0'", true);
	col = column_of("point", "point");
	dflt_none(&col, "point(0,0)", true);
}
END_TEST

START_TEST(test_default_appends)
{
	typemap_column col = column_of("varchar", "varchar(20)");
	buf			out = BUF_INIT;
	bool		unsupported = true;

	buf_puts(&out, "x DEFAULT ");
	ck_assert(typemap_default(&col, "'v'", &out, &unsupported));
	ck_assert_str_eq(out.data, "x DEFAULT 'v'");
	ck_assert(!unsupported);
	buf_free(&out);
}
END_TEST

START_TEST(test_fix_names)
{
	ck_assert_str_eq(typemap_fix_name(TYPEMAP_FIX_ZERO_DATE), "zero_date");
	ck_assert_str_eq(typemap_fix_name(TYPEMAP_FIX_NUL), "nul_char");
	ck_assert_str_eq(typemap_fix_name(TYPEMAP_FIX_BAD_UTF8), "invalid_utf8");
}
END_TEST


Suite *
typemap_suite(void)
{
	Suite	   *s = suite_create("typemap");
	TCase	   *tr = tcase_create("resolve");
	TCase	   *td = tcase_create("default");

	tcase_add_test(tr, test_resolve_integers);
	tcase_add_test(tr, test_resolve_tinyint1_stays_smallint);
	tcase_add_test(tr, test_resolve_boolean_override);
	tcase_add_test(tr, test_resolve_boolean_override_rejected);
	tcase_add_test(tr, test_resolve_numbers);
	tcase_add_test(tr, test_resolve_bit);
	tcase_add_test(tr, test_resolve_strings);
	tcase_add_test(tr, test_resolve_json);
	tcase_add_test(tr, test_resolve_binary);
	tcase_add_test(tr, test_resolve_temporal);
	tcase_add_test(tr, test_resolve_inet_uuid);
	tcase_add_test(tr, test_resolve_geometry);
	tcase_add_test(tr, test_resolve_unknown_type);
	tcase_add_test(tr, test_resolve_override_passthrough);
	tcase_add_test(tr, test_resolve_override_keeps_value_handling);
	tcase_add_test(tr, test_resolve_override_rejected);
	suite_add_tcase(s, tr);


	tcase_add_test(td, test_default_none);
	tcase_add_test(td, test_default_strings);
	tcase_add_test(td, test_default_numbers);
	tcase_add_test(td, test_default_booleans);
	tcase_add_test(td, test_default_bits);
	tcase_add_test(td, test_default_dates);
	tcase_add_test(td, test_default_unsupported);
	tcase_add_test(td, test_default_appends);
	tcase_add_test(td, test_fix_names);
	suite_add_tcase(s, td);
	return s;
}
