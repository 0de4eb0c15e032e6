/*
 * The Kafka sink of stream (--to kafka): row changes published as Debezium
 * events, one topic per table, and the position up to which Kafka has
 * acknowledged every event.
 *
 * The main loop publishes rows as it decodes them and closes a batch with
 * kafka_mark(pos) at a transaction boundary; the position becomes durable
 * (kafka_durable) once the delivery reports of every event up to that mark
 * have come back without error, in order of marks. Only a durable position
 * may be written as the checkpoint. After a restart the events between the
 * durable position and the crash are published again: Kafka gets every
 * change at least once, as from Debezium.
 */
#ifndef STREAM_KAFKA_H
#define STREAM_KAFKA_H

#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/config.h"
#include "common/plan.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct kafka_sink kafka_sink;

/* kafka_settings: the KAFKA_* variables (see env.example) */
typedef struct kafka_settings {
	char       *bootstrap;      /* KAFKA_BOOTSTRAP_SERVERS */
	char       *prefix;         /* KAFKA_TOPIC_PREFIX, default the database name */
	bool        flatten;        /* KAFKA_FORMAT=flattened */
	bool        schemas;        /* KAFKA_SCHEMAS=true: JsonConverter schema/payload */
	char       *sasl_user;      /* KAFKA_SASL_USERNAME */
	char       *sasl_pass;      /* KAFKA_SASL_PASSWORD: secret, never logged */
	char       *sasl_mechanism; /* KAFKA_SASL_MECHANISM, default PLAIN */
	char       *security;       /* KAFKA_SECURITY_PROTOCOL */
	char       *ca;             /* KAFKA_SSL_CA_LOCATION */
	char       *properties;     /* KAFKA_PROPERTIES: "name=value;name=value" */
} kafka_settings;

/* kafka_settings_load: fills ks from cfg; false with errbuf for a missing
 * or bad setting */
bool kafka_settings_load(const config *cfg, kafka_settings *ks, char *errbuf, size_t errlen);
void kafka_settings_free(kafka_settings *ks);

/* kafka_open: a producer (idempotent, zstd, keys hashed as Java clients
 * do); NULL when it cannot be configured (logged). ks is copied. */
kafka_sink *kafka_open(const kafka_settings *ks, const char *source_db);
void kafka_close(kafka_sink *k);

/* The source coordinates of one row, for the event's "source" block */
typedef struct kafka_source {
	const char *file;
	uint64_t    pos;
	const char *gtid;           /* may be "" */
	uint32_t    server_id;
	uint32_t    ts;             /* the event's timestamp, seconds */
	unsigned    row;            /* index of the row in its rows event */
} kafka_source;

/* kafka_row: publishes one row change of pt (and a tombstone after a
 * delete, in envelope form); false on a value that cannot be represented
 * or a producer failure (logged) */
bool kafka_row(kafka_sink *k, const plan_table *pt, const char *db, binlog_rows_kind kind,
			   const binlog_row *row, const kafka_source *src);

/* kafka_pending: events published since the last mark */
long long kafka_pending(const kafka_sink *k);

/* kafka_mark: everything published so far is covered by pos (a
 * transaction boundary); false when the producer failed (logged) */
bool kafka_mark(kafka_sink *k, const binlogpos *pos, uint32_t server_id, uint32_t ts);

/* kafka_durable: serves delivery reports (waiting up to wait_ms for the
 * oldest mark) and sets *pos to the latest mark whose events and all before
 * it are acknowledged; true and *advanced when it moved. False when a
 * delivery failed for good (logged): nothing after the durable position may
 * be trusted, the caller restarts from it. */
bool kafka_durable(kafka_sink *k, int wait_ms, binlogpos *pos, uint32_t *server_id, uint32_t *ts,
				   bool *advanced);

/* kafka_drain: waits up to wait_ms for every published event to be
 * acknowledged (at shutdown); false when some were not */
bool kafka_drain(kafka_sink *k, int wait_ms);

#endif
