# tests/browser/serve.bash: the operator pages served by lighttpd on a
# free loopback port, for the browser tests (tests/cli/0760-browser.bats)
# and bench/pages.sh. Source it with QGTM_TOP, QGTM_STATE_DIR and the
# built programs first in PATH. Every function keeps its files in $SERVE.

# serve_free_port: a TCP port nothing listens on at 127.0.0.1.
serve_free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
	done
	echo "$port"
}

# serve_config DIR PORT [USER PASSWORD]: DIR/lighttpd.conf, the shipped
# etc/lighttpd/qgtm.conf serving $QGTM_STATE_DIR/www (where the daemon and
# qgtm-status render write) and the API with $QGTM_CONFIG, on PORT, its
# error log in DIR/error.log. With USER and PASSWORD its login stays on as
# shipped, against DIR/htpasswd, one user, SHA-512 crypt (`openssl passwd
# -6`, as etc/lighttpd/qgtm.conf says): the pages and the API need HTTP
# Basic, and the API gets REMOTE_USER. Without them the login block (the
# end of the file, from "auth.backend") is cut, for a token client that
# reads the static pages too.
serve_config() {
	local dir=$1 port=$2 user=${3:-} pass=${4:-}
	SERVE=$dir
	mkdir -p "$SERVE" "$QGTM_STATE_DIR/www"
	sed -e "s|^server.port .*|server.port = $port|" \
	    -e "s|/var/lib/qgtm/www|$QGTM_STATE_DIR/www|" \
	    -e "s|/var/log/qgtm/lighttpd-error.log|$SERVE/error.log|" \
	    -e "s|/usr/local/bin/qgtm-api|$(command -v qgtm-api)|" \
	    -e "s|/etc/qgtm/qgtm.yaml|${QGTM_CONFIG:?}|" \
	    -e "s|\"/var/lib/qgtm\"|\"$QGTM_STATE_DIR\"|" \
	    -e "s|/etc/qgtm/htpasswd|$SERVE/htpasswd|" \
	    "$QGTM_TOP/etc/lighttpd/qgtm.conf" >"$SERVE/lighttpd.conf"
	grep -q '^auth.require = ' "$SERVE/lighttpd.conf" || {
		echo "serve: the shipped config has no login" >&2
		return 1
	}
	if [ -n "$user" ]; then
		printf '%s:%s\n' "$user" "$(printf %s "$pass" |
			openssl passwd -6 -stdin)" >"$SERVE/htpasswd"
	else
		sed -i '/^auth\.backend = /,$d' "$SERVE/lighttpd.conf"
	fi
	lighttpd -tt -f "$SERVE/lighttpd.conf"
}

# serve_start: lighttpd in the background until it answers, its pid in
# $SERVE/lighttpd.pid, its output (and the CGI's) in $SERVE/lighttpd.out.
# Fails at once, with that output, when lighttpd exits (a port taken
# since serve_free_port, say), and after 20 s without an answer (a
# sanitizer build on a loaded machine answers "/", the API, slowly).
serve_start() {
	local port pid
	port=$(sed -n 's/^server.port = //p' "$SERVE/lighttpd.conf")
	lighttpd -D -f "$SERVE/lighttpd.conf" >>"$SERVE/lighttpd.out" 2>&1 &
	pid=$!
	echo "$pid" >"$SERVE/lighttpd.pid"
	for _ in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "serve: lighttpd does not answer on port $port" >&2
	cat "$SERVE/lighttpd.out" "$SERVE/error.log" >&2 2>/dev/null
	return 1
}

# serve_stop: stop the lighttpd of serve_start, if it runs.
serve_stop() {
	[ -f "$SERVE/lighttpd.pid" ] || return 0
	kill "$(cat "$SERVE/lighttpd.pid")" 2>/dev/null || true
	rm -f "$SERVE/lighttpd.pid"
}
