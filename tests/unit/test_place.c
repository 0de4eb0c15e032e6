/*
 * Placing a consumed event against a watermark (stream/place.h).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "stream/place.h"

static binlogpos
wm(const char *file, uint64_t pos, const char *gtid)
{
	binlogpos w = { .pos = pos };

	snprintf(w.file, sizeof(w.file), "%s", file);
	snprintf(w.gtid, sizeof(w.gtid), "%s", gtid);
	return w;
}

static place_result
place(const char *gtid, uint32_t sid, const char *file, uint64_t pos, const binlogpos *w, uint32_t wsid, char *why)
{
	place_source ev = { .gtid = gtid, .server_id = sid, .file = file, .pos = pos, .has_pos = file && file[0] };

	return place_event(&ev, w, wsid, why, 512);
}

START_TEST(test_place_gtid)
{
	binlogpos w = wm("mariadb-bin.000003", 1000, "0-1-100,1-2-7");
	char why[512];

	/* a replica's file and server do not matter: the GTID decides */
	ck_assert_int_eq(place("0-1-100", 1, "replica-bin.000009", 4, &w, 1, why), PLACE_BEFORE);
	ck_assert_int_eq(place("0-1-99", 2, "replica-bin.000009", 4, &w, 1, why), PLACE_BEFORE);
	ck_assert_int_eq(place("0-1-101", 2, "replica-bin.000001", 4, &w, 1, why), PLACE_AFTER);
	ck_assert_ptr_nonnull(strstr(why, "0-1-101 is after the watermark"));
	ck_assert_int_eq(place("1-2-8", 2, NULL, 0, &w, 1, why), PLACE_AFTER);
	ck_assert_int_eq(place("2-5-1", 5, NULL, 0, &w, 1, why), PLACE_AFTER);
	ck_assert_ptr_nonnull(strstr(why, "its domain began after the watermark"));
	/* our own events: the position list after the transaction */
	ck_assert_int_eq(place("0-1-50,1-2-7", 1, "mariadb-bin.000004", 4, &w, 1, why), PLACE_BEFORE);
	ck_assert_int_eq(place("0-1-50,1-2-8", 1, "mariadb-bin.000002", 4, &w, 1, why), PLACE_AFTER);
}
END_TEST

START_TEST(test_place_file)
{
	binlogpos w = wm("mariadb-bin.000003", 1000, "");
	char why[512];

	ck_assert_int_eq(place(NULL, 1, "mariadb-bin.000003", 999, &w, 1, why), PLACE_BEFORE);
	ck_assert_int_eq(place("", 1, "mariadb-bin.000003", 1000, &w, 1, why), PLACE_AFTER);
	ck_assert_int_eq(place(NULL, 1, "mariadb-bin.000010", 4, &w, 1, why), PLACE_AFTER);
	ck_assert_int_eq(place(NULL, 1, "mariadb-bin.000002", 4000, &w, 1, why), PLACE_BEFORE);
	/* another server, or another server's log: cannot tell */
	ck_assert_int_eq(place(NULL, 2, "mariadb-bin.000010", 4, &w, 1, why), PLACE_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(why, "the event carries no GTID"));
	ck_assert_int_eq(place(NULL, 1, "replica-bin.000010", 4, &w, 1, why), PLACE_UNKNOWN);
	ck_assert_int_eq(place(NULL, 1, "mariadb-bin.000010", 4, &w, 0, why), PLACE_UNKNOWN);
	ck_assert_int_eq(place(NULL, 0, NULL, 0, &w, 1, why), PLACE_UNKNOWN);
	ck_assert_str_eq(why, "the event carries neither a GTID nor a binlog position");
	/* a GTID the watermark cannot compare: the file decides */
	ck_assert_int_eq(place("0-1-5", 1, "mariadb-bin.000003", 5, &w, 1, why), PLACE_BEFORE);
	/* a table without a watermark */
	binlogpos none = wm("", 0, "");
	ck_assert_int_eq(place(NULL, 0, NULL, 0, &none, 1, why), PLACE_AFTER);
}
END_TEST

Suite *
place_suite(void)
{
	Suite *s = suite_create("place");
	TCase *tc = tcase_create("place");

	tcase_add_test(tc, test_place_gtid);
	tcase_add_test(tc, test_place_file);
	suite_add_tcase(s, tc);
	return s;
}
