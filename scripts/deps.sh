#!/bin/sh
# Installs the Debian packages needed to build, test and demo the project.
# Idempotent: when every package is already installed it does nothing (no
# apt-get update, no network), so repeated `make test` stays fast and offline.
set -eu

PKGS="build-essential pkg-config clang zlib1g-dev libmariadb-dev libpq-dev librdkafka-dev
libjansson-dev libzstd-dev libmicrohttpd-dev check mariadb-server
mariadb-client postgresql postgresql-client postgresql-15-postgis-3 pgloader bc openssl procps tmux time systemd curl
percona-toolkit
debhelper dpkg-dev fakeroot lintian mandoc jq"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all packages installed"
	exit 0
fi

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps: need root (or sudo) to install:$missing" >&2; exit 1; }
	SUDO="sudo"
fi

# Keep package postinst scripts from starting system services: the sandbox
# runs its own throwaway servers on free ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
echo "deps: done"
