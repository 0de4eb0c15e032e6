/*
 * Progress display and summary; see progress.h. The display thread only
 * reads atomics and states; it takes the log mutex to draw so that its lines
 * and log messages never mix.
 */
#include "migrate/progress.h"

#include "common/log.h"
#include "migrate/work.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static struct {
	plan_table *tables;
	size_t      ntables;
	bool        live;
	double      interval;
	int         drawn;          /* lines of the live block on screen */
	atomic_bool stop;
	pthread_t   thread;
	bool        running;
	long long  *last_rows;      /* for rates in log mode */
	double      last_time;
} prog;

static const char *const state_names[] = { "pending", "copying", "indexing", "ready", "failed" };

/* table_line: one line describing a table's progress */
static void
table_line(plan_table *pt, double now, buf *out)
{
	long long rows = atomic_load(&pt->rows_done);
	long long bytes = atomic_load(&pt->bytes_done);
	double elapsed = (pt->started > 0 ? ((pt->finished > 0 ? pt->finished : now) - pt->started) : 0);
	double mbs = elapsed > 0 ? bytes / 1e6 / elapsed : 0;

	const char *state = pt->state == PLAN_COPYING && pt->started == 0 ? "queued" : state_names[pt->state];

	buf_printf(out, "%-28.28s %-8s %12lld", pt->source, state, rows);
	if (pt->est_rows > 0)
		buf_printf(out, " / ~%-12lld", pt->est_rows);
	else
		buf_printf(out, "                ");
	buf_printf(out, " %7.1f MB/s", mbs);
	if (pt->state == PLAN_COPYING && rows > 0 && pt->est_rows > rows && elapsed > 0)
		buf_printf(out, "  ETA %.0fs", (pt->est_rows - rows) * elapsed / rows);
	else if (pt->state == PLAN_READY || pt->state == PLAN_FAILED)
		buf_printf(out, "  %.1fs", elapsed);
}

/* erase: removes the live block; called with the log mutex held */
static void
erase(void)
{
	if (prog.drawn > 0)
		fprintf(stderr, "\033[%dA\033[J", prog.drawn);
	prog.drawn = 0;
}

/* draw: prints the live block; called with the log mutex held */
static void
draw(void)
{
	double now = work_now();
	buf out = BUF_INIT;
	int lines = 0;

	for (size_t i = 0; i < prog.ntables; i++) {
		table_line(&prog.tables[i], now, &out);
		buf_putc(&out, '\n');
		lines++;
	}
	fwrite(out.data, 1, out.len, stderr);
	fflush(stderr);
	prog.drawn = lines;
	buf_free(&out);
}

/* log_progress: log mode, one line per active table */
static void
log_progress(void)
{
	double now = work_now();

	for (size_t i = 0; i < prog.ntables; i++) {
		plan_table *pt = &prog.tables[i];
		if (pt->state != PLAN_COPYING && pt->state != PLAN_INDEXING)
			continue;
		if (pt->started == 0)
			continue;
		buf line = BUF_INIT;
		table_line(pt, now, &line);
		log_info("progress: %s", line.data);
		buf_free(&line);
	}
}

/* progress_main: the display thread */
static void *
progress_main(void *arg)
{
	(void) arg;
	double next = work_now() + prog.interval;

	while (!atomic_load(&prog.stop)) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		if (work_now() < next)
			continue;
		next = work_now() + prog.interval;
		if (prog.live) {
			log_lock();
			erase();
			draw();
			log_unlock();
		} else
			log_progress();
	}
	return NULL;
}

void
progress_start(plan_table *tables, size_t ntables, bool live, double interval)
{
	prog.tables = tables;
	prog.ntables = ntables;
	prog.live = live;
	prog.interval = interval;
	prog.drawn = 0;
	atomic_store(&prog.stop, false);
	if (live)
		log_set_hooks(erase, draw);
	prog.running = pthread_create(&prog.thread, NULL, progress_main, NULL) == 0;
}

void
progress_stop(void)
{
	if (!prog.running)
		return;
	atomic_store(&prog.stop, true);
	pthread_join(prog.thread, NULL);
	prog.running = false;
	if (prog.live) {
		log_set_hooks(NULL, NULL);
		log_lock();
		erase();
		draw();
		prog.drawn = 0;
		log_unlock();
	}
}

unsigned long long
progress_summary(FILE *out, plan_table *tables, size_t ntables)
{
	static const char *const fix_names[PLAN_FIX_KINDS] = { "zero_date", "nul_char", "invalid_utf8" };
	unsigned long long total_fixes = 0;
	long long total_rows = 0, total_bytes = 0;

	fprintf(out, "\n%-28s %-8s %12s %10s %9s %11s %8s\n",
			"table", "state", "rows", "MB", "seconds", "conversions", "warnings");
	for (size_t i = 0; i < ntables; i++) {
		plan_table *pt = &tables[i];
		unsigned long long fixes = 0;
		for (size_t c = 0; c < pt->ncols; c++)
			for (int f = 0; f < PLAN_FIX_KINDS; f++)
				fixes += pt->cols[c].fixes[f];
		long long rows = 0, bytes = 0;
		for (size_t c = 0; c < pt->nchunks; c++) {
			rows += pt->chunks[c].rows;
			bytes += pt->chunks[c].bytes;
		}
		double secs = pt->started > 0 && pt->finished > 0 ? pt->finished - pt->started : 0;
		fprintf(out, "%-28.28s %-8s %12lld %10.1f %9.1f %11llu %8llu\n", pt->source,
				state_names[pt->state], rows, bytes / 1e6, secs, fixes, pt->warnings);
		total_fixes += fixes;
		total_rows += rows;
		total_bytes += bytes;
	}
	fprintf(out, "%-28s %-8s %12lld %10.1f\n", "total", "", total_rows, total_bytes / 1e6);
	for (size_t i = 0; i < ntables; i++) {
		plan_table *pt = &tables[i];
		for (size_t c = 0; c < pt->ncols; c++) {
			for (int f = 0; f < PLAN_FIX_KINDS; f++) {
				if (!pt->cols[c].fixes[f])
					continue;
				fprintf(out, "conversion: %s.%s %s: %llu value%s, e.g. key", pt->source, pt->cols[c].name,
						fix_names[f], pt->cols[c].fixes[f], pt->cols[c].fixes[f] == 1 ? "" : "s");
				for (int s = 0; s < PLAN_FIX_SAMPLES && pt->cols[c].fix_samples[f][s]; s++)
					fprintf(out, "%s %s", s ? "," : "", pt->cols[c].fix_samples[f][s]);
				fputc('\n', out);
			}
		}
		if (pt->state == PLAN_FAILED && pt->error)
			fprintf(out, "failed: %s: %s\n", pt->source, pt->error);
	}
	fflush(out);
	return total_fixes;
}
