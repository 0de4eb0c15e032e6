/*
 * The PostgreSQL sink (sink_pg.h): every operation is one apply.h call
 * followed by the mapping of its failure to an outcome (outcome()).
 */
#include "stream/sink_pg.h"

#include "common/log.h"
#include "common/pg.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct sink_pg {
	sink        base;           /* first: a sink_pg is a sink */
	apply     **a;              /* the run's session */
	uint32_t    replica_sid;
} sink_pg;

sink_result
sink_pg_outcome(bool disconnected, const char *sqlstate, bool row, bool value_refused)
{
	static const char *const transient[] = { "08", "40", "53", "57" };

	if (disconnected)
		return SINK_RETRY;
	if (row && value_refused)
		return SINK_REFUSED;
	for (size_t i = 0; sqlstate && i < sizeof(transient) / sizeof(transient[0]); i++)
		if (strncmp(sqlstate, transient[i], 2) == 0)
			return SINK_RETRY;
	if (!row && sqlstate && pg_state_is_data(sqlstate))
		return SINK_REFUSED;
	return SINK_FATAL;
}

/* outcome: what the session's last failure means; row: the call was
 * apply_row (whose refusals are the type map's, staging nothing) */
static sink_result
outcome(const sink_pg *s, bool row)
{
	return sink_pg_outcome(pg_is_disconnect(apply_conn(*s->a)), apply_failure_state(*s->a), row,
						   row && apply_row_refused(*s->a));
}

static void
pg_table_open(sink *sk, stream_table *t)
{
	apply_table_open(*((sink_pg *) sk)->a, t);
}

static void
pg_table_close(sink *sk, stream_table *t)
{
	(void) sk;
	apply_table_close(t);
}

static sink_result
pg_row(sink *sk, stream_table *t, binlog_rows_kind kind, const binlog_row *row, const sink_origin *o)
{
	sink_pg *s = (sink_pg *) sk;

	(void) o;
	return apply_row(*s->a, t, kind, row) ? SINK_DONE : outcome(s, true);
}

static sink_result
pg_truncate(sink *sk, stream_table *t)
{
	sink_pg *s = (sink_pg *) sk;

	if (!apply_truncate(*s->a, t))
		return outcome(s, false);
	log_info("table \"%s\": TRUNCATE applied", t->pt.source);
	return SINK_DONE;
}

static sink_result
pg_schema_change(sink *sk, stream_table *t, const char *ddl, plan_table *np, char *why, size_t whylen)
{
	sink_pg *s = (sink_pg *) sk;

	switch (apply_schema_change(*s->a, t, ddl[0] ? ddl : "SELECT 1", np, why, whylen)) {
		case APPLY_DDL_DONE:
			return SINK_DONE;
		case APPLY_DDL_REFUSED:
			return SINK_REFUSED;
		default: {
			sink_result res = outcome(s, false);
			return res == SINK_REFUSED ? SINK_FATAL : res;
		}
	}
}

static sink_result
pg_table_dropped(sink *sk, stream_table *t, const char *sql)
{
	sink_pg *s = (sink_pg *) sk;
	char why[1024];

	snprintf(why, sizeof(why), "the table was dropped in MariaDB; PostgreSQL keeps it as it was then (state "
			 "dropped): %.800s", sql);
	const char *params[] = { t->pt.source, why };
	/* with the checkpoint past the DROP */
	if (!apply_control(*s->a, "UPDATE {ctl}.tables SET state = 'dropped', error = $3, updated_at = now() "
					   "WHERE source_db = $1 AND source_table = $2", 2, params)) {
		sink_result res = outcome(s, false);
		return res == SINK_REFUSED ? SINK_FATAL : res;
	}
	return SINK_DONE;
}

static sink_result
pg_rename_table(sink *sk, stream_table *t, plan_table *np, char *why, size_t whylen)
{
	sink_pg *s = (sink_pg *) sk;

	switch (apply_follow_rename(*s->a, t, np, why, whylen)) {
		case APPLY_DDL_DONE:
			return SINK_DONE;
		case APPLY_DDL_REFUSED:
			return SINK_REFUSED;
		default: {
			sink_result res = outcome(s, false);
			return res == SINK_REFUSED ? SINK_FATAL : res;
		}
	}
}

static void
pg_table_stopped(sink *sk, stream_table *t, const char *why)
{
	/* the control row's error; if it cannot be written now, the table is
	 * stopped again when the stream meets the same change after a retry */
	(void) apply_set_table_error(*((sink_pg *) sk)->a, t->pt.source, why);
}

static sink_result
pg_commit(sink *sk, table_set *ts, const binlogpos *pos, uint32_t source_sid, uint32_t tstamp)
{
	sink_pg *s = (sink_pg *) sk;

	apply_set_source_server(*s->a, source_sid);
	if (!apply_commit(*s->a, ts->v, ts->n, pos, s->replica_sid, tstamp))
		return outcome(s, false);
	if (apply_tables_changed(*s->a))
		sk->ev->tables_changed = true;
	sk->ev->on_durable(sk->ev->ctx, pos, tstamp);
	return SINK_DONE;
}

sink_result
sink_pg_commit_with(sink *sk, table_set *ts, const binlogpos *pos, const char *extra_sql, int nextra,
					const char **extra_params, const char **why)
{
	sink_pg *s = (sink_pg *) sk;

	*why = NULL;
	if (!apply_commit_with(*s->a, ts->v, ts->n, pos, s->replica_sid, 0, extra_sql, nextra, extra_params)) {
		sink_result res = outcome(s, false);
		if (res == SINK_REFUSED && !apply_data_refused(*s->a, why))
			res = SINK_FATAL;
		return res;
	}
	if (apply_tables_changed(*s->a))
		sk->ev->tables_changed = true;
	if (pos)
		sk->ev->on_durable(sk->ev->ctx, pos, 0);
	return SINK_DONE;
}

sink_result
sink_pg_control(sink *sk, const char *sql, int nparams, const char **params)
{
	sink_pg *s = (sink_pg *) sk;

	return apply_control(*s->a, sql, nparams, params) ? SINK_DONE : outcome(s, false);
}

static sink_result
pg_settle(sink *sk, int wait_ms)
{
	(void) sk;
	(void) wait_ms;
	return SINK_DONE;   /* a commit is durable when it returns */
}

static bool
pg_durable(const sink *sk, binlogpos *pos)
{
	(void) sk;
	(void) pos;
	return false;       /* the tables' watermarks are the positions */
}

static long long
pg_pending(const sink *sk)
{
	return apply_rows_pending(*((const sink_pg *) sk)->a);
}

static void
pg_rollback(sink *sk, table_set *ts)
{
	sink_pg *s = (sink_pg *) sk;

	if (*s->a)
		apply_rollback(*s->a, ts->v, ts->n);
}

static sink_result
pg_reset(sink *sk, table_set *ts)
{
	(void) sk;
	(void) ts;
	return SINK_DONE;   /* main opens a new session; staging is per batch */
}

static void
pg_close(sink *sk)
{
	free(sk);
}

static const sink_ops pg_ops = {
	.table_open = pg_table_open,
	.table_close = pg_table_close,
	.row = pg_row,
	.truncate = pg_truncate,
	.schema_change = pg_schema_change,
	.rename_table = pg_rename_table,
	.table_dropped = pg_table_dropped,
	.table_stopped = pg_table_stopped,
	.commit = pg_commit,
	.settle = pg_settle,
	.durable = pg_durable,
	.pending = pg_pending,
	.rollback = pg_rollback,
	.reset = pg_reset,
	.close = pg_close,
};

sink *
sink_pg_open(apply **a, uint32_t replica_sid, sink_events *ev)
{
	sink_pg *s = xcalloc(1, sizeof(sink_pg));

	s->base.ops = &pg_ops;
	s->base.ev = ev;
	s->a = a;
	s->replica_sid = replica_sid;
	return &s->base;
}
