#!/bin/sh
# The schema history (issue 14): several ALTERs of a streamed table made while
# the daemon is stopped (a deploy with a few migrations during a restart) are
# carried in order from the binary log's statements alone, with
# binlog_row_metadata MINIMAL and FULL, into PostgreSQL and through the
# publisher (--to kafka): every value equals the source after catch-up and no
# table is copied again. Also: a statement in an ANSI_QUOTES session; one the
# interpreter refuses (copied again online, equal at the end); a history
# that disagrees with FULL table maps (found, the column named, copied again);
# shadow descriptions kept with the checkpoint across a restart in the
# middle of a swap; the binlog_row_metadata advice.
. "$(dirname "$0")/lib.sh"

at_exit 'my "SET GLOBAL binlog_row_metadata = FULL"'

shape="(id INT NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL, flag TINYINT NOT NULL DEFAULT 0, bal DECIMAL(10,2), ts DATETIME(3))"
my "DROP DATABASE IF EXISTS it_sh; CREATE DATABASE it_sh; USE it_sh;
CREATE TABLE t_min $shape; CREATE TABLE t_full $shape; CREATE TABLE other (id INT PRIMARY KEY, v INT);
CREATE TABLE q (id INT PRIMARY KEY, v INT); CREATE TABLE r (id INT PRIMARY KEY, v INT); CREATE TABLE s (id INT PRIMARY KEY, v INT);
INSERT INTO t_min SELECT seq, CONCAT('n', seq), seq % 2, seq * 1.25, '2024-01-02 03:04:05.678' FROM seq_1_to_500;
INSERT INTO t_full SELECT * FROM t_min;
INSERT INTO other SELECT seq, seq FROM seq_1_to_100;
INSERT INTO q SELECT seq, seq FROM seq_1_to_100; INSERT INTO r SELECT seq, seq FROM seq_1_to_100; INSERT INTO s SELECT seq, seq FROM seq_1_to_100;"
write_env sh it_sh sh_sink
allow sh t_min t_full other q r s
run_migrate --database sh --tables all || fail "migrate failed: $(tail -5 "$T/migrate.log")"

# the publisher too (its own schema history, kept with its position)
start_kafka_mock
cat >> "$T/.env" <<EOF
KAFKA_BOOTSTRAP_SERVERS=$BOOT
KAFKA_TOPIC_PREFIX=shk
EOF
run_stream --database sh --to kafka --snapshot --stop-at "$(binlog_end)" || fail "publisher snapshot failed: $(tail -5 "$T/stream.log")"
run_stream --database sh --stop-at "$(binlog_end)" || fail "stream failed: $(tail -5 "$T/stream.log")"

# five_steps TABLE: the issue's sequence, with rows between the statements
five_steps() {
	my "USE it_sh;
	UPDATE $1 SET bal = bal + 1 WHERE id <= 10;
	ALTER TABLE $1 ADD COLUMN note VARCHAR(30) DEFAULT 'none' AFTER name;
	INSERT INTO $1 (id, name, note, flag, bal) VALUES (1001, 'new', 'a note', 1, 9.5);
	UPDATE $1 SET note = 'changed' WHERE id = 2;
	ALTER TABLE $1 DROP COLUMN flag;
	INSERT INTO $1 (id, name, note, bal) VALUES (1002, 'newer', NULL, 1.125);
	ALTER TABLE $1 MODIFY bal DECIMAL(14,4);
	UPDATE $1 SET bal = 123456.7891 WHERE id = 3;
	ALTER TABLE $1 CHANGE name full_name VARCHAR(40) NOT NULL;
	INSERT INTO $1 (id, full_name, bal, ts) VALUES (1003, 'a name longer than twenty chars', 7.0001, '2025-05-06 07:08:09.123');
	DELETE FROM $1 WHERE id = 4"
}
cols="id, full_name, coalesce(note, '-'), coalesce(bal, -1), coalesce(ts, '1000-01-01 00:00:00.000')"
check_table() {
	same_values "SELECT $cols FROM it_sh.$1 ORDER BY id" \
		"SELECT id, full_name, coalesce(note, '-'), coalesce(bal, -1), to_char(coalesce(ts, '1000-01-01'), 'YYYY-MM-DD HH24:MI:SS.MS') FROM sh_sink.$1 ORDER BY id" \
		"$1 after the five steps ($2)"
}

my "SET GLOBAL binlog_row_metadata = MINIMAL"
five_steps t_min
my "SET GLOBAL binlog_row_metadata = FULL"
five_steps t_full
my "UPDATE it_sh.other SET v = -v"
END=$(binlog_end)
run_stream --database sh --stop-at "$END" || fail "catch-up failed: $(tail -5 "$T/stream.log")"
check_table t_min MINIMAL
check_table t_full FULL
same_values "SELECT id, v FROM it_sh.other ORDER BY id" "SELECT id, v FROM sh_sink.other ORDER BY id" "other"
assert_not_contains "$T/stream.log" "stops streaming" "no table stopped"
assert_not_contains "$T/stream.log" "online copy" "no table copied again"
assert_eq 4 "$(grep -c 'table "t_full": schema change carried' "$T/stream.log")" "four ALTERs carried for t_full"
assert_eq "id full_name bal ts note" "$(pg "SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'sh_sink.t_min'::regclass AND attnum > 0 AND NOT attisdropped")" \
	"PostgreSQL's columns follow (a new one at the end: PostgreSQL has no AFTER)"
assert_eq "numeric(14,4)" "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'sh_sink.t_min'::regclass AND attname = 'bal'")" \
	"the MODIFY retyped the column"

# the publisher, stopped all along, catches up with its own history: the
# events after each ALTER carry the columns of then
run_stream --database sh --to kafka --stop-at "$END" || fail "publisher catch-up failed: $(tail -5 "$T/stream.log")"
assert_not_contains "$T/stream.log" "no longer streamed" "the publisher carried every change"
"$DUMP" --bootstrap "$BOOT" --topic shk.it_sh.t_full > "$T/ev.tsv" 2>"$T/dump.err" || fail "kafka-dump failed: $(cat "$T/dump.err")"
pg "DROP TABLE IF EXISTS sh_sink.ev; CREATE TABLE sh_sink.ev (topic text, part int, off bigint, k text, v text)"
pg "\\copy sh_sink.ev FROM '$T/ev.tsv' WITH (FORMAT csv, DELIMITER E'\\t', QUOTE E'\\x01', NULL 'null')" >/dev/null || fail "loading the events failed"
ev() { pg "SELECT (SELECT array_to_string(array_agg(k ORDER BY k), ',') FROM jsonb_object_keys(v::jsonb->'after') k) FROM sh_sink.ev WHERE (v::jsonb->'after'->>'id')::int = $1 AND v::jsonb->>'op' = '$2'"; }
assert_eq "bal,flag,id,name,note,ts" "$(ev 1001 c)" "the insert after ADD COLUMN carries note and flag"
assert_eq "bal,id,name,note,ts" "$(ev 1002 c)" "the insert after DROP COLUMN lacks flag"
assert_eq "bal,full_name,id,note,ts" "$(ev 1003 c)" "the insert after CHANGE carries full_name"
# (DECIMAL as Debezium's precise mode: the unscaled value's bytes, 1234567891 at scale 4)
assert_eq "SZYC0w==" "$(pg "SELECT v::jsonb->'after'->>'bal' FROM sh_sink.ev WHERE (v::jsonb->'after'->>'id')::int = 3 AND v::jsonb->>'op' = 'u' ORDER BY off DESC LIMIT 1")" \
	"the update after MODIFY carries the value at the new scale"
assert_eq t "$(pg "SELECT schemas::jsonb->>'t_full' LIKE '%full_name%' FROM $CTL.publish_checkpoint WHERE source_db = 'sh'")" \
	"the publisher's position keeps the descriptions of then"
# a publisher restarted now starts from its history, not from MariaDB's latest shape
my "ALTER TABLE it_sh.t_full ADD COLUMN late INT DEFAULT 5; INSERT INTO it_sh.t_full (id, full_name) VALUES (1004, 'late')"
run_stream --database sh --to kafka --stop-at "$(binlog_end)" || fail "publisher failed: $(tail -5 "$T/stream.log")"
assert_not_contains "$T/stream.log" "no longer streamed" "the publisher carried the later change"
run_stream --database sh --stop-at "$(binlog_end)" || fail "stream failed: $(tail -5 "$T/stream.log")"
assert_eq 5 "$(pg "SELECT late FROM sh_sink.t_full WHERE id = 1004")" "the later change carried"

# --- a statement of an ANSI_QUOTES session; one the interpreter refuses ------
my "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES'); ALTER TABLE it_sh.q ADD COLUMN \"w\" VARCHAR(10) DEFAULT 'it''s';
	INSERT INTO it_sh.q (id, v) VALUES (101, 101)"
my "ALTER TABLE it_sh.r PARTITION BY HASH (id) PARTITIONS 2; INSERT INTO it_sh.r VALUES (101, 101)"
start_stream --database sh
wait_log "$T/stream.bg.log" 'online copy of table "r" is ready' || fail "r was not copied again"
my "INSERT INTO it_sh.r VALUES (102, 102); INSERT INTO it_sh.other VALUES (1000, 1000)"
wait_pg "SELECT count(*) FROM sh_sink.r WHERE id = 102" 1 || fail "r does not stream after its copy"
wait_ckpt sh "$(binlog_end)" || fail "the stream did not catch up"
same_values "SELECT id, v, w FROM it_sh.q ORDER BY id" "SELECT id, v, w FROM sh_sink.q ORDER BY id" "q after an ANSI_QUOTES ALTER"
same_values "SELECT id, v FROM it_sh.r ORDER BY id" "SELECT id, v FROM sh_sink.r ORDER BY id" "r copied again after a statement the interpreter refuses"
assert_contains "$T/stream.bg.log" "cannot interpret this statement exactly" "the log says why r was copied again"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"

# --- a history that disagrees with a FULL table map: found, named, copied --
pg "UPDATE $CTL.tables SET stream_schema = replace(stream_schema, '[\"v\",', '[\"vv\",') WHERE source_db = 'sh' AND source_table = 's'"
my "UPDATE it_sh.s SET v = v + 1 WHERE id = 1"
start_stream --database sh
wait_log "$T/stream.bg.log" 'online copy of table "s" is ready' || fail "s was not copied again"
assert_contains "$T/stream.bg.log" 'column 2 is "v" in the binary log' "the disagreement names the column"
my "UPDATE it_sh.s SET v = v + 1 WHERE id = 2"
wait_pg "SELECT v FROM sh_sink.s WHERE id = 2" 3 || fail "s does not stream after its copy"
same_values "SELECT id, v FROM it_sh.s ORDER BY id" "SELECT id, v FROM sh_sink.s ORDER BY id" "s copied again"

# --- a swap's shadow survives a restart between its steps --------------------
my "USE it_sh; CREATE TABLE _other_new LIKE other; ALTER TABLE _other_new ADD COLUMN extra INT NOT NULL DEFAULT 3;
	INSERT INTO _other_new (id, v) SELECT id, v FROM other"
wait_ckpt sh "$(binlog_end)" || fail "the stream did not catch up"
assert_eq 1 "$(pg "SELECT count(*) FROM $CTL.shadow_tables WHERE source_db = 'sh' AND source_table = '_other_new' AND origin = 'other'")" \
	"the new table's description is kept with the checkpoint"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
my "USE it_sh; RENAME TABLE other TO _other_old, _other_new TO other; DROP TABLE _other_old; INSERT INTO other (id, v) VALUES (2000, 2)"
run_stream --database sh --stop-at "$(binlog_end)" || fail "stream failed: $(tail -5 "$T/stream.log")"
assert_contains "$T/stream.log" 'table "other": "_other_new" took its name' "the swap carried after the restart"
same_values "SELECT id, v, extra FROM it_sh.other ORDER BY id" "SELECT id, v, extra FROM sh_sink.other ORDER BY id" "other after the swap"
assert_eq 0 "$(pg "SELECT count(*) FROM $CTL.shadow_tables WHERE source_db = 'sh'")" "no description left of dropped tables"

# --- RENAME TABLE to another listed name: followed, PostgreSQL's table too ----
# (the new name is listed first, as a user renaming a table does; it is
# missing until the rename)
n=$(grep -c 'reading the binary log' "$T/stream.bg.log")
start_stream --database sh
i=0
until [ "$(grep -c 'reading the binary log' "$T/stream.bg.log")" -gt "$n" ]; do
	i=$((i + 1)); [ $i -le 300 ] || fail "the stream did not start"; sleep 0.1
done
allow sh t_min t_full other q r s q2
kill -HUP "$STREAM_PID"
wait_pg "SELECT state FROM $CTL.tables WHERE source_db = 'sh' AND source_table = 'q2'" missing || fail "q2 is not reported missing"
my "USE it_sh; RENAME TABLE q TO q2; INSERT INTO q2 (id, v) VALUES (102, 102); UPDATE q2 SET w = 'renamed' WHERE id = 1"
wait_pg "SELECT count(*) FROM sh_sink.q2 WHERE id = 102" 1 || fail "q2 does not stream"
assert_contains "$T/stream.bg.log" 'table "q" was renamed to "q2" in MariaDB, which the allowlist also lists: it streams on' \
	"the rename is followed"
assert_not_contains "$T/stream.bg.log" 'online copy of table "q2"' "no copy of the renamed table"
same_values "SELECT id, v, w FROM it_sh.q2 ORDER BY id" "SELECT id, v, w FROM sh_sink.q2 ORDER BY id" "q2, renamed from q"
assert_eq "0 q2_pkey" "$(pg "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'sh_sink' AND tablename = 'q') || ' ' ||
	(SELECT string_agg(indexname, ',') FROM pg_indexes WHERE schemaname = 'sh_sink' AND tablename = 'q2')")" \
	"the PostgreSQL table and its index carry the new name"
assert_eq "ready" "$(pg "SELECT state FROM $CTL.tables WHERE source_db = 'sh' AND source_table = 'q2'")" "q2 is ready"
wait_pg "SELECT state FROM $CTL.tables WHERE source_db = 'sh' AND source_table = 'q'" missing ||
	fail "the old name, still listed, is not reported missing"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"
my "INSERT INTO it_sh.q2 (id, v) VALUES (103, 103)"
run_stream --database sh --stop-at "$(binlog_end)" || fail "stream failed: $(tail -5 "$T/stream.log")"
same_values "SELECT id, v, w FROM it_sh.q2 ORDER BY id" "SELECT id, v, w FROM sh_sink.q2 ORDER BY id" "q2 streams after a restart"

# --- the advice when binlog_row_metadata is not FULL -------------------------
my "SET GLOBAL binlog_row_metadata = MINIMAL"
run_stream --database sh --stop-at "$(binlog_end)" || fail "stream failed: $(tail -5 "$T/stream.log")"
assert_contains "$T/stream.log" "binlog_row_metadata is MINIMAL" "the advice names the setting"
assert_contains "$T/stream.log" "SET GLOBAL binlog_row_metadata = 'FULL'" "and says how"
my "SET GLOBAL binlog_row_metadata = FULL"
echo "ok t_schema_history"
