/*
 * Unit tests for the sink outcomes: how the PostgreSQL sink turns a failed
 * call into done / retry / fatal / refused (sink_pg_outcome). Retrying what
 * a person must fix would hide it, and stopping for what a retry gets past
 * would take the daemon down: each SQLSTATE class the sink meets is
 * checked on both kinds of call.
 */
#include <check.h>
#include <stdlib.h>

#include "stream/sink_pg.h"

START_TEST(test_lost_connection_is_retried)
{
	/* whatever else is known: the session is gone */
	ck_assert_int_eq(sink_pg_outcome(true, "", false, false), SINK_RETRY);
	ck_assert_int_eq(sink_pg_outcome(true, "23505", false, false), SINK_RETRY);
	ck_assert_int_eq(sink_pg_outcome(true, "", true, true), SINK_RETRY);
	ck_assert_int_eq(sink_pg_outcome(true, NULL, true, false), SINK_RETRY);
}
END_TEST

START_TEST(test_transient_states_are_retried)
{
	static const char *const states[] = {
		"08006",    /* connection failure */
		"40001",    /* serialization failure */
		"40P01",    /* deadlock */
		"53100",    /* disk full */
		"53300",    /* too many connections */
		"57P01",    /* admin shutdown */
		"57014",    /* query canceled */
	};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		ck_assert_msg(sink_pg_outcome(false, states[i], false, false) == SINK_RETRY, "%s at commit", states[i]);
		ck_assert_msg(sink_pg_outcome(false, states[i], true, false) == SINK_RETRY, "%s staging a row", states[i]);
	}
}
END_TEST

START_TEST(test_data_refused_at_commit)
{
	ck_assert_int_eq(sink_pg_outcome(false, "22003", false, false), SINK_REFUSED);     /* out of range */
	ck_assert_int_eq(sink_pg_outcome(false, "22P02", false, false), SINK_REFUSED);     /* invalid text */
	ck_assert_int_eq(sink_pg_outcome(false, "23505", false, false), SINK_REFUSED);     /* unique */
	ck_assert_int_eq(sink_pg_outcome(false, "23502", false, false), SINK_REFUSED);     /* not null */
}
END_TEST

START_TEST(test_row_refusal_is_the_type_maps)
{
	/* a row is refused only when the type map refused its value (nothing
	 * staged); a data error while flushing rows leaves the batch's
	 * transaction aborted, which no later message can use */
	ck_assert_int_eq(sink_pg_outcome(false, "", true, true), SINK_REFUSED);
	ck_assert_int_eq(sink_pg_outcome(false, "23505", true, false), SINK_FATAL);
	ck_assert_int_eq(sink_pg_outcome(false, "", true, false), SINK_FATAL);
	/* value_refused means nothing for a call that is not a row's */
	ck_assert_int_eq(sink_pg_outcome(false, "", false, true), SINK_FATAL);
}
END_TEST

START_TEST(test_what_a_person_fixes_is_fatal)
{
	static const char *const states[] = {
		"42501",    /* insufficient privilege */
		"42P01",    /* undefined table */
		"42703",    /* undefined column */
		"XX000",    /* internal error */
		"",         /* unknown */
	};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		ck_assert_msg(sink_pg_outcome(false, states[i], false, false) == SINK_FATAL, "\"%s\" at commit", states[i]);
		ck_assert_msg(sink_pg_outcome(false, states[i], true, false) == SINK_FATAL, "\"%s\" staging", states[i]);
	}
	ck_assert_int_eq(sink_pg_outcome(false, NULL, false, false), SINK_FATAL);
}
END_TEST

Suite *
sink_suite(void)
{
	Suite *s = suite_create("sink");
	TCase *tc = tcase_create("pg_outcome");

	tcase_add_test(tc, test_lost_connection_is_retried);
	tcase_add_test(tc, test_transient_states_are_retried);
	tcase_add_test(tc, test_data_refused_at_commit);
	tcase_add_test(tc, test_row_refusal_is_the_type_maps);
	tcase_add_test(tc, test_what_a_person_fixes_is_fatal);
	suite_add_tcase(s, tc);
	return s;
}
