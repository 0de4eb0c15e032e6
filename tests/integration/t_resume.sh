#!/bin/sh
# --resume after kill -9 mid-copy ends equal to the source without recopying
# finished chunks and without duplicates; a MariaDB connection killed
# mid-chunk is retried; a table that failed is never marked ready.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_res; CREATE DATABASE it_res; USE it_res;
CREATE TABLE r (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(100), n DECIMAL(12,2), KEY (v));
INSERT INTO r SELECT seq, CONCAT('value ', seq), seq / 3 FROM seq_1_to_300000;
CREATE TABLE bag (x INT, y TEXT);
INSERT INTO bag SELECT seq % 100, 'same' FROM seq_1_to_50000;
ANALYZE TABLE r, bag;"
write_env res it_res res_sink
allow res r bag

same_as_source() {  # same_as_source LABEL
	m=$(my "SELECT COUNT(*), SUM(id), SUM(CAST(CONV(LEFT(MD5(CONCAT_WS(',', id, v, n)), 12), 16, 10) AS UNSIGNED)) FROM it_res.r" | tr '\t' ' ')
	p=$(pg "SELECT count(*) || ' ' || sum(id) || ' ' || sum(('x' || left(md5(concat_ws(',', id, v, n)), 12))::bit(48)::bigint) FROM res_sink.r")
	assert_eq "$m" "$p" "$1: table r equals its source"
	assert_eq 50000 "$(pg "SELECT count(*) FROM res_sink.bag")" "$1: keyless table has every row once"
}

for mode in unlogged logged; do
	(cd "$T" && exec "$MIGRATE" --env "$T/.env" --database res --tables all --threshold 0 --batch-size 1000 \
		--max-workers 1 --chunk-workers 1 --load-mode $mode >"$T/killed.log" 2>&1) &
	pid=$!
	i=0
	# the previous round left a finished ledger: wait for this run's own
	while [ "$(pg "SELECT count(*) FROM $CTL.chunks c JOIN $CTL.tables t USING (source_db, source_table)
		WHERE c.source_table = 'r' AND c.state = 'done' AND t.state = 'copying'" 2>/dev/null || echo 0)" -lt 5 ]; do
		i=$((i + 1)); [ $i -lt 600 ] || fail "$mode: no chunk finished in time"; sleep 0.1
	done
	kill -9 $pid; wait $pid 2>/dev/null
	done_before=$(pg "SELECT count(*) FROM $CTL.chunks WHERE source_table = 'r' AND state = 'done'")
	total=$(pg "SELECT count(*) FROM $CTL.chunks WHERE source_table = 'r'")
	[ "$done_before" -lt "$total" ] || fail "$mode: the copy finished before the kill"
	assert_eq copying "$(pg "SELECT state FROM $CTL.tables WHERE source_table = 'r'")" "$mode: killed table not ready"
	run_migrate --database res --tables all --threshold 0 --batch-size 1000 --resume --load-mode $mode || fail "$mode: resume failed"
	assert_contains "$T/migrate.log" "resuming with $done_before of $total chunks already copied" "$mode: finished chunks kept"
	same_as_source "$mode resume"
	assert_eq p "$(pg "SELECT relpersistence FROM pg_class WHERE oid = 'res_sink.r'::regclass")" "$mode: table ends logged"
	assert_eq ready "$(pg "SELECT state FROM $CTL.tables WHERE source_table = 'r'")" "$mode: ready after resume"
done

# A connection lost mid-chunk, on either side: the chunk is retried and the
# run succeeds. A table lock holds the chunk in flight so the kill cannot miss.
find_my() { my "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'migrator' AND INFO LIKE 'SELECT % FROM \`it_res\`.\`r\`%' LIMIT 1"; }
kill_my() { my "KILL $1"; }
find_pg() { pg_admin "SELECT pid FROM pg_stat_activity WHERE application_name = 'migrate' AND query LIKE '%COPY %res_sink%' LIMIT 1"; }
kill_pg() { pg_admin "SELECT pg_terminate_backend($1)"; }
interrupt_mid_chunk() {  # interrupt_mid_chunk LABEL FIND KILL
	my "LOCK TABLES it_res.r WRITE; SELECT SLEEP(3); UNLOCK TABLES" >/dev/null &
	locker=$!
	sleep 0.5
	(cd "$T" && exec "$MIGRATE" --env "$T/.env" --database res --tables r >"$T/$1.log" 2>&1) &
	pid=$!
	victim=""
	i=0
	while [ -z "$victim" ] && [ $i -lt 100 ]; do
		victim=$($2)
		[ -n "$victim" ] && $3 "$victim" >/dev/null 2>&1
		i=$((i + 1)); sleep 0.1
	done
	wait $locker
	[ -n "$victim" ] || fail "$1: never saw a chunk in flight"
	wait $pid || { cat "$T/$1.log"; fail "$1: migrate did not survive the lost connection"; }
	assert_contains "$T/$1.log" "connection lost while copying chunk" "$1: retry logged"
	same_as_source "$1"
}
interrupt_mid_chunk mariadb-killed find_my kill_my
interrupt_mid_chunk sink-terminated find_pg kill_pg

# a failure: the table is failed, not ready, and the exit code says so
my "CREATE TABLE it_res.bad (id INT PRIMARY KEY, v VARCHAR(10))"
my "INSERT INTO it_res.bad VALUES (1, '10')"
allow res r bag "bad v=integer"
my "INSERT INTO it_res.bad VALUES (2, 'x2')"
run_migrate --database res --tables bad; rc=$?
assert_eq 1 "$rc" "a rejected value fails the run"
assert_contains "$T/migrate.log" 'table "bad", key id=2' "the rejected row's key is named"
assert_eq failed "$(pg "SELECT state FROM $CTL.tables WHERE source_table = 'bad'")" "failed table not ready"
exit 0
