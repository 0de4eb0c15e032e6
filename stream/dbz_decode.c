/*
 * Debezium change events, the decoding half: the envelope, the flattened
 * record, the source block and the rows; see dbz_decode.h. Each field's
 * value is read by dbz_decode_value (dbz_decode_value.h).
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
 *
 * The event's images are two arrays of pt->ncols values (before, after)
 * allocated once and grown only for a wider table, and a third for the
 * key; so is the arena's newest block, so a consumer in its steady state
 * allocates only what jansson does.
 */
#include "stream/dbz_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "common/xalloc.h"
#include "stream/dbz_decode_value.h"

/* What a dbz_event owns. */
struct dbz_mem {
	json_t	   *value;			/* the parsed value: string values point into it */
	json_t	   *key;			/* the parsed key */
	dbz_arena	arena;			/* decoded values that are not JSON strings */
	binlog_value *imgs;			/* before, after: 2 * cap values */
	size_t		cap;			/* columns imgs has room for */
	binlog_value *keys;			/* the key's image */
	size_t		keycap;
	dbz_added  *added;			/* fields that name no column (with a schema) */
	size_t		nadded, addcap;
};

/* mem_reset: forgets the arena's contents (keeping a block for the next
 * event) and drops the parsed JSON */
static void
mem_reset(struct dbz_mem *m)
{
	dbz_arena_reset(&m->arena);
	m->nadded = 0;
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

/* tname: the table's name for messages */
static const char *
tname(const plan_table *pt)
{
	return pt->source ? pt->source : "?";
}

/* ---------------------------------------------------------------------
 * Schemas and rows
 * --------------------------------------------------------------------- */

/* hint_of: the field schema of column col (index i) in a struct's fields */
static void
hint_of(const json_t *fields, size_t i, const char *col, dbz_hint *h)
{
	const json_t *f = json_array_get(fields, i);
	const json_t *params;

	h->type = h->name = NULL;
	h->scale = -1;
	h->modes = NULL;
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

/* src_len: a digits-only parameter of a source column type, or NULL */
static const char *
src_param(const json_t *params, const char *name)
{
	const char *v = json_string_value(json_object_get(params, name));

	if (!v || !*v || strlen(v) > 5 || strspn(v, "0123456789") != strlen(v))
		return NULL;
	return v;
}

/* src_type: the MariaDB type column.propagate.source.type recorded
 * (__debezium.source.column.type, .length, .scale) into out, for the types
 * whose text that gives exactly; false for the others */
static bool
src_type(const json_t *params, char *out, size_t outlen)
{
	static const char *const plain[] = {
		"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "TINYINT UNSIGNED",
		"SMALLINT UNSIGNED", "MEDIUMINT UNSIGNED", "INT UNSIGNED", "INTEGER UNSIGNED", "BIGINT UNSIGNED",
		"FLOAT", "DOUBLE", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT", "TINYBLOB", "BLOB",
		"MEDIUMBLOB", "LONGBLOB", "DATE", "YEAR", "JSON", NULL
	};
	static const char *const sized[] = { "VARCHAR", "CHAR", "VARBINARY", "BINARY", NULL };
	const char *t = json_string_value(json_object_get(params, "__debezium.source.column.type"));
	const char *len = src_param(params, "__debezium.source.column.length");
	const char *scale = src_param(params, "__debezium.source.column.scale");

	if (!t)
		return false;
	for (size_t k = 0; plain[k]; k++)
		if (strcmp(t, plain[k]) == 0) {
			snprintf(out, outlen, "%s", t);
			return true;
		}
	for (size_t k = 0; sized[k] && len; k++)
		if (strcmp(t, sized[k]) == 0) {
			snprintf(out, outlen, "%s(%s)", t, len);
			return true;
		}
	if ((strcmp(t, "DECIMAL") == 0 || strcmp(t, "DECIMAL UNSIGNED") == 0) && len && scale) {
		snprintf(out, outlen, "DECIMAL(%s,%s)%s", len, scale, t[7] ? " UNSIGNED" : "");
		return true;
	}
	return false;
}

/* enum_type: ENUM or SET (kind) of a schema's "allowed" list "a,b,c" into
 * out; false when a value has a quote or a backslash, or it does not fit */
static bool
enum_type(const char *kind, const char *allowed, char *out, size_t outlen)
{
	size_t		n = (size_t) snprintf(out, outlen, "%s('", kind);

	if (!allowed || strpbrk(allowed, "'\\"))
		return false;
	for (const char *p = allowed; *p && n + 4 < outlen; p++) {
		if (*p == ',') {
			memcpy(out + n, "','", 3);
			n += 3;
		} else
			out[n++] = *p;
	}
	if (n + 3 >= outlen)
		return false;
	memcpy(out + n, "')", 3);
	return true;
}

/*
 * connect_type: the MariaDB column type of a field by its Connect schema:
 * the source's type when the connector propagated it, else by Debezium's
 * semantic name (io.debezium.time.Timestamp is DATETIME(3), ...), else by
 * the Connect type (int32 is INT, string LONGTEXT, ...). False with *why
 * for a schema none of these reads.
 */
static bool
connect_type(const json_t *f, char *out, size_t outlen, const char **why)
{
	static const struct { const char *name, *type; } by_name[] = {
		{ "io.debezium.time.Date", "DATE" },
		{ "org.apache.kafka.connect.data.Date", "DATE" },
		{ "io.debezium.time.Timestamp", "DATETIME(3)" },
		{ "org.apache.kafka.connect.data.Timestamp", "DATETIME(3)" },
		{ "io.debezium.time.MicroTimestamp", "DATETIME(6)" },
		{ "io.debezium.time.NanoTimestamp", "DATETIME(6)" },
		{ "io.debezium.time.ZonedTimestamp", "TIMESTAMP(6)" },
		{ "io.debezium.time.Time", "TIME(3)" },
		{ "org.apache.kafka.connect.data.Time", "TIME(3)" },
		{ "io.debezium.time.MicroTime", "TIME(6)" },
		{ "io.debezium.time.NanoTime", "TIME(6)" },
		{ "io.debezium.time.Year", "YEAR" },
		{ "io.debezium.data.Json", "JSON" },
		{ "io.debezium.data.Uuid", "UUID" },
		{ "io.debezium.data.geometry.Geometry", "GEOMETRY" },
		{ "io.debezium.data.geometry.Point", "POINT" },
		{ NULL, NULL }
	};
	static const struct { const char *type, *mtype; } by_type[] = {
		{ "boolean", "TINYINT(1)" }, { "int8", "TINYINT" }, { "int16", "SMALLINT" },
		{ "int32", "INT" }, { "int64", "BIGINT" }, { "float32", "FLOAT" },
		{ "float64", "DOUBLE" }, { "string", "LONGTEXT" }, { "bytes", "LONGBLOB" },
		{ NULL, NULL }
	};
	const char *type = json_string_value(json_object_get(f, "type"));
	const char *name = json_string_value(json_object_get(f, "name"));
	const json_t *params = json_object_get(f, "parameters");

	if (src_type(params, out, outlen))
		return true;
	for (size_t k = 0; name && by_name[k].name; k++)
		if (strcmp(name, by_name[k].name) == 0) {
			snprintf(out, outlen, "%s", by_name[k].type);
			return true;
		}
	if (name && strcmp(name, "org.apache.kafka.connect.data.Decimal") == 0) {
		const char *scale = src_param(params, "scale");
		const char *prec = src_param(params, "connect.decimal.precision");
		int			s = scale ? (int) strtol(scale, NULL, 10) : -1;
		int			p = prec ? (int) strtol(prec, NULL, 10) : 65;

		if (s < 0 || s > 38 || p < 1 || p > 65 || s > p) {
			*why = "its Decimal schema has no scale, or a precision or scale MariaDB's DECIMAL cannot have";
			return false;
		}
		snprintf(out, outlen, "DECIMAL(%d,%d)", p, s);
		return true;
	}
	if (name && strcmp(name, "io.debezium.data.Bits") == 0) {
		const char *len = src_param(params, "length");

		if (!len || strtol(len, NULL, 10) < 1 || strtol(len, NULL, 10) > 64) {
			*why = "its Bits schema has no length from 1 to 64";
			return false;
		}
		snprintf(out, outlen, "BIT(%s)", len);
		return true;
	}
	if (name && (strcmp(name, "io.debezium.data.Enum") == 0 || strcmp(name, "io.debezium.data.EnumSet") == 0)) {
		if (enum_type(name[17] == 'S' ? "SET" : "ENUM",
					  json_string_value(json_object_get(params, "allowed")), out, outlen))
			return true;
		*why = "its Enum schema has no \"allowed\" values, or one with a quote or a backslash";
		return false;
	}
	for (size_t k = 0; type && by_type[k].type; k++)
		if (strcmp(type, by_type[k].type) == 0) {
			snprintf(out, outlen, "%s", by_type[k].mtype);
			return true;
		}
	*why = "its schema is not a Connect type a column can take (a struct, an array or a map)";
	return false;
}

/* field_schema: the schema of the field named name in a struct's fields */
static const json_t *
field_schema(const json_t *fields, const char *name)
{
	for (size_t k = 0; k < json_array_size(fields); k++) {
		const json_t *c = json_array_get(fields, k);
		const char *fn = json_string_value(json_object_get(c, "field"));

		if (fn && strcmp(fn, name) == 0)
			return c;
	}
	return NULL;
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

/* add_field: notes a field that names no column (once per message) */
static void
add_field(struct dbz_mem *m, const char *name, const json_t *fschema)
{
	char		type[512];
	const char *why = NULL;
	dbz_added  *a;

	for (size_t k = 0; k < m->nadded; k++)
		if (strcmp(m->added[k].name, name) == 0)
			return;
	if (m->nadded == m->addcap) {
		m->addcap = m->addcap ? 2 * m->addcap : 8;
		m->added = xrealloc(m->added, m->addcap * sizeof(dbz_added));
	}
	a = &m->added[m->nadded++];
	a->name = name;
	a->type = a->why = NULL;
	if (connect_type(fschema, type, sizeof(type), &why)) {
		char	   *t = dbz_arena_alloc(&m->arena, strlen(type) + 1);

		memcpy(t, type, strlen(type) + 1);
		a->type = t;
	} else
		a->why = why;
}

/*
 * unknown_fields: the fields of row object obj that name no column of pt
 * (in a flattened record, those the transform added, "__" first, aside).
 * With a schema each is noted with its type (add_field), for the caller to
 * add; without one each fails the event, unless the modes ignore them.
 */
static bool
unknown_fields(const plan_table *pt, const json_t *obj, const json_t *fields, bool flat,
			   const dbz_modes *modes, struct dbz_mem *m, const char *what, char *errbuf, size_t errlen)
{
	const char *name;
	const json_t *v;

	json_object_foreach((json_t *) obj, name, v) {
		const json_t *fs;

		if (is_column(pt, name) || (flat && strncmp(name, "__", 2) == 0))
			continue;
		if (fields && (fs = field_schema(fields, name)) != NULL) {
			add_field(m, name, fs);
			continue;
		}
		if (modes && modes->ignore_unknown)
			continue;
		dbz_set_err(errbuf, errlen, "table \"%s\": field \"%.200s\" of the %s names no column of the "
					"table, and the message has no schema to add it with (KAFKA_UNKNOWN_FIELDS=ignore "
					"ignores such fields)", tname(pt), name, what);
		return false;
	}
	return true;
}

/*
 * row_decode: the columns of pt from the row object obj into out. With
 * key, only the columns obj names are read (the others are left out) and
 * those of pt's key must be there. Else a key column must be there, and a
 * column the row does not name is NULL (a column dropped at the source, or
 * left out by column.exclude.list); a field that names no column is noted
 * or refused (unknown_fields).
 */
static bool
row_decode(const plan_table *pt, const json_t *obj, const json_t *fields, const char *what,
		   bool key, bool flat, const dbz_modes *modes, struct dbz_mem *m, binlog_value *out,
		   char *errbuf, size_t errlen)
{
	size_t		found = 0;			/* columns the row names */

	if (!json_is_object(obj)) {
		dbz_set_err(errbuf, errlen, "table \"%s\": the %s is %s, expected an object",
				tname(pt), what, dbz_json_kind(obj));
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
			bool		is_key = false;

			for (size_t k = 0; k < pt->nkey; k++)
				is_key |= pt->key[k] == (int) i;
			if (is_key)
				return dbz_col_err(errbuf, errlen, pt, pc, "missing from the %s", what);
			out[i].present = !key;	/* a row image: NULL */
			continue;
		}
		found++;
		hint_of(fields, i, pc->name, &h);
		h.modes = modes;
		if (!dbz_classify(pt, pc, &dc, errbuf, errlen) ||
			!dbz_decode_value(pt, pc, &dc, &h, j, &m->arena, &out[i], errbuf, errlen))
			return false;
	}
	/* a row that names only columns (the usual case) has nothing else */
	return key || json_object_size(obj) == found ||
		unknown_fields(pt, obj, fields, flat, modes, m, what, errbuf, errlen);
}

/* ---------------------------------------------------------------------
 * The source block
 * --------------------------------------------------------------------- */

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
		dbz_set_err(errbuf, errlen, "table \"%s\": %s is %s, expected a string under %zu bytes",
				tname(pt), what, dbz_json_kind(j), size);
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
	if (json_is_boolean(j) || !dbz_json_int(j, &neg, &mag) || neg) {
		dbz_set_err(errbuf, errlen, "table \"%s\": %s is not a non-negative integer", tname(pt), what);
		return false;
	}
	*dst = mag;
	if (found)
		*found = true;
	return true;
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
		dbz_set_err(errbuf, errlen, "table \"%s\": source.row or source.server_id out of range", tname(pt));
		return false;
	}
	ev->row = (unsigned) row;
	ev->server_id = (uint32_t) sid;
	has_file = ev->file[0] != '\0';
	ev->has_pos = has_file && has_pos;
	return true;
}

/* ---------------------------------------------------------------------
 * Messages
 * --------------------------------------------------------------------- */

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
		dbz_set_err(errbuf, errlen, "table \"%s\": the message %s is not JSON: %s (line %d, column %d)",
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

		dbz_set_err(errbuf, errlen, "table \"%s\": unknown op \"%s\" (expected c, u, d, r or t)",
				tname(pt), o ? dbz_snippet(shown, o, strlen(o)) : dbz_json_kind(op ? op : json_null()));
		return false;
	}
	ev->op = (dbz_op) o[0];
	if (json_is_object(src) && !source_fields(pt, src, "", false, ev, errbuf, errlen))
		return false;
	if (ev->op == DBZ_TRUNCATE)
		return true;
	if (ev->op == DBZ_DELETE ? !json_is_object(before) : !json_is_object(after)) {
		dbz_set_err(errbuf, errlen, "table \"%s\": op \"%c\" without its %s image (%s)",
				tname(pt), (char) ev->op, ev->op == DBZ_DELETE ? "before" : "after",
				dbz_json_kind(ev->op == DBZ_DELETE ? (before ? before : json_null()) :
					  (after ? after : json_null())));
		return false;
	}
	if (json_is_object(before)) {
		ev->before = m->imgs;
		if (!row_decode(pt, before, struct_fields(schema, "before"), "before image", false, false, ev->modes, m,
						ev->before, errbuf, errlen))
			return false;
	}
	if (json_is_object(after)) {
		ev->after = m->imgs + m->cap;
		if (!row_decode(pt, after, struct_fields(schema, "after"), "after image", false, false, ev->modes, m,
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
		dbz_set_err(errbuf, errlen, "table \"%s\": unknown __op in a flattened record (expected c, u, d or r)",
				tname(pt));
		return false;
	}
	if (del && !json_is_boolean(del) &&
		!(json_is_string(del) && (deleted || strcmp(json_string_value(del), "false") == 0))) {
		dbz_set_err(errbuf, errlen, "table \"%s\": __deleted is neither \"true\" nor \"false\"", tname(pt));
		return false;
	}
	if (o && o[0] == 'd')
		deleted = true;
	ev->op = deleted ? DBZ_DELETE : o ? (dbz_op) o[0] : DBZ_UPDATE;
	if (!source_fields(pt, p, "__", true, ev, errbuf, errlen))
		return false;
	if (deleted) {
		ev->before = m->imgs;
		return row_decode(pt, p, struct_fields(schema, NULL), "flattened record", false, true, ev->modes, m,
						  ev->before, errbuf, errlen);
	}
	ev->after = m->imgs + m->cap;
	return row_decode(pt, p, struct_fields(schema, NULL), "flattened record", false, true, ev->modes, m,
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
	ev->added = NULL;
	ev->nadded = 0;
	return m;
}

/* dbz_parse: see dbz_decode.h */
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
		dbz_set_err(errbuf, errlen, "table \"%s\": the message value is %s, expected an object "
				"(an envelope or a flattened record)", tname(pt), dbz_json_kind(payload));
		return false;
	}
	ok = is_envelope(pt, payload) ? parse_envelope(pt, payload, schema, ev, errbuf, errlen) :
		parse_flat(pt, payload, schema, ev, errbuf, errlen);
	if (!ok)
		ev->before = ev->after = NULL;
	else {
		ev->added = m->nadded ? m->added : NULL;
		ev->nadded = m->nadded;
	}
	return ok;
}

/* alter_ident: a MariaDB identifier in backquotes into b */
static void
alter_ident(buf *b, const char *name)
{
	buf_putc(b, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			buf_putc(b, '`');
		buf_putc(b, *p);
	}
	buf_putc(b, '`');
}

/* dbz_added_alter: see dbz_decode.h */
char *
dbz_added_alter(const plan_table *pt, const dbz_event *ev, char *errbuf, size_t errlen)
{
	buf			b = BUF_INIT;

	if (ev->nadded == 0) {
		dbz_set_err(errbuf, errlen, "table \"%s\": no field to add", tname(pt));
		return NULL;
	}
	buf_puts(&b, "ALTER TABLE ");
	alter_ident(&b, pt->source);
	for (size_t k = 0; k < ev->nadded; k++) {
		const dbz_added *a = &ev->added[k];

		if (!a->type) {
			dbz_set_err(errbuf, errlen, "table \"%s\": field \"%.200s\" names no column, and no column can "
						"be added for it: %s", tname(pt), a->name, a->why);
			buf_free(&b);
			return NULL;
		}
		buf_puts(&b, k ? ", ADD COLUMN " : " ADD COLUMN ");
		alter_ident(&b, a->name);
		buf_printf(&b, " %s NULL", a->type);
	}
	return b.data;				/* the caller frees it */
}

/* dbz_parse_key: see dbz_decode.h */
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
	if (!row_decode(pt, payload, struct_fields(schema, NULL), "key", true, false, ev->modes, m, ev->key,
					errbuf, errlen)) {
		ev->key = NULL;
		return false;
	}
	return true;
}

/* dbz_event_free: see dbz_decode.h */
void
dbz_event_free(dbz_event *ev)
{
	struct dbz_mem *m = ev->mem;
	const dbz_modes *modes = ev->modes;

	if (m) {
		mem_reset(m);
		dbz_arena_free(&m->arena);
		free(m->imgs);
		free(m->keys);
		free(m->added);
		free(m);
	}
	memset(ev, 0, sizeof(*ev));
	ev->modes = modes;
}
