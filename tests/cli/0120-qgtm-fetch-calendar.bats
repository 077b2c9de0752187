#!/usr/bin/env bats
# qgtm-fetch calendar: the week ahead in New York time.

setup() {
	load ../lib
}

@test "the Thanksgiving week of 2026, in New York time" {
	run -0 qgtm-fetch calendar --week 2026-11-24
	[ "${lines[0]}" = "2026-11-25 10:30  EIA Weekly Petroleum Status Report  (inventory_surprise tsmom)" ]
	[ "${lines[1]}" = "2026-11-25 12:00  EIA Natural Gas Storage Report  (tsmom)" ]
	[ "${lines[2]}" = "2026-11-26 09:30  NYSE closed  (all)" ]
	[ "${lines[3]}" = "2026-11-27 13:00  NYSE closes early (13:00)  (all)" ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "-j prints event records; the FOMC decision pauses auto-trading" {
	run -0 qgtm-fetch -j calendar --week 2026-12-09
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/ev"
	run -0 jq -r 'select(.id == "fomc_decision") | [.type, .at, .pause, .pause_from] | @tsv' "$BATS_TEST_TMPDIR/ev"
	[ "$output" = "event	2026-12-09T19:00:00Z	true	2026-12-09T18:30:00Z" ]
}

@test "the week defaults to the current one" {
	QGTM_NOW=2026-12-09T12:00:00Z run -0 qgtm-fetch calendar
	[[ $output == *"2026-12-09 14:00  FOMC rate decision"* ]]
}

@test "a bad --week is exit 64" {
	run -64 --separate-stderr qgtm-fetch calendar --week 2026-02-30
	[[ $stderr == *"invalid date '2026-02-30'"* ]]
}

# start_standin: the provider stand-in on a free loopback port; sets $base.
start_standin() {
	S=$BATS_TEST_TMPDIR/standin
	mkdir -p "$S"
	: >"$S/faults"
	python3 "$QGTM_TOP/tests/standin/feeds.py" "$S/port" "$S/log" "$S/faults" &
	STANDIN_PID=$!
	for _ in $(seq 100); do [ -s "$S/port" ] && break; sleep 0.05; done
	base=http://127.0.0.1:$(cat "$S/port")
	printf 'http:\n  retries: 0\n  timeout_ms: 2000\nfetch:\n  fred:\n    url: "%s/fred"\n' \
		"$base" >"$BATS_TEST_TMPDIR/cfg.yaml"
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/cfg.yaml
}

teardown() {
	[ -z "${STANDIN_PID:-}" ] || { kill "$STANDIN_PID"; wait "$STANDIN_PID"; } 2>/dev/null || true
}

@test "with a FRED key, CPI and the jobs report come from FRED's release dates" {
	start_standin
	export FRED_API_KEY=fred0calendar0secret0key
	run -0 --separate-stderr qgtm-fetch calendar --week 2026-03-09
	[[ $output == *"2026-03-11 08:30  Consumer Price Index (BLS)"* ]]
	[[ $output != *"Employment Situation"* ]]
	run -0 --separate-stderr qgtm-fetch calendar --week 2026-03-02
	[[ $output == *"2026-03-06 08:30  Employment Situation (BLS)"* ]]
	# It asked for future dates from the Monday, and the key never shows.
	run -0 grep -c 'release/dates?release_id=10&file_type=json&include_release_dates_with_no_data=true&realtime_start=2026-03-02' "$S/log"
	! grep -rF "$FRED_API_KEY" "$S/log" "$BATS_TEST_TMPDIR" --exclude=cfg.yaml
}

@test "without a FRED key no request is made; a failing FRED is a warning and the exit code" {
	start_standin
	run -0 qgtm-fetch calendar --week 2026-03-09
	[[ $output != *"Consumer Price"* ]]
	[ ! -s "$S/log" ]
	echo "fred 500" >"$S/faults"
	export FRED_API_KEY=fred0calendar0secret0key
	run -69 --separate-stderr qgtm-fetch calendar --week 2026-03-09
	[[ $stderr == "qgtm-fetch: warning: CPI and jobs dates left out: FRED release dates: HTTP 500" ]]
	[[ $output == *"EIA Weekly Petroleum"* ]]
}
