/*
 * Unit tests of the type map's COPY binary encoders: exact wire bytes for
 * every binary form, the same rules as text (zero dates, NUL, UTF-8), and
 * values PostgreSQL's input would refuse.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common/typemap.h"

/* col_of: a prepared column of kind with pg_type */
static typemap_column
col_of(typemap_kind kind, const char *pg_type)
{
	typemap_column c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	snprintf(c.pg_type, sizeof(c.pg_type), "%s", pg_type);
	ck_assert(typemap_binary_prepare(&c));
	return c;
}

/* expect: encoding val gives exactly the bytes want (n of them) */
static void
expect(typemap_column c, const char *val, const char *want, size_t n, unsigned want_fixes)
{
	buf out = BUF_INIT;
	unsigned fixes = 0;
	char err[256] = "";

	buf_puts(&out, "XY");		/* the encoder appends */
	ck_assert_msg(typemap_encode_binary(&c, val, val ? strlen(val) : 0, &out, &fixes, err, sizeof(err)),
				  "%s: %s", val, err);
	ck_assert_uint_eq(out.len, n + 2);
	ck_assert_msg(memcmp(out.data + 2, want, n) == 0, "bytes of %s", val);
	ck_assert_uint_eq(fixes, want_fixes);
	buf_free(&out);
}

/* refuse: val is not encodable; out keeps its length */
static void
refuse(typemap_column c, const char *val)
{
	buf out = BUF_INIT;
	unsigned fixes = 0;
	char err[256] = "";

	buf_puts(&out, "XY");
	ck_assert_msg(!typemap_encode_binary(&c, val, strlen(val), &out, &fixes, err, sizeof(err)), "accepted %s", val);
	ck_assert_uint_eq(out.len, 2);
	ck_assert(err[0] != '\0');
	buf_free(&out);
}

START_TEST(test_bin_integers)
{
	expect(col_of(TYPEMAP_INT, "smallint"), "-32768", "\0\0\0\2\x80\0", 6, 0);
	expect(col_of(TYPEMAP_INT, "integer"), "2147483647", "\0\0\0\4\x7f\xff\xff\xff", 8, 0);
	expect(col_of(TYPEMAP_INT, "bigint"), "-9223372036854775808", "\0\0\0\x08\x80\0\0\0\0\0\0\0", 12, 0);
	expect(col_of(TYPEMAP_INT, "bigint"), "1", "\0\0\0\x08\0\0\0\0\0\0\0\1", 12, 0);
	expect(col_of(TYPEMAP_INT, "integer"), NULL, "\xff\xff\xff\xff", 4, 0);
	refuse(col_of(TYPEMAP_INT, "smallint"), "32768");
	refuse(col_of(TYPEMAP_INT, "integer"), "12x");
	refuse(col_of(TYPEMAP_INT, "bigint"), "9223372036854775808");
}
END_TEST

START_TEST(test_bin_numeric)
{
	typemap_column n = col_of(TYPEMAP_DECIMAL, "numeric(10,4)");

	/* ndigits, weight, sign, dscale, digits (base 10000) */
	expect(n, "-123456.7891", "\0\0\0\x0e" "\0\3\0\1\x40\0\0\4" "\0\x0c\x0d\x80\x1e\xd3", 18, 0);
	expect(n, "0.5", "\0\0\0\x0a" "\0\1\xff\xff\0\0\0\1" "\x13\x88", 14, 0);
	expect(n, "0.0000", "\0\0\0\x08" "\0\0\0\0\0\0\0\4", 12, 0);
	expect(n, "-0.00", "\0\0\0\x08" "\0\0\0\0\0\0\0\2", 12, 0);
	expect(col_of(TYPEMAP_INT, "numeric(20)"), "18446744073709551615",
		   "\0\0\0\x12" "\0\5\0\4\0\0\0\0" "\x07\x34\x1a\x58\x02\xe1\x03\xbb\x06\x4f", 22, 0);
	expect(n, "10000", "\0\0\0\x0a" "\0\1\0\1\0\0\0\0" "\0\1", 14, 0);
	refuse(n, "1.2.3");
	refuse(n, "");
}
END_TEST

START_TEST(test_bin_float_bool)
{
	expect(col_of(TYPEMAP_FLOAT, "real"), "1.5", "\0\0\0\4\x3f\xc0\0\0", 8, 0);
	expect(col_of(TYPEMAP_DOUBLE, "double precision"), "-2", "\0\0\0\x08\xc0\0\0\0\0\0\0\0", 12, 0);
	expect(col_of(TYPEMAP_BOOL_INT, "boolean"), "5", "\0\0\0\1\1", 5, 0);
	expect(col_of(TYPEMAP_BOOL_INT, "boolean"), "0", "\0\0\0\1\0", 5, 0);
	expect(col_of(TYPEMAP_BOOL_BIT, "boolean"), "\1", "\0\0\0\1\1", 5, 0);
	refuse(col_of(TYPEMAP_FLOAT, "real"), "nan");
}
END_TEST

START_TEST(test_bin_text_json)
{
	typemap_column t = col_of(TYPEMAP_TEXT, "text");
	typemap_column j = col_of(TYPEMAP_JSON, "jsonb");
	buf out = BUF_INIT;
	unsigned fixes = 0;
	char err[64];

	/* no COPY escaping in binary: tabs, newlines and backslashes as they are */
	expect(t, "a\tb\\c\n", "\0\0\0\6a\tb\\c\n", 10, 0);
	expect(t, "\xc3\xa9\xff", "\0\0\0\5\xc3\xa9\xef\xbf\xbd", 9, TYPEMAP_FIX_BAD_UTF8);
	ck_assert(typemap_encode_binary(&t, "a\0b", 3, &out, &fixes, err, sizeof(err)));
	ck_assert_uint_eq(out.len, 6);
	ck_assert(memcmp(out.data, "\0\0\0\2ab", 6) == 0);
	ck_assert_uint_eq(fixes, TYPEMAP_FIX_NUL);
	buf_free(&out);
	/* jsonb: version byte 1; \u0000 removed, an escaped backslash kept whole */
	expect(j, "{\"a\":\"x\\u0000\\\\u0000\"}", "\0\0\0\x11\1{\"a\":\"x\\\\u0000\"}", 21, TYPEMAP_FIX_NUL);
}
END_TEST

START_TEST(test_bin_dates)
{
	typemap_column d = col_of(TYPEMAP_DATE, "date");
	typemap_column ts = col_of(TYPEMAP_DATETIME, "timestamp(6) without time zone");
	typemap_column tz = col_of(TYPEMAP_TIMESTAMP, "timestamp(3) with time zone");

	expect(d, "2000-01-01", "\0\0\0\4\0\0\0\0", 8, 0);
	expect(d, "1999-12-31", "\0\0\0\4\xff\xff\xff\xff", 8, 0);
	expect(d, "2024-02-29", "\0\0\0\4\0\0\x22\x79", 8, 0);
	expect(d, "0000-00-00", "\0\0\0\4\x80\0\0\0", 8, TYPEMAP_FIX_ZERO_DATE);
	expect(d, "2023-00-15", "\0\0\0\4\x80\0\0\0", 8, TYPEMAP_FIX_ZERO_DATE);
	expect(ts, "2000-01-01 00:00:00.000001", "\0\0\0\x08\0\0\0\0\0\0\0\1", 12, 0);
	expect(ts, "2000-01-01 00:00:01.5", "\0\0\0\x08\0\0\0\0\0\x16\xe3\x60", 12, 0);
	expect(tz, "1999-12-31 23:59:59", "\0\0\0\x08\xff\xff\xff\xff\xff\xf0\xbd\xc0", 12, 0);
	expect(tz, "0000-00-00 00:00:00", "\0\0\0\x08\x80\0\0\0\0\0\0\0", 12, TYPEMAP_FIX_ZERO_DATE);
	refuse(d, "2023-02-29");
	refuse(d, "2024-02-30");
	refuse(d, "2024-13-01");
	refuse(ts, "2024-01-01 24:00:00");
	refuse(ts, "2024-01-01");
}
END_TEST

START_TEST(test_bin_uuid_bytea_and_unsupported)
{
	typemap_column c;

	expect(col_of(TYPEMAP_UUID, "uuid"), "123e4567-e89b-12d3-a456-426614174000",
		   "\0\0\0\x10\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00", 20, 0);
	refuse(col_of(TYPEMAP_UUID, "uuid"), "123e4567-e89b-12d3-a456-42661417400");
	expect(col_of(TYPEMAP_BYTEA, "bytea"), "\\\xff", "\0\0\0\2\\\xff", 6, 0);
	memset(&c, 0, sizeof(c));
	c.kind = TYPEMAP_TIME;
	ck_assert(!typemap_binary_prepare(&c));
	c.kind = TYPEMAP_BIT;
	ck_assert(!typemap_binary_prepare(&c));
	c.kind = TYPEMAP_PASSTHROUGH;
	ck_assert(!typemap_binary_prepare(&c));
	c.kind = TYPEMAP_INET;
	ck_assert(!typemap_binary_prepare(&c));
}
END_TEST

Suite *
typemap_binary_suite(void)
{
	Suite *s = suite_create("typemap_binary");
	TCase *tc = tcase_create("encode");

	tcase_add_test(tc, test_bin_integers);
	tcase_add_test(tc, test_bin_numeric);
	tcase_add_test(tc, test_bin_float_bool);
	tcase_add_test(tc, test_bin_text_json);
	tcase_add_test(tc, test_bin_dates);
	tcase_add_test(tc, test_bin_uuid_bytea_and_unsupported);
	suite_add_tcase(s, tc);
	return s;
}
