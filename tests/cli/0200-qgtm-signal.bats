#!/usr/bin/env bats
# qgtm-signal: tsmom over the store, pass-through, and the error paths.

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T22:00:00Z
	qgtm-fetch sim >/dev/null
}

@test "tsmom prints one signal with a target per symbol" {
	run -0 --separate-stderr qgtm-signal --strategy tsmom </dev/null
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/sig"
	run -0 jq -r '[.type, .strategy, (.targets | length),
		(.trace_id | test("^[0-9a-f]{32}$")), .targets[0].reason.formation,
		.data_as_of, ([.targets[].weight | tonumber | fabs] | max <= 0.25)] | @tsv' \
		"$BATS_TEST_TMPDIR/sig"
	[ "$output" = "signal	tsmom	9	true	2026-02-27	2026-02-27T21:00:00Z	true" ]
}

@test "a pinned clock gives byte-identical signals" {
	qgtm-signal </dev/null >"$BATS_TEST_TMPDIR/a"
	qgtm-signal </dev/null >"$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "weights hold within a month and the sign follows the 12-month return" {
	QGTM_NOW=2026-02-27T22:00:00Z qgtm-signal </dev/null >"$BATS_TEST_TMPDIR/a"
	QGTM_NOW=2026-03-02T22:00:00Z qgtm-signal </dev/null >"$BATS_TEST_TMPDIR/b"
	run -0 jq -r '.targets[] | .weight' "$BATS_TEST_TMPDIR/a"
	a=$output
	run -0 jq -r '.targets[] | .weight' "$BATS_TEST_TMPDIR/b"
	[ "$a" = "$output" ]
	run -0 jq -r '.targets[] | select((.weight | tonumber) * (.reason.ret_12m | tonumber) < 0) | .symbol' "$BATS_TEST_TMPDIR/b"
	[ -z "$output" ]
}

@test "other records pass through and bars end here" {
	printf '%s\n' '{"type":"note","x":1}' \
		'{"type":"bar","symbol":"GLD","date":"2026-03-02"}' >"$BATS_TEST_TMPDIR/in"
	run -0 qgtm-signal "$BATS_TEST_TMPDIR/in"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = '{"type":"note","x":1}' ]
	[[ ${lines[1]} == '{"type":"signal",'* ]]
}

@test "malformed JSON: exit 65 naming the line, nothing printed" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr qgtm-signal < <(printf '%s\n' '{"type":"note"}' '{oops')
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-signal: <stdin>:2: invalid JSON"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a wrong-typed field: exit 65 naming file and line" {
	printf '%s\n' '{"type":"bar","symbol":5,"date":"2026-03-02"}' >"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr qgtm-signal "$BATS_TEST_TMPDIR/in"
	assert_one_line "$stderr"
	[ "$stderr" = "qgtm-signal: $BATS_TEST_TMPDIR/in:1: field 'symbol': expected a string" ]
}

@test "a malformed YAML config: exit 78 naming file and line" {
	printf 'signal:\n  tsmom:\n    target_vol: [\n' >"$BATS_TEST_TMPDIR/bad.yaml"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -78 --separate-stderr qgtm-signal -c "$BATS_TEST_TMPDIR/bad.yaml" </dev/null
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-signal: $BATS_TEST_TMPDIR/bad.yaml:"[0-9]*": "* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "an unreadable input file: exit 66 naming it" {
	run -66 --separate-stderr qgtm-signal "$BATS_TEST_TMPDIR/missing.jsonl"
	assert_one_line "$stderr"
	[[ $stderr == *"cannot open '$BATS_TEST_TMPDIR/missing.jsonl'"* ]]
}

@test "stdout on /dev/full: exit 74 with one line" {
	run -74 --separate-stderr bash -c 'qgtm-signal </dev/null >/dev/full'
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-signal: <stdout>: write error"* ]]
}

@test "an empty store is exit 66 with a hint" {
	export QGTM_STATE_DIR=$BATS_TEST_TMPDIR/empty
	run -66 --separate-stderr qgtm-signal </dev/null
	[[ $stderr == *"run qgtm-fetch sim first"* ]]
}

@test "an unknown strategy is exit 64" {
	run -64 --separate-stderr qgtm-signal -s nope </dev/null
	[[ $stderr == *"unknown strategy 'nope' (available: tsmom xsmom vol_risk_parity gold_silver_ratio real_rate_gold cot_positioning inventory_surprise combined)"* ]]
}
