#!/bin/sh
# Clear errors and exit codes for bad configuration, unknown tables, a wrong
# password and an unreachable server; no secret in any log line or in argv.
. "$(dirname "$0")/lib.sh"

my "DROP DATABASE IF EXISTS it_err; CREATE DATABASE it_err; CREATE TABLE it_err.t (id INT PRIMARY KEY, v TEXT);
INSERT INTO it_err.t SELECT seq, 'x' FROM seq_1_to_1000;"
write_env errs it_err errs_sink
allow errs t missing_table

expect_exit() {  # expect_exit CODE PATTERN MSG -- migrate args
	code=$1; pattern=$2; msg=$3; shift 4
	run_migrate "$@"; rc=$?
	[ "$rc" = "$code" ] || { cat "$T/migrate.log"; fail "$msg: exit $rc, expected $code"; }
	assert_contains "$T/migrate.log" "$pattern" "$msg"
	for secret in "$MY_PASS" "$PG_PASS" "wrong-secret-1" "wrong-secret-2"; do
		assert_not_contains "$T/migrate.log" "$secret" "$msg: a secret appears in the log"
	done
}

expect_exit 2 'tables not in the allowlist of database "errs": "nope", "also"' "strays listed" -- --database errs --tables t,nope,also
expect_exit 2 'table "missing_table" does not exist in MariaDB schema "it_err"' "missing table named" -- --database errs --tables missing_table
assert_contains "$T/migrate.log" "tables.d/errs:2" "missing table names the allowlist line"

export ERRS_PORT=70000
expect_exit 2 'ERRS_PORT' "port out of range names the variable" -- --database errs --tables t
unset ERRS_PORT
expect_exit 2 '--max-workers' "bad option value" -- --database errs --tables t --max-workers 0
expect_exit 2 'no configuration for database "nodb"' "unknown database" -- --database nodb --tables all
export ERRS_PASS=wrong-secret-1
expect_exit 1 "Access denied for user 'migrator'" "wrong password" -- --database errs --tables t
unset ERRS_PASS
export ERRS_PORT=$(free_port)
expect_exit 1 'could not connect to MariaDB of database "errs"' "unreachable server" -- --database errs --tables t
unset ERRS_PORT
export SINK_DB_URL="postgresql://sink:wrong-secret-2@127.0.0.1:$PG_PORT/sink"
expect_exit 1 "password authentication failed" "wrong sink password" -- --database errs --tables t
unset SINK_DB_URL

grep -v '^SINK_DB_URL' "$T/.env" > "$T/nosink.env"; chmod 600 "$T/nosink.env"
expect_exit 2 'SINK_DB_URL is not set' "missing sink" -- --database errs --tables t --env "$T/nosink.env"

# a .env readable by others is warned about
chmod 644 "$T/.env"
run_migrate --database errs --tables t || fail "migrate failed"
assert_contains "$T/migrate.log" "readable by group or others" ".env permission warning"
chmod 600 "$T/.env"

# argv carries no secret: hold migrate on a table lock and read its command line
my "LOCK TABLES it_err.t WRITE; SELECT SLEEP(4); UNLOCK TABLES" >/dev/null &
locker=$!
sleep 1
(cd "$T" && exec "$MIGRATE" --env "$T/.env" --database errs --tables t >"$T/bg.log" 2>&1) &
sleep 1.5
pid=$(pgrep -n -f "$MIGRATE --env $T/.env")
[ -n "$pid" ] || fail "could not observe the running migrate"
tr '\0' ' ' < "/proc/$pid/cmdline" > "$T/cmdline"
assert_not_contains "$T/cmdline" "$MY_PASS" "MariaDB password in argv"
assert_not_contains "$T/cmdline" "$PG_PASS" "PostgreSQL password in argv"
wait $locker
wait
assert_not_contains "$T/bg.log" "$MY_PASS" "password in log"
exit 0
