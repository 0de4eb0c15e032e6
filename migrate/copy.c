/*
 * Copying one chunk: SELECT the chunk's rows from the worker's snapshot with
 * a streaming result set, encode every value through the type map into COPY
 * data (binary when every column of the table has a binary form, else text)
 * in a reused buffer, send it to PostgreSQL in large pieces, then mark
 * the chunk done in the ledger in the same transaction and commit. A chunk
 * is therefore either entirely in the target and recorded done, or not at
 * all: an interrupted run resumes without duplicates.
 *
 * A table that is a single chunk is TRUNCATEd in the same transaction and
 * loaded WITH (FREEZE): the rows are born frozen, and under wal_level
 * minimal nothing is written to WAL.
 *
 * If either connection drops mid-chunk, the transaction is gone, both
 * connections are reopened (a new snapshot, whose position the chunk then
 * records) and the chunk is retried with growing pauses.
 */
#include "migrate/work.h"

#include "common/ident.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/pg.h"
#include "common/typemap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COPY_FLUSH_BYTES (512 * 1024)

typedef enum copy_result { COPY_OK, COPY_RETRY, COPY_FAIL } copy_result;

/* fix_index: TYPEMAP_FIX_* bit -> counter slot */
static int
fix_index(unsigned bit)
{
	return bit == TYPEMAP_FIX_ZERO_DATE ? 0 : bit == TYPEMAP_FIX_NUL ? 1 : 2;
}

/* note_fixes: counts the conversion rules applied to one value */
static void
note_fixes(plan_table *pt, plan_column *c, unsigned fixes, char **row, unsigned long *lens)
{
	pthread_mutex_lock(&pt->mu);
	for (unsigned bit = 1; bit <= TYPEMAP_FIX_BAD_UTF8; bit <<= 1) {
		if (!(fixes & bit))
			continue;
		int f = fix_index(bit);
		for (int s = 0; s < PLAN_FIX_SAMPLES; s++) {
			if (!c->fix_samples[f][s]) {
				buf key = BUF_INIT;
				plan_key_describe(pt, row, lens, &key);
				c->fix_samples[f][s] = key.data;
				break;
			}
		}
		c->fixes[f]++;
	}
	pthread_mutex_unlock(&pt->mu);
}

/* select_sql: the chunk's SELECT, ordered by the key when there is one */
static void
select_sql(worker *w, plan_table *pt, plan_chunk *ch, buf *sql)
{
	buf_reset(sql);
	buf_printf(sql, "SELECT %s FROM %s", pt->select_list, pt->qsource);
	buf where = BUF_INIT;
	if (plan_chunk_where(w->my, pt, ch, &where))
		buf_printf(sql, " WHERE %s", where.data);
	buf_free(&where);
	if (pt->nkey > 0) {
		buf_puts(sql, " ORDER BY ");
		for (size_t i = 0; i < pt->nkey; i++) {
			if (i)
				buf_puts(sql, ", ");
			ident_my(sql, pt->cols[pt->key[i]].name);
		}
	}
}

/* key_at_line: the key of the n-th row (1-based) of a chunk, for messages */
static void
key_at_line(worker *w, plan_table *pt, plan_chunk *ch, long line, buf *out)
{
	if (pt->nkey == 0 || line < 1) {
		buf_printf(out, "row %ld of the table", line);
		return;
	}
	buf sql = BUF_INIT;
	select_sql(w, pt, ch, &sql);
	buf_printf(&sql, " LIMIT 1 OFFSET %ld", line - 1);
	if (mysql_real_query(w->my, sql.data, sql.len) == 0) {
		MYSQL_RES *res = mysql_store_result(w->my);
		MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
		if (row)
			plan_key_describe(pt, row, mysql_fetch_lengths(res), out);
		if (res)
			mysql_free_result(res);
	}
	if (out->len == 0)
		buf_printf(out, "row %ld of chunk %d", line, ch->no);
	buf_free(&sql);
}

/* copy_line_of: the "line N" of a COPY error context, or 0 */
static long
copy_line_of(const PGresult *res)
{
	const char *ctx = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *p = ctx ? strstr(ctx, ", line ") : NULL;

	return p ? strtol(p + 7, NULL, 10) : 0;
}

/* account: publishes the rows and bytes sent since the last call to the
 * table's progress counters (an attempt that fails takes them back) */
static void
account(plan_table *pt, long long rows, long long *counted, long long *bytes, long long *total_bytes)
{
	atomic_fetch_add(&pt->rows_done, rows - *counted);
	atomic_fetch_add(&pt->bytes_done, *bytes);
	*counted = rows;
	*total_bytes += *bytes;
	*bytes = 0;
}

/* flush: sends the buffer; false if the connection failed */
static bool
flush(worker *w)
{
	if (w->data.len == 0)
		return true;
	if (PQputCopyData(w->pg, w->data.data, (int) w->data.len) != 1)
		return false;
	buf_reset(&w->data);
	return true;
}

int
copy_encode_row(const plan_table *pt, char **row, const unsigned long *lens, buf *out,
				unsigned *fixes, int *fixed_col, char *errbuf, size_t errlen)
{
	*fixed_col = -1;
	if (pt->binary) {
		char		n[2] = { (char) (pt->ncols >> 8), (char) pt->ncols };

		buf_append(out, n, 2);
	}
	for (size_t i = 0; i < pt->ncols; i++) {
		const typemap_column *tm = &pt->cols[i].tm;
		unsigned long len = row[i] ? lens[i] : 0;

		fixes[i] = 0;
		if (pt->binary) {
			if (!typemap_encode_binary(tm, row[i], len, out, &fixes[i], errbuf, errlen))
				return (int) i;
		} else {
			if (i)
				buf_putc(out, '\t');
			if (!typemap_encode_copy(tm, row[i], len, out, &fixes[i], errbuf, errlen))
				return (int) i;
		}
		if (fixes[i] && *fixed_col < 0)
			*fixed_col = (int) i;
	}
	if (!pt->binary)
		buf_putc(out, '\n');
	return -1;
}

void
copy_data_begin(const plan_table *pt, buf *out)
{
	/* signature, flags (no OIDs), header extension length */
	static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

	if (pt->binary)
		buf_append(out, header, sizeof(header));
}

void
copy_data_end(const plan_table *pt, buf *out)
{
	if (pt->binary)
		buf_append(out, "\377\377", 2);
}

/* copy_once: one attempt at a chunk */
static copy_result
copy_once(worker *w, plan_table *pt, plan_chunk *ch)
{
	work_run *run = w->run;
	const char *db = run->cfg->src.name;
	char errbuf[2048];
	bool whole = pt->nchunks == 1;
	unsigned *fixes = xcalloc(pt->ncols, sizeof(unsigned));
	long long rows = 0, bytes = 0, counted = 0, total_bytes = 0;
	copy_result result = COPY_FAIL;
	buf chunkdesc = BUF_INIT;

	plan_chunk_describe(pt, ch, &chunkdesc);
	if ((!w->pg || pg_is_disconnect(w->pg)) && !worker_connect_pg(w))
		goto retry;
	if (!w->my && !worker_connect_my(w))
		goto retry;

	buf_reset(&w->sql);
	buf_printf(&w->sql, "BEGIN; %s%s%s COPY %s (%s) FROM STDIN WITH (FORMAT %s%s)",
			   whole ? "TRUNCATE " : "", whole ? pt->qtarget : "", whole ? ";" : "",
			   pt->qtarget, pt->copy_columns, pt->binary ? "binary" : "text",
			   whole ? ", FREEZE" : "");
	PGresult *res = PQexec(w->pg, w->sql.data);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_result_error(w->pg, res, errbuf, sizeof(errbuf));
		PQclear(res);
		if (pg_is_disconnect(w->pg))
			goto retry;
		work_fail_table(w, pt, NULL, "could not start COPY into %s: %s", pt->qtarget, errbuf);
		goto out;
	}
	PQclear(res);

	select_sql(w, pt, ch, &w->sql);
	if (mysql_real_query(w->my, w->sql.data, w->sql.len) != 0) {
		if (maria_is_disconnect(mysql_errno(w->my)))
			goto retry;
		work_fail_table(w, pt, NULL, "could not read table \"%s\" of database \"%s\" (%s): %s",
						pt->source, db, chunkdesc.data, mysql_error(w->my));
		goto out;
	}
	MYSQL_RES *my_res = mysql_use_result(w->my);
	MYSQL_ROW row;
	buf_reset(&w->data);
	copy_data_begin(pt, &w->data);
	while (my_res && (row = mysql_fetch_row(my_res))) {
		unsigned long *lens = mysql_fetch_lengths(my_res);
		int fixed_col;
		int bad = copy_encode_row(pt, row, lens, &w->data, fixes, &fixed_col, errbuf, sizeof(errbuf));
		if (bad >= 0 || (run->strict && fixed_col >= 0)) {
			plan_column *c = &pt->cols[bad >= 0 ? bad : fixed_col];
			buf key = BUF_INIT;
			plan_key_describe(pt, row, lens, &key);
			char detail[1024];
			snprintf(detail, sizeof(detail), "database \"%s\", table \"%s\", column \"%s\" (%s), key %s",
					 db, pt->source, c->name, c->column_type, key.data);
			buf_free(&key);
			mysql_free_result(my_res);
			if (bad >= 0)
				work_fail_table(w, pt, detail, "value cannot be converted: %s", errbuf);
			else
				work_fail_table(w, pt, detail, "value needs conversion rule \"%s\" and --strict is set",
								typemap_fix_name(fixes[fixed_col] & -fixes[fixed_col]));
			goto out;
		}
		if (fixed_col >= 0) {
			for (size_t i = 0; i < pt->ncols; i++)
				if (fixes[i])
					note_fixes(pt, &pt->cols[i], fixes[i], row, lens);
		}
		for (size_t i = 0; i < pt->ncols; i++)
			if (row[i])
				bytes += (long long) lens[i];
		rows++;
		if (w->data.len >= COPY_FLUSH_BYTES) {
			if (!flush(w)) {
				mysql_free_result(my_res);
				goto retry;
			}
			account(pt, rows, &counted, &bytes, &total_bytes);
		}
		if (*run->interrupted) {
			mysql_free_result(my_res);
			PQputCopyEnd(w->pg, "interrupted");
			goto out;
		}
	}
	unsigned my_err = mysql_errno(w->my);
	if (my_res)
		mysql_free_result(my_res);
	if (my_err) {
		if (maria_is_disconnect(my_err))
			goto retry;
		work_fail_table(w, pt, NULL, "could not read table \"%s\" of database \"%s\" (%s): %s",
						pt->source, db, chunkdesc.data, mysql_error(w->my));
		goto out;
	}
	copy_data_end(pt, &w->data);
	if (!flush(w) || PQputCopyEnd(w->pg, NULL) != 1)
		goto retry;
	account(pt, rows, &counted, &bytes, &total_bytes);
	res = PQgetResult(w->pg);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_result_error(w->pg, res, errbuf, sizeof(errbuf));
		long line = copy_line_of(res);
		PQclear(res);
		while ((res = PQgetResult(w->pg)))
			PQclear(res);
		if (pg_is_disconnect(w->pg))
			goto retry;
		buf key = BUF_INIT;
		key_at_line(w, pt, ch, line, &key);
		char detail[1024];
		snprintf(detail, sizeof(detail), "database \"%s\", table \"%s\", key %s", db, pt->source, key.data);
		buf_free(&key);
		work_fail_table(w, pt, detail, "PostgreSQL rejected a row of %s: %s", pt->qtarget, errbuf);
		goto out;
	}
	PQclear(res);
	while ((res = PQgetResult(w->pg)))
		PQclear(res);

	/* the ledger row commits with the data */
	if (!control_chunk_done(w->pg, run->ctl, pt->source, ch->no, rows, total_bytes, &w->pos,
							errbuf, sizeof(errbuf))) {
		if (pg_is_disconnect(w->pg))
			goto retry;
		work_fail_table(w, pt, NULL, "could not record chunk %d of \"%s\" in the ledger: %s",
						ch->no, pt->source, errbuf);
		goto out;
	}
	if (!pg_exec(w->pg, "COMMIT", errbuf, sizeof(errbuf))) {
		if (pg_is_disconnect(w->pg))
			goto retry;
		work_fail_table(w, pt, NULL, "could not commit chunk %d of \"%s\": %s", ch->no, pt->source, errbuf);
		goto out;
	}
	ch->rows = rows;
	ch->bytes = total_bytes;
	ch->pos = w->pos;
	ch->done = true;
	result = COPY_OK;
	goto out;

retry:
	/* take back what this attempt counted; it will be counted again */
	atomic_fetch_sub(&pt->rows_done, counted);
	atomic_fetch_sub(&pt->bytes_done, total_bytes);
	result = COPY_RETRY;
out:
	free(fixes);
	buf_free(&chunkdesc);
	return result;
}

bool
copy_chunk(worker *w, plan_table *pt, plan_chunk *ch)
{
	work_run *run = w->run;
	unsigned delay = 1;

	for (int attempt = 1;; attempt++) {
		copy_result r = copy_once(w, pt, ch);
		if (r == COPY_OK)
			return true;
		if (r == COPY_FAIL || *run->interrupted)
			return false;
		const char *why = w->my && mysql_errno(w->my) ? mysql_error(w->my) :
			w->pg ? PQerrorMessage(w->pg) : "connection failed";
		char whybuf[512];
		snprintf(whybuf, sizeof(whybuf), "%s", why);
		whybuf[strcspn(whybuf, "\n")] = '\0';
		/* both connections restart: the old transaction and snapshot are gone */
		worker_disconnect(w);
		if (attempt >= run->retries) {
			char detail[256];
			snprintf(detail, sizeof(detail), "chunk %d, after %d attempts", ch->no, attempt);
			work_fail_table(w, pt, detail, "lost the connection while copying table \"%s\" of database \"%s\": %s",
							pt->source, run->cfg->src.name, whybuf);
			return false;
		}
		log_warning("connection lost while copying chunk %d of \"%s\" (%s); retrying in %us (attempt %d of %d)",
					ch->no, pt->source, whybuf, delay, attempt + 1, run->retries);
		for (unsigned s = 0; s < delay && !*run->interrupted; s++)
			sleep(1);
		delay = delay < 16 ? delay * 2 : 30;
	}
}
