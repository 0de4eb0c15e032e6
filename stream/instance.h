/*
 * Which stream process this is, as other sessions see it, and what an
 * earlier stream's mark says about that stream.
 *
 * A stream leaves marks on both servers: its PostgreSQL session (the
 * application_name, while it holds the database's stream lock) and its
 * replica registration on MariaDB (the report host that SHOW SLAVE HOSTS
 * lists). Both outlive the process for a moment after it ends (a backend
 * busy in a long statement has not noticed its client died; a dump thread
 * notices at its next heartbeat). A restarted stream reads the mark to tell
 * its own leftovers, which it may end or ignore, from a stream that still
 * runs, which it waits for, and from something else, which it refuses.
 *
 * The mark is "ROLE[PID]@HOST NAME", e.g. "stream[4242]@db1 trading": the
 * pid and host first, because PostgreSQL cuts an application_name at 63
 * bytes. Library-style: nothing here prints.
 */
#ifndef STREAM_INSTANCE_H
#define STREAM_INSTANCE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What a mark says about the stream that left it */
typedef enum instance_kind {
	INSTANCE_FOREIGN,       /* not a stream's mark, or another role's or database's */
	INSTANCE_SELF,          /* this process (an earlier connection of its own) */
	INSTANCE_ENDED,         /* a stream on this host whose process is gone */
	INSTANCE_ALIVE,         /* a stream on this host whose process still runs */
	INSTANCE_ELSEWHERE      /* a stream on another host, or of an older version
							 * whose mark names no process: cannot be checked */
} instance_kind;

/* instance_mark: this process's mark for role and database name into out
 * (cut to len - 1 bytes) */
void instance_mark(const char *role, const char *name, char *out, size_t len);

/*
 * instance_classify: what mark (as another session shows it; a server may
 * have cut it to cut_at bytes, 0 = never cut) says. role and name, when not
 * NULL, must match (a cut mark matches their prefix); *pid gets the mark's
 * process id (0 when it names none).
 */
instance_kind instance_classify(const char *mark, const char *role, const char *name, size_t cut_at,
								pid_t *pid);

/* instance_kind_text: "this process", "ended", "running", ... for messages */
const char *instance_kind_text(instance_kind k);

/* A bounded wait for an earlier stream to end: the caller looks, and while
 * it must wait calls instance_wait_more, which sleeps a moment */
typedef struct instance_wait {
	double      until;          /* monotonic seconds */
	volatile sig_atomic_t *stop;    /* a stop request ends the wait; may be NULL */
	bool        announced;      /* the caller has logged what it waits for */
} instance_wait;

/* instance_wait_begin: a wait of at most seconds from now */
void instance_wait_begin(instance_wait *w, double seconds, volatile sig_atomic_t *stop);

/* instance_wait_more: sleeps a quarter of a second and returns true, or
 * returns false at once when the time is up or a stop was requested */
bool instance_wait_more(instance_wait *w);

/* instance_wait_stopped: whether a stop request ended the wait */
bool instance_wait_stopped(const instance_wait *w);

#endif
