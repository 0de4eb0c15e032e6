/*
 * Control schema: the statements of the stream (table states as it reads
 * them, its checkpoint, the publisher's acknowledged position, the Kafka
 * consumer's offsets and dead letters, and what --status shows). As in
 * control.c, "{ctl}" stands for the quoted schema and $1 for the source
 * database; results are copied into plain structs so no caller depends on
 * column numbers.
 */
#include "common/control.h"

#include "common/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char CONTROL_SQL_OFFSETS_SET[] =
	"WITH offs AS (INSERT INTO {ctl}.kafka_offsets (source_db, topic, kafka_partition, next_offset) "
	"SELECT $1, t, p, o FROM unnest($2::text[], $3::int[], $4::bigint[]) AS v(t, p, o) "
	"ON CONFLICT (source_db, topic, kafka_partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, "
	"updated_at = now()) "
	"UPDATE {ctl}.tables x SET kafka_skipped = x.kafka_skipped + s.n "
	"FROM unnest($5::text[], $6::bigint[]) AS s(t, n) WHERE x.source_db = $1 AND x.source_table = s.t";

const char CONTROL_SQL_DEAD_LETTER[] =
	"INSERT INTO {ctl}.kafka_dead_letters (source_db, topic, kafka_partition, kafka_offset, msg_key, msg_value, "
	"reason) VALUES ($1, $2, $3, $4, decode($5, 'hex'), decode($6, 'hex'), $7)";

const char CONTROL_SQL_TABLES_MOVED[] =
	"UPDATE {ctl}.tables SET snapshot_file = $3, snapshot_pos = $4, snapshot_gtid = $5, applied_file = NULL, "
	"applied_pos = NULL, updated_at = now() WHERE source_db = $1 AND state = 'ready' AND source_table = ANY($2::text[])";

/* dup_or_null: the value of a column that may be NULL */
static char *
dup_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : xstrdup(PQgetvalue(res, row, col));
}

/* get_pos: file and offset columns into a position (file "" when NULL) */
static void
get_pos(const PGresult *res, int row, int fcol, int pcol, binlogpos *out)
{
	memset(out, 0, sizeof(*out));
	if (PQgetisnull(res, row, fcol))
		return;
	snprintf(out->file, sizeof(out->file), "%s", PQgetvalue(res, row, fcol));
	out->pos = strtoull(PQgetvalue(res, row, pcol), NULL, 10);
}

bool
control_stream_tables(PGconn *pg, const control *ctl, control_stream_table **out, size_t *n,
					  char *errbuf, size_t errlen)
{
	PGresult *res = control_query(pg, ctl,
		"SELECT source_table, state, snapshot_file, snapshot_pos, applied_file, applied_pos, stream_error, "
		"stream_schema, ddl_pending, coalesce(snapshot_gtid, '') FROM {ctl}.tables WHERE source_db = $1 "
		"ORDER BY source_table",
		0, NULL, errbuf, errlen);

	*out = NULL;
	*n = 0;
	if (!res)
		return false;
	*n = (size_t) PQntuples(res);
	*out = xcalloc(*n + 1, sizeof(control_stream_table));
	for (int i = 0; i < PQntuples(res); i++) {
		control_stream_table *t = &(*out)[i];
		t->name = xstrdup(PQgetvalue(res, i, 0));
		snprintf(t->state, sizeof(t->state), "%s", PQgetvalue(res, i, 1));
		get_pos(res, i, 2, 3, &t->snapshot);
		get_pos(res, i, 4, 5, &t->applied);
		t->error = dup_or_null(res, i, 6);
		t->schema = dup_or_null(res, i, 7);
		t->ddl_pending = dup_or_null(res, i, 8);
		snprintf(t->snapshot.gtid, sizeof(t->snapshot.gtid), "%s", PQgetvalue(res, i, 9));
	}
	PQclear(res);
	return true;
}

void
control_stream_tables_free(control_stream_table *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].error);
		free(v[i].schema);
		free(v[i].ddl_pending);
	}
	free(v);
}

bool
control_table_removed(PGconn *pg, const control *ctl, const char *table, char *errbuf, size_t errlen)
{
	const char *params[] = { table };
	PGresult *res = control_query(pg, ctl,
		"UPDATE {ctl}.tables SET state = 'removed', updated_at = now() WHERE source_db = $1 AND source_table = $2",
		1, params, errbuf, errlen);

	PQclear(res);
	return res != NULL;
}

bool
control_table_missing(PGconn *pg, const control *ctl, const char *table, const char *source_schema,
					  const char *target_schema, const char *target_table, const char *why,
					  char *errbuf, size_t errlen)
{
	const char *params[] = { table, source_schema, target_schema, target_table, why };
	PGresult *res = control_query(pg, ctl,
		"INSERT INTO {ctl}.tables (source_db, source_table, source_schema, target_schema, target_table, state, error) "
		"VALUES ($1, $2, $3, $4, $5, 'missing', $6) ON CONFLICT (source_db, source_table) DO UPDATE "
		"SET state = 'missing', error = $6, updated_at = now() "
		"WHERE {ctl}.tables.state <> 'dropped' AND ({ctl}.tables.state <> 'ready' OR {ctl}.tables.stream_error IS NOT NULL)",
		5, params, errbuf, errlen);

	PQclear(res);
	return res != NULL;
}

bool
control_tables_missing(PGconn *pg, const control *ctl, const char *const *tables, size_t n, long long *count,
					   char *errbuf, size_t errlen)
{
	buf names = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		buf_printf(&names, "%s%s", i ? "\n" : "", tables[i]);
	const char *params[] = { names.data ? names.data : "" };
	PGresult *res = control_query(pg, ctl,
		"SELECT count(*) FROM {ctl}.tables WHERE source_db = $1 AND state = 'missing' "
		"AND source_table = ANY (string_to_array($2, E'\\n'))", 1, params, errbuf, errlen);

	buf_free(&names);
	if (!res)
		return false;
	*count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool
control_table_progress(PGconn *pg, const control *ctl, const char *table, long long rows, long long est_rows,
					   char *errbuf, size_t errlen)
{
	char r[32], e[32];
	snprintf(r, sizeof(r), "%lld", rows);
	snprintf(e, sizeof(e), "%lld", est_rows);
	const char *params[] = { table, r, e };
	PGresult *res = control_query(pg, ctl,
		"UPDATE {ctl}.tables SET rows_copied = $3, est_rows = $4, updated_at = now() "
		"WHERE source_db = $1 AND source_table = $2 AND state IN ('copying', 'indexing')",
		3, params, errbuf, errlen);

	PQclear(res);
	return res != NULL;
}

bool
control_checkpoint_get(PGconn *pg, const control *ctl, binlogpos *pos, uint32_t *source_sid,
					   char *errbuf, size_t errlen)
{
	PGresult *res = control_query(pg, ctl,
		"SELECT binlog_file, binlog_pos, coalesce(gtid, ''), coalesce(source_server_id, 0) "
		"FROM {ctl}.stream_checkpoint WHERE source_db = $1", 0, NULL, errbuf, errlen);

	memset(pos, 0, sizeof(*pos));
	*source_sid = 0;
	if (!res)
		return false;
	if (PQntuples(res) > 0) {
		get_pos(res, 0, 0, 1, pos);
		snprintf(pos->gtid, sizeof(pos->gtid), "%s", PQgetvalue(res, 0, 2));
		*source_sid = (uint32_t) strtoul(PQgetvalue(res, 0, 3), NULL, 10);
	}
	PQclear(res);
	return true;
}

bool
control_publish_get(PGconn *pg, const control *ctl, const char *prefix, binlogpos *pos, char **schemas,
					char *errbuf, size_t errlen)
{
	const char *params[] = { prefix };
	PGresult *res = control_query(pg, ctl, "SELECT binlog_file, binlog_pos, coalesce(gtid, ''), schemas "
								  "FROM {ctl}.publish_checkpoint WHERE source_db = $1 AND topic_prefix = $2",
								  1, params, errbuf, errlen);

	memset(pos, 0, sizeof(*pos));
	if (schemas)
		*schemas = NULL;
	if (!res)
		return false;
	if (PQntuples(res) > 0) {
		get_pos(res, 0, 0, 1, pos);
		snprintf(pos->gtid, sizeof(pos->gtid), "%s", PQgetvalue(res, 0, 2));
		if (schemas)
			*schemas = dup_or_null(res, 0, 3);
	}
	PQclear(res);
	return true;
}

bool
control_publish_set(PGconn *pg, const control *ctl, const char *prefix, const binlogpos *pos,
					uint32_t source_sid, uint32_t ts, const char *schemas, char *errbuf, size_t errlen)
{
	char posbuf[32], sidbuf[16], tsbuf[16];

	snprintf(posbuf, sizeof(posbuf), "%" PRIu64, pos->pos);
	snprintf(sidbuf, sizeof(sidbuf), "%" PRIu32, source_sid);
	snprintf(tsbuf, sizeof(tsbuf), "%" PRIu32, ts);
	const char *params[] = { prefix, pos->file, posbuf, pos->gtid[0] ? pos->gtid : NULL, sidbuf, ts ? tsbuf : NULL,
							 schemas };
	PGresult *res = control_query(pg, ctl,
		"INSERT INTO {ctl}.publish_checkpoint (source_db, topic_prefix, binlog_file, binlog_pos, gtid, server_id, "
		"source_ts, schemas) VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::bigint), $8) "
		"ON CONFLICT (source_db, topic_prefix) "
		"DO UPDATE SET binlog_file = EXCLUDED.binlog_file, binlog_pos = EXCLUDED.binlog_pos, gtid = EXCLUDED.gtid, "
		"server_id = EXCLUDED.server_id, source_ts = EXCLUDED.source_ts, "
		"schemas = coalesce(EXCLUDED.schemas, {ctl}.publish_checkpoint.schemas), updated_at = now()",
		7, params, errbuf, errlen);

	PQclear(res);
	return res != NULL;
}

bool
control_offsets_get(PGconn *pg, const control *ctl, control_offset **out, size_t *n, char *errbuf, size_t errlen)
{
	PGresult *res = control_query(pg, ctl, "SELECT topic, kafka_partition, next_offset "
								  "FROM {ctl}.kafka_offsets WHERE source_db = $1", 0, NULL, errbuf, errlen);

	*out = NULL;
	*n = 0;
	if (!res)
		return false;
	*n = (size_t) PQntuples(res);
	*out = xcalloc(*n + 1, sizeof(control_offset));
	for (int i = 0; i < PQntuples(res); i++) {
		(*out)[i].topic = xstrdup(PQgetvalue(res, i, 0));
		(*out)[i].partition = (int32_t) strtol(PQgetvalue(res, i, 1), NULL, 10);
		(*out)[i].next = (int64_t) strtoll(PQgetvalue(res, i, 2), NULL, 10);
	}
	PQclear(res);
	return true;
}

void
control_offsets_free(control_offset *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].topic);
	free(v);
}

PGresult *
control_status_checkpoint(PGconn *pg, const control *ctl, char *errbuf, size_t errlen)
{
	return control_query(pg, ctl,
		"SELECT binlog_file, binlog_pos, coalesce(gtid, ''), coalesce(to_char(source_ts, 'YYYY-MM-DD HH24:MI:SS'), ''), "
		"coalesce(extract(epoch FROM now() - source_ts)::bigint::text, ''), "
		"to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(to_jsonb(c)->>'source_server_id', '') "
		"FROM {ctl}.stream_checkpoint c WHERE source_db = $1", 0, NULL, errbuf, errlen);
}

PGresult *
control_status_tables(PGconn *pg, const control *ctl, char *errbuf, size_t errlen)
{
	return control_query(pg, ctl,
		"SELECT source_table, state, coalesce(applied_file, snapshot_file, ''), "
		"coalesce(applied_pos, snapshot_pos)::text, rows_inserted, rows_updated, rows_deleted, "
		"coalesce(stream_error, CASE WHEN state IN ('missing', 'failed', 'dropped') THEN error END, ''), "
		"rows_copied, coalesce(est_rows::text, ''), "
		"coalesce(round(extract(epoch FROM now() - started_at))::text, ''), kafka_skipped "
		"FROM {ctl}.tables WHERE source_db = $1 ORDER BY source_table", 0, NULL, errbuf, errlen);
}

PGresult *
control_status_published(PGconn *pg, const control *ctl, char *errbuf, size_t errlen)
{
	return control_query(pg, ctl,
		"SELECT topic_prefix, binlog_file || ':' || binlog_pos, coalesce(gtid, '-'), "
		"coalesce(to_char(source_ts, 'YYYY-MM-DD HH24:MI:SS'), '-'), to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') "
		"FROM {ctl}.publish_checkpoint WHERE source_db = $1 ORDER BY topic_prefix", 0, NULL, errbuf, errlen);
}

PGresult *
control_status_consumed(PGconn *pg, const control *ctl, char *errbuf, size_t errlen)
{
	return control_query(pg, ctl,
		"SELECT (SELECT count(*) FROM {ctl}.kafka_offsets WHERE source_db = $1), "
		"(SELECT coalesce(to_char(max(updated_at), 'YYYY-MM-DD HH24:MI:SS'), '-') FROM {ctl}.kafka_offsets "
		"WHERE source_db = $1), (SELECT count(*) FROM {ctl}.kafka_dead_letters WHERE source_db = $1)",
		0, NULL, errbuf, errlen);
}

bool
control_shadows_get(PGconn *pg, const control *ctl, control_shadow **out, size_t *n, char *errbuf, size_t errlen)
{
	PGresult *res = control_query(pg, ctl,
		"SELECT source_table, described, origin, renames_columns FROM {ctl}.shadow_tables WHERE source_db = $1 "
		"ORDER BY source_table", 0, NULL, errbuf, errlen);

	*out = NULL;
	*n = 0;
	if (!res)
		return false;
	int rows = PQntuples(res);
	control_shadow *v = xcalloc((size_t) rows + 1, sizeof(*v));
	for (int i = 0; i < rows; i++) {
		v[i].name = xstrdup(PQgetvalue(res, i, 0));
		v[i].described = xstrdup(PQgetvalue(res, i, 1));
		v[i].origin = dup_or_null(res, i, 2);
		v[i].renames_columns = strcmp(PQgetvalue(res, i, 3), "t") == 0;
	}
	PQclear(res);
	*out = v;
	*n = (size_t) rows;
	return true;
}

void
control_shadows_free(control_shadow *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].described);
		free(v[i].origin);
	}
	free(v);
}

bool
control_shadow_set(PGconn *pg, const control *ctl, const char *table, const char *described, const char *origin,
				   bool renames_columns, char *errbuf, size_t errlen)
{
	const char *params[] = { table, described, origin, renames_columns ? "t" : "f" };
	PGresult *res = described
		? control_query(pg, ctl,
			"INSERT INTO {ctl}.shadow_tables (source_db, source_table, described, origin, renames_columns) "
			"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_db, source_table) DO UPDATE SET "
			"described = EXCLUDED.described, origin = EXCLUDED.origin, renames_columns = EXCLUDED.renames_columns, "
			"updated_at = now()", 4, params, errbuf, errlen)
		: control_query(pg, ctl, "DELETE FROM {ctl}.shadow_tables WHERE source_db = $1 AND source_table = $2", 1,
						params, errbuf, errlen);

	if (!res)
		return false;
	PQclear(res);
	return true;
}
