/*
 * The stream lock: one stream per database and role against a sink; see
 * lock.h. The lock is a session-level advisory lock on (hashtext(role),
 * hashtext(control schema || '.' || database)); pg_locks shows its holder
 * (classid, objid), pg_stat_activity the holder's application name, which
 * is its stream's mark (instance.h).
 */
#include "stream/lock.h"

#include "common/log.h"
#include "common/pg.h"
#include "stream/instance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* lock_holder: the backend pid and application name of the session that
 * holds the stream lock of (role, database) into *bpid and name; *bpid 0
 * when none does (it was just released); false when the query failed */
static bool
lock_holder(PGconn *pg, const config *cfg, const control *ctl, const char *role, int *bpid, char *name,
			size_t len, char *errbuf, size_t errlen)
{
	const char *params[] = { cfg->control_schema, role };
	PGresult *res = control_query(pg, ctl,
								  "SELECT l.pid, coalesce(s.application_name, '') FROM pg_locks l "
								  "LEFT JOIN pg_stat_activity s ON s.pid = l.pid "
								  "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
								  "AND l.classid = hashtext($3)::oid AND l.objid = hashtext($2 || '.' || $1)::oid "
								  "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
								  "AND l.pid <> pg_backend_pid() LIMIT 1",
								  2, params, errbuf, errlen);
	if (!res)
		return false;
	*bpid = PQntuples(res) > 0 ? (int) strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	snprintf(name, len, "%s", PQntuples(res) > 0 ? PQgetvalue(res, 0, 1) : "");
	PQclear(res);
	return true;
}

/* end_backend: pg_terminate_backend(bpid) (the same role may end its own
 * sessions); false, logged, when PostgreSQL refused */
static bool
end_backend(PGconn *pg, int bpid)
{
	char errbuf[1024], pid[16];
	const char *params[] = { pid };

	snprintf(pid, sizeof(pid), "%d", bpid);
	PGresult *res = pg_query(pg, "SELECT pg_terminate_backend($1::int)", 1, params, errbuf, sizeof(errbuf));
	if (!res) {
		log_warning("could not end PostgreSQL backend %d, waiting for it instead: %s", bpid, errbuf);
		return false;
	}
	PQclear(res);
	return true;
}

bool
lock_take(PGconn *pg, const config *cfg, const control *ctl, const char *role, double wait_s,
		  volatile sig_atomic_t *stop)
{
	const char *db = cfg->src.name;
	const char *params[] = { cfg->control_schema, role };
	char errbuf[2048], holder[128] = "";
	int bpid = 0, tried = 0, ended = 0;      /* the holder; the last one we tried to end, and ended */
	bool grace_on = false;
	double grace_s = wait_s > 10 ? wait_s : 10;
	instance_kind k = INSTANCE_FOREIGN;
	instance_wait w, grace;

	instance_wait_begin(&w, wait_s, stop);
	for (;;) {
		PGresult *res = control_query(pg, ctl, "SELECT pg_try_advisory_lock(hashtext($3), hashtext($2 || '.' || $1))",
									  2, params, errbuf, sizeof(errbuf));
		if (!res) {
			log_error("could not take the stream lock of database \"%s\": %s", db, errbuf);
			return false;
		}
		bool locked = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (locked)
			return true;
		if (!lock_holder(pg, cfg, ctl, role, &bpid, holder, sizeof(holder), errbuf, sizeof(errbuf))) {
			log_error("could not look for the holder of the stream lock of database \"%s\": %s", db, errbuf);
			return false;
		}
		/* bpid 0: released in between; looked at again after a moment */
		pid_t pid = 0;
		k = bpid ? instance_classify(holder, role, NULL, 63, &pid) : INSTANCE_FOREIGN;  /* cut at 63 bytes */
		bool own = bpid && (k == INSTANCE_SELF || k == INSTANCE_ENDED);
		if (own && bpid != tried) {
			tried = bpid;
			if (k == INSTANCE_SELF)
				log_notice("the stream lock of database \"%s\" is held by an earlier PostgreSQL session of this "
						   "process (backend pid %d); ending it", db, bpid);
			else
				log_notice("the stream lock of database \"%s\" is held by the PostgreSQL session (backend pid %d) of "
						   "a stream on this host that has ended (pid %ld); ending that session", db, bpid, (long) pid);
			if (end_backend(pg, bpid)) {
				ended = bpid;
				if (!grace_on)
					instance_wait_begin(&grace, grace_s, stop);
				grace_on = true;
			}
		}
		/* an ended session releases the lock as soon as its backend exits:
		 * given grace_s even when wait_s is shorter */
		bool ending = bpid != 0 && bpid == ended;
		if (!ending && bpid && !w.announced) {
			log_notice("waiting up to %.0f s for the stream \"%s\" (%s) to end: its PostgreSQL session (backend "
					   "pid %d) holds the stream lock of database \"%s\"", wait_s, holder, instance_kind_text(k), bpid, db);
			w.announced = true;
		}
		if (ending ? instance_wait_more(&grace) : instance_wait_more(&w))
			continue;
		if (stop && *stop)
			return false;
		char detail[512];
		snprintf(detail, sizeof(detail), "Its PostgreSQL session (backend pid %d, application \"%s\", %s) held "
				 "the lock for the %.0f s this stream waited.", bpid, holder, instance_kind_text(k),
				 bpid == ended ? grace_s : wait_s);
		log_error_dh(detail, "Stop the other daemon first (systemctl stop stream@NAME, or kill its pid).",
					 "another stream for database \"%s\" is running against this sink", db);
		return false;
	}
}
