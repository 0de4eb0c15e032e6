/*
 * Building a table's description; see plan.h for how it works. Chunks and
 * key values are in plan_chunk.c.
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

char **
plan_object_names(const plan_table *pt, size_t *n)
{
	char **v = xcalloc(pt->nindex + pt->ncols + 1, sizeof(char *));

	*n = 0;
	for (size_t i = 0; i < pt->nindex; i++) {
		const char *d = pt->index_desc[i];
		const char *name = strncmp(d, "primary key ", 12) == 0 ? d + 12 : strncmp(d, "index ", 6) == 0 ? d + 6 : NULL;
		if (name)
			v[(*n)++] = xstrdup(name);
	}
	for (size_t i = 0; i < pt->ncols; i++) {
		if (!pt->cols[i].auto_increment)
			continue;
		char *suffix = xasprintf("%s_seq", pt->cols[i].target);
		v[(*n)++] = pg_index_name(pt->target, suffix);
		free(suffix);
	}
	return v;
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
	/* TABLE_COLLATION and ENGINE: what a DDL statement read from the binlog
	 * needs to advance the description (stream/ddl_apply.c); appended, so
	 * that descriptions recorded without them still load */
	buf_printf(&sql, "SELECT TABLE_TYPE, TABLE_ROWS, AUTO_INCREMENT, TABLE_COLLATION, ENGINE FROM information_schema.TABLES "
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
		log_error("the recorded description of table \"%s\" is not valid: %s", allow->name, jerr.text);
		json_decref(d.desc);
		return false;
	}
	bool ok = load_table(&d, env, allow, pt);
	json_decref(d.desc);
	return ok;
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
	free(pt->key);
	free(pt->source);
	free(pt->target);
	free(pt->qsource);
	free(pt->qtarget);
	free(pt->select_list);
	free(pt->copy_columns);
	free(pt->create_sql);
	memset(pt, 0, sizeof(*pt));
}

/* dup_or_null: a heap copy of s, or NULL */
static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* dup_strings: a heap copy of n strings */
static char **
dup_strings(char *const *v, size_t n)
{
	char **out = n ? xcalloc(n, sizeof(char *)) : NULL;

	for (size_t i = 0; i < n; i++)
		out[i] = dup_or_null(v[i]);
	return out;
}

void
plan_table_copy(plan_table *dst, const plan_table *src)
{
	*dst = *src;        /* scalars, allow and the type map columns by value */
	dst->source = dup_or_null(src->source);
	dst->target = dup_or_null(src->target);
	dst->qsource = dup_or_null(src->qsource);
	dst->qtarget = dup_or_null(src->qtarget);
	dst->cols = src->ncols ? xcalloc(src->ncols, sizeof(plan_column)) : NULL;
	for (size_t i = 0; i < src->ncols; i++) {
		plan_column *c = &dst->cols[i];
		*c = src->cols[i];
		c->name = dup_or_null(c->name);
		c->target = dup_or_null(c->target);
		c->column_type = dup_or_null(c->column_type);
		c->pg_default = dup_or_null(c->pg_default);
	}
	dst->key = src->nkey ? xcalloc(src->nkey, sizeof(int)) : NULL;
	if (src->nkey)
		memcpy(dst->key, src->key, src->nkey * sizeof(int));
	dst->select_list = dup_or_null(src->select_list);
	dst->copy_columns = dup_or_null(src->copy_columns);
	dst->described = dup_or_null(src->described);
	dst->create_sql = dup_or_null(src->create_sql);
	dst->index_sql = dup_strings(src->index_sql, src->nindex);
	dst->index_desc = dup_strings(src->index_desc, src->nindex);
	dst->pk_sql = dup_or_null(src->pk_sql);
	dst->seq_sql = dup_strings(src->seq_sql, src->nseq);
}

/* str_eq: two strings, either possibly NULL, are equal */
static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* strings_eq: two arrays of n strings are equal */
static bool
strings_eq(char *const *a, char *const *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

/* column_eq: two columns describe the same column the same way (the type
 * map column field by field: it may hold padding) */
static bool
column_eq(const plan_column *a, const plan_column *b)
{
	return str_eq(a->name, b->name) && str_eq(a->target, b->target) &&
		str_eq(a->column_type, b->column_type) && str_eq(a->pg_default, b->pg_default) &&
		a->tm.kind == b->tm.kind && strcmp(a->tm.pg_type, b->tm.pg_type) == 0 &&
		a->tm.bits == b->tm.bits && a->tm.postgis == b->tm.postgis &&
		a->tm.select_wkb == b->tm.select_wkb && a->tm.bin == b->tm.bin &&
		a->nullable == b->nullable && a->auto_increment == b->auto_increment &&
		a->generated == b->generated && a->num_scale == b->num_scale &&
		a->dt_precision == b->dt_precision && a->collation_id == b->collation_id;
}

bool
plan_table_equal(const plan_table *a, const plan_table *b)
{
	if (!str_eq(a->allow ? a->allow->name : NULL, b->allow ? b->allow->name : NULL) ||
		!str_eq(a->source, b->source) || !str_eq(a->target, b->target) ||
		!str_eq(a->qsource, b->qsource) || !str_eq(a->qtarget, b->qtarget) ||
		a->ncols != b->ncols || a->nkey != b->nkey || a->key_is_int != b->key_is_int ||
		a->binary != b->binary || a->est_rows != b->est_rows ||
		a->next_auto_increment != b->next_auto_increment ||
		!str_eq(a->select_list, b->select_list) || !str_eq(a->copy_columns, b->copy_columns) ||
		!str_eq(a->described, b->described) || !str_eq(a->create_sql, b->create_sql) ||
		a->nindex != b->nindex || !str_eq(a->pk_sql, b->pk_sql) || a->nseq != b->nseq ||
		a->warnings != b->warnings)
		return false;
	for (size_t i = 0; i < a->ncols; i++)
		if (!column_eq(&a->cols[i], &b->cols[i]))
			return false;
	if (a->nkey && memcmp(a->key, b->key, a->nkey * sizeof(int)) != 0)
		return false;
	return strings_eq(a->index_sql, b->index_sql, a->nindex) &&
		strings_eq(a->index_desc, b->index_desc, a->nindex) &&
		strings_eq(a->seq_sql, b->seq_sql, a->nseq);
}
