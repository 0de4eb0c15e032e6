#!/bin/sh
# make install / make uninstall (PREFIX=/usr, DESTDIR): exactly the expected
# files, then nothing; a second install keeps what the operator edited; the
# installed unit passes `systemd-analyze verify`; the man pages are
# `mandoc -Tlint` clean, list exactly the options of --help (and so does the
# bash completion), and name every variable of env.example; the installed
# binaries run; `stream --status --format json` holds the fields of the
# text; every metric the Grafana dashboard queries is one a running stream
# or migrate serves.
. "$(dirname "$0")/lib.sh"

for c in mandoc systemd-analyze jq curl; do
	command -v $c >/dev/null || fail "$c not installed (scripts/deps.sh installs it)"
done
ROOTDIR=$PWD
# the variant the suite runs (make SANITIZE=... test runs build/san-*/bin)
SAN=""
case "${BINDIR:-bin}" in
build/san-*/bin) SAN=$(printf '%s' "${BINDIR#build/san-}" | sed 's|/bin$||; s|-|,|g') ;;
esac
mk() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$ROOTDIR" SANITIZE="$SAN" PREFIX=/usr "$@"
}
D="$T/root"
N=mariadb-pg-sync

# --- make install: exactly these paths -------------------------------------
mk install DESTDIR="$D" >"$T/install.log" 2>&1 || fail "make install failed: $(cat "$T/install.log")"
cat >"$T/expected" <<EOF2
etc
etc/$N
etc/$N/env.example
etc/$N/tables.d
usr
usr/bin
usr/bin/$N-migrate -> ../lib/$N/bin/migrate
usr/bin/$N-stream -> ../lib/$N/bin/stream
usr/lib
usr/lib/$N
usr/lib/$N/bin
usr/lib/$N/bin/migrate
usr/lib/$N/bin/stream
usr/lib/systemd
usr/lib/systemd/system
usr/lib/systemd/system/stream@.service
usr/share
usr/share/bash-completion
usr/share/bash-completion/completions
usr/share/bash-completion/completions/$N-migrate
usr/share/bash-completion/completions/$N-stream
usr/share/doc
usr/share/doc/$N
usr/share/doc/$N/BENCHMARKS.md
usr/share/doc/$N/README.md
usr/share/doc/$N/examples
usr/share/doc/$N/examples/grafana-dashboard.json
usr/share/man
usr/share/man/man1
usr/share/man/man1/$N-migrate.1
usr/share/man/man1/$N-stream.1
var
var/lib
var/lib/$N
EOF2
# listing DIR: every path under DIR, symbolic links with their target
listing() {
	(cd "$1" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | while read -r p; do
		if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; else echo "$p"; fi
	done)
}
listing "$D" >"$T/got"
LC_ALL=C sort "$T/expected" >"$T/expected.sorted"
diff "$T/expected.sorted" "$T/got" >"$T/diff" || fail "make install installed other paths than expected: $(cat "$T/diff")"
[ -x "$D/usr/lib/$N/bin/stream" ] && [ -x "$D/usr/lib/$N/bin/migrate" ] || fail "the binaries are not executable"
[ -z "$(ls -A "$D/etc/$N/tables.d")" ] || fail "tables.d is not empty"
assert_contains "$D/etc/$N/env.example" "TABLES_DIR=/etc/$N/tables.d" "the installed example points TABLES_DIR at /etc"
"$D/usr/bin/$N-migrate" --help >"$T/migrate.help" 2>&1 || fail "installed migrate --help failed"
"$D/usr/bin/$N-stream" --help >"$T/stream.help" 2>&1 || fail "installed stream --help failed"

# --- the unit: paths of the prefix, and systemd accepts it -------------------
U="$D/usr/lib/systemd/system/stream@.service"
grep -v '^#' "$U" | grep -q /usr/local && fail "a /usr/local path is left in the unit: $(grep -v '^#' "$U" | grep /usr/local)"
assert_contains "$U" "ExecStart=/usr/lib/$N/bin/stream --env /etc/$N/.env --database %i" "ExecStart of the prefix"
assert_contains "$U" "WorkingDirectory=/var/lib/$N" "the state directory"
assert_contains "$U" "User=$N" "runs as the package's user"
assert_contains "$U" "Documentation=man:$N-stream(1) file:///usr/share/doc/$N/README.md" "documentation of the prefix"
# systemd-analyze --root checks the unit against that root: the units it
# depends on, /bin/kill (ExecReload) and man (Documentation=) must be there
V="$T/vroot"
cp -a "$D" "$V"
mkdir -p "$V/bin" && cp /bin/kill "$V/bin/kill"
for u in sysinit.target basic.target multi-user.target network-online.target shutdown.target sockets.target \
	paths.target timers.target slices.target local-fs.target swap.target system.slice -.slice; do
	[ -e "/lib/systemd/system/$u" ] && cp -L "/lib/systemd/system/$u" "$V/usr/lib/systemd/system/$u"
done
verify() {
	MANPATH="$V/usr/share/man" systemd-analyze --root="$V" verify "$V/usr/lib/systemd/system/$1" >"$T/verify.out" 2>&1
}
verify stream@it.service || fail "systemd-analyze verify failed: $(cat "$T/verify.out")"
assert_eq "" "$(cat "$T/verify.out")" "systemd finds nothing wrong with the installed unit"
# the check is real: an unknown key is reported
sed 's/^KillMode=.*/&\nKillModus=mixed/' "$V/usr/lib/systemd/system/stream@.service" >"$V/usr/lib/systemd/system/bad@.service"
verify bad@it.service
assert_contains "$T/verify.out" "KillModus" "systemd-analyze verify reports a bad key"

# --- man pages -----------------------------------------------------------------
for c in migrate stream; do
	page="$D/usr/share/man/man1/$N-$c.1"
	# STYLE messages left out: the only one is the cross-reference to the
	# other page, which mandoc looks up in the installed manual database
	mandoc -Tlint -W warning "$page" >"$T/lint.out" 2>&1 || fail "mandoc -Tlint: $(cat "$T/lint.out")"
	assert_eq "" "$(cat "$T/lint.out")" "mandoc -Tlint finds nothing in $N-$c.1"
	# the options of --help: the tokens on its option lines
	grep -E '^  --' "$T/$c.help" | grep -oE -- '--[a-z][a-z-]*' | LC_ALL=C sort -u >"$T/$c.help.opts"
	[ "$(wc -l <"$T/$c.help.opts")" -gt 10 ] || fail "too few options found in $c --help"
	grep -E '^\.It ' "$page" | grep -oE 'Fl -[a-z][a-z-]*' | sed 's/^Fl -/--/' | LC_ALL=C sort -u >"$T/$c.man.opts"
	diff "$T/$c.help.opts" "$T/$c.man.opts" >"$T/diff" || fail "$c: --help (<) and the man page (>) differ: $(cat "$T/diff")"
	# the bash completion offers the same options
	comp="$D/usr/share/bash-completion/completions/$N-$c"
	bash -n "$comp" || fail "bash completion $N-$c does not parse"
	sed -n "/COMPREPLY=(\$(compgen -W '--/,/' -- /p" "$comp" | grep -oE -- '--[a-z][a-z-]*' | LC_ALL=C sort -u >"$T/$c.comp.opts"
	diff "$T/$c.help.opts" "$T/$c.comp.opts" >"$T/diff" || fail "$c: --help (<) and the completion (>) differ: $(cat "$T/diff")"
	mandoc -Tutf8 "$page" >/dev/null || fail "$N-$c.1 does not render"
done
# every variable of env.example (TRADING_X as NAME_X) in the pages
sed -nE 's/^#? ?([A-Z][A-Z0-9_]*)=.*/\1/p' "$ROOTDIR/env.example" | sed 's/^TRADING_/NAME_/' | LC_ALL=C sort -u >"$T/vars"
[ "$(wc -l <"$T/vars")" -gt 30 ] || fail "too few variables found in env.example"
while read -r v; do
	cat "$D/usr/share/man/man1/$N-"*.1 | grep -qE "(Ev|,) $v( |,|$)" || fail "$v of env.example is in no man page"
done <"$T/vars"
for s in ENVIRONMENT FILES "EXIT STATUS" SIGNALS EXAMPLES; do
	grep -q "^\.Sh $s\$" "$D/usr/share/man/man1/$N-stream.1" || fail "stream's page has no $s section"
	grep -q "^\.Sh $s\$" "$D/usr/share/man/man1/$N-migrate.1" || fail "migrate's page has no $s section"
done
assert_contains "$D/usr/share/man/man1/$N-stream.1" ".It SIGHUP" "stream's page names SIGHUP"
assert_contains "$D/usr/share/man/man1/$N-stream.1" ".It SIGTERM , SIGINT" "stream's page names SIGTERM"

# --- a second install keeps the operator's edits -----------------------------
echo "# edited by the operator" >>"$D/etc/$N/env.example"
cp "$D/etc/$N/env.example" "$T/edited.example"
printf 'T_DEAL\n' >"$D/etc/$N/tables.d/trading"
(umask 077 && echo "SINK_DB_URL=postgresql://x@127.0.0.1/x" >"$D/etc/$N/.env")
mk install DESTDIR="$D" >"$T/install2.log" 2>&1 || fail "the second make install failed: $(cat "$T/install2.log")"
cmp -s "$T/edited.example" "$D/etc/$N/env.example" || fail "the second install replaced the edited env.example"
assert_eq "T_DEAL" "$(cat "$D/etc/$N/tables.d/trading")" "the allowlist is kept"
assert_eq "SINK_DB_URL=postgresql://x@127.0.0.1/x" "$(cat "$D/etc/$N/.env")" ".env is kept"
# uninstall leaves the operator's files, and only them
mk uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1 || fail "make uninstall failed: $(cat "$T/uninstall.log")"
(cd "$D" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) >"$T/left"
assert_eq "etc/$N/.env
etc/$N/env.example
etc/$N/tables.d/trading" "$(cat "$T/left")" "uninstall leaves the operator's files"

# --- install, uninstall: then nothing ----------------------------------------
rm -rf "$D"
mk install DESTDIR="$D" >"$T/install.log" 2>&1 || fail "make install failed: $(cat "$T/install.log")"
listing "$D" >"$T/got"
diff "$T/expected.sorted" "$T/got" >"$T/diff" || fail "make install (again) installed other paths: $(cat "$T/diff")"
mk uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1 || fail "make uninstall failed: $(cat "$T/uninstall.log")"
# what is left are the empty standard directories DESTDIR did not have
listing "$D" >"$T/left"
assert_eq "etc
usr
usr/bin
usr/lib
usr/lib/systemd
usr/lib/systemd/system
usr/share
usr/share/bash-completion
usr/share/bash-completion/completions
usr/share/doc
usr/share/man
usr/share/man/man1
var
var/lib" "$(cat "$T/left")" "uninstall leaves no file and none of the package's directories"
[ -z "$(find "$D" -type f -o -type l)" ] || fail "files left after uninstall"

# --- the installed binaries against the sandbox; --status --format json ------
mk install DESTDIR="$D" >"$T/install.log" 2>&1 || fail "make install failed: $(cat "$T/install.log")"
MIGRATE="$D/usr/bin/$N-migrate"
STREAM="$D/usr/bin/$N-stream"
my "DROP DATABASE IF EXISTS $TEST_DB; CREATE DATABASE $TEST_DB; USE $TEST_DB;
CREATE TABLE a (id INT NOT NULL PRIMARY KEY, v INT NOT NULL);
CREATE TABLE c (id INT NOT NULL PRIMARY KEY, s VARCHAR(20));
CREATE TABLE d (id INT NOT NULL PRIMARY KEY);
INSERT INTO a SELECT seq, 0 FROM seq_1_to_100;
INSERT INTO c SELECT seq, 'x' FROM seq_1_to_500;
INSERT INTO d SELECT seq FROM seq_1_to_10;"
at_exit "my 'DROP DATABASE IF EXISTS $TEST_DB'"
pg_drop_schemas in_sink "$CTL"
at_exit "pg_drop_schemas in_sink $CTL"
write_env inst "$TEST_DB" in_sink
allow inst a
run_migrate --database inst --tables all || fail "installed migrate failed: $(cat "$T/migrate.log")"
my "USE $TEST_DB; INSERT INTO a VALUES (101, 1), (102, 2); UPDATE a SET v = 5 WHERE id <= 3; DELETE FROM a WHERE id = 50;"
end=$(binlog_end)
run_stream --database inst --stop-at "$end" || fail "installed stream failed: $(cat "$T/stream.log")"
run_stream --database inst --status || fail "--status failed: $(cat "$T/stream.log")"
cp "$T/stream.log" "$T/status.txt"
run_stream --database inst --status --format json || fail "--status --format json failed: $(cat "$T/stream.log")"
cp "$T/stream.log" "$T/status.json"
[ "$(wc -l <"$T/status.json")" = 1 ] || fail "--format json is not one line: $(cat "$T/status.json")"
j() { jq -r "$1" "$T/status.json" || fail "jq $1: $(cat "$T/status.json")"; }
assert_eq "inst" "$(j .database)" "json: database"
assert_eq "a ready 2 3 1" "$(j '.tables[0] | "\(.table) \(.state) \(.inserted) \(.updated) \(.deleted)"')" \
	"json: the table's state and rows applied"
assert_match "$T/status.txt" "^a +ready +$(j '.tables[0].watermark.binlog_file'):$(j '.tables[0].watermark.binlog_position') +2 +3 +1" \
	"json: the same watermark and counts as the text"
assert_eq "${end%:*} ${end#*:}" "$(j '.checkpoint | "\(.binlog_file) \(.binlog_position)"')" "json: the checkpoint"
assert_contains "$T/status.txt" "checkpoint: $end" "text: the same checkpoint"
assert_eq "0" "$(j .lag.bytes)" "json: lag in bytes"
assert_contains "$T/status.txt" "lag: 0 bytes" "text: the same lag"
assert_eq "database checkpoint lag published consumed tables relay" "$(j 'keys_unsorted | join(" ")')" "json: the top-level fields"
assert_eq "true" "$(j .relay.on)" "json: the relay (on by default)"
assert_contains "$T/status.txt" "relay: " "text: the relay too"
assert_eq "table state watermark inserted updated deleted error copy kafka_skipped" \
	"$(j '.tables[0] | keys_unsorted | join(" ")')" "json: the fields of a table"
assert_eq "null null" "$(j '.tables[0] | "\(.error) \(.copy)"')" "json: absent values are null"
# without --database: one line per database
allow inst2
run_stream --status --format json || true
assert_contains "$T/stream.log" '{"database":"inst",' "json of every database"
rc=0
run_stream --database inst --format json || rc=$?
assert_eq 2 "$rc" "--format without --status is a usage error"
rc=0
run_stream --database inst --status --format yaml || rc=$?
assert_eq 2 "$rc" "--format yaml is a usage error"
rm -f "$T/tables.d/inst2"
# --to kafka without PostgreSQL: the checkpoint file's state
grep -v '^SINK_DB_URL=' "$T/.env" >"$T/local.env"
printf 'KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9\nKAFKA_TOPIC_PREFIX=local\nKAFKA_CHECKPOINT_FILE=%s\n' "$T/local.json" >>"$T/local.env"
chmod 600 "$T/local.env"
run_stream --env "$T/local.env" --database inst --to kafka --status --format json ||
	fail "--to kafka --status --format json failed: $(cat "$T/stream.log")"
assert_eq "{\"database\":\"inst\",\"kafka_local\":{\"topic_prefix\":\"local\",\"checkpoint_file\":\"$T/local.json\",\"acknowledged\":null}}" \
	"$(cat "$T/stream.log")" "json of the checkpoint file before the first publish"

# --- the dashboard queries only metrics that are served -----------------------
DASH="$D/usr/share/doc/$N/examples/grafana-dashboard.json"
jq -e '.panels | length > 10' "$DASH" >/dev/null || fail "the dashboard is not JSON with panels"
jq -r '.. | objects | (.expr?, .definition?) // empty | strings' "$DASH" |
	grep -oE '\b(stream|migrate)_[a-z_]+' | sed -E 's/_(bucket|sum|count)$//' | LC_ALL=C sort -u >"$T/dash.metrics"
[ "$(wc -l <"$T/dash.metrics")" -ge 20 ] || fail "too few metrics found in the dashboard: $(cat "$T/dash.metrics")"
for m in stream_lag_seconds stream_rows_applied_total stream_batch_apply_seconds stream_reconnects_total \
	stream_dead_letters_total migrate_rows_copied_total; do
	grep -qx "$m" "$T/dash.metrics" || fail "the dashboard does not show $m"
done
# a running stream's and a running migrate's /metrics
port=$(free_port)
start_stream --database inst --metrics-address "127.0.0.1:$port"
ok=0
for _ in $(seq 1 300); do
	curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$T/served" && ok=1 && break
	sleep 0.1
done
[ "$ok" = 1 ] || fail "stream did not serve metrics: $(cat "$T/stream.bg.log")"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID" 2>/dev/null
# migrate serves while it copies: d, locked on the source, keeps it copying
my "LOCK TABLES $TEST_DB.d WRITE; SELECT SLEEP(120)" >/dev/null 2>&1 &
lockpid=$!
at_exit "kill $lockpid 2>/dev/null"
lockid=""
for _ in $(seq 1 100); do
	lockid=$(my "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep' AND INFO LIKE 'SELECT SLEEP(120)%'")
	[ -n "$lockid" ] && break
	sleep 0.1
done
[ -n "$lockid" ] || fail "the lock on table d was not taken"
at_exit "my 'KILL $lockid' 2>/dev/null"
allow inst a c d
(cd "$T" && exec "$MIGRATE" --env "$T/.env" --database inst --tables c,d --metrics-address 127.0.0.1:0) >"$T/migrate.bg.log" 2>&1 &
mpid=$!
at_exit "kill $mpid 2>/dev/null"
mport=""
for _ in $(seq 1 300); do
	mport=$(sed -n 's|.*serving metrics at http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$T/migrate.bg.log")
	[ -n "$mport" ] && curl -sf --max-time 5 "http://127.0.0.1:$mport/metrics" >>"$T/served" && break
	sleep 0.1
done
[ -n "$mport" ] || fail "migrate did not serve metrics: $(cat "$T/migrate.bg.log")"
my "KILL $lockid"
wait "$mpid" || fail "migrate failed after the lock: $(tail -n 20 "$T/migrate.bg.log")"
sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$T/served" | LC_ALL=C sort -u >"$T/served.metrics"
missing=$(LC_ALL=C comm -23 "$T/dash.metrics" "$T/served.metrics")
assert_eq "" "$missing" "every metric of the dashboard is served"
exit 0
