/*
 * dbz-encode-bench: what building and serialising one Debezium event costs,
 * with no binlog, no Kafka and no broker: the jansson work `stream --to
 * kafka` does per row change, on a row shaped like the stream benchmark's
 * T_DEAL (an update: before and after image, envelope form).
 *
 *   bin/dbz-encode-bench [EVENTS]      (default 200000)
 *
 * Prints microseconds per event for: serialising a prebuilt value
 * (json_dumps), building the value tree (dbz_value), the whole of what the
 * publisher does per update (key and value built and serialised), and what
 * `stream --from kafka` does with the value (dbz_parse: jansson's parse and
 * the conversion back to text-protocol values). Built
 * by `make bin/dbz-encode-bench`; see BENCHMARKS.md.
 */
#include "stream/dbz_decode.h"
#include "stream/dbz_encode.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct bcol {
	const char *name, *data_type, *column_type, *value;
	long long	precision, scale, dt_precision;
	bool		is_json;
} bcol;

static const bcol cols[] = {
	{ "id", "bigint", "bigint(20) unsigned", "1234567", 20, 0, -1, false },
	{ "deal_no", "varchar", "varchar(32)", "D-000001234567", -1, -1, -1, false },
	{ "carrier_id", "int", "int(10) unsigned", "42", 10, 0, -1, false },
	{ "status", "enum", "enum('OPEN','CLOSED','CANCELLED')", "OPEN", -1, -1, -1, false },
	{ "active", "bit", "bit(1)", "\x01", 1, -1, -1, false },
	{ "deleted", "tinyint", "tinyint(1)", "0", 3, 0, -1, false },
	{ "qty", "int", "int(11)", "17", 10, 0, -1, false },
	{ "price", "decimal", "decimal(18,4)", "123.4500", 18, 4, -1, false },
	{ "amount", "decimal", "decimal(20,2)", "2104.65", 20, 2, -1, false },
	{ "currency", "char", "char(3)", "EUR", -1, -1, -1, false },
	{ "trade_date", "date", "date", "2024-03-05", -1, -1, -1, false },
	{ "created_at", "datetime", "datetime(3)", "2024-03-05 10:11:12.345", -1, -1, 3, false },
	{ "updated_at", "timestamp", "timestamp", "2024-03-05 10:11:12", -1, -1, 0, false },
	{ "notes", "text", "text", "settled against the March invoice run", -1, -1, -1, false },
	{ "attrs", "longtext", "longtext", "{\"src\": \"gen\", \"batch\": 12, \"tags\": [\"a\", \"b\"]}", -1, -1, -1, true },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long		n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	plan_column pcs[NCOLS];
	binlog_value img[NCOLS];
	int			key[] = { 0 };
	plan_table	pt = { .source = "T_DEAL", .cols = pcs, .ncols = NCOLS, .key = key, .nkey = 1 };
	dbz_options o = { 0 };
	dbz_source	s = { .server_name = "bench", .db = "xchange_trading", .table = "T_DEAL", .server_id = 1,
		.file = "mariadb-bin.000001", .pos = 123456, .ts_ms = 1700000000000ULL };
	char		err[512];
	size_t		bytes = 0;

	if (n < 1) {
		fprintf(stderr, "usage: dbz-encode-bench [EVENTS]\n");
		return 2;
	}
	memset(pcs, 0, sizeof(pcs));
	for (size_t i = 0; i < NCOLS; i++) {
		typemap_source src = { .name = cols[i].name, .data_type = cols[i].data_type,
			.column_type = cols[i].column_type, .char_max_len = -1, .num_precision = cols[i].precision,
			.num_scale = cols[i].scale, .dt_precision = cols[i].dt_precision, .is_json = cols[i].is_json };
		if (!typemap_resolve(&src, &pcs[i].tm, err, sizeof(err))) {
			fprintf(stderr, "column %s: %s\n", cols[i].name, err);
			return 1;
		}
		pcs[i].name = (char *) cols[i].name;
		pcs[i].column_type = (char *) cols[i].column_type;
		pcs[i].nullable = true;
		pcs[i].num_scale = cols[i].scale;
		pcs[i].dt_precision = cols[i].dt_precision;
		img[i] = (binlog_value) { .present = true, .data = cols[i].value, .len = strlen(cols[i].value) };
	}

	json_t	   *v = dbz_value(&pt, DBZ_UPDATE, img, img, &s, &o, 1700000000000ULL, err, sizeof(err));
	if (!v) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double		t0 = now_s();
	for (long i = 0; i < n; i++) {
		char	   *text = json_dumps(v, JSON_COMPACT);
		bytes += strlen(text);
		free(text);
	}
	double		dump = now_s() - t0;
	json_decref(v);

	t0 = now_s();
	for (long i = 0; i < n; i++)
		json_decref(dbz_value(&pt, DBZ_UPDATE, img, img, &s, &o, 1700000000000ULL, err, sizeof(err)));
	double		build = now_s() - t0;

	t0 = now_s();
	for (long i = 0; i < n; i++) {
		json_t	   *k = dbz_key(&pt, img, &s, &o, err, sizeof(err));
		json_t	   *w = dbz_value(&pt, DBZ_UPDATE, img, img, &s, &o, 1700000000000ULL, err, sizeof(err));
		char	   *ks = json_dumps(k, JSON_COMPACT), *ws = json_dumps(w, JSON_COMPACT);
		free(ks);
		free(ws);
		json_decref(k);
		json_decref(w);
	}
	double		all = now_s() - t0;

	json_t	   *w = dbz_value(&pt, DBZ_UPDATE, img, img, &s, &o, 1700000000000ULL, err, sizeof(err));
	char	   *text = json_dumps(w, JSON_COMPACT);
	size_t		len = strlen(text);
	dbz_event	ev = DBZ_EVENT_INIT;
	json_decref(w);
	t0 = now_s();
	for (long i = 0; i < n; i++)
		if (!dbz_parse(&pt, text, len, &ev, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	double		parse = now_s() - t0;
	dbz_event_free(&ev);
	free(text);

	printf("events: %ld, value: %zu bytes\n", n, bytes / (size_t) n);
	printf("serialise a built value (json_dumps): %.2f us/event\n", dump * 1e6 / (double) n);
	printf("build the value tree (dbz_value):     %.2f us/event\n", build * 1e6 / (double) n);
	printf("key and value, built and serialised:  %.2f us/event\n", all * 1e6 / (double) n);
	printf("parse a value (dbz_parse):            %.2f us/event\n", parse * 1e6 / (double) n);
	return 0;
}
