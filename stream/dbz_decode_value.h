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

/*
 * The connector's modes, which say how a value without a schema is to be
 * read (Debezium's MySQL connector settings of the same names; the
 * consumer's KAFKA_DECIMAL_HANDLING_MODE, KAFKA_TIME_PRECISION_MODE and
 * KAFKA_BINARY_HANDLING_MODE). With a schema, the schema decides, except
 * for binary.handling.mode, whose string forms a schema does not tell
 * apart.
 */
typedef enum dbz_decimal_mode {
	DBZ_DECIMAL_PRECISE = 0,    /* base64 of the unscaled value (Debezium's default) */
	DBZ_DECIMAL_DOUBLE,         /* a JSON number */
	DBZ_DECIMAL_STRING          /* the decimal text, exactly the column's scale */
} dbz_decimal_mode;

typedef enum dbz_time_mode {
	DBZ_TIME_ADAPTIVE_US = 0,   /* adaptive_time_microseconds (the default): TIME in us,
	                             * DATETIME(0..3) ms, DATETIME(4..6) us */
	DBZ_TIME_ADAPTIVE,          /* adaptive: TIME(0..3) ms, else as above */
	DBZ_TIME_CONNECT            /* connect: TIME and DATETIME in ms */
} dbz_time_mode;

typedef enum dbz_binary_mode {
	DBZ_BINARY_BYTES = 0,       /* bytes (the default), which JSON carries as base64 */
	DBZ_BINARY_BASE64,
	DBZ_BINARY_BASE64_URL,      /* base64-url-safe: '-' and '_', padding optional */
	DBZ_BINARY_HEX
} dbz_binary_mode;

typedef struct dbz_modes {
	dbz_decimal_mode decimal;
	dbz_time_mode time;
	dbz_binary_mode binary;
	bool        time_assumed;   /* the time mode was not declared: a number that reads
	                             * as a date both in microseconds and in milliseconds
	                             * (1968 to 1978 in microseconds) is refused */
	bool        ignore_unknown; /* KAFKA_UNKNOWN_FIELDS=ignore: a field that names no
	                             * column of a schemaless message is ignored, not refused */
} dbz_modes;

#define DBZ_MODES_DEFAULT { DBZ_DECIMAL_PRECISE, DBZ_TIME_ADAPTIVE_US, DBZ_BINARY_BYTES, true, false }

/* dbz_*_mode_parse: a mode's setting value into *mode (one of the names
 * above, as Debezium spells them); false for another word */
bool dbz_decimal_mode_parse(const char *s, dbz_decimal_mode *mode);
bool dbz_time_mode_parse(const char *s, dbz_time_mode *mode);
bool dbz_binary_mode_parse(const char *s, dbz_binary_mode *mode);

/* A column's field schema, as far as it helps reading the value. */
typedef struct dbz_hint {
	const char *type;           /* "bytes", "string", "int64", ...; NULL without a schema */
	const char *name;           /* "io.debezium.time.MicroTimestamp", ...; or NULL */
	long long   scale;          /* a Decimal's scale parameter; -1 if none */
	const dbz_modes *modes;     /* the connector's modes; NULL: Debezium's defaults */
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
