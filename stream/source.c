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
#include "common/metrics.h"
#include "stream/instance.h"
#include "stream/relay.h"

#include <mariadb_rpl.h>
#include <mysqld_error.h>
#include <inttypes.h>
#include <pthread.h>
#include <time.h>
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
	bool        checksum;       /* @@binlog_checksum is on (events end with a CRC32) */
	relay_cursor *cur;          /* applying from the relay; NULL = straight from the server */
	bool        cur_checksum;   /* the decoder's checksum mode while applying from it */
	char        hb_file[256];   /* a made-up heartbeat's file name */
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
			log_error_dh(NULL, "Check the NAME_HOST, NAME_PORT, NAME_USER, NAME_PASS and NAME_TLS* settings (and the "
						 "user's grants on the MariaDB server), then start the stream again.", "%s", errbuf);
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

/* start_dump: asks the server for its binary log from start (source_start,
 * the reader thread) */
static bool
start_dump(source *s, const binlogpos *start, binlog_table_hook hook, void *ctx, bool *fatal)
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
	s->checksum = checksum && strcasecmp(checksum, "NONE") != 0;
	binlog_decoder_set_checksum(s->dec, s->checksum);
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
	relay_cursor_close(s->cur);
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

/* fetch_event: the next event from the server, decoded, with its raw bytes */
static bool
fetch_event(source *s, binlog_event *ev, binlogpos *start, const uint8_t **rawp, size_t *lenp, bool *fatal)
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
	*rawp = raw;
	*lenp = len;
	snprintf(start->file, sizeof(start->file), "%s", s->file);
	start->pos = ev->next_pos >= ev->size && ev->next_pos != 0 ? ev->next_pos - ev->size : 0;
	start->gtid[0] = '\0';
	if (ev->kind == BINLOG_EV_ROTATE)
		snprintf(s->file, sizeof(s->file), "%s", ev->u.rotate.file);
	return true;
}

/*
 * The relay (relay.h). One per process, as the stream is one per database:
 * it outlives the pipeline's passes, so the reader thread keeps fetching
 * while the sink is away and the passes are retried. The reader thread
 * owns a source of its own (a replica connection) and a decoder that only
 * reads headers (no table is wanted); a pass's source then reads from the
 * relay's cursor and decodes with the pass's tables.
 */
static struct {
	bool        on;             /* STREAM_RELAY */
	char        dir[1024];      /* STREAM_RELAY_DIR */
	char        name[512];      /* the relay's subdirectory: the database's name, or
								 * NAME.publish.PREFIX for the publisher */
	uint64_t    max_bytes;      /* STREAM_RELAY_MAX_SIZE */
	relay      *rl;             /* opened at the first pass */
	const config_source *src;
	uint32_t    replica_sid;
	pthread_t   th;
	bool        running;        /* th is to be joined */
	volatile sig_atomic_t stop; /* asks the reader to end */
	volatile sig_atomic_t ended;    /* the reader ended by itself */
	volatile sig_atomic_t fatal;    /* ... for a reason a person must fix (logged) */
	bool        collecting;     /* the metrics collector is registered */
	long long   keep_s;         /* the source's binlog retention (s, 0 = never, -1 = unknown): the reader's */
	double      warned_at;      /* when the space limit was last warned of (the reader's) */
} relay_g = { .keep_s = -1 };

/* parse_size: "10G", "512M", "1000000" into bytes */
static bool
parse_size(const char *name, const char *v, uint64_t min, uint64_t *out)
{
	char *end;
	double n = strtod(v, &end);
	double mul = 1;

	if (end == v || n < 0)
		goto bad;
	switch (*end) {
		case 'k': case 'K': mul = 1024.0; end++; break;
		case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
		case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
		case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
		default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || n * mul < (double) min)
		goto bad;
	*out = (uint64_t) (n * mul);
	return true;
bad:
	log_error_dh(NULL, "Give a size such as 10G, 500M or 1048576 (bytes), at least 1M.",
				 "invalid value \"%.100s\" for %s", v, name);
	return false;
}

bool
source_set_relay(const config *cfg, bool publisher)
{
	const char *on = config_get(cfg, "STREAM_RELAY");
	const char *dir = config_get(cfg, "STREAM_RELAY_DIR");
	const char *max = config_get(cfg, "STREAM_RELAY_MAX_SIZE");

	relay_g.on = true;
	if (on && on[0]) {
		if (strcmp(on, "off") == 0)
			relay_g.on = false;
		else if (strcmp(on, "on") != 0) {
			log_error_dh(NULL, "Give on (the default) or off.", "invalid value \"%.100s\" for STREAM_RELAY", on);
			return false;
		}
	}
	snprintf(relay_g.dir, sizeof(relay_g.dir), "%s", dir && dir[0] ? dir : "relay");
	/* the publisher reads beside the stream into PostgreSQL: a relay of its own */
	const char *prefix = config_get(cfg, "KAFKA_TOPIC_PREFIX");
	if (publisher)
		snprintf(relay_g.name, sizeof(relay_g.name), "%s.publish.%s", cfg->src.name,
				 prefix && prefix[0] ? prefix : cfg->src.name);
	else
		snprintf(relay_g.name, sizeof(relay_g.name), "%s", cfg->src.name);
	relay_g.max_bytes = 10ull << 30;
	if (max && max[0] && !parse_size("STREAM_RELAY_MAX_SIZE", max, 1u << 20, &relay_g.max_bytes))
		return false;
	return true;
}

/* reader_sleep: seconds, or until stopped */
static void
reader_sleep(double seconds)
{
	for (double t = 0; t < seconds && !relay_g.stop; t += 0.1) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
}

/* skip_rows: the reader's decoder hook: no rows are decoded */
static bool
skip_rows(binlog_table *table, void *ctx, char *errbuf, size_t errlen)
{
	(void) ctx;
	(void) errbuf;
	(void) errlen;
	table->wanted = false;
	return true;
}

/* read_keep: the source's binlog retention in seconds (0 = never) into
 * relay_g.keep_s, asked before the connection turns into a binlog dump
 * (MariaDB before 10.6 has only expire_logs_days) */
static void
read_keep(source *s)
{
	char *v = NULL, errbuf[256];

	if (maria_query_value(s->my, "SELECT @@global.binlog_expire_logs_seconds", &v, errbuf, sizeof(errbuf)) && v &&
		strtoll(v, NULL, 10) > 0)
		relay_g.keep_s = strtoll(v, NULL, 10);
	else {
		free(v);
		v = NULL;
		if (maria_query_value(s->my, "SELECT @@global.expire_logs_days", &v, errbuf, sizeof(errbuf)) && v)
			relay_g.keep_s = (long long) (strtod(v, NULL) * 86400.0);
	}
	free(v);
}

/* warn_full: the space limit is reached: how far behind the sink is, and
 * how long the source keeps what the relay will need next; a warning at
 * most every minute, a note in between */
static void
warn_full(relay *rl)
{
	relay_stats st;
	binlogpos d;
	uint32_t dts = 0;
	char detail[2048], lag[80] = "unknown", left[400] = "unknown";
	long long keep = relay_g.keep_s;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (relay_g.warned_at && now.tv_sec - relay_g.warned_at < 60) {
		log_info("the relay of database \"%s\" is full again; reading the binary log pauses until the sink catches up",
				 relay_g.src->name);
		return;
	}
	relay_g.warned_at = (double) now.tv_sec;
	relay_stats_get(rl, &st);
	relay_durable(rl, &d, &dts);
	if (dts && st.newest_ts >= dts)
		snprintf(lag, sizeof(lag), "%u s", st.newest_ts - dts);
	else if (st.oldest_ts && st.newest_ts >= st.oldest_ts)
		snprintf(lag, sizeof(lag), "at least %u s (no checkpoint made durable yet)", st.newest_ts - st.oldest_ts);
	if (keep > 0 && st.newest_ts) {
		long long age = (long long) time(NULL) - st.newest_ts;
		snprintf(left, sizeof(left), "about %lld s before the source may purge %s", keep - age, st.newest.file);
	} else if (keep == 0)
		snprintf(left, sizeof(left), "no expiry (binlog_expire_logs_seconds = 0)");
	snprintf(detail, sizeof(detail), "The relay holds %s:%" PRIu64 " to %s:%" PRIu64 " in %" PRIu64 " bytes "
			 "(%" PRIu64 " bytes of events); the sink is %s behind it. The source keeps binary logs for %lld s "
			 "(binlog_expire_logs_seconds); time left: %s. Nothing is lost while the source keeps them.",
			 st.oldest.file, st.oldest.pos, st.newest.file, st.newest.pos, st.bytes, st.raw, lag, keep, left);
	log_warning_dh(detail, "Bring the sink back, or raise STREAM_RELAY_MAX_SIZE.",
				   "the relay of database \"%s\" reached its space limit (%" PRIu64 " bytes, STREAM_RELAY_MAX_SIZE); "
				   "reading the binary log pauses until the sink catches up", relay_g.src->name, relay_g.max_bytes);
}

/* reader_flush: the pending frame written; waits out a full relay (*sp is
 * closed and set NULL when that takes more than 5 s); false when stopped */
static bool
reader_flush(relay *rl, source **sp)
{
	for (;;) {
		relay_flush_result r = relay_flush(rl);
		if (r == RELAY_FLUSHED)
			return true;
		if (r == RELAY_FULL) {
			warn_full(rl);
			relay_set_paused(rl, true);
			/* a short wait (the sink applying a batch) keeps the replica
			 * connection; a longer one closes it, or the server would
			 * give up on a replica that does not read */
			if (!relay_wait_space(rl, &relay_g.stop, 5.0) && !relay_g.stop) {
				metrics_stream_reconnect();
				if (*sp) {
					source_close(*sp);
					*sp = NULL;
				}
				while (!relay_g.stop && !relay_wait_space(rl, &relay_g.stop, 5.0))
					;
			}
			relay_set_paused(rl, false);
			if (relay_g.stop)
				return false;
			log_notice("the relay of database \"%s\" has room again; reading the binary log resumes",
					   relay_g.src->name);
			continue;
		}
		reader_sleep(1.0);
		if (relay_g.stop)
			return false;
	}
}

/* reader_main: fetches events into the relay until stopped, or until the
 * source cannot go on (ended; fatal when a person must act) */
static void *
reader_main(void *arg)
{
	relay *rl = arg;
	source *s = NULL;
	int failures = 0;
	bool cs = false;
	uint32_t gd = 0, gs = 0;
	uint64_t gq = 0;

	while (!relay_g.stop) {
		if (!s) {
			binlogpos from;
			uint32_t sid;
			bool fatal = false;
			relay_end(rl, &from, &sid);
			s = source_open(relay_g.src, relay_g.replica_sid, &fatal);
			if (s && sid && source_server_id(s) != sid) {
				log_notice("the MariaDB server of database \"%s\" is another one (server id %u, the relay's %u); "
						   "the relay's reader stops", relay_g.src->name, source_server_id(s), sid);
				source_close(s);
				s = NULL;
				break;
			}
			if (s)
				read_keep(s);
			if (s && !start_dump(s, &from, skip_rows, NULL, &fatal)) {
				source_close(s);
				s = NULL;
			}
			if (!s) {
				if (fatal) {
					relay_g.fatal = 1;
					break;
				}
				double d = 0.5 * (1 << (failures < 6 ? failures : 6));
				failures++;
				reader_sleep(d);
				continue;
			}
			cs = s->checksum;
		}
		binlog_event ev;
		binlogpos at;
		const uint8_t *raw;
		size_t len;
		bool fatal = false;
		if (!fetch_event(s, &ev, &at, &raw, &len, &fatal)) {
			source_close(s);
			s = NULL;
			if (fatal) {
				relay_g.fatal = 1;
				break;
			}
			/* what was fetched is kept: reading resumes after it */
			if (!reader_flush(rl, &s))
				break;
			continue;
		}
		failures = 0;
		if (ev.kind == BINLOG_EV_FORMAT)
			cs = ev.u.format.checksum;
		if (ev.kind == BINLOG_EV_HEARTBEAT || ev.next_pos == 0) {
			/* idle, or made up by the server (the first ROTATE and
			 * FORMAT_DESCRIPTION): not kept */
			if (ev.kind == BINLOG_EV_HEARTBEAT && !reader_flush(rl, &s))
				break;
			continue;
		}
		if (ev.kind == BINLOG_EV_GTID) {
			gd = ev.u.gtid.domain_id;
			gs = ev.server_id;
			gq = ev.u.gtid.seq_no;
		}
		relay_rec rec = { .pos = at.pos, .gtid_domain = gd, .gtid_server = gs, .gtid_seq = gq,
						  .flags = cs ? RELAY_REC_CHECKSUM : 0, .event = raw, .len = len };
		snprintf(rec.file, sizeof(rec.file), "%s", at.file);
		binlogpos end = { .pos = ev.next_pos };
		if (ev.kind == BINLOG_EV_ROTATE) {
			snprintf(end.file, sizeof(end.file), "%s", ev.u.rotate.file);
			end.pos = ev.u.rotate.pos;
		} else
			snprintf(end.file, sizeof(end.file), "%s", at.file);
		relay_append(rl, &rec, &end, ev.timestamp);
		if (relay_flush_due(rl) && !reader_flush(rl, &s))
			break;
	}
	if (!relay_g.stop || relay_g.fatal)
		relay_g.ended = 1;
	else
		(void) relay_flush(rl);
	if (s)
		source_close(s);
	relay_wake(rl);
	return NULL;
}

/* reader_stop: ends the reader thread and waits for it */
static void
reader_stop(void)
{
	if (!relay_g.running)
		return;
	relay_g.stop = 1;
	pthread_join(relay_g.th, NULL);
	relay_g.running = false;
	relay_g.stop = 0;
}

/* reader_start: the reader thread, from the relay's end */
static void
reader_start(void)
{
	if (relay_g.running && !relay_g.ended)
		return;
	reader_stop();
	relay_g.ended = relay_g.fatal = 0;
	/* the reader leaves the stop signals to the stream's thread, as the
	 * online copier and the metrics server do */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int err = pthread_create(&relay_g.th, NULL, reader_main, relay_g.rl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		log_error("could not start the relay's reader thread: %s", strerror(err));
		relay_g.ended = 1;
		return;
	}
	relay_g.running = true;
}

/* collect: the relay's metrics, before each scrape */
static void
collect(metrics_registry *reg, void *ctx)
{
	static metrics_family *fb, *fp, *fs, *fpos;
	relay_stats st;
	char oldest[300], newest[300];

	(void) ctx;
	if (!relay_g.rl)
		return;
	if (!fb) {
		static const char *const kind[] = { "kind" };
		static const char *const which[] = { "which", "position" };
		fb = metrics_family_new(reg, METRICS_GAUGE, "stream_relay_bytes",
								"Bytes the relay holds: compressed on disk, and raw (the events' own)", 1, kind, 0, NULL);
		fp = metrics_family_new(reg, METRICS_GAUGE, "stream_relay_paused",
								"1 while the relay is full and reading the binary log waits", 0, NULL, 0, NULL);
		fs = metrics_family_new(reg, METRICS_GAUGE, "stream_relay_segments", "Segment files in the relay",
								0, NULL, 0, NULL);
		fpos = metrics_family_new(reg, METRICS_GAUGE, "stream_relay_position_timestamp_seconds",
								  "Source commit time of the oldest and newest event the relay holds, with their "
								  "binlog positions", 2, which, 0, NULL);
		if (!fb || !fp || !fs || !fpos)
			return;
	}
	relay_stats_get(relay_g.rl, &st);
	const char *c[] = { "compressed" }, *r[] = { "raw" };
	metrics_set(metrics_series_get(fb, c), (double) st.bytes);
	metrics_set(metrics_series_get(fb, r), (double) st.raw);
	metrics_set(metrics_series_get(fp, NULL), st.paused ? 1 : 0);
	metrics_set(metrics_series_get(fs, NULL), (double) st.nsegs);
	if (st.nsegs) {
		snprintf(oldest, sizeof(oldest), "%s:%" PRIu64, st.oldest.file, st.oldest.pos);
		snprintf(newest, sizeof(newest), "%s:%" PRIu64, st.newest.file, st.newest.pos);
		const char *o[] = { "oldest", oldest }, *n[] = { "newest", newest };
		metrics_set(metrics_series_get(fpos, o), st.oldest_ts);
		metrics_set(metrics_series_get(fpos, n), st.newest_ts);
	}
}

/* relay_ready: the relay opened (first use); false logged */
static bool
relay_ready(const source *s)
{
	if (relay_g.rl)
		return true;
	relay_g.src = s->src;
	relay_g.replica_sid = s->replica_sid;
	if (!(relay_g.rl = relay_open(relay_g.dir, relay_g.name, relay_g.max_bytes)))
		return false;
	if (metrics_enabled() && metrics_default() && !relay_g.collecting) {
		metrics_on_collect(metrics_default(), collect, NULL);
		relay_g.collecting = true;
	}
	return true;
}

bool
source_start(source *s, const binlogpos *start, binlog_table_hook hook, void *ctx, bool *fatal)
{
	*fatal = false;
	if (!relay_g.on || !start->file[0]) {
		/* by GTID (another server after a failover): straight from the
		 * server; the relay, of the old server, is not read */
		reader_stop();
		return start_dump(s, start, hook, ctx, fatal);
	}
	if (!relay_ready(s)) {
		*fatal = true;
		return false;
	}
	s->cur = relay_cursor_open(relay_g.rl, start, s->server_sid);
	if (!s->cur) {
		/* the relay does not hold it: it starts there, from the source */
		if (!has_file(s, start->file)) {
			char detail[768];
			snprintf(detail, sizeof(detail), "The stream must continue at %s:%llu; neither the relay nor the server "
					 "has it (the oldest binary log on the server is %s).", start->file,
					 (unsigned long long) start->pos, s->first[0] ? s->first : "(none)");
			log_error_dh(detail, "Copy the tables again with migrate --database NAME --tables all (it records new "
						 "watermarks), then start stream; raise binlog_expire_logs_seconds or STREAM_RELAY_MAX_SIZE "
						 "so this does not recur.", "binary log %s of database \"%s\" has been purged", start->file,
						 s->src->name);
			*fatal = true;
			return false;
		}
		reader_stop();
		relay_reset(relay_g.rl, start, s->server_sid);
		if (!(s->cur = relay_cursor_open(relay_g.rl, start, s->server_sid))) {
			log_error("the relay of database \"%s\" could not start at %s:%llu", s->src->name, start->file,
					  (unsigned long long) start->pos);
			return false;
		}
	}
	reader_start();
	s->dec = binlog_decoder_new(hook, ctx);
	binlogpos end;
	uint32_t sid;
	relay_end(relay_g.rl, &end, &sid);
	log_info("applying the binary log of database \"%s\" from %s:%llu through the relay in %s/%s (it holds up to "
			 "%s:%llu)", s->src->name, start->file, (unsigned long long) start->pos, relay_g.dir, s->src->name,
			 end.file, (unsigned long long) end.pos);
	return true;
}

/* relay_refetch: after a damaged place in the relay: everything from there
 * is fetched from the source again, when it still has it */
static bool
relay_refetch(source *s, bool *fatal)
{
	binlogpos at;

	relay_cursor_pos(s->cur, &at);
	reader_stop();
	relay_truncate(relay_g.rl, s->cur);
	if (!has_file(s, at.file)) {
		char detail[1400];
		snprintf(detail, sizeof(detail), "The relay's copy of the events from %s:%llu on is damaged, and the server no "
				 "longer has binary log %s (its oldest is %s).", at.file, (unsigned long long) at.pos, at.file,
				 s->first[0] ? s->first : "(none)");
		log_error_dh(detail, "Copy the tables again with migrate --database NAME --tables all, then start stream.",
					 "the events of database \"%s\" from %s:%llu are lost from the relay and purged on the source",
					 s->src->name, at.file, (unsigned long long) at.pos);
		*fatal = true;
		return false;
	}
	log_notice("fetching the binary log of database \"%s\" again from %s:%llu into the relay", s->src->name, at.file,
			   (unsigned long long) at.pos);
	reader_start();
	return true;
}

bool
source_next(source *s, binlog_event *ev, binlogpos *start, bool *fatal)
{
	const uint8_t *raw;
	size_t len;
	char errbuf[1024];

	*fatal = false;
	if (!s->cur)
		return fetch_event(s, ev, start, &raw, &len, fatal);
	for (;;) {
		relay_rec rec;
		relay_next_result r = relay_cursor_next(s->cur, &rec, 0.1);
		if (r == RELAY_BROKEN) {
			if (!relay_refetch(s, fatal))
				return false;
			continue;
		}
		if (r == RELAY_IDLE) {
			if (relay_g.ended) {
				if (!relay_g.fatal)
					log_error("the relay's reader of database \"%s\" stopped", s->src->name);
				*fatal = relay_g.fatal;
				return false;
			}
			/* what the server's heartbeat says when idle: where it is */
			binlogpos at;
			relay_cursor_pos(s->cur, &at);
			memset(ev, 0, sizeof(*ev));
			snprintf(s->hb_file, sizeof(s->hb_file), "%s", at.file);
			ev->kind = BINLOG_EV_HEARTBEAT;
			ev->type = BINLOG_HEARTBEAT_LOG_EVENT;
			ev->u.heartbeat.file = s->hb_file;
			ev->next_pos = (uint32_t) at.pos;
			snprintf(start->file, sizeof(start->file), "%s", at.file);
			start->pos = 0;
			start->gtid[0] = '\0';
			return true;
		}
		bool cs = (rec.flags & RELAY_REC_CHECKSUM) != 0;
		if (cs != s->cur_checksum) {
			binlog_decoder_set_checksum(s->dec, cs);
			s->cur_checksum = cs;
		}
		if (!binlog_decode(s->dec, rec.event, rec.len, ev, errbuf, sizeof(errbuf))) {
			*fatal = true;
			log_error_dh(errbuf, "This is a bug or a corrupt binary log; the stream stopped without applying the event.",
						 "cannot decode the binlog event at %s:%llu of database \"%s\" (read from the relay)", rec.file,
						 (unsigned long long) rec.pos, s->src->name);
			return false;
		}
		snprintf(start->file, sizeof(start->file), "%s", rec.file);
		start->pos = rec.pos;
		start->gtid[0] = '\0';
		return true;
	}
}

void
source_durable(const binlogpos *pos, uint32_t ts)
{
	if (relay_g.rl)
		relay_set_durable(relay_g.rl, pos, ts);
}

bool
source_relay_resume(binlogpos *needed)
{
	relay_stats st;
	binlogpos end;
	uint32_t sid;

	if (!relay_g.on || !relay_g.rl || !relay_end(relay_g.rl, &end, &sid) || !sid)
		return false;
	relay_stats_get(relay_g.rl, &st);
	if (binlogpos_cmp(needed, &end) != 0 &&
		!(st.nsegs && binlogpos_cmp(&st.oldest, needed) <= 0 && binlogpos_cmp(needed, &end) < 0))
		return false;
	*needed = end;
	return true;
}

void
source_relay_shutdown(void)
{
	relay_stats st;

	if (relay_g.running) {
		/* the reader ends within a fetch (a heartbeat is due every 100 ms)
		 * or a connection attempt; at exit it is not waited for longer:
		 * what it was writing is a torn tail the next start cuts off */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		relay_g.stop = 1;
		if (pthread_timedjoin_np(relay_g.th, NULL, &until) != 0) {
			log_warning("the relay's reader of database \"%s\" did not stop within 5 s; exiting without it",
						relay_g.src ? relay_g.src->name : "?");
			return;     /* the relay stays open: the thread may still use it */
		}
		relay_g.running = false;
		relay_g.stop = 0;
	}
	if (relay_g.collecting) {
		metrics_off_collect(metrics_default(), collect, NULL);
		relay_g.collecting = false;
	}
	if (relay_g.rl) {
		relay_stats_get(relay_g.rl, &st);
		if (st.written_events)
			log_info("the relay wrote %" PRIu64 " events in this run: %" PRIu64 " bytes of records as %" PRIu64
					 " bytes on disk (ratio %.2f)", st.written_events, st.written_raw, st.written,
					 st.written ? (double) st.written_raw / (double) st.written : 0.0);
	}
	relay_close(relay_g.rl);
	relay_g.rl = NULL;
}

void
source_relay_status(void)
{
	relay_stats st;

	if (!relay_g.on) {
		printf("relay: off (STREAM_RELAY=off)\n");
		return;
	}
	if (!relay_scan_dir(relay_g.dir, relay_g.name, &st) || st.nsegs == 0) {
		printf("relay: %s/%s, empty\n", relay_g.dir, relay_g.name);
		return;
	}
	printf("relay: %s/%s, %" PRIu64 " bytes on disk (%" PRIu64 " bytes of events, ratio %.1f) in %zu segments, "
		   "limit %" PRIu64 "\n", relay_g.dir, relay_g.name, st.bytes, st.raw, st.bytes ? (double) st.raw / st.bytes : 0.0,
		   st.nsegs, relay_g.max_bytes);
	printf("relay: holds %s:%" PRIu64 " to %s:%" PRIu64 "; reader %s\n", st.oldest.file, st.oldest.pos,
		   st.newest.file, st.newest.pos, st.paused ? "PAUSED (space limit reached)" : "reading");
}

json_t *
source_relay_json(void)
{
	relay_stats st;
	char oldest[300], newest[300];

	if (!relay_g.on)
		return json_pack("{s:b}", "on", 0);
	bool any = relay_scan_dir(relay_g.dir, relay_g.name, &st) && st.nsegs > 0;
	if (!any)
		memset(&st, 0, sizeof(st));
	snprintf(oldest, sizeof(oldest), "%s:%" PRIu64, st.oldest.file, st.oldest.pos);
	snprintf(newest, sizeof(newest), "%s:%" PRIu64, st.newest.file, st.newest.pos);
	return json_pack("{s:b, s:s++, s:I, s:I, s:I, s:I, s:o, s:o, s:b}", "on", 1, "dir", relay_g.dir, "/", relay_g.name,
					 "bytes", (json_int_t) st.bytes, "raw_bytes", (json_int_t) st.raw, "segments", (json_int_t) st.nsegs,
					 "limit", (json_int_t) relay_g.max_bytes, "oldest", any ? json_string(oldest) : json_null(),
					 "newest", any ? json_string(newest) : json_null(), "paused", any && st.paused);
}

void
source_relay_prestart(const config_source *src, uint32_t server_id)
{
	binlogpos end;
	uint32_t sid;

	if (!relay_g.on || relay_g.rl)
		return;
	relay_g.src = src;
	relay_g.replica_sid = server_id;
	if (!(relay_g.rl = relay_open(relay_g.dir, relay_g.name, relay_g.max_bytes)))
		return;     /* logged; the first pass fails on it again */
	if (metrics_enabled() && metrics_default() && !relay_g.collecting) {
		metrics_on_collect(metrics_default(), collect, NULL);
		relay_g.collecting = true;
	}
	/* a relay from an earlier run ends after that run's checkpoint: it can
	 * go on reading before the sink (and so the checkpoint) is reachable */
	if (relay_end(relay_g.rl, &end, &sid) && sid)
		reader_start();
}
