/*
 * Inside the copy module: preparing each table's target before the copy
 * (above copy_worker.h). A fresh start drops and recreates the target
 * (UNLOGGED when the load mode says so) and writes a new ledger in one
 * transaction; a resume keeps a compatible ledger and the rows of its done
 * chunks, after checking that an UNLOGGED target was not emptied by a sink
 * restart. Runs on the caller's connection, before the workers start.
 */
#ifndef COMMON_COPY_TARGET_H
#define COMMON_COPY_TARGET_H

#include "common/copy_worker.h"

/* copy_target_resolve_mode: auto -> logged or unlogged for this sink;
 * false (logged) when the sink cannot say */
bool copy_target_resolve_mode(PGconn *pg, copy_load_mode *mode);

/*
 * copy_target_prepare: sets ct up to be run (its state, counters, and
 * chunks from the ledger when resuming). With run->set.resume, a table
 * already ready gets ct->skipped. Otherwise the target is (re)created.
 * Takes the table's session advisory lock on pg. False with the error
 * logged.
 */
bool copy_target_prepare(PGconn *pg, const copy_run *run, copy_table *ct);

#endif
