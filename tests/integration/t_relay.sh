#!/bin/sh
# The relay log (STREAM_RELAY): the stream keeps reading the binary log into
# its local zstd relay while PostgreSQL is away, so the source may purge
# every binary log but the active one and the stream still catches up from
# the relay; kill -9 while the relay is written, ten times under load, and
# each start resumes at the checkpoint; a small space limit pauses the
# reader with a warning and it resumes as the sink drains it; a damaged
# segment is detected, logged with its segment and offset, and fetched
# again from the source (or, once the source purged it, a clear error).
# Every phase ends with the target equal to the source.
. "$(dirname "$0")/lib.sh"

SB="$SANDBOX_DIR"
at_exit "sh scripts/sandbox.sh start-pg '$SB' >/dev/null 2>&1 || echo 'FAIL: PostgreSQL of the sandbox did not start again' >&2"
my "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
at_exit 'my "SET GLOBAL innodb_flush_log_at_trx_commit = 1"'

my "DROP DATABASE IF EXISTS it_relay; CREATE DATABASE it_relay; USE it_relay;
CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(300), at DATETIME(3));
CREATE TABLE log (n INT NOT NULL, note VARCHAR(40));
INSERT INTO t SELECT seq, seq, CONCAT('seed ', seq), '2024-01-01 00:00:00' FROM seq_1_to_500;"
write_env relay it_relay relay_sink
echo "STREAM_RELAY=on" >>"$T/.env"
echo "STREAM_RELAY_DIR=$T/relaydir" >>"$T/.env"
allow relay t log
pg_drop_schemas relay_sink
run_migrate --database relay --tables all || fail "migrate failed"

# writer: one short transaction after another until $T/stop
writer() {
	rm -f "$T/stop"
	: >"$T/writer.err"
	(
		i=${1:-0}
		while [ ! -e "$T/stop" ]; do
			i=$((i + 1))
			my "USE it_relay; START TRANSACTION;
				INSERT INTO t VALUES ($((100000 + i)), $i, REPEAT(MD5($i), 4), NOW(3));
				UPDATE t SET v = v + 1, s = CONCAT('u ', $i), at = NOW(3) WHERE id = $((i % 500 + 1));
				DELETE FROM t WHERE id = $((100000 + i - 3));
				INSERT INTO log VALUES ($i, CONCAT('trx ', $i));
				COMMIT" 2>>"$T/writer.err" || sleep 0.2
			sleep 0.02
		done
	) &
	WRITER=$!
}
stop_writer() {
	: >"$T/stop"
	wait "$WRITER"
	[ ! -s "$T/writer.err" ] || fail "the writer failed: $(head -n 3 "$T/writer.err")"
}
at_exit "touch '$T/stop'"

# equal: the target equals the source, row for row
equal() {
	wait_ckpt relay "$(binlog_end)" 900 || fail "$1: the stream did not catch up with $(binlog_end)"
	m=$(my "SELECT COUNT(*), SUM(v), SUM(id), SUM(CRC32(s)) FROM it_relay.t" | tr '\t' ' ')
	p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) FROM relay_sink.t")
	m3=$(echo "$m" | cut -d' ' -f1-3)
	assert_eq "$m3" "$p" "$1: table t equals its source"
	m=$(my "SELECT COUNT(*), SUM(n) FROM it_relay.log" | tr '\t' ' ')
	p=$(pg "SELECT count(*) || ' ' || sum(n) FROM relay_sink.log")
	assert_eq "$m" "$p" "$1: keyless table log equals its source (nothing doubled)"
	same_s=$(pg "SELECT count(*) FROM relay_sink.t WHERE id > 100000 AND id < 200000 AND s <> repeat(md5(v::text), 4)")
	assert_eq 0 "$same_s" "$1: inserted values arrived as written"
}

# --- 1. outage, and the source purges every binary log but the active one ---------
start_stream --database relay
writer 0
sleep 2
wait_ckpt relay "$(binlog_end)" || fail "the stream did not keep up before the outage"
sh scripts/sandbox.sh stop-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not stop PostgreSQL: $(cat "$T/pg.log")"
wait_log "$T/stream.bg.log" "retrying in" 200 || fail "the stream did not notice the outage within 20 s"
sleep 3
my "FLUSH BINARY LOGS"
sleep 1
my "FLUSH BINARY LOGS"
sleep 2
my "PURGE BINARY LOGS BEFORE NOW()"
[ "$(my "SHOW BINARY LOGS" | wc -l)" -eq 1 ] || fail "the source kept more than its active binary log"
sleep 2
sh scripts/sandbox.sh start-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not start PostgreSQL again: $(cat "$T/pg.log")"
sleep 2
stop_writer
equal "after an outage with the binary logs purged"
assert_not_contains "$T/stream.bg.log" "has been purged" "the stream read the purged logs from its relay"
kill -0 "$STREAM_PID" 2>/dev/null || fail "stream is not running after the outage"
"$STREAM" --env "$T/.env" --database relay --status >"$T/status.out" 2>&1 || true
assert_match "$T/status.out" 'relay: .* bytes on disk \([0-9]+ bytes of events' "--status shows the relay's bytes"
assert_match "$T/status.out" 'relay: holds mariadb-bin\.[0-9]+:[0-9]+ to mariadb-bin\.[0-9]+:[0-9]+; reader reading' "--status shows the relay's positions"

# --- 2. kill -9 while the relay is written, ten times under load ---------------
writer 10000
for k in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.$((k % 7 + 2))
	kill -9 "$STREAM_PID" 2>/dev/null
	wait "$STREAM_PID" 2>/dev/null
	start_stream --database relay
done
sleep 2
stop_writer
equal "after ten kill -9 under load"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" || fail "stream did not stop cleanly after SIGTERM"

# --- 3. a damaged segment: fetched again from the source ---------------------------
start_stream --database relay
sleep 1
sh scripts/sandbox.sh stop-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not stop PostgreSQL"
writer 20000
sleep 4
stop_writer
sleep 1
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" 2>/dev/null
seg=$(ls "$T/relaydir/relay/"*.relay | tail -n 1)
size=$(stat -c %s "$seg")
[ "$size" -gt 200 ] || fail "the relay segment is too small to damage ($size bytes)"
printf 'XXXXXXXXXXXXXXXX' | dd of="$seg" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
sh scripts/sandbox.sh start-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not start PostgreSQL again"
: >"$T/stream.bg.log"
start_stream --database relay
equal "after a damaged relay segment"
assert_match "$T/stream.bg.log" 'relay .*(damaged|torn).* (offset|at offset) [0-9]+' "the damage is logged with its segment and offset"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" || fail "stream did not stop cleanly"

# --- 4. the space limit: the reader pauses, warns, and resumes ----------------------
# Each transaction here is larger than the limit itself (1.5 MB of events,
# about 0.8 MB compressed, against 1 MiB): the relay lets one such
# transaction past the limit once the sink has applied everything else,
# or the catch-up would wait forever (it once did).
echo "STREAM_RELAY_MAX_SIZE=1M" >>"$T/.env"
my "CREATE TABLE it_relay.filler (id INT PRIMARY KEY, b TEXT)"
sh scripts/sandbox.sh stop-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not stop PostgreSQL"
: >"$T/stream.bg.log"
start_stream --database relay
for k in 1 2 3 4 5 6; do
	my "USE it_relay; INSERT INTO t SELECT 200000 + $k * 10000 + seq, seq, CONCAT(MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND())), NOW(3) FROM seq_1_to_5000"
done
wait_log "$T/stream.bg.log" "reached its space limit" 300 || fail "the reader did not pause at the space limit"
"$STREAM" --env "$T/.env" --database relay --status >"$T/status.out" 2>&1 || true
sh scripts/sandbox.sh start-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not start PostgreSQL again"
wait_log "$T/stream.bg.log" "has room again" 600 || fail "the reader did not resume"
equal "after the space limit"
grep -A 2 "reached its space limit" "$T/stream.bg.log" >"$T/warning"
assert_match "$T/warning" 'the sink is .* behind' "the warning gives the lag"
assert_match "$T/warning" 'keeps binary logs for' "the warning gives the source's retention"
assert_match "$T/warning" 'time left' "the warning gives the time left"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" || fail "stream did not stop cleanly"

# --- 5. damaged, and the source purged it: a clear error ------------------------
sh scripts/sandbox.sh stop-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not stop PostgreSQL"
sed -i '/STREAM_RELAY_MAX_SIZE/d' "$T/.env"
start_stream --database relay
writer 30000
sleep 3
stop_writer
sleep 1
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" 2>/dev/null
sleep 1
my "FLUSH BINARY LOGS"
sleep 2
my "PURGE BINARY LOGS BEFORE NOW()"
[ "$(my "SHOW BINARY LOGS" | wc -l)" -eq 1 ] || fail "the source kept more than its active binary log"
for seg in "$T/relaydir/relay/"*.relay; do
	size=$(stat -c %s "$seg")
	printf 'XXXXXXXXXXXXXXXX' | dd of="$seg" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
done
sh scripts/sandbox.sh start-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not start PostgreSQL again"
rc=0
(cd "$T" && exec timeout 120 "$STREAM" --env "$T/.env" --database relay) >"$T/stream.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "stream did not fail with its relay damaged and the source purged"
[ "$rc" -ne 124 ] || fail "stream did not end within 120 s with its relay damaged and the source purged"
assert_match "$T/stream.log" "(lost from the relay and purged on the source|has been purged)" "a clear error names the lost events"
assert_match "$T/stream.log" "relay .*(damaged|torn).* (offset|at offset) [0-9]+" "the damage is logged with its segment and offset"
exit 0
