#!/bin/sh
# stream --to kafka against librdkafka's mock cluster, run as its own process
# (tests/kafka/mock_broker.c): every change of the binlog arrives as a
# Debezium event (envelope, tombstone after a delete, flattened form), the
# events rebuild the source's rows, the checkpoint moves to what Kafka
# acknowledged; brokers down for a while and kill -9 of the publisher lose
# nothing.
. "$(dirname "$0")/lib.sh"


my "DROP DATABASE IF EXISTS it_kp; CREATE DATABASE it_kp; USE it_kp;
CREATE TABLE k (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, d DECIMAL(10,2), dt DATETIME(3), s VARCHAR(20));
CREATE TABLE nk (n INT, s VARCHAR(10));
INSERT INTO k SELECT seq, seq, seq / 4, '2024-01-31 12:00:00.125', CONCAT('s', seq) FROM seq_1_to_50;"
write_env kp it_kp kp_sink
allow kp k nk
run_migrate --database kp --tables all || fail "migrate failed"

# --- the broker ---------------------------------------------------------------
start_kafka_mock --brokers 3 --topic kp.it_kp.k:3 --topic kp.it_kp.nk:1 --topic flat.it_kp.k:3 --topic flat.it_kp.nk:1 \
	--errors-file "$T/errors"
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=kp\n' "$BOOT" >> "$T/.env"

# dump_table T [PREFIX]: the events of topic PREFIX.it_kp.T (default prefix
# kp) as rows of PostgreSQL table ev_T
dump_table() {
	"$DUMP" --bootstrap "$BOOT" --topic "${2:-kp}.it_kp.$1" > "$T/ev_$1.tsv" 2>"$T/dump.err" ||
		fail "kafka-dump failed: $(cat "$T/dump.err")"
	pg "DROP TABLE IF EXISTS kp_sink.ev_$1; CREATE TABLE kp_sink.ev_$1 (topic text, part int, off bigint, k text, v text)"
	# (COPY's text format: the events here hold no backslash)
	pg "\\copy kp_sink.ev_$1 FROM '$T/ev_$1.tsv' WITH (FORMAT text, NULL 'null')" >/dev/null ||
		fail "loading the events of $1 failed"
}

# --- changes published, envelope form ---------------------------------------
my "USE it_kp; INSERT INTO k VALUES (51, 51, -1.5, '1969-12-31 23:59:59.500', 'new');
	UPDATE k SET v = v + 100, s = 'upd' WHERE id <= 10;
	DELETE FROM k WHERE id BETWEEN 41 AND 45;
	INSERT INTO nk VALUES (1, 'a'), (1, 'a'), (2, 'b'); DELETE FROM nk WHERE n = 2;
	START TRANSACTION; UPDATE k SET v = 7 WHERE id = 20; UPDATE k SET v = 8 WHERE id = 20; COMMIT;
	UPDATE k SET id = 60 WHERE id = 30"
END1=$(binlog_end)
run_stream --database kp --to kafka --stop-at "$END1" || fail "stream --to kafka failed"
assert_eq "$END1" "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'kp' AND topic_prefix = 'kp'")" "checkpoint at the end, once Kafka acknowledged"
dump_table k
assert_eq "2 12 6 6" "$(pg "SELECT count(*) FILTER (WHERE (v::jsonb)->>'op' = 'c') || ' ' || count(*) FILTER (WHERE (v::jsonb)->>'op' = 'u') || ' ' || count(*) FILTER (WHERE (v::jsonb)->>'op' = 'd') || ' ' || count(*) FILTER (WHERE v IS NULL) FROM kp_sink.ev_k")" "one event per change: 1 insert, 10 + 2 updates, 5 deletes, a tombstone after each delete; a key change is a delete and a create"
e=$(pg "SELECT v FROM kp_sink.ev_k WHERE k = '{\"id\":51}'")
assert_eq t "$(pg "SELECT ('$e'::jsonb)->'after' = '{\"id\": 51, \"v\": 51, \"d\": \"/2o=\", \"dt\": -500, \"s\": \"new\"}'::jsonb")" "insert: Debezium's values (DECIMAL as base64 unscaled bytes, DATETIME(3) as epoch ms)"
assert_eq '"c"|null|"kp"|"it_kp"|"k"|"false"' "$(pg "SELECT concat_ws('|', j->'op', j->'before', j->'source'->'name', j->'source'->'db', j->'source'->'table', j->'source'->'snapshot') FROM (SELECT '$e'::jsonb j) x")" "insert envelope: op, before, source"
u=$(pg "SELECT v FROM kp_sink.ev_k WHERE k = '{\"id\":3}' AND v IS NOT NULL")
assert_eq '3|103|"u"' "$(pg "SELECT concat_ws('|', j->'before'->'v', j->'after'->'v', j->'op') FROM (SELECT '$u'::jsonb j) x")" "update: before and after images"
assert_eq "7 8" "$(pg "SELECT string_agg(((v::jsonb)->'after'->>'v'), ' ' ORDER BY off) FROM kp_sink.ev_k WHERE k = '{\"id\":20}' AND v IS NOT NULL")" "two changes of one key in order"
assert_eq "0" "$(pg "SELECT count(DISTINCT part) - 1 FROM kp_sink.ev_k WHERE k = '{\"id\":20}'")" "one key, one partition"
dump_table nk
assert_eq "3 1 0" "$(pg "SELECT count(*) FILTER (WHERE (v::jsonb)->>'op' = 'c') || ' ' || count(*) FILTER (WHERE (v::jsonb)->>'op' = 'd') || ' ' || count(*) FILTER (WHERE k IS NOT NULL) FROM kp_sink.ev_nk")" "a table without a key: events with a null key"

# --- brokers down for a while: nothing lost ----------------------------------
# mock_said WHAT: waits until the mock broker logged WHAT
mock_said() {
	_i=0
	until grep -q "$1" "$T/mock.err" || [ $_i -ge 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	grep -q "$1" "$T/mock.err" || fail "the mock broker did not report: $1"
}
start_stream --database kp --to kafka
sleep 1
kill -USR1 "$MOCK_PID"
mock_said "brokers down"
my "USE it_kp; INSERT INTO k SELECT seq, seq, 1.25, NULL, 'down' FROM seq_100_to_400; UPDATE k SET v = -v WHERE id BETWEEN 100 AND 150"
END2=$(binlog_end)
sleep 2
ckpt2=$(pg "SELECT binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'kp'")
assert_eq "${END1##*:}" "$ckpt2" "the checkpoint does not move while Kafka acknowledges nothing"
kill -USR2 "$MOCK_PID"
mock_said "brokers up"
i=0
until [ "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'kp'")" = "$END2" ] || [ $i -ge 300 ]; do
	sleep 0.1; i=$((i + 1))
done
assert_eq "$END2" "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'kp'")" "published once the brokers are back"

# --- produce requests failing (leader moved, connection cut): retried, no
# loss, no duplicate, each key's changes in order ---------------------------------
printf 'produce NOT_LEADER_FOR_PARTITION 3\nproduce _TRANSPORT 2\n' > "$T/errors.tmp"
mv "$T/errors.tmp" "$T/errors"
mock_said "produce request"
my "USE it_kp; UPDATE k SET v = v + 1000 WHERE id BETWEEN 100 AND 200; UPDATE k SET v = v + 1000 WHERE id BETWEEN 100 AND 200"
END2B=$(binlog_end)
i=0
until [ "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'kp'")" = "$END2B" ] || [ $i -ge 300 ]; do
	sleep 0.1; i=$((i + 1))
done
assert_eq "$END2B" "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'kp'")" "published through injected request errors"
dump_table k
assert_eq "101" "$(pg "SELECT count(*) FROM (SELECT k FROM kp_sink.ev_k WHERE v IS NOT NULL AND (v::jsonb)->>'op' = 'u' AND ((v::jsonb)->'after'->>'v')::bigint - ((v::jsonb)->'before'->>'v')::bigint = 1000 GROUP BY k HAVING count(*) = 2) x")" "each of the 101 keys got both updates, once each"
assert_eq "0" "$(pg "SELECT count(*) FROM (SELECT k, ((v::jsonb)->'after'->>'v')::int AS val, lag(((v::jsonb)->'after'->>'v')::int) OVER (PARTITION BY k ORDER BY off) AS prev FROM kp_sink.ev_k WHERE v IS NOT NULL) x WHERE prev IS NOT NULL AND abs(val) < abs(prev)")" "every key's values in order (offsets follow the source)"

# --- kill -9 mid-stream, restart: every change there (at least once) ---------
my "USE it_kp; UPDATE k SET s = CONCAT('r', id) WHERE id >= 100" &
w=$!
sleep 0.3
kill -9 "$STREAM_PID"; wait "$STREAM_PID" 2>/dev/null
wait $w
END3=$(binlog_end)
run_stream --database kp --to kafka --stop-at "$END3" || fail "stream --to kafka after kill -9 failed"
dump_table k
# (the rows migrate copied and nothing changed since have no events: snapshot
# rows are not published as op "r" yet)
m=$(my "SELECT GROUP_CONCAT(CONCAT_WS('|', id, v, s) ORDER BY id SEPARATOR ' ') FROM it_kp.k WHERE id <= 10 OR id = 20 OR id > 50")
p=$(pg "SELECT string_agg(concat_ws('|', r->>'id', r->>'v', r->>'s'), ' ' ORDER BY (r->>'id')::int)
        FROM (SELECT DISTINCT ON (k) v::jsonb AS e, (v::jsonb)->'after' AS r FROM kp_sink.ev_k
              WHERE v IS NOT NULL ORDER BY k, part, off DESC) last WHERE e->>'op' <> 'd'")
assert_eq "$m" "$p" "the events rebuild every row changed since the snapshot (insert, update, delete, key change, broker down, kill -9)"

# --- flattened form -----------------------------------------------------------
pg "DELETE FROM $CTL.publish_checkpoint WHERE source_db = 'kp'"
printf 'KAFKA_FORMAT=flattened\nKAFKA_TOPIC_PREFIX=flat\n' >> "$T/.env"
run_stream --database kp --to kafka --stop-at "$END1" || fail "stream --to kafka (flattened) failed"
"$DUMP" --bootstrap "$BOOT" --topic flat.it_kp.k > "$T/flat.tsv" 2>"$T/dump.err" || fail "kafka-dump failed: $(cat "$T/dump.err")"
grep -F '"id":51' "$T/flat.tsv" | head -n 1 | cut -f5 > "$T/flat51"
assert_eq '"c"|"it_kp"|"k"|"false"|51' "$(pg "SELECT concat_ws('|', j->'__op', j->'__db', j->'__table', j->'__deleted', j->'v') FROM (SELECT '$(cat "$T/flat51")'::jsonb j) x")" "flattened record with __op, __db, __table, __deleted"
assert_eq 6 "$(grep -c '"__deleted":"true"' "$T/flat.tsv")" "deletes rewritten with __deleted true"
assert_eq 0 "$(awk -F '\t' '$5 == "null"' "$T/flat.tsv" | wc -l | tr -d ' ')" "no tombstones in the flattened form"

# --- --snapshot: every row as op "r" from one consistent snapshot, then the
# changes after it -------------------------------------------------------------
printf 'KAFKA_FORMAT=envelope\nKAFKA_TOPIC_PREFIX=snap\n' >> "$T/.env"
nrows=$(my "SELECT COUNT(*) FROM it_kp.k")
run_stream --database kp --to kafka --snapshot --stop-at "$(binlog_end)" || fail "stream --to kafka --snapshot failed: $(cat "$T/stream.log")"
my "UPDATE it_kp.k SET v = 424242 WHERE id = 5"
run_stream --database kp --to kafka --stop-at "$(binlog_end)" || fail "stream --to kafka after the snapshot failed"
dump_table k snap
assert_eq "$nrows" "$(pg "SELECT count(*) FROM kp_sink.ev_k WHERE (v::jsonb)->>'op' = 'r' AND (v::jsonb)->'source'->>'snapshot' = 'true'")" "one op r event per row of the snapshot"
assert_eq "1" "$(pg "SELECT count(*) FROM kp_sink.ev_k WHERE (v::jsonb)->>'op' <> 'r'")" "then only the change made after it"
m=$(my "SELECT GROUP_CONCAT(CONCAT_WS('|', id, v, s) ORDER BY id SEPARATOR ' ') FROM it_kp.k")
p=$(pg "SELECT string_agg(concat_ws('|', r->>'id', r->>'v', r->>'s'), ' ' ORDER BY (r->>'id')::int)
        FROM (SELECT DISTINCT ON (k) v::jsonb AS e, (v::jsonb)->'after' AS r FROM kp_sink.ev_k
              WHERE v IS NOT NULL ORDER BY k, part, off DESC) last WHERE e->>'op' <> 'd'")
assert_eq "$m" "$p" "snapshot plus changes rebuild the whole source table"
run_stream --database kp --to kafka --snapshot --stop-at "$(binlog_end)" && fail "a second --snapshot was not refused"
assert_contains "$T/stream.log" "already published" "a second --snapshot is refused with a hint"

# --- no PostgreSQL: the checkpoint is a local file, replaced atomically ------------
grep -v '^SINK_DB_URL=' "$T/.env" > "$T/local.env"
printf 'KAFKA_TOPIC_PREFIX=local\nKAFKA_CHECKPOINT_FILE=%s\n' "$T/ckpt/local.json" >> "$T/local.env"
mkdir -p "$T/ckpt"; chmod 600 "$T/local.env"
run_stream --env "$T/local.env" --database kp --to kafka --stop-at "$(binlog_end)" &&
	fail "a first start without PostgreSQL, checkpoint file or --snapshot was not refused"
assert_contains "$T/stream.log" "--snapshot" "the refusal says to start with --snapshot"
nrows=$(my "SELECT COUNT(*) FROM it_kp.k")
END3=$(binlog_end)
run_stream --env "$T/local.env" --database kp --to kafka --snapshot --stop-at "$END3" ||
	fail "stream --to kafka --snapshot without PostgreSQL failed: $(cat "$T/stream.log")"
ckpt() {
	pg "SELECT j->>'binlog_file' || ':' || (j->>'binlog_pos') || ' ' || (j->>'topic_prefix') FROM (SELECT '$(cat "$T/ckpt/local.json")'::jsonb j) x"
}
assert_eq "$END3 local" "$(ckpt)" "the checkpoint file holds the snapshot's position"
my "UPDATE it_kp.k SET v = 434343 WHERE id = 6; DELETE FROM it_kp.k WHERE id = 7"
END4=$(binlog_end)
start_stream --env "$T/local.env" --database kp --to kafka
i=0
until [ "$(ckpt)" = "$END4 local" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "$END4 local" "$(ckpt)" "the running publisher moves the checkpoint file to what Kafka acknowledged"
run_stream --env "$T/local.env" --database kp --to kafka --stop-at "$END4" &&
	fail "a second publisher of the same checkpoint file was not refused"
assert_contains "$T/stream.log" "another publisher" "the second publisher is refused by the file lock"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID" || fail "the publisher without PostgreSQL did not exit 0 on SIGTERM"
[ -e "$T/ckpt/local.json.tmp" ] && fail "a temporary checkpoint file was left behind"
run_stream --env "$T/local.env" --database kp --to kafka --status || fail "--status without PostgreSQL failed"
assert_contains "$T/stream.log" "$END4" "--status prints the checkpoint file's position"
dump_table k local
assert_eq "$nrows 2 1" "$(pg "SELECT count(*) FILTER (WHERE (v::jsonb)->>'op' = 'r') || ' ' || count(*) FILTER (WHERE (v::jsonb)->>'op' IN ('u', 'd')) || ' ' || count(*) FILTER (WHERE v IS NULL) FROM kp_sink.ev_k")" \
	"without PostgreSQL: the snapshot's rows, then the update and the delete with its tombstone"
exit 0
