#!/usr/bin/env bats
# qgtm-risk: the kill switch: status, escalate, history, the tiers in
# check, and failing closed on a missing or corrupt state.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	load killswitch
	ks_market
}

@test "a fresh state directory starts at NORMAL and says so" {
	run -0 qgtm-risk status
	[ "${lines[0]}" = "tier NORMAL" ]
	[ "${lines[5]}" = "backend file" ]
	[ "${lines[6]}" = "health ok" ]
	[ -f "$QGTM_STATE_DIR/risk/killswitch.init" ]
	run -0 decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[ "$output" = "NORMAL approved 0.200000 0.050000 " ]
}

@test "escalate prints a tier record, status exits with the tier" {
	run -0 --separate-stderr qgtm-risk escalate --to THROTTLE --reason "vol spike" --by alice
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rec"
	run -0 jq -r '[.type, .from, .to, .by, .reason, .seq] | join(" ")' "$BATS_TEST_TMPDIR/rec"
	[ "$output" = "tier NORMAL THROTTLE alice vol spike 1" ]
	run -3 qgtm-risk status
	[ "${lines[0]}" = "tier THROTTLE" ]
	[ "${lines[2]}" = "reason vol spike" ]
	[ "${lines[3]}" = "by alice" ]
	run -3 qgtm-risk status -j
	[ "$(jq -r '.tier + " " + .health' <<<"$output")" = "THROTTLE ok" ]
	run -1 --separate-stderr qgtm-risk escalate --to WARN --reason x --by bob
	run -1 --separate-stderr qgtm-risk escalate --to THROTTLE --reason x --by bob
	[ -z "$output" ]
	[[ $stderr == *"THROTTLE or higher already"* ]]
	qgtm-risk escalate --to NO_NEW --reason y --by bob >/dev/null
	run -4 qgtm-risk status
	qgtm-risk escalate --to FLATTEN --reason z --by bob >/dev/null
	run -5 qgtm-risk status
}

@test "escalate needs --to, --reason, --by and a known tier" {
	run -64 --separate-stderr qgtm-risk escalate --to NO_NEW --by alice
	run -64 --separate-stderr qgtm-risk escalate --to NO_NEW --reason x
	run -64 --separate-stderr qgtm-risk escalate --to HALT --reason x --by alice
	[[ $stderr == *"unknown tier 'HALT'"* ]]
	run -64 --separate-stderr qgtm-risk status --since 2026-01-01
}

@test "THROTTLE halves each order, toward the position held" {
	qgtm-risk escalate --to THROTTLE --reason t --by alice >/dev/null
	run -0 decide "$BATS_TEST_TMPDIR/signal.jsonl"
	# GLD 0.1 -> 0.2 becomes 0.15; SLV 0 -> 0.05 becomes 0.025.
	[ "$output" = "THROTTLE resized 0.150000 0.025000 KILL_SWITCH_THROTTLE" ]
}

@test "NO_NEW passes only risk-reducing targets" {
	qgtm-risk escalate --to NO_NEW --reason t --by alice >/dev/null
	run -0 decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[ "$output" = "NO_NEW rejected null null KILL_SWITCH_NO_NEW" ]
	run -0 decide "$BATS_TEST_TMPDIR/reduce.jsonl"
	[ "$output" = "NO_NEW approved 0.040000 0.000000 " ]
}

@test "FLATTEN passes nothing" {
	qgtm-risk escalate --to FLATTEN --reason t --by alice >/dev/null
	run -0 decide "$BATS_TEST_TMPDIR/reduce.jsonl"
	[ "$output" = "FLATTEN rejected null null KILL_SWITCH_FLATTEN" ]
}

@test "a corrupt state fails closed: check acts as NO_NEW, status exits 69" {
	qgtm-risk status >/dev/null
	printf 'garbage' >"$QGTM_STATE_DIR/risk/killswitch.json"
	run -0 --separate-stderr decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[ "$output" = "NO_NEW rejected null null KILL_SWITCH_NO_NEW" ]
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier NO_NEW" ]
	[ "${lines[6]}" = "health corrupt" ]
	[[ $stderr == *"warning: kill switch state is corrupt"*"acting as NO_NEW"* ]]
}

@test "a deleted state fails closed, and escalation to NO_NEW repairs it" {
	qgtm-risk escalate --to WARN --reason t --by alice >/dev/null
	rm "$QGTM_STATE_DIR/risk/killswitch.json"
	run -0 --separate-stderr decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[ "$output" = "NO_NEW rejected null null KILL_SWITCH_NO_NEW" ]
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[6]}" = "health missing" ]
	# Nothing below NO_NEW may be written over a state that was lost.
	run -77 --separate-stderr qgtm-risk escalate --to THROTTLE --reason r --by bob
	[[ $stderr == *"kill switch state is missing: only NO_NEW or FLATTEN"* ]]
	run -0 --separate-stderr qgtm-risk escalate --to NO_NEW --reason repair --by bob
	[ "$(jq -r '.from + " " + .to + " " + .health + " " + (.seq | tostring)' <<<"$output")" = "NO_NEW NO_NEW missing 2" ]
	run -4 qgtm-risk status
	[ "${lines[6]}" = "health ok" ]
}

@test "an unreadable state fails closed" {
	qgtm-risk status >/dev/null
	rm "$QGTM_STATE_DIR/risk/killswitch.json"
	mkdir "$QGTM_STATE_DIR/risk/killswitch.json"
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier NO_NEW" ]
	[ "${lines[6]}" != "health ok" ]
}

@test "history lists the changes with who and why, --since filters" {
	QGTM_NOW=2026-01-05T10:00:00Z qgtm-risk escalate --to WARN --reason first --by alice >/dev/null
	QGTM_NOW=2026-01-07T10:00:00Z qgtm-risk escalate --to FLATTEN --reason second --by bob >/dev/null
	run -0 qgtm-risk history
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "2026-01-05T10:00:00Z NORMAL -> WARN by alice approved_by -: first" ]
	[ "${lines[1]}" = "2026-01-07T10:00:00Z WARN -> FLATTEN by bob approved_by -: second" ]
	run -0 qgtm-risk history -j --since 2026-01-06
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r '.type + " " + .to' <<<"$output")" = "tier FLATTEN" ]
	run -64 --separate-stderr qgtm-risk history --since yesterday
}

@test "escalations at once: none is lost, the history is one chain" {
	qgtm-risk status >/dev/null
	for t in WARN THROTTLE NO_NEW FLATTEN WARN THROTTLE NO_NEW FLATTEN; do
		qgtm-risk escalate --to $t --reason "to $t" --by op \
			>>"$BATS_TEST_TMPDIR/esc.$t" 2>/dev/null &
		# Readers amid the changes never take one in progress for tampering.
		qgtm-risk status >/dev/null 2>>"$BATS_TEST_TMPDIR/readers" &
	done
	wait
	[ ! -s "$BATS_TEST_TMPDIR/readers" ]
	run -5 qgtm-risk status
	# The audit chain holds the same changes, in the same order.
	diff <(jq -c '{from, to, seq}' "$QGTM_STATE_DIR/risk/history.jsonl") \
		<(jq -c '.rec | {from, to, seq}' "$QGTM_STATE_DIR/audit/chain.jsonl")
	# Each change starts where the one before ended, seq 1, 2, 3, ...
	run -0 jq -rs 'reduce .[] as $r ({ok: true, to: "NORMAL", seq: 0};
		{ok: (.ok and $r.from == .to and $r.seq == .seq + 1),
		to: $r.to, seq: $r.seq}) | .ok' "$QGTM_STATE_DIR/risk/history.jsonl"
	[ "$output" = true ]
	# Every change printed is in the history.
	cat "$BATS_TEST_TMPDIR"/esc.* | jq -c . | sort >"$BATS_TEST_TMPDIR/printed"
	jq -c . "$QGTM_STATE_DIR/risk/history.jsonl" | sort >"$BATS_TEST_TMPDIR/history"
	diff -u "$BATS_TEST_TMPDIR/history" "$BATS_TEST_TMPDIR/printed"
}

@test "an alert that cannot be delivered is a warning, not a failure" {
	export QGTM_DISCORD_WEBHOOK_URL=http://127.0.0.1:9/hook
	run -0 --separate-stderr qgtm-risk escalate --to WARN --reason r --by alice
	[[ $stderr == *"warning: alert not sent"* ]]
	run -2 qgtm-risk status
}

@test "status on a full stdout: exit 74" {
	run -74 --separate-stderr bash -c 'qgtm-risk status >/dev/full'
}
