#!/bin/sh
# stream replays the binlog from migrate's watermarks: writes during and
# after migrate converge, every value lands exactly as a fresh migrate of
# the same source puts it (both paths compared in PostgreSQL), tables
# without a key keep their duplicates, a big transaction, TRUNCATE, a
# statement-logged change refused, a second daemon refused, --status.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_st; CREATE DATABASE it_st; USE it_st;
CREATE TABLE k (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY, s VARCHAR(40), n DECIMAL(12,3), ti TINYINT, si SMALLINT UNSIGNED,
  d DATE, dt DATETIME(3), ts TIMESTAMP(6) NULL, tm TIME(2), y YEAR, b BIT(1), b9 BIT(9),
  e ENUM('x','y','z'), st SET('a','b','c'), j JSON, f FLOAT, g DOUBLE, bin VARBINARY(20), bl BLOB,
  ch CHAR(5), tx TEXT, u UUID, i6 INET6, UNIQUE KEY uq (s));
CREATE TABLE nk (a INT, b VARCHAR(10));
CREATE TABLE big (id INT NOT NULL PRIMARY KEY, v VARCHAR(30));
INSERT INTO k (id, s, n, ti, si, d, dt, ts, tm, y, b, b9, e, st, j, f, g, bin, bl, ch, tx, u, i6)
  SELECT seq, CONCAT('s', seq), seq / 7, seq % 100, seq, '2024-02-29' + INTERVAL seq DAY,
         '2020-01-01 10:00:00.123' + INTERVAL seq SECOND, FROM_UNIXTIME(1700000000 + seq),
         SEC_TO_TIME(seq * 37), 1990 + seq % 50, seq % 2, seq % 512, ELT(1 + seq % 3, 'x', 'y', 'z'), 'a,c',
         JSON_OBJECT('n', seq, 'q', 'it''s'), seq / 3, seq / 9, UNHEX(HEX(seq)), REPEAT('b', seq % 50),
         'ab', REPEAT('t', seq % 300), UUID(), CONCAT('2001:db8::', HEX(seq))
  FROM seq_1_to_3000;
INSERT INTO nk VALUES (1, 'one'), (1, 'one'), (2, 'two'), (NULL, NULL);
INSERT INTO big SELECT seq, 'v' FROM seq_1_to_100;"
write_env st it_st st_sink
allow st k nk big

# writes while migrate copies
(
	echo "USE it_st;"
	for i in $(seq 1 200); do
		echo "UPDATE k SET n = n + 1, tx = 'during $i' WHERE id = $((i * 13));
		      INSERT INTO k (id, s, e, j) VALUES ($((5000 + i)), 'w$i', 'z', '[1, 2]');
		      DELETE FROM k WHERE id = $((i * 7 + 1));"
	done
) | my > "$T/writer.out" 2>&1 &
writer=$!
run_migrate --database st --tables all || fail "migrate failed"
wait $writer || fail "writer during migrate failed: $(cat "$T/writer.out")"


# writes after migrate: every kind, edge values, a key change, duplicates in
# the table without a key, one transaction of 20000 rows, a TRUNCATE
my "USE it_st;
UPDATE k SET s = 'moved', id = 90001 WHERE id = 2;
UPDATE k SET s = CONCAT(s, '-x'), ts = NULL, tm = '-838:59:59.99', y = 0, b = 0, b9 = b'100000001',
             e = NULL, st = '', j = '{\"a\": [1, {\"b\": null}]}', f = -1.5e-7, g = 1e300, bin = X'00FF00',
             ch = '', d = '0000-00-00', dt = '1000-01-01 00:00:00.001', i6 = '::ffff:1.2.3.4'
  WHERE id BETWEEN 100 AND 150;
DELETE FROM k WHERE id BETWEEN 200 AND 260;
INSERT INTO k (id, s, tx) VALUES (70000, 'tab\there', 'nul\\0x'), (70001, 'ünï', 'line\nbreak');
UPDATE k SET n = n + 1 WHERE id = 300; UPDATE k SET n = n + 1, s = 'twice' WHERE id = 300;
DELETE FROM k WHERE id = 301; INSERT INTO k (id, s) VALUES (301, 'again');
INSERT INTO k (id, s) VALUES (80000, 'short-lived'); DELETE FROM k WHERE id = 80000;
UPDATE nk SET b = 'uno' WHERE a = 1 LIMIT 1;
DELETE FROM nk WHERE a = 2;
INSERT INTO nk VALUES (3, 'three'), (3, 'three');
START TRANSACTION; INSERT INTO big SELECT seq, REPEAT('x', 20) FROM seq_1000_to_20999; UPDATE big SET v = 'y' WHERE id < 50; COMMIT;
SET sql_mode = '';
TRUNCATE TABLE big;
INSERT INTO big VALUES (1, 'after truncate');" || fail "writes failed"
end=$(binlog_end)

run_stream --database st --stop-at "$end" || fail "stream --stop-at failed"
assert_contains "$T/stream.log" "reached --stop-at" "stream stopped at the position"

# the same source, copied fresh by migrate into another schema and control
# schema, must equal what the stream built: both paths land values alike
sed -e "s/^SINK_SCHEMA=.*/SINK_SCHEMA=st_fresh/" -e "s/^CONTROL_SCHEMA=.*/CONTROL_SCHEMA=${CTL}_fresh/" "$T/.env" > "$T/fresh.env"
chmod 600 "$T/fresh.env"
(cd "$T" && "$MIGRATE" --env "$T/fresh.env" --database st --tables all > "$T/fresh.log" 2>&1) || fail "fresh migrate failed"
for t in k nk big; do
	pg_same "st_sink.$t" "st_fresh.$t" "table $t streamed equals migrated"
done
assert_eq 1 "$(pg "SELECT count(*) FROM st_sink.big")" "TRUNCATE applied before the later insert"
assert_eq 2 "$(pg "SELECT count(*) FROM st_sink.nk WHERE a = 3")" "duplicate rows kept in a table without a key"

# the checkpoint and counters, and --status
assert_eq "$end" "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'st'")" "checkpoint at the end"
assert_not_contains "$T/stream.all.log" "stops streaming" "no table stopped (nor was copied again)"
run_stream --database st --status || fail "--status failed"
assert_match "$T/stream.log" '^k +ready +mariadb-bin\.[0-9]+:[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+' "--status lists table k"
assert_contains "$T/stream.log" "lag: 0 bytes" "--status shows no lag"

# a restart with nothing new applies nothing twice
ins=$(pg "SELECT rows_inserted FROM $CTL.tables WHERE source_db = 'st' AND source_table = 'nk'")
my "INSERT INTO it_st.nk VALUES (4, 'four')"
run_stream --database st --stop-at "$(binlog_end)" || fail "second stream run failed"
assert_eq $((ins + 1)) "$(pg "SELECT rows_inserted FROM $CTL.tables WHERE source_db = 'st' AND source_table = 'nk'")" "one new insert counted"
assert_eq 1 "$(pg "SELECT count(*) FROM st_sink.nk WHERE a = 4")" "new row applied once"

# a second daemon for the same database is refused
start_stream --database st
sleep 1.5
(export STREAM_START_WAIT=2; run_stream --database st --stop-at "$(binlog_end)") && fail "a second stream started"
assert_contains "$T/stream.log" "another stream for database \"st\" is running" "second daemon refused"
# SIGTERM: the running daemon finishes its batch and exits 0
my "INSERT INTO it_st.nk VALUES (5, 'five')"
sleep 1
kill -TERM "$STREAM_PID"
wait "$STREAM_PID"
assert_eq 0 "$?" "SIGTERM exits 0"
assert_eq 1 "$(pg "SELECT count(*) FROM st_sink.nk WHERE a = 5")" "change applied before the stop"

# a change logged as a statement on a streamed table stops the stream
my "SET SESSION binlog_format = 'STATEMENT'; INSERT INTO it_st.nk VALUES (6, 'six')"
run_stream --database st --stop-at "$(binlog_end)" && fail "stream accepted a statement-logged change"
assert_contains "$T/stream.log" "was logged as a statement" "statement DML refused"
exit 0
