/*
 * Target tables and the ledger before a run; see copy_target.h.
 *
 * Whether a ledger can be continued: its chunk key must be the plan's
 * (compared in PostgreSQL's own text[] form), the target must still exist,
 * and an UNLOGGED target must hold as many rows as the ledger's done
 * chunks (a sink restart empties it while the ledger survives). Anything
 * else starts the table over, with a notice saying why.
 */
#include "common/copy_target.h"

#include "common/log.h"
#include "common/pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
copy_target_resolve_mode(PGconn *pg, copy_load_mode *mode)
{
	char errbuf[512];

	if (*mode != COPY_LOAD_AUTO)
		return true;
	PGresult *res = pg_query(pg, "SELECT current_setting('wal_level')", 0, NULL, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not read wal_level of the sink: %s", errbuf);
		return false;
	}
	/* See BENCHMARKS.md: SET LOGGED rewrites the table into WAL unless
	 * wal_level is minimal (UNLOGGED then measured 40-50 % slower); under
	 * minimal the modes measured within noise, and the users' UNLOGGED
	 * recipe is kept. */
	*mode = strcmp(PQgetvalue(res, 0, 0), "minimal") == 0 ? COPY_LOAD_UNLOGGED : COPY_LOAD_LOGGED;
	PQclear(res);
	return true;
}

/* key_names_array: the chunk key's column names as a text[] literal */
static void
key_names_array(const plan_table *pt, buf *out)
{
	buf_putc(out, '{');
	for (size_t i = 0; i < pt->nkey; i++) {
		if (i)
			buf_putc(out, ',');
		buf_putc(out, '"');
		for (const char *p = pt->cols[pt->key[i]].name; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
}

/* load_ledger: replaces ct's chunks with the ledger's; false if unusable */
static bool
load_ledger(PGconn *pg, const control *ctl, copy_table *ct, long long *done_rows)
{
	const plan_table *pt = &ct->pt;
	char errbuf[1024];
	control_chunk *rows;
	size_t n;

	if (!control_chunks_get(pg, ctl, pt->source, &rows, &n, errbuf, sizeof(errbuf))) {
		log_error("could not read the chunk ledger of \"%s\": %s", pt->source, errbuf);
		return false;
	}
	if (n == 0)
		return false;
	plan_chunks_free(ct->chunks, ct->nchunks);
	ct->chunks = xcalloc(n, sizeof(plan_chunk));
	ct->nchunks = n;
	*done_rows = 0;
	for (size_t r = 0; r < n; r++) {
		plan_chunk *ch = &ct->chunks[r];
		memset(ch, 0, sizeof(*ch));
		ch->no = rows[r].no;
		ch->lower = rows[r].lower ? plan_key_from_pgarray(rows[r].lower) : NULL;
		ch->upper = rows[r].upper ? plan_key_from_pgarray(rows[r].upper) : NULL;
		ch->done = rows[r].done;
		if (ch->done) {
			ch->rows = rows[r].rows;
			ch->bytes = rows[r].bytes;
			ch->pos = rows[r].pos;
			*done_rows += ch->rows;
		}
	}
	control_chunks_free(rows, n);
	return true;
}

/* try_resume: continues from the ledger if it fits this plan */
static bool
try_resume(PGconn *pg, const control *ctl, copy_table *ct, const control_table *row, bool *resumed)
{
	const plan_table *pt = &ct->pt;
	char errbuf[1024];
	buf key = BUF_INIT;
	long long done_rows = 0;

	*resumed = false;
	key_names_array(pt, &key);
	bool same_key = pt->nkey == 0 && !row->chunk_key;
	if (pt->nkey > 0 && row->chunk_key) {
		/* compare in PostgreSQL's own array text form */
		const char *kparams[] = { key.data };
		PGresult *kres = pg_query(pg, "SELECT $1::text[]::text", 1, kparams, errbuf, sizeof(errbuf));
		if (!kres) {
			log_error("could not compare chunk keys of \"%s\": %s", pt->source, errbuf);
			buf_free(&key);
			return false;
		}
		same_key = strcmp(PQgetvalue(kres, 0, 0), row->chunk_key) == 0;
		PQclear(kres);
	}
	buf_free(&key);
	if (!same_key) {
		log_notice("table \"%s\": the chunk key changed since the interrupted run; copying it again", pt->source);
		return true;
	}
	const char *params[] = { pt->qtarget };
	PGresult *res = pg_query(pg, "SELECT relpersistence FROM pg_class WHERE oid = to_regclass($1)",
							 1, params, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not inspect %s: %s", pt->qtarget, errbuf);
		return false;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		log_notice("table \"%s\": the target %s is gone; copying it again", pt->source, pt->qtarget);
		return true;
	}
	ct->unlogged = PQgetvalue(res, 0, 0)[0] == 'u';
	PQclear(res);
	if (!load_ledger(pg, ctl, ct, &done_rows))
		return true;
	/* a sink restart empties UNLOGGED tables while the ledger survives */
	if (ct->unlogged) {
		buf sql = BUF_INIT;
		buf_printf(&sql, "SELECT count(*) FROM %s", pt->qtarget);
		res = pg_query(pg, sql.data, 0, NULL, errbuf, sizeof(errbuf));
		buf_free(&sql);
		if (!res) {
			log_error("could not count rows of %s: %s", pt->qtarget, errbuf);
			return false;
		}
		long long have = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		if (have != done_rows) {
			log_warning("table \"%s\": the UNLOGGED target holds %lld rows but the ledger says %lld (was the sink restarted?); copying it again",
						pt->source, have, done_rows);
			return true;
		}
	}
	*resumed = true;
	return true;
}

/* fresh_start: drop, create and write a new ledger in one transaction */
static bool
fresh_start(PGconn *pg, const control *ctl, const config *cfg, copy_table *ct, copy_load_mode mode)
{
	const plan_table *pt = &ct->pt;
	char errbuf[2048];
	buf sql = BUF_INIT, key = BUF_INIT;
	bool ok = false;

	ct->unlogged = mode == COPY_LOAD_UNLOGGED;
	buf_puts(&sql, "BEGIN; DROP TABLE IF EXISTS ");
	buf_puts(&sql, pt->qtarget);
	buf_puts(&sql, "; ");
	plan_create_sql(pt, ct->unlogged, &sql);
	char state[6];
	if (!pg_exec_state(pg, sql.data, state, errbuf, sizeof(errbuf))) {
		/* 42501: the target exists and belongs to another role (DROP needs its owner) */
		char hint[512] = "";
		if (strcmp(state, "42501") == 0)
			snprintf(hint, sizeof(hint), "As its owner or a superuser: ALTER TABLE %s OWNER TO \"%s\"; (or drop it)",
					 pt->qtarget, PQuser(pg));
		log_error_dh(pt->create_sql, hint[0] ? hint : NULL, "could not create the target of table \"%s\": %s",
					 pt->source, errbuf);
		goto out;
	}
	key_names_array(pt, &key);
	control_copy cc = {
		.source_schema = cfg->src.schema, .target_schema = cfg->src.sink_schema, .target_table = pt->target,
		.load_mode = ct->unlogged ? "unlogged" : "logged", .chunk_key = pt->nkey ? key.data : NULL,
		.described = pt->described,
	};
	if (!control_table_copying(pg, ctl, pt->source, &cc, errbuf, sizeof(errbuf)))
		goto fail;
	/* key bounds are hex only, so they can be inlined safely */
	control_chunk *rows = xcalloc(ct->nchunks ? ct->nchunks : 1, sizeof(control_chunk));
	buf bounds = BUF_INIT;
	for (size_t i = 0; i < ct->nchunks; i++) {
		rows[i].no = ct->chunks[i].no;
		if (ct->chunks[i].lower) {
			buf_reset(&bounds);
			plan_key_to_pgarray(ct->chunks[i].lower, &bounds);
			rows[i].lower = xstrdup(bounds.data);
		}
		if (ct->chunks[i].upper) {
			buf_reset(&bounds);
			plan_key_to_pgarray(ct->chunks[i].upper, &bounds);
			rows[i].upper = xstrdup(bounds.data);
		}
	}
	buf_free(&bounds);
	bool written = control_chunks_replace(pg, ctl, pt->source, rows, ct->nchunks, errbuf, sizeof(errbuf));
	control_chunks_free(rows, ct->nchunks);
	if (!written)
		goto fail;
	if (!pg_exec(pg, "COMMIT", errbuf, sizeof(errbuf)))
		goto fail;
	ok = true;
	goto out;
fail:
	log_error("could not write the ledger of table \"%s\": %s", pt->source, errbuf);
out:
	if (!ok)
		pg_exec(pg, "ROLLBACK", errbuf, sizeof(errbuf));
	buf_free(&sql);
	buf_free(&key);
	return ok;
}

/* set_counters: ct's state and counters from its chunks, before the run */
static void
set_counters(copy_table *ct, bool resumed)
{
	size_t done = 0;
	long long rows = 0, bytes = 0;

	for (size_t i = 0; i < ct->nchunks; i++) {
		if (ct->chunks[i].done) {
			done++;
			rows += ct->chunks[i].rows;
			bytes += ct->chunks[i].bytes;
		}
	}
	atomic_store(&ct->rows_done, rows);
	atomic_store(&ct->bytes_done, bytes);
	ct->chunks_todo = (int) (ct->nchunks - done);
	ct->state = COPY_COPYING;
	if (resumed)
		log_info("table \"%s\": resuming with %zu of %zu chunks already copied (%lld rows)",
				 ct->pt.source, done, ct->nchunks, rows);
}

/* take_lock: the table's lock on pg. Held by the running stream's online
 * copy and the run waits for it (wait_for_stream): waits, logged, until it
 * is free. 0 taken at once, 1 taken after a wait, -1 refused or stopped
 * (logged). */
static int
take_lock(PGconn *pg, const copy_run *run, const char *table)
{
	char errbuf[1024], holder[128];
	bool told = false;
	int unseen = 0;     /* the holder was not visible (gone meanwhile, or hidden) */

	for (;;) {
		if (control_table_lock(pg, run->ctl, table, errbuf, sizeof(errbuf)))
			return told ? 1 : 0;
		if (!run->set.wait_for_stream ||
			!control_table_lock_holder(pg, run->ctl, table, holder, sizeof(holder), errbuf, sizeof(errbuf)) ||
			(holder[0] ? strcmp(holder, COPY_ONLINE_APPNAME) != 0 : ++unseen > 3)) {
			log_error_dh(NULL, "Wait for it to finish, or stop it first.",
						 "another migrate is working on table \"%s\" of database \"%s\"", table, run->ctl->db);
			return -1;
		}
		if (!told)
			log_notice("the running stream is copying table \"%s\" online; waiting for that copy to finish", table);
		told = true;
		for (int i = 0; i < 10 && !*run->stop; i++)
			usleep(100000);
		if (*run->stop)
			return -1;
	}
}

bool
copy_target_prepare(PGconn *pg, const copy_run *run, copy_table *ct)
{
	const plan_table *pt = &ct->pt;
	const control *ctl = run->ctl;
	bool resume = run->set.resume;
	char errbuf[1024];
	control_table row;
	bool resumed = false;

	ct->skipped = false;
	int waited = take_lock(pg, run, pt->source);
	if (waited < 0)
		return false;
	if (!control_table_get(pg, ctl, pt->source, &row, errbuf, sizeof(errbuf))) {
		log_error("could not read the state of table \"%s\": %s", pt->source, errbuf);
		return false;
	}
	if (waited && row.exists && strcmp(row.state, "ready") == 0) {
		log_info("the running stream copied table \"%s\" meanwhile; it is ready and streams from its watermark",
				 pt->source);
		ct->skipped = true;
		ct->state = COPY_READY;
		free(row.chunk_key);
		return true;
	}
	if (row.exists && resume && strcmp(row.state, "ready") == 0) {
		log_info("table \"%s\" is already ready; --resume leaves it", pt->source);
		ct->skipped = true;
		ct->state = COPY_READY;
		free(row.chunk_key);
		return true;
	}
	bool unstarted = strcmp(row.state, "removed") == 0 || strcmp(row.state, "pending") == 0 ||
		strcmp(row.state, "missing") == 0;
	if (row.exists && resume && !unstarted) {
		if (!try_resume(pg, ctl, ct, &row, &resumed)) {
			free(row.chunk_key);
			return false;
		}
	} else if (row.exists && strcmp(row.state, "ready") != 0 && !unstarted && !resume)
		log_notice("table \"%s\" has an unfinished copy (state %s); starting it over (--resume continues it instead)",
				   pt->source, row.state);
	else if (row.exists && strcmp(row.state, "ready") == 0)
		log_notice("table \"%s\" was ready; copying it again from a new snapshot", pt->source);
	free(row.chunk_key);
	if (!resumed && !fresh_start(pg, ctl, run->cfg, ct, run->mode))
		return false;

	set_counters(ct, resumed);
	if (ct->chunks_todo == 0) {
		/* everything was copied before the interruption: finish it */
		if (ct->unlogged) {
			buf sql = BUF_INIT;
			buf_printf(&sql, "ALTER TABLE %s SET LOGGED", pt->qtarget);
			bool ok = pg_exec(pg, sql.data, errbuf, sizeof(errbuf));
			buf_free(&sql);
			if (!ok) {
				log_error("could not make %s LOGGED: %s", pt->qtarget, errbuf);
				return false;
			}
			ct->unlogged = false;
		}
		ct->state = COPY_INDEXING;
		ct->index_todo = (int) pt->nindex;
		ct->started = 0;
	}
	return true;
}
