#!/bin/sh
# Benchmark of bin/stream's catch-up against a native MariaDB replica (single
# SQL thread) on the shared trading dataset and backlog (../shared/bench), in
# one run on one sandbox, and against PostgreSQL applying the same backlog
# itself (bench/backlog_pg.sql, PL/pgSQL on a copy of the migrated table: the
# floor the sink's own executor sets), then (KAFKA=1) its rate publishing the
# same backlog to Kafka (librdkafka's mock cluster, bin/kafka-mock) and
# (KAFKA_CONSUME=1) its rate applying the published topic from Kafka into a
# second copy of the migrated tables (stream --from kafka), then (LAG=1) its
# apply lag and memory under a steady write load. See bench/README.md.
#
#   sh bench/stream_bench.sh [ROWS]         (default 200000 deals, the reference size)
#
# Environment:
#   LAG=0               skip the steady-load phase (lag and memory)
#   LAG_SECS=N          length of the steady load (default 60)
#   LAG_WRITERS=N       writer sessions of the steady load (default 2)
#   LAG_PAUSE_MS=N      pause of each writer after each transaction (default 10)
#   LAG_SAMPLE=S        sampling interval of the lag, seconds (default 0.1)
#   REPLICA_FLUSH=N     the replica's innodb_flush_log_at_trx_commit (default 1, MariaDB's default)
#   PROFILE=1           sample what stream's PostgreSQL session does during the catch-up
#   NATIVE=0            skip the PostgreSQL-native contenders (bench/backlog_pg.sql
#                       run by PostgreSQL on copies of the migrated t_deal, one
#                       COMMIT per 400 source transactions, then one per transaction)
#   KAFKA=0|1           the Kafka contender: stream --to kafka --stop-at END into
#                       bin/kafka-mock (default: 1 when bin/kafka-mock is built,
#                       else skipped with a note; KAFKA=1 insists on it)
#   KAFKA_PARTITIONS=N  partitions of the pre-created topic bench.xchange_trading.T_DEAL
#                       (default 64; the mock keeps about 5 MiB per partition and
#                       drops the oldest data, which does not affect the producer's
#                       acknowledgements: those are what is timed)
#   KAFKA_BROKERS=N     brokers of the mock cluster (default 3)
#   KAFKA_PROPERTIES=.. librdkafka producer properties for stream (its KAFKA_PROPERTIES,
#                       e.g. linger.ms=50;batch.size=1000000; default none)
#   KAFKA_CONSUME=0|1   the Kafka -> PostgreSQL contender after the publish contender
#                       (default 1): stream --database trading2 --from kafka applies
#                       the published topic into schema trading2 (migrated before the
#                       backlog, like trading), timed until its kafka_offsets reach the
#                       topic's end; skipped with a note when the Kafka contender does
#                       not run, bin/kafka-dump is not built (the topic's end is not
#                       known) or the mock has dropped events; 0 skips it (and the
#                       second migrate)
#   RELAY=0|1           stream's catch-up with its relay log (STREAM_RELAY=on) as well as
#                       without (default 1): into schema trading3, migrated before the
#                       backlog like trading, right after the run without the relay
#   NO_STREAM=1         measure the replica (and the native contenders) only (when bin/stream is not built)
#   STREAM=PATH         binary to measure (default bin/stream; `make` first)
#   MIGRATE=PATH        binary that makes the initial copy (default bin/migrate)
#   SHARED_BENCH=DIR    the shared inputs (default ../shared/bench of the repo)
#   KEEP_WORKDIR=1      keep the temporary directory (servers are stopped anyway)
#
# Output: printed and written to bench/out/stream-<stamp>/ (summary.txt, the
# full log and the contenders' logs with passwords masked).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
ROWS=${1:-200000}
LAG=${LAG:-1}
LAG_SECS=${LAG_SECS:-60}
LAG_WRITERS=${LAG_WRITERS:-2}
LAG_PAUSE_MS=${LAG_PAUSE_MS:-10}
LAG_SAMPLE=${LAG_SAMPLE:-0.1}
NO_STREAM=${NO_STREAM:-0}
RELAY=${RELAY:-1}
NATIVE=${NATIVE:-1}
PROFILE=${PROFILE:-0}
REPLICA_FLUSH=${REPLICA_FLUSH:-1}
KAFKA=${KAFKA:-auto}
KAFKA_PARTITIONS=${KAFKA_PARTITIONS:-64}
KAFKA_BROKERS=${KAFKA_BROKERS:-3}
KAFKA_CONSUME=${KAFKA_CONSUME:-1}
K_PROPS=${KAFKA_PROPERTIES:-}     # stream's own setting, passed on through its .env
SHARED=${SHARED_BENCH:-$REPO/../shared/bench}
CTL=sync_control        # the control schema (CONTROL_SCHEMA of the .env below)
PG_SCHEMA=trading       # where the tables land (SINK_SCHEMA of the .env below)
REPLICA_SERVER_ID=2     # the source is 1; stream derives a high id from the database name
NV_BATCH=400            # source transactions per COMMIT of the first native contender (about one stream batch of 20000 rows)
K_PREFIX=bench          # KAFKA_TOPIC_PREFIX of the Kafka contender (no publish_checkpoint row for it yet)
K_TOPIC=$K_PREFIX.xchange_trading.T_DEAL   # PREFIX.SCHEMA.TABLE, the only table backlog.sql changes
K_TARGET=150000         # the issue's target, events/s
PG_SCHEMA2=trading2     # where the Kafka consumer applies (TRADING2_SINK_SCHEMA of the .env below)
KC_TARGET=0.8           # the issue's target: Kafka -> PostgreSQL within 25 % of binlog -> PostgreSQL
KC_TIMEOUT=900          # seconds the consumer may take to reach the topic's end

die() { echo "stream_bench: $*" >&2; exit 1; }

isnum() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }
isnum "$ROWS" || die "ROWS must be a number (got '$ROWS')"
[ "$ROWS" -ge 1000 ] || die "ROWS must be at least 1000"
isnum "$LAG_SECS" || die "LAG_SECS must be a number (got '$LAG_SECS')"
{ isnum "$LAG_WRITERS" && [ "$LAG_WRITERS" -ge 1 ]; } || die "LAG_WRITERS must be a number >= 1 (got '$LAG_WRITERS')"
isnum "$LAG_PAUSE_MS" || die "LAG_PAUSE_MS must be a number (got '$LAG_PAUSE_MS')"
case "$LAG_SAMPLE" in '' | *[!0-9.]*) die "LAG_SAMPLE must be a number of seconds (got '$LAG_SAMPLE')" ;; esac
case "$KAFKA" in 0 | 1 | auto) ;; *) die "KAFKA must be 0 or 1 (got '$KAFKA')" ;; esac
case "$KAFKA_CONSUME" in 0 | 1) ;; *) die "KAFKA_CONSUME must be 0 or 1 (got '$KAFKA_CONSUME')" ;; esac
{ isnum "$KAFKA_PARTITIONS" && [ "$KAFKA_PARTITIONS" -ge 1 ]; } || die "KAFKA_PARTITIONS must be a number >= 1 (got '$KAFKA_PARTITIONS')"
{ isnum "$KAFKA_BROKERS" && [ "$KAFKA_BROKERS" -ge 1 ] && [ "$KAFKA_BROKERS" -le 16 ]; } || die "KAFKA_BROKERS must be a number from 1 to 16 (got '$KAFKA_BROKERS')"
for f in gen_trading.sql gen_trading_rows.sh backlog.sql; do
	[ -r "$SHARED/$f" ] || die "shared benchmark input $SHARED/$f not found (set SHARED_BENCH)"
done
SHARED=$(cd "$SHARED" && pwd -P)
# the n of backlog.sql's CALL make_backlog(n), which the native contenders repeat
BL_CALLS=$(sed -n 's/^CALL make_backlog(\([0-9][0-9]*\)).*/\1/p' "$SHARED/backlog.sql" | head -n 1)
if [ "$NATIVE" != 0 ]; then
	[ -r "$REPO/bench/backlog_pg.sql" ] || die "$REPO/bench/backlog_pg.sql not found (or NATIVE=0)"
	isnum "$BL_CALLS" || die "no 'CALL make_backlog(N);' line in $SHARED/backlog.sql (or NATIVE=0)"
fi
SRC_MIGRATE=${MIGRATE:-$REPO/bin/migrate}
SRC_STREAM=${STREAM:-$REPO/bin/stream}
[ -x "$SRC_MIGRATE" ] || die "$SRC_MIGRATE not built (run make)"
if [ "$NO_STREAM" != 1 ]; then
	[ -x "$SRC_STREAM" ] || die "$SRC_STREAM not built (run make, or NO_STREAM=1 for the replica alone)"
fi
# The Kafka contender: KAFKA_SKIP says why it does not run.
SRC_KMOCK=$REPO/bin/kafka-mock
SRC_KDUMP=$REPO/bin/kafka-dump
KAFKA_SKIP=""
if [ "$KAFKA" = 0 ]; then
	KAFKA_SKIP="KAFKA=0"
elif [ "$NO_STREAM" = 1 ]; then
	KAFKA_SKIP="NO_STREAM=1"
elif [ ! -x "$SRC_KMOCK" ]; then
	KAFKA_SKIP="$SRC_KMOCK not built (make bin/kafka-mock bin/kafka-dump)"
elif ! "$SRC_STREAM" --help 2>&1 | grep -q -- '--to kafka'; then
	KAFKA_SKIP="$SRC_STREAM has no --to kafka"
fi
if [ -n "$KAFKA_SKIP" ]; then
	[ "$KAFKA" = 1 ] && die "KAFKA=1, but $KAFKA_SKIP"
	KAFKA=0
else
	KAFKA=1
fi
# The Kafka -> PostgreSQL contender: KC_SKIP says why it does not run (it
# can still be skipped later, when the publish contender failed or the mock
# dropped events).
KC_SKIP=""
if [ "$KAFKA_CONSUME" = 0 ]; then
	KC_SKIP="KAFKA_CONSUME=0"
elif [ "$KAFKA" = 0 ]; then
	KC_SKIP="no publish contender: $KAFKA_SKIP"
elif ! "$SRC_STREAM" --help 2>&1 | grep -q -- '--from kafka'; then
	KC_SKIP="$SRC_STREAM has no --from kafka"
elif [ ! -x "$SRC_KDUMP" ]; then
	KC_SKIP="$SRC_KDUMP not built, so the topic's end is not known (make bin/kafka-dump)"
fi
KAFKA_CONSUME=0
[ -n "$KC_SKIP" ] || KAFKA_CONSUME=1
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
for c in psql mariadb mariadb-dump mariadb-install-db mariadbd mariadb-admin bc awk openssl ps; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found"
done

STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/out/stream-$STAMP"
mkdir -p "$OUT"
W=$(mktemp -d /tmp/sbench.XXXXXX)
chmod 755 "$W"
SB=""               # the sandbox directory, once started
RD="$W/replica"     # the replica's directory
REPLICA_PID=""
STREAM_PID=""
MOCK_PID=""         # kafka-mock, while it runs
KC_PID=""           # stream --from kafka, while it runs (the child of KC_TIME_PID)
KC_TIME_PID=""      # /usr/bin/time running it
BG_PIDS=""          # writers and samplers
FAILS=0
LOG="$OUT/bench.log"
SUMMARY="$OUT/summary.txt"
: >"$LOG"
: >"$SUMMARY"

# pid_is PID COMM: PID is alive and its command name is COMM
pid_is() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# wait_gone PID SECONDS: true when PID has exited within SECONDS
wait_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		[ "$_i" -ge $(($2 * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

replica_stop() {
	[ -n "$REPLICA_PID" ] || return 0
	if pid_is "$REPLICA_PID" mariadbd; then
		kill -TERM "$REPLICA_PID" 2>/dev/null || true
		if ! wait_gone "$REPLICA_PID" 120; then
			echo "stream_bench: replica mariadbd $REPLICA_PID did not stop in 120 s, killing it" >&2
			kill -KILL "$REPLICA_PID" 2>/dev/null || true
			wait_gone "$REPLICA_PID" 10 || true
		fi
	fi
	REPLICA_PID=""
}

# mock_stop: SIGTERM to kafka-mock (it exits 0), SIGKILL after 30 s
mock_stop() {
	[ -n "$MOCK_PID" ] || return 0
	if pid_is "$MOCK_PID" kafka-mock; then
		kill -TERM "$MOCK_PID" 2>/dev/null || true
		if ! wait_gone "$MOCK_PID" 30; then
			echo "stream_bench: kafka-mock $MOCK_PID did not stop in 30 s, killing it" >&2
			kill -KILL "$MOCK_PID" 2>/dev/null || true
			wait_gone "$MOCK_PID" 10 || true
		fi
	fi
	MOCK_PID=""
}

cleanup() {
	st=$?
	set +e
	[ -d "$W" ] && : >"$W/stop_sampling" && : >"$W/stop_profile"
	if [ -n "$STREAM_PID" ] && pid_is "$STREAM_PID" stream; then
		kill -TERM "$STREAM_PID" 2>/dev/null
		wait_gone "$STREAM_PID" 30 || kill -KILL "$STREAM_PID" 2>/dev/null
	fi
	if [ -n "$KC_PID" ] && pid_is "$KC_PID" stream; then
		kill -TERM "$KC_PID" 2>/dev/null
		wait_gone "$KC_PID" 30 || kill -KILL "$KC_PID" 2>/dev/null
	fi
	if [ -n "$KC_TIME_PID" ] && pid_is "$KC_TIME_PID" time; then
		wait_gone "$KC_TIME_PID" 5 || kill -TERM "$KC_TIME_PID" 2>/dev/null
	fi
	for p in $BG_PIDS; do
		kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
	done
	mock_stop
	replica_stop
	if [ -n "$SB" ]; then
		sh "$REPO/scripts/sandbox.sh" stop "$SB" >>"$LOG" 2>&1 ||
			echo "stream_bench: could not stop the sandbox in $SB" >&2
	fi
	if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
		echo "stream_bench: work dir kept: $W (holds passwords)" >&2
	else
		rm -rf "$W"
	fi
	[ "$st" -eq 0 ] || echo "stream_bench: FAILED (status $st); log: $LOG" >&2
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The measured binaries are private copies: a rebuild during the run changes nothing.
cp "$SRC_MIGRATE" "$W/migrate"
MIGRATE_BIN="$W/migrate"
STREAM_BIN=""
if [ "$NO_STREAM" != 1 ]; then
	cp "$SRC_STREAM" "$W/stream"
	STREAM_BIN="$W/stream"
fi
[ "$NATIVE" = 0 ] || cp "$REPO/bench/backlog_pg.sql" "$W/backlog_pg.sql"
KMOCK_BIN="" KDUMP_BIN=""
if [ "$KAFKA" = 1 ]; then
	cp "$SRC_KMOCK" "$W/kafka-mock"
	KMOCK_BIN="$W/kafka-mock"
	if [ -x "$SRC_KDUMP" ]; then
		cp "$SRC_KDUMP" "$W/kafka-dump"
		KDUMP_BIN="$W/kafka-dump"
	fi
fi

# Variables of the tools come from the bench's .env only (the environment wins).
unset SINK_DB_URL SINK_SCHEMA CONTROL_SCHEMA TABLES_DIR IDENTIFIER_CASE LOG_LEVEL \
	TRADING_HOST TRADING_PORT TRADING_USER TRADING_PASS TRADING_SCHEMA \
	TRADING_SINK_SCHEMA TRADING_TLS TRADING_SERVER_ID KAFKA_BOOTSTRAP_SERVERS KAFKA_TOPIC_PREFIX \
	TRADING2_HOST TRADING2_PORT TRADING2_USER TRADING2_PASS TRADING2_SCHEMA \
	TRADING2_SINK_SCHEMA TRADING2_TLS TRADING2_SERVER_ID \
	TRADING3_HOST TRADING3_PORT TRADING3_USER TRADING3_PASS TRADING3_SCHEMA \
	TRADING3_SINK_SCHEMA TRADING3_TLS TRADING3_SERVER_ID STREAM_RELAY STREAM_RELAY_DIR STREAM_RELAY_MAX_SIZE \
	KAFKA_FORMAT KAFKA_SCHEMAS KAFKA_PROPERTIES KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD \
	KAFKA_SASL_MECHANISM KAFKA_SECURITY_PROTOCOL KAFKA_SSL_CA_LOCATION \
	SINK_TLS SINK_TLS_CA PGSSLMODE KAFKA_TLS KAFKA_TLS_CA \
	KAFKA_GROUP_ID KAFKA_DEAD_LETTER 2>/dev/null || true

# --- output ------------------------------------------------------------------

# Masks the passwords (hex strings) in stdin.
mask() {
	sed -e "s/${MY_PASS:-@@none@@}/***/g" -e "s/${PG_PASS:-@@none@@}/***/g" \
		-e "s/${REPL_PASS:-@@none@@}/***/g"
}
say() { echo "$*" | tee -a "$LOG"; }
note() { echo "$*" | tee -a "$LOG" >>"$SUMMARY"; }   # to summary, log and stdout
keep_log() { mask <"$1" >"$OUT/$2"; }
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc | awk '{ printf "%.2f", $1 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s ~ /^[0-9.]+$/ && s + 0 > 0) printf "%.0f", n / s; else printf "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
mib() { awk -v k="$1" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%.0f", k / 1024; else print "-" }'; }
loadavg() {
	n=0
	for pid in $(pgrep -x mariadbd) $(pgrep -x postgres); do
		c=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
		echo "$c" | grep -qE -- '--datadir|-D ' || continue
		echo "$c" | grep -qF -- "$W" || n=$((n + 1))
	done
	echo "$(cut -d' ' -f1-3 /proc/loadavg), foreign servers $n"
}

# cpu_of PID: CPU seconds used so far by PID (all its threads), by its
# children it has reaped and by its live children (PostgreSQL's backends,
# for the postmaster)
HZ=$(getconf CLK_TCK)
cpu_of() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" -v hz="$HZ" '
		{ pid = $1; sub(/^.*\) /, "") }
		pid == p { s += $12 + $13 + $14 + $15 } $2 == p { s += $12 + $13 }
		END { printf "%.1f", s / hz }'
}
cpu_diff() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- servers -------------------------------------------------------------------

my_root() { $MY_ROOT -N -B "$@"; }
rep_root() { mariadb --no-defaults -uroot -S "$RD/sock" -N -B "$@"; }
pg_super() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -F'|' -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"; }

# master_pos: the source's binlog end as FILE:POS
master_pos() { my_root -e "SHOW MASTER STATUS" | awk -F'\t' 'NR == 1 { print $1 ":" $2 }'; }

# handler_rows: Handler_write + Handler_update + Handler_delete of the source
# (global counters, a cross-check of the binlog count)
handler_rows() {
	my_root -e "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
		WHERE VARIABLE_NAME IN ('HANDLER_WRITE', 'HANDLER_UPDATE', 'HANDLER_DELETE')"
}

# binlog_rows FROM TO: "inserted updated deleted" rows in the source's binlog
# between two FILE:POS (what a replica of the source applies)
binlog_rows() {
	files=$(my_root -e "SHOW BINARY LOGS" | awk -F'\t' -v a="${1%:*}" -v b="${2%:*}" '$1 >= a && $1 <= b { printf "%s/%s ", d, $1 }' d="$SB/mariadb/binlog")
	# shellcheck disable=SC2086
	mariadb-binlog --no-defaults --base64-output=decode-rows -v --start-position="${1##*:}" --stop-position="${2##*:}" $files |
		awk '/^### INSERT INTO / { i++ } /^### UPDATE / { u++ } /^### DELETE FROM / { d++ } END { print i + 0, u + 0, d + 0 }'
}

# slave_field NAME: a field of the replica's SHOW SLAVE STATUS
slave_field() {
	mariadb --no-defaults -uroot -S "$RD/sock" -E -e "SHOW SLAVE STATUS" | sed -n "s/^ *$1: //p"
}

# flush_dirty CMD...: makes a MariaDB server write out its dirty pages (up to
# 120 s), so that no contender pays for what came before.
flush_dirty() {
	pct=$("$@" -e "SELECT @@innodb_max_dirty_pages_pct")
	"$@" -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
	_i=0
	while :; do
		d=$("$@" -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")
		[ "${d:-0}" -le 50 ] && break
		[ "$_i" -ge 1200 ] && { say "  (still $d dirty pages after 120 s)"; break; }
		sleep 0.1
		_i=$((_i + 1))
	done
	"$@" -e "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
}

# settle: PostgreSQL checkpoint, MariaDB servers' dirty pages written, sync.
settle() {
	pg_super -d postgres -c CHECKPOINT >/dev/null
	flush_dirty my_root
	[ -n "$REPLICA_PID" ] && flush_dirty rep_root
	sync
	sleep 2
}

port_in_use() {
	_hex=$(printf '%04X' "$1")
	for _f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$_f" ] || continue
		awk -v p=":$_hex" 'NR > 1 && substr($2, length($2) - 4) == p && $4 != "06" { f = 1 } END { exit !f }' "$_f" && return 0
	done
	return 1
}

free_port() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	_p=$((20000 + _r % 40000))
	while port_in_use "$_p" || [ "$_p" = "$MY_PORT" ] || [ "$_p" = "$PG_PORT" ]; do
		_p=$((_p + 1))
		[ "$_p" -gt 60999 ] && _p=20000
	done
	echo "$_p"
}

# replica_start: a second mariadbd from the same binaries in $RD: server id 2,
# one SQL thread (slave_parallel_threads=0), the default durability
# (innodb_flush_log_at_trx_commit=1, no binlog of its own), the same buffer
# pool and redo log size as the sandbox's source.
replica_start() {
	mkdir -p "$RD/data" "$RD/tmp"
	mariadb-install-db --no-defaults --datadir="$RD/data" --user=root \
		--auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
		--innodb-log-file-size=256M --innodb-buffer-pool-size=256M --tmpdir="$RD/tmp" \
		>"$RD/install.log" 2>&1 || { cat "$RD/install.log" >>"$LOG"; die "mariadb-install-db of the replica failed (see $LOG)"; }
	try=0
	while :; do
		RPORT=$(free_port)
		: >"$RD/err.log"
		setsid mariadbd --no-defaults --datadir="$RD/data" --socket="$RD/sock" --port="$RPORT" \
			--bind-address=127.0.0.1 --user=root --pid-file="$RD/pid" --log-error="$RD/err.log" \
			--tmpdir="$RD/tmp" --server-id="$REPLICA_SERVER_ID" --slave-parallel-threads=0 \
			--relay-log="$RD/relay" --skip-slave-start \
			--innodb-buffer-pool-size=256M --innodb-log-file-size=256M --skip-name-resolve \
			--innodb-flush-log-at-trx-commit="$REPLICA_FLUSH" \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
			--max-allowed-packet=256M </dev/null >>"$RD/stdout.log" 2>&1 &
		REPLICA_PID=$!
		i=0
		up=0
		while [ "$i" -lt 600 ]; do
			if mariadb-admin --no-defaults -uroot -S "$RD/sock" --connect-timeout=2 ping >/dev/null 2>&1; then
				up=1
				break
			fi
			kill -0 "$REPLICA_PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		[ "$up" = 1 ] && break
		if grep -qE 'Address already in use|Bind on TCP/IP port' "$RD/err.log" && [ "$try" -lt 5 ]; then
			replica_stop
			try=$((try + 1))
			continue
		fi
		tail -n 30 "$RD/err.log" >>"$LOG"
		die "the replica mariadbd did not come up (see $LOG)"
	done
	pid_is "$REPLICA_PID" mariadbd || die "the replica's pid $REPLICA_PID is not mariadbd"
	say "replica: mariadbd pid $REPLICA_PID on 127.0.0.1:$RPORT, server_id $(rep_root -e 'SELECT @@server_id'), slave_parallel_threads $(rep_root -e 'SELECT @@slave_parallel_threads'), innodb_flush_log_at_trx_commit $(rep_root -e 'SELECT @@innodb_flush_log_at_trx_commit'), log_bin $(rep_root -e 'SELECT @@log_bin')"
}

# --- checks --------------------------------------------------------------------

# The fingerprint of T_DEAL (and the row counts of the two other tables) on a
# MariaDB server; updated_at as seconds since the epoch.
MY_FP_SQL="SELECT COUNT(*), SUM(qty), SUM(price), COUNT(amount), SUM(amount), COUNT(notes), SUM(LENGTH(notes)),
	COUNT(attrs), SUM(active + 0), SUM(status = 'OPEN'), SUM(status = 'CLOSED'), SUM(id), SUM(UNIX_TIMESTAMP(updated_at))
	FROM T_DEAL; SELECT COUNT(*) FROM T_CARRIER; SELECT COUNT(*) FROM T_EVENT_LOG;"
my_fp() { "$@" xchange_trading -e "$MY_FP_SQL" | tr '\t\n' '| ' | sed 's/ $//'; }
PG_FP_DEAL="COUNT(*), SUM(qty), SUM(price), COUNT(amount), SUM(amount), COUNT(notes), SUM(octet_length(notes)),
	COUNT(attrs), SUM(CASE WHEN active::text IN ('1', 'true') THEN 1 ELSE 0 END),
	SUM(CASE WHEN status::text = 'OPEN' THEN 1 ELSE 0 END), SUM(CASE WHEN status::text = 'CLOSED' THEN 1 ELSE 0 END),
	SUM(id)"
pg_fp() {
	pg_super -d "$PG_DB" -c "SET search_path = ${1:-$PG_SCHEMA}" -c "
		SELECT $PG_FP_DEAL, SUM(extract(epoch FROM updated_at)::bigint) FROM t_deal;
		SELECT COUNT(*) FROM t_carrier; SELECT COUNT(*) FROM t_event_log;" 2>&1 | tr '\n' ' ' | sed 's/ $//'
}
# native_fp SCHEMA: the fingerprint of SCHEMA.t_deal without updated_at (the
# native contenders write now() where the source wrote its own clock)
native_fp() { pg_super -d "$PG_DB" -c "SELECT $PG_FP_DEAL FROM $1.t_deal" 2>&1 | tr '\n' ' ' | sed 's/ $//'; }
# fp_no_time FP: a source fingerprint (my_fp) cut to native_fp's fields
fp_no_time() { echo "${1%% *}" | cut -d'|' -f1-12; }
FP_FIELDS="count|sum(qty)|sum(price)|count(amount)|sum(amount)|count(notes)|sum(length(notes))|count(attrs)|active|open|closed|sum(id)|sum(epoch(updated_at)) carriers log"

# --- machine facts -----------------------------------------------------------------

note "# stream benchmark $STAMP: $ROWS deals, then ../shared/bench/backlog.sql"
note "host: nproc=$(nproc), kernel $(uname -r), load at start $(loadavg)"
free -g | sed 's/^/  /' | tee -a "$LOG" >>"$SUMMARY"
note "repo: $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown); stream $SRC_STREAM$([ "$NO_STREAM" = 1 ] && echo ' (NOT MEASURED: NO_STREAM=1)' || echo " (sha256 $(sha256sum "$STREAM_BIN" | cut -c1-12), built $(date -r "$SRC_STREAM" +%Y-%m-%dT%H:%M:%S))"); migrate $SRC_MIGRATE"

# --- 1. sandbox, source, migrate -------------------------------------------------------

SB="$W/sb"
sh "$REPO/scripts/sandbox.sh" start "$SB" >>"$LOG" 2>&1 || die "sandbox start failed (see $LOG)"
# shellcheck disable=SC1090,SC1091
. "$SB/sandbox.env"
# the sandbox's migrator reads only the databases granted to it
my_root -e "GRANT SELECT ON xchange_trading.* TO '$MY_USER'@'127.0.0.1'" || die "GRANT SELECT failed"
note "MariaDB $(my_root -e 'SELECT VERSION()') (source: binlog ROW/FULL, innodb_flush_log_at_trx_commit $(my_root -e 'SELECT @@innodb_flush_log_at_trx_commit'), sync_binlog $(my_root -e 'SELECT @@sync_binlog')), PostgreSQL $(pg_super -d postgres -c 'SHOW server_version') (wal_level $(pg_super -d postgres -c 'SHOW wal_level'), synchronous_commit $(pg_super -d postgres -c 'SHOW synchronous_commit'))"
WD="$SB/work"
mkdir -p "$WD/tables.d"
printf 'T_DEAL\nT_CARRIER\nT_EVENT_LOG\n' >"$WD/tables.d/trading"
# trading2: the same MariaDB schema, copied into $PG_SCHEMA2, for the Kafka
# consumer (stream --database trading2 --from kafka)
cp "$WD/tables.d/trading" "$WD/tables.d/trading2"
cp "$WD/tables.d/trading" "$WD/tables.d/trading3"
(
	umask 077
	cat >"$WD/.env" <<EOF
SINK_DB_URL=postgresql://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB
SINK_SCHEMA=$PG_SCHEMA
CONTROL_SCHEMA=$CTL
TABLES_DIR=$WD/tables.d
TRADING_HOST=127.0.0.1
TRADING_PORT=$MY_PORT
TRADING_USER=$MY_USER
TRADING_PASS=$MY_PASS
TRADING_SCHEMA=xchange_trading
TRADING2_HOST=127.0.0.1
TRADING2_PORT=$MY_PORT
TRADING2_USER=$MY_USER
TRADING2_PASS=$MY_PASS
TRADING2_SCHEMA=xchange_trading
TRADING2_SINK_SCHEMA=$PG_SCHEMA2
TRADING3_HOST=127.0.0.1
TRADING3_PORT=$MY_PORT
TRADING3_USER=$MY_USER
TRADING3_PASS=$MY_PASS
TRADING3_SCHEMA=xchange_trading
TRADING3_SINK_SCHEMA=trading3
STREAM_RELAY_DIR=$WD/relay
EOF
)
# The replica's user on the source (written to no binlog).
REPL_PASS=$(openssl rand -hex 12)
my_root -e "SET sql_log_bin = 0; CREATE USER repl_bench@'127.0.0.1' IDENTIFIED BY '$REPL_PASS';
	GRANT REPLICATION SLAVE ON *.* TO repl_bench@'127.0.0.1'"
MY_NOBIN="$WD/my_nobinlog"
printf '#!/bin/sh\nexec mariadb --no-defaults -uroot -S "%s" --init-command="SET sql_log_bin=0" "$@"\n' "$MY_SOCKET" >"$MY_NOBIN"
chmod 700 "$MY_NOBIN"

t0=$(now)
"$MY_NOBIN" <"$SHARED/gen_trading.sql" >>"$LOG" 2>&1 || die "gen_trading.sql failed (see $LOG)"
sh "$SHARED/gen_trading_rows.sh" "$MY_NOBIN" "$ROWS" >>"$LOG" 2>&1 || die "gen_trading_rows.sh failed (see $LOG)"
say "source: $ROWS deals generated in $(elapsed "$t0" "$(now)") s (not in the binlog)"

say "- migrate --database trading --tables all --no-progress"
t0=$(now)
rc=0
(cd "$WD" && exec "$MIGRATE_BIN" --env "$WD/.env" --database trading --tables all --no-progress) \
	>"$WD/migrate.log" 2>&1 || rc=$?
keep_log "$WD/migrate.log" migrate.log
[ "$rc" -eq 0 ] || { tail -n 20 "$WD/migrate.log" | mask | tee -a "$LOG"; die "migrate exited $rc"; }
say "  migrate: $(elapsed "$t0" "$(now)") s; source binlog at $(master_pos)"

# The Kafka consumer's copy, also taken before the backlog is written (the
# consumer skips the events before each table's watermark, which is a little
# later than trading's: nothing of the backlog).
if [ "$KAFKA_CONSUME" = 1 ]; then
	say "- migrate --database trading2 --tables all --no-progress (the Kafka consumer's copy, schema $PG_SCHEMA2)"
	t0=$(now)
	rc=0
	(cd "$WD" && exec "$MIGRATE_BIN" --env "$WD/.env" --database trading2 --tables all --no-progress) \
		>"$WD/migrate2.log" 2>&1 || rc=$?
	keep_log "$WD/migrate2.log" migrate-trading2.log
	[ "$rc" -eq 0 ] || { tail -n 20 "$WD/migrate2.log" | mask | tee -a "$LOG"; die "migrate --database trading2 exited $rc"; }
	say "  migrate trading2: $(elapsed "$t0" "$(now)") s; source binlog at $(master_pos)"
fi

# The relay contender's copy (stream --database trading3 with STREAM_RELAY=on)
if [ "$RELAY" = 1 ] && [ "$NO_STREAM" != 1 ]; then
	say "- migrate --database trading3 --tables all --no-progress (the relay contender's copy, schema trading3)"
	t0=$(now)
	rc=0
	(cd "$WD" && exec "$MIGRATE_BIN" --env "$WD/.env" --database trading3 --tables all --no-progress) \
		>"$WD/migrate3.log" 2>&1 || rc=$?
	keep_log "$WD/migrate3.log" migrate-trading3.log
	[ "$rc" -eq 0 ] || { tail -n 20 "$WD/migrate3.log" | mask | tee -a "$LOG"; die "migrate --database trading3 exited $rc"; }
	say "  migrate trading3: $(elapsed "$t0" "$(now)") s; source binlog at $(master_pos)"
fi

# The native contenders' tables: copies of the migrated t_deal as it is now
# (the backlog is not written yet), one per contender, each in its own schema
# with its own make_backlog procedure (bench/backlog_pg.sql). LIKE ... INCLUDING
# ALL copies the columns, defaults, constraints and indexes; REINDEX rebuilds
# the indexes in one pass, as migrate builds them after its COPY.
NV_SCHEMAS=""
if [ "$NATIVE" != 0 ]; then
	t0=$(now)
	for ns in native1 native2; do
		pg_super -d "$PG_DB" -c "DROP SCHEMA IF EXISTS $ns CASCADE" -c "CREATE SCHEMA $ns" \
			-c "CREATE TABLE $ns.t_deal (LIKE $PG_SCHEMA.t_deal INCLUDING ALL)" \
			-c "INSERT INTO $ns.t_deal SELECT * FROM $PG_SCHEMA.t_deal ORDER BY id" \
			-c "REINDEX TABLE $ns.t_deal" -c "VACUUM ANALYZE $ns.t_deal" >>"$LOG" 2>&1 ||
			die "could not copy $PG_SCHEMA.t_deal to $ns.t_deal (see $LOG)"
		NV_SCHEMAS="$NV_SCHEMAS $ns"
		pg_super -d "$PG_DB" -v schema="$ns" -f "$W/backlog_pg.sql" >>"$LOG" 2>&1 ||
			die "bench/backlog_pg.sql failed for schema $ns (see $LOG)"
		ni=$(pg_super -d "$PG_DB" -c "SELECT count(*) FROM pg_index WHERE indrelid = '$ns.t_deal'::regclass")
		ti=$(pg_super -d "$PG_DB" -c "SELECT count(*) FROM pg_index WHERE indrelid = '$PG_SCHEMA.t_deal'::regclass")
		[ "$ni" = "$ti" ] || die "$ns.t_deal has $ni indexes, $PG_SCHEMA.t_deal $ti"
	done
	say "native: copies of $PG_SCHEMA.t_deal in$NV_SCHEMAS ($ni indexes each, $(pg_super -d "$PG_DB" -c "SELECT pg_size_pretty(pg_total_relation_size('native1.t_deal'))") each) made in $(elapsed "$t0" "$(now)") s"
fi

# --- 2. the replica, seeded as of the position after migrate ------------------------------

replica_start
t0=$(now)
mariadb-dump --no-defaults -uroot -S "$MY_SOCKET" --single-transaction --master-data=2 --quick \
	xchange_trading >"$RD/seed.sql" 2>>"$LOG" || die "mariadb-dump of the source failed"
SEED_POS=$(sed -n "s/^-- CHANGE MASTER TO MASTER_LOG_FILE='\([^']*\)', MASTER_LOG_POS=\([0-9]*\);.*/\1:\2/p" "$RD/seed.sql" | head -n 1)
[ -n "$SEED_POS" ] || die "no CHANGE MASTER line in the dump"
rep_root -e "CREATE DATABASE xchange_trading CHARACTER SET utf8mb4"
rep_root xchange_trading <"$RD/seed.sql" || die "loading the dump into the replica failed"
rm -f "$RD/seed.sql"
rep_root -e "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $MY_PORT, MASTER_USER = 'repl_bench',
	MASTER_PASSWORD = '$REPL_PASS', MASTER_LOG_FILE = '${SEED_POS%:*}', MASTER_LOG_POS = ${SEED_POS##*:},
	MASTER_USE_GTID = no"
say "replica: seeded from mariadb-dump --single-transaction --master-data at $SEED_POS in $(elapsed "$t0" "$(now)") s; replication not started"
SRC_FP0=$(my_fp my_root)
REP_FP0=$(my_fp rep_root)
[ "$SRC_FP0" = "$REP_FP0" ] || die "the replica's seed differs from the source: $REP_FP0 (source $SRC_FP0)"

# --- 3. the backlog, written while neither stream nor the replica apply ---------------------

BL_START=$(master_pos)
# T_DEAL's AUTO_INCREMENT counter: the first id the backlog's inserts get
FIRST_ID=$(my_root -e "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'xchange_trading' AND TABLE_NAME = 'T_DEAL'")
isnum "$FIRST_ID" || die "could not read T_DEAL's AUTO_INCREMENT (got '$FIRST_ID')"
SEQ0=$(my_root -e "SELECT @@gtid_binlog_pos")
SEQ0=${SEQ0##*-}
isnum "$SEQ0" || SEQ0=0
H0=$(handler_rows)
say "- backlog.sql on the source from $BL_START, T_DEAL's AUTO_INCREMENT $FIRST_ID (load $(loadavg))"
t0=$(now)
my_root xchange_trading <"$SHARED/backlog.sql" >>"$LOG" 2>&1 || die "backlog.sql failed (see $LOG)"
BL_SECS=$(elapsed "$t0" "$(now)")
H1=$(handler_rows)
END_POS=$(master_pos)
t0=$(now)
# shellcheck disable=SC2046
set -- $(binlog_rows "$BL_START" "$END_POS")
BL_INS=$1 BL_UPD=$2 BL_DEL=$3
N=$((BL_INS + BL_UPD + BL_DEL))
say "  row events counted in the binlog (mariadb-binlog -v) in $(elapsed "$t0" "$(now)") s; the source's Handler_write+update+delete grew by $((H1 - H0))"
EF=${END_POS%:*} EP=${END_POS##*:}
SEQ1=$(my_root -e "SELECT @@gtid_binlog_pos")
SEQ1=${SEQ1##*-}
isnum "$SEQ1" || SEQ1=0
NTRX=$((SEQ1 - SEQ0))
BL_BYTES=$(my_root -e "SHOW BINARY LOGS" | awk -F'\t' -v sf="${BL_START%:*}" -v sp="${BL_START##*:}" -v ef="$EF" -v ep="$EP" '
	$1 == sf { n = ($1 == ef ? ep : $2) - sp; on = 1; next }
	on && $1 < ef { n += $2 } on && $1 == ef { n += ep } END { print n + 0 }')
SRC_FP=$(my_fp my_root)
say "  backlog: $N row changes ($BL_INS inserted, $BL_UPD updated, $BL_DEL deleted) in $NTRX binlog transactions, $(awk -v b="$BL_BYTES" 'BEGIN { printf "%.0f", b / 1048576 }') MiB of binlog, written in $BL_SECS s; end $END_POS"
say "  source fingerprint ($FP_FIELDS): $SRC_FP"

# --- 4. the replica's catch-up ------------------------------------------------------------

rep_root -e "START SLAVE IO_THREAD"
i=0
while :; do
	f=$(slave_field Master_Log_File)
	p=$(slave_field Read_Master_Log_Pos)
	[ "$f" = "$EF" ] && [ "${p:-0}" -ge "$EP" ] && break
	if [ "$i" -ge 6000 ]; then
		slave_field Last_IO_Error | tee -a "$LOG"
		die "the replica's IO thread did not fetch the backlog in 600 s (at $f:$p)"
	fi
	sleep 0.1
	i=$((i + 1))
done
say "- replica: IO thread has the backlog in its relay log ($f:$p, $(du -sm "$RD" | cut -f1) MiB in $RD); timing its SQL thread (load $(loadavg))"
settle
SRC_PID=$(head -n 1 "$SB/mariadb/pid")
PG_PID=$(head -n 1 "$SB/pg/data/postmaster.pid")
c_rep0=$(cpu_of "$REPLICA_PID") c_src0=$(cpu_of "$SRC_PID")
REP_SECS=$(rep_root -e "SET @t0 = SYSDATE(6); START SLAVE SQL_THREAD;
	SELECT MASTER_POS_WAIT('$EF', $EP, 3600) INTO @w;
	SELECT CONCAT(IFNULL(@w, 'NULL'), ' ', TIMESTAMPDIFF(MICROSECOND, @t0, SYSDATE(6)) / 1e6)")
REP_CPU=$(cpu_diff "$c_rep0" "$(cpu_of "$REPLICA_PID")")
REP_SRC_CPU=$(cpu_diff "$c_src0" "$(cpu_of "$SRC_PID")")
REP_WAIT=${REP_SECS% *}
REP_SECS=$(echo "${REP_SECS#* }" | awk '{ printf "%.2f", $1 }')
if [ "$REP_WAIT" = NULL ] || [ "$REP_WAIT" = -1 ]; then
	# MASTER_POS_WAIT gave up (SQL thread stopped or timeout): poll instead
	say "  MASTER_POS_WAIT returned $REP_WAIT; $(slave_field Last_SQL_Error)"
	REP_SECS=FAIL
fi
ef=$(slave_field Relay_Master_Log_File)
ep=$(slave_field Exec_Master_Log_Pos)
rerr=$(slave_field Last_SQL_Error)
rep_root -e "STOP SLAVE"
REP_FP=$(my_fp rep_root)
REP_CHECK=ok
[ "$ef:$ep" = "$END_POS" ] || REP_CHECK="stopped at $ef:$ep, not $END_POS"
[ -z "$rerr" ] || REP_CHECK="$REP_CHECK; SQL error: $rerr"
[ "$REP_FP" = "$SRC_FP" ] || REP_CHECK="$REP_CHECK; WRONG DATA: $REP_FP"
[ "$REP_CHECK" = ok ] || { REP_CHECK=${REP_CHECK#ok; }; FAILS=$((FAILS + 1)); }
REP_RATE=$(rate "$N" "$REP_SECS")
say "  replica: $REP_SECS s from START SLAVE SQL_THREAD to MASTER_POS_WAIT('$EF', $EP) = $REP_WAIT events; $REP_RATE row changes/s; CPU: replica mariadbd $REP_CPU s, source $REP_SRC_CPU s; check: $REP_CHECK"
cp "$RD/err.log" "$OUT/replica-err.log" 2>/dev/null || true
replica_stop    # its page cleaner must not compete with stream
say "  replica stopped"

# --- 5. stream's catch-up -------------------------------------------------------------------

ST_SECS=- ST_RSS=- ST_RATE=- ST_CHECK="not run" ST_COUNTS="" ST_CPU=- ST_PG_CPU=- ST_SRC_CPU=-
if [ "$NO_STREAM" != 1 ]; then
	settle
	say "- stream --database trading --stop-at $END_POS (load $(loadavg))"
	rc=0
	if [ "$PROFILE" = 1 ]; then
		# what stream's PostgreSQL session is doing, every 0.1 s
		(while [ ! -e "$W/stop_profile" ]; do
			echo "SELECT coalesce((SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') || ' | ' ||
				left(regexp_replace(query, '\s+', ' ', 'g'), 90) FROM pg_stat_activity
				WHERE application_name LIKE 'stream[%' AND state = 'active' LIMIT 1), '(no statement running)');"
			sleep 0.1
		done | PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" \
			>"$WD/profile.txt" 2>&1) &
		PROF_PID=$!
		BG_PIDS="$BG_PIDS $PROF_PID"
	fi
	c_pg0=$(cpu_of "$PG_PID") c_src0=$(cpu_of "$SRC_PID")
	(cd "$WD" && STREAM_RELAY=off exec /usr/bin/time -f '%e %M %U %S' -o "$WD/stream.time" "$STREAM_BIN" \
		--env "$WD/.env" --database trading --stop-at "$END_POS") >"$WD/stream.out" 2>"$WD/stream.err" || rc=$?
	if [ "$PROFILE" = 1 ]; then
		: >"$W/stop_profile"
		wait "$PROF_PID" || true
		say "  PROFILE: stream's PostgreSQL session, $(wc -l <"$WD/profile.txt") samples (share, wait event or CPU | statement):"
		sed -e 's/[0-9][0-9]*/N/g' "$WD/profile.txt" | sort | uniq -c | sort -rn | head -n 15 |
			awk -v n="$(wc -l <"$WD/profile.txt")" '{ c = $1; sub(/^ *[0-9]+ /, ""); printf "    %5.1f%%  %s\n", 100 * c / n, $0 }' | tee -a "$LOG"
	fi
	sleep 1     # the postmaster reaps stream's backend (its CPU moves to the postmaster's cutime)
	ST_PG_CPU=$(cpu_diff "$c_pg0" "$(cpu_of "$PG_PID")")
	ST_SRC_CPU=$(cpu_diff "$c_src0" "$(cpu_of "$SRC_PID")")
	{ echo "=== stdout"; cat "$WD/stream.out"; echo "=== stderr"; cat "$WD/stream.err"; } >"$WD/stream.log"
	keep_log "$WD/stream.log" stream-catchup.log
	read -r ST_SECS ST_RSS ST_USR ST_SYS <<EOF
$(tail -n 1 "$WD/stream.time")
EOF
	mask <"$WD/stream.err" | tail -n 8 | sed 's/^/    /' | tee -a "$LOG"
	if [ "$rc" -ne 0 ]; then
		ST_CHECK="stream exited $rc"
		ST_SECS=FAIL
		say "  stream EXITED $rc; last lines of its stderr:"
		tail -n 30 "$WD/stream.err" | mask | sed 's/^/    /' | tee -a "$LOG"
	else
		ST_FP=$(pg_fp)
		ST_CHECK=ok
		[ "$ST_FP" = "$SRC_FP" ] || ST_CHECK="WRONG DATA: $ST_FP (source $SRC_FP)"
		[ "$ST_FP" = "$REP_FP" ] || ST_CHECK="$ST_CHECK; differs from the replica"
		ST_CHECK=${ST_CHECK#ok; }
		cp=$(pg_super -d "$PG_DB" -c "SELECT binlog_file || ':' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'trading'")
		[ "$cp" = "$END_POS" ] || ST_CHECK="$ST_CHECK; checkpoint $cp, not $END_POS"
		ST_CHECK=${ST_CHECK#ok; }
		ST_COUNTS=$(pg_super -d "$PG_DB" -c "SELECT rows_inserted || ' ' || rows_updated || ' ' || rows_deleted
			FROM $CTL.tables WHERE source_db = 'trading' AND lower(source_table) = 't_deal'" 2>&1)
	fi
	[ "$ST_CHECK" = ok ] || FAILS=$((FAILS + 1))
	ST_RATE=$(rate "$N" "$ST_SECS")
	ST_CPU=$(awk -v u="$ST_USR" -v s="$ST_SYS" 'BEGIN { printf "%.1f", u + s }')
	say "  stream: $ST_SECS s wall, $ST_RATE row changes/s, peak RSS $(mib "$ST_RSS") MiB; CPU: stream $ST_CPU s (user $ST_USR, sys $ST_SYS), PostgreSQL $ST_PG_CPU s, source $ST_SRC_CPU s; check: $ST_CHECK"
	say "  stream's counters for T_DEAL (inserted updated deleted): ${ST_COUNTS:-?}; source: $BL_INS $BL_UPD $BL_DEL"
	say "  PostgreSQL's t_deal after it: $(pg_super -d "$PG_DB" -c "SELECT 'ins ' || n_tup_ins || ', upd ' || n_tup_upd || ' (HOT ' || n_tup_hot_upd || '), del ' || n_tup_del || ', autovacuum ' || autovacuum_count || ', autoanalyze ' || autoanalyze_count || ', size ' || pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables WHERE schemaname = '$PG_SCHEMA' AND relname = 't_deal'" 2>&1)"
	(cd "$WD" && "$STREAM_BIN" --env "$WD/.env" --database trading --status) 2>&1 | mask | sed 's/^/    /' | tee -a "$LOG" || true
fi

# --- 5r. stream's catch-up through its relay log ----------------------------------------------
# The same backlog into trading3 with STREAM_RELAY=on: a reader thread fetches
# into zstd segments while the pipeline applies from them. The relay's own
# line at exit gives what it wrote.

RL_SECS=- RL_RSS=- RL_RATE=- RL_CHECK="not run" RL_CPU=- RL_PG_CPU=- RL_WROTE="" RL_EVENTS=- RL_RAW=- RL_DISK=-
if [ "$RELAY" = 1 ] && [ "$NO_STREAM" != 1 ]; then
	settle
	say "- stream --database trading3 --stop-at $END_POS with STREAM_RELAY=on (load $(loadavg))"
	rc=0
	c_pg0=$(cpu_of "$PG_PID")
	(cd "$WD" && STREAM_RELAY=on exec /usr/bin/time -f '%e %M %U %S' -o "$WD/relay.time" "$STREAM_BIN" \
		--env "$WD/.env" --database trading3 --stop-at "$END_POS") >"$WD/relay.out" 2>"$WD/relay.err" || rc=$?
	sleep 1
	RL_PG_CPU=$(cpu_diff "$c_pg0" "$(cpu_of "$PG_PID")")
	{ echo "=== stdout"; cat "$WD/relay.out"; echo "=== stderr"; cat "$WD/relay.err"; } >"$WD/relay.log"
	keep_log "$WD/relay.log" stream-relay-catchup.log
	read -r RL_SECS RL_RSS RL_USR RL_SYS <<EOF
$(tail -n 1 "$WD/relay.time")
EOF
	mask <"$WD/relay.err" | tail -n 6 | sed 's/^/    /' | tee -a "$LOG"
	if [ "$rc" -ne 0 ]; then
		RL_CHECK="stream exited $rc"
		RL_SECS=FAIL
	else
		RL_FP=$(pg_fp trading3)
		RL_CHECK=ok
		[ "$RL_FP" = "$SRC_FP" ] || RL_CHECK="WRONG DATA: $RL_FP (source $SRC_FP)"
		cp=$(pg_super -d "$PG_DB" -c "SELECT binlog_file || ':' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'trading3'")
		[ "$cp" = "$END_POS" ] || RL_CHECK="$RL_CHECK; checkpoint $cp, not $END_POS"
		RL_CHECK=${RL_CHECK#ok; }
	fi
	[ "$RL_CHECK" = ok ] || FAILS=$((FAILS + 1))
	RL_RATE=$(rate "$N" "$RL_SECS")
	RL_CPU=$(awk -v u="$RL_USR" -v s="$RL_SYS" 'BEGIN { printf "%.1f", u + s }')
	# "the relay wrote E events in this run: R bytes of records as D bytes on disk (ratio X)"
	RL_WROTE=$(grep -o 'the relay wrote [0-9]* events in this run: [0-9]* bytes of records as [0-9]* bytes on disk' "$WD/relay.err" | tail -n 1 || true)
	RL_EVENTS=$(echo "$RL_WROTE" | awk '{ print $4 }')
	RL_RAW=$(echo "$RL_WROTE" | awk '{ print $9 }')
	RL_DISK=$(echo "$RL_WROTE" | awk '{ print $14 }')
	say "  stream (relay): $RL_SECS s wall, $RL_RATE row changes/s, peak RSS $(mib "$RL_RSS") MiB; CPU: stream $RL_CPU s (user $RL_USR, sys $RL_SYS), PostgreSQL $RL_PG_CPU s; check: $RL_CHECK"
	say "  relay: ${RL_WROTE:-no summary line}; relay directory now $(du -sk "$WD/relay" 2>/dev/null | cut -f1) KiB"
fi

# --- 6. PostgreSQL applying the backlog itself ----------------------------------------------
#
# The same statements per source transaction as backlog.sql, run by PostgreSQL
# in PL/pgSQL on a copy of the migrated t_deal: no network, no row parsing, no
# decoding. What the sink's executor needs for the changes at all.

# native_run SCHEMA PER_COMMIT: CALL SCHEMA.make_backlog(n, PER_COMMIT, FIRST_ID)
# under /usr/bin/time (wall seconds, as for stream); sets NV_SECS, NV_RATE,
# NV_PG_CPU, NV_CHECK; drops SCHEMA afterwards (no autovacuum of it during
# the next contender)
native_run() {
	settle
	say "- PostgreSQL native: CALL $1.make_backlog($BL_CALLS, $2, $FIRST_ID), a COMMIT per $2 source transaction(s) (load $(loadavg))"
	c_pg0=$(cpu_of "$PG_PID")
	rc=0
	PGOPTIONS='-c client_min_messages=warning' /usr/bin/time -f '%e' -o "$WD/$1.time" \
		psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" \
		-c "CALL $1.make_backlog($BL_CALLS, $2, $FIRST_ID)" >"$WD/$1.log" 2>&1 &
	NV_PID=$!
	_bg=$BG_PIDS
	BG_PIDS="$BG_PIDS $NV_PID"     # waited for in the background, so that a signal ends the run at once
	wait "$NV_PID" || rc=$?
	BG_PIDS=$_bg
	sleep 1     # the postmaster reaps the backend (its CPU moves to the postmaster's cutime)
	NV_PG_CPU=$(cpu_diff "$c_pg0" "$(cpu_of "$PG_PID")")
	keep_log "$WD/$1.log" "$1.log"
	NV_SECS=$(tail -n 1 "$WD/$1.time" | awk '{ printf "%.2f", $1 }')
	if [ "$rc" -ne 0 ]; then
		NV_SECS=FAIL
		NV_CHECK="psql exited $rc"
		say "  psql EXITED $rc:"
		tail -n 20 "$WD/$1.log" | sed 's/^/    /' | tee -a "$LOG"
	else
		NV_FP=$(native_fp "$1")
		NV_CHECK=ok
		[ "$NV_FP" = "$(fp_no_time "$SRC_FP")" ] || NV_CHECK="WRONG DATA: $NV_FP (source $(fp_no_time "$SRC_FP"))"
	fi
	[ "$NV_CHECK" = ok ] || FAILS=$((FAILS + 1))
	NV_RATE=$(rate "$N" "$NV_SECS")
	say "  native: $NV_SECS s wall, $NV_RATE row changes/s; CPU: PostgreSQL $NV_PG_CPU s; check (t_deal but updated_at): $NV_CHECK"
	say "  PostgreSQL's $1.t_deal after it (counters include the copy): $(pg_super -d "$PG_DB" -c "SELECT 'ins ' || n_tup_ins || ', upd ' || n_tup_upd || ' (HOT ' || n_tup_hot_upd || '), del ' || n_tup_del || ', autovacuum ' || autovacuum_count || ', autoanalyze ' || autoanalyze_count || ', size ' || pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables WHERE schemaname = '$1' AND relname = 't_deal'" 2>&1)"
	pg_super -d "$PG_DB" -c "DROP SCHEMA $1 CASCADE" >>"$LOG" 2>&1 || say "  (could not drop schema $1)"
}

# autovacuum_off: stream left trading.t_deal with an autovacuum debt that
# stream itself did not have to compete with: no autovacuum of it during the
# later contenders (autovacuum_reset afterwards, as migrate leaves it); a
# running one is waited for
autovacuum_off() {
	pg_super -d "$PG_DB" -c "ALTER TABLE $PG_SCHEMA.t_deal SET (autovacuum_enabled = off)"
	i=0
	while [ "$(pg_super -d "$PG_DB" -c "SELECT (SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = '$PG_SCHEMA.t_deal'::regclass)
		+ (SELECT count(*) FROM pg_stat_progress_analyze WHERE relid = '$PG_SCHEMA.t_deal'::regclass)")" != 0 ]; do
		[ "$i" = 0 ] && say "- waiting for the autovacuum of $PG_SCHEMA.t_deal to finish"
		[ "$i" -ge 3000 ] && { say "  (still running after 300 s)"; break; }
		sleep 0.1
		i=$((i + 1))
	done
}
autovacuum_reset() { pg_super -d "$PG_DB" -c "ALTER TABLE $PG_SCHEMA.t_deal RESET (autovacuum_enabled)"; }

NV1_SECS=- NV1_RATE=- NV1_PG_CPU=- NV1_CHECK="not run"
NV2_SECS=- NV2_RATE=- NV2_PG_CPU=- NV2_CHECK="not run"
if [ "$NATIVE" != 0 ]; then
	autovacuum_off
	native_run native1 "$NV_BATCH"
	NV1_SECS=$NV_SECS NV1_RATE=$NV_RATE NV1_PG_CPU=$NV_PG_CPU NV1_CHECK=$NV_CHECK
	native_run native2 1
	NV2_SECS=$NV_SECS NV2_RATE=$NV_RATE NV2_PG_CPU=$NV_PG_CPU NV2_CHECK=$NV_CHECK
	autovacuum_reset
fi

# --- 7. stream publishing the backlog to Kafka (librdkafka's mock cluster) ------------------
#
# The same backlog, from the same starting point (migrate's watermark: no
# publish_checkpoint row for topic prefix $K_PREFIX yet), as Debezium events:
# one per row change and a tombstone after each delete. The mock keeps about
# 5 MiB per partition and drops the oldest data beyond that; the producer's
# acknowledgements do not depend on it, and they are what is timed (stream
# exits at --stop-at once everything up to there is acknowledged).

K_EVENTS=$((N + BL_DEL))    # row changes + tombstones
KX_TOPIC=ceiling.xchange_trading.T_DEAL    # step 7c's copy of the published topic
K_SECS=- K_RSS=- K_RATE=- K_CHG_RATE=- K_CPU=- K_MOCK_CPU=- K_PG_CPU=- K_SRC_CPU=- K_MOCK_RSS=- K_CHECK="not run"
K_TOPIC_CHECK="not run" K_HW="" K_READ=""
if [ "$KAFKA" = 1 ]; then
	KD="$W/kafka"
	mkdir -p "$KD"
	autovacuum_off
	# the other two tables' topics too (empty: the backlog changes T_DEAL
	# only), as a connector would have them: the consumer of step 7b waits up
	# to 10 s at its start for a topic that does not exist
	"$KMOCK_BIN" --brokers "$KAFKA_BROKERS" --topic "$K_TOPIC:$KAFKA_PARTITIONS" --topic "$KX_TOPIC:$KAFKA_PARTITIONS" \
		--topic "$K_PREFIX.xchange_trading.T_CARRIER:1" --topic "$K_PREFIX.xchange_trading.T_EVENT_LOG:1" \
		--bootstrap-file "$KD/bootstrap" \
		</dev/null >"$KD/mock.out" 2>"$KD/mock.err" &
	MOCK_PID=$!
	i=0
	while [ ! -s "$KD/bootstrap" ] && kill -0 "$MOCK_PID" 2>/dev/null && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -s "$KD/bootstrap" ] || ! pid_is "$MOCK_PID" kafka-mock; then
		cat "$KD/mock.err" >>"$LOG"
		die "kafka-mock did not come up in 30 s (see $LOG)"
	fi
	K_BOOT=$(cat "$KD/bootstrap")
	(
		umask 077
		{
			cat "$WD/.env"
			printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=%s\nKAFKA_FORMAT=envelope\n' "$K_BOOT" "$K_PREFIX"
			[ -z "$K_PROPS" ] || printf 'KAFKA_PROPERTIES=%s\n' "$K_PROPS"
		} >"$WD/kafka.env"
	)
	say "kafka-mock: pid $MOCK_PID, $KAFKA_BROKERS brokers at $K_BOOT, topic $K_TOPIC with $KAFKA_PARTITIONS partitions (and the empty topics of T_CARRIER and T_EVENT_LOG, 1 partition each)$([ -z "$K_PROPS" ] || echo "; KAFKA_PROPERTIES=$K_PROPS")"
	settle
	say "- stream --database trading --to kafka --stop-at $END_POS (load $(loadavg))"
	c_mock0=$(cpu_of "$MOCK_PID") c_pg0=$(cpu_of "$PG_PID") c_src0=$(cpu_of "$SRC_PID")
	rc=0
	(cd "$WD" && exec /usr/bin/time -f '%e %M %U %S' -o "$KD/stream.time" "$STREAM_BIN" --env "$WD/kafka.env" \
		--database trading --to kafka --stop-at "$END_POS") >"$KD/stream.out" 2>"$KD/stream.err" || rc=$?
	sleep 1     # as for stream: the postmaster reaps the backend
	K_MOCK_CPU=$(cpu_diff "$c_mock0" "$(cpu_of "$MOCK_PID")")
	K_PG_CPU=$(cpu_diff "$c_pg0" "$(cpu_of "$PG_PID")")
	K_SRC_CPU=$(cpu_diff "$c_src0" "$(cpu_of "$SRC_PID")")
	K_MOCK_RSS=$(awk '/^VmHWM:/ { print $2 }' "/proc/$MOCK_PID/status" 2>/dev/null)
	{ echo "=== stdout"; cat "$KD/stream.out"; echo "=== stderr"; cat "$KD/stream.err"; } >"$KD/stream.log"
	keep_log "$KD/stream.log" stream-kafka.log
	read -r K_SECS K_RSS K_USR K_SYS <<EOF
$(tail -n 1 "$KD/stream.time")
EOF
	mask <"$KD/stream.err" | tail -n 8 | sed 's/^/    /' | tee -a "$LOG"
	if [ "$rc" -ne 0 ]; then
		K_CHECK="stream exited $rc"
		K_SECS=FAIL
		say "  stream --to kafka EXITED $rc; last lines of its stderr:"
		tail -n 30 "$KD/stream.err" | mask | sed 's/^/    /' | tee -a "$LOG"
	else
		cp=$(pg_super -d "$PG_DB" -c "SELECT binlog_file || ':' || binlog_pos FROM $CTL.publish_checkpoint
			WHERE source_db = 'trading' AND topic_prefix = '$K_PREFIX'" 2>&1) || true
		K_CHECK=ok
		[ "$cp" = "$END_POS" ] || K_CHECK="publish_checkpoint ${cp:-none}, not $END_POS"
		# The topic: each partition's high watermark is its last offset + 1
		# (the mock drops the oldest data, never the newest); their sum must
		# be the number of events. kafka-dump reads what is left, after the
		# timing.
		if [ -n "$KDUMP_BIN" ]; then
			t0=$(now)
			rm -f "$KD/dump.rc"
			{ "$KDUMP_BIN" --bootstrap-file "$KD/bootstrap" --topic "$K_TOPIC" --timeout 300 2>"$KD/dump.err" ||
				echo "$?" >"$KD/dump.rc"; } |
				awk -F'\t' '{ n++; if ($3 + 1 > hw[$2]) hw[$2] = $3 + 1 } END { for (p in hw) { s += hw[p]; k++ } print s + 0, n + 0, k + 0 }' >"$KD/dump.sum"
			read -r K_HW K_READ K_PARTS <"$KD/dump.sum"
			if [ -e "$KD/dump.rc" ]; then
				K_TOPIC_CHECK="no figure: kafka-dump exited $(cat "$KD/dump.rc") ($(tail -n 1 "$KD/dump.err"))"
			else
				K_TOPIC_CHECK="high watermarks sum to $K_HW in $K_PARTS partitions ($K_READ events still held, read in $(elapsed "$t0" "$(now)") s)"
				if [ "$K_HW" = "$K_EVENTS" ]; then
					K_TOPIC_CHECK="ok: $K_TOPIC_CHECK"
				else
					K_TOPIC_CHECK="WRONG: $K_TOPIC_CHECK, not $K_EVENTS"
					K_CHECK="$K_CHECK; topic holds $K_HW events, not $K_EVENTS"
				fi
			fi
		else
			K_TOPIC_CHECK="not run: $SRC_KDUMP not built (the checkpoint is the check)"
		fi
		K_CHECK=${K_CHECK#ok; }
	fi
	[ "$K_CHECK" = ok ] || FAILS=$((FAILS + 1))
	K_RATE=$(rate "$K_EVENTS" "$K_SECS")
	K_CHG_RATE=$(rate "$N" "$K_SECS")
	K_CPU=$(awk -v u="$K_USR" -v s="$K_SYS" 'BEGIN { printf "%.1f", u + s }')
	say "  stream --to kafka: $K_SECS s wall, $K_RATE events/s ($K_EVENTS events: $N row changes + $BL_DEL tombstones), $K_CHG_RATE row changes/s, peak RSS $(mib "$K_RSS") MiB; CPU: stream $K_CPU s (user $K_USR, sys $K_SYS), kafka-mock $K_MOCK_CPU s (peak RSS $(mib "$K_MOCK_RSS") MiB), PostgreSQL $K_PG_CPU s, source $K_SRC_CPU s; check: $K_CHECK"
	say "  topic $K_TOPIC: $K_TOPIC_CHECK"
	(cd "$WD" && "$STREAM_BIN" --env "$WD/kafka.env" --database trading --status) 2>&1 | mask | grep -i kafka | sed 's/^/    /' | tee -a "$LOG" || true
fi

# --- 7b. stream applying the published topic (Kafka -> PostgreSQL) ---------------------------
#
# The topic of step 7, still held whole by the mock, applied by
# `stream --database trading2 --from kafka` into trading2's copy of the
# migrated tables (taken before the backlog, like trading's): timed from the
# daemon's start (its startup included) to the first sample of its
# kafka_offsets (every 0.1 s) at the topic's end, the sum of the partitions'
# high watermarks; then SIGTERM. trading2 must then equal trading, which
# stream applied from the binlog in step 5. Autovacuum of trading.t_deal is
# still off (step 6); trading2's is on, as trading's was during step 5.

KC_SECS=- KC_RSS=- KC_RATE=- KC_CPU=- KC_USR=- KC_SYS=- KC_MOCK_CPU=- KC_PG_CPU=- KC_SRC_CPU=- KC_CHECK="not run"
if [ "$KAFKA_CONSUME" = 1 ]; then
	if [ "$K_CHECK" != ok ]; then
		KC_SKIP="the publish contender failed ($K_CHECK)"
	elif [ "${K_TOPIC_CHECK#ok: }" = "$K_TOPIC_CHECK" ] || ! isnum "$K_HW" || ! isnum "$K_READ"; then
		KC_SKIP="no figure for the topic's end ($K_TOPIC_CHECK)"
	elif [ "$K_READ" != "$K_HW" ]; then
		KC_SKIP="the mock dropped $((K_HW - K_READ)) of the topic's $K_HW events (it keeps about 5 MiB per partition), so the consumer would measure an incomplete stream; more KAFKA_PARTITIONS would keep them"
	fi
	if [ -n "$KC_SKIP" ]; then
		KAFKA_CONSUME=0
		say "- stream --from kafka: skipped ($KC_SKIP)"
	fi
fi
if [ "$KAFKA_CONSUME" = 1 ]; then
	KCD="$W/kconsume"
	mkdir -p "$KCD"
	(
		umask 077
		{
			cat "$WD/.env"
			printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nKAFKA_TOPIC_PREFIX=%s\n' "$K_BOOT" "$K_PREFIX"
		} >"$WD/kafka2.env"
	)
	KC_Q="SELECT coalesce(sum(next_offset), 0) FROM $CTL.kafka_offsets WHERE source_db = 'trading2' AND topic = '$K_TOPIC'"
	n=$(pg_super -d "$PG_DB" -c "$KC_Q")
	[ "$n" = 0 ] || die "kafka_offsets of trading2 already at $n before the consumer started"
	settle
	say "- stream --database trading2 --from kafka (prefix $K_PREFIX): until its kafka_offsets of $K_TOPIC sum to $K_HW (load $(loadavg))"
	# the sampler: one client session, fed a query every 0.1 s; PostgreSQL's
	# clock (same host as date) times the samples
	rm -f "$W/stop_sampling"
	(while [ ! -e "$W/stop_sampling" ]; do
		echo "SELECT extract(epoch FROM clock_timestamp()), ($KC_Q);"
		sleep 0.1
	done | PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -F' ' -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" \
		>"$KCD/offsets.txt" 2>"$KCD/offsets.err") &
	KC_SAMPLER=$!
	_bg=$BG_PIDS
	BG_PIDS="$BG_PIDS $KC_SAMPLER"
	sleep 0.5
	c_mock0=$(cpu_of "$MOCK_PID") c_pg0=$(cpu_of "$PG_PID") c_src0=$(cpu_of "$SRC_PID")
	KT0=$(now)
	(cd "$WD" && exec /usr/bin/time -f '%e %M %U %S' -o "$KCD/stream.time" "$STREAM_BIN" --env "$WD/kafka2.env" \
		--database trading2 --from kafka) >"$KCD/stream.out" 2>"$KCD/stream.err" &
	KC_TIME_PID=$!
	# stream is /usr/bin/time's child: it gets the SIGTERM
	i=0
	while [ -z "$KC_PID" ] && kill -0 "$KC_TIME_PID" 2>/dev/null && [ "$i" -lt 200 ]; do
		KC_PID=$(pgrep -P "$KC_TIME_PID" -x stream | head -n 1) || true
		[ -n "$KC_PID" ] || sleep 0.05
		i=$((i + 1))
	done
	KC_END=""
	i=0
	while [ -n "$KC_PID" ]; do
		KC_END=$(awk -v t="$K_HW" 'NF == 2 && $2 ~ /^[0-9]+$/ && $2 + 0 >= t + 0 { print $1; exit }' "$KCD/offsets.txt" 2>/dev/null) || true
		[ -n "$KC_END" ] && break
		pid_is "$KC_PID" stream || break
		[ "$i" -ge $((KC_TIMEOUT * 10)) ] && break
		sleep 0.1
		i=$((i + 1))
	done
	KC_LAST=$(tail -n 1 "$KCD/offsets.txt" 2>/dev/null | cut -d' ' -f2) || true
	: >"$W/stop_sampling"
	rc=0
	KC_ALIVE=0
	if pid_is "$KC_PID" stream; then
		KC_ALIVE=1
		kill -TERM "$KC_PID"
		if ! wait_gone "$KC_PID" 60; then
			say "  stream --from kafka did not stop in 60 s after SIGTERM, killing it"
			kill -KILL "$KC_PID" 2>/dev/null || true
		fi
	fi
	wait "$KC_TIME_PID" || rc=$?
	KC_PID="" KC_TIME_PID=""
	wait "$KC_SAMPLER" 2>/dev/null || true
	BG_PIDS=$_bg
	sleep 1     # as for stream: the postmaster reaps the backend
	KC_MOCK_CPU=$(cpu_diff "$c_mock0" "$(cpu_of "$MOCK_PID")")
	KC_PG_CPU=$(cpu_diff "$c_pg0" "$(cpu_of "$PG_PID")")
	KC_SRC_CPU=$(cpu_diff "$c_src0" "$(cpu_of "$SRC_PID")")
	{ echo "=== stdout"; cat "$KCD/stream.out"; echo "=== stderr"; cat "$KCD/stream.err"; } >"$KCD/stream.log"
	keep_log "$KCD/stream.log" stream-from-kafka.log
	cp "$KCD/offsets.txt" "$OUT/kafka-consume-offsets.txt"
	read -r _s KC_RSS KC_USR KC_SYS <<EOT
$(tail -n 1 "$KCD/stream.time")
EOT
	mask <"$KCD/stream.err" | tail -n 8 | sed 's/^/    /' | tee -a "$LOG"
	KC_CHECK=ok
	if [ -n "$KC_END" ]; then
		KC_SECS=$(elapsed "$KT0" "$KC_END")
	else
		KC_SECS=FAIL
		if [ "$KC_ALIVE" = 1 ]; then
			KC_CHECK="its kafka_offsets did not reach $K_HW in $KC_TIMEOUT s (last sample: ${KC_LAST:-none})"
		else
			KC_CHECK="stream --from kafka exited by itself before reaching the topic's end (last sample: ${KC_LAST:-none})"
		fi
		say "  stream --from kafka: $KC_CHECK; last lines of its stderr:"
		tail -n 30 "$KCD/stream.err" | mask | sed 's/^/    /' | tee -a "$LOG"
	fi
	[ "$rc" -eq 0 ] || KC_CHECK="$KC_CHECK; stream exited $rc$([ "$KC_ALIVE" = 0 ] || echo ' after SIGTERM')"
	n=$(pg_super -d "$PG_DB" -c "$KC_Q" 2>&1)
	[ "$n" = "$K_HW" ] || KC_CHECK="$KC_CHECK; kafka_offsets sum to $n at the end, not $K_HW"
	dl=$(pg_super -d "$PG_DB" -c "SELECT count(*) FROM $CTL.kafka_dead_letters WHERE source_db = 'trading2'" 2>&1)
	if [ "$dl" != 0 ]; then
		KC_CHECK="$KC_CHECK; $dl dead letter(s)"
		pg_super -d "$PG_DB" -c "SELECT reason, count(*) FROM $CTL.kafka_dead_letters WHERE source_db = 'trading2'
			GROUP BY reason ORDER BY 2 DESC LIMIT 5" 2>&1 | sed 's/^/    dead letters: /' | tee -a "$LOG"
	fi
	# the data: every column of every row, as the binlog path left trading
	for t in t_deal t_carrier t_event_log; do
		d=$(pg_super -d "$PG_DB" -c "SELECT (SELECT count(*) FROM (SELECT * FROM $PG_SCHEMA.$t EXCEPT ALL SELECT * FROM $PG_SCHEMA2.$t) a)
			|| ' ' || (SELECT count(*) FROM (SELECT * FROM $PG_SCHEMA2.$t EXCEPT ALL SELECT * FROM $PG_SCHEMA.$t) b)" 2>&1 | tr '\n' ' ' | sed 's/ $//')
		[ "$d" = "0 0" ] || KC_CHECK="$KC_CHECK; WRONG DATA: $PG_SCHEMA2.$t differs from $PG_SCHEMA.$t (rows only in $PG_SCHEMA, only in $PG_SCHEMA2: $d)"
	done
	KC_CHECK=${KC_CHECK#ok; }
	[ "$KC_CHECK" = ok ] || FAILS=$((FAILS + 1))
	KC_RATE=$(rate "$N" "$KC_SECS")
	KC_CPU=$(awk -v u="$KC_USR" -v s="$KC_SYS" 'BEGIN { if (u ~ /^[0-9.]+$/) printf "%.1f", u + s; else printf "-" }')
	say "  stream --from kafka: $KC_SECS s from start to kafka_offsets at the topic's end ($K_HW events: $N row changes + $BL_DEL tombstones), $KC_RATE row changes/s, peak RSS $(mib "$KC_RSS") MiB; CPU: stream $KC_CPU s (user $KC_USR, sys $KC_SYS; until SIGTERM), kafka-mock $KC_MOCK_CPU s, PostgreSQL $KC_PG_CPU s, source $KC_SRC_CPU s; check ($PG_SCHEMA2 = $PG_SCHEMA, EXCEPT ALL both ways, all columns of the 3 tables; no dead letters): $KC_CHECK"
	say "  PostgreSQL's $PG_SCHEMA2.t_deal after it: $(pg_super -d "$PG_DB" -c "SELECT 'ins ' || n_tup_ins || ', upd ' || n_tup_upd || ' (HOT ' || n_tup_hot_upd || '), del ' || n_tup_del || ', autovacuum ' || autovacuum_count || ', autoanalyze ' || autoanalyze_count || ', size ' || pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables WHERE schemaname = '$PG_SCHEMA2' AND relname = 't_deal'" 2>&1)"
	(cd "$WD" && "$STREAM_BIN" --env "$WD/kafka2.env" --database trading2 --status) 2>&1 | mask | sed 's/^/    /' | tee -a "$LOG" || true
	# no autovacuum of it during the steady load
	pg_super -d "$PG_DB" -c "DROP SCHEMA $PG_SCHEMA2 CASCADE" >>"$LOG" 2>&1 || say "  (could not drop schema $PG_SCHEMA2)"
fi
# --- 7c. what the mock broker and librdkafka alone allow (the ceilings) -----------------------
#
# The published events themselves, without stream: kafka-dump produces them
# again (read from a file, as key<TAB>value lines) with stream's producer
# settings into a second topic of the same partitions, and then consumes the
# published topic with stream's consumer settings, counting only. Neither
# builds or parses JSON, so their rates bound what any publisher or consumer
# can reach through this broker on this machine.
KX_P_SECS=- KX_P_RATE=- KX_P_CPU=- KX_P_MOCK=- KX_C_SECS=- KX_C_RATE=- KX_C_CPU=- KX_C_MOCK=- KX_CHECK="not run"
if [ "$KAFKA" = 1 ] && [ -n "$KDUMP_BIN" ] && [ "$K_CHECK" = ok ] && [ "${K_HW:-}" = "${K_READ:-x}" ]; then
	"$KDUMP_BIN" --bootstrap-file "$KD/bootstrap" --topic "$K_TOPIC" --timeout 600 2>"$KD/xdump.err" |
		cut -f4- >"$KD/events.kv"
	settle
	say "- ceilings: kafka-dump producing the $(wc -l <"$KD/events.kv" | tr -d ' ') published events again ($(du -m "$KD/events.kv" | cut -f1) MiB of key/value text), then consuming the topic (load $(loadavg))"
	c_mock0=$(cpu_of "$MOCK_PID")
	rc=0
	/usr/bin/time -f '%e %M %U %S' -o "$KD/xprod.time" "$KDUMP_BIN" --bootstrap-file "$KD/bootstrap" \
		--produce "$KX_TOPIC" --timeout 600 --set compression.type=zstd --set partitioner=murmur2_random \
		--set linger.ms=10 --set queue.buffering.max.kbytes=65536 <"$KD/events.kv" >/dev/null 2>"$KD/xprod.err" || rc=$?
	KX_P_MOCK=$(cpu_diff "$c_mock0" "$(cpu_of "$MOCK_PID")")
	read -r KX_P_SECS _r u sy <"$KD/xprod.time" || true
	KX_P_CPU=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.1f", u + s }')
	settle
	c_mock0=$(cpu_of "$MOCK_PID")
	n=$(/usr/bin/time -f '%e %M %U %S' -o "$KD/xcons.time" "$KDUMP_BIN" --bootstrap-file "$KD/bootstrap" \
		--topic "$K_TOPIC" --count-only --timeout 600 --set isolation.level=read_committed \
		--set queued.max.messages.kbytes=16384 2>"$KD/xcons.err") || rc=$?
	KX_C_MOCK=$(cpu_diff "$c_mock0" "$(cpu_of "$MOCK_PID")")
	read -r KX_C_SECS _r u sy <"$KD/xcons.time" || true
	KX_C_CPU=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.1f", u + s }')
	KX_CHECK=ok
	[ "$rc" -eq 0 ] || KX_CHECK="kafka-dump failed ($(tail -n 1 "$KD/xprod.err") $(tail -n 1 "$KD/xcons.err"))"
	[ "$n" = "$K_HW" ] || KX_CHECK="$KX_CHECK; consumed $n events, not $K_HW"
	KX_CHECK=${KX_CHECK#ok; }
	KX_P_RATE=$(rate "$K_HW" "$KX_P_SECS")
	KX_C_RATE=$(rate "$K_HW" "$KX_C_SECS")
	say "  produce ceiling: $KX_P_SECS s, $KX_P_RATE events/s; CPU kafka-dump $KX_P_CPU s, kafka-mock $KX_P_MOCK s"
	say "  consume ceiling: $KX_C_SECS s, $KX_C_RATE events/s; CPU kafka-dump $KX_C_CPU s, kafka-mock $KX_C_MOCK s; check: $KX_CHECK"
	rm -f "$KD/events.kv"
fi
if [ "$KAFKA" = 1 ]; then
	mock_stop
	cp "$KD/mock.err" "$OUT/kafka-mock.log" 2>/dev/null || true
	autovacuum_reset
fi

note ""
note "## catch-up of the backlog: $N row changes ($BL_INS ins, $BL_UPD upd, $BL_DEL del) in $NTRX transactions, $(awk -v b="$BL_BYTES" 'BEGIN { printf "%.0f", b / 1048576 }') MiB of binlog ($BL_START .. $END_POS)"
note "(the source wrote it in $BL_SECS s, one session; the contenders ran one after the other, each after a CHECKPOINT, a flush of InnoDB's dirty pages and sync)"
row() { printf '%-46s %8s %10s %8s  %-44s %s' "$@"; }
note "$(row contender seconds 'changes/s' 'RSS MiB' 'CPU seconds' check)"
note "$(row "MariaDB replica (1 SQL thread, trx_commit=$REPLICA_FLUSH)" "$REP_SECS" "$REP_RATE" - "replica $REP_CPU" "$REP_CHECK")"
note "$(row 'stream --stop-at (STREAM_RELAY=off)' "$ST_SECS" "$ST_RATE" "$(mib "$ST_RSS")" "stream $ST_CPU, pg $ST_PG_CPU, source $ST_SRC_CPU" "$ST_CHECK")"
if [ "$RELAY" = 1 ] && [ "$NO_STREAM" != 1 ]; then
	note "$(row 'stream --stop-at (STREAM_RELAY=on)' "$RL_SECS" "$RL_RATE" "$(mib "$RL_RSS")" "stream $RL_CPU, pg $RL_PG_CPU" "$RL_CHECK")"
fi
if [ "$NATIVE" != 0 ]; then
	note "$(row "PostgreSQL native (PL/pgSQL, commit/$NV_BATCH trx)" "$NV1_SECS" "$NV1_RATE" - "pg $NV1_PG_CPU" "$NV1_CHECK")"
	note "$(row 'PostgreSQL native (PL/pgSQL, commit/1 trx)' "$NV2_SECS" "$NV2_RATE" - "pg $NV2_PG_CPU" "$NV2_CHECK")"
fi
if [ "$KAFKA" = 1 ]; then
	note "$(row "stream --to kafka (mock broker, $KAFKA_PARTITIONS partitions)" "$K_SECS" "$K_RATE" "$(mib "$K_RSS")" "stream $K_CPU, mock $K_MOCK_CPU, pg $K_PG_CPU, source $K_SRC_CPU" "$K_CHECK")"
fi
if [ "$KX_CHECK" != "not run" ]; then
	note "$(row "kafka-dump produce ceiling (same events, same settings)" "$KX_P_SECS" "$KX_P_RATE events" - "kafka-dump $KX_P_CPU, mock $KX_P_MOCK" "$KX_CHECK")"
	note "$(row "kafka-dump consume ceiling (count only)" "$KX_C_SECS" "$KX_C_RATE events" - "kafka-dump $KX_C_CPU, mock $KX_C_MOCK" "$KX_CHECK")"
fi
if [ "$KAFKA_CONSUME" = 1 ]; then
	note "$(row 'stream --from kafka (Kafka -> PostgreSQL)' "$KC_SECS" "$KC_RATE" "$(mib "$KC_RSS")" "stream $KC_CPU, mock $KC_MOCK_CPU, pg $KC_PG_CPU" "$KC_CHECK")"
fi
RATIO=$(ratio "$ST_RATE" "$REP_RATE")
note "stream rate / replica rate: $RATIO (target >= 2: $(awk -v r="$RATIO" 'BEGIN { if (r ~ /^[0-9.]+$/) print (r >= 2 ? "met" : "NOT MET"); else print "no figure" }'))"
[ "$NATIVE" = 0 ] || note "stream rate / PostgreSQL-native rate (commit per $NV_BATCH): $(ratio "$ST_RATE" "$NV1_RATE")"
if [ "$RELAY" = 1 ] && [ "$NO_STREAM" != 1 ]; then
	note "relay on / relay off (catch-up seconds): $(ratio "$RL_SECS" "$ST_SECS")"
	note "relay: $RL_EVENTS events, $RL_RAW bytes of records (events and their positions), $RL_DISK bytes on disk:" \
		"$(ratio "$RL_RAW" "$RL_DISK") compression, $(awk -v d="$RL_DISK" -v n="$N" 'BEGIN { if (d ~ /^[0-9]+$/ && n > 0) printf "%.1f", d / n; else printf "-" }') bytes on disk per row change," \
		"$(ratio "$RL_DISK" "$BL_BYTES") of the binlog's size"
fi
[ -z "$ST_COUNTS" ] || note "stream's T_DEAL counters (ins upd del): $ST_COUNTS; in the binlog: $BL_INS $BL_UPD $BL_DEL"
if [ "$KAFKA" = 1 ]; then
	note "publish rate: $K_RATE events/s (target >= $K_TARGET: $(awk -v r="$K_RATE" -v t="$K_TARGET" 'BEGIN { if (r ~ /^[0-9.]+$/) print (r >= t ? "met" : "NOT MET"); else print "no figure" }')); $K_CHG_RATE row changes/s"
	note "  (stream --to kafka's line: events/s, events = $N row changes + $BL_DEL tombstones = $K_EVENTS, to topic $K_TOPIC on $KAFKA_BROKERS mock brokers,"
	note "  mock peak RSS $(mib "$K_MOCK_RSS") MiB; old data dropped by the mock (it keeps about 5 MiB per partition); acknowledgements are what is timed;"
	note "  check: publish_checkpoint = $END_POS; topic: $K_TOPIC_CHECK)"
else
	note "stream --to kafka: not run ($KAFKA_SKIP)"
fi
if [ "$KAFKA_CONSUME" = 1 ]; then
	KC_RATIO=$(ratio "$KC_RATE" "$ST_RATE")
	note "Kafka -> PostgreSQL rate / binlog -> PostgreSQL rate: $KC_RATIO (target >= $KC_TARGET: $(awk -v r="$KC_RATIO" -v t="$KC_TARGET" 'BEGIN { if (r ~ /^[0-9.]+$/) print (r >= t ? "met" : "NOT MET"); else print "no figure" }'))"
	note "  (stream --from kafka: $K_HW events of topic $K_TOPIC, $N row changes, applied into schema $PG_SCHEMA2 (migrated before the backlog);"
	note "  timed from its start to its kafka_offsets at the topic's end, sampled every 0.1 s; mock CPU $KC_MOCK_CPU s;"
	note "  check: $PG_SCHEMA2 = $PG_SCHEMA (EXCEPT ALL both ways, all columns of t_deal, t_carrier, t_event_log), no dead letters)"
else
	note "stream --from kafka: not run ($KC_SKIP)"
fi

# --- 8. steady load: apply lag and memory ----------------------------------------------------

if [ "$LAG" != 0 ] && [ "$NO_STREAM" != 1 ] && [ "$ST_SECS" != FAIL ]; then
	LD="$WD/lag"
	mkdir -p "$LD"
	rm -f "$W/stop_sampling"
	# Each writer works on its own part of the table (no lock waits between
	# them) with the backlog's mix: 1 in 10 transactions updates one row, 1 in
	# 100 updates 1000 rows, the others update 30, insert 15 and delete 5 of
	# its earlier inserts; READ COMMITTED, like most OLTP.
	span=$((ROWS * 9 / 10 / LAG_WRITERS))
	"$MY_NOBIN" xchange_trading <<EOF || die "could not create the writer procedure"
DROP PROCEDURE IF EXISTS bench_writer;
DELIMITER //
CREATE PROCEDURE bench_writer(w INT, secs INT, pause_ms INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE errs INT DEFAULT 0;
  DECLARE lo BIGINT DEFAULT w * $span + 1;
  DECLARE x BIGINT;
  DECLARE prev BIGINT DEFAULT 0;
  DECLARE t_end DATETIME(6) DEFAULT SYSDATE(6) + INTERVAL secs SECOND;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; SET errs = errs + 1; END;
  SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;
  WHILE SYSDATE(6) < t_end DO
    SET x = lo + FLOOR(RAND() * ($span - 1000));
    START TRANSACTION;
    IF i % 100 = 99 THEN
      UPDATE T_DEAL SET qty = qty + 1, updated_at = updated_at WHERE id BETWEEN x AND x + 999;
    ELSEIF i % 10 = 0 THEN
      UPDATE T_DEAL SET price = price + 1 WHERE id = x;
    ELSE
      UPDATE T_DEAL SET price = price + 0.5, status = ELT(1 + i % 3, 'OPEN','CLOSED','CANCELLED'), notes = CONCAT('w', w, ' ', i)
        WHERE id BETWEEN x AND x + 29;
      INSERT INTO T_DEAL (deal_no, carrier_id, status, active, deleted, qty, price, amount, currency, trade_date, created_at, notes, attrs)
        SELECT CONCAT('W', w, '-', i, '-', seq), 1 + seq, 'OPEN', 1, 0, seq, seq * 1.5, NULL, 'USD', '2024-01-01', '2024-01-01 00:00:00', 'writer', '{"w":1}'
        FROM seq_1_to_15;
      IF prev > 0 THEN
        DELETE FROM T_DEAL WHERE id BETWEEN prev AND prev + 4;
      END IF;
      SET prev = LAST_INSERT_ID();
    END IF;
    COMMIT;
    SET i = i + 1;
    IF pause_ms > 0 THEN DO SLEEP(pause_ms / 1000); END IF;
  END WHILE;
  SELECT i, errs;
END //
DELIMITER ;
EOF
	say "- steady load: stream running, $LAG_WRITERS writers for $LAG_SECS s (pause ${LAG_PAUSE_MS} ms after each transaction); lag sampled every $LAG_SAMPLE s (load $(loadavg))"
	settle
	(cd "$WD" && exec "$STREAM_BIN" --env "$WD/.env" --database trading) >"$LD/stream.out" 2>"$LD/stream.err" &
	STREAM_PID=$!
	sleep 3
	pid_is "$STREAM_PID" stream || { tail -n 20 "$LD/stream.err" | mask | tee -a "$LOG"; die "stream did not stay up"; }
	RSS_START=$(ps -o rss= -p "$STREAM_PID" | tr -d ' ')
	# samplers: one client session each, fed a query per tick; the servers'
	# clocks (same host) time the samples
	(while [ ! -e "$W/stop_sampling" ]; do
		echo "SELECT UNIX_TIMESTAMP(SYSDATE(6)); SHOW MASTER STATUS;"
		sleep "$LAG_SAMPLE"
	done | $MY_ROOT -N -B >"$LD/src.txt" 2>"$LD/src.err") &
	BG_PIDS="$BG_PIDS $!"
	(while [ ! -e "$W/stop_sampling" ]; do
		echo "SELECT extract(epoch FROM clock_timestamp()), binlog_file, binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'trading';"
		sleep "$LAG_SAMPLE"
	done | PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -F' ' -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" \
		>"$LD/ckp.txt" 2>"$LD/ckp.err") &
	BG_PIDS="$BG_PIDS $!"
	(while [ ! -e "$W/stop_sampling" ] && kill -0 "$STREAM_PID" 2>/dev/null; do
		echo "$(date +%s.%N) $(ps -o rss= -p "$STREAM_PID" | tr -d ' ')"
		sleep 1
	done >"$LD/rss.txt") &
	BG_PIDS="$BG_PIDS $!"
	sleep 1
	L_START=$(master_pos)
	c_st0=$(cpu_of "$STREAM_PID") c_pg0=$(cpu_of "$PG_PID") c_src0=$(cpu_of "$SRC_PID")
	LT0=$(now)
	WPIDS=""
	w=0
	while [ "$w" -lt "$LAG_WRITERS" ]; do
		$MY_ROOT -N -B xchange_trading -e "CALL bench_writer($w, $LAG_SECS, $LAG_PAUSE_MS)" >"$LD/writer$w.out" 2>&1 &
		WPIDS="$WPIDS $!"
		BG_PIDS="$BG_PIDS $!"
		w=$((w + 1))
	done
	for p in $WPIDS; do wait "$p" || say "  a writer failed: $(cat "$LD"/writer*.out | tr '\n' ' ')"; done
	LT1=$(now)
	L_ST_CPU=$(cpu_diff "$c_st0" "$(cpu_of "$STREAM_PID")")
	L_PG_CPU=$(cpu_diff "$c_pg0" "$(cpu_of "$PG_PID")")
	L_SRC_CPU=$(cpu_diff "$c_src0" "$(cpu_of "$SRC_PID")")
	L_END=$(master_pos)
	L_TRX=$(cat "$LD"/writer*.out | awk '{ n += $1; e += $2 } END { print n + 0, e + 0 }')
	# let stream finish (up to 120 s), the samplers still running
	i=0
	while :; do
		cp=$(pg_super -d "$PG_DB" -c "SELECT binlog_file || ':' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'trading'")
		[ "$cp" = "$L_END" ] && break
		pid_is "$STREAM_PID" stream || break
		[ "$i" -ge 1200 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	: >"$W/stop_sampling"
	RSS_END=$(ps -o rss= -p "$STREAM_PID" 2>/dev/null | tr -d ' ')
	rc=0
	if pid_is "$STREAM_PID" stream; then
		kill -TERM "$STREAM_PID"
		wait "$STREAM_PID" || rc=$?
	else
		wait "$STREAM_PID" || rc=$?
		say "  stream exited by itself during the steady load (status $rc)"
		rc=${rc:-1}; [ "$rc" -ne 0 ] || rc=1
	fi
	STREAM_PID=""
	for p in $BG_PIDS; do wait "$p" 2>/dev/null || true; done
	BG_PIDS=""
	# shellcheck disable=SC2046
	set -- $(binlog_rows "$L_START" "$L_END")
	L_N=$(($1 + $2 + $3))
	{ echo "=== stdout"; cat "$LD/stream.out"; echo "=== stderr"; cat "$LD/stream.err"; } | mask >"$OUT/stream-steady.log"
	L_CHECK=ok
	[ "$rc" -eq 0 ] || L_CHECK="stream exited $rc after SIGTERM"
	[ "$cp" = "$L_END" ] || L_CHECK="$L_CHECK; not caught up 120 s after the load (checkpoint $cp, source $L_END)"
	L_FP=$(pg_fp)
	L_SRC_FP=$(my_fp my_root)
	[ "$L_FP" = "$L_SRC_FP" ] || L_CHECK="$L_CHECK; WRONG DATA: $L_FP (source $L_SRC_FP)"
	L_CHECK=${L_CHECK#ok; }
	[ "$L_CHECK" = ok ] || FAILS=$((FAILS + 1))
	[ -s "$LD/ckp.txt" ] || echo "0 none 0" >"$LD/ckp.txt"   # no checkpoint sampled at all
	cp "$LD/src.txt" "$OUT/lag-source.txt"
	cp "$LD/ckp.txt" "$OUT/lag-checkpoint.txt"
	cp "$LD/rss.txt" "$OUT/lag-rss.txt"
	# lag of a source sample (time t, binlog end P): the first checkpoint
	# sample at or after t whose position is at or after P, minus t
	awk -v t0="$LT0" -v t1="$LT1" '
		function key(f, p) { sub(/.*\./, "", f); return (f + 0) * 1e12 + p }
		FNR == NR { if (NF == 3) { ct[n] = $1; ck[n] = key($2, $3); n++ } next }
		NF == 1 && $1 ~ /^[0-9.]+$/ { ts = $1; next }
		NF >= 2 && ts != "" {
			k = key($1, $2)
			if (ts >= t0 && ts <= t1) {
				while (j < n && (ct[j] < ts || ck[j] < k)) j++
				if (j < n) print ct[j] - ts; else print "unresolved", ct[n - 1] - ts
			}
			ts = ""
		}' "$LD/ckp.txt" "$LD/src.txt" >"$LD/lags.txt"
	LAGS=$(grep -v unresolved "$LD/lags.txt" | sort -n | awk '
		{ v[NR] = $1 }
		function pct(q,  i) { i = int(q * NR + 0.999999); if (i < 1) i = 1; return v[i] }
		END { if (NR) printf "%d %.3f %.3f %.3f %.3f", NR, pct(0.5), pct(0.9), pct(0.99), v[NR]; else print "0 - - - -" }')
	UNRES=$(grep -c unresolved "$LD/lags.txt" || true)
	# from the first source sample at the final position to the first
	# checkpoint sample there
	L_TAIL=$(awk -v e="$L_END" '
		function key(f, p) { sub(/.*\./, "", f); return (f + 0) * 1e12 + p }
		BEGIN { split(e, a, ":"); k = key(a[1], a[2]) }
		FNR == NR { if (NF == 3 && c == "" && key($2, $3) >= k) c = $1; next }
		NF == 1 && $1 ~ /^[0-9.]+$/ { ts = $1; next }
		NF >= 2 && ts != "" && s == "" && key($1, $2) >= k { s = ts }
		END { if (c != "" && s != "") printf "%.2f", (c > s ? c - s : 0); else printf "-" }' "$LD/ckp.txt" "$LD/src.txt")
	# shellcheck disable=SC2086
	set -- $LAGS
	L_NS=$1 L_P50=$2 L_P90=$3 L_P99=$4 L_MAX=$5
	RSS_MAX=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$LD/rss.txt")
	L_SECS=$(elapsed "$LT0" "$LT1")
	note ""
	note "## steady load: $LAG_WRITERS writers x $LAG_SECS s (backlog-like transactions, ${LAG_PAUSE_MS} ms pause after each), stream running"
	note "source: $L_N row changes in $(echo "$L_TRX" | cut -d' ' -f1) transactions ($(echo "$L_TRX" | cut -d' ' -f2) failed) in $L_SECS s: $(rate "$L_N" "$L_SECS") row changes/s; CPU seconds meanwhile: stream $L_ST_CPU, PostgreSQL $L_PG_CPU, source $L_SRC_CPU"
	note "apply lag (source binlog end -> stream checkpoint committed in PostgreSQL; $L_NS samples every $LAG_SAMPLE s, resolution ~$LAG_SAMPLE s): p50 $L_P50 s, p90 $L_P90 s, p99 $L_P99 s, max $L_MAX s$([ "${UNRES:-0}" -eq 0 ] || echo ", $UNRES samples never applied")"
	note "target p99 < 1 s: $(awk -v p="$L_P99" 'BEGIN { if (p ~ /^[0-9.]+$/) print (p < 1 ? "met" : "NOT MET"); else print "no figure" }'); the checkpoint reached the final position $L_TAIL s after the source did"
	# flat: the end of the load is no higher than the first half of it was (or
	# than the catch-up's peak), give or take 25 % or 8 MiB
	RSS_HALF=$(awk -v m="$(echo "$LT0 $LT1" | awk '{ printf "%.3f", ($1 + $2) / 2 }')" '$1 <= m && $2 > h { h = $2 } END { print h + 0 }' "$LD/rss.txt")
	note "stream RSS: $(mib "$RSS_START") MiB 3 s after start, $(mib "$RSS_HALF") MiB at most in the first half of the load, $(mib "$RSS_MAX") MiB at most, $(mib "$RSS_END") MiB at the end ($(awk -v a="$RSS_HALF" -v c="$ST_RSS" -v b="$RSS_END" 'BEGIN { if (c + 0 > a + 0) a = c; if (a + 0 > 0 && b + 0 > 0) print (b <= a * 1.25 || b - a <= 8192 ? "flat" : "GROWS"); else print "no figure" }')); catch-up peak $(mib "$ST_RSS") MiB"
	note "check after the load: $L_CHECK"
fi

note ""
note "finished $(date +%Y-%m-%dT%H:%M:%S); load at end $(loadavg); logs in $OUT"
echo
cat "$SUMMARY"
if [ "$FAILS" -ne 0 ]; then
	echo "stream_bench: $FAILS check(s) failed (see above)" >&2
	exit 1
fi
