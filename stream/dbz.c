/*
 * What both halves of the Debezium codec share; see dbz.h.
 *
 * It works like this. A column is classified once per use from its MariaDB
 * COLUMN_TYPE: the base name (the leading word, lower-cased) picks the
 * family, the type's arguments and the plan's numbers (scale, fractional
 * precision, BIT width) fill in the rest, and the type map's kind decides
 * the two cases the type name cannot: an integer the allowlist made boolean
 * and a text column that holds JSON. The encoding half turns that
 * classification into a field schema and a JSON value, the decoding half
 * into the reverse; keeping it here is what makes a row written by one come
 * back byte for byte through the other.
 *
 * The text-protocol readers are strict: a value that is not exactly of its
 * type's shape fails, so that neither half passes on something a consumer
 * would misread. The calendar is proleptic Gregorian both ways (Howard
 * Hinnant's day-count algorithms), in integers only, so dates before 1970
 * and times with fractions convert exactly.
 */
#include "stream/dbz.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/typemap.h"
#include "common/xalloc.h"

#define DBZ_TOPIC_MAX 249		/* Kafka's longest topic name */

/* dbz_set_err: see dbz.h */
void
dbz_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	if (!errbuf || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* dbz_col_err: see dbz.h */
bool
dbz_col_err(char *errbuf, size_t errlen, const plan_table *pt, const plan_column *pc,
			const char *fmt, ...)
{
	char		msg[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dbz_set_err(errbuf, errlen, "table \"%s\", column \"%s\" (%s): %s",
				pt->source ? pt->source : "?", pc->name ? pc->name : "?",
				pc->column_type ? pc->column_type : "?", msg);
	return false;
}

/* dbz_snippet: see dbz.h */
const char *
dbz_snippet(char *dst, const char *val, size_t len)
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

/* ---------------------------------------------------------------------
 * Text-protocol values
 * --------------------------------------------------------------------- */

/* dbz_text_int: see dbz.h */
bool
dbz_text_int(const char *s, size_t len, bool *neg, uint64_t *mag)
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

/* dbz_text_i64: see dbz.h */
bool
dbz_text_i64(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out)
{
	bool		neg;
	uint64_t	mag;
	int64_t		v;

	if (!dbz_text_int(s, len, &neg, &mag))
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

/* dbz_text_digits: see dbz.h */
int
dbz_text_digits(const char *s, size_t len, size_t i, size_t n)
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

/* dbz_days_in_month: see dbz.h */
int
dbz_days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* dbz_text_datetime: see dbz.h */
bool
dbz_text_datetime(const char *s, size_t len, bool with_time, dbz_datetime *dt)
{
	size_t		i;

	memset(dt, 0, sizeof(*dt));
	dt->year = dbz_text_digits(s, len, 0, 4);
	dt->month = dbz_text_digits(s, len, 5, 2);
	dt->day = dbz_text_digits(s, len, 8, 2);
	if (dt->year < 0 || dt->month < 0 || dt->day < 0 || s[4] != '-' || s[7] != '-')
		return false;
	if (!with_time) {
		if (len != 10)
			return false;
	} else {
		dt->hour = dbz_text_digits(s, len, 11, 2);
		dt->minute = dbz_text_digits(s, len, 14, 2);
		dt->second = dbz_text_digits(s, len, 17, 2);
		if (dt->hour < 0 || dt->minute < 0 || dt->second < 0 || s[10] != ' ' ||
			s[13] != ':' || s[16] != ':' || dt->hour > 23 || dt->minute > 59 ||
			dt->second > 59)
			return false;
		i = 19;
		if (!parse_fraction(s, len, &i, &dt->usec))
			return false;
	}
	dt->invalid = dt->year == 0 || dt->month == 0 || dt->day == 0 || dt->month > 12 ||
		dt->day > dbz_days_in_month(dt->year, dt->month);
	return true;
}

/* dbz_days_from_civil: see dbz.h (Howard Hinnant's algorithm; exact for
 * every year here) */
int64_t
dbz_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	int64_t		yoe = y - era * 400;
	int64_t		doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t		doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* dbz_text_time: see dbz.h */
bool
dbz_text_time(const char *s, size_t len, int64_t *out)
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
	mi = dbz_text_digits(s, len, i + 1, 2);
	se = dbz_text_digits(s, len, i + 4, 2);
	if (mi < 0 || se < 0 || mi > 59 || se > 59 || i + 3 >= len || s[i + 3] != ':')
		return false;
	i += 6;
	if (!parse_fraction(s, len, &i, &usec))
		return false;
	int64_t		v = (h * 3600 + mi * 60 + se) * 1000000 + usec;

	*out = neg ? -v : v;
	return true;
}

/* dbz_text_decimal: see dbz.h */
bool
dbz_text_decimal(const char *s, size_t len, bool *neg, size_t *ib, size_t *ie,
				 size_t *fb, size_t *fe)
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

/* ---------------------------------------------------------------------
 * The calendar: days and microseconds since the epoch as text
 * --------------------------------------------------------------------- */

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

/* dbz_date_text: see dbz.h */
bool
dbz_date_text(int64_t days, char *dst)
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

/* dbz_frac_text: see dbz.h */
bool
dbz_frac_text(char *dst, size_t *n, int64_t usec, int fsp)
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

/* dbz_datetime_text: see dbz.h */
bool
dbz_datetime_text(int64_t us, int fsp, char *dst, size_t *n, const char **why)
{
	int64_t		secs = floor_div(us, DBZ_USEC);
	int64_t		days = floor_div(secs, 86400);
	int64_t		sod = secs - days * 86400;
	char		tmp[48];

	if (!dbz_date_text(days, dst)) {
		*why = "is outside the years 0000-9999";
		return false;
	}
	snprintf(tmp, sizeof(tmp), " %02d:%02d:%02d", (int) (sod / 3600),
			 (int) (sod / 60 % 60), (int) (sod % 60));
	memcpy(dst + 10, tmp, 9);
	*n = 19;
	if (!dbz_frac_text(dst, n, us - secs * DBZ_USEC, fsp)) {
		*why = "has more fraction digits than the column's precision";
		return false;
	}
	return true;
}

/* dbz_scaled_us: see dbz.h */
bool
dbz_scaled_us(int64_t v, int64_t unit_ns, int64_t limit, int64_t *us)
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

/* dbz_iso_us: see dbz.h */
bool
dbz_iso_us(const char *s, size_t len, bool bare, int64_t *out)
{
	int			y = dbz_text_digits(s, len, 0, 4), mo = dbz_text_digits(s, len, 5, 2), d = dbz_text_digits(s, len, 8, 2);
	int			h, mi, se = 0, oh = 0, om = 0;
	int64_t		usec = 0;
	size_t		i;

	if (y < 0 || mo < 1 || mo > 12 || d < 1 || s[4] != '-' || s[7] != '-' || len < 16 ||
		d > dbz_days_in_month(y, mo) || (s[10] != 'T' && s[10] != ' '))
		return false;
	h = dbz_text_digits(s, len, 11, 2);
	mi = dbz_text_digits(s, len, 14, 2);
	if (h < 0 || h > 23 || s[13] != ':' || mi < 0 || mi > 59)
		return false;
	i = 16;
	if (i < len && s[i] == ':') {
		se = dbz_text_digits(s, len, i + 1, 2);
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

		oh = dbz_text_digits(s, len, i + 1, 2);
		if (r == 5 && s[i + 3] == ':')
			om = dbz_text_digits(s, len, i + 4, 2);
		else if (r == 4)
			om = dbz_text_digits(s, len, i + 3, 2);
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
	*out = ((dbz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) -
			(oh * 3600 + om * 60)) * DBZ_USEC + usec;
	return true;
}

/* ---------------------------------------------------------------------
 * Classifying a column
 * --------------------------------------------------------------------- */

/* Type names whose representation follows from the name alone. */
static const struct {
	const char *name;
	dbz_type	type;
} plain_types[] = {
	{ "json", DBZ_T_JSON },
	{ "enum", DBZ_T_ENUM },
	{ "set", DBZ_T_SET },
	{ "tinyblob", DBZ_T_BYTES },
	{ "blob", DBZ_T_BYTES },
	{ "mediumblob", DBZ_T_BYTES },
	{ "longblob", DBZ_T_BYTES },
	{ "varbinary", DBZ_T_BYTES },
	{ "date", DBZ_T_DATE },
	{ "year", DBZ_T_YEAR },
	{ "uuid", DBZ_T_UUID },
	{ "inet4", DBZ_T_STRING },
	{ "inet6", DBZ_T_STRING },
	{ "point", DBZ_T_POINT },
	{ "geometry", DBZ_T_GEOMETRY },
	{ "linestring", DBZ_T_GEOMETRY },
	{ "polygon", DBZ_T_GEOMETRY },
	{ "multipoint", DBZ_T_GEOMETRY },
	{ "multilinestring", DBZ_T_GEOMETRY },
	{ "multipolygon", DBZ_T_GEOMETRY },
	{ "geometrycollection", DBZ_T_GEOMETRY },
};

/* base_is: whether the type name base is one of the NULL-terminated names */
static bool
base_is(const char *base, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(base, *names) == 0)
			return true;
	return false;
}

/* type_base: the leading word of a COLUMN_TYPE ("int(11) unsigned" ->
 * "int"), lower-cased, into base (size bytes) */
static void
type_base(const char *ct, char *base, size_t size)
{
	size_t		n = 0;

	while (n < size - 1 && ((ct[n] >= 'a' && ct[n] <= 'z') ||
							(ct[n] >= 'A' && ct[n] <= 'Z') ||
							(ct[n] >= '0' && ct[n] <= '9') || ct[n] == '_')) {
		base[n] = (char) (ct[n] >= 'A' && ct[n] <= 'Z' ? ct[n] - 'A' + 'a' : ct[n]);
		n++;
	}
	base[n] = '\0';
}

/* int_bytes: the width of an integer type, 0 for any other type */
static int
int_bytes(const char *base)
{
	static const char *const one[] = { "tinyint", "bool", "boolean", NULL };

	if (base_is(base, one))
		return 1;
	if (strcmp(base, "smallint") == 0)
		return 2;
	if (strcmp(base, "mediumint") == 0)
		return 3;
	if (strcmp(base, "int") == 0 || strcmp(base, "integer") == 0)
		return 4;
	if (strcmp(base, "bigint") == 0)
		return 8;
	return 0;
}

/* int_type: the representation of an integer of dc->int_bytes: the
 * smallest that holds every value, int16 at least */
static dbz_type
int_type(const dbz_col *dc)
{
	switch (dc->int_bytes) {
		case 1: return DBZ_T_INT16;
		case 2: return dc->is_unsigned ? DBZ_T_INT32 : DBZ_T_INT16;
		case 3: return DBZ_T_INT32;
		case 4: return dc->is_unsigned ? DBZ_T_INT64 : DBZ_T_INT32;
		default: return dc->is_unsigned ? DBZ_T_UINT64 : DBZ_T_INT64;
	}
}

/* classify_number: DECIMAL, FLOAT, DOUBLE and BIT, whose type arguments
 * are a and b (-1 when absent); false when base is none of them or with
 * errbuf filled for numbers out of range (*failed then set) */
static bool
classify_number(const plan_table *pt, const plan_column *pc, const char *base,
				long long a, long long b, dbz_col *dc, bool *failed,
				char *errbuf, size_t errlen)
{
	*failed = false;
	if (strcmp(base, "decimal") == 0 || strcmp(base, "numeric") == 0) {
		dc->type = DBZ_T_DECIMAL;
		dc->precision = a > 0 ? (int) a : 10;	/* MariaDB's DECIMAL default */
		dc->scale = pc->num_scale >= 0 ? (int) pc->num_scale : b >= 0 ? (int) b : 0;
		if (dc->scale > DBZ_DECIMAL_DIGITS || dc->precision > DBZ_DECIMAL_DIGITS)
			*failed = !dbz_col_err(errbuf, errlen, pt, pc, "precision or scale out of range");
	} else if (strcmp(base, "float") == 0 || strcmp(base, "double") == 0 ||
			   strcmp(base, "real") == 0) {
		/* FLOAT(M,D) is FLOAT64; (M,D) prints D decimals, as stream's
		 * binlog hook tells the decoder */
		dc->type = b >= 0 || base[0] != 'f' ? DBZ_T_FLOAT64 : DBZ_T_FLOAT32;
		if (b >= 0)
			dc->decimals = pc->num_scale >= 0 ? (int) pc->num_scale : (int) b;
	} else if (strcmp(base, "bit") == 0) {
		long long	nbits = pc->tm.bits ? (long long) pc->tm.bits : a > 0 ? a : 1;

		if (nbits < 1 || nbits > 64)
			*failed = !dbz_col_err(errbuf, errlen, pt, pc, "BIT width %lld out of range", nbits);
		else {
			dc->bits = (unsigned) nbits;
			dc->type = nbits == 1 ? DBZ_T_BOOL_BIT : DBZ_T_BITS;
		}
	} else
		return false;
	return true;
}

/* classify_temporal: DATETIME, TIMESTAMP and TIME with fraction digits from
 * the plan or the type argument a; false for any other type, or with
 * errbuf filled (*failed set) for a precision out of range */
static bool
classify_temporal(const plan_table *pt, const plan_column *pc, const char *base,
				  long long a, dbz_col *dc, bool *failed, char *errbuf, size_t errlen)
{
	long long	fsp = pc->dt_precision >= 0 ? pc->dt_precision : a >= 0 ? a : 0;

	*failed = false;
	if (strcmp(base, "datetime") != 0 && strcmp(base, "timestamp") != 0 &&
		strcmp(base, "time") != 0)
		return false;
	if (fsp > 6) {
		*failed = !dbz_col_err(errbuf, errlen, pt, pc,
							   "fractional precision %lld out of range", fsp);
		return true;
	}
	dc->fsp = (int) fsp;
	if (strcmp(base, "datetime") == 0)
		dc->type = fsp <= 3 ? DBZ_T_DATETIME_MS : DBZ_T_DATETIME_US;
	else if (strcmp(base, "timestamp") == 0)
		dc->type = DBZ_T_TIMESTAMP;
	else
		dc->type = DBZ_T_TIME;
	return true;
}

/* dbz_classify: see dbz.h */
bool
dbz_classify(const plan_table *pt, const plan_column *pc, dbz_col *dc, char *errbuf, size_t errlen)
{
	static const char *const text_types[] = {
		"char", "varchar", "tinytext", "text", "mediumtext", "longtext", NULL
	};
	const char *ct = pc->column_type ? pc->column_type : "";
	char		base[32];
	long long	a = -1, b = -1;
	bool		failed;

	type_base(ct, base, sizeof(base));
	typemap_type_args(ct, &a, &b);
	memset(dc, 0, sizeof(*dc));
	dc->is_unsigned = strstr(ct, "unsigned") != NULL;
	dc->decimals = -1;
	dc->binary_len = -1;
	dc->int_bytes = int_bytes(base);

	if (pc->tm.kind == TYPEMAP_BOOL_INT) {
		dc->type = DBZ_T_BOOL_INT;
		return true;
	}
	if (dc->int_bytes) {
		dc->type = int_type(dc);
		return true;
	}
	if (classify_number(pt, pc, base, a, b, dc, &failed, errbuf, errlen) ||
		classify_temporal(pt, pc, base, a, dc, &failed, errbuf, errlen))
		return !failed;
	if (base_is(base, text_types)) {
		dc->type = pc->tm.kind == TYPEMAP_JSON ? DBZ_T_JSON : DBZ_T_STRING;
		return true;
	}
	if (strcmp(base, "binary") == 0) {
		dc->type = DBZ_T_BYTES;
		dc->binary_len = a >= 0 ? a : 1;	/* BINARY is BINARY(1) */
		return true;
	}
	for (size_t k = 0; k < sizeof(plain_types) / sizeof(plain_types[0]); k++) {
		if (strcmp(base, plain_types[k].name) == 0) {
			dc->type = plain_types[k].type;
			return true;
		}
	}
	if (pc->tm.kind == TYPEMAP_PASSTHROUGH) {
		dc->type = DBZ_T_STRING;	/* a type only the allowlist made sense of: its text */
		return true;
	}
	return dbz_col_err(errbuf, errlen, pt, pc, "no Debezium representation for this type");
}

/* ---------------------------------------------------------------------
 * Topic names
 * --------------------------------------------------------------------- */

/* dbz_topic: see dbz.h */
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
