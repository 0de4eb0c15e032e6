/*
 * Inside the copy module: copying one chunk (above copy_worker.h). Also
 * defines copy_encode_row and copy_data_begin/end of copy.h.
 */
#ifndef COMMON_COPY_CHUNK_H
#define COMMON_COPY_CHUNK_H

#include "common/copy_worker.h"

/* copy_chunk: copies chunk ch of ct in one PostgreSQL transaction with its
 * ledger row; retries after a dropped connection (run->set.retries
 * attempts). False when the table failed (logged, copy_fail_table) or the
 * run was stopped. */
bool copy_chunk(copy_worker *w, copy_table *ct, plan_chunk *ch);

#endif
