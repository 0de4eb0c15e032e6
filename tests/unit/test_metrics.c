/*
 * Unit tests for common/metrics.c: the text exposition format (HELP and TYPE
 * lines, label escaping, histogram buckets, sums and counts), the rules of
 * the registry (names, counters that never go down, gauges unknown until
 * set), collectors, the address syntax, and the HTTP server on a loopback
 * port the kernel chooses (200, 404, 405; a second bind fails clearly).
 */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/metrics.h"

/* render: the registry's text (heap string) */
static char *
render(metrics_registry *reg)
{
	buf out = BUF_INIT;

	metrics_render(reg, &out);
	return out.data ? out.data : xstrdup("");
}

START_TEST(test_counter_labels_escaped)
{
	metrics_registry *reg = metrics_registry_new();
	const char *labels[] = { "database", "table" };
	metrics_family *f = metrics_family_new(reg, METRICS_COUNTER, "x_rows_total",
										   "Rows with a \\ and a\nnewline.", 2, labels, 0, NULL);
	ck_assert_ptr_nonnull(f);
	metrics_add(metrics_series_get(f, (const char *[]) { "db", "plain" }), 3);
	metrics_add(metrics_series_get(f, (const char *[]) { "db", "we\"ird\\na\nme" }), 1);
	metrics_add(metrics_series_get(f, (const char *[]) { "db", "plain" }), 2);

	char *text = render(reg);
	ck_assert_str_eq(text,
		"# HELP x_rows_total Rows with a \\\\ and a\\nnewline.\n"
		"# TYPE x_rows_total counter\n"
		"x_rows_total{database=\"db\",table=\"plain\"} 5\n"
		"x_rows_total{database=\"db\",table=\"we\\\"ird\\\\na\\nme\"} 1\n");
	free(text);
	metrics_registry_free(reg);
}
END_TEST

START_TEST(test_histogram_buckets)
{
	metrics_registry *reg = metrics_registry_new();
	const double b[] = { 1, 2.5, 5 };
	const char *labels[] = { "database" };
	metrics_family *f = metrics_family_new(reg, METRICS_HISTOGRAM, "x_seconds", "Durations.", 1, labels, 3, b);
	ck_assert_ptr_nonnull(f);
	metrics_series *s = metrics_series_get(f, (const char *[]) { "d" });
	metrics_observe(s, 0.5);
	metrics_observe(s, 1);      /* on a bound: "le" counts it */
	metrics_observe(s, 3);
	metrics_observe(s, 100);    /* only +Inf */

	char *text = render(reg);
	ck_assert_str_eq(text,
		"# HELP x_seconds Durations.\n"
		"# TYPE x_seconds histogram\n"
		"x_seconds_bucket{database=\"d\",le=\"1\"} 2\n"
		"x_seconds_bucket{database=\"d\",le=\"2.5\"} 2\n"
		"x_seconds_bucket{database=\"d\",le=\"5\"} 3\n"
		"x_seconds_bucket{database=\"d\",le=\"+Inf\"} 4\n"
		"x_seconds_sum{database=\"d\"} 104.5\n"
		"x_seconds_count{database=\"d\"} 4\n");
	free(text);
	metrics_registry_free(reg);
}
END_TEST

START_TEST(test_unlabelled_histogram_and_empty)
{
	metrics_registry *reg = metrics_registry_new();
	const double b[] = { 0.1 };
	metrics_family *f = metrics_family_new(reg, METRICS_HISTOGRAM, "h", "H.", 0, NULL, 1, b);
	ck_assert_ptr_nonnull(f);

	/* there from the start, all zero */
	char *text = render(reg);
	ck_assert_str_eq(text, "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"0.1\"} 0\nh_bucket{le=\"+Inf\"} 0\n"
					 "h_sum 0\nh_count 0\n");
	free(text);
	metrics_observe(metrics_series_get(f, NULL), 0.05);
	text = render(reg);
	ck_assert_ptr_nonnull(strstr(text, "h_bucket{le=\"0.1\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "h_sum 0.05\n"));
	free(text);
	metrics_registry_free(reg);
}
END_TEST

START_TEST(test_gauge_unknown_until_set)
{
	metrics_registry *reg = metrics_registry_new();
	metrics_family *g = metrics_family_new(reg, METRICS_GAUGE, "g_bytes", "G.", 0, NULL, 0, NULL);
	metrics_series *s = metrics_series_get(g, NULL);

	char *text = render(reg);
	ck_assert_str_eq(text, "# HELP g_bytes G.\n# TYPE g_bytes gauge\n");
	free(text);
	metrics_set(s, 7);
	metrics_add(s, -2);
	text = render(reg);
	ck_assert_ptr_nonnull(strstr(text, "\ng_bytes 5\n"));
	free(text);
	metrics_unset(s);
	text = render(reg);
	ck_assert_ptr_null(strstr(text, "\ng_bytes "));
	free(text);
	metrics_registry_free(reg);
}
END_TEST

START_TEST(test_counter_never_down)
{
	metrics_registry *reg = metrics_registry_new();
	metrics_family *c = metrics_family_new(reg, METRICS_COUNTER, "c_total", "C.", 0, NULL, 0, NULL);
	metrics_series *s = metrics_series_get(c, NULL);

	metrics_set(s, 10);
	metrics_set(s, 4);      /* a progress counter taken back: held */
	metrics_add(s, -3);     /* ignored */
	char *text = render(reg);
	ck_assert_ptr_nonnull(strstr(text, "\nc_total 10\n"));
	free(text);
	metrics_set(s, 12);
	text = render(reg);
	ck_assert_ptr_nonnull(strstr(text, "\nc_total 12\n"));
	free(text);
	metrics_registry_free(reg);
}
END_TEST

START_TEST(test_bad_names)
{
	metrics_registry *reg = metrics_registry_new();
	const double up[] = { 1, 2 }, flat[] = { 1, 1 };

	ck_assert_ptr_null(metrics_family_new(reg, METRICS_COUNTER, "1x", "", 0, NULL, 0, NULL));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_COUNTER, "a-b", "", 0, NULL, 0, NULL));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_COUNTER, "", "", 0, NULL, 0, NULL));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_COUNTER, "ok", "", 1, (const char *[]) { "__x" }, 0, NULL));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_COUNTER, "ok", "", 1, (const char *[]) { "a:b" }, 0, NULL));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_COUNTER, "ok", "", 2, (const char *[]) { "a", "a" }, 0, NULL));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_HISTOGRAM, "ok", "", 1, (const char *[]) { "le" }, 2, up));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_HISTOGRAM, "ok", "", 0, NULL, 2, flat));
	ck_assert_ptr_nonnull(metrics_family_new(reg, METRICS_COUNTER, "ns:ok_total", "", 1, (const char *[]) { "le" },
											 0, NULL));
	ck_assert_ptr_null(metrics_family_new(reg, METRICS_GAUGE, "ns:ok_total", "", 0, NULL, 0, NULL));
	metrics_registry_free(reg);
}
END_TEST

START_TEST(test_format_double)
{
	char out[64];
	const struct { double v; const char *s; } cases[] = {
		{ 0, "0" }, { -0.0, "0" }, { 42, "42" }, { 1e6, "1000000" }, { 0.1, "0.1" }, { 0.0025, "0.0025" },
		{ -1.5, "-1.5" }, { 1e20, "1e+20" }, { 1.0 / 3, "0.3333333333333333" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		metrics_format_double(cases[i].v, out, sizeof(out));
		ck_assert_str_eq(out, cases[i].s);
	}
	metrics_format_double(1.0 / 0.0, out, sizeof(out));
	ck_assert_str_eq(out, "+Inf");
	metrics_format_double(-1.0 / 0.0, out, sizeof(out));
	ck_assert_str_eq(out, "-Inf");
	metrics_format_double(0.0 / 0.0, out, sizeof(out));
	ck_assert_str_eq(out, "NaN");
}
END_TEST

static int collected;

static void
count_collect(metrics_registry *reg, void *ctx)
{
	(void) reg;
	collected++;
	metrics_set(ctx, collected);
}

START_TEST(test_collectors)
{
	metrics_registry *reg = metrics_registry_new();
	metrics_family *g = metrics_family_new(reg, METRICS_GAUGE, "scrapes", "S.", 0, NULL, 0, NULL);
	metrics_series *s = metrics_series_get(g, NULL);

	collected = 0;
	metrics_on_collect(reg, count_collect, s);
	char *text = render(reg);
	ck_assert_ptr_nonnull(strstr(text, "\nscrapes 1\n"));
	free(text);
	text = render(reg);
	ck_assert_ptr_nonnull(strstr(text, "\nscrapes 2\n"));
	free(text);
	metrics_off_collect(reg, count_collect, s);
	text = render(reg);
	ck_assert_int_eq(collected, 2);
	free(text);
	metrics_registry_free(reg);
}
END_TEST

typedef struct adder { metrics_series *s; int n; } adder;

static void *
add_many(void *arg)
{
	adder *a = arg;
	for (int i = 0; i < a->n; i++)
		metrics_add(a->s, 1);
	return NULL;
}

START_TEST(test_threads)
{
	metrics_registry *reg = metrics_registry_new();
	metrics_family *c = metrics_family_new(reg, METRICS_COUNTER, "n_total", "N.", 0, NULL, 0, NULL);
	adder a = { metrics_series_get(c, NULL), 20000 };
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, add_many, &a), 0);
	for (int i = 0; i < 4; i++) {
		char *text = render(reg);   /* renders while they count */
		free(text);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	char *text = render(reg);
	ck_assert_ptr_nonnull(strstr(text, "\nn_total 80000\n"));
	free(text);
	metrics_registry_free(reg);
}
END_TEST

START_TEST(test_address_parse)
{
	char errbuf[256];
	metrics_address a;
	bool off;

	ck_assert(metrics_address_parse("9187", &a, &off, errbuf, sizeof(errbuf)));
	ck_assert(!off);
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_uint_eq(a.port, 9187);
	ck_assert(a.loopback);
	ck_assert(metrics_address_parse(":9188", &a, &off, errbuf, sizeof(errbuf)));
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_uint_eq(a.port, 9188);
	ck_assert(metrics_address_parse("127.0.0.2:0", &a, &off, errbuf, sizeof(errbuf)));
	ck_assert(a.loopback);
	ck_assert_uint_eq(a.port, 0);
	ck_assert(metrics_address_parse("[::1]:9187", &a, &off, errbuf, sizeof(errbuf)));
	ck_assert_str_eq(a.host, "::1");
	ck_assert(a.loopback);
	ck_assert(metrics_address_parse("0.0.0.0:9187", &a, &off, errbuf, sizeof(errbuf)));
	ck_assert(!a.loopback);
	ck_assert(metrics_address_parse("off", &a, &off, errbuf, sizeof(errbuf)));
	ck_assert(off);
	ck_assert(metrics_address_parse("", &a, &off, errbuf, sizeof(errbuf)));
	ck_assert(off);

	const char *bad[] = { "abc", "127.0.0.1:", "127.0.0.1:65536", "::1:9187", "[::1]9187", "[::1", ":-1",
						  "1.2.3.4:80x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errbuf[0] = '\0';
		ck_assert_msg(!metrics_address_parse(bad[i], &a, &off, errbuf, sizeof(errbuf)), "accepted %s", bad[i]);
		ck_assert_msg(errbuf[0] != '\0', "no message for %s", bad[i]);
	}
}
END_TEST

/* http: one request to 127.0.0.1:port; returns the whole response (heap) */
static char *
http(unsigned port, const char *request)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
	buf out = BUF_INIT;
	char chunk[4096];
	ssize_t n;

	ck_assert(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	ck_assert_int_eq(write(fd, request, strlen(request)), (ssize_t) strlen(request));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&out, chunk, (size_t) n);
	close(fd);
	return out.data ? out.data : xstrdup("");
}

START_TEST(test_server)
{
	char errbuf[256];
	metrics_address a;
	bool off;
	unsigned port = 0, port2;
	metrics_registry *reg = metrics_registry_new();
	metrics_family *c = metrics_family_new(reg, METRICS_COUNTER, "served_total", "Served.", 0, NULL, 0, NULL);

	metrics_add(metrics_series_get(c, NULL), 3);
	ck_assert(metrics_address_parse("127.0.0.1:0", &a, &off, errbuf, sizeof(errbuf)));
	metrics_server *srv = metrics_server_start(reg, &a, &port, errbuf, sizeof(errbuf));
	ck_assert_msg(srv != NULL, "%s", errbuf);
	ck_assert_uint_gt(port, 0);

	char *r = http(port, "GET /metrics HTTP/1.0\r\n\r\n");
	ck_assert_msg(strncmp(r, "HTTP/1.0 200", 12) == 0 || strncmp(r, "HTTP/1.1 200", 12) == 0, "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(r, "\r\n\r\n# HELP served_total Served.\n# TYPE served_total counter\nserved_total 3\n"));
	free(r);
	r = http(port, "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, " 200 "));
	free(r);
	r = http(port, "GET / HTTP/1.0\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, " 404 "));
	free(r);
	r = http(port, "GET /metricsx HTTP/1.0\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, " 404 "));
	free(r);
	r = http(port, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, " 405 "));
	ck_assert_ptr_nonnull(strstr(r, "Allow: GET, HEAD"));
	free(r);

	/* the same port again: a clear refusal */
	char spec[32];
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
	ck_assert(metrics_address_parse(spec, &a, &off, errbuf, sizeof(errbuf)));
	errbuf[0] = '\0';
	ck_assert_ptr_null(metrics_server_start(reg, &a, &port2, errbuf, sizeof(errbuf)));
	ck_assert_msg(strstr(errbuf, "in use") != NULL, "%s", errbuf);

	metrics_server_stop(srv);
	metrics_registry_free(reg);
}
END_TEST

Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, test_counter_labels_escaped);
	tcase_add_test(tc, test_histogram_buckets);
	tcase_add_test(tc, test_unlabelled_histogram_and_empty);
	tcase_add_test(tc, test_gauge_unknown_until_set);
	tcase_add_test(tc, test_counter_never_down);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_format_double);
	tcase_add_test(tc, test_collectors);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_address_parse);
	tcase_add_test(tc, test_server);
	suite_add_tcase(s, tc);
	return s;
}
