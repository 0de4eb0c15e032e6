/*
 * The relay log: binlog events kept on local disk between the thread that
 * reads them from the source and the pipeline that applies them, so that
 * reading goes on while the sink is away and the source may purge what
 * has been fetched.
 *
 * The relay works like this. It is a directory of numbered segment files
 * (relay_seg.h gives their format). One writer (source.c's reader thread)
 * appends records to a frame and flushes it as one write when it is 1 MiB
 * or 20 ms old, or the source is idle; a segment that has grown past its
 * size (an eighth of the space limit, at most 64 MiB) is synced and the
 * next frame starts a new one. One cursor (the pipeline's source) reads
 * frames back as they are flushed, up to what the writer has published
 * under the relay's mutex, and waits on its condition variable at the end.
 *
 * The checkpoint in PostgreSQL stays the only authority: relay_set_durable
 * hears of each durable checkpoint and deletes the segments that end at or
 * before it (never the one the writer appends to; the cursor has read them
 * whole). When the relay's files would exceed the space limit, relay_flush
 * says so and the writer waits in relay_wait_space until deletions make
 * room: nothing is dropped. One exception keeps that from waiting forever:
 * a source transaction larger than the room left, which the sink can only
 * commit whole, is written past the limit once the cursor has read
 * everything else (relay.c, fits_locked).
 *
 * relay_open scans what an earlier process left: a torn frame at the tail
 * (a process killed mid-write) is cut off; a segment missing from the run,
 * or one of another server, ends what is kept. Corruption found while
 * reading (a bad frame, a short file, a missing segment) is logged with
 * the segment and offset, and the caller truncates the relay there with
 * relay_truncate and fetches again from the cursor's position.
 *
 * Everything here is thread-safe across one writer, one cursor and the
 * durable notices; the writer's own state is touched by the writer only.
 */
#ifndef STREAM_RELAY_H
#define STREAM_RELAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/binlogpos.h"
#include "stream/relay_seg.h"

typedef struct relay relay;

/* What the relay holds, for --status and the metrics. */
typedef struct relay_stats {
	uint64_t    bytes;          /* on disk, compressed */
	uint64_t    raw;            /* the events' own bytes */
	uint64_t    max_bytes;      /* the space limit */
	size_t      nsegs;
	binlogpos   oldest;         /* first event held ("" when empty) */
	binlogpos   newest;         /* where reading resumes after the last */
	uint32_t    oldest_ts;      /* their source timestamps */
	uint32_t    newest_ts;
	uint32_t    server_id;      /* the source server, 0 = empty */
	bool        paused;         /* the writer waits for space */
	uint64_t    written;        /* written by this process, compressed */
	uint64_t    written_raw;    /* ... and the events' own bytes */
	uint64_t    written_events;
} relay_stats;

/* relay_open: the relay of database dbname under dir (created), holding at
 * most max_bytes; scans and repairs what is there (logged). NULL with the
 * error logged when the directory cannot be used. */
relay *relay_open(const char *dir, const char *dbname, uint64_t max_bytes);
void relay_close(relay *rl);

/* relay_stats_get: a consistent snapshot */
void relay_stats_get(relay *rl, relay_stats *st);

/* relay_scan_dir: the stats of the relay in dir for database dbname as a
 * separate process sees it (--status): segment headers only, nothing
 * repaired; false when there is no relay there */
bool relay_scan_dir(const char *dir, const char *dbname, relay_stats *st);

/* relay_reset: deletes every segment; the relay then starts at from, with
 * records of server server_id. The writer must be stopped. */
void relay_reset(relay *rl, const binlogpos *from, uint32_t server_id);

/* relay_end: where the writer resumes (after the last record), and the
 * server the records are from; false when the relay has no position */
bool relay_end(relay *rl, binlogpos *end, uint32_t *server_id);

/* relay_append: rec (with its end position and source timestamp) into the
 * frame being filled; the writer flushes with relay_flush when
 * relay_flush_due says so */
void relay_append(relay *rl, const relay_rec *rec, const binlogpos *end, uint32_t ts);
bool relay_flush_due(relay *rl);

typedef enum relay_flush_result {
	RELAY_FLUSHED,              /* written and published (or nothing to write) */
	RELAY_FULL,                 /* the space limit: nothing written, wait for space */
	RELAY_FAILED                /* a write failed (logged): nothing written, retry later */
} relay_flush_result;

/* relay_flush: the frame as one write to the newest segment */
relay_flush_result relay_flush(relay *rl);

/* relay_wait_space: waits until a flush of the pending frame fits, or
 * *stop, or timeout seconds; true when it fits */
bool relay_wait_space(relay *rl, volatile sig_atomic_t *stop, double timeout);

/* relay_set_paused: what --status and the metrics report */
void relay_set_paused(relay *rl, bool paused);

/* relay_set_durable: a checkpoint the sink made durable (source timestamp
 * ts): segments wholly before it are deleted */
void relay_set_durable(relay *rl, const binlogpos *pos, uint32_t ts);

/* relay_durable: the last durable checkpoint heard of and its timestamp;
 * false when none */
bool relay_durable(relay *rl, binlogpos *pos, uint32_t *ts);

/* The cursor: one at a time. */
typedef struct relay_cursor relay_cursor;

/* relay_cursor_open: a cursor at start when the relay holds it (records of
 * server_id, a record starting exactly there, or start is the relay's
 * end); NULL otherwise (a debug line says why) */
relay_cursor *relay_cursor_open(relay *rl, const binlogpos *start, uint32_t server_id);
void relay_cursor_close(relay_cursor *c);

typedef enum relay_next_result {
	RELAY_REC,                  /* *rec is the next record */
	RELAY_IDLE,                 /* nothing new within the timeout */
	RELAY_BROKEN                /* corrupt, truncated or missing data (logged) */
} relay_next_result;

/* relay_cursor_next: the next record, waiting up to timeout seconds for
 * one; rec is valid until the next call */
relay_next_result relay_cursor_next(relay_cursor *c, relay_rec *rec, double timeout);

/* relay_cursor_pos: where the cursor resumes (after the last record given) */
void relay_cursor_pos(const relay_cursor *c, binlogpos *pos);

/* relay_truncate: after RELAY_BROKEN: everything from the broken place on
 * is deleted, the relay ends at the cursor's position and the cursor
 * waits there for new records. The writer must be stopped. */
void relay_truncate(relay *rl, relay_cursor *c);

/* relay_wake: wakes a cursor waiting for records (the writer stopped) */
void relay_wake(relay *rl);

#endif
