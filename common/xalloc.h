/*
 * Allocation that never returns NULL, and a growable byte buffer.
 *
 * xmalloc and friends print one line and exit on out-of-memory: there is no
 * useful recovery for a copy tool at that point, and checking every call site
 * would hide the real logic. The buffer (buf) is the unit of reuse on hot
 * paths: reset it between rows or batches instead of freeing it.
 */
#ifndef COMMON_XALLOC_H
#define COMMON_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xstrdup: returns a heap copy the caller frees; NULL stays NULL */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf: returns a heap string the caller frees */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct buf {
	char   *data;               /* always NUL-terminated when cap > 0 */
	size_t  len;                /* bytes used, not counting the NUL */
	size_t  cap;                /* bytes allocated */
} buf;

#define BUF_INIT { NULL, 0, 0 }

void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* buf_reset: keeps the memory, forgets the contents */
void buf_reset(buf *b);
void buf_free(buf *b);
/* buf_cstr: the contents as a C string ("" for an empty buffer) */
const char *buf_cstr(buf *b);

#endif
