/*
 * MariaDB connection helpers; see maria.h.
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

MYSQL *
maria_connect_timed(const config_source *src, unsigned read_timeout, char *errbuf, size_t errlen)
{
	MYSQL *my = mysql_init(NULL);
	unsigned int timeout = 10;
	my_bool on = 1, off = 0;

	if (!my) {
		snprintf(errbuf, errlen, "could not allocate a MariaDB connection handle");
		return NULL;
	}
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (read_timeout > 0)
		mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
	mysql_options(my, MYSQL_INIT_COMMAND,
				  "SET SESSION time_zone = '+00:00', net_write_timeout = 3600, "
				  "net_read_timeout = 3600, wait_timeout = 86400");
	if (src->tls != CONFIG_TLS_OFF) {
		mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &on);
		if (src->tls_ca)
			mysql_optionsv(my, MYSQL_OPT_SSL_CA, src->tls_ca);
		if (src->tls_cert)
			mysql_optionsv(my, MYSQL_OPT_SSL_CERT, src->tls_cert);
		if (src->tls_key)
			mysql_optionsv(my, MYSQL_OPT_SSL_KEY, src->tls_key);
		mysql_optionsv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
					   src->tls == CONFIG_TLS_VERIFY ? &on : &off);
	}
	if (!mysql_real_connect(my, src->host, src->user, src->pass, NULL,
							src->port, NULL, CLIENT_REMEMBER_OPTIONS)) {
		snprintf(errbuf, errlen,
				 "could not connect to MariaDB of database \"%s\" at %s:%u as user \"%s\": %s",
				 src->name, src->host, src->port, src->user, mysql_error(my));
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
