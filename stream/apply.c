/*
 * The stream's PostgreSQL sink; how a batch is applied is described in
 * apply.h. The session holds the database's advisory lock for its lifetime
 * (a second daemon for the same database is refused; an earlier one's
 * session is ended or waited for, see lock.h) and LISTENs on
 * migrate_table_ready. A batch's transaction starts lazily with the first
 * staged row.
 */
#include "stream/apply.h"

#include "common/ident.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/typemap.h"
#include "stream/instance.h"
#include "stream/lock.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_FLUSH_BYTES (4u << 20)
#define KEYSET_MAX       (256u << 10)   /* keys tracked per table and batch: 4 MB of hashes */

struct apply {
	PGconn     *pg;
	const config *cfg;
	const control *ctl;
	bool        in_txn;
	bool        tables_changed; /* a table left 'ready' under the stream */
	int         next_stg;
	long long   pending;        /* rows staged in this batch */
	long long   seq;            /* source order of staged changes */
	bool        refused;        /* the last apply_row failed on a value, staged nothing */
	char        state[6];       /* SQLSTATE of the batch's failure, "" if none */
	char        why[1024];      /* and its message */
	uint32_t    source_sid;     /* @@server_id of the source the positions belong to; 0 unknown */
	buf         sql;
};

/* A table's batch state in the sink (stream_table.stage) */
struct apply_stage {
	int         stg_no;         /* staging table number */
	char       *stg;            /* its name, quoted */
	bool        stg_created;    /* in this session */
	char       *sql_delete;     /* set-wise statements, prepared texts */
	char       *sql_upsert;
	char       *sql_delete_one; /* in-order: $1 = _seq */
	char       *sql_insert_one;
	char       *sql_delete_simple;  /* when no key repeats: no DISTINCT ON */
	char       *sql_upsert_simple;
	/* the current batch */
	buf         copy;           /* COPY text rows not yet sent */
	long long   staged;         /* rows in the staging table or copy */
	bool        has_old;        /* an old image (delete, key change) staged */
	bool        dup;            /* a key changed twice, or changed key, in the batch */
	uint64_t   *keys;           /* hashes of the keys the batch changed */
	size_t      nkeys, keycap;
	long long   n_ins, n_upd, n_del;
};

PGconn *
apply_conn(apply *a)
{
	return a->pg;
}

apply *
apply_open(const config *cfg, const control *ctl, const char *role, double wait_s, volatile sig_atomic_t *stop)
{
	char errbuf[2048], mark[64];
	apply *a = xcalloc(1, sizeof(apply));

	a->cfg = cfg;
	a->ctl = ctl;
	/* who we are, for a later stream that finds this session holding the lock */
	instance_mark(role, cfg->src.name, mark, sizeof(mark));
	a->pg = pg_connect(cfg, mark, errbuf, sizeof(errbuf));
	if (!a->pg) {
		char *sink = config_sink_display(cfg->sink_url);
		log_error_dh(sink, "Check SINK_DB_URL.", "%s", errbuf);
		free(sink);
		free(a);
		return NULL;
	}
	/* PostgreSQL 14 and later: a backend whose client died ends within
	 * seconds even in the middle of a long statement, instead of finishing
	 * a big batch for no one while holding the lock */
	if (PQserverVersion(a->pg) >= 140000 &&
		!pg_exec(a->pg, "SET client_connection_check_interval = '2s'", errbuf, sizeof(errbuf)))
		log_debug("client_connection_check_interval not set: %s", errbuf);
	if (!lock_take(a->pg, cfg, ctl, role, wait_s, stop)) {
		apply_close(a);
		return NULL;
	}
	/* work_mem: the per-batch DISTINCT ON sort of a big batch stays in memory */
	if (!pg_exec(a->pg, "SET synchronous_commit = on; SET work_mem = '64MB'; LISTEN migrate_table_ready",
				 errbuf, sizeof(errbuf))) {
		log_error("could not prepare the sink session: %s", errbuf);
		apply_close(a);
		return NULL;
	}
	return a;
}

void
apply_close(apply *a)
{
	if (!a)
		return;
	if (a->pg)
		PQfinish(a->pg);
	buf_free(&a->sql);
	free(a);
}

/* cols_list: "c1", "c2" ... with an optional alias prefix */
static void
cols_list(buf *out, const plan_table *pt, const char *alias)
{
	for (size_t i = 0; i < pt->ncols; i++) {
		if (i)
			buf_puts(out, ", ");
		if (alias)
			buf_printf(out, "%s.", alias);
		ident_pg(out, pt->cols[i].target);
	}
}

/* key_list: the key columns, optionally prefixed */
static void
key_list(buf *out, const plan_table *pt, const char *alias)
{
	for (size_t k = 0; k < pt->nkey; k++) {
		if (k)
			buf_puts(out, ", ");
		if (alias)
			buf_printf(out, "%s.", alias);
		ident_pg(out, pt->cols[pt->key[k]].target);
	}
}

/* match_cond: l.k1 = r.k1 AND ... over the key, or over every column */
static void
match_cond(buf *out, const plan_table *pt, const char *l, const char *r, bool all_columns)
{
	size_t n = all_columns ? pt->ncols : pt->nkey;

	for (size_t k = 0; k < n; k++) {
		const char *name = pt->cols[all_columns ? k : (size_t) pt->key[k]].target;
		if (k)
			buf_puts(out, " AND ");
		buf_printf(out, "%s.", l);
		ident_pg(out, name);
		/* = where NULL cannot occur, so an index on the column can be used */
		bool nullable = all_columns && pt->cols[k].nullable;
		buf_puts(out, nullable ? " IS NOT DISTINCT FROM " : " = ");
		buf_printf(out, "%s.", r);
		ident_pg(out, name);
	}
}

/* is_key_col: whether column i is part of pt's key */
static bool
is_key_col(const plan_table *pt, size_t i)
{
	for (size_t k = 0; k < pt->nkey; k++)
		if ((size_t) pt->key[k] == i)
			return true;
	return false;
}

/* upsert_tail: ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c, ... */
static void
upsert_tail(buf *out, const plan_table *pt)
{
	buf_puts(out, " ON CONFLICT (");
	key_list(out, pt, NULL);
	buf_puts(out, ") DO ");
	bool any = false;
	for (size_t i = 0; i < pt->ncols; i++) {
		if (is_key_col(pt, i))
			continue;
		buf_puts(out, any ? ", " : "UPDATE SET ");
		ident_pg(out, pt->cols[i].target);
		buf_puts(out, " = EXCLUDED.");
		ident_pg(out, pt->cols[i].target);
		any = true;
	}
	if (!any)
		buf_puts(out, "NOTHING");
}

void
apply_table_open(apply *a, stream_table *t)
{
	const plan_table *pt = &t->pt;
	buf b = BUF_INIT, cols = BUF_INIT, last = BUF_INIT;

	t->stage = xcalloc(1, sizeof(apply_stage));
	t->stage->stg_no = ++a->next_stg;
	t->stage->stg = xasprintf("pg_temp.stream_stg_%d", t->stage->stg_no);
	cols_list(&cols, pt, NULL);
	if (pt->nkey > 0) {
		/* the last change per key, in source order (after-image after before-image) */
		buf_printf(&last, "WITH last AS (SELECT DISTINCT ON (");
		key_list(&last, pt, NULL);
		buf_printf(&last, ") * FROM %s ORDER BY ", t->stage->stg);
		key_list(&last, pt, NULL);
		buf_puts(&last, ", _seq DESC, _op DESC) ");

		buf_printf(&b, "%sDELETE FROM %s t USING last WHERE last._op = 0 AND ", last.data, pt->qtarget);
		match_cond(&b, pt, "t", "last", false);
		t->stage->sql_delete = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "%sINSERT INTO %s (%s) SELECT %s FROM last WHERE _op = 1", last.data, pt->qtarget,
				   cols.data, cols.data);
		upsert_tail(&b, pt);
		t->stage->sql_upsert = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "DELETE FROM %s t USING %s s WHERE s._op = 0 AND ", pt->qtarget, t->stage->stg);
		match_cond(&b, pt, "t", "s", false);
		t->stage->sql_delete_simple = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "INSERT INTO %s (%s) SELECT %s FROM %s WHERE _op = 1", pt->qtarget, cols.data, cols.data,
				   t->stage->stg);
		upsert_tail(&b, pt);
		t->stage->sql_upsert_simple = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "DELETE FROM %s t USING %s s WHERE s._seq = $1 AND s._op = 0 AND ", pt->qtarget, t->stage->stg);
		match_cond(&b, pt, "t", "s", false);
		t->stage->sql_delete_one = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "INSERT INTO %s (%s) SELECT %s FROM %s WHERE _seq = $1 AND _op = 1", pt->qtarget,
				   cols.data, cols.data, t->stage->stg);
		upsert_tail(&b, pt);
		t->stage->sql_insert_one = xstrdup(b.data);
	} else {
		buf_printf(&b, "INSERT INTO %s (%s) SELECT %s FROM %s WHERE _op = 1 ORDER BY _seq", pt->qtarget,
				   cols.data, cols.data, t->stage->stg);
		t->stage->sql_upsert = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "DELETE FROM %s WHERE ctid = (SELECT t.ctid FROM %s t, %s s WHERE s._seq = $1 AND s._op = 0 AND ",
				   pt->qtarget, pt->qtarget, t->stage->stg);
		match_cond(&b, pt, "t", "s", true);
		buf_puts(&b, " LIMIT 1)");
		t->stage->sql_delete_one = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "INSERT INTO %s (%s) SELECT %s FROM %s WHERE _seq = $1 AND _op = 1", pt->qtarget,
				   cols.data, cols.data, t->stage->stg);
		t->stage->sql_insert_one = xstrdup(b.data);
	}
	buf_free(&b);
	buf_free(&cols);
	buf_free(&last);
}

void
apply_table_close(stream_table *t)
{
	if (!t->stage)
		return;
	free(t->stage->stg);
	free(t->stage->sql_delete);
	free(t->stage->sql_upsert);
	free(t->stage->sql_delete_one);
	free(t->stage->sql_insert_one);
	free(t->stage->sql_delete_simple);
	free(t->stage->sql_upsert_simple);
	free(t->stage->keys);
	buf_free(&t->stage->copy);
	free(t->stage);
	t->stage = NULL;
}

/* begin: the batch's transaction, started with its first row */
static bool
begin(apply *a)
{
	char errbuf[1024];

	if (a->in_txn)
		return true;
	a->state[0] = a->why[0] = '\0';
	if (!pg_exec(a->pg, "BEGIN", errbuf, sizeof(errbuf))) {
		log_error("could not start a sink transaction: %s", errbuf);
		return false;
	}
	a->in_txn = true;
	return true;
}

/* refusal: notes why applying the batch's rows failed (state: SQLSTATE) */
static void
refusal(apply *a, const char *state, const char *why)
{
	size_t n = strlen(why);

	snprintf(a->state, sizeof(a->state), "%s", state);
	if (n >= sizeof(a->why))
		n = sizeof(a->why) - 1;
	memcpy(a->why, why, n);
	a->why[n] = '\0';
}

/* sink_exec: pg_exec of a statement that applies staged rows; a failure is
 * noted (refusal) */
static bool
sink_exec(apply *a, const char *sql, char *errbuf, size_t errlen)
{
	char state[6] = "";

	if (pg_exec_state(a->pg, sql, state, errbuf, errlen))
		return true;
	refusal(a, state, errbuf);
	return false;
}

/* flush: sends t's pending COPY rows into its staging table */
static bool
flush(apply *a, stream_table *t)
{
	char errbuf[2048];

	if (t->stage->copy.len == 0)
		return true;
	if (!t->stage->stg_created) {
		buf_reset(&a->sql);
		buf_printf(&a->sql, "CREATE TEMP TABLE IF NOT EXISTS %s (_seq bigint NOT NULL, _op smallint NOT NULL, "
				   "LIKE %s) ON COMMIT DELETE ROWS", t->stage->stg, t->pt.qtarget);
		/* a delete stages the key alone (a Kafka tombstone has no more):
		 * the other columns may be NULL here; the target keeps its NOT NULL */
		bool first = true;
		for (size_t i = 0; i < t->pt.ncols; i++) {
			if (t->pt.cols[i].nullable || (t->pt.nkey > 0 && is_key_col(&t->pt, i)))
				continue;
			if (first)
				buf_printf(&a->sql, "; ALTER TABLE %s", t->stage->stg);
			buf_puts(&a->sql, first ? " ALTER COLUMN " : ", ALTER COLUMN ");
			ident_pg(&a->sql, t->pt.cols[i].target);
			buf_puts(&a->sql, " DROP NOT NULL");
			first = false;
		}
		if (!pg_exec(a->pg, a->sql.data, errbuf, sizeof(errbuf))) {
			log_error("could not create the staging table of \"%s\": %s", t->pt.source, errbuf);
			return false;
		}
		t->stage->stg_created = true;
	}
	buf_reset(&a->sql);
	buf_printf(&a->sql, "COPY %s (_seq, _op, %s) FROM STDIN", t->stage->stg, t->pt.copy_columns);
	PGresult *res = PQexec(a->pg, a->sql.data);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_result_error(a->pg, res, errbuf, sizeof(errbuf));
		PQclear(res);
		log_error("could not stage changes of \"%s\": %s", t->pt.source, errbuf);
		return false;
	}
	PQclear(res);
	if (PQputCopyData(a->pg, t->stage->copy.data, (int) t->stage->copy.len) != 1 || PQputCopyEnd(a->pg, NULL) != 1) {
		log_error("could not stage changes of \"%s\": %s", t->pt.source, PQerrorMessage(a->pg));
		return false;
	}
	bool ok = true;
	while ((res = PQgetResult(a->pg))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			char state[6];
			pg_result_error(a->pg, res, errbuf, sizeof(errbuf));
			pg_result_state(res, state);
			refusal(a, state, errbuf);
			log_error("could not stage changes of \"%s\": %s", t->pt.source, errbuf);
			ok = false;
		}
		PQclear(res);
	}
	buf_reset(&t->stage->copy);
	return ok;
}

/* stage_image: one staging row: _seq, _op, then every column; a delete of a
 * keyed table needs only the key's columns (a Kafka tombstone carries no
 * more), the others stage as NULL */
static bool
stage_image(apply *a, stream_table *t, int op, const binlog_value *img)
{
	char errbuf[512];
	const plan_table *pt = &t->pt;
	unsigned fixes = 0;

	buf_printf(&t->stage->copy, "%lld\t%d", a->seq, op);
	for (size_t i = 0; i < pt->ncols; i++) {
		buf_putc(&t->stage->copy, '\t');
		if (!img[i].present && op == 0 && pt->nkey > 0 && !is_key_col(pt, i)) {
			buf_puts(&t->stage->copy, "\\N");    /* a keyed delete matches on the key alone */
			continue;
		}
		if (!img[i].present) {
			log_error_dh("stream needs full row images (binlog_row_image=FULL).", NULL,
						 "column \"%s\" of table \"%s\" is missing from a row image", pt->cols[i].name, pt->source);
			return false;
		}
		if (!typemap_encode_copy(&pt->cols[i].tm, img[i].data, img[i].len, &t->stage->copy, &fixes,
								 errbuf, sizeof(errbuf))) {
			log_error_dh(errbuf, "Override the column's type in the allowlist if the mapping is wrong.",
						 "cannot convert a value of column \"%s\" of table \"%s\" (database \"%s\")",
						 pt->cols[i].name, pt->source, a->cfg->src.name);
			return false;
		}
	}
	buf_putc(&t->stage->copy, '\n');
	return true;
}

/* batch_reset: forgets t's part of the batch */
static void
batch_reset(stream_table *t)
{
	buf_reset(&t->stage->copy);
	t->stage->staged = 0;
	t->stage->has_old = false;
	t->stage->dup = false;
	t->stage->nkeys = 0;
	if (t->stage->keycap)
		memset(t->stage->keys, 0, t->stage->keycap * sizeof(uint64_t));
	t->stage->n_ins = t->stage->n_upd = t->stage->n_del = 0;
}

/* key_hash: the key columns' values of an image (never 0) */
static uint64_t
key_hash(const stream_table *t, const binlog_value *img)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t k = 0; k < t->pt.nkey; k++) {
		const binlog_value *v = &img[t->pt.key[k]];
		size_t len = v->data ? v->len : (size_t) -1;
		for (size_t i = 0; i < sizeof(len); i++)
			h = (h ^ ((len >> (8 * i)) & 0xff)) * 1099511628211ULL;
		for (size_t i = 0; v->data && i < v->len; i++)
			h = (h ^ (unsigned char) v->data[i]) * 1099511628211ULL;
	}
	return h ? h : 1;
}

/* note_key: remembers a changed key; a repeat (or a hash collision, which
 * only costs the DISTINCT ON) marks the batch as needing DISTINCT ON */
static void
note_key(stream_table *t, const binlog_value *img)
{
	if (t->stage->dup)
		return;
	if (t->stage->nkeys >= KEYSET_MAX) {
		t->stage->dup = true;  /* a huge batch: DISTINCT ON, and memory stays bounded */
		return;
	}
	if (t->stage->nkeys * 2 >= t->stage->keycap) {
		size_t cap = t->stage->keycap ? t->stage->keycap * 2 : 4096;
		uint64_t *old = t->stage->keys;
		size_t oldcap = t->stage->keycap;
		t->stage->keys = xcalloc(cap, sizeof(uint64_t));
		t->stage->keycap = cap;
		t->stage->nkeys = 0;
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i])
				continue;
			size_t j = old[i] & (cap - 1);
			while (t->stage->keys[j])
				j = (j + 1) & (cap - 1);
			t->stage->keys[j] = old[i];
			t->stage->nkeys++;
		}
		free(old);
	}
	uint64_t h = key_hash(t, img);
	size_t j = h & (t->stage->keycap - 1);
	while (t->stage->keys[j]) {
		if (t->stage->keys[j] == h) {
			t->stage->dup = true;
			return;
		}
		j = (j + 1) & (t->stage->keycap - 1);
	}
	t->stage->keys[j] = h;
	t->stage->nkeys++;
}

/* same_key: an update that leaves the key as it was */
static bool
same_key(const stream_table *t, const binlog_value *a, const binlog_value *b)
{
	for (size_t k = 0; k < t->pt.nkey; k++) {
		const binlog_value *x = &a[t->pt.key[k]], *y = &b[t->pt.key[k]];
		if (!x->data || !y->data || x->len != y->len || memcmp(x->data, y->data, x->len) != 0)
			return false;
	}
	return true;
}

bool
apply_row(apply *a, stream_table *t, binlog_rows_kind kind, const binlog_row *row)
{
	a->refused = false;
	if (!begin(a))
		return false;
	a->seq++;
	size_t mark = t->stage->copy.len;     /* a refused value leaves nothing staged */
	if (t->pt.nkey > 0) {
		/* keyed: the after-image carries an update unless the key moves */
		bool old = row->before && (!row->after || !same_key(t, row->before, row->after));
		if (old) {
			if (!stage_image(a, t, 0, row->before))
				goto refused;
			t->stage->has_old = true;
			if (row->after)
				t->stage->dup = true;  /* a key change: DISTINCT ON sorts it out */
			note_key(t, row->before);
		}
		if (row->after) {
			if (!stage_image(a, t, 1, row->after))
				goto refused;
			note_key(t, row->after);
		}
	} else {
		if (row->before && !stage_image(a, t, 0, row->before))
			goto refused;
		if (row->after && !stage_image(a, t, 1, row->after))
			goto refused;
		if (row->before)
			t->stage->has_old = true;
	}
	switch (kind) {
	case BINLOG_ROWS_INSERT: t->stage->n_ins++; break;
	case BINLOG_ROWS_UPDATE: t->stage->n_upd++; break;
	case BINLOG_ROWS_DELETE: t->stage->n_del++; break;
	}
	t->stage->staged++;
	a->pending++;
	if (t->stage->copy.len >= COPY_FLUSH_BYTES)
		return flush(a, t);
	return true;
refused:
	t->stage->copy.len = mark;
	if (t->stage->copy.data)
		t->stage->copy.data[mark] = '\0';
	a->refused = true;
	return false;
}

bool
apply_row_refused(const apply *a)
{
	return a->refused;
}

bool
apply_data_refused(const apply *a, const char **why)
{
	*why = a->why;
	return pg_state_is_data(a->state);
}

long long
apply_rows_pending(const apply *a)
{
	return a->pending;
}

/* run_seq: one prepared-text statement with $1 = seq; rows affected */
static bool
run_seq(apply *a, const char *sql, long long seq, long long *affected, char *errbuf, size_t errlen)
{
	char s[32];
	snprintf(s, sizeof(s), "%lld", seq);
	const char *params[] = { s };
	char state[6] = "";
	PGresult *res = pg_query_state(a->pg, sql, 1, params, state, errbuf, errlen);
	if (!res) {
		refusal(a, state, errbuf);
		return false;
	}
	*affected = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return true;
}

/* apply_in_order: t's staged changes one source change at a time */
static bool
apply_in_order(apply *a, stream_table *t)
{
	char errbuf[2048];
	buf q = BUF_INIT;

	buf_printf(&q, "SELECT _seq, bool_or(_op = 0), bool_or(_op = 1) FROM %s GROUP BY _seq ORDER BY _seq", t->stage->stg);
	PGresult *res = pg_query(a->pg, q.data, 0, NULL, errbuf, sizeof(errbuf));
	buf_free(&q);
	if (!res) {
		log_error("could not read the staged changes of \"%s\": %s", t->pt.source, errbuf);
		return false;
	}
	bool ok = true;
	for (int i = 0; ok && i < PQntuples(res); i++) {
		long long seq = strtoll(PQgetvalue(res, i, 0), NULL, 10), n = 0;
		if (strcmp(PQgetvalue(res, i, 1), "t") == 0) {
			ok = run_seq(a, t->stage->sql_delete_one, seq, &n, errbuf, sizeof(errbuf));
			if (ok && t->pt.nkey == 0 && n != 1) {
				log_error_dh("The target no longer matches the source; nothing was changed.",
							 "Compare the table with migrate --verify, or copy it again with migrate.",
							 "no row of table \"%s\" (no key) equals the before-image of an update or delete", t->pt.source);
				ok = false;
				break;
			}
		}
		if (ok && strcmp(PQgetvalue(res, i, 2), "t") == 0)
			ok = run_seq(a, t->stage->sql_insert_one, seq, &n, errbuf, sizeof(errbuf));
		if (!ok && errbuf[0])
			log_error("could not apply a change to table \"%s\" of database \"%s\": %s",
					  t->pt.source, a->cfg->src.name, errbuf);
		errbuf[0] = '\0';
	}
	PQclear(res);
	return ok;
}

/* apply_table_batch: t's staged changes into its target */
static bool
apply_table_batch(apply *a, stream_table *t)
{
	char errbuf[2048];

	if (!flush(a, t))
		return false;
	if (t->pt.nkey == 0) {
		if (!t->stage->has_old) {
			if (!sink_exec(a, t->stage->sql_upsert, errbuf, sizeof(errbuf))) {
				log_error("could not apply changes to table \"%s\": %s", t->pt.source, errbuf);
				return false;
			}
			return true;
		}
		return apply_in_order(a, t);
	}
	if (!pg_exec(a->pg, "SAVEPOINT batch_table", errbuf, sizeof(errbuf))) {
		log_error("could not apply changes to table \"%s\": %s", t->pt.source, errbuf);
		return false;
	}
	const char *del = t->stage->dup ? t->stage->sql_delete : t->stage->sql_delete_simple;
	const char *ups = t->stage->dup ? t->stage->sql_upsert : t->stage->sql_upsert_simple;
	if ((!t->stage->has_old || sink_exec(a, del, errbuf, sizeof(errbuf))) &&
		sink_exec(a, ups, errbuf, sizeof(errbuf)))
		return pg_exec(a->pg, "RELEASE SAVEPOINT batch_table", errbuf, sizeof(errbuf));
	if (pg_is_disconnect(a->pg)) {
		log_error("lost the sink connection while applying changes to \"%s\": %s", t->pt.source, errbuf);
		return false;
	}
	log_notice("set-wise apply of %lld changes to \"%s\" failed (%s); applying them in source order",
			   t->stage->staged, t->pt.source, errbuf);
	if (!pg_exec(a->pg, "ROLLBACK TO SAVEPOINT batch_table", errbuf, sizeof(errbuf))) {
		log_error("could not roll back to the savepoint: %s", errbuf);
		return false;
	}
	a->state[0] = a->why[0] = '\0';   /* the in-order pass decides */
	return apply_in_order(a, t);
}

bool
apply_truncate(apply *a, stream_table *t)
{
	char errbuf[1024];

	if (!begin(a))
		return false;
	if (t->stage->staged > 0 && !apply_table_batch(a, t))
		return false;
	/* the staged rows are in the target now; start the table's batch afresh */
	buf_reset(&a->sql);
	buf_printf(&a->sql, "TRUNCATE %s", t->pt.qtarget);
	if (t->stage->stg_created)
		buf_printf(&a->sql, "; TRUNCATE %s", t->stage->stg);
	if (!pg_exec(a->pg, a->sql.data, errbuf, sizeof(errbuf))) {
		log_error("could not truncate \"%s\": %s", t->pt.source, errbuf);
		return false;
	}
	batch_reset(t);
	a->pending++;   /* the batch holds a change to commit */
	return true;
}

/* check_tables: the batch's tables are still the copies the stream loaded.
 * Locks the targets it will change first, so migrate cannot replace one
 * under the batch; a table migrate is copying (or has copied) again leaves
 * the stream, and its staged changes are dropped: the new copy, read at a
 * later snapshot, holds them or the stream re-reads them from its new
 * watermark. */
static bool
check_tables(apply *a, stream_table *tables, size_t ntables, char *errbuf, size_t errlen)
{
	buf sql = BUF_INIT, names = BUF_INIT;
	size_t nstaged = 0, nactive = 0;

	buf_puts(&sql, "LOCK TABLE ");
	for (size_t i = 0; i < ntables; i++) {
		if (!tables[i].active)
			continue;
		pg_array_add(&names, tables[i].pt.source, nactive++ == 0);
		if (tables[i].stage->staged == 0)
			continue;
		buf_printf(&sql, "%s%s", nstaged++ ? ", " : "", tables[i].pt.qtarget);
	}
	buf_puts(&sql, " IN ROW EXCLUSIVE MODE");
	if (nactive == 0) {
		buf_free(&sql);
		buf_free(&names);
		return true;
	}
	buf_putc(&names, '}');
	bool ok = nstaged == 0 || pg_exec(a->pg, sql.data, errbuf, errlen);
	PGresult *res = NULL;
	if (ok) {
		const char *params[] = { names.data };
		res = control_query(a->pg, a->ctl,
			"SELECT source_table, state, coalesce(snapshot_file, ''), coalesce(snapshot_pos, -1), stream_error IS NOT NULL "
			"FROM {ctl}.tables WHERE source_db = $1 AND source_table = ANY($2::text[])", 1, params, errbuf, errlen);
		ok = res != NULL;
	}
	for (size_t i = 0; ok && i < ntables; i++) {
		stream_table *t = &tables[i];
		if (!t->active)
			continue;
		bool same = false;
		for (int r = 0; r < PQntuples(res); r++) {
			if (strcmp(PQgetvalue(res, r, 0), t->pt.source) != 0)
				continue;
			same = strcmp(PQgetvalue(res, r, 1), "ready") == 0 &&
				strcmp(PQgetvalue(res, r, 2), t->snapshot.file) == 0 &&
				strtoull(PQgetvalue(res, r, 3), NULL, 10) == t->snapshot.pos &&
				strcmp(PQgetvalue(res, r, 4), "f") == 0;
		}
		if (!same) {
			log_notice("table \"%s\" is being copied again by migrate (or was stopped); the stream leaves it "
					   "until it is ready, then continues from its new watermark", t->pt.source);
			t->active = false;
			batch_reset(t);
			a->tables_changed = true;
		}
	}
	PQclear(res);
	buf_free(&sql);
	buf_free(&names);
	return ok;
}

const char *
apply_failure_state(const apply *a)
{
	return a->state;
}

bool
apply_tables_changed(apply *a)
{
	bool changed = a->tables_changed;
	a->tables_changed = false;
	return changed;
}

void
apply_set_source_server(apply *a, uint32_t source_sid)
{
	a->source_sid = source_sid;
}

bool
apply_commit(apply *a, stream_table *tables, size_t ntables, const binlogpos *pos,
			 uint32_t server_id, uint32_t ts)
{
	return apply_commit_with(a, tables, ntables, pos, server_id, ts, NULL, 0, NULL);
}

bool
apply_commit_with(apply *a, stream_table *tables, size_t ntables, const binlogpos *pos,
				  uint32_t server_id, uint32_t ts, const char *extra_sql, int nextra, const char **extra_params)
{
	char errbuf[2048] = "";
	bool ok = begin(a);
	const binlogpos nopos = { .file = "-" };
	double started = metrics_now();

	if (ok)
		ok = check_tables(a, tables, ntables, errbuf, sizeof(errbuf));
	for (size_t i = 0; ok && i < ntables; i++)
		if (tables[i].active && tables[i].stage->staged > 0)
			ok = apply_table_batch(a, &tables[i]);
	if (ok && extra_sql) {
		PGresult *res = control_query(a->pg, a->ctl, extra_sql, nextra, extra_params, errbuf, sizeof(errbuf));
		ok = res != NULL;
		PQclear(res);
	}
	if (ok && pos) {
		char npos[32], nsid[16], nts[16], nsrc[16];
		snprintf(npos, sizeof(npos), "%" PRIu64, pos->pos);
		snprintf(nsid, sizeof(nsid), "%u", server_id);
		snprintf(nts, sizeof(nts), "%u", ts);
		snprintf(nsrc, sizeof(nsrc), "%u", a->source_sid);
		const char *params[] = { pos->file, npos, pos->gtid, nsid, nts, nsrc };
		PGresult *res = control_query(a->pg, a->ctl,
			"INSERT INTO {ctl}.stream_checkpoint AS c (source_db, binlog_file, binlog_pos, gtid, server_id, source_ts, "
			"source_server_id, updated_at) "
			"VALUES ($1, $2, $3, nullif($4, ''), $5, CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint) END, "
			"nullif($7::bigint, 0), now()) "
			"ON CONFLICT (source_db) DO UPDATE SET binlog_file = EXCLUDED.binlog_file, binlog_pos = EXCLUDED.binlog_pos, "
			"gtid = coalesce(EXCLUDED.gtid, c.gtid), server_id = EXCLUDED.server_id, "
			"source_ts = coalesce(EXCLUDED.source_ts, c.source_ts), "
			"source_server_id = coalesce(EXCLUDED.source_server_id, c.source_server_id), updated_at = now()",
			6, params, errbuf, sizeof(errbuf));
		ok = res != NULL;
		PQclear(res);
	}
	/* every active table has now seen the binlog up to pos: recorded where
	 * the table is still the copy the stream loaded */
	buf names = BUF_INIT, files = BUF_INIT, poss = BUF_INIT;
	size_t nactive = 0;
	for (size_t i = 0; i < ntables; i++) {
		if (!tables[i].active)
			continue;
		char p[32];
		snprintf(p, sizeof(p), "%" PRIu64, tables[i].snapshot.pos);
		pg_array_add(&names, tables[i].pt.source, nactive == 0);
		pg_array_add(&files, tables[i].snapshot.file, nactive == 0);
		pg_array_add(&poss, p, nactive == 0);
		nactive++;
	}
	if (ok && nactive > 0 && pos) {
		buf_putc(&names, '}');
		buf_putc(&files, '}');
		buf_putc(&poss, '}');
		char npos[32];
		snprintf(npos, sizeof(npos), "%" PRIu64, pos->pos);
		const char *params[] = { pos->file, npos, names.data, files.data, poss.data };
		PGresult *res = control_query(a->pg, a->ctl,
			"UPDATE {ctl}.tables t SET applied_file = $2, applied_pos = $3, updated_at = now() "
			"FROM unnest($4::text[], $5::text[], $6::bigint[]) AS v(name, sfile, spos) "
			"WHERE t.source_db = $1 AND t.source_table = v.name AND t.state = 'ready' "
			"AND t.snapshot_file = v.sfile AND t.snapshot_pos = v.spos "
			"AND (t.applied_file IS NULL OR (t.applied_file, t.applied_pos) < ($2, $3::bigint))",
			5, params, errbuf, sizeof(errbuf));
		ok = res != NULL;
		PQclear(res);
	}
	buf_free(&names);
	buf_free(&files);
	buf_free(&poss);
	for (size_t i = 0; ok && i < ntables; i++) {
		stream_table *t = &tables[i];
		if (!t->active || t->stage->n_ins + t->stage->n_upd + t->stage->n_del == 0)
			continue;
		char ni[24], nu[24], nd[24];
		snprintf(ni, sizeof(ni), "%lld", t->stage->n_ins);
		snprintf(nu, sizeof(nu), "%lld", t->stage->n_upd);
		snprintf(nd, sizeof(nd), "%lld", t->stage->n_del);
		const char *params[] = { t->pt.source, ni, nu, nd };
		PGresult *res = control_query(a->pg, a->ctl,
			"UPDATE {ctl}.tables SET rows_inserted = rows_inserted + $3, rows_updated = rows_updated + $4, "
			"rows_deleted = rows_deleted + $5 WHERE source_db = $1 AND source_table = $2",
			4, params, errbuf, sizeof(errbuf));
		ok = res != NULL;
		PQclear(res);
	}
	if (ok && !sink_exec(a, "COMMIT", errbuf, sizeof(errbuf)))
		ok = false;
	if (!ok) {
		if (errbuf[0])
			log_error("could not commit a batch at %s:%" PRIu64 " of database \"%s\": %s",
					  (pos ? pos : &nopos)->file, (pos ? pos : &nopos)->pos, a->cfg->src.name, errbuf);
		apply_rollback(a, tables, ntables);
		return false;
	}
	a->in_txn = false;
	a->pending = 0;
	long long rows = 0;
	for (size_t i = 0; i < ntables; i++) {
		stream_table *t = &tables[i];
		if (t->active && pos && binlogpos_cmp(&t->applied, pos) < 0)
			t->applied = *pos;
		if (t->active) {
			metrics_stream_rows(t->pt.source, t->stage->n_ins, t->stage->n_upd, t->stage->n_del);
			rows += t->stage->n_ins + t->stage->n_upd + t->stage->n_del;
		}
		batch_reset(t);
	}
	if (pos)
		metrics_stream_checkpoint(pos, ts);
	metrics_stream_batch(rows, metrics_now() - started);
	return true;
}

void
apply_rollback(apply *a, stream_table *tables, size_t ntables)
{
	char errbuf[512];

	if (a->in_txn && !pg_is_disconnect(a->pg))
		(void) pg_exec(a->pg, "ROLLBACK", errbuf, sizeof(errbuf));
	a->in_txn = false;
	a->pending = 0;
	for (size_t i = 0; i < ntables; i++) {
		stream_table *t = &tables[i];
		batch_reset(t);
		t->stage->stg_created = false;   /* rolled back with the transaction, or a new session */
	}
}

bool
apply_notified(apply *a, bool *notified)
{
	PGnotify *n;

	*notified = false;
	if (!PQconsumeInput(a->pg) || PQstatus(a->pg) != CONNECTION_OK)
		return false;
	while ((n = PQnotifies(a->pg))) {
		if (strcmp(n->extra, a->cfg->src.name) == 0)
			*notified = true;
		PQfreemem(n);
	}
	return true;
}

bool
apply_control(apply *a, const char *sql, int nparams, const char **params)
{
	char errbuf[1024];

	if (!begin(a))
		return false;
	PGresult *res = control_query(a->pg, a->ctl, sql, nparams, params, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not write to the control schema: %s", errbuf);
		return false;
	}
	PQclear(res);
	a->pending++;   /* lands with the batch */
	return true;
}

bool
apply_set_table_error(apply *a, const char *table, const char *error)
{
	char errbuf[1024];
	const char *params[] = { table, error };
	PGresult *res = control_query(a->pg, a->ctl,
								  "UPDATE {ctl}.tables SET stream_error = $3, updated_at = now() "
								  "WHERE source_db = $1 AND source_table = $2", 2, params, errbuf, sizeof(errbuf));
	if (!res) {
		log_error("could not record the error of table \"%s\": %s", table, errbuf);
		return false;
	}
	PQclear(res);
	return true;
}

/* set_table_fields: UPDATE of t's control row inside the batch; fields is
 * "a = $3, b = $4" over params */
static bool
set_table_fields(apply *a, const stream_table *t, const char *fields, int nparams, const char **params)
{
	char errbuf[1024];
	const char *all[4] = { t->pt.source };
	buf sql = BUF_INIT;

	for (int i = 0; i < nparams && i < 3; i++)
		all[i + 1] = params[i];
	buf_printf(&sql, "UPDATE {ctl}.tables SET %s, updated_at = now() WHERE source_db = $1 AND source_table = $2", fields);
	PGresult *res = control_query(a->pg, a->ctl, sql.data, nparams + 1, all, errbuf, sizeof(errbuf));
	buf_free(&sql);
	if (!res) {
		log_error("could not record the schema of table \"%s\": %s", t->pt.source, errbuf);
		return false;
	}
	PQclear(res);
	return true;
}

bool
apply_record_schema(apply *a, const stream_table *t)
{
	const char *params[] = { t->pt.described };

	return set_table_fields(a, t, "stream_schema = $3", 1, params);
}

/* qualified_in: "schema"."name" with the schema of qtarget ("schema"."table" of target) */
static void
qualified_in(buf *out, const char *qtarget, const char *target, const char *name)
{
	buf qt = BUF_INIT;

	ident_pg(&qt, target);
	size_t schema_len = strlen(qtarget) > qt.len ? strlen(qtarget) - qt.len : 0;
	buf_printf(out, "%.*s", (int) schema_len, qtarget);
	ident_pg(out, name);
	buf_free(&qt);
}

apply_ddl_result
apply_follow_rename(apply *a, stream_table *t, plan_table *np, char *why, size_t whylen)
{
	char errbuf[2048];
	size_t nold = 0, nnew = 0;

	if (!begin(a))
		return APPLY_DDL_FAILED;
	if (t->stage->staged > 0 && !apply_table_batch(a, t))
		return APPLY_DDL_FAILED;
	if (!pg_exec(a->pg, "SAVEPOINT follow_rename", errbuf, sizeof(errbuf))) {
		log_error("could not rename the target of \"%s\": %s", t->pt.source, errbuf);
		return APPLY_DDL_FAILED;
	}
	/* a copy of the new name (migrate's, or the online copy's) holds its
	 * table lock: it copies the table, and the rename is not followed;
	 * otherwise the lock, until the commit, makes a copy that starts now
	 * find the name ready */
	const char *lparams[] = { np->source };
	PGresult *lres = control_query(a->pg, a->ctl, "SELECT pg_try_advisory_xact_lock(hashtext('migrate ' || "
								   "current_database()), hashtext($1 || '.' || $2))", 1, lparams, errbuf,
								   sizeof(errbuf));
	if (!lres) {
		log_error("could not lock table \"%s\": %s", np->source, errbuf);
		return APPLY_DDL_FAILED;
	}
	bool locked = strcmp(PQgetvalue(lres, 0, 0), "t") == 0;
	PQclear(lres);
	if (!locked) {
		snprintf(why, whylen, "a copy of table \"%s\" is under way", np->source);
		return APPLY_DDL_REFUSED;
	}
	char **oldn = plan_object_names(&t->pt, &nold), **newn = plan_object_names(np, &nnew);
	buf_reset(&a->sql);
	buf_printf(&a->sql, "DROP TABLE IF EXISTS %s; ALTER TABLE %s RENAME TO ", np->qtarget, t->pt.qtarget);
	ident_pg(&a->sql, np->target);
	for (size_t i = 0; i < nold && i < nnew; i++) {
		bool seq = i >= t->pt.nindex;
		buf_printf(&a->sql, "; ALTER %s IF EXISTS ", seq ? "SEQUENCE" : "INDEX");
		qualified_in(&a->sql, np->qtarget, np->target, oldn[i]);
		buf_puts(&a->sql, " RENAME TO ");
		ident_pg(&a->sql, newn[i]);
	}
	if (t->stage->stg_created)
		buf_printf(&a->sql, "; DROP TABLE IF EXISTS %s", t->stage->stg);
	for (size_t i = 0; i < nold; i++)
		free(oldn[i]);
	for (size_t i = 0; i < nnew; i++)
		free(newn[i]);
	free(oldn);
	free(newn);
	if (!pg_exec(a->pg, a->sql.data, errbuf, sizeof(errbuf))) {
		if (pg_is_disconnect(a->pg))
			return APPLY_DDL_FAILED;
		snprintf(why, whylen, "PostgreSQL refused to rename the table (%s): %s", a->sql.data, errbuf);
		char e2[512];
		if (!pg_exec(a->pg, "ROLLBACK TO SAVEPOINT follow_rename", e2, sizeof(e2))) {
			log_error("could not roll back a refused rename of \"%s\": %s", t->pt.source, e2);
			return APPLY_DDL_FAILED;
		}
		return APPLY_DDL_REFUSED;
	}
	const char *params[] = { t->pt.source, np->source, np->target, np->described };
	static const struct { const char *sql; int first, n; } moves[] = {
		{ "DELETE FROM {ctl}.chunks WHERE source_db = $1 AND source_table IN ($2, $3)", 0, 2 },
		{ "DELETE FROM {ctl}.tables WHERE source_db = $1 AND source_table = $2", 1, 1 },
		{ "UPDATE {ctl}.tables SET source_table = $3, target_table = $4, stream_schema = $5, stream_error = NULL, "
		  "ddl_pending = NULL, updated_at = now() WHERE source_db = $1 AND source_table = $2", 0, 4 },
	};
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		PGresult *res = control_query(a->pg, a->ctl, moves[i].sql, moves[i].n, params + moves[i].first, errbuf,
									  sizeof(errbuf));
		if (!res) {
			log_error("could not record that table \"%s\" is now \"%s\": %s", t->pt.source, np->source, errbuf);
			return APPLY_DDL_FAILED;
		}
		PQclear(res);
	}
	long long n_ins = t->stage->n_ins, n_upd = t->stage->n_upd, n_del = t->stage->n_del;
	apply_table_close(t);
	plan_table_free(&t->pt);
	t->pt = *np;
	apply_table_open(a, t);
	t->stage->n_ins = n_ins;
	t->stage->n_upd = n_upd;
	t->stage->n_del = n_del;
	a->pending++;   /* the rename commits with the checkpoint past it */
	return APPLY_DDL_DONE;
}

bool
apply_record_shadow(apply *a, const char *table, const char *described, const char *origin, bool renames_columns)
{
	char errbuf[1024];

	if (!begin(a))
		return false;
	if (!control_shadow_set(a->pg, a->ctl, table, described, origin, renames_columns, errbuf, sizeof(errbuf))) {
		log_error("could not record the description of table \"%s\": %s", table, errbuf);
		return false;
	}
	a->pending++;   /* recorded with the checkpoint past the statement */
	return true;
}

apply_ddl_result
apply_schema_change(apply *a, stream_table *t, const char *ddl, plan_table *np, char *why, size_t whylen)
{
	char errbuf[2048];

	if (!begin(a))
		return APPLY_DDL_FAILED;
	if (t->stage->staged > 0 && !apply_table_batch(a, t))
		return APPLY_DDL_FAILED;
	/* PostgreSQL may refuse a change (a type its cast cannot reach): the
	 * table stops, the batch goes on */
	if (!pg_exec(a->pg, "SAVEPOINT schema_change", errbuf, sizeof(errbuf))) {
		log_error("could not change the target of \"%s\": %s", t->pt.source, errbuf);
		return APPLY_DDL_FAILED;
	}
	buf_reset(&a->sql);
	buf_puts(&a->sql, ddl);
	if (t->stage->stg_created)
		buf_printf(&a->sql, "; DROP TABLE IF EXISTS %s", t->stage->stg);
	if (!pg_exec(a->pg, a->sql.data, errbuf, sizeof(errbuf))) {
		if (pg_is_disconnect(a->pg))
			return APPLY_DDL_FAILED;
		snprintf(why, whylen, "PostgreSQL refused the change (%s): %s", ddl, errbuf);
		char e2[512];
		if (!pg_exec(a->pg, "ROLLBACK TO SAVEPOINT schema_change", e2, sizeof(e2))) {
			log_error("could not roll back a refused schema change of \"%s\": %s", t->pt.source, e2);
			return APPLY_DDL_FAILED;
		}
		return APPLY_DDL_REFUSED;
	}
	const char *params[] = { np->described };
	if (!set_table_fields(a, t, "stream_schema = $3, ddl_pending = NULL", 1, params))
		return APPLY_DDL_FAILED;
	/* the table's description and statements follow the new schema */
	long long n_ins = t->stage->n_ins, n_upd = t->stage->n_upd, n_del = t->stage->n_del;
	apply_table_close(t);
	plan_table_free(&t->pt);
	t->pt = *np;
	free(t->ddl_pending);   /* carried now */
	t->ddl_pending = NULL;
	apply_table_open(a, t);
	t->stage->n_ins = n_ins;
	t->stage->n_upd = n_upd;
	t->stage->n_del = n_del;
	a->pending++;   /* the change commits with the checkpoint past it */
	return APPLY_DDL_DONE;
}
