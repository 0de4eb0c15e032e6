/*
 * A stream's mark and what an earlier one's says; see instance.h.
 *
 * Whether a process is gone: kill(pid, 0) fails with ESRCH; a zombie (ended,
 * not yet reaped by its parent) counts as gone, and so does a live process
 * of another program (the pid was used again), both read from
 * /proc/PID/stat where there is one. Without /proc a live pid counts as the
 * stream, which at worst makes the caller wait for it.
 */
#include "stream/instance.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* host_name: this machine's name, read once ("" when it has none) */
static const char *
host_name(void)
{
	static char name[256];
	static bool read;

	if (!read) {
		if (gethostname(name, sizeof(name) - 1) != 0)
			name[0] = '\0';
		name[sizeof(name) - 1] = '\0';
		read = true;
	}
	return name;
}

void
instance_mark(const char *role, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s[%ld]@%s %s", role, (long) getpid(), host_name(), name);
}

/* proc_stat: the command name and state letter of pid from /proc/PID/stat;
 * false when there is no such file */
static bool
proc_stat(long pid, char *comm, size_t commlen, char *state)
{
	char path[64], line[512];
	FILE *f;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/stat");
	if (!(f = fopen(path, "r")))
		return false;
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	/* "PID (COMM) S ...": COMM may itself hold parentheses */
	char *open = strchr(line, '('), *close = strrchr(line, ')');
	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return false;
	snprintf(comm, commlen, "%.*s", (int) (close - open - 1), open + 1);
	*state = close[2];
	return true;
}

/* process_runs: whether pid is a live process of this same program */
static bool
process_runs(long pid)
{
	char comm[64], mine[64], state, mystate;

	if (kill((pid_t) pid, 0) != 0 && errno == ESRCH)
		return false;
	if (!proc_stat(pid, comm, sizeof(comm), &state))
		return true;
	if (state == 'Z' || state == 'X' || state == 'x')
		return false;
	return !proc_stat(0, mine, sizeof(mine), &mystate) || strcmp(comm, mine) == 0;
}

/* same_host: whether host (hlen bytes; possibly cut short) names this one */
static bool
same_host(const char *host, size_t hlen, bool cut)
{
	const char *me = host_name();
	size_t mlen = strlen(me);

	if (hlen == mlen)
		return strncmp(host, me, hlen) == 0;
	return cut && hlen < mlen && strncmp(host, me, hlen) == 0;
}

instance_kind
instance_classify(const char *mark, const char *role, const char *name, size_t cut_at, pid_t *pid)
{
	bool cut = cut_at > 0 && strlen(mark) >= cut_at;
	const char *br = strchr(mark, '[');

	*pid = 0;
	if (!br) {
		/* an older version's marks: the role alone as the application
		 * name, "stream-NAME" as the report host */
		if (role && strcmp(mark, role) == 0)
			return INSTANCE_ELSEWHERE;
		if (name && strncmp(mark, "stream-", 7) == 0 && strcmp(mark + 7, name) == 0)
			return INSTANCE_ELSEWHERE;
		return INSTANCE_FOREIGN;
	}
	size_t rlen = (size_t) (br - mark);
	if (role && (strlen(role) != rlen || strncmp(mark, role, rlen) != 0))
		return INSTANCE_FOREIGN;
	char *end;
	errno = 0;
	long p = strtol(br + 1, &end, 10);
	if (errno || end == br + 1 || end[0] != ']' || end[1] != '@' || p <= 0 || p > INT_MAX)
		return INSTANCE_FOREIGN;
	const char *host = end + 2, *sp = strchr(host, ' ');
	size_t hlen = sp ? (size_t) (sp - host) : strlen(host);
	if (name && sp) {
		const char *n = sp + 1;
		if (cut ? strncmp(n, name, strlen(n)) != 0 : strcmp(n, name) != 0)
			return INSTANCE_FOREIGN;
	} else if (name && !cut)
		return INSTANCE_FOREIGN;
	*pid = (pid_t) p;
	if (!same_host(host, hlen, cut && !sp))
		return INSTANCE_ELSEWHERE;
	if (p == (long) getpid())
		return INSTANCE_SELF;
	return process_runs(p) ? INSTANCE_ALIVE : INSTANCE_ENDED;
}

const char *
instance_kind_text(instance_kind k)
{
	switch (k) {
		case INSTANCE_FOREIGN: return "not a stream of this database";
		case INSTANCE_SELF: return "this process";
		case INSTANCE_ENDED: return "ended";
		case INSTANCE_ALIVE: return "still running";
		case INSTANCE_ELSEWHERE: return "on another host, or of an older version";
	}
	return "?";
}

/* mono_now: monotonic seconds */
static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

void
instance_wait_begin(instance_wait *w, double seconds, volatile sig_atomic_t *stop)
{
	w->until = mono_now() + seconds;
	w->stop = stop;
	w->announced = false;
}

bool
instance_wait_stopped(const instance_wait *w)
{
	return w->stop && *w->stop;
}

bool
instance_wait_more(instance_wait *w)
{
	double left = w->until - mono_now();

	if (left <= 0 || instance_wait_stopped(w))
		return false;
	double nap = left < 0.25 ? left : 0.25;
	struct timespec ts = { 0, (long) (nap * 1e9) };
	/* a signal ends the nap early; the caller looks again at once */
	nanosleep(&ts, NULL);
	return !instance_wait_stopped(w);
}
