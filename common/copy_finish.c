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
#include "common/copy_finish.h"

#include "common/log.h"
#include "common/pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool
copy_finish_loaded(copy_worker *w, copy_table *ct)
{
	const plan_table *pt = &ct->pt;
	char errbuf[2048];

	if (!copy_worker_ensure_pg(w)) {
		copy_fail_table(w, ct, NULL, "lost the sink connection before indexing \"%s\"", pt->source);
		return false;
	}
	if (ct->unlogged) {
		double t0 = copy_now();
		buf_reset(&w->sql);
		buf_printf(&w->sql, "ALTER TABLE %s SET LOGGED", pt->qtarget);
		if (!pg_exec(w->pg, w->sql.data, errbuf, sizeof(errbuf))) {
			copy_fail_table(w, ct, NULL, "could not make %s LOGGED: %s", pt->qtarget, errbuf);
			return false;
		}
		ct->unlogged = false;
		log_info("table \"%s\" is now LOGGED (%.1fs)", pt->source, copy_now() - t0);
	}
	if (!control_table_set_state(w->pg, w->run->ctl, pt->source, "indexing", NULL, errbuf, sizeof(errbuf))) {
		copy_fail_table(w, ct, NULL, "could not record table \"%s\" as indexing: %s", pt->source, errbuf);
		return false;
	}
	return true;
}

/* has_primary_key: the target already has one (a resumed run) */
static bool
has_primary_key(copy_worker *w, const plan_table *pt, bool *has, char *errbuf, size_t errlen)
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
copy_finish_index(copy_worker *w, copy_table *ct, size_t i)
{
	const plan_table *pt = &ct->pt;
	char errbuf[2048];
	double t0 = copy_now();

	if (!copy_worker_ensure_pg(w)) {
		copy_fail_table(w, ct, NULL, "lost the sink connection while indexing \"%s\"", pt->source);
		return false;
	}
	if (!pg_exec(w->pg, pt->index_sql[i], errbuf, sizeof(errbuf))) {
		copy_fail_table(w, ct, pt->index_sql[i], "could not build %s of %s: %s",
						pt->index_desc[i], pt->qtarget, errbuf);
		return false;
	}
	log_info("table \"%s\": built %s (%.1fs)", pt->source, pt->index_desc[i], copy_now() - t0);
	return true;
}

bool
copy_finish_table(copy_worker *w, copy_table *ct)
{
	copy_run *run = w->run;
	const plan_table *pt = &ct->pt;
	char errbuf[2048];
	long long rows = 0, bytes = 0;
	const binlogpos *wm = NULL;

	if (!copy_worker_ensure_pg(w)) {
		copy_fail_table(w, ct, NULL, "lost the sink connection while finishing \"%s\"", pt->source);
		return false;
	}
	for (size_t i = 0; i < pt->nseq; i++) {
		if (!pg_exec(w->pg, pt->seq_sql[i], errbuf, sizeof(errbuf))) {
			copy_fail_table(w, ct, pt->seq_sql[i], "could not set the sequence of %s: %s", pt->qtarget, errbuf);
			return false;
		}
	}
	bool has_pk = false;
	if (pt->pk_sql && !has_primary_key(w, pt, &has_pk, errbuf, sizeof(errbuf))) {
		copy_fail_table(w, ct, NULL, "could not inspect %s: %s", pt->qtarget, errbuf);
		return false;
	}
	buf_reset(&w->sql);
	plan_finish_sql(pt, !has_pk, &w->sql);
	if (!pg_exec(w->pg, w->sql.data, errbuf, sizeof(errbuf))) {
		copy_fail_table(w, ct, w->sql.data, "could not finish %s: %s", pt->qtarget, errbuf);
		return false;
	}
	for (size_t i = 0; i < ct->nchunks; i++) {
		const plan_chunk *ch = &ct->chunks[i];
		rows += ch->rows;
		bytes += ch->bytes;
		if (!wm || binlogpos_cmp(&ch->pos, wm) < 0)
			wm = &ch->pos;
	}
	if (!pg_exec(w->pg, "BEGIN; SET LOCAL synchronous_commit = on", errbuf, sizeof(errbuf)) ||
		!control_table_ready(w->pg, run->ctl, pt->source, rows, bytes, wm, errbuf, sizeof(errbuf))) {
		copy_fail_table(w, ct, NULL, "could not record table \"%s\" as ready: %s", pt->source, errbuf);
		return false;
	}
	/* a running stream learns about the table without polling */
	buf_reset(&w->sql);
	buf_printf(&w->sql, "SELECT pg_notify('%s', '%s')", "migrate_table_ready", run->cfg->src.name);
	if (!pg_exec(w->pg, w->sql.data, errbuf, sizeof(errbuf)) ||
		!pg_exec(w->pg, "COMMIT", errbuf, sizeof(errbuf))) {
		copy_fail_table(w, ct, NULL, "could not record table \"%s\" as ready: %s", pt->source, errbuf);
		return false;
	}
	char wmtext[300];
	binlogpos_format(wm, wmtext, sizeof(wmtext));
	pthread_mutex_lock(&run->mu);
	ct->state = COPY_READY;
	ct->finished = copy_now();
	ct->watermark = *wm;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	log_info("table \"%s\" is ready: %lld rows, watermark %s (gtid %s)",
			 pt->source, rows, wmtext, wm->gtid[0] ? wm->gtid : "none");
	return true;
}
