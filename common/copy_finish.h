/*
 * Inside the copy module: finishing a table once its rows are in (above
 * copy_worker.h). Each step logs and records a failure (copy_fail_table)
 * and returns false.
 */
#ifndef COMMON_COPY_FINISH_H
#define COMMON_COPY_FINISH_H

#include "common/copy_worker.h"

/* copy_finish_loaded: after the last chunk: SET LOGGED if needed, state indexing */
bool copy_finish_loaded(copy_worker *w, copy_table *ct);
/* copy_finish_index: builds index i of ct */
bool copy_finish_index(copy_worker *w, copy_table *ct, size_t i);
/* copy_finish_table: sequences, primary key, ANALYZE, then watermark and
 * state ready in one durable commit; sets ct->state READY */
bool copy_finish_table(copy_worker *w, copy_table *ct);

#endif
