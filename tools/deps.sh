#!/bin/sh
# tools/deps.sh: install the Debian packages that the build, the tests and
# the demo need, only those missing; with sudo when not root; then the
# browser tests' npm package when tests/browser/node_modules does not hold
# the version tests/browser/package-lock.json pins. Does nothing (and
# needs no network) when everything is present. Run by `make deps`, and
# first thing by `make demo`, `make check` and `make setup`.
#
# The list is every command the suites, the demo and the mk/ targets call
# beyond a Debian minbase (tests/fresh/run proves it on a fresh root):
#   build:    gcc make pkg-config libc6-dev and the -dev libraries
#   tests:    check bats mandoc cmark jq python3 curl openssl git xxd
#             col (bsdextrautils) pgrep (procps) faketime
#             strace (0710 counts a render's reads of the audit chain)
#             systemd-analyze (systemd) redis-server lighttpd
#             lighttpd-mod-deflate (the shipped config compresses)
#             nginx-light fcgiwrap (0732 runs the shipped nginx config)
#             python3-numpy python3-pandas python3-aiosmtpd
#             chromium and node/npm (the browser tests)
#   targets:  clang libclang-rt-14-dev (make fuzz), valgrind, clang-format
#             (the pre-commit hook), debootstrap (make fresh)
#   https:    ca-certificates (npm, curl and git trust the registries)
set -eu

PACKAGES="gcc make pkg-config libc6-dev
libcurl4-openssl-dev libjansson-dev libssl-dev libyaml-dev
check bats mandoc cmark jq python3 curl git xxd bsdextrautils procps
redis-server libhiredis-dev openssl lighttpd lighttpd-mod-deflate
nginx-light fcgiwrap
faketime systemd strace
python3-numpy python3-pandas python3-aiosmtpd
clang libclang-rt-14-dev valgrind clang-format
chromium chromium-driver debootstrap ca-certificates"

start=$(date +%s)
# shellcheck disable=SC2086 # one word a package
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PACKAGES 2>/dev/null |
	awk '/ installed$/ { print $1 }')
missing=
for p in $PACKAGES; do
	printf '%s\n' "$installed" | grep -qx "$p" || missing="$missing $p"
done
# Node.js and npm drive the browser tests; any install that gives the two
# commands will do (Debian's packages when there is none: Node.js 18).
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
# downloads a browser. The copy of the lock file in node_modules says which
# lock it was installed from.
browser=$(dirname "$0")/../tests/browser
if ! cmp -s "$browser/package-lock.json" "$browser/node_modules/.qgtm-lock"; then
	echo "deps: npm ci in tests/browser" >&2
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$browser" --no-audit --no-fund >&2
	cp "$browser/package-lock.json" "$browser/node_modules/.qgtm-lock"
	missing="$missing playwright-core"
fi
[ -z "$missing" ] ||
	echo "deps: done in $(($(date +%s) - start)) s" >&2
