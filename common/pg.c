/*
 * PostgreSQL connection helpers; see pg.h.
 */
#include "common/pg.h"

#include "common/ident.h"

#include <stdio.h>
#include <string.h>

/* ignore_notice: server NOTICEs (e.g. "table does not exist, skipping")
 * are expected chatter of idempotent DDL, not for the user's terminal */
static void
ignore_notice(void *arg, const char *message)
{
	(void) arg;
	(void) message;
}

/*
 * sink_params: the libpq keywords for SINK_DB_URL with sslmode and, when TLS
 * is on, the SINK_TLS_* files (keys and vals hold 8). The extra keys come
 * after dbname, so they win over what the expanded URL says.
 */
static void
sink_params(const config *cfg, const char *appname, const char *sslmode, const char **keys, const char **vals)
{
	int n = 0;

	keys[n] = "dbname", vals[n++] = cfg->sink_url;
	keys[n] = "application_name", vals[n++] = appname;
	keys[n] = "connect_timeout", vals[n++] = "10";
	keys[n] = "sslmode", vals[n++] = sslmode;
	if (strcmp(sslmode, "disable") != 0) {
		if (cfg->sink_tls_ca)
			keys[n] = "sslrootcert", vals[n++] = cfg->sink_tls_ca;
		if (cfg->sink_tls_cert)
			keys[n] = "sslcert", vals[n++] = cfg->sink_tls_cert;
		if (cfg->sink_tls_key)
			keys[n] = "sslkey", vals[n++] = cfg->sink_tls_key;
	}
	keys[n] = NULL;
	vals[n] = NULL;
}

/* sink_connect: PQconnectdbParams on the sink's keywords */
static PGconn *
sink_connect(const config *cfg, const char *appname, const char *sslmode)
{
	const char *keys[8], *vals[8];

	sink_params(cfg, appname, sslmode, keys, vals);
	return PQconnectdbParams(keys, vals, 1);
}

bool
pg_sink_down(const config *cfg)
{
	const char *keys[8], *vals[8];

	sink_params(cfg, "ping", cfg->sink_sslmode ? cfg->sink_sslmode : "disable", keys, vals);
	PGPing ping = PQpingParams(keys, vals, 1);
	return ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT;
}

/*
 * requires_tls: after the server refused a plaintext session for want of a
 * pg_hba.conf line ("no encryption"), whether it takes the same login over
 * TLS. The probe checks no certificate, which exposes nothing the plaintext
 * attempt did not: it only makes the error say what to change.
 */
static bool
requires_tls(const config *cfg, const char *appname)
{
	PGconn *pg = sink_connect(cfg, appname, "require");
	bool ok = pg && PQstatus(pg) == CONNECTION_OK;

	PQfinish(pg);
	return ok;
}

/*
 * tls_advice: what to do about a failed connection whose libpq message says
 * TLS was the problem; NULL otherwise.
 */
static const char *
tls_advice(const config *cfg, const char *appname, const char *msg)
{
	if (strstr(msg, "no encryption") && cfg->sink_tls == CONFIG_TLS_OFF && requires_tls(cfg, appname))
		return "the server requires TLS from this host (its pg_hba.conf has only hostssl lines for it): "
			"set SINK_TLS=on, and SINK_TLS_CA to the PEM file of the CA that signed the server's certificate";
	if (strstr(msg, "does not match host name"))
		return "the server's TLS certificate is not issued for the host named in SINK_DB_URL: "
			"connect by a name the certificate carries, have the certificate reissued, "
			"or set SINK_TLS=skip-verify to accept it unverified";
	if (strstr(msg, "certificate verify failed"))
		return "the server's TLS certificate is not signed by the CA in SINK_TLS_CA (or libpq's default "
			"~/.postgresql/root.crt): set SINK_TLS_CA to the PEM file of the CA that signed it";
	if (strstr(msg, "root certificate file"))
		return "set SINK_TLS_CA to the PEM file of the CA that signed the server's certificate "
			"(for one signed by a public CA: /etc/ssl/certs/ca-certificates.crt)";
	if (strstr(msg, "server does not support SSL"))
		return "the server does not offer TLS: enable ssl on the server, or set SINK_TLS=off";
	return NULL;
}

PGconn *
pg_connect(const config *cfg, const char *appname, char *errbuf, size_t errlen)
{
	PGconn *pg = sink_connect(cfg, appname, cfg->sink_sslmode ? cfg->sink_sslmode : "disable");

	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		char msg[1024];
		const char *raw = pg ? PQerrorMessage(pg) : "out of memory";
		size_t len = 0;

		/* one line: libpq ends lines (and some sentences) with a newline */
		for (const char *p = raw; *p && len + 1 < sizeof(msg); p++)
			msg[len++] = *p == '\n' ? ' ' : *p;
		while (len > 0 && msg[len - 1] == ' ')
			len--;
		msg[len] = '\0';
		PQfinish(pg);

		const char *advice = tls_advice(cfg, appname, msg);

		snprintf(errbuf, errlen, "could not connect to the PostgreSQL sink: %s%s%s", msg,
				 advice ? "; " : "", advice ? advice : "");
		return NULL;
	}
	PQsetNoticeProcessor(pg, ignore_notice, NULL);
	return pg;
}

void
pg_result_error(PGconn *pg, const PGresult *res, char *errbuf, size_t errlen)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;

	if (!primary) {
		const char *msg = PQerrorMessage(pg);
		size_t n = strlen(msg);
		while (n > 0 && msg[n - 1] == '\n')
			n--;
		snprintf(errbuf, errlen, "%.*s", (int) n, msg);
		return;
	}
	snprintf(errbuf, errlen, "%s%s%s%s%s", primary,
			 detail ? " (" : "", detail ? detail : "", detail ? ")" : "",
			 "");
	if (context) {
		size_t used = strlen(errbuf);
		snprintf(errbuf + used, errlen - used, " [%s]", context);
	}
}

void
pg_result_state(const PGresult *res, char state[6])
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(state, 6, "%s", s ? s : "");
}

bool
pg_state_is_data(const char *state)
{
	return strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0;
}

bool
pg_exec_state(PGconn *pg, const char *sql, char state[6], char *errbuf, size_t errlen)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY);

	if (!ok) {
		pg_result_error(pg, res, errbuf, errlen);
		if (state)
			pg_result_state(res, state);
	}
	PQclear(res);
	return ok;
}

bool
pg_exec(PGconn *pg, const char *sql, char *errbuf, size_t errlen)
{
	return pg_exec_state(pg, sql, NULL, errbuf, errlen);
}

PGresult *
pg_query_state(PGconn *pg, const char *sql, int nparams, const char *const *params,
			   char state[6], char *errbuf, size_t errlen)
{
	PGresult *res = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pg_result_error(pg, res, errbuf, errlen);
		if (state)
			pg_result_state(res, state);
		PQclear(res);
		return NULL;
	}
	return res;
}

PGresult *
pg_query(PGconn *pg, const char *sql, int nparams, const char *const *params,
		 char *errbuf, size_t errlen)
{
	return pg_query_state(pg, sql, nparams, params, NULL, errbuf, errlen);
}

bool
pg_schema_ensure(PGconn *pg, const char *schema, char *errbuf, size_t errlen,
				 char *hint, size_t hintlen)
{
	const char *params[] = { schema };
	bool ok = false;

	hint[0] = '\0';
	/* CREATE SCHEMA IF NOT EXISTS would not do: PostgreSQL checks CREATE on
	 * the database before it looks whether the schema exists, so a role
	 * given a schema by an administrator would be refused */
	PGresult *res = pg_query(pg,
							 "SELECT current_user, current_database(), n.oid IS NOT NULL, "
							 "coalesce(pg_get_userbyid(n.nspowner), ''), "
							 "n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') "
							 "AND has_schema_privilege(n.oid, 'CREATE'), "
							 "has_database_privilege(current_database(), 'CREATE') "
							 "FROM (SELECT) AS one LEFT JOIN pg_namespace n ON n.nspname = $1",
							 1, params, errbuf, errlen);
	if (!res)
		return false;
	const char *role = PQgetvalue(res, 0, 0), *db = PQgetvalue(res, 0, 1);
	bool exists = PQgetvalue(res, 0, 2)[0] == 't';
	const char *owner = PQgetvalue(res, 0, 3);
	bool usable = PQgetvalue(res, 0, 4)[0] == 't';
	bool may_create = PQgetvalue(res, 0, 5)[0] == 't';
	buf qs = BUF_INIT, qr = BUF_INIT, qd = BUF_INIT;
	ident_pg(&qs, schema);
	ident_pg(&qr, role);
	ident_pg(&qd, db);
	if (exists && usable)
		ok = true;
	else if (exists) {
		snprintf(errbuf, errlen, "role \"%s\" may not create tables in schema \"%s\" of database \"%s\" "
				 "(it belongs to \"%s\"; privilege USAGE or CREATE on it missing)", role, schema, db, owner);
		snprintf(hint, hintlen, "As its owner or a superuser: ALTER SCHEMA %s OWNER TO %s; (or GRANT USAGE, "
				 "CREATE ON SCHEMA %s TO %s;)", qs.data, qr.data, qs.data, qr.data);
	} else if (!may_create) {
		snprintf(errbuf, errlen, "schema \"%s\" does not exist in database \"%s\", and role \"%s\" may not "
				 "create it (privilege CREATE on the database missing)", schema, db, role);
		snprintf(hint, hintlen, "As an administrator: CREATE SCHEMA %s AUTHORIZATION %s; (or GRANT CREATE ON "
				 "DATABASE %s TO %s; to let it create its schemas itself)", qs.data, qr.data, qd.data, qr.data);
	} else {
		buf sql = BUF_INIT;
		buf_printf(&sql, "CREATE SCHEMA IF NOT EXISTS %s", qs.data);
		ok = pg_exec(pg, sql.data, errbuf, errlen);
		buf_free(&sql);
	}
	PQclear(res);
	buf_free(&qs);
	buf_free(&qr);
	buf_free(&qd);
	return ok;
}

bool
pg_is_disconnect(PGconn *pg)
{
	return PQstatus(pg) != CONNECTION_OK;
}

void
pg_array_add(buf *out, const char *v, bool first)
{
	buf_putc(out, first ? '{' : ',');
	buf_putc(out, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}
