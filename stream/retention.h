/*
 * The binlog retention watch: warns while the stream is down (the sink
 * unreachable) or lagging when the source may purge the binary log the
 * stream still needs before the stream has read it.
 *
 * MariaDB purges a binary log file at a rotation (or FLUSH BINARY LOGS, or
 * a restart) once the file's last write is older than
 * binlog_expire_logs_seconds (expire_logs_days before 10.6; 0 = never); the
 * file being written is never purged. A client cannot see that last write,
 * but it has a lower bound: the file holding the stream's resume position
 * was written at or after the source commit time of the last transaction
 * the stream applied (that transaction ends in it or in an earlier file),
 * and at or after the last time the stream saw it as the file being
 * written. The age of the needed file is taken from that bound, on the
 * source's clock (UNIX_TIMESTAMP(), so host clocks need not agree). The
 * estimate errs on the early side: the file is no older than estimated, so
 * the real time left is never shorter than the one reported. While the
 * stream keeps up, the needed file is the active one and nothing is at
 * risk.
 *
 * A warning is logged when that age has passed half the retention (then at
 * most once a minute while it lasts), an error when the file is gone
 * already, and a note when the risk has passed.
 */
#ifndef STREAM_RETENTION_H
#define STREAM_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mysql.h>

#include "common/binlogpos.h"

typedef struct retention {
	double      last_check;     /* monotonic seconds of the last check, 0 = none */
	double      last_warning;   /* monotonic seconds of the last warning */
	char        ts_file[256];   /* binlog file of the last durable commit with a source time */
	uint32_t    ts;             /* that commit's source time (Unix seconds), 0 = none yet */
	char        active_file[256];   /* the source's active binlog file when last seen */
	long long   active_seen;    /* when (source clock, Unix seconds) */
	bool        warned;         /* at risk at the last check */
	bool        gone_logged;    /* the purged file was reported */
	bool        never_logged;   /* "retention 0" was reported */
} retention;

/* retention_committed: the durable position moved into file with a
 * transaction committed on the source at ts (0: no transaction; ignored) */
void retention_committed(retention *rt, const char *file, uint32_t ts);

/* retention_due: whether a check is due: at most every 5 s while the stream
 * is failing (outage), every 60 s while it runs */
bool retention_due(const retention *rt, bool outage);

/* retention_check: asks the source (over my, a connection the caller owns)
 * for its retention and binary logs and logs a warning when the file of
 * needed may be purged soon; outage says whether the stream is failing
 * (changes the hint). Query failures are only logged at debug level: the
 * watch must never stop the stream. */
void retention_check(retention *rt, MYSQL *my, const char *database, const binlogpos *needed, bool outage);

/* retention_duration: "45s", "12m30s", "3h05m", "2d04h" */
void retention_duration(long long secs, char *out, size_t len);

#endif
