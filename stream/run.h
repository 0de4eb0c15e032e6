/*
 * One stream run: the state every part of the daemon shares, and the
 * outage handling they all use.
 *
 * main.c fills the run from the options and settings, chooses the mode and
 * the sink once, and drives the outer loop: each pass runs one loop
 * (pipeline.h for the binary log, consume.h for Kafka) until it ends with a
 * loop_end, then stops, retries with backoff, or starts again from the
 * tables' watermarks. Signal handlers only set the two flags the run points
 * at; loops look at them between transactions.
 *
 * Ownership: the run owns its configuration, the PostgreSQL session (a),
 * the sink, the introspection connection (meta), the table set, the
 * online copy and the GTID position; run_free releases them (the online
 * copy first: it is stopped and joined).
 */
#ifndef STREAM_RUN_H
#define STREAM_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <mysql.h>

#include "common/binlogpos.h"
#include "common/config.h"
#include "common/control.h"
#include "common/gtid.h"
#include "stream/apply.h"
#include "stream/kafka.h"
#include "stream/retention.h"
#include "stream/sink.h"
#include "stream/tables.h"

#define RUN_BACKOFF_MAX_S 30.0      /* longest wait between two attempts to reconnect */

typedef struct stream_options {
	const char *database;
	const char *env_file;
	const char *stop_at;
	const char *metrics_address;    /* --metrics-address, NULL = METRICS_ADDRESS */
	long long   server_id;
	long long   batch_rows;
	long long   batch_ms;
	bool        status;
	bool        status_json;    /* --format json (with --status) */
	bool        log_level_set;
	bool        log_format_set;
	bool        to_kafka;       /* --to kafka */
	bool        from_kafka;     /* --from kafka */
	bool        snapshot;       /* --snapshot (with --to kafka) */
} stream_options;

/* How one loop ended: stopped on request (or at --stop-at), to be started
 * again from the watermarks (a reload, a server switch), to be retried
 * after a failure worth waiting out, or for good (logged). */
typedef enum loop_end { END_STOP, END_RESTART, END_RETRY, END_FATAL } loop_end;

typedef struct stream_run {
	config      cfg;
	control     ctl;
	stream_options o;
	uint32_t    server_id;      /* the stream's replica server id */
	bool        postgis;        /* the sink has PostGIS */
	bool        local;          /* --to kafka without PostgreSQL: the checkpoint
								 * is a local file (KAFKA_CHECKPOINT_FILE) */
	apply      *a;              /* the PostgreSQL session: the sink's, or with
								 * --to kafka the control schema's; NULL when local */
	sink       *sk;             /* where changes go, chosen once at start */
	kafka_settings ks;          /* KAFKA_* (--to kafka, --from kafka) */
	MYSQL      *meta;           /* introspection connection to the source */
	table_set   tables;
	bool        tables_stale;   /* a batch was rolled back: the tables' state is
								 * read again from the control schema first */
	binlogpos   stop;           /* --stop-at, file "" = none */
	gtid_set    gtid;           /* GTID position: the latest per domain */
	binlogpos   cp;             /* the checkpoint as last read */
	uint32_t    cp_sid;         /* the server it belongs to, 0 unknown */
	retention   ret;            /* the source's binlog retention vs our lag */
	bool        recopy;         /* STREAM_ON_UNCARRYABLE=recopy (the default): a table
								 * whose change cannot be carried is copied again */
	struct schema_state *schema;    /* the schema history's session defaults and
								 * shadow descriptions (schema.h), NULL until read */
	struct online *online;      /* the online copy of added tables (online.h), NULL
								 * until one is wanted */
	double      outage_since;   /* run_now() of an outage's first failure, 0 = none */
	int         outage_retries; /* attempts since */
	volatile sig_atomic_t *stop_requested;      /* SIGTERM, SIGINT */
	volatile sig_atomic_t *reload_requested;    /* SIGHUP, migrate's notice */
} stream_run;

/* run_now: monotonic seconds */
double run_now(void);

/* run_backoff_delay: seconds before attempt failures + 1: doubling from
 * 0.5 s up to RUN_BACKOFF_MAX_S, with +-25 % jitter so that many streams
 * that lost the same server do not come back in step */
double run_backoff_delay(int failures);

/* run_sleep: sleeps delay seconds; wakes early on a stop request, and on a
 * reload request when wake_on_reload */
void run_sleep(stream_run *r, double delay, bool wake_on_reload);

/* run_outage_retry: logs a retry in delay seconds; the first failure of an
 * outage starts its clock */
void run_outage_retry(stream_run *r, double delay);

/* run_outage_over: the first durable commit after failures ends the
 * outage (logged with its length) */
void run_outage_over(stream_run *r);

/* run_durable: the sink made pos (source commit time ts) durable: the
 * metrics, the retention watch and the outage clock follow (the sinks'
 * on_durable callback) */
void run_durable(void *ctx, const binlogpos *pos, uint32_t ts);

/* run_retention_watch: the binlog retention check when one is due
 * (retention.h); outage says the stream is failing */
void run_retention_watch(stream_run *r, bool outage);

/* run_needed_position: the oldest binlog position the stream still needs:
 * the lowest watermark, not before what the sink has made durable; false
 * when nothing is streamed */
bool run_needed_position(const stream_run *r, binlogpos *out);

/* run_reload_source: SIGHUP's new connection settings of the source
 * (NAME_HOST, NAME_PORT, NAME_USER, NAME_PASS, NAME_TLS*), read from .env
 * and the environment; the introspection connection is opened again when
 * they changed. 1 done (unusable new settings are logged and the old ones
 * kept), 0 when that connection fails for now (the server is out of reach:
 * logged, worth retrying), -1 when the server refuses it (a login, a host
 * not let in, TLS: logged as what a person must fix). */
int run_reload_source(stream_run *r);

/* run_connect_meta: the introspection connection again, when it is gone;
 * 1, 0 or -1 as run_reload_source */
int run_connect_meta(stream_run *r);

/* run_settings: the stream's own settings (STREAM_ON_UNCARRYABLE into
 * r->recopy, STREAM_COPY_WORKERS checked); false (logged) when one is bad */
bool run_settings(stream_run *r);

/* run_free: everything the run owns */
void run_free(stream_run *r);

#endif
