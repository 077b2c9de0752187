#!/usr/bin/env bats
# qgtm-digest: the weekly digest of a state replayed by examples/replay.sh
# (two weeks of the sim market), pinned at Sunday 2026-11-22 18:00 New
# York; sent to a Discord stand-in (tests/standin/discord.py) and to a real
# SMTP server on loopback (aiosmtpd, tests/standin/smtp.py).

NOW=2026-11-22T23:00:00Z

setup_file() {
	export QGTM_STATE_DIR="$BATS_FILE_TMPDIR/state"
	# The cycle's qgtm-risk evaluate kept below its limits (the kill-switch
	# events are the tests' own), and no feeds fetched.
	printf 'fetch:\n  feeds: []\nrisk:\n  max_drawdown: 0.5\n  max_daily_loss: 0.5\n' \
		>"$BATS_FILE_TMPDIR/replay.yaml"
	PATH="$QGTM_BIN:$PATH" QGTM_REPLAY_END=2026-11-20 \
		QGTM_CONFIG="$BATS_FILE_TMPDIR/replay.yaml" \
		"$QGTM_TOP/examples/replay.sh" 12 2>/dev/null
	# A week traded by three strategies in one combined book.
	printf 'signal:\n  strategies: [combined]\n  combined:\n    budgets: [tsmom=0.4, xsmom=0.3, vol_risk_parity=0.3]\n' \
		>>"$BATS_FILE_TMPDIR/replay.yaml"
	PATH="$QGTM_BIN:$PATH" QGTM_REPLAY_END=2026-11-20 \
		QGTM_STATE_DIR="$BATS_FILE_TMPDIR/state3" \
		QGTM_CONFIG="$BATS_FILE_TMPDIR/replay.yaml" \
		"$QGTM_TOP/examples/replay.sh" 5 2>/dev/null
}

setup() {
	load ../lib
	cp -r "$BATS_FILE_TMPDIR/state" "$QGTM_STATE_DIR"
	export QGTM_NOW=$NOW
	C=$BATS_TEST_TMPDIR/c.yaml
	printf 'signal:\n  strategies: [tsmom, xsmom]\ndigest:\n  base_url: "https://qgtm.example/"\n' >"$C"
	export QGTM_CONFIG=$C
}

teardown() {
	for p in ${DISCORD_PID:-} ${SMTP_PID:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# start_discord: the webhook stand-in; QGTM_DISCORD_WEBHOOK_URL points at it.
start_discord() {
	D=$BATS_TEST_TMPDIR/discord
	discord_standin "$D"
}

# start_smtp [MODE]: the SMTP server (tests/standin/smtp.py: it offers
# no STARTTLS); the config mails to two recipients.
start_smtp() {
	M=$BATS_TEST_TMPDIR/mail
	mkdir -p "$M"
	# aiosmtpd is the Debian package: the system python, not a venv.
	/usr/bin/python3 "$QGTM_TOP/tests/standin/smtp.py" "$M/port" "$M" "$@" &
	SMTP_PID=$!
	for _ in $(seq 100); do [ -s "$M/port" ] && break; sleep 0.05; done
	printf 'digest:\n  base_url: "https://qgtm.example/"\n  email:\n    url: "smtp://127.0.0.1:%s"\n    from: "qgtm@example.org"\n    to: [alice@example.org, bob@example.org]\n' \
		"$(cat "$M/port")" >>"$C"
	sed -i '3,4d' "$C"
}

@test "the digest of a fixed week is the golden one" {
	run -0 qgtm-digest --week 2026-11-18
	diff -u "$FIXTURES/digest-week.golden" - <<<"$output"
}

@test "a strategy that did not trade shows 0 trades, N/A hit rate" {
	run -0 qgtm-digest
	[[ $output == *"xsmom"*"+\$0.00  (0 trades, N/A hit rate)"* ]]
}

@test "daily PnL and contributions sum exactly to the weekly PnL" {
	run -0 qgtm-digest --format json
	jq -e '.week | .pnl_cents == ([.days[].pnl_cents] | add) and
		.pnl_cents == ([.strategies[].pnl_cents] | add) and
		(has("carried_cents") | not)' <<<"$output"
}

@test "a week of three strategies: contributions sum to the cent, no held line" {
	rm -rf "$QGTM_STATE_DIR"
	cp -r "$BATS_FILE_TMPDIR/state3" "$QGTM_STATE_DIR"
	cp "$BATS_FILE_TMPDIR/replay.yaml" "$C"
	run -0 qgtm-digest --format json
	jq -e '.week | .pnl_cents == -177665 and
		([.strategies[].pnl_cents] | add) == .pnl_cents and
		([.strategies[].strategy] | sort) == ["tsmom", "vol_risk_parity", "xsmom"] and
		([.strategies[] | select(.pnl_cents != 0)] | length) == 3 and
		.best == .strategies[0].strategy and .worst == .strategies[-1].strategy and
		.best != .worst and .strategies_active == 3 and .fills == 9' <<<"$output"
	run -0 qgtm-digest
	[[ $output != *held* ]]
	[[ $output == *"  1. vol_risk_parity        +\$193.62  (9 trades, 22% hit rate)"$'\n'* ]]
	[[ $output == *"  3. tsmom                -\$1,438.14  (9 trades, 22% hit rate)"$'\n'* ]]
	[[ $output == *$'\n'"Best: vol_risk_parity (+\$193.62); worst: tsmom (-\$1,438.14)"$'\n'* ]]
}

@test "one strategy alone is said to be alone, not best and worst" {
	run -0 qgtm-digest --format json
	jq -e '.week | .best == "tsmom" and .worst == null and .strategies_active == 1' <<<"$output"
	run -0 qgtm-digest
	[[ $output == *$'\n'"Only one strategy traded or held: tsmom (-\$948.68)"$'\n'* ]]
	[[ $output != *"Best:"* ]]
}

@test "the digest's figures are the readiness page's" {
	qgtm-status render --now "$NOW" --out "$BATS_TEST_TMPDIR/www" >/dev/null
	run -0 qgtm-digest --format json
	diff <(jq -S '[.readiness.rows[] | select(.id != "host")]' <<<"$output") \
		<(jq -S '[.rows[] | select(.id != "host")]' "$BATS_TEST_TMPDIR/www/readiness.json")
}

@test "a kill-switch event of the week is under RISK EVENTS" {
	QGTM_NOW=2026-11-18T15:00:00Z qgtm-risk escalate --to NO_NEW --reason "desk call" --by alice >/dev/null
	run -0 qgtm-digest
	[[ $output == *"Kill-switch: NO_NEW now, 1 change this week"* ]]
	[[ $output == *"RISK EVENTS:"$'\n'"  - 2026-11-18T15:00 NORMAL -> NO_NEW by alice: desk call"* ]]
	run -0 qgtm-digest --week 2026-11-11
	[[ $output == *"RISK EVENTS: None"* ]]
}

@test "--send: a non-ASCII character at every byte near the reason's cut" {
	start_discord
	start_smtp
	tiers=(WARN THROTTLE NO_NEW FLATTEN)
	for pad in 37 38 39 40; do
		QGTM_NOW=2026-11-18T15:00:${pad}Z qgtm-risk escalate --to "${tiers[pad - 37]}" \
			--reason "$(printf "%${pad}s" | tr ' ' x)€😀 tail" --by alice >/dev/null
	done
	run -0 --separate-stderr qgtm-digest --send
	[ -s "$M/1.eml" ]
	run -0 jq -r 'select(.content | startswith("```")) | .content' "$D/log"
	x=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
	[[ $output == *"NORMAL -> WARN by alice: $x€😀 "$'\n'* ]]
	[[ $output == *"WARN -> THROTTLE by alice: ${x}x€😀"$'\n'* ]]
	[[ $output == *"THROTTLE -> NO_NEW by alice: ${x}xx€"$'\n'* ]]
	[[ $output == *"NO_NEW -> FLATTEN by alice: ${x}xxx"$'\n'* ]]
}

@test "--send: Discord within its limits after a 429, and mail to each recipient" {
	export DISCORD_429_ONCE=1
	start_discord
	start_smtp
	run -0 --separate-stderr qgtm-digest --send
	[ "$(wc -l <"$D/log")" -ge 1 ]
	jq -e '.content | length <= 2000' "$D/log"
	[[ $(jq -r .content "$D/log") == *"Week of Nov 16-22, 2026"* ]]
	[ -s "$M/1.eml" ] && [ -s "$M/2.eml" ]
	[ "$(cat "$M/1.rcpt")" = alice@example.org ]
	run -0 python3 - "$M/1.eml" <<-'PY'
	import email, email.policy, sys
	raw = open(sys.argv[1], "rb").read()
	m = email.message_from_bytes(raw, policy=email.policy.default)
	for h in ("From", "To", "Subject", "Date", "Message-ID"):
	    assert m[h], h
	assert m.get_content_type() == "text/plain"
	assert m.get_content_charset() == "utf-8"
	assert m["Subject"] == "QGTM Weekly Digest -- Week of Nov 16-22, 2026"
	assert all(len(l) <= 998 for l in raw.split(b"\r\n"))
	assert "PORTFOLIO:" in m.get_content()
	PY
	[[ $stderr != *sec-ret* ]]
}

@test "--send: a 429 on Discord's v10 is waited out for its retry_after seconds" {
	# The webhook URL as Discord gives it (unversioned, API v6, where
	# retry_after counted milliseconds) is posted to as v10, with wait=true.
	export DISCORD_429_ONCE=1 DISCORD_RETRY_AFTER=1.2
	start_discord
	run -0 --separate-stderr qgtm-digest --send
	run -0 cut -d ' ' -f 2- "$D/log.times"
	[ "${lines[0]}" = "429 /api/v10/webhooks/123/sec-ret?wait=true" ]
	[ "${lines[1]}" = "200 /api/v10/webhooks/123/sec-ret?wait=true" ]
	gap=$(awk 'NR == 1 { t = $1 } NR == 2 { printf "%.3f", $1 - t }' "$D/log.times")
	echo "# waited $gap s" >&3
	awk -v g="$gap" 'BEGIN { exit !(g >= 1.2 && g < 1.8) }'
}

@test "--send: a message Discord drops is a failure, said in the mail" {
	# Without wait=true Discord answers 204 before it saves the message,
	# so a dropped one looked delivered.
	export DISCORD_DROP=1
	start_discord
	export QGTM_DISCORD_WEBHOOK_URL=${QGTM_DISCORD_WEBHOOK_URL/\/api\/webhooks\//\/api\/v10\/webhooks\/}
	start_smtp
	run -2 --separate-stderr qgtm-digest --send
	[[ $stderr == *"digest to Discord failed: discord: webhook answered HTTP 500"* ]]
	grep -q "this digest is incomplete: it did not reach Discord" "$M/1.eml"
	[ ! -s "$D/log" ]
	[[ $stderr != *sec-ret* ]]
}

@test "with a user set, a server without STARTTLS gets no password and no mail" {
	# starttls "try" would go on in clear text, and AUTH PLAIN carries
	# the password; this server takes a login without TLS and notes it.
	start_smtp cleartext-auth
	printf '    user: "qgtm"\n' >>"$C"
	export QGTM_SMTP_PASSWORD=smtp0password0never0shown
	run -3 --separate-stderr qgtm-digest --send
	[[ $stderr == *"smtp: the server offers no STARTTLS: nothing sent, as TLS is required (digest.email.starttls)"* ]]
	[ ! -e "$M/cleartext-auth" ] && [ ! -e "$M/1.eml" ]
	[[ $stderr != *smtp0password0never0shown* ]]
	# Without a user no password goes: "try" still mails in clear text.
	sed -i '/user: "qgtm"/d' "$C"
	run -0 --separate-stderr qgtm-digest --send
	[ -s "$M/1.eml" ] && [ ! -e "$M/cleartext-auth" ]
}

@test "--send splits a digest over 2000 characters" {
	start_discord
	printf 'signal:\n  strategies: [%s]\n' "$(seq -s, -f 's%02g' 1 60)" >"$C"
	run -0 qgtm-digest --send
	[ "$(wc -l <"$D/log")" -ge 2 ]
	jq -e '.content | length <= 2000 and startswith("```\n") and endswith("\n```")' "$D/log"
	[[ $(jq -r .content "$D/log") == *"60. s"* ]]
}

@test "with the webhook down the mail still goes and says it is incomplete" {
	start_smtp
	export QGTM_DISCORD_WEBHOOK_URL="http://127.0.0.1:9/api/webhooks/1/sec-ret"
	run -2 --separate-stderr qgtm-digest --send
	grep -q "this digest is incomplete" "$M/1.eml"
	[[ $stderr == *"digest to Discord failed"* ]]
	[[ $stderr != *sec-ret* ]]
}

@test "with the mail server down Discord gets the digest and the alert" {
	start_discord
	printf 'digest:\n  email:\n    url: "smtp://127.0.0.1:9"\n    to: [a@example.org]\n' >"$C"
	run -3 --separate-stderr qgtm-digest --send
	[[ $(jq -r .content "$D/log" | tail -1) == "Weekly digest failed: smtp: mail to a@example.org: "* ]]
}

@test "with both channels down the exit code is non-zero and it is logged" {
	export QGTM_DISCORD_WEBHOOK_URL="http://127.0.0.1:9/api/webhooks/1/sec-ret"
	printf 'digest:\n  email:\n    url: "smtp://127.0.0.1:9"\n    to: [a@example.org]\n' >"$C"
	run -4 --separate-stderr qgtm-digest --send
	[[ $stderr == *"Weekly digest failed"* ]]
	[[ $stderr != *sec-ret* ]]
}

@test "a digest that cannot be made is alerted, never silent" {
	start_discord
	printf 'garbage\n' >>"$QGTM_STATE_DIR/oms/orders.jsonl"
	run -65 --separate-stderr qgtm-digest --send
	[[ $(jq -r .content "$D/log") == "Weekly digest failed: "* ]]
}

@test "--dry-run prints both messages and sends nothing" {
	start_discord
	run -0 qgtm-digest --send --dry-run
	[[ $output == "--- discord: the configured webhook"$'\n'"--- email to: nobody"$'\n'"Subject: QGTM Weekly Digest"* ]]
	[[ $output != *sec-ret* ]]
	[ ! -s "$D/log" ]
}

@test "--send with no channel configured is a config error" {
	run -78 --separate-stderr qgtm-digest --send
	[[ $stderr == *"neither a Discord webhook nor digest.email"* ]]
}

@test "usage errors" {
	run -64 qgtm-digest --format html
	run -64 qgtm-digest --dry-run
	run -64 qgtm-digest --week 2026-13-40
}

@test "the timer fires Sunday 18:00 New York, catches up, and cron does the same" {
	u=$QGTM_TOP/etc/systemd
	grep -qx 'OnCalendar=Sun \*-\*-\* 18:00:00 America/New_York' "$u/qgtm-digest.timer"
	grep -qx 'Persistent=true' "$u/qgtm-digest.timer"
	grep -qx 'ExecStart=/usr/local/bin/qgtm-digest --send' "$u/qgtm-digest.service"
	for k in 'ProtectSystem=strict' 'NoNewPrivileges=yes' 'CapabilityBoundingSet='; do
		grep -qx "$k" "$u/qgtm-digest.service"
	done
	grep -q '^0 *18 *\* *\* *0 */usr/local/bin/qgtm-digest --send$' "$QGTM_TOP/etc/cron/qgtm.crontab"
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	d=$BATS_TEST_TMPDIR/units
	mkdir -p "$d"
	for f in qgtm-digest.service qgtm-digest.timer; do
		sed "s|/usr/local/bin/|$QGTM_BIN/|g" "$u/$f" >"$d/$f"
	done
	cd "$d"
	run -0 systemd-analyze verify --man=no qgtm-digest.service qgtm-digest.timer
	[ -z "$output" ]
}

@test "--format markdown is Discord's: a bold title and a code block" {
	run -0 qgtm-digest --format markdown
	[ "${lines[0]}" = "**QGTM Weekly Digest -- Week of Nov 16-22, 2026**" ]
	[ "${lines[1]}" = '```' ]
	[ "${lines[-1]}" = '```' ]
}

@test "the checkpoint's alert and the digest carry its witness line, which verify --against reads" {
	start_discord
	KEY="$BATS_TEST_TMPDIR/k.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null && chmod 600 "$KEY"
	PUB=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | base64)
	printf 'audit:\n  checkpoint_key: "%s"\n  checkpoint_pubkey: "%s"\n' "$KEY" "$PUB" >>"$C"
	qgtm-audit checkpoint >/dev/null
	grep -o 'audit checkpoint size [0-9]* root [0-9a-f]* time [0-9TZ:-]* sig [0-9a-f]*' "$D/log" >"$BATS_TEST_TMPDIR/alert"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/alert")" = 1 ]
	run -0 qgtm-audit verify --against "$BATS_TEST_TMPDIR/alert"
	run -0 qgtm-digest
	sed -n 's/^  - Checkpoint: //p' <<<"$output" >"$BATS_TEST_TMPDIR/digest"
	diff -u "$BATS_TEST_TMPDIR/alert" "$BATS_TEST_TMPDIR/digest"
}

# digest_row: the result and reason of the readiness page's digest row.
digest_row() {
	qgtm-status render --now "$NOW" --out "$BATS_TEST_TMPDIR/www" >/dev/null
	jq -r '.rows[] | select(.id == "digest") | [.result, .reason] | @tsv' \
		"$BATS_TEST_TMPDIR/www/readiness.json"
}

@test "a digest no channel took is journaled, FAILs readiness, and the next one says so" {
	J=$QGTM_STATE_DIR/digest/delivery.jsonl
	[ "$(digest_row)" = "PASS	no digest sent yet" ]
	export QGTM_DISCORD_WEBHOOK_URL="http://127.0.0.1:9/api/webhooks/1/sec-ret"
	printf 'digest:\n  email:\n    url: "smtp://127.0.0.1:9"\n    to: [a@example.org]\n' >"$C"
	run -4 --separate-stderr qgtm-digest --send
	[ "$(wc -l <"$J")" = 1 ]
	jq -e 'select(.type == "digest_delivery" and .v == 1 and .src == "qgtm-digest" and
		.week == "2026-11-16" and .ok == false and
		(.channels | keys) == ["discord", "email"] and
		(.reason | startswith("Discord: ")) and (.reason | contains("; email: smtp: ")))' "$J"
	! grep -q sec-ret "$J"
	run -0 digest_row
	[[ $output == "FAIL	the digest of week 2026-11-16 was not delivered: Discord: "* ]]
	: >"$C"
	start_discord
	run -0 qgtm-digest --send
	first=$(jq -r .content "$D/log" | sed -n 2p)
	[[ $first == "The digest of week 2026-11-16 was not delivered: Discord: "* ]]
	[[ $(jq -r .content "$D/log" | sed -n 4p) == "QGTM Weekly Digest -- Week of Nov 16-22, 2026" ]]
	jq -e -s '.[-1] | .ok == true and .channels == {"discord": "sent", "email": "not configured"}' "$J"
	[ "$(digest_row)" = "PASS	the digest of week 2026-11-16 was delivered" ]
	run -0 qgtm-digest --send
	[[ $(jq -r .content "$D/log" | tail -n +2 | grep -c "was not delivered") == 1 ]]
}

@test "a digest that cannot be made is journaled as not delivered" {
	start_discord
	printf 'garbage\n' >>"$QGTM_STATE_DIR/oms/orders.jsonl"
	run -65 --separate-stderr qgtm-digest --send
	jq -e '.ok == false and .week == "2026-11-16" and (.reason | startswith("it could not be made: "))' \
		"$QGTM_STATE_DIR/digest/delivery.jsonl"
}

@test "the digest links to the dashboard, or says where to set the link" {
	run -0 qgtm-digest
	[ "${lines[-1]}" = "Dashboard: https://qgtm.example/" ]
	: >"$C"
	run -0 qgtm-digest
	[ "${lines[-1]}" = "Dashboard: no link: set digest.base_url in qgtm.yaml to the pages' address (qgtm.yaml(5))" ]
}
