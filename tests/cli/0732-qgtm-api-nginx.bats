#!/usr/bin/env bats
# The shipped etc/nginx/qgtm.conf (with its etc/nginx/qgtm-headers.conf)
# serving the rendered pages and qgtm-api through fcgiwrap on loopback,
# exercised with curl: the checks of tests/web.bash, as 0730 (lighttpd)
# runs them, and what only nginx does. Skipped
# without nginx or fcgiwrap (tools/deps.sh installs both).
# shellcheck disable=SC1091,SC2016,SC2153 # serve.bash; '$' is text; lib.bash

setup() {
	load ../lib
	NGINX=$(PATH=$PATH:/usr/sbin command -v nginx) ||
		skip "nginx is not installed"
	FCGIWRAP=$(PATH=$PATH:/usr/sbin command -v fcgiwrap) ||
		skip "fcgiwrap is not installed"
	source "$QGTM_TOP/tests/browser/serve.bash"
	source "$QGTM_TOP/tests/web.bash"
	export QGTM_NOW=2026-01-05T21:30:00Z
	T=$BATS_TEST_TMPDIR
	TOKEN=t0k3n-S3CRET-for-tests
	AUDIT=audit0r-S3CRET-read-only
	port=$(serve_free_port)
	base="http://127.0.0.1:$port"
	cfg="$T/qgtm.yaml"
	cat >"$cfg" <<-EOF
	api:
	  users: ["opa:olive"]
	  auditor_users: ["ann:ann"]
	  tokens: ["alice:$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)"]
	  auditor_tokens: ["carol:$(printf %s "$AUDIT" | sha256sum | cut -d' ' -f1)"]
	  public_origins: ["$base"]
	EOF
	# The logins as etc/nginx/qgtm.conf says to make them.
	LOGIN=opa:pw-S3CRET-0732
	ANN=ann:pw-S3CRET-ann
	for l in "$LOGIN" "$ANN"; do
		printf '%s:%s\n' "${l%%:*}" \
			"$(printf %s "${l#*:}" | openssl passwd -6 -stdin)"
	done >"$T/htpasswd"
	www="$T/www"
	bin="$T/bin"
	mkdir -p "$bin"
	cp "$QGTM_BIN/qgtm-api" "$bin/"
	printf '#!/bin/sh\necho "$@" >"%s/order.args"\n' "$T" >"$bin/qgtm-order"
	chmod +x "$bin/qgtm-order"
	qgtm-status render -c "$cfg" --out "$www"
	# The configuration directory, as Debian's /etc/nginx: the relative
	# includes of the shipped file (fastcgi_params, the snippet) are
	# relative to it.
	C=$T/conf
	mkdir -p "$C/snippets"
	cp /etc/nginx/mime.types /etc/nginx/fastcgi_params "$C/"
	cp "$QGTM_TOP/etc/nginx/qgtm-headers.conf" "$C/snippets/"
	sed -e "s|listen 127.0.0.1:8080;|listen 127.0.0.1:$port;|" \
	    -e "s|/var/lib/qgtm/www|$www|" \
	    -e "s|/usr/local/bin/qgtm-api|$bin/qgtm-api|" \
	    -e "s|/etc/qgtm/qgtm.yaml|$cfg|" \
	    -e "s|QGTM_STATE_DIR /var/lib/qgtm;|QGTM_STATE_DIR $QGTM_STATE_DIR;|" \
	    -e "s|/etc/qgtm/htpasswd|$T/htpasswd|" \
	    -e "s|/usr/local/share/qgtm/doc/html/|$T/docs/|" \
	    -e "s|unix:/run/fcgiwrap.socket|unix:$T/fcgi.sock|" \
	    "$QGTM_TOP/etc/nginx/qgtm.conf" >"$C/qgtm.conf"
	# Every path of the shipped file was replaced: none of the server's
	# own files is read or written.
	if grep -nE '^[^#]*(/var/|/etc/|/usr/|/run/|:8080)' \
	    "$C/qgtm.conf"; then
		echo "0732: a path of the shipped config is not replaced" >&2
		return 1
	fi
	# The http block around it, everything under $T; root runs the
	# workers as root, to reach the files here and the socket.
	{
		echo 'daemon off;'
		[ "$(id -u)" -ne 0 ] || echo 'user root;'
		echo "pid $T/nginx.pid;"
		echo "error_log $T/error.log;"
		echo 'events {}'
		echo 'http {'
		echo '	include mime.types;'
		echo '	default_type application/octet-stream;'
		echo "	access_log $T/access.log;"
		for t in client_body fastcgi proxy scgi uwsgi; do
			echo "	${t}_temp_path $T/$t;"
		done
		echo '	include qgtm.conf;'
		echo '}'
	} >"$C/nginx.conf"
	"$NGINX" -t -e "$T/error.log" -p "$T" -c "$C/nginx.conf" 2>"$T/nginx-t.out" ||
		{ cat "$T/nginx-t.out" >&2; return 1; }
	# fcgiwrap with an environment of its own (as under systemd): the
	# CGI sees the FastCGI parameters nginx passes, none of this shell's.
	env -i PATH=/usr/bin:/bin "$FCGIWRAP" -s "unix:$T/fcgi.sock" \
		>"$T/fcgiwrap.out" 2>&1 3>&- &
	echo $! >"$T/fcgiwrap.pid"
	"$NGINX" -e "$T/error.log" -p "$T" -c "$C/nginx.conf" \
		>"$T/nginx.out" 2>&1 3>&- &
	echo $! >"$T/nginx.pid.bg"
	for _ in $(seq 100); do
		[ -S "$T/fcgi.sock" ] && curl -s -o /dev/null "$base/" && return 0
		sleep 0.1
	done
	echo "0732: no answer on port $port in 10 s" >&2
	cat "$T/error.log" "$T/nginx.out" "$T/fcgiwrap.out" >&2
	return 1
}

teardown() {
	local f pid p left
	for f in nginx.pid.bg fcgiwrap.pid; do
		[ -f "$T/$f" ] || continue
		pid=$(cat "$T/$f")
		# It stops, and its children (nginx's workers) with it.
		left="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		for p in $left; do
			kill -0 "$p" 2>/dev/null || continue
			echo "0732: $f: $p still runs" >&2
			return 1
		done
	done
}

@test "nginx -t passes on the shipped config, without a warning" {
	grep -q 'syntax is ok' "$T/nginx-t.out"
	grep -q 'test is successful' "$T/nginx-t.out"
	run ! grep -E '\[(warn|emerg|alert|crit)\]' "$T/nginx-t.out"
}

@test "the pages and their JSON are served, to a login only; nothing else" {
	web_pages_need_login
	# A file in the web root that is not a page, and any other URL.
	echo 'not-for-the-web' >"$www/other.txt"
	for u in /other.txt /www /qgtm.yaml /docs /status.json/x /apix; do
		web_get "$u" -u "$LOGIN"
		[ "$code" = 404 ]
		[[ $out != *not-for-the-web* ]]
	done
	web_get /../qgtm.yaml -u "$LOGIN" --path-as-is
	[ "$code" = 400 ]
}

# The phone page comes from qgtm-api, the status of the request's moment
# inlined and shown (no body class "wait"), not the rendered file.
@test "/ and /index.html are the live phone page, its numbers inlined" {
	web_phone_page_live
}

# The security headers of etc/lighttpd/qgtm.conf, each once, are in $hdr.
has_security_headers() {
	local csp="default-src 'self'; style-src 'unsafe-inline'"
	csp="$csp; script-src 'unsafe-inline'; frame-ancestors 'none'"
	[[ $hdr == *$'\nContent-Security-Policy: '"$csp"$'\n'* ]]
	[[ $hdr == *$'\nX-Content-Type-Options: nosniff\n'* ]]
	[[ $hdr == *$'\nReferrer-Policy: same-origin\n'* ]]
	[ "$(grep -c -e '^Content-Security-Policy:' -e '^X-Content-Type-Options:' \
		-e '^Referrer-Policy:' <<<"$hdr")" = 3 ]
}

# nginx inherits add_header only into a location that has none of its
# own: the readiness location's Cache-Control once dropped the others.
@test "every answer has the security headers; readiness and JSON no-store" {
	for u in /readiness.html /readiness.json /status.json; do
		web_headers "$u" -u "$LOGIN"
		[[ $hdr == "HTTP/1.1 200 OK"* ]]
		[[ $hdr == *$'\nCache-Control: no-store\n'* ]]
		has_security_headers
	done
	web_headers /readiness.html -u "$LOGIN"
	[[ $hdr == *$'\nContent-Type: text/html; charset=utf-8\n'* ]]
	# The others too (and the refusals: a 401 or 404 page is a page).
	for u in / /favicon.svg /api/v1/status /nothing /docs/; do
		for login in "$LOGIN" opa:wrong; do
			web_headers "$u" -u "$login"
			has_security_headers
		done
	done
}

@test "HTML and JSON go gzip-compressed; the favicon through the login" {
	for u in / /readiness.html /status.json /readiness.json /api/v1/status; do
		web_headers "$u" -u "$LOGIN" -H 'Accept-Encoding: gzip'
		[[ $hdr == "HTTP/1.1 200 OK"* ]]
		[[ $hdr == *$'\nContent-Encoding: gzip\n'* ]]
		[[ $hdr == *$'\nVary: Accept-Encoding\n'* ]]
		web_headers "$u" -u "$LOGIN"
		[[ $hdr != *"Content-Encoding:"* ]]
	done
	# What comes compressed is what comes plain.
	curl -s -u "$LOGIN" -H 'Accept-Encoding: gzip' "$base/readiness.html" |
		gzip -dc >"$T/unzipped.html"
	cmp "$T/unzipped.html" "$www/readiness.html"
	web_get /favicon.svg
	[ "$code" = 401 ]
	web_get /favicon.svg -u "$LOGIN"
	[ "$code" = 200 ]
	[ "$out" = "$(cat "$www/favicon.svg")" ]
	web_headers /favicon.svg -u "$LOGIN"
	[[ $hdr == *$'\nContent-Type: image/svg+xml\n'* ]]
}

@test "the API answers through fcgiwrap: a login or a token, nothing else" {
	web_api_needs_login
	web_get /api/v1/strategies/tsmom/performance -u "$ANN"
	[ "$code" = 200 ]
	[ "$(jq -r '.type + " " + .strategy' <<<"$out")" = 'performance tsmom' ]
}

@test "FLATTEN ALL: an auditor login is refused, an operator login done once" {
	# The server passes no QGTM_NOW: the nonce carries the real time.
	body='{"confirm":"FLATTEN ALL","nonce":"'$(date +%s)000-nx'"}'
	state_snapshot "$T/before.snap"
	web_get /api/v1/flatten -H "Origin: $base" -d "$body"
	[ "$code" = 401 ]
	web_get /api/v1/flatten -u "$ANN" -H "Origin: $base" -d "$body"
	[ "$code" = 403 ]
	web_get /api/v1/flatten -H "Authorization: Bearer $AUDIT" -H "Origin: $base" \
		-d "$body"
	[ "$code" = 403 ]
	web_get /api/v1/flatten -u "$LOGIN" -H "Origin: http://evil.invalid" -d "$body"
	[ "$code" = 403 ]
	[ ! -e "$T/order.args" ]
	assert_state_unchanged "$T/before.snap"
	# The login reaches qgtm-api as REMOTE_USER, mapped by api.users.
	web_get /api/v1/flatten -u "$LOGIN" -H "Origin: $base" -d "$body"
	[ "$code" = 200 ]
	[ "$(cat "$T/order.args")" = "flatten --by olive --yes" ]
	[ "$(jq -r '.message' <<<"$out")" = "Flat: 0 positions, 0 open orders" ]
	# ... in the state directory the server names (QGTM_STATE_DIR).
	[ "$(jq -r 'select(.rec.action == "flatten") | .rec.by' \
		"$QGTM_STATE_DIR/audit/chain.jsonl")" = olive ]
	web_get /api/v1/flatten -H "Authorization: Bearer $TOKEN" -H "Origin: $base" \
		-d "$body"
	[ "$code" = 409 ]
	# No password or token reaches a log.
	run ! grep -l S3CRET "$T/error.log" "$T/access.log" "$T/fcgiwrap.out" \
		"$T/nginx.out"
}

@test "the doc site under /docs/, from where make install puts it" {
	web_docs_site
}
