/*
 * Failover (failover.h). The checks compare GTID lists exactly (gtid.h):
 * a checkpoint GTID or a server state that does not parse refuses the
 * switch instead of passing it unchecked. A GTID domain the new server has
 * and the stream never saw (the replica's own transactions, or another
 * primary's) would be sent from its beginning: it starts at the server's
 * last GTID of that domain instead, said in a warning.
 */
#include "stream/failover.h"

#include "common/control.h"
#include "common/log.h"
#include "common/pg.h"
#include "stream/sink_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define HINT_SWITCH "Point NAME_HOST and NAME_PORT back at the server the stream read from, or copy the tables " \
	"again from the new server with migrate --database NAME --tables all."

bool
failover_load_checkpoint(stream_run *r)
{
	char errbuf[1024];
	gtid_set cp = GTID_SET_INIT;

	if (!control_checkpoint_get(apply_conn(r->a), &r->ctl, &r->cp, &r->cp_sid, errbuf, sizeof(errbuf))) {
		log_error("could not read the checkpoint of database \"%s\": %s", r->cfg.src.name, errbuf);
		return false;
	}
	if (r->gtid.n == 0 && r->cp.gtid[0]) {
		if (!gtid_set_parse(&cp, r->cp.gtid, errbuf, sizeof(errbuf)))
			log_warning("the checkpoint of database \"%s\" has an unreadable GTID position: %s", r->cfg.src.name, errbuf);
		gtid_set_copy(&r->gtid, &cp);
	}
	gtid_set_free(&cp);
	return true;
}

/* refuse_unlogged: the server has not logged every GTID of the checkpoint
 * (or either list does not parse); -1 logged, or 0 when all are there */
static int
refuse_unlogged(stream_run *r, const source *s, const gtid_set *want, const gtid_set *have, bool parsed)
{
	char detail[1536];
	uint32_t sid = source_server_id(s);

	for (size_t i = 0; i < want->n || !parsed; i++) {
		if (parsed && gtid_state_has(have, &want->v[i]))
			continue;
		if (parsed)
			snprintf(detail, sizeof(detail), "The stream has applied up to GTID %s (from server %u), but server %u "
					 "has not logged GTID %" PRIu32 "-%" PRIu32 "-%" PRIu64 " (its gtid_binlog_state is \"%s\"). It is "
					 "not a replica of the old server with GTIDs in its own binary log (log_slave_updates=ON), or it "
					 "is behind the stream; reading it would lose or double changes.", r->cp.gtid, r->cp_sid, sid,
					 want->v[i].domain, want->v[i].server, want->v[i].seq, source_gtid_state(s));
		else
			snprintf(detail, sizeof(detail), "The checkpoint's GTID position \"%s\" or server %u's gtid_binlog_state "
					 "\"%s\" cannot be read, so there is no way to check that the server has what the stream applied.",
					 r->cp.gtid, sid, source_gtid_state(s));
		log_error_dh(detail, HINT_SWITCH, "database \"%s\" has moved to MariaDB server %u, which does not have the "
					 "stream's GTID position; refusing to switch servers", r->cfg.src.name, sid);
		return -1;
	}
	return 0;
}

/* refuse_behind_tables: a table not at the checkpoint cannot follow */
static int
refuse_behind_tables(stream_run *r, uint32_t sid)
{
	char detail[1536];

	for (size_t i = 0; i < r->tables.n; i++) {
		const stream_table *t = &r->tables.v[i];
		if (!t->active || binlogpos_cmp(&t->applied, &r->cp) == 0)
			continue;
		snprintf(detail, sizeof(detail), "Table \"%s\" is at %s:%" PRIu64 " of server %u, not at the checkpoint "
				 "%s:%" PRIu64 " (it was copied by migrate after the stream's last commit); only the checkpoint "
				 "has a GTID position to find on server %u.", t->pt.source, t->applied.file, t->applied.pos,
				 r->cp_sid, r->cp.file, r->cp.pos, sid);
		log_error_dh(detail, "Copy the table again from the new server with migrate --database NAME --tables "
					 "TABLE, or take it out of the allowlist, then start stream.",
					 "database \"%s\" has moved to MariaDB server %u, but table \"%s\" cannot follow by GTID; "
					 "refusing to switch servers", r->cfg.src.name, sid, t->pt.source);
		return -1;
	}
	return 0;
}

/* start_position: the checkpoint's GTID position plus, for each domain the
 * stream never saw, the server's last GTID there */
static void
start_position(stream_run *r, const gtid_set *want, const gtid_set *have, uint32_t sid, binlogpos *start)
{
	gtid_set from = GTID_SET_INIT;

	gtid_set_copy(&from, want);
	for (size_t j = 0; j < have->n; j++) {
		const gtid_entry *last = gtid_state_last(have, have->v[j].domain);
		if (gtid_set_domain(want, have->v[j].domain) || last != &have->v[j])
			continue;
		gtid_set_note(&from, last->domain, last->server, last->seq);
		log_warning("GTID domain %" PRIu32 " of MariaDB server %u is not in the stream's position (%s): its "
					"transactions up to %" PRIu32 "-%" PRIu32 "-%" PRIu64 ", logged before the switch, are not streamed",
					last->domain, sid, r->cp.gtid, last->domain, last->server, last->seq);
	}
	memset(start, 0, sizeof(*start));
	if (!gtid_set_format_fixed(&from, start->gtid, sizeof(start->gtid)))
		log_warning("the GTID position to switch from is too long to keep");
	gtid_set_free(&from);
}

int
failover_check(stream_run *r, const source *s, binlogpos *start)
{
	char detail[1536], err[256];
	uint32_t sid = source_server_id(s);
	gtid_set want = GTID_SET_INIT, have = GTID_SET_INIT;

	if (r->cp_sid == 0 || r->cp_sid == sid || !r->cp.file[0])
		return 0;
	if (!r->cp.gtid[0]) {
		snprintf(detail, sizeof(detail), "The stream's checkpoint %s:%" PRIu64 " is a place in the binary log of MariaDB "
				 "server %u; the configured server is server %u, whose binary log has other files and offsets. "
				 "Without the checkpoint's GTID position there is no way to find the same place there, so "
				 "changes would be lost or applied twice.", r->cp.file, r->cp.pos, r->cp_sid, sid);
		log_error_dh(detail, HINT_SWITCH, "database \"%s\" has moved to another MariaDB server (id %u, was %u) and the "
					 "checkpoint has no GTID position; refusing to switch servers", r->cfg.src.name, sid, r->cp_sid);
		return -1;
	}
	bool parsed = gtid_set_parse(&want, r->cp.gtid, err, sizeof(err)) &&
		gtid_set_parse(&have, source_gtid_state(s), err, sizeof(err));
	int rc = refuse_unlogged(r, s, &want, &have, parsed);
	if (rc == 0)
		rc = refuse_behind_tables(r, sid);
	if (rc == 0) {
		start_position(r, &want, &have, sid, start);
		log_notice("database \"%s\" has moved from MariaDB server %u to server %u: continuing from GTID position %s "
				   "(checkpoint %s:%" PRIu64 " on server %u)", r->cfg.src.name, r->cp_sid, sid, start->gtid, r->cp.file,
				   r->cp.pos, r->cp_sid);
		rc = 1;
	}
	gtid_set_free(&want);
	gtid_set_free(&have);
	return rc;
}

sink_result
failover_commit(stream_run *r, const binlogpos *at, const char *from_gtid, uint32_t sid)
{
	binlogpos p = *at;
	buf names = BUF_INIT;
	size_t n = 0;
	char npos[32], err[256];
	const char *why;
	gtid_set moved = GTID_SET_INIT;

	snprintf(p.gtid, sizeof(p.gtid), "%s", from_gtid);
	for (size_t i = 0; i < r->tables.n; i++)
		if (r->tables.v[i].active)
			pg_array_add(&names, r->tables.v[i].pt.source, n++ == 0);
	if (n == 0)
		buf_putc(&names, '{');
	buf_putc(&names, '}');
	snprintf(npos, sizeof(npos), "%" PRIu64, p.pos);
	const char *params[] = { names.data, p.file, npos, p.gtid };
	apply_set_source_server(r->a, sid);
	sink_result res = sink_pg_commit_with(r->sk, &r->tables, &p, CONTROL_SQL_TABLES_MOVED, 4, params, &why);
	buf_free(&names);
	if (res != SINK_DONE)
		return res == SINK_REFUSED ? SINK_FATAL : res;
	for (size_t i = 0; i < r->tables.n; i++)
		if (r->tables.v[i].active)
			r->tables.v[i].snapshot = r->tables.v[i].applied = p;
	log_notice("database \"%s\" now streams from MariaDB server %u at %s:%" PRIu64 " (GTID position %s)",
			   r->cfg.src.name, sid, p.file, p.pos, p.gtid);
	r->cp = p;
	r->cp_sid = sid;
	if (gtid_set_parse(&moved, from_gtid, err, sizeof(err)))
		for (size_t i = 0; i < moved.n; i++)
			gtid_set_note(&r->gtid, moved.v[i].domain, moved.v[i].server, moved.v[i].seq);
	gtid_set_free(&moved);
	return SINK_DONE;
}
