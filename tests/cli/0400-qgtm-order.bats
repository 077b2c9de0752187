#!/usr/bin/env bats
# qgtm-order: submit to the sim broker (goldens, idempotent reruns, dry
# runs), positions, orders, and the error paths; the kill switch over
# submit, concurrent submits, account, and the emergency flatten on sim.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	bar GLD 2026-01-02 100.000000
	bar SLV 2026-01-02 20.000000
	bar GDX 2026-01-02 40.000000
	LOG=$QGTM_STATE_DIR/oms/orders.jsonl
	CHAIN=$QGTM_STATE_DIR/audit/chain.jsonl
}

# bar SYMBOL DATE CLOSE: one bar in the sim store, known at 21:00 UTC.
bar() {
	mkdir -p "$QGTM_STATE_DIR/data/sim"
	bar_rec "$1" "$2" "$3" >>"$QGTM_STATE_DIR/data/sim/$1.jsonl"
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
	# The kill switch is read by every submit; its first read creates it.
	qgtm-risk status >/dev/null
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
	[ "${lines[0]}" = "2026-01-05T21:30:00Z tsmom GLD buy 250 100.050000 filled qgtm-c9b349d5ee6a6c4ae0b8b0d82289acc4f94ec429" ]
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

@test "alpaca without keys: exit 78; an unknown broker: exit 64" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -78 --separate-stderr qgtm-order submit -b alpaca "$FIXTURES/order-decisions.jsonl"
	[[ $stderr == "qgtm-order: secret not configured: set APCA_API_KEY_ID"* ]]
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

# decision TRACE SYM=WEIGHT ...: an approved decision of strategy tsmom.
decision() {
	local trace=$1 t
	shift
	for t; do printf '%s\n' "${t%%=*} ${t#*=}"; done |
		jq -cRn --arg trace "$trace" '{type: "decision", v: 1,
		ts: "2026-01-05T21:00:00Z", src: "qgtm-risk", trace_id: $trace,
		strategy: "tsmom", status: "approved",
		targets: [inputs | split(" ") |
			{symbol: .[0], approved_weight: .[1]}]}'
}

# orders FILE: "SYMBOL SIDE QTY STATUS" of the order records in FILE.
orders() {
	jq -r 'select(.type == "order") | "\(.symbol) \(.side) \(.qty) \(.status)"' "$1"
}

@test "FLATTEN: submit refuses every order, places nothing" {
	qgtm-risk escalate --to FLATTEN --reason drill --by bob >/dev/null
	run -0 --separate-stderr qgtm-order submit "$FIXTURES/order-decisions.jsonl"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run orders "$BATS_TEST_TMPDIR/out"
	[ "$output" = "GLD buy 250 refused
SLV sell 500 refused" ]
	run jq -r 'select(.status == "refused") | .reason' "$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = "kill switch tier FLATTEN" ]
	[[ $stderr == *'symbol=GLD tier=FLATTEN msg="refused by the kill switch"'* ]]
	[ ! -e "$LOG" ]
	! jq -e 'select(.type == "fill")' "$BATS_TEST_TMPDIR/out" >/dev/null
}

@test "NO_NEW: orders that add risk are refused, those that reduce go through" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	qgtm-risk escalate --to NO_NEW --reason drill --by bob >/dev/null
	# GLD grows, SLV's short shrinks, GDX opens.
	decision t2 GLD=0.300000 SLV=-0.050000 GDX=0.100000 >"$BATS_TEST_TMPDIR/in"
	qgtm-order submit "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>/dev/null
	run orders "$BATS_TEST_TMPDIR/out"
	[ "$output" = "GLD buy 49 refused
SLV buy 251 filled
GDX buy 249 refused" ]
	[ "$(wc -l <"$LOG")" -eq 3 ]
}

@test "NO_NEW: turning a short into a long is refused" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	qgtm-risk escalate --to NO_NEW --reason drill --by bob >/dev/null
	decision t3 SLV=0.050000 >"$BATS_TEST_TMPDIR/in"
	qgtm-order submit "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>/dev/null
	run orders "$BATS_TEST_TMPDIR/out"
	[ "$output" = "SLV buy 749 refused" ]
}

@test "a kill switch that cannot be trusted fails closed: no new risk" {
	qgtm-risk status >/dev/null
	printf 'garbage' >"$QGTM_STATE_DIR/risk/killswitch.json"
	decision t4 GDX=0.100000 >"$BATS_TEST_TMPDIR/in"
	qgtm-order submit "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>/dev/null
	run orders "$BATS_TEST_TMPDIR/out"
	[ "$output" = "GDX buy 250 refused" ]
	[ ! -e "$LOG" ]
}

@test "eight submits at once place each order once" {
	qgtm-risk status >/dev/null
	decision t5 GLD=0.100000 SLV=0.100000 >"$BATS_TEST_TMPDIR/in"
	for i in 1 2 3 4 5 6 7 8; do
		qgtm-order submit "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out$i" &
	done
	wait
	[ "$(wc -l <"$LOG")" -eq 2 ]
	[ "$(jq -r .order.client_order_id "$LOG" | sort -u | wc -l)" -eq 2 ]
	[ "$(cat "$BATS_TEST_TMPDIR"/out? | jq -r 'select(.type == "fill") |
		.client_order_id' | wc -l)" -eq 2 ]
}

@test "account prints the broker's account" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	run -0 --separate-stderr qgtm-order account -b sim
	[ "$output" = "broker sim
cash 84978.75
market_value 15000.00
equity 99978.75" ]
	run -0 qgtm-order account -j
	[ "$(jq -r '[.type, .equity, .positions, .last_equity, .daily_pl] | @tsv' <<<"$output")" = "account	99978.75	2	100000.00	-21.25" ]
	run -78 --separate-stderr qgtm-order account -b alpaca
	[[ $stderr == *"secret not configured"* ]]
}

@test "account -j: daily_pl against the book before today, marked at yesterday's closes" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	bar GLD 2026-01-05 110.000000
	bar SLV 2026-01-05 20.000000
	export QGTM_NOW=2026-01-06T21:30:00Z
	run -0 qgtm-order account -j
	[ "$(jq -r '[.equity, .last_equity, .daily_pl] | @tsv' <<<"$output")" = "102478.75	102478.75	0.00" ]
	bar GLD 2026-01-06 104.000000
	run -0 qgtm-order account -j
	[ "$(jq -r '[.equity, .last_equity, .daily_pl] | @tsv' <<<"$output")" = "100978.75	102478.75	-1500.00" ]
	export QGTM_NOW=2026-01-07T00:00:00Z
	run -0 qgtm-order account -j
	[ "$(jq -r '.daily[] | [.date, .equity, .profit_loss] | @tsv' <<<"$output")" = "2026-01-02	100000.00	0.00
2026-01-05	102478.75	2478.75
2026-01-06	100978.75	-1500.00" ]
}

@test "flatten: tier FLATTEN, every position closed, flat, every step audited" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	run -0 --separate-stderr qgtm-order flatten --by alice --reason drill --yes
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run jq -r 'select(.type == "flatten") | "\(.step) \(.ok) \(.by) \(.reason)"' \
		"$BATS_TEST_TMPDIR/out"
	[ "$output" = "tier true alice drill
cancel_all true alice drill
close_all true alice drill
confirm true alice drill
alert true alice drill" ]
	run orders "$BATS_TEST_TMPDIR/out"
	[ "$output" = "GLD sell 250 filled
SLV buy 500 filled" ]
	run -0 qgtm-order positions
	[ "$output" = "cash 99957.50
equity 99957.50" ]
	[ "$(qgtm-risk status -j | jq -r .tier)" = FLATTEN ]
	qgtm-audit verify >/dev/null
	# The chain holds exactly what was printed, in order.
	diff <(jq -cS . "$BATS_TEST_TMPDIR/out") <(jq -cS .rec "$CHAIN")
	[ "$(jq -r .rec.type "$CHAIN" | sort | uniq -c | tr -s ' ')" = " 2 fill
 5 flatten
 2 order
 1 tier" ]
}

@test "flatten twice: the second finds the tier raised and the book flat" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	qgtm-order flatten --by alice --yes >/dev/null
	run -0 --separate-stderr qgtm-order flatten --by carol --yes
	run jq -r 'select(.type == "flatten") | "\(.step) \(.ok) \(.detail)"' <<<"$output"
	[ "${lines[0]}" = "tier true already FLATTEN" ]
	[ "${lines[2]}" = "close_all true 0 closing orders" ]
	[ "${lines[3]}" = "confirm true 0 positions, 0 open orders" ]
	[ "$(wc -l <"$LOG")" -eq 4 ]
	qgtm-audit verify >/dev/null
}

@test "flatten without --by, or without --yes off a terminal: exit 64" {
	run -64 --separate-stderr qgtm-order flatten --yes
	run -64 --separate-stderr qgtm-order flatten --by alice </dev/null
	[ "$stderr" = "qgtm-order: flatten: --yes is required when the input is not a terminal" ]
	run -64 --separate-stderr qgtm-order submit --by alice
	run -64 --separate-stderr qgtm-order positions --yes
	run -64 --separate-stderr qgtm-order positions --broker sim
	[ ! -e "$QGTM_STATE_DIR/risk/killswitch.json" ]
}

@test "flatten on a chain it cannot append to still flattens, exit 74" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	mkdir -p "$QGTM_STATE_DIR/audit"
	printf '{"torn' >"$CHAIN"
	run -74 --separate-stderr qgtm-order flatten --by alice --yes
	[[ $stderr == *"the audit chain lacks flatten steps"* ]]
	run -0 qgtm-order positions
	[ "$output" = "cash 99957.50
equity 99957.50" ]
}

@test "reconcile on sim: the book is the broker's, info, exit 0, recorded" {
	qgtm-order submit "$FIXTURES/order-decisions.jsonl" >/dev/null
	run -0 --separate-stderr qgtm-order reconcile
	[ "$(jq -r '"\(.type) \(.severity) \(.check) \(.detail)"' <<<"$output")" = \
		"recon info summary 2 positions, 0 open orders at the sim broker" ]
	diff <(printf '%s\n' "$output") "$QGTM_STATE_DIR/oms/recon.jsonl"
	run -64 --separate-stderr qgtm-order reconcile extra
}
