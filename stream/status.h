/*
 * stream --status: what the control schema says of one database, or of
 * every database with an allowlist file, printed for a person: the
 * checkpoint and the lag behind the source, what was published to or
 * consumed from Kafka, and each table's state, watermark and rows applied.
 * With --to kafka and no SINK_DB_URL, the checkpoint file's position.
 * Returns the exit status (0, 1 when something could not be read, 2 for
 * bad settings).
 */
#ifndef STREAM_STATUS_H
#define STREAM_STATUS_H

#include "stream/run.h"

/* status_print: one database; r holds its loaded settings */
int status_print(stream_run *r);

/* status_all: every database with an allowlist file in TABLES_DIR, one
 * after the other; the worst exit status of theirs */
int status_all(const stream_options *o);

#endif
