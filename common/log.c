/*
 * Logging: see log.h. Each message is built in a local buffer (time, level,
 * primary line, DETAIL, HINT) and written to stderr in one fwrite while the
 * mutex is held; the optional hooks let a live display step aside.
 */
#include "common/log.h"
#include "common/xalloc.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

log_level log_min_level = LOG_INFO;

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static void (*hook_before)(void);
static void (*hook_after)(void);
static char log_prefix[64];
static log_format log_fmt = LOG_FORMAT_TEXT;
static char log_database[128];
static _Thread_local char log_table[256];
static _Thread_local char log_position[320];
static atomic_ullong log_counts[LOG_FATAL + 1];     /* messages written, per level */

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

bool
log_parse_format(const char *s, log_format *out)
{
	if (strcasecmp(s, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else if (strcasecmp(s, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return false;
	return true;
}

void
log_set_format(log_format f)
{
	log_fmt = f;
}

log_format
log_get_format(void)
{
	return log_fmt;
}

bool
log_level_option(const char *arg)
{
	if (!log_parse_level(arg, &log_min_level)) {
		log_error("invalid value \"%s\" for --log-level: expected debug, info, notice, warning or error", arg);
		return false;
	}
	return true;
}

bool
log_format_option(const char *arg)
{
	log_format f;

	if (!log_parse_format(arg, &f)) {
		log_error("invalid value \"%s\" for --log-format: expected text or json", arg);
		return false;
	}
	log_fmt = f;
	return true;
}

void
log_format_from_env(bool given)
{
	const char *v = getenv("LOG_FORMAT");
	log_format f;

	if (v && !given && log_parse_format(v, &f))
		log_fmt = f;
}

bool
log_settings(const char *level, bool level_given, const char *format, bool format_given, char *errbuf,
			 size_t errlen)
{
	log_format f;

	if (level && !level_given && !log_parse_level(level, &log_min_level)) {
		snprintf(errbuf, errlen, "invalid LOG_LEVEL \"%s\": expected debug, info, notice, warning or error", level);
		return false;
	}
	if (format && !format_given) {
		if (!log_parse_format(format, &f)) {
			snprintf(errbuf, errlen, "invalid LOG_FORMAT \"%s\": expected text or json", format);
			return false;
		}
		log_fmt = f;
	}
	return true;
}

void
log_set_database(const char *name)
{
	snprintf(log_database, sizeof(log_database), "%s", name ? name : "");
}

void
log_set_table(const char *table)
{
	snprintf(log_table, sizeof(log_table), "%s", table ? table : "");
}

void
log_set_position(const char *position)
{
	snprintf(log_position, sizeof(log_position), "%s", position ? position : "");
}

/* json_text: a JSON string of s; when s is not valid UTF-8 its non-ASCII
 * bytes become '?' (a log line must never be lost to its contents) */
static json_t *
json_text(const char *s)
{
	json_t *j = json_string(s);

	if (!j) {
		char *copy = xstrdup(s);
		for (char *p = copy; *p; p++)
			if ((unsigned char) *p >= 0x80)
				*p = '?';
		j = json_string(copy);
		free(copy);
	}
	return j;
}

/* json_line: the message as one JSON object and a newline */
static void
json_line(buf *line, const struct timespec *ts, log_level level, const char *msg, const char *detail,
		  const char *hint)
{
	static const char *const lower[] = { "debug", "info", "notice", "warning", "error", "fatal" };
	char stamp[40];
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%03ldZ", ts->tv_nsec / 1000000);
	json_t *o = json_object();
	json_object_set_new(o, "time", json_string(stamp));
	json_object_set_new(o, "level", json_string(lower[level]));
	if (log_prefix[0])
		json_object_set_new(o, "program", json_text(log_prefix));
	if (log_database[0])
		json_object_set_new(o, "database", json_text(log_database));
	if (log_table[0])
		json_object_set_new(o, "table", json_text(log_table));
	if (log_position[0])
		json_object_set_new(o, "position", json_text(log_position));
	json_object_set_new(o, "message", json_text(msg));
	if (detail && detail[0])
		json_object_set_new(o, "detail", json_text(detail));
	if (hint && hint[0])
		json_object_set_new(o, "hint", json_text(hint));
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text) {
		buf_puts(line, text);
		buf_putc(line, '\n');
		free(text);
	}
	json_decref(o);
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

	atomic_fetch_add(&log_counts[level], 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (log_fmt == LOG_FORMAT_JSON) {
		buf msg = BUF_INIT;
		va_start(ap, fmt);
		buf_vprintf(&msg, fmt, ap);
		va_end(ap);
		json_line(&line, &ts, level, msg.data ? msg.data : "", detail, hint);
		buf_free(&msg);
		goto write;
	}
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
write:
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

unsigned long long
log_count(log_level level)
{
	return atomic_load(&log_counts[level]);
}
