/*
 * Unit tests for the binlog decoder's row values, on binlog files recorded
 * from a real MariaDB server and on synthetic events. Event framing has its
 * own suite.
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
 * Then v2 and compressed variants made from the recorded v1 rows events
 * must decode to the same rows, and synthetic one-value events pin down the
 * rendering of values no recording covers, and the values that are refused.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/binlog.h"
#include "common/xalloc.h"
#include "tests/unit/test_binlog.h"

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

/* --- rows events in other forms -------------------------------------------------- */

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

/* --- values of events made here ----------------------------------------------- */

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

/* refused_labels_and_charsets: ENUM values without labels or beyond them,
 * and text in a character set that is not carried (for test_values_refused) */
static void
refused_labels_and_charsets(void)
{
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

}

/* refused_numbers_and_dates: a DECIMAL digit group out of range, a FLOAT
 * NaN, a DATETIME2 with its sign bit clear (for test_values_refused) */
static void
refused_numbers_and_dates(void)
{
	tm_spec		s = { 42, "db", "t", 1, NULL, NULL, 2, NULL, 0 };
	binlog_decoder *d;

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

}

/* refused_table_maps: table map metadata out of range, and a column type
 * the decoder does not know (for test_values_refused) */
static void
refused_table_maps(void)
{
	binlog_event ev;
	char		err[1024];
	const uint8_t td[1] = { 246 };
	tm_spec		s = { 42, "db", "t", 1, NULL, NULL, 1, NULL, 0 };
	binlog_decoder *d;

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

/* values the recorded files cannot have, and what needs the hook */
START_TEST(test_values_refused)
{
	refused_labels_and_charsets();
	refused_numbers_and_dates();
	refused_table_maps();
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
binlog_rows_suite(void)
{
	Suite	   *s = suite_create("binlog_rows");
	TCase	   *tc = tcase_create("fixtures");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fixture_full);
	tcase_add_test(tc, test_fixture_minimal);
	tcase_add_test(tc, test_fixture_compressed);
	tcase_add_test(tc, test_fixture_unwanted_table);
	tcase_add_test(tc, test_rows_v2_and_compressed_variants);
	suite_add_tcase(s, tc);

	tc = tcase_create("synthetic");
	tcase_add_test(tc, test_too_many_values);
	tcase_add_test(tc, test_values_refused);
	tcase_add_test(tc, test_values_rendered);
	suite_add_tcase(s, tc);
	return s;
}
