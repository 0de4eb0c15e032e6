/*
 * The Kafka sink (--to kafka): the sink interface (sink.h) over kafka.h's
 * producer, publishing every change as a Debezium event.
 *
 * A commit marks the batch's position; the position becomes durable when
 * Kafka has acknowledged every event up to it (settle, called with each
 * commit and while the source is idle), and only then is it recorded: in
 * the control schema's publish_checkpoint with PostgreSQL, or in the local
 * checkpoint file without (KAFKA_CHECKPOINT_FILE). That durable position
 * is where publishing resumes after a restart (events after it are
 * published again: at least once, as from Debezium).
 *
 * A failed delivery or a checkpoint that cannot be written is SINK_RETRY
 * (logged with the topic or the file): the run backs off, and reset opens a
 * fresh producer that publishes again from the durable position.
 */
#ifndef STREAM_SINK_KAFKA_H
#define STREAM_SINK_KAFKA_H

#include <signal.h>

#include "common/config.h"
#include "common/control.h"
#include "stream/apply.h"
#include "stream/kafka.h"
#include "stream/sink.h"

/* sink_kafka_open: a producer for database dbname with ks (kept by
 * pointer: the run's), and the published position read from *session's
 * publish_checkpoint (session non-NULL) or the checkpoint file (session
 * NULL; its lock is taken, for the process's lifetime). NULL when either
 * fails (logged). */
sink *sink_kafka_open(const kafka_settings *ks, const char *dbname, apply **session, const control *ctl,
					  uint32_t replica_sid, sink_events *ev);

/* sink_kafka_described: the description of table recorded with the
 * durable position (the publisher's schema history), or NULL when none is:
 * the table is then described as MariaDB has it now, and
 * sink_kafka_describe records that, with the next durable position (also
 * after a table joined from a snapshot of its own) */
const char *sink_kafka_described(const sink *sk, const char *table);
void sink_kafka_describe(sink *sk, const char *table, const char *described);

/* sink_kafka_snapshot: --snapshot: every row of the active tables as an
 * op "r" event, read in one consistent snapshot of src, then the durable
 * position at the snapshot's binlog position, where each table's
 * watermark is set. False (logged, nothing recorded) when it could not be
 * read or Kafka did not acknowledge all of it; *stop ends the wait early. */
bool sink_kafka_snapshot(sink *sk, const config_source *src, table_set *ts, volatile sig_atomic_t *stop);

/* sink_kafka_snapshot_table: a table that joined a running publisher:
 * every row of t as an op "r" event from one consistent snapshot, whose
 * position is set in *at (the table's changes are published from there), and
 * all of them acknowledged by Kafka. The durable position does not move
 * for it. False (logged) when it could not be read or was not
 * acknowledged; *stop ends the wait early. */
bool sink_kafka_snapshot_table(sink *sk, const config_source *src, stream_table *t, binlogpos *at,
							   volatile sig_atomic_t *stop);

#endif
