/*
 * Rows events of the binlog decoder: WRITE, UPDATE and DELETE rows, v1, v2
 * and compressed, into arrays of values.
 *
 * A rows event refers to a table map by id and carries a bitmap of the
 * columns present in its images (two for UPDATE: before and after). Rows
 * are decoded only for a table the caller's hook wanted; for the others the
 * event is checked up to its images and handed on without rows. Each row
 * image starts with a null bitmap over the columns present in the image
 * (MINIMAL images leave columns out), then the values of present non-NULL
 * columns in their binary row format: little-endian integers, MariaDB's
 * packed decimal, big-endian temporal types (and the older MariaDB 5.3 and
 * pre-5.6 temporal formats, which the binlog cannot tell apart without the
 * column's precision from the hook), length-prefixed strings. Values are
 * taken apart here and printed as text by the rendering part.
 *
 * The values allocated per event are capped in proportion to the event's
 * size: a sparse MINIMAL image costs a few bytes per row in the event but a
 * whole array of values in memory, and a malformed event must not make the
 * decoder allocate without bound.
 */
#include "common/binlog_int.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <string.h>

#define MAX_VALUES      (1u << 21)  /* values per event beyond 8 per byte (sparse MINIMAL images) */

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
 * The decode_* functions below share decode_value's contract, each for its
 * family of column types: one non-NULL value of column col at *pp, rendered
 * into out; *pp advanced past it.
 */

/* decode_real: FLOAT and DOUBLE, little-endian IEEE 754 */
static bool
decode_real(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
			binlog_value *out)
{
	const uint8_t *p = *pp;

	if (col->type == T_FLOAT) {
		float		f;
		uint32_t	bits;

		NEED(4);
		bits = le32(p);
		memcpy(&f, &bits, sizeof(f));
		if (f != f || f - f != 0)
			return binlog_fail(dc, "FLOAT value is not a finite number");
		binlog_render_real(&dc->d->ev, out, f, true, col->decimals);
		*pp = p + 4;
		return true;
	}

	double		x;
	uint64_t	v;

	NEED(8);
	v = le_n(p, 8);
	memcpy(&x, &v, sizeof(x));
	if (x != x || x - x != 0)
		return binlog_fail(dc, "DOUBLE value is not a finite number");
	binlog_render_real(&dc->d->ev, out, x, false, col->decimals);
	*pp = p + 8;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* decode_time: TIME before MySQL 5.6's format */
static bool
decode_time(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
			binlog_value *out)
{
	arena	   *a = &dc->d->ev;
	const uint8_t *p = *pp;
	size_t		len;

	if (col->decimals > 0 && col->decimals <= 6) {
		/* MariaDB 5.3: big-endian (seconds * 10^p + fraction), offset so
		 * that 0 is -838:59:59.999... */
		unsigned	dec = (unsigned) col->decimals;
		int64_t		zero = (int64_t) 3020400 * binlog_pow10[dec];

		len = time_hires_bytes[dec];
		NEED(len);
		int64_t		t = (int64_t) be_n(p, len) - zero;
		bool		neg = t < 0;
		uint64_t	at = neg ? (uint64_t) -t : (uint64_t) t;
		uint64_t	secs = at / binlog_pow10[dec];
		uint32_t	usec = (uint32_t) (at % binlog_pow10[dec]) * binlog_pow10[6 - dec];

		if (secs / 3600 > 1023)
			return binlog_fail(dc, "TIME value out of range");
		binlog_render_time(a, out, neg, (unsigned) (secs / 3600), (unsigned) (secs / 60 % 60),
						   (unsigned) (secs % 60), usec, dec);
		*pp = p + len;
		return true;
	}
	/* pre-5.6: little-endian signed HHMMSS */
	NEED(3);

	int64_t		t = sign_extend(le24(p), 24);
	bool		neg = t < 0;
	uint64_t	at = neg ? (uint64_t) -t : (uint64_t) t;

	binlog_render_time(a, out, neg, (unsigned) (at / 10000), (unsigned) (at / 100 % 100),
					   (unsigned) (at % 100), 0, 0);
	*pp = p + 3;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* decode_datetime: DATETIME before MySQL 5.6's format */
static bool
decode_datetime(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
				binlog_value *out)
{
	arena	   *a = &dc->d->ev;
	const uint8_t *p = *pp;
	size_t		len;

	if (col->decimals > 0 && col->decimals <= 6) {
		/* MariaDB 5.3: big-endian ((((y*13+m)*32+d)*24+h)*60+mi)*60+s,
		 * times 10^p, plus the fraction */
		unsigned	dec = (unsigned) col->decimals;

		len = datetime_hires_bytes[dec];
		NEED(len);
		uint64_t	t = be_n(p, len);
		uint32_t	usec = (uint32_t) (t % binlog_pow10[dec]) * binlog_pow10[6 - dec];

		t /= binlog_pow10[dec];
		unsigned	sec = (unsigned) (t % 60), mi = (unsigned) (t / 60 % 60);

		t /= 3600;
		unsigned	h = (unsigned) (t % 24);

		t /= 24;
		unsigned	d = (unsigned) (t % 32);

		t /= 32;
		if (t / 13 > 9999)
			return binlog_fail(dc, "DATETIME value out of range");
		binlog_render_datetime(a, out, (unsigned) (t / 13), (unsigned) (t % 13), d, true, h, mi, sec,
							   usec, dec);
		*pp = p + len;
		return true;
	}
	/* pre-5.6: little-endian YYYYMMDDhhmmss */
	NEED(8);

	uint64_t	v = le_n(p, 8);
	uint64_t	date = v / 1000000, time = v % 1000000;

	if (date / 10000 > 9999)
		return binlog_fail(dc, "DATETIME value out of range");
	binlog_render_datetime(a, out, (unsigned) (date / 10000), (unsigned) (date / 100 % 100),
						   (unsigned) (date % 100), true, (unsigned) (time / 10000),
						   (unsigned) (time / 100 % 100), (unsigned) (time % 100), 0, 0);
	*pp = p + 8;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* decode_timestamp: TIMESTAMP before MySQL 5.6's format */
static bool
decode_timestamp(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
				 binlog_value *out)
{
	arena	   *a = &dc->d->ev;
	const uint8_t *p = *pp;

	if (col->decimals > 0 && col->decimals <= 6) {
		/* MariaDB 5.3: big-endian seconds, then the fraction in units of
		 * 10^-p s, big-endian */
		unsigned	dec = (unsigned) col->decimals;
		size_t		len = timestamp_hires_bytes[dec];

		NEED(len);
		uint64_t	frac = be_n(p + 4, len - 4);

		if (frac >= binlog_pow10[dec])
			return binlog_fail(dc, "TIMESTAMP fraction out of range");
		binlog_render_timestamp(a, out, (uint32_t) be_n(p, 4), (uint32_t) frac * binlog_pow10[6 - dec],
								dec);
		*pp = p + len;
		return true;
	}
	NEED(4);
	binlog_render_timestamp(a, out, le32(p), 0, 0);
	*pp = p + 4;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* decode_temporal2: TIMESTAMP2 and DATETIME2, MySQL 5.6's format */
static bool
decode_temporal2(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
				 binlog_value *out)
{
	arena	   *a = &dc->d->ev;
	const uint8_t *p = *pp;
	unsigned	fsp = col->meta;
	uint32_t	usec;
	size_t		len;

	if (col->type == T_TIMESTAMP2) {
		/* big-endian seconds, then the fraction */
		len = 4 + (fsp + 1) / 2;
		NEED(len);
		usec = frac_usec(p + 4, fsp);
		if (usec > 999999)
			return binlog_fail(dc, "TIMESTAMP fraction out of range");
		binlog_render_timestamp(a, out, (uint32_t) be_n(p, 4), usec, fsp);
		*pp = p + len;
		return true;
	}
	/* 40 bits big-endian: sign (1 = not negative), 17 bits year*13+month,
	 * 5 day, 5 hour, 6 minute, 6 second; then the fraction */
	len = 5 + (fsp + 1) / 2;
	NEED(len);

	uint64_t	v = be_n(p, 5);

	usec = frac_usec(p + 5, fsp);
	if (!(v & UINT64_C(0x8000000000)) || usec > 999999)
		return binlog_fail(dc, "DATETIME value out of range");
	v &= UINT64_C(0x7fffffffff);
	uint64_t	ym = v >> 22;

	binlog_render_datetime(a, out, (unsigned) (ym / 13), (unsigned) (ym % 13), (unsigned) (v >> 17 & 31),
						   true, (unsigned) (v >> 12 & 31), (unsigned) (v >> 6 & 63), (unsigned) (v & 63),
						   usec, fsp);
	*pp = p + len;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* decode_time2: TIME2, MySQL 5.6's format: 24 bits big-endian: sign (1 = not
 * negative), 1 unused, 10 hour, 6 minute, 6 second, offset by 0x800000; then
 * the fraction, which for negative times counts down from the next second */
static bool
decode_time2(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
			 binlog_value *out)
{
	const uint8_t *p = *pp;
	unsigned	fsp = col->meta;
	size_t		len = 3 + (fsp + 1) / 2;
	int64_t		intpart, packed;

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
		return binlog_fail(dc, "TIME fraction out of range");
	binlog_render_time(&dc->d->ev, out, neg, (unsigned) (hms >> 12 & 1023), (unsigned) (hms >> 6 & 63),
					   (unsigned) (hms & 63), usec, fsp);
	*pp = p + len;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* decode_string: VARCHAR, VAR_STRING and STRING (CHAR, BINARY, and the
 * INET4, INET6 and UUID types that travel as BINARY): a 1- or 2-byte length,
 * then the bytes */
static bool
decode_string(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
			  binlog_value *out)
{
	const uint8_t *p = *pp;
	size_t		len;

	NEED(col->meta < 256 ? 1 : 2);
	len = col->meta < 256 ? p[0] : le16(p);
	p += col->meta < 256 ? 1 : 2;
	if (len > col->meta)
		return binlog_fail(dc, "%s value of %zu bytes is longer than its %u",
						   col->type == T_STRING ? "CHAR" : "VARCHAR", len, col->meta);
	NEED(len);
	if (col->type != T_STRING) {
		if (!binlog_render_text(dc, out, col, p, len, 0))
			return false;
	} else if (col->render == BINLOG_RENDER_INET4 || col->render == BINLOG_RENDER_INET6 ||
			   col->render == BINLOG_RENDER_UUID) {
		if (!binlog_render_fixed_binary(&dc->d->ev, out, col->render, p, len))
			return binlog_fail(dc, "value of %zu bytes is too long for %s", len,
							   col->render == BINLOG_RENDER_INET4 ? "INET4" :
							   col->render == BINLOG_RENDER_INET6 ? "INET6" : "UUID");
	} else if (!binlog_render_text(dc, out, col, p, len, col->meta))
		return false;
	*pp = p + len;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* decode_blob: the BLOB and TEXT family, JSON and GEOMETRY: a length of
 * col->meta bytes, then the bytes */
static bool
decode_blob(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
			binlog_value *out)
{
	arena	   *a = &dc->d->ev;
	const uint8_t *p = *pp;
	uint64_t	v;
	size_t		len;

	NEED(col->meta);
	v = le_n(p, col->meta);
	p += col->meta;
	NEED(v);
	len = (size_t) v;
	if (col->type == T_GEOMETRY || col->render == BINLOG_RENDER_WKB) {
		/* 4 bytes SRID, then WKB; ST_AsBinary drops the SRID */
		if (col->render == BINLOG_RENDER_WKB) {
			if (len < 4)
				return binlog_fail(dc, "geometry value of %zu bytes has no SRID", len);
			out->data = binlog_arena_strndup(a, p + 4, len - 4);
			out->len = len - 4;
		} else {
			out->data = binlog_arena_strndup(a, p, len);
			out->len = len;
		}
	} else if (!binlog_render_text(dc, out, col, p, len, 0))
		return false;
	*pp = p + len;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/*
 * decode_value: one non-NULL value of column col at *pp, rendered into out;
 * advances *pp past it. Fixed-size types are read here, the others by the
 * decode_* function of their family.
 */
static bool
decode_value(dctx *dc, const binlog_column *col, const uint8_t **pp, const uint8_t *end,
			 binlog_value *out)
{
	arena	   *a = &dc->d->ev;
	const uint8_t *p = *pp;
	uint64_t	v;
	size_t		len;

	switch (col->type) {
	case T_TINY: NEED(1); binlog_render_int(a, out, p[0], 8, col->is_unsigned); p += 1; break;
	case T_SHORT: NEED(2); binlog_render_int(a, out, le16(p), 16, col->is_unsigned); p += 2; break;
	case T_INT24: NEED(3); binlog_render_int(a, out, le24(p), 24, col->is_unsigned); p += 3; break;
	case T_LONG: NEED(4); binlog_render_int(a, out, le32(p), 32, col->is_unsigned); p += 4; break;
	case T_LONGLONG: NEED(8); binlog_render_int(a, out, le_n(p, 8), 64, col->is_unsigned); p += 8; break;
	case T_YEAR: NEED(1); binlog_render_year(a, out, p[0]); p += 1; break;
	case T_FLOAT:
	case T_DOUBLE:
		return decode_real(dc, col, pp, end, out);
	case T_NEWDECIMAL: {
		unsigned	prec = col->meta >> 8, scale = col->meta & 0xff;

		len = binlog_decimal_size(prec, scale);
		NEED(len);
		if (!binlog_render_decimal(a, out, p, prec, scale))
			return binlog_fail(dc, "DECIMAL(%u,%u) value has a digit group out of range", prec, scale);
		p += len;
		break;
	}
	case T_DATE:
	case T_NEWDATE:
		NEED(3);
		v = le24(p);
		binlog_render_datetime(a, out, (unsigned) (v >> 9), (unsigned) (v >> 5 & 15), (unsigned) (v & 31),
							   false, 0, 0, 0, 0, 0);
		p += 3;
		break;
	case T_TIME:
		return decode_time(dc, col, pp, end, out);
	case T_DATETIME:
		return decode_datetime(dc, col, pp, end, out);
	case T_TIMESTAMP:
		return decode_timestamp(dc, col, pp, end, out);
	case T_TIMESTAMP2:
	case T_DATETIME2:
		return decode_temporal2(dc, col, pp, end, out);
	case T_TIME2:
		return decode_time2(dc, col, pp, end, out);
	case T_BIT:
		len = (col->meta + 7u) / 8;
		NEED(len);
		out->data = binlog_arena_strndup(a, p, len);
		out->len = len;
		p += len;
		break;
	case T_VARCHAR:
	case T_VAR_STRING:
	case T_STRING:
		return decode_string(dc, col, pp, end, out);
	case T_ENUM:
	case T_SET:
		NEED(col->meta);
		v = le_n(p, col->meta);
		if (!binlog_render_labels(dc, out, col, v))
			return false;
		p += col->meta;
		break;
	case T_BLOB: case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB:
	case T_GEOMETRY:
		return decode_blob(dc, col, pp, end, out);
	default:
		return binlog_fail(dc, "column type %u is not supported", col->type);
	}
	*pp = p;
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
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
		return binlog_fail(dc, "too many values in one event (%zu columns, more than %zu values)",
					t->ncols, d->max_values);
	d->nvalues += t->ncols;

	binlog_value *vals = binlog_arena_alloc(&d->ev, t->ncols * sizeof(binlog_value));

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
	return binlog_malformed_at(dc, p, end);
}


static bool
is_compressed_rows(uint8_t type)
{
	return type >= BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1 && type <= BINLOG_DELETE_ROWS_COMPRESSED_EVENT;
}

/* rows_kind_of: what the rows events of a type code do */
static binlog_rows_kind
rows_kind_of(uint8_t type)
{
	switch (type) {
	case BINLOG_WRITE_ROWS_EVENT_V1: case BINLOG_WRITE_ROWS_EVENT:
	case BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_WRITE_ROWS_COMPRESSED_EVENT:
		return BINLOG_ROWS_INSERT;
	case BINLOG_UPDATE_ROWS_EVENT_V1: case BINLOG_UPDATE_ROWS_EVENT:
	case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT_V1: case BINLOG_UPDATE_ROWS_COMPRESSED_EVENT:
		return BINLOG_ROWS_UPDATE;
	default:
		return BINLOG_ROWS_DELETE;
	}
}

/* decode_row_list: the rows from p to end of a wanted table: per row the
 * before image (UPDATE, DELETE), then the after image (INSERT, UPDATE), with
 * the columns their columns-present bitmaps show; into ev */
static bool
decode_row_list(dctx *dc, const dtable *dt, binlog_rows_kind kind, const uint8_t *cols_bi,
				const uint8_t *cols_ai, const uint8_t *p, const uint8_t *end, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	size_t		n_bi = 0, n_ai = 0;

	for (size_t i = 0; i < dt->t.ncols; i++) {
		n_bi += bit_is_set(cols_bi, i);
		n_ai += bit_is_set(cols_ai, i);
	}
	/* an image of no column takes no bytes: the row loop would never end */
	if ((kind != BINLOG_ROWS_INSERT && n_bi == 0) || (kind != BINLOG_ROWS_DELETE && n_ai == 0))
		return binlog_fail(dc, "row image shows no column");

	size_t		nrows = 0;

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
}

/* binlog_decode_rows: WRITE/UPDATE/DELETE rows, v1, v2 and compressed */
bool
binlog_decode_rows(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	const uint8_t *p = body;
	uint8_t		type = dc->type;
	uint8_t		ph = d->post_header[type];
	binlog_rows_kind kind = rows_kind_of(type);
	uint64_t	id, width;
	uint16_t	flags;

	if (ph != 6 && ph != 8 && ph != 10)
		return binlog_fail(dc, "post-header of %u bytes is not supported", ph);
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

	dtable	   *dt = binlog_table_find(d, id);

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
		return binlog_fail(dc, "%" PRIu64 " columns (1 to %d expected)", width, MAX_COLUMNS);
	if (dt && width != dt->t.ncols)
		return binlog_fail(dc, "%" PRIu64 " columns, but its table map has %zu", width, dt->t.ncols);

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
		return binlog_fail(dc, "%s", dt->unsupported);

	const uint8_t *rows = p, *rows_end = end;
	size_t		rows_len = (size_t) (end - p);

	if (is_compressed_rows(type)) {
		if (!binlog_inflate_body(dc, p, end, &rows, &rows_len))
			return false;
		rows_end = rows + rows_len;
		dc->base = rows;
		dc->base_what = "uncompressed rows";
	}
	d->nvalues = 0;
	d->max_values = MAX_VALUES + 8 * rows_len;
	return decode_row_list(dc, dt, kind, cols_bi, cols_ai, rows, rows_end, ev);
malformed:
	return binlog_malformed_at(dc, p, end);
}
