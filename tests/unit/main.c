/*
 * Unit tests: no server needed. Each module's suite lives in test_<module>.c
 * and is listed here. Check prints its summary line ("100%: Checks: N,
 * Failures: 0, Errors: 0"); the exit status is non-zero on any failure.
 */
#include <check.h>
#include <stdlib.h>

Suite *typemap_suite(void);
Suite *typemap_encode_suite(void);
Suite *ident_suite(void);
Suite *config_suite(void);
Suite *typemap_binary_suite(void);
Suite *binlog_suite(void);
Suite *binlog_rows_suite(void);
Suite *debezium_encode_suite(void);
Suite *debezium_decode_suite(void);
Suite *log_suite(void);
Suite *metrics_suite(void);
Suite *plan_suite(void);
Suite *ddl_suite(void);
Suite *ddl_apply_suite(void);
Suite *gtid_suite(void);
Suite *sink_suite(void);
Suite *place_suite(void);
Suite *instance_suite(void);
Suite *relay_suite(void);

int
main(void)
{
	SRunner *sr = srunner_create(typemap_suite());

	srunner_add_suite(sr, typemap_encode_suite());
	srunner_add_suite(sr, ident_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, typemap_binary_suite());
	srunner_add_suite(sr, binlog_suite());
	srunner_add_suite(sr, binlog_rows_suite());
	srunner_add_suite(sr, debezium_encode_suite());
	srunner_add_suite(sr, debezium_decode_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, metrics_suite());
	srunner_add_suite(sr, plan_suite());
	srunner_add_suite(sr, ddl_suite());
	srunner_add_suite(sr, ddl_apply_suite());
	srunner_add_suite(sr, gtid_suite());
	srunner_add_suite(sr, sink_suite());
	srunner_add_suite(sr, place_suite());
	srunner_add_suite(sr, instance_suite());
	srunner_add_suite(sr, relay_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
