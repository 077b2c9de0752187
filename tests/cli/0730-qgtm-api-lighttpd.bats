#!/usr/bin/env bats
# The shipped etc/lighttpd/qgtm.conf serving the rendered pages and
# qgtm-api on loopback, exercised with curl. Skipped without lighttpd.
# shellcheck disable=SC1091,SC2034,SC2153,SC2154 # tests/web.bash reads T, sets code and out

setup() {
	load ../lib
	command -v lighttpd >/dev/null || skip "lighttpd is not installed"
	source "$QGTM_TOP/tests/web.bash"
	T=$BATS_TEST_TMPDIR
	export QGTM_NOW=2026-01-05T21:30:00Z
	TOKEN=t0k3n-S3CRET-for-tests
	AUDIT=audit0r-S3CRET-read-only
	hash=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
	port=$((20000 + RANDOM % 20000))
	base="http://127.0.0.1:$port"
	cfg="$BATS_TEST_TMPDIR/qgtm.yaml"
	printf 'api:\n  users: ["opa:olive"]\n  tokens: ["alice:%s"]\n  auditor_tokens: ["carol:%s"]\n  public_origins: ["%s"]\n' \
		"$hash" "$(printf %s "$AUDIT" | sha256sum | cut -d' ' -f1)" "$base" >"$cfg"
	# The login as etc/lighttpd/qgtm.conf says to make it.
	LOGIN=opa:pw-S3CRET-0730
	printf 'opa:%s\n' "$(printf %s pw-S3CRET-0730 | openssl passwd -6 -stdin)" \
		>"$BATS_TEST_TMPDIR/htpasswd"
	www="$BATS_TEST_TMPDIR/www"
	bin="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$bin"
	cp "$QGTM_BIN/qgtm-api" "$bin/"
	printf '#!/bin/sh\necho "$@" >"%s/order.args"\n' "$BATS_TEST_TMPDIR" >"$bin/qgtm-order"
	chmod +x "$bin/qgtm-order"
	qgtm-status render -c "$cfg" --out "$www"
	sed -e "s|^server.port .*|server.port = $port|" \
	    -e "s|/var/lib/qgtm/www|$www|" \
	    -e "s|/var/log/qgtm/lighttpd-error.log|$BATS_TEST_TMPDIR/error.log|" \
	    -e "s|/usr/local/bin/qgtm-api|$bin/qgtm-api|" \
	    -e "s|/etc/qgtm/qgtm.yaml|$cfg|" \
	    -e "s|\"/var/lib/qgtm\"|\"$QGTM_STATE_DIR\"|" \
	    -e "s|/etc/qgtm/htpasswd|$BATS_TEST_TMPDIR/htpasswd|" \
	    -e "s|/usr/local/share/qgtm/doc/html/|$BATS_TEST_TMPDIR/docs/|" \
	    "$QGTM_TOP/etc/lighttpd/qgtm.conf" >"$BATS_TEST_TMPDIR/lighttpd.conf"
	lighttpd -tt -f "$BATS_TEST_TMPDIR/lighttpd.conf"
	lighttpd -D -f "$BATS_TEST_TMPDIR/lighttpd.conf" &
	echo $! >"$BATS_TEST_TMPDIR/lighttpd.pid"
	for _ in $(seq 50); do
		curl -s -o /dev/null "$base/" && break
		sleep 0.1
	done
}

teardown() {
	[ -f "$BATS_TEST_TMPDIR/lighttpd.pid" ] || return 0
	kill "$(cat "$BATS_TEST_TMPDIR/lighttpd.pid")" 2>/dev/null || true
	wait 2>/dev/null || true
}

@test "the pages and their JSON are served, to a login only; nothing else" {
	web_pages_need_login
	web_get /../qgtm.yaml -u "$LOGIN"
	[ "$code" != 200 ]
	web_get /www -u "$LOGIN"
	[ "$code" = 403 ]
}

# The phone page comes from qgtm-api, the status of the request's moment
# inlined and shown (no body class "wait"), not the rendered file.
@test "/ and /index.html are the live phone page, numbers shown in the first response" {
	web_phone_page_live
}

@test "the API answers through mod_cgi, to a login only" {
	web_api_needs_login
}

@test "FLATTEN ALL through the server: refused without a token or from elsewhere, done once with both" {
	# The server passes no QGTM_NOW: the nonce carries the real time.
	body='{"confirm":"FLATTEN ALL","nonce":"'$(date +%s)000-lt'"}'
	web_get /api/v1/flatten -H "Origin: $base" -d "$body"
	[ "$code" = 401 ]
	web_get /api/v1/flatten -H "Authorization: Bearer $TOKEN" -H "Origin: http://evil.invalid" -d "$body"
	[ "$code" = 403 ]
	web_get /api/v1/flatten -H "Authorization: Bearer $TOKEN" -H "Host: evil.invalid" \
		-H "Origin: http://evil.invalid" -d "$body"
	[ "$code" = 403 ]
	web_get /api/v1/flatten -H "Authorization: Bearer $AUDIT" -H "Origin: $base" -d "$body"
	[ "$code" = 403 ]
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
	web_get /api/v1/flatten -H "Authorization: Bearer $TOKEN" -H "Origin: $base" -d "$body"
	[ "$code" = 200 ]
	[ "$(cat "$BATS_TEST_TMPDIR/order.args")" = "flatten --by alice --yes" ]
	[ "$(jq -r '.message' <<<"$out")" = "Flat: 0 positions, 0 open orders" ]
	web_get /api/v1/flatten -H "Authorization: Bearer $TOKEN" -H "Origin: $base" -d "$body"
	[ "$code" = 409 ]
	run ! grep -q S3CRET "$BATS_TEST_TMPDIR/error.log"
}

@test "strategy performance and evidence through the server; the doc site under docs/" {
	web_get /api/v1/strategies/tsmom/performance -H "Authorization: Bearer $AUDIT"
	[ "$code" = 200 ]
	[ "$(jq -r '.type + " " + .strategy' <<<"$out")" = 'performance tsmom' ]
	web_get '/api/v1/strategies/%3Cscript%3E/performance' -H "Authorization: Bearer $AUDIT"
	[ "$code" = 404 ]
	[[ $out != *script* ]]
	web_get /api/v1/evidence -H "Authorization: Bearer $AUDIT"
	[ "$code" = 404 ]
	web_docs_site
}
