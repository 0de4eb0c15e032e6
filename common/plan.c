/*
 * Building the migration plan; see plan.h for how it works.
 *
 * All introspection runs on one MariaDB connection outside any snapshot:
 * table structure is not expected to change during a migration (a DDL on a
 * table while it is copied is the stream's concern, not this module's).
 */
#include "common/plan.h"

#include "common/hex.h"
#include "common/ident.h"
#include "common/log.h"
#include "common/maria.h"

#include <jansson.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PG_NAMEDATALEN 63

typedef struct src_index {
	char       *name;
	bool        unique;
	char       *type;           /* BTREE, HASH, FULLTEXT, SPATIAL */
	size_t      n;
	int        *col;            /* indexes into cols */
	long long  *sub_part;       /* prefix length or -1 */
} src_index;

/* str_or: a row value or a default when NULL */
static const char *
str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

/* parse_ll: strict integer parse of an information_schema value; -1 for NULL */
static long long
parse_ll(const char *s)
{
	char *end;

	if (!s)
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	return v;
}

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

/*
 * A table's description is read from information_schema into JSON, one
 * array of rows per query ({"tables": [[...]], "checks": ..., "columns": ...,
 * "indexes": ...}; each value a string or null), and built from there. The
 * stream records that JSON with its checkpoint and builds the table from it
 * again after a restart: the schema as of the checkpoint, not as of now.
 */
typedef struct desc_ctx {
	MYSQL      *my;             /* NULL when replaying */
	json_t     *desc;
	const char *table;
} desc_ctx;

#define DESC_MAX_FIELDS 16

/* desc_rows: the rows of one query (borrowed from d->desc), or NULL (logged) */
static json_t *
desc_rows(desc_ctx *d, const char *key, const char *sql, const char *what)
{
	if (!d->my) {
		json_t *a = json_object_get(d->desc, key);
		if (!json_is_array(a)) {
			log_error("the recorded description of table \"%s\" has no %s", d->table, what);
			return NULL;
		}
		return a;
	}
	MYSQL_RES *res = query_rows(d->my, sql, what, d->table);
	if (!res)
		return NULL;
	unsigned nf = mysql_num_fields(res);
	json_t *a = json_array();
	MYSQL_ROW row;
	bool ok = nf <= DESC_MAX_FIELDS;
	while (ok && (row = mysql_fetch_row(res))) {
		json_t *r = json_array();
		for (unsigned i = 0; ok && i < nf; i++) {
			json_t *v = row[i] ? json_string(row[i]) : json_null();
			ok = v && json_array_append_new(r, v) == 0;
		}
		json_array_append_new(a, r);
	}
	mysql_free_result(res);
	if (!ok) {
		log_error("could not read %s of table \"%s\" from MariaDB: a value is not valid UTF-8", what, d->table);
		json_decref(a);
		return NULL;
	}
	json_object_set_new(d->desc, key, a);
	return a;
}

/* desc_row: row i of rows as C strings (NULL for SQL NULL) */
static void
desc_row(json_t *rows, size_t i, const char *row[DESC_MAX_FIELDS])
{
	json_t *r = json_array_get(rows, i);

	for (size_t f = 0; f < DESC_MAX_FIELDS; f++) {
		json_t *v = json_array_get(r, f);
		row[f] = json_is_string(v) ? json_string_value(v) : NULL;
	}
}

/* pg_index_name: "<table>_<suffix>", shortened with a hash to fit 63 bytes */
static char *
pg_index_name(const char *table, const char *suffix)
{
	char *name = xasprintf("%s_%s", table, suffix);

	if (strlen(name) <= PG_NAMEDATALEN)
		return name;
	uint32_t h = 2166136261u;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char) *p) * 16777619u;
	char *shortened = xasprintf("%.*s_%08x", PG_NAMEDATALEN - 9, name, h);
	free(name);
	return shortened;
}

/* lower_ascii: in-place ASCII lower-casing */
static void
lower_ascii(char *s)
{
	for (; *s; s++)
		*s = (char) tolower((unsigned char) *s);
}

/* is_json_check: clause is json_valid(`col`) */
static bool
is_json_check(const char *clause, const char *col)
{
	buf want = BUF_INIT, got = BUF_INIT;

	buf_puts(&want, "json_valid(");
	ident_my(&want, col);
	buf_putc(&want, ')');
	for (const char *p = clause; *p; p++)
		if (!isspace((unsigned char) *p))
			buf_putc(&got, *p);
	/* compare the function name case-insensitively, the column exactly */
	bool match = got.len == want.len &&
		strncasecmp(got.data, want.data, 11) == 0 &&
		strcmp(got.data + 11, want.data + 11) == 0;
	buf_free(&want);
	buf_free(&got);
	return match;
}

/* is_int_kind: a column whose values are plain integers */
static bool
is_int_kind(const plan_column *c)
{
	return c->tm.kind == TYPEMAP_INT;
}

/* load_columns: COLUMNS + CHECK_CONSTRAINTS -> pt->cols */
static bool
load_columns(desc_ctx *d, const plan_env *env, plan_table *pt, const char *qs, const char *qt)
{
	const config *cfg = env->cfg;
	buf sql = BUF_INIT;
	char **json_checks = NULL;
	size_t njson = 0;
	bool ok = false;

	buf_printf(&sql, "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
			   "WHERE CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s", qs, qt);
	json_t *rows = desc_rows(d, "checks", sql.data, "check constraints");
	if (!rows)
		goto out;
	const char *row[DESC_MAX_FIELDS];
	json_checks = xcalloc(json_array_size(rows) + 1, sizeof(char *));
	for (size_t i = 0; i < json_array_size(rows); i++) {
		desc_row(rows, i, row);
		if (row[0])
			json_checks[njson++] = xstrdup(row[0]);
	}

	buf_reset(&sql);
	buf_printf(&sql, "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, "
			   "NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, IS_NULLABLE, "
			   "COLUMN_DEFAULT, EXTRA, IS_GENERATED, "
			   "(SELECT co.ID FROM information_schema.COLLATIONS co WHERE co.COLLATION_NAME = c.COLLATION_NAME) "
			   "FROM information_schema.COLUMNS c "
			   "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION", qs, qt);
	rows = desc_rows(d, "columns", sql.data, "columns");
	if (!rows)
		goto out;
	pt->ncols = json_array_size(rows);
	pt->cols = xcalloc(pt->ncols, sizeof(plan_column));
	buf create = BUF_INIT, sel = BUF_INIT, cols = BUF_INIT;
	buf_printf(&create, "%s (", pt->qtarget);
	bool bad = false;
	for (size_t i = 0; i < pt->ncols; i++) {
		desc_row(rows, i, row);
		plan_column *c = &pt->cols[i];
		typemap_source src = {
			.name = row[0],
			.data_type = str_or(row[1], ""),
			.column_type = str_or(row[2], ""),
			.char_max_len = parse_ll(row[3]),
			.num_precision = parse_ll(row[4]),
			.num_scale = parse_ll(row[5]),
			.dt_precision = parse_ll(row[6]),
			.override = config_override_for(pt->allow, row[0]),
			.postgis = env->postgis,
		};
		char errbuf[512];

		c->name = xstrdup(row[0]);
		c->target = ident_target(row[0], cfg->keep_case);
		c->column_type = xstrdup(src.column_type);
		c->nullable = row[7] && strcmp(row[7], "YES") == 0;
		c->auto_increment = row[9] && strstr(row[9], "auto_increment") != NULL;
		c->generated = row[10] && strcmp(row[10], "NEVER") != 0;
		c->num_scale = src.num_scale;
		c->dt_precision = src.dt_precision;
		c->collation_id = row[11] ? (unsigned) strtoul(row[11], NULL, 10) : 0;
		for (size_t j = 0; j < njson; j++)
			if (is_json_check(json_checks[j], c->name))
				src.is_json = true;
		if (!typemap_resolve(&src, &c->tm, errbuf, sizeof(errbuf))) {
			char detail[512];
			snprintf(detail, sizeof(detail), "database \"%s\", table \"%s\", column \"%s\" (%s)",
					 cfg->src.name, pt->source, c->name, src.column_type);
			log_error_dh(detail, "Override the column's type in the allowlist, e.g. \"%s %s=text\".",
						 "cannot map column type: %s", errbuf);
			(void) 0;
			bad = true;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(pt->cols[j].target, c->target) == 0) {
				log_error_dh(NULL, "Set IDENTIFIER_CASE=keep to keep the names' case.",
							 "columns \"%s\" and \"%s\" of table \"%s\" both become \"%s\" in PostgreSQL",
							 pt->cols[j].name, c->name, pt->source, c->target);
				bad = true;
			}
		}
		if (i > 0) {
			buf_puts(&create, ",");
			buf_puts(&sel, ", ");
			buf_puts(&cols, ", ");
		}
		buf_puts(&create, "\n    ");
		ident_pg(&create, c->target);
		buf_printf(&create, " %s", c->tm.pg_type);
		if (!c->nullable)
			buf_puts(&create, " NOT NULL");
		if (!c->generated && !c->auto_increment) {
			bool unsupported = false;
			buf dflt = BUF_INIT;
			if (typemap_default(&c->tm, row[8], &dflt, &unsupported)) {
				buf_printf(&create, " DEFAULT %s", dflt.data);
				c->pg_default = xstrdup(dflt.data);
			}
			else if (unsupported) {
				log_warning("default of column \"%s\".\"%s\" is not carried over: %s",
							pt->source, c->name, row[8]);
				pt->warnings++;
			}
			buf_free(&dflt);
		}
		if (row[9] && strcasestr(row[9], "on update")) {
			log_notice("column \"%s\".\"%s\" has ON UPDATE %s in MariaDB; PostgreSQL gets the values, not the trigger",
					   pt->source, c->name, "CURRENT_TIMESTAMP");
		}
		if (c->tm.select_wkb) {
			buf_puts(&sel, "ST_AsBinary(");
			ident_my(&sel, c->name);
			buf_puts(&sel, ")");
		} else
			ident_my(&sel, c->name);
		ident_pg(&cols, c->target);
	}
	buf_puts(&create, "\n)");
	pt->create_sql = create.data;
	pt->select_list = sel.data;
	pt->copy_columns = cols.data;
	ok = !bad && pt->ncols > 0;
	if (pt->ncols == 0)
		log_error("table \"%s\" has no columns visible to the MariaDB user", pt->source);
out:
	for (size_t j = 0; j < njson; j++)
		free(json_checks[j]);
	free(json_checks);
	buf_free(&sql);
	return ok;
}

/* find_col: index of a source column by name, or -1 */
static int
find_col(const plan_table *pt, const char *name)
{
	for (size_t i = 0; i < pt->ncols; i++)
		if (strcmp(pt->cols[i].name, name) == 0)
			return (int) i;
	return -1;
}

/* index_part: appends one index element: "col" or a prefix expression */
static void
index_part(buf *out, const plan_column *c, long long sub_part)
{
	if (sub_part <= 0) {
		ident_pg(out, c->target);
		return;
	}
	if (c->tm.kind == TYPEMAP_BYTEA) {
		buf_puts(out, "(substring(");
		ident_pg(out, c->target);
		buf_printf(out, " from 1 for %lld))", sub_part);
	} else {
		buf_puts(out, "(left(");
		ident_pg(out, c->target);
		buf_printf(out, ", %lld))", sub_part);
	}
}

/* add_index: appends one statement to pt->index_sql */
static void
add_index(plan_table *pt, char *sql, char *desc)
{
	pt->index_sql = xrealloc(pt->index_sql, (pt->nindex + 1) * sizeof(char *));
	pt->index_desc = xrealloc(pt->index_desc, (pt->nindex + 1) * sizeof(char *));
	pt->index_sql[pt->nindex] = sql;
	pt->index_desc[pt->nindex] = desc;
	pt->nindex++;
}

/* render_index: the PostgreSQL statement for one MariaDB index */
static void
render_index(plan_table *pt, const plan_env *env, const src_index *ix)
{
	bool primary = strcmp(ix->name, "PRIMARY") == 0;
	bool prefixed = false;
	buf sql = BUF_INIT, parts = BUF_INIT;
	char *lname = xstrdup(ix->name);

	lower_ascii(lname);
	for (size_t i = 0; i < ix->n; i++) {
		if (i)
			buf_puts(&parts, ", ");
		index_part(&parts, &pt->cols[ix->col[i]], ix->sub_part[i]);
		if (ix->sub_part[i] > 0)
			prefixed = true;
	}
	char *name = pg_index_name(pt->target, primary ? "pkey" : lname);
	if (strcasecmp(ix->type, "FULLTEXT") == 0) {
		/* FULLTEXT: a GIN index over a 'simple' tsvector of the columns */
		buf_puts(&sql, "CREATE INDEX IF NOT EXISTS ");
		ident_pg(&sql, name);
		buf_printf(&sql, " ON %s USING gin (to_tsvector('simple', ", pt->qtarget);
		for (size_t i = 0; i < ix->n; i++) {
			if (i)
				buf_puts(&sql, " || ' ' || ");
			buf_puts(&sql, "coalesce(");
			ident_pg(&sql, pt->cols[ix->col[i]].target);
			buf_puts(&sql, ", '')");
		}
		buf_puts(&sql, "))");
		log_notice("FULLTEXT index \"%s\" on \"%s\" becomes a GIN index on to_tsvector('simple', ...)",
				   ix->name, pt->source);
	} else if (strcasecmp(ix->type, "SPATIAL") == 0) {
		if (!env->postgis) {
			log_warning_dh("The geometry column is stored as WKB in bytea, which has no spatial index.",
						   "Install PostGIS in the sink (CREATE EXTENSION postgis) to get a GiST index.",
						   "SPATIAL index \"%s\" on \"%s\" is not created", ix->name, pt->source);
			pt->warnings++;
			buf_free(&sql);
			buf_free(&parts);
			free(name);
			free(lname);
			return;
		}
		/* MariaDB reports a SUB_PART for spatial keys; GiST takes the column */
		buf_puts(&sql, "CREATE INDEX IF NOT EXISTS ");
		ident_pg(&sql, name);
		buf_printf(&sql, " ON %s USING gist (", pt->qtarget);
		ident_pg(&sql, pt->cols[ix->col[0]].target);
		buf_putc(&sql, ')');
	} else if (primary && !prefixed) {
		/* ALTER TABLE ADD PRIMARY KEY would hold a lock that waits for every
		 * other index build of the table; a unique index builds beside them
		 * and becomes the constraint at the end (plan_finish_sql) */
		buf_puts(&sql, "CREATE UNIQUE INDEX IF NOT EXISTS ");
		ident_pg(&sql, name);
		buf_printf(&sql, " ON %s (%s)", pt->qtarget, parts.data);
		buf pk = BUF_INIT;
		buf_printf(&pk, "ALTER TABLE %s ADD CONSTRAINT ", pt->qtarget);
		ident_pg(&pk, name);
		buf_puts(&pk, " PRIMARY KEY USING INDEX ");
		ident_pg(&pk, name);
		pt->pk_sql = pk.data;
	} else {
		if (prefixed)
			log_notice("index \"%s\" on \"%s\" uses column prefixes; PostgreSQL indexes the same prefixes as expressions",
					   ix->name, pt->source);
		buf_printf(&sql, "CREATE %sINDEX IF NOT EXISTS ", ix->unique ? "UNIQUE " : "");
		ident_pg(&sql, name);
		buf_printf(&sql, " ON %s (%s)", pt->qtarget, parts.data);
	}
	add_index(pt, sql.data, xasprintf("%s %s", primary ? "primary key" : "index", name));
	buf_free(&parts);
	free(name);
	free(lname);
}

/* load_indexes: STATISTICS -> index statements and the chunk key */
static bool
load_indexes(desc_ctx *d, const plan_env *env, plan_table *pt, const char *qs, const char *qt)
{
	buf sql = BUF_INIT;
	src_index *ix = NULL;
	size_t nix = 0;

	buf_printf(&sql, "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE "
			   "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s "
			   "ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX", qs, qt);
	json_t *rows = desc_rows(d, "indexes", sql.data, "indexes");
	buf_free(&sql);
	if (!rows)
		return false;
	const char *row[DESC_MAX_FIELDS];
	for (size_t r = 0; r < json_array_size(rows); r++) {
		desc_row(rows, r, row);
		if (!row[0] || !row[2])
			continue;
		if (nix == 0 || strcmp(ix[nix - 1].name, row[0]) != 0) {
			ix = xrealloc(ix, (nix + 1) * sizeof(src_index));
			memset(&ix[nix], 0, sizeof(src_index));
			ix[nix].name = xstrdup(row[0]);
			ix[nix].unique = row[1] && strcmp(row[1], "0") == 0;
			ix[nix].type = xstrdup(str_or(row[4], "BTREE"));
			nix++;
		}
		src_index *cur = &ix[nix - 1];
		int col = find_col(pt, row[2]);
		if (col < 0)
			continue;
		cur->col = xrealloc(cur->col, (cur->n + 1) * sizeof(int));
		cur->sub_part = xrealloc(cur->sub_part, (cur->n + 1) * sizeof(long long));
		cur->col[cur->n] = col;
		cur->sub_part[cur->n] = parse_ll(row[3]);
		cur->n++;
	}

	/* chunk key: PRIMARY (sorted first), else a NOT NULL unprefixed UNIQUE */
	for (size_t i = 0; i < nix && pt->nkey == 0; i++) {
		if (!ix[i].unique || ix[i].n == 0 || strcasecmp(ix[i].type, "BTREE") != 0)
			continue;
		bool usable = true;
		for (size_t j = 0; j < ix[i].n; j++)
			if (ix[i].sub_part[j] > 0 || pt->cols[ix[i].col[j]].nullable)
				usable = false;
		if (!usable)
			continue;
		pt->nkey = ix[i].n;
		pt->key = xmalloc(ix[i].n * sizeof(int));
		memcpy(pt->key, ix[i].col, ix[i].n * sizeof(int));
		pt->key_is_int = ix[i].n == 1 && is_int_kind(&pt->cols[ix[i].col[0]]);
	}
	for (size_t i = 0; i < nix; i++)
		render_index(pt, env, &ix[i]);
	for (size_t i = 0; i < nix; i++) {
		free(ix[i].name);
		free(ix[i].type);
		free(ix[i].col);
		free(ix[i].sub_part);
	}
	free(ix);
	return true;
}

/* render_sequences: one sequence per AUTO_INCREMENT column, set past the max */
static void
render_sequences(plan_table *pt, const plan_env *env)
{
	for (size_t i = 0; i < pt->ncols; i++) {
		const plan_column *c = &pt->cols[i];
		if (!c->auto_increment)
			continue;
		char *suffix = xasprintf("%s_seq", c->target);
		char *seq = pg_index_name(pt->target, suffix);
		buf qseq = BUF_INIT, lit = BUF_INIT, sql = BUF_INIT;
		ident_pg(&qseq, env->cfg->src.sink_schema);
		buf_putc(&qseq, '.');
		ident_pg(&qseq, seq);
		ident_pg_literal(&lit, qseq.data);
		long long floor_v = pt->next_auto_increment > 1 ? (long long) pt->next_auto_increment - 1 : 0;
		buf_printf(&sql, "CREATE SEQUENCE IF NOT EXISTS %s AS bigint OWNED BY %s.", qseq.data, pt->qtarget);
		ident_pg(&sql, c->target);
		buf_printf(&sql, "; SELECT setval(%s, GREATEST(m, 1), m >= 1) FROM "
				   "(SELECT GREATEST(coalesce(max(", lit.data);
		ident_pg(&sql, c->target);
		buf_printf(&sql, ")::bigint, 0), %lld) AS m FROM %s) s; ALTER TABLE %s ALTER COLUMN ",
				   floor_v, pt->qtarget, pt->qtarget);
		ident_pg(&sql, c->target);
		buf_printf(&sql, " SET DEFAULT nextval(%s)", lit.data);
		pt->seq_sql = xrealloc(pt->seq_sql, (pt->nseq + 1) * sizeof(char *));
		pt->seq_sql[pt->nseq++] = sql.data;
		buf_free(&qseq);
		buf_free(&lit);
		free(seq);
		free(suffix);
	}
}

bool
plan_check_select(MYSQL *my, const config *cfg, const char *table)
{
	buf sql = BUF_INIT;

	/* information_schema hides what the user has no privilege on, so a
	 * table it may not read would look missing (or lose columns) there;
	 * MariaDB says why here. SELECT * also catches column grants that leave
	 * columns out. LIMIT 0 reads no rows. lock_wait_timeout 0: a table
	 * another session holds locked (LOCK TABLES ... WRITE) is not waited
	 * for here, the copy waits for it; a missing table-level privilege is
	 * found before any lock, only a column grant goes unchecked then. */
	buf_puts(&sql, "SET STATEMENT lock_wait_timeout = 0 FOR SELECT * FROM ");
	ident_my(&sql, cfg->src.schema);
	buf_putc(&sql, '.');
	ident_my(&sql, table);
	buf_puts(&sql, " LIMIT 0");
	int rc = mysql_query(my, sql.data);
	buf_free(&sql);
	if (rc == 0) {
		MYSQL_RES *res = mysql_store_result(my);
		if (res)
			mysql_free_result(res);
		return true;
	}
	if (!maria_is_denied(mysql_errno(my)))
		return true;
	/* a user who may not read a table is not told whether it exists */
	char detail[1024];
	snprintf(detail, sizeof(detail), "%s. (MariaDB does not say whether a table exists to a user who may not "
			 "read it: with the grant in place, check the table and schema names.)", mysql_error(my));
	buf hint = BUF_INIT;
	buf_puts(&hint, "As a MariaDB administrator: GRANT SELECT ON ");
	ident_my(&hint, cfg->src.schema);
	buf_puts(&hint, ".* TO ");
	maria_grantee(my, cfg->src.user, &hint);
	buf_putc(&hint, ';');
	log_error_dh(detail, hint.data,
				 "user \"%s\" may not read table \"%s\" of MariaDB schema \"%s\" for database \"%s\" (privilege SELECT missing)",
				 cfg->src.user, table, cfg->src.schema, cfg->src.name);
	buf_free(&hint);
	return false;
}

/* load_table: plan_table_load and plan_table_load_described */
static bool
load_table(desc_ctx *d, const plan_env *env, const config_table *allow, plan_table *pt)
{
	const config *cfg = env->cfg;
	buf qs = BUF_INIT, qt = BUF_INIT, sql = BUF_INIT;
	bool ok = false;

	memset(pt, 0, sizeof(*pt));
	pthread_mutex_init(&pt->mu, NULL);
	pt->allow = allow;
	pt->source = xstrdup(allow->name);
	pt->target = ident_target(allow->name, cfg->keep_case);
	d->table = pt->source;
	buf q = BUF_INIT;
	ident_my(&q, cfg->src.schema);
	buf_putc(&q, '.');
	ident_my(&q, allow->name);
	pt->qsource = q.data;
	buf p = BUF_INIT;
	ident_pg(&p, cfg->src.sink_schema);
	buf_putc(&p, '.');
	ident_pg(&p, pt->target);
	pt->qtarget = p.data;

	if (d->my) {
		if (!plan_check_select(d->my, cfg, allow->name))
			goto out;
		maria_escape_literal(d->my, &qs, cfg->src.schema, strlen(cfg->src.schema));
		maria_escape_literal(d->my, &qt, allow->name, strlen(allow->name));
	}
	buf_printf(&sql, "SELECT TABLE_TYPE, TABLE_ROWS, AUTO_INCREMENT FROM information_schema.TABLES "
			   "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s", qs.data, qt.data);
	json_t *rows = desc_rows(d, "tables", sql.data, "the definition");
	if (!rows)
		goto out;
	const char *row[DESC_MAX_FIELDS];
	desc_row(rows, 0, row);
	if (json_array_size(rows) == 0) {
		char detail[512], hint[256];
		snprintf(detail, sizeof(detail), "It is listed in %s:%d for database \"%s\".",
				 cfg->allow_path, allow->line, cfg->src.name);
		snprintf(hint, sizeof(hint), "Check the name (case matters) or remove it from the allowlist.");
		log_error_dh(detail, hint, "table \"%s\" does not exist in MariaDB schema \"%s\"",
					 pt->source, cfg->src.schema);
		goto out;
	}
	if (!row[0] || strcmp(row[0], "BASE TABLE") != 0) {
		log_error("\"%s\".\"%s\" is a %s, not a table; only base tables can be migrated",
				  cfg->src.schema, pt->source, str_or(row[0], "?"));
		goto out;
	}
	pt->est_rows = parse_ll(row[1]);
	pt->next_auto_increment = row[2] ? strtoull(row[2], NULL, 10) : 0;

	if (!load_columns(d, env, pt, qs.data, qt.data) ||
		!load_indexes(d, env, pt, qs.data, qt.data))
		goto out;
	render_sequences(pt, env);
	pt->binary = env->copy_binary;
	for (size_t i = 0; i < pt->ncols; i++)
		if (!typemap_binary_prepare(&pt->cols[i].tm))
			pt->binary = false;
	for (size_t i = 0; i < pt->allow->n_overrides; i++) {
		if (find_col(pt, pt->allow->overrides[i].column) < 0) {
			log_error("%s:%d: table \"%s\" has no column \"%s\" to override",
					  cfg->allow_path, allow->line, pt->source, pt->allow->overrides[i].column);
			goto out;
		}
	}
	pt->described = json_dumps(d->desc, JSON_COMPACT);
	ok = pt->described != NULL;
out:
	buf_free(&qs);
	buf_free(&qt);
	buf_free(&sql);
	return ok;
}

bool
plan_table_load(MYSQL *my, const plan_env *env, const config_table *allow, plan_table *pt)
{
	desc_ctx d = { .my = my, .desc = json_object() };
	bool ok = load_table(&d, env, allow, pt);

	json_decref(d.desc);
	return ok;
}

bool
plan_table_load_described(const char *described, const plan_env *env, const config_table *allow,
						  plan_table *pt)
{
	json_error_t jerr;
	desc_ctx d = { .my = NULL, .desc = json_loads(described, 0, &jerr) };

	if (!json_is_object(d.desc)) {
		memset(pt, 0, sizeof(*pt));
		pthread_mutex_init(&pt->mu, NULL);
		log_error("the recorded description of table \"%s\" is not valid: %s", allow->name, jerr.text);
		json_decref(d.desc);
		return false;
	}
	bool ok = load_table(&d, env, allow, pt);
	json_decref(d.desc);
	return ok;
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

/* add_chunk: appends a chunk [lower, upper) taking ownership of both */
static void
add_chunk(plan_table *pt, plan_key *lower, plan_key *upper)
{
	pt->chunks = xrealloc(pt->chunks, (pt->nchunks + 1) * sizeof(plan_chunk));
	plan_chunk *ch = &pt->chunks[pt->nchunks];
	memset(ch, 0, sizeof(*ch));
	ch->no = (int) pt->nchunks;
	ch->lower = lower;
	ch->upper = upper;
	pt->nchunks++;
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
chunk_int_ranges(MYSQL *my, plan_table *pt, long long nchunks)
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
		add_chunk(pt, NULL, NULL);
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
		add_chunk(pt, prev ? key_dup(prev) : NULL, bound);
		plan_key_free(prev);
		prev = key_dup(bound);
	}
	add_chunk(pt, prev, NULL);
	return true;
}

/* chunk_keyset: boundaries every batch rows from one ordered pass over the key */
static bool
chunk_keyset(MYSQL *my, plan_table *pt, long long batch)
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
		add_chunk(pt, prev ? key_dup(prev) : NULL, bound);
		plan_key_free(prev);
		prev = key_dup(bound);
	}
	bool ok = res && mysql_errno(my) == 0;
	if (!ok)
		log_error("could not read the key of table \"%s\" to plan chunks: %s", pt->source, mysql_error(my));
	if (res)
		mysql_free_result(res);
	add_chunk(pt, prev, NULL);
	return ok;
}

bool
plan_table_chunk(MYSQL *my, const plan_env *env, plan_table *pt)
{
	if (pt->nkey == 0 || pt->est_rows <= env->threshold) {
		add_chunk(pt, NULL, NULL);
		return true;
	}
	long long nchunks = (pt->est_rows + env->batch_size - 1) / env->batch_size;
	if (nchunks < 2)
		nchunks = 2;
	if (nchunks > 100000)
		nchunks = 100000;
	if (pt->key_is_int)
		return chunk_int_ranges(my, pt, nchunks);
	return chunk_keyset(my, pt, env->batch_size);
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

void
plan_create_sql(const plan_table *pt, bool unlogged, buf *out)
{
	buf_printf(out, "CREATE %sTABLE %s WITH (autovacuum_enabled = off)",
			   unlogged ? "UNLOGGED " : "", pt->create_sql);
}

void
plan_finish_sql(const plan_table *pt, bool attach_pk, buf *out)
{
	if (attach_pk && pt->pk_sql)
		buf_printf(out, "%s; ", pt->pk_sql);
	buf_printf(out, "ANALYZE %s; ALTER TABLE %s RESET (autovacuum_enabled)", pt->qtarget, pt->qtarget);
}

void
plan_table_free(plan_table *pt)
{
	for (size_t i = 0; i < pt->ncols; i++) {
		plan_column *c = &pt->cols[i];
		free(c->name);
		free(c->target);
		free(c->column_type);
		free(c->pg_default);
		for (int f = 0; f < PLAN_FIX_KINDS; f++)
			for (int s = 0; s < PLAN_FIX_SAMPLES; s++)
				free(c->fix_samples[f][s]);
	}
	free(pt->cols);
	free(pt->described);
	for (size_t i = 0; i < pt->nindex; i++) {
		free(pt->index_sql[i]);
		free(pt->index_desc[i]);
	}
	free(pt->index_sql);
	free(pt->index_desc);
	free(pt->pk_sql);
	for (size_t i = 0; i < pt->nseq; i++)
		free(pt->seq_sql[i]);
	free(pt->seq_sql);
	for (size_t i = 0; i < pt->nchunks; i++) {
		plan_key_free(pt->chunks[i].lower);
		plan_key_free(pt->chunks[i].upper);
	}
	free(pt->chunks);
	free(pt->key);
	free(pt->source);
	free(pt->target);
	free(pt->qsource);
	free(pt->qtarget);
	free(pt->select_list);
	free(pt->copy_columns);
	free(pt->create_sql);
	free(pt->error);
	pthread_mutex_destroy(&pt->mu);
}
