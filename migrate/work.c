/*
 * The worker pool and its scheduler; see work.h for how they cooperate.
 */
#include "migrate/work.h"

#include "common/log.h"
#include "common/maria.h"
#include "common/pg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum task_kind { TASK_STOP, TASK_CHUNK, TASK_INDEX, TASK_FINISH } task_kind;

typedef struct task {
	task_kind   kind;
	plan_table *pt;
	size_t      i;              /* chunk or index number */
} task;

double
work_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

bool
worker_connect_pg(worker *w)
{
	char errbuf[1024];

	if (w->pg)
		PQfinish(w->pg);
	w->pg = pg_connect(w->run->cfg, "migrate", errbuf, sizeof(errbuf));
	if (!w->pg) {
		log_error("%s", errbuf);
		return false;
	}
	/* A chunk and its ledger row commit together, so losing the newest
	 * commits in a server crash loses both and resume copies them again. */
	/* Index builds already run in parallel across workers; PostgreSQL's own
	 * parallel workers on top of that only oversubscribe the cores. */
	if (!pg_exec(w->pg, "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'; "
				 "SET max_parallel_maintenance_workers = 0; SET client_min_messages = warning",
				 errbuf, sizeof(errbuf))) {
		log_error("could not set up a PostgreSQL session: %s", errbuf);
		return false;
	}
	return true;
}

bool
worker_connect_my(worker *w)
{
	char errbuf[1024], pos[300];

	if (w->my)
		mysql_close(w->my);
	w->my = maria_connect(&w->run->cfg->src, errbuf, sizeof(errbuf));
	if (!w->my) {
		log_error("%s", errbuf);
		return false;
	}
	if (!maria_begin_snapshot(w->my, &w->pos, errbuf, sizeof(errbuf))) {
		log_error_dh(NULL, "Enable the binary log (log_bin, binlog_format=ROW) so the stream can continue from the snapshot.",
					 "could not open a consistent snapshot on MariaDB of database \"%s\": %s",
					 w->run->cfg->src.name, errbuf);
		mysql_close(w->my);
		w->my = NULL;
		return false;
	}
	binlogpos_format(&w->pos, pos, sizeof(pos));
	log_debug("worker %d: snapshot at %s (gtid %s)", w->id, pos, w->pos.gtid);
	return true;
}

void
worker_disconnect(worker *w)
{
	if (w->my)
		mysql_close(w->my);
	if (w->pg)
		PQfinish(w->pg);
	w->my = NULL;
	w->pg = NULL;
}

void
work_fail_table(worker *w, plan_table *pt, const char *detail, const char *fmt, ...)
{
	work_run *run = w->run;
	char msg[2048], errbuf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error_dh(detail, NULL, "%s", msg);
	pthread_mutex_lock(&run->mu);
	if (!pt->error)
		pt->error = xasprintf("%s%s%s", msg, detail ? ": " : "", detail ? detail : "");
	pt->state = PLAN_FAILED;
	pt->finished = work_now();
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	/* Best effort: the ledger says failed, so the table is never taken as
	 * ready. The sink may be what failed; then the state stays "copying". */
	if (w->pg && !pg_is_disconnect(w->pg)) {
		pg_exec(w->pg, "ROLLBACK", errbuf, sizeof(errbuf));
		if (!control_table_set_state(w->pg, run->ctl, pt->source, "failed", pt->error, errbuf, sizeof(errbuf)))
			log_warning("could not record table \"%s\" as failed: %s", pt->source, errbuf);
	}
}

/* release_slot: a table stops counting against max_workers; under run->mu */
static void
release_slot(work_run *run, plan_table *pt)
{
	if (pt->slot_held) {
		pt->slot_held = false;
		run->open_tables--;
	}
}

/* next_task: blocks until a task is available or everything is done */
static task
next_task(work_run *run)
{
	task t = { TASK_STOP, NULL, 0 };

	pthread_mutex_lock(&run->mu);
	for (;;) {
		bool pending = false;

		if (*run->interrupted)
			break;
		/* index builds first, so finished tables become ready early */
		for (size_t i = 0; i < run->ntables; i++) {
			plan_table *pt = &run->tables[i];
			if (pt->state == PLAN_INDEXING && pt->index_todo > 0) {
				t.kind = TASK_INDEX;
				t.pt = pt;
				t.i = pt->nindex - (size_t) pt->index_todo;
				pt->index_todo--;
				pt->index_busy++;
				goto found;
			}
			if (pt->state == PLAN_INDEXING && pt->index_busy == 0 && !pt->finishing) {
				t.kind = TASK_FINISH;
				t.pt = pt;
				pt->finishing = true;
				goto found;
			}
		}
		for (size_t i = 0; i < run->ntables; i++) {
			plan_table *pt = &run->tables[i];
			if (pt->state == PLAN_COPYING || pt->state == PLAN_INDEXING || pt->state == PLAN_PENDING)
				pending = true;
			if (pt->state == PLAN_FAILED && pt->chunks_busy == 0)
				release_slot(run, pt);
			if (pt->state != PLAN_COPYING || pt->chunks_todo == 0 ||
				pt->chunks_busy >= run->chunk_workers)
				continue;
			if (!pt->slot_held) {
				if (run->open_tables >= run->max_workers)
					continue;
				pt->slot_held = true;
				run->open_tables++;
				if (pt->started == 0)
					pt->started = work_now();
			}
			while (pt->next_chunk < pt->nchunks && pt->chunks[pt->next_chunk].done)
				pt->next_chunk++;
			t.kind = TASK_CHUNK;
			t.pt = pt;
			t.i = pt->next_chunk++;
			pt->chunks_todo--;
			pt->chunks_busy++;
			goto found;
		}
		if (!pending)
			break;
		pthread_cond_wait(&run->cond, &run->mu);
	}
found:
	pthread_mutex_unlock(&run->mu);
	return t;
}

/* run_chunk: one chunk task and what follows from it being the last */
static void
run_chunk(worker *w, plan_table *pt, size_t i)
{
	work_run *run = w->run;
	bool ok = copy_chunk(w, pt, &pt->chunks[i]);
	bool last = false;

	pthread_mutex_lock(&run->mu);
	pt->chunks_busy--;
	if (ok && pt->state == PLAN_COPYING && pt->chunks_todo == 0 && pt->chunks_busy == 0) {
		last = true;
		release_slot(run, pt);
	}
	if (pt->state == PLAN_FAILED && pt->chunks_busy == 0)
		release_slot(run, pt);
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	if (last && finish_loaded(w, pt)) {
		pthread_mutex_lock(&run->mu);
		if (pt->state == PLAN_COPYING) {
			pt->state = PLAN_INDEXING;
			pt->index_todo = (int) pt->nindex;
		}
		pthread_cond_broadcast(&run->cond);
		pthread_mutex_unlock(&run->mu);
	}
}

/* run_index: one index task; when none is left the scheduler hands out
 * the table's finish task */
static void
run_index(worker *w, plan_table *pt, size_t i)
{
	work_run *run = w->run;

	finish_index(w, pt, i);
	pthread_mutex_lock(&run->mu);
	pt->index_busy--;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
}

/* worker_main: the thread body */
static void *
worker_main(void *arg)
{
	worker *w = arg;

	for (;;) {
		task t = next_task(w->run);
		if (t.kind == TASK_STOP)
			break;
		log_set_table(t.pt->source);    /* the "table" of this thread's json log lines */
		if (t.kind == TASK_CHUNK)
			run_chunk(w, t.pt, t.i);
		else if (t.kind == TASK_INDEX)
			run_index(w, t.pt, t.i);
		else
			finish_table(w, t.pt);
		log_set_table(NULL);
	}
	worker_disconnect(w);
	buf_free(&w->data);
	buf_free(&w->sql);
	return NULL;
}

bool
work_run_all(work_run *run)
{
	int nworkers = run->max_workers * run->chunk_workers;
	size_t total_chunks = 0;

	for (size_t i = 0; i < run->ntables; i++)
		for (size_t c = 0; c < run->tables[i].nchunks; c++)
			total_chunks += run->tables[i].chunks[c].done ? 0 : 1;
	/* no point in more workers than there is work to share */
	if ((size_t) nworkers > total_chunks + run->ntables)
		nworkers = (int) (total_chunks + run->ntables);
	if (nworkers < 1)
		nworkers = 1;

	pthread_mutex_init(&run->mu, NULL);
	pthread_cond_init(&run->cond, NULL);
	worker *ws = xcalloc((size_t) nworkers, sizeof(worker));
	pthread_t *th = xcalloc((size_t) nworkers, sizeof(pthread_t));
	for (int i = 0; i < nworkers; i++) {
		ws[i].id = i;
		ws[i].run = run;
		if (pthread_create(&th[i], NULL, worker_main, &ws[i]) != 0) {
			log_error("could not start worker thread %d", i);
			nworkers = i;
			*run->interrupted = 1;
			break;
		}
	}
	for (int i = 0; i < nworkers; i++)
		pthread_join(th[i], NULL);
	free(ws);
	free(th);
	pthread_cond_destroy(&run->cond);
	pthread_mutex_destroy(&run->mu);

	bool ok = !*run->interrupted;
	for (size_t i = 0; i < run->ntables; i++)
		if (run->tables[i].state != PLAN_READY)
			ok = false;
	return ok;
}
