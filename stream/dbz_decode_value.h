/*
 * Debezium change events, decoding one value: a field's JSON value (from a
 * message dbz_parse reads) back into the MariaDB text-protocol form of its
 * column, the per-type part of the decoding half. What each type accepts is
 * the table in dbz_decode.h; the envelope, the source block and the rows
 * are dbz_decode.c's.
 *
 * Decoded values point either into the parsed JSON (strings taken as they
 * are) or into an arena (dbz_arena): numbers printed, base64 decoded, dates
 * formatted. The arena is reset, not freed, between messages, so a
 * consumer's steady state allocates nothing; what it hands out is valid
 * until the next dbz_arena_reset or dbz_arena_free, and the JSON must
 * outlive the values that point into it.
 *
 * Errors name the table and the column; they go into the caller's errbuf
 * and nothing here prints. An arena belongs to one thread at a time.
 */
#ifndef STREAM_DBZ_DECODE_VALUE_H
#define STREAM_DBZ_DECODE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "common/binlog.h"
#include "common/plan.h"
#include "stream/dbz.h"

/* Memory for decoded values: blocks, reset together. */
typedef struct dbz_arena {
	struct dbz_block *blocks;   /* newest first; NULL when empty */
} dbz_arena;

#define DBZ_ARENA_INIT { NULL }

/* dbz_arena_alloc: n bytes, valid until the next reset or free; never NULL
 * (out of memory exits, as xmalloc does) */
char *dbz_arena_alloc(dbz_arena *a, size_t n);

/* dbz_arena_reset: forgets everything handed out, keeping the newest block
 * for reuse unless a huge value made it */
void dbz_arena_reset(dbz_arena *a);

/* dbz_arena_free: frees every block; a is then empty and may be used again */
void dbz_arena_free(dbz_arena *a);

/* A column's field schema, as far as it helps reading the value. */
typedef struct dbz_hint {
	const char *type;           /* "bytes", "string", "int64", ...; NULL without a schema */
	const char *name;           /* "io.debezium.time.MicroTimestamp", ...; or NULL */
	long long   scale;          /* a Decimal's scale parameter; -1 if none */
} dbz_hint;

/* dbz_json_kind: the name of a JSON value's type ("an object", "null",
 * ...), for messages; a static string */
const char *dbz_json_kind(const json_t *j);

/* dbz_json_int: an integer field: a JSON integer, a string of digits, or
 * a boolean (1, 0), as a sign and a magnitude; false for anything else */
bool dbz_json_int(const json_t *j, bool *neg, uint64_t *mag);

/*
 * dbz_decode_value: field value j of column pc (classified as dc; h from
 * the field's schema, all NULL without one) into out: present, and data
 * NULL for a JSON null. out->data points into j or into arena a. Fails with
 * errbuf filled when j is not of the column's shape or range.
 */
bool dbz_decode_value(const plan_table *pt, const plan_column *pc, const dbz_col *dc,
					  const dbz_hint *h, const json_t *j, dbz_arena *a, binlog_value *out,
					  char *errbuf, size_t errlen);

#endif
