/*
 * The binlog source. Preflight reads the server's binlog settings on the
 * same connection that then becomes the replica connection: log_bin,
 * binlog_format ROW, binlog_row_image FULL (MINIMAL images lack the columns
 * an upsert needs, so they are refused rather than half supported), the
 * BINLOG MONITOR privilege (SHOW BINARY LOGS), and no other replica
 * registered with our server id (our registration's report host is the
 * process's mark, instance.h, so that our own leftovers are told from other
 * replicas: see check_registrations); it also reads the server's identity
 * (@@server_id, @@gtid_binlog_state), which the stream compares with its
 * checkpoint's to notice a failover. source_start then checks the start
 * file is still on the server, or, to continue on another server after a
 * failover, asks for the binlog from a GTID position (@slave_connect_state,
 * strict mode).
 *
 * The dump asks for checksums as the server writes them (the decoder
 * verifies them), MariaDB's GTID events (slave capability 4), annotate
 * events, and a heartbeat every 100 ms; the read timeout (5 s) is many
 * heartbeats, so a connection that hangs without closing fails.
 *
 * libmariadb's mariadb_rpl_fetch carries the stream; its raw event bytes go
 * to our decoder (common/binlog.c).
 */
#include "stream/source.h"

#include "common/log.h"
#include "common/maria.h"
#include "common/xalloc.h"
#include "stream/instance.h"

#include <mariadb_rpl.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEARTBEAT_NS    100000000ULL   /* 100 ms: an idle stream commits within it */
#define READ_TIMEOUT_S  5

/* source_set_wait's bound, one per process: set once before the first
 * source_open (the opener's signature is shared by every mode's loop) */
static double wait_seconds = 30;
static volatile sig_atomic_t *wait_stop;

struct source {
	MYSQL      *my;
	MARIADB_RPL *rpl;
	MARIADB_RPL_EVENT *ev;
	binlog_decoder *dec;
	const config_source *src;
	uint32_t    replica_sid;    /* the id the stream reads as */
	uint32_t    server_sid;     /* the server's @@server_id */
	char       *gtid_state;     /* its @@gtid_binlog_state */
	char        first[256];     /* its oldest binary log */
	char      **files;          /* every binary log it has (SHOW BINARY LOGS) */
	size_t      nfiles;
	char        file[256];      /* binlog file of the next event */
	char       *grantee;        /* 'user'@'host' for a GRANT hint */
};

uint32_t
source_default_server_id(const char *dbname)
{
	uint32_t h = 2166136261u;

	for (const char *p = dbname; *p; p++)
		h = (h ^ (unsigned char) *p) * 16777619u;
	/* high range, away from the small ids servers are usually given */
	return 0x40000000u | (h & 0x3fffffffu);
}

/* setting_is: the first value of sql equals want (case-insensitive) */
static bool
query_setting(MYSQL *my, const char *sql, char **out)
{
	char errbuf[512];

	if (!maria_query_value(my, sql, out, errbuf, sizeof(errbuf))) {
		log_error("could not read a MariaDB setting (%s): %s", sql, errbuf);
		return false;
	}
	return true;
}

/* registered_as: the report host of the replica SHOW SLAVE HOSTS lists with
 * server_id into mark ("" when none); false when the statement failed
 * (mysql_errno says why) */
static bool
registered_as(MYSQL *my, uint32_t server_id, char *mark, size_t len)
{
	MYSQL_RES *res;
	MYSQL_ROW row;

	mark[0] = '\0';
	if (mysql_query(my, "SHOW SLAVE HOSTS") != 0 || !(res = mysql_store_result(my)))
		return false;
	while ((row = mysql_fetch_row(res)))
		if (row[0] && strtoul(row[0], NULL, 10) == server_id) {
			snprintf(mark, len, "%s", row[1] ? row[1] : "");
			if (!mark[0])
				snprintf(mark, len, "(no report host)");
			break;
		}
	mysql_free_result(res);
	return true;
}

/*
 * check_registrations: a replica registered with our server id would be
 * disconnected by us (MariaDB ends the dump thread of an id that connects
 * again), and would disconnect us in turn. Its report host tells what it
 * is (instance.h): our own earlier registration (this process, or a stream
 * of this database on this host that has ended) is still listed until its
 * dump thread notices, and is replaced when we register; a stream of this
 * database that still runs, or one on another host, is waited for up to
 * source_set_wait's bound; anything else is refused at once. False with
 * *fatal: refused (logged); without: the connection was lost or a stop was
 * requested.
 */
static bool
check_registrations(source *s, uint32_t server_id, bool *fatal)
{
	MYSQL *my = s->my;
	const char *db = s->src->name;
	char mark[256];
	instance_wait w;

	instance_wait_begin(&w, wait_seconds, wait_stop);
	for (;;) {
		if (!registered_as(my, server_id, mark, sizeof(mark))) {
			if (maria_is_disconnect(mysql_errno(my))) {
				*fatal = false;
				log_error("lost the MariaDB connection of database \"%s\": %s", db, mysql_error(my));
				return false;
			}
			log_debug("SHOW SLAVE HOSTS not permitted (%s); server id clash not checked", mysql_error(my));
			return true;
		}
		if (!mark[0])
			return true;
		pid_t pid;
		instance_kind k = instance_classify(mark, "stream", db, 0, &pid);
		switch (k) {
			case INSTANCE_FOREIGN: {
				char detail[400];
				snprintf(detail, sizeof(detail), "It is registered as \"%s\" (SHOW SLAVE HOSTS); MariaDB would "
						 "disconnect it when this stream connects, and it would disconnect this stream.", mark);
				log_error_dh(detail, "Set NAME_SERVER_ID to an id no other replica of this server uses.",
							 "another replica with server id %u is connected to the MariaDB server of database \"%s\"",
							 server_id, db);
				return false;
			}
			case INSTANCE_SELF:
				log_debug("our own earlier replica registration \"%s\" is still listed; it is replaced", mark);
				return true;
			case INSTANCE_ENDED:
				log_info("the replica registration of an earlier stream of database \"%s\" (pid %ld, ended) is still "
						 "listed on MariaDB; it is replaced", db, (long) pid);
				return true;
			case INSTANCE_ALIVE:
			case INSTANCE_ELSEWHERE:
				break;
		}
		if (!w.announced) {
			log_notice("waiting up to %.0f s for the stream \"%s\" (%s) to end: it is registered on the MariaDB "
					   "server of database \"%s\" with our server id %u", wait_seconds, mark, instance_kind_text(k),
					   db, server_id);
			w.announced = true;
		}
		if (!instance_wait_more(&w)) {
			if (instance_wait_stopped(&w)) {
				*fatal = false;
				return false;
			}
			char detail[512];
			snprintf(detail, sizeof(detail), "Its registration \"%s\" (%s) was still listed after %.0f s.", mark,
					 instance_kind_text(k), wait_seconds);
			log_error_dh(detail, "Stop the other stream first, or give one of them another NAME_SERVER_ID.",
						 "another stream of database \"%s\" reads the binary log with server id %u", db, server_id);
			return false;
		}
	}
}

/* preflight: the checks that make streaming possible; *fatal for settings */
static bool
preflight(source *s, uint32_t server_id, bool *fatal)
{
	MYSQL *my = s->my;
	const char *db = s->src->name;
	char *v = NULL;
	bool ok = false;

	*fatal = true;
	if (!query_setting(my, "SELECT @@log_bin", &v))
		goto out;
	if (!v || strcmp(v, "1") != 0) {
		log_error_dh("stream reads changes from the binary log.",
					 "Start mariadbd with log_bin=mariadb-bin and binlog_format=ROW (in my.cnf), then run migrate again.",
					 "binary logging is off on the MariaDB server of database \"%s\"", db);
		goto out;
	}
	free(v);
	v = NULL;
	if (!query_setting(my, "SELECT @@global.binlog_format", &v))
		goto out;
	if (!v || strcasecmp(v, "ROW") != 0) {
		log_error_dh("In STATEMENT or MIXED format (MariaDB's default is MIXED) some changes are logged as SQL statements, which cannot be replayed exactly.",
					 "SET GLOBAL binlog_format = 'ROW'; and set binlog_format=ROW in my.cnf so it survives a restart.",
					 "binlog_format is %s on the MariaDB server of database \"%s\"; stream needs ROW", v ? v : "unknown", db);
		goto out;
	}
	free(v);
	v = NULL;
	if (!query_setting(my, "SELECT @@global.binlog_row_image", &v))
		goto out;
	if (!v || strcasecmp(v, "FULL") != 0) {
		log_error_dh("With MINIMAL or NOBLOB images the binlog omits columns, so an update cannot be applied as a whole row; stream supports FULL only.",
					 "SET GLOBAL binlog_row_image = 'FULL'; and set it in my.cnf.",
					 "binlog_row_image is %s on the MariaDB server of database \"%s\"; stream needs FULL", v ? v : "unknown", db);
		goto out;
	}
	free(v);
	v = NULL;
	if (!query_setting(my, "SELECT @@server_id", &v))
		goto out;
	s->server_sid = v ? (uint32_t) strtoul(v, NULL, 10) : 0;
	if (s->server_sid == server_id) {
		log_error_dh(NULL, "Set a different NAME_SERVER_ID.",
					 "the stream's server id %u is the MariaDB server's own server_id", server_id);
		goto out;
	}
	free(v);
	v = NULL;
	if (!query_setting(my, "SELECT @@global.gtid_binlog_state", &s->gtid_state))
		goto out;

	/* BINLOG MONITOR (REPLICATION CLIENT before 10.5) and the start file */
	maria_binlog *logs;
	size_t nlogs;
	char lerr[512];
	if (!maria_binlogs(my, &logs, &nlogs, lerr, sizeof(lerr))) {
		unsigned err = mysql_errno(my);
		if (maria_is_disconnect(err)) {
			*fatal = false;
			log_error("lost the MariaDB connection of database \"%s\": %s", db, mysql_error(my));
			goto out;
		}
		char hint[512];
		snprintf(hint, sizeof(hint), "As a MariaDB administrator: GRANT BINLOG MONITOR ON *.* TO %s; "
				 "(REPLICATION CLIENT is its older name)", s->grantee);
		log_error_dh(mysql_error(my), hint,
					 "user \"%s\" may not list the binary logs of database \"%s\" (privilege BINLOG MONITOR missing)",
					 s->src->user, db);
		goto out;
	}
	for (size_t i = 0; i < nlogs; i++) {
		if (!s->first[0])
			snprintf(s->first, sizeof(s->first), "%s", logs[i].file);
		s->files = xrealloc(s->files, (s->nfiles + 1) * sizeof(char *));
		s->files[s->nfiles++] = xstrdup(logs[i].file);
	}
	free(logs);

	if (!check_registrations(s, server_id, fatal))
		goto out;
	ok = true;
out:
	/* a connection lost on the way is retried, not a setting to fix */
	if (!ok && mysql_errno(my) && maria_is_disconnect(mysql_errno(my)))
		*fatal = false;
	free(v);
	return ok;
}

/* replication_denied: logs that the user may not read the binlog */
static void
replication_denied(const source *s, unsigned err, const char *msg)
{
	char detail[768], hint[512];

	snprintf(detail, sizeof(detail), "MariaDB refused to send its binary log to a replica (error %u: %s).", err,
			 msg && msg[0] && !strstr(msg, "Unknown or undefined") ? msg : "access denied");
	snprintf(hint, sizeof(hint), "As a MariaDB administrator: GRANT REPLICATION SLAVE ON *.* TO %s;", s->grantee);
	log_error_dh(detail, hint,
				 "user \"%s\" may not read the binary log of database \"%s\" (privilege REPLICATION SLAVE missing)",
				 s->src->user, s->src->name);
}

source *
source_open(const config_source *src, uint32_t server_id, bool *fatal)
{
	char errbuf[1024];
	source *s = xcalloc(1, sizeof(source));

	*fatal = false;
	s->src = src;
	s->replica_sid = server_id;
	bool down;
	s->my = maria_connect_try(src, READ_TIMEOUT_S, &down, errbuf, sizeof(errbuf));
	if (!s->my) {
		/* out of reach: retried; refused (a login, TLS): a person's */
		if (down)
			log_error("%s", errbuf);
		else
			log_error_dh(NULL, "Check the NAME_HOST, NAME_PORT, NAME_USER and NAME_PASS settings.", "%s", errbuf);
		*fatal = !down;
		goto fail;
	}
	buf who = BUF_INIT;
	maria_grantee(s->my, src->user, &who);
	s->grantee = who.data;
	if (!preflight(s, server_id, fatal))
		goto fail;
	*fatal = false;
	return s;
fail:
	source_close(s);
	return NULL;
}

void
source_set_wait(double seconds, volatile sig_atomic_t *stop)
{
	wait_seconds = seconds;
	wait_stop = stop;
}

uint32_t
source_server_id(const source *s)
{
	return s->server_sid;
}

const char *
source_gtid_state(const source *s)
{
	return s->gtid_state ? s->gtid_state : "";
}

/* has_file: whether the server still has binary log file */
static bool
has_file(const source *s, const char *file)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i], file) == 0)
			return true;
	return false;
}

bool
source_start(source *s, const binlogpos *start, binlog_table_hook hook, void *ctx, bool *fatal)
{
	char errbuf[1024];
	const config_source *src = s->src;
	const char *db = src->name;
	char *checksum = NULL;
	bool by_gtid = start->file[0] == '\0';
	char from[600];

	*fatal = false;
	if (by_gtid)
		snprintf(from, sizeof(from), "GTID position %s", start->gtid);
	else
		snprintf(from, sizeof(from), "%s:%llu", start->file, (unsigned long long) start->pos);
	if (!by_gtid && !has_file(s, start->file)) {
		char detail[768];
		snprintf(detail, sizeof(detail), "The stream must continue at %s:%llu, but the oldest binary log on the server is %s. "
				 "Starting from the current position would lose every change in between.",
				 start->file, (unsigned long long) start->pos, s->first[0] ? s->first : "(none)");
		log_error_dh(detail, "Copy the tables again with migrate --database NAME --tables all (it records new watermarks), "
					 "then start stream; raise binlog_expire_logs_seconds so this does not recur.",
					 "binary log %s of database \"%s\" has been purged", start->file, db);
		*fatal = true;
		return false;
	}
	snprintf(s->file, sizeof(s->file), "%s", start->file);
	if (!query_setting(s->my, "SELECT @@global.binlog_checksum", &checksum))
		goto fail;
	char set[1024];
	snprintf(set, sizeof(set), "SET @master_binlog_checksum = @@global.binlog_checksum, "
			 "@mariadb_slave_capability = 4, @master_heartbeat_period = %llu", HEARTBEAT_NS);
	if (!maria_exec(s->my, set, errbuf, sizeof(errbuf))) {
		log_error("could not prepare the replication connection of database \"%s\": %s", db, errbuf);
		goto fail;
	}
	/* by GTID: the server finds the place in its own binary logs and sends
	 * what follows; strict mode makes a GTID it never logged an error
	 * rather than a guess */
	if (by_gtid) {
		buf sql = BUF_INIT;
		buf_puts(&sql, "SET @slave_connect_state = ");
		maria_escape_literal(s->my, &sql, start->gtid, strlen(start->gtid));
		buf_puts(&sql, ", @slave_gtid_strict_mode = 1, @slave_gtid_ignore_duplicates = 0");
		bool ok = maria_exec(s->my, sql.data, errbuf, sizeof(errbuf));
		buf_free(&sql);
		if (!ok) {
			log_error("could not prepare the replication connection of database \"%s\": %s", db, errbuf);
			goto fail;
		}
	}
	s->dec = binlog_decoder_new(hook, ctx);
	binlog_decoder_set_checksum(s->dec, checksum && strcasecmp(checksum, "NONE") != 0);
	s->rpl = mariadb_rpl_init(s->my);
	if (!s->rpl) {
		log_error("could not start a replication handle for database \"%s\"", db);
		goto fail;
	}
	/* the report host SHOW SLAVE HOSTS lists: who we are (check_registrations) */
	char host[256];
	instance_mark("stream", db, host, sizeof(host));
	mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FILENAME, s->file, strlen(s->file));
	mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_START, (unsigned long) (by_gtid ? 4 : start->pos));
	mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_SERVER_ID, (unsigned int) s->replica_sid);
	mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FLAGS, (unsigned int) MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS);
	mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_HOST, host);
	mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_PORT, (uint32_t) 0);
	if (mariadb_rpl_open(s->rpl) != 0) {
		const char *e = mysql_error(s->my)[0] ? mysql_error(s->my) : mariadb_rpl_error(s->rpl);
		unsigned err = mysql_errno(s->my);
		/* Without REPLICATION SLAVE the server refuses COM_REGISTER_SLAVE;
		 * libmariadb then reports 1045 (ER_ACCESS_DENIED_ERROR) with no
		 * text of the server's. Connected already, 1045 can mean nothing
		 * else. */
		if (maria_is_denied(err) || err == ER_ACCESS_DENIED_ERROR || strstr(e, "REPLICATION SLAVE")) {
			*fatal = true;
			replication_denied(s, err, e);
		} else
			log_error("could not start reading the binary log of database \"%s\" at %s: %s", db, from, e);
		goto fail;
	}
	free(checksum);
	log_info("reading the binary log of database \"%s\" from %s as replica %u (MariaDB server id %u)",
			 db, from, s->replica_sid, s->server_sid);
	return true;
fail:
	free(checksum);
	return false;
}

void
source_close(source *s)
{
	if (!s)
		return;
	if (s->ev)
		mariadb_free_rpl_event(s->ev);
	if (s->rpl)
		mariadb_rpl_close(s->rpl);
	if (s->my)
		mysql_close(s->my);
	if (s->dec)
		binlog_decoder_free(s->dec);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->gtid_state);
	free(s->grantee);
	free(s);
}

bool
source_next(source *s, binlog_event *ev, binlogpos *start, bool *fatal)
{
	char errbuf[1024];

	*fatal = false;
	MARIADB_RPL_EVENT *e = mariadb_rpl_fetch(s->rpl, s->ev);
	if (!e) {
		s->ev = NULL;   /* freed by the library on error */
		const char *msg = mysql_error(s->my)[0] ? mysql_error(s->my) : mariadb_rpl_error(s->rpl);
		unsigned err = mysql_errno(s->my);
		if (maria_is_denied(err)) {
			/* the binlog dump refused (a server that does not check at
			 * registration) */
			*fatal = true;
			replication_denied(s, err, msg);
		} else if (err == 1236) {
			/* ER_MASTER_FATAL_ERROR_READING_BINLOG: purged, or corrupt */
			*fatal = true;
			log_error_dh(msg, "If the binary log was purged, copy the tables again with migrate and restart stream.",
						 "MariaDB of database \"%s\" cannot send its binary log from %s", s->src->name, s->file);
		} else
			log_error("lost the binary log stream of database \"%s\" at %s: %s", s->src->name, s->file,
					  msg && msg[0] ? msg : "connection closed");
		return false;
	}
	s->ev = e;
	if (e->raw_data_size < e->raw_data_ofs) {
		log_error("empty binlog packet from database \"%s\" in %s", s->src->name, s->file);
		return false;
	}
	const uint8_t *raw = (const uint8_t *) e->raw_data + e->raw_data_ofs;
	size_t len = e->raw_data_size - e->raw_data_ofs;
	if (!binlog_decode(s->dec, raw, len, ev, errbuf, sizeof(errbuf))) {
		uint64_t at = e->next_event_pos >= len ? e->next_event_pos - len : 0;
		*fatal = true;
		log_error_dh(errbuf, "This is a bug or a corrupt binary log; the stream stopped without applying the event.",
					 "cannot decode the binlog event at %s:%llu of database \"%s\"", s->file, (unsigned long long) at,
					 s->src->name);
		return false;
	}
	snprintf(start->file, sizeof(start->file), "%s", s->file);
	start->pos = ev->next_pos >= ev->size && ev->next_pos != 0 ? ev->next_pos - ev->size : 0;
	start->gtid[0] = '\0';
	if (ev->kind == BINLOG_EV_ROTATE)
		snprintf(s->file, sizeof(s->file), "%s", ev->u.rotate.file);
	return true;
}
