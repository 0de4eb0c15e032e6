/*
 * The binlog retention watch (the estimate and its bound are explained in
 * retention.h). A check is two statements on a connection the caller
 * provides: the source's clock with its retention settings, and SHOW
 * BINARY LOGS (the needed file still there? the active one?). It keeps
 * what it learnt between checks: when the needed file was last seen active.
 */
#include "stream/retention.h"

#include "common/log.h"
#include "common/maria.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_EVERY_RUNNING_S   60
#define CHECK_EVERY_OUTAGE_S    5
#define WARN_EVERY_S            60

/* mono_s: monotonic seconds (rate limits only) */
static double
mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* file_cmp: binlog file order (by numeric suffix) of two file names */
static int
file_cmp(const char *a, const char *b)
{
	binlogpos pa = { .pos = 0 }, pb = { .pos = 0 };
	snprintf(pa.file, sizeof(pa.file), "%s", a);
	snprintf(pb.file, sizeof(pb.file), "%s", b);
	return binlogpos_cmp(&pa, &pb);
}

void
retention_duration(long long secs, char *out, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(out, len, "%llds", secs);
	else if (secs < 3600)
		snprintf(out, len, "%lldm%02llds", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(out, len, "%lldh%02lldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(out, len, "%lldd%02lldh", secs / 86400, secs % 86400 / 3600);
}

void
retention_committed(retention *rt, const char *file, uint32_t ts)
{
	if (ts == 0 || !file || !file[0])
		return;     /* no transaction in this commit: the earlier bound stands */
	snprintf(rt->ts_file, sizeof(rt->ts_file), "%s", file);
	rt->ts = ts;
}

bool
retention_due(const retention *rt, bool outage)
{
	return rt->last_check == 0 ||
		mono_s() - rt->last_check >= (outage ? CHECK_EVERY_OUTAGE_S : CHECK_EVERY_RUNNING_S);
}

/* source_settings: the source's clock and retention in seconds (0 = never);
 * MySQL 8 uses expire_logs_days when binlog_expire_logs_seconds is 0,
 * MariaDB links the two, servers before MariaDB 10.6 have only the days */
static bool
source_settings(MYSQL *my, long long *now, long long *keep)
{
	bool ok = false;

	if (mysql_query(my, "SELECT UNIX_TIMESTAMP(), @@global.binlog_expire_logs_seconds, @@global.expire_logs_days") != 0 &&
		mysql_query(my, "SELECT UNIX_TIMESTAMP(), 0, @@global.expire_logs_days") != 0) {
		log_debug("retention watch: could not read the source's retention: %s", mysql_error(my));
		return false;
	}
	MYSQL_RES *res = mysql_store_result(my);
	MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
	if (row && row[0] && row[1] && row[2]) {
		*now = strtoll(row[0], NULL, 10);
		*keep = strtoll(row[1], NULL, 10);
		if (*keep == 0)
			*keep = (long long) (strtod(row[2], NULL) * 86400.0);
		ok = *now > 0;
	}
	if (res)
		mysql_free_result(res);
	if (!ok)
		log_debug("retention watch: unexpected answer to the retention query");
	return ok;
}

/* binlog_files: whether file is on the source, and the active (last) file */
static bool
binlog_files(MYSQL *my, const char *file, bool *found, char *active, size_t len)
{
	maria_binlog *logs;
	size_t n;
	char errbuf[512];

	*found = false;
	active[0] = '\0';
	if (!maria_binlogs(my, &logs, &n, errbuf, sizeof(errbuf))) {
		log_debug("retention watch: %s", errbuf);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		*found = *found || strcmp(logs[i].file, file) == 0;
	if (n > 0)
		snprintf(active, len, "%s", logs[n - 1].file);
	free(logs);
	return active[0] != '\0';
}

void
retention_check(retention *rt, MYSQL *my, const char *database, const binlogpos *needed, bool outage)
{
	long long now, keep;
	char active[256];
	bool found;

	rt->last_check = mono_s();
	if (!my || !needed->file[0] || !source_settings(my, &now, &keep))
		return;
	if (keep <= 0) {
		if (!rt->never_logged)
			log_debug("the source of database \"%s\" never expires its binary logs (binlog_expire_logs_seconds 0)",
					  database);
		rt->never_logged = true;
		return;
	}
	if (!binlog_files(my, needed->file, &found, active, sizeof(active)))
		return;
	if (!found) {
		if (!rt->gone_logged)
			log_error_dh("The stream must continue there; starting anywhere else would lose the changes in between.",
						 "Copy the tables again with migrate --database NAME --tables all, then start stream; raise "
						 "binlog_expire_logs_seconds on the source so this does not recur.",
						 "binary log %s of database \"%s\", which the stream still needs from position %" PRIu64
						 ", has been purged on the source", needed->file, database, needed->pos);
		rt->gone_logged = true;
		return;
	}
	rt->gone_logged = false;
	if (strcmp(active, needed->file) == 0) {
		/* being written: not purged now, and not before keep after its rotation */
		snprintf(rt->active_file, sizeof(rt->active_file), "%s", active);
		rt->active_seen = now;
		if (rt->warned)
			log_info("binary log %s of database \"%s\" is out of the source's expiry again (the stream reads the "
					 "active file)", needed->file, database);
		rt->warned = false;
		return;
	}
	/* the needed file's last write was no earlier than ref */
	long long ref = 0;
	if (rt->ts && file_cmp(needed->file, rt->ts_file) >= 0)
		ref = rt->ts;
	if (strcmp(rt->active_file, needed->file) == 0 && rt->active_seen > ref)
		ref = rt->active_seen;
	if (ref == 0) {
		log_debug("retention watch: the age of binary log %s of database \"%s\" is not known yet", needed->file,
				  database);
		return;
	}
	long long age = now > ref ? now - ref : 0;
	long long left = keep - age;
	char sage[32], skeep[32], sleft[32];
	retention_duration(age, sage, sizeof(sage));
	retention_duration(keep, skeep, sizeof(skeep));
	retention_duration(left, sleft, sizeof(sleft));
	if (age * 2 < keep) {
		if (rt->warned)
			log_info("binary log retention of database \"%s\" is no longer short: the stream is %s behind, the source "
					 "keeps binary logs for %s", database, sage, skeep);
		rt->warned = false;
		return;
	}
	double t = mono_s();
	if (rt->warned && t - rt->last_warning < WARN_EVERY_S)
		return;
	rt->warned = true;
	rt->last_warning = t;
	char detail[768], when[96];
	snprintf(detail, sizeof(detail), "The stream resumes at %s:%" PRIu64 " (the source's active binary log is %s). "
			 "MariaDB purges a binary log at a rotation once its last write is older than the retention; if %s goes, "
			 "the stream cannot continue and the tables must be copied again with migrate.",
			 needed->file, needed->pos, active, needed->file);
	if (left > 0)
		snprintf(when, sizeof(when), "in %s at the earliest", sleft);
	else
		snprintf(when, sizeof(when), "at the source's next binary log rotation");
	log_warning_dh(detail, outage ?
				   "Bring the PostgreSQL sink back so the stream can catch up, or raise binlog_expire_logs_seconds on "
				   "the source (SET GLOBAL, and in my.cnf) to buy time." :
				   "The stream is falling behind: raise binlog_expire_logs_seconds on the source (SET GLOBAL, and in "
				   "my.cnf), or find what slows the PostgreSQL sink.",
				   "binary log retention is short for database \"%s\": the stream is %s behind, the source keeps "
				   "binary logs for %s, so %s may be purged %s", database, sage, skeep, needed->file, when);
}
