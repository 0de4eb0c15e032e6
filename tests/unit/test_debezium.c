/*
 * The helpers the Debezium codec's test files share; see test_debezium.h.
 * The tests themselves are in test_debezium_encode.c (events we publish)
 * and test_debezium_decode.c (events we read back).
 */
#include "tests/unit/test_debezium.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* table_new: a plan_table of the given columns and key, each column
 * resolved through the type map */
plan_table *
table_new(const char *source, const tcol *cols, size_t ncols, const int *key, size_t nkey)
{
	plan_table *pt = calloc(1, sizeof(*pt));

	pt->source = (char *) source;
	pt->ncols = ncols;
	pt->cols = calloc(ncols, sizeof(plan_column));
	for (size_t i = 0; i < ncols; i++) {
		plan_column *pc = &pt->cols[i];
		typemap_source src = {
			.name = cols[i].name,
			.data_type = cols[i].data_type,
			.column_type = cols[i].column_type,
			.char_max_len = -1,
			.num_precision = cols[i].num_precision,
			.num_scale = cols[i].num_scale,
			.dt_precision = cols[i].dt_precision,
			.is_json = cols[i].is_json,
			.override = cols[i].override,
		};
		char		err[256] = "";

		ck_assert_msg(typemap_resolve(&src, &pc->tm, err, sizeof(err)),
					  "resolve %s: %s", cols[i].column_type, err);
		pc->name = (char *) cols[i].name;
		pc->column_type = (char *) cols[i].column_type;
		pc->nullable = cols[i].nullable;
		pc->num_scale = cols[i].num_scale;
		pc->dt_precision = cols[i].dt_precision;
	}
	pt->nkey = nkey;
	pt->key = nkey ? calloc(nkey, sizeof(int)) : NULL;
	for (size_t i = 0; i < nkey; i++)
		pt->key[i] = key[i];
	return pt;
}

/* table_free: what table_new allocated (and a description a test set) */
void
table_free(plan_table *pt)
{
	free(pt->described);
	free(pt->cols);
	free(pt->key);
	free(pt);
}

/* V, VB, VNULL: a present value (text, binary, SQL NULL) */
binlog_value
V(const char *s)
{
	binlog_value v = { true, s, strlen(s) };

	return v;
}

binlog_value
VB(const char *s, size_t len)
{
	binlog_value v = { true, s, len };

	return v;
}

const binlog_value VNULL = { true, NULL, 0 };

/* dumped: j as compact JSON with sorted keys; takes the reference */
char *
dumped(json_t *j)
{
	char	   *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	return s;
}

const dbz_options PLAIN = { false, false, NULL };
const dbz_options FLAT = { true, false, NULL };
const dbz_options SCHEMAS = { false, true, NULL };

/* src_of: the source of a streamed row of db "shop" from server "srv" */
dbz_source
src_of(const char *table)
{
	dbz_source	s = {
		.server_name = "srv", .db = "shop", .table = table, .server_id = 7,
		.file = "mariadb-bin.000002", .pos = 1234, .gtid = "0-7-42",
		.ts_ms = 1706704496000ULL, .row = 1, .snapshot = false,
	};

	return s;
}

const tcol customers_cols[2] = {
	COL("id", "int", "int(11)", false),
	COL("name", "varchar", "varchar(10)", true),
};
const int customers_key[1] = { 0 };

/* value_ok: dbz_value that must succeed */
json_t *
value_ok(const plan_table *pt, dbz_op op, const binlog_value *before, const binlog_value *after,
		 const dbz_source *src, const dbz_options *o)
{
	char		err[512] = "";
	json_t	   *j = dbz_value(pt, op, before, after, src, o, NOW, err, sizeof(err));

	ck_assert_msg(j != NULL, "dbz_value failed: %s", err);
	return j;
}
