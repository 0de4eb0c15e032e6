#!/bin/sh
# Throwaway MariaDB + PostgreSQL servers for tests and demos.
#
#   sh scripts/sandbox.sh start DIR   start both servers under DIR (fresh, or
#                                     restart a stopped sandbox in DIR)
#   sh scripts/sandbox.sh stop DIR    stop them (no-op when not running)
#   sh scripts/sandbox.sh restart-mariadb DIR, restart-pg DIR
#                                     stop one server and start it again on
#                                     the same port (data kept)
#   sh scripts/sandbox.sh stop-pg DIR, start-pg DIR
#                                     stop PostgreSQL alone, and start it
#                                     again on its port (outage tests: the
#                                     caller must start it again, also on
#                                     failure)
#   sh scripts/sandbox.sh env DIR     print DIR/sandbox.env
#   sh scripts/sandbox.sh tls-cert DIR CERT KEY
#                                     (TLS sandboxes) install CERT and KEY as
#                                     both servers' certificate and reload them
#
# Both servers listen on free TCP ports on 127.0.0.1 only, plus a Unix socket
# inside DIR. `start` writes DIR/sandbox.env (mode 600, shell-sourceable) with
# ports, sockets, users and passwords. Servers are stopped by the PIDs they
# recorded, never by name.
#
# Environment:
#   SANDBOX_WAL_LEVEL  PostgreSQL wal_level: replica (default), minimal, logical
#   SANDBOX_TIMEOUT    seconds to wait for each server to come up (default 60)
#   SANDBOX_TLS_DIR    (start of a fresh sandbox) a directory with ca.pem,
#                      server.pem and server.key (tests/integration/tls_certs.sh
#                      makes one): both servers then accept only TLS over TCP
#                      (MariaDB require_secure_transport, PostgreSQL hostssl
#                      lines only); the Unix sockets stay plaintext for the
#                      tests' admin access. The sandbox keeps its own copies
#                      (DIR/*/tls), so a restart keeps TLS.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WAL_LEVEL=${SANDBOX_WAL_LEVEL:-replica}
TIMEOUT=${SANDBOX_TIMEOUT:-60}
TLS_SRC=${SANDBOX_TLS_DIR:-}

die() { echo "sandbox: $*" >&2; exit 1; }
say() { echo "sandbox: $*" >&2; }

usage() {
	echo "usage: $0 start|stop|status|env|restart-mariadb|restart-pg|stop-pg|start-pg DIR | tls-cert DIR CERT KEY" >&2
	exit 2
}

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# Run a command as the PostgreSQL OS user (postgres refuses to run as root).
# The working directory is DIR/pg so the postgres user can always read it.
as_pg() {
	if [ "$IS_ROOT" -eq 1 ]; then
		(cd "$PGDIR" && runuser -u postgres -- "$@")
	else
		(cd "$PGDIR" && "$@")
	fi
}

# --- ports -----------------------------------------------------------------

# True when something on this host already uses TCP port $1 (any address,
# any state but TIME_WAIT, IPv4 or IPv6).
port_in_use() {
	_hex=$(printf '%04X' "$1")
	for _f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$_f" ] || continue
		# columns: sl local_address rem_address st ...; st 06 = TIME_WAIT
		if awk -v p=":$_hex" 'NR > 1 && substr($2, length($2) - 4) == p && $4 != "06" { found = 1 } END { exit !found }' "$_f"; then
			return 0
		fi
	done
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
	fi
	return 1
}

# Prints a free port, starting from a random base in 20000..59999 and
# skipping the ports given as arguments.
free_port() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	_p=$((20000 + _r % 40000))
	_n=0
	while [ "$_n" -lt 2000 ]; do
		_skip=0
		for _x in "$@"; do [ "$_x" = "$_p" ] && _skip=1; done
		if [ "$_skip" -eq 0 ] && ! port_in_use "$_p"; then
			echo "$_p"
			return 0
		fi
		_p=$((_p + 1))
		[ "$_p" -gt 60999 ] && _p=20000
		_n=$((_n + 1))
	done
	die "no free TCP port found"
}

# --- process helpers -------------------------------------------------------

# True when PID $1 is alive and its command name is $2.
pid_is() {
	[ -n "$1" ] || return 1
	kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/comm" ] || return 0
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

my_pid() {
	[ -s "$MYDIR/pid" ] || return 1
	_pid=$(head -n1 "$MYDIR/pid" 2>/dev/null | tr -dc 0-9)
	pid_is "$_pid" mariadbd || return 1
	echo "$_pid"
}

pg_pid() {
	[ -s "$PGDATA/postmaster.pid" ] || return 1
	_pid=$(head -n1 "$PGDATA/postmaster.pid" 2>/dev/null | tr -dc 0-9)
	pid_is "$_pid" postgres || return 1
	echo "$_pid"
}

# Waits up to $2 seconds for PID $1 to exit; true when it has.
wait_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		[ "$_i" -ge $(($2 * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# --- MariaDB ---------------------------------------------------------------

my_admin() {
	mariadb-admin --no-defaults -uroot -S "$MY_SOCKET" --connect-timeout=2 "$@"
}

my_root() {
	mariadb --no-defaults -uroot -S "$MY_SOCKET" "$@"
}

my_init() {
	mkdir -p "$MYDIR/data" "$MYDIR/binlog" "$MYDIR/tmp"
	if [ "$IS_ROOT" -eq 1 ]; then
		_auth=socket
		_user="--user=root"
	else
		_auth=normal
		_user=""
	fi
	# shellcheck disable=SC2086
	if ! mariadb-install-db --no-defaults --datadir="$MYDIR/data" $_user \
		--auth-root-authentication-method=$_auth --skip-test-db \
		--skip-name-resolve --innodb-log-file-size=256M \
		--innodb-buffer-pool-size=256M --tmpdir="$MYDIR/tmp" \
		>"$MYDIR/install.log" 2>&1; then
		cat "$MYDIR/install.log" >&2
		die "mariadb-install-db failed"
	fi
}

# Starts mariadbd on port $1; returns 3 when the port turned out to be taken.
my_start_on() {
	rm -f "$MYDIR/pid" "$MY_SOCKET"
	: >"$MYDIR/err.log"
	_user=""
	[ "$IS_ROOT" -eq 1 ] && _user="--user=root"
	_tls=""
	[ -d "$MYDIR/tls" ] && _tls="--ssl-ca=$MYDIR/tls/ca.pem --ssl-cert=$MYDIR/tls/server.pem --ssl-key=$MYDIR/tls/server.key --require-secure-transport=ON"
	# setsid: the server must not receive the terminal's SIGINT nor hold the
	# caller's stdout open.
	# shellcheck disable=SC2086
	setsid mariadbd --no-defaults \
		--datadir="$MYDIR/data" \
		--socket="$MY_SOCKET" \
		--port="$1" \
		--bind-address=127.0.0.1 \
		$_user \
		--pid-file="$MYDIR/pid" \
		--log-bin="$MYDIR/binlog/mariadb-bin" \
		--server-id=1 \
		--binlog-format=ROW \
		--binlog-row-image=FULL \
		--binlog-row-metadata=FULL \
		--log-error="$MYDIR/err.log" \
		--tmpdir="$MYDIR/tmp" \
		--innodb-buffer-pool-size=256M \
		--innodb-log-file-size=256M \
		--innodb-flush-log-at-trx-commit=2 \
		--sync-binlog=0 \
		--skip-name-resolve \
		--character-set-server=utf8mb4 \
		--collation-server=utf8mb4_unicode_ci \
		--max-connections=200 \
		--max-allowed-packet=256M \
		$_tls \
		</dev/null >>"$MYDIR/stdout.log" 2>&1 &

	_i=0
	while :; do
		if my_admin ping >/dev/null 2>&1; then
			return 0
		fi
		if grep -qE 'Address already in use|Bind on TCP/IP port' "$MYDIR/err.log" 2>/dev/null; then
			_p=$(head -n1 "$MYDIR/pid" 2>/dev/null | tr -dc 0-9 || true)
			if [ -n "$_p" ] && pid_is "$_p" mariadbd; then kill "$_p" 2>/dev/null || true; fi
			[ -n "$_p" ] && wait_gone "$_p" 10 || true
			return 3
		fi
		if grep -q '\[ERROR\] Aborting' "$MYDIR/err.log" 2>/dev/null; then
			break
		fi
		if [ "$_i" -ge $((TIMEOUT * 10)) ]; then
			break
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	say "mariadbd did not come up within ${TIMEOUT}s; $MYDIR/err.log:"
	tail -n 40 "$MYDIR/err.log" >&2 || true
	tail -n 20 "$MYDIR/stdout.log" >&2 2>/dev/null || true
	return 1
}

# my_create_users: the application user `migrator` with the least privilege
# README.md lists ("Least privilege"): reading the binary log (REPLICATION
# SLAVE) and listing it (BINLOG MONITOR), and SELECT on the source databases
# only, here every database named it_* (the integration tests'); the demo and
# the benchmarks grant theirs as a user would. No RELOAD, LOCK TABLES or
# SHOW VIEW: migrate takes no lock and copies no view.
my_create_users() {
	for _h in 127.0.0.1 localhost; do
		my_root -e "
			CREATE USER 'migrator'@'$_h' IDENTIFIED BY '$MY_PASS';
			GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'migrator'@'$_h';
			GRANT SELECT ON \`it\\_%\`.* TO 'migrator'@'$_h';
		" || die "could not create MariaDB users"
	done
}

my_stop() {
	_pid=$(my_pid) || { rm -f "$MYDIR/pid"; return 0; }
	kill -TERM "$_pid" 2>/dev/null || true
	if ! wait_gone "$_pid" 60; then
		say "mariadbd $_pid did not stop in 60s, killing it"
		kill -KILL "$_pid" 2>/dev/null || true
		wait_gone "$_pid" 10 || die "mariadbd $_pid survived SIGKILL"
	fi
	rm -f "$MYDIR/pid"
}

# --- PostgreSQL ------------------------------------------------------------

pg_init() {
	mkdir -p "$PGDIR"
	if [ "$IS_ROOT" -eq 1 ]; then
		chown postgres:postgres "$PGDIR"
	fi
	chmod 755 "$PGDIR"
	if ! as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 \
		--locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
		--no-sync >"$PGDIR/initdb.log" 2>&1; then
		cat "$PGDIR/initdb.log" >&2
		die "initdb failed"
	fi
	echo "include_if_exists = 'sandbox.conf'" | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
}

# Starts the postmaster on port $1; returns 3 when the port turned out to be
# taken.
pg_start_on() {
	_senders=""
	[ "$WAL_LEVEL" = minimal ] && _senders="max_wal_senders = 0"
	_ssl=""
	[ -d "$PGDIR/tls" ] && _ssl="ssl = on
ssl_ca_file = '$PGDIR/tls/ca.pem'
ssl_cert_file = '$PGDIR/tls/server.pem'
ssl_key_file = '$PGDIR/tls/server.key'"
	as_pg tee "$PGDATA/sandbox.conf" >/dev/null <<EOF
# Written by scripts/sandbox.sh on every start.
port = $1
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
fsync = on
shared_buffers = 256MB
max_wal_size = 4GB
wal_level = $WAL_LEVEL
$_senders
max_connections = 100
$_ssl
EOF
	_lines=0
	[ -f "$PGDIR/log" ] && _lines=$(wc -l <"$PGDIR/log")
	if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDIR/log" -w -t "$TIMEOUT" \
		-s start >/dev/null 2>"$PGDIR/pg_ctl.err"; then
		return 0
	fi
	if tail -n +"$((_lines + 1))" "$PGDIR/log" 2>/dev/null | grep -q 'Address already in use'; then
		return 3
	fi
	say "postgres did not start; $PGDIR/log:"
	tail -n +"$((_lines + 1))" "$PGDIR/log" 2>/dev/null | tail -n 40 >&2 || true
	cat "$PGDIR/pg_ctl.err" >&2 || true
	_p=$(pg_pid) && kill -QUIT "$_p" 2>/dev/null || true
	return 1
}

pg_admin() {
	psql -X -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres \
		-v ON_ERROR_STOP=1 "$@"
}

# pg_create_users: the sink role `sink`, no superuser, in a database it
# does not own: it may create schemas there (CREATE on the database, as
# every test uses schemas of its own) and owns what it creates. README.md
# ("Least privilege") shows the stricter form, schemas made by an
# administrator, which tests/integration/t_grants.sh checks.
pg_create_users() {
	pg_admin -c "CREATE ROLE sink LOGIN PASSWORD '$PG_PASS' NOSUPERUSER NOCREATEDB NOCREATEROLE" \
		-c "CREATE DATABASE sink" \
		-c "GRANT CREATE ON DATABASE sink TO sink" >/dev/null ||
		die "could not create PostgreSQL role/database"
}

pg_stop() {
	_pid=$(pg_pid) || return 0
	if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 -s stop >/dev/null 2>&1; then
		say "pg_ctl stop -m fast failed, trying immediate"
		as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 30 -s stop >/dev/null 2>&1 || true
	fi
	if ! wait_gone "$_pid" 10; then
		kill -KILL "$_pid" 2>/dev/null || true
		wait_gone "$_pid" 10 || die "postgres $_pid survived SIGKILL"
	fi
}

# --- TLS (SANDBOX_TLS_DIR) -------------------------------------------------

# tls_install CERT KEY: copies the CA of TLS_SRC (when given) and CERT/KEY as
# server.pem/server.key into both servers' tls directories, readable by the
# user each server runs as (PostgreSQL insists on owning its private key file).
tls_install() {
	mkdir -p "$MYDIR/tls" "$PGDIR/tls"
	if [ -n "$TLS_SRC" ]; then
		cp "$TLS_SRC/ca.pem" "$MYDIR/tls/ca.pem"
		cp "$TLS_SRC/ca.pem" "$PGDIR/tls/ca.pem"
	fi
	for _d in "$MYDIR/tls" "$PGDIR/tls"; do
		cp "$1" "$_d/server.pem.new" && mv -f "$_d/server.pem.new" "$_d/server.pem"
		(umask 077 && cp "$2" "$_d/server.key.new") && mv -f "$_d/server.key.new" "$_d/server.key"
	done
	chmod 644 "$MYDIR/tls/ca.pem" "$PGDIR/tls/ca.pem" "$MYDIR/tls/server.pem" "$PGDIR/tls/server.pem"
	[ "$IS_ROOT" -eq 0 ] || chown -R postgres:postgres "$PGDIR/tls"
}

# pg_hba_tls_only: TCP connections only over TLS (hostssl), the socket as before
pg_hba_tls_only() {
	as_pg tee "$PGDATA/pg_hba.conf" >/dev/null <<EOF
# Written by scripts/sandbox.sh (SANDBOX_TLS_DIR): TCP only with TLS.
local   all all                 trust
hostssl all all 127.0.0.1/32    scram-sha-256
EOF
}

# cmd_tls_cert CERT KEY: a running TLS sandbox serves CERT/KEY to new
# connections from now on (MariaDB FLUSH SSL, PostgreSQL reload)
cmd_tls_cert() {
	[ -d "$MYDIR/tls" ] || die "$DIR is not a TLS sandbox (start it with SANDBOX_TLS_DIR)"
	[ -r "$1" ] && [ -r "$2" ] || die "cannot read $1 or $2"
	. "$DIR/sandbox.env"
	TLS_SRC=""
	tls_install "$1" "$2"
	my_root -e "FLUSH SSL" || die "MariaDB did not reload its certificate"
	_before=$(grep -c 'received SIGHUP' "$PGDIR/log" 2>/dev/null || true)
	pg_admin -c "SELECT pg_reload_conf()" >/dev/null || die "PostgreSQL did not reload"
	# the postmaster rereads its files after the signal, asynchronously
	_i=0
	while [ "$(grep -c 'received SIGHUP' "$PGDIR/log" 2>/dev/null || true)" = "$_before" ] && [ "$_i" -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.2
}

# --- commands --------------------------------------------------------------

# Makes DIR (and its parents under /tmp) traversable by the postgres user.
make_traversable() {
	chmod 755 "$DIR"
	[ "$IS_ROOT" -eq 1 ] || return 0
	runuser -u postgres -- test -x "$DIR" 2>/dev/null && return 0
	_d=$(dirname "$DIR")
	while [ "$_d" != / ]; do
		case "$_d" in
		/tmp/* | "${TMPDIR:-/tmp}"/*) chmod o+x "$_d" ;;
		esac
		_d=$(dirname "$_d")
	done
	runuser -u postgres -- test -x "$DIR" 2>/dev/null ||
		die "the postgres user cannot reach $DIR (a parent directory is not world-traversable); use a directory under /tmp"
}

write_env() {
	_tmp="$DIR/sandbox.env.tmp"
	(
		umask 077
		cat >"$_tmp" <<EOF
# Written by scripts/sandbox.sh start; sourced by tests and demos.
SANDBOX_DIR='$DIR'
MY_HOST='127.0.0.1'
MY_PORT='$MY_PORT'
MY_SOCKET='$MY_SOCKET'
MY_USER='migrator'
MY_PASS='$MY_PASS'
PG_HOST='127.0.0.1'
PG_PORT='$PG_PORT'
PG_SOCKET_DIR='$PG_SOCKET_DIR'
PG_USER='sink'
PG_PASS='$PG_PASS'
PG_DB='sink'
PG_WAL_LEVEL='$WAL_LEVEL'
MY_ROOT='mariadb --no-defaults -uroot -S $MY_SOCKET'
PSQL_ADMIN='psql -X -q -h $PG_SOCKET_DIR -p $PG_PORT -U postgres'
PSQL_SINK='psql -X -q -h $PG_SOCKET_DIR -p $PG_PORT -U sink -d sink'
export SANDBOX_DIR MY_HOST MY_PORT MY_SOCKET MY_USER MY_PASS PG_HOST PG_PORT PG_SOCKET_DIR PG_USER PG_PASS PG_DB PG_WAL_LEVEL MY_ROOT PSQL_ADMIN PSQL_SINK
EOF
	)
	chmod 600 "$_tmp"
	mv -f "$_tmp" "$DIR/sandbox.env"
}

cmd_start() {
	case "$WAL_LEVEL" in
	minimal | replica | logical) ;;
	*) die "SANDBOX_WAL_LEVEL must be minimal, replica or logical (got '$WAL_LEVEL')" ;;
	esac
	for _c in mariadb-install-db mariadbd mariadb mariadb-admin psql openssl; do
		command -v "$_c" >/dev/null 2>&1 || die "$_c not found (run: sh scripts/deps.sh)"
	done
	[ -x "$PGBIN/pg_ctl" ] || die "$PGBIN/pg_ctl not found (run: sh scripts/deps.sh)"

	if _p=$(my_pid); then die "MariaDB of sandbox $DIR is already running (pid $_p)"; fi
	if _p=$(pg_pid); then die "PostgreSQL of sandbox $DIR is already running (pid $_p)"; fi

	# Unix socket paths are limited to 107 bytes.
	[ ${#MY_SOCKET} -le 100 ] || die "sandbox path too long for a Unix socket: $DIR"

	make_traversable

	fresh=1
	if [ -f "$DIR/sandbox.env" ] && [ -d "$MYDIR/data/mysql" ] && [ -f "$PGDATA/PG_VERSION" ]; then
		# Restart of a stopped sandbox: keep data and passwords.
		fresh=0
		MY_PASS=$(sed -n "s/^MY_PASS='\(.*\)'$/\1/p" "$DIR/sandbox.env")
		PG_PASS=$(sed -n "s/^PG_PASS='\(.*\)'$/\1/p" "$DIR/sandbox.env")
		[ -n "$MY_PASS" ] && [ -n "$PG_PASS" ] || fresh=1
	fi
	if [ "$fresh" -eq 1 ]; then
		# Leftovers of an earlier failed start are thrown away.
		rm -rf "$MYDIR" "$PGDIR" "$DIR/sandbox.env"
		MY_PASS=$(openssl rand -hex 12)
		PG_PASS=$(openssl rand -hex 12)
	fi

	# From here on, a failure stops whatever was started.
	trap 'st=$?; if [ "$st" -ne 0 ]; then my_stop || true; pg_stop || true; fi' EXIT
	trap 'exit 130' INT TERM HUP

	[ "$fresh" -eq 1 ] && my_init &
	initpid=$!
	[ "$fresh" -eq 1 ] && pg_init
	[ "$fresh" -eq 1 ] && { wait "$initpid" || exit 1; }
	if [ "$fresh" -eq 1 ] && [ -n "$TLS_SRC" ]; then
		for _f in ca.pem server.pem server.key; do
			[ -r "$TLS_SRC/$_f" ] || die "SANDBOX_TLS_DIR: cannot read $TLS_SRC/$_f"
		done
		tls_install "$TLS_SRC/server.pem" "$TLS_SRC/server.key"
		pg_hba_tls_only
	fi

	_try=0
	while :; do
		MY_PORT=$(free_port)
		_rc=0
		my_start_on "$MY_PORT" || _rc=$?
		[ "$_rc" -eq 0 ] && break
		_try=$((_try + 1))
		[ "$_rc" -eq 3 ] && [ "$_try" -lt 5 ] && continue
		exit 1
	done

	_try=0
	while :; do
		PG_PORT=$(free_port "$MY_PORT")
		_rc=0
		pg_start_on "$PG_PORT" || _rc=$?
		[ "$_rc" -eq 0 ] && break
		_try=$((_try + 1))
		[ "$_rc" -eq 3 ] && [ "$_try" -lt 5 ] && continue
		exit 1
	done

	if [ "$fresh" -eq 1 ]; then
		my_create_users
		pg_create_users
	fi
	write_env
	trap - EXIT INT TERM HUP
	say "started in $DIR: MariaDB 127.0.0.1:$MY_PORT (pid $(my_pid)), PostgreSQL 127.0.0.1:$PG_PORT (pid $(pg_pid))"
}

cmd_stop() {
	[ -d "$DIR" ] || return 0
	_rc=0
	my_stop || _rc=1
	pg_stop || _rc=1
	return "$_rc"
}

# restart-mariadb / restart-pg: stop one server by its PID and start it again
# on the port sandbox.env records (tests of stream under server restarts).
cmd_restart() {
	[ -f "$DIR/sandbox.env" ] || die "no sandbox in $DIR"
	_port=$(sed -n "s/^$1_PORT='\(.*\)'$/\1/p" "$DIR/sandbox.env")
	[ -n "$_port" ] || die "no $1_PORT in $DIR/sandbox.env"
	if [ "$1" = MY ]; then
		my_stop
		my_start_on "$_port" || die "MariaDB did not start again on port $_port"
		say "MariaDB restarted on 127.0.0.1:$_port (pid $(my_pid))"
	else
		pg_stop
		pg_start_on "$_port" || die "PostgreSQL did not start again on port $_port"
		say "PostgreSQL restarted on 127.0.0.1:$_port (pid $(pg_pid))"
	fi
}

# stop-pg / start-pg: PostgreSQL alone, by its PID, on the port sandbox.env
# records (tests of stream during a sink outage).
cmd_stop_pg() {
	[ -f "$DIR/sandbox.env" ] || die "no sandbox in $DIR"
	pg_stop
	say "PostgreSQL stopped"
}

cmd_start_pg() {
	[ -f "$DIR/sandbox.env" ] || die "no sandbox in $DIR"
	if _p=$(pg_pid); then
		say "PostgreSQL already running (pid $_p)"
		return 0
	fi
	_port=$(sed -n "s/^PG_PORT='\(.*\)'$/\1/p" "$DIR/sandbox.env")
	[ -n "$_port" ] || die "no PG_PORT in $DIR/sandbox.env"
	# the wal_level the sandbox was started with, not this shell's
	_wl=$(sed -n "s/^PG_WAL_LEVEL='\(.*\)'$/\1/p" "$DIR/sandbox.env")
	[ -z "$_wl" ] || WAL_LEVEL=$_wl
	pg_start_on "$_port" || die "PostgreSQL did not start again on port $_port"
	say "PostgreSQL started on 127.0.0.1:$_port (pid $(pg_pid))"
}

cmd_status() {
	_mp=$(my_pid) || { echo "MariaDB of sandbox $DIR is not running"; return 1; }
	_pp=$(pg_pid) || { echo "PostgreSQL of sandbox $DIR is not running"; return 1; }
	echo "sandbox $DIR: MariaDB pid $_mp, PostgreSQL pid $_pp"
}

cmd_env() {
	[ -f "$DIR/sandbox.env" ] || die "no sandbox in $DIR (run: sh $0 start $DIR)"
	cat "$DIR/sandbox.env"
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
[ -n "$DIR" ] || usage
if [ "$CMD" = tls-cert ]; then [ $# -eq 4 ] || usage; else [ $# -eq 2 ] || usage; fi

if [ "$CMD" = start ]; then
	mkdir -p "$DIR"
fi
if [ -d "$DIR" ]; then
	DIR=$(cd "$DIR" && pwd -P)
fi
MYDIR="$DIR/mariadb"
PGDIR="$DIR/pg"
PGDATA="$PGDIR/data"
MY_SOCKET="$MYDIR/sock"
PG_SOCKET_DIR="$PGDIR"

case "$CMD" in
start) cmd_start ;;
restart-mariadb) cmd_restart MY ;;
restart-pg) cmd_restart PG ;;
stop-pg) cmd_stop_pg ;;
start-pg) cmd_start_pg ;;
stop) cmd_stop ;;
env) cmd_env ;;
status) [ -d "$DIR" ] && cmd_status ;;
tls-cert) cmd_tls_cert "$3" "$4" ;;
*) usage ;;
esac
