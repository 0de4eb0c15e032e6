/*
 * What the Debezium codec's two test files share (test_debezium.c defines
 * it): tables described by hand as information_schema would describe them
 * and resolved through the type map, as plan_table_load does; row images
 * holding values in MariaDB's text-protocol form; and the assertions both
 * use. A table_new table is freed with table_free; dumped and the
 * expect_json macro take the reference they are given.
 */
#ifndef TESTS_UNIT_TEST_DEBEZIUM_H
#define TESTS_UNIT_TEST_DEBEZIUM_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "stream/dbz_decode.h"
#include "stream/dbz_encode.h"

/* A column as the tests describe it. */
typedef struct tcol {
	const char *name;
	const char *data_type;
	const char *column_type;
	long long	num_precision;	/* -1 if NULL */
	long long	num_scale;		/* -1 if NULL */
	long long	dt_precision;	/* -1 if NULL */
	bool		nullable;
	bool		is_json;
	const char *override;
} tcol;

#define COL(n, dt, ct, nul) { n, dt, ct, -1, -1, -1, nul, false, NULL }

/* table_new: a plan_table of the given columns and key, each column
 * resolved through the type map; freed with table_free */
plan_table *table_new(const char *source, const tcol *cols, size_t ncols, const int *key,
					  size_t nkey);
void table_free(plan_table *pt);

/* V, VB, VNULL: a present value (text, binary, SQL NULL) */
binlog_value V(const char *s);
binlog_value VB(const char *s, size_t len);
extern const binlog_value VNULL;

/* dumped: j as compact JSON with sorted keys (a heap string); takes the
 * reference */
char *dumped(json_t *j);

/* expect_json: j (taken) dumps exactly as want */
#define expect_json(j, want) do { \
	char *got_ = dumped(j); \
	ck_assert_str_eq(got_, want); \
	free(got_); \
} while (0)

extern const dbz_options PLAIN;
extern const dbz_options FLAT;
extern const dbz_options SCHEMAS;

/* src_of: the source of a streamed row of db "shop" from server "srv" */
dbz_source src_of(const char *table);

/* the envelope's ts_ms in every test event */
#define NOW 1706704497000ULL

/* The customers table: id INT NOT NULL primary key, name VARCHAR(10) NULL. */
extern const tcol customers_cols[2];
extern const int customers_key[1];

/* value_ok: dbz_value that must succeed; a new reference */
json_t *value_ok(const plan_table *pt, dbz_op op, const binlog_value *before,
				 const binlog_value *after, const dbz_source *src, const dbz_options *o);

#endif
