/*
 * Progress of a migration. On a terminal, a live block of one line per table
 * (state, rows, MB/s, ETA) redrawn twice a second; log lines step around it
 * through the log hooks. Otherwise, one log line per active table every few
 * seconds. At the end, progress_summary prints a table of rows, bytes,
 * seconds, conversions and warnings per table, with sample keys.
 */
#ifndef MIGRATE_PROGRESS_H
#define MIGRATE_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>
#include "common/copy.h"

/* progress_start: starts the display thread over the tables of run (not
 * owned; it must outlive progress_stop), leaving out those it skipped */
void progress_start(const copy_run *run, bool live, double interval);
void progress_stop(void);
/* progress_summary: the end-of-run table; returns the number of conversions */
unsigned long long progress_summary(FILE *out, const copy_run *run);

#endif
