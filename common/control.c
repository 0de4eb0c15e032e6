/*
 * Control schema: installation, upgrades and table states; see control.h.
 *
 * Statements are written with "{ctl}" where the quoted schema name goes and
 * $1 bound to the source database name, so callers pass only values, never
 * build quoted SQL of their own for the ledger.
 */
#include "common/control.h"

#include "common/ident.h"
#include "common/pg.h"
#include "common/schemas.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
control_init(control *ctl, const char *schema, const char *db)
{
	buf q = BUF_INIT;

	ident_pg(&q, schema);
	ctl->schema = xstrdup(schema);
	ctl->qschema = q.data;
	ctl->db = xstrdup(db);
}

void
control_free(control *ctl)
{
	free(ctl->schema);
	free(ctl->qschema);
	free(ctl->db);
	memset(ctl, 0, sizeof(*ctl));
}

/* expand: replaces every {ctl} in fmt with the quoted schema */
static char *
expand(const control *ctl, const char *fmt)
{
	buf out = BUF_INIT;
	const char *p = fmt, *hit;

	while ((hit = strstr(p, "{ctl}"))) {
		buf_append(&out, p, (size_t) (hit - p));
		buf_puts(&out, ctl->qschema);
		p = hit + 5;
	}
	buf_puts(&out, p);
	return out.data;
}

PGresult *
control_query(PGconn *pg, const control *ctl, const char *sql_fmt,
			  int nparams, const char *const *params, char *errbuf, size_t errlen)
{
	const char *all[16];
	char *sql = expand(ctl, sql_fmt);

	all[0] = ctl->db;
	for (int i = 0; i < nparams && i < 15; i++)
		all[i + 1] = params[i];
	PGresult *res = pg_query(pg, sql, nparams + 1, all, errbuf, errlen);
	free(sql);
	return res;
}

/* file_version: NNN of "NNN_name.sql" */
static int
file_version(const char *name)
{
	int v = 0;

	for (const char *p = name; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

bool
control_install(PGconn *pg, const control *ctl, char *errbuf, size_t errlen, char *hint, size_t hintlen)
{
	buf sql = BUF_INIT;
	bool ok = false;
	int current = 0, newest = 0;

	for (const schema_file *f = schema_files; f->name; f++)
		if (file_version(f->name) > newest)
			newest = file_version(f->name);
	hint[0] = '\0';
	if (!pg_exec(pg, "BEGIN; SELECT pg_advisory_xact_lock(hashtext('control schema ' || current_database()))",
				 errbuf, errlen) ||
		!pg_schema_ensure(pg, ctl->schema, errbuf, errlen, hint, hintlen))
		goto out;
	/* tables another role left in the schema (an earlier run as a
	 * superuser, say) would fail the first write, or an upgrade's ALTER
	 * TABLE, which needs the owner: refused here with the fix */
	const char *params[] = { ctl->schema };
	PGresult *res = pg_query(pg, "SELECT current_user, count(*), min(format('%I.%I', n.nspname, c.relname)), "
							 "min(pg_get_userbyid(c.relowner)) "
							 "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
							 "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT pg_has_role(c.relowner, 'USAGE')",
							 1, params, errbuf, errlen);
	if (!res)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 1), "0") != 0) {
		bool one = strcmp(PQgetvalue(res, 0, 1), "1") == 0;
		snprintf(errbuf, errlen, "control schema \"%s\" holds %s table%s of another role (%s%s, owner \"%s\"); "
				 "role \"%s\" must own them", ctl->schema, PQgetvalue(res, 0, 1), one ? "" : "s",
				 one ? "" : "such as ", PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 0));
		snprintf(hint, hintlen, "As their owner or a superuser, for each table: ALTER TABLE %s OWNER TO \"%s\";",
				 PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 0));
		PQclear(res);
		goto out;
	}
	PQclear(res);
	buf_printf(&sql, "SET LOCAL search_path TO %s", ctl->qschema);
	if (!pg_exec(pg, sql.data, errbuf, errlen))
		goto out;
	res = PQexec(pg, "SELECT to_regclass('schema_version') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_result_error(pg, res, errbuf, errlen);
		PQclear(res);
		goto out;
	}
	bool installed = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (installed) {
		res = PQexec(pg, "SELECT coalesce(max(version), 0) FROM schema_version");
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			pg_result_error(pg, res, errbuf, errlen);
			PQclear(res);
			goto out;
		}
		current = (int) strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	if (current > newest) {
		snprintf(errbuf, errlen, "control schema \"%s\" is at version %d, newer than this binary knows (%d); use a newer release",
				 ctl->schema, current, newest);
		goto out;
	}
	for (const schema_file *f = schema_files; f->name; f++) {
		if (file_version(f->name) <= current)
			continue;
		if (!pg_exec(pg, f->sql, errbuf, errlen)) {
			size_t used = strlen(errbuf);
			snprintf(errbuf + used, errlen - used, " (in %s)", f->name);
			goto out;
		}
	}
	ok = pg_exec(pg, "COMMIT", errbuf, errlen);
out:
	if (!ok) {
		char ignore[64];
		pg_exec(pg, "ROLLBACK", ignore, sizeof(ignore));
	}
	buf_free(&sql);
	return ok;
}

bool
control_table_lock(PGconn *pg, const control *ctl, const char *table, char *errbuf, size_t errlen)
{
	const char *params[] = { table };
	PGresult *res = control_query(pg, ctl,
								  "SELECT pg_try_advisory_lock(hashtext('migrate ' || current_database()), "
								  "hashtext($1 || '.' || $2))", 1, params, errbuf, errlen);
	if (!res)
		return false;
	bool got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!got)
		snprintf(errbuf, errlen, "another migrate is working on table \"%s\" of database \"%s\"", table, ctl->db);
	return got;
}

bool
control_table_lock_holder(PGconn *pg, const control *ctl, const char *table, char *appname, size_t applen,
						  char *errbuf, size_t errlen)
{
	const char *params[] = { table };
	PGresult *res = control_query(pg, ctl,
		"SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
		"WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
		"AND l.classid = (hashtext('migrate ' || current_database())::bigint & 4294967295)::oid "
		"AND l.objid = (hashtext($1 || '.' || $2)::bigint & 4294967295)::oid "
		"AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1",
		1, params, errbuf, errlen);

	if (!res)
		return false;
	snprintf(appname, applen, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return true;
}

bool
control_table_get(PGconn *pg, const control *ctl, const char *table, control_table *out,
				  char *errbuf, size_t errlen)
{
	const char *params[] = { table };

	memset(out, 0, sizeof(*out));
	PGresult *res = control_query(pg, ctl,
								  "SELECT state, target_schema, target_table, chunk_key, coalesce(load_mode, ''), rows_copied "
								  "FROM {ctl}.tables WHERE source_db = $1 AND source_table = $2",
								  1, params, errbuf, errlen);
	if (!res)
		return false;
	if (PQntuples(res) == 1) {
		out->exists = true;
		snprintf(out->state, sizeof(out->state), "%s", PQgetvalue(res, 0, 0));
		snprintf(out->target_schema, sizeof(out->target_schema), "%s", PQgetvalue(res, 0, 1));
		snprintf(out->target_table, sizeof(out->target_table), "%s", PQgetvalue(res, 0, 2));
		out->chunk_key = PQgetisnull(res, 0, 3) ? NULL : xstrdup(PQgetvalue(res, 0, 3));
		snprintf(out->load_mode, sizeof(out->load_mode), "%s", PQgetvalue(res, 0, 4));
		out->rows = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	}
	PQclear(res);
	return true;
}

bool
control_table_set_state(PGconn *pg, const control *ctl, const char *table, const char *state,
						const char *error, char *errbuf, size_t errlen)
{
	const char *params[] = { table, state, error };
	PGresult *res = control_query(pg, ctl,
								  "UPDATE {ctl}.tables SET state = $3, error = $4, updated_at = now() "
								  "WHERE source_db = $1 AND source_table = $2", 3, params, errbuf, errlen);
	if (!res)
		return false;
	PQclear(res);
	return true;
}

/* --- table states and the chunk ledger (copy) --- */

bool
control_chunks_get(PGconn *pg, const control *ctl, const char *table, control_chunk **out, size_t *n,
				   char *errbuf, size_t errlen)
{
	const char *params[] = { table };
	PGresult *res = control_query(pg, ctl,
								  "SELECT chunk_no, lower_key, upper_key, state, rows_copied, bytes_copied, "
								  "coalesce(snapshot_file, ''), coalesce(snapshot_pos, 0), coalesce(snapshot_gtid, '') "
								  "FROM {ctl}.chunks WHERE source_db = $1 AND source_table = $2 ORDER BY chunk_no",
								  1, params, errbuf, errlen);

	*out = NULL;
	*n = 0;
	if (!res)
		return false;
	int rows = PQntuples(res);
	if (rows > 0)
		*out = xcalloc((size_t) rows, sizeof(control_chunk));
	for (int r = 0; r < rows; r++) {
		control_chunk *ch = &(*out)[r];
		ch->no = (int) strtol(PQgetvalue(res, r, 0), NULL, 10);
		ch->lower = PQgetisnull(res, r, 1) ? NULL : xstrdup(PQgetvalue(res, r, 1));
		ch->upper = PQgetisnull(res, r, 2) ? NULL : xstrdup(PQgetvalue(res, r, 2));
		ch->done = strcmp(PQgetvalue(res, r, 3), "done") == 0;
		if (ch->done) {
			ch->rows = strtoll(PQgetvalue(res, r, 4), NULL, 10);
			ch->bytes = strtoll(PQgetvalue(res, r, 5), NULL, 10);
			snprintf(ch->pos.file, sizeof(ch->pos.file), "%s", PQgetvalue(res, r, 6));
			ch->pos.pos = strtoull(PQgetvalue(res, r, 7), NULL, 10);
			snprintf(ch->pos.gtid, sizeof(ch->pos.gtid), "%s", PQgetvalue(res, r, 8));
		}
	}
	*n = (size_t) rows;
	PQclear(res);
	return true;
}

void
control_chunks_free(control_chunk *chunks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(chunks[i].lower);
		free(chunks[i].upper);
	}
	free(chunks);
}

bool
control_table_copying(PGconn *pg, const control *ctl, const char *table, const control_copy *cc,
					  char *errbuf, size_t errlen)
{
	const char *params[] = {
		table, cc->source_schema, cc->target_schema, cc->target_table, cc->load_mode, cc->chunk_key, cc->described
	};
	PGresult *res = control_query(pg, ctl,
								  "INSERT INTO {ctl}.tables (source_db, source_table, source_schema, target_schema, target_table, "
								  "state, load_mode, chunk_key, stream_schema, started_at) VALUES ($1, $2, $3, $4, $5, 'copying', $6, $7, $8, now()) "
								  "ON CONFLICT (source_db, source_table) DO UPDATE SET source_schema = $3, target_schema = $4, "
								  "target_table = $5, state = 'copying', load_mode = $6, chunk_key = $7, rows_copied = 0, "
								  "bytes_copied = 0, snapshot_file = NULL, snapshot_pos = NULL, snapshot_gtid = NULL, "
								  "error = NULL, applied_file = NULL, applied_pos = NULL, stream_error = NULL, "
								  "stream_schema = $8, ddl_pending = NULL, started_at = now(), finished_at = NULL, updated_at = now()",
								  7, params, errbuf, errlen);
	if (!res)
		return false;
	PQclear(res);
	return true;
}

/* key_or_null: a ledger key bound as an SQL value */
static void
key_or_null(buf *out, const char *key)
{
	if (!key) {
		buf_puts(out, "NULL");
		return;
	}
	ident_pg_literal(out, key);
	buf_puts(out, "::text[]");
}

bool
control_chunks_replace(PGconn *pg, const control *ctl, const char *table, const control_chunk *chunks,
					   size_t n, char *errbuf, size_t errlen)
{
	const char *params[] = { table };
	PGresult *res = control_query(pg, ctl, "DELETE FROM {ctl}.chunks WHERE source_db = $1 AND source_table = $2",
								  1, params, errbuf, errlen);

	if (!res)
		return false;
	PQclear(res);
	/* 500 rows a statement; the bounds are inlined as literals (parameters
	 * would be two per row) */
	for (size_t start = 0; start < n; start += 500) {
		buf ins = BUF_INIT;
		buf_puts(&ins, "INSERT INTO {ctl}.chunks (source_db, source_table, chunk_no, lower_key, upper_key) VALUES ");
		for (size_t i = start; i < n && i < start + 500; i++) {
			buf_printf(&ins, "%s($1, $2, %d, ", i > start ? ", " : "", chunks[i].no);
			key_or_null(&ins, chunks[i].lower);
			buf_puts(&ins, ", ");
			key_or_null(&ins, chunks[i].upper);
			buf_putc(&ins, ')');
		}
		res = control_query(pg, ctl, ins.data, 1, params, errbuf, errlen);
		buf_free(&ins);
		if (!res)
			return false;
		PQclear(res);
	}
	return true;
}

bool
control_chunk_done(PGconn *pg, const control *ctl, const char *table, int no, long long rows,
				   long long bytes, const binlogpos *pos, char *errbuf, size_t errlen)
{
	char nno[16], nrows[32], nbytes[32], npos[32];

	snprintf(nno, sizeof(nno), "%d", no);
	snprintf(nrows, sizeof(nrows), "%lld", rows);
	snprintf(nbytes, sizeof(nbytes), "%lld", bytes);
	snprintf(npos, sizeof(npos), "%" PRIu64, pos->pos);
	const char *params[] = { table, nno, nrows, nbytes, pos->file, npos, pos->gtid };
	PGresult *res = control_query(pg, ctl,
								  "UPDATE {ctl}.chunks SET state = 'done', rows_copied = $4, bytes_copied = $5, "
								  "snapshot_file = $6, snapshot_pos = $7, snapshot_gtid = $8, finished_at = now() "
								  "WHERE source_db = $1 AND source_table = $2 AND chunk_no = $3",
								  7, params, errbuf, errlen);
	if (!res)
		return false;
	PQclear(res);
	return true;
}

bool
control_table_ready(PGconn *pg, const control *ctl, const char *table, long long rows, long long bytes,
					const binlogpos *wm, char *errbuf, size_t errlen)
{
	char nrows[32], nbytes[32], npos[32];

	snprintf(nrows, sizeof(nrows), "%lld", rows);
	snprintf(nbytes, sizeof(nbytes), "%lld", bytes);
	snprintf(npos, sizeof(npos), "%" PRIu64, wm->pos);
	const char *params[] = { table, nrows, nbytes, wm->file, npos, wm->gtid };
	PGresult *res = control_query(pg, ctl,
								  "UPDATE {ctl}.tables SET state = 'ready', rows_copied = $3, bytes_copied = $4, "
								  "snapshot_file = $5, snapshot_pos = $6, snapshot_gtid = $7, error = NULL, "
								  "finished_at = now(), updated_at = now() "
								  "WHERE source_db = $1 AND source_table = $2", 6, params, errbuf, errlen);
	if (!res)
		return false;
	PQclear(res);
	return true;
}
