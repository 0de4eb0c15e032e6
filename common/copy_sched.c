/*
 * The worker pool of a copy and its scheduler.
 *
 * Parallel operation works like this: the caller has planned every table
 * and prepared its target; copy_sched_run starts max_workers x
 * chunk_workers worker threads (no more than there is work for). Each
 * worker owns its connections and buffers (copy_worker.h). Workers pull
 * tasks from one scheduler under run->mu: index builds of tables whose
 * data is in come first (so each table is finished as soon as it can be),
 * then chunks, with at most max_workers tables being copied at once and at
 * most chunk_workers workers per table. The worker that copies a table's
 * last chunk makes it LOGGED and queues its indexes; when the last index is
 * built, one worker sets its sequences, analyzes it and marks it ready with
 * its watermark. A failure marks only that table failed; the others go on.
 * When nothing is left (or the stop flag is set), every worker gets STOP
 * and copy_sched_run joins them.
 */
#include "common/copy_sched.h"

#include "common/copy_chunk.h"
#include "common/copy_finish.h"
#include "common/log.h"

#include <stdlib.h>

typedef enum task_kind { TASK_STOP, TASK_CHUNK, TASK_INDEX, TASK_FINISH } task_kind;

typedef struct task {
	task_kind   kind;
	copy_table *ct;
	size_t      i;              /* chunk or index number */
} task;

/* release_slot: a table stops counting against max_workers; under run->mu */
static void
release_slot(copy_run *run, copy_table *ct)
{
	if (ct->slot_held) {
		ct->slot_held = false;
		run->open_tables--;
	}
}

/* next_task: blocks until a task is available or everything is done */
static task
next_task(copy_run *run)
{
	task t = { TASK_STOP, NULL, 0 };

	pthread_mutex_lock(&run->mu);
	for (;;) {
		bool pending = false;

		if (*run->stop)
			break;
		/* index builds first, so finished tables become ready early */
		for (size_t i = 0; i < run->ntables; i++) {
			copy_table *ct = &run->tables[i];
			if (ct->state == COPY_INDEXING && ct->index_todo > 0) {
				t.kind = TASK_INDEX;
				t.ct = ct;
				t.i = ct->pt.nindex - (size_t) ct->index_todo;
				ct->index_todo--;
				ct->index_busy++;
				goto found;
			}
			if (ct->state == COPY_INDEXING && ct->index_busy == 0 && !ct->finishing) {
				t.kind = TASK_FINISH;
				t.ct = ct;
				ct->finishing = true;
				goto found;
			}
		}
		for (size_t i = 0; i < run->ntables; i++) {
			copy_table *ct = &run->tables[i];
			if (ct->state == COPY_COPYING || ct->state == COPY_INDEXING || ct->state == COPY_PENDING)
				pending = true;
			if (ct->state == COPY_FAILED && ct->chunks_busy == 0)
				release_slot(run, ct);
			if (ct->state != COPY_COPYING || ct->chunks_todo == 0 ||
				ct->chunks_busy >= run->set.chunk_workers)
				continue;
			if (!ct->slot_held) {
				if (run->open_tables >= run->set.max_workers)
					continue;
				ct->slot_held = true;
				run->open_tables++;
				if (ct->started == 0)
					ct->started = copy_now();
			}
			while (ct->next_chunk < ct->nchunks && ct->chunks[ct->next_chunk].done)
				ct->next_chunk++;
			t.kind = TASK_CHUNK;
			t.ct = ct;
			t.i = ct->next_chunk++;
			ct->chunks_todo--;
			ct->chunks_busy++;
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
run_chunk(copy_worker *w, copy_table *ct, size_t i)
{
	copy_run *run = w->run;
	bool ok = copy_chunk(w, ct, &ct->chunks[i]);
	bool last = false;

	pthread_mutex_lock(&run->mu);
	ct->chunks_busy--;
	if (ok && ct->state == COPY_COPYING && ct->chunks_todo == 0 && ct->chunks_busy == 0) {
		last = true;
		release_slot(run, ct);
	}
	if (ct->state == COPY_FAILED && ct->chunks_busy == 0)
		release_slot(run, ct);
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	if (last && copy_finish_loaded(w, ct)) {
		pthread_mutex_lock(&run->mu);
		if (ct->state == COPY_COPYING) {
			ct->state = COPY_INDEXING;
			ct->index_todo = (int) ct->pt.nindex;
		}
		pthread_cond_broadcast(&run->cond);
		pthread_mutex_unlock(&run->mu);
	}
}

/* run_index: one index task; when none is left the scheduler hands out
 * the table's finish task */
static void
run_index(copy_worker *w, copy_table *ct, size_t i)
{
	copy_run *run = w->run;

	copy_finish_index(w, ct, i);
	pthread_mutex_lock(&run->mu);
	ct->index_busy--;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
}

/* worker_main: the thread body */
static void *
worker_main(void *arg)
{
	copy_worker *w = arg;

	for (;;) {
		task t = next_task(w->run);
		if (t.kind == TASK_STOP)
			break;
		log_set_table(t.ct->pt.source);    /* the "table" of this thread's json log lines */
		if (t.kind == TASK_CHUNK)
			run_chunk(w, t.ct, t.i);
		else if (t.kind == TASK_INDEX)
			run_index(w, t.ct, t.i);
		else
			copy_finish_table(w, t.ct);
		log_set_table(NULL);
	}
	copy_worker_disconnect(w);
	buf_free(&w->data);
	buf_free(&w->sql);
	return NULL;
}

bool
copy_sched_run(copy_run *run)
{
	int nworkers = run->set.max_workers * run->set.chunk_workers;
	size_t total_chunks = 0, ntables = 0;

	for (size_t i = 0; i < run->ntables; i++) {
		if (run->tables[i].skipped)
			continue;
		ntables++;
		for (size_t c = 0; c < run->tables[i].nchunks; c++)
			total_chunks += run->tables[i].chunks[c].done ? 0 : 1;
	}
	/* no point in more workers than there is work to share */
	if ((size_t) nworkers > total_chunks + ntables)
		nworkers = (int) (total_chunks + ntables);
	if (nworkers < 1)
		nworkers = 1;

	copy_worker *ws = xcalloc((size_t) nworkers, sizeof(copy_worker));
	pthread_t *th = xcalloc((size_t) nworkers, sizeof(pthread_t));
	for (int i = 0; i < nworkers; i++) {
		ws[i].id = i;
		ws[i].run = run;
		if (pthread_create(&th[i], NULL, worker_main, &ws[i]) != 0) {
			log_error("could not start worker thread %d", i);
			nworkers = i;
			*run->stop = 1;
			break;
		}
	}
	for (int i = 0; i < nworkers; i++)
		pthread_join(th[i], NULL);
	free(ws);
	free(th);

	bool ok = !*run->stop;
	for (size_t i = 0; i < run->ntables; i++)
		if (run->tables[i].state != COPY_READY)
			ok = false;
	return ok;
}
