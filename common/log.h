/*
 * One logging family for both binaries.
 *
 * Messages follow PostgreSQL's style: a short factual primary line, then an
 * optional DETAIL (which table, column, key) and HINT (what to do). A message
 * is formatted whole and written with one call under a mutex, so lines from
 * worker threads never interleave. The level is tested before arguments are
 * evaluated (the macros). A live progress display on a terminal registers
 * hooks so that it is erased before a log line and redrawn after it.
 *
 * Two formats: text (above; the default) and json (--log-format json): one
 * JSON object per line with "time" (UTC, ISO 8601 with milliseconds),
 * "level", "program", and when known "database", "table" (the table the
 * thread is working on) and "position" (the binlog position up to which the
 * stream's batches are closed), then "message" and, when present, "detail"
 * and "hint".
 *
 * Never pass a password or a full connection string to these functions.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO,
	LOG_NOTICE,
	LOG_WARNING,
	LOG_ERROR,
	LOG_FATAL
} log_level;

extern log_level log_min_level;

/* log_parse_level: "debug", "info", "notice", "warning", "error" */
bool log_parse_level(const char *s, log_level *out);
void log_set_prefix(const char *prefix);

typedef enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON } log_format;
/* log_parse_format: "text" or "json" */
bool log_parse_format(const char *s, log_format *out);
void log_set_format(log_format f);
log_format log_get_format(void);
/* log_level_option, log_format_option: --log-level ARG, --log-format ARG
 * (log the error for a bad one) */
bool log_level_option(const char *arg);
bool log_format_option(const char *arg);
/* log_format_from_env: the environment's LOG_FORMAT, when valid and the
 * command line did not set one, from the first line on (before .env is read;
 * log_settings checks it then) */
void log_format_from_env(bool given);
/* log_settings: applies LOG_LEVEL and LOG_FORMAT (the values of those
 * settings, NULL when unset) unless the command line set them; false with
 * errbuf naming the setting for a bad value */
bool log_settings(const char *level, bool level_given, const char *format, bool format_given,
				  char *errbuf, size_t errlen);
/* log_set_database: the source database of every line (process-wide) */
void log_set_database(const char *name);
/* log_set_table, log_set_position: the calling thread's current table and
 * binlog position ("file:pos"), for its json lines; NULL clears */
void log_set_table(const char *table);
void log_set_position(const char *position);
/* log_set_hooks: called under the log mutex around every message */
void log_set_hooks(void (*before)(void), void (*after)(void));
void log_lock(void);
void log_unlock(void);

/* log_count: messages of level written so far (for the metrics) */
unsigned long long log_count(log_level level);

/* log_write: detail and hint may be NULL */
void log_write(log_level level, const char *detail, const char *hint,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_enabled(lvl) ((lvl) >= log_min_level)
#define LOG_AT(lvl, detail, hint, ...) \
	do { if (log_enabled(lvl)) log_write((lvl), (detail), (hint), __VA_ARGS__); } while (0)

#define log_debug(...)   LOG_AT(LOG_DEBUG, NULL, NULL, __VA_ARGS__)
#define log_info(...)    LOG_AT(LOG_INFO, NULL, NULL, __VA_ARGS__)
#define log_notice(...)  LOG_AT(LOG_NOTICE, NULL, NULL, __VA_ARGS__)
#define log_warning(...) LOG_AT(LOG_WARNING, NULL, NULL, __VA_ARGS__)
#define log_error(...)   LOG_AT(LOG_ERROR, NULL, NULL, __VA_ARGS__)
/* with a detail and/or hint line */
#define log_warning_dh(detail, hint, ...) LOG_AT(LOG_WARNING, detail, hint, __VA_ARGS__)
#define log_error_dh(detail, hint, ...)   LOG_AT(LOG_ERROR, detail, hint, __VA_ARGS__)

#endif
