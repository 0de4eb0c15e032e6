#!/bin/sh
# Least privilege (README.md, "Least privilege"): migrate and stream work as
# a MariaDB user with exactly SELECT on the source schema, REPLICATION SLAVE
# and BINLOG MONITOR, and a PostgreSQL role that is no superuser, has no
# CREATE on the database and owns only the target and control schemas an
# administrator made for it. Each grant taken away in turn makes them exit
# non-zero with an error naming the missing privilege and a hint with the
# statement that gives it.
. "$(dirname "$0")/lib.sh"

PW=$(openssl rand -hex 12)
ROLE=grants_sink
TARGET=grants_sink
BAD="grants_foreign ctl_grants_foreign grants_shared ctl_grants_old"

my_fresh_db "$TEST_DB" || fail "my_fresh_db"
my "USE $TEST_DB;
CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));
INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_200" || fail "source tables"

# --- MariaDB users: the minimal one, and one per missing grant -------------

# my_user NAME GRANT...: a fresh user NAME@127.0.0.1 with these GRANT
# clauses (each "PRIVILEGES ON WHAT"), dropped at exit
my_user() {
	_u=$1
	shift
	_sql="DROP USER IF EXISTS '$_u'@'127.0.0.1'; CREATE USER '$_u'@'127.0.0.1' IDENTIFIED BY '$PW';"
	for _g in "$@"; do
		_sql="$_sql GRANT $_g TO '$_u'@'127.0.0.1';"
	done
	# on stdin: the password stays out of argv
	printf '%s\n' "$_sql" | my || fail "could not create MariaDB user $_u"
	at_exit "my \"DROP USER IF EXISTS '$_u'@'127.0.0.1'\""
}
# the README's statements, word for word but for the names
my_user g_min "SELECT ON \`$TEST_DB\`.*" "REPLICATION SLAVE, BINLOG MONITOR ON *.*"
my_user g_nosel "REPLICATION SLAVE, BINLOG MONITOR ON *.*"
my_user g_colsel "SELECT (id) ON \`$TEST_DB\`.t" "REPLICATION SLAVE, BINLOG MONITOR ON *.*"
my_user g_norepl "SELECT ON \`$TEST_DB\`.*" "BINLOG MONITOR ON *.*"
my_user g_nomon "SELECT ON \`$TEST_DB\`.*" "REPLICATION SLAVE ON *.*"

my "SHOW GRANTS FOR 'g_min'@'127.0.0.1'" >"$T/grants"
assert_not_match "$T/grants" 'RELOAD|LOCK TABLES|SHOW VIEW|SUPER|ALL PRIVILEGES|SELECT.* ON \*\.\*' \
	"the minimal user has nothing more"

# --- PostgreSQL: a role without CREATE on the database ---------------------

# pg_admin_q SQL: as postgres in database sink, notices off (SQL on stdin
# without an argument)
pg_admin_q() {
	if [ $# -eq 0 ]; then
		PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 \
			-h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d sink
	else
		PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 \
			-h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d sink -c "$1"
	fi
}
drop_role() {
	pg_drop_schemas "$TARGET" "$CTL" $BAD
	pg_admin_q "DO \$\$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
		DROP OWNED BY $ROLE; DROP ROLE $ROLE; END IF; END \$\$"
}
drop_role || fail "could not drop an old role $ROLE"
at_exit drop_role
echo "CREATE ROLE $ROLE LOGIN PASSWORD '$PW' NOSUPERUSER NOCREATEDB NOCREATEROLE" | pg_admin_q || fail "create role"
# what an administrator does once: the two schemas, owned by the role
pg_admin_q "CREATE SCHEMA $TARGET AUTHORIZATION $ROLE; CREATE SCHEMA $CTL AUTHORIZATION $ROLE" ||
	fail "create schemas"
assert_eq "f|f" "$(pg_admin_q "SELECT rolsuper, has_database_privilege('$ROLE', 'sink', 'CREATE') FROM pg_roles WHERE rolname = '$ROLE'")" \
	"the role is no superuser and may not create schemas"

# use MYUSER [SINK_SCHEMA [CONTROL_SCHEMA]]: the .env for these users
use() {
	write_env grants "$TEST_DB" "${2:-$TARGET}"
	sed -i -e "s|^SINK_DB_URL=.*|SINK_DB_URL=postgresql://$ROLE:$PW@127.0.0.1:$PG_PORT/sink|" \
		-e "s|^GRANTS_USER=.*|GRANTS_USER=$1|" -e "s|^GRANTS_PASS=.*|GRANTS_PASS=$PW|" \
		-e "s|^CONTROL_SCHEMA=.*|CONTROL_SCHEMA=${3:-$CTL}|" "$T/.env"
}
allow grants t

# stream_as ARGS: stream in the foreground, stopped after 60 s at the latest
stream_as() {
	_rc=0
	(cd "$T" && exec timeout 60 "$STREAM" --env "$T/.env" "$@") >"$T/stream.log" 2>&1 || _rc=$?
	{
		echo "=== stream $* (exit $_rc)"
		cat "$T/stream.log"
	} >>"$T/stream.all.log"
	[ "$_rc" -ne 124 ] || fail "stream $* did not stop within 60 s"
	return "$_rc"
}

# refused MSG CMD...: CMD must fail with the exit status of a logged error
# (1, or 2 for a setting), not succeed nor crash
refused() {
	_msg=$1
	shift
	_refused_rc=0
	"$@" || _refused_rc=$?
	case "$_refused_rc" in
	1 | 2) ;;
	0) fail "$_msg" ;;
	*) fail "$_msg: exit status $_refused_rc" ;;
	esac
}

# --- migrate ---------------------------------------------------------------

use g_nosel
refused "migrate without SELECT succeeded" run_migrate --database grants --tables all
assert_contains "$T/migrate.log" 'user "g_nosel" may not read table "t" of MariaDB schema "it_grants" for database "grants" (privilege SELECT missing)' \
	"migrate names the missing SELECT"
assert_contains "$T/migrate.log" "GRANT SELECT ON \`it_grants\`.* TO 'g_nosel'@'127.0.0.1';" "migrate hints the GRANT"

use g_colsel
refused "migrate with SELECT on one column succeeded" run_migrate --database grants --tables all
assert_contains "$T/migrate.log" "(privilege SELECT missing)" "a column grant is not enough"

# the control schema missing, and the role may not create it
use g_min "$TARGET" ctl_grants_missing
refused "migrate without a control schema succeeded" run_migrate --database grants --tables all
assert_contains "$T/migrate.log" 'schema "ctl_grants_missing" does not exist in database "sink", and role "grants_sink" may not create it' \
	"migrate names the missing control schema"
assert_contains "$T/migrate.log" 'CREATE SCHEMA "ctl_grants_missing" AUTHORIZATION "grants_sink";' "hint: CREATE SCHEMA"

# schemas of another owner, control and target
pg_admin_q "CREATE SCHEMA grants_foreign; CREATE SCHEMA ctl_grants_foreign" || fail "foreign schemas"
use g_min "$TARGET" ctl_grants_foreign
refused "migrate into a foreign control schema succeeded" run_migrate --database grants --tables all
assert_contains "$T/migrate.log" 'role "grants_sink" may not create tables in schema "ctl_grants_foreign" of database "sink"' \
	"migrate names the control schema it may not use"
assert_contains "$T/migrate.log" 'ALTER SCHEMA "ctl_grants_foreign" OWNER TO "grants_sink";' "hint: ALTER SCHEMA (control)"
# a control schema of the role holding a table of another (an earlier run
# as a superuser, say)
pg_admin_q "CREATE SCHEMA ctl_grants_old AUTHORIZATION $ROLE; CREATE TABLE ctl_grants_old.tables (x int)" ||
	fail "old control schema"
use g_min "$TARGET" ctl_grants_old
refused "migrate with a foreign control table succeeded" run_migrate --database grants --tables all
assert_contains "$T/migrate.log" 'control schema "ctl_grants_old" holds 1 table of another role (ctl_grants_old.tables, owner "postgres"); role "grants_sink" must own them' \
	"migrate names the control table of another role"
assert_contains "$T/migrate.log" 'ALTER TABLE ctl_grants_old.tables OWNER TO "grants_sink";' "hint: ALTER TABLE OWNER (control)"
use g_min grants_foreign
refused "migrate into a foreign target schema succeeded" run_migrate --database grants --tables all
assert_contains "$T/migrate.log" 'role "grants_sink" may not create tables in schema "grants_foreign" of database "sink"' \
	"migrate names the target schema it may not use"
assert_contains "$T/migrate.log" 'ALTER SCHEMA "grants_foreign" OWNER TO "grants_sink";' "hint: ALTER SCHEMA (target)"
pg_admin_q "SELECT 1 FROM pg_namespace WHERE nspname = 'grants_foreign' AND nspowner = 'postgres'::regrole" >"$T/owner"
assert_eq 1 "$(cat "$T/owner")" "the foreign schema is left as it was"

# a schema of another owner where the role may create tables, holding a
# table of that owner under the target's name (the owner of a schema could
# drop it; this role may not)
pg_admin_q "CREATE SCHEMA grants_shared; GRANT USAGE, CREATE ON SCHEMA grants_shared TO $ROLE;
	CREATE TABLE grants_shared.t (id int)" || fail "shared schema"
use g_min grants_shared
refused "migrate over a foreign table succeeded" run_migrate --database grants --tables all
assert_contains "$T/migrate.log" 'must be owner of table t' "migrate names the foreign table"
assert_contains "$T/migrate.log" 'ALTER TABLE "grants_shared"."t" OWNER TO "grants_sink";' "hint: ALTER TABLE OWNER"
assert_eq 1 "$(pg_admin_q "SELECT count(*) FROM pg_tables WHERE schemaname = 'grants_shared' AND tableowner = 'postgres'")" \
	"the foreign table is left as it was"

# the minimal user and role
use g_min
run_migrate --database grants --tables all || fail "migrate as the minimal user failed"
assert_eq 200 "$(pg_admin_q "SELECT count(*) FROM $TARGET.t")" "rows copied"
assert_eq grants_sink "$(pg_admin_q "SELECT tableowner FROM pg_tables WHERE schemaname = '$TARGET' AND tablename = 't'")" \
	"the target belongs to the role"

# --- stream ----------------------------------------------------------------

my "USE $TEST_DB; UPDATE t SET v = 'changed' WHERE id <= 10; DELETE FROM t WHERE id > 190;
INSERT INTO t VALUES (500, 'new')" || fail "source changes"
end=$(binlog_end)

use g_nosel
refused "stream without SELECT succeeded" stream_as --database grants --stop-at "$end"
assert_contains "$T/stream.log" 'user "g_nosel" may not read table "t" of MariaDB schema "it_grants" for database "grants" (privilege SELECT missing)' \
	"stream names the missing SELECT"
assert_contains "$T/stream.log" "GRANT SELECT ON \`it_grants\`.* TO 'g_nosel'@'127.0.0.1';" "stream hints the GRANT"

use g_nomon
refused "stream without BINLOG MONITOR succeeded" stream_as --database grants --stop-at "$end"
assert_contains "$T/stream.log" 'user "g_nomon" may not list the binary logs of database "grants" (privilege BINLOG MONITOR missing)' \
	"stream names the missing BINLOG MONITOR"
assert_contains "$T/stream.log" "GRANT BINLOG MONITOR ON *.* TO 'g_nomon'@'127.0.0.1';" "hint: GRANT BINLOG MONITOR"

use g_norepl
refused "stream without REPLICATION SLAVE succeeded" stream_as --database grants --stop-at "$end"
assert_contains "$T/stream.log" 'user "g_norepl" may not read the binary log of database "grants" (privilege REPLICATION SLAVE missing)' \
	"stream names the missing REPLICATION SLAVE"
assert_contains "$T/stream.log" "GRANT REPLICATION SLAVE ON *.* TO 'g_norepl'@'127.0.0.1';" "hint: GRANT REPLICATION SLAVE"

use g_min
stream_as --database grants --stop-at "$end" || fail "stream as the minimal user failed"
assert_eq 191 "$(pg_admin_q "SELECT count(*) FROM $TARGET.t")" "rows after the stream"
assert_eq 10 "$(pg_admin_q "SELECT count(*) FROM $TARGET.t WHERE v = 'changed'")" "updates applied"
assert_eq new "$(pg_admin_q "SELECT v FROM $TARGET.t WHERE id = 500")" "insert applied"
[ "$(my "SELECT COUNT(*) FROM $TEST_DB.t")" = 191 ] || fail "source count"
exit 0
