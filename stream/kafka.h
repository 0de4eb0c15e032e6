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
#include "stream/dbz_encode.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct kafka_sink kafka_sink;

/* kafka_settings: the KAFKA_* variables (see env.example) */
typedef struct kafka_settings {
	char       *bootstrap;      /* KAFKA_BOOTSTRAP_SERVERS */
	char       *prefix;         /* KAFKA_TOPIC_PREFIX, default the database name */
	bool        flatten;        /* KAFKA_FORMAT=flattened */
	bool        schemas;        /* KAFKA_SCHEMAS=true: JsonConverter schema/payload */
	bool        schema_changes; /* KAFKA_SCHEMA_CHANGES=on (default): schema change
								 * events on the topic named the prefix */
	char       *sasl_user;      /* KAFKA_SASL_USERNAME */
	char       *sasl_pass;      /* KAFKA_SASL_PASSWORD: secret, never logged */
	char       *sasl_mechanism; /* KAFKA_SASL_MECHANISM, default PLAIN */
	char       *security;       /* security.protocol to set (KAFKA_SECURITY_PROTOCOL,
								 * or derived from KAFKA_TLS and SASL), NULL: default */
	config_tls_mode tls;        /* KAFKA_TLS, or VERIFY when the protocol says SSL */
	char       *ca;             /* KAFKA_TLS_CA (older name KAFKA_SSL_CA_LOCATION) */
	char       *tls_cert;       /* KAFKA_TLS_CERT: ssl.certificate.location */
	char       *tls_key;        /* KAFKA_TLS_KEY: ssl.key.location */
	char       *properties;     /* KAFKA_PROPERTIES: "name=value;name=value" */
	char       *group;          /* KAFKA_GROUP_ID (--from kafka), default stream-NAME */
	bool        dead_letter_fatal;  /* KAFKA_DEAD_LETTER=fatal */
	char       *checkpoint_file;    /* KAFKA_CHECKPOINT_FILE, default
									 * stream-NAME.PREFIX.checkpoint.json */
} kafka_settings;

/* kafka_settings_load: fills ks from cfg; false with errbuf for a missing
 * or bad setting */
bool kafka_settings_load(const config *cfg, kafka_settings *ks, char *errbuf, size_t errlen);
void kafka_settings_free(kafka_settings *ks);

/*
 * The publisher's checkpoint when no PostgreSQL is configured: a JSON file
 * (source_db, topic_prefix, binlog_file, binlog_pos, gtid, server_id,
 * source_ts) replaced atomically: written beside it as FILE.tmp, fsynced,
 * renamed over it, the directory fsynced. FILE.lock, held with flock while
 * the publisher runs, keeps a second publisher of the same file out.
 */

/* kafka_checkpoint_lock: the lock's descriptor (kept open until exit), or
 * -1 with errbuf when another process holds it or it cannot be made */
int kafka_checkpoint_lock(const kafka_settings *ks, char *errbuf, size_t errlen);

/* kafka_checkpoint_read: 1 with *pos, 0 when the file does not exist, -1
 * with errbuf when it cannot be read or belongs to another database or
 * topic prefix. schemas (may be NULL): the tables' descriptions at pos, a
 * JSON object as text (heap), NULL when the file has none. */
int kafka_checkpoint_read(const kafka_settings *ks, const char *source_db, binlogpos *pos, char **schemas,
						  char *errbuf, size_t errlen);

/* kafka_checkpoint_write: replaces the file with pos and the tables'
 * descriptions there (schemas: a JSON object as text, NULL for none);
 * false with errbuf */
bool kafka_checkpoint_write(const kafka_settings *ks, const char *source_db, const binlogpos *pos,
							uint32_t server_id, uint32_t ts, const char *schemas, char *errbuf, size_t errlen);

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

/* kafka_snapshot_row: publishes one row read in a snapshot as an op "r"
 * event (source.snapshot "true") */
bool kafka_snapshot_row(kafka_sink *k, const plan_table *pt, const char *db, const binlog_value *img,
						const kafka_source *src);

/* kafka_schema_change: publishes a schema change event of kind (ALTER: pt
 * is the description after the change; DROP: only its name is used) of
 * table pt by statement ddl to the schema change topic,
 * named exactly the topic prefix, keyed by database db, in the open mark
 * like any event (so the position after it becomes durable only once Kafka
 * has it); false on a producer failure or an event that cannot be built
 * (logged) */
bool kafka_schema_change(kafka_sink *k, const plan_table *pt, dbz_ddl_kind kind, const char *db, const char *ddl,
						 const kafka_source *src);

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

/*
 * The Kafka source (--from kafka): a consumer of the tables' Debezium topics.
 * Partitions are assigned by the daemon itself (one daemon per database, no
 * group rebalancing), starting at the offsets the control schema recorded
 * with the rows they produced; the group's committed offsets are written
 * after each PostgreSQL commit for monitoring only.
 */
typedef struct kafka_consumer kafka_consumer;

/* One message; valid until kafka_msg_done */
typedef struct kafka_msg {
	const char *topic;
	int32_t     partition;
	int64_t     offset;
	const char *key;            /* NULL for a null key */
	size_t      keylen;
	const char *value;          /* NULL for a tombstone */
	size_t      len;
	void       *handle;
} kafka_msg;

/* A partition's next offset to read */
typedef struct kafka_offset {
	char        topic[512];
	int32_t     partition;
	int64_t     next;
} kafka_offset;

/* kafka_consumer_open: a consumer (read_committed, no automatic commits);
 * NULL when it cannot be configured (logged) */
kafka_consumer *kafka_consumer_open(const kafka_settings *ks, const char *source_db);
void kafka_consumer_close(kafka_consumer *kc);

/* kafka_consumer_assign: reads every partition of the topics, from the
 * stored offset where there is one, else from the beginning; a topic that
 * does not exist yet is waited for (created by the first producer) up to
 * wait_ms, then skipped with a warning. False on a metadata error (logged). */
bool kafka_consumer_assign(kafka_consumer *kc, const char **topics, size_t ntopics,
						   const kafka_offset *stored, size_t nstored, int wait_ms);

/* kafka_consumer_next: 1 with a message in *m, 0 when none came within
 * timeout_ms, -1 on a consumer error (logged; transient ones are retried
 * by librdkafka and only logged as warnings, returning 0) */
int kafka_consumer_next(kafka_consumer *kc, int timeout_ms, kafka_msg *m);
void kafka_msg_done(kafka_msg *m);

/* kafka_consumer_commit: tells the group where the daemon is (after the
 * PostgreSQL commit; asynchronous, for monitoring) */
void kafka_consumer_commit(kafka_consumer *kc, const kafka_offset *offs, size_t n);

#endif
