/*
 * The ONE type map: how a MariaDB column becomes a PostgreSQL column, and how
 * each value is encoded on the way.
 *
 * typemap_resolve maps a column described by information_schema (plus an
 * optional allowlist override) to a kind and a PostgreSQL type. Values are
 * then given to typemap_encode_copy in MariaDB's text-protocol form (what
 * mysql_fetch_row returns; stream's binlog decoder produces the same form),
 * and appended to a buffer in PostgreSQL COPY text format. Both binaries use
 * this path, so a value lands identically whichever way it travelled.
 *
 * Data PostgreSQL cannot hold follows one rule each, reported in *fixes:
 *   zero or partial date/datetime/timestamp (a zero year, month or day, e.g.
 *     0000-00-00 or 2023-00-15)  -> '-infinity'      TYPEMAP_FIX_ZERO_DATE
 *   NUL characters in text or JSON (also the \u0000 escape in JSON)
 *                                -> removed           TYPEMAP_FIX_NUL
 *   invalid UTF-8 in text        -> each bad byte becomes U+FFFD
 *                                                     TYPEMAP_FIX_BAD_UTF8
 * The caller counts them per column and, in strict mode, treats any as an error.
 */
#ifndef COMMON_TYPEMAP_H
#define COMMON_TYPEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include "common/xalloc.h"

typedef enum typemap_kind {
	TYPEMAP_INT,                /* any integer width; digits pass through */
	TYPEMAP_DECIMAL,            /* DECIMAL(p,s) -> numeric(p,s) */
	TYPEMAP_FLOAT,              /* FLOAT -> real */
	TYPEMAP_DOUBLE,             /* DOUBLE -> double precision */
	TYPEMAP_BOOL_INT,           /* integer overridden to boolean: 0 -> f, else t */
	TYPEMAP_BOOL_BIT,           /* BIT(1) -> boolean; value is one raw byte */
	TYPEMAP_BIT,                /* BIT(n>1) -> bit(n); value is raw big-endian bytes */
	TYPEMAP_TEXT,               /* CHAR, VARCHAR, TEXT family, ENUM, SET */
	TYPEMAP_BYTEA,              /* BINARY, VARBINARY, BLOB family */
	TYPEMAP_JSON,               /* JSON (LONGTEXT + JSON_VALID) -> jsonb */
	TYPEMAP_DATE,               /* DATE -> date */
	TYPEMAP_DATETIME,           /* DATETIME(p) -> timestamp(p) */
	TYPEMAP_TIMESTAMP,          /* TIMESTAMP(p) -> timestamptz(p); value read in UTC */
	TYPEMAP_TIME,               /* TIME(p) -> interval; spans +-838:59:59 */
	TYPEMAP_YEAR,               /* YEAR -> smallint */
	TYPEMAP_INET,               /* INET4, INET6 -> inet */
	TYPEMAP_UUID,               /* UUID -> uuid */
	TYPEMAP_GEOMETRY,           /* geometry family; value is WKB (see select_wkb) */
	TYPEMAP_PASSTHROUGH         /* overridden to a type that parses the text itself */
} typemap_kind;

/* A column as information_schema.COLUMNS describes it. */
typedef struct typemap_source {
	const char *name;           /* COLUMN_NAME */
	const char *data_type;      /* DATA_TYPE, e.g. "int", "varchar", "inet6" */
	const char *column_type;    /* COLUMN_TYPE, e.g. "int(10) unsigned", "enum('a','b')" */
	long long   char_max_len;   /* CHARACTER_MAXIMUM_LENGTH, -1 if NULL */
	long long   num_precision;  /* NUMERIC_PRECISION, -1 if NULL */
	long long   num_scale;      /* NUMERIC_SCALE, -1 if NULL */
	long long   dt_precision;   /* DATETIME_PRECISION, -1 if NULL */
	bool        is_json;        /* a JSON_VALID(col) check constraint covers it */
	const char *override;       /* allowlist override type, or NULL */
	bool        postgis;        /* the sink has the postgis extension */
} typemap_source;

typedef struct typemap_column {
	typemap_kind kind;
	char        pg_type[128];   /* e.g. "numeric(20)", "timestamp(3) with time zone" */
	unsigned    bits;           /* BIT(n): n */
	bool        postgis;        /* geometry goes to PostGIS as hex WKB */
	bool        select_wkb;     /* SELECT ST_AsBinary(col) instead of col */
	unsigned char bin;          /* COPY binary wire form (typemap_binary_prepare) */
} typemap_column;

enum {
	TYPEMAP_FIX_ZERO_DATE = 1u << 0,
	TYPEMAP_FIX_NUL       = 1u << 1,
	TYPEMAP_FIX_BAD_UTF8  = 1u << 2
};

/*
 * typemap_resolve: fills out for src. False (with errbuf) for a type it does
 * not know or an override that does not apply (e.g. boolean on a VARCHAR).
 */
bool typemap_resolve(const typemap_source *src, typemap_column *out,
					 char *errbuf, size_t errlen);

/*
 * typemap_encode_copy: appends one value in COPY text format (escaped; \N for
 * val == NULL) to out. ORs the rules applied into *fixes. False (with errbuf,
 * out unchanged in length) for a value that cannot be encoded at all, e.g. a
 * non-numeric string for an integer column or a BIT value of the wrong size.
 */
bool typemap_encode_copy(const typemap_column *col, const char *val, size_t len,
						 buf *out, unsigned *fixes, char *errbuf, size_t errlen);

/*
 * typemap_binary_prepare: whether values of col can travel in COPY's binary
 * format, which PostgreSQL ingests faster than text (no per-field parsing of
 * numbers and dates; see BENCHMARKS.md). Integers, decimals, floats,
 * booleans, text, JSON, bytea, dates, timestamps and UUIDs can; BIT(n),
 * TIME, INET, geometry and overrides to other types cannot, and a table with
 * such a column is copied as text. Sets col->bin.
 */
bool typemap_binary_prepare(typemap_column *col);

/*
 * typemap_encode_binary: like typemap_encode_copy, in COPY binary format: the
 * field's int32 length (-1 for NULL) and its bytes. Same rules and fixes.
 */
bool typemap_encode_binary(const typemap_column *col, const char *val, size_t len,
						   buf *out, unsigned *fixes, char *errbuf, size_t errlen);

/*
 * typemap_default: translates information_schema.COLUMNS.COLUMN_DEFAULT (the
 * MariaDB 10.2+ form: 'text' quoted, numbers bare, NULL, b'1', functions such
 * as current_timestamp(3)) into a PostgreSQL DEFAULT expression appended to
 * out. Returns false, appending nothing, when there is no default (NULL or
 * "NULL") or when it cannot be carried; *unsupported is then set true for the
 * latter so the caller can warn.
 */
bool typemap_default(const typemap_column *col, const char *column_default,
					 buf *out, bool *unsupported);

/* typemap_fix_name: a short name for one TYPEMAP_FIX_* bit */
const char *typemap_fix_name(unsigned fix);

/* typemap_type_args: reads "name(a)" or "name(a,b)" from a COLUMN_TYPE
 * (ENUM/SET label lists are not numbers and leave both); *a and *b stay as
 * they were when absent */
void typemap_type_args(const char *column_type, long long *a, long long *b);

#endif
