#!/bin/sh
# stream --to kafka publishes schema changes as Debezium's MySQL connector
# does: on the topic named exactly the topic prefix, keyed by
# {"databaseName"}, with the statement as the binary log has it and the
# table's columns after it (tableChanges), in order with the rows around it:
# the data events after an ALTER carry the new column. KAFKA_SCHEMA_CHANGES=off
# publishes none.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_ksc; CREATE DATABASE it_ksc; USE it_ksc;
CREATE TABLE o (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL,
                s VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci);
INSERT INTO o (v, s) SELECT seq, CONCAT('s', seq) FROM seq_1_to_5;
CREATE TABLE o2 (id INT PRIMARY KEY); INSERT INTO o2 VALUES (1);"
write_env ksc it_ksc ksc_sink
allow ksc o o2
run_migrate --database ksc --tables all || fail "migrate failed"

start_kafka_mock --brokers 1 --topic ksc:1 --topic ksc.it_ksc.o:1 --topic ksc.it_ksc.o2:1
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=ksc\n' "$BOOT" >> "$T/.env"

# published_to POS: waits until the publisher recorded POS (Kafka has all before it)
published_to() {
	_i=0
	until [ "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'ksc' AND topic_prefix = '${2:-ksc}'")" = "$1" ] ||
		[ $_i -ge 200 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	assert_eq "$1" "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'ksc' AND topic_prefix = '${2:-ksc}'")" \
		"${3:-published}"
}

# load TOPIC: the messages of TOPIC as rows of ksc_sink.ev (k, v jsonb; off)
load() {
	"$DUMP" --bootstrap "$BOOT" --topic "$1" > "$T/ev.tsv" 2>"$T/dump.err" ||
		fail "kafka-dump $1 failed: $(cat "$T/dump.err")"
	pg "DROP TABLE IF EXISTS ksc_sink.ev; CREATE TABLE ksc_sink.ev (topic text, part int, off bigint, k text, v text)"
	# (CSV with a quote character JSON never holds: the events' backslashes stay)
	pg "\\copy ksc_sink.ev FROM '$T/ev.tsv' WITH (FORMAT csv, DELIMITER E'\\t', QUOTE E'\\x01', NULL 'null')" >/dev/null ||
		fail "loading the events of $1 failed"
}

# --- a running publisher; ALTER TABLE ADD COLUMN, then MODIFY, rows between ---
start_stream --database ksc --to kafka
my "INSERT INTO it_ksc.o (v, s) VALUES (100, 'before')"
published_to "$(binlog_end)" "ksc" "the publisher runs"
ADD="ALTER TABLE o ADD COLUMN note VARCHAR(30) NOT NULL DEFAULT 'it''s \"new\"' AFTER v"
my "USE it_ksc; $ADD"
my "INSERT INTO it_ksc.o (v, note, s) VALUES (101, 'n1', 'after1')"
published_to "$(binlog_end)" "ksc" "the ADD COLUMN and the row after it published"
MODIFY="ALTER TABLE o MODIFY s VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL"
my "USE it_ksc; $MODIFY"
my "UPDATE it_ksc.o SET s = REPEAT('x', 35) WHERE v = 101"
END=$(binlog_end)
published_to "$END" "ksc" "the MODIFY and the update after it published"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID" || fail "the publisher did not exit 0 on SIGTERM"

# --- the schema change topic ---------------------------------------------------
load ksc
assert_eq 2 "$(pg "SELECT count(*) FROM ksc_sink.ev")" "two schema change events on topic \"ksc\" (the prefix)"
assert_eq '{"databaseName": "it_ksc"}' "$(pg "SELECT DISTINCT k::jsonb FROM ksc_sink.ev")" "keyed by the database"
ev() { pg "SELECT $1 FROM (SELECT v::jsonb AS j, row_number() OVER (ORDER BY off) AS n FROM ksc_sink.ev) e WHERE n = $2"; }
assert_eq "$ADD" "$(ev "j->>'ddl'" 1)" "ddl: the ADD COLUMN statement as the binary log has it (quotes and all)"
assert_eq "$MODIFY" "$(ev "j->>'ddl'" 2)" "ddl: the MODIFY statement"
assert_eq 'it_ksc|t|it_ksc|o|mysql|ksc|1|ALTER|"it_ksc"."o"|["id"]' \
	"$(ev "concat_ws('|', j->>'databaseName', j->'schemaName' = 'null'::jsonb, j->'source'->>'db', j->'source'->>'table',
	                 j->'source'->>'connector', j->'source'->>'name', jsonb_array_length(j->'tableChanges'),
	                 j->'tableChanges'->0->>'type', j->'tableChanges'->0->>'id',
	                 j->'tableChanges'->0->'table'->>'primaryKeyColumnNames')" 1)" \
	"the event's databaseName, schemaName, source and table change"
cols() {
	ev "(SELECT string_agg(concat_ws(':', c->>'position', c->>'name', c->>'typeName', c->>'jdbcType', coalesce(c->>'length', '-'),
	                                  c->>'optional', c->>'autoIncremented', coalesce(c->>'charsetName', '-'),
	                                  coalesce(c->>'defaultValueExpression', '-')), ' ' ORDER BY (c->>'position')::int)
	     FROM jsonb_array_elements(j->'tableChanges'->0->'table'->'columns') c)" "$1"
}
cs=$(my "SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'it_ksc' AND TABLE_NAME = 'o' AND COLUMN_NAME = 's'")
assert_eq "1:id:INT:4:11:false:true:-:- 2:v:INT:4:11:false:false:-:- 3:note:VARCHAR:12:30:false:false:$cs:it's \"new\" 4:s:VARCHAR:12:20:true:false:$cs:-" \
	"$(cols 1)" "after ADD COLUMN: the new column at its position, with its type, length, charset and default"
assert_eq "1:id:INT:4:11:false:true:-:- 2:v:INT:4:11:false:false:-:- 3:note:VARCHAR:12:30:false:false:$cs:it's \"new\" 4:s:VARCHAR:12:40:true:false:$cs:-" \
	"$(cols 2)" "after MODIFY: the column's new length"
ts1=$(ev "(j->>'ts_ms')::bigint > 0 AND (j->'source'->>'pos')::bigint > 0 AND j->'source'->>'file' <> ''" 1)
assert_eq t "$ts1" "the event has ts_ms and a binlog position"

# --- the data topic: the events after each change carry it --------------------
load ksc.it_ksc.o
# (ids by AUTO_INCREMENT: the rows are told apart by v)
row() { pg "SELECT (v::jsonb->'after') - 'id' = '$1'::jsonb FROM ksc_sink.ev WHERE (v::jsonb->'after'->>'v')::int = $2 AND v::jsonb->>'op' = '$3'"; }
assert_eq t "$(row '{"v": 100, "s": "before"}' 100 c)" "the row before the ALTER has the old columns"
assert_eq t "$(row '{"v": 101, "note": "n1", "s": "after1"}' 101 c)" "the row after ADD COLUMN carries the new column"
assert_eq t "$(row "{\"v\": 101, \"note\": \"n1\", \"s\": \"$(printf 'x%.0s' $(seq 1 35))\"}" 101 u)" \
	"the update after MODIFY carries the longer value"

# --- DROP TABLE of a published table: a DROP event ------------------------------
my "DROP TABLE it_ksc.o2"
END3=$(binlog_end)
run_stream --database ksc --to kafka --stop-at "$END3" || fail "stream --to kafka failed: $(tail -5 "$T/stream.log")"
published_to "$END3" "ksc" "the DROP published"
load ksc
assert_eq 3 "$(pg "SELECT count(*) FROM ksc_sink.ev")" "a third schema change event"
assert_eq 'DROP|DROP TABLE `it_ksc`.`o2` /* generated by server */|"it_ksc"."o2"' \
	"$(ev "concat_ws('|', j->'tableChanges'->0->>'type', j->>'ddl', j->'tableChanges'->0->>'id')" 3)" "the DROP event names the table"

# --- KAFKA_SCHEMA_CHANGES=off: the rows follow, no schema change event ---------
printf 'KAFKA_SCHEMA_CHANGES=off\n' >> "$T/.env"
my "ALTER TABLE it_ksc.o ADD COLUMN n2 INT; INSERT INTO it_ksc.o (v, note, n2) VALUES (102, 'n2', 42)"
END2=$(binlog_end)
run_stream --database ksc --to kafka --stop-at "$END2" || fail "stream --to kafka with KAFKA_SCHEMA_CHANGES=off failed"
published_to "$END2" "ksc" "published with KAFKA_SCHEMA_CHANGES=off"
load ksc
assert_eq 3 "$(pg "SELECT count(*) FROM ksc_sink.ev")" "KAFKA_SCHEMA_CHANGES=off: no fourth schema change event"
load ksc.it_ksc.o
assert_eq t "$(row '{"v": 102, "note": "n2", "s": null, "n2": 42}' 102 c)" "KAFKA_SCHEMA_CHANGES=off: the row carries the new column"
printf 'KAFKA_SCHEMA_CHANGES=maybe\n' >> "$T/.env"
run_stream --database ksc --to kafka --stop-at "$END2" && fail "KAFKA_SCHEMA_CHANGES=maybe was not refused"
assert_contains "$T/stream.log" "KAFKA_SCHEMA_CHANGES must be on or off" "a bad KAFKA_SCHEMA_CHANGES is refused by name"
exit 0
