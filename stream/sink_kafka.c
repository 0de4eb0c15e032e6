/*
 * The Kafka sink (sink_kafka.h). Rows go to kafka_row as they are decoded;
 * commit closes a batch with kafka_mark and settles; settle asks kafka.c
 * for the latest mark whose events are all acknowledged and records it
 * (record()), which is the only place the published position moves.
 *
 * The schema history: `durable` holds every published table's description
 * at the published position and is recorded with it. A carried schema
 * change waits in `changes` with the mark of its batch, and joins
 * `durable` when that mark is recorded; a rollback forgets it (the run
 * reads the tables again from the durable descriptions).
 */
#include "stream/sink_kafka.h"

#include "common/log.h"
#include "common/maria.h"
#include "common/metrics.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sink_kafka {
	sink        base;           /* first: a sink_kafka is a sink */
	const kafka_settings *ks;
	const char *dbname;
	apply     **control;        /* the control schema's session; NULL: the checkpoint file */
	const control *ctl;
	uint32_t    replica_sid;
	kafka_sink *k;
	binlogpos   published;      /* the durable position recorded last */
	binlogpos   marked;         /* the batch end marked last (schema change events' source) */
	uint32_t    marked_sid;     /* its source server id */
	uint32_t    marked_ts;      /* its source commit time */
	json_t     *durable;        /* table name: description, at published */
	bool        durable_dirty;  /* changed since last recorded */
	struct change {
		binlogpos   mark;       /* its batch's end; file "" while the batch is open */
		char       *table;
		char       *described;
	}          *changes;
	size_t      nchanges;
} sink_kafka;

/* forget_changes: the changes not yet durable: all of them (a new
 * producer publishes everything after the durable position again), or
 * those of the open batch only (a rollback: marked batches are in flight
 * and may still be acknowledged) */
static void
forget_changes(sink_kafka *s, bool unmarked_only)
{
	size_t keep = 0;

	for (size_t i = 0; i < s->nchanges; i++) {
		if (unmarked_only && s->changes[i].mark.file[0]) {
			s->changes[keep++] = s->changes[i];
			continue;
		}
		free(s->changes[i].table);
		free(s->changes[i].described);
	}
	s->nchanges = keep;
	if (keep == 0) {
		free(s->changes);
		s->changes = NULL;
	}
}

/* fold_changes: the changes whose batch ends at or before pos become
 * durable descriptions */
static void
fold_changes(sink_kafka *s, const binlogpos *pos)
{
	size_t keep = 0;

	for (size_t i = 0; i < s->nchanges; i++) {
		struct change *c = &s->changes[i];
		if (c->mark.file[0] && binlogpos_cmp(&c->mark, pos) <= 0) {
			json_object_set_new(s->durable, c->table, json_string(c->described));
			s->durable_dirty = true;
			free(c->table);
			free(c->described);
		} else
			s->changes[keep++] = *c;
	}
	s->nchanges = keep;
}

/* record: pos (acknowledged by Kafka) becomes where publishing resumes */
static sink_result
record(sink_kafka *s, const binlogpos *pos, uint32_t sid, uint32_t ts)
{
	char errbuf[1024];

	fold_changes(s, pos);
	/* the descriptions go with the position: in the same statement, or the
	 * same file */
	char *schemas = s->durable_dirty || !s->control ? json_dumps(s->durable, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	bool ok = s->control ? control_publish_set(apply_conn(*s->control), s->ctl, s->ks->prefix, pos, sid, ts,
											   schemas, errbuf, sizeof(errbuf))
		: kafka_checkpoint_write(s->ks, s->dbname, pos, sid, ts, schemas, errbuf, sizeof(errbuf));
	free(schemas);
	if (ok)
		s->durable_dirty = false;

	if (!ok) {
		if (s->control)
			log_error("could not record the published position of database \"%s\": %s", s->dbname, errbuf);
		else
			log_error_dh(errbuf, "Make the checkpoint file writable (KAFKA_CHECKPOINT_FILE); the stream retries and "
						 "publishes again from the last recorded position.",
						 "could not record the published position of database \"%s\" in \"%s\"", s->dbname,
						 s->ks->checkpoint_file);
		return SINK_RETRY;
	}
	s->published = *pos;
	s->base.ev->on_durable(s->base.ev->ctx, pos, ts);
	return SINK_DONE;
}

/* settle_now: records the position Kafka has acknowledged everything up
 * to, when it moved (waiting up to wait_ms for the oldest batch) */
static sink_result
settle_now(sink_kafka *s, int wait_ms)
{
	binlogpos pos = s->published;
	uint32_t sid = 0, ts = 0;
	bool advanced;

	if (!kafka_durable(s->k, wait_ms, &pos, &sid, &ts, &advanced))
		return SINK_RETRY;
	return advanced ? record(s, &pos, sid, ts) : SINK_DONE;
}

static void
k_table_open(sink *sk, stream_table *t)
{
	(void) sk;
	(void) t;
}

static void
k_table_close(sink *sk, stream_table *t)
{
	(void) sk;
	(void) t;
}

static sink_result
k_row(sink *sk, stream_table *t, binlog_rows_kind kind, const binlog_row *row, const sink_origin *o)
{
	sink_kafka *s = (sink_kafka *) sk;
	kafka_source ks = { .file = o->at->file, .pos = o->at->pos, .gtid = o->gtid, .server_id = o->server_id,
						.ts = o->ts, .row = o->row };

	/* a value that cannot be represented, or a producer failure: logged;
	 * neither gets better by publishing it again */
	if (!kafka_row(s->k, &t->pt, o->db, kind, row, &ks))
		return SINK_FATAL;
	metrics_stream_published(t->pt.source, kind, 1);
	return SINK_DONE;
}

static sink_result
k_truncate(sink *sk, stream_table *t)
{
	(void) sk;
	/* as Debezium's MySQL connector by default (skipped.operations=t) */
	log_notice("table \"%s\": TRUNCATE not published (Debezium consumers do not expect it)", t->pt.source);
	return SINK_DONE;
}

/* schema_of_table: the MariaDB schema of pt, from its qualified name
 * `schema`.`table` (a heap string) */
static char *
schema_of_table(const plan_table *pt)
{
	buf b = BUF_INIT;

	for (const char *p = pt->qsource + (pt->qsource[0] == '`'); *p; p++) {
		if (*p == '`' && p[1] == '`')
			p++;
		else if (*p == '`')
			break;
		buf_putc(&b, *p);
	}
	return b.data ? b.data : xstrdup("");
}

/*
 * k_schema_change: the events that follow carry np's columns; before them,
 * unless KAFKA_SCHEMA_CHANGES=off, a schema change event with the statement
 * (t->ddl_pending) and np goes to the schema change topic, in the open
 * batch like a row, so the position past it is recorded only once Kafka has
 * it. The pipeline does not hand the sink the statement's own position: the
 * event's source is the batch end marked last (normally the end of the
 * statement's own transaction, which closes a batch), or the durable
 * position before any.
 */
static sink_result
k_schema_change(sink *sk, stream_table *t, const char *ddl, plan_table *np, char *why, size_t whylen)
{
	sink_kafka *s = (sink_kafka *) sk;
	const binlogpos *at = s->marked.file[0] ? &s->marked : &s->published;
	kafka_source ks = { .file = at->file, .pos = at->pos, .gtid = at->gtid, .server_id = s->marked_sid,
						.ts = s->marked_ts ? s->marked_ts : (uint32_t) time(NULL) };
	const char *stmt = t->ddl_pending ? t->ddl_pending : "";

	(void) ddl;     /* PostgreSQL's side of it: the stream's business, not the publisher's */
	(void) why;
	(void) whylen;
	/* a producer failure or an event that cannot be built: logged, and
	 * neither gets better by publishing it again (as for rows); np stays
	 * the caller's */
	if (s->ks->schema_changes) {
		char *db = schema_of_table(np);
		bool ok = kafka_schema_change(s->k, np, DBZ_DDL_ALTER, db, stmt, &ks);
		free(db);
		if (!ok)
			return SINK_FATAL;
	}
	plan_table_free(&t->pt);
	t->pt = *np;
	s->changes = xrealloc(s->changes, (s->nchanges + 1) * sizeof(*s->changes));
	s->changes[s->nchanges++] = (struct change) { .table = xstrdup(t->pt.source),
												  .described = xstrdup(t->pt.described) };
	log_info("table \"%s\": events follow the schema change%s: %.600s", t->pt.source,
			 s->ks->schema_changes ? " (published to the schema change topic)" : "", stmt);
	free(t->ddl_pending);
	t->ddl_pending = NULL;
	return SINK_DONE;
}

/* k_table_dropped: a DROP schema change event (unless KAFKA_SCHEMA_CHANGES=off),
 * in the open batch like a row */
static sink_result
k_table_dropped(sink *sk, stream_table *t, const char *sql)
{
	sink_kafka *s = (sink_kafka *) sk;
	const binlogpos *at = s->marked.file[0] ? &s->marked : &s->published;
	kafka_source ks = { .file = at->file, .pos = at->pos, .gtid = at->gtid, .server_id = s->marked_sid,
						.ts = s->marked_ts ? s->marked_ts : (uint32_t) time(NULL) };

	if (!s->ks->schema_changes)
		return SINK_DONE;
	char *db = schema_of_table(&t->pt);
	bool ok = kafka_schema_change(s->k, &t->pt, DBZ_DDL_DROP, db, sql, &ks);
	free(db);
	if (ok)
		log_info("table \"%s\": DROP published to the schema change topic", t->pt.source);
	return ok ? SINK_DONE : SINK_FATAL;
}

static sink_result
k_rename_table(sink *sk, stream_table *t, plan_table *np, char *why, size_t whylen)
{
	(void) sk;
	(void) t;
	(void) np;
	/* the new name is a new topic: published from a snapshot of its own */
	snprintf(why, whylen, "the publisher does not follow a rename; the new name is published from a snapshot");
	return SINK_REFUSED;
}

static void
k_table_stopped(sink *sk, stream_table *t, const char *why)
{
	(void) sk;
	(void) t;
	(void) why;     /* the control row's error belongs to the stream into PostgreSQL */
}

static sink_result
k_commit(sink *sk, table_set *ts, const binlogpos *pos, uint32_t source_sid, uint32_t tstamp)
{
	sink_kafka *s = (sink_kafka *) sk;

	(void) ts;
	for (size_t i = 0; i < s->nchanges; i++)
		if (!s->changes[i].mark.file[0])
			s->changes[i].mark = *pos;
	s->marked = *pos;
	s->marked_sid = source_sid;
	s->marked_ts = tstamp;
	if (!kafka_mark(s->k, pos, s->replica_sid, tstamp))
		return SINK_RETRY;
	return settle_now(s, 0);
}

static sink_result
k_settle(sink *sk, int wait_ms)
{
	sink_kafka *s = (sink_kafka *) sk;

	if (wait_ms > 0 && !kafka_drain(s->k, wait_ms)) {
		(void) settle_now(s, 0);
		return SINK_RETRY;
	}
	return settle_now(s, wait_ms > 0 ? 1000 : 0);
}

static bool
k_durable(const sink *sk, binlogpos *pos)
{
	*pos = ((const sink_kafka *) sk)->published;
	return true;
}

static long long
k_pending(const sink *sk)
{
	return kafka_pending(((const sink_kafka *) sk)->k);
}

static void
k_rollback(sink *sk, table_set *ts)
{
	(void) ts;      /* published events stay; the next start publishes again from the durable position */
	forget_changes((sink_kafka *) sk, true);
}

static sink_result
k_reset(sink *sk, table_set *ts)
{
	sink_kafka *s = (sink_kafka *) sk;

	(void) ts;
	/* events after the durable position are published again by a fresh
	 * producer (the old one may be poisoned) */
	forget_changes(s, false);
	kafka_close(s->k);
	s->k = kafka_open(s->ks, s->dbname);
	return s->k ? SINK_DONE : SINK_FATAL;
}

static void
k_close(sink *sk)
{
	sink_kafka *s = (sink_kafka *) sk;

	kafka_close(s->k);
	forget_changes(s, false);
	json_decref(s->durable);
	free(s);
}

static const sink_ops kafka_ops = {
	.table_open = k_table_open,
	.table_close = k_table_close,
	.row = k_row,
	.truncate = k_truncate,
	.schema_change = k_schema_change,
	.rename_table = k_rename_table,
	.table_dropped = k_table_dropped,
	.table_stopped = k_table_stopped,
	.commit = k_commit,
	.settle = k_settle,
	.durable = k_durable,
	.pending = k_pending,
	.rollback = k_rollback,
	.reset = k_reset,
	.close = k_close,
};

sink *
sink_kafka_open(const kafka_settings *ks, const char *dbname, apply **session, const control *ctl,
				uint32_t replica_sid, sink_events *ev)
{
	char errbuf[2048], *schemas = NULL;
	sink_kafka *s = xcalloc(1, sizeof(sink_kafka));
	bool ok;

	s->base.ops = &kafka_ops;
	s->base.ev = ev;
	s->ks = ks;
	s->dbname = dbname;
	s->control = session;
	s->ctl = ctl;
	s->replica_sid = replica_sid;
	if (session)
		ok = control_publish_get(apply_conn(*session), ctl, ks->prefix, &s->published, &schemas, errbuf,
								 sizeof(errbuf));
	else
		ok = kafka_checkpoint_lock(ks, errbuf, sizeof(errbuf)) >= 0 &&
			kafka_checkpoint_read(ks, dbname, &s->published, &schemas, errbuf, sizeof(errbuf)) >= 0;
	if (!ok) {
		log_error("could not read the published position of database \"%s\": %s", dbname, errbuf);
		free(s);
		return NULL;
	}
	json_error_t jerr;
	s->durable = schemas ? json_loads(schemas, 0, &jerr) : NULL;
	free(schemas);
	if (!json_is_object(s->durable)) {
		json_decref(s->durable);
		s->durable = json_object();
	}
	if (s->published.file[0])
		log_info("publishing database \"%s\" to Kafka (topic prefix \"%s\") from %s:%" PRIu64 "%s%s%s", dbname,
				 ks->prefix, s->published.file, s->published.pos, session ? "" : " (checkpoint file \"",
				 session ? "" : ks->checkpoint_file, session ? "" : "\")");
	if (!(s->k = kafka_open(ks, dbname))) {
		json_decref(s->durable);
		free(s);
		return NULL;
	}
	return &s->base;
}

const char *
sink_kafka_described(const sink *sk, const char *table)
{
	const sink_kafka *s = (const sink_kafka *) sk;

	return json_string_value(json_object_get(s->durable, table));
}

void
sink_kafka_describe(sink *sk, const char *table, const char *described)
{
	sink_kafka *s = (sink_kafka *) sk;
	const char *now = json_string_value(json_object_get(s->durable, table));

	if (now && strcmp(now, described) == 0)
		return;
	json_object_set_new(s->durable, table, json_string(described));
	s->durable_dirty = true;
}

/* snapshot_table: every row of t as an op "r" event at position at */
static bool
snapshot_table(sink_kafka *s, MYSQL *my, const char *db, stream_table *t, const binlogpos *at,
			   volatile sig_atomic_t *stop, long long *rows)
{
	buf sql = BUF_INIT;
	bool good = true;

	buf_printf(&sql, "SELECT %s FROM %s", t->pt.select_list, t->pt.qsource);
	int qrc = mysql_query(my, sql.data);
	buf_free(&sql);
	MYSQL_RES *res = qrc == 0 ? mysql_use_result(my) : NULL;
	if (!res || mysql_num_fields(res) != t->pt.ncols) {
		log_error("could not read table \"%s\" for the snapshot: %s", t->pt.source, mysql_error(my));
		if (res)
			mysql_free_result(res);
		return false;
	}
	binlog_value *img = xcalloc(t->pt.ncols, sizeof(binlog_value));
	kafka_source ks = { .file = at->file, .pos = at->pos, .gtid = at->gtid, .ts = (uint32_t) time(NULL) };
	MYSQL_ROW row;
	while (good && (row = mysql_fetch_row(res))) {
		unsigned long *lens = mysql_fetch_lengths(res);
		for (size_t c = 0; c < t->pt.ncols; c++)
			img[c] = (binlog_value) { .present = true, .data = row[c], .len = row[c] ? lens[c] : 0 };
		good = kafka_snapshot_row(s->k, &t->pt, db, img, &ks) && !*stop;
		(*rows)++;
	}
	free(img);
	if (good && mysql_errno(my)) {
		log_error("could not read table \"%s\" for the snapshot: %s", t->pt.source, mysql_error(my));
		good = false;
	}
	mysql_free_result(res);
	return good;
}

bool
sink_kafka_snapshot(sink *sk, const config_source *src, table_set *ts, volatile sig_atomic_t *stop)
{
	sink_kafka *s = (sink_kafka *) sk;
	char errbuf[1024];
	binlogpos at;
	long long rows = 0;
	bool ok = false;
	MYSQL *my = maria_connect(src, errbuf, sizeof(errbuf));

	if (!my || !maria_begin_snapshot(my, &at, errbuf, sizeof(errbuf))) {
		log_error("could not start the snapshot of database \"%s\": %s", src->name, errbuf);
		goto out;
	}
	log_info("snapshot of database \"%s\" at %s:%" PRIu64 ": publishing every row as op \"r\"", src->name, at.file,
			 at.pos);
	for (size_t i = 0; i < ts->n; i++)
		if (ts->v[i].active && !snapshot_table(s, my, src->schema, &ts->v[i], &at, stop, &rows))
			goto out;
	(void) maria_exec(my, "COMMIT", errbuf, sizeof(errbuf));
	/* the snapshot is published once Kafka has acknowledged all of it; the
	 * wait (10 minutes at most) ends early on SIGTERM, recording nothing */
	bool drained = kafka_mark(s->k, &at, 0, (uint32_t) time(NULL));
	if (drained) {
		drained = false;
		for (int waited = 0; !drained && waited < 600 && !*stop; waited++)
			drained = kafka_drain(s->k, 1000);
	}
	if (!drained || settle_now(s, 1000) != SINK_DONE || binlogpos_cmp(&s->published, &at) != 0) {
		log_error("the snapshot of database \"%s\" was not acknowledged by Kafka; nothing recorded (run it again)",
				  src->name);
		goto out;
	}
	for (size_t i = 0; i < ts->n; i++)
		ts->v[i].applied = at;
	log_info("snapshot published: %lld rows; changes follow from %s:%" PRIu64, rows, at.file, at.pos);
	ok = true;
out:
	if (my)
		mysql_close(my);
	return ok;
}

bool
sink_kafka_snapshot_table(sink *sk, const config_source *src, stream_table *t, binlogpos *at,
						  volatile sig_atomic_t *stop)
{
	sink_kafka *s = (sink_kafka *) sk;
	char errbuf[1024];
	long long rows = 0;
	bool ok = false;
	MYSQL *my = maria_connect(src, errbuf, sizeof(errbuf));

	if (!my || !maria_begin_snapshot(my, at, errbuf, sizeof(errbuf))) {
		log_error("could not start the snapshot of table \"%s\": %s", t->pt.source, errbuf);
		goto out;
	}
	log_info("table \"%s\" joined: publishing its rows as op \"r\" from a snapshot at %s:%" PRIu64
			 ", then its changes", t->pt.source, at->file, at->pos);
	if (!snapshot_table(s, my, src->schema, t, at, stop, &rows))
		goto out;
	(void) maria_exec(my, "COMMIT", errbuf, sizeof(errbuf));
	/* its rows are in Kafka before the table counts as published (10
	 * minutes at most; SIGTERM ends the wait, and the next start publishes
	 * the table again) */
	bool drained = false;
	for (int waited = 0; !drained && waited < 600 && !*stop; waited++)
		drained = kafka_drain(s->k, 1000);
	if (!drained || settle_now(s, 0) != SINK_DONE) {
		log_error("the snapshot of table \"%s\" was not acknowledged by Kafka; it is published again later",
				  t->pt.source);
		goto out;
	}
	log_info("table \"%s\": %lld rows published as op \"r\"; its changes follow from %s:%" PRIu64, t->pt.source,
			 rows, at->file, at->pos);
	ok = true;
out:
	if (my)
		mysql_close(my);
	return ok;
}
