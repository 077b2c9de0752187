#!/bin/bash
# examples/demo.sh: what `make demo` runs: the whole system, no account, no
# network. A fresh demo state directory and the config examples/demo.yaml
# (the sim world answers all six feeds; all seven strategies trade one
# combined book on the sim broker); eight weeks replayed day by day as the
# installed schedule runs them (examples/replay.sh: the feeds, then
# examples/cycle.sh with the risk gate, qgtm-risk evaluate, the orders,
# the audit chain and qgtm-order reconcile); the decay check; qgtm-daemon
# for one pass (heartbeat, evaluate, the pages); the weekly digest, sent to
# local stand-ins of Discord and SMTP (tests/standin/, when python3 and
# aiosmtpd are there) and printed; then a summary with the readiness rows.
# At a terminal (or with QGTM_DEMO_SERVE=1; QGTM_DEMO_SERVE=0 never) it then
# renders the pages and serves them: qgtm-daemon running the same cycle on
# the sim broker and, when lighttpd is installed, lighttpd on
# 127.0.0.1:${QGTM_DEMO_PORT:-8080} with the pages and qgtm-api, until
# Ctrl-C.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="${QGTM_BIN:-$top/build/bin}:$PATH"
export QGTM_STATE_DIR="$top/demo/state"
export QGTM_CONFIG="$top/demo/qgtm.yaml"
end=${QGTM_REPLAY_END:-$(date -u -d yesterday +%F)}
export QGTM_REPLAY_END=$end
standins=

rm -rf "$top/demo"
mkdir -p "$QGTM_STATE_DIR"

# start_standin NAME ARGS...: a stand-in of tests/standin/ on loopback;
# its port in port_NAME, empty when it cannot run here.
start_standin() {
	local dir=$top/demo/$1 script=$top/tests/standin/$1.py pid i py
	printf -v "port_$1" %s ""
	# The system python: aiosmtpd is Debian's python3-aiosmtpd.
	py=$(command -v /usr/bin/python3 python3 | head -n 1)
	[ -f "$script" ] && [ -n "$py" ] || return 0
	mkdir -p "$dir"
	"$py" "$script" "$dir/port" "${@:2}" >/dev/null 2>"$dir/err" &
	pid=$!
	standins="$standins $pid"
	for i in $(seq 100); do
		[ -s "$dir/port" ] && { printf -v "port_$1" %s "$(cat "$dir/port")"; return 0; }
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
}
trap 'kill $standins 2>/dev/null || true' EXIT

start_standin discord "$top/demo/discord/log"
start_standin smtp "$top/demo/smtp"
discord=$port_discord smtp=$port_smtp
[ -z "$discord" ] ||
	export QGTM_DISCORD_WEBHOOK_URL="http://127.0.0.1:$discord/api/webhooks/1/demo"
cp "$top/examples/demo.yaml" "$QGTM_CONFIG"
[ -z "$smtp" ] || cat >>"$QGTM_CONFIG" <<YAML

digest:
  email:
    url: "smtp://127.0.0.1:$smtp"
    to: [operator@localhost]
YAML

echo "demo: replaying 8 weeks of the sim world into $QGTM_STATE_DIR"
"$top/examples/replay.sh" 56
# The moment of the summary: the last cycle, on the last weekday.
last=$end
while [ "$(date -u -d "$last" +%u)" -gt 5 ]; do
	last=$(date -u -d "$last - 1 day" +%F)
done
export QGTM_NOW="${last}T21:30:00Z"

# The decay check of the book over the last 300 days (the installed cycle
# runs it for every strategy over three years on Fridays).
echo "demo: the decay check (qgtm-backtest decay --strategy combined)"
qgtm-backtest decay -q --strategy combined \
    --from "$(date -u -d "$end - 300 days" +%F)" >/dev/null

# One pass of the daemon: a heartbeat, evaluate and the pages.
demo_daemon_once() {
	local pid i
	sed 's/^order:$/daemon:\n  cycle: ""\n\norder:/' "$QGTM_CONFIG" \
	    >"$top/demo/once.yaml"
	QGTM_CONFIG=$top/demo/once.yaml qgtm-daemon -q &
	pid=$!
	for i in $(seq 200); do
		[ -s "$QGTM_STATE_DIR/www/readiness.json" ] && break
		sleep 0.05
	done
	kill -TERM "$pid" && wait "$pid"
}
demo_daemon_once

echo
echo "== account (as of $QGTM_NOW) =="
qgtm-order positions
echo
echo "orders placed:  $(grep -c '"type":"order"' "$QGTM_STATE_DIR/oms/orders.jsonl" 2>/dev/null || echo 0)"
echo "audit:          $(qgtm-audit verify)"
echo
echo "== readiness (as of $QGTM_NOW) =="
jq -r '.rows[] | "\(.result)\t\(.title)\t\(.reason)"' \
    "$QGTM_STATE_DIR/www/readiness.json" | expand -t 6,30
echo
echo "== weekly digest =="
if [ -n "$discord$smtp" ] && qgtm-digest --send >/dev/null; then
	echo "(sent to the local Discord and SMTP stand-ins: $top/demo/discord, $top/demo/smtp)"
fi
qgtm-digest
cat <<MSG

Look further (the same state directory and config):
  export QGTM_STATE_DIR=$QGTM_STATE_DIR QGTM_CONFIG=$QGTM_CONFIG PATH=${QGTM_BIN:-$top/build/bin}:\$PATH
  qgtm-order orders                 # every order the sim broker filled
  qgtm-fetch health                 # the six feeds of the sim world
  qgtm-risk limits                  # the limits as enforced
  jq -c 'select(.rec.type=="fill") | .rec' \$QGTM_STATE_DIR/audit/chain.jsonl | head
  man -M $top/man qgtm              # the manual
MSG

# demo_config FILE: the demo's config and a fast daemon running the cycle
# on the sim broker, and one operator "demo", the web server's user.
demo_config() {
	cat >>"$1" <<YAML

daemon:
  heartbeat_s: 5
  render_s: 5
  cycle: "$top/examples/cycle.sh"
api:
  users: ["demo:demo"]
  public_origins: ["http://127.0.0.1:${QGTM_DEMO_PORT:-8080}"]
YAML
}

# demo_lighttpd CONF PORT USERFILE: etc/lighttpd/qgtm.conf with the demo's
# paths, its login on as shipped: HTTP Basic for the pages, their JSON and
# the API, against USERFILE (an htpasswd file, as the config says to make
# it), so that the phone page reads the API and FLATTEN ALL acts as the
# user logged in.
demo_lighttpd() {
	sed -e "s|^server.port .*|server.port = $2|" \
	    -e "s|/var/lib/qgtm/www|$QGTM_STATE_DIR/www|" \
	    -e "s|/var/log/qgtm/lighttpd-error.log|$top/demo/lighttpd-error.log|" \
	    -e "s|/usr/local/bin/qgtm-api|$(command -v qgtm-api)|" \
	    -e "s|/etc/qgtm/qgtm.yaml|$top/demo/qgtm.yaml|" \
	    -e "s|\"/var/lib/qgtm\"|\"$QGTM_STATE_DIR\"|" \
	    -e "s|/etc/qgtm/htpasswd|$3|" \
	    -e "s|/usr/local/share/qgtm/doc/html/|$top/demo/docs/|" \
	    "$top/etc/lighttpd/qgtm.conf" >"$1"
	lighttpd -tt -f "$1"
}

# demo_docs: the HTML manual (mk/docs.sh, what `make docs` runs) in
# demo/docs, served as /docs/; said and skipped without mandoc and cmark.
demo_docs() {
	mkdir -p "$top/demo/docs"
	if [ -f "$top/mk/docs.sh" ] && command -v mandoc >/dev/null &&
	    command -v cmark >/dev/null; then
		(cd "$top" && sh mk/docs.sh demo/docs >/dev/null)
	else
		echo "demo: no manual at /docs/ (needs mandoc, cmark and mk/docs.sh)"
	fi
}

# demo_serve: the daemon and the web server, until Ctrl-C or SIGTERM.
demo_serve() {
	local port=${QGTM_DEMO_PORT:-8080} password pids=
	unset QGTM_NOW
	password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	(umask 077 && printf 'demo:%s\n' "$(printf %s "$password" |
		openssl passwd -6 -stdin)" >"$top/demo/htpasswd")
	demo_config "$top/demo/qgtm.yaml"
	export QGTM_CONFIG="$top/demo/qgtm.yaml"
	qgtm-status render
	trap 'kill $pids 2>/dev/null; wait; echo; echo "demo: stopped"; exit 0' INT TERM
	qgtm-daemon &
	pids=$!
	echo
	if command -v lighttpd >/dev/null; then
		demo_docs
		demo_lighttpd "$top/demo/lighttpd.conf" "$port" "$top/demo/htpasswd"
		lighttpd -D -f "$top/demo/lighttpd.conf" &
		pids="$pids $!"
		cat <<MSG
== serving (Ctrl-C stops everything) ==
  phone page:   http://127.0.0.1:$port/
  readiness:    http://127.0.0.1:$port/readiness.html
  API status:   http://127.0.0.1:$port/api/v1/status
  manual:       http://127.0.0.1:$port/docs/
The browser asks you to sign in; type:
  user:         demo
  password:     $password
(operator "demo": the phone page reads the API and FLATTEN ALL acts as it;
 with curl: curl -u demo:$password http://127.0.0.1:$port/api/v1/status)
MSG
	else
		echo "== lighttpd is not installed: pages only, in $QGTM_STATE_DIR/www =="
	fi
	echo "  daemon:       qgtm-daemon (pid ${pids%% *}), heartbeat every 5 s, sim broker"
	wait
}

if [ "${QGTM_DEMO_SERVE:-}" = 1 ] ||
    { [ -z "${QGTM_DEMO_SERVE:-}" ] && [ -t 0 ] && [ -t 1 ]; }; then
	demo_serve
fi
