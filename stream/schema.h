/*
 * Schema changes of streamed tables, carried to the sink.
 *
 * An ALTER TABLE of a streamed table is noted as pending (t->ddl_pending,
 * recorded with the batch so a restart still carries it). It is carried
 * when the table's next table map arrives (the map shows the columns the
 * rows after it were written with) or when the source is idle: the table
 * is read again from information_schema, compared with the description
 * the stream has (ddl_diff), and the difference goes to the sink as a
 * schema-change event. What cannot be carried exactly stops the table with
 * the statement in its error; the others stream on.
 */
#ifndef STREAM_SCHEMA_H
#define STREAM_SCHEMA_H

#include "common/binlog.h"
#include "stream/run.h"
#include "stream/sink.h"

/* schema_carry: carries t's pending change; bt is the table map that
 * follows it (NULL when the source is idle). SINK_DONE also when the table
 * was stopped instead (logged); SINK_RETRY / SINK_FATAL from the sink. */
sink_result schema_carry(stream_run *r, stream_table *t, const binlog_table *bt);

/* schema_carry_pending: every active table's pending change (source idle) */
sink_result schema_carry_pending(stream_run *r);

/* schema_stop_table: the stream stops applying t and records why */
void schema_stop_table(stream_run *r, stream_table *t, const char *why);

#endif
