/*
 * stream: replays one source database's binlog into PostgreSQL, forever.
 *
 * How it runs: the streamed tables are the allowlisted tables migrate marked
 * ready. Each has an effective watermark, the later of migrate's snapshot
 * position and the position the stream last committed for it; a source
 * transaction that starts before a table's watermark is already in that
 * table and is skipped for it. Reading starts at the lowest watermark.
 * Source transactions are collected into batches (apply.h) that commit with
 * the checkpoint when the batch is big or old enough, or when the stream has
 * caught up. Signals are only noted by the handlers; the loop acts on them
 * at transaction boundaries: SIGTERM/SIGINT commit the batch and exit 0,
 * SIGHUP (or migrate's NOTIFY) commits, reloads the allowlist, the table
 * states and the source's connection settings, and reads again from the
 * lowest watermark if a table joined behind the current position. The
 * checkpoint records the source server's id; on another server (a
 * failover) the stream continues from the checkpoint's GTID position
 * (server_switch). Connection failures on either side roll back the batch
 * and reconnect with capped, jittered backoff from the last
 * checkpoint (at most 30 s apart, so an outage of minutes or hours ends in
 * a catch-up within 30 s of the sink's return); while failing, and once a
 * minute while running, the source's binlog retention is checked against
 * the stream's lag (retention.h).
 */
#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/config.h"
#include "common/control.h"
#include "common/hex.h"
#include "common/ident.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/plan.h"
#include "common/xalloc.h"
#include "stream/apply.h"
#include "stream/dbz.h"
#include "stream/dbz_decode.h"
#include "stream/kafka.h"
#include "stream/retention.h"
#include "stream/source.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define EXIT_OK      0      /* stopped by a signal or --stop-at */
#define EXIT_FAILED  1      /* an error that needs a person (logged) */
#define EXIT_USAGE   2      /* bad option or configuration */

#define BACKOFF_MAX_S   30.0    /* longest wait between two attempts to reconnect */

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t reload_requested = 0;

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

typedef struct options {
	const char *database;
	const char *env_file;
	const char *stop_at;
	const char *metrics_address;    /* --metrics-address, NULL = METRICS_ADDRESS */
	long long   server_id;
	long long   batch_rows;
	long long   batch_ms;
	bool        status;
	bool        log_level_set;
	bool        log_format_set;
	bool        to_kafka;       /* --to kafka */
	bool        from_kafka;     /* --from kafka */
	bool        snapshot;       /* --snapshot (with --to kafka) */
} options;

/* one domain of a MariaDB GTID position: domain-server-seq */
typedef struct gtid_entry { uint32_t domain, server; uint64_t seq; } gtid_entry;

typedef struct run {
	config      cfg;
	control     ctl;
	options     o;
	uint32_t    server_id;
	bool        postgis;
	apply      *a;              /* the sink; with --to kafka only the control schema;
								 * NULL with --to kafka and no SINK_DB_URL (local) */
	bool        local;          /* --to kafka without PostgreSQL: the checkpoint
								 * is a local file (KAFKA_CHECKPOINT_FILE) */
	kafka_sink *k;              /* --to kafka */
	kafka_settings ks;
	binlogpos   published;      /* --to kafka: the durable position written last */
	MYSQL      *meta;           /* introspection connection */
	apply_table *tables;
	size_t      ntables;
	binlogpos   stop;           /* --stop-at, file "" = none */
	size_t      nlabelsets;     /* ENUM/SET labels handed to the decoder, */
	struct { const char **v; size_t n; } *labelsets;  /* freed with the reader */
	/* GTID position: latest seq per domain */
	size_t      ndomains;
	gtid_entry  dom[16];
	/* the checkpoint as last read, and the server it belongs to (0 unknown) */
	binlogpos   cp;
	uint32_t    cp_sid;
	retention   ret;            /* the source's binlog retention vs our lag */
	double      outage_since;   /* now_s() of an outage's first failure, 0 = none */
	int         outage_retries; /* attempts since */
} run;

static void
usage(FILE *f)
{
	fprintf(f,
		"stream replays the binary log of one MariaDB source database into PostgreSQL,\n"
		"from the watermarks migrate recorded, exactly once (or, with --to kafka,\n"
		"publishes it to Kafka as Debezium events, at least once).\n\n"
		"Usage:\n"
		"  stream --database NAME [options]\n"
		"  stream --database NAME --status\n"
		"  stream --status      every database with an allowlist file in TABLES_DIR\n\n"
		"Options:\n"
		"  --database NAME      source database (settings NAME_*, allowlist tables.d/NAME)\n"
		"  --env FILE           settings file (default ./.env; the environment wins)\n"
		"                       (TLS: NAME_TLS, SINK_TLS, KAFKA_TLS verify certificates by default)\n"
		"  --stop-at FILE:POS   stop once the transaction reaching this binlog position is applied\n"
		"  --server-id N        replica server id (default NAME_SERVER_ID, else derived from NAME)\n"
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
		"Lost connections are retried from the checkpoint, waiting 0.5 s doubling up to 30 s;\n"
		"meanwhile, and once a minute while running, a warning says when the source may\n"
		"expire (binlog_expire_logs_seconds) the binary log the stream still needs.\n\n"
		"Exit status: 0 stopped on request or at --stop-at; 1 an error (logged); 2 bad usage or settings.\n");
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

static bool
parse_options(int argc, char **argv, options *o, bool *help)
{
	enum { O_DB = 256, O_ENV, O_STOP, O_SID, O_ROWS, O_MS, O_STATUS, O_LOG, O_HELP, O_TO, O_FROM, O_SNAP, O_LOGFMT, O_METRICS };
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, O_DB },
		{ "env", required_argument, NULL, O_ENV },
		{ "stop-at", required_argument, NULL, O_STOP },
		{ "server-id", required_argument, NULL, O_SID },
		{ "batch-rows", required_argument, NULL, O_ROWS },
		{ "batch-ms", required_argument, NULL, O_MS },
		{ "status", no_argument, NULL, O_STATUS },
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

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* enum_labels: the labels of "enum('a','b''c')" or "set(...)"; heap array */
static const char **
enum_labels(const char *column_type, size_t *n)
{
	const char *p = strchr(column_type, '(');
	const char **out = NULL;
	*n = 0;
	if (!p)
		return NULL;
	p++;
	while (*p == '\'') {
		buf b = BUF_INIT;
		p++;
		for (; *p; p++) {
			if (*p == '\'' && p[1] == '\'') {
				buf_putc(&b, '\'');
				p++;
			} else if (*p == '\\' && p[1]) {
				buf_putc(&b, *++p);
			} else if (*p == '\'')
				break;
			else
				buf_putc(&b, *p);
		}
		out = xrealloc(out, (*n + 1) * sizeof(char *));
		out[(*n)++] = b.data ? b.data : xstrdup("");
		if (*p == '\'')
			p++;
		if (*p == ',')
			p++;
	}
	return out;
}

/* free_labels: the label arrays given to a decoder that is gone */
static void
free_labels(run *r)
{
	for (size_t i = 0; i < r->nlabelsets; i++) {
		for (size_t j = 0; j < r->labelsets[i].n; j++)
			free((char *) r->labelsets[i].v[j]);
		free(r->labelsets[i].v);
	}
	free(r->labelsets);
	r->labelsets = NULL;
	r->nlabelsets = 0;
}

/* evolve_table, map_matches: below, with the statement handling */
static bool evolve_table(run *r, apply_table *t, const char *stmt, const binlog_table *bt);
static bool map_matches(const binlog_table *bt, const plan_table *pt);

/* table_hook: the decoder asks which tables it should decode rows for */
static bool
table_hook(binlog_table *bt, void *ctx, char *errbuf, size_t errlen)
{
	run *r = ctx;

	bt->wanted = false;
	bt->user = NULL;
	if (strcmp(bt->db, r->cfg.src.schema) != 0)
		return true;
	for (size_t i = 0; i < r->ntables; i++) {
		apply_table *t = &r->tables[i];
		if (!t->active || strcmp(t->pt.source, bt->name) != 0)
			continue;
		bt->user = t;
		if (t->ddl_pending) {
			char *stmt = xstrdup(t->ddl_pending);
			bool ok = evolve_table(r, t, stmt, bt);
			free(stmt);
			if (!ok) {
				snprintf(errbuf, errlen, "could not carry a schema change of \"%s\" to PostgreSQL", bt->name);
				return false;
			}
			if (!t->active)
				return true;
		}
		if (!map_matches(bt, &t->pt)) {
			/* a schema change the stream does not carry: the main loop
			 * stops this table when it sees rows for it */
			return true;
		}
		for (size_t c = 0; c < bt->ncols; c++) {
			binlog_column *bc = &bt->cols[c];
			const plan_column *pc = &t->pt.cols[c];
			if (!bc->has_signedness)
				bc->is_unsigned = strstr(pc->column_type, "unsigned") != NULL;
			/* what binlog_row_metadata NO_LOG or MINIMAL leaves out */
			if (bc->charset == 0)
				bc->charset = pc->collation_id ? pc->collation_id
					: (strstr(pc->column_type, "binary") || strstr(pc->column_type, "blob")) ? 63 : 0;
			if (pc->tm.kind == TYPEMAP_FLOAT || pc->tm.kind == TYPEMAP_DOUBLE) {
				if (strchr(pc->column_type, ','))
					bc->decimals = (int) pc->num_scale;
			} else if (pc->dt_precision >= 0)
				bc->decimals = (int) pc->dt_precision;
			if (strncmp(pc->column_type, "inet4", 5) == 0)
				bc->render = BINLOG_RENDER_INET4;
			else if (strncmp(pc->column_type, "inet6", 5) == 0)
				bc->render = BINLOG_RENDER_INET6;
			else if (strncmp(pc->column_type, "uuid", 4) == 0)
				bc->render = BINLOG_RENDER_UUID;
			else if (pc->tm.kind == TYPEMAP_GEOMETRY)
				bc->render = BINLOG_RENDER_WKB;
			if (bc->nlabels == 0 && (strncmp(pc->column_type, "enum(", 5) == 0 ||
									 strncmp(pc->column_type, "set(", 4) == 0)) {
				size_t n;
				const char **labels = enum_labels(pc->column_type, &n);
				bc->labels = labels;
				bc->nlabels = n;
				r->labelsets = xrealloc(r->labelsets, (r->nlabelsets + 1) * sizeof(*r->labelsets));
				r->labelsets[r->nlabelsets].v = labels;
				r->labelsets[r->nlabelsets++].n = n;
			}
		}
		bt->wanted = true;
		return true;
	}
	return true;
}

/* load_tables: the streamed tables from the allowlist and the control
 * schema; tables no longer allowlisted are marked removed */
/* load_tables_local: --to kafka without PostgreSQL: every allowlisted
 * table, described as MariaDB has it now, published from the checkpoint
 * file's position (set by --snapshot on the first start) */
static bool
load_tables_local(run *r)
{
	plan_env env = { .cfg = &r->cfg, .batch_size = 100000, .threshold = 0 };
	bool ok = true;

	r->tables = xcalloc(r->cfg.n_tables + 1, sizeof(apply_table));
	for (size_t i = 0; i < r->cfg.n_tables; i++) {
		apply_table *t = &r->tables[r->ntables];
		if (!plan_table_load(r->meta, &env, &r->cfg.tables[i], &t->pt)) {
			plan_table_free(&t->pt);
			memset(t, 0, sizeof(*t));
			ok = false;
			continue;
		}
		t->snapshot = t->applied = r->published;
		t->active = true;
		r->ntables++;
		if (r->published.file[0])
			log_info("table \"%s\" is published from %s:%" PRIu64, t->pt.source, t->applied.file, t->applied.pos);
	}
	return ok;
}

static bool
load_tables(run *r)
{
	char errbuf[2048];
	config *cfg = &r->cfg;

	for (size_t i = 0; i < r->ntables; i++)
		apply_table_free(&r->tables[i]);
	free(r->tables);
	r->tables = NULL;
	r->ntables = 0;
	for (size_t i = 0; i < cfg->n_tables; i++) {
		free(cfg->tables[i].name);
		for (size_t j = 0; j < cfg->tables[i].n_overrides; j++) {
			free(cfg->tables[i].overrides[j].column);
			free(cfg->tables[i].overrides[j].pg_type);
		}
		free(cfg->tables[i].overrides);
	}
	free(cfg->tables);
	cfg->tables = NULL;
	cfg->n_tables = 0;
	free(cfg->allow_path);
	cfg->allow_path = NULL;
	if (!config_load_allowlist(cfg, errbuf, sizeof(errbuf))) {
		log_error("%s", errbuf);
		return false;
	}
	if (r->local)
		return load_tables_local(r);
	PGresult *res = control_query(apply_conn(r->a), &r->ctl,
		"SELECT source_table, state, snapshot_file, snapshot_pos, applied_file, applied_pos, stream_error, "
		"stream_schema, ddl_pending "
		"FROM {ctl}.tables WHERE source_db = $1 ORDER BY source_table", 0, NULL, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not read the table states of database \"%s\": %s", cfg->src.name, errbuf);
		return false;
	}
	plan_env env = { .cfg = cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
	r->tables = xcalloc((size_t) PQntuples(res) + 1, sizeof(apply_table));
	bool ok = true;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0), *state = PQgetvalue(res, i, 1);
		const config_table *allow = config_find_table(cfg, name);
		if (!allow) {
			if (strcmp(state, "ready") == 0) {
				const char *params[] = { name };
				PGresult *u = control_query(apply_conn(r->a), &r->ctl,
					"UPDATE {ctl}.tables SET state = 'removed', updated_at = now() WHERE source_db = $1 AND source_table = $2",
					1, params, errbuf, sizeof(errbuf));
				if (!u) {
					log_error("could not mark table \"%s\" removed: %s", name, errbuf);
					ok = false;
				} else
					log_info("table \"%s\" left the allowlist; its changes are no longer applied (state removed)", name);
				PQclear(u);
			}
			continue;
		}
		if (strcmp(state, "ready") != 0) {
			log_info("table \"%s\" is %s, not ready; it joins the stream when migrate has copied it", name, state);
			continue;
		}
		if (!PQgetisnull(res, i, 6) && !r->k) {
			log_warning_dh(PQgetvalue(res, i, 6), "Copy the table again with migrate to stream it again.",
						   "table \"%s\" is not streamed: it stopped with an error", name);
			continue;
		}
		apply_table *t = &r->tables[r->ntables];
		/* the schema as of the stream's position for the table (recorded by
		 * migrate and with each change carried); MariaDB's current one only
		 * for a table copied by a migrate that did not record it */
		bool recorded = !PQgetisnull(res, i, 7) && !r->k;   /* the publisher reads the schema of now */
		/* a recorded table is not read from MariaDB now, but will be at its
		 * next ALTER TABLE: a missing SELECT fails here, not then */
		if (recorded && !r->o.from_kafka && r->meta && !plan_check_select(r->meta, cfg, name)) {
			ok = false;
			continue;
		}
		if (recorded ? !plan_table_load_described(PQgetvalue(res, i, 7), &env, allow, &t->pt)
			: !plan_table_load(r->meta, &env, allow, &t->pt)) {
			plan_table_free(&t->pt);
			memset(t, 0, sizeof(*t));
			ok = false;
			continue;
		}
		if (!recorded && !r->k && !apply_record_schema(r->a, t)) {
			plan_table_free(&t->pt);
			memset(t, 0, sizeof(*t));
			ok = false;
			continue;
		}
		if (!PQgetisnull(res, i, 8) && !r->k)
			t->ddl_pending = xstrdup(PQgetvalue(res, i, 8));
		snprintf(t->snapshot.file, sizeof(t->snapshot.file), "%s", PQgetvalue(res, i, 2));
		t->snapshot.pos = strtoull(PQgetvalue(res, i, 3), NULL, 10);
		t->applied = t->snapshot;
		if (r->k) {
			/* published: from the later of the snapshot and what Kafka acknowledged */
			if (r->published.file[0] && binlogpos_cmp(&r->published, &t->applied) > 0)
				t->applied = r->published;
		} else if (!PQgetisnull(res, i, 4)) {
			binlogpos ap = { .pos = strtoull(PQgetvalue(res, i, 5), NULL, 10) };
			snprintf(ap.file, sizeof(ap.file), "%s", PQgetvalue(res, i, 4));
			if (binlogpos_cmp(&ap, &t->applied) > 0)
				t->applied = ap;
		}
		t->active = true;
		apply_table_init(r->a, t);
		r->ntables++;
		log_info("table \"%s\" %s from %s:%" PRIu64, name, r->k ? "is published" : "streams", t->applied.file,
				 t->applied.pos);
	}
	PQclear(res);
	for (size_t i = 0; i < cfg->n_tables; i++) {
		bool known = false;
		for (size_t j = 0; j < r->ntables; j++)
			if (strcmp(r->tables[j].pt.source, cfg->tables[i].name) == 0)
				known = true;
		if (!known)
			log_debug("allowlisted table \"%s\" is not streamed (not ready)", cfg->tables[i].name);
	}
	return ok;
}

/* lowest_watermark: where reading must start; false if nothing is streamed */
static bool
lowest_watermark(const run *r, binlogpos *out)
{
	bool any = false;

	for (size_t i = 0; i < r->ntables; i++) {
		if (!r->tables[i].active)
			continue;
		if (!any || binlogpos_cmp(&r->tables[i].applied, out) < 0)
			*out = r->tables[i].applied;
		any = true;
	}
	return any;
}

/* needed_position: the oldest binlog position the stream still needs: the
 * lowest watermark, with --to kafka not before what Kafka acknowledged */
static bool
needed_position(const run *r, binlogpos *out)
{
	if (!lowest_watermark(r, out))
		return false;
	if (r->k && r->published.file[0] && binlogpos_cmp(&r->published, out) > 0)
		*out = r->published;
	return true;
}

/* retention_watch: the binlog retention check when one is due
 * (retention.h), over the introspection connection; while failing, that
 * one may have died with a source restart, and a short-lived one is used
 * (none when the main loop could not connect to the source just now) */
static void
retention_watch(run *r, bool outage)
{
	binlogpos needed;
	char errbuf[512];

	if (r->o.from_kafka || !r->meta || !retention_due(&r->ret, outage) || !needed_position(r, &needed))
		return;
	MYSQL *my = mysql_ping(r->meta) == 0 ? r->meta : NULL;
	MYSQL *own = NULL;
	if (!my && outage) {
		if (!(own = maria_connect_timed(&r->cfg.src, 5, errbuf, sizeof(errbuf))))
			log_debug("retention watch: %s", errbuf);
		my = own;
	}
	retention_check(&r->ret, my, r->cfg.src.name, &needed, outage);
	if (own)
		mysql_close(own);
}

/* backoff_delay: seconds before attempt failures + 1: doubling from 0.5 s
 * up to BACKOFF_MAX_S, with +-25 % jitter so that many streams that lost
 * the same server do not come back in step */
static double
backoff_delay(int failures)
{
	double delay = 0.5 * (double) (1u << (failures < 6 ? failures : 6));
	delay *= 0.75 + (double) (rand() % 500) / 1000.0;
	return delay > BACKOFF_MAX_S ? BACKOFF_MAX_S : delay;
}

/* outage_retry: logs a retry in delay seconds; the first failure of an
 * outage starts its clock */
static void
outage_retry(run *r, double delay)
{
	double now = now_s();
	char d[32];

	if (r->outage_since == 0)
		r->outage_since = now;
	r->outage_retries++;
	retention_duration((long long) (now - r->outage_since + 0.5), d, sizeof(d));
	log_warning("retrying in %.1f s (database \"%s\", attempt %d, failing for %s)", delay, r->cfg.src.name,
				r->outage_retries + 1, d);
}

/* outage_over: the first durable commit after failures ends the outage */
static void
outage_over(run *r)
{
	char d[32];

	if (r->outage_since == 0)
		return;
	retention_duration((long long) (now_s() - r->outage_since + 0.5), d, sizeof(d));
	log_info("database \"%s\" streams again after an outage of %s (%d retries)", r->cfg.src.name, d,
			 r->outage_retries);
	r->outage_since = 0;
	r->outage_retries = 0;
}

/* gtid_note / gtid_format: the GTID position as domain-server-seq list */
static void
gtid_note(run *r, uint32_t domain, uint32_t server, uint64_t seq)
{
	for (size_t i = 0; i < r->ndomains; i++) {
		if (r->dom[i].domain == domain) {
			r->dom[i].server = server;
			r->dom[i].seq = seq;
			return;
		}
	}
	if (r->ndomains < sizeof(r->dom) / sizeof(r->dom[0])) {
		r->dom[r->ndomains].domain = domain;
		r->dom[r->ndomains].server = server;
		r->dom[r->ndomains].seq = seq;
		r->ndomains++;
	}
}

static void
gtid_format(const run *r, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->ndomains && used < len; i++)
		used += (size_t) snprintf(out + used, len - used, "%s%u-%u-%" PRIu64, i ? "," : "",
								  r->dom[i].domain, r->dom[i].server, r->dom[i].seq);
}

/* gtid_list: parses a domain-server-seq list ("0-1-100,1-2-7") into v (at
 * most n entries); the number parsed, or -1 if malformed */
static int
gtid_list(const char *s, gtid_entry *v, int n)
{
	int k = 0;

	while (*s) {
		char *end;
		unsigned long long d = strtoull(s, &end, 10);
		if (end == s || *end != '-')
			return -1;
		s = end + 1;
		unsigned long long sv = strtoull(s, &end, 10);
		if (end == s || *end != '-')
			return -1;
		s = end + 1;
		unsigned long long q = strtoull(s, &end, 10);
		if (end == s || (*end && *end != ','))
			return -1;
		s = *end ? end + 1 : end;
		while (*s == ' ' || *s == '\n')
			s++;
		if (k >= n)
			return -1;
		v[k++] = (gtid_entry) { (uint32_t) d, (uint32_t) sv, (uint64_t) q };
	}
	return k;
}

/* skip_space_comments: past blanks and SQL comments */
static const char *
skip_ws(const char *p)
{
	for (;;) {
		while (isspace((unsigned char) *p))
			p++;
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else if ((p[0] == '-' && p[1] == '-') || p[0] == '#') {
			const char *e = strchr(p, '\n');
			p = e ? e + 1 : p + strlen(p);
		} else
			return p;
	}
}

/* word: the next keyword, upper-cased into w; returns the rest */
static const char *
word(const char *p, char *w, size_t len)
{
	size_t n = 0;

	p = skip_ws(p);
	while ((isalnum((unsigned char) *p) || *p == '_') && n + 1 < len)
		w[n++] = (char) toupper((unsigned char) *p++);
	w[n] = '\0';
	return p;
}

/* ident: [db.]name, backquoted or bare; returns the rest or NULL */
static const char *
qname(const char *p, char *db, char *name, size_t len)
{
	char part[2][256];
	int n = 0;

	p = skip_ws(p);
	for (;;) {
		size_t k = 0;
		if (*p == '`') {
			for (p++; *p && !(*p == '`' && p[1] != '`'); p++) {
				if (*p == '`')
					p++;
				if (k + 1 < sizeof(part[0]))
					part[n][k++] = *p;
			}
			if (*p == '`')
				p++;
		} else
			while ((isalnum((unsigned char) *p) || *p == '_' || *p == '$') && k + 1 < sizeof(part[0]))
				part[n][k++] = *p++;
		part[n][k] = '\0';
		if (k == 0)
			return NULL;
		n++;
		if (*p == '.' && n < 2) {
			p++;
			continue;
		}
		break;
	}
	snprintf(db, len, "%s", n == 2 ? part[0] : "");
	snprintf(name, len, "%s", part[n - 1]);
	return p;
}

/* streamed_table: the active table named (db may be "" = the query's db) */
static apply_table *
streamed_table(run *r, const char *qdb, const char *db, const char *name)
{
	const char *d = db[0] ? db : qdb;

	if (strcmp(d, r->cfg.src.schema) != 0)
		return NULL;
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i].active && strcmp(r->tables[i].pt.source, name) == 0)
			return &r->tables[i];
	return NULL;
}

/* stop_table: the stream stops applying t and records why */
static void
stop_table(run *r, apply_table *t, const char *why)
{
	log_error_dh(why, "The other tables stream on. Copy this table again with migrate to stream it again.",
				 "table \"%s\" of database \"%s\" is no longer streamed", t->pt.source, r->cfg.src.name);
	t->active = false;
	if (!r->k)  /* the control row's error belongs to the stream into PostgreSQL */
		(void) apply_set_table_error(r->a, t->pt.source, why);
}

/* map_matches: whether a table map shows the table pt describes (same
 * columns in the same order, names where the binlog has them, type codes) */
static bool
map_matches(const binlog_table *bt, const plan_table *pt)
{
	if (bt->ncols != pt->ncols)
		return false;
	for (size_t c = 0; c < bt->ncols; c++) {
		if (bt->cols[c].name && strcmp(bt->cols[c].name, pt->cols[c].name) != 0)
			return false;
		if (!binlog_column_fits(&bt->cols[c], pt->cols[c].column_type))
			return false;
	}
	return true;
}

/* has_words: whether stmt contains the keyword w (case-insensitive, whole) */
static bool
has_word(const char *stmt, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = stmt; (p = strcasestr(p, w)); p += n) {
		bool start = p == stmt || !(isalnum((unsigned char) p[-1]) || p[-1] == '_');
		bool end = !(isalnum((unsigned char) p[n]) || p[n] == '_');
		if (start && end)
			return true;
	}
	return false;
}

/* retype_exact: whether PostgreSQL's cast of every value of oc gives what
 * MariaDB's conversion to nc keeps (or fails, which stops the table);
 * conversions between other kinds are not carried */
static bool
retype_exact(const plan_column *oc, const plan_column *nc)
{
	typemap_kind a = oc->tm.kind, b = nc->tm.kind;
	bool to_label = strncmp(nc->column_type, "enum", 4) == 0 || strncmp(nc->column_type, "set", 3) == 0;

	if ((a == TYPEMAP_INT || a == TYPEMAP_DECIMAL) && (b == TYPEMAP_INT || b == TYPEMAP_DECIMAL))
		return true;    /* both round half away from zero; out of range fails */
	if (a == TYPEMAP_INT && b == TYPEMAP_TEXT)
		return !to_label;   /* MariaDB reads a number as an ENUM/SET index */
	if (a == TYPEMAP_TEXT && b == TYPEMAP_TEXT)
		return true;    /* length changes; a label list is text both sides */
	if (a == TYPEMAP_BYTEA && b == TYPEMAP_BYTEA)
		return true;
	if (a == b && (a == TYPEMAP_DATETIME || a == TYPEMAP_TIMESTAMP || a == TYPEMAP_TIME))
		return nc->dt_precision >= oc->dt_precision;   /* MariaDB truncates, PostgreSQL rounds */
	return false;
}

/* default_is_constant: a carried DEFAULT that is the same value for every
 * existing row, as MariaDB filled them (not now(), a sequence, ...) */
static bool
default_is_constant(const char *d)
{
	if (d[0] == '\'')
		return strstr(d, "'::") == NULL || strchr(strstr(d, "'::"), '(') == NULL;
	if (isdigit((unsigned char) d[0]) || d[0] == '-' || d[0] == '.')
		return strspn(d, "0123456789.-+eE") == strlen(d);
	return strcasecmp(d, "true") == 0 || strcasecmp(d, "false") == 0 ||
		(strncasecmp(d, "B'", 2) == 0 && strchr(d + 2, '\'') && strchr(d + 2, '\'')[1] == '\0');
}

/* evolve_table: an ALTER TABLE of streamed table t. The table is read again
 * from information_schema and compared with what the stream has, column by
 * column (MariaDB names): columns gone are dropped, new ones added with
 * their type from the type map and their default, a column of a new name at
 * the same position is a rename when the statement renames (CHANGE, RENAME
 * COLUMN), a changed type is converted when PostgreSQL's cast gives what
 * MariaDB's conversion kept (retype_exact). What cannot be carried exactly
 * (other type changes, a new column whose existing rows MariaDB filled with
 * values the stream cannot know, a changed key, a description that does not
 * match the binlog's table map bt, a change PostgreSQL refuses) stops the
 * table with the statement in its error. False only for a sink failure. */
static bool
evolve_table(run *r, apply_table *t, const char *stmt, const binlog_table *bt)
{
	plan_env env = { .cfg = &r->cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
	const config_table *allow = config_find_table(&r->cfg, t->pt.source);
	plan_table *np = xcalloc(1, sizeof(plan_table));
	buf ddl = BUF_INIT;
	char why[1200] = "";
	const plan_table *op = &t->pt;
	bool *matched = NULL;

	if (!allow || !plan_table_load(r->meta, &env, allow, np)) {
		snprintf(why, sizeof(why), "could not read the table again after: %.900s", stmt);
		goto stop;
	}
	/* information_schema shows the table as it is now; the binlog's table
	 * map shows it as the rows after the ALTER were written: they must agree
	 * (else the stream is behind a later change it cannot reconstruct) */
	if (bt && !map_matches(bt, np)) {
		snprintf(why, sizeof(why), "the table changed again later (MariaDB's description no longer matches the "
				 "binary log where the stream is); the stream cannot rebuild the schema at %.700s", stmt);
		goto stop;
	}
	/* the key must stay what upserts match on */
	bool same_key = np->nkey == op->nkey;
	for (size_t k = 0; same_key && k < np->nkey; k++)
		same_key = strcmp(np->cols[np->key[k]].name, op->cols[op->key[k]].name) == 0;
	if (!same_key && !r->k) {
		snprintf(why, sizeof(why), "the key changed: %.900s", stmt);
		goto stop;
	}
	bool renames = has_word(stmt, "CHANGE") || (has_word(stmt, "RENAME") && has_word(stmt, "COLUMN"));
	matched = xcalloc(np->ncols + 1, sizeof(bool));
	for (size_t i = 0; i < op->ncols; i++) {
		const plan_column *oc = &op->cols[i];
		const plan_column *nc = NULL;
		for (size_t j = 0; j < np->ncols && !nc; j++)
			if (strcmp(np->cols[j].name, oc->name) == 0) {
				nc = &np->cols[j];
				matched[j] = true;
			}
		if (!nc && renames && i < np->ncols && !matched[i]) {
			/* a new name at the same position, the old name gone */
			bool new_name = true;
			for (size_t k = 0; k < op->ncols; k++)
				if (strcmp(op->cols[k].name, np->cols[i].name) == 0)
					new_name = false;
			if (new_name) {
				nc = &np->cols[i];
				matched[i] = true;
				buf_printf(&ddl, "%sALTER TABLE %s RENAME COLUMN ", ddl.len ? "; " : "", op->qtarget);
				ident_pg(&ddl, oc->target);
				buf_puts(&ddl, " TO ");
				ident_pg(&ddl, nc->target);
			}
		}
		if (!nc) {
			buf_printf(&ddl, "%sALTER TABLE %s DROP COLUMN ", ddl.len ? "; " : "", op->qtarget);
			ident_pg(&ddl, oc->target);
			continue;
		}
		if (strcmp(nc->tm.pg_type, oc->tm.pg_type) != 0 || nc->tm.kind != oc->tm.kind) {
			if (!retype_exact(oc, nc) && !r->k) {
				snprintf(why, sizeof(why), "column \"%s\" changed type (%s -> %s), a conversion the stream does not "
						 "carry (PostgreSQL's cast could differ from MariaDB's): %.600s",
						 oc->name, oc->column_type, nc->column_type, stmt);
				goto stop;
			}
			buf_printf(&ddl, "%sALTER TABLE %s ALTER COLUMN ", ddl.len ? "; " : "", op->qtarget);
			ident_pg(&ddl, nc->target);
			buf_printf(&ddl, " TYPE %s USING ", nc->tm.pg_type);
			ident_pg(&ddl, nc->target);
			buf_printf(&ddl, "::%s", nc->tm.pg_type);
		}
		if (nc->nullable != oc->nullable) {
			buf_printf(&ddl, "%sALTER TABLE %s ALTER COLUMN ", ddl.len ? "; " : "", op->qtarget);
			ident_pg(&ddl, nc->target);
			buf_puts(&ddl, nc->nullable ? " DROP NOT NULL" : " SET NOT NULL");
		}
	}
	for (size_t j = 0; j < np->ncols; j++) {
		const plan_column *nc = &np->cols[j];
		if (matched[j])
			continue;
		if (!nc->nullable && !nc->pg_default && !r->k) {
			snprintf(why, sizeof(why), "new column \"%s\" is NOT NULL without a default (MariaDB fills existing rows "
					 "with implicit values the stream cannot know): %.700s", nc->name, stmt);
			goto stop;
		}
		if (nc->pg_default && !default_is_constant(nc->pg_default) && !r->k) {
			snprintf(why, sizeof(why), "new column \"%s\" has the default %s, which MariaDB computed for the existing "
					 "rows when it changed the table; the stream cannot know those values: %.600s",
					 nc->name, nc->pg_default, stmt);
			goto stop;
		}
		buf_printf(&ddl, "%sALTER TABLE %s ADD COLUMN ", ddl.len ? "; " : "", op->qtarget);
		ident_pg(&ddl, nc->target);
		buf_printf(&ddl, " %s", nc->tm.pg_type);
		if (nc->pg_default)
			buf_printf(&ddl, " DEFAULT %s", nc->pg_default);
		if (!nc->nullable)
			buf_puts(&ddl, " NOT NULL");
	}
	free(matched);
	matched = NULL;
	if (r->k) {
		/* --to kafka: the events follow the new description (PostgreSQL's
		 * copy is the stream's business, not the publisher's) */
		binlogpos snapshot = t->snapshot, applied = t->applied;
		apply_table_free(t);
		memset(t, 0, sizeof(*t));
		t->pt = *np;
		t->snapshot = snapshot;
		t->applied = applied;
		t->active = true;
		if (r->a)
			apply_table_init(r->a, t);
		log_info("table \"%s\": events follow the schema change: %.600s", t->pt.source, stmt);
		free(np);
		buf_free(&ddl);
		return true;
	}
	if (ddl.len == 0)
		buf_puts(&ddl, "SELECT 1");    /* nothing PostgreSQL needs to know; the new description is recorded */
	apply_ddl_result res = apply_schema_change(r->a, t, ddl.data, np, why, sizeof(why));
	if (res == APPLY_DDL_DONE) {
		if (strcmp(ddl.data, "SELECT 1") != 0)
			log_info("table \"%s\": schema change carried: %s", t->pt.source, ddl.data);
		free(np);   /* its contents now belong to t */
		buf_free(&ddl);
		return true;
	}
	if (res == APPLY_DDL_FAILED) {
		plan_table_free(np);
		free(np);
		buf_free(&ddl);
		return false;
	}
stop:
	free(matched);
	plan_table_free(np);
	free(np);
	buf_free(&ddl);
	free(t->ddl_pending);
	t->ddl_pending = NULL;
	stop_table(r, t, why);
	return true;
}

/* evolve_pending: carries the ALTERs noted for active tables; called when
 * the source is idle (information_schema then shows the latest schema) */
static bool
evolve_pending(run *r)
{
	for (size_t i = 0; i < r->ntables; i++) {
		apply_table *t = &r->tables[i];
		if (t->active && t->ddl_pending) {
			char *stmt = xstrdup(t->ddl_pending);
			bool ok = evolve_table(r, t, stmt, NULL);
			free(stmt);
			if (!ok)
				return false;
		}
	}
	return true;
}

typedef enum query_action { Q_NONE, Q_COMMIT, Q_FATAL } query_action;

/* handle_query: a QUERY event; TRUNCATE is applied, other DDL on a streamed
 * table stops that table, statement DML on one is fatal */
static query_action
handle_query(run *r, const binlog_event *ev)
{
	char w[32], w2[32], db[256], name[256];
	const char *sql = ev->u.query.sql, *qdb = ev->u.query.db;
	const char *p = word(sql, w, sizeof(w));

	if (strcmp(w, "BEGIN") == 0 || strcmp(w, "XA") == 0 || strcmp(w, "SAVEPOINT") == 0)
		return Q_NONE;
	if (strcmp(w, "COMMIT") == 0)
		return Q_COMMIT;
	if (strcmp(w, "ROLLBACK") == 0)
		return Q_COMMIT;
	if (strcmp(w, "TRUNCATE") == 0) {
		const char *q = word(p, w2, sizeof(w2));
		if (strcmp(w2, "TABLE") != 0)
			q = p;
		if (qname(q, db, name, sizeof(db))) {
			apply_table *t = streamed_table(r, qdb, db, name);
			if (t && r->k) {
				/* as Debezium's MySQL connector by default (skipped.operations=t) */
				log_notice("table \"%s\": TRUNCATE not published (Debezium consumers do not expect it)", t->pt.source);
				return Q_COMMIT;
			}
			if (t && !apply_truncate(r->a, t))
				return Q_FATAL;
			if (t)
				log_info("table \"%s\": TRUNCATE applied", t->pt.source);
		}
		return Q_COMMIT;
	}
	if (strcmp(w, "INSERT") == 0 || strcmp(w, "UPDATE") == 0 || strcmp(w, "DELETE") == 0 ||
		strcmp(w, "REPLACE") == 0) {
		const char *q = p;
		for (int i = 0; i < 3; i++) {
			const char *nq = word(q, w2, sizeof(w2));
			if (strcmp(w2, "INTO") == 0 || strcmp(w2, "FROM") == 0 || strcmp(w2, "IGNORE") == 0 ||
				strcmp(w2, "LOW_PRIORITY") == 0 || strcmp(w2, "DELAYED") == 0 || strcmp(w2, "QUICK") == 0)
				q = nq;
			else
				break;
		}
		if (qname(q, db, name, sizeof(db)) && streamed_table(r, qdb, db, name)) {
			log_error_dh(sql, "Set binlog_format=ROW on the server (SET GLOBAL binlog_format = 'ROW' and in my.cnf); "
						 "sessions that set binlog_format themselves must not change streamed tables.",
						 "a change to streamed table \"%s\" of database \"%s\" was logged as a statement, which cannot be replayed exactly",
						 name, r->cfg.src.name);
			return Q_FATAL;
		}
		return Q_COMMIT;
	}
	if (strcmp(w, "ALTER") == 0 || strcmp(w, "DROP") == 0 || strcmp(w, "RENAME") == 0) {
		const char *q = p;
		do
			q = word(q, w2, sizeof(w2));
		while (w2[0] && strcmp(w2, "TABLE") != 0);
		if (strcmp(w2, "TABLE") == 0) {
			const char *q2 = word(q, w2, sizeof(w2));
			if (strcmp(w2, "IF") == 0)
				q = word(q2, w2, sizeof(w2));   /* past EXISTS */
			/* ALTER TABLE of a streamed table: carried when it can be */
			if (strcmp(w, "ALTER") == 0) {
				if (q && qname(q, db, name, sizeof(db))) {
					apply_table *t = streamed_table(r, qdb, db, name);
					if (t) {
						/* carried with the table's next table map (which shows
						 * the columns as of then) or when the source is idle */
						free(t->ddl_pending);
						t->ddl_pending = xstrdup(sql);
						if (!r->k && !apply_note_ddl(r->a, t))
							return Q_FATAL;
					}
				}
				return Q_COMMIT;
			}
			/* every table named in a list (DROP TABLE a, b; RENAME TABLE a TO b, c TO d) */
			while (q && (q = qname(q, db, name, sizeof(db)))) {
				apply_table *t = streamed_table(r, qdb, db, name);
				if (t) {
					char why[1024];
					if (strcmp(w, "DROP") == 0)
						snprintf(why, sizeof(why), "the table was dropped in MariaDB; PostgreSQL keeps its copy as it was "
								 "then (take the table off the allowlist, or drop it in PostgreSQL): %.800s", sql);
					else
						snprintf(why, sizeof(why), "the table was renamed in MariaDB, which the stream does not follow "
								 "(allowlist the new name and copy it with migrate): %.800s", sql);
					stop_table(r, t, why);
				}
				q = skip_ws(q);
				if (*q == ',')
					q++;
				else {
					const char *q3 = word(q, w2, sizeof(w2));
					if (strcmp(w2, "TO") == 0) {
						char d2[256], n2[256];
						q = qname(q3, d2, n2, sizeof(d2));
						if (q && *(q = skip_ws(q)) == ',')
							q++;
						else
							break;
					} else
						break;
				}
			}
		}
		return Q_COMMIT;
	}
	return Q_COMMIT;
}

/* publish_checkpoint: records pos (durable in Kafka) as where --to kafka
 * resumes */
static bool
publish_checkpoint(run *r, const binlogpos *pos, uint32_t server_id, uint32_t ts)
{
	char errbuf[1024], posbuf[32], sidbuf[16], tsbuf[16];
	if (r->local) {
		if (!kafka_checkpoint_write(&r->ks, r->cfg.src.name, pos, server_id, ts, errbuf, sizeof(errbuf))) {
			log_error("could not record the published position of database \"%s\": %s", r->cfg.src.name, errbuf);
			return false;
		}
		r->published = *pos;
		metrics_stream_checkpoint(pos, ts);
		retention_committed(&r->ret, pos->file, ts);
		outage_over(r);
		return true;
	}
	snprintf(posbuf, sizeof(posbuf), "%" PRIu64, pos->pos);
	snprintf(sidbuf, sizeof(sidbuf), "%" PRIu32, server_id);
	snprintf(tsbuf, sizeof(tsbuf), "%" PRIu32, ts);
	const char *params[] = { r->ks.prefix, pos->file, posbuf, pos->gtid[0] ? pos->gtid : NULL, sidbuf,
							 ts ? tsbuf : NULL };
	PGresult *res = control_query(apply_conn(r->a), &r->ctl,
		"INSERT INTO {ctl}.publish_checkpoint (source_db, topic_prefix, binlog_file, binlog_pos, gtid, server_id, "
		"source_ts) VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::bigint)) ON CONFLICT (source_db, topic_prefix) "
		"DO UPDATE SET binlog_file = EXCLUDED.binlog_file, binlog_pos = EXCLUDED.binlog_pos, gtid = EXCLUDED.gtid, "
		"server_id = EXCLUDED.server_id, source_ts = EXCLUDED.source_ts, updated_at = now()",
		6, params, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not record the published position of database \"%s\": %s", r->cfg.src.name, errbuf);
		return false;
	}
	PQclear(res);
	r->published = *pos;
	metrics_stream_checkpoint(pos, ts);
	retention_committed(&r->ret, pos->file, ts);
	outage_over(r);
	return true;
}

/* publish_settle: records the position Kafka has acknowledged everything
 * up to, when it moved (waiting up to wait_ms for the oldest batch) */
static bool
publish_settle(run *r, int wait_ms)
{
	binlogpos pos = r->published;
	uint32_t sid = 0, ts = 0;
	bool advanced;

	if (!kafka_durable(r->k, wait_ms, &pos, &sid, &ts, &advanced))
		return false;
	return !advanced || publish_checkpoint(r, &pos, sid, ts);
}

/* publish_snapshot: --to kafka --snapshot: every row of the published
 * tables as an op "r" event, read in one consistent snapshot, then the
 * checkpoint at the snapshot's binlog position, where publishing goes on */
static bool
publish_snapshot(run *r)
{
	char errbuf[1024];
	binlogpos at;
	long long rows = 0;
	bool ok = false;
	MYSQL *my = maria_connect(&r->cfg.src, errbuf, sizeof(errbuf));

	if (!my || !maria_begin_snapshot(my, &at, errbuf, sizeof(errbuf))) {
		log_error("could not start the snapshot of database \"%s\": %s", r->cfg.src.name, errbuf);
		goto out;
	}
	log_info("snapshot of database \"%s\" at %s:%" PRIu64 ": publishing every row as op \"r\"",
			 r->cfg.src.name, at.file, at.pos);
	for (size_t i = 0; i < r->ntables; i++) {
		apply_table *t = &r->tables[i];
		if (!t->active)
			continue;
		buf sql = BUF_INIT;
		buf_printf(&sql, "SELECT %s FROM %s", t->pt.select_list, t->pt.qsource);
		int qrc = mysql_query(my, sql.data);
		buf_free(&sql);
		MYSQL_RES *res = qrc == 0 ? mysql_use_result(my) : NULL;
		if (!res || mysql_num_fields(res) != t->pt.ncols) {
			log_error("could not read table \"%s\" for the snapshot: %s", t->pt.source, mysql_error(my));
			if (res)
				mysql_free_result(res);
			goto out;
		}
		binlog_value *img = xcalloc(t->pt.ncols, sizeof(binlog_value));
		kafka_source ks = { .file = at.file, .pos = at.pos, .gtid = at.gtid, .ts = (uint32_t) time(NULL) };
		MYSQL_ROW row;
		bool good = true;
		while (good && (row = mysql_fetch_row(res))) {
			unsigned long *lens = mysql_fetch_lengths(res);
			for (size_t c = 0; c < t->pt.ncols; c++)
				img[c] = (binlog_value) { .present = true, .data = row[c], .len = row[c] ? lens[c] : 0 };
			good = kafka_snapshot_row(r->k, &t->pt, r->cfg.src.schema, img, &ks) && !stop_requested;
			rows++;
		}
		free(img);
		if (good && mysql_errno(my)) {
			log_error("could not read table \"%s\" for the snapshot: %s", t->pt.source, mysql_error(my));
			good = false;
		}
		mysql_free_result(res);
		if (!good)
			goto out;
	}
	(void) maria_exec(my, "COMMIT", errbuf, sizeof(errbuf));
	/* the snapshot is published once Kafka has acknowledged all of it; the
	 * wait (10 minutes at most) ends early on SIGTERM, recording nothing */
	bool drained = kafka_mark(r->k, &at, 0, (uint32_t) time(NULL));
	if (drained) {
		drained = false;
		for (int waited = 0; !drained && waited < 600 && !stop_requested; waited++)
			drained = kafka_drain(r->k, 1000);
	}
	if (!drained || !publish_settle(r, 1000) || binlogpos_cmp(&r->published, &at) != 0) {
		log_error("the snapshot of database \"%s\" was not acknowledged by Kafka; nothing recorded (run it again)",
				  r->cfg.src.name);
		goto out;
	}
	for (size_t i = 0; i < r->ntables; i++)
		r->tables[i].applied = at;
	log_info("snapshot published: %lld rows; changes follow from %s:%" PRIu64, rows, at.file, at.pos);
	ok = true;
out:
	if (my)
		mysql_close(my);
	return ok;
}

/* pending: changes in the current batch */
static long long
pending(const run *r)
{
	return r->k ? kafka_pending(r->k) : apply_rows_pending(r->a);
}

/* commit: the batch with the checkpoint at pos (--to kafka: the batch is
 * closed at pos, and the checkpoint moves to what Kafka acknowledged) */
static bool
commit(run *r, const binlogpos *pos, uint32_t ts)
{
	binlogpos cp = *pos;
	char at[300];

	if (!cp.gtid[0])
		gtid_format(r, cp.gtid, sizeof(cp.gtid));
	snprintf(at, sizeof(at), "%s:%" PRIu64, cp.file, cp.pos);
	log_set_position(at);   /* json log lines: where the stream's batches have got to */
	if (r->k) {
		if (!kafka_mark(r->k, &cp, r->server_id, ts) || !publish_settle(r, 0))
			return false;
		retention_watch(r, false);
		return true;
	}
	long long n = apply_rows_pending(r->a);
	double t0 = now_s();
	if (!apply_commit(r->a, r->tables, r->ntables, &cp, r->server_id, ts))
		return false;
	retention_committed(&r->ret, cp.file, ts);
	outage_over(r);
	retention_watch(r, false);
	if (apply_tables_changed(r->a))
		reload_requested = 1;   /* picks the table up again once it is ready */
	if (n > 0)
		log_debug("applied %lld row changes up to %s:%" PRIu64 " (%.0f ms)", n, cp.file, cp.pos,
				  (now_s() - t0) * 1000);
	return true;
}

typedef enum loop_end { END_STOP, END_RESTART, END_RETRY, END_FATAL } loop_end;

/* load_checkpoint: r->cp and r->cp_sid from stream_checkpoint (file "" when
 * there is none yet); the GTID position starts from the checkpoint's */
static bool
load_checkpoint(run *r)
{
	char errbuf[1024];
	PGresult *res = control_query(apply_conn(r->a), &r->ctl,
		"SELECT binlog_file, binlog_pos, coalesce(gtid, ''), coalesce(source_server_id, 0) "
		"FROM {ctl}.stream_checkpoint WHERE source_db = $1", 0, NULL, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not read the checkpoint of database \"%s\": %s", r->cfg.src.name, errbuf);
		return false;
	}
	memset(&r->cp, 0, sizeof(r->cp));
	r->cp_sid = 0;
	if (PQntuples(res) > 0) {
		snprintf(r->cp.file, sizeof(r->cp.file), "%s", PQgetvalue(res, 0, 0));
		r->cp.pos = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
		snprintf(r->cp.gtid, sizeof(r->cp.gtid), "%s", PQgetvalue(res, 0, 2));
		r->cp_sid = (uint32_t) strtoul(PQgetvalue(res, 0, 3), NULL, 10);
	}
	PQclear(res);
	gtid_entry v[16];
	int n = gtid_list(r->cp.gtid, v, 16);
	for (int i = 0; r->ndomains == 0 && i < n; i++)
		gtid_note(r, v[i].domain, v[i].server, v[i].seq);
	return true;
}

/*
 * server_switch: whether the server source_open reached is the one the
 * checkpoint belongs to. If it is another one (a promoted replica after a
 * failover, say), binlog files and offsets of the old server mean nothing
 * there: the stream continues from the checkpoint's GTID position, which
 * that server must have logged (a replica with log_slave_updates keeps the
 * primary's GTIDs), with every streamed table at the checkpoint. Returns 1
 * and sets *start to the GTID position to read from, 0 when it is the same
 * server (or the checkpoint's server is not known), -1 when the switch is
 * refused (logged).
 */
static int
server_switch(run *r, const source *s, binlogpos *start)
{
	const char *db = r->cfg.src.name;
	uint32_t sid = source_server_id(s);
	char detail[1536];

	if (!r->a || r->k || r->cp_sid == 0 || r->cp_sid == sid || !r->cp.file[0])
		return 0;
	const char *hint = "Point NAME_HOST and NAME_PORT back at the server the stream read from, or copy the tables "
		"again from the new server with migrate --database NAME --tables all.";
	if (!r->cp.gtid[0]) {
		snprintf(detail, sizeof(detail), "The stream's checkpoint %s:%" PRIu64 " is a place in the binary log of MariaDB "
				 "server %u; the configured server is server %u, whose binary log has other files and offsets. "
				 "Without the checkpoint's GTID position there is no way to find the same place there, so "
				 "changes would be lost or applied twice.", r->cp.file, r->cp.pos, r->cp_sid, sid);
		log_error_dh(detail, hint, "database \"%s\" has moved to another MariaDB server (id %u, was %u) and the "
					 "checkpoint has no GTID position; refusing to switch servers", db, sid, r->cp_sid);
		return -1;
	}
	gtid_entry want[16], have[64];
	int nw = gtid_list(r->cp.gtid, want, 16), nh = gtid_list(source_gtid_state(s), have, 64);
	for (int i = 0; i < nw; i++) {
		bool logged = false;
		for (int j = 0; j < nh; j++)
			if (have[j].domain == want[i].domain && have[j].server == want[i].server && have[j].seq >= want[i].seq)
				logged = true;
		if (nh < 0 || !logged) {
			snprintf(detail, sizeof(detail), "The stream has applied up to GTID %s (from server %u), but server %u "
					 "has not logged GTID %u-%u-%" PRIu64 " (its gtid_binlog_state is \"%s\"). It is not a replica of "
					 "the old server with GTIDs in its own binary log (log_slave_updates=ON), or it is behind the "
					 "stream; reading it would lose or double changes.", r->cp.gtid, r->cp_sid, sid,
					 want[i].domain, want[i].server, want[i].seq, source_gtid_state(s));
			log_error_dh(detail, hint, "database \"%s\" has moved to MariaDB server %u, which does not have the "
						 "stream's GTID position; refusing to switch servers", db, sid);
			return -1;
		}
	}
	for (size_t i = 0; i < r->ntables; i++) {
		const apply_table *t = &r->tables[i];
		if (t->active && binlogpos_cmp(&t->applied, &r->cp) != 0) {
			snprintf(detail, sizeof(detail), "Table \"%s\" is at %s:%" PRIu64 " of server %u, not at the checkpoint "
					 "%s:%" PRIu64 " (it was copied by migrate after the stream's last commit); only the checkpoint "
					 "has a GTID position to find on server %u.", t->pt.source, t->applied.file, t->applied.pos,
					 r->cp_sid, r->cp.file, r->cp.pos, sid);
			log_error_dh(detail, "Copy the table again from the new server with migrate --database NAME --tables "
						 "TABLE, or take it out of the allowlist, then start stream.",
						 "database \"%s\" has moved to MariaDB server %u, but table \"%s\" cannot follow by GTID; "
						 "refusing to switch servers", db, sid, t->pt.source);
			return -1;
		}
	}
	/* a domain the stream never saw (the new server's own transactions, or
	 * another primary's) would be sent from its beginning: it starts at
	 * the server's last GTID of that domain instead, said in a warning */
	memset(start, 0, sizeof(*start));
	snprintf(start->gtid, sizeof(start->gtid), "%s", r->cp.gtid);
	for (int j = 0; j < nh; j++) {
		bool known = false, last = true;
		for (int i = 0; i < nw; i++)
			known = known || want[i].domain == have[j].domain;
		for (int k = 0; k < nh; k++)
			last = last && !(have[k].domain == have[j].domain && have[k].seq > have[j].seq);
		if (known || !last)
			continue;
		size_t len = strlen(start->gtid);
		snprintf(start->gtid + len, sizeof(start->gtid) - len, ",%u-%u-%" PRIu64, have[j].domain, have[j].server,
				 have[j].seq);
		log_warning("GTID domain %u of MariaDB server %u is not in the stream's position (%s): its transactions up "
					"to %u-%u-%" PRIu64 ", logged before the switch, are not streamed", have[j].domain, sid, r->cp.gtid,
					have[j].domain, have[j].server, have[j].seq);
	}
	log_notice("database \"%s\" has moved from MariaDB server %u to server %u: continuing from GTID position %s "
			   "(checkpoint %s:%" PRIu64 " on server %u)", db, r->cp_sid, sid, start->gtid, r->cp.file, r->cp.pos, r->cp_sid);
	return 1;
}

/* switch_commit: after server_switch, at the first place read from the new
 * server (the first transaction's start, or where an idle server is): every
 * streamed table and the checkpoint are moved to that place, with the
 * GTID position read from, in one transaction; from then on the new
 * server's coordinates are the stream's */
static bool
switch_commit(run *r, const binlogpos *at, const char *gtid, uint32_t sid)
{
	binlogpos p = *at;
	buf names = BUF_INIT;
	size_t n = 0;

	snprintf(p.gtid, sizeof(p.gtid), "%s", gtid);
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i].active)
			pg_array_add(&names, r->tables[i].pt.source, n++ == 0);
	if (n == 0)
		buf_putc(&names, '{');
	buf_putc(&names, '}');
	char npos[32];
	snprintf(npos, sizeof(npos), "%" PRIu64, p.pos);
	const char *params[] = { names.data, p.file, npos, p.gtid };
	apply_set_source_server(r->a, sid);
	bool ok = apply_commit_with(r->a, r->tables, r->ntables, &p, r->server_id, 0,
		"UPDATE {ctl}.tables SET snapshot_file = $3, snapshot_pos = $4, snapshot_gtid = $5, applied_file = NULL, "
		"applied_pos = NULL, updated_at = now() WHERE source_db = $1 AND state = 'ready' AND source_table = ANY($2::text[])",
		4, params);
	buf_free(&names);
	if (!ok)
		return false;
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i].active)
			r->tables[i].snapshot = r->tables[i].applied = p;
	log_notice("database \"%s\" now streams from MariaDB server %u at %s:%" PRIu64 " (GTID position %s)",
			   r->cfg.src.name, sid, p.file, p.pos, p.gtid);
	r->cp = p;
	r->cp_sid = sid;
	gtid_entry v[16];
	int nv = gtid_list(gtid, v, 16);
	for (int i = 0; i < nv; i++)
		gtid_note(r, v[i].domain, v[i].server, v[i].seq);
	return true;
}

/*
 * reload_source: SIGHUP re-reads the source's connection settings (NAME_HOST,
 * NAME_PORT, NAME_USER, NAME_PASS, NAME_TLS*) from .env and the environment,
 * so a daemon can be pointed at a promoted replica without a restart; the
 * other settings need one. When they changed, the introspection connection
 * is opened again to the new server. False (logged) when the new settings
 * are unusable or that connection fails: the old settings are kept in the
 * first case.
 */
static bool
reload_source(run *r)
{
	char errbuf[2048];
	config fresh;
	config_source *o = &r->cfg.src;

	memset(&fresh, 0, sizeof(fresh));
	fresh.sink_optional = r->cfg.sink_optional;
	if (!config_load_env(&fresh, r->o.env_file ? r->o.env_file : ".env", r->o.env_file != NULL, errbuf, sizeof(errbuf)) ||
		!config_load_source(&fresh, r->o.database, errbuf, sizeof(errbuf))) {
		log_error_dh(NULL, "Fix the setting and send SIGHUP again.", "new settings of database \"%s\" not used: %s",
					 o->name, errbuf);
		config_free(&fresh);
		return true;    /* carry on as before */
	}
	config_source *n = &fresh.src;
	bool changed = strcmp(n->host, o->host) != 0 || n->port != o->port || strcmp(n->user, o->user) != 0 ||
		strcmp(n->pass, o->pass) != 0 || n->tls != o->tls ||
		strcmp(n->tls_ca ? n->tls_ca : "", o->tls_ca ? o->tls_ca : "") != 0 ||
		strcmp(n->tls_cert ? n->tls_cert : "", o->tls_cert ? o->tls_cert : "") != 0 ||
		strcmp(n->tls_key ? n->tls_key : "", o->tls_key ? o->tls_key : "") != 0;
	if (!changed) {
		config_free(&fresh);
		return true;
	}
	for (size_t i = 0; i < fresh.n_warnings; i++)
		log_warning("%s", fresh.warnings[i]);
	if (strcmp(n->schema, o->schema) != 0)
		log_warning("%s_SCHEMA changed to \"%s\"; the stream keeps reading \"%s\" until it is restarted",
					o->prefix, n->schema, o->schema);
	log_notice("the MariaDB connection settings of database \"%s\" changed (%s:%u, user %s, now %s:%u, user %s); "
			   "reconnecting", o->name, o->host, o->port, o->user, n->host, n->port, n->user);
	/* take the connection fields (the old ones are freed with fresh); the
	 * rest of the source stays */
	char **olds[] = { &o->host, &o->user, &o->pass, &o->tls_ca, &o->tls_cert, &o->tls_key };
	char **news[] = { &n->host, &n->user, &n->pass, &n->tls_ca, &n->tls_cert, &n->tls_key };
	for (size_t i = 0; i < sizeof(olds) / sizeof(olds[0]); i++) {
		char *keep = *olds[i];
		*olds[i] = *news[i];
		*news[i] = keep;
	}
	o->port = n->port;
	o->tls = n->tls;
	config_free(&fresh);
	if (r->meta)
		mysql_close(r->meta);
	r->meta = maria_connect_timed(&r->cfg.src, 60, errbuf, sizeof(errbuf));
	if (!r->meta) {
		log_error("%s", errbuf);
		return false;
	}
	return true;
}

/* stream_loop: reads from start until stopped, a reload that needs a new
 * start, or an error */
static loop_end
stream_loop(run *r, const binlogpos *start)
{
	bool fatal = false;
	if (reload_requested && !stop_requested && !r->k) {
		/* SIGHUP while retrying (the main loop took the new connection
		 * settings already): the tables again before reading */
		reload_requested = 0;
		log_info("reloading the allowlist and table states of database \"%s\"", r->cfg.src.name);
		if (!load_tables(r)) {
			reload_requested = 1;
			return END_RETRY;
		}
		return END_RESTART;
	}
	if (r->a && !r->k && !load_checkpoint(r))
		return END_RETRY;
	source *s = source_open(&r->cfg.src, r->server_id, &fatal);
	if (!s)
		return fatal ? END_FATAL : END_RETRY;
	binlogpos from = *start;
	int sw = server_switch(r, s, &from);
	bool switching = sw > 0;    /* by GTID: the new server's coordinates
								 * replace the old ones at the first event */
	if (sw < 0 || !source_start(s, &from, table_hook, r, &fatal)) {
		source_close(s);
		free_labels(r);
		return sw < 0 || fatal ? END_FATAL : END_RETRY;
	}
	if (r->a && !r->k && !switching)
		apply_set_source_server(r->a, source_server_id(s));

	binlog_event ev;
	binlogpos at, trx_start = *start, done = *start, committed = *start;
	done.gtid[0] = '\0';   /* the GTID position at done: taken as transactions end */
	bool in_trx = false;
	uint32_t last_ts = 0;
	double batch_started = 0, last_commit = now_s();
	loop_end end = END_RETRY;

	for (;;) {
		metrics_stream_poll_source(r->meta);    /* the lag in bytes, every few seconds */
		if (!in_trx && (stop_requested || reload_requested)) {
			if (!commit(r, &done, last_ts)) {
				end = END_RETRY;
				break;
			}
			committed = done;
			if (stop_requested) {
				log_info("stopping at %s:%" PRIu64 " on request", done.file, done.pos);
				end = END_STOP;
				break;
			}
			reload_requested = 0;
			log_info("reloading the settings, allowlist and table states of database \"%s\"", r->cfg.src.name);
			if (!r->k && !reload_source(r)) {
				end = END_RETRY;
				break;
			}
			if (!load_tables(r)) {
				/* a connection lost on the way is retried; anything else needs a person */
				end = mysql_ping(r->meta) != 0 || (r->a && pg_is_disconnect(apply_conn(r->a))) ? END_RETRY : END_FATAL;
				if (end == END_RETRY)
					reload_requested = 1;
				break;
			}
			/* the decoder's table maps point at the old tables: start a new
			 * reader, from the lowest watermark (a table that joined behind
			 * the stream is read again from its own) */
			binlogpos low;
			if (lowest_watermark(r, &low) && binlogpos_cmp(&low, &done) < 0)
				log_info("a table joined at %s:%" PRIu64 ", behind the stream; reading again from there",
						 low.file, low.pos);
			end = END_RESTART;
			break;
		}
		if (!source_next(s, &ev, &at, &fatal)) {
			end = fatal ? END_FATAL : END_RETRY;
			break;
		}
		if (switching) {
			/* by GTID from another server: the first transaction, or the
			 * heartbeat of an idle server, is where the checkpoint is there */
			binlogpos here = at;
			if (ev.kind == BINLOG_EV_HEARTBEAT && ev.u.heartbeat.file) {
				snprintf(here.file, sizeof(here.file), "%s", ev.u.heartbeat.file);
				here.pos = ev.next_pos;
			}
			if ((ev.kind != BINLOG_EV_GTID && ev.kind != BINLOG_EV_HEARTBEAT) || !here.file[0] || here.pos < 4)
				continue;
			/* from here on by file and offset, like after any restart, so
			 * that what follows is read the same way now and later */
			end = switch_commit(r, &here, from.gtid, source_server_id(s)) ? END_RESTART : END_RETRY;
			break;
		}
		switch (ev.kind) {
		case BINLOG_EV_GTID:
			if (!in_trx)
				gtid_format(r, done.gtid, sizeof(done.gtid));   /* the position before this transaction */
			in_trx = true;
			trx_start = at;
			gtid_note(r, ev.u.gtid.domain_id, ev.server_id, ev.u.gtid.seq_no);
			metrics_stream_read(ev.timestamp);
			break;
		case BINLOG_EV_ROWS: {
			apply_table *t = ev.u.rows.table ? ev.u.rows.table->user : NULL;
			if (!t || !t->active)
				break;
			if (!ev.u.rows.table->wanted) {
				stop_table(r, t, "the table's columns in the binary log no longer match the schema the stream loaded "
						   "(a schema change the stream cannot carry yet)");
				break;
			}
			if (binlogpos_cmp(&trx_start, &t->applied) < 0)
				break;  /* already in the target (before its watermark) */
			if (batch_started == 0)
				batch_started = now_s();
			if (r->k) {
				char gtid[512];
				gtid_format(r, gtid, sizeof(gtid));
				kafka_source ks = { .file = at.file, .pos = at.pos, .gtid = gtid, .server_id = ev.server_id,
									.ts = ev.timestamp };
				for (size_t i = 0; i < ev.u.rows.nrows; i++) {
					ks.row = (unsigned) i;
					if (!kafka_row(r->k, &t->pt, r->cfg.src.schema, ev.u.rows.kind, &ev.u.rows.rows[i], &ks)) {
						end = END_FATAL;
						goto out;
					}
				}
				metrics_stream_published(t->pt.source, ev.u.rows.kind, ev.u.rows.nrows);
				break;
			}
			for (size_t i = 0; i < ev.u.rows.nrows; i++) {
				if (!apply_row(r->a, t, ev.u.rows.kind, &ev.u.rows.rows[i])) {
					end = pg_is_disconnect(apply_conn(r->a)) ? END_RETRY : END_FATAL;
					goto out;
				}
			}
			break;
		}
		case BINLOG_EV_XID:
		case BINLOG_EV_QUERY: {
			if (ev.kind == BINLOG_EV_QUERY) {
				char w[16];
				word(ev.u.query.sql, w, sizeof(w));
				bool boundary = strcmp(w, "BEGIN") == 0 || strcmp(w, "COMMIT") == 0 || strcmp(w, "XA") == 0 ||
					strcmp(w, "ROLLBACK") == 0 || strcmp(w, "SAVEPOINT") == 0;
				/* DDL is its own transaction: what came before lands first */
				if (!boundary && pending(r) > 0 && !commit(r, &done, last_ts)) {
					end = pg_is_disconnect(apply_conn(r->a)) ? END_RETRY : END_FATAL;
					goto out;
				}
				query_action qa = handle_query(r, &ev);
				if (qa == Q_FATAL) {
					end = pg_is_disconnect(apply_conn(r->a)) ? END_RETRY : END_FATAL;
					goto out;
				}
				if (qa == Q_NONE)
					break;
			}
			in_trx = false;
			snprintf(done.file, sizeof(done.file), "%s", at.file);
			done.pos = ev.next_pos;
			gtid_format(r, done.gtid, sizeof(done.gtid));
			last_ts = ev.timestamp;
			bool stop_here = r->stop.file[0] && binlogpos_cmp(&done, &r->stop) >= 0;
			double now = now_s();
			bool has_rows = pending(r) > 0;
			/* a batch closes when full or old enough; when the source goes
			 * idle, the next heartbeat (every 100 ms) closes it */
			if (stop_here || (has_rows && (pending(r) >= r->o.batch_rows ||
										   (now - batch_started) * 1000 >= r->o.batch_ms)) ||
				(!has_rows && now - last_commit >= 1.0)) {
				if (!commit(r, &done, last_ts)) {
					end = pg_is_disconnect(apply_conn(r->a)) ? END_RETRY : END_FATAL;
					goto out;
				}
				batch_started = 0;
				last_commit = now;
				committed = done;
			}
			if (stop_here) {
				log_info("reached --stop-at %s:%" PRIu64 " (at %s:%" PRIu64 ")", r->stop.file, r->stop.pos,
						 done.file, done.pos);
				end = END_STOP;
				goto out;
			}
			break;
		}
		case BINLOG_EV_ROTATE:
			if (!in_trx && ev.next_pos != 0) {
				snprintf(done.file, sizeof(done.file), "%s", ev.u.rotate.file);
				done.pos = ev.u.rotate.pos;
			}
			break;
		case BINLOG_EV_HEARTBEAT:
			if (!in_trx && !evolve_pending(r)) {
				end = pg_is_disconnect(apply_conn(r->a)) ? END_RETRY : END_FATAL;
				goto out;
			}
			/* the source is idle: what is staged lands now, and the
			 * checkpoint catches up with skipped transactions and rotations */
			if (!in_trx && (pending(r) > 0 || binlogpos_cmp(&done, &committed) != 0)) {
				if (!commit(r, &done, last_ts)) {
					end = END_RETRY;
					goto out;
				}
				committed = done;
				batch_started = 0;
				last_commit = now_s();
			}
			/* Kafka acknowledges in its own time: the checkpoint follows */
			if (r->k && !publish_settle(r, 0)) {
				end = END_RETRY;
				goto out;
			}
			if (!in_trx)
				metrics_stream_idle();  /* caught up, unless Kafka has not acknowledged all */
			if (!in_trx && r->stop.file[0] && binlogpos_cmp(&done, &r->stop) >= 0) {
				log_info("at --stop-at %s:%" PRIu64 " already (at %s:%" PRIu64 ")", r->stop.file, r->stop.pos,
						 done.file, done.pos);
				end = END_STOP;
				goto out;
			}
			if (!in_trx && r->a) {
				bool notified = false;
				if (!apply_notified(r->a, &notified)) {
					log_error("lost the sink connection of database \"%s\" while idle", r->cfg.src.name);
					end = END_RETRY;
					goto out;
				}
				if (notified)
					reload_requested = 1;
			}
			break;
		default:
			/* events between transactions (FORMAT_DESCRIPTION, GTID_LIST,
			 * BINLOG_CHECKPOINT...): resuming after them is as good */
			if (!in_trx && ev.next_pos != 0 && binlogpos_cmp(&at, &done) >= 0) {
				snprintf(done.file, sizeof(done.file), "%s", at.file);
				done.pos = ev.next_pos;
			}
			break;
		}
	}
out:
	if (r->a)
		apply_rollback(r->a, r->tables, r->ntables);
	source_close(s);
	free_labels(r);
	return end;
}

/* print_status: --status, from the control schema (and the source's
 * current position for the lag in bytes) */
/* consumed: the next offset per partition, as of the current batch */
typedef struct consumed {
	kafka_offset *v;
	buf        *lastkey;        /* per partition: the key of the last event with a value */
	size_t      n;
	bool        dirty;          /* moved since the last commit */
	kafka_offset *committed;    /* v as of the last commit */
	size_t      ncommitted;
	kafka_offset *until;        /* replaying one message per batch up to these */
	size_t      nuntil;
} consumed;

/* offsets_copy: *dst (of *ndst) becomes a copy of src */
static void
offsets_copy(kafka_offset **dst, size_t *ndst, const kafka_offset *src, size_t n)
{
	free(*dst);
	*dst = NULL;
	if (n) {
		*dst = xmalloc(n * sizeof(kafka_offset));
		memcpy(*dst, src, n * sizeof(kafka_offset));
	}
	*ndst = n;
}

/* consumed_note: partition's next offset; returns the partition's index */
static size_t
consumed_note(consumed *c, const char *topic, int32_t partition, int64_t next)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].partition == partition && strcmp(c->v[i].topic, topic) == 0) {
			c->v[i].next = next;
			c->dirty = true;
			return i;
		}
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(kafka_offset));
	c->lastkey = xrealloc(c->lastkey, (c->n + 1) * sizeof(buf));
	snprintf(c->v[c->n].topic, sizeof(c->v[c->n].topic), "%s", topic);
	c->v[c->n].partition = partition;
	c->v[c->n].next = next;
	c->lastkey[c->n] = (buf) BUF_INIT;
	c->dirty = true;
	return c->n++;
}

/* tombstone_follows: whether a tombstone with this key comes right after an
 * event of the same key on its partition (the delete it closes) */
static bool
tombstone_follows(const consumed *c, size_t part, const kafka_msg *m)
{
	const buf *k = &c->lastkey[part];

	return m->key && k->len == m->keylen && k->len > 0 && memcmp(k->data, m->key, m->keylen) == 0;
}

/* consume_commit: the batch with the offsets past it, in one transaction */
static bool
consume_commit(run *r, consumed *c, kafka_consumer *kc)
{
	if (!c->dirty && pending(r) == 0)
		return true;
	buf topics = BUF_INIT, parts = BUF_INIT, offs = BUF_INIT;
	for (size_t i = 0; i < c->n; i++) {
		char p[16], o[24];
		snprintf(p, sizeof(p), "%d", c->v[i].partition);
		snprintf(o, sizeof(o), "%" PRId64, c->v[i].next);
		pg_array_add(&topics, c->v[i].topic, i == 0);
		pg_array_add(&parts, p, i == 0);
		pg_array_add(&offs, o, i == 0);
	}
	buf_putc(&topics, '}');
	buf_putc(&parts, '}');
	buf_putc(&offs, '}');
	const char *params[] = { topics.data, parts.data, offs.data };
	bool ok = apply_commit_with(r->a, r->tables, r->ntables, NULL, 0, 0,
		"INSERT INTO {ctl}.kafka_offsets (source_db, topic, kafka_partition, next_offset) "
		"SELECT $1, t, p, o FROM unnest($2::text[], $3::int[], $4::bigint[]) AS v(t, p, o) "
		"ON CONFLICT (source_db, topic, kafka_partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, "
		"updated_at = now()", 3, params);
	buf_free(&topics);
	buf_free(&parts);
	buf_free(&offs);
	if (!ok)
		return false;
	c->dirty = false;
	outage_over(r);
	offsets_copy(&c->committed, &c->ncommitted, c->v, c->n);
	kafka_consumer_commit(kc, c->v, c->n);
	if (apply_tables_changed(r->a))
		reload_requested = 1;
	return true;
}

/* consume_rewind: after PostgreSQL refused a value of the batch, goes back
 * to the last commit and replays the batch's messages one per transaction,
 * so that the one refused is found and set aside (dead_letter) and the others
 * apply. False when the failure was not the data's (a lost connection, the
 * schema) or the consumer could not be rewound. */
static bool
consume_rewind(run *r, consumed *c, kafka_consumer *kc, char **topics, size_t ntopics)
{
	const char *why;

	if (pg_is_disconnect(apply_conn(r->a)) || !apply_data_refused(r->a, &why))
		return false;
	if (c->until) {
		log_error("PostgreSQL refused a value while replaying messages one at a time: %s", why);
		return false;
	}
	log_notice("PostgreSQL refused a value of a batch of database \"%s\" (%s); applying the batch's messages "
			   "one at a time to set the refused one aside", r->cfg.src.name, why);
	offsets_copy(&c->until, &c->nuntil, c->v, c->n);
	if (!kafka_consumer_assign(kc, (const char **) topics, ntopics, c->committed, c->ncommitted, 0))
		return false;
	for (size_t i = 0; i < c->n; i++)
		buf_free(&c->lastkey[i]);
	offsets_copy(&c->v, &c->n, c->committed, c->ncommitted);
	c->lastkey = xrealloc(c->lastkey, (c->n + 1) * sizeof(buf));
	for (size_t i = 0; i < c->n; i++)
		c->lastkey[i] = (buf) BUF_INIT;
	c->dirty = false;
	return true;
}

/* replay_done: whether every partition is past the refused batch again */
static bool
replay_done(const consumed *c)
{
	for (size_t u = 0; u < c->nuntil; u++) {
		bool past = false;
		for (size_t i = 0; i < c->n && !past; i++)
			past = c->v[i].partition == c->until[u].partition && strcmp(c->v[i].topic, c->until[u].topic) == 0 &&
				c->v[i].next >= c->until[u].next;
		if (!past)
			return false;
	}
	return true;
}

/* dead_letter: a message that cannot be applied, recorded with the batch
 * (or fatal with KAFKA_DEAD_LETTER=fatal) */
static bool
dead_letter(run *r, const kafka_msg *m, const char *reason, long long *count)
{
	if (r->ks.dead_letter_fatal) {
		log_error_dh(reason, "Set KAFKA_DEAD_LETTER=table to set such messages aside and go on.",
					 "cannot apply the message at offset %" PRId64 " of topic \"%s\" partition %d",
					 m->offset, m->topic, m->partition);
		return false;
	}
	buf k = BUF_INIT, v = BUF_INIT;
	char part[16], off[24];
	snprintf(part, sizeof(part), "%d", m->partition);
	snprintf(off, sizeof(off), "%" PRId64, m->offset);
	if (m->key)
		hex_append(&k, m->key, m->keylen);
	if (m->value)
		hex_append(&v, m->value, m->len);
	const char *params[] = { m->topic, part, off, m->key ? k.data ? k.data : "" : NULL,
							 m->value ? v.data ? v.data : "" : NULL, reason };
	bool ok = apply_control(r->a, "INSERT INTO {ctl}.kafka_dead_letters (source_db, topic, kafka_partition, "
							"kafka_offset, msg_key, msg_value, reason) VALUES ($1, $2, $3, $4, decode($5, 'hex'), "
							"decode($6, 'hex'), $7)", 6, params);
	buf_free(&k);
	buf_free(&v);
	if (ok) {
		(*count)++;
		metrics_stream_dead_letter();
		log_warning_dh(reason, "See the kafka_dead_letters table of the control schema.",
					   "message at offset %" PRId64 " of topic \"%s\" partition %d set aside", m->offset, m->topic,
					   m->partition);
	}
	return ok;
}

/* consume_loop: applies the tables' Debezium topics until stopped, a reload
 * or an error */
static loop_end
consume_loop(run *r)
{
	char errbuf[1024];
	loop_end end = END_RETRY;
	size_t ntopics = 0;
	char **topics = xcalloc(r->ntables + 1, sizeof(char *));
	apply_table **owner = xcalloc(r->ntables + 1, sizeof(apply_table *));
	consumed c = { 0 };
	kafka_consumer *kc = NULL;
	long long dead = 0;
	double batch_started = 0, last_idle_check = now_s();

	for (size_t i = 0; i < r->ntables; i++) {
		if (!r->tables[i].active)
			continue;
		topics[ntopics] = dbz_topic(r->ks.prefix, r->cfg.src.schema, r->tables[i].pt.source);
		owner[ntopics++] = &r->tables[i];
	}
	PGresult *res = control_query(apply_conn(r->a), &r->ctl, "SELECT topic, kafka_partition, next_offset "
								  "FROM {ctl}.kafka_offsets WHERE source_db = $1", 0, NULL, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not read the consumed offsets of database \"%s\": %s", r->cfg.src.name, errbuf);
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++)
		consumed_note(&c, PQgetvalue(res, i, 0), (int32_t) strtol(PQgetvalue(res, i, 1), NULL, 10),
					  (int64_t) strtoll(PQgetvalue(res, i, 2), NULL, 10));
	PQclear(res);
	c.dirty = false;
	offsets_copy(&c.committed, &c.ncommitted, c.v, c.n);
	if (!(kc = kafka_consumer_open(&r->ks, r->cfg.src.name)) ||
		!kafka_consumer_assign(kc, (const char **) topics, ntopics, c.v, c.n, 10000)) {
		end = END_RETRY;
		goto out;
	}
	log_info("applying %zu Debezium topic(s) of database \"%s\" (prefix \"%s\") from Kafka", ntopics,
			 r->cfg.src.name, r->ks.prefix);
	for (;;) {
		if (stop_requested || reload_requested) {
			if (!consume_commit(r, &c, kc)) {
				if (consume_rewind(r, &c, kc, topics, ntopics))
					continue;
				break;
			}
			if (stop_requested) {
				log_info("stopping on request");
				end = END_STOP;
				break;
			}
			reload_requested = 0;
			log_info("reloading the allowlist and table states of database \"%s\"", r->cfg.src.name);
			end = load_tables(r) ? END_RESTART : END_RETRY;
			if (end == END_RETRY)
				reload_requested = 1;
			break;
		}
		kafka_msg m;
		int got = kafka_consumer_next(kc, 100, &m);
		if (got < 0)
			break;
		double now = now_s();
		if (got == 0) {
			if ((pending(r) > 0 || c.dirty) && (now - batch_started) * 1000 >= r->o.batch_ms) {
				if (!consume_commit(r, &c, kc)) {
					if (consume_rewind(r, &c, kc, topics, ntopics))
						continue;
					break;
				}
				batch_started = 0;
			}
			metrics_stream_idle();  /* caught up when the batch is committed */
			if (now - last_idle_check >= 1.0) {
				bool notified = false;
				last_idle_check = now;
				if (!apply_notified(r->a, &notified)) {
					log_error("lost the sink connection of database \"%s\" while idle", r->cfg.src.name);
					break;
				}
				if (notified)
					reload_requested = 1;
			}
			continue;
		}
		if (batch_started == 0)
			batch_started = now;
		metrics_stream_consumed();
		apply_table *t = NULL;
		for (size_t i = 0; i < ntopics && !t; i++)
			if (strcmp(topics[i], m.topic) == 0)
				t = owner[i];
		size_t part = consumed_note(&c, m.topic, m.partition, m.offset + 1);
		bool ok = true;
		if (!t)
			ok = dead_letter(r, &m, "a topic of no allowlisted table", &dead);
		else if (!m.value) {
			/* a tombstone right after its key's delete event only lets
			 * compaction drop the key (and must not undo the watermark's
			 * skip of that delete); one on its own is the delete, as
			 * ExtractNewRecordState's default delete.handling.mode=drop
			 * leaves it, and deletes its key as Debezium's JDBC sink does */
			dbz_event ev = DBZ_EVENT_INIT;
			char why[1024];
			if (t->pt.nkey > 0 && m.key && !tombstone_follows(&c, part, &m)) {
				if (!dbz_parse(&t->pt, NULL, 0, &ev, why, sizeof(why)) ||
					!dbz_parse_key(&t->pt, m.key, m.keylen, &ev, why, sizeof(why)))
					ok = dead_letter(r, &m, why, &dead);
				else {
					binlog_row row = { ev.key, NULL };
					if (!apply_row(r->a, t, BINLOG_ROWS_DELETE, &row))
						ok = apply_row_refused(r->a) && dead_letter(r, &m, "a key the type map refuses", &dead);
				}
			}
			dbz_event_free(&ev);
		} else {
			dbz_event ev = DBZ_EVENT_INIT;
			char why[1024];
			buf_reset(&c.lastkey[part]);
			if (m.key)
				buf_append(&c.lastkey[part], m.key, m.keylen);
			if (!dbz_parse(&t->pt, m.value, m.len, &ev, why, sizeof(why)))
				ok = dead_letter(r, &m, why, &dead);    /* (ev is freed below either way) */
			else {
				metrics_stream_read((uint32_t) (ev.ts_ms / 1000));
				binlogpos at = { .pos = ev.pos };
				snprintf(at.file, sizeof(at.file), "%s", ev.file);
				/* migrate's copy already holds what came before its watermark */
				bool before_watermark = ev.has_pos && at.file[0] && binlogpos_cmp(&at, &t->snapshot) < 0;
				if (ev.op == DBZ_TRUNCATE && !before_watermark) {
					if (!apply_truncate(r->a, t))
						ok = false;
				} else if (ev.op && ev.op != DBZ_READ && !before_watermark) {
					binlog_row row = { NULL, NULL };
					binlog_rows_kind kind = BINLOG_ROWS_INSERT;
					if (ev.op == DBZ_DELETE) {
						kind = BINLOG_ROWS_DELETE;
						row.before = ev.before;
					} else if (ev.op == DBZ_UPDATE && ev.before) {
						kind = BINLOG_ROWS_UPDATE;
						row.before = ev.before;
						row.after = ev.after;
					} else
						row.after = ev.after;   /* create, or an upsert without its before image */
					if ((kind == BINLOG_ROWS_DELETE && !row.before) || (kind != BINLOG_ROWS_DELETE && !row.after))
						ok = dead_letter(r, &m, "the event lacks the row image its operation needs", &dead);
					else if (!apply_row(r->a, t, kind, &row)) {
						if (apply_row_refused(r->a))
							ok = dead_letter(r, &m, "a value the type map refuses (see the log)", &dead);
						else
							ok = false;
					}
				} else if (ev.op == DBZ_READ && !before_watermark) {
					binlog_row row = { NULL, ev.after };
					ok = !ev.after || apply_row(r->a, t, BINLOG_ROWS_INSERT, &row) ||
						(apply_row_refused(r->a) && dead_letter(r, &m, "a value the type map refuses", &dead));
				}
			}
			dbz_event_free(&ev);
		}
		/* replaying a refused batch: one message per transaction; the one
		 * PostgreSQL refuses is set aside with its reason */
		bool replaying = ok && c.until;
		if (replaying && !consume_commit(r, &c, kc)) {
			const char *why;
			ok = !pg_is_disconnect(apply_conn(r->a)) && apply_data_refused(r->a, &why);
			if (ok) {
				char reason[1100];
				snprintf(reason, sizeof(reason), "PostgreSQL refused it: %s", why);
				ok = dead_letter(r, &m, reason, &dead) && consume_commit(r, &c, kc);
			}
		}
		kafka_msg_done(&m);
		if (!ok) {
			end = r->ks.dead_letter_fatal || !pg_is_disconnect(apply_conn(r->a)) ? END_FATAL : END_RETRY;
			break;
		}
		if (replaying) {
			if (replay_done(&c)) {
				log_info("the refused batch of database \"%s\" is replayed; applying in batches again",
						 r->cfg.src.name);
				offsets_copy(&c.until, &c.nuntil, NULL, 0);
			}
			batch_started = 0;
			continue;
		}
		/* while messages keep coming, a batch fills up to --batch-rows (or a
		 * second); the moment the consumer is idle it commits (above) */
		if (pending(r) >= r->o.batch_rows || (now - batch_started) >= 1.0) {
			if (!consume_commit(r, &c, kc)) {
				if (consume_rewind(r, &c, kc, topics, ntopics))
					continue;
				break;
			}
			batch_started = 0;
		}
	}
out:
	if (end != END_STOP && end != END_RESTART)
		apply_rollback(r->a, r->tables, r->ntables);
	kafka_consumer_close(kc);
	for (size_t i = 0; i < ntopics; i++)
		free(topics[i]);
	free(topics);
	free(owner);
	for (size_t i = 0; i < c.n; i++)
		buf_free(&c.lastkey[i]);
	free(c.lastkey);
	free(c.v);
	free(c.committed);
	free(c.until);
	return end;
}

/* print_status_local: --status --to kafka without PostgreSQL */
static int
print_status_local(run *r)
{
	char errbuf[2048];
	binlogpos pos;
	int got;

	if (!kafka_settings_load(&r->cfg, &r->ks, errbuf, sizeof(errbuf)) ||
		(got = kafka_checkpoint_read(&r->ks, r->cfg.src.name, &pos, errbuf, sizeof(errbuf))) < 0) {
		log_error("%s", errbuf);
		return EXIT_FAILED;
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

static int
print_status(run *r)
{
	char errbuf[2048];
	if (!r->cfg.sink_url)
		return print_status_local(r);
	PGconn *pg = pg_connect(&r->cfg, "stream-status", errbuf, sizeof(errbuf));
	if (!pg) {
		log_error("%s", errbuf);
		return EXIT_FAILED;
	}
	control_init(&r->ctl, r->cfg.control_schema, r->cfg.src.name);
	PGresult *cp = control_query(pg, &r->ctl,
		"SELECT binlog_file, binlog_pos, coalesce(gtid, ''), coalesce(to_char(source_ts, 'YYYY-MM-DD HH24:MI:SS'), ''), "
		"coalesce(extract(epoch FROM now() - source_ts)::bigint::text, ''), "
		"to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(to_jsonb(c)->>'source_server_id', '') "
		"FROM {ctl}.stream_checkpoint c WHERE source_db = $1", 0, NULL, errbuf, sizeof(errbuf));
	PGresult *tb = cp ? control_query(pg, &r->ctl,
		"SELECT source_table, state, coalesce(applied_file, snapshot_file, ''), "
		"coalesce(applied_pos, snapshot_pos)::text, rows_inserted, rows_updated, rows_deleted, coalesce(stream_error, '') "
		"FROM {ctl}.tables WHERE source_db = $1 ORDER BY source_table", 0, NULL, errbuf, sizeof(errbuf)) : NULL;
	if (!tb) {
		log_error_dh(errbuf, "Run migrate for this database first; it installs the control schema.",
					 "could not read the stream state of database \"%s\"", r->cfg.src.name);
		PQclear(cp);
		PQfinish(pg);
		return EXIT_FAILED;
	}
	printf("database %s\n", r->cfg.src.name);
	if (PQntuples(cp) == 0)
		printf("  checkpoint: none (stream has not committed yet)\n");
	else {
		printf("  checkpoint: %s:%s gtid %s%s%s, source commit %s UTC, written %s\n", PQgetvalue(cp, 0, 0),
			   PQgetvalue(cp, 0, 1), PQgetvalue(cp, 0, 2)[0] ? PQgetvalue(cp, 0, 2) : "-",
			   PQgetvalue(cp, 0, 6)[0] ? " on MariaDB server " : "", PQgetvalue(cp, 0, 6),
			   PQgetvalue(cp, 0, 3)[0] ? PQgetvalue(cp, 0, 3) : "-", PQgetvalue(cp, 0, 5));
		/* lag: bytes from the source's current position, seconds since the
		 * last applied commit when there are bytes to apply */
		MYSQL *my = maria_connect(&r->cfg.src, errbuf, sizeof(errbuf));
		if (my && mysql_query(my, "SHOW BINARY LOGS") == 0) {
			MYSQL_RES *res = mysql_store_result(my);
			MYSQL_ROW row;
			unsigned long long lag = 0;
			bool counting = false;
			const char *file = PQgetvalue(cp, 0, 0);
			unsigned long long pos = strtoull(PQgetvalue(cp, 0, 1), NULL, 10);
			while (res && (row = mysql_fetch_row(res))) {
				unsigned long long size = row[1] ? strtoull(row[1], NULL, 10) : 0;
				if (row[0] && strcmp(row[0], file) == 0) {
					counting = true;
					lag += size > pos ? size - pos : 0;
				} else if (counting)
					lag += size;
			}
			if (res)
				mysql_free_result(res);
			printf("  lag: %llu bytes, %s seconds\n", lag,
				   lag == 0 ? "0" : (PQgetvalue(cp, 0, 4)[0] ? PQgetvalue(cp, 0, 4) : "?"));
		} else
			printf("  lag: unknown (%s)\n", my ? mysql_error(my) : errbuf);
		if (my)
			mysql_close(my);
	}
	PGresult *pub = control_query(pg, &r->ctl,
		"SELECT topic_prefix, binlog_file || ':' || binlog_pos, coalesce(gtid, '-'), "
		"coalesce(to_char(source_ts, 'YYYY-MM-DD HH24:MI:SS'), '-'), to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') "
		"FROM {ctl}.publish_checkpoint WHERE source_db = $1 ORDER BY topic_prefix", 0, NULL, errbuf, sizeof(errbuf));
	for (int i = 0; pub && i < PQntuples(pub); i++)
		printf("  published to Kafka (topic prefix %s): %s gtid %s, source commit %s UTC, written %s\n",
			   PQgetvalue(pub, i, 0), PQgetvalue(pub, i, 1), PQgetvalue(pub, i, 2), PQgetvalue(pub, i, 3),
			   PQgetvalue(pub, i, 4));
	PQclear(pub);
	PGresult *con = control_query(pg, &r->ctl,
		"SELECT (SELECT count(*) FROM {ctl}.kafka_offsets WHERE source_db = $1), "
		"(SELECT coalesce(to_char(max(updated_at), 'YYYY-MM-DD HH24:MI:SS'), '-') FROM {ctl}.kafka_offsets WHERE source_db = $1), "
		"(SELECT count(*) FROM {ctl}.kafka_dead_letters WHERE source_db = $1)", 0, NULL, errbuf, sizeof(errbuf));
	if (con && strcmp(PQgetvalue(con, 0, 0), "0") != 0)
		printf("  consumed from Kafka: %s partition(s), offsets written %s; dead letters: %s\n", PQgetvalue(con, 0, 0),
			   PQgetvalue(con, 0, 1), PQgetvalue(con, 0, 2));
	PQclear(con);
	printf("\n%-32s %-9s %-32s %12s %12s %12s  %s\n", "table", "state", "watermark", "inserted", "updated",
		   "deleted", "error");
	for (int i = 0; i < PQntuples(tb); i++) {
		char wm[300];
		snprintf(wm, sizeof(wm), "%s:%s", PQgetvalue(tb, i, 2), PQgetvalue(tb, i, 3));
		printf("%-32s %-9s %-32s %12s %12s %12s  %s\n", PQgetvalue(tb, i, 0), PQgetvalue(tb, i, 1),
			   wm[0] == ':' ? "-" : wm, PQgetvalue(tb, i, 4), PQgetvalue(tb, i, 5), PQgetvalue(tb, i, 6),
			   PQgetvalue(tb, i, 7));
	}
	PQclear(cp);
	PQclear(tb);
	PQfinish(pg);
	return EXIT_OK;
}

/* name_cmp: qsort of strings */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* status_all: --status without --database: every database that has an
 * allowlist file in TABLES_DIR, one after the other; the exit status is the
 * worst of theirs */
static int
status_all(const options *o)
{
	char errbuf[2048];
	config cfg = { .sink_optional = o->to_kafka };
	const char *envf = o->env_file ? o->env_file : ".env";
	int rc = EXIT_OK;
	char **names = NULL;
	size_t n = 0;

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
		names = xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	config_free(&cfg);
	if (n == 0) {
		log_error("no allowlist file (tables.d/NAME) in the allowlist directory; nothing to report");
		free(names);
		return EXIT_USAGE;
	}
	qsort(names, n, sizeof(char *), name_cmp);
	for (size_t i = 0; i < n; i++) {
		run r;
		memset(&r, 0, sizeof(r));
		r.o = *o;
		r.o.database = names[i];
		r.cfg.sink_optional = o->to_kafka;
		if (i > 0)
			printf("\n");
		fflush(stdout);
		int one = EXIT_USAGE;
		if (!config_load_env(&r.cfg, envf, o->env_file != NULL, errbuf, sizeof(errbuf)) ||
			!config_load_source(&r.cfg, names[i], errbuf, sizeof(errbuf)))
			log_error("%s", errbuf);
		else {
			log_set_database(r.cfg.src.name);
			one = print_status(&r);
		}
		fflush(stdout);
		if (one != EXIT_OK && rc == EXIT_OK)
			rc = one;
		control_free(&r.ctl);
		kafka_settings_free(&r.ks);
		config_free(&r.cfg);
		free(names[i]);
	}
	log_set_database(NULL);
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	run r;
	char errbuf[2048];
	bool help = false;
	int rc = EXIT_FAILED;

	memset(&r, 0, sizeof(r));
	r.o.batch_rows = 20000;
	r.o.batch_ms = 50;
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
	if (!config_load_env(&r.cfg, r.o.env_file ? r.o.env_file : ".env", r.o.env_file != NULL, errbuf, sizeof(errbuf)) ||
		!config_load_source(&r.cfg, r.o.database, errbuf, sizeof(errbuf))) {
		for (size_t i = 0; i < r.cfg.n_warnings; i++)
			log_warning("%s", r.cfg.warnings[i]);
		log_error("%s", errbuf);
		config_free(&r.cfg);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < r.cfg.n_warnings; i++)
		log_warning("%s", r.cfg.warnings[i]);
	if (!log_settings(config_get(&r.cfg, "LOG_LEVEL"), r.o.log_level_set, config_get(&r.cfg, "LOG_FORMAT"),
					  r.o.log_format_set, errbuf, sizeof(errbuf))) {
		log_error("%s", errbuf);
		config_free(&r.cfg);
		return EXIT_USAGE;
	}
	log_set_database(r.cfg.src.name);
	if (r.o.status) {
		rc = print_status(&r);
		control_free(&r.ctl);
		kafka_settings_free(&r.ks);
		config_free(&r.cfg);
		return rc;
	}
	if ((rc = metrics_start(&r.cfg, r.o.metrics_address, "stream", r.cfg.src.name)) != 0) {
		config_free(&r.cfg);
		return rc;
	}
	rc = EXIT_FAILED;
	/* the replica server id: --server-id, NAME_SERVER_ID, or derived */
	char var[160];
	snprintf(var, sizeof(var), "%s_SERVER_ID", r.cfg.src.prefix);
	const char *sid = config_get(&r.cfg, var);
	r.server_id = source_default_server_id(r.cfg.src.name);
	if (r.o.server_id > 0)
		r.server_id = (uint32_t) r.o.server_id;
	else if (sid) {
		long long v;
		if (!parse_count(var, sid, 1, 4294967295LL, &v)) {
			metrics_stop();
			config_free(&r.cfg);
			return EXIT_USAGE;
		}
		r.server_id = (uint32_t) v;
	}

	srand((unsigned) time(NULL) ^ (unsigned) getpid());     /* backoff jitter differs per daemon */
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);

	control_init(&r.ctl, r.cfg.control_schema, r.cfg.src.name);
	if ((r.o.to_kafka || r.o.from_kafka) && !kafka_settings_load(&r.cfg, &r.ks, errbuf, sizeof(errbuf))) {
		log_error_dh(NULL, "See env.example for the KAFKA_* settings.", "%s", errbuf);
		metrics_stop();
		config_free(&r.cfg);
		return EXIT_USAGE;
	}
	r.local = r.o.to_kafka && !r.cfg.sink_url;
	if (r.local) {
		/* no PostgreSQL: the checkpoint lives in a local file */
		int got;
		if (kafka_checkpoint_lock(&r.ks, errbuf, sizeof(errbuf)) < 0 ||
			(got = kafka_checkpoint_read(&r.ks, r.cfg.src.name, &r.published, errbuf, sizeof(errbuf))) < 0) {
			log_error("%s", errbuf);
			goto out;
		}
		if (got == 0 && !r.o.snapshot) {
			log_error_dh(NULL, "Start with --snapshot: it publishes every row, then the changes from its position. "
						 "(With SINK_DB_URL set, the publisher starts from migrate's watermarks instead.)",
						 "database \"%s\" has no published position: no checkpoint file \"%s\" and no "
						 "SINK_DB_URL", r.cfg.src.name, r.ks.checkpoint_file);
			rc = EXIT_USAGE;
			goto out;
		}
		if (got == 1)
			log_info("publishing database \"%s\" to Kafka (topic prefix \"%s\") from %s:%" PRIu64
					 " (checkpoint file \"%s\")", r.cfg.src.name, r.ks.prefix, r.published.file, r.published.pos,
					 r.ks.checkpoint_file);
		if (!(r.k = kafka_open(&r.ks, r.cfg.src.name)))
			goto out;
	} else if (!(r.a = apply_open(&r.cfg, &r.ctl, r.o.to_kafka ? "publish" : "stream"))) {
		/* started while PostgreSQL is down (a reboot during an outage):
		 * wait for it like any later outage; a refused login is an error */
		for (int failures = 0; !r.a; failures++) {
			if (!pg_sink_down(&r.cfg))
				goto out;
			double delay = backoff_delay(failures);
			outage_retry(&r, delay);
			struct timespec ts = { (time_t) delay, (long) ((delay - (double) (time_t) delay) * 1e9) };
			while (nanosleep(&ts, &ts) != 0 && !stop_requested)
				;
			if (stop_requested) {
				rc = EXIT_OK;
				goto out;
			}
			r.a = apply_open(&r.cfg, &r.ctl, r.o.to_kafka ? "publish" : "stream");
		}
	}
	char hint[512];
	if (r.a && !control_install(apply_conn(r.a), &r.ctl, errbuf, sizeof(errbuf), hint, sizeof(hint))) {
		log_error_dh(NULL, hint[0] ? hint : NULL, "could not install the control schema \"%s\": %s",
					 r.cfg.control_schema, errbuf);
		goto out;
	}
	PGresult *res = NULL;
	if (r.a && !(res = pg_query(apply_conn(r.a), "SELECT 1 FROM pg_extension WHERE extname = 'postgis'", 0, NULL,
								errbuf, sizeof(errbuf)))) {
		log_error("could not query the sink: %s", errbuf);
		goto out;
	}
	r.postgis = res && PQntuples(res) > 0;
	PQclear(res);
	if (r.o.to_kafka && r.a) {
		const char *params[] = { r.ks.prefix };
		res = control_query(apply_conn(r.a), &r.ctl, "SELECT binlog_file, binlog_pos FROM {ctl}.publish_checkpoint "
							"WHERE source_db = $1 AND topic_prefix = $2", 1, params, errbuf, sizeof(errbuf));
		if (!res) {
			log_error("could not read the published position of database \"%s\": %s", r.cfg.src.name, errbuf);
			goto out;
		}
		if (PQntuples(res) > 0) {
			snprintf(r.published.file, sizeof(r.published.file), "%s", PQgetvalue(res, 0, 0));
			r.published.pos = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
			log_info("publishing database \"%s\" to Kafka (topic prefix \"%s\") from %s:%" PRIu64,
					 r.cfg.src.name, r.ks.prefix, r.published.file, r.published.pos);
		}
		PQclear(res);
		if (!(r.k = kafka_open(&r.ks, r.cfg.src.name)))
			goto out;
	}
	r.meta = maria_connect_timed(&r.cfg.src, 60, errbuf, sizeof(errbuf));
	if (!r.meta) {
		log_error_dh(NULL, "Check the NAME_HOST, NAME_PORT, NAME_USER and NAME_PASS settings.", "%s", errbuf);
		goto out;
	}
	if (!load_tables(&r)) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (r.o.snapshot) {
		if (r.published.file[0]) {
			log_error_dh(NULL, r.local ? "To publish a snapshot again, use a new KAFKA_TOPIC_PREFIX, or delete the "
						 "checkpoint file (KAFKA_CHECKPOINT_FILE) first." : "To publish a snapshot again, use a new "
						 "KAFKA_TOPIC_PREFIX, or delete this prefix's row of publish_checkpoint in the control schema first.",
						 "database \"%s\" was already published to Kafka (topic prefix \"%s\"); --snapshot is for the "
						 "first start", r.cfg.src.name, r.ks.prefix);
			rc = EXIT_USAGE;
			goto out;
		}
		if (!publish_snapshot(&r))
			goto out;
	}
	binlogpos start;
	if (!lowest_watermark(&r, &start)) {
		log_error_dh(NULL, "Copy tables with migrate --database NAME --tables all first; stream continues from there.",
					 "no allowlisted table of database \"%s\" is ready to stream", r.cfg.src.name);
		goto out;
	}

	int failures = 0;
	for (;;) {
		loop_end e = END_RETRY;
		if (!r.a && !r.local) {
			r.a = apply_open(&r.cfg, &r.ctl, r.k ? "publish" : "stream");   /* logged on failure */
			for (size_t i = 0; r.a && i < r.ntables; i++)
				r.tables[i].stg_created = false;
		}
		/* SIGHUP may bring new connection settings for an unreachable
		 * source (a failover): take them before connecting again */
		if (reload_requested && !r.k && !r.o.from_kafka && !r.local)
			(void) reload_source(&r);
		if (r.meta && mysql_ping(r.meta) != 0) {
			mysql_close(r.meta);
			r.meta = NULL;
		}
		if (!r.meta && !(r.meta = maria_connect_timed(&r.cfg.src, 60, errbuf, sizeof(errbuf))))
			log_error("%s", errbuf);
		double began = now_s();
		if ((r.a || r.local) && r.meta)
			e = r.o.from_kafka ? consume_loop(&r) : stream_loop(&r, &start);
		if (now_s() - began > 10)
			failures = 0;   /* it ran for a while: back off from the start again */
		if (e == END_STOP) {
			rc = EXIT_OK;
			/* Kafka: wait for what is in flight, so the checkpoint covers it */
			if (r.k && (!kafka_drain(r.k, 30000) || !publish_settle(&r, 1000)))
				log_warning("not every event was acknowledged by Kafka before stopping; the next start publishes "
							"again from %s:%" PRIu64, r.published.file, r.published.pos);
			break;
		}
		if (e == END_FATAL)
			break;
		if (e == END_RETRY) {
			if (stop_requested) {
				rc = EXIT_OK;
				break;
			}
			metrics_stream_reconnect();
			double delay = backoff_delay(failures);
			failures++;
			outage_retry(&r, delay);
			retention_watch(&r, true);
			struct timespec ts = { (time_t) delay, (long) ((delay - (double) (time_t) delay) * 1e9) };
			while (nanosleep(&ts, &ts) != 0 && !stop_requested && !reload_requested)
				;
			if (stop_requested) {
				rc = EXIT_OK;
				break;
			}
			if (r.a && pg_is_disconnect(apply_conn(r.a))) {
				apply_close(r.a);
				r.a = NULL;     /* reopened at the top, lock included */
			}
			if (r.k) {
				/* events after the durable position are published again by a
				 * fresh producer (the old one may be poisoned) */
				kafka_close(r.k);
				if (!(r.k = kafka_open(&r.ks, r.cfg.src.name)))
					break;
			}
		} else
			failures = 0;
		for (size_t i = 0; r.k && i < r.ntables; i++)
			if (r.published.file[0] && binlogpos_cmp(&r.published, &r.tables[i].applied) > 0)
				r.tables[i].applied = r.published;
		if (!lowest_watermark(&r, &start)) {
			log_error("no table of database \"%s\" is streamed any more", r.cfg.src.name);
			break;
		}
	}
out:
	metrics_stop();
	for (size_t i = 0; i < r.ntables; i++)
		apply_table_free(&r.tables[i]);
	free(r.tables);
	if (r.meta)
		mysql_close(r.meta);
	apply_close(r.a);
	kafka_close(r.k);
	kafka_settings_free(&r.ks);
	control_free(&r.ctl);
	config_free(&r.cfg);
	return rc;
}
