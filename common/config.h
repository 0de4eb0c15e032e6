/*
 * Configuration: one struct filled from .env and the process environment,
 * then the allowlist file tables.d/NAME.
 *
 * Lookup order for a variable: the process environment wins, then .env. The
 * .env file is parsed into the struct, never exported with setenv (so there
 * is no thread-safety issue and nothing leaks into child processes). This
 * module never prints: errors go to errbuf naming the variable or file:line,
 * and non-fatal warnings are collected in cfg->warnings for the caller to log.
 *
 * Variables (all documented in env.example):
 *   SINK_DB_URL            libpq URI or conninfo of the PostgreSQL sink (required)
 *   SINK_TLS               TLS to the sink: as NAME_TLS; unset, the URL's sslmode
 *                          decides (none: off; verify-full: on; weaker: refused)
 *   SINK_TLS_CA, SINK_TLS_CERT, SINK_TLS_KEY   file paths (sslrootcert, sslcert, sslkey)
 *   SINK_SCHEMA            target schema (default "public")
 *   CONTROL_SCHEMA         schema of the tool's own state (default "sync_control")
 *   TABLES_DIR             directory of allowlists (default "tables.d")
 *   IDENTIFIER_CASE        "lower" (default) or "keep"
 *   NAME_HOST              MariaDB host of source database NAME (default 127.0.0.1)
 *   NAME_PORT              default 3306
 *   NAME_USER              required
 *   NAME_PASS              may be empty; never logged
 *   NAME_SCHEMA            MariaDB schema (default: name lower-cased)
 *   NAME_SINK_SCHEMA       overrides SINK_SCHEMA for this database
 *   NAME_TLS               "off" (default), "on" (verify the server's certificate
 *                          chain and host name), "skip-verify" (warned about)
 *   NAME_TLS_CA, NAME_TLS_CERT, NAME_TLS_KEY   file paths
 */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum config_tls_mode {
	CONFIG_TLS_OFF = 0,
	CONFIG_TLS_VERIFY,          /* chain and host name verified */
	CONFIG_TLS_SKIP_VERIFY      /* encrypted, not verified: warned about */
} config_tls_mode;

typedef struct config_source {
	char       *name;           /* database name as given, lower-cased: "trading" */
	char       *prefix;         /* upper-cased variable prefix: "TRADING" */
	char       *host;
	unsigned    port;
	char       *user;
	char       *pass;           /* secret: never log */
	char       *schema;         /* MariaDB schema, e.g. "xchange_trading" */
	char       *sink_schema;    /* PostgreSQL target schema for this database */
	config_tls_mode tls;
	char       *tls_ca;
	char       *tls_cert;
	char       *tls_key;
} config_source;

typedef struct config_override {
	char       *column;         /* source column name as written */
	char       *pg_type;        /* PostgreSQL type, e.g. "boolean" */
} config_override;

typedef struct config_table {
	char       *name;           /* source table name as written in the file */
	int         line;           /* line number in the allowlist file */
	size_t      n_overrides;
	config_override *overrides;
} config_table;

typedef struct config_kv {
	char       *key;
	char       *value;
} config_kv;

typedef struct config {
	char       *env_path;       /* .env file read, or NULL if none */
	size_t      n_env;
	config_kv  *env;            /* entries of .env */

	char       *sink_url;       /* secret (may hold a password): never log;
								 * NULL only when sink_optional */
	bool        sink_optional;  /* set before config_load_env: SINK_DB_URL
								 * may be unset (stream --to kafka) */
	char       *sink_schema;
	char       *control_schema;
	char       *tables_dir;
	bool        keep_case;      /* IDENTIFIER_CASE=keep */
	config_tls_mode sink_tls;   /* SINK_TLS, or what SINK_DB_URL's sslmode says */
	const char *sink_sslmode;   /* the sslmode pg_connect passes (static string) */
	char       *sink_tls_ca;    /* SINK_TLS_CA, SINK_TLS_CERT, SINK_TLS_KEY: */
	char       *sink_tls_cert;  /* file paths or NULL */
	char       *sink_tls_key;

	config_source src;          /* filled by config_load_source */

	char       *allow_path;     /* tables.d/NAME */
	size_t      n_tables;
	config_table *tables;       /* filled by config_load_allowlist */

	size_t      n_warnings;
	char      **warnings;       /* non-fatal findings, for the caller to log */
} config;

/*
 * config_load_env: parses the .env file at path into cfg. When path_explicit
 * is false and the file does not exist, that is fine (everything may come from
 * the environment); when true, a missing file is an error. A file readable by
 * group or others adds a warning. Then reads the sink variables (SINK_DB_URL
 * must be set unless cfg->sink_optional).
 */
bool config_load_env(config *cfg, const char *path, bool path_explicit,
					 char *errbuf, size_t errlen);

/* config_parse_tls: a *_TLS value (off, on, verify, skip-verify, 0, 1, false,
 * true, empty = off; any case) to a mode; false if unknown */
bool config_parse_tls(const char *s, config_tls_mode *out);

/* config_skip_verify_warning: the warning for MODE_VAR=skip-verify (heap
 * string, the caller frees); have_ca: the chain is still checked (CA_VAR) */
char *config_skip_verify_warning(const char *mode_var, const char *ca_var, const char *server,
								 bool have_ca);

/* config_get: the value of a variable (environment first, then .env), or NULL */
const char *config_get(const config *cfg, const char *key);

/*
 * config_load_source: reads NAME_* for source database dbname into cfg->src.
 * Checks required variables and ranges (port 1..65535).
 */
bool config_load_source(config *cfg, const char *dbname, char *errbuf, size_t errlen);

/*
 * config_load_allowlist: reads TABLES_DIR/NAME. One table per line, '#'
 * starts a comment, blank lines ignored; after the table name, optional
 * column=pgtype overrides separated by spaces. Duplicate tables, duplicate
 * overrides and malformed overrides are errors naming file:line.
 */
bool config_load_allowlist(config *cfg, char *errbuf, size_t errlen);

/* config_find_table: the allowlist entry for a source table, or NULL */
const config_table *config_find_table(const config *cfg, const char *name);

/* config_override_for: the type override for table.column, or NULL */
const char *config_override_for(const config_table *t, const char *column);

/* config_sink_display: a printable description of the sink without any
 * password (host, port, dbname); returns a heap string the caller frees. */
char *config_sink_display(const char *sink_url);

/* config_parse_count: a whole number in [min, max] for option or variable
 * name (a command-line value or a NAME_* setting); false with errbuf naming
 * it otherwise */
/* config_parse_port: digits only, 0..65535 (a setting that cannot be 0
 * checks that itself) */
bool config_parse_port(const char *s, unsigned *out);

bool config_parse_count(const char *name, const char *arg, long long min, long long max,
						long long *out, char *errbuf, size_t errlen);

void config_free(config *cfg);

#endif
