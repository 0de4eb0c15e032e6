#!/bin/sh
# Integration tests: starts a throwaway sandbox (scripts/sandbox.sh), runs
# every tests/integration/t_*.sh (or those named as arguments: t_x, t_x.sh or
# a path) against it, stops the sandbox on exit. Builds nothing.
#
# Output: "ok - NAME (Ns)" / "not ok - NAME (Ns)" per test (a failing test's
# output follows, prefixed with "# "), then the line "N passed, N failed".
# Exit status is non-zero when a test failed or none ran.
#
# Environment: TEST_TIMEOUT (seconds per test, default 600), KEEP_SANDBOX=1
# (leave the stopped sandbox directory), VERBOSE, SANDBOX_WAL_LEVEL.
set -u

cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd -P)
TEST_TIMEOUT=${TEST_TIMEOUT:-600}

# --- which tests -----------------------------------------------------------
TESTS=""
if [ $# -gt 0 ]; then
	for a in "$@"; do
		n=$(basename "$a" .sh)
		f="tests/integration/$n.sh"
		[ -f "$f" ] || { echo "no such test: $a ($f)" >&2; echo "0 passed, 1 failed"; exit 1; }
		TESTS="$TESTS $f"
	done
else
	for f in tests/integration/t_*.sh; do
		[ -f "$f" ] && TESTS="$TESTS $f"
	done
fi
if [ -z "$TESTS" ]; then
	echo "no integration tests found" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

# --- sandbox ---------------------------------------------------------------
SBX=$(mktemp -d /tmp/migrate-it.XXXXXX) || exit 2
TPID=""

cleanup() {
	st=$?
	trap - EXIT INT TERM HUP
	if [ -n "$TPID" ]; then
		kill -TERM "$TPID" 2>/dev/null && wait "$TPID" 2>/dev/null
	fi
	if sh "$ROOT/scripts/sandbox.sh" stop "$SBX"; then
		if [ "${KEEP_SANDBOX:-0}" = 1 ]; then
			echo "# sandbox kept (stopped): $SBX" >&2
		else
			rm -rf "$SBX"
		fi
	else
		echo "# could not stop the sandbox in $SBX" >&2
		st=1
	fi
	exit "$st"
}
trap cleanup EXIT
trap 'echo "# interrupted" >&2; exit 130' INT
trap 'exit 143' TERM HUP

passed=0
failed=0

now() { date +%s; }

show_output() {
	sed 's/^/# /' "$1"
}

t0=$(now)
if ! sh "$ROOT/scripts/sandbox.sh" start "$SBX" >"$SBX/start.log" 2>&1; then
	echo "not ok - sandbox start ($(($(now) - t0))s)"
	show_output "$SBX/start.log"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "# sandbox: $(tail -n 1 "$SBX/start.log" | sed 's/^sandbox: //') ($(($(now) - t0))s)"
SANDBOX_DIR="$SBX"
export SANDBOX_DIR

# --- run -------------------------------------------------------------------
mkdir -p "$SBX/out"
for f in $TESTS; do
	name=$(basename "$f" .sh)
	out="$SBX/out/$name.log"
	t0=$(now)
	# In the background so that a signal to this script is handled at once
	# (timeout puts the test in its own process group and forwards signals).
	timeout -k 10 "$TEST_TIMEOUT" sh "$f" </dev/null >"$out" 2>&1 &
	TPID=$!
	rc=0
	wait "$TPID" || rc=$?
	TPID=""
	dt=$(($(now) - t0))
	if [ "$rc" -eq 0 ]; then
		echo "ok - $name (${dt}s)"
		passed=$((passed + 1))
	else
		echo "not ok - $name (${dt}s)"
		show_output "$out"
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "# timed out after ${TEST_TIMEOUT}s"
		else
			echo "# exit status $rc"
		fi
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
