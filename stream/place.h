/*
 * Placing a consumed change event against a table's watermark (--from
 * kafka): is the change already in migrate's copy (before the watermark),
 * or does it come after it? Events may come from any server of the
 * replication topology (a Debezium connector usually reads a replica), so
 * a binlog file and offset mean something only on the server they were
 * read from.
 *
 * Contract: pure functions, no I/O, no logging; why gets how a placement
 * was decided or why it could not be.
 */
#ifndef STREAM_PLACE_H
#define STREAM_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/binlogpos.h"

typedef enum place_result {
	PLACE_AFTER,                /* apply it */
	PLACE_BEFORE,               /* already in the copy: skip it */
	PLACE_UNKNOWN               /* cannot tell (why says so) */
} place_result;

/* An event's source position, as its envelope gives it. */
typedef struct place_source {
	const char *gtid;           /* source.gtid: a MariaDB GTID or GTID list ("" or NULL: none) */
	uint32_t    server_id;      /* source.server_id, 0 if none */
	const char *file;           /* source.file ("" or NULL: none) */
	uint64_t    pos;
	bool        has_pos;
} place_source;

/*
 * place_event: where ev is against the watermark wm (taken on MariaDB
 * server wm_sid, 0 when unknown):
 * - by GTID when both have one: before when every domain of the event's
 *   GTID (list) is in the watermark's position with a sequence number at
 *   least the event's; after when a domain is new to it or ahead;
 * - else by file and offset, only when the event's server is wm_sid and
 *   its file has the watermark file's base name (the same server's log);
 * - else unknown. A watermark without a position places everything after.
 */
place_result place_event(const place_source *ev, const binlogpos *wm, uint32_t wm_sid, char *why, size_t whylen);

#endif
