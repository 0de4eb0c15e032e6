#!/bin/sh
# A table added to a running --to kafka publisher (a line in tables.d/NAME
# and SIGHUP, no migrate), under writes to it: its topic holds one op "r"
# event per row of one consistent snapshot, then its changes, and those
# events rebuild the source's rows value by value. Also without PostgreSQL
# (the checkpoint file): the same on a reload.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_ka; CREATE DATABASE it_ka; USE it_ka;
CREATE TABLE k (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
CREATE TABLE n (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20) NOT NULL);
CREATE TABLE m (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
INSERT INTO k SELECT seq, seq FROM seq_1_to_100;
INSERT INTO n SELECT seq, seq, CONCAT('s', seq) FROM seq_1_to_5000;
INSERT INTO m SELECT seq, seq FROM seq_1_to_300;"
write_env ka it_ka ka_sink
allow ka k
run_migrate --database ka --tables all || fail "migrate failed"
start_kafka_mock --brokers 1 --topic ka.it_ka.k:2 --topic ka.it_ka.n:2 --topic ka.it_ka.m:1 --topic loc.it_ka.k:1 \
	--topic loc.it_ka.m:1
printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=ka\n' "$BOOT" >> "$T/.env"

# events TOPIC: the topic's events as PostgreSQL table ka_sink.ev
events() {
	"$DUMP" --bootstrap "$BOOT" --topic "$1" > "$T/ev.tsv" 2>"$T/dump.err" ||
		fail "kafka-dump failed: $(cat "$T/dump.err")"
	pg "DROP TABLE IF EXISTS ka_sink.ev; CREATE TABLE ka_sink.ev (topic text, part int, off bigint, k text, v text)"
	pg "\\copy ka_sink.ev FROM '$T/ev.tsv' WITH (FORMAT text, NULL 'null')" >/dev/null || fail "loading events failed"
}
# rebuilt COLS: the rows the events rebuild (the last event of each key)
rebuilt() {
	pg "COPY (SELECT $1 FROM (SELECT DISTINCT ON (k) v::jsonb e FROM ka_sink.ev WHERE v IS NOT NULL
	      ORDER BY k, part, off DESC) last, jsonb_to_record(e->'after') AS x(id int, v int, s text)
	      WHERE e->>'op' <> 'd' ORDER BY id) TO STDOUT"
}
# r_first: no op "r" event comes after a change in its partition
r_first() {
	assert_eq 0 "$(pg "SELECT count(*) FROM ka_sink.ev e WHERE (e.v::jsonb)->>'op' = 'r' AND EXISTS (SELECT 1
	    FROM ka_sink.ev f WHERE f.part = e.part AND f.off < e.off AND f.v IS NOT NULL AND (f.v::jsonb)->>'op' <> 'r')")" \
		"$1: the snapshot's events come before the changes"
}

start_stream --database ka --to kafka
pid=$STREAM_PID
wait_log "$T/stream.bg.log" 'table "k" is published from' || fail "the publisher did not start"
(
	i=0
	while [ ! -f "$T/stop" ]; do
		i=$((i + 1))
		echo "USE it_ka; UPDATE n SET v = v + 1 WHERE id = $((i * 7 % 5000 + 1)); INSERT INTO n VALUES ($((10000 + i)), $i, 'w');
		      DELETE FROM n WHERE id = $((i * 13 % 5000 + 1)); UPDATE k SET v = v + 1 WHERE id = $((i % 100 + 1));"
	done | my > "$T/writer.out" 2>&1
) &
w=$!
sleep 1
allow ka k n
kill -HUP "$pid"
wait_log "$T/stream.bg.log" 'table "n" joined: publishing its rows as op "r"' || fail "no snapshot of the added table"
wait_log "$T/stream.bg.log" 'rows published as op "r"; its changes follow from' || fail "the snapshot did not finish"
sleep 1
touch "$T/stop"
wait $w || fail "writer failed: $(cat "$T/writer.out")"
END=$(binlog_end)
i=0
until [ "$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint WHERE source_db = 'ka'")" = "$END" ]; do
	i=$((i + 1)); [ $i -le 300 ] || fail "the publisher did not reach $END"; sleep 0.1
done
kill -0 "$pid" || fail "the publisher exited"
events ka.it_ka.n
snap=$(grep -o 'table "n": [0-9]* rows published' "$T/stream.bg.log" | grep -o '[0-9]*')
assert_eq "$snap" "$(pg "SELECT count(*) FROM ka_sink.ev WHERE (v::jsonb)->>'op' = 'r'")" "one op r event per row of the snapshot"
[ "$(pg "SELECT count(*) FROM ka_sink.ev WHERE (v::jsonb)->>'op' IN ('c', 'u', 'd')")" -gt 0 ] ||
	fail "no change of the added table after its snapshot"
r_first "added table"
my "SELECT id, v, s FROM it_ka.n ORDER BY id" > "$T/my.tsv"
rebuilt "id, v, s" > "$T/ev_rows.tsv"
cmp -s "$T/my.tsv" "$T/ev_rows.tsv" || fail "the added table's events do not rebuild its rows: $(diff "$T/my.tsv" "$T/ev_rows.tsv" | head -5)"
assert_eq published "$(pg "SELECT load_mode FROM $CTL.tables WHERE source_db = 'ka' AND source_table = 'n'")" \
	"its control row says it is published, not copied"

# a restart does not publish the snapshot again
kill -TERM "$pid"; wait "$pid" || fail "the publisher did not stop cleanly"
my "UPDATE it_ka.n SET v = -1 WHERE id = 20"
run_stream --database ka --to kafka --stop-at "$(binlog_end)" || fail "restart failed"
events ka.it_ka.n
assert_eq "$snap" "$(pg "SELECT count(*) FROM ka_sink.ev WHERE (v::jsonb)->>'op' = 'r'")" "no second snapshot after a restart"

# --- without PostgreSQL: the checkpoint file ----------------------------------
grep -v '^SINK_DB_URL=' "$T/.env" | sed 's/^KAFKA_TOPIC_PREFIX=.*/KAFKA_TOPIC_PREFIX=loc/' > "$T/local.env"
printf 'KAFKA_CHECKPOINT_FILE=%s/ckpt/local.json\n' "$T" >> "$T/local.env"
mkdir -p "$T/ckpt"
allow ka k
run_stream --env "$T/local.env" --database ka --to kafka --snapshot --stop-at "$(binlog_end)" ||
	fail "--snapshot without PostgreSQL failed: $(cat "$T/stream.log")"
(cd "$T" && exec "$STREAM" --env "$T/local.env" --database ka --to kafka) >> "$T/local.log" 2>&1 &
lpid=$!
at_exit "kill -9 $lpid 2>/dev/null"
wait_log "$T/local.log" 'table "k" is published from' || fail "the local publisher did not start"
my "UPDATE it_ka.m SET v = v + 1000 WHERE id <= 10"
allow ka k m
kill -HUP "$lpid"
wait_log "$T/local.log" 'table "m": 300 rows published as op "r"' || fail "no snapshot of the table added without PostgreSQL"
my "UPDATE it_ka.m SET v = -v WHERE id > 290; DELETE FROM it_ka.m WHERE id = 1"
sleep 2
kill -TERM "$lpid"; wait "$lpid" || fail "the local publisher did not stop cleanly"
events loc.it_ka.m
r_first "added table without PostgreSQL"
my "SELECT id, v FROM it_ka.m ORDER BY id" > "$T/my.tsv"
rebuilt "id, v" > "$T/ev_rows.tsv"
cmp -s "$T/my.tsv" "$T/ev_rows.tsv" || fail "without PostgreSQL, the events do not rebuild the rows: $(diff "$T/my.tsv" "$T/ev_rows.tsv" | head -5)"
echo "ok t_kafka_online_add"
