/*
 * Unit tests for a stream's mark (stream/instance.c): what an earlier
 * stream's mark says about it (this process, a process of the same program
 * that runs or has ended, another host, not a stream of this database,
 * an older version's mark), also when a server cut the mark short.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stream/instance.h"

/* mark_of: the mark a process pid on this host would leave */
static void
mark_of(long pid, const char *role, const char *name, char *out, size_t len)
{
	char mine[256];

	instance_mark(role, name, mine, sizeof(mine));
	/* ours is "ROLE[OURPID]@HOST NAME": swap the pid */
	snprintf(out, len, "%s[%ld]%s", role, pid, strchr(mine, ']') + 1);
}

START_TEST(own_mark)
{
	char m[256];
	pid_t pid;

	instance_mark("stream", "trading", m, sizeof(m));
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_SELF);
	ck_assert_int_eq(pid, getpid());
	ck_assert_int_eq(instance_classify(m, NULL, NULL, 0, &pid), INSTANCE_SELF);
}
END_TEST

START_TEST(other_role_or_database)
{
	char m[256];
	pid_t pid;

	instance_mark("publish", "trading", m, sizeof(m));
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
	instance_mark("stream", "finance", m, sizeof(m));
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
	ck_assert_int_eq(instance_classify(m, "stream", "trad", 0, &pid), INSTANCE_FOREIGN);
	/* a real replica's report host, or none */
	ck_assert_int_eq(instance_classify("replica-7.example.com", "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
	ck_assert_int_eq(instance_classify("", "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
	ck_assert_int_eq(instance_classify("stream[x]@h trading", "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
	ck_assert_int_eq(instance_classify("stream[0]@h trading", "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
	ck_assert_int_eq(instance_classify("stream[12]h trading", "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
}
END_TEST

START_TEST(another_host)
{
	pid_t pid;

	ck_assert_int_eq(instance_classify("stream[4242]@no-such-host.invalid trading", "stream", "trading", 0, &pid),
					 INSTANCE_ELSEWHERE);
	ck_assert_int_eq(pid, 4242);
}
END_TEST

START_TEST(older_versions)
{
	pid_t pid;

	/* application_name "stream"; report host "stream-NAME" */
	ck_assert_int_eq(instance_classify("stream", "stream", NULL, 63, &pid), INSTANCE_ELSEWHERE);
	ck_assert_int_eq(pid, 0);
	ck_assert_int_eq(instance_classify("stream-trading", "stream", "trading", 0, &pid), INSTANCE_ELSEWHERE);
	ck_assert_int_eq(instance_classify("stream-finance", "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
	ck_assert_int_eq(instance_classify("migrate", "stream", NULL, 63, &pid), INSTANCE_FOREIGN);
}
END_TEST

START_TEST(running_then_ended)
{
	char m[256];
	pid_t pid;
	int st;

	/* a child is this program (same command name): running, then a
	 * zombie (ended, not reaped), then gone */
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	mark_of(child, "stream", "trading", m, sizeof(m));
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_ALIVE);
	ck_assert_int_eq(pid, child);
	kill(child, SIGKILL);
	for (int i = 0; i < 100 && instance_classify(m, "stream", "trading", 0, &pid) != INSTANCE_ENDED; i++)
		usleep(10000);
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_ENDED);
	waitpid(child, &st, 0);
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_ENDED);
	/* a pid no process has */
	mark_of(2147483600L, "stream", "trading", m, sizeof(m));
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_ENDED);
}
END_TEST

START_TEST(cut_short)
{
	char m[256];
	pid_t pid;

	/* PostgreSQL cut the application name inside the host name: the
	 * prefix still names this host */
	instance_mark("stream", "trading", m, sizeof(m));
	char *at = strchr(m, '@');
	if (strlen(at + 1) > strlen(" trading") + 1) {
		size_t cut = (size_t) (at - m) + 2;     /* one byte of the host */
		m[cut] = '\0';
		ck_assert_int_eq(instance_classify(m, "stream", NULL, cut, &pid), INSTANCE_SELF);
		/* not cut by the server: a host of that short name is another one */
		ck_assert_int_eq(instance_classify(m, "stream", NULL, 0, &pid), INSTANCE_ELSEWHERE);
	}
	/* cut inside the database name */
	instance_mark("stream", "trading", m, sizeof(m));
	size_t n = strlen(m) - 3;
	m[n] = '\0';
	ck_assert_int_eq(instance_classify(m, "stream", "trading", n, &pid), INSTANCE_SELF);
	ck_assert_int_eq(instance_classify(m, "stream", "trading", 0, &pid), INSTANCE_FOREIGN);
}
END_TEST

START_TEST(bounded_wait)
{
	instance_wait w;
	volatile sig_atomic_t stop = 0;
	int naps = 0;

	instance_wait_begin(&w, 0.6, &stop);
	while (instance_wait_more(&w))
		naps++;
	ck_assert_int_ge(naps, 2);
	ck_assert_int_le(naps, 4);
	ck_assert(!instance_wait_stopped(&w));
	instance_wait_begin(&w, 10, &stop);
	stop = 1;
	ck_assert(!instance_wait_more(&w));
	ck_assert(instance_wait_stopped(&w));
	instance_wait_begin(&w, 0, NULL);
	ck_assert(!instance_wait_more(&w));
}
END_TEST

Suite *
instance_suite(void)
{
	Suite *s = suite_create("instance");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, own_mark);
	tcase_add_test(tc, other_role_or_database);
	tcase_add_test(tc, another_host);
	tcase_add_test(tc, older_versions);
	tcase_add_test(tc, running_then_ended);
	tcase_add_test(tc, cut_short);
	tcase_add_test(tc, bounded_wait);
	suite_add_tcase(s, tc);
	return s;
}
