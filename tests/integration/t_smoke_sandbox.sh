#!/bin/sh
# The sandbox is what the other tests rely on: binlog in ROW format with full
# images and metadata, a migrator user reachable over TCP with the least
# privilege of README.md that can take a consistent snapshot with its binlog
# position, and a sink role, no superuser, that can create schemas and
# tables over TCP with its password. Also checks lib.sh's helpers.
. tests/integration/lib.sh

# --- MariaDB server settings -----------------------------------------------
assert_eq 1 "$(my 'SELECT @@log_bin')" "binary log enabled"
assert_eq ROW "$(my 'SELECT @@binlog_format')" "binlog_format"
assert_eq FULL "$(my 'SELECT @@binlog_row_image')" "binlog_row_image"
assert_eq FULL "$(my 'SELECT @@binlog_row_metadata')" "binlog_row_metadata"
assert_eq 1 "$(my 'SELECT @@server_id')" "server_id"
assert_eq utf8mb4 "$(my 'SELECT @@character_set_server')" "character_set_server"
assert_eq 127.0.0.1 "$(my 'SELECT @@bind_address')" "bind_address"
assert_eq "$MY_PORT" "$(my 'SELECT @@port')" "port"
case "$(my 'SELECT @@log_bin_basename')" in
"$SANDBOX_DIR"/*) ;;
*) fail "binlog is not inside the sandbox: $(my 'SELECT @@log_bin_basename')" ;;
esac

# --- migrator over TCP -----------------------------------------------------
assert_eq "migrator@127.0.0.1" "$(my_migrator 'SELECT CURRENT_USER()')" "migrator connects over TCP"
my_migrator 'SHOW GRANTS' >"$T/grants" || fail "SHOW GRANTS as migrator"
for g in 'REPLICATION SLAVE' 'BINLOG MONITOR' 'GRANT SELECT ON `it'; do
	assert_contains "$T/grants" "$g" "migrator has $g"
done
assert_not_match "$T/grants" 'ALL PRIVILEGES|INSERT|UPDATE|DELETE' "migrator is read-only"
assert_not_match "$T/grants" 'RELOAD|LOCK TABLES|SHOW VIEW|SUPER|SELECT.* ON \*\.\*' "migrator has the least privilege"
if mariadb --no-defaults -h127.0.0.1 -P"$MY_PORT" -umigrator -pwrong-password \
	-N -e 'SELECT 1' >/dev/null 2>&1; then
	fail "migrator logged in with a wrong password"
fi

# Consistent snapshot with its binlog coordinates, as migrate takes it.
my_fresh_db "$TEST_DB" || fail "my_fresh_db"
my "CREATE TABLE \`$TEST_DB\`.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO \`$TEST_DB\`.t VALUES (1, 'a')" ||
	fail "create source table"
my_migrator "START TRANSACTION WITH CONSISTENT SNAPSHOT;
SHOW STATUS LIKE 'binlog_snapshot_%';
SELECT 'rows', COUNT(*) FROM \`$TEST_DB\`.t;
COMMIT;" >"$T/snap" || fail "consistent snapshot as migrator"
file=$(awk -F'\t' '$1 == "Binlog_snapshot_file" { print $2 }' "$T/snap")
pos=$(awk -F'\t' '$1 == "Binlog_snapshot_position" { print $2 }' "$T/snap")
case "$file" in
mariadb-bin.[0-9]*) ;;
*) cat "$T/snap" >&2; fail "Binlog_snapshot_file is '$file'" ;;
esac
case "$pos" in
'' | *[!0-9]*) fail "Binlog_snapshot_position is '$pos'" ;;
esac
[ "$pos" -gt 4 ] || fail "Binlog_snapshot_position is $pos"
assert_match "$T/snap" '^rows	1$' "snapshot sees the row"
# The position is the current end of the binlog (nothing written since).
my_migrator 'SHOW MASTER STATUS' >"$T/master" || fail "SHOW MASTER STATUS as migrator"
assert_eq "$file	$pos" "$(cut -f1,2 "$T/master")" "snapshot position = SHOW MASTER STATUS"
my "DROP DATABASE \`$TEST_DB\`" || fail "drop source schema"

# --- PostgreSQL ------------------------------------------------------------
assert_eq "$PG_WAL_LEVEL" "$(pg 'SHOW wal_level')" "wal_level"
assert_eq 127.0.0.1 "$(pg 'SHOW listen_addresses')" "listen_addresses"
assert_eq UTF8 "$(pg 'SHOW server_encoding')" "server_encoding"
assert_eq sink "$(pg 'SELECT current_user')" "pg helper connects as sink"

assert_eq "f|f|f|postgres" "$(pg "SELECT rolsuper, rolcreatedb, rolcreaterole, pg_get_userbyid(d.datdba)
	FROM pg_roles, pg_database d WHERE rolname = current_user AND d.datname = current_database()")" \
	"sink is no superuser and does not own its database"
tbl="smoke_$$.t"
PGPASSWORD="$PG_PASS" psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U sink -d sink \
	-c "CREATE SCHEMA smoke_$$" \
	-c "CREATE TABLE $tbl (id int PRIMARY KEY, v text)" \
	-c "INSERT INTO $tbl VALUES (1, 'é')" \
	-c "SELECT current_user, v, inet_server_addr() FROM $tbl" >"$T/pg_tcp" 2>&1 ||
	{ cat "$T/pg_tcp" >&2; fail "sink cannot create a table over TCP"; }
assert_eq "sink|é|127.0.0.1" "$(cat "$T/pg_tcp")" "sink over TCP"
assert_eq sink "$(pg "SELECT tableowner FROM pg_tables WHERE schemaname = 'smoke_$$' AND tablename = 't'")" "table owned by sink"
pg "DROP SCHEMA smoke_$$ CASCADE" || fail "drop schema as sink"
if PGPASSWORD=wrong-password psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U sink -d sink \
	-c 'SELECT 1' >/dev/null 2>&1; then
	fail "sink logged in over TCP with a wrong password"
fi
if psql -X -q -At -w -h 127.0.0.1 -p "$PG_PORT" -U postgres -d sink -c 'SELECT 1' >/dev/null 2>&1; then
	fail "superuser logged in over TCP without a password"
fi

# --- lib.sh helpers --------------------------------------------------------
write_env smoke "$TEST_DB" || fail "write_env"
[ "$(stat -c %a "$T/.env")" = 600 ] || fail ".env mode is $(stat -c %a "$T/.env")"
assert_match "$T/.env" "^SINK_DB_URL=postgresql://sink:$PG_PASS@127\.0\.0\.1:$PG_PORT/sink$" ".env SINK_DB_URL"
assert_match "$T/.env" "^SINK_SCHEMA=$TEST_DB$" ".env SINK_SCHEMA"
assert_match "$T/.env" "^CONTROL_SCHEMA=ctl_smoke_sandbox$" ".env CONTROL_SCHEMA"
assert_match "$T/.env" "^TABLES_DIR=$T/tables\.d$" ".env TABLES_DIR"
assert_match "$T/.env" "^SMOKE_PORT=$MY_PORT$" ".env SMOKE_PORT"
assert_match "$T/.env" "^SMOKE_USER=migrator$" ".env SMOKE_USER"
assert_match "$T/.env" "^SMOKE_SCHEMA=$TEST_DB$" ".env SMOKE_SCHEMA"
allow smoke "t1" "t2 flag=boolean"
assert_eq "t1
t2 flag=boolean" "$(cat "$T/tables.d/smoke")" "allowlist written"
assert_not_contains "$T/tables.d/smoke" "t3" "assert_not_contains"
p=$(free_port)
case "$p" in '' | *[!0-9]*) fail "free_port printed '$p'" ;; esac
[ "$p" != "$MY_PORT" ] && [ "$p" != "$PG_PORT" ] || fail "free_port returned a sandbox port"
assert_eq "ctl_smoke_sandbox" "$CTL" "CTL"
exit 0
