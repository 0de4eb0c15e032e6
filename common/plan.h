/*
 * The migration plan: what each allowlisted table looks like in MariaDB,
 * what it becomes in PostgreSQL, and how its rows are split into chunks.
 *
 * plan_table_load introspects information_schema (columns, JSON checks,
 * indexes, row estimate, AUTO_INCREMENT), resolves every column through the
 * type map, and renders the PostgreSQL DDL: the CREATE TABLE without indexes,
 * then the index and sequence statements run after the data is in.
 * plan_table_chunk splits a table whose estimated rows exceed the threshold:
 * a single integer key by value ranges (from MIN/MAX), any other key by
 * keyset boundaries taken every batch-size rows from one streamed pass over
 * the key; a table without a usable key is one chunk.
 *
 * The chunk key is the primary key, or else the first UNIQUE index whose
 * columns are all NOT NULL and unprefixed.
 *
 * A plan_table is a description only: a value that plan_table_copy copies
 * and plan_table_equal compares, with no scheduling state (the copy module
 * keeps that, with the chunk list, in its own per-copy struct). The copy
 * module copies with it; stream loads the same description of each streamed
 * table, so both map every column through the same type map and the same
 * names.
 *
 * Ownership: every pointer in a plan_table, plan_column and plan_chunk is
 * heap memory owned by it (freed by plan_table_free, plan_chunks_free),
 * except plan_table.allow, borrowed from the config. This module logs its
 * errors (through log.h) and prints nothing.
 */
#ifndef COMMON_PLAN_H
#define COMMON_PLAN_H

#include <stdbool.h>
#include <mysql.h>
#include <libpq-fe.h>

#include "common/binlogpos.h"
#include "common/config.h"
#include "common/typemap.h"
#include "common/xalloc.h"

typedef struct plan_column {
	char       *name;           /* MariaDB name */
	char       *target;         /* PostgreSQL name */
	char       *column_type;    /* MariaDB COLUMN_TYPE, for messages */
	typemap_column tm;
	bool        nullable;
	bool        auto_increment;
	bool        generated;      /* copied as a plain value */
	long long   num_scale;      /* NUMERIC_SCALE, -1 if NULL */
	long long   dt_precision;   /* DATETIME_PRECISION, -1 if NULL */
	unsigned    collation_id;   /* of COLLATION_NAME; 0 for non-text columns */
	char       *pg_default;     /* the DEFAULT expression carried over, or NULL */
} plan_column;

/* A key value tuple: n values in MariaDB's text form (may be binary). */
typedef struct plan_key {
	size_t      n;
	char      **v;
	size_t     *len;
} plan_key;

typedef struct plan_chunk {
	int         no;
	plan_key   *lower;          /* inclusive; NULL = unbounded */
	plan_key   *upper;          /* exclusive; NULL = unbounded */
	bool        done;           /* in the ledger as done (resume) */
	long long   rows;
	long long   bytes;
	binlogpos   pos;            /* snapshot this chunk was read at */
} plan_chunk;

typedef struct plan_table {
	const config_table *allow;  /* borrowed from the config */
	char       *source;         /* MariaDB table name */
	char       *target;         /* PostgreSQL table name */
	char       *qsource;        /* `schema`.`table` */
	char       *qtarget;        /* "schema"."table" */
	size_t      ncols;
	plan_column *cols;
	size_t      nkey;
	int        *key;            /* chunk key: indexes into cols */
	bool        key_is_int;     /* one integer column: value ranges */
	bool        binary;         /* rows travel in COPY binary format */
	long long   est_rows;
	unsigned long long next_auto_increment;  /* 0 if none */
	char       *select_list;    /* `a`, ST_AsBinary(`g`), ... */
	char       *copy_columns;   /* "a", "g", ... */
	char       *described;      /* the information_schema rows it was built from, as JSON
	                             * (plan_table_load_described builds it again) */
	char       *create_sql;     /* what follows CREATE [UNLOGGED] TABLE: name (columns) */
	size_t      nindex;
	char      **index_sql;      /* primary key's unique index first */
	char      **index_desc;     /* for progress and errors */
	char       *pk_sql;         /* ADD PRIMARY KEY USING INDEX, or NULL */
	size_t      nseq;
	char      **seq_sql;        /* sequences for AUTO_INCREMENT */
	unsigned long long warnings;    /* what the description could not carry over
	                                 * (a DEFAULT, a SPATIAL index), each logged */
} plan_table;

/* plan_source_info: facts of the source and sink read once per run */
typedef struct plan_env {
	const config *cfg;
	bool        postgis;        /* the sink has the postgis extension */
	long long   batch_size;
	long long   threshold;
	bool        copy_binary;    /* binary COPY where every column allows it */
} plan_env;

/*
 * plan_table_load: introspects one allowlisted table and fills pt. False
 * (error logged) if it is missing, a view, has a type that cannot map, or
 * the MariaDB user may not read it (plan_check_select).
 */
bool plan_table_load(MYSQL *my, const plan_env *env, const config_table *allow,
					 plan_table *pt);

/* plan_object_names: the PostgreSQL objects pt's statements create
 * besides the table, unqualified: its indexes (the primary key's
 * constraint has its index's name) then its sequences, in a fixed order
 * (two plans of one description list them alike); *n of them, each and
 * the array heap */
char **plan_object_names(const plan_table *pt, size_t *n);

/* plan_table_load_described: the same from a recorded pt->described (no
 * MariaDB connection): the table as it was when described */
bool plan_table_load_described(const char *described, const plan_env *env,
							   const config_table *allow, plan_table *pt);

/* plan_check_select: whether the MariaDB user may SELECT every column of
 * table (of the source schema). False, logged with the GRANT that is
 * missing, only when MariaDB refuses it; a missing table or a lost
 * connection is left to the statements that follow. */
bool plan_check_select(MYSQL *my, const config *cfg, const char *table);

/* plan_table_chunk: splits pt's rows into chunks (reads MIN/MAX or key
 * boundaries); *chunks is heap, freed by plan_chunks_free, numbered 0.. */
bool plan_table_chunk(MYSQL *my, const plan_env *env, const plan_table *pt,
					  plan_chunk **chunks, size_t *nchunks);
/* plan_chunks_free: frees chunks[0..n) and their keys */
void plan_chunks_free(plan_chunk *chunks, size_t n);

/* plan_chunk_where: appends the MariaDB WHERE condition of a chunk, or
 * nothing when the chunk is the whole table; returns whether it appended */
bool plan_chunk_where(MYSQL *my, const plan_table *pt, const plan_chunk *ch, buf *out);

/* plan_chunk_describe: a printable key range, e.g. "id >= 100 AND id < 200" */
void plan_chunk_describe(const plan_table *pt, const plan_chunk *ch, buf *out);

/* plan_key_describe: "id=42" or "(a, b)=(x, y)" for a row's key values */
void plan_key_describe(const plan_table *pt, char **row, unsigned long *lens, buf *out);

/* plan_key_hex / plan_key_unhex: ledger form of key values (text[] of hex) */
void plan_key_to_pgarray(const plan_key *k, buf *out);
plan_key *plan_key_from_pgarray(const char *s);
plan_key *plan_key_new(size_t n, char **v, unsigned long *len);
void plan_key_free(plan_key *k);

/* plan_create_sql: appends the CREATE TABLE statement of the target, without
 * indexes, with autovacuum off until plan_finish_sql turns it back on */
void plan_create_sql(const plan_table *pt, bool unlogged, buf *out);

/* plan_finish_sql: appends the statements that end a table's load: the
 * primary key constraint over its already built unique index (when attach_pk;
 * built as a plain CREATE UNIQUE INDEX so that it runs beside the other index
 * builds instead of waiting for their locks), ANALYZE, and autovacuum back on
 * (chunks commit one by one, so autovacuum would otherwise VACUUM the table in
 * the middle of the load) */
void plan_finish_sql(const plan_table *pt, bool attach_pk, buf *out);

/* plan_table_copy: *dst becomes a deep copy of src (dst's old contents are
 * not freed; dst->allow is shared) */
void plan_table_copy(plan_table *dst, const plan_table *src);

/* plan_table_equal: whether a and b describe the same table: every field
 * by value, and the same allowlist entry by name */
bool plan_table_equal(const plan_table *a, const plan_table *b);

/* plan_table_free: frees what pt owns; pt may then be loaded again */
void plan_table_free(plan_table *pt);

#endif
