#!/bin/sh
# A PostgreSQL outage exactly while a schema change is being carried (issue
# 12): an ALTER TABLE ... ADD COLUMN of a streamed table is carried to
# PostgreSQL from the binlog decoder's table-map callback (the next row
# event of the table). A session holding an ACCESS EXCLUSIVE lock on the
# target keeps the stream's ALTER waiting; PostgreSQL is stopped then (the
# sandbox's stop-pg, which ends every session) and started again a few
# seconds later. The stream must treat that like any outage: stay up, log
# its retries, carry the change once PostgreSQL is back, and end with the
# target equal to the source, value by value; never call it a corrupt binlog.
#
# The sandbox is shared by the whole run: PostgreSQL is always started again
# at exit.
. "$(dirname "$0")/lib.sh"

SB="$SANDBOX_DIR"
at_exit "sh scripts/sandbox.sh start-pg '$SB' >/dev/null 2>&1 || echo 'FAIL: PostgreSQL of the sandbox did not start again' >&2"

DB="$TEST_DB"
my_fresh_db "$DB"
my "USE \`$DB\`; CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(20));
INSERT INTO t SELECT seq, seq, CONCAT('s', seq) FROM seq_1_to_200" || fail "source setup failed"
write_env so "$DB" so_sink
allow so t
pg_drop_schemas so_sink
run_migrate --database so --tables all || fail "migrate failed"
start_stream --database so
my "UPDATE \`$DB\`.t SET v = v + 1000 WHERE id <= 10"
wait_ckpt so "$(binlog_end)" || fail "the stream did not keep up before the schema change"

# same_as_source WHAT: every row of the target equals MariaDB's, value by
# value (extra included when the source has it)
same_as_source() {
	if [ "$(my "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = '$DB' AND table_name = 't' AND column_name = 'extra'")" = 1 ]; then
		mcols="id, v, COALESCE(s, '<null>'), COALESCE(extra, '<null>')"
		pcols="id, v, COALESCE(s, '<null>'), COALESCE(extra, '<null>')"
	else
		mcols="id, v, COALESCE(s, '<null>')"
		pcols="id, v, COALESCE(s, '<null>')"
	fi
	my "SELECT CONCAT_WS('|', $mcols) FROM \`$DB\`.t ORDER BY id" >"$T/my.rows" || fail "$1: reading MariaDB failed"
	pg "SELECT concat_ws('|', $pcols) FROM so_sink.t ORDER BY id" >"$T/pg.rows" || fail "$1: reading PostgreSQL failed"
	if ! cmp -s "$T/my.rows" "$T/pg.rows"; then
		diff "$T/my.rows" "$T/pg.rows" | head -n 20 >&2
		fail "$1: the target differs from the source (diff above: < MariaDB, > PostgreSQL)"
	fi
}
same_as_source "before the schema change"

# --- a session holds the target table ------------------------------------------
pg_admin "BEGIN; LOCK TABLE so_sink.t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT" >"$T/locker.out" 2>&1 &
locker=$!
at_exit "kill $locker 2>/dev/null"
i=0
until [ "$(pg "SELECT count(*) FROM pg_locks WHERE relation = 'so_sink.t'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "the lock on so_sink.t was not taken: $(cat "$T/locker.out")"
	sleep 0.1
done

# --- the schema change, and rows that use the new column right after it ----------
# (in one session: the next table map follows the ALTER at once, so the stream
# carries the change from the decoder's table-map callback, not when idle)
my "USE \`$DB\`;
ALTER TABLE t ADD COLUMN extra VARCHAR(30) NULL;
INSERT INTO t (id, v, s, extra) VALUES (1001, 1, 'new', 'x1001'), (1002, 2, NULL, 'x1002');
UPDATE t SET extra = CONCAT('u', id) WHERE id <= 5;
DELETE FROM t WHERE id = 6" || fail "the schema change in MariaDB failed"

# the stream's session waits for the lock, in the ALTER that carries the change
i=0
until [ "$(pg "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
               WHERE a.application_name LIKE 'stream[%' AND NOT l.granted AND l.relation = 'so_sink.t'::regclass")" -ge 1 ]; do
	i=$((i + 1))
	kill -0 "$STREAM_PID" 2>/dev/null || fail "the stream exited before it reached the schema change"
	[ $i -le 300 ] || fail "the stream's session did not wait for the lock on so_sink.t within 30 s"
	sleep 0.1
done
q=$(pg "SELECT query FROM pg_stat_activity WHERE application_name LIKE 'stream[%' AND wait_event_type = 'Lock'")
echo "# the stream waits in: $q" >&2
case "$q" in
*"ALTER TABLE"*"ADD COLUMN"*) ;;
*) fail "the stream waits for the lock in something else than the schema change: $q" ;;
esac

# --- PostgreSQL goes away right then ---------------------------------------------
n0=$(wc -l <"$T/stream.bg.log" | tr -d ' ')
sh scripts/sandbox.sh stop-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not stop PostgreSQL: $(cat "$T/pg.log")"
wait "$locker" 2>/dev/null
sleep 4
alive=1
kill -0 "$STREAM_PID" 2>/dev/null || alive=0
sh scripts/sandbox.sh start-pg "$SB" >"$T/pg.log" 2>&1 || fail "could not start PostgreSQL again: $(cat "$T/pg.log")"
tail -n +"$((n0 + 1))" "$T/stream.bg.log" >"$T/outage.log"
echo "# the stream's log during the outage:" >&2
head -n 12 "$T/outage.log" | sed 's/^/#   /' >&2
if [ "$alive" = 0 ]; then
	rc=0
	wait "$STREAM_PID" || rc=$?
	fail "the stream exited (status $rc) when PostgreSQL went away while it carried a schema change"
fi
assert_not_contains "$T/stream.bg.log" "corrupt" "a PostgreSQL outage is not a corrupt binary log"
wait_log "$T/stream.bg.log" "retrying in" 100 || fail "the stream logged no retry"

# --- back: the change carried, the rows equal ------------------------------------
my "INSERT INTO \`$DB\`.t (id, v, s, extra) VALUES (1003, 3, 'after', 'x1003'); UPDATE \`$DB\`.t SET extra = 'later' WHERE id = 7"
end=$(binlog_end)
wait_ckpt so "$end" 600 || fail "the stream did not catch up with $end within 60 s of PostgreSQL's return"
kill -0 "$STREAM_PID" 2>/dev/null || fail "the stream is not running after the outage"
assert_eq 1 "$(pg "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'so_sink' AND table_name = 't' AND column_name = 'extra'")" \
	"the target has the new column"
same_as_source "after the outage"
assert_eq "u1|later|x1001|x1002" "$(pg "SELECT string_agg(extra, '|' ORDER BY id) FROM so_sink.t WHERE id IN (1001, 1002, 1, 7)")" \
	"the new column's values written around the outage"
assert_eq 0 "$(pg "SELECT count(*) FROM so_sink.t WHERE id = 6")" "the delete after the change"
assert_eq ready "$(pg "SELECT state FROM $CTL.tables WHERE source_db = 'so' AND source_table = 't'")" "the table is still streamed"
assert_not_contains "$T/stream.bg.log" "corrupt" "a PostgreSQL outage is not a corrupt binary log"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" || fail "stream did not stop cleanly after SIGTERM"
exit 0
