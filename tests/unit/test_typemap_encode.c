/*
 * Unit tests for the type map's COPY text encoding. Values are given as
 * MariaDB's text protocol returns them, and the COPY text field is compared
 * byte for byte. Encoding always starts from a buffer that already holds a
 * prefix, so that a test also catches a value that overwrites instead of
 * appending, and a failed value must leave that prefix exactly as it was.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/typemap.h"
#include "tests/unit/test_typemap.h"

#define PREFIX "1\t"
#define PREFIX_LEN 2

/*
 * enc_is: encoding val (len bytes) must append exactly want (wlen bytes)
 * after the prefix and report exactly want_fixes.
 */
static void
enc_is(const typemap_column *col, const char *val, size_t len,
	   const char *want, size_t wlen, unsigned want_fixes)
{
	buf			out = BUF_INIT;
	unsigned	fixes = 0;
	char		err[256] = "";

	buf_puts(&out, PREFIX);
	ck_assert_msg(typemap_encode_copy(col, val, len, &out, &fixes, err, sizeof(err)),
				  "encode failed: %s", err);
	ck_assert_uint_eq(out.len, PREFIX_LEN + wlen);
	ck_assert_mem_eq(out.data, PREFIX, PREFIX_LEN);
	ck_assert_mem_eq(out.data + PREFIX_LEN, want, wlen);
	ck_assert_uint_eq(out.data[out.len], 0);
	ck_assert_uint_eq(fixes, want_fixes);
	buf_free(&out);
}

/* enc_str: enc_is for C strings without fixes */
static void
enc_str(const typemap_column *col, const char *val, const char *want)
{
	enc_is(col, val, strlen(val), want, strlen(want), 0);
}

/* enc_fails: encoding must fail, leave the buffer as it was, and say why */
static void
enc_fails(const typemap_column *col, const char *val, size_t len)
{
	buf			out = BUF_INIT;
	unsigned	fixes = 0;
	char		err[256] = "";

	buf_puts(&out, PREFIX);
	ck_assert_msg(!typemap_encode_copy(col, val, len, &out, &fixes, err, sizeof(err)),
				  "encode of \"%.*s\" should fail", (int) len, val);
	ck_assert_uint_eq(out.len, PREFIX_LEN);
	ck_assert_str_eq(out.data, PREFIX);
	ck_assert_uint_eq(fixes, 0);
	ck_assert_msg(err[0] != '\0', "no error message");
	buf_free(&out);
}

/* enc_fails_str: enc_fails for a C string */
static void
enc_fails_str(const typemap_column *col, const char *val)
{
	enc_fails(col, val, strlen(val));
}


/* ---------------------------------------------------------------------
 * Encoding: numbers
 * --------------------------------------------------------------------- */

START_TEST(test_encode_null)
{
	typemap_column col = column_of("int", "int(11)");

	enc_is(&col, NULL, 0, "\\N", 2, 0);
	col = column_of("blob", "blob");
	enc_is(&col, NULL, 0, "\\N", 2, 0);
	col = column_of("date", "date");
	enc_is(&col, NULL, 0, "\\N", 2, 0);
}
END_TEST

START_TEST(test_encode_integer_edges)
{
	static const char *const vals[] = {
		"0", "-128", "127", "255", "-32768", "32767", "65535",
		"-8388608", "8388607", "16777215",
		"-2147483648", "2147483647", "4294967295",
		"-9223372036854775808", "9223372036854775807", "18446744073709551615",
	};
	typemap_column col = column_of("bigint", "bigint(20) unsigned");

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		enc_str(&col, vals[i], vals[i]);
	col = column_of("tinyint", "tinyint(4)");
	enc_str(&col, "-128", "-128");
	enc_str(&col, "127", "127");
}
END_TEST

START_TEST(test_encode_integer_rejected)
{
	static const char *const vals[] = {
		"abc", "", "12a", " 1", "1 ", "1.5", "-", "+", "1e5", "0x10", "--1",
	};
	typemap_column col = column_of("int", "int(11)");

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		enc_fails_str(&col, vals[i]);
	enc_fails(&col, "12\0" "3", 4);

	/* the error names the value and the type */
	buf			out = BUF_INIT;
	unsigned	fixes = 0;
	char		err[256] = "";

	ck_assert(!typemap_encode_copy(&col, "x7", 2, &out, &fixes, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "\"x7\""));
	ck_assert_ptr_nonnull(strstr(err, "integer"));
	ck_assert_uint_eq(out.len, 0);
	buf_free(&out);
}
END_TEST

START_TEST(test_encode_decimal)
{
	typemap_column col = column_of("decimal", "decimal(30,4)");

	enc_str(&col, "-123.45", "-123.45");
	enc_str(&col, "0.0000", "0.0000");
	enc_str(&col, "99999999999999999999999999.9999", "99999999999999999999999999.9999");
	enc_str(&col, "42", "42");
	enc_fails_str(&col, "1e5");
	enc_fails_str(&col, "1.2.3");
	enc_fails_str(&col, ".");
	enc_fails_str(&col, "");
	enc_fails_str(&col, "NaN");
}
END_TEST

START_TEST(test_encode_float_double)
{
	typemap_column col = column_of("float", "float");

	enc_str(&col, "3.40282e38", "3.40282e38");
	enc_str(&col, "-1.17549e-38", "-1.17549e-38");
	enc_str(&col, "1e-7", "1e-7");
	enc_str(&col, "0", "0");
	enc_str(&col, "-0", "-0");
	enc_str(&col, "1.5", "1.5");
	col = column_of("double", "double");
	enc_str(&col, "1.7976931348623157e308", "1.7976931348623157e308");
	enc_str(&col, "-2.2250738585072014E-308", "-2.2250738585072014E-308");
	/* MariaDB cannot store these, so they are not its values */
	enc_fails_str(&col, "inf");
	enc_fails_str(&col, "-inf");
	enc_fails_str(&col, "nan");
	enc_fails_str(&col, "NaN");
	enc_fails_str(&col, "Infinity");
	enc_fails_str(&col, "1e");
	enc_fails_str(&col, "e5");
	enc_fails_str(&col, "1e+");
}
END_TEST

START_TEST(test_encode_bool_int)
{
	typemap_column col = column_with_override("tinyint", "tinyint(1)", "boolean");

	enc_str(&col, "0", "f");
	enc_str(&col, "1", "t");
	enc_str(&col, "-1", "t");
	enc_str(&col, "127", "t");
	enc_str(&col, "10", "t");
	enc_fails_str(&col, "x");
	enc_fails_str(&col, "");
	enc_fails_str(&col, "true");
}
END_TEST

/* ---------------------------------------------------------------------
 * Encoding: bits and bytes
 * --------------------------------------------------------------------- */

START_TEST(test_encode_bool_bit)
{
	typemap_column col = column_of("bit", "bit(1)");

	enc_is(&col, "\x00", 1, "f", 1, 0);
	enc_is(&col, "\x01", 1, "t", 1, 0);
	enc_fails(&col, "", 0);
	enc_fails(&col, "\x00\x01", 2);
}
END_TEST

START_TEST(test_encode_bit_n)
{
	typemap_column col = column_of("bit", "bit(10)");

	enc_str(&col, "\x02\x01", "1000000001");
	enc_str(&col, "\x03\xff", "1111111111");
	enc_is(&col, "\x00\x00", 2, "0000000000", 10, 0);
	enc_is(&col, "\x00\x05", 2, "0000000101", 10, 0);
	/* a shorter value is left-padded with zero bytes */
	enc_str(&col, "\x05", "0000000101");
	enc_is(&col, "", 0, "0000000000", 10, 0);
	/* too long, or a bit above bit 10 set */
	enc_fails(&col, "\x00\x00\x01", 3);
	enc_fails(&col, "\x04\x00", 2);
	enc_fails(&col, "\x80\x00", 2);

	col = column_of("bit", "bit(64)");
	enc_str(&col, "\x80\x01\x02\x03\x04\x05\x06\xff",
			"1000000000000001000000100000001100000100000001010000011011111111");

	col = column_of("bit", "bit(8)");
	enc_str(&col, "\xa5", "10100101");

	/* BIT(1) kept as bit(1) by an override */
	col = column_with_override("bit", "bit(1)", "bit(1)");
	enc_is(&col, "\x01", 1, "1", 1, 0);
	enc_is(&col, "\x00", 1, "0", 1, 0);
	enc_fails(&col, "\x02", 1);
}
END_TEST

START_TEST(test_encode_bytea)
{
	typemap_column col = column_of("blob", "blob");

	/* COPY text: the bytea escape's backslash is itself escaped */
	enc_str(&col, "\x0a\x0b", "\\\\x0a0b");
	enc_is(&col, "", 0, "\\\\x", 3, 0);
	enc_is(&col, "\x00\xff\x5c\x09", 4, "\\\\x00ff5c09", 11, 0);
	col = column_with_override("varchar", "varchar(10)", "bytea");
	enc_str(&col, "Ab", "\\\\x4162");
}
END_TEST

START_TEST(test_encode_geometry)
{
	/* WKB of POINT(1 2), little-endian */
	static const char wkb[] =
		"\x01\x01\x00\x00\x00"
		"\x00\x00\x00\x00\x00\x00\xf0\x3f"
		"\x00\x00\x00\x00\x00\x00\x00\x40";
	typemap_source src = source("point", "point");
	typemap_column col = resolve(&src);

	enc_str(&col, "", "\\\\x");
	enc_is(&col, wkb, 21, "\\\\x0101000000000000000000f03f0000000000000040", 45, 0);
	src.postgis = true;
	col = resolve(&src);
	enc_is(&col, wkb, 21, "0101000000000000000000f03f0000000000000040", 42, 0);
}
END_TEST

/* ---------------------------------------------------------------------
 * Encoding: text
 * --------------------------------------------------------------------- */

START_TEST(test_encode_text_escapes)
{
	typemap_column col = column_of("varchar", "varchar(100)");

	enc_str(&col, "plain text", "plain text");
	enc_str(&col, "", "");
	enc_str(&col, "a\tb\nc\rd\\e", "a\\tb\\nc\\rd\\\\e");
	enc_str(&col, "\\N", "\\\\N");
	enc_str(&col, "\\.", "\\\\.");
	enc_str(&col, "\t\t", "\\t\\t");
	/* other control bytes need no escape in COPY text */
	enc_str(&col, "\x01\x1f\x7f", "\x01\x1f\x7f");
	col = column_of("enum", "enum('a b','c')");
	enc_str(&col, "a b", "a b");
	col = column_of("set", "set('x','y')");
	enc_str(&col, "x,y", "x,y");
}
END_TEST

START_TEST(test_encode_text_nul)
{
	typemap_column col = column_of("text", "text");

	enc_is(&col, "a\0b", 3, "ab", 2, TYPEMAP_FIX_NUL);
	enc_is(&col, "\0", 1, "", 0, TYPEMAP_FIX_NUL);
	enc_is(&col, "\0\0x\0", 4, "x", 1, TYPEMAP_FIX_NUL);
	enc_is(&col, "0123456789\0abcdefgh", 19, "0123456789abcdefgh", 18, TYPEMAP_FIX_NUL);
}
END_TEST

START_TEST(test_encode_text_valid_utf8)
{
	typemap_column col = column_of("text", "text");

	enc_str(&col, "caf\xc3\xa9", "caf\xc3\xa9");
	enc_str(&col, "\xe2\x82\xac 5", "\xe2\x82\xac 5");
	enc_str(&col, "smile \xf0\x9f\x98\x80!", "smile \xf0\x9f\x98\x80!");
	enc_str(&col, "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	enc_str(&col, "\xef\xbf\xbd", "\xef\xbf\xbd");	/* U+FFFD itself */
	enc_str(&col, "\xe0\xa0\x80\xed\x9f\xbf", "\xe0\xa0\x80\xed\x9f\xbf");
	enc_str(&col, "\xc3\xa9\t\xc3\xa9", "\xc3\xa9\\t\xc3\xa9");
}
END_TEST

#define FFFD "\xef\xbf\xbd"

START_TEST(test_encode_text_invalid_utf8)
{
	typemap_column col = column_of("text", "text");

	/* lone continuation byte */
	enc_is(&col, "a\x80" "b", 3, "a" FFFD "b", 5, TYPEMAP_FIX_BAD_UTF8);
	/* overlong '/' */
	enc_is(&col, "\xc0\xaf", 2, FFFD FFFD, 6, TYPEMAP_FIX_BAD_UTF8);
	/* surrogate U+D800 */
	enc_is(&col, "\xed\xa0\x80", 3, FFFD FFFD FFFD, 9, TYPEMAP_FIX_BAD_UTF8);
	/* truncated euro sign, at the end and before ASCII */
	enc_is(&col, "\xe2\x82", 2, FFFD FFFD, 6, TYPEMAP_FIX_BAD_UTF8);
	enc_is(&col, "\xe2\x82" "A", 3, FFFD FFFD "A", 7, TYPEMAP_FIX_BAD_UTF8);
	/* the value ends inside a character even if the memory goes on */
	enc_is(&col, "\xe2\x82\xac", 2, FFFD FFFD, 6, TYPEMAP_FIX_BAD_UTF8);
	enc_is(&col, "\xf0\x9f\x98\x80", 3, FFFD FFFD FFFD, 9, TYPEMAP_FIX_BAD_UTF8);
	/* past U+10FFFF, and bytes that never occur */
	enc_is(&col, "\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD, 12, TYPEMAP_FIX_BAD_UTF8);
	enc_is(&col, "\xf8", 1, FFFD, 3, TYPEMAP_FIX_BAD_UTF8);
	enc_is(&col, "\xff\xfe", 2, FFFD FFFD, 6, TYPEMAP_FIX_BAD_UTF8);
	/* overlong 3- and 4-byte forms */
	enc_is(&col, "\xe0\x80\xaf", 3, FFFD FFFD FFFD, 9, TYPEMAP_FIX_BAD_UTF8);
	enc_is(&col, "\xf0\x80\x80\xaf", 4, FFFD FFFD FFFD FFFD, 12, TYPEMAP_FIX_BAD_UTF8);
	/* a good character right after a bad byte survives */
	enc_is(&col, "\x80\xc3\xa9", 3, FFFD "\xc3\xa9", 5, TYPEMAP_FIX_BAD_UTF8);
	/* all three rules in one value */
	enc_is(&col, "\x80\0\t", 3, FFFD "\\t", 5, TYPEMAP_FIX_BAD_UTF8 | TYPEMAP_FIX_NUL);
}
END_TEST

/*
 * The fast path reads eight bytes at a time: put each special byte at every
 * position around those boundaries and check the result against the slow
 * definition.
 */
START_TEST(test_encode_text_every_position)
{
	static const struct {
		const char *in;
		size_t		inlen;
		const char *out;
		size_t		outlen;
		unsigned	fix;
	}			specials[] = {
		{"\\", 1, "\\\\", 2, 0},
		{"\t", 1, "\\t", 2, 0},
		{"\n", 1, "\\n", 2, 0},
		{"\r", 1, "\\r", 2, 0},
		{"\0", 1, "", 0, TYPEMAP_FIX_NUL},
		{"\x80", 1, FFFD, 3, TYPEMAP_FIX_BAD_UTF8},
		{"\xc3\xa9", 2, "\xc3\xa9", 2, 0},
		{"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", 4, 0},
		{"\x01", 1, "\x01", 1, 0},
	};
	typemap_column col = column_of("text", "text");

	for (size_t s = 0; s < sizeof(specials) / sizeof(specials[0]); s++) {
		for (size_t total = 1; total <= 40; total++) {
			for (size_t pos = 0; pos + specials[s].inlen <= total; pos++) {
				char		in[64], want[64];
				size_t		after = total - pos - specials[s].inlen;

				memset(in, 'x', pos);
				memcpy(in + pos, specials[s].in, specials[s].inlen);
				memset(in + pos + specials[s].inlen, 'y', after);
				memset(want, 'x', pos);
				memcpy(want + pos, specials[s].out, specials[s].outlen);
				memset(want + pos + specials[s].outlen, 'y', after);
				enc_is(&col, in, total, want, pos + specials[s].outlen + after,
					   specials[s].fix);
			}
		}
	}
}
END_TEST

START_TEST(test_encode_text_large)
{
	typemap_column col = column_of("longtext", "longtext");
	size_t		n = 100000;
	char	   *in = malloc(n);
	char	   *want = malloc(n + 16);

	for (size_t i = 0; i < n; i++)
		in[i] = (char) ('a' + i % 26);
	memcpy(want, in, n);
	enc_is(&col, in, n, want, n, 0);
	in[n - 1] = '\n';
	memcpy(want + n - 1, "\\n", 2);
	enc_is(&col, in, n, want, n + 1, 0);
	free(in);
	free(want);
}
END_TEST

START_TEST(test_encode_json)
{
	typemap_column col = column_of("json", "json");

	enc_str(&col, "{\"a\": [1, 2]}", "{\"a\": [1, 2]}");
	/* \u0000 goes, as jsonb rejects it */
	enc_is(&col, "{\"a\":\"x\\u0000y\"}", 16, "{\"a\":\"xy\"}", 10, TYPEMAP_FIX_NUL);
	enc_is(&col, "\"\\u00000\"", 9, "\"0\"", 3, TYPEMAP_FIX_NUL);
	enc_is(&col, "\"\\u0000\\u0000\"", 14, "\"\"", 2, TYPEMAP_FIX_NUL);
	/* an escaped backslash followed by u0000 is text, not a NUL */
	enc_str(&col, "\"\\\\u0000\"", "\"\\\\\\\\u0000\"");
	enc_is(&col, "\"\\\\\\u0000\"", 10, "\"\\\\\\\\\"", 6, TYPEMAP_FIX_NUL);
	/* other escapes stay, their backslash escaped for COPY */
	enc_str(&col, "\"a\\nb\\u0041\\\"\"", "\"a\\\\nb\\\\u0041\\\\\"\"");
	enc_str(&col, "\"\\u00e9\"", "\"\\\\u00e9\"");
	/* a short tail is not an escape to remove */
	enc_str(&col, "\\u000", "\\\\u000");
	/* raw control bytes, NUL and bad UTF-8 follow the text rules */
	enc_is(&col, "[\"\t\0\x80\"]", 7, "[\"\\t" FFFD "\"]", 9,
		   TYPEMAP_FIX_NUL | TYPEMAP_FIX_BAD_UTF8);

	/* a longtext with a JSON_VALID check is the same column */
	typemap_source src = source("longtext", "longtext");

	src.is_json = true;
	col = resolve(&src);
	enc_is(&col, "\"\\u0000\"", 8, "\"\"", 2, TYPEMAP_FIX_NUL);

	/* plain text keeps \u0000 as six characters */
	col = column_of("longtext", "longtext");
	enc_str(&col, "\\u0000", "\\\\u0000");
}
END_TEST

START_TEST(test_encode_passthrough)
{
	typemap_column col = column_with_override("varchar", "varchar(36)", "uuid");

	enc_str(&col, "0e4e3c0a-4d3b-11ee-be56-0242ac120002",
			"0e4e3c0a-4d3b-11ee-be56-0242ac120002");
	col = column_with_override("varchar", "varchar(20)", "text");
	enc_is(&col, "a\tb\\\0\x80", 6, "a\\tb\\\\" FFFD, 9,
		   TYPEMAP_FIX_NUL | TYPEMAP_FIX_BAD_UTF8);
	col = column_with_override("blob", "blob", "text");
	enc_str(&col, "caf\xc3\xa9\n", "caf\xc3\xa9\\n");
	col = column_with_override("int", "int(11)", "bigint");
	enc_str(&col, "-2147483648", "-2147483648");
}
END_TEST

START_TEST(test_encode_inet_uuid)
{
	typemap_column col = column_of("inet6", "inet6");

	enc_str(&col, "2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329");
	enc_str(&col, "::ffff:192.0.2.1", "::ffff:192.0.2.1");
	col = column_of("inet4", "inet4");
	enc_str(&col, "192.0.2.1", "192.0.2.1");
	col = column_of("uuid", "uuid");
	enc_str(&col, "123e4567-e89b-12d3-a456-426655440000",
			"123e4567-e89b-12d3-a456-426655440000");
}
END_TEST

/* ---------------------------------------------------------------------
 * Encoding: dates and times
 * --------------------------------------------------------------------- */

START_TEST(test_encode_date)
{
	typemap_column col = column_of("date", "date");

	enc_str(&col, "2023-05-17", "2023-05-17");
	enc_str(&col, "9999-12-31", "9999-12-31");
	enc_str(&col, "1000-01-01", "1000-01-01");
	enc_is(&col, "0000-00-00", 10, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_is(&col, "2023-00-15", 10, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_is(&col, "2023-05-00", 10, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_is(&col, "0000-01-01", 10, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_fails_str(&col, "2023-5-17");
	enc_fails_str(&col, "2023-05-17x");
	enc_fails_str(&col, "2023/05/17");
	enc_fails_str(&col, "2023-05-17 00:00:00");
	enc_fails_str(&col, "");
}
END_TEST

START_TEST(test_encode_datetime)
{
	typemap_column col = column_of("datetime", "datetime(6)");

	enc_str(&col, "9999-12-31 23:59:59.999999", "9999-12-31 23:59:59.999999");
	enc_str(&col, "2023-01-01 00:00:00", "2023-01-01 00:00:00");
	enc_str(&col, "2023-01-01 00:00:00.5", "2023-01-01 00:00:00.5");
	enc_is(&col, "0000-00-00 00:00:00", 19, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_is(&col, "0000-00-00 00:00:00.000000", 26, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_is(&col, "2023-00-15 10:00:00", 19, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_is(&col, "2023-05-00 10:00:00", 19, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_fails_str(&col, "2023-01-01T00:00:00");
	enc_fails_str(&col, "2023-01-01 00:00:00.");
	enc_fails_str(&col, "2023-01-01 00:00:00.1234567");
	enc_fails_str(&col, "2023-01-01 00:00");
	enc_fails_str(&col, "2023-01-01");
}
END_TEST

START_TEST(test_encode_timestamp)
{
	typemap_column col = column_of("timestamp", "timestamp(6)");

	enc_str(&col, "2023-01-01 12:00:00.5", "2023-01-01 12:00:00.5+00");
	enc_str(&col, "2038-01-19 03:14:07.999999", "2038-01-19 03:14:07.999999+00");
	enc_str(&col, "1970-01-01 00:00:01", "1970-01-01 00:00:01+00");
	enc_is(&col, "0000-00-00 00:00:00", 19, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
	enc_fails_str(&col, "2023-01-01 12:00:00+00");

	/* overridden to a timestamp type: same value rules */
	col = column_with_override("timestamp", "timestamp", "timestamp with time zone");
	enc_str(&col, "2023-01-01 12:00:00", "2023-01-01 12:00:00+00");
	enc_is(&col, "0000-00-00 00:00:00", 19, "-infinity", 9, TYPEMAP_FIX_ZERO_DATE);
}
END_TEST

START_TEST(test_encode_time)
{
	typemap_column col = column_of("time", "time(6)");

	enc_str(&col, "-838:59:59", "-838:59:59");
	enc_str(&col, "838:59:59.000000", "838:59:59.000000");
	enc_str(&col, "-838:59:59.000000", "-838:59:59.000000");
	enc_str(&col, "12:00:00", "12:00:00");
	enc_str(&col, "-00:00:01", "-00:00:01");
	enc_str(&col, "00:00:00.5", "00:00:00.5");
	enc_fails_str(&col, "12:00");
	enc_fails_str(&col, "1:2:3");
	enc_fails_str(&col, "8385:00:00");
	enc_fails_str(&col, "abc");
	enc_fails_str(&col, "12:00:00.");
	enc_fails_str(&col, "+12:00:00");
	enc_fails_str(&col, "1 12:00:00");
}
END_TEST

START_TEST(test_encode_year)
{
	typemap_column col = column_of("year", "year(4)");

	enc_str(&col, "2023", "2023");
	enc_str(&col, "1901", "1901");
	enc_str(&col, "2155", "2155");
	/* smallint reads "0000" as 0 */
	enc_str(&col, "0000", "0000");
	enc_fails_str(&col, "abcd");
	enc_fails_str(&col, "");
}
END_TEST


Suite *
typemap_encode_suite(void)
{
	Suite	   *s = suite_create("typemap_encode");
	TCase	   *te = tcase_create("encode");

	tcase_add_test(te, test_encode_null);
	tcase_add_test(te, test_encode_integer_edges);
	tcase_add_test(te, test_encode_integer_rejected);
	tcase_add_test(te, test_encode_decimal);
	tcase_add_test(te, test_encode_float_double);
	tcase_add_test(te, test_encode_bool_int);
	tcase_add_test(te, test_encode_bool_bit);
	tcase_add_test(te, test_encode_bit_n);
	tcase_add_test(te, test_encode_bytea);
	tcase_add_test(te, test_encode_geometry);
	tcase_add_test(te, test_encode_text_escapes);
	tcase_add_test(te, test_encode_text_nul);
	tcase_add_test(te, test_encode_text_valid_utf8);
	tcase_add_test(te, test_encode_text_invalid_utf8);
	tcase_add_test(te, test_encode_text_every_position);
	tcase_add_test(te, test_encode_text_large);
	tcase_add_test(te, test_encode_json);
	tcase_add_test(te, test_encode_passthrough);
	tcase_add_test(te, test_encode_inet_uuid);
	tcase_add_test(te, test_encode_date);
	tcase_add_test(te, test_encode_datetime);
	tcase_add_test(te, test_encode_timestamp);
	tcase_add_test(te, test_encode_time);
	tcase_add_test(te, test_encode_year);
	suite_add_tcase(s, te);
	return s;
}
