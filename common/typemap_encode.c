/*
 * The type map's value side: each value, as MariaDB's text protocol shows
 * it, into one field of PostgreSQL's COPY, in text or binary format; see
 * typemap.h for the contract and the data-fixing rules. Which encoding a
 * value gets was decided when its column was resolved, by its kind.
 *
 * Numbers and temporal values are checked for shape and passed through in
 * text (PostgreSQL does the range checks); zero dates become -infinity. Text
 * is escaped for COPY and cleaned: NUL bytes dropped, each byte of an invalid
 * UTF-8 sequence replaced by U+FFFD, and in JSON the \u0000 escape dropped,
 * as jsonb rejects it. The text scan is the hot loop of a bulk copy, so it
 * skips plain ASCII eight bytes at a time and copies valid multi-byte
 * characters in the same run, leaving the buffer only for the rare byte that
 * needs rewriting. Raw binary values (BIT, BLOB, WKB) are written bit by bit
 * or as hex from tables. The binary format carries the same values with the
 * same rules, already converted to PostgreSQL's wire forms, which the server
 * ingests without parsing text.
 *
 * A value that fails leaves the output buffer at its original length, so the
 * caller can report the row and go on with the buffer as it was.
 */
#include "common/typemap.h"
#include "common/typemap_int.h"
#include "common/hex.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_SNIPPET 40			/* bytes of a bad value quoted in an error */

/* typemap_set_err: see typemap_int.h */
void
typemap_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	if (!errbuf || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}


/*
 * snippet: a printable copy of the start of a value for an error message;
 * anything that is not printable ASCII shows as '?'. dst holds
 * ERR_SNIPPET + 4 bytes.
 */
static const char *
snippet(char *dst, const char *val, size_t len)
{
	size_t		n = len < ERR_SNIPPET ? len : ERR_SNIPPET;
	size_t		i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char) val[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
	}
	if (n < len) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}

/* ---------------------------------------------------------------------
 * Checking value shapes
 * --------------------------------------------------------------------- */

/* digits_at: the number of ASCII digits at s[i..len) */
static size_t
digits_at(const char *s, size_t i, size_t len)
{
	size_t		n = 0;

	while (i + n < len && s[i + n] >= '0' && s[i + n] <= '9')
		n++;
	return n;
}

/* typemap_shape_int: [+-]digits */
bool
typemap_shape_int(const char *s, size_t len)
{
	size_t		i = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	size_t		n = digits_at(s, i, len);

	return n > 0 && i + n == len;
}

/*
 * typemap_shape_number: [+-]digits[.digits] with digits on at least one side of the
 * point, then an exponent when allowed. No inf or nan: MariaDB cannot store
 * them, so such a value is not one of its.
 */
bool
typemap_shape_number(const char *s, size_t len, bool exponent)
{
	size_t		i = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	size_t		whole = digits_at(s, i, len);
	size_t		frac = 0;

	i += whole;
	if (i < len && s[i] == '.') {
		frac = digits_at(s, i + 1, len);
		i += 1 + frac;
	}
	if (whole + frac == 0)
		return false;
	if (exponent && i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t		n;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		n = digits_at(s, i, len);
		if (n == 0)
			return false;
		i += n;
	}
	return i == len;
}

/* typemap_int_is_zero: for a value typemap_shape_int accepted, whether it is zero */
bool
typemap_int_is_zero(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= '1' && s[i] <= '9')
			return false;
	return true;
}

/* fixed_digits: whether s[i..i+n) are all digits, within len */
static bool
fixed_digits(const char *s, size_t i, size_t n, size_t len)
{
	return i + n <= len && digits_at(s, i, i + n) == n;
}

/* all_zero: whether the n digits at s[i] are all '0' */
static bool
all_zero(const char *s, size_t i, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[i + k] != '0')
			return false;
	return true;
}

/*
 * typemap_shape_date: "YYYY-MM-DD", and with with_time " HH:MM:SS[.f{1,6}]" after
 * it. *zero is set when the year, month or day is zero.
 */
bool
typemap_shape_date(const char *s, size_t len, bool with_time, bool *zero)
{
	if (len < 10 || !fixed_digits(s, 0, 4, len) || s[4] != '-' ||
		!fixed_digits(s, 5, 2, len) || s[7] != '-' || !fixed_digits(s, 8, 2, len))
		return false;
	*zero = all_zero(s, 0, 4) || all_zero(s, 5, 2) || all_zero(s, 8, 2);
	if (!with_time)
		return len == 10;
	if (len < 19 || s[10] != ' ' || !fixed_digits(s, 11, 2, len) || s[13] != ':' ||
		!fixed_digits(s, 14, 2, len) || s[16] != ':' || !fixed_digits(s, 17, 2, len))
		return false;
	if (len == 19)
		return true;
	if (s[19] != '.')
		return false;
	size_t		f = digits_at(s, 20, len);

	return f >= 1 && f <= 6 && 20 + f == len;
}

/* typemap_shape_time: [-]H{1,3}:MM:SS[.f{1,6}], MariaDB's TIME text */
bool
typemap_shape_time(const char *s, size_t len)
{
	size_t		i = (len > 0 && s[0] == '-') ? 1 : 0;
	size_t		h = digits_at(s, i, len);

	if (h < 1 || h > 3)
		return false;
	i += h;
	if (i >= len || s[i] != ':' || !fixed_digits(s, i + 1, 2, len))
		return false;
	i += 3;
	if (i >= len || s[i] != ':' || !fixed_digits(s, i + 1, 2, len))
		return false;
	i += 3;
	if (i == len)
		return true;
	if (s[i] != '.')
		return false;
	size_t		f = digits_at(s, i + 1, len);

	return f >= 1 && f <= 6 && i + 1 + f == len;
}

/* ---------------------------------------------------------------------
 * Encoding values
 * --------------------------------------------------------------------- */

#define SWAR_ONES	0x0101010101010101ULL
#define SWAR_HIGHS	0x8080808080808080ULL

/*
 * swar_special: non-zero when one of 8 bytes may need attention in text:
 * a byte >= 0x80, a control byte (< 0x20: covers NUL, tab, LF, CR) or a
 * backslash. The tests are the classic "has a byte less than n" and "has a
 * zero byte" bit tricks; they may flag a harmless control byte, never miss.
 */
static inline uint64_t
swar_special(uint64_t w)
{
	uint64_t	bs = w ^ (SWAR_ONES * 0x5c);

	return (w & SWAR_HIGHS) |
		((w - SWAR_ONES * 0x20) & ~w & SWAR_HIGHS) |
		((bs - SWAR_ONES) & ~bs & SWAR_HIGHS);
}

/*
 * utf8_seq: the length of the valid UTF-8 sequence at s (s[0] >= 0x80), or
 * 0 when it is invalid: a stray continuation byte, an overlong form, a
 * surrogate, a code point past U+10FFFF, or a sequence cut short. These are
 * the well-formed byte sequences of the Unicode standard (table 3-7).
 */
static inline size_t
utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t		n;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* no overlongs */
		else if (c == 0xED)
			hi = 0x9F;			/* no surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;			/* no overlongs */
		else if (c == 0xF4)
			hi = 0x8F;			/* nothing past U+10FFFF */
	}
	else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return n;
}

/* is_json_nul: whether s (at a backslash) starts the escape \u0000 */
static inline bool
is_json_nul(const char *s, size_t avail)
{
	return avail >= 6 && s[1] == 'u' && s[2] == '0' &&
		s[3] == '0' && s[4] == '0' && s[5] == '0';
}

/*
 * encode_text: appends text escaped for COPY with the NUL and UTF-8 rules,
 * and for JSON the \u0000 rule. Plain runs (ASCII that needs no escape, and
 * valid multi-byte characters) are copied in one piece.
 */
static void
encode_text(buf *out, const char *val, size_t len, bool json, bool escape, unsigned *fixes)
{
	const unsigned char *s = (const unsigned char *) val;
	size_t		i = 0;
	size_t		run = 0;		/* start of the pending plain run */
	unsigned	fx = 0;

	buf_reserve(out, len);
	while (i < len) {
		unsigned char c;

		while (i + 8 <= len) {
			uint64_t	w;

			memcpy(&w, s + i, 8);
			if (swar_special(w))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		c = s[i];
		if (c >= 0x80) {
			size_t		n = utf8_seq(s + i, len - i);

			if (n > 0) {
				i += n;
				continue;
			}
			buf_append(out, s + run, i - run);
			buf_append(out, "\xEF\xBF\xBD", 3);
			fx |= TYPEMAP_FIX_BAD_UTF8;
			run = ++i;
			continue;
		}
		if (c >= 0x20 && c != '\\') {
			i++;
			continue;
		}
		if (!escape && c != '\0' && !(json && c == '\\')) {
			i++;				/* binary COPY: only the NUL rule applies */
			continue;
		}
		switch (c) {
			case '\\':
				buf_append(out, s + run, i - run);
				if (json && is_json_nul(val + i, len - i)) {
					fx |= TYPEMAP_FIX_NUL;
					i += 6;
				}
				else if (json && i + 1 < len && s[i + 1] == '\\') {
					/* an escaped backslash: the next one starts nothing */
					buf_append(out, escape ? "\\\\\\\\" : "\\\\", escape ? 4 : 2);
					i += 2;
				}
				else {
					buf_append(out, "\\\\", escape ? 2 : 1);
					i++;
				}
				run = i;
				break;
			case '\n':
				buf_append(out, s + run, i - run);
				buf_append(out, "\\n", 2);
				run = ++i;
				break;
			case '\r':
				buf_append(out, s + run, i - run);
				buf_append(out, "\\r", 2);
				run = ++i;
				break;
			case '\t':
				buf_append(out, s + run, i - run);
				buf_append(out, "\\t", 2);
				run = ++i;
				break;
			case '\0':
				buf_append(out, s + run, i - run);
				fx |= TYPEMAP_FIX_NUL;
				run = ++i;
				break;
			default:
				i++;			/* other control bytes go as they are */
				break;
		}
	}
	buf_append(out, s + run, len - run);
	*fixes |= fx;
}

/* encode_hex: appends prefix and then each byte as two lowercase hex digits */
static void
encode_hex(buf *out, const char *prefix, const char *val, size_t len)
{
	buf_puts(out, prefix);
	hex_append(out, val, len);
}

/*
 * encode_bit: appends the low col->bits bits of a big-endian value as '0'
 * and '1'. A value shorter than the column is left-padded with zero bytes
 * (a decoder may drop them); a longer one, or one with bits set above the
 * column's width, is not a value of this column.
 */
static bool
encode_bit(const typemap_column *col, const char *val, size_t len, buf *out,
		   char *errbuf, size_t errlen)
{
	unsigned	nbits = col->bits;
	size_t		nbytes = (nbits + 7) / 8;
	char	   *d;

	if (nbits == 0 || len > nbytes) {
		typemap_set_err(errbuf, errlen, "BIT(%u) value has %zu bytes, expected %zu",
				nbits, len, nbytes);
		return false;
	}
	/* bit k (0 = lowest) of the value lives in byte len-1-k/8 */
	for (size_t k = nbits; k < len * 8; k++) {
		if ((unsigned char) val[len - 1 - k / 8] & (1u << (k % 8))) {
			typemap_set_err(errbuf, errlen, "BIT(%u) value has bits set above bit %u",
					nbits, nbits);
			return false;
		}
	}
	buf_reserve(out, nbits);
	d = out->data + out->len;
	for (size_t k = nbits; k-- > 0;) {
		size_t		byte = k / 8;
		bool		on = byte < len &&
			((unsigned char) val[len - 1 - byte] & (1u << (k % 8)));

		*d++ = on ? '1' : '0';
	}
	out->len += nbits;
	out->data[out->len] = '\0';
	return true;
}

/* typemap_encode_copy: see typemap.h */
bool
typemap_encode_copy(const typemap_column *col, const char *val, size_t len,
					buf *out, unsigned *fixes, char *errbuf, size_t errlen)
{
	char		shown[ERR_SNIPPET + 4];
	bool		zero;

	if (val == NULL) {
		buf_append(out, "\\N", 2);
		return true;
	}
	switch (col->kind) {
		case TYPEMAP_INT:
		case TYPEMAP_YEAR:
			if (!typemap_shape_int(val, len))
				goto bad_value;
			buf_append(out, val, len);
			return true;
		case TYPEMAP_DECIMAL:
			if (!typemap_shape_number(val, len, false))
				goto bad_value;
			buf_append(out, val, len);
			return true;
		case TYPEMAP_FLOAT:
		case TYPEMAP_DOUBLE:
			if (!typemap_shape_number(val, len, true))
				goto bad_value;
			buf_append(out, val, len);
			return true;
		case TYPEMAP_BOOL_INT:
			if (!typemap_shape_int(val, len))
				goto bad_value;
			buf_putc(out, typemap_int_is_zero(val, len) ? 'f' : 't');
			return true;
		case TYPEMAP_BOOL_BIT:
			if (len != 1) {
				typemap_set_err(errbuf, errlen, "BIT(1) value has %zu bytes, expected 1", len);
				return false;
			}
			buf_putc(out, val[0] ? 't' : 'f');
			return true;
		case TYPEMAP_BIT:
			return encode_bit(col, val, len, out, errbuf, errlen);
		case TYPEMAP_TEXT:
		case TYPEMAP_INET:
		case TYPEMAP_UUID:
		case TYPEMAP_PASSTHROUGH:
			encode_text(out, val, len, false, true, fixes);
			return true;
		case TYPEMAP_JSON:
			encode_text(out, val, len, true, true, fixes);
			return true;
		case TYPEMAP_BYTEA:
			encode_hex(out, "\\\\x", val, len);
			return true;
		case TYPEMAP_GEOMETRY:
			encode_hex(out, col->postgis ? "" : "\\\\x", val, len);
			return true;
		case TYPEMAP_DATE:
		case TYPEMAP_DATETIME:
		case TYPEMAP_TIMESTAMP:
			if (!typemap_shape_date(val, len, col->kind != TYPEMAP_DATE, &zero))
				goto bad_value;
			if (zero) {
				buf_append(out, "-infinity", 9);
				*fixes |= TYPEMAP_FIX_ZERO_DATE;
				return true;
			}
			buf_append(out, val, len);
			if (col->kind == TYPEMAP_TIMESTAMP)
				buf_append(out, "+00", 3);
			return true;
		case TYPEMAP_TIME:
			if (!typemap_shape_time(val, len))
				goto bad_value;
			buf_append(out, val, len);
			return true;
	}
	typemap_set_err(errbuf, errlen, "unknown column kind %d", (int) col->kind);
	return false;

bad_value:
	typemap_set_err(errbuf, errlen, "invalid value \"%s\" for PostgreSQL type %s",
			snippet(shown, val, len), col->pg_type);
	return false;
}

/* ---------------------------------------------------------------------
 * Binary COPY
 *
 * PostgreSQL's binary COPY field formats (the types' send/recv functions):
 * big-endian integers; numeric as base-10000 digits with weight, sign and
 * display scale; float4/8 as IEEE bits; date as int32 days and timestamps
 * as int64 microseconds since 2000-01-01, with INT32_MIN / INT64_MIN for
 * -infinity; jsonb as version byte 1 and the JSON text; text and bytea as
 * their bytes. recv applies the column's typmod as input would.
 * --------------------------------------------------------------------- */

enum {
	BIN_NONE = 0, BIN_INT2, BIN_INT4, BIN_INT8, BIN_NUMERIC, BIN_FLOAT4, BIN_FLOAT8,
	BIN_BOOL_INT, BIN_BOOL_BIT, BIN_TEXT, BIN_JSONB, BIN_BYTEA, BIN_DATE, BIN_TIMESTAMP, BIN_UUID
};

#define PG_EPOCH_DAYS 10957		/* 2000-01-01 in days since 1970-01-01 */

/* typemap_binary_prepare: see typemap.h */
bool
typemap_binary_prepare(typemap_column *col)
{
	col->bin = BIN_NONE;
	switch (col->kind) {
		case TYPEMAP_INT:
		case TYPEMAP_YEAR:
			if (strcmp(col->pg_type, "smallint") == 0)
				col->bin = BIN_INT2;
			else if (strcmp(col->pg_type, "integer") == 0)
				col->bin = BIN_INT4;
			else if (strcmp(col->pg_type, "bigint") == 0)
				col->bin = BIN_INT8;
			else if (strncmp(col->pg_type, "numeric", 7) == 0)
				col->bin = BIN_NUMERIC;
			break;
		case TYPEMAP_DECIMAL: col->bin = BIN_NUMERIC; break;
		case TYPEMAP_FLOAT: col->bin = BIN_FLOAT4; break;
		case TYPEMAP_DOUBLE: col->bin = BIN_FLOAT8; break;
		case TYPEMAP_BOOL_INT: col->bin = BIN_BOOL_INT; break;
		case TYPEMAP_BOOL_BIT: col->bin = BIN_BOOL_BIT; break;
		case TYPEMAP_TEXT: col->bin = BIN_TEXT; break;
		case TYPEMAP_JSON: col->bin = BIN_JSONB; break;
		case TYPEMAP_BYTEA: col->bin = BIN_BYTEA; break;
		case TYPEMAP_DATE: col->bin = BIN_DATE; break;
		case TYPEMAP_DATETIME:
		case TYPEMAP_TIMESTAMP: col->bin = BIN_TIMESTAMP; break;
		case TYPEMAP_UUID: col->bin = BIN_UUID; break;
		default: break;
	}
	return col->bin != BIN_NONE;
}

/* put_be: appends the low n bytes of v, most significant first */
static inline void
put_be(buf *out, uint64_t v, int n)
{
	char		b[8];

	for (int i = 0; i < n; i++)
		b[i] = (char) (v >> (8 * (n - 1 - i)));
	buf_append(out, b, (size_t) n);
}

/* patch_len: writes the int32 field length at out->data[at] */
static inline void
patch_len(buf *out, size_t at)
{
	uint32_t	n = (uint32_t) (out->len - at - 4);

	out->data[at] = (char) (n >> 24);
	out->data[at + 1] = (char) (n >> 16);
	out->data[at + 2] = (char) (n >> 8);
	out->data[at + 3] = (char) n;
}

/* parse_i64: a decimal integer that fits int64 (shape already checked) */
static bool
parse_i64(const char *s, size_t len, int64_t *out)
{
	bool		neg = false;
	uint64_t	v = 0;
	size_t		i = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	if (neg ? v > (uint64_t) INT64_MAX + 1 : v > (uint64_t) INT64_MAX)
		return false;
	*out = neg ? (int64_t) (0 - v) : (int64_t) v;
	return true;
}

/* encode_numeric: a decimal string as PostgreSQL's binary numeric */
static bool
encode_numeric(buf *out, const char *s, size_t len)
{
	size_t		i = 0, ib, ie, fb, fe;
	bool		neg = false;
	int16_t		digits[256];
	int			nd = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	ib = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	ie = i;
	fb = fe = i;
	if (i < len && s[i] == '.') {
		fb = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		fe = i;
	}
	if (i != len || (ie == ib && fe == fb))
		return false;
	while (ib < ie && s[ib] == '0')
		ib++;					/* leading zeros carry nothing */
	size_t		nint = ie - ib, nfrac = fe - fb;
	size_t		padl = (4 - nint % 4) % 4;
	size_t		total = padl + nint + nfrac;
	size_t		ngroups = (total + 3) / 4;

	if (ngroups > sizeof(digits) / sizeof(digits[0]))
		return false;
	int			weight = (int) ((padl + nint) / 4) - 1;

	for (size_t g = 0; g < ngroups; g++) {
		int			d = 0;

		for (size_t k = 0; k < 4; k++) {
			size_t		pos = g * 4 + k;	/* position in the padded digit string */
			char		c = '0';

			if (pos >= padl && pos < padl + nint)
				c = s[ib + pos - padl];
			else if (pos >= padl + nint && pos < total)
				c = s[fb + pos - padl - nint];
			d = d * 10 + (c - '0');
		}
		digits[nd++] = (int16_t) d;
	}
	int			first = 0;

	while (first < nd && digits[first] == 0) {
		first++;
		weight--;
	}
	while (nd > first && digits[nd - 1] == 0)
		nd--;
	if (first == nd) {
		weight = 0;
		neg = false;
	}
	put_be(out, 8 + 2 * (uint64_t) (nd - first), 4);
	put_be(out, (uint64_t) (nd - first), 2);
	put_be(out, (uint64_t) (uint16_t) weight, 2);
	put_be(out, neg ? 0x4000 : 0x0000, 2);
	put_be(out, (uint64_t) nfrac, 2);
	for (int k = first; k < nd; k++)
		put_be(out, (uint64_t) digits[k], 2);
	return true;
}

/* days_from_civil: days since 1970-01-01 of a proleptic Gregorian date */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	unsigned	yoe = (unsigned) (y - era * 400);
	unsigned	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t) doe - 719468;
}

/* num_at: the value of n digits at s (shape already checked) */
static unsigned
num_at(const char *s, size_t n)
{
	unsigned	v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned) (s[i] - '0');
	return v;
}

/* encode_binary_real: a FLOAT or DOUBLE value as float4/float8; false for
 * a value that is not a number */
static bool
encode_binary_real(const typemap_column *col, const char *val, size_t len, buf *out)
{
	char		tmp[64];

	if (!typemap_shape_number(val, len, true) || len >= sizeof(tmp))
		return false;
	memcpy(tmp, val, len);
	tmp[len] = '\0';
	if (col->bin == BIN_FLOAT4) {
		float		f = strtof(tmp, NULL);
		uint32_t	bits;

		memcpy(&bits, &f, 4);
		put_be(out, 4, 4);
		put_be(out, bits, 4);
	} else {
		double		d = strtod(tmp, NULL);
		uint64_t	bits;

		memcpy(&bits, &d, 8);
		put_be(out, 8, 4);
		put_be(out, bits, 8);
	}
	return true;
}

/* encode_binary_date: a DATE, DATETIME or TIMESTAMP value as date or
 * timestamp (zero dates as -infinity, setting the fix); false, appending
 * nothing, for a value PostgreSQL's input would refuse */
static bool
encode_binary_date(const typemap_column *col, const char *val, size_t len, buf *out,
				   unsigned *fixes)
{
	bool		with_time = col->bin == BIN_TIMESTAMP;
	bool		zero;

	if (!typemap_shape_date(val, len, with_time, &zero))
		return false;
	if (zero) {
		*fixes |= TYPEMAP_FIX_ZERO_DATE;
		put_be(out, with_time ? 8 : 4, 4);
		if (with_time)
			put_be(out, (uint64_t) INT64_MIN, 8);
		else
			put_be(out, (uint64_t) (uint32_t) INT32_MIN, 4);
		return true;
	}
	unsigned	y = num_at(val, 4), m = num_at(val + 5, 2), d = num_at(val + 8, 2);
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	/* what PostgreSQL's input would refuse (ALLOW_INVALID_DATES data) */
	if (m > 12 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap) ||
		(with_time && (num_at(val + 11, 2) > 23 || num_at(val + 14, 2) > 59 ||
					   num_at(val + 17, 2) > 59)))
		return false;
	int64_t		days = days_from_civil(y, m, d) - PG_EPOCH_DAYS;

	if (!with_time) {
		put_be(out, 4, 4);
		put_be(out, (uint64_t) (uint32_t) (int32_t) days, 4);
		return true;
	}
	int64_t		usec = 0;

	if (len > 19) {		/* ".f" up to 6 digits */
		size_t		nf = len - 20;

		usec = num_at(val + 20, nf);
		for (size_t k = nf; k < 6; k++)
			usec *= 10;
	}
	int64_t		secs = days * 86400 + num_at(val + 11, 2) * 3600 +
		num_at(val + 14, 2) * 60 + num_at(val + 17, 2);

	put_be(out, 8, 4);
	put_be(out, (uint64_t) (secs * 1000000 + usec), 8);
	return true;
}

/* encode_binary_uuid: a UUID's text (hex digits, dashes anywhere) as its 16
 * bytes; false for anything else */
static bool
encode_binary_uuid(const char *val, size_t len, buf *out)
{
	unsigned char u[16];
	int			n = 0;

	for (size_t i = 0; i < len; i++) {
		if (val[i] == '-')
			continue;
		int			h = hex_value(val[i]);

		if (h < 0 || n >= 32)
			return false;
		if (n % 2 == 0)
			u[n / 2] = (unsigned char) (h << 4);
		else
			u[n / 2] |= (unsigned char) h;
		n++;
	}
	if (n != 32)
		return false;
	put_be(out, 16, 4);
	buf_append(out, u, 16);
	return true;
}

/* typemap_encode_binary: see typemap.h */
bool
typemap_encode_binary(const typemap_column *col, const char *val, size_t len,
					  buf *out, unsigned *fixes, char *errbuf, size_t errlen)
{
	char		shown[ERR_SNIPPET + 4];
	size_t		start = out->len;
	int64_t		iv;

	if (val == NULL) {
		put_be(out, 0xFFFFFFFFu, 4);
		return true;
	}
	switch (col->bin) {
		case BIN_INT2:
		case BIN_INT4:
		case BIN_INT8: {
			int			width = col->bin == BIN_INT2 ? 2 : col->bin == BIN_INT4 ? 4 : 8;
			int64_t		lim = width == 2 ? INT16_MAX : width == 4 ? INT32_MAX : INT64_MAX;

			if (!parse_i64(val, len, &iv) || iv > lim || iv < -lim - 1)
				goto bad_value;
			put_be(out, (uint64_t) width, 4);
			put_be(out, (uint64_t) iv, width);
			return true;
		}
		case BIN_NUMERIC:
			if (!typemap_shape_number(val, len, false))
				goto bad_value;
			if (!encode_numeric(out, val, len)) {
				out->len = start;
				goto bad_value;
			}
			return true;
		case BIN_FLOAT4:
		case BIN_FLOAT8:
			if (!encode_binary_real(col, val, len, out))
				goto bad_value;
			return true;
		case BIN_BOOL_INT:
			if (!typemap_shape_int(val, len))
				goto bad_value;
			put_be(out, 1, 4);
			buf_putc(out, typemap_int_is_zero(val, len) ? 0 : 1);
			return true;
		case BIN_BOOL_BIT:
			if (len != 1) {
				typemap_set_err(errbuf, errlen, "BIT(1) value has %zu bytes, expected 1", len);
				return false;
			}
			put_be(out, 1, 4);
			buf_putc(out, val[0] ? 1 : 0);
			return true;
		case BIN_TEXT:
		case BIN_JSONB:
			put_be(out, 0, 4);
			if (col->bin == BIN_JSONB)
				buf_putc(out, 1);
			encode_text(out, val, len, col->bin == BIN_JSONB, false, fixes);
			patch_len(out, start);
			return true;
		case BIN_BYTEA:
			put_be(out, len, 4);
			buf_append(out, val, len);
			return true;
		case BIN_DATE:
		case BIN_TIMESTAMP:
			if (!encode_binary_date(col, val, len, out, fixes))
				goto bad_value;
			return true;
		case BIN_UUID:
			if (!encode_binary_uuid(val, len, out))
				goto bad_value;
			return true;
	}
	typemap_set_err(errbuf, errlen, "column of kind %d has no binary form", (int) col->kind);
	return false;

bad_value:
	out->len = start;
	if (out->data)
		out->data[out->len] = '\0';
	typemap_set_err(errbuf, errlen, "invalid value \"%s\" for PostgreSQL type %s",
			snippet(shown, val, len), col->pg_type);
	return false;
}
