/*
 * Preparing each table's target before the copy: a fresh start drops and
 * recreates the target (UNLOGGED when the load mode says so) and writes a
 * new ledger in one transaction; --resume keeps a compatible ledger and the
 * rows of its done chunks, after checking that an UNLOGGED target was not
 * emptied by a sink restart.
 */
#ifndef MIGRATE_TARGET_H
#define MIGRATE_TARGET_H

#include <stdbool.h>
#include <libpq-fe.h>

#include "common/config.h"
#include "common/control.h"
#include "common/plan.h"

typedef enum target_load_mode {
	LOAD_AUTO,                  /* pick by the sink's wal_level */
	LOAD_LOGGED,                /* durable tables from the start */
	LOAD_UNLOGGED               /* UNLOGGED during the load, LOGGED at the end */
} target_load_mode;

/* target_resolve_mode: auto -> logged or unlogged for this sink */
bool target_resolve_mode(PGconn *pg, target_load_mode *mode);

/*
 * target_prepare: sets pt up to be run. With resume, a table already ready
 * sets *skip; a table with a compatible ledger continues from it. Otherwise
 * the target is (re)created. False with the error logged.
 */
bool target_prepare(PGconn *pg, const control *ctl, const config *cfg, plan_table *pt,
					target_load_mode mode, bool resume, bool *skip);

#endif
