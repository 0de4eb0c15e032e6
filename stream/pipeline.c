/*
 * The binlog pipeline (pipeline.h). One pass holds the reader and the
 * positions of the batch: `done` is where the last whole source
 * transaction (or skippable event) ends, with the GTID position there;
 * `committed` is what the sink last made durable as the checkpoint;
 * `trx_start` is where the current transaction began (compared with each
 * table's watermark). Each event handler returns 0 to go on or -1 with the
 * pass's end set; a sink outcome becomes a loop end in one place (fate()).
 */
#include "stream/pipeline.h"

#include "common/control.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "stream/ddl.h"
#include "stream/failover.h"
#include "stream/schema.h"
#include "stream/source.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef struct pass {
	stream_run *r;
	source     *s;
	uint32_t    source_sid;     /* the server read from */
	binlogpos   from;           /* where reading started (GTID position when switching) */
	bool        switching;      /* by GTID from another server: its coordinates
								 * replace the old ones at the first event */
	binlogpos   done;           /* end of the last whole transaction read */
	binlogpos   committed;      /* the last checkpoint committed */
	binlogpos   trx_start;      /* start of the current transaction */
	bool        in_trx;
	char        trx_gtid[sizeof(((binlogpos *) 0)->gtid)];  /* the GTID position with the
								 * current transaction's, for the sink's origin */
	uint32_t    last_ts;        /* source commit time at done */
	double      batch_started;  /* run_now() of the batch's first row, 0 = none */
	double      last_commit;
	loop_end    end;
} pass;

/* fate: what a sink outcome means for the pass: 0 go on, -1 end (set).
 * A refused value is fatal here: the binary log has no place to set a
 * change aside, and skipping it would lose it (logged by the sink). */
static int
fate(pass *p, sink_result res)
{
	if (res == SINK_DONE)
		return 0;
	p->end = res == SINK_RETRY ? END_RETRY : END_FATAL;
	return -1;
}

/* gtid_now: the run's GTID position as text */
static void
gtid_now(const stream_run *r, char *out, size_t len)
{
	if (!gtid_set_format_fixed(&r->gtid, out, len))
		log_debug("the GTID position of database \"%s\" is too long to record", r->cfg.src.name);
}

/* commit: the batch with the checkpoint at done */
static sink_result
commit(pass *p)
{
	stream_run *r = p->r;
	binlogpos cp = p->done;
	char at[300];
	long long n = r->sk->ops->pending(r->sk);
	double t0 = run_now();

	if (!cp.gtid[0])
		gtid_now(r, cp.gtid, sizeof(cp.gtid));
	snprintf(at, sizeof(at), "%s:%" PRIu64, cp.file, cp.pos);
	log_set_position(at);   /* json log lines: where the stream's batches have got to */
	sink_result res = r->sk->ops->commit(r->sk, &r->tables, &cp, p->source_sid, p->last_ts);
	if (res != SINK_DONE)
		return res;
	p->committed = p->done;
	p->batch_started = 0;
	p->last_commit = run_now();
	run_retention_watch(r, false);
	if (r->sk->ev->tables_changed) {
		r->sk->ev->tables_changed = false;
		*r->reload_requested = 1;   /* picks the table up again once it is ready */
	}
	/* a table copy (migrate's, or the online copy's) announced a ready
	 * table: it joins at the next transaction boundary, also under load */
	bool notified = false;
	if (r->a && apply_notified(r->a, &notified) && notified)
		*r->reload_requested = 1;
	if (n > 0)
		log_debug("%lld row changes up to %s:%" PRIu64 " (%.0f ms)", n, cp.file, cp.pos, (run_now() - t0) * 1000);
	return SINK_DONE;
}

/* on_request: a stop or reload request between transactions */
static int
on_request(pass *p)
{
	stream_run *r = p->r;
	binlogpos low;

	if (fate(p, commit(p)) < 0)
		return -1;
	if (*r->stop_requested) {
		log_info("stopping at %s:%" PRIu64 " on request", p->done.file, p->done.pos);
		p->end = END_STOP;
		return -1;
	}
	*r->reload_requested = 0;
	log_info("reloading the settings, allowlist and table states of database \"%s\"", r->cfg.src.name);
	int rc = r->o.to_kafka ? 1 : run_reload_source(r);
	if (rc <= 0) {
		p->end = rc < 0 ? END_FATAL : END_RETRY;
		return -1;
	}
	if (!tables_load(r)) {
		/* a connection lost on the way is retried (the tables are read
		 * again then); anything else needs a person */
		bool lost = mysql_ping(r->meta) != 0 || (r->a && pg_is_disconnect(apply_conn(r->a)));
		p->end = lost ? END_RETRY : END_FATAL;
		return -1;
	}
	/* the decoder's table maps point at the old tables: a new reader, from
	 * the lowest watermark (a table that joined behind the stream is read
	 * again from its own) */
	if (tables_lowest_watermark(&r->tables, &low) && binlogpos_cmp(&low, &p->done) < 0)
		log_info("a table joined at %s:%" PRIu64 ", behind the stream; reading again from there", low.file, low.pos);
	p->end = END_RESTART;
	return -1;
}

/* on_switch: reading by GTID from another server: the first transaction, or
 * the heartbeat of an idle server, is where the checkpoint is there; from
 * then on by file and offset, like after any restart. 1: not yet there. */
static int
on_switch(pass *p, const binlog_event *ev, const binlogpos *at)
{
	binlogpos here = *at;

	if (ev->kind == BINLOG_EV_HEARTBEAT && ev->u.heartbeat.file) {
		snprintf(here.file, sizeof(here.file), "%s", ev->u.heartbeat.file);
		here.pos = ev->next_pos;
	}
	if ((ev->kind != BINLOG_EV_GTID && ev->kind != BINLOG_EV_HEARTBEAT) || !here.file[0] || here.pos < 4)
		return 1;
	sink_result res = failover_commit(p->r, &here, p->from.gtid, p->source_sid);
	p->end = res == SINK_DONE ? END_RESTART : res == SINK_RETRY ? END_RETRY : END_FATAL;
	return -1;
}

/* on_rows: a rows event: each row of a streamed table, from its watermark */
static int
on_rows(pass *p, const binlog_event *ev, const binlogpos *at)
{
	stream_run *r = p->r;
	stream_table *t = ev->u.rows.table ? ev->u.rows.table->user : NULL;

	if (!t || !t->active)
		return 0;
	if (binlogpos_cmp(&p->trx_start, &t->applied) < 0)
		return 0;   /* already in the target (before its watermark) */
	if (!ev->u.rows.table->wanted) {
		char why[768], detail[1024];
		if (tables_map_check(ev->u.rows.table, &t->pt, why, sizeof(why)))
			snprintf(why, sizeof(why), "a schema change is pending");
		snprintf(detail, sizeof(detail), "the table's columns in the binary log no longer match the schema the "
				 "stream holds: %s", why);
		schema_stop_table(r, t, detail);
		return 0;
	}
	if (p->batch_started == 0)
		p->batch_started = run_now();
	sink_origin o = { .db = r->cfg.src.schema, .at = at, .gtid = p->trx_gtid, .server_id = ev->server_id,
					  .ts = ev->timestamp };
	for (size_t i = 0; i < ev->u.rows.nrows; i++) {
		o.row = (unsigned) i;
		if (fate(p, r->sk->ops->row(r->sk, t, ev->u.rows.kind, &ev->u.rows.rows[i], &o)) < 0)
			return -1;
	}
	return 0;
}

/* on_table_map: a map of a table with an ALTER left pending by an older
 * version of the stream: carried now, then the map is described with the
 * new description */
static int
on_table_map(pass *p, const binlog_event *ev)
{
	/* the decoder lets its caller adjust a table map as its hook may,
	 * before the rows that refer to it (binlog.h) */
	binlog_table *bt = (binlog_table *) ev->u.table_map;
	stream_table *t = bt ? bt->user : NULL;

	if (!t || !t->active || !t->ddl_pending)
		return 0;
	if (fate(p, schema_carry_pending(p->r)) < 0)
		return -1;
	if (t->active)
		(void) tables_apply_hints(&p->r->tables, t, bt);
	return 0;
}

/* on_statement: what a statement of the binary log means for the streamed
 * tables; 1 when it is not the end of a transaction (BEGIN, SAVEPOINT) */
static int
on_statement(pass *p, const ddl_stmt *st, const char *qdb, const char *sql, uint64_t sql_mode, bool sql_mode_known)
{
	stream_run *r = p->r;
	const ddl_name *n = st->ntables ? &st->tables[0] : NULL;
	stream_table *t = n ? tables_find(&r->tables, r->cfg.src.schema, qdb, n->db, n->name) : NULL;

	switch (st->kind) {
		case DDL_NONE:
			return 1;
		case DDL_TRUNCATE:
			return t ? fate(p, r->sk->ops->truncate(r->sk, t)) : 0;
		case DDL_DML:
			if (!t)
				return 0;
			log_error_dh(sql, "Set binlog_format=ROW on the server (SET GLOBAL binlog_format = 'ROW' and in my.cnf); "
						 "sessions that set binlog_format themselves must not change streamed tables.",
						 "a change to streamed table \"%s\" of database \"%s\" was logged as a statement, which cannot "
						 "be replayed exactly", t->pt.source, r->cfg.src.name);
			p->end = END_FATAL;
			return -1;
		case DDL_ALTER:
		case DDL_DROP:
		case DDL_RENAME:
		case DDL_CREATE:
			return fate(p, schema_statement(r, st, qdb, sql, sql_mode, sql_mode_known));
		default:
			return 0;
	}
}

/* on_query: a QUERY event; DDL is its own transaction: what came before it
 * lands first. 1 when the transaction goes on. */
static int
on_query(pass *p, const binlog_event *ev)
{
	stream_run *r = p->r;
	const char *sql = ev->u.query.sql, *qdb = ev->u.query.db;
	char err[256];
	ddl_stmt st = { 0 };

	if (!ddl_classify(sql, qdb, ddl_sql_mode_flags(ev->u.query.sql_mode), &st, err, sizeof(err)))
		log_warning_dh(sql, NULL, "a statement of database \"%s\" could not be read (%s); the stream looks at what "
					   "it could read of it", r->cfg.src.name, err);
	int rc = 0;
	if (st.kind != DDL_NONE && st.kind != DDL_COMMIT && r->sk->ops->pending(r->sk) > 0)
		rc = fate(p, commit(p));
	if (rc == 0)
		rc = on_statement(p, &st, qdb, sql, ev->u.query.sql_mode, ev->u.query.sql_mode_known);
	ddl_stmt_free(&st);
	return rc;
}

/* on_trx_end: an XID or a statement that ends a transaction: the batch
 * closes when full or old enough, and at --stop-at; when the source goes
 * idle, the next heartbeat (every 100 ms) closes it */
static int
on_trx_end(pass *p, const binlog_event *ev, const binlogpos *at)
{
	stream_run *r = p->r;

	p->in_trx = false;
	snprintf(p->done.file, sizeof(p->done.file), "%s", at->file);
	p->done.pos = ev->next_pos;
	gtid_now(r, p->done.gtid, sizeof(p->done.gtid));
	p->last_ts = ev->timestamp;
	bool stop_here = r->stop.file[0] && binlogpos_cmp(&p->done, &r->stop) >= 0;
	double now = run_now();
	long long n = r->sk->ops->pending(r->sk);
	if (stop_here || (n > 0 && (n >= r->o.batch_rows || (now - p->batch_started) * 1000 >= r->o.batch_ms)) ||
		(n == 0 && now - p->last_commit >= 1.0)) {
		if (fate(p, commit(p)) < 0)
			return -1;
	}
	if (stop_here) {
		log_info("reached --stop-at %s:%" PRIu64 " (at %s:%" PRIu64 ")", r->stop.file, r->stop.pos, p->done.file,
				 p->done.pos);
		p->end = END_STOP;
		return -1;
	}
	return 0;
}

/* on_heartbeat: the source is idle: pending schema changes are carried,
 * what is staged lands, the checkpoint catches up with skipped
 * transactions and rotations, Kafka's acknowledgements are recorded, and
 * migrate's notices are looked at */
static int
on_heartbeat(pass *p)
{
	stream_run *r = p->r;

	if (p->in_trx)
		return 0;
	if (fate(p, schema_carry_pending(r)) < 0)
		return -1;
	if ((r->sk->ops->pending(r->sk) > 0 || binlogpos_cmp(&p->done, &p->committed) != 0) && fate(p, commit(p)) < 0)
		return -1;
	if (fate(p, r->sk->ops->settle(r->sk, 0)) < 0)
		return -1;
	metrics_stream_idle();  /* caught up, unless Kafka has not acknowledged all */
	if (r->stop.file[0] && binlogpos_cmp(&p->done, &r->stop) >= 0) {
		log_info("at --stop-at %s:%" PRIu64 " already (at %s:%" PRIu64 ")", r->stop.file, r->stop.pos,
				 p->done.file, p->done.pos);
		p->end = END_STOP;
		return -1;
	}
	if (r->a) {
		bool notified = false;
		if (!apply_notified(r->a, &notified)) {
			log_error("lost the sink connection of database \"%s\" while idle", r->cfg.src.name);
			p->end = END_RETRY;
			return -1;
		}
		if (notified)
			*r->reload_requested = 1;
	}
	return 0;
}

/* on_event: one decoded event */
static int
on_event(pass *p, const binlog_event *ev, const binlogpos *at)
{
	stream_run *r = p->r;
	int rc;

	switch (ev->kind) {
		case BINLOG_EV_GTID:
			if (!p->in_trx)
				gtid_now(r, p->done.gtid, sizeof(p->done.gtid));   /* the position before this transaction */
			p->in_trx = true;
			p->trx_start = *at;
			gtid_set_note(&r->gtid, ev->u.gtid.domain_id, ev->server_id, ev->u.gtid.seq_no);
			gtid_now(r, p->trx_gtid, sizeof(p->trx_gtid));     /* once per transaction */
			metrics_stream_read(ev->timestamp);
			return 0;
		case BINLOG_EV_TABLE_MAP:
			return on_table_map(p, ev);
		case BINLOG_EV_ROWS:
			return on_rows(p, ev, at);
		case BINLOG_EV_QUERY:
			if ((rc = on_query(p, ev)) != 0)
				return rc < 0 ? -1 : 0;
			return on_trx_end(p, ev, at);
		case BINLOG_EV_XID:
			return on_trx_end(p, ev, at);
		case BINLOG_EV_ROTATE:
			if (!p->in_trx && ev->next_pos != 0) {
				snprintf(p->done.file, sizeof(p->done.file), "%s", ev->u.rotate.file);
				p->done.pos = ev->u.rotate.pos;
			}
			return 0;
		case BINLOG_EV_HEARTBEAT:
			return on_heartbeat(p);
		default:
			/* events between transactions (FORMAT_DESCRIPTION, GTID_LIST,
			 * BINLOG_CHECKPOINT...): resuming after them is as good */
			if (!p->in_trx && ev->next_pos != 0 && binlogpos_cmp(at, &p->done) >= 0) {
				snprintf(p->done.file, sizeof(p->done.file), "%s", at->file);
				p->done.pos = ev->next_pos;
			}
			return 0;
	}
}

/* open_source: the reader at start, or (another server) at the
 * checkpoint's GTID position; false with p->end set */
static bool
open_source(pass *p, const binlogpos *start)
{
	stream_run *r = p->r;
	bool fatal = false;

	/* the checkpoint is the stream's own only into PostgreSQL; the
	 * publisher does not follow a failover */
	if ((!r->o.to_kafka && !failover_load_checkpoint(r)) || !schema_begin(r)) {
		p->end = END_RETRY;
		return false;
	}
	if (!(p->s = source_open(&r->cfg.src, r->server_id, &fatal))) {
		p->end = fatal ? END_FATAL : END_RETRY;
		return false;
	}
	p->source_sid = source_server_id(p->s);
	p->from = *start;
	int sw = r->o.to_kafka ? 0 : failover_check(r, p->s, &p->from);
	p->switching = sw > 0;
	if (sw < 0 || !source_start(p->s, &p->from, tables_describe_map, r, &fatal)) {
		p->end = sw < 0 || fatal ? END_FATAL : END_RETRY;
		return false;
	}
	return true;
}

loop_end
pipeline_run(stream_run *r, const binlogpos *start)
{
	pass p = { .r = r, .done = *start, .committed = *start, .trx_start = *start, .end = END_RETRY };
	binlog_event ev;
	binlogpos at;
	bool fatal = false;

	p.done.gtid[0] = '\0';  /* the GTID position at done: taken as transactions end */
	p.last_commit = run_now();
	if (open_source(&p, start)) {
		for (;;) {
			metrics_stream_poll_source(r->meta);    /* the lag in bytes, every few seconds */
			if (!p.in_trx && (*r->stop_requested || *r->reload_requested) && on_request(&p) < 0)
				break;
			if (!source_next(p.s, &ev, &at, &fatal)) {
				p.end = fatal ? END_FATAL : END_RETRY;
				break;
			}
			int rc = p.switching ? on_switch(&p, &ev, &at) : on_event(&p, &ev, &at);
			if (rc < 0)
				break;
		}
	}
	r->sk->ops->rollback(r->sk, &r->tables);
	if (p.s)
		source_close(p.s);
	tables_free_labels(&r->tables);
	return p.end;
}
