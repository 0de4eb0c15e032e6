/*
 * kafka-dump: prints what Kafka topics hold, one line per message, for tests;
 * with --produce it writes messages instead.
 *
 *   kafka-dump (--bootstrap SERVERS | --bootstrap-file FILE)
 *              (--topic T ... | --topic-prefix P) [--wait-count N] [--timeout S]
 *   kafka-dump (--bootstrap SERVERS | --bootstrap-file FILE) --produce TOPIC [--timeout S]
 *   either with --set NAME=VALUE (a librdkafka property, repeatable); the dump
 *   with --count-only prints only the number of messages read (benchmarks)
 *
 * Output, one line per message, in each partition's offset order:
 *   topic<TAB>partition<TAB>offset<TAB>key<TAB>value
 * Key and value are printed as they are (they are JSON text); a null key or
 * value prints as "null".
 *
 * How the dump works: a consumer with a random group id that never joins its
 * group (nothing is committed) assigns every partition of the chosen topics
 * itself, from the beginning. Topics are found in the cluster's full topic
 * list, so naming a topic never auto-creates it (librdkafka 2.0.2's mock
 * speaks Metadata v0-v2 only, so allow.auto.create.topics=false cannot be
 * sent, and it creates any topic a request names). By default the high
 * watermark of each partition is read first and the dump stops when every
 * partition has reached it (a partition end reported by the consumer also
 * counts, since transaction markers take offsets no message has); a named
 * topic that does not exist is an error, a prefix that matches nothing an
 * empty dump. With --wait-count N it instead reads until N messages in all
 * have been printed, re-reading the topic list every 500 ms, so topics and
 * partitions created meanwhile are picked up. Either way it gives up after
 * --timeout seconds (default 30) with exit status 3.
 *
 * --produce reads "key<TAB>value" lines from stdin (split at the first TAB;
 * a key or value that is exactly "null" is sent as null, so a dump can be
 * replayed) and produces them to TOPIC with the idempotent producer, then
 * waits until every message is acknowledged or --timeout passes.
 *
 * Test-only: it links nothing but librdkafka, so it builds whatever state the
 * product code is in.
 */
#include <librdkafka/rdkafka.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_OK       0
#define EXIT_FAILED   1     /* a Kafka or I/O error (logged) */
#define EXIT_USAGE    2
#define EXIT_TIMEOUT  3     /* --timeout passed before the dump was complete */

#define MAX_TOPICS    64

typedef struct options {
	const char *bootstrap;              /* from --bootstrap or the file */
	char		bootbuf[4096];          /* --bootstrap-file contents */
	const char *topic[MAX_TOPICS];      /* --topic, repeatable */
	int			ntopics;
	const char *prefix;                 /* --topic-prefix */
	const char *produce;                /* --produce TOPIC */
	long		wait_count;             /* 0 = up to the watermarks */
	long		timeout_s;
	const char *set[64];                /* --set NAME=VALUE, as name, value pairs */
	int			nset;
	bool		count_only;             /* --count-only */
} options;

/* One assigned partition: where it ends and whether the dump has got there. */
typedef struct part {
	char	   *topic;                  /* heap copy */
	int32_t		partition;
	int64_t		high;                   /* high watermark at start; -1 in wait mode */
	bool		done;
} part;

typedef struct dump {
	rd_kafka_t *rk;
	part	   *parts;
	size_t		nparts;
	size_t		nremaining;             /* parts not yet done (watermark mode) */
	bool		listed;                 /* the topic list was read at least once */
	long		printed;
} dump;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* ms_left: milliseconds until deadline, at least 0 */
static int
ms_left(double deadline)
{
	double		left = deadline - now_s();

	return left <= 0 ? 0 : (int) (left * 1000) + 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"kafka-dump prints Kafka messages as topic<TAB>partition<TAB>offset<TAB>key<TAB>value.\n\n"
		"Usage:\n"
		"  kafka-dump (--bootstrap SERVERS | --bootstrap-file FILE) (--topic T ... | --topic-prefix P)\n"
		"             [--wait-count N] [--timeout S]\n"
		"  kafka-dump (--bootstrap SERVERS | --bootstrap-file FILE) --produce TOPIC [--timeout S]\n\n"
		"Options:\n"
		"  --bootstrap SERVERS    bootstrap servers, host:port[,host:port]\n"
		"  --bootstrap-file FILE  read them from FILE (as kafka-mock writes it)\n"
		"  --topic T              a topic to dump (repeatable)\n"
		"  --topic-prefix P       every topic whose name starts with P\n"
		"  --wait-count N         read until N messages in all instead of up to the current end\n"
		"  --timeout S            give up after S seconds (default 30), exit status 3\n"
		"  --produce TOPIC        produce key<TAB>value lines from stdin (\"null\" = null)\n"
		"  --set NAME=VALUE       a librdkafka property for the client (repeatable)\n"
		"  --count-only           print only how many messages were read\n"
		"  --help                 this text\n\n"
		"Exit status: 0 done; 1 a Kafka or I/O error; 2 bad usage; 3 timed out.\n");
}

/* parse_long: a whole number in [min, max], or a message naming the option */
static bool
parse_long(const char *opt, const char *arg, long min, long max, long *out)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
	{
		fprintf(stderr, "kafka-dump: %s must be a whole number from %ld to %ld, not \"%s\"\n",
				opt, min, max, arg);
		return false;
	}
	*out = v;
	return true;
}

/* read_bootstrap_file: the first line of path, without surrounding blanks */
static bool
read_bootstrap_file(const char *path, char *out, size_t outlen)
{
	FILE	   *f = fopen(path, "r");
	size_t		n;
	char	   *s = out;

	if (f == NULL)
	{
		fprintf(stderr, "kafka-dump: could not read \"%s\": %s\n", path, strerror(errno));
		return false;
	}
	if (fgets(out, (int) outlen, f) == NULL)
		out[0] = '\0';
	fclose(f);
	while (*s == ' ' || *s == '\t')
		s++;
	memmove(out, s, strlen(s) + 1);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
		out[--n] = '\0';
	if (n == 0)
	{
		fprintf(stderr, "kafka-dump: \"%s\" holds no bootstrap servers\n", path);
		return false;
	}
	return true;
}

static bool
parse_options(int argc, char **argv, options *o, bool *help)
{
	enum { O_BOOT = 256, O_BOOTFILE, O_TOPIC, O_PREFIX, O_WAIT, O_TIMEOUT, O_PRODUCE, O_SET, O_COUNT, O_HELP };
	static const struct option longopts[] = {
		{ "bootstrap", required_argument, NULL, O_BOOT },
		{ "bootstrap-file", required_argument, NULL, O_BOOTFILE },
		{ "topic", required_argument, NULL, O_TOPIC },
		{ "topic-prefix", required_argument, NULL, O_PREFIX },
		{ "wait-count", required_argument, NULL, O_WAIT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "produce", required_argument, NULL, O_PRODUCE },
		{ "set", required_argument, NULL, O_SET },
		{ "count-only", no_argument, NULL, O_COUNT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int			c;

	o->timeout_s = 30;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case O_BOOT:
				o->bootstrap = optarg;
				break;
			case O_BOOTFILE:
				if (!read_bootstrap_file(optarg, o->bootbuf, sizeof(o->bootbuf)))
					return false;
				o->bootstrap = o->bootbuf;
				break;
			case O_TOPIC:
				if (o->ntopics == MAX_TOPICS)
				{
					fprintf(stderr, "kafka-dump: at most %d --topic options\n", MAX_TOPICS);
					return false;
				}
				o->topic[o->ntopics++] = optarg;
				break;
			case O_PREFIX:
				o->prefix = optarg;
				break;
			case O_WAIT:
				if (!parse_long("--wait-count", optarg, 1, 100000000, &o->wait_count))
					return false;
				break;
			case O_TIMEOUT:
				if (!parse_long("--timeout", optarg, 1, 86400, &o->timeout_s))
					return false;
				break;
			case O_PRODUCE:
				o->produce = optarg;
				break;
			case O_SET:
				{
					char	   *eq = strchr(optarg, '=');

					if (eq == NULL || eq == optarg || o->nset == 32)
					{
						fprintf(stderr, "kafka-dump: --set takes NAME=VALUE (at most 32)\n");
						return false;
					}
					*eq = '\0';
					o->set[2 * o->nset] = optarg;
					o->set[2 * o->nset + 1] = eq + 1;
					o->nset++;
					break;
				}
			case O_COUNT:
				o->count_only = true;
				break;
			case O_HELP:
				*help = true;
				return true;
			default:
				return false;
		}
	}
	if (optind < argc)
	{
		fprintf(stderr, "kafka-dump: unexpected argument \"%s\"\n", argv[optind]);
		return false;
	}
	if (o->bootstrap == NULL)
	{
		fprintf(stderr, "kafka-dump: --bootstrap or --bootstrap-file is required\n");
		return false;
	}
	if (o->produce != NULL ? (o->ntopics > 0 || o->prefix != NULL || o->wait_count > 0)
		: ((o->ntopics > 0) == (o->prefix != NULL)))
	{
		fprintf(stderr, "kafka-dump: give --topic (repeatable) or --topic-prefix, or --produce alone\n");
		return false;
	}
	return true;
}

/* new_handle: a producer or consumer for o->bootstrap; takes conf over;
 * extra holds name/value settings and ends with NULL */
static rd_kafka_t *
new_handle(rd_kafka_type_t type, const options *o, rd_kafka_conf_t *conf,
		   const char *const *extra)
{
	char		errstr[512];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", o->bootstrap, errstr, sizeof(errstr)))
		goto bad_conf;
	for (; extra[0] != NULL; extra += 2)
		if (rd_kafka_conf_set(conf, extra[0], extra[1], errstr, sizeof(errstr)))
			goto bad_conf;
	for (int i = 0; i < o->nset; i++)
		if (rd_kafka_conf_set(conf, o->set[2 * i], o->set[2 * i + 1], errstr, sizeof(errstr)))
			goto bad_conf;
	rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));  /* takes conf on success */
	if (rk == NULL)
	{
		fprintf(stderr, "kafka-dump: could not create the Kafka client: %s\n", errstr);
		rd_kafka_conf_destroy(conf);
	}
	return rk;

bad_conf:
	fprintf(stderr, "kafka-dump: %s\n", errstr);
	rd_kafka_conf_destroy(conf);
	return NULL;
}

static bool
topic_wanted(const options *o, const char *name)
{
	if (o->prefix != NULL)
		return strncmp(name, o->prefix, strlen(o->prefix)) == 0;
	for (int i = 0; i < o->ntopics; i++)
		if (strcmp(o->topic[i], name) == 0)
			return true;
	return false;
}

static bool
part_known(const dump *d, const char *topic, int32_t partition)
{
	for (size_t i = 0; i < d->nparts; i++)
		if (d->parts[i].partition == partition && strcmp(d->parts[i].topic, topic) == 0)
			return true;
	return false;
}

/* add_part: remembers a partition; false on out-of-memory */
static bool
add_part(dump *d, const char *topic, int32_t partition, int64_t high)
{
	part	   *grown = realloc(d->parts, sizeof(*d->parts) * (d->nparts + 1));

	if (grown == NULL || (grown[d->nparts].topic = strdup(topic)) == NULL)
	{
		if (grown != NULL)
			d->parts = grown;
		fprintf(stderr, "kafka-dump: out of memory\n");
		return false;
	}
	d->parts = grown;
	grown[d->nparts].partition = partition;
	grown[d->nparts].high = high;
	grown[d->nparts].done = false;
	d->nparts++;
	return true;
}

/*
 * discover: assigns, from the beginning, the wanted partitions not assigned
 * yet. In watermark mode (!wait) it also reads each one's watermarks, and
 * skips the empty ones; a named topic missing from the cluster is an error
 * then, while in wait mode it is simply looked for again next time.
 */
static bool
discover(dump *d, const options *o, bool wait, double deadline)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_partition_list_t *add;
	rd_kafka_resp_err_t err;
	rd_kafka_error_t *error;
	bool		ok = true;

	err = rd_kafka_metadata(d->rk, 1, NULL, &md, ms_left(deadline));
	if (err)
	{
		/* brokers may be down for a while: try again until the deadline */
		if (err != RD_KAFKA_RESP_ERR__TIMED_OUT)
			fprintf(stderr, "kafka-dump: could not list topics: %s\n", rd_kafka_err2str(err));
		return true;
	}
	d->listed = true;
	add = rd_kafka_topic_partition_list_new(8);
	for (int t = 0; t < md->topic_cnt && ok; t++)
	{
		const struct rd_kafka_metadata_topic *mt = &md->topics[t];

		if (!topic_wanted(o, mt->topic) || mt->err)
			continue;
		for (int p = 0; p < mt->partition_cnt && ok; p++)
		{
			int32_t		partition = mt->partitions[p].id;
			int64_t		low = 0;
			int64_t		high = -1;

			if (part_known(d, mt->topic, partition))
				continue;
			if (!wait)
			{
				err = rd_kafka_query_watermark_offsets(d->rk, mt->topic, partition,
													   &low, &high, ms_left(deadline));
				if (err)
				{
					fprintf(stderr, "kafka-dump: could not read the end of %s [%" PRId32 "]: %s\n",
							mt->topic, partition, rd_kafka_err2str(err));
					ok = false;
					break;
				}
			}
			ok = add_part(d, mt->topic, partition, high);
			if (ok && !wait && high <= low)
				d->parts[d->nparts - 1].done = true;
			else if (ok)
			{
				d->nremaining++;
				rd_kafka_topic_partition_list_add(add, mt->topic, partition)->offset =
					RD_KAFKA_OFFSET_BEGINNING;
			}
		}
	}
	for (int i = 0; i < o->ntopics && ok && !wait; i++)
	{
		bool		found = false;

		for (int t = 0; t < md->topic_cnt && !found; t++)
			found = md->topics[t].err == 0 && strcmp(md->topics[t].topic, o->topic[i]) == 0;
		if (!found)
		{
			fprintf(stderr, "kafka-dump: topic \"%s\" does not exist\n", o->topic[i]);
			ok = false;
		}
	}
	rd_kafka_metadata_destroy(md);

	if (ok && add->cnt > 0 && (error = rd_kafka_incremental_assign(d->rk, add)) != NULL)
	{
		fprintf(stderr, "kafka-dump: could not assign partitions: %s\n",
				rd_kafka_error_string(error));
		rd_kafka_error_destroy(error);
		ok = false;
	}
	rd_kafka_topic_partition_list_destroy(add);
	return ok;
}

/* print_field: as it is, or "null" */
static void
print_field(const void *data, size_t len)
{
	if (data == NULL)
		fputs("null", stdout);
	else
		fwrite(data, 1, len, stdout);
}

/* mark_reached: the partition is done once offset `next` reaches its end */
static void
mark_reached(dump *d, const char *topic, int32_t partition, int64_t next)
{
	for (size_t i = 0; i < d->nparts; i++)
	{
		part	   *p = &d->parts[i];

		if (!p->done && p->high >= 0 && p->partition == partition &&
			next >= p->high && strcmp(p->topic, topic) == 0)
		{
			p->done = true;
			d->nremaining--;
		}
	}
}

/*
 * consume_one: handles one message or event; false on an error that ends the
 * dump. Messages past a partition's starting high watermark are not printed
 * in watermark mode, so the dump is the state at start.
 */
static bool
consume_one(dump *d, const options *o, rd_kafka_message_t *m)
{
	const char *topic = m->rkt != NULL ? rd_kafka_topic_name(m->rkt) : "-";

	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
	{
		mark_reached(d, topic, m->partition, m->offset);
		return true;
	}
	if (m->err)
	{
		fprintf(stderr, "kafka-dump: consume error on %s [%" PRId32 "]: %s\n",
				topic, m->partition, rd_kafka_message_errstr(m));
		/* transient errors (a broker down) are retried by librdkafka */
		return !rd_kafka_fatal_error(d->rk, NULL, 0) &&
			m->err != RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC &&
			m->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
	}
	if (o->wait_count == 0)
	{
		for (size_t i = 0; i < d->nparts; i++)
			if (d->parts[i].partition == m->partition && d->parts[i].high >= 0 &&
				m->offset >= d->parts[i].high && strcmp(d->parts[i].topic, topic) == 0)
				return true;
	}
	if (!o->count_only)
	{
		printf("%s\t%" PRId32 "\t%" PRId64 "\t", topic, m->partition, m->offset);
		print_field(m->key, m->key_len);
		putchar('\t');
		print_field(m->payload, m->len);
		putchar('\n');
	}
	d->printed++;
	mark_reached(d, topic, m->partition, m->offset + 1);
	return true;
}

/* run_dump: the consuming side; returns the exit status */
static int
run_dump(const options *o)
{
	char		group[64];
	const char *extra[] = {
		"group.id", group,
		"enable.auto.commit", "false",
		"enable.partition.eof", "true",
		NULL
	};
	dump		d = { 0 };
	bool		wait = o->wait_count > 0;
	double		deadline = now_s() + (double) o->timeout_s;
	double		next_discover = 0;     /* when to read the topic list again */
	int			rc = EXIT_OK;

	/* a group of its own: never joined, so it disturbs no other consumer */
	snprintf(group, sizeof(group), "kafka-dump-%ld-%ld", (long) getpid(), (long) time(NULL));
	d.rk = new_handle(RD_KAFKA_CONSUMER, o, rd_kafka_conf_new(), extra);
	if (d.rk == NULL)
		return EXIT_FAILED;

	for (;;)
	{
		rd_kafka_message_t *m;

		if (wait ? d.printed >= o->wait_count : (d.listed && d.nremaining == 0))
			break;
		if (now_s() >= deadline)
		{
			if (wait)
				fprintf(stderr, "kafka-dump: timed out after %ld s with %ld of %ld message(s)\n",
						o->timeout_s, d.printed, o->wait_count);
			else
				fprintf(stderr, "kafka-dump: timed out after %ld s with %zu partition(s) not read to the end\n",
						o->timeout_s, d.nremaining);
			rc = EXIT_TIMEOUT;
			break;
		}
		if ((wait || !d.listed) && now_s() >= next_discover)
		{
			if (!discover(&d, o, wait, deadline))
			{
				rc = EXIT_FAILED;
				break;
			}
			next_discover = now_s() + 0.5;
			continue;
		}
		m = rd_kafka_consumer_poll(d.rk, 100);
		if (m == NULL)
			continue;
		if (!consume_one(&d, o, m))
			rc = EXIT_FAILED;
		rd_kafka_message_destroy(m);
		if (rc != EXIT_OK)
			break;
	}
	if (o->count_only)
		printf("%ld\n", d.printed);
	if (fflush(stdout) != 0)
	{
		fprintf(stderr, "kafka-dump: could not write the output: %s\n", strerror(errno));
		rc = EXIT_FAILED;
	}
	rd_kafka_consumer_close(d.rk);
	rd_kafka_destroy(d.rk);
	for (size_t i = 0; i < d.nparts; i++)
		free(d.parts[i].topic);
	free(d.parts);
	return rc;
}

/* on_delivery: counts the messages Kafka refused for good */
static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	long	   *failed = opaque;

	(void) rk;
	if (m->err)
	{
		if (*failed == 0)
			fprintf(stderr, "kafka-dump: delivery failed: %s\n", rd_kafka_err2str(m->err));
		(*failed)++;
	}
}

/* null_or: "null" means a null key or value */
static const char *
null_or(const char *s)
{
	return strcmp(s, "null") == 0 ? NULL : s;
}

/* run_produce: the producing side; returns the exit status */
static int
run_produce(const options *o)
{
	char		timeout_ms[32];
	const char *extra[] = {
		"enable.idempotence", "true",   /* keeps order and drops duplicates across retries */
		"message.timeout.ms", timeout_ms,
		"linger.ms", "5",
		NULL
	};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	long		failed = 0;
	long		sent = 0;
	long		lineno = 0;
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	double		deadline = now_s() + (double) o->timeout_s;
	rd_kafka_resp_err_t err;
	int			rc = EXIT_OK;

	snprintf(timeout_ms, sizeof(timeout_ms), "%ld", o->timeout_s * 1000);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, &failed);
	rk = new_handle(RD_KAFKA_PRODUCER, o, conf, extra);
	if (rk == NULL)
		return EXIT_FAILED;

	while (rc == EXIT_OK && (len = getline(&line, &cap, stdin)) != -1)
	{
		char	   *tab;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		tab = strchr(line, '\t');
		if (tab == NULL)
		{
			fprintf(stderr, "kafka-dump: stdin line %ld has no TAB between key and value\n", lineno);
			rc = EXIT_USAGE;
			break;
		}
		*tab = '\0';
		do
		{
			const char *key = null_or(line);
			const char *value = null_or(tab + 1);

			err = rd_kafka_producev(rk,
									RD_KAFKA_V_TOPIC(o->produce),
									RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
									RD_KAFKA_V_VALUE((void *) value, value ? strlen(value) : 0),
									RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
									RD_KAFKA_V_END);
			if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				rd_kafka_poll(rk, 100);
		} while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_s() < deadline);
		if (err)
		{
			fprintf(stderr, "kafka-dump: could not produce stdin line %ld: %s\n",
					lineno, rd_kafka_err2str(err));
			rc = EXIT_FAILED;
		}
		else
			sent++;
		if (sent % 1024 == 0)
			rd_kafka_poll(rk, 0);   /* delivery reports, in batches */
	}
	free(line);

	err = rd_kafka_flush(rk, ms_left(deadline));
	if (err)
	{
		fprintf(stderr, "kafka-dump: timed out after %ld s with %d message(s) not acknowledged\n",
				o->timeout_s, rd_kafka_outq_len(rk));
		rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		rc = EXIT_TIMEOUT;
	}
	else if (failed > 0)
	{
		fprintf(stderr, "kafka-dump: %ld of %ld message(s) were not delivered\n", failed, sent);
		rc = EXIT_FAILED;
	}
	else if (rc == EXIT_OK)
		fprintf(stderr, "kafka-dump: produced %ld message(s) to %s\n", sent, o->produce);
	rd_kafka_destroy(rk);
	return rc;
}

int
main(int argc, char **argv)
{
	options		o = { 0 };
	bool		help = false;

	if (!parse_options(argc, argv, &o, &help))
	{
		usage(stderr);
		return EXIT_USAGE;
	}
	if (help)
	{
		usage(stdout);
		return EXIT_OK;
	}
	return o.produce != NULL ? run_produce(&o) : run_dump(&o);
}
