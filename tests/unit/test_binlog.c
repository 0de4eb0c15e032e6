/*
 * Unit tests for the binlog decoder's event framing: checksums, lengths,
 * event types, table maps. The row values have their own suite.
 *
 * Recorded events (from the fixtures of a real server) are corrupted: every
 * byte flipped in turn, every truncation of a rows event, with and without
 * checksums; a malformed event must fail with a message and never read
 * outside its bytes. Synthetic events then state what a real server never
 * writes: lying lengths, unknown event types, bad compressed bodies, and
 * table maps that change, carry every kind of optional metadata, or are too
 * many to keep. Fuzzer finds are kept as regression tests named after what
 * broke.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/binlog.h"
#include "common/xalloc.h"
#include "tests/unit/test_binlog.h"

/* --- recorded events, corrupted ----------------------------------------------------- */

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

/* lying_event_lengths: XID, QUERY, ROTATE and GTID events whose lengths
 * do not add up (for test_lying_lengths) */
static void
lying_event_lengths(void)
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
	ck_assert(!ev.u.query.sql_mode_known);
	free(e);

	/* the session's sql_mode, after FLAGS2, in the status variables */
	uint8_t		qs[64] = { 0 };
	qs[8] = 2;
	put_le(qs + 11, 14, 2);
	qs[13] = 0;                 /* Q_FLAGS2_CODE, 4 bytes */
	qs[18] = 1;                 /* Q_SQL_MODE_CODE, 8 bytes: ANSI_QUOTES, NO_BACKSLASH_ESCAPES */
	put_le(qs + 19, (1u << 2) | (1u << 20), 4);
	memcpy(qs + 27, "db\0ALTER TABLE \"t\" ADD x INT", 28);
	e = make_event(BINLOG_QUERY_EVENT, 0, qs, 55, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert(ev.u.query.sql_mode_known);
	ck_assert_uint_eq(ev.u.query.sql_mode, (1u << 2) | (1u << 20));
	ck_assert_str_eq(ev.u.query.sql, "ALTER TABLE \"t\" ADD x INT");
	free(e);
	/* another variable first: the mode is not known */
	qs[13] = 5;                 /* Q_TIME_ZONE_CODE */
	e = make_event(BINLOG_QUERY_EVENT, 0, qs, 55, false, &len);
	decode_ok(d, e, len, &ev);
	ck_assert(!ev.u.query.sql_mode_known);
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

}

/* lying_row_lengths: rows events whose values, width or images do not add
 * up (for test_lying_lengths) */
static void
lying_row_lengths(void)
{
	binlog_event ev;
	size_t		len;
	uint8_t    *e;
	binlog_decoder *d;

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

}

/* lying_table_map_width: a table map of more columns than MariaDB allows
 * (for test_lying_lengths) */
static void
lying_table_map_width(void)
{
	const uint8_t types[2] = { 252, 15 };
	const uint8_t meta[3] = { 2, 10, 0 };
	tm_spec		s = { 42, "db", "t", 2, types, meta, 3, NULL, 0 };
	size_t		len, n;
	uint8_t    *e;
	binlog_decoder *d;

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

START_TEST(test_lying_lengths)
{
	lying_event_lengths();
	lying_row_lengths();
	lying_table_map_width();
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


Suite *
binlog_suite(void)
{
	Suite	   *s = suite_create("binlog");
	TCase	   *tc = tcase_create("recorded");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_flipped_byte_fails_checksum);
	tcase_add_test(tc, test_truncated_events);
	tcase_add_test(tc, test_flipped_byte_without_checksum);
	tcase_add_test(tc, test_checksum_set_by_caller);
	suite_add_tcase(s, tc);

	tc = tcase_create("synthetic");
	tcase_add_test(tc, test_unknown_events);
	tcase_add_test(tc, test_lying_lengths);
	tcase_add_test(tc, test_compressed_lengths);
	tcase_add_test(tc, test_table_remap);
	tcase_add_test(tc, test_table_map_metadata);
	tcase_add_test(tc, test_table_eviction);
	suite_add_tcase(s, tc);
	return s;
}
