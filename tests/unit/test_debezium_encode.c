/*
 * Unit tests for the Debezium codec's encoding half (dbz_value, dbz_key,
 * dbz_topic). Every event is compared as a whole, dumped with sorted keys,
 * against the JSON Debezium's MySQL connector writes for the same row (see
 * dbz_encode.h for the representations and their sources).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_debezium.h"

#define SOURCE_JSON(snap) \
	"\"source\":{\"connector\":\"mysql\",\"db\":\"shop\",\"file\":\"mariadb-bin.000002\"," \
	"\"gtid\":\"0-7-42\",\"name\":\"srv\",\"pos\":1234,\"query\":null,\"row\":1," \
	"\"sequence\":null,\"server_id\":7,\"snapshot\":\"" snap "\",\"table\":\"customers\"," \
	"\"thread\":null,\"ts_ms\":1706704496000,\"version\":\"" DBZ_VERSION "\"}"

/* value_fails: dbz_value that must fail with a message containing want */
static void
value_fails(const plan_table *pt, const binlog_value *after, const char *want)
{
	char		err[512] = "";
	dbz_source	src = src_of("t");
	json_t	   *j = dbz_value(pt, DBZ_CREATE, NULL, after, &src, &PLAIN, NOW, err, sizeof(err));

	ck_assert_msg(j == NULL, "dbz_value succeeded, expected: %s", want);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
}

/* after_of: the "after" object of an insert's envelope; a new reference */
static json_t *
after_of(const plan_table *pt, const binlog_value *after)
{
	dbz_source	src = src_of("t");
	json_t	   *j = value_ok(pt, DBZ_CREATE, NULL, after, &src, &PLAIN);
	json_t	   *a = json_incref(json_object_get(j, "after"));

	json_decref(j);
	return a;
}

/* one_value: the JSON of a single column's value in a one-column table */
static char *
one_value(const tcol *col, binlog_value v)
{
	plan_table *pt = table_new("t", col, 1, NULL, 0);
	json_t	   *a = after_of(pt, &v);
	json_t	   *x = json_incref(json_object_get(a, col->name));

	json_decref(a);
	table_free(pt);
	return dumped(x);
}

#define expect_value(col, v, want) do { \
	tcol c_ = col; \
	char *got_ = one_value(&c_, v); \
	ck_assert_str_eq(got_, want); \
	free(got_); \
} while (0)

START_TEST(insert_envelope)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	binlog_value after[] = { V("1"), V("Anne") };
	dbz_source	src = src_of("customers");
	char		err[256] = "";

	expect_json(value_ok(pt, DBZ_CREATE, NULL, after, &src, &PLAIN),
				"{\"after\":{\"id\":1,\"name\":\"Anne\"},\"before\":null,\"op\":\"c\","
				SOURCE_JSON("false") ",\"transaction\":null,\"ts_ms\":1706704497000}");
	expect_json(dbz_key(pt, after, &src, &PLAIN, err, sizeof(err)), "{\"id\":1}");
	table_free(pt);
}
END_TEST

START_TEST(update_envelope)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	binlog_value before[] = { V("1"), V("Anne") };
	binlog_value after[] = { V("1"), V("Anne Marie") };
	dbz_source	src = src_of("customers");

	expect_json(value_ok(pt, DBZ_UPDATE, before, after, &src, &PLAIN),
				"{\"after\":{\"id\":1,\"name\":\"Anne Marie\"},\"before\":{\"id\":1,\"name\":\"Anne\"},"
				"\"op\":\"u\"," SOURCE_JSON("false") ",\"transaction\":null,\"ts_ms\":1706704497000}");
	table_free(pt);
}
END_TEST

START_TEST(delete_envelope)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	binlog_value before[] = { V("1"), VNULL };
	dbz_source	src = src_of("customers");
	char		err[256] = "";

	expect_json(value_ok(pt, DBZ_DELETE, before, NULL, &src, &PLAIN),
				"{\"after\":null,\"before\":{\"id\":1,\"name\":null},\"op\":\"d\","
				SOURCE_JSON("false") ",\"transaction\":null,\"ts_ms\":1706704497000}");
	expect_json(dbz_key(pt, before, &src, &PLAIN, err, sizeof(err)), "{\"id\":1}");
	table_free(pt);
}
END_TEST

START_TEST(snapshot_read)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	binlog_value after[] = { V("2"), V("Bob") };
	dbz_source	src = src_of("customers");

	src.snapshot = true;
	expect_json(value_ok(pt, DBZ_READ, NULL, after, &src, &PLAIN),
				"{\"after\":{\"id\":2,\"name\":\"Bob\"},\"before\":null,\"op\":\"r\","
				SOURCE_JSON("true") ",\"transaction\":null,\"ts_ms\":1706704497000}");
	table_free(pt);
}
END_TEST

START_TEST(missing_image_fails)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	binlog_value after[] = { V("1"), { false, NULL, 0 } };
	dbz_source	src = src_of("customers");
	char		err[256] = "";

	ck_assert_ptr_null(dbz_value(pt, DBZ_UPDATE, NULL, after, &src, &PLAIN, NOW, err, sizeof(err)));
	ck_assert_str_eq(err, "table \"customers\": operation \"u\" needs the before image");
	ck_assert_ptr_null(dbz_value(pt, DBZ_CREATE, NULL, after, &src, &PLAIN, NOW, err, sizeof(err)));
	ck_assert_str_eq(err, "table \"customers\", column \"name\" (varchar(10)): not in the row "
					 "image (Debezium events need binlog_row_image=FULL)");
	table_free(pt);
}
END_TEST

START_TEST(flattened_insert_and_delete)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	binlog_value row[] = { V("1"), V("Anne") };
	dbz_source	src = src_of("customers");

	expect_json(value_ok(pt, DBZ_CREATE, NULL, row, &src, &FLAT),
				"{\"__db\":\"shop\",\"__deleted\":\"false\",\"__op\":\"c\",\"__table\":\"customers\","
				"\"__ts_ms\":1706704497000,\"id\":1,\"name\":\"Anne\"}");
	expect_json(value_ok(pt, DBZ_DELETE, row, NULL, &src, &FLAT),
				"{\"__db\":\"shop\",\"__deleted\":\"true\",\"__op\":\"d\",\"__table\":\"customers\","
				"\"__ts_ms\":1706704497000,\"id\":1,\"name\":\"Anne\"}");
	table_free(pt);
}
END_TEST

START_TEST(flattened_field_order)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	binlog_value row[] = { V("1"), V("Anne") };
	dbz_source	src = src_of("customers");
	json_t	   *j = value_ok(pt, DBZ_UPDATE, row, row, &src, &FLAT);
	char	   *s = json_dumps(j, JSON_COMPACT);

	/* the row's columns, then __deleted, then add.fields in their order */
	ck_assert_str_eq(s, "{\"id\":1,\"name\":\"Anne\",\"__deleted\":\"false\",\"__op\":\"u\","
					 "\"__db\":\"shop\",\"__table\":\"customers\",\"__ts_ms\":1706704497000}");
	free(s);
	json_decref(j);
	table_free(pt);
}
END_TEST

/* The table of every schema-bearing type. */
static const tcol all_cols[] = {
	COL("id", "int", "int(11)", false),
	{ "amount", "decimal", "decimal(18,4)", 18, 4, -1, true, false, NULL },
	{ "dt3", "datetime", "datetime(3)", -1, -1, 3, true, false, NULL },
	{ "dt6", "datetime", "datetime(6)", -1, -1, 6, true, false, NULL },
	{ "ts", "timestamp", "timestamp(3)", -1, -1, 3, false, false, NULL },
	COL("d", "date", "date", true),
	{ "tm", "time", "time(6)", -1, -1, 6, true, false, NULL },
	COL("flag", "bit", "bit(1)", true),
	COL("bits", "bit", "bit(10)", true),
	COL("data", "blob", "blob", true),
	COL("color", "enum", "enum('red','green')", true),
	{ "doc", "longtext", "longtext", -1, -1, -1, true, true, NULL },
};

/* the Value struct's schema after its opening brace (and "field", when it
 * is a field: keys are sorted) */
#define ALL_VALUE_SCHEMA(opt) \
	"\"fields\":[" \
	"{\"field\":\"id\",\"optional\":false,\"type\":\"int32\"}," \
	"{\"field\":\"amount\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"optional\":true," \
	"\"parameters\":{\"connect.decimal.precision\":\"18\",\"scale\":\"4\"},\"type\":\"bytes\",\"version\":1}," \
	"{\"field\":\"dt3\",\"name\":\"io.debezium.time.Timestamp\",\"optional\":true,\"type\":\"int64\",\"version\":1}," \
	"{\"field\":\"dt6\",\"name\":\"io.debezium.time.MicroTimestamp\",\"optional\":true,\"type\":\"int64\",\"version\":1}," \
	"{\"field\":\"ts\",\"name\":\"io.debezium.time.ZonedTimestamp\",\"optional\":false,\"type\":\"string\",\"version\":1}," \
	"{\"field\":\"d\",\"name\":\"io.debezium.time.Date\",\"optional\":true,\"type\":\"int32\",\"version\":1}," \
	"{\"field\":\"tm\",\"name\":\"io.debezium.time.MicroTime\",\"optional\":true,\"type\":\"int64\",\"version\":1}," \
	"{\"field\":\"flag\",\"optional\":true,\"type\":\"boolean\"}," \
	"{\"field\":\"bits\",\"name\":\"io.debezium.data.Bits\",\"optional\":true," \
	"\"parameters\":{\"length\":\"10\"},\"type\":\"bytes\",\"version\":1}," \
	"{\"field\":\"data\",\"optional\":true,\"type\":\"bytes\"}," \
	"{\"field\":\"color\",\"name\":\"io.debezium.data.Enum\",\"optional\":true," \
	"\"parameters\":{\"allowed\":\"red,green\"},\"type\":\"string\",\"version\":1}," \
	"{\"field\":\"doc\",\"name\":\"io.debezium.data.Json\",\"optional\":true,\"type\":\"string\",\"version\":1}" \
	"],\"name\":\"srv.shop.t_all.Value\",\"optional\":" opt ",\"type\":\"struct\"}"

#define ALL_PAYLOAD \
	"{\"amount\":\"7Sm8\",\"bits\":\"AQI=\",\"color\":\"green\",\"d\":19753,\"data\":\"AP8=\"," \
	"\"doc\":\"{\\\"a\\\": 1}\",\"dt3\":1706704496123,\"dt6\":1706704496123456,\"flag\":true," \
	"\"id\":1,\"tm\":-3723500000,\"ts\":\"2024-01-31T12:34:56.123Z\"}"

START_TEST(schemas_wrapper)
{
	static const int key[] = { 0 };
	plan_table *pt = table_new("t_all", all_cols, 12, key, 1);
	binlog_value row[] = {
		V("1"), V("-123.4500"), V("2024-01-31 12:34:56.123"), V("2024-01-31 12:34:56.123456"),
		V("2024-01-31 12:34:56.123"), V("2024-01-31"), V("-01:02:03.500000"), VB("\x01", 1),
		VB("\x02\x01", 2), VB("\x00\xff", 2), V("green"), V("{\"a\": 1}"),
	};
	dbz_source	src = src_of("t_all");
	char		err[256] = "";

	expect_json(dbz_key(pt, row, &src, &SCHEMAS, err, sizeof(err)),
				"{\"payload\":{\"id\":1},\"schema\":{\"fields\":[{\"field\":\"id\",\"optional\":false,"
				"\"type\":\"int32\"}],\"name\":\"srv.shop.t_all.Key\",\"optional\":false,\"type\":\"struct\"}}");
	expect_json(value_ok(pt, DBZ_CREATE, NULL, row, &src, &SCHEMAS),
				"{\"payload\":{\"after\":" ALL_PAYLOAD ",\"before\":null,\"op\":\"c\","
				"\"source\":{\"connector\":\"mysql\",\"db\":\"shop\",\"file\":\"mariadb-bin.000002\","
				"\"gtid\":\"0-7-42\",\"name\":\"srv\",\"pos\":1234,\"query\":null,\"row\":1,"
				"\"sequence\":null,\"server_id\":7,\"snapshot\":\"false\",\"table\":\"t_all\","
				"\"thread\":null,\"ts_ms\":1706704496000,\"version\":\"" DBZ_VERSION "\"},"
				"\"transaction\":null,\"ts_ms\":1706704497000},"
				"\"schema\":{\"fields\":["
				"{\"field\":\"before\"," ALL_VALUE_SCHEMA("true") ","
				"{\"field\":\"after\"," ALL_VALUE_SCHEMA("true") ","
				"{\"field\":\"source\",\"fields\":["
				"{\"field\":\"version\",\"optional\":false,\"type\":\"string\"},"
				"{\"field\":\"connector\",\"optional\":false,\"type\":\"string\"},"
				"{\"field\":\"name\",\"optional\":false,\"type\":\"string\"},"
				"{\"field\":\"ts_ms\",\"optional\":false,\"type\":\"int64\"},"
				"{\"default\":\"false\",\"field\":\"snapshot\",\"name\":\"io.debezium.data.Enum\","
				"\"optional\":true,\"parameters\":{\"allowed\":\"true,last,false,incremental\"},"
				"\"type\":\"string\",\"version\":1},"
				"{\"field\":\"db\",\"optional\":false,\"type\":\"string\"},"
				"{\"field\":\"sequence\",\"optional\":true,\"type\":\"string\"},"
				"{\"field\":\"table\",\"optional\":true,\"type\":\"string\"},"
				"{\"field\":\"server_id\",\"optional\":false,\"type\":\"int64\"},"
				"{\"field\":\"gtid\",\"optional\":true,\"type\":\"string\"},"
				"{\"field\":\"file\",\"optional\":false,\"type\":\"string\"},"
				"{\"field\":\"pos\",\"optional\":false,\"type\":\"int64\"},"
				"{\"field\":\"row\",\"optional\":false,\"type\":\"int32\"},"
				"{\"field\":\"thread\",\"optional\":true,\"type\":\"int64\"},"
				"{\"field\":\"query\",\"optional\":true,\"type\":\"string\"}],"
				"\"name\":\"io.debezium.connector.mysql.Source\",\"optional\":false,\"type\":\"struct\"},"
				"{\"field\":\"op\",\"optional\":false,\"type\":\"string\"},"
				"{\"field\":\"ts_ms\",\"optional\":true,\"type\":\"int64\"},"
				"{\"field\":\"transaction\",\"fields\":["
				"{\"field\":\"id\",\"optional\":false,\"type\":\"string\"},"
				"{\"field\":\"total_order\",\"optional\":false,\"type\":\"int64\"},"
				"{\"field\":\"data_collection_order\",\"optional\":false,\"type\":\"int64\"}],"
				"\"name\":\"event.block\",\"optional\":true,\"type\":\"struct\",\"version\":1}],"
				"\"name\":\"srv.shop.t_all.Envelope\",\"optional\":false,\"type\":\"struct\",\"version\":1}}");
	table_free(pt);
}
END_TEST

START_TEST(schemas_flattened)
{
	static const int key[] = { 0 };
	plan_table *pt = table_new("t_all", all_cols, 12, key, 1);
	binlog_value row[] = {
		V("1"), V("-123.4500"), V("2024-01-31 12:34:56.123"), V("2024-01-31 12:34:56.123456"),
		V("2024-01-31 12:34:56.123"), V("2024-01-31"), V("-01:02:03.500000"), VB("\x01", 1),
		VB("\x02\x01", 2), VB("\x00\xff", 2), V("green"), V("{\"a\": 1}"),
	};
	dbz_source	src = src_of("t_all");
	dbz_options o = { true, true, NULL };
	json_t	   *j = value_ok(pt, DBZ_CREATE, NULL, row, &src, &o);
	json_t	   *fields = json_object_get(json_object_get(j, "schema"), "fields");

	/* the columns' fields, then what the transform adds, all optional */
	ck_assert_uint_eq(json_array_size(fields), 12 + 5);
	expect_json(json_incref(json_array_get(fields, 12)),
				"{\"field\":\"__deleted\",\"optional\":true,\"type\":\"string\"}");
	expect_json(json_incref(json_array_get(fields, 16)),
				"{\"field\":\"__ts_ms\",\"optional\":true,\"type\":\"int64\"}");
	expect_json(json_incref(json_object_get(json_object_get(j, "schema"), "name")),
				"\"srv.shop.t_all.Value\"");
	expect_json(json_incref(json_object_get(json_object_get(j, "schema"), "optional")), "false");
	expect_json(json_incref(json_object_get(json_object_get(j, "payload"), "__op")), "\"c\"");
	json_decref(j);
	table_free(pt);
}
END_TEST

static const tcol dec18_4 = { "v", "decimal", "decimal(18,4)", 18, 4, -1, true, false, NULL };
static const tcol dec24_4 = { "v", "decimal", "decimal(24,4)", 24, 4, -1, true, false, NULL };
static const tcol dec65_0 = { "v", "decimal", "decimal(65,0)", 65, 0, -1, true, false, NULL };
static const tcol dec5_2 = { "v", "decimal", "decimal(5,2)", 5, 2, -1, true, false, NULL };
static const tcol dec5_0 = { "v", "decimal", "decimal(5,0)", 5, 0, -1, true, false, NULL };

START_TEST(decimal_edges)
{
	expect_value(dec18_4, V("0.0000"), "\"AA==\"");
	expect_value(dec5_2, V("-0.01"), "\"/w==\"");
	expect_value(dec5_2, V("-0.00"), "\"AA==\"");
	expect_value(dec24_4, V("99999999999999999999.9999"), "\"ANPCG87M7aD///8=\"");
	expect_value(dec65_0, V("99999999999999999999999999999999999999999999999999999999999999999"),
				 "\"APMWJxx/w5CKi+9GTjlF73olNgn//////////w==\"");
	expect_value(dec65_0, V("-99999999999999999999999999999999999999999999999999999999999999999"),
				 "\"/wzp2OOAPG91dBC5sca6EIXayfYAAAAAAAAAAQ==\"");
	expect_value(dec5_0, V("-128"), "\"gA==\"");
	expect_value(dec5_0, V("128"), "\"AIA=\"");
	expect_value(dec5_0, V("127"), "\"fw==\"");
	expect_value(dec5_0, V("-129"), "\"/38=\"");
	expect_value(dec5_0, V("-256"), "\"/wA=\"");
	expect_value(dec5_2, V("-1.28"), "\"gA==\"");
	expect_value(dec5_2, V("123.45"), "\"MDk=\"");
	expect_value(dec5_2, V("123.4"), "\"MDQ=\"");	/* 12340 = 0x3034 */
	expect_value(dec5_2, V("123.450"), "\"MDk=\"");	/* a zero beyond the scale */
}
END_TEST

START_TEST(decimal_rejects)
{
	plan_table *pt = table_new("t", &dec5_2, 1, NULL, 0);
	binlog_value v = V("1.234");

	value_fails(pt, &v, "table \"t\", column \"v\" (decimal(5,2)): value \"1.234\" is not a decimal of scale 2");
	v = V("1e5");
	value_fails(pt, &v, "is not a decimal");
	v = V("-");
	value_fails(pt, &v, "is not a decimal");
	table_free(pt);
}
END_TEST

static const tcol c_date = COL("v", "date", "date", true);
static const tcol c_date_nn = COL("v", "date", "date", false);
static const tcol c_dt0 = { "v", "datetime", "datetime", -1, -1, 0, true, false, NULL };
static const tcol c_dt0_nn = { "v", "datetime", "datetime", -1, -1, 0, false, false, NULL };
static const tcol c_dt3 = { "v", "datetime", "datetime(3)", -1, -1, 3, true, false, NULL };
static const tcol c_dt6 = { "v", "datetime", "datetime(6)", -1, -1, 6, true, false, NULL };
static const tcol c_ts0 = { "v", "timestamp", "timestamp", -1, -1, 0, true, false, NULL };
static const tcol c_ts6_nn = { "v", "timestamp", "timestamp(6)", -1, -1, 6, false, false, NULL };
static const tcol c_time = { "v", "time", "time", -1, -1, 0, true, false, NULL };
static const tcol c_time6 = { "v", "time", "time(6)", -1, -1, 6, true, false, NULL };

START_TEST(dates_before_1970)
{
	expect_value(c_date, V("1969-12-31"), "-1");
	expect_value(c_date, V("1900-01-01"), "-25567");
	expect_value(c_date, V("0001-01-01"), "-719162");
	expect_value(c_date, V("9999-12-31"), "2932896");
	expect_value(c_date, V("1970-01-01"), "0");
	expect_value(c_dt3, V("1969-12-31 23:59:59.500"), "-500");
	expect_value(c_dt6, V("1960-01-01 00:00:00.000001"), "-315619199999999");
	expect_value(c_dt0, V("1969-12-31 23:59:59"), "-1000");
	expect_value(c_ts0, V("1969-12-31 23:59:59"), "\"1969-12-31T23:59:59Z\"");
}
END_TEST

START_TEST(timestamps)
{
	expect_value(c_dt0, V("2018-06-20 06:37:03"), "1529476623000");	/* Debezium's doc example */
	expect_value(c_ts0, V("2018-06-20 13:37:03"), "\"2018-06-20T13:37:03Z\"");
	expect_value(c_ts6_nn, V("2024-01-31 12:34:56.000100"), "\"2024-01-31T12:34:56.000100Z\"");
	expect_value(c_ts6_nn, V("2024-01-31 12:34:56.000000"), "\"2024-01-31T12:34:56.000000Z\"");
}
END_TEST

START_TEST(time_values)
{
	expect_value(c_time, V("12:34:56"), "45296000000");
	expect_value(c_time, V("838:59:59"), "3020399000000");
	expect_value(c_time6, V("-838:59:59.000000"), "-3020399000000");
	expect_value(c_time6, V("-00:00:01.500000"), "-1500000");
	expect_value(c_time6, V("-00:30:00.000000"), "-1800000000");
	expect_value(c_time6, V("00:00:00.000001"), "1");
}
END_TEST

START_TEST(zero_dates)
{
	expect_value(c_date, V("0000-00-00"), "null");
	expect_value(c_date_nn, V("0000-00-00"), "0");
	expect_value(c_date_nn, V("2023-00-15"), "0");
	expect_value(c_date_nn, V("2023-02-29"), "0");	/* not a leap year */
	expect_value(c_date_nn, V("2024-02-29"), "19782");
	expect_value(c_dt0, V("0000-00-00 00:00:00"), "null");
	expect_value(c_dt0_nn, V("0000-00-00 00:00:00"), "0");
	expect_value(c_ts0, V("0000-00-00 00:00:00"), "null");
	expect_value(c_ts6_nn, V("0000-00-00 00:00:00.000000"), "\"1970-01-01T00:00:00Z\"");
}
END_TEST

START_TEST(null_values)
{
	tcol		cols[] = {
		COL("a", "int", "int(11)", true), COL("b", "decimal", "decimal(10,2)", true),
		COL("c", "date", "date", true), COL("d", "blob", "blob", true),
		COL("e", "bit", "bit(1)", true), COL("f", "point", "point", true),
	};
	plan_table *pt = table_new("t", cols, 6, NULL, 0);
	binlog_value row[] = { VNULL, VNULL, VNULL, VNULL, VNULL, VNULL };

	expect_json(after_of(pt, row),
				"{\"a\":null,\"b\":null,\"c\":null,\"d\":null,\"e\":null,\"f\":null}");
	table_free(pt);
}
END_TEST

START_TEST(integers)
{
	tcol		tiny = COL("v", "tinyint", "tinyint(4)", true);
	tcol		tiny1 = COL("v", "tinyint", "tinyint(1)", true);
	tcol		utiny = COL("v", "tinyint", "tinyint(3) unsigned", true);
	tcol		usmall = COL("v", "smallint", "smallint(5) unsigned", true);
	tcol		uint = COL("v", "int", "int(10) unsigned", true);
	tcol		big = COL("v", "bigint", "bigint(20)", true);
	tcol		ubig = COL("v", "bigint", "bigint(20) unsigned", true);
	tcol		year = COL("v", "year", "year(4)", true);
	tcol		asbool = { "v", "tinyint", "tinyint(1)", -1, -1, -1, true, false, "boolean" };

	expect_value(tiny, V("-128"), "-128");
	expect_value(tiny1, V("1"), "1");	/* int16, as Debezium without a converter */
	expect_value(utiny, V("255"), "255");
	expect_value(usmall, V("65535"), "65535");
	expect_value(uint, V("4294967295"), "4294967295");
	expect_value(big, V("-9223372036854775808"), "-9223372036854775808");
	expect_value(ubig, V("9223372036854775807"), "9223372036854775807");
	expect_value(ubig, V("9223372036854775808"), "-9223372036854775808");	/* long mode wraps */
	expect_value(ubig, V("18446744073709551615"), "-1");
	expect_value(year, V("2024"), "2024");
	expect_value(year, V("0000"), "0");
	expect_value(asbool, V("0"), "false");
	expect_value(asbool, V("2"), "true");
}
END_TEST

START_TEST(integer_rejects)
{
	tcol		small = COL("v", "smallint", "smallint(6)", true);
	plan_table *pt = table_new("t", &small, 1, NULL, 0);
	binlog_value v = V("40000");

	value_fails(pt, &v, "table \"t\", column \"v\" (smallint(6)): invalid value \"40000\"");
	v = V("12a");
	value_fails(pt, &v, "invalid value \"12a\"");
	table_free(pt);
}
END_TEST

START_TEST(floats)
{
	tcol		f = COL("v", "float", "float", true);
	tcol		fmd = COL("v", "float", "float(10,2)", true);
	tcol		d = COL("v", "double", "double", true);
	plan_table *pt = table_new("t", &d, 1, NULL, 0);
	binlog_value v = V("inf");
	char	   *s;
	json_t	   *j;

	expect_value(f, V("1.5"), "1.5");
	expect_value(d, V("1e20"), "1e20");
	/* the double the text denotes, whatever digits jansson prints it with */
	s = one_value(&d, V("0.1"));
	j = json_loads(s, JSON_DECODE_ANY, NULL);
	ck_assert(json_real_value(j) == 0.1);
	json_decref(j);
	free(s);
	s = one_value(&d, V("-2.25e-7"));
	j = json_loads(s, JSON_DECODE_ANY, NULL);
	ck_assert(json_real_value(j) == -2.25e-7);
	json_decref(j);
	free(s);
	value_fails(pt, &v, "invalid value \"inf\"");
	v = V("nan");
	value_fails(pt, &v, "invalid value");
	v = V("0x10");
	value_fails(pt, &v, "invalid value");
	table_free(pt);

	/* FLOAT(M,D) is double in the schema, FLOAT float */
	tcol		cols[] = { f, fmd, d };
	cols[0].name = "f";
	cols[1].name = "fmd";
	cols[2].name = "d";
	pt = table_new("t", cols, 3, NULL, 0);
	binlog_value row[] = { V("1"), V("1"), V("1") };
	dbz_source	src = src_of("t");

	j = value_ok(pt, DBZ_CREATE, NULL, row, &src, &SCHEMAS);
	json_t	   *fields = json_object_get(json_array_get(json_object_get(json_object_get(j, "schema"),
																			"fields"), 1), "fields");

	expect_json(json_incref(json_object_get(json_array_get(fields, 0), "type")), "\"float\"");
	expect_json(json_incref(json_object_get(json_array_get(fields, 1), "type")), "\"double\"");
	expect_json(json_incref(json_object_get(json_array_get(fields, 2), "type")), "\"double\"");
	json_decref(j);
	table_free(pt);
}
END_TEST

START_TEST(bits)
{
	tcol		b1 = COL("v", "bit", "bit(1)", true);
	tcol		b10 = COL("v", "bit", "bit(10)", true);
	tcol		b64 = COL("v", "bit", "bit(64)", true);
	plan_table *pt = table_new("t", &b10, 1, NULL, 0);
	binlog_value v = VB("\x04\x00", 2);

	expect_value(b1, VB("\x00", 1), "false");
	expect_value(b1, VB("\x01", 1), "true");
	expect_value(b10, VB("\x03\xff", 2), "\"/wM=\"");	/* 0x3ff least significant byte first */
	expect_value(b10, VB("\x05", 1), "\"BQA=\"");		/* short value, padded */
	expect_value(b64, VB("\x01\x02\x03\x04\x05\x06\x07\x08", 8), "\"CAcGBQQDAgE=\"");
	value_fails(pt, &v, "BIT(10) value has bits set above bit 10");
	v = VB("\x01\x02\x03", 3);
	value_fails(pt, &v, "BIT(10) value has 3 bytes, expected 2");
	table_free(pt);
}
END_TEST

START_TEST(text_and_bytes)
{
	tcol		vc = COL("v", "varchar", "varchar(20)", true);
	tcol		bin = COL("v", "varbinary", "varbinary(20)", true);
	tcol		uuid = COL("v", "uuid", "uuid", true);
	tcol		inet = COL("v", "inet6", "inet6", true);
	tcol		set = COL("v", "set", "set('a','b,c','d''e')", true);

	expect_value(vc, V("h\xc3\xa9llo \"q\""), "\"h\xc3\xa9llo \\\"q\\\"\"");
	expect_value(vc, VB("a\xff" "b", 3), "\"a\xef\xbf\xbd" "b\"");	/* bad UTF-8 -> U+FFFD */
	expect_value(vc, VB("a\0b", 3), "\"a\\u0000b\"");
	expect_value(vc, V(""), "\"\"");
	expect_value(bin, V(""), "\"\"");
	expect_value(bin, V("M"), "\"TQ==\"");
	expect_value(bin, V("Ma"), "\"TWE=\"");
	expect_value(bin, V("Man"), "\"TWFu\"");
	expect_value(uuid, V("123e4567-e89b-12d3-a456-426614174000"),
				 "\"123e4567-e89b-12d3-a456-426614174000\"");
	expect_value(inet, V("2001:db8::1"), "\"2001:db8::1\"");
	expect_value(set, V("a,d'e"), "\"a,d'e\"");

	/* the allowed labels, with Debezium's escape for a comma */
	plan_table *pt = table_new("t", &set, 1, NULL, 0);
	binlog_value v = V("a");
	dbz_source	src = src_of("t");
	json_t	   *j = value_ok(pt, DBZ_CREATE, NULL, &v, &src, &SCHEMAS);
	json_t	   *f = json_array_get(json_object_get(json_array_get(json_object_get(
		json_object_get(j, "schema"), "fields"), 1), "fields"), 0);

	expect_json(json_incref(f), "{\"field\":\"v\",\"name\":\"io.debezium.data.EnumSet\",\"optional\":true,"
				"\"parameters\":{\"allowed\":\"a,b\\\\,c,d'e\"},\"type\":\"string\",\"version\":1}");
	json_decref(j);
	table_free(pt);
}
END_TEST

START_TEST(geometry)
{
	tcol		pt_col = COL("v", "point", "point", true);
	tcol		geo = COL("v", "linestring", "linestring", true);
	/* POINT(1 2), little-endian WKB */
	static const char wkb[] =
		"\x01\x01\x00\x00\x00" "\x00\x00\x00\x00\x00\x00\xf0\x3f" "\x00\x00\x00\x00\x00\x00\x00\x40";
	plan_table *pt = table_new("t", &pt_col, 1, NULL, 0);
	binlog_value v = VB("\x01\x02\x00\x00\x00", 5);

	expect_value(pt_col, VB(wkb, 21),
				 "{\"srid\":null,\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"x\":1.0,\"y\":2.0}");
	expect_value(geo, VB("\x01\x02\x00\x00\x00", 5), "{\"srid\":null,\"wkb\":\"AQIAAAA=\"}");
	value_fails(pt, &v, "value of 5 bytes is not the WKB of a 2D point");
	table_free(pt);
}
END_TEST

START_TEST(topic_names)
{
	char	   *t = dbz_topic("srv", "shop", "customers");

	ck_assert_str_eq(t, "srv.shop.customers");
	free(t);
	t = dbz_topic("srv", "my db", "caf\xc3\xa9$\xf0\x9f\x98\x80-x");
	ck_assert_str_eq(t, "srv.my_db.caf____-x");	/* e-acute, $, a surrogate pair */
	free(t);
	t = dbz_topic("srv", "", "t");
	ck_assert_str_eq(t, "srv.t");
	free(t);

	char		longname[300];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	t = dbz_topic("srv", "db", longname);
	ck_assert_uint_eq(strlen(t), 249);
	free(t);
}
END_TEST

START_TEST(keys)
{
	tcol		cols[] = {
		COL("a", "int", "int(11)", false), COL("b", "varchar", "varchar(5)", false),
		COL("c", "int", "int(11)", true),
	};
	static const int key[] = { 1, 0 };
	plan_table *pt = table_new("t", cols, 3, key, 2);
	plan_table *nokey = table_new("n", cols, 3, NULL, 0);
	binlog_value row[] = { V("5"), V("x"), V("9") };
	dbz_source	src = src_of("t");
	char		err[256] = "";

	/* key columns in key order */
	json_t	   *j = dbz_key(pt, row, &src, &PLAIN, err, sizeof(err));
	char	   *s = json_dumps(j, JSON_COMPACT);

	ck_assert_str_eq(s, "{\"b\":\"x\",\"a\":5}");
	free(s);
	json_decref(j);
	ck_assert_ptr_null(dbz_key(nokey, row, &src, &PLAIN, err, sizeof(err)));
	ck_assert_str_eq(err, "table \"n\" has no key: send a null key");
	table_free(pt);
	table_free(nokey);
}
END_TEST

/* ---------------------------------------------------------------------
 * Schema change events
 * --------------------------------------------------------------------- */

static const tcol sc_cols[] = {
	COL("id", "int", "int(10) unsigned", false),
	COL("name", "varchar", "varchar(20)", true),
	{ "price", "decimal", "decimal(10,2)", 10, 2, -1, false, false, NULL },
	{ "dt", "datetime", "datetime(3)", -1, -1, 3, true, false, NULL },
	{ "ts", "timestamp", "timestamp", -1, -1, 0, false, false, NULL },
	COL("flag", "bit", "bit(1)", true),
	COL("e", "enum", "enum('a','b''c')", true),
	COL("s", "set", "set('x','y','z')", true),
	COL("b", "longblob", "longblob", true),
	{ "j", "longtext", "longtext", -1, -1, -1, true, true, NULL },
	COL("t", "tinyint", "tinyint(1)", false),
	COL("big", "bigint", "bigint(20) unsigned zerofill", true),
	COL("d", "date", "date", true),
	COL("tm", "time", "time", true),
	COL("y", "year", "year(4)", true),
	COL("f", "float", "float", true),
	COL("db", "double", "double", true),
	COL("ch", "char", "char(3)", true),
	COL("bn", "binary", "binary(16)", true),
	COL("vb", "varbinary", "varbinary(8)", true),
	COL("tx", "text", "text", true),
	COL("sm", "smallint", "smallint(6)", true),
};
#define SC_NCOLS (sizeof(sc_cols) / sizeof(sc_cols[0]))

/* sc_table: sc_cols with what information_schema adds: AUTO_INCREMENT,
 * collations (45 utf8mb4_general_ci, 8 latin1_swedish_ci), and the recorded
 * description with the defaults and a PRIMARY KEY (id) */
static plan_table *
sc_table(void)
{
	static const int key[1] = { 0 };
	plan_table *pt = table_new("orders", sc_cols, SC_NCOLS, key, 1);
	const char *dflt[SC_NCOLS] = { NULL };
	json_t	   *desc = json_object(), *cols = json_array(), *ix = json_array();

	pt->cols[0].auto_increment = true;
	pt->cols[1].collation_id = 45;
	pt->cols[6].collation_id = 45;
	pt->cols[7].collation_id = 8;
	pt->cols[9].collation_id = 46;
	pt->cols[17].collation_id = 224;
	pt->cols[20].collation_id = 99999;		/* a collation this module does not know */
	dflt[1] = "'it''s'";
	dflt[2] = "0.00";
	dflt[3] = "NULL";
	dflt[4] = "current_timestamp()";
	dflt[5] = "b'1'";
	dflt[10] = "-1";
	dflt[13] = "(curtime() + 1)";
	for (size_t i = 0; i < SC_NCOLS; i++) {
		json_t	   *r = json_array();

		for (int f = 0; f < 12; f++)
			json_array_append_new(r, f == 0 ? json_string(sc_cols[i].name) :
								  f == 8 && dflt[i] ? json_string(dflt[i]) : json_null());
		json_array_append_new(cols, r);
	}
	/* INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE */
	json_array_append_new(ix, json_pack("[s,s,s,n,s]", "PRIMARY", "0", "id", "BTREE"));
	json_array_append_new(ix, json_pack("[s,s,s,n,s]", "u_name", "0", "name", "BTREE"));
	json_object_set_new(desc, "columns", cols);
	json_object_set_new(desc, "indexes", ix);
	free(pt->described);
	pt->described = json_dumps(desc, JSON_COMPACT);
	json_decref(desc);
	return pt;
}

/* sc_event: the schema change event of sc_table, plain; a new reference */
static json_t *
sc_event(const plan_table *pt, const char *ddl, const dbz_options *o)
{
	char		err[256] = "";
	dbz_source	src = src_of("orders");
	json_t	   *j;

	src.row = 0;
	j = dbz_schema_change(pt, DBZ_DDL_ALTER, ddl, &src, o, NOW, err, sizeof(err));
	ck_assert_msg(j != NULL, "dbz_schema_change failed: %s", err);
	return j;
}

/* sc_column: column i of the event's one table change, dumped */
static char *
sc_column(json_t *ev, size_t i)
{
	json_t	   *tc = json_array_get(json_object_get(ev, "tableChanges"), 0);
	json_t	   *c = json_array_get(json_object_get(json_object_get(tc, "table"), "columns"), i);

	ck_assert_ptr_nonnull(c);
	return dumped(json_incref(c));
}

#define expect_column(ev, i, want) do { \
	char *got_ = sc_column(ev, i); \
	ck_assert_str_eq(got_, want); \
	free(got_); \
} while (0)

/* the column object with sorted keys, for the expectations below */
#define SC_COL(ai, cs, dve, ev, gen, jdbc, len, name, opt, pos, scale, tn) \
	"{\"autoIncremented\":" ai ",\"charsetName\":" cs ",\"comment\":null,\"defaultValueExpression\":" dve \
	",\"enumValues\":" ev ",\"generated\":" gen ",\"jdbcType\":" jdbc ",\"length\":" len ",\"name\":\"" name \
	"\",\"nativeType\":null,\"optional\":" opt ",\"position\":" pos ",\"scale\":" scale ",\"typeExpression\":\"" \
	tn "\",\"typeName\":\"" tn "\"}"

START_TEST(schema_change_envelope)
{
	plan_table *pt = sc_table();
	json_t	   *ev = sc_event(pt, "ALTER TABLE orders ADD COLUMN sm SMALLINT", &PLAIN);
	json_t	   *tc = json_array_get(json_object_get(ev, "tableChanges"), 0);
	json_t	   *table = json_object_get(tc, "table");
	const char *k;
	json_t	   *v;
	buf			order = BUF_INIT;

	/* the payload's fields in the order of Debezium's SchemaChangeValue */
	json_object_foreach(ev, k, v) {
		(void) v;
		buf_printf(&order, "%s ", k);
	}
	ck_assert_str_eq(order.data, "source ts_ms databaseName schemaName ddl tableChanges ");
	buf_free(&order);
	expect_json(json_incref(json_object_get(ev, "source")),
				"{\"connector\":\"mysql\",\"db\":\"shop\",\"file\":\"mariadb-bin.000002\",\"gtid\":\"0-7-42\","
				"\"name\":\"srv\",\"pos\":1234,\"query\":null,\"row\":0,\"sequence\":null,\"server_id\":7,"
				"\"snapshot\":\"false\",\"table\":\"orders\",\"thread\":null,\"ts_ms\":1706704496000,"
				"\"version\":\"" DBZ_VERSION "\"}");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "ts_ms")), NOW);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "databaseName")), "shop");
	ck_assert(json_is_null(json_object_get(ev, "schemaName")));
	ck_assert_str_eq(json_string_value(json_object_get(ev, "ddl")), "ALTER TABLE orders ADD COLUMN sm SMALLINT");
	ck_assert_int_eq(json_array_size(json_object_get(ev, "tableChanges")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(tc, "type")), "ALTER");
	ck_assert_str_eq(json_string_value(json_object_get(tc, "id")), "\"shop\".\"orders\"");
	ck_assert_int_eq(json_object_size(tc), 3);
	ck_assert(json_is_null(json_object_get(table, "defaultCharsetName")));
	ck_assert(json_is_null(json_object_get(table, "comment")));
	/* the PRIMARY KEY, not the unique key */
	expect_json(json_incref(json_object_get(table, "primaryKeyColumnNames")), "[\"id\"]");
	ck_assert_int_eq(json_array_size(json_object_get(table, "columns")), SC_NCOLS);
	ck_assert_int_eq(json_object_size(table), 4);

	expect_column(ev, 0, SC_COL("true", "null", "null", "null", "true", "4", "10", "id", "false", "1", "null",
								"INT UNSIGNED"));
	expect_column(ev, 1, SC_COL("false", "\"utf8mb4\"", "\"it's\"", "null", "false", "12", "20", "name", "true",
								"2", "null", "VARCHAR"));
	expect_column(ev, 2, SC_COL("false", "null", "\"0.00\"", "null", "false", "3", "10", "price", "false", "3",
								"2", "DECIMAL"));
	expect_column(ev, 3, SC_COL("false", "null", "null", "null", "false", "93", "3", "dt", "true", "4", "null",
								"DATETIME"));
	expect_column(ev, 4, SC_COL("false", "null", "\"1970-01-01 00:00:00\"", "null", "false", "2014", "null", "ts",
								"false", "5", "null", "TIMESTAMP"));
	expect_column(ev, 5, SC_COL("false", "null", "\"1\"", "null", "false", "-7", "1", "flag", "true", "6", "null",
								"BIT"));
	expect_column(ev, 6, SC_COL("false", "\"utf8mb4\"", "null", "[\"'a'\",\"'b''c'\"]", "false", "1", "1", "e",
								"true", "7", "null", "ENUM"));
	expect_column(ev, 7, SC_COL("false", "\"latin1\"", "null", "[\"'x'\",\"'y'\",\"'z'\"]", "false", "1", "5",
								"s", "true", "8", "null", "SET"));
	expect_column(ev, 8, SC_COL("false", "null", "null", "null", "false", "2004", "null", "b", "true", "9", "null",
								"LONGBLOB"));
	expect_column(ev, 9, SC_COL("false", "\"utf8mb4\"", "null", "null", "false", "1111", "null", "j", "true", "10",
								"null", "JSON"));
	expect_column(ev, 10, SC_COL("false", "null", "\"-1\"", "null", "false", "-6", "1", "t", "false", "11", "null",
								 "TINYINT"));
	expect_column(ev, 11, SC_COL("false", "null", "null", "null", "false", "-5", "20", "big", "true", "12", "null",
								 "BIGINT UNSIGNED ZEROFILL"));
	expect_column(ev, 12, SC_COL("false", "null", "null", "null", "false", "91", "null", "d", "true", "13", "null",
								 "DATE"));
	/* an expression default: null, as Debezium */
	expect_column(ev, 13, SC_COL("false", "null", "null", "null", "false", "92", "null", "tm", "true", "14", "null",
								 "TIME"));
	expect_column(ev, 14, SC_COL("false", "null", "null", "null", "false", "4", "4", "y", "true", "15", "null",
								 "YEAR"));
	expect_column(ev, 15, SC_COL("false", "null", "null", "null", "false", "6", "null", "f", "true", "16", "null",
								 "FLOAT"));
	expect_column(ev, 16, SC_COL("false", "null", "null", "null", "false", "8", "null", "db", "true", "17", "null",
								 "DOUBLE"));
	expect_column(ev, 17, SC_COL("false", "\"utf8mb4\"", "null", "null", "false", "1", "3", "ch", "true", "18",
								 "null", "CHAR"));
	expect_column(ev, 18, SC_COL("false", "null", "null", "null", "false", "-2", "16", "bn", "true", "19", "null",
								 "BINARY"));
	expect_column(ev, 19, SC_COL("false", "null", "null", "null", "false", "-3", "8", "vb", "true", "20", "null",
								 "VARBINARY"));
	expect_column(ev, 20, SC_COL("false", "null", "null", "null", "false", "12", "null", "tx", "true", "21", "null",
								 "TEXT"));
	expect_column(ev, 21, SC_COL("false", "null", "null", "null", "false", "5", "6", "sm", "true", "22", "null",
								 "SMALLINT"));
	json_decref(ev);
	table_free(pt);
}
END_TEST

START_TEST(schema_change_ddl_text)
{
	static const int key[1] = { 0 };
	plan_table *pt = table_new("customers", customers_cols, 2, key, 1);
	const char *ddl = "ALTER TABLE `customers` ADD `note` VARCHAR(5) DEFAULT 'a\"b\\\\c'\n  COMMENT 'x'";
	json_t	   *ev = sc_event(pt, ddl, &PLAIN);
	char	   *text = dumped(json_incref(json_object_get(ev, "ddl")));

	/* the statement as it is, quotes and backslashes escaped in the JSON */
	ck_assert_str_eq(text, "\"ALTER TABLE `customers` ADD `note` VARCHAR(5) DEFAULT 'a\\\"b\\\\\\\\c'\\n  COMMENT 'x'\"");
	free(text);
	/* no recorded description: the plan's key is the primary key, no defaults */
	expect_json(json_incref(json_object_get(json_object_get(json_array_get(json_object_get(ev, "tableChanges"), 0),
															"table"), "primaryKeyColumnNames")), "[\"id\"]");
	expect_column(ev, 0, SC_COL("false", "null", "null", "null", "false", "4", "11", "id", "false", "1", "null",
								"INT"));
	json_decref(ev);
	table_free(pt);
}
END_TEST

START_TEST(schema_change_keys_and_schemas)
{
	plan_table *pt = sc_table();
	json_t	   *ev = sc_event(pt, "ALTER TABLE orders DROP COLUMN x", &SCHEMAS);
	json_t	   *schema = json_object_get(ev, "schema"), *fields = json_object_get(schema, "fields");
	json_t	   *tcs, *change, *table, *cols, *col;
	buf			names = BUF_INIT;
	size_t		i;
	json_t	   *f;

	expect_json(dbz_schema_change_key("shop", &PLAIN), "{\"databaseName\":\"shop\"}");
	expect_json(dbz_schema_change_key("shop", &FLAT), "{\"databaseName\":\"shop\"}");
	expect_json(dbz_schema_change_key("shop", &SCHEMAS),
				"{\"payload\":{\"databaseName\":\"shop\"},\"schema\":{\"fields\":[{\"field\":\"databaseName\","
				"\"optional\":false,\"type\":\"string\"}],\"name\":\"io.debezium.connector.mysql.SchemaChangeKey\","
				"\"optional\":false,\"type\":\"struct\",\"version\":1}}");
	ck_assert_str_eq(json_string_value(json_object_get(schema, "name")),
					 "io.debezium.connector.mysql.SchemaChangeValue");
	ck_assert_int_eq(json_integer_value(json_object_get(schema, "version")), 1);
	json_array_foreach(fields, i, f) {
		buf_printf(&names, "%s:%s:%s ", json_string_value(json_object_get(f, "field")),
				   json_string_value(json_object_get(f, "type")),
				   json_is_true(json_object_get(f, "optional")) ? "opt" : "req");
	}
	ck_assert_str_eq(names.data, "source:struct:req ts_ms:int64:req databaseName:string:opt "
					 "schemaName:string:opt ddl:string:opt tableChanges:array:req ");
	buf_reset(&names);
	tcs = json_array_get(fields, 5);
	change = json_object_get(tcs, "items");
	ck_assert_str_eq(json_string_value(json_object_get(change, "name")), "io.debezium.connector.schema.Change");
	table = json_array_get(json_object_get(change, "fields"), 2);
	ck_assert_str_eq(json_string_value(json_object_get(table, "name")), "io.debezium.connector.schema.Table");
	ck_assert(json_is_true(json_object_get(table, "optional")));
	cols = json_array_get(json_object_get(table, "fields"), 2);
	ck_assert_str_eq(json_string_value(json_object_get(cols, "field")), "columns");
	col = json_object_get(cols, "items");
	ck_assert_str_eq(json_string_value(json_object_get(col, "name")), "io.debezium.connector.schema.Column");
	json_array_foreach(json_object_get(col, "fields"), i, f) {
		buf_printf(&names, "%s:%s ", json_string_value(json_object_get(f, "field")),
				   json_string_value(json_object_get(f, "type")));
	}
	ck_assert_str_eq(names.data, "name:string jdbcType:int32 nativeType:int32 typeName:string "
					 "typeExpression:string charsetName:string length:int32 scale:int32 position:int32 "
					 "optional:boolean autoIncremented:boolean generated:boolean comment:string "
					 "defaultValueExpression:string enumValues:array ");
	buf_free(&names);
	/* the payload is the plain event */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "payload"), "ddl")),
					 "ALTER TABLE orders DROP COLUMN x");
	json_decref(ev);
	table_free(pt);
}
END_TEST

Suite *
debezium_encode_suite(void)
{
	Suite	   *s = suite_create("debezium_encode");
	TCase	   *tc = tcase_create("events");

	tcase_add_test(tc, insert_envelope);
	tcase_add_test(tc, update_envelope);
	tcase_add_test(tc, delete_envelope);
	tcase_add_test(tc, snapshot_read);
	tcase_add_test(tc, missing_image_fails);
	tcase_add_test(tc, flattened_insert_and_delete);
	tcase_add_test(tc, flattened_field_order);
	tcase_add_test(tc, schemas_wrapper);
	tcase_add_test(tc, schemas_flattened);
	tcase_add_test(tc, keys);
	tcase_add_test(tc, topic_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, decimal_edges);
	tcase_add_test(tc, decimal_rejects);
	tcase_add_test(tc, dates_before_1970);
	tcase_add_test(tc, timestamps);
	tcase_add_test(tc, time_values);
	tcase_add_test(tc, zero_dates);
	tcase_add_test(tc, null_values);
	tcase_add_test(tc, integers);
	tcase_add_test(tc, integer_rejects);
	tcase_add_test(tc, floats);
	tcase_add_test(tc, bits);
	tcase_add_test(tc, text_and_bytes);
	tcase_add_test(tc, geometry);
	suite_add_tcase(s, tc);

	tc = tcase_create("schema_change");
	tcase_add_test(tc, schema_change_envelope);
	tcase_add_test(tc, schema_change_ddl_text);
	tcase_add_test(tc, schema_change_keys_and_schemas);
	suite_add_tcase(s, tc);

	return s;
}
