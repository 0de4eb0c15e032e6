/*
 * The table set (tables.h). Loading reads the allowlist again, then each
 * table's row of the control schema: a ready table streams from the later
 * of its snapshot and its applied position (with --to kafka, of its
 * snapshot and the position Kafka acknowledged), with the description
 * recorded for it; a ready table that left the allowlist is marked
 * removed; a table the stream stopped with an error waits for a new copy.
 *
 * Describing a table map copies into the decoder what information_schema
 * knows and the binlog may not say (binlog_row_metadata NO_LOG or MINIMAL
 * leave out signedness, charsets and ENUM/SET labels; FLOAT(M,D) and old
 * temporal types need their digits; INET4/INET6/UUID/geometry travel as
 * bytes and need a render).
 */
#include "stream/tables.h"

#include "common/control.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/xalloc.h"
#include "stream/online.h"
#include "stream/run.h"
#include "stream/sink_kafka.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* table_drop: a table's memory (its sink state released first) */
static void
table_drop(stream_run *r, stream_table *t)
{
	if (r->sk)
		r->sk->ops->table_close(r->sk, t);
	free(t->ddl_pending);
	plan_table_free(&t->pt);
	memset(t, 0, sizeof(*t));
}

void
tables_free(stream_run *r)
{
	for (size_t i = 0; i < r->tables.n; i++)
		table_drop(r, &r->tables.v[i]);
	free(r->tables.v);
	r->tables.v = NULL;
	r->tables.n = 0;
}

/* allowlist_reload: tables.d/NAME read again */
static bool
allowlist_reload(config *cfg)
{
	char errbuf[2048];

	for (size_t i = 0; i < cfg->n_tables; i++) {
		free(cfg->tables[i].name);
		for (size_t j = 0; j < cfg->tables[i].n_overrides; j++) {
			free(cfg->tables[i].overrides[j].column);
			free(cfg->tables[i].overrides[j].pg_type);
		}
		free(cfg->tables[i].overrides);
	}
	free(cfg->tables);
	cfg->tables = NULL;
	cfg->n_tables = 0;
	free(cfg->allow_path);
	cfg->allow_path = NULL;
	if (!config_load_allowlist(cfg, errbuf, sizeof(errbuf))) {
		log_error("%s", errbuf);
		return false;
	}
	return true;
}

/* describe_published: a published table's description: the one recorded
 * with the durable position (the publisher's schema history), else as
 * MariaDB has it now (then recorded with the next durable position); fresh
 * (a table that joins from a snapshot of its own) always the latter.
 * False (logged) when it cannot be described. */
static bool
describe_published(stream_run *r, const config_table *allow, bool fresh, plan_table *pt)
{
	plan_env env = { .cfg = &r->cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
	const char *d = fresh ? NULL : sink_kafka_described(r->sk, allow->name);

	if (d ? !plan_table_load_described(d, &env, allow, pt) : !plan_table_load(r->meta, &env, allow, pt)) {
		plan_table_free(pt);
		memset(pt, 0, sizeof(*pt));
		return false;
	}
	if (!d)
		sink_kafka_describe(r->sk, allow->name, pt->described);
	return true;
}

/* load_local: --to kafka without PostgreSQL: every allowlisted table,
 * described by the schema history (describe_published), published from the checkpoint file's
 * position (set by --snapshot on the first start) */
static bool
load_local(stream_run *r, const binlogpos *published, char **prev, size_t nprev, bool reload)
{
	bool ok = true;

	r->tables.v = xcalloc(r->cfg.n_tables + 1, sizeof(stream_table));
	for (size_t i = 0; i < r->cfg.n_tables; i++) {
		stream_table *t = &r->tables.v[r->tables.n];
		bool joined = reload;
		for (size_t j = 0; j < nprev && joined; j++)
			joined = strcmp(prev[j], r->cfg.tables[i].name) != 0;
		if (!describe_published(r, &r->cfg.tables[i], joined, &t->pt)) {
			ok = false;
			continue;
		}
		t->snapshot = t->applied = *published;
		t->active = true;
		r->sk->ops->table_open(r->sk, t);
		r->tables.n++;
		if (joined) {
			/* added by this reload: its rows first (a table added while
			 * the publisher was stopped has no such snapshot: the checkpoint
			 * file keeps one position for all tables) */
			binlogpos at;
			if (sink_kafka_snapshot_table(r->sk, &r->cfg.src, t, &at, r->stop_requested))
				t->snapshot = t->applied = at;
			else
				t->active = false;      /* tried again at the next reload */
			continue;
		}
		if (published->file[0])
			log_info("table \"%s\" is published from %s:%" PRIu64, t->pt.source, t->applied.file, t->applied.pos);
	}
	return ok;
}

/* load_one: one ready, allowlisted table from its control row into t;
 * false (logged) when it cannot be loaded */
static bool
load_one(stream_run *r, const control_stream_table *row, const config_table *allow, const binlogpos *published,
		 stream_table *t)
{
	plan_env env = { .cfg = &r->cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
	bool kafka = published != NULL;
	/* the schema as of the stream's position for the table (recorded by
	 * migrate and with each change carried); MariaDB's current one only
	 * for a table copied by a migrate that did not record it. The
	 * publisher keeps its own history (describe_published). */
	bool recorded = row->schema && !kafka;

	/* a recorded table is not read from MariaDB now, but will be at its
	 * next ALTER TABLE: a missing SELECT fails here, not then */
	if (recorded && !r->o.from_kafka && r->meta && !plan_check_select(r->meta, &r->cfg, row->name))
		return false;
	if (kafka ? !describe_published(r, allow, false, &t->pt)
		: recorded ? !plan_table_load_described(row->schema, &env, allow, &t->pt)
		: !plan_table_load(r->meta, &env, allow, &t->pt)) {
		plan_table_free(&t->pt);
		memset(t, 0, sizeof(*t));
		return false;
	}
	if (!recorded && !kafka && !apply_record_schema(r->a, t)) {
		plan_table_free(&t->pt);
		memset(t, 0, sizeof(*t));
		return false;
	}
	if (row->ddl_pending && !kafka)
		t->ddl_pending = xstrdup(row->ddl_pending);
	t->snapshot = t->applied = row->snapshot;
	if (kafka) {
		/* published: from the later of the snapshot and what Kafka acknowledged */
		if (published->file[0] && binlogpos_cmp(published, &t->applied) > 0)
			t->applied = *published;
	} else if (row->applied.file[0] && binlogpos_cmp(&row->applied, &t->applied) > 0)
		t->applied = row->applied;
	t->active = true;
	r->sk->ops->table_open(r->sk, t);
	log_info("table \"%s\" %s from %s:%" PRIu64, row->name, kafka ? "is published" : "streams", t->applied.file,
			 t->applied.pos);
	return true;
}

/* kafka_join: --to kafka with the control schema: a table that joined is
 * published from a snapshot of its own (its rows as op "r" events), then
 * streams from that snapshot's position, which its control row keeps
 * (load mode "published": no PostgreSQL table holds its rows). A failure
 * (logged) leaves it out until the next reload. */
static void
kafka_join(stream_run *r, const char *name)
{
	stream_table *t = &r->tables.v[r->tables.n];
	char errbuf[1024];
	binlogpos at;

	if (!describe_published(r, config_find_table(&r->cfg, name), true, &t->pt))
		return;
	r->sk->ops->table_open(r->sk, t);
	if (!sink_kafka_snapshot_table(r->sk, &r->cfg.src, t, &at, r->stop_requested)) {
		table_drop(r, t);
		return;
	}
	control_copy cc = {
		.source_schema = r->cfg.src.schema, .target_schema = r->cfg.src.sink_schema, .target_table = t->pt.target,
		.load_mode = "published", .described = t->pt.described,
	};
	PGconn *pg = apply_conn(r->a);
	if (!control_table_copying(pg, &r->ctl, name, &cc, errbuf, sizeof(errbuf)) ||
		!control_table_ready(pg, &r->ctl, name, 0, 0, &at, errbuf, sizeof(errbuf))) {
		log_error("could not record that table \"%s\" is published from %s:%" PRIu64 ": %s", name, at.file, at.pos,
				  errbuf);
		table_drop(r, t);
		return;
	}
	t->snapshot = t->applied = at;
	t->active = true;
	r->tables.n++;
}

/* want_copy: an allowlisted table that is not streamed (state, NULL: no
 * row at all; error: why the stream stopped a ready table): copied online
 * by the daemon (online.h) when streaming the binlog into PostgreSQL, or
 * published from a snapshot of its own with --to kafka; otherwise it waits
 * for migrate */
static void
want_copy(stream_run *r, const char *name, const char *state, const char *error)
{
	char why[1400];
	unsigned flags = 0;
	bool dropped = state && strcmp(state, "dropped") == 0;

	if (r->o.to_kafka && !r->local && !error && !dropped) {
		kafka_join(r, name);
		return;
	}
	if (r->local || r->o.from_kafka || r->o.to_kafka || (error && !r->recopy)) {
		if (error)
			log_warning_dh(error, r->recopy ? "Copy the table again with migrate to stream it again."
						   : "STREAM_ON_UNCARRYABLE=stop: copy the table again with migrate to stream it again.",
						   "table \"%s\" is not streamed: it stopped with an error", name);
		else if (!dropped)
			log_info("table \"%s\" is %s, not ready; it joins the stream when migrate has copied it", name,
					 state ? state : "not copied");
		return;
	}
	if (!r->online)
		r->online = online_new(r->o.env_file ? r->o.env_file : ".env", r->o.env_file != NULL, r->cfg.src.name);
	if (online_busy(r->online, name))
		return;
	if (error) {
		snprintf(why, sizeof(why), "table \"%s\": copying it again online (the other tables stream on), since the "
				 "stream could not carry a change exactly: %.1200s", name, error);
		flags = ONLINE_FRESH;
	} else if (dropped) {
		snprintf(why, sizeof(why), "table \"%s\" was dropped in MariaDB; looking for a new table of that name", name);
		flags = ONLINE_DROPPED;
	} else if (!state)
		snprintf(why, sizeof(why), "table \"%s\" joined the allowlist; copying it online while the other tables "
				 "stream on", name);
	else if (strcmp(state, "removed") == 0)
		snprintf(why, sizeof(why), "table \"%s\" is back in the allowlist; its PostgreSQL rows are stale (not "
				 "streamed since it left), so it is copied again online", name);
	else if (strcmp(state, "missing") == 0)
		snprintf(why, sizeof(why), "table \"%s\" was missing in MariaDB; looking for it again", name);
	else
		snprintf(why, sizeof(why), "table \"%s\" has an unfinished copy (state %s); continuing it online", name,
				 state);
	if (online_want(r->online, name, why, flags) && error)
		metrics_stream_recopy(name);
}

/* load_row: what a control row means for the set; false on an error */
static bool
load_row(stream_run *r, const control_stream_table *row, const binlogpos *published)
{
	char errbuf[1024];
	const config_table *allow = config_find_table(&r->cfg, row->name);

	if (!allow) {
		if (strcmp(row->state, "ready") != 0)
			return true;
		if (!control_table_removed(apply_conn(r->a), &r->ctl, row->name, errbuf, sizeof(errbuf))) {
			log_error("could not mark table \"%s\" removed: %s", row->name, errbuf);
			return false;
		}
		log_info("table \"%s\" left the allowlist; its changes are no longer applied (state removed)", row->name);
		return true;
	}
	if (strcmp(row->state, "ready") != 0) {
		want_copy(r, row->name, row->state, NULL);
		return true;
	}
	if (row->error && !published) {
		want_copy(r, row->name, row->state, row->error);
		return true;
	}
	if (!load_one(r, row, allow, published, &r->tables.v[r->tables.n]))
		return false;
	r->tables.n++;
	return true;
}

bool
tables_load(stream_run *r)
{
	char errbuf[2048];
	binlogpos published;
	bool kafka = r->sk->ops->durable(r->sk, &published);
	control_stream_table *rows;
	size_t nrows;
	bool ok = true;

	/* the publisher without PostgreSQL knows which tables joined only by
	 * the set it had */
	bool reload = r->tables.v != NULL;
	size_t nprev = 0;
	char **prev = xcalloc(r->tables.n + 1, sizeof(char *));
	for (size_t i = 0; i < r->tables.n; i++)
		if (r->tables.v[i].active)
			prev[nprev++] = xstrdup(r->tables.v[i].pt.source);
	tables_free(r);
	ok = allowlist_reload(&r->cfg);
	if (ok && r->local)
		ok = load_local(r, &published, prev, nprev, reload);
	for (size_t i = 0; i < nprev; i++)
		free(prev[i]);
	free(prev);
	if (!ok || r->local)
		return ok;
	if (!control_stream_tables(apply_conn(r->a), &r->ctl, &rows, &nrows, errbuf, sizeof(errbuf))) {
		log_error("could not read the table states of database \"%s\": %s", r->cfg.src.name, errbuf);
		return false;
	}
	/* room for the control rows and for tables that join now (Kafka) */
	r->tables.v = xcalloc(nrows + r->cfg.n_tables + 1, sizeof(stream_table));
	for (size_t i = 0; i < nrows; i++)
		ok = load_row(r, &rows[i], kafka ? &published : NULL) && ok;
	long long missing = 0;
	for (size_t i = 0; i < nrows; i++)
		missing += strcmp(rows[i].state, "missing") == 0 && config_find_table(&r->cfg, rows[i].name);
	metrics_stream_missing(missing);
	/* allowlisted tables without a row were never copied */
	for (size_t i = 0; i < r->cfg.n_tables; i++) {
		bool known = false;
		for (size_t j = 0; j < nrows && !known; j++)
			known = strcmp(rows[j].name, r->cfg.tables[i].name) == 0;
		if (!known)
			want_copy(r, r->cfg.tables[i].name, NULL, NULL);
	}
	control_stream_tables_free(rows, nrows);
	return ok;
}

bool
tables_lowest_watermark(const table_set *ts, binlogpos *out)
{
	bool any = false;

	for (size_t i = 0; i < ts->n; i++) {
		if (!ts->v[i].active)
			continue;
		if (!any || binlogpos_cmp(&ts->v[i].applied, out) < 0)
			*out = ts->v[i].applied;
		any = true;
	}
	return any;
}

stream_table *
tables_find(table_set *ts, const char *schema, const char *qdb, const char *db, const char *name)
{
	const char *d = db && db[0] ? db : qdb;

	if (!d || strcmp(d, schema) != 0)
		return NULL;
	for (size_t i = 0; i < ts->n; i++)
		if (ts->v[i].active && strcmp(ts->v[i].pt.source, name) == 0)
			return &ts->v[i];
	return NULL;
}

/* can_be_unsigned: a type with a signedness in its description (the
 * binlog also marks YEAR, which information_schema never calls unsigned) */
static bool
can_be_unsigned(const char *column_type)
{
	static const char *const types[] = { "tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float",
										 "double" };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i]);
		if (strncmp(column_type, types[i], n) == 0 && (column_type[n] == '(' || column_type[n] == ' ' ||
													   column_type[n] == '\0'))
			return true;
	}
	return false;
}

bool
tables_map_check(const binlog_table *bt, const plan_table *pt, char *why, size_t whylen)
{
	if (bt->ncols != pt->ncols) {
		snprintf(why, whylen, "the binary log has %zu columns, the schema the stream holds %zu", bt->ncols, pt->ncols);
		return false;
	}
	bool any_pk = false;
	for (size_t c = 0; c < bt->ncols; c++) {
		const binlog_column *bc = &bt->cols[c];
		const plan_column *pc = &pt->cols[c];
		any_pk = any_pk || bc->is_pk;
		if (bc->name && strcmp(bc->name, pc->name) != 0) {
			snprintf(why, whylen, "column %zu is \"%s\" in the binary log, \"%s\" in the schema the stream holds",
					 c + 1, bc->name, pc->name);
			return false;
		}
		if (!binlog_column_fits(bc, pc->column_type)) {
			snprintf(why, whylen, "column \"%s\" has type code %u in the binary log, which does not fit %s",
					 pc->name, bc->type, pc->column_type);
			return false;
		}
		if (bc->has_signedness && can_be_unsigned(pc->column_type) &&
			bc->is_unsigned != (strstr(pc->column_type, "unsigned") != NULL)) {
			snprintf(why, whylen, "column \"%s\" is %s in the binary log, %s in the schema the stream holds",
					 pc->name, bc->is_unsigned ? "unsigned" : "signed", pc->column_type);
			return false;
		}
		if (bc->charset && pc->collation_id && bc->charset != 63 && (unsigned) pc->collation_id != 63 &&
			bc->charset != (unsigned) pc->collation_id) {
			snprintf(why, whylen, "column \"%s\" has collation %u in the binary log, %u in the schema the stream "
					 "holds", pc->name, bc->charset, (unsigned) pc->collation_id);
			return false;
		}
	}
	/* the primary key, where the binary log names it (FULL) */
	if (any_pk && pt->pk_sql) {
		size_t n = 0;
		for (size_t c = 0; c < bt->ncols; c++)
			if (bt->cols[c].is_pk) {
				bool in = false;
				for (size_t k = 0; k < pt->nkey && !in; k++)
					in = pt->key[k] == (int) c;
				if (!in) {
					snprintf(why, whylen, "column \"%s\" is in the primary key in the binary log, not in the "
							 "schema the stream holds", pt->cols[c].name);
					return false;
				}
				n++;
			}
		if (n != pt->nkey) {
			snprintf(why, whylen, "the primary key has %zu columns in the binary log, %zu in the schema the stream "
					 "holds", n, pt->nkey);
			return false;
		}
	}
	return true;
}

bool
tables_map_matches(const binlog_table *bt, const plan_table *pt)
{
	char why[512];

	return tables_map_check(bt, pt, why, sizeof(why));
}

/* enum_labels: the labels of "enum('a','b''c')" or "set(...)"; heap array */
static const char **
enum_labels(const char *column_type, size_t *n)
{
	const char *p = strchr(column_type, '(');
	const char **out = NULL;

	*n = 0;
	if (!p)
		return NULL;
	p++;
	while (*p == '\'') {
		buf b = BUF_INIT;
		for (p++; *p; p++) {
			if (*p == '\'' && p[1] == '\'') {
				buf_putc(&b, '\'');
				p++;
			} else if (*p == '\\' && p[1])
				buf_putc(&b, *++p);
			else if (*p == '\'')
				break;
			else
				buf_putc(&b, *p);
		}
		out = xrealloc(out, (*n + 1) * sizeof(char *));
		out[(*n)++] = b.data ? b.data : xstrdup("");
		if (*p == '\'')
			p++;
		if (*p == ',')
			p++;
	}
	return out;
}

void
tables_free_labels(table_set *ts)
{
	for (size_t i = 0; i < ts->nlabelsets; i++) {
		for (size_t j = 0; j < ts->labelsets[i].n; j++)
			free((char *) ts->labelsets[i].v[j]);
		free(ts->labelsets[i].v);
	}
	free(ts->labelsets);
	ts->labelsets = NULL;
	ts->nlabelsets = 0;
}

/* column_hints: one column's hints from its description */
static void
column_hints(table_set *ts, binlog_column *bc, const plan_column *pc)
{
	if (!bc->has_signedness)
		bc->is_unsigned = strstr(pc->column_type, "unsigned") != NULL;
	if (bc->charset == 0)
		bc->charset = pc->collation_id ? pc->collation_id
			: (strstr(pc->column_type, "binary") || strstr(pc->column_type, "blob")) ? 63 : 0;
	if (pc->tm.kind == TYPEMAP_FLOAT || pc->tm.kind == TYPEMAP_DOUBLE) {
		if (strchr(pc->column_type, ','))
			bc->decimals = (int) pc->num_scale;
	} else if (pc->dt_precision >= 0)
		bc->decimals = (int) pc->dt_precision;
	if (strncmp(pc->column_type, "inet4", 5) == 0)
		bc->render = BINLOG_RENDER_INET4;
	else if (strncmp(pc->column_type, "inet6", 5) == 0)
		bc->render = BINLOG_RENDER_INET6;
	else if (strncmp(pc->column_type, "uuid", 4) == 0)
		bc->render = BINLOG_RENDER_UUID;
	else if (pc->tm.kind == TYPEMAP_GEOMETRY)
		bc->render = BINLOG_RENDER_WKB;
	if (bc->nlabels == 0 && (strncmp(pc->column_type, "enum(", 5) == 0 || strncmp(pc->column_type, "set(", 4) == 0)) {
		size_t n;
		const char **labels = enum_labels(pc->column_type, &n);
		bc->labels = labels;
		bc->nlabels = n;
		ts->labelsets = xrealloc(ts->labelsets, (ts->nlabelsets + 1) * sizeof(*ts->labelsets));
		ts->labelsets[ts->nlabelsets].v = labels;
		ts->labelsets[ts->nlabelsets++].n = n;
	}
}

bool
tables_apply_hints(table_set *ts, stream_table *t, binlog_table *bt)
{
	bt->user = t;
	bt->wanted = false;
	if (!tables_map_matches(bt, &t->pt))
		return false;
	for (size_t c = 0; c < bt->ncols; c++)
		column_hints(ts, &bt->cols[c], &t->pt.cols[c]);
	bt->wanted = true;
	return true;
}

bool
tables_describe_map(binlog_table *bt, void *ctx, char *errbuf, size_t errlen)
{
	stream_run *r = ctx;
	stream_table *t = tables_find(&r->tables, r->cfg.src.schema, bt->db, NULL, bt->name);

	(void) errbuf;
	(void) errlen;
	bt->wanted = false;
	bt->user = t;
	/* a pending schema change is carried by the pipeline when it sees this
	 * map, which then describes it with the new description; a map that
	 * does not match stops the table when rows come */
	if (t && !t->ddl_pending)
		(void) tables_apply_hints(&r->tables, t, bt);
	return true;
}
