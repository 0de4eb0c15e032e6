/*
 * The online copy: a table added to the allowlist of a running stream (a
 * line in tables.d/NAME, then SIGHUP) is copied by the daemon itself, on a
 * thread of its own, while the other tables stream on. It is migrate's copy
 * (copy.h): the same chunked parallel copy, conversion, deferred indexes,
 * ledger and exact watermark. When the copy marks the table ready, its
 * notice makes the stream reload its tables, and the table streams from its
 * watermark (the stream reads again from there when it is already past it).
 *
 * The table set (tables.c) asks for the copies: a table with no row in the
 * control schema, one that left the allowlist earlier (state removed: its
 * PostgreSQL rows are stale), one whose copy did not finish (copying,
 * indexing, pending, failed: continued from its ledger, as migrate
 * --resume does), and one the source did not have (missing).
 *
 * Contract:
 * - online_want may be called from the stream's thread at any time; the
 *   copier takes the queued tables as one copy run. A table already queued
 *   or being copied is not queued twice; one whose copy failed is tried
 *   again after a backoff (1 minute doubling up to 15), by the copier itself.
 * - The copier reads the settings (the .env file, the environment, the
 *   allowlist) again for each run, so it shares no memory with the stream's
 *   configuration, and a table no longer allowlisted is not copied.
 * - A table MariaDB does not have is recorded as missing (control schema,
 *   the stream_tables_missing metric, a warning); nothing else stops. A
 *   table another process copies (migrate holds its lock) is left to it;
 *   a lock still held by a killed stream's copy session is waited out.
 * - Progress (rows, estimate, seconds, phase) goes to the metrics and, every
 *   few seconds, to the table's control row, where --status reads it.
 * - A stop (online_free, or SIGTERM through the run) ends the copy after
 *   its workers' current step; the ledger lets the next start continue it.
 *   A table is never marked ready before all of it is copied (copy.h).
 */
#ifndef STREAM_ONLINE_H
#define STREAM_ONLINE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct online online;

/* online_new: a copier for database dbname whose settings are read from
 * env_file (explicit: given with --env) and the environment; its thread
 * starts at once and waits for tables */
online *online_new(const char *env_file, bool explicit_env, const char *dbname);

/* online_free: stops the copier (see the contract) and joins it; NULL is a
 * no-op */
void online_free(online *o);

/* What online_want is asked for. */
enum {
	ONLINE_FRESH = 1u << 0,     /* a new copy from scratch, also of a ready table (a
								 * schema change the stream could not carry) */
	ONLINE_DROPPED = 1u << 1    /* the table was dropped in MariaDB: copied only if it
								 * exists again, else left in state dropped */
};

/* online_want: queue table for an online copy (flags: ONLINE_*); why (may
 * be NULL) is logged when it is queued. False when the table was known
 * already (queued, copying, or waiting to be tried again). */
bool online_want(online *o, const char *table, const char *why, unsigned flags);

/* online_busy: whether table is queued or being copied */
bool online_busy(online *o, const char *table);

#endif
