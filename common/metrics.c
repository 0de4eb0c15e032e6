/*
 * Metrics: see metrics.h for the layers.
 *
 * The registry is a list of families, each a list of series; lookups are
 * linear (a stream has a few hundred series at most, and hooks run per
 * batch, not per row). Histogram series keep per-bucket counts and
 * accumulate them when rendered. Rendering holds the collectors' mutex for
 * its whole length, so metrics_off_collect can wait for a running one; the
 * registry's mutex is taken for the values only, never while a collector
 * runs.
 *
 * The process-wide part keeps the families of one binary in a static
 * struct. The lag of the stream is worked out when scraped from what the
 * hooks note: the commit time of the oldest source transaction read but not
 * yet applied (its age is the lag); else, while idle with nothing
 * outstanding (a heartbeat), 0; else the time since the stream last knew
 * everything was applied (the commit time of the last applied transaction,
 * or the last idle moment, whichever is later: after a reconnect the lag
 * grows until the source is read again). The lag
 * in bytes is the source's binary logs past the checkpoint, read with SHOW
 * BINARY LOGS every few seconds by the stream's own thread (the connection
 * is not ours to use from the server's thread).
 */
#include "common/metrics.h"

#include "common/copy.h"
#include "common/log.h"
#include "common/maria.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SOURCE_POLL_SECONDS 5.0     /* how often the lag in bytes is measured */

struct metrics_series {
	metrics_family *fam;
	char       *values[METRICS_MAX_LABELS];
	bool        present;        /* rendered (a gauge may be unknown) */
	double      value;          /* counter, gauge */
	uint64_t   *counts;         /* histogram: per bucket, +Inf last; not cumulative */
	double      sum;
	uint64_t    count;
};

struct metrics_family {
	metrics_registry *reg;
	metrics_type type;
	char       *name;
	char       *help;
	size_t      nlabels;
	char       *labels[METRICS_MAX_LABELS];
	size_t      nbuckets;       /* finite bounds; counts has nbuckets + 1 */
	double     *buckets;
	metrics_series **series;
	size_t      nseries;
};

typedef struct collector {
	metrics_collector fn;
	void       *ctx;
} collector;

struct metrics_registry {
	pthread_mutex_t mu;         /* families, series and values */
	pthread_mutex_t collect_mu; /* the collectors; held through a rendering */
	metrics_family **fams;
	size_t      nfams;
	collector  *coll;
	size_t      ncoll;
};

/* valid_name: a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), or a label name
 * when colon is false */
static bool
valid_name(const char *s, bool colon)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			  (colon && c == ':')))
			return false;
	}
	return true;
}

metrics_registry *
metrics_registry_new(void)
{
	metrics_registry *reg = xcalloc(1, sizeof(metrics_registry));

	pthread_mutex_init(&reg->mu, NULL);
	pthread_mutex_init(&reg->collect_mu, NULL);
	return reg;
}

void
metrics_registry_free(metrics_registry *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->nfams; i++) {
		metrics_family *f = reg->fams[i];
		for (size_t j = 0; j < f->nseries; j++) {
			for (size_t k = 0; k < f->nlabels; k++)
				free(f->series[j]->values[k]);
			free(f->series[j]->counts);
			free(f->series[j]);
		}
		for (size_t k = 0; k < f->nlabels; k++)
			free(f->labels[k]);
		free(f->series);
		free(f->buckets);
		free(f->name);
		free(f->help);
		free(f);
	}
	free(reg->fams);
	free(reg->coll);
	pthread_mutex_destroy(&reg->mu);
	pthread_mutex_destroy(&reg->collect_mu);
	free(reg);
}

/* series_new: a series of f with these label values; under reg->mu */
static metrics_series *
series_new(metrics_family *f, const char *const *values)
{
	metrics_series *s = xcalloc(1, sizeof(metrics_series));

	s->fam = f;
	for (size_t k = 0; k < f->nlabels; k++)
		s->values[k] = xstrdup(values[k] ? values[k] : "");
	if (f->type == METRICS_HISTOGRAM)
		s->counts = xcalloc(f->nbuckets + 1, sizeof(uint64_t));
	s->present = f->type != METRICS_GAUGE;
	f->series = xrealloc(f->series, (f->nseries + 1) * sizeof(metrics_series *));
	f->series[f->nseries++] = s;
	return s;
}

metrics_family *
metrics_family_new(metrics_registry *reg, metrics_type type, const char *name, const char *help,
				   size_t nlabels, const char *const *labels, size_t nbuckets, const double *buckets)
{
	if (!valid_name(name, true) || nlabels > METRICS_MAX_LABELS)
		return NULL;
	for (size_t k = 0; k < nlabels; k++) {
		if (!valid_name(labels[k], false) || strncmp(labels[k], "__", 2) == 0 ||
			(type == METRICS_HISTOGRAM && strcmp(labels[k], "le") == 0))
			return NULL;
		for (size_t j = 0; j < k; j++)
			if (strcmp(labels[j], labels[k]) == 0)
				return NULL;
	}
	if (type == METRICS_HISTOGRAM) {
		for (size_t b = 0; b < nbuckets; b++)
			if (!isfinite(buckets[b]) || (b > 0 && buckets[b] <= buckets[b - 1]))
				return NULL;
	} else
		nbuckets = 0;

	pthread_mutex_lock(&reg->mu);
	for (size_t i = 0; i < reg->nfams; i++) {
		if (strcmp(reg->fams[i]->name, name) == 0) {
			pthread_mutex_unlock(&reg->mu);
			return NULL;
		}
	}
	metrics_family *f = xcalloc(1, sizeof(metrics_family));
	f->reg = reg;
	f->type = type;
	f->name = xstrdup(name);
	f->help = xstrdup(help ? help : "");
	f->nlabels = nlabels;
	for (size_t k = 0; k < nlabels; k++)
		f->labels[k] = xstrdup(labels[k]);
	f->nbuckets = nbuckets;
	if (nbuckets) {
		f->buckets = xmalloc(nbuckets * sizeof(double));
		memcpy(f->buckets, buckets, nbuckets * sizeof(double));
	}
	if (nlabels == 0)
		(void) series_new(f, NULL);
	reg->fams = xrealloc(reg->fams, (reg->nfams + 1) * sizeof(metrics_family *));
	reg->fams[reg->nfams++] = f;
	pthread_mutex_unlock(&reg->mu);
	return f;
}

metrics_series *
metrics_series_get(metrics_family *f, const char *const *values)
{
	metrics_series *s = NULL;

	if (!f)
		return NULL;
	pthread_mutex_lock(&f->reg->mu);
	for (size_t i = 0; i < f->nseries && !s; i++) {
		bool same = true;
		for (size_t k = 0; k < f->nlabels && same; k++)
			same = strcmp(f->series[i]->values[k], values[k] ? values[k] : "") == 0;
		if (same)
			s = f->series[i];
	}
	if (!s)
		s = series_new(f, values);
	pthread_mutex_unlock(&f->reg->mu);
	return s;
}

void
metrics_add(metrics_series *s, double v)
{
	if (!s || s->fam->type == METRICS_HISTOGRAM || (s->fam->type == METRICS_COUNTER && !(v >= 0)))
		return;
	pthread_mutex_lock(&s->fam->reg->mu);
	s->value = (s->present ? s->value : 0) + v;
	s->present = true;
	pthread_mutex_unlock(&s->fam->reg->mu);
}

void
metrics_set(metrics_series *s, double v)
{
	if (!s || s->fam->type == METRICS_HISTOGRAM)
		return;
	pthread_mutex_lock(&s->fam->reg->mu);
	if (s->fam->type == METRICS_GAUGE || v > s->value)
		s->value = v;
	s->present = true;
	pthread_mutex_unlock(&s->fam->reg->mu);
}

void
metrics_unset(metrics_series *s)
{
	if (!s || s->fam->type != METRICS_GAUGE)
		return;
	pthread_mutex_lock(&s->fam->reg->mu);
	s->present = false;
	pthread_mutex_unlock(&s->fam->reg->mu);
}

void
metrics_observe(metrics_series *s, double v)
{
	if (!s || s->fam->type != METRICS_HISTOGRAM || isnan(v))
		return;
	metrics_family *f = s->fam;
	size_t b = 0;

	/* the first bucket whose upper bound holds v ("le": less or equal) */
	while (b < f->nbuckets && v > f->buckets[b])
		b++;
	pthread_mutex_lock(&f->reg->mu);
	s->counts[b]++;
	s->count++;
	s->sum += v;
	pthread_mutex_unlock(&f->reg->mu);
}

void
metrics_on_collect(metrics_registry *reg, metrics_collector fn, void *ctx)
{
	pthread_mutex_lock(&reg->collect_mu);
	reg->coll = xrealloc(reg->coll, (reg->ncoll + 1) * sizeof(collector));
	reg->coll[reg->ncoll++] = (collector) { fn, ctx };
	pthread_mutex_unlock(&reg->collect_mu);
}

void
metrics_off_collect(metrics_registry *reg, metrics_collector fn, void *ctx)
{
	pthread_mutex_lock(&reg->collect_mu);
	for (size_t i = 0; i < reg->ncoll; i++) {
		if (reg->coll[i].fn == fn && reg->coll[i].ctx == ctx) {
			memmove(&reg->coll[i], &reg->coll[i + 1], (reg->ncoll - i - 1) * sizeof(collector));
			reg->ncoll--;
			break;
		}
	}
	pthread_mutex_unlock(&reg->collect_mu);
}

void
metrics_format_double(double v, char *out, size_t outlen)
{
	if (isnan(v)) {
		snprintf(out, outlen, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, outlen, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* whole numbers as such (counters read better than 1.5e+06) */
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(out, outlen, "%.0f", v == 0 ? 0.0 : v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, outlen, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* escape: a label value (in_quotes: \\, " and newline escaped) or HELP
 * text (\\ and newline) */
static void
escape(buf *out, const char *s, bool in_quotes)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '"' && in_quotes)
			buf_puts(out, "\\\"");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *s);
	}
}

/* sample: one line "name{labels,extra} value"; extra is le="..." or NULL */
static void
sample(buf *out, const metrics_series *s, const char *suffix, const char *le, double v)
{
	const metrics_family *f = s->fam;
	char num[64];

	buf_puts(out, f->name);
	buf_puts(out, suffix);
	if (f->nlabels > 0 || le) {
		buf_putc(out, '{');
		for (size_t k = 0; k < f->nlabels; k++) {
			buf_printf(out, "%s%s=\"", k ? "," : "", f->labels[k]);
			escape(out, s->values[k], true);
			buf_putc(out, '"');
		}
		if (le)
			buf_printf(out, "%sle=\"%s\"", f->nlabels ? "," : "", le);
		buf_putc(out, '}');
	}
	metrics_format_double(v, num, sizeof(num));
	buf_printf(out, " %s\n", num);
}

void
metrics_render(metrics_registry *reg, buf *out)
{
	static const char *const type_names[] = { "counter", "gauge", "histogram" };

	pthread_mutex_lock(&reg->collect_mu);
	for (size_t i = 0; i < reg->ncoll; i++)
		reg->coll[i].fn(reg, reg->coll[i].ctx);
	pthread_mutex_lock(&reg->mu);
	for (size_t i = 0; i < reg->nfams; i++) {
		metrics_family *f = reg->fams[i];
		buf_printf(out, "# HELP %s ", f->name);
		escape(out, f->help, false);
		buf_printf(out, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
		for (size_t j = 0; j < f->nseries; j++) {
			const metrics_series *s = f->series[j];
			if (!s->present)
				continue;
			if (f->type != METRICS_HISTOGRAM) {
				sample(out, s, "", NULL, s->value);
				continue;
			}
			uint64_t cum = 0;
			char le[64];
			for (size_t b = 0; b < f->nbuckets; b++) {
				cum += s->counts[b];
				metrics_format_double(f->buckets[b], le, sizeof(le));
				sample(out, s, "_bucket", le, (double) cum);
			}
			sample(out, s, "_bucket", "+Inf", (double) s->count);
			sample(out, s, "_sum", NULL, s->sum);
			sample(out, s, "_count", NULL, (double) s->count);
		}
	}
	pthread_mutex_unlock(&reg->mu);
	pthread_mutex_unlock(&reg->collect_mu);
}

/* --- the address and the server ------------------------------------------- */

bool
metrics_address_parse(const char *s, metrics_address *a, bool *off, char *errbuf, size_t errlen)
{
	const char *port;
	size_t hostlen;
	const char *host;

	memset(a, 0, sizeof(*a));
	*off = false;
	if (s[0] == '\0' || strcmp(s, "off") == 0) {
		*off = true;
		return true;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':') {
			snprintf(errbuf, errlen, "expected [IPV6]:PORT, e.g. [::1]:9187");
			return false;
		}
		host = s + 1;
		hostlen = (size_t) (close - host);
		port = close + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon) {
			snprintf(errbuf, errlen, "an IPv6 address goes in brackets, e.g. [::1]:9187");
			return false;
		}
		host = s;
		hostlen = colon ? (size_t) (colon - s) : 0;
		port = colon ? colon + 1 : s;
	}
	if (!config_parse_port(port, &a->port)) {
		snprintf(errbuf, errlen, "expected PORT, :PORT or HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:9187");
		return false;
	}
	if (hostlen >= sizeof(a->host)) {
		snprintf(errbuf, errlen, "the host name is longer than %zu bytes", sizeof(a->host) - 1);
		return false;
	}
	if (hostlen == 0)
		snprintf(a->host, sizeof(a->host), "127.0.0.1");
	else
		snprintf(a->host, sizeof(a->host), "%.*s", (int) hostlen, host);

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(a->host, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(errbuf, errlen, "host \"%s\" does not resolve: %s", a->host,
				 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		if (res)
			freeaddrinfo(res);
		return false;
	}
	/* the first address, as a client connecting to the name would try it */
	memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
	a->salen = res->ai_addrlen;
	freeaddrinfo(res);
	if (a->sa.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *) &a->sa;
		in->sin_port = htons((uint16_t) a->port);
		a->loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (a->sa.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &a->sa;
		in6->sin6_port = htons((uint16_t) a->port);
		a->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	} else {
		snprintf(errbuf, errlen, "host \"%s\" is not an IPv4 or IPv6 address", a->host);
		return false;
	}
	return true;
}

struct metrics_server {
	struct MHD_Daemon *daemon;
	metrics_registry *reg;
	int         fd;
};

/* respond: queues a response of status with body text */
static enum MHD_Result
respond(struct MHD_Connection *c, unsigned status, const char *body, size_t len, bool must_free,
		const char *content_type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *) body,
		must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (must_free)
			free((void *) body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* handle: GET /metrics; the request body, if any, is not read */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
	   const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	static const char not_found[] = "not found; metrics are at /metrics\n";
	static const char not_allowed[] = "method not allowed; use GET\n";
	metrics_server *srv = cls;

	(void) version;
	(void) upload_data;
	(void) upload_data_size;
	(void) con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed, sizeof(not_allowed) - 1, false,
					   "text/plain; charset=utf-8");
	if (strcmp(url, "/metrics") != 0)
		return respond(c, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1, false,
					   "text/plain; charset=utf-8");

	buf out = BUF_INIT;
	metrics_render(srv->reg, &out);
	if (!out.data)
		buf_puts(&out, "");
	/* the buffer goes to libmicrohttpd, which frees it with free() */
	return respond(c, MHD_HTTP_OK, out.data, out.len, true, "text/plain; version=0.0.4; charset=utf-8");
}

metrics_server *
metrics_server_start(metrics_registry *reg, const metrics_address *a, unsigned *port, char *errbuf, size_t errlen)
{
	int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0) {
		snprintf(errbuf, errlen, "could not create a socket: %s", strerror(errno));
		return NULL;
	}
	/* a restart must not wait for the old connections' TIME_WAIT */
	(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *) &a->sa, a->salen) != 0 || listen(fd, 16) != 0) {
		snprintf(errbuf, errlen, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	struct sockaddr_storage got;
	socklen_t gotlen = sizeof(got);
	*port = a->port;
	if (getsockname(fd, (struct sockaddr *) &got, &gotlen) == 0)
		*port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &got)->sin6_port
					  : ((struct sockaddr_in *) &got)->sin_port);

	metrics_server *srv = xcalloc(1, sizeof(metrics_server));
	srv->reg = reg;
	srv->fd = fd;
	/* the server's thread takes no signals: the binaries' handlers must
	 * interrupt their own threads' sleeps */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	srv->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, handle, srv,
								   MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
								   MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 32,
								   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 10,
								   MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!srv->daemon) {
		snprintf(errbuf, errlen, "libmicrohttpd could not start its server");
		close(fd);
		free(srv);
		return NULL;
	}
	return srv;
}

void
metrics_server_stop(metrics_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	close(srv->fd);
	free(srv);
}

/* --- the metrics of migrate and stream ------------------------------------- */

static const double batch_buckets[] = { 1, 5, 10, 50, 100, 500, 1000, 5000, 10000, 50000, 100000, 1000000 };
static const double seconds_buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
										  10, 30, 60 };

static struct {
	metrics_registry *reg;
	metrics_server *srv;
	char        database[128];
	bool        stream;         /* stream's families, else migrate's */
	metrics_family *errors;
	/* stream */
	metrics_family *rows_applied, *rows_published;
	metrics_series *batch_rows, *apply_seconds, *ckpt_file, *ckpt_pos, *ckpt_ts, *lag_seconds, *lag_bytes;
	metrics_series *reconnects, *acknowledged, *consumed, *dead_letters, *missing;
	metrics_family *copy_rows, *copy_est, *copy_seconds, *copy_phase, *copies, *recopies, *kafka_skipped;
	pthread_mutex_t mu;         /* the lag state below (hooks and the collector) */
	uint32_t    oldest_ts;      /* commit time of the oldest transaction read, not applied; 0 none */
	uint32_t    newest_ts;      /* of the latest one read */
	uint32_t    applied_ts;     /* of the latest one applied */
	time_t      idle_ts;        /* when last idle with nothing outstanding */
	bool        caught_up;      /* idle with nothing outstanding, nothing read since */
	binlogpos   ckpt;           /* file "" until the first checkpoint */
	double      next_poll;
	/* migrate */
	metrics_family *rows_copied, *bytes_copied;
	const copy_run *run;        /* migrate's copy, NULL if none */
	size_t      ntables;
	metrics_series **t_rows, **t_bytes;     /* per table of run; NULL when skipped */
} m = { .mu = PTHREAD_MUTEX_INITIALIZER };

double
metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* db_series: the series of a family labelled with the database only */
static metrics_series *
db_series(metrics_type type, const char *name, const char *help, size_t nbuckets, const double *buckets)
{
	static const char *const labels[] = { "database" };
	const char *values[] = { m.database };

	return metrics_series_get(metrics_family_new(m.reg, type, name, help, 1, labels, nbuckets, buckets), values);
}

/* collect: what is read when scraped: errors logged, the lag in seconds,
 * migrate's progress counters */
static void
collect(metrics_registry *reg, void *ctx)
{
	const char *values[] = { m.database, NULL };

	(void) reg;
	(void) ctx;
	metrics_set(metrics_series_get(m.errors, values), (double) (log_count(LOG_ERROR) + log_count(LOG_FATAL)));
	if (m.stream) {
		time_t now = time(NULL);
		double lag = 0;
		bool known = true;
		pthread_mutex_lock(&m.mu);
		if (m.oldest_ts)
			lag = (double) now - m.oldest_ts;
		else if (m.caught_up)
			lag = 0;
		else if (m.applied_ts || m.idle_ts)
			/* everything committed before then is applied: no change
			 * waiting can be older (a reconnect, a backlog's first read) */
			lag = (double) now - (double) (m.idle_ts > (time_t) m.applied_ts ? m.idle_ts : (time_t) m.applied_ts);
		else
			known = false;      /* nothing read nor applied yet */
		pthread_mutex_unlock(&m.mu);
		if (known)
			metrics_set(m.lag_seconds, lag > 0 ? lag : 0);     /* clocks apart: not below 0 */
		return;
	}
	for (size_t i = 0; i < m.ntables; i++) {
		copy_progress p;
		if (!m.t_rows[i])
			continue;
		/* progress takes back an attempt lost to a dropped connection; the
		 * counters hold still until the retry passes them (metrics_set) */
		copy_table_progress(m.run, i, &p);
		metrics_set(m.t_rows[i], (double) p.rows);
		metrics_set(m.t_bytes[i], (double) p.bytes);
	}
}

/* register_stream: the families of stream */
static void
register_stream(void)
{
	static const char *const rows_labels[] = { "database", "table", "kind" };
	static const char *const table_labels[] = { "database", "table" };
	static const char *const phase_labels[] = { "database", "table", "phase" };
	static const char *const result_labels[] = { "database", "table", "result" };

	m.rows_applied = metrics_family_new(m.reg, METRICS_COUNTER, "stream_rows_applied_total",
		"Row changes committed to PostgreSQL, by source table and kind (insert, update, delete).",
		3, rows_labels, 0, NULL);
	m.rows_published = metrics_family_new(m.reg, METRICS_COUNTER, "stream_rows_published_total",
		"Row changes handed to the Kafka producer (--to kafka), by source table and kind.",
		3, rows_labels, 0, NULL);
	m.batch_rows = db_series(METRICS_HISTOGRAM, "stream_batch_rows",
		"Row changes per batch committed to PostgreSQL (batches with at least one).",
		sizeof(batch_buckets) / sizeof(batch_buckets[0]), batch_buckets);
	m.apply_seconds = db_series(METRICS_HISTOGRAM, "stream_batch_apply_seconds",
		"Time to apply a batch's staged rows, write the checkpoint and commit, in seconds.",
		sizeof(seconds_buckets) / sizeof(seconds_buckets[0]), seconds_buckets);
	m.ckpt_file = db_series(METRICS_GAUGE, "stream_checkpoint_binlog_file_number",
		"Numeric suffix of the binary log file of the checkpoint (mariadb-bin.000042: 42).", 0, NULL);
	m.ckpt_pos = db_series(METRICS_GAUGE, "stream_checkpoint_binlog_position_bytes",
		"Byte offset of the checkpoint in its binary log file.", 0, NULL);
	m.ckpt_ts = db_series(METRICS_GAUGE, "stream_checkpoint_source_timestamp_seconds",
		"Source commit time of the last transaction the checkpoint covers, seconds since the epoch.", 0, NULL);
	m.lag_seconds = db_series(METRICS_GAUGE, "stream_lag_seconds",
		"Age of the oldest source change read but not yet applied; 0 when caught up.", 0, NULL);
	m.lag_bytes = db_series(METRICS_GAUGE, "stream_lag_bytes",
		"Bytes of the source's binary logs past the checkpoint (measured every 5 seconds).", 0, NULL);
	m.reconnects = db_series(METRICS_COUNTER, "stream_reconnects_total",
		"Times the stream started again from its checkpoint after a failure.", 0, NULL);
	m.errors = metrics_family_new(m.reg, METRICS_COUNTER, "stream_errors_total",
		"Errors logged (each failure is logged once, where it happens).", 1,
		(const char *const[]) { "database" }, 0, NULL);
	m.acknowledged = db_series(METRICS_COUNTER, "stream_kafka_events_acknowledged_total",
		"Events (tombstones included) Kafka acknowledged (--to kafka).", 0, NULL);
	m.consumed = db_series(METRICS_COUNTER, "stream_kafka_messages_consumed_total",
		"Messages consumed from Kafka (--from kafka).", 0, NULL);
	m.dead_letters = db_series(METRICS_COUNTER, "stream_dead_letters_total",
		"Messages set aside in the kafka_dead_letters table (--from kafka).", 0, NULL);
	m.missing = db_series(METRICS_GAUGE, "stream_tables_missing",
		"Allowlisted tables the source schema does not have (state missing); the others stream on.", 0, NULL);
	m.copy_rows = metrics_family_new(m.reg, METRICS_GAUGE, "stream_table_copy_rows",
		"Rows the daemon's online copy of a table added to the allowlist has sent so far.", 2, table_labels, 0, NULL);
	m.copy_est = metrics_family_new(m.reg, METRICS_GAUGE, "stream_table_copy_estimated_rows",
		"The source's row estimate of a table the daemon copies online.", 2, table_labels, 0, NULL);
	m.copy_seconds = metrics_family_new(m.reg, METRICS_GAUGE, "stream_table_copy_seconds",
		"Seconds the daemon's online copy of a table has run (until it finished).", 2, table_labels, 0, NULL);
	m.copy_phase = metrics_family_new(m.reg, METRICS_GAUGE, "stream_table_copy_phase",
		"1 for the phase an online copy is in (queued, copying, indexing, ready, failed), 0 for the others.",
		3, phase_labels, 0, NULL);
	m.copies = metrics_family_new(m.reg, METRICS_COUNTER, "stream_table_copies_total",
		"Online copies the daemon finished, by table and result (ready, failed).", 3, result_labels, 0, NULL);
	m.kafka_skipped = metrics_family_new(m.reg, METRICS_COUNTER, "stream_kafka_events_skipped_total",
		"--from kafka: events skipped because they come before the table's watermark (already in the copy).",
		2, table_labels, 0, NULL);
	m.recopies = metrics_family_new(m.reg, METRICS_COUNTER, "stream_table_recopies_total",
		"Tables copied again online because the stream could not carry a change exactly.", 2, table_labels, 0, NULL);
}

/* register_migrate: the families of migrate */
static void
register_migrate(void)
{
	static const char *const table_labels[] = { "database", "table" };

	m.rows_copied = metrics_family_new(m.reg, METRICS_COUNTER, "migrate_rows_copied_total",
		"Rows copied into PostgreSQL, by source table.", 2, table_labels, 0, NULL);
	m.bytes_copied = metrics_family_new(m.reg, METRICS_COUNTER, "migrate_bytes_copied_total",
		"Bytes of source values copied into PostgreSQL (as read from MariaDB), by source table.",
		2, table_labels, 0, NULL);
	m.errors = metrics_family_new(m.reg, METRICS_COUNTER, "migrate_errors_total",
		"Errors logged (each failure is logged once, where it happens).", 1,
		(const char *const[]) { "database" }, 0, NULL);
}

int
metrics_start(const config *cfg, const char *option, const char *program, const char *database)
{
	const char *value = option, *from = "--metrics-address";
	char errbuf[512], var[160];
	metrics_address a;
	bool off;

	/* one address per database first: instances of stream for several
	 * databases share one .env */
	snprintf(var, sizeof(var), "%s_METRICS_ADDRESS", cfg->src.prefix ? cfg->src.prefix : "");
	if (!value && cfg->src.prefix && (value = config_get(cfg, var)))
		from = var;
	if (!value && (value = config_get(cfg, "METRICS_ADDRESS")))
		from = "METRICS_ADDRESS";
	if (!value)
		return 0;
	if (!metrics_address_parse(value, &a, &off, errbuf, sizeof(errbuf))) {
		log_error_dh(NULL, "Give HOST:PORT, :PORT or PORT (host 127.0.0.1), or off.",
					 "invalid value \"%.200s\" for %s: %s", value, from, errbuf);
		return 2;
	}
	if (off)
		return 0;

	char shown[300];
	bool v6 = a.sa.ss_family == AF_INET6;
	m.reg = metrics_registry_new();
	m.stream = strcmp(program, "stream") == 0;
	snprintf(m.database, sizeof(m.database), "%s", database ? database : "");
	if (m.stream)
		register_stream();
	else
		register_migrate();
	metrics_on_collect(m.reg, collect, NULL);
	unsigned port;
	m.srv = metrics_server_start(m.reg, &a, &port, errbuf, sizeof(errbuf));
	snprintf(shown, sizeof(shown), "%s%s%s:%u", v6 ? "[" : "", a.host, v6 ? "]" : "", m.srv ? port : a.port);
	if (!m.srv) {
		log_error_dh(NULL, "Choose a free port or another address (--metrics-address, NAME_METRICS_ADDRESS or "
					 "METRICS_ADDRESS); migrate and stream running at once need one each.",
					 "could not serve metrics on %s (%s): %s", shown, from, errbuf);
		metrics_registry_free(m.reg);
		m.reg = NULL;
		return 1;
	}
	log_info("serving metrics at http://%s/metrics", shown);
	if (!a.loopback)
		log_notice("the metrics address %s is not a loopback address: anyone who can reach it can read "
				   "the metrics (table names, positions, counts)", shown);
	return 0;
}

void
metrics_stop(void)
{
	if (!m.reg)
		return;
	metrics_server_stop(m.srv);
	m.srv = NULL;
	metrics_migrate_tables(NULL);
	metrics_registry_free(m.reg);
	m.reg = NULL;
}

bool
metrics_enabled(void)
{
	return m.reg != NULL;
}

metrics_registry *
metrics_default(void)
{
	return m.reg;
}

/* rows_add: a row-change counter of table by kind */
static void
rows_add(metrics_family *f, const char *table, const char *kind, long long n)
{
	if (n <= 0)
		return;
	const char *values[] = { m.database, table, kind };
	metrics_add(metrics_series_get(f, values), (double) n);
}

void
metrics_stream_rows(const char *table, long long inserted, long long updated, long long deleted)
{
	if (!m.reg)
		return;
	rows_add(m.rows_applied, table, "insert", inserted);
	rows_add(m.rows_applied, table, "update", updated);
	rows_add(m.rows_applied, table, "delete", deleted);
}

void
metrics_stream_batch(long long rows, double seconds)
{
	if (!m.reg)
		return;
	if (rows > 0) {
		metrics_observe(m.batch_rows, (double) rows);
		metrics_observe(m.apply_seconds, seconds);
	}
	pthread_mutex_lock(&m.mu);
	m.oldest_ts = 0;
	if (m.newest_ts)
		m.applied_ts = m.newest_ts;
	pthread_mutex_unlock(&m.mu);
}

void
metrics_stream_checkpoint(const binlogpos *pos, uint32_t ts)
{
	if (!m.reg || !pos->file[0])
		return;
	const char *dot = strrchr(pos->file, '.');
	if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
		metrics_set(m.ckpt_file, strtod(dot + 1, NULL));
	else
		metrics_unset(m.ckpt_file);
	metrics_set(m.ckpt_pos, (double) pos->pos);
	pthread_mutex_lock(&m.mu);
	m.ckpt = *pos;
	if (ts) {
		m.applied_ts = ts;
		/* with Kafka the checkpoint trails what was read: the oldest one
		 * outstanding is settled once the checkpoint is as new */
		if (m.oldest_ts && ts >= m.oldest_ts)
			m.oldest_ts = 0;
	}
	pthread_mutex_unlock(&m.mu);
	if (ts)
		metrics_set(m.ckpt_ts, (double) ts);
}

void
metrics_stream_read(uint32_t ts)
{
	if (!m.reg || ts == 0)
		return;
	pthread_mutex_lock(&m.mu);
	if (!m.oldest_ts)
		m.oldest_ts = ts;
	m.newest_ts = ts;
	m.caught_up = false;
	pthread_mutex_unlock(&m.mu);
}

void
metrics_stream_idle(void)
{
	if (!m.reg)
		return;
	pthread_mutex_lock(&m.mu);
	m.caught_up = m.oldest_ts == 0;
	if (m.caught_up)
		m.idle_ts = time(NULL);
	pthread_mutex_unlock(&m.mu);
}

void
metrics_stream_poll_source(MYSQL *my)
{
	if (!m.reg || !my)
		return;
	double now = metrics_now();
	if (now < m.next_poll)
		return;

	binlogpos at;
	pthread_mutex_lock(&m.mu);
	at = m.ckpt;
	pthread_mutex_unlock(&m.mu);
	if (!at.file[0])
		return;     /* no checkpoint yet: measured from the first one on */
	m.next_poll = now + SOURCE_POLL_SECONDS;
	maria_binlog *logs;
	size_t nlogs;
	char errbuf[512];
	if (!maria_binlogs(my, &logs, &nlogs, errbuf, sizeof(errbuf))) {
		log_debug("could not read the source's binary logs for the lag in bytes: %s", errbuf);
		metrics_unset(m.lag_bytes);
		return;
	}
	unsigned long long lag;
	bool found = maria_binlog_lag(logs, nlogs, at.file, at.pos, &lag);
	free(logs);
	if (found)
		metrics_set(m.lag_bytes, (double) lag);
	else
		metrics_unset(m.lag_bytes);     /* the checkpoint's file is gone from the source */
}

void
metrics_stream_published(const char *table, binlog_rows_kind kind, size_t nrows)
{
	if (!m.reg)
		return;
	rows_add(m.rows_published, table, kind == BINLOG_ROWS_INSERT ? "insert" : kind == BINLOG_ROWS_UPDATE ? "update"
			 : "delete", (long long) nrows);
}

void
metrics_stream_acknowledged(void)
{
	if (m.reg)
		metrics_add(m.acknowledged, 1);
}

void
metrics_stream_consumed(void)
{
	if (m.reg)
		metrics_add(m.consumed, 1);
}

void
metrics_stream_dead_letter(void)
{
	if (m.reg)
		metrics_add(m.dead_letters, 1);
}

void
metrics_stream_reconnect(void)
{
	if (!m.reg)
		return;
	metrics_add(m.reconnects, 1);
	pthread_mutex_lock(&m.mu);
	m.caught_up = false;    /* the source may have gone on meanwhile */
	pthread_mutex_unlock(&m.mu);
}

void
metrics_migrate_tables(const copy_run *run)
{
	if (!m.reg || m.stream)
		return;
	/* no rendering reads the old tables once this returns */
	metrics_off_collect(m.reg, collect, NULL);
	free(m.t_rows);
	free(m.t_bytes);
	m.t_rows = m.t_bytes = NULL;
	m.run = run;
	m.ntables = run ? copy_ntables(run) : 0;
	if (m.ntables) {
		m.t_rows = xcalloc(m.ntables, sizeof(metrics_series *));
		m.t_bytes = xcalloc(m.ntables, sizeof(metrics_series *));
	}
	for (size_t i = 0; i < m.ntables; i++) {
		copy_progress p;
		copy_table_progress(run, i, &p);
		if (p.skipped)
			continue;
		const char *values[] = { m.database, p.table };
		m.t_rows[i] = metrics_series_get(m.rows_copied, values);
		m.t_bytes[i] = metrics_series_get(m.bytes_copied, values);
	}
	metrics_on_collect(m.reg, collect, NULL);
}

void
metrics_stream_copy(const char *table, const char *phase, long long rows, long long est_rows, double seconds)
{
	static const char *const phases[] = { "queued", "copying", "indexing", "ready", "failed" };
	const char *values[] = { m.database, table, NULL };

	if (!m.reg || !m.stream)
		return;
	metrics_set(metrics_series_get(m.copy_rows, values), (double) rows);
	metrics_set(metrics_series_get(m.copy_est, values), (double) est_rows);
	metrics_set(metrics_series_get(m.copy_seconds, values), seconds);
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		values[2] = phases[i];
		metrics_set(metrics_series_get(m.copy_phase, values), strcmp(phase, phases[i]) == 0 ? 1 : 0);
	}
}

void
metrics_stream_copy_done(const char *table, bool ok)
{
	const char *values[] = { m.database, table, ok ? "ready" : "failed" };

	if (m.reg && m.stream)
		metrics_add(metrics_series_get(m.copies, values), 1);
}

void
metrics_stream_missing(long long n)
{
	if (m.reg && m.stream)
		metrics_set(m.missing, (double) n);
}

void
metrics_stream_recopy(const char *table)
{
	const char *values[] = { m.database, table };

	if (m.reg && m.stream)
		metrics_add(metrics_series_get(m.recopies, values), 1);
}

void
metrics_stream_kafka_skipped(const char *table)
{
	const char *values[] = { m.database, table };

	if (m.reg && m.stream)
		metrics_add(metrics_series_get(m.kafka_skipped, values), 1);
}
