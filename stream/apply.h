/*
 * The PostgreSQL sink of the stream: streamed tables, batches, checkpoints.
 *
 * A batch is one PostgreSQL transaction holding many whole source
 * transactions. Row images are encoded through the type map into COPY text
 * and copied into a per-table staging table (a temporary table, emptied at
 * commit), so memory stays bounded whatever the size of a source
 * transaction: rows are flushed to the staging table every few MB. For a
 * table with a key an update stages only its after-image unless it changes
 * the key. At commit each table's changes are applied set-wise: one DELETE
 * for keys whose last change removed them and one INSERT ... ON CONFLICT DO
 * UPDATE for the rest; when a key was changed more than once in the batch
 * (tracked by hash while staging) the last image per key is picked first
 * (DISTINCT ON key ordered by source order).
 * If that trips a constraint (a unique index, say, that only the source
 * order keeps satisfied) the table's changes are rolled back to a savepoint
 * and applied again one source change at a time. Tables without a key are
 * always applied in order: inserts append; an update or delete removes
 * exactly one row equal to the full before-image.
 *
 * The checkpoint (position after the last source transaction of the batch,
 * its GTID position and commit time) and every active table's applied
 * position are written in the same transaction, then it commits.
 *
 * migrate may copy a streamed table again at any time (it drops and creates
 * the target and resets the table's state and positions in one
 * transaction). So before applying, a batch takes ROW EXCLUSIVE locks on
 * the targets it changes (migrate's DROP waits for the batch, or the batch
 * sees migrate's committed state) and checks each table is still ready with
 * the snapshot it was loaded with; a table that is not is dropped from the
 * batch and from the stream until it is ready again. Applied positions are
 * only written where state and snapshot still match.
 */
#ifndef STREAM_APPLY_H
#define STREAM_APPLY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/control.h"
#include "common/plan.h"
#include "common/xalloc.h"
#include "stream/tables.h"

typedef struct apply apply;

/* apply_open: the sink session for database cfg->src.name, for role
 * ("stream", or "publish" for --to kafka, which uses only the control
 * schema; the session's application_name is the process's mark, e.g.
 * "stream[4242]@db1 trading", see instance.h); takes the database's
 * advisory lock for that role and LISTENs for migrate's table-ready
 * notices. A lock held by an earlier session of this process, or by one of
 * a stream on this host whose process has ended (kill -9 while its backend
 * was busy), is taken over: that session is ended (pg_terminate_backend).
 * A lock held by a running stream, or one on another host, is waited for
 * up to wait_s seconds (logged), then refused. NULL, logged, when the
 * session fails, the lock is refused, or *stop was set while waiting. */
apply *apply_open(const config *cfg, const control *ctl, const char *role, double wait_s,
				  volatile sig_atomic_t *stop);
void apply_close(apply *a);
PGconn *apply_conn(apply *a);

/* apply_table_open: prepares t's batch state (t->stage: its staging table
 * and statements; t->pt loaded); apply_table_close releases it (t->stage
 * NULL again; the description stays the caller's) */
void apply_table_open(apply *a, stream_table *t);
void apply_table_close(stream_table *t);

/* apply_row: stages one row change of a source transaction */
bool apply_row(apply *a, stream_table *t, binlog_rows_kind kind, const binlog_row *row);

/* apply_row_refused: whether apply_row's last failure was a value the type
 * map refused or a missing image (logged; nothing of the row was staged
 * and the batch can go on) rather than a sink failure */
bool apply_row_refused(const apply *a);

/* apply_data_refused: whether the last failed commit failed because
 * PostgreSQL refused a staged value (a data exception or a constraint,
 * SQLSTATE class 22 or 23) rather than for the schema, the session or the
 * connection; why is PostgreSQL's message (valid until the next batch) */
bool apply_data_refused(const apply *a, const char **why);

/* apply_failure_state: the SQLSTATE of the batch's last failure ("" when
 * none was recorded, e.g. a lost connection) */
const char *apply_failure_state(const apply *a);

/* apply_truncate: applies a TRUNCATE of t in the current batch, after the
 * changes staged so far */
bool apply_truncate(apply *a, stream_table *t);

/* apply_schema_change: applies t's changes staged so far, then ddl (the
 * PostgreSQL statements that follow a MariaDB ALTER TABLE) in the current
 * batch, and makes np (the table as MariaDB describes it now; taken over on
 * APPLY_DDL_DONE) t's description, recorded in the control schema. Commits
 * with the checkpoint past the ALTER. APPLY_DDL_REFUSED: PostgreSQL refused
 * ddl (why says so), nothing changed, the batch goes on; APPLY_DDL_FAILED: a
 * sink failure (logged). */
typedef enum apply_ddl_result { APPLY_DDL_DONE, APPLY_DDL_REFUSED, APPLY_DDL_FAILED } apply_ddl_result;
apply_ddl_result apply_schema_change(apply *a, stream_table *t, const char *ddl, plan_table *np,
									 char *why, size_t whylen);

/* apply_follow_rename: t was renamed in MariaDB to np's name (np: t's
 * description loaded under the new name; taken over on APPLY_DDL_DONE).
 * In the current batch: t's changes staged so far are applied, any
 * PostgreSQL table of the new name is dropped, t's target, its indexes and
 * sequences are renamed, and its control row moves to the new name (the
 * old name's ledger goes). APPLY_DDL_REFUSED when PostgreSQL refuses it
 * (why says so; nothing changed). */
apply_ddl_result apply_follow_rename(apply *a, stream_table *t, plan_table *np, char *why, size_t whylen);

/* apply_record_schema: records t's description (t->pt.described) as the
 * schema the stream decodes it with (outside a batch: when first loaded) */
bool apply_record_schema(apply *a, const stream_table *t);

/* apply_record_shadow: records (described non-NULL) or forgets the shadow
 * description of table (control_shadow_set) in the current batch, so that
 * it commits with the checkpoint past its statement */
bool apply_record_shadow(apply *a, const char *table, const char *described, const char *origin,
						 bool renames_columns);

/* apply_rows_pending: rows staged in the current batch */
long long apply_rows_pending(const apply *a);

/* apply_commit: applies the batch, writes the checkpoint at pos (GTID
 * position and source commit time ts) and the applied position of every
 * active table, and commits. On failure everything is rolled back and the
 * error logged. */
bool apply_commit(apply *a, stream_table *tables, size_t ntables, const binlogpos *pos,
				  uint32_t server_id, uint32_t ts);

/* apply_set_source_server: the @@server_id of the MariaDB server the
 * positions of the following commits belong to (recorded with the
 * checkpoint, so a switch to another server is noticed); 0 unknown */
void apply_set_source_server(apply *a, uint32_t source_sid);

/* apply_commit_with: the same, with extra_sql (control-schema SQL: {ctl}
 * expanded, $1 the database, then extra_params) in the transaction; pos may
 * be NULL (--from kafka: no binlog checkpoint, the offsets are extra_sql) */
bool apply_commit_with(apply *a, stream_table *tables, size_t ntables, const binlogpos *pos,
					   uint32_t server_id, uint32_t ts, const char *extra_sql, int nextra,
					   const char **extra_params);

/* apply_control: one control-schema statement in the current batch (begun
 * if needed; {ctl} expanded, $1 the database, then params); it commits with
 * the batch */
bool apply_control(apply *a, const char *sql, int nparams, const char **params);

/* apply_tables_changed: whether the last commit found a table that migrate
 * is copying again (or copied again) since it was loaded; such a table is no
 * longer active and the caller should reload the tables. Resets the flag. */
bool apply_tables_changed(apply *a);

/* apply_rollback: forgets the batch (connection errors, shutdown) */
void apply_rollback(apply *a, stream_table *tables, size_t ntables);

/* apply_notified: whether migrate announced a table (NOTIFY) since the last
 * call; false when the sink connection is gone (checked while idle, so a
 * dead connection is noticed before the next change needs it) */
bool apply_notified(apply *a, bool *notified);

/* apply_set_error: records why the stream stopped applying a table */
bool apply_set_table_error(apply *a, const char *table, const char *error);

#endif
