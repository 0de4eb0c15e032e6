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
#include "common/copy_chunk.h"

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

typedef enum chunk_result { CHUNK_OK, CHUNK_RETRY, CHUNK_FAIL } chunk_result;

/* fix_index: TYPEMAP_FIX_* bit -> counter slot */
static int
fix_index(unsigned bit)
{
	return bit == TYPEMAP_FIX_ZERO_DATE ? 0 : bit == TYPEMAP_FIX_NUL ? 1 : 2;
}

/* note_fixes: counts the conversion rules applied to one value of column i */
static void
note_fixes(copy_table *ct, size_t i, unsigned fixes, char **row, unsigned long *lens)
{
	copy_fixes *cf = &ct->fixes[i];

	pthread_mutex_lock(&ct->mu);
	for (unsigned bit = 1; bit <= TYPEMAP_FIX_BAD_UTF8; bit <<= 1) {
		if (!(fixes & bit))
			continue;
		int f = fix_index(bit);
		for (int s = 0; s < COPY_FIX_SAMPLES; s++) {
			if (!cf->samples[f][s]) {
				buf key = BUF_INIT;
				plan_key_describe(&ct->pt, row, lens, &key);
				cf->samples[f][s] = key.data;
				break;
			}
		}
		cf->n[f]++;
	}
	pthread_mutex_unlock(&ct->mu);
}

/* select_sql: the chunk's SELECT, ordered by the key when there is one */
static void
select_sql(copy_worker *w, const plan_table *pt, const plan_chunk *ch, buf *sql)
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
key_at_line(copy_worker *w, const plan_table *pt, const plan_chunk *ch, long line, buf *out)
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
account(copy_table *ct, long long rows, long long *counted, long long *bytes, long long *total_bytes)
{
	atomic_fetch_add(&ct->rows_done, rows - *counted);
	atomic_fetch_add(&ct->bytes_done, *bytes);
	*counted = rows;
	*total_bytes += *bytes;
	*bytes = 0;
}

/* flush: sends the buffer; false if the connection failed */
static bool
flush(copy_worker *w)
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

/* What one attempt at a chunk has counted so far. */
typedef struct chunk_attempt {
	long long   rows;           /* rows read */
	long long   bytes;          /* source bytes not yet published */
	long long   counted;        /* rows published to the progress counters */
	long long   total_bytes;    /* bytes published */
	unsigned   *fixes;          /* per column, of the current row */
	buf         chunkdesc;      /* the chunk's key range, for messages */
} chunk_attempt;

/* fail_row: fails the table over a row that cannot be converted (bad >= 0)
 * or needs a conversion rule under --strict (column fixed_col) */
static void
fail_row(copy_worker *w, copy_table *ct, char **row, unsigned long *lens, int bad, int fixed_col,
		 const unsigned *fixes, const char *why)
{
	const plan_table *pt = &ct->pt;
	const plan_column *c = &pt->cols[bad >= 0 ? bad : fixed_col];
	buf key = BUF_INIT;
	char detail[1024];

	plan_key_describe(pt, row, lens, &key);
	snprintf(detail, sizeof(detail), "database \"%s\", table \"%s\", column \"%s\" (%s), key %s",
			 w->run->cfg->src.name, pt->source, c->name, c->column_type, key.data);
	buf_free(&key);
	if (bad >= 0)
		copy_fail_table(w, ct, detail, "value cannot be converted: %s", why);
	else
		copy_fail_table(w, ct, detail, "value needs conversion rule \"%s\" and --strict is set",
						typemap_fix_name(fixes[fixed_col] & -fixes[fixed_col]));
}

/* fail_read: fails the table over a MariaDB error reading the chunk */
static void
fail_read(copy_worker *w, copy_table *ct, const chunk_attempt *a)
{
	copy_fail_table(w, ct, NULL, "could not read table \"%s\" of database \"%s\" (%s): %s",
					ct->pt.source, w->run->cfg->src.name, a->chunkdesc.data, mysql_error(w->my));
}

/* send_rows: reads the chunk from the worker's snapshot and sends it as
 * COPY data, through the end of the COPY */
static chunk_result
send_rows(copy_worker *w, copy_table *ct, plan_chunk *ch, chunk_attempt *a)
{
	copy_run *run = w->run;
	const plan_table *pt = &ct->pt;
	char errbuf[2048];

	select_sql(w, pt, ch, &w->sql);
	if (mysql_real_query(w->my, w->sql.data, w->sql.len) != 0) {
		if (maria_is_disconnect(mysql_errno(w->my)))
			return CHUNK_RETRY;
		fail_read(w, ct, a);
		return CHUNK_FAIL;
	}
	MYSQL_RES *my_res = mysql_use_result(w->my);
	MYSQL_ROW row;
	buf_reset(&w->data);
	copy_data_begin(pt, &w->data);
	while (my_res && (row = mysql_fetch_row(my_res))) {
		unsigned long *lens = mysql_fetch_lengths(my_res);
		int fixed_col;
		int bad = copy_encode_row(pt, row, lens, &w->data, a->fixes, &fixed_col, errbuf, sizeof(errbuf));
		if (bad >= 0 || (run->set.strict && fixed_col >= 0)) {
			fail_row(w, ct, row, lens, bad, fixed_col, a->fixes, errbuf);
			mysql_free_result(my_res);
			return CHUNK_FAIL;
		}
		if (fixed_col >= 0) {
			for (size_t i = 0; i < pt->ncols; i++)
				if (a->fixes[i])
					note_fixes(ct, i, a->fixes[i], row, lens);
		}
		for (size_t i = 0; i < pt->ncols; i++)
			if (row[i])
				a->bytes += (long long) lens[i];
		a->rows++;
		if (w->data.len >= COPY_FLUSH_BYTES) {
			if (!flush(w)) {
				mysql_free_result(my_res);
				return CHUNK_RETRY;
			}
			account(ct, a->rows, &a->counted, &a->bytes, &a->total_bytes);
		}
		if (*run->stop) {
			mysql_free_result(my_res);
			PQputCopyEnd(w->pg, "interrupted");
			return CHUNK_FAIL;
		}
	}
	unsigned my_err = mysql_errno(w->my);
	if (my_res)
		mysql_free_result(my_res);
	if (my_err) {
		if (maria_is_disconnect(my_err))
			return CHUNK_RETRY;
		fail_read(w, ct, a);
		return CHUNK_FAIL;
	}
	copy_data_end(pt, &w->data);
	if (!flush(w) || PQputCopyEnd(w->pg, NULL) != 1)
		return CHUNK_RETRY;
	account(ct, a->rows, &a->counted, &a->bytes, &a->total_bytes);
	return CHUNK_OK;
}

/* commit_chunk: the COPY's outcome, then the ledger row and the commit */
static chunk_result
commit_chunk(copy_worker *w, copy_table *ct, plan_chunk *ch, const chunk_attempt *a)
{
	const plan_table *pt = &ct->pt;
	char errbuf[2048];
	PGresult *res = PQgetResult(w->pg);

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_result_error(w->pg, res, errbuf, sizeof(errbuf));
		long line = copy_line_of(res);
		PQclear(res);
		while ((res = PQgetResult(w->pg)))
			PQclear(res);
		if (pg_is_disconnect(w->pg))
			return CHUNK_RETRY;
		buf key = BUF_INIT;
		key_at_line(w, pt, ch, line, &key);
		char detail[1024];
		snprintf(detail, sizeof(detail), "database \"%s\", table \"%s\", key %s",
				 w->run->cfg->src.name, pt->source, key.data);
		buf_free(&key);
		copy_fail_table(w, ct, detail, "PostgreSQL rejected a row of %s: %s", pt->qtarget, errbuf);
		return CHUNK_FAIL;
	}
	PQclear(res);
	while ((res = PQgetResult(w->pg)))
		PQclear(res);

	/* the ledger row commits with the data */
	if (!control_chunk_done(w->pg, w->run->ctl, pt->source, ch->no, a->rows, a->total_bytes, &w->pos,
							errbuf, sizeof(errbuf))) {
		if (pg_is_disconnect(w->pg))
			return CHUNK_RETRY;
		copy_fail_table(w, ct, NULL, "could not record chunk %d of \"%s\" in the ledger: %s",
						ch->no, pt->source, errbuf);
		return CHUNK_FAIL;
	}
	if (!pg_exec(w->pg, "COMMIT", errbuf, sizeof(errbuf))) {
		if (pg_is_disconnect(w->pg))
			return CHUNK_RETRY;
		copy_fail_table(w, ct, NULL, "could not commit chunk %d of \"%s\": %s", ch->no, pt->source, errbuf);
		return CHUNK_FAIL;
	}
	ch->rows = a->rows;
	ch->bytes = a->total_bytes;
	ch->pos = w->pos;
	ch->done = true;
	return CHUNK_OK;
}

/* start_copy: BEGIN and COPY FROM STDIN (a single-chunk table is emptied
 * and loaded frozen in the same transaction) */
static chunk_result
start_copy(copy_worker *w, copy_table *ct)
{
	const plan_table *pt = &ct->pt;
	bool whole = ct->nchunks == 1;
	char errbuf[2048];

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
			return CHUNK_RETRY;
		copy_fail_table(w, ct, NULL, "could not start COPY into %s: %s", pt->qtarget, errbuf);
		return CHUNK_FAIL;
	}
	PQclear(res);
	return CHUNK_OK;
}

/* copy_once: one attempt at a chunk */
static chunk_result
copy_once(copy_worker *w, copy_table *ct, plan_chunk *ch)
{
	chunk_attempt a = { .fixes = xcalloc(ct->pt.ncols ? ct->pt.ncols : 1, sizeof(unsigned)), .chunkdesc = BUF_INIT };
	chunk_result result = CHUNK_RETRY;

	plan_chunk_describe(&ct->pt, ch, &a.chunkdesc);
	if (((w->pg && !pg_is_disconnect(w->pg)) || copy_worker_connect_pg(w)) &&
		(w->my || copy_worker_connect_my(w))) {
		result = start_copy(w, ct);
		if (result == CHUNK_OK)
			result = send_rows(w, ct, ch, &a);
		if (result == CHUNK_OK)
			result = commit_chunk(w, ct, ch, &a);
	}
	if (result == CHUNK_RETRY) {
		/* take back what this attempt counted; it will be counted again */
		atomic_fetch_sub(&ct->rows_done, a.counted);
		atomic_fetch_sub(&ct->bytes_done, a.total_bytes);
	}
	free(a.fixes);
	buf_free(&a.chunkdesc);
	return result;
}

bool
copy_chunk(copy_worker *w, copy_table *ct, plan_chunk *ch)
{
	copy_run *run = w->run;
	const plan_table *pt = &ct->pt;
	unsigned delay = 1;

	for (int attempt = 1;; attempt++) {
		chunk_result r = copy_once(w, ct, ch);
		if (r == CHUNK_OK)
			return true;
		if (r == CHUNK_FAIL || *run->stop)
			return false;
		const char *why = w->my && mysql_errno(w->my) ? mysql_error(w->my) :
			w->pg ? PQerrorMessage(w->pg) : "connection failed";
		char whybuf[512];
		snprintf(whybuf, sizeof(whybuf), "%s", why);
		whybuf[strcspn(whybuf, "\n")] = '\0';
		/* both connections restart: the old transaction and snapshot are gone */
		copy_worker_disconnect(w);
		if (attempt >= run->set.retries) {
			char detail[256];
			snprintf(detail, sizeof(detail), "chunk %d, after %d attempts", ch->no, attempt);
			copy_fail_table(w, ct, detail, "lost the connection while copying table \"%s\" of database \"%s\": %s",
							pt->source, run->cfg->src.name, whybuf);
			return false;
		}
		log_warning("connection lost while copying chunk %d of \"%s\" (%s); retrying in %us (attempt %d of %d)",
					ch->no, pt->source, whybuf, delay, attempt + 1, run->set.retries);
		for (unsigned s = 0; s < delay && !*run->stop; s++)
			sleep(1);
		delay = delay < 16 ? delay * 2 : 30;
	}
}
