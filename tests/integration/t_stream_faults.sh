#!/bin/sh
# stream under faults and allowlist edits: kill -9 at random moments while
# writes run (no loss, no duplicate), a table added while running joins at
# its own watermark, a table removed stops being applied, an ALTER stops
# only its table (what it can carry is carried), RENAME and DROP TABLE stop
# their tables, MIXED format and a purged binlog are refused at start.
. "$(dirname "$0")/lib.sh"

# thousands of small source transactions: no fsync per commit in this test
my "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
at_exit 'my "SET GLOBAL innodb_flush_log_at_trx_commit = 1"'

my "DROP DATABASE IF EXISTS it_sf; CREATE DATABASE it_sf; USE it_sf;
CREATE TABLE a (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
CREATE TABLE log (n INT, s VARCHAR(20));
CREATE TABLE extra (id INT NOT NULL PRIMARY KEY, v INT);
CREATE TABLE alt (id INT NOT NULL PRIMARY KEY, v INT);
CREATE TABLE drp (id INT NOT NULL PRIMARY KEY);
INSERT INTO drp VALUES (1), (2);
INSERT INTO a SELECT seq, 0, 's' FROM seq_1_to_2000;
INSERT INTO extra SELECT seq, seq FROM seq_1_to_500;
INSERT INTO alt VALUES (1, 1);"
write_env sf it_sf sf_sink
allow sf a log alt drp
run_migrate --database sf --tables all || fail "migrate failed"

# --- kill -9 while a writer runs ------------------------------------------
(
	echo "USE it_sf;"
	for i in $(seq 1 1500); do
		echo "START TRANSACTION; UPDATE a SET v = v + 1 WHERE id = $((i % 2000 + 1)); INSERT INTO log VALUES ($i, 'x'); COMMIT;"
		[ $((i % 100)) -eq 0 ] && echo "INSERT INTO log SELECT seq, 'bulk' FROM seq_1_to_300; DELETE FROM a WHERE id = $i;"
	done
) > "$T/writes.sql"
my < "$T/writes.sql" > "$T/writer.out" 2>&1 &
writer=$!
for round in 1 2 3 4; do
	start_stream --database sf
	sleep "0.$((round * 2 + 3))"
	kill -9 "$STREAM_PID" 2>/dev/null
	wait "$STREAM_PID" 2>/dev/null
done
wait $writer || fail "writer failed: $(cat "$T/writer.out")"
run_stream --database sf --stop-at "$(binlog_end)" || fail "stream after kill -9 failed"
m=$(my "SELECT COUNT(*), SUM(v), SUM(id) FROM it_sf.a" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) FROM sf_sink.a")
assert_eq "$m" "$p" "table a equals its source after kill -9"
m=$(my "SELECT COUNT(*), SUM(n), COUNT(DISTINCT n, s) FROM it_sf.log" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(n) || ' ' || count(DISTINCT (n, s)) FROM sf_sink.log")
assert_eq "$m" "$p" "table without a key: no row lost or doubled after kill -9"

# --- connections cut on both sides, binlog rotation, under load -------------
start_stream --database sf
cat "$T/writes.sql" "$T/writes.sql" | my > "$T/writer.out" 2>&1 &
writer=$!
sleep 0.5
my "FLUSH BINARY LOGS"
sleep 0.5
my "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'" | while read -r id; do
	my "KILL $id" 2>/dev/null
done
sleep 0.5
pg_admin "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'stream[%'" > /dev/null
my "FLUSH BINARY LOGS"
kill -0 $writer 2>/dev/null || echo "# note: the writer finished before the faults were injected" >&2
wait $writer || fail "writer failed: $(cat "$T/writer.out")"
end=$(binlog_end)
wait_ckpt sf "$end" || fail "the stream did not catch up with $end after cut connections"
m=$(my "SELECT COUNT(*), SUM(v), SUM(id) FROM it_sf.a" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) FROM sf_sink.a")
assert_eq "$m" "$p" "table a equals its source after cut connections and rotation"
m=$(my "SELECT COUNT(*), SUM(n) FROM it_sf.log" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(n) FROM sf_sink.log")
assert_eq "$m" "$p" "table without a key after cut connections and rotation"
assert_contains "$T/stream.bg.log" "retrying in" "the stream reconnected"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"

# --- allowlist edits while running ----------------------------------------
start_stream --database sf
sleep 1
my "INSERT INTO it_sf.extra VALUES (501, 501); UPDATE it_sf.extra SET v = -1 WHERE id = 7"
allow sf a alt extra drp        # log leaves, extra joins
kill -HUP "$STREAM_PID"
sleep 1
my "INSERT INTO it_sf.extra VALUES (502, 502)"
run_migrate --database sf --tables extra || fail "migrate of the added table failed"
# writes after the new table's snapshot reach it through the running stream
my "UPDATE it_sf.extra SET v = -2 WHERE id = 8; DELETE FROM it_sf.extra WHERE id = 9; INSERT INTO it_sf.log VALUES (-1, 'gone')"
my "INSERT INTO it_sf.a VALUES (99999, 1, 'mark')"
i=0
while [ "$(pg "SELECT count(*) FROM sf_sink.a WHERE id = 99999")" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
m=$(my "SELECT COUNT(*), SUM(v) FROM it_sf.extra" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) FROM sf_sink.extra")
assert_eq "$m" "$p" "table added while running equals its source"
assert_eq 0 "$(pg "SELECT count(*) FROM sf_sink.log WHERE n = -1")" "removed table no longer applied"
assert_eq removed "$(pg "SELECT state FROM $CTL.tables WHERE source_db = 'sf' AND source_table = 'log'")" "removed table marked"

# --- a streamed table copied again by migrate while writes go on -----------
(
	echo "USE it_sf;"
	for i in $(seq 1 400); do
		echo "UPDATE a SET v = v + 1 WHERE id = $((i * 3 + 1)); INSERT INTO a VALUES ($((200000 + i)), $i, 'r');"
	done
) | my > "$T/writer2.out" 2>&1 &
writer=$!
sleep 0.3
run_migrate --database sf --tables a || fail "copying a streamed table again failed"
wait $writer || fail "writer failed: $(cat "$T/writer2.out")"
my "INSERT INTO it_sf.a VALUES (99998, 1, 'mark2')"
i=0
while [ "$(pg "SELECT count(*) FROM sf_sink.a WHERE id = 99998")" != 1 ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
m=$(my "SELECT COUNT(*), SUM(v), SUM(id) FROM it_sf.a" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) FROM sf_sink.a")
assert_eq "$m" "$p" "table copied again while streamed equals its source"

# --- schema changes: ADD, RENAME, DROP COLUMN carried; a type change stops
# only its table -------------------------------------------------------------
# step SQL MARK: runs SQL on the source, then waits until row MARK of table a
# arrived (each ALTER is carried before the next one is written)
step() {
	my "USE it_sf; $1; INSERT INTO a VALUES ($2, 1, 'mark')"
	_i=0
	while [ "$(pg "SELECT count(*) FROM sf_sink.a WHERE id = $2")" != 1 ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}
step "ALTER TABLE alt ADD COLUMN w INT DEFAULT 5; INSERT INTO alt VALUES (2, 2, 2)" 99990
step "ALTER TABLE alt ADD COLUMN note VARCHAR(10) NOT NULL DEFAULT 'n/a'; INSERT INTO alt (id, v) VALUES (3, 3)" 99991
step "ALTER TABLE alt RENAME COLUMN v TO v2; UPDATE alt SET v2 = 20 WHERE id = 2" 99992
step "ALTER TABLE alt DROP COLUMN w, ADD INDEX ix_v2 (v2); INSERT INTO alt (id, v2, note) VALUES (4, 4, 'four')" 99993
pg "SELECT id, v2, note FROM sf_sink.alt ORDER BY id" | tr '\n' ' ' > "$T/alt.rows"
assert_eq "1|1|n/a 2|20|n/a 3|3|n/a 4|4|four " "$(cat "$T/alt.rows")" "ADD, RENAME and DROP COLUMN carried with the rows around them"
assert_eq "id v2 note" "$(pg "SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'sf_sink.alt'::regclass AND attnum > 0 AND NOT attisdropped")" "target columns follow the source"
# type changes: widening and CHANGE (rename + retype) carried with a cast
step "ALTER TABLE alt MODIFY v2 BIGINT; INSERT INTO alt (id, v2) VALUES (5, 5000000000)" 99994
step "ALTER TABLE alt CHANGE v2 amount DECIMAL(20,2); INSERT INTO alt (id, amount, note) VALUES (6, 6.25, 'six')" 99995
pg "SELECT id, amount, note FROM sf_sink.alt ORDER BY id" | tr '\n' ' ' > "$T/alt.rows"
assert_eq "1|1.00|n/a 2|20.00|n/a 3|3.00|n/a 4|4.00|four 5|5000000000.00|n/a 6|6.25|six " "$(cat "$T/alt.rows")" "MODIFY and CHANGE carried, values converted"
assert_eq "numeric(20,2)" "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'sf_sink.alt'::regclass AND attname = 'amount'")" "target column retyped"

# --- changes made while the stream is stopped are carried in order: rows
# before each ALTER decoded with the schema they were written under --------
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
my "USE it_sf; INSERT INTO alt (id, amount) VALUES (7, 7.5);
	ALTER TABLE alt ADD COLUMN flag TINYINT NOT NULL DEFAULT 1; INSERT INTO alt (id, amount, flag) VALUES (8, 8, 0);
	ALTER TABLE alt MODIFY note VARCHAR(40); UPDATE alt SET note = 'a note longer than ten chars' WHERE id = 1"
# an ALTER with no rows after it is carried at its own position (the
# schema history does not wait for the table's next rows)
run_stream --database sf --stop-at "$(binlog_end)" || fail "stream --stop-at failed"
my "USE it_sf; ALTER TABLE alt DROP COLUMN flag"
run_stream --database sf --stop-at "$(binlog_end)" || fail "stream --stop-at failed"
assert_eq 0 "$(pg "SELECT count(*) FROM pg_attribute WHERE attrelid = 'sf_sink.alt'::regclass AND attname = 'flag' AND NOT attisdropped")" "an ALTER with no rows after it is carried"
assert_eq "" "$(pg "SELECT coalesce(ddl_pending, '') FROM $CTL.tables WHERE source_db = 'sf' AND source_table = 'alt'")" "nothing left pending"
my "USE it_sf; INSERT INTO alt (id, amount) VALUES (9, 9)"
run_stream --database sf --stop-at "$(binlog_end)" || fail "stream --stop-at failed"
m=$(my "SELECT id, amount, coalesce(note, '-') FROM it_sf.alt ORDER BY id" | tr '\t\n' '| ')
p=$(pg "SELECT id, amount, coalesce(note, '-') FROM sf_sink.alt ORDER BY id" | tr '\n' ' ')
assert_eq "$m" "$p" "ALTERs made while the stream was stopped carried with the rows between them"
assert_eq "" "$(pg "SELECT coalesce(stream_error, '') || coalesce(ddl_pending, '') FROM $CTL.tables WHERE source_db = 'sf' AND source_table = 'alt'")" "no error, nothing pending"

# --- what cannot be carried stops only its table (STREAM_ON_UNCARRYABLE=stop;
# by default it is copied again online: t_schema_recopy) --------------------
export STREAM_ON_UNCARRYABLE=stop
start_stream --database sf
my "ALTER TABLE it_sf.alt MODIFY amount DOUBLE; INSERT INTO it_sf.alt (id, amount) VALUES (10, 10); UPDATE it_sf.a SET s = 'after alter' WHERE id = 1777"
i=0
while [ "$(pg "SELECT s FROM sf_sink.a WHERE id = 1777")" != "after alter" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "after alter" "$(pg "SELECT s FROM sf_sink.a WHERE id = 1777")" "other tables stream on after a type change"
pg "SELECT coalesce(stream_error, '') FROM $CTL.tables WHERE source_db = 'sf' AND source_table = 'alt'" > "$T/alt.err"
assert_contains "$T/alt.err" "changed type" "the stopped table says why"
assert_eq 0 "$(pg "SELECT count(*) FROM sf_sink.alt WHERE id = 10")" "nothing applied to the stopped table"
# RENAME TABLE and DROP TABLE stop their tables; PostgreSQL keeps the copies
my "USE it_sf; RENAME TABLE extra TO extra_old; DROP TABLE drp; UPDATE a SET s = 'after drop' WHERE id = 1777"
i=0
while [ "$(pg "SELECT s FROM sf_sink.a WHERE id = 1777")" != "after drop" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "after drop" "$(pg "SELECT s FROM sf_sink.a WHERE id = 1777")" "other tables stream on after RENAME and DROP TABLE"
pg "SELECT source_table || ': ' || state || ': ' || coalesce(stream_error, error, '') FROM $CTL.tables WHERE source_db = 'sf' AND source_table IN ('extra', 'drp')" > "$T/ren.err"
assert_contains "$T/ren.err" 'extra: ready: the table was renamed to "extra_old" in MariaDB' "RENAME TABLE stops the table, saying why"
assert_contains "$T/ren.err" "drp: dropped: the table was dropped in MariaDB" "DROP TABLE stops the table, saying why"
assert_eq 2 "$(pg "SELECT count(*) FROM sf_sink.drp")" "the dropped table's copy is kept"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
unset STREAM_ON_UNCARRYABLE

# --- refused at start: MIXED format, purged binlog --------------------------
my "SET GLOBAL binlog_format = 'MIXED'"
run_stream --database sf --stop-at "$(binlog_end)"
rc=$?
my "SET GLOBAL binlog_format = 'ROW'"
[ $rc -ne 0 ] || fail "stream started with binlog_format MIXED"
assert_contains "$T/stream.log" "binlog_format is MIXED" "MIXED refused"
pg "UPDATE $CTL.tables SET applied_file = 'mariadb-bin.000000', applied_pos = 4, snapshot_file = 'mariadb-bin.000000', snapshot_pos = 4 WHERE source_db = 'sf' AND source_table = 'a'"
run_stream --database sf --stop-at "$(binlog_end)" && fail "stream started from a purged binlog"
assert_contains "$T/stream.log" "has been purged" "purged binlog named"
exit 0
