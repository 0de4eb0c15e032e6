#!/bin/sh
# Runs a libFuzzer binary over a copy of tests/fuzz/corpus for FUZZ_SECONDS
# (default 30) seconds.
#
#   sh tests/fuzz/run.sh BIN
#
# Prints one line, "fuzz: ok (N runs)" or "fuzz: FAILED", and exits non-zero
# on a crash, a leak, a timeout or an out-of-memory. A crashing input is kept
# in FUZZ_ARTIFACTS (default /tmp) and named in the output, to be turned into
# a unit regression test.
set -u

BIN=${1:?usage: sh tests/fuzz/run.sh FUZZ-BINARY}
case $BIN in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
cd "$(dirname "$0")/../.." || exit 2
SECS=${FUZZ_SECONDS:-30}
ARTIFACTS=${FUZZ_ARTIFACTS:-/tmp}

[ -x "$BIN" ] || { echo "fuzz: $BIN not built"; echo "fuzz: FAILED"; exit 1; }
TMP=$(mktemp -d /tmp/fuzz-run.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/corpus"
cp tests/fuzz/corpus/* "$TMP/corpus/" 2>/dev/null || true

"$BIN" -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	-print_final_stats=1 -artifact_prefix="$ARTIFACTS/fuzz-binlog-" \
	"$TMP/corpus" >"$TMP/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/log" | tail -n 1)
if [ "$rc" -eq 0 ]; then
	echo "fuzz: ok (${runs:-0} runs)"
	exit 0
fi
tail -n 60 "$TMP/log"
grep -h 'Test unit written to' "$TMP/log" || true
echo "fuzz: FAILED"
exit 1
