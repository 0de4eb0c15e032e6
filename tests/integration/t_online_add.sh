#!/bin/sh
# Allowlist edits in one step (issue 13): a line in tables.d/NAME and SIGHUP,
# no migrate. While a writer keeps the streamed table busy, the daemon copies
# a 200k-row table and a table without a key online, shows the copy in
# --status and the metrics, and streams both from their watermarks; it
# never restarts. Then: remove a table, write, add it back (copied again),
# write; a listed table MariaDB lacks is reported while the others stream;
# migrate --tables NEW while the daemon runs still works; a kill -9 during
# an online copy resumes it on the next start, never half-copied. Every
# table is compared value by value with its source.
. "$(dirname "$0")/lib.sh"

my "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
at_exit 'my "SET GLOBAL innodb_flush_log_at_trx_commit = 1"'

my "DROP DATABASE IF EXISTS it_oa; CREATE DATABASE it_oa; USE it_oa;
CREATE TABLE a (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20) NOT NULL);
CREATE TABLE big (id INT NOT NULL PRIMARY KEY, n INT NOT NULL, amount DECIMAL(12,2) NOT NULL,
                  at DATETIME NOT NULL, pad VARCHAR(120) NOT NULL, KEY (n));
CREATE TABLE nokey (n INT NOT NULL, s VARCHAR(20) NOT NULL);
CREATE TABLE mig (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
CREATE TABLE late (id INT NOT NULL PRIMARY KEY, pad VARCHAR(200) NOT NULL);
INSERT INTO a SELECT seq, 0, 'a' FROM seq_1_to_20000;
INSERT INTO big SELECT seq, seq % 1000, seq / 7, '2024-01-01 00:00:00' + INTERVAL seq SECOND, REPEAT('x', 100)
  FROM seq_1_to_200000;
INSERT INTO nokey SELECT seq % 50, 'k' FROM seq_1_to_5000;
INSERT INTO mig SELECT seq, seq FROM seq_1_to_3000;
INSERT INTO late SELECT seq, REPEAT('y', 180) FROM seq_1_to_300000;"
write_env oa it_oa oa_sink
allow oa a
run_migrate --database oa --tables all || fail "migrate failed"

check_all() {
	same_values "SELECT id, v, s FROM it_oa.a ORDER BY id" "SELECT id, v, s FROM oa_sink.a ORDER BY id" "a $1"
	same_values "SELECT id, n, amount, at, pad FROM it_oa.big ORDER BY id" \
		"SELECT id, n, amount, to_char(at, 'YYYY-MM-DD HH24:MI:SS'), pad FROM oa_sink.big ORDER BY id" "big $1"
	same_values "SELECT n, s FROM it_oa.nokey ORDER BY n, s" "SELECT n, s FROM oa_sink.nokey ORDER BY n, s" \
		"nokey $1"
}
# settle: a last write to a reaches PostgreSQL (everything before it is in)
mark=900000
settle() {
	mark=$((mark + 1))
	my "INSERT INTO it_oa.a VALUES ($mark, 0, 'mark')"
	_i=0
	while [ "$(pg "SELECT count(*) FROM oa_sink.a WHERE id = $mark")" != 1 ]; do
		_i=$((_i + 1))
		[ $_i -le 600 ] || fail "mark $mark did not arrive ($1)"
		sleep 0.1
	done
}
# writer: small transactions on every table until $T/stop exists
writer() {
	i=0
	while [ ! -f "$T/stop" ]; do
		i=$((i + 1))
		echo "USE it_oa; START TRANSACTION; UPDATE a SET v = v + 1 WHERE id = $((i * 7 % 20000 + 1));
		  UPDATE big SET n = n + 1, amount = amount + 0.25 WHERE id = $((i * 13 % 200000 + 1));
		  INSERT INTO big VALUES ($((300000 + i)), $i, $i.5, NOW(), 'new');
		  DELETE FROM big WHERE id = $((i * 31 % 200000 + 1));
		  INSERT INTO nokey VALUES ($i, 'w'); DELETE FROM nokey WHERE n = $((i % 50)) AND s = 'k' LIMIT 1;
		  COMMIT;"
	done | my > "$T/writer.out" 2>&1
}
stop_writer() {
	touch "$T/stop"
	wait "$1" || fail "writer failed: $(cat "$T/writer.out")"
	rm -f "$T/stop"
}

port=$(free_port)
start_stream --database oa --metrics-address "127.0.0.1:$port"
pid=$STREAM_PID
wait_log "$T/stream.bg.log" 'table "a" streams from' || fail "stream did not start"
writer &
w=$!
sleep 1

# --- one-step add of a 200k-row table and a keyless table, under writes ----
# the copy of big is held at its first read for a few seconds (a lock on
# the source table), so that --status and the metrics can be seen mid-copy
my "LOCK TABLES it_oa.big WRITE; SELECT SLEEP(4); UNLOCK TABLES" > /dev/null &
locker=$!
sleep 0.3
allow oa a big nokey
kill -HUP "$pid"
wait_log "$T/stream.bg.log" 'table "big" joined the allowlist; copying it online' || fail "no online copy of big"
saw_status=0 saw_metric=0
for _ in $(seq 1 600); do
	(cd "$T" && "$STREAM" --env "$T/.env" --database oa --status) > "$T/status.out" 2>&1
	grep -Eq '^big +copying .*$' "$T/status.out" && grep -Eq 'copy: copying, [0-9]+ rows of ~[0-9]+ \([0-9]+%\), [0-9]+ s' "$T/status.out" && saw_status=1
	curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" > "$T/metrics.out" 2>/dev/null &&
		grep -q 'stream_table_copy_phase{database="oa",table="big",phase="copying"} 1' "$T/metrics.out" && saw_metric=1
	grep -q 'online copy of table "nokey" is ready' "$T/stream.bg.log" &&
		grep -q 'online copy of table "big" is ready' "$T/stream.bg.log" && break
	sleep 0.2
done
wait $locker
grep -q 'online copy of table "big" is ready' "$T/stream.bg.log" || fail "the online copy of big did not finish"
grep -q 'online copy of table "nokey" is ready' "$T/stream.bg.log" || fail "the online copy of nokey did not finish"
[ $saw_status = 1 ] || fail "--status never showed the copy's progress: $(cat "$T/status.out")"
[ $saw_metric = 1 ] || fail "the metrics never showed the copy's phase"
curl -sf "http://127.0.0.1:$port/metrics" > "$T/metrics.out"
assert_contains "$T/metrics.out" 'stream_table_copies_total{database="oa",table="big",result="ready"} 1' \
	"the finished copy is counted"
wait_log "$T/stream.bg.log" 'table "big" streams from' || fail "big does not stream after its copy"
sleep 2
stop_writer $w
settle "after the add"
kill -0 "$pid" || fail "the daemon exited"
check_all "after the one-step add under writes"
assert_eq 0 "$(grep -c 'retrying in\|exited\|\[error\]' "$T/stream.bg.log")" "the daemon never restarted nor failed"

# --- remove, write, re-add, write -------------------------------------------
allow oa a big
kill -HUP "$pid"
wait_log "$T/stream.bg.log" 'table "nokey" left the allowlist' || fail "nokey not removed"
my "INSERT INTO it_oa.nokey VALUES (-1, 'gone'), (-2, 'gone'); DELETE FROM it_oa.nokey WHERE s = 'w' LIMIT 10"
settle "after the removal"
assert_eq 0 "$(pg "SELECT count(*) FROM oa_sink.nokey WHERE s = 'gone'")" "a removed table is not applied"
# the copy of big is held at its first read for a few seconds (a lock on
# the source table), so that --status and the metrics can be seen mid-copy
my "LOCK TABLES it_oa.big WRITE; SELECT SLEEP(4); UNLOCK TABLES" > /dev/null &
locker=$!
sleep 0.3
allow oa a big nokey
kill -HUP "$pid"
wait_log "$T/stream.bg.log" 'table "nokey" is back in the allowlist; its PostgreSQL rows are stale' ||
	fail "re-added table not copied again"
i=0
until [ "$(grep -c 'online copy of table "nokey" is ready' "$T/stream.bg.log")" = 2 ]; do
	i=$((i + 1)); [ $i -le 300 ] || fail "the second copy of nokey did not finish"; sleep 0.1
done
my "INSERT INTO it_oa.nokey VALUES (-3, 'back'); UPDATE it_oa.big SET pad = 'after' WHERE id < 100"
settle "after the re-add"
check_all "after remove, write, re-add, write"

# --- a listed table MariaDB lacks: reported, the others stream on -----------
allow oa a big nokey ghost
kill -HUP "$pid"
wait_log "$T/stream.bg.log" 'table "ghost" of database "oa" is in the allowlist, but MariaDB schema "it_oa" has no table "ghost"' ||
	fail "the missing table was not reported"
my "UPDATE it_oa.a SET v = -5 WHERE id = 5"
settle "with a missing table"
assert_eq -5 "$(pg "SELECT v FROM oa_sink.a WHERE id = 5")" "the others stream on"
(cd "$T" && "$STREAM" --env "$T/.env" --database oa --status) > "$T/status.out" 2>&1
assert_match "$T/status.out" '^ghost +missing ' "--status shows the missing table"
curl -sf "http://127.0.0.1:$port/metrics" > "$T/metrics.out"
assert_contains "$T/metrics.out" 'stream_tables_missing{database="oa"} 1' "the metric counts it"

# --- migrate --tables NEW while the daemon runs still works -----------------
# (the daemon's copy is held by a lock on the source table until migrate
# has met it: migrate waits for that copy, then leaves the ready table)
my "LOCK TABLES it_oa.mig WRITE; SELECT SLEEP(2); UNLOCK TABLES" > /dev/null &
locker=$!
sleep 0.3
allow oa a big nokey mig
kill -HUP "$pid"
i=0
until [ "$(pg "SELECT state FROM $CTL.tables WHERE source_db = 'oa' AND source_table = 'mig'")" = copying ]; do
	i=$((i + 1)); [ $i -le 300 ] || fail "the online copy of mig did not start"; sleep 0.1
done
run_migrate --database oa --tables mig || fail "migrate of a table the daemon copies too failed: $(cat "$T/migrate.log")"
wait $locker
assert_contains "$T/migrate.log" 'the running stream is copying table "mig" online; waiting for that copy to finish' \
	"migrate waits for the daemon's copy"
assert_contains "$T/migrate.log" 'the running stream copied table "mig" meanwhile' "and leaves the table it copied"
my "UPDATE it_oa.mig SET v = -v WHERE id <= 10"
wait_log "$T/stream.bg.log" 'table "mig" streams from' || fail "mig does not stream"
settle "after migrate --tables mig"
same_values "SELECT id, v FROM it_oa.mig ORDER BY id" "SELECT id, v FROM oa_sink.mig ORDER BY id" "mig"

# --- kill -9 during an online copy: resumed, never ready half-copied --------
# (the copy is held at its read by a lock on the source table, so that the
# kill comes while it runs)
my "LOCK TABLES it_oa.late WRITE; SELECT SLEEP(3); UNLOCK TABLES" > /dev/null &
locker=$!
sleep 0.3
allow oa a big nokey mig late
kill -HUP "$pid"
wait_log "$T/stream.bg.log" 'table "late" joined the allowlist' || fail "no online copy of late"
i=0
until [ "$(pg "SELECT state FROM $CTL.tables WHERE source_db = 'oa' AND source_table = 'late'")" = copying ]; do
	i=$((i + 1)); [ $i -le 300 ] || fail "the copy of late did not start"; sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null
wait $locker
state=$(pg "SELECT state FROM $CTL.tables WHERE source_db = 'oa' AND source_table = 'late'")
[ "$state" != ready ] || fail "late was marked ready half-copied"
my "UPDATE it_oa.late SET pad = 'changed' WHERE id % 1000 = 0; DELETE FROM it_oa.late WHERE id > 299000"
start_stream --database oa
pid=$STREAM_PID
wait_log "$T/stream.bg.log" 'table "late" has an unfinished copy (state copying); continuing it online' ||
	fail "the interrupted copy was not continued"
wait_log "$T/stream.bg.log" 'online copy of table "late" is ready' 600 || fail "the continued copy did not finish"
wait_log "$T/stream.bg.log" 'table "late" streams from' || fail "late does not stream"
my "UPDATE it_oa.late SET pad = 'later' WHERE id % 999 = 0"
settle "after the resumed copy"
same_values "SELECT id, pad FROM it_oa.late ORDER BY id" "SELECT id, pad FROM oa_sink.late ORDER BY id" "late"
check_all "at the end"
kill -TERM "$pid"
wait "$pid" || fail "stream did not stop cleanly"
echo "ok t_online_add"
