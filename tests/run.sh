#!/bin/sh
# All tests: $BINDIR/unit-tests (Check), the decoder's fuzz target for
# FUZZ_SECONDS (default 30), then tests/integration/run.sh. Ends
# with the combined line "N passed, N failed"; exit status non-zero on any
# failure. Builds nothing (`make test` builds first).
set -u

BINDIR=${BINDIR:-bin}
cd "$(dirname "$0")/.." || exit 2

TMP=$(mktemp -d /tmp/migrate-tests.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
# On Ctrl-C the integration runner stops its sandbox first; let it finish
# (tee -i survives the signal) and exit afterwards.
interrupted=0
trap 'interrupted=1' INT TERM HUP

passed=0
failed=0

# --- unit tests ------------------------------------------------------------
echo "== unit tests"
if [ -x $BINDIR/unit-tests ]; then
	urc=0
	{ $BINDIR/unit-tests; echo "$?" >"$TMP/unit.rc"; } 2>&1 | tee -i "$TMP/unit.log"
	urc=$(cat "$TMP/unit.rc" 2>/dev/null || echo 1)
	# Check's summary: "100%: Checks: 25, Failures: 0, Errors: 0"
	summary=$(sed -n 's/^[0-9]*%: Checks: \([0-9][0-9]*\), Failures: \([0-9][0-9]*\), Errors: \([0-9][0-9]*\).*/\1 \2 \3/p' "$TMP/unit.log" | tail -n 1)
	if [ -n "$summary" ]; then
		set -- $summary
		passed=$((passed + $1 - $2 - $3))
		failed=$((failed + $2 + $3))
		if [ "$urc" -ne 0 ] && [ $(($2 + $3)) -eq 0 ]; then
			echo "unit tests: exit status $urc despite no failed checks"
			failed=$((failed + 1))
		fi
	else
		echo "unit tests: no Check summary line (exit status $urc)"
		failed=$((failed + 1))
	fi
else
	echo "unit tests: $BINDIR/unit-tests not built (run make unit-test)"
	failed=$((failed + 1))
fi

# --- the decoder's fuzz target (libFuzzer, ASan + UBSan) -------------------
if [ "$interrupted" -eq 0 ]; then
	echo "== fuzz (${FUZZ_SECONDS:-30} s)"
	if [ -x $BINDIR/fuzz-binlog ]; then
		if sh tests/fuzz/run.sh $BINDIR/fuzz-binlog; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	else
		echo "fuzz: $BINDIR/fuzz-binlog not built (run make $BINDIR/fuzz-binlog)"
		failed=$((failed + 1))
	fi
fi

# --- integration tests -----------------------------------------------------
if [ "$interrupted" -eq 0 ]; then
	echo "== integration tests"
	{ sh tests/integration/run.sh; echo "$?" >"$TMP/it.rc"; } 2>&1 | tee -i "$TMP/it.log"
	irc=$(cat "$TMP/it.rc" 2>/dev/null || echo 1)
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/it.log" | tail -n 1)
	if [ -n "$line" ]; then
		set -- $line
		passed=$((passed + $1))
		failed=$((failed + $3))
		if [ "$irc" -ne 0 ] && [ "$3" -eq 0 ]; then
			failed=$((failed + 1)) # e.g. no test ran, or the sandbox did not stop
		fi
	else
		echo "integration tests: no summary line (exit status $irc)"
		failed=$((failed + 1))
	fi
fi

echo "== all tests"
[ "$interrupted" -eq 0 ] || { echo "interrupted"; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$interrupted" -eq 0 ]
