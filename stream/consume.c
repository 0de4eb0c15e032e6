/*
 * The Kafka consumer loop (consume.h).
 *
 * Offsets: `consumed` holds the next offset of every partition as of the
 * current batch, and as of the last commit; after PostgreSQL refused a
 * value of a batch, the consumer goes back to the committed offsets and
 * replays up to `until` one message per transaction. Per partition it also
 * keeps the key of the last event when it was a delete, for the tombstone rule
 * (apply_tombstone).
 */
#include "stream/consume.h"

#include "common/control.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/xalloc.h"
#include "stream/dbz_decode.h"
#include "stream/ddl.h"
#include "stream/ddl_apply.h"
#include "stream/place.h"
#include "stream/sink_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct consumed {
	kafka_offset *v;            /* the next offset per partition, as of the current batch */
	buf        *lastkey;        /* per partition: the key of the last event, when it was a delete */
	size_t      n;
	bool        dirty;          /* moved since the last commit */
	kafka_offset *committed;    /* v as of the last commit */
	size_t      ncommitted;
	kafka_offset *until;        /* replaying one message per batch up to these */
	size_t      nuntil;
} consumed;

typedef struct consumer_run {
	stream_run *r;
	kafka_consumer *kc;
	char      **topics;         /* one per active table */
	stream_table **owner;       /* the table of each topic */
	size_t      ntopics;
	consumed    c;
	long long   dead;           /* dead letters so far */
	long long  *skipped;        /* per topic: events before the watermark in this batch */
	uint32_t    wm_sid;         /* the MariaDB server the watermarks were taken on, 0 unknown */
	bool        takeover_apply; /* KAFKA_TAKEOVER=apply: events that cannot be placed apply */
} consumer_run;

/* offsets_copy: *dst (of *ndst) becomes a copy of src */
static void
offsets_copy(kafka_offset **dst, size_t *ndst, const kafka_offset *src, size_t n)
{
	free(*dst);
	*dst = NULL;
	if (n) {
		*dst = xmalloc(n * sizeof(kafka_offset));
		memcpy(*dst, src, n * sizeof(kafka_offset));
	}
	*ndst = n;
}

/* consumed_note: partition's next offset; returns the partition's index */
static size_t
consumed_note(consumed *c, const char *topic, int32_t partition, int64_t next)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].partition == partition && strcmp(c->v[i].topic, topic) == 0) {
			c->v[i].next = next;
			c->dirty = true;
			return i;
		}
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(kafka_offset));
	c->lastkey = xrealloc(c->lastkey, (c->n + 1) * sizeof(buf));
	snprintf(c->v[c->n].topic, sizeof(c->v[c->n].topic), "%s", topic);
	c->v[c->n].partition = partition;
	c->v[c->n].next = next;
	c->lastkey[c->n] = (buf) BUF_INIT;
	c->dirty = true;
	return c->n++;
}

static void
consumed_free(consumed *c)
{
	for (size_t i = 0; i < c->n; i++)
		buf_free(&c->lastkey[i]);
	free(c->lastkey);
	free(c->v);
	free(c->committed);
	free(c->until);
}

/* tombstone_follows: whether a tombstone with this key comes right after a
 * delete of the same key on its partition (the delete it closes) */
static bool
tombstone_follows(const consumed *c, size_t part, const kafka_msg *m)
{
	const buf *k = &c->lastkey[part];

	return m->key && k->len == m->keylen && k->len > 0 && memcmp(k->data, m->key, m->keylen) == 0;
}

/* commit: the batch with the offsets past it, in one transaction;
 * SINK_REFUSED with *why when PostgreSQL refused a staged value */
static sink_result
commit(consumer_run *cr, const char **why)
{
	stream_run *r = cr->r;
	consumed *c = &cr->c;

	*why = NULL;
	if (!c->dirty && r->sk->ops->pending(r->sk) == 0)
		return SINK_DONE;
	buf topics = BUF_INIT, parts = BUF_INIT, offs = BUF_INIT;
	for (size_t i = 0; i < c->n; i++) {
		char p[16], o[24];
		snprintf(p, sizeof(p), "%d", c->v[i].partition);
		snprintf(o, sizeof(o), "%" PRId64, c->v[i].next);
		pg_array_add(&topics, c->v[i].topic, i == 0);
		pg_array_add(&parts, p, i == 0);
		pg_array_add(&offs, o, i == 0);
	}
	buf_putc(&topics, '}');
	buf_putc(&parts, '}');
	buf_putc(&offs, '}');
	/* the events skipped as before the watermark, per table */
	buf stabs = BUF_INIT, snums = BUF_INIT;
	size_t ns = 0;
	for (size_t i = 0; i < cr->ntopics; i++) {
		if (!cr->skipped[i])
			continue;
		char n[24];
		snprintf(n, sizeof(n), "%lld", cr->skipped[i]);
		pg_array_add(&stabs, cr->owner[i]->pt.source, ns == 0);
		pg_array_add(&snums, n, ns++ == 0);
	}
	buf_puts(&stabs, ns ? "}" : "{}");
	buf_puts(&snums, ns ? "}" : "{}");
	const char *params[] = { topics.data, parts.data, offs.data, stabs.data, snums.data };
	sink_result res = sink_pg_commit_with(r->sk, &r->tables, NULL, CONTROL_SQL_OFFSETS_SET, 5, params, why);
	buf_free(&topics);
	buf_free(&parts);
	buf_free(&offs);
	buf_free(&stabs);
	buf_free(&snums);
	if (res != SINK_DONE)
		return res;
	memset(cr->skipped, 0, cr->ntopics * sizeof(long long));
	c->dirty = false;
	run_outage_over(r);
	offsets_copy(&c->committed, &c->ncommitted, c->v, c->n);
	kafka_consumer_commit(cr->kc, c->v, c->n);
	if (r->sk->ev->tables_changed) {
		r->sk->ev->tables_changed = false;
		*r->reload_requested = 1;
	}
	return SINK_DONE;
}

/* rewind: after PostgreSQL refused a value of the batch (why), goes back to
 * the last commit and replays the batch's messages one per transaction,
 * so that the one refused is found and set aside (dead_letter) and the
 * others apply. False when the consumer could not be rewound or a replay
 * is already under way. */
static bool
rewind_batch(consumer_run *cr, const char *why)
{
	stream_run *r = cr->r;
	consumed *c = &cr->c;

	r->sk->ops->rollback(r->sk, &r->tables);
	if (c->until) {
		log_error("PostgreSQL refused a value while replaying messages one at a time: %s", why);
		return false;
	}
	log_notice("PostgreSQL refused a value of a batch of database \"%s\" (%s); applying the batch's messages "
			   "one at a time to set the refused one aside", r->cfg.src.name, why);
	offsets_copy(&c->until, &c->nuntil, c->v, c->n);
	if (!kafka_consumer_assign(cr->kc, (const char **) cr->topics, cr->ntopics, c->committed, c->ncommitted, 0))
		return false;
	for (size_t i = 0; i < c->n; i++)
		buf_free(&c->lastkey[i]);
	offsets_copy(&c->v, &c->n, c->committed, c->ncommitted);
	c->lastkey = xrealloc(c->lastkey, (c->n + 1) * sizeof(buf));
	for (size_t i = 0; i < c->n; i++)
		c->lastkey[i] = (buf) BUF_INIT;
	c->dirty = false;
	return true;
}

/* commit_or_rewind: a batch commit; a refused value starts a replay.
 * Returns the loop's fate: -1 end with *end, 0 go on, 1 the batch was
 * rewound (continue reading) */
static int
commit_or_rewind(consumer_run *cr, loop_end *end)
{
	const char *why;
	sink_result res = commit(cr, &why);

	if (res == SINK_DONE)
		return 0;
	if (res == SINK_REFUSED && rewind_batch(cr, why))
		return 1;
	*end = res == SINK_RETRY ? END_RETRY : END_FATAL;
	return -1;
}

/* replay_done: whether every partition is past the refused batch again */
static bool
replay_done(const consumed *c)
{
	for (size_t u = 0; u < c->nuntil; u++) {
		bool past = false;
		for (size_t i = 0; i < c->n && !past; i++)
			past = c->v[i].partition == c->until[u].partition && strcmp(c->v[i].topic, c->until[u].topic) == 0 &&
				c->v[i].next >= c->until[u].next;
		if (!past)
			return false;
	}
	return true;
}

/* dead_letter: a message that cannot be applied, recorded with the batch
 * (or fatal with KAFKA_DEAD_LETTER=fatal) */
static sink_result
dead_letter(consumer_run *cr, const kafka_msg *m, const char *reason)
{
	stream_run *r = cr->r;

	if (r->ks.dead_letter_fatal) {
		log_error_dh(reason, "Set KAFKA_DEAD_LETTER=table to set such messages aside and go on.",
					 "cannot apply the message at offset %" PRId64 " of topic \"%s\" partition %d",
					 m->offset, m->topic, m->partition);
		return SINK_FATAL;
	}
	buf k = BUF_INIT, v = BUF_INIT;
	char part[16], off[24];
	snprintf(part, sizeof(part), "%d", m->partition);
	snprintf(off, sizeof(off), "%" PRId64, m->offset);
	if (m->key)
		hex_append(&k, m->key, m->keylen);
	if (m->value)
		hex_append(&v, m->value, m->len);
	const char *params[] = { m->topic, part, off, m->key ? k.data ? k.data : "" : NULL,
							 m->value ? v.data ? v.data : "" : NULL, reason };
	sink_result res = sink_pg_control(r->sk, CONTROL_SQL_DEAD_LETTER, 6, params);
	buf_free(&k);
	buf_free(&v);
	if (res == SINK_DONE) {
		cr->dead++;
		metrics_stream_dead_letter();
		log_warning_dh(reason, "See the kafka_dead_letters table of the control schema.",
					   "message at offset %" PRId64 " of topic \"%s\" partition %d set aside", m->offset, m->topic,
					   m->partition);
	}
	return res;
}

/* refusal_reason: why a message cannot be applied, naming the database and
 * the message's key before what (which names the table and the column) */
static void
refusal_reason(const consumer_run *cr, const kafka_msg *m, const char *what, char *out, size_t outlen)
{
	char key[160];
	size_t n = 0;

	for (size_t i = 0; m->key && i < m->keylen && n + 4 < sizeof(key); i++) {
		unsigned char c = (unsigned char) m->key[i];
		key[n++] = c >= 0x20 && c != 0x7f ? (char) c : '?';
	}
	if (m->key && n + 4 >= sizeof(key) && n < m->keylen) {
		memcpy(key + n, "...", 3);
		n += 3;
	}
	key[n] = '\0';
	snprintf(out, outlen, "database \"%s\", key %s: %s", cr->r->cfg.src.name, m->key ? key : "null", what);
}

/* apply_change: one row change through the sink; a refused value is set
 * aside with the message */
static sink_result
apply_change(consumer_run *cr, stream_table *t, const kafka_msg *m, binlog_rows_kind kind, const binlog_row *row,
			 const char *reason)
{
	sink_result res = cr->r->sk->ops->row(cr->r->sk, t, kind, row, NULL);
	char full[1400];

	if (res != SINK_REFUSED)
		return res;
	refusal_reason(cr, m, reason, full, sizeof(full));
	return dead_letter(cr, m, full);
}

/* apply_tombstone: a tombstone right after its key's delete event only lets
 * compaction drop the key (and must not undo the watermark's skip of that
 * delete); one on its own is the delete, as ExtractNewRecordState's default
 * delete.handling.mode=drop leaves it, and deletes its key as Debezium's
 * JDBC sink does */
static sink_result
apply_tombstone(consumer_run *cr, stream_table *t, size_t part, const kafka_msg *m)
{
	dbz_event ev = DBZ_EVENT_INIT;
	char why[1024];
	sink_result res = SINK_DONE;

	ev.modes = &cr->r->ks.modes;
	if (t->pt.nkey == 0 || !m->key || tombstone_follows(&cr->c, part, m))
		return SINK_DONE;
	if (!dbz_parse(&t->pt, NULL, 0, &ev, why, sizeof(why)) || !dbz_parse_key(&t->pt, m->key, m->keylen, &ev, why,
																			   sizeof(why))) {
		char reason[1400];
		refusal_reason(cr, m, why, reason, sizeof(reason));
		res = dead_letter(cr, m, reason);
	}
	else {
		binlog_row row = { ev.key, NULL };
		res = apply_change(cr, t, m, BINLOG_ROWS_DELETE, &row, "a key the type map refuses");
	}
	dbz_event_free(&ev);
	return res;
}

/* apply_event: a decoded event that is not before the table's watermark */
static sink_result
apply_event(consumer_run *cr, stream_table *t, const kafka_msg *m, const dbz_event *ev)
{
	binlog_row row = { NULL, NULL };
	binlog_rows_kind kind = BINLOG_ROWS_INSERT;

	if (ev->op == DBZ_TRUNCATE)
		return cr->r->sk->ops->truncate(cr->r->sk, t);
	if (ev->op == DBZ_READ) {
		row.after = ev->after;
		return !ev->after ? SINK_DONE : apply_change(cr, t, m, kind, &row, "a value the type map refuses");
	}
	if (!ev->op)
		return SINK_DONE;
	if (ev->op == DBZ_DELETE) {
		kind = BINLOG_ROWS_DELETE;
		row.before = ev->before;
	} else if (ev->op == DBZ_UPDATE && ev->before) {
		kind = BINLOG_ROWS_UPDATE;
		row.before = ev->before;
		row.after = ev->after;
	} else
		row.after = ev->after;  /* create, or an upsert without its before image */
	if ((kind == BINLOG_ROWS_DELETE && !row.before) || (kind != BINLOG_ROWS_DELETE && !row.after))
		return dead_letter(cr, m, "the event lacks the row image its operation needs");
	return apply_change(cr, t, m, kind, &row, "a value the type map refuses (see the log)");
}

/*
 * evolve: the fields of ev that name no column of t, added to it as
 * Debezium's JDBC sink does with schema.evolution=basic: each a nullable
 * column typed from its Connect schema (dbz_added_alter's ALTER TABLE,
 * interpreted against the table's description as a binlog DDL statement
 * is, and carried to PostgreSQL as ddl_diff gives it). The batch so far
 * commits first, without this message (its offset not yet past it); the
 * change commits on its own, recorded as the table's description, so the
 * caller then reads the message again with the new columns. SINK_REFUSED
 * with why when no column can be added for a field, or PostgreSQL refuses
 * the change; *rewound when the batch before it had a value PostgreSQL
 * refused and is being replayed (this message comes again).
 */
static sink_result
evolve(consumer_run *cr, stream_table *t, size_t part, const kafka_msg *m, const dbz_event *ev, bool *rewound,
	   char *why, size_t whylen)
{
	stream_run *r = cr->r;
	ddl_apply_env env = { 0 };
	plan_env penv = { .cfg = &r->cfg, .postgis = r->postgis, .batch_size = 100000, .threshold = 0 };
	plan_table np;
	buf ddl = BUF_INIT;
	char *described = NULL;
	char *sql = dbz_added_alter(&t->pt, ev, why, whylen);
	sink_result res = SINK_REFUSED;
	int64_t next = cr->c.v[part].next;
	const char *cwhy;

	*rewound = false;
	memset(&np, 0, sizeof(np));
	if (!sql)
		goto out;
	if (!t->pt.described) {
		snprintf(why, whylen, "table \"%s\" has no recorded description to add columns to", t->pt.source);
		goto out;
	}
	if (!ddl_apply(t->pt.described, t->pt.source, sql, &env, &described, why, whylen))
		goto out;
	if (!plan_table_load_described(described, &penv, t->pt.allow, &np)) {
		snprintf(why, whylen, "table \"%s\": could not describe it with the added columns (%s)", t->pt.source, sql);
		goto out;
	}
	if (!ddl_diff(&t->pt, &np, sql, 0, &ddl, why, whylen))
		goto out;
	cr->c.v[part].next = m->offset;     /* the batch so far, not this message */
	if ((res = commit(cr, &cwhy)) == SINK_REFUSED) {
		cr->c.v[part].next = next;
		*rewound = true;
		res = rewind_batch(cr, cwhy) ? SINK_DONE : SINK_FATAL;
		goto out;
	}
	if (res != SINK_DONE)
		goto out;
	res = r->sk->ops->schema_change(r->sk, t, ddl.data ? ddl.data : "", &np, why, whylen);
	if (res == SINK_DONE) {
		memset(&np, 0, sizeof(np));     /* t's now */
		cr->c.dirty = true;
		res = commit(cr, &cwhy);
		if (res == SINK_REFUSED)
			res = SINK_FATAL;           /* nothing but the change was in it */
		if (res == SINK_DONE)
			log_info("table \"%s\" of database \"%s\": columns added for new fields of %s[%d] offset %" PRId64
					 ": %s", t->pt.source, r->cfg.src.name, m->topic, m->partition, m->offset, ddl.data);
	}
	if (cr->c.n > part)
		cr->c.v[part].next = next;
out:
	plan_table_free(&np);
	buf_free(&ddl);
	free(described);
	free(sql);
	return res;
}

/* apply_value: a message with a value */
static sink_result
apply_value(consumer_run *cr, stream_table *t, size_t part, const kafka_msg *m)
{
	dbz_event ev = DBZ_EVENT_INIT;
	char why[1024], reason[1400];
	sink_result res = SINK_DONE;
	bool parsed;

	ev.modes = &cr->r->ks.modes;
	buf_reset(&cr->c.lastkey[part]);
	parsed = dbz_parse(&t->pt, m->value, m->len, &ev, why, sizeof(why));
	if (parsed && ev.nadded > 0) {
		/* fields the table lacks, with their schema: columns added, then
		 * the message read again */
		bool rewound;
		res = evolve(cr, t, part, m, &ev, &rewound, why, sizeof(why));
		if (res != SINK_DONE || rewound) {
			dbz_event_free(&ev);
			if (res != SINK_REFUSED)
				return res;
			refusal_reason(cr, m, why, reason, sizeof(reason));
			return dead_letter(cr, m, reason);
		}
		parsed = dbz_parse(&t->pt, m->value, m->len, &ev, why, sizeof(why));
		if (parsed && ev.nadded > 0) {
			snprintf(why, sizeof(why), "table \"%s\": field \"%.200s\" still names no column after it was added",
					 t->pt.source, ev.added[0].name);
			parsed = false;
		}
	}
	if (!parsed) {
		refusal_reason(cr, m, why, reason, sizeof(reason));
		res = dead_letter(cr, m, reason);
	} else {
		if (ev.op == DBZ_DELETE && m->key)
			buf_append(&cr->c.lastkey[part], m->key, m->keylen);    /* the tombstone after it closes it */
		metrics_stream_read((uint32_t) (ev.ts_ms / 1000));
		/* migrate's copy already holds what came before its watermark */
		place_source ps = { .gtid = ev.gtid, .server_id = ev.server_id, .file = ev.file, .pos = ev.pos,
							.has_pos = ev.has_pos };
		place_result pl = place_event(&ps, &t->snapshot, cr->wm_sid, why, sizeof(why));
		if (pl == PLACE_BEFORE) {
			log_debug("table \"%s\": %s[%d] offset %" PRId64 " skipped: %s", t->pt.source, m->topic, m->partition,
					  m->offset, why);
			for (size_t i = 0; i < cr->ntopics; i++)
				if (cr->owner[i] == t)
					cr->skipped[i]++;
			metrics_stream_kafka_skipped(t->pt.source);
		} else if (pl == PLACE_AFTER || cr->takeover_apply)
			res = apply_event(cr, t, m, &ev);
		else {
			char detail[1400];
			snprintf(detail, sizeof(detail), "%s[%d] offset %" PRId64 ": %s", m->topic, m->partition, m->offset, why);
			log_error_dh(detail, "Set KAFKA_TAKEOVER=apply to apply the events that cannot be placed (those from "
						 "before the copy are applied again over it; the table converges with the events after "
						 "them), or consume a topic whose events carry MariaDB GTIDs.",
						 "cannot tell whether an event of table \"%s\" of database \"%s\" comes before or after "
						 "migrate's watermark %s:%" PRIu64 "%s%s", t->pt.source, cr->r->cfg.src.name,
						 t->snapshot.file, t->snapshot.pos, t->snapshot.gtid[0] ? ", GTID " : "", t->snapshot.gtid);
			res = SINK_FATAL;
		}
	}
	dbz_event_free(&ev);
	return res;
}

/* apply_message: one message, and its offset noted */
static sink_result
apply_message(consumer_run *cr, const kafka_msg *m)
{
	stream_table *t = NULL;

	for (size_t i = 0; i < cr->ntopics && !t; i++)
		if (strcmp(cr->topics[i], m->topic) == 0)
			t = cr->owner[i];
	size_t part = consumed_note(&cr->c, m->topic, m->partition, m->offset + 1);
	if (!t)
		return dead_letter(cr, m, "a topic of no allowlisted table");
	return m->value ? apply_value(cr, t, part, m) : apply_tombstone(cr, t, part, m);
}

/* replay_commit: while replaying a refused batch, one message per
 * transaction; the one PostgreSQL refuses is set aside with its reason */
static sink_result
replay_commit(consumer_run *cr, const kafka_msg *m)
{
	const char *why;
	sink_result res = commit(cr, &why);

	if (res != SINK_REFUSED)
		return res;
	char reason[1100];
	snprintf(reason, sizeof(reason), "PostgreSQL refused it: %s", why);
	cr->r->sk->ops->rollback(cr->r->sk, &cr->r->tables);
	if ((res = dead_letter(cr, m, reason)) != SINK_DONE)
		return res;
	res = commit(cr, &why);
	return res == SINK_REFUSED ? SINK_FATAL : res;
}

/* consumer_start: topics, stored offsets, the consumer assigned to them */
static loop_end
consumer_start(consumer_run *cr)
{
	stream_run *r = cr->r;
	char errbuf[1024];
	control_offset *stored;
	size_t nstored;

	cr->topics = xcalloc(r->tables.n + 1, sizeof(char *));
	cr->owner = xcalloc(r->tables.n + 1, sizeof(stream_table *));
	cr->skipped = xcalloc(r->tables.n + 1, sizeof(long long));
	cr->takeover_apply = r->ks.takeover_apply;
	char *sid = NULL;
	if (r->meta && maria_query_value(r->meta, "SELECT @@server_id", &sid, errbuf, sizeof(errbuf)) && sid)
		cr->wm_sid = (uint32_t) strtoul(sid, NULL, 10);
	free(sid);
	for (size_t i = 0; i < r->tables.n; i++) {
		if (!r->tables.v[i].active)
			continue;
		cr->topics[cr->ntopics] = dbz_topic(r->ks.prefix, r->cfg.src.schema, r->tables.v[i].pt.source);
		cr->owner[cr->ntopics++] = &r->tables.v[i];
	}
	if (!control_offsets_get(apply_conn(r->a), &r->ctl, &stored, &nstored, errbuf, sizeof(errbuf))) {
		log_error("could not read the consumed offsets of database \"%s\": %s", r->cfg.src.name, errbuf);
		return END_RETRY;
	}
	for (size_t i = 0; i < nstored; i++)
		consumed_note(&cr->c, stored[i].topic, stored[i].partition, stored[i].next);
	control_offsets_free(stored, nstored);
	cr->c.dirty = false;
	offsets_copy(&cr->c.committed, &cr->c.ncommitted, cr->c.v, cr->c.n);
	if (!(cr->kc = kafka_consumer_open(&r->ks, r->cfg.src.name)) ||
		!kafka_consumer_assign(cr->kc, (const char **) cr->topics, cr->ntopics, cr->c.v, cr->c.n, 10000))
		return END_RETRY;
	log_info("applying %zu Debezium topic(s) of database \"%s\" (prefix \"%s\") from Kafka", cr->ntopics,
			 r->cfg.src.name, r->ks.prefix);
	return END_RESTART;     /* started */
}

/* on_request: a stop or reload request: the batch commits first */
static int
on_request(consumer_run *cr, loop_end *end)
{
	stream_run *r = cr->r;
	int fate = commit_or_rewind(cr, end);

	if (fate != 0)
		return fate;
	if (*r->stop_requested) {
		log_info("stopping on request");
		*end = END_STOP;
		return -1;
	}
	*r->reload_requested = 0;
	log_info("reloading the allowlist and table states of database \"%s\"", r->cfg.src.name);
	*end = tables_load(r) ? END_RESTART : END_RETRY;
	if (*end == END_RETRY)
		*r->reload_requested = 1;
	return -1;
}

/* on_idle: no message came: a batch old enough commits; once a second
 * migrate's notices are looked at */
static int
on_idle(consumer_run *cr, double *batch_started, double *last_idle_check, loop_end *end)
{
	stream_run *r = cr->r;
	double now = run_now();

	if ((r->sk->ops->pending(r->sk) > 0 || cr->c.dirty) && (now - *batch_started) * 1000 >= r->o.batch_ms) {
		int fate = commit_or_rewind(cr, end);
		if (fate != 0)
			return fate;
		*batch_started = 0;
	}
	metrics_stream_idle();  /* caught up when the batch is committed */
	if (now - *last_idle_check >= 1.0) {
		bool notified = false;
		*last_idle_check = now;
		if (!apply_notified(r->a, &notified)) {
			log_error("lost the sink connection of database \"%s\" while idle", r->cfg.src.name);
			*end = END_RETRY;
			return -1;
		}
		if (notified)
			*r->reload_requested = 1;
	}
	return 0;
}

loop_end
consume_loop(stream_run *r)
{
	consumer_run cr = { .r = r };
	loop_end end = consumer_start(&cr);
	double batch_started = 0, last_idle_check = run_now();

	if (end != END_RESTART)
		goto out;
	end = END_RETRY;
	for (;;) {
		int fate = 0;
		if (*r->stop_requested || *r->reload_requested)
			fate = on_request(&cr, &end);
		if (fate < 0)
			break;
		if (fate > 0)
			continue;
		kafka_msg m;
		int got = kafka_consumer_next(cr.kc, 100, &m);
		if (got < 0)
			break;
		if (got == 0) {
			if (on_idle(&cr, &batch_started, &last_idle_check, &end) < 0)
				break;
			continue;
		}
		if (batch_started == 0)
			batch_started = run_now();
		metrics_stream_consumed();
		sink_result res = apply_message(&cr, &m);
		bool replaying = res == SINK_DONE && cr.c.until;
		if (replaying)
			res = replay_commit(&cr, &m);
		kafka_msg_done(&m);
		if (res != SINK_DONE) {
			end = res == SINK_RETRY && !r->ks.dead_letter_fatal ? END_RETRY : END_FATAL;
			break;
		}
		if (replaying) {
			if (replay_done(&cr.c)) {
				log_info("the refused batch of database \"%s\" is replayed; applying in batches again",
						 r->cfg.src.name);
				offsets_copy(&cr.c.until, &cr.c.nuntil, NULL, 0);
			}
			batch_started = 0;
			continue;
		}
		/* while messages keep coming, a batch fills up to --batch-rows (or a
		 * second); the moment the consumer is idle it commits (on_idle) */
		if (r->sk->ops->pending(r->sk) >= r->o.batch_rows || run_now() - batch_started >= 1.0) {
			if ((fate = commit_or_rewind(&cr, &end)) < 0)
				break;
			batch_started = 0;
		}
	}
out:
	if (end != END_STOP && end != END_RESTART)
		r->sk->ops->rollback(r->sk, &r->tables);
	kafka_consumer_close(cr.kc);
	for (size_t i = 0; i < cr.ntopics; i++)
		free(cr.topics[i]);
	free(cr.topics);
	free(cr.owner);
	free(cr.skipped);
	consumed_free(&cr.c);
	return end;
}
