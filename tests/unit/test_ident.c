/*
 * Unit tests for identifiers: the MariaDB -> PostgreSQL name rule and the
 * quoting on both sides. Every check compares exact bytes, and the quoting
 * tests start from a non-empty buffer so that "appends" is checked too.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/ident.h"

/* target_is: ident_target(name, keep) must be exactly want */
static void
target_is(const char *name, bool keep, const char *want)
{
	char	   *got = ident_target(name, keep);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_target_lowercases_ascii)
{
	target_is("MyTable", false, "mytable");
	target_is("ORDER_LINES_2023", false, "order_lines_2023");
	target_is("already", false, "already");
	target_is("", false, "");
	/* non-ASCII bytes stay as they are: only A-Z fold */
	target_is("\xC3\x84" "BC", false, "\xC3\x84" "bc");
	target_is("Has Space \"Q\"", false, "has space \"q\"");
}
END_TEST

START_TEST(test_target_keep_case)
{
	target_is("MyTable", true, "MyTable");
	target_is("\xC3\x84" "BC", true, "\xC3\x84" "BC");
}
END_TEST

START_TEST(test_target_cut_to_63_bytes)
{
	char		name[101];
	char		want[64];

	memset(name, 'A', 100);
	name[100] = '\0';
	memset(want, 'a', 63);
	want[63] = '\0';
	target_is(name, false, want);

	/* 62 ASCII bytes then a 2-byte character: the character does not fit */
	memset(name, 'b', 62);
	memcpy(name + 62, "\xC3\xA9" "xyz", 6);
	memset(want, 'b', 62);
	want[62] = '\0';
	target_is(name, false, want);

	/* 61 ASCII bytes then a 2-byte character: it fits exactly */
	memset(name, 'c', 61);
	memcpy(name + 61, "\xC3\xA9" "xyz", 6);
	memset(want, 'c', 61);
	memcpy(want + 61, "\xC3\xA9", 3);
	target_is(name, false, want);
}
END_TEST

START_TEST(test_pg_quotes)
{
	buf			b = BUF_INIT;

	buf_puts(&b, "x.");
	ident_pg(&b, "a\"b");
	ck_assert_str_eq(buf_cstr(&b), "x.\"a\"\"b\"");
	buf_reset(&b);
	ident_pg(&b, "");
	ck_assert_str_eq(buf_cstr(&b), "\"\"");
	buf_reset(&b);
	ident_pg(&b, "\"\"");
	ck_assert_str_eq(buf_cstr(&b), "\"\"\"\"\"\"");
	buf_reset(&b);
	ident_pg(&b, "Select `x` 'y'");
	ck_assert_str_eq(buf_cstr(&b), "\"Select `x` 'y'\"");
	buf_free(&b);
}
END_TEST

START_TEST(test_my_quotes)
{
	buf			b = BUF_INIT;

	buf_puts(&b, "db.");
	ident_my(&b, "a`b");
	ck_assert_str_eq(buf_cstr(&b), "db.`a``b`");
	buf_reset(&b);
	ident_my(&b, "plain \"name\"");
	ck_assert_str_eq(buf_cstr(&b), "`plain \"name\"`");
	buf_reset(&b);
	ident_my(&b, "``");
	ck_assert_str_eq(buf_cstr(&b), "``````");
	buf_free(&b);
}
END_TEST

START_TEST(test_pg_literal)
{
	buf			b = BUF_INIT;

	buf_puts(&b, "= ");
	ident_pg_literal(&b, "it's");
	ck_assert_str_eq(buf_cstr(&b), "= 'it''s'");
	buf_reset(&b);
	/* standard_conforming_strings: a backslash is just a character */
	ident_pg_literal(&b, "a\\b");
	ck_assert_str_eq(buf_cstr(&b), "'a\\b'");
	buf_reset(&b);
	ident_pg_literal(&b, "");
	ck_assert_str_eq(buf_cstr(&b), "''");
	buf_reset(&b);
	ident_pg_literal(&b, "'");
	ck_assert_str_eq(buf_cstr(&b), "''''");
	buf_free(&b);
}
END_TEST

Suite *
ident_suite(void)
{
	Suite	   *s = suite_create("ident");
	TCase	   *tc = tcase_create("core");

	tcase_add_test(tc, test_target_lowercases_ascii);
	tcase_add_test(tc, test_target_keep_case);
	tcase_add_test(tc, test_target_cut_to_63_bytes);
	tcase_add_test(tc, test_pg_quotes);
	tcase_add_test(tc, test_my_quotes);
	tcase_add_test(tc, test_pg_literal);
	suite_add_tcase(s, tc);
	return s;
}
