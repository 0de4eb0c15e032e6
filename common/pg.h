/*
 * PostgreSQL connections for both binaries.
 *
 * pg_connect takes the sink's libpq URI or conninfo (which may carry a
 * password: it is never logged) and sets application_name and the TLS the
 * configuration settled on (sslmode, sslrootcert, sslcert, sslkey: see
 * config.h's SINK_TLS); a failure caused by TLS says which setting to
 * change. The helpers fill
 * errbuf with the server's primary message plus its DETAIL/HINT/CONTEXT when
 * present, so callers can log one complete line.
 */
#ifndef COMMON_PG_H
#define COMMON_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "common/config.h"
#include "common/xalloc.h"

/* pg_connect: connects to cfg's sink (SINK_DB_URL with the SINK_TLS
 * settings); returns a connection the caller closes with PQfinish */
PGconn *pg_connect(const config *cfg, const char *appname, char *errbuf, size_t errlen);

/* pg_exec: runs sql (one or more statements), discarding results */
bool pg_exec(PGconn *pg, const char *sql, char *errbuf, size_t errlen);

/* pg_query: runs sql with text params; returns a result the caller PQclears,
 * or NULL with errbuf filled */
PGresult *pg_query(PGconn *pg, const char *sql, int nparams,
				   const char *const *params, char *errbuf, size_t errlen);

/* pg_exec_state, pg_query_state: the same, and on failure the error's
 * SQLSTATE in state (empty when there is none, e.g. a lost connection);
 * state may be NULL */
bool pg_exec_state(PGconn *pg, const char *sql, char state[6], char *errbuf, size_t errlen);
PGresult *pg_query_state(PGconn *pg, const char *sql, int nparams, const char *const *params,
						 char state[6], char *errbuf, size_t errlen);

/* pg_result_error: formats a failed result's message into errbuf */
void pg_result_error(PGconn *pg, const PGresult *res, char *errbuf, size_t errlen);

/* pg_result_state: a failed result's SQLSTATE into state ("" if none) */
void pg_result_state(const PGresult *res, char state[6]);

/* pg_state_is_data: whether SQLSTATE state says the data itself was refused
 * (class 22, data exception; class 23, integrity constraint violation)
 * rather than the statement, the schema or the session */
bool pg_state_is_data(const char *state);

/*
 * pg_schema_ensure: makes sure the session's role can create tables in
 * schema: it exists and the role has USAGE and CREATE on it (its owner
 * has), or it is missing and the role may create it (CREATE on the
 * database), which this does. False with errbuf (naming the schema, the
 * role and the database) and hint (the statement an administrator runs)
 * otherwise. Run it inside a transaction that serialises concurrent
 * callers, or tolerate that another one created the schema first.
 */
bool pg_schema_ensure(PGconn *pg, const char *schema, char *errbuf, size_t errlen,
					  char *hint, size_t hintlen);

/* pg_sink_down: the sink's server does not answer, or answers that it
 * takes no connections now (starting, shutting down): worth waiting for,
 * unlike a refused login or a bad setting */
bool pg_sink_down(const config *cfg);

/* pg_is_disconnect: the connection is gone (retryable) */
bool pg_is_disconnect(PGconn *pg);

/* pg_array_add: appends one element to a text[] literal being built: "{"
 * before the first, "," before the others; the caller closes it with "}" */
void pg_array_add(buf *out, const char *v, bool first);

#endif
