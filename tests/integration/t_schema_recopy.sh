#!/bin/sh
# Schema changes never silently stop a table (issue 14, the last resort):
# under writes, what the stream cannot carry exactly (a column whose default
# MariaDB computes per row) gets its table copied again online while the
# others stream on; an online schema change tool's RENAME swap
# (pt-online-schema-change, and gh-ost's cut-over written in SQL) is carried
# as a schema change with no new copy and no gap, the helper tables never
# applied, while a swap with a table not made from the streamed one copies
# it again; DROP TABLE leaves state dropped with PostgreSQL's copy kept, and CREATE
# TABLE of the name copies it again; RENAME to a name the allowlist does not
# list stops the table saying so; STREAM_ON_UNCARRYABLE=stop stops instead
# of copying. Every table is compared with its source value by value.
. "$(dirname "$0")/lib.sh"

my "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
at_exit 'my "SET GLOBAL innodb_flush_log_at_trx_commit = 1"'

my "DROP DATABASE IF EXISTS it_sr; CREATE DATABASE it_sr; USE it_sr;
CREATE TABLE a (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
CREATE TABLE b (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20) NOT NULL);
CREATE TABLE p (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20) NOT NULL);
CREATE TABLE g (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
CREATE TABLE d (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
CREATE TABLE r (id INT NOT NULL PRIMARY KEY);
INSERT INTO a SELECT seq, 0 FROM seq_1_to_2000;
INSERT INTO b SELECT seq, seq, 'b' FROM seq_1_to_20000;
INSERT INTO p SELECT seq, seq, 'p' FROM seq_1_to_50000;
INSERT INTO g SELECT seq, seq FROM seq_1_to_3000;
INSERT INTO d VALUES (1, 1), (2, 2);
INSERT INTO r VALUES (1);"
write_env sr it_sr sr_sink
allow sr a b p g d r
run_migrate --database sr --tables all || fail "migrate failed"

mark=900000
settle() {
	mark=$((mark + 1))
	my "INSERT INTO it_sr.a VALUES ($mark, 0)"
	_i=0
	while [ "$(pg "SELECT count(*) FROM sr_sink.a WHERE id = $mark")" != 1 ]; do
		_i=$((_i + 1)); [ $_i -le 600 ] || fail "mark $mark did not arrive ($1)"; sleep 0.1
	done
}
# ready_again TABLE N: the N-th "online copy of table TABLE is ready" line, and the table streams
ready_again() {
	_i=0
	until [ "$(grep -c "online copy of table \"$1\" is ready" "$T/stream.bg.log")" -ge "$2" ]; do
		_i=$((_i + 1)); [ $_i -le 600 ] || fail "table $1 was not copied again"; sleep 0.1
	done
}
writer() {
	i=0
	while [ ! -f "$T/stop" ]; do
		i=$((i + 1))
		echo "UPDATE it_sr.a SET v = v + 1 WHERE id = $((i % 2000 + 1));
		      UPDATE it_sr.b SET v = v + 1 WHERE id = $((i * 7 % 20000 + 1)); INSERT INTO it_sr.b (id, v, s) VALUES ($((100000 + i)), $i, 'w');
		      UPDATE it_sr.p SET v = v + 1 WHERE id = $((i * 13 % 50000 + 1)); DELETE FROM it_sr.p WHERE id = $((i * 17 % 50000 + 1));"
	done | my > "$T/writer.out" 2>&1
}
stop_writer() { touch "$T/stop"; wait "$1" || fail "writer failed: $(cat "$T/writer.out")"; rm -f "$T/stop"; }

start_stream --database sr
pid=$STREAM_PID
wait_log "$T/stream.bg.log" 'table "a" streams from' || fail "stream did not start"
writer &
w=$!
sleep 1

# --- a default MariaDB computes per row: b is copied again, under writes ----
my "ALTER TABLE it_sr.b ADD COLUMN c DATETIME DEFAULT CURRENT_TIMESTAMP"
wait_log "$T/stream.bg.log" 'table "b": copying it again online' || fail "b was not copied again"
ready_again b 1
sleep 1
# --- pt-online-schema-change on p (50k rows) under writes ----------------------
pt-online-schema-change --alter "ADD COLUMN note VARCHAR(10) NOT NULL DEFAULT 'x'" --execute \
	--recursion-method=none --no-check-unique-key-change --chunk-size 5000 \
	"S=$MY_SOCKET,u=root,D=it_sr,t=p" > "$T/ptosc.out" 2>&1 || fail "pt-online-schema-change failed: $(tail -5 "$T/ptosc.out")"
wait_log "$T/stream.bg.log" 'table "p": "_p_new" took its name (an online schema change' || fail "the swap was not carried"
sleep 1
stop_writer $w
settle "after b and p"
kill -0 "$pid" || fail "the daemon exited"
same_values "SELECT id, v, s, c FROM it_sr.b ORDER BY id" \
	"SELECT id, v, s, to_char(c, 'YYYY-MM-DD HH24:MI:SS') FROM sr_sink.b ORDER BY id" "b, re-copied after ADD COLUMN ... DEFAULT CURRENT_TIMESTAMP"
same_values "SELECT id, v, s, note FROM it_sr.p ORDER BY id" "SELECT id, v, s, note FROM sr_sink.p ORDER BY id" \
	"p after pt-online-schema-change"
same_values "SELECT id, v FROM it_sr.a ORDER BY id" "SELECT id, v FROM sr_sink.a ORDER BY id" "a, streamed meanwhile"
assert_eq 0 "$(pg "SELECT count(*) FROM pg_tables WHERE schemaname = 'sr_sink' AND tablename LIKE '\\_%'")" \
	"helper tables never reach PostgreSQL"
assert_eq 0 "$(grep -c 'table "p" stops streaming\|online copy of table "p"' "$T/stream.bg.log")" \
	"p streamed on through pt-online-schema-change's swap, with no new copy"

# --- gh-ost's cut-over, in SQL -----------------------------------------------
my "USE it_sr; CREATE TABLE _g_gho LIKE g; ALTER TABLE _g_gho ADD COLUMN extra INT NOT NULL DEFAULT 7;
	INSERT INTO _g_gho (id, v) SELECT id, v FROM g; CREATE TABLE _g_ghc (id INT PRIMARY KEY, hint TEXT);
	UPDATE g SET v = -1 WHERE id = 1; UPDATE _g_gho SET v = -1 WHERE id = 1;
	RENAME TABLE g TO _g_del, _g_gho TO g; DROP TABLE _g_del, _g_ghc; INSERT INTO g (id, v) VALUES (5000, 5)"
wait_log "$T/stream.bg.log" 'table "g": "_g_gho" took its name (an online schema change' || fail "the gh-ost swap was not carried"
my "UPDATE it_sr.g SET extra = 8 WHERE id = 2"
settle "after the gh-ost swap"
same_values "SELECT id, v, extra FROM it_sr.g ORDER BY id" "SELECT id, v, extra FROM sr_sink.g ORDER BY id" "g after the swap"
assert_eq 0 "$(grep -c 'table "g" stops streaming\|online copy of table "g"' "$T/stream.bg.log")" "g streamed on through the swap"

# --- a swap with a table not made from the streamed one is copied again ------
my "USE it_sr; CREATE TABLE other (id INT NOT NULL PRIMARY KEY, v INT NOT NULL); INSERT INTO other VALUES (1, 100), (2, 200);
	RENAME TABLE g TO g_prev, other TO g; DROP TABLE g_prev"
ready_again g 1
settle "after an unrelated swap"
same_values "SELECT id, v FROM it_sr.g ORDER BY id" "SELECT id, v FROM sr_sink.g ORDER BY id" "g after a swap with another table"

# --- DROP TABLE, then CREATE TABLE of the name ----------------------------------
my "DROP TABLE it_sr.d"
settle "after DROP"
assert_eq dropped "$(pg "SELECT state FROM $CTL.tables WHERE source_db = 'sr' AND source_table = 'd'")" "state dropped"
assert_eq 2 "$(pg "SELECT count(*) FROM sr_sink.d")" "PostgreSQL keeps the dropped table"
my "CREATE TABLE it_sr.d (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, w INT); INSERT INTO it_sr.d VALUES (10, 10, 10)"
ready_again d 1
my "INSERT INTO it_sr.d VALUES (11, 11, NULL)"
settle "after CREATE"
same_values "SELECT id, v, coalesce(w, -1) FROM it_sr.d ORDER BY id" "SELECT id, v, coalesce(w, -1) FROM sr_sink.d ORDER BY id" \
	"d created again"

# --- RENAME to a name the allowlist does not list ---------------------------------
my "RENAME TABLE it_sr.r TO it_sr.r_old"
settle "after RENAME"
(cd "$T" && "$STREAM" --env "$T/.env" --database sr --status) > "$T/status.out" 2>&1
assert_match "$T/status.out" '^r +(ready|missing) .*renamed to "r_old" in MariaDB, which the allowlist does not list' \
	"--status says the renamed table stopped and why"
kill -TERM "$pid"; wait "$pid" || fail "stream did not stop cleanly"
assert_eq 0 "$(grep -c '\[error\]\|retrying in' "$T/stream.bg.log")" "no error, no retry"

# --- STREAM_ON_UNCARRYABLE=stop keeps the old behaviour -----------------------------
export STREAM_ON_UNCARRYABLE=stop
start_stream --database sr
pid=$STREAM_PID
wait_log "$T/stream.bg.log" 'table "a" streams from' || fail "stream did not start again"
n=$(grep -c 'copying it again online' "$T/stream.bg.log")
my "ALTER TABLE it_sr.a ADD COLUMN t TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6); INSERT INTO it_sr.b (id, v, s) VALUES (-1, -1, 'x')"
i=0
until [ "$(pg "SELECT count(*) FROM sr_sink.b WHERE id = -1")" = 1 ]; do i=$((i + 1)); [ $i -le 300 ] || fail "b stopped"; sleep 0.1; done
sleep 1
assert_contains "$T/stream.bg.log" 'is no longer streamed' "the table stops"
assert_eq "$n" "$(grep -c 'copying it again online' "$T/stream.bg.log")" "no copy with STREAM_ON_UNCARRYABLE=stop"
kill -TERM "$pid"; wait "$pid" || fail "stream did not stop cleanly"
unset STREAM_ON_UNCARRYABLE
(export STREAM_ON_UNCARRYABLE=sometimes; run_stream --database sr) && fail "a bad STREAM_ON_UNCARRYABLE was accepted"
assert_contains "$T/stream.log" 'invalid value "sometimes" for STREAM_ON_UNCARRYABLE' "the bad value is named"
echo "ok t_schema_recopy"
