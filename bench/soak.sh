#!/bin/sh
# Soak of bin/stream: a steady write load on the source for DURATION seconds
# while stream runs, with a kill -9 of stream every KILL_EVERY seconds (and
# an immediate restart), a full source/target comparison every CHECK_EVERY
# seconds, and the stream's RSS, open files and lag sampled every SAMPLE
# seconds. Optionally (OUTAGE=SECONDS) PostgreSQL is stopped for that long
# in the middle of the run. Not part of `make test`. See bench/README.md.
#
#   sh bench/soak.sh
#
# Environment:
#   DURATION=S      length of the write load (default 1200)
#   KILL_EVERY=S    kill -9 of stream every S seconds, restarted at once (default 200; 0: never)
#   CHECK_EVERY=S   full comparison every S seconds (default 300; one more at the end)
#   SAMPLE=S        sampling interval of RSS, open files and lag (default 10)
#   ROWS=N          deals in the source at the start (default 50000)
#   WRITERS=N       writer sessions (default 2)
#   PAUSE_MS=N      pause of each writer after each transaction (default 20)
#   OUTAGE=S        stop PostgreSQL for S seconds during the run (default 0: no outage)
#   OUTAGE_AT=S     when the outage begins (default: 30 s after the first kill, or DURATION/3)
#   OUTAGE_FLUSH=1  rotate the source's binlog (FLUSH BINARY LOGS) when the outage begins,
#                   as a busy server would, so that the binlog the stream needs is no longer
#                   the active one (default 1; 0: no rotation)
#   EXPIRE=S        binlog_expire_logs_seconds of the source for the run (default: the
#                   server's, 0 = never)
#   STREAM=PATH, MIGRATE=PATH  the binaries (default bin/stream, bin/migrate; copied at the
#                   start, so a rebuild during the run changes nothing)
#   SHARED_BENCH=DIR  the shared inputs (default ../shared/bench of the repo)
#   KEEP_WORKDIR=1  keep the temporary directory (servers are stopped anyway)
#
# Output: printed and written to bench/out/soak-<stamp>/ (summary.txt,
# samples.csv, bench.log, stream.log with passwords masked). Exits 1 when a
# comparison failed, stream exited by itself, or RSS or open files grew.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
DURATION=${DURATION:-1200}
KILL_EVERY=${KILL_EVERY:-200}
CHECK_EVERY=${CHECK_EVERY:-300}
SAMPLE=${SAMPLE:-10}
ROWS=${ROWS:-50000}
WRITERS=${WRITERS:-2}
PAUSE_MS=${PAUSE_MS:-20}
OUTAGE=${OUTAGE:-0}
OUTAGE_FLUSH=${OUTAGE_FLUSH:-1}
EXPIRE=${EXPIRE:-}
SHARED=${SHARED_BENCH:-$REPO/../shared/bench}
SLICE=5                 # seconds of one writer CALL; a pause waits for the current one
WARMUP=30               # seconds of a stream's life not judged for growth
CATCHUP_TIMEOUT=600     # seconds a comparison waits for the stream to catch up
CTL=sync_control
PG_SCHEMA=trading       # the stream's target
CHK_SCHEMA=soak_check   # the comparison's fresh copy (migrate --database check)

die() { echo "soak: $*" >&2; exit 1; }
isnum() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }
for v in DURATION KILL_EVERY CHECK_EVERY SAMPLE ROWS WRITERS PAUSE_MS OUTAGE; do
	eval "isnum \"\$$v\"" || die "$v must be a number of seconds (or a count)"
done
[ "$SAMPLE" -ge 1 ] || die "SAMPLE must be at least 1"
[ "$CHECK_EVERY" -ge 1 ] || die "CHECK_EVERY must be at least 1"
[ "$WRITERS" -ge 1 ] || die "WRITERS must be at least 1"
[ "$ROWS" -ge 1000 ] || die "ROWS must be at least 1000"
[ -z "$EXPIRE" ] || isnum "$EXPIRE" || die "EXPIRE must be a number of seconds"
if [ "$OUTAGE" -gt 0 ]; then
	if [ -z "${OUTAGE_AT:-}" ]; then
		OUTAGE_AT=$((DURATION / 3))
		[ "$KILL_EVERY" -gt 0 ] && [ "$KILL_EVERY" -lt "$DURATION" ] && OUTAGE_AT=$((KILL_EVERY + 30))
	fi
	isnum "$OUTAGE_AT" || die "OUTAGE_AT must be a number of seconds"
	[ $((OUTAGE_AT + OUTAGE)) -lt "$DURATION" ] || die "the outage (OUTAGE_AT $OUTAGE_AT + OUTAGE $OUTAGE) must end before DURATION $DURATION"
else
	OUTAGE_AT=""
fi
for f in gen_trading.sql gen_trading_rows.sh; do
	[ -r "$SHARED/$f" ] || die "shared benchmark input $SHARED/$f not found (set SHARED_BENCH)"
done
SHARED=$(cd "$SHARED" && pwd -P)
SRC_STREAM=${STREAM:-$REPO/bin/stream}
SRC_MIGRATE=${MIGRATE:-$REPO/bin/migrate}
[ -x "$SRC_STREAM" ] || die "$SRC_STREAM not built (run make)"
[ -x "$SRC_MIGRATE" ] || die "$SRC_MIGRATE not built (run make)"
for c in psql mariadb awk sort openssl; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found"
done

STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/out/soak-$STAMP"
mkdir -p "$OUT"
W=$(mktemp -d /tmp/soak.XXXXXX)
chmod 755 "$W"
SB=""
STREAM_PID=""
BG_PIDS=""
PG_DOWN=0
FAILS=0
LOG="$OUT/bench.log"
SUMMARY="$OUT/summary.txt"
CSV="$OUT/samples.csv"
: >"$LOG"
: >"$SUMMARY"

pid_is() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

cleanup() {
	st=$?
	set +e
	[ -d "$W" ] && : >"$W/stop_writers" && : >"$W/stop_sampling"
	if [ -n "$STREAM_PID" ] && pid_is "$STREAM_PID" stream; then
		kill -TERM "$STREAM_PID" 2>/dev/null
		i=0
		while kill -0 "$STREAM_PID" 2>/dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$STREAM_PID" 2>/dev/null
	fi
	for p in $BG_PIDS; do
		kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
	done
	if [ -n "$SB" ]; then
		[ -f "$W/stream.all.log" ] && mask <"$W/stream.all.log" >"$OUT/stream.log"
		sh "$REPO/scripts/sandbox.sh" stop "$SB" >>"$LOG" 2>&1 ||
			echo "soak: could not stop the sandbox in $SB" >&2
	fi
	if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
		echo "soak: work dir kept: $W (holds passwords)" >&2
	else
		rm -rf "$W"
	fi
	[ "$st" -eq 0 ] || echo "soak: FAILED (status $st); log: $LOG" >&2
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

cp "$SRC_STREAM" "$W/stream"
cp "$SRC_MIGRATE" "$W/migrate"
STREAM_BIN="$W/stream"
MIGRATE_BIN="$W/migrate"

unset SINK_DB_URL SINK_SCHEMA CONTROL_SCHEMA TABLES_DIR IDENTIFIER_CASE LOG_LEVEL LOG_FORMAT \
	TRADING_HOST TRADING_PORT TRADING_USER TRADING_PASS TRADING_SCHEMA TRADING_SINK_SCHEMA \
	TRADING_TLS TRADING_SERVER_ID CHECK_HOST CHECK_PORT CHECK_USER CHECK_PASS CHECK_SCHEMA \
	CHECK_SINK_SCHEMA CHECK_TLS 2>/dev/null || true

mask() { sed -e "s/${MY_PASS:-@@none@@}/***/g" -e "s/${PG_PASS:-@@none@@}/***/g"; }
say() { echo "$(date +%H:%M:%S) $*" | tee -a "$LOG"; }
note() { echo "$*" | tee -a "$LOG" >>"$SUMMARY"; }
now() { date +%s; }

my_root() { $MY_ROOT -N -B "$@"; }
pg_super() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -F'|' -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" "$@"; }
master_pos() { my_root -e "SHOW MASTER STATUS" | awk -F'\t' 'NR == 1 { print $1 ":" $2 }'; }
ckpt() { pg_super -c "SELECT binlog_file || ':' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'trading'" 2>/dev/null; }
# pos_ge A B: binlog position A (FILE:POS) is at or after B
pos_ge() {
	[ -n "$1" ] || return 1
	[ "${1%:*}" \> "${2%:*}" ] || { [ "${1%:*}" = "${2%:*}" ] && [ "${1##*:}" -ge "${2##*:}" ]; }
}

# --- machine facts -------------------------------------------------------------

note "# stream soak $STAMP: $DURATION s of writes ($WRITERS writers, ${PAUSE_MS} ms pause), $([ "$KILL_EVERY" -gt 0 ] && echo "kill -9 every $KILL_EVERY s" || echo "no kill -9"), comparison every $CHECK_EVERY s, samples every $SAMPLE s$([ "$OUTAGE" -gt 0 ] && echo ", PostgreSQL stopped for $OUTAGE s at $OUTAGE_AT s (binlog rotated then: $OUTAGE_FLUSH)")$([ -n "$EXPIRE" ] && echo ", binlog_expire_logs_seconds $EXPIRE")"
note "host: nproc=$(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r), load at start $(cut -d' ' -f1-3 /proc/loadavg)"
free -m | sed 's/^/  /' | tee -a "$LOG" >>"$SUMMARY"
note "repo: $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown) ($(cd "$REPO" && git rev-parse --abbrev-ref HEAD 2>/dev/null)); stream $SRC_STREAM (sha256 $(sha256sum "$STREAM_BIN" | cut -c1-12), built $(date -r "$SRC_STREAM" +%Y-%m-%dT%H:%M:%S))"

# --- sandbox, source, migrate ---------------------------------------------------

SB="$W/sb"
sh "$REPO/scripts/sandbox.sh" start "$SB" >>"$LOG" 2>&1 || die "sandbox start failed (see $LOG)"
# shellcheck disable=SC1090,SC1091
. "$SB/sandbox.env"
[ -z "$EXPIRE" ] || my_root -e "SET GLOBAL binlog_expire_logs_seconds = $EXPIRE"
note "MariaDB $(my_root -e 'SELECT VERSION()') (binlog_expire_logs_seconds $(my_root -e 'SELECT @@global.binlog_expire_logs_seconds'), max_binlog_size $(my_root -e 'SELECT @@max_binlog_size')), PostgreSQL $(pg_super -c 'SHOW server_version')"
WD="$SB/work"
mkdir -p "$WD/tables.d"
printf 'T_DEAL\nT_CARRIER\nT_EVENT_LOG\n' >"$WD/tables.d/trading"
cp "$WD/tables.d/trading" "$WD/tables.d/check"
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
CHECK_HOST=127.0.0.1
CHECK_PORT=$MY_PORT
CHECK_USER=$MY_USER
CHECK_PASS=$MY_PASS
CHECK_SCHEMA=xchange_trading
CHECK_SINK_SCHEMA=$CHK_SCHEMA
EOF
)
MY_NOBIN="$WD/my_nobinlog"
printf '#!/bin/sh\nexec mariadb --no-defaults -uroot -S "%s" --init-command="SET sql_log_bin=0" "$@"\n' "$MY_SOCKET" >"$MY_NOBIN"
chmod 700 "$MY_NOBIN"
"$MY_NOBIN" <"$SHARED/gen_trading.sql" >>"$LOG" 2>&1 || die "gen_trading.sql failed (see $LOG)"
sh "$SHARED/gen_trading_rows.sh" "$MY_NOBIN" "$ROWS" >>"$LOG" 2>&1 || die "gen_trading_rows.sh failed (see $LOG)"
say "source: $ROWS deals generated (not in the binlog)"
rc=0
(cd "$WD" && exec "$MIGRATE_BIN" --env "$WD/.env" --database trading --tables all --no-progress) >"$W/migrate.log" 2>&1 || rc=$?
mask <"$W/migrate.log" >"$OUT/migrate.log"
[ "$rc" -eq 0 ] || { tail -n 20 "$W/migrate.log" | mask | tee -a "$LOG"; die "migrate exited $rc"; }
say "migrate done; source binlog at $(master_pos)"

# The write load: each writer CALLs soak_writer for SLICE seconds at a time,
# so that a comparison can pause the load between two CALLs. A transaction
# updates 5 deals of the writer's own range, inserts 3 and deletes 2 of the
# previous transaction's inserts, appends to the keyless T_EVENT_LOG; 1 in 50
# also deletes 5 of its older log rows (keyless deletes), 1 in 20 renames a
# carrier (unique key). READ COMMITTED, like most OLTP.
span=$((ROWS / WRITERS))
"$MY_NOBIN" xchange_trading <<EOF || die "could not create the writer procedure"
DROP PROCEDURE IF EXISTS soak_writer;
DELIMITER //
CREATE PROCEDURE soak_writer(w INT, secs INT, pause_ms INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE x BIGINT;
  DECLARE prev BIGINT DEFAULT 0;
  DECLARE lo BIGINT DEFAULT w * $span + 1;
  DECLARE t_end DATETIME(6) DEFAULT SYSDATE(6) + INTERVAL secs SECOND;
  SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;
  WHILE SYSDATE(6) < t_end DO
    SET x = lo + FLOOR(RAND() * ($span - 10));
    START TRANSACTION;
    UPDATE T_DEAL SET price = price + 0.5, qty = qty + 1, status = ELT(1 + i % 3, 'OPEN','CLOSED','CANCELLED'),
      notes = CONCAT('soak w', w, ' ', i), attrs = IF(i % 7 = 0, NULL, CONCAT('{"w":', w, ',"i":', i, '}'))
      WHERE id BETWEEN x AND x + 4;
    INSERT INTO T_DEAL (deal_no, carrier_id, status, active, deleted, qty, price, amount, currency, trade_date, created_at, notes, attrs)
      SELECT CONCAT('S', w, '-', i, '-', seq), 1 + seq, 'OPEN', seq % 2, 0, seq, seq * 1.5, IF(seq = 2, NULL, seq * 10.25), 'EUR',
        CURRENT_DATE, SYSDATE(3), CONCAT('soak insert ', i), '{"soak":true}'
      FROM seq_1_to_3;
    IF prev > 0 THEN
      DELETE FROM T_DEAL WHERE id BETWEEN prev AND prev + 1;
    END IF;
    SET prev = LAST_INSERT_ID();
    INSERT INTO T_EVENT_LOG (ts, level, source, message) VALUES (SYSDATE(6), i % 6, CONCAT('soak-', w), CONCAT('trx ', i));
    IF i % 50 = 49 THEN
      DELETE FROM T_EVENT_LOG WHERE source = CONCAT('soak-', w) ORDER BY ts LIMIT 5;
    END IF;
    IF i % 20 = 0 THEN
      UPDATE T_CARRIER SET name = CONCAT('Carrier ', id, ' rev ', w, '-', i) WHERE id = 1 + x % 50000;
    END IF;
    COMMIT;
    SET i = i + 1;
    IF pause_ms > 0 THEN DO SLEEP(pause_ms / 1000); END IF;
  END WHILE;
  SELECT i;
END //
DELIMITER ;
EOF

# writer W: slices until stop_writers; between slices it honours "pause"
writer() {
	set +e
	while [ ! -e "$W/stop_writers" ]; do
		if [ -e "$W/pause" ]; then
			: >"$W/paused.$1"
			sleep 0.2
			continue
		fi
		rm -f "$W/paused.$1"
		if n=$(my_root xchange_trading -e "CALL soak_writer($1, $SLICE, $PAUSE_MS)" 2>>"$W/writer$1.err"); then
			echo "$n" >>"$W/writer$1.trx"
		else
			echo "$(date +%H:%M:%S) writer $1: CALL failed" >>"$W/writer$1.err"
			sleep 1
		fi
	done
	: >"$W/paused.$1"
}

# pause_writers / resume_writers: the load stops between two CALLs
pause_writers() {
	rm -f "$W"/paused.*
	: >"$W/pause"
	_i=0
	while :; do
		_n=0
		for _w in $(seq 0 $((WRITERS - 1))); do [ -e "$W/paused.$_w" ] && _n=$((_n + 1)); done
		[ "$_n" -eq "$WRITERS" ] && return 0
		[ "$_i" -ge $(((SLICE + 60) * 10)) ] && { say "  writers did not pause within $((SLICE + 60)) s"; return 1; }
		sleep 0.1
		_i=$((_i + 1))
	done
}
resume_writers() { rm -f "$W/pause"; }

# --- stream lifetimes -------------------------------------------------------------

LIFE=0
UNEXPECTED=0
start_stream() {
	LIFE=$((LIFE + 1))
	echo "=== lifetime $LIFE, started $(date +%Y-%m-%dT%H:%M:%S)" >>"$W/stream.all.log"
	(cd "$WD" && exec "$STREAM_BIN" --env "$WD/.env" --database trading) >>"$W/stream.all.log" 2>&1 &
	STREAM_PID=$!
	echo "$STREAM_PID $(now) $LIFE" >"$W/stream.cur.tmp"
	mv -f "$W/stream.cur.tmp" "$W/stream.cur"
}
kill_stream() {
	kill -KILL "$STREAM_PID" 2>/dev/null || true
	wait "$STREAM_PID" 2>/dev/null || true
	echo "=== lifetime $LIFE: kill -9 at $(date +%Y-%m-%dT%H:%M:%S)" >>"$W/stream.all.log"
	STREAM_PID=""
}
# stream_alive: true while it runs; an exit we did not cause is counted
stream_alive() {
	[ -n "$STREAM_PID" ] && pid_is "$STREAM_PID" stream && return 0
	_rc=0
	wait "$STREAM_PID" 2>/dev/null || _rc=$?
	UNEXPECTED=$((UNEXPECTED + 1))
	say "  stream (lifetime $LIFE, pid $STREAM_PID) exited by itself, status $_rc; restarting it"
	echo "=== lifetime $LIFE: exited by itself, status $_rc" >>"$W/stream.all.log"
	STREAM_PID=""
	return 1
}

# sampler: every SAMPLE s one CSV line: the time, seconds into the load, the
# stream's lifetime, pid, uptime, RSS (KiB, /proc/PID/status VmRSS), open
# files (/proc/PID/fd) and lag (stream --status: bytes of binlog behind the
# source, seconds since the last applied commit), and the phase
sampler() {
	set +e      # a stream that just died must not end the sampling
	echo "epoch,t,lifetime,pid,uptime_s,rss_kib,open_files,lag_bytes,lag_s,phase" >"$CSV"
	while [ ! -e "$W/stop_sampling" ]; do
		_t=$(now)
		_pid="" _st="" _life=""
		[ -r "$W/stream.cur" ] && read -r _pid _st _life <"$W/stream.cur"
		_rss=- _fd=- _up=-
		if [ -n "$_pid" ] && [ -r "/proc/$_pid/status" ] && [ "$(cat "/proc/$_pid/comm" 2>/dev/null)" = stream ]; then
			_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$_pid/status" 2>/dev/null)
			_fd=$(ls "/proc/$_pid/fd" 2>/dev/null | wc -l)
			_up=$((_t - _st))
			# gone meanwhile: no sample
			[ -n "$_rss" ] && [ -d "/proc/$_pid" ] || { _rss=- _fd=- _up=-; }
		fi
		_lag=$(cd "$WD" && "$STREAM_BIN" --env "$WD/.env" --database trading --status 2>/dev/null |
			sed -n 's/^  lag: \([0-9]*\) bytes, \([0-9?]*\) seconds$/\1,\2/p')
		[ -n "$_lag" ] || _lag="-,-"
		echo "$_t,$((_t - T0)),${_life:--},${_pid:--},$_up,${_rss:--},$_fd,$_lag,$(cat "$W/phase" 2>/dev/null || echo run)" >>"$CSV"
		_d=$((SAMPLE - ($(now) - _t)))
		[ "$_d" -gt 0 ] && sleep "$_d"
	done
}

# --- comparison -------------------------------------------------------------------

FP_MY="SELECT COUNT(*), SUM(id), SUM(qty), SUM(price), COUNT(amount), SUM(amount), COUNT(notes), COUNT(attrs) FROM T_DEAL;
	SELECT COUNT(*), SUM(LENGTH(name)) FROM T_CARRIER; SELECT COUNT(*), SUM(level) FROM T_EVENT_LOG;"
FP_PG="SELECT COUNT(*), SUM(id), SUM(qty), SUM(price), COUNT(amount), SUM(amount), COUNT(notes), COUNT(attrs) FROM $PG_SCHEMA.t_deal;
	SELECT COUNT(*), SUM(octet_length(name)) FROM $PG_SCHEMA.t_carrier; SELECT COUNT(*), SUM(level) FROM $PG_SCHEMA.t_event_log;"
NCHECK=0
CHECK_FAILS=0
# compare WHY: pauses the load, waits until the stream's checkpoint is at
# the source's binlog end, compares a fingerprint of every table with
# MariaDB's, then copies the source afresh with migrate (database "check",
# schema soak_check) and compares every row and column of the stream's
# tables with that copy (EXCEPT ALL both ways: duplicates count), then
# resumes the load
compare() {
	NCHECK=$((NCHECK + 1))
	echo check >"$W/phase"
	_t0=$(now)
	[ -e "$W/stop_writers" ] || pause_writers || true
	_end=$(master_pos)
	_i=0
	_ok=1
	while ! pos_ge "$(ckpt)" "$_end"; do
		stream_alive || start_stream
		[ "$_i" -ge $((CATCHUP_TIMEOUT * 10)) ] && { _ok=0; break; }
		sleep 0.1
		_i=$((_i + 1))
	done
	_cu=$(($(now) - _t0))
	_res=""
	if [ "$_ok" = 0 ]; then
		_res="NOT CAUGHT UP in $CATCHUP_TIMEOUT s (checkpoint $(ckpt), source $_end)"
	else
		_m=$(my_root xchange_trading -e "$FP_MY" | tr '\t\n' '| ' | sed 's/ $//')
		_p=$(pg_super -c "$FP_PG" 2>&1 | tr '\n' ' ' | sed 's/ $//')
		[ "$_m" = "$_p" ] || _res="fingerprint differs: source $_m, target $_p"
		_rc=0
		(cd "$WD" && exec "$MIGRATE_BIN" --env "$WD/.env" --database check --tables all --no-progress) >"$W/migrate-check.log" 2>&1 || _rc=$?
		if [ "$_rc" -ne 0 ]; then
			_res="$_res; migrate of the fresh copy exited $_rc"
			tail -n 10 "$W/migrate-check.log" | mask >>"$LOG"
		else
			for _tb in t_deal t_carrier t_event_log; do
				_d=$(pg_super -c "SELECT (SELECT count(*) FROM (SELECT * FROM $PG_SCHEMA.$_tb EXCEPT ALL SELECT * FROM $CHK_SCHEMA.$_tb) x) || ' ' ||
					(SELECT count(*) FROM (SELECT * FROM $CHK_SCHEMA.$_tb EXCEPT ALL SELECT * FROM $PG_SCHEMA.$_tb) y)" 2>&1)
				if [ "$_d" != "0 0" ]; then
					_res="$_res; $_tb: $_d rows only in the target / only in the source"
					pg_super -c "(SELECT 'only in target', * FROM (SELECT * FROM $PG_SCHEMA.$_tb EXCEPT ALL SELECT * FROM $CHK_SCHEMA.$_tb) x LIMIT 5)
						UNION ALL (SELECT 'only in source', * FROM (SELECT * FROM $CHK_SCHEMA.$_tb EXCEPT ALL SELECT * FROM $PG_SCHEMA.$_tb) y LIMIT 5)" >>"$LOG" 2>&1
				fi
			done
		fi
	fi
	_res=${_res#; }
	_rows=$(my_root xchange_trading -e "SELECT (SELECT COUNT(*) FROM T_DEAL) + (SELECT COUNT(*) FROM T_CARRIER) + (SELECT COUNT(*) FROM T_EVENT_LOG)")
	if [ -z "$_res" ]; then
		say "check $NCHECK ($1, at $(($(now) - T0)) s): equal, $_rows rows in 3 tables; caught up with $_end in $_cu s"
		echo "$NCHECK|$1|$(($(now) - T0))|$_end|$_cu|$_rows|equal" >>"$W/checks"
	else
		CHECK_FAILS=$((CHECK_FAILS + 1))
		say "check $NCHECK ($1, at $(($(now) - T0)) s): FAILED: $_res"
		echo "$NCHECK|$1|$(($(now) - T0))|$_end|$_cu|$_rows|FAILED: $_res" >>"$W/checks"
	fi
	echo run >"$W/phase"
	resume_writers
}

# --- the run ----------------------------------------------------------------------

echo run >"$W/phase"
: >"$W/checks"
start_stream
sleep 2
stream_alive || die "stream did not stay up (see $W/stream.all.log)"
T0=$(now)
sampler &
BG_PIDS="$BG_PIDS $!"
for w in $(seq 0 $((WRITERS - 1))); do
	writer "$w" &
	BG_PIDS="$BG_PIDS $!"
done
say "load started: $WRITERS writers; stream pid $STREAM_PID"
NEXT_KILL=$KILL_EVERY
NEXT_CHECK=$CHECK_EVERY
KILLS=0
OUT_START="" OUT_END=""
[ "$KILL_EVERY" -gt 0 ] || NEXT_KILL=$((DURATION + 1))
while :; do
	t=$(($(now) - T0))
	[ "$t" -ge "$DURATION" ] && break
	if [ -n "$OUTAGE_AT" ] && [ "$PG_DOWN" = 0 ] && [ -z "$OUT_START" ] && [ "$t" -ge "$OUTAGE_AT" ]; then
		echo outage >"$W/phase"
		sh "$REPO/scripts/sandbox.sh" stop-pg "$SB" >>"$LOG" 2>&1 || die "could not stop PostgreSQL"
		PG_DOWN=1
		OUT_START=$t
		say "outage: PostgreSQL stopped at $t s for $OUTAGE s"
		if [ "$OUTAGE_FLUSH" = 1 ]; then
			sleep 2
			my_root -e "FLUSH BINARY LOGS"
			say "  source binlog rotated: now $(master_pos)"
		fi
	fi
	if [ "$PG_DOWN" = 1 ] && [ "$t" -ge $((OUT_START + OUTAGE)) ]; then
		sh "$REPO/scripts/sandbox.sh" start-pg "$SB" >>"$LOG" 2>&1 || die "could not start PostgreSQL again"
		PG_DOWN=0
		OUT_END=$t
		echo run >"$W/phase"
		say "outage: PostgreSQL started again at $t s"
		# the comparison right after the outage also times the catch-up
		compare "after the outage"
		NEXT_CHECK=$((t + CHECK_EVERY))
		continue
	fi
	stream_alive || start_stream
	if [ "$PG_DOWN" = 0 ] && [ "$t" -ge "$NEXT_KILL" ]; then
		kill_stream
		KILLS=$((KILLS + 1))
		start_stream
		say "kill -9 #$KILLS at $t s; stream restarted, pid $STREAM_PID (lifetime $LIFE)"
		NEXT_KILL=$((NEXT_KILL + KILL_EVERY))
	fi
	if [ "$PG_DOWN" = 0 ] && [ "$t" -ge "$NEXT_CHECK" ]; then
		compare "every $CHECK_EVERY s"
		NEXT_CHECK=$((NEXT_CHECK + CHECK_EVERY))
	fi
	sleep 1
done
rm -f "$W"/paused.*
: >"$W/stop_writers"
say "load finished at $(($(now) - T0)) s; waiting for the writers"
for w in $(seq 0 $((WRITERS - 1))); do
	i=0
	while [ ! -e "$W/paused.$w" ] && [ "$i" -lt $(((SLICE + 60) * 10)) ]; do sleep 0.1; i=$((i + 1)); done
done
stream_alive || start_stream
compare "final"
: >"$W/stop_sampling"
rc=0
kill -TERM "$STREAM_PID"
wait "$STREAM_PID" || rc=$?
echo "=== lifetime $LIFE: SIGTERM, exit $rc" >>"$W/stream.all.log"
STREAM_PID=""
[ "$rc" -eq 0 ] || { say "stream exited $rc after SIGTERM"; FAILS=$((FAILS + 1)); }
for p in $BG_PIDS; do wait "$p" 2>/dev/null || true; done
BG_PIDS=""
mask <"$W/stream.all.log" >"$OUT/stream.log"

# --- verdict ----------------------------------------------------------------------

TRX=$(cat "$W"/writer*.trx 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
WERR=$(cat "$W"/writer*.err 2>/dev/null | grep -c 'CALL failed' || true)
note ""
note "load: $TRX source transactions in $DURATION s ($(awk -v n="$TRX" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }')/s, each 5 updates + 3 inserts + 2 deletes of T_DEAL and 1 log insert; ~$(awk -v n="$TRX" -v d="$DURATION" 'BEGIN { printf "%.0f", n * 11 / d }') row changes/s), $WERR failed writer CALLs; source binlog end $(master_pos)"
note "stream: $LIFE lifetimes, $KILLS kill -9, $UNEXPECTED exits by itself"
if [ -n "$OUT_START" ]; then
	retries=$(grep -c 'retrying in' "$OUT/stream.log" || true)
	note "outage: PostgreSQL down from $OUT_START s to ${OUT_END:-?} s; stream log during the run: $retries \"retrying in\" lines in total; retention warnings: $(grep -c 'binlog retention\|binary log .* purged' "$OUT/stream.log" || true); recovery lines:"
	grep -E 'recovered|outage' "$OUT/stream.log" | sed 's/^/  /' | tail -n 5 | tee -a "$LOG" >>"$SUMMARY" || true
	grep -E 'retention|purged' "$OUT/stream.log" | sed 's/^/  /' | head -n 3 | tee -a "$LOG" >>"$SUMMARY" || true
fi
note "comparisons ($NCHECK; source fingerprint + EXCEPT ALL of every table against a fresh migrate copy, load paused meanwhile):"
awk -F'|' '{ printf "  #%s %-18s at %5s s: %s (%s rows; caught up with %s in %s s)\n", $1, $2, $3, $7, $6, $4, $5 }' "$W/checks" | tee -a "$LOG" >>"$SUMMARY"

# lag over the samples (bytes, seconds), outside the comparisons and the outage
note "lag (stream --status, samples in phase run): $(awk -F, 'NR > 1 && $10 == "run" && $8 ~ /^[0-9]+$/ {
	n++; b[n] = $8; s = ($9 ~ /^[0-9]+$/ ? $9 : 0); if (s > ms) ms = s; if ($8 > mb) mb = $8; sb += $8 }
	END { if (n) printf "%d samples, mean %.0f bytes, max %d bytes, max %d s", n, sb / n, mb, ms; else print "no samples" }' "$CSV")"
[ -z "$OUT_START" ] || note "during the outage: $(awk -F, 'NR > 1 && $10 == "outage" && $6 ~ /^[0-9]+$/ {
	n++; if ($6 > mx) mx = $6; if (!mn || $6 < mn) mn = $6; if (!fmn || $7 < fmn) fmn = $7; if ($7 > fmx) fmx = $7 }
	END { printf "%d samples, RSS %.1f-%.1f MiB, open files %d-%d", n, mn / 1024, mx / 1024, fmn, fmx }' "$CSV") (not judged for growth: the sink connection is closed)"

# Growth. Within each lifetime (samples after WARMUP s of uptime, outside
# an outage, when the sink connection is closed on purpose): the late
# half's peak RSS against the early half's (flat: at most 25 % or 8 MiB
# more, the steady-load rule of bench/stream_bench.sh), and the late half's
# median of open files against the early half's (flat: not more). Across
# lifetimes: the last lifetime against the first at equal uptimes (the same
# rules over the uptimes both reached).
VERDICT=$(awk -F, -v warm="$WARMUP" '
	NR == 1 || $6 !~ /^[0-9]+$/ || $5 < warm || $10 == "outage" { next }
	{ l = $3; n[l]++; up[l, n[l]] = $5; rss[l, n[l]] = $6; fd[l, n[l]] = $7; if (!(l in seen)) { seen[l] = 1; order[++nl] = l } }
	function med(a, k,   i, j, t) { for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } return k ? a[int((k + 1) / 2)] : 0 }
	function flat(a, b) { return b <= a * 1.25 || b - a <= 8192 }
	END {
		bad = 0
		for (x = 1; x <= nl; x++) {
			l = order[x]; k = n[l]
			if (k < 4) { printf "lifetime %s: %d samples after warm-up, not judged\n", l, k; continue }
			h = int(k / 2); e = 0; la = 0; ne = 0; nla = 0
			delete fe; delete fl
			for (i = 1; i <= k; i++) {
				if (i <= h) { if (rss[l, i] > e) e = rss[l, i]; fe[++ne] = fd[l, i] }
				else { if (rss[l, i] > la) la = rss[l, i]; fl[++nla] = fd[l, i] }
			}
			me = med(fe, ne); ml = med(fl, nla)
			v = flat(e, la) ? "flat" : "GROWS"; vf = (ml <= me) ? "flat" : "GROW"
			if (v != "flat" || vf != "flat") bad++
			printf "lifetime %s (uptime %d-%d s, %d samples): RSS peak %.1f MiB early, %.1f MiB late: %s; open files median %d early, %d late: %s\n", l, up[l, 1], up[l, k], k, e / 1024, la / 1024, v, me, ml, vf
		}
		if (nl >= 2) {
			f = order[1]; g = order[nl]; m = n[f] < n[g] ? n[f] : n[g]
			a = 0; b = 0; delete fa; delete fb
			for (i = 1; i <= m; i++) { if (rss[f, i] > a) a = rss[f, i]; if (rss[g, i] > b) b = rss[g, i]; fa[i] = fd[f, i]; fb[i] = fd[g, i] }
			if (m >= 1) {
				ma = med(fa, m); mb = med(fb, m)
				v = flat(a, b) ? "flat" : "GROWS"; vf = (mb <= ma) ? "flat" : "GROW"
				if (v != "flat" || vf != "flat") bad++
				printf "last lifetime %s vs first %s at equal uptimes (%d samples each, up to %d s): RSS peak %.1f vs %.1f MiB: %s; open files median %d vs %d: %s\n", g, f, m, up[g, m], b / 1024, a / 1024, v, mb, ma, vf
			}
		}
		printf "VERDICT %s\n", bad ? "GROWS" : "flat"
	}' "$CSV")
echo "$VERDICT" | grep -v '^VERDICT' | sed 's/^/  /' | tee -a "$LOG" >>"$SUMMARY"
RSS_ALL=$(awk -F, 'NR > 1 && $6 ~ /^[0-9]+$/ { if (!mn || $6 < mn) mn = $6; if ($6 > mx) mx = $6; if (!fmn || $7 < fmn) fmn = $7; if ($7 > fmx) fmx = $7 } END { printf "RSS %.1f-%.1f MiB, open files %d-%d", mn / 1024, mx / 1024, fmn, fmx }' "$CSV")
note "over all samples: $RSS_ALL"
G=$(echo "$VERDICT" | sed -n 's/^VERDICT //p')
[ "$G" = flat ] || FAILS=$((FAILS + 1))
[ "$CHECK_FAILS" -eq 0 ] || FAILS=$((FAILS + 1))
[ "$UNEXPECTED" -eq 0 ] || FAILS=$((FAILS + 1))
note "verdict: comparisons $([ "$CHECK_FAILS" -eq 0 ] && echo "all equal" || echo "$CHECK_FAILS FAILED"); RSS and open files: $G; exits by itself: $UNEXPECTED"
note "finished $(date +%Y-%m-%dT%H:%M:%S); samples in $CSV"
echo
cat "$SUMMARY"
[ "$FAILS" -eq 0 ] || { echo "soak: $FAILS check(s) failed (see above)" >&2; exit 1; }
