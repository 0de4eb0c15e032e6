#!/bin/sh
# Checks kafka-mock and kafka-dump against each other; run by hand, not by
# `make test`:
#
#   sh tests/kafka/selftest.sh [BINDIR]      (default bin)
#
# Starts a mock cluster, produces with `kafka-dump --produce` and dumps the
# messages back; takes the brokers down (SIGUSR1) and checks a dump times
# out, brings them up (SIGUSR2) and produces again; injects Produce errors
# through the errors file; then stops the mock by its PID and checks it
# exited 0. Prints "selftest: ok" or the first difference and exits non-zero.
set -u

BINDIR=${1:-bin}
TMP=$(mktemp -d /tmp/kafka-selftest.XXXXXX) || exit 2
MOCK_PID=
cleanup() {
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "selftest: FAILED: $*"; echo "--- mock log"; cat "$TMP/mock.log"; exit 1; }

"$BINDIR/kafka-mock" --brokers 3 --topic t.one:2 --topic t.two:1 \
	--bootstrap-file "$TMP/boot" --errors-file "$TMP/errors" >"$TMP/mock.out" 2>"$TMP/mock.log" &
MOCK_PID=$!
for i in $(seq 50); do [ -s "$TMP/boot" ] && break; sleep 0.1; done
[ -s "$TMP/boot" ] || fail "no bootstrap file"
cmp -s "$TMP/boot" "$TMP/mock.out" || fail "stdout and bootstrap file differ"
grep -qE '^127\.0\.0\.1:[0-9]+(,127\.0\.0\.1:[0-9]+){2}$' "$TMP/boot" || fail "not loopback: $(cat "$TMP/boot")"
B="--bootstrap-file $TMP/boot"

# empty topics dump as nothing; a missing topic is an error
"$BINDIR/kafka-dump" $B --topic t.one --timeout 10 >"$TMP/out" || fail "dump of empty topic"
[ -s "$TMP/out" ] && fail "empty topic printed something"
"$BINDIR/kafka-dump" $B --topic nope --timeout 10 >/dev/null 2>&1 && fail "missing topic accepted"

printf '{"id":1}\t{"v":"a"}\n{"id":2}\tnull\nnull\t{"v":"c b"}\n' |
	"$BINDIR/kafka-dump" $B --produce t.two --timeout 10 || fail "produce 1"
printf 'k1\tv1\n' | "$BINDIR/kafka-dump" $B --produce t.one --timeout 10 || fail "produce 2"
"$BINDIR/kafka-dump" $B --topic-prefix t. --timeout 10 >"$TMP/raw" || fail "dump 1"
sort "$TMP/raw" >"$TMP/out"
printf 't.one\t%s\t0\tk1\tv1\nt.two\t0\t0\t{"id":1}\t{"v":"a"}\nt.two\t0\t1\t{"id":2}\tnull\nt.two\t0\t2\tnull\t{"v":"c b"}\n' \
	"$(cut -f2 "$TMP/out" | head -n 1)" >"$TMP/want"
diff "$TMP/want" "$TMP/out" || fail "dump 1 differs"

# brokers down: a dump cannot finish; up again: producing works
kill -USR1 "$MOCK_PID"
sleep 0.5
grep -q 'brokers down' "$TMP/mock.log" || fail "no 'brokers down' logged"
"$BINDIR/kafka-dump" $B --topic t.two --timeout 2 >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 3 ] || fail "dump with brokers down: exit $rc, want 3"
kill -USR2 "$MOCK_PID"
sleep 0.5
grep -q 'brokers up' "$TMP/mock.log" || fail "no 'brokers up' logged"
printf 'k4\tv4\n' | "$BINDIR/kafka-dump" $B --produce t.two --timeout 20 || fail "produce after up"

# injected Produce errors are retried by the producer
printf 'produce NOT_LEADER_FOR_PARTITION 2\nproduce _TRANSPORT 1\n' >"$TMP/errors.tmp"
mv "$TMP/errors.tmp" "$TMP/errors"
for i in $(seq 20); do [ -e "$TMP/errors" ] || break; sleep 0.1; done
[ -e "$TMP/errors" ] && fail "errors file not consumed"
grep -q 'next 2 produce request(s) fail with NOT_LEADER_FOR_PARTITION' "$TMP/mock.log" || fail "injection not logged"
printf 'k5\tv5\n' | "$BINDIR/kafka-dump" $B --produce t.two --timeout 20 || fail "produce with errors"

# --wait-count: a topic that appears later is picked up
( sleep 1; printf 'k6\tv6\n' | "$BINDIR/kafka-dump" $B --produce t.later --timeout 10 2>/dev/null ) &
"$BINDIR/kafka-dump" $B --topic t.later --wait-count 1 --timeout 10 >"$TMP/out" || fail "wait-count"
wait $! || fail "produce to t.later"
grep -q "^t.later	[0-9]*	0	k6	v6$" "$TMP/out" || fail "wait-count output: $(cat "$TMP/out")"
"$BINDIR/kafka-dump" $B --topic t.two --timeout 10 >"$TMP/raw" || fail "dump 2"
cut -f3- "$TMP/raw" >"$TMP/out"
printf '0\t{"id":1}\t{"v":"a"}\n1\t{"id":2}\tnull\n2\tnull\t{"v":"c b"}\n3\tk4\tv4\n4\tk5\tv5\n' >"$TMP/want"
diff "$TMP/want" "$TMP/out" || fail "dump 2 differs"

kill "$MOCK_PID"
wait "$MOCK_PID"
rc=$?
MOCK_PID=
[ "$rc" -eq 0 ] || fail "kafka-mock exited $rc on SIGTERM"
[ -e "$TMP/boot" ] && fail "bootstrap file left behind"
echo "selftest: ok"
