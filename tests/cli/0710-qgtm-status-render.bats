#!/usr/bin/env bats
# qgtm-status render: the phone page, the readiness page and their JSON.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	WWW="$BATS_TEST_TMPDIR/www"
	GOLD="$FIXTURES/status"
}

@test "render writes the five files, mode 0644, no temporary file left" {
	run -0 --separate-stderr qgtm-status render --out "$WWW"
	[ -z "$output" ]
	[ -z "$stderr" ]
	for f in index.html status.json readiness.html readiness.json \
	    favicon.svg; do
		[ "$(stat -c %a "$WWW/$f")" = 644 ]
	done
	[ "$(find "$WWW" -type f | wc -l)" -eq 5 ]
	# Both pages link the icon beside them and describe themselves.
	for f in index.html readiness.html; do
		grep -q '<link rel="icon" type="image/svg+xml" href="favicon.svg">' "$WWW/$f"
		grep -q '<meta name="description" content="QGTM, [^"]*">' "$WWW/$f"
	done
	head -c 4 "$WWW/favicon.svg" | grep -qx '<svg'
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
	# The phone page: the meaning beside the code, the reason in the
	# verdict, escaped.
	grep -q '<span id="tm" class="tNO_NEW">No new trades</span> <span class="c">(<span id="t" class="tNO_NEW">NO_NEW</span>)' "$WWW/index.html"
	grep -q 'Needs attention: Safety switch at NO_NEW: &lt;img src=x onerror=alert(1)&gt;' "$WWW/index.html"
	! grep -q '<img' "$WWW/index.html"
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

# The kill switch's read replays and verifies the whole audit chain, the
# largest cost of a render over years of history: both pages share one
# (qgtm_report_pages). Each walk of the chain opens its lock to settle it.
@test "render walks the audit chain for the kill switch once for both pages" {
	command -v strace >/dev/null || skip "strace is not installed"
	run -0 qgtm-risk escalate --to WARN --reason test --by ops
	run -0 qgtm-status render --out "$WWW"
	# LeakSanitizer cannot run under ptrace: off for this one run of
	# an ASan build (make SANITIZE=1 check); no effect otherwise.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    run -0 strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/trace" \
	    qgtm-status render --out "$WWW"
	run -0 grep -c 'chain\.jsonl\.lock"' "$BATS_TEST_TMPDIR/trace"
	[ "$output" = 1 ]
	run -0 jq -r .tier "$WWW/status.json"
	[ "$output" = WARN ]
	run -0 jq -r '.rows[] | select(.id == "killswitch") | .figures[0].value' \
	    "$WWW/readiness.json"
	[ "$output" = WARN ]
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
	{
		recon_rec 2025-12-20T21:00:00Z critical position old
		recon_rec 2026-01-04T21:00:00Z info fills ok
	} >"$QGTM_STATE_DIR/oms/recon.jsonl"
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r '.rows[] | select(.id == "reconciliation") | [.result, .reason] | @tsv' "$WWW/readiness.json"
	[ "$output" = "PASS	0 critical breaks; 0 warnings in 7 days" ]
	# One break as qgtm-order reconcile writes it: the break, then the
	# run's summary with the run's worst severity, which is no break.
	{
		recon_rec 2026-01-05T20:00:00Z critical position "book 250, broker 260" GLD
		recon_rec 2026-01-05T20:00:00Z critical summary "3 positions, 0 open orders at the sim broker"
	} >>"$QGTM_STATE_DIR/oms/recon.jsonl"
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r '.rows[] | select(.id == "reconciliation") | [.result, .reason] | @tsv' "$WWW/readiness.json"
	[ "$output" = "FAIL	1 critical break: GLD book 250, broker 260; 0 warnings in 7 days" ]
	# The same break seen by the next run is still one break, with its
	# newest quantities; a warning of another check counts apart.
	{
		recon_rec 2026-01-05T21:00:00Z critical position "book 250, broker 270" GLD
		recon_rec 2026-01-05T21:00:00Z warn orders "order c-1 open at the broker only"
		recon_rec 2026-01-05T21:00:00Z critical summary "3 positions, 1 open orders at the sim broker"
	} >>"$QGTM_STATE_DIR/oms/recon.jsonl"
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r '.rows[] | select(.id == "reconciliation") | [.result, .reason] | @tsv' "$WWW/readiness.json"
	[ "$output" = "FAIL	1 critical break: GLD book 250, broker 270; 1 warning in 7 days" ]
}

@test "readiness parses the reconciliation log's last 7 days only" {
	local row='.rows[] | select(.id == "reconciliation") | [.result, .reason] | @tsv'
	mkdir -p "$QGTM_STATE_DIR/oms"
	# A line its envelope dates before the week is not parsed.
	{
		printf '{"type":"recon","v":1,"ts":"2025-12-20T21:00:00Z", cut\n'
		recon_rec 2026-01-05T20:00:00Z critical position "book 250, broker 260" GLD
	} >"$QGTM_STATE_DIR/oms/recon.jsonl"
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r "$row" "$WWW/readiness.json"
	[ "$output" = "FAIL	1 critical break: GLD book 250, broker 260; 0 warnings in 7 days" ]
	# One of the week is, and a line that is no record is an error.
	printf '\n{"type":"recon","v":1,"ts":"2026-01-05T21:00:00Z", cut\n' \
	    >>"$QGTM_STATE_DIR/oms/recon.jsonl"
	run -0 qgtm-status render --out "$WWW"
	run -0 jq -r "$row" "$WWW/readiness.json"
	[ "$output" = "FAIL	cannot read the reconciliation log: $QGTM_STATE_DIR/oms/recon.jsonl:4: invalid JSON: string or '}' expected near 'cut'" ]
}

# decay STRATEGY TS INSAMPLE RECENT RATIO STATUS: append a decay record.
decay() {
	mkdir -p "$QGTM_STATE_DIR/research"
	jq -cn --arg s "$1" --arg ts "$2" --argjson i "$3" --argjson r "$4" \
		--argjson q "$5" --arg st "$6" \
		'{type: "decay", v: 1, ts: $ts, src: "qgtm-backtest", strategy: $s,
		  basis: "backtest", from: "2016-01-04", recent_from: "2025-07-01",
		  to: "2025-12-31", insample_sharpe: $i, recent_sharpe: $r,
		  ratio: $q, status: $st, insample_days: 2400, recent_days: 126}' \
		>>"$QGTM_STATE_DIR/research/decay.jsonl"
}

# row ID: the result and reason of readiness row ID, tab-separated.
row() {
	jq -r --arg id "$1" '.rows[] | select(.id == $id) | [.result, .reason] | @tsv' "$WWW/readiness.json"
}

@test "decay: none measured is a WARN; the newest record of each strategy counts" {
	run -0 qgtm-status render --out "$WWW"
	[ "$(row decay)" = "WARN	no decay measurement yet" ]
	decay tsmom 2025-12-01T00:00:00Z 0.60 0.21 0.35 decayed
	decay tsmom 2026-01-02T00:00:00Z 0.60 0.50 0.8333 ok
	decay xsmom 2026-01-02T00:00:00Z 0.40 0.30 0.75 ok
	run -0 qgtm-status render --out "$WWW"
	[ "$(row decay)" = "PASS	2 strategies measured, none decayed" ]
	grep -q 'data-row="decay" data-result="PASS"' "$WWW/readiness.html"
	decay tsmom 2026-01-04T00:00:00Z 0.60 0.21 0.35 decayed
	run -0 qgtm-status render --out "$WWW"
	[ "$(row decay)" = "WARN	tsmom: 6-month Sharpe 0.21, 35% of in-sample 0.60" ]
	run -0 jq -r '.rows[] | select(.id == "decay") | .details.xsmom.recent_sharpe' "$WWW/readiness.json"
	[ "$output" = 0.3 ]
	grep -q 'data-row="decay" data-result="WARN"><summary><b class="WARN">WARN</b> Strategy decay: tsmom: 6-month Sharpe 0.21' "$WWW/readiness.html"
}

@test "decay: a hostile strategy name shows escaped" {
	decay '<script>alert(1)</script>' 2026-01-04T00:00:00Z 1 0.1 0.1 decayed
	run -0 qgtm-status render --out "$WWW"
	run -0 row decay
	[[ $output == "WARN	<script>alert(1)</script>: 6-month Sharpe 0.10, 10% of in-sample 1.00" ]]
	! grep -q '<script>alert' "$WWW/readiness.html"
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;: 6-month' "$WWW/readiness.html"
}

@test "readiness: every row opens in place; data age, docs link, week ahead, last week, chart" {
	run -0 qgtm-status render --out "$WWW"
	[ "$(grep -c '^<details data-row="' "$WWW/readiness.html")" -eq "$(jq '.rows | length' "$WWW/readiness.json")" ]
	! grep -q '<a [^>]*target=' "$WWW/readiness.html"
	grep -q '<a id="docs" href="docs/index.html">Docs</a>' "$WWW/readiness.html"
	grep -q '<button id="d" type="button">' "$WWW/readiness.html"
	grep -q 'prefers-color-scheme:dark' "$WWW/readiness.html"
	grep -q '<p id="age" class="FAIL">Data age: no data fetched yet</p>' "$WWW/readiness.html"
	# 2026-01-05 is a Monday: the week ahead is this one, last week the one before.
	run -0 jq -r '[.week_ahead.week, .last_week.week, (.week_ahead.events | map(.id) | join(","))] | @tsv' "$WWW/readiness.json"
	[ "$output" = "2026-01-05	2025-12-29	cot,eia_petroleum,eia_natgas,cot" ]
	# Times in New York time with their weekday, marked ET.
	grep -q '<tr data-event="eia_petroleum" data-pause="false"><td>Wed 7 Jan 10:30 ET</td>' "$WWW/readiness.html"
	grep -q '<small id="asof">as of Mon 5 Jan 16:30 ET</small>' "$WWW/readiness.html"
	grep -q 'Goes STALE when the system has not checked in for 2 minutes or this page cannot be refreshed for 3.' "$WWW/readiness.html"
	# One <main>, one <h1>, tables with headers, no <dt>.
	[ "$(grep -o '<main ' "$WWW/readiness.html" | wc -l)" -eq 1 ]
	[ "$(grep -o '<h1>' "$WWW/readiness.html" | wc -l)" -eq 1 ]
	[ "$(grep -o '<table>' "$WWW/readiness.html" | wc -l)" -eq "$(grep -o '<table><tr><th ' "$WWW/readiness.html" | wc -l)" ]
	! grep -q '<dt' "$WWW/readiness.html"
	for id in lw-pnl lw-trades lw-dd lw-best lw-worst; do
		grep -q "<details id=\"$id\" data-result=\"" "$WWW/readiness.html"
	done
	grep -q '<figure id="chart"><h2>Equity and drawdown</h2><p>No equity history yet.</p>' "$WWW/readiness.html"
}

@test "readiness: a week of sim trading gives last week's figures and the chart" {
	for day in 2026-01-05 2026-01-06 2026-01-07 2026-01-08 2026-01-09; do
		QGTM_NOW=${day}T21:30:00Z
		export QGTM_NOW
		qgtm-fetch sim | qgtm-signal --strategy tsmom | qgtm-risk check |
			qgtm-order submit --broker sim | qgtm-audit append >/dev/null
	done
	# Sunday: the week ahead is the next one, last week the one just done.
	run -0 qgtm-status render --now 2026-01-11T22:00:00Z --out "$WWW"
	run -0 jq -r '.last_week | [.week, .pnl_basis, .pnl_cents == (.days | map(.pnl_cents) | add), .fills > 0, .rejected_by_risk, .best.strategy, .drawdown_result] | @tsv' "$WWW/readiness.json"
	[ "$output" = "2026-01-05	book	true	true	0	tsmom	WARN" ]
	[ "$(jq -r .week_ahead.week "$WWW/readiness.json")" = 2026-01-12 ]
	# The curve ends at the equity the book has at Friday's close.
	run -0 jq -r '.equity_curve | [(.dates | length), .dates[-1], .equity_cents[0]] | @tsv' "$WWW/readiness.json"
	[ "$output" = "5	2026-01-09	10000000" ]
	grep -q '<figure id="chart"><h2>Equity and drawdown</h2><svg ' "$WWW/readiness.html"
	grep -q '<polyline ' "$WWW/readiness.html"
	# The weekly % beside the weekly PnL: the PnL over Monday's equity.
	run -0 jq -r '.last_week | "\(.pnl_text) (\(.pnl_pct_text)), the sum of the book"' "$WWW/readiness.json"
	grep -qF "Weekly PnL: $output" "$WWW/readiness.html"
	run -0 jq -r '.last_week | [.pnl_cents, .pnl_pct] | @tsv' "$WWW/readiness.json"
	[ "$(jq -n --argjson c "${output%%	*}" --argjson p "${output##*	}" '($c / 10000000 * 100 - $p) | fabs < 0.0001')" = true ]
}

@test "the phone page labels where today's gain comes from" {
	run -0 qgtm-status render --out "$WWW"
	[ "$(jq -r .gain_source "$WWW/status.json")" = broker ]
	grep -q "<dt>Today's gain or loss <small id=\"gs\">(broker)</small></dt>" "$WWW/index.html"
	printf 'order:\n  broker: alpaca\n' >"$BATS_TEST_TMPDIR/alpaca.yaml"
	run -0 qgtm-status render -c "$BATS_TEST_TMPDIR/alpaca.yaml" --out "$WWW"
	[ "$(jq -r .gain_source "$WWW/status.json")" = book ]
	grep -q '<small id="gs">(book)</small>' "$WWW/index.html"
}

@test "readiness: the heartbeat row counts the week's beats and gaps over 60 s" {
	for ts in 21:00:00 21:00:30 21:01:30 21:05:00 21:05:30 21:06:00 21:06:30; do
		QGTM_NOW=2026-01-05T${ts}Z run -0 qgtm-status beat daemon
	done
	run -0 qgtm-status render --now 2026-01-05T21:06:40Z --out "$WWW"
	[ "$(row heartbeat)" = "WARN	7 beats, 1 gap > 60s this week; last check-in 10 s ago" ]
	run -0 jq -r '.rows[] | select(.id == "heartbeat") | .details | [.beats_7d, .gaps_7d] | @tsv' "$WWW/readiness.json"
	[ "$output" = "7	1" ]
	# Seven beats in two runs: the history is two lines.
	[ "$(wc -l <"$QGTM_STATE_DIR/risk/beats.runs")" -eq 2 ]
	# No gap this week: PASS.
	rm "$QGTM_STATE_DIR/risk/beats.runs"
	for ts in 21:10:00 21:10:50 21:11:40; do
		QGTM_NOW=2026-01-05T${ts}Z run -0 qgtm-status beat daemon
	done
	run -0 qgtm-status render --now 2026-01-05T21:11:50Z --out "$WWW"
	[ "$(row heartbeat)" = "PASS	3 beats, 0 gaps > 60s this week; last check-in 10 s ago" ]
	grep -q '<th scope="row">Last check-in</th><td>Mon 5 Jan 16:11 ET</td>' "$WWW/readiness.html"
}
