#!/bin/sh
# deploy/stream@.service: systemd accepts the unit as it ships (no unknown
# key, no bad value: `systemd-analyze verify` prints nothing), and the
# command line it starts is one stream accepts.
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null || fail "systemd-analyze not installed (make deps installs systemd)"
UNIT="$(dirname "$0")/../../deploy/stream@.service"
[ -f "$UNIT" ] || fail "deploy/stream@.service is missing"
mkdir -p "$T/units"
# the paths the install notes use, pointed at this checkout's binary
sed -e "s|/usr/local/lib/mariadb-pg-sync/bin/stream|$(cd "$(dirname "$STREAM")" && pwd)/stream|" -e 's|^User=.*|User=root|' \
	-e 's|^Group=.*|Group=root|' "$UNIT" > "$T/units/stream@.service"
# Documentation= names the man page: systemd-analyze runs man on it
mkdir -p "$T/man/man1" && cp man/mariadb-pg-sync-stream.1 "$T/man/man1/"
MANPATH="$T/man" systemd-analyze verify "$T/units/stream@it.service" > "$T/verify.out" 2>&1 || fail "systemd-analyze verify failed: $(cat "$T/verify.out")"
assert_eq "" "$(cat "$T/verify.out")" "systemd finds nothing wrong with the unit"
assert_contains "$UNIT" "ExecReload=/bin/kill -HUP \$MAINPID" "reload is SIGHUP"
assert_contains "$UNIT" "KillSignal=SIGTERM" "stop is SIGTERM"
# the unit's options, as stream parses them (a wrong option exits 2 before anything else)
exec_line=$(sed -n 's/^ExecStart=[^ ]* //p' "$UNIT" | sed 's/%i/it/')
# shellcheck disable=SC2086
"$STREAM" $exec_line --help > "$T/help.out" 2>&1 || fail "stream does not take the unit's options: $(cat "$T/help.out")"
exit 0
