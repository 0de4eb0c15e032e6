/*
 * MariaDB binlog event decoder; see binlog.h for the contract. This part
 * holds the decoder handle and the framing of events; the table maps, the
 * rows events and the rendering of values as text are parts of their own.
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
 * byte) and the post-header lengths that later events are parsed with (a
 * binlog states its own, rather than the decoder assuming a server version's).
 * QUERY, GTID, XID, ROTATE and the other small
 * events are parsed here into the event; TABLE_MAP and the rows events go to
 * their own parts.
 *
 * Memory: every pointer handed out for an event lives in the per-event arena,
 * which is reset (its largest block kept) at the next decode, so that a
 * running stream stops allocating per event once the block is big enough.
 */
#include "common/binlog_int.h"
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
#define MAX_INFLATED    (1u << 30)  /* an uncompressed event body (max_allowed_packet is 1 GB) */
#define ZLIB_MAX_RATIO  1032        /* deflate cannot expand more than this */
#define ARENA_MIN       8192
#define ARENA_KEEP      (16u << 20) /* a block larger than this is freed at reset */
#define ARENA_ALIGN     16

/* --- arena ---------------------------------------------------------------- */

/* binlog_arena_alloc: n bytes aligned for any type, valid until reset or free */
void *
binlog_arena_alloc(arena *a, size_t n)
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

/* binlog_arena_trim: gives back the unused tail of the last allocation p of the arena */
void
binlog_arena_trim(arena *a, const void *p, size_t used)
{
	arena_blk  *b = a->head;

	if (b && (const unsigned char *) p >= b->data && (const unsigned char *) p <= b->data + b->used)
		b->used = (size_t) ((const unsigned char *) p - b->data) + used;
}

/* binlog_arena_strndup: a NUL-terminated copy of n bytes */
char *
binlog_arena_strndup(arena *a, const void *s, size_t n)
{
	char	   *p = binlog_arena_alloc(a, n + 1);

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

/* --- errors ------------------------------------------------------------------ */

/* binlog_fail: writes "EVENT_NAME of table `db`.`t`, column N (`name`): message"
 * into the caller's errbuf; returns false for the caller to pass up */
bool
binlog_fail(dctx *dc, const char *fmt, ...)
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
bool
binlog_malformed_at(dctx *dc, const uint8_t *p, const uint8_t *end)
{
	return binlog_fail(dc, "truncated or malformed at byte %td of %td of the %s",
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

/* binlog_dtable_free: see binlog_int.h */
void
binlog_dtable_free(dtable *t)
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
		binlog_dtable_free(d->tables[i]);
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


/* --- events ------------------------------------------------------------------ */

/* binlog_inflate_body: MariaDB's compressed record: a header byte (bit 7 set,
 * bits 4-6 the algorithm, 0 = zlib, bits 0-2 the number of length bytes),
 * the uncompressed length big-endian, then zlib data; into the arena */
bool
binlog_inflate_body(dctx *dc, const uint8_t *p, const uint8_t *end, const uint8_t **out, size_t *outlen)
{
	unsigned	lenlen;
	uint64_t	ulen;
	uLongf		got;

	NEED(1);
	if ((p[0] & 0xf0) != 0x80)
		return binlog_fail(dc, "compressed body has an unknown header byte 0x%02x (zlib is algorithm 0)", p[0]);
	lenlen = p[0] & 7;
	if (lenlen < 1 || lenlen > 4)
		return binlog_fail(dc, "compressed body has a %u-byte length", lenlen);
	NEED(1 + lenlen);
	ulen = be_n(p + 1, lenlen);
	p += 1 + lenlen;
	if (ulen == 0 || ulen > MAX_INFLATED || ulen > (uint64_t) (end - p) * ZLIB_MAX_RATIO + 64)
		return binlog_fail(dc, "compressed body claims %" PRIu64 " bytes from %td", ulen, end - p);

	uint8_t    *dst = binlog_arena_alloc(&dc->d->ev, (size_t) ulen);

	got = (uLongf) ulen;
	if (uncompress(dst, &got, p, (uLong) (end - p)) != Z_OK || got != ulen)
		return binlog_fail(dc, "compressed body does not inflate to its %" PRIu64 " bytes", ulen);
	*out = dst;
	*outlen = (size_t) ulen;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}


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
		return binlog_fail(dc, "binlog version %u is not supported (4 expected)", version);
	if (p[2 + 50 + 4] != HEADER_LEN)
		return binlog_fail(dc, "common header of %u bytes is not supported (19 expected)", p[56]);
	ev->kind = BINLOG_EV_FORMAT;
	ev->u.format.binlog_version = version;
	ev->u.format.server_version = binlog_arena_strndup(&d->ev, p + 2, strnlen((const char *) p + 2, 50));
	p += FDE_FIXED_LEN;
	ntypes = (size_t) (end - p);
	default_post_headers(d);
	for (size_t i = 0; i < ntypes && i + 1 < sizeof(d->post_header); i++)
		d->post_header[i + 1] = p[i];
	d->checksum = alg == 1;
	ev->u.format.checksum = d->checksum;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
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
		return binlog_fail(dc, "post-header of %u bytes is not supported", ph);
	NEED(ph);
	dblen = p[8];
	ev->u.query.error_code = le16(p + 9);
	status_len = le16(p + 11);
	p += ph;
	NEED(status_len);
	/* status variables: the session's sql_mode (it decides how the
	 * statement is quoted); it follows FLAGS2 when the server writes it */
	ev->u.query.sql_mode_known = false;
	for (const uint8_t *s = p, *se = p + status_len; s < se;) {
		if (s[0] == 0 && se - s >= 5)         /* Q_FLAGS2_CODE */
			s += 5;
		else if (s[0] == 1 && se - s >= 9) {  /* Q_SQL_MODE_CODE */
			ev->u.query.sql_mode = le_n(s + 1, 8);
			ev->u.query.sql_mode_known = true;
			break;
		} else
			break;
	}
	p += status_len;
	NEED(dblen + 1);
	if (p[dblen] != 0)
		goto malformed;
	ev->u.query.db = binlog_arena_strndup(&d->ev, p, dblen);
	p += dblen + 1;
	ev->kind = BINLOG_EV_QUERY;
	if (dc->type == BINLOG_QUERY_COMPRESSED_EVENT) {
		const uint8_t *sql;
		size_t		len;

		if (!binlog_inflate_body(dc, p, end, &sql, &len))
			return false;
		ev->u.query.sql = binlog_arena_strndup(&d->ev, sql, len);
		ev->u.query.sql_len = len;
		return true;
	}
	ev->u.query.sql = binlog_arena_strndup(&d->ev, p, (size_t) (end - p));
	ev->u.query.sql_len = (size_t) (end - p);
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
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
	return binlog_malformed_at(dc, p, end);
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
			return binlog_fail(dc, "post-header of %u bytes is not supported", ph);
		NEED(8);
		ev->kind = BINLOG_EV_ROTATE;
		ev->u.rotate.pos = le_n(p, 8);
		p += 8;
		if (end - p > 512)
			return binlog_fail(dc, "file name of %td bytes", end - p);
		ev->u.rotate.file = binlog_arena_strndup(&d->ev, p, (size_t) (end - p));
		return true;
	}
	case BINLOG_XID_EVENT:
		NEED(8);
		ev->kind = BINLOG_EV_XID;
		ev->u.xid.xid = le_n(p, 8);
		return true;
	case BINLOG_ANNOTATE_ROWS_EVENT:
		ev->kind = BINLOG_EV_ANNOTATE;
		ev->u.annotate.sql = binlog_arena_strndup(&d->ev, p, (size_t) (end - p));
		ev->u.annotate.sql_len = (size_t) (end - p);
		return true;
	case BINLOG_HEARTBEAT_LOG_EVENT:
		ev->kind = BINLOG_EV_HEARTBEAT;
		ev->u.heartbeat.file = binlog_arena_strndup(&d->ev, p, (size_t) (end - p));
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
	return binlog_malformed_at(dc, p, end);
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
		return binlog_fail(&dc, "event of %zu bytes is shorter than the %d-byte header", len, HEADER_LEN);
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
		return binlog_fail(&dc, "event_size says %" PRIu32 " bytes but the event has %zu", ev->size, len);

	end = data + len;
	if (ev->type == BINLOG_FORMAT_DESCRIPTION_EVENT) {
		bool		aware;

		alg = fde_checksum_alg(data, len, &aware);
		if (alg < 0)
			return binlog_fail(&dc, "event of %zu bytes is too short", len);
		has_crc = alg == 1;
		if (aware)
			end -= 1 + CHECKSUM_LEN;
	} else {
		has_crc = d->checksum;
		if (has_crc) {
			if (len < HEADER_LEN + CHECKSUM_LEN)
				return binlog_fail(&dc, "event of %zu bytes has no room for its checksum", len);
			end -= CHECKSUM_LEN;
		}
	}
	if (has_crc) {
		uint32_t	want = le32(data + len - CHECKSUM_LEN);
		uint32_t	got = (uint32_t) crc32(0L, data, (uInt) (len - CHECKSUM_LEN));

		if (want != got)
			return binlog_fail(&dc, "checksum mismatch (CRC32 0x%08" PRIx32 " computed, 0x%08" PRIx32 " in the event)",
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
		return binlog_decode_table_map(&dc, body, end, ev);
	case BINLOG_WRITE_ROWS_EVENT_V1: case BINLOG_UPDATE_ROWS_EVENT_V1: case BINLOG_DELETE_ROWS_EVENT_V1:
	case BINLOG_WRITE_ROWS_EVENT: case BINLOG_UPDATE_ROWS_EVENT: case BINLOG_DELETE_ROWS_EVENT:
	case BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1:
	case BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_WRITE_ROWS_COMPRESSED_EVENT:
	case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT: case BINLOG_DELETE_ROWS_COMPRESSED_EVENT:
		return binlog_decode_rows(&dc, body, end, ev);
	case BINLOG_ROTATE_EVENT: case BINLOG_XID_EVENT: case BINLOG_ANNOTATE_ROWS_EVENT:
	case BINLOG_HEARTBEAT_LOG_EVENT: case BINLOG_GTID_LIST_EVENT: case BINLOG_BINLOG_CHECKPOINT_EVENT:
		return decode_other(&dc, body, end, ev);
	case 1: case BINLOG_STOP_EVENT: case BINLOG_INTVAR_EVENT: case 6: case 7: case 8: case 9:
	case 10: case 11: case 12: case BINLOG_RAND_EVENT: case BINLOG_USER_VAR_EVENT: case 17: case 18:
	case 26: case 28: case 29: case BINLOG_START_ENCRYPTION_EVENT:
		return true;
	case 20: case 21: case 22:
		return binlog_fail(&dc, "rows events of MySQL 5.1 betas are not supported");
	default:
		if (ev->flags & IGNORABLE_F)
			return true;
		return binlog_fail(&dc, "unknown event type without the ignorable flag");
	}
}
