/*
 * Finishing a table once its rows are in: make it LOGGED (before the
 * indexes, so that under wal_level minimal the rewrite skips WAL and the
 * indexes are built once, on the durable table), build the primary key's
 * unique index and the other indexes (several workers in parallel, none
 * waiting for another's lock), set the sequences of AUTO_INCREMENT columns
 * past the highest value, attach the primary key constraint to its index,
 * ANALYZE, and record the table as ready with its watermark in one durable
 * commit.
 *
 * The watermark is the earliest snapshot position among the table's chunks;
 * each chunk's own position stays in the ledger (see schemas/001_control.sql
 * for why that makes the handoff to the stream exact).
 */
#include "migrate/work.h"

#include "common/log.h"
#include "common/pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ensure_pg: a live sink connection for the worker */
static bool
ensure_pg(worker *w)
{
	if (w->pg && !pg_is_disconnect(w->pg))
		return true;
	return worker_connect_pg(w);
}

bool
finish_loaded(worker *w, plan_table *pt)
{
	char errbuf[2048];

	if (!ensure_pg(w)) {
		work_fail_table(w, pt, NULL, "lost the sink connection before indexing \"%s\"", pt->source);
		return false;
	}
	if (pt->unlogged) {
		double t0 = work_now();
		buf_reset(&w->sql);
		buf_printf(&w->sql, "ALTER TABLE %s SET LOGGED", pt->qtarget);
		if (!pg_exec(w->pg, w->sql.data, errbuf, sizeof(errbuf))) {
			work_fail_table(w, pt, NULL, "could not make %s LOGGED: %s", pt->qtarget, errbuf);
			return false;
		}
		pt->unlogged = false;
		log_info("table \"%s\" is now LOGGED (%.1fs)", pt->source, work_now() - t0);
	}
	if (!control_table_set_state(w->pg, w->run->ctl, pt->source, "indexing", NULL, errbuf, sizeof(errbuf))) {
		work_fail_table(w, pt, NULL, "could not record table \"%s\" as indexing: %s", pt->source, errbuf);
		return false;
	}
	return true;
}

/* has_primary_key: the target already has one (a resumed run) */
static bool
has_primary_key(worker *w, plan_table *pt, bool *has, char *errbuf, size_t errlen)
{
	const char *params[] = { pt->qtarget };
	PGresult *res = pg_query(w->pg, "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'",
							 1, params, errbuf, errlen);
	if (!res)
		return false;
	*has = PQntuples(res) > 0;
	PQclear(res);
	return true;
}

bool
finish_index(worker *w, plan_table *pt, size_t i)
{
	char errbuf[2048];
	double t0 = work_now();

	if (!ensure_pg(w)) {
		work_fail_table(w, pt, NULL, "lost the sink connection while indexing \"%s\"", pt->source);
		return false;
	}
	if (!pg_exec(w->pg, pt->index_sql[i], errbuf, sizeof(errbuf))) {
		work_fail_table(w, pt, pt->index_sql[i], "could not build %s of %s: %s",
						pt->index_desc[i], pt->qtarget, errbuf);
		return false;
	}
	log_info("table \"%s\": built %s (%.1fs)", pt->source, pt->index_desc[i], work_now() - t0);
	return true;
}

bool
finish_table(worker *w, plan_table *pt)
{
	work_run *run = w->run;
	char errbuf[2048];
	long long rows = 0, bytes = 0;
	const binlogpos *wm = NULL;

	if (!ensure_pg(w)) {
		work_fail_table(w, pt, NULL, "lost the sink connection while finishing \"%s\"", pt->source);
		return false;
	}
	for (size_t i = 0; i < pt->nseq; i++) {
		if (!pg_exec(w->pg, pt->seq_sql[i], errbuf, sizeof(errbuf))) {
			work_fail_table(w, pt, pt->seq_sql[i], "could not set the sequence of %s: %s", pt->qtarget, errbuf);
			return false;
		}
	}
	bool has_pk = false;
	if (pt->pk_sql && !has_primary_key(w, pt, &has_pk, errbuf, sizeof(errbuf))) {
		work_fail_table(w, pt, NULL, "could not inspect %s: %s", pt->qtarget, errbuf);
		return false;
	}
	buf_reset(&w->sql);
	plan_finish_sql(pt, !has_pk, &w->sql);
	if (!pg_exec(w->pg, w->sql.data, errbuf, sizeof(errbuf))) {
		work_fail_table(w, pt, w->sql.data, "could not finish %s: %s", pt->qtarget, errbuf);
		return false;
	}
	for (size_t i = 0; i < pt->nchunks; i++) {
		const plan_chunk *ch = &pt->chunks[i];
		rows += ch->rows;
		bytes += ch->bytes;
		if (!wm || binlogpos_cmp(&ch->pos, wm) < 0)
			wm = &ch->pos;
	}
	if (!pg_exec(w->pg, "BEGIN; SET LOCAL synchronous_commit = on", errbuf, sizeof(errbuf)) ||
		!control_table_ready(w->pg, run->ctl, pt->source, rows, bytes, wm, errbuf, sizeof(errbuf))) {
		work_fail_table(w, pt, NULL, "could not record table \"%s\" as ready: %s", pt->source, errbuf);
		return false;
	}
	/* a running stream learns about the table without polling */
	buf_reset(&w->sql);
	buf_printf(&w->sql, "SELECT pg_notify('%s', '%s')", "migrate_table_ready", run->cfg->src.name);
	if (!pg_exec(w->pg, w->sql.data, errbuf, sizeof(errbuf)) ||
		!pg_exec(w->pg, "COMMIT", errbuf, sizeof(errbuf))) {
		work_fail_table(w, pt, NULL, "could not record table \"%s\" as ready: %s", pt->source, errbuf);
		return false;
	}
	char wmtext[300];
	binlogpos_format(wm, wmtext, sizeof(wmtext));
	pthread_mutex_lock(&run->mu);
	pt->state = PLAN_READY;
	pt->finished = work_now();
	pt->watermark = *wm;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	log_info("table \"%s\" is ready: %lld rows, watermark %s (gtid %s)",
			 pt->source, rows, wmtext, wm->gtid[0] ? wm->gtid : "none");
	return true;
}
