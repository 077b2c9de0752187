#!/usr/bin/env bats
# examples/demo.sh with QGTM_DEMO_SERVE=1: after the replay, the daemon and
# lighttpd on loopback, the URLs and a token printed, SIGTERM stops all.

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
	token=$(sed -n 's/^  demo token: *\([0-9a-f]*\) .*/\1/p' "$BATS_TEST_TMPDIR/out")
	[ ${#token} -eq 32 ]
	# Reads need a login too: without one, 401.
	run -0 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/status"
	[ "$output" = 401 ]
	run -0 curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/status"
	[ "$(jq -r .heartbeat_colour <<<"$output")" = green ]
	run -0 curl -sf "http://127.0.0.1:$port/"
	[[ $output != *"$token"* ]]
	# FLATTEN ALL with the printed token leaves the sim broker flat.
	base="http://127.0.0.1:$port"
	run -0 curl -sf -H "Authorization: Bearer $token" -H "Origin: $base" \
		-d '{"confirm":"FLATTEN ALL","nonce":"'$(date +%s)000-demo'"}' \
		"$base/api/v1/flatten"
	run -0 curl -sf -H "Authorization: Bearer $token" "$base/api/v1/status"
	[ "$(jq -r .positions <<<"$output")" = 0 ]
	kill -TERM "$DEMO"
	wait "$DEMO"
	DEMO=
	grep -q 'demo: stopped' "$BATS_TEST_TMPDIR/out"
	run ! curl -s "http://127.0.0.1:$port/"
	run ! pgrep -f "$top/demo/lighttpd.conf"
}
