#!/usr/bin/env bats
# examples/demo.sh with QGTM_DEMO_SERVE=1: after the replay, the daemon and
# lighttpd on loopback behind an HTTP Basic login, the URLs and the
# password printed; the phone page, its API reads and FLATTEN ALL work with
# that login and refuse without it; SIGTERM stops all.

setup() {
	load ../lib
	command -v lighttpd >/dev/null || skip "lighttpd is not installed"
	top=$BATS_TEST_TMPDIR/top
	mkdir -p "$top"
	cp -R "$QGTM_TOP/examples" "$QGTM_TOP/etc" "$top/"
	port=$((20000 + RANDOM % 20000))
}

teardown() {
	[ -z "${DEMO:-}" ] || kill -TERM "$DEMO" 2>/dev/null || true
}

@test "the demo serves the pages and the API until SIGTERM" {
	QGTM_DEMO_SERVE=1 QGTM_DEMO_PORT=$port QGTM_BIN="$QGTM_BIN" \
		"$top/examples/demo.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	DEMO=$!
	# The replay, the decay check and the digest take about 30 s of CPU,
	# minutes on a busy machine.
	for _ in $(seq 6000); do
		grep -q 'qgtm-daemon (pid' "$BATS_TEST_TMPDIR/out" && break
		kill -0 "$DEMO" 2>/dev/null || break   # the demo failed
		sleep 0.1
	done
	grep -q "phone page:   http://127.0.0.1:$port/" "$BATS_TEST_TMPDIR/out" ||
		{ cat "$BATS_TEST_TMPDIR/out"; false; }
	grep -qx '  user:         demo' "$BATS_TEST_TMPDIR/out"
	pw=$(sed -n 's/^  password: *\([0-9a-f]*\)$/\1/p' "$BATS_TEST_TMPDIR/out")
	[ ${#pw} -eq 32 ]
	# The shipped config as it is: its login on, the htpasswd hashed.
	grep -q '^auth.backend = "htpasswd"' "$top/demo/lighttpd.conf"
	! grep -q "$pw" "$top/demo/htpasswd"
	base="http://127.0.0.1:$port"
	# Without the login: 401, for the pages and the API alike.
	for u in / /readiness.html /api/v1/status; do
		run -0 curl -s -o /dev/null -w '%{http_code}' "$base$u"
		[ "$output" = 401 ]
	done
	run -0 curl -sf -u "demo:$pw" "$base/api/v1/status"
	[ "$(jq -r .heartbeat_colour <<<"$output")" = green ]
	run -0 curl -s -o /dev/null -w '%{http_code}' -u "demo:wrong" "$base/"
	[ "$output" = 401 ]
	run -0 curl -sf -u "demo:$pw" "$base/"
	[[ $output != *"$pw"* ]]
	# The phone page live: its numbers in the first response, shown.
	[[ $output == *'<body class="">'* && $output == *'id="v"'* ]]
	# FLATTEN ALL as the page sends it, logged in: the sim broker is flat.
	run -0 curl -sf -u "demo:$pw" -H "Origin: $base" \
		-d '{"confirm":"FLATTEN ALL","nonce":"'$(date +%s)000-demo'"}' \
		"$base/api/v1/flatten"
	[ "$(jq -r .message <<<"$output")" = "Flat: 0 positions, 0 open orders" ]
	run -0 curl -sf -u "demo:$pw" "$base/api/v1/status"
	[ "$(jq -r .positions <<<"$output")" = 0 ]
	kill -TERM "$DEMO"
	wait "$DEMO"
	DEMO=
	grep -q 'demo: stopped' "$BATS_TEST_TMPDIR/out"
	run ! curl -s "http://127.0.0.1:$port/"
	run ! pgrep -f "$top/demo/lighttpd.conf"
}
