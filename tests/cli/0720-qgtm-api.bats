#!/usr/bin/env bats
# qgtm-api: the CGI API, run with the environment a web server gives it.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	TOKEN=t0k3n-S3CRET-for-tests
	AUDIT=audit0r-S3CRET-read-only
	hash=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
	ahash=$(printf %s "$AUDIT" | sha256sum | cut -d' ' -f1)
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
	printf 'api:\n  tokens: ["alice:%s"]\n  users: ["www-bob:bob"]\n  auditor_tokens: ["carol:%s"]\n  auditor_users: ["www-dave:dave"]\n  public_origins: ["https://qgtm.example", "http://127.0.0.1:8080"]\n' \
		"$hash" "$ahash" >"$QGTM_CONFIG"
	# A copy of qgtm-api beside a stand-in qgtm-order that records its
	# arguments: the API runs the qgtm-order found beside itself.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$QGTM_BIN/qgtm-api" "$BATS_TEST_TMPDIR/bin/"
	API="$BATS_TEST_TMPDIR/bin/qgtm-api"
	NOW_MS=1767648600000
	unset REMOTE_USER HTTP_AUTHORIZATION HTTP_ORIGIN
}

teardown() {
	[ -z "${DISCORD_PID:-}" ] || kill "$DISCORD_PID" 2>/dev/null || true
}

fake_order() {
	cat >"$BATS_TEST_TMPDIR/bin/qgtm-order" <<SH
#!/bin/sh
echo "\$@" >"$BATS_TEST_TMPDIR/order.args"
exit ${1:-0}
SH
	chmod +x "$BATS_TEST_TMPDIR/bin/qgtm-order"
}

# cgi METHOD PATH_INFO [BODY]: run the API as CGI into $BATS_TEST_TMPDIR/out.
cgi() {
	local body=${3-}
	REQUEST_METHOD=$1 SCRIPT_NAME=/api PATH_INFO=${2#/api} \
	HTTP_HOST=${HTTP_HOST:-127.0.0.1:8080} CONTENT_LENGTH=${#body} \
	CONTENT_TYPE=application/json \
		"$API" <<<"$body" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
}

# status: the Status line's code; json: the body.
status() { sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$BATS_TEST_TMPDIR/out"; }
body() { sed '1,/^\r$/d' "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/body"; }

# post_flatten CODE BODY: POST BODY to flatten; the answer must be CODE.
post_flatten() {
	cgi POST /api/v1/flatten "$2"
	[ "$(status)" = "$1" ]
}

flatten_body() {
	printf '{"confirm":"FLATTEN ALL","nonce":"%s-%s"}' "$NOW_MS" "$1"
}

@test "GET status, readiness and audit/verify answer with JSON" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	cgi GET /api/v1/status
	[ "$(status)" = 200 ]
	grep -q '^Content-Type: application/json' "$BATS_TEST_TMPDIR/out"
	body
	[ "$(jq -r '.type + " " + .equity_text' "$BATS_TEST_TMPDIR/body")" = 'status $100,000.00' ]
	cgi GET /api/v1/readiness
	[ "$(status)" = 200 ]
	body
	[ "$(jq -r .type "$BATS_TEST_TMPDIR/body")" = readiness ]
	cgi GET /api/v1/audit/verify
	body
	[ "$(jq -r '[.valid, .entries] | join(" ")' "$BATS_TEST_TMPDIR/body")" = 'true 0' ]
}

@test "GET page: the phone page with the status of the request inlined and shown" {
	cgi GET /api/v1/page
	[ "$(status)" = 401 ]
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	cgi GET /api/v1/page
	[ "$(status)" = 200 ]
	grep -q '^Content-Type: text/html; charset=utf-8' "$BATS_TEST_TMPDIR/out"
	body
	grep -q '<body class=""><main><h1>' "$BATS_TEST_TMPDIR/body"
	grep -q '<dd id="e" class="up">\$100,000.00</dd>' "$BATS_TEST_TMPDIR/body"
	grep -q 'data-t="2026-01-05T21:30:00Z">16:30:00 ET<' "$BATS_TEST_TMPDIR/body"
	cgi HEAD /api/v1/page
	[ "$(status)" = 200 ]
	body
	[ ! -s "$BATS_TEST_TMPDIR/body" ]
	cgi POST /api/v1/page '{}'
	[ "$(status)" = 403 ]
	HTTP_AUTHORIZATION="Bearer $TOKEN" cgi POST /api/v1/page '{}'
	[ "$(status)" = 405 ]
}

@test "unknown paths are 404, wrong methods 405" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	cgi GET /api/v1/nothing
	[ "$(status)" = 404 ]
	cgi POST /api/v1/status '{}'
	[ "$(status)" = 403 ]
	HTTP_AUTHORIZATION="Bearer $TOKEN" cgi POST /api/v1/status '{}'
	[ "$(status)" = 405 ]
	cgi GET /api/v1/flatten
	[ "$(status)" = 405 ]
}

@test "flatten refuses an unauthenticated request (401) and a wrong token" {
	fake_order
	HTTP_ORIGIN=http://127.0.0.1:8080 post_flatten 401 "$(flatten_body a)"
	HTTP_AUTHORIZATION="Bearer wrong" HTTP_ORIGIN=http://127.0.0.1:8080 \
		post_flatten 401 "$(flatten_body b)"
	REMOTE_USER=mallory HTTP_ORIGIN=http://127.0.0.1:8080 \
		post_flatten 401 "$(flatten_body c)"
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
}

@test "flatten refuses a cross-origin or origin-less request (403)" {
	fake_order
	export HTTP_AUTHORIZATION="Bearer $TOKEN"
	HTTP_ORIGIN=http://evil.invalid post_flatten 403 "$(flatten_body a)"
	post_flatten 403 "$(flatten_body b)"
	HTTP_ORIGIN=https://qgtm.example.evil.invalid post_flatten 403 "$(flatten_body c)"
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
}

@test "a spoofed Origin/Host pair is refused: only api.public_origins count" {
	fake_order
	export HTTP_AUTHORIZATION="Bearer $TOKEN"
	HTTP_HOST=evil.invalid HTTP_ORIGIN=http://evil.invalid post_flatten 403 "$(flatten_body a)"
	HTTPS=on HTTP_HOST=evil.invalid HTTP_ORIGIN=https://evil.invalid post_flatten 403 "$(flatten_body b)"
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
	HTTP_HOST=evil.invalid HTTP_ORIGIN=https://qgtm.example post_flatten 200 "$(flatten_body c)"
}

@test "a token is parsed exactly: a trailing space, two spaces or a tab are refused" {
	fake_order
	export HTTP_ORIGIN=http://127.0.0.1:8080
	HTTP_AUTHORIZATION="Bearer $TOKEN " post_flatten 400 "$(flatten_body a)"
	HTTP_AUTHORIZATION="Bearer  $TOKEN" post_flatten 400 "$(flatten_body b)"
	HTTP_AUTHORIZATION="Bearer	$TOKEN" post_flatten 400 "$(flatten_body c)"
	HTTP_AUTHORIZATION="Bearer $TOKEN x" post_flatten 400 "$(flatten_body d)"
	HTTP_AUTHORIZATION="Bearer ${TOKEN}=" post_flatten 401 "$(flatten_body e)"
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
	HTTP_AUTHORIZATION="bearer $TOKEN" post_flatten 200 "$(flatten_body f)"
}

@test "every read needs a login; an auditor reads but cannot FLATTEN" {
	fake_order
	for p in status readiness audit/verify evidence strategies/tsmom/performance; do
		cgi GET "/api/v1/$p"
		[ "$(status)" = 401 ]
		HTTP_AUTHORIZATION="Bearer $AUDIT" cgi GET "/api/v1/$p"
		[[ $(status) =~ ^(200|404)$ ]]
		REMOTE_USER=www-dave cgi GET "/api/v1/$p"
		[[ $(status) =~ ^(200|404)$ ]]
		REMOTE_USER=www-bob cgi GET "/api/v1/$p"
		[[ $(status) =~ ^(200|404)$ ]]
	done
	export HTTP_ORIGIN=http://127.0.0.1:8080
	HTTP_AUTHORIZATION="Bearer $AUDIT" post_flatten 403 "$(flatten_body a)"
	body
	[ "$(jq -r .error "$BATS_TEST_TMPDIR/body")" = "an auditor may read, not act" ]
	REMOTE_USER=www-dave post_flatten 403 "$(flatten_body b)"
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
	! grep -rq S3CRET "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" "$QGTM_STATE_DIR"
}

@test "audit/verify errors name no file-system path" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	mkdir -p "$QGTM_STATE_DIR/audit"
	printf '{"not":"an entry"}\n' >"$QGTM_STATE_DIR/audit/chain.jsonl"
	cgi GET /api/v1/audit/verify
	body
	[ "$(jq -r .valid "$BATS_TEST_TMPDIR/body")" = false ]
	[ "$(jq -r .error "$BATS_TEST_TMPDIR/body")" = "the chain does not verify at line 1; see the server log" ]
	! grep -q "$QGTM_STATE_DIR" "$BATS_TEST_TMPDIR/body"
	chmod 000 "$QGTM_STATE_DIR/audit/chain.jsonl"
	rm "$QGTM_STATE_DIR/audit/chain.jsonl"
	mkdir "$QGTM_STATE_DIR/audit/chain.jsonl"
	cgi GET /api/v1/audit/verify
	body
	! grep -q / "$BATS_TEST_TMPDIR/body"
}

@test "a flatten is in the audit chain; without room for its nonce it flattens all the same and alerts" {
	fake_order
	discord_standin "$BATS_TEST_TMPDIR/discord"
	printf '  min_interval_s: 0\n' >>"$QGTM_CONFIG"
	export HTTP_AUTHORIZATION="Bearer $TOKEN" HTTP_ORIGIN=http://127.0.0.1:8080
	post_flatten 200 "$(flatten_body ok)"
	run -0 jq -c 'select(.rec.type == "api_call") | .rec | [.action, .by, .nonce_recorded, .status, .exit]' \
		"$QGTM_STATE_DIR/audit/chain.jsonl"
	[ "$output" = '["flatten","alice",true,200,0]' ]
	rm "$BATS_TEST_TMPDIR/order.args"
	# The nonce file's write fails as on a full disk (ENOSPC).
	QGTM_FAULT=write:1 post_flatten 200 "$(flatten_body full)"
	[ "$(cat "$BATS_TEST_TMPDIR/order.args")" = "flatten --by alice --yes" ]
	body
	[ "$(jq -r .nonce_recorded "$BATS_TEST_TMPDIR/body")" = false ]
	run -0 jq -r .content "$BATS_TEST_TMPDIR/discord/log"
	[[ $output == *"FLATTEN ALL by alice: the nonce could not be recorded ("*"); flattening anyway, since flattening twice is harmless."* ]]
	run -0 jq -c 'select(.rec.type == "api_call") | .rec.nonce_recorded' "$QGTM_STATE_DIR/audit/chain.jsonl"
	[ "$output" = "$(printf 'true\nfalse')" ]
}

@test "flatten needs the confirmation and a fresh nonce (400)" {
	fake_order
	export HTTP_AUTHORIZATION="Bearer $TOKEN" HTTP_ORIGIN=http://127.0.0.1:8080
	post_flatten 400 '{"nonce":"1767648600000-x"}'
	post_flatten 400 '{"confirm":"yes","nonce":"1767648600000-x"}'
	post_flatten 400 '{"confirm":"FLATTEN ALL","nonce":"1767640000000-old"}'
	post_flatten 400 '{"confirm":"FLATTEN ALL","nonce":"1767648600000-\"x"}'
	post_flatten 400 'not json'
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
}

@test "a token operator flattens once; the replay is refused (409)" {
	fake_order
	export HTTP_AUTHORIZATION="Bearer $TOKEN" HTTP_ORIGIN=http://127.0.0.1:8080
	post_flatten 200 "$(flatten_body once)"
	body
	[ "$(jq -r '[.ok, .by, .positions, .open_orders, .message] | join(" ")' "$BATS_TEST_TMPDIR/body")" = 'true alice 0 0 Flat: 0 positions, 0 open orders' ]
	[ "$(cat "$BATS_TEST_TMPDIR/order.args")" = "flatten --by alice --yes" ]
	rm "$BATS_TEST_TMPDIR/order.args"
	post_flatten 409 "$(flatten_body once)"
	[ ! -e "$BATS_TEST_TMPDIR/order.args" ]
	! grep -rq S3CRET "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" "$QGTM_STATE_DIR"
}

@test "REMOTE_USER maps to its operator" {
	fake_order
	REMOTE_USER=www-bob HTTP_ORIGIN=http://127.0.0.1:8080 \
		post_flatten 200 "$(flatten_body bob)"
	[ "$(cat "$BATS_TEST_TMPDIR/order.args")" = "flatten --by bob --yes" ]
}

@test "a second flatten within api.min_interval_s is 429, after it 200" {
	fake_order
	export HTTP_AUTHORIZATION="Bearer $TOKEN" HTTP_ORIGIN=http://127.0.0.1:8080
	post_flatten 200 "$(flatten_body r1)"
	QGTM_NOW=2026-01-05T21:30:09Z post_flatten 429 "$(flatten_body r2)"
	QGTM_NOW=2026-01-05T21:30:10Z post_flatten 200 "$(flatten_body r2)"
}

@test "a failing flatten is 502; no qgtm-order at all is 503" {
	printf '  min_interval_s: 0\n' >>"$QGTM_CONFIG"
	fake_order 5
	export HTTP_AUTHORIZATION="Bearer $TOKEN" HTTP_ORIGIN=http://127.0.0.1:8080
	post_flatten 502 "$(flatten_body f1)"
	rm "$BATS_TEST_TMPDIR/bin/qgtm-order"
	post_flatten 503 "$(flatten_body f2)"
	body
	[[ $(jq -r .error "$BATS_TEST_TMPDIR/body") == "flatten is not available"* ]]
}

@test "outside CGI it is a usage error" {
	run -64 --separate-stderr qgtm-api
	run -64 --separate-stderr qgtm-api extra
	run -0 qgtm-api -h
}

# sim_book: the sim broker holding what the order fixture buys.
sim_book() {
	mkdir -p "$QGTM_STATE_DIR/data/sim"
	for s in GLD:100.000000 SLV:20.000000 GDX:40.000000; do
		bar_rec "${s%%:*}" 2026-01-02 "${s#*:}" \
			>"$QGTM_STATE_DIR/data/sim/${s%%:*}.jsonl"
	done
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
}

@test "a flatten that leaves positions answers what is left (409)" {
	sim_book
	fake_order
	HTTP_AUTHORIZATION="Bearer $TOKEN" HTTP_ORIGIN=http://127.0.0.1:8080 \
		post_flatten 409 "$(flatten_body left)"
	body
	n=$(qgtm-order positions | grep -cv '^\(cash\|equity\) ')
	[ "$n" -gt 0 ]
	[ "$(jq -r '[.ok, .positions, .open_orders] | join(" ")' "$BATS_TEST_TMPDIR/body")" = "false $n 0" ]
	[[ $(jq -r .message "$BATS_TEST_TMPDIR/body") =~ ^Not\ flat:\ $n\ positions?\ left\ \((GDX|GLD|SLV)\ -?[0-9.]+(,\ [A-Z]+\ -?[0-9.]+)*\),\ 0\ open\ orders$ ]]
	grep -q '"action":"flatten".*"status":409' "$QGTM_STATE_DIR/audit/chain.jsonl"
}

@test "end to end: the real qgtm-order flattens the sim book, as the operator" {
	[ -x "$QGTM_BIN/qgtm-order" ] || skip "qgtm-order is not built"
	API=$QGTM_BIN/qgtm-api
	sim_book
	qgtm-status render --out "$BATS_TEST_TMPDIR/www"
	[ "$(jq .positions "$BATS_TEST_TMPDIR/www/status.json")" -gt 0 ]
	HTTP_AUTHORIZATION="Bearer $TOKEN" HTTP_ORIGIN=http://127.0.0.1:8080 \
		post_flatten 200 "$(flatten_body e2e)"
	body
	[ "$(jq -r .message "$BATS_TEST_TMPDIR/body")" = "Flat: 0 positions, 0 open orders" ]
	qgtm-status render --out "$BATS_TEST_TMPDIR/www"
	run -0 jq -r '[.positions, .tier] | join(" ")' "$BATS_TEST_TMPDIR/www/status.json"
	[ "$output" = "0 FLATTEN" ]
	grep -q '"by":"alice"' "$QGTM_STATE_DIR/audit/chain.jsonl"
}

@test "strategies/ID/performance: a registered strategy's PnL, series and newest decay" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	cgi GET /api/v1/strategies/tsmom/performance
	[ "$(status)" = 200 ]
	body
	[ "$(jq -r '[.type, .strategy, .pnl_text, (.daily.dates | length), .decay] | map(tostring) | join(" ")' "$BATS_TEST_TMPDIR/body")" = 'performance tsmom +$0.00 0 null' ]
	mkdir -p "$QGTM_STATE_DIR/research"
	printf '%s\n' \
		'{"type":"decay","v":1,"ts":"2026-01-01T00:00:00Z","src":"qgtm-backtest","strategy":"tsmom","status":"ok","ratio":0.9}' \
		'{"type":"decay","v":1,"ts":"2026-01-04T00:00:00Z","src":"qgtm-backtest","strategy":"tsmom","status":"decayed","ratio":0.35}' \
		'{"type":"decay","v":1,"ts":"2026-01-04T00:00:00Z","src":"qgtm-backtest","strategy":"xsmom","status":"ok","ratio":0.8}' \
		>"$QGTM_STATE_DIR/research/decay.jsonl"
	cgi GET /api/v1/strategies/tsmom/performance
	body
	[ "$(jq -r '[.decay.status, .decay.ratio] | join(" ")' "$BATS_TEST_TMPDIR/body")" = 'decayed 0.35' ]
}

@test "strategies/ID/performance: an unknown or hostile id is 404 and never echoed" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	for id in nope '<script>alert(1)</script>' '..' 'tsmom/x'; do
		cgi GET "/api/v1/strategies/$id/performance"
		[ "$(status)" = 404 ]
		body
		[ "$(jq -r .error "$BATS_TEST_TMPDIR/body")" = 'no such strategy' ]
		! grep -qF "$id" "$BATS_TEST_TMPDIR/body"
	done
	cgi GET /api/v1/strategies/tsmom
	[ "$(status)" = 404 ]
	cgi GET /api/v1/strategies/
	[ "$(status)" = 404 ]
	HTTP_AUTHORIZATION="Bearer $TOKEN" \
		cgi POST /api/v1/strategies/tsmom/performance '{}'
	[ "$(status)" = 405 ]
}

# package NAME TIME: an evidence package whose MANIFEST was written at TIME.
package() {
	mkdir -p "$QGTM_STATE_DIR/evidence/$1"
	printf '%s  README\n%s  MANIFEST-less part\n' \
		"$(printf %064d 1)" "$(printf %064d 2)" >"$QGTM_STATE_DIR/evidence/$1/MANIFEST"
	touch -d "$2" "$QGTM_STATE_DIR/evidence/$1/MANIFEST"
}

@test "evidence: 404 without a package, else the newest package's manifest" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	cgi GET /api/v1/evidence
	[ "$(status)" = 404 ]
	package older 2026-01-01T00:00:00Z
	package newer 2026-01-03T00:00:00Z
	mkdir -p "$QGTM_STATE_DIR/evidence/no-manifest"
	cgi GET /api/v1/evidence
	[ "$(status)" = 200 ]
	body
	[ "$(jq -r '[.type, .package, .written, (.manifest | length), .manifest[0].file, .manifest[1].file] | join("|")' "$BATS_TEST_TMPDIR/body")" = 'evidence|newer|2026-01-03T00:00:00Z|2|README|MANIFEST-less part' ]
	HTTP_AUTHORIZATION="Bearer $TOKEN" cgi DELETE /api/v1/evidence
	[ "$(status)" = 405 ]
}

@test "evidence/archive: the package as one tar; 404 without; a bad part is 500" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	cgi GET /api/v1/evidence/archive
	[ "$(status)" = 404 ]
	p=$QGTM_STATE_DIR/evidence/pkg-1
	mkdir -p "$p"
	printf 'hello\n' >"$p/README"
	(cd "$p" && sha256sum README >MANIFEST)
	cgi GET /api/v1/evidence/archive
	[ "$(status)" = 200 ]
	grep -q '^Content-Type: application/x-tar' "$BATS_TEST_TMPDIR/out"
	grep -q '^Content-Disposition: attachment; filename="pkg-1.tar"' "$BATS_TEST_TMPDIR/out"
	body
	[ "$(tar -tf "$BATS_TEST_TMPDIR/body" | tr '\n' ' ')" = "pkg-1/README pkg-1/MANIFEST " ]
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -xf "$BATS_TEST_TMPDIR/body" -C "$BATS_TEST_TMPDIR/x"
	(cd "$BATS_TEST_TMPDIR/x/pkg-1" && sha256sum -c --quiet MANIFEST)
	# A part the MANIFEST lists but the package lacks, or one outside it.
	rm "$p/README"
	cgi GET /api/v1/evidence/archive
	[ "$(status)" = 500 ]
	body
	! grep -q / "$BATS_TEST_TMPDIR/body"
	printf 'hello\n' >"$p/README"
	printf '%064d  ../../qgtm.yaml\n' 0 >>"$p/MANIFEST"
	cgi GET /api/v1/evidence/archive
	[ "$(status)" = 500 ]
	! grep -q api: "$BATS_TEST_TMPDIR/out"
}

@test "a malformed query string is 400; a body over 4096 bytes is 413" {
	export HTTP_AUTHORIZATION="Bearer $AUDIT"
	QUERY_STRING='a=%zz' cgi GET /api/v1/status
	[ "$(status)" = 400 ]
	cgi POST /api/v1/flatten "$(printf '{"x":"%04097d"}' 0)"
	[ "$(status)" = 413 ]
}
