/*
 * Schema changes of the source schema, carried to the sink: the stream's
 * schema history.
 *
 * Each streamed table has a description (plan.c's JSON) that is exact at
 * the stream's checkpoint: it starts as the one migrate or the online copy
 * recorded, and from then on advances only by interpreting the DDL
 * statements of the binary log (ddl_apply.h), never by asking the server,
 * which only knows the table's latest shape. A carried change is the
 * PostgreSQL side of the statement (ddl_diff) plus the new description,
 * committed with the checkpoint past the statement (sink schema_change).
 * So any sequence of ALTERs, made while the daemon was stopped, is carried
 * in order.
 *
 * Tables of the source schema that are not streamed get a description too
 * (a shadow) when a statement creates one from its text, or when a
 * streamed table is renamed away. A RENAME swap that puts a shadow made
 * from a streamed table (CREATE TABLE ... LIKE it, or a name containing
 * its name: pt-online-schema-change's _t_new, gh-ost's _t_gho) under that
 * table's name is carried as the difference of the two descriptions: the
 * table streams on with no gap. Shadows are kept in the control schema with
 * the checkpoint (PostgreSQL sink; in memory for the publisher).
 *
 * What cannot be carried exactly (a statement the interpreter refuses, a
 * changed key, a type change with no exact cast, a computed default on a
 * new column, a swap with a table of unknown shape) stops the table: with
 * STREAM_ON_UNCARRYABLE=recopy (the default) the daemon copies it again
 * online while the others stream on; with stop it stays stopped until a
 * person copies it again. Either way the log, the control row and --status
 * say why. A streamed table renamed to another name stops; DROP TABLE
 * marks it dropped (PostgreSQL keeps the table); a listed name created,
 * or given to a table the stream cannot carry, is copied online.
 */
#ifndef STREAM_SCHEMA_H
#define STREAM_SCHEMA_H

#include <stdint.h>

#include "common/binlog.h"
#include "stream/ddl.h"
#include "stream/run.h"
#include "stream/sink.h"

/* schema_begin: at the start of a pass over the binary log: the server
 * defaults a statement may rely on (the database's default collation,
 * default_storage_engine, explicit_defaults_for_timestamp; read once), the
 * binlog_row_metadata advice, and the shadow descriptions recorded with the
 * checkpoint. False (logged) when they could not be read. */
bool schema_begin(stream_run *r);

/* schema_statement: a statement of the binary log (st, classified in
 * database qdb; sql_mode as the event carries it, known says whether it
 * does) after the batch before it was committed: ALTER TABLE, CREATE/DROP
 * INDEX, CREATE, DROP and RENAME TABLE of streamed tables and shadows.
 * SINK_DONE also when a table was stopped instead (logged); SINK_RETRY /
 * SINK_FATAL from the sink. */
sink_result schema_statement(stream_run *r, const ddl_stmt *st, const char *qdb, const char *sql,
							 uint64_t sql_mode, bool sql_mode_known);

/* schema_carry_pending: an ALTER recorded as pending by a version of the
 * stream that carried changes later (control row ddl_pending), carried now
 * through the interpreter */
sink_result schema_carry_pending(stream_run *r);

/* schema_stop_table: the stream stops applying t and records why; with
 * STREAM_ON_UNCARRYABLE=recopy the reload after the commit copies it again */
void schema_stop_table(stream_run *r, stream_table *t, const char *why);

/* schema_free: what schema_begin read */
void schema_free(stream_run *r);

#endif
