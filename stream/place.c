/*
 * Placing a consumed event against a watermark (place.h).
 */
#include "stream/place.h"

#include "common/gtid.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* base_len: the length of a binlog file name's base ("mariadb-bin" of
 * "mariadb-bin.000042"), the whole name when it has no numeric suffix */
static size_t
base_len(const char *file)
{
	const char *dot = strrchr(file, '.');

	return dot ? (size_t) (dot - file) : strlen(file);
}

/* by_gtid: PLACE_BEFORE or PLACE_AFTER, or PLACE_UNKNOWN when a list does
 * not parse */
static place_result
by_gtid(const char *event, const char *mark, char *why, size_t whylen)
{
	gtid_set e = GTID_SET_INIT, w = GTID_SET_INIT;
	char err[256];
	place_result res = PLACE_BEFORE;

	if (!gtid_set_parse(&e, event, err, sizeof(err)) || e.n == 0 || !gtid_set_parse(&w, mark, err, sizeof(err))) {
		snprintf(why, whylen, "a GTID does not parse (%s)", err);
		res = PLACE_UNKNOWN;
		goto out;
	}
	for (size_t i = 0; i < e.n && res == PLACE_BEFORE; i++) {
		const gtid_entry *g = &e.v[i], *m = gtid_set_domain(&w, g->domain);
		if (!m) {
			snprintf(why, whylen, "GTID %" PRIu32 "-%" PRIu32 "-%" PRIu64 ": its domain began after the watermark %s",
					 g->domain, g->server, g->seq, mark);
			res = PLACE_AFTER;
		} else if (g->seq > m->seq) {
			snprintf(why, whylen, "GTID %" PRIu32 "-%" PRIu32 "-%" PRIu64 " is after the watermark %s", g->domain,
					 g->server, g->seq, mark);
			res = PLACE_AFTER;
		}
	}
	if (res == PLACE_BEFORE)
		snprintf(why, whylen, "GTID %s is within the watermark %s", event, mark);
out:
	gtid_set_free(&e);
	gtid_set_free(&w);
	return res;
}

place_result
place_event(const place_source *ev, const binlogpos *wm, uint32_t wm_sid, char *why, size_t whylen)
{
	if (!wm->file[0] && !wm->gtid[0]) {
		snprintf(why, whylen, "the table has no watermark");
		return PLACE_AFTER;
	}
	if (ev->gtid && ev->gtid[0] && wm->gtid[0]) {
		place_result res = by_gtid(ev->gtid, wm->gtid, why, whylen);
		if (res != PLACE_UNKNOWN)
			return res;
	}
	const char *file = ev->file ? ev->file : "";
	if (ev->has_pos && file[0] && wm->file[0] && wm_sid && ev->server_id == wm_sid &&
		base_len(file) == base_len(wm->file) && strncmp(file, wm->file, base_len(file)) == 0) {
		binlogpos at = { .pos = ev->pos };
		snprintf(at.file, sizeof(at.file), "%s", file);
		bool before = binlogpos_cmp(&at, wm) < 0;
		snprintf(why, whylen, "%s:%" PRIu64 " on server %" PRIu32 " is %s the watermark %s:%" PRIu64, file, ev->pos,
				 ev->server_id, before ? "before" : "at or after", wm->file, wm->pos);
		return before ? PLACE_BEFORE : PLACE_AFTER;
	}
	if (!(ev->gtid && ev->gtid[0]) && !ev->has_pos)
		snprintf(why, whylen, "the event carries neither a GTID nor a binlog position");
	else if (!(ev->gtid && ev->gtid[0]) || !wm->gtid[0])
		snprintf(why, whylen, "%s, and its position %s:%" PRIu64 " (server %" PRIu32 ") is not in the binary log "
				 "the watermark %s:%" PRIu64 " was taken from (server %" PRIu32 ")",
				 !(ev->gtid && ev->gtid[0]) ? "the event carries no GTID" : "the watermark has no GTID position",
				 file[0] ? file : "-", ev->pos, ev->server_id, wm->file, wm->pos, wm_sid);
	return PLACE_UNKNOWN;
}
