/*
 * Metrics in Prometheus' text exposition format, served over HTTP.
 *
 * Three layers. The registry holds metric families (counter, gauge,
 * histogram with fixed buckets), each with label names, and their series
 * (one per combination of label values); every value change and the
 * rendering take the registry's mutex, so any thread may count. Series are
 * never freed before the registry, so a caller may keep the handle that
 * metrics_series_get returns. Collectors are callbacks run just before each
 * rendering, for values that are cheaper to read when scraped than to push
 * (a clock, counters another module keeps). This layer never prints.
 *
 * The server (libmicrohttpd, its own thread) answers GET (and HEAD)
 * /metrics with the rendered registry; any other path is 404, any other
 * method 405. Its socket is opened here, so that a bind failure says which
 * address and why.
 *
 * Over that, the process-wide metrics of the two binaries: metrics_start
 * reads --metrics-address, NAME_METRICS_ADDRESS or METRICS_ADDRESS and serves the default
 * registry; the metrics_stream_* and metrics_migrate_* hooks are one-line
 * calls from the places where the work is counted anyway. When metrics are
 * off the hooks cost one branch. Every series carries the source database
 * as label "database"; label values are table names and kinds, never a
 * connection string or anything secret.
 */
#ifndef COMMON_METRICS_H
#define COMMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <mysql.h>

#include "common/binlog.h"
#include "common/binlogpos.h"
#include "common/config.h"
#include "common/plan.h"
#include "common/xalloc.h"

typedef struct metrics_registry metrics_registry;
typedef struct metrics_family metrics_family;
typedef struct metrics_series metrics_series;
typedef struct metrics_server metrics_server;

typedef enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM
} metrics_type;

#define METRICS_MAX_LABELS 4

/* metrics_registry_new, metrics_registry_free: the caller owns the registry */
metrics_registry *metrics_registry_new(void);
void metrics_registry_free(metrics_registry *reg);

/*
 * metrics_family_new: a family named name (letters, digits, _ and :, not
 * starting with a digit) with help text and nlabels label names (letters,
 * digits and _; none starting with "__", none "le" for a histogram). For a
 * histogram, nbuckets strictly increasing finite upper bounds (+Inf is
 * added). NULL for a bad name, a name already registered, or bad buckets.
 * A family without labels has its one series from the start, except a
 * gauge, which has none until it is first set (an unknown value is absent,
 * not 0).
 */
metrics_family *metrics_family_new(metrics_registry *reg, metrics_type type, const char *name,
								   const char *help, size_t nlabels, const char *const *labels,
								   size_t nbuckets, const double *buckets);

/* metrics_series_get: the series of the label values (nlabels of them, as the
 * family's label names), created on first use; valid until the registry
 * is freed */
metrics_series *metrics_series_get(metrics_family *f, const char *const *values);

/* metrics_add: a counter grows by v (v < 0 is ignored) or a gauge moves by v */
void metrics_add(metrics_series *s, double v);
/* metrics_set: a gauge's value; a counter's only when higher (counters never go down) */
void metrics_set(metrics_series *s, double v);
/* metrics_unset: a gauge's value becomes unknown (the series is not rendered) */
void metrics_unset(metrics_series *s);
/* metrics_observe: one observation of a histogram */
void metrics_observe(metrics_series *s, double v);

/* metrics_collector: called before each rendering, outside the registry's
 * mutex (it sets values through the functions above) */
typedef void (*metrics_collector)(metrics_registry *reg, void *ctx);
/* metrics_on_collect: adds fn; metrics_off_collect removes it and returns
 * only when no rendering is running it */
void metrics_on_collect(metrics_registry *reg, metrics_collector fn, void *ctx);
void metrics_off_collect(metrics_registry *reg, metrics_collector fn, void *ctx);

/* metrics_render: runs the collectors, then appends the text format
 * (HELP, TYPE, then the samples of each family, in registration order) */
void metrics_render(metrics_registry *reg, buf *out);

/* metrics_format_double: a sample value as the text format writes it: the
 * shortest decimal that reads back exactly, +Inf, -Inf or NaN */
void metrics_format_double(double v, char *out, size_t outlen);

/*
 * metrics_address: where to serve. metrics_address_parse reads "PORT",
 * ":PORT", "HOST:PORT" or "[IPV6]:PORT" (HOST 127.0.0.1 when only a port is
 * given; port 0 lets the kernel choose) and resolves HOST. "" and "off"
 * mean no server (*off true). False with errbuf for a value that names no
 * address.
 */
typedef struct metrics_address {
	char        host[256];      /* as given, or 127.0.0.1 */
	unsigned    port;
	struct sockaddr_storage sa; /* resolved */
	socklen_t   salen;
	bool        loopback;       /* 127.0.0.0/8 or ::1 */
} metrics_address;

bool metrics_address_parse(const char *s, metrics_address *a, bool *off, char *errbuf, size_t errlen);

/* metrics_server_start: listens on a and serves reg from a thread; NULL
 * with errbuf naming the address when it cannot listen. *port gets the
 * port listened on (the kernel's choice for port 0). */
metrics_server *metrics_server_start(metrics_registry *reg, const metrics_address *a, unsigned *port,
									 char *errbuf, size_t errlen);
void metrics_server_stop(metrics_server *srv);

/* --- the process-wide metrics of migrate and stream ------------------------ */

/*
 * metrics_start: serves the default registry when option (--metrics-address,
 * may be NULL), else the setting NAME_METRICS_ADDRESS of the database cfg
 * loaded, else METRICS_ADDRESS names an address;
 * program is "stream" or "migrate", database the source database. Logs
 * where it serves (a notice when not on loopback). Returns 0 when serving
 * or off, 2 for a bad value, 1 when it cannot listen (logged).
 */
int metrics_start(const config *cfg, const char *option, const char *program, const char *database);
/* metrics_stop: stops the server (and forgets the migrate tables) */
void metrics_stop(void);
/* metrics_enabled: whether metrics_start started a server */
bool metrics_enabled(void);
/* metrics_default: the process-wide registry (NULL when metrics are off) */
metrics_registry *metrics_default(void);

/* metrics_now: seconds on the monotonic clock, for durations */
double metrics_now(void);

/* metrics_stream_rows: row changes of table committed to PostgreSQL */
void metrics_stream_rows(const char *table, long long inserted, long long updated, long long deleted);
/* metrics_stream_batch: a committed batch of rows row changes that took
 * seconds to apply and commit; everything the stream had read is applied */
void metrics_stream_batch(long long rows, double seconds);
/* metrics_stream_checkpoint: the checkpoint moved to pos (ts: the source
 * commit time of its last transaction, seconds since the epoch, 0 unknown) */
void metrics_stream_checkpoint(const binlogpos *pos, uint32_t ts);
/* metrics_stream_read: a source transaction (or message) of commit time ts
 * was read */
void metrics_stream_read(uint32_t ts);
/* metrics_stream_idle: the source has nothing more for now (a heartbeat,
 * or no message within the poll) */
void metrics_stream_idle(void);
/* metrics_stream_poll_source: every few seconds, reads the source's binary
 * log sizes on my (the caller's introspection connection) for the lag in
 * bytes; returns at once in between */
void metrics_stream_poll_source(MYSQL *my);
/* metrics_stream_published: nrows row changes of table handed to Kafka */
void metrics_stream_published(const char *table, binlog_rows_kind kind, size_t nrows);
/* metrics_stream_acknowledged: Kafka acknowledged one event */
void metrics_stream_acknowledged(void);
/* metrics_stream_consumed: one message consumed from Kafka */
void metrics_stream_consumed(void);
/* metrics_stream_dead_letter: one message set aside as a dead letter */
void metrics_stream_dead_letter(void);
/* metrics_stream_reconnect: the stream starts again after a failure */
void metrics_stream_reconnect(void);

/* metrics_stream_copy: the progress of the daemon's online copy of table:
 * its phase (queued, copying, indexing, ready, failed), rows sent, the
 * source's estimate, seconds since it started */
void metrics_stream_copy(const char *table, const char *phase, long long rows, long long est_rows, double seconds);
/* metrics_stream_copy_done: an online copy of table finished (ok: ready) */
void metrics_stream_copy_done(const char *table, bool ok);
/* metrics_stream_recopy: table is copied again online (a change the
 * stream could not carry) */
void metrics_stream_recopy(const char *table);
/* metrics_stream_kafka_skipped: --from kafka skipped an event of table
 * that comes before its watermark */
void metrics_stream_kafka_skipped(const char *table);
/* metrics_stream_missing: how many allowlisted tables the source lacks */
void metrics_stream_missing(long long n);

/* metrics_migrate_tables: the tables migrate copies (their progress is
 * read when scraped; those the copy skipped are left out); NULL stops
 * reading them (before the run is freed) */
struct copy_run;
void metrics_migrate_tables(const struct copy_run *run);

#endif
