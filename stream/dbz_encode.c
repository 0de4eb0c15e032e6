/*
 * Debezium change events, the encoding half; see dbz_encode.h for the
 * format and the type table.
 *
 * It works like this. Each column is first classified (dbz_classify, shared
 * with the decoding half) into one Debezium representation, a dbz_col with
 * the few numbers it needs (DECIMAL precision and scale, BIT width, fraction
 * digits). The same classification then gives the column's field schema,
 * in Kafka JsonConverter's form, and turns each text-protocol value into its
 * JSON value. The envelope, the flattened record and the key are assembled
 * from those, and wrapped in {"schema", "payload"} when schemas are on.
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
#include "stream/dbz_encode.h"

#include <math.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

#define DBZ_NUMBER_MAX 64		/* longest FLOAT/DOUBLE text accepted */

/* The snapshot field's allowed values in Debezium 2.5's source schema. */
#define DBZ_SNAPSHOT_ALLOWED "true,last,false,incremental"

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

	if (!dbz_text_decimal(s, len, &neg, &ib, &ie, &fb, &fe))
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

		if (!dbz_classify(pt, pc, &dc, errbuf, errlen)) {
			json_decref(s);
			return NULL;
		}
		if (!field(fields, pc->name, column_schema(pc, &dc, !key && pc->nullable))) {
			json_decref(s);
			dbz_col_err(errbuf, errlen, pt, pc, "could not build the field schema");
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

/* What a value encoder made of its value. */
typedef enum enc_status {
	ENC_OK,						/* *out set (NULL when jansson failed) */
	ENC_INVALID,				/* the value is not of its type's shape */
	ENC_FAILED					/* errbuf filled */
} enc_status;

/* int_json: an integer type, an integer made boolean, or YEAR */
static enc_status
int_json(const dbz_col *dc, const char *s, size_t len, json_t **out)
{
	int64_t		i64;
	bool		neg;
	uint64_t	mag;

	switch (dc->type) {
		case DBZ_T_INT16:
			if (!dbz_text_i64(s, len, INT16_MIN, INT16_MAX, &i64))
				return ENC_INVALID;
			break;
		case DBZ_T_INT32:
		case DBZ_T_YEAR:
			if (!dbz_text_i64(s, len, INT32_MIN, INT32_MAX, &i64))
				return ENC_INVALID;
			break;
		case DBZ_T_UINT64:
			if (!dbz_text_int(s, len, &neg, &mag) || (neg && mag != 0))
				return ENC_INVALID;
			/* Debezium's "long" mode: the bits as a signed 64-bit value */
			*out = json_integer(mag > (uint64_t) INT64_MAX ?
								-(json_int_t) (UINT64_MAX - mag) - 1 : (json_int_t) mag);
			return ENC_OK;
		case DBZ_T_BOOL_INT:
			if (!dbz_text_int(s, len, &neg, &mag))
				return ENC_INVALID;
			*out = json_boolean(mag != 0);
			return ENC_OK;
		default:				/* DBZ_T_INT64 */
			if (!dbz_text_i64(s, len, INT64_MIN, INT64_MAX, &i64))
				return ENC_INVALID;
			break;
	}
	*out = json_integer(i64);
	return ENC_OK;
}

/* bits_json: BIT(1) as a boolean, BIT(n) as base64 of its bytes, least
 * significant first */
static enc_status
bits_json(const plan_table *pt, const plan_column *pc, const dbz_col *dc,
		  const char *s, size_t len, json_t **out, char *errbuf, size_t errlen)
{
	size_t		nbytes = (dc->bits + 7) / 8;
	unsigned char le[8] = { 0 };

	if (dc->type == DBZ_T_BOOL_BIT) {
		if (len != 1) {
			dbz_col_err(errbuf, errlen, pt, pc, "BIT(1) value has %zu bytes, expected 1", len);
			return ENC_FAILED;
		}
		*out = json_boolean(s[0] != 0);
		return ENC_OK;
	}
	if (len > nbytes) {
		dbz_col_err(errbuf, errlen, pt, pc, "BIT(%u) value has %zu bytes, expected %zu",
					dc->bits, len, nbytes);
		return ENC_FAILED;
	}
	for (size_t k = 0; k < len; k++)
		le[k] = (unsigned char) s[len - 1 - k];
	for (size_t k = dc->bits; k < nbytes * 8; k++) {
		if (le[k / 8] & (1u << (k % 8))) {
			dbz_col_err(errbuf, errlen, pt, pc, "BIT(%u) value has bits set above bit %u",
						dc->bits, dc->bits);
			return ENC_FAILED;
		}
	}
	*out = json_b64(le, nbytes);
	return ENC_OK;
}

/* float_json: FLOAT or DOUBLE: the double the text denotes */
static enc_status
float_json(const char *s, size_t len, json_t **out)
{
	char		num[DBZ_NUMBER_MAX + 1];
	char	   *end;
	double		d;

	if (len == 0 || len > DBZ_NUMBER_MAX)
		return ENC_INVALID;
	memcpy(num, s, len);
	num[len] = '\0';
	if (!((num[0] >= '0' && num[0] <= '9') || num[0] == '-' || num[0] == '.'))
		return ENC_INVALID;		/* no "inf", "nan", hex floats or spaces */
	d = strtod(num, &end);
	if (*end != '\0' || !isfinite(d) || strpbrk(num, "xXnN") != NULL)
		return ENC_INVALID;
	*out = json_real(d);
	return ENC_OK;
}

/* zoned_timestamp: Debezium's ZonedTimestamp of a TIMESTAMP value (UTC,
 * exactly fsp fraction digits) */
static json_t *
zoned_timestamp(const dbz_datetime *dt, int fsp)
{
	char		iso[48];
	int			n = snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d",
							 dt->year, dt->month, dt->day, dt->hour, dt->minute, dt->second);

	if (fsp > 0) {
		char		frac[8];

		snprintf(frac, sizeof(frac), "%06u", (unsigned) dt->usec);
		n += snprintf(iso + n, sizeof(iso) - (size_t) n, ".%.*s", fsp, frac);
	}
	snprintf(iso + n, sizeof(iso) - (size_t) n, "Z");
	return json_string(iso);
}

/* time_json: DATE, DATETIME, TIMESTAMP or TIME */
static enc_status
time_json(const plan_column *pc, const dbz_col *dc, const char *s, size_t len, json_t **out)
{
	dbz_datetime dt;
	int64_t		i64;

	if (dc->type == DBZ_T_TIME) {
		if (!dbz_text_time(s, len, &i64))
			return ENC_INVALID;
		*out = json_integer(i64);
		return ENC_OK;
	}
	if (!dbz_text_datetime(s, len, dc->type != DBZ_T_DATE, &dt))
		return ENC_INVALID;
	if (dt.invalid)
		*out = zero_date(pc, dc);
	else if (dc->type == DBZ_T_DATE)
		*out = json_integer(dbz_days_from_civil(dt.year, dt.month, dt.day));
	else if (dc->type == DBZ_T_TIMESTAMP)
		*out = zoned_timestamp(&dt, dc->fsp);
	else {
		int64_t		secs = dbz_days_from_civil(dt.year, dt.month, dt.day) * 86400 +
			dt.hour * 3600 + dt.minute * 60 + dt.second;

		/* usec >= 0, so integer division floors, as Java's toEpochMilli */
		*out = json_integer(dc->type == DBZ_T_DATETIME_MS ?
							secs * 1000 + dt.usec / 1000 : secs * 1000000 + dt.usec);
	}
	return ENC_OK;
}

/* column_value: the JSON value of one column of a row image */
static bool
column_value(const plan_table *pt, const plan_column *pc, const dbz_col *dc,
			 const binlog_value *v, json_t **out, char *errbuf, size_t errlen)
{
	const char *s = v->data;
	size_t		len = v->len;
	char		shown[DBZ_SNIPPET + 4];
	enc_status	st = ENC_OK;

	*out = NULL;
	if (!v->present)
		return dbz_col_err(errbuf, errlen, pt, pc,
						   "not in the row image (Debezium events need binlog_row_image=FULL)");
	if (s == NULL) {
		*out = json_null();
		return true;
	}
	switch (dc->type) {
		case DBZ_T_INT16:
		case DBZ_T_INT32:
		case DBZ_T_INT64:
		case DBZ_T_UINT64:
		case DBZ_T_BOOL_INT:
		case DBZ_T_YEAR:
			st = int_json(dc, s, len, out);
			break;
		case DBZ_T_BOOL_BIT:
		case DBZ_T_BITS:
			st = bits_json(pt, pc, dc, s, len, out, errbuf, errlen);
			break;
		case DBZ_T_DECIMAL: {
			unsigned char b[DBZ_DECIMAL_BYTES];
			size_t		blen;

			if (!decimal_bytes(s, len, dc->scale, b, &blen))
				return dbz_col_err(errbuf, errlen, pt, pc,
								   "value \"%s\" is not a decimal of scale %d within %d digits",
								   dbz_snippet(shown, s, len), dc->scale, DBZ_DECIMAL_DIGITS);
			*out = json_b64(b, blen);
			break;
		}
		case DBZ_T_FLOAT32:
		case DBZ_T_FLOAT64:
			st = float_json(s, len, out);
			break;
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
		case DBZ_T_DATETIME_MS:
		case DBZ_T_DATETIME_US:
		case DBZ_T_TIMESTAMP:
		case DBZ_T_TIME:
			st = time_json(pc, dc, s, len, out);
			break;
		case DBZ_T_POINT:
			*out = point_value((const unsigned char *) s, len);
			if (!*out)
				return dbz_col_err(errbuf, errlen, pt, pc,
								   "value of %zu bytes is not the WKB of a 2D point", len);
			break;
		case DBZ_T_GEOMETRY:
			*out = json_object();
			json_object_set_new(*out, "wkb", json_b64(s, len));
			json_object_set_new(*out, "srid", json_null());
			break;
	}
	if (st == ENC_FAILED)
		return false;
	if (st == ENC_INVALID)
		return dbz_col_err(errbuf, errlen, pt, pc, "invalid value \"%s\"",
						   dbz_snippet(shown, s, len));
	if (!*out)
		return dbz_col_err(errbuf, errlen, pt, pc, "could not build the JSON value");
	return true;
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
			dbz_set_err(errbuf, errlen, "table \"%s\": key column %zu out of range", pt->source, c);
			json_decref(obj);
			return NULL;
		}
		pc = &pt->cols[c];
		if (!dbz_classify(pt, pc, &dc, errbuf, errlen) ||
			!column_value(pt, pc, &dc, &img[c], &v, errbuf, errlen)) {
			json_decref(obj);
			return NULL;
		}
		if (!put(obj, pc->name, v)) {
			json_decref(obj);
			dbz_col_err(errbuf, errlen, pt, pc, "the column name is not valid UTF-8");
			return NULL;
		}
	}
	return obj;
}

/* ---------------------------------------------------------------------
 * Keys and values
 * --------------------------------------------------------------------- */

/* dbz_key: see dbz_encode.h */
json_t *
dbz_key(const plan_table *pt, const binlog_value *img, const dbz_source *src,
		const dbz_options *o, char *errbuf, size_t errlen)
{
	json_t	   *payload, *schema;
	char	   *topic, *name;

	if (pt->nkey == 0) {
		dbz_set_err(errbuf, errlen, "table \"%s\" has no key: send a null key", pt->source);
		return NULL;
	}
	if (!img) {
		dbz_set_err(errbuf, errlen, "table \"%s\": no row image for the key", pt->source);
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

/* dbz_value: see dbz_encode.h */
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
		dbz_set_err(errbuf, errlen, "table \"%s\": unknown operation %d", pt->source, (int) op);
		return NULL;
	}
	if ((need_before && !before) || (need_after && !after)) {
		dbz_set_err(errbuf, errlen, "table \"%s\": operation \"%s\" needs the %s image",
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
 * Schema change events
 * --------------------------------------------------------------------- */

/* java.sql.Types codes Debezium's MySQL DDL parser uses */
enum {
	JDBC_BIT = -7, JDBC_TINYINT = -6, JDBC_BIGINT = -5, JDBC_VARBINARY = -3, JDBC_BINARY = -2,
	JDBC_CHAR = 1, JDBC_DECIMAL = 3, JDBC_INTEGER = 4, JDBC_SMALLINT = 5, JDBC_FLOAT = 6,
	JDBC_REAL = 7, JDBC_DOUBLE = 8, JDBC_VARCHAR = 12, JDBC_BOOLEAN = 16, JDBC_DATE = 91,
	JDBC_TIME = 92, JDBC_TIMESTAMP = 93, JDBC_OTHER = 1111, JDBC_BLOB = 2004,
	JDBC_TIMESTAMP_WITH_TIMEZONE = 2014
};

/* One MariaDB type name and how Debezium's DDL parser describes it. */
typedef struct ddl_type {
	const char *name;			/* COLUMN_TYPE's leading word */
	int			jdbc;
	bool		text;			/* has a character set */
} ddl_type;

static const ddl_type ddl_types[] = {
	{ "tinyint", JDBC_TINYINT, false }, { "smallint", JDBC_SMALLINT, false },
	{ "mediumint", JDBC_INTEGER, false }, { "int", JDBC_INTEGER, false },
	{ "integer", JDBC_INTEGER, false }, { "bigint", JDBC_BIGINT, false },
	{ "decimal", JDBC_DECIMAL, false }, { "numeric", JDBC_DECIMAL, false },
	{ "float", JDBC_FLOAT, false }, { "double", JDBC_DOUBLE, false }, { "real", JDBC_REAL, false },
	{ "bit", JDBC_BIT, false }, { "bool", JDBC_BOOLEAN, false }, { "boolean", JDBC_BOOLEAN, false },
	{ "char", JDBC_CHAR, true }, { "varchar", JDBC_VARCHAR, true },
	{ "tinytext", JDBC_VARCHAR, true }, { "text", JDBC_VARCHAR, true },
	{ "mediumtext", JDBC_VARCHAR, true }, { "longtext", JDBC_VARCHAR, true },
	{ "binary", JDBC_BINARY, false }, { "varbinary", JDBC_VARBINARY, false },
	{ "tinyblob", JDBC_BLOB, false }, { "blob", JDBC_BLOB, false },
	{ "mediumblob", JDBC_BLOB, false }, { "longblob", JDBC_BLOB, false },
	{ "date", JDBC_DATE, false }, { "time", JDBC_TIME, false },
	{ "datetime", JDBC_TIMESTAMP, false }, { "timestamp", JDBC_TIMESTAMP_WITH_TIMEZONE, false },
	{ "year", JDBC_INTEGER, false },
	{ "enum", JDBC_CHAR, true }, { "set", JDBC_CHAR, true },
	{ "json", JDBC_OTHER, true },
	{ NULL, JDBC_OTHER, false }	/* uuid, inet4, inet6, geometry types, vector */
};

/* A collation id range and its character set: MariaDB's numbering (the
 * UCA 14.0 collations of 10.10 and later are numbered 2048 + 256 per
 * character set from utf8mb3 on). */
static const struct {
	unsigned	lo, hi;
	const char *charset;
} charsets[] = {
	{ 5, 5, "latin1" }, { 8, 8, "latin1" }, { 15, 15, "latin1" }, { 31, 31, "latin1" },
	{ 47, 49, "latin1" }, { 94, 94, "latin1" }, { 1029, 1029, "latin1" }, { 1032, 1032, "latin1" },
	{ 1071, 1071, "latin1" }, { 1077, 1077, "latin1" },
	{ 11, 11, "ascii" }, { 65, 65, "ascii" }, { 1035, 1035, "ascii" }, { 1089, 1089, "ascii" },
	{ 33, 33, "utf8mb3" }, { 83, 83, "utf8mb3" }, { 192, 215, "utf8mb3" }, { 223, 223, "utf8mb3" },
	{ 576, 578, "utf8mb3" }, { 1057, 1057, "utf8mb3" }, { 1107, 1107, "utf8mb3" },
	{ 1216, 1247, "utf8mb3" }, { 2048, 2303, "utf8mb3" },
	{ 45, 46, "utf8mb4" }, { 224, 247, "utf8mb4" }, { 608, 610, "utf8mb4" },
	{ 1069, 1070, "utf8mb4" }, { 1248, 1279, "utf8mb4" }, { 2304, 2559, "utf8mb4" },
	{ 35, 35, "ucs2" }, { 90, 90, "ucs2" }, { 128, 151, "ucs2" }, { 2560, 2815, "ucs2" },
	{ 54, 55, "utf16" }, { 101, 124, "utf16" }, { 2816, 3071, "utf16" },
	{ 56, 56, "utf16le" }, { 62, 62, "utf16le" },
	{ 60, 61, "utf32" }, { 160, 183, "utf32" }, { 3072, 3327, "utf32" },
	{ 63, 63, "binary" },
};

/* charset_of: the character set of a collation id, or NULL */
static const char *
charset_of(unsigned id)
{
	for (size_t i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++)
		if (id >= charsets[i].lo && id <= charsets[i].hi)
			return charsets[i].charset;
	return NULL;
}

/* opt_string: a JSON string of s, or null */
static json_t *
opt_string(const char *s)
{
	return s ? json_text(s, strlen(s)) : json_null();
}

/* enum_values: the labels of "enum('a','b''c')" each quoted as in the DDL:
 * ["'a'", "'b''c'"]; *n set to their number */
static json_t *
enum_values(const char *column_type, size_t *n)
{
	const char *p = strchr(column_type, '(');
	json_t	   *a = json_array();

	*n = 0;
	if (!p)
		return a;
	for (p++; *p == '\'';) {
		const char *b = p++;

		while (*p && !(*p == '\'' && p[1] != '\'')) {
			if ((*p == '\'' && p[1] == '\'') || (*p == '\\' && p[1]))
				p++;
			p++;
		}
		if (*p == '\'')
			p++;
		json_array_append_new(a, json_text(b, (size_t) (p - b)));
		(*n)++;
		if (*p == ',')
			p++;
	}
	return a;
}

/* default_expression: COLUMN_DEFAULT (MariaDB 10.2+ form) as Debezium
 * renders a DEFAULT: a string literal unquoted, a number or b'..' bits as
 * written, CURRENT_TIMESTAMP as the epoch; NULL for none, NULL and other
 * expressions */
static json_t *
default_expression(const char *d)
{
	size_t		len = d ? strlen(d) : 0;
	buf			b = BUF_INIT;
	json_t	   *j;

	if (!d || strcmp(d, "NULL") == 0)
		return json_null();
	if (len >= 2 && d[0] == '\'' && d[len - 1] == '\'') {
		for (size_t i = 1; i + 1 < len; i++) {
			if ((d[i] == '\'' && d[i + 1] == '\'') || (d[i] == '\\' && i + 2 < len))
				i++;
			buf_putc(&b, d[i]);
		}
		j = json_text(b.data ? b.data : "", b.len);
		buf_free(&b);
		return j;
	}
	if (strncasecmp(d, "current_timestamp", 17) == 0)
		return json_string("1970-01-01 00:00:00");
	if (len >= 3 && (d[0] == 'b' || d[0] == 'B') && d[1] == '\'' && d[len - 1] == '\'')
		return json_text(d + 2, len - 3);
	if (strspn(d, "+-0123456789.eE") == len)
		return json_text(d, len);
	return json_null();
}

/* described_rows: the rows of kind ("columns", "indexes") in a table's
 * recorded information_schema description, or NULL */
static json_t *
described_rows(json_t *desc, const char *kind)
{
	json_t	   *a = desc ? json_object_get(desc, kind) : NULL;

	return json_is_array(a) ? a : NULL;
}

/* described_field: field f of row i of rows as a string, or NULL */
static const char *
described_field(json_t *rows, size_t i, size_t f)
{
	return rows ? json_string_value(json_array_get(json_array_get(rows, i), f)) : NULL;
}

/* change_column: one column of the table change */
static json_t *
change_column(const plan_table *pt, size_t i, json_t *cols_desc)
{
	const plan_column *pc = &pt->cols[i];
	const char *ct = pc->column_type ? pc->column_type : "";
	const ddl_type *ty = ddl_types;
	char		word[32];
	size_t		wl = 0, nlabels = 0;
	json_t	   *c = json_object(), *labels = NULL;
	long long	length = -1, scale = -1;
	dbz_col		dc;
	buf			name = BUF_INIT;

	while (wl + 1 < sizeof(word) && ((ct[wl] >= 'a' && ct[wl] <= 'z') || (ct[wl] >= 'A' && ct[wl] <= 'Z') ||
									 (ct[wl] >= '0' && ct[wl] <= '9' && wl > 0))) {
		word[wl] = (char) (ct[wl] >= 'A' && ct[wl] <= 'Z' ? ct[wl] - 'A' + 'a' : ct[wl]);
		wl++;
	}
	word[wl] = '\0';
	/* MariaDB's JSON is LONGTEXT with a JSON_VALID check; Debezium reads "JSON" */
	bool		json = dbz_classify(pt, pc, &dc, NULL, 0) && dc.type == DBZ_T_JSON;

	if (json)
		snprintf(word, sizeof(word), "json");
	while (ty->name && strcmp(ty->name, word) != 0)
		ty++;
	for (size_t k = 0; word[k]; k++)
		buf_putc(&name, (char) (word[k] >= 'a' && word[k] <= 'z' ? word[k] - 'a' + 'A' : word[k]));
	if (strstr(ct, " zerofill"))
		buf_puts(&name, " UNSIGNED ZEROFILL");
	else if (strstr(ct, " unsigned"))
		buf_puts(&name, " UNSIGNED");

	if (strcmp(word, "enum") == 0 || strcmp(word, "set") == 0) {
		labels = enum_values(ct, &nlabels);
		length = word[0] == 'e' ? 1 : (nlabels > 0 ? (long long) nlabels * 2 - 1 : 0);
	} else if (!json && ct[wl] == '(') {
		char	   *end;

		length = strtoll(ct + wl + 1, &end, 10);
		if (*end == ',')
			scale = strtoll(end + 1, NULL, 10);
	}

	json_object_set_new(c, "name", json_text(pc->name, strlen(pc->name)));
	json_object_set_new(c, "jdbcType", json_integer(ty->jdbc));
	json_object_set_new(c, "nativeType", json_null());
	json_object_set_new(c, "typeName", json_text(name.data ? name.data : "", name.len));
	json_object_set_new(c, "typeExpression", json_text(name.data ? name.data : "", name.len));
	json_object_set_new(c, "charsetName", opt_string(ty->text ? charset_of(pc->collation_id) : NULL));
	json_object_set_new(c, "length", length >= 0 ? json_integer(length) : json_null());
	json_object_set_new(c, "scale", scale >= 0 ? json_integer(scale) : json_null());
	json_object_set_new(c, "position", json_integer((json_int_t) i + 1));
	json_object_set_new(c, "optional", json_boolean(pc->nullable));
	json_object_set_new(c, "autoIncremented", json_boolean(pc->auto_increment));
	json_object_set_new(c, "generated", json_boolean(pc->auto_increment || pc->generated));
	json_object_set_new(c, "comment", json_null());
	json_object_set_new(c, "defaultValueExpression", pc->auto_increment || pc->generated ? json_null() :
						default_expression(described_field(cols_desc, i, 8)));
	json_object_set_new(c, "enumValues", labels ? labels : json_null());
	buf_free(&name);
	return c;
}

/* primary_key: the PRIMARY KEY's columns in order, from the recorded
 * description when there is one (the plan's key may be a UNIQUE key,
 * which Debezium does not list), else the plan's key */
static json_t *
primary_key(const plan_table *pt, json_t *desc)
{
	json_t	   *ix = described_rows(desc, "indexes"), *a = json_array();

	if (!ix) {
		for (size_t k = 0; k < pt->nkey; k++)
			json_array_append_new(a, json_text(pt->cols[pt->key[k]].name, strlen(pt->cols[pt->key[k]].name)));
		return a;
	}
	for (size_t r = 0; r < json_array_size(ix); r++) {
		const char *index = described_field(ix, r, 0), *col = described_field(ix, r, 2);

		if (index && col && strcmp(index, "PRIMARY") == 0)
			json_array_append_new(a, json_text(col, strlen(col)));
	}
	return a;
}

/* change_table: the table's description after the change */
static json_t *
change_table(const plan_table *pt)
{
	json_t	   *desc = pt->described ? json_loads(pt->described, 0, NULL) : NULL;
	json_t	   *t = json_object(), *cols = json_array();
	json_t	   *cols_desc = described_rows(desc, "columns");

	/* the description's rows are the columns, in order, when it has them all */
	if (cols_desc && json_array_size(cols_desc) != pt->ncols)
		cols_desc = NULL;
	json_object_set_new(t, "defaultCharsetName", json_null());
	json_object_set_new(t, "primaryKeyColumnNames", primary_key(pt, desc));
	for (size_t i = 0; i < pt->ncols; i++)
		json_array_append_new(cols, change_column(pt, i, cols_desc));
	json_object_set_new(t, "columns", cols);
	json_object_set_new(t, "comment", json_null());
	json_decref(desc);
	return t;
}

/* array_schema: {"type": "array", "items": items, "optional"} */
static json_t *
array_schema(json_t *items, bool optional)
{
	json_t	   *s = json_object();

	json_object_set_new(s, "type", json_string("array"));
	json_object_set_new(s, "items", items);
	json_object_set_new(s, "optional", json_boolean(optional));
	return s;
}

/* change_schema: io.debezium.connector.schema.Change, with its Table and
 * Column structs */
static json_t *
change_schema(void)
{
	json_t	   *cf, *tf, *hf;
	json_t	   *col = struct_schema(&cf), *tab = struct_schema(&tf), *chg = struct_schema(&hf);

	field(cf, "name", schema_of("string", false, NULL, 0));
	field(cf, "jdbcType", schema_of("int32", false, NULL, 0));
	field(cf, "nativeType", schema_of("int32", true, NULL, 0));
	field(cf, "typeName", schema_of("string", false, NULL, 0));
	field(cf, "typeExpression", schema_of("string", true, NULL, 0));
	field(cf, "charsetName", schema_of("string", true, NULL, 0));
	field(cf, "length", schema_of("int32", true, NULL, 0));
	field(cf, "scale", schema_of("int32", true, NULL, 0));
	field(cf, "position", schema_of("int32", false, NULL, 0));
	field(cf, "optional", schema_of("boolean", true, NULL, 0));
	field(cf, "autoIncremented", schema_of("boolean", true, NULL, 0));
	field(cf, "generated", schema_of("boolean", true, NULL, 0));
	field(cf, "comment", schema_of("string", true, NULL, 0));
	field(cf, "defaultValueExpression", schema_of("string", true, NULL, 0));
	field(cf, "enumValues", array_schema(schema_of("string", false, NULL, 0), true));
	struct_end(col, false, "io.debezium.connector.schema.Column", 1, NULL);

	field(tf, "defaultCharsetName", schema_of("string", true, NULL, 0));
	field(tf, "primaryKeyColumnNames", array_schema(schema_of("string", false, NULL, 0), true));
	field(tf, "columns", array_schema(col, false));
	field(tf, "comment", schema_of("string", true, NULL, 0));
	struct_end(tab, true, "io.debezium.connector.schema.Table", 1, NULL);

	field(hf, "type", schema_of("string", false, NULL, 0));
	field(hf, "id", schema_of("string", false, NULL, 0));
	field(hf, "table", tab);
	return struct_end(chg, false, "io.debezium.connector.schema.Change", 1, NULL);
}

/* dbz_schema_change_key: see dbz_encode.h */
json_t *
dbz_schema_change_key(const char *db, const dbz_options *o)
{
	json_t	   *payload = json_object(), *fields, *schema;

	json_object_set_new(payload, "databaseName", opt_string(db ? db : ""));
	if (!o->schemas)
		return payload;
	schema = struct_schema(&fields);
	field(fields, "databaseName", schema_of("string", false, NULL, 0));
	struct_end(schema, false, "io.debezium.connector.mysql.SchemaChangeKey", 1, NULL);
	return wrap(schema, payload);
}

/* dbz_schema_change: see dbz_encode.h */
json_t *
dbz_schema_change(const plan_table *pt, dbz_ddl_kind kind, const char *ddl, const dbz_source *src,
				  const dbz_options *o, uint64_t now_ms, char *errbuf, size_t errlen)
{
	static const char *const kinds[] = { "CREATE", "ALTER", "DROP" };
	const char *db = src->db ? src->db : "";
	json_t	   *payload = json_object(), *change = json_object(), *changes = json_array();
	json_t	   *fields, *schema;
	buf			id = BUF_INIT;

	/* TableId.toDoubleQuotedString: each part in double quotes, as is */
	buf_printf(&id, "\"%s\".\"%s\"", db, pt->source);
	json_object_set_new(change, "type", json_string(kinds[kind]));
	json_object_set_new(change, "id", json_text(id.data, id.len));
	json_object_set_new(change, "table", kind == DBZ_DDL_DROP ? json_null() : change_table(pt));
	buf_free(&id);
	json_array_append_new(changes, change);

	json_object_set_new(payload, "source", source_block(src, o));
	json_object_set_new(payload, "ts_ms", json_integer((json_int_t) now_ms));
	json_object_set_new(payload, "databaseName", json_text(db, strlen(db)));
	json_object_set_new(payload, "schemaName", json_null());
	json_object_set_new(payload, "ddl", ddl ? json_text(ddl, strlen(ddl)) : json_null());
	json_object_set_new(payload, "tableChanges", changes);
	if (json_object_size(payload) != 6 || !json_is_string(json_object_get(change, "id"))) {
		dbz_set_err(errbuf, errlen, "table \"%s\": could not build the schema change event", pt->source);
		json_decref(payload);
		return NULL;
	}
	if (!o->schemas)
		return payload;
	schema = struct_schema(&fields);
	field(fields, "source", source_schema());
	field(fields, "ts_ms", schema_of("int64", false, NULL, 0));
	field(fields, "databaseName", schema_of("string", true, NULL, 0));
	field(fields, "schemaName", schema_of("string", true, NULL, 0));
	field(fields, "ddl", schema_of("string", true, NULL, 0));
	field(fields, "tableChanges", array_schema(change_schema(), false));
	struct_end(schema, false, "io.debezium.connector.mysql.SchemaChangeValue", 1, NULL);
	return wrap(schema, payload);
}
