/*
 * The binlog pipeline: read -> decode -> batch -> sink -> checkpoint.
 *
 * pipeline_run connects to the source (source.h), checks that it is the
 * server of the checkpoint (failover.h), and reads from the lowest
 * watermark. Each event is decoded with the table set's descriptions
 * (tables.h); rows of a streamed table go to the sink when their
 * transaction starts at or after the table's watermark. Source
 * transactions are collected into batches that commit with the checkpoint
 * when the batch is big or old enough, when the source goes idle (its
 * heartbeat), before DDL, and at --stop-at. Statements in the binary log
 * are classified (ddl.h): TRUNCATE goes to the sink, an ALTER TABLE of a
 * streamed table becomes a pending schema change that is carried
 * (schema.h) at the table's next table map or when the source is idle,
 * DROP and RENAME stop the table, statement-format DML on a streamed table
 * is fatal. Stop and reload requests are acted on between transactions.
 */
#ifndef STREAM_PIPELINE_H
#define STREAM_PIPELINE_H

#include "stream/run.h"

/* pipeline_run: streams from start until stopped, a reload or switch that
 * needs a new start, or an error */
loop_end pipeline_run(stream_run *r, const binlogpos *start);

#endif
