/*
 * Unit tests for common/log.c's json format: one object per line with the
 * fields log.h lists, the thread's table, valid JSON whatever the message
 * holds, and the settings' validation.
 */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* capture: runs fn with stderr redirected to a temporary file; returns the
 * file's lines parsed as JSON (an array) */
static json_t *
capture(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	ck_assert(dup2(fd, STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);

	FILE *f = fopen(path, "r");
	ck_assert(f != NULL);
	json_t *lines = json_array();
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);
		ck_assert_msg(o != NULL, "not JSON: %s (%s)", line, err.text);
		ck_assert(json_is_object(o));
		json_array_append_new(lines, o);
	}
	free(line);
	fclose(f);
	unlink(path);
	return lines;
}

static const char *
field(json_t *lines, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(lines, i), key));
}

static void *
other_thread(void *arg)
{
	(void) arg;
	log_info("from another thread");
	return NULL;
}

static void
write_lines(void)
{
	pthread_t th;

	log_set_prefix("unit");
	log_set_format(LOG_FORMAT_JSON);
	log_set_database("trading");
	log_set_table("T_DEAL");
	log_set_position("mariadb-bin.000003:4711");
	log_error_dh("key id = 7", "Do this.", "could not copy %s: %d", "\"quoted\"\tand tab", 42);
	log_warning("bad byte \xff here");
	ck_assert(pthread_create(&th, NULL, other_thread, NULL) == 0);
	pthread_join(th, NULL);
	log_set_table(NULL);
	log_set_position(NULL);
	log_debug("not shown at level info");
	log_set_format(LOG_FORMAT_TEXT);
	log_set_database(NULL);
	log_set_prefix(NULL);
}

START_TEST(test_json_lines)
{
	log_level saved = log_min_level;
	log_min_level = LOG_INFO;
	json_t *lines = capture(write_lines);
	log_min_level = saved;

	ck_assert_uint_eq(json_array_size(lines), 3);
	ck_assert_str_eq(field(lines, 0, "level"), "error");
	ck_assert_str_eq(field(lines, 0, "program"), "unit");
	ck_assert_str_eq(field(lines, 0, "database"), "trading");
	ck_assert_str_eq(field(lines, 0, "table"), "T_DEAL");
	ck_assert_str_eq(field(lines, 0, "position"), "mariadb-bin.000003:4711");
	ck_assert_str_eq(field(lines, 0, "message"), "could not copy \"quoted\"\tand tab: 42");
	ck_assert_str_eq(field(lines, 0, "detail"), "key id = 7");
	ck_assert_str_eq(field(lines, 0, "hint"), "Do this.");
	const char *t = field(lines, 0, "time");
	ck_assert_msg(t && strlen(t) == 24 && t[10] == 'T' && t[23] == 'Z', "time %s", t ? t : "(none)");
	ck_assert_str_eq(field(lines, 1, "level"), "warning");
	ck_assert_str_eq(field(lines, 1, "message"), "bad byte ? here");
	ck_assert_ptr_null(field(lines, 1, "detail"));
	/* the table and position are the logging thread's own */
	ck_assert_str_eq(field(lines, 2, "message"), "from another thread");
	ck_assert_ptr_null(field(lines, 2, "table"));
	ck_assert_ptr_null(field(lines, 2, "position"));
	ck_assert_str_eq(field(lines, 2, "database"), "trading");
	json_decref(lines);
}
END_TEST

START_TEST(test_settings)
{
	char err[256];
	log_level saved = log_min_level;

	ck_assert(!log_settings(NULL, false, "xml", false, err, sizeof(err)));
	ck_assert_msg(strstr(err, "LOG_FORMAT") != NULL, "%s", err);
	ck_assert(!log_settings("loud", false, NULL, false, err, sizeof(err)));
	ck_assert_msg(strstr(err, "LOG_LEVEL") != NULL, "%s", err);
	/* a setting the command line gave is not overridden, nor checked */
	ck_assert(log_settings("loud", true, "xml", true, err, sizeof(err)));
	ck_assert(log_settings("warning", false, "json", false, err, sizeof(err)));
	ck_assert_int_eq(log_min_level, LOG_WARNING);
	ck_assert_int_eq(log_get_format(), LOG_FORMAT_JSON);
	log_set_format(LOG_FORMAT_TEXT);
	log_min_level = saved;
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_settings);
	suite_add_tcase(s, tc);
	return s;
}
