/*
 * Inside the copy module (not for other modules: copy.h is the contract):
 * the per-copy state of a run and its tables, and the bottom layer every
 * step of a copy uses: a worker's connections and the bookkeeping of a
 * table's failure.
 *
 * The layers, each including only those below it:
 *   copy.c            the public calls, progress and results
 *   copy_sched.c      the worker pool and its scheduler
 *   copy_chunk.c, copy_finish.c, copy_target.c
 *                     one chunk's COPY; LOGGED, indexes, watermark and
 *                     ready; a target and its ledger before the run
 *   copy_worker.c     connections, failure, the clock
 *
 * Locking: run->mu guards the scheduling fields of every copy_table (state,
 * counters, started/finished, error, watermark); rows_done and bytes_done
 * are atomics; ct->mu guards the conversion counters and samples. A
 * copy_table's description and chunk list are written only before the
 * workers start, except a chunk's own fields, written by the one worker
 * that copies it.
 */
#ifndef COMMON_COPY_WORKER_H
#define COMMON_COPY_WORKER_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/copy.h"

/* Conversion rules applied to one column's values. */
typedef struct copy_fixes {
	unsigned long long n[COPY_FIX_KINDS];
	char       *samples[COPY_FIX_KINDS][COPY_FIX_SAMPLES];     /* keys, heap */
} copy_fixes;

/* One table of a run: its description and the state of its copy. */
typedef struct copy_table {
	plan_table  pt;             /* the description, owned */
	plan_chunk *chunks;         /* owned */
	size_t      nchunks;
	bool        skipped;        /* ready already (resume): not in the run */
	bool        unlogged;       /* created UNLOGGED, SET LOGGED pending */

	/* under run->mu */
	copy_state  state;
	bool        slot_held;      /* counts against max_workers */
	size_t      next_chunk;     /* next chunk to hand out */
	bool        finishing;      /* the finish task was handed out */
	int         chunks_todo;    /* not yet handed to a worker */
	int         chunks_busy;    /* being copied */
	int         index_todo;     /* index tasks not yet handed out */
	int         index_busy;
	char       *error;          /* first failure, heap */
	double      started;        /* seconds, monotonic; 0 = not yet */
	double      finished;
	binlogpos   watermark;

	atomic_llong rows_done;     /* progress, read by any thread */
	atomic_llong bytes_done;

	pthread_mutex_t mu;         /* guards fixes */
	copy_fixes *fixes;          /* one per column */
} copy_table;

struct copy_run {
	const config *cfg;
	const control *ctl;
	copy_settings set;
	volatile sig_atomic_t *stop;
	copy_load_mode mode;        /* resolved by copy_plan */
	copy_table *tables;
	size_t      ntables;

	pthread_mutex_t mu;         /* guards the scheduling fields of tables */
	pthread_cond_t cond;
	int         open_tables;    /* tables holding a copy slot */
};

/* One worker thread's connections and buffers. */
typedef struct copy_worker {
	int         id;
	copy_run   *run;
	MYSQL      *my;             /* NULL until the first chunk */
	binlogpos   pos;            /* position of this worker's snapshot */
	PGconn     *pg;
	buf         data;           /* COPY buffer, reused */
	buf         sql;            /* statement buffer, reused */
} copy_worker;

/* copy_now: monotonic seconds */
double copy_now(void);

/* copy_worker_connect_pg / copy_worker_connect_my: (re)open a worker's
 * connections; MariaDB's opens a consistent snapshot at w->pos. False
 * with the error logged. */
bool copy_worker_connect_pg(copy_worker *w);
bool copy_worker_connect_my(copy_worker *w);
/* copy_worker_ensure_pg: a live sink connection, reopened if lost */
bool copy_worker_ensure_pg(copy_worker *w);
void copy_worker_disconnect(copy_worker *w);

/* copy_fail_table: marks ct failed (the first error kept), logs it, and
 * records it in the control schema when the sink is still there */
void copy_fail_table(copy_worker *w, copy_table *ct, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
