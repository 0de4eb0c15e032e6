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
 * Never pass a password or a full connection string to these functions.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>

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
/* log_set_hooks: called under the log mutex around every message */
void log_set_hooks(void (*before)(void), void (*after)(void));
void log_lock(void);
void log_unlock(void);

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
