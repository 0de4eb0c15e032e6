/*
 * The table copy: copies allowlisted tables of one source database into
 * PostgreSQL and records, per table, the binlog position its rows were read
 * at (its watermark), where streaming the binlog takes over. migrate runs
 * it for the tables on its command line; stream can run it for a table
 * added to the allowlist while it keeps streaming the others.
 *
 * A copy goes through three calls on one copy_run:
 *   copy_plan     describes each table (plan.h) and splits it into chunks,
 *                 and resolves the load mode against the sink;
 *   copy_prepare  (re)creates each target and its chunk ledger in the
 *                 control schema, or continues a compatible ledger when
 *                 resuming; a table already ready is then skipped;
 *   copy_run_all  runs a pool of max_workers x chunk_workers threads that
 *                 copy the chunks (COPY, ledger row in the same commit),
 *                 make each table LOGGED, build its indexes, set its
 *                 sequences and mark it ready with its watermark.
 * copy_tables does all three. A failure fails only its table; the others
 * go on.
 *
 * Contract:
 * - The caller loads the config and the control schema (control_install)
 *   and keeps both, and the stop flag, alive until copy_run_free; ctl is
 *   first read by copy_prepare. Setting *stop (from another thread or a
 *   signal handler) makes the workers stop after their current step;
 *   copy_run_all then returns false and the ledger lets a resumed copy
 *   continue. The run sets *stop itself only when it cannot start its
 *   worker threads.
 * - copy_prepare takes a session advisory lock per table on the caller's
 *   connection pg, so that two copies of one table cannot overlap: keep that
 *   connection open for as long as the copy runs.
 * - Progress (copy_table_progress) may be read from any thread at any time;
 *   the other accessors once copy_run_all has returned (or before it runs).
 *   Strings and descriptions they return are owned by the run and valid
 *   until copy_run_free.
 * - The module logs through log.h (errors once, where they happen, naming
 *   the table, column and key), never prints to stdout and never exits.
 */
#ifndef COMMON_COPY_H
#define COMMON_COPY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <mysql.h>
#include <libpq-fe.h>

#include "common/binlogpos.h"
#include "common/config.h"
#include "common/control.h"
#include "common/plan.h"
#include "common/xalloc.h"

#define COPY_ONLINE_APPNAME "stream-copy"   /* application_name of the stream's online copy */
#define COPY_FIX_KINDS   3      /* conversion rules: zero date, NUL, bad UTF-8 */
#define COPY_FIX_SAMPLES 3      /* sample keys kept per column and rule */

typedef struct copy_run copy_run;

typedef enum copy_load_mode {
	COPY_LOAD_AUTO,             /* pick by the sink's wal_level */
	COPY_LOAD_LOGGED,           /* durable tables from the start */
	COPY_LOAD_UNLOGGED          /* UNLOGGED during the load, LOGGED at the end */
} copy_load_mode;

typedef struct copy_settings {
	int         max_workers;    /* tables copied at once */
	int         chunk_workers;  /* workers on one table at once */
	long long   batch_size;     /* rows per chunk of a chunked table */
	long long   threshold;      /* tables with more (estimated) rows are chunked */
	bool        copy_text;      /* COPY text always (else binary where every column has it) */
	bool        strict;         /* a value needing a conversion rule fails its table */
	copy_load_mode load_mode;
	bool        resume;         /* continue a compatible ledger; leave ready tables */
	int         retries;        /* attempts for a chunk whose connection dropped */
	const char *appname;        /* the sessions' application_name (NULL: "migrate") */
	bool        wait_for_stream;    /* a table the running stream copies online is
								 * waited for (then left when it became ready),
								 * not refused */
} copy_settings;

typedef enum copy_state {
	COPY_PENDING, COPY_COPYING, COPY_INDEXING, COPY_READY, COPY_FAILED
} copy_state;

/* A table's progress while the copy runs. */
typedef struct copy_progress {
	const char *table;          /* source table name */
	copy_state  state;
	bool        skipped;        /* already ready (resume): not copied */
	bool        started;        /* has held a copy slot (COPYING and not started = queued) */
	long long   est_rows;       /* the source's estimate */
	long long   rows;           /* rows sent so far (a retried attempt's taken back) */
	long long   bytes;          /* source bytes sent so far */
	double      seconds;        /* since it started; until it finished */
} copy_progress;

/* A table's outcome once copy_run_all has returned. */
typedef struct copy_result {
	copy_state  state;          /* COPY_READY when copied (or skipped) */
	bool        skipped;
	long long   rows;           /* of the chunks copied */
	long long   bytes;
	double      seconds;        /* from start to finish; 0 if it did not finish */
	binlogpos   watermark;      /* when ready and not skipped */
	unsigned long long fixes;   /* values a conversion rule applied to */
	unsigned long long warnings;    /* what the description could not carry over */
	const char *error;          /* the first failure, or NULL */
} copy_result;

typedef enum copy_plan_status {
	COPY_PLAN_OK,
	COPY_PLAN_REFUSED,          /* a table cannot be copied as it is (missing, a view, a type
	                             * without mapping, a missing grant): a person fixes it */
	COPY_PLAN_ERROR             /* the sink or the source failed */
} copy_plan_status;

/* copy_run_new: a run over settings set (copied); nothing is done yet */
copy_run *copy_run_new(const config *cfg, const control *ctl, const copy_settings *set,
					   volatile sig_atomic_t *stop);
void copy_run_free(copy_run *run);

/* copy_plan: describes and chunks tables[0..n) (names from cfg's allowlist)
 * over my, asks pg for PostGIS and the load mode. Logged when not OK. */
copy_plan_status copy_plan(copy_run *run, MYSQL *my, PGconn *pg, const char *const *tables, size_t n);
/* copy_load_mode_of: the load mode, resolved by copy_plan */
copy_load_mode copy_load_mode_of(const copy_run *run);

/* copy_prepare: creates the targets and ledgers (see the contract on pg);
 * false (logged) stops at the first table that could not be prepared */
bool copy_prepare(copy_run *run, PGconn *pg);

/* copy_run_all: copies the prepared tables to the end; true when every one
 * is ready and the copy was not stopped */
bool copy_run_all(copy_run *run);

/* copy_tables: copy_plan, copy_prepare and copy_run_all in one call */
bool copy_tables(copy_run *run, MYSQL *my, PGconn *pg, const char *const *tables, size_t n);

/* copy_ntables: the tables of the run, in the order given to copy_plan */
size_t copy_ntables(const copy_run *run);
const plan_table *copy_table_plan(const copy_run *run, size_t i);
/* copy_table_chunks: the chunks of table i (after copy_prepare: the
 * ledger's, when a resume continued it) */
const plan_chunk *copy_table_chunks(const copy_run *run, size_t i, size_t *n);
void copy_table_progress(const copy_run *run, size_t i, copy_progress *out);
void copy_table_result(const copy_run *run, size_t i, copy_result *out);
/* copy_column_fixes: how many values of column col of table i needed rule
 * kind (0..COPY_FIX_KINDS); *samples gets up to COPY_FIX_SAMPLES keys
 * (NULL-terminated when fewer) */
unsigned long long copy_column_fixes(const copy_run *run, size_t i, size_t col, int kind,
									 const char *const **samples);
/* copy_state_name: "pending", "copying", "indexing", "ready", "failed" */
const char *copy_state_name(copy_state state);
/* copy_fix_name: "zero_date", "nul_char", "invalid_utf8" for kind 0..2 */
const char *copy_fix_name(int kind);

/* copy_encode_row: appends one row in the table's COPY format to out.
 * fixes[i] gets the conversion rules applied to column i, *fixed_col the
 * first such column (-1 if none). Returns -1, or the index of a column whose
 * value cannot be converted (errbuf says why; out then holds a partial row). */
int copy_encode_row(const plan_table *pt, char **row, const unsigned long *lens, buf *out,
					unsigned *fixes, int *fixed_col, char *errbuf, size_t errlen);

/* copy_data_begin / copy_data_end: what a COPY's data starts and ends with
 * in the table's format (the binary header and trailer; nothing for text) */
void copy_data_begin(const plan_table *pt, buf *out);
void copy_data_end(const plan_table *pt, buf *out);

#endif
