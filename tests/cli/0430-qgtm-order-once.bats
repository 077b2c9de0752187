#!/usr/bin/env bats
# One order per intent (issue 16): the same day's whole cycle, run three
# times, leaves exactly one order per intent at the broker and a journal
# whose quantities are the broker's, with the answers accepted but not
# filled, stalled past the client's timeout, dropped after the broker
# accepted, and qgtm-order killed mid-submission (the Alpaca stand-in,
# tests/standin/alpaca.py); the same with the sim broker resting its
# orders; a new day's intent cancels the old order first; Alpaca fills and
# reconciliation breaks reach the audit chain; reconcile names orders the
# journal holds working that the broker no longer does.

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T21:30:00Z
	alpaca_standin "$BATS_TEST_TMPDIR/standin"
	export APCA_API_KEY_ID=PKTEST APCA_API_SECRET_KEY=s3cr3t
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/qgtm.yaml
	# the client gives up on an answer after 1 s
	printf 'broker:\n  alpaca:\n    url: "%s"\n    cancel_wait_ms: 2000\nhttp:\n  backoff_ms: 10\n  timeout_ms: 1000\n' \
		"$URL" >"$QGTM_CONFIG"
	LOG=$QGTM_STATE_DIR/oms/orders.jsonl
	CHAIN=$QGTM_STATE_DIR/audit/chain.jsonl
}

teardown() {
	standin_stop
}

# ctl JSON: steer the stand-in.
ctl() {
	alpaca_ctl "$1"
}

# cycle BROKER: the day's whole cycle; its exit status.
cycle() {
	qgtm-fetch sim | qgtm-signal --strategy tsmom | qgtm-risk check |
		qgtm-order submit --broker "$1" | qgtm-audit append
}

# cycle3 BROKER: the same day's cycle three times, as a cron retry, a
# daemon restart and a manual rerun would: the clock pinned to three
# moments of 2026-03-02 after the close, so each run has a trace id of
# its own (a pinned clock makes the trace id a hash of the moment).
cycle3() {
	for t in 21:30 21:50 22:20; do
		QGTM_NOW=2026-03-02T$t:00Z cycle "$1"
	done
}

# same_prices: the stand-in fills and marks at the store's last closes,
# as the risk check and the book see them.
same_prices() {
	ctl "{\"prices\": $(qgtm-fetch sim | qgtm-signal --strategy tsmom | qgtm-risk check |
		jq -c 'select(.type == "decision") | .targets | map({(.symbol): (.price | tonumber)}) | add')}"
}

# posts: the client order ids of every order sent to the stand-in.
posts() {
	jq -r 'select(.method == "POST" and .path == "/v2/orders") | .body.client_order_id' "$S/log"
}

# journal_orders: "client_order_id symbol side qty" of each journaled order.
journal_orders() {
	jq -r 'select(.order) | .order | "\(.client_order_id) \(.symbol) \(.side) \(.qty)"' "$LOG" | sort
}

# broker_orders: the same of each order the stand-in holds.
broker_orders() {
	curl -sf "$URL/_ctl" | jq -r '.orders[] | "\(.client_order_id) \(.symbol) \(.side) \(.qty)"' | sort
}

# assert_once N: the broker holds exactly N orders, one per intent (one
# per symbol, each client order id once), none sent twice, and the
# journal's orders and quantities are the broker's.
assert_once() {
	broker_orders >"$BATS_TEST_TMPDIR/broker"
	journal_orders >"$BATS_TEST_TMPDIR/journal"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/broker")" -eq "$1" ]
	[ "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/broker" | sort -u | wc -l)" -eq "$1" ]
	[ -z "$(posts | sort | uniq -d)" ]
	diff -u "$BATS_TEST_TMPDIR/broker" "$BATS_TEST_TMPDIR/journal"
	qgtm-audit verify >/dev/null
}

# intents: how many orders a clean first run of the day places.
N=9

@test "alpaca: accepted but not filled; three runs send each intent once" {
	ctl '{"rest": true}'
	cycle3 alpaca
	assert_once $N
	[ "$(posts | wc -l)" -eq $N ]
	[ "$(curl -sf "$URL/_ctl" | jq -r '[.orders[].status] | unique | join(" ")')" = accepted ]
	# the reruns sent nothing and journaled nothing new
	[ "$(jq -c 'select(.order)' "$LOG" | wc -l)" -eq $N ]
}

@test "alpaca: answers stalled past the client's timeout are resolved, not resent" {
	ctl '{"rest": true, "stall": 3, "stall_s": 2}'
	cycle3 alpaca
	assert_once $N
	[ "$(posts | wc -l)" -eq $N ]
	[ "$(curl -sf "$URL/_ctl" | jq .stall)" -eq 0 ]  # three did stall
}

@test "alpaca: connections dropped after the broker accepted are resolved, not resent" {
	ctl '{"rest": true, "drop": 4}'
	cycle3 alpaca
	assert_once $N
	[ "$(posts | wc -l)" -eq $N ]
	[ "$(curl -sf "$URL/_ctl" | jq .drop)" -eq 0 ]
}

# kill_mid_submission: run the cycle with every order's answer stalled
# 5 s (the client gives up after 1 s and looks it up) and SIGKILL
# qgtm-order once the broker has accepted 3 orders, before it journaled
# any.
kill_mid_submission() {
	ctl '{"stall": 100, "stall_s": 5}'
	(qgtm-fetch sim | qgtm-signal --strategy tsmom | qgtm-risk check |
		sh -c 'echo $$ >"$1"; exec qgtm-order submit --broker alpaca' sh "$BATS_TEST_TMPDIR/pid" |
		qgtm-audit append) &
	local pipe=$!
	for _ in $(seq 200); do [ "$(posts | wc -l)" -ge 3 ] && break; sleep 0.05; done
	[ "$(posts | wc -l)" -ge 3 ]
	kill -KILL "$(cat "$BATS_TEST_TMPDIR/pid")"
	wait "$pipe" || true
	[ "$(posts | wc -l)" -lt $N ]
	# accepted at the broker, never journaled
	[ ! -e "$LOG" ] || [ "$(jq -c 'select(.order)' "$LOG" | wc -l)" -eq 0 ]
	ctl '{"stall": 0}'
}

@test "alpaca: qgtm-order SIGKILLed mid-submission; the reruns send only what is missing" {
	ctl '{"rest": true}'
	kill_mid_submission
	cycle3 alpaca
	assert_once $N
	[ "$(posts | wc -l)" -eq $N ]
}

@test "alpaca: killed mid-submission with orders filled at once: the reruns journal them, no break" {
	same_prices
	kill_mid_submission
	cycle3 alpaca
	assert_once $N
	# every fill belongs to a journaled order: nothing unknown, no escalation
	run -0 --separate-stderr qgtm-order reconcile -b alpaca
	[ "$(jq -r 'select(.check == "summary") | .severity' <<<"$output")" = info ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = NORMAL ]
}

@test "sim resting orders: three runs place each intent once; a later run fills them" {
	printf 'broker:\n  sim:\n    fills: resting\n    fill_delay_s: 3600\n' >"$QGTM_CONFIG"
	cycle3 sim
	run -0 jq -r 'select(.order) | .order | "\(.symbol) \(.status)"' "$LOG"
	[ "${#lines[@]}" -eq $N ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f1 | sort -u | wc -l)" -eq $N ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f2 | sort -u)" = accepted ]
	! jq -e 'select(.fill)' "$LOG" >/dev/null
	run -0 --separate-stderr qgtm-order positions
	[ "$output" = "cash 100000.00
equity 100000.00" ]
	qgtm-order account -j -b sim >/dev/null
	run -0 --separate-stderr qgtm-order reconcile -b sim
	[ "$(jq -r 'select(.check == "summary") | .detail' <<<"$output")" = "0 positions, $N open orders at the sim broker" ]
	# an hour after they were placed the same day's cycle fills them and
	# sends nothing new
	export QGTM_NOW=2026-03-02T22:45:00Z
	cycle sim
	[ "$(jq -c 'select(.order)' "$LOG" | wc -l)" -eq $N ]
	[ "$(jq -r 'select(.rec.type == "signal") | .rec.trace_id' "$CHAIN" | sort -u | wc -l)" -eq 4 ]
	[ "$(jq -c 'select(.fill.activity_id)' "$LOG" | wc -l)" -eq $N ]
	[ "$(jq -r 'select(.rec.type == "fill") | .rec.client_order_id' "$CHAIN" | sort -u | wc -l)" -eq $N ]
	run -0 --separate-stderr qgtm-order positions
	[ "${#lines[@]}" -eq $((N + 2)) ]
	# the order log tells each order's state now: filled
	[ "$(qgtm-order orders | awk '$2 == "tsmom" { print $7 }' | sort | uniq -c | awk '{print $1, $2}')" = "$N filled" ]
	qgtm-audit verify >/dev/null
}

@test "sim flatten with resting orders: cancels them, closes at once, flat" {
	printf 'broker:\n  sim:\n    fills: partial\n    fill_delay_s: 86400\n' >"$QGTM_CONFIG"
	cycle sim
	run -0 --separate-stderr qgtm-order flatten -b sim --by alice --yes
	run -0 jq -r 'select(.type == "flatten") | "\(.step) \(.ok) \(.detail)"' <<<"$output"
	[ "${lines[1]}" = "cancel_all true $N canceled" ]
	[ "${lines[3]}" = "confirm true 0 positions, 0 open orders" ]
	run -0 --separate-stderr qgtm-order positions
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r 'select(.rec.type == "flatten") | .rec.step' "$CHAIN" | wc -l)" -eq 5 ]
}

@test "sim partial fills: half now, the rest working; reruns send nothing" {
	printf 'broker:\n  sim:\n    fills: partial\n    fill_delay_s: 86400\n' >"$QGTM_CONFIG"
	cycle3 sim
	[ "$(jq -c 'select(.order)' "$LOG" | wc -l)" -eq $N ]
	[ "$(jq -r 'select(.order) | .order.status' "$LOG" | sort -u)" = partially_filled ]
	# each order's fill is half its quantity, in whole shares
	[ -z "$(jq -r 'select(.order) | select((.order.qty | tonumber / 2 | floor) != (.fill.qty | tonumber)) | .order.symbol' "$LOG")" ]
}

@test "a new day's intent cancels the old unfilled order first (alpaca and sim)" {
	# each cancel stays pending_cancel for two reads: submit waits it out
	ctl '{"rest": true, "pending": 2}'
	cycle alpaca
	export QGTM_NOW=2026-03-03T21:30:00Z
	cycle alpaca
	cycle alpaca
	# every first-day order was canceled before its replacement was sent
	run -0 jq -r '"\(.method) \(.path)"' "$S/log"
	first_post=$(printf '%s\n' "${lines[@]}" | grep -n '^POST' | sed -n "$((N + 1))p" | cut -d: -f1)
	last_delete=$(printf '%s\n' "${lines[@]}" | grep -n '^DELETE /v2/orders/' | tail -1 | cut -d: -f1)
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^DELETE /v2/orders/')" -eq $N ]
	[ "$last_delete" -lt "$first_post" ]
	[ "$(curl -sf "$URL/_ctl" | jq -r '[.orders[] | select(.status == "canceled")] | length')" -eq $N ]
	[ "$(curl -sf "$URL/_ctl" | jq -r '[.orders[] | select(.status == "accepted") | .symbol] | unique | length')" -eq $N ]
	[ "$(posts | wc -l)" -eq $((2 * N)) ]
	[ "$(jq -c 'select(.cancel)' "$LOG" | wc -l)" -eq $N ]
	[ "$(jq -r 'select(.rec.type == "order" and .rec.status == "canceled") | .rec.client_order_id' "$CHAIN" | wc -l)" -eq $N ]
	# the sim, never filling, does the same
	export QGTM_STATE_DIR=$BATS_TEST_TMPDIR/sim
	printf 'broker:\n  sim:\n    fills: never\n' >"$QGTM_CONFIG"
	export QGTM_NOW=2026-03-02T21:30:00Z
	cycle sim
	export QGTM_NOW=2026-03-03T21:30:00Z
	cycle sim
	cycle sim
	LOG=$QGTM_STATE_DIR/oms/orders.jsonl
	[ "$(jq -c 'select(.order)' "$LOG" | wc -l)" -eq $((2 * N)) ]
	[ "$(jq -c 'select(.cancel)' "$LOG" | wc -l)" -eq $N ]
	run -0 --separate-stderr qgtm-order reconcile -b sim
	[ "$(jq -r 'select(.check == "summary") | .detail' <<<"$output")" = "0 positions, $N open orders at the sim broker" ]
	[ "$(qgtm-order orders | awk '$2 == "tsmom" { print $7 }' | sort | uniq -c | awk '{print $1, $2}')" = "$N accepted
$N canceled" ]
}

@test "alpaca partial fills: the journal takes the broker's fills, the rest stays working, reruns send nothing" {
	same_prices
	ctl '{"partial": true}'
	cycle3 alpaca
	assert_once $N
	[ "$(posts | wc -l)" -eq $N ]
	[ "$(curl -sf "$URL/_ctl" | jq -r '[.orders[].status] | unique | join(" ")')" = partially_filled ]
	# the book holds exactly what the broker executed
	run -0 --separate-stderr qgtm-order reconcile -b alpaca
	[ "$(jq -r 'select(.check == "summary") | "\(.severity) \(.detail)"' <<<"$output")" = "info $N positions, $N open orders at the alpaca broker" ]
	[ "$(jq -c 'select(.fill.activity_id)' "$LOG" | wc -l)" -eq $N ]
	[ -z "$(jq -r 'select(.fill.activity_id) | select(.fill.client_order_id == null) | .fill.symbol' "$LOG")" ]
	# the next day's intents cancel the working rest first
	export QGTM_NOW=2026-03-03T21:30:00Z
	cycle alpaca
	[ "$(jq -r 'select(.method == "DELETE") | .path' "$S/log" | grep -c '^/v2/orders/')" -eq $N ]
	[ "$(curl -sf "$URL/_ctl" | jq -r '[.orders[] | select(.status == "canceled")] | length')" -eq $N ]
	# a filled order cannot be canceled: 422, as at Alpaca
	ctl '{"fills": [{"symbol": "GLD", "qty": "1", "side": "buy"}]}'
	id=$(curl -sf "$URL/_ctl" | jq -r '.orders[-1].id')
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'APCA-API-KEY-ID: PKTEST' -H 'APCA-API-SECRET-KEY: s3cr3t' "$URL/v2/orders/$id")" -eq 422 ]
}

@test "qgtm-audit trace of an Alpaca order shows signal, decision, order and its fill" {
	cycle alpaca
	run -0 --separate-stderr qgtm-order reconcile -b alpaca
	id=$(jq -r 'select(.order.symbol == "GLD") | .order.client_order_id' "$LOG")
	[ -n "$id" ]
	run -0 --separate-stderr qgtm-audit trace "$id"
	[ "$(jq -r .kind <<<"$output" | tr '\n' ' ')" = "signal decision order fill " ]
	[ "$(jq -r 'select(.kind == "fill") | .entry.rec | "\(.client_order_id) \(.broker) \(.qty)"' <<<"$output")" = \
		"$id alpaca $(jq -r 'select(.order.symbol == "GLD") | .order.qty' "$LOG")" ]
}

@test "a fill larger than its order: a critical break that escalates and lands in the chain" {
	cycle alpaca
	id=$(jq -r 'select(.order.symbol == "GLD") | .order.client_order_id' "$LOG")
	ctl "{\"extra_fill\": [{\"client_order_id\": \"$id\", \"qty\": \"5\"}]}"
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	[ "$(jq -r 'select(.check == "overfill") | "\(.severity) \(.client_order_id)"' <<<"$output")" = "critical $id" ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = NO_NEW ]
	[ "$(jq -r 'select(.rec.check == "overfill") | .rec.client_order_id' "$CHAIN")" = "$id" ]
	qgtm-audit verify >/dev/null
}

@test "an unknown order's fill seen by submit: critical, escalates, in the chain, no new risk" {
	ctl '{"rest": true, "fills": [{"symbol": "GLD", "qty": "7", "side": "buy"}]}'
	run -0 cycle alpaca
	[ "$(qgtm-risk status -j | jq -r .tier)" = NO_NEW ]
	[ "$(jq -r 'select(.rec.check == "unknown_order") | .rec.severity' "$CHAIN")" = critical ]
	[ "$(jq -r 'select(.rec.type == "fill") | .rec.qty' "$CHAIN")" = 7 ]
	# NO_NEW before anything was sized: every order would add risk
	[ "$(posts | wc -l)" -eq 0 ]
	[ "$(jq -r 'select(.rec.type == "order") | .rec.status' "$CHAIN" | sort -u)" = refused ]
}

@test "an unknown open order at the broker: reconcile calls it critical and escalates" {
	ctl '{"open": [{"symbol": "SLV", "qty": "5", "side": "buy"}]}'
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	[ "$(jq -r 'select(.check == "open_order") | .severity' <<<"$output")" = critical ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = NO_NEW ]
	[ "$(jq -r 'select(.rec.check == "open_order") | .rec.severity' "$CHAIN")" = critical ]
}

@test "the open order list asks for 500 a page and pages on" {
	ctl "{\"open\": $(jq -nc '[range(501) | {symbol: "GDX", qty: "1", side: "buy"}]')}"
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	[ "$(jq -r 'select(.check == "summary") | .detail' <<<"$output")" = "0 positions, 501 open orders at the alpaca broker" ]
	run -0 jq -r 'select(.path | startswith("/v2/orders?")) | .path' "$S/log"
	[ "${lines[0]}" = "/v2/orders?status=open&limit=500&direction=asc" ]
	[[ ${lines[1]} == "/v2/orders?status=open&limit=500&direction=asc&after="* ]]
	# the stand-in keeps Alpaca's default of 50 and its most of 500
	[ "$(curl -sf -H 'APCA-API-KEY-ID: PKTEST' -H 'APCA-API-SECRET-KEY: s3cr3t' "$URL/v2/orders" | jq length)" -eq 50 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'APCA-API-KEY-ID: PKTEST' -H 'APCA-API-SECRET-KEY: s3cr3t' "$URL/v2/orders?limit=501")" -eq 422 ]
}

@test "orders working in the journal but no longer open at the broker are named" {
	ctl '{"rest": true}'
	cycle alpaca
	run -0 --separate-stderr qgtm-order reconcile -b alpaca
	# canceled behind the OMS's back (the broker's own cancel, an expiry)
	curl -sf -X DELETE -H 'APCA-API-KEY-ID: PKTEST' -H 'APCA-API-SECRET-KEY: s3cr3t' "$URL/v2/orders" >/dev/null
	run -1 --separate-stderr qgtm-order reconcile -b alpaca
	[ "$(jq -r 'select(.check == "working") | .severity' <<<"$output" | uniq -c | awk '{print $1, $2}')" = "$N warn" ]
	[ "$(jq -r 'select(.rec.check == "working") | .rec.client_order_id' "$CHAIN" | sort -u | wc -l)" -eq $N ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = NORMAL ]
}
