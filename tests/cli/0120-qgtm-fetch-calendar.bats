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
