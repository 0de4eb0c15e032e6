/*
 * ddl-check: checks the DDL interpreter (stream/ddl_apply.c) against a real
 * MariaDB server, statement by statement.
 *
 *   ddl-check --env FILE --database NAME [--chain] STATEMENTS-FILE
 *
 * The connection is the source database NAME of the .env file (NAME_HOST,
 * NAME_PORT, NAME_USER, NAME_PASS, NAME_SCHEMA, as migrate reads them).
 * STATEMENTS-FILE holds one statement per line; blank lines and lines
 * starting with # are skipped. A line starting with ! is run on the server
 * only (setup); one starting with ? must be refused by the interpreter (it
 * is then run on the server too); "@ansi_quotes on" / "@ansi_quotes off"
 * switch the session's ANSI_QUOTES and the lexer's flag together.
 *
 * For every other statement (ALTER TABLE, CREATE/DROP INDEX, CREATE TABLE,
 * CREATE TABLE ... LIKE; the table is found with ddl_classify): the table is
 * described with plan.c's loader, as JSON (its check rows given their LEVEL,
 * which the loader's query leaves out); the statement is applied to that
 * description with ddl_apply (ddl_apply_create for CREATE TABLE, with the
 * LIKE table's description); the statement runs on the server; the table
 * is described again; the two descriptions must be the same (TABLE_ROWS and
 * AUTO_INCREMENT aside; check rows compared as a set, those other than
 * json_valid(`column`) left out, since the interpreter does not record
 * them), and the interpreter's must load with plan_table_load_described.
 * With --chain the interpreter starts each statement from its own last
 * description of the table instead (a schema history, as the stream keeps
 * one), until a refusal.
 *
 * A difference prints the statement and both descriptions; the exit status
 * is 1 when any statement differed or was refused unexpectedly (all are
 * checked), 2 for a usage, connection or server error, 0 otherwise.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/plan.h"
#include "common/xalloc.h"
#include "stream/ddl.h"
#include "stream/ddl_apply.h"

typedef struct check_run {
	MYSQL      *my;
	config      cfg;
	plan_env    env;
	ddl_apply_env aenv;
	char       *db_collation;
	char       *engine;
	bool        chain;
	char       *chain_table;    /* the table the chained description is of */
	char       *chain_desc;
	int         failures;
	int         checked;
} check_run;

/* describe: the live description of table, checks with their LEVEL; NULL
 * when the table cannot be read */
static char *
describe(check_run *r, const char *table)
{
	config_table allow = { .name = (char *) table, .line = 1 };
	plan_table pt;
	buf sql = BUF_INIT;

	if (!plan_table_load(r->my, &r->env, &allow, &pt))
		return NULL;
	json_t *d = json_loads(pt.described, 0, NULL);
	plan_table_free(&pt);
	json_t *checks = json_array();
	buf_puts(&sql, "SELECT CHECK_CLAUSE, LEVEL FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ");
	maria_escape_literal(r->my, &sql, r->cfg.src.schema, strlen(r->cfg.src.schema));
	buf_puts(&sql, " AND TABLE_NAME = ");
	maria_escape_literal(r->my, &sql, table, strlen(table));
	if (mysql_query(r->my, sql.data) == 0) {
		MYSQL_RES *res = mysql_store_result(r->my);
		MYSQL_ROW row;
		while (res && (row = mysql_fetch_row(res))) {
			json_t *a = json_array();
			json_array_append_new(a, json_string(row[0]));
			json_array_append_new(a, json_string(row[1]));
			json_array_append_new(checks, a);
		}
		if (res)
			mysql_free_result(res);
	}
	buf_free(&sql);
	json_object_set_new(d, "checks", checks);
	char *out = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return out;
}

static int
cmp_json_str(const void *a, const void *b)
{
	const char *x = json_string_value(json_array_get(*(json_t *const *) a, 0));
	const char *y = json_string_value(json_array_get(*(json_t *const *) b, 0));
	int c = strcmp(x ? x : "", y ? y : "");

	if (c)
		return c;
	x = json_string_value(json_array_get(*(json_t *const *) a, 1));
	y = json_string_value(json_array_get(*(json_t *const *) b, 1));
	return strcmp(x ? x : "", y ? y : "");
}

/* normalise: the parts compared, as indented JSON (heap) */
static char *
normalise(const char *described)
{
	json_t *d = json_loads(described, 0, NULL), *n = json_object();

	if (!d)
		return xstrdup("(not JSON)");
	json_t *trow = json_array_get(json_object_get(d, "tables"), 0);
	json_t *t = json_array();
	json_array_append(t, json_array_get(trow, 0));
	json_array_append(t, json_array_get(trow, 3));
	json_array_append(t, json_array_get(trow, 4));
	json_object_set_new(n, "tables", t);
	json_t *checks = json_object_get(d, "checks");
	size_t nc = 0;
	json_t **v = xcalloc(json_array_size(checks) + 1, sizeof(json_t *));
	for (size_t i = 0; i < json_array_size(checks); i++) {
		const char *cl = json_string_value(json_array_get(json_array_get(checks, i), 0));
		size_t len = cl ? strlen(cl) : 0;
		if (cl && strncmp(cl, "json_valid(`", 12) == 0 && len > 14 && strcmp(cl + len - 2, "`)") == 0)
			v[nc++] = json_array_get(checks, i);
	}
	qsort(v, nc, sizeof(json_t *), cmp_json_str);
	json_t *c = json_array();
	for (size_t i = 0; i < nc; i++)
		json_array_append(c, v[i]);
	free(v);
	json_object_set_new(n, "checks", c);
	json_object_set(n, "columns", json_object_get(d, "columns"));
	json_object_set(n, "indexes", json_object_get(d, "indexes"));
	char *out = json_dumps(n, JSON_INDENT(1));
	json_decref(n);
	json_decref(d);
	return out;
}

/* print_diff: the first lines where a and b differ, and both */
static void
print_diff(const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	int line = 1;

	while (*pa && *pa == *pb) {
		if (*pa == '\n')
			line++;
		pa++;
		pb++;
	}
	const char *la = pa, *lb = pb;
	while (la > a && la[-1] != '\n')
		la--;
	while (lb > b && lb[-1] != '\n')
		lb--;
	printf("  first difference at line %d:\n    interpreter: %.*s\n    server:      %.*s\n", line,
		   (int) strcspn(la, "\n"), la, (int) strcspn(lb, "\n"), lb);
}

static bool
run_server(check_run *r, const char *stmt)
{
	if (mysql_query(r->my, stmt) != 0) {
		fprintf(stderr, "ddl-check: the server refused: %s\n  %s\n", mysql_error(r->my), stmt);
		return false;
	}
	MYSQL_RES *res = mysql_store_result(r->my);
	if (res)
		mysql_free_result(res);
	return true;
}

static void
chain_set(check_run *r, const char *table, char *desc)
{
	free(r->chain_table);
	free(r->chain_desc);
	r->chain_table = table ? xstrdup(table) : NULL;
	r->chain_desc = desc;
}

/* check_stmt: one statement; false on a server error */
static bool
check_stmt(check_run *r, const char *stmt, bool must_refuse)
{
	ddl_stmt st;
	char err[512], why[1024] = "";
	char *before = NULL, *like = NULL, *mine = NULL, *after = NULL;
	bool ok = true, applied;

	if (!ddl_classify(stmt, r->cfg.src.schema, r->aenv.lexer_flags, &st, err, sizeof(err)) ||
		(st.kind != DDL_ALTER && st.kind != DDL_CREATE) || st.ntables == 0) {
		fprintf(stderr, "ddl-check: not an ALTER or CREATE statement: %s\n", stmt);
		ddl_stmt_free(&st);
		return false;
	}
	const char *table = st.tables[0].name;
	r->checked++;
	if (st.kind == DDL_CREATE) {
		if (st.has_like && !(like = describe(r, st.like.name))) {
			ddl_stmt_free(&st);
			return false;
		}
		applied = ddl_apply_create(stmt, like, &r->aenv, &mine, why, sizeof(why));
	} else {
		if (r->chain && r->chain_table && strcmp(r->chain_table, table) == 0)
			before = xstrdup(r->chain_desc);
		else if (!(before = describe(r, table))) {
			ddl_stmt_free(&st);
			return false;
		}
		applied = ddl_apply(before, table, stmt, &r->aenv, &mine, why, sizeof(why));
	}
	if (!run_server(r, stmt) || !(after = describe(r, table))) {
		ok = false;
		goto out;
	}
	if (must_refuse) {
		if (applied) {
			printf("NOT REFUSED: %s\n", stmt);
			r->failures++;
		} else
			printf("refused as expected: %s\n  (%s)\n", stmt, why);
		chain_set(r, NULL, NULL);
		goto out;
	}
	if (!applied) {
		printf("REFUSED: %s\n  %s\n", stmt, why);
		r->failures++;
		chain_set(r, NULL, NULL);
		goto out;
	}
	char *na = normalise(mine), *nb = normalise(after);
	if (strcmp(na, nb) != 0) {
		printf("MISMATCH: %s\n", stmt);
		print_diff(na, nb);
		printf("  interpreter: %s\n  server:      %s\n", mine, after);
		r->failures++;
	} else {
		config_table allow = { .name = (char *) table, .line = 1 };
		plan_table pt;
		if (!plan_table_load_described(mine, &r->env, &allow, &pt)) {
			printf("DOES NOT LOAD: %s\n  %s\n", stmt, mine);
			r->failures++;
		} else
			plan_table_free(&pt);
	}
	free(na);
	free(nb);
	chain_set(r, table, mine);
	mine = NULL;
out:
	free(before);
	free(like);
	free(mine);
	free(after);
	ddl_stmt_free(&st);
	return ok;
}

int
main(int argc, char **argv)
{
	check_run r;
	const char *env_path = NULL, *dbname = NULL, *file = NULL;
	char err[512];

	memset(&r, 0, sizeof(r));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--env") == 0 && i + 1 < argc)
			env_path = argv[++i];
		else if (strcmp(argv[i], "--database") == 0 && i + 1 < argc)
			dbname = argv[++i];
		else if (strcmp(argv[i], "--chain") == 0)
			r.chain = true;
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "usage: ddl-check --env FILE --database NAME [--chain] STATEMENTS-FILE\n");
			return 2;
		}
	}
	if (!env_path || !dbname || !file) {
		fprintf(stderr, "usage: ddl-check --env FILE --database NAME [--chain] STATEMENTS-FILE\n");
		return 2;
	}
	(void) log_level_option("error");    /* the loader's notices and warnings are not what is checked */
	r.cfg.sink_optional = true;
	if (!config_load_env(&r.cfg, env_path, true, err, sizeof(err)) ||
		!config_load_source(&r.cfg, dbname, err, sizeof(err))) {
		fprintf(stderr, "ddl-check: %s\n", err);
		return 2;
	}
	if (!(r.my = maria_connect(&r.cfg.src, err, sizeof(err)))) {
		fprintf(stderr, "ddl-check: %s\n", err);
		return 2;
	}
	if (mysql_select_db(r.my, r.cfg.src.schema) != 0) {
		fprintf(stderr, "ddl-check: %s\n", mysql_error(r.my));
		return 2;
	}
	r.env.cfg = &r.cfg;
	r.env.batch_size = 100000;
	buf q = BUF_INIT;
	buf_puts(&q, "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ");
	maria_escape_literal(r.my, &q, r.cfg.src.schema, strlen(r.cfg.src.schema));
	if (!maria_query_value(r.my, q.data, &r.db_collation, err, sizeof(err)) ||
		!maria_query_value(r.my, "SELECT @@default_storage_engine", &r.engine, err, sizeof(err))) {
		fprintf(stderr, "ddl-check: %s\n", err);
		return 2;
	}
	buf_free(&q);
	r.aenv.db_collation = r.db_collation;
	r.aenv.default_engine = r.engine;
	FILE *f = fopen(file, "r");
	if (!f) {
		perror(file);
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '!') {
			if (!run_server(&r, line + 1)) {
				status = 2;
				break;
			}
		} else if (strncmp(line, "@ansi_quotes ", 13) == 0) {
			bool on = strcmp(line + 13, "on") == 0;
			if (!run_server(&r, on ? "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')" :
							"SET SESSION sql_mode = REPLACE(@@sql_mode, 'ANSI_QUOTES', '')")) {
				status = 2;
				break;
			}
			r.aenv.lexer_flags = on ? DDL_ANSI_QUOTES : 0;
		} else if (!check_stmt(&r, line[0] == '?' ? line + 1 : line, line[0] == '?')) {
			status = 2;
			break;
		}
	}
	free(line);
	fclose(f);
	printf("%d statements checked, %d failed\n", r.checked, r.failures);
	chain_set(&r, NULL, NULL);
	free(r.db_collation);
	free(r.engine);
	mysql_close(r.my);
	config_free(&r.cfg);
	return status ? status : r.failures ? 1 : 0;
}
