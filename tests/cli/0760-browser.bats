#!/usr/bin/env bats
# The operator pages in a real browser: Debian's chromium, headless, driven
# by playwright-core (tests/browser/*.mjs), against the pages and qgtm-api
# served by lighttpd (the shipped etc/lighttpd/qgtm.conf, login switched
# on) on a free loopback port, with qgtm-daemon beating and rendering every
# second. Screenshots go to build/browser-artifacts/. Skipped without
# lighttpd, chromium or tests/browser/node_modules (`make deps`).

load ../browser/setup

@test "the phone page shows the five numbers, labelled, in 360x640" {
	start_all
	browser phone numbers "$base/"
	# The first response carries the numbers of that moment, shown.
	run -0 curl -sf -u "$QGTM_HTTP_USER:$QGTM_HTTP_PASSWORD" "$base/"
	[[ $output == *'<body class="">'* ]]
	[[ $output == *'<span id="v" data-ok="1" class="green">All OK</span>'* ]]
	equity=$(curl -sf -u "$QGTM_HTTP_USER:$QGTM_HTTP_PASSWORD" \
	    "$base/api/v1/status" | jq -r .equity_text)
	[[ $equity == \$* ]]
	[[ $output == *"<dd id=\"e\" class=\"up\">$equity</dd>"* ||
	    $output == *"<dd id=\"e\" class=\"dn\">$equity</dd>"* ]]
}

@test "raising the safety switch to WARN turns the page yellow, with its reason, within 10 s" {
	start_all
	browser phone watch "$base/" --name phone-warn \
	    --then "qgtm-risk escalate --to WARN --reason 'browser drill' --by opa" \
	    --expect warn --within 10
}

# The heartbeat turns yellow at 60 s and red at 120 s after the last beat;
# the page learns it at its next poll (5 s), hence 120 + 5 + 1 s.
@test "killing the daemon turns the heartbeat yellow, then red, within 2 minutes" {
	start_all
	browser phone watch "$base/" --name phone-daemon-killed \
	    --then "kill -KILL $DPID" --expect hb-yellow --expect hb-red \
	    --within 126
	DPID=
}

@test "stopping the web server shows CONNECTION LOST, never the old numbers" {
	start_all
	browser phone watch "$base/" --name phone-server-stopped \
	    --then "kill $(cat "$SERVE/lighttpd.pid")" --expect lost --within 10
}

# A frozen answer (a cache in between, say): the API's clock stopped at
# the start, its status ages, and past 15 s the numbers must go.
@test "a status older than 15 s shows CONNECTION LOST" {
	sed -i 's|"QGTM_STATE_DIR" => "\([^"]*\)"|&, "QGTM_NOW" => "'"$(date -u +%FT%TZ)"'"|' \
	    "$SERVE/lighttpd.conf"
	grep -q '"QGTM_NOW" => ' "$SERVE/lighttpd.conf"
	start_all
	browser phone watch "$base/" --name phone-status-old --then true \
	    --expect lost --within 20
}

@test "a broker that cannot be read (a broken order journal) shows CONNECTION LOST" {
	start_all
	browser phone watch "$base/" --name phone-broker-lost \
	    --then "echo 'not json' >>'$QGTM_STATE_DIR/oms/orders.jsonl'" --expect lost \
	    --within 10
}

@test "FLATTEN ALL confirmed in its dialog leaves the sim broker flat, verified" {
	start_all
	[ "$(open_positions)" -gt 0 ]
	browser phone flatten "$base/"
	[ "$(open_positions)" -eq 0 ]
	run qgtm-risk status
	[[ $output == *FLATTEN* ]]
	grep -q 'action=flatten by=alice exit=0' "$SERVE/lighttpd.out"
	grep -q 'action=flatten by=alice msg="Flat: 0 positions, 0 open orders"' \
	    "$SERVE/lighttpd.out"
}

@test "FLATTEN ALL then Cancel sends nothing and leaves everything as it was" {
	start_all
	before=$(qgtm-order positions)
	browser phone cancel "$base/"
	[ "$(qgtm-order positions)" = "$before" ]
	run qgtm-risk status
	[[ $output != *FLATTEN* ]]
	! grep -q 'flatten' "$SERVE/lighttpd.out"
	! grep -q '"api_call"' "$QGTM_STATE_DIR/audit/chain.jsonl"
}

@test "the readiness page renders dark under prefers-color-scheme: dark" {
	qgtm-status render
	serve_start
	browser readiness dark "$base/readiness.html"
}

# One break as qgtm-order reconcile writes it (the break, then the run's
# summary with the run's worst severity) is one break, named.
@test "a reconciliation discrepancy shows FAIL on the readiness page" {
	plant oms/recon.jsonl "$(recon_rec "$(ago 86400)" info fills ok)"
	qgtm-status beat daemon
	qgtm-status render
	serve_start
	browser readiness rows "$base/readiness.html" --name readiness-recon-pass \
	    --row "reconciliation=PASS:0 critical"
	plant oms/recon.jsonl "$(recon_rec "$(ago 3600)" critical position \
	    "book 250, broker 260" GLD)"
	plant oms/recon.jsonl "$(recon_rec "$(ago 3600)" critical summary \
	    "3 positions, 0 open orders at the sim broker")"
	qgtm-status render
	browser readiness rows "$base/readiness.html" --name readiness-recon-fail \
	    --row "reconciliation=FAIL:1 critical break: GLD book 250, broker 260;"
}

# decay_record STRATEGY STATUS RATIO: a "decay" record of qgtm-backtest
# decay -j (cmd/qgtm-backtest.c print_decay) measured an hour ago.
decay_record() {
	printf '{"type":"decay","v":1,"ts":"%s","src":"qgtm-backtest","strategy":%s,"basis":"backtest","from":"2020-01-02","recent_from":"2026-05-01","to":"%s","insample_sharpe":1.2,"recent_sharpe":%s,"ratio":%s,"status":"%s","insample_days":1600,"recent_days":126}' \
	    "$(ago 3600)" "$(jq -n --arg s "$1" '$s')" "$(date -u -d yesterday +%F)" \
	    "$(jq -n "$3 * 1.2")" "$3" "$2"
}

@test "a strategy below the decay threshold shows its warning" {
	plant research/decay.jsonl "$(decay_record tsmom ok 0.9)"
	qgtm-status beat daemon
	qgtm-status render
	serve_start
	browser readiness rows "$base/readiness.html" --name readiness-decay-ok \
	    --row "decay=PASS"
	plant research/decay.jsonl "$(decay_record tsmom decayed 0.3)"
	qgtm-status render
	browser readiness rows "$base/readiness.html" --name readiness-decay \
	    --row "decay=WARN:tsmom"
}

@test "the readiness page polls the API and redraws the same checklist" {
	qgtm-status beat daemon
	qgtm-status render
	serve_start
	browser readiness live "$base/readiness.html"
}

# The page's stated limit: STALE when the system has not checked in for
# 120 s; the page learns it from its own clock between polls (every 5 s)
# or at its next poll (20 s), hence 120 + 20 + 5 s at most.
@test "killing the daemon turns the readiness page STALE within its limit" {
	start_all
	browser readiness stale "$base/readiness.html" \
	    --name readiness-daemon-killed --then "kill -KILL $DPID" --within 145
	DPID=
}

@test "a readiness page served long after its render starts STALE" {
	qgtm-status beat daemon
	qgtm-status render --now "$(ago 600)"
	serve_start
	browser readiness stale-start "$base/readiness.html"
}

@test "every drill-down of the readiness page reads as words, not JSON" {
	plant oms/recon.jsonl "$(recon_rec "$(ago 3600)" critical position \
	    "book 250, broker 260" GLD)"
	plant research/decay.jsonl "$(decay_record tsmom decayed 0.3)"
	run -0 qgtm-risk escalate --to WARN --reason "words drill" --by opa
	start_all
	browser readiness words "$base/readiness.html"
}

@test "hostile strategy names and reasons render as text; no script of theirs runs" {
	local img='<img src=x onerror="window.qgtmPwned=1;alert(1)">'
	local scr='</script><script>window.qgtmPwned=2</script>'
	local svg='"><svg onload="window.qgtmPwned=3">'"'"
	run -0 qgtm-risk escalate --to WARN --reason "$img$scr" --by "$svg"
	plant research/decay.jsonl "$(decay_record "$scr$svg" decayed 0.3)"
	plant oms/recon.jsonl '{"type":"recon","v":1,"ts":"'"$(ago 60)"'","src":"qgtm-order","severity":"critical","check":"position","symbol":"GLD","detail":'"$(jq -n --arg s "$img" '$s')"'}'
	start_all
	browser escape --name hostile --text "$img$scr" --text "$scr$svg" --text "$svg" \
	    "$base/" "$base/readiness.html"
}

@test "no test secret appears in any page, JSON, response or log" {
	start_all
	# A flatten by login, a failed login, then (the login block off, as
	# token clients need it) a flatten by token: every secret goes through
	# the web server and the API.
	run -0 curl -sf -u "opa:$QGTM_HTTP_PASSWORD" -H "Origin: $base" \
	    -d '{"confirm":"FLATTEN ALL","nonce":"'$(date +%s)000-login'"}' \
	    "$base/api/v1/flatten"
	run -0 curl -s -o /dev/null -w '%{http_code}' -u "opa:wrong-S3CRET" "$base/"
	[ "$output" = 401 ]
	serve_stop
	serve_config "$SERVE" "$port" >/dev/null
	serve_start
	run -0 curl -s -o /dev/null -w '%{http_code}' -H "Origin: $base" \
	    -H "Authorization: Bearer $TOKEN" \
	    -d '{"confirm":"FLATTEN ALL","nonce":"'$(date +%s)000-token'"}' \
	    "$base/api/v1/flatten"
	[[ $output == 200 || $output == 429 ]]
	# Every read needs a login: the browser is a token client here.
	QGTM_HTTP_TOKEN=$TOKEN browser escape --name secrets --dump "$BATS_TEST_TMPDIR/dump" "$base/" \
	    "$base/readiness.html" "$base/status.json" "$base/readiness.json" \
	    "$base/api/v1/status" "$base/api/v1/readiness" \
	    "$base/api/v1/audit/verify" \
	    "$base/api/v1/strategies/tsmom/performance"
	[ "$(ls "$BATS_TEST_TMPDIR/dump" | wc -l)" -ge 13 ]
	kill -TERM "$DPID"
	wait "$DPID" || true
	DPID=
	serve_stop
	run grep -rl S3CRET "$BATS_TEST_TMPDIR/dump" "$QGTM_STATE_DIR" \
	    "$SERVE/error.log" "$SERVE/lighttpd.out" "$BATS_TEST_TMPDIR/daemon.log"
	echo "$output"
	[ "$status" -eq 1 ]
}
