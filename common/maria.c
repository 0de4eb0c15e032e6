/*
 * MariaDB connection helpers; see maria.h.
 *
 * TLS: with NAME_TLS on, MYSQL_OPT_SSL_ENFORCE makes TLS mandatory (no
 * fallback to plaintext) and MYSQL_OPT_SSL_VERIFY_SERVER_CERT checks that the
 * certificate names NAME_HOST; libmariadb checks the chain against NAME_TLS_CA,
 * or the system's CAs without one. skip-verify turns the host name check off;
 * libmariadb still checks the chain when a CA file is given. Every connection
 * of both binaries (migrate's snapshot and workers, stream's metadata, binlog
 * and --status connections) is opened here, so none can skip these rules.
 */
#include "common/maria.h"
#include "common/xalloc.h"

#include <errmsg.h>
#include <inttypes.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

MYSQL *
maria_connect(const config_source *src, char *errbuf, size_t errlen)
{
	return maria_connect_timed(src, 0, errbuf, errlen);
}

/*
 * open_handle: a handle with the session settings and, for mode other than
 * off, TLS; mode is src->tls except for requires_tls's probe. NULL when out
 * of memory.
 */
static MYSQL *
open_handle(const config_source *src, config_tls_mode mode, unsigned read_timeout)
{
	MYSQL *my = mysql_init(NULL);
	unsigned int timeout = 10;
	my_bool on = 1, off = 0;

	if (!my)
		return NULL;
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (read_timeout > 0)
		mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
	mysql_options(my, MYSQL_INIT_COMMAND,
				  "SET SESSION time_zone = '+00:00', net_write_timeout = 3600, "
				  "net_read_timeout = 3600, wait_timeout = 86400");
	if (mode != CONFIG_TLS_OFF) {
		mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &on);
		if (src->tls_ca && src->tls != CONFIG_TLS_OFF)
			mysql_optionsv(my, MYSQL_OPT_SSL_CA, src->tls_ca);
		if (src->tls_cert && src->tls != CONFIG_TLS_OFF)
			mysql_optionsv(my, MYSQL_OPT_SSL_CERT, src->tls_cert);
		if (src->tls_key && src->tls != CONFIG_TLS_OFF)
			mysql_optionsv(my, MYSQL_OPT_SSL_KEY, src->tls_key);
		mysql_optionsv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
					   mode == CONFIG_TLS_VERIFY ? &on : &off);
	}
	return my;
}

/*
 * requires_tls: after a plaintext login was refused by a server that offers
 * TLS, whether the same login succeeds over TLS: MariaDB answers "access
 * denied" both to a wrong password and to plaintext under
 * require_secure_transport or REQUIRE SSL. The probe checks no certificate,
 * which exposes nothing the plaintext attempt did not; it only makes the
 * error say what to change.
 */
static bool
requires_tls(const config_source *src)
{
	MYSQL *my = open_handle(src, CONFIG_TLS_SKIP_VERIFY, 0);
	bool ok = my && mysql_real_connect(my, src->host, src->user, src->pass, NULL,
									   src->port, NULL, 0) != NULL;

	if (my)
		mysql_close(my);
	return ok;
}

/* contains_any: whether s contains one of the NULL-terminated words */
static bool
contains_any(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return true;
	return false;
}

/*
 * explain_failure: the message for a failed connect on handle my: which
 * server, then for TLS causes what the server presented and which setting
 * changes it (libmariadb 3.3 exposes no certificate of a failed handshake, so
 * the certificate's own names cannot be quoted).
 */
static void
explain_failure(const config_source *src, MYSQL *my, char *errbuf, size_t errlen)
{
	static const char *const chain_words[] = {
		"issuer certificate", "self-signed", "self signed", "certificate verify failed",
		"unable to verify", "certificate has expired", "not yet valid", "unknown ca",
		"certificate chain", NULL
	};
	unsigned int err = mysql_errno(my);
	const char *msg = mysql_error(my);
	const char *pfx = src->prefix ? src->prefix : "NAME";
	unsigned long caps = 0;

	if (src->tls != CONFIG_TLS_OFF && err == CR_SSL_CONNECTION_ERROR) {
		if (strstr(msg, "Validation of SSL server certificate failed"))
			snprintf(errbuf, errlen, "the MariaDB server of database \"%s\" at %s:%u presented a TLS "
					 "certificate that is not issued for host \"%s\" (%s); connect by a name the "
					 "certificate carries (%s_HOST), have it reissued with that name in its "
					 "subjectAltName, or set %s_TLS=skip-verify to accept it unverified",
					 src->name, src->host, src->port, src->host, msg, pfx, pfx);
		else if (contains_any(msg, chain_words)) {
			char ca[600];

			if (src->tls_ca)
				snprintf(ca, sizeof(ca), "%s_TLS_CA (\"%s\")", pfx, src->tls_ca);
			else
				snprintf(ca, sizeof(ca), "the system's CAs (%s_TLS_CA is not set)", pfx);
			snprintf(errbuf, errlen, "the MariaDB server of database \"%s\" at %s:%u presented a TLS "
					 "certificate that is not signed by a CA in %s (%s); set %s_TLS_CA to the PEM file "
					 "of the CA that signed the server's certificate",
					 src->name, src->host, src->port, ca, msg, pfx);
		} else if (strstr(msg, "support"))
			snprintf(errbuf, errlen, "the MariaDB server of database \"%s\" at %s:%u does not offer TLS "
					 "(%s); enable TLS on the server (ssl_cert, ssl_key) or set %s_TLS=off",
					 src->name, src->host, src->port, msg, pfx);
		else
			snprintf(errbuf, errlen, "could not set up TLS with the MariaDB server of database \"%s\" "
					 "at %s:%u (%s); check %s_TLS, %s_TLS_CA, %s_TLS_CERT and %s_TLS_KEY",
					 src->name, src->host, src->port, msg, pfx, pfx, pfx, pfx);
		return;
	}
	if (src->tls == CONFIG_TLS_OFF && err == ER_ACCESS_DENIED_ERROR &&
		mariadb_get_infov(my, MARIADB_CONNECTION_SERVER_CAPABILITIES, &caps) == 0 &&
		(caps & CLIENT_SSL) && requires_tls(src)) {
		snprintf(errbuf, errlen, "the MariaDB server of database \"%s\" at %s:%u requires TLS for user "
				 "\"%s\" (require_secure_transport=ON or REQUIRE SSL) and refused the plaintext login "
				 "(%s); set %s_TLS=on, and %s_TLS_CA to the PEM file of the CA that signed the server's "
				 "certificate", src->name, src->host, src->port, src->user, msg, pfx, pfx);
		return;
	}
	snprintf(errbuf, errlen,
			 "could not connect to MariaDB of database \"%s\" at %s:%u as user \"%s\": %s",
			 src->name, src->host, src->port, src->user, msg);
}

MYSQL *
maria_connect_timed(const config_source *src, unsigned read_timeout, char *errbuf, size_t errlen)
{
	bool down;

	return maria_connect_try(src, read_timeout, &down, errbuf, errlen);
}

MYSQL *
maria_connect_try(const config_source *src, unsigned read_timeout, bool *down, char *errbuf, size_t errlen)
{
	MYSQL *my = open_handle(src, src->tls, read_timeout);

	*down = false;
	if (!my) {
		snprintf(errbuf, errlen, "could not allocate a MariaDB connection handle");
		return NULL;
	}
	if (!mysql_real_connect(my, src->host, src->user, src->pass, NULL,
							src->port, NULL, CLIENT_REMEMBER_OPTIONS)) {
		*down = maria_is_unreachable(mysql_errno(my));
		explain_failure(src, my, errbuf, errlen);
		mysql_close(my);
		return NULL;
	}
	return my;
}

bool
maria_exec(MYSQL *my, const char *sql, char *errbuf, size_t errlen)
{
	if (mysql_query(my, sql) != 0) {
		snprintf(errbuf, errlen, "%s", mysql_error(my));
		return false;
	}
	MYSQL_RES *res = mysql_store_result(my);
	if (res)
		mysql_free_result(res);
	else if (mysql_errno(my)) {
		snprintf(errbuf, errlen, "%s", mysql_error(my));
		return false;
	}
	return true;
}

bool
maria_query_value(MYSQL *my, const char *sql, char **out, char *errbuf, size_t errlen)
{
	*out = NULL;
	if (mysql_query(my, sql) != 0) {
		snprintf(errbuf, errlen, "%s", mysql_error(my));
		return false;
	}
	MYSQL_RES *res = mysql_store_result(my);
	if (!res) {
		snprintf(errbuf, errlen, "%s", mysql_errno(my) ? mysql_error(my) : "query returned no result set");
		return false;
	}
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row && row[0]) {
		unsigned long *lens = mysql_fetch_lengths(res);
		*out = xstrndup(row[0], lens[0]);
	}
	mysql_free_result(res);
	return true;
}

bool
maria_is_disconnect(unsigned int err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
		err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR ||
		err == ER_CONNECTION_KILLED || err == ER_SERVER_SHUTDOWN ||
		err == CR_SERVER_LOST_EXTENDED || err == ER_NET_READ_ERROR ||
		err == ER_NET_WRITE_INTERRUPTED || err == ER_NET_READ_INTERRUPTED ||
		err == ER_NET_ERROR_ON_WRITE;
}

/*
 * maria_is_unreachable: a server that is not running or not listening yet
 * (a reboot's order), a network that is not up yet (a name that does not
 * resolve included: at boot that is DNS, not a typo, as often as not), a
 * server shutting down or out of connections. Everything else a connect
 * can fail with (access denied, host not allowed or blocked, TLS) waits
 * for a person.
 */
bool
maria_is_unreachable(unsigned int err)
{
	return maria_is_disconnect(err) || err == CR_UNKNOWN_HOST || err == CR_IPSOCK_ERROR ||
		err == CR_SOCKET_CREATE_ERROR || err == ER_CON_COUNT_ERROR || err == ER_TOO_MANY_USER_CONNECTIONS ||
		err == CR_SERVER_HANDSHAKE_ERR;
}

bool
maria_is_denied(unsigned int err)
{
	return err == ER_TABLEACCESS_DENIED_ERROR || err == ER_COLUMNACCESS_DENIED_ERROR ||
		err == ER_DBACCESS_DENIED_ERROR || err == ER_SPECIFIC_ACCESS_DENIED_ERROR;
}

void
maria_grantee(MYSQL *my, const char *user, buf *out)
{
	char errbuf[256];
	char *who = NULL;
	char *at;

	/* CURRENT_USER() is the account whose privileges apply (user@host, the
	 * host part as written in the grant tables, e.g. % or 127.0.0.1) */
	if (maria_query_value(my, "SELECT CURRENT_USER()", &who, errbuf, sizeof(errbuf)) &&
		who && (at = strrchr(who, '@')) != NULL) {
		maria_escape_literal(my, out, who, (size_t) (at - who));
		buf_putc(out, '@');
		maria_escape_literal(my, out, at + 1, strlen(at + 1));
	} else
		maria_escape_literal(my, out, user, strlen(user));
	free(who);
}

bool
maria_begin_snapshot(MYSQL *my, binlogpos *pos, char *errbuf, size_t errlen)
{
	memset(pos, 0, sizeof(*pos));
	if (!maria_exec(my, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", errbuf, errlen) ||
		!maria_exec(my, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", errbuf, errlen))
		return false;
	if (mysql_query(my, "SHOW STATUS LIKE 'binlog_snapshot_%'") != 0) {
		snprintf(errbuf, errlen, "%s", mysql_error(my));
		return false;
	}
	MYSQL_RES *res = mysql_store_result(my);
	if (!res) {
		snprintf(errbuf, errlen, "%s", mysql_error(my));
		return false;
	}
	MYSQL_ROW row;
	bool have_pos = false;
	while ((row = mysql_fetch_row(res))) {
		if (!row[0] || !row[1])
			continue;
		if (strcasecmp(row[0], "Binlog_snapshot_file") == 0)
			snprintf(pos->file, sizeof(pos->file), "%s", row[1]);
		else if (strcasecmp(row[0], "Binlog_snapshot_position") == 0) {
			pos->pos = strtoull(row[1], NULL, 10);
			have_pos = true;
		}
	}
	mysql_free_result(res);
	if (!pos->file[0] || !have_pos) {
		snprintf(errbuf, errlen, "the server reports no binlog position for the snapshot: binary logging is off");
		return false;
	}
	/* BINLOG_GTID_POS maps the position to the GTID state at that point. */
	buf sql = BUF_INIT;
	buf_puts(&sql, "SELECT BINLOG_GTID_POS(");
	maria_escape_literal(my, &sql, pos->file, strlen(pos->file));
	buf_printf(&sql, ", %" PRIu64 ")", pos->pos);
	char *gtid = NULL;
	bool ok = maria_query_value(my, sql.data, &gtid, errbuf, errlen);
	buf_free(&sql);
	if (!ok)
		return false;
	snprintf(pos->gtid, sizeof(pos->gtid), "%s", gtid ? gtid : "");
	free(gtid);
	return true;
}

void
maria_escape_literal(MYSQL *my, buf *out, const char *value, size_t len)
{
	buf_reserve(out, len * 2 + 3);
	out->data[out->len++] = '\'';
	out->len += mysql_real_escape_string(my, out->data + out->len, value, len);
	out->data[out->len++] = '\'';
	out->data[out->len] = '\0';
}

bool
maria_binlogs(MYSQL *my, maria_binlog **out, size_t *n, char *errbuf, size_t errlen)
{
	MYSQL_RES *res;
	MYSQL_ROW row;

	*out = NULL;
	*n = 0;
	if (mysql_query(my, "SHOW BINARY LOGS") != 0 || !(res = mysql_store_result(my))) {
		snprintf(errbuf, errlen, "SHOW BINARY LOGS failed: %s", mysql_error(my));
		return false;
	}
	*out = xcalloc(mysql_num_rows(res) + 1, sizeof(maria_binlog));
	while ((row = mysql_fetch_row(res))) {
		if (!row[0])
			continue;
		snprintf((*out)[*n].file, sizeof((*out)[*n].file), "%s", row[0]);
		(*out)[*n].size = row[1] ? strtoull(row[1], NULL, 10) : 0;
		(*n)++;
	}
	mysql_free_result(res);
	return true;
}

bool
maria_binlog_lag(const maria_binlog *logs, size_t n, const char *file, unsigned long long pos,
				 unsigned long long *lag)
{
	bool found = false;

	*lag = 0;
	/* the files in order: the rest of the position's file, then all later ones */
	for (size_t i = 0; i < n; i++) {
		if (strcmp(logs[i].file, file) == 0) {
			found = true;
			*lag += logs[i].size > pos ? logs[i].size - pos : 0;
		} else if (found)
			*lag += logs[i].size;
	}
	return found;
}
