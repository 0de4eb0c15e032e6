/*
 * The binlog source: a replica connection to MariaDB through libmariadb's
 * replication API, and the preflight checks that say clearly why streaming
 * cannot start.
 *
 * source_open checks the server (binlog on, ROW format, FULL row images,
 * privileges, no other replica with our server id) and reads its identity; source_start asks for the binlog from
 * a position (checked to be still on the server) or a GTID position, with
 * checksums and a heartbeat every 100 ms, so that an
 * idle stream still wakes up (signals, reloads) and a hung TCP connection is
 * noticed by the read timeout. source_next returns decoded events with the
 * position each one starts at.
 */
#ifndef STREAM_SOURCE_H
#define STREAM_SOURCE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/config.h"

#include <jansson.h>

typedef struct source source;

/* source_open: connects and checks the server (binlog on, ROW, FULL
 * images, privileges, the stream's server id); returns a source the caller
 * closes with source_close, or NULL with the error logged (*fatal: a refused
 * login, a setting or privilege to fix, another replica with our server id;
 * otherwise a server out of reach or a lost connection, worth retrying, or
 * a stop requested while it waited).
 *
 * The server id check waits for an earlier stream of this database still
 * registered with it (one that runs, or one on another host) up to the
 * bound source_set_wait gave; this process's own earlier registration, and
 * one of a stream on this host that has ended, are replaced when it
 * registers. */
source *source_open(const config_source *src, uint32_t server_id, bool *fatal);

/* source_set_wait: how long source_open waits for an earlier stream's
 * registration (default 30 s), and the flag that ends the wait early (a
 * stop request); for the whole process */
void source_set_wait(double seconds, volatile sig_atomic_t *stop);

/* source_server_id / source_gtid_state: the server's @@server_id and
 * @@gtid_binlog_state (the last GTID it logged per domain and server), read
 * by source_open */
uint32_t source_server_id(const source *s);
const char *source_gtid_state(const source *s);

/* source_start: asks for the binary log from start: its file and offset,
 * or, when start->file is "", from the GTID position start->gtid (the
 * server finds the place in its own files; the first event is an artificial
 * ROTATE naming the file). False with the error logged (*fatal as above;
 * a purged start file is fatal). hook/ctx go to the decoder (binlog.h). */
bool source_start(source *s, const binlogpos *start, binlog_table_hook hook, void *ctx, bool *fatal);
void source_close(source *s);

/* source_next: the next event, and the file and offset it starts at (an
 * artificial event, e.g. the ROTATE the server sends first, has start->pos 0).
 * False with the error logged; *fatal says whether retrying can help. */
bool source_next(source *s, binlog_event *ev, binlogpos *start, bool *fatal);

/* source_set_relay: the relay's settings (STREAM_RELAY, STREAM_RELAY_DIR,
 * STREAM_RELAY_MAX_SIZE) for the whole process, and its subdirectory:
 * the database's name, or NAME.publish.PREFIX for the publisher (--to
 * kafka), which reads beside the stream; false (logged) when one is
 * bad. With the relay on, source_start reads through it (relay.h): a
 * reader thread, started at the first pass and kept across passes, fetches
 * into the relay, and source_next returns what the relay holds, with a
 * made-up heartbeat (every 100 ms) when there is nothing new. */
bool source_set_relay(const config *cfg, bool publisher);

/* source_durable: a checkpoint the sink made durable (source time ts): the
 * relay deletes what lies wholly before it */
void source_durable(const binlogpos *pos, uint32_t ts);

/* source_relay_prestart: at start, before the sink is reachable: the relay
 * opened, and its reader started from where an earlier run left it */
void source_relay_prestart(const config_source *src, uint32_t server_id);

/* source_relay_resume: when the relay holds *needed (a position the stream
 * must apply from), *needed becomes where the relay's reader resumes: the
 * first position the source must still have. False when it does not. */
bool source_relay_resume(binlogpos *needed);

/* source_relay_shutdown: stops the reader thread and closes the relay */
void source_relay_shutdown(void);

/* source_relay_status: --status lines about the relay (source_set_relay's) */
void source_relay_status(void);

/* source_relay_json: the same for --status --format json: {"on": false},
 * or on, dir, bytes, raw_bytes, segments, limit, oldest, newest ("FILE:POS"
 * or null when empty), paused; a new reference */
json_t *source_relay_json(void);

/* source_default_server_id: a replica server id derived from the database
 * name, stable across restarts and different for different databases */
uint32_t source_default_server_id(const char *dbname);

#endif
