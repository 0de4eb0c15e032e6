/*
 * The relay segment format (relay_seg.h). Encoding builds the records
 * into a reused raw buffer as they arrive; a flush compresses them with
 * ZSTD_compress2 into one zstd frame (content size and checksum on) behind
 * the header and meta, and computes the CRC last. Decoding checks lengths
 * before it reads (one macro, one "malformed" exit), then the CRC, then
 * lets zstd verify its own checksum, then walks the records once so that a
 * frame handed to the caller is known to be whole.
 */
#include "stream/relay_seg.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

static void
put_u32(buf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16), (uint8_t) (v >> 24) };

	buf_append(b, p, 4);
}

static void
put_u64(buf *b, uint64_t v)
{
	put_u32(b, (uint32_t) v);
	put_u32(b, (uint32_t) (v >> 32));
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t
get_u64(const uint8_t *p)
{
	return (uint64_t) get_u32(p) | (uint64_t) get_u32(p + 4) << 32;
}

/* put_pos: a position as u8 length, name, u64 offset */
static void
put_pos(buf *b, const binlogpos *p)
{
	size_t n = strnlen(p->file, 255);
	uint8_t l = (uint8_t) n;

	buf_append(b, &l, 1);
	buf_append(b, p->file, n);
	put_u64(b, p->pos);
}

/* NEED: n more bytes at off within len, or the malformed exit */
#define NEED(n) do { if ((size_t) (n) > len - off) goto malformed; } while (0)

/* get_pos: a position at *off of data (len bytes); false when it does not fit */
static bool
get_pos(const uint8_t *data, size_t len, size_t *offp, binlogpos *p)
{
	size_t off = *offp;

	NEED(1);
	size_t n = data[off++];
	NEED(n + 8);
	memcpy(p->file, data + off, n);
	p->file[n] = '\0';
	off += n;
	p->pos = get_u64(data + off);
	off += 8;
	p->gtid[0] = '\0';
	*offp = off;
	return true;
malformed:
	return false;
}

void
relay_frame_add(relay_frame *f, const relay_rec *rec, const binlogpos *end, uint32_t ts)
{
	size_t n = strnlen(rec->file, 255);
	uint8_t l = (uint8_t) n;

	if (f->nrec == 0) {
		snprintf(f->first.file, sizeof(f->first.file), "%s", rec->file);
		f->first.pos = rec->pos;
		f->first.gtid[0] = '\0';
		f->first_ts = ts;
	}
	put_u32(&f->raw, (uint32_t) (1 + 1 + n + 8 + 16 + rec->len));
	buf_append(&f->raw, &rec->flags, 1);
	buf_append(&f->raw, &l, 1);
	buf_append(&f->raw, rec->file, n);
	put_u64(&f->raw, rec->pos);
	put_u32(&f->raw, rec->gtid_domain);
	put_u32(&f->raw, rec->gtid_server);
	put_u64(&f->raw, rec->gtid_seq);
	buf_append(&f->raw, rec->event, rec->len);
	f->nrec++;
	f->end = *end;
	f->end.gtid[0] = '\0';
	f->last_ts = ts;
}

void
relay_frame_reset(relay_frame *f)
{
	buf_reset(&f->raw);
	f->nrec = 0;
	f->first.file[0] = f->end.file[0] = '\0';
	f->first.pos = f->end.pos = 0;
	f->first_ts = f->last_ts = 0;
}

void
relay_frame_free(relay_frame *f)
{
	buf_free(&f->raw);
	relay_frame_reset(f);
}

bool
relay_frame_encode(const relay_frame *f, ZSTD_CCtx *cctx, uint32_t server_id, buf *out, char *errbuf, size_t errlen)
{
	size_t base = out->len;
	buf meta = BUF_INIT;

	put_pos(&meta, &f->first);
	put_pos(&meta, &f->end);
	size_t bound = ZSTD_compressBound(f->raw.len);
	buf_reserve(out, RELAY_FRAME_HEADER + meta.len + bound);
	uint8_t *payload = (uint8_t *) out->data + base + RELAY_FRAME_HEADER + meta.len;
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
	size_t clen = ZSTD_compress2(cctx, payload, bound, f->raw.data ? f->raw.data : "", f->raw.len);
	if (ZSTD_isError(clen)) {
		snprintf(errbuf, errlen, "zstd could not compress %zu bytes: %s", f->raw.len, ZSTD_getErrorName(clen));
		buf_free(&meta);
		return false;
	}
	/* the header, written in place before the meta and payload */
	buf h = BUF_INIT;
	buf_append(&h, "RLY1", 4);
	put_u32(&h, (uint32_t) clen);
	put_u32(&h, (uint32_t) f->raw.len);
	put_u32(&h, f->nrec);
	put_u32(&h, server_id);
	put_u32(&h, f->first_ts);
	put_u32(&h, f->last_ts);
	put_u32(&h, (uint32_t) meta.len);
	uint8_t *dst = (uint8_t *) out->data + base;
	memcpy(dst, h.data, 32);
	memcpy(dst + RELAY_FRAME_HEADER, meta.data, meta.len);
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, dst, 32);
	crc = crc32(crc, dst + RELAY_FRAME_HEADER, (uInt) meta.len);
	crc = crc32(crc, payload, (uInt) clen);
	uint8_t c[4] = { (uint8_t) crc, (uint8_t) (crc >> 8), (uint8_t) (crc >> 16), (uint8_t) (crc >> 24) };
	memcpy(dst + 32, c, 4);
	out->len = base + RELAY_FRAME_HEADER + meta.len + clen;
	buf_free(&h);
	buf_free(&meta);
	return true;
}

relay_frame_status
relay_frame_header(const uint8_t *data, size_t avail, relay_frame_info *fi, char *errbuf, size_t errlen)
{
	size_t len = avail, off = 0;

	memset(fi, 0, sizeof(*fi));
	errbuf[0] = '\0';
	if (avail < RELAY_FRAME_HEADER)
		return RELAY_FRAME_SHORT;
	if (memcmp(data, "RLY1", 4) != 0) {
		snprintf(errbuf, errlen, "no frame starts here (magic %02x%02x%02x%02x)", data[0], data[1], data[2], data[3]);
		return RELAY_FRAME_BAD;
	}
	fi->comp_len = get_u32(data + 4);
	fi->raw_len = get_u32(data + 8);
	fi->nrec = get_u32(data + 12);
	fi->server_id = get_u32(data + 16);
	fi->first_ts = get_u32(data + 20);
	fi->last_ts = get_u32(data + 24);
	uint32_t meta_len = get_u32(data + 28);
	if (meta_len > 2 * (1 + 255 + 8) || meta_len < 2 * 9) {
		snprintf(errbuf, errlen, "frame meta of %u bytes", meta_len);
		return RELAY_FRAME_BAD;
	}
	fi->total = (size_t) RELAY_FRAME_HEADER + meta_len + fi->comp_len;
	if (avail < RELAY_FRAME_HEADER + (size_t) meta_len)
		return RELAY_FRAME_SHORT;
	off = RELAY_FRAME_HEADER;
	len = RELAY_FRAME_HEADER + meta_len;
	if (!get_pos(data, len, &off, &fi->first) || !get_pos(data, len, &off, &fi->end) || off != len) {
		snprintf(errbuf, errlen, "frame meta does not hold two positions");
		return RELAY_FRAME_BAD;
	}
	return avail < fi->total ? RELAY_FRAME_SHORT : RELAY_FRAME_OK;
}

relay_frame_status
relay_frame_decode(const uint8_t *data, size_t avail, ZSTD_DCtx *dctx, relay_frame_info *fi, buf *raw,
				   char *errbuf, size_t errlen)
{
	relay_frame_status st = relay_frame_header(data, avail, fi, errbuf, errlen);

	if (st != RELAY_FRAME_OK)
		return st;
	size_t meta_len = fi->total - RELAY_FRAME_HEADER - fi->comp_len;
	const uint8_t *payload = data + RELAY_FRAME_HEADER + meta_len;
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, data, 32);
	crc = crc32(crc, data + RELAY_FRAME_HEADER, (uInt) meta_len);
	crc = crc32(crc, payload, fi->comp_len);
	if ((uint32_t) crc != get_u32(data + 32)) {
		snprintf(errbuf, errlen, "frame checksum mismatch (CRC32 0x%08x computed, 0x%08x stored)", (unsigned) crc,
				 (unsigned) get_u32(data + 32));
		return RELAY_FRAME_BAD;
	}
	unsigned long long content = ZSTD_getFrameContentSize(payload, fi->comp_len);
	if (content != fi->raw_len) {
		snprintf(errbuf, errlen, "zstd frame holds %llu bytes, the header says %u", content, fi->raw_len);
		return RELAY_FRAME_BAD;
	}
	buf_reset(raw);
	buf_reserve(raw, fi->raw_len + 1);
	size_t got = ZSTD_decompressDCtx(dctx, raw->data, fi->raw_len + 1, payload, fi->comp_len);
	if (ZSTD_isError(got) || got != fi->raw_len) {
		snprintf(errbuf, errlen, "zstd could not decompress the frame: %s",
				 ZSTD_isError(got) ? ZSTD_getErrorName(got) : "wrong length");
		return RELAY_FRAME_BAD;
	}
	raw->len = got;
	/* every record whole, and as many as the header says */
	size_t off = 0;
	uint32_t n = 0;
	relay_rec rec;
	while (relay_rec_next((const uint8_t *) raw->data, raw->len, &off, &rec, errbuf, errlen))
		n++;
	if (errbuf[0])
		return RELAY_FRAME_BAD;
	if (n != fi->nrec) {
		snprintf(errbuf, errlen, "frame holds %u records, the header says %u", n, fi->nrec);
		return RELAY_FRAME_BAD;
	}
	return RELAY_FRAME_OK;
}

bool
relay_rec_next(const uint8_t *raw, size_t raw_len, size_t *offp, relay_rec *rec, char *errbuf, size_t errlen)
{
	size_t off = *offp, len = raw_len;

	errbuf[0] = '\0';
	if (off == len)
		return false;
	NEED(4);
	size_t rl = get_u32(raw + off);
	off += 4;
	NEED(rl);
	len = off + rl;     /* the record's own bounds from here on */
	NEED(2);
	rec->flags = raw[off++];
	size_t n = raw[off++];
	NEED(n + 8 + 16);
	memcpy(rec->file, raw + off, n);
	rec->file[n] = '\0';
	off += n;
	rec->pos = get_u64(raw + off);
	rec->gtid_domain = get_u32(raw + off + 8);
	rec->gtid_server = get_u32(raw + off + 12);
	rec->gtid_seq = get_u64(raw + off + 16);
	off += 24;
	rec->event = raw + off;
	rec->len = len - off;
	if (rec->len < 19)
		goto malformed;     /* shorter than an event header */
	*offp = len;
	return true;
malformed:
	snprintf(errbuf, errlen, "malformed relay record at byte %zu of the frame", *offp);
	return false;
}
