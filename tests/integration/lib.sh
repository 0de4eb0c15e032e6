# Sourced by every integration test: `. tests/integration/lib.sh`.
#
# Tests are run by tests/integration/run.sh as `sh tests/integration/t_x.sh`
# with the repository root as working directory and SANDBOX_DIR exported (the
# servers of scripts/sandbox.sh, shared by all tests). This file does not turn
# on `set -e`: check results with `|| fail MSG` or the assertions. A test
# passes when it exits 0.
#
# Provided:
#   variables  everything of sandbox.env (MY_PORT, MY_SOCKET, MY_PASS, PG_PORT,
#              PG_PASS, ...), MIGRATE (bin/migrate), T (per-test work dir,
#              removed at exit unless KEEP_WORKDIR=1), TEST_NAME ("smoke_sandbox"
#              for t_smoke_sandbox.sh), TEST_DB (unique MariaDB schema name
#              for this test: "it_<TEST_NAME>"), CONTROL_SCHEMA and its alias
#              CTL ("ctl_<TEST_NAME>", written to .env by write_env)
#   free_port          prints a TCP port nothing listens on (for "unreachable")
#   my SQL             SQL as MariaDB root over the socket; -N -B output
#                      (no argument: SQL read from stdin)
#   my_migrator SQL    the same as the application user `migrator` over TCP
#   my_fresh_db NAME   drops and creates MariaDB schema NAME (utf8mb4)
#   pg SQL             SQL as PostgreSQL user sink in database sink over the
#                      socket; -At output, ON_ERROR_STOP (no argument: stdin)
#   pg_admin SQL       the same as superuser postgres
#   pg_drop_schemas S...  DROP SCHEMA IF EXISTS S CASCADE in database sink
#   write_env DBNAME MYSCHEMA [SINKSCHEMA]   writes $T/.env (mode 600);
#                      SINKSCHEMA defaults to MYSCHEMA
#   allow DBNAME "T1" "T2 col=boolean" ...  writes $T/tables.d/DBNAME
#   run_migrate ARGS   runs $MIGRATE --env $T/.env ARGS in $T; output in
#                      $T/migrate.log (also appended to $T/migrate.all.log);
#                      returns its exit status; VERBOSE=1 prints the log on failure
#   run_stream ARGS    runs $STREAM --env $T/.env ARGS in $T in the foreground;
#                      output in $T/stream.log (appended to $T/stream.all.log)
#   start_stream ARGS  the same in the background; sets STREAM_PID (stopped at exit)
#   start_kafka_mock ARGS  bin/kafka-mock ARGS (its own process, stopped at exit)
#                      with --bootstrap-file $T/bootstrap; waits for it and sets
#                      MOCK_PID and BOOT (host:port list); MOCK and DUMP name the
#                      kafka-mock and kafka-dump tools
#   binlog_end         the source's current binlog position as FILE:POS
#   wait_log FILE TEXT [TENTHS]  FILE gets a line with TEXT within TENTHS/10 s (default 30 s)
#   ckpt_reached DB F:P, wait_ckpt DB F:P [TENTHS]  the stream checkpoint of DB is
#                      (or becomes, within TENTHS/10 s) at or past F:P
#   pg_same A B        fails unless PostgreSQL tables A and B hold the same rows
#                      (EXCEPT ALL both ways: duplicates count)
#   at_exit CMD        runs shell command CMD at exit (before $T is removed)
#   fail MSG, assert_eq EXPECTED ACTUAL MSG,
#   assert_contains FILE TEXT MSG, assert_not_contains FILE TEXT MSG
#              (TEXT is matched literally, grep -F), assert_match / assert_not_match FILE ERE MSG

if [ -z "${SANDBOX_DIR:-}" ] || [ ! -r "$SANDBOX_DIR/sandbox.env" ]; then
	echo "FAIL: SANDBOX_DIR is not set or has no sandbox.env (run tests via sh tests/integration/run.sh)" >&2
	exit 1
fi
. "$SANDBOX_DIR/sandbox.env"

# Variables of the tool that must come from the test's .env only, never from
# the developer's environment (the environment wins over .env in migrate).
unset SINK_DB_URL SINK_SCHEMA CONTROL_SCHEMA TABLES_DIR IDENTIFIER_CASE \
	SINK_TLS SINK_TLS_CA SINK_TLS_CERT SINK_TLS_KEY PGSSLMODE 2>/dev/null || true

MIGRATE="$PWD/${BINDIR:-bin}/migrate"
STREAM="$PWD/${BINDIR:-bin}/stream"

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
TEST_NAME=${TEST_NAME#t_}
TEST_NAME=$(printf '%s' "$TEST_NAME" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
TEST_DB="it_$TEST_NAME"
CONTROL_SCHEMA="ctl_$TEST_NAME"
CTL="$CONTROL_SCHEMA"

T=$(mktemp -d "${TMPDIR:-/tmp}/it-$TEST_NAME.XXXXXX")
_LIB_AT_EXIT=""
_LIB_FAILED=0

at_exit() {
	_LIB_AT_EXIT="$_LIB_AT_EXIT
$1"
}

_lib_cleanup() {
	_st=$?
	set +e
	if [ -n "$_LIB_AT_EXIT" ]; then
		eval "$_LIB_AT_EXIT"
	fi
	if [ "$_st" -ne 0 ] && [ "$_LIB_FAILED" -eq 0 ]; then
		echo "FAIL: $TEST_NAME exited with status $_st" >&2
	fi
	if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
		echo "# work dir kept: $T" >&2
	else
		rm -rf "$T"
	fi
	exit "$_st"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- assertions ------------------------------------------------------------

fail() {
	_LIB_FAILED=1
	echo "FAIL: $*" >&2
	for _log in migrate.log stream.log stream.bg.log; do
		if [ -s "$T/$_log" ]; then
			echo "--- last 40 lines of $T/$_log ---" >&2
			tail -n 40 "$T/$_log" >&2
			echo "---" >&2
		fi
	done
	exit 1
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-assert_eq}: expected '$1', got '$2'"
}

assert_contains() {
	[ -f "$1" ] || fail "${3:-assert_contains}: file $1 does not exist"
	if ! grep -Fq -- "$2" "$1"; then
		echo "--- $1 (last 40 lines) ---" >&2
		tail -n 40 "$1" >&2
		fail "${3:-assert_contains}: '$2' not found in $1"
	fi
}

assert_match() {
	[ -f "$1" ] || fail "${3:-assert_match}: file $1 does not exist"
	if ! grep -Eq -- "$2" "$1"; then
		echo "--- $1 (last 40 lines) ---" >&2
		tail -n 40 "$1" >&2
		fail "${3:-assert_match}: /$2/ does not match $1"
	fi
}

assert_not_match() {
	[ -f "$1" ] || fail "${3:-assert_not_match}: file $1 does not exist"
	if grep -Eq -- "$2" "$1"; then
		grep -En -- "$2" "$1" | head -n 20 >&2
		fail "${3:-assert_not_match}: /$2/ matches $1"
	fi
}

assert_not_contains() {
	[ -f "$1" ] || fail "${3:-assert_not_contains}: file $1 does not exist"
	[ -n "$2" ] || fail "${3:-assert_not_contains}: empty text (a missing secret variable?)"
	if grep -Fq -- "$2" "$1"; then
		echo "--- matching lines of $1 ---" >&2
		grep -Fn -- "$2" "$1" | head -n 20 >&2
		fail "${3:-assert_not_contains}: '$2' found in $1"
	fi
}

# --- ports -----------------------------------------------------------------

# True when something uses TCP port $1 on this host (IPv4 or IPv6).
_port_in_use() {
	for _f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$_f" ] || continue
		awk -v p=":$(printf '%04X' "$1")" \
			'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
			"$_f" && return 0
	done
	return 1
}

free_port() {
	_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
	while _port_in_use "$_p" || [ "$_p" = "$MY_PORT" ] || [ "$_p" = "$PG_PORT" ]; do
		_p=$((_p + 1))
	done
	echo "$_p"
}

# --- MariaDB ---------------------------------------------------------------

my() {
	if [ $# -eq 0 ]; then
		mariadb --no-defaults -uroot -S "$MY_SOCKET" -N -B
	else
		mariadb --no-defaults -uroot -S "$MY_SOCKET" -N -B -e "$1"
	fi
}

# The password goes through a private defaults file, not the command line.
my_migrator() {
	if [ ! -f "$T/migrator.cnf" ]; then
		(umask 077 && printf '[client]\nuser=%s\npassword=%s\nhost=127.0.0.1\nport=%s\nprotocol=TCP\n' \
			"$MY_USER" "$MY_PASS" "$MY_PORT" >"$T/migrator.cnf")
	fi
	if [ $# -eq 0 ]; then
		mariadb --defaults-file="$T/migrator.cnf" -N -B
	else
		mariadb --defaults-file="$T/migrator.cnf" -N -B -e "$1"
	fi
}

my_fresh_db() {
	my "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
}

# --- PostgreSQL ------------------------------------------------------------

pg() {
	if [ $# -eq 0 ]; then
		psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U sink -d sink
	else
		psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U sink -d sink -c "$1"
	fi
}

pg_admin() {
	if [ $# -eq 0 ]; then
		psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d sink
	else
		psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d sink -c "$1"
	fi
}

pg_drop_schemas() {
	for _s in "$@"; do
		PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 \
			-h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d sink \
			-c "DROP SCHEMA IF EXISTS \"$_s\" CASCADE"
	done
}

# --- migrate configuration -------------------------------------------------

write_env() {
	[ $# -ge 2 ] || fail "usage: write_env DBNAME MYSCHEMA [SINKSCHEMA]"
	_prefix=$(printf '%s' "$1" | tr 'a-z' 'A-Z')
	case "$_prefix" in
	'' | [0-9]* | *[!A-Z0-9_]*)
		fail "write_env: database name '$1' must be letters, digits and _" ;;
	MY | PG | SINK | CONTROL | TABLES | SANDBOX | IDENTIFIER)
		fail "write_env: database name '$1' clashes with sandbox/tool variables" ;;
	esac
	# The environment wins over .env in migrate: no stale NAME_* may leak in.
	for _v in HOST PORT USER PASS SCHEMA SINK_SCHEMA TLS TLS_CA TLS_CERT TLS_KEY; do
		unset "${_prefix}_$_v" 2>/dev/null || true
	done
	mkdir -p "$T/tables.d"
	(
		umask 077
		cat >"$T/.env" <<EOF
SINK_DB_URL=postgresql://sink:$PG_PASS@127.0.0.1:$PG_PORT/sink
SINK_SCHEMA=${3:-$2}
CONTROL_SCHEMA=$CONTROL_SCHEMA
TABLES_DIR=$T/tables.d
${_prefix}_HOST=127.0.0.1
${_prefix}_PORT=$MY_PORT
${_prefix}_USER=$MY_USER
${_prefix}_PASS=$MY_PASS
${_prefix}_SCHEMA=$2
EOF
	)
	chmod 600 "$T/.env"
}

allow() {
	[ $# -ge 1 ] || fail "usage: allow DBNAME [TABLE-LINE...]"
	mkdir -p "$T/tables.d"
	_f="$T/tables.d/$1"
	shift
	: >"$_f"
	for _line in "$@"; do
		printf '%s\n' "$_line" >>"$_f"
	done
}

run_migrate() {
	[ -x "$MIGRATE" ] || fail "$MIGRATE not built (run make)"
	_rc=0
	(cd "$T" && exec "$MIGRATE" --env "$T/.env" "$@") >"$T/migrate.log" 2>&1 || _rc=$?
	{
		echo "=== migrate $* (exit $_rc)"
		cat "$T/migrate.log"
	} >>"$T/migrate.all.log"
	if [ "$_rc" -ne 0 ] && [ -n "${VERBOSE:-}" ] && [ "${VERBOSE:-}" != 0 ]; then
		echo "--- migrate $* exited $_rc; $T/migrate.log: ---" >&2
		cat "$T/migrate.log" >&2
		echo "---" >&2
	fi
	return "$_rc"
}

run_stream() {
	[ -x "$STREAM" ] || fail "$STREAM not built (run make)"
	_rc=0
	(cd "$T" && exec "$STREAM" --env "$T/.env" "$@") >"$T/stream.log" 2>&1 || _rc=$?
	{
		echo "=== stream $* (exit $_rc)"
		cat "$T/stream.log"
	} >>"$T/stream.all.log"
	return "$_rc"
}

MOCK="$PWD/${BINDIR:-bin}/kafka-mock"
DUMP="$PWD/${BINDIR:-bin}/kafka-dump"
start_kafka_mock() {
	[ -x "$MOCK" ] && [ -x "$DUMP" ] || fail "$MOCK or $DUMP not built (make test builds them)"
	"$MOCK" "$@" --bootstrap-file "$T/bootstrap" >"$T/mock.out" 2>"$T/mock.err" &
	MOCK_PID=$!
	at_exit "kill $MOCK_PID 2>/dev/null"
	_i=0
	while [ ! -s "$T/bootstrap" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -s "$T/bootstrap" ] || fail "the mock broker did not start: $(cat "$T/mock.err")"
	BOOT=$(cat "$T/bootstrap")
}

start_stream() {
	[ -x "$STREAM" ] || fail "$STREAM not built (run make)"
	(cd "$T" && exec "$STREAM" --env "$T/.env" "$@") >>"$T/stream.bg.log" 2>&1 &
	STREAM_PID=$!
	at_exit "kill -9 $STREAM_PID 2>/dev/null"
}

binlog_end() {
	my "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }'
}

pg_same() {
	_d=$(pg "SELECT (SELECT count(*) FROM (SELECT * FROM $1 EXCEPT ALL SELECT * FROM $2) x) || ' ' ||
	            (SELECT count(*) FROM (SELECT * FROM $2 EXCEPT ALL SELECT * FROM $1) y)")
	[ "$_d" = "0 0" ] || {
		echo "--- rows only in $1 / only in $2: $_d; samples:" >&2
		pg "(SELECT 'only in $1', * FROM (SELECT * FROM $1 EXCEPT ALL SELECT * FROM $2) x LIMIT 3)" >&2
		pg "(SELECT 'only in $2', * FROM (SELECT * FROM $2 EXCEPT ALL SELECT * FROM $1) y LIMIT 3)" >&2
		fail "${3:-pg_same}: $1 and $2 differ ($_d)"
	}
}

# ckpt_reached DB FILE:POS: the stream's checkpoint of DB is at or past it
ckpt_reached() {
	_c=$(pg "SELECT binlog_file || ':' || binlog_pos FROM $CTL.stream_checkpoint WHERE source_db = '$1'")
	[ -n "$_c" ] || return 1
	_cf=${_c%:*}; _cp=${_c##*:}; _ef=${2%:*}; _ep=${2##*:}
	[ "$_cf" \> "$_ef" ] || { [ "$_cf" = "$_ef" ] && [ "$_cp" -ge "$_ep" ]; }
}

# wait_log FILE TEXT [TENTHS]: waits (default 30 s) until FILE has a line
# containing TEXT (literally); false if it does not come
wait_log() {
	_i=0
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -le "${3:-300}" ] || return 1
		sleep 0.1
	done
}

# wait_ckpt DB FILE:POS [TENTHS]: waits (default 30 s) for ckpt_reached
wait_ckpt() {
	_i=0
	while ! ckpt_reached "$1" "$2"; do
		_i=$((_i + 1))
		[ "$_i" -le "${3:-300}" ] || return 1
		sleep 0.1
	done
}

# my_server_stop: stops the sandbox's MariaDB (SIGTERM by its pid file) and
# waits up to 60 s for it to end; my_server_start starts it again on its
# port when it is not running (scripts/sandbox.sh restart-mariadb starts a
# stopped one; output in $T/my-server.log). A test that stops it must start
# it again at exit, also when it fails: at_exit my_server_start.
my_server_stop() {
	_pid=$(head -n 1 "$SANDBOX_DIR/mariadb/pid" 2>/dev/null | tr -dc 0-9)
	[ -n "$_pid" ] && kill -TERM "$_pid" 2>/dev/null || return 1
	_i=0
	while kill -0 "$_pid" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -le 600 ] || return 1
		sleep 0.1
	done
}

my_server_start() {
	my "SELECT 1" >/dev/null 2>&1 && return 0
	sh scripts/sandbox.sh restart-mariadb "$SANDBOX_DIR" >>"$T/my-server.log" 2>&1
}

# same_values MYSQL-QUERY PG-QUERY LABEL: both ends hold the same rows, value
# by value (the queries order them and give the same columns)
same_values() {
	my "$1" > "$T/my.tsv"
	pg "COPY ($2) TO STDOUT" > "$T/pg.tsv"
	cmp -s "$T/my.tsv" "$T/pg.tsv" || {
		diff "$T/my.tsv" "$T/pg.tsv" | head -5 >&2
		fail "$3: $(wc -l < "$T/my.tsv") source rows, $(wc -l < "$T/pg.tsv") in PostgreSQL, values differ"
	}
}

# wait_pg PG-QUERY EXPECTED [TENTHS]: the query's result becomes EXPECTED
# within TENTHS/10 s (default 30 s); 1 otherwise
wait_pg() {
	_i=0
	until [ "$(pg "$1")" = "$2" ]; do
		_i=$((_i + 1))
		[ "$_i" -le "${3:-300}" ] || return 1
		sleep 0.1
	done
}
