#!/bin/sh
# Benchmark of bin/migrate against pgloader and the raw client pipe on the
# shared trading dataset (../shared/bench), all in one run on one sandbox so
# that the ratios are comparable on a noisy machine. See bench/README.md.
#
#   sh bench/migrate_bench.sh [ROWS]        (default 2000000 deals)
#
# Environment:
#   MEMCHECK=0          skip the memory check (migrate at MEM_ROWS and 4*MEM_ROWS)
#   MEM_ROWS=N          base size of the memory check (default ROWS)
#   MINIMAL=0           skip the second sandbox with wal_level=minimal
#   PGL_WORKERS=N       pgloader workers (default 4, pgloader's default)
#   PGL_CONCURRENCY=N   pgloader concurrency (default 1, pgloader's default)
#   MIGRATE=PATH        binary to measure (default bin/migrate; `make` first)
#   SHARED_BENCH=DIR    the shared inputs (default ../shared/bench of the repo)
#   KEEP_WORKDIR=1      keep the temporary directory (sandboxes are stopped anyway)
#
# Output: printed and written to bench/out/<stamp>/ (summary.txt, the full log
# and each contender's log with passwords masked).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
ROWS=${1:-2000000}
MEMCHECK=${MEMCHECK:-1}
MEM_ROWS=${MEM_ROWS:-$ROWS}
MINIMAL=${MINIMAL:-1}
PGL_WORKERS=${PGL_WORKERS:-4}
PGL_CONCURRENCY=${PGL_CONCURRENCY:-1}
SHARED=${SHARED_BENCH:-$REPO/../shared/bench}

die() { echo "migrate_bench: $*" >&2; exit 1; }

case "$ROWS" in '' | *[!0-9]*) die "ROWS must be a number (got '$ROWS')" ;; esac
case "$MEM_ROWS" in '' | *[!0-9]*) die "MEM_ROWS must be a number (got '$MEM_ROWS')" ;; esac
[ "$ROWS" -ge 1000 ] || die "ROWS must be at least 1000"
for f in gen_trading.sql gen_trading_rows.sh raw_limit.sh; do
	[ -r "$SHARED/$f" ] || die "shared benchmark input $SHARED/$f not found (set SHARED_BENCH)"
done
SHARED=$(cd "$SHARED" && pwd -P)
SRC_MIGRATE=${MIGRATE:-$REPO/bin/migrate}
[ -x "$SRC_MIGRATE" ] || die "$SRC_MIGRATE not built (run make)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
for c in pgloader psql mariadb bc awk; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found"
done

STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/out/$STAMP"
mkdir -p "$OUT"
W=$(mktemp -d /tmp/mbench.XXXXXX)
chmod 755 "$W"
SANDBOXES=""
FAILS=0
LOG="$OUT/bench.log"
SUMMARY="$OUT/summary.txt"
: >"$LOG"
: >"$SUMMARY"

cleanup() {
	st=$?
	set +e
	for d in $SANDBOXES; do
		sh "$REPO/scripts/sandbox.sh" stop "$d" >>"$LOG" 2>&1 ||
			echo "migrate_bench: could not stop the sandbox in $d" >&2
	done
	if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
		echo "migrate_bench: work dir kept: $W (holds passwords)" >&2
	else
		rm -rf "$W"
	fi
	[ "$st" -eq 0 ] || echo "migrate_bench: FAILED (status $st); log: $LOG" >&2
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The measured binary is a private copy: a rebuild during the run changes nothing.
cp "$SRC_MIGRATE" "$W/migrate"
MIGRATE_BIN="$W/migrate"

# Variables of the tool come from the bench's .env only (the environment wins).
unset SINK_DB_URL SINK_SCHEMA CONTROL_SCHEMA TABLES_DIR IDENTIFIER_CASE LOG_LEVEL \
	TRADING_HOST TRADING_PORT TRADING_USER TRADING_PASS TRADING_SCHEMA \
	TRADING_SINK_SCHEMA TRADING_TLS 2>/dev/null || true

# --- output ------------------------------------------------------------------

# Masks the current sandbox's passwords (hex strings) in stdin.
mask() {
	sed -e "s/${MY_PASS:-@@none@@}/***/g" -e "s/${PG_PASS:-@@none@@}/***/g" \
		-e "s/${PGL_PASS:-@@none@@}/***/g"
}
say() { echo "$*" | tee -a "$LOG"; }
note() { echo "$*" | tee -a "$LOG" >>"$SUMMARY"; }   # to summary, log and stdout
keep_log() { mask <"$1" >"$OUT/$2"; }                   # a contender's log, masked
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc | awk '{ printf "%.1f", $1 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
mib() { awk -v k="$1" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%.0f", k / 1024; else print "-" }'; }
# The 1-minute load average and the number of MariaDB/PostgreSQL servers on the
# host that are not the bench's own (other users' work is noise).
loadavg() {
	n=0
	for pid in $(pgrep -x mariadbd) $(pgrep -x postgres); do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE -- '--datadir|-D ' || continue
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$W" || n=$((n + 1))
	done
	echo "$(cut -d' ' -f1-3 /proc/loadavg), foreign servers $n"
}

# --- sandbox -----------------------------------------------------------------

# sandbox_start NAME [WAL_LEVEL]: starts a sandbox in $W/NAME and sources it.
sandbox_start() {
	d="$W/$1"
	SANDBOXES="$SANDBOXES $d"
	SANDBOX_WAL_LEVEL=${2:-replica} sh "$REPO/scripts/sandbox.sh" start "$d" >>"$LOG" 2>&1 ||
		die "sandbox start failed (see $LOG)"
	# shellcheck disable=SC1090,SC1091
	. "$d/sandbox.env"
	# the sandbox's migrator reads only the databases granted to it
	my_root -e "GRANT SELECT ON xchange_trading.* TO '$MY_USER'@'127.0.0.1'" || die "GRANT SELECT failed"
	PGL_PASS=""
	SB="$d"
	mkdir -p "$SB/work/tables.d"
	printf 'T_DEAL\nT_CARRIER\nT_EVENT_LOG\n' >"$SB/work/tables.d/trading"
	MY_NOBIN="$SB/work/my_nobinlog"
	# The generator's session writes no binlog: faster, and migrate does not read it.
	printf '#!/bin/sh\nexec mariadb --no-defaults -uroot -S "%s" --init-command="SET sql_log_bin=0" "$@"\n' \
		"$MY_SOCKET" >"$MY_NOBIN"
	chmod 700 "$MY_NOBIN"
}

sandbox_stop() {
	sh "$REPO/scripts/sandbox.sh" stop "$SB" >>"$LOG" 2>&1 || die "could not stop the sandbox in $SB"
	SANDBOXES=$(echo "$SANDBOXES" | sed "s# $SB##")
}

my_root() { $MY_ROOT -N -B "$@"; }
pg_super() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -F'|' -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"; }

# gen N: (re)builds xchange_trading with N deals, then reads it once so that
# every contender starts from the same warm page cache.
gen() {
	t0=$(now)
	"$MY_NOBIN" <"$SHARED/gen_trading.sql" >>"$LOG" 2>&1 || die "gen_trading.sql failed (see $LOG)"
	sh "$SHARED/gen_trading_rows.sh" "$MY_NOBIN" "$1" >>"$LOG" 2>&1 || die "gen_trading_rows.sh failed (see $LOG)"
	t1=$(now)
	for t in T_DEAL T_CARRIER T_EVENT_LOG; do
		my_root --quick xchange_trading -e "SELECT * FROM $t" >/dev/null || die "warm-up read of $t failed"
	done
	SRC_FP=$(my_root xchange_trading -e "
		SELECT COUNT(*), SUM(qty), COUNT(amount), SUM(amount), COUNT(notes), COUNT(attrs), SUM(active + 0), SUM(id)
		FROM T_DEAL;
		SELECT COUNT(*) FROM T_CARRIER; SELECT COUNT(*) FROM T_EVENT_LOG;" | tr '\t\n' '| ' | sed 's/ $//')
	say "source: $1 deals generated in $(elapsed "$t0" "$t1") s; fingerprint $SRC_FP"
}

# settle: every contender starts with PostgreSQL's dirty buffers written out.
settle() {
	pg_super -d postgres -c CHECKPOINT >/dev/null
	sync
	sleep 2
}

# check DB SCHEMA NAME: row fingerprint, persistence and indexes of a result;
# sets CHECK ("ok" or what is wrong).
check() {
	fp=$(pg_super -d "$1" -c "SET search_path = $2" -c "
		SELECT COUNT(*), SUM(qty), COUNT(amount), SUM(amount), COUNT(notes), COUNT(attrs),
		       SUM(CASE WHEN active::text IN ('1', 'true') THEN 1 ELSE 0 END), SUM(id)
		FROM t_deal;
		SELECT COUNT(*) FROM t_carrier; SELECT COUNT(*) FROM t_event_log;" 2>&1 | tr '\n' ' ' | sed 's/ $//')
	rels=$(pg_super -d "$1" -c "
		SELECT c.relname || ':' || c.relpersistence::text || ':' ||
		       (SELECT COUNT(*) FROM pg_index i WHERE i.indrelid = c.oid AND i.indisvalid)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = '$2' AND c.relkind = 'r' AND c.relname IN ('t_deal', 't_carrier', 't_event_log')
		ORDER BY 1" 2>&1 | tr '\n' ' ' | sed 's/ $//')
	CHECK=ok
	[ "$fp" = "$SRC_FP" ] || CHECK="WRONG DATA: $fp (source $SRC_FP)"
	case "$rels" in
	*:u:*) CHECK="$CHECK; UNLOGGED table left: $rels" ;;
	esac
	# the source has 4 + 2 + 1 indexes (primary and unique keys included)
	case "$rels" in
	"t_carrier:p:2 t_deal:p:4 t_event_log:p:1") ;;
	*) CHECK="$CHECK; tables:persistence:indexes = $rels" ;;
	esac
	[ "$CHECK" = ok ] || CHECK=${CHECK#ok; }
	say "  $3 check: $CHECK [$rels]"
}

# --- contenders ----------------------------------------------------------------

# run_migrate NAME SCHEMA ARGS...: migrate into a fresh schema of database sink;
# sets SECS, RSS_KB, MODE, CHECK.
run_migrate() {
	name=$1 schema=$2
	shift 2
	wd="$SB/work/$name"
	mkdir -p "$wd"
	(
		umask 077
		cat >"$wd/.env" <<EOF
SINK_DB_URL=postgresql://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB
SINK_SCHEMA=$schema
CONTROL_SCHEMA=ctl_$schema
TABLES_DIR=$SB/work/tables.d
TRADING_HOST=127.0.0.1
TRADING_PORT=$MY_PORT
TRADING_USER=$MY_USER
TRADING_PASS=$MY_PASS
TRADING_SCHEMA=xchange_trading
EOF
	)
	settle
	say "- $name: migrate --database trading --tables all $* --no-progress (load $(loadavg))"
	rc=0
	(cd "$wd" && exec /usr/bin/time -f '%e %M' -o "$wd/time" "$MIGRATE_BIN" --env "$wd/.env" \
		--database trading --tables all "$@" --no-progress) >"$wd/out" 2>"$wd/err" || rc=$?
	{ echo "=== stdout"; cat "$wd/out"; echo "=== stderr"; cat "$wd/err"; } >"$wd/log"
	keep_log "$wd/log" "$name.log"
	read -r SECS RSS_KB <<EOF
$(tail -n 1 "$wd/time")
EOF
	MODE=$(sed -n 's/.*with load mode \([a-z]*\).*/\1/p' "$wd/err" | head -n 1)
	mask <"$wd/out" | sed 's/^/    /' | tee -a "$LOG"
	if [ "$rc" -ne 0 ]; then
		say "  $name: migrate EXITED $rc; last lines of its stderr:"
		tail -n 30 "$wd/err" | mask | sed 's/^/    /' | tee -a "$LOG"
		CHECK="migrate exit $rc"
		SECS="FAIL"
	else
		check "$PG_DB" "$schema" "$name"
	fi
	[ "$CHECK" = ok ] || FAILS=$((FAILS + 1))
	say "  $name: ${SECS} s, peak RSS $(mib "$RSS_KB") MiB, load mode ${MODE:-?}"
	pg_super -d "$PG_DB" -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "DROP SCHEMA IF EXISTS ctl_$schema CASCADE" \
		>/dev/null 2>&1 || true
}

# run_pgloader: pgloader into a fresh database pgl; sets SECS, RSS_KB, CHECK.
run_pgloader() {
	wd="$SB/work/pgloader"
	mkdir -p "$wd"
	pg_super -d postgres -c "DROP DATABASE IF EXISTS pgl" -c "CREATE DATABASE pgl OWNER $PG_USER" >/dev/null
	pgl_user=$MY_USER pgl_pass=$MY_PASS
	if [ -n "$PGL_PASS" ]; then pgl_user=pgl_bench pgl_pass=$PGL_PASS; fi
	(
		umask 077
		sed -e "s/@MY_USER@/$pgl_user/" -e "s/@MY_PASS@/$pgl_pass/" -e "s/@MY_PORT@/$MY_PORT/" \
			-e "s/@PG_USER@/$PG_USER/" -e "s/@PG_PASS@/$PG_PASS/" -e "s/@PG_PORT@/$PG_PORT/" \
			-e "s/@PG_DB@/pgl/" -e "s/@WORKERS@/$PGL_WORKERS/" -e "s/@CONCURRENCY@/$PGL_CONCURRENCY/" \
			"$REPO/bench/pgloader.load.in" >"$wd/load"
	)
	chmod 600 "$wd/load"
	settle
	say "- pgloader: LOAD DATABASE WITH workers = $PGL_WORKERS, concurrency = $PGL_CONCURRENCY (user $pgl_user; load $(loadavg))"
	rc=0
	(cd "$wd" && exec /usr/bin/time -f '%e %M' -o "$wd/time" pgloader --root-dir "$wd/root" \
		--logfile "$wd/pgloader.log" "$wd/load") >"$wd/out" 2>&1 || rc=$?
	cat "$wd/out" >"$wd/log"
	keep_log "$wd/log" "pgloader$PGL_TRY.log"
	read -r SECS RSS_KB <<EOF
$(tail -n 1 "$wd/time")
EOF
	# pgloader's own report: the last lines of its table
	mask <"$wd/out" | grep -E 'Total import time|errors|^ *(fetch|Create|Index|Reset|Primary|Set|Install|Comments|COPY|t_|xchange)' |
		tail -n 25 | sed 's/^/    /' | tee -a "$LOG" || true
	PGL_RC=$rc
	PGL_INTERNAL=$(sed -n 's/.*Total import time.* \([0-9][0-9ms.]*s\)$/\1/p' "$wd/out" | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		say "  pgloader EXITED $rc; last lines:"
		tail -n 30 "$wd/out" | mask | sed 's/^/    /' | tee -a "$LOG"
		CHECK="pgloader exit $rc"
		SECS=FAIL
	else
		check pgl xchange_trading pgloader
	fi
	[ "$CHECK" = ok ] || FAILS=$((FAILS + 1))
	say "  pgloader: ${SECS} s wall (its report's Total import time, a sum of overlapping steps: ${PGL_INTERNAL:-?}), peak RSS $(mib "$RSS_KB") MiB"
}

# raw_logged MARIADB_CMD PSQL_CMD DB: ../shared/bench/raw_limit.sh with
# `create table` instead of `create unlogged table` and no SET LOGGED step.
raw_logged() {
	M="$1"; P="$2"; DB="$3"
	$P -q -c "drop database if exists $DB" -c "create database $DB" >/dev/null
	$P -q "$DB" <<'SQL'
create table t_deal (id numeric(20) not null, deal_no varchar(32) not null, carrier_id bigint not null, status text not null, active boolean not null, deleted smallint not null, qty integer not null, price numeric(18,4) not null, amount numeric(20,2), currency char(3) not null, trade_date date not null, created_at timestamp(3) not null, updated_at timestamptz not null, notes text, attrs jsonb);
create table t_carrier (id bigint not null, code varchar(16) not null, name varchar(120) not null, country char(2) not null, active boolean not null, created_at timestamp not null);
create table t_event_log (ts timestamp(6) not null, level smallint not null, source varchar(64) not null, message varchar(255) not null);
SQL
	start=$(date +%s.%N)
	$M --quick --batch -N xchange_trading -e "select id,deal_no,carrier_id,status,active+0,deleted,qty,price,amount,currency,trade_date,created_at,updated_at,notes,attrs from T_DEAL" | $P -q "$DB" -c "copy t_deal from stdin with (null 'NULL')" &
	$M --quick --batch -N xchange_trading -e "select id,code,name,country,active+0,created_at from T_CARRIER" | $P -q "$DB" -c "copy t_carrier from stdin with (null 'NULL')" &
	$M --quick --batch -N xchange_trading -e "select * from T_EVENT_LOG" | $P -q "$DB" -c "copy t_event_log from stdin with (null 'NULL')" &
	wait
	copied=$(date +%s.%N)
	$P -q "$DB" -c "alter table t_deal add primary key (id)" &
	$P -q "$DB" -c "create index on t_deal (carrier_id)" -c "create index on t_deal (trade_date)" -c "create index on t_deal (status, created_at)" &
	$P -q "$DB" -c "alter table t_carrier add primary key (id)" -c "create unique index on t_carrier (code)" -c "create index on t_event_log (ts)" &
	wait
	indexed=$(date +%s.%N)
	echo "copy_s=$(echo "$copied - $start" | bc) index_s=$(echo "$indexed - $copied" | bc) setlogged_s=0 total_s=$(echo "$indexed - $start" | bc)"
}

# run_raw NAME logged|unlogged: the raw pipe into a fresh database NAME; sets
# SECS (its own total_s: copy + indexes [+ SET LOGGED], DDL excluded), CHECK.
run_raw() {
	name=$1
	wd="$SB/work/$name"
	mkdir -p "$wd"
	m="mariadb --no-defaults -uroot -S $MY_SOCKET"
	p="psql -X -v ON_ERROR_STOP=1 -h $PG_SOCKET_DIR -p $PG_PORT -U postgres"
	settle
	say "- $name: raw pipe ($2; load $(loadavg))"
	t0=$(now)
	rc=0
	if [ "$2" = unlogged ]; then
		sh "$SHARED/raw_limit.sh" "$m" "$p" "$name" >"$wd/log" 2>&1 || rc=$?
	else
		raw_logged "$m" "$p" "$name" >"$wd/log" 2>&1 || rc=$?
	fi
	t1=$(now)
	keep_log "$wd/log" "$name.log"
	sed 's/^/    /' "$wd/log" | tee -a "$LOG"
	SECS=$(sed -n 's/.*total_s=\([0-9.]*\).*/\1/p' "$wd/log" | awk '{ printf "%.1f", $1 }')
	[ -n "$SECS" ] || SECS=FAIL
	if grep -qiE 'error|fatal' "$wd/log" || [ "$rc" -ne 0 ]; then
		CHECK="errors in the raw pipe (see $OUT/$name.log)"
		say "  $name: $CHECK"
	else
		check "$name" public "$name"
	fi
	[ "$CHECK" = ok ] || FAILS=$((FAILS + 1))
	say "  $name: ${SECS} s (outer wall with DDL $(elapsed "$t0" "$t1") s)"
	pg_super -d postgres -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
}

# --- machine facts ---------------------------------------------------------------

note "# migrate benchmark $STAMP: $ROWS deals (+ $((ROWS / 2)) log rows, 50000 carriers)"
note "host: nproc=$(nproc), kernel $(uname -r), load at start $(loadavg) (each contender line below shows the same)"
free -g | sed 's/^/  /' | tee -a "$LOG" >>"$SUMMARY"
note "migrate: $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown) ($SRC_MIGRATE)"
note "pgloader: $(pgloader --version 2>&1 | head -n 1 | tr -d '\n') (Debian package $(dpkg-query -W -f '${Version}' pgloader 2>/dev/null || echo '?'))"

# --- 1. + 2. the comparison on one sandbox (wal_level replica) ---------------------

sandbox_start replica replica
note "MariaDB $(my_root -e 'SELECT VERSION()'), PostgreSQL $(pg_super -d postgres -c 'SHOW server_version'), wal_level $(pg_super -d postgres -c 'SHOW wal_level')"
gen "$ROWS"

run_raw raw_logged logged;      RAW_L=$SECS;  RAW_L_CHECK=$CHECK
run_raw raw_unlogged unlogged;  RAW_U=$SECS;  RAW_U_CHECK=$CHECK

PGL_TRY=""
PGL_CRASHES=0
PGL_AUTH=0
while :; do
	run_pgloader
	[ "$PGL_RC" -ne 0 ] || break
	if grep -qE 'Failed to start the monitor thread|KABOOM' "$SB/work/pgloader/out" &&
		[ "$PGL_CRASHES" -lt 3 ]; then
		# The Debian build (SBCL 2.2.9) sometimes dies at start-up in its logger
		# ("Invalid index 1 for (SIMPLE-ARRAY (UNSIGNED-BYTE 32) (1))", pgloader
		# issue #1380) before it copies anything: run it again.
		PGL_CRASHES=$((PGL_CRASHES + 1))
	elif grep -qiE 'access denied|authenti|auth plugin|caching_sha2' "$SB/work/pgloader/out" &&
		[ "$PGL_AUTH" -eq 0 ]; then
		# pgloader's MySQL driver speaks mysql_native_password only.
		PGL_AUTH=1
		PGL_PASS=$(openssl rand -hex 12)
		my_root -e "CREATE USER pgl_bench@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('$PGL_PASS');
			GRANT SELECT, SHOW VIEW ON xchange_trading.* TO pgl_bench@'127.0.0.1'"
		note "NOTE: pgloader could not authenticate as $MY_USER; retried as pgl_bench IDENTIFIED VIA mysql_native_password"
	else
		break
	fi
	FAILS=$((FAILS - 1))   # a retried attempt does not count
	PGL_TRY=".try$((PGL_CRASHES + PGL_AUTH + 1))"
	say "  pgloader: retrying"
done
[ "$PGL_CRASHES" -eq 0 ] ||
	note "NOTE: pgloader crashed at start-up $PGL_CRASHES time(s) (Failed to start the monitor thread; pgloader issue #1380) and was run again; the figure is the run that worked"
PGL=$SECS; PGL_RSS=$RSS_KB; PGL_CHECK=$CHECK
pg_super -d postgres -c "DROP DATABASE IF EXISTS pgl" >/dev/null 2>&1 || true

run_migrate migrate_auto mig_auto;                               M_A=$SECS; M_A_RSS=$RSS_KB; M_A_MODE=$MODE; M_A_CHECK=$CHECK
run_migrate migrate_unlogged mig_unlogged --load-mode unlogged;  M_U=$SECS; M_U_RSS=$RSS_KB; M_U_CHECK=$CHECK
run_migrate migrate_logged mig_logged --load-mode logged;        M_L=$SECS; M_L_RSS=$RSS_KB; M_L_CHECK=$CHECK

line() { # name secs rss_kb check
	printf '%-32s %8s s  %9s  %9s  %8s  %s\n' "$1" "$2" "$(ratio "$2" "$PGL")" "$(ratio "$2" "$RAW_L")" \
		"$(mib "$3")" "$4"
}
note ""
note "## $ROWS deals, PostgreSQL wal_level replica (each target fresh, logged and indexed at the end)"
note "$(printf '%-32s %10s  %9s  %9s  %8s  %s' contender seconds '/pgloader' '/raw-log' 'RSS MiB' check)"
note "$(line "migrate (auto -> ${M_A_MODE:-?})" "$M_A" "$M_A_RSS" "$M_A_CHECK")"
note "$(line "migrate --load-mode unlogged" "$M_U" "$M_U_RSS" "$M_U_CHECK")"
note "$(line "migrate --load-mode logged" "$M_L" "$M_L_RSS" "$M_L_CHECK")"
note "$(line "pgloader (w=$PGL_WORKERS c=$PGL_CONCURRENCY)" "$PGL" "$PGL_RSS" "$PGL_CHECK; report total ${PGL_INTERNAL:-?}")"
note "$(line "raw pipe logged" "$RAW_L" - "$RAW_L_CHECK")"
note "$(line "raw pipe unlogged + SET LOGGED" "$RAW_U" - "$RAW_U_CHECK")"

# --- 4. memory check (same sandbox, default settings) -----------------------------

if [ "$MEMCHECK" != 0 ]; then
	if [ "$MEM_ROWS" = "$ROWS" ]; then
		MC1_S=$M_A; MC1_RSS=$M_A_RSS; MC1_CHECK=$M_A_CHECK
	else
		gen "$MEM_ROWS"
		run_migrate memcheck_1x mem_1x; MC1_S=$SECS; MC1_RSS=$RSS_KB; MC1_CHECK=$CHECK
	fi
	gen $((MEM_ROWS * 4))
	run_migrate memcheck_4x mem_4x; MC4_S=$SECS; MC4_RSS=$RSS_KB; MC4_CHECK=$CHECK
	note ""
	note "## memory check: migrate with default settings, peak RSS"
	note "$(printf '%10s deals: %8s MiB in %s s (%s)' "$MEM_ROWS" "$(mib "$MC1_RSS")" "$MC1_S" "$MC1_CHECK")"
	note "$(printf '%10s deals: %8s MiB in %s s (%s)' $((MEM_ROWS * 4)) "$(mib "$MC4_RSS")" "$MC4_S" "$MC4_CHECK")"
	note "$(awk -v a="$MC1_RSS" -v b="$MC4_RSS" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "4x rows -> %.2fx peak RSS: %s", b / a, (b / a <= 1.25 ? "flat" : "GROWS WITH THE DATA"); else print "no figure" }')"
fi
sandbox_stop

# --- 3. wal_level minimal: what --load-mode auto picks -------------------------------

if [ "$MINIMAL" != 0 ]; then
	sandbox_start minimal minimal
	note ""
	note "## $ROWS deals, PostgreSQL wal_level $(pg_super -d postgres -c 'SHOW wal_level') (second sandbox)"
	gen "$ROWS"
	run_raw raw_logged logged;  MIN_RAW_L=$SECS; MIN_RAW_L_CHECK=$CHECK
	run_migrate migrate_auto mig_auto;                               N_A=$SECS; N_A_RSS=$RSS_KB; N_A_MODE=$MODE; N_A_CHECK=$CHECK
	run_migrate migrate_unlogged mig_unlogged --load-mode unlogged;  N_U=$SECS; N_U_RSS=$RSS_KB; N_U_CHECK=$CHECK
	run_migrate migrate_logged mig_logged --load-mode logged;        N_L=$SECS; N_L_RSS=$RSS_KB; N_L_CHECK=$CHECK
	lineb() { printf '%-32s %8s s  %9s  %8s  %s\n' "$1" "$2" "$(ratio "$2" "$MIN_RAW_L")" "$(mib "$3")" "$4"; }
	note "$(printf '%-32s %10s  %9s  %8s  %s' contender seconds '/raw-log' 'RSS MiB' check)"
	note "$(lineb "migrate (auto -> ${N_A_MODE:-?})" "$N_A" "$N_A_RSS" "$N_A_CHECK")"
	note "$(lineb "migrate --load-mode unlogged" "$N_U" "$N_U_RSS" "$N_U_CHECK")"
	note "$(lineb "migrate --load-mode logged" "$N_L" "$N_L_RSS" "$N_L_CHECK")"
	note "$(lineb "raw pipe logged" "$MIN_RAW_L" - "$MIN_RAW_L_CHECK")"
	sandbox_stop
fi

note ""
note "finished $(date +%Y-%m-%dT%H:%M:%S); load at end $(loadavg); logs in $OUT"
echo
cat "$SUMMARY"
if [ "$FAILS" -ne 0 ]; then
	echo "migrate_bench: $FAILS contender run(s) failed or gave wrong results (see above)" >&2
	exit 1
fi
