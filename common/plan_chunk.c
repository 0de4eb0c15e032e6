/*
 * Chunks and key values of the plan; see plan.h.
 *
 * A chunk is a key range [lower, upper) of the chunk key, either bound
 * possibly open. A single integer key is split into equal value ranges
 * between its MIN and MAX (cheap: two index lookups); any other key by
 * boundaries taken every batch-size rows from one ordered, streamed pass
 * over the key. Key values are kept in MariaDB's text form (they may be
 * binary), hex-encoded in the ledger, and turned back into literals through
 * the connection's escaping when a chunk's WHERE is built.
 */
#include "common/plan.h"

#include "common/hex.h"
#include "common/ident.h"
#include "common/log.h"
#include "common/maria.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* query_rows: runs a statement built in sql; returns a stored result or NULL
 * (error logged with what) */
static MYSQL_RES *
query_rows(MYSQL *my, const char *sql, const char *what, const char *table)
{
	if (mysql_query(my, sql) != 0) {
		log_error("could not read %s of table \"%s\" from MariaDB: %s", what, table, mysql_error(my));
		return NULL;
	}
	MYSQL_RES *res = mysql_store_result(my);
	if (!res)
		log_error("could not read %s of table \"%s\" from MariaDB: %s", what, table, mysql_error(my));
	return res;
}

plan_key *
plan_key_new(size_t n, char **v, unsigned long *len)
{
	plan_key *k = xcalloc(1, sizeof(plan_key));

	k->n = n;
	k->v = xcalloc(n, sizeof(char *));
	k->len = xcalloc(n, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		k->v[i] = xstrndup(v[i], len[i]);
		k->len[i] = len[i];
	}
	return k;
}

void
plan_key_free(plan_key *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	free(k->len);
	free(k);
}

/* The chunks being planned. */
typedef struct chunk_list {
	plan_chunk *v;
	size_t      n;
} chunk_list;

/* add_chunk: appends a chunk [lower, upper) taking ownership of both */
static void
add_chunk(chunk_list *cl, plan_key *lower, plan_key *upper)
{
	cl->v = xrealloc(cl->v, (cl->n + 1) * sizeof(plan_chunk));
	plan_chunk *ch = &cl->v[cl->n];
	memset(ch, 0, sizeof(*ch));
	ch->no = (int) cl->n;
	ch->lower = lower;
	ch->upper = upper;
	cl->n++;
}

/* key_dup: a copy of a key tuple */
static plan_key *
key_dup(const plan_key *k)
{
	unsigned long lens[64];

	for (size_t i = 0; i < k->n && i < 64; i++)
		lens[i] = (unsigned long) k->len[i];
	return plan_key_new(k->n, k->v, lens);
}

/* chunk_int_ranges: value ranges between MIN and MAX of one integer key */
static bool
chunk_int_ranges(MYSQL *my, const plan_table *pt, chunk_list *cl, long long nchunks)
{
	buf sql = BUF_INIT;
	const char *k = pt->cols[pt->key[0]].name;

	buf_puts(&sql, "SELECT MIN(");
	ident_my(&sql, k);
	buf_puts(&sql, "), MAX(");
	ident_my(&sql, k);
	buf_printf(&sql, ") FROM %s", pt->qsource);
	MYSQL_RES *res = query_rows(my, sql.data, "key range", pt->source);
	buf_free(&sql);
	if (!res)
		return false;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (!row || !row[0] || !row[1]) {
		mysql_free_result(res);
		add_chunk(cl, NULL, NULL);
		return true;
	}
	__int128 lo, hi;
	bool neg_lo = row[0][0] == '-', neg_hi = row[1][0] == '-';
	lo = neg_lo ? (__int128) strtoll(row[0], NULL, 10) : (__int128) strtoull(row[0], NULL, 10);
	hi = neg_hi ? (__int128) strtoll(row[1], NULL, 10) : (__int128) strtoull(row[1], NULL, 10);
	mysql_free_result(res);
	__int128 span = hi - lo + 1;
	if (nchunks > span)
		nchunks = (long long) span;
	__int128 step = span / nchunks;
	if (step < 1)
		step = 1;
	plan_key *prev = NULL;
	for (long long i = 1; i < nchunks; i++) {
		__int128 b = lo + step * i;
		char num[48];
		if (b < 0)
			snprintf(num, sizeof(num), "%lld", (long long) b);
		else
			snprintf(num, sizeof(num), "%llu", (unsigned long long) b);
		char *v[1] = { num };
		unsigned long len[1] = { strlen(num) };
		plan_key *bound = plan_key_new(1, v, len);
		add_chunk(cl, prev ? key_dup(prev) : NULL, bound);
		plan_key_free(prev);
		prev = key_dup(bound);
	}
	add_chunk(cl, prev, NULL);
	return true;
}

/* chunk_keyset: boundaries every batch rows from one ordered pass over the key */
static bool
chunk_keyset(MYSQL *my, const plan_table *pt, chunk_list *cl, long long batch)
{
	buf sql = BUF_INIT, cols = BUF_INIT;

	for (size_t i = 0; i < pt->nkey; i++) {
		if (i)
			buf_puts(&cols, ", ");
		ident_my(&cols, pt->cols[pt->key[i]].name);
	}
	buf_printf(&sql, "SELECT %s FROM %s ORDER BY %s", cols.data, pt->qsource, cols.data);
	if (mysql_real_query(my, sql.data, sql.len) != 0) {
		log_error("could not read the key of table \"%s\" to plan chunks: %s", pt->source, mysql_error(my));
		buf_free(&sql);
		buf_free(&cols);
		return false;
	}
	buf_free(&sql);
	buf_free(&cols);
	MYSQL_RES *res = mysql_use_result(my);
	MYSQL_ROW row;
	long long n = 0;
	plan_key *prev = NULL;
	while (res && (row = mysql_fetch_row(res))) {
		if (++n % batch != 0 || n == 0)
			continue;
		plan_key *bound = plan_key_new(pt->nkey, row, mysql_fetch_lengths(res));
		add_chunk(cl, prev ? key_dup(prev) : NULL, bound);
		plan_key_free(prev);
		prev = key_dup(bound);
	}
	bool ok = res && mysql_errno(my) == 0;
	if (!ok)
		log_error("could not read the key of table \"%s\" to plan chunks: %s", pt->source, mysql_error(my));
	if (res)
		mysql_free_result(res);
	add_chunk(cl, prev, NULL);
	return ok;
}

bool
plan_table_chunk(MYSQL *my, const plan_env *env, const plan_table *pt, plan_chunk **chunks, size_t *nchunks)
{
	chunk_list cl = { NULL, 0 };
	bool ok = true;

	if (pt->nkey == 0 || pt->est_rows <= env->threshold)
		add_chunk(&cl, NULL, NULL);
	else {
		long long n = (pt->est_rows + env->batch_size - 1) / env->batch_size;
		if (n < 2)
			n = 2;
		if (n > 100000)
			n = 100000;
		if (pt->key_is_int)
			ok = chunk_int_ranges(my, pt, &cl, n);
		else
			ok = chunk_keyset(my, pt, &cl, env->batch_size);
	}
	*chunks = cl.v;
	*nchunks = cl.n;
	return ok;
}

void
plan_chunks_free(plan_chunk *chunks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		plan_key_free(chunks[i].lower);
		plan_key_free(chunks[i].upper);
	}
	free(chunks);
}

/* key_literal: appends a key value as a MariaDB literal */
static void
key_literal(MYSQL *my, const plan_table *pt, size_t i, const plan_key *k, buf *out)
{
	if (pt->key_is_int)
		buf_append(out, k->v[i], k->len[i]);     /* digits only: from MIN/MAX */
	else
		maria_escape_literal(my, out, k->v[i], k->len[i]);
}

/* tuple_cmp: (k1..kn) OP (v1..vn) expanded so the range optimizer uses the key */
static void
tuple_cmp(MYSQL *my, const plan_table *pt, const plan_key *k, bool lower, size_t i, buf *out)
{
	const char *col = pt->cols[pt->key[i]].name;

	if (i == k->n - 1) {
		ident_my(out, col);
		buf_puts(out, lower ? " >= " : " < ");
		key_literal(my, pt, i, k, out);
		return;
	}
	buf_putc(out, '(');
	ident_my(out, col);
	buf_puts(out, lower ? " > " : " < ");
	key_literal(my, pt, i, k, out);
	buf_puts(out, " OR (");
	ident_my(out, col);
	buf_puts(out, " = ");
	key_literal(my, pt, i, k, out);
	buf_puts(out, " AND ");
	tuple_cmp(my, pt, k, lower, i + 1, out);
	buf_puts(out, "))");
}

bool
plan_chunk_where(MYSQL *my, const plan_table *pt, const plan_chunk *ch, buf *out)
{
	if (!ch->lower && !ch->upper)
		return false;
	if (ch->lower)
		tuple_cmp(my, pt, ch->lower, true, 0, out);
	if (ch->lower && ch->upper)
		buf_puts(out, " AND ");
	if (ch->upper)
		tuple_cmp(my, pt, ch->upper, false, 0, out);
	return true;
}

/* value_describe: a printable, shortened form of one value */
static void
value_describe(const char *v, size_t len, buf *out)
{
	size_t shown = len > 64 ? 64 : len;

	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char) v[i];
		if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_putc(out, (char) c);
	}
	if (shown < len)
		buf_puts(out, "...");
}

/* key_describe: "(a, b)" names or values */
static void
key_tuple_describe(const plan_table *pt, char **v, const size_t *len, bool names, buf *out)
{
	if (pt->nkey > 1)
		buf_putc(out, '(');
	for (size_t i = 0; i < pt->nkey; i++) {
		if (i)
			buf_puts(out, ", ");
		if (names)
			buf_puts(out, pt->cols[pt->key[i]].name);
		else
			value_describe(v[i], len[i], out);
	}
	if (pt->nkey > 1)
		buf_putc(out, ')');
}

void
plan_chunk_describe(const plan_table *pt, const plan_chunk *ch, buf *out)
{
	if (!ch->lower && !ch->upper) {
		buf_puts(out, "whole table");
		return;
	}
	if (ch->lower) {
		key_tuple_describe(pt, NULL, NULL, true, out);
		buf_puts(out, " >= ");
		key_tuple_describe(pt, ch->lower->v, ch->lower->len, false, out);
	}
	if (ch->lower && ch->upper)
		buf_puts(out, " and ");
	if (ch->upper) {
		key_tuple_describe(pt, NULL, NULL, true, out);
		buf_puts(out, " < ");
		key_tuple_describe(pt, ch->upper->v, ch->upper->len, false, out);
	}
}

void
plan_key_describe(const plan_table *pt, char **row, unsigned long *lens, buf *out)
{
	if (pt->nkey == 0) {
		/* no key: the first columns of the row locate it well enough */
		buf_puts(out, "(no key) row with ");
		for (size_t i = 0; i < pt->ncols && i < 3; i++) {
			buf_printf(out, "%s%s=", i ? ", " : "", pt->cols[i].name);
			if (row[i])
				value_describe(row[i], lens[i], out);
			else
				buf_puts(out, "NULL");
		}
		return;
	}
	char *v[64];
	size_t len[64];
	for (size_t i = 0; i < pt->nkey && i < 64; i++) {
		v[i] = row[pt->key[i]] ? row[pt->key[i]] : "NULL";
		len[i] = row[pt->key[i]] ? lens[pt->key[i]] : 4;
	}
	key_tuple_describe(pt, NULL, NULL, true, out);
	buf_putc(out, '=');
	key_tuple_describe(pt, v, len, false, out);
}

void
plan_key_to_pgarray(const plan_key *k, buf *out)
{
	buf_putc(out, '{');
	for (size_t i = 0; i < k->n; i++) {
		buf_puts(out, i ? ",\"" : "\"");
		hex_append(out, k->v[i], k->len[i]);
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
}

plan_key *
plan_key_from_pgarray(const char *s)
{
	if (!s || s[0] != '{')
		return NULL;
	plan_key *k = xcalloc(1, sizeof(plan_key));
	const char *p = s + 1;
	while (*p && *p != '}') {
		if (*p == ',')
			p++;
		bool quoted = *p == '"';
		if (quoted)
			p++;
		const char *start = p;
		while (*p && hex_value(*p) >= 0)
			p++;
		size_t hexlen = (size_t) (p - start);
		if (quoted && *p == '"')
			p++;
		buf v = BUF_INIT;
		for (size_t i = 0; i + 1 < hexlen; i += 2)
			buf_putc(&v, (char) (hex_value(start[i]) * 16 + hex_value(start[i + 1])));
		k->v = xrealloc(k->v, (k->n + 1) * sizeof(char *));
		k->len = xrealloc(k->len, (k->n + 1) * sizeof(size_t));
		k->v[k->n] = v.data ? v.data : xstrdup("");
		k->len[k->n] = v.len;
		k->n++;
		if (*p != ',' && *p != '}')
			break;
	}
	return k;
}
