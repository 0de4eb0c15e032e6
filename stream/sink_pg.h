/*
 * The PostgreSQL sink: the sink interface (sink.h) over apply.h's batches.
 *
 * It maps each apply call's failure to an outcome in one place
 * (sink_pg_outcome): a lost connection, or a transaction PostgreSQL rolled
 * back on its own, is SINK_RETRY; a value the type map or PostgreSQL
 * refused is SINK_REFUSED (the binlog pipeline stops on it, the Kafka
 * consumer sets the message aside); anything else is SINK_FATAL.
 *
 * The PostgreSQL session is the run's (*a): main opens it again after an
 * outage, and the sink always uses the current one.
 */
#ifndef STREAM_SINK_PG_H
#define STREAM_SINK_PG_H

#include "stream/apply.h"
#include "stream/sink.h"

/* sink_pg_open: a sink over the session *a; replica_sid is the stream's
 * own server id, recorded with each checkpoint */
sink *sink_pg_open(apply **a, uint32_t replica_sid, sink_events *ev);

/* sink_pg_commit_with: commit with extra control-schema SQL in the same
 * transaction (apply_commit_with; pos may be NULL: --from kafka, whose
 * checkpoint is its offsets). SINK_REFUSED (why set, valid until the next
 * batch) when PostgreSQL refused a staged value. */
sink_result sink_pg_commit_with(sink *sk, table_set *ts, const binlogpos *pos, const char *extra_sql,
								int nextra, const char **extra_params, const char **why);

/* sink_pg_control: one control-schema statement in the current batch */
sink_result sink_pg_control(sink *sk, const char *sql, int nparams, const char **params);

/* sink_pg_outcome: what a failed call means: disconnected (the session is
 * gone), sqlstate (the failure's SQLSTATE, "" unknown), row (the call was a
 * row's staging) and value_refused (the type map refused one of its
 * values). SQLSTATE classes 08, 40, 53 and 57 (connection, a deadlock or
 * serialization failure, resources, a shutdown) are retried; 22 and 23 (a
 * value, a constraint) are a refusal of the batch's data. */
sink_result sink_pg_outcome(bool disconnected, const char *sqlstate, bool row, bool value_refused);

#endif
