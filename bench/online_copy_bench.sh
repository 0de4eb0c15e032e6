#!/bin/sh
# The other tables' lag while stream copies an added table online (issue 13):
# on the shared trading dataset, stream runs for T_CARRIER, T_EVENT_LOG and a
# probe table under a steady write load; then T_DEAL (ROWS deals) is added to
# the allowlist with SIGHUP alone, and the daemon copies it while the others
# stream on. A probe writer stamps a row with the source's clock every
# PROBE_MS ms; a sampler reads the stamp PostgreSQL holds every 0.1 s. The lag
# of a sample is how old the newest stamp PostgreSQL has is (so it includes up
# to PROBE_MS of the writer's own period). Reported: p50 / p99 / max of that
# lag before the copy (baseline) and from the SIGHUP until the copied table
# streams and the stream has caught up again, the copy's time, and a check
# of T_DEAL and T_CARRIER against the source.
#
#   sh bench/online_copy_bench.sh [ROWS]        (default 2000000 deals)
#
# Environment: BASE_SECS (baseline length, default 20), PROBE_MS (default
# 100), STREAM_COPY_WORKERS (passed to stream, default its own), KEEP_WORKDIR=1,
# SHARED_BENCH=DIR (default ../shared/bench of the repository).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
ROWS=${1:-2000000}
BASE_SECS=${BASE_SECS:-20}
PROBE_MS=${PROBE_MS:-100}
SHARED=${SHARED_BENCH:-$REPO/../shared/bench}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/out/online-$STAMP"
W=$(mktemp -d /tmp/online-bench.XXXXXX)
SB="$W/sb"
mkdir -p "$OUT"
LOG="$OUT/log.txt"
CTL=sync_control
PIDS=""

say() { echo "$*" | tee -a "$LOG"; }
die() { say "FAILED: $*"; exit 1; }
now() { date +%s.%N; }
cleanup() {
	touch "$W/stop" 2>/dev/null || true
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	[ -n "${STREAM_PID:-}" ] && kill -9 "$STREAM_PID" 2>/dev/null || true
	sh "$REPO/scripts/sandbox.sh" stop "$SB" >>"$LOG" 2>&1 || true
	[ "${KEEP_WORKDIR:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
for f in gen_trading.sql gen_trading_rows.sh; do [ -f "$SHARED/$f" ] || die "$SHARED/$f missing (SHARED_BENCH)"; done
[ -x "$REPO/bin/stream" ] && [ -x "$REPO/bin/migrate" ] || die "build first (make)"
cp "$REPO/bin/stream" "$REPO/bin/migrate" "$W/"

say "# online copy benchmark $STAMP: $ROWS deals; host nproc=$(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "repo $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown)"
sh "$REPO/scripts/sandbox.sh" start "$SB" >>"$LOG" 2>&1 || die "sandbox start failed (see $LOG)"
# shellcheck disable=SC1091
. "$SB/sandbox.env"
my() { mariadb --no-defaults -uroot -S "$MY_SOCKET" -N -B "$@"; }
pg() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" "$@"; }
my -e "GRANT SELECT ON xchange_trading.* TO '$MY_USER'@'127.0.0.1'"
WD="$W/work"
mkdir -p "$WD/tables.d"
(
	umask 077
	cat >"$WD/.env" <<EOF
SINK_DB_URL=postgresql://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB
SINK_SCHEMA=trading
CONTROL_SCHEMA=$CTL
TABLES_DIR=$WD/tables.d
TRADING_HOST=127.0.0.1
TRADING_PORT=$MY_PORT
TRADING_USER=$MY_USER
TRADING_PASS=$MY_PASS
TRADING_SCHEMA=xchange_trading
EOF
	[ -z "${STREAM_COPY_WORKERS:-}" ] || echo "STREAM_COPY_WORKERS=$STREAM_COPY_WORKERS" >>"$WD/.env"
)
printf '#!/bin/sh\nexec mariadb --no-defaults -uroot -S "%s" --init-command="SET sql_log_bin=0" "$@"\n' "$MY_SOCKET" >"$W/my_nobin"
chmod 700 "$W/my_nobin"
t0=$(now)
"$W/my_nobin" <"$SHARED/gen_trading.sql" >>"$LOG" 2>&1 || die "gen_trading.sql failed"
sh "$SHARED/gen_trading_rows.sh" "$W/my_nobin" "$ROWS" >>"$LOG" 2>&1 || die "gen_trading_rows.sh failed"
my xchange_trading -e "CREATE TABLE probe (id INT NOT NULL PRIMARY KEY, ts DATETIME(6) NOT NULL); INSERT INTO probe VALUES (1, SYSDATE(6))"
my xchange_trading -e "SELECT COUNT(*) FROM T_DEAL; SELECT COUNT(*) FROM T_EVENT_LOG" >/dev/null   # warm the cache
say "source generated in $(echo "$(now) - $t0" | bc) s"
printf 'T_CARRIER\nT_EVENT_LOG\nprobe\n' >"$WD/tables.d/trading"
(cd "$WD" && "$W/migrate" --env "$WD/.env" --database trading --tables all --no-progress) >>"$LOG" 2>&1 || die "migrate failed"

(cd "$WD" && exec "$W/stream" --env "$WD/.env" --database trading) >"$W/stream.log" 2>&1 &
STREAM_PID=$!
sleep 2
kill -0 "$STREAM_PID" || die "stream did not start: $(tail -5 "$W/stream.log")"

# the load: the probe every PROBE_MS, and a steady mix on the other tables
# and on T_DEAL (the table that will be copied)
(while [ ! -f "$W/stop" ]; do
	echo "UPDATE probe SET ts = SYSDATE(6) WHERE id = 1; DO SLEEP($PROBE_MS / 1000);"
done | my xchange_trading >"$W/probe.out" 2>&1) &
PIDS="$PIDS $!"
(i=0; while [ ! -f "$W/stop" ]; do
	i=$((i + 1))
	echo "START TRANSACTION; UPDATE T_CARRIER SET name = CONCAT('c', $i) WHERE id = $((i % 50000 + 1));
	  INSERT INTO T_EVENT_LOG (ts, level, source, message) VALUES (NOW(6), 1, 'bench', CONCAT('m', $i));
	  UPDATE T_DEAL SET qty = qty + 1 WHERE id = $((i * 7919 % ROWS + 1)); COMMIT; DO SLEEP(0.01);"
done | my xchange_trading >"$W/load.out" 2>&1) &
PIDS="$PIDS $!"
# the sampler: newest stamp in PostgreSQL vs the clock (same host)
(while [ ! -f "$W/stop" ]; do
	echo "SELECT extract(epoch FROM clock_timestamp()), coalesce(extract(epoch FROM clock_timestamp() - (SELECT ts FROM trading.probe WHERE id = 1)), -1);"
	sleep 0.1
done | pg -F' ' >"$W/samples.txt" 2>"$W/samples.err") &
PIDS="$PIDS $!"

sleep 2
T_BASE=$(date +%s.%N)     # the baseline starts once the load runs
sleep "$BASE_SECS"
T_HUP=$(date +%s.%N)
printf 'T_CARRIER\nT_EVENT_LOG\nprobe\nT_DEAL\n' >"$WD/tables.d/trading"
kill -HUP "$STREAM_PID"
i=0
until grep -q 'table "T_DEAL" streams from' "$W/stream.log"; do
	i=$((i + 1)); [ $i -le 36000 ] || die "T_DEAL did not join within an hour"
	kill -0 "$STREAM_PID" || die "stream exited: $(tail -5 "$W/stream.log")"
	sleep 0.1
done
T_JOIN=$(date +%s.%N)
sleep 10    # the re-read from T_DEAL's watermark, and a settled tail
T_END=$(date +%s.%N)
touch "$W/stop"
for p in $PIDS; do wait "$p" 2>/dev/null || true; done
PIDS=""
END=$(my -e "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }')
i=0
until [ "$(pg -c "SELECT binlog_file || ':' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = 'trading'")" = "$END" ]; do
	i=$((i + 1)); [ $i -le 1200 ] || die "stream did not catch up with $END"; sleep 0.1
done
kill -TERM "$STREAM_PID"; wait "$STREAM_PID" || die "stream did not stop cleanly"
STREAM_PID=""

pct() {  # pct FROM TO: n p50 p99 max of the samples in [FROM, TO)
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && $2 >= 0 { print $2 }' "$W/samples.txt" | sort -n | awk '
		{ v[NR] = $1 }
		function q(p,  i) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return v[i] }
		END { if (NR) printf "%d samples: p50 %.3f s, p99 %.3f s, max %.3f s", NR, q(0.5), q(0.99), v[NR]; else print "no samples" }'
}
COPY=$(grep -o 'online copy of table "T_DEAL" is ready: [0-9]* rows in [0-9.]* s' "$W/stream.log" | head -1)
say "copy: ${COPY:-not found}"
say "lag of the probe table before the copy (${BASE_SECS} s): $(pct "$T_BASE" "$T_HUP")"
say "lag of the probe table from SIGHUP to T_DEAL streaming ($(echo "$T_JOIN - $T_HUP" | bc) s): $(pct "$T_HUP" "$T_JOIN")"
say "lag of the probe table in the 10 s after it joined (re-read from its watermark): $(pct "$T_JOIN" "$T_END")"
say "lag of the probe table from SIGHUP to the end: $(pct "$T_HUP" "$T_END")"
fp_my=$(my xchange_trading -e "SELECT COUNT(*), SUM(qty), SUM(id) FROM T_DEAL; SELECT COUNT(*), SUM(LENGTH(name)) FROM T_CARRIER" | tr '\t\n' '  ')
fp_pg=$(pg -F"$(printf "\t")" -c "SELECT count(*), sum(qty), sum(id) FROM trading.t_deal" -c "SELECT count(*), sum(length(name)) FROM trading.t_carrier" | tr '\t\n' '  ')
[ "$fp_my" = "$fp_pg" ] && say "check: T_DEAL and T_CARRIER equal the source ($fp_my)" || die "check: source $fp_my, PostgreSQL $fp_pg"
say "stream retries during the run: $(grep -c 'retrying in' "$W/stream.log" || true)"
cp "$W/stream.log" "$OUT/stream.log"
cp "$W/samples.txt" "$OUT/samples.txt"
say "output in $OUT"
