/*
 * Logging: see log.h. Each message is built in a local buffer (time, level,
 * primary line, DETAIL, HINT) and written to stderr in one fwrite while the
 * mutex is held; the optional hooks let a live display step aside.
 */
#include "common/log.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

log_level log_min_level = LOG_INFO;

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static void (*hook_before)(void);
static void (*hook_after)(void);
static char log_prefix[64];

static const char *const level_names[] = {
	"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "FATAL"
};

bool
log_parse_level(const char *s, log_level *out)
{
	for (int i = LOG_DEBUG; i <= LOG_ERROR; i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (log_level) i;
			return true;
		}
	}
	if (strcasecmp(s, "warn") == 0) {
		*out = LOG_WARNING;
		return true;
	}
	return false;
}

void
log_set_prefix(const char *prefix)
{
	snprintf(log_prefix, sizeof(log_prefix), "%s", prefix ? prefix : "");
}

void
log_set_hooks(void (*before)(void), void (*after)(void))
{
	pthread_mutex_lock(&log_mutex);
	hook_before = before;
	hook_after = after;
	pthread_mutex_unlock(&log_mutex);
}

void
log_lock(void)
{
	pthread_mutex_lock(&log_mutex);
}

void
log_unlock(void)
{
	pthread_mutex_unlock(&log_mutex);
}

void
log_write(log_level level, const char *detail, const char *hint, const char *fmt, ...)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	buf line = BUF_INIT;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	buf_printf(&line, "%s.%03ld %s%s%s: ", stamp, ts.tv_nsec / 1000000,
			   log_prefix, log_prefix[0] ? " " : "", level_names[level]);
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	buf_putc(&line, '\n');
	if (detail && detail[0])
		buf_printf(&line, "DETAIL:  %s\n", detail);
	if (hint && hint[0])
		buf_printf(&line, "HINT:  %s\n", hint);

	pthread_mutex_lock(&log_mutex);
	if (hook_before)
		hook_before();
	fwrite(line.data, 1, line.len, stderr);
	fflush(stderr);
	if (hook_after)
		hook_after();
	pthread_mutex_unlock(&log_mutex);
	buf_free(&line);
}
