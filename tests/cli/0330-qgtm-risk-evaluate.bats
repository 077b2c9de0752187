#!/usr/bin/env bats
# qgtm-risk evaluate: the automatic rules escalate, and only upwards.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	mkdir -p "$QGTM_STATE_DIR/data/sim" "$QGTM_STATE_DIR/oms"
	# 1000 GLD bought at 100 with all the cash: equity is 1000 * close.
	printf '%s\n' '{"order":{"client_order_id":"qgtm-x"},"fill":{"symbol":"GLD","side":"buy","qty":"1000","price":"100.000000","commission":"0.00","notional":"100000.00"}}' \
		>"$QGTM_STATE_DIR/oms/orders.jsonl"
	close 2026-01-02 100.000000
}

# close DATE PRICE: GLD's bar of DATE, known at 21:00 UTC.
close() {
	bar_rec GLD "$1" "$2" t 1 >>"$QGTM_STATE_DIR/data/sim/GLD.jsonl"
}

# evaluate AT: run evaluate at time AT on no input; "wanted tier".
evaluate() {
	QGTM_NOW=$1 qgtm-risk evaluate /dev/null >"$BATS_TEST_TMPDIR/out"
	jq -r 'select(.type == "risk_eval") | .wanted' "$BATS_TEST_TMPDIR/out"
}

@test "a quiet day wants nothing and changes nothing" {
	run -0 evaluate 2026-01-05T21:30:00Z
	[ "$output" = NORMAL ]
	run -0 jq -r 'select(.type == "risk_eval") | [.day_start, .peak, .daily_loss] | join(" ")' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "100000.00 100000.00 0.000000" ]
	run -0 qgtm-risk status
}

@test "the daily loss warns, then trips NO_NEW on the second breach" {
	evaluate 2026-01-06T14:00:00Z >/dev/null              # the day starts at 100000
	close 2026-01-06 98.000000
	run -0 evaluate 2026-01-06T21:30:00Z
	[ "$output" = WARN ]
	run -2 qgtm-risk status
	run -0 evaluate 2026-01-06T21:40:00Z
	[ "$output" = NO_NEW ]
	run -0 jq -r 'select(.type == "tier") | [.from, .to, .by, .reason] | join("|")' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "WARN|NO_NEW|qgtm-risk evaluate|daily loss 0.020000 over its limit" ]
	run -4 qgtm-risk status
}

@test "automatic changes never go down" {
	qgtm-risk escalate --to FLATTEN --reason manual --by alice >/dev/null
	run -0 evaluate 2026-01-05T21:30:00Z
	[ "$output" = NORMAL ]
	run -5 qgtm-risk status
	run -0 qgtm-risk history -j
	[ "${#lines[@]}" -eq 1 ]
}

@test "broker rejects in a row in the input trip reject_tier; records pass on" {
	printf '%s\n' '{"type":"order","status":"rejected"}' '{"type":"order","status":"rejected"}' \
		>"$BATS_TEST_TMPDIR/rej"
	run -0 qgtm-risk evaluate "$BATS_TEST_TMPDIR/rej"
	[ "${lines[0]}" = '{"type":"order","status":"rejected"}' ]
	run -0 qgtm-risk status
	# The count goes on across runs.
	run -0 qgtm-risk evaluate "$BATS_TEST_TMPDIR/rej"
	run -4 qgtm-risk status
	[ "${lines[2]}" = "reason 4 broker rejects in a row" ]
}

@test "a heartbeat gap trips heartbeat_tier" {
	printf 'risk:\n  max_heartbeat_gap_s: 300\n' >"$BATS_TEST_TMPDIR/hb.yaml"
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/hb.yaml"
	QGTM_NOW=2026-01-05T21:25:00Z qgtm-status beat
	run -0 evaluate 2026-01-05T21:30:00Z
	[ "$output" = NORMAL ]
	run -0 evaluate 2026-01-05T21:30:01Z
	[ "$output" = NO_NEW ]
	run -4 qgtm-risk status
	[ "${lines[2]}" = "reason heartbeat gap 301 s" ]
}

@test "an equity that cannot be marked fails closed" {
	printf '%s\n' '{"order":{"client_order_id":"qgtm-y"},"fill":{"symbol":"TLT","side":"buy","qty":"1","price":"90.000000","commission":"0.00","notional":"90.00"}}' \
		>>"$QGTM_STATE_DIR/oms/orders.jsonl"
	run -0 evaluate 2026-01-05T21:30:00Z
	[ "$output" = NO_NEW ]
	run -4 qgtm-risk status
	[[ ${lines[2]} == "reason equity unknown: no price for TLT"* ]]
}
