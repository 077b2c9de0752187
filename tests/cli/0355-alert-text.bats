#!/usr/bin/env bats
# Alert text: any reason reaches the Discord stand-in
# (tests/standin/discord.py) whole or cut by character, never inside one;
# a mention in it is shown, never executed (allowed_mentions).

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	S=$BATS_TEST_TMPDIR/standin
	discord_standin "$S"
}

teardown() {
	kill "$DISCORD_PID" 2>/dev/null || true
	wait "$DISCORD_PID" 2>/dev/null || true
}

@test "a 2000-character cut at every byte of a multi-byte character" {
	tiers=(WARN THROTTLE NO_NEW FLATTEN)
	for off in 0 1 2 3; do
		reason=$(python3 -c "print('a' * $off + '😀' * 2100)")
		run -0 qgtm-risk escalate --to "${tiers[off]}" --reason "$reason" --by alice
	done
	run -0 jq -r '.content | length' "$S/log"
	[ "$output" = "$(printf '2000\n2000\n2000\n2000')" ]
	run -0 jq -r '.content | endswith("😀")' "$S/log"
	[ "$output" = "$(printf 'true\ntrue\ntrue\ntrue')" ]
}

@test "a 2-byte character at the cut" {
	run -0 qgtm-risk escalate --to WARN --reason "$(python3 -c "print('é' * 2100)")" --by alice
	run -0 qgtm-risk escalate --to NO_NEW --reason "$(python3 -c "print('a' + 'é' * 2100)")" --by alice
	[ "$(jq -r '.content | length' "$S/log" | sort -u)" = 2000 ]
}

@test "@everyone in a reason is shown, not executed" {
	run -0 qgtm-risk escalate --to WARN --reason "ping @everyone and @here" --by alice
	run -0 jq -c '[.allowed_mentions, ._mention_everyone]' "$S/log"
	[ "$output" = '[{"parse":[]},false]' ]
	[[ $(jq -r .content "$S/log") == *"ping @everyone and @here"* ]]
}

@test "the stand-in pings everyone when mentions are not disabled" {
	# The stand-in, as Discord's v10, under the versioned URL.
	hook=${QGTM_DISCORD_WEBHOOK_URL/\/api\/webhooks\//\/api\/v10\/webhooks\/}
	curl -fsS -H 'Content-Type: application/json' -d '{"content":"hi @everyone"}' \
		"$hook"
	run -0 jq -r ._mention_everyone "$S/log"
	[ "$output" = true ]
	run -22 curl -fsS -H 'Content-Type: application/json' \
		-d '{"content":"x","allowed_mentions":{"parse":["all"]}}' "$hook"
}

@test "a reason that is not UTF-8 is a usage error; the tier is unchanged" {
	run -64 --separate-stderr qgtm-risk escalate --to NO_NEW --reason $'bad \xff byte' --by alice
	[ "$stderr" = "qgtm-risk: --reason and --by must be UTF-8 text" ]
	run -0 qgtm-risk status
	[[ ${lines[0]} == "tier NORMAL" ]]
}
