#!/bin/bash
# examples/demo.sh: what `make demo` runs. A fresh demo state directory,
# eight weeks of the sim market replayed day by day through the real pipe,
# then a short summary and where to look next. No account, no network.
# At a terminal (or with QGTM_DEMO_SERVE=1; QGTM_DEMO_SERVE=0 never) it then
# renders the pages and serves them: qgtm-daemon on the sim broker and, when
# lighttpd is installed, lighttpd on 127.0.0.1:${QGTM_DEMO_PORT:-8080} with the
# pages and qgtm-api, until Ctrl-C.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="${QGTM_BIN:-$top/build/bin}:$PATH"
export QGTM_STATE_DIR="$top/demo/state"
end=${QGTM_REPLAY_END:-$(date -u -d yesterday +%F)}
export QGTM_REPLAY_END=$end

rm -rf "$top/demo"
mkdir -p "$QGTM_STATE_DIR"
echo "demo: replaying 8 weeks of the sim market into $QGTM_STATE_DIR"
"$top/examples/replay.sh" 56
export QGTM_NOW="${end}T21:30:00Z"

echo
echo "== account (as of $QGTM_NOW) =="
qgtm-order positions
echo
echo "orders placed:  $(grep -c '"type":"order"' "$QGTM_STATE_DIR/oms/orders.jsonl" 2>/dev/null || echo 0)"
echo "audit:          $(qgtm-audit verify)"
cat <<MSG

Look further (the same state directory):
  export QGTM_STATE_DIR=$QGTM_STATE_DIR PATH=${QGTM_BIN:-$top/build/bin}:\$PATH
  qgtm-order orders                 # every order the sim broker filled
  qgtm-risk limits                  # the limits as enforced
  jq -c 'select(.rec.type=="fill") | .rec' \$QGTM_STATE_DIR/audit/chain.jsonl | head
  man -M $top/man qgtm              # the manual
MSG

# demo_config FILE HASH: the demo's config: a fast daemon running the cycle
# on the sim broker, and one operator "demo" whose token hashes to HASH.
demo_config() {
	cat >"$1" <<YAML
daemon:
  heartbeat_s: 5
  render_s: 5
  cycle: "$top/examples/cycle.sh"
api:
  tokens: ["demo:$2"]
  public_origins: ["http://127.0.0.1:${QGTM_DEMO_PORT:-8080}"]
YAML
}

# demo_lighttpd CONF PORT: etc/lighttpd/qgtm.conf with the demo's paths.
demo_lighttpd() {
	sed -e "s|^server.port .*|server.port = $2|" \
	    -e "s|/var/lib/qgtm/www|$QGTM_STATE_DIR/www|" \
	    -e "s|/var/log/qgtm/lighttpd-error.log|$top/demo/lighttpd-error.log|" \
	    -e "s|/usr/local/bin/qgtm-api|$(command -v qgtm-api)|" \
	    -e "s|/etc/qgtm/qgtm.yaml|$top/demo/qgtm.yaml|" \
	    -e "s|\"/var/lib/qgtm\"|\"$QGTM_STATE_DIR\"|" \
	    "$top/etc/lighttpd/qgtm.conf" >"$1"
	lighttpd -tt -f "$1"
}

# demo_serve: the daemon and the web server, until Ctrl-C or SIGTERM.
demo_serve() {
	local port=${QGTM_DEMO_PORT:-8080} token pids=
	unset QGTM_NOW
	token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	demo_config "$top/demo/qgtm.yaml" \
	    "$(printf %s "$token" | sha256sum | cut -d' ' -f1)"
	export QGTM_CONFIG="$top/demo/qgtm.yaml"
	qgtm-status render
	trap 'kill $pids 2>/dev/null; wait; echo; echo "demo: stopped"; exit 0' INT TERM
	qgtm-daemon &
	pids=$!
	echo
	if command -v lighttpd >/dev/null; then
		demo_lighttpd "$top/demo/lighttpd.conf" "$port"
		lighttpd -D -f "$top/demo/lighttpd.conf" &
		pids="$pids $!"
		cat <<MSG
== serving (Ctrl-C stops everything) ==
  phone page:   http://127.0.0.1:$port/
  readiness:    http://127.0.0.1:$port/readiness.html
  API status:   http://127.0.0.1:$port/api/v1/status
  demo token:   $token   (operator "demo"; Authorization: Bearer)
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
