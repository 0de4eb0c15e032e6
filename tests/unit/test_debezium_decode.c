/*
 * Unit tests for the Debezium codec's decoding half (dbz_parse,
 * dbz_parse_key): events we wrote read back byte for byte, events a real
 * Debezium connector writes, the other representations its options give,
 * and malformed messages (see dbz_decode.h for what is accepted).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_debezium.h"

static const tcol dec5_2 = { "v", "decimal", "decimal(5,2)", 5, 2, -1, true, false, NULL };

/* ---------------------------------------------------------------------
 * Reading events back (dbz_parse, dbz_parse_key)
 * --------------------------------------------------------------------- */

/* shown: a printable form of a value for assertion messages (static) */
static const char *
shown(const binlog_value *v)
{
	static char out[4][160];
	static int	next;
	char	   *o = out[next++ % 4];
	size_t		n = 0;

	if (!v->present)
		return "(absent)";
	if (!v->data)
		return "(NULL)";
	for (size_t i = 0; i < v->len && n + 5 < sizeof(out[0]); i++) {
		unsigned char c = (unsigned char) v->data[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			o[n++] = (char) c;
		else
			n += (size_t) snprintf(o + n, 5, "\\x%02x", c);
	}
	o[n] = '\0';
	return o;
}

/* same_value: a and b are the same value, byte for byte */
static bool
same_value(const binlog_value *a, const binlog_value *b)
{
	if (a->present != b->present || (a->data == NULL) != (b->data == NULL))
		return false;
	return !a->data || (a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
}

/* expect_image: got holds want's ncols values, byte for byte */
static void
expect_image(const plan_table *pt, const binlog_value *got, const binlog_value *want,
			 const char *what)
{
	ck_assert_msg(got != NULL, "%s: no image", what);
	for (size_t i = 0; i < pt->ncols; i++)
		ck_assert_msg(same_value(&got[i], &want[i]), "%s, column %s: got %s, want %s",
					  what, pt->cols[i].name, shown(&got[i]), shown(&want[i]));
}

/* the connector's modes the helpers below parse with; a test that
 * changes them sets them back (modes_reset) */
static dbz_modes cur_modes = DBZ_MODES_DEFAULT;

static void
modes_reset(void)
{
	dbz_modes	d = DBZ_MODES_DEFAULT;

	cur_modes = d;
}

/* parse_ok: dbz_parse of text that must succeed */
static void
parse_ok(const plan_table *pt, const char *text, dbz_event *ev)
{
	char		err[512] = "";

	ev->modes = &cur_modes;
	ck_assert_msg(dbz_parse(pt, text, text ? strlen(text) : 0, ev, err, sizeof(err)),
				  "dbz_parse failed: %s\n%s", err, text);
}

/* parse_fails: dbz_parse of text that must fail, with want in the error */
static void
parse_fails(const plan_table *pt, const char *text, const char *want)
{
	char		err[512] = "";
	dbz_event	ev = DBZ_EVENT_INIT;
	bool		ok;

	ev.modes = &cur_modes;
	ok = dbz_parse(pt, text, strlen(text), &ev, err, sizeof(err));

	dbz_event_free(&ev);
	ck_assert_msg(!ok, "dbz_parse succeeded, expected: %s\n%s", want, text);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
}

/* one_parsed: the text value of the single column of a one-column table
 * from a flattened record holding json as the column's value (with a
 * schema field schema_field when it is not NULL); a heap string, or NULL
 * for SQL NULL */
static char *
one_parsed(const tcol *col, const char *json, const char *schema_field, size_t *len)
{
	plan_table *pt = table_new("t", col, 1, NULL, 0);
	dbz_event	ev = DBZ_EVENT_INIT;
	char	   *text = schema_field ?
		xasprintf("{\"schema\":{\"type\":\"struct\",\"fields\":[%s]},\"payload\":{\"%s\":%s}}",
				  schema_field, col->name, json) :
		xasprintf("{\"%s\":%s}", col->name, json);
	char	   *out = NULL;

	parse_ok(pt, text, &ev);
	ck_assert_ptr_nonnull(ev.after);
	ck_assert(ev.after[0].present);
	if (ev.after[0].data) {
		out = xstrndup(ev.after[0].data, ev.after[0].len);
		*len = ev.after[0].len;
	}
	dbz_event_free(&ev);
	free(text);
	table_free(pt);
	return out;
}

#define expect_parsed(col, json, want) do { \
	tcol c_ = col; \
	size_t len_ = 0; \
	char *got_ = one_parsed(&c_, json, NULL, &len_); \
	ck_assert_msg(got_ != NULL, "%s: got NULL", json); \
	ck_assert_str_eq(got_, want); \
	free(got_); \
} while (0)

#define expect_parsed_bytes(col, json, want, wlen) do { \
	tcol c_ = col; \
	size_t len_ = 0; \
	char *got_ = one_parsed(&c_, json, NULL, &len_); \
	ck_assert_msg(got_ != NULL, "%s: got NULL", json); \
	ck_assert_uint_eq(len_, wlen); \
	ck_assert_msg(memcmp(got_, want, wlen) == 0, "%s: bytes differ", json); \
	free(got_); \
} while (0)

#define expect_parsed_schema(col, field, json, want) do { \
	tcol c_ = col; \
	size_t len_ = 0; \
	char *got_ = one_parsed(&c_, json, field, &len_); \
	ck_assert_msg(got_ != NULL, "%s: got NULL", json); \
	ck_assert_str_eq(got_, want); \
	free(got_); \
} while (0)

/* one_fails: a one-column flattened record that must fail with want */
static void
one_fails(const tcol *col, const char *json, const char *want)
{
	plan_table *pt = table_new("t", col, 1, NULL, 0);
	char	   *text = xasprintf("{\"%s\":%s}", col->name, json);

	parse_fails(pt, text, want);
	free(text);
	table_free(pt);
}

/* Every type, each column nullable but the key. */
static const tcol rt_cols[] = {
	COL("id", "int", "int(11)", false),
	COL("ti", "tinyint", "tinyint(4)", true),
	COL("uti", "tinyint", "tinyint(3) unsigned", true),
	COL("si", "smallint", "smallint(6)", true),
	COL("usi", "smallint", "smallint(5) unsigned", true),
	COL("mi", "mediumint", "mediumint(9)", true),
	COL("umi", "mediumint", "mediumint(8) unsigned", true),
	COL("i", "int", "int(11)", true),
	COL("ui", "int", "int(10) unsigned", true),
	COL("bi", "bigint", "bigint(20)", true),
	COL("ubi", "bigint", "bigint(20) unsigned", true),
	{ "dec", "decimal", "decimal(18,4)", 18, 4, -1, true, false, NULL },
	{ "dec0", "decimal", "decimal(65,0)", 65, 0, -1, true, false, NULL },
	{ "dec52", "decimal", "decimal(5,2)", 5, 2, -1, true, false, NULL },
	COL("f", "float", "float", true),
	{ "fmd", "float", "float(10,2)", 10, 2, -1, true, false, NULL },
	COL("d", "double", "double", true),
	COL("b1", "bit", "bit(1)", true),
	COL("b10", "bit", "bit(10)", true),
	COL("b64", "bit", "bit(64)", true),
	COL("vc", "varchar", "varchar(20)", true),
	COL("txt", "text", "text", true),
	COL("ch", "char", "char(5)", true),
	{ "js", "longtext", "longtext", -1, -1, -1, true, true, NULL },
	COL("en", "enum", "enum('red','green')", true),
	COL("st", "set", "set('a','b,c','d''e')", true),
	COL("bin", "binary", "binary(4)", true),
	COL("vb", "varbinary", "varbinary(20)", true),
	COL("bl", "blob", "blob", true),
	COL("dt", "date", "date", true),
	{ "dt0", "datetime", "datetime", -1, -1, 0, true, false, NULL },
	{ "dt3", "datetime", "datetime(3)", -1, -1, 3, true, false, NULL },
	{ "dt6", "datetime", "datetime(6)", -1, -1, 6, true, false, NULL },
	{ "ts0", "timestamp", "timestamp", -1, -1, 0, true, false, NULL },
	{ "ts3", "timestamp", "timestamp(3)", -1, -1, 3, true, false, NULL },
	{ "ts6", "timestamp", "timestamp(6)", -1, -1, 6, true, false, NULL },
	{ "tm0", "time", "time", -1, -1, 0, true, false, NULL },
	{ "tm6", "time", "time(6)", -1, -1, 6, true, false, NULL },
	COL("yr", "year", "year(4)", true),
	COL("uu", "uuid", "uuid", true),
	COL("i4", "inet4", "inet4", true),
	COL("i6", "inet6", "inet6", true),
	COL("pt", "point", "point", true),
	COL("ls", "linestring", "linestring", true),
	{ "asbool", "tinyint", "tinyint(1)", -1, -1, -1, true, false, "boolean" },
};
#define RT_NCOLS (sizeof(rt_cols) / sizeof(rt_cols[0]))
static const int rt_key[] = { 0 };

/* POINT(1 2) and LINESTRING(0 0, 1 1), little-endian WKB */
#define WKB_POINT "\x01\x01\x00\x00\x00" "\x00\x00\x00\x00\x00\x00\xf0\x3f" "\x00\x00\x00\x00\x00\x00\x00\x40"
#define WKB_LINE "\x01\x02\x00\x00\x00" "\x02\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\xf0\x3f" "\x00\x00\x00\x00\x00\x00\xf0\x3f"

/* rt_rows: three rows of canonical text-protocol values (as the binlog
 * decoder renders them) and one of NULLs */
static void
rt_rows(binlog_value rows[4][RT_NCOLS])
{
	binlog_value a[] = {
		V("1"), V("-128"), V("255"), V("-32768"), V("65535"), V("-8388608"), V("16777215"),
		V("-2147483648"), V("4294967295"), V("-9223372036854775808"), V("18446744073709551615"),
		V("-123.4500"), V("99999999999999999999999999999999999999999999999999999999999999999"),
		V("-0.01"), V("3.14159"), V("1.50"), V("0.1"), VB("\x01", 1), VB("\x02\x01", 2),
		VB("\x01\x02\x03\x04\x05\x06\x07\x08", 8), V("h\xc3\xa9llo \"q\"\n\t\\"), VB("a\0b", 3),
		V("abc"), V("{\"a\": [1, 2.5, null]}"), V("green"), V("a,d'e"), VB("ab\0\0", 4),
		VB("\x00\xff", 2), V(""), V("0001-01-01"), V("1969-12-31 23:59:59"),
		V("2024-01-31 12:34:56.123"), V("1960-01-01 00:00:00.000001"), V("2018-06-20 13:37:03"),
		V("2024-01-31 12:34:56.120"), V("2038-01-19 03:14:07.999999"), V("838:59:59"),
		V("-01:02:03.500000"), V("2024"), V("123e4567-e89b-12d3-a456-426614174000"),
		V("192.0.2.1"), V("2001:db8::1"), VB(WKB_POINT, 21), VB(WKB_LINE, 41), V("1"),
	};
	binlog_value b[] = {
		V("2"), V("127"), V("0"), V("32767"), V("0"), V("8388607"), V("0"), V("2147483647"),
		V("0"), V("9223372036854775807"), V("9223372036854775808"), V("0.0000"),
		V("-99999999999999999999999999999999999999999999999999999999999999999"), V("123.45"),
		V("-0.00000015"), V("-3.25"), V("1e20"), VB("\x00", 1), VB("\x03\xff", 2),
		VB("\x80\x00\x00\x00\x00\x00\x00\x00", 8), V(""), V(""), V(""), V("[]"), V("red"), V(""),
		VB("\x01\x02\x03\x04", 4), V(""), VB("\xff\xfe\x00", 3), V("9999-12-31"),
		V("9999-12-31 23:59:59"), V("1969-12-31 23:59:59.500"), V("2024-01-31 12:34:56.123456"),
		V("1970-01-01 00:00:01"), V("2024-01-31 12:34:56.000"), V("2024-01-31 12:34:56.000100"),
		V("-838:59:59"), V("00:00:00.000001"), V("0000"), V("00000000-0000-0000-0000-000000000000"),
		V("0.0.0.0"), V("::"), VB(WKB_POINT, 21), VB(WKB_LINE, 41), V("0"),
	};
	binlog_value c[] = {
		V("3"), V("-1"), V("1"), V("-1"), V("1"), V("-1"), V("1"), V("-1"), V("1"), V("-1"),
		V("1"), V("99999999999999.9999"), V("0"), V("999.99"), V("1e20"), V("0.00"),
		V("-2.2250738585072014e-308"), VB("\x01", 1), VB("\x00\x00", 2),
		VB("\x00\x00\x00\x00\x00\x00\x00\x00", 8), V("x"), V("\xf0\x9f\x98\x80"), V("a b"),
		V("{}"), V("red"), V("a,b,c"), VB("\0\0\0\0", 4), V("x"), V("y"), V("1970-01-01"),
		V("1970-01-01 00:00:00"), V("1970-01-01 00:00:00.000"), V("1970-01-01 00:00:00.000000"),
		V("1970-01-01 00:00:00"), V("1970-01-01 00:00:00.000"), V("1970-01-01 00:00:00.000000"),
		V("00:00:00"), V("-00:00:00.000001"), V("1901"), V("ffffffff-ffff-ffff-ffff-ffffffffffff"),
		V("255.255.255.255"), V("ffff::"), VB(WKB_POINT, 21), VB(WKB_LINE, 41), V("1"),
	};

	ck_assert_uint_eq(sizeof(a) / sizeof(a[0]), RT_NCOLS);
	ck_assert_uint_eq(sizeof(b) / sizeof(b[0]), RT_NCOLS);
	ck_assert_uint_eq(sizeof(c) / sizeof(c[0]), RT_NCOLS);
	memcpy(rows[0], a, sizeof(a));
	memcpy(rows[1], b, sizeof(b));
	memcpy(rows[2], c, sizeof(c));
	rows[3][0] = V("4");
	for (size_t i = 1; i < RT_NCOLS; i++)
		rows[3][i] = VNULL;
}

/* roundtrip: dbz_value's JSON of one change, read back by dbz_parse, gives
 * the same op, images and source; the key too, through dbz_parse_key */
static void
roundtrip(const plan_table *pt, dbz_op op, const binlog_value *before, const binlog_value *after,
		  const dbz_options *o)
{
	dbz_source	src = src_of("t_rt");
	json_t	   *j;
	char	   *text, *ktext;
	char		err[512] = "";
	dbz_event	ev = DBZ_EVENT_INIT;
	char		what[64];
	const binlog_value *img = op == DBZ_DELETE ? before : after;

	src.snapshot = op == DBZ_READ;
	j = value_ok(pt, op, before, after, &src, o);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	j = dbz_key(pt, img, &src, o, err, sizeof(err));
	ck_assert_msg(j != NULL, "dbz_key: %s", err);
	ktext = json_dumps(j, JSON_COMPACT);
	json_decref(j);

	snprintf(what, sizeof(what), "op %c flatten %d schemas %d", (char) op, o->flatten, o->schemas);
	parse_ok(pt, text, &ev);
	ck_assert_msg(dbz_parse_key(pt, ktext, strlen(ktext), &ev, err, sizeof(err)), "key: %s", err);
	ck_assert_int_eq(ev.op, op);
	if (o->flatten) {
		/* the record is one image; the transform keeps no source position */
		expect_image(pt, op == DBZ_DELETE ? ev.before : ev.after, img, what);
		ck_assert_ptr_null(op == DBZ_DELETE ? ev.after : ev.before);
		ck_assert(!ev.has_pos);
		ck_assert_uint_eq(ev.ts_ms, NOW);
		ck_assert_str_eq(ev.file, "");
	} else {
		if (before && op != DBZ_CREATE && op != DBZ_READ)
			expect_image(pt, ev.before, before, what);
		else
			ck_assert_ptr_null(ev.before);
		if (after && op != DBZ_DELETE)
			expect_image(pt, ev.after, after, what);
		else
			ck_assert_ptr_null(ev.after);
		ck_assert(ev.has_pos);
		ck_assert_str_eq(ev.file, "mariadb-bin.000002");
		ck_assert_uint_eq(ev.pos, 1234);
		ck_assert_str_eq(ev.gtid, "0-7-42");
		ck_assert_uint_eq(ev.ts_ms, 1706704496000ULL);
		ck_assert_uint_eq(ev.row, 1);
		ck_assert_uint_eq(ev.server_id, 7);
		ck_assert(ev.snapshot == (op == DBZ_READ));
	}
	ck_assert_str_eq(ev.db, "shop");
	ck_assert_str_eq(ev.table, "t_rt");
	/* the key: its columns, and nothing else */
	ck_assert_ptr_nonnull(ev.key);
	for (size_t i = 0; i < pt->ncols; i++) {
		bool		in_key = false;

		for (size_t k = 0; k < pt->nkey; k++)
			in_key |= pt->key[k] == (int) i;
		if (in_key)
			ck_assert_msg(same_value(&ev.key[i], &img[i]), "key column %s: got %s, want %s",
						  pt->cols[i].name, shown(&ev.key[i]), shown(&img[i]));
		else
			ck_assert_msg(!ev.key[i].present, "key: column %s present", pt->cols[i].name);
	}
	dbz_event_free(&ev);
	free(text);
	free(ktext);
}

START_TEST(parse_roundtrip_every_type)
{
	plan_table *pt = table_new("t_rt", rt_cols, RT_NCOLS, rt_key, 1);
	binlog_value rows[4][RT_NCOLS];
	const dbz_options opts[] = {
		{ false, false, NULL }, { false, true, NULL }, { true, false, NULL }, { true, true, NULL },
	};

	rt_rows(rows);
	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		for (int r = 0; r < 4; r++) {
			roundtrip(pt, DBZ_CREATE, NULL, rows[r], &opts[k]);
			roundtrip(pt, DBZ_READ, NULL, rows[r], &opts[k]);
			roundtrip(pt, DBZ_DELETE, rows[r], NULL, &opts[k]);
			roundtrip(pt, DBZ_UPDATE, rows[r], rows[(r + 1) % 4], &opts[k]);
		}
	}
	table_free(pt);
}
END_TEST

/* One event reused: the second parse must not see the first's values. */
START_TEST(parse_reuses_event)
{
	plan_table *pt = table_new("t_rt", rt_cols, RT_NCOLS, rt_key, 1);
	binlog_value rows[4][RT_NCOLS];
	dbz_source	src = src_of("t_rt");
	dbz_event	ev = DBZ_EVENT_INIT;
	char	   *texts[4];

	rt_rows(rows);
	for (int r = 0; r < 4; r++) {
		json_t	   *j = value_ok(pt, DBZ_CREATE, NULL, rows[r], &src, &SCHEMAS);

		texts[r] = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	for (int pass = 0; pass < 3; pass++)
		for (int r = 0; r < 4; r++) {
			parse_ok(pt, texts[r], &ev);
			expect_image(pt, ev.after, rows[r], "reused event");
		}
	parse_ok(pt, NULL, &ev);
	ck_assert_int_eq(ev.op, DBZ_TOMBSTONE);
	ck_assert_ptr_null(ev.after);
	ck_assert_str_eq(ev.file, "");
	dbz_event_free(&ev);
	for (int r = 0; r < 4; r++)
		free(texts[r]);
	table_free(pt);
}
END_TEST

START_TEST(parse_tombstones)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	dbz_event	ev = DBZ_EVENT_INIT;
	char		err[256] = "";

	ck_assert(dbz_parse(pt, NULL, 0, &ev, err, sizeof(err)));
	ck_assert_int_eq(ev.op, DBZ_TOMBSTONE);
	ck_assert(dbz_parse(pt, "{\"id\":1}", 0, &ev, err, sizeof(err)));	/* len 0 */
	ck_assert_int_eq(ev.op, DBZ_TOMBSTONE);
	parse_ok(pt, "null", &ev);
	ck_assert_int_eq(ev.op, DBZ_TOMBSTONE);
	ck_assert_ptr_null(ev.before);
	ck_assert_ptr_null(ev.after);
	/* the key of a tombstone still names the row */
	ck_assert(dbz_parse_key(pt, "{\"id\":7}", 8, &ev, err, sizeof(err)));
	ck_assert_str_eq(shown(&ev.key[0]), "7");
	ck_assert(!ev.key[1].present);
	ck_assert(dbz_parse_key(pt, NULL, 0, &ev, err, sizeof(err)));
	ck_assert_ptr_null(ev.key);
	dbz_event_free(&ev);
	table_free(pt);
}
END_TEST

/* The inventory.customers table of Debezium's tutorial. */
static const tcol inventory_cols[] = {
	COL("id", "int", "int(11)", false),
	COL("first_name", "varchar", "varchar(255)", false),
	COL("last_name", "varchar", "varchar(255)", false),
	COL("email", "varchar", "varchar(255)", false),
};

#define INVENTORY_ROW \
	"{\"id\":1004,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\",\"email\":\"annek@noanswer.org\"}"
#define INVENTORY_SOURCE \
	"\"source\":{\"version\":\"2.5.0.Final\",\"connector\":\"mysql\",\"name\":\"dbserver1\"," \
	"\"ts_ms\":1706700000000,\"snapshot\":\"false\",\"db\":\"inventory\",\"sequence\":null," \
	"\"table\":\"customers\",\"server_id\":223344,\"gtid\":null,\"file\":\"mysql-bin.000003\"," \
	"\"pos\":154,\"row\":0,\"thread\":7,\"query\":null}"

/* expect_inventory: ev holds Anne's row as the after image of an insert
 * from dbserver1's binlog */
static void
expect_inventory(const dbz_event *ev)
{
	ck_assert_int_eq(ev->op, DBZ_CREATE);
	ck_assert_ptr_null(ev->before);
	ck_assert_ptr_nonnull(ev->after);
	ck_assert_str_eq(shown(&ev->after[0]), "1004");
	ck_assert_str_eq(shown(&ev->after[1]), "Anne");
	ck_assert_str_eq(shown(&ev->after[2]), "Kretchmar");
	ck_assert_str_eq(shown(&ev->after[3]), "annek@noanswer.org");
	ck_assert(ev->has_pos);
	ck_assert_str_eq(ev->file, "mysql-bin.000003");
	ck_assert_uint_eq(ev->pos, 154);
	ck_assert_uint_eq(ev->row, 0);
	ck_assert_uint_eq(ev->server_id, 223344);
	ck_assert_str_eq(ev->gtid, "");
	ck_assert_uint_eq(ev->ts_ms, 1706700000000ULL);
	ck_assert(!ev->snapshot);
	ck_assert_str_eq(ev->db, "inventory");
	ck_assert_str_eq(ev->table, "customers");
}

START_TEST(parse_debezium_mysql_insert)
{
	plan_table *pt = table_new("customers", inventory_cols, 4, customers_key, 1);
	dbz_event	ev = DBZ_EVENT_INIT;
	char		err[256] = "";

	parse_ok(pt, "{\"before\":null,\"after\":" INVENTORY_ROW "," INVENTORY_SOURCE
			 ",\"op\":\"c\",\"ts_ms\":1706700000123,\"transaction\":null}", &ev);
	expect_inventory(&ev);
	/* the same with JsonConverter's schemas, as the connector writes it */
	parse_ok(pt, "{\"schema\":{\"type\":\"struct\",\"fields\":["
			 "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
			 "{\"type\":\"string\",\"optional\":false,\"field\":\"first_name\"},"
			 "{\"type\":\"string\",\"optional\":false,\"field\":\"last_name\"},"
			 "{\"type\":\"string\",\"optional\":false,\"field\":\"email\"}],"
			 "\"optional\":true,\"name\":\"dbserver1.inventory.customers.Value\",\"field\":\"before\"},"
			 "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
			 "{\"type\":\"string\",\"optional\":false,\"field\":\"first_name\"},"
			 "{\"type\":\"string\",\"optional\":false,\"field\":\"last_name\"},"
			 "{\"type\":\"string\",\"optional\":false,\"field\":\"email\"}],"
			 "\"optional\":true,\"name\":\"dbserver1.inventory.customers.Value\",\"field\":\"after\"},"
			 "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"version\"}],"
			 "\"optional\":false,\"name\":\"io.debezium.connector.mysql.Source\",\"field\":\"source\"},"
			 "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
			 "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}],"
			 "\"optional\":false,\"name\":\"dbserver1.inventory.customers.Envelope\",\"version\":1},"
			 "\"payload\":{\"before\":null,\"after\":" INVENTORY_ROW "," INVENTORY_SOURCE
			 ",\"op\":\"c\",\"ts_ms\":1706700000123,\"transaction\":null}}", &ev);
	expect_inventory(&ev);
	{
		const char *key = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
			"\"optional\":false,\"field\":\"id\"}],\"optional\":false,"
			"\"name\":\"dbserver1.inventory.customers.Key\"},\"payload\":{\"id\":1004}}";

		ck_assert_msg(dbz_parse_key(pt, key, strlen(key), &ev, err, sizeof(err)), "key: %s", err);
	}
	ck_assert_str_eq(shown(&ev.key[0]), "1004");
	/* an update with the old row, and a delete */
	parse_ok(pt, "{\"before\":{\"id\":1004,\"first_name\":\"Anne\",\"last_name\":\"K\","
			 "\"email\":\"a@b\"},\"after\":" INVENTORY_ROW "," INVENTORY_SOURCE ",\"op\":\"u\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_UPDATE);
	ck_assert_str_eq(shown(&ev.before[2]), "K");
	ck_assert_str_eq(shown(&ev.after[2]), "Kretchmar");
	parse_ok(pt, "{\"before\":" INVENTORY_ROW ",\"after\":null," INVENTORY_SOURCE ",\"op\":\"d\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_DELETE);
	ck_assert_ptr_null(ev.after);
	ck_assert_str_eq(shown(&ev.before[0]), "1004");
	/* a truncate carries no rows */
	parse_ok(pt, "{\"before\":null,\"after\":null," INVENTORY_SOURCE ",\"op\":\"t\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_TRUNCATE);
	ck_assert_ptr_null(ev.before);
	ck_assert_ptr_null(ev.after);
	ck_assert_str_eq(ev.file, "mysql-bin.000003");
	/* a field that names no column: refused without a schema, unless
	 * KAFKA_UNKNOWN_FIELDS=ignore */
	parse_fails(pt, "{\"before\":null,\"after\":{\"id\":1004,\"first_name\":\"Anne\",\"last_name\":"
				"\"Kretchmar\",\"email\":\"annek@noanswer.org\",\"gone\":1}," INVENTORY_SOURCE
				",\"op\":\"c\"}", "field \"gone\" of the after image names no column of the table, and the "
				"message has no schema to add it with (KAFKA_UNKNOWN_FIELDS=ignore");
	cur_modes.ignore_unknown = true;
	parse_ok(pt, "{\"before\":null,\"after\":{\"id\":1004,\"first_name\":\"Anne\",\"last_name\":"
			 "\"Kretchmar\",\"email\":\"annek@noanswer.org\",\"gone\":1}," INVENTORY_SOURCE
			 ",\"op\":\"c\"}", &ev);
	modes_reset();
	expect_inventory(&ev);
	ck_assert_uint_eq(ev.nadded, 0);
	dbz_event_free(&ev);
	table_free(pt);
}
END_TEST

START_TEST(parse_snapshot_markers)
{
	plan_table *pt = table_new("customers", inventory_cols, 4, customers_key, 1);
	dbz_event	ev = DBZ_EVENT_INIT;
	static const struct { const char *json; bool snapshot; } cases[] = {
		{ "\"true\"", true }, { "\"first\"", true }, { "\"last\"", true },
		{ "\"incremental\"", true }, { "\"false\"", false }, { "true", true },
		{ "false", false }, { "null", false },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char	   *text = xasprintf("{\"before\":null,\"after\":" INVENTORY_ROW ",\"source\":"
									 "{\"snapshot\":%s,\"file\":\"f.000001\",\"pos\":4},\"op\":\"r\"}",
									 cases[k].json);

		parse_ok(pt, text, &ev);
		ck_assert_int_eq(ev.op, DBZ_READ);
		ck_assert_msg(ev.snapshot == cases[k].snapshot, "snapshot %s", cases[k].json);
		ck_assert(ev.has_pos);
		free(text);
	}
	/* a source without a position */
	parse_ok(pt, "{\"before\":null,\"after\":" INVENTORY_ROW ",\"source\":{\"db\":\"x\"},\"op\":\"r\"}", &ev);
	ck_assert(!ev.has_pos);
	ck_assert_str_eq(ev.db, "x");
	dbz_event_free(&ev);
	table_free(pt);
}
END_TEST

START_TEST(parse_flattened_variants)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	dbz_event	ev = DBZ_EVENT_INIT;

	/* no add.fields: an upsert, or a delete by __deleted */
	parse_ok(pt, "{\"id\":1,\"name\":\"Anne\",\"__deleted\":\"false\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_UPDATE);
	ck_assert_ptr_null(ev.before);
	ck_assert_str_eq(shown(&ev.after[1]), "Anne");
	ck_assert(!ev.has_pos);
	parse_ok(pt, "{\"id\":1,\"name\":null,\"__deleted\":\"true\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_DELETE);
	ck_assert_ptr_null(ev.after);
	ck_assert_str_eq(shown(&ev.before[0]), "1");
	ck_assert_str_eq(shown(&ev.before[1]), "(NULL)");
	parse_ok(pt, "{\"id\":1,\"name\":\"x\",\"__deleted\":true}", &ev);
	ck_assert_int_eq(ev.op, DBZ_DELETE);
	parse_ok(pt, "{\"id\":1,\"name\":\"x\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_UPDATE);
	/* add.fields=op,table,source.ts_ms,file,pos,gtid */
	parse_ok(pt, "{\"id\":2,\"name\":\"Bob\",\"__op\":\"c\",\"__table\":\"customers\","
			 "\"__source_ts_ms\":1706700000000,\"__ts_ms\":1706700000999,\"__file\":\"mysql-bin.000003\","
			 "\"__pos\":154,\"__gtid\":\"0-1-5\",\"__deleted\":\"false\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_CREATE);
	ck_assert_uint_eq(ev.ts_ms, 1706700000000ULL);
	ck_assert(ev.has_pos);
	ck_assert_uint_eq(ev.pos, 154);
	ck_assert_str_eq(ev.gtid, "0-1-5");
	ck_assert_str_eq(ev.table, "customers");
	ck_assert_str_eq(ev.db, "");
	/* __op "d" is a delete even without __deleted */
	parse_ok(pt, "{\"id\":2,\"name\":\"Bob\",\"__op\":\"d\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_DELETE);
	ck_assert_str_eq(shown(&ev.before[1]), "Bob");
	dbz_event_free(&ev);
	table_free(pt);

	/* a column named like an added field is the column */
	tcol		cols[] = { COL("id", "int", "int(11)", false), COL("__op", "varchar", "varchar(5)", true),
						   COL("op", "varchar", "varchar(5)", true) };

	pt = table_new("odd", cols, 3, customers_key, 1);
	parse_ok(pt, "{\"id\":3,\"__op\":\"x\",\"op\":\"y\",\"__deleted\":\"false\"}", &ev);
	ck_assert_int_eq(ev.op, DBZ_UPDATE);
	ck_assert_str_eq(shown(&ev.after[1]), "x");
	ck_assert_str_eq(shown(&ev.after[2]), "y");
	dbz_event_free(&ev);
	table_free(pt);
}
END_TEST

static const tcol dec10_2 = { "v", "decimal", "decimal(10,2)", 10, 2, -1, true, false, NULL };
static const tcol dec10_4 = { "v", "decimal", "decimal(10,4)", 10, 4, -1, true, false, NULL };
static const tcol dec10_0 = { "v", "decimal", "decimal(10,0)", 10, 0, -1, true, false, NULL };
static const tcol dec10_0u = { "v", "decimal", "decimal(10,0) unsigned", 10, 0, -1, true, false, NULL };
static const tcol dec30_0 = { "v", "decimal", "decimal(30,0)", 30, 0, -1, true, false, NULL };

START_TEST(parse_decimal_modes)
{
	/* precise (base64 of the unscaled value) */
	expect_parsed(dec10_2, "\"z8c=\"", "-123.45");
	expect_parsed(dec10_4, "\"AA==\"", "0.0000");
	/* precise with a schema whose scale differs: rescaled exactly */
	expect_parsed_schema(dec10_4, "{\"field\":\"v\",\"type\":\"bytes\",\"name\":"
						 "\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"2\"}}",
						 "\"z8c=\"", "-123.4500");
	/* decimal.handling.mode=string */
	cur_modes.decimal = DBZ_DECIMAL_STRING;
	expect_parsed(dec10_2, "\"123.45\"", "123.45");
	expect_parsed(dec10_4, "\"123.45\"", "123.4500");
	expect_parsed(dec10_2, "\"-0.5\"", "-0.50");
	expect_parsed(dec10_2, "\"-0.00\"", "0.00");
	expect_parsed(dec10_0, "\"12345\"", "12345");
	expect_parsed_schema(dec10_0, "{\"field\":\"v\",\"type\":\"string\"}", "\"1234\"", "1234");
	expect_parsed(dec10_0u, "\"1234\"", "1234");
	expect_parsed(dec30_0, "\"1234\"", "1234");	/* the example */
	/* under the string mode base64 is no decimal text */
	one_fails(&dec10_2, "\"z8c=\"", "value \"z8c=\" is not a decimal number for DECIMAL(10,2)");
	one_fails(&dec10_2, "12.5", "value 12.5 is a number, but KAFKA_DECIMAL_HANDLING_MODE=string expects a "
			  "string");
	/* under the precise mode: four digits in a DECIMAL(p,0) are base64 and
	 * decimal text both: refused; text with a point is no base64 */
	modes_reset();
	one_fails(&dec30_0, "\"1234\"", "value \"1234\" is both base64 (KAFKA_DECIMAL_HANDLING_MODE=precise) "
			  "and a decimal text");
	one_fails(&dec10_2, "\"123.45\"", "value \"123.45\" is not base64 (KAFKA_DECIMAL_HANDLING_MODE=precise");
	one_fails(&dec10_2, "12.5", "value 12.5 is a number, but KAFKA_DECIMAL_HANDLING_MODE=precise expects a "
			  "string (base64)");
	expect_parsed(dec10_2, "\"1234\"", "-26588.24");	/* with a scale, digits are no text of it */
	/* decimal.handling.mode=double */
	cur_modes.decimal = DBZ_DECIMAL_DOUBLE;
	one_fails(&dec10_2, "\"12.50\"", "value \"12.50\" is a string, but KAFKA_DECIMAL_HANDLING_MODE=double "
			  "expects a JSON number");
	expect_parsed(dec10_4, "123.45", "123.4500");
	expect_parsed(dec10_2, "0.1", "0.10");
	expect_parsed(dec10_2, "-1e-9", "0.00");
	expect_parsed(dec10_2, "1.005", "1.01");	/* rounded half away from zero */
	expect_parsed(dec10_4, "42", "42.0000");
	expect_parsed(dec30_0, "1.2345678901234567e19", "12345678901234567000");
	modes_reset();
}
END_TEST

START_TEST(parse_timestamps_and_times)
{
	tcol		ts3 = { "v", "timestamp", "timestamp(3)", -1, -1, 3, true, false, NULL };
	tcol		ts0 = { "v", "timestamp", "timestamp", -1, -1, 0, true, false, NULL };
	tcol		dt6 = { "v", "datetime", "datetime(6)", -1, -1, 6, true, false, NULL };
	tcol		dt0 = { "v", "datetime", "datetime", -1, -1, 0, true, false, NULL };
	tcol		tm3 = { "v", "time", "time(3)", -1, -1, 3, true, false, NULL };
	tcol		date = COL("v", "date", "date", true);

	expect_parsed(ts3, "\"2024-01-31T14:34:56.5+02:00\"", "2024-01-31 12:34:56.500");
	expect_parsed(ts3, "\"2024-01-31T12:34:56.123Z\"", "2024-01-31 12:34:56.123");
	expect_parsed(ts0, "\"2024-01-01T00:10:00-05:30\"", "2024-01-01 05:40:00");
	expect_parsed(ts0, "\"2024-03-01T01:00:00+0200\"", "2024-02-29 23:00:00");
	expect_parsed(ts0, "\"2024-03-01T01:00+02\"", "2024-02-29 23:00:00");
	expect_parsed(ts0, "\"1970-01-01T00:00:00Z\"", "1970-01-01 00:00:00");
	expect_parsed(ts3, "\"2024-01-31T12:34:56.120000000Z\"", "2024-01-31 12:34:56.120");
	expect_parsed(ts3, "1706704496123", "2024-01-31 12:34:56.123");	/* a number: ms for p <= 3 */
	/* DATETIME: by precision without a schema, by the schema's name with one */
	expect_parsed(dt6, "1706704496123456", "2024-01-31 12:34:56.123456");
	expect_parsed(dt0, "1529476623000", "2018-06-20 06:37:03");
	expect_parsed(dt0, "-1000", "1969-12-31 23:59:59");
	expect_parsed_schema(dt6, "{\"field\":\"v\",\"type\":\"int64\",\"name\":"
						 "\"org.apache.kafka.connect.data.Timestamp\"}",
						 "1706704496123", "2024-01-31 12:34:56.123000");
	expect_parsed_schema(dt6, "{\"field\":\"v\",\"type\":\"int64\",\"name\":"
						 "\"io.debezium.time.NanoTimestamp\"}",
						 "1706704496123456000", "2024-01-31 12:34:56.123456");
	expect_parsed(dt6, "\"2024-01-31T12:34:56.123456\"", "2024-01-31 12:34:56.123456");
	/* TIME: microseconds, or milliseconds by the schema */
	expect_parsed(tm3, "-3723500000", "-01:02:03.500");
	expect_parsed(tm3, "3020399000000", "838:59:59.000");
	expect_parsed_schema(tm3, "{\"field\":\"v\",\"type\":\"int32\",\"name\":\"io.debezium.time.Time\"}",
						 "45296789", "12:34:56.789");
	/* DATE: days, or the text */
	expect_parsed(date, "-719162", "0001-01-01");
	expect_parsed(date, "19753", "2024-01-31");
	expect_parsed(date, "\"2024-01-31\"", "2024-01-31");
}
END_TEST

/* time.precision.mode, declared: the example and its wrong modes */
START_TEST(parse_time_modes)
{
	tcol		dt6 = { "v", "datetime", "datetime(6)", -1, -1, 6, true, false, NULL };
	tcol		dt3 = { "v", "datetime", "datetime(3)", -1, -1, 3, true, false, NULL };
	tcol		tm6 = { "v", "time", "time(6)", -1, -1, 6, true, false, NULL };
	tcol		tm3 = { "v", "time", "time(3)", -1, -1, 3, true, false, NULL };

	/* connect: DATETIME(6) in milliseconds, exactly */
	cur_modes.time = DBZ_TIME_CONNECT;
	cur_modes.time_assumed = false;
	expect_parsed(dt6, "1529476623123", "2018-06-20 06:37:03.123000");
	expect_parsed(dt3, "1529476623123", "2018-06-20 06:37:03.123");
	expect_parsed(tm6, "45296789", "12:34:56.789000");
	/* microseconds under the connect mode: beyond year 9999, refused */
	one_fails(&dt6, "1529476623123456", "value 1529476623123456 is out of range as milliseconds "
			  "(KAFKA_TIME_PRECISION_MODE=connect)");
	/* adaptive: TIME(0..3) in milliseconds, TIME(4..6) in microseconds */
	cur_modes.time = DBZ_TIME_ADAPTIVE;
	expect_parsed(tm3, "45296789", "12:34:56.789");
	expect_parsed(tm6, "45296789123", "12:34:56.789123");
	expect_parsed(dt6, "1529476623123456", "2018-06-20 06:37:03.123456");
	/* the default, declared: microseconds, also those of 1968 to 1978 */
	cur_modes.time = DBZ_TIME_ADAPTIVE_US;
	expect_parsed(tm3, "45296789000", "12:34:56.789");
	expect_parsed(dt6, "-14182939876544", "1969-07-20 20:17:40.123456");
	/* the default assumed (the mode not declared): milliseconds of the
	 * connect mode are not read as microseconds of 1970 */
	modes_reset();
	one_fails(&dt6, "1529476623123", "value 1529476623123 is microseconds of a date in 1968 to 1978 and "
			  "also milliseconds of a date in years 0000 to 9999");
	one_fails(&dt6, "-14182939876544", "not read either way");
	expect_parsed(dt6, "0", "1970-01-01 00:00:00.000000");	/* the same either way */
	expect_parsed(dt6, "1529476623123456", "2018-06-20 06:37:03.123456");
	expect_parsed(dt3, "1529476623123", "2018-06-20 06:37:03.123");
	/* with a schema, the schema decides */
	expect_parsed_schema(dt6, "{\"field\":\"v\",\"type\":\"int64\",\"name\":"
						 "\"io.debezium.time.MicroTimestamp\"}", "1529476623123", "1970-01-18 16:51:16.623123");
}
END_TEST

/* binary.handling.mode */
START_TEST(parse_binary_modes)
{
	tcol		blob = COL("v", "blob", "blob", true);
	tcol		bin4 = { "v", "binary", "binary(4)", -1, -1, -1, true, false, NULL };

	expect_parsed_bytes(blob, "\"+/8=\"", "\xfb\xff", 2);
	cur_modes.binary = DBZ_BINARY_BASE64;
	expect_parsed_bytes(blob, "\"+/8=\"", "\xfb\xff", 2);
	cur_modes.binary = DBZ_BINARY_BASE64_URL;
	expect_parsed_bytes(blob, "\"-_8=\"", "\xfb\xff", 2);
	expect_parsed_bytes(blob, "\"-_8\"", "\xfb\xff", 2);	/* padding optional */
	one_fails(&blob, "\"+/8=\"", "is not URL-safe base64 (KAFKA_BINARY_HANDLING_MODE=base64-url-safe)");
	cur_modes.binary = DBZ_BINARY_HEX;
	expect_parsed_bytes(blob, "\"00fBff\"", "\x00\xfb\xff", 3);
	expect_parsed_bytes(bin4, "\"0102\"", "\x01\x02\x00\x00", 4);
	one_fails(&blob, "\"AQI=\"", "is not hex digits (KAFKA_BINARY_HANDLING_MODE=hex)");
	one_fails(&blob, "\"012\"", "is not hex digits");
	/* a schema's bytes are base64 whatever the mode */
	expect_parsed_schema(blob, "{\"field\":\"v\",\"type\":\"bytes\"}", "\"AQI=\"", "\x01\x02");
	modes_reset();
	one_fails(&blob, "\"0102ff\"", "is not base64 (KAFKA_BINARY_HANDLING_MODE=bytes or base64)");
}
END_TEST

/* a column the row does not name is NULL; fields that name no column are
 * noted with a type from their schema, or refused without one */
START_TEST(parse_schema_evolution)
{
	static const tcol cols[] = {
		COL("id", "int", "int(11)", false),
		COL("s", "varchar", "varchar(10)", false),
	};
	static const int key[] = { 0 };
	plan_table *pt = table_new("evo", cols, 2, key, 1);
	dbz_event	ev = DBZ_EVENT_INIT;
	char		err[512];
	char	   *sql;

	/* s is gone: NULL; the key must be there */
	parse_ok(pt, "{\"id\":1,\"__op\":\"u\"}", &ev);
	ck_assert(ev.after[1].present);
	ck_assert_ptr_null(ev.after[1].data);
	parse_fails(pt, "{\"s\":\"x\",\"__op\":\"u\"}", "column \"id\" (int(11)): missing from the flattened record");
	/* new fields with a schema: noted with their types, in schema order */
	parse_ok(pt, "{\"schema\":{\"type\":\"struct\",\"fields\":["
			 "{\"field\":\"id\",\"type\":\"int32\"},{\"field\":\"s\",\"type\":\"string\"},"
			 "{\"field\":\"at\",\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.Timestamp\"},"
			 "{\"field\":\"n\",\"type\":\"int16\",\"optional\":true},"
			 "{\"field\":\"price\",\"type\":\"bytes\",\"optional\":true,\"name\":"
			 "\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"8\"}},"
			 "{\"field\":\"code\",\"type\":\"string\",\"optional\":true,\"parameters\":"
			 "{\"__debezium.source.column.type\":\"VARCHAR\",\"__debezium.source.column.length\":\"12\"}},"
			 "{\"field\":\"e\",\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\","
			 "\"parameters\":{\"allowed\":\"a,b c\"}},"
			 "{\"field\":\"__deleted\",\"type\":\"string\",\"optional\":true}]},"
			 "\"payload\":{\"id\":2,\"s\":\"y\",\"at\":1529476623123,\"n\":5,\"price\":\"AQI=\","
			 "\"code\":\"X\",\"e\":\"a\",\"__deleted\":\"false\"}}", &ev);
	ck_assert_uint_eq(ev.nadded, 5);
	ck_assert_str_eq(ev.added[0].name, "at");
	ck_assert_str_eq(ev.added[0].type, "DATETIME(3)");
	ck_assert_str_eq(ev.added[1].type, "SMALLINT");
	ck_assert_str_eq(ev.added[2].type, "DECIMAL(8,2)");
	ck_assert_str_eq(ev.added[3].type, "VARCHAR(12)");
	ck_assert_str_eq(ev.added[4].type, "ENUM('a','b c')");
	sql = dbz_added_alter(pt, &ev, err, sizeof(err));
	ck_assert_ptr_nonnull(sql);
	ck_assert_str_eq(sql, "ALTER TABLE `evo` ADD COLUMN `at` DATETIME(3) NULL, ADD COLUMN `n` SMALLINT NULL, "
					 "ADD COLUMN `price` DECIMAL(8,2) NULL, ADD COLUMN `code` VARCHAR(12) NULL, "
					 "ADD COLUMN `e` ENUM('a','b c') NULL");
	free(sql);
	/* a struct field can be no column */
	parse_ok(pt, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int32\"},"
			 "{\"field\":\"x`y\",\"type\":\"struct\",\"fields\":[]}]},\"payload\":{\"id\":3,\"x`y\":{}}}", &ev);
	ck_assert_uint_eq(ev.nadded, 1);
	ck_assert_ptr_null(ev.added[0].type);
	ck_assert_ptr_null(dbz_added_alter(pt, &ev, err, sizeof(err)));
	ck_assert_msg(strstr(err, "field \"x`y\" names no column, and no column can be added for it: its schema "
						 "is not a Connect type") != NULL, "%s", err);
	/* without a schema: refused, or ignored */
	parse_fails(pt, "{\"id\":4,\"s\":\"z\",\"extra\":1}", "field \"extra\" of the flattened record names no "
				"column");
	cur_modes.ignore_unknown = true;
	parse_ok(pt, "{\"id\":4,\"s\":\"z\",\"extra\":1}", &ev);
	ck_assert_uint_eq(ev.nadded, 0);
	modes_reset();
	dbz_event_free(&ev);
	table_free(pt);
}
END_TEST

/* Geometry: the SRID goes into PostGIS as EWKB; bytea keeps the WKB */
START_TEST(parse_geometry_srid)
{
	static const tcol cols[] = { COL("g", "geometry", "geometry", true) };
	plan_table *pt = table_new("geo", cols, 1, NULL, 0);
	dbz_event	ev = DBZ_EVENT_INIT;
	/* POINT(1 2) little-endian, and big-endian */
	const char *le = "{\"g\":{\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":4326}}";
	const char *be = "{\"g\":{\"wkb\":\"AAAAAAE/8AAAAAAAAEAAAAAAAAAA\",\"srid\":3857}}";

	parse_ok(pt, le, &ev);
	ck_assert_uint_eq(ev.after[0].len, 21);	/* bytea: WKB alone */
	pt->cols[0].tm.postgis = true;
	parse_ok(pt, le, &ev);
	ck_assert_uint_eq(ev.after[0].len, 25);
	ck_assert(memcmp(ev.after[0].data, "\x01\x01\x00\x00\x20\xe6\x10\x00\x00\x00\x00", 11) == 0);
	parse_ok(pt, be, &ev);
	ck_assert_uint_eq(ev.after[0].len, 25);
	ck_assert(memcmp(ev.after[0].data, "\x00\x20\x00\x00\x01\x00\x00\x0f\x11\x3f\xf0", 11) == 0);
	parse_ok(pt, "{\"g\":{\"x\":1.0,\"y\":2.0,\"wkb\":null,\"srid\":4326}}", &ev);
	ck_assert_uint_eq(ev.after[0].len, 25);
	parse_ok(pt, "{\"g\":{\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":null}}", &ev);
	ck_assert_uint_eq(ev.after[0].len, 21);
	parse_fails(pt, "{\"g\":{\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":\"x\"}}", "\"srid\" is not an SRID");
	dbz_event_free(&ev);
	table_free(pt);
}
END_TEST

START_TEST(parse_other_representations)
{
	tcol		ubig = COL("v", "bigint", "bigint(20) unsigned", true);
	tcol		tiny = COL("v", "tinyint", "tinyint(4)", true);
	tcol		b1 = COL("v", "bit", "bit(1)", true);
	tcol		b10 = COL("v", "bit", "bit(10)", true);
	tcol		f = COL("v", "float", "float", true);
	tcol		d = COL("v", "double", "double", true);
	tcol		pnt = COL("v", "point", "point", true);
	tcol		bin = COL("v", "binary", "binary(4)", true);
	tcol		yr = COL("v", "year", "year(4)", true);

	/* BIGINT UNSIGNED: long mode wraps, precise mode is a Decimal */
	expect_parsed(ubig, "-1", "18446744073709551615");
	expect_parsed(ubig, "-9223372036854775808", "9223372036854775808");
	expect_parsed(ubig, "\"AP//////////\"", "18446744073709551615");
	expect_parsed(ubig, "\"18446744073709551615\"", "18446744073709551615");
	/* integers as strings and booleans (TinyIntOneToBooleanConverter) */
	expect_parsed(tiny, "\"-12\"", "-12");
	expect_parsed(tiny, "true", "1");
	expect_parsed(yr, "2155", "2155");
	/* BIT: booleans and 0/1; short little-endian bytes */
	expect_parsed_bytes(b1, "false", "\x00", 1);
	expect_parsed_bytes(b1, "1", "\x01", 1);
	expect_parsed_bytes(b10, "\"AQ==\"", "\x00\x01", 2);
	expect_parsed_bytes(b10, "\"/wMAAA==\"", "\x03\xff", 2);	/* high zero bytes */
	expect_parsed_bytes(b10, "\"\"", "\x00\x00", 2);			/* BitSet of nothing */
	/* FLOAT as Java prints a float, DOUBLE as it prints a double */
	expect_parsed(f, "3.14159", "3.14159");
	expect_parsed(f, "1.100000023841858", "1.1");
	expect_parsed(d, "0.30000000000000004", "0.30000000000000004");
	expect_parsed(d, "1.0E-20", "1e-20");
	expect_parsed(d, "1.234567890123E14", "123456789012300");
	expect_parsed(d, "1.2345678901234568E20", "1.2345678901234568e20");
	expect_parsed(d, "5", "5");
	/* a Point without its WKB; BINARY(n) padded back to n */
	expect_parsed_bytes(pnt, "{\"x\":1.0,\"y\":2.0,\"wkb\":null,\"srid\":null}", WKB_POINT, 21);
	expect_parsed_bytes(pnt, "{\"x\":9,\"y\":9,\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":4326}",
						WKB_POINT, 21);
	expect_parsed_bytes(bin, "\"YWI=\"", "ab\0\0", 4);
}
END_TEST

START_TEST(parse_malformed)
{
	plan_table *pt = table_new("customers", customers_cols, 2, customers_key, 1);
	dbz_event	ev = DBZ_EVENT_INIT;
	char		err[256] = "";

	parse_fails(pt, "{\"op\":", "table \"customers\": the message value is not JSON:");
	parse_fails(pt, "[1,2]", "table \"customers\": the message value is an array, expected an object");
	parse_fails(pt, "42", "is an integer, expected an object");
	parse_fails(pt, "{\"schema\":{},\"payload\":\"x\"}", "the message value is a string");
	parse_fails(pt, "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},\"source\":{},\"op\":\"x\"}",
				"table \"customers\": unknown op \"x\" (expected c, u, d, r or t)");
	parse_fails(pt, "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},\"source\":{}}",
				"unknown op \"null\"");
	parse_fails(pt, "{\"before\":null,\"after\":null,\"source\":{},\"op\":\"c\"}",
				"table \"customers\": op \"c\" without its after image (null)");
	parse_fails(pt, "{\"before\":null,\"after\":{\"name\":\"a\"},\"source\":{},\"op\":\"u\"}",
				"table \"customers\", column \"id\" (int(11)): missing from the after image");
	parse_fails(pt, "{\"before\":[1],\"after\":null,\"source\":{},\"op\":\"d\"}",
				"op \"d\" without its before image (an array)");
	parse_fails(pt, "{\"name\":\"a\"}", "column \"id\" (int(11)): missing from the flattened record");
	parse_fails(pt, "{\"id\":1,\"name\":\"a\",\"__deleted\":\"maybe\"}",
				"__deleted is neither \"true\" nor \"false\"");
	parse_fails(pt, "{\"id\":1,\"name\":\"a\",\"__op\":\"z\"}", "unknown __op");
	parse_fails(pt, "{\"id\":\"x1\",\"name\":\"a\"}",
				"table \"customers\", column \"id\" (int(11)): invalid value \"x1\"");
	parse_fails(pt, "{\"id\":1.5,\"name\":\"a\"}", "column \"id\" (int(11)): unexpected JSON value: a number");
	parse_fails(pt, "{\"id\":1,\"name\":7}", "column \"name\" (varchar(10)): unexpected JSON value: an integer");
	parse_fails(pt, "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},\"source\":{\"pos\":\"x\"},"
				"\"op\":\"c\"}", "table \"customers\": source.pos is not a non-negative integer");
	parse_fails(pt, "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},\"source\":{\"file\":3},"
				"\"op\":\"c\"}", "source.file is an integer, expected a string");
	/* a key without its key column */
	ck_assert(!dbz_parse_key(pt, "{\"name\":\"a\"}", 12, &ev, err, sizeof(err)));
	ck_assert_str_eq(err, "table \"customers\", column \"id\" (int(11)): missing from the key");
	ck_assert(!dbz_parse_key(pt, "{\"id\":", 6, &ev, err, sizeof(err)));
	ck_assert(strstr(err, "the message key is not JSON") != NULL);
	dbz_event_free(&ev);
	table_free(pt);
}
END_TEST

START_TEST(parse_bad_values)
{
	tcol		tiny = COL("v", "tinyint", "tinyint(4)", true);
	tcol		uint = COL("v", "int", "int(10) unsigned", true);
	tcol		yr = COL("v", "year", "year(4)", true);
	tcol		b10 = COL("v", "bit", "bit(10)", true);
	tcol		blob = COL("v", "blob", "blob", true);
	tcol		date = COL("v", "date", "date", true);
	tcol		dt0 = { "v", "datetime", "datetime", -1, -1, 0, true, false, NULL };
	tcol		ts0 = { "v", "timestamp", "timestamp", -1, -1, 0, true, false, NULL };
	tcol		tm0 = { "v", "time", "time", -1, -1, 0, true, false, NULL };
	tcol		geo = COL("v", "linestring", "linestring", true);

	one_fails(&tiny, "300", "table \"t\", column \"v\" (tinyint(4)): value 300 is out of range");
	one_fails(&tiny, "-129", "value -129 is out of range");
	one_fails(&uint, "-1", "column \"v\" (int(10) unsigned): value -1 is out of range");
	one_fails(&uint, "4294967296", "value 4294967296 is out of range");
	one_fails(&yr, "1900", "value 1900 is out of range");
	cur_modes.decimal = DBZ_DECIMAL_STRING;
	one_fails(&dec5_2, "\"1234.5\"",
			  "column \"v\" (decimal(5,2)): value \"1234.5\" is out of range for DECIMAL(5,2)");
	one_fails(&dec5_2, "\"1.234\"", "value \"1.234\" has more fraction digits than the column's scale");
	one_fails(&dec5_2, "\"1e5\"", "value \"1e5\" is not a decimal number");
	modes_reset();
	one_fails(&dec5_2, "\"@@@@\"", "value \"@@@@\" is not base64");
	one_fails(&dec5_2, "\"AYag\"", "value \"1000.00\" is out of range for DECIMAL(5,2)");	/* 100000 */
	cur_modes.decimal = DBZ_DECIMAL_DOUBLE;
	one_fails(&dec5_2, "1e300", "value 1e+300 is out of range");
	modes_reset();
	one_fails(&dec5_2, "true", "expected a Decimal (base64, string or number), got a boolean");
	one_fails(&blob, "\"abc\"", "column \"v\" (blob): value \"abc\" is not base64");
	one_fails(&blob, "\"A=AA\"", "is not base64");
	one_fails(&blob, "\"AA=A\"", "is not base64");
	one_fails(&b10, "\"AAQ=\"", "BIT(10) value has bits set above bit 10");
	one_fails(&b10, "\"AAAB\"", "BIT(10) value has bits set above bit 10");
	one_fails(&date, "2932897", "column \"v\" (date): value 2932897 is out of range");
	one_fails(&date, "-719529", "value -719529 is out of range");
	one_fails(&date, "\"2024-1-31\"", "invalid value \"2024-1-31\"");
	one_fails(&dt0, "1500", "column \"v\" (datetime): value 1500 has more fraction digits than the "
			  "column's precision");
	one_fails(&dt0, "253402300800000", "value 253402300800000 is outside the years 0000-9999");
	one_fails(&dt0, "9223372036854775807", "value 9223372036854775807 is out of range");
	one_fails(&ts0, "\"2024-02-30T00:00:00Z\"", "column \"v\" (timestamp): invalid value");
	one_fails(&ts0, "\"2024-01-31T12:00:00\"", "invalid value");	/* no zone */
	one_fails(&ts0, "\"2024-01-31T12:00:00+25:00\"", "invalid value");
	one_fails(&ts0, "\"9999-12-31T23:00:00-02:00\"", "is outside the years 0000-9999");
	one_fails(&ts0, "\"2024-01-31T12:00:00.0000001Z\"", "invalid value");
	one_fails(&tm0, "3020400000000", "column \"v\" (time): value 3020400000000 is out of range");
	one_fails(&tm0, "1500", "has more fraction digits than the column's precision");
	one_fails(&geo, "\"AQIAAAA=\"", "expected a geometry struct {\"wkb\", \"srid\"}, got a string");
	one_fails(&geo, "{\"srid\":null}", "geometry struct has neither \"wkb\" nor \"x\" and \"y\"");
	one_fails(&geo, "{\"wkb\":\"!!!!\"}", "\"wkb\" is not the base64 of a WKB value");
}
END_TEST

Suite *
debezium_decode_suite(void)
{
	Suite	   *s = suite_create("debezium_decode");
	TCase	   *tc = tcase_create("parse");

	tcase_add_test(tc, parse_roundtrip_every_type);
	tcase_add_test(tc, parse_reuses_event);
	tcase_add_test(tc, parse_tombstones);
	tcase_add_test(tc, parse_debezium_mysql_insert);
	tcase_add_test(tc, parse_snapshot_markers);
	tcase_add_test(tc, parse_flattened_variants);
	tcase_add_test(tc, parse_decimal_modes);
	tcase_add_test(tc, parse_time_modes);
	tcase_add_test(tc, parse_binary_modes);
	tcase_add_test(tc, parse_schema_evolution);
	tcase_add_test(tc, parse_geometry_srid);
	tcase_add_test(tc, parse_timestamps_and_times);
	tcase_add_test(tc, parse_other_representations);
	tcase_add_test(tc, parse_malformed);
	tcase_add_test(tc, parse_bad_values);
	suite_add_tcase(s, tc);
	return s;
}
