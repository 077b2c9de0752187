#!/usr/bin/env bats
# qgtm-order against the Alpaca Trading API v2 (a stand-in on loopback,
# tests/standin/alpaca.py): submit (a lost answer resolved by client order
# id, concurrent runs, 403, -n), account, flatten with the 207 close-all and
# positions held for orders, pending_cancel, 403 and 429; goldens pin the
# requests sent.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	alpaca_standin "$BATS_TEST_TMPDIR/standin"
	export APCA_API_KEY_ID=PKTEST APCA_API_SECRET_KEY=s3cr3t
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/qgtm.yaml
	printf 'broker:\n  alpaca:\n    url: "%s"\n    cancel_wait_ms: 2000\nhttp:\n  backoff_ms: 10\n' \
		"$URL" >"$QGTM_CONFIG"
	mkdir -p "$QGTM_STATE_DIR/data/sim"
	for b in GLD:100 SLV:20 GDX:40; do
		bar_rec "${b%:*}" 2026-01-02 "${b#*:}" \
			>"$QGTM_STATE_DIR/data/sim/${b%:*}.jsonl"
	done
	LOG=$QGTM_STATE_DIR/oms/orders.jsonl
}

teardown() {
	standin_stop
}

# ctl JSON: steer the stand-in.
ctl() {
	alpaca_ctl "$1"
}

# submit_fills_both: submit the fixture's two decisions; both must fill.
submit_fills_both() {
	run -0 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	run jq -r 'select(.type == "order") | "\(.symbol) \(.status)"' <<<"$output"
	[ "$output" = "GLD filled
SLV filled" ]
}

# posts_submits: "[POSTs,orders placed]" as the stand-in counted them.
posts_submits() {
	curl -sf "$URL/_ctl" | jq '[.posts, .submits]' | tr -d ' \n'
}

# requests: "METHOD PATH BODY" of every request the stand-in got.
requests() {
	jq -r '"\(.method) \(.path)\(if .body then " " + (.body | tojson) else "" end)"' "$S/log"
}

@test "account reads GET /v2/account" {
	ctl '{"positions": {"GLD": "10"}}'
	run -0 --separate-stderr qgtm-order account -b alpaca
	[ "$output" = "broker alpaca
cash 100000.00
market_value 1000.00
equity 101000.00" ]
	[ "$(requests)" = "GET /v2/account" ]
	run -0 --separate-stderr qgtm-order account -j -b alpaca
	[ "$(jq -r '[.equity, .last_equity, .daily_pl] | @tsv' <<<"$output")" = "101000.00	100000.00	1000.00" ]
	[ "$(jq -r '.daily[] | [.date, .equity, .profit_loss] | @tsv' <<<"$output")" = "2026-01-02	100000.00	0.00
2026-01-05	101000.00	1000.00" ]
	[ "$(requests | tail -1)" = "GET /v2/account/portfolio/history?period=7D&timeframe=1D" ]
}

@test "daily P/L: each day's profit_loss less the day before's, not from the base value" {
	ctl '{"history": {"timestamp": [1767330000, 1767589200, 1767675600],
		"equity": [100000.0, 101000.0, 100500.0], "profit_loss": [0, 1000.0, 500.0],
		"base_value": 100000.0}}'
	run -0 --separate-stderr qgtm-order account -j -b alpaca
	[ "$(jq -r '.daily[] | [.date, .equity, .profit_loss] | @tsv' <<<"$output")" = "2026-01-02	100000.00	0.00
2026-01-05	101000.00	1000.00
2026-01-06	100500.00	-500.00" ]
}

@test "wrong keys: exit 77 with the broker's message" {
	export APCA_API_SECRET_KEY=wrong
	run -77 --separate-stderr qgtm-order account -b alpaca
	[ "$stderr" = "qgtm-order: alpaca: /v2/account: HTTP 403: forbidden." ]
}

@test "no keys: exit 78" {
	unset APCA_API_KEY_ID
	run -78 --separate-stderr qgtm-order account -b alpaca
}

@test "flatten: cancel all, pending_cancel waited out, 207 close-all, flat (golden)" {
	ctl '{"positions": {"GLD": "10", "SLV": "-20"}, "held": ["SLV"],
		"open": [{"symbol": "SLV", "qty": "5", "side": "buy"}], "pending": 2}'
	run -0 --separate-stderr qgtm-order flatten -b alpaca --by alice --reason drill --yes
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run jq -r 'select(.type == "flatten") | "\(.step) \(.ok) \(.detail)"' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "tier true raised to FLATTEN
cancel_all true 1 canceled
close_all true 2 closing orders
confirm true 0 positions, 0 open orders
alert true delivered, or no webhook configured" ]
	curl -sf "$URL/_ctl" | jq -e '.positions == {}'
	requests >"$BATS_TEST_TMPDIR/requests"
	diff -u "$FIXTURES/order-alpaca-flatten.golden" "$BATS_TEST_TMPDIR/requests"
	qgtm-audit verify >/dev/null
	[ "$(jq -r 'select(.rec.type == "flatten") | .rec.step' \
		"$QGTM_STATE_DIR/audit/chain.jsonl" | wc -l)" -eq 5 ]
}

@test "flatten: a position that cannot be closed: 207 with a failure, exit 1" {
	ctl '{"positions": {"GLD": "10", "SLV": "-20"}, "held": ["SLV"],
		"open": [{"symbol": "SLV", "qty": "5", "side": "buy"}], "pending": 1000}'
	run -1 --separate-stderr qgtm-order flatten -b alpaca --by alice --yes
	[[ $stderr == *"the alpaca account is NOT flat" ]]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run jq -r 'select(.step == "cancel_all") | "\(.ok) \(.detail)"' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "false alpaca: orders still pending_cancel after 2000 ms" ]
	run jq -r 'select(.type == "order") | "\(.symbol) \(.status)"' "$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = "GLD filled" ]
	[ "${lines[1]}" = "SLV rejected" ]
	run jq -r 'select(.step == "confirm") | "\(.ok) \(.detail)"' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "false 1 positions, 1 open orders" ]
}

@test "429 on a read is waited out and retried" {
	ctl '{"fail": [[429, {"code": 42910000, "message": "rate limit exceeded"}]]}'
	run -0 --separate-stderr qgtm-order account -b alpaca
	[ "$(requests)" = "GET /v2/account
GET /v2/account" ]
}

@test "orders pending cancel past the wait: the held position closes on a later round" {
	ctl '{"positions": {"GLD": "10", "SLV": "-20"}, "held": ["SLV"],
		"open": [{"symbol": "SLV", "qty": "5", "side": "buy"}], "pending": 13}'
	run -0 --separate-stderr qgtm-order flatten -b alpaca --by alice --yes
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run jq -r 'select(.type == "order") | "\(.symbol) \(.status)"' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "GLD filled
SLV rejected
SLV filled" ]
	run jq -r 'select(.type == "flatten") | "\(.step) \(.ok)"' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "tier true
cancel_all false
close_all true
confirm true
alert true" ]
	[ "$(requests | grep -c '^DELETE /v2/positions')" -eq 2 ]
}

@test "submit sizes on the broker's equity and sends each order once (golden)" {
	run -0 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run jq -r 'select(.type == "order") | "\(.broker) \(.symbol) \(.side) \(.qty) \(.status)"' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "alpaca GLD buy 250 filled
alpaca SLV sell 500 filled" ]
	[ "$(jq -r '.order.broker_order_id | length' "$LOG")" = "36
36" ]
	jq -e 'has("fill") | not' "$LOG" >/dev/null
	qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl" >/dev/null
	requests >"$BATS_TEST_TMPDIR/requests"
	diff -u "$FIXTURES/order-alpaca-submit.golden" "$BATS_TEST_TMPDIR/requests"
}

@test "an answer lost after the broker accepted is resolved, not resent" {
	ctl '{"drop": 2}'
	submit_fills_both
	[ "$(curl -sf "$URL/_ctl" | jq '.orders | length')" -eq 2 ]
	[ "$(requests | grep -c '^POST')" -eq 2 ]
	# one look-up per intent before sending, one per lost answer
	[ "$(requests | grep -c '^GET /v2/orders:by_client_order_id')" -eq 5 ]
	[ "$(wc -l <"$LOG")" -eq 2 ]
}

@test "submit accounts for every open order, read past Alpaca's pages of 50 and 500" {
	local open i
	open=$( (for i in $(seq 400); do echo '{"symbol": "GDX", "qty": "1", "side": "buy"}'; done
		for i in $(seq 120); do echo '{"symbol": "GLD", "qty": "1", "side": "buy"}'; done) |
		jq -s -c '{open: .}')
	ctl "$open"
	[ "$(curl -sf "$URL/v2/orders?status=open" -H 'APCA-API-KEY-ID: PKTEST' \
		-H 'APCA-API-SECRET-KEY: s3cr3t' | jq length)" -eq 50 ]
	: >"$S/log"
	run -0 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	run jq -r 'select(.type == "order") | "\(.symbol) \(.side) \(.qty)"' <<<"$output"
	# GLD: 250 less the 120 working; GDX: 25 less the 400 working
	[ "$output" = "GLD buy 130
SLV sell 500
GDX sell 375" ]
	[ "$(requests | grep -c '^GET /v2/orders?status=open&limit=500&')" -eq 2 ]
}

@test "a 429 on an order: waited until X-RateLimit-Reset, looked up, then sent again" {
	ctl '{"submit_fail": [[429, {"code": 42910000, "message": "rate limit exceeded"}]]}'
	t0=$(date +%s%N)
	run -0 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 1000 ]     # reset >= 1 s away
	run jq -r 'select(.type == "order") | "\(.symbol) \(.status)"' <<<"$output"
	[ "$output" = "GLD filled
SLV filled" ]
	run -0 jq -r '"\(.method) \(.path | sub("\\?.*"; ""))"' "$S/log"
	[ "$(printf '%s\n' "${lines[@]}" | grep -A2 -m1 '^POST' | tr '\n' ' ')" = \
		"POST /v2/orders GET /v2/orders:by_client_order_id POST /v2/orders " ]
	[ "$(posts_submits)" = "[3,2]" ]
}

@test "a 5xx hiding a placed order: looked up and found, never sent twice" {
	ctl '{"accept_fail": [[503, {"message": "service unavailable"}], [504, null]]}'
	submit_fills_both
	[ "$(posts_submits)" = "[2,2]" ]
	[ "$(wc -l <"$LOG")" -eq 2 ]
}

@test "a duplicate is told by its status and a look-up, not by Alpaca's text" {
	ctl '{"accept_fail": [[422, {"code": 40010001, "message": "some other words"}]]}'
	submit_fills_both
	[ "$(posts_submits)" = "[2,2]" ]
}

@test "four submits at once send each order once" {
	local pids=()
	for i in 1 2 3 4; do
		qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl" >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(curl -sf "$URL/_ctl" | jq '[.orders[].client_order_id] | unique | length')" -eq 2 ]
	[ "$(requests | grep -c '^POST')" -eq 2 ]
	[ "$(jq -r 'select(.order) | .order.client_order_id' "$LOG" | sort -u | wc -l)" -eq 2 ]
	[ "$(jq -r 'select(.order) | .order.client_order_id' "$LOG" | wc -l)" -eq 2 ]
}

@test "403 on an order: status failed with the message, exit 69, a rerun sends it" {
	# activities, account, positions, open orders, three look-ups, the order
	ctl '{"fail": [[200, []], [200, {"id": "x", "status": "ACTIVE", "cash": "100000", "equity": "100000.00"}], [200, []],
		[200, []], [404, {"message": "order not found"}], [404, {"message": "order not found"}],
		[404, {"message": "order not found"}], [403, {"code": 40310000, "message": "insufficient buying power"}]]}'
	run -69 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	run jq -r 'select(.type == "order") | "\(.symbol) \(.status) \(.reason)"' <<<"$output"
	[ "$output" = "GLD failed alpaca: submit: HTTP 403: insufficient buying power
SLV filled null" ]
	[ "$(jq -c 'select(.order)' "$LOG" | wc -l)" -eq 1 ]
	run -0 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	[ "$(jq -c 'select(.order)' "$LOG" | wc -l)" -eq 2 ]
}

@test "-n prints the exact requests and sends no order" {
	run -0 --separate-stderr qgtm-order submit -n -b alpaca "$FIXTURES/order-decisions.jsonl"
	printf '%s\n' "$stderr" | sed "s|$URL|URL|" >"$BATS_TEST_TMPDIR/requests"
	diff -u "$FIXTURES/order-alpaca-dry-run.golden" "$BATS_TEST_TMPDIR/requests"
	! requests | grep -q '^POST'
	[ ! -e "$LOG" ]
}

@test "reconcile: a position the book lacks and an unknown open order are critical and raise NO_NEW" {
	ctl '{"positions": {"GDX": "5"}, "open": [{"symbol": "SLV", "qty": "5", "side": "buy"}]}'
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	run jq -r 'select(.type == "recon") | "\(.severity) \(.check) \(.symbol // .client_order_id | length > 0) \(.detail)"' <<<"$output"
	[ "$output" = "critical position true book 0, broker 5
critical open_order true open at the broker, not in the order log
critical summary false 1 positions, 1 open orders at the alpaca broker" ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = NO_NEW ]
	[ "$(wc -l <"$QGTM_STATE_DIR/oms/recon.jsonl")" -eq 3 ]
}

@test "reconcile: the broker's fills, read page by page, make the book; fills of unknown orders and a planted difference are critical" {
	qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl" >/dev/null
	ctl "{\"fills\": $(jq -nc '[range(150) | {symbol: "GDX", qty: "1", side: "buy"}]')}"
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	[ "${lines[0]}" = '{"type":"recon","v":1,"ts":"2026-01-05T21:30:00Z","src":"qgtm-order","clock":"pinned","severity":"info","check":"fills","detail":"152 new fills at the alpaca broker folded into the book"}' ]
	[ "$(jq -r 'select(.check == "unknown_order") | .severity' <<<"$output" | uniq -c | awk '{print $1, $2}')" = "150 critical" ]
	[ "$(jq -r 'select(.check == "summary") | "\(.severity) \(.detail)"' <<<"$output")" = "critical 3 positions, 0 open orders at the alpaca broker" ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = NO_NEW ]
	# the breaks, the fills and the tier change are in the audit chain
	[ "$(jq -r 'select(.rec.check == "unknown_order") | .rec.type' "$QGTM_STATE_DIR/audit/chain.jsonl" | wc -l)" -eq 150 ]
	[ "$(jq -r 'select(.rec.type == "fill") | .rec.activity_id' "$QGTM_STATE_DIR/audit/chain.jsonl" | wc -l)" -eq 152 ]
	qgtm-audit verify >/dev/null
	[ "$(requests | grep -c '^GET /v2/account/activities/FILL?direction=asc&page_size=100')" -eq 3 ]
	[ "$(jq -r 'select(.fill.activity_id) | .fill.client_order_id // "-"' "$LOG" | sort | uniq -c | awk '{print $1}' | sort -n | tr '\n' ' ')" = "1 1 150 " ]
	run -0 --separate-stderr qgtm-order reconcile -b alpaca
	[ "${#lines[@]}" -eq 1 ]
	[ "$(wc -l <"$LOG")" -eq 154 ]
	run -0 --separate-stderr qgtm-order orders
	[ "${lines[4]}" = "2026-01-05T21:30:00Z - GDX buy 1 100.00 - -" ]
	ctl '{"positions": {"GLD": "260"}}'
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	run jq -r 'select(.type == "recon") | "\(.severity) \(.check) \(.symbol) \(.detail)"' <<<"$output"
	[ "${lines[0]}" = "critical position GLD book 250, broker 260" ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = NO_NEW ]
}

@test "flatten writes its closing orders to the order log" {
	ctl '{"positions": {"GLD": "10", "SLV": "-20"}}'
	run -0 --separate-stderr qgtm-order flatten -b alpaca --by alice --yes
	run jq -r '"\(.order.broker) \(.order.symbol) \(.order.side) \(.order.qty) \(.order.status) \(.order.client_order_id | length)"' "$LOG"
	[ "$output" = "alpaca GLD sell 10 filled 36
alpaca SLV buy 20 filled 36" ]
	run -0 --separate-stderr qgtm-order flatten -b alpaca --by alice --yes
	[ "$(wc -l <"$LOG")" -eq 2 ]
}

@test "clock: GET /v2/clock and /v2/calendar, New York times in UTC, the sim's calendar agrees" {
	run -0 --separate-stderr qgtm-order clock -b alpaca
	[ "$output" = "open yes
next_open 2026-01-06T14:30:00Z
next_close 2026-01-05T21:00:00Z" ]
	[ "$(requests)" = "GET /v2/clock" ]
	export QGTM_NOW=2026-11-23T15:00:00Z
	run -0 --separate-stderr qgtm-order clock -j -b alpaca
	[ "$(jq -r '.as_of, (.sessions[] | "\(.date) \(.open) \(.close)")' <<<"$output")" = "2026-01-05T15:30:00Z
2026-11-23 2026-11-23T14:30:00Z 2026-11-23T21:00:00Z
2026-11-24 2026-11-24T14:30:00Z 2026-11-24T21:00:00Z
2026-11-25 2026-11-25T14:30:00Z 2026-11-25T21:00:00Z
2026-11-27 2026-11-27T14:30:00Z 2026-11-27T18:00:00Z" ]
	[ "$(requests | tail -1)" = "GET /v2/calendar?start=2026-11-23&end=2026-11-29" ]
	alpaca=$(jq -c .sessions <<<"$output")
	run -0 --separate-stderr qgtm-order clock -j -b sim
	[ "$(jq -c .sessions <<<"$output")" = "$alpaca" ]
	[ "$(jq -r '[.is_open, .next_open, .next_close] | @tsv' <<<"$output")" = "true	2026-11-24T14:30:00Z	2026-11-23T21:00:00Z" ]
}

@test "reconcile: a symbol without a local price is compared all the same" {
	ctl '{"fills": [{"symbol": "XYZ", "qty": "3", "side": "buy"}]}'
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	[ "$(jq -r 'select(.type == "recon") | "\(.severity) \(.check)"' <<<"$output")" = "info fills
critical unknown_order
critical summary" ]
	[ "$(jq -r 'select(.type == "recon") | .detail' <<<"$output" | sed -n '1p;3p')" = "1 new fills at the alpaca broker folded into the book
1 positions, 0 open orders at the alpaca broker" ]
}
