/*
 * Unit tests for GTID lists: strict parsing (every malformed shape is
 * refused, with the set left empty), position and binlog-state lookups,
 * formatting back to the server's text, and more domains than any fixed
 * array would hold.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gtid.h"

/* roundtrip_is: parsing text and formatting it again gives want */
static void
roundtrip_is(const char *text, const char *want)
{
	gtid_set s = GTID_SET_INIT;
	char err[256] = "";
	buf b = BUF_INIT;

	ck_assert_msg(gtid_set_parse(&s, text, err, sizeof(err)), "\"%s\": %s", text, err);
	gtid_set_format(&s, &b);
	ck_assert_str_eq(b.data ? b.data : "", want);
	buf_free(&b);
	gtid_set_free(&s);
}

/* refused: text is not a GTID list; the error names it and s is empty */
static void
refused(const char *text)
{
	gtid_set s = GTID_SET_INIT;
	char err[256] = "";

	gtid_set_note(&s, 9, 9, 9);
	ck_assert_msg(!gtid_set_parse(&s, text, err, sizeof(err)), "\"%s\" was accepted", text);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_msg(strstr(err, "GTID") != NULL, "error for \"%s\" does not say GTID: %s", text, err);
	gtid_set_free(&s);
}

START_TEST(test_parse_roundtrip)
{
	roundtrip_is("", "");
	roundtrip_is("   ", "");
	roundtrip_is("0-1-100", "0-1-100");
	roundtrip_is("0-1-100,1-2-7", "0-1-100,1-2-7");
	/* the server prints long lists with a newline after each comma */
	roundtrip_is("0-1-100,\n1-2-7, 2-3-4", "0-1-100,1-2-7,2-3-4");
	roundtrip_is("4294967295-4294967295-18446744073709551615", "4294967295-4294967295-18446744073709551615");
}
END_TEST

START_TEST(test_parse_refuses)
{
	refused("0-1");
	refused("0-1-");
	refused("-1-2");
	refused("a-1-2");
	refused("0-1-2,");
	refused("0-1-2,,1-2-3");
	refused("0-1-2;1-2-3");
	refused("0-1-2 1-2-3");
	refused("0--1-2");
	refused("4294967296-1-2");      /* domain over 32 bits */
	refused("0-4294967296-2");
	refused("0-1-18446744073709551616");
	refused("0-1-2x");
}
END_TEST

START_TEST(test_note_position)
{
	gtid_set s = GTID_SET_INIT;
	buf b = BUF_INIT;

	gtid_set_note(&s, 0, 1, 5);
	gtid_set_note(&s, 2, 1, 3);
	gtid_set_note(&s, 0, 7, 6);     /* same domain: replaced, order kept */
	gtid_set_format(&s, &b);
	ck_assert_str_eq(b.data, "0-7-6,2-1-3");
	ck_assert_ptr_nonnull(gtid_set_domain(&s, 2));
	ck_assert_uint_eq(gtid_set_domain(&s, 2)->seq, 3);
	ck_assert_ptr_null(gtid_set_domain(&s, 1));
	buf_free(&b);
	gtid_set_free(&s);
}
END_TEST

/* more domains than the 16 the stream once kept: none is dropped */
START_TEST(test_many_domains)
{
	gtid_set s = GTID_SET_INIT, back = GTID_SET_INIT;
	buf b = BUF_INIT;
	char err[256];

	for (uint32_t d = 0; d < 40; d++)
		gtid_set_note(&s, d, 100 + d, 1000 + d);
	ck_assert_uint_eq(s.n, 40);
	gtid_set_format(&s, &b);
	ck_assert(gtid_set_parse(&back, b.data, err, sizeof(err)));
	ck_assert_uint_eq(back.n, 40);
	for (uint32_t d = 0; d < 40; d++) {
		const gtid_entry *g = gtid_set_domain(&back, d);
		ck_assert_ptr_nonnull(g);
		ck_assert_uint_eq(g->server, 100 + d);
		ck_assert_uint_eq(g->seq, 1000 + d);
	}
	buf_free(&b);
	gtid_set_free(&s);
	gtid_set_free(&back);
}
END_TEST

START_TEST(test_state_has_and_last)
{
	gtid_set st = GTID_SET_INIT;
	char err[256];

	/* a binlog state: one entry per domain and server */
	ck_assert(gtid_set_parse(&st, "0-1-100,0-2-140,1-3-7", err, sizeof(err)));
	ck_assert(gtid_state_has(&st, &(gtid_entry) { 0, 1, 100 }));
	ck_assert(gtid_state_has(&st, &(gtid_entry) { 0, 1, 99 }));
	ck_assert(!gtid_state_has(&st, &(gtid_entry) { 0, 1, 101 }));
	ck_assert(gtid_state_has(&st, &(gtid_entry) { 0, 2, 140 }));
	ck_assert(!gtid_state_has(&st, &(gtid_entry) { 0, 3, 1 }));     /* server never logged there */
	ck_assert(!gtid_state_has(&st, &(gtid_entry) { 2, 1, 1 }));     /* domain unknown */
	ck_assert_uint_eq(gtid_state_last(&st, 0)->server, 2);
	ck_assert_uint_eq(gtid_state_last(&st, 0)->seq, 140);
	ck_assert_uint_eq(gtid_state_last(&st, 1)->seq, 7);
	ck_assert_ptr_null(gtid_state_last(&st, 5));
	gtid_set_free(&st);
}
END_TEST

START_TEST(test_format_fixed)
{
	gtid_set s = GTID_SET_INIT;
	char small[8], big[64];

	gtid_set_note(&s, 0, 1, 123456);
	ck_assert(!gtid_set_format_fixed(&s, small, sizeof(small)));
	ck_assert_str_eq(small, "");
	ck_assert(gtid_set_format_fixed(&s, big, sizeof(big)));
	ck_assert_str_eq(big, "0-1-123456");
	gtid_set_clear(&s);
	ck_assert(gtid_set_format_fixed(&s, big, sizeof(big)));
	ck_assert_str_eq(big, "");
	gtid_set_free(&s);
}
END_TEST

START_TEST(test_copy)
{
	gtid_set a = GTID_SET_INIT, b = GTID_SET_INIT;

	gtid_set_note(&a, 3, 4, 5);
	gtid_set_note(&b, 9, 9, 9);
	gtid_set_copy(&b, &a);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_uint_eq(b.v[0].domain, 3);
	gtid_set_note(&a, 3, 4, 6);     /* independent of the copy */
	ck_assert_uint_eq(b.v[0].seq, 5);
	gtid_set_free(&a);
	gtid_set_free(&b);
}
END_TEST

Suite *
gtid_suite(void)
{
	Suite *s = suite_create("gtid");
	TCase *tc = tcase_create("gtid");

	tcase_add_test(tc, test_parse_roundtrip);
	tcase_add_test(tc, test_parse_refuses);
	tcase_add_test(tc, test_note_position);
	tcase_add_test(tc, test_many_domains);
	tcase_add_test(tc, test_state_has_and_last);
	tcase_add_test(tc, test_format_fixed);
	tcase_add_test(tc, test_copy);
	suite_add_tcase(s, tc);
	return s;
}
