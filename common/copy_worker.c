/*
 * The bottom of the copy module; see copy_worker.h.
 *
 * A worker owns one PostgreSQL connection, set up for bulk loading, and
 * one MariaDB connection holding one consistent snapshot, opened at its
 * first chunk and kept while it works: every chunk it copies is read at
 * that snapshot's binlog position. When a connection drops, both are
 * closed, and the next attempt opens a new snapshot. A table's failure is
 * kept (the first error), logged once here, and written to the control
 * schema so that it is never taken as ready.
 */
#include "common/copy_worker.h"

#include "common/log.h"
#include "common/maria.h"
#include "common/pg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double
copy_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

bool
copy_worker_connect_pg(copy_worker *w)
{
	char errbuf[1024];

	if (w->pg)
		PQfinish(w->pg);
	w->pg = pg_connect(w->run->cfg, w->run->set.appname ? w->run->set.appname : "migrate", errbuf, sizeof(errbuf));
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
copy_worker_connect_my(copy_worker *w)
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

bool
copy_worker_ensure_pg(copy_worker *w)
{
	if (w->pg && !pg_is_disconnect(w->pg))
		return true;
	return copy_worker_connect_pg(w);
}

void
copy_worker_disconnect(copy_worker *w)
{
	if (w->my)
		mysql_close(w->my);
	if (w->pg)
		PQfinish(w->pg);
	w->my = NULL;
	w->pg = NULL;
}

void
copy_fail_table(copy_worker *w, copy_table *ct, const char *detail, const char *fmt, ...)
{
	copy_run *run = w->run;
	char msg[2048], errbuf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error_dh(detail, NULL, "%s", msg);
	pthread_mutex_lock(&run->mu);
	if (!ct->error)
		ct->error = xasprintf("%s%s%s", msg, detail ? ": " : "", detail ? detail : "");
	ct->state = COPY_FAILED;
	ct->finished = copy_now();
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	/* Best effort: the ledger says failed, so the table is never taken as
	 * ready. The sink may be what failed; then the state stays "copying". */
	if (w->pg && !pg_is_disconnect(w->pg)) {
		pg_exec(w->pg, "ROLLBACK", errbuf, sizeof(errbuf));
		if (!control_table_set_state(w->pg, run->ctl, ct->pt.source, "failed", ct->error, errbuf, sizeof(errbuf)))
			log_warning("could not record table \"%s\" as failed: %s", ct->pt.source, errbuf);
	}
}
