/*
 * Target tables and the ledger before a run; see target.h.
 */
#include "migrate/target.h"

#include "common/log.h"
#include "common/pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
target_resolve_mode(PGconn *pg, target_load_mode *mode)
{
	char errbuf[512];

	if (*mode != LOAD_AUTO)
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
	*mode = strcmp(PQgetvalue(res, 0, 0), "minimal") == 0 ? LOAD_UNLOGGED : LOAD_LOGGED;
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

/* load_ledger: replaces pt's chunks with the ledger's; false if unusable */
static bool
load_ledger(PGconn *pg, const control *ctl, plan_table *pt, long long *done_rows)
{
	char errbuf[1024];
	const char *params[] = { pt->source };
	PGresult *res = control_query(pg, ctl,
								  "SELECT chunk_no, lower_key, upper_key, state, rows_copied, bytes_copied, "
								  "coalesce(snapshot_file, ''), coalesce(snapshot_pos, 0), coalesce(snapshot_gtid, '') "
								  "FROM {ctl}.chunks WHERE source_db = $1 AND source_table = $2 ORDER BY chunk_no",
								  1, params, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not read the chunk ledger of \"%s\": %s", pt->source, errbuf);
		return false;
	}
	int n = PQntuples(res);
	if (n == 0) {
		PQclear(res);
		return false;
	}
	for (size_t i = 0; i < pt->nchunks; i++) {
		plan_key_free(pt->chunks[i].lower);
		plan_key_free(pt->chunks[i].upper);
	}
	pt->chunks = xrealloc(pt->chunks, (size_t) n * sizeof(plan_chunk));
	pt->nchunks = (size_t) n;
	*done_rows = 0;
	for (int r = 0; r < n; r++) {
		plan_chunk *ch = &pt->chunks[r];
		memset(ch, 0, sizeof(*ch));
		ch->no = (int) strtol(PQgetvalue(res, r, 0), NULL, 10);
		ch->lower = PQgetisnull(res, r, 1) ? NULL : plan_key_from_pgarray(PQgetvalue(res, r, 1));
		ch->upper = PQgetisnull(res, r, 2) ? NULL : plan_key_from_pgarray(PQgetvalue(res, r, 2));
		ch->done = strcmp(PQgetvalue(res, r, 3), "done") == 0;
		if (ch->done) {
			ch->rows = strtoll(PQgetvalue(res, r, 4), NULL, 10);
			ch->bytes = strtoll(PQgetvalue(res, r, 5), NULL, 10);
			snprintf(ch->pos.file, sizeof(ch->pos.file), "%s", PQgetvalue(res, r, 6));
			ch->pos.pos = strtoull(PQgetvalue(res, r, 7), NULL, 10);
			snprintf(ch->pos.gtid, sizeof(ch->pos.gtid), "%s", PQgetvalue(res, r, 8));
			*done_rows += ch->rows;
		}
	}
	PQclear(res);
	return true;
}

/* try_resume: continues from the ledger if it fits this plan */
static bool
try_resume(PGconn *pg, const control *ctl, plan_table *pt, const control_table *ct, bool *resumed)
{
	char errbuf[1024];
	buf key = BUF_INIT;
	long long done_rows = 0;

	*resumed = false;
	key_names_array(pt, &key);
	bool same_key = pt->nkey == 0 && !ct->chunk_key;
	if (pt->nkey > 0 && ct->chunk_key) {
		/* compare in PostgreSQL's own array text form */
		const char *kparams[] = { key.data };
		PGresult *kres = pg_query(pg, "SELECT $1::text[]::text", 1, kparams, errbuf, sizeof(errbuf));
		if (!kres) {
			log_error("could not compare chunk keys of \"%s\": %s", pt->source, errbuf);
			buf_free(&key);
			return false;
		}
		same_key = strcmp(PQgetvalue(kres, 0, 0), ct->chunk_key) == 0;
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
	pt->unlogged = PQgetvalue(res, 0, 0)[0] == 'u';
	PQclear(res);
	if (!load_ledger(pg, ctl, pt, &done_rows))
		return true;
	/* a sink restart empties UNLOGGED tables while the ledger survives */
	if (pt->unlogged) {
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
fresh_start(PGconn *pg, const control *ctl, const config *cfg, plan_table *pt, target_load_mode mode)
{
	char errbuf[2048];
	buf sql = BUF_INIT, key = BUF_INIT;
	bool ok = false;

	pt->unlogged = mode == LOAD_UNLOGGED;
	buf_puts(&sql, "BEGIN; DROP TABLE IF EXISTS ");
	buf_puts(&sql, pt->qtarget);
	buf_puts(&sql, "; ");
	plan_create_sql(pt, pt->unlogged, &sql);
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
	const char *params[] = {
		pt->source, cfg->src.schema, cfg->src.sink_schema, pt->target,
		pt->unlogged ? "unlogged" : "logged", pt->nkey ? key.data : NULL, pt->described
	};
	PGresult *res = control_query(pg, ctl,
								  "INSERT INTO {ctl}.tables (source_db, source_table, source_schema, target_schema, target_table, "
								  "state, load_mode, chunk_key, stream_schema, started_at) VALUES ($1, $2, $3, $4, $5, 'copying', $6, $7, $8, now()) "
								  "ON CONFLICT (source_db, source_table) DO UPDATE SET source_schema = $3, target_schema = $4, "
								  "target_table = $5, state = 'copying', load_mode = $6, chunk_key = $7, rows_copied = 0, "
								  "bytes_copied = 0, snapshot_file = NULL, snapshot_pos = NULL, snapshot_gtid = NULL, "
								  "error = NULL, applied_file = NULL, applied_pos = NULL, stream_error = NULL, "
								  "stream_schema = $8, ddl_pending = NULL, started_at = now(), finished_at = NULL, updated_at = now()",
								  7, params, errbuf, sizeof(errbuf));
	if (!res)
		goto fail;
	PQclear(res);
	res = control_query(pg, ctl, "DELETE FROM {ctl}.chunks WHERE source_db = $1 AND source_table = $2",
						1, params, errbuf, sizeof(errbuf));
	if (!res)
		goto fail;
	PQclear(res);
	/* key bounds are hex only, so they can be inlined safely */
	for (size_t start = 0; start < pt->nchunks; start += 500) {
		buf ins = BUF_INIT;
		buf_printf(&ins, "INSERT INTO {ctl}.chunks (source_db, source_table, chunk_no, lower_key, upper_key) VALUES ");
		for (size_t i = start; i < pt->nchunks && i < start + 500; i++) {
			plan_chunk *ch = &pt->chunks[i];
			buf_printf(&ins, "%s($1, $2, %d, ", i > start ? ", " : "", ch->no);
			if (ch->lower) {
				buf_putc(&ins, '\'');
				plan_key_to_pgarray(ch->lower, &ins);
				buf_puts(&ins, "'::text[], ");
			} else
				buf_puts(&ins, "NULL, ");
			if (ch->upper) {
				buf_putc(&ins, '\'');
				plan_key_to_pgarray(ch->upper, &ins);
				buf_puts(&ins, "'::text[])");
			} else
				buf_puts(&ins, "NULL)");
		}
		res = control_query(pg, ctl, ins.data, 1, params, errbuf, sizeof(errbuf));
		buf_free(&ins);
		if (!res)
			goto fail;
		PQclear(res);
	}
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

bool
target_prepare(PGconn *pg, const control *ctl, const config *cfg, plan_table *pt,
			   target_load_mode mode, bool resume, bool *skip)
{
	char errbuf[1024];
	control_table ct;
	bool resumed = false;

	*skip = false;
	if (!control_table_lock(pg, ctl, pt->source, errbuf, sizeof(errbuf))) {
		log_error_dh(NULL, "Wait for it to finish, or stop it first.", "%s", errbuf);
		return false;
	}
	if (!control_table_get(pg, ctl, pt->source, &ct, errbuf, sizeof(errbuf))) {
		log_error("could not read the state of table \"%s\": %s", pt->source, errbuf);
		return false;
	}
	if (ct.exists && resume && strcmp(ct.state, "ready") == 0) {
		log_info("table \"%s\" is already ready; --resume leaves it", pt->source);
		*skip = true;
		free(ct.chunk_key);
		return true;
	}
	if (ct.exists && resume && strcmp(ct.state, "removed") != 0 && strcmp(ct.state, "pending") != 0) {
		if (!try_resume(pg, ctl, pt, &ct, &resumed)) {
			free(ct.chunk_key);
			return false;
		}
	} else if (ct.exists && strcmp(ct.state, "ready") != 0 && strcmp(ct.state, "removed") != 0 && !resume)
		log_notice("table \"%s\" has an unfinished copy (state %s); starting it over (--resume continues it instead)",
				   pt->source, ct.state);
	else if (ct.exists && strcmp(ct.state, "ready") == 0)
		log_notice("table \"%s\" was ready; copying it again from a new snapshot", pt->source);
	free(ct.chunk_key);
	if (!resumed && !fresh_start(pg, ctl, cfg, pt, mode))
		return false;

	size_t done = 0;
	long long rows = 0, bytes = 0;
	for (size_t i = 0; i < pt->nchunks; i++) {
		if (pt->chunks[i].done) {
			done++;
			rows += pt->chunks[i].rows;
			bytes += pt->chunks[i].bytes;
		}
	}
	atomic_store(&pt->rows_done, rows);
	atomic_store(&pt->bytes_done, bytes);
	pt->chunks_todo = (int) (pt->nchunks - done);
	pt->state = PLAN_COPYING;
	if (resumed)
		log_info("table \"%s\": resuming with %zu of %zu chunks already copied (%lld rows)",
				 pt->source, done, pt->nchunks, rows);
	if (pt->chunks_todo == 0) {
		/* everything was copied before the interruption: finish it */
		if (pt->unlogged) {
			buf sql = BUF_INIT;
			buf_printf(&sql, "ALTER TABLE %s SET LOGGED", pt->qtarget);
			bool ok = pg_exec(pg, sql.data, errbuf, sizeof(errbuf));
			buf_free(&sql);
			if (!ok) {
				log_error("could not make %s LOGGED: %s", pt->qtarget, errbuf);
				return false;
			}
			pt->unlogged = false;
		}
		pt->state = PLAN_INDEXING;
		pt->index_todo = (int) pt->nindex;
		pt->started = 0;
	}
	return true;
}
