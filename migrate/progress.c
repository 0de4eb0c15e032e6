/*
 * Progress display and summary; see progress.h. The display thread reads
 * the copy module's progress (copy_table_progress, safe while the copy
 * runs); it takes the log mutex to draw so that its lines and log messages
 * never mix. Tables the copy skipped (already ready) are not shown.
 */
#include "migrate/progress.h"

#include "common/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static struct {
	const copy_run *run;
	bool        live;
	double      interval;
	int         drawn;          /* lines of the live block on screen */
	atomic_bool stop;
	pthread_t   thread;
	bool        running;
	long long  *last_rows;      /* for rates in log mode */
	double      last_time;
} prog;

/* now: monotonic seconds */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* table_line: one line describing a table's progress */
static void
table_line(const copy_progress *p, buf *out)
{
	long long rows = p->rows;
	double elapsed = p->seconds;
	double mbs = elapsed > 0 ? p->bytes / 1e6 / elapsed : 0;

	const char *state = p->state == COPY_COPYING && !p->started ? "queued" : copy_state_name(p->state);

	buf_printf(out, "%-28.28s %-8s %12lld", p->table, state, rows);
	if (p->est_rows > 0)
		buf_printf(out, " / ~%-12lld", p->est_rows);
	else
		buf_printf(out, "                ");
	buf_printf(out, " %7.1f MB/s", mbs);
	if (p->state == COPY_COPYING && rows > 0 && p->est_rows > rows && elapsed > 0)
		buf_printf(out, "  ETA %.0fs", (p->est_rows - rows) * elapsed / rows);
	else if (p->state == COPY_READY || p->state == COPY_FAILED)
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
	buf out = BUF_INIT;
	int lines = 0;

	for (size_t i = 0; i < copy_ntables(prog.run); i++) {
		copy_progress p;
		copy_table_progress(prog.run, i, &p);
		if (p.skipped)
			continue;
		table_line(&p, &out);
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
	for (size_t i = 0; i < copy_ntables(prog.run); i++) {
		copy_progress p;
		copy_table_progress(prog.run, i, &p);
		if (p.skipped || (p.state != COPY_COPYING && p.state != COPY_INDEXING))
			continue;
		if (!p.started)
			continue;
		buf line = BUF_INIT;
		table_line(&p, &line);
		log_info("progress: %s", line.data);
		buf_free(&line);
	}
}

/* progress_main: the display thread */
static void *
progress_main(void *arg)
{
	(void) arg;
	double next = now() + prog.interval;

	while (!atomic_load(&prog.stop)) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		if (now() < next)
			continue;
		next = now() + prog.interval;
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
progress_start(const copy_run *run, bool live, double interval)
{
	prog.run = run;
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

/* conversion_lines: the rules applied to each column, with sample keys */
static void
conversion_lines(FILE *out, const copy_run *run, size_t i)
{
	const plan_table *pt = copy_table_plan(run, i);

	for (size_t c = 0; c < pt->ncols; c++) {
		for (int f = 0; f < COPY_FIX_KINDS; f++) {
			const char *const *samples;
			unsigned long long n = copy_column_fixes(run, i, c, f, &samples);
			if (!n)
				continue;
			fprintf(out, "conversion: %s.%s %s: %llu value%s, e.g. key", pt->source, pt->cols[c].name,
					copy_fix_name(f), n, n == 1 ? "" : "s");
			for (int s = 0; s < COPY_FIX_SAMPLES && samples[s]; s++)
				fprintf(out, "%s %s", s ? "," : "", samples[s]);
			fputc('\n', out);
		}
	}
}

unsigned long long
progress_summary(FILE *out, const copy_run *run)
{
	unsigned long long total_fixes = 0;
	long long total_rows = 0, total_bytes = 0;

	fprintf(out, "\n%-28s %-8s %12s %10s %9s %11s %8s\n",
			"table", "state", "rows", "MB", "seconds", "conversions", "warnings");
	for (size_t i = 0; i < copy_ntables(run); i++) {
		copy_result r;
		copy_table_result(run, i, &r);
		if (r.skipped)
			continue;
		fprintf(out, "%-28.28s %-8s %12lld %10.1f %9.1f %11llu %8llu\n", copy_table_plan(run, i)->source,
				copy_state_name(r.state), r.rows, r.bytes / 1e6, r.seconds, r.fixes, r.warnings);
		total_fixes += r.fixes;
		total_rows += r.rows;
		total_bytes += r.bytes;
	}
	fprintf(out, "%-28s %-8s %12lld %10.1f\n", "total", "", total_rows, total_bytes / 1e6);
	for (size_t i = 0; i < copy_ntables(run); i++) {
		copy_result r;
		copy_table_result(run, i, &r);
		if (r.skipped)
			continue;
		conversion_lines(out, run, i);
		if (r.state == COPY_FAILED && r.error)
			fprintf(out, "failed: %s: %s\n", copy_table_plan(run, i)->source, r.error);
	}
	fflush(out);
	return total_fixes;
}
