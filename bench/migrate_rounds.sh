#!/bin/sh
# Interleaved rounds of migrate against the raw pipe (logged variant of
# ../shared/bench/raw_limit.sh) on one running sandbox that already holds the
# trading source (e.g. one kept by KEEP_WORKDIR=1 sh bench/migrate_bench.sh).
# Before each command: the targets dropped, CHECKPOINT, sync, 2 s pause.
#
# usage: sh bench/migrate_rounds.sh SANDBOX_DIR ENV_FILE [ROUNDS] [migrate options...]
#   ENV_FILE: settings for database "trading" (TRADING_*, SINK_DB_URL,
#   SINK_SCHEMA, TABLES_DIR with tables.d/trading listing the three tables)
# Prints one line per round: migrate seconds, raw pipe seconds, ratio.
set -u
[ $# -ge 2 ] || { echo "usage: $0 SANDBOX_DIR ENV_FILE [ROUNDS] [migrate options...]" >&2; exit 2; }
SBX=$1; ENVF=$2; N=${3:-3}
[ $# -ge 3 ] && shift 3 || shift 2
cd "$(dirname "$0")/.." || exit 2
. "$SBX/sandbox.env"
SHARED=${SHARED_BENCH:-../shared/bench}
MIGRATE=${MIGRATE:-bin/migrate}
schema=$(sed -n 's/^SINK_SCHEMA=//p' "$ENVF")
ctl=$(sed -n 's/^CONTROL_SCHEMA=//p' "$ENVF"); ctl=${ctl:-sync_control}
RAW=$(mktemp /tmp/raw_logged.XXXXXX.sh)
trap 'rm -f "$RAW"' EXIT
# the logged variant: plain CREATE TABLE, no SET LOGGED step
sed -e 's/create unlogged table/create table/g' -e '/set logged/d' \
    "$SHARED/raw_limit.sh" > "$RAW"
quiet() { $PSQL_ADMIN -d sink -c checkpoint >/dev/null; sync; sleep 2; }
now() { date +%s.%N; }
i=1
while [ $i -le "$N" ]; do
	$PSQL_ADMIN -d sink -q -c "drop schema if exists \"$schema\" cascade" -c "drop schema if exists \"$ctl\" cascade" >/dev/null 2>&1
	$PSQL_ADMIN -q -c "drop database if exists raw_logged" >/dev/null 2>&1
	quiet
	s=$(now); "$MIGRATE" --env "$ENVF" --database trading --tables all --no-progress "$@" >/tmp/migrate_rounds.log 2>&1
	rc=$?; e=$(now)
	[ $rc -eq 0 ] || { echo "round $i: migrate failed (exit $rc), see /tmp/migrate_rounds.log"; exit 1; }
	m=$(echo "$e - $s" | bc)
	quiet
	r=$(sh "$RAW" "$MY_ROOT" "$PSQL_ADMIN" raw_logged 2>/dev/null | sed -n 's/.*total_s=\([0-9.]*\).*/\1/p')
	echo "round $i: migrate $m s, raw pipe logged $r s, ratio $(echo "scale=3; $m / $r" | bc)"
	i=$((i + 1))
done
