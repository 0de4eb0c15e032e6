/*
 * The stream lock in PostgreSQL: a second stream of the same database and
 * role against one sink is refused, and a restart takes over what the
 * previous process left behind.
 *
 * lock_take takes the lock for the session's lifetime. A holder that is a
 * session of this process (an earlier connection PostgreSQL has not yet
 * noticed is gone), or of a stream on this host whose process has ended (a
 * kill -9 while its backend was busy with a long batch), is ended with
 * pg_terminate_backend (the same role may end its own sessions): its batch
 * rolls back, and the checkpoint that did not commit with it is where the
 * new stream starts. Any other holder (a stream still finishing its last
 * batch after SIGTERM, one on another host, an older version's) is waited
 * for up to wait_s seconds, with a line that says for what, then refused.
 */
#ifndef STREAM_LOCK_H
#define STREAM_LOCK_H

#include <signal.h>
#include <stdbool.h>
#include <libpq-fe.h>

#include "common/config.h"
#include "common/control.h"

/* lock_take: the lock of role and database cfg->src.name on session pg;
 * false, logged, when refused, when the session failed, or when *stop was
 * set while waiting (stop may be NULL) */
bool lock_take(PGconn *pg, const config *cfg, const control *ctl, const char *role, double wait_s,
			   volatile sig_atomic_t *stop);

#endif
