/*
 * MariaDB connections for both binaries.
 *
 * maria_connect opens a session with the settings every reader relies on:
 * utf8mb4 on the wire, time_zone '+00:00' (TIMESTAMP values are read in UTC
 * whatever the server's or client's zone), generous net timeouts for long
 * streaming reads, and TLS as configured (certificate verified unless
 * explicitly skipped). Errors name the database, host and user, never the
 * password.
 */
#ifndef COMMON_MARIA_H
#define COMMON_MARIA_H

#include <stdbool.h>
#include <stddef.h>
#include <mysql.h>

#include "common/config.h"
#include "common/binlogpos.h"
#include "common/xalloc.h"

/* maria_connect: returns a connection the caller closes with mysql_close */
MYSQL *maria_connect(const config_source *src, char *errbuf, size_t errlen);
/* maria_connect_timed: the same with a read timeout in seconds (0: none), so
 * that a hung TCP connection fails instead of blocking forever */
MYSQL *maria_connect_timed(const config_source *src, unsigned read_timeout,
						   char *errbuf, size_t errlen);

/* maria_connect_try: maria_connect_timed that also says whether a failure
 * is the server being out of reach (*down: not running, not listening, the
 * network, too many connections; worth waiting for) rather than something
 * a person must fix (a refused login, a host not allowed, TLS settings) */
MYSQL *maria_connect_try(const config_source *src, unsigned read_timeout, bool *down,
						 char *errbuf, size_t errlen);

/* maria_is_unreachable: the error of a failed connect means the server
 * could not be reached or could not take the session right now */
bool maria_is_unreachable(unsigned int err);

/* maria_exec: runs a statement that returns no rows (or discards them) */
bool maria_exec(MYSQL *my, const char *sql, char *errbuf, size_t errlen);

/* maria_query_value: runs sql and returns the first column of the first row
 * as a heap string (NULL value -> *out = NULL, still true) */
bool maria_query_value(MYSQL *my, const char *sql, char **out, char *errbuf, size_t errlen);

/* maria_is_disconnect: the error means the connection is gone (retryable) */
bool maria_is_disconnect(unsigned int err);

/* maria_is_denied: the error is MariaDB refusing a statement for a missing
 * privilege (on a table, a column, a database, or a global one) */
bool maria_is_denied(unsigned int err);

/* maria_grantee: appends the account the session runs as, quoted for a
 * GRANT statement ('user'@'host', from CURRENT_USER()), to out; 'user' (the
 * configured name) when the server does not say */
void maria_grantee(MYSQL *my, const char *user, buf *out);

/*
 * maria_begin_snapshot: starts a REPEATABLE READ transaction WITH CONSISTENT
 * SNAPSHOT and fills pos with the binlog position that snapshot corresponds
 * to (binlog_snapshot_file/position, read inside the transaction) and its
 * GTID (BINLOG_GTID_POS of that position). Fails if binary logging is off.
 */
bool maria_begin_snapshot(MYSQL *my, binlogpos *pos, char *errbuf, size_t errlen);

/* One binary log file of the server (SHOW BINARY LOGS) */
typedef struct maria_binlog {
	char        file[256];
	unsigned long long size;    /* bytes */
} maria_binlog;

/* maria_binlogs: the server's binary logs, oldest first, the active one
 * last (a heap array the caller frees); false with errbuf (BINLOG MONITOR
 * is needed) */
bool maria_binlogs(MYSQL *my, maria_binlog **out, size_t *n, char *errbuf, size_t errlen);

/* maria_binlog_lag: the bytes from file:pos to the end of the last binary
 * log in logs; false when file is not among them (purged) */
bool maria_binlog_lag(const maria_binlog *logs, size_t n, const char *file, unsigned long long pos,
					  unsigned long long *lag);

/* maria_escape_literal: appends 'value' (escaped for this connection) to out */
void maria_escape_literal(MYSQL *my, buf *out, const char *value, size_t len);

#endif
