/*
 * Inside the copy module: the worker pool and its scheduler (above
 * copy_chunk.h, copy_finish.h and copy_worker.h).
 */
#ifndef COMMON_COPY_SCHED_H
#define COMMON_COPY_SCHED_H

#include "common/copy_worker.h"

/* copy_sched_run: runs every task of the tables not skipped to the end (or
 * until *run->stop); true when each is ready and the run was not stopped.
 * run->mu and run->cond must be initialised. */
bool copy_sched_run(copy_run *run);

#endif
