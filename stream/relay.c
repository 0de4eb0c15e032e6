/*
 * The relay log (relay.h). The segment list, the totals, the durable
 * checkpoint and the paused flag live under one mutex; the writer's frame,
 * compression context and file descriptor are the writer's alone, and the
 * cursor's buffers the cursor's. A frame becomes visible to the cursor only
 * when the writer has written it whole and then raised its segment's size
 * under the mutex, so the cursor never reads a frame being written; a
 * short or bad frame below a published size is therefore corruption (or a
 * hand's edit), not a race.
 */
#include "stream/relay.h"

#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX_RAW   (1u << 20)      /* flush a frame at 1 MiB of records */
#define FRAME_MAX_AGE   0.02            /* or 20 ms after its first record */
#define SEG_MAX         (64ull << 20)
#define SEG_MIN         (256ull << 10)
#define ZSTD_LEVEL      1               /* fast: the relay must keep up with the network */

typedef struct seg {
	uint64_t    id;
	uint64_t    bytes;          /* published size */
	uint64_t    raw;
	binlogpos   first;
	binlogpos   end;
	uint32_t    first_ts;
	uint32_t    last_ts;
} seg;

struct relay {
	char        dir[1024];      /* DIR/NAME */
	uint64_t    max_bytes;
	uint64_t    seg_max;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	seg        *segs;
	size_t      nsegs;
	uint64_t    next_id;        /* the id the next new segment gets */
	uint64_t    bytes;
	uint64_t    raw;
	binlogpos   end;            /* where the writer resumes; file "" = none */
	uint32_t    server_id;
	binlogpos   durable;        /* file "" = none heard of */
	uint32_t    durable_ts;
	uint64_t    wseg;           /* the segment the writer appends to: never deleted; UINT64_MAX = none */
	int         cursor_idle;    /* idle waits in a row of the cursor at the published end */
	bool        starved;        /* the sink waits for what only a write past the limit brings */
	binlogpos   starved_at;     /* ... with the durable checkpoint here */
	bool        paused;
	uint64_t    written;        /* by this process: compressed, raw, events */
	uint64_t    written_raw;
	uint64_t    written_events;
	/* the writer's */
	int         wfd;            /* the newest segment, open for appending; -1 = start a new one */
	relay_frame fr;
	double      fr_started;
	buf         out;
	ZSTD_CCtx  *cctx;
};

struct relay_cursor {
	relay      *rl;
	uint64_t    seg;            /* segment of the next frame */
	uint64_t    off;            /* its offset there */
	int         fd;             /* seg's file, -1 = not open */
	buf         comp;
	buf         raw;
	size_t      rec_off;        /* next record in raw */
	ZSTD_DCtx  *dctx;
	binlogpos   next;           /* after the last record given */
	uint64_t    bad_seg;        /* where RELAY_BROKEN found it */
	uint64_t    bad_off;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
seg_path(const char *dir, uint64_t id, char *out, size_t len)
{
	snprintf(out, len, "%s/%012" PRIu64 ".relay", dir, id);
}

/* mkdirs: dir and its parents */
static bool
mkdirs(const char *dir)
{
	char tmp[1024];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
				return false;
			*p = '/';
		}
	return mkdir(tmp, 0750) == 0 || errno == EEXIST;
}

/* pread_all: len bytes at off, fewer only at the end of the file */
static ssize_t
pread_all(int fd, void *p, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *) p + got, len - got, (off_t) (off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t) n;
	}
	return (ssize_t) got;
}

/* read_frame_at: the frame at off of fd into b (whole); SHORT when the file
 * ends first; with dctx and raw also decoded */
static relay_frame_status
read_frame_at(int fd, uint64_t off, buf *b, ZSTD_DCtx *dctx, buf *raw, relay_frame_info *fi, char *err, size_t errlen)
{
	size_t want = RELAY_FRAME_HEADER + 2 * (1 + 255 + 8);

	buf_reset(b);
	buf_reserve(b, want);
	ssize_t n = pread_all(fd, b->data, want, off);
	if (n < 0) {
		snprintf(err, errlen, "read failed: %s", strerror(errno));
		return RELAY_FRAME_BAD;
	}
	relay_frame_status st = relay_frame_header((uint8_t *) b->data, (size_t) n, fi, err, errlen);
	if (st == RELAY_FRAME_BAD)
		return st;
	if (fi->total == 0 || (size_t) n < fi->total - fi->comp_len)
		return RELAY_FRAME_SHORT;  /* the file ends inside the header or meta */
	if (!dctx) {
		struct stat stt;
		if (fstat(fd, &stt) != 0) {
			snprintf(err, errlen, "stat failed: %s", strerror(errno));
			return RELAY_FRAME_BAD;
		}
		return off + fi->total <= (uint64_t) stt.st_size ? RELAY_FRAME_OK : RELAY_FRAME_SHORT;
	}
	if (fi->total > (size_t) n) {
		buf_reserve(b, fi->total);
		ssize_t m = pread_all(fd, b->data, fi->total, off);
		if (m < 0) {
			snprintf(err, errlen, "read failed: %s", strerror(errno));
			return RELAY_FRAME_BAD;
		}
		n = m;
	}
	return relay_frame_decode((uint8_t *) b->data, (size_t) n, dctx, fi, raw, err, errlen);
}

/* scan_segment: the frames of one segment file into sg: its valid length
 * (*valid) and whether it ended in a torn or bad frame (*tail, with err);
 * check_last decodes the last frame whole (a torn write may be full length) */
static bool
scan_segment(const char *path, seg *sg, uint64_t *valid, bool *tail, uint32_t *server_id, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	buf b = BUF_INIT, raw = BUF_INIT;
	relay_frame_info fi;
	uint64_t off = 0, last_off = UINT64_MAX;
	ZSTD_DCtx *d = ZSTD_createDCtx();

	*tail = false;
	err[0] = '\0';
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		ZSTD_freeDCtx(d);
		return false;
	}
	struct stat stt;
	fstat(fd, &stt);
	for (;;) {
		if (off >= (uint64_t) stt.st_size)
			break;
		relay_frame_status st = read_frame_at(fd, off, &b, NULL, NULL, &fi, err, errlen);
		if (st != RELAY_FRAME_OK) {
			if (!err[0])
				snprintf(err, errlen, "a frame of %zu bytes is cut short at %" PRIu64 " bytes",
						 fi.total, (uint64_t) stt.st_size - off);
			*tail = true;
			break;
		}
		if (*server_id == 0)
			*server_id = fi.server_id;
		else if (fi.server_id != *server_id) {
			snprintf(err, errlen, "a frame of server %u among frames of server %u", fi.server_id, *server_id);
			*tail = true;
			break;
		}
		if (off == 0) {
			sg->first = fi.first;
			sg->first_ts = fi.first_ts;
		}
		sg->end = fi.end;
		sg->last_ts = fi.last_ts;
		sg->raw += fi.raw_len;
		last_off = off;
		off += fi.total;
	}
	/* the last whole-length frame may still be torn inside (a crash of the
	 * machine, not of the process): checked whole */
	if (!*tail && last_off != UINT64_MAX) {
		relay_frame_status st = read_frame_at(fd, last_off, &b, d, &raw, &fi, err, errlen);
		if (st != RELAY_FRAME_OK) {
			*tail = true;
			off = last_off;
			sg->raw -= fi.raw_len;
		}
	}
	*valid = off;
	sg->bytes = off;
	close(fd);
	buf_free(&b);
	buf_free(&raw);
	ZSTD_freeDCtx(d);
	return true;
}

typedef struct seg_id_list {
	uint64_t   *v;
	size_t      n;
} seg_id_list;

static int
id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/* list_segments: the segment ids in dir, in order */
static bool
list_segments(const char *dir, seg_id_list *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	l->v = NULL;
	l->n = 0;
	if (!d)
		return false;
	while ((e = readdir(d))) {
		char *endp;
		if (strlen(e->d_name) != 18 || strcmp(e->d_name + 12, ".relay") != 0)
			continue;
		uint64_t id = strtoull(e->d_name, &endp, 10);
		if (endp != e->d_name + 12)
			continue;
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(uint64_t));
		l->v[l->n++] = id;
	}
	closedir(d);
	if (l->n > 1)   /* never qsort(NULL, 0, ...): UBSan's nonnull check */
		qsort(l->v, l->n, sizeof(uint64_t), id_cmp);
	return true;
}

/* load: the segments on disk, repaired (repair: cut torn tails, delete
 * what follows a gap or a bad segment; else only read) */
static void
load(relay *rl, bool repair, bool *paused)
{
	seg_id_list l;
	char path[1100], err[512];
	bool cut = false;

	if (!list_segments(rl->dir, &l))
		return;
	for (size_t i = 0; i < l.n; i++) {
		seg_path(rl->dir, l.v[i], path, sizeof(path));
		if (cut) {
			if (repair) {
				log_warning("relay segment %s is deleted: it follows a damaged or missing segment, and its "
							"events are fetched from the source again when needed", path);
				unlink(path);
			}
			continue;
		}
		if (i > 0 && l.v[i] != l.v[i - 1] + 1) {
			if (repair)
				log_warning("relay segment %012" PRIu64 ".relay in %s is missing (deleted by hand?); the segments "
							"after it are dropped and fetched again from the source when needed", l.v[i - 1] + 1,
							rl->dir);
			cut = true;
			i--;
			continue;
		}
		seg sg = { .id = l.v[i] };
		uint64_t valid;
		bool tail;
		if (!scan_segment(path, &sg, &valid, &tail, &rl->server_id, err, sizeof(err))) {
			if (repair)
				log_warning("relay segment %s cannot be read (%s); it and the segments after it are dropped", path, err);
			cut = true;
			i--;
			continue;
		}
		if (tail) {
			bool last = i + 1 == l.n;
			if (repair) {
				if (last)
					log_notice("relay segment %s ends in a torn frame at offset %" PRIu64 " (%s): cut off there, "
							   "its events are fetched again", path, valid, err);
				else
					log_warning("relay segment %s is damaged at offset %" PRIu64 " (%s): cut off there; the "
								"segments after it are dropped and fetched again from the source when needed",
								path, valid, err);
				if (truncate(path, (off_t) valid) != 0)
					log_warning("could not cut relay segment %s: %s", path, strerror(errno));
			}
			cut = true;
		}
		if (sg.bytes == 0) {
			if (repair)
				unlink(path);
			continue;
		}
		rl->segs = xrealloc(rl->segs, (rl->nsegs + 1) * sizeof(seg));
		rl->segs[rl->nsegs++] = sg;
		rl->bytes += sg.bytes;
		rl->raw += sg.raw;
		rl->end = sg.end;
		rl->next_id = sg.id + 1;
	}
	if (rl->nsegs == 0)
		rl->server_id = 0;
	if (paused) {
		snprintf(path, sizeof(path), "%s/paused", rl->dir);
		*paused = access(path, F_OK) == 0;
	}
	free(l.v);
}

relay *
relay_open(const char *dir, const char *dbname, uint64_t max_bytes)
{
	relay *rl = xcalloc(1, sizeof(relay));

	snprintf(rl->dir, sizeof(rl->dir), "%s/%s", dir, dbname);
	if (!mkdirs(rl->dir)) {
		log_error_dh(strerror(errno), "Set STREAM_RELAY_DIR to a directory the stream may write, or "
					 "STREAM_RELAY=off.", "cannot create the relay directory %s", rl->dir);
		free(rl);
		return NULL;
	}
	rl->max_bytes = max_bytes;
	rl->seg_max = max_bytes / 8 < SEG_MIN ? SEG_MIN : max_bytes / 8 > SEG_MAX ? SEG_MAX : max_bytes / 8;
	rl->next_id = 1;
	rl->wfd = -1;
	rl->wseg = UINT64_MAX;
	pthread_mutex_init(&rl->mu, NULL);
	pthread_cond_init(&rl->cv, NULL);
	rl->cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(rl->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	load(rl, true, NULL);
	char p[1100];
	snprintf(p, sizeof(p), "%s/paused", rl->dir);
	unlink(p);
	if (rl->nsegs)
		log_info("the relay in %s holds %s:%" PRIu64 " to %s:%" PRIu64 " (%" PRIu64 " bytes in %zu segments)",
				 rl->dir, rl->segs[0].first.file, rl->segs[0].first.pos, rl->end.file, rl->end.pos, rl->bytes,
				 rl->nsegs);
	return rl;
}

void
relay_close(relay *rl)
{
	if (!rl)
		return;
	if (rl->wfd >= 0) {
		fdatasync(rl->wfd);
		close(rl->wfd);
	}
	relay_frame_free(&rl->fr);
	buf_free(&rl->out);
	ZSTD_freeCCtx(rl->cctx);
	pthread_mutex_destroy(&rl->mu);
	pthread_cond_destroy(&rl->cv);
	free(rl->segs);
	free(rl);
}

static void
stats_locked(relay *rl, relay_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->bytes = rl->bytes;
	st->raw = rl->raw;
	st->max_bytes = rl->max_bytes;
	st->nsegs = rl->nsegs;
	st->server_id = rl->server_id;
	st->paused = rl->paused;
	st->written = rl->written;
	st->written_raw = rl->written_raw;
	st->written_events = rl->written_events;
	if (rl->nsegs) {
		st->oldest = rl->segs[0].first;
		st->oldest_ts = rl->segs[0].first_ts;
		st->newest = rl->end;
		st->newest_ts = rl->segs[rl->nsegs - 1].last_ts;
	}
}

void
relay_stats_get(relay *rl, relay_stats *st)
{
	pthread_mutex_lock(&rl->mu);
	stats_locked(rl, st);
	pthread_mutex_unlock(&rl->mu);
}

bool
relay_scan_dir(const char *dir, const char *dbname, relay_stats *st)
{
	relay rl = { .wfd = -1 };
	bool paused = false;
	struct stat s;

	snprintf(rl.dir, sizeof(rl.dir), "%s/%s", dir, dbname);
	if (stat(rl.dir, &s) != 0)
		return false;
	load(&rl, false, &paused);
	stats_locked(&rl, st);
	st->paused = paused;
	free(rl.segs);
	return true;
}

/* drop_first: deletes the oldest segment (under mu) */
static void
drop_first(relay *rl)
{
	char path[1100];

	seg_path(rl->dir, rl->segs[0].id, path, sizeof(path));
	if (unlink(path) != 0 && errno != ENOENT)
		log_warning("could not delete relay segment %s: %s", path, strerror(errno));
	rl->bytes -= rl->segs[0].bytes;
	rl->raw -= rl->segs[0].raw;
	memmove(rl->segs, rl->segs + 1, (rl->nsegs - 1) * sizeof(seg));
	rl->nsegs--;
}

void
relay_reset(relay *rl, const binlogpos *from, uint32_t server_id)
{
	pthread_mutex_lock(&rl->mu);
	if (rl->wfd >= 0) {
		close(rl->wfd);
		rl->wfd = -1;
	}
	rl->wseg = UINT64_MAX;
	rl->starved = false;
	while (rl->nsegs)
		drop_first(rl);
	relay_frame_reset(&rl->fr);
	rl->end = *from;
	rl->end.gtid[0] = '\0';
	rl->server_id = server_id;
	pthread_cond_broadcast(&rl->cv);
	pthread_mutex_unlock(&rl->mu);
}

bool
relay_end(relay *rl, binlogpos *end, uint32_t *server_id)
{
	pthread_mutex_lock(&rl->mu);
	*end = rl->end;
	*server_id = rl->server_id;
	pthread_mutex_unlock(&rl->mu);
	return end->file[0] != '\0';
}

void
relay_append(relay *rl, const relay_rec *rec, const binlogpos *end, uint32_t ts)
{
	if (rl->fr.nrec == 0)
		rl->fr_started = now_s();
	relay_frame_add(&rl->fr, rec, end, ts);
}

bool
relay_flush_due(relay *rl)
{
	return rl->fr.nrec > 0 && (rl->fr.raw.len >= FRAME_MAX_RAW || now_s() - rl->fr_started >= FRAME_MAX_AGE);
}

/* write_all: len bytes to fd */
static bool
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t) n;
	}
	return true;
}

/* prune_locked: deletes the segments that end at or before the durable
 * checkpoint, except the one the writer appends to (under mu). The cursor
 * has read such a segment whole (the sink made durable only what it was
 * given), and cursor_frame moves on when its segment is gone. */
static void
prune_locked(relay *rl)
{
	bool freed = false;

	while (rl->nsegs && rl->server_id && rl->durable.file[0] && rl->segs[0].id != rl->wseg &&
		   binlogpos_cmp(&rl->segs[0].end, &rl->durable) <= 0) {
		drop_first(rl);
		freed = true;
	}
	if (freed)
		pthread_cond_broadcast(&rl->cv);
}

/* fits_locked: whether the pending frame may be written (under mu).
 *
 * The sink applies a source transaction only whole, so the limit cannot
 * always hold: when the cursor has waited at the relay's end three times
 * in a row (300 ms; the pipeline commits within 100 ms of its source going
 * idle), everything durable is deleted and what the relay still holds is
 * the start of one transaction the sink cannot commit without its rest.
 * Waiting for space would then wait forever. The limit yields until the
 * checkpoint moves, a frame at a time as the cursor reads them: it is
 * exceeded by that one transaction and a frame at most. */
static bool
fits_locked(relay *rl)
{
	if (rl->nsegs == 0 || rl->bytes + rl->out.len <= rl->max_bytes)
		return true;
	if (!rl->starved && rl->cursor_idle >= 3) {
		rl->starved = true;
		rl->starved_at = rl->durable;
		log_notice("the relay in %s goes past its space limit (%" PRIu64 " bytes held): the sink needs the rest "
				   "of a source transaction larger than the room left", rl->dir, rl->bytes);
	}
	/* a frame at a time, each once the cursor has read the one before */
	return rl->starved && rl->cursor_idle >= 1;
}

/* writer_close: the writer's segment synced and closed; the next frame
 * starts a new one, and this one may go once it is durable */
static void
writer_close(relay *rl)
{
	if (rl->wfd < 0)
		return;
	fdatasync(rl->wfd);
	close(rl->wfd);
	rl->wfd = -1;
	pthread_mutex_lock(&rl->mu);
	rl->wseg = UINT64_MAX;
	prune_locked(rl);
	pthread_mutex_unlock(&rl->mu);
}

relay_flush_result
relay_flush(relay *rl)
{
	char err[256], path[1100];

	if (rl->fr.nrec == 0)
		return RELAY_FLUSHED;
	buf_reset(&rl->out);
	if (!relay_frame_encode(&rl->fr, rl->cctx, rl->server_id, &rl->out, err, sizeof(err))) {
		log_error("could not compress a relay frame: %s", err);
		return RELAY_FAILED;
	}
	pthread_mutex_lock(&rl->mu);
	bool full = !fits_locked(rl);
	seg *last = rl->nsegs ? &rl->segs[rl->nsegs - 1] : NULL;
	bool rotate = rl->wfd >= 0 && last && last->bytes >= rl->seg_max;
	pthread_mutex_unlock(&rl->mu);
	if (full) {
		/* the next frame starts a segment, so that every older one can go */
		writer_close(rl);
		pthread_mutex_lock(&rl->mu);
		full = !fits_locked(rl);
		pthread_mutex_unlock(&rl->mu);
		if (full)
			return RELAY_FULL;
	}
	bool fresh = false;
	if (rotate)
		writer_close(rl);
	if (rl->wfd < 0) {
		seg_path(rl->dir, rl->next_id, path, sizeof(path));
		rl->wfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
		if (rl->wfd < 0) {
			log_error("could not create relay segment %s: %s", path, strerror(errno));
			return RELAY_FAILED;
		}
		fresh = true;
	}
	struct stat st;
	off_t before = fstat(rl->wfd, &st) == 0 ? st.st_size : 0;
	if (!write_all(rl->wfd, rl->out.data, rl->out.len)) {
		int e = errno;
		if (ftruncate(rl->wfd, before) != 0)
			log_debug("could not cut a partly written relay frame: %s", strerror(errno));
		log_warning("could not write %zu bytes to the relay in %s: %s; reading the binary log waits",
					rl->out.len, rl->dir, strerror(e));
		if (fresh) {
			close(rl->wfd);
			rl->wfd = -1;
			seg_path(rl->dir, rl->next_id, path, sizeof(path));
			unlink(path);
		}
		return RELAY_FAILED;
	}
	pthread_mutex_lock(&rl->mu);
	if (fresh) {
		rl->segs = xrealloc(rl->segs, (rl->nsegs + 1) * sizeof(seg));
		seg *s = &rl->segs[rl->nsegs++];
		memset(s, 0, sizeof(*s));
		s->id = rl->next_id++;
		rl->wseg = s->id;
		s->first = rl->fr.first;
		s->first_ts = rl->fr.first_ts;
	}
	seg *s = &rl->segs[rl->nsegs - 1];
	s->bytes += rl->out.len;
	s->raw += rl->fr.raw.len;
	s->end = rl->fr.end;
	s->last_ts = rl->fr.last_ts;
	rl->bytes += rl->out.len;
	rl->raw += rl->fr.raw.len;
	rl->written += rl->out.len;
	rl->written_raw += rl->fr.raw.len;
	rl->written_events += rl->fr.nrec;
	rl->end = rl->fr.end;
	pthread_cond_broadcast(&rl->cv);
	pthread_mutex_unlock(&rl->mu);
	relay_frame_reset(&rl->fr);
	return RELAY_FLUSHED;
}

bool
relay_wait_space(relay *rl, volatile sig_atomic_t *stop, double timeout)
{
	double until = now_s() + timeout;
	bool fits = false;

	pthread_mutex_lock(&rl->mu);
	while (!(stop && *stop)) {
		fits = fits_locked(rl);
		if (fits || now_s() >= until)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&rl->cv, &rl->mu, &ts);
	}
	pthread_mutex_unlock(&rl->mu);
	return fits;
}

void
relay_set_paused(relay *rl, bool paused)
{
	char p[1100];

	pthread_mutex_lock(&rl->mu);
	rl->paused = paused;
	pthread_mutex_unlock(&rl->mu);
	snprintf(p, sizeof(p), "%s/paused", rl->dir);
	if (paused) {
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
		if (fd >= 0)
			close(fd);
	} else
		unlink(p);
}

void
relay_set_durable(relay *rl, const binlogpos *pos, uint32_t ts)
{
	pthread_mutex_lock(&rl->mu);
	rl->durable = *pos;
	rl->durable_ts = ts;
	if (rl->starved && binlogpos_cmp(&rl->starved_at, pos) != 0)
		rl->starved = false;    /* the sink committed: the limit holds again */
	prune_locked(rl);
	pthread_mutex_unlock(&rl->mu);
}

bool
relay_durable(relay *rl, binlogpos *pos, uint32_t *ts)
{
	pthread_mutex_lock(&rl->mu);
	*pos = rl->durable;
	*ts = rl->durable_ts;
	pthread_mutex_unlock(&rl->mu);
	return pos->file[0] != '\0';
}

void
relay_wake(relay *rl)
{
	pthread_mutex_lock(&rl->mu);
	pthread_cond_broadcast(&rl->cv);
	pthread_mutex_unlock(&rl->mu);
}

/* same_pos: the same file and offset */
static bool
same_pos(const binlogpos *a, const char *file, uint64_t pos)
{
	return a->pos == pos && strcmp(a->file, file) == 0;
}

/* find_seg: index of segment id (under mu), or -1 */
static long
find_seg(const relay *rl, uint64_t id)
{
	for (size_t i = 0; i < rl->nsegs; i++)
		if (rl->segs[i].id == id)
			return (long) i;
	return -1;
}

/* cursor_open_seg: opens the cursor's segment file; false when missing */
static bool
cursor_open_seg(relay_cursor *c)
{
	char path[1100];

	if (c->fd >= 0)
		close(c->fd);
	seg_path(c->rl->dir, c->seg, path, sizeof(path));
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	return c->fd >= 0;
}

/* broken: logs what is wrong where; RELAY_BROKEN */
static relay_next_result
broken(relay_cursor *c, const char *what)
{
	c->bad_seg = c->seg;
	c->bad_off = c->off;
	log_error_dh(what, "The stream fetches these events from the source again when it still has them.",
				 "the relay of %s is damaged in segment %012" PRIu64 ".relay at offset %" PRIu64
				 " (events from %s:%" PRIu64 " on)", c->rl->dir, c->seg, c->off, c->next.file, c->next.pos);
	return RELAY_BROKEN;
}

/* cursor_frame: the frame at the cursor read and checked; RELAY_REC when
 * there is one, RELAY_IDLE at the end of what is published */
static relay_next_result
cursor_frame(relay_cursor *c, double timeout)
{
	relay *rl = c->rl;
	char err[512], what[700];
	double until = now_s() + timeout;

	pthread_mutex_lock(&rl->mu);
	for (;;) {
		long i = find_seg(rl, c->seg);
		if (i >= 0 && c->off < rl->segs[i].bytes) {
			rl->cursor_idle = 0;
			break;      /* a frame to read */
		}
		if (i >= 0 && (size_t) i + 1 < rl->nsegs) {
			/* this segment is done: on to the next */
			c->seg = rl->segs[i + 1].id;
			c->off = 0;
			pthread_mutex_unlock(&rl->mu);
			if (!cursor_open_seg(c)) {
				snprintf(what, sizeof(what), "The segment file is missing: %s.", strerror(errno));
				return broken(c, what);
			}
			pthread_mutex_lock(&rl->mu);
			continue;
		}
		if (i < 0 && c->seg != rl->next_id) {
			/* read whole and deleted as durable (prune_locked): on to the
			 * segment that starts where the cursor is, or to the end */
			size_t j = 0;
			while (j < rl->nsegs && rl->segs[j].id < c->seg)
				j++;
			bool next = j < rl->nsegs && same_pos(&rl->segs[j].first, c->next.file, c->next.pos);
			if (!next && !(j == rl->nsegs && same_pos(&rl->end, c->next.file, c->next.pos))) {
				pthread_mutex_unlock(&rl->mu);
				return broken(c, "The segment is no longer in the relay.");
			}
			c->seg = next ? rl->segs[j].id : rl->next_id;
			c->off = 0;
			if (c->fd >= 0)
				close(c->fd);
			c->fd = -1;
			continue;
		}
		if (now_s() >= until) {
			rl->cursor_idle++;
			pthread_mutex_unlock(&rl->mu);
			return RELAY_IDLE;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long ns = (long) ((until - now_s()) * 1e9);
		if (ns < 0)
			ns = 0;
		ts.tv_sec += ns / 1000000000;
		ts.tv_nsec += ns % 1000000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&rl->cv, &rl->mu, &ts);
		/* a segment created while waiting at next_id */
		if (find_seg(rl, c->seg) >= 0 && c->fd < 0) {
			pthread_mutex_unlock(&rl->mu);
			if (!cursor_open_seg(c)) {
				snprintf(what, sizeof(what), "The segment file is missing: %s.", strerror(errno));
				return broken(c, what);
			}
			pthread_mutex_lock(&rl->mu);
		}
	}
	pthread_mutex_unlock(&rl->mu);
	if (c->fd < 0 && !cursor_open_seg(c)) {
		snprintf(what, sizeof(what), "The segment file is missing: %s.", strerror(errno));
		return broken(c, what);
	}
	relay_frame_info fi;
	relay_frame_status st = read_frame_at(c->fd, c->off, &c->comp, c->dctx, &c->raw, &fi, err, sizeof(err));
	if (st == RELAY_FRAME_SHORT) {
		snprintf(what, sizeof(what), "The segment file ends inside a frame (truncated?)%s%s.", err[0] ? ": " : "",
				 err);
		return broken(c, what);
	}
	if (st == RELAY_FRAME_BAD) {
		snprintf(what, sizeof(what), "%s.", err);
		return broken(c, what);
	}
	if (!same_pos(&fi.first, c->next.file, c->next.pos)) {
		snprintf(what, sizeof(what), "The frame starts at %s:%" PRIu64 ", not where the previous one ended.",
				 fi.first.file, fi.first.pos);
		return broken(c, what);
	}
	c->off += fi.total;
	c->rec_off = 0;
	return RELAY_REC;
}

/* rec_end: where reading resumes after rec (a ROTATE names the next file) */
static void
rec_end(const relay_rec *rec, binlogpos *end)
{
	const uint8_t *e = rec->event;
	uint32_t next = (uint32_t) e[13] | (uint32_t) e[14] << 8 | (uint32_t) e[15] << 16 | (uint32_t) e[16] << 24;

	if (e[4] == 4 && rec->len >= 19 + 8) {
		/* ROTATE: u64 position, then the name (without the CRC, if any) */
		size_t nlen = rec->len - 19 - 8 - ((rec->flags & RELAY_REC_CHECKSUM) ? 4 : 0);
		if (nlen > 255)
			nlen = 255;
		const uint8_t *p = e + 19;
		end->pos = (uint64_t) p[0] | (uint64_t) p[1] << 8 | (uint64_t) p[2] << 16 | (uint64_t) p[3] << 24 |
				   (uint64_t) p[4] << 32 | (uint64_t) p[5] << 40 | (uint64_t) p[6] << 48 | (uint64_t) p[7] << 56;
		memcpy(end->file, p + 8, nlen);
		end->file[nlen] = '\0';
		return;
	}
	snprintf(end->file, sizeof(end->file), "%s", rec->file);
	end->pos = next;
}

relay_next_result
relay_cursor_next(relay_cursor *c, relay_rec *rec, double timeout)
{
	char err[256];

	for (;;) {
		if (c->rec_off < c->raw.len) {
			if (!relay_rec_next((const uint8_t *) c->raw.data, c->raw.len, &c->rec_off, rec, err, sizeof(err)))
				return broken(c, err);  /* checked at decode; not expected */
			rec_end(rec, &c->next);
			return RELAY_REC;
		}
		relay_next_result r = cursor_frame(c, timeout);
		if (r != RELAY_REC)
			return r;
	}
}

/* seek: positions c at start; false when not held */
static bool
seek(relay_cursor *c, const binlogpos *start)
{
	relay *rl = c->rl;
	char err[256];
	long at = -1;

	pthread_mutex_lock(&rl->mu);
	if (!rl->end.file[0]) {
		pthread_mutex_unlock(&rl->mu);
		return false;
	}
	if (same_pos(&rl->end, start->file, start->pos)) {
		/* at the end: waits for what the writer adds */
		c->seg = rl->nsegs ? rl->segs[rl->nsegs - 1].id : rl->next_id;
		c->off = rl->nsegs ? rl->segs[rl->nsegs - 1].bytes : 0;
		c->next = rl->end;
		pthread_mutex_unlock(&rl->mu);
		return true;
	}
	for (size_t i = 0; i < rl->nsegs; i++)
		if (binlogpos_cmp(&rl->segs[i].first, start) <= 0 && binlogpos_cmp(start, &rl->segs[i].end) < 0)
			at = (long) i;
	if (at < 0) {
		pthread_mutex_unlock(&rl->mu);
		return false;
	}
	c->seg = rl->segs[at].id;
	uint64_t size = rl->segs[at].bytes;
	pthread_mutex_unlock(&rl->mu);
	if (!cursor_open_seg(c))
		return false;
	relay_frame_info fi;
	for (c->off = 0; c->off < size;) {
		if (read_frame_at(c->fd, c->off, &c->comp, NULL, NULL, &fi, err, sizeof(err)) != RELAY_FRAME_OK)
			return false;
		if (binlogpos_cmp(start, &fi.end) < 0)
			break;
		c->off += fi.total;
	}
	if (c->off >= size)
		return false;
	if (read_frame_at(c->fd, c->off, &c->comp, c->dctx, &c->raw, &fi, err, sizeof(err)) != RELAY_FRAME_OK)
		return false;
	c->off += fi.total;
	relay_rec rec;
	for (c->rec_off = 0; c->rec_off < c->raw.len;) {
		size_t here = c->rec_off;
		if (!relay_rec_next((const uint8_t *) c->raw.data, c->raw.len, &c->rec_off, &rec, err, sizeof(err)))
			return false;
		if (same_pos(start, rec.file, rec.pos)) {
			c->rec_off = here;
			c->next = *start;
			return true;
		}
	}
	return false;
}

relay_cursor *
relay_cursor_open(relay *rl, const binlogpos *start, uint32_t server_id)
{
	relay_cursor *c = xcalloc(1, sizeof(relay_cursor));

	c->rl = rl;
	c->fd = -1;
	c->dctx = ZSTD_createDCtx();
	pthread_mutex_lock(&rl->mu);
	uint32_t sid = rl->server_id;
	pthread_mutex_unlock(&rl->mu);
	if (sid != server_id || !seek(c, start)) {
		log_debug("the relay in %s does not hold %s:%" PRIu64 "%s", rl->dir, start->file, start->pos,
				  sid != server_id ? " (it holds another server's events)" : "");
		relay_cursor_close(c);
		return NULL;
	}
	c->next.gtid[0] = '\0';
	return c;
}

void
relay_cursor_close(relay_cursor *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->rl->mu);
	c->rl->cursor_idle = 0;
	pthread_mutex_unlock(&c->rl->mu);
	if (c->fd >= 0)
		close(c->fd);
	buf_free(&c->comp);
	buf_free(&c->raw);
	ZSTD_freeDCtx(c->dctx);
	free(c);
}

void
relay_cursor_pos(const relay_cursor *c, binlogpos *pos)
{
	*pos = c->next;
}

void
relay_truncate(relay *rl, relay_cursor *c)
{
	char path[1100];

	pthread_mutex_lock(&rl->mu);
	if (rl->wfd >= 0) {
		close(rl->wfd);
		rl->wfd = -1;
	}
	rl->wseg = UINT64_MAX;
	rl->starved = false;
	relay_frame_reset(&rl->fr);
	while (rl->nsegs && rl->segs[rl->nsegs - 1].id > c->bad_seg) {
		seg *s = &rl->segs[rl->nsegs - 1];
		seg_path(rl->dir, s->id, path, sizeof(path));
		unlink(path);
		rl->bytes -= s->bytes;
		rl->raw -= s->raw;
		rl->nsegs--;
	}
	long i = find_seg(rl, c->bad_seg);
	if (i >= 0) {
		seg *s = &rl->segs[i];
		seg_path(rl->dir, s->id, path, sizeof(path));
		if (c->bad_off == 0) {
			unlink(path);
			rl->bytes -= s->bytes;
			rl->raw -= s->raw;
			rl->nsegs--;
			rl->next_id = c->bad_seg;
		} else {
			if (truncate(path, (off_t) c->bad_off) != 0 && errno != ENOENT)
				log_warning("could not cut relay segment %s: %s", path, strerror(errno));
			rl->bytes -= s->bytes - c->bad_off;
			/* the raw bytes of what was cut are not known: the frame's
			 * share is estimated by the compressed share */
			rl->raw -= s->bytes ? (uint64_t) ((double) s->raw * (double) (s->bytes - c->bad_off) / (double) s->bytes) : 0;
			s->raw -= s->bytes ? (uint64_t) ((double) s->raw * (double) (s->bytes - c->bad_off) / (double) s->bytes) : 0;
			s->bytes = c->bad_off;
			s->end = c->next;
			rl->next_id = c->bad_seg + 1;
		}
	} else
		rl->next_id = c->bad_seg;
	rl->end = c->next;
	/* the cursor waits at the end: where the writer's next segment starts */
	c->rec_off = c->raw.len;
	if (i >= 0 && c->bad_off > 0) {
		c->seg = c->bad_seg;
		c->off = c->bad_off;
	} else {
		c->seg = rl->next_id;
		c->off = 0;
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
	}
	pthread_mutex_unlock(&rl->mu);
}
