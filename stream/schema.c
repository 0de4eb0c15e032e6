/*
 * The stream's schema history (schema.h). A statement's new description
 * comes from ddl_apply alone; ddl_diff turns the old and new description
 * into PostgreSQL statements or says why the change cannot be carried; the
 * sink takes the change as one event, committed with the checkpoint past
 * the statement. RENAME TABLE is played name by name over the streamed
 * tables and the shadows, so a swap (t to t_old, t_new to t) is seen as
 * what it is: another table under a streamed name.
 */
#include "stream/schema.h"

#include "common/log.h"
#include "common/maria.h"
#include "common/xalloc.h"
#include "stream/ddl_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A table of the source schema the stream does not stream, described */
typedef struct shadow {
	char       *name;
	char       *described;
	char       *origin;         /* the streamed table it was made from, or NULL */
	bool        renames;        /* a statement renamed a column of it */
} shadow;

typedef struct schema_state {
	bool        env_read;
	char       *db_collation;
	char       *engine;
	bool        legacy_timestamp;
	bool        advised;        /* the binlog_row_metadata advice was given */
	shadow     *v;
	size_t      n;
} schema_state;

/* --- shadows ---------------------------------------------------------------- */

static void
shadow_clear(schema_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].described);
		free(s->v[i].origin);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static shadow *
shadow_find(schema_state *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

/* persisted: shadows are kept in the control schema by the PostgreSQL sink
 * (in its batch); the publisher keeps them in memory */
static bool
persisted(const stream_run *r)
{
	return r->a && !r->o.to_kafka;
}

/* shadow_put: name's description becomes described (NULL: none known);
 * recorded in the batch when persisted */
static sink_result
shadow_put(stream_run *r, const char *name, const char *described, const char *origin, bool renames)
{
	schema_state *s = r->schema;
	shadow *sh = shadow_find(s, name);

	if (!described && !sh)
		return SINK_DONE;
	if (persisted(r) && !apply_record_shadow(r->a, name, described, origin, renames))
		return SINK_RETRY;
	if (!described) {
		free(sh->name);
		free(sh->described);
		free(sh->origin);
		*sh = s->v[--s->n];
		return SINK_DONE;
	}
	if (!sh) {
		s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
		sh = &s->v[s->n++];
		memset(sh, 0, sizeof(*sh));
		sh->name = xstrdup(name);
	}
	char *d = xstrdup(described), *o = origin ? xstrdup(origin) : NULL;
	free(sh->described);
	free(sh->origin);
	sh->described = d;
	sh->origin = o;
	sh->renames = renames;
	return SINK_DONE;
}

/* --- the session a statement ran in ---------------------------------------- */

bool
schema_begin(stream_run *r)
{
	char errbuf[1024], *v = NULL;

	if (!r->schema)
		r->schema = xcalloc(1, sizeof(schema_state));
	schema_state *s = r->schema;
	if (!s->env_read && r->meta) {
		buf q = BUF_INIT;
		buf_puts(&q, "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ");
		maria_escape_literal(r->meta, &q, r->cfg.src.schema, strlen(r->cfg.src.schema));
		bool ok = maria_query_value(r->meta, q.data, &s->db_collation, errbuf, sizeof(errbuf)) &&
			maria_query_value(r->meta, "SELECT @@global.default_storage_engine", &s->engine, errbuf,
							  sizeof(errbuf)) &&
			maria_query_value(r->meta, "SELECT @@global.explicit_defaults_for_timestamp", &v, errbuf,
							  sizeof(errbuf));
		buf_free(&q);
		if (!ok) {
			log_error("could not read the defaults of database \"%s\" that its DDL statements rely on: %s",
					  r->cfg.src.name, errbuf);
			return false;
		}
		s->legacy_timestamp = v && (strcmp(v, "0") == 0 || strcasecmp(v, "OFF") == 0);
		free(v);
		v = NULL;
		s->env_read = true;
	}
	if (!s->advised && r->meta) {
		s->advised = true;
		/* MariaDB 10.5 and later; an older server has no such variable */
		if (maria_query_value(r->meta, "SELECT @@global.binlog_row_metadata", &v, errbuf, sizeof(errbuf)) && v &&
			strcasecmp(v, "FULL") != 0)
			log_warning_dh("With FULL, every table map in the binary log names the columns and the primary key, and "
						   "the stream checks each against the schema it holds, so that a change it did not carry "
						   "exactly is found at once and the table copied again, instead of being noticed only by "
						   "its column types.",
						   "SET GLOBAL binlog_row_metadata = 'FULL'; and set it in my.cnf.",
						   "binlog_row_metadata is %s on the MariaDB server of database \"%s\"; FULL is recommended",
						   v, r->cfg.src.name);
		free(v);
		v = NULL;
	}
	shadow_clear(s);
	if (persisted(r)) {
		control_shadow *rows;
		size_t n;
		if (!control_shadows_get(apply_conn(r->a), &r->ctl, &rows, &n, errbuf, sizeof(errbuf))) {
			log_error("could not read the table descriptions of database \"%s\": %s", r->cfg.src.name, errbuf);
			return false;
		}
		s->v = xcalloc(n + 1, sizeof(*s->v));
		for (size_t i = 0; i < n; i++) {
			s->v[i] = (shadow) { .name = rows[i].name, .described = rows[i].described, .origin = rows[i].origin,
								 .renames = rows[i].renames_columns };
			rows[i].name = rows[i].described = rows[i].origin = NULL;
		}
		s->n = n;
		control_shadows_free(rows, n);
	}
	return true;
}

void
schema_free(stream_run *r)
{
	schema_state *s = r->schema;

	if (!s)
		return;
	shadow_clear(s);
	free(s->db_collation);
	free(s->engine);
	free(s);
	r->schema = NULL;
}

/* Everything one statement needs */
typedef struct stmt_ctx {
	stream_run *r;
	const ddl_stmt *st;
	const char *qdb;
	const char *sql;
	ddl_apply_env env;
	const char *refused;        /* why no statement of this session can be interpreted, or NULL */
} stmt_ctx;

/* in_source: whether n names a table of the source schema */
static bool
in_source(const stmt_ctx *c, const ddl_name *n)
{
	const char *d = n->db[0] ? n->db : c->qdb;

	return d && strcmp(d, c->r->cfg.src.schema) == 0;
}

/* listed: whether n is an allowlisted table of the source schema */
static bool
listed(const stmt_ctx *c, const ddl_name *n)
{
	return in_source(c, n) && config_find_table(&c->r->cfg, n->name);
}

/* --- carrying a new description to a streamed table ------------------------- */

void
schema_stop_table(stream_run *r, stream_table *t, const char *why)
{
	bool recopy = r->recopy && !r->o.to_kafka && !r->o.from_kafka;

	if (recopy)
		log_warning_dh(why, "The other tables stream on; the daemon copies this table again online once the batch "
					   "is committed (STREAM_ON_UNCARRYABLE=stop stops it instead).",
					   "table \"%s\" of database \"%s\" stops streaming for a new copy", t->pt.source,
					   r->cfg.src.name);
	else
		log_error_dh(why, "The other tables stream on. Copy this table again with migrate to stream it again.",
					 "table \"%s\" of database \"%s\" is no longer streamed", t->pt.source, r->cfg.src.name);
	t->active = false;
	free(t->ddl_pending);
	t->ddl_pending = NULL;
	r->sk->ops->table_stopped(r->sk, t, why);
	if (recopy)
		r->sk->ev->tables_changed = true;   /* the reload after the commit asks for the copy */
}

/* carry: t takes the description desc (after statement stmt); the change
 * goes to the sink, or the table stops with the reason */
static sink_result
carry(stream_run *r, stream_table *t, const char *desc, const char *stmt, unsigned diff_flags)
{
	plan_env env = { .cfg = &r->cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
	const config_table *allow = config_find_table(&r->cfg, t->pt.source);
	char why[1600] = "";
	plan_table np;
	buf ddl = BUF_INIT;
	sink_result res = SINK_DONE;

	if (r->o.to_kafka)
		diff_flags |= DDL_DIFF_LENIENT;
	memset(&np, 0, sizeof(np));
	bool carried = false;
	if (!allow || !plan_table_load_described(desc, &env, allow, &np))
		snprintf(why, sizeof(why), "the table's description after this statement could not be used: %.900s", stmt);
	else if (ddl_diff(&t->pt, &np, stmt, diff_flags, &ddl, why, sizeof(why))) {
		free(t->ddl_pending);
		t->ddl_pending = xstrdup(stmt);  /* the publisher's schema change event quotes it */
		res = r->sk->ops->schema_change(r->sk, t, ddl.data ? ddl.data : "", &np, why, sizeof(why));
		if (res == SINK_DONE) {
			if (ddl.len)
				log_info("table \"%s\": schema change carried: %s", t->pt.source, ddl.data);
			memset(&np, 0, sizeof(np));     /* its contents now belong to t */
			carried = true;
		}
		free(t->ddl_pending);
		t->ddl_pending = NULL;
	}
	if (!carried && (res == SINK_DONE || res == SINK_REFUSED)) {
		schema_stop_table(r, t, why);
		res = SINK_DONE;
	}
	plan_table_free(&np);
	buf_free(&ddl);
	return res;
}

/* carry_statement: t after ALTER statement sql, from its description */
static sink_result
carry_statement(stmt_ctx *c, stream_table *t)
{
	char why[1600], *after = NULL;

	if (c->refused) {
		snprintf(why, sizeof(why), "the statement cannot be interpreted: %s: %.900s", c->refused, c->sql);
		schema_stop_table(c->r, t, why);
		return SINK_DONE;
	}
	if (!ddl_apply(t->pt.described, t->pt.source, c->sql, &c->env, &after, why, sizeof(why))) {
		char detail[1800];
		snprintf(detail, sizeof(detail), "the stream cannot interpret this statement exactly (%s)", why);
		schema_stop_table(c->r, t, detail);
		return SINK_DONE;
	}
	sink_result res = carry(c->r, t, after, c->sql, c->st->renames_columns ? DDL_DIFF_RENAMES : 0);
	free(after);
	return res;
}

sink_result
schema_carry_pending(stream_run *r)
{
	for (size_t i = 0; i < r->tables.n; i++) {
		stream_table *t = &r->tables.v[i];
		if (!t->active || !t->ddl_pending)
			continue;
		char *sql = t->ddl_pending;
		t->ddl_pending = NULL;
		ddl_stmt st = { 0 };
		char err[256];
		(void) ddl_classify(sql, r->cfg.src.schema, 0, &st, err, sizeof(err));
		stmt_ctx c = { .r = r, .st = &st, .qdb = r->cfg.src.schema, .sql = sql,
					   .env = { .db_collation = r->schema ? r->schema->db_collation : NULL,
								.default_engine = r->schema ? r->schema->engine : NULL,
								.legacy_timestamp = r->schema && r->schema->legacy_timestamp } };
		sink_result res = carry_statement(&c, t);
		ddl_stmt_free(&st);
		free(sql);
		if (res != SINK_DONE)
			return res;
	}
	return SINK_DONE;
}

/* --- RENAME TABLE, played name by name --------------------------------------- */

/* What a name holds while a RENAME statement is played */
typedef struct occupant {
	char        name[DDL_NAME_SIZE];    /* where it is now ("" once moved out of the schema) */
	char        was[DDL_NAME_SIZE];     /* where it was before the statement */
	stream_table *t;                    /* a streamed table, or NULL */
	char       *described;              /* its description (t's, a shadow's; a copy), NULL if unknown */
	char       *origin;
	bool        renames;
} occupant;

/* made_from: whether the table called name (described by a shadow of
 * origin) was made from streamed table t, so that it holds t's rows: made
 * LIKE t or renamed from it, or named as pt-online-schema-change
 * (_t_new, __t_new, ...) and gh-ost (_t_gho) name their copies */
static bool
made_from(const char *name, const char *origin, const stream_table *t)
{
	const char *src = t->pt.source;
	size_t n = strlen(src), k = 0;

	if (origin && strcmp(origin, src) == 0)
		return true;
	while (name[k] == '_')
		k++;
	if (k == 0 || strncmp(name + k, src, n) != 0)
		return false;
	return strcmp(name + k + n, "_new") == 0 || (k == 1 && strcmp(name + k + n, "_gho") == 0);
}

/* place_in: what now holds a streamed table's name after the statement */
static sink_result
place_in(stmt_ctx *c, stream_table *t, const occupant *by, const char *gone_to)
{
	stream_run *r = c->r;
	char why[1800];

	if (by && !by->t && by->described && !by->renames && made_from(by->was, by->origin, t)) {
		/* an online schema change tool's swap: the copy it made holds the
		 * same rows in the new shape */
		log_info("table \"%s\": \"%s\" took its name (an online schema change's swap); carried as a schema "
				 "change: %.600s", t->pt.source, by->was, c->sql);
		return carry(r, t, by->described, c->sql, 0);
	}
	if (by) {
		const char *because = by->t ? "it is another streamed table"
			: !by->described ? "its shape is not known to the stream (made before the stream read its statements)"
			: by->renames ? "a column of it was renamed, which a swap cannot tell from a new column"
			: "it was not made from this table (CREATE TABLE ... LIKE it, or an online schema change tool's name)";
		snprintf(why, sizeof(why), "table \"%s\" took its name in MariaDB, and %s; it is copied again: %.900s",
				 by->was, because, c->sql);
		bool keep = r->recopy;
		r->recopy = true;           /* another table holds the name: the old rows are not it */
		schema_stop_table(r, t, why);
		r->recopy = keep;
		return SINK_DONE;
	}
	ddl_name to = { 0 };
	snprintf(to.name, sizeof(to.name), "%s", gone_to ? gone_to : "");
	snprintf(to.db, sizeof(to.db), "%s", r->cfg.src.schema);
	bool to_listed = gone_to && listed(c, &to);
	if (to_listed && !tables_find(&r->tables, r->cfg.src.schema, c->qdb, "", gone_to)) {
		/* renamed to another listed name: followed, the PostgreSQL table
		 * renamed with it */
		plan_env env = { .cfg = &r->cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
		plan_table np;
		char *old = xstrdup(t->pt.source);
		sink_result res = SINK_REFUSED;
		snprintf(why, sizeof(why), "its description could not be used under the new name");
		if (plan_table_load_described(t->pt.described, &env, config_find_table(&r->cfg, gone_to), &np)) {
			res = r->sk->ops->rename_table(r->sk, t, &np, why, sizeof(why));
			if (res != SINK_DONE)
				plan_table_free(&np);
		}
		if (res == SINK_DONE) {
			log_info("table \"%s\" was renamed to \"%s\" in MariaDB, which the allowlist also lists: it streams on "
					 "under that name (its PostgreSQL table renamed too)", old, gone_to);
			r->sk->ev->tables_changed = true;   /* the old name, still listed, is looked for again */
		} else if (res == SINK_REFUSED)
			log_info("table \"%s\" was renamed to \"%s\", which the allowlist also lists; not followed (%s)", old,
					 gone_to, why);
		free(old);
		if (res != SINK_REFUSED)
			return res;
	}
	if (!gone_to)
		snprintf(why, sizeof(why), "the table was moved to another database in MariaDB: %.900s", c->sql);
	else
		snprintf(why, sizeof(why), "the table was renamed to \"%s\" in MariaDB%s: %.900s", gone_to,
				 to_listed ? ", which the allowlist also lists: it is copied online under that name"
				 : ", which the allowlist does not list (add the new name to stream it)", c->sql);
	bool keep = r->recopy;
	r->recopy = false;          /* the name is gone: nothing to copy again under it */
	schema_stop_table(r, t, why);
	r->recopy = keep;
	return SINK_DONE;
}

/* on_rename: RENAME TABLE a TO b, ... (or ALTER TABLE a RENAME TO b, whose
 * other clauses are already carried): every pair in order, then what each
 * touched name holds */
static sink_result
on_rename(stmt_ctx *c)
{
	stream_run *r = c->r;
	const ddl_stmt *st = c->st;
	size_t cap = 2 * st->nrenames + 1, nocc = 0;
	occupant *occ = xcalloc(cap, sizeof(*occ));
	char (*touched)[DDL_NAME_SIZE] = xcalloc(cap, DDL_NAME_SIZE);
	size_t ntouched = 0;
	sink_result res = SINK_DONE;

	for (size_t i = 0; i < st->nrenames; i++) {
		const ddl_rename *rn = &st->renames[i];
		bool from_in = in_source(c, &rn->from), to_in = in_source(c, &rn->to);
		occupant *o = NULL;
		if (from_in) {
			snprintf(touched[ntouched++], DDL_NAME_SIZE, "%s", rn->from.name);
			for (size_t j = 0; j < nocc && !o; j++)
				if (strcmp(occ[j].name, rn->from.name) == 0)
					o = &occ[j];
			if (!o) {
				o = &occ[nocc++];
				snprintf(o->was, sizeof(o->was), "%s", rn->from.name);
				o->t = tables_find(&r->tables, r->cfg.src.schema, c->qdb, rn->from.db, rn->from.name);
				shadow *sh = o->t ? NULL : shadow_find(r->schema, rn->from.name);
				/* copies: carrying a change or recording a shadow frees the originals */
				if (o->t) {
					o->described = xstrdup(o->t->pt.described);
					o->origin = xstrdup(o->t->pt.source);
				} else if (sh) {
					o->described = xstrdup(sh->described);
					o->origin = sh->origin ? xstrdup(sh->origin) : NULL;
					o->renames = sh->renames;
				}
			}
		} else {
			o = &occ[nocc++];       /* from another schema: not known here */
			snprintf(o->was, sizeof(o->was), "%s", rn->from.name);
		}
		o->name[0] = '\0';
		if (to_in) {
			snprintf(o->name, sizeof(o->name), "%s", rn->to.name);
			snprintf(touched[ntouched++], DDL_NAME_SIZE, "%s", rn->to.name);
		}
	}
	/* first the streamed tables' names (their old descriptions are still
	 * needed by the shadows), then every other touched name */
	for (size_t i = 0; i < ntouched && res == SINK_DONE; i++) {
		const char *name = touched[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(touched[j], name) == 0;
		if (seen)
			continue;
		const occupant *now = NULL, *before = NULL;
		for (size_t j = 0; j < nocc; j++) {
			if (strcmp(occ[j].name, name) == 0)
				now = &occ[j];
			if (strcmp(occ[j].was, name) == 0 && occ[j].t)
				before = &occ[j];
		}
		if (before && now != before)
			res = place_in(c, before->t, now, before->name[0] ? before->name : NULL);
	}
	for (size_t i = 0; i < ntouched && res == SINK_DONE; i++) {
		const char *name = touched[i];
		ddl_name dn = { 0 };
		snprintf(dn.name, sizeof(dn.name), "%s", name);
		snprintf(dn.db, sizeof(dn.db), "%s", r->cfg.src.schema);
		const occupant *now = NULL;
		bool streamed = tables_find(&r->tables, r->cfg.src.schema, c->qdb, "", name) != NULL;
		for (size_t j = 0; j < nocc; j++)
			if (strcmp(occ[j].name, name) == 0)
				now = &occ[j];
		if (streamed)
			continue;           /* carried by place_in */
		if (listed(c, &dn)) {
			/* a listed name that is not streamed now holds a table: copied
			 * online by the reload after the commit */
			if (now)
				r->sk->ev->tables_changed = true;
			res = shadow_put(r, name, NULL, NULL, false);
			continue;
		}
		if (now && now->described)
			res = shadow_put(r, name, now->described, now->origin, now->renames);
		else
			res = shadow_put(r, name, NULL, NULL, false);
	}
	for (size_t j = 0; j < nocc; j++) {
		free(occ[j].described);
		free(occ[j].origin);
	}
	free(occ);
	free(touched);
	return res;
}

/* --- the statements ---------------------------------------------------------- */

/* on_alter: ALTER TABLE (CREATE/DROP INDEX) of a streamed table or a shadow;
 * a RENAME TO in it is played after its other clauses */
static sink_result
on_alter(stmt_ctx *c)
{
	stream_run *r = c->r;
	const ddl_name *n = c->st->ntables ? &c->st->tables[0] : NULL;
	sink_result res = SINK_DONE;

	if (!n || !in_source(c, n))
		return c->st->nrenames ? on_rename(c) : SINK_DONE;
	stream_table *t = tables_find(&r->tables, r->cfg.src.schema, c->qdb, n->db, n->name);
	shadow *sh = t ? NULL : shadow_find(r->schema, n->name);
	if (t)
		res = carry_statement(c, t);
	else if (sh) {
		char why[1024], *after = NULL;
		if (!c->refused && ddl_apply(sh->described, n->name, c->sql, &c->env, &after, why, sizeof(why))) {
			char *o = sh->origin ? xstrdup(sh->origin) : NULL;
			res = shadow_put(r, n->name, after, o, sh->renames || c->st->renames_columns);
			free(o);
		} else {
			log_debug("table \"%s\" of database \"%s\" is no longer described (%s)", n->name, r->cfg.src.name,
					  c->refused ? c->refused : why);
			res = shadow_put(r, n->name, NULL, NULL, false);
		}
		free(after);
	}
	if (res == SINK_DONE && c->st->nrenames)
		res = on_rename(c);
	return res;
}

/* on_drop: a dropped streamed table stops (state dropped; PostgreSQL keeps
 * it as it was); a table of that name created later is copied again */
static sink_result
on_drop(stmt_ctx *c)
{
	stream_run *r = c->r;
	const ddl_stmt *st = c->st;
	char why[1024];

	for (size_t i = 0; i < st->ntables; i++) {
		const ddl_name *n = &st->tables[i];
		if (!in_source(c, n))
			continue;
		stream_table *t = tables_find(&r->tables, r->cfg.src.schema, c->qdb, n->db, n->name);
		if (!t) {
			if (shadow_put(r, n->name, NULL, NULL, false) != SINK_DONE)
				return SINK_RETRY;
			continue;
		}
		snprintf(why, sizeof(why), "the table was dropped in MariaDB; PostgreSQL keeps it as it was then (state "
				 "dropped): %.800s", c->sql);
		log_warning_dh(why, "The other tables stream on. A table of that name created again is copied online.",
					   "table \"%s\" of database \"%s\" was dropped", t->pt.source, r->cfg.src.name);
		t->active = false;
		sink_result res = r->sk->ops->table_dropped(r->sk, t, c->sql);
		if (res != SINK_DONE)
			return res;
	}
	return SINK_DONE;
}

/* on_create: CREATE TABLE of a listed name is copied online (by the reload
 * after the commit); of another name it gets a shadow description */
static sink_result
on_create(stmt_ctx *c)
{
	stream_run *r = c->r;
	const ddl_stmt *st = c->st;
	const ddl_name *n = st->ntables ? &st->tables[0] : NULL;

	if (!n || st->temporary || !in_source(c, n))
		return SINK_DONE;
	stream_table *t = tables_find(&r->tables, r->cfg.src.schema, c->qdb, n->db, n->name);
	if (t) {
		if (st->or_replace) {
			char why[1200];
			snprintf(why, sizeof(why), "the table was created again (CREATE OR REPLACE); it is copied again: %.900s",
					 c->sql);
			bool keep = r->recopy;
			r->recopy = true;
			schema_stop_table(r, t, why);
			r->recopy = keep;
		}
		return SINK_DONE;   /* CREATE TABLE IF NOT EXISTS of a table that exists changes nothing */
	}
	if (listed(c, n)) {
		r->sk->ev->tables_changed = true;
		return shadow_put(r, n->name, NULL, NULL, false);
	}
	/* the table it is made LIKE: a streamed one, or a shadow */
	const char *like = NULL, *origin = NULL;
	if (st->has_like && in_source(c, &st->like)) {
		stream_table *lt = tables_find(&r->tables, r->cfg.src.schema, c->qdb, st->like.db, st->like.name);
		shadow *ls = lt ? NULL : shadow_find(r->schema, st->like.name);
		like = lt ? lt->pt.described : ls ? ls->described : NULL;
		origin = lt ? lt->pt.source : ls ? ls->origin : NULL;
	}
	char why[1024], *desc = NULL;
	char *o = origin ? xstrdup(origin) : NULL;
	sink_result res;
	if (!c->refused && ddl_apply_create(c->sql, like, &c->env, &desc, why, sizeof(why)))
		res = shadow_put(r, n->name, desc, o, false);
	else {
		log_debug("table \"%s\" of database \"%s\" is not described (%s)", n->name, r->cfg.src.name,
				  c->refused ? c->refused : why);
		res = shadow_put(r, n->name, NULL, NULL, false);
	}
	free(desc);
	free(o);
	return res;
}

sink_result
schema_statement(stream_run *r, const ddl_stmt *st, const char *qdb, const char *sql, uint64_t sql_mode,
				 bool sql_mode_known)
{
	schema_state *s = r->schema;
	stmt_ctx c = { .r = r, .st = st, .qdb = qdb, .sql = sql };

	if (!s) {
		if (!schema_begin(r))
			return SINK_RETRY;
		s = r->schema;
	}
	c.env = (ddl_apply_env) { .lexer_flags = ddl_sql_mode_flags(sql_mode), .db_collation = s->db_collation,
							  .default_engine = s->engine, .legacy_timestamp = s->legacy_timestamp };
	if (!sql_mode_known)
		c.refused = "the binary log does not say the session's sql_mode";
	else if (sql_mode & DDL_MODE_ORACLE)
		c.refused = "it ran with sql_mode ORACLE, whose types the stream does not interpret";
	else if (sql_mode & DDL_MODE_MAXDB)
		c.refused = "it ran with sql_mode MAXDB, whose types the stream does not interpret";
	else if (sql_mode & DDL_MODE_EMPTY_STRING_IS_NULL)
		c.refused = "it ran with sql_mode EMPTY_STRING_IS_NULL, whose defaults the stream does not interpret";
	switch (st->kind) {
		case DDL_ALTER:
			return on_alter(&c);
		case DDL_DROP:
			return on_drop(&c);
		case DDL_RENAME:
			return on_rename(&c);
		case DDL_CREATE:
			return on_create(&c);
		default:
			return SINK_DONE;
	}
}
