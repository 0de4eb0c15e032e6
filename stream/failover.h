/*
 * Following the source to another MariaDB server (a promoted replica).
 *
 * The checkpoint records the source server's id. When the configured
 * server is another one, binlog files and offsets of the old server mean
 * nothing there: the stream continues from the checkpoint's GTID position,
 * which that server must have logged (a replica with log_slave_updates
 * keeps the primary's GTIDs), with every streamed table at the checkpoint.
 * At the first place read from the new server (a transaction's start, or
 * where an idle server is) the checkpoint and every table's positions move
 * to that server's coordinates in one transaction (failover_commit), and
 * from then on it is read by file and offset like after any restart.
 *
 * --to kafka does not follow a failover (its checkpoint has no server).
 */
#ifndef STREAM_FAILOVER_H
#define STREAM_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "stream/run.h"
#include "stream/source.h"

/* failover_load_checkpoint: r->cp and r->cp_sid from the control schema;
 * the run's GTID position starts from the checkpoint's when it is empty.
 * False (logged) when it cannot be read. */
bool failover_load_checkpoint(stream_run *r);

/* failover_check: whether the server s reached is the checkpoint's: 0 yes
 * (or not known), 1 another one that has the checkpoint's GTID position
 * (*start is then the GTID position to read from), -1 another one the
 * stream cannot follow (logged, with the reason and what to do) */
int failover_check(stream_run *r, const source *s, binlogpos *start);

/* failover_commit: the checkpoint and every streamed table move to at (a
 * place on server sid, read from GTID position gtid) in one transaction */
sink_result failover_commit(stream_run *r, const binlogpos *at, const char *from_gtid, uint32_t sid);

#endif
