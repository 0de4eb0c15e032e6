/*
 * The worker pool of a migration.
 *
 * Parallel operation works like this: the main thread plans every table and
 * creates its target, then starts max_workers x chunk_workers worker threads.
 * Each worker owns one MariaDB connection (holding one consistent snapshot,
 * opened at its first chunk and kept while it works), one PostgreSQL
 * connection and its buffers. Workers pull tasks from one scheduler under a
 * mutex: index builds of tables whose data is in come first (so each table
 * is finished as soon as it can be), then chunks, with at most max_workers
 * tables being copied at once and at most chunk_workers workers per table.
 * The worker that copies a table's last chunk makes it LOGGED and queues its
 * indexes; the worker that builds its last index sets its sequences,
 * analyzes it and marks it ready with its watermark. A failure marks only
 * that table failed; the others go on. When nothing is left, every worker
 * gets STOP and the main thread joins them.
 */
#ifndef MIGRATE_WORK_H
#define MIGRATE_WORK_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <mysql.h>
#include <libpq-fe.h>

#include "common/binlogpos.h"
#include "common/config.h"
#include "common/control.h"
#include "common/xalloc.h"
#include "common/plan.h"

typedef struct work_run {
	const config *cfg;
	const control *ctl;
	plan_table *tables;
	size_t      ntables;
	int         max_workers;    /* tables copied at once */
	int         chunk_workers;  /* workers on one table at once */
	bool        strict;         /* a conversion rule applied is an error */
	int         retries;        /* attempts for a chunk whose connection dropped */
	volatile sig_atomic_t *interrupted;

	pthread_mutex_t mu;         /* guards the scheduling fields of tables */
	pthread_cond_t cond;
	int         open_tables;    /* tables holding a copy slot */
} work_run;

typedef struct worker {
	int         id;
	work_run   *run;
	MYSQL      *my;             /* NULL until the first chunk */
	binlogpos   pos;            /* position of this worker's snapshot */
	PGconn     *pg;
	buf         data;           /* COPY buffer, reused */
	buf         sql;            /* statement buffer, reused */
} worker;

/* work_run_all: runs every task to the end; false if any table failed */
bool work_run_all(work_run *run);

/* work_fail_table: marks a table failed (first error kept), logs it */
void work_fail_table(worker *w, plan_table *pt, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* copy_chunk: copies one chunk in one PostgreSQL transaction with its ledger
 * update; retries after a dropped connection. False = table failed. */
bool copy_chunk(worker *w, plan_table *pt, plan_chunk *ch);

/* copy_encode_row: appends one row in COPY text format to out. fixes[i] gets
 * the conversion rules applied to column i, *fixed_col the first such column
 * (-1 if none). Returns -1, or the index of a column whose value cannot be
 * converted (errbuf says why; out then holds a partial line). */
int copy_encode_row(const plan_table *pt, char **row, const unsigned long *lens, buf *out,
					unsigned *fixes, int *fixed_col, char *errbuf, size_t errlen);

/* copy_data_begin / copy_data_end: what a COPY's data starts and ends with
 * in the table's format (the binary header and trailer; nothing for text) */
void copy_data_begin(const plan_table *pt, buf *out);
void copy_data_end(const plan_table *pt, buf *out);

/* finish_loaded: after the last chunk: SET LOGGED if needed, state indexing */
bool finish_loaded(worker *w, plan_table *pt);
/* finish_index: builds index i of pt (skipped if it already exists) */
bool finish_index(worker *w, plan_table *pt, size_t i);
/* finish_table: sequences, ANALYZE, watermark and state ready */
bool finish_table(worker *w, plan_table *pt);

/* worker_connect_pg / worker_connect_my: (re)open a worker's connections */
bool worker_connect_pg(worker *w);
bool worker_connect_my(worker *w);
void worker_disconnect(worker *w);

double work_now(void);

#endif
