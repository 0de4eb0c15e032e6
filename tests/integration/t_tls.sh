#!/bin/sh
# Verified TLS to MariaDB, PostgreSQL and Kafka. A second sandbox of its own
# (scripts/sandbox.sh with SANDBOX_TLS_DIR) serves certificates made by
# tls_certs.sh and takes TCP connections only over TLS (MariaDB
# require_secure_transport, PostgreSQL hostssl lines only); `sandbox.sh
# tls-cert` swaps the certificate both servers present. Shown for migrate
# and stream (its metadata, binlog and --status connections) and the sink:
# the good certificate connects; one for another host name, and one from an
# unknown CA, are refused with a message naming the setting; plaintext to the
# TLS-only servers fails saying TLS is required; skip-verify connects with a
# warning. Kafka: librdkafka's mock cluster has no TLS listener, so the
# producer is pointed at `openssl s_server`, which shows the handshake: a bad
# certificate is refused by the client (with the certificate's subject in
# stream's log), the good one passes the handshake and s_server prints
# stream's first Kafka request (its client id), decrypted.
. "$(dirname "$0")/lib.sh"

C="$T/certs"
S="$T/sbx"
sh tests/integration/tls_certs.sh "$C" || fail "could not make the test certificates"
at_exit "sh scripts/sandbox.sh stop '$S' >/dev/null 2>&1"
SANDBOX_TLS_DIR="$C" sh scripts/sandbox.sh start "$S" 2>"$T/sbx.log" ||
	fail "the TLS sandbox did not start: $(tail -n 20 "$T/sbx.log")"

# the TLS sandbox's ports and passwords (its sandbox.env would overwrite the
# shared sandbox's variables, so only these are read from it)
sbx() { sed -n "s/^$1='\(.*\)'$/\1/p" "$S/sandbox.env"; }
TMY_PORT=$(sbx MY_PORT); TMY_PASS=$(sbx MY_PASS); TPG_PORT=$(sbx PG_PORT); TPG_PASS=$(sbx PG_PASS)
[ -n "$TMY_PORT" ] && [ -n "$TPG_PORT" ] || fail "no ports in $S/sandbox.env"
# root over the Unix sockets, which stay plaintext
tmy() { mariadb --no-defaults -uroot -S "$S/mariadb/sock" -N -B -e "$1"; }
tpg() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$S/pg" -p "$TPG_PORT" -U sink -d sink -c "$1"; }
tpg_admin() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$S/pg" -p "$TPG_PORT" -U postgres -d sink -c "$1"; }
use_cert() { sh scripts/sandbox.sh tls-cert "$S" "$C/$1.pem" "$C/$1.key" || fail "could not install certificate $1"; }

tmy "CREATE DATABASE it_sec; CREATE TABLE it_sec.t (id INT PRIMARY KEY, v VARCHAR(20));
INSERT INTO it_sec.t VALUES (1, 'one'), (2, 'two');" || fail "could not fill the TLS MariaDB"
mkdir -p "$T/tables.d"
allow sec t
(
	umask 077
	cat >"$T/.env" <<EOF
SINK_DB_URL=postgresql://sink:$TPG_PASS@127.0.0.1:$TPG_PORT/sink
SINK_TLS=on
SINK_TLS_CA=$C/ca.pem
SINK_SCHEMA=sec_sink
CONTROL_SCHEMA=$CTL
TABLES_DIR=$T/tables.d
SEC_HOST=127.0.0.1
SEC_PORT=$TMY_PORT
SEC_USER=migrator
SEC_PASS=$TMY_PASS
SEC_SCHEMA=it_sec
SEC_TLS=on
SEC_TLS_CA=$C/ca.pem
EOF
)
unset SEC_TLS SEC_TLS_CA SINK_TLS SINK_TLS_CA PGSSLMODE KAFKA_TLS KAFKA_TLS_CA 2>/dev/null || true

# no_secrets FILE: neither server's password in FILE
no_secrets() {
	assert_not_contains "$1" "$TMY_PASS" "the MariaDB password in $1"
	assert_not_contains "$1" "$TPG_PASS" "the PostgreSQL password in $1"
}

# refused WHAT TEXT...: the last migrate failed and its log holds every TEXT
refused() {
	_what=$1
	shift
	for _t in "$@"; do
		assert_contains "$T/migrate.log" "$_t" "$_what"
	done
}

# --- the good certificate: everything connects, over TLS only ---------------
run_migrate --database sec --tables all || fail "migrate over verified TLS failed"
assert_eq 2 "$(tpg "SELECT count(*) FROM sec_sink.t")" "rows copied over TLS"
assert_not_contains "$T/migrate.log" "WARNING" "no warning with verified TLS"
tmy "INSERT INTO it_sec.t VALUES (3, 'three')"
END=$(tmy "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }')
run_stream --database sec --stop-at "$END" || fail "stream over verified TLS failed"
assert_eq three "$(tpg "SELECT v FROM sec_sink.t WHERE id = 3")" "binlog streamed over TLS"
run_stream --database sec --status || fail "stream --status over verified TLS failed"
assert_contains "$T/stream.log" "database sec" "--status reports"
# the server saw TLS sessions only (require_secure_transport refuses others)
# (a binlog dump thread ends when the server notices its client left: up to a few seconds)
i=0
while [ "$(tmy "SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER = 'migrator'")" != 0 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
assert_eq 0 "$(tmy "SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER = 'migrator'")" "no session left"

# --- client certificates (NAME_TLS_CERT/KEY, SINK_TLS_CERT/KEY) ---------------
# MariaDB: a user without password that must show a certificate of the CA;
# PostgreSQL: pg_hba "cert" authentication for role migrator (the CN)
tmy "CREATE USER 'certuser'@'127.0.0.1' REQUIRE X509; GRANT SELECT ON it_sec.* TO 'certuser'@'127.0.0.1'" ||
	fail "could not create the MariaDB certificate user"
tpg_admin "CREATE ROLE migrator LOGIN; GRANT CREATE ON DATABASE sink TO migrator" ||
	fail "could not create the PostgreSQL certificate role"
{ echo "hostssl sink migrator 127.0.0.1/32 cert"; cat "$S/pg/data/pg_hba.conf"; } >"$T/hba" &&
	cat "$T/hba" >"$S/pg/data/pg_hba.conf" && tpg_admin "SELECT pg_reload_conf()" >/dev/null ||
	fail "could not add the cert line to pg_hba.conf"
sleep 0.5
# cert_migrate: migrate as those users (the caller adds the certificates)
cert_migrate() {
	SEC_USER=certuser SEC_PASS= SINK_DB_URL="postgresql://migrator@127.0.0.1:$TPG_PORT/sink" \
		SINK_SCHEMA=cert_sink CONTROL_SCHEMA=ctl_cert run_migrate --database sec --tables all
}
SEC_TLS_CERT="$C/client.pem" SEC_TLS_KEY="$C/client.key" SINK_TLS_CERT="$C/client.pem" \
	SINK_TLS_KEY="$C/client.key" cert_migrate || fail "login with client certificates failed"
assert_eq 3 "$(tpg_admin "SELECT count(*) FROM cert_sink.t")" "rows copied by the certificate users"
SINK_TLS_CERT="$C/client.pem" SINK_TLS_KEY="$C/client.key" cert_migrate &&
	fail "MariaDB REQUIRE X509 user logged in without a client certificate"
refused "no MariaDB client certificate" 'as user "certuser"' "Access denied"
SEC_TLS_CERT="$C/client.pem" SEC_TLS_KEY="$C/client.key" cert_migrate &&
	fail "PostgreSQL cert login without a client certificate"
refused "no PostgreSQL client certificate" "certificate"

# --- plaintext to the TLS-only servers ----------------------------------------
SEC_TLS=off run_migrate --database sec --tables all && fail "plaintext MariaDB login accepted"
refused "MariaDB plaintext" 'the MariaDB server of database "sec" at 127.0.0.1:'"$TMY_PORT"' requires TLS for user "migrator"' \
	"set SEC_TLS=on"
SEC_TLS=off run_stream --database sec --stop-at "$END" && fail "stream: plaintext MariaDB login accepted"
assert_contains "$T/stream.log" 'requires TLS for user "migrator"' "stream: MariaDB plaintext"
SINK_TLS=off run_migrate --database sec --tables all && fail "plaintext PostgreSQL login accepted"
refused "PostgreSQL plaintext" 'no encryption' "the server requires TLS from this host" "set SINK_TLS=on"
# an sslmode that does not verify, without SINK_TLS: refused before connecting
(umask 077 && grep -v "^SINK_" "$T/.env" >"$T/url.env")
printf 'SINK_DB_URL=postgresql://sink:%s@127.0.0.1:%s/sink?sslmode=require\n' "$TPG_PASS" "$TPG_PORT" >>"$T/url.env"
(cd "$T" && "$MIGRATE" --env "$T/url.env" --database sec --tables all) >"$T/migrate.log" 2>&1 &&
	fail "sslmode=require without SINK_TLS accepted"
refused "sslmode=require" "SINK_DB_URL has sslmode=require, which accepts the PostgreSQL server's certificate without checking" \
	"SINK_TLS=skip-verify"
cat "$T/migrate.log" >>"$T/migrate.all.log"

# --- a certificate for another host name --------------------------------------
use_cert wronghost
run_migrate --database sec --tables all && fail "MariaDB: a certificate for wrong.example accepted"
refused "MariaDB wrong host" 'the MariaDB server of database "sec" at 127.0.0.1:'"$TMY_PORT"' presented a TLS certificate that is not issued for host "127.0.0.1"' \
	"SEC_TLS=skip-verify"
SEC_TLS=skip-verify run_migrate --database sec --tables all && fail "PostgreSQL: a certificate for wrong.example accepted"
refused "PostgreSQL wrong host" 'server certificate for "wrong.example"' 'does not match host name "127.0.0.1"' "SINK_TLS=skip-verify" \
	"SEC_TLS=skip-verify: the MariaDB server's certificate is checked against SEC_TLS_CA but its host name is not"
SINK_TLS=skip-verify run_stream --database sec --stop-at "$END" && fail "stream: a certificate for wrong.example accepted"
assert_contains "$T/stream.log" 'presented a TLS certificate that is not issued for host "127.0.0.1"' "stream: MariaDB wrong host"
SEC_TLS=skip-verify SINK_TLS=skip-verify run_migrate --database sec --tables all ||
	fail "skip-verify: a certificate for another host signed by the CA refused"
refused "skip-verify warnings" "WARNING: SEC_TLS=skip-verify" "WARNING: SINK_TLS=skip-verify: the PostgreSQL server's certificate is checked against SINK_TLS_CA but its host name is not"

# --- a certificate from an unknown CA -----------------------------------------
use_cert rogue
run_migrate --database sec --tables all && fail "MariaDB: a certificate of an unknown CA accepted"
refused "MariaDB unknown CA" 'the MariaDB server of database "sec" at 127.0.0.1:'"$TMY_PORT"' presented a TLS certificate that is not signed by a CA in SEC_TLS_CA' \
	"set SEC_TLS_CA to the PEM file of the CA"
SEC_TLS=skip-verify run_migrate --database sec --tables all && fail "MariaDB skip-verify with a CA file: unknown CA accepted"
refused "MariaDB skip-verify still checks the chain against SEC_TLS_CA" "not signed by a CA in SEC_TLS_CA"
SEC_TLS=skip-verify SEC_TLS_CA= run_migrate --database sec --tables all && fail "PostgreSQL: a certificate of an unknown CA accepted"
refused "PostgreSQL unknown CA" "certificate verify failed" "set SINK_TLS_CA to the PEM file of the CA that signed it"
SEC_TLS=skip-verify SEC_TLS_CA= SINK_TLS=skip-verify SINK_TLS_CA= run_migrate --database sec --tables all ||
	fail "skip-verify without CA files refused"
refused "skip-verify without CA warns" "WARNING: SEC_TLS=skip-verify: the MariaDB server's certificate will not be verified" \
	"WARNING: SINK_TLS=skip-verify: the PostgreSQL server's certificate will not be verified"
SEC_TLS=skip-verify SEC_TLS_CA= SINK_TLS=skip-verify SINK_TLS_CA= run_stream --database sec --stop-at "$END" ||
	fail "stream with skip-verify refused"
assert_contains "$T/stream.log" "WARNING: SEC_TLS=skip-verify" "stream: skip-verify warning"
use_cert server

# --- Kafka: the producer against openssl s_server ------------------------------
mkfifo "$T/fifo"
# the same source settings, no sink: the publisher's checkpoint is a file
(
	umask 077
	grep -E '^(TABLES_DIR|SEC_[A-Z_]+)=' "$T/.env" >"$T/k.env"
	echo "KAFKA_CHECKPOINT_FILE=$T/k.checkpoint" >>"$T/k.env"
)

# kafka_try CERT PATTERN [VAR=VALUE...]: s_server presents CERT; stream
# --to kafka --snapshot (with the settings given) runs until its log or
# s_server's output ($T/k.log, $T/srv.out) matches PATTERN (ERE), 15 s at most
kafka_try() {
	_cert=$1
	_pat=$2
	shift 2
	KP=$(free_port)
	openssl s_server -accept "127.0.0.1:$KP" -cert "$C/$_cert.pem" -key "$C/$_cert.key" \
		0<>"$T/fifo" >"$T/srv.out" 2>&1 &
	_srv=$!
	at_exit "kill $_srv 2>/dev/null"
	_i=0
	until grep -q ACCEPT "$T/srv.out" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -le 50 ] || fail "openssl s_server did not start: $(cat "$T/srv.out")"
		sleep 0.1
	done
	rm -f "$T/k.checkpoint"*
	# the last try's log goes first: its lines match PATTERN too, and a
	# SIGTERM sent before the subshell below has exec'd stream is taken by
	# the shell (it once left a stream waiting for Kafka's acknowledgement)
	: >"$T/k.log"
	(cd "$T" && exec env KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KP" "$@" "$STREAM" --env "$T/k.env" \
		--database sec --to kafka --snapshot) >"$T/k.log" 2>&1 &
	_st=$!
	at_exit "kill -9 $_st 2>/dev/null"
	_i=0
	until grep -Eq -- "$_pat" "$T/k.log" "$T/srv.out"; do
		_i=$((_i + 1))
		if [ $_i -gt 150 ] || ! kill -0 $_st 2>/dev/null; then
			echo "--- stream:" >&2; tail -n 20 "$T/k.log" >&2
			echo "--- s_server:" >&2; tail -n 20 "$T/srv.out" >&2
			kill -9 $_st 2>/dev/null
			kill $_srv 2>/dev/null
			fail "kafka ($_cert $*): /$_pat/ never showed"
		fi
		sleep 0.1
	done
	# a snapshot waits for Kafka's acknowledgement, which never comes here;
	# SIGTERM ends the wait
	kill -TERM $_st 2>/dev/null
	_i=0
	while kill -0 $_st 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 150 ]; then
			# where it waits, for the report
			command -v gdb >/dev/null && gdb -p $_st -batch -ex "print stop_requested" -ex "thread apply all bt" 2>&1 |
				grep -E "^(Thread|#|.1 = )" | grep -v "^#[0-9]*  *0x[0-9a-f]* in ?? ()" | head -n 200 >&2
			fail "kafka ($_cert $*): stream did not stop within 15 s of SIGTERM"
		fi
		sleep 0.1
	done
	wait $_st 2>/dev/null
	kill $_srv 2>/dev/null
	wait $_srv 2>/dev/null
	cat "$T/k.log" >>"$T/k.all.log"
}

kafka_try wronghost "verification callback failed" KAFKA_TLS=on KAFKA_TLS_CA="$C/ca.pem"
assert_contains "$T/k.log" "Certificate (subject=/CN=wrong.example, issuer=/CN=mariadb-sync test CA) verification callback failed: the Kafka broker 127.0.0.1:$KP presented a TLS certificate that is not issued for that host name" "Kafka wrong host"
assert_contains "$T/k.log" "KAFKA_TLS=skip-verify" "Kafka wrong host: the setting named"
assert_not_contains "$T/srv.out" "stream-sec" "Kafka wrong host: no request sent"

kafka_try rogue "verification callback failed" KAFKA_TLS=on KAFKA_TLS_CA="$C/ca.pem"
assert_contains "$T/k.log" "issuer=/CN=unknown test CA) verification callback failed: the Kafka broker 127.0.0.1:$KP presented a TLS certificate that is not signed by a CA in KAFKA_TLS_CA" "Kafka unknown CA"
assert_not_contains "$T/srv.out" "stream-sec" "Kafka unknown CA: no request sent"

# verification is the default whenever the protocol is TLS
kafka_try rogue "verification callback failed" KAFKA_SECURITY_PROTOCOL=SSL
assert_contains "$T/k.log" "not signed by a CA in KAFKA_TLS_CA" "Kafka SSL protocol: verified by default"

# the good certificate: the handshake passes and s_server decrypts the
# first request, which carries stream's client id
kafka_try server "stream-sec" KAFKA_TLS=on KAFKA_TLS_CA="$C/ca.pem"
assert_contains "$T/srv.out" "CIPHER is" "Kafka: handshake completed"
assert_not_match "$T/k.log" "verification callback failed|certificate verify failed" "Kafka good certificate"

# skip-verify without a CA: an unknown CA's certificate passes, with a warning
kafka_try rogue "stream-sec" KAFKA_TLS=skip-verify
assert_contains "$T/k.log" "WARNING: KAFKA_TLS=skip-verify: the Kafka server's certificate will not be verified" "Kafka skip-verify warning"
# skip-verify with a CA: the host name is not checked, the chain still is
kafka_try wronghost "stream-sec" KAFKA_TLS=skip-verify KAFKA_TLS_CA="$C/ca.pem"
kafka_try rogue "verification callback failed" KAFKA_TLS=skip-verify KAFKA_TLS_CA="$C/ca.pem"

# plaintext to the TLS listener fails (librdkafka says what it suspects)
kafka_try server "connecting to a SSL listener" KAFKA_TLS=off
assert_not_contains "$T/srv.out" "CIPHER is" "Kafka plaintext: no TLS session"

# KAFKA_PROPERTIES cannot turn verification off behind KAFKA_TLS's back
(cd "$T" && KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 KAFKA_TLS=on \
	KAFKA_PROPERTIES="enable.ssl.certificate.verification=false" \
	timeout 20 "$STREAM" --env "$T/k.env" --database sec --to kafka --snapshot) >"$T/k.log" 2>&1 &&
	fail "KAFKA_PROPERTIES turned verification off"
assert_contains "$T/k.log" "KAFKA_PROPERTIES: enable.ssl.certificate.verification=false refused" "KAFKA_PROPERTIES refused"
assert_contains "$T/k.log" "KAFKA_TLS=skip-verify" "KAFKA_PROPERTIES: the setting named"

for f in migrate.all.log stream.all.log k.all.log k.log; do
	no_secrets "$T/$f"
done
