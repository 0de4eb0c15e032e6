#!/bin/sh
# stream under server faults while writes go on: PostgreSQL restarted,
# MariaDB restarted, and MariaDB frozen (SIGSTOP: the TCP connection hangs
# without closing, only the read timeout notices). The daemon reconnects with
# backoff from its checkpoint; in the end the target equals the source.
. "$(dirname "$0")/lib.sh"

my "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
at_exit 'my "SET GLOBAL innodb_flush_log_at_trx_commit = 1"'
my "DROP DATABASE IF EXISTS it_sr; CREATE DATABASE it_sr; USE it_sr;
CREATE TABLE r (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(30));
CREATE TABLE e (n INT, s VARCHAR(30));
INSERT INTO r SELECT seq, 0, 'start' FROM seq_1_to_1000;"
write_env sr it_sr sr_sink
allow sr r e
run_migrate --database sr --tables all || fail "migrate failed"
start_stream --database sr

# burst FROM TO: the writer, in the background (sets writer): short
# sessions, so that it goes on after a MariaDB restart
burst() {
	(
		for round in $(seq "$1" "$2"); do
			{
				echo "USE it_sr;"
				for i in $(seq 1 20); do
					k=$(( (round * 37 + i * 11) % 1000 + 1 ))
					echo "START TRANSACTION; UPDATE r SET v = v + 1, s = 'r$round' WHERE id = $k; INSERT INTO e VALUES ($round, 'w$i'); COMMIT;"
				done
				echo "DO SLEEP(0.1);"
			} | my > /dev/null 2>&1 || sleep 0.3
		done
	) &
	writer=$!
}

# caught_up LABEL: the stream reaches the source's end position
caught_up() {
	wait $writer
	end=$(binlog_end)
	wait_ckpt sr "$end" 600 || fail "$1: the stream did not catch up with $end"
}

burst 1 20
sleep 0.7
sh scripts/sandbox.sh restart-pg "$SANDBOX_DIR" 2> "$T/restart-pg.log" || fail "PostgreSQL did not restart: $(cat "$T/restart-pg.log")"
caught_up "PostgreSQL restarted"
assert_match "$T/stream.bg.log" "lost the sink connection|could not (start|commit|stage)" "the stream saw PostgreSQL go away"

burst 21 40
sleep 0.7
sh scripts/sandbox.sh restart-mariadb "$SANDBOX_DIR" 2> "$T/restart-my.log" || fail "MariaDB did not restart: $(cat "$T/restart-my.log")"
caught_up "MariaDB restarted"
assert_match "$T/stream.bg.log" "lost the binary log stream" "the stream saw MariaDB go away"

# a hung connection: MariaDB frozen, the socket stays open; the read
# timeout (5 s, 50 missed heartbeats) must notice it
lost_before=$(grep -a -c "lost the binary log stream" "$T/stream.bg.log")
burst 41 60
sleep 0.7
mypid=$(head -n1 "$SANDBOX_DIR/mariadb/pid")
kill -STOP "$mypid"
sleep 7
kill -CONT "$mypid"
caught_up "MariaDB frozen for 7 s"
[ "$(grep -a -c "lost the binary log stream" "$T/stream.bg.log")" -gt "$lost_before" ] ||
	fail "the stream did not notice the frozen connection"

m=$(my "SELECT COUNT(*), SUM(v), GROUP_CONCAT(DISTINCT s ORDER BY s) FROM it_sr.r" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || string_agg(DISTINCT s, ',' ORDER BY s) FROM sr_sink.r")
assert_eq "$m" "$p" "table r equals its source after the restarts"
m=$(my "SELECT COUNT(*), SUM(n) FROM it_sr.e" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(n) FROM sr_sink.e")
assert_eq "$m" "$p" "table without a key: nothing lost or doubled across the restarts"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID"
assert_eq 0 "$?" "SIGTERM after the faults exits 0"
exit 0
