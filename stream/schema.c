/*
 * Carrying schema changes (schema.h). The table is described again from
 * information_schema, which shows it as it is now; when a table map is at
 * hand it must agree with that description (else the table changed again
 * later, and the stream cannot rebuild the schema at this point). ddl_diff
 * turns old and new description into PostgreSQL statements, or says why
 * the change cannot be carried; the sink then takes the change as one
 * event (its statements and the new description), committed with the
 * checkpoint past the ALTER.
 */
#include "stream/schema.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "stream/ddl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
schema_stop_table(stream_run *r, stream_table *t, const char *why)
{
	bool recopy = r->recopy && !r->o.to_kafka && !r->o.from_kafka;

	if (recopy)
		log_warning_dh(why, "The other tables stream on; the daemon copies this table again online once the batch "
					   "is committed (STREAM_ON_UNCARRYABLE=stop stops it instead).",
					   "table \"%s\" of database \"%s\" stops streaming for a new copy", t->pt.source,
					   r->cfg.src.name);
	else
		log_error_dh(why, "The other tables stream on. Copy this table again with migrate to stream it again.",
					 "table \"%s\" of database \"%s\" is no longer streamed", t->pt.source, r->cfg.src.name);
	t->active = false;
	r->sk->ops->table_stopped(r->sk, t, why);
	if (recopy)
		r->sk->ev->tables_changed = true;   /* the reload after the commit asks for the copy */
}

/* describe_again: np from information_schema; false with why */
static bool
describe_again(stream_run *r, stream_table *t, const char *stmt, const binlog_table *bt, plan_table *np,
			   char *why, size_t whylen)
{
	plan_env env = { .cfg = &r->cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
	const config_table *allow = config_find_table(&r->cfg, t->pt.source);

	if (!allow || !plan_table_load(r->meta, &env, allow, np)) {
		snprintf(why, whylen, "could not read the table again after: %.900s", stmt);
		return false;
	}
	/* information_schema shows the table as it is now; the binlog's table
	 * map shows it as the rows after the ALTER were written: they must agree */
	if (bt && !tables_map_matches(bt, np)) {
		snprintf(why, whylen, "the table changed again later (MariaDB's description no longer matches the "
				 "binary log where the stream is); the stream cannot rebuild the schema at %.700s", stmt);
		return false;
	}
	return true;
}

sink_result
schema_carry(stream_run *r, stream_table *t, const binlog_table *bt)
{
	char why[1200] = "", err[256];
	char *stmt = xstrdup(t->ddl_pending);
	plan_table np;
	buf ddl = BUF_INIT;
	ddl_stmt st = { 0 };
	unsigned flags = r->o.to_kafka ? DDL_DIFF_LENIENT : 0;
	sink_result res = SINK_DONE;

	memset(&np, 0, sizeof(np));
	if (ddl_classify(stmt, r->cfg.src.schema, 0, &st, err, sizeof(err)) && st.renames_columns)
		flags |= DDL_DIFF_RENAMES;
	ddl_stmt_free(&st);
	bool carried = describe_again(r, t, stmt, bt, &np, why, sizeof(why)) &&
		ddl_diff(&t->pt, &np, stmt, flags, &ddl, why, sizeof(why));
	if (carried) {
		res = r->sk->ops->schema_change(r->sk, t, ddl.data ? ddl.data : "", &np, why, sizeof(why));
		if (res == SINK_DONE) {
			if (ddl.len)
				log_info("table \"%s\": schema change carried: %s", t->pt.source, ddl.data);
			memset(&np, 0, sizeof(np));     /* its contents now belong to t */
		}
		carried = res == SINK_DONE;
	}
	if (!carried && (res == SINK_DONE || res == SINK_REFUSED)) {
		free(t->ddl_pending);
		t->ddl_pending = NULL;
		schema_stop_table(r, t, why);
		res = SINK_DONE;
	}
	plan_table_free(&np);
	buf_free(&ddl);
	free(stmt);
	return res;
}

sink_result
schema_carry_pending(stream_run *r)
{
	for (size_t i = 0; i < r->tables.n; i++) {
		stream_table *t = &r->tables.v[i];
		if (t->active && t->ddl_pending) {
			sink_result res = schema_carry(r, t, NULL);
			if (res != SINK_DONE)
				return res;
		}
	}
	return SINK_DONE;
}
