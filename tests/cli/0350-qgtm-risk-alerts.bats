#!/usr/bin/env bats
# qgtm-risk alerts: every tier change, request, approval, refusal and a
# state that cannot be trusted is posted to the Discord webhook (a
# stand-in on loopback, tests/standin/discord.py).

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	load killswitch
	ks_discord
}

teardown() {
	ks_discord_stop
}

@test "a tier change says what changed, who did it and what it means" {
	qgtm-risk escalate --to NO_NEW --reason "desk call" --by alice >/dev/null
	run -0 alerts
	[ "$output" = "qgtm-risk: kill switch NORMAL -> NO_NEW by alice: desk call. Scope: every strategy and order. Consequence: only risk-reducing orders pass; no new risk." ]
}

@test "a state that cannot be trusted is alerted by check and status" {
	qgtm-risk status >/dev/null
	printf 'x' >"$QGTM_STATE_DIR/risk/killswitch.json"
	qgtm-risk check /dev/null 2>/dev/null
	run -69 --separate-stderr qgtm-risk status
	run -0 alerts
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "qgtm-risk: kill switch state is corrupt ("*"); acting as NO_NEW: only risk-reducing orders pass; no new risk" ]]
}

@test "request, refusal and approval are each alerted" {
	for op in alice bob; do
		openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/$op.key" 2>/dev/null
		chmod 600 "$BATS_TEST_TMPDIR/$op.key"
		eval "${op}_pub=$(openssl pkey -in "$BATS_TEST_TMPDIR/$op.key" -pubout -outform DER | tail -c 32 | base64)"
	done
	printf 'risk:\n  operators: ["alice:%s", "bob:%s"]\n' "$alice_pub" "$bob_pub" >"$BATS_TEST_TMPDIR/c.yaml"
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/c.yaml"
	qgtm-risk escalate --to FLATTEN --reason dd --by alice >/dev/null
	qgtm-risk reset --key "$BATS_TEST_TMPDIR/alice.key" --to WARN --reason calm --by alice >"$BATS_TEST_TMPDIR/req"
	id=$(jq -r .id "$BATS_TEST_TMPDIR/req")
	expires=$(jq -r .expires "$BATS_TEST_TMPDIR/req")   # the system clock's
	qgtm-risk approve --key "$BATS_TEST_TMPDIR/alice.key" --by alice "$id" >/dev/null 2>&1 || true
	qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id" >/dev/null
	run -0 alerts
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[1]}" = "qgtm-risk: alice asks to lower the kill switch FLATTEN -> WARN: calm. Request $id waits for a second operator until $expires." ]
	[ "${lines[2]}" = "qgtm-risk: approve by alice REFUSED (SAME_OPERATOR): 'alice' made the request; another operator must approve it. The kill switch is unchanged." ]
	[ "${lines[3]}" = "qgtm-risk: bob approved reset request $id." ]
	[ "${lines[4]}" = "qgtm-risk: kill switch FLATTEN -> WARN by alice, approved by bob: calm. Scope: every strategy and order. Consequence: alert only; orders pass as usual." ]
}

@test "the webhook from a 0600 key file; a 404 is only a warning" {
	unset QGTM_DISCORD_WEBHOOK_URL
	printf 'http://127.0.0.1:%s/api/webhooks/9/t\n' "$(cat "$S/port")" >"$BATS_TEST_TMPDIR/hook"
	chmod 600 "$BATS_TEST_TMPDIR/hook"
	printf 'alert:\n  discord_webhook_file: "%s"\n' "$BATS_TEST_TMPDIR/hook" >"$BATS_TEST_TMPDIR/c.yaml"
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/c.yaml"
	qgtm-risk escalate --to WARN --reason r --by alice >/dev/null
	run -0 alerts
	[ "${#lines[@]}" -eq 1 ]
	printf 'http://127.0.0.1:%s/nowhere\n' "$(cat "$S/port")" >"$BATS_TEST_TMPDIR/hook"
	run -0 --separate-stderr qgtm-risk escalate --to NO_NEW --reason r --by alice
	[[ $stderr == *"warning: alert not sent: discord: webhook answered HTTP 404"* ]]
	run -4 qgtm-risk status
}

@test "an alert Discord does not save is a warning, not a silent 204" {
	ks_discord_stop
	rm -f "$S/port"
	export DISCORD_DROP=1
	ks_discord
	export QGTM_DISCORD_WEBHOOK_URL=${QGTM_DISCORD_WEBHOOK_URL/\/api\/webhooks\//\/api\/v10\/webhooks\/}
	run -0 --separate-stderr qgtm-risk escalate --to WARN --reason r --by alice
	[[ $stderr == *"warning: alert not sent: discord: webhook answered HTTP 500"* ]]
	[ "$(cut -d ' ' -f 2- "$S/log.times")" = "500 /api/v10/webhooks/123/tok-en?wait=true" ]
	run -2 qgtm-risk status
	[[ ${lines[0]} == "tier WARN" ]]
}
