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
};

/* mem_reset: forgets the arena's contents (keeping a block for the next
 * event) and drops the parsed JSON */
static void
mem_reset(struct dbz_mem *m)
{
	dbz_arena_reset(&m->arena);
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
			bool		needed = !key;

			for (size_t k = 0; key && k < pt->nkey; k++)
				needed |= pt->key[k] == (int) i;
			if (needed)
				return dbz_col_err(errbuf, errlen, pt, pc, "missing from the %s", what);
			continue;
		}
		hint_of(fields, i, pc->name, &h);
		if (!dbz_classify(pt, pc, &dc, errbuf, errlen) ||
			!dbz_decode_value(pt, pc, &dc, &h, j, &m->arena, &out[i], errbuf, errlen))
			return false;
	}
	return true;
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
	return ok;
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
	if (!row_decode(pt, payload, struct_fields(schema, NULL), "key", true, m, ev->key,
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

	if (m) {
		mem_reset(m);
		dbz_arena_free(&m->arena);
		free(m->imgs);
		free(m->keys);
		free(m);
	}
	memset(ev, 0, sizeof(*ev));
}
