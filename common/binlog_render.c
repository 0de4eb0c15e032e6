/*
 * Rendering binlog values as MariaDB's text protocol prints them.
 *
 * A row value reaches the type map in the same form whichever path carried
 * it: what mysql_fetch_row returns on a utf8mb4 session with time_zone
 * '+00:00'. The rows part of the decoder has already taken each value's
 * binary row format apart (integers, packed decimals, temporal fields,
 * length-prefixed strings); the functions here print it, into the per-event
 * arena, byte for byte as the server would. Rendering rules that are not
 * obvious:
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
 */
#include "common/binlog_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- character sets ----------------------------------------------------------- */

/* binlog_cs_of: how text in collation id cs reaches a utf8mb4 session. The ids are
 * MariaDB 10.11's (information_schema.COLLATION_CHARACTER_SET_APPLICABILITY);
 * 0 means the binlog did not say. */
cs_kind
binlog_cs_of(unsigned cs)
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

/* binlog_latin1_to_utf8: converts n latin1 bytes; returns an arena string (len set) */
char *
binlog_latin1_to_utf8(arena *a, const uint8_t *s, size_t n, size_t *len)
{
	char	   *out = binlog_arena_alloc(a, 3 * n + 1);
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
	binlog_arena_trim(a, out, o + 1);
	*len = o;
	return out;
}

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

/* binlog_render_int: a signed or unsigned integer of the given bits */
void
binlog_render_int(arena *a, binlog_value *out, uint64_t raw, unsigned bits, bool is_unsigned)
{
	char	   *s = binlog_arena_alloc(a, 21);
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
	binlog_arena_trim(a, s, n);
	out->data = s;
	out->len = n;
}

/* binlog_render_year: a YEAR byte: 1901-2155 as 1900 + raw, 0 as "0000" */
void
binlog_render_year(arena *a, binlog_value *out, uint8_t raw)
{
	char	   *o = binlog_arena_alloc(a, 4);

	put_digits(o, raw ? 1900u + raw : 0, 4);
	out->data = o;
	out->len = 4;
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

/* binlog_render_real: binlog_real_text into the arena */
void
binlog_render_real(arena *a, binlog_value *out, double x, bool is_float, int decimals)
{
	char		tmp[BINLOG_REAL_TEXT];
	size_t		n = binlog_real_text(x, is_float, decimals, tmp);

	out->data = binlog_arena_strndup(a, tmp, n);
	out->len = n;
}

/* bytes of a packed decimal group of 0-9 digits */
static const uint8_t dig2bytes[10] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 4 };
const uint32_t binlog_pow10[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
};

/* binlog_decimal_size: bytes of a DECIMAL(prec, scale) value */
size_t
binlog_decimal_size(unsigned prec, unsigned scale)
{
	unsigned	intg = prec - scale;

	return (intg / 9) * 4 + dig2bytes[intg % 9] + (scale / 9) * 4 + dig2bytes[scale % 9];
}

/*
 * binlog_render_decimal: MariaDB's packed DECIMAL: integer digits in groups of 9
 * (a short group first), fraction digits in groups of 9 (a short group
 * last), each group big-endian; the first bit is the sign (set for >= 0)
 * and negative numbers have every bit inverted. Printed with no leading
 * zeros (at least "0") and exactly scale fraction digits. False for a group
 * that is not a valid number of its digits.
 */
bool
binlog_render_decimal(arena *a, binlog_value *out, const uint8_t *p, unsigned prec, unsigned scale)
{
	uint8_t		b[40];
	size_t		size = binlog_decimal_size(prec, scale);
	unsigned	intg = prec - scale;
	char	   *s = binlog_arena_alloc(a, prec + 3);
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
			if (v >= binlog_pow10[ndig])
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
	binlog_arena_trim(a, s, n);
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
		put_digits(o + n, usec / binlog_pow10[6 - fsp], fsp);
		n += fsp;
	}
	return n;
}

/* binlog_render_datetime: "YYYY-MM-DD", plus " HH:MM:SS" with time, plus fsp
 * fraction digits of usec */
void
binlog_render_datetime(arena *a, binlog_value *out, unsigned y, unsigned mo, unsigned d,
					   bool with_time, unsigned h, unsigned mi, unsigned s, uint32_t usec, unsigned fsp)
{
	char	   *o = binlog_arena_alloc(a, 40);
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
	binlog_arena_trim(a, o, n);
	out->data = o;
	out->len = n;
}

/* binlog_render_time: "[-]HH:MM:SS" (hours as many digits as needed, at least two)
 * plus fsp fraction digits */
void
binlog_render_time(arena *a, binlog_value *out, bool neg, unsigned h, unsigned mi, unsigned s,
				   uint32_t usec, unsigned fsp)
{
	char	   *o = binlog_arena_alloc(a, 40);
	size_t		n = 0;

	if (neg)
		o[n++] = '-';
	if (h < 10)
		o[n++] = '0';
	n += put_u64(o + n, h);
	n += put_clock_tail(o + n, mi, s, usec, fsp);
	binlog_arena_trim(a, o, n);
	out->data = o;
	out->len = n;
}

/* binlog_render_timestamp: seconds since the epoch in UTC; 0 is the zero datetime */
void
binlog_render_timestamp(arena *a, binlog_value *out, uint32_t sec, uint32_t usec, unsigned fsp)
{
	if (sec == 0) {
		binlog_render_datetime(a, out, 0, 0, 0, true, 0, 0, 0, usec, fsp);
		return;
	}
	unsigned	y, m, d;
	int64_t		days = sec / 86400;
	uint32_t	rem = sec % 86400;

	civil_from_days(days, &y, &m, &d);
	binlog_render_datetime(a, out, y, m, d, true, rem / 3600, rem / 60 % 60, rem % 60, usec, fsp);
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

/* binlog_render_fixed_binary: INET4, INET6 and UUID values: BINARY(n) with the
 * stripped trailing zeros put back */
bool
binlog_render_fixed_binary(arena *a, binlog_value *out, binlog_render render, const uint8_t *v, size_t len)
{
	uint8_t		b[16] = { 0 };
	size_t		want = render == BINLOG_RENDER_INET4 ? 4 : 16;
	char	   *o;
	size_t		n = 0;

	if (len > want)
		return false;
	memcpy(b, v, len);
	o = binlog_arena_alloc(a, 48);
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
	binlog_arena_trim(a, o, n);
	out->data = o;
	out->len = n;
	return true;
}

/* binlog_render_text: string bytes as the text protocol returns them for the
 * column's character set; pad_to > len pads a BINARY(n) with zero bytes */
bool
binlog_render_text(dctx *dc, binlog_value *out, const binlog_column *col, const uint8_t *v,
				   size_t len, size_t pad_to)
{
	arena	   *a = &dc->d->ev;

	switch (binlog_cs_of(col->charset)) {
	case CS_LATIN1:
		out->data = binlog_latin1_to_utf8(a, v, len, &out->len);
		return true;
	case CS_OTHER:
		return binlog_fail(dc, "character set of collation %u is not carried (only utf8mb3, utf8mb4, "
					"ascii, latin1 and binary are); migrate would see it converted to UTF-8",
					col->charset);
	case CS_BINARY:
		if (pad_to > len) {
			char	   *o = binlog_arena_alloc(a, pad_to);

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
	out->data = binlog_arena_strndup(a, v, len);
	out->len = len;
	return true;
}

/* binlog_render_labels: an ENUM index (1-based, 0 = "") or a SET bitmap */
bool
binlog_render_labels(dctx *dc, binlog_value *out, const binlog_column *col, uint64_t v)
{
	arena	   *a = &dc->d->ev;

	if (col->nlabels == 0 && v != 0)
		return binlog_fail(dc, "%s labels unknown (the binlog has them with binlog_row_metadata=FULL, "
					"else the table hook must supply them)", col->type == T_ENUM ? "ENUM" : "SET");
	if (col->type == T_ENUM) {
		if (v > col->nlabels)
			return binlog_fail(dc, "ENUM index %" PRIu64 " beyond its %zu labels", v, col->nlabels);
		const char *l = v ? col->labels[v - 1] : "";

		out->data = binlog_arena_strndup(a, l, strlen(l));
		out->len = strlen(l);
		return true;
	}
	size_t		total = 0;

	for (size_t i = 0; i < 64; i++) {
		if (!(v >> i & 1))
			continue;
		if (i >= col->nlabels)
			return binlog_fail(dc, "SET member %zu beyond its %zu labels", i + 1, col->nlabels);
		total += strlen(col->labels[i]) + 1;
	}
	char	   *o = binlog_arena_alloc(a, total + 1);
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
