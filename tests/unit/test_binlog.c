/*
 * Unit tests for the binlog decoder, on binlog files recorded from a real
 * MariaDB server (tests/fixtures/binlog, made by scripts/record_binlog.sh).
 *
 * Each fixture is decoded from its 4-byte magic to the end. The row changes
 * are replayed into per-table row sets (an insert appends its after image;
 * an update or delete needs a row equal to its before image, as the stream
 * applies a table without a key), and at the positions where the recording
 * took a snapshot the row sets must equal, as multisets, the rows the server
 * itself returned through the text protocol. So every value the decoder
 * rendered for an insert, for the before and after images of an update and
 * for a delete is checked against the server's own text. The test's table
 * hook plays the part of the stream's: it sets render hints, digits and
 * ENUM/SET labels from the information_schema lines of the fixture.
 *
 * Then corrupted and synthetic events: a flipped byte, every truncation of
 * a rows event, lying lengths, unknown events, v2 and compressed variants
 * made from the recorded v1 ones. Fuzzer finds are kept at the end as
 * regression tests named after what broke.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/binlog.h"
#include "common/xalloc.h"

#define FIXTURE_DIR "tests/fixtures/binlog"
#define MAX_SNAPSHOTS 4

/* --- fixtures ---------------------------------------------------------------- */

/* A column as the fixture's information_schema line gives it. */
typedef struct fx_column {
	char	   *name;
	char	   *data_type;
	char	   *column_type;
	long		scale;			/* NUMERIC_SCALE or -1 */
	long		precision;		/* DATETIME_PRECISION or -1 */
	const char **labels;		/* of an enum(...)/set(...) column type */
	size_t		nlabels;
} fx_column;

/* One value: NULL, or bytes. */
typedef struct fx_value {
	bool		known;			/* replayed state: some image carried it */
	bool		null;
	char	   *data;
	size_t		len;
} fx_value;

typedef struct fx_rowset {
	fx_value  **rows;			/* each ncols values */
	size_t		nrows;
	size_t		cap;
} fx_rowset;

typedef struct fx_table {
	char	   *name;			/* db.table */
	fx_column  *cols;
	size_t		ncols;
	fx_rowset	snap[MAX_SNAPSHOTS];	/* the server's rows at each snapshot */
	fx_rowset	state;			/* replayed */
	size_t		inserts, updates, deletes;
} fx_table;

typedef struct fixture {
	uint8_t    *bin;
	size_t		len;
	fx_table   *tables;
	size_t		ntables;
	unsigned long snap_pos[MAX_SNAPSHOTS];
	size_t		nsnaps;
	size_t		hook_calls;
	const char *unwanted;		/* a table the hook declines */
} fixture;

/* read_file: the whole file; fails the test if missing */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *data = NULL;
	size_t		n = 0, cap = 0;

	ck_assert_msg(f != NULL, "cannot open %s (run the unit tests from the repository root)", path);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			data = xrealloc(data, cap);
		}
		size_t		got = fread(data + n, 1, cap - n, f);

		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	*len = n;
	return data;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* parse_value: "\N" or lower-case hex */
static fx_value
parse_value(const char *s, size_t n)
{
	fx_value	v = { true, false, NULL, 0 };

	if (n == 2 && s[0] == '\\' && s[1] == 'N') {
		v.null = true;
		return v;
	}
	ck_assert_msg(n % 2 == 0, "odd hex value in fixture");
	v.data = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int			hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		ck_assert(hi >= 0 && lo >= 0);
		v.data[i] = (char) (hi << 4 | lo);
	}
	v.len = n / 2;
	return v;
}

/* parse_labels: the labels of "enum('a','b''c')" or "set(...)" */
static void
parse_labels(fx_column *c)
{
	const char *s = strchr(c->column_type, '(');

	if (!s || (strncmp(c->column_type, "enum(", 5) != 0 && strncmp(c->column_type, "set(", 4) != 0))
		return;
	s++;
	while (*s == '\'') {
		buf			l = BUF_INIT;

		s++;
		while (*s) {
			if (*s == '\'' && s[1] == '\'') {
				buf_putc(&l, '\'');
				s += 2;
			} else if (*s == '\'')
				break;
			else
				buf_putc(&l, *s++);
		}
		ck_assert(*s == '\'');
		s++;
		c->labels = xrealloc(c->labels, (c->nlabels + 1) * sizeof(char *));
		c->labels[c->nlabels++] = l.data ? l.data : xstrdup("");
		if (*s == ',')
			s++;
	}
}

static void
rowset_add(fx_rowset *rs, fx_value *row)
{
	if (rs->nrows == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->rows = xrealloc(rs->rows, rs->cap * sizeof(fx_value *));
	}
	rs->rows[rs->nrows++] = row;
}

static void
row_free(fx_value *row, size_t ncols)
{
	for (size_t i = 0; i < ncols; i++)
		free(row[i].data);
	free(row);
}

static void
rowset_free(fx_rowset *rs, size_t ncols)
{
	for (size_t i = 0; i < rs->nrows; i++)
		row_free(rs->rows[i], ncols);
	free(rs->rows);
	memset(rs, 0, sizeof(*rs));
}

static fx_table *
fixture_table(fixture *fx, const char *db, const char *name)
{
	char		full[256];

	snprintf(full, sizeof(full), "%s.%s", db, name);
	for (size_t i = 0; i < fx->ntables; i++)
		if (strcmp(fx->tables[i].name, full) == 0)
			return &fx->tables[i];
	return NULL;
}

/* split: the TAB-separated fields of line (modified in place); *n set */
static char **
split(char *line, size_t *n)
{
	size_t		k = 1;

	for (char *p = line; *p; p++)
		k += *p == '\t';

	char	  **f = xmalloc(k * sizeof(char *));

	*n = 0;
	f[(*n)++] = line;
	for (char *p = line; *p; p++)
		if (*p == '\t') {
			*p = '\0';
			f[(*n)++] = p + 1;
		}
	return f;
}

/* fixture_load: NAME.bin and NAME.expected (format: scripts/record_binlog.sh) */
static void
fixture_load(fixture *fx, const char *name)
{
	char		path[512];
	size_t		len;
	char	   *text;
	fx_table   *t = NULL;
	long		snap = -1;

	memset(fx, 0, sizeof(*fx));
	snprintf(path, sizeof(path), "%s/%s.bin", FIXTURE_DIR, name);
	fx->bin = read_file(path, &fx->len);
	snprintf(path, sizeof(path), "%s/%s.expected", FIXTURE_DIR, name);
	text = (char *) read_file(path, &len);
	text = xrealloc(text, len + 1);
	text[len] = '\0';

	for (char *line = text, *next; line && *line; line = next) {
		size_t		n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';

		char	  **f = split(line, &n);

		if (strcmp(f[0], "snapshot") == 0) {
			ck_assert(n == 2 && fx->nsnaps < MAX_SNAPSHOTS);
			fx->snap_pos[fx->nsnaps] = strtoul(f[1], NULL, 10);
			snap = (long) fx->nsnaps++;
		} else if (strcmp(f[0], "table") == 0) {
			ck_assert(n == 2);
			t = NULL;
			for (size_t i = 0; i < fx->ntables; i++)
				if (strcmp(fx->tables[i].name, f[1]) == 0)
					t = &fx->tables[i];
			if (!t) {
				fx->tables = xrealloc(fx->tables, (fx->ntables + 1) * sizeof(fx_table));
				t = &fx->tables[fx->ntables++];
				memset(t, 0, sizeof(*t));
				t->name = xstrdup(f[1]);
			}
		} else if (strcmp(f[0], "column") == 0) {
			ck_assert(t && n == 7);
			t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof(fx_column));

			fx_column  *c = &t->cols[t->ncols++];

			memset(c, 0, sizeof(*c));
			ck_assert_uint_eq(strtoul(f[1], NULL, 10), t->ncols - 1);
			c->name = xstrdup(f[2]);
			c->data_type = xstrdup(f[3]);
			c->scale = strtol(f[4], NULL, 10);
			c->precision = strtol(f[5], NULL, 10);
			c->column_type = xstrdup(f[6]);
			parse_labels(c);
		} else if (strcmp(f[0], "row") == 0) {
			ck_assert(t && snap >= 0);
			ck_assert_msg(n == t->ncols + 1, "%s: row of %zu values for %zu columns", t->name, n - 1, t->ncols);

			fx_value   *row = xcalloc(t->ncols, sizeof(fx_value));

			for (size_t i = 0; i < t->ncols; i++)
				row[i] = parse_value(f[i + 1], strlen(f[i + 1]));
			rowset_add(&t->snap[snap], row);
		} else
			ck_abort_msg("unknown fixture line: %s", f[0]);
		free(f);
	}
	free(text);
	ck_assert_msg(fx->ntables > 0 && fx->nsnaps > 0, "empty fixture %s", name);
}

static void
fixture_free(fixture *fx)
{
	for (size_t i = 0; i < fx->ntables; i++) {
		fx_table   *t = &fx->tables[i];

		for (size_t s = 0; s < MAX_SNAPSHOTS; s++)
			rowset_free(&t->snap[s], t->ncols);
		rowset_free(&t->state, t->ncols);
		for (size_t c = 0; c < t->ncols; c++) {
			free(t->cols[c].name);
			free(t->cols[c].data_type);
			free(t->cols[c].column_type);
			for (size_t l = 0; l < t->cols[c].nlabels; l++)
				free((char *) t->cols[c].labels[l]);
			free(t->cols[c].labels);
		}
		free(t->cols);
		free(t->name);
	}
	free(fx->tables);
	free(fx->bin);
	memset(fx, 0, sizeof(*fx));
}

/* --- the hook, replay and comparison ------------------------------------------ */

static bool
is_geometry_type(const char *t)
{
	static const char *const g[] = { "geometry", "point", "linestring", "polygon", "multipoint",
		"multilinestring", "multipolygon", "geometrycollection", NULL };

	for (int i = 0; g[i]; i++)
		if (strcmp(t, g[i]) == 0)
			return true;
	return false;
}

/* test_hook: what the stream's hook does, from the fixture's
 * information_schema lines: signedness, render hints, digits, labels */
static bool
test_hook(binlog_table *bt, void *ctx, char *errbuf, size_t errlen)
{
	fixture    *fx = ctx;
	fx_table   *t = fixture_table(fx, bt->db, bt->name);

	fx->hook_calls++;
	if (!t) {
		snprintf(errbuf, errlen, "table %s.%s is not in the fixture", bt->db, bt->name);
		return false;
	}
	if (fx->unwanted && strcmp(bt->name, fx->unwanted) == 0) {
		bt->wanted = false;
		return true;
	}
	if (bt->ncols != t->ncols) {
		snprintf(errbuf, errlen, "%zu columns, the fixture has %zu", bt->ncols, t->ncols);
		return false;
	}
	for (size_t i = 0; i < bt->ncols; i++) {
		binlog_column *bc = &bt->cols[i];
		fx_column  *c = &t->cols[i];

		if (bc->name && strcmp(bc->name, c->name) != 0) {
			snprintf(errbuf, errlen, "column %zu is %s in the binlog, %s in the fixture", i + 1, bc->name, c->name);
			return false;
		}
		if (!bc->has_signedness)
			bc->is_unsigned = strstr(c->column_type, "unsigned") != NULL;
		if (strcmp(c->data_type, "inet4") == 0)
			bc->render = BINLOG_RENDER_INET4;
		else if (strcmp(c->data_type, "inet6") == 0)
			bc->render = BINLOG_RENDER_INET6;
		else if (strcmp(c->data_type, "uuid") == 0)
			bc->render = BINLOG_RENDER_UUID;
		else if (is_geometry_type(c->data_type))
			bc->render = BINLOG_RENDER_WKB;
		if (strcmp(c->data_type, "float") == 0 || strcmp(c->data_type, "double") == 0)
			bc->decimals = (int) c->scale;
		if (strcmp(c->data_type, "time") == 0 || strcmp(c->data_type, "datetime") == 0 ||
			strcmp(c->data_type, "timestamp") == 0)
			bc->decimals = (int) c->precision;
		if (bc->nlabels == 0 && c->nlabels > 0) {
			bc->labels = c->labels;
			bc->nlabels = c->nlabels;
		}
	}
	bt->wanted = true;
	return true;
}

/* hexs: up to 40 bytes of a value as hex, for messages (static buffer) */
static const char *
hexs(const char *data, size_t len, int which)
{
	static char out[2][100];
	size_t		n = 0;

	if (!data)
		return "NULL";
	for (size_t i = 0; i < len && i < 40; i++)
		n += (size_t) snprintf(out[which] + n, sizeof(out[which]) - n, "%02x", (unsigned char) data[i]);
	if (len > 40)
		snprintf(out[which] + n, sizeof(out[which]) - n, "...");
	return out[which];
}

/* image_matches: a before image against a replayed row */
static bool
image_matches(const fx_value *row, const binlog_value *img, size_t ncols)
{
	for (size_t i = 0; i < ncols; i++) {
		if (!img[i].present)
			continue;
		if (!row[i].known)
			return false;
		if (row[i].null != (img[i].data == NULL))
			return false;
		if (!row[i].null && (row[i].len != img[i].len || memcmp(row[i].data, img[i].data, img[i].len) != 0))
			return false;
	}
	return true;
}

/* apply_image: the present columns of img into row */
static void
apply_image(fx_value *row, const binlog_value *img, size_t ncols, bool need_all)
{
	for (size_t i = 0; i < ncols; i++) {
		if (!img[i].present) {
			ck_assert_msg(!need_all, "column %zu missing from a FULL row image", i + 1);
			continue;
		}
		free(row[i].data);
		row[i].known = true;
		row[i].null = img[i].data == NULL;
		row[i].data = NULL;
		row[i].len = img[i].len;
		if (img[i].data) {
			row[i].data = xmalloc(img[i].len + 1);
			memcpy(row[i].data, img[i].data, img[i].len);
		}
	}
}

/* find_row: the first replayed row equal to a before image */
static size_t
find_row(fx_table *t, const binlog_value *img)
{
	for (size_t r = 0; r < t->state.nrows; r++)
		if (image_matches(t->state.rows[r], img, t->ncols))
			return r;
	for (size_t c = 0; c < t->ncols; c++)
		if (img[c].present)
			fprintf(stderr, "  before image column %zu (%s): %s\n", c + 1, t->cols[c].name,
					hexs(img[c].data, img[c].len, 0));
	ck_abort_msg("%s: no replayed row equals the before image (printed above)", t->name);
	return 0;
}

/* replay: applies one rows event to the replayed state */
static void
replay(fixture *fx, const binlog_event *ev, bool full_image)
{
	const binlog_table *bt = ev->u.rows.table;
	fx_table   *t = fixture_table(fx, bt->db, bt->name);

	ck_assert(t != NULL);
	if (!bt->wanted) {
		ck_assert_uint_eq(ev->u.rows.nrows, 0);
		return;
	}
	ck_assert_uint_eq(bt->ncols, t->ncols);
	ck_assert_uint_gt(ev->u.rows.nrows, 0);
	for (size_t i = 0; i < ev->u.rows.nrows; i++) {
		const binlog_row *row = &ev->u.rows.rows[i];

		switch (ev->u.rows.kind) {
		case BINLOG_ROWS_INSERT: {
			fx_value   *r = xcalloc(t->ncols, sizeof(fx_value));

			ck_assert(row->before == NULL && row->after != NULL);
			apply_image(r, row->after, t->ncols, full_image);
			rowset_add(&t->state, r);
			t->inserts++;
			break;
		}
		case BINLOG_ROWS_UPDATE: {
			ck_assert(row->before != NULL && row->after != NULL);
			if (full_image)
				for (size_t c = 0; c < t->ncols; c++)
					ck_assert(row->before[c].present);
			size_t		r = find_row(t, row->before);

			apply_image(t->state.rows[r], row->after, t->ncols, full_image);
			t->updates++;
			break;
		}
		case BINLOG_ROWS_DELETE: {
			ck_assert(row->before != NULL && row->after == NULL);
			size_t		r = find_row(t, row->before);

			row_free(t->state.rows[r], t->ncols);
			memmove(&t->state.rows[r], &t->state.rows[r + 1], (t->state.nrows - r - 1) * sizeof(fx_value *));
			t->state.nrows--;
			t->deletes++;
			break;
		}
		}
	}
}

/* rows_equal: a replayed row against the server's; unknown columns (MINIMAL
 * inserts that left a column out) are counted, not compared */
static bool
rows_equal(const fx_value *state, const fx_value *want, size_t ncols, size_t *unknown)
{
	size_t		u = 0;

	for (size_t i = 0; i < ncols; i++) {
		if (!state[i].known) {
			u++;
			continue;
		}
		if (state[i].null != want[i].null)
			return false;
		if (!want[i].null && (state[i].len != want[i].len || memcmp(state[i].data, want[i].data, want[i].len) != 0))
			return false;
	}
	*unknown += u;
	return true;
}

/* compare_snapshot: the replayed tables must equal the server's rows */
static size_t
compare_snapshot(fixture *fx, size_t snap, size_t *unknown)
{
	size_t		compared = 0;

	for (size_t i = 0; i < fx->ntables; i++) {
		fx_table   *t = &fx->tables[i];
		fx_rowset  *want = &t->snap[snap];

		if (fx->unwanted && strstr(t->name, fx->unwanted))
			continue;
		ck_assert_msg(t->state.nrows == want->nrows, "%s at snapshot %zu: %zu rows replayed, the server has %zu",
					  t->name, snap + 1, t->state.nrows, want->nrows);

		bool	   *used = xcalloc(t->state.nrows + 1, sizeof(bool));

		for (size_t w = 0; w < want->nrows; w++) {
			bool		found = false;

			for (size_t s = 0; s < t->state.nrows && !found; s++)
				if (!used[s] && rows_equal(t->state.rows[s], want->rows[w], t->ncols, unknown))
					used[s] = found = true;
			if (!found) {
				/* say which column differs from the replayed row with the same first value */
				for (size_t s = 0; s < t->state.nrows; s++) {
					const fx_value *a = t->state.rows[s], *b = want->rows[w];

					if (a[0].null || b[0].null || a[0].len != b[0].len || memcmp(a[0].data, b[0].data, a[0].len) != 0)
						continue;
					for (size_t c = 0; c < t->ncols; c++)
						if (a[c].known && (a[c].null != b[c].null || (!a[c].null &&
									(a[c].len != b[c].len || memcmp(a[c].data, b[c].data, a[c].len) != 0))))
							ck_abort_msg("%s at snapshot %zu, row %zu, column %zu (%s): decoded %s, server %s",
										 t->name, snap + 1, w + 1, c + 1, t->cols[c].name,
										 hexs(a[c].null ? NULL : a[c].data, a[c].len, 0),
										 hexs(b[c].null ? NULL : b[c].data, b[c].len, 1));
				}
				ck_abort_msg("%s at snapshot %zu: server row %zu (first value %s) not replayed",
							 t->name, snap + 1, w + 1, hexs(want->rows[w][0].data, want->rows[w][0].len, 0));
			}
			compared++;
		}
		free(used);
	}
	return compared;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* decode_fixture: decodes fx from the magic to the end, checking the event
 * sequence and positions, replaying rows and comparing at each snapshot;
 * returns the number of rows compared, *unknown the unknown columns seen */
static size_t
decode_fixture(fixture *fx, bool full_image, size_t kinds[16], size_t *unknown)
{
	binlog_decoder *d = binlog_decoder_new(test_hook, fx);
	binlog_event ev;
	char		err[1024];
	size_t		pos = 4, snap = 0, compared = 0;
	bool		in_trx = false, standalone = false;

	memset(kinds, 0, 16 * sizeof(size_t));
	*unknown = 0;
	ck_assert(fx->len > 4 && memcmp(fx->bin, "\xfe" "bin", 4) == 0);
	while (pos < fx->len) {
		ck_assert_msg(fx->len - pos >= 19, "partial event at %zu", pos);

		uint32_t	size = rd32(fx->bin + pos + 9);

		ck_assert(size >= 19 && size <= fx->len - pos);
		ck_assert_msg(binlog_decode(d, fx->bin + pos, size, &ev, err, sizeof(err)),
					  "event at %zu: %s", pos, err);
		ck_assert_uint_eq(ev.size, size);
		ck_assert_uint_eq(ev.type, fx->bin[pos + 4]);
		ck_assert_msg(ev.next_pos == pos + size, "event at %zu: next_pos %u", pos, ev.next_pos);
		ck_assert_uint_lt(ev.kind, 16);
		kinds[ev.kind]++;
		switch (ev.kind) {
		case BINLOG_EV_FORMAT:
			ck_assert_uint_eq(pos, 4);
			ck_assert_uint_eq(ev.u.format.binlog_version, 4);
			ck_assert(strstr(ev.u.format.server_version, "MariaDB") != NULL);
			break;
		case BINLOG_EV_GTID:
			ck_assert(!in_trx && !standalone);
			/* FL_STANDALONE: one statement, no XID */
			if (ev.u.gtid.flags & 1)
				standalone = true;
			else
				in_trx = true;
			ck_assert_uint_gt(ev.u.gtid.seq_no, 0);
			break;
		case BINLOG_EV_QUERY:
			ck_assert(ev.u.query.sql != NULL && strlen(ev.u.query.sql) == ev.u.query.sql_len);
			ck_assert(in_trx || standalone);
			standalone = false;
			break;
		case BINLOG_EV_ANNOTATE:
			ck_assert(in_trx);
			ck_assert(ev.u.annotate.sql_len > 0);
			break;
		case BINLOG_EV_TABLE_MAP:
			ck_assert(in_trx);
			break;
		case BINLOG_EV_ROWS:
			ck_assert(in_trx);
			ck_assert_msg(ev.u.rows.table != NULL, "rows event at %zu without its table map", pos);
			replay(fx, &ev, full_image);
			break;
		case BINLOG_EV_XID:
			ck_assert(in_trx);
			in_trx = false;
			break;
		case BINLOG_EV_ROTATE:
			ck_assert_uint_eq(pos + size, fx->len);
			ck_assert_uint_eq(ev.u.rotate.pos, 4);
			ck_assert(strncmp(ev.u.rotate.file, "mariadb-bin.", 12) == 0);
			break;
		default:
			break;
		}
		if (snap < fx->nsnaps && ev.next_pos == fx->snap_pos[snap]) {
			ck_assert(!in_trx);
			compared += compare_snapshot(fx, snap, unknown);
			snap++;
		}
		pos += size;
	}
	ck_assert_msg(snap == fx->nsnaps, "%zu of %zu snapshot positions met", snap, fx->nsnaps);
	ck_assert(!in_trx && !standalone);
	binlog_decoder_free(d);
	return compared;
}

START_TEST(test_fixture_full)
{
	fixture		fx;
	size_t		kinds[16], unknown;

	fixture_load(&fx, "full");
	size_t		compared = decode_fixture(&fx, true, kinds, &unknown);

	ck_assert_uint_gt(compared, 100);
	ck_assert_uint_eq(unknown, 0);
	ck_assert_uint_eq(kinds[BINLOG_EV_FORMAT], 1);
	ck_assert_uint_eq(kinds[BINLOG_EV_ROTATE], 1);
	ck_assert_uint_gt(kinds[BINLOG_EV_GTID], 20);
	ck_assert_uint_gt(kinds[BINLOG_EV_QUERY], 10);
	ck_assert_uint_gt(kinds[BINLOG_EV_ANNOTATE], 10);
	ck_assert_uint_gt(kinds[BINLOG_EV_TABLE_MAP], 10);
	ck_assert_uint_gt(kinds[BINLOG_EV_ROWS], 10);
	ck_assert_uint_eq(kinds[BINLOG_EV_XID], kinds[BINLOG_EV_GTID] - kinds[BINLOG_EV_QUERY]);
	/* the hook sees each table once: its re-maps are byte for byte the same */
	ck_assert_uint_eq(fx.hook_calls, fx.ntables);
	for (size_t i = 0; i < fx.ntables; i++)
		ck_assert_msg(fx.tables[i].inserts > 0, "%s: no inserts decoded", fx.tables[i].name);
	fixture_free(&fx);
}
END_TEST

START_TEST(test_fixture_minimal)
{
	fixture		fx;
	size_t		kinds[16], unknown;

	fixture_load(&fx, "minimal");
	size_t		compared = decode_fixture(&fx, false, kinds, &unknown);

	ck_assert_uint_gt(compared, 100);
	ck_assert_uint_gt(kinds[BINLOG_EV_ROWS], 10);
	ck_assert_uint_eq(kinds[BINLOG_EV_ROTATE], 1);
	size_t		updates = 0;

	for (size_t i = 0; i < fx.ntables; i++)
		updates += fx.tables[i].updates;
	ck_assert_uint_gt(updates, 10);
	fixture_free(&fx);
}
END_TEST

START_TEST(test_fixture_compressed)
{
	fixture		fx;
	size_t		kinds[16], unknown;

	fixture_load(&fx, "compressed");
	size_t		compared = decode_fixture(&fx, true, kinds, &unknown);

	ck_assert_uint_gt(compared, 100);
	ck_assert_uint_eq(unknown, 0);
	size_t		ncompressed = 0, nquery = 0;

	for (size_t pos = 4; pos + 19 <= fx.len; pos += rd32(fx.bin + pos + 9)) {
		uint8_t		type = fx.bin[pos + 4];

		ncompressed += type >= BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1 && type <= BINLOG_DELETE_ROWS_COMPRESSED_EVENT;
		nquery += type == BINLOG_QUERY_COMPRESSED_EVENT;
	}
	ck_assert_uint_gt(ncompressed, 10);
	ck_assert_uint_gt(nquery, 5);
	fixture_free(&fx);
}
END_TEST

/* rows of a table the hook declines are not decoded, the rest still are */
START_TEST(test_fixture_unwanted_table)
{
	fixture		fx;
	size_t		kinds[16], unknown;

	fixture_load(&fx, "full");
	fx.unwanted = "t_str";
	ck_assert_uint_gt(decode_fixture(&fx, true, kinds, &unknown), 100);
	fixture_free(&fx);
}
END_TEST

/* --- events made here ------------------------------------------------------------ */

static void
put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

/* reseal: sets event_size to len and, with crc, recomputes the CRC32 trailer */
static void
reseal(uint8_t *e, size_t len, bool crc)
{
	put_le(e + 9, len, 4);
	if (crc)
		put_le(e + len - 4, crc32(0L, e, (uInt) (len - 4)), 4);
}

/* make_event: a header, the body and (with crc) a CRC32 trailer; heap */
static uint8_t *
make_event(uint8_t type, uint16_t flags, const void *body, size_t blen, bool crc, size_t *len)
{
	size_t		n = 19 + blen + (crc ? 4 : 0);
	uint8_t    *e = xcalloc(1, n);

	put_le(e, 1700000000, 4);
	e[4] = type;
	put_le(e + 5, 7, 4);
	put_le(e + 13, 1000, 4);
	put_le(e + 17, flags, 2);
	if (blen)
		memcpy(e + 19, body, blen);
	reseal(e, n, crc);
	*len = n;
	return e;
}

static void
decode_ok(binlog_decoder *d, const uint8_t *e, size_t len, binlog_event *ev)
{
	char		err[1024] = "";

	ck_assert_msg(binlog_decode(d, e, len, ev, err, sizeof(err)), "decode failed: %s", err);
}

/* decode_fails: the decode must fail with both words (if given) in the message */
static void
decode_fails(binlog_decoder *d, const uint8_t *e, size_t len, const char *w1, const char *w2)
{
	binlog_event ev;
	char		err[1024] = "";

	ck_assert_msg(!binlog_decode(d, e, len, &ev, err, sizeof(err)), "decode succeeded, expected: %s", w1);
	ck_assert_msg(err[0] != '\0', "no error message");
	if (w1)
		ck_assert_msg(strstr(err, w1) != NULL, "error lacks \"%s\": %s", w1, err);
	if (w2)
		ck_assert_msg(strstr(err, w2) != NULL, "error lacks \"%s\": %s", w2, err);
}

/* A synthetic table: tm_body makes a TABLE_MAP body, rows_body a rows body. */
typedef struct tm_spec {
	uint64_t	id;
	const char *db, *name;
	size_t		ncols;
	const uint8_t *types;
	const uint8_t *meta;
	size_t		metalen;
	const uint8_t *opt;
	size_t		optlen;
} tm_spec;

static size_t
tm_body(uint8_t *b, const tm_spec *s)
{
	size_t		n = 0;

	put_le(b, s->id, 6);
	n = 6;
	b[n++] = 1;
	b[n++] = 0;
	b[n++] = (uint8_t) strlen(s->db);
	memcpy(b + n, s->db, strlen(s->db) + 1);
	n += strlen(s->db) + 1;
	b[n++] = (uint8_t) strlen(s->name);
	memcpy(b + n, s->name, strlen(s->name) + 1);
	n += strlen(s->name) + 1;
	if (s->ncols < 251)
		b[n++] = (uint8_t) s->ncols;
	else {
		b[n++] = 0xfc;
		put_le(b + n, s->ncols, 2);
		n += 2;
	}
	memcpy(b + n, s->types, s->ncols);
	n += s->ncols;
	b[n++] = (uint8_t) s->metalen;
	if (s->metalen)
		memcpy(b + n, s->meta, s->metalen);
	n += s->metalen;
	memset(b + n, 0xff, (s->ncols + 7) / 8);
	n += (s->ncols + 7) / 8;
	if (s->optlen)
		memcpy(b + n, s->opt, s->optlen);
	return n + s->optlen;
}

/* rows_body: table id, flags, width (< 251), an all-present bitmap and the
 * row bytes given */
static size_t
rows_body(uint8_t *b, uint64_t id, size_t width, const void *rows, size_t rlen)
{
	size_t		n = 0;

	put_le(b, id, 6);
	n = 6;
	b[n++] = 1;
	b[n++] = 0;
	b[n++] = (uint8_t) width;
	memset(b + n, 0xff, (width + 7) / 8);
	n += (width + 7) / 8;
	memcpy(b + n, rows, rlen);
	return n + rlen;
}

/* synthetic: a decoder that has seen db.t with the given columns (table id
 * 42, no checksums) */
static binlog_decoder *
synthetic(binlog_table_hook hook, void *ctx, const tm_spec *s)
{
	binlog_decoder *d = binlog_decoder_new(hook, ctx);
	uint8_t		body[4096];
	size_t		len;
	binlog_event ev;
	uint8_t    *e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, s), false, &len);

	decode_ok(d, e, len, &ev);
	ck_assert_int_eq(ev.kind, BINLOG_EV_TABLE_MAP);
	free(e);
	return d;
}

/* rows_event: decodes a WRITE_ROWS_EVENT_V1 of table 42 with the row bytes
 * given; returns whether it decoded, ev and err filled */
static bool
rows_event(binlog_decoder *d, size_t width, const void *rows, size_t rlen, binlog_event *ev,
		   char *err, size_t errlen)
{
	uint8_t		body[8192];
	size_t		len;
	uint8_t    *e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, body, rows_body(body, 42, width, rows, rlen),
							   false, &len);
	bool		ok = binlog_decode(d, e, len, ev, err, errlen);

	free(e);
	return ok;
}

/* one_value: the single column of a one-row event of table 42 */
static void
value_is(binlog_decoder *d, const void *row, size_t rlen, const char *want, size_t wlen)
{
	binlog_event ev;
	char		err[1024] = "";

	ck_assert_msg(rows_event(d, 1, row, rlen, &ev, err, sizeof(err)), "decode failed: %s", err);
	ck_assert_uint_eq(ev.u.rows.nrows, 1);
	ck_assert(ev.u.rows.rows[0].after[0].present);
	ck_assert_msg(ev.u.rows.rows[0].after[0].data != NULL, "NULL value");
	ck_assert_uint_eq(ev.u.rows.rows[0].after[0].len, wlen);
	ck_assert_mem_eq(ev.u.rows.rows[0].after[0].data, want, wlen);
}

static void
value_fails(binlog_decoder *d, const void *row, size_t rlen, const char *w1, const char *w2)
{
	binlog_event ev;
	char		err[1024] = "";

	ck_assert_msg(!rows_event(d, 1, row, rlen, &ev, err, sizeof(err)), "decode succeeded, expected %s", w1);
	ck_assert_msg(strstr(err, w1) != NULL, "error lacks \"%s\": %s", w1, err);
	if (w2)
		ck_assert_msg(strstr(err, w2) != NULL, "error lacks \"%s\": %s", w2, err);
}

/* --- recorded events, corrupted ----------------------------------------------------- */

/* find_rows: decodes fx from the start (only table `table` wanted) up to the
 * first rows event of the type for that table; returns the decoder, which
 * has seen its table map */
static bool
only_hook(binlog_table *bt, void *ctx, char *errbuf, size_t errlen)
{
	(void) errbuf;
	(void) errlen;
	bt->wanted = strcmp(bt->name, (const char *) ctx) == 0;
	return true;
}

static binlog_decoder *
find_rows(const fixture *fx, const char *table, uint8_t type, size_t *pos, size_t *size, size_t *nrows)
{
	binlog_decoder *d = binlog_decoder_new(only_hook, (void *) table);
	binlog_event ev;
	char		err[1024];

	for (size_t p = 4; p + 19 <= fx->len; p += rd32(fx->bin + p + 9)) {
		uint32_t	n = rd32(fx->bin + p + 9);

		ck_assert_msg(binlog_decode(d, fx->bin + p, n, &ev, err, sizeof(err)), "%s", err);
		if (ev.type == type && ev.u.rows.table && strcmp(ev.u.rows.table->name, table) == 0) {
			*pos = p;
			*size = n;
			*nrows = ev.u.rows.nrows;
			return d;
		}
	}
	ck_abort_msg("no %s event for %s", binlog_event_name(type), table);
	return NULL;
}

/* every byte flipped in turn: the checksum catches it */
START_TEST(test_flipped_byte_fails_checksum)
{
	fixture		fx;
	size_t		pos, size, nrows;

	fixture_load(&fx, "full");
	binlog_decoder *d = find_rows(&fx, "t_str", BINLOG_WRITE_ROWS_EVENT_V1, &pos, &size, &nrows);
	uint8_t    *e = xmalloc(size);

	for (size_t i = 0; i < size; i++) {
		memcpy(e, fx.bin + pos, size);
		e[i] ^= 0x10;
		if (i >= 9 && i < 13)
			decode_fails(d, e, size, "event_size", NULL);
		else
			decode_fails(d, e, size, "checksum mismatch", i == 4 ? NULL : "WRITE_ROWS_EVENT_V1");
	}
	/* the FORMAT_DESCRIPTION event checks its own checksum */
	size_t		fde = rd32(fx.bin + 4 + 9);

	e = xrealloc(e, fde);
	memcpy(e, fx.bin + 4, fde);
	e[40] ^= 1;
	decode_fails(d, e, fde, "FORMAT_DESCRIPTION_EVENT", "checksum mismatch");
	free(e);
	binlog_decoder_free(d);
	fixture_free(&fx);
}
END_TEST

/* truncate_each: every shorter prefix of an event fails as it is; with
 * event_size (and the checksum) made to fit, it fails cleanly or, cut at a
 * row boundary, decodes fewer rows */
static void
truncate_each(binlog_decoder *d, const uint8_t *event, size_t size, bool crc, size_t nrows)
{
	uint8_t    *e = xmalloc(size);
	const char *name = binlog_event_name(event[4]);

	for (size_t len = 0; len < size; len++) {
		binlog_event ev;
		char		err[1024] = "";

		memcpy(e, event, len);
		ck_assert(!binlog_decode(d, e, len, &ev, err, sizeof(err)));
		ck_assert_msg(strstr(err, len < 19 ? "shorter than" : "event_size") != NULL, "len %zu: %s", len, err);
		if (len < 19 + (crc ? 4 : 0))
			continue;
		reseal(e, len, crc);
		err[0] = '\0';
		if (binlog_decode(d, e, len, &ev, err, sizeof(err))) {
			if (ev.kind == BINLOG_EV_ROWS)
				ck_assert_msg(ev.u.rows.nrows < nrows, "len %zu: %zu rows of %zu", len, ev.u.rows.nrows, nrows);
		} else
			ck_assert_msg(strstr(err, name) != NULL, "len %zu: %s", len, err);
	}
	free(e);
}

START_TEST(test_truncated_events)
{
	fixture		fx;
	size_t		pos, size, nrows;

	fixture_load(&fx, "full");
	binlog_decoder *d = find_rows(&fx, "t_str", BINLOG_WRITE_ROWS_EVENT_V1, &pos, &size, &nrows);

	ck_assert_uint_gt(nrows, 2);
	truncate_each(d, fx.bin + pos, size, true, nrows);
	binlog_decoder_free(d);
	/* an update (two images a row), then a table map, a query, a GTID and
	 * the format description */
	d = find_rows(&fx, "t_int", BINLOG_UPDATE_ROWS_EVENT_V1, &pos, &size, &nrows);
	truncate_each(d, fx.bin + pos, size, true, nrows);
	for (size_t p = 4; p + 19 <= fx.len; p += rd32(fx.bin + p + 9)) {
		uint8_t		type = fx.bin[p + 4];

		if (type == BINLOG_TABLE_MAP_EVENT || type == BINLOG_QUERY_EVENT || type == BINLOG_GTID_EVENT ||
			type == BINLOG_FORMAT_DESCRIPTION_EVENT || type == BINLOG_ROTATE_EVENT) {
			truncate_each(d, fx.bin + p, rd32(fx.bin + p + 9), true, 0);
			if (type == BINLOG_FORMAT_DESCRIPTION_EVENT)
				binlog_decoder_set_checksum(d, true);
		}
		if (p > 20000)
			break;
	}
	binlog_decoder_free(d);
	fixture_free(&fx);

	fixture_load(&fx, "compressed");
	d = find_rows(&fx, "t_str", BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, &pos, &size, &nrows);
	truncate_each(d, fx.bin + pos, size, true, nrows);
	binlog_decoder_free(d);
	fixture_free(&fx);

	/* no checksums: every prefix goes to the parser */
	fixture_load(&fx, "minimal");
	d = find_rows(&fx, "t_dec", BINLOG_WRITE_ROWS_EVENT_V1, &pos, &size, &nrows);
	truncate_each(d, fx.bin + pos, size, false, nrows);
	binlog_decoder_free(d);
	fixture_free(&fx);
}
END_TEST

/* without checksums a flipped byte reaches the parser: no crash, and any
 * error names the event */
START_TEST(test_flipped_byte_without_checksum)
{
	fixture		fx;
	size_t		pos, size, nrows;

	fixture_load(&fx, "minimal");
	binlog_decoder *d = find_rows(&fx, "t_time", BINLOG_WRITE_ROWS_EVENT_V1, &pos, &size, &nrows);
	uint8_t    *e = xmalloc(size);

	for (size_t i = 19; i < size; i++)
		for (int bit = 0; bit < 8; bit++) {
			binlog_event ev;
			char		err[1024] = "";

			memcpy(e, fx.bin + pos, size);
			e[i] ^= (uint8_t) (1 << bit);
			if (!binlog_decode(d, e, size, &ev, err, sizeof(err)))
				ck_assert_msg(strstr(err, "WRITE_ROWS_EVENT_V1") != NULL, "%s", err);
		}
	free(e);
	binlog_decoder_free(d);
	fixture_free(&fx);
}
END_TEST

/* serialize_rows: the rows of an event as bytes, to compare two decodes */
static void
serialize_rows(const binlog_event *ev, buf *out)
{
	for (size_t r = 0; r < ev->u.rows.nrows; r++)
		for (int img = 0; img < 2; img++) {
			const binlog_value *v = img ? ev->u.rows.rows[r].after : ev->u.rows.rows[r].before;

			buf_printf(out, "[%d]", v != NULL);
			for (size_t c = 0; v && c < ev->u.rows.table->ncols; c++) {
				buf_printf(out, "%d%d%zu:", v[c].present, v[c].data != NULL, v[c].len);
				if (v[c].data)
					buf_append(out, v[c].data, v[c].len);
			}
		}
}

/* to_v2: a v1 rows event as v2 (type + 6, a variable header of extra bytes) */
static uint8_t *
to_v2(const uint8_t *v1, size_t size, uint8_t type, size_t extra, size_t *len)
{
	uint8_t    *e = xmalloc(size + 2 + extra);

	memcpy(e, v1, 19 + 8);
	put_le(e + 27, 2 + extra, 2);
	for (size_t i = 0; i < extra; i++)
		e[29 + i] = (uint8_t) (0xa0 + i);
	memcpy(e + 29 + extra, v1 + 27, size - 27);
	e[4] = type;
	*len = size + 2 + extra;
	reseal(e, *len, true);
	return e;
}

/* v2 and compressed-v2 rows events decode like the v1 events they are made
 * from; a compressed write turned into a compressed delete gives the same
 * images as before images */
START_TEST(test_rows_v2_and_compressed_variants)
{
	const char *files[2] = { "full", "compressed" };
	const uint8_t v1[2] = { BINLOG_UPDATE_ROWS_EVENT_V1, BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1 };
	const uint8_t v2[2] = { BINLOG_UPDATE_ROWS_EVENT, BINLOG_WRITE_ROWS_COMPRESSED_EVENT };

	for (int f = 0; f < 2; f++) {
		fixture		fx;
		size_t		pos, size, nrows, len;
		binlog_event ev;
		buf			a = BUF_INIT, b = BUF_INIT;

		fixture_load(&fx, files[f]);
		binlog_decoder *d = find_rows(&fx, "t_str", v1[f], &pos, &size, &nrows);

		decode_ok(d, fx.bin + pos, size, &ev);
		serialize_rows(&ev, &a);
		for (size_t extra = 0; extra <= 6; extra += 6) {
			uint8_t    *e = to_v2(fx.bin + pos, size, v2[f], extra, &len);

			decode_ok(d, e, len, &ev);
			ck_assert_uint_eq(ev.u.rows.nrows, nrows);
			buf_reset(&b);
			serialize_rows(&ev, &b);
			ck_assert_uint_eq(a.len, b.len);
			ck_assert_mem_eq(a.data, b.data, a.len);
			/* an extra-data length that runs past the event */
			put_le(e + 27, 0xffff, 2);
			reseal(e, len, true);
			decode_fails(d, e, len, "truncated", NULL);
			put_le(e + 27, 1, 2);
			reseal(e, len, true);
			decode_fails(d, e, len, "truncated", NULL);
			free(e);
		}
		if (f == 1) {
			uint8_t    *e = xmalloc(size);

			memcpy(e, fx.bin + pos, size);
			e[4] = BINLOG_DELETE_ROWS_COMPRESSED_EVENT_V1;
			reseal(e, size, true);
			decode_ok(d, e, size, &ev);
			ck_assert_int_eq(ev.u.rows.kind, BINLOG_ROWS_DELETE);
			ck_assert_uint_eq(ev.u.rows.nrows, nrows);
			for (size_t r = 0; r < nrows; r++)
				ck_assert(ev.u.rows.rows[r].before && !ev.u.rows.rows[r].after);
			free(e);
		}
		buf_free(&a);
		buf_free(&b);
		binlog_decoder_free(d);
		fixture_free(&fx);
	}
}
END_TEST

/* the stream's first event, an artificial ROTATE, comes before any
 * FORMAT_DESCRIPTION: binlog_decoder_set_checksum says whether it has a CRC */
START_TEST(test_checksum_set_by_caller)
{
	fixture		fx;
	size_t		last = 0;
	binlog_event ev;

	fixture_load(&fx, "full");
	for (size_t p = 4; p + 19 <= fx.len; p += rd32(fx.bin + p + 9))
		last = p;
	ck_assert_uint_eq(fx.bin[last + 4], BINLOG_ROTATE_EVENT);

	binlog_decoder *d = binlog_decoder_new(NULL, NULL);

	binlog_decoder_set_checksum(d, true);
	decode_ok(d, fx.bin + last, fx.len - last, &ev);
	ck_assert_int_eq(ev.kind, BINLOG_EV_ROTATE);
	ck_assert_uint_eq(ev.u.rotate.pos, 4);
	ck_assert_uint_eq(strlen(ev.u.rotate.file), 18);
	ck_assert(strncmp(ev.u.rotate.file, "mariadb-bin.", 12) == 0);

	/* a heartbeat carries the current file name */
	size_t		len;
	uint8_t    *e = make_event(BINLOG_HEARTBEAT_LOG_EVENT, 0, "mariadb-bin.000042", 18, true, &len);

	decode_ok(d, e, len, &ev);
	ck_assert_int_eq(ev.kind, BINLOG_EV_HEARTBEAT);
	ck_assert_str_eq(ev.u.heartbeat.file, "mariadb-bin.000042");
	e[25] ^= 1;
	decode_fails(d, e, len, "HEARTBEAT_LOG_EVENT", "checksum");
	free(e);
	binlog_decoder_free(d);

	/* MINIMAL's file has no checksums; its format description says so */
	fixture_free(&fx);
	fixture_load(&fx, "minimal");
	d = binlog_decoder_new(NULL, NULL);
	binlog_decoder_set_checksum(d, true);
	decode_ok(d, fx.bin + 4, rd32(fx.bin + 4 + 9), &ev);
	ck_assert_int_eq(ev.kind, BINLOG_EV_FORMAT);
	ck_assert(!ev.u.format.checksum);
	binlog_decoder_free(d);
	fixture_free(&fx);
}
END_TEST

/* --- events made here -------------------------------------------------------------- */

START_TEST(test_unknown_events)
{
	binlog_decoder *d = binlog_decoder_new(NULL, NULL);
	binlog_event ev;
	size_t		len;
	uint8_t    *e = make_event(200, 0x80, "abc", 3, false, &len);

	decode_ok(d, e, len, &ev);
	ck_assert_int_eq(ev.kind, BINLOG_EV_OTHER);
	ck_assert_uint_eq(ev.type, 200);
	free(e);
	e = make_event(200, 0, "abc", 3, false, &len);
	decode_fails(d, e, len, "unknown event type", "(type 200)");
	free(e);
	/* known events with nothing to act on */
	const uint8_t other[] = { BINLOG_INTVAR_EVENT, BINLOG_RAND_EVENT, BINLOG_USER_VAR_EVENT,
		BINLOG_STOP_EVENT, BINLOG_START_ENCRYPTION_EVENT };

	for (size_t i = 0; i < sizeof(other); i++) {
		e = make_event(other[i], 0, "0123456789abcdef", 16, false, &len);
		decode_ok(d, e, len, &ev);
		ck_assert_int_eq(ev.kind, BINLOG_EV_OTHER);
		free(e);
	}
	e = make_event(21, 0, "0123456789", 10, false, &len);
	decode_fails(d, e, len, "PRE_GA_UPDATE_ROWS_EVENT", "not supported");
	free(e);
	ck_assert_str_eq(binlog_event_name(BINLOG_GTID_EVENT), "GTID_EVENT");
	ck_assert_str_eq(binlog_event_name(171), "DELETE_ROWS_COMPRESSED_EVENT");
	ck_assert_str_eq(binlog_event_name(99), "UNKNOWN_EVENT");
	binlog_decoder_free(d);
}
END_TEST

START_TEST(test_lying_lengths)
{
	binlog_decoder *d = binlog_decoder_new(NULL, NULL);
	binlog_event ev;
	size_t		len;
	uint8_t    *e = make_event(BINLOG_XID_EVENT, 0, "\x01\0\0\0\0\0\0\0", 8, false, &len);

	decode_ok(d, e, len, &ev);
	ck_assert_int_eq(ev.kind, BINLOG_EV_XID);
	ck_assert_uint_eq(ev.u.xid.xid, 1);
	/* event_size says more, or less, than the bytes given */
	put_le(e + 9, len + 1, 4);
	decode_fails(d, e, len, "event_size says 28 bytes", "27");
	put_le(e + 9, len - 1, 4);
	decode_fails(d, e, len, "XID_EVENT", "event_size");
	free(e);
	e = make_event(BINLOG_XID_EVENT, 0, "\x01\0\0\0\0\0\0", 7, false, &len);
	decode_fails(d, e, len, "XID_EVENT", "truncated");
	free(e);

	/* a QUERY whose status variables run past the event */
	uint8_t		q[64] = { 0 };

	q[8] = 2;                   /* db length */
	put_le(q + 11, 200, 2);     /* status_vars_len */
	e = make_event(BINLOG_QUERY_EVENT, 0, q, 30, false, &len);
	decode_fails(d, e, len, "QUERY_EVENT", "truncated");
	free(e);
	put_le(q + 11, 0, 2);
	memcpy(q + 13, "db\0BEGIN", 8);
	e = make_event(BINLOG_QUERY_EVENT, 0, q, 21, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_str_eq(ev.u.query.db, "db");
	ck_assert_str_eq(ev.u.query.sql, "BEGIN");
	free(e);
	q[15] = 'x';                /* the db name's NUL */
	e = make_event(BINLOG_QUERY_EVENT, 0, q, 21, false, &len);
	decode_fails(d, e, len, "QUERY_EVENT", "malformed");
	free(e);

	/* a ROTATE with a file name too long to be one */
	uint8_t		rot[600];

	memset(rot, 'a', sizeof(rot));
	e = make_event(BINLOG_ROTATE_EVENT, 0, rot, sizeof(rot), false, &len);
	decode_fails(d, e, len, "ROTATE_EVENT", "file name");
	free(e);

	/* GTID with a commit id and an XA xid, then the xid cut short */
	uint8_t		g[64] = { 0 };

	put_le(g, 77, 8);
	put_le(g + 8, 3, 4);
	g[12] = 0x02 | 0x40;
	put_le(g + 13, 99, 8);      /* commit id */
	g[25] = 3;                  /* gtrid length */
	g[26] = 2;                  /* bqual length */
	memcpy(g + 27, "abcde", 5);
	e = make_event(BINLOG_GTID_EVENT, 0, g, 32, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_uint_eq(ev.u.gtid.seq_no, 77);
	ck_assert_uint_eq(ev.u.gtid.domain_id, 3);
	ck_assert_uint_eq(ev.u.gtid.flags, 0x42);
	free(e);
	e = make_event(BINLOG_GTID_EVENT, 0, g, 30, false, &len);
	decode_fails(d, e, len, "GTID_EVENT", "truncated");
	free(e);
	g[25] = 200;
	e = make_event(BINLOG_GTID_EVENT, 0, g, 32, false, &len);
	decode_fails(d, e, len, "GTID_EVENT", NULL);
	free(e);
	binlog_decoder_free(d);

	/* rows: a BLOB whose length runs past the event, a VARCHAR longer than
	 * its column, a width that is not the table's, too many columns */
	const uint8_t types[2] = { 252, 15 };
	const uint8_t meta[3] = { 2, 10, 0 };
	tm_spec		s = { 42, "db", "t", 2, types, meta, 3, NULL, 0 };
	char		err[1024];

	d = synthetic(NULL, NULL, &s);
	uint8_t		row[64] = { 0 };

	put_le(row + 1, 1000, 2);
	memcpy(row + 3, "abcde", 5);
	ck_assert(!rows_event(d, 2, row, 8, &ev, err, sizeof(err)));
	ck_assert_msg(strstr(err, "truncated") && strstr(err, "`db`.`t`") && strstr(err, "column 1"), "%s", err);
	put_le(row + 1, 2, 2);
	row[5] = 20;                /* VARCHAR(10) value of 20 bytes */
	ck_assert(!rows_event(d, 2, row, 30, &ev, err, sizeof(err)));
	ck_assert_msg(strstr(err, "longer than") && strstr(err, "column 2"), "%s", err);
	row[5] = 3;
	memcpy(row + 6, "xyz", 3);
	ck_assert_msg(rows_event(d, 2, row, 9, &ev, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(ev.u.rows.nrows, 1);
	ck_assert_mem_eq(ev.u.rows.rows[0].after[1].data, "xyz", 3);
	ck_assert(!rows_event(d, 3, row, 9, &ev, err, sizeof(err)));
	ck_assert_msg(strstr(err, "3 columns, but its table map has 2"), "%s", err);

	uint8_t		body[64];
	size_t		n = rows_body(body, 42, 2, row, 9);

	body[8] = 0xfc;             /* width 0x1388 = 5000 */
	body[9] = 0x88;
	body[10] = 0x13;
	e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, body, n, false, &len);
	decode_fails(d, e, len, "5000 columns", NULL);
	free(e);
	body[8] = 251;              /* a NULL length-encoded integer */
	e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, body, n, false, &len);
	decode_fails(d, e, len, "WRITE_ROWS_EVENT_V1", "malformed");
	free(e);

	/* a row image that shows no column would never end */
	n = rows_body(body, 42, 2, row, 9);
	body[9] = 0;
	e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, body, n, false, &len);
	decode_fails(d, e, len, "no column", NULL);
	free(e);
	binlog_decoder_free(d);

	/* a table map of 5000 columns */
	uint8_t		tm[128];

	s.ncols = 1;
	n = tm_body(tm, &s);
	tm[15] = 0xfc;
	tm[16] = 0x88;
	tm[17] = 0x13;
	d = binlog_decoder_new(NULL, NULL);
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, tm, n + 2, false, &len);
	decode_fails(d, e, len, "TABLE_MAP_EVENT", "5000 columns");
	free(e);
	binlog_decoder_free(d);
}
END_TEST

START_TEST(test_compressed_lengths)
{
	const uint8_t types[1] = { 3 };
	tm_spec		s = { 42, "db", "t", 1, types, NULL, 0, NULL, 0 };
	binlog_decoder *d = synthetic(NULL, NULL, &s);
	uint8_t		row[32], packed[64], body[128];
	uLongf		plen = sizeof(packed) - 5;
	binlog_event ev;
	size_t		len, n;
	uint8_t    *e;

	row[0] = 0;                 /* null bitmap */
	put_le(row + 1, 123456, 4);
	ck_assert_int_eq(compress(packed + 2, &plen, row, 5), Z_OK);
	packed[0] = 0x81;
	packed[1] = 5;
	n = rows_body(body, 42, 1, packed, plen + 2);
	e = make_event(BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, 0, body, n, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_uint_eq(ev.u.rows.nrows, 1);
	ck_assert_mem_eq(ev.u.rows.rows[0].after[0].data, "123456", 6);
	free(e);
	/* a length that the data does not inflate to */
	packed[1] = 6;
	n = rows_body(body, 42, 1, packed, plen + 2);
	e = make_event(BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, 0, body, n, false, &len);
	decode_fails(d, e, len, "does not inflate", NULL);
	free(e);
	/* a claim no deflate stream of that size can make */
	packed[0] = 0x84;
	put_le(packed + 1, 0xffffffff, 4);
	n = rows_body(body, 42, 1, packed, plen + 5);
	e = make_event(BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, 0, body, n, false, &len);
	decode_fails(d, e, len, "claims", NULL);
	free(e);
	/* an unknown algorithm, and a length of 5 bytes */
	packed[0] = 0x91;
	n = rows_body(body, 42, 1, packed, plen + 5);
	e = make_event(BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, 0, body, n, false, &len);
	decode_fails(d, e, len, "header byte", NULL);
	free(e);
	packed[0] = 0x85;
	n = rows_body(body, 42, 1, packed, plen + 5);
	e = make_event(BINLOG_WRITE_ROWS_COMPRESSED_EVENT_V1, 0, body, n, false, &len);
	decode_fails(d, e, len, "5-byte length", NULL);
	free(e);
	binlog_decoder_free(d);
}
END_TEST

/* optional metadata the recordings do not use: DEFAULT_CHARSET with an
 * exception, ENUM_AND_SET_COLUMN_CHARSET, PRIMARY_KEY_WITH_PREFIX, a field
 * of a later version; latin1 labels and text come out in UTF-8 */
START_TEST(test_table_map_metadata)
{
	const uint8_t types[5] = { 3, 15, 15, 254, 254 };
	const uint8_t meta[8] = { 20, 0, 20, 0, 247, 1, 248, 1 };
	const uint8_t opt[] = {
		2, 3, 45, 1, 8,                     /* DEFAULT_CHARSET 45, char column 1 is 8 */
		11, 2, 8, 224,                      /* ENUM_AND_SET_COLUMN_CHARSET */
		9, 4, 0, 0, 2, 10,                  /* PRIMARY_KEY_WITH_PREFIX (0), (2, 10) */
		99, 3, 1, 2, 3,                     /* unknown: skipped */
		6, 5, 2, 1, 'a', 1, 0xe9,           /* ENUM_STR_VALUE 'a', latin1 e-acute */
		5, 6, 2, 1, 'x', 2, 'y', 'z',       /* SET_STR_VALUE 'x', 'yz' */
		1, 1, 0x80                          /* SIGNEDNESS: the INT is unsigned */
	};
	tm_spec		s = { 42, "db", "t", 5, types, meta, 8, opt, sizeof(opt) };
	binlog_decoder *d = binlog_decoder_new(NULL, NULL);
	uint8_t		body[512];
	size_t		len;
	binlog_event ev;
	char		err[1024];
	uint8_t    *e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);

	decode_ok(d, e, len, &ev);
	free(e);
	const binlog_table *t = ev.u.table_map;

	ck_assert_uint_eq(t->ncols, 5);
	ck_assert(t->cols[0].is_unsigned && t->cols[0].has_signedness);
	ck_assert_uint_eq(t->cols[1].charset, 45);
	ck_assert_uint_eq(t->cols[2].charset, 8);
	ck_assert_uint_eq(t->cols[3].charset, 8);
	ck_assert_uint_eq(t->cols[4].charset, 224);
	ck_assert(t->cols[0].is_pk && !t->cols[1].is_pk && t->cols[2].is_pk);
	ck_assert_int_eq(t->cols[3].type, 247);
	ck_assert_int_eq(t->cols[4].type, 248);
	ck_assert_uint_eq(t->cols[3].nlabels, 2);
	ck_assert_str_eq(t->cols[3].labels[1], "\xc3\xa9");
	ck_assert_str_eq(t->cols[4].labels[1], "yz");
	ck_assert_uint_eq(t->cols[1].meta, 20);
	ck_assert_ptr_null(t->cols[0].name);

	const uint8_t row[] = { 0, 0xff, 0xff, 0xff, 0xff, 2, 'a', 'b', 1, 0xe9, 2, 3 };

	ck_assert_msg(rows_event(d, 5, row, sizeof(row), &ev, err, sizeof(err)), "%s", err);
	const binlog_value *v = ev.u.rows.rows[0].after;

	ck_assert_mem_eq(v[0].data, "4294967295", 10);
	ck_assert_mem_eq(v[1].data, "ab", 2);
	ck_assert_uint_eq(v[2].len, 2);
	ck_assert_mem_eq(v[2].data, "\xc3\xa9", 2);
	ck_assert_uint_eq(v[3].len, 2);
	ck_assert_mem_eq(v[3].data, "\xc3\xa9", 2);
	ck_assert_uint_eq(v[4].len, 4);
	ck_assert_mem_eq(v[4].data, "x,yz", 4);
	binlog_decoder_free(d);

	/* a DEFAULT_CHARSET exception for a column that is not there */
	const uint8_t bad[] = { 2, 3, 45, 7, 8 };

	s.opt = bad;
	s.optlen = sizeof(bad);
	d = binlog_decoder_new(NULL, NULL);
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
	decode_fails(d, e, len, "malformed character set metadata", "`db`.`t`");
	free(e);
	binlog_decoder_free(d);
}
END_TEST

/* counting_hook: counts calls; ctx is the counter */
static bool
counting_hook(binlog_table *bt, void *ctx, char *errbuf, size_t errlen)
{
	(*(int *) ctx)++;
	if (strcmp(bt->name, "refused") == 0) {
		snprintf(errbuf, errlen, "no such table in the plan");
		return false;
	}
	bt->wanted = true;
	return true;
}

/* a re-map with the same bytes is the same table; different content under
 * the same id is a new one, for the hook and for the rows */
START_TEST(test_table_remap)
{
	int			calls = 0;
	const uint8_t t1[1] = { 3 }, t2[2] = { 3, 1 };
	tm_spec		s = { 42, "db", "t", 1, t1, NULL, 0, NULL, 0 };
	binlog_decoder *d = synthetic(counting_hook, &calls, &s);
	uint8_t		body[256];
	size_t		len;
	binlog_event ev;
	char		err[1024];

	ck_assert_int_eq(calls, 1);
	uint8_t    *e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);

	decode_ok(d, e, len, &ev);
	const binlog_table *first = ev.u.table_map;

	decode_ok(d, e, len, &ev);
	ck_assert_ptr_eq(ev.u.table_map, first);
	ck_assert_int_eq(calls, 1);
	free(e);
	s.ncols = 2;
	s.types = t2;
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_int_eq(calls, 2);
	ck_assert_uint_eq(ev.u.table_map->ncols, 2);
	free(e);
	const uint8_t row[6] = { 0, 1, 0, 0, 0, 0xff };

	ck_assert_msg(rows_event(d, 2, row, 6, &ev, err, sizeof(err)), "%s", err);
	ck_assert_mem_eq(ev.u.rows.rows[0].after[1].data, "-1", 2);

	/* the hook's refusal fails the decode with its message */
	s.id = 43;
	s.name = "refused";
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
	decode_fails(d, e, len, "no such table in the plan", "`db`.`refused`");
	free(e);
	/* rows of a table id never mapped: no table, no rows, not an error */
	uint8_t		rb[64];
	size_t		n = rows_body(rb, 44, 2, row, 6);

	e = make_event(BINLOG_DELETE_ROWS_EVENT_V1, 0, rb, n, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_int_eq(ev.kind, BINLOG_EV_ROWS);
	ck_assert_ptr_null(ev.u.rows.table);
	ck_assert_uint_eq(ev.u.rows.nrows, 0);
	free(e);
	binlog_decoder_free(d);
}
END_TEST

/* more table ids than the decoder keeps: the least recently used map goes,
 * its rows are then of an unknown table, and a new map of it is new to the
 * hook */
START_TEST(test_table_eviction)
{
	int			calls = 0;
	const uint8_t types[1] = { 3 };
	tm_spec		s = { 1, "db", "t", 1, types, NULL, 0, NULL, 0 };
	binlog_decoder *d = binlog_decoder_new(counting_hook, &calls);
	uint8_t		body[256], rb[64];
	const uint8_t row[5] = { 0, 7, 0, 0, 0 };
	size_t		len, n;
	binlog_event ev;
	uint8_t    *e;

	for (uint64_t id = 1; id <= 16385; id++) {
		s.id = id;
		e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
		decode_ok(d, e, len, &ev);
		free(e);
		if (id == 1) {
			/* table 2 is mapped after 1, but 1 is used again after it */
			continue;
		}
		if (id == 2) {
			n = rows_body(rb, 1, 1, row, 5);
			e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, rb, n, false, &len);
			decode_ok(d, e, len, &ev);
			ck_assert_ptr_nonnull(ev.u.rows.table);
			free(e);
		}
	}
	ck_assert_int_eq(calls, 16385);
	n = rows_body(rb, 2, 1, row, 5);
	e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, rb, n, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_ptr_null(ev.u.rows.table);
	free(e);
	n = rows_body(rb, 1, 1, row, 5);
	e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, rb, n, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_ptr_nonnull(ev.u.rows.table);
	ck_assert_mem_eq(ev.u.rows.rows[0].after[0].data, "7", 1);
	free(e);
	s.id = 2;
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_int_eq(calls, 16386);
	free(e);
	binlog_decoder_free(d);
}
END_TEST

/* a MINIMAL image can show one column of 4096 in a byte: past a bound the
 * event is refused rather than allowed to take gigabytes */
START_TEST(test_too_many_values)
{
	static uint8_t types[4096], body[16384], rb[8192];
	tm_spec		s = { 42, "db", "wide", 4096, types, NULL, 0, NULL, 0 };
	size_t		len, n = 0;
	binlog_event ev;

	memset(types, 3, sizeof(types));
	binlog_decoder *d = binlog_decoder_new(NULL, NULL);
	uint8_t    *e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);

	decode_ok(d, e, len, &ev);
	free(e);
	put_le(rb, 42, 6);
	n = 8;
	rb[n++] = 0xfc;
	put_le(rb + n, 4096, 2);
	n += 2;
	memset(rb + n, 0, 512);
	rb[n] = 1;                  /* only column 1 in the image */
	n += 512;
	memset(rb + n, 1, 20);      /* 20 rows, each a null bitmap saying NULL */
	e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, rb, n + 20, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert_uint_eq(ev.u.rows.nrows, 20);
	ck_assert(ev.u.rows.rows[19].after[0].present && !ev.u.rows.rows[19].after[0].data);
	ck_assert(!ev.u.rows.rows[19].after[4095].present);
	free(e);
	memset(rb + n, 1, 1000);
	e = make_event(BINLOG_WRITE_ROWS_EVENT_V1, 0, rb, n + 1000, false, &len);
	decode_fails(d, e, len, "too many values", "`db`.`wide`");
	free(e);
	binlog_decoder_free(d);
}
END_TEST

/* values the recorded files cannot have, and what needs the hook */
START_TEST(test_values_refused)
{
	binlog_event ev;
	char		err[1024];

	/* ENUM without labels (MINIMAL metadata and no hook), index beyond
	 * its labels */
	const uint8_t te[1] = { 254 };
	const uint8_t me[2] = { 247, 1 };
	tm_spec		s = { 42, "db", "t", 1, te, me, 2, NULL, 0 };
	binlog_decoder *d = synthetic(NULL, NULL, &s);
	const uint8_t r2[2] = { 0, 2 };
	const uint8_t r0[2] = { 0, 0 };

	value_fails(d, r2, 2, "ENUM labels unknown", "`db`.`t`, column 1");
	value_is(d, r0, 2, "", 0);
	binlog_decoder_free(d);
	const uint8_t opt[] = { 6, 5, 1, 3, 'o', 'n', 'e', 4, 2, 0, 0 };

	s.opt = opt;
	s.optlen = 7;
	d = synthetic(NULL, NULL, &s);
	value_fails(d, r2, 2, "ENUM index 2 beyond its 1 labels", NULL);
	const uint8_t r1[2] = { 0, 1 };

	value_is(d, r1, 2, "one", 3);
	binlog_decoder_free(d);

	/* column names from the metadata name the column in messages */
	const uint8_t opt_names[] = { 4, 4, 3, 'c', 'o', 'l' };

	s.opt = opt_names;
	s.optlen = sizeof(opt_names);
	d = synthetic(NULL, NULL, &s);
	value_fails(d, r2, 2, "column 1 (`col`)", "ENUM labels unknown");
	binlog_decoder_free(d);

	/* a character set whose text the server would convert (ucs2) */
	const uint8_t tv[1] = { 15 };
	const uint8_t mv[2] = { 20, 0 };
	const uint8_t opt_cs[] = { 3, 1, 35 };

	s.types = tv;
	s.meta = mv;
	s.opt = opt_cs;
	s.optlen = sizeof(opt_cs);
	d = synthetic(NULL, NULL, &s);
	const uint8_t rv[4] = { 0, 2, 0, 'a' };

	value_fails(d, rv, 4, "collation 35 is not carried", NULL);
	binlog_decoder_free(d);

	/* DECIMAL(5,2) digit group out of range; a negative zero */
	const uint8_t td[1] = { 246 };
	const uint8_t md[2] = { 5, 2 };

	s.types = td;
	s.meta = md;
	s.opt = NULL;
	s.optlen = 0;
	d = synthetic(NULL, NULL, &s);
	const uint8_t bad[4] = { 0, 0x80, 0x03, 0xff };
	const uint8_t ok[4] = { 0, 0x80, 0x01, 0x05 };

	value_fails(d, bad, 4, "digit group", NULL);
	value_is(d, ok, 4, "1.05", 4);
	binlog_decoder_free(d);

	/* FLOAT NaN; DATETIME2 with the sign bit clear */
	const uint8_t tf[1] = { 4 };
	const uint8_t mf[1] = { 4 };

	s.types = tf;
	s.meta = mf;
	s.metalen = 1;
	d = synthetic(NULL, NULL, &s);
	const uint8_t nan[5] = { 0, 0, 0, 0xc0, 0x7f };

	value_fails(d, nan, 5, "not a finite number", NULL);
	binlog_decoder_free(d);
	const uint8_t tdt[1] = { 18 };
	const uint8_t mdt[1] = { 0 };

	s.types = tdt;
	s.meta = mdt;
	d = synthetic(NULL, NULL, &s);
	const uint8_t neg[6] = { 0, 0x00, 0, 0, 0, 0 };
	const uint8_t zero[6] = { 0, 0x80, 0, 0, 0, 0 };

	value_fails(d, neg, 6, "DATETIME value out of range", NULL);
	value_is(d, zero, 6, "0000-00-00 00:00:00", 19);
	binlog_decoder_free(d);

	/* table map metadata out of range: TIME2(7), BIT(0), DECIMAL(70,2) */
	const uint8_t tt[1] = { 19 };
	const uint8_t mt[1] = { 7 };

	s.types = tt;
	s.meta = mt;
	d = binlog_decoder_new(NULL, NULL);
	uint8_t		body[256];
	size_t		len;
	uint8_t    *e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);

	decode_fails(d, e, len, "more than 6 fractional digits", "column 1");
	free(e);
	const uint8_t tb[1] = { 16 };
	const uint8_t mb[2] = { 0, 0 };

	s.types = tb;
	s.meta = mb;
	s.metalen = 2;
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
	decode_fails(d, e, len, "BIT length out of range", NULL);
	free(e);
	const uint8_t md70[2] = { 70, 2 };

	s.types = td;
	s.meta = md70;
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
	decode_fails(d, e, len, "precision or scale", NULL);
	free(e);
	binlog_decoder_free(d);

	/* a column type the decoder does not know fails only if the table is wanted */
	const uint8_t tu[2] = { 3, 99 };

	s.types = tu;
	s.ncols = 2;
	s.meta = NULL;
	s.metalen = 0;
	int			calls = 0;

	d = synthetic(counting_hook, &calls, &s);
	const uint8_t ru[5] = { 0, 1, 0, 0, 0 };

	ck_assert(!rows_event(d, 2, ru, 5, &ev, err, sizeof(err)));
	ck_assert_msg(strstr(err, "type 99, which this decoder does not know"), "%s", err);
	binlog_decoder_free(d);
	d = synthetic(only_hook, (void *) "other", &s);
	ck_assert_msg(rows_event(d, 2, ru, 5, &ev, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(ev.u.rows.nrows, 0);
	binlog_decoder_free(d);
}
END_TEST

/* renderings the recorded files do not reach */
START_TEST(test_values_rendered)
{
	tm_spec		s = { 42, "db", "t", 1, NULL, NULL, 0, NULL, 0 };
	binlog_decoder *d;

	/* INET6 and UUID from a BINARY(16) with its trailing zeros stripped */
	const uint8_t ts[1] = { 254 };
	const uint8_t ms[2] = { 254, 16 };
	const uint8_t opt_bin[] = { 3, 1, 63 };

	s.types = ts;
	s.meta = ms;
	s.metalen = 2;
	s.opt = opt_bin;
	s.optlen = sizeof(opt_bin);
	d = synthetic(NULL, NULL, &s);
	const uint8_t b1[4] = { 0, 2, 0x20, 0x01 };

	value_is(d, b1, 4, "\x20\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	binlog_decoder_free(d);
	binlog_column *col;
	binlog_event ev;
	char		err[256];
	uint8_t		body[256];
	size_t		len;

	/* the hook could set render hints after the fact; here set them by hand */
	d = synthetic(NULL, NULL, &s);
	uint8_t    *e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);

	decode_ok(d, e, len, &ev);
	free(e);
	col = &((binlog_table *) ev.u.table_map)->cols[0];
	col->render = BINLOG_RENDER_INET6;
	value_is(d, b1, 4, "2001::", 6);
	const uint8_t b2[18] = { 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
	const uint8_t b3[18] = { 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };

	value_is(d, b2, 18, "::1:0:0", 7);
	value_is(d, b3, 18, "::0.1.0.0", 9);   /* IPv4-compatible, as MariaDB prints it */
	col->render = BINLOG_RENDER_UUID;
	value_is(d, b1, 4, "20010000-0000-0000-0000-000000000000", 36);
	col->render = BINLOG_RENDER_INET4;
	value_fails(d, b2, 18, "too long for INET4", NULL);
	(void) err;
	binlog_decoder_free(d);

	/* FLOAT(M,D) and DOUBLE(M,D) print D decimals once the hook says D */
	const uint8_t td[1] = { 5 };
	const uint8_t md[1] = { 8 };

	s.types = td;
	s.meta = md;
	s.metalen = 1;
	s.opt = NULL;
	s.optlen = 0;
	d = synthetic(NULL, NULL, &s);
	e = make_event(BINLOG_TABLE_MAP_EVENT, 0, body, tm_body(body, &s), false, &len);
	decode_ok(d, e, len, &ev);
	free(e);
	col = &((binlog_table *) ev.u.table_map)->cols[0];
	uint8_t		r[9] = { 0 };
	double		x = 2.5;

	memcpy(r + 1, &x, 8);
	value_is(d, r, 9, "2.5", 3);
	col->decimals = 0;
	value_is(d, r, 9, "2", 1);
	col->decimals = 3;
	value_is(d, r, 9, "2.500", 5);
	x = -0.0001;
	memcpy(r + 1, &x, 8);
	value_is(d, r, 9, "-0.000", 6);
	col->decimals = -1;
	value_is(d, r, 9, "-0.0001", 7);
	x = 1e-15;
	memcpy(r + 1, &x, 8);
	value_is(d, r, 9, "0.000000000000001", 17);
	x = 123456789012345.0;
	memcpy(r + 1, &x, 8);
	value_is(d, r, 9, "123456789012345", 15);
	x = 1234567890123456.0;
	memcpy(r + 1, &x, 8);
	value_is(d, r, 9, "1.234567890123456e15", 20);
	x = 0.5;                    /* a power of two */
	memcpy(r + 1, &x, 8);
	value_is(d, r, 9, "0.5", 3);
	x = 9007199254740992.0;
	memcpy(r + 1, &x, 8);
	value_is(d, r, 9, "9.007199254740992e15", 20);
	binlog_decoder_free(d);
}
END_TEST

Suite *
binlog_suite(void)
{
	Suite	   *s = suite_create("binlog");
	TCase	   *tc = tcase_create("fixtures");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fixture_full);
	tcase_add_test(tc, test_fixture_minimal);
	tcase_add_test(tc, test_fixture_compressed);
	tcase_add_test(tc, test_fixture_unwanted_table);
	tcase_add_test(tc, test_flipped_byte_fails_checksum);
	tcase_add_test(tc, test_truncated_events);
	tcase_add_test(tc, test_flipped_byte_without_checksum);
	tcase_add_test(tc, test_rows_v2_and_compressed_variants);
	tcase_add_test(tc, test_checksum_set_by_caller);
	suite_add_tcase(s, tc);

	tc = tcase_create("synthetic");
	tcase_add_test(tc, test_unknown_events);
	tcase_add_test(tc, test_lying_lengths);
	tcase_add_test(tc, test_compressed_lengths);
	tcase_add_test(tc, test_table_remap);
	tcase_add_test(tc, test_table_map_metadata);
	tcase_add_test(tc, test_table_eviction);
	tcase_add_test(tc, test_too_many_values);
	tcase_add_test(tc, test_values_refused);
	tcase_add_test(tc, test_values_rendered);
	suite_add_tcase(s, tc);
	return s;
}
