/*
 * --verify: compares source and target after conversion.
 *
 * For each chunk of each table, the source rows are read again (in a new
 * consistent snapshot), converted by the same type map and loaded into a
 * temporary table with the target's column types; PostgreSQL then computes a
 * row count and an order-independent checksum (the sum of a 64-bit hash of
 * each row's text) of that table and of the target rows of the same chunk:
 * by key range for an integer key, by the chunk's keys otherwise, the whole
 * table without a key. A table's total row count is compared as well, which
 * catches target rows outside every chunk. Mismatches name the table and the
 * key range. Because the source is read again, its tables must not be
 * written while verifying (or only after stream has caught up).
 */
#ifndef MIGRATE_VERIFY_H
#define MIGRATE_VERIFY_H

#include <signal.h>
#include <libpq-fe.h>

#include "common/config.h"
#include "common/copy.h"

typedef enum verify_result { VERIFY_OK, VERIFY_MISMATCH, VERIFY_ERROR } verify_result;

/* verify_tables: verifies tables order[0..ntables) of run (their
 * descriptions and chunks) in that order; logs every mismatch */
verify_result verify_tables(const config *cfg, PGconn *pg, const copy_run *run, const size_t *order,
							size_t ntables, volatile sig_atomic_t *interrupted);

#endif
