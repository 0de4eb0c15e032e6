/*
 * MariaDB binlog event decoder; see binlog.h for the contract.
 *
 * Decoding works like this. binlog_decode resets the per-event arena, reads
 * the 19-byte common header, checks that event_size matches the bytes given
 * and verifies the CRC32 trailer when the binlog has checksums, then hands
 * the body (trailer cut off) to one function per event type. Every parsing
 * function walks its bytes with a cursor p up to end and asks for bytes with
 * NEED(n) before it reads them; a short or inconsistent event jumps to the
 * function's one malformed exit, which writes what was wrong into the
 * caller's errbuf. Integers are read with explicit little- and big-endian
 * readers, never by laying structs over the bytes.
 *
 * FORMAT_DESCRIPTION sets the checksum mode (its own trailing algorithm
 * byte) and the post-header lengths. TABLE_MAP events are parsed into
 * decoder-owned tables (each with its own arena) kept in an array sorted by
 * table id; a re-map with identical bytes is the same table, anything else
 * replaces it and goes through the caller's hook again. The least recently
 * used table is dropped when there are too many (the hook sees it again if
 * it comes back).
 *
 * Rows events give, per row, arrays of table->ncols values in MariaDB's
 * text-protocol form (what mysql_fetch_row returns on a utf8mb4 session with
 * time_zone '+00:00'). Each row image starts with a null bitmap over the
 * columns present in the image (MINIMAL images leave columns out), then the
 * values of present non-NULL columns in their binary row format:
 * little-endian integers, MariaDB's packed decimal, big-endian temporal
 * types, length-prefixed strings. Rendering rules that are not obvious:
 *   - FLOAT and DOUBLE are printed as MariaDB's my_gcvt does: FLOAT with 6
 *     significant digits, DOUBLE with the shortest digits that read back to
 *     the same double, 'f' notation for exponents -15..15 and 'e' notation
 *     without '+' or zero padding otherwise ("1e20", "1.5e-7");
 *   - latin1 text (MariaDB's latin1 is Windows-1252 with the five holes
 *     mapped to C1 controls) is converted to UTF-8, as the server converts it
 *     for a utf8mb4 session; utf8mb3, utf8mb4, ascii and binary pass as they
 *     are, and other character sets are refused rather than passed wrongly;
 *   - BINARY(n) values (CHAR with collation 63) get back the trailing zero
 *     bytes the binlog strips, as the text protocol returns n bytes;
 *   - INET4, INET6 and UUID are plain BINARY(4)/BINARY(16) in the binlog; the
 *     hook's render hint prints them as MariaDB does (for UUID the binlog
 *     carries the bytes in text order, not the swapped record order).
 *
 * Memory: every pointer handed out for an event lives in the per-event arena,
 * which is reset (its largest block kept) at the next decode.
 */
#include "common/binlog.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HEADER_LEN      19          /* v4 common header */
#define CHECKSUM_LEN    4
#define FDE_FIXED_LEN   57          /* version 2 + server version 50 + time 4 + header length 1 */
#define IGNORABLE_F     0x80        /* LOG_EVENT_IGNORABLE_F */
#define MAX_COLUMNS     4096        /* MariaDB allows 4096 columns per table */
#define MAX_TABLES      16384       /* table maps kept before the least recently used goes */
#define MAX_VALUES      (1u << 21)  /* values per event beyond 8 per byte (sparse MINIMAL images) */
#define MAX_INFLATED    (1u << 30)  /* an uncompressed event body (max_allowed_packet is 1 GB) */
#define ZLIB_MAX_RATIO  1032        /* deflate cannot expand more than this */
#define ARENA_MIN       8192
#define ARENA_KEEP      (16u << 20) /* a block larger than this is freed at reset */
#define ARENA_ALIGN     16

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

/* optional metadata (TLV) types of a table map */
enum {
	OM_SIGNEDNESS = 1, OM_DEFAULT_CHARSET, OM_COLUMN_CHARSET, OM_COLUMN_NAME,
	OM_SET_STR_VALUE, OM_ENUM_STR_VALUE, OM_GEOMETRY_TYPE, OM_SIMPLE_PRIMARY_KEY,
	OM_PRIMARY_KEY_WITH_PREFIX, OM_ENUM_AND_SET_DEFAULT_CHARSET,
	OM_ENUM_AND_SET_COLUMN_CHARSET
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

/* arena_alloc: n bytes aligned for any type, valid until reset or free */
static void *
arena_alloc(arena *a, size_t n)
{
	arena_blk  *b = a->head;
	size_t		off = 0;

	if (b)
		off = (b->used + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
	if (!b || off > b->cap || n > b->cap - off) {
		size_t		cap = b ? b->cap * 2 : ARENA_MIN;

		if (cap > ARENA_KEEP)
			cap = ARENA_KEEP;
		if (cap < n)
			cap = n;
		b = xmalloc(sizeof(*b));
		b->data = xmalloc(cap);
		b->cap = cap;
		b->next = a->head;
		a->head = b;
		off = 0;
	}
	b->used = off + n;
	return b->data + off;
}

/* arena_trim: gives back the unused tail of the last allocation p of the arena */
static void
arena_trim(arena *a, const void *p, size_t used)
{
	arena_blk  *b = a->head;

	if (b && (const unsigned char *) p >= b->data && (const unsigned char *) p <= b->data + b->used)
		b->used = (size_t) ((const unsigned char *) p - b->data) + used;
}

/* arena_strndup: a NUL-terminated copy of n bytes */
static char *
arena_strndup(arena *a, const void *s, size_t n)
{
	char	   *p = arena_alloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* arena_reset: forgets every allocation, keeping one block for reuse */
static void
arena_reset(arena *a)
{
	arena_blk  *b = a->head;

	if (!b)
		return;
	arena_blk  *rest = b->next;

	if (b->cap > ARENA_KEEP) {
		rest = b;
		a->head = NULL;
	} else {
		b->next = NULL;
		b->used = 0;
	}
	while (rest) {
		arena_blk  *next = rest->next;

		free(rest->data);
		free(rest);
		rest = next;
	}
}

static void
arena_free(arena *a)
{
	while (a->head) {
		arena_blk  *next = a->head->next;

		free(a->head->data);
		free(a->head);
		a->head = next;
	}
}

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

static bool fail(dctx *dc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fail: writes "EVENT_NAME of table `db`.`t`, column N (`name`): message"
 * into the caller's errbuf; returns false for the caller to pass up */
static bool
fail(dctx *dc, const char *fmt, ...)
{
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!dc->errbuf || dc->errlen == 0)
		return false;

	char		where[256] = "";
	size_t		n = 0;
	const char *name = binlog_event_name(dc->type);

	if (strcmp(name, "UNKNOWN_EVENT") == 0)
		n += (size_t) snprintf(where, sizeof(where), " (type %u)", dc->type);
	if (dc->table && n < sizeof(where))
		n += (size_t) snprintf(where + n, sizeof(where) - n, " of table `%s`.`%s`",
							   dc->table->db, dc->table->name);
	if (dc->table && dc->col >= 0 && (size_t) dc->col < dc->table->ncols && n < sizeof(where)) {
		const char *cname = dc->table->cols[dc->col].name;

		if (cname)
			snprintf(where + n, sizeof(where) - n, ", column %ld (`%s`)", dc->col + 1, cname);
		else
			snprintf(where + n, sizeof(where) - n, ", column %ld", dc->col + 1);
	}
	snprintf(dc->errbuf, dc->errlen, "%s%s: %s", name, where, msg);
	return false;
}

/* malformed: the message of every malformed exit */
static bool
malformed_at(dctx *dc, const uint8_t *p, const uint8_t *end)
{
	return fail(dc, "truncated or malformed at byte %td of %td of the %s",
				p - dc->base, end - dc->base, dc->base_what);
}

const char *
binlog_event_name(uint8_t type)
{
	switch (type) {
	case 1: return "START_EVENT_V3";
	case BINLOG_QUERY_EVENT: return "QUERY_EVENT";
	case BINLOG_STOP_EVENT: return "STOP_EVENT";
	case BINLOG_ROTATE_EVENT: return "ROTATE_EVENT";
	case BINLOG_INTVAR_EVENT: return "INTVAR_EVENT";
	case 6: return "LOAD_EVENT";
	case 7: return "SLAVE_EVENT";
	case 8: return "CREATE_FILE_EVENT";
	case 9: return "APPEND_BLOCK_EVENT";
	case 10: return "EXEC_LOAD_EVENT";
	case 11: return "DELETE_FILE_EVENT";
	case 12: return "NEW_LOAD_EVENT";
	case BINLOG_RAND_EVENT: return "RAND_EVENT";
	case BINLOG_USER_VAR_EVENT: return "USER_VAR_EVENT";
	case BINLOG_FORMAT_DESCRIPTION_EVENT: return "FORMAT_DESCRIPTION_EVENT";
	case BINLOG_XID_EVENT: return "XID_EVENT";
	case 17: return "BEGIN_LOAD_QUERY_EVENT";
	case 18: return "EXECUTE_LOAD_QUERY_EVENT";
	case BINLOG_TABLE_MAP_EVENT: return "TABLE_MAP_EVENT";
	case 20: return "PRE_GA_WRITE_ROWS_EVENT";
	case 21: return "PRE_GA_UPDATE_ROWS_EVENT";
	case 22: return "PRE_GA_DELETE_ROWS_EVENT";
	case BINLOG_WRITE_ROWS_EVENT_V1: return "WRITE_ROWS_EVENT_V1";
	case BINLOG_UPDATE_ROWS_EVENT_V1: return "UPDATE_ROWS_EVENT_V1";
	case BINLOG_DELETE_ROWS_EVENT_V1: return "DELETE_ROWS_EVENT_V1";
	case 26: return "INCIDENT_EVENT";
	case BINLOG_HEARTBEAT_LOG_EVENT: return "HEARTBEAT_LOG_EVENT";
	case 28: return "IGNORABLE_LOG_EVENT";
	case 29: return "ROWS_QUERY_LOG_EVENT";
	case BINLOG_WRITE_ROWS_EVENT: return "WRITE_ROWS_EVENT";
	case BINLOG_UPDATE_ROWS_EVENT: return "UPDATE_ROWS_EVENT";
	case BINLOG_DELETE_ROWS_EVENT: return "DELETE_ROWS_EVENT";
	case BINLOG_ANNOTATE_ROWS_EVENT: return "ANNOTATE_ROWS_EVENT";
	case BINLOG_BINLOG_CHECKPOINT_EVENT: return "BINLOG_CHECKPOINT_EVENT";
	case BINLOG_GTID_EVENT: return "GTID_EVENT";
	case BINLOG_GTID_LIST_EVENT: return "GTID_LIST_EVENT";
	case BINLOG_START_ENCRYPTION_EVENT: return "START_ENCRYPTION_EVENT";
	case BINLOG_QUERY_COMPRESSED_EVENT: return "QUERY_COMPRESSED_EVENT";
	case BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1: return "WRITE_ROWS_COMPRESSED_EVENT_V1";
	case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1: return "UPDATE_ROWS_COMPRESSED_EVENT_V1";
	case BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1: return "DELETE_ROWS_COMPRESSED_EVENT_V1";
	case BINLOG_WRITE_ROWS_COMPRESSED_EVENT: return "WRITE_ROWS_COMPRESSED_EVENT";
	case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT: return "UPDATE_ROWS_COMPRESSED_EVENT";
	case BINLOG_DELETE_ROWS_COMPRESSED_EVENT: return "DELETE_ROWS_COMPRESSED_EVENT";
	default: return "UNKNOWN_EVENT";
	}
}

/* default_post_headers: MariaDB 10.x's post-header lengths, used until a
 * FORMAT_DESCRIPTION event gives them */
static void
default_post_headers(binlog_decoder *d)
{
	memset(d->post_header, 0, sizeof(d->post_header));
	d->post_header[BINLOG_QUERY_EVENT] = 13;
	d->post_header[BINLOG_ROTATE_EVENT] = 8;
	d->post_header[BINLOG_FORMAT_DESCRIPTION_EVENT] = 84;
	d->post_header[BINLOG_TABLE_MAP_EVENT] = 8;
	for (int t = BINLOG_WRITE_ROWS_EVENT_V1; t <= BINLOG_DELETE_ROWS_EVENT_V1; t++)
		d->post_header[t] = 8;
	for (int t = BINLOG_WRITE_ROWS_EVENT; t <= BINLOG_DELETE_ROWS_EVENT; t++)
		d->post_header[t] = 10;
	d->post_header[BINLOG_ANNOTATE_ROWS_EVENT] = 0;
	d->post_header[BINLOG_BINLOG_CHECKPOINT_EVENT] = 4;
	d->post_header[BINLOG_GTID_EVENT] = 19;
	d->post_header[BINLOG_GTID_LIST_EVENT] = 4;
	d->post_header[BINLOG_QUERY_COMPRESSED_EVENT] = 13;
	for (int t = BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1; t <= BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1; t++)
		d->post_header[t] = 8;
	for (int t = BINLOG_WRITE_ROWS_COMPRESSED_EVENT; t <= BINLOG_DELETE_ROWS_COMPRESSED_EVENT; t++)
		d->post_header[t] = 10;
}

binlog_decoder *
binlog_decoder_new(binlog_table_hook hook, void *ctx)
{
	binlog_decoder *d = xcalloc(1, sizeof(*d));

	d->hook = hook;
	d->ctx = ctx;
	default_post_headers(d);
	return d;
}

static void
dtable_free(dtable *t)
{
	if (!t)
		return;
	arena_free(&t->mem);
	free(t->raw);
	free(t->unsupported);
	free(t);
}

void
binlog_decoder_free(binlog_decoder *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ntables; i++)
		dtable_free(d->tables[i]);
	free(d->tables);
	free(d->rows);
	arena_free(&d->ev);
	free(d);
}

void
binlog_decoder_set_checksum(binlog_decoder *d, bool on)
{
	d->checksum = on;
}

/* table_slot: the index of table id in the sorted array, or where it goes */
static size_t
table_slot(const binlog_decoder *d, uint64_t id, bool *found)
{
	size_t		lo = 0, hi = d->ntables;

	while (lo < hi) {
		size_t		mid = lo + (hi - lo) / 2;
		uint64_t	mid_id = d->tables[mid]->t.table_id;

		if (mid_id == id) {
			*found = true;
			return mid;
		}
		if (mid_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static dtable *
table_find(binlog_decoder *d, uint64_t id)
{
	bool		found;
	size_t		i = table_slot(d, id, &found);

	return found ? d->tables[i] : NULL;
}

/* table_put: stores t, replacing (and freeing) a table of the same id; drops
 * the least recently used table when there are too many */
static void
table_put(binlog_decoder *d, dtable *t)
{
	bool		found;
	size_t		i = table_slot(d, t->t.table_id, &found);

	if (found) {
		dtable_free(d->tables[i]);
		d->tables[i] = t;
		return;
	}
	if (d->ntables >= MAX_TABLES) {
		size_t		lru = 0;

		for (size_t k = 1; k < d->ntables; k++)
			if (d->tables[k]->last_used < d->tables[lru]->last_used)
				lru = k;
		dtable_free(d->tables[lru]);
		memmove(&d->tables[lru], &d->tables[lru + 1], (d->ntables - lru - 1) * sizeof(dtable *));
		d->ntables--;
		if (lru < i)
			i--;
	}
	if (d->ntables == d->tables_cap) {
		d->tables_cap = d->tables_cap ? d->tables_cap * 2 : 16;
		d->tables = xrealloc(d->tables, d->tables_cap * sizeof(dtable *));
	}
	memmove(&d->tables[i + 1], &d->tables[i], (d->ntables - i) * sizeof(dtable *));
	d->tables[i] = t;
	d->ntables++;
}

/* --- character sets ----------------------------------------------------------- */

/* cs_of: how text in collation id cs reaches a utf8mb4 session. The ids are
 * MariaDB 10.11's (information_schema.COLLATION_CHARACTER_SET_APPLICABILITY);
 * 0 means the binlog did not say. */
static cs_kind
cs_of(unsigned cs)
{
	switch (cs) {
	case 0:
		return CS_PASS;
	case 63:
		return CS_BINARY;
	case 5: case 8: case 15: case 31: case 47: case 48: case 49: case 94:
	case 1032: case 1071:
		return CS_LATIN1;
	case 11: case 65: case 1035: case 1089:     /* ascii */
	case 33: case 83: case 223: case 576: case 577: case 578:   /* utf8mb3 */
	case 1057: case 1107: case 1216: case 1238:
	case 45: case 46: case 608: case 609: case 610:             /* utf8mb4 */
	case 1069: case 1070: case 1248: case 1270:
		return CS_PASS;
	default:
		break;
	}
	if ((cs >= 192 && cs <= 215) || (cs >= 224 && cs <= 247))
		return CS_PASS;         /* utf8mb3_*, utf8mb4_* unicode collations */
	if (cs >= 2048 && cs <= 2559)
		return CS_PASS;         /* utf8mb3_uca1400_*, utf8mb4_uca1400_* */
	return CS_OTHER;
}

/* Unicode code points of Windows-1252's 0x80-0x9F as MariaDB's latin1 maps
 * them (the five unassigned bytes map to the C1 controls of the same value) */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

/* latin1_to_utf8: converts n latin1 bytes; returns an arena string (len set) */
static char *
latin1_to_utf8(arena *a, const uint8_t *s, size_t n, size_t *len)
{
	char	   *out = arena_alloc(a, 3 * n + 1);
	size_t		o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned	c = s[i];

		if (c >= 0x80 && c < 0xA0)
			c = cp1252_high[c - 0x80];
		if (c < 0x80)
			out[o++] = (char) c;
		else if (c < 0x800) {
			out[o++] = (char) (0xC0 | c >> 6);
			out[o++] = (char) (0x80 | (c & 0x3F));
		} else {
			out[o++] = (char) (0xE0 | c >> 12);
			out[o++] = (char) (0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char) (0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
	arena_trim(a, out, o + 1);
	*len = o;
	return out;
}

/* --- table map ---------------------------------------------------------------- */

/* meta_bytes: bytes of table-map metadata for a column type, or -1 for a
 * type this decoder does not know */
static int
meta_bytes(uint8_t type)
{
	switch (type) {
	case T_TINY: case T_SHORT: case T_LONG: case T_NULL: case T_TIMESTAMP:
	case T_LONGLONG: case T_INT24: case T_DATE: case T_TIME: case T_DATETIME:
	case T_YEAR: case T_NEWDATE:
		return 0;
	case T_FLOAT: case T_DOUBLE: case T_TIMESTAMP2: case T_DATETIME2: case T_TIME2:
	case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB: case T_BLOB:
	case T_GEOMETRY: case T_JSON:
		return 1;
	case T_VARCHAR: case T_VAR_STRING: case T_BIT: case T_NEWDECIMAL:
	case T_ENUM: case T_SET: case T_STRING:
		return 2;
	default:
		return -1;
	}
}

/* is_numeric_type: the columns SIGNEDNESS has a bit for: MariaDB's numeric
 * fields, which include YEAR (unlike MySQL's list) */
static bool
is_numeric_type(uint8_t type)
{
	switch (type) {
	case T_TINY: case T_SHORT: case T_INT24: case T_LONG: case T_LONGLONG:
	case T_NEWDECIMAL: case T_FLOAT: case T_DOUBLE: case T_YEAR: case T_DECIMAL:
		return true;
	default:
		return false;
	}
}

/* is_character_type: the columns DEFAULT_CHARSET and COLUMN_CHARSET count
 * (by real type, so not ENUM and SET; geometry is a blob underneath) */
static bool
is_character_type(uint8_t type)
{
	switch (type) {
	case T_STRING: case T_VAR_STRING: case T_VARCHAR: case T_BLOB:
	case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB: case T_GEOMETRY:
		return true;
	default:
		return false;
	}
}

static bool
is_enum_or_set(uint8_t type)
{
	return type == T_ENUM || type == T_SET;
}

/*
 * column_meta: sets col->type and col->meta from the table map's type byte
 * and metadata bytes m (meta_bytes(type) of them). False for metadata that
 * makes no sense; *why says what.
 */
static bool
column_meta(binlog_column *col, uint8_t type, const uint8_t *m, const char **why)
{
	col->type = type;
	col->meta = 0;
	switch (type) {
	case T_FLOAT:
	case T_DOUBLE:
		col->meta = m[0];
		if (m[0] != (type == T_FLOAT ? 4 : 8)) {
			*why = "FLOAT/DOUBLE of an unexpected size";
			return false;
		}
		return true;
	case T_TIMESTAMP2:
	case T_DATETIME2:
	case T_TIME2:
		col->meta = m[0];
		if (m[0] > 6) {
			*why = "more than 6 fractional digits";
			return false;
		}
		return true;
	case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB: case T_BLOB:
	case T_GEOMETRY: case T_JSON:
		col->meta = m[0];
		if (m[0] < 1 || m[0] > 4) {
			*why = "blob length prefix not of 1-4 bytes";
			return false;
		}
		return true;
	case T_VARCHAR:
	case T_VAR_STRING:
		col->meta = (uint16_t) le16(m);
		return true;
	case T_BIT:
		if (m[0] > 7 || m[1] > 8 || m[1] * 8 + m[0] == 0 || m[1] * 8 + m[0] > 64) {
			*why = "BIT length out of range";
			return false;
		}
		col->meta = (uint16_t) (m[1] * 8 + m[0]);
		return true;
	case T_NEWDECIMAL:
		if (m[0] < 1 || m[0] > 65 || m[1] > 38 || m[1] > m[0]) {
			*why = "DECIMAL precision or scale out of range";
			return false;
		}
		col->meta = (uint16_t) (m[0] << 8 | m[1]);
		return true;
	case T_ENUM:
	case T_SET:
		col->meta = m[1];
		break;
	case T_STRING:
		/* byte 0 is the real type; CHAR longer than 255 bytes keeps the
		 * two high bits of its length, inverted, in bits 4-5 of it */
		if ((m[0] & 0x30) != 0x30) {
			col->type = m[0] | 0x30;
			col->meta = (uint16_t) (m[1] | (((m[0] & 0x30) ^ 0x30) << 4));
		} else {
			col->type = m[0];
			col->meta = m[1];
		}
		if (col->type != T_STRING && col->type != T_ENUM && col->type != T_SET) {
			*why = "CHAR column with an unknown real type";
			return false;
		}
		break;
	default:
		return true;
	}
	if (col->type == T_ENUM && col->meta != 1 && col->meta != 2) {
		*why = "ENUM value not of 1 or 2 bytes";
		return false;
	}
	if (col->type == T_SET && (col->meta < 1 || col->meta > 8)) {
		*why = "SET value not of 1-8 bytes";
		return false;
	}
	return true;
}

/* charset_list: a DEFAULT_CHARSET-style field (default collation, then
 * pairs of index among the counted columns and collation) or, with
 * per_column, a COLUMN_CHARSET-style one (one collation per counted column);
 * applied to the columns that counts() accepts */
static bool
charset_list(dctx *dc, binlog_table *t, const uint8_t *p, const uint8_t *end,
			 bool per_column, bool (*counts)(uint8_t))
{
	size_t	   *idx = xmalloc(t->ncols * sizeof(size_t));
	size_t		ncounted = 0;
	uint64_t	v;

	for (size_t i = 0; i < t->ncols; i++)
		if (counts(t->cols[i].type))
			idx[ncounted++] = i;
	if (!per_column) {
		LENENC(v);
		for (size_t k = 0; k < ncounted; k++)
			t->cols[idx[k]].charset = (unsigned) v;
		while (p < end) {
			uint64_t	k;

			LENENC(k);
			LENENC(v);
			if (k >= ncounted)
				goto malformed;
			t->cols[idx[k]].charset = (unsigned) v;
		}
	} else {
		for (size_t k = 0; k < ncounted; k++) {
			LENENC(v);
			t->cols[idx[k]].charset = (unsigned) v;
		}
		if (p != end)
			goto malformed;
	}
	free(idx);
	return true;
malformed:
	free(idx);
	return fail(dc, "malformed character set metadata");
}

/* label_list: SET_STR_VALUE or ENUM_STR_VALUE: for each column of that type,
 * a count and the labels (in the column's character set, converted later) */
static bool
label_list(dctx *dc, dtable *dt, const uint8_t *p, const uint8_t *end, uint8_t type)
{
	binlog_table *t = &dt->t;

	for (size_t i = 0; i < t->ncols; i++) {
		binlog_column *col = &t->cols[i];
		uint64_t	n;

		if (col->type != type)
			continue;
		LENENC(n);
		/* each label takes at least a byte */
		if (n > (uint64_t) (end - p))
			goto malformed;
		const char **labels = arena_alloc(&dt->mem, (n ? n : 1) * sizeof(char *));

		for (uint64_t j = 0; j < n; j++) {
			uint64_t	len;

			LENENC(len);
			NEED(len);
			labels[j] = arena_strndup(&dt->mem, p, (size_t) len);
			p += len;
		}
		col->labels = labels;
		col->nlabels = (size_t) n;
	}
	if (p != end)
		goto malformed;
	return true;
malformed:
	return fail(dc, "malformed %s label metadata", type == T_ENUM ? "ENUM" : "SET");
}

/* column_names: COLUMN_NAME: a length-prefixed name per column */
static bool
column_names(dctx *dc, dtable *dt, const uint8_t *p, const uint8_t *end)
{
	for (size_t i = 0; i < dt->t.ncols; i++) {
		uint64_t	n;

		LENENC(n);
		NEED(n);
		dt->t.cols[i].name = arena_strndup(&dt->mem, p, (size_t) n);
		p += n;
	}
	if (p != end)
		goto malformed;
	return true;
malformed:
	return fail(dc, "malformed COLUMN_NAME metadata");
}

/* primary_key: SIMPLE_PRIMARY_KEY (column indexes) or PRIMARY_KEY_WITH_PREFIX
 * (pairs of column index and prefix length) */
static bool
primary_key(dctx *dc, binlog_table *t, const uint8_t *p, const uint8_t *end, bool with_prefix)
{
	while (p < end) {
		uint64_t	idx, prefix;

		LENENC(idx);
		if (with_prefix)
			LENENC(prefix);
		(void) prefix;
		if (idx >= t->ncols)
			goto malformed;
		t->cols[idx].is_pk = true;
	}
	return true;
malformed:
	return fail(dc, "malformed primary key metadata");
}

/* optional_metadata: the TLV fields after the null bitmap (binlog_row_metadata
 * MINIMAL or FULL); unknown ones are skipped */
static bool
optional_metadata(dctx *dc, dtable *dt, const uint8_t *p, const uint8_t *end)
{
	binlog_table *t = &dt->t;

	while (p < end) {
		uint8_t		type;
		uint64_t	len;

		NEED(1);
		type = *p++;
		LENENC(len);
		NEED(len);

		const uint8_t *f = p, *fend = p + len;

		p += len;
		switch (type) {
		case OM_SIGNEDNESS: {
			/* one bit per numeric column, most significant bit first */
			size_t		k = 0;

			for (size_t i = 0; i < t->ncols; i++) {
				if (!is_numeric_type(t->cols[i].type))
					continue;
				if (k / 8 >= len)
					return fail(dc, "SIGNEDNESS metadata shorter than the numeric columns");
				t->cols[i].is_unsigned = (f[k / 8] >> (7 - k % 8)) & 1;
				t->cols[i].has_signedness = true;
				k++;
			}
			break;
		}
		case OM_DEFAULT_CHARSET:
		case OM_COLUMN_CHARSET:
			if (!charset_list(dc, t, f, fend, type == OM_COLUMN_CHARSET, is_character_type))
				return false;
			break;
		case OM_ENUM_AND_SET_DEFAULT_CHARSET:
		case OM_ENUM_AND_SET_COLUMN_CHARSET:
			if (!charset_list(dc, t, f, fend, type == OM_ENUM_AND_SET_COLUMN_CHARSET, is_enum_or_set))
				return false;
			break;
		case OM_COLUMN_NAME:
			if (!column_names(dc, dt, f, fend))
				return false;
			break;
		case OM_SET_STR_VALUE:
			if (!label_list(dc, dt, f, fend, T_SET))
				return false;
			break;
		case OM_ENUM_STR_VALUE:
			if (!label_list(dc, dt, f, fend, T_ENUM))
				return false;
			break;
		case OM_SIMPLE_PRIMARY_KEY:
		case OM_PRIMARY_KEY_WITH_PREFIX:
			if (!primary_key(dc, t, f, fend, type == OM_PRIMARY_KEY_WITH_PREFIX))
				return false;
			break;
		default:
			break;              /* GEOMETRY_TYPE and fields of later versions */
		}
	}
	return true;
malformed:
	return malformed_at(dc, p, end);
}

/* convert_labels: ENUM/SET labels from the binlog are in the column's
 * character set; the text protocol shows them in UTF-8 */
static void
convert_labels(dtable *dt)
{
	for (size_t i = 0; i < dt->t.ncols; i++) {
		binlog_column *col = &dt->t.cols[i];

		if (!is_enum_or_set(col->type) || cs_of(col->charset) != CS_LATIN1)
			continue;
		for (size_t j = 0; j < col->nlabels; j++) {
			size_t		len;

			col->labels[j] = latin1_to_utf8(&dt->mem, (const uint8_t *) col->labels[j],
											strlen(col->labels[j]), &len);
		}
	}
}

/* decode_table_map: parses a TABLE_MAP event into a decoder table, asks the
 * hook about a new or changed one */
static bool
decode_table_map(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	const uint8_t *p = body;
	uint8_t		ph = d->post_header[BINLOG_TABLE_MAP_EVENT];
	uint64_t	id;
	dtable	   *dt = NULL;

	if (ph != 6 && ph < 8)
		return fail(dc, "post-header of %u bytes is not supported", ph);
	NEED(ph);
	id = ph == 6 ? le32(p) : le_n(p, 6);
	p += ph;

	dtable	   *old = table_find(d, id);

	if (old && old->rawlen == (size_t) (end - body) && memcmp(old->raw, body, old->rawlen) == 0) {
		old->last_used = d->nevents;
		ev->kind = BINLOG_EV_TABLE_MAP;
		ev->u.table_map = &old->t;
		return true;
	}

	dt = xcalloc(1, sizeof(*dt));

	binlog_table *t = &dt->t;
	uint64_t	ncols, metalen;
	uint8_t		n;

	t->table_id = id;
	t->wanted = true;
	NEED(1);
	n = *p++;
	NEED(n + 1);
	if (p[n] != 0)
		goto malformed;
	t->db = arena_strndup(&dt->mem, p, n);
	p += n + 1;
	NEED(1);
	n = *p++;
	NEED(n + 1);
	if (p[n] != 0)
		goto malformed;
	t->name = arena_strndup(&dt->mem, p, n);
	p += n + 1;
	dc->table = t;

	LENENC(ncols);
	if (ncols == 0 || ncols > MAX_COLUMNS) {
		fail(dc, "%" PRIu64 " columns (1 to %d expected)", ncols, MAX_COLUMNS);
		goto out;
	}
	NEED(ncols);
	t->ncols = (size_t) ncols;
	t->cols = arena_alloc(&dt->mem, t->ncols * sizeof(binlog_column));
	memset(t->cols, 0, t->ncols * sizeof(binlog_column));

	const uint8_t *types = p;

	p += ncols;
	LENENC(metalen);
	NEED(metalen);

	const uint8_t *m = p, *mend = p + metalen;

	p += metalen;
	for (size_t i = 0; i < t->ncols; i++) {
		binlog_column *col = &t->cols[i];
		int			mb = meta_bytes(types[i]);
		const char *why = NULL;

		col->type = types[i];
		col->decimals = -1;
		if (dt->unsupported)
			continue;
		if (mb < 0) {
			dt->unsupported = xasprintf("column %zu has type %u, which this decoder does not know",
										i + 1, types[i]);
			continue;
		}
		if ((size_t) (mend - m) < (size_t) mb)
			goto malformed;
		if (!column_meta(col, types[i], m, &why)) {
			dc->col = (long) i;
			fail(dc, "%s", why);
			goto out;
		}
		m += mb;
	}
	if (!dt->unsupported && m != mend)
		goto malformed;

	NEED((ncols + 7) / 8);
	for (size_t i = 0; i < t->ncols; i++)
		t->cols[i].nullable = bit_is_set(p, i);
	p += (ncols + 7) / 8;

	if (!optional_metadata(dc, dt, p, end))
		goto out;
	convert_labels(dt);

	dt->raw = xmalloc((size_t) (end - body) + 1);
	memcpy(dt->raw, body, (size_t) (end - body));
	dt->rawlen = (size_t) (end - body);
	dt->last_used = d->nevents;
	if (d->hook) {
		char		herr[512] = "";

		if (!d->hook(t, d->ctx, herr, sizeof(herr))) {
			fail(dc, "%s", herr[0] ? herr : "refused by the table hook");
			goto out;
		}
	}
	table_put(d, dt);
	ev->kind = BINLOG_EV_TABLE_MAP;
	ev->u.table_map = t;
	return true;

malformed:
	malformed_at(dc, p, end);
out:
	dtable_free(dt);
	return false;
}

/* --- values ------------------------------------------------------------------ */

/* put_u64: decimal digits of v at dst; returns their number */
static size_t
put_u64(char *dst, uint64_t v)
{
	char		tmp[20];
	size_t		n = 0;

	do {
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

/* put_digits: v as exactly n decimal digits (zero-padded, v < 10^n) */
static void
put_digits(char *dst, uint64_t v, size_t n)
{
	for (size_t i = n; i > 0; i--) {
		dst[i - 1] = (char) ('0' + v % 10);
		v /= 10;
	}
}

/* render_int: a signed or unsigned integer of the given bits */
static void
render_int(arena *a, binlog_value *out, uint64_t raw, unsigned bits, bool is_unsigned)
{
	char	   *s = arena_alloc(a, 21);
	size_t		n = 0;

	if (is_unsigned)
		n = put_u64(s, raw);
	else {
		int64_t		v = sign_extend(raw, bits);

		if (v < 0) {
			s[n++] = '-';
			n += put_u64(s + n, (uint64_t) 0 - (uint64_t) v);
		} else
			n = put_u64(s, (uint64_t) v);
	}
	arena_trim(a, s, n);
	out->data = s;
	out->len = n;
}

/*
 * gcvt_format: formats significant digits dig[0..len) (no trailing zeros,
 * value 0.DIG * 10^decpt) as MariaDB's my_gcvt does for a field wide enough
 * for every digit: 'f' notation when -15 < decpt and (decpt <= 15 or the
 * number has a fraction), else 'e' notation as d.ddde[-]x.
 */
static size_t
gcvt_format(char *dst, bool neg, const char *dig, int len, int decpt)
{
	size_t		n = 0;

	if (neg)
		dst[n++] = '-';
	if (decpt >= -14 && (decpt <= 15 || len > decpt)) {
		if (decpt <= 0) {
			dst[n++] = '0';
			dst[n++] = '.';
			for (int i = decpt; i < 0; i++)
				dst[n++] = '0';
			memcpy(dst + n, dig, (size_t) len);
			n += (size_t) len;
		} else {
			for (int i = 0; i < len; i++) {
				dst[n++] = dig[i];
				if (i + 1 == decpt && i + 1 < len)
					dst[n++] = '.';
			}
			for (int i = len; i < decpt; i++)
				dst[n++] = '0';
		}
		return n;
	}
	int			e = decpt - 1;

	dst[n++] = dig[0];
	if (len > 1) {
		dst[n++] = '.';
		memcpy(dst + n, dig + 1, (size_t) len - 1);
		n += (size_t) len - 1;
	}
	dst[n++] = 'e';
	if (e < 0) {
		dst[n++] = '-';
		e = -e;
	}
	n += put_u64(dst + n, (uint64_t) e);
	return n;
}

/* e_digits: the significant digits of snprintf's "%.Ne" output in s, without
 * trailing zeros, and the decimal point position for gcvt_format */
static int
e_digits(const char *s, char *dig, int *decpt)
{
	int			len = 0;
	const char *e = strchr(s, 'e');

	if (!e)
		return 0;
	for (const char *q = s; q < e; q++)
		if (*q >= '0' && *q <= '9')
			dig[len++] = *q;
	*decpt = (int) strtol(e + 1, NULL, 10) + 1;
	while (len > 1 && dig[len - 1] == '0')
		len--;
	return len;
}

int
binlog_real_digits(double ax, bool is_float, char *dig, int *decpt)
{
	char		tmp[64];

	if (ax == 0) {
		dig[0] = '0';
		*decpt = 1;
		return 1;
	}
	if (is_float) {
		snprintf(tmp, sizeof(tmp), "%.5e", ax);
		return e_digits(tmp, dig, decpt);
	}
	/* the shortest correctly rounded digits that read back as ax; at a power
	 * of two the gap above is twice the gap below, so the digit string one
	 * unit up may read back where the nearest one does not */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, ax);
		if (strtod(tmp, NULL) == ax || prec == 17)
			return e_digits(tmp, dig, decpt);
		char		up[64];
		char	   *e = strchr(tmp, 'e');

		if (!e || (size_t) (e - tmp) >= sizeof(up))
			continue;
		memcpy(up, tmp, (size_t) (e - tmp));
		int			k = (int) (e - tmp) - 1;

		while (k >= 0 && (up[k] == '9' || up[k] < '0' || up[k] > '9')) {
			if (up[k] == '9')
				up[k] = '0';
			k--;
		}
		if (k < 0)
			continue;           /* 9.99 -> 10.0: the next precision covers it */
		up[k]++;
		snprintf(up + (e - tmp), sizeof(up) - (size_t) (e - tmp), "%s", e);
		if (strtod(up, NULL) == ax)
			return e_digits(up, dig, decpt);
	}
	return 0;
}

size_t
binlog_real_text(double x, bool is_float, int decimals, char *dst)
{
	char		dig[32];
	int			len, decpt = 1;
	bool		neg = x < 0 || (x == 0 && 1 / x < 0);

	if (decimals >= 0 && decimals < 31) {
		int			w = snprintf(dst, BINLOG_REAL_TEXT, "%.*f", decimals, x);

		return w > 0 && w < BINLOG_REAL_TEXT ? (size_t) w : 0;
	}
	len = binlog_real_digits(neg ? -x : x, is_float, dig, &decpt);
	if (len == 0) {
		dig[0] = '0';
		len = 1;
		decpt = 1;
	}
	return gcvt_format(dst, neg, dig, len, decpt);
}

/* render_real: binlog_real_text into the arena */
static void
render_real(arena *a, binlog_value *out, double x, bool is_float, int decimals)
{
	char		tmp[BINLOG_REAL_TEXT];
	size_t		n = binlog_real_text(x, is_float, decimals, tmp);

	out->data = arena_strndup(a, tmp, n);
	out->len = n;
}

/* bytes of a packed decimal group of 0-9 digits */
static const uint8_t dig2bytes[10] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 4 };
static const uint32_t pow10_9[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
};

/* decimal_size: bytes of a DECIMAL(prec, scale) value */
static size_t
decimal_size(unsigned prec, unsigned scale)
{
	unsigned	intg = prec - scale;

	return (intg / 9) * 4 + dig2bytes[intg % 9] + (scale / 9) * 4 + dig2bytes[scale % 9];
}

/*
 * render_decimal: MariaDB's packed DECIMAL: integer digits in groups of 9
 * (a short group first), fraction digits in groups of 9 (a short group
 * last), each group big-endian; the first bit is the sign (set for >= 0)
 * and negative numbers have every bit inverted. Printed with no leading
 * zeros (at least "0") and exactly scale fraction digits. False for a group
 * that is not a valid number of its digits.
 */
static bool
render_decimal(arena *a, binlog_value *out, const uint8_t *p, unsigned prec, unsigned scale)
{
	uint8_t		b[40];
	size_t		size = decimal_size(prec, scale);
	unsigned	intg = prec - scale;
	char	   *s = arena_alloc(a, prec + 3);
	char		digits[80];
	size_t		nd = 0, n = 0, q = 0;

	memcpy(b, p, size);
	bool		neg = !(b[0] & 0x80);

	b[0] ^= 0x80;
	if (neg)
		for (size_t i = 0; i < size; i++)
			b[i] = (uint8_t) ~b[i];

	/* groups: leading short integer group, full integer groups, full
	 * fraction groups, trailing short fraction group */
	unsigned	groups[4][2] = {
		{ intg % 9, 1 }, { 9, intg / 9 }, { 9, scale / 9 }, { scale % 9, 1 }
	};

	for (int g = 0; g < 4; g++) {
		unsigned	ndig = groups[g][0];

		for (unsigned k = 0; k < groups[g][1] && ndig > 0; k++) {
			size_t		nb = ndig == 9 ? 4 : dig2bytes[ndig];
			uint32_t	v = (uint32_t) be_n(b + q, nb);

			q += nb;
			if (v >= pow10_9[ndig])
				return false;
			put_digits(digits + nd, v, ndig);
			nd += ndig;
		}
	}
	if (neg)
		s[n++] = '-';
	size_t		i = 0;

	while (i + 1 < intg && digits[i] == '0')
		i++;
	if (intg == 0)
		s[n++] = '0';
	for (; i < intg; i++)
		s[n++] = digits[i];
	if (scale > 0) {
		s[n++] = '.';
		memcpy(s + n, digits + intg, scale);
		n += scale;
	}
	arena_trim(a, s, n);
	out->data = s;
	out->len = n;
	return true;
}

/* civil_from_days: the proleptic Gregorian date of a day count since 1970-01-01 */
static void
civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned	doe = (unsigned) (z - era * 146097);
	unsigned	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned	mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned) (yoe + era * 400 + (*m <= 2));
}

/* put_clock_tail: ":MM:SS" plus fsp fraction digits (the part DATETIME,
 * TIMESTAMP and TIME share); returns the bytes written (at most 13) */
static size_t
put_clock_tail(char *o, unsigned mi, unsigned s, uint32_t usec, unsigned fsp)
{
	size_t		n = 0;

	o[n++] = ':';
	put_digits(o + n, mi % 100, 2);
	n += 2;
	o[n++] = ':';
	put_digits(o + n, s % 100, 2);
	n += 2;
	if (fsp > 0) {
		o[n++] = '.';
		put_digits(o + n, usec / pow10_9[6 - fsp], fsp);
		n += fsp;
	}
	return n;
}

/* render_datetime: "YYYY-MM-DD", plus " HH:MM:SS" with time, plus fsp
 * fraction digits of usec */
static void
render_datetime(arena *a, binlog_value *out, unsigned y, unsigned mo, unsigned d,
				bool with_time, unsigned h, unsigned mi, unsigned s, uint32_t usec, unsigned fsp)
{
	char	   *o = arena_alloc(a, 40);
	size_t		n = 0;

	if (y > 9999)
		n += put_u64(o, y);
	else {
		put_digits(o, y, 4);
		n = 4;
	}
	o[n++] = '-';
	put_digits(o + n, mo % 100, 2);
	n += 2;
	o[n++] = '-';
	put_digits(o + n, d % 100, 2);
	n += 2;
	if (with_time) {
		o[n++] = ' ';
		put_digits(o + n, h % 100, 2);
		n += 2;
		n += put_clock_tail(o + n, mi, s, usec, fsp);
	}
	arena_trim(a, o, n);
	out->data = o;
	out->len = n;
}

/* render_time: "[-]HH:MM:SS" (hours as many digits as needed, at least two)
 * plus fsp fraction digits */
static void
render_time(arena *a, binlog_value *out, bool neg, unsigned h, unsigned mi, unsigned s,
			uint32_t usec, unsigned fsp)
{
	char	   *o = arena_alloc(a, 40);
	size_t		n = 0;

	if (neg)
		o[n++] = '-';
	if (h < 10)
		o[n++] = '0';
	n += put_u64(o + n, h);
	n += put_clock_tail(o + n, mi, s, usec, fsp);
	arena_trim(a, o, n);
	out->data = o;
	out->len = n;
}

/* render_timestamp: seconds since the epoch in UTC; 0 is the zero datetime */
static void
render_timestamp(arena *a, binlog_value *out, uint32_t sec, uint32_t usec, unsigned fsp)
{
	if (sec == 0) {
		render_datetime(a, out, 0, 0, 0, true, 0, 0, 0, usec, fsp);
		return;
	}
	unsigned	y, m, d;
	int64_t		days = sec / 86400;
	uint32_t	rem = sec % 86400;

	civil_from_days(days, &y, &m, &d);
	render_datetime(a, out, y, m, d, true, rem / 3600, rem / 60 % 60, rem % 60, usec, fsp);
}

/* render_inet6: as MariaDB prints an INET6: lower-case hex words without
 * leading zeros, the first longest run of zero words (even a single one) as
 * "::", and IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d)
 * addresses with a dotted quad */
static size_t
render_inet6(char *o, const uint8_t *b)
{
	unsigned	w[8];
	int			gap_pos = -1, gap_len = 0, run_pos = -1, run_len = 0;
	size_t		n = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned) b[2 * i] << 8 | b[2 * i + 1];
	for (int i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (run_pos < 0) {
				run_pos = i;
				run_len = 0;
			}
			run_len++;
			if (run_len > gap_len) {
				gap_pos = run_pos;
				gap_len = run_len;
			}
		} else
			run_pos = -1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == gap_pos) {
			if (i == 0)
				o[n++] = ':';
			o[n++] = ':';
			i += gap_len - 1;
		} else if (i == 6 && gap_pos == 0 && (gap_len == 6 || (gap_len == 5 && w[5] == 0xffff))) {
			n += (size_t) snprintf(o + n, 16, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
			return n;
		} else {
			n += (size_t) snprintf(o + n, 8, "%x", w[i]);
			if (i < 7)
				o[n++] = ':';
		}
	}
	return n;
}

/* render_fixed_binary: INET4, INET6 and UUID values: BINARY(n) with the
 * stripped trailing zeros put back */
static bool
render_fixed_binary(arena *a, binlog_value *out, binlog_render render, const uint8_t *v, size_t len)
{
	uint8_t		b[16] = { 0 };
	size_t		want = render == BINLOG_RENDER_INET4 ? 4 : 16;
	char	   *o;
	size_t		n = 0;

	if (len > want)
		return false;
	memcpy(b, v, len);
	o = arena_alloc(a, 48);
	if (render == BINLOG_RENDER_INET4)
		n = (size_t) snprintf(o, 48, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	else if (render == BINLOG_RENDER_INET6)
		n = render_inet6(o, b);
	else {
		static const char hex[] = "0123456789abcdef";

		for (size_t i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				o[n++] = '-';
			o[n++] = hex[b[i] >> 4];
			o[n++] = hex[b[i] & 15];
		}
	}
	arena_trim(a, o, n);
	out->data = o;
	out->len = n;
	return true;
}

/* render_text: string bytes as the text protocol returns them for the
 * column's character set; pad_to > len pads a BINARY(n) with zero bytes */
static bool
render_text(dctx *dc, binlog_value *out, const binlog_column *col, const uint8_t *v, size_t len,
			size_t pad_to)
{
	arena	   *a = &dc->d->ev;

	switch (cs_of(col->charset)) {
	case CS_LATIN1:
		out->data = latin1_to_utf8(a, v, len, &out->len);
		return true;
	case CS_OTHER:
		return fail(dc, "character set of collation %u is not carried (only utf8mb3, utf8mb4, "
					"ascii, latin1 and binary are); migrate would see it converted to UTF-8",
					col->charset);
	case CS_BINARY:
		if (pad_to > len) {
			char	   *o = arena_alloc(a, pad_to);

			memcpy(o, v, len);
			memset(o + len, 0, pad_to - len);
			out->data = o;
			out->len = pad_to;
			return true;
		}
		/* FALLTHROUGH */
	case CS_PASS:
		break;
	}
	out->data = arena_strndup(a, v, len);
	out->len = len;
	return true;
}

/* render_labels: an ENUM index (1-based, 0 = "") or a SET bitmap */
static bool
render_labels(dctx *dc, binlog_value *out, const binlog_column *col, uint64_t v)
{
	arena	   *a = &dc->d->ev;

	if (col->nlabels == 0 && v != 0)
		return fail(dc, "%s labels unknown (the binlog has them with binlog_row_metadata=FULL, "
					"else the table hook must supply them)", col->type == T_ENUM ? "ENUM" : "SET");
	if (col->type == T_ENUM) {
		if (v > col->nlabels)
			return fail(dc, "ENUM index %" PRIu64 " beyond its %zu labels", v, col->nlabels);
		const char *l = v ? col->labels[v - 1] : "";

		out->data = arena_strndup(a, l, strlen(l));
		out->len = strlen(l);
		return true;
	}
	size_t		total = 0;

	for (size_t i = 0; i < 64; i++) {
		if (!(v >> i & 1))
			continue;
		if (i >= col->nlabels)
			return fail(dc, "SET member %zu beyond its %zu labels", i + 1, col->nlabels);
		total += strlen(col->labels[i]) + 1;
	}
	char	   *o = arena_alloc(a, total + 1);
	size_t		n = 0;

	for (size_t i = 0; i < 64 && i < col->nlabels; i++) {
		if (!(v >> i & 1))
			continue;
		size_t		l = strlen(col->labels[i]);

		if (n)
			o[n++] = ',';
		memcpy(o + n, col->labels[i], l);
		n += l;
	}
	o[n] = '\0';
	out->data = o;
	out->len = n;
	return true;
}

/* bytes of MariaDB 5.3's fractional TIME/DATETIME/TIMESTAMP by precision */
static const uint8_t time_hires_bytes[7] = { 3, 4, 4, 5, 5, 5, 6 };
static const uint8_t datetime_hires_bytes[7] = { 5, 6, 6, 7, 7, 7, 8 };
static const uint8_t timestamp_hires_bytes[7] = { 4, 5, 5, 6, 6, 7, 7 };

/* frac_usec: a fractional-seconds field of the 5.6 temporal types as
 * microseconds; fsp 1-2 store 1/100 s in a byte, 3-4 1/10000 s in two bytes,
 * 5-6 microseconds in three */
static uint32_t
frac_usec(const uint8_t *p, unsigned fsp)
{
	switch ((fsp + 1) / 2) {
	case 1: return (uint32_t) p[0] * 10000;
	case 2: return (uint32_t) be_n(p, 2) * 100;
	case 3: return (uint32_t) be_n(p, 3);
	default: return 0;
	}
}

/*
 * decode_value: one non-NULL value of column col at *pp, rendered into out;
 * advances *pp past it.
 */
static bool
decode_value(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
			 binlog_value *out)
{
	arena	   *a = &dc->d->ev;
	const uint8_t *p = *pp;
	uint64_t	v;
	size_t		len;
	unsigned	fsp = col->meta;

	switch (col->type) {
	case T_TINY: NEED(1); render_int(a, out, p[0], 8, col->is_unsigned); p += 1; break;
	case T_SHORT: NEED(2); render_int(a, out, le16(p), 16, col->is_unsigned); p += 2; break;
	case T_INT24: NEED(3); render_int(a, out, le24(p), 24, col->is_unsigned); p += 3; break;
	case T_LONG: NEED(4); render_int(a, out, le32(p), 32, col->is_unsigned); p += 4; break;
	case T_LONGLONG: NEED(8); render_int(a, out, le_n(p, 8), 64, col->is_unsigned); p += 8; break;
	case T_YEAR: {
		char	   *o = arena_alloc(a, 4);

		NEED(1);
		put_digits(o, p[0] ? 1900u + p[0] : 0, 4);
		out->data = o;
		out->len = 4;
		p += 1;
		break;
	}
	case T_FLOAT: {
		float		f;
		uint32_t	bits;

		NEED(4);
		bits = le32(p);
		memcpy(&f, &bits, sizeof(f));
		if (f != f || f - f != 0)
			return fail(dc, "FLOAT value is not a finite number");
		render_real(a, out, f, true, col->decimals);
		p += 4;
		break;
	}
	case T_DOUBLE: {
		double		x;

		NEED(8);
		v = le_n(p, 8);
		memcpy(&x, &v, sizeof(x));
		if (x != x || x - x != 0)
			return fail(dc, "DOUBLE value is not a finite number");
		render_real(a, out, x, false, col->decimals);
		p += 8;
		break;
	}
	case T_NEWDECIMAL: {
		unsigned	prec = col->meta >> 8, scale = col->meta & 0xff;

		len = decimal_size(prec, scale);
		NEED(len);
		if (!render_decimal(a, out, p, prec, scale))
			return fail(dc, "DECIMAL(%u,%u) value has a digit group out of range", prec, scale);
		p += len;
		break;
	}
	case T_DATE:
	case T_NEWDATE:
		NEED(3);
		v = le24(p);
		render_datetime(a, out, (unsigned) (v >> 9), (unsigned) (v >> 5 & 15), (unsigned) (v & 31),
						false, 0, 0, 0, 0, 0);
		p += 3;
		break;
	case T_TIME:
		if (col->decimals > 0 && col->decimals <= 6) {
			/* MariaDB 5.3: big-endian (seconds * 10^p + fraction), offset so
			 * that 0 is -838:59:59.999... */
			unsigned	dec = (unsigned) col->decimals;
			int64_t		zero = (int64_t) 3020400 * pow10_9[dec];

			len = time_hires_bytes[dec];
			NEED(len);
			int64_t		t = (int64_t) be_n(p, len) - zero;
			bool		neg = t < 0;
			uint64_t	at = neg ? (uint64_t) -t : (uint64_t) t;
			uint64_t	secs = at / pow10_9[dec];
			uint32_t	usec = (uint32_t) (at % pow10_9[dec]) * pow10_9[6 - dec];

			if (secs / 3600 > 1023)
				return fail(dc, "TIME value out of range");
			render_time(a, out, neg, (unsigned) (secs / 3600), (unsigned) (secs / 60 % 60),
						(unsigned) (secs % 60), usec, dec);
			p += len;
			break;
		}
		/* pre-5.6: little-endian signed HHMMSS */
		NEED(3);
		{
			int64_t		t = sign_extend(le24(p), 24);
			bool		neg = t < 0;
			uint64_t	at = neg ? (uint64_t) -t : (uint64_t) t;

			render_time(a, out, neg, (unsigned) (at / 10000), (unsigned) (at / 100 % 100),
						(unsigned) (at % 100), 0, 0);
		}
		p += 3;
		break;
	case T_DATETIME:
		if (col->decimals > 0 && col->decimals <= 6) {
			/* MariaDB 5.3: big-endian ((((y*13+m)*32+d)*24+h)*60+mi)*60+s,
			 * times 10^p, plus the fraction */
			unsigned	dec = (unsigned) col->decimals;

			len = datetime_hires_bytes[dec];
			NEED(len);
			uint64_t	t = be_n(p, len);
			uint32_t	usec = (uint32_t) (t % pow10_9[dec]) * pow10_9[6 - dec];

			t /= pow10_9[dec];
			unsigned	sec = (unsigned) (t % 60), mi = (unsigned) (t / 60 % 60);

			t /= 3600;
			unsigned	h = (unsigned) (t % 24);

			t /= 24;
			unsigned	d = (unsigned) (t % 32);

			t /= 32;
			if (t / 13 > 9999)
				return fail(dc, "DATETIME value out of range");
			render_datetime(a, out, (unsigned) (t / 13), (unsigned) (t % 13), d, true, h, mi, sec,
							usec, dec);
			p += len;
			break;
		}
		/* pre-5.6: little-endian YYYYMMDDhhmmss */
		NEED(8);
		v = le_n(p, 8);
		{
			uint64_t	date = v / 1000000, time = v % 1000000;

			if (date / 10000 > 9999)
				return fail(dc, "DATETIME value out of range");
			render_datetime(a, out, (unsigned) (date / 10000), (unsigned) (date / 100 % 100),
							(unsigned) (date % 100), true, (unsigned) (time / 10000),
							(unsigned) (time / 100 % 100), (unsigned) (time % 100), 0, 0);
		}
		p += 8;
		break;
	case T_TIMESTAMP:
		if (col->decimals > 0 && col->decimals <= 6) {
			/* MariaDB 5.3: big-endian seconds, then the fraction in units of
			 * 10^-p s, big-endian */
			unsigned	dec = (unsigned) col->decimals;

			len = timestamp_hires_bytes[dec];
			NEED(len);
			uint64_t	frac = be_n(p + 4, len - 4);

			if (frac >= pow10_9[dec])
				return fail(dc, "TIMESTAMP fraction out of range");
			render_timestamp(a, out, (uint32_t) be_n(p, 4), (uint32_t) frac * pow10_9[6 - dec], dec);
			p += len;
			break;
		}
		NEED(4);
		render_timestamp(a, out, le32(p), 0, 0);
		p += 4;
		break;
	case T_TIMESTAMP2: {
		/* big-endian seconds, then the fraction */
		uint32_t	usec;

		len = 4 + (fsp + 1) / 2;
		NEED(len);
		usec = frac_usec(p + 4, fsp);
		if (usec > 999999)
			return fail(dc, "TIMESTAMP fraction out of range");
		render_timestamp(a, out, (uint32_t) be_n(p, 4), usec, fsp);
		p += len;
		break;
	}
	case T_DATETIME2: {
		/* 40 bits big-endian: sign (1 = not negative), 17 bits year*13+month,
		 * 5 day, 5 hour, 6 minute, 6 second; then the fraction */
		uint32_t	usec;

		len = 5 + (fsp + 1) / 2;
		NEED(len);
		v = be_n(p, 5);
		usec = frac_usec(p + 5, fsp);
		if (!(v & UINT64_C(0x8000000000)) || usec > 999999)
			return fail(dc, "DATETIME value out of range");
		v &= UINT64_C(0x7fffffffff);
		uint64_t	ym = v >> 22;

		render_datetime(a, out, (unsigned) (ym / 13), (unsigned) (ym % 13), (unsigned) (v >> 17 & 31),
						true, (unsigned) (v >> 12 & 31), (unsigned) (v >> 6 & 63), (unsigned) (v & 63),
						usec, fsp);
		p += len;
		break;
	}
	case T_TIME2: {
		/* 24 bits big-endian: sign (1 = not negative), 1 unused, 10 hour,
		 * 6 minute, 6 second, offset by 0x800000; then the fraction, which
		 * for negative times counts down from the next second */
		int64_t		intpart, packed;

		len = 3 + (fsp + 1) / 2;
		NEED(len);
		intpart = (int64_t) be_n(p, 3) - 0x800000;
		switch ((fsp + 1) / 2) {
		case 0:
			packed = intpart * (1 << 24);
			break;
		case 1:
		case 2: {
			int64_t		frac = ((fsp + 1) / 2 == 1) ? p[3] : (int64_t) be_n(p + 3, 2);
			int64_t		unit = ((fsp + 1) / 2 == 1) ? 10000 : 100;
			int64_t		wrap = ((fsp + 1) / 2 == 1) ? 0x100 : 0x10000;

			if (intpart < 0 && frac) {
				intpart++;
				frac -= wrap;
			}
			packed = intpart * (1 << 24) + frac * unit;
			break;
		}
		default:
			packed = (int64_t) be_n(p, 6) - INT64_C(0x800000000000);
			break;
		}
		bool		neg = packed < 0;
		uint64_t	at = neg ? (uint64_t) -packed : (uint64_t) packed;
		uint64_t	hms = at >> 24;
		uint32_t	usec = (uint32_t) (at & 0xffffff);

		if (usec > 999999)
			return fail(dc, "TIME fraction out of range");
		render_time(a, out, neg, (unsigned) (hms >> 12 & 1023), (unsigned) (hms >> 6 & 63),
					(unsigned) (hms & 63), usec, fsp);
		p += len;
		break;
	}
	case T_BIT:
		len = (col->meta + 7u) / 8;
		NEED(len);
		out->data = arena_strndup(a, p, len);
		out->len = len;
		p += len;
		break;
	case T_VARCHAR:
	case T_VAR_STRING:
		NEED(col->meta < 256 ? 1 : 2);
		len = col->meta < 256 ? p[0] : le16(p);
		p += col->meta < 256 ? 1 : 2;
		if (len > col->meta)
			return fail(dc, "VARCHAR value of %zu bytes is longer than its %u", len, col->meta);
		NEED(len);
		if (!render_text(dc, out, col, p, len, 0))
			return false;
		p += len;
		break;
	case T_STRING:
		NEED(col->meta < 256 ? 1 : 2);
		len = col->meta < 256 ? p[0] : le16(p);
		p += col->meta < 256 ? 1 : 2;
		if (len > col->meta)
			return fail(dc, "CHAR value of %zu bytes is longer than its %u", len, col->meta);
		NEED(len);
		if (col->render == BINLOG_RENDER_INET4 || col->render == BINLOG_RENDER_INET6 ||
			col->render == BINLOG_RENDER_UUID) {
			if (!render_fixed_binary(a, out, col->render, p, len))
				return fail(dc, "value of %zu bytes is too long for %s", len,
							col->render == BINLOG_RENDER_INET4 ? "INET4" :
							col->render == BINLOG_RENDER_INET6 ? "INET6" : "UUID");
		} else if (!render_text(dc, out, col, p, len, col->meta))
			return false;
		p += len;
		break;
	case T_ENUM:
	case T_SET:
		NEED(col->meta);
		v = le_n(p, col->meta);
		if (!render_labels(dc, out, col, v))
			return false;
		p += col->meta;
		break;
	case T_BLOB: case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB:
	case T_GEOMETRY:
		NEED(col->meta);
		v = le_n(p, col->meta);
		p += col->meta;
		NEED(v);
		len = (size_t) v;
		if (col->type == T_GEOMETRY || col->render == BINLOG_RENDER_WKB) {
			/* 4 bytes SRID, then WKB; ST_AsBinary drops the SRID */
			if (col->render == BINLOG_RENDER_WKB) {
				if (len < 4)
					return fail(dc, "geometry value of %zu bytes has no SRID", len);
				out->data = arena_strndup(a, p + 4, len - 4);
				out->len = len - 4;
			} else {
				out->data = arena_strndup(a, p, len);
				out->len = len;
			}
		} else if (!render_text(dc, out, col, p, len, 0))
			return false;
		p += len;
		break;
	default:
		return fail(dc, "column type %u is not supported", col->type);
	}
	*pp = p;
	return true;
malformed:
	return malformed_at(dc, p, end);
}

/* --- rows ----------------------------------------------------------------------- */

/* decode_image: one row image: the null bitmap over the npresent columns
 * the present bitmap shows, then their non-NULL values */
static bool
decode_image(dctx *dc, const dtable *dt, const uint8_t *present, size_t npresent,
			 const uint8_t **pp, const uint8_t *end, binlog_value **out)
{
	binlog_decoder *d = dc->d;
	const binlog_table *t = &dt->t;
	const uint8_t *p = *pp, *nulls;
	size_t		k = 0;

	NEED((npresent + 7) / 8);
	nulls = p;
	p += (npresent + 7) / 8;
	if (d->nvalues + t->ncols > d->max_values)
		return fail(dc, "too many values in one event (%zu columns, more than %zu values)",
					t->ncols, d->max_values);
	d->nvalues += t->ncols;

	binlog_value *vals = arena_alloc(&d->ev, t->ncols * sizeof(binlog_value));

	for (size_t i = 0; i < t->ncols; i++) {
		binlog_value *v = &vals[i];

		v->data = NULL;
		v->len = 0;
		v->present = bit_is_set(present, i);
		if (!v->present)
			continue;
		if (bit_is_set(nulls, k++))
			continue;
		dc->col = (long) i;
		if (!decode_value(dc, &t->cols[i], &p, end, v))
			return false;
		dc->col = -1;
	}
	*out = vals;
	*pp = p;
	return true;
malformed:
	return malformed_at(dc, p, end);
}

/* inflate_body: MariaDB's compressed record: a header byte (bit 7 set,
 * bits 4-6 the algorithm, 0 = zlib, bits 0-2 the number of length bytes),
 * the uncompressed length big-endian, then zlib data; into the arena */
static bool
inflate_body(dctx *dc, const uint8_t *p, const uint8_t *end, const uint8_t **out, size_t *outlen)
{
	unsigned	lenlen;
	uint64_t	ulen;
	uLongf		got;

	NEED(1);
	if ((p[0] & 0xf0) != 0x80)
		return fail(dc, "compressed body has an unknown header byte 0x%02x (zlib is algorithm 0)", p[0]);
	lenlen = p[0] & 7;
	if (lenlen < 1 || lenlen > 4)
		return fail(dc, "compressed body has a %u-byte length", lenlen);
	NEED(1 + lenlen);
	ulen = be_n(p + 1, lenlen);
	p += 1 + lenlen;
	if (ulen == 0 || ulen > MAX_INFLATED || ulen > (uint64_t) (end - p) * ZLIB_MAX_RATIO + 64)
		return fail(dc, "compressed body claims %" PRIu64 " bytes from %td", ulen, end - p);

	uint8_t    *dst = arena_alloc(&dc->d->ev, (size_t) ulen);

	got = (uLongf) ulen;
	if (uncompress(dst, &got, p, (uLong) (end - p)) != Z_OK || got != ulen)
		return fail(dc, "compressed body does not inflate to its %" PRIu64 " bytes", ulen);
	*out = dst;
	*outlen = (size_t) ulen;
	return true;
malformed:
	return malformed_at(dc, p, end);
}

static bool
is_compressed_rows(uint8_t type)
{
	return type >= BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1 && type <= BINLOG_DELETE_ROWS_COMPRESSED_EVENT;
}

/* decode_rows: WRITE/UPDATE/DELETE rows, v1, v2 and compressed */
static bool
decode_rows(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	const uint8_t *p = body;
	uint8_t		type = dc->type;
	uint8_t		ph = d->post_header[type];
	binlog_rows_kind kind;
	uint64_t	id, width;
	uint16_t	flags;

	switch (type) {
	case BINLOG_WRITE_ROWS_EVENT_V1: case BINLOG_WRITE_ROWS_EVENT:
	case BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_WRITE_ROWS_COMPRESSED_EVENT:
		kind = BINLOG_ROWS_INSERT;
		break;
	case BINLOG_UPDATE_ROWS_EVENT_V1: case BINLOG_UPDATE_ROWS_EVENT:
	case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT:
		kind = BINLOG_ROWS_UPDATE;
		break;
	default:
		kind = BINLOG_ROWS_DELETE;
		break;
	}
	if (ph != 6 && ph != 8 && ph != 10)
		return fail(dc, "post-header of %u bytes is not supported", ph);
	NEED(ph);
	id = ph == 6 ? le32(p) : le_n(p, 6);
	p += ph == 6 ? 4 : 6;
	flags = (uint16_t) le16(p);
	p += 2;
	if (ph == 10) {
		/* v2: extra data, its length counting its own two bytes */
		uint32_t	extra = le16(p);

		if (extra < 2)
			goto malformed;
		NEED(extra);
		p += extra;
	}

	dtable	   *dt = table_find(d, id);

	ev->kind = BINLOG_EV_ROWS;
	ev->u.rows.kind = kind;
	ev->u.rows.flags = flags;
	ev->u.rows.table = dt ? &dt->t : NULL;
	if (dt) {
		dt->last_used = d->nevents;
		dc->table = &dt->t;
	}

	LENENC(width);
	if (width == 0 || width > MAX_COLUMNS)
		return fail(dc, "%" PRIu64 " columns (1 to %d expected)", width, MAX_COLUMNS);
	if (dt && width != dt->t.ncols)
		return fail(dc, "%" PRIu64 " columns, but its table map has %zu", width, dt->t.ncols);

	size_t		nbytes = (size_t) (width + 7) / 8;
	const uint8_t *cols_bi, *cols_ai;

	NEED(nbytes);
	cols_bi = cols_ai = p;
	p += nbytes;
	if (kind == BINLOG_ROWS_UPDATE) {
		NEED(nbytes);
		cols_ai = p;
		p += nbytes;
	}
	if (!dt || !dt->t.wanted)
		return true;
	if (dt->unsupported)
		return fail(dc, "%s", dt->unsupported);

	const uint8_t *rows = p, *rows_end = end;
	size_t		rows_len = (size_t) (end - p);

	if (is_compressed_rows(type)) {
		if (!inflate_body(dc, p, end, &rows, &rows_len))
			return false;
		rows_end = rows + rows_len;
		dc->base = rows;
		dc->base_what = "uncompressed rows";
	}
	d->nvalues = 0;
	d->max_values = MAX_VALUES + 8 * rows_len;

	size_t		n_bi = 0, n_ai = 0;

	for (size_t i = 0; i < dt->t.ncols; i++) {
		n_bi += bit_is_set(cols_bi, i);
		n_ai += bit_is_set(cols_ai, i);
	}
	/* an image of no column takes no bytes: the row loop would never end */
	if ((kind != BINLOG_ROWS_INSERT && n_bi == 0) || (kind != BINLOG_ROWS_DELETE && n_ai == 0))
		return fail(dc, "row image shows no column");

	size_t		nrows = 0;

	p = rows;
	end = rows_end;
	while (p < end) {
		binlog_row *row;

		if (nrows == d->rows_cap) {
			d->rows_cap = d->rows_cap ? d->rows_cap * 2 : 64;
			d->rows = xrealloc(d->rows, d->rows_cap * sizeof(binlog_row));
		}
		row = &d->rows[nrows];
		row->before = row->after = NULL;
		if (kind != BINLOG_ROWS_INSERT && !decode_image(dc, dt, cols_bi, n_bi, &p, end, &row->before))
			return false;
		if (kind != BINLOG_ROWS_DELETE && !decode_image(dc, dt, cols_ai, n_ai, &p, end, &row->after))
			return false;
		nrows++;
	}
	ev->u.rows.nrows = nrows;
	ev->u.rows.rows = nrows ? d->rows : NULL;
	return true;
malformed:
	return malformed_at(dc, p, end);
}

/* --- other events ---------------------------------------------------------------- */

/* version_at_least: whether "X.Y.Z..." is at least maj.min.rel */
static bool
version_at_least(const char *v, unsigned maj, unsigned min, unsigned rel)
{
	unsigned	part[3] = { 0, 0, 0 };
	int			i = 0;

	for (const char *s = v; *s && i < 3; s++) {
		if (*s >= '0' && *s <= '9') {
			if (part[i] < 100000)
				part[i] = part[i] * 10 + (unsigned) (*s - '0');
		} else if (*s == '.')
			i++;
		else
			break;
	}
	if (part[0] != maj)
		return part[0] > maj;
	if (part[1] != min)
		return part[1] > min;
	return part[2] >= rel;
}

/* fde_checksum_alg: the checksum algorithm byte of a FORMAT_DESCRIPTION
 * event (data, len: the whole event) and whether the server writes one at
 * all (*aware: MariaDB 5.3+, MySQL 5.6.1+; then the event ends with that
 * byte and 4 bytes of room for a CRC32, used or not); -1 if the event is
 * too short to tell */
static int
fde_checksum_alg(const uint8_t *data, size_t len, bool *aware)
{
	char		version[51];

	*aware = false;
	if (len < HEADER_LEN + FDE_FIXED_LEN)
		return -1;
	memcpy(version, data + HEADER_LEN + 2, 50);
	version[50] = '\0';
	*aware = strstr(version, "MariaDB") ? version_at_least(version, 5, 3, 0)
		: version_at_least(version, 5, 6, 1);
	if (!*aware)
		return 0;
	if (len < HEADER_LEN + FDE_FIXED_LEN + 1 + CHECKSUM_LEN)
		return -1;
	return data[len - CHECKSUM_LEN - 1];
}

/* decode_fde: FORMAT_DESCRIPTION; end is the end of the post-header
 * lengths, alg the checksum algorithm (1 = CRC32) */
static bool
decode_fde(dctx *dc, const uint8_t *body, const uint8_t *end, int alg, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	const uint8_t *p = body;
	uint16_t	version;
	size_t		ntypes;

	NEED(FDE_FIXED_LEN);
	version = (uint16_t) le16(p);
	if (version != 4)
		return fail(dc, "binlog version %u is not supported (4 expected)", version);
	if (p[2 + 50 + 4] != HEADER_LEN)
		return fail(dc, "common header of %u bytes is not supported (19 expected)", p[56]);
	ev->kind = BINLOG_EV_FORMAT;
	ev->u.format.binlog_version = version;
	ev->u.format.server_version = arena_strndup(&d->ev, p + 2, strnlen((const char *) p + 2, 50));
	p += FDE_FIXED_LEN;
	ntypes = (size_t) (end - p);
	default_post_headers(d);
	for (size_t i = 0; i < ntypes && i + 1 < sizeof(d->post_header); i++)
		d->post_header[i + 1] = p[i];
	d->checksum = alg == 1;
	ev->u.format.checksum = d->checksum;
	return true;
malformed:
	return malformed_at(dc, p, end);
}

static bool
decode_query(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	const uint8_t *p = body;
	uint8_t		ph = d->post_header[dc->type];
	uint8_t		dblen;
	uint32_t	status_len;

	if (ph < 13)
		return fail(dc, "post-header of %u bytes is not supported", ph);
	NEED(ph);
	dblen = p[8];
	ev->u.query.error_code = le16(p + 9);
	status_len = le16(p + 11);
	p += ph;
	NEED(status_len);
	p += status_len;            /* status variables: nothing the stream needs */
	NEED(dblen + 1);
	if (p[dblen] != 0)
		goto malformed;
	ev->u.query.db = arena_strndup(&d->ev, p, dblen);
	p += dblen + 1;
	ev->kind = BINLOG_EV_QUERY;
	if (dc->type == BINLOG_QUERY_COMPRESSED_EVENT) {
		const uint8_t *sql;
		size_t		len;

		if (!inflate_body(dc, p, end, &sql, &len))
			return false;
		ev->u.query.sql = arena_strndup(&d->ev, sql, len);
		ev->u.query.sql_len = len;
		return true;
	}
	ev->u.query.sql = arena_strndup(&d->ev, p, (size_t) (end - p));
	ev->u.query.sql_len = (size_t) (end - p);
	return true;
malformed:
	return malformed_at(dc, p, end);
}

static bool
decode_gtid(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev)
{
	const uint8_t *p = body;
	uint8_t		flags;

	NEED(13);
	ev->kind = BINLOG_EV_GTID;
	ev->u.gtid.seq_no = le_n(p, 8);
	ev->u.gtid.domain_id = le32(p + 8);
	flags = p[12];
	ev->u.gtid.flags = flags;
	p += 13;
	if (flags & 0x02) {         /* FL_GROUP_COMMIT_ID: commit id */
		NEED(8);
		p += 8;
	}
	if (flags & (0x40 | 0x80)) {    /* FL_PREPARED_XA, FL_COMPLETED_XA: the XID */
		NEED(6);
		uint8_t		gtrid = p[4], bqual = p[5];

		if (gtrid > 64 || bqual > 64)
			goto malformed;
		p += 6;
		NEED(gtrid + bqual);
	}
	return true;
malformed:
	return malformed_at(dc, p, end);
}

static bool
decode_other(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	const uint8_t *p = body;

	switch (dc->type) {
	case BINLOG_ROTATE_EVENT: {
		uint8_t		ph = d->post_header[BINLOG_ROTATE_EVENT];

		if (ph != 8 && ph != 0)
			return fail(dc, "post-header of %u bytes is not supported", ph);
		NEED(8);
		ev->kind = BINLOG_EV_ROTATE;
		ev->u.rotate.pos = le_n(p, 8);
		p += 8;
		if (end - p > 512)
			return fail(dc, "file name of %td bytes", end - p);
		ev->u.rotate.file = arena_strndup(&d->ev, p, (size_t) (end - p));
		return true;
	}
	case BINLOG_XID_EVENT:
		NEED(8);
		ev->kind = BINLOG_EV_XID;
		ev->u.xid.xid = le_n(p, 8);
		return true;
	case BINLOG_ANNOTATE_ROWS_EVENT:
		ev->kind = BINLOG_EV_ANNOTATE;
		ev->u.annotate.sql = arena_strndup(&d->ev, p, (size_t) (end - p));
		ev->u.annotate.sql_len = (size_t) (end - p);
		return true;
	case BINLOG_HEARTBEAT_LOG_EVENT:
		ev->kind = BINLOG_EV_HEARTBEAT;
		ev->u.heartbeat.file = arena_strndup(&d->ev, p, (size_t) (end - p));
		return true;
	case BINLOG_GTID_LIST_EVENT: {
		uint32_t	n;

		NEED(4);
		n = le32(p) & 0x0fffffff;
		p += 4;
		NEED((uint64_t) n * 16);
		return true;
	}
	case BINLOG_BINLOG_CHECKPOINT_EVENT: {
		uint32_t	n;

		NEED(4);
		n = le32(p);
		p += 4;
		NEED(n);
		return true;
	}
	default:
		return true;
	}
malformed:
	return malformed_at(dc, p, end);
}

bool
binlog_decode(binlog_decoder *d, const uint8_t *data, size_t len,
			  binlog_event *ev, char *errbuf, size_t errlen)
{
	dctx		dc = { d, 0, NULL, -1, data, "event", errbuf, errlen };
	const uint8_t *body, *end;
	bool		has_crc;
	int			alg = -1;

	arena_reset(&d->ev);
	memset(ev, 0, sizeof(*ev));
	d->nevents++;
	if (len < HEADER_LEN) {
		dc.type = len > 4 ? data[4] : 0;
		return fail(&dc, "event of %zu bytes is shorter than the %d-byte header", len, HEADER_LEN);
	}
	ev->timestamp = le32(data);
	ev->type = data[4];
	ev->server_id = le32(data + 5);
	ev->size = le32(data + 9);
	ev->next_pos = le32(data + 13);
	ev->flags = (uint16_t) le16(data + 17);
	ev->kind = BINLOG_EV_OTHER;
	dc.type = ev->type;
	if (ev->size != len)
		return fail(&dc, "event_size says %" PRIu32 " bytes but the event has %zu", ev->size, len);

	end = data + len;
	if (ev->type == BINLOG_FORMAT_DESCRIPTION_EVENT) {
		bool		aware;

		alg = fde_checksum_alg(data, len, &aware);
		if (alg < 0)
			return fail(&dc, "event of %zu bytes is too short", len);
		has_crc = alg == 1;
		if (aware)
			end -= 1 + CHECKSUM_LEN;
	} else {
		has_crc = d->checksum;
		if (has_crc) {
			if (len < HEADER_LEN + CHECKSUM_LEN)
				return fail(&dc, "event of %zu bytes has no room for its checksum", len);
			end -= CHECKSUM_LEN;
		}
	}
	if (has_crc) {
		uint32_t	want = le32(data + len - CHECKSUM_LEN);
		uint32_t	got = (uint32_t) crc32(0L, data, (uInt) (len - CHECKSUM_LEN));

		if (want != got)
			return fail(&dc, "checksum mismatch (CRC32 0x%08" PRIx32 " computed, 0x%08" PRIx32 " in the event)",
						got, want);
	}
	body = data + HEADER_LEN;

	switch (ev->type) {
	case BINLOG_FORMAT_DESCRIPTION_EVENT:
		return decode_fde(&dc, body, end, alg, ev);
	case BINLOG_QUERY_EVENT:
	case BINLOG_QUERY_COMPRESSED_EVENT:
		return decode_query(&dc, body, end, ev);
	case BINLOG_GTID_EVENT:
		return decode_gtid(&dc, body, end, ev);
	case BINLOG_TABLE_MAP_EVENT:
		return decode_table_map(&dc, body, end, ev);
	case BINLOG_WRITE_ROWS_EVENT_V1: case BINLOG_UPDATE_ROWS_EVENT_V1: case BINLOG_DELETE_ROWS_EVENT_V1:
	case BINLOG_WRITE_ROWS_EVENT: case BINLOG_UPDATE_ROWS_EVENT: case BINLOG_DELETE_ROWS_EVENT:
	case BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1:
	case BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_WRITE_ROWS_COMPRESSED_EVENT:
	case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT: case BINLOG_DELETE_ROWS_COMPRESSED_EVENT:
		return decode_rows(&dc, body, end, ev);
	case BINLOG_ROTATE_EVENT: case BINLOG_XID_EVENT: case BINLOG_ANNOTATE_ROWS_EVENT:
	case BINLOG_HEARTBEAT_LOG_EVENT: case BINLOG_GTID_LIST_EVENT: case BINLOG_BINLOG_CHECKPOINT_EVENT:
		return decode_other(&dc, body, end, ev);
	case 1: case BINLOG_STOP_EVENT: case BINLOG_INTVAR_EVENT: case 6: case 7: case 8: case 9:
	case 10: case 11: case 12: case BINLOG_RAND_EVENT: case BINLOG_USER_VAR_EVENT: case 17: case 18:
	case 26: case 28: case 29: case BINLOG_START_ENCRYPTION_EVENT:
		return true;
	case 20: case 21: case 22:
		return fail(&dc, "rows events of MySQL 5.1 betas are not supported");
	default:
		if (ev->flags & IGNORABLE_F)
			return true;
		return fail(&dc, "unknown event type without the ignorable flag");
	}
}

bool
binlog_column_fits(const binlog_column *c, const char *column_type)
{
	char dt[24];
	size_t n = 0;

	while (n + 1 < sizeof(dt) && ((column_type[n] >= 'a' && column_type[n] <= 'z') || column_type[n] == '_' ||
								  (column_type[n] >= '0' && column_type[n] <= '9'))) {
		dt[n] = column_type[n];
		n++;
	}
	dt[n] = '\0';
	static const struct { const char *dt; uint8_t t1, t2; } map[] = {
		{ "tinyint", T_TINY, T_TINY }, { "smallint", T_SHORT, T_SHORT }, { "mediumint", T_INT24, T_INT24 },
		{ "int", T_LONG, T_LONG }, { "bigint", T_LONGLONG, T_LONGLONG },
		{ "decimal", T_NEWDECIMAL, T_DECIMAL }, { "float", T_FLOAT, T_FLOAT }, { "double", T_DOUBLE, T_DOUBLE },
		{ "bit", T_BIT, T_BIT }, { "char", T_STRING, T_STRING }, { "binary", T_STRING, T_STRING },
		{ "varchar", T_VARCHAR, T_VAR_STRING }, { "varbinary", T_VARCHAR, T_VAR_STRING },
		{ "tinytext", T_BLOB, T_TINY_BLOB }, { "text", T_BLOB, T_BLOB }, { "mediumtext", T_BLOB, T_MEDIUM_BLOB },
		{ "longtext", T_BLOB, T_LONG_BLOB }, { "tinyblob", T_BLOB, T_TINY_BLOB }, { "blob", T_BLOB, T_BLOB },
		{ "mediumblob", T_BLOB, T_MEDIUM_BLOB }, { "longblob", T_BLOB, T_LONG_BLOB }, { "json", T_BLOB, T_JSON },
		{ "enum", T_ENUM, T_STRING }, { "set", T_SET, T_STRING },
		{ "date", T_DATE, T_NEWDATE }, { "datetime", T_DATETIME2, T_DATETIME },
		{ "timestamp", T_TIMESTAMP2, T_TIMESTAMP }, { "time", T_TIME2, T_TIME }, { "year", T_YEAR, T_YEAR },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(dt, map[i].dt) == 0)
			return c->type == map[i].t1 || c->type == map[i].t2;
	return true;    /* geometry, inet, uuid and others: not told apart here */
}
