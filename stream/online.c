/*
 * The online copy (online.h). One copier thread per stream: it waits for
 * queued tables, takes all of them as one copy run over connections of its
 * own, and reports progress while a runner thread does copy_run_all.
 */
#include "stream/online.h"

#include "common/config.h"
#include "common/control.h"
#include "common/copy.h"
#include "common/ident.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRESS_EVERY_S   1.0      /* control row and metrics */
#define PROGRESS_LOG_S    30.0      /* a log line while a table copies */
#define RETRY_FIRST_S     60.0      /* after a failed copy */
#define RETRY_MAX_S      900.0
#define LEFTOVER_RETRY_S   2.0      /* a dead process's copy session still holds the lock */

typedef enum entry_state { E_QUEUED, E_COPYING, E_FAILED } entry_state;

typedef struct entry {
	char       *table;
	entry_state state;
	unsigned    flags;          /* ONLINE_* */
	double      retry_at;       /* E_FAILED: when it is queued again */
	double      backoff;        /* the last wait after a failure */
} entry;

struct online {
	char       *env_file;
	bool        explicit_env;
	char       *dbname;
	pthread_t   thread;
	pthread_mutex_t mu;         /* entries, n, quit */
	pthread_cond_t cond;
	entry      *entries;
	size_t      n;
	bool        quit;
	volatile sig_atomic_t stop; /* the copy run's stop flag */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* find: the entry of table, or NULL (under mu) */
static entry *
find(online *o, const char *table)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->entries[i].table, table) == 0)
			return &o->entries[i];
	return NULL;
}

/* forget: removes the entry of table (under mu) */
static void
forget(online *o, const char *table)
{
	entry *e = find(o, table);

	if (!e)
		return;
	free(e->table);
	*e = o->entries[--o->n];
}

bool
online_want(online *o, const char *table, const char *why, unsigned flags)
{
	pthread_mutex_lock(&o->mu);
	entry *e = find(o, table);
	bool queued = !e;
	if (!e) {
		o->entries = xrealloc(o->entries, (o->n + 1) * sizeof(entry));
		e = &o->entries[o->n++];
		memset(e, 0, sizeof(*e));
		e->table = xstrdup(table);
		e->state = E_QUEUED;
		e->flags = flags;
		if (why)
			log_info("%s", why);
		metrics_stream_copy(table, "queued", 0, 0, 0);
		pthread_cond_signal(&o->cond);
	} else if (e->state == E_FAILED)
		log_debug("table \"%s\": its online copy failed; it is tried again in %.0f s", table,
				  e->retry_at - now_s());
	pthread_mutex_unlock(&o->mu);
	return queued;
}

bool
online_busy(online *o, const char *table)
{
	pthread_mutex_lock(&o->mu);
	entry *e = find(o, table);
	bool busy = e && e->state != E_FAILED;
	pthread_mutex_unlock(&o->mu);
	return busy;
}

/* finished: table's copy ended (ok: ready, or left to another process);
 * a failure is queued again after its backoff */
static void
finished(online *o, const char *table, bool ok)
{
	pthread_mutex_lock(&o->mu);
	entry *e = find(o, table);
	if (e && ok)
		forget(o, table);
	else if (e) {
		e->state = E_FAILED;
		e->backoff = e->backoff ? e->backoff * 2 : RETRY_FIRST_S;
		if (e->backoff > RETRY_MAX_S)
			e->backoff = RETRY_MAX_S;
		e->retry_at = now_s() + e->backoff;
		log_notice("the online copy of table \"%s\" is tried again in %.0f s", table, e->backoff);
	}
	pthread_mutex_unlock(&o->mu);
}

/* retry_in: table is queued again in secs, without counting a failure */
static void
retry_in(online *o, const char *table, double secs)
{
	pthread_mutex_lock(&o->mu);
	entry *e = find(o, table);
	if (e) {
		e->state = E_FAILED;
		e->retry_at = now_s() + secs;
	}
	pthread_mutex_unlock(&o->mu);
}

/* settings: the copy's settings from STREAM_COPY_WORKERS */
static copy_settings
settings(const config *cfg)
{
	copy_settings set = {
		.max_workers = 1, .chunk_workers = 2, .batch_size = 100000, .threshold = 1000000,
		.load_mode = COPY_LOAD_AUTO, .resume = true, .retries = 5, .appname = COPY_ONLINE_APPNAME,
	};
	const char *w = config_get(cfg, "STREAM_COPY_WORKERS");
	char errbuf[256];
	long long v;

	if (w && config_parse_count("STREAM_COPY_WORKERS", w, 1, 64, &v, errbuf, sizeof(errbuf)))
		set.chunk_workers = (int) v;
	else if (w)
		log_warning_dh(NULL, "Give a whole number from 1 to 64.", "%s; the online copy uses 2 workers", errbuf);
	return set;
}

/* load_settings: the database's settings and allowlist as a new process
 * would read them; false (logged) when they cannot be read */
static bool
load_settings(online *o, config *cfg)
{
	char errbuf[2048];

	memset(cfg, 0, sizeof(*cfg));
	if (config_load_env(cfg, o->env_file, o->explicit_env, errbuf, sizeof(errbuf)) &&
		config_load_source(cfg, o->dbname, errbuf, sizeof(errbuf)) &&
		config_load_allowlist(cfg, errbuf, sizeof(errbuf)))
		return true;
	log_error("the online copy could not read the settings of database \"%s\": %s", o->dbname, errbuf);
	config_free(cfg);
	return false;
}

/* source_has: 1 when the source schema has table as a base table, 0 when
 * not, -1 on an error (logged) */
static int
source_has(MYSQL *my, const config *cfg, const char *table)
{
	char errbuf[1024], *v = NULL;
	buf sql = BUF_INIT;

	buf_puts(&sql, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ");
	maria_escape_literal(my, &sql, cfg->src.schema, strlen(cfg->src.schema));
	buf_puts(&sql, " AND TABLE_NAME = ");
	maria_escape_literal(my, &sql, table, strlen(table));
	bool ok = maria_query_value(my, sql.data, &v, errbuf, sizeof(errbuf));
	buf_free(&sql);
	if (!ok) {
		log_error("could not look up table \"%s\" in MariaDB: %s", table, errbuf);
		return -1;
	}
	int has = v && strcmp(v, "0") != 0;
	free(v);
	return has;
}

/* select_tables: which of names[0..n) the run copies: allowlisted, present
 * in MariaDB (else recorded missing, or left dropped), not copied by another
 * process; a fresh copy is set pending first. The others are finished with
 * here. Returns how many are kept, moved to the front of names. */
static size_t
select_tables(online *o, const config *cfg, const control *ctl, MYSQL *my, PGconn *pg, char **names,
			  const unsigned *flags, size_t n)
{
	char errbuf[1024], holder[128];
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		const char *t = names[i];
		int has;
		if (!config_find_table(cfg, t)) {
			log_info("table \"%s\" left the allowlist before its online copy; not copied", t);
			finished(o, t, true);
		} else if ((has = source_has(my, cfg, t)) == 0 && (flags[i] & ONLINE_DROPPED)) {
			log_info("table \"%s\" was dropped in MariaDB; PostgreSQL keeps it as it was (state dropped) until a "
					 "table of that name is created again", t);
			finished(o, t, true);
		} else if (has <= 0) {
			if (has == 0) {
				char why[512], *target = ident_target(t, cfg->keep_case);
				snprintf(why, sizeof(why), "MariaDB schema \"%s\" has no table \"%s\"", cfg->src.schema, t);
				log_warning_dh(NULL, "Create the table in MariaDB, or remove its line from the allowlist, then "
							   "reload (systemctl reload stream@NAME).",
							   "table \"%s\" of database \"%s\" is in the allowlist, but %s; the other tables "
							   "stream on", t, cfg->src.name, why);
				if (!control_table_missing(pg, ctl, t, cfg->src.schema, cfg->src.sink_schema, target, why, errbuf,
										   sizeof(errbuf)))
					log_error("could not record table \"%s\" as missing: %s", t, errbuf);
				free(target);
			}
			finished(o, t, has == 0);
		} else if (!control_table_lock(pg, ctl, t, errbuf, sizeof(errbuf))) {
			if (!control_table_lock_holder(pg, ctl, t, holder, sizeof(holder), errbuf, sizeof(errbuf)))
				holder[0] = '\0';
			if (strcmp(holder, COPY_ONLINE_APPNAME) == 0) {
				/* only one stream per database runs (its lock): this is the
				 * session of a previous process's copy, which PostgreSQL has
				 * not ended yet */
				log_info("table \"%s\": waiting for the session of a previous online copy to end", t);
				retry_in(o, t, LEFTOVER_RETRY_S);
			} else {
				log_info("table \"%s\" is being copied by another process (%s); it joins the stream when that copy "
						 "is ready", t, holder[0] ? holder : "migrate");
				finished(o, t, true);
			}
		} else if ((flags[i] & (ONLINE_FRESH | ONLINE_DROPPED)) &&
				   !control_table_set_state(pg, ctl, t, "pending", NULL, errbuf, sizeof(errbuf))) {
			/* pending: copy_prepare starts it over, whatever it was */
			log_error("could not start table \"%s\" over: %s", t, errbuf);
			finished(o, t, false);
		} else {
			char *keep = names[i];     /* swapped, so that every name is freed once */
			names[i] = names[kept];
			names[kept++] = keep;
		}
	}
	return kept;
}

typedef struct runner {
	copy_run   *run;
	bool        ok;
	volatile int done;
} runner;

static void *
runner_main(void *arg)
{
	runner *rn = arg;

	rn->ok = copy_run_all(rn->run);
	__atomic_store_n(&rn->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* report: each table's progress to the metrics, and to its control row
 * (write); a log line when due */
static void
report(copy_run *run, const control *ctl, PGconn *pg, bool write, bool log_it)
{
	char errbuf[512];

	for (size_t i = 0; i < copy_ntables(run); i++) {
		copy_progress p;
		copy_table_progress(run, i, &p);
		if (p.skipped)
			continue;
		const char *phase = p.state == COPY_PENDING || (p.state == COPY_COPYING && !p.started) ? "queued"
			: copy_state_name(p.state);
		metrics_stream_copy(p.table, phase, p.rows, p.est_rows, p.seconds);
		if (write && (p.state == COPY_COPYING || p.state == COPY_INDEXING) &&
			!control_table_progress(pg, ctl, p.table, p.rows, p.est_rows, errbuf, sizeof(errbuf)))
			log_debug("could not record the copy progress of table \"%s\": %s", p.table, errbuf);
		if (log_it && p.started && (p.state == COPY_COPYING || p.state == COPY_INDEXING))
			log_info("online copy of table \"%s\": %s, %lld of ~%lld rows, %.0f s", p.table, phase, p.rows,
					 p.est_rows, p.seconds);
	}
}

/* copy_now: one copy run over names[0..n) with the run's connections */
static void
copy_now(online *o, const config *cfg, const control *ctl, MYSQL *my, PGconn *pg, char **names, size_t n)
{
	copy_settings set = settings(cfg);
	char errbuf[1024], hint[512];
	copy_run *run = copy_run_new(cfg, ctl, &set, &o->stop);
	bool planned = copy_plan(run, my, pg, (const char *const *) names, n) == COPY_PLAN_OK;
	bool prepared = false;

	if (planned && !pg_schema_ensure(pg, cfg->src.sink_schema, errbuf, sizeof(errbuf), hint, sizeof(hint)))
		log_error_dh(NULL, hint[0] ? hint : NULL, "could not use the target schema \"%s\": %s",
					 cfg->src.sink_schema, errbuf);
	else if (planned)
		prepared = copy_prepare(run, pg);
	if (prepared) {
		runner rn = { .run = run };
		pthread_t th;
		if (pthread_create(&th, NULL, runner_main, &rn) != 0)
			rn.ok = copy_run_all(run);
		else {
			double last_log = now_s();
			while (!__atomic_load_n(&rn.done, __ATOMIC_ACQUIRE)) {
				bool log_it = now_s() - last_log >= PROGRESS_LOG_S;
				if (log_it)
					last_log = now_s();
				report(run, ctl, pg, true, log_it);
				for (int i = 0; i < (int) (PROGRESS_EVERY_S * 10) && !__atomic_load_n(&rn.done, __ATOMIC_ACQUIRE); i++) {
					struct timespec ts = { 0, 100000000 };
					nanosleep(&ts, NULL);
				}
			}
			pthread_join(th, NULL);
		}
		report(run, ctl, pg, false, false);
	}
	for (size_t i = 0; i < n; i++) {
		copy_result res;
		bool ok = false;
		if (prepared && i < copy_ntables(run)) {
			copy_table_result(run, i, &res);
			ok = res.state == COPY_READY;
			if (ok && !res.skipped)
				log_info("the online copy of table \"%s\" is ready: %lld rows in %.1f s, watermark %s:%llu; it "
						 "streams from there", names[i], res.rows, res.seconds, res.watermark.file,
						 (unsigned long long) res.watermark.pos);
		}
		if (o->stop && !ok) {
			log_info("the online copy of table \"%s\" stopped; the next start continues it", names[i]);
			continue;
		}
		metrics_stream_copy_done(names[i], ok);
		if (!ok)
			metrics_stream_copy(names[i], "failed", 0, 0, 0);
		finished(o, names[i], ok);
	}
	copy_run_free(run);
}

/* count_missing: the missing allowlisted tables, for the metrics */
static void
count_missing(const config *cfg, const control *ctl, PGconn *pg)
{
	const char **names = xcalloc(cfg->n_tables + 1, sizeof(char *));
	char errbuf[512];
	long long n;

	for (size_t i = 0; i < cfg->n_tables; i++)
		names[i] = cfg->tables[i].name;
	if (control_tables_missing(pg, ctl, names, cfg->n_tables, &n, errbuf, sizeof(errbuf)))
		metrics_stream_missing(n);
	else
		log_debug("could not count the missing tables: %s", errbuf);
	free(names);
}

/* copy_batch: the queued tables names[0..n) with their flags */
static void
copy_batch(online *o, char **names, unsigned *flags, size_t n)
{
	char errbuf[2048];
	config cfg;
	control ctl = { 0 };
	MYSQL *my = NULL;
	PGconn *pg = NULL;

	if (!load_settings(o, &cfg)) {
		for (size_t i = 0; i < n; i++)
			finished(o, names[i], false);
		return;
	}
	control_init(&ctl, cfg.control_schema, cfg.src.name);
	if (!(my = maria_connect(&cfg.src, errbuf, sizeof(errbuf))) ||
		!(pg = pg_connect(&cfg, COPY_ONLINE_APPNAME, errbuf, sizeof(errbuf)))) {
		log_warning("the online copy cannot connect now: %s", errbuf);
		for (size_t i = 0; i < n; i++)
			finished(o, names[i], false);
	} else {
		size_t kept = select_tables(o, &cfg, &ctl, my, pg, names, flags, n);
		count_missing(&cfg, &ctl, pg);
		if (kept > 0 && !o->stop)
			copy_now(o, &cfg, &ctl, my, pg, names, kept);
	}
	if (pg)
		PQfinish(pg);
	if (my)
		mysql_close(my);
	control_free(&ctl);
	config_free(&cfg);
}

static void *
copier_main(void *arg)
{
	online *o = arg;

	pthread_mutex_lock(&o->mu);
	while (!o->quit) {
		double t = now_s(), next = 0;
		char **names = NULL;
		unsigned *flags = NULL;
		size_t n = 0;
		for (size_t i = 0; i < o->n; i++) {
			entry *e = &o->entries[i];
			if (e->state == E_FAILED && e->retry_at <= t)
				e->state = E_QUEUED;
			if (e->state == E_QUEUED) {
				e->state = E_COPYING;
				names = xrealloc(names, (n + 1) * sizeof(char *));
				flags = xrealloc(flags, (n + 1) * sizeof(unsigned));
				flags[n] = e->flags;
				names[n++] = xstrdup(e->table);
			} else if (e->state == E_FAILED && (next == 0 || e->retry_at < next))
				next = e->retry_at;
		}
		if (n == 0) {
			if (next == 0)
				pthread_cond_wait(&o->cond, &o->mu);
			else {
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				double wait = next - t + 0.01;
				until.tv_sec += (time_t) wait;
				until.tv_nsec += (long) ((wait - (double) (time_t) wait) * 1e9);
				if (until.tv_nsec >= 1000000000L) {
					until.tv_sec++;
					until.tv_nsec -= 1000000000L;
				}
				(void) pthread_cond_timedwait(&o->cond, &o->mu, &until);
			}
			continue;
		}
		pthread_mutex_unlock(&o->mu);
		copy_batch(o, names, flags, n);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		free(flags);
		pthread_mutex_lock(&o->mu);
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

online *
online_new(const char *env_file, bool explicit_env, const char *dbname)
{
	online *o = xcalloc(1, sizeof(online));

	o->env_file = xstrdup(env_file);
	o->explicit_env = explicit_env;
	o->dbname = xstrdup(dbname);
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cond, NULL);
	/* the copier and its workers leave the stop signals to the stream's thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int err = pthread_create(&o->thread, NULL, copier_main, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		log_error("could not start the online copy's thread: %s", strerror(err));
		o->quit = true;
	}
	return o;
}

void
online_free(online *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	bool running = !o->quit;
	o->quit = true;
	o->stop = 1;
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->mu);
	if (running)
		pthread_join(o->thread, NULL);
	for (size_t i = 0; i < o->n; i++)
		free(o->entries[i].table);
	free(o->entries);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->mu);
	free(o->env_file);
	free(o->dbname);
	free(o);
}
