/*
 * The stream's table set: which allowlisted tables are streamed, from which
 * watermark, with which description.
 *
 * A table is streamed when it is allowlisted and migrate marked it ready.
 * Its effective watermark (applied) is the later of migrate's snapshot
 * position and the position the stream last committed for it; a source
 * transaction that starts before it is already in the table and is
 * skipped for it. Reading starts at the lowest watermark. Its description
 * is the one recorded in the control schema with the last schema change
 * the stream carried (the schema at the stream's position), or MariaDB's
 * current one for a table copied by a migrate that did not record it.
 * Tables no longer allowlisted are marked removed.
 *
 * For the binlog decoder the set also describes table maps
 * (tables_describe_map): which table a map is, whether its rows are decoded,
 * and the hints the binlog lacks (signedness, charsets, labels, renders),
 * taken from the description. It only describes: schema changes are the
 * pipeline's (schema.h).
 */
#ifndef STREAM_TABLES_H
#define STREAM_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/plan.h"

typedef struct apply_stage apply_stage;

typedef struct stream_table {
	plan_table  pt;             /* columns, key, target: as migrate sees the table */
	binlogpos   snapshot;       /* migrate's watermark when the table was loaded */
	binlogpos   applied;        /* effective watermark: changes before it are in */
	bool        active;         /* changes are applied */
	char       *ddl_pending;    /* an ALTER TABLE seen, not yet carried (owned) */
	apply_stage *stage;         /* the PostgreSQL sink's batch state, or NULL */
} stream_table;

typedef struct table_set {
	stream_table *v;
	size_t      n;
	/* ENUM/SET labels handed to the decoder; freed with the reader */
	struct { const char **v; size_t n; } *labelsets;
	size_t      nlabelsets;
} table_set;

struct stream_run;

/* tables_load: the set again from the allowlist (re-read) and the control
 * schema (or, --to kafka without PostgreSQL, every allowlisted table as
 * MariaDB has it now, from the durable position). False (logged) when a
 * table could not be loaded or the control schema not read. */
bool tables_load(struct stream_run *r);

/* tables_free: every table (closed in the run's sink first) */
void tables_free(struct stream_run *r);

/* tables_lowest_watermark: where reading must start; false if nothing is
 * streamed */
bool tables_lowest_watermark(const table_set *ts, binlogpos *out);

/* tables_find: the active table db.name (db "" = qdb, the statement's
 * default schema) when db is the source schema, or NULL */
stream_table *tables_find(table_set *ts, const char *schema, const char *qdb, const char *db, const char *name);

/* tables_describe_map: the decoder's table hook (binlog.h), ctx the run:
 * marks a map of a streamed table wanted, with the hints from its
 * description, unless a schema change is pending for it or the map does not
 * match the description (the pipeline acts on those) */
bool tables_describe_map(binlog_table *bt, void *ctx, char *errbuf, size_t errlen);

/* tables_apply_hints: sets bt's decoding hints from t's description and
 * bt->wanted when the map matches it; false when it does not */
bool tables_apply_hints(table_set *ts, stream_table *t, binlog_table *bt);

/* tables_map_check: whether a table map shows the table pt describes: the
 * same columns in the same order, with the names (binlog_row_metadata
 * FULL), type codes, signedness and collations (MINIMAL or FULL) and primary
 * key (FULL) the binary log gives; false with why naming the column that
 * disagrees */
bool tables_map_check(const binlog_table *bt, const plan_table *pt, char *why, size_t whylen);
/* tables_map_matches: tables_map_check without the reason */
bool tables_map_matches(const binlog_table *bt, const plan_table *pt);

/* tables_free_labels: the label arrays given to a decoder that is gone */
void tables_free_labels(table_set *ts);

#endif
