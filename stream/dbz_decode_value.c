/*
 * Debezium change events, decoding one value; see dbz_decode_value.h, and
 * dbz_decode.h for what each type accepts.
 *
 * It works like this. dbz_decode_value picks a reader by the column's
 * representation (dbz_classify's dbz_col). Each reader checks the JSON
 * value's shape (integer, string, base64, struct), undoes the
 * representation (days to a date, microseconds to a time, two's complement
 * bytes to decimal digits, least significant bytes first to most), checks
 * the result against the column (range, scale, fraction digits) and prints
 * it as MariaDB's text protocol would. A reader either leaves its text in a
 * buffer, which is then copied into the arena, or points the value at the
 * JSON string or at arena memory itself; what went wrong it reports as a
 * status that field_fail turns into the one message for that kind of error,
 * naming the table, the column and the value.
 *
 * The arena is a list of blocks, newest first, each twice the last up to a
 * ceiling; a reset keeps the newest block unless a huge value made it.
 */
#include "stream/dbz_decode_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/xalloc.h"

#define DBZ_BLOCK_MIN	4096		/* first arena block */
#define DBZ_BLOCK_KEEP	(1 << 20)	/* largest block kept across events */
#define DBZ_TIME_MAX	INT64_C(3020399999999)	/* 838:59:59.999999 in microseconds */
#define DBZ_MS_MIN		INT64_C(-62167219200000)	/* 0000-01-01 in milliseconds */
#define DBZ_MS_END		INT64_C(253402300800000)	/* 10000-01-01 in milliseconds */

/* One arena block; data follows. */
typedef struct dbz_block {
	struct dbz_block *next;
	size_t		cap;
	size_t		used;
	char		data[];
} dbz_block;

/* One field being decoded: what each per-type reader needs. */
typedef struct field {
	const plan_table *pt;
	const plan_column *pc;
	const dbz_col *dc;
	const dbz_hint *h;
	const json_t *j;			/* the field's value; not null */
	dbz_arena  *arena;
	binlog_value *out;
	char	   *errbuf;
	size_t		errlen;
} field;

/* What a per-type reader made of its field. */
typedef enum dec_status {
	DEC_TEXT,					/* the value is its text buffer, to be copied */
	DEC_DONE,					/* out is set */
	DEC_FAILED,					/* errbuf is filled */
	DEC_BAD_INT,				/* not an integer: a bad value if a string, else a bad type */
	DEC_BAD_TYPE,				/* a JSON type the column does not take */
	DEC_BAD_BASE64,
	DEC_BAD_VALUE,				/* a string not of the column's shape */
	DEC_OUT_OF_RANGE,
	DEC_CONNECT_RANGE,			/* out of range read as milliseconds (connect mode) */
	DEC_BAD_WHY					/* *why says what is wrong */
} dec_status;

/* ---------------------------------------------------------------------
 * The arena
 * --------------------------------------------------------------------- */

/* dbz_arena_alloc: see dbz_decode_value.h */
char *
dbz_arena_alloc(dbz_arena *a, size_t n)
{
	dbz_block  *b = a->blocks;

	if (!b || b->cap - b->used < n) {
		size_t		cap = b ? b->cap * 2 : DBZ_BLOCK_MIN;

		if (cap > DBZ_BLOCK_KEEP)
			cap = DBZ_BLOCK_KEEP;
		if (cap < n)
			cap = n;
		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->blocks;
		a->blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* dbz_arena_reset: see dbz_decode_value.h */
void
dbz_arena_reset(dbz_arena *a)
{
	dbz_block  *keep = a->blocks && a->blocks->cap <= DBZ_BLOCK_KEEP ? a->blocks : NULL;
	dbz_block  *b = keep ? keep->next : a->blocks;

	while (b) {
		dbz_block  *next = b->next;

		free(b);
		b = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->blocks = keep;
}

/* dbz_arena_free: see dbz_decode_value.h */
void
dbz_arena_free(dbz_arena *a)
{
	dbz_arena_reset(a);
	free(a->blocks);			/* the one block reset keeps */
	a->blocks = NULL;
}

/* set_copy: out holds a copy of n bytes in the arena */
static void
set_copy(dbz_arena *a, binlog_value *out, const void *s, size_t n)
{
	char	   *d = dbz_arena_alloc(a, n);

	if (n)
		memcpy(d, s, n);
	out->present = true;
	out->data = d;
	out->len = n;
}

/* ---------------------------------------------------------------------
 * JSON, base64 and integers
 * --------------------------------------------------------------------- */

/* dbz_json_kind: see dbz_decode_value.h */
const char *
dbz_json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
		case JSON_OBJECT: return "an object";
		case JSON_ARRAY: return "an array";
		case JSON_STRING: return "a string";
		case JSON_INTEGER: return "an integer";
		case JSON_REAL: return "a number";
		case JSON_TRUE:
		case JSON_FALSE: return "a boolean";
		case JSON_NULL: return "null";
	}
	return "?";
}

/* modes_of: the hint's connector modes, or Debezium's defaults */
static const dbz_modes *
modes_of(const dbz_hint *h)
{
	static const dbz_modes dflt = DBZ_MODES_DEFAULT;

	return h->modes ? h->modes : &dflt;
}

/* dbz_decimal_mode_parse: see dbz_decode_value.h */
bool
dbz_decimal_mode_parse(const char *s, dbz_decimal_mode *mode)
{
	if (strcmp(s, "precise") == 0)
		*mode = DBZ_DECIMAL_PRECISE;
	else if (strcmp(s, "double") == 0)
		*mode = DBZ_DECIMAL_DOUBLE;
	else if (strcmp(s, "string") == 0)
		*mode = DBZ_DECIMAL_STRING;
	else
		return false;
	return true;
}

/* dbz_time_mode_parse: see dbz_decode_value.h */
bool
dbz_time_mode_parse(const char *s, dbz_time_mode *mode)
{
	if (strcmp(s, "adaptive_time_microseconds") == 0)
		*mode = DBZ_TIME_ADAPTIVE_US;
	else if (strcmp(s, "adaptive") == 0)
		*mode = DBZ_TIME_ADAPTIVE;
	else if (strcmp(s, "connect") == 0)
		*mode = DBZ_TIME_CONNECT;
	else
		return false;
	return true;
}

/* dbz_binary_mode_parse: see dbz_decode_value.h */
bool
dbz_binary_mode_parse(const char *s, dbz_binary_mode *mode)
{
	if (strcmp(s, "bytes") == 0)
		*mode = DBZ_BINARY_BYTES;
	else if (strcmp(s, "base64") == 0)
		*mode = DBZ_BINARY_BASE64;
	else if (strcmp(s, "base64-url-safe") == 0)
		*mode = DBZ_BINARY_BASE64_URL;
	else if (strcmp(s, "hex") == 0)
		*mode = DBZ_BINARY_HEX;
	else
		return false;
	return true;
}

/* b64_decode_alpha: base64 with '=' padding whose last two digits are c62
 * and c63 into out, which has room for len / 4 * 3 bytes */
static bool
b64_decode_alpha(const char *s, size_t len, char c62, char c63, unsigned char *out, size_t *outlen)
{
	size_t		n = 0;

	if (len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t	v = 0;
		int			pad = 0;

		for (size_t k = 0; k < 4; k++) {
			char		c = s[i + k];
			uint32_t	d;

			if (c >= 'A' && c <= 'Z')
				d = (uint32_t) (c - 'A');
			else if (c >= 'a' && c <= 'z')
				d = (uint32_t) (c - 'a') + 26;
			else if (c >= '0' && c <= '9')
				d = (uint32_t) (c - '0') + 52;
			else if (c == c62)
				d = 62;
			else if (c == c63)
				d = 63;
			else if (c == '=' && i + 4 == len && k >= 2 && (k == 3 || s[i + 3] == '=')) {
				d = 0;
				pad++;
			} else
				return false;
			if (pad && c != '=')
				return false;	/* data after padding */
			v = v << 6 | d;
		}
		out[n++] = (unsigned char) (v >> 16);
		if (pad < 2)
			out[n++] = (unsigned char) (v >> 8);
		if (pad < 1)
			out[n++] = (unsigned char) v;
	}
	*outlen = n;
	return true;
}

/* b64_decode: standard base64 with '=' padding (what Java's encoder and
 * JsonConverter write) into out, which has room for len / 4 * 3 bytes */
static bool
b64_decode(const char *s, size_t len, unsigned char *out, size_t *outlen)
{
	return b64_decode_alpha(s, len, '+', '/', out, outlen);
}

/* b64_value: the bytes of a base64 JSON string, in the arena */
static bool
b64_value(dbz_arena *a, const json_t *j, unsigned char **out, size_t *outlen)
{
	const char *s = json_string_value(j);
	size_t		len = json_string_length(j);
	unsigned char *d;

	if (!s)
		return false;
	d = (unsigned char *) dbz_arena_alloc(a, len / 4 * 3);
	if (!b64_decode(s, len, d, outlen))
		return false;
	*out = d;
	return true;
}

/*
 * bin_value: the bytes of a binary column's JSON string as
 * binary.handling.mode sends them: base64 (bytes, base64), the URL-safe
 * alphabet with or without padding (base64-url-safe), or hex digits, into
 * the arena. False when the text is not of that form.
 */
static bool
bin_value(dbz_arena *a, const json_t *j, dbz_binary_mode mode, unsigned char **out, size_t *outlen)
{
	const char *s = json_string_value(j);
	size_t		len = json_string_length(j);
	unsigned char *d;

	if (!s)
		return false;
	if (mode == DBZ_BINARY_HEX) {
		if (len % 2 != 0)
			return false;
		d = (unsigned char *) dbz_arena_alloc(a, len / 2 + 1);
		for (size_t k = 0; k < len; k += 2) {
			int			hi = hex_value(s[k]), lo = hex_value(s[k + 1]);

			if (hi < 0 || lo < 0)
				return false;
			d[k / 2] = (unsigned char) (hi << 4 | lo);
		}
		*out = d;
		*outlen = len / 2;
		return true;
	}
	if (mode != DBZ_BINARY_BASE64_URL)
		return b64_value(a, j, out, outlen);
	/* URL-safe: padded to whole groups (Java's URL encoder pads by default) */
	size_t		padded = (len + 3) / 4 * 4;
	char	   *t = dbz_arena_alloc(a, padded + 1);

	if (len % 4 == 1)
		return false;
	memcpy(t, s, len);
	memset(t + len, '=', padded - len);
	d = (unsigned char *) dbz_arena_alloc(a, padded / 4 * 3 + 1);
	if (!b64_decode_alpha(t, padded, '-', '_', d, outlen))
		return false;
	*out = d;
	return true;
}

/* dbz_json_int: see dbz_decode_value.h */
bool
dbz_json_int(const json_t *j, bool *neg, uint64_t *mag)
{
	if (json_is_integer(j)) {
		json_int_t	v = json_integer_value(j);

		*neg = v < 0;
		*mag = v < 0 ? (uint64_t) (-(v + 1)) + 1 : (uint64_t) v;
		return true;
	}
	if (json_is_string(j))
		return dbz_text_int(json_string_value(j), json_string_length(j), neg, mag);
	if (json_is_boolean(j)) {
		*neg = false;
		*mag = json_is_true(j) ? 1 : 0;
		return true;
	}
	return false;
}

/* int_text: the decimal text of a sign and magnitude into dst (24 bytes) */
static size_t
int_text(char *dst, bool neg, uint64_t mag)
{
	return (size_t) snprintf(dst, 24, "%s%llu", neg && mag ? "-" : "", (unsigned long long) mag);
}

/* int_fits: whether a value is in the range of the column's integer type */
static bool
int_fits(const dbz_col *dc, bool neg, uint64_t mag)
{
	int			bits = 8 * (dc->int_bytes ? dc->int_bytes : 8);
	uint64_t	half = UINT64_C(1) << (bits - 1);

	if (dc->is_unsigned)
		return !neg || mag == 0 ? (bits == 64 || mag < half * 2) : false;
	return neg ? mag <= half : mag < half;
}

/* ---------------------------------------------------------------------
 * Decimals
 * --------------------------------------------------------------------- */

/*
 * dec_norm: a decimal text [+-]digits[.digits] as MariaDB prints a
 * DECIMAL(prec, scale): '-' when below zero, the integer digits without
 * leading zeros (at least one), and exactly scale fraction digits. Digits
 * beyond the scale must be zero, unless round is set (then the value is
 * rounded half away from zero, as MariaDB rounds). dst has room for
 * 2 * DBZ_DECIMAL_DIGITS + 3 bytes. Fails with *why set.
 */
static bool
dec_norm(const char *s, size_t len, int prec, int scale, bool round, char *dst,
		 size_t *n, const char **why)
{
	char		dig[2 * DBZ_DECIMAL_DIGITS + 2];
	size_t		ib, ie, fb, fe, nd = 0, k;
	bool		neg, zero = true, up = false;

	if (!dbz_text_decimal(s, len, &neg, &ib, &ie, &fb, &fe)) {
		*why = "is not a decimal number";
		return false;
	}
	while (ib < ie && s[ib] == '0')
		ib++;
	if (ie - ib > (size_t) (prec - scale)) {
		*why = "is out of range";
		return false;
	}
	/* the integer digits with a leading 0 for a carry, then scale digits */
	dig[nd++] = '0';
	for (k = ib; k < ie; k++)
		dig[nd++] = s[k];
	for (k = 0; k < (size_t) scale; k++)
		dig[nd++] = fb + k < fe ? s[fb + k] : '0';
	for (k = fb + (size_t) scale; k < fe; k++) {
		if (s[k] == '0')
			continue;
		if (!round) {
			*why = "has more fraction digits than the column's scale";
			return false;
		}
		up = s[fb + (size_t) scale] >= '5';
		break;
	}
	for (k = nd; up && k-- > 0;) {
		if (dig[k] == '9')
			dig[k] = '0';
		else {
			dig[k]++;
			up = false;
		}
	}
	/* the integer part after the carry: skip zeros, keep at least one */
	size_t		intg = nd - (size_t) scale;
	size_t		start = 0;

	while (start + 1 < intg && dig[start] == '0')
		start++;
	if (intg - start > (size_t) (prec - scale) && !(intg - start == 1 && dig[start] == '0')) {
		*why = "is out of range";
		return false;
	}
	for (k = start; k < nd; k++)
		if (dig[k] != '0')
			zero = false;
	*n = 0;
	if (neg && !zero)
		dst[(*n)++] = '-';
	memcpy(dst + *n, dig + start, intg - start);
	*n += intg - start;
	if (scale > 0) {
		dst[(*n)++] = '.';
		memcpy(dst + *n, dig + intg, (size_t) scale);
		*n += (size_t) scale;
	}
	return true;
}

/*
 * dec_from_bytes: the decimal text of Kafka's Decimal: the unscaled value
 * in two's complement big-endian bytes, at scale escale. dst has room for
 * DBZ_DECIMAL_BYTES * 3 + 4 bytes.
 */
static bool
dec_from_bytes(const unsigned char *b, size_t len, int escale, char *dst, size_t *n)
{
	unsigned char mag[DBZ_DECIMAL_BYTES];
	char		rev[DBZ_DECIMAL_BYTES * 3];
	size_t		nd = 0;
	bool		neg;

	if (len == 0 || len > DBZ_DECIMAL_BYTES)
		return false;
	neg = (b[0] & 0x80) != 0;
	memcpy(mag, b, len);
	if (neg) {
		unsigned	carry = 1;

		for (size_t k = len; k-- > 0;) {
			unsigned	v = (unsigned char) ~mag[k] + carry;

			mag[k] = (unsigned char) v;
			carry = v >> 8;
		}
	}
	/* divide by ten until nothing is left, collecting the remainders */
	for (;;) {
		unsigned	rem = 0;
		bool		left = false;

		for (size_t k = 0; k < len; k++) {
			unsigned	v = rem << 8 | mag[k];

			mag[k] = (unsigned char) (v / 10);
			rem = v % 10;
			left |= mag[k] != 0;
		}
		rev[nd++] = (char) ('0' + rem);
		if (!left)
			break;
	}
	*n = 0;
	if (neg)
		dst[(*n)++] = '-';
	if (nd <= (size_t) escale) {
		dst[(*n)++] = '0';
		dst[(*n)++] = '.';
		for (size_t k = nd; k < (size_t) escale; k++)
			dst[(*n)++] = '0';
	}
	for (size_t k = nd; k-- > 0;) {
		dst[(*n)++] = rev[k];
		if (k == (size_t) escale && k > 0 && nd > (size_t) escale)
			dst[(*n)++] = '.';
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Dates and times
 * --------------------------------------------------------------------- */

/* time_unit_ns: the unit of a time or timestamp number by its schema name,
 * or dflt */
static int64_t
time_unit_ns(const dbz_hint *h, int64_t dflt)
{
	const char *n = h->name;

	if (!n)
		return dflt;
	if (strcmp(n, "io.debezium.time.Timestamp") == 0 ||
		strcmp(n, "org.apache.kafka.connect.data.Timestamp") == 0 ||
		strcmp(n, "io.debezium.time.Time") == 0 ||
		strcmp(n, "org.apache.kafka.connect.data.Time") == 0)
		return 1000000;
	if (strcmp(n, "io.debezium.time.MicroTimestamp") == 0 ||
		strcmp(n, "io.debezium.time.MicroTime") == 0)
		return 1000;
	if (strcmp(n, "io.debezium.time.NanoTimestamp") == 0 ||
		strcmp(n, "io.debezium.time.NanoTime") == 0)
		return 1;
	return dflt;
}

/* ---------------------------------------------------------------------
 * One value
 * --------------------------------------------------------------------- */

/* decimal_string: the decimal text of a DECIMAL sent as a string: base64
 * of Kafka's Decimal, or the text of decimal.handling.mode=string, as the
 * field's schema says, or else the declared decimal mode; into text
 * (BINLOG_REAL_TEXT bytes). False with errbuf filled. */
static bool
decimal_string(const field *f, char *text, size_t *tlen)
{
	const dbz_col *dc = f->dc;
	const dbz_hint *h = f->h;
	const char *s = json_string_value(f->j);
	size_t		len = json_string_length(f->j);
	char		shown[DBZ_SNIPPET + 4];
	bool		digits_only = len > 0;
	bool		b64;

	for (size_t k = 0; k < len; k++)
		digits_only &= s[k] >= '0' && s[k] <= '9';
	if (h->type)
		b64 = strcmp(h->type, "bytes") == 0;
	else {
		switch (modes_of(h)->decimal) {
			case DBZ_DECIMAL_DOUBLE:
				return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
								   "value \"%s\" is a string, but KAFKA_DECIMAL_HANDLING_MODE=double "
								   "expects a JSON number", dbz_snippet(shown, s, len));
			case DBZ_DECIMAL_STRING:
				b64 = false;
				break;
			default:
				/* base64 of digits alone is a negative value, and also the
				 * text of decimal.handling.mode=string when the scale is 0:
				 * refused, never read the one way when it may be the other */
				if (digits_only && dc->scale == 0 && len % 4 == 0)
					return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
									   "value \"%s\" is both base64 (KAFKA_DECIMAL_HANDLING_MODE=precise) and a "
									   "decimal text (decimal.handling.mode=string); without a schema it is "
									   "not read either way (use JsonConverter schemas, or declare "
									   "KAFKA_DECIMAL_HANDLING_MODE=string if the connector sends text)",
									   dbz_snippet(shown, s, len));
				b64 = true;
				break;
		}
	}
	if (b64) {
		unsigned char *b;
		size_t		blen;
		long long	escale = h->scale >= 0 ? h->scale : dc->scale;

		if (escale > DBZ_DECIMAL_DIGITS)
			return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
							   "Decimal scale %lld out of range", escale);
		if (!b64_value(f->arena, f->j, &b, &blen))
			return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "value \"%s\" is not base64%s",
							   dbz_snippet(shown, s, len), h->type ? "" :
							   " (KAFKA_DECIMAL_HANDLING_MODE=precise; decimal.handling.mode=string "
							   "sends text)");
		if (!dec_from_bytes(b, blen, (int) escale, text, tlen))
			return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
							   "Decimal of %zu bytes is out of range", blen);
		return true;
	}
	if (len >= BINLOG_REAL_TEXT)
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "value \"%s\" is out of range",
						   dbz_snippet(shown, s, len));
	memcpy(text, s, len);
	*tlen = len;
	return true;
}

/* decimal_real: the decimal text of a DECIMAL sent as a JSON number
 * (decimal.handling.mode=double): the digits Java printed, which are the
 * shortest that read back as the same double. False with errbuf filled. */
static bool
decimal_real(const field *f, char *text, size_t *tlen)
{
	double		x = json_real_value(f->j);
	char		dig[32];
	int			dlen = 0, decpt = 1;

	if (x != 0)
		dlen = binlog_real_digits(fabs(x), false, dig, &decpt);
	if (dlen == 0) {
		dig[0] = '0';
		dlen = 1;
		decpt = 1;
	}
	if (decpt > DBZ_DECIMAL_DIGITS + 1)
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "value %g is out of range", x);
	if (decpt < -(DBZ_DECIMAL_DIGITS + 1)) {
		dig[0] = '0';			/* far below the smallest scale's unit */
		dlen = 1;
		decpt = 1;
	}
	if (x < 0)
		text[(*tlen)++] = '-';
	if (decpt <= 0) {
		text[(*tlen)++] = '0';
		text[(*tlen)++] = '.';
		for (int k = decpt; k < 0; k++)
			text[(*tlen)++] = '0';
		memcpy(text + *tlen, dig, (size_t) dlen);
		*tlen += (size_t) dlen;
	} else {
		for (int k = 0; k < dlen || k < decpt; k++) {
			if (k == decpt)
				text[(*tlen)++] = '.';
			text[(*tlen)++] = k < dlen ? dig[k] : '0';
		}
	}
	return true;
}

/* decimal_value: a DECIMAL field in any of Debezium's decimal modes */
static bool
decimal_value(const field *f)
{
	const dbz_col *dc = f->dc;
	const json_t *j = f->j;
	char		text[BINLOG_REAL_TEXT];
	char		norm[2 * DBZ_DECIMAL_DIGITS + 3];
	char		shown[DBZ_SNIPPET + 4];
	size_t		tlen = 0, n;
	const char *why = NULL;

	if (json_is_number(j) && !f->h->type && modes_of(f->h)->decimal != DBZ_DECIMAL_DOUBLE) {
		char	   *dumped = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);

		dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "value %s is a number, but "
					"KAFKA_DECIMAL_HANDLING_MODE=%s expects a string (%s)",
					dumped ? dbz_snippet(shown, dumped, strlen(dumped)) : "?",
					modes_of(f->h)->decimal == DBZ_DECIMAL_STRING ? "string" : "precise",
					modes_of(f->h)->decimal == DBZ_DECIMAL_STRING ? "the decimal text" : "base64");
		free(dumped);
		return false;
	}
	if (json_is_string(j)) {
		if (!decimal_string(f, text, &tlen))
			return false;
	} else if (json_is_integer(j)) {
		tlen = (size_t) snprintf(text, sizeof(text), "%lld", (long long) json_integer_value(j));
	} else if (json_is_real(j)) {
		if (!decimal_real(f, text, &tlen))
			return false;
	} else
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
						   "expected a Decimal (base64, string or number), got %s",
						   dbz_json_kind(j));
	/* a number is rounded at the scale; text must not need it */
	if (!dec_norm(text, tlen, dc->precision, dc->scale, json_is_real(j), norm, &n, &why))
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "value \"%s\" %s for DECIMAL(%d,%d)",
						   dbz_snippet(shown, text, tlen), why, dc->precision, dc->scale);
	if (dc->is_unsigned && norm[0] == '-')
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
						   "value \"%s\" is below zero in an unsigned column",
						   dbz_snippet(shown, norm, n));
	set_copy(f->arena, f->out, norm, n);
	return true;
}

/*
 * with_srid: the value as PostGIS's EWKB when the column is PostGIS
 * geometry and the struct has a non-zero "srid": the WKB's type word gets
 * the SRID flag (0x20000000) and the SRID follows it, both in the WKB's own
 * byte order. A bytea column keeps the WKB alone, as migrate copies it
 * (ST_AsBinary), since bytea has nowhere to keep an SRID.
 */
static bool
with_srid(const field *f, const unsigned char *wkb, size_t len)
{
	const json_t *srid = json_object_get(f->j, "srid");
	binlog_value *out = f->out;

	out->present = true;
	out->data = (const char *) wkb;
	out->len = len;
	if (!f->pc->tm.postgis || !srid || json_is_null(srid))
		return true;
	if (!json_is_integer(srid) || json_integer_value(srid) < 0 || json_integer_value(srid) > INT32_MAX)
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "\"srid\" is not an SRID (%s)",
						   dbz_json_kind(srid));
	if (json_integer_value(srid) == 0)
		return true;
	if (wkb[0] > 1)
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
						   "\"wkb\" starts with byte order %u, expected 0 or 1", wkb[0]);

	bool		le = wkb[0] == 1;
	uint32_t	sid = (uint32_t) json_integer_value(srid);
	uint32_t	type = le ? (uint32_t) wkb[1] | (uint32_t) wkb[2] << 8 | (uint32_t) wkb[3] << 16 |
		(uint32_t) wkb[4] << 24 : (uint32_t) wkb[4] | (uint32_t) wkb[3] << 8 | (uint32_t) wkb[2] << 16 |
		(uint32_t) wkb[1] << 24;
	unsigned char *e = (unsigned char *) dbz_arena_alloc(f->arena, len + 4);

	if (type & 0x20000000)
		return true;			/* already EWKB with its SRID */
	type |= 0x20000000;
	e[0] = wkb[0];
	for (int k = 0; k < 4; k++) {
		int			shift = le ? 8 * k : 8 * (3 - k);

		e[1 + k] = (unsigned char) (type >> shift);
		e[5 + k] = (unsigned char) (sid >> shift);
	}
	memcpy(e + 9, wkb + 5, len - 5);
	out->data = (const char *) e;
	out->len = len + 4;
	return true;
}

/* geometry_value: the WKB of a Geometry or Point struct (with its SRID
 * into a PostGIS column, with_srid) */
static bool
geometry_value(const field *f)
{
	const json_t *j = f->j;
	const json_t *wkb = json_object_get(j, "wkb");
	unsigned char *b;
	size_t		blen;

	if (!json_is_object(j))
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
						   "expected a geometry struct {\"wkb\", \"srid\"}, got %s",
						   dbz_json_kind(j));
	if (json_is_string(wkb)) {
		if (!b64_value(f->arena, wkb, &b, &blen) || blen < 5)
			return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
						   "\"wkb\" is not the base64 of a WKB value");
		return with_srid(f, b, blen);
	}
	/* a Point may carry only its coordinates: POINT(x y), little-endian */
	const json_t *x = json_object_get(j, "x"), *y = json_object_get(j, "y");

	if (!json_is_number(x) || !json_is_number(y))
		return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
						   "geometry struct has neither \"wkb\" nor \"x\" and \"y\"");
	double		xy[2] = { json_number_value(x), json_number_value(y) };

	b = (unsigned char *) dbz_arena_alloc(f->arena, 21);
	memcpy(b, "\x01\x01\x00\x00\x00", 5);
	for (int c = 0; c < 2; c++) {
		uint64_t	bits;

		memcpy(&bits, &xy[c], sizeof(bits));
		for (int k = 0; k < 8; k++)
			b[5 + 8 * c + k] = (unsigned char) (bits >> (8 * k));
	}
	return with_srid(f, b, 21);
}


/* int_field: an integer type, or an integer made boolean */
static dec_status
int_field(const field *f, char *text, size_t *n, const char **why)
{
	const dbz_col *dc = f->dc;
	const json_t *j = f->j;
	bool		neg;
	uint64_t	mag;

	(void) why;
	if (dc->type == DBZ_T_UINT64 && json_is_string(j) &&
		!dbz_text_int(json_string_value(j), json_string_length(j), &neg, &mag)) {
		/* bigint.unsigned.handling.mode=precise: a Decimal */
		dbz_col		d = *dc;
		field		g = *f;
		dbz_hint	hb = *f->h;

		d.type = DBZ_T_DECIMAL;
		d.precision = 20;
		d.scale = 0;
		g.dc = &d;
		hb.type = "bytes";		/* whatever decimal.handling.mode says */
		g.h = &hb;
		return decimal_value(&g) ? DEC_DONE : DEC_FAILED;
	}
	if (!dbz_json_int(j, &neg, &mag))
		return DEC_BAD_INT;
	if (dc->type == DBZ_T_UINT64 && neg && mag <= (UINT64_C(1) << 63)) {
		mag = mag ? UINT64_MAX - mag + 1 : 0;	/* long mode: the bits as signed */
		neg = false;
	}
	if (!int_fits(dc, neg, mag))
		return DEC_OUT_OF_RANGE;
	*n = int_text(text, neg, mag);
	return DEC_TEXT;
}

/* year_field: YEAR: 0, or 1901 to 2155 */
static dec_status
year_field(const field *f, char *text, size_t *n, const char **why)
{
	bool		neg;
	uint64_t	mag;

	(void) why;
	if (!dbz_json_int(f->j, &neg, &mag))
		return DEC_BAD_INT;
	if (neg || (mag != 0 && (mag < 1901 || mag > 2155)))
		return DEC_OUT_OF_RANGE;
	*n = (size_t) snprintf(text, BINLOG_REAL_TEXT, "%04u", (unsigned) mag);
	return DEC_TEXT;
}

/* bits_field: BIT(1) from a boolean or 0/1; BIT(n) from base64, least
 * significant byte first, to the column's bytes, most significant first */
static dec_status
bits_field(const field *f, char *text, size_t *n, const char **why)
{
	const dbz_col *dc = f->dc;
	size_t		nbytes = (dc->bits + 7) / 8;
	unsigned char *le, *be;
	size_t		len;
	uint64_t	mag;

	(void) text, (void) n, (void) why;
	if (dc->type == DBZ_T_BOOL_BIT) {
		if (json_is_boolean(f->j))
			mag = json_is_true(f->j);
		else if (!json_is_integer(f->j) || (mag = (uint64_t) json_integer_value(f->j)) > 1)
			return DEC_BAD_TYPE;
		f->out->data = mag ? "\x01" : "\x00";
		f->out->len = 1;
		return DEC_DONE;
	}
	if (!json_is_string(f->j))
		return DEC_BAD_TYPE;
	if (!b64_value(f->arena, f->j, &le, &len))
		return DEC_BAD_BASE64;
	for (size_t k = 0; k < len; k++) {
		if (k >= nbytes ? le[k] != 0 : k * 8 + 8 > dc->bits && (le[k] >> (dc->bits - k * 8)) != 0) {
			dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc,
						"BIT(%u) value has bits set above bit %u", dc->bits, dc->bits);
			return DEC_FAILED;
		}
	}
	be = (unsigned char *) dbz_arena_alloc(f->arena, nbytes);
	for (size_t k = 0; k < nbytes; k++)
		be[nbytes - 1 - k] = k < len ? le[k] : 0;
	f->out->data = (const char *) be;
	f->out->len = nbytes;
	return DEC_DONE;
}

/* float_field: FLOAT or DOUBLE, printed as MariaDB prints it */
static dec_status
float_field(const field *f, char *text, size_t *n, const char **why)
{
	(void) why;
	if (!json_is_number(f->j))
		return DEC_BAD_TYPE;
	*n = binlog_real_text(json_number_value(f->j), f->dc->type == DBZ_T_FLOAT32,
						  f->dc->decimals, text);
	return *n == 0 ? DEC_OUT_OF_RANGE : DEC_TEXT;
}

/* string_field: text as it is, pointing into the parsed JSON */
static dec_status
string_field(const field *f, char *text, size_t *n, const char **why)
{
	(void) text, (void) n, (void) why;
	if (!json_is_string(f->j))
		return DEC_BAD_TYPE;
	f->out->data = json_string_value(f->j);	/* lives as long as the parsed JSON */
	f->out->len = json_string_length(f->j);
	return DEC_DONE;
}

/* bytes_field: base64 to bytes; BINARY(n) padded with zero bytes to n */
static dec_status
bytes_field(const field *f, char *text, size_t *n, const char **why)
{
	long long	binary_len = f->dc->binary_len;
	unsigned char *b;
	size_t		len;

	/* a schema's bytes are base64; the modes' text forms are strings */
	bool		as_bytes = f->h->type && strcmp(f->h->type, "bytes") == 0;
	dbz_binary_mode mode = as_bytes ? DBZ_BINARY_BYTES : modes_of(f->h)->binary;

	(void) text, (void) n;
	if (!json_is_string(f->j))
		return DEC_BAD_TYPE;
	if (!bin_value(f->arena, f->j, mode, &b, &len)) {
		*why = mode == DBZ_BINARY_HEX ? "is not hex digits (KAFKA_BINARY_HANDLING_MODE=hex)" :
			mode == DBZ_BINARY_BASE64_URL ? "is not URL-safe base64 (KAFKA_BINARY_HANDLING_MODE=base64-url-safe)" :
			as_bytes ? "is not base64" : "is not base64 (KAFKA_BINARY_HANDLING_MODE=bytes or base64)";
		return DEC_BAD_WHY;
	}
	if (binary_len >= 0 && len < (size_t) binary_len) {
		/* BINARY(n): the zero bytes the binlog strips, back */
		unsigned char *p = (unsigned char *) dbz_arena_alloc(f->arena, (size_t) binary_len);

		memcpy(p, b, len);
		memset(p + len, 0, (size_t) binary_len - len);
		b = p;
		len = (size_t) binary_len;
	}
	f->out->data = (const char *) b;
	f->out->len = len;
	return DEC_DONE;
}

/* date_field: DATE from days since the epoch, or "YYYY-MM-DD" as it is */
static dec_status
date_field(const field *f, char *text, size_t *n, const char **why)
{
	const json_t *j = f->j;

	(void) why;
	if (json_is_string(j)) {
		dbz_datetime dt;

		if (!dbz_text_datetime(json_string_value(j), json_string_length(j), false, &dt))
			return DEC_BAD_VALUE;
		f->out->data = json_string_value(j);
		f->out->len = json_string_length(j);
		return DEC_DONE;
	}
	if (!json_is_integer(j))
		return DEC_BAD_TYPE;
	if (!dbz_date_text(json_integer_value(j), text))
		return DEC_OUT_OF_RANGE;
	*n = 10;
	return DEC_TEXT;
}

/* datetime_field: DATETIME or TIMESTAMP from an ISO-8601 string or a
 * number in the unit the schema (or the precision) says */
static dec_status
datetime_field(const field *f, char *text, size_t *n, const char **why)
{
	const dbz_col *dc = f->dc;
	const json_t *j = f->j;
	int64_t		limit = (DBZ_DAY_MAX + 1) * 86400 * DBZ_USEC;
	int64_t		us;

	if (json_is_string(j)) {
		if (!dbz_iso_us(json_string_value(j), json_string_length(j),
					dc->type != DBZ_T_TIMESTAMP, &us))
			return DEC_BAD_VALUE;
	} else if (json_is_integer(j)) {
		/* adaptive: milliseconds up to 3 fraction digits; connect: always */
		bool		connect = modes_of(f->h)->time == DBZ_TIME_CONNECT;
		int64_t		unit = time_unit_ns(f->h, dc->fsp > 3 && !connect ? 1000 : 1000000);
		json_int_t	v = json_integer_value(j);

		/* without a schema, microseconds of 1968-01-12 to 1978-01-11 are
		 * also the milliseconds of a date in years 0000 to 9999, which
		 * time.precision.mode=connect sends: unless the mode was declared,
		 * refused, never guessed */
		if (!f->h->type && unit == 1000 && modes_of(f->h)->time_assumed && v != 0 &&
			v >= DBZ_MS_MIN && v < DBZ_MS_END) {
			*why = "is microseconds of a date in 1968 to 1978 and also milliseconds of a date in years 0000 "
				"to 9999 (time.precision.mode=connect); without a schema and with KAFKA_TIME_PRECISION_MODE "
				"unset it is not read either way (declare KAFKA_TIME_PRECISION_MODE, or use JsonConverter "
				"schemas)";
			return DEC_BAD_WHY;
		}
		if (!dbz_scaled_us(v, unit, limit, &us))
			return connect && !f->h->type ? DEC_CONNECT_RANGE : DEC_OUT_OF_RANGE;
	} else
		return DEC_BAD_TYPE;
	if (!dbz_datetime_text(us, dc->fsp, text, n, why))
		return DEC_BAD_WHY;
	return DEC_TEXT;
}

/* time_field: TIME from a number in the unit the schema says */
static dec_status
time_field(const field *f, char *text, size_t *n, const char **why)
{
	int64_t		us, a;

	dbz_time_mode mode = modes_of(f->h)->time;
	/* MicroTime, but Time (ms) in connect mode and for TIME(0..3) in adaptive */
	int64_t		dflt = mode == DBZ_TIME_CONNECT || (mode == DBZ_TIME_ADAPTIVE && f->dc->fsp <= 3) ?
		1000000 : 1000;

	if (!json_is_integer(f->j))
		return DEC_BAD_TYPE;
	if (!dbz_scaled_us(json_integer_value(f->j), time_unit_ns(f->h, dflt), DBZ_TIME_MAX, &us))
		return DEC_OUT_OF_RANGE;
	a = us < 0 ? -us : us;
	*n = (size_t) snprintf(text, BINLOG_REAL_TEXT, "%s%02lld:%02d:%02d", us < 0 ? "-" : "",
						   (long long) (a / (3600 * DBZ_USEC)),
						   (int) (a / (60 * DBZ_USEC) % 60), (int) (a / DBZ_USEC % 60));
	if (!dbz_frac_text(text, n, a % DBZ_USEC, f->dc->fsp)) {
		*why = "has more fraction digits than the column's precision";
		return DEC_BAD_WHY;
	}
	return DEC_TEXT;
}

/* field_fail: the message for what a reader found wrong; returns false */
static bool
field_fail(const field *f, dec_status st, const char *why)
{
	const json_t *j = f->j;
	char		shown[DBZ_SNIPPET + 4];

	if (st == DEC_BAD_INT)
		st = json_is_string(j) ? DEC_BAD_VALUE : DEC_BAD_TYPE;
	switch (st) {
		case DEC_BAD_TYPE:
			return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "unexpected JSON value: %s",
							   dbz_json_kind(j));
		case DEC_BAD_BASE64:
			return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "value \"%s\" is not base64",
							   dbz_snippet(shown, json_string_value(j), json_string_length(j)));
		case DEC_BAD_VALUE:
			return dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "invalid value \"%s\"",
							   dbz_snippet(shown, json_string_value(j), json_string_length(j)));
		case DEC_OUT_OF_RANGE:
			why = "is out of range";
			break;
		case DEC_CONNECT_RANGE:
			why = "is out of range as milliseconds (KAFKA_TIME_PRECISION_MODE=connect)";
			break;
		case DEC_BAD_WHY:
			break;
		default:				/* DEC_FAILED: already said */
			return false;
	}
	char	   *dumped = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);

	dbz_col_err(f->errbuf, f->errlen, f->pt, f->pc, "value %s %s",
				dumped ? dbz_snippet(shown, dumped, strlen(dumped)) : "?", why);
	free(dumped);
	return false;
}

/* dbz_decode_value: see dbz_decode_value.h */
bool
dbz_decode_value(const plan_table *pt, const plan_column *pc, const dbz_col *dc,
				 const dbz_hint *h, const json_t *j, dbz_arena *a, binlog_value *out,
				 char *errbuf, size_t errlen)
{
	field		f = { pt, pc, dc, h, j, a, out, errbuf, errlen };
	char		text[BINLOG_REAL_TEXT];
	size_t		n = 0;
	const char *why = NULL;
	dec_status	st = DEC_DONE;

	out->present = true;
	out->data = NULL;
	out->len = 0;
	if (json_is_null(j))
		return true;
	switch (dc->type) {
		case DBZ_T_INT16:
		case DBZ_T_INT32:
		case DBZ_T_INT64:
		case DBZ_T_UINT64:
		case DBZ_T_BOOL_INT: st = int_field(&f, text, &n, &why); break;
		case DBZ_T_YEAR: st = year_field(&f, text, &n, &why); break;
		case DBZ_T_BOOL_BIT:
		case DBZ_T_BITS: st = bits_field(&f, text, &n, &why); break;
		case DBZ_T_DECIMAL: return decimal_value(&f);
		case DBZ_T_FLOAT32:
		case DBZ_T_FLOAT64: st = float_field(&f, text, &n, &why); break;
		case DBZ_T_STRING:
		case DBZ_T_JSON:
		case DBZ_T_ENUM:
		case DBZ_T_SET:
		case DBZ_T_UUID: st = string_field(&f, text, &n, &why); break;
		case DBZ_T_BYTES: st = bytes_field(&f, text, &n, &why); break;
		case DBZ_T_DATE: st = date_field(&f, text, &n, &why); break;
		case DBZ_T_DATETIME_MS:
		case DBZ_T_DATETIME_US:
		case DBZ_T_TIMESTAMP: st = datetime_field(&f, text, &n, &why); break;
		case DBZ_T_TIME: st = time_field(&f, text, &n, &why); break;
		case DBZ_T_POINT:
		case DBZ_T_GEOMETRY: return geometry_value(&f);
	}
	if (st == DEC_TEXT) {
		set_copy(a, out, text, n);
		return true;
	}
	return st == DEC_DONE || field_fail(&f, st, why);
}
