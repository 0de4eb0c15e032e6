/*
 * Configuration: .env, the process environment, and the allowlist files.
 *
 * Loading works in three steps, each filling part of one config struct:
 *
 * 1. config_load_env parses the .env file into cfg->env (a list of key/value
 *    pairs, later duplicates replacing earlier ones) and then reads the sink
 *    variables. Nothing is exported with setenv: config_get looks a variable
 *    up in the process environment first and falls back to the parsed list,
 *    so an operator can override any .env entry for one run.
 *    The sink's TLS is settled here too (sink_tls): SINK_TLS, or else the
 *    sslmode of SINK_DB_URL, decides; an sslmode that would accept a server
 *    certificate without checking it is refused unless SINK_TLS=skip-verify
 *    says so, the same rule as for the MariaDB sources (NAME_TLS).
 * 2. config_load_source reads the NAME_* variables of one source database
 *    into cfg->src, with defaults and range checks.
 * 3. config_load_allowlist reads TABLES_DIR/NAME. It parses into local
 *    arrays and swaps them in only when the whole file is valid, so a daemon
 *    that reloads a broken allowlist keeps the last good one.
 *
 * The module never prints. Errors are written to the caller's errbuf as one
 * line naming the variable, or FILE:LINE for a file, followed by what to do.
 * Values are never echoed in .env errors because they may be passwords; port
 * numbers, schema names and allowlist contents are not secret and are shown.
 * Non-fatal findings (a world-readable .env, TLS without verification) are
 * appended to cfg->warnings as heap strings for the caller to log.
 *
 * Every string in the struct is owned by it and freed by config_free.
 */
#include "common/config.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG_NAME_MAX 63			/* NAMEDATALEN - 1: longer names get truncated */

/* the NAME_* suffixes that count as "this database has configuration" */
static const char *const source_suffixes[] = {
	"HOST", "PORT", "USER", "PASS", "SCHEMA", "SINK_SCHEMA",
	"TLS", "TLS_CA", "TLS_CERT", "TLS_KEY", NULL
};

/* is_name_start: first character of a .env variable name */
static bool
is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

/* is_name_char: later characters of a .env variable name */
static bool
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* is_blank: the whitespace allowed inside a line */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* add_warning: appends msg to cfg->warnings, taking ownership of it */
static void
add_warning(config *cfg, char *msg)
{
	cfg->warnings = xrealloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof(char *));
	cfg->warnings[cfg->n_warnings++] = msg;
}

/*
 * env_where: where a missing variable can be set, for "is not set" errors,
 * naming the .env file that was read (or saying none was).
 */
static void
env_where(const config *cfg, char *out, size_t outlen)
{
	if (cfg->env_path)
		snprintf(out, outlen, "in the environment or in the .env file \"%s\"", cfg->env_path);
	else
		snprintf(out, outlen, "in the environment or in a .env file (none was read)");
}

/* env_set: stores key=value from .env, replacing an earlier entry; takes value */
static void
env_set(config *cfg, const char *key, size_t keylen, char *value)
{
	for (size_t i = 0; i < cfg->n_env; i++) {
		if (strlen(cfg->env[i].key) == keylen &&
			memcmp(cfg->env[i].key, key, keylen) == 0) {
			free(cfg->env[i].value);
			cfg->env[i].value = value;
			return;
		}
	}
	cfg->env = xrealloc(cfg->env, (cfg->n_env + 1) * sizeof(config_kv));
	cfg->env[cfg->n_env].key = xstrndup(key, keylen);
	cfg->env[cfg->n_env].value = value;
	cfg->n_env++;
}

/*
 * env_parse_line: parses one .env line (without its newline) and stores the
 * entry. Returns false with a FILE:LINE message for a malformed line; the
 * message names the key at most, never any part of the value.
 */
static bool
env_parse_line(config *cfg, const char *path, int lineno, const char *line,
			   char *errbuf, size_t errlen)
{
	const char *p = line;

	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return true;
	if (strncmp(p, "export", 6) == 0 && is_blank(p[6])) {
		p += 6;
		while (is_blank(*p))
			p++;
	}

	const char *key = p;

	if (!is_name_start(*p)) {
		snprintf(errbuf, errlen, "%s:%d: expected NAME=VALUE, where NAME is letters, "
				 "digits and _ and does not start with a digit", path, lineno);
		return false;
	}
	while (is_name_char(*p))
		p++;

	size_t keylen = (size_t) (p - key);
	int keyshow = keylen > 64 ? 64 : (int) keylen;

	while (is_blank(*p))
		p++;
	if (*p != '=' && !strchr(p, '=')) {
		/* no '=' at all: the line may be a pasted secret, so quote nothing */
		snprintf(errbuf, errlen, "%s:%d: expected NAME=VALUE, found no \"=\"", path, lineno);
		return false;
	}
	if (*p != '=') {
		snprintf(errbuf, errlen, "%s:%d: expected \"=\" after variable name \"%.*s\"",
				 path, lineno, keyshow, key);
		return false;
	}
	p++;

	/* The unquoted form starts right after '=', so "A=#x" keeps its '#'. */
	const char *v = p;

	while (is_blank(*v))
		v++;

	buf val = BUF_INIT;

	if (*v == '\'' || *v == '"') {
		char quote = *v++;
		bool closed = false;

		while (*v) {
			if (*v == quote) {
				closed = true;
				v++;
				break;
			}
			if (quote == '"' && *v == '\\' && v[1] != '\0') {
				switch (v[1]) {
					case 'n':
						buf_putc(&val, '\n');
						break;
					case 't':
						buf_putc(&val, '\t');
						break;
					case '\\':
						buf_putc(&val, '\\');
						break;
					case '"':
						buf_putc(&val, '"');
						break;
					default:
						/* unknown escapes stay as written, e.g. C:\dir */
						buf_putc(&val, '\\');
						buf_putc(&val, v[1]);
						break;
				}
				v += 2;
				continue;
			}
			buf_putc(&val, *v++);
		}
		if (!closed) {
			snprintf(errbuf, errlen, "%s:%d: unterminated %s-quoted value of %.*s",
					 path, lineno, quote == '"' ? "double" : "single", keyshow, key);
			buf_free(&val);
			return false;
		}
		while (is_blank(*v))
			v++;
		if (*v != '\0' && *v != '#') {
			snprintf(errbuf, errlen, "%s:%d: unexpected text after the closing quote of %.*s",
					 path, lineno, keyshow, key);
			buf_free(&val);
			return false;
		}
	} else {
		const char *end = p;

		/* a '#' preceded by whitespace starts a comment */
		while (*end && !(*end == '#' && end > p && is_blank(end[-1])))
			end++;
		while (end > v && is_blank(end[-1]))
			end--;
		if (end > v)
			buf_append(&val, v, (size_t) (end - v));
	}

	env_set(cfg, key, keylen, val.data ? val.data : xstrdup(""));
	return true;
}

/* env_free_entries: forgets the parsed .env entries */
static void
env_free_entries(config *cfg)
{
	for (size_t i = 0; i < cfg->n_env; i++) {
		free(cfg->env[i].key);
		free(cfg->env[i].value);
	}
	free(cfg->env);
	cfg->env = NULL;
	cfg->n_env = 0;
}

/* env_read_file: opens, checks and parses the .env file; see config_load_env */
static bool
env_read_file(config *cfg, const char *path, bool path_explicit,
			  char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct stat st;

	if (!f) {
		if (errno == ENOENT && !path_explicit)
			return true;
		snprintf(errbuf, errlen, "could not open .env file \"%s\": %s", path, strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &st) != 0) {
		snprintf(errbuf, errlen, "could not stat .env file \"%s\": %s", path, strerror(errno));
		fclose(f);
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, ".env file \"%s\" is a directory", path);
		fclose(f);
		return false;
	}
	cfg->env_path = xstrdup(path);
	/* a pipe (--env-file <(...)) has no meaningful mode */
	if (S_ISREG(st.st_mode) && (st.st_mode & 0044))
		add_warning(cfg, xasprintf(".env file \"%s\" is readable by group or others "
								   "(mode %04o); it may hold passwords: run chmod 600 \"%s\"",
								   path, (unsigned) (st.st_mode & 07777), path));

	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	bool ok = true;

	errno = 0;
	while (ok && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strlen(line) != (size_t) len) {
			snprintf(errbuf, errlen, "%s:%d: line contains a NUL byte", path, lineno);
			ok = false;
			break;
		}
		ok = env_parse_line(cfg, path, lineno, line, errbuf, errlen);
	}
	if (ok && ferror(f)) {
		snprintf(errbuf, errlen, "could not read .env file \"%s\": %s", path, strerror(errno));
		ok = false;
	}
	free(line);
	fclose(f);
	return ok;
}

/* check_schema_name: a PostgreSQL schema name must fit NAMEDATALEN */
static bool
check_schema_name(const char *var, const char *value, char *errbuf, size_t errlen)
{
	size_t len = strlen(value);

	if (len == 0) {
		snprintf(errbuf, errlen, "%s is empty; it must name a PostgreSQL schema", var);
		return false;
	}
	if (len > PG_NAME_MAX) {
		snprintf(errbuf, errlen, "%s is %zu bytes long; PostgreSQL schema names are "
				 "at most %d bytes", var, len, PG_NAME_MAX);
		return false;
	}
	return true;
}

/* get_or: a variable's value or the default; never NULL if dflt is not */
static const char *
get_or(const config *cfg, const char *key, const char *dflt)
{
	const char *v = config_get(cfg, key);

	return v ? v : dflt;
}

/* config_parse_tls: maps a *_TLS value to a mode; false if unknown */
bool
config_parse_tls(const char *s, config_tls_mode *out)
{
	static const struct {
		const char *word;
		config_tls_mode mode;
	} words[] = {
		{"", CONFIG_TLS_OFF}, {"off", CONFIG_TLS_OFF}, {"0", CONFIG_TLS_OFF},
		{"false", CONFIG_TLS_OFF}, {"on", CONFIG_TLS_VERIFY}, {"1", CONFIG_TLS_VERIFY},
		{"true", CONFIG_TLS_VERIFY}, {"verify", CONFIG_TLS_VERIFY},
		{"skip-verify", CONFIG_TLS_SKIP_VERIFY},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(s, words[i].word) == 0) {
			*out = words[i].mode;
			return true;
		}
	}
	return false;
}

/*
 * tls_file: reads the optional TLS file setting var into *out (NULL when
 * unset or empty) after checking that the file can be opened for reading.
 * When the TLS setting mode_var is off the file is not used: warned about.
 */
static bool
tls_file(config *cfg, const char *var, bool tls_off, const char *mode_var,
		 char **out, char *errbuf, size_t errlen)
{
	const char *path = config_get(cfg, var);

	free(*out);
	*out = NULL;
	if (!path || path[0] == '\0')
		return true;

	int fd = open(path, O_RDONLY);
	struct stat st;

	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: could not read file \"%s\": %s", var, path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "%s: \"%s\" is not a readable file", var, path);
		close(fd);
		return false;
	}
	close(fd);
	if (tls_off)
		add_warning(cfg, xasprintf("%s is set but %s is off; the file is not used", var, mode_var));
	*out = xstrdup(path);
	return true;
}

/*
 * config_skip_verify_warning: the warning every *_TLS=skip-verify earns. With
 * a CA file the chain is still checked (libmariadb and libpq do so, and
 * stream configures librdkafka to match); only the host name is not.
 */
char *
config_skip_verify_warning(const char *mode_var, const char *ca_var, const char *server, bool have_ca)
{
	if (have_ca)
		return xasprintf("%s=skip-verify: the %s server's certificate is checked against %s but "
						 "its host name is not, so any certificate that CA signed is accepted; "
						 "use %s=on", mode_var, server, ca_var, mode_var);
	return xasprintf("%s=skip-verify: the %s server's certificate will not be verified, so the "
					 "connection is encrypted but open to impersonation; use %s=on with %s",
					 mode_var, server, mode_var, ca_var);
}

/*
 * sink_tls_load: settles the sink's TLS from SINK_TLS, the sslmode of
 * SINK_DB_URL (opts, parsed) or PGSSLMODE, and SINK_TLS_CA/CERT/KEY.
 *
 * Without SINK_TLS, the URL's sslmode decides: none or disable is plaintext
 * (sslmode=disable is passed, so libpq's default "prefer" never yields an
 * unverified TLS session by surprise), verify-full verifies; allow, prefer,
 * require and verify-ca would accept a certificate for any host and are
 * refused. With SINK_TLS, an sslmode in the URL must agree with it.
 */
static bool
sink_tls_load(config *cfg, PQconninfoOption *opts, char *errbuf, size_t errlen)
{
	const char *tls = config_get(cfg, "SINK_TLS");
	const char *url_mode = NULL;
	const char *from = "SINK_DB_URL";
	bool in_url = true;             /* url_mode was written in SINK_DB_URL */

	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "sslmode") == 0 && o->val && o->val[0])
			url_mode = o->val;
	/* libpq reads PGSSLMODE when the string has no sslmode: so do we */
	if (!url_mode && getenv("PGSSLMODE") && getenv("PGSSLMODE")[0]) {
		url_mode = getenv("PGSSLMODE");
		from = "PGSSLMODE";
		in_url = false;
	}

	cfg->sink_tls = CONFIG_TLS_OFF;
	cfg->sink_sslmode = "disable";
	if (tls && !config_parse_tls(tls, &cfg->sink_tls)) {
		snprintf(errbuf, errlen, "SINK_TLS must be one of off, on, verify, skip-verify "
				 "(or 0, 1, false, true), got \"%.32s\"", tls);
		return false;
	}
	if (!tls) {
		if (!url_mode || strcmp(url_mode, "disable") == 0)
			cfg->sink_tls = CONFIG_TLS_OFF;
		else if (strcmp(url_mode, "verify-full") == 0)
			cfg->sink_tls = CONFIG_TLS_VERIFY;
		else {
			snprintf(errbuf, errlen, "%s has sslmode=%.16s, which accepts the PostgreSQL server's "
					 "certificate without checking that it names the server's host; use "
					 "sslmode=verify-full or SINK_TLS=on (with SINK_TLS_CA for a private CA), or set "
					 "SINK_TLS=skip-verify to accept an unverified certificate", from, url_mode);
			return false;
		}
	} else if (url_mode && in_url) {
		bool agrees;

		if (cfg->sink_tls == CONFIG_TLS_OFF)
			agrees = strcmp(url_mode, "disable") == 0;
		else if (cfg->sink_tls == CONFIG_TLS_VERIFY)
			agrees = strcmp(url_mode, "verify-full") == 0;
		else
			agrees = strcmp(url_mode, "require") == 0 || strcmp(url_mode, "verify-ca") == 0;
		if (!agrees) {
			snprintf(errbuf, errlen, "SINK_TLS=%.16s contradicts sslmode=%.16s in SINK_DB_URL; remove "
					 "sslmode from SINK_DB_URL (SINK_TLS decides)", tls, url_mode);
			return false;
		}
	}
	if (cfg->sink_tls == CONFIG_TLS_VERIFY)
		cfg->sink_sslmode = "verify-full";
	else if (cfg->sink_tls == CONFIG_TLS_SKIP_VERIFY)
		cfg->sink_sslmode = url_mode && strcmp(url_mode, "verify-ca") == 0 ? "verify-ca" : "require";

	bool off = cfg->sink_tls == CONFIG_TLS_OFF;

	if (!tls_file(cfg, "SINK_TLS_CA", off, "SINK_TLS", &cfg->sink_tls_ca, errbuf, errlen) ||
		!tls_file(cfg, "SINK_TLS_CERT", off, "SINK_TLS", &cfg->sink_tls_cert, errbuf, errlen) ||
		!tls_file(cfg, "SINK_TLS_KEY", off, "SINK_TLS", &cfg->sink_tls_key, errbuf, errlen))
		return false;
	if (cfg->sink_tls == CONFIG_TLS_SKIP_VERIFY) {
		bool have_ca = cfg->sink_tls_ca || strcmp(cfg->sink_sslmode, "verify-ca") == 0;

		add_warning(cfg, config_skip_verify_warning("SINK_TLS", "SINK_TLS_CA", "PostgreSQL", have_ca));
	}
	return true;
}

/*
 * config_load_env: parses the .env file (".env" when path is NULL), then
 * reads and checks the sink variables. cfg must start zeroed.
 */
bool
config_load_env(config *cfg, const char *path, bool path_explicit,
				char *errbuf, size_t errlen)
{
	char where[512];

	if (!path) {
		path = ".env";
		path_explicit = false;
	}
	env_free_entries(cfg);
	free(cfg->env_path);
	cfg->env_path = NULL;
	if (!env_read_file(cfg, path, path_explicit, errbuf, errlen))
		return false;

	const char *url = config_get(cfg, "SINK_DB_URL");

	if (!url && !cfg->sink_optional) {
		env_where(cfg, where, sizeof(where));
		snprintf(errbuf, errlen, "SINK_DB_URL is not set; set it %s, e.g. "
				 "SINK_DB_URL=postgresql://sync@127.0.0.1:5432/warehouse", where);
		return false;
	}
	if (url && url[0] == '\0') {
		snprintf(errbuf, errlen, "SINK_DB_URL is empty; it must be a PostgreSQL URI "
				 "or a key=value connection string");
		return false;
	}

	/* libpq's parse message could quote the password; do not pass it on */
	char *perr = NULL;
	PQconninfoOption *opts = url ? PQconninfoParse(url, &perr) : NULL;

	if (url && !opts) {
		if (perr)
			PQfreemem(perr);
		snprintf(errbuf, errlen, "SINK_DB_URL is not a valid PostgreSQL URI or key=value "
				 "connection string; check its syntax, e.g. "
				 "postgresql://user@host:5432/dbname");
		return false;
	}
	bool tls_ok = !url || sink_tls_load(cfg, opts, errbuf, errlen);

	PQconninfoFree(opts);
	if (!tls_ok)
		return false;

	const char *sink_schema = get_or(cfg, "SINK_SCHEMA", "public");
	const char *control_schema = get_or(cfg, "CONTROL_SCHEMA", "sync_control");
	const char *tables_dir = get_or(cfg, "TABLES_DIR", "tables.d");
	const char *idcase = get_or(cfg, "IDENTIFIER_CASE", "lower");

	if (!check_schema_name("SINK_SCHEMA", sink_schema, errbuf, errlen) ||
		!check_schema_name("CONTROL_SCHEMA", control_schema, errbuf, errlen))
		return false;
	if (tables_dir[0] == '\0') {
		snprintf(errbuf, errlen, "TABLES_DIR is empty; unset it to use \"tables.d\" "
				 "or name the directory of allowlist files");
		return false;
	}
	if (strcasecmp(idcase, "lower") != 0 && strcasecmp(idcase, "keep") != 0) {
		snprintf(errbuf, errlen, "IDENTIFIER_CASE must be \"lower\" or \"keep\", got \"%s\"",
				 idcase);
		return false;
	}

	free(cfg->sink_url);
	free(cfg->sink_schema);
	free(cfg->control_schema);
	free(cfg->tables_dir);
	cfg->sink_url = url ? xstrdup(url) : NULL;
	cfg->sink_schema = xstrdup(sink_schema);
	cfg->control_schema = xstrdup(control_schema);
	cfg->tables_dir = xstrdup(tables_dir);
	cfg->keep_case = strcasecmp(idcase, "keep") == 0;
	return true;
}

/*
 * config_get: the process environment first (an empty value counts as set),
 * then .env. The result points into the environment or cfg; do not free.
 */
const char *
config_get(const config *cfg, const char *key)
{
	const char *v = getenv(key);

	if (v)
		return v;
	for (size_t i = cfg->n_env; i > 0; i--)
		if (strcmp(cfg->env[i - 1].key, key) == 0)
			return cfg->env[i - 1].value;
	return NULL;
}

/* source_get: the value of PREFIX_SUFFIX, or NULL */
static const char *
source_get(const config *cfg, const char *prefix, const char *suffix)
{
	char key[128];

	snprintf(key, sizeof(key), "%s_%s", prefix, suffix);
	return config_get(cfg, key);
}

/* source_clear: frees what a previous config_load_source put into cfg->src */
static void
source_clear(config_source *src)
{
	free(src->name);
	free(src->prefix);
	free(src->host);
	free(src->user);
	free(src->pass);
	free(src->schema);
	free(src->sink_schema);
	free(src->tls_ca);
	free(src->tls_cert);
	free(src->tls_key);
	memset(src, 0, sizeof(*src));
}

bool
config_parse_port(const char *s, unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long) (*s - '0');
		if (v > 65535)
			return false;
	}
	*out = (unsigned) v;
	return true;
}

/* source_tls_file: NAME_suffix, one of the source's TLS files */
static bool
source_tls_file(config *cfg, const char *suffix, char **out, char *errbuf, size_t errlen)
{
	char var[128], mode_var[128];

	snprintf(var, sizeof(var), "%s_%s", cfg->src.prefix, suffix);
	snprintf(mode_var, sizeof(mode_var), "%s_TLS", cfg->src.prefix);
	return tls_file(cfg, var, cfg->src.tls == CONFIG_TLS_OFF, mode_var, out, errbuf, errlen);
}

/*
 * config_load_source: fills cfg->src from the NAME_* variables of database
 * dbname. On failure cfg->src may be partly filled; config_free cleans up.
 */
bool
config_load_source(config *cfg, const char *dbname, char *errbuf, size_t errlen)
{
	config_source *src = &cfg->src;
	char where[512];

	source_clear(src);
	if (!dbname || dbname[0] == '\0') {
		snprintf(errbuf, errlen, "no source database name given");
		return false;
	}

	size_t n = strlen(dbname);

	for (size_t i = 0; i < n; i++) {
		if (!is_name_char(dbname[i])) {
			snprintf(errbuf, errlen, "invalid database name \"%.64s\": only letters, "
					 "digits and _ are allowed", dbname);
			return false;
		}
	}
	if (n > 64) {
		snprintf(errbuf, errlen, "database name \"%.64s...\" is longer than 64 characters",
				 dbname);
		return false;
	}
	src->name = xstrdup(dbname);
	src->prefix = xstrdup(dbname);
	for (size_t i = 0; i < n; i++) {
		if (src->name[i] >= 'A' && src->name[i] <= 'Z')
			src->name[i] = (char) (src->name[i] - 'A' + 'a');
		if (src->prefix[i] >= 'a' && src->prefix[i] <= 'z')
			src->prefix[i] = (char) (src->prefix[i] - 'a' + 'A');
	}

	const char *pfx = src->prefix;
	bool any = false;

	env_where(cfg, where, sizeof(where));
	for (int i = 0; source_suffixes[i]; i++)
		if (source_get(cfg, pfx, source_suffixes[i]))
			any = true;
	if (!any) {
		snprintf(errbuf, errlen, "no configuration for database \"%s\": %s_USER is not set; "
				 "set %s_HOST, %s_PORT, %s_USER and %s_PASS %s; see env.example",
				 src->name, pfx, pfx, pfx, pfx, pfx, where);
		return false;
	}

	const char *host = source_get(cfg, pfx, "HOST");
	const char *port = source_get(cfg, pfx, "PORT");
	const char *user = source_get(cfg, pfx, "USER");
	const char *pass = source_get(cfg, pfx, "PASS");
	const char *schema = source_get(cfg, pfx, "SCHEMA");
	const char *sink_schema = source_get(cfg, pfx, "SINK_SCHEMA");
	const char *tls = source_get(cfg, pfx, "TLS");

	if (host && host[0] == '\0') {
		snprintf(errbuf, errlen, "%s_HOST is empty; unset it to use 127.0.0.1", pfx);
		return false;
	}
	src->port = 3306;
	if (port && (!config_parse_port(port, &src->port) || src->port == 0)) {
		snprintf(errbuf, errlen, "%s_PORT must be an integer from 1 to 65535, got \"%.32s\"",
				 pfx, port);
		return false;
	}
	if (!user) {
		snprintf(errbuf, errlen, "%s_USER is not set; set it %s", pfx, where);
		return false;
	}
	if (user[0] == '\0') {
		snprintf(errbuf, errlen, "%s_USER is empty; it must name the MariaDB user", pfx);
		return false;
	}
	if (schema && schema[0] == '\0') {
		snprintf(errbuf, errlen, "%s_SCHEMA is empty; unset it to use \"%s\"", pfx, src->name);
		return false;
	}
	if (!sink_schema)
		sink_schema = cfg->sink_schema ? cfg->sink_schema : "public";
	else {
		char var[128];

		snprintf(var, sizeof(var), "%s_SINK_SCHEMA", pfx);
		if (!check_schema_name(var, sink_schema, errbuf, errlen))
			return false;
	}
	if (tls && !config_parse_tls(tls, &src->tls)) {
		snprintf(errbuf, errlen, "%s_TLS must be one of off, on, verify, skip-verify "
				 "(or 0, 1, false, true), got \"%.32s\"", pfx, tls);
		return false;
	}

	src->host = xstrdup(host ? host : "127.0.0.1");
	src->user = xstrdup(user);
	src->pass = xstrdup(pass ? pass : "");
	src->schema = xstrdup(schema ? schema : src->name);
	src->sink_schema = xstrdup(sink_schema);
	if (!source_tls_file(cfg, "TLS_CA", &src->tls_ca, errbuf, errlen) ||
		!source_tls_file(cfg, "TLS_CERT", &src->tls_cert, errbuf, errlen) ||
		!source_tls_file(cfg, "TLS_KEY", &src->tls_key, errbuf, errlen))
		return false;
	if (src->tls == CONFIG_TLS_SKIP_VERIFY) {
		char mode_var[128], ca_var[128];

		snprintf(mode_var, sizeof(mode_var), "%s_TLS", pfx);
		snprintf(ca_var, sizeof(ca_var), "%s_TLS_CA", pfx);
		add_warning(cfg, config_skip_verify_warning(mode_var, ca_var, "MariaDB", src->tls_ca != NULL));
	}
	return true;
}

/* tables_free: frees an array of allowlist entries */
static void
tables_free(config_table *tables, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < tables[i].n_overrides; j++) {
			free(tables[i].overrides[j].column);
			free(tables[i].overrides[j].pg_type);
		}
		free(tables[i].overrides);
		free(tables[i].name);
	}
	free(tables);
}

/*
 * valid_pg_type: one token naming a PostgreSQL type, such as numeric(20,4),
 * timestamptz or text[]. The type goes into DDL, so only a safe character
 * set with balanced parentheses is accepted.
 */
static bool
valid_pg_type(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		char c = *s;

		if (c == '(')
			depth++;
		else if (c == ')') {
			if (--depth < 0)
				return false;
		} else if (!is_name_char(c) && c != ',' && c != '.' && c != '[' && c != ']')
			return false;
	}
	return depth == 0;
}

/* strip_comment: cuts the line at a '#' outside `quotes`, and at CR/LF */
static void
strip_comment(char *line)
{
	bool quoted = false;

	for (char *p = line; *p; p++) {
		if (*p == '`')
			quoted = !quoted;
		else if ((*p == '#' && !quoted) || *p == '\r' || *p == '\n') {
			*p = '\0';
			return;
		}
	}
}

/*
 * allow_parse_line: parses one allowlist line (comment already cut) into
 * *tables. Returns false with a PATH:LINE message.
 */
static bool
allow_parse_line(char *line, const char *path, int lineno,
				 config_table **tables, size_t *n_tables, char *errbuf, size_t errlen)
{
	char *save = NULL;
	char *tok, *rest;

	while (is_blank(*line))
		line++;
	if (*line == '\0')
		return true;
	if (*line == '`') {
		/* `name with spaces` as in MariaDB, a doubled backquote inside */
		char *out = line, *p = line + 1;
		for (;;) {
			if (*p == '\0') {
				snprintf(errbuf, errlen, "%s:%d: unterminated `quoted` table name", path, lineno);
				return false;
			}
			if (*p == '`' && p[1] == '`')
				p++;
			else if (*p == '`')
				break;
			*out++ = *p++;
		}
		*out = '\0';
		tok = line;
		rest = p + 1;
		if (*tok == '\0') {
			snprintf(errbuf, errlen, "%s:%d: empty table name", path, lineno);
			return false;
		}
		if (*rest != '\0' && !is_blank(*rest)) {
			snprintf(errbuf, errlen, "%s:%d: expected a space after the quoted table name", path, lineno);
			return false;
		}
	} else {
		tok = line;
		rest = line + strcspn(line, " \t");
		if (*rest)
			*rest++ = '\0';
		if (strchr(tok, '=')) {
			snprintf(errbuf, errlen, "%s:%d: expected a table name first, found \"%s\"",
					 path, lineno, tok);
			return false;
		}
	}
	for (size_t i = 0; i < *n_tables; i++) {
		if (strcmp((*tables)[i].name, tok) == 0) {
			snprintf(errbuf, errlen, "%s:%d: table \"%s\" is listed twice (first on line %d)",
					 path, lineno, tok, (*tables)[i].line);
			return false;
		}
	}

	config_table t = {xstrdup(tok), lineno, 0, NULL};

	for (tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || eq[1] == '\0') {
			snprintf(errbuf, errlen, "%s:%d: \"%s\" is not a column=pgtype override",
					 path, lineno, tok);
			goto fail;
		}
		*eq = '\0';
		if (!valid_pg_type(eq + 1)) {
			snprintf(errbuf, errlen, "%s:%d: \"%s\" for column \"%s\" is not a valid type; "
					 "write one word without spaces, e.g. numeric(20,4) or timestamptz",
					 path, lineno, eq + 1, tok);
			goto fail;
		}
		for (size_t j = 0; j < t.n_overrides; j++) {
			if (strcmp(t.overrides[j].column, tok) == 0) {
				snprintf(errbuf, errlen, "%s:%d: column \"%s\" of table \"%s\" has two overrides",
						 path, lineno, tok, t.name);
				goto fail;
			}
		}
		t.overrides = xrealloc(t.overrides, (t.n_overrides + 1) * sizeof(config_override));
		t.overrides[t.n_overrides].column = xstrdup(tok);
		t.overrides[t.n_overrides].pg_type = xstrdup(eq + 1);
		t.n_overrides++;
	}
	*tables = xrealloc(*tables, (*n_tables + 1) * sizeof(config_table));
	(*tables)[(*n_tables)++] = t;
	return true;

fail:
	for (size_t j = 0; j < t.n_overrides; j++) {
		free(t.overrides[j].column);
		free(t.overrides[j].pg_type);
	}
	free(t.overrides);
	free(t.name);
	return false;
}

/*
 * config_load_allowlist: reads TABLES_DIR/NAME for the database loaded by
 * config_load_source. The tables in cfg are replaced only on success.
 */
bool
config_load_allowlist(config *cfg, char *errbuf, size_t errlen)
{
	if (!cfg->src.name) {
		snprintf(errbuf, errlen, "no source database loaded before reading its allowlist");
		return false;
	}

	const char *dir = cfg->tables_dir ? cfg->tables_dir : "tables.d";
	size_t dlen = strlen(dir);

	free(cfg->allow_path);
	cfg->allow_path = xasprintf("%s%s%s", dir, dlen > 0 && dir[dlen - 1] == '/' ? "" : "/",
								cfg->src.name);

	const char *path = cfg->allow_path;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno == ENOENT)
			snprintf(errbuf, errlen, "allowlist \"%s\" does not exist; create it with one "
					 "table name per line (TABLES_DIR is \"%s\")", path, dir);
		else
			snprintf(errbuf, errlen, "could not open allowlist \"%s\": %s", path, strerror(errno));
		return false;
	}

	config_table *tables = NULL;
	size_t n_tables = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	bool ok = true;

	errno = 0;
	while (ok && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (strlen(line) != (size_t) len) {
			snprintf(errbuf, errlen, "%s:%d: line contains a NUL byte", path, lineno);
			ok = false;
			break;
		}
		strip_comment(line);
		ok = allow_parse_line(line, path, lineno, &tables, &n_tables, errbuf, errlen);
	}
	if (ok && ferror(f)) {
		snprintf(errbuf, errlen, "could not read allowlist \"%s\": %s", path, strerror(errno));
		ok = false;
	}
	free(line);
	fclose(f);
	if (ok && n_tables == 0) {
		snprintf(errbuf, errlen, "%s lists no tables", path);
		ok = false;
	}
	if (!ok) {
		tables_free(tables, n_tables);
		return false;
	}
	tables_free(cfg->tables, cfg->n_tables);
	cfg->tables = tables;
	cfg->n_tables = n_tables;
	return true;
}

/* config_find_table: exact, case-sensitive match like MariaDB on Linux */
const config_table *
config_find_table(const config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_tables; i++)
		if (strcmp(cfg->tables[i].name, name) == 0)
			return &cfg->tables[i];
	return NULL;
}

/* config_override_for: exact column-name match */
const char *
config_override_for(const config_table *t, const char *column)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_overrides; i++)
		if (strcmp(t->overrides[i].column, column) == 0)
			return t->overrides[i].pg_type;
	return NULL;
}

/*
 * config_sink_display: "host=H port=P dbname=D user=U" from the parsed
 * connection string, never the password nor the raw string. Returns a heap
 * string the caller frees.
 */
char *
config_sink_display(const char *sink_url)
{
	static const char *const shown[] = {"host", "hostaddr", "port", "dbname", "user", NULL};
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(sink_url ? sink_url : "", &perr);

	if (!opts) {
		if (perr)
			PQfreemem(perr);
		return xstrdup("(unparseable SINK_DB_URL)");
	}

	buf out = BUF_INIT;

	for (int i = 0; shown[i]; i++) {
		for (PQconninfoOption *o = opts; o->keyword; o++) {
			if (strcmp(o->keyword, shown[i]) != 0 || !o->val || !o->val[0])
				continue;
			/* hostaddr only when there is no host name to show */
			if (strcmp(o->keyword, "hostaddr") == 0 && out.len > 0)
				break;
			buf_printf(&out, "%s%s=%s", out.len ? " " : "", o->keyword, o->val);
			break;
		}
	}
	PQconninfoFree(opts);
	if (out.len == 0) {
		buf_free(&out);
		return xstrdup("(libpq defaults)");
	}
	return out.data;
}

/* config_free: frees everything cfg owns and zeroes it for reuse */
void
config_free(config *cfg)
{
	if (!cfg)
		return;
	env_free_entries(cfg);
	free(cfg->env_path);
	free(cfg->sink_url);
	free(cfg->sink_schema);
	free(cfg->control_schema);
	free(cfg->tables_dir);
	free(cfg->sink_tls_ca);
	free(cfg->sink_tls_cert);
	free(cfg->sink_tls_key);
	source_clear(&cfg->src);
	free(cfg->allow_path);
	tables_free(cfg->tables, cfg->n_tables);
	for (size_t i = 0; i < cfg->n_warnings; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	memset(cfg, 0, sizeof(*cfg));
}

bool
config_parse_count(const char *name, const char *arg, long long min, long long max,
				   long long *out, char *errbuf, size_t errlen)
{
	char *end;

	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || v < min || v > max) {
		snprintf(errbuf, errlen, "invalid value \"%s\" for %s: expected an integer from %lld to %lld",
				 arg, name, min, max);
		return false;
	}
	*out = v;
	return true;
}
