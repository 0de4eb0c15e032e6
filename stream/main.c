/*
 * stream: replays one source database's binlog into PostgreSQL, forever
 * (or publishes it to Kafka as Debezium events, or applies Debezium topics
 * from Kafka into PostgreSQL).
 *
 * This file is the command line: options, settings, signals, the choice of
 * mode and sink (made once, here), and the outer loop that runs one loop
 * after another and backs off between failures. The work itself lives in
 * pipeline.c (binlog -> batches -> sink -> checkpoint), tables.c (the
 * allowlist, table states and watermarks), schema.c (schema changes, with
 * ddl.c's statement parsing and diff), failover.c (following a promoted
 * replica), sink_pg.c over apply.c (PostgreSQL), sink_kafka.c over kafka.c
 * (Kafka), consume.c (--from kafka), status.c (--status), source.c (the
 * replica connection), retention.c (binlog retention vs lag) and run.c
 * (backoff, outage clock).
 *
 * Signals are only noted by the handlers; the loops act on them between
 * transactions: SIGTERM/SIGINT commit the batch and exit 0, SIGHUP (or
 * migrate's NOTIFY) commits, re-reads the allowlist, the table states and
 * the source's connection settings, and reads again from the lowest
 * watermark if a table joined behind the current position. Failures on
 * either side roll back the batch and retry from the last checkpoint with
 * capped, jittered backoff, and a start while either server is down waits
 * the same way (open_session, connect_source); the daemon exits only for
 * what a person must fix. An earlier stream's leftovers at a start (its
 * PostgreSQL session, its replica registration) are taken over or waited
 * for by apply_open and source_open, up to STREAM_START_WAIT.
 */
#include "common/config.h"
#include "common/control.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "stream/consume.h"
#include "stream/pipeline.h"
#include "stream/run.h"
#include "stream/sink_kafka.h"
#include "stream/sink_pg.h"
#include "stream/source.h"
#include "stream/status.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_OK      0      /* stopped by a signal or --stop-at */
#define EXIT_FAILED  1      /* an error that needs a person (logged) */
#define EXIT_USAGE   2      /* bad option or configuration */

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t reload_requested = 0;
static double start_wait = 30;  /* STREAM_START_WAIT: seconds to wait for an earlier stream */

static void
on_stop(int sig)
{
	(void) sig;
	stop_requested = 1;
}

static void
on_hup(int sig)
{
	(void) sig;
	reload_requested = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"stream replays the binary log of one MariaDB source database into PostgreSQL,\n"
		"from the watermarks migrate recorded, exactly once (or, with --to kafka,\n"
		"publishes it to Kafka as Debezium events, at least once).\n\n"
		"Usage:\n"
		"  stream --database NAME [options]\n"
		"  stream --database NAME --status [--format json]\n"
		"  stream --status [--format json]   every database with an allowlist file in TABLES_DIR\n\n"
		"Options:\n"
		"  --database NAME      source database (settings NAME_*, allowlist tables.d/NAME)\n"
		"  --env FILE           settings file (default ./.env; the environment wins)\n"
		"                       (TLS: NAME_TLS, SINK_TLS, KAFKA_TLS verify certificates by default)\n"
		"  --stop-at FILE:POS   stop once the transaction reaching this binlog position is applied\n"
		"  --server-id N        replica server id (default NAME_SERVER_ID, else derived from NAME,\n                       and for --to kafka from NAME and KAFKA_TOPIC_PREFIX)\n"
		"  --batch-rows N       rows per PostgreSQL transaction at most (default 20000)\n"
		"  --batch-ms N         milliseconds a batch may collect (default 50)\n"
		"  --to kafka           publish the changes to Kafka as Debezium events instead\n"
		"                       (KAFKA_* settings; PostgreSQL keeps only the control schema;\n"
		"                       without SINK_DB_URL a local file, KAFKA_CHECKPOINT_FILE)\n"
		"  --snapshot           with --to kafka, first publish every row of the tables as op \"r\"\n"
		"                       events from one consistent snapshot (only before the first publish)\n"
		"  --from kafka         apply Debezium topics (ours or Debezium connectors') from Kafka\n"
		"                       instead of reading the binlog (KAFKA_* settings)\n"
		"  --status             print each table's state, watermark and rows applied, and the lag\n"
		"                       (with --to kafka and no SINK_DB_URL: the checkpoint file's position)\n"
		"  --format FORMAT      --status as text (default), or json: one object per database\n"
		"                       per line, the same fields\n"
		"  --log-level LEVEL    debug, info (default), notice, warning, error (or LOG_LEVEL)\n"
		"  --log-format FORMAT  text (default), or json: one object per line (or LOG_FORMAT)\n"
		"  --metrics-address HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics\n"
		"                       (or METRICS_ADDRESS; PORT alone means 127.0.0.1; default off)\n"
		"  --help               this text\n\n"
		"Signals: SIGTERM or SIGINT finish the current batch and exit 0; SIGHUP re-reads\n"
		"the allowlist and table states (migrate's table-ready notice does the same) and\n"
		"the source's connection settings (NAME_HOST, NAME_PORT, NAME_USER, NAME_PASS,\n"
		"NAME_TLS*): on another MariaDB server (a promoted replica) the stream continues\n"
		"from its checkpoint's GTID position, or refuses and says why.\n\n"
		"Lost connections are retried from the checkpoint, waiting 0.5 s doubling up to 30 s,\n"
		"and so is a start while MariaDB or PostgreSQL is down or unreachable; meanwhile, and\n"
		"once a minute while running, a warning says when the source may expire\n"
		"(binlog_expire_logs_seconds) the binary log the stream still needs.\n\n"
		"Relay log: the binary log is read into a local zstd relay log and applied from\n"
		"there (STREAM_RELAY=on, the default; STREAM_RELAY_DIR, default ./relay;\n"
		"STREAM_RELAY_MAX_SIZE, default 10G), so reading goes on while the sink is away\n"
		"and the source may purge what was read; STREAM_RELAY=off applies straight from\n"
		"the replica connection.\n\n"
		"Restarts: what an earlier stream of the database left behind on this host (its\n"
		"PostgreSQL session, its replica registration) is taken over once its process has\n"
		"ended; a stream still running (finishing its last batch), or one on another host,\n"
		"is waited for up to STREAM_START_WAIT seconds (default 30), then refused.\n\n"
		"Exit status: 0 stopped on request or at --stop-at; 1 an error that needs a person\n"
		"(logged: a refused login, a missing privilege, a purged binary log, another stream\n"
		"or replica with the same lock or server id); 2 bad usage or settings.\n");
}

/* parse_count: a range-checked whole-number option, logged when bad */
static bool
parse_count(const char *opt, const char *arg, long long min, long long max, long long *out)
{
	char errbuf[256];

	if (config_parse_count(opt, arg, min, max, out, errbuf, sizeof(errbuf)))
		return true;
	log_error("%s", errbuf);
	return false;
}

/* parse_format: --format text|json (of --status), logged when bad */
static bool
parse_format(const char *arg, bool *json)
{
	*json = strcmp(arg, "json") == 0;
	if (*json || strcmp(arg, "text") == 0)
		return true;
	log_error("invalid value \"%s\" for --format: expected text or json", arg);
	return false;
}

static bool
parse_options(int argc, char **argv, stream_options *o, bool *help)
{
	enum { O_DB = 256, O_ENV, O_STOP, O_SID, O_ROWS, O_MS, O_STATUS, O_LOG, O_HELP, O_TO, O_FROM, O_SNAP, O_LOGFMT, O_METRICS, O_FORMAT };
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, O_DB },
		{ "env", required_argument, NULL, O_ENV },
		{ "stop-at", required_argument, NULL, O_STOP },
		{ "server-id", required_argument, NULL, O_SID },
		{ "batch-rows", required_argument, NULL, O_ROWS },
		{ "batch-ms", required_argument, NULL, O_MS },
		{ "status", no_argument, NULL, O_STATUS },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "to", required_argument, NULL, O_TO },
		{ "from", required_argument, NULL, O_FROM },
		{ "snapshot", no_argument, NULL, O_SNAP },
		{ "log-level", required_argument, NULL, O_LOG },
		{ "log-format", required_argument, NULL, O_LOGFMT },
		{ "metrics-address", required_argument, NULL, O_METRICS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	bool format_set = false;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
			case O_DB: o->database = optarg; break;
			case O_ENV: o->env_file = optarg; break;
			case O_STOP: o->stop_at = optarg; break;
			case O_METRICS: o->metrics_address = optarg; break;
			case O_SID:
				if (!parse_count("--server-id", optarg, 1, 4294967295LL, &o->server_id))
					return false;
				break;
			case O_ROWS:
				if (!parse_count("--batch-rows", optarg, 1, 10000000, &o->batch_rows))
					return false;
				break;
			case O_MS:
				if (!parse_count("--batch-ms", optarg, 0, 60000, &o->batch_ms))
					return false;
				break;
			case O_STATUS: o->status = true; break;
			case O_FORMAT:
				if (!parse_format(optarg, &o->status_json))
					return false;
				format_set = true;
				break;
			case O_SNAP: o->snapshot = true; break;
			case O_FROM:
				if (strcmp(optarg, "kafka") == 0)
					o->from_kafka = true;
				else if (strcmp(optarg, "binlog") != 0) {
					log_error("invalid value \"%s\" for --from: expected kafka or binlog", optarg);
					return false;
				}
				break;
			case O_TO:
				if (strcmp(optarg, "kafka") == 0)
					o->to_kafka = true;
				else if (strcmp(optarg, "postgresql") != 0) {
					log_error("invalid value \"%s\" for --to: expected kafka or postgresql", optarg);
					return false;
				}
				break;
			case O_LOG:
				o->log_level_set = true;
				if (!log_level_option(optarg))
					return false;
				break;
			case O_LOGFMT:
				o->log_format_set = true;
				if (!log_format_option(optarg))
					return false;
				break;
			case O_HELP: *help = true; return true;
			default:
				log_error("unknown option \"%s\"", argv[optind - 1]);
				return false;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		return false;
	}
	if (!o->database && !o->status) {
		log_error("--database is required (--status without it prints every database)");
		return false;
	}
	if (o->to_kafka && o->from_kafka) {
		log_error("--to kafka and --from kafka exclude each other");
		return false;
	}
	if (o->snapshot && !o->to_kafka) {
		log_error("--snapshot goes with --to kafka");
		return false;
	}
	if (format_set && !o->status) {
		log_error("--format goes with --status");
		return false;
	}
	return true;
}

/* parse_stop_at: "file:pos" */
static bool
parse_stop_at(const char *s, binlogpos *out)
{
	const char *colon = strrchr(s, ':');
	char *end;

	if (!colon || colon == s || colon - s >= (ptrdiff_t) sizeof(out->file))
		goto bad;
	errno = 0;
	unsigned long long pos = strtoull(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end)
		goto bad;
	memset(out, 0, sizeof(*out));
	memcpy(out->file, s, (size_t) (colon - s));
	out->pos = pos;
	return true;
bad:
	log_error("invalid value \"%s\" for --stop-at: expected FILE:POS, e.g. mariadb-bin.000003:4711", s);
	return false;
}

/* load_settings: .env, the database's source settings and the log
 * settings; EXIT_OK or EXIT_USAGE (logged) */
static int
load_settings(stream_run *r)
{
	char errbuf[2048];

	if (!config_load_env(&r->cfg, r->o.env_file ? r->o.env_file : ".env", r->o.env_file != NULL, errbuf, sizeof(errbuf)) ||
		!config_load_source(&r->cfg, r->o.database, errbuf, sizeof(errbuf))) {
		for (size_t i = 0; i < r->cfg.n_warnings; i++)
			log_warning("%s", r->cfg.warnings[i]);
		log_error("%s", errbuf);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < r->cfg.n_warnings; i++)
		log_warning("%s", r->cfg.warnings[i]);
	if (!log_settings(config_get(&r->cfg, "LOG_LEVEL"), r->o.log_level_set, config_get(&r->cfg, "LOG_FORMAT"),
					  r->o.log_format_set, errbuf, sizeof(errbuf))) {
		log_error("%s", errbuf);
		return EXIT_USAGE;
	}
	log_set_database(r->cfg.src.name);
	return run_settings(r) ? EXIT_OK : EXIT_USAGE;
}

/* choose_server_id: --server-id, NAME_SERVER_ID, or derived from the name
 * (and, for the publisher, its topic prefix) */
static bool
choose_server_id(stream_run *r)
{
	char var[160];

	snprintf(var, sizeof(var), "%s_SERVER_ID", r->cfg.src.prefix);
	const char *sid = config_get(&r->cfg, var);
	r->server_id = source_default_server_id(r->cfg.src.name);
	if (r->o.to_kafka) {
		/* the publisher reads beside the stream into PostgreSQL: an id of
		 * its own (per topic prefix), or MariaDB ends one for the other */
		const char *prefix = config_get(&r->cfg, "KAFKA_TOPIC_PREFIX");
		char *key = xasprintf("%s\x1fpublish\x1f%s", r->cfg.src.name, prefix && prefix[0] ? prefix : r->cfg.src.name);
		r->server_id = source_default_server_id(key);
		free(key);
	}
	if (r->o.server_id > 0)
		r->server_id = (uint32_t) r->o.server_id;
	else if (sid) {
		long long v;
		if (!parse_count(var, sid, 1, 4294967295LL, &v))
			return false;
		r->server_id = (uint32_t) v;
	}
	return true;
}

/* choose_start_wait: STREAM_START_WAIT, how long a start (or a reconnect)
 * waits for an earlier stream of the database to let go: its PostgreSQL
 * session's lock, its replica registration */
static bool
choose_start_wait(stream_run *r)
{
	const char *v = config_get(&r->cfg, "STREAM_START_WAIT");
	long long s;

	if (v) {
		if (!parse_count("STREAM_START_WAIT", v, 0, 3600, &s))
			return false;
		start_wait = (double) s;
	}
	source_set_wait(start_wait, &stop_requested);
	return true;
}

/* open_session: the PostgreSQL session; started while PostgreSQL is down
 * (a reboot during an outage), it waits for it like any later outage; a
 * refused login, or a lock another stream keeps past STREAM_START_WAIT, is
 * an error. EXIT_OK, EXIT_FAILED, or -1 stopped. */
static int
open_session(stream_run *r)
{
	const char *role = r->o.to_kafka ? "publish" : "stream";

	for (int failures = 0; !(r->a = apply_open(&r->cfg, &r->ctl, role, start_wait, r->stop_requested)); failures++) {
		if (*r->stop_requested)
			return -1;
		if (!pg_sink_down(&r->cfg))
			return EXIT_FAILED;
		double delay = run_backoff_delay(failures);
		run_outage_retry(r, delay);
		run_sleep(r, delay, false);
		if (*r->stop_requested)
			return -1;
	}
	char errbuf[2048], hint[512];
	if (!control_install(apply_conn(r->a), &r->ctl, errbuf, sizeof(errbuf), hint, sizeof(hint))) {
		log_error_dh(NULL, hint[0] ? hint : NULL, "could not install the control schema \"%s\": %s",
					 r->cfg.control_schema, errbuf);
		return EXIT_FAILED;
	}
	PGresult *res = pg_query(apply_conn(r->a), "SELECT 1 FROM pg_extension WHERE extname = 'postgis'", 0, NULL,
							 errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not query the sink: %s", errbuf);
		return EXIT_FAILED;
	}
	r->postgis = PQntuples(res) > 0;
	PQclear(res);
	return EXIT_OK;
}

/* open_sink: the mode's sink, chosen once: PostgreSQL (binlog or Kafka
 * into it), or the Kafka publisher (with the control schema in PostgreSQL,
 * or a local checkpoint file without it). EXIT_OK, or the exit status. */
static int
open_sink(stream_run *r, sink_events *ev)
{
	char errbuf[2048];

	if ((r->o.to_kafka || r->o.from_kafka) && !kafka_settings_load(&r->cfg, &r->ks, errbuf, sizeof(errbuf))) {
		log_error_dh(NULL, "See env.example for the KAFKA_* settings.", "%s", errbuf);
		return EXIT_USAGE;
	}
	r->local = r->o.to_kafka && !r->cfg.sink_url;
	if (!r->local) {
		int rc = open_session(r);
		if (rc != EXIT_OK)
			return rc < 0 ? EXIT_OK : rc;
	}
	if (!r->o.to_kafka)
		r->sk = sink_pg_open(&r->a, r->server_id, ev);
	else if (!(r->sk = sink_kafka_open(&r->ks, r->cfg.src.name, r->local ? NULL : &r->a, &r->ctl, r->server_id, ev)))
		return EXIT_FAILED;
	binlogpos published;
	if (r->local && r->sk->ops->durable(r->sk, &published) && !published.file[0] && !r->o.snapshot) {
		log_error_dh(NULL, "Start with --snapshot: it publishes every row, then the changes from its position. "
					 "(With SINK_DB_URL set, the publisher starts from migrate's watermarks instead.)",
					 "database \"%s\" has no published position: no checkpoint file \"%s\" and no "
					 "SINK_DB_URL", r->cfg.src.name, r->ks.checkpoint_file);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* snapshot: --snapshot, only before the first publish */
static int
snapshot(stream_run *r)
{
	binlogpos published;

	if (r->sk->ops->durable(r->sk, &published) && published.file[0]) {
		log_error_dh(NULL, r->local ? "To publish a snapshot again, use a new KAFKA_TOPIC_PREFIX, or delete the "
					 "checkpoint file (KAFKA_CHECKPOINT_FILE) first." : "To publish a snapshot again, use a new "
					 "KAFKA_TOPIC_PREFIX, or delete this prefix's row of publish_checkpoint in the control schema first.",
					 "database \"%s\" was already published to Kafka (topic prefix \"%s\"); --snapshot is for the "
					 "first start", r->cfg.src.name, r->ks.prefix);
		return EXIT_USAGE;
	}
	return sink_kafka_snapshot(r->sk, &r->cfg.src, &r->tables, r->stop_requested) ? EXIT_OK : EXIT_FAILED;
}

/* connect_source: the introspection connection to MariaDB at start;
 * started while MariaDB is down or not reachable yet (a reboot's order),
 * it waits with the backoff of a lost connection, and takes SIGHUP's new
 * connection settings meanwhile; a refused login or a TLS setting is an
 * error. EXIT_OK, EXIT_FAILED, or -1 stopped. */
static int
connect_source(stream_run *r)
{
	char errbuf[2048];
	bool down;

	for (int failures = 0; !(r->meta = maria_connect_try(&r->cfg.src, 60, &down, errbuf, sizeof(errbuf))); failures++) {
		if (!down) {
			log_error_dh(NULL, "Check the NAME_HOST, NAME_PORT, NAME_USER and NAME_PASS settings.", "%s", errbuf);
			return EXIT_FAILED;
		}
		log_error("%s", errbuf);
		double delay = run_backoff_delay(failures);
		run_outage_retry(r, delay);
		run_sleep(r, delay, true);
		if (*r->stop_requested)
			return -1;
		/* SIGHUP meanwhile (a failover while down): the new settings are
		 * taken and connect, or the loop goes on with them; the tables are
		 * loaded after this anyway */
		if (*r->reload_requested) {
			*r->reload_requested = 0;
			int rc = r->o.to_kafka || r->o.from_kafka ? 0 : run_reload_source(r);
			if (rc < 0)
				return EXIT_FAILED;
			if (rc > 0 && r->meta)
				break;
		}
	}
	return EXIT_OK;
}

/* prepare: everything before the first loop; EXIT_OK or the exit status */
static int
prepare(stream_run *r, sink_events *ev)
{
	int rc;

	control_init(&r->ctl, r->cfg.control_schema, r->cfg.src.name);
	if ((rc = open_sink(r, ev)) != EXIT_OK || !r->sk)
		return rc;
	if ((rc = connect_source(r)) != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if (!tables_load(r))
		return EXIT_USAGE;
	if (r->o.snapshot && (rc = snapshot(r)) != EXIT_OK)
		return rc;
	binlogpos start;
	if (!tables_lowest_watermark(&r->tables, &start)) {
		log_error_dh(NULL, "Copy tables with migrate --database NAME --tables all first; stream continues from there.",
					 "no allowlisted table of database \"%s\" is ready to stream", r->cfg.src.name);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* reconnect: the connections a loop needs, opened again where they were
 * lost; with a reload request, the source's settings and the tables first.
 * 1 ready, 0 when one is still missing (logged), -1 when MariaDB refuses
 * the connection (logged: a person must fix it). */
static int
reconnect(stream_run *r)
{
	if (!r->a && !r->local)     /* logged on failure */
		r->a = apply_open(&r->cfg, &r->ctl, r->o.to_kafka ? "publish" : "stream", start_wait, r->stop_requested);
	/* SIGHUP may bring new connection settings for an unreachable source
	 * (a failover): take them before connecting again */
	if (*r->reload_requested && !r->o.to_kafka && !r->o.from_kafka) {
		if (run_reload_source(r) < 0)
			return -1;
		r->tables_stale = true;
	}
	if (r->meta && mysql_ping(r->meta) != 0) {
		mysql_close(r->meta);
		r->meta = NULL;
	}
	int rc = run_connect_meta(r);
	if (rc < 0)
		return -1;
	if (!(r->a || r->local) || rc == 0)
		return 0;
	if (r->tables_stale) {
		/* after a rollback, or on a reload: the tables as the control
		 * schema has them (a schema change rolled back with its batch is
		 * carried again when the stream meets its statement again) */
		if (*r->reload_requested)
			log_info("reloading the allowlist and table states of database \"%s\"", r->cfg.src.name);
		if (!tables_load(r))
			return 0;
		r->tables_stale = false;
		*r->reload_requested = 0;
	}
	return 1;
}

/* start_position: where the next loop reads from: the lowest watermark, not
 * before what the sink made durable; false when nothing is streamed */
static bool
start_position(stream_run *r, binlogpos *start)
{
	binlogpos durable;

	if (r->sk->ops->durable(r->sk, &durable) && durable.file[0])
		for (size_t i = 0; i < r->tables.n; i++)
			if (binlogpos_cmp(&durable, &r->tables.v[i].applied) > 0)
				r->tables.v[i].applied = durable;
	if (!tables_lowest_watermark(&r->tables, start)) {
		log_error("no table of database \"%s\" is streamed any more", r->cfg.src.name);
		return false;
	}
	return true;
}

/* after_failure: the backoff after a failed loop; false when stopped */
static bool
after_failure(stream_run *r, int failures)
{
	metrics_stream_reconnect();
	double delay = run_backoff_delay(failures);
	run_outage_retry(r, delay);
	run_retention_watch(r, true);
	run_sleep(r, delay, true);
	if (*r->stop_requested)
		return false;
	if (r->a && pg_is_disconnect(apply_conn(r->a))) {
		apply_close(r->a);
		r->a = NULL;     /* reopened by reconnect, lock included */
	}
	r->tables_stale = true;     /* the tables and their descriptions as of the durable position */
	return true;
}

/* run_loops: one loop after another until stopped or fatal; the exit status */
static int
run_loops(stream_run *r)
{
	binlogpos start;
	int failures = 0;

	for (;;) {
		loop_end e = END_RETRY;
		double began = run_now();
		int ready = reconnect(r);
		if (ready < 0)
			return EXIT_FAILED;
		if (ready > 0) {
			if (!start_position(r, &start))
				return EXIT_FAILED;
			e = r->o.from_kafka ? consume_loop(r) : pipeline_run(r, &start);
		}
		if (run_now() - began > 10)
			failures = 0;   /* it ran for a while: back off from the start again */
		if (e == END_STOP) {
			/* Kafka: wait for what is in flight, so the checkpoint covers it */
			binlogpos d;
			if (r->sk->ops->settle(r->sk, 30000) != SINK_DONE && r->sk->ops->durable(r->sk, &d))
				log_warning("not every event was acknowledged by Kafka before stopping; the next start publishes "
							"again from %s:%" PRIu64, d.file, d.pos);
			return EXIT_OK;
		}
		if (e == END_FATAL)
			return EXIT_FAILED;
		if (e != END_RETRY) {
			failures = 0;
			continue;
		}
		if (*r->stop_requested || !after_failure(r, failures++))
			return EXIT_OK;
		if (r->sk->ops->reset(r->sk, &r->tables) != SINK_DONE)
			return EXIT_FAILED;
	}
}

int
main(int argc, char **argv)
{
	stream_run r;
	bool help = false;
	int rc;

	memset(&r, 0, sizeof(r));
	r.o.batch_rows = 20000;
	r.o.batch_ms = 50;
	r.stop_requested = &stop_requested;
	r.reload_requested = &reload_requested;
	log_set_prefix("stream");
	if (!parse_options(argc, argv, &r.o, &help)) {
		fprintf(stderr, "Try \"stream --help\".\n");
		return EXIT_USAGE;
	}
	if (help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (r.o.stop_at && !parse_stop_at(r.o.stop_at, &r.stop))
		return EXIT_USAGE;
	r.cfg.sink_optional = r.o.to_kafka;     /* the publisher can do without PostgreSQL */
	log_format_from_env(r.o.log_format_set);    /* LOG_FORMAT from the first line on */
	if (r.o.status && !r.o.database)
		return status_all(&r.o);
	if ((rc = load_settings(&r)) != EXIT_OK) {
		config_free(&r.cfg);
		return rc;
	}
	if (r.o.status) {
		rc = status_print(&r);
		run_free(&r);
		return rc;
	}
	if ((rc = metrics_start(&r.cfg, r.o.metrics_address, "stream", r.cfg.src.name)) != 0) {
		config_free(&r.cfg);
		return rc;
	}
	if (!choose_server_id(&r) || !choose_start_wait(&r) || !source_set_relay(&r.cfg, r.o.to_kafka)) {
		metrics_stop();
		config_free(&r.cfg);
		return EXIT_USAGE;
	}
	srand((unsigned) time(NULL) ^ (unsigned) getpid());     /* backoff jitter differs per daemon */
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);

	source_relay_prestart(&r.cfg.src, r.server_id);    /* reads on while the sink is away */
	sink_events ev = { .on_durable = run_durable, .ctx = &r };
	rc = prepare(&r, &ev);
	if (rc == EXIT_OK && r.sk && !stop_requested)
		rc = run_loops(&r);
	source_relay_shutdown();    /* its metrics collector goes before the registry */
	metrics_stop();
	run_free(&r);
	return rc;
}
