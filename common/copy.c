/*
 * The copy module's public calls; see copy.h for the contract.
 *
 * A run holds one copy_table per table named to copy_plan: the table's
 * description (a plan_table value), its chunk list, and the state of its
 * copy (copy_worker.h). copy_plan fills the descriptions and chunks on the
 * caller's MariaDB connection, copy_prepare prepares each target on the
 * caller's sink connection (copy_target.c), and copy_run_all hands the run
 * to the worker pool (copy_sched.c). Progress is read under the run's mutex
 * and from the atomics the workers add to, so another thread may read it
 * while the pool runs.
 */
#include "common/copy.h"

#include "common/copy_sched.h"
#include "common/copy_target.h"
#include "common/log.h"
#include "common/pg.h"

#include <stdlib.h>
#include <string.h>

copy_run *
copy_run_new(const config *cfg, const control *ctl, const copy_settings *set, volatile sig_atomic_t *stop)
{
	copy_run *run = xcalloc(1, sizeof(copy_run));

	run->cfg = cfg;
	run->ctl = ctl;
	run->set = *set;
	if (run->set.retries < 1)
		run->set.retries = 5;
	run->stop = stop;
	run->mode = set->load_mode;
	pthread_mutex_init(&run->mu, NULL);
	pthread_cond_init(&run->cond, NULL);
	return run;
}

void
copy_run_free(copy_run *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->ntables; i++) {
		copy_table *ct = &run->tables[i];
		for (size_t c = 0; c < ct->pt.ncols; c++)
			for (int f = 0; f < COPY_FIX_KINDS; f++)
				for (int s = 0; s < COPY_FIX_SAMPLES; s++)
					free(ct->fixes[c].samples[f][s]);
		free(ct->fixes);
		plan_chunks_free(ct->chunks, ct->nchunks);
		plan_table_free(&ct->pt);
		free(ct->error);
		pthread_mutex_destroy(&ct->mu);
	}
	free(run->tables);
	pthread_cond_destroy(&run->cond);
	pthread_mutex_destroy(&run->mu);
	free(run);
}

/* log_plan: one line per table: rows, chunks, key, COPY format */
static void
log_plan(const copy_table *ct)
{
	const plan_table *pt = &ct->pt;
	buf key = BUF_INIT;

	for (size_t k = 0; k < pt->nkey; k++)
		buf_printf(&key, "%s%s", k ? ", " : "", pt->cols[pt->key[k]].name);
	log_info("table \"%s\": ~%lld rows, %zu chunk%s%s%s%s, COPY %s", pt->source, pt->est_rows, ct->nchunks,
			 ct->nchunks == 1 ? "" : "s", pt->nkey ? " by (" : " (no usable key)",
			 pt->nkey ? key.data : "", pt->nkey ? ")" : "", pt->binary ? "binary" : "text");
	buf_free(&key);
}

copy_plan_status
copy_plan(copy_run *run, MYSQL *my, PGconn *pg, const char *const *tables, size_t n)
{
	char errbuf[1024];
	PGresult *res = pg_query(pg, "SELECT 1 FROM pg_extension WHERE extname = 'postgis'", 0, NULL, errbuf, sizeof(errbuf));

	if (!res) {
		log_error("could not query the sink: %s", errbuf);
		return COPY_PLAN_ERROR;
	}
	plan_env env = { .cfg = run->cfg, .postgis = PQntuples(res) > 0,
					 .batch_size = run->set.batch_size, .threshold = run->set.threshold,
					 .copy_binary = !run->set.copy_text };
	PQclear(res);

	run->tables = xcalloc(n ? n : 1, sizeof(copy_table));
	run->ntables = n;
	bool planned = true;
	for (size_t i = 0; i < n; i++) {
		copy_table *ct = &run->tables[i];
		pthread_mutex_init(&ct->mu, NULL);
		const config_table *allow = config_find_table(run->cfg, tables[i]);
		if (!allow) {
			log_error("table \"%s\" is not in the allowlist of database \"%s\"", tables[i], run->cfg->src.name);
			planned = false;
		} else if (!plan_table_load(my, &env, allow, &ct->pt) ||
				   !plan_table_chunk(my, &env, &ct->pt, &ct->chunks, &ct->nchunks))
			planned = false;
		ct->fixes = xcalloc(ct->pt.ncols ? ct->pt.ncols : 1, sizeof(copy_fixes));
	}
	if (!planned)
		return COPY_PLAN_REFUSED;
	for (size_t i = 0; i < n; i++)
		log_plan(&run->tables[i]);
	return copy_target_resolve_mode(pg, &run->mode) ? COPY_PLAN_OK : COPY_PLAN_ERROR;
}

copy_load_mode
copy_load_mode_of(const copy_run *run)
{
	return run->mode;
}

bool
copy_prepare(copy_run *run, PGconn *pg)
{
	for (size_t i = 0; i < run->ntables; i++)
		if (!copy_target_prepare(pg, run, &run->tables[i]))
			return false;
	return true;
}

bool
copy_run_all(copy_run *run)
{
	return copy_sched_run(run);
}

bool
copy_tables(copy_run *run, MYSQL *my, PGconn *pg, const char *const *tables, size_t n)
{
	return copy_plan(run, my, pg, tables, n) == COPY_PLAN_OK && copy_prepare(run, pg) && copy_run_all(run);
}

size_t
copy_ntables(const copy_run *run)
{
	return run->ntables;
}

const plan_table *
copy_table_plan(const copy_run *run, size_t i)
{
	return &run->tables[i].pt;
}

const plan_chunk *
copy_table_chunks(const copy_run *run, size_t i, size_t *n)
{
	*n = run->tables[i].nchunks;
	return run->tables[i].chunks;
}

void
copy_table_progress(const copy_run *run, size_t i, copy_progress *out)
{
	copy_table *ct = &run->tables[i];
	pthread_mutex_t *mu = (pthread_mutex_t *) &run->mu;    /* reading takes the lock too */
	double now = copy_now();

	pthread_mutex_lock(mu);
	out->table = ct->pt.source;
	out->state = ct->state;
	out->skipped = ct->skipped;
	out->started = ct->started > 0;
	out->seconds = ct->started > 0 ? (ct->finished > 0 ? ct->finished : now) - ct->started : 0;
	pthread_mutex_unlock(mu);
	out->est_rows = ct->pt.est_rows;
	out->rows = atomic_load(&ct->rows_done);
	out->bytes = atomic_load(&ct->bytes_done);
}

void
copy_table_result(const copy_run *run, size_t i, copy_result *out)
{
	const copy_table *ct = &run->tables[i];

	memset(out, 0, sizeof(*out));
	out->state = ct->state;
	out->skipped = ct->skipped;
	for (size_t c = 0; c < ct->nchunks; c++) {
		out->rows += ct->chunks[c].rows;
		out->bytes += ct->chunks[c].bytes;
	}
	out->seconds = ct->started > 0 && ct->finished > 0 ? ct->finished - ct->started : 0;
	out->watermark = ct->watermark;
	for (size_t c = 0; c < ct->pt.ncols; c++)
		for (int f = 0; f < COPY_FIX_KINDS; f++)
			out->fixes += ct->fixes[c].n[f];
	out->warnings = ct->pt.warnings;
	out->error = ct->error;
}

unsigned long long
copy_column_fixes(const copy_run *run, size_t i, size_t col, int kind, const char *const **samples)
{
	const copy_fixes *cf = &run->tables[i].fixes[col];

	*samples = (const char *const *) cf->samples[kind];
	return cf->n[kind];
}

const char *
copy_state_name(copy_state state)
{
	static const char *const names[] = { "pending", "copying", "indexing", "ready", "failed" };

	return names[state];
}

const char *
copy_fix_name(int kind)
{
	static const char *const names[COPY_FIX_KINDS] = { "zero_date", "nul_char", "invalid_utf8" };

	return names[kind];
}
