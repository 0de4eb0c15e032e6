/*
 * Debezium's MySQL-connector events: what the encoding half (dbz_encode.h:
 * row changes to the JSON we publish) and the decoding half (dbz_decode.h:
 * messages from such topics back to row changes) have in common.
 *
 * For callers: the operation codes (dbz_op) and Debezium's topic names
 * (dbz_topic), which a producer needs to publish and a consumer to
 * subscribe.
 *
 * For the two halves: how a column is represented (dbz_classify, from its
 * MariaDB COLUMN_TYPE into one dbz_type and the few numbers it needs; the
 * table of representations is in dbz_encode.h, and what is accepted back in
 * dbz_decode.h), the readers of MariaDB text-protocol values both halves
 * check (integers, dates, times, decimals), the calendar that turns days
 * and microseconds since the epoch (and ISO-8601 text) back into those
 * values, and the error messages that name the table and the column.
 *
 * Nothing here prints: errors go into the caller's errbuf (errlen bytes,
 * either may be NULL/0 for no message). Nothing here keeps state, so every
 * function may be called from any thread.
 */
#ifndef STREAM_DBZ_H
#define STREAM_DBZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/plan.h"

typedef enum dbz_op {
	DBZ_TOMBSTONE = 0,          /* dbz_parse: a null message value */
	DBZ_CREATE = 'c',
	DBZ_UPDATE = 'u',
	DBZ_DELETE = 'd',
	DBZ_READ = 'r',             /* a snapshot row */
	DBZ_TRUNCATE = 't'          /* dbz_parse only: Debezium's truncate event */
} dbz_op;

/*
 * dbz_topic: Debezium's default topic name "<prefix>.<db>.<table>", each
 * character outside [A-Za-z0-9._-] replaced by '_' (one per UTF-16 unit, as
 * Debezium counts them), cut at 249 characters. The schema names
 * "<topic>.Key", "<topic>.Value" and "<topic>.Envelope" use it too. Returns
 * a heap string the caller frees.
 */
char *dbz_topic(const char *prefix, const char *db, const char *table);

/* ---------------------------------------------------------------------
 * Shared by the encoding and the decoding half only
 * --------------------------------------------------------------------- */

#define DBZ_DECIMAL_BYTES 48        /* room for 96 digits and a sign bit */
#define DBZ_DECIMAL_DIGITS 96
#define DBZ_SNIPPET 40              /* bytes of a bad value quoted in an error */

/* One Debezium representation of a column (see the table in dbz_encode.h). */
typedef enum dbz_type {
	DBZ_T_INT16,
	DBZ_T_INT32,
	DBZ_T_INT64,
	DBZ_T_UINT64,               /* BIGINT UNSIGNED: int64, wrapping above 2^63-1 */
	DBZ_T_BOOL_INT,             /* integer overridden to boolean */
	DBZ_T_BOOL_BIT,             /* BIT(1) */
	DBZ_T_BITS,                 /* BIT(n > 1) */
	DBZ_T_DECIMAL,
	DBZ_T_FLOAT32,
	DBZ_T_FLOAT64,
	DBZ_T_STRING,
	DBZ_T_JSON,
	DBZ_T_ENUM,
	DBZ_T_SET,
	DBZ_T_UUID,
	DBZ_T_BYTES,
	DBZ_T_DATE,
	DBZ_T_DATETIME_MS,          /* DATETIME(0..3) */
	DBZ_T_DATETIME_US,          /* DATETIME(4..6) */
	DBZ_T_TIMESTAMP,
	DBZ_T_TIME,
	DBZ_T_YEAR,
	DBZ_T_POINT,
	DBZ_T_GEOMETRY
} dbz_type;

/* A column's representation and the numbers it needs; a plain value. */
typedef struct dbz_col {
	dbz_type    type;
	int         precision;      /* DECIMAL(p,s): p */
	int         scale;          /* DECIMAL(p,s): s */
	unsigned    bits;           /* BIT(n): n */
	int         fsp;            /* DATETIME/TIMESTAMP/TIME fraction digits */
	int         int_bytes;      /* integer types: 1, 2, 3, 4 or 8 */
	bool        is_unsigned;    /* integer and DECIMAL types */
	int         decimals;       /* FLOAT(M,D), DOUBLE(M,D): D; else -1 */
	long long   binary_len;     /* BINARY(n): n; else -1 */
} dbz_col;

/* A DATE or DATETIME/TIMESTAMP value taken apart. */
typedef struct dbz_datetime {
	int         year, month, day;
	int         hour, minute, second;
	uint32_t    usec;
	bool        invalid;        /* a zero part or a day the month lacks */
} dbz_datetime;

/*
 * dbz_classify: the Debezium representation of column pc of pt into dc.
 * Fails (errbuf filled, naming the table and the column) for a type
 * Debezium has no representation for, or numbers out of range.
 */
bool dbz_classify(const plan_table *pt, const plan_column *pc, dbz_col *dc,
				  char *errbuf, size_t errlen);

/* dbz_set_err: fills errbuf, if there is one */
void dbz_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* dbz_col_err: an error about one column, prefixed with the table, the
 * column and its type; always returns false */
bool dbz_col_err(char *errbuf, size_t errlen, const plan_table *pt,
				 const plan_column *pc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* dbz_snippet: a printable copy of the start of a value for an error
 * message into dst (DBZ_SNIPPET + 4 bytes); returns dst */
const char *dbz_snippet(char *dst, const char *val, size_t len);

/* Readers of MariaDB text-protocol values (s, len: not NUL-terminated). */

/* dbz_text_int: [+-]digits into a sign and a magnitude up to UINT64_MAX */
bool dbz_text_int(const char *s, size_t len, bool *neg, uint64_t *mag);

/* dbz_text_i64: a decimal integer within [lo, hi] */
bool dbz_text_i64(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out);

/* dbz_text_digits: the value of the n digits at s[i], or -1 if they are
 * not all digits (or not all there) */
int dbz_text_digits(const char *s, size_t len, size_t i, size_t n);

/* dbz_text_datetime: "YYYY-MM-DD", and with with_time
 * " HH:MM:SS[.f{1,6}]"; a zero or impossible date parses, with
 * dt->invalid set */
bool dbz_text_datetime(const char *s, size_t len, bool with_time, dbz_datetime *dt);

/* dbz_text_time: MariaDB's TIME text "[-]H{1,3}:MM:SS[.f{1,6}]" as signed
 * microseconds */
bool dbz_text_time(const char *s, size_t len, int64_t *out);

/* dbz_text_decimal: a decimal text [sign] digits [. digits] into its sign,
 * integer digits [*ib, *ie) and fraction digits [*fb, *fe); false when it
 * is not one */
bool dbz_text_decimal(const char *s, size_t len, bool *neg, size_t *ib, size_t *ie,
					  size_t *fb, size_t *fe);

/* dbz_days_in_month: of a proleptic Gregorian month (1..12) */
int dbz_days_in_month(int y, int m);

/* dbz_days_from_civil: days since 1970-01-01 of a proleptic Gregorian
 * date, negative before */
int64_t dbz_days_from_civil(int64_t y, int m, int d);

/* The epoch as text: the calendar of the decoding half. */

#define DBZ_USEC INT64_C(1000000)

/* The days of 0000-01-01 and 9999-12-31: MariaDB's dates lie between. */
#define DBZ_DAY_MIN INT64_C(-719528)
#define DBZ_DAY_MAX INT64_C(2932896)

/* dbz_date_text: "YYYY-MM-DD" of days since the epoch into dst (11 bytes);
 * false outside DBZ_DAY_MIN..DBZ_DAY_MAX */
bool dbz_date_text(int64_t days, char *dst);

/* dbz_frac_text: appends "." and the first fsp of the 6 digits of usec
 * (0..999999) to dst at *n, when fsp > 0; false when a digit beyond fsp is
 * not zero */
bool dbz_frac_text(char *dst, size_t *n, int64_t usec, int fsp);

/* dbz_datetime_text: "YYYY-MM-DD HH:MM:SS[.f]" with exactly fsp fraction
 * digits of microseconds since the epoch into dst (32 bytes), its length
 * in *n; false with *why set (a phrase: "is outside the years 0000-9999") */
bool dbz_datetime_text(int64_t us, int fsp, char *dst, size_t *n, const char **why);

/* dbz_scaled_us: v in units of unit_ns nanoseconds (1, 1000 or 1000000)
 * as microseconds, if it is within +-limit microseconds and a whole number
 * of them */
bool dbz_scaled_us(int64_t v, int64_t unit_ns, int64_t limit, int64_t *us);

/*
 * dbz_iso_us: an ISO-8601 date and time, "YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]]",
 * then 'Z', an offset (+HH:MM, +HHMM, +HH, or '-') or, when bare is
 * allowed, nothing (UTC), as microseconds since the epoch in UTC. Digits
 * beyond microseconds must be zero.
 */
bool dbz_iso_us(const char *s, size_t len, bool bare, int64_t *out);

#endif
