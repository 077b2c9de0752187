#!/usr/bin/env bats
# Clock sanity: the real clock moved with libfaketime (QGTM_NOW pins a
# replay's clock; a pin behind the live state is refused the same way). A
# jump of +10 years or -1 day after a cycle places no order, leaves the
# tier at least NO_NEW and alerts.

setup() {
	load ../lib
	command -v faketime >/dev/null || skip "faketime (libfaketime) is not installed"
	export PATH="$QGTM_TOP/examples:$PATH"
	discord_standin "$BATS_TEST_TMPDIR/discord"
	D=$BATS_TEST_TMPDIR/discord
	# One cycle at this very moment, pinned: bars, fills and audit entries.
	QGTM_NOW=$(date -u +%FT%TZ) cycle.sh 2>/dev/null
	orders=$(jq -s '[.[] | select(.rec.type == "order")] | length' \
		"$QGTM_STATE_DIR/audit/chain.jsonl")
}

teardown() {
	kill "$DISCORD_PID" 2>/dev/null || true
	wait "$DISCORD_PID" 2>/dev/null || true
}

# jumped OFFSET: one full cycle with the clock moved by OFFSET (faketime),
# then the checks: no new order, tier at least NO_NEW, an alert.
jumped() {
	# qgtm-risk check sees the clock first and escalates; qgtm-order
	# then either sees it too (exit 75) or acts under NO_NEW on rejected
	# decisions (the kill switch's record, made under the bad clock, is
	# by then the chain's last entry): either way nothing is placed.
	run faketime -f "$1" cycle.sh
	[[ $status -eq 0 || $status -eq 75 ]]
	[[ $output == *"acting as NO_NEW"* ]]
	[ "$(jq -s '[.[] | select(.rec.type == "order")] | length' \
		"$QGTM_STATE_DIR/audit/chain.jsonl")" -eq "$orders" ]
	run faketime -f "$1" qgtm-risk status -j
	[[ $(jq -r .tier <<<"$output") =~ ^(NO_NEW|FLATTEN)$ ]]
	run -0 jq -r .content "$D/log"
	[[ $output == *"the clock "*"kill switch escalated to NO_NEW"* ]]
	# The escalation is in the audit chain, by the clock check.
	run -0 jq -r 'select(.rec.type == "tier") | .rec.by' "$QGTM_STATE_DIR/audit/chain.jsonl"
	[[ $output == *clock-check* ]]
}

@test "a clock 10 years ahead places no order, escalates and alerts" {
	jumped +10y
	[[ $(jq -r .content "$D/log") == *"the clock is ahead of the data"* ]]
}

@test "a clock set back a day places no order, escalates and alerts" {
	jumped -1d
	[[ $(jq -r .content "$D/log") == *"the clock ran backwards"* ]]
}

@test "the same cycle on the real clock is not flagged" {
	run -0 --separate-stderr cycle.sh
	[[ $stderr != *"clock"* ]]
	[ ! -s "$D/log" ]
}

@test "risk check acts as NO_NEW on a bad clock even when the tier cannot be raised" {
	qgtm-signal --strategy tsmom >"$BATS_TEST_TMPDIR/signal"
	run --separate-stderr faketime -f +10y env QGTM_FAULT=write:1+ \
		qgtm-risk check "$BATS_TEST_TMPDIR/signal"
	[[ $stderr == *"the kill switch cannot be changed"* ]]
	[ "$(jq -r 'select(.type == "decision") | .tier' <<<"$output")" = NO_NEW ]
	[[ $(jq -r .content "$D/log") == *"could not be recorded; acting as NO_NEW"* ]]
	# The kill switch's intent slot keeps the change that could not be
	# made durable: every reader acts on it, never on the old tier.
	run -69 --separate-stderr qgtm-risk status -j
	[ "$(jq -r '"\(.tier) \(.health)"' <<<"$output")" = "NO_NEW undurable" ]
}

@test "QGTM_NOW behind the live state is a clock that ran backwards, not a replay" {
	# A day before the newest bar stored: every program that acts sees
	# it, qgtm-order too (exit 75), whatever the time of day the test
	# runs (a pin of "2 days ago", run on a Sunday evening, was within
	# minutes of Friday's 21:00 bar or after it, so not behind the data).
	local newest
	newest=$(tail -qn 1 "$QGTM_STATE_DIR"/data/sim/*.jsonl | jq -r .ts |
		sort | tail -n 1)
	run -75 --separate-stderr env \
		QGTM_NOW=$(date -u -d "@$(($(date -u -d "$newest" +%s) - 86400))" +%FT%TZ) \
		bash -o pipefail -c 'qgtm-signal --strategy tsmom | qgtm-risk check | qgtm-order submit --broker sim'
	[[ $stderr == *"the clock ran backwards"*"(the clock is pinned)"* ]]
	[ "$(jq -r 'select(.type == "order")' <<<"$output")" = "" ]
	[ "$(jq -r 'select(.type == "decision") | .clock' <<<"$output")" = pinned ]
	[[ $(jq -r .content "$D/log") == *"(the clock is pinned)"* ]]
}
