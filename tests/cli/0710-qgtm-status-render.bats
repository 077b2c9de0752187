#!/usr/bin/env bats
# qgtm-status render: the phone page, the readiness page and their JSON.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	WWW="$BATS_TEST_TMPDIR/www"
	GOLD="$FIXTURES/status"
}

@test "render writes the four files, mode 0644, no temporary file left" {
	run -0 --separate-stderr qgtm-status render --out "$WWW"
	[ -z "$output" ]
	[ -z "$stderr" ]
	for f in index.html status.json readiness.html readiness.json; do
		[ "$(stat -c %a "$WWW/$f")" = 644 ]
	done
	[ "$(find "$WWW" -type f | wc -l)" -eq 4 ]
}

@test "without --out it writes into the state directory's www" {
	run -0 qgtm-status render
	[ -s "$QGTM_STATE_DIR/www/index.html" ]
	[ -s "$QGTM_STATE_DIR/www/readiness.json" ]
}

# unhost DIR: readiness.html and readiness.json in DIR without the disk
# and memory row, which belongs to the machine, not the clock.
unhost() {
	grep -v 'Disk and memory' "$1/readiness.html" >"$1/readiness.html.cmp"
	jq 'del(.rows[] | select(.id == "host"))' "$1/readiness.json" >"$1/readiness.json.cmp"
}

@test "golden: a pinned clock gives the same bytes" {
	QGTM_NOW=2026-01-05T21:29:50Z run -0 qgtm-status beat daemon
	run -0 qgtm-status render --now 2026-01-05T21:31:00Z --out "$WWW"
	for f in index.html status.json; do
		diff -u "$GOLD/$f" "$WWW/$f"
	done
	unhost "$WWW"
	diff -u "$GOLD/readiness.html" "$WWW/readiness.html.cmp"
	diff -u "$GOLD/readiness.json" "$WWW/readiness.json.cmp"
	grep -c 'Disk and memory' "$WWW/readiness.html"
}

@test "the status names heartbeat age and colour; the phone page stays under 14 KB" {
	QGTM_NOW=2026-01-05T21:28:00Z run -0 qgtm-status beat
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r '[.heartbeat_age_s, .heartbeat_colour, .tier, .equity_text, .gain_text, .positions] | join(" ")' "$WWW/status.json"
	[ "$output" = '120 red NORMAL $100,000.00 +$0.00 0' ]
	[ "$(stat -c %s "$WWW/index.html")" -lt 14336 ]
	grep -q 'CONNECTION LOST' "$WWW/index.html"
	grep -q 'FLATTEN ALL' "$WWW/index.html"
	! grep -Eq '(src|href)="?(https?:)?//' "$WWW/index.html"
}

@test "a tier and its hostile reason show escaped, with the plain sentence" {
	run -0 qgtm-risk escalate --to NO_NEW --reason '<img src=x onerror=alert(1)>"'"'" --by '<b>eve</b>'
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r .tier_text "$WWW/status.json"
	[ "$output" = "No new positions: only orders that reduce risk go out." ]
	grep -q 'class="tNO_NEW">NO_NEW<' "$WWW/index.html"
	! grep -q '<img' "$WWW/readiness.html"
	! grep -q '<b>eve' "$WWW/readiness.html"
	grep -q '&lt;img src=x onerror=alert(1)&gt;"'"'" "$WWW/readiness.html"
	run -0 jq -r '.rows[] | select(.id == "killswitch") | .result' "$WWW/readiness.json"
	[ "$output" = FAIL ]
}

@test "no test secret appears in any output" {
	export QGTM_DISCORD_WEBHOOK_URL=https://discord.invalid/api/webhooks/1/S3CRET-webhook
	export QGTM_ALPACA_SECRET_KEY=S3CRET-alpaca
	printf 'S3CRET-file\n' >"$BATS_TEST_TMPDIR/key"
	chmod 600 "$BATS_TEST_TMPDIR/key"
	printf 'fetch:\n  fred:\n    api_key_file: "%s"\n' "$BATS_TEST_TMPDIR/key" >"$BATS_TEST_TMPDIR/c.yaml"
	run -0 --separate-stderr qgtm-status render -c "$BATS_TEST_TMPDIR/c.yaml" --out "$WWW"
	! grep -r S3CRET "$WWW"
	[[ $output$stderr != *S3CRET* ]]
}

@test "an output directory that cannot be made is 73" {
	: >"$BATS_TEST_TMPDIR/file"
	run -73 --separate-stderr qgtm-status render --out "$BATS_TEST_TMPDIR/file/www"
	[[ $stderr == qgtm-status:* ]]
}

@test "usage errors exit 64; a bad --now too" {
	run -64 --separate-stderr qgtm-status render extra
	run -64 --separate-stderr qgtm-status render -j
	run -64 --separate-stderr qgtm-status beat --out x
	run -64 --separate-stderr qgtm-status render --now yesterday
}

@test "a full standard output is not an error of render (it writes none)" {
	run -0 qgtm-status render --out "$WWW" >/dev/full
}

@test "readiness counts the reconciliation breaks of the last 7 days" {
	mkdir -p "$QGTM_STATE_DIR/oms"
	printf '%s\n' \
		'{"type":"recon","v":1,"ts":"2025-12-20T21:00:00Z","src":"qgtm-order","severity":"critical","check":"position","detail":"old"}' \
		'{"type":"recon","v":1,"ts":"2026-01-04T21:00:00Z","src":"qgtm-order","severity":"info","check":"fills","detail":"ok"}' \
		>"$QGTM_STATE_DIR/oms/recon.jsonl"
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r '.rows[] | select(.id == "reconciliation") | [.result, .reason] | @tsv' "$WWW/readiness.json"
	[ "$output" = "PASS	0 critical discrepancies, 0 warnings in 7 days" ]
	echo '{"type":"recon","v":1,"ts":"2026-01-05T20:00:00Z","src":"qgtm-order","severity":"critical","check":"position","symbol":"GLD","detail":"book 250, broker 260"}' \
		>>"$QGTM_STATE_DIR/oms/recon.jsonl"
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r '.rows[] | select(.id == "reconciliation") | [.result, .reason] | @tsv' "$WWW/readiness.json"
	[ "$output" = "FAIL	1 critical discrepancies, 0 warnings in 7 days" ]
}
