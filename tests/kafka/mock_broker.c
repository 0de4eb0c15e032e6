/*
 * kafka-mock: a throwaway Kafka cluster for tests, librdkafka's built-in mock
 * cluster kept running in its own process.
 *
 *   kafka-mock [--brokers N] [--topic NAME:PARTITIONS]... [--bootstrap-file FILE]
 *              [--errors-file FILE] [--debug CONTEXTS]
 *
 * How it works: a producer handle is created only to host the mock cluster
 * (librdkafka needs one for its bookkeeping; it never produces). The brokers
 * listen on 127.0.0.1 only, on ports the kernel picks (the mock binds
 * INADDR_LOOPBACK itself, so nothing needs forcing). Once the listed topics
 * exist, the bootstrap servers ("127.0.0.1:PORT,...") are printed on stdout
 * and written to --bootstrap-file through FILE.tmp and a rename, so a test
 * that waits for the file never reads half of it; the file is removed on a
 * clean exit. Topics that are not pre-created are auto-created by the mock
 * on a producer's first metadata request, with 4 partitions.
 *
 * The main loop wakes every 100 ms and acts on what the signal handlers
 * noted: SIGTERM or SIGINT destroy the cluster and exit 0; SIGUSR1 takes
 * every broker down (connections closed, new ones refused, same ports kept);
 * SIGUSR2 brings them back up. When --errors-file appears it is read, each
 * line "produce ERRCODE COUNT" makes the next COUNT Produce requests fail with
 * ERRCODE (a number, or a name such as NOT_LEADER_FOR_PARTITION or
 * _TRANSPORT, which disconnects the client), and the file is deleted. Write
 * it to a temporary name and mv it into place. Every action is logged on
 * stderr, one line each, so tests can wait for it.
 *
 * Limits of the librdkafka 2.0.2 mock that tests must respect: each
 * partition keeps at most about 5 MiB (and 100000 message batches); beyond
 * that the oldest batches are dropped and the partition's low watermark moves
 * up, so a test that needs every message must stay under that per partition.
 * The CreateTopics admin request is not supported (use --topic), nor is
 * topic deletion; replication is simulated, data is held once, in memory.
 *
 * Test-only: it links nothing but librdkafka, so it builds whatever state the
 * product code is in.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EXIT_OK      0
#define EXIT_FAILED  1      /* the cluster could not be started (logged) */
#define EXIT_USAGE   2

#define MAX_TOPICS   64
#define MAX_BROKERS  16

/* Kafka protocol ApiKeys: librdkafka's RD_KAFKAP_* names are not installed. */
static const struct {
	const char *name;
	int16_t     api_key;
} mock_requests[] = {
	{ "produce", 0 },
	{ "fetch", 1 },
	{ "listoffsets", 2 },
	{ "metadata", 3 },
};

typedef struct options {
	int         brokers;
	const char *topic[MAX_TOPICS];      /* "NAME:PARTITIONS" as given */
	int         ntopics;
	const char *bootstrap_file;         /* NULL = stdout only */
	const char *errors_file;            /* NULL = no error injection */
	const char *debug;                  /* librdkafka debug contexts */
} options;

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t down_requested = 0;   /* SIGUSR1 seen */
static volatile sig_atomic_t up_requested = 0;     /* SIGUSR2 seen */
static volatile sig_atomic_t last_updown = 0;      /* the later of the two */

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		down_requested = 1;
	else if (sig == SIGUSR2)
		up_requested = 1;
	else
		stop_requested = 1;
	if (sig == SIGUSR1 || sig == SIGUSR2)
		last_updown = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"kafka-mock runs librdkafka's mock Kafka cluster on 127.0.0.1 until SIGTERM.\n\n"
		"Usage:\n"
		"  kafka-mock [options]\n\n"
		"Options:\n"
		"  --brokers N              brokers, 1..%d (default 1)\n"
		"  --topic NAME:PARTITIONS  create a topic first (repeatable)\n"
		"  --bootstrap-file FILE    write the bootstrap servers here (atomically)\n"
		"  --errors-file FILE       inject errors when FILE appears: lines\n"
		"                           \"produce ERRCODE COUNT\" (also fetch, listoffsets, metadata)\n"
		"  --debug CONTEXTS         librdkafka debug contexts, e.g. mock,protocol\n"
		"  --help                   this text\n\n"
		"Signals: SIGTERM/SIGINT stop and exit 0; SIGUSR1 takes all brokers down;\n"
		"SIGUSR2 brings them up.\n",
		MAX_BROKERS);
}

/* parse_whole: a whole number in [min, max]; never prints */
static bool
parse_whole(const char *arg, long min, long max, long *out)
{
	char	   *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	return errno == 0 && end != arg && *end == '\0' && *out >= min && *out <= max;
}

/* parse_int: an option's whole number in [min, max], or a message naming it */
static bool
parse_int(const char *opt, const char *arg, int min, int max, int *out)
{
	long		v;

	if (!parse_whole(arg, min, max, &v))
	{
		fprintf(stderr, "kafka-mock: %s must be a whole number from %d to %d, not \"%s\"\n",
				opt, min, max, arg);
		return false;
	}
	*out = (int) v;
	return true;
}

static bool
parse_options(int argc, char **argv, options *o, bool *help)
{
	enum { O_BROKERS = 256, O_TOPIC, O_BOOT, O_ERRORS, O_DEBUG, O_HELP };
	static const struct option longopts[] = {
		{ "brokers", required_argument, NULL, O_BROKERS },
		{ "topic", required_argument, NULL, O_TOPIC },
		{ "bootstrap-file", required_argument, NULL, O_BOOT },
		{ "errors-file", required_argument, NULL, O_ERRORS },
		{ "debug", required_argument, NULL, O_DEBUG },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int			c;

	o->brokers = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case O_BROKERS:
				if (!parse_int("--brokers", optarg, 1, MAX_BROKERS, &o->brokers))
					return false;
				break;
			case O_TOPIC:
				if (o->ntopics == MAX_TOPICS)
				{
					fprintf(stderr, "kafka-mock: at most %d --topic options\n", MAX_TOPICS);
					return false;
				}
				o->topic[o->ntopics++] = optarg;
				break;
			case O_BOOT:
				o->bootstrap_file = optarg;
				break;
			case O_ERRORS:
				o->errors_file = optarg;
				break;
			case O_DEBUG:
				o->debug = optarg;
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
		fprintf(stderr, "kafka-mock: unexpected argument \"%s\"\n", argv[optind]);
		return false;
	}
	return true;
}

/* create_topic: "NAME:PARTITIONS" */
static bool
create_topic(rd_kafka_mock_cluster_t *mcluster, const char *spec, int brokers)
{
	const char *colon = strrchr(spec, ':');
	char		name[256];
	int			partitions;
	rd_kafka_resp_err_t err;

	if (colon == NULL || colon == spec || (size_t) (colon - spec) >= sizeof(name))
	{
		fprintf(stderr, "kafka-mock: --topic must be NAME:PARTITIONS, not \"%s\"\n", spec);
		return false;
	}
	memcpy(name, spec, (size_t) (colon - spec));
	name[colon - spec] = '\0';
	if (!parse_int("--topic partitions", colon + 1, 1, 1000, &partitions))
		return false;
	/* the mock ignores the replication factor; pass what Kafka would accept */
	err = rd_kafka_mock_topic_create(mcluster, name, partitions, brokers < 3 ? brokers : 3);
	if (err)
	{
		fprintf(stderr, "kafka-mock: could not create topic \"%s\": %s\n",
				name, rd_kafka_err2str(err));
		return false;
	}
	fprintf(stderr, "kafka-mock: created topic %s with %d partition(s)\n", name, partitions);
	return true;
}

/* write_bootstrap_file: FILE.tmp, then rename, so readers see all or nothing */
static bool
write_bootstrap_file(const char *path, const char *bootstraps)
{
	char		tmp[4096];
	FILE	   *f;

	if ((size_t) snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
	{
		fprintf(stderr, "kafka-mock: --bootstrap-file path is too long\n");
		return false;
	}
	f = fopen(tmp, "w");
	if (f == NULL)
	{
		fprintf(stderr, "kafka-mock: could not create \"%s\": %s\n", tmp, strerror(errno));
		return false;
	}
	fprintf(f, "%s\n", bootstraps);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
	{
		fprintf(stderr, "kafka-mock: could not write \"%s\": %s\n", path, strerror(errno));
		unlink(tmp);
		return false;
	}
	return true;
}

/* parse_errcode: a number, or a librdkafka error name with or without its
 * RD_KAFKA_RESP_ERR_ prefix */
static bool
parse_errcode(const char *s, rd_kafka_resp_err_t *out)
{
	const struct rd_kafka_err_desc *descs;
	size_t		n;
	long		v;

	if (parse_whole(s, -1000, 1000, &v))
	{
		*out = (rd_kafka_resp_err_t) v;
		return true;
	}
	if (strncasecmp(s, "RD_KAFKA_RESP_ERR_", 18) == 0)
		s += 18;
	rd_kafka_get_err_descs(&descs, &n);
	for (size_t i = 0; i < n; i++)
	{
		if (descs[i].name != NULL && strcasecmp(descs[i].name, s) == 0)
		{
			*out = descs[i].code;
			return true;
		}
	}
	return false;
}

/* inject_line: one line of the errors file; a bad line is logged and skipped */
static void
inject_line(rd_kafka_mock_cluster_t *mcluster, const char *path, int lineno, char *line)
{
	char	   *words[4];
	int			nwords = 0;
	char	   *save = NULL;
	int			request = -1;
	long		count;
	rd_kafka_resp_err_t err;
	rd_kafka_resp_err_t *errs;

	for (char *w = strtok_r(line, " \t\r\n", &save); w != NULL && nwords < 4;
		 w = strtok_r(NULL, " \t\r\n", &save))
		words[nwords++] = w;
	if (nwords == 0 || words[0][0] == '#')
		return;
	for (size_t i = 0; i < sizeof(mock_requests) / sizeof(mock_requests[0]); i++)
		if (strcasecmp(words[0], mock_requests[i].name) == 0)
			request = (int) i;
	if (nwords != 3 || request < 0 || !parse_errcode(words[1], &err) ||
		!parse_whole(words[2], 1, 100000, &count))
	{
		fprintf(stderr, "kafka-mock: %s:%d: expected \"produce ERRCODE COUNT\", line skipped\n",
				path, lineno);
		return;
	}
	errs = malloc(sizeof(*errs) * (size_t) count);
	if (errs == NULL)
	{
		fprintf(stderr, "kafka-mock: out of memory\n");
		return;
	}
	for (long i = 0; i < count; i++)
		errs[i] = err;
	rd_kafka_mock_push_request_errors_array(mcluster, mock_requests[request].api_key,
											(size_t) count, errs);
	free(errs);
	fprintf(stderr, "kafka-mock: the next %ld %s request(s) fail with %s (%d)\n",
			count, mock_requests[request].name, rd_kafka_err2name(err), (int) err);
}

/* check_errors_file: inject what the file asks for, then delete it */
static void
check_errors_file(rd_kafka_mock_cluster_t *mcluster, const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[512];
	int			lineno = 0;

	if (f == NULL)
	{
		if (errno != ENOENT)
			fprintf(stderr, "kafka-mock: could not read \"%s\": %s\n", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		inject_line(mcluster, path, ++lineno, line);
	fclose(f);
	if (unlink(path) != 0)
		fprintf(stderr, "kafka-mock: could not delete \"%s\": %s\n", path, strerror(errno));
}

/* set_brokers: all brokers up or down */
static void
set_brokers(rd_kafka_mock_cluster_t *mcluster, bool up)
{
	rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(mcluster, -1)
		: rd_kafka_mock_broker_set_down(mcluster, -1);

	if (err)
		fprintf(stderr, "kafka-mock: could not set brokers %s: %s\n",
				up ? "up" : "down", rd_kafka_err2str(err));
	else
		fprintf(stderr, "kafka-mock: brokers %s\n", up ? "up" : "down");
}

/* apply_updown: both signals since the last tick are applied, the later last */
static void
apply_updown(rd_kafka_mock_cluster_t *mcluster)
{
	bool		down = down_requested;
	bool		up = up_requested;
	bool		up_last = last_updown == SIGUSR2;

	down_requested = 0;
	up_requested = 0;
	if (down && (up_last || !up))
		set_brokers(mcluster, false);
	if (up)
		set_brokers(mcluster, true);
	if (down && up && !up_last)
		set_brokers(mcluster, false);
}

int
main(int argc, char **argv)
{
	options		o = { 0 };
	bool		help = false;
	char		errstr[512];
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mcluster;
	const char *bootstraps;
	struct sigaction sa = { 0 };
	sigset_t	sigs;
	int			rc = EXIT_OK;

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

	/*
	 * The signals must reach this thread only: the mock cluster's thread
	 * does not block them, and in librdkafka 2.0.2 its poll() failing with
	 * EINTR ends that thread for good (then destroying the cluster hangs).
	 * Threads inherit the mask, so block before librdkafka starts any and
	 * unblock here once they run.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the host handle never connects anywhere: keep its notices quiet */
	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
		(o.debug != NULL &&
		 rd_kafka_conf_set(conf, "debug", o.debug, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK))
	{
		fprintf(stderr, "kafka-mock: %s\n", errstr);
		rd_kafka_conf_destroy(conf);
		return EXIT_USAGE;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));  /* takes conf on success */
	if (rk == NULL)
	{
		fprintf(stderr, "kafka-mock: could not create the host handle: %s\n", errstr);
		rd_kafka_conf_destroy(conf);
		return EXIT_FAILED;
	}
	mcluster = rd_kafka_mock_cluster_new(rk, o.brokers);
	if (mcluster == NULL)
	{
		fprintf(stderr, "kafka-mock: could not start the mock cluster (see librdkafka's message above)\n");
		rd_kafka_destroy(rk);
		return EXIT_FAILED;
	}
	pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
	for (int i = 0; i < o.ntopics && rc == EXIT_OK; i++)
		if (!create_topic(mcluster, o.topic[i], o.brokers))
			rc = EXIT_USAGE;

	bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
	if (rc == EXIT_OK && o.bootstrap_file != NULL &&
		!write_bootstrap_file(o.bootstrap_file, bootstraps))
		rc = EXIT_FAILED;
	if (rc == EXIT_OK)
	{
		printf("%s\n", bootstraps);
		fflush(stdout);
		fprintf(stderr, "kafka-mock: %d broker(s) at %s, pid %ld\n",
				o.brokers, bootstraps, (long) getpid());
	}

	while (rc == EXIT_OK && !stop_requested)
	{
		if (down_requested || up_requested)
			apply_updown(mcluster);
		if (o.errors_file != NULL)
			check_errors_file(mcluster, o.errors_file);
		rd_kafka_poll(rk, 100);     /* serves the host handle's logs; the tick */
	}

	if (rc == EXIT_OK)
		fprintf(stderr, "kafka-mock: stopping\n");
	if (rc == EXIT_OK && o.bootstrap_file != NULL)
		unlink(o.bootstrap_file);
	rd_kafka_mock_cluster_destroy(mcluster);
	rd_kafka_destroy(rk);
	return rc;
}
