/*
 * The relay log's segment format: binlog events as the source sent them,
 * each with the file and offset it starts at and the GTID of its
 * transaction, grouped into frames that are compressed with zstd one frame
 * at a time.
 *
 * A segment file is a sequence of frames and nothing else. A frame is
 *
 *   header   "RLY1", comp_len u32, raw_len u32, nrec u32, server_id u32,
 *            first_ts u32, last_ts u32, meta_len u32, crc u32   (36 bytes)
 *   meta     first position (u8 length, file name, u64 offset) and end
 *            position (the same): where the frame's first event starts and
 *            where reading resumes after its last
 *   payload  one zstd frame (with zstd's own content checksum) of raw_len
 *            bytes of records
 *
 * and crc is the CRC32 of the header's first 32 bytes, the meta and the
 * payload, so one check covers every byte. All integers are little-endian,
 * read and written byte by byte. A record is
 *
 *   len u32 (of what follows), flags u8 (bit 0: the event ends with its
 *   CRC32), file (u8 length, name), offset u64, GTID domain u32, server
 *   u32, seq_no u64, then the event's bytes, header and checksum included.
 *
 * Frames are written whole with one write(2) by one writer, so a process
 * killed mid-write leaves at most a torn last frame: too short for its
 * lengths (RELAY_FRAME_SHORT), or failing its CRC. Anywhere but at the
 * tail, either is corruption. This module never prints: errors go to the
 * caller's errbuf.
 */
#ifndef STREAM_RELAY_SEG_H
#define STREAM_RELAY_SEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

#include "common/binlogpos.h"
#include "common/xalloc.h"

#define RELAY_FRAME_HEADER  36
#define RELAY_REC_CHECKSUM  0x01    /* record flag: the event carries its CRC32 */

/* One record: valid until the frame's raw buffer changes. */
typedef struct relay_rec {
	char        file[256];      /* the binlog file the event is in */
	uint64_t    pos;            /* where it starts there */
	uint32_t    gtid_domain;    /* the GTID of its transaction (0-0-0 before the first) */
	uint32_t    gtid_server;
	uint64_t    gtid_seq;
	uint8_t     flags;          /* RELAY_REC_* */
	const uint8_t *event;       /* the event as received, header to checksum */
	size_t      len;
} relay_rec;

/* A frame's header and meta. */
typedef struct relay_frame_info {
	uint32_t    comp_len;       /* payload bytes */
	uint32_t    raw_len;        /* records' bytes after decompression */
	uint32_t    nrec;
	uint32_t    server_id;      /* the source server's @@server_id */
	uint32_t    first_ts;       /* source timestamps of the first and last event */
	uint32_t    last_ts;
	binlogpos   first;          /* where the first event starts (gtid "") */
	binlogpos   end;            /* where reading resumes after the last (gtid "") */
	size_t      total;          /* header + meta + payload: the frame's size on disk */
} relay_frame_info;

/* A frame being filled: records appended, then encoded once. */
typedef struct relay_frame {
	buf         raw;            /* the records */
	uint32_t    nrec;
	binlogpos   first;
	binlogpos   end;
	uint32_t    first_ts;
	uint32_t    last_ts;
} relay_frame;

typedef enum relay_frame_status {
	RELAY_FRAME_OK,
	RELAY_FRAME_SHORT,          /* fewer bytes than the frame's lengths: torn, or truncated */
	RELAY_FRAME_BAD             /* not a frame, or its CRC, zstd data or records are wrong */
} relay_frame_status;

/* relay_frame_add: appends rec to f; end is where reading resumes after it,
 * ts the event's source timestamp */
void relay_frame_add(relay_frame *f, const relay_rec *rec, const binlogpos *end, uint32_t ts);

/* relay_frame_reset: empties f, keeping its memory */
void relay_frame_reset(relay_frame *f);
void relay_frame_free(relay_frame *f);

/* relay_frame_encode: f as one frame appended to out (compressed with cctx
 * at its level); false with errbuf when zstd fails */
bool relay_frame_encode(const relay_frame *f, ZSTD_CCtx *cctx, uint32_t server_id, buf *out,
						char *errbuf, size_t errlen);

/* relay_frame_header: reads the header and meta of the frame at data
 * (avail bytes there) into fi without checking the payload; SHORT when
 * avail does not hold the whole frame (fi->total is set once the header
 * is), BAD with errbuf */
relay_frame_status relay_frame_header(const uint8_t *data, size_t avail, relay_frame_info *fi,
									  char *errbuf, size_t errlen);

/* relay_frame_decode: checks the whole frame at data (CRC, zstd, record
 * lengths) and decompresses its records into raw (replaced); SHORT or BAD
 * as above */
relay_frame_status relay_frame_decode(const uint8_t *data, size_t avail, ZSTD_DCtx *dctx, relay_frame_info *fi,
									  buf *raw, char *errbuf, size_t errlen);

/* relay_rec_next: the record at *off of raw (raw_len bytes) into rec, *off
 * moved past it; false at the end (errbuf "") or for a malformed record
 * (errbuf says why) */
bool relay_rec_next(const uint8_t *raw, size_t raw_len, size_t *off, relay_rec *rec, char *errbuf, size_t errlen);

#endif
