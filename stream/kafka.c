/*
 * The Kafka sink of stream: a librdkafka producer and the bookkeeping that
 * turns delivery reports into a durable binlog position.
 *
 * Events are produced asynchronously. Each carries, as its opaque, the
 * number of the mark it belongs to; the marks live in a ring, each with the
 * position that closes it and how many of its events are not acknowledged
 * yet. The delivery callback (run from rd_kafka_poll, in the caller's thread)
 * counts them down; the oldest closed marks whose count reached zero are
 * durable, in order. A permanent delivery failure poisons the sink: the
 * caller restarts from the durable position, so nothing is skipped.
 *
 * The producer is idempotent (no duplicates or reordering from its own
 * retries, order kept per partition), compresses with zstd, hashes keys
 * with murmur2 as the Java client does (so a key lands on the partition
 * Debezium would pick), and never times a message out: while the brokers
 * are down events wait in librdkafka's queue, and when it is full the main
 * loop waits with them.
 *
 * TLS follows the rule of the MariaDB and PostgreSQL connections: whenever
 * the protocol is SSL or SASL_SSL the broker's certificate chain and host
 * name are verified (set explicitly, whatever librdkafka's defaults), and
 * only KAFKA_TLS=skip-verify turns that off, with a warning; KAFKA_PROPERTIES
 * cannot turn it off behind that setting's back.
 */
#include "stream/kafka.h"

#include "common/log.h"
#include "common/metrics.h"
#include "common/xalloc.h"
#include "stream/dbz.h"
#include "stream/dbz_encode.h"

#include <librdkafka/rdkafka.h>
#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KAFKA_MARKS 4096        /* closed marks in flight at most */

typedef struct kafka_batch {
	binlogpos   pos;
	uint32_t    server_id;
	uint32_t    ts;
	long long   outstanding;    /* events not acknowledged yet */
	bool        closed;         /* pos set: no more events join it */
} kafka_batch;

struct kafka_sink {
	rd_kafka_t *rk;
	kafka_settings ks;
	char       *source_db;
	kafka_batch *marks;          /* ring: [head, tail) closed, tail open */
	uint64_t    head;
	uint64_t    tail;
	long long   pending;        /* events in the open mark */
	kafka_batch durable;        /* the latest settled mark */
	bool        moved;          /* durable changed since kafka_durable reported it */
	bool        failed;
	char        failure[512];
	char        topic[1024];
	char        topic_table[256];   /* the table and schema topic is for */
	char        topic_db[256];
};

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* uses_tls: a security.protocol value that runs over TLS */
static bool
uses_tls(const char *protocol)
{
	return strcasecmp(protocol, "SSL") == 0 || strcasecmp(protocol, "SASL_SSL") == 0;
}

/*
 * tls_settings_load: KAFKA_TLS, KAFKA_SECURITY_PROTOCOL and the TLS files
 * into ks (sasl_user already read). KAFKA_TLS and the protocol must agree;
 * either alone decides (no protocol: plaintext, or SASL_SSL with a SASL
 * user, as before KAFKA_TLS existed). Logs the skip-verify warning.
 */
static bool
tls_settings_load(const config *cfg, kafka_settings *ks, char *errbuf, size_t errlen)
{
	const char *tls = config_get(cfg, "KAFKA_TLS");
	const char *protocol = config_get(cfg, "KAFKA_SECURITY_PROTOCOL");
	const char *ca = config_get(cfg, "KAFKA_TLS_CA");
	const char *old_ca = config_get(cfg, "KAFKA_SSL_CA_LOCATION");

	if (tls && *tls && !config_parse_tls(tls, &ks->tls)) {
		snprintf(errbuf, errlen, "KAFKA_TLS must be one of off, on, verify, skip-verify "
				 "(or 0, 1, false, true), got \"%.32s\"", tls);
		return false;
	}
	if (protocol && *protocol) {
		bool over_tls = uses_tls(protocol);

		if (tls && *tls && over_tls != (ks->tls != CONFIG_TLS_OFF)) {
			snprintf(errbuf, errlen, "KAFKA_TLS=%.16s contradicts KAFKA_SECURITY_PROTOCOL=%.32s; "
					 "unset KAFKA_SECURITY_PROTOCOL (KAFKA_TLS and KAFKA_SASL_USERNAME decide it) "
					 "or make them agree", tls, protocol);
			return false;
		}
		if (over_tls && !(tls && *tls))
			ks->tls = CONFIG_TLS_VERIFY;
		ks->security = xstrdup(protocol);
	} else if (ks->sasl_user) {
		if (!(tls && *tls))
			ks->tls = CONFIG_TLS_VERIFY;
		ks->security = xstrdup(ks->tls != CONFIG_TLS_OFF ? "SASL_SSL" : "SASL_PLAINTEXT");
	} else if (ks->tls != CONFIG_TLS_OFF)
		ks->security = xstrdup("SSL");

	if (ca && *ca && old_ca && *old_ca && strcmp(ca, old_ca) != 0) {
		snprintf(errbuf, errlen, "KAFKA_TLS_CA and KAFKA_SSL_CA_LOCATION (its older name) name "
				 "different files; keep only KAFKA_TLS_CA");
		return false;
	}
	ks->ca = dup_or_null(ca && *ca ? ca : old_ca);
	ks->tls_cert = dup_or_null(config_get(cfg, "KAFKA_TLS_CERT"));
	ks->tls_key = dup_or_null(config_get(cfg, "KAFKA_TLS_KEY"));
	if (ks->tls == CONFIG_TLS_OFF && (ks->ca || ks->tls_cert || ks->tls_key))
		log_warning("KAFKA_TLS_CA, KAFKA_TLS_CERT or KAFKA_TLS_KEY is set but Kafka TLS is off "
					"(KAFKA_TLS, KAFKA_SECURITY_PROTOCOL); the files are not used");
	if (ks->tls == CONFIG_TLS_SKIP_VERIFY) {
		char *w = config_skip_verify_warning("KAFKA_TLS", "KAFKA_TLS_CA", "Kafka", ks->ca != NULL);
		log_warning("%s", w);
		free(w);
	}
	return true;
}

bool
kafka_settings_load(const config *cfg, kafka_settings *ks, char *errbuf, size_t errlen)
{
	const char *v;

	memset(ks, 0, sizeof(*ks));
	v = config_get(cfg, "KAFKA_BOOTSTRAP_SERVERS");
	if (!v || !*v) {
		snprintf(errbuf, errlen, "KAFKA_BOOTSTRAP_SERVERS is not set (host:port of the Kafka brokers)");
		return false;
	}
	ks->bootstrap = xstrdup(v);
	v = config_get(cfg, "KAFKA_TOPIC_PREFIX");
	ks->prefix = xstrdup(v && *v ? v : cfg->src.name);
	v = config_get(cfg, "KAFKA_FORMAT");
	if (v && *v && strcmp(v, "envelope") != 0 && strcmp(v, "flattened") != 0) {
		snprintf(errbuf, errlen, "KAFKA_FORMAT must be envelope or flattened (got \"%s\")", v);
		kafka_settings_free(ks);
		return false;
	}
	ks->flatten = v && strcmp(v, "flattened") == 0;
	v = config_get(cfg, "KAFKA_SCHEMAS");
	if (v && *v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
		snprintf(errbuf, errlen, "KAFKA_SCHEMAS must be true or false (got \"%s\")", v);
		kafka_settings_free(ks);
		return false;
	}
	ks->schemas = v && strcmp(v, "true") == 0;
	v = config_get(cfg, "KAFKA_SCHEMA_CHANGES");
	if (v && *v && strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
		snprintf(errbuf, errlen, "KAFKA_SCHEMA_CHANGES must be on or off (got \"%s\")", v);
		kafka_settings_free(ks);
		return false;
	}
	ks->schema_changes = !(v && strcmp(v, "off") == 0);
	ks->sasl_user = dup_or_null(config_get(cfg, "KAFKA_SASL_USERNAME"));
	ks->sasl_pass = dup_or_null(config_get(cfg, "KAFKA_SASL_PASSWORD"));
	ks->sasl_mechanism = dup_or_null(config_get(cfg, "KAFKA_SASL_MECHANISM"));
	ks->properties = dup_or_null(config_get(cfg, "KAFKA_PROPERTIES"));
	if (!tls_settings_load(cfg, ks, errbuf, errlen)) {
		kafka_settings_free(ks);
		return false;
	}
	v = config_get(cfg, "KAFKA_GROUP_ID");
	if (v && *v)
		ks->group = xstrdup(v);
	else {
		char g[300];
		snprintf(g, sizeof(g), "stream-%s", cfg->src.name);
		ks->group = xstrdup(g);
	}
	v = config_get(cfg, "KAFKA_DEAD_LETTER");
	if (v && *v && strcmp(v, "table") != 0 && strcmp(v, "fatal") != 0) {
		snprintf(errbuf, errlen, "KAFKA_DEAD_LETTER must be table or fatal (got \"%s\")", v);
		kafka_settings_free(ks);
		return false;
	}
	ks->dead_letter_fatal = v && strcmp(v, "fatal") == 0;
	if (ks->sasl_user && !ks->sasl_pass) {
		snprintf(errbuf, errlen, "KAFKA_SASL_USERNAME is set but KAFKA_SASL_PASSWORD is not");
		kafka_settings_free(ks);
		return false;
	}
	v = config_get(cfg, "KAFKA_CHECKPOINT_FILE");
	ks->checkpoint_file = v && *v ? xstrdup(v) : xasprintf("stream-%s.%s.checkpoint.json", cfg->src.name, ks->prefix);
	return true;
}

int
kafka_checkpoint_lock(const kafka_settings *ks, char *errbuf, size_t errlen)
{
	char *path = xasprintf("%s.lock", ks->checkpoint_file);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		snprintf(errbuf, errlen, "could not open the checkpoint lock \"%s\": %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			snprintf(errbuf, errlen, "another publisher holds \"%s\" (one --to kafka daemon per checkpoint file)",
					 path);
		else
			snprintf(errbuf, errlen, "could not lock \"%s\": %s", path, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

int
kafka_checkpoint_read(const kafka_settings *ks, const char *source_db, binlogpos *pos, char **schemas, char *errbuf,
					  size_t errlen)
{
	json_error_t jerr;
	const char *f = ks->checkpoint_file;

	if (schemas)
		*schemas = NULL;
	if (access(f, F_OK) != 0 && errno == ENOENT)
		return 0;
	json_t *j = json_load_file(f, 0, &jerr);
	if (!j) {
		snprintf(errbuf, errlen, "could not read the checkpoint file \"%s\": %s (line %d)", f, jerr.text, jerr.line);
		return -1;
	}
	const char *db = json_string_value(json_object_get(j, "source_db"));
	const char *prefix = json_string_value(json_object_get(j, "topic_prefix"));
	const char *file = json_string_value(json_object_get(j, "binlog_file"));
	const char *gtid = json_string_value(json_object_get(j, "gtid"));
	json_t *p = json_object_get(j, "binlog_pos");
	int rc = -1;
	if (!db || !prefix || !file || !*file || !json_is_integer(p) || json_integer_value(p) < 4)
		snprintf(errbuf, errlen, "the checkpoint file \"%s\" lacks source_db, topic_prefix, binlog_file or "
				 "binlog_pos", f);
	else if (strcmp(db, source_db) != 0 || strcmp(prefix, ks->prefix) != 0)
		snprintf(errbuf, errlen, "the checkpoint file \"%s\" is database \"%s\" with topic prefix \"%s\", not "
				 "\"%s\" with \"%s\"", f, db, prefix, source_db, ks->prefix);
	else {
		memset(pos, 0, sizeof(*pos));
		snprintf(pos->file, sizeof(pos->file), "%s", file);
		pos->pos = (uint64_t) json_integer_value(p);
		snprintf(pos->gtid, sizeof(pos->gtid), "%s", gtid ? gtid : "");
		json_t *sch = json_object_get(j, "schemas");
		if (schemas && json_is_object(sch))
			*schemas = json_dumps(sch, JSON_COMPACT);
		rc = 1;
	}
	json_decref(j);
	return rc;
}

bool
kafka_checkpoint_write(const kafka_settings *ks, const char *source_db, const binlogpos *pos, uint32_t server_id,
					   uint32_t ts, const char *schemas, char *errbuf, size_t errlen)
{
	const char *f = ks->checkpoint_file;
	char *tmp = xasprintf("%s.tmp", f);
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s?, s:I, s:I}", "source_db", source_db, "topic_prefix",
						  ks->prefix, "binlog_file", pos->file, "binlog_pos", (json_int_t) pos->pos, "gtid",
						  pos->gtid[0] ? pos->gtid : NULL, "server_id", (json_int_t) server_id, "source_ts",
						  (json_int_t) ts);
	if (j && schemas) {
		json_error_t jerr;
		json_t *sch = json_loads(schemas, 0, &jerr);
		if (sch)
			json_object_set_new(j, "schemas", sch);
	}
	char *text = j ? json_dumps(j, JSON_PRESERVE_ORDER) : NULL;
	bool ok = false;
	int fd = text ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;

	if (fd < 0)
		snprintf(errbuf, errlen, "could not write \"%s\": %s", tmp, text ? strerror(errno) : "out of memory");
	else {
		size_t len = strlen(text), done = 0;
		while (done < len) {
			ssize_t n = write(fd, text + done, len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			done += (size_t) n;
		}
		if (done < len || write(fd, "\n", 1) != 1 || fsync(fd) != 0)
			snprintf(errbuf, errlen, "could not write \"%s\": %s", tmp, strerror(errno));
		else if (rename(tmp, f) != 0)
			snprintf(errbuf, errlen, "could not replace \"%s\": %s", f, strerror(errno));
		else
			ok = true;
		close(fd);
	}
	if (ok) {
		/* the rename itself survives a crash once the directory is synced */
		char *dir = xstrdup(f), *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || fsync(dfd) != 0) {
			snprintf(errbuf, errlen, "could not sync the directory of \"%s\": %s", f, strerror(errno));
			ok = false;
		}
		if (dfd >= 0)
			close(dfd);
		free(dir);
	}
	free(text);
	json_decref(j);
	free(tmp);
	return ok;
}

void
kafka_settings_free(kafka_settings *ks)
{
	free(ks->bootstrap);
	free(ks->prefix);
	free(ks->sasl_user);
	free(ks->sasl_pass);
	free(ks->sasl_mechanism);
	free(ks->security);
	free(ks->ca);
	free(ks->tls_cert);
	free(ks->tls_key);
	free(ks->properties);
	free(ks->group);
	free(ks->checkpoint_file);
	memset(ks, 0, sizeof(*ks));
}

/* on_log: librdkafka's log lines through ours (they never carry the
 * configuration: its debug=conf dump is refused in kafka_open) */
static void
on_log(const rd_kafka_t *rk, int level, const char *fac, const char *line)
{
	(void) rk;
	if (level <= 3)
		log_error("kafka: %s: %s", fac, line);
	else if (level <= 4)
		log_warning("kafka: %s: %s", fac, line);
	else if (level <= 6)
		log_info("kafka: %s: %s", fac, line);
	else
		log_debug("kafka: %s: %s", fac, line);
}

/* on_error: brokers down and other transient conditions are warnings
 * (librdkafka retries); a fatal error (idempotence broken) poisons the sink */
static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	kafka_sink *k = opaque;

	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		char why[400];
		rd_kafka_fatal_error(rk, why, sizeof(why));
		if (!k->failed)
			snprintf(k->failure, sizeof(k->failure), "the producer failed: %s", why);
		k->failed = true;
		return;
	}
	log_warning("kafka: %s (retrying)", reason);
}

/* on_delivery: one event acknowledged (or failed for good) */
static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	kafka_sink *k = opaque;
	uint64_t seq = (uint64_t) (uintptr_t) m->_private;

	(void) rk;
	if (m->err) {
		if (!k->failed)
			snprintf(k->failure, sizeof(k->failure), "an event to topic \"%s\" was not delivered: %s",
					 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
		k->failed = true;
		return;
	}
	k->marks[seq % KAFKA_MARKS].outstanding--;
	metrics_stream_acknowledged();
}

/* OpenSSL's X509_V_ERR_* codes (x509_vfy.h, stable for years) that
 * on_cert_verify explains; stream does not link OpenSSL itself */
#define X509_ERR_UNABLE_TO_GET_ISSUER_CERT          2
#define X509_ERR_CERT_NOT_YET_VALID                 9
#define X509_ERR_CERT_HAS_EXPIRED                   10
#define X509_ERR_DEPTH_ZERO_SELF_SIGNED_CERT        18
#define X509_ERR_SELF_SIGNED_CERT_IN_CHAIN          19
#define X509_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY  20
#define X509_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE    21
#define X509_ERR_HOSTNAME_MISMATCH                  62
#define X509_ERR_IP_ADDRESS_MISMATCH                64

/*
 * on_cert_verify: librdkafka's hook into OpenSSL's verification of each
 * certificate of the broker's chain. It keeps OpenSSL's verdict and only
 * words a refusal in terms of our settings; librdkafka logs that text with
 * the certificate's subject and issuer. Runs in librdkafka's threads.
 */
static int
on_cert_verify(rd_kafka_t *rk, const char *broker_name, int32_t broker_id, int *x509_error, int depth,
			   const char *der, size_t size, char *errstr, size_t errstr_size, void *opaque)
{
	(void) rk;
	(void) broker_id;
	(void) depth;
	(void) der;
	(void) size;
	(void) opaque;
	switch (*x509_error) {
		case 0:
			return 1;
		case X509_ERR_HOSTNAME_MISMATCH:
		case X509_ERR_IP_ADDRESS_MISMATCH:
			snprintf(errstr, errstr_size, "the Kafka broker %s presented a TLS certificate that is not "
					 "issued for that host name; connect by a name the certificate carries "
					 "(KAFKA_BOOTSTRAP_SERVERS, the brokers' advertised listeners), have it reissued, "
					 "or set KAFKA_TLS=skip-verify to accept it unverified", broker_name);
			break;
		case X509_ERR_UNABLE_TO_GET_ISSUER_CERT:
		case X509_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		case X509_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		case X509_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
			snprintf(errstr, errstr_size, "the Kafka broker %s presented a TLS certificate that is not "
					 "signed by a CA in KAFKA_TLS_CA (or the system's CAs when it is unset); set "
					 "KAFKA_TLS_CA to the PEM file of the CA that signed it", broker_name);
			break;
		case X509_ERR_CERT_NOT_YET_VALID:
		case X509_ERR_CERT_HAS_EXPIRED:
			snprintf(errstr, errstr_size, "the Kafka broker %s presented a TLS certificate that is %s",
					 broker_name, *x509_error == X509_ERR_CERT_HAS_EXPIRED ? "expired" : "not valid yet");
			break;
		default:
			snprintf(errstr, errstr_size, "the Kafka broker %s presented a TLS certificate that does not "
					 "verify (OpenSSL X509 error %d)", broker_name, *x509_error);
			break;
	}
	return 0;
}

/* conf_set: one property; the value is not echoed (it may be a secret) */
static bool
conf_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
	char errstr[512];

	if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
		log_error_dh(errstr, "Check KAFKA_PROPERTIES and the KAFKA_* settings.",
					 "could not set the Kafka property \"%s\"", name);
		return false;
	}
	return true;
}

/* common_conf: the connection settings shared by producer and consumer
 * (bootstrap, client id, SASL/SSL, KAFKA_PROPERTIES last); NULL (logged)
 * on a bad setting */
static rd_kafka_conf_t *
common_conf(const kafka_settings *ks, const char *source_db, const char *role)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char client_id[300];

	snprintf(client_id, sizeof(client_id), "stream-%s%s", source_db, role);
	bool ok = conf_set(conf, "bootstrap.servers", ks->bootstrap) && conf_set(conf, "client.id", client_id);
	if (ok && ks->security)
		ok = conf_set(conf, "security.protocol", ks->security);
	if (ok && ks->sasl_user) {
		ok = conf_set(conf, "sasl.mechanisms", ks->sasl_mechanism ? ks->sasl_mechanism : "PLAIN") &&
			conf_set(conf, "sasl.username", ks->sasl_user) &&
			conf_set(conf, "sasl.password", ks->sasl_pass);
	}
	if (ok && ks->tls != CONFIG_TLS_OFF) {
		/* skip-verify with a CA still checks the chain, as libmariadb and
		 * libpq do; only the host name goes unchecked */
		bool chain = ks->tls == CONFIG_TLS_VERIFY || ks->ca;
		ok = conf_set(conf, "enable.ssl.certificate.verification", chain ? "true" : "false") &&
			conf_set(conf, "ssl.endpoint.identification.algorithm",
					 ks->tls == CONFIG_TLS_VERIFY ? "https" : "none") &&
			(!ks->ca || conf_set(conf, "ssl.ca.location", ks->ca)) &&
			(!ks->tls_cert || conf_set(conf, "ssl.certificate.location", ks->tls_cert)) &&
			(!ks->tls_key || conf_set(conf, "ssl.key.location", ks->tls_key));
		if (ok && chain)
			rd_kafka_conf_set_ssl_cert_verify_cb(conf, on_cert_verify);
	}
	if (!ok) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	return conf;
}

/* user_properties: KAFKA_PROPERTIES (name=value;name=value), applied last */
static bool
user_properties(rd_kafka_conf_t *conf, const kafka_settings *ks)
{
	bool ok = true;

	if (!ks->properties)
		return true;
	char *props = xstrdup(ks->properties), *save = NULL;
	for (char *p = strtok_r(props, ";\n", &save); ok && p; p = strtok_r(NULL, ";\n", &save)) {
		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		char *eq = strchr(p, '=');
		if (!eq) {
			log_error("KAFKA_PROPERTIES: \"%s\" is not name=value", p);
			ok = false;
			break;
		}
		*eq = '\0';
		if (ks->tls != CONFIG_TLS_SKIP_VERIFY &&
			((strcmp(p, "enable.ssl.certificate.verification") == 0 && strcasecmp(eq + 1, "true") != 0) ||
			 (strcmp(p, "ssl.endpoint.identification.algorithm") == 0 && strcasecmp(eq + 1, "https") != 0))) {
			log_error_dh("The broker's certificate is verified whenever TLS is used.",
						 "To accept an unverified certificate knowingly, set KAFKA_TLS=skip-verify.",
						 "KAFKA_PROPERTIES: %s=%s refused", p, eq + 1);
			ok = false;
			break;
		}
		if (strcmp(p, "security.protocol") == 0) {
			log_error_dh(NULL, "Set KAFKA_TLS (and KAFKA_SASL_USERNAME) or KAFKA_SECURITY_PROTOCOL instead.",
						 "KAFKA_PROPERTIES: security.protocol refused (it would bypass the TLS settings)");
			ok = false;
			break;
		}
		if (strcmp(p, "debug") == 0 && (strstr(eq + 1, "conf") || strstr(eq + 1, "all"))) {
			log_error_dh("librdkafka's debug=conf prints the configuration, passwords included.",
						 "Use other debug contexts (e.g. debug=broker,msg).", "KAFKA_PROPERTIES: debug=%s refused",
						 eq + 1);
			ok = false;
			break;
		}
		ok = conf_set(conf, p, eq + 1);
	}
	free(props);
	return ok;
}

static void
copy_settings(kafka_settings *dst, const kafka_settings *ks)
{
	dst->bootstrap = xstrdup(ks->bootstrap);
	dst->prefix = xstrdup(ks->prefix);
	dst->flatten = ks->flatten;
	dst->schemas = ks->schemas;
	dst->schema_changes = ks->schema_changes;
	dst->group = dup_or_null(ks->group);
	dst->dead_letter_fatal = ks->dead_letter_fatal;
}

kafka_sink *
kafka_open(const kafka_settings *ks, const char *source_db)
{
	kafka_sink *k = xcalloc(1, sizeof(kafka_sink));
	char errstr[512];

	copy_settings(&k->ks, ks);
	k->source_db = xstrdup(source_db);
	k->marks = xcalloc(KAFKA_MARKS, sizeof(kafka_batch));
	rd_kafka_conf_t *conf = common_conf(ks, source_db, "");
	bool ok = conf &&
		conf_set(conf, "enable.idempotence", "true") &&
		conf_set(conf, "compression.type", "zstd") &&
		conf_set(conf, "partitioner", "murmur2_random") &&
		conf_set(conf, "message.timeout.ms", "0") &&
		conf_set(conf, "linger.ms", "10") &&
		conf_set(conf, "queue.buffering.max.kbytes", "65536") &&
		user_properties(conf, ks);
	if (!ok) {
		if (conf)
			rd_kafka_conf_destroy(conf);
		kafka_close(k);
		return NULL;
	}
	rd_kafka_conf_set_opaque(conf, k);
	rd_kafka_conf_set_log_cb(conf, on_log);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!k->rk) {
		rd_kafka_conf_destroy(conf);
		log_error("could not create the Kafka producer: %s", errstr);
		kafka_close(k);
		return NULL;
	}
	return k;
}

void
kafka_close(kafka_sink *k)
{
	if (!k)
		return;
	if (k->rk)
		rd_kafka_destroy(k->rk);
	kafka_settings_free(&k->ks);
	free(k->source_db);
	free(k->marks);
	free(k);
}

/* produce: one event of the open mark; waits while librdkafka's queue is
 * full (brokers down) */
static bool
produce(kafka_sink *k, const char *key, size_t keylen, const char *val, size_t vallen)
{
	for (int waited = 0;; waited++) {
		if (k->failed) {
			log_error("%s", k->failure);
			return false;
		}
		rd_kafka_resp_err_t err = rd_kafka_producev(k->rk,
			RD_KAFKA_V_TOPIC(k->topic),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			RD_KAFKA_V_KEY((void *) key, keylen),
			RD_KAFKA_V_VALUE((void *) val, vallen),
			RD_KAFKA_V_OPAQUE((void *) (uintptr_t) k->tail),
			RD_KAFKA_V_END);
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
			break;
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			log_error("could not publish to topic \"%s\": %s", k->topic, rd_kafka_err2str(err));
			return false;
		}
		if (waited == 50)
			log_warning("the Kafka producer's queue is full (brokers slow or down); waiting");
		rd_kafka_poll(k->rk, 100);
	}
	k->marks[k->tail % KAFKA_MARKS].outstanding++;
	k->pending++;
	/* delivery reports wait in their queue; serving them per event costs
	 * more than the event (kafka_durable serves them at each batch) */
	if (k->pending % 4096 == 0)
		rd_kafka_poll(k->rk, 0);
	return true;
}

/* publish: one event (and its tombstone after a delete, in envelope form) */
static bool
publish(kafka_sink *k, const plan_table *pt, dbz_op op, const binlog_value *before, const binlog_value *after,
		const dbz_source *s, const dbz_options *o)
{
	char errbuf[1024];
	const binlog_value *img = op == DBZ_DELETE ? before : after;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	/* a table without a key: a null Kafka key, as from Debezium */
	json_t *key = pt->nkey ? dbz_key(pt, img, s, o, errbuf, sizeof(errbuf)) : NULL;
	if (pt->nkey && !key) {
		log_error_dh(errbuf, NULL, "could not build the key of a change of table \"%s\" (database \"%s\")",
					 pt->source, k->source_db);
		return false;
	}
	json_t *val = dbz_value(pt, op, before, after, s, o,
							(uint64_t) now.tv_sec * 1000 + (uint64_t) now.tv_nsec / 1000000, errbuf, sizeof(errbuf));
	if (!val) {
		json_decref(key);
		log_error_dh(errbuf, NULL, "could not build the event of a change of table \"%s\" (database \"%s\")",
					 pt->source, k->source_db);
		return false;
	}
	char *ks = key ? json_dumps(key, JSON_COMPACT) : NULL;
	char *vs = json_dumps(val, JSON_COMPACT);
	bool ok = vs && (!key || ks) && produce(k, ks, ks ? strlen(ks) : 0, vs, strlen(vs));
	/* the tombstone lets log compaction drop the key (ExtractNewRecordState
	 * drops tombstones by default, so the flattened form has none) */
	if (ok && op == DBZ_DELETE && !o->flatten)
		ok = produce(k, ks, ks ? strlen(ks) : 0, NULL, 0);
	free(ks);
	free(vs);
	json_decref(key);
	json_decref(val);
	return ok;
}

/* key_changed: whether an update moves the row to another key */
static bool
key_changed(const plan_table *pt, const binlog_row *row)
{
	for (size_t i = 0; i < pt->nkey; i++) {
		const binlog_value *a = &row->before[pt->key[i]], *b = &row->after[pt->key[i]];
		if ((a->data == NULL) != (b->data == NULL) || a->len != b->len ||
			(a->data && memcmp(a->data, b->data, a->len) != 0))
			return true;
	}
	return false;
}

bool
kafka_row(kafka_sink *k, const plan_table *pt, const char *db, binlog_rows_kind kind,
		  const binlog_row *row, const kafka_source *src)
{
	dbz_options o = { .flatten = k->ks.flatten, .schemas = k->ks.schemas };
	dbz_source s = {
		.server_name = k->ks.prefix, .db = db, .table = pt->source, .server_id = src->server_id,
		.file = src->file, .pos = src->pos, .gtid = src->gtid && src->gtid[0] ? src->gtid : NULL,
		.ts_ms = (uint64_t) src->ts * 1000, .row = src->row, .snapshot = false,
	};
	/* the topic of the table of the previous row, usually */
	if (strcmp(k->topic_table, pt->source) != 0 || strcmp(k->topic_db, db) != 0) {
		char *topic = dbz_topic(k->ks.prefix, db, pt->source);
		snprintf(k->topic, sizeof(k->topic), "%s", topic);
		snprintf(k->topic_table, sizeof(k->topic_table), "%s", pt->source);
		snprintf(k->topic_db, sizeof(k->topic_db), "%s", db);
		free(topic);
	}
	switch (kind) {
	case BINLOG_ROWS_INSERT:
		return publish(k, pt, DBZ_CREATE, NULL, row->after, &s, &o);
	case BINLOG_ROWS_DELETE:
		return publish(k, pt, DBZ_DELETE, row->before, NULL, &s, &o);
	case BINLOG_ROWS_UPDATE:
		/* a changed key: a delete of the old key and a create of the new
		 * one, as Debezium sends it, so that each key's history stays on its
		 * own partition */
		if (pt->nkey && key_changed(pt, row))
			return publish(k, pt, DBZ_DELETE, row->before, NULL, &s, &o) &&
				publish(k, pt, DBZ_CREATE, NULL, row->after, &s, &o);
		return publish(k, pt, DBZ_UPDATE, row->before, row->after, &s, &o);
	}
	return false;
}

bool
kafka_snapshot_row(kafka_sink *k, const plan_table *pt, const char *db, const binlog_value *img,
				   const kafka_source *src)
{
	dbz_options o = { .flatten = k->ks.flatten, .schemas = k->ks.schemas };
	dbz_source s = {
		.server_name = k->ks.prefix, .db = db, .table = pt->source, .server_id = src->server_id,
		.file = src->file, .pos = src->pos, .gtid = src->gtid && src->gtid[0] ? src->gtid : NULL,
		.ts_ms = (uint64_t) src->ts * 1000, .row = src->row, .snapshot = true,
	};

	if (strcmp(k->topic_table, pt->source) != 0 || strcmp(k->topic_db, db) != 0) {
		char *topic = dbz_topic(k->ks.prefix, db, pt->source);
		snprintf(k->topic, sizeof(k->topic), "%s", topic);
		snprintf(k->topic_table, sizeof(k->topic_table), "%s", pt->source);
		snprintf(k->topic_db, sizeof(k->topic_db), "%s", db);
		free(topic);
	}
	return publish(k, pt, DBZ_READ, NULL, img, &s, &o);
}

bool
kafka_schema_change(kafka_sink *k, const plan_table *pt, dbz_ddl_kind kind, const char *db, const char *ddl,
					const kafka_source *src)
{
	char errbuf[1024];
	dbz_options o = { .flatten = k->ks.flatten, .schemas = k->ks.schemas };
	dbz_source s = {
		.server_name = k->ks.prefix, .db = db, .table = pt->source, .server_id = src->server_id,
		.file = src->file, .pos = src->pos, .gtid = src->gtid && src->gtid[0] ? src->gtid : NULL,
		.ts_ms = (uint64_t) src->ts * 1000, .row = 0, .snapshot = false,
	};
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	json_t *key = dbz_schema_change_key(db, &o);
	json_t *val = dbz_schema_change(pt, kind, ddl, &s, &o,
									(uint64_t) now.tv_sec * 1000 + (uint64_t) now.tv_nsec / 1000000, errbuf,
									sizeof(errbuf));
	char *ks = key ? json_dumps(key, JSON_COMPACT) : NULL;
	char *vs = val ? json_dumps(val, JSON_COMPACT) : NULL;
	bool ok = ks && vs;

	if (!ok)
		log_error_dh(val ? "out of memory" : errbuf, NULL,
					 "could not build the schema change event of table \"%s\" (database \"%s\")", pt->source,
					 k->source_db);
	/* Debezium's schema change topic is the prefix itself; the next row
	 * sets its table's topic again */
	snprintf(k->topic, sizeof(k->topic), "%s", k->ks.prefix);
	k->topic_table[0] = '\0';
	k->topic_db[0] = '\0';
	ok = ok && produce(k, ks, strlen(ks), vs, strlen(vs));
	free(ks);
	free(vs);
	json_decref(key);
	json_decref(val);
	return ok;
}

long long
kafka_pending(const kafka_sink *k)
{
	return k->pending;
}

/* settle: moves head past the complete marks into k->durable */
static void
settle(kafka_sink *k)
{
	while (k->head < k->tail) {
		kafka_batch *m = &k->marks[k->head % KAFKA_MARKS];
		if (!m->closed || m->outstanding > 0)
			break;
		k->durable = *m;
		k->moved = true;
		m->closed = false;
		k->head++;
	}
}

bool
kafka_mark(kafka_sink *k, const binlogpos *pos, uint32_t server_id, uint32_t ts)
{
	/* a full ring: wait for the oldest mark (brokers down) */
	for (settle(k); k->tail - k->head >= KAFKA_MARKS - 1; settle(k)) {
		if (k->failed) {
			log_error("%s", k->failure);
			return false;
		}
		rd_kafka_poll(k->rk, 100);
	}
	kafka_batch *m = &k->marks[k->tail % KAFKA_MARKS];
	m->pos = *pos;
	m->server_id = server_id;
	m->ts = ts;
	m->closed = true;
	k->tail++;
	kafka_batch *next = &k->marks[k->tail % KAFKA_MARKS];
	memset(next, 0, sizeof(*next));
	k->pending = 0;
	return !k->failed;
}

bool
kafka_durable(kafka_sink *k, int wait_ms, binlogpos *pos, uint32_t *server_id, uint32_t *ts, bool *advanced)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*advanced = false;
	for (;;) {
		rd_kafka_poll(k->rk, 0);
		if (k->failed) {
			log_error_dh(k->failure, "The stream restarts from the last position Kafka acknowledged.",
						 "publishing to Kafka failed");
			return false;
		}
		settle(k);
		if (k->moved) {
			*pos = k->durable.pos;
			*server_id = k->durable.server_id;
			*ts = k->durable.ts;
			k->moved = false;
			*advanced = true;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long elapsed = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (k->head == k->tail || elapsed >= wait_ms)
			return true;
		rd_kafka_poll(k->rk, wait_ms - elapsed < 20 ? (int) (wait_ms - elapsed) : 20);
	}
}

bool
kafka_drain(kafka_sink *k, int wait_ms)
{
	rd_kafka_resp_err_t err = rd_kafka_flush(k->rk, wait_ms);

	rd_kafka_poll(k->rk, 0);
	return err == RD_KAFKA_RESP_ERR_NO_ERROR && !k->failed;
}

/* --- the consumer ------------------------------------------------------------ */

struct kafka_consumer {
	rd_kafka_t *rk;
	char       *source_db;
};

kafka_consumer *
kafka_consumer_open(const kafka_settings *ks, const char *source_db)
{
	kafka_consumer *kc = xcalloc(1, sizeof(kafka_consumer));
	char errstr[512];

	kc->source_db = xstrdup(source_db);
	rd_kafka_conf_t *conf = common_conf(ks, source_db, "-consumer");
	bool ok = conf &&
		conf_set(conf, "group.id", ks->group) &&
		conf_set(conf, "enable.auto.commit", "false") &&
		conf_set(conf, "enable.auto.offset.store", "false") &&
		conf_set(conf, "auto.offset.reset", "earliest") &&
		conf_set(conf, "isolation.level", "read_committed") &&
		conf_set(conf, "queued.max.messages.kbytes", "16384") &&
		user_properties(conf, ks);
	if (!ok) {
		if (conf)
			rd_kafka_conf_destroy(conf);
		kafka_consumer_close(kc);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, on_log);
	kc->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!kc->rk) {
		rd_kafka_conf_destroy(conf);
		log_error("could not create the Kafka consumer: %s", errstr);
		kafka_consumer_close(kc);
		return NULL;
	}
	rd_kafka_poll_set_consumer(kc->rk);
	return kc;
}

void
kafka_consumer_close(kafka_consumer *kc)
{
	if (!kc)
		return;
	if (kc->rk) {
		rd_kafka_consumer_close(kc->rk);
		rd_kafka_destroy(kc->rk);
	}
	free(kc->source_db);
	free(kc);
}

/* partitions: the partition count of topic, 0 if it does not exist, -1 on error */
static int
partitions(kafka_consumer *kc, const char *topic)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(kc->rk, topic, NULL);
	rd_kafka_resp_err_t err = rd_kafka_metadata(kc->rk, 0, rkt, &md, 5000);
	int n = -1;

	if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		n = 0;
		for (int i = 0; i < md->topic_cnt; i++)
			if (strcmp(md->topics[i].topic, topic) == 0 && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
				n = md->topics[i].partition_cnt;
		rd_kafka_metadata_destroy(md);
	} else
		log_warning("could not read the metadata of topic \"%s\": %s", topic, rd_kafka_err2str(err));
	rd_kafka_topic_destroy(rkt);
	return n;
}

bool
kafka_consumer_assign(kafka_consumer *kc, const char **topics, size_t ntopics,
					  const kafka_offset *stored, size_t nstored, int wait_ms)
{
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int) ntopics * 4 + 1);
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < ntopics; i++) {
		int n;
		for (;;) {
			n = partitions(kc, topics[i]);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (n > 0 || (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= wait_ms)
				break;
			struct timespec pause = { 0, 200 * 1000000L };
			nanosleep(&pause, NULL);
		}
		if (n <= 0) {
			log_warning("topic \"%s\" does not exist (yet); its table gets no changes until the daemon is "
						"reloaded (SIGHUP) after it appears", topics[i]);
			continue;
		}
		for (int p = 0; p < n; p++) {
			rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(list, topics[i], p);
			tp->offset = RD_KAFKA_OFFSET_BEGINNING;
			for (size_t s = 0; s < nstored; s++)
				if (stored[s].partition == p && strcmp(stored[s].topic, topics[i]) == 0)
					tp->offset = stored[s].next;
		}
	}
	rd_kafka_resp_err_t err = rd_kafka_assign(kc->rk, list);
	rd_kafka_topic_partition_list_destroy(list);
	if (err) {
		log_error("could not assign the Kafka partitions: %s", rd_kafka_err2str(err));
		return false;
	}
	return true;
}

int
kafka_consumer_next(kafka_consumer *kc, int timeout_ms, kafka_msg *m)
{
	rd_kafka_message_t *msg = rd_kafka_consumer_poll(kc->rk, timeout_ms);

	memset(m, 0, sizeof(*m));
	if (!msg)
		return 0;
	if (msg->err) {
		int rc = 0;
		if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
			rc = 0;
		else if (msg->err == RD_KAFKA_RESP_ERR__TRANSPORT || msg->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
			log_warning("kafka: %s (retrying)", rd_kafka_message_errstr(msg));
		else {
			log_error("could not consume from Kafka%s%s: %s", msg->rkt ? " topic " : "",
					  msg->rkt ? rd_kafka_topic_name(msg->rkt) : "", rd_kafka_message_errstr(msg));
			rc = -1;
		}
		rd_kafka_message_destroy(msg);
		return rc;
	}
	m->topic = rd_kafka_topic_name(msg->rkt);
	m->partition = msg->partition;
	m->offset = msg->offset;
	m->key = msg->key;
	m->keylen = msg->key_len;
	m->value = msg->payload;
	m->len = msg->len;
	m->handle = msg;
	return 1;
}

void
kafka_msg_done(kafka_msg *m)
{
	if (m->handle)
		rd_kafka_message_destroy(m->handle);
	memset(m, 0, sizeof(*m));
}

void
kafka_consumer_commit(kafka_consumer *kc, const kafka_offset *offs, size_t n)
{
	if (n == 0)
		return;
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int) n);
	for (size_t i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(list, offs[i].topic, offs[i].partition)->offset = offs[i].next;
	rd_kafka_resp_err_t err = rd_kafka_commit(kc->rk, list, 1);
	if (err)
		log_debug("could not commit offsets to the consumer group: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(list);
}
