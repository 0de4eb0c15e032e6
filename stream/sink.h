/*
 * Where the stream's changes go: the sink interface.
 *
 * The pipeline reads and decodes the binary log, groups source
 * transactions into batches and hands every change to one sink, chosen
 * once when the program starts: the PostgreSQL sink (sink_pg_open, over
 * apply.h) or the Kafka publisher (sink_kafka_open, over kafka.h). The
 * pipeline never asks which one it has.
 *
 * Every call reports its own outcome, so no caller guesses from a
 * connection's state which side failed:
 *   SINK_DONE     done;
 *   SINK_RETRY    a connection failed (logged): the batch is rolled back and
 *                 the stream goes on from its checkpoint after a backoff;
 *   SINK_FATAL    something a person must fix (logged); the daemon exits 1;
 *   SINK_REFUSED  this value or change was refused (logged, or described in
 *                 why): nothing of it was applied and the batch can go on.
 *
 * A batch ends with commit at a source position: the PostgreSQL sink
 * writes the rows and the checkpoint in one transaction; the Kafka sink
 * marks the position and records it once Kafka has acknowledged every
 * event up to it (settle). Either way the sink calls on_durable for every
 * position that became durable, and only then.
 */
#ifndef STREAM_SINK_H
#define STREAM_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/plan.h"
#include "stream/tables.h"

typedef enum sink_result { SINK_DONE, SINK_RETRY, SINK_FATAL, SINK_REFUSED } sink_result;

/* The source coordinates of one row change (the Kafka events' "source") */
typedef struct sink_origin {
	const char *db;             /* MariaDB schema */
	const binlogpos *at;        /* the rows event's position */
	const char *gtid;           /* GTID position, may be "" */
	uint32_t    server_id;
	uint32_t    ts;             /* the event's timestamp, seconds */
	unsigned    row;            /* index of the row in its rows event */
} sink_origin;

/* What the sink tells its owner, from inside its calls */
typedef struct sink_events {
	void      (*on_durable)(void *ctx, const binlogpos *pos, uint32_t ts);
	void       *ctx;
	bool        tables_changed; /* set by a commit that found a table migrate
								 * is copying again; the owner reloads and clears it */
} sink_events;

typedef struct sink sink;

typedef struct sink_ops {
	/* table_open / table_close: prepare t for this sink (its staging, its
	 * statements) and release that again; t->pt is loaded */
	void        (*table_open)(sink *sk, stream_table *t);
	void        (*table_close)(sink *sk, stream_table *t);
	/* row: one row change of a source transaction, in the current batch */
	sink_result (*row)(sink *sk, stream_table *t, binlog_rows_kind kind, const binlog_row *row,
					   const sink_origin *o);
	/* truncate: a TRUNCATE of t after the changes so far */
	sink_result (*truncate)(sink *sk, stream_table *t);
	/* schema_change: the statements ddl (PostgreSQL's side of a MariaDB
	 * ALTER, may be "") and np, t's new description (taken over on
	 * SINK_DONE, left to the caller otherwise); SINK_REFUSED with why
	 * when the sink cannot take it (the table then stops) */
	sink_result (*schema_change)(sink *sk, stream_table *t, const char *ddl, plan_table *np,
								 char *why, size_t whylen);
	/* rename_table: t was renamed in MariaDB to another streamed name; np
	 * is t's description under that name (taken over on SINK_DONE);
	 * SINK_REFUSED with why when the sink does not follow renames (the
	 * table then stops, and the new name is copied) */
	sink_result (*rename_table)(sink *sk, stream_table *t, plan_table *np, char *why, size_t whylen);
	/* table_dropped: t was dropped in MariaDB by statement sql (it is no
	 * longer streamed; the PostgreSQL sink keeps its table, state dropped) */
	sink_result (*table_dropped)(sink *sk, stream_table *t, const char *sql);
	/* table_stopped: t is no longer streamed, for the reason why */
	void        (*table_stopped)(sink *sk, stream_table *t, const char *why);
	/* commit: the batch, up to source position pos (GTID position in
	 * pos->gtid), committed on the source at ts by server source_sid */
	sink_result (*commit)(sink *sk, table_set *ts, const binlogpos *pos, uint32_t source_sid, uint32_t tstamp);
	/* settle: durable progress made in the background (Kafka's
	 * acknowledgements), waiting up to wait_ms for it */
	sink_result (*settle)(sink *sk, int wait_ms);
	/* durable: the last durable position, when the sink keeps one apart
	 * from the tables' watermarks (the publisher); false otherwise */
	bool        (*durable)(const sink *sk, binlogpos *pos);
	/* pending: changes in the current batch */
	long long   (*pending)(const sink *sk);
	/* rollback: forgets the batch (after a failure, or to stop) */
	void        (*rollback)(sink *sk, table_set *ts);
	/* reset: after a retry: a new session or producer */
	sink_result (*reset)(sink *sk, table_set *ts);
	void        (*close)(sink *sk);
} sink_ops;

/* The base every sink starts with */
struct sink {
	const sink_ops *ops;
	sink_events *ev;            /* the owner's; outlives the sink */
};

#endif
