#!/bin/sh
# stream --from kafka on real Debezium topics (issue 17), against librdkafka's
# mock cluster:
# - the corpus (tests/kafka/debezium-corpus: events of Debezium's MySQL
#   connector 1.9, 2.5 and 3.0 and of its serde tests, README.md there says
#   where each comes from) lands as each step says, value by value;
# - key changes in every shape, a tombstone alone and an insert then a
#   tombstone, on a table with NOT NULL columns, with JsonConverter schemas
#   and without;
# - the connector's modes declared (KAFKA_DECIMAL_HANDLING_MODE,
#   KAFKA_TIME_PRECISION_MODE, KAFKA_BINARY_HANDLING_MODE): exact values,
#   and under the wrong mode (or an ambiguous value with the mode not
#   declared) dead letters naming the database, table, column and key;
# - a field added to and removed from a topic's events, with schemas (a
#   column is added, typed from the Connect schema; a column no longer sent
#   is NULL) and without (dead letter, or ignored with KAFKA_UNKNOWN_FIELDS).
. "$(dirname "$0")/lib.sh"

CORPUS="$PWD/tests/kafka/debezium-corpus"
DB=$TEST_DB
my "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB; USE $DB;
CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, first_name VARCHAR(255) NOT NULL,
	last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL, UNIQUE KEY (email));
CREATE TABLE kc (id INT NOT NULL PRIMARY KEY, s VARCHAR(20) NOT NULL, n INT NOT NULL);
CREATE TABLE kn (id INT NOT NULL PRIMARY KEY, s VARCHAR(20) NOT NULL, n INT NOT NULL);
CREATE TABLE dm (id INT NOT NULL PRIMARY KEY, d20 DECIMAL(20,0), d DECIMAL(10,2), dt6 DATETIME(6),
	dt0 DATETIME, t6 TIME(6), b VARBINARY(16));
CREATE TABLE ev (id INT NOT NULL PRIMARY KEY, a VARCHAR(20), b INT);
CREATE TABLE en (id INT NOT NULL PRIMARY KEY, a VARCHAR(20), b INT);"
write_env dc "$DB" dc_sink
allow dc customers kc kn dm ev en
run_migrate --database dc --tables all || fail "migrate failed: $(cat "$T/migrate.log")"

topics=""
for t in customers kc kn dm ev en; do topics="$topics --topic dz.$DB.$t:1"; done
# shellcheck disable=SC2086
start_kafka_mock $topics
# the corpus's events come from another server's binary log, without
# GTIDs: they cannot be placed against migrate's watermark, so they apply
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=dz\nKAFKA_TAKEOVER=apply\n' "$BOOT" >>"$T/.env"

# consumer SETTING=VALUE...: (re)starts the consumer with these connector
# modes and nothing else of them
consumer() {
	if [ -n "${STREAM_PID:-}" ]; then
		kill -TERM "$STREAM_PID"; wait "$STREAM_PID" || fail "the consumer did not exit 0 on SIGTERM"
	fi
	sed -i '/^KAFKA_\(DECIMAL_HANDLING\|TIME_PRECISION\|BINARY_HANDLING\)_MODE=/d; /^KAFKA_UNKNOWN_FIELDS=/d' "$T/.env"
	for _s in "$@"; do echo "$_s" >>"$T/.env"; done
	start_stream --database dc --from kafka
}
# produce TABLE: key<TAB>value lines from stdin to the table's topic
produce() {
	"$DUMP" --bootstrap "$BOOT" --produce "dz.$DB.$1" >/dev/null 2>"$T/produce.err" ||
		fail "producing to $1 failed: $(cat "$T/produce.err")"
}
# consumed TABLE N: waits until the consumer has committed the topic's first N messages
consumed() {
	_i=0
	until [ "$(pg "SELECT next_offset FROM $CTL.kafka_offsets WHERE source_db = 'dc' AND topic = 'dz.$DB.$1'")" = "$2" ] ||
		[ $_i -ge 300 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ $_i -lt 300 ] || fail "the consumer did not get past message $2 of $1: $(tail -20 "$T/stream.bg.log")"
}
# rows TABLE COLUMN...: the target's rows by id, "|" between the columns
# (NULL as nothing), " " between the rows
rows() {
	_t=$1; shift
	_e=""
	for _c in "$@"; do _e="$_e${_e:+, }coalesce(($_c)::text, '')"; done
	pg "SET TIME ZONE 'UTC'; SELECT concat_ws('|', $_e) FROM dc_sink.$_t ORDER BY id" | tr '\n' ' ' | sed 's/ $//'
}
dead() {
	pg "SELECT count(*) FROM $CTL.kafka_dead_letters WHERE source_db = 'dc' AND topic = 'dz.$DB.$1'"
}
last_reason() {
	pg "SELECT reason FROM $CTL.kafka_dead_letters WHERE source_db = 'dc' AND topic = 'dz.$DB.$1' ORDER BY id DESC LIMIT 1"
}

consumer

# --- the corpus --------------------------------------------------------------
C="id first_name last_name email"
off=0
step() {    # step FILE EXPECTED WHAT
	produce customers <"$CORPUS/$1.events"
	off=$((off + $(wc -l <"$CORPUS/$1.events")))
	consumed customers "$off"
	assert_eq "$2" "$(rows customers $C)" "$1: $3"
}
step v1.9-tutorial-1 "1004|Anne Marie|Kretchmar|annek@noanswer.org" \
	"Debezium 1.9 tutorial: the snapshot read (with its schema) and the update"
step v1.9-tutorial-2 "" "Debezium 1.9 tutorial: the delete and its tombstone"
step v1.9-mysql-1 "1004|Anne Marie|Kretchmar|annek@noanswer.org" "Debezium 1.9 MySQL page: create, update"
step v1.9-mysql-2 "" "Debezium 1.9 MySQL page: delete, tombstone"
step v2.5-mysql-1 "1004|Anne Marie|Kretchmar|annek@noanswer.org" "Debezium 2.5 MySQL page: create, update"
step v2.5-mysql-2 "" "Debezium 2.5 MySQL page: delete, tombstone, create, truncate"
step v3.0-mysql-1 "1004|Anne Marie|Kretchmar|annek@noanswer.org" \
	"Debezium 3.0 MySQL page: create, update (ts_us and ts_ns fields)"
step v3.0-mysql-2 "" "Debezium 3.0 MySQL page: delete, tombstone, create, truncate"
step serde-0.10 "1004|Anne|Kretchmar|annek@noanswer.org" \
	"Debezium's serde tests: without schemas, create, update, a flattened record"
step serde-0.10-schema "1004|Anne|Kretchmar|annek@noanswer.org" "Debezium's serde tests: with schemas"
assert_eq 0 "$(dead customers)" "no corpus event is dead-lettered"
# a field the table lacks (middle_name) without a schema: a dead letter by
# default, naming the field; ignored with KAFKA_UNKNOWN_FIELDS=ignore
pg "UPDATE dc_sink.customers SET first_name = 'x'"
produce customers <"$CORPUS/serde-0.10-unknown.events"
off=$((off + 1))
consumed customers "$off"
assert_eq 1 "$(dead customers)" "an unknown field without a schema is dead-lettered"
assert_contains_text() { printf '%s\n' "$1" | grep -qF -- "$2" || fail "$3: \"$1\" lacks \"$2\""; }
assert_contains_text "$(last_reason customers)" 'database "dc", key {"id":1004}: table "customers": field "middle_name"' \
	"the reason names the database, the key, the table and the field"
assert_eq "x" "$(pg "SELECT first_name FROM dc_sink.customers")" "the dead letter changed nothing"
consumer KAFKA_UNKNOWN_FIELDS=ignore
produce customers <"$CORPUS/serde-0.10-unknown.events"
off=$((off + 1))
consumed customers "$off"
assert_eq "1004|Anne|Kretchmar|annek@noanswer.org" "$(rows customers $C)" "KAFKA_UNKNOWN_FIELDS=ignore applies it"
consumer
# a NOT NULL column whose field is not sent would be NULL: PostgreSQL
# refuses it, and that is the dead letter's reason
printf '{"id":1004}\t{"id":1004,"first_name":"Anne"}\n' | produce customers
off=$((off + 1))
consumed customers "$off"
assert_eq 2 "$(dead customers)" "a NOT NULL column left out: a dead letter"
assert_contains_text "$(last_reason customers)" 'PostgreSQL refused it' "with PostgreSQL's refusal as the reason"
assert_eq "1004|Anne|Kretchmar|annek@noanswer.org" "$(rows customers $C)" "the row as it was"

# --- key changes, tombstones, insert then delete: NOT NULL columns ---------------
# kc with JsonConverter schemas, kn without; both must end the same
ROW_FIELDS='[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":false,"field":"s"},{"type":"int32","optional":false,"field":"n"}]'
SRC_SCHEMA='{"type":"struct","fields":[{"type":"string","optional":false,"field":"connector"},{"type":"int64","optional":false,"field":"server_id"},{"type":"string","optional":false,"field":"file"},{"type":"int64","optional":false,"field":"pos"}],"optional":false,"name":"io.debezium.connector.mysql.Source","field":"source"}'
ENV_SCHEMA="{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":$ROW_FIELDS,\"optional\":true,\"name\":\"dz.kc.Value\",\"field\":\"before\"},{\"type\":\"struct\",\"fields\":$ROW_FIELDS,\"optional\":true,\"name\":\"dz.kc.Value\",\"field\":\"after\"},$SRC_SCHEMA,{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}],\"optional\":false,\"name\":\"dz.kc.Envelope\"}"
FLAT_SCHEMA="{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},{\"type\":\"string\",\"optional\":false,\"field\":\"s\"},{\"type\":\"int32\",\"optional\":false,\"field\":\"n\"},{\"type\":\"string\",\"optional\":true,\"field\":\"__deleted\"}],\"optional\":false,\"name\":\"dz.kc.Value\"}"
KEY_SCHEMA='{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"dz.kc.Key"}'
SRC='{"connector":"mysql","server_id":4242,"file":"mysql-bin.000009","pos":4}'
row() { printf '{"id":%s,"s":"%s","n":%s}' "$1" "$2" "$3"; }
# msg SCHEMAS KEY VALUE: one message line, the key and value wrapped when SCHEMAS is 1
msg() {
	if [ "$1" = 1 ]; then
		case "$3" in
		null) _v=null ;;
		*'"op":'*) _v="{\"schema\":$ENV_SCHEMA,\"payload\":$3}" ;;
		*) _v="{\"schema\":$FLAT_SCHEMA,\"payload\":$3}" ;;
		esac
		printf '{"schema":%s,"payload":{"id":%s}}\t%s\n' "$KEY_SCHEMA" "$2" "$_v"
	else
		printf '{"id":%s}\t%s\n' "$2" "$3"
	fi
}
envl() { printf '{"before":%s,"after":%s,"source":%s,"op":"%s"}' "$1" "$2" "$SRC" "$3"; }
flat() { printf '{"id":%s,"s":"%s","n":%s,"__deleted":"%s"}' "$1" "$2" "$3" "$4"; }
keys_case() {   # keys_case SCHEMAS TABLE
	{
		for i in 1 2 3 4 5; do msg "$1" $i "$(envl null "$(row $i s$i $i)" c)"; done
		# an envelope update that moves the key
		msg "$1" 1 "$(envl "$(row 1 s1 1)" "$(row 10 s10 10)" u)"
		# Debezium's key change: delete, tombstone, create
		msg "$1" 2 "$(envl "$(row 2 s2 2)" null d)"
		msg "$1" 2 null
		msg "$1" 20 "$(envl null "$(row 20 s20 20)" c)"
		# flattened, delete.handling.mode=drop: the tombstone, then the new key
		msg "$1" 3 null
		msg "$1" 30 "$(flat 30 s30 30 false)"
		# flattened, delete.handling.mode=rewrite: __deleted, tombstone, new key
		msg "$1" 4 "$(flat 4 s4 4 true)"
		msg "$1" 4 null
		msg "$1" 40 "$(flat 40 s40 40 false)"
		# a tombstone alone deletes its key
		msg "$1" 5 null
		# an insert and then its tombstone (flattened, drop)
		msg "$1" 6 "$(flat 6 s6 6 false)"
		msg "$1" 6 null
		# and an envelope insert, then a delete and its tombstone
		msg "$1" 7 "$(envl null "$(row 7 s7 7)" c)"
		msg "$1" 7 "$(envl "$(row 7 s7 7)" null d)"
		msg "$1" 7 null
	} | produce "$2"
	consumed "$2" 20
	assert_eq "10|s10|10 20|s20|20 30|s30|30 40|s40|40" "$(rows "$2" id s n)" \
		"$2 (schemas: $1): every key change leaves one row, every delete removes its key"
	assert_eq 0 "$(dead "$2")" "$2: nothing dead-lettered"
}
keys_case 1 kc
keys_case 0 kn

# --- the connector's modes, without schemas ---------------------------------------
dm() {  # dm ID D20 D DT6 DT0 T6 B: a flattened record
	printf '{"id":%s}\t{"id":%s,"d20":%s,"d":%s,"dt6":%s,"dt0":%s,"t6":%s,"b":%s}\n' "$1" "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}
DMC="id d20 d dt6 dt0 t6 encode(b,'hex')"
consumer KAFKA_DECIMAL_HANDLING_MODE=string KAFKA_TIME_PRECISION_MODE=connect
{
	# the issue's examples: DECIMAL(20,0) "1234", DATETIME(6) 1529476623123;
	# Debezium's page: DATETIME 2018-06-20 06:37:03 is 1529476623000
	dm 1 '"1234"' '"12.50"' 1529476623123 1529476623000 45296789 null
	dm 2 '"BNI="' null null null null null          # base64 under the string mode
	dm 3 null null 1529476623123456 null null null  # microseconds under the connect mode
} | produce dm
consumed dm 3
assert_eq "1|1234|12.50|2018-06-20 06:37:03.123|2018-06-20 06:37:03|12:34:56.789|" "$(rows dm $DMC)" \
	"decimal.handling.mode=string and time.precision.mode=connect declared: exact values"
assert_eq 2 "$(dead dm)" "under the wrong declared mode: dead letters"
pg "SELECT reason FROM $CTL.kafka_dead_letters WHERE topic = 'dz.$DB.dm' ORDER BY id" >"$T/dm.reasons"
assert_contains "$T/dm.reasons" 'database "dc", key {"id":2}: table "dm", column "d20" (decimal(20,0)): value "BNI=" is not a decimal number' \
	"a base64 decimal under the string mode: the reason names database, key, table, column"
assert_contains "$T/dm.reasons" 'key {"id":3}: table "dm", column "dt6" (datetime(6)): value 1529476623123456 is out of range as milliseconds (KAFKA_TIME_PRECISION_MODE=connect)' \
	"microseconds under the connect mode"
# the modes not declared: Debezium's defaults, and an ambiguous value refused
consumer
{
	dm 4 '"1234"' null null null null null          # digits: base64 and decimal text both
	dm 5 null null 1529476623123 null null null     # ms of 2018, or us of 1970
	dm 6 '"BNI="' '"BNQ="' 1529476623123456 1529476623000 45296789123 '"AQL/"'
} | produce dm
consumed dm 6
assert_eq "1|1234|12.50|2018-06-20 06:37:03.123|2018-06-20 06:37:03|12:34:56.789| 6|1234|12.36|2018-06-20 06:37:03.123456|2018-06-20 06:37:03|12:34:56.789123|0102ff" \
	"$(rows dm $DMC)" "Debezium's defaults (precise, adaptive_time_microseconds, bytes): exact values"
assert_eq 4 "$(dead dm)" "ambiguous values with the modes not declared: dead letters"
pg "SELECT reason FROM $CTL.kafka_dead_letters WHERE topic = 'dz.$DB.dm' ORDER BY id" >"$T/dm.reasons"
assert_contains "$T/dm.reasons" 'key {"id":4}: table "dm", column "d20" (decimal(20,0)): value "1234" is both base64' \
	"an ambiguous decimal is refused, not read as -2658824"
assert_contains "$T/dm.reasons" 'key {"id":5}: table "dm", column "dt6" (datetime(6)): value 1529476623123 is microseconds of a date in 1968 to 1978' \
	"an ambiguous time is refused, not read as 1970-01-18"
# decimal.handling.mode=double and binary.handling.mode=hex
consumer KAFKA_DECIMAL_HANDLING_MODE=double KAFKA_BINARY_HANDLING_MODE=hex KAFKA_TIME_PRECISION_MODE=adaptive
{
	dm 7 1234.0 12.5 1529476623123456 1529476623000 45296789123 '"0102FF"'
	dm 8 null '"12.50"' null null null null         # a string under the double mode
	dm 9 null null null null null '"AQL/"'           # base64 under the hex mode
} | produce dm
consumed dm 9
assert_eq "7|1234|12.50|2018-06-20 06:37:03.123456|2018-06-20 06:37:03|12:34:56.789123|0102ff" \
	"$(rows dm $DMC | sed 's/.* 7|/7|/')" "decimal.handling.mode=double, binary.handling.mode=hex: exact values"
assert_eq 6 "$(dead dm)" "a string under the double mode, base64 under the hex mode: dead letters"
assert_contains_text "$(last_reason dm)" 'column "b" (varbinary(16)): value "AQL/" is not hex digits (KAFKA_BINARY_HANDLING_MODE=hex)' \
	"base64 under the hex mode"

# --- a field added to and removed from a topic's events ----------------------------
consumer
EVF='{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"a"}'
EVB='{"type":"int32","optional":true,"field":"b"}'
EVC='{"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"c"}'
EVD='{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"8"},"field":"d"}'
evmsg() {   # evmsg ID FIELDS PAYLOAD: a flattened record with its schema
	printf '{"id":%s}\t{"schema":{"type":"struct","fields":[%s],"optional":false,"name":"dz.ev.Value"},"payload":%s}\n' "$1" "$2" "$3"
}
{
	evmsg 1 "$EVF,$EVB" '{"id":1,"a":"one","b":1}'
	evmsg 2 "$EVF,$EVB,$EVC,$EVD" '{"id":2,"a":"two","b":2,"c":1529476623123,"d":"MDk="}'
	evmsg 3 "$EVF,$EVC,$EVD" '{"id":3,"a":"three","c":1529476623000,"d":null}'
	evmsg 1 "$EVF,$EVC" '{"id":1,"a":"one again","c":1}'
} | produce ev
consumed ev 4
assert_eq 0 "$(dead ev)" "nothing dead-lettered"
assert_eq "id:integer a:character varying b:integer c:timestamp without time zone d:numeric" \
	"$(pg "SELECT string_agg(column_name || ':' || data_type, ' ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'dc_sink' AND table_name = 'ev'")" \
	"new fields add their columns, typed from the Connect schema (io.debezium.time.Timestamp, Decimal)"
assert_eq "1|one again||1970-01-01 00:00:00.001| 2|two|2|2018-06-20 06:37:03.123|123.45 3|three||2018-06-20 06:37:03|" \
	"$(rows ev id a b c d)" "a field no longer sent leaves its column, NULL in the rows written without it"
assert_contains "$T/stream.bg.log" 'columns added for new fields' "the change is logged"
# the added columns are the table's description now: after a restart the
# same fields need nothing new
consumer
evmsg 4 "$EVF,$EVB,$EVC,$EVD" '{"id":4,"a":"four","b":4,"c":0,"d":"AQ=="}' | produce ev
consumed ev 5
assert_eq "4|four|4|1970-01-01 00:00:00|0.01" "$(rows ev id a b c d | sed 's/.* 4|/4|/')" "after a restart"
assert_eq 1 "$(grep -c 'columns added for new fields' "$T/stream.bg.log")" "the columns were added once"
# without schemas: a field the table lacks is a dead letter (the default) or
# ignored (KAFKA_UNKNOWN_FIELDS=ignore); a field no longer sent is NULL
{
	printf '{"id":1}\t{"id":1,"a":"one","b":1}\n'
	printf '{"id":2}\t{"id":2,"a":"two","b":2,"z":"new"}\n'
	printf '{"id":3}\t{"id":3,"a":"three"}\n'
} | produce en
consumed en 3
assert_eq "1|one|1 3|three|" "$(rows en id a b)" "without schemas: a field no longer sent is NULL"
assert_eq 1 "$(dead en)" "an unknown field without schemas is a dead letter by default"
assert_contains_text "$(last_reason en)" 'key {"id":2}: table "en": field "z" of the flattened record names no column of the table' \
	"the reason names the field"
consumer KAFKA_UNKNOWN_FIELDS=ignore
printf '{"id":2}\t{"id":2,"a":"two","b":2,"z":"new"}\n' | produce en
consumed en 4
assert_eq "1|one|1 2|two|2 3|three|" "$(rows en id a b)" "KAFKA_UNKNOWN_FIELDS=ignore applies it without the field"
assert_eq "id a b" "$(pg "SELECT string_agg(column_name, ' ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'dc_sink' AND table_name = 'en'")" \
	"no column is added without a schema"

# --- bad settings: exit 2 naming the setting ---------------------------------------
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
STREAM_PID=""
for bad in KAFKA_DECIMAL_HANDLING_MODE=exact KAFKA_TIME_PRECISION_MODE=micro KAFKA_BINARY_HANDLING_MODE=b64 KAFKA_UNKNOWN_FIELDS=drop; do
	echo "$bad" >>"$T/.env"
	run_stream --database dc --from kafka
	assert_eq 2 "$?" "$bad exits 2"
	assert_contains "$T/stream.log" "${bad%%=*} must be" "$bad: the error names the setting"
	sed -i '$d' "$T/.env"
done
exit 0
