#!/bin/sh
# Prometheus metrics (--metrics-address, NAME_METRICS_ADDRESS,
# METRICS_ADDRESS): stream's row
# counters equal the changes made on the source, the batch histograms add up
# to them, the checkpoint gauges equal the control schema's checkpoint, the
# lag falls to 0 once caught up, a lost sink connection counts a reconnect
# and an error; migrate serves its per-table copy counters while it runs (a
# table held by a lock keeps it running; the other one's counters are
# exact); bad addresses and a port in use fail clearly.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || fail "curl is not installed (scripts/deps.sh installs it)"

# scrape PORT FILE: the metrics text into FILE
scrape() {
	curl -sf --max-time 5 "http://127.0.0.1:$1/metrics" >"$2"
}
# metric FILE 'name{labels}': the sample's value ("" when absent)
metric() {
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}
# wait_metric PORT 'name{labels}' VALUE [TENTHS]: until the sample equals VALUE
wait_metric() {
	_i=0
	while :; do
		scrape "$1" "$T/w.txt" && [ "$(metric "$T/w.txt" "$2")" = "$3" ] && return 0
		_i=$((_i + 1))
		[ "$_i" -le "${4:-300}" ] || return 1
		sleep 0.1
	done
}

pg_drop_schemas mt_sink "$CTL"
at_exit "pg_drop_schemas mt_sink $CTL"
my "DROP DATABASE IF EXISTS $TEST_DB; CREATE DATABASE $TEST_DB; USE $TEST_DB;
CREATE TABLE a (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
CREATE TABLE b (n INT, s VARCHAR(10));
CREATE TABLE c (id INT NOT NULL PRIMARY KEY, s VARCHAR(20));
CREATE TABLE d (id INT NOT NULL PRIMARY KEY);
INSERT INTO a SELECT seq, 0 FROM seq_1_to_100;
INSERT INTO c SELECT seq, repeat('x', 10) FROM seq_1_to_3000;
INSERT INTO d SELECT seq FROM seq_1_to_10;"
at_exit "my 'DROP DATABASE IF EXISTS $TEST_DB'"
write_env mt "$TEST_DB" mt_sink
allow mt a b
run_migrate --database mt --tables all || fail "migrate failed"

# --- bad settings: exit 2 naming the setting; nothing listens --------------
rc=0
(export METRICS_ADDRESS=nonsense; run_stream --database mt) || rc=$?
assert_eq 2 "$rc" "a bad METRICS_ADDRESS is a usage error"
assert_contains "$T/stream.log" 'invalid value "nonsense" for METRICS_ADDRESS' "the error names the setting"
rc=0
run_migrate --database mt --tables a --metrics-address 127.0.0.1:70000 || rc=$?
assert_eq 2 "$rc" "a port out of range is a usage error"
assert_contains "$T/migrate.log" 'invalid value "127.0.0.1:70000" for --metrics-address' "the error names the option"

# --- stream ------------------------------------------------------------------
port=$(free_port)
# small batches: the changes below make several
start_stream --database mt --metrics-address "127.0.0.1:$port" --batch-rows 10
scraped=0
for _ in $(seq 1 300); do
	scrape "$port" "$T/m0.txt" && scraped=1 && break
	sleep 0.1
done
[ "$scraped" = 1 ] || fail "stream did not serve metrics on 127.0.0.1:$port"
assert_contains "$T/stream.bg.log" "serving metrics at http://127.0.0.1:$port/metrics" "stream logs where it serves"
assert_contains "$T/m0.txt" "# TYPE stream_rows_applied_total counter" "the counter's TYPE line"
assert_contains "$T/m0.txt" "# TYPE stream_batch_apply_seconds histogram" "the histogram's TYPE line"
assert_eq "" "$(metric "$T/m0.txt" 'stream_rows_applied_total{database="mt",table="a",kind="insert"}')" \
	"no rows applied before any change"

# a port in use: exit 1, naming the address
rc=0
run_migrate --database mt --tables a --metrics-address "127.0.0.1:$port" || rc=$?
assert_eq 1 "$rc" "a port in use fails the run"
assert_contains "$T/migrate.log" "could not serve metrics on 127.0.0.1:$port (--metrics-address)" \
	"the error names the address"

# other paths and methods
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
assert_eq 404 "$code" "GET / is 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "http://127.0.0.1:$port/metrics")
assert_eq 405 "$code" "POST /metrics is 405"

# the changes: a: 55 inserts, 31 updates, 10 deletes; b (no key): 3, 1, 1
my "USE $TEST_DB;
INSERT INTO a SELECT seq, 1 FROM seq_101_to_150;
UPDATE a SET v = v + 1 WHERE id <= 30;
DELETE FROM a WHERE id > 140;
INSERT INTO b VALUES (1, 'x'), (2, 'y'), (3, 'z');
DELETE FROM b WHERE n = 2;
UPDATE b SET s = 'w' WHERE n = 1;
INSERT INTO a VALUES (201, 2); INSERT INTO a VALUES (202, 2); INSERT INTO a VALUES (203, 2);
INSERT INTO a VALUES (204, 2); INSERT INTO a VALUES (205, 2);
UPDATE a SET v = 9 WHERE id = 1;"
end=$(binlog_end)
wait_ckpt mt "$end" || fail "the stream did not catch up with $end"
wait_metric "$port" 'stream_lag_seconds{database="mt"}' 0 || fail "the lag in seconds did not fall to 0 when idle"
scrape "$port" "$T/m1.txt" || fail "scrape failed"

for spec in a:insert:55 a:update:31 a:delete:10 b:insert:3 b:update:1 b:delete:1; do
	t=${spec%%:*}; rest=${spec#*:}; k=${rest%%:*}; n=${rest#*:}
	assert_eq "$n" "$(metric "$T/m1.txt" "stream_rows_applied_total{database=\"mt\",table=\"$t\",kind=\"$k\"}")" \
		"rows applied to $t by $k"
done
# the control schema counts the same
for t in a b; do
	exp=$(pg "SELECT rows_inserted || ' ' || rows_updated || ' ' || rows_deleted FROM $CTL.tables
	          WHERE source_db = 'mt' AND source_table = '$t'")
	got="$(metric "$T/m1.txt" "stream_rows_applied_total{database=\"mt\",table=\"$t\",kind=\"insert\"}") $(metric "$T/m1.txt" "stream_rows_applied_total{database=\"mt\",table=\"$t\",kind=\"update\"}") $(metric "$T/m1.txt" "stream_rows_applied_total{database=\"mt\",table=\"$t\",kind=\"delete\"}")"
	assert_eq "$exp" "$got" "metrics and the control schema agree on $t"
done

# histograms: every batch with rows observed once in each; the batch sizes add up
nb=$(metric "$T/m1.txt" 'stream_batch_rows_count{database="mt"}')
[ -n "$nb" ] && [ "$nb" -ge 3 ] || fail "too few batches observed (count '$nb', --batch-rows 10)"
assert_eq "$nb" "$(metric "$T/m1.txt" 'stream_batch_apply_seconds_count{database="mt"}')" \
	"one apply duration per batch"
assert_eq "$nb" "$(metric "$T/m1.txt" 'stream_batch_rows_bucket{database="mt",le="+Inf"}')" "+Inf bucket = count"
assert_eq "$nb" "$(metric "$T/m1.txt" 'stream_batch_apply_seconds_bucket{database="mt",le="+Inf"}')" \
	"+Inf bucket = count (apply)"
assert_eq 101 "$(metric "$T/m1.txt" 'stream_batch_rows_sum{database="mt"}')" "batch sizes add up to the changes"
awk '/^stream_batch_rows_bucket/ { if ($2 < prev) bad = 1; prev = $2 } END { exit bad }' "$T/m1.txt" ||
	fail "histogram buckets are not cumulative"

# the checkpoint gauges are the control schema's checkpoint
ck=$(pg "SELECT binlog_file || ' ' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'mt'")
file=${ck% *}
assert_eq "${ck#* }" "$(metric "$T/m1.txt" 'stream_checkpoint_binlog_position_bytes{database="mt"}')" \
	"checkpoint position"
assert_eq "$(echo "${file##*.}" | sed 's/^0*//')" "$(metric "$T/m1.txt" 'stream_checkpoint_binlog_file_number{database="mt"}')" \
	"checkpoint file number"
[ -n "$(metric "$T/m1.txt" 'stream_checkpoint_source_timestamp_seconds{database="mt"}')" ] ||
	fail "no source timestamp of the checkpoint"
# the lag in bytes is measured every 5 s: caught up, it is 0
wait_metric "$port" 'stream_lag_bytes{database="mt"}' 0 200 || fail "the lag in bytes did not fall to 0 when idle"
assert_eq 0 "$(metric "$T/m1.txt" 'stream_reconnects_total{database="mt"}')" "no reconnect yet"
assert_eq 0 "$(metric "$T/m1.txt" 'stream_errors_total{database="mt"}')" "no error yet"
assert_not_contains "$T/m1.txt" "$MY_PASS" "no MariaDB password in the metrics"
assert_not_contains "$T/m1.txt" "$PG_PASS" "no PostgreSQL password in the metrics"

# a lost sink connection: one error logged, one reconnect, and counting goes on
pg_admin "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'sink' AND application_name LIKE 'stream[%'" >/dev/null
wait_metric "$port" 'stream_reconnects_total{database="mt"}' 1 || fail "the reconnect was not counted"
scrape "$port" "$T/m2.txt"
e=$(metric "$T/m2.txt" 'stream_errors_total{database="mt"}')
[ -n "$e" ] && [ "$e" -ge 1 ] || fail "the lost connection was not counted as an error ($e)"
my "INSERT INTO $TEST_DB.a VALUES (300, 3)"
wait_metric "$port" 'stream_rows_applied_total{database="mt",table="a",kind="insert"}' 56 ||
	fail "rows applied after the reconnect are not counted"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID"
assert_eq 0 "$?" "SIGTERM exits 0 with metrics on"

# --- migrate, while it runs ----------------------------------------------------
# d is locked on the source, so its copy waits and migrate keeps running; c
# is copied meanwhile. The database's own MT_METRICS_ADDRESS wins over
# METRICS_ADDRESS (which would fail); port 0: the kernel chooses, the log
# says which.
allow mt a b c d
printf 'METRICS_ADDRESS=nonsense\nMT_METRICS_ADDRESS=127.0.0.1:0\n' >>"$T/.env"
my "LOCK TABLES $TEST_DB.d WRITE; SELECT SLEEP(120)" >/dev/null 2>&1 &
lockpid=$!
at_exit "kill $lockpid 2>/dev/null"
lockid=""
for _ in $(seq 1 100); do
	lockid=$(my "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep' AND INFO LIKE 'SELECT SLEEP(120)%'")
	[ -n "$lockid" ] && break
	sleep 0.1
done
[ -n "$lockid" ] || fail "the lock on table d was not taken"
at_exit "my 'KILL $lockid' 2>/dev/null"
(cd "$T" && exec "$MIGRATE" --env "$T/.env" --database mt --tables c,d --max-workers 2) >"$T/migrate.bg.log" 2>&1 &
mpid=$!
at_exit "kill $mpid 2>/dev/null"
mport=""
for _ in $(seq 1 300); do
	mport=$(sed -n 's|.*serving metrics at http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$T/migrate.bg.log")
	[ -n "$mport" ] && break
	sleep 0.1
done
[ -n "$mport" ] && [ "$mport" != 0 ] || fail "migrate did not log the port it chose: $(cat "$T/migrate.bg.log")"
wait_metric "$mport" 'migrate_rows_copied_total{database="mt",table="c"}' 3000 ||
	fail "migrate did not count table c's 3000 rows while running: $(cat "$T/w.txt")"
kill -0 "$mpid" 2>/dev/null || fail "migrate ended while table d was locked"
scrape "$mport" "$T/mm.txt" || fail "scrape of migrate failed"
bytes=$(my "SELECT SUM(LENGTH(id) + LENGTH(s)) FROM $TEST_DB.c")
assert_eq "$bytes" "$(metric "$T/mm.txt" 'migrate_bytes_copied_total{database="mt",table="c"}')" \
	"bytes copied of c: its values' lengths"
assert_eq 0 "$(metric "$T/mm.txt" 'migrate_rows_copied_total{database="mt",table="d"}')" "nothing of d while it is locked"
assert_contains "$T/mm.txt" "# TYPE migrate_rows_copied_total counter" "migrate's TYPE line"
assert_eq 0 "$(metric "$T/mm.txt" 'migrate_errors_total{database="mt"}')" "no migrate error"
my "KILL $lockid"
wait "$mpid"
rc=$?
[ "$rc" = 0 ] || fail "migrate exited $rc after the lock was released: $(tail -n 20 "$T/migrate.bg.log")"
assert_eq "3000 10" "$(pg "SELECT (SELECT count(*) FROM mt_sink.c) || ' ' || (SELECT count(*) FROM mt_sink.d)")" \
	"both tables copied"
exit 0
