#!/bin/sh
# A PostgreSQL outage under a steady write load: stream backs off (retries
# logged, not flooded), warns when the source's binlog retention gets short
# against its lag, and catches up when PostgreSQL returns, the target then
# equal to the source row for row; a stream started while PostgreSQL is down
# waits for it the same way. The outage lasts about half a minute;
# bench/soak.sh (OUTAGE=SECONDS) shows minutes.
#
# The sandbox is shared by the whole run: PostgreSQL is always started again
# at exit, and the source's binlog_expire_logs_seconds is lowered only after
# the binlog was rotated (a purge happens at a rotation, and nothing rotates
# before it is restored), so no binary log is purged.
. "$(dirname "$0")/lib.sh"

SB="$SANDBOX_DIR"
at_exit "sh scripts/sandbox.sh start-pg '$SB' >/dev/null 2>&1 || echo 'FAIL: PostgreSQL of the sandbox did not start again' >&2"
EXPIRE0=$(my "SELECT @@global.binlog_expire_logs_seconds")
case "$EXPIRE0" in '' | *[!0-9]*) fail "could not read binlog_expire_logs_seconds (got '$EXPIRE0')" ;; esac
at_exit "my 'SET GLOBAL binlog_expire_logs_seconds = $EXPIRE0'"
my "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
at_exit 'my "SET GLOBAL innodb_flush_log_at_trx_commit = 1"'

my "DROP DATABASE IF EXISTS it_outage; CREATE DATABASE it_outage; USE it_outage;
CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(40), d DECIMAL(12,2), at DATETIME(3));
CREATE TABLE log (n INT NOT NULL, note VARCHAR(40));
INSERT INTO t SELECT seq, seq, CONCAT('seed ', seq), seq / 4, '2024-01-01 00:00:00' FROM seq_1_to_500;"
write_env outage it_outage outage_sink
# the retention warning watches the file the stream resumes from; with the
# relay log (the default) the stream reads on during the outage and that is
# the active file, so nothing is at risk (t_relay covers that): this test is
# about the stream that stops reading
echo "STREAM_RELAY=off" >>"$T/.env"
# a second name for the same source: the fresh copy the target is compared with
cat >>"$T/.env" <<EOF
OCHECK_HOST=127.0.0.1
OCHECK_PORT=$MY_PORT
OCHECK_USER=$MY_USER
OCHECK_PASS=$MY_PASS
OCHECK_SCHEMA=it_outage
OCHECK_SINK_SCHEMA=outage_check
EOF
allow outage t log
allow ocheck t log
pg_drop_schemas outage_sink outage_check
run_migrate --database outage --tables all || fail "migrate failed"
start_stream --database outage

# the write load: one short session per transaction (inserts, updates and
# deletes on t, appends to the keyless log) until $T/stop
: >"$T/writer.err"
(
	i=0
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		my "USE it_outage; START TRANSACTION;
			INSERT INTO t VALUES ($((1000 + i)), $i, 'w $i', $i * 1.25, NOW(3));
			UPDATE t SET v = v + 1, s = CONCAT('u ', $i), at = NOW(3) WHERE id = $((i % 500 + 1));
			DELETE FROM t WHERE id = $((1000 + i - 3));
			INSERT INTO log VALUES ($i, CONCAT('trx ', $i));
			COMMIT" 2>>"$T/writer.err" || sleep 0.2
		sleep 0.05
	done
) &
writer=$!
at_exit "touch '$T/stop'; kill $writer 2>/dev/null"

sleep 2
wait_ckpt outage "$(binlog_end)" || fail "the stream did not keep up before the outage"

# --- the outage ---------------------------------------------------------------
nfiles=$(my "SHOW BINARY LOGS" | wc -l)
sh scripts/sandbox.sh stop-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not stop PostgreSQL: $(cat "$T/pg.log")"
t0=$(date +%s)
wait_log "$T/stream.bg.log" "retrying in" 200 || fail "the stream did not notice the outage within 20 s"
# a busy server rotates its binlog: the file the stream needs is no longer
# the one being written, and a short retention could purge it
my "FLUSH BINARY LOGS"
my "SET GLOBAL binlog_expire_logs_seconds = 20"
wait_log "$T/stream.bg.log" "binary log retention is short" 400 || fail "no retention warning within 40 s of the outage"
my "SET GLOBAL binlog_expire_logs_seconds = $EXPIRE0"
[ "$(my "SHOW BINARY LOGS" | wc -l)" -ge $((nfiles + 1)) ] || fail "binary logs were purged during the test"
sleep 2
kill -0 "$STREAM_PID" 2>/dev/null || fail "stream exited during the outage"
sh scripts/sandbox.sh start-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not start PostgreSQL again: $(cat "$T/pg.log")"
down=$(($(date +%s) - t0))
echo "# PostgreSQL was down for ${down} s" >&2

# --- catch-up -------------------------------------------------------------------
wait_log "$T/stream.bg.log" "streams again after an outage" 450 || fail "the stream did not come back within 45 s of PostgreSQL"
sleep 2
: >"$T/stop"
wait "$writer"
[ ! -s "$T/writer.err" ] || fail "the writer failed: $(head -n 3 "$T/writer.err")"
end=$(binlog_end)
wait_ckpt outage "$end" 600 || fail "the stream did not catch up with $end after the outage"
kill -0 "$STREAM_PID" 2>/dev/null || fail "stream is not running after the outage"

# --- what the log says ------------------------------------------------------------
log="$T/stream.bg.log"
grep "binary log retention is short" "$log" | head -n 1 >"$T/warning"
assert_match "$T/warning" 'database "outage": the stream is [0-9hms]+ behind, the source keeps binary logs for 20s, so mariadb-bin\.[0-9]+ may be purged (in [0-9hms]+ at the earliest|at the source.s next binary log rotation)' \
	"the warning names the database, the lag, the retention and the time left"
grep -A 2 "binary log retention is short" "$log" >"$T/warning"
assert_contains "$T/warning" "HINT:  Bring the PostgreSQL sink back" "the warning's hint"
assert_contains "$T/warning" "raise binlog_expire_logs_seconds" "the warning's hint"
n=$(grep -c "retrying in" "$log")
[ "$n" -ge 3 ] || fail "only $n retries logged in a ${down} s outage"
[ "$n" -le 12 ] || fail "$n retries logged in a ${down} s outage: the backoff floods the log"
grep -o 'retrying in [0-9.]* s' "$log" | awk '$3 > 30 { bad = 1 } END { exit bad }' || fail "a retry waited longer than 30 s"
assert_match "$log" 'retrying in [0-9.]+ s \(database "outage", attempt [0-9]+, failing for [0-9hms]+\)' "retries name the database and the outage's length"
assert_match "$log" 'database "outage" streams again after an outage of [0-9hms]+ \([0-9]+ retries\)' "the recovery is logged with the outage's length"
assert_not_contains "$log" "has been purged" "no binlog purged"

# --- the target equals the source -------------------------------------------------
run_migrate --database ocheck --tables all || fail "the fresh copy for the comparison failed"
pg_same outage_sink.t outage_check.t "table t after the outage"
pg_same outage_sink.log outage_check.log "keyless table log after the outage"
m=$(my "SELECT COUNT(*), SUM(v), SUM(id) FROM it_outage.t" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) FROM outage_sink.t")
assert_eq "$m" "$p" "table t equals its source (MariaDB's own figures)"
[ "$(pg "SELECT count(*) FROM outage_sink.log")" -gt 100 ] || fail "the write load wrote too little to mean anything"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" || fail "stream did not stop cleanly after SIGTERM"

# --- started while PostgreSQL is down (a reboot during an outage) -----------------
sh scripts/sandbox.sh stop-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not stop PostgreSQL: $(cat "$T/pg.log")"
my "USE it_outage; UPDATE t SET v = v + 100 WHERE id <= 50; INSERT INTO log VALUES (-1, 'while down')"
before=$(grep -c "retrying in" "$log")
start_stream --database outage
i=0
until [ "$(grep -c "retrying in" "$log")" -ge $((before + 2)) ]; do
	i=$((i + 1))
	kill -0 "$STREAM_PID" 2>/dev/null || fail "stream started while PostgreSQL is down exited instead of waiting"
	[ $i -le 200 ] || fail "stream started while PostgreSQL is down did not retry"
	sleep 0.1
done
sh scripts/sandbox.sh start-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not start PostgreSQL again: $(cat "$T/pg.log")"
wait_ckpt outage "$(binlog_end)" 600 || fail "the stream started during the outage did not catch up"
m=$(my "SELECT COUNT(*), SUM(v), SUM(id) FROM it_outage.t" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) FROM outage_sink.t")
assert_eq "$m" "$p" "table t equals its source after a start during the outage"
assert_eq 1 "$(pg "SELECT count(*) FROM outage_sink.log WHERE n = -1")" "the change made while PostgreSQL was down arrived once"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" || fail "stream did not stop cleanly after SIGTERM"
exit 0
