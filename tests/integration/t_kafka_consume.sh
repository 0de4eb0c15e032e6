#!/bin/sh
# stream --from kafka against librdkafka's mock cluster (its own process):
# binlog -> Kafka -> PostgreSQL ends with the same rows as binlog ->
# PostgreSQL directly; kill -9 of the consumer mid-batch applies nothing
# twice; Debezium-shaped messages (JsonConverter wrapper, flattened, a
# tombstone after a delete, a tombstone on its own deleting its key) apply;
# poison messages (unparseable, wrong shape, a value PostgreSQL refuses) go
# to the dead-letter table and stop nothing else.
. "$(dirname "$0")/lib.sh"


my "DROP DATABASE IF EXISTS it_kc; CREATE DATABASE it_kc; USE it_kc;
CREATE TABLE k (id INT NOT NULL PRIMARY KEY, v BIGINT UNSIGNED, d DECIMAL(12,3), dt DATETIME(6), ts TIMESTAMP(3) NULL,
	da DATE, t TIME(2), b VARBINARY(16), e ENUM('x','y,z'), s VARCHAR(30), bt BIT(1), f DOUBLE);
CREATE TABLE nk (n INT, s VARCHAR(10));
CREATE TABLE nn (id INT NOT NULL PRIMARY KEY, s VARCHAR(10) NOT NULL, n INT NOT NULL);
INSERT INTO k (id, v, d, s) SELECT seq, seq, seq / 8, CONCAT('s', seq) FROM seq_1_to_40;"
# two databases over the same MariaDB schema: kd straight from the binlog,
# kk through Kafka
write_env kd it_kc kd_sink
cat >>"$T/.env" <<EOF
KK_HOST=127.0.0.1
KK_PORT=$MY_PORT
KK_USER=$MY_USER
KK_PASS=$MY_PASS
KK_SCHEMA=it_kc
KK_SINK_SCHEMA=kk_sink
EOF
allow kd k nk nn
allow kk k nk nn
run_migrate --database kd --tables all || fail "migrate kd failed"
run_migrate --database kk --tables all || fail "migrate kk failed"

start_kafka_mock --brokers 2 --topic kc.it_kc.k:3 --topic kc.it_kc.nk:1 --topic kc.it_kc.nn:1
# stream --to kafka sends Debezium's default modes; declared, so that
# schemaless DATETIME(6) values of 1968 to 1978 are read, not refused
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=kc\nKAFKA_TIME_PRECISION_MODE=adaptive_time_microseconds\n' "$BOOT" >> "$T/.env"

# converged A B: waits until PostgreSQL tables A and B hold the same rows
# (then pg_same, which fails the test with samples when they do not)
same_rows() {
	[ "$(pg "SELECT (SELECT count(*) FROM (SELECT * FROM $1 EXCEPT ALL SELECT * FROM $2) x) +
	              (SELECT count(*) FROM (SELECT * FROM $2 EXCEPT ALL SELECT * FROM $1) y)")" = 0 ]
}
converged() {
	_i=0
	until same_rows "$1" "$2" || [ $_i -ge 200 ]; do sleep 0.1; _i=$((_i + 1)); done
	pg_same "$1" "$2" "$3"
}

# --- every type, every operation, both ways ---------------------------------
my "USE it_kc;
INSERT INTO k VALUES (100, 18446744073709551615, -12345.678, '1969-07-20 20:17:40.123456', '2038-01-19 03:14:07.999',
	'0001-01-01', '-838:59:59.99', 0x00ff10, 'y,z', 'ünï \"q\" \\\\ tab	end', b'1', -1.5e-7),
	(101, 0, 0.001, '2024-02-29 23:59:59', NULL, '2024-02-29', '00:00:00', '', 'x', '', b'0', 0);
UPDATE k SET v = v * 2, s = 'upd' WHERE id <= 10;
DELETE FROM k WHERE id BETWEEN 31 AND 35;
UPDATE k SET id = 200 WHERE id = 20;
INSERT INTO nk VALUES (1, 'a'), (1, 'a'), (2, 'b'); DELETE FROM nk WHERE n = 2;
START TRANSACTION; UPDATE k SET v = 7 WHERE id = 21; UPDATE k SET v = 8 WHERE id = 21; COMMIT"
END1=$(binlog_end)
run_stream --database kd --stop-at "$END1" || fail "stream kd failed: $(cat "$T/stream.log")"
run_stream --database kk --to kafka --stop-at "$END1" || fail "stream --to kafka failed: $(cat "$T/stream.log")"
start_stream --database kk --from kafka
converged kd_sink.k kk_sink.k "binlog -> Kafka -> PostgreSQL equals binlog -> PostgreSQL (k)"
converged kd_sink.nk kk_sink.nk "binlog -> Kafka -> PostgreSQL equals binlog -> PostgreSQL (nk)"
assert_eq "2" "$(pg "SELECT count(*) FROM kk_sink.nk")" "a table without a key keeps its duplicate rows"

# --- kill -9 between commits: nothing applied twice --------------------------
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
my "USE it_kc; INSERT INTO nk SELECT seq, 'bulk' FROM seq_1_to_3000;
	UPDATE k SET v = v + 1 WHERE id BETWEEN 1 AND 30; DELETE FROM nk WHERE n BETWEEN 1 AND 500"
END2=$(binlog_end)
run_stream --database kd --stop-at "$END2" || fail "stream kd failed"
run_stream --database kk --to kafka --stop-at "$END2" || fail "stream --to kafka failed"
for round in 1 2 3; do
	start_stream --database kk --from kafka --batch-rows 200
	sleep "0.$((round * 2 + 1))"
	kill -9 "$STREAM_PID"; wait "$STREAM_PID" 2>/dev/null
done
start_stream --database kk --from kafka
converged kd_sink.nk kk_sink.nk "after kill -9: nk (nothing lost or applied twice)"
converged kd_sink.k kk_sink.k "after kill -9: k"
n_off=$(pg "SELECT sum(next_offset) FROM $CTL.kafka_offsets WHERE source_db = 'kk'")
[ "$n_off" -gt 0 ] || fail "no offsets recorded"

# --- brokers down under the consumer for a while: it waits, then converges ----
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
my "USE it_kc; UPDATE k SET s = CONCAT('b', id) WHERE id <= 40; DELETE FROM nk WHERE n BETWEEN 501 AND 900"
END3=$(binlog_end)
run_stream --database kd --stop-at "$END3" || fail "stream kd failed"
run_stream --database kk --to kafka --stop-at "$END3" || fail "stream --to kafka failed"
kill -USR1 "$MOCK_PID"
i=0
until grep -q "brokers down" "$T/mock.err" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
start_stream --database kk --from kafka
sleep 2
kill -0 "$STREAM_PID" || fail "the consumer exited while the brokers were down"
kill -USR2 "$MOCK_PID"
converged kd_sink.k kk_sink.k "after the brokers came back: k"
converged kd_sink.nk kk_sink.nk "after the brokers came back: nk"

# --- --status without --database: every database with an allowlist ------------
run_stream --status || fail "stream --status for all databases failed: $(cat "$T/stream.log")"
assert_contains "$T/stream.log" "database kd" "--status alone reports kd"
assert_contains "$T/stream.log" "database kk" "--status alone reports kk"
assert_contains "$T/stream.log" "consumed from Kafka" "kk's Kafka offsets in the combined status"

# --- Debezium-shaped messages from elsewhere; poison ------------------------------
# messages without a position cannot be placed against the watermark: they
# apply with KAFKA_TAKEOVER=apply
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
echo "KAFKA_TAKEOVER=apply" >> "$T/.env"
start_stream --database kk --from kafka
# a constraint only the target has: PostgreSQL refuses v = 7777, the type map does not
pg "ALTER TABLE kk_sink.k ADD CONSTRAINT no_7777 CHECK (v IS DISTINCT FROM 7777)"
printf '%s\t%s\n' \
	'{"id":900}' '{"schema":{"type":"struct","optional":false},"payload":{"before":null,"after":{"id":900,"v":9,"d":"AfQ=","dt":null,"ts":"2024-05-01T10:00:00.5+02:00","da":19844,"t":3600000000,"b":"AQI=","e":"x","s":"wrapped","bt":true,"f":2.5},"source":{"version":"2.5.0.Final","connector":"mysql","name":"kc","ts_ms":1706700000000,"snapshot":"false","db":"it_kc","table":"k","server_id":9,"gtid":null,"file":"mariadb-bin.999999","pos":4,"row":0},"op":"c","ts_ms":1706700000001}}' \
	'{"id":900}' 'this is not JSON' \
	'{"id":901}' '{"id":901,"v":1,"d":"A+g=","dt":null,"ts":null,"da":null,"t":null,"b":null,"e":null,"s":"flat","bt":null,"f":null,"__deleted":"false","__op":"c"}' \
	'{"id":904}' '{"id":904,"v":7777,"d":"A+g=","dt":null,"ts":null,"da":null,"t":null,"b":null,"e":null,"s":"refused","bt":null,"f":null,"__deleted":"false","__op":"c"}' \
	'{"id":905}' '{"id":905,"v":5,"d":"A+g=","dt":null,"ts":null,"da":null,"t":null,"b":null,"e":null,"s":"after","bt":null,"f":null,"__deleted":"false","__op":"c"}' \
	'{"id":902}' '{"payload":{"op":"c","after":{"id":"not a number"}}}' \
	'{"id":1}' '{"id":1,"v":1,"d":"fQ==","dt":null,"ts":null,"da":null,"t":null,"b":null,"e":null,"s":"s1","bt":null,"f":null,"__deleted":"true","__op":"d"}' \
	'{"id":1}' 'null' \
	'{"id":2}' 'null' \
	'{"id":907}' '{"before":null,"after":{"id":907,"v":1,"d":null,"dt":null,"ts":null,"da":null,"t":null,"b":null,"e":null,"s":"old","bt":null,"f":null},"op":"c","source":{"connector":"mysql","name":"kc","db":"it_kc","table":"k","server_id":5,"gtid":"0-5-1","file":"replica-bin.000001","pos":4},"ts_ms":1}' |
	"$DUMP" --bootstrap "$BOOT" --produce kc.it_kc.k >/dev/null 2>"$T/produce.err" || fail "producing samples failed: $(cat "$T/produce.err")"
i=0
until [ "$(pg "SELECT count(*) FROM kk_sink.k WHERE id IN (900, 901, 905)")" = 3 ] || [ $i -ge 150 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "900|9|0.500|2024-05-01 08:00:00.5+00|2024-05-01|01:00:00|\\x0102|x|wrapped|t|2.5" \
	"$(pg "SET TIME ZONE 'UTC'; SELECT concat_ws('|', id, v, d, ts, da, t, b, e, s, bt, f) FROM kk_sink.k WHERE id = 900")" \
	"a JsonConverter-wrapped event applied (precise decimal, offset timestamp, base64 bytes)"
assert_eq "flat" "$(pg "SELECT s FROM kk_sink.k WHERE id = 901")" "a flattened record applied"
assert_eq 0 "$(pg "SELECT count(*) FROM kk_sink.k WHERE id = 1")" "a flattened delete (__deleted) applied; the tombstone after it is ignored"
i=0
until [ "$(pg "SELECT count(*) FROM kk_sink.k WHERE id = 2")" = 0 ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq 0 "$(pg "SELECT count(*) FROM kk_sink.k WHERE id = 2")" "a tombstone on its own deletes its key (delete.handling.mode=drop)"
assert_eq "flat after" "$(pg "SELECT string_agg(s, ' ' ORDER BY id) FROM kk_sink.k WHERE id IN (901, 904, 905)")" \
	"the message PostgreSQL refuses is left out, the ones around it applied"
assert_contains "$T/stream.bg.log" "one at a time" "a refused batch is replayed message by message"
assert_eq 3 "$(pg "SELECT count(*) FROM $CTL.kafka_dead_letters WHERE source_db = 'kk'")" "three poison messages set aside"
pg "SELECT kafka_offset || ' ' || reason FROM $CTL.kafka_dead_letters WHERE source_db = 'kk' ORDER BY id" > "$T/dlq"
assert_contains "$T/dlq" "JSON" "the unparseable message's reason"
assert_contains "$T/dlq" "\"id\"" "the wrong-shape message's reason names the column"
assert_contains "$T/dlq" "no_7777" "the refused message's reason is PostgreSQL's"
assert_eq "this is not JSON" "$(pg "SELECT convert_from(msg_value, 'UTF8') FROM $CTL.kafka_dead_letters WHERE source_db = 'kk' AND reason LIKE '%not JSON%'")" "the message itself is kept"

# --- deletes on a table with NOT NULL columns (ExtractNewRecordState's default
# leaves a delete as a tombstone alone), and key changes -------------------------
nn_flat() { printf '{"id":%s,"s":"%s","n":%s,"__deleted":"false","__op":"%s"}' "$1" "$2" "$3" "$4"; }
nn_env() { printf '{"before":%s,"after":%s,"op":"%s","source":{"connector":"mysql","name":"kc","db":"it_kc","table":"nn","server_id":9,"file":"mariadb-bin.999999","pos":9,"row":0},"ts_ms":1706700000001}' "$1" "$2" "$3"; }
printf '%s\t%s\n' \
	'{"id":1}' "$(nn_flat 1 a 1 c)" \
	'{"id":1}' 'null' \
	'{"id":2}' "$(nn_flat 2 b 2 c)" \
	'{"id":5}' "$(nn_flat 5 e 5 c)" \
	'{"id":2}' 'null' \
	'{"id":3}' "$(nn_flat 3 c 3 c)" \
	'{"id":3}' 'null' \
	'{"id":30}' "$(nn_flat 30 c 3 c)" \
	'{"id":4}' "$(nn_env null '{"id":4,"s":"d","n":4}' c)" \
	'{"id":4}' "$(nn_env '{"id":4,"s":"d","n":4}' null d)" \
	'{"id":4}' 'null' \
	'{"id":40}' "$(nn_env null '{"id":40,"s":"d","n":4}' c)" \
	'{"id":6}' "$(nn_env null '{"id":6,"s":"f","n":6}' c)" \
	'{"id":6}' "$(nn_env '{"id":6,"s":"f","n":6}' null d)" \
	'{"id":6}' 'null' \
	'{"id":6}' "$(nn_env null '{"id":6,"s":"g","n":7}' c)" |
	"$DUMP" --bootstrap "$BOOT" --produce kc.it_kc.nn >/dev/null 2>"$T/produce.err" || fail "producing nn failed: $(cat "$T/produce.err")"
i=0
until [ "$(pg "SELECT string_agg(id || ':' || s || ':' || n, ' ' ORDER BY id) FROM kk_sink.nn")" = "5:e:5 6:g:7 30:c:3 40:d:4" ] || [ $i -ge 150 ]; do
	sleep 0.1; i=$((i + 1))
done
assert_eq "5:e:5 6:g:7 30:c:3 40:d:4" "$(pg "SELECT string_agg(id || ':' || s || ':' || n, ' ' ORDER BY id) FROM kk_sink.nn")" \
	"NOT NULL columns: a tombstone alone deletes its key (also right after its insert), a key change leaves one row, a tombstone after a delete is skipped"
assert_eq 3 "$(pg "SELECT count(*) FROM $CTL.kafka_dead_letters WHERE source_db = 'kk'")" "no dead letter for the deletes"
assert_eq 0 "$(pg "SELECT count(*) FROM kk_sink.k WHERE id = 907")" "an event whose GTID is within the watermark is skipped (another server's file)"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID" || fail "stream --from kafka did not exit 0 on SIGTERM"
[ "$(pg "SELECT kafka_skipped FROM $CTL.tables WHERE source_db = 'kk' AND source_table = 'k'")" -ge 1 ] ||
	fail "the skip is not counted in the control schema"
run_stream --database kk --status
assert_match "$T/stream.log" 'kafka: [0-9]+ events before the watermark skipped' "--status shows the skips"

# --- an event that cannot be placed is refused unless KAFKA_TAKEOVER=apply ---------
printf '%s\t%s\n' '{"id":906}' '{"before":null,"after":{"id":906,"v":1,"d":null,"dt":null,"ts":null,"da":null,"t":null,"b":null,"e":null,"s":"placed?","bt":null,"f":null},"op":"c","source":{"connector":"mysql","name":"kc","db":"it_kc","table":"k","server_id":77,"file":"other-bin.000001","pos":4},"ts_ms":1}' |
	"$DUMP" --bootstrap "$BOOT" --produce kc.it_kc.k >/dev/null 2>&1
(export KAFKA_TAKEOVER=refuse; run_stream --database kk --from kafka) && fail "an event that cannot be placed was not refused"
assert_contains "$T/stream.log" "cannot tell whether an event of table \"k\" of database \"kk\" comes before or after" "the refusal says why"
assert_contains "$T/stream.log" "KAFKA_TAKEOVER=apply" "and names the setting"
assert_eq 0 "$(pg "SELECT count(*) FROM kk_sink.k WHERE id = 906")" "nothing applied"

# --- a bad KAFKA_TAKEOVER is a usage error naming the setting ---------------------
(export KAFKA_TAKEOVER=sometimes; run_stream --database kk --from kafka)
assert_eq 2 "$?" "a bad KAFKA_TAKEOVER exits 2"
assert_contains "$T/stream.log" 'KAFKA_TAKEOVER must be refuse or apply (got "sometimes")' "the error names the setting"

# --- KAFKA_DEAD_LETTER=fatal: a poison message stops the daemon ------------------
printf '%s\t%s\n' '{"id":903}' '{"broken"' | "$DUMP" --bootstrap "$BOOT" --produce kc.it_kc.k >/dev/null 2>&1
echo "KAFKA_DEAD_LETTER=fatal" >> "$T/.env"
run_stream --database kk --from kafka && fail "a poison message with KAFKA_DEAD_LETTER=fatal did not stop the daemon"
assert_contains "$T/stream.log" "cannot apply the message" "fatal dead letter names the message"
exit 0
