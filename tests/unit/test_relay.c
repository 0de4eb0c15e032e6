/*
 * Unit tests for the relay segment format: records round-trip through a
 * frame with their positions, GTIDs and bytes; a frame cut anywhere reads
 * as SHORT (a torn tail), never as a frame; any flipped byte reads as BAD
 * (the CRC, or zstd's own checksum); several frames follow one another.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/relay_seg.h"

/* fake_event: an event-shaped run of n bytes (a header's worth at least) */
static void
fake_event(uint8_t *ev, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		ev[i] = (uint8_t) ((i * 31 + seed) % 251);
}

/* build: a frame of nrec records in file f from offset 4, into out */
static void
build(buf *out, unsigned nrec, const char *f, uint32_t server_id)
{
	relay_frame fr = { 0 };
	ZSTD_CCtx *c = ZSTD_createCCtx();
	char err[256];
	uint8_t ev[300];
	uint64_t pos = 4;

	for (unsigned i = 0; i < nrec; i++) {
		relay_rec r = { .pos = pos, .gtid_domain = 1, .gtid_server = 7, .gtid_seq = 100 + i,
						.flags = RELAY_REC_CHECKSUM, .event = ev, .len = 19 + i % 200 };
		snprintf(r.file, sizeof(r.file), "%s", f);
		fake_event(ev, r.len, i);
		binlogpos end = { .pos = pos + r.len };
		snprintf(end.file, sizeof(end.file), "%s", f);
		relay_frame_add(&fr, &r, &end, 1000 + i);
		pos += r.len;
	}
	ck_assert(relay_frame_encode(&fr, c, server_id, out, err, sizeof(err)));
	relay_frame_free(&fr);
	ZSTD_freeCCtx(c);
}

START_TEST(round_trip)
{
	buf out = BUF_INIT, raw = BUF_INIT;
	ZSTD_DCtx *d = ZSTD_createDCtx();
	relay_frame_info fi;
	char err[256];
	uint8_t ev[300];

	build(&out, 50, "mariadb-bin.000007", 42);
	ck_assert_int_eq(relay_frame_decode((uint8_t *) out.data, out.len, d, &fi, &raw, err, sizeof(err)),
					 RELAY_FRAME_OK);
	ck_assert_uint_eq(fi.total, out.len);
	ck_assert_uint_eq(fi.nrec, 50);
	ck_assert_uint_eq(fi.server_id, 42);
	ck_assert_uint_eq(fi.first_ts, 1000);
	ck_assert_uint_eq(fi.last_ts, 1049);
	ck_assert_str_eq(fi.first.file, "mariadb-bin.000007");
	ck_assert_uint_eq(fi.first.pos, 4);
	ck_assert_str_eq(fi.end.file, "mariadb-bin.000007");
	size_t off = 0;
	uint64_t pos = 4;
	relay_rec r;
	for (unsigned i = 0; i < 50; i++) {
		ck_assert_msg(relay_rec_next((uint8_t *) raw.data, raw.len, &off, &r, err, sizeof(err)), "%u: %s", i, err);
		ck_assert_str_eq(r.file, "mariadb-bin.000007");
		ck_assert_uint_eq(r.pos, pos);
		ck_assert_uint_eq(r.gtid_domain, 1);
		ck_assert_uint_eq(r.gtid_server, 7);
		ck_assert_uint_eq(r.gtid_seq, 100 + i);
		ck_assert_uint_eq(r.flags, RELAY_REC_CHECKSUM);
		ck_assert_uint_eq(r.len, 19 + i % 200);
		fake_event(ev, r.len, i);
		ck_assert(memcmp(r.event, ev, r.len) == 0);
		pos += r.len;
	}
	ck_assert_uint_eq(fi.end.pos, pos);
	ck_assert(!relay_rec_next((uint8_t *) raw.data, raw.len, &off, &r, err, sizeof(err)));
	ck_assert_str_eq(err, "");
	buf_free(&out);
	buf_free(&raw);
	ZSTD_freeDCtx(d);
}
END_TEST

/* frames follow one another: the second starts at the first's total */
START_TEST(two_frames)
{
	buf out = BUF_INIT, raw = BUF_INIT;
	ZSTD_DCtx *d = ZSTD_createDCtx();
	relay_frame_info fi;
	char err[256];

	build(&out, 3, "mariadb-bin.000001", 1);
	size_t first = out.len;
	build(&out, 9, "mariadb-bin.000002", 1);
	ck_assert_int_eq(relay_frame_decode((uint8_t *) out.data, out.len, d, &fi, &raw, err, sizeof(err)),
					 RELAY_FRAME_OK);
	ck_assert_uint_eq(fi.total, first);
	ck_assert_uint_eq(fi.nrec, 3);
	ck_assert_int_eq(relay_frame_decode((uint8_t *) out.data + first, out.len - first, d, &fi, &raw, err,
										sizeof(err)), RELAY_FRAME_OK);
	ck_assert_uint_eq(fi.nrec, 9);
	ck_assert_str_eq(fi.first.file, "mariadb-bin.000002");
	buf_free(&out);
	buf_free(&raw);
	ZSTD_freeDCtx(d);
}
END_TEST

/* a torn tail: every cut of the frame reads as SHORT */
START_TEST(torn_tail)
{
	buf out = BUF_INIT, raw = BUF_INIT;
	ZSTD_DCtx *d = ZSTD_createDCtx();
	relay_frame_info fi;
	char err[256];

	build(&out, 20, "mariadb-bin.000003", 9);
	for (size_t cut = 0; cut < out.len; cut++)
		ck_assert_msg(relay_frame_decode((uint8_t *) out.data, cut, d, &fi, &raw, err, sizeof(err)) ==
					  RELAY_FRAME_SHORT, "cut at %zu of %zu", cut, out.len);
	/* the header alone tells the whole frame's size */
	ck_assert_int_eq(relay_frame_header((uint8_t *) out.data, RELAY_FRAME_HEADER + 60, &fi, err, sizeof(err)),
					 RELAY_FRAME_SHORT);
	ck_assert_uint_eq(fi.total, out.len);
	buf_free(&out);
	buf_free(&raw);
	ZSTD_freeDCtx(d);
}
END_TEST

/* any one flipped byte is BAD, with a reason */
START_TEST(bad_checksum)
{
	buf out = BUF_INIT, raw = BUF_INIT;
	ZSTD_DCtx *d = ZSTD_createDCtx();
	relay_frame_info fi;
	char err[256];

	build(&out, 20, "mariadb-bin.000003", 9);
	for (size_t i = 0; i < out.len; i++) {
		if (i >= 4 && i < 8)
			continue;   /* comp_len: a flip there reads as SHORT or BAD, tested below */
		out.data[i] ^= 0x10;
		relay_frame_status st = relay_frame_decode((uint8_t *) out.data, out.len, d, &fi, &raw, err, sizeof(err));
		ck_assert_msg(st == RELAY_FRAME_BAD, "byte %zu flipped: status %d", i, (int) st);
		ck_assert_msg(err[0], "byte %zu flipped: no reason", i);
		out.data[i] ^= 0x10;
	}
	out.data[4] ^= 0x01;
	ck_assert(relay_frame_decode((uint8_t *) out.data, out.len, d, &fi, &raw, err, sizeof(err)) != RELAY_FRAME_OK);
	out.data[4] ^= 0x01;
	ck_assert_int_eq(relay_frame_decode((uint8_t *) out.data, out.len, d, &fi, &raw, err, sizeof(err)),
					 RELAY_FRAME_OK);
	buf_free(&out);
	buf_free(&raw);
	ZSTD_freeDCtx(d);
}
END_TEST

/* a record cut short inside a (well-formed) raw buffer is malformed */
START_TEST(malformed_record)
{
	relay_frame fr = { 0 };
	uint8_t ev[40] = { 0 };
	relay_rec r = { .pos = 4, .event = ev, .len = sizeof(ev) }, got;
	binlogpos end = { .file = "f.000001", .pos = 44 };
	char err[256];
	size_t off = 0;

	snprintf(r.file, sizeof(r.file), "f.000001");
	relay_frame_add(&fr, &r, &end, 1);
	ck_assert(!relay_rec_next((uint8_t *) fr.raw.data, fr.raw.len - 1, &off, &got, err, sizeof(err)));
	ck_assert(err[0]);
	off = 0;
	ck_assert(relay_rec_next((uint8_t *) fr.raw.data, fr.raw.len, &off, &got, err, sizeof(err)));
	relay_frame_free(&fr);
}
END_TEST

Suite *
relay_suite(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("segment format");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, two_frames);
	tcase_add_test(tc, torn_tail);
	tcase_add_test(tc, bad_checksum);
	tcase_add_test(tc, malformed_record);
	suite_add_tcase(s, tc);
	return s;
}
