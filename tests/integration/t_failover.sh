#!/bin/sh
# Failover: MariaDB servers of this test's own, a primary and GTID replicas
# with log_slave_updates (replica follows primary, replica2 follows replica). stream follows the primary; it is frozen
# while more changes land (so it is behind), the primary is killed, the
# replica promoted, the connection settings changed and the daemon sent
# SIGHUP: it continues on the new server from the checkpoint's GTID
# position, with nothing lost and nothing applied twice (the per-table
# counters equal the changes made). Then replica dies while the stream is
# idle and replica2 takes over the same way. Pointed at a server without the stream's
# GTIDs, or with a checkpoint without a GTID position, stream refuses to
# switch servers and says why.
. "$(dirname "$0")/lib.sh"

# --- two servers: primary (server id 11) and replica (server id 12) --------
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
FO="$T/fo"
mkdir -p "$FO/init/data" "$FO/init/tmp"
_user=""; _auth=normal
[ "$IS_ROOT" -eq 1 ] && { _user="--user=root"; _auth=socket; }
# shellcheck disable=SC2086
mariadb-install-db --no-defaults --datadir="$FO/init/data" $_user --auth-root-authentication-method=$_auth \
	--skip-test-db --skip-name-resolve --tmpdir="$FO/init/tmp" >"$FO/install.log" 2>&1 ||
	fail "mariadb-install-db failed: $(tail -n 20 "$FO/install.log")"

# fo_start NAME SERVER_ID: a copy of the initial datadir, started on a free port
fo_start() {
	_d="$FO/$1"
	mkdir -p "$_d/binlog" "$_d/tmp"
	cp -a "$FO/init/data" "$_d/data"
	_port=$(free_port)
	# shellcheck disable=SC2086
	setsid mariadbd --no-defaults --datadir="$_d/data" --socket="$_d/sock" --port="$_port" \
		--bind-address=127.0.0.1 $_user --pid-file="$_d/pid" --log-bin="$_d/binlog/mariadb-bin" \
		--server-id="$2" --log-slave-updates=ON --gtid-strict-mode=ON --binlog-format=ROW \
		--binlog-row-image=FULL --log-error="$_d/err.log" --tmpdir="$_d/tmp" --skip-name-resolve \
		--innodb-buffer-pool-size=32M --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci </dev/null >"$_d/out.log" 2>&1 &
	_i=0
	until mariadb-admin --no-defaults -uroot -S "$_d/sock" ping >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -le 300 ] || fail "mariadbd $1 did not start: $(tail -n 20 "$_d/err.log")"
		sleep 0.1
	done
	_pid=$(cat "$_d/pid")
	at_exit "kill -9 $_pid 2>/dev/null"
	eval "${1}_PORT=$_port ${1}_PID=$_pid"
}

# on NAME SQL: SQL as root on server NAME
on() {
	mariadb --no-defaults -uroot -S "$FO/$1/sock" -N -B -e "$2"
}

fo_start primary 11
fo_start replica 12
fo_start replica2 13
# the replicas' binary logs must not look like the primary's: other file
# numbers, and a transaction of their own (domain 5) in front
on replica "SET SESSION gtid_domain_id = 5; CREATE DATABASE replica_only; FLUSH BINARY LOGS; FLUSH BINARY LOGS" ||
	fail "could not prepare the replica"
on replica2 "SET SESSION gtid_domain_id = 6; CREATE DATABASE replica2_only; FLUSH BINARY LOGS" ||
	fail "could not prepare replica2"


# the application user (the same name and password as the sandbox's), made
# on the primary before the replica connects, so the replica gets it too
on primary "CREATE USER '$MY_USER'@'127.0.0.1' IDENTIFIED BY '$MY_PASS';
	GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '$MY_USER'@'127.0.0.1'; GRANT SELECT ON \`$TEST_DB\`.* TO '$MY_USER'@'127.0.0.1'" ||
	fail "could not create the user on the primary"
# replica follows the primary, replica2 follows replica (a chain, so the
# primary's GTIDs reach replica2 through replica's own binary log)
on replica "CHANGE MASTER TO master_host = '127.0.0.1', master_port = $primary_PORT, master_user = '$MY_USER',
	master_password = '$MY_PASS', master_use_gtid = slave_pos; START SLAVE" || fail "could not start the replica"
on replica2 "CHANGE MASTER TO master_host = '127.0.0.1', master_port = $replica_PORT, master_user = '$MY_USER',
	master_password = '$MY_PASS', master_use_gtid = slave_pos; START SLAVE" || fail "could not start replica2"

# in_sync FROM TO: TO has applied everything FROM logged but FROM's own
# local domain (5 or 6, never replicated upwards)
gtids() { tr ',' '\n' | grep -v '^[56]-' | sort | tr '\n' ' '; }
in_sync() {
	_i=0
	until [ "$(on "$2" 'SELECT @@gtid_slave_pos' | gtids)" = "$(on "$1" 'SELECT @@gtid_binlog_pos' | gtids)" ]; do
		_i=$((_i + 1))
		[ "$_i" -le 300 ] || fail "$2 did not reach $(on "$1" 'SELECT @@gtid_binlog_pos') of $1 (at $(on "$2" 'SELECT @@gtid_slave_pos'))"
		sleep 0.1
	done
}

on primary "CREATE DATABASE $TEST_DB; USE $TEST_DB;
	CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, s VARCHAR(40));
	CREATE TABLE e (n INT, s VARCHAR(40));
	INSERT INTO t SELECT seq, 0, 'start' FROM seq_1_to_300;" || fail "could not fill the primary"

write_env fo "$TEST_DB" fo_sink
sed -i "s/^FO_PORT=.*/FO_PORT=$primary_PORT/" "$T/.env"
allow fo t e
pg_drop_schemas fo_sink
run_migrate --database fo --tables all || fail "migrate from the primary failed"
start_stream --database fo

# changes SERVER FROM TO: per round one transaction: a new row in t, an
# update of an old one, a row in e; every 5th round deletes a row of t
INS=0; UPD=0; DEL=0; EINS=0
changes() {
	_sql="USE $TEST_DB;"
	for _k in $(seq "$2" "$3"); do
		_sql="$_sql START TRANSACTION; INSERT INTO t VALUES ($((1000 + _k)), $_k, 'n$_k');
			UPDATE t SET v = v + 1, s = 'u$_k' WHERE id = $((_k % 300 + 1)); INSERT INTO e VALUES ($_k, '$1');"
		INS=$((INS + 1)); UPD=$((UPD + 1)); EINS=$((EINS + 1))
		if [ $((_k % 5)) -eq 0 ]; then
			_sql="$_sql DELETE FROM t WHERE id = $((1000 + _k - 2));"
			DEL=$((DEL + 1))
		fi
		_sql="$_sql COMMIT;"
	done
	on "$1" "$_sql" || fail "changes $2..$3 on the $1 failed"
}

# caught_up SERVER: the stream's checkpoint reaches that server's binlog end
caught_up() {
	_end=$(on "$1" "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }')
	wait_ckpt fo "$_end" 600 || fail "$2: the stream did not reach $_end on the $1"
}

changes primary 1 40
caught_up primary "before the failover"
assert_eq "$(on primary 'SELECT @@server_id')" \
	"$(pg "SELECT source_server_id FROM $CTL.stream_checkpoint WHERE source_db = 'fo'")" \
	"the checkpoint records the primary's server id"

# the stream is frozen (so it falls behind) while the primary takes more
# changes; the replica has them all when the primary dies
kill -STOP "$STREAM_PID"
changes primary 41 80
in_sync primary replica
kill -9 "$primary_PID"
on replica "STOP SLAVE; RESET SLAVE ALL" || fail "could not promote the replica"
sed -i "s/^FO_PORT=.*/FO_PORT=$replica_PORT/" "$T/.env"
kill -CONT "$STREAM_PID"
kill -HUP "$STREAM_PID"

# the new primary takes changes of its own
changes replica 81 120
caught_up replica "after the failover"
assert_contains "$T/stream.bg.log" "has moved from MariaDB server 11 to server 12" "the stream noticed the switch"
assert_contains "$T/stream.bg.log" "now streams from MariaDB server 12" "the stream moved its checkpoint to the new server"

m=$(on replica "SELECT COUNT(*), SUM(v), SUM(id), GROUP_CONCAT(DISTINCT s ORDER BY s) FROM $TEST_DB.t" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) || ' ' || string_agg(DISTINCT s, ',' ORDER BY s) FROM fo_sink.t")
assert_eq "$m" "$p" "table t equals the new primary's"
m=$(on replica "SELECT COUNT(*), SUM(n), GROUP_CONCAT(DISTINCT s ORDER BY s) FROM $TEST_DB.e" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(n) || ' ' || string_agg(DISTINCT s, ',' ORDER BY s) FROM fo_sink.e")
assert_eq "$m" "$p" "table e (no key): nothing lost or doubled"
assert_eq "$((INS)) $UPD $DEL" \
	"$(pg "SELECT rows_inserted || ' ' || rows_updated || ' ' || rows_deleted FROM $CTL.tables WHERE source_db = 'fo' AND source_table = 't'")" \
	"each change to t was applied exactly once"
assert_eq "$EINS" "$(pg "SELECT rows_inserted FROM $CTL.tables WHERE source_db = 'fo' AND source_table = 'e'")" \
	"each row of e was applied exactly once"
assert_eq "$(on replica 'SELECT @@server_id')" \
	"$(pg "SELECT source_server_id FROM $CTL.stream_checkpoint WHERE source_db = 'fo'")" \
	"the checkpoint now records the new primary's server id"

# a second failover while the stream is idle and caught up: its first news
# from the new server is a heartbeat, not a transaction
in_sync replica replica2
kill -9 "$replica_PID"
on replica2 "STOP SLAVE; RESET SLAVE ALL" || fail "could not promote replica2"
sed -i "s/^FO_PORT=.*/FO_PORT=$replica2_PORT/" "$T/.env"
kill -HUP "$STREAM_PID"
wait_log "$T/stream.bg.log" "now streams from MariaDB server 13" || fail "the stream did not switch to replica2 while idle"
changes replica2 121 150
caught_up replica2 "after the second failover"
m=$(on replica2 "SELECT COUNT(*), SUM(v), SUM(id), GROUP_CONCAT(DISTINCT s ORDER BY s) FROM $TEST_DB.t" | tr '\t' ' ')
p=$(pg "SELECT count(*) || ' ' || sum(v) || ' ' || sum(id) || ' ' || string_agg(DISTINCT s, ',' ORDER BY s) FROM fo_sink.t")
assert_eq "$m" "$p" "table t equals replica2's after the second failover"
assert_eq "$((INS)) $UPD $DEL $EINS" \
	"$(pg "SELECT string_agg(rows_inserted || ' ' || rows_updated || ' ' || rows_deleted, ' ' ORDER BY source_table DESC) FROM $CTL.tables WHERE source_db = 'fo'" | awk '{ print $1, $2, $3, $4 }')" \
	"each change was applied exactly once across both failovers"
kill -TERM "$STREAM_PID"
wait "$STREAM_PID"
assert_eq 0 "$?" "SIGTERM after the failovers exits 0"
run_stream --database fo --status
assert_contains "$T/stream.log" "on MariaDB server 13" "--status names the server of the checkpoint"

# a server that never logged the stream's GTIDs (the sandbox's own): refused
kill -9 "$replica2_PID"
sed -i "s/^FO_PORT=.*/FO_PORT=$MY_PORT/" "$T/.env"
run_stream --database fo
assert_eq 1 "$?" "switching to a server without the GTIDs exits 1"
assert_contains "$T/stream.log" "refusing to switch servers" "the refusal is logged"
assert_match "$T/stream.log" "has not logged GTID 0-1[123]-[0-9]+" "the refusal names the missing GTID"

# a checkpoint without a GTID position: refused, saying so
pg "UPDATE $CTL.stream_checkpoint SET gtid = NULL WHERE source_db = 'fo'"
run_stream --database fo
assert_eq 1 "$?" "switching without a GTID position exits 1"
assert_contains "$T/stream.log" "the checkpoint has no GTID position; refusing to switch servers" \
	"the refusal without GTID says why"
pg_drop_schemas fo_sink "$CTL"
exit 0
