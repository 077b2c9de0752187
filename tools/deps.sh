#!/bin/sh
# tools/deps.sh: install the Debian packages that the build, the tests and
# the demo need, only those missing; with sudo when not root; then the
# browser tests' npm package when tests/browser/node_modules is missing.
# Does nothing (and needs no network) when everything is present. Run by
# `make deps`.
set -eu

PACKAGES="gcc make pkg-config libc6-dev
libcurl4-openssl-dev libjansson-dev libssl-dev libyaml-dev
check bats mandoc cmark jq python3 curl
redis-server libhiredis-dev openssl lighttpd
python3-numpy python3-pandas python3-aiosmtpd
clang libclang-rt-14-dev valgrind clang-format
chromium chromium-driver"

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
# Node.js and npm drive the browser tests; any install that gives the two
# commands will do (Debian's packages when there is none).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
	missing="$missing nodejs npm"

if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		sudo=
	elif command -v sudo >/dev/null 2>&1; then
		sudo=sudo
	else
		echo "deps: need root or sudo to install:$missing" >&2
		exit 77
	fi
	echo "deps: installing:$missing" >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
fi

# playwright-core for the browser tests, as tests/browser/package-lock.json
# pins it, from the npm registry; it drives Debian's chromium and never
# downloads a browser.
browser=$(dirname "$0")/../tests/browser
if [ ! -d "$browser/node_modules" ]; then
	echo "deps: npm ci in tests/browser" >&2
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$browser" --no-audit --no-fund >&2
fi
