/*
 * migrate: copies allowlisted tables of one MariaDB database into
 * PostgreSQL and records, per table, the binlog position its rows were read
 * at, so that stream continues from there.
 *
 * This file is the command line: options, configuration, the order of the
 * phases (plan, prepare targets, copy and finish in the worker pool, verify)
 * and the exit codes. The work itself lives in the copy module of common/
 * (copy.h: planning, targets, the worker pool, chunk COPY, indexes,
 * watermark), which stream calls too; what only migrate shows or checks is
 * in progress.c (the live display and the summary) and verify.c.
 */
#include "common/config.h"
#include "common/control.h"
#include "common/copy.h"
#include "common/log.h"
#include "common/maria.h"
#include "common/metrics.h"
#include "common/pg.h"
#include "common/plan.h"
#include "migrate/progress.h"
#include "migrate/verify.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_OK          0      /* every table copied (and verified) */
#define EXIT_FAILED      1      /* a table failed, or the run was interrupted */
#define EXIT_USAGE       2      /* bad option, configuration or allowlist */
#define EXIT_MISMATCH    3      /* --verify found a difference */

static volatile sig_atomic_t interrupted;

typedef struct options {
	const char *database;
	const char *tables;
	const char *env_file;
	const char *metrics_address;    /* --metrics-address, NULL = METRICS_ADDRESS */
	long long   max_workers;
	long long   chunk_workers;
	long long   batch_size;
	long long   threshold;
	copy_load_mode load_mode;
	bool        resume;
	bool        plan_only;
	bool        verify;
	bool        strict;
	bool        keep_case;
	int         progress;       /* -1 auto, 0 off, 1 on */
	bool        log_level_set;  /* --log-level given */
	bool        log_format_set; /* --log-format given */
	bool        copy_text;      /* --copy-format text */
} options;

static void
usage(FILE *out)
{
	fprintf(out,
			"Usage: migrate --database NAME --tables all|T1,T2 [options]\n"
			"\n"
			"Copies allowlisted tables of MariaDB database NAME into PostgreSQL, builds\n"
			"their indexes, and records in the control schema the binlog position each\n"
			"was read at (its watermark), where replaying the binlog continues.\n"
			"\n"
			"Options:\n"
			"  --database NAME       source database; its settings are NAME_HOST, NAME_PORT,\n"
			"                        NAME_USER, NAME_PASS, NAME_SCHEMA, NAME_TLS* (see env.example)\n"
			"  --tables all|T1,T2    every table of tables.d/NAME, or these (must be listed there)\n"
			"  --env FILE            read settings from FILE (default ./.env); the environment wins\n"			"                        (TLS: NAME_TLS, SINK_TLS verify certificates by default)\n"
			"  --max-workers N       tables copied at once (default 2)\n"
			"  --chunk-workers N     workers on one table at once (default 4)\n"
			"  --batch-size ROWS     rows per chunk of a chunked table (default 100000)\n"
			"  --threshold ROWS      tables with more (estimated) rows are split into chunks\n"
			"                        by their key (default 1000000)\n"
			"  --load-mode MODE      logged: load durable tables directly;\n"
			"                        unlogged: UNLOGGED during the load, LOGGED at the end;\n"
			"                        auto (default): unlogged when the sink's wal_level is\n"
			"                        minimal, else logged (see BENCHMARKS.md)\n"
			"  --resume              continue an interrupted run from the chunk ledger;\n"
			"                        tables already ready are left as they are\n"
			"  --plan                print the PostgreSQL DDL and the chunk plan; copy nothing\n"
			"  --verify              after copying, compare source and target (row counts and\n"
			"                        per-chunk checksums); needs the source tables quiet\n"
			"  --strict              a value that needs a conversion rule (zero date, NUL\n"
			"                        character, invalid UTF-8) fails its table\n"
			"  --keep-case           keep identifiers' case (default: lower-case them)\n"
			"  --copy-format F       binary (default): COPY's binary format for tables whose\n"
			"                        columns all have one, text for the others; text: always text\n"
			"  --progress / --no-progress   live display (default: when stderr is a terminal)\n"
			"  --log-level LEVEL     debug, info, notice, warning, error (default info, or LOG_LEVEL)\n"
			"  --log-format FORMAT   text, or json: one object per line (default text, or LOG_FORMAT)\n"
			"  --metrics-address HOST:PORT  while copying, serve Prometheus metrics at\n"
			"                        http://HOST:PORT/metrics (or METRICS_ADDRESS; PORT alone\n"
			"                        means 127.0.0.1; default off)\n"
			"  --help                this text\n"
			"\n"
			"Exit codes: 0 success; 1 a table failed or the run was interrupted (run again\n"
			"with --resume); 2 bad usage, configuration or allowlist; 3 --verify found a\n"
			"difference.\n");
}

/* parse_count: a range-checked whole-number option, logged when bad */
static bool
parse_count(const char *opt, const char *arg, long long min, long long max, long long *out)
{
	char errbuf[256];

	if (config_parse_count(opt, arg, min, max, out, errbuf, sizeof(errbuf)))
		return true;
	log_error("%s", errbuf);
	return false;
}

/* parse_options: argv -> opts; false on bad usage (already reported) */
static bool
parse_options(int argc, char **argv, options *o, bool *help)
{
	enum { O_DB = 256, O_TABLES, O_ENV, O_MAXW, O_CHUNKW, O_BATCH, O_THRESH, O_MODE,
		   O_RESUME, O_PLAN, O_VERIFY, O_STRICT, O_KEEP, O_PROG, O_NOPROG, O_LOG, O_HELP, O_FORMAT, O_LOGFMT, O_METRICS };
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, O_DB },
		{ "tables", required_argument, NULL, O_TABLES },
		{ "env", required_argument, NULL, O_ENV },
		{ "max-workers", required_argument, NULL, O_MAXW },
		{ "chunk-workers", required_argument, NULL, O_CHUNKW },
		{ "batch-size", required_argument, NULL, O_BATCH },
		{ "threshold", required_argument, NULL, O_THRESH },
		{ "load-mode", required_argument, NULL, O_MODE },
		{ "resume", no_argument, NULL, O_RESUME },
		{ "plan", no_argument, NULL, O_PLAN },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "keep-case", no_argument, NULL, O_KEEP },
		{ "progress", no_argument, NULL, O_PROG },
		{ "no-progress", no_argument, NULL, O_NOPROG },
		{ "log-level", required_argument, NULL, O_LOG },
		{ "log-format", required_argument, NULL, O_LOGFMT },
		{ "copy-format", required_argument, NULL, O_FORMAT },
		{ "metrics-address", required_argument, NULL, O_METRICS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
			case O_DB: o->database = optarg; break;
			case O_TABLES: o->tables = optarg; break;
			case O_ENV: o->env_file = optarg; break;
			case O_METRICS: o->metrics_address = optarg; break;
			case O_MAXW:
				if (!parse_count("--max-workers", optarg, 1, 64, &o->max_workers))
					return false;
				break;
			case O_CHUNKW:
				if (!parse_count("--chunk-workers", optarg, 1, 64, &o->chunk_workers))
					return false;
				break;
			case O_BATCH:
				if (!parse_count("--batch-size", optarg, 1000, 1000000000LL, &o->batch_size))
					return false;
				break;
			case O_THRESH:
				if (!parse_count("--threshold", optarg, 0, 1000000000000LL, &o->threshold))
					return false;
				break;
			case O_MODE:
				if (strcmp(optarg, "auto") == 0)
					o->load_mode = COPY_LOAD_AUTO;
				else if (strcmp(optarg, "logged") == 0)
					o->load_mode = COPY_LOAD_LOGGED;
				else if (strcmp(optarg, "unlogged") == 0)
					o->load_mode = COPY_LOAD_UNLOGGED;
				else {
					log_error("invalid value \"%s\" for --load-mode: expected auto, logged or unlogged", optarg);
					return false;
				}
				break;
			case O_RESUME: o->resume = true; break;
			case O_PLAN: o->plan_only = true; break;
			case O_VERIFY: o->verify = true; break;
			case O_STRICT: o->strict = true; break;
			case O_KEEP: o->keep_case = true; break;
			case O_PROG: o->progress = 1; break;
			case O_NOPROG: o->progress = 0; break;
			case O_LOG:
				o->log_level_set = true;
				if (!log_level_option(optarg))
					return false;
				break;
			case O_LOGFMT:
				o->log_format_set = true;
				if (!log_format_option(optarg))
					return false;
				break;
			case O_FORMAT:
				if (strcmp(optarg, "text") == 0 || strcmp(optarg, "binary") == 0)
					o->copy_text = strcmp(optarg, "text") == 0;
				else {
					log_error("invalid value \"%s\" for --copy-format: expected binary or text", optarg);
					return false;
				}
				break;
			case O_HELP: *help = true; return true;
			default:
				log_error("unknown or incomplete option \"%s\"", argv[optind - 1]);
				return false;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		return false;
	}
	if (!o->database || !o->tables) {
		log_error("%s is required", !o->database ? "--database" : "--tables");
		return false;
	}
	return true;
}

/* select_tables: --tables against the allowlist; strays are an error */
static bool
select_tables(const config *cfg, const char *spec, const config_table ***out, size_t *n)
{
	*n = 0;
	if (strcmp(spec, "all") == 0) {
		*out = xcalloc(cfg->n_tables, sizeof(config_table *));
		for (size_t i = 0; i < cfg->n_tables; i++)
			(*out)[(*n)++] = &cfg->tables[i];
		return true;
	}
	char *copy = xstrdup(spec), *save = NULL;
	buf strays = BUF_INIT;
	size_t cap = 8;
	*out = xcalloc(cap, sizeof(config_table *));
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t len = strlen(tok);
		while (len > 0 && tok[len - 1] == ' ')
			tok[--len] = '\0';
		if (!*tok)
			continue;
		const config_table *t = config_find_table(cfg, tok);
		if (!t) {
			buf_printf(&strays, "%s\"%s\"", strays.len ? ", " : "", tok);
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < *n; i++)
			dup |= (*out)[i] == t;
		if (dup)
			continue;
		if (*n == cap)
			*out = xrealloc(*out, (cap *= 2) * sizeof(config_table *));
		(*out)[(*n)++] = t;
	}
	free(copy);
	if (strays.len) {
		char hint[512];
		snprintf(hint, sizeof(hint), "Add them to %s first, one table per line.", cfg->allow_path);
		log_error_dh(NULL, hint, "tables not in the allowlist of database \"%s\": %s", cfg->src.name, strays.data);
		buf_free(&strays);
		return false;
	}
	if (*n == 0) {
		log_error("--tables names no table");
		return false;
	}
	return true;
}

/* print_plan: --plan output */
static void
print_plan(const copy_run *run, const options *o)
{
	size_t n = copy_ntables(run);
	copy_load_mode mode = copy_load_mode_of(run);

	printf("-- migrate plan for database \"%s\": %zu table%s, load mode %s, "
		   "up to %lld tables x %lld workers\n", o->database, n, n == 1 ? "" : "s",
		   mode == COPY_LOAD_UNLOGGED ? "unlogged" : "logged", o->max_workers, o->chunk_workers);
	for (size_t i = 0; i < n; i++) {
		const plan_table *pt = copy_table_plan(run, i);
		size_t nchunks;
		const plan_chunk *chunks = copy_table_chunks(run, i, &nchunks);
		printf("\n-- table %s (~%lld rows) -> %s\n", pt->source, pt->est_rows, pt->qtarget);
		buf ddl = BUF_INIT;
		plan_create_sql(pt, mode == COPY_LOAD_UNLOGGED, &ddl);
		printf("%s;\n", ddl.data);
		for (size_t j = 0; j < pt->nindex; j++)
			printf("%s;\n", pt->index_sql[j]);
		for (size_t j = 0; j < pt->nseq; j++)
			printf("%s;\n", pt->seq_sql[j]);
		buf_reset(&ddl);
		plan_finish_sql(pt, true, &ddl);
		printf("%s;\n", ddl.data);
		buf_free(&ddl);
		printf("-- %zu chunk%s%s\n", nchunks, nchunks == 1 ? "" : "s",
			   pt->nkey == 0 ? " (no usable key: one stream)" : "");
		for (size_t c = 0; c < nchunks; c++) {
			buf d = BUF_INIT;
			plan_chunk_describe(pt, &chunks[c], &d);
			printf("--   chunk %zu: %s\n", c, d.data);
			buf_free(&d);
		}
	}
}

/* copy_and_verify: the phases after the plan: control schema, targets,
 * the copy with its progress, then --verify; returns the exit code */
static int
copy_and_verify(copy_run *run, control *ctl, const config *cfg, PGconn *pg, const options *o)
{
	char errbuf[2048], hint[512];

	control_init(ctl, cfg->control_schema, cfg->src.name);
	if (!control_install(pg, ctl, errbuf, sizeof(errbuf), hint, sizeof(hint))) {
		log_error_dh(NULL, hint[0] ? hint : NULL, "could not install the control schema \"%s\": %s",
					 cfg->control_schema, errbuf);
		return EXIT_FAILED;
	}
	if (!pg_schema_ensure(pg, cfg->src.sink_schema, errbuf, sizeof(errbuf), hint, sizeof(hint))) {
		log_error_dh(NULL, hint[0] ? hint : NULL, "could not use the target schema \"%s\": %s",
					 cfg->src.sink_schema, errbuf);
		return EXIT_FAILED;
	}
	if (!copy_prepare(run, pg))
		return EXIT_FAILED;
	/* tables already ready (--resume) are not copied, but verified last */
	size_t n = copy_ntables(run), nrun = 0, nready = 0;
	size_t *order = xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		copy_result r;
		copy_table_result(run, i, &r);
		if (!r.skipped)
			order[nrun++] = i;
	}
	for (size_t i = 0; i < n; i++) {
		copy_result r;
		copy_table_result(run, i, &r);
		if (r.skipped)
			order[nrun + nready++] = i;
	}
	log_info("copying %zu table%s with load mode %s", nrun, nrun == 1 ? "" : "s",
			 copy_load_mode_of(run) == COPY_LOAD_UNLOGGED ? "unlogged" : "logged");

	/* json logs are for machines: progress comes as log lines, never redrawn */
	bool live = log_get_format() == LOG_FORMAT_TEXT &&
		(o->progress == 1 || (o->progress == -1 && isatty(STDERR_FILENO)));
	if (o->progress != 0)
		progress_start(run, live, live ? 0.5 : 5.0);
	metrics_migrate_tables(run);    /* their progress counters, read when scraped */
	bool ok = copy_run_all(run);
	progress_stop();
	if (nrun > 0)
		progress_summary(stdout, run);
	int rc = EXIT_FAILED;
	if (interrupted)
		log_error_dh(NULL, "Run the same command with --resume to continue.", "interrupted");
	else if (!ok)
		log_error_dh(NULL, "Fix the cause and run the same command with --resume to continue.",
					 "some tables failed; they are not marked ready");
	else {
		rc = EXIT_OK;
		if (o->verify) {
			verify_result vr = verify_tables(cfg, pg, run, order, n, &interrupted);
			if (vr == VERIFY_MISMATCH)
				rc = EXIT_MISMATCH;
			else if (vr == VERIFY_ERROR)
				rc = EXIT_FAILED;
		}
	}
	free(order);
	return rc;
}

/* run_phases: plans the tables, then prints the plan (--plan) or copies
 * them; returns the exit code */
static int
run_phases(const config *cfg, const options *o, MYSQL *my, PGconn *pg,
		   const config_table **selected, size_t ntables)
{
	control ctl = { 0 };
	copy_settings set = {
		.max_workers = (int) o->max_workers, .chunk_workers = (int) o->chunk_workers,
		.batch_size = o->batch_size, .threshold = o->threshold, .copy_text = o->copy_text,
		.strict = o->strict, .load_mode = o->load_mode, .resume = o->resume, .retries = 5,
		.wait_for_stream = true,
	};
	const char **names = xcalloc(ntables, sizeof(char *));
	int rc;

	for (size_t i = 0; i < ntables; i++)
		names[i] = selected[i]->name;
	copy_run *run = copy_run_new(cfg, &ctl, &set, &interrupted);
	switch (copy_plan(run, my, pg, names, ntables)) {
		case COPY_PLAN_REFUSED:
			rc = EXIT_USAGE;
			break;
		case COPY_PLAN_ERROR:
			rc = EXIT_FAILED;
			break;
		default:
			if (o->plan_only) {
				print_plan(run, o);
				rc = EXIT_OK;
			} else
				rc = copy_and_verify(run, &ctl, cfg, pg, o);
	}
	metrics_migrate_tables(NULL);   /* before the tables it reads are freed */
	copy_run_free(run);
	control_free(&ctl);
	free(names);
	return rc;
}

/* load_config: .env, the database's settings, the allowlist, the log
 * settings; returns EXIT_OK or the exit code */
static int
load_config(config *cfg, const options *o)
{
	char errbuf[2048];

	log_format_from_env(o->log_format_set);    /* LOG_FORMAT from the first line on */
	if (!config_load_env(cfg, o->env_file ? o->env_file : ".env", o->env_file != NULL, errbuf, sizeof(errbuf)) ||
		!config_load_source(cfg, o->database, errbuf, sizeof(errbuf)) ||
		!config_load_allowlist(cfg, errbuf, sizeof(errbuf))) {
		for (size_t i = 0; i < cfg->n_warnings; i++)
			log_warning("%s", cfg->warnings[i]);
		log_error("%s", errbuf);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < cfg->n_warnings; i++)
		log_warning("%s", cfg->warnings[i]);
	/* LOG_LEVEL and LOG_FORMAT (environment or .env) apply unless given as options */
	if (!log_settings(config_get(cfg, "LOG_LEVEL"), o->log_level_set, config_get(cfg, "LOG_FORMAT"),
					  o->log_format_set, errbuf, sizeof(errbuf))) {
		log_error("%s", errbuf);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void
on_signal(int sig)
{
	(void) sig;
	interrupted = 1;
}

int
main(int argc, char **argv)
{
	options o = { .max_workers = 2, .chunk_workers = 4, .batch_size = 100000,
				  .threshold = 1000000, .load_mode = COPY_LOAD_AUTO, .progress = -1 };
	config cfg;
	char errbuf[2048];
	bool help = false;
	int rc;
	MYSQL *my = NULL;
	PGconn *pg = NULL;
	const config_table **selected = NULL;
	size_t ntables = 0;

	memset(&cfg, 0, sizeof(cfg));
	log_set_prefix("migrate");
	if (!parse_options(argc, argv, &o, &help)) {
		fprintf(stderr, "Try \"migrate --help\".\n");
		return EXIT_USAGE;
	}
	if (help) {
		usage(stdout);
		return EXIT_OK;
	}
	if ((rc = load_config(&cfg, &o)) != EXIT_OK)
		goto out;
	log_set_database(cfg.src.name);
	if (!o.plan_only && (rc = metrics_start(&cfg, o.metrics_address, "migrate", cfg.src.name)) != 0)
		goto out;
	rc = EXIT_FAILED;
	if (o.keep_case)
		cfg.keep_case = true;
	if (!select_tables(&cfg, o.tables, &selected, &ntables)) {
		rc = EXIT_USAGE;
		goto out;
	}

	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	my = maria_connect(&cfg.src, errbuf, sizeof(errbuf));
	if (!my) {
		log_error_dh(NULL, "Check the NAME_HOST, NAME_PORT, NAME_USER and NAME_PASS settings.", "%s", errbuf);
		goto out;
	}
	char *sink = config_sink_display(cfg.sink_url);
	pg = pg_connect(&cfg, "migrate", errbuf, sizeof(errbuf));
	if (!pg) {
		log_error_dh(sink, "Check SINK_DB_URL.", "%s", errbuf);
		free(sink);
		goto out;
	}
	log_info("source: database \"%s\", MariaDB schema \"%s\" at %s:%u; sink: %s, schema \"%s\"",
			 cfg.src.name, cfg.src.schema, cfg.src.host, cfg.src.port, sink, cfg.src.sink_schema);
	free(sink);
	rc = run_phases(&cfg, &o, my, pg, selected, ntables);
out:
	metrics_stop();
	free(selected);
	if (my)
		mysql_close(my);
	if (pg)
		PQfinish(pg);
	config_free(&cfg);
	return rc;
}
