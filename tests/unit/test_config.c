/*
 * Unit tests for the configuration module.
 *
 * Each test gets a fresh temporary directory (a checked fixture) and a
 * process environment scrubbed of every variable the tests use, so a
 * SINK_DB_URL exported by whoever runs the suite cannot change the outcome.
 * Files are written with an explicit mode, since the .env permission check
 * depends on it. Errors are compared in full: a message that loses the file
 * name, the line number or the variable name fails the test.
 */
#include "common/config.h"
#include "common/xalloc.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERRLEN 1024
#define SECRET "s3cret"
#define URL "postgresql://sync@127.0.0.1:5432/warehouse"

static char tmpdir[64];
static char *envpath;			/* tmpdir/.env, written by write_env */

static const char *const scrubbed[] = {
	"SINK_DB_URL", "SINK_SCHEMA", "CONTROL_SCHEMA", "TABLES_DIR", "IDENTIFIER_CASE",
	"FOO", "PLAIN", "TRADING_HOST", "TRADING_PORT", "TRADING_USER", "TRADING_PASS",
	"TRADING_SCHEMA", "TRADING_SINK_SCHEMA", "TRADING_TLS", "TRADING_TLS_CA",
	"TRADING_TLS_CERT", "TRADING_TLS_KEY", "DEMO_USER", "DEMO_HOST", "SINK_TLS", "SINK_TLS_CA",
	"SINK_TLS_CERT", "SINK_TLS_KEY", "PGSSLMODE", NULL
};

/* setup: a scrubbed environment and an empty temporary directory */
static void
setup(void)
{
	for (int i = 0; scrubbed[i]; i++)
		unsetenv(scrubbed[i]);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	envpath = xasprintf("%s/.env", tmpdir);
}

/* rm_entry: nftw callback removing one file or (emptied) directory */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return remove(path);
}

/* teardown: removes the temporary directory and what it holds */
static void
teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(envpath);
	envpath = NULL;
	for (int i = 0; scrubbed[i]; i++)
		unsetenv(scrubbed[i]);
}

/* write_file: writes content to path with exactly the given mode */
static void
write_file(const char *path, const char *content, mode_t mode)
{
	int fd;

	unlink(path);				/* an earlier mode may forbid writing */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t) strlen(content));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* write_env: writes tmpdir/.env with mode 0600 */
static void
write_env(const char *content)
{
	write_file(envpath, content, 0600);
}

/* load_env: writes .env and loads it (explicit path) */
static bool
load_env(config *cfg, const char *content, char *err)
{
	write_env(content);
	err[0] = '\0';
	return config_load_env(cfg, envpath, true, err, ERRLEN);
}

/* fmt: a heap string for an expected message; the caller frees */
static char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	buf b = BUF_INIT;
	va_list ap;

	va_start(ap, f);
	buf_vprintf(&b, f, ap);
	va_end(ap);
	return b.data;
}

/* expect_str: asserts got equals the heap string want, then frees want */
#define expect_str(got, want) do { \
	char *w_ = (want); \
	ck_assert_str_eq((got), w_); \
	free(w_); \
} while (0)

/* a buffer only reserved is an empty string (its contract), also where
 * the allocator hands out dirty memory (ASan fills it) */
START_TEST(test_buf_reserve_is_empty_string)
{
	for (int i = 0; i < 50; i++) {
		char *dirty = xstrdup("0000000000000000000000000000000000000000000000000000000000000000");
		free(dirty);
		buf b = BUF_INIT;
		buf_reserve(&b, 1);
		ck_assert_str_eq(b.data, "");
		ck_assert_uint_eq(strspn(b.data, "0"), 0);
		buf_free(&b);
	}
}
END_TEST

START_TEST(test_env_quoting)
{
	config cfg = {0};
	char err[ERRLEN];

	ck_assert_msg(load_env(&cfg,
						   "# a comment\n"
						   "   \t# an indented comment\n"
						   "\n"
						   "SINK_DB_URL=" URL "\n"
						   "PLAIN=hello world   \t\n"
						   "TRAIL=value # a comment\n"
						   "HASH=a#b\n"
						   "LEADHASH=#x\n"
						   "SPACEHASH= #only a comment\n"
						   "EMPTY=\n"
						   "EMPTYQ=\"\"\n"
						   "SQ='a\\n \"b\" # c  '\n"
						   "DQ=\"l1\\nl2\\tt \\\\ \\\"q\\\" # not a comment\"\n"
						   "DQC=\"x y\"   # comment after quotes\n"
						   "SQC='y z'\t\n"
						   "ESC=\"C:\\dir\"\n"
						   "export EXPORTED=yes\n"
						   "  export\tSPACED = spaced  \n"
						   "export_VAR=not an export\n"
						   "CRLF=crlf\r\n"
						   "LAST=no newline", err), "%s", err);
	ck_assert_str_eq(config_get(&cfg, "PLAIN"), "hello world");
	ck_assert_str_eq(config_get(&cfg, "TRAIL"), "value");
	ck_assert_str_eq(config_get(&cfg, "HASH"), "a#b");
	ck_assert_str_eq(config_get(&cfg, "LEADHASH"), "#x");
	ck_assert_str_eq(config_get(&cfg, "SPACEHASH"), "");
	ck_assert_str_eq(config_get(&cfg, "EMPTY"), "");
	ck_assert_str_eq(config_get(&cfg, "EMPTYQ"), "");
	ck_assert_str_eq(config_get(&cfg, "SQ"), "a\\n \"b\" # c  ");
	ck_assert_str_eq(config_get(&cfg, "DQ"), "l1\nl2\tt \\ \"q\" # not a comment");
	ck_assert_str_eq(config_get(&cfg, "DQC"), "x y");
	ck_assert_str_eq(config_get(&cfg, "SQC"), "y z");
	ck_assert_str_eq(config_get(&cfg, "ESC"), "C:\\dir");
	ck_assert_str_eq(config_get(&cfg, "EXPORTED"), "yes");
	ck_assert_str_eq(config_get(&cfg, "SPACED"), "spaced");
	ck_assert_str_eq(config_get(&cfg, "export_VAR"), "not an export");
	ck_assert_str_eq(config_get(&cfg, "CRLF"), "crlf");
	ck_assert_str_eq(config_get(&cfg, "LAST"), "no newline");
	ck_assert_ptr_null(config_get(&cfg, "export"));
	ck_assert_ptr_null(config_get(&cfg, "a"));
	ck_assert_uint_eq(cfg.n_env, 18);
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_duplicates)
{
	config cfg = {0};
	char err[ERRLEN];

	ck_assert_msg(load_env(&cfg, "SINK_DB_URL=" URL "\nFOO=1\nFOO='2'\nSINK_SCHEMA=a\n"
						   "SINK_SCHEMA=b\n", err), "%s", err);
	ck_assert_str_eq(config_get(&cfg, "FOO"), "2");
	ck_assert_str_eq(cfg.sink_schema, "b");
	ck_assert_uint_eq(cfg.n_env, 3);
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_malformed)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{"1BAD=" SECRET, "expected NAME=VALUE, where NAME is letters, digits and _ "
		 "and does not start with a digit"},
		{"=" SECRET, "expected NAME=VALUE, where NAME is letters, digits and _ "
		 "and does not start with a digit"},
		{"  " SECRET, "expected NAME=VALUE, found no \"=\""},
		{"PASS " SECRET, "expected NAME=VALUE, found no \"=\""},
		{"MY PASS=" SECRET, "expected \"=\" after variable name \"MY\""},
		{"MY-PASS=" SECRET, "expected \"=\" after variable name \"MY\""},
		{"export", "expected NAME=VALUE, found no \"=\""},
		{"PASS='" SECRET, "unterminated single-quoted value of PASS"},
		{"PASS=\"" SECRET, "unterminated double-quoted value of PASS"},
		{"PASS=\"" SECRET "\\\"", "unterminated double-quoted value of PASS"},
		{"PASS='" SECRET "' x" SECRET, "unexpected text after the closing quote of PASS"},
		{"PASS=\"a\"" SECRET, "unexpected text after the closing quote of PASS"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];
		char *content = fmt("SINK_DB_URL=%s\n# comment\n%s\nLATER=1\n", URL, cases[i].line);

		ck_assert_msg(!load_env(&cfg, content, err), "accepted: %s", cases[i].line);
		expect_str(err, fmt("%s:3: %s", envpath, cases[i].msg));
		ck_assert_msg(strstr(err, SECRET) == NULL, "value echoed: %s", err);
		free(content);
		config_free(&cfg);
	}
}
END_TEST

START_TEST(test_env_process_env_wins)
{
	config cfg = {0};
	char err[ERRLEN];

	setenv("SINK_DB_URL", URL, 1);
	setenv("SINK_SCHEMA", "from_env", 1);
	setenv("FOO", "", 1);
	ck_assert_msg(load_env(&cfg, "SINK_SCHEMA=from_file\nFOO=file\nPLAIN=file\n", err),
				  "%s", err);
	ck_assert_str_eq(cfg.sink_url, URL);
	ck_assert_str_eq(cfg.sink_schema, "from_env");
	ck_assert_str_eq(config_get(&cfg, "FOO"), "");
	ck_assert_str_eq(config_get(&cfg, "PLAIN"), "file");
	ck_assert_ptr_null(config_get(&cfg, "SURELY_NOT_SET_ANYWHERE"));
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_defaults)
{
	config cfg = {0};
	char err[ERRLEN];

	ck_assert_msg(load_env(&cfg, "SINK_DB_URL=" URL "\n", err), "%s", err);
	ck_assert_str_eq(cfg.env_path, envpath);
	ck_assert_str_eq(cfg.sink_url, URL);
	ck_assert_str_eq(cfg.sink_schema, "public");
	ck_assert_str_eq(cfg.control_schema, "sync_control");
	ck_assert_str_eq(cfg.tables_dir, "tables.d");
	ck_assert(!cfg.keep_case);
	ck_assert_uint_eq(cfg.n_warnings, 0);
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_settings)
{
	config cfg = {0};
	char err[ERRLEN];
	char name63[64];

	memset(name63, 'a', 63);
	name63[63] = '\0';
	char *content = fmt("SINK_DB_URL=host=pg dbname=w\nSINK_SCHEMA=%s\nCONTROL_SCHEMA=ctl\n"
						"TABLES_DIR=/etc/sync/tables.d\nIDENTIFIER_CASE=keep\n", name63);

	ck_assert_msg(load_env(&cfg, content, err), "%s", err);
	ck_assert_str_eq(cfg.sink_url, "host=pg dbname=w");
	ck_assert_str_eq(cfg.sink_schema, name63);
	ck_assert_str_eq(cfg.control_schema, "ctl");
	ck_assert_str_eq(cfg.tables_dir, "/etc/sync/tables.d");
	ck_assert(cfg.keep_case);
	config_free(&cfg);
	free(content);

	ck_assert_msg(load_env(&cfg, "SINK_DB_URL=" URL "\nIDENTIFIER_CASE=lower\n", err), "%s", err);
	ck_assert(!cfg.keep_case);
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_bad_settings)
{
	static const struct {
		const char *content;
		const char *msg;
	} cases[] = {
		{"SINK_DB_URL=" URL "\nIDENTIFIER_CASE=upper\n",
		 "IDENTIFIER_CASE must be \"lower\" or \"keep\", got \"upper\""},
		{"SINK_DB_URL=" URL "\nIDENTIFIER_CASE=\n",
		 "IDENTIFIER_CASE must be \"lower\" or \"keep\", got \"\""},
		{"SINK_DB_URL=" URL "\nSINK_SCHEMA=\n",
		 "SINK_SCHEMA is empty; it must name a PostgreSQL schema"},
		{"SINK_DB_URL=" URL "\nSINK_SCHEMA=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		 "SINK_SCHEMA is 64 bytes long; PostgreSQL schema names are at most 63 bytes"},
		{"SINK_DB_URL=" URL "\nCONTROL_SCHEMA=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		 "CONTROL_SCHEMA is 64 bytes long; PostgreSQL schema names are at most 63 bytes"},
		{"SINK_DB_URL=" URL "\nCONTROL_SCHEMA=''\n",
		 "CONTROL_SCHEMA is empty; it must name a PostgreSQL schema"},
		{"SINK_DB_URL=" URL "\nTABLES_DIR=\n",
		 "TABLES_DIR is empty; unset it to use \"tables.d\" or name the directory of allowlist files"},
		{"SINK_DB_URL=\n",
		 "SINK_DB_URL is empty; it must be a PostgreSQL URI or a key=value connection string"},
		{"SINK_DB_URL='host=pg password " SECRET "'\n",
		 "SINK_DB_URL is not a valid PostgreSQL URI or key=value connection string; check its "
		 "syntax, e.g. postgresql://user@host:5432/dbname"},
		{"SINK_DB_URL=postgresql://u:" SECRET "@h/d?nosuchoption=1\n",
		 "SINK_DB_URL is not a valid PostgreSQL URI or key=value connection string; check its "
		 "syntax, e.g. postgresql://user@host:5432/dbname"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];

		ck_assert_msg(!load_env(&cfg, cases[i].content, err), "accepted: %s", cases[i].content);
		ck_assert_str_eq(err, cases[i].msg);
		config_free(&cfg);
	}
}
END_TEST

START_TEST(test_env_missing_sink_url)
{
	config cfg = {0};
	char err[ERRLEN];

	ck_assert(!load_env(&cfg, "SINK_SCHEMA=x\n", err));
	expect_str(err, fmt("SINK_DB_URL is not set; set it in the environment or in the .env "
						"file \"%s\", e.g. SINK_DB_URL=" URL, envpath));
	config_free(&cfg);

	/* no .env at all */
	ck_assert_int_eq(unlink(envpath), 0);
	ck_assert(!config_load_env(&cfg, envpath, false, err, sizeof(err)));
	ck_assert_str_eq(err, "SINK_DB_URL is not set; set it in the environment or in a .env "
					 "file (none was read), e.g. SINK_DB_URL=" URL);
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_missing_file)
{
	config cfg = {0};
	char err[ERRLEN];

	setenv("SINK_DB_URL", URL, 1);
	ck_assert_msg(config_load_env(&cfg, envpath, false, err, sizeof(err)), "%s", err);
	ck_assert_ptr_null(cfg.env_path);
	ck_assert_uint_eq(cfg.n_env, 0);
	ck_assert_str_eq(cfg.sink_url, URL);
	config_free(&cfg);

	ck_assert(!config_load_env(&cfg, envpath, true, err, sizeof(err)));
	expect_str(err, fmt("could not open .env file \"%s\": No such file or directory", envpath));
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_unreadable)
{
	config cfg = {0};
	char err[ERRLEN];

	setenv("SINK_DB_URL", URL, 1);
	ck_assert_int_eq(mkdir(envpath, 0700), 0);
	ck_assert(!config_load_env(&cfg, envpath, false, err, sizeof(err)));
	expect_str(err, fmt(".env file \"%s\" is a directory", envpath));
	config_free(&cfg);
	ck_assert_int_eq(rmdir(envpath), 0);

	/* root reads mode 000 files, so this part only means something for others */
	if (geteuid() != 0) {
		write_file(envpath, "SINK_SCHEMA=x\n", 0000);
		ck_assert(!config_load_env(&cfg, envpath, false, err, sizeof(err)));
		expect_str(err, fmt("could not open .env file \"%s\": Permission denied", envpath));
		config_free(&cfg);
	}
}
END_TEST

START_TEST(test_env_permission_warning)
{
	static const struct {
		mode_t mode;
		bool warn;
	} cases[] = {
		{0644, true}, {0640, true}, {0604, true}, {0666, true},
		{0600, false}, {0400, false}, {0700, false}, {0620, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];

		write_file(envpath, "SINK_DB_URL=" URL "\n", cases[i].mode);
		ck_assert_msg(config_load_env(&cfg, envpath, true, err, sizeof(err)), "%s", err);
		if (!cases[i].warn)
			ck_assert_uint_eq(cfg.n_warnings, 0);
		else {
			ck_assert_uint_eq(cfg.n_warnings, 1);
			expect_str(cfg.warnings[0],
					   fmt(".env file \"%s\" is readable by group or others (mode %04o); "
						   "it may hold passwords: run chmod 600 \"%s\"",
						   envpath, (unsigned) cases[i].mode, envpath));
		}
		config_free(&cfg);
	}
}
END_TEST

/* load_src: loads .env content, then source "trading"; returns the result */
static bool
load_src(config *cfg, const char *content, const char *db, char *err)
{
	ck_assert_msg(load_env(cfg, content, err), "%s", err);
	err[0] = '\0';
	return config_load_source(cfg, db, err, ERRLEN);
}

START_TEST(test_source_defaults)
{
	config cfg = {0};
	char err[ERRLEN];

	ck_assert_msg(load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=sync\n", "Trading", err),
				  "%s", err);
	ck_assert_str_eq(cfg.src.name, "trading");
	ck_assert_str_eq(cfg.src.prefix, "TRADING");
	ck_assert_str_eq(cfg.src.host, "127.0.0.1");
	ck_assert_uint_eq(cfg.src.port, 3306);
	ck_assert_str_eq(cfg.src.user, "sync");
	ck_assert_str_eq(cfg.src.pass, "");
	ck_assert_str_eq(cfg.src.schema, "trading");
	ck_assert_str_eq(cfg.src.sink_schema, "public");
	ck_assert_int_eq(cfg.src.tls, CONFIG_TLS_OFF);
	ck_assert_ptr_null(cfg.src.tls_ca);
	ck_assert_ptr_null(cfg.src.tls_cert);
	ck_assert_ptr_null(cfg.src.tls_key);
	ck_assert_uint_eq(cfg.n_warnings, 0);
	config_free(&cfg);

	/* the per-database sink schema defaults to SINK_SCHEMA */
	ck_assert_msg(load_src(&cfg, "SINK_DB_URL=" URL "\nSINK_SCHEMA=wh\nTRADING_USER=u\n",
						   "trading", err), "%s", err);
	ck_assert_str_eq(cfg.src.sink_schema, "wh");
	config_free(&cfg);
}
END_TEST

START_TEST(test_source_values)
{
	config cfg = {0};
	char err[ERRLEN];

	setenv("TRADING_HOST", "db2.internal", 1);
	setenv("TRADING_PASS", "", 1);
	ck_assert_msg(load_src(&cfg, "SINK_DB_URL=" URL "\n"
						   "TRADING_HOST=db1.internal\nTRADING_PORT=3307\nTRADING_USER=repl\n"
						   "TRADING_PASS='p w#" SECRET "'\nTRADING_SCHEMA=xchange_trading\n"
						   "TRADING_SINK_SCHEMA=trading_pg\nDEMO_USER=other\n", "trading", err),
				  "%s", err);
	ck_assert_str_eq(cfg.src.host, "db2.internal");
	ck_assert_uint_eq(cfg.src.port, 3307);
	ck_assert_str_eq(cfg.src.user, "repl");
	ck_assert_str_eq(cfg.src.pass, "");
	ck_assert_str_eq(cfg.src.schema, "xchange_trading");
	ck_assert_str_eq(cfg.src.sink_schema, "trading_pg");
	config_free(&cfg);

	unsetenv("TRADING_PASS");
	ck_assert_msg(load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=repl\n"
						   "TRADING_PASS='p w#" SECRET "'\n", "trading", err), "%s", err);
	ck_assert_str_eq(cfg.src.pass, "p w#" SECRET);
	/* loading again replaces the previous source */
	ck_assert_msg(config_load_source(&cfg, "trading", err, sizeof(err)), "%s", err);
	ck_assert_str_eq(cfg.src.user, "repl");
	config_free(&cfg);
}
END_TEST

START_TEST(test_source_bad_name)
{
	static const char *const names[] = {"trading-db", "a b", "x;drop", "db.x", "ü"};
	config cfg = {0};
	char err[ERRLEN];

	ck_assert_msg(load_env(&cfg, "SINK_DB_URL=" URL "\n", err), "%s", err);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_msg(!config_load_source(&cfg, names[i], err, sizeof(err)), "%s", names[i]);
		expect_str(err, fmt("invalid database name \"%s\": only letters, digits and _ "
							"are allowed", names[i]));
	}
	ck_assert(!config_load_source(&cfg, "", err, sizeof(err)));
	ck_assert_str_eq(err, "no source database name given");
	ck_assert(!config_load_source(&cfg, NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "no source database name given");
	config_free(&cfg);
}
END_TEST

START_TEST(test_source_no_config)
{
	config cfg = {0};
	char err[ERRLEN];

	ck_assert(!load_src(&cfg, "SINK_DB_URL=" URL "\nDEMO_USER=x\n", "trading", err));
	expect_str(err, fmt("no configuration for database \"trading\": TRADING_USER is not set; "
						"set TRADING_HOST, TRADING_PORT, TRADING_USER and TRADING_PASS in the "
						"environment or in the .env file \"%s\"; see env.example", envpath));
	config_free(&cfg);

	ck_assert_int_eq(unlink(envpath), 0);
	setenv("SINK_DB_URL", URL, 1);
	ck_assert_msg(config_load_env(&cfg, envpath, false, err, sizeof(err)), "%s", err);
	ck_assert(!config_load_source(&cfg, "trading", err, sizeof(err)));
	ck_assert_str_eq(err, "no configuration for database \"trading\": TRADING_USER is not set; "
					 "set TRADING_HOST, TRADING_PORT, TRADING_USER and TRADING_PASS in the "
					 "environment or in a .env file (none was read); see env.example");
	config_free(&cfg);
}
END_TEST

START_TEST(test_source_missing_user)
{
	config cfg = {0};
	char err[ERRLEN];

	ck_assert(!load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_HOST=db\n", "trading", err));
	expect_str(err, fmt("TRADING_USER is not set; set it in the environment or in the .env "
						"file \"%s\"", envpath));
	config_free(&cfg);

	ck_assert(!load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=\n", "trading", err));
	ck_assert_str_eq(err, "TRADING_USER is empty; it must name the MariaDB user");
	config_free(&cfg);

	ck_assert(!load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=u\nTRADING_HOST=\n",
						"trading", err));
	ck_assert_str_eq(err, "TRADING_HOST is empty; unset it to use 127.0.0.1");
	config_free(&cfg);

	ck_assert(!load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=u\nTRADING_SCHEMA=\n",
						"trading", err));
	ck_assert_str_eq(err, "TRADING_SCHEMA is empty; unset it to use \"trading\"");
	config_free(&cfg);

	ck_assert(!load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=u\nTRADING_SINK_SCHEMA=\n",
						"trading", err));
	ck_assert_str_eq(err, "TRADING_SINK_SCHEMA is empty; it must name a PostgreSQL schema");
	config_free(&cfg);
}
END_TEST

START_TEST(test_source_ports)
{
	static const char *const bad[] = {
		"0", "70000", "12x", "", "-1", "65536", "+3306", " 3306", "99999999999999999999"
	};
	static const struct {
		const char *value;
		unsigned port;
	} good[] = {{"1", 1}, {"65535", 65535}, {"03306", 3306}, {"3307", 3307}};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];

		setenv("TRADING_PORT", bad[i], 1);
		ck_assert_msg(!load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=u\n", "trading", err),
					  "port \"%s\" accepted", bad[i]);
		expect_str(err, fmt("TRADING_PORT must be an integer from 1 to 65535, got \"%s\"", bad[i]));
		config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];

		setenv("TRADING_PORT", good[i].value, 1);
		ck_assert_msg(load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=u\n", "trading", err),
					  "%s", err);
		ck_assert_uint_eq(cfg.src.port, good[i].port);
		config_free(&cfg);
	}
}
END_TEST

START_TEST(test_source_tls)
{
	static const struct {
		const char *value;
		config_tls_mode mode;
	} good[] = {
		{"off", CONFIG_TLS_OFF}, {"0", CONFIG_TLS_OFF}, {"false", CONFIG_TLS_OFF},
		{"", CONFIG_TLS_OFF}, {"OFF", CONFIG_TLS_OFF}, {"on", CONFIG_TLS_VERIFY},
		{"1", CONFIG_TLS_VERIFY}, {"true", CONFIG_TLS_VERIFY}, {"verify", CONFIG_TLS_VERIFY},
		{"skip-verify", CONFIG_TLS_SKIP_VERIFY},
	};
	static const char *const bad[] = {"maybe", "yes", "skip_verify", "2"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];

		setenv("TRADING_TLS", good[i].value, 1);
		ck_assert_msg(load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=u\n", "trading", err),
					  "%s", err);
		ck_assert_int_eq(cfg.src.tls, good[i].mode);
		if (good[i].mode != CONFIG_TLS_SKIP_VERIFY)
			ck_assert_uint_eq(cfg.n_warnings, 0);
		else {
			ck_assert_uint_eq(cfg.n_warnings, 1);
			ck_assert_str_eq(cfg.warnings[0],
							 "TRADING_TLS=skip-verify: the MariaDB server's certificate will not "
							 "be verified, so the connection is encrypted but open to "
							 "impersonation; use TRADING_TLS=on with TRADING_TLS_CA");
		}
		config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];

		setenv("TRADING_TLS", bad[i], 1);
		ck_assert(!load_src(&cfg, "SINK_DB_URL=" URL "\nTRADING_USER=u\n", "trading", err));
		expect_str(err, fmt("TRADING_TLS must be one of off, on, verify, skip-verify "
							"(or 0, 1, false, true), got \"%s\"", bad[i]));
		config_free(&cfg);
	}
}
END_TEST

START_TEST(test_source_tls_files)
{
	config cfg = {0};
	char err[ERRLEN];
	char *ca = fmt("%s/ca.pem", tmpdir);
	char *cert = fmt("%s/client.pem", tmpdir);
	char *key = fmt("%s/client.key", tmpdir);
	char *content;

	/* missing file */
	content = fmt("SINK_DB_URL=%s\nTRADING_USER=u\nTRADING_TLS=on\nTRADING_TLS_CA=%s\n", URL, ca);
	ck_assert(!load_src(&cfg, content, "trading", err));
	expect_str(err, fmt("TRADING_TLS_CA: could not read file \"%s\": No such file or directory", ca));
	config_free(&cfg);
	free(content);

	/* a directory */
	content = fmt("SINK_DB_URL=%s\nTRADING_USER=u\nTRADING_TLS=on\nTRADING_TLS_KEY=%s\n",
				  URL, tmpdir);
	ck_assert(!load_src(&cfg, content, "trading", err));
	expect_str(err, fmt("TRADING_TLS_KEY: \"%s\" is not a readable file", tmpdir));
	config_free(&cfg);
	free(content);

	/* all three present; an empty value counts as unset */
	write_file(ca, "ca\n", 0644);
	write_file(cert, "cert\n", 0644);
	write_file(key, "key\n", 0600);
	content = fmt("SINK_DB_URL=%s\nTRADING_USER=u\nTRADING_TLS=on\nTRADING_TLS_CA=%s\n"
				  "TRADING_TLS_CERT=%s\nTRADING_TLS_KEY=%s\n", URL, ca, cert, key);
	ck_assert_msg(load_src(&cfg, content, "trading", err), "%s", err);
	ck_assert_str_eq(cfg.src.tls_ca, ca);
	ck_assert_str_eq(cfg.src.tls_cert, cert);
	ck_assert_str_eq(cfg.src.tls_key, key);
	ck_assert_uint_eq(cfg.n_warnings, 0);
	config_free(&cfg);
	setenv("TRADING_TLS_KEY", "", 1);
	ck_assert_msg(load_src(&cfg, content, "trading", err), "%s", err);
	ck_assert_ptr_null(cfg.src.tls_key);
	ck_assert_str_eq(cfg.src.tls_cert, cert);
	config_free(&cfg);
	free(content);

	/* a CA file with TLS off is not used: warned about */
	content = fmt("SINK_DB_URL=%s\nTRADING_USER=u\nTRADING_TLS_CA=%s\n", URL, ca);
	ck_assert_msg(load_src(&cfg, content, "trading", err), "%s", err);
	ck_assert_uint_eq(cfg.n_warnings, 1);
	ck_assert_str_eq(cfg.warnings[0], "TRADING_TLS_CA is set but TRADING_TLS is off; "
					 "the file is not used");
	config_free(&cfg);
	free(content);
	free(ca);
	free(cert);
	free(key);
}
END_TEST

START_TEST(test_source_tls_skip_verify_with_ca)
{
	config cfg = {0};
	char err[ERRLEN];
	char *ca = fmt("%s/ca.pem", tmpdir);
	char *content = fmt("SINK_DB_URL=%s\nTRADING_USER=u\nTRADING_TLS=skip-verify\nTRADING_TLS_CA=%s\n", URL, ca);

	/* with a CA file the chain is still checked: the warning says so */
	write_file(ca, "ca\n", 0644);
	ck_assert_msg(load_src(&cfg, content, "trading", err), "%s", err);
	ck_assert_uint_eq(cfg.n_warnings, 1);
	ck_assert_str_eq(cfg.warnings[0], "TRADING_TLS=skip-verify: the MariaDB server's certificate is "
					 "checked against TRADING_TLS_CA but its host name is not, so any certificate "
					 "that CA signed is accepted; use TRADING_TLS=on");
	config_free(&cfg);
	free(content);
	free(ca);
}
END_TEST

/* sink_tls: loads .env with SINK_DB_URL=url and the extra lines; err filled */
static bool
sink_tls(config *cfg, const char *url, const char *extra, char *err)
{
	char *content = fmt("SINK_DB_URL=%s\n%s", url, extra);
	bool ok = load_env(cfg, content, err);

	free(content);
	return ok;
}

START_TEST(test_sink_tls_from_url)
{
	static const struct {
		const char *url;
		config_tls_mode mode;
		const char *sslmode;
	} good[] = {
		{URL, CONFIG_TLS_OFF, "disable"},
		{URL "?sslmode=disable", CONFIG_TLS_OFF, "disable"},
		{URL "?sslmode=verify-full", CONFIG_TLS_VERIFY, "verify-full"},
		{"host=db port=5432 dbname=w sslmode=verify-full", CONFIG_TLS_VERIFY, "verify-full"},
		{"host=db dbname=w", CONFIG_TLS_OFF, "disable"},
	};
	static const char *const weak[] = {"allow", "prefer", "require", "verify-ca"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];

		ck_assert_msg(sink_tls(&cfg, good[i].url, "", err), "%s: %s", good[i].url, err);
		ck_assert_int_eq(cfg.sink_tls, good[i].mode);
		ck_assert_str_eq(cfg.sink_sslmode, good[i].sslmode);
		ck_assert_uint_eq(cfg.n_warnings, 0);
		config_free(&cfg);
	}
	/* an sslmode that does not check the host name is refused, naming it */
	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];
		char *url = fmt("postgresql://sync:" SECRET "@db/w?sslmode=%s", weak[i]);

		ck_assert(!sink_tls(&cfg, url, "", err));
		expect_str(err, fmt("SINK_DB_URL has sslmode=%s, which accepts the PostgreSQL server's "
							"certificate without checking that it names the server's host; use "
							"sslmode=verify-full or SINK_TLS=on (with SINK_TLS_CA for a private CA), "
							"or set SINK_TLS=skip-verify to accept an unverified certificate", weak[i]));
		ck_assert_ptr_null(strstr(err, SECRET));
		config_free(&cfg);
		free(url);
	}
	/* PGSSLMODE counts when the URL has no sslmode, as in libpq */
	{
		config cfg = {0};
		char err[ERRLEN];

		setenv("PGSSLMODE", "prefer", 1);
		ck_assert(!sink_tls(&cfg, URL, "", err));
		ck_assert_str_eq(err, "PGSSLMODE has sslmode=prefer, which accepts the PostgreSQL server's "
						 "certificate without checking that it names the server's host; use "
						 "sslmode=verify-full or SINK_TLS=on (with SINK_TLS_CA for a private CA), "
						 "or set SINK_TLS=skip-verify to accept an unverified certificate");
		config_free(&cfg);
		setenv("PGSSLMODE", "verify-full", 1);
		ck_assert_msg(sink_tls(&cfg, URL, "", err), "%s", err);
		ck_assert_int_eq(cfg.sink_tls, CONFIG_TLS_VERIFY);
		config_free(&cfg);
		/* SINK_TLS decides over PGSSLMODE */
		setenv("PGSSLMODE", "require", 1);
		ck_assert_msg(sink_tls(&cfg, URL, "SINK_TLS=off\n", err), "%s", err);
		ck_assert_str_eq(cfg.sink_sslmode, "disable");
		config_free(&cfg);
		unsetenv("PGSSLMODE");
	}
}
END_TEST

START_TEST(test_sink_tls_setting)
{
	config cfg = {0};
	char err[ERRLEN];
	char *ca = fmt("%s/ca.pem", tmpdir);
	char *extra;

	write_file(ca, "ca\n", 0644);
	extra = fmt("SINK_TLS=on\nSINK_TLS_CA=%s\n", ca);
	ck_assert_msg(sink_tls(&cfg, URL, extra, err), "%s", err);
	ck_assert_int_eq(cfg.sink_tls, CONFIG_TLS_VERIFY);
	ck_assert_str_eq(cfg.sink_sslmode, "verify-full");
	ck_assert_str_eq(cfg.sink_tls_ca, ca);
	ck_assert_uint_eq(cfg.n_warnings, 0);
	config_free(&cfg);
	ck_assert_msg(sink_tls(&cfg, URL "?sslmode=verify-full", extra, err), "%s", err);
	config_free(&cfg);
	free(extra);

	/* SINK_TLS and the URL's sslmode must agree */
	ck_assert(!sink_tls(&cfg, URL "?sslmode=require", "SINK_TLS=on\n", err));
	ck_assert_str_eq(err, "SINK_TLS=on contradicts sslmode=require in SINK_DB_URL; remove sslmode "
					 "from SINK_DB_URL (SINK_TLS decides)");
	config_free(&cfg);
	ck_assert(!sink_tls(&cfg, URL "?sslmode=verify-full", "SINK_TLS=off\n", err));
	ck_assert_str_eq(err, "SINK_TLS=off contradicts sslmode=verify-full in SINK_DB_URL; remove sslmode "
					 "from SINK_DB_URL (SINK_TLS decides)");
	config_free(&cfg);
	ck_assert(!sink_tls(&cfg, URL, "SINK_TLS=maybe\n", err));
	ck_assert_str_eq(err, "SINK_TLS must be one of off, on, verify, skip-verify (or 0, 1, false, true), "
					 "got \"maybe\"");
	config_free(&cfg);

	/* skip-verify: require (verify-ca kept when the URL says so), warned */
	ck_assert_msg(sink_tls(&cfg, URL, "SINK_TLS=skip-verify\n", err), "%s", err);
	ck_assert_int_eq(cfg.sink_tls, CONFIG_TLS_SKIP_VERIFY);
	ck_assert_str_eq(cfg.sink_sslmode, "require");
	ck_assert_uint_eq(cfg.n_warnings, 1);
	ck_assert_str_eq(cfg.warnings[0], "SINK_TLS=skip-verify: the PostgreSQL server's certificate will "
					 "not be verified, so the connection is encrypted but open to impersonation; use "
					 "SINK_TLS=on with SINK_TLS_CA");
	config_free(&cfg);
	ck_assert_msg(sink_tls(&cfg, URL "?sslmode=verify-ca", "SINK_TLS=skip-verify\n", err), "%s", err);
	ck_assert_str_eq(cfg.sink_sslmode, "verify-ca");
	ck_assert_uint_eq(cfg.n_warnings, 1);
	ck_assert_ptr_nonnull(strstr(cfg.warnings[0], "checked against SINK_TLS_CA but its host name is not"));
	config_free(&cfg);

	/* files: checked like NAME_TLS_*; unused with TLS off */
	extra = fmt("SINK_TLS=on\nSINK_TLS_KEY=%s/missing.key\n", tmpdir);
	ck_assert(!sink_tls(&cfg, URL, extra, err));
	expect_str(err, fmt("SINK_TLS_KEY: could not read file \"%s/missing.key\": No such file or directory",
						tmpdir));
	config_free(&cfg);
	free(extra);
	extra = fmt("SINK_TLS_CA=%s\n", ca);
	ck_assert_msg(sink_tls(&cfg, URL, extra, err), "%s", err);
	ck_assert_uint_eq(cfg.n_warnings, 1);
	ck_assert_str_eq(cfg.warnings[0], "SINK_TLS_CA is set but SINK_TLS is off; the file is not used");
	config_free(&cfg);
	free(extra);
	free(ca);
}
END_TEST

/* load_allow: .env with TABLES_DIR=tmpdir/tables.d, source trading, allowlist content */
static bool
load_allow(config *cfg, const char *allow, char *err, char **path)
{
	char *dir = fmt("%s/tables.d", tmpdir);
	char *content = fmt("SINK_DB_URL=%s\nTABLES_DIR=%s\nTRADING_USER=u\n", URL, dir);

	mkdir(dir, 0700);
	*path = fmt("%s/trading", dir);
	if (allow)
		write_file(*path, allow, 0644);
	ck_assert_msg(load_src(cfg, content, "TRADING", err), "%s", err);
	free(content);
	free(dir);
	err[0] = '\0';
	return config_load_allowlist(cfg, err, ERRLEN);
}

START_TEST(test_allowlist_parse)
{
	config cfg = {0};
	char err[ERRLEN];
	char *path;

	ck_assert_msg(load_allow(&cfg,
							 "# allowlist for trading\n"
							 "\n"
							 "orders\n"
							 "  Orders   # a different table: names are case sensitive\n"
							 "trades price=numeric(20,4) active=boolean   # inline comment\n"
							 "fills\tqty=bigint\t side=text#no space before the comment\r\n"
							 "weird$name.x tags=text[]\n"
							 "last", err, &path), "%s", err);
	ck_assert_str_eq(cfg.allow_path, path);
	ck_assert_uint_eq(cfg.n_tables, 6);

	const config_table *t = config_find_table(&cfg, "orders");

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->line, 3);
	ck_assert_uint_eq(t->n_overrides, 0);
	ck_assert_ptr_null(config_override_for(t, "price"));
	t = config_find_table(&cfg, "Orders");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->name, "Orders");
	ck_assert_int_eq(t->line, 4);
	ck_assert_ptr_null(config_find_table(&cfg, "ORDERS"));
	ck_assert_ptr_null(config_find_table(&cfg, "order"));

	t = config_find_table(&cfg, "trades");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->line, 5);
	ck_assert_uint_eq(t->n_overrides, 2);
	ck_assert_str_eq(config_override_for(t, "price"), "numeric(20,4)");
	ck_assert_str_eq(config_override_for(t, "active"), "boolean");
	ck_assert_ptr_null(config_override_for(t, "Price"));
	ck_assert_ptr_null(config_override_for(t, "inline"));

	t = config_find_table(&cfg, "fills");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->n_overrides, 2);
	ck_assert_str_eq(config_override_for(t, "qty"), "bigint");
	ck_assert_str_eq(config_override_for(t, "side"), "text");

	t = config_find_table(&cfg, "weird$name.x");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(config_override_for(t, "tags"), "text[]");
	t = config_find_table(&cfg, "last");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->line, 8);
	ck_assert_ptr_null(config_override_for(NULL, "x"));
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_allowlist_quoted_names)
{
	config cfg = {0};
	char err[ERRLEN];
	char *path;

	ck_assert_msg(load_allow(&cfg,
							 "`Odd Table \"x\"` flag=boolean\n"
							 "`with # hash` # a comment\n"
							 "`back``tick`\n", err, &path), "%s", err);
	ck_assert_uint_eq(cfg.n_tables, 3);
	const config_table *t = config_find_table(&cfg, "Odd Table \"x\"");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(config_override_for(t, "flag"), "boolean");
	ck_assert_ptr_nonnull(config_find_table(&cfg, "with # hash"));
	ck_assert_ptr_nonnull(config_find_table(&cfg, "back`tick"));
	config_free(&cfg);
	free(path);

	static const char *const bad[] = { "`open\n", "``\n", "`a`b\n" };
	static const char *const msg[] = {
		"1: unterminated `quoted` table name", "1: empty table name",
		"1: expected a space after the quoted table name"
	};
	for (size_t i = 0; i < 3; i++) {
		config c2 = {0};
		ck_assert(!load_allow(&c2, bad[i], err, &path));
		expect_str(err, fmt("%s:%s", path, msg[i]));
		config_free(&c2);
		free(path);
	}
}
END_TEST

START_TEST(test_allowlist_errors)
{
	static const struct {
		const char *content;
		const char *msg;		/* after "PATH:" */
	} cases[] = {
		{"a\nb\n# c\na\n", "4: table \"a\" is listed twice (first on line 1)"},
		{"a price\n", "1: \"price\" is not a column=pgtype override"},
		{"a x=int price=\n", "1: \"price=\" is not a column=pgtype override"},
		{"a =int\n", "1: \"=int\" is not a column=pgtype override"},
		{"a\nb x=int y=text x=bigint\n", "2: column \"x\" of table \"b\" has two overrides"},
		{"x=int a\n", "1: expected a table name first, found \"x=int\""},
		{"a x=int;drop\n", "1: \"int;drop\" for column \"x\" is not a valid type; write one "
		 "word without spaces, e.g. numeric(20,4) or timestamptz"},
		{"a x=numeric(20,4\n", "1: \"numeric(20,4\" for column \"x\" is not a valid type; write "
		 "one word without spaces, e.g. numeric(20,4) or timestamptz"},
		{"a x=int)(\n", "1: \"int)(\" for column \"x\" is not a valid type; write one "
		 "word without spaces, e.g. numeric(20,4) or timestamptz"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];
		char *path;

		ck_assert_msg(!load_allow(&cfg, cases[i].content, err, &path),
					  "accepted: %s", cases[i].content);
		expect_str(err, fmt("%s:%s", path, cases[i].msg));
		ck_assert_uint_eq(cfg.n_tables, 0);
		config_free(&cfg);
		free(path);
	}
}
END_TEST

START_TEST(test_allowlist_empty)
{
	static const char *const empty[] = {"", "\n\n", "# only\n   # comments\n\t\n"};

	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		config cfg = {0};
		char err[ERRLEN];
		char *path;

		ck_assert(!load_allow(&cfg, empty[i], err, &path));
		expect_str(err, fmt("%s lists no tables", path));
		config_free(&cfg);
		free(path);
	}
}
END_TEST

START_TEST(test_allowlist_missing)
{
	config cfg = {0};
	char err[ERRLEN];
	char *path;

	ck_assert(!load_allow(&cfg, NULL, err, &path));
	expect_str(err, fmt("allowlist \"%s\" does not exist; create it with one table name per "
						"line (TABLES_DIR is \"%s/tables.d\")", path, tmpdir));
	config_free(&cfg);
	free(path);

	/* before any source is loaded */
	ck_assert(!config_load_allowlist(&cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "no source database loaded before reading its allowlist");
	config_free(&cfg);
}
END_TEST

START_TEST(test_allowlist_reload_keeps_last_good)
{
	config cfg = {0};
	char err[ERRLEN];
	char *path;

	ck_assert_msg(load_allow(&cfg, "a\nb x=int\n", err, &path), "%s", err);
	ck_assert_uint_eq(cfg.n_tables, 2);

	write_file(path, "a\nb\nc\n", 0644);
	ck_assert_msg(config_load_allowlist(&cfg, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(cfg.n_tables, 3);
	ck_assert_ptr_null(config_override_for(config_find_table(&cfg, "b"), "x"));

	write_file(path, "a\nd\nd\n", 0644);
	ck_assert(!config_load_allowlist(&cfg, err, sizeof(err)));
	expect_str(err, fmt("%s:3: table \"d\" is listed twice (first on line 2)", path));
	ck_assert_uint_eq(cfg.n_tables, 3);
	ck_assert_ptr_nonnull(config_find_table(&cfg, "c"));
	ck_assert_ptr_null(config_find_table(&cfg, "d"));
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(test_sink_display)
{
	static const struct {
		const char *url;
		const char *shown;
	} cases[] = {
		{"postgresql://sync:" SECRET "@db.example:5433/warehouse?sslmode=prefer",
		 "host=db.example port=5433 dbname=warehouse user=sync"},
		{"postgres://db.example/warehouse?user=sync&password=" SECRET,
		 "host=db.example dbname=warehouse user=sync"},
		{"host=db.example port=5433 dbname=warehouse user=sync password=" SECRET,
		 "host=db.example port=5433 dbname=warehouse user=sync"},
		{"password='" SECRET "' user=sync host=db.example", "host=db.example user=sync"},
		{"hostaddr=10.0.0.1 dbname=x password=" SECRET, "hostaddr=10.0.0.1 dbname=x"},
		{"postgresql://", "(libpq defaults)"},
		{"host=db password " SECRET, "(unparseable SINK_DB_URL)"},
		{"postgresql://u:" SECRET "@db/x?bogus=1", "(unparseable SINK_DB_URL)"},
		{SECRET, "(unparseable SINK_DB_URL)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *shown = config_sink_display(cases[i].url);

		ck_assert_str_eq(shown, cases[i].shown);
		ck_assert_msg(strstr(shown, SECRET) == NULL, "password shown: %s", shown);
		free(shown);
	}
}
END_TEST

/* config_suite: the configuration tests, for tests/unit/main.c */
START_TEST(test_parse_count)
{
	char err[256];
	long long v = -7;

	ck_assert(config_parse_count("--batch-rows", "20000", 1, 10000000, &v, err, sizeof(err)));
	ck_assert_int_eq(v, 20000);
	ck_assert(config_parse_count("X_SERVER_ID", "4294967295", 1, 4294967295LL, &v, err, sizeof(err)));
	ck_assert_int_eq(v, 4294967295LL);
	v = -7;
	ck_assert(!config_parse_count("--batch-rows", "0", 1, 10, &v, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "--batch-rows"));
	ck_assert_ptr_nonnull(strstr(err, "from 1 to 10"));
	ck_assert(!config_parse_count("--batch-rows", "11", 1, 10, &v, err, sizeof(err)));
	ck_assert(!config_parse_count("--batch-rows", "5x", 1, 10, &v, err, sizeof(err)));
	ck_assert(!config_parse_count("--batch-rows", "", 1, 10, &v, err, sizeof(err)));
	ck_assert(!config_parse_count("--batch-rows", "99999999999999999999", 1, 10, &v, err, sizeof(err)));
	ck_assert_int_eq(v, -7);   /* untouched on error */
}
END_TEST

Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_buf_reserve_is_empty_string);
	tcase_add_test(tc, test_env_quoting);
	tcase_add_test(tc, test_env_duplicates);
	tcase_add_test(tc, test_env_malformed);
	tcase_add_test(tc, test_env_process_env_wins);
	tcase_add_test(tc, test_env_defaults);
	tcase_add_test(tc, test_env_settings);
	tcase_add_test(tc, test_env_bad_settings);
	tcase_add_test(tc, test_env_missing_sink_url);
	tcase_add_test(tc, test_env_missing_file);
	tcase_add_test(tc, test_env_unreadable);
	tcase_add_test(tc, test_env_permission_warning);
	tcase_add_test(tc, test_source_defaults);
	tcase_add_test(tc, test_source_values);
	tcase_add_test(tc, test_source_bad_name);
	tcase_add_test(tc, test_source_no_config);
	tcase_add_test(tc, test_source_missing_user);
	tcase_add_test(tc, test_source_ports);
	tcase_add_test(tc, test_source_tls);
	tcase_add_test(tc, test_source_tls_files);
	tcase_add_test(tc, test_source_tls_skip_verify_with_ca);
	tcase_add_test(tc, test_sink_tls_from_url);
	tcase_add_test(tc, test_sink_tls_setting);
	tcase_add_test(tc, test_allowlist_parse);
	tcase_add_test(tc, test_allowlist_quoted_names);
	tcase_add_test(tc, test_allowlist_errors);
	tcase_add_test(tc, test_allowlist_empty);
	tcase_add_test(tc, test_allowlist_missing);
	tcase_add_test(tc, test_allowlist_reload_keeps_last_good);
	tcase_add_test(tc, test_sink_display);
	tcase_add_test(tc, test_parse_count);
	suite_add_tcase(s, tc);
	return s;
}
