#!/usr/bin/env bats
# qgtm-order: submit to the sim broker (goldens, idempotent reruns, dry
# runs), positions, orders, and the error paths.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	bar GLD 2026-01-02 100.000000
	bar SLV 2026-01-02 20.000000
	bar GDX 2026-01-02 40.000000
	LOG=$QGTM_STATE_DIR/oms/orders.jsonl
}

# bar SYMBOL DATE CLOSE: one bar in the sim store, known at 21:00 UTC.
bar() {
	mkdir -p "$QGTM_STATE_DIR/data/sim"
	printf '{"type":"bar","v":1,"ts":"%sT21:00:00Z","src":"qgtm-fetch","source":"sim","symbol":"%s","date":"%s","open":"%s","high":"%s","low":"%s","close":"%s","volume":1000,"available_at":"%sT21:00:00Z"}\n' \
		"$2" "$1" "$2" "$3" "$3" "$3" "$3" "$2" >>"$QGTM_STATE_DIR/data/sim/$1.jsonl"
}

@test "-h prints the SYNOPSIS of qgtm-order(1)" {
	usage_lines qgtm-order >"$BATS_TEST_TMPDIR/usage"
	mandoc_synopsis qgtm-order >"$BATS_TEST_TMPDIR/synopsis"
	diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
}

@test "no command, an unknown command or option: exit 64 with the usage" {
	run -64 --separate-stderr qgtm-order
	[[ $stderr == "usage: qgtm-order submit"* ]]
	run -64 --separate-stderr qgtm-order nope
	[[ $stderr == "qgtm-order: unknown command 'nope'"* ]]
	run -64 --separate-stderr qgtm-order positions -n
	run -64 --separate-stderr qgtm-order orders --broker sim
}

@test "submit places the orders of a decision (golden)" {
	run -0 --separate-stderr qgtm-order submit --broker sim \
		"$FIXTURES/order-decisions.jsonl"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/actual"
	diff -u "$FIXTURES/order-submit.golden" "$BATS_TEST_TMPDIR/actual"
	[ "$(wc -l <"$LOG")" -eq 2 ]
	[ -f "$QGTM_STATE_DIR/oms/book.json" ]
}

@test "a second identical run places nothing" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -0 --separate-stderr qgtm-order submit -b sim "$FIXTURES/order-decisions.jsonl"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	diff -u "$FIXTURES/order-decisions.jsonl" "$BATS_TEST_TMPDIR/out"
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "other record types pass through unchanged" {
	printf '%s\n' '{"type":"note","x":1}' '{"type":"signal","targets":[]}' \
		>"$BATS_TEST_TMPDIR/in"
	run -0 qgtm-order submit "$BATS_TEST_TMPDIR/in"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	diff -u "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	[ ! -e "$QGTM_STATE_DIR/oms" ]
}

@test "-n shows the orders and changes nothing" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	qgtm-order submit -n "$FIXTURES/order-decisions.jsonl" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r 'select(.type == "order" or .type == "fill") |
		[.type, .symbol, .side, .qty, .status] | @tsv' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "order	GLD	buy	250	dry_run
order	SLV	sell	500	dry_run" ]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
	[ ! -e "$QGTM_STATE_DIR/oms" ]
}

@test "positions prints the book marked to market (golden)" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	run -0 --separate-stderr qgtm-order positions
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/actual"
	diff -u "$FIXTURES/order-positions.golden" "$BATS_TEST_TMPDIR/actual"
	run -0 qgtm-order positions -j
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/json"
	run -0 jq -r '[.type, .symbol // .cash, .market_value, .equity // "-"] | @tsv' \
		"$BATS_TEST_TMPDIR/json"
	[ "$output" = "position	GLD	25000.00	-
position	SLV	-10000.00	-
account	84978.75	15000.00	99978.75" ]
}

@test "positions on a new book: only cash and equity" {
	run -0 qgtm-order positions
	[ "$output" = "cash 100000.00
equity 100000.00" ]
}

@test "orders prints the order log" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	run -0 qgtm-order orders
	[ "${lines[0]}" = "2026-01-05T21:30:00Z tsmom GLD buy 250 100.050000 filled qgtm-3998d22ffa3229b29dca9566b6f0225f51ce745b" ]
	[ "${#lines[@]}" -eq 2 ]
	run -0 qgtm-order orders -j
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/log"
	grep -E '"type":"(order|fill)"' "$FIXTURES/order-submit.golden" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/log"
}

@test "closing a position always goes through" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	sed -e 's/0123456789abcdef0123456789abcdef/00000000000000000000000000000001/' \
		-e 's/"approved_weight":"0.250000"/"approved_weight":"0"/' \
		"$FIXTURES/order-decisions.jsonl" >"$BATS_TEST_TMPDIR/in"
	qgtm-order submit "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r 'select(.type == "fill") | [.symbol, .side, .qty] | @tsv' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "GLD	sell	250" ]
}

@test "the alpaca broker is not available yet: exit 69" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -69 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	[ "$stderr" = "qgtm-order: broker 'alpaca' is not available yet" ]
	run -64 --separate-stderr qgtm-order submit --broker nope "$FIXTURES/order-decisions.jsonl"
	[ "$stderr" = "qgtm-order: unknown broker 'nope'" ]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "malformed JSON on line 3: exit 65, nothing placed" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr qgtm-order submit "$FIXTURES/order-bad-json.jsonl"
	[ -z "$output" ]
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-order: $FIXTURES/order-bad-json.jsonl:3: invalid JSON"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a wrong-typed field on line 3: exit 65, nothing placed" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr qgtm-order submit <"$FIXTURES/order-bad-line3.jsonl"
	[ -z "$output" ]
	assert_one_line "$stderr"
	[ "$stderr" = "qgtm-order: <stdin>:3: field 'targets[0].approved_weight': expected a decimal string or null" ]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "-k skips the bad decision and places the good one" {
	run -65 --separate-stderr qgtm-order submit -k "$FIXTURES/order-bad-line3.jsonl"
	[[ $stderr == *"order-bad-line3.jsonl:3: field 'targets[0].approved_weight'"* ]]
	[ "$(wc -l <"$LOG")" -eq 2 ]
}

@test "a target without a price: exit 65, nothing placed" {
	sed 's/"symbol":"GDX"/"symbol":"TLT"/' "$FIXTURES/order-decisions.jsonl" \
		>"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr qgtm-order submit "$BATS_TEST_TMPDIR/in"
	[ -z "$output" ]
	[ "$stderr" = "qgtm-order: $BATS_TEST_TMPDIR/in:2: no price for TLT as of 2026-01-05T21:30:00Z" ]
	[ ! -s "$LOG" ]
}

@test "a malformed YAML config: exit 78 naming file and line" {
	printf 'order:\n  no_trade_band: [\n' >"$BATS_TEST_TMPDIR/bad.yaml"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -78 --separate-stderr qgtm-order submit -c "$BATS_TEST_TMPDIR/bad.yaml" \
		"$FIXTURES/order-decisions.jsonl"
	[ -z "$output" ]
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-order: $BATS_TEST_TMPDIR/bad.yaml:"[0-9]*": "* ]]
	run -78 --separate-stderr qgtm-order positions -c "$BATS_TEST_TMPDIR/bad.yaml"
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "an unreadable input file: exit 66 naming it, nothing placed" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -66 --separate-stderr qgtm-order submit "$FIXTURES/order-decisions.jsonl" \
		"$BATS_TEST_TMPDIR/missing.jsonl"
	[ -z "$output" ]
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-order: cannot open '$BATS_TEST_TMPDIR/missing.jsonl'"* ]]
	run -66 --separate-stderr qgtm-order submit "$BATS_TEST_TMPDIR"
	[[ $stderr == *"Is a directory" ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "stdout on /dev/full: exit 74 with one line" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	state_snapshot "$BATS_TEST_TMPDIR/before"
	for cmd in "submit -n $FIXTURES/order-decisions.jsonl" positions orders; do
		run -74 --separate-stderr bash -c "qgtm-order $cmd >/dev/full"
		assert_one_line "$stderr"
		[[ $stderr == "qgtm-order: <stdout>: write error"* ]]
	done
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "stdout on /dev/full after placing: exit 74, the orders stay placed" {
	run -74 --separate-stderr bash -c 'qgtm-order submit "$1" >/dev/full' _ \
		"$FIXTURES/order-decisions.jsonl"
	assert_one_line "$stderr"
	[ "$(wc -l <"$LOG")" -eq 2 ]
}

@test "a torn last line of the order log is ignored, then cut off" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	printf '{"order":{"client_' >>"$LOG"
	run -0 --separate-stderr qgtm-order positions
	[[ $stderr == *'msg="torn last line ignored"'* ]]
	sed -e 's/0123456789abcdef0123456789abcdef/00000000000000000000000000000002/' \
		-e 's/"approved_weight":"0.010000"/"approved_weight":"0.050000"/' \
		"$FIXTURES/order-decisions.jsonl" >"$BATS_TEST_TMPDIR/in"
	qgtm-order submit "$BATS_TEST_TMPDIR/in" >/dev/null 2>&1
	run -0 jq -r .order.symbol "$LOG"
	[ "$output" = "GLD
SLV
GDX" ]
	[ "$(tail -c 1 "$LOG" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "the lock held by another submit: exit 75 after 10 seconds" {
	mkdir -p "$QGTM_STATE_DIR/oms"
	exec 8>"$QGTM_STATE_DIR/oms/lock"
	flock 8
	run -75 --separate-stderr qgtm-order submit "$FIXTURES/order-decisions.jsonl"
	exec 8>&-
	[ -z "$output" ]
	assert_one_line "$stderr"
	[[ $stderr == *"lock '$QGTM_STATE_DIR/oms/lock' is busy"* ]]
	[ ! -e "$LOG" ]
}
