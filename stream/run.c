/*
 * The run's shared helpers (run.h): time, backoff with jitter, the outage
 * clock, what follows a durable position, the retention watch and SIGHUP's
 * new source settings.
 */
#include "stream/run.h"
#include "stream/source.h"

#include "stream/schema.h"

#include "stream/online.h"

#include "common/log.h"
#include "common/maria.h"
#include "common/metrics.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double
run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

double
run_backoff_delay(int failures)
{
	double delay = 0.5 * (double) (1u << (failures < 6 ? failures : 6));

	delay *= 0.75 + (double) (rand() % 500) / 1000.0;
	return delay > RUN_BACKOFF_MAX_S ? RUN_BACKOFF_MAX_S : delay;
}

void
run_sleep(stream_run *r, double delay, bool wake_on_reload)
{
	struct timespec ts = { (time_t) delay, (long) ((delay - (double) (time_t) delay) * 1e9) };

	while (nanosleep(&ts, &ts) != 0 && !*r->stop_requested && !(wake_on_reload && *r->reload_requested))
		;
}

void
run_outage_retry(stream_run *r, double delay)
{
	double now = run_now();
	char d[32];

	if (r->outage_since == 0)
		r->outage_since = now;
	r->outage_retries++;
	retention_duration((long long) (now - r->outage_since + 0.5), d, sizeof(d));
	log_warning("retrying in %.1f s (database \"%s\", attempt %d, failing for %s)", delay, r->cfg.src.name,
				r->outage_retries + 1, d);
}

void
run_outage_over(stream_run *r)
{
	char d[32];

	if (r->outage_since == 0)
		return;
	retention_duration((long long) (run_now() - r->outage_since + 0.5), d, sizeof(d));
	log_info("database \"%s\" streams again after an outage of %s (%d retries)", r->cfg.src.name, d,
			 r->outage_retries);
	r->outage_since = 0;
	r->outage_retries = 0;
}

void
run_durable(void *ctx, const binlogpos *pos, uint32_t ts)
{
	stream_run *r = ctx;

	metrics_stream_checkpoint(pos, ts);
	retention_committed(&r->ret, pos->file, ts);
	source_durable(pos, ts);    /* the relay keeps only what is after it */
	run_outage_over(r);
}

bool
run_needed_position(const stream_run *r, binlogpos *out)
{
	binlogpos durable;

	if (!tables_lowest_watermark(&r->tables, out))
		return false;
	if (r->sk && r->sk->ops->durable(r->sk, &durable) && durable.file[0] && binlogpos_cmp(&durable, out) > 0)
		*out = durable;
	return true;
}

void
run_retention_watch(stream_run *r, bool outage)
{
	binlogpos needed;
	char errbuf[512];

	if (r->o.from_kafka || !r->meta || !retention_due(&r->ret, outage) || !run_needed_position(r, &needed))
		return;
	/* what the relay holds the source may purge: the relay's end is needed */
	(void) source_relay_resume(&needed);
	/* while failing, the introspection connection may have died with a
	 * source restart: a short-lived one is used (none when the source
	 * cannot be reached right now) */
	MYSQL *my = mysql_ping(r->meta) == 0 ? r->meta : NULL;
	MYSQL *own = NULL;
	if (!my && outage) {
		if (!(own = maria_connect_timed(&r->cfg.src, 5, errbuf, sizeof(errbuf))))
			log_debug("retention watch: %s", errbuf);
		my = own;
	}
	retention_check(&r->ret, my, r->cfg.src.name, &needed, outage);
	if (own)
		mysql_close(own);
}

/* source_changed: whether the connection settings differ */
static bool
source_changed(const config_source *n, const config_source *o)
{
	return strcmp(n->host, o->host) != 0 || n->port != o->port || strcmp(n->user, o->user) != 0 ||
		strcmp(n->pass, o->pass) != 0 || n->tls != o->tls ||
		strcmp(n->tls_ca ? n->tls_ca : "", o->tls_ca ? o->tls_ca : "") != 0 ||
		strcmp(n->tls_cert ? n->tls_cert : "", o->tls_cert ? o->tls_cert : "") != 0 ||
		strcmp(n->tls_key ? n->tls_key : "", o->tls_key ? o->tls_key : "") != 0;
}

int
run_connect_meta(stream_run *r)
{
	char errbuf[2048];
	bool down = true;

	if (r->meta)
		return 1;
	if ((r->meta = maria_connect_try(&r->cfg.src, 60, &down, errbuf, sizeof(errbuf))))
		return 1;
	if (down) {
		log_error("%s", errbuf);
		return 0;
	}
	log_error_dh(NULL, "Check the NAME_HOST, NAME_PORT, NAME_USER, NAME_PASS and NAME_TLS* settings (and the "
				 "user's grants on the MariaDB server), then start the stream again.", "%s", errbuf);
	return -1;
}

int
run_reload_source(stream_run *r)
{
	char errbuf[2048];
	config fresh;
	config_source *o = &r->cfg.src;

	memset(&fresh, 0, sizeof(fresh));
	fresh.sink_optional = r->cfg.sink_optional;
	if (!config_load_env(&fresh, r->o.env_file ? r->o.env_file : ".env", r->o.env_file != NULL, errbuf, sizeof(errbuf)) ||
		!config_load_source(&fresh, r->o.database, errbuf, sizeof(errbuf))) {
		log_error_dh(NULL, "Fix the setting and send SIGHUP again.", "new settings of database \"%s\" not used: %s",
					 o->name, errbuf);
		config_free(&fresh);
		return 1;       /* carry on as before */
	}
	config_source *n = &fresh.src;
	if (!source_changed(n, o)) {
		config_free(&fresh);
		return 1;
	}
	for (size_t i = 0; i < fresh.n_warnings; i++)
		log_warning("%s", fresh.warnings[i]);
	if (strcmp(n->schema, o->schema) != 0)
		log_warning("%s_SCHEMA changed to \"%s\"; the stream keeps reading \"%s\" until it is restarted",
					o->prefix, n->schema, o->schema);
	log_notice("the MariaDB connection settings of database \"%s\" changed (%s:%u, user %s, now %s:%u, user %s); "
			   "reconnecting", o->name, o->host, o->port, o->user, n->host, n->port, n->user);
	/* take the connection fields (the old ones are freed with fresh); the
	 * rest of the source stays */
	char **olds[] = { &o->host, &o->user, &o->pass, &o->tls_ca, &o->tls_cert, &o->tls_key };
	char **news[] = { &n->host, &n->user, &n->pass, &n->tls_ca, &n->tls_cert, &n->tls_key };
	for (size_t i = 0; i < sizeof(olds) / sizeof(olds[0]); i++) {
		char *keep = *olds[i];
		*olds[i] = *news[i];
		*news[i] = keep;
	}
	o->port = n->port;
	o->tls = n->tls;
	config_free(&fresh);
	if (r->meta)
		mysql_close(r->meta);
	r->meta = NULL;
	return run_connect_meta(r);
}

void
run_free(stream_run *r)
{
	source_relay_shutdown();
	online_free(r->online);
	r->online = NULL;
	schema_free(r);
	tables_free(r);
	tables_free_labels(&r->tables);
	if (r->sk)
		r->sk->ops->close(r->sk);
	r->sk = NULL;
	if (r->meta)
		mysql_close(r->meta);
	r->meta = NULL;
	apply_close(r->a);
	r->a = NULL;
	gtid_set_free(&r->gtid);
	kafka_settings_free(&r->ks);
	control_free(&r->ctl);
	config_free(&r->cfg);
}

bool
run_settings(stream_run *r)
{
	const char *v = config_get(&r->cfg, "STREAM_ON_UNCARRYABLE");
	const char *w = config_get(&r->cfg, "STREAM_COPY_WORKERS");
	char errbuf[256];
	long long n;

	r->recopy = !v || !v[0] || strcmp(v, "recopy") == 0;
	if (v && v[0] && !r->recopy && strcmp(v, "stop") != 0) {
		log_error_dh(NULL, "Give recopy (the default) or stop.", "invalid value \"%.100s\" for STREAM_ON_UNCARRYABLE", v);
		return false;
	}
	if (w && !config_parse_count("STREAM_COPY_WORKERS", w, 1, 64, &n, errbuf, sizeof(errbuf))) {
		log_error("%s", errbuf);
		return false;
	}
	return true;
}
