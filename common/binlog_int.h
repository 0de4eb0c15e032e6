/*
 * The binlog decoder's internal declarations: NOT a public interface. Only
 * the decoder's own parts include this (the decoder handle and event framing,
 * the table maps, the rows events, the rendering of values as text); every
 * other module uses binlog.h alone.
 *
 * The parts share the decoder's state (the handle, its table maps, the
 * per-event arena), the cursor discipline of the parsing functions (NEED and
 * LENENC jump to the calling function's "malformed" label), and one way of
 * reporting an error (binlog_fail, which names the event, table and column
 * being decoded). Names with external linkage carry the binlog_ prefix so
 * they cannot clash with the rest of the program.
 */
#ifndef COMMON_BINLOG_INT_H
#define COMMON_BINLOG_INT_H

#include "common/binlog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_COLUMNS     4096        /* MariaDB allows 4096 columns per table */

/* MYSQL_TYPE_* codes of table map columns */
enum {
	T_DECIMAL = 0, T_TINY = 1, T_SHORT = 2, T_LONG = 3, T_FLOAT = 4, T_DOUBLE = 5,
	T_NULL = 6, T_TIMESTAMP = 7, T_LONGLONG = 8, T_INT24 = 9, T_DATE = 10,
	T_TIME = 11, T_DATETIME = 12, T_YEAR = 13, T_NEWDATE = 14, T_VARCHAR = 15,
	T_BIT = 16, T_TIMESTAMP2 = 17, T_DATETIME2 = 18, T_TIME2 = 19,
	T_JSON = 245, T_NEWDECIMAL = 246, T_ENUM = 247, T_SET = 248,
	T_TINY_BLOB = 249, T_MEDIUM_BLOB = 250, T_LONG_BLOB = 251, T_BLOB = 252,
	T_VAR_STRING = 253, T_STRING = 254, T_GEOMETRY = 255
};

/* how the text of a column's character set reaches a utf8mb4 session */
typedef enum cs_kind {
	CS_PASS,                    /* utf8mb3, utf8mb4, ascii, or not known: as is */
	CS_BINARY,                  /* collation 63 */
	CS_LATIN1,                  /* converted to UTF-8 */
	CS_OTHER                    /* converted by the server in a way not done here */
} cs_kind;

/* --- arena ---------------------------------------------------------------- */

typedef struct arena_blk {
	struct arena_blk *next;
	size_t      cap;
	size_t      used;
	unsigned char *data;
} arena_blk;

typedef struct arena {
	arena_blk  *head;           /* newest, and so largest, block first */
} arena;

/* binlog_arena_alloc: n bytes aligned for any type, valid until the arena is
 * reset or freed; binlog_arena_trim gives back the unused tail of the last
 * allocation; binlog_arena_strndup: a NUL-terminated copy of n bytes */
void *binlog_arena_alloc(arena *a, size_t n);
void binlog_arena_trim(arena *a, const void *p, size_t used);
char *binlog_arena_strndup(arena *a, const void *s, size_t n);

/* --- byte readers ----------------------------------------------------------- */

static inline uint32_t
le16(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8;
}

static inline uint32_t
le24(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16;
}

static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* le_n: n (0-8) bytes little-endian */
static inline uint64_t
le_n(const uint8_t *p, size_t n)
{
	uint64_t	v = 0;

	for (size_t i = n; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

/* be_n: n (0-8) bytes big-endian */
static inline uint64_t
be_n(const uint8_t *p, size_t n)
{
	uint64_t	v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* sign_extend: the two's complement value of the low bits of v */
static inline int64_t
sign_extend(uint64_t v, unsigned bits)
{
	if (bits < 64 && (v & (UINT64_C(1) << (bits - 1))))
		return (int64_t) (v | ~((UINT64_C(1) << bits) - 1));
	return (int64_t) v;
}

static inline bool
bit_is_set(const uint8_t *bitmap, size_t i)
{
	return (bitmap[i / 8] >> (i % 8)) & 1;
}

/*
 * NEED: the parsing functions keep a cursor p and an end pointer; NEED(n)
 * makes sure n more bytes are there before they are read, or jumps to the
 * function's malformed exit. LENENC reads a length-encoded integer with it.
 */
#define NEED(n) do { \
		if ((size_t) (end - p) < (size_t) (n)) \
			goto malformed; \
	} while (0)

#define LENENC(v) do { \
		NEED(1); \
		if (*p < 251) { \
			(v) = *p; \
			p += 1; \
		} else if (*p == 252) { \
			NEED(3); \
			(v) = le16(p + 1); \
			p += 3; \
		} else if (*p == 253) { \
			NEED(4); \
			(v) = le24(p + 1); \
			p += 4; \
		} else if (*p == 254) { \
			NEED(9); \
			(v) = le_n(p + 1, 8); \
			p += 9; \
		} else \
			goto malformed; \
	} while (0)

/* --- decoder state ---------------------------------------------------------- */

/* A table map owned by the decoder. */
typedef struct dtable {
	binlog_table t;             /* handed out; first member */
	uint8_t    *raw;            /* the event body, to spot a changed re-map */
	size_t      rawlen;
	arena       mem;            /* names, columns, labels */
	uint64_t    last_used;      /* event counter at the last map or rows event */
	char       *unsupported;    /* why its rows cannot be decoded, or NULL */
} dtable;

struct binlog_decoder {
	binlog_table_hook hook;
	void       *ctx;
	bool        checksum;       /* events carry a CRC32 trailer */
	uint8_t     post_header[256]; /* post-header length by event type */
	arena       ev;             /* per-event memory */
	dtable    **tables;         /* sorted by table id */
	size_t      ntables;
	size_t      tables_cap;
	uint64_t    nevents;
	binlog_row *rows;           /* reused rows array */
	size_t      rows_cap;
	size_t      nvalues;        /* values allocated for the current event */
	size_t      max_values;
};

/* Where a decode is, for messages. */
typedef struct dctx {
	binlog_decoder *d;
	uint8_t     type;           /* event type */
	const binlog_table *table;  /* or NULL */
	long        col;            /* column index, or -1 */
	const uint8_t *base;        /* start of the bytes being parsed, for offsets */
	const char *base_what;      /* "event" or "uncompressed body" */
	char       *errbuf;
	size_t      errlen;
} dctx;

/* binlog_fail: writes "EVENT_NAME of table `db`.`t`, column N (`name`):
 * message" into the caller's errbuf and returns false; binlog_malformed_at
 * is the message of every malformed exit (p: where the cursor stopped) */
bool binlog_fail(dctx *dc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool binlog_malformed_at(dctx *dc, const uint8_t *p, const uint8_t *end);

/* binlog_dtable_free: frees a decoder table and everything in its arena */
void binlog_dtable_free(dtable *t);

/* binlog_table_find: the decoder's table map for id, or NULL */
dtable *binlog_table_find(binlog_decoder *d, uint64_t id);

/* binlog_inflate_body: a compressed event body into the per-event arena */
bool binlog_inflate_body(dctx *dc, const uint8_t *p, const uint8_t *end,
						 const uint8_t **out, size_t *outlen);

/* the event bodies decoded outside the framing part */
bool binlog_decode_table_map(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev);
bool binlog_decode_rows(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev);

/* --- character sets and value text ------------------------------------------ */

cs_kind binlog_cs_of(unsigned cs);
char *binlog_latin1_to_utf8(arena *a, const uint8_t *s, size_t n, size_t *len);

/* 10^0 .. 10^9 */
extern const uint32_t binlog_pow10[10];

/* Each binlog_render_* prints one value into the arena and sets out->data
 * and out->len; the ones returning bool refuse a value they cannot print
 * (binlog_render_text and binlog_render_labels with a message in dc) */
void binlog_render_int(arena *a, binlog_value *out, uint64_t raw, unsigned bits, bool is_unsigned);
void binlog_render_year(arena *a, binlog_value *out, uint8_t raw);
void binlog_render_real(arena *a, binlog_value *out, double x, bool is_float, int decimals);
size_t binlog_decimal_size(unsigned prec, unsigned scale);
bool binlog_render_decimal(arena *a, binlog_value *out, const uint8_t *p, unsigned prec,
						   unsigned scale);
void binlog_render_datetime(arena *a, binlog_value *out, unsigned y, unsigned mo, unsigned d,
							bool with_time, unsigned h, unsigned mi, unsigned s, uint32_t usec,
							unsigned fsp);
void binlog_render_time(arena *a, binlog_value *out, bool neg, unsigned h, unsigned mi,
						unsigned s, uint32_t usec, unsigned fsp);
void binlog_render_timestamp(arena *a, binlog_value *out, uint32_t sec, uint32_t usec,
							 unsigned fsp);
bool binlog_render_fixed_binary(arena *a, binlog_value *out, binlog_render render,
								const uint8_t *v, size_t len);
bool binlog_render_text(dctx *dc, binlog_value *out, const binlog_column *col,
						const uint8_t *v, size_t len, size_t pad_to);
bool binlog_render_labels(dctx *dc, binlog_value *out, const binlog_column *col, uint64_t v);

#endif
