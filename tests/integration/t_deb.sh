#!/bin/sh
# make deb: dpkg-buildpackage (nocheck) in a copy of the tree builds a .deb
# into build/deb/; it holds the expected paths (dpkg -c), env.example is its
# only conffile, its maintainer scripts create the system user and look
# after the template unit's instances, and lintian reports no error and no
# warning. The package is not installed here (that changes the machine);
# README's Install section shows it installed and purged.
. "$(dirname "$0")/lib.sh"

for c in dpkg-buildpackage dh lintian; do
	command -v $c >/dev/null || fail "$c not installed (scripts/deps.sh installs debhelper, dpkg-dev, lintian)"
done
ROOTDIR=$PWD
N=mariadb-pg-sync
t0=$(date +%s)
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$ROOTDIR" deb >"$T/deb.log" 2>&1 || fail "make deb failed: $(tail -n 40 "$T/deb.log")"
echo "# make deb: $(($(date +%s) - t0)) s" >&2
DEB=$(ls "$ROOTDIR"/build/deb/${N}_*_*.deb 2>/dev/null | head -n 1)
[ -n "$DEB" ] || fail "no .deb in build/deb: $(ls "$ROOTDIR/build/deb")"

dpkg -c "$DEB" | awk '{ p = $6; for (i = 7; i <= NF; i++) p = p " " $i; print p }' | sed 's|^\./||; s|/$||' |
	grep -v '^$' | LC_ALL=C sort >"$T/contents"
for p in "usr/lib/$N/bin/migrate" "usr/lib/$N/bin/stream" \
	"usr/bin/$N-migrate -> ../lib/$N/bin/migrate" "usr/bin/$N-stream -> ../lib/$N/bin/stream" \
	"lib/systemd/system/stream@.service" "usr/share/man/man1/$N-migrate.1.gz" "usr/share/man/man1/$N-stream.1.gz" \
	"usr/share/doc/$N/README.md.gz" "usr/share/doc/$N/copyright" "usr/share/doc/$N/changelog.gz" \
	"usr/share/doc/$N/examples/grafana-dashboard.json" \
	"usr/share/bash-completion/completions/$N-migrate" "usr/share/bash-completion/completions/$N-stream" \
	"etc/$N/env.example" "etc/$N/tables.d" "var/lib/$N"; do
	grep -qxF "$p" "$T/contents" || fail "the package lacks $p: $(cat "$T/contents")"
done
grep -E '^usr/bin/' "$T/contents" | grep -vE "^usr/bin/$N-(migrate|stream) -> " && fail "other files in /usr/bin"
dpkg-deb -e "$DEB" "$T/ctl" || fail "dpkg-deb -e failed"
assert_eq "/etc/$N/env.example" "$(cat "$T/ctl/conffiles")" "env.example is the only conffile"
assert_contains "$T/ctl/postinst" "adduser --system --group" "postinst creates the system user"
assert_contains "$T/ctl/postinst" "deb-systemd-invoke try-restart 'stream@*.service'" "postinst restarts running instances on upgrade"
assert_contains "$T/ctl/prerm" "deb-systemd-invoke stop 'stream@*.service'" "prerm stops the instances"
dpkg-deb -f "$DEB" Depends | grep -q 'libmariadb3' || fail "Depends lacks the shared libraries: $(dpkg-deb -f "$DEB" Depends)"
# the unit in the package has the package's paths
dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./lib/systemd/system/stream@.service >"$T/unit"
assert_contains "$T/unit" "ExecStart=/usr/lib/$N/bin/stream --env /etc/$N/.env" "the unit runs the packaged binary"

lintian --fail-on error,warning "$ROOTDIR"/build/deb/${N}_*.changes >"$T/lintian.out" 2>&1 ||
	fail "lintian: $(cat "$T/lintian.out")"
grep -E '^[EW]: ' "$T/lintian.out" && fail "lintian reports errors or warnings"
exit 0
