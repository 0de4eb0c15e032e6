/*
 * Debezium change events; see debezium.h for the format and the type table.
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
	int			fsp;			/* DATETIME/TIMESTAMP fraction digits */
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
	size_t		i = 0, ib, ie, fb = 0, fe = 0, ndigits = 0;
	bool		neg = false, zero = true;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	ib = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	ie = i;
	if (i < len && s[i] == '.') {
		fb = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		fe = i;
	}
	if (i != len || (ie == ib && fe == fb))
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

/* paren_args: "name(a)" or "name(a,b)" of a COLUMN_TYPE; *a, *b stay as
 * they were when absent */
static void
paren_args(const char *column_type, long long *a, long long *b)
{
	const char *p = column_type ? strchr(column_type, '(') : NULL;
	char	   *end;
	long long	v;

	if (!p || p[1] == '\'')
		return;
	v = strtoll(p + 1, &end, 10);
	if (end == p + 1 || (*end != ')' && *end != ','))
		return;
	*a = v;
	if (*end == ',') {
		const char *q = end + 1;

		v = strtoll(q, &end, 10);
		if (end != q && *end == ')')
			*b = v;
	}
}

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
	paren_args(ct, &a, &b);
	memset(dc, 0, sizeof(*dc));

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
	else if (strcmp(base, "float") == 0)
		dc->type = b >= 0 ? DBZ_T_FLOAT64 : DBZ_T_FLOAT32;	/* FLOAT(M,D) is FLOAT64 */
	else if (strcmp(base, "double") == 0 || strcmp(base, "real") == 0)
		dc->type = DBZ_T_FLOAT64;
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
	else if (base_is(base, bytes_types))
		dc->type = DBZ_T_BYTES;
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
