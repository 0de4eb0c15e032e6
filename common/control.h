/*
 * The control schema in the sink: installed and upgraded here, and the
 * statements both binaries use to move a table through its states
 * (pending -> copying -> indexing -> ready; failed; removed) and to keep the
 * chunk ledger. The schema's SQL is in schemas/NNN_*.sql; control_install
 * applies the files whose number is above the installed version, in one
 * transaction under an advisory lock, so concurrent runs do not race.
 *
 * Every function takes the connection to use, so a worker can update the
 * ledger in the same transaction as the rows it copied.
 */
#ifndef COMMON_CONTROL_H
#define COMMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "common/binlogpos.h"

typedef struct control {
	char       *schema;         /* CONTROL_SCHEMA, unquoted */
	char       *qschema;        /* quoted for SQL */
	char       *db;             /* source database name */
} control;

/* control_init: fills ctl (heap strings freed by control_free) */
void control_init(control *ctl, const char *schema, const char *db);
void control_free(control *ctl);

/* control_install: creates or upgrades the schema to the newest version;
 * on failure errbuf says why and hint (possibly empty) what an
 * administrator does about a missing privilege */
bool control_install(PGconn *pg, const control *ctl, char *errbuf, size_t errlen,
					 char *hint, size_t hintlen);

/* control_table_lock: a session advisory lock on (db, table) so that two
 * migrations of one table cannot overlap; false with errbuf if taken */
bool control_table_lock(PGconn *pg, const control *ctl, const char *table,
						char *errbuf, size_t errlen);

typedef struct control_table {
	bool        exists;
	char        state[16];
	char        target_schema[64];
	char        target_table[64];
	char       *chunk_key;      /* text[] literal, heap, may be NULL */
	char        load_mode[16];
	long long   rows;
} control_table;

/* control_table_get: the ledger row of a table (exists=false if none) */
bool control_table_get(PGconn *pg, const control *ctl, const char *table,
					   control_table *out, char *errbuf, size_t errlen);

/* control_table_set_state: state (and error text, may be NULL) */
bool control_table_set_state(PGconn *pg, const control *ctl, const char *table,
							 const char *state, const char *error,
							 char *errbuf, size_t errlen);

/* control_query: runs sql_fmt with every "{ctl}" replaced by the quoted
 * control schema, $1 bound to the source database and $2.. to params;
 * returns a result the caller PQclears, or NULL with errbuf filled */
PGresult *control_query(PGconn *pg, const control *ctl, const char *sql_fmt,
						int nparams, const char *const *params,
						char *errbuf, size_t errlen);

/* --- table states and the chunk ledger (copy) --- */

/* One row of the chunk ledger. Key bounds are text[] literals of hex
 * strings (plan_key_to_pgarray), NULL when unbounded. */
typedef struct control_chunk {
	int         no;
	char       *lower;          /* heap when read; borrowed when written */
	char       *upper;
	bool        done;
	long long   rows;           /* of a done chunk */
	long long   bytes;
	binlogpos   pos;            /* snapshot a done chunk was read at */
} control_chunk;

/* control_chunks_get: table's ledger in chunk order; *out is heap (free
 * with control_chunks_free), *n is 0 when the table has none */
bool control_chunks_get(PGconn *pg, const control *ctl, const char *table,
						control_chunk **out, size_t *n, char *errbuf, size_t errlen);
void control_chunks_free(control_chunk *chunks, size_t n);

/* What a fresh copy of a table records when it starts. */
typedef struct control_copy {
	const char *source_schema;  /* MariaDB schema */
	const char *target_schema;
	const char *target_table;
	const char *load_mode;      /* "logged" or "unlogged" */
	const char *chunk_key;      /* text[] literal of the key's names, or NULL */
	const char *described;      /* the table's description (plan_table.described) */
} control_copy;

/* control_table_copying: the table's row (created or reset) in state
 * copying, with no counts, watermark or stream position */
bool control_table_copying(PGconn *pg, const control *ctl, const char *table,
						   const control_copy *cc, char *errbuf, size_t errlen);

/* control_chunks_replace: the table's ledger becomes chunks[0..n) (their
 * no, lower and upper; state pending). Run it in the transaction that
 * creates the target, so table and ledger never disagree. */
bool control_chunks_replace(PGconn *pg, const control *ctl, const char *table,
							const control_chunk *chunks, size_t n, char *errbuf, size_t errlen);

/* control_chunk_done: chunk no of table is done with rows, bytes, read at
 * pos; run it in the transaction of the chunk's rows */
bool control_chunk_done(PGconn *pg, const control *ctl, const char *table, int no,
						long long rows, long long bytes, const binlogpos *pos,
						char *errbuf, size_t errlen);

/* control_table_ready: the table is ready with its counts and watermark
 * wm; the caller commits (durably: the stream starts from wm) */
bool control_table_ready(PGconn *pg, const control *ctl, const char *table,
						 long long rows, long long bytes, const binlogpos *wm,
						 char *errbuf, size_t errlen);

#endif
