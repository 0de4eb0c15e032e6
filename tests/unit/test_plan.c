/*
 * plan_table as a value: plan_table_copy makes a deep copy that
 * plan_table_equal finds equal to its source, sharing no heap memory with
 * it (freeing one leaves the other whole), and any one changed field makes
 * them differ. The table is built by hand (no server), with the fields
 * plan_table_load fills.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/plan.h"
#include "common/xalloc.h"

static config_table allow_t = { .name = "orders", .line = 1 };

/* column: one column resolved through the type map */
static void
column(plan_column *c, const char *name, const char *data_type, const char *column_type, bool nullable)
{
	typemap_source src = { .name = name, .data_type = data_type, .column_type = column_type,
						   .char_max_len = -1, .num_precision = -1, .num_scale = -1, .dt_precision = -1 };
	char err[256] = "";

	ck_assert_msg(typemap_resolve(&src, &c->tm, err, sizeof(err)), "resolve %s: %s", column_type, err);
	c->name = xstrdup(name);
	c->target = xstrdup(name);
	c->column_type = xstrdup(column_type);
	c->nullable = nullable;
	c->num_scale = -1;
	c->dt_precision = -1;
}

/* table_new: "orders" (id bigint key, note text with a default), two indexes */
static void
table_new(plan_table *pt)
{
	memset(pt, 0, sizeof(*pt));
	pt->allow = &allow_t;
	pt->source = xstrdup("orders");
	pt->target = xstrdup("orders");
	pt->qsource = xstrdup("`shop`.`orders`");
	pt->qtarget = xstrdup("\"public\".\"orders\"");
	pt->ncols = 2;
	pt->cols = xcalloc(2, sizeof(plan_column));
	column(&pt->cols[0], "id", "bigint", "bigint(20)", false);
	column(&pt->cols[1], "note", "varchar", "varchar(100)", true);
	pt->cols[1].pg_default = xstrdup("'none'");
	pt->nkey = 1;
	pt->key = xcalloc(1, sizeof(int));
	pt->key_is_int = true;
	pt->binary = true;
	pt->est_rows = 1000;
	pt->select_list = xstrdup("`id`, `note`");
	pt->copy_columns = xstrdup("\"id\", \"note\"");
	pt->described = xstrdup("{\"tables\": []}");
	pt->create_sql = xstrdup("\"public\".\"orders\" (id bigint NOT NULL, note varchar(100))");
	pt->nindex = 2;
	pt->index_sql = xcalloc(2, sizeof(char *));
	pt->index_desc = xcalloc(2, sizeof(char *));
	pt->index_sql[0] = xstrdup("CREATE UNIQUE INDEX orders_pkey ON \"public\".\"orders\" (id)");
	pt->index_desc[0] = xstrdup("primary key");
	pt->index_sql[1] = xstrdup("CREATE INDEX orders_note ON \"public\".\"orders\" (note)");
	pt->index_desc[1] = xstrdup("index orders_note");
	pt->pk_sql = xstrdup("ALTER TABLE \"public\".\"orders\" ADD PRIMARY KEY USING INDEX orders_pkey");
}

START_TEST(test_copy_is_equal)
{
	plan_table a, b;

	table_new(&a);
	plan_table_copy(&b, &a);
	ck_assert(plan_table_equal(&a, &b));
	ck_assert(plan_table_equal(&b, &a));
	ck_assert_ptr_ne(a.cols, b.cols);
	ck_assert_ptr_ne(a.cols[1].pg_default, b.cols[1].pg_default);
	ck_assert_ptr_ne(a.index_sql[1], b.index_sql[1]);
	ck_assert_ptr_eq(a.allow, b.allow);
	plan_table_free(&a);
	/* b owns all of its memory */
	ck_assert_str_eq(b.cols[1].pg_default, "'none'");
	ck_assert_str_eq(b.index_desc[1], "index orders_note");
	plan_table_free(&b);
}
END_TEST

START_TEST(test_change_is_unequal)
{
	plan_table a, b;

	table_new(&a);
	plan_table_copy(&b, &a);
	b.cols[1].nullable = false;
	ck_assert(!plan_table_equal(&a, &b));
	b.cols[1].nullable = true;
	ck_assert(plan_table_equal(&a, &b));
	free(b.cols[0].target);
	b.cols[0].target = xstrdup("ID");
	ck_assert(!plan_table_equal(&a, &b));
	plan_table_free(&b);

	plan_table_copy(&b, &a);
	free(b.index_sql[1]);
	b.index_sql[1] = NULL;
	ck_assert(!plan_table_equal(&a, &b));
	plan_table_free(&b);

	plan_table_copy(&b, &a);
	snprintf(b.cols[0].tm.pg_type, sizeof(b.cols[0].tm.pg_type), "numeric(20)");
	ck_assert(!plan_table_equal(&a, &b));
	plan_table_free(&b);

	plan_table_copy(&b, &a);
	b.key[0] = 1;
	ck_assert(!plan_table_equal(&a, &b));
	plan_table_free(&b);
	plan_table_free(&a);
}
END_TEST

START_TEST(test_free_then_reuse)
{
	plan_table a, b;

	table_new(&a);
	plan_table_copy(&b, &a);
	plan_table_free(&b);
	/* freed tables are empty and equal to each other */
	plan_table c;
	memset(&c, 0, sizeof(c));
	ck_assert(plan_table_equal(&b, &c));
	plan_table_copy(&b, &a);
	ck_assert(plan_table_equal(&a, &b));
	plan_table_free(&a);
	plan_table_free(&b);
}
END_TEST

Suite *
plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("value");

	tcase_add_test(tc, test_copy_is_equal);
	tcase_add_test(tc, test_change_is_unequal);
	tcase_add_test(tc, test_free_then_reuse);
	suite_add_tcase(s, tc);
	return s;
}
