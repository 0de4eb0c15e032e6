/*
 * Debezium change events, written and read back; see debezium.h for the
 * format and the type tables.
 *
 * It works like this. Each column is first classified from its MariaDB
 * COLUMN_TYPE (and the type map's kind for the boolean override and JSON)
 * into one Debezium representation, a dbz_type with the few numbers it
 * needs (DECIMAL precision and scale, BIT width, fraction digits). The same
 * classification then gives the column's field schema, in Kafka
 * JsonConverter's form, and turns each text-protocol value into its JSON
 * value. The envelope, the flattened record and the key are assembled from
 * those, and wrapped in {"schema", "payload"} when schemas are on.
 *
 * Every value is checked for shape before it is converted: a value that
 * does not parse as its type fails the event with the table and the column
 * named, rather than reaching Kafka as something a consumer would misread.
 * Numbers are never passed through floating point except FLOAT and DOUBLE
 * (read with strtod, which keeps the double the text denotes); DECIMAL is
 * converted digit by digit into a big-endian byte array.
 *
 * The JSON is built fresh for each event (schemas included). With schemas
 * on that is most of the cost; a caller that needs more speed can cache the
 * schema per table, since it depends only on the table and the options.
 *
 * Reading (dbz_parse, at the end of the file) classifies columns the same
 * way and undoes each representation; its own paragraph there says how.
 */
#include "common/debezium.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBZ_TOPIC_MAX 249		/* Kafka's longest topic name */
#define DBZ_DECIMAL_BYTES 48	/* room for 96 digits and a sign bit */
#define DBZ_DECIMAL_DIGITS 96
#define DBZ_NUMBER_MAX 64		/* longest FLOAT/DOUBLE text accepted */
#define DBZ_SNIPPET 40			/* bytes of a bad value quoted in an error */

/* The snapshot field's allowed values in Debezium 2.5's source schema. */
#define DBZ_SNAPSHOT_ALLOWED "true,last,false,incremental"

/* One Debezium representation of a column (see the table in debezium.h). */
typedef enum dbz_type {
	DBZ_T_INT16,
	DBZ_T_INT32,
	DBZ_T_INT64,
	DBZ_T_UINT64,				/* BIGINT UNSIGNED: int64, wrapping above 2^63-1 */
	DBZ_T_BOOL_INT,				/* integer overridden to boolean */
	DBZ_T_BOOL_BIT,				/* BIT(1) */
	DBZ_T_BITS,					/* BIT(n > 1) */
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
	DBZ_T_DATETIME_MS,			/* DATETIME(0..3) */
	DBZ_T_DATETIME_US,			/* DATETIME(4..6) */
	DBZ_T_TIMESTAMP,
	DBZ_T_TIME,
	DBZ_T_YEAR,
	DBZ_T_POINT,
	DBZ_T_GEOMETRY
} dbz_type;

typedef struct dbz_col {
	dbz_type	type;
	int			precision;		/* DECIMAL(p,s): p */
	int			scale;			/* DECIMAL(p,s): s */
	unsigned	bits;			/* BIT(n): n */
	int			fsp;			/* DATETIME/TIMESTAMP/TIME fraction digits */
	int			int_bytes;		/* integer types: 1, 2, 3, 4 or 8 */
	bool		is_unsigned;	/* integer and DECIMAL types */
	int			decimals;		/* FLOAT(M,D), DOUBLE(M,D): D; else -1 */
	long long	binary_len;		/* BINARY(n): n; else -1 */
} dbz_col;

static void set_err(char *errbuf, size_t errlen, const char *fmt, ...)
			__attribute__((format(printf, 3, 4)));
static bool col_err(char *errbuf, size_t errlen, const plan_table *pt,
					const plan_column *pc, const char *fmt, ...)
			__attribute__((format(printf, 5, 6)));

/* set_err: fills errbuf, if there is one */
static void
set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	if (!errbuf || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* col_err: an error about one column, prefixed with the table, the column
 * and its type; always returns false */
static bool
col_err(char *errbuf, size_t errlen, const plan_table *pt, const plan_column *pc,
		const char *fmt, ...)
{
	char		msg[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(errbuf, errlen, "table \"%s\", column \"%s\" (%s): %s",
			pt->source ? pt->source : "?", pc->name ? pc->name : "?",
			pc->column_type ? pc->column_type : "?", msg);
	return false;
}

/* snippet: a printable copy of the start of a value for an error message;
 * dst holds DBZ_SNIPPET + 4 bytes */
static const char *
snippet(char *dst, const char *val, size_t len)
{
	size_t		n = len < DBZ_SNIPPET ? len : DBZ_SNIPPET;

	for (size_t i = 0; i < n; i++) {
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

/* put: sets key in obj to val (taking the reference); false when jansson
 * refuses (out of memory, or a key that is not UTF-8) */
static bool
put(json_t *obj, const char *key, json_t *val)
{
	return val != NULL && json_object_set_new(obj, key, val) == 0;
}

/* ---------------------------------------------------------------------
 * Encodings
 * --------------------------------------------------------------------- */

/* b64_append: appends data as standard base64 with '=' padding */
static void
b64_append(buf *out, const unsigned char *data, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t		i = 0;

	buf_reserve(out, (len + 2) / 3 * 4);
	for (; i + 3 <= len; i += 3) {
		uint32_t	v = (uint32_t) data[i] << 16 | (uint32_t) data[i + 1] << 8 | data[i + 2];
		char		q[4] = { tab[v >> 18], tab[v >> 12 & 63], tab[v >> 6 & 63], tab[v & 63] };

		buf_append(out, q, 4);
	}
	if (i < len) {
		uint32_t	v = (uint32_t) data[i] << 16;
		char		q[4];

		if (i + 1 < len)
			v |= (uint32_t) data[i + 1] << 8;
		q[0] = tab[v >> 18];
		q[1] = tab[v >> 12 & 63];
		q[2] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		q[3] = '=';
		buf_append(out, q, 4);
	}
}

/* json_b64: a JSON string of data in base64 */
static json_t *
json_b64(const void *data, size_t len)
{
	buf			b = BUF_INIT;
	json_t	   *j;

	b64_append(&b, data, len);
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return j;
}

/* utf8_seq: the length of the valid UTF-8 sequence at s (s[0] >= 0x80), or
 * 0 for an invalid one (stray continuation, overlong form, surrogate, past
 * U+10FFFF, cut short): the well-formed sequences of Unicode's table 3-7 */
static size_t
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
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
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

/*
 * json_text: a JSON string of text. Invalid UTF-8 (which jansson refuses)
 * has each bad byte replaced by U+FFFD, as the type map does for
 * PostgreSQL and Java's decoder does for Debezium; NUL bytes stay.
 */
static json_t *
json_text(const char *val, size_t len)
{
	const unsigned char *s = (const unsigned char *) val;
	json_t	   *j = json_stringn(val, len);
	buf			b = BUF_INIT;
	size_t		i = 0;

	if (j)
		return j;
	while (i < len) {
		size_t		n = s[i] < 0x80 ? 1 : utf8_seq(s + i, len - i);

		if (n == 0) {
			buf_append(&b, "\xEF\xBF\xBD", 3);
			i++;
		} else {
			buf_append(&b, s + i, n);
			i += n;
		}
	}
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return j;
}

/* ---------------------------------------------------------------------
 * Parsing text-protocol values
 * --------------------------------------------------------------------- */

/* parse_int: [+-]digits into a sign and a magnitude up to UINT64_MAX */
static bool
parse_int(const char *s, size_t len, bool *neg, uint64_t *mag)
{
	size_t		i = 0;
	uint64_t	v = 0;

	*neg = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		*neg = s[i++] == '-';
	if (i == len)
		return false;
	for (; i < len; i++) {
		unsigned	d = (unsigned) (s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*mag = v;
	return true;
}

/* parse_i64_in: a decimal integer within [lo, hi] */
static bool
parse_i64_in(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out)
{
	bool		neg;
	uint64_t	mag;
	int64_t		v;

	if (!parse_int(s, len, &neg, &mag))
		return false;
	if (neg) {
		if (mag > (uint64_t) INT64_MAX + 1)
			return false;
		v = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
	} else {
		if (mag > (uint64_t) INT64_MAX)
			return false;
		v = (int64_t) mag;
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* num_at: the value of the n digits at s[i], or -1 if they are not all digits */
static int
num_at(const char *s, size_t len, size_t i, size_t n)
{
	int			v = 0;

	if (i + n > len)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (s[i + k] < '0' || s[i + k] > '9')
			return -1;
		v = v * 10 + (s[i + k] - '0');
	}
	return v;
}

/* parse_fraction: ".f{1,6}" at s[*i] (if there) as microseconds */
static bool
parse_fraction(const char *s, size_t len, size_t *i, uint32_t *usec)
{
	uint32_t	v = 0;
	size_t		n = 0;

	*usec = 0;
	if (*i == len)
		return true;
	if (s[*i] != '.')
		return false;
	(*i)++;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9' && n < 6) {
		v = v * 10 + (uint32_t) (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (n == 0 || *i != len)
		return false;
	for (; n < 6; n++)
		v *= 10;
	*usec = v;
	return true;
}

/* A DATE or DATETIME/TIMESTAMP value taken apart. */
typedef struct dbz_datetime {
	int			year, month, day;
	int			hour, minute, second;
	uint32_t	usec;
	bool		invalid;		/* a zero part or a day the month lacks */
} dbz_datetime;

/* days_in_month: of a proleptic Gregorian month */
static int
days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* parse_datetime: "YYYY-MM-DD", and with with_time " HH:MM:SS[.f{1,6}]" */
static bool
parse_datetime(const char *s, size_t len, bool with_time, dbz_datetime *dt)
{
	size_t		i;

	memset(dt, 0, sizeof(*dt));
	dt->year = num_at(s, len, 0, 4);
	dt->month = num_at(s, len, 5, 2);
	dt->day = num_at(s, len, 8, 2);
	if (dt->year < 0 || dt->month < 0 || dt->day < 0 || s[4] != '-' || s[7] != '-')
		return false;
	if (!with_time) {
		if (len != 10)
			return false;
	} else {
		dt->hour = num_at(s, len, 11, 2);
		dt->minute = num_at(s, len, 14, 2);
		dt->second = num_at(s, len, 17, 2);
		if (dt->hour < 0 || dt->minute < 0 || dt->second < 0 || s[10] != ' ' ||
			s[13] != ':' || s[16] != ':' || dt->hour > 23 || dt->minute > 59 ||
			dt->second > 59)
			return false;
		i = 19;
		if (!parse_fraction(s, len, &i, &dt->usec))
			return false;
	}
	dt->invalid = dt->year == 0 || dt->month == 0 || dt->day == 0 || dt->month > 12 ||
		dt->day > days_in_month(dt->year, dt->month);
	return true;
}

/* days_from_civil: days since 1970-01-01 of a proleptic Gregorian date
 * (Howard Hinnant's algorithm; exact for every year here) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	int64_t		yoe = y - era * 400;
	int64_t		doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t		doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* parse_time: MariaDB's TIME text "[-]H{1,3}:MM:SS[.f{1,6}]" as signed
 * microseconds */
static bool
parse_time(const char *s, size_t len, int64_t *out)
{
	size_t		i = 0;
	bool		neg = false;
	int64_t		h = 0;
	size_t		nh = 0;
	int			mi, se;
	uint32_t	usec;

	if (i < len && s[i] == '-') {
		neg = true;
		i++;
	}
	while (i < len && s[i] >= '0' && s[i] <= '9' && nh < 3) {
		h = h * 10 + (s[i] - '0');
		i++;
		nh++;
	}
	if (nh == 0 || i >= len || s[i] != ':')
		return false;
	mi = num_at(s, len, i + 1, 2);
	se = num_at(s, len, i + 4, 2);
	if (mi < 0 || se < 0 || mi > 59 || se > 59 || i + 3 >= len || s[i + 3] != ':')
		return false;
	i += 6;
	if (!parse_fraction(s, len, &i, &usec))
		return false;
	int64_t		v = (h * 3600 + mi * 60 + se) * 1000000 + usec;

	*out = neg ? -v : v;
	return true;
}

/* dec_split: a decimal text [sign] digits [. digits] into its sign, integer
 * digits [*ib, *ie) and fraction digits [*fb, *fe); false when it is not one */
static bool
dec_split(const char *s, size_t len, bool *neg, size_t *ib, size_t *ie, size_t *fb, size_t *fe)
{
	size_t		i = 0;

	*neg = false;
	*fb = *fe = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		*neg = s[i++] == '-';
	*ib = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	*ie = i;
	if (i < len && s[i] == '.') {
		*fb = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		*fe = i;
	}
	return i == len && (*ie > *ib || *fe > *fb);
}

/*
 * decimal_bytes: the unscaled value of a decimal text at scale as Java's
 * BigInteger.toByteArray gives it (what Kafka's Decimal carries): the
 * minimal two's complement big-endian bytes, at least one. The digits are
 * multiplied into a byte array one at a time, so any precision MariaDB has
 * (65 digits) converts exactly. Fails for a value that is not a decimal or
 * has non-zero digits beyond the scale.
 */
static bool
decimal_bytes(const char *s, size_t len, int scale, unsigned char *out, size_t *outlen)
{
	unsigned char mag[DBZ_DECIMAL_BYTES] = { 0 };
	size_t		ib, ie, fb, fe, ndigits = 0;
	bool		neg, zero = true;

	if (!dec_split(s, len, &neg, &ib, &ie, &fb, &fe))
		return false;
	for (size_t k = fb + (size_t) scale; k < fe; k++)
		if (s[k] != '0')
			return false;		/* would need rounding */
	for (size_t k = ib; k < ie + (size_t) scale; k++) {
		unsigned	carry;

		if (k < ie)
			carry = (unsigned) (s[k] - '0');
		else {
			size_t		f = fb + (k - ie);

			carry = f < fe ? (unsigned) (s[f] - '0') : 0;
		}
		if (carry == 0 && zero)
			continue;			/* leading zeros */
		if (++ndigits > DBZ_DECIMAL_DIGITS)
			return false;
		zero = false;
		for (size_t b = DBZ_DECIMAL_BYTES; b-- > 0;) {
			unsigned	v = mag[b] * 10u + carry;

			mag[b] = (unsigned char) v;
			carry = v >> 8;
		}
	}
	if (neg && !zero) {
		unsigned	carry = 1;

		for (size_t b = DBZ_DECIMAL_BYTES; b-- > 0;) {
			unsigned	v = (unsigned char) ~mag[b] + carry;

			mag[b] = (unsigned char) v;
			carry = v >> 8;
		}
	}
	/* drop leading bytes that only repeat the sign bit */
	unsigned char fill = (neg && !zero) ? 0xFF : 0x00;
	size_t		start = 0;

	while (start + 1 < DBZ_DECIMAL_BYTES && mag[start] == fill &&
		   ((mag[start + 1] & 0x80) != 0) == (fill == 0xFF))
		start++;
	*outlen = DBZ_DECIMAL_BYTES - start;
	memcpy(out, mag + start, *outlen);
	return true;
}

/* ---------------------------------------------------------------------
 * Classifying a column
 * --------------------------------------------------------------------- */

/* base_is: whether the type name base is one of the NULL-terminated names */
static bool
base_is(const char *base, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(base, *names) == 0)
			return true;
	return false;
}

/* classify: the Debezium representation of a column */
static bool
classify(const plan_table *pt, const plan_column *pc, dbz_col *dc, char *errbuf, size_t errlen)
{
	static const char *const text_types[] = {
		"char", "varchar", "tinytext", "text", "mediumtext", "longtext", NULL
	};
	static const char *const bytes_types[] = {
		"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", NULL
	};
	static const char *const geometry_types[] = {
		"geometry", "linestring", "polygon", "multipoint", "multilinestring",
		"multipolygon", "geometrycollection", NULL
	};
	const char *ct = pc->column_type ? pc->column_type : "";
	char		base[32];
	size_t		n = 0;
	bool		is_unsigned = strstr(ct, "unsigned") != NULL;
	long long	a = -1, b = -1;

	while (n < sizeof(base) - 1 && ((ct[n] >= 'a' && ct[n] <= 'z') ||
									(ct[n] >= 'A' && ct[n] <= 'Z') ||
									(ct[n] >= '0' && ct[n] <= '9') || ct[n] == '_')) {
		base[n] = (char) (ct[n] >= 'A' && ct[n] <= 'Z' ? ct[n] - 'A' + 'a' : ct[n]);
		n++;
	}
	base[n] = '\0';
	typemap_type_args(ct, &a, &b);
	memset(dc, 0, sizeof(*dc));
	dc->is_unsigned = is_unsigned;
	dc->decimals = -1;
	dc->binary_len = -1;
	if (strcmp(base, "tinyint") == 0 || strcmp(base, "bool") == 0 || strcmp(base, "boolean") == 0)
		dc->int_bytes = 1;
	else if (strcmp(base, "smallint") == 0)
		dc->int_bytes = 2;
	else if (strcmp(base, "mediumint") == 0)
		dc->int_bytes = 3;
	else if (strcmp(base, "int") == 0 || strcmp(base, "integer") == 0)
		dc->int_bytes = 4;
	else if (strcmp(base, "bigint") == 0)
		dc->int_bytes = 8;

	if (pc->tm.kind == TYPEMAP_BOOL_INT)
		dc->type = DBZ_T_BOOL_INT;
	else if (strcmp(base, "tinyint") == 0 || strcmp(base, "bool") == 0 ||
			 strcmp(base, "boolean") == 0)
		dc->type = DBZ_T_INT16;
	else if (strcmp(base, "smallint") == 0)
		dc->type = is_unsigned ? DBZ_T_INT32 : DBZ_T_INT16;
	else if (strcmp(base, "mediumint") == 0)
		dc->type = DBZ_T_INT32;
	else if (strcmp(base, "int") == 0 || strcmp(base, "integer") == 0)
		dc->type = is_unsigned ? DBZ_T_INT64 : DBZ_T_INT32;
	else if (strcmp(base, "bigint") == 0)
		dc->type = is_unsigned ? DBZ_T_UINT64 : DBZ_T_INT64;
	else if (strcmp(base, "decimal") == 0 || strcmp(base, "numeric") == 0) {
		dc->type = DBZ_T_DECIMAL;
		dc->precision = a > 0 ? (int) a : 10;	/* MariaDB's DECIMAL default */
		dc->scale = pc->num_scale >= 0 ? (int) pc->num_scale : b >= 0 ? (int) b : 0;
		if (dc->scale > DBZ_DECIMAL_DIGITS || dc->precision > DBZ_DECIMAL_DIGITS)
			return col_err(errbuf, errlen, pt, pc, "precision or scale out of range");
	}
	else if (strcmp(base, "float") == 0 || strcmp(base, "double") == 0 ||
			 strcmp(base, "real") == 0) {
		/* FLOAT(M,D) is FLOAT64; (M,D) prints D decimals, as stream's
		 * binlog hook tells the decoder */
		dc->type = b >= 0 || base[0] != 'f' ? DBZ_T_FLOAT64 : DBZ_T_FLOAT32;
		if (b >= 0)
			dc->decimals = pc->num_scale >= 0 ? (int) pc->num_scale : (int) b;
	}
	else if (strcmp(base, "bit") == 0) {
		long long	nbits = pc->tm.bits ? (long long) pc->tm.bits : a > 0 ? a : 1;

		if (nbits < 1 || nbits > 64)
			return col_err(errbuf, errlen, pt, pc, "BIT width %lld out of range", nbits);
		dc->bits = (unsigned) nbits;
		dc->type = nbits == 1 ? DBZ_T_BOOL_BIT : DBZ_T_BITS;
	}
	else if (base_is(base, text_types))
		dc->type = pc->tm.kind == TYPEMAP_JSON ? DBZ_T_JSON : DBZ_T_STRING;
	else if (strcmp(base, "json") == 0)
		dc->type = DBZ_T_JSON;
	else if (strcmp(base, "enum") == 0)
		dc->type = DBZ_T_ENUM;
	else if (strcmp(base, "set") == 0)
		dc->type = DBZ_T_SET;
	else if (base_is(base, bytes_types)) {
		dc->type = DBZ_T_BYTES;
		if (strcmp(base, "binary") == 0)
			dc->binary_len = a >= 0 ? a : 1;	/* BINARY is BINARY(1) */
	}
	else if (strcmp(base, "date") == 0)
		dc->type = DBZ_T_DATE;
	else if (strcmp(base, "datetime") == 0 || strcmp(base, "timestamp") == 0 ||
			 strcmp(base, "time") == 0) {
		long long	fsp = pc->dt_precision >= 0 ? pc->dt_precision : a >= 0 ? a : 0;

		if (fsp > 6)
			return col_err(errbuf, errlen, pt, pc, "fractional precision %lld out of range", fsp);
		dc->fsp = (int) fsp;
		if (strcmp(base, "datetime") == 0)
			dc->type = fsp <= 3 ? DBZ_T_DATETIME_MS : DBZ_T_DATETIME_US;
		else if (strcmp(base, "timestamp") == 0)
			dc->type = DBZ_T_TIMESTAMP;
		else
			dc->type = DBZ_T_TIME;
	}
	else if (strcmp(base, "year") == 0)
		dc->type = DBZ_T_YEAR;
	else if (strcmp(base, "uuid") == 0)
		dc->type = DBZ_T_UUID;
	else if (strcmp(base, "inet4") == 0 || strcmp(base, "inet6") == 0)
		dc->type = DBZ_T_STRING;
	else if (strcmp(base, "point") == 0)
		dc->type = DBZ_T_POINT;
	else if (base_is(base, geometry_types))
		dc->type = DBZ_T_GEOMETRY;
	else if (pc->tm.kind == TYPEMAP_PASSTHROUGH)
		dc->type = DBZ_T_STRING;	/* a type only the allowlist made sense of: its text */
	else
		return col_err(errbuf, errlen, pt, pc, "no Debezium representation for this type");
	return true;
}

/* ---------------------------------------------------------------------
 * Schemas (Kafka JsonConverter's form)
 * --------------------------------------------------------------------- */

/* schema_of: {"type", "optional"} plus name and version when name is set */
static json_t *
schema_of(const char *type, bool optional, const char *name, int version)
{
	json_t	   *s = json_object();

	json_object_set_new(s, "type", json_string(type));
	json_object_set_new(s, "optional", json_boolean(optional));
	if (name) {
		json_object_set_new(s, "name", json_string(name));
		if (version > 0)
			json_object_set_new(s, "version", json_integer(version));
	}
	return s;
}

/* field: appends schema s to the "fields" array as the field named name */
static bool
field(json_t *fields, const char *name, json_t *s)
{
	if (!s || !put(s, "field", json_string(name)))
		return false;
	return json_array_append_new(fields, s) == 0;
}

/* struct_schema: {"type": "struct", "fields": [], ...}; *fields is the
 * array to fill */
static json_t *
struct_schema(json_t **fields)
{
	json_t	   *s = json_object();

	json_object_set_new(s, "type", json_string("struct"));
	*fields = json_array();
	json_object_set_new(s, "fields", *fields);
	return s;
}

/* struct_end: the struct's optional, name, version and doc, after its fields */
static json_t *
struct_end(json_t *s, bool optional, const char *name, int version, const char *doc)
{
	json_object_set_new(s, "optional", json_boolean(optional));
	if (name)
		json_object_set_new(s, "name", json_string(name));
	if (version > 0)
		json_object_set_new(s, "version", json_integer(version));
	if (doc)
		json_object_set_new(s, "doc", json_string(doc));
	return s;
}

/* enum_allowed: the labels of "enum('a','b''c','d,e')" joined by commas,
 * a comma inside a label escaped with a backslash: a,b'c,d\,e */
static json_t *
enum_allowed(const char *column_type)
{
	const char *p = column_type ? strchr(column_type, '(') : NULL;
	buf			b = BUF_INIT;
	json_t	   *j;

	if (p) {
		p++;
		while (*p == '\'') {
			if (b.len > 0)
				buf_putc(&b, ',');
			for (p++; *p; p++) {
				if (*p == '\'' && p[1] == '\'')
					buf_putc(&b, *++p);
				else if (*p == '\\' && p[1])
					buf_putc(&b, *++p);
				else if (*p == '\'')
					break;
				else if (*p == ',')
					buf_append(&b, "\\,", 2);	/* Debezium's escape for a comma in a label */
				else
					buf_putc(&b, *p);
			}
			if (*p == '\'')
				p++;
			if (*p == ',')
				p++;
		}
	}
	j = json_text(b.data ? b.data : "", b.len);
	buf_free(&b);
	return j;
}

/* column_schema: the field schema of a column (without "field") */
static json_t *
column_schema(const plan_column *pc, const dbz_col *dc, bool optional)
{
	json_t	   *s = NULL, *fields, *params;
	char		num[32];

	switch (dc->type) {
		case DBZ_T_INT16: return schema_of("int16", optional, NULL, 0);
		case DBZ_T_INT32: return schema_of("int32", optional, NULL, 0);
		case DBZ_T_INT64:
		case DBZ_T_UINT64: return schema_of("int64", optional, NULL, 0);
		case DBZ_T_BOOL_INT:
		case DBZ_T_BOOL_BIT: return schema_of("boolean", optional, NULL, 0);
		case DBZ_T_FLOAT32: return schema_of("float", optional, NULL, 0);
		case DBZ_T_FLOAT64: return schema_of("double", optional, NULL, 0);
		case DBZ_T_STRING: return schema_of("string", optional, NULL, 0);
		case DBZ_T_BYTES: return schema_of("bytes", optional, NULL, 0);
		case DBZ_T_JSON: return schema_of("string", optional, "io.debezium.data.Json", 1);
		case DBZ_T_UUID: return schema_of("string", optional, "io.debezium.data.Uuid", 1);
		case DBZ_T_DATE: return schema_of("int32", optional, "io.debezium.time.Date", 1);
		case DBZ_T_DATETIME_MS: return schema_of("int64", optional, "io.debezium.time.Timestamp", 1);
		case DBZ_T_DATETIME_US: return schema_of("int64", optional, "io.debezium.time.MicroTimestamp", 1);
		case DBZ_T_TIMESTAMP: return schema_of("string", optional, "io.debezium.time.ZonedTimestamp", 1);
		case DBZ_T_TIME: return schema_of("int64", optional, "io.debezium.time.MicroTime", 1);
		case DBZ_T_YEAR: return schema_of("int32", optional, "io.debezium.time.Year", 1);
		case DBZ_T_BITS:
			s = schema_of("bytes", optional, "io.debezium.data.Bits", 1);
			params = json_object();
			snprintf(num, sizeof(num), "%u", dc->bits);
			json_object_set_new(params, "length", json_string(num));
			json_object_set_new(s, "parameters", params);
			return s;
		case DBZ_T_DECIMAL:
			s = schema_of("bytes", optional, "org.apache.kafka.connect.data.Decimal", 1);
			params = json_object();
			snprintf(num, sizeof(num), "%d", dc->scale);
			json_object_set_new(params, "scale", json_string(num));
			snprintf(num, sizeof(num), "%d", dc->precision);
			json_object_set_new(params, "connect.decimal.precision", json_string(num));
			json_object_set_new(s, "parameters", params);
			return s;
		case DBZ_T_ENUM:
		case DBZ_T_SET:
			s = schema_of("string", optional, dc->type == DBZ_T_ENUM ?
						  "io.debezium.data.Enum" : "io.debezium.data.EnumSet", 1);
			params = json_object();
			json_object_set_new(params, "allowed", enum_allowed(pc->column_type));
			json_object_set_new(s, "parameters", params);
			return s;
		case DBZ_T_POINT:
			s = struct_schema(&fields);
			field(fields, "x", schema_of("double", false, NULL, 0));
			field(fields, "y", schema_of("double", false, NULL, 0));
			field(fields, "wkb", schema_of("bytes", true, NULL, 0));
			field(fields, "srid", schema_of("int32", true, NULL, 0));
			return struct_end(s, optional, "io.debezium.data.geometry.Point", 1,
							  "Geometry (POINT)");
		case DBZ_T_GEOMETRY:
			s = struct_schema(&fields);
			field(fields, "wkb", schema_of("bytes", false, NULL, 0));
			field(fields, "srid", schema_of("int32", true, NULL, 0));
			/* Debezium's Geometry schema is optional even for NOT NULL */
			return struct_end(s, true, "io.debezium.data.geometry.Geometry", 1, "Geometry");
	}
	return NULL;
}

/* row_schema: the "<topic>.Value" or "<topic>.Key" struct of the columns
 * listed in idx (all columns when idx is NULL) */
static json_t *
row_schema(const plan_table *pt, const int *idx, size_t n, const char *name,
		   bool optional, bool key, char *errbuf, size_t errlen)
{
	json_t	   *fields;
	json_t	   *s = struct_schema(&fields);

	for (size_t k = 0; k < n; k++) {
		const plan_column *pc = &pt->cols[idx ? (size_t) idx[k] : k];
		dbz_col		dc;

		if (!classify(pt, pc, &dc, errbuf, errlen)) {
			json_decref(s);
			return NULL;
		}
		if (!field(fields, pc->name, column_schema(pc, &dc, !key && pc->nullable))) {
			json_decref(s);
			col_err(errbuf, errlen, pt, pc, "could not build the field schema");
			return NULL;
		}
	}
	return struct_end(s, optional, name, 0, NULL);
}

/* source_schema: io.debezium.connector.mysql.Source as Debezium 2.5 has it */
static json_t *
source_schema(void)
{
	json_t	   *fields, *params, *snap;
	json_t	   *s = struct_schema(&fields);

	field(fields, "version", schema_of("string", false, NULL, 0));
	field(fields, "connector", schema_of("string", false, NULL, 0));
	field(fields, "name", schema_of("string", false, NULL, 0));
	field(fields, "ts_ms", schema_of("int64", false, NULL, 0));
	snap = schema_of("string", true, "io.debezium.data.Enum", 1);
	params = json_object();
	json_object_set_new(params, "allowed", json_string(DBZ_SNAPSHOT_ALLOWED));
	json_object_set_new(snap, "parameters", params);
	json_object_set_new(snap, "default", json_string("false"));
	field(fields, "snapshot", snap);
	field(fields, "db", schema_of("string", false, NULL, 0));
	field(fields, "sequence", schema_of("string", true, NULL, 0));
	field(fields, "table", schema_of("string", true, NULL, 0));
	field(fields, "server_id", schema_of("int64", false, NULL, 0));
	field(fields, "gtid", schema_of("string", true, NULL, 0));
	field(fields, "file", schema_of("string", false, NULL, 0));
	field(fields, "pos", schema_of("int64", false, NULL, 0));
	field(fields, "row", schema_of("int32", false, NULL, 0));
	field(fields, "thread", schema_of("int64", true, NULL, 0));
	field(fields, "query", schema_of("string", true, NULL, 0));
	return struct_end(s, false, "io.debezium.connector.mysql.Source", 0, NULL);
}

/* transaction_schema: the envelope's optional "event.block" */
static json_t *
transaction_schema(void)
{
	json_t	   *fields;
	json_t	   *s = struct_schema(&fields);

	field(fields, "id", schema_of("string", false, NULL, 0));
	field(fields, "total_order", schema_of("int64", false, NULL, 0));
	field(fields, "data_collection_order", schema_of("int64", false, NULL, 0));
	return struct_end(s, true, "event.block", 1, NULL);
}

/* wrap: {"schema": schema, "payload": payload}, taking both references */
static json_t *
wrap(json_t *schema, json_t *payload)
{
	json_t	   *w = json_object();

	json_object_set_new(w, "schema", schema);
	json_object_set_new(w, "payload", payload);
	return w;
}

/* ---------------------------------------------------------------------
 * Values
 * --------------------------------------------------------------------- */

/* zero_date: the value of a zero or invalid date: null when the column may
 * be null, else the epoch in the column's representation */
static json_t *
zero_date(const plan_column *pc, const dbz_col *dc)
{
	if (pc->nullable)
		return json_null();
	if (dc->type == DBZ_T_TIMESTAMP)
		return json_string("1970-01-01T00:00:00Z");
	return json_integer(0);
}

/* point_value: Debezium's Point struct of a 2D point's WKB (21 bytes) */
static json_t *
point_value(const unsigned char *w, size_t len)
{
	double		xy[2];
	uint32_t	type = 0;
	bool		le;
	json_t	   *p;

	if (len != 21 || w[0] > 1)
		return NULL;
	le = w[0] == 1;
	for (int k = 0; k < 4; k++)
		type |= (uint32_t) w[le ? 1 + k : 4 - k] << (8 * k);
	if (type != 1)
		return NULL;
	for (int c = 0; c < 2; c++) {
		uint64_t	bits = 0;
		const unsigned char *d = w + 5 + 8 * c;

		for (int k = 0; k < 8; k++)
			bits |= (uint64_t) d[le ? k : 7 - k] << (8 * k);
		memcpy(&xy[c], &bits, sizeof(double));
		if (!isfinite(xy[c]))
			return NULL;
	}
	p = json_object();
	json_object_set_new(p, "x", json_real(xy[0]));
	json_object_set_new(p, "y", json_real(xy[1]));
	json_object_set_new(p, "wkb", json_b64(w, len));
	json_object_set_new(p, "srid", json_null());
	return p;
}

/* column_value: the JSON value of one column of a row image */
static bool
column_value(const plan_table *pt, const plan_column *pc, const dbz_col *dc,
			 const binlog_value *v, json_t **out, char *errbuf, size_t errlen)
{
	const char *s = v->data;
	size_t		len = v->len;
	char		shown[DBZ_SNIPPET + 4];
	int64_t		i64;
	dbz_datetime dt;

	*out = NULL;
	if (!v->present)
		return col_err(errbuf, errlen, pt, pc,
					   "not in the row image (Debezium events need binlog_row_image=FULL)");
	if (s == NULL) {
		*out = json_null();
		return true;
	}
	switch (dc->type) {
		case DBZ_T_INT16:
			if (!parse_i64_in(s, len, INT16_MIN, INT16_MAX, &i64))
				goto bad_value;
			*out = json_integer(i64);
			break;
		case DBZ_T_INT32:
		case DBZ_T_YEAR:
			if (!parse_i64_in(s, len, INT32_MIN, INT32_MAX, &i64))
				goto bad_value;
			*out = json_integer(i64);
			break;
		case DBZ_T_INT64:
			if (!parse_i64_in(s, len, INT64_MIN, INT64_MAX, &i64))
				goto bad_value;
			*out = json_integer(i64);
			break;
		case DBZ_T_UINT64: {
			bool		neg;
			uint64_t	mag;

			if (!parse_int(s, len, &neg, &mag) || (neg && mag != 0))
				goto bad_value;
			/* Debezium's "long" mode: the bits as a signed 64-bit value */
			*out = json_integer(mag > (uint64_t) INT64_MAX ?
								-(json_int_t) (UINT64_MAX - mag) - 1 : (json_int_t) mag);
			break;
		}
		case DBZ_T_BOOL_INT: {
			bool		neg;
			uint64_t	mag;

			if (!parse_int(s, len, &neg, &mag))
				goto bad_value;
			*out = json_boolean(mag != 0);
			break;
		}
		case DBZ_T_BOOL_BIT:
			if (len != 1)
				return col_err(errbuf, errlen, pt, pc, "BIT(1) value has %zu bytes, expected 1", len);
			*out = json_boolean(s[0] != 0);
			break;
		case DBZ_T_BITS: {
			size_t		nbytes = (dc->bits + 7) / 8;
			unsigned char le[8] = { 0 };

			if (len > nbytes)
				return col_err(errbuf, errlen, pt, pc, "BIT(%u) value has %zu bytes, expected %zu",
							   dc->bits, len, nbytes);
			for (size_t k = 0; k < len; k++)
				le[k] = (unsigned char) s[len - 1 - k];
			for (size_t k = dc->bits; k < nbytes * 8; k++)
				if (le[k / 8] & (1u << (k % 8)))
					return col_err(errbuf, errlen, pt, pc, "BIT(%u) value has bits set above bit %u",
								   dc->bits, dc->bits);
			*out = json_b64(le, nbytes);
			break;
		}
		case DBZ_T_DECIMAL: {
			unsigned char b[DBZ_DECIMAL_BYTES];
			size_t		blen;

			if (!decimal_bytes(s, len, dc->scale, b, &blen))
				return col_err(errbuf, errlen, pt, pc,
							   "value \"%s\" is not a decimal of scale %d within %d digits",
							   snippet(shown, s, len), dc->scale, DBZ_DECIMAL_DIGITS);
			*out = json_b64(b, blen);
			break;
		}
		case DBZ_T_FLOAT32:
		case DBZ_T_FLOAT64: {
			char		num[DBZ_NUMBER_MAX + 1];
			char	   *end;
			double		d;

			if (len == 0 || len > DBZ_NUMBER_MAX)
				goto bad_value;
			memcpy(num, s, len);
			num[len] = '\0';
			if (!((num[0] >= '0' && num[0] <= '9') || num[0] == '-' || num[0] == '.'))
				goto bad_value;	/* no "inf", "nan", hex floats or spaces */
			d = strtod(num, &end);
			if (*end != '\0' || !isfinite(d) || strpbrk(num, "xXnN") != NULL)
				goto bad_value;
			*out = json_real(d);
			break;
		}
		case DBZ_T_STRING:
		case DBZ_T_JSON:
		case DBZ_T_ENUM:
		case DBZ_T_SET:
		case DBZ_T_UUID:
			*out = json_text(s, len);
			break;
		case DBZ_T_BYTES:
			*out = json_b64(s, len);
			break;
		case DBZ_T_DATE:
			if (!parse_datetime(s, len, false, &dt))
				goto bad_value;
			*out = dt.invalid ? zero_date(pc, dc) :
				json_integer(days_from_civil(dt.year, dt.month, dt.day));
			break;
		case DBZ_T_DATETIME_MS:
		case DBZ_T_DATETIME_US:
			if (!parse_datetime(s, len, true, &dt))
				goto bad_value;
			if (dt.invalid)
				*out = zero_date(pc, dc);
			else {
				int64_t		secs = days_from_civil(dt.year, dt.month, dt.day) * 86400 +
					dt.hour * 3600 + dt.minute * 60 + dt.second;

				/* usec >= 0, so integer division floors, as Java's toEpochMilli */
				*out = json_integer(dc->type == DBZ_T_DATETIME_MS ?
									secs * 1000 + dt.usec / 1000 : secs * 1000000 + dt.usec);
			}
			break;
		case DBZ_T_TIMESTAMP:
			if (!parse_datetime(s, len, true, &dt))
				goto bad_value;
			if (dt.invalid)
				*out = zero_date(pc, dc);
			else {
				char		iso[48];
				int			n = snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d",
										 dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second);

				if (dc->fsp > 0) {
					char		frac[8];

					snprintf(frac, sizeof(frac), "%06u", (unsigned) dt.usec);
					n += snprintf(iso + n, sizeof(iso) - (size_t) n, ".%.*s", dc->fsp, frac);
				}
				snprintf(iso + n, sizeof(iso) - (size_t) n, "Z");
				*out = json_string(iso);
			}
			break;
		case DBZ_T_TIME:
			if (!parse_time(s, len, &i64))
				goto bad_value;
			*out = json_integer(i64);
			break;
		case DBZ_T_POINT:
			*out = point_value((const unsigned char *) s, len);
			if (!*out)
				return col_err(errbuf, errlen, pt, pc,
							   "value of %zu bytes is not the WKB of a 2D point", len);
			break;
		case DBZ_T_GEOMETRY:
			*out = json_object();
			json_object_set_new(*out, "wkb", json_b64(s, len));
			json_object_set_new(*out, "srid", json_null());
			break;
	}
	if (!*out)
		return col_err(errbuf, errlen, pt, pc, "could not build the JSON value");
	return true;

bad_value:
	return col_err(errbuf, errlen, pt, pc, "invalid value \"%s\"", snippet(shown, s, len));
}

/* row_payload: {"col": value, ...} of the columns listed in idx (all when
 * idx is NULL) from a row image */
static json_t *
row_payload(const plan_table *pt, const int *idx, size_t n, const binlog_value *img,
			char *errbuf, size_t errlen)
{
	json_t	   *obj = json_object();

	for (size_t k = 0; k < n; k++) {
		size_t		c = idx ? (size_t) idx[k] : k;
		const plan_column *pc;
		dbz_col		dc;
		json_t	   *v;

		if (c >= pt->ncols) {
			set_err(errbuf, errlen, "table \"%s\": key column %zu out of range", pt->source, c);
			json_decref(obj);
			return NULL;
		}
		pc = &pt->cols[c];
		if (!classify(pt, pc, &dc, errbuf, errlen) ||
			!column_value(pt, pc, &dc, &img[c], &v, errbuf, errlen)) {
			json_decref(obj);
			return NULL;
		}
		if (!put(obj, pc->name, v)) {
			json_decref(obj);
			col_err(errbuf, errlen, pt, pc, "the column name is not valid UTF-8");
			return NULL;
		}
	}
	return obj;
}

/* ---------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

/* dbz_topic: see debezium.h */
char *
dbz_topic(const char *prefix, const char *db, const char *table)
{
	const char *parts[3] = { prefix, db, table };
	buf			b = BUF_INIT;
	size_t		units = 0;
	char	   *out;

	for (int p = 0; p < 3; p++) {
		const unsigned char *s = (const unsigned char *) (parts[p] ? parts[p] : "");

		if (!*s)
			continue;			/* Debezium skips empty parts */
		if (b.len > 0) {
			buf_putc(&b, '.');
			units++;
		}
		for (; *s; s++) {
			unsigned char c = *s;

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
				buf_putc(&b, (char) c);
				units++;
			} else if (c < 0x80 || (c >= 0xC0 && c < 0xF0)) {
				buf_putc(&b, '_');	/* one UTF-16 unit */
				units++;
			} else if (c >= 0xF0) {
				buf_append(&b, "__", 2);	/* a surrogate pair */
				units += 2;
			}
			/* continuation bytes belong to the character already replaced */
		}
	}
	if (units > DBZ_TOPIC_MAX)
		b.len = DBZ_TOPIC_MAX;	/* only ASCII is left, so bytes are units */
	out = xstrndup(b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/* dbz_key: see debezium.h */
json_t *
dbz_key(const plan_table *pt, const binlog_value *img, const dbz_source *src,
		const dbz_options *o, char *errbuf, size_t errlen)
{
	json_t	   *payload, *schema;
	char	   *topic, *name;

	if (pt->nkey == 0) {
		set_err(errbuf, errlen, "table \"%s\" has no key: send a null key", pt->source);
		return NULL;
	}
	if (!img) {
		set_err(errbuf, errlen, "table \"%s\": no row image for the key", pt->source);
		return NULL;
	}
	payload = row_payload(pt, pt->key, pt->nkey, img, errbuf, errlen);
	if (!payload || !o->schemas)
		return payload;
	topic = dbz_topic(src->server_name, src->db, src->table);
	name = xasprintf("%s.Key", topic);
	schema = row_schema(pt, pt->key, pt->nkey, name, false, true, errbuf, errlen);
	free(name);
	free(topic);
	if (!schema) {
		json_decref(payload);
		return NULL;
	}
	return wrap(schema, payload);
}

/* source_block: the envelope's "source" */
static json_t *
source_block(const dbz_source *src, const dbz_options *o)
{
	json_t	   *s = json_object();

	json_object_set_new(s, "version", json_string(o->version ? o->version : DBZ_VERSION));
	json_object_set_new(s, "connector", json_string("mysql"));
	json_object_set_new(s, "name", json_text(src->server_name ? src->server_name : "",
											 src->server_name ? strlen(src->server_name) : 0));
	json_object_set_new(s, "ts_ms", json_integer((json_int_t) src->ts_ms));
	json_object_set_new(s, "snapshot", json_string(src->snapshot ? "true" : "false"));
	json_object_set_new(s, "db", json_text(src->db ? src->db : "", src->db ? strlen(src->db) : 0));
	json_object_set_new(s, "sequence", json_null());
	json_object_set_new(s, "table", src->table ? json_text(src->table, strlen(src->table)) : json_null());
	json_object_set_new(s, "server_id", json_integer(src->server_id));
	json_object_set_new(s, "gtid", src->gtid ? json_text(src->gtid, strlen(src->gtid)) : json_null());
	json_object_set_new(s, "file", json_text(src->file ? src->file : "", src->file ? strlen(src->file) : 0));
	json_object_set_new(s, "pos", json_integer((json_int_t) src->pos));
	json_object_set_new(s, "row", json_integer(src->row));
	json_object_set_new(s, "thread", json_null());
	json_object_set_new(s, "query", json_null());
	return s;
}

/* envelope_schema: "<topic>.Envelope" with the row struct as before/after */
static json_t *
envelope_schema(const plan_table *pt, const char *topic, char *errbuf, size_t errlen)
{
	char	   *name = xasprintf("%s.Value", topic);
	json_t	   *row = row_schema(pt, NULL, pt->ncols, name, true, false, errbuf, errlen);
	json_t	   *fields, *s;

	free(name);
	if (!row)
		return NULL;
	s = struct_schema(&fields);
	field(fields, "before", json_deep_copy(row));
	field(fields, "after", row);
	field(fields, "source", source_schema());
	field(fields, "op", schema_of("string", false, NULL, 0));
	field(fields, "ts_ms", schema_of("int64", true, NULL, 0));
	field(fields, "transaction", transaction_schema());
	name = xasprintf("%s.Envelope", topic);
	struct_end(s, false, name, 1, NULL);
	free(name);
	return s;
}

/* flat_schema: "<topic>.Value" plus the fields the transform adds */
static json_t *
flat_schema(const plan_table *pt, const char *topic, char *errbuf, size_t errlen)
{
	char	   *name = xasprintf("%s.Value", topic);
	json_t	   *s = row_schema(pt, NULL, pt->ncols, name, false, false, errbuf, errlen);
	json_t	   *fields;

	free(name);
	if (!s)
		return NULL;
	fields = json_object_get(s, "fields");
	field(fields, "__deleted", schema_of("string", true, NULL, 0));
	field(fields, "__op", schema_of("string", true, NULL, 0));
	field(fields, "__db", schema_of("string", true, NULL, 0));
	field(fields, "__table", schema_of("string", true, NULL, 0));
	field(fields, "__ts_ms", schema_of("int64", true, NULL, 0));
	return s;
}

/* dbz_value: see debezium.h */
json_t *
dbz_value(const plan_table *pt, dbz_op op, const binlog_value *before,
		  const binlog_value *after, const dbz_source *src,
		  const dbz_options *o, uint64_t now_ms, char *errbuf, size_t errlen)
{
	bool		need_before = op == DBZ_UPDATE || op == DBZ_DELETE;
	bool		need_after = op != DBZ_DELETE;
	json_t	   *b = NULL, *a = NULL, *payload, *schema = NULL;
	char		opstr[2] = { (char) op, '\0' };
	char	   *topic;

	if (op != DBZ_CREATE && op != DBZ_UPDATE && op != DBZ_DELETE && op != DBZ_READ) {
		set_err(errbuf, errlen, "table \"%s\": unknown operation %d", pt->source, (int) op);
		return NULL;
	}
	if ((need_before && !before) || (need_after && !after)) {
		set_err(errbuf, errlen, "table \"%s\": operation \"%s\" needs the %s image",
				pt->source, opstr, need_before && !before ? "before" : "after");
		return NULL;
	}
	if (need_before && !(b = row_payload(pt, NULL, pt->ncols, before, errbuf, errlen)))
		return NULL;
	if (need_after && !(a = row_payload(pt, NULL, pt->ncols, after, errbuf, errlen))) {
		json_decref(b);
		return NULL;
	}

	if (o->flatten) {
		/* the record is the row itself: the after image, or the before
		 * image of a delete */
		payload = a ? a : b;
		if (a)
			json_decref(b);
		json_object_set_new(payload, "__deleted", json_string(op == DBZ_DELETE ? "true" : "false"));
		json_object_set_new(payload, "__op", json_string(opstr));
		json_object_set_new(payload, "__db", json_text(src->db ? src->db : "",
													   src->db ? strlen(src->db) : 0));
		json_object_set_new(payload, "__table", src->table ?
							json_text(src->table, strlen(src->table)) : json_null());
		json_object_set_new(payload, "__ts_ms", json_integer((json_int_t) now_ms));
	} else {
		payload = json_object();
		json_object_set_new(payload, "before", b ? b : json_null());
		json_object_set_new(payload, "after", a ? a : json_null());
		json_object_set_new(payload, "source", source_block(src, o));
		json_object_set_new(payload, "op", json_string(opstr));
		json_object_set_new(payload, "ts_ms", json_integer((json_int_t) now_ms));
		json_object_set_new(payload, "transaction", json_null());
	}
	if (!o->schemas)
		return payload;

	topic = dbz_topic(src->server_name, src->db, src->table);
	schema = o->flatten ? flat_schema(pt, topic, errbuf, errlen) :
		envelope_schema(pt, topic, errbuf, errlen);
	free(topic);
	if (!schema) {
		json_decref(payload);
		return NULL;
	}
	return wrap(schema, payload);
}

/* ---------------------------------------------------------------------
 * Reading events
 *
 * dbz_parse works like this. The message is parsed with jansson and kept
 * in the event's memory, so that string values can point into it; the
 * shape is found (schema wrapper, envelope or flattened record), the
 * source fields copied, and each row image decoded column by column: the
 * same classification as for writing gives the column's representation,
 * the field's schema (when there is one) a few hints (its type, its name,
 * a Decimal's scale), and the value is turned back into its text-protocol
 * form. Values that are not the JSON text itself (numbers, dates, decoded
 * base64) go into a per-event arena that the next event resets.
 * --------------------------------------------------------------------- */

#define DBZ_BLOCK_MIN	4096		/* first arena block */
#define DBZ_BLOCK_KEEP	(1 << 20)	/* largest block kept across events */
#define DBZ_USEC		INT64_C(1000000)
#define DBZ_TIME_MAX	INT64_C(3020399999999)	/* 838:59:59.999999 in microseconds */

/* One arena block; data follows. */
typedef struct dbz_block {
	struct dbz_block *next;
	size_t		cap;
	size_t		used;
	char		data[];
} dbz_block;

/* What a dbz_event owns. */
struct dbz_mem {
	json_t	   *value;			/* the parsed value: string values point into it */
	json_t	   *key;			/* the parsed key */
	dbz_block  *blocks;			/* newest first */
	binlog_value *imgs;			/* before, after: 2 * cap values */
	size_t		cap;			/* columns imgs has room for */
	binlog_value *keys;			/* the key's image */
	size_t		keycap;
};

/* A column's field schema, as far as it helps reading the value. */
typedef struct dbz_hint {
	const char *type;			/* "bytes", "string", "int64", ...; NULL without a schema */
	const char *name;			/* "io.debezium.time.MicroTimestamp", ...; or NULL */
	long long	scale;			/* a Decimal's scale parameter; -1 if none */
} dbz_hint;

/* mem_alloc: n bytes in the event's arena, valid until the next reset */
static char *
mem_alloc(struct dbz_mem *m, size_t n)
{
	dbz_block  *b = m->blocks;

	if (!b || b->cap - b->used < n) {
		size_t		cap = b ? b->cap * 2 : DBZ_BLOCK_MIN;

		if (cap > DBZ_BLOCK_KEEP)
			cap = DBZ_BLOCK_KEEP;
		if (cap < n)
			cap = n;
		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = m->blocks;
		m->blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* mem_reset: forgets the arena's contents, keeping its newest block unless
 * a huge value made it, and drops the parsed JSON */
static void
mem_reset(struct dbz_mem *m)
{
	dbz_block  *keep = m->blocks && m->blocks->cap <= DBZ_BLOCK_KEEP ? m->blocks : NULL;
	dbz_block  *b = keep ? keep->next : m->blocks;

	while (b) {
		dbz_block  *next = b->next;

		free(b);
		b = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	m->blocks = keep;
	json_decref(m->value);
	json_decref(m->key);
	m->value = m->key = NULL;
}

/* mem_of: the event's memory, made on first use */
static struct dbz_mem *
mem_of(dbz_event *ev)
{
	if (!ev->mem)
		ev->mem = xcalloc(1, sizeof(*ev->mem));
	return ev->mem;
}

/* images: an array of room for n values (*cap of them) at least n long */
static binlog_value *
images(binlog_value **arr, size_t *cap, size_t n)
{
	if (!*arr || *cap < n) {
		free(*arr);
		*cap = n ? n : 1;
		*arr = xcalloc(*cap, sizeof(binlog_value));
	}
	return *arr;
}

/* set_copy: out holds a copy of n bytes in the arena */
static void
set_copy(struct dbz_mem *m, binlog_value *out, const void *s, size_t n)
{
	char	   *d = mem_alloc(m, n);

	if (n)
		memcpy(d, s, n);
	out->present = true;
	out->data = d;
	out->len = n;
}

/* jtype: the name of a JSON value's type, for messages */
static const char *
jtype(const json_t *j)
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

/* tname: the table's name for messages */
static const char *
tname(const plan_table *pt)
{
	return pt->source ? pt->source : "?";
}

/* b64_decode: standard base64 with '=' padding (what Java's encoder and
 * JsonConverter write) into out, which has room for len / 4 * 3 bytes */
static bool
b64_decode(const char *s, size_t len, unsigned char *out, size_t *outlen)
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
			else if (c == '+')
				d = 62;
			else if (c == '/')
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

/* b64_value: the bytes of a base64 JSON string, in the arena */
static bool
b64_value(struct dbz_mem *m, const json_t *j, unsigned char **out, size_t *outlen)
{
	const char *s = json_string_value(j);
	size_t		len = json_string_length(j);
	unsigned char *d;

	if (!s)
		return false;
	d = (unsigned char *) mem_alloc(m, len / 4 * 3);
	if (!b64_decode(s, len, d, outlen))
		return false;
	*out = d;
	return true;
}

/* int_of: an integer field: a JSON integer, a string of digits, or a
 * boolean (1, 0), as a sign and a magnitude */
static bool
int_of(const json_t *j, bool *neg, uint64_t *mag)
{
	if (json_is_integer(j)) {
		json_int_t	v = json_integer_value(j);

		*neg = v < 0;
		*mag = v < 0 ? (uint64_t) (-(v + 1)) + 1 : (uint64_t) v;
		return true;
	}
	if (json_is_string(j))
		return parse_int(json_string_value(j), json_string_length(j), neg, mag);
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

/* ---- decimals ---- */

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

	if (!dec_split(s, len, &neg, &ib, &ie, &fb, &fe)) {
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

/* ---- dates and times ---- */

/* floor_div: a / b rounded down (b > 0) */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-(a + 1)) / b) - 1;
}

/* civil_from_days: the proleptic Gregorian date of days since 1970-01-01
 * (Howard Hinnant's algorithm, the inverse of days_from_civil) */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;

	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* The days of 0000-01-01 and 9999-12-31: MariaDB's dates lie between. */
#define DBZ_DAY_MIN INT64_C(-719528)
#define DBZ_DAY_MAX INT64_C(2932896)

/* date_text: "YYYY-MM-DD" of days since the epoch into dst (11 bytes) */
static bool
date_text(int64_t days, char *dst)
{
	int64_t		y;
	int			m, d;
	char		tmp[48];		/* room for any int, which the compiler cannot rule out */

	if (days < DBZ_DAY_MIN || days > DBZ_DAY_MAX)
		return false;
	civil_from_days(days, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", (int) y, m, d);
	memcpy(dst, tmp, 11);
	return true;
}

/* frac_text: appends "." and the first fsp of the 6 digits of usec, when
 * fsp > 0; false when a digit beyond fsp is not zero */
static bool
frac_text(char *dst, size_t *n, int64_t usec, int fsp)
{
	char		f[24];

	snprintf(f, sizeof(f), "%06d", (int) usec);
	for (int k = fsp; k < 6; k++)
		if (f[k] != '0')
			return false;
	if (fsp > 0) {
		dst[(*n)++] = '.';
		memcpy(dst + *n, f, (size_t) fsp);
		*n += (size_t) fsp;
	}
	return true;
}

/* datetime_text: "YYYY-MM-DD HH:MM:SS[.f]" with exactly fsp fraction
 * digits of microseconds since the epoch; dst has 32 bytes */
static bool
datetime_text(int64_t us, int fsp, char *dst, size_t *n, const char **why)
{
	int64_t		secs = floor_div(us, DBZ_USEC);
	int64_t		days = floor_div(secs, 86400);
	int64_t		sod = secs - days * 86400;
	char		tmp[48];

	if (!date_text(days, dst)) {
		*why = "is outside the years 0000-9999";
		return false;
	}
	snprintf(tmp, sizeof(tmp), " %02d:%02d:%02d", (int) (sod / 3600),
			 (int) (sod / 60 % 60), (int) (sod % 60));
	memcpy(dst + 10, tmp, 9);
	*n = 19;
	if (!frac_text(dst, n, us - secs * DBZ_USEC, fsp)) {
		*why = "has more fraction digits than the column's precision";
		return false;
	}
	return true;
}

/* scaled_us: v in units of unit_ns nanoseconds as microseconds, if it is
 * within +-limit microseconds and a whole number of them */
static bool
scaled_us(int64_t v, int64_t unit_ns, int64_t limit, int64_t *us)
{
	if (unit_ns == 1) {
		if (v % 1000 != 0)
			return false;
		v /= 1000;
	} else {
		int64_t		mul = unit_ns / 1000;

		if (v > limit / mul || v < -(limit / mul))
			return false;
		v *= mul;
	}
	if (v > limit || v < -limit)
		return false;
	*us = v;
	return true;
}

/*
 * iso_us: an ISO-8601 date and time, "YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]]",
 * then 'Z', an offset (+HH:MM, +HHMM, +HH, or '-') or, when bare is
 * allowed, nothing (UTC), as microseconds since the epoch in UTC. Digits
 * beyond microseconds must be zero.
 */
static bool
iso_us(const char *s, size_t len, bool bare, int64_t *out)
{
	int			y = num_at(s, len, 0, 4), mo = num_at(s, len, 5, 2), d = num_at(s, len, 8, 2);
	int			h, mi, se = 0, oh = 0, om = 0;
	int64_t		usec = 0;
	size_t		i;

	if (y < 0 || mo < 1 || mo > 12 || d < 1 || s[4] != '-' || s[7] != '-' || len < 16 ||
		d > days_in_month(y, mo) || (s[10] != 'T' && s[10] != ' '))
		return false;
	h = num_at(s, len, 11, 2);
	mi = num_at(s, len, 14, 2);
	if (h < 0 || h > 23 || s[13] != ':' || mi < 0 || mi > 59)
		return false;
	i = 16;
	if (i < len && s[i] == ':') {
		se = num_at(s, len, i + 1, 2);
		if (se < 0 || se > 59)
			return false;
		i += 3;
		if (i < len && s[i] == '.') {
			size_t		nf = 0;

			for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nf++) {
				if (nf >= 9)
					return false;
				if (nf < 6)
					usec = usec * 10 + (s[i] - '0');
				else if (s[i] != '0')
					return false;	/* below a microsecond */
			}
			if (nf == 0)
				return false;
			for (; nf < 6; nf++)
				usec *= 10;
		}
	}
	if (i == len) {
		if (!bare)
			return false;
	} else if (s[i] == 'Z' && i + 1 == len)
		;
	else if (s[i] == '+' || s[i] == '-') {
		size_t		r = len - i - 1;

		oh = num_at(s, len, i + 1, 2);
		if (r == 5 && s[i + 3] == ':')
			om = num_at(s, len, i + 4, 2);
		else if (r == 4)
			om = num_at(s, len, i + 3, 2);
		else if (r != 2)
			return false;
		if (oh < 0 || oh > 18 || om < 0 || om > 59)
			return false;
		if (s[i] == '-') {
			oh = -oh;
			om = -om;
		}
	} else
		return false;
	*out = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) -
			(oh * 3600 + om * 60)) * DBZ_USEC + usec;
	return true;
}

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

/* ---- one value ---- */

/* decimal_value: a DECIMAL field in any of Debezium's decimal modes */
static bool
decimal_value(const plan_table *pt, const plan_column *pc, const dbz_col *dc,
			  const dbz_hint *h, const json_t *j, struct dbz_mem *m,
			  binlog_value *out, char *errbuf, size_t errlen)
{
	char		text[BINLOG_REAL_TEXT];
	char		norm[2 * DBZ_DECIMAL_DIGITS + 3];
	char		shown[DBZ_SNIPPET + 4];
	size_t		tlen = 0, n;
	const char *why = NULL;
	bool		round = false;

	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		size_t		len = json_string_length(j);
		bool		digits_only = len > 0;
		bool		b64;

		for (size_t k = 0; k < len; k++)
			digits_only &= s[k] >= '0' && s[k] <= '9';
		/* base64 or the string mode's text: the schema says; else text has
		 * a '.', a '-' or a length base64 cannot have, and a string of only
		 * digits is base64 but in an unsigned column (see debezium.h) */
		if (h->type)
			b64 = strcmp(h->type, "bytes") == 0;
		else if (strpbrk(s, ".-") != NULL || len % 4 != 0)
			b64 = false;
		else
			b64 = !digits_only || (dc->scale > 0 ? true : !dc->is_unsigned);
		if (b64) {
			unsigned char *b;
			size_t		blen;
			long long	escale = h->scale >= 0 ? h->scale : dc->scale;

			if (escale > DBZ_DECIMAL_DIGITS)
				return col_err(errbuf, errlen, pt, pc, "Decimal scale %lld out of range", escale);
			if (!b64_value(m, j, &b, &blen))
				return col_err(errbuf, errlen, pt, pc, "value \"%s\" is not base64",
							   snippet(shown, s, len));
			if (!dec_from_bytes(b, blen, (int) escale, text, &tlen))
				return col_err(errbuf, errlen, pt, pc, "Decimal of %zu bytes is out of range", blen);
		} else {
			if (len >= sizeof(text))
				return col_err(errbuf, errlen, pt, pc, "value \"%s\" is out of range",
							   snippet(shown, s, len));
			memcpy(text, s, len);
			tlen = len;
		}
	} else if (json_is_integer(j)) {
		tlen = (size_t) snprintf(text, sizeof(text), "%lld", (long long) json_integer_value(j));
	} else if (json_is_real(j)) {
		/* decimal.handling.mode=double: the digits Java printed, which are
		 * the shortest that read back as the same double */
		double		x = json_real_value(j);
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
			return col_err(errbuf, errlen, pt, pc, "value %g is out of range", x);
		if (decpt < -(DBZ_DECIMAL_DIGITS + 1)) {
			dig[0] = '0';		/* far below the smallest scale's unit */
			dlen = 1;
			decpt = 1;
		}
		if (x < 0)
			text[tlen++] = '-';
		if (decpt <= 0) {
			text[tlen++] = '0';
			text[tlen++] = '.';
			for (int k = decpt; k < 0; k++)
				text[tlen++] = '0';
			memcpy(text + tlen, dig, (size_t) dlen);
			tlen += (size_t) dlen;
		} else {
			for (int k = 0; k < dlen || k < decpt; k++) {
				if (k == decpt)
					text[tlen++] = '.';
				text[tlen++] = k < dlen ? dig[k] : '0';
			}
		}
		round = true;
	} else
		return col_err(errbuf, errlen, pt, pc, "expected a Decimal (base64, string or number), got %s",
					   jtype(j));
	if (!dec_norm(text, tlen, dc->precision, dc->scale, round, norm, &n, &why))
		return col_err(errbuf, errlen, pt, pc, "value \"%s\" %s for DECIMAL(%d,%d)",
					   snippet(shown, text, tlen), why, dc->precision, dc->scale);
	if (dc->is_unsigned && norm[0] == '-')
		return col_err(errbuf, errlen, pt, pc, "value \"%s\" is below zero in an unsigned column",
					   snippet(shown, norm, n));
	set_copy(m, out, norm, n);
	return true;
}

/* geometry_value: the WKB of a Geometry or Point struct */
static bool
geometry_value(const plan_table *pt, const plan_column *pc, const json_t *j,
			   struct dbz_mem *m, binlog_value *out, char *errbuf, size_t errlen)
{
	const json_t *wkb = json_object_get(j, "wkb");
	unsigned char *b;
	size_t		blen;

	if (!json_is_object(j))
		return col_err(errbuf, errlen, pt, pc, "expected a geometry struct {\"wkb\", \"srid\"}, got %s",
					   jtype(j));
	if (json_is_string(wkb)) {
		if (!b64_value(m, wkb, &b, &blen) || blen < 5)
			return col_err(errbuf, errlen, pt, pc, "\"wkb\" is not the base64 of a WKB value");
		out->present = true;
		out->data = (const char *) b;
		out->len = blen;
		return true;
	}
	/* a Point may carry only its coordinates: POINT(x y), little-endian */
	const json_t *x = json_object_get(j, "x"), *y = json_object_get(j, "y");

	if (!json_is_number(x) || !json_is_number(y))
		return col_err(errbuf, errlen, pt, pc, "geometry struct has neither \"wkb\" nor \"x\" and \"y\"");
	double		xy[2] = { json_number_value(x), json_number_value(y) };

	b = (unsigned char *) mem_alloc(m, 21);
	memcpy(b, "\x01\x01\x00\x00\x00", 5);
	for (int c = 0; c < 2; c++) {
		uint64_t	bits;

		memcpy(&bits, &xy[c], sizeof(bits));
		for (int k = 0; k < 8; k++)
			b[5 + 8 * c + k] = (unsigned char) (bits >> (8 * k));
	}
	out->present = true;
	out->data = (const char *) b;
	out->len = 21;
	return true;
}

/* field_value: one field's JSON value j as the column's text-protocol value */
static bool
field_value(const plan_table *pt, const plan_column *pc, const dbz_col *dc, const dbz_hint *h,
			const json_t *j, struct dbz_mem *m, binlog_value *out, char *errbuf, size_t errlen)
{
	char		text[BINLOG_REAL_TEXT];
	char		shown[DBZ_SNIPPET + 4];
	size_t		n = 0;
	bool		neg;
	uint64_t	mag;
	int64_t		us;
	const char *why = NULL;

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
		case DBZ_T_BOOL_INT:
			if (dc->type == DBZ_T_UINT64 && json_is_string(j) &&
				!parse_int(json_string_value(j), json_string_length(j), &neg, &mag)) {
				/* bigint.unsigned.handling.mode=precise: a Decimal */
				dbz_col		d = *dc;

				d.type = DBZ_T_DECIMAL;
				d.precision = 20;
				d.scale = 0;
				return decimal_value(pt, pc, &d, h, j, m, out, errbuf, errlen);
			}
			if (!int_of(j, &neg, &mag))
				goto bad_int;
			if (dc->type == DBZ_T_UINT64 && neg && mag <= (UINT64_C(1) << 63)) {
				mag = mag ? UINT64_MAX - mag + 1 : 0;	/* long mode: the bits as signed */
				neg = false;
			}
			if (!int_fits(dc, neg, mag))
				goto out_of_range;
			n = int_text(text, neg, mag);
			break;
		case DBZ_T_YEAR:
			if (!int_of(j, &neg, &mag))
				goto bad_int;
			if (neg || (mag != 0 && (mag < 1901 || mag > 2155)))
				goto out_of_range;
			n = (size_t) snprintf(text, sizeof(text), "%04u", (unsigned) mag);
			break;
		case DBZ_T_BOOL_BIT:
			if (json_is_boolean(j))
				mag = json_is_true(j);
			else if (!json_is_integer(j) || (mag = (uint64_t) json_integer_value(j)) > 1)
				goto bad_type;
			out->data = mag ? "\x01" : "\x00";
			out->len = 1;
			return true;
		case DBZ_T_BITS: {
			size_t		nbytes = (dc->bits + 7) / 8;
			unsigned char *le, *be;
			size_t		len;

			if (!json_is_string(j))
				goto bad_type;
			if (!b64_value(m, j, &le, &len))
				goto bad_base64;
			for (size_t k = 0; k < len; k++)
				if (k >= nbytes ? le[k] != 0 : k * 8 + 8 > dc->bits && (le[k] >> (dc->bits - k * 8)) != 0)
					return col_err(errbuf, errlen, pt, pc, "BIT(%u) value has bits set above bit %u",
								   dc->bits, dc->bits);
			be = (unsigned char *) mem_alloc(m, nbytes);
			for (size_t k = 0; k < nbytes; k++)
				be[nbytes - 1 - k] = k < len ? le[k] : 0;
			out->data = (const char *) be;
			out->len = nbytes;
			return true;
		}
		case DBZ_T_DECIMAL:
			return decimal_value(pt, pc, dc, h, j, m, out, errbuf, errlen);
		case DBZ_T_FLOAT32:
		case DBZ_T_FLOAT64:
			if (!json_is_number(j))
				goto bad_type;
			n = binlog_real_text(json_number_value(j), dc->type == DBZ_T_FLOAT32, dc->decimals, text);
			if (n == 0)
				goto out_of_range;
			break;
		case DBZ_T_STRING:
		case DBZ_T_JSON:
		case DBZ_T_ENUM:
		case DBZ_T_SET:
		case DBZ_T_UUID:
			if (!json_is_string(j))
				goto bad_type;
			out->data = json_string_value(j);	/* lives as long as the parsed JSON */
			out->len = json_string_length(j);
			return true;
		case DBZ_T_BYTES: {
			unsigned char *b;
			size_t		len;

			if (!json_is_string(j))
				goto bad_type;
			if (!b64_value(m, j, &b, &len))
				goto bad_base64;
			if (dc->binary_len >= 0 && len < (size_t) dc->binary_len) {
				/* BINARY(n): the zero bytes the binlog strips, back */
				unsigned char *p = (unsigned char *) mem_alloc(m, (size_t) dc->binary_len);

				memcpy(p, b, len);
				memset(p + len, 0, (size_t) dc->binary_len - len);
				b = p;
				len = (size_t) dc->binary_len;
			}
			out->data = (const char *) b;
			out->len = len;
			return true;
		}
		case DBZ_T_DATE:
			if (json_is_string(j)) {
				dbz_datetime dt;

				if (!parse_datetime(json_string_value(j), json_string_length(j), false, &dt))
					goto bad_value;
				out->data = json_string_value(j);
				out->len = json_string_length(j);
				return true;
			}
			if (!json_is_integer(j))
				goto bad_type;
			if (!date_text(json_integer_value(j), text))
				goto out_of_range;
			n = 10;
			break;
		case DBZ_T_DATETIME_MS:
		case DBZ_T_DATETIME_US:
		case DBZ_T_TIMESTAMP: {
			int64_t		limit = (DBZ_DAY_MAX + 1) * 86400 * DBZ_USEC;

			if (json_is_string(j)) {
				if (!iso_us(json_string_value(j), json_string_length(j),
							dc->type != DBZ_T_TIMESTAMP, &us))
					goto bad_value;
			} else if (json_is_integer(j)) {
				/* adaptive: milliseconds up to 3 fraction digits */
				int64_t		unit = time_unit_ns(h, dc->fsp > 3 ? 1000 : 1000000);

				if (!scaled_us(json_integer_value(j), unit, limit, &us))
					goto out_of_range;
			} else
				goto bad_type;
			if (!datetime_text(us, dc->fsp, text, &n, &why))
				goto bad_why;
			break;
		}
		case DBZ_T_TIME: {
			int64_t		a;

			if (!json_is_integer(j))
				goto bad_type;
			if (!scaled_us(json_integer_value(j), time_unit_ns(h, 1000), DBZ_TIME_MAX, &us))
				goto out_of_range;
			a = us < 0 ? -us : us;
			n = (size_t) snprintf(text, sizeof(text), "%s%02lld:%02d:%02d", us < 0 ? "-" : "",
								  (long long) (a / (3600 * DBZ_USEC)),
								  (int) (a / (60 * DBZ_USEC) % 60), (int) (a / DBZ_USEC % 60));
			if (!frac_text(text, &n, a % DBZ_USEC, dc->fsp)) {
				why = "has more fraction digits than the column's precision";
				goto bad_why;
			}
			break;
		}
		case DBZ_T_POINT:
		case DBZ_T_GEOMETRY:
			return geometry_value(pt, pc, j, m, out, errbuf, errlen);
	}
	set_copy(m, out, text, n);
	return true;

bad_int:
	if (json_is_string(j))
		goto bad_value;
bad_type:
	return col_err(errbuf, errlen, pt, pc, "unexpected JSON value: %s", jtype(j));
bad_base64:
	return col_err(errbuf, errlen, pt, pc, "value \"%s\" is not base64",
				   snippet(shown, json_string_value(j), json_string_length(j)));
bad_value:
	return col_err(errbuf, errlen, pt, pc, "invalid value \"%s\"",
				   snippet(shown, json_string_value(j), json_string_length(j)));
out_of_range:
	why = "is out of range";
bad_why:
	{
		char	   *dumped = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
		bool		r = col_err(errbuf, errlen, pt, pc, "value %s %s",
								dumped ? snippet(shown, dumped, strlen(dumped)) : "?", why);

		free(dumped);
		return r;
	}
}

/* ---- rows and events ---- */

/* hint_of: the field schema of column col (index i) in a struct's fields */
static void
hint_of(const json_t *fields, size_t i, const char *col, dbz_hint *h)
{
	const json_t *f = json_array_get(fields, i);
	const json_t *params;

	h->type = h->name = NULL;
	h->scale = -1;
	if (!json_is_array(fields))
		return;
	/* fields come in column order, unless the table changed */
	if (!f || !json_is_string(json_object_get(f, "field")) ||
		strcmp(json_string_value(json_object_get(f, "field")), col) != 0) {
		size_t		k;

		f = NULL;
		for (k = 0; k < json_array_size(fields); k++) {
			const json_t *c = json_array_get(fields, k);
			const char *name = json_string_value(json_object_get(c, "field"));

			if (name && strcmp(name, col) == 0) {
				f = c;
				break;
			}
		}
		if (!f)
			return;
	}
	h->type = json_string_value(json_object_get(f, "type"));
	h->name = json_string_value(json_object_get(f, "name"));
	params = json_object_get(json_object_get(f, "parameters"), "scale");
	if (json_is_string(params)) {
		char	   *end;
		long long	v = strtoll(json_string_value(params), &end, 10);

		if (*end == '\0' && end != json_string_value(params) && v >= 0)
			h->scale = v;
	} else if (json_is_integer(params) && json_integer_value(params) >= 0)
		h->scale = json_integer_value(params);
}

/* struct_fields: the "fields" of the field named name of a struct schema
 * (or of the schema itself when name is NULL); NULL if there is none */
static const json_t *
struct_fields(const json_t *schema, const char *name)
{
	const json_t *fields = json_object_get(schema, "fields");

	if (!name || !json_is_array(fields))
		return json_is_array(fields) ? fields : NULL;
	for (size_t k = 0; k < json_array_size(fields); k++) {
		const json_t *f = json_array_get(fields, k);
		const char *fn = json_string_value(json_object_get(f, "field"));

		if (fn && strcmp(fn, name) == 0)
			return struct_fields(f, NULL);
	}
	return NULL;
}

/*
 * row_decode: the columns of pt from the row object obj into out. With
 * key, only the columns obj names are read (the others are left out) and
 * those of pt's key must be there; else every column must be.
 */
static bool
row_decode(const plan_table *pt, const json_t *obj, const json_t *fields, const char *what,
		   bool key, struct dbz_mem *m, binlog_value *out, char *errbuf, size_t errlen)
{
	if (!json_is_object(obj)) {
		set_err(errbuf, errlen, "table \"%s\": the %s is %s, expected an object",
				tname(pt), what, jtype(obj));
		return false;
	}
	for (size_t i = 0; i < pt->ncols; i++) {
		const plan_column *pc = &pt->cols[i];
		const json_t *j = pc->name ? json_object_get(obj, pc->name) : NULL;
		dbz_col		dc;
		dbz_hint	h;

		out[i].present = false;
		out[i].data = NULL;
		out[i].len = 0;
		if (!j) {
			bool		needed = !key;

			for (size_t k = 0; key && k < pt->nkey; k++)
				needed |= pt->key[k] == (int) i;
			if (needed)
				return col_err(errbuf, errlen, pt, pc, "missing from the %s", what);
			continue;
		}
		hint_of(fields, i, pc->name, &h);
		if (!classify(pt, pc, &dc, errbuf, errlen) ||
			!field_value(pt, pc, &dc, &h, j, m, &out[i], errbuf, errlen))
			return false;
	}
	return true;
}

/* copy_str: a string field into a fixed buffer ("" for null or absent);
 * false when it is not a string or does not fit */
static bool
copy_str(const plan_table *pt, const json_t *j, const char *what, char *dst, size_t size,
		 char *errbuf, size_t errlen)
{
	dst[0] = '\0';
	if (!j || json_is_null(j))
		return true;
	if (!json_is_string(j) || json_string_length(j) >= size ||
		strlen(json_string_value(j)) != json_string_length(j)) {
		set_err(errbuf, errlen, "table \"%s\": %s is %s, expected a string under %zu bytes",
				tname(pt), what, jtype(j), size);
		return false;
	}
	memcpy(dst, json_string_value(j), json_string_length(j) + 1);
	return true;
}

/* get_u64: a non-negative integer field (or a string of digits) into *dst;
 * absent and null leave it alone */
static bool
get_u64(const plan_table *pt, const json_t *j, const char *what, uint64_t *dst, bool *found,
		char *errbuf, size_t errlen)
{
	bool		neg = false;
	uint64_t	mag = 0;

	if (!j || json_is_null(j))
		return true;
	if (json_is_boolean(j) || !int_of(j, &neg, &mag) || neg) {
		set_err(errbuf, errlen, "table \"%s\": %s is not a non-negative integer", tname(pt), what);
		return false;
	}
	*dst = mag;
	if (found)
		*found = true;
	return true;
}

/* is_column: whether name is one of pt's columns */
static bool
is_column(const plan_table *pt, const char *name)
{
	for (size_t i = 0; i < pt->ncols; i++)
		if (pt->cols[i].name && strcmp(pt->cols[i].name, name) == 0)
			return true;
	return false;
}

/* meta: a field the flattening transform added, unless a column has its name */
static const json_t *
meta(const plan_table *pt, const json_t *obj, const char *name)
{
	const json_t *j = json_object_get(obj, name);

	return j && !is_column(pt, name) ? j : NULL;
}

/* snapshot_of: Debezium's snapshot marker: a string other than "false"
 * (true, first, last, incremental, ...) or true */
static bool
snapshot_of(const json_t *j)
{
	if (json_is_string(j))
		return strcmp(json_string_value(j), "false") != 0;
	return json_is_true(j);
}

/* source_fields: the position and names of an envelope's source block, or
 * of a flattened record's added fields (prefix "__") */
static bool
source_fields(const plan_table *pt, const json_t *src, const char *prefix, bool flat,
			  dbz_event *ev, char *errbuf, size_t errlen)
{
	char		name[32];
	bool		has_file = false, has_pos = false;
	uint64_t	row = 0, sid = 0;
	const json_t *j;

#define SRC(f) (snprintf(name, sizeof(name), "%s%s", prefix, (f)), \
				flat ? meta(pt, src, name) : json_object_get(src, name))
	if (!copy_str(pt, SRC("file"), "source.file", ev->file, sizeof(ev->file), errbuf, errlen) ||
		!copy_str(pt, SRC("gtid"), "source.gtid", ev->gtid, sizeof(ev->gtid), errbuf, errlen) ||
		!copy_str(pt, SRC("db"), "source.db", ev->db, sizeof(ev->db), errbuf, errlen) ||
		!copy_str(pt, SRC("table"), "source.table", ev->table, sizeof(ev->table), errbuf, errlen) ||
		!get_u64(pt, SRC("pos"), "source.pos", &ev->pos, &has_pos, errbuf, errlen) ||
		!get_u64(pt, SRC("row"), "source.row", &row, NULL, errbuf, errlen) ||
		!get_u64(pt, SRC("server_id"), "source.server_id", &sid, NULL, errbuf, errlen))
		return false;
	/* the source's ts_ms: flattened, source.ts_ms is __source_ts_ms, and
	 * __ts_ms the envelope's (when the change was processed) */
	j = flat && SRC("source_ts_ms") ? SRC("source_ts_ms") : SRC("ts_ms");
	if (!get_u64(pt, j, "source.ts_ms", &ev->ts_ms, NULL, errbuf, errlen))
		return false;
	ev->snapshot = snapshot_of(SRC("snapshot"));
#undef SRC
	if (row > UINT32_MAX || sid > UINT32_MAX) {
		set_err(errbuf, errlen, "table \"%s\": source.row or source.server_id out of range", tname(pt));
		return false;
	}
	ev->row = (unsigned) row;
	ev->server_id = (uint32_t) sid;
	has_file = ev->file[0] != '\0';
	ev->has_pos = has_file && has_pos;
	return true;
}

/* load: the JSON of a message (NULL for a null one) */
static bool
load(const plan_table *pt, const char *text, size_t len, const char *what, json_t **out,
	 char *errbuf, size_t errlen)
{
	json_error_t jerr;

	*out = NULL;
	if (!text || len == 0)
		return true;
	*out = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!*out) {
		set_err(errbuf, errlen, "table \"%s\": the message %s is not JSON: %s (line %d, column %d)",
				tname(pt), what, jerr.text, jerr.line, jerr.column);
		return false;
	}
	if (json_is_null(*out)) {
		json_decref(*out);
		*out = NULL;
	}
	return true;
}

/* unwrap: JsonConverter's {"schema", "payload"} into its parts; anything
 * else is its own payload. A flattened record of a table whose only
 * columns are "schema" and "payload" is taken as such. */
static void
unwrap(const plan_table *pt, json_t *root, json_t **payload, const json_t **schema)
{
	*payload = root;
	*schema = NULL;
	if (json_is_object(root) && json_object_size(root) == 2 &&
		json_object_get(root, "payload") && json_object_get(root, "schema") &&
		!(pt->ncols == 2 && is_column(pt, "payload") && is_column(pt, "schema"))) {
		*payload = json_object_get(root, "payload");
		*schema = json_object_get(root, "schema");
		if (json_is_null(*payload))
			*payload = NULL;
	}
}

/* parse_envelope: an envelope's op, images and source */
static bool
parse_envelope(const plan_table *pt, const json_t *p, const json_t *schema, dbz_event *ev,
			   char *errbuf, size_t errlen)
{
	struct dbz_mem *m = ev->mem;
	const json_t *op = json_object_get(p, "op");
	const json_t *before = json_object_get(p, "before");
	const json_t *after = json_object_get(p, "after");
	const json_t *src = json_object_get(p, "source");
	const char *o = json_string_value(op);

	if (!o || strlen(o) != 1 || !strchr("cudrt", o[0])) {
		char		shown[DBZ_SNIPPET + 4];

		set_err(errbuf, errlen, "table \"%s\": unknown op \"%s\" (expected c, u, d, r or t)",
				tname(pt), o ? snippet(shown, o, strlen(o)) : jtype(op ? op : json_null()));
		return false;
	}
	ev->op = (dbz_op) o[0];
	if (json_is_object(src) && !source_fields(pt, src, "", false, ev, errbuf, errlen))
		return false;
	if (ev->op == DBZ_TRUNCATE)
		return true;
	if (ev->op == DBZ_DELETE ? !json_is_object(before) : !json_is_object(after)) {
		set_err(errbuf, errlen, "table \"%s\": op \"%c\" without its %s image (%s)",
				tname(pt), (char) ev->op, ev->op == DBZ_DELETE ? "before" : "after",
				jtype(ev->op == DBZ_DELETE ? (before ? before : json_null()) :
					  (after ? after : json_null())));
		return false;
	}
	if (json_is_object(before)) {
		ev->before = m->imgs;
		if (!row_decode(pt, before, struct_fields(schema, "before"), "before image", false, m,
						ev->before, errbuf, errlen))
			return false;
	}
	if (json_is_object(after)) {
		ev->after = m->imgs + m->cap;
		if (!row_decode(pt, after, struct_fields(schema, "after"), "after image", false, m,
						ev->after, errbuf, errlen))
			return false;
	}
	return true;
}

/* parse_flat: a flattened record's op, row and added fields */
static bool
parse_flat(const plan_table *pt, const json_t *p, const json_t *schema, dbz_event *ev,
		   char *errbuf, size_t errlen)
{
	struct dbz_mem *m = ev->mem;
	const json_t *op = meta(pt, p, "__op");
	const json_t *del = meta(pt, p, "__deleted");
	bool		deleted = json_is_true(del) ||
		(json_is_string(del) && strcmp(json_string_value(del), "true") == 0);
	const char *o = json_string_value(op);

	if (op && (!o || strlen(o) != 1 || !strchr("cudr", o[0]))) {
		set_err(errbuf, errlen, "table \"%s\": unknown __op in a flattened record (expected c, u, d or r)",
				tname(pt));
		return false;
	}
	if (del && !json_is_boolean(del) &&
		!(json_is_string(del) && (deleted || strcmp(json_string_value(del), "false") == 0))) {
		set_err(errbuf, errlen, "table \"%s\": __deleted is neither \"true\" nor \"false\"", tname(pt));
		return false;
	}
	if (o && o[0] == 'd')
		deleted = true;
	ev->op = deleted ? DBZ_DELETE : o ? (dbz_op) o[0] : DBZ_UPDATE;
	if (!source_fields(pt, p, "__", true, ev, errbuf, errlen))
		return false;
	if (deleted) {
		ev->before = m->imgs;
		return row_decode(pt, p, struct_fields(schema, NULL), "flattened record", false, m,
						  ev->before, errbuf, errlen);
	}
	ev->after = m->imgs + m->cap;
	return row_decode(pt, p, struct_fields(schema, NULL), "flattened record", false, m,
					  ev->after, errbuf, errlen);
}

/* is_envelope: whether a payload is Debezium's envelope rather than a
 * flattened record (whose row may have any field names) */
static bool
is_envelope(const plan_table *pt, const json_t *p)
{
	return meta(pt, p, "op") != NULL ||
		(meta(pt, p, "source") != NULL && (meta(pt, p, "before") || meta(pt, p, "after")));
}

/* event_reset: ev as for a new message */
static struct dbz_mem *
event_reset(const plan_table *pt, dbz_event *ev)
{
	struct dbz_mem *m = mem_of(ev);

	mem_reset(m);
	if (!m->imgs || m->cap < pt->ncols) {
		free(m->imgs);
		m->cap = pt->ncols ? pt->ncols : 1;
		m->imgs = xcalloc(2 * m->cap, sizeof(binlog_value));
	}
	ev->op = DBZ_TOMBSTONE;
	ev->before = ev->after = ev->key = NULL;
	ev->file[0] = ev->gtid[0] = ev->db[0] = ev->table[0] = '\0';
	ev->pos = ev->ts_ms = 0;
	ev->row = 0;
	ev->server_id = 0;
	ev->has_pos = ev->snapshot = false;
	return m;
}

/* dbz_parse: see debezium.h */
bool
dbz_parse(const plan_table *pt, const char *value, size_t len, dbz_event *ev,
		  char *errbuf, size_t errlen)
{
	struct dbz_mem *m = event_reset(pt, ev);
	json_t	   *payload;
	const json_t *schema;
	bool		ok;

	if (!load(pt, value, len, "value", &m->value, errbuf, errlen))
		return false;
	unwrap(pt, m->value, &payload, &schema);
	if (!payload)
		return true;			/* a tombstone */
	if (!json_is_object(payload)) {
		set_err(errbuf, errlen, "table \"%s\": the message value is %s, expected an object "
				"(an envelope or a flattened record)", tname(pt), jtype(payload));
		return false;
	}
	ok = is_envelope(pt, payload) ? parse_envelope(pt, payload, schema, ev, errbuf, errlen) :
		parse_flat(pt, payload, schema, ev, errbuf, errlen);
	if (!ok)
		ev->before = ev->after = NULL;
	return ok;
}

/* dbz_parse_key: see debezium.h */
bool
dbz_parse_key(const plan_table *pt, const char *key, size_t len, dbz_event *ev,
			  char *errbuf, size_t errlen)
{
	struct dbz_mem *m = mem_of(ev);
	json_t	   *payload;
	const json_t *schema;

	json_decref(m->key);
	m->key = NULL;
	ev->key = NULL;
	if (!load(pt, key, len, "key", &m->key, errbuf, errlen))
		return false;
	unwrap(pt, m->key, &payload, &schema);
	if (!payload)
		return true;
	ev->key = images(&m->keys, &m->keycap, pt->ncols);
	if (!row_decode(pt, payload, struct_fields(schema, NULL), "key", true, m, ev->key,
					errbuf, errlen)) {
		ev->key = NULL;
		return false;
	}
	return true;
}

/* dbz_event_free: see debezium.h */
void
dbz_event_free(dbz_event *ev)
{
	struct dbz_mem *m = ev->mem;

	if (m) {
		mem_reset(m);
		free(m->blocks);		/* the one block reset keeps */
		free(m->imgs);
		free(m->keys);
		free(m);
	}
	memset(ev, 0, sizeof(*ev));
}
