/*
 * The binlog source: a replica connection to MariaDB through libmariadb's
 * replication API, and the preflight checks that say clearly why streaming
 * cannot start.
 *
 * source_open checks the server (binlog on, ROW format, FULL row images,
 * privileges, the start file still on the server), then asks for the binlog
 * from a position with checksums and a heartbeat every 100 ms, so that an
 * idle stream still wakes up (signals, reloads) and a hung TCP connection is
 * noticed by the read timeout. source_next returns decoded events with the
 * position each one starts at.
 */
#ifndef STREAM_SOURCE_H
#define STREAM_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/config.h"

typedef struct source source;

/* source_open: returns a source the caller closes with source_close, or NULL
 * with the error logged (fatal: a setting or privilege to fix, *fatal true;
 * otherwise a connection problem worth retrying). hook/ctx go to the
 * decoder (binlog.h). */
source *source_open(const config_source *src, uint32_t server_id, const binlogpos *start,
					binlog_table_hook hook, void *ctx, bool *fatal);
void source_close(source *s);

/* source_next: the next event, and the file and offset it starts at (an
 * artificial event, e.g. the ROTATE the server sends first, has start->pos 0).
 * False with the error logged; *fatal says whether retrying can help. */
bool source_next(source *s, binlog_event *ev, binlogpos *start, bool *fatal);

/* source_default_server_id: a replica server id derived from the database
 * name, stable across restarts and different for different databases */
uint32_t source_default_server_id(const char *dbname);

#endif
