/*
 * --from kafka: applies the tables' Debezium topics (ours, or Debezium
 * connectors') into PostgreSQL instead of reading the binary log.
 *
 * Each message is decoded (dbz_decode) with the table's description and
 * applied through the PostgreSQL sink; the next offset of every partition
 * is written in the same transaction as the rows (the control schema's
 * kafka_offsets), so a restart resumes exactly there. An event before the
 * table's migrate watermark is already in the copy and is skipped. A
 * message that cannot be applied (undecodable, a value the type map or
 * PostgreSQL refuses, a topic of no allowlisted table) is set aside in
 * kafka_dead_letters with its reason (or is fatal with
 * KAFKA_DEAD_LETTER=fatal); when PostgreSQL refuses a value only at commit,
 * the batch is replayed one message per transaction to find it.
 *
 * Values without a schema are read as the connector's declared modes say
 * (KAFKA_*_MODE, dbz_modes). A message whose rows carry fields the table
 * lacks, with their JsonConverter schema, adds them as nullable columns
 * first (Debezium JDBC sink's schema.evolution=basic): the batch before it
 * commits, the table's description and target change as for a carried
 * ALTER TABLE and commit, then the message applies.
 */
#ifndef STREAM_CONSUME_H
#define STREAM_CONSUME_H

#include "stream/run.h"

/* consume_loop: applies messages until stopped, a reload, or an error */
loop_end consume_loop(stream_run *r);

#endif
