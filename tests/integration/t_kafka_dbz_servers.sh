#!/bin/sh
# stream --from kafka with events a connector read from another MariaDB
# server (issue 17): a GTID replica of the sandbox's MariaDB, started here,
# whose binary log has the same base name as the primary's but other
# positions. The events carry what Debezium puts in source for them: the
# replica's file and position, the originating server id and the MariaDB
# GTID. They are placed against migrate's watermark (taken on the primary)
# by GTID: those before it are skipped (counted), those after it applied,
# each exactly once (a table without a key would show a second apply as a
# duplicate row). An event that carries no GTID and a position of another
# server cannot be placed: the consumer stops, naming the setting.
. "$(dirname "$0")/lib.sh"

# --- the replica ---------------------------------------------------------------
R="$T/replica"
mkdir -p "$R/data" "$R/tmp" "$R/binlog"
_user=""; _auth=normal
[ "$(id -u)" -eq 0 ] && { _user="--user=root"; _auth=socket; }
# shellcheck disable=SC2086
mariadb-install-db --no-defaults --datadir="$R/data" $_user --auth-root-authentication-method=$_auth \
	--skip-test-db --skip-name-resolve --tmpdir="$R/tmp" >"$R/install.log" 2>&1 ||
	fail "mariadb-install-db failed: $(tail -n 20 "$R/install.log")"
RPORT=$(free_port)
# shellcheck disable=SC2086
setsid mariadbd --no-defaults --datadir="$R/data" --socket="$R/sock" --port="$RPORT" --bind-address=127.0.0.1 \
	$_user --pid-file="$R/pid" --log-bin="$R/binlog/mariadb-bin" --server-id=2 --log-slave-updates=ON \
	--binlog-format=ROW --binlog-row-image=FULL --log-error="$R/err.log" --tmpdir="$R/tmp" --skip-name-resolve \
	--innodb-buffer-pool-size=32M --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
	</dev/null >"$R/out.log" 2>&1 &
i=0
until mariadb-admin --no-defaults -uroot -S "$R/sock" ping >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -le 300 ] || fail "the replica did not start: $(tail -n 20 "$R/err.log")"; sleep 0.1
done
at_exit "kill -9 $(cat "$R/pid") 2>/dev/null"
rep() { mariadb --no-defaults -uroot -S "$R/sock" -N -B -e "$1"; }
# a transaction of the replica's own (domain 5) and a new file first: its
# positions are not the primary's
rep "SET SESSION gtid_domain_id = 5; CREATE DATABASE replica_only; FLUSH BINARY LOGS" || fail "replica setup"
PRIMARY_SID=$(my "SELECT @@server_id")
# the replica starts at the primary's current GTID position (the sandbox's
# history before this test is not its business)
rep "SET GLOBAL gtid_slave_pos = '$(my "SELECT @@gtid_binlog_pos")';
	CHANGE MASTER TO master_host = '127.0.0.1', master_port = $MY_PORT, master_user = '$MY_USER',
	master_password = '$MY_PASS', master_use_gtid = slave_pos; START SLAVE" || fail "could not start the replica"

# --- the source: changes before and after migrate's watermark --------------------
DB=$TEST_DB
# tx SQL: runs SQL on the primary as one transaction; prints its GTID
tx() { my "$1; SELECT @@last_gtid"; }
my "DROP DATABASE IF EXISTS $DB"
my "CREATE DATABASE $DB"
my "CREATE TABLE $DB.k (id INT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL)"
my "CREATE TABLE $DB.nk (n INT, v VARCHAR(20))"
G1=$(tx "INSERT INTO $DB.k VALUES (1, 'a'), (2, 'b')")
G2=$(tx "INSERT INTO $DB.nk VALUES (1, 'a')")
write_env sv "$DB" sv_sink
allow sv k nk
run_migrate --database sv --tables all || fail "migrate failed: $(cat "$T/migrate.log")"
G3=$(tx "INSERT INTO $DB.nk VALUES (2, 'b')")
G4=$(tx "UPDATE $DB.k SET v = 'a2' WHERE id = 1")
G5=$(tx "DELETE FROM $DB.k WHERE id = 2")
G6=$(tx "INSERT INTO $DB.k VALUES (3, 'c')")
# wait for the replica
i=0
until [ "$(rep "SELECT @@gtid_slave_pos" | tr ',' '\n' | grep "^0-")" = "$G6" ] || [ $i -ge 300 ]; do
	sleep 0.1; i=$((i + 1))
done
[ $i -lt 300 ] || fail "the replica did not catch up: $(rep "SHOW SLAVE STATUS\G" | grep -i error)"

# --- the events, as a connector reading the replica publishes them ---------------
# where each GTID's rows event is in the replica's binary log: GTID FILE POS
for f in $(rep "SHOW BINARY LOGS" | awk '{ print $1 }'); do
	rep "SHOW BINLOG EVENTS IN '$f'" | awk -F '\t' -v f="$f" '
		$3 == "Gtid" { split($6, w, " "); g = w[3] }
		$3 ~ /_rows/ { print g, f, $2 }'
done >"$T/replica.events"
where() {   # where GTID: "FILE POS" of its rows event in the replica's log
	_w=$(awk -v g="$1" '$1 == g { print $2, $3; exit }' "$T/replica.events")
	[ -n "$_w" ] || fail "GTID $1 is not in the replica's binary log: $(cat "$T/replica.events")"
	echo "$_w"
}
# ev TABLE GTID ROW OP BEFORE AFTER: one envelope event without schemas
ev() {
	set -- "$1" "$2" "$3" "$4" "$5" "$6" $(where "$2")
	printf '{"before":%s,"after":%s,"source":{"version":"2.5.4.Final","connector":"mysql","name":"sv","ts_ms":0,"snapshot":"false","db":"%s","table":"%s","server_id":%s,"gtid":"%s","file":"%s","pos":%s,"row":%s,"thread":7,"query":null},"op":"%s","ts_ms":0}' \
		"$5" "$6" "$DB" "$1" "$PRIMARY_SID" "$2" "$7" "$8" "$3" "$4"
}
# the replica's positions are not the primary's: compared by file and
# position with the watermark (same base name, same originating server id),
# a change from before the copy or one after it would be misplaced
WM=$(pg "SELECT snapshot_file || ' ' || snapshot_pos FROM $CTL.tables WHERE source_db = 'sv' AND source_table = 'nk'")
after_wm() {    # after_wm "FILE POS": whether it is at or after the watermark by file number, then position
	echo "${1##*.} ${WM##*.}" | awk '{ exit !($1 + 0 > $3 + 0 || ($1 + 0 == $3 + 0 && $2 + 0 >= $4 + 0)) }'
}
if ! after_wm "$(where "$G2")" && after_wm "$(where "$G3")"; then
	fail "the replica's positions happen to order like the primary's; the test shows nothing ($(where "$G2"), $(where "$G3"), $WM)"
fi

start_kafka_mock --topic "sv.$DB.k:1" --topic "sv.$DB.nk:1"
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=sv\nKAFKA_TIME_PRECISION_MODE=adaptive_time_microseconds\n' "$BOOT" >>"$T/.env"
produce() { "$DUMP" --bootstrap "$BOOT" --produce "sv.$DB.$1" >/dev/null 2>"$T/produce.err" || fail "produce: $(cat "$T/produce.err")"; }
{
	printf '{"id":1}\t%s\n' "$(ev k "$G1" 0 c null '{"id":1,"v":"a"}')"
	printf '{"id":2}\t%s\n' "$(ev k "$G1" 1 c null '{"id":2,"v":"b"}')"
	printf '{"id":1}\t%s\n' "$(ev k "$G4" 0 u '{"id":1,"v":"a"}' '{"id":1,"v":"a2"}')"
	printf '{"id":2}\t%s\n' "$(ev k "$G5" 0 d '{"id":2,"v":"b"}' null)"
	printf '{"id":2}\tnull\n'
	printf '{"id":3}\t%s\n' "$(ev k "$G6" 0 c null '{"id":3,"v":"c"}')"
} | produce k
{
	printf 'null\t%s\n' "$(ev nk "$G2" 0 c null '{"n":1,"v":"a"}')"
	printf 'null\t%s\n' "$(ev nk "$G3" 0 c null '{"n":2,"v":"b"}')"
} | produce nk

start_stream --database sv --from kafka
consumed() {
	_i=0
	until [ "$(pg "SELECT next_offset FROM $CTL.kafka_offsets WHERE source_db = 'sv' AND topic = 'sv.$DB.$1'")" = "$2" ] ||
		[ $_i -ge 300 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ $_i -lt 300 ] || fail "the consumer did not get past message $2 of $1: $(tail -20 "$T/stream.bg.log")"
}
consumed k 6
consumed nk 2
assert_eq "1|a2 3|c" "$(pg "SELECT string_agg(id || '|' || v, ' ' ORDER BY id) FROM sv_sink.k")" \
	"k: the replica's events after the watermark applied, those before it skipped"
assert_eq "1|a 2|b" "$(pg "SELECT string_agg(n || '|' || v, ' ' ORDER BY n) FROM sv_sink.nk")" \
	"nk (no key): each change exactly once (the copy's row is not inserted again)"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID" || fail "the consumer did not stop cleanly"
assert_eq "2 1" "$(pg "SELECT string_agg(kafka_skipped::text, ' ' ORDER BY source_table) FROM $CTL.tables WHERE source_db = 'sv'")" \
	"the skipped events are counted per table (k: 2, nk: 1)"
assert_eq 0 "$(pg "SELECT count(*) FROM $CTL.kafka_dead_letters WHERE source_db = 'sv'")" "no dead letter"

# --- an event that cannot be placed: refused, with the reason ---------------------
# the replica's own change without its GTID (a connector that did not send
# one): its position is in the replica's log, which the watermark is not of
rep "SET SESSION gtid_domain_id = 5; CREATE TABLE replica_only.x (id INT PRIMARY KEY); INSERT INTO replica_only.x VALUES (1)"
POS=$(rep "SHOW MASTER STATUS" | awk '{ print $1, $2 }')
printf '{"id":4}\t{"before":null,"after":{"id":4,"v":"d"},"source":{"version":"2.5.4.Final","connector":"mysql","name":"sv","server_id":2,"gtid":null,"file":"%s","pos":%s,"row":0,"db":"%s","table":"k"},"op":"c","ts_ms":0}\n' \
	${POS% *} ${POS#* } "$DB" | produce k
run_stream --database sv --from kafka && fail "an event that cannot be placed was applied"
assert_contains "$T/stream.log" "cannot tell whether an event of table \"k\" of database \"sv\" comes before or after migrate's watermark" \
	"the refusal says what could not be decided"
assert_contains "$T/stream.log" "the event carries no GTID, and its position ${POS% *}:${POS#* } (server 2) is not in the binary log the watermark" \
	"and why"
assert_contains "$T/stream.log" "KAFKA_TAKEOVER=apply" "and names the setting"
assert_eq 0 "$(pg "SELECT count(*) FROM sv_sink.k WHERE id = 4")" "nothing applied"
exit 0
