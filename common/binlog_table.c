/*
 * Table maps of the binlog decoder: TABLE_MAP events, their optional
 * metadata, and the decoder's store of them by table id.
 *
 * A rows event names its table only by a number, so the decoder keeps each
 * TABLE_MAP it has seen until a new map of the same id replaces it. MariaDB
 * writes a table map before every rows event of a statement, so the common
 * case is a re-map with the same bytes: it is recognised by comparing the raw
 * event body and costs no parsing and no hook call. Anything else is parsed
 * into a decoder-owned table (each with its own arena, as it outlives the
 * event) and goes through the caller's hook, which may adjust the columns
 * from information_schema. Tables are kept in an array sorted by id; the
 * least recently used one is dropped when there are too many, so memory
 * stays bounded (the hook sees that table again if it comes back).
 *
 * The optional metadata (binlog_row_metadata MINIMAL or FULL) is a list of
 * type-length-value fields; the ones that say something about a column
 * (signedness, character sets, names, ENUM and SET labels, primary key) are
 * applied, and the others are skipped, so a newer server's fields do not
 * stop the stream.
 */
#include "common/binlog_int.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLES      16384       /* table maps kept before the least recently used goes */

/* optional metadata (TLV) types of a table map */
enum {
	OM_SIGNEDNESS = 1, OM_DEFAULT_CHARSET, OM_COLUMN_CHARSET, OM_COLUMN_NAME,
	OM_SET_STR_VALUE, OM_ENUM_STR_VALUE, OM_GEOMETRY_TYPE, OM_SIMPLE_PRIMARY_KEY,
	OM_PRIMARY_KEY_WITH_PREFIX, OM_ENUM_AND_SET_DEFAULT_CHARSET,
	OM_ENUM_AND_SET_COLUMN_CHARSET
};

/* --- the store of table maps ------------------------------------------------ */

/* table_slot: the index of table id in the sorted array, or where it goes */
static size_t
table_slot(const binlog_decoder *d, uint64_t id, bool *found)
{
	size_t		lo = 0, hi = d->ntables;

	while (lo < hi) {
		size_t		mid = lo + (hi - lo) / 2;
		uint64_t	mid_id = d->tables[mid]->t.table_id;

		if (mid_id == id) {
			*found = true;
			return mid;
		}
		if (mid_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* binlog_table_find: see binlog_int.h */
dtable *
binlog_table_find(binlog_decoder *d, uint64_t id)
{
	bool		found;
	size_t		i = table_slot(d, id, &found);

	return found ? d->tables[i] : NULL;
}

/* table_put: stores t, replacing (and freeing) a table of the same id; drops
 * the least recently used table when there are too many */
static void
table_put(binlog_decoder *d, dtable *t)
{
	bool		found;
	size_t		i = table_slot(d, t->t.table_id, &found);

	if (found) {
		binlog_dtable_free(d->tables[i]);
		d->tables[i] = t;
		return;
	}
	if (d->ntables >= MAX_TABLES) {
		size_t		lru = 0;

		for (size_t k = 1; k < d->ntables; k++)
			if (d->tables[k]->last_used < d->tables[lru]->last_used)
				lru = k;
		binlog_dtable_free(d->tables[lru]);
		memmove(&d->tables[lru], &d->tables[lru + 1], (d->ntables - lru - 1) * sizeof(dtable *));
		d->ntables--;
		if (lru < i)
			i--;
	}
	if (d->ntables == d->tables_cap) {
		d->tables_cap = d->tables_cap ? d->tables_cap * 2 : 16;
		d->tables = xrealloc(d->tables, d->tables_cap * sizeof(dtable *));
	}
	memmove(&d->tables[i + 1], &d->tables[i], (d->ntables - i) * sizeof(dtable *));
	d->tables[i] = t;
	d->ntables++;
}

/* --- table map ---------------------------------------------------------------- */

/* meta_bytes: bytes of table-map metadata for a column type, or -1 for a
 * type this decoder does not know */
static int
meta_bytes(uint8_t type)
{
	switch (type) {
	case T_TINY: case T_SHORT: case T_LONG: case T_NULL: case T_TIMESTAMP:
	case T_LONGLONG: case T_INT24: case T_DATE: case T_TIME: case T_DATETIME:
	case T_YEAR: case T_NEWDATE:
		return 0;
	case T_FLOAT: case T_DOUBLE: case T_TIMESTAMP2: case T_DATETIME2: case T_TIME2:
	case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB: case T_BLOB:
	case T_GEOMETRY: case T_JSON:
		return 1;
	case T_VARCHAR: case T_VAR_STRING: case T_BIT: case T_NEWDECIMAL:
	case T_ENUM: case T_SET: case T_STRING:
		return 2;
	default:
		return -1;
	}
}

/* is_numeric_type: the columns SIGNEDNESS has a bit for: MariaDB's numeric
 * fields, which include YEAR (unlike MySQL's list) */
static bool
is_numeric_type(uint8_t type)
{
	switch (type) {
	case T_TINY: case T_SHORT: case T_INT24: case T_LONG: case T_LONGLONG:
	case T_NEWDECIMAL: case T_FLOAT: case T_DOUBLE: case T_YEAR: case T_DECIMAL:
		return true;
	default:
		return false;
	}
}

/* is_character_type: the columns DEFAULT_CHARSET and COLUMN_CHARSET count
 * (by real type, so not ENUM and SET; geometry is a blob underneath) */
static bool
is_character_type(uint8_t type)
{
	switch (type) {
	case T_STRING: case T_VAR_STRING: case T_VARCHAR: case T_BLOB:
	case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB: case T_GEOMETRY:
		return true;
	default:
		return false;
	}
}

static bool
is_enum_or_set(uint8_t type)
{
	return type == T_ENUM || type == T_SET;
}

/*
 * column_meta: sets col->type and col->meta from the table map's type byte
 * and metadata bytes m (meta_bytes(type) of them). False for metadata that
 * makes no sense; *why says what.
 */
static bool
column_meta(binlog_column *col, uint8_t type, const uint8_t *m, const char **why)
{
	col->type = type;
	col->meta = 0;
	switch (type) {
	case T_FLOAT:
	case T_DOUBLE:
		col->meta = m[0];
		if (m[0] != (type == T_FLOAT ? 4 : 8)) {
			*why = "FLOAT/DOUBLE of an unexpected size";
			return false;
		}
		return true;
	case T_TIMESTAMP2:
	case T_DATETIME2:
	case T_TIME2:
		col->meta = m[0];
		if (m[0] > 6) {
			*why = "more than 6 fractional digits";
			return false;
		}
		return true;
	case T_TINY_BLOB: case T_MEDIUM_BLOB: case T_LONG_BLOB: case T_BLOB:
	case T_GEOMETRY: case T_JSON:
		col->meta = m[0];
		if (m[0] < 1 || m[0] > 4) {
			*why = "blob length prefix not of 1-4 bytes";
			return false;
		}
		return true;
	case T_VARCHAR:
	case T_VAR_STRING:
		col->meta = (uint16_t) le16(m);
		return true;
	case T_BIT:
		if (m[0] > 7 || m[1] > 8 || m[1] * 8 + m[0] == 0 || m[1] * 8 + m[0] > 64) {
			*why = "BIT length out of range";
			return false;
		}
		col->meta = (uint16_t) (m[1] * 8 + m[0]);
		return true;
	case T_NEWDECIMAL:
		if (m[0] < 1 || m[0] > 65 || m[1] > 38 || m[1] > m[0]) {
			*why = "DECIMAL precision or scale out of range";
			return false;
		}
		col->meta = (uint16_t) (m[0] << 8 | m[1]);
		return true;
	case T_ENUM:
	case T_SET:
		col->meta = m[1];
		break;
	case T_STRING:
		/* byte 0 is the real type; CHAR longer than 255 bytes keeps the
		 * two high bits of its length, inverted, in bits 4-5 of it */
		if ((m[0] & 0x30) != 0x30) {
			col->type = m[0] | 0x30;
			col->meta = (uint16_t) (m[1] | (((m[0] & 0x30) ^ 0x30) << 4));
		} else {
			col->type = m[0];
			col->meta = m[1];
		}
		if (col->type != T_STRING && col->type != T_ENUM && col->type != T_SET) {
			*why = "CHAR column with an unknown real type";
			return false;
		}
		break;
	default:
		return true;
	}
	if (col->type == T_ENUM && col->meta != 1 && col->meta != 2) {
		*why = "ENUM value not of 1 or 2 bytes";
		return false;
	}
	if (col->type == T_SET && (col->meta < 1 || col->meta > 8)) {
		*why = "SET value not of 1-8 bytes";
		return false;
	}
	return true;
}

/* charset_list: a DEFAULT_CHARSET-style field (default collation, then
 * pairs of index among the counted columns and collation) or, with
 * per_column, a COLUMN_CHARSET-style one (one collation per counted column);
 * applied to the columns that counts() accepts */
static bool
charset_list(dctx *dc, binlog_table *t, const uint8_t *p, const uint8_t *end,
			 bool per_column, bool (*counts)(uint8_t))
{
	size_t	   *idx = xmalloc(t->ncols * sizeof(size_t));
	size_t		ncounted = 0;
	uint64_t	v;

	for (size_t i = 0; i < t->ncols; i++)
		if (counts(t->cols[i].type))
			idx[ncounted++] = i;
	if (!per_column) {
		LENENC(v);
		for (size_t k = 0; k < ncounted; k++)
			t->cols[idx[k]].charset = (unsigned) v;
		while (p < end) {
			uint64_t	k;

			LENENC(k);
			LENENC(v);
			if (k >= ncounted)
				goto malformed;
			t->cols[idx[k]].charset = (unsigned) v;
		}
	} else {
		for (size_t k = 0; k < ncounted; k++) {
			LENENC(v);
			t->cols[idx[k]].charset = (unsigned) v;
		}
		if (p != end)
			goto malformed;
	}
	free(idx);
	return true;
malformed:
	free(idx);
	return binlog_fail(dc, "malformed character set metadata");
}

/* label_list: SET_STR_VALUE or ENUM_STR_VALUE: for each column of that type,
 * a count and the labels (in the column's character set, converted later) */
static bool
label_list(dctx *dc, dtable *dt, const uint8_t *p, const uint8_t *end, uint8_t type)
{
	binlog_table *t = &dt->t;

	for (size_t i = 0; i < t->ncols; i++) {
		binlog_column *col = &t->cols[i];
		uint64_t	n;

		if (col->type != type)
			continue;
		LENENC(n);
		/* each label takes at least a byte */
		if (n > (uint64_t) (end - p))
			goto malformed;
		const char **labels = binlog_arena_alloc(&dt->mem, (n ? n : 1) * sizeof(char *));

		for (uint64_t j = 0; j < n; j++) {
			uint64_t	len;

			LENENC(len);
			NEED(len);
			labels[j] = binlog_arena_strndup(&dt->mem, p, (size_t) len);
			p += len;
		}
		col->labels = labels;
		col->nlabels = (size_t) n;
	}
	if (p != end)
		goto malformed;
	return true;
malformed:
	return binlog_fail(dc, "malformed %s label metadata", type == T_ENUM ? "ENUM" : "SET");
}

/* column_names: COLUMN_NAME: a length-prefixed name per column */
static bool
column_names(dctx *dc, dtable *dt, const uint8_t *p, const uint8_t *end)
{
	for (size_t i = 0; i < dt->t.ncols; i++) {
		uint64_t	n;

		LENENC(n);
		NEED(n);
		dt->t.cols[i].name = binlog_arena_strndup(&dt->mem, p, (size_t) n);
		p += n;
	}
	if (p != end)
		goto malformed;
	return true;
malformed:
	return binlog_fail(dc, "malformed COLUMN_NAME metadata");
}

/* primary_key: SIMPLE_PRIMARY_KEY (column indexes) or PRIMARY_KEY_WITH_PREFIX
 * (pairs of column index and prefix length) */
static bool
primary_key(dctx *dc, binlog_table *t, const uint8_t *p, const uint8_t *end, bool with_prefix)
{
	while (p < end) {
		uint64_t	idx, prefix;

		LENENC(idx);
		if (with_prefix)
			LENENC(prefix);
		(void) prefix;
		if (idx >= t->ncols)
			goto malformed;
		t->cols[idx].is_pk = true;
	}
	return true;
malformed:
	return binlog_fail(dc, "malformed primary key metadata");
}

/* optional_metadata: the TLV fields after the null bitmap (binlog_row_metadata
 * MINIMAL or FULL); unknown ones are skipped */
static bool
optional_metadata(dctx *dc, dtable *dt, const uint8_t *p, const uint8_t *end)
{
	binlog_table *t = &dt->t;

	while (p < end) {
		uint8_t		type;
		uint64_t	len;

		NEED(1);
		type = *p++;
		LENENC(len);
		NEED(len);

		const uint8_t *f = p, *fend = p + len;

		p += len;
		switch (type) {
		case OM_SIGNEDNESS: {
			/* one bit per numeric column, most significant bit first */
			size_t		k = 0;

			for (size_t i = 0; i < t->ncols; i++) {
				if (!is_numeric_type(t->cols[i].type))
					continue;
				if (k / 8 >= len)
					return binlog_fail(dc, "SIGNEDNESS metadata shorter than the numeric columns");
				t->cols[i].is_unsigned = (f[k / 8] >> (7 - k % 8)) & 1;
				t->cols[i].has_signedness = true;
				k++;
			}
			break;
		}
		case OM_DEFAULT_CHARSET:
		case OM_COLUMN_CHARSET:
			if (!charset_list(dc, t, f, fend, type == OM_COLUMN_CHARSET, is_character_type))
				return false;
			break;
		case OM_ENUM_AND_SET_DEFAULT_CHARSET:
		case OM_ENUM_AND_SET_COLUMN_CHARSET:
			if (!charset_list(dc, t, f, fend, type == OM_ENUM_AND_SET_COLUMN_CHARSET, is_enum_or_set))
				return false;
			break;
		case OM_COLUMN_NAME:
			if (!column_names(dc, dt, f, fend))
				return false;
			break;
		case OM_SET_STR_VALUE:
			if (!label_list(dc, dt, f, fend, T_SET))
				return false;
			break;
		case OM_ENUM_STR_VALUE:
			if (!label_list(dc, dt, f, fend, T_ENUM))
				return false;
			break;
		case OM_SIMPLE_PRIMARY_KEY:
		case OM_PRIMARY_KEY_WITH_PREFIX:
			if (!primary_key(dc, t, f, fend, type == OM_PRIMARY_KEY_WITH_PREFIX))
				return false;
			break;
		default:
			break;              /* GEOMETRY_TYPE and fields of later versions */
		}
	}
	return true;
malformed:
	return binlog_malformed_at(dc, p, end);
}

/* convert_labels: ENUM/SET labels from the binlog are in the column's
 * character set; the text protocol shows them in UTF-8 */
static void
convert_labels(dtable *dt)
{
	for (size_t i = 0; i < dt->t.ncols; i++) {
		binlog_column *col = &dt->t.cols[i];

		if (!is_enum_or_set(col->type) || binlog_cs_of(col->charset) != CS_LATIN1)
			continue;
		for (size_t j = 0; j < col->nlabels; j++) {
			size_t		len;

			col->labels[j] = binlog_latin1_to_utf8(&dt->mem, (const uint8_t *) col->labels[j],
											strlen(col->labels[j]), &len);
		}
	}
}

/* how column_types went: its errors are of two kinds, as the caller reports
 * a malformed event at its own cursor */
typedef enum types_status {
	TYPES_OK,
	TYPES_MALFORMED,            /* the metadata block does not fit the types */
	TYPES_FAILED                /* metadata that makes no sense, already reported */
} types_status;

/* column_types: each column's type and metadata from the table map's type
 * bytes and metadata block m..mend. A type this decoder does not know marks
 * the table unsupported (its rows then fail, its map does not) and stops
 * the metadata walk, as the metadata length of such a type is unknown. */
static types_status
column_types(dctx *dc, dtable *dt, const uint8_t *types, const uint8_t *m, const uint8_t *mend)
{
	binlog_table *t = &dt->t;

	for (size_t i = 0; i < t->ncols; i++) {
		binlog_column *col = &t->cols[i];
		int			mb = meta_bytes(types[i]);
		const char *why = NULL;

		col->type = types[i];
		col->decimals = -1;
		if (dt->unsupported)
			continue;
		if (mb < 0) {
			dt->unsupported = xasprintf("column %zu has type %u, which this decoder does not know",
										i + 1, types[i]);
			continue;
		}
		if ((size_t) (mend - m) < (size_t) mb)
			return TYPES_MALFORMED;
		if (!column_meta(col, types[i], m, &why)) {
			dc->col = (long) i;
			binlog_fail(dc, "%s", why);
			return TYPES_FAILED;
		}
		m += mb;
	}
	if (!dt->unsupported && m != mend)
		return TYPES_MALFORMED;
	return TYPES_OK;
}

/* table_accept: keeps the event body of a parsed table map (to spot a
 * changed re-map) and asks the caller's hook about it; false when the hook
 * refuses it */
static bool
table_accept(dctx *dc, dtable *dt, const uint8_t *body, const uint8_t *end)
{
	binlog_decoder *d = dc->d;

	dt->raw = xmalloc((size_t) (end - body) + 1);
	memcpy(dt->raw, body, (size_t) (end - body));
	dt->rawlen = (size_t) (end - body);
	dt->last_used = d->nevents;
	if (d->hook) {
		char		herr[512] = "";

		if (!d->hook(&dt->t, d->ctx, herr, sizeof(herr)))
			return binlog_fail(dc, "%s", herr[0] ? herr : "refused by the table hook");
	}
	return true;
}

/* binlog_decode_table_map: parses a TABLE_MAP event into a decoder table,
 * asks the hook about a new or changed one */
bool
binlog_decode_table_map(dctx *dc, const uint8_t *body, const uint8_t *end, binlog_event *ev)
{
	binlog_decoder *d = dc->d;
	const uint8_t *p = body;
	uint8_t		ph = d->post_header[BINLOG_TABLE_MAP_EVENT];
	uint64_t	id;
	dtable	   *dt = NULL;

	if (ph != 6 && ph < 8)
		return binlog_fail(dc, "post-header of %u bytes is not supported", ph);
	NEED(ph);
	id = ph == 6 ? le32(p) : le_n(p, 6);
	p += ph;

	dtable	   *old = binlog_table_find(d, id);

	if (old && old->rawlen == (size_t) (end - body) && memcmp(old->raw, body, old->rawlen) == 0) {
		old->last_used = d->nevents;
		ev->kind = BINLOG_EV_TABLE_MAP;
		ev->u.table_map = &old->t;
		return true;
	}

	dt = xcalloc(1, sizeof(*dt));

	binlog_table *t = &dt->t;
	uint64_t	ncols, metalen;
	uint8_t		n;

	t->table_id = id;
	t->wanted = true;
	NEED(1);
	n = *p++;
	NEED(n + 1);
	if (p[n] != 0)
		goto malformed;
	t->db = binlog_arena_strndup(&dt->mem, p, n);
	p += n + 1;
	NEED(1);
	n = *p++;
	NEED(n + 1);
	if (p[n] != 0)
		goto malformed;
	t->name = binlog_arena_strndup(&dt->mem, p, n);
	p += n + 1;
	dc->table = t;

	LENENC(ncols);
	if (ncols == 0 || ncols > MAX_COLUMNS) {
		binlog_fail(dc, "%" PRIu64 " columns (1 to %d expected)", ncols, MAX_COLUMNS);
		goto out;
	}
	NEED(ncols);
	t->ncols = (size_t) ncols;
	t->cols = binlog_arena_alloc(&dt->mem, t->ncols * sizeof(binlog_column));
	memset(t->cols, 0, t->ncols * sizeof(binlog_column));

	const uint8_t *types = p;

	p += ncols;
	LENENC(metalen);
	NEED(metalen);
	p += metalen;
	switch (column_types(dc, dt, types, p - metalen, p)) {
	case TYPES_OK:
		break;
	case TYPES_MALFORMED:
		goto malformed;
	case TYPES_FAILED:
		goto out;
	}

	NEED((ncols + 7) / 8);
	for (size_t i = 0; i < t->ncols; i++)
		t->cols[i].nullable = bit_is_set(p, i);
	p += (ncols + 7) / 8;

	if (!optional_metadata(dc, dt, p, end))
		goto out;
	convert_labels(dt);
	if (!table_accept(dc, dt, body, end))
		goto out;
	table_put(d, dt);
	ev->kind = BINLOG_EV_TABLE_MAP;
	ev->u.table_map = t;
	return true;

malformed:
	binlog_malformed_at(dc, p, end);
out:
	binlog_dtable_free(dt);
	return false;
}

/* binlog_column_fits: see binlog.h */
bool
binlog_column_fits(const binlog_column *c, const char *column_type)
{
	char dt[24];
	size_t n = 0;

	while (n + 1 < sizeof(dt) && ((column_type[n] >= 'a' && column_type[n] <= 'z') || column_type[n] == '_' ||
								  (column_type[n] >= '0' && column_type[n] <= '9'))) {
		dt[n] = column_type[n];
		n++;
	}
	dt[n] = '\0';
	static const struct { const char *dt; uint8_t t1, t2; } map[] = {
		{ "tinyint", T_TINY, T_TINY }, { "smallint", T_SHORT, T_SHORT }, { "mediumint", T_INT24, T_INT24 },
		{ "int", T_LONG, T_LONG }, { "bigint", T_LONGLONG, T_LONGLONG },
		{ "decimal", T_NEWDECIMAL, T_DECIMAL }, { "float", T_FLOAT, T_FLOAT }, { "double", T_DOUBLE, T_DOUBLE },
		{ "bit", T_BIT, T_BIT }, { "char", T_STRING, T_STRING }, { "binary", T_STRING, T_STRING },
		{ "varchar", T_VARCHAR, T_VAR_STRING }, { "varbinary", T_VARCHAR, T_VAR_STRING },
		{ "tinytext", T_BLOB, T_TINY_BLOB }, { "text", T_BLOB, T_BLOB }, { "mediumtext", T_BLOB, T_MEDIUM_BLOB },
		{ "longtext", T_BLOB, T_LONG_BLOB }, { "tinyblob", T_BLOB, T_TINY_BLOB }, { "blob", T_BLOB, T_BLOB },
		{ "mediumblob", T_BLOB, T_MEDIUM_BLOB }, { "longblob", T_BLOB, T_LONG_BLOB }, { "json", T_BLOB, T_JSON },
		{ "enum", T_ENUM, T_STRING }, { "set", T_SET, T_STRING },
		{ "date", T_DATE, T_NEWDATE }, { "datetime", T_DATETIME2, T_DATETIME },
		{ "timestamp", T_TIMESTAMP2, T_TIMESTAMP }, { "time", T_TIME2, T_TIME }, { "year", T_YEAR, T_YEAR },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(dt, map[i].dt) == 0)
			return c->type == map[i].t1 || c->type == map[i].t2;
	return true;    /* geometry, inet, uuid and others: not told apart here */
}
