/*
 * Verification of copied tables; see verify.h for the method.
 */
#include "migrate/verify.h"

#include "common/ident.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/pg.h"
#include "common/copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fetch_sums: count and checksum of "SELECT ... FROM rel alias WHERE ..." */
static bool
fetch_sums(PGconn *pg, const char *from_where, char *count, size_t countlen, char *sum, size_t sumlen,
		   char *errbuf, size_t errlen)
{
	buf sql = BUF_INIT;

	buf_printf(&sql, "SELECT count(*), coalesce(sum(hashtextextended(r::text, 0)), 0) FROM %s", from_where);
	PGresult *res = pg_query(pg, sql.data, 0, NULL, errbuf, errlen);
	buf_free(&sql);
	if (!res)
		return false;
	snprintf(count, countlen, "%s", PQgetvalue(res, 0, 0));
	snprintf(sum, sumlen, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return true;
}

/* load_chunk: source rows of one chunk into the temp table verify_src */
static bool
load_chunk(MYSQL *my, PGconn *pg, const plan_table *pt, const plan_chunk *ch, buf *data, char *errbuf, size_t errlen)
{
	buf sql = BUF_INIT, where = BUF_INIT;
	unsigned *fixes = xcalloc(pt->ncols, sizeof(unsigned));
	bool ok = false;

	if (!pg_exec(pg, "TRUNCATE verify_src", errbuf, errlen))
		goto out;
	buf_printf(&sql, "COPY verify_src FROM STDIN WITH (FORMAT %s)", pt->binary ? "binary" : "text");
	PGresult *res = PQexec(pg, sql.data);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_result_error(pg, res, errbuf, errlen);
		PQclear(res);
		goto out;
	}
	PQclear(res);
	buf_reset(&sql);
	buf_printf(&sql, "SELECT %s FROM %s", pt->select_list, pt->qsource);
	if (plan_chunk_where(my, pt, ch, &where))
		buf_printf(&sql, " WHERE %s", where.data);
	if (mysql_real_query(my, sql.data, sql.len) != 0) {
		snprintf(errbuf, errlen, "%s", mysql_error(my));
		PQputCopyEnd(pg, "source error");
		goto drain;
	}
	MYSQL_RES *mres = mysql_use_result(my);
	MYSQL_ROW row;
	buf_reset(data);
	copy_data_begin(pt, data);
	while (mres && (row = mysql_fetch_row(mres))) {
		int fixed;
		if (copy_encode_row(pt, row, mysql_fetch_lengths(mres), data, fixes, &fixed, errbuf, errlen) >= 0) {
			mysql_free_result(mres);
			PQputCopyEnd(pg, "conversion error");
			goto drain;
		}
		if (data->len > 512 * 1024) {
			PQputCopyData(pg, data->data, (int) data->len);
			buf_reset(data);
		}
	}
	if (mres)
		mysql_free_result(mres);
	if (mysql_errno(my)) {
		snprintf(errbuf, errlen, "%s", mysql_error(my));
		PQputCopyEnd(pg, "source error");
		goto drain;
	}
	copy_data_end(pt, data);
	PQputCopyData(pg, data->data, (int) data->len);
	PQputCopyEnd(pg, NULL);
	ok = true;
drain:
	while ((res = PQgetResult(pg))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ok) {
			pg_result_error(pg, res, errbuf, errlen);
			ok = false;
		}
		PQclear(res);
	}
out:
	free(fixes);
	buf_free(&sql);
	buf_free(&where);
	return ok;
}

/* target_filter: "<qtarget> r WHERE <rows of this chunk>" */
static void
target_filter(const plan_table *pt, const plan_chunk *ch, buf *out)
{
	buf_printf(out, "%s r", pt->qtarget);
	if (!ch->lower && !ch->upper)
		return;
	if (pt->key_is_int) {
		const char *k = pt->cols[pt->key[0]].target;
		buf_puts(out, " WHERE ");
		if (ch->lower) {
			ident_pg(out, k);
			buf_printf(out, " >= %.*s", (int) ch->lower->len[0], ch->lower->v[0]);
		}
		if (ch->lower && ch->upper)
			buf_puts(out, " AND ");
		if (ch->upper) {
			ident_pg(out, k);
			buf_printf(out, " < %.*s", (int) ch->upper->len[0], ch->upper->v[0]);
		}
		return;
	}
	buf keys = BUF_INIT;
	for (size_t i = 0; i < pt->nkey; i++) {
		if (i)
			buf_puts(&keys, ", ");
		ident_pg(&keys, pt->cols[pt->key[i]].target);
	}
	buf_printf(out, " WHERE (%s) IN (SELECT %s FROM verify_src)", keys.data, keys.data);
	buf_free(&keys);
}

/* verify_table: every chunk, then the total count */
static verify_result
verify_table(MYSQL *my, PGconn *pg, const plan_table *pt, const plan_chunk *chunks, size_t nchunks,
			 volatile sig_atomic_t *interrupted)
{
	char errbuf[2048], sc[32], ss[64], tc[32], ts[64];
	buf sql = BUF_INIT, data = BUF_INIT, filter = BUF_INIT;
	verify_result vr = VERIFY_OK;
	long long src_total = 0;

	buf_printf(&sql, "DROP TABLE IF EXISTS pg_temp.verify_src; CREATE TEMP TABLE verify_src (LIKE %s)", pt->qtarget);
	if (!pg_exec(pg, sql.data, errbuf, sizeof(errbuf))) {
		log_error("could not verify table \"%s\": %s", pt->source, errbuf);
		vr = VERIFY_ERROR;
		goto out;
	}
	for (size_t c = 0; c < nchunks && !*interrupted; c++) {
		const plan_chunk *ch = &chunks[c];
		if (!load_chunk(my, pg, pt, ch, &data, errbuf, sizeof(errbuf)) ||
			!fetch_sums(pg, "verify_src r", sc, sizeof(sc), ss, sizeof(ss), errbuf, sizeof(errbuf))) {
			log_error("could not verify chunk %d of table \"%s\": %s", ch->no, pt->source, errbuf);
			vr = VERIFY_ERROR;
			goto out;
		}
		buf_reset(&filter);
		target_filter(pt, ch, &filter);
		if (!fetch_sums(pg, filter.data, tc, sizeof(tc), ts, sizeof(ts), errbuf, sizeof(errbuf))) {
			log_error("could not verify chunk %d of table \"%s\": %s", ch->no, pt->source, errbuf);
			vr = VERIFY_ERROR;
			goto out;
		}
		src_total += strtoll(sc, NULL, 10);
		if (strcmp(sc, tc) != 0 || strcmp(ss, ts) != 0) {
			buf d = BUF_INIT;
			plan_chunk_describe(pt, ch, &d);
			char detail[1024];
			snprintf(detail, sizeof(detail), "source %s rows, target %s rows%s", sc, tc,
					 strcmp(sc, tc) == 0 ? "; the values differ" : "");
			log_error_dh(detail, NULL, "verify: table \"%s\" differs in chunk %d (%s)", pt->source, ch->no, d.data);
			buf_free(&d);
			vr = VERIFY_MISMATCH;
		}
	}
	buf_reset(&filter);
	buf_printf(&filter, "%s r", pt->qtarget);
	if (!fetch_sums(pg, filter.data, tc, sizeof(tc), ts, sizeof(ts), errbuf, sizeof(errbuf))) {
		log_error("could not count table \"%s\": %s", pt->source, errbuf);
		vr = VERIFY_ERROR;
		goto out;
	}
	if (strtoll(tc, NULL, 10) != src_total) {
		log_error("verify: table \"%s\" has %s rows in PostgreSQL but %lld in MariaDB", pt->source, tc, src_total);
		vr = VERIFY_MISMATCH;
	}
	if (vr == VERIFY_OK)
		log_info("verify: table \"%s\" matches (%lld rows, %zu chunk%s)", pt->source, src_total,
				 nchunks, nchunks == 1 ? "" : "s");
out:
	pg_exec(pg, "DROP TABLE IF EXISTS pg_temp.verify_src", errbuf, sizeof(errbuf));
	buf_free(&sql);
	buf_free(&data);
	buf_free(&filter);
	return vr;
}

verify_result
verify_tables(const config *cfg, PGconn *pg, const copy_run *run, const size_t *order, size_t ntables,
			  volatile sig_atomic_t *interrupted)
{
	char errbuf[1024];
	binlogpos pos;
	verify_result all = VERIFY_OK;

	MYSQL *my = maria_connect(&cfg->src, errbuf, sizeof(errbuf));
	if (!my) {
		log_error("%s", errbuf);
		return VERIFY_ERROR;
	}
	if (!maria_begin_snapshot(my, &pos, errbuf, sizeof(errbuf))) {
		log_error("could not open a snapshot to verify: %s", errbuf);
		mysql_close(my);
		return VERIFY_ERROR;
	}
	for (size_t i = 0; i < ntables && !*interrupted; i++) {
		size_t nchunks;
		const plan_chunk *chunks = copy_table_chunks(run, order[i], &nchunks);
		verify_result vr = verify_table(my, pg, copy_table_plan(run, order[i]), chunks, nchunks, interrupted);
		if (vr == VERIFY_ERROR || (vr == VERIFY_MISMATCH && all == VERIFY_OK))
			all = vr;
	}
	mysql_close(my);
	return *interrupted ? VERIFY_ERROR : all;
}
