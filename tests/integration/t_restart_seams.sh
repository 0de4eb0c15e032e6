#!/bin/sh
# stream never goes down at the seams (issue 13), under a steady write load:
#   a) SIGTERM and an immediate start, 20 times: the new process meets the
#      old one still finishing its batch (the PostgreSQL lock) and its
#      replica registration still listed on MariaDB; every start streams;
#   b) kill -9 and an immediate start, 10 times, some while a 50k-row batch
#      is applied, some while that batch waits for a lock in PostgreSQL (the
#      dead process's backend still holds the stream lock): every start
#      streams, ending the dead one's session where it must;
#   c) started while MariaDB is down: it waits with backoff and catches up
#      when MariaDB comes, without a person;
#   d) what a person must fix still exits 1 and says which: a second live
#      stream of the database (after STREAM_START_WAIT), another replica
#      with our server id (at once), a refused login (at once).
# Then the target equals a fresh copy of the source, and a counter every
# big update increments shows nothing was applied twice or lost.
. "$(dirname "$0")/lib.sh"

at_exit "my_server_start || echo 'FAIL: MariaDB of the sandbox did not start again' >&2"
# SHOW SLAVE HOSTS (the server id check) needs REPLICATION MASTER ADMIN, an
# optional grant the sandbox's user lacks: given for this test only
for h in 127.0.0.1 localhost; do
	my "GRANT REPLICATION MASTER ADMIN ON *.* TO 'migrator'@'$h'" || fail "could not grant REPLICATION MASTER ADMIN"
	at_exit "my \"REVOKE REPLICATION MASTER ADMIN ON *.* FROM 'migrator'@'$h'\""
done

my "DROP DATABASE IF EXISTS it_rs; CREATE DATABASE it_rs; USE it_rs;
CREATE TABLE c (id INT NOT NULL PRIMARY KEY, x INT NOT NULL, s VARCHAR(30));
CREATE TABLE e (n INT NOT NULL, s VARCHAR(30));
CREATE TABLE big (id INT NOT NULL PRIMARY KEY, x INT NOT NULL, pad VARCHAR(40));
INSERT INTO c SELECT seq, 0, 'start' FROM seq_1_to_2000;
INSERT INTO big SELECT seq, 0, REPEAT('p', 40) FROM seq_1_to_50000;
DROP DATABASE IF EXISTS it_rs2; CREATE DATABASE it_rs2; USE it_rs2;
CREATE TABLE o (id INT NOT NULL PRIMARY KEY);
INSERT INTO o VALUES (1);"
write_env rs it_rs rs_sink
# the same source under a second name, for the fresh copy the target is
# compared with; and a second database (d: another replica, same server id)
cat >>"$T/.env" <<EOF
RSCHECK_HOST=127.0.0.1
RSCHECK_PORT=$MY_PORT
RSCHECK_USER=$MY_USER
RSCHECK_PASS=$MY_PASS
RSCHECK_SCHEMA=it_rs
RSCHECK_SINK_SCHEMA=rs_check
RS2_HOST=127.0.0.1
RS2_PORT=$MY_PORT
RS2_USER=$MY_USER
RS2_PASS=$MY_PASS
RS2_SCHEMA=it_rs2
RS2_SINK_SCHEMA=rs2_sink
EOF
allow rs c e big
allow rscheck c e big
allow rs2 o
pg_drop_schemas rs_sink rs_check rs2_sink
run_migrate --database rs --tables all || fail "migrate failed"
run_migrate --database rs2 --tables all || fail "migrate of rs2 failed"

# launch [ARGS]: stream --database rs in the background, its output in a
# log of its own ($LOG); sets PID
runs=0
launch() {
	runs=$((runs + 1))
	LOG="$T/run.$runs.log"
	(cd "$T" && exec "$STREAM" --env "$T/.env" --database rs "$@") >"$LOG" 2>&1 &
	PID=$!
	at_exit "kill -9 $PID 2>/dev/null"
}

# streams LABEL [TENTHS]: the last launched stream reads the binary log and
# still runs
streams() {
	if ! wait_log "$LOG" 'reading the binary log of database "rs"' "${2:-300}" || ! kill -0 "$PID" 2>/dev/null; then
		echo "--- $LOG ---" >&2
		tail -n 30 "$LOG" >&2
		fail "$1: the stream did not stream (or exited)"
	fi
}

# --- the write load: inserts, updates (a counter) and deletes on c, appends
# to the keyless e, one short session per transaction until $T/stop --------
(
	i=0
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		my "USE it_rs; START TRANSACTION;
			UPDATE c SET x = x + 1, s = 'u$i' WHERE id = $((i * 37 % 2000 + 1));
			INSERT INTO c VALUES ($((10000 + i)), $i, 'w$i');
			DELETE FROM c WHERE id = $((10000 + i - 3));
			INSERT INTO e VALUES ($i, 'trx $i');
			COMMIT" >/dev/null 2>&1 || sleep 0.2
		sleep 0.02
	done
) &
writer=$!
at_exit "touch '$T/stop'; kill $writer 2>/dev/null"

launch
streams "first start"

# --- a) SIGTERM, then an immediate start, 20 times -------------------------
for i in $(seq 1 20); do
	old=$PID
	kill -TERM "$old"
	launch
	wait "$old"
	rc=$?
	[ "$rc" = 0 ] || fail "TERM restart $i: the stopped stream exited $rc"
	streams "TERM restart $i"
done
grep -h "waiting up to" "$T"/run.*.log | head -n 3 >&2
echo "# a) 20 TERM restarts: $(grep -l "waiting up to" "$T"/run.*.log | wc -l) waited for the stopping one" >&2

# --- b) kill -9, then an immediate start, 10 times --------------------------
ups=0
took_over=0
for i in $(seq 1 10); do
	case $i in
	3 | 7)
		# the batch of a 50k-row update waits for a lock another session
		# holds on its target: the killed stream's backend keeps the
		# stream lock while it waits
		pg_admin "BEGIN; LOCK TABLE rs_sink.big IN SHARE MODE; SELECT pg_sleep(4); COMMIT" >/dev/null 2>&1 &
		locker=$!
		j=0
		until [ "$(pg "SELECT count(*) FROM pg_locks WHERE relation = 'rs_sink.big'::regclass AND mode = 'ShareLock' AND granted")" = 1 ]; do
			j=$((j + 1))
			[ $j -le 50 ] || fail "kill $i: the lock on rs_sink.big was not taken"
			sleep 0.1
		done
		my "UPDATE it_rs.big SET x = x + 1" || fail "kill $i: the big update failed"
		ups=$((ups + 1))
		j=0
		until [ "$(pg "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'stream[%' AND wait_event_type = 'Lock'")" -ge 1 ]; do
			j=$((j + 1))
			[ $j -le 100 ] || fail "kill $i: the stream's batch did not reach the locked table"
			sleep 0.1
		done
		old=$PID
		kill -9 "$old"
		launch
		streams "kill -9 restart $i (batch waiting for a lock)"
		wait "$locker"
		grep -q "has ended (pid $old); ending that session" "$LOG" && took_over=$((took_over + 1))
		;;
	4 | 6 | 9)
		# right after a 50k-row update: the batch is on its way
		my "UPDATE it_rs.big SET x = x + 1" || fail "kill $i: the big update failed"
		ups=$((ups + 1))
		sleep 0.$((i * 7 % 10))
		kill -9 "$PID"
		launch
		streams "kill -9 restart $i (big batch)"
		;;
	*)
		sleep 0.3
		kill -9 "$PID"
		launch
		streams "kill -9 restart $i"
		;;
	esac
done
[ "$took_over" -ge 1 ] || fail "no restart ended the killed stream's busy session (logged 'ending that session')"
echo "# b) 10 kill -9 restarts; the dead stream's busy session ended $took_over times; $(grep -l 'is replaced' "$T"/run.*.log | wc -l) starts met the old registration" >&2

# --- c) started while MariaDB is down ------------------------------------------
kill -TERM "$PID"
wait "$PID" || fail "SIGTERM before the MariaDB stop: exit $?"
my_server_stop || fail "could not stop MariaDB"
launch
j=0
until [ "$(grep -c "retrying in" "$LOG")" -ge 2 ]; do
	j=$((j + 1))
	kill -0 "$PID" 2>/dev/null || { tail -n 20 "$LOG" >&2; fail "stream started while MariaDB is down exited instead of waiting"; }
	[ $j -le 150 ] || fail "stream started while MariaDB is down did not retry"
	sleep 0.1
done
my_server_start || fail "could not start MariaDB again: $(tail -n 5 "$T/my-server.log")"
streams "start while MariaDB was down" 600
assert_contains "$LOG" "could not connect to MariaDB" "the wait names what it waits for"

# --- d) what a person must fix -----------------------------------------------------
# a second live stream of the database: waited for, then refused
start=$(date +%s)
STREAM_START_WAIT=3 run_stream --database rs && fail "a second stream of database rs started"
took=$(($(date +%s) - start))
assert_contains "$T/stream.log" 'waiting up to 3 s for the stream' "the second stream says what it waits for"
assert_contains "$T/stream.log" 'another stream for database "rs" is running against this sink' "the second stream is refused"
[ "$took" -le 15 ] || fail "the refusal took $took s with STREAM_START_WAIT=3"
kill -0 "$PID" 2>/dev/null || fail "the running stream ended when a second one was refused"
# another replica with our server id: refused at once
sid=$(sed -n 's/.*as replica \([0-9]*\) .*/\1/p' "$LOG" | tail -n 1)
[ -n "$sid" ] || fail "no replica server id in $LOG"
run_stream --database rs2 --server-id "$sid" && fail "a stream with the server id of another replica started"
assert_contains "$T/stream.log" "another replica with server id $sid is connected" "a real server id clash is refused"
assert_contains "$T/stream.log" "stream[$PID]@" "the refusal names the other replica's registration"
# a refused login: at once, with the hint
RS2_PASS=wrong run_stream --database rs2 && fail "a stream with a wrong password started"
assert_contains "$T/stream.log" "Access denied" "a refused login is refused"
assert_not_contains "$T/stream.log" "retrying in" "a refused login is not retried"

# --- the end state equals the source --------------------------------------------------
: >"$T/stop"
wait "$writer"
end=$(binlog_end)
wait_ckpt rs "$end" 600 || fail "the stream did not catch up with $end"
run_migrate --database rscheck --tables all || fail "the fresh copy for the comparison failed"
pg_same rs_sink.c rs_check.c "table c"
pg_same rs_sink.e rs_check.e "keyless table e"
pg_same rs_sink.big rs_check.big "table big"
assert_eq "$((50000 * ups)) 50000" "$(pg "SELECT sum(x) || ' ' || count(*) FROM rs_sink.big")" \
	"every big update applied exactly once"
m=$(my "SELECT COUNT(*), SUM(x) FROM it_rs.c" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(x) FROM rs_sink.c")
assert_eq "$m" "$p" "table c equals its source (MariaDB's own figures)"
n=$(pg "SELECT count(*) FROM rs_sink.e")
[ "$n" -gt 100 ] || fail "the write load wrote too little to mean anything ($n transactions)"
[ "$(pg "SELECT count(*) - count(DISTINCT n) FROM rs_sink.e")" = 0 ] || fail "a transaction of the keyless table was applied twice"
for f in "$T"/run.*.log; do
	assert_not_contains "$f" "another replica" "no start was refused for its own registration ($f)"
	assert_not_contains "$f" "is running against this sink" "no start was refused for its own lock ($f)"
done
kill -TERM "$PID"
wait "$PID" || fail "stream did not stop cleanly after SIGTERM"

# --- e) the login refused while the daemon runs: it exits, saying why --------------
my "CREATE USER IF NOT EXISTS 'rs_lost'@'%' IDENTIFIED BY 'pw-one';
	GRANT SELECT ON it_rs.* TO 'rs_lost'@'%'; GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'rs_lost'@'%'"
at_exit 'my "DROP USER IF EXISTS '"'"'rs_lost'"'"'@'"'"'%'"'"'"'
(cd "$T" && RS_USER=rs_lost RS_PASS=pw-one exec "$STREAM" --env "$T/.env" --database rs) > "$T/lost.log" 2>&1 &
LPID=$!
at_exit "kill -9 $LPID 2>/dev/null"
wait_log "$T/lost.log" "reading the binary log" || fail "the stream as rs_lost did not start"
my "ALTER USER 'rs_lost'@'%' IDENTIFIED BY 'pw-two'"
for id in $(my "SELECT id FROM information_schema.PROCESSLIST WHERE user = 'rs_lost'"); do my "KILL $id" 2>/dev/null; done
i=0
while kill -0 "$LPID" 2>/dev/null; do
	i=$((i + 1)); [ $i -le 300 ] || fail "the stream went on retrying a refused login"; sleep 0.1
done
rc=0; wait "$LPID" || rc=$?
assert_eq 1 "$rc" "a login refused while running ends the daemon with status 1"
assert_contains "$T/lost.log" "Access denied" "the log says the login was refused"
assert_contains "$T/lost.log" "Check the NAME_HOST, NAME_PORT, NAME_USER, NAME_PASS" "and what to check"
echo "# $runs starts, $n writer transactions" >&2
exit 0
