/*
 * --status (status.h). Everything comes from the control schema through
 * control.h's status queries; only the lag in bytes asks the source
 * (its binary logs after the checkpoint).
 *
 * --format json prints the same fields as the text, built from the same
 * query results by the json_* functions below (one object per database,
 * on one line): the text printers and the JSON builders read the same
 * columns, so a field added to one belongs in the other.
 */
#include "stream/status.h"

#include "common/control.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/pg.h"
#include "common/xalloc.h"
#include "stream/source.h"

#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_OK      0
#define EXIT_FAILED  1
#define EXIT_USAGE   2

/* print_json: one object on one line of stdout; takes o over. EXIT_OK, or
 * EXIT_FAILED when jansson could not build it (a string not UTF-8) */
static int
print_json(json_t *o)
{
	if (!o || json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) != 0) {
		json_decref(o);
		log_error("could not write the status as JSON");
		return EXIT_FAILED;
	}
	putchar('\n');
	json_decref(o);
	return EXIT_OK;
}

/* jstr: a column's text, null when empty (or "-", the text's "none") */
static json_t *
jstr(const PGresult *res, int row, int col)
{
	const char *v = PQgetvalue(res, row, col);
	return v[0] == '\0' || strcmp(v, "-") == 0 ? json_null() : json_string(v);
}

/* jint: a column's whole number, null when empty */
static json_t *
jint(const PGresult *res, int row, int col)
{
	const char *v = PQgetvalue(res, row, col);
	return v[0] == '\0' ? json_null() : json_integer(strtoll(v, NULL, 10));
}

/* print_local: --to kafka without PostgreSQL: the checkpoint file */
static int
print_local(stream_run *r)
{
	char errbuf[2048];
	binlogpos pos;
	int got;

	if (!kafka_settings_load(&r->cfg, &r->ks, errbuf, sizeof(errbuf)) ||
		(got = kafka_checkpoint_read(&r->ks, r->cfg.src.name, &pos, NULL, errbuf, sizeof(errbuf))) < 0) {
		log_error("%s", errbuf);
		return EXIT_FAILED;
	}
	if (r->o.status_json) {
		json_t *ack = got == 0 ? json_null()
			: json_pack("{s:s, s:I, s:o}", "binlog_file", pos.file, "binlog_position", (json_int_t) pos.pos,
						"gtid", pos.gtid[0] ? json_string(pos.gtid) : json_null());
		json_t *o = json_pack("{s:s, s:{s:s, s:s, s:o}}", "database", r->cfg.src.name, "kafka_local",
							  "topic_prefix", r->ks.prefix, "checkpoint_file", r->ks.checkpoint_file,
							  "acknowledged", ack);
		return print_json(o);
	}
	printf("database %s, published to Kafka (topic prefix \"%s\"), checkpoint file %s\n", r->cfg.src.name,
		   r->ks.prefix, r->ks.checkpoint_file);
	if (got == 0)
		printf("  nothing published yet (the first start needs --snapshot)\n");
	else
		printf("  acknowledged by Kafka up to %s:%" PRIu64 "%s%s\n", pos.file, pos.pos, pos.gtid[0] ? ", GTID " : "",
			   pos.gtid);
	return EXIT_OK;
}

/* print_lag: bytes from the checkpoint to the source's current position,
 * seconds since the last applied commit when there are bytes to apply */
static void
print_lag(stream_run *r, const PGresult *cp)
{
	char errbuf[1024];
	maria_binlog *logs = NULL;
	size_t nlogs = 0;
	MYSQL *my = maria_connect(&r->cfg.src, errbuf, sizeof(errbuf));

	if (!my || !maria_binlogs(my, &logs, &nlogs, errbuf, sizeof(errbuf))) {
		printf("  lag: unknown (%s)\n", errbuf);
		if (my)
			mysql_close(my);
		return;
	}
	unsigned long long lag;
	(void) maria_binlog_lag(logs, nlogs, PQgetvalue(cp, 0, 0), strtoull(PQgetvalue(cp, 0, 1), NULL, 10), &lag);
	printf("  lag: %llu bytes, %s seconds\n", lag, lag == 0 ? "0" : (PQgetvalue(cp, 0, 4)[0] ? PQgetvalue(cp, 0, 4) : "?"));
	free(logs);
	mysql_close(my);
}

/* print_checkpoint: the checkpoint line and the lag */
static void
print_checkpoint(stream_run *r, const PGresult *cp)
{
	if (PQntuples(cp) == 0) {
		printf("  checkpoint: none (stream has not committed yet)\n");
		return;
	}
	printf("  checkpoint: %s:%s gtid %s%s%s, source commit %s UTC, written %s\n", PQgetvalue(cp, 0, 0),
		   PQgetvalue(cp, 0, 1), PQgetvalue(cp, 0, 2)[0] ? PQgetvalue(cp, 0, 2) : "-",
		   PQgetvalue(cp, 0, 6)[0] ? " on MariaDB server " : "", PQgetvalue(cp, 0, 6),
		   PQgetvalue(cp, 0, 3)[0] ? PQgetvalue(cp, 0, 3) : "-", PQgetvalue(cp, 0, 5));
	print_lag(r, cp);
}

/* print_kafka: published and consumed positions, when there are any */
static void
print_kafka(stream_run *r, PGconn *pg)
{
	char errbuf[1024];
	PGresult *pub = control_status_published(pg, &r->ctl, errbuf, sizeof(errbuf));

	for (int i = 0; pub && i < PQntuples(pub); i++)
		printf("  published to Kafka (topic prefix %s): %s gtid %s, source commit %s UTC, written %s\n",
			   PQgetvalue(pub, i, 0), PQgetvalue(pub, i, 1), PQgetvalue(pub, i, 2), PQgetvalue(pub, i, 3),
			   PQgetvalue(pub, i, 4));
	PQclear(pub);
	PGresult *con = control_status_consumed(pg, &r->ctl, errbuf, sizeof(errbuf));
	if (con && strcmp(PQgetvalue(con, 0, 0), "0") != 0)
		printf("  consumed from Kafka: %s partition(s), offsets written %s; dead letters: %s\n", PQgetvalue(con, 0, 0),
			   PQgetvalue(con, 0, 1), PQgetvalue(con, 0, 2));
	PQclear(con);
}

/* print_copy: a copy's progress under its table's line: rows so far (of
 * the estimate), seconds since it started */
static void
print_copy(const PGresult *tb, int i)
{
	long long rows = strtoll(PQgetvalue(tb, i, 8), NULL, 10);
	const char *est = PQgetvalue(tb, i, 9), *secs = PQgetvalue(tb, i, 10);
	long long e = est[0] ? strtoll(est, NULL, 10) : 0;
	char of[64] = "";

	if (e > 0)
		snprintf(of, sizeof(of), " of ~%lld (%lld%%)", e, rows >= e ? 100 : rows * 100 / e);
	printf("%-32s copy: %s, %lld rows%s, %s s\n", "", PQgetvalue(tb, i, 1), rows, of, secs[0] ? secs : "?");
}

/* print_tables: one line per table */
static void
print_tables(const PGresult *tb)
{
	printf("\n%-32s %-9s %-32s %12s %12s %12s  %s\n", "table", "state", "watermark", "inserted", "updated",
		   "deleted", "error");
	for (int i = 0; i < PQntuples(tb); i++) {
		char wm[300];
		snprintf(wm, sizeof(wm), "%s:%s", PQgetvalue(tb, i, 2), PQgetvalue(tb, i, 3));
		printf("%-32s %-9s %-32s %12s %12s %12s  %s\n", PQgetvalue(tb, i, 0), PQgetvalue(tb, i, 1),
			   wm[0] == ':' ? "-" : wm, PQgetvalue(tb, i, 4), PQgetvalue(tb, i, 5), PQgetvalue(tb, i, 6),
			   PQgetvalue(tb, i, 7));
		const char *state = PQgetvalue(tb, i, 1);
		if (strcmp(state, "copying") == 0 || strcmp(state, "indexing") == 0)
			print_copy(tb, i);
		if (strcmp(PQgetvalue(tb, i, 11), "0") != 0)
			printf("%-32s kafka: %s events before the watermark skipped (already in the copy)\n", "",
				   PQgetvalue(tb, i, 11));
	}
}

/* json_lag: print_lag's figures: bytes and seconds behind, or why unknown */
static json_t *
json_lag(stream_run *r, const PGresult *cp)
{
	char errbuf[1024];
	maria_binlog *logs = NULL;
	size_t nlogs = 0;
	MYSQL *my = maria_connect(&r->cfg.src, errbuf, sizeof(errbuf));

	if (!my || !maria_binlogs(my, &logs, &nlogs, errbuf, sizeof(errbuf))) {
		if (my)
			mysql_close(my);
		return json_pack("{s:n, s:n, s:s}", "bytes", "seconds", "error", errbuf);
	}
	unsigned long long lag;
	(void) maria_binlog_lag(logs, nlogs, PQgetvalue(cp, 0, 0), strtoull(PQgetvalue(cp, 0, 1), NULL, 10), &lag);
	free(logs);
	mysql_close(my);
	return json_pack("{s:I, s:o}", "bytes", (json_int_t) lag, "seconds", lag == 0 ? json_integer(0) : jint(cp, 0, 4));
}

/* json_database: what status_print prints, as one object */
static json_t *
json_database(stream_run *r, PGconn *pg, const PGresult *cp, const PGresult *tb)
{
	char errbuf[1024];
	json_t *o = json_pack("{s:s}", "database", r->cfg.src.name);

	if (PQntuples(cp) == 0) {
		json_object_set_new(o, "checkpoint", json_null());
		json_object_set_new(o, "lag", json_null());
	} else {
		json_object_set_new(o, "checkpoint",
			json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "binlog_file", jstr(cp, 0, 0), "binlog_position", jint(cp, 0, 1),
					  "gtid", jstr(cp, 0, 2), "source_server_id", jint(cp, 0, 6), "source_commit", jstr(cp, 0, 3),
					  "written", jstr(cp, 0, 5)));
		json_object_set_new(o, "lag", json_lag(r, cp));
	}

	json_t *published = json_array();
	PGresult *pub = control_status_published(pg, &r->ctl, errbuf, sizeof(errbuf));
	for (int i = 0; pub && i < PQntuples(pub); i++)
		json_array_append_new(published,
			json_pack("{s:o, s:o, s:o, s:o, s:o}", "topic_prefix", jstr(pub, i, 0), "position", jstr(pub, i, 1),
					  "gtid", jstr(pub, i, 2), "source_commit", jstr(pub, i, 3), "written", jstr(pub, i, 4)));
	PQclear(pub);
	json_object_set_new(o, "published", published);

	PGresult *con = control_status_consumed(pg, &r->ctl, errbuf, sizeof(errbuf));
	if (con && strcmp(PQgetvalue(con, 0, 0), "0") != 0)
		json_object_set_new(o, "consumed", json_pack("{s:o, s:o, s:o}", "partitions", jint(con, 0, 0),
													 "offsets_written", jstr(con, 0, 1), "dead_letters", jint(con, 0, 2)));
	else
		json_object_set_new(o, "consumed", json_null());
	PQclear(con);

	json_t *tables = json_array();
	for (int i = 0; i < PQntuples(tb); i++) {
		const char *state = PQgetvalue(tb, i, 1);
		json_t *wm = PQgetvalue(tb, i, 2)[0] == '\0' ? json_null()
			: json_pack("{s:o, s:o}", "binlog_file", jstr(tb, i, 2), "binlog_position", jint(tb, i, 3));
		json_t *copy = json_null();
		if (strcmp(state, "copying") == 0 || strcmp(state, "indexing") == 0) {
			long long rows = strtoll(PQgetvalue(tb, i, 8), NULL, 10);
			long long e = PQgetvalue(tb, i, 9)[0] ? strtoll(PQgetvalue(tb, i, 9), NULL, 10) : 0;
			copy = json_pack("{s:s, s:I, s:o, s:o, s:o}", "phase", state, "rows", (json_int_t) rows,
							 "estimated_rows", jint(tb, i, 9),
							 "percent", e > 0 ? json_integer(rows >= e ? 100 : rows * 100 / e) : json_null(),
							 "seconds", jint(tb, i, 10));
		}
		json_array_append_new(tables,
			json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "table", jstr(tb, i, 0), "state", state,
					  "watermark", wm, "inserted", jint(tb, i, 4), "updated", jint(tb, i, 5), "deleted", jint(tb, i, 6),
					  "error", jstr(tb, i, 7), "copy", copy, "kafka_skipped", jint(tb, i, 11)));
	}
	json_object_set_new(o, "tables", tables);
	return o;
}

int
status_print(stream_run *r)
{
	char errbuf[2048];

	if (!r->cfg.sink_url)
		return print_local(r);
	PGconn *pg = pg_connect(&r->cfg, "stream-status", errbuf, sizeof(errbuf));
	if (!pg) {
		log_error("%s", errbuf);
		return EXIT_FAILED;
	}
	control_init(&r->ctl, r->cfg.control_schema, r->cfg.src.name);
	PGresult *cp = control_status_checkpoint(pg, &r->ctl, errbuf, sizeof(errbuf));
	PGresult *tb = cp ? control_status_tables(pg, &r->ctl, errbuf, sizeof(errbuf)) : NULL;
	if (!tb) {
		log_error_dh(errbuf, "Run migrate for this database first; it installs the control schema.",
					 "could not read the stream state of database \"%s\"", r->cfg.src.name);
		PQclear(cp);
		PQfinish(pg);
		return EXIT_FAILED;
	}
	int rc = EXIT_OK;
	bool relay = source_set_relay(&r->cfg, r->o.to_kafka);
	if (r->o.status_json) {
		json_t *o = json_database(r, pg, cp, tb);
		if (o && relay)
			json_object_set_new(o, "relay", source_relay_json());
		rc = print_json(o);
	} else {
		printf("database %s\n", r->cfg.src.name);
		print_checkpoint(r, cp);
		if (relay)
			source_relay_status();
		print_kafka(r, pg);
		print_tables(tb);
	}
	PQclear(cp);
	PQclear(tb);
	PQfinish(pg);
	return rc;
}

/* name_cmp: qsort of strings */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* database_names: the allowlist files of TABLES_DIR, sorted; exit status
 * 0 or EXIT_USAGE (logged) */
static int
database_names(const stream_options *o, char ***names, size_t *n)
{
	char errbuf[2048];
	config cfg = { .sink_optional = o->to_kafka };
	const char *envf = o->env_file ? o->env_file : ".env";

	*names = NULL;
	*n = 0;
	if (!config_load_env(&cfg, envf, o->env_file != NULL, errbuf, sizeof(errbuf))) {
		log_error("%s", errbuf);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	DIR *d = opendir(cfg.tables_dir);
	if (!d) {
		log_error_dh(NULL, "Set TABLES_DIR, or give --database NAME.", "could not read the allowlist directory \"%s\": %s",
					 cfg.tables_dir, strerror(errno));
		config_free(&cfg);
		return EXIT_USAGE;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		bool ok = e->d_name[0] != '\0';
		for (const char *p = e->d_name; *p && ok; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
		if (!ok)
			continue;   /* ".", "..", backups, editors' files */
		*names = xrealloc(*names, (*n + 1) * sizeof(char *));
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	config_free(&cfg);
	if (*n == 0) {
		log_error("no allowlist file (tables.d/NAME) in the allowlist directory; nothing to report");
		return EXIT_USAGE;
	}
	qsort(*names, *n, sizeof(char *), name_cmp);
	return EXIT_OK;
}

int
status_all(const stream_options *o)
{
	char errbuf[2048];
	const char *envf = o->env_file ? o->env_file : ".env";
	char **names;
	size_t n;
	int rc = database_names(o, &names, &n);

	if (rc != EXIT_OK) {
		free(names);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		stream_run r;
		memset(&r, 0, sizeof(r));
		r.o = *o;
		r.o.database = names[i];
		r.cfg.sink_optional = o->to_kafka;
		if (i > 0 && !o->status_json)
			printf("\n");
		fflush(stdout);
		int one = EXIT_USAGE;
		if (!config_load_env(&r.cfg, envf, o->env_file != NULL, errbuf, sizeof(errbuf)) ||
			!config_load_source(&r.cfg, names[i], errbuf, sizeof(errbuf)))
			log_error("%s", errbuf);
		else {
			log_set_database(r.cfg.src.name);
			one = status_print(&r);
		}
		fflush(stdout);
		if (one != EXIT_OK && rc == EXIT_OK)
			rc = one;
		control_free(&r.ctl);
		kafka_settings_free(&r.ks);
		config_free(&r.cfg);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	log_set_database(NULL);
	free(names);
	return rc;
}
