#!/usr/bin/env bats
# qgtm-risk: check (decisions, pass-through, the error paths) and limits.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	bar GLD 2026-01-02 100.000000
	bar SLV 2026-01-02 20.000000
	bar GDX 2026-01-02 40.000000
}

# bar SYMBOL DATE CLOSE: one bar in the sim store, known at 21:00 UTC.
bar() {
	mkdir -p "$QGTM_STATE_DIR/data/sim"
	bar_rec "$1" "$2" "$3" >>"$QGTM_STATE_DIR/data/sim/$1.jsonl"
}

@test "-h prints the SYNOPSIS of qgtm-risk(1)" {
	usage_lines qgtm-risk >"$BATS_TEST_TMPDIR/usage"
	mandoc_synopsis qgtm-risk >"$BATS_TEST_TMPDIR/synopsis"
	diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
	run -0 qgtm-risk check -h
	[ "${lines[0]}" = "usage: qgtm-risk check [-Ckqv] [-c config] [file ...]" ]
}

@test "no command, an unknown command or option: exit 64 with the usage" {
	run -64 --separate-stderr qgtm-risk
	[[ $stderr == "usage: qgtm-risk check"* ]]
	run -64 --separate-stderr qgtm-risk nope
	[[ $stderr == "qgtm-risk: unknown command 'nope'"* ]]
	run -64 --separate-stderr qgtm-risk limits -k
	run -64 --separate-stderr qgtm-risk limits extra
}

@test "a signal is followed by its decision (golden)" {
	run -0 --separate-stderr qgtm-risk check -c "$FIXTURES/risk-limits.yaml" \
		"$FIXTURES/risk-signal.jsonl"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/actual"
	diff -u "$FIXTURES/risk-decision.golden" "$BATS_TEST_TMPDIR/actual"
}

@test "the decision keeps the trace_id and reads standard input" {
	qgtm-risk check <"$FIXTURES/risk-signal.jsonl" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r 'select(.type == "decision") |
		[.trace_id, .status, .equity, (.reasons | join(","))] | @tsv' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "0123456789abcdef0123456789abcdef	resized	100000.00	NO_PRICE,POSITION_PCT,UNKNOWN_SYMBOL" ]
}

@test "other record types pass through unchanged" {
	printf '%s\n' '{"type":"note","x":1}' '{"type":"mystery","a":[1,{"b":null}]}' \
		>"$BATS_TEST_TMPDIR/in"
	run -0 qgtm-risk check "$BATS_TEST_TMPDIR/in"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	diff -u "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "the position held bounds the order: ORDER_NOTIONAL moves toward it" {
	mkdir -p "$QGTM_STATE_DIR/oms"
	printf '%s\n' '{"order":{"client_order_id":"qgtm-x"},"fill":{"symbol":"GLD","side":"buy","qty":"200","price":"100.000000","commission":"0.00","notional":"20000.00"}}' \
		>"$QGTM_STATE_DIR/oms/orders.jsonl"
	sed 's/"weight":"0.300000"/"weight":"-0.250000"/' "$FIXTURES/risk-signal.jsonl" \
		>"$BATS_TEST_TMPDIR/in"
	qgtm-risk check "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r 'select(.type == "decision") | .targets[0] |
		[.approved_weight, (.reasons | join(","))] | @tsv' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "-0.050000	ORDER_NOTIONAL" ]
}

@test "limits prints the limits as enforced" {
	run -0 qgtm-risk limits
	cat >"$BATS_TEST_TMPDIR/want" <<-EOF
	max_position_notional 50000.00
	max_position_pct 0.250000
	max_gross_exposure 1.500000
	max_order_notional 25000.00
	throttle_scale 0.500000
	max_net_exposure 1.500000
	price_collar 0.100000
	max_orders_per_day 100
	max_orders_per_minute 20
	allowed_symbols
	max_daily_loss 0.020000
	max_drawdown 0.030000
	warn_at 0.500000
	breaches_to_trip 2
	loss_tier NO_NEW
	required_feeds
	stale_feed_tier THROTTLE
	max_heartbeat_gap_s 0
	heartbeat_tier NO_NEW
	max_rejects_in_a_row 3
	reject_tier NO_NEW
	universe GLD SLV GDX TLT IEF UUP USO SPY DBC
	price_source sim
	config defaults
	EOF
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "limits -j prints one limits record from the config file" {
	run -0 qgtm-risk limits -j -c "$FIXTURES/risk-limits.yaml"
	[ "${#lines[@]}" -eq 1 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r '[.type, .max_gross_exposure, .max_order_notional, .config] | @tsv' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "limits	0.500000	20000.00	$FIXTURES/risk-limits.yaml" ]
}

@test "malformed JSON: exit 65 naming file and line, state unchanged" {
	qgtm-risk status >/dev/null     # the first run creates the kill switch
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr qgtm-risk check "$FIXTURES/risk-bad-json.jsonl"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-risk: $FIXTURES/risk-bad-json.jsonl:2: invalid JSON"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a wrong-typed weight: exit 65 naming file, line and field" {
	qgtm-risk status >/dev/null     # the first run creates the kill switch
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr qgtm-risk check "$FIXTURES/risk-bad-weight.jsonl"
	[ -z "$output" ]
	assert_one_line "$stderr"
	[ "$stderr" = "qgtm-risk: $FIXTURES/risk-bad-weight.jsonl:1: field 'targets[0].weight': expected a decimal string" ]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "targets not an array: exit 65" {
	printf '%s\n' '{"type":"signal","trace_id":"x","strategy":"s","params_hash":"h","as_of":"t","targets":{}}' \
		>"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr qgtm-risk check "$BATS_TEST_TMPDIR/in"
	[ "$stderr" = "qgtm-risk: $BATS_TEST_TMPDIR/in:1: field 'targets': expected an array" ]
}

@test "-k skips a bad record, decides the rest and exits 65" {
	cat "$FIXTURES/risk-bad-weight.jsonl" "$FIXTURES/risk-signal.jsonl" >"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr qgtm-risk check -k "$BATS_TEST_TMPDIR/in"
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[2]} == '{"type":"decision",'* ]]
	[[ $stderr == *"in:1: field 'targets[0].weight'"* ]]
}

@test "a malformed YAML config: exit 78 naming file and line" {
	printf 'risk:\n  max_position_pct: [\n' >"$BATS_TEST_TMPDIR/bad.yaml"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -78 --separate-stderr qgtm-risk check -c "$BATS_TEST_TMPDIR/bad.yaml" \
		"$FIXTURES/risk-signal.jsonl"
	[ -z "$output" ]
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-risk: $BATS_TEST_TMPDIR/bad.yaml:"[0-9]*": "* ]]
	run -78 --separate-stderr qgtm-risk limits -c "$BATS_TEST_TMPDIR/bad.yaml"
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a negative limit: exit 78" {
	printf 'risk:\n  max_order_notional: "-1.00"\n' >"$BATS_TEST_TMPDIR/neg.yaml"
	run -78 --separate-stderr qgtm-risk limits -c "$BATS_TEST_TMPDIR/neg.yaml"
	[ "$stderr" = "qgtm-risk: config key risk.max_order_notional: must not be negative" ]
}

@test "an unreadable input file: exit 66 naming it" {
	run -66 --separate-stderr qgtm-risk check "$BATS_TEST_TMPDIR/missing.jsonl"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-risk: cannot open '$BATS_TEST_TMPDIR/missing.jsonl'"* ]]
	run -66 --separate-stderr qgtm-risk check "$BATS_TEST_TMPDIR"
	assert_one_line "$stderr"
	[[ $stderr == *"cannot read '$BATS_TEST_TMPDIR': Is a directory" ]]
}

@test "stdout on /dev/full: exit 74 with one line" {
	qgtm-risk status >/dev/null
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -74 --separate-stderr bash -c 'qgtm-risk check "$1" >/dev/full' _ \
		"$FIXTURES/risk-signal.jsonl"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-risk: $FIXTURES/risk-signal.jsonl:1: <stdout>: write error"* ]]
	run -74 --separate-stderr bash -c 'qgtm-risk limits >/dev/full'
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-risk: <stdout>: write error"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a held position without a price: exit 65, the equity is unknown" {
	mkdir -p "$QGTM_STATE_DIR/oms"
	printf '%s\n' '{"order":{"client_order_id":"qgtm-x"},"fill":{"symbol":"TLT","side":"buy","qty":"1","price":"90.000000","commission":"1.00","notional":"90.00"}}' \
		>"$QGTM_STATE_DIR/oms/orders.jsonl"
	run -65 --separate-stderr qgtm-risk check "$FIXTURES/risk-signal.jsonl"
	# The note before the signal passed; the book is marked at the signal.
	[ "$output" = "$(head -1 "$FIXTURES/risk-signal.jsonl")" ]
	[[ $stderr == "qgtm-risk: $FIXTURES/risk-signal.jsonl:2: no price for TLT as of 2026-01-05T21:30:00Z" ]]
}

@test "allowed_symbols and the price collar reject; their codes say why" {
	printf 'risk:\n  allowed_symbols: [GLD, GDX]\n  price_collar: 0.05\n' >"$BATS_TEST_TMPDIR/c.yaml"
	signal_rec GLD=0.100000@105.000000 GDX=0.100000@42.100000 \
		SLV=0.100000 >"$BATS_TEST_TMPDIR/in"
	qgtm-risk check -c "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r 'select(.type == "decision") | .targets[] |
		[.symbol, .approved_weight // "null", (.reasons | join(","))] | join(" ")' \
		"$BATS_TEST_TMPDIR/out"
	# GLD 105 is 5% off 100: inside; GDX 42.1 is 5.25% off 40: outside.
	[ "${lines[0]}" = "GLD 0.100000 " ]
	[ "${lines[1]}" = "GDX null PRICE_COLLAR" ]
	[ "${lines[2]}" = "SLV null SYMBOL_NOT_ALLOWED" ]
}

@test "orders per day: targets past the allowance are ORDER_RATE" {
	mkdir -p "$QGTM_STATE_DIR/oms"
	printf '%s\n' '{"order":{"client_order_id":"qgtm-a","ts":"2026-01-05T15:00:00Z"},"fill":{"symbol":"GLD","side":"buy","qty":"1","price":"100.000000","commission":"0.00","notional":"100.00"}}' \
		'{"order":{"client_order_id":"qgtm-b","ts":"2026-01-02T15:00:00Z"},"fill":{"symbol":"GLD","side":"sell","qty":"1","price":"100.000000","commission":"0.00","notional":"100.00"}}' \
		>"$QGTM_STATE_DIR/oms/orders.jsonl"
	printf 'risk:\n  max_orders_per_day: 2\n' >"$BATS_TEST_TMPDIR/c.yaml"
	qgtm-risk check -c "$BATS_TEST_TMPDIR/c.yaml" "$FIXTURES/risk-signal.jsonl" >"$BATS_TEST_TMPDIR/out"
	# One order today already: GLD may go, SLV and GDX may not.
	run -0 jq -r 'select(.type == "decision") | [.targets[0:3][] | .reasons | join(",")] | join(" ")' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "POSITION_PCT ORDER_RATE ORDER_RATE" ]
}
