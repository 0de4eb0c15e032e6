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
#include <stdint.h>
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

/* control_table_lock_holder: the application_name of the session holding
 * table's lock ("" when none holds it, or it is not visible) */
bool control_table_lock_holder(PGconn *pg, const control *ctl, const char *table, char *appname, size_t applen,
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

/* --- the stream's state (control_stream.c) --- */

/* One table's row as the stream reads it */
typedef struct control_stream_table {
	char       *name;           /* source table */
	char        state[16];      /* pending, copying, indexing, ready, failed, removed, missing */
	binlogpos   snapshot;       /* migrate's watermark (file "" if none) */
	binlogpos   applied;        /* the stream's last commit for it (file "" if none) */
	char       *error;          /* why the stream stopped it, NULL if it did not */
	char       *schema;         /* the description it streams with (JSON), NULL if none */
	char       *ddl_pending;    /* an ALTER seen and not yet carried, NULL if none */
} control_stream_table;

/* control_stream_tables: every table of the database, by name; *out is a
 * heap array the caller frees with control_stream_tables_free */
bool control_stream_tables(PGconn *pg, const control *ctl, control_stream_table **out, size_t *n,
						   char *errbuf, size_t errlen);
void control_stream_tables_free(control_stream_table *v, size_t n);

/* A description the stream keeps of a table it does not stream (schema 010) */
typedef struct control_shadow {
	char       *name;           /* source table */
	char       *described;      /* its description (plan.c's JSON) */
	char       *origin;         /* the streamed table it was made from, NULL if none */
	bool        renames_columns;
} control_shadow;

/* control_shadows_get: every shadow description of the database; *out is a
 * heap array the caller frees with control_shadows_free */
bool control_shadows_get(PGconn *pg, const control *ctl, control_shadow **out, size_t *n,
						 char *errbuf, size_t errlen);
void control_shadows_free(control_shadow *v, size_t n);

/* control_shadow_set: records (described non-NULL) or forgets table's
 * shadow description, in the caller's transaction */
bool control_shadow_set(PGconn *pg, const control *ctl, const char *table, const char *described,
						const char *origin, bool renames_columns, char *errbuf, size_t errlen);

/* control_table_removed: a ready table left the allowlist (state removed) */
bool control_table_removed(PGconn *pg, const control *ctl, const char *table, char *errbuf, size_t errlen);

/* control_table_missing: an allowlisted table the source schema lacks
 * (state missing, error why), unless it is dropped, or ready and streamed */
bool control_table_missing(PGconn *pg, const control *ctl, const char *table, const char *source_schema,
						   const char *target_schema, const char *target_table, const char *why,
						   char *errbuf, size_t errlen);

/* control_tables_missing: how many of tables[0..n) are in state missing */
bool control_tables_missing(PGconn *pg, const control *ctl, const char *const *tables, size_t n, long long *count,
							char *errbuf, size_t errlen);

/* control_table_progress: a running copy's rows so far and the source's
 * estimate (only while the table is copying or indexing) */
bool control_table_progress(PGconn *pg, const control *ctl, const char *table, long long rows, long long est_rows,
							char *errbuf, size_t errlen);

/* control_checkpoint_get: the stream checkpoint (file "" when there is none
 * yet) and the source server it belongs to (0 unknown) */
bool control_checkpoint_get(PGconn *pg, const control *ctl, binlogpos *pos, uint32_t *source_sid,
							char *errbuf, size_t errlen);

/* control_publish_get / control_publish_set: the position Kafka has
 * acknowledged for a topic prefix (file "" when none), with the tables'
 * descriptions there (a JSON object; *schemas NULL when none is recorded,
 * heap otherwise; schemas NULL keeps what is recorded) */
bool control_publish_get(PGconn *pg, const control *ctl, const char *prefix, binlogpos *pos, char **schemas,
						 char *errbuf, size_t errlen);
bool control_publish_set(PGconn *pg, const control *ctl, const char *prefix, const binlogpos *pos,
						 uint32_t source_sid, uint32_t ts, const char *schemas, char *errbuf, size_t errlen);

/* One consumed Kafka partition: the next offset to read */
typedef struct control_offset {
	char       *topic;
	int32_t     partition;
	int64_t     next;
} control_offset;

/* control_offsets_get: the offsets --from kafka recorded (heap array,
 * freed with control_offsets_free) */
bool control_offsets_get(PGconn *pg, const control *ctl, control_offset **out, size_t *n,
						 char *errbuf, size_t errlen);
void control_offsets_free(control_offset *v, size_t n);

/* Statements that run inside a batch's transaction (apply_commit_with,
 * apply_control: {ctl} expanded, $1 the database):
 * CONTROL_SQL_OFFSETS_SET       $2 topics text[], $3 partitions int[], $4 next offsets bigint[],
 *                               $5 tables text[] and $6 bigint[]: events they skipped as before
 *                               their watermark, added to tables.kafka_skipped
 * CONTROL_SQL_DEAD_LETTER       $2 topic, $3 partition, $4 offset, $5 key hex, $6 value hex, $7 reason
 * CONTROL_SQL_TABLES_MOVED      $2 ready tables text[], $3 file, $4 offset, $5 GTID position:
 *                               their snapshot becomes that place, their applied position none */
extern const char CONTROL_SQL_OFFSETS_SET[];
extern const char CONTROL_SQL_DEAD_LETTER[];
extern const char CONTROL_SQL_TABLES_MOVED[];

/* --status: results the caller PQclears, NULL with errbuf.
 * control_status_checkpoint: file, offset, GTID, source commit time, seconds
 *   since it, written at, source server id (no row: none yet)
 * control_status_tables: table, state, watermark file, offset, rows
 *   inserted, updated, deleted, error (the stream's, or why a table is
 *   missing, failed or dropped), rows copied, estimated rows ("" unknown),
 *   seconds since its copy started ("" none), events --from kafka skipped
 *   as before its watermark
 * control_status_published: prefix, file:offset, GTID, source commit, written
 * control_status_consumed: partitions, offsets written at, dead letters */
PGresult *control_status_checkpoint(PGconn *pg, const control *ctl, char *errbuf, size_t errlen);
PGresult *control_status_tables(PGconn *pg, const control *ctl, char *errbuf, size_t errlen);
PGresult *control_status_published(PGconn *pg, const control *ctl, char *errbuf, size_t errlen);
PGresult *control_status_consumed(PGconn *pg, const control *ctl, char *errbuf, size_t errlen);

#endif
