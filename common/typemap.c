/*
 * The type map's column side; see typemap.h for the contract. The value side,
 * encoding each value for COPY, is a part of its own.
 *
 * typemap_resolve looks at information_schema's DATA_TYPE (and COLUMN_TYPE
 * for "unsigned", display widths and lengths) and picks a kind and a
 * PostgreSQL type; an allowlist override then either turns an integer or
 * BIT(1) into boolean, keeps the value handling of the source kind under
 * another name where that is what makes the value land right (bytea, jsonb,
 * bit(n), geometry, date/timestamp), or makes the column
 * TYPEMAP_PASSTHROUGH: the value is sent as text and PostgreSQL parses it.
 * An override also rescues a MariaDB type this map does not know. The kind
 * is what the value side works from, so a column's type and the encoding of
 * its values are decided here together, once.
 *
 * typemap_default reads COLUMN_DEFAULT ('quoted', bare numbers, b'0101',
 * current_timestamp(3), ...) and writes a PostgreSQL DEFAULT expression that
 * gives the same value, or says it cannot. A default is checked with the
 * same shape rules as the values that are copied into the column.
 */
#include "common/typemap.h"
#include "common/typemap_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OVERRIDE_MAXLEN 100		/* an override type name is shorter than this */

/* ---------------------------------------------------------------------
 * Resolving a column
 * --------------------------------------------------------------------- */

static void set_type(typemap_column *out, typemap_kind kind, const char *fmt, ...)
			__attribute__((format(printf, 3, 4)));

/* set_type: sets kind and a formatted pg_type */
static void
set_type(typemap_column *out, typemap_kind kind, const char *fmt, ...)
{
	va_list		ap;

	out->kind = kind;
	va_start(ap, fmt);
	vsnprintf(out->pg_type, sizeof(out->pg_type), fmt, ap);
	va_end(ap);
}

/* typemap_type_args: see typemap.h */
void
typemap_type_args(const char *column_type, long long *a, long long *b)
{
	const char *p = column_type ? strchr(column_type, '(') : NULL;
	char	   *end;
	long long	v;

	if (!p)
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

/* is_one_of: whether s equals one of the NULL-terminated names */
static bool
is_one_of(const char *s, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(s, *names) == 0)
			return true;
	return false;
}

static const char *const geometry_types[] = {
	"geometry", "point", "linestring", "polygon", "multipoint",
	"multilinestring", "multipolygon", "geometrycollection", NULL
};

static const char *const text_types[] = {
	"tinytext", "text", "mediumtext", "longtext", "enum", "set", NULL
};

static const char *const blob_types[] = {
	"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", NULL
};

/* resolve_decimal: DECIMAL(p,s) -> numeric(p,s), the digits from
 * COLUMN_TYPE where information_schema left them NULL */
static void
resolve_decimal(const typemap_source *src, const char *ct, typemap_column *out)
{
	long long	p = src->num_precision, s = src->num_scale;

	if (p < 0 || s < 0) {
		long long	cp = 10, cs = 0;	/* MariaDB's DECIMAL default */

		typemap_type_args(ct, &cp, &cs);
		if (p < 0)
			p = cp;
		if (s < 0)
			s = cs;
	}
	set_type(out, TYPEMAP_DECIMAL, "numeric(%lld,%lld)", p, s);
}

/* resolve_bit: BIT(1) -> boolean, BIT(n) -> bit(n); false beyond 1-64 bits */
static bool
resolve_bit(const typemap_source *src, const char *ct, typemap_column *out)
{
	long long	n = src->num_precision, b = -1;

	if (n < 0) {
		n = 1;
		typemap_type_args(ct, &n, &b);
	}
	if (n < 1 || n > 64)
		return false;
	out->bits = (unsigned) n;
	if (n == 1)
		set_type(out, TYPEMAP_BOOL_BIT, "boolean");
	else
		set_type(out, TYPEMAP_BIT, "bit(%lld)", n);
	return true;
}

/* resolve_char: CHAR(n) and VARCHAR(n) (dt says which); false without a
 * length */
static bool
resolve_char(const char *dt, const typemap_source *src, const char *ct, typemap_column *out)
{
	long long	n = src->char_max_len, b = -1;

	if (n < 0)
		typemap_type_args(ct, &n, &b);
	if (n < 0)
		return false;
	/* CHAR(0) and VARCHAR(0) exist in MariaDB, not in PostgreSQL */
	if (n == 0)
		set_type(out, TYPEMAP_TEXT, "text");
	else if (dt[0] == 'c')
		set_type(out, TYPEMAP_TEXT, "character(%lld)", n);
	else
		set_type(out, TYPEMAP_TEXT, "character varying(%lld)", n);
	return true;
}

/*
 * resolve_natural: the mapping without an override. False, with nothing in
 * errbuf, for a type it does not know (the caller words the error, since an
 * override may still rescue the column).
 */
static bool
resolve_natural(const typemap_source *src, typemap_column *out)
{
	char		dt[64];
	const char *ct = src->column_type ? src->column_type : "";
	bool		is_unsigned = strcasestr(ct, "unsigned") != NULL;
	size_t		i;

	/* DATA_TYPE is lower case in 10.11; fold anyway, it costs nothing */
	for (i = 0; src->data_type[i] && i < sizeof(dt) - 1; i++)
		dt[i] = (char) tolower((unsigned char) src->data_type[i]);
	dt[i] = '\0';

	if (strcmp(dt, "tinyint") == 0 || strcmp(dt, "bool") == 0 ||
		strcmp(dt, "boolean") == 0)
		set_type(out, TYPEMAP_INT, "smallint");
	else if (strcmp(dt, "smallint") == 0)
		set_type(out, TYPEMAP_INT, is_unsigned ? "integer" : "smallint");
	else if (strcmp(dt, "mediumint") == 0)
		set_type(out, TYPEMAP_INT, "integer");
	else if (strcmp(dt, "int") == 0 || strcmp(dt, "integer") == 0)
		set_type(out, TYPEMAP_INT, is_unsigned ? "bigint" : "integer");
	else if (strcmp(dt, "bigint") == 0) {
		if (is_unsigned)
			set_type(out, TYPEMAP_INT, "numeric(20)");
		else
			set_type(out, TYPEMAP_INT, "bigint");
	}
	else if (strcmp(dt, "decimal") == 0 || strcmp(dt, "numeric") == 0)
		resolve_decimal(src, ct, out);
	else if (strcmp(dt, "float") == 0)
		set_type(out, TYPEMAP_FLOAT, "real");
	else if (strcmp(dt, "double") == 0 || strcmp(dt, "real") == 0)
		set_type(out, TYPEMAP_DOUBLE, "double precision");
	else if (strcmp(dt, "bit") == 0)
		return resolve_bit(src, ct, out);
	else if (strcmp(dt, "char") == 0 || strcmp(dt, "varchar") == 0)
		return resolve_char(dt, src, ct, out);
	else if (strcmp(dt, "longtext") == 0 && src->is_json)
		set_type(out, TYPEMAP_JSON, "jsonb");
	else if (strcmp(dt, "json") == 0)
		set_type(out, TYPEMAP_JSON, "jsonb");
	else if (is_one_of(dt, text_types))
		set_type(out, TYPEMAP_TEXT, "text");
	else if (is_one_of(dt, blob_types))
		set_type(out, TYPEMAP_BYTEA, "bytea");
	else if (strcmp(dt, "date") == 0)
		set_type(out, TYPEMAP_DATE, "date");
	else if (strcmp(dt, "datetime") == 0)
		set_type(out, TYPEMAP_DATETIME, "timestamp(%lld) without time zone",
				 src->dt_precision < 0 ? 0 : src->dt_precision);
	else if (strcmp(dt, "timestamp") == 0)
		set_type(out, TYPEMAP_TIMESTAMP, "timestamp(%lld) with time zone",
				 src->dt_precision < 0 ? 0 : src->dt_precision);
	else if (strcmp(dt, "time") == 0)
		set_type(out, TYPEMAP_TIME, "interval");
	else if (strcmp(dt, "year") == 0)
		set_type(out, TYPEMAP_YEAR, "smallint");
	else if (strcmp(dt, "inet4") == 0 || strcmp(dt, "inet6") == 0)
		set_type(out, TYPEMAP_INET, "inet");
	else if (strcmp(dt, "uuid") == 0)
		set_type(out, TYPEMAP_UUID, "uuid");
	else if (is_one_of(dt, geometry_types)) {
		out->select_wkb = true;
		out->postgis = src->postgis;
		set_type(out, TYPEMAP_GEOMETRY, src->postgis ? "geometry" : "bytea");
	}
	else
		return false;
	return true;
}

/*
 * normalize_override: lower-cases an override into dst (OVERRIDE_MAXLEN
 * bytes) and checks that it can only be a type name: letters, digits, '_',
 * spaces, and commas only inside balanced parentheses, so it cannot add a
 * column or a clause to the CREATE TABLE it is pasted into.
 */
static bool
normalize_override(const char *ov, char *dst)
{
	size_t		len = strlen(ov);
	int			depth = 0;

	if (len == 0 || len >= OVERRIDE_MAXLEN)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char		c = ov[i];

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		dst[i] = c;
		if (c == '\0')
			break;
		if (c == '(')
			depth++;
		else if (c == ')') {
			if (--depth < 0)
				return false;
		}
		else if (c == ',') {
			if (depth == 0)
				return false;
		}
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				   c == '_' || c == ' '))
			return false;
	}
	return depth == 0 && dst[0] >= 'a' && dst[0] <= 'z';
}

/* starts_with: whether s begins with prefix */
static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * apply_override: changes a resolved column (known = false when the source
 * type was not recognised) for the allowlist override ov.
 */
static bool
apply_override(const typemap_source *src, typemap_column *out, bool known,
			   char *errbuf, size_t errlen)
{
	char		ov[OVERRIDE_MAXLEN];
	const char *ct = src->column_type && src->column_type[0] ?
		src->column_type : src->data_type;

	if (!normalize_override(src->override, ov)) {
		typemap_set_err(errbuf, errlen,
				"column \"%s\": override \"%s\" is not a valid type name "
				"(letters, digits, '_', spaces, and commas inside parentheses; "
				"under %d characters)",
				src->name, src->override, OVERRIDE_MAXLEN);
		return false;
	}

	if (strcmp(ov, "boolean") == 0 || strcmp(ov, "bool") == 0) {
		if (known && out->kind == TYPEMAP_INT)
			out->kind = TYPEMAP_BOOL_INT;
		else if (!(known && out->kind == TYPEMAP_BOOL_BIT)) {
			typemap_set_err(errbuf, errlen,
					"column \"%s\": override \"%s\" does not apply to type %s "
					"(only integer types and bit(1) become boolean)",
					src->name, src->override, ct);
			return false;
		}
		snprintf(out->pg_type, sizeof(out->pg_type), "boolean");
		return true;
	}

	if (!known) {
		memset(out, 0, sizeof(*out));
		out->kind = TYPEMAP_PASSTHROUGH;
	}
	if (out->kind == TYPEMAP_BIT || out->kind == TYPEMAP_BOOL_BIT) {
		/* the value is raw bytes, not text PostgreSQL could parse */
		if (starts_with(ov, "bit") || starts_with(ov, "varbit"))
			out->kind = TYPEMAP_BIT;
		else if (strcmp(ov, "bytea") == 0)
			out->kind = TYPEMAP_BYTEA;
		else {
			typemap_set_err(errbuf, errlen,
					"column \"%s\": override \"%s\" does not apply to type %s "
					"(a BIT column becomes boolean, bit(n), bit varying or bytea)",
					src->name, src->override, ct);
			return false;
		}
	}
	else if (out->kind == TYPEMAP_GEOMETRY) {
		/* the value is WKB from ST_AsBinary, not text */
		if (strcmp(ov, "bytea") == 0)
			out->postgis = false;
		else if (starts_with(ov, "geometry") || starts_with(ov, "geography"))
			out->postgis = true;
		else {
			typemap_set_err(errbuf, errlen,
					"column \"%s\": override \"%s\" does not apply to type %s "
					"(a geometry column becomes geometry, geography or bytea)",
					src->name, src->override, ct);
			return false;
		}
	}
	else if (strcmp(ov, "bytea") == 0)
		out->kind = TYPEMAP_BYTEA;	/* keep every byte, as hex */
	else if (strcmp(ov, "jsonb") == 0)
		out->kind = TYPEMAP_JSON;	/* jsonb needs the \u0000 rule */
	else if ((out->kind == TYPEMAP_DATE || out->kind == TYPEMAP_DATETIME ||
			  out->kind == TYPEMAP_TIMESTAMP) &&
			 (starts_with(ov, "timestamp") || strcmp(ov, "date") == 0)) {
		/* keep the zero-date rule, and the UTC offset of a TIMESTAMP */
	}
	else {
		out->kind = TYPEMAP_PASSTHROUGH;
		out->bits = 0;
		out->postgis = false;
		out->select_wkb = false;
	}
	snprintf(out->pg_type, sizeof(out->pg_type), "%s", ov);
	return true;
}

/* typemap_resolve: see typemap.h */
bool
typemap_resolve(const typemap_source *src, typemap_column *out,
				char *errbuf, size_t errlen)
{
	bool		known;

	memset(out, 0, sizeof(*out));
	if (!src->data_type) {
		typemap_set_err(errbuf, errlen, "column \"%s\": no data type", src->name);
		return false;
	}
	known = resolve_natural(src, out);
	if (src->override)
		return apply_override(src, out, known, errbuf, errlen);
	if (!known) {
		typemap_set_err(errbuf, errlen, "column \"%s\": unsupported MariaDB type \"%s\" (%s)",
				src->name, src->data_type,
				src->column_type ? src->column_type : src->data_type);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Column defaults
 * --------------------------------------------------------------------- */

/*
 * unquote: decodes a quoted MariaDB literal, the whole of def, into val:
 * '' is one quote, and backslash escapes mean what they mean in MariaDB
 * (\n, \t, \0 ..., \% and \_ keep their backslash). False when def is not
 * one single quoted literal (e.g. an expression such as 'a' + 'b').
 */
static bool
unquote(const char *def, buf *val)
{
	size_t		len = strlen(def);

	if (len < 2 || def[0] != '\'' || def[len - 1] != '\'')
		return false;
	for (size_t i = 1; i < len - 1; i++) {
		char		c = def[i];

		if (c == '\'') {
			if (def[i + 1] != '\'' || i + 1 == len - 1)
				return false;
			buf_putc(val, '\'');
			i++;
		}
		else if (c == '\\') {
			if (i + 1 >= len - 1)
				return false;
			c = def[++i];
			switch (c) {
				case '0': buf_putc(val, '\0'); break;
				case 'b': buf_putc(val, '\b'); break;
				case 'n': buf_putc(val, '\n'); break;
				case 'r': buf_putc(val, '\r'); break;
				case 't': buf_putc(val, '\t'); break;
				case 'Z': buf_putc(val, '\032'); break;
				case '%':
				case '_':
					buf_putc(val, '\\');
					buf_putc(val, c);
					break;
				default: buf_putc(val, c); break;
			}
		}
		else
			buf_putc(val, c);
	}
	if (!val->data)
		buf_reserve(val, 0);	/* '' still gives a C string */
	return true;
}

/* put_literal: appends a standard-conforming PostgreSQL literal; false on NUL */
static bool
put_literal(buf *out, const char *s, size_t len, const char *suffix)
{
	if (memchr(s, '\0', len))
		return false;
	buf_putc(out, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'')
			buf_putc(out, '\'');
		buf_putc(out, s[i]);
	}
	buf_puts(out, suffix);
	buf_putc(out, '\'');
	return true;
}

/*
 * bit_literal: reads b'0101' (or a bare unsigned decimal) into the value's
 * significant bits as '0'/'1' text in bits, without leading zeros.
 */
static bool
bit_literal(const char *def, buf *bits)
{
	size_t		len = strlen(def);

	if (len >= 3 && (def[0] == 'b' || def[0] == 'B') && def[1] == '\'' &&
		def[len - 1] == '\'') {
		size_t		i = 2;

		while (i < len - 1 && def[i] == '0')
			i++;
		for (size_t k = i; k < len - 1; k++)
			if (def[k] != '0' && def[k] != '1')
				return false;
		buf_append(bits, def + i, len - 1 - i);
		return true;
	}
	if (len > 0 && typemap_shape_int(def, len) && def[0] != '-' && def[0] != '+') {
		char	   *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(def, &end, 10);
		if (errno != 0 || *end != '\0')
			return false;
		for (int k = 63; k >= 0; k--)
			if (bits->len > 0 || (v >> k) & 1)
				buf_putc(bits, ((v >> k) & 1) ? '1' : '0');
		return true;
	}
	return false;
}

/*
 * time_function: recognises current_timestamp, current_timestamp(), now(),
 * localtimestamp and the like with an optional precision (*prec = -1 when
 * absent), and curdate() / current_date as *is_date.
 */
static bool
time_function(const char *def, bool *is_date, int *prec)
{
	static const char *const ts_names[] = {
		"current_timestamp", "now", "localtimestamp", "localtime", NULL
	};
	static const char *const date_names[] = {"curdate", "current_date", NULL};
	const char *paren = strchr(def, '(');
	size_t		nlen = paren ? (size_t) (paren - def) : strlen(def);
	char		name[32];

	if (nlen == 0 || nlen >= sizeof(name))
		return false;
	for (size_t i = 0; i < nlen; i++)
		name[i] = (char) tolower((unsigned char) def[i]);
	name[nlen] = '\0';
	*prec = -1;
	if (is_one_of(name, date_names))
		*is_date = true;
	else if (is_one_of(name, ts_names))
		*is_date = false;
	else
		return false;
	if (!paren)
		return strcmp(name, "now") != 0 && strcmp(name, "curdate") != 0;
	if (strcmp(paren, "()") == 0)
		return true;
	if (*is_date || paren[1] < '0' || paren[1] > '6' || strcmp(paren + 2, ")") != 0)
		return false;
	*prec = paren[1] - '0';
	return true;
}

/* default_bit: a BIT(1) (as boolean) or BIT(n) column's default b'0101' or
 * bare number; false when it is neither or wider than the column */
static bool
default_bit(const typemap_column *col, const char *column_default, bool quoted, buf *out)
{
	buf			bits = BUF_INIT;
	bool		good = !quoted && bit_literal(column_default, &bits);
	unsigned	width = col->kind == TYPEMAP_BOOL_BIT ? 1 : col->bits;

	if (good && bits.len <= width) {
		if (col->kind == TYPEMAP_BOOL_BIT)
			buf_puts(out, bits.len ? "true" : "false");
		else {
			buf_puts(out, "B'");
			for (size_t k = bits.len; k < width; k++)
				buf_putc(out, '0');
			buf_append(out, bits.data, bits.len);
			buf_putc(out, '\'');
		}
	}
	else
		good = false;
	buf_free(&bits);
	return good;
}

/* default_temporal: a DATE, DATETIME or TIMESTAMP column's default: a
 * function of the current time, or a quoted date (v, vlen: unquoted) */
static bool
default_temporal(const typemap_column *col, const char *column_default, bool quoted,
				 const char *v, size_t vlen, buf *out)
{
	bool		zero;
	bool		is_date;
	int			prec;

	if (!quoted) {
		if (!time_function(column_default, &is_date, &prec))
			return false;
		if (is_date || col->kind == TYPEMAP_DATE)
			buf_puts(out, "CURRENT_DATE");
		else if (prec < 0)
			buf_puts(out, "CURRENT_TIMESTAMP");
		else
			buf_printf(out, "CURRENT_TIMESTAMP(%d)", prec);
		return true;
	}
	if (!typemap_shape_date(v, vlen, col->kind != TYPEMAP_DATE, &zero) &&
		!(col->kind != TYPEMAP_DATE && typemap_shape_date(v, vlen, false, &zero)))
		return false;
	if (zero)
		buf_puts(out, "'-infinity'");
	else
		put_literal(out, v, vlen, col->kind == TYPEMAP_TIMESTAMP ? "+00" : "");
	return true;
}

/* typemap_default: see typemap.h */
bool
typemap_default(const typemap_column *col, const char *column_default,
				buf *out, bool *unsupported)
{
	buf			val = BUF_INIT;
	bool		quoted;
	bool		ok = false;
	const char *v;
	size_t		vlen;
	size_t		start = out->len;

	*unsupported = false;
	if (!column_default || strcasecmp(column_default, "NULL") == 0)
		return false;

	quoted = column_default[0] == '\'';
	if (quoted && !unquote(column_default, &val))
		goto unsupported;
	v = quoted ? val.data : column_default;
	vlen = quoted ? val.len : strlen(column_default);

	switch (col->kind) {
		case TYPEMAP_INT:
		case TYPEMAP_YEAR:
			if (!typemap_shape_int(v, vlen))
				goto unsupported;
			buf_append(out, v, vlen);
			break;
		case TYPEMAP_DECIMAL:
			if (!typemap_shape_number(v, vlen, false))
				goto unsupported;
			buf_append(out, v, vlen);
			break;
		case TYPEMAP_FLOAT:
		case TYPEMAP_DOUBLE:
			if (!typemap_shape_number(v, vlen, true))
				goto unsupported;
			buf_append(out, v, vlen);
			break;
		case TYPEMAP_BOOL_INT:
			if (!typemap_shape_int(v, vlen))
				goto unsupported;
			buf_puts(out, typemap_int_is_zero(v, vlen) ? "false" : "true");
			break;
		case TYPEMAP_BOOL_BIT:
		case TYPEMAP_BIT:
			if (!default_bit(col, column_default, quoted, out))
				goto unsupported;
			break;
		case TYPEMAP_TEXT:
		case TYPEMAP_JSON:
		case TYPEMAP_INET:
		case TYPEMAP_UUID:
		case TYPEMAP_PASSTHROUGH:
			/* a bare number is a number the string column will parse */
			if (!quoted && !typemap_shape_number(v, vlen, true))
				goto unsupported;
			if (!put_literal(out, v, vlen, ""))
				goto unsupported;
			break;
		case TYPEMAP_DATE:
		case TYPEMAP_DATETIME:
		case TYPEMAP_TIMESTAMP:
			if (!default_temporal(col, column_default, quoted, v, vlen, out))
				goto unsupported;
			break;
		case TYPEMAP_TIME:
			if (!quoted || !typemap_shape_time(v, vlen))
				goto unsupported;
			put_literal(out, v, vlen, "");
			break;
		case TYPEMAP_BYTEA:
		case TYPEMAP_GEOMETRY:
			goto unsupported;
	}
	ok = true;
	goto done;

unsupported:
	*unsupported = true;
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
done:
	buf_free(&val);
	return ok;
}

const char *
typemap_fix_name(unsigned fix)
{
	switch (fix) {
		case TYPEMAP_FIX_ZERO_DATE:
			return "zero_date";
		case TYPEMAP_FIX_NUL:
			return "nul_char";
		case TYPEMAP_FIX_BAD_UTF8:
			return "invalid_utf8";
		default:
			return "unknown";
	}
}
