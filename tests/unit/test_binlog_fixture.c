/*
 * The binlog decoder tests' harness: loading the recorded fixtures, and
 * making synthetic events.
 *
 * A fixture is a binlog file recorded from a real MariaDB server by the
 * project's recording script, with what information_schema said of its tables
 * and, at a few positions, the rows the server itself returned through the
 * text protocol. Synthetic events are built here byte by byte (header, body,
 * CRC32 trailer) so that a test can state exactly the bytes a server could
 * send, including the ones a real server never writes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/binlog.h"
#include "common/xalloc.h"
#include "tests/unit/test_binlog.h"

/* --- fixtures ---------------------------------------------------------------- */

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

void
rowset_add(fx_rowset *rs, fx_value *row)
{
	if (rs->nrows == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->rows = xrealloc(rs->rows, rs->cap * sizeof(fx_value *));
	}
	rs->rows[rs->nrows++] = row;
}

void
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

fx_table *
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
void
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

void
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

uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* only_hook: wants only the table named by ctx */
bool
only_hook(binlog_table *bt, void *ctx, char *errbuf, size_t errlen)
{
	(void) errbuf;
	(void) errlen;
	bt->wanted = strcmp(bt->name, (const char *) ctx) == 0;
	return true;
}

/* find_rows: decodes fx from the start (only table `table` wanted) up to the
 * first rows event of the type for that table; returns the decoder, which
 * has seen its table map */
binlog_decoder *
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

/* counting_hook: counts calls; ctx is the counter */
bool
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

/* --- events made here ------------------------------------------------------------ */

void
put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

/* reseal: sets event_size to len and, with crc, recomputes the CRC32 trailer */
void
reseal(uint8_t *e, size_t len, bool crc)
{
	put_le(e + 9, len, 4);
	if (crc)
		put_le(e + len - 4, crc32(0L, e, (uInt) (len - 4)), 4);
}

/* make_event: a header, the body and (with crc) a CRC32 trailer; heap */
uint8_t *
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

void
decode_ok(binlog_decoder *d, const uint8_t *e, size_t len, binlog_event *ev)
{
	char		err[1024] = "";

	ck_assert_msg(binlog_decode(d, e, len, ev, err, sizeof(err)), "decode failed: %s", err);
}

/* decode_fails: the decode must fail with both words (if given) in the message */
void
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

size_t
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
size_t
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
binlog_decoder *
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
bool
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
void
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

void
value_fails(binlog_decoder *d, const void *row, size_t rlen, const char *w1, const char *w2)
{
	binlog_event ev;
	char		err[1024] = "";

	ck_assert_msg(!rows_event(d, 1, row, rlen, &ev, err, sizeof(err)), "decode succeeded, expected %s", w1);
	ck_assert_msg(strstr(err, w1) != NULL, "error lacks \"%s\": %s", w1, err);
	if (w2)
		ck_assert_msg(strstr(err, w2) != NULL, "error lacks \"%s\": %s", w2, err);
}

