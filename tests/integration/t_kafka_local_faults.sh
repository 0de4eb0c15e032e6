#!/bin/sh
# stream --to kafka without PostgreSQL (no SINK_DB_URL: the checkpoint is the
# local file KAFKA_CHECKPOINT_FILE, and there is no PostgreSQL sink at all)
# meets the faults whose handling used to look at a PostgreSQL connection
# (issue 12); none of them may crash the daemon:
#   (c) the checkpoint file cannot be written (FILE.tmp is a directory, which
#       stops root too) under a steady write load: an error naming the file,
#       then either retries that catch up once the file can be written again,
#       or exit 1;
#   (b) a delivery report fails (the mock broker refuses produce requests with
#       MSG_SIZE_TOO_LARGE) under a steady write load: retries that
#       publish every change once the broker takes them again, or exit 1;
#   (a) a change to a streamed table logged as a statement (a session's
#       binlog_format=STATEMENT): exit 1, naming the table and the database
#       and saying binlog_format must be ROW.
# Every part runs even when an earlier one failed; the test fails at the end
# with all the problems found.
. "$(dirname "$0")/lib.sh"

DB="$TEST_DB"
my_fresh_db "$DB"
my "USE \`$DB\`; CREATE TABLE k (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
INSERT INTO k SELECT seq, seq, CONCAT('s', seq) FROM seq_1_to_20" || fail "source setup failed"
write_env klf "$DB" klf_sink
allow klf k
pg_drop_schemas klf_sink
run_migrate --database klf --tables all || fail "migrate failed"

start_kafka_mock --brokers 1 --topic "klf.$DB.k:1" --errors-file "$T/errors"

# from here on without PostgreSQL: no SINK_DB_URL in .env
CK="$T/ckpt/klf.json"
mkdir -p "$T/ckpt"
grep -v '^SINK_DB_URL=' "$T/.env" >"$T/.env.local"
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=klf\nKAFKA_CHECKPOINT_FILE=%s\n' "$BOOT" "$CK" >>"$T/.env.local"
mv "$T/.env.local" "$T/.env"
chmod 600 "$T/.env"

PROBLEMS=""
# problem MSG: noted; the test goes on and fails at the end
problem() {
	echo "# PROBLEM: $*" >&2
	PROBLEMS="$PROBLEMS
  - $*"
}

# ckpt: the checkpoint file's position as FILE:POS ("" when unreadable)
ckpt() {
	[ -s "$CK" ] || return 0
	sed -n 's/.*"binlog_file": *"\([^"]*\)".*"binlog_pos": *\([0-9]*\).*/\1:\2/p' "$CK"
}

# wait_ckpt_file F:P TENTHS: the checkpoint file reaches F:P
wait_ckpt_file() {
	_i=0
	until [ "$(ckpt)" = "$1" ]; do
		_i=$((_i + 1))
		[ "$_i" -le "$2" ] || return 1
		sleep 0.1
	done
}

# writer FROM TO: one autocommitted insert per id, about 20 ms apart, in one
# session (a steady load: the source never idles long enough for a heartbeat)
writer() {
	(
		echo "USE \`$DB\`;"
		i=$1
		while [ "$i" -le "$2" ]; do
			echo "INSERT INTO k VALUES ($i, $i, 'w$i'); DO SLEEP(0.02);"
			i=$((i + 1))
		done
	) | my >"$T/writer.out" 2>&1
}

# crash_check RC LOG WHAT: a signal death or a sanitizer report is a problem
crash_check() {
	if [ "$1" -ge 128 ]; then
		problem "$3: stream crashed (exit status $1, signal $(($1 - 128)))"
	fi
	if grep -Eq 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer' "$2"; then
		problem "$3: a sanitizer report in the log"
	fi
}

# since N: the background log from line N+1 on
since() {
	tail -n +"$(($1 + 1))" "$T/stream.bg.log"
}
loglines() {
	if [ -f "$T/stream.bg.log" ]; then wc -l <"$T/stream.bg.log" | tr -d ' '; else echo 0; fi
}

# events_ok FROM TO WHAT: every id FROM..TO has an insert event (op "c") in the topic
events_ok() {
	"$DUMP" --bootstrap "$BOOT" --topic "klf.$DB.k" >"$T/ev.tsv" 2>"$T/dump.err" ||
		{ problem "$3: kafka-dump failed: $(cat "$T/dump.err")"; return; }
	_n=$(awk -F '\t' -v a="$1" -v b="$2" '$5 ~ /"op":"c"/ && match($4, /"id":[0-9]+/) {
			id = substr($4, RSTART + 5, RLENGTH - 5) + 0
			if (id >= a && id <= b) seen[id] = 1
		} END { n = 0; for (i in seen) n++; print n }' "$T/ev.tsv")
	[ "$_n" = $(($2 - $1 + 1)) ] || problem "$3: only $_n of the $(($2 - $1 + 1)) inserts $1..$2 were published"
}

# stop_daemon WHAT: SIGTERM to a running daemon, which must exit 0
stop_daemon() {
	if kill -0 "$STREAM_PID" 2>/dev/null; then
		kill -TERM "$STREAM_PID"
		_rc=0
		wait "$STREAM_PID" || _rc=$?
		crash_check "$_rc" "$T/stream.bg.log" "$1 (at SIGTERM)"
		[ "$_rc" -eq 0 ] || [ "$_rc" -ge 128 ] || problem "$1: SIGTERM: exit status $_rc, not 0"
	fi
}

# --- the first start: --snapshot, then the daemon publishes --------------------
run_stream --database klf --to kafka --snapshot --stop-at "$(binlog_end)" ||
	fail "stream --to kafka --snapshot without PostgreSQL failed"
[ -n "$(ckpt)" ] || fail "no checkpoint file after the snapshot"
start_stream --database klf --to kafka
my "INSERT INTO \`$DB\`.k VALUES (100, 100, 'warm')"
wait_ckpt_file "$(binlog_end)" 300 || fail "the publisher did not move the checkpoint file (at '$(ckpt)', source at $(binlog_end))"

# --- (c) the checkpoint file cannot be written ---------------------------------
# open(FILE.tmp, O_WRONLY|O_CREAT) fails with EISDIR, for root as well
n0=$(loglines)
mkdir "$CK.tmp"
writer 1001 1200 &
wpid=$!
at_exit "kill $wpid 2>/dev/null"
if ! wait_log "$T/stream.bg.log" "could not record the published position" 200; then
	problem "(c) no error about the checkpoint file within 20 s of making it unwritable"
fi
wait "$wpid" || problem "(c) the writer failed: $(cat "$T/writer.out")"
sleep 1
if kill -0 "$STREAM_PID" 2>/dev/null; then
	# retrying: it keeps running and catches up once the file can be written
	sleep 2
	if kill -0 "$STREAM_PID" 2>/dev/null; then
		c_retried=1     # stopped on purpose below: not an exit to judge
		since "$n0" >"$T/c.log"
		grep -F "could not record the published position" "$T/c.log" | head -n 1 >"$T/c.err"
		grep -qF "$CK" "$T/c.err" || problem "(c) the error does not name the checkpoint file $CK: $(cat "$T/c.err")"
		grep -q "retrying in" "$T/c.log" || problem "(c) still running but no retry logged"
		rmdir "$CK.tmp"
		end=$(binlog_end)
		wait_ckpt_file "$end" 600 || problem "(c) the checkpoint file did not catch up with $end within 60 s of being writable (at '$(ckpt)')"
		events_ok 1001 1200 "(c)"
		stop_daemon "(c)"
	fi
fi
if [ "${c_retried:-0}" = 0 ] && ! kill -0 "$STREAM_PID" 2>/dev/null; then
	rc=0
	wait "$STREAM_PID" || rc=$?
	since "$n0" >"$T/c.log"
	echo "# (c): stream exited with status $rc; its last lines:" >&2
	tail -n 8 "$T/c.log" | sed 's/^/#   /' >&2
	crash_check "$rc" "$T/c.log" "(c) checkpoint file not writable"
	if [ "$rc" -lt 128 ]; then
		[ "$rc" -eq 1 ] || problem "(c) exit status $rc, not 1"
		grep -F "could not record the published position" "$T/c.log" | grep -qF "$CK" ||
			problem "(c) exited without an error naming the checkpoint file $CK"
	fi
fi
rmdir "$CK.tmp" 2>/dev/null

# --- (b) a delivery report fails ------------------------------------------------
n0=$(loglines)
start_stream --database klf --to kafka
wait_ckpt_file "$(binlog_end)" 600 || problem "(b) the publisher did not catch up before the fault (at '$(ckpt)')"
writer 2001 2200 &
wpid=$!
at_exit "kill $wpid 2>/dev/null"
sleep 1
printf 'produce MSG_SIZE_TOO_LARGE 5\n' >"$T/errors.tmp"
mv "$T/errors.tmp" "$T/errors"
i=0
until grep -q "produce request" "$T/mock.err" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "produce request" "$T/mock.err" || fail "the mock broker did not take the errors file"
i=0
until since "$n0" | grep -Eq "was not delivered|publishing to Kafka failed|the producer failed" || [ $i -ge 200 ]; do
	sleep 0.1; i=$((i + 1))
done
since "$n0" | grep -Eq "was not delivered|publishing to Kafka failed|the producer failed" ||
	problem "(b) no delivery failure logged within 20 s of the refused produce requests"
wait "$wpid" || problem "(b) the writer failed: $(cat "$T/writer.out")"
sleep 1
if kill -0 "$STREAM_PID" 2>/dev/null; then
	end=$(binlog_end)
	wait_ckpt_file "$end" 600 || problem "(b) the checkpoint file did not catch up with $end within 60 s (at '$(ckpt)')"
	events_ok 2001 2200 "(b)"
	stop_daemon "(b)"
else
	rc=0
	wait "$STREAM_PID" || rc=$?
	since "$n0" >"$T/b.log"
	echo "# (b): stream exited with status $rc; its last lines:" >&2
	tail -n 8 "$T/b.log" | sed 's/^/#   /' >&2
	crash_check "$rc" "$T/b.log" "(b) failed delivery report"
	[ "$rc" -ge 128 ] || [ "$rc" -eq 1 ] || problem "(b) exit status $rc, not 1"
fi

# --- (a) statement-format DML on a streamed table ------------------------------
my "SET SESSION binlog_format = 'STATEMENT'; INSERT INTO \`$DB\`.k VALUES (9001, 1, 'stmt')" ||
	fail "could not write a statement-logged change"
rc=0
run_stream --database klf --to kafka --stop-at "$(binlog_end)" || rc=$?
echo "# (a): stream exited with status $rc; its last lines:" >&2
tail -n 8 "$T/stream.log" | sed 's/^/#   /' >&2
crash_check "$rc" "$T/stream.log" "(a) statement-format DML"
if [ "$rc" -lt 128 ]; then
	[ "$rc" -eq 1 ] || problem "(a) exit status $rc, not 1"
fi
grep -F "was logged as a statement" "$T/stream.log" >"$T/a.err"
[ -s "$T/a.err" ] || problem "(a) no error about the statement-logged change"
grep -qF 'table "k"' "$T/a.err" || problem "(a) the error does not name table k"
grep -qF 'database "klf"' "$T/a.err" || problem "(a) the error does not name database klf"
grep -qF "binlog_format=ROW" "$T/stream.log" || problem "(a) the error does not say binlog_format must be ROW"

[ -z "$PROBLEMS" ] || fail "stream --to kafka without PostgreSQL:$PROBLEMS"
exit 0
