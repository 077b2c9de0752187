#!/usr/bin/env bats
# qgtm-fetch sim: deterministic synthetic bars, the store, feed health, and
# the error paths.

setup() {
	load ../lib
}

@test "a year of sim bars is valid JSON Lines and byte-identical across runs" {
	run -0 qgtm-fetch sim --from 2020-01-01 --to 2020-12-31 \
		--now 2026-01-01T00:00:00Z
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/a"
	run -0 qgtm-fetch -n sim --from 2020-01-01 --to 2020-12-31
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	run -0 jq -s 'length' "$BATS_TEST_TMPDIR/a"
	[ "$output" -eq $((253 * 9)) ]
	run -0 jq -r 'select(.type != "bar" or (.close | test("^[0-9]+\\.[0-9]{6}$") | not)) | .date' "$BATS_TEST_TMPDIR/a"
	[ -z "$output" ]
}

@test "another seed gives another market" {
	printf 'fetch:\n  sim:\n    seed: 7\n' >"$BATS_TEST_TMPDIR/seed7.yaml"
	run -0 qgtm-fetch -n sim --from 2020-06-01 --to 2020-06-01
	a=$output
	run -0 qgtm-fetch -n -c "$BATS_TEST_TMPDIR/seed7.yaml" sim --from 2020-06-01 --to 2020-06-01
	[ "$a" != "$output" ]
}

@test "the store is incremental and idempotent, with a health record per run" {
	export QGTM_NOW=2026-03-02T22:00:00Z
	run -0 qgtm-fetch sim
	first=$(wc -l <"$QGTM_STATE_DIR/data/sim/GLD.jsonl")
	[ "$first" -gt 250 ]
	run -0 qgtm-fetch sim
	[ -z "$output" ]
	[ "$(wc -l <"$QGTM_STATE_DIR/data/sim/GLD.jsonl")" -eq "$first" ]
	QGTM_NOW=2026-03-03T22:00:00Z run -0 qgtm-fetch sim
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 9 ]
	[ "$(wc -l <"$QGTM_STATE_DIR/data/sim/GLD.jsonl")" -eq $((first + 1)) ]
	run -0 jq -r '[.feed, .status, .rows] | @tsv' "$QGTM_STATE_DIR/feeds.jsonl"
	[ "${lines[0]}" = "sim	ok	$((first * 9))" ]
	[ "${lines[1]}" = "sim	ok	0" ]
	[ "${lines[2]}" = "sim	ok	9" ]
}

@test "nothing after the current moment is fetched" {
	run -0 qgtm-fetch -n --now 2026-03-03T20:59:59Z sim --from 2026-03-02 --to 2026-03-10
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 9 ]
}

@test "a malformed store line: exit 65 naming file and line, state unchanged" {
	QGTM_NOW=2026-03-02T22:00:00Z qgtm-fetch sim >/dev/null
	echo '{"type":"bar","date":' >>"$QGTM_STATE_DIR/data/sim/SLV.jsonl"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	QGTM_NOW=2026-03-03T22:00:00Z run -65 --separate-stderr qgtm-fetch sim
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-fetch: $QGTM_STATE_DIR/data/sim/SLV.jsonl:"*": invalid JSON"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a wrong-typed field in the store: exit 65 naming file and line" {
	mkdir -p "$QGTM_STATE_DIR/data/sim"
	echo '{"type":"bar","date":20200102}' >"$QGTM_STATE_DIR/data/sim/GLD.jsonl"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -65 --separate-stderr qgtm-fetch sim
	assert_one_line "$stderr"
	[[ $stderr == *"GLD.jsonl:1: field 'date': expected a string" ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a malformed YAML config: exit 78 naming file and line" {
	printf 'fetch:\n  sim:\n    seed: [1\n' >"$BATS_TEST_TMPDIR/bad.yaml"
	run -78 --separate-stderr qgtm-fetch -c "$BATS_TEST_TMPDIR/bad.yaml" sim
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-fetch: $BATS_TEST_TMPDIR/bad.yaml:"[0-9]*": "* ]]
	[ ! -e "$QGTM_STATE_DIR" ]
}

@test "an unreadable store file: exit 66 naming it" {
	mkdir -p "$QGTM_STATE_DIR/data/sim/GLD.jsonl"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -66 --separate-stderr qgtm-fetch sim
	assert_one_line "$stderr"
	[[ $stderr == *"GLD.jsonl"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "stdout on /dev/full: exit 74 with one line" {
	run -74 --separate-stderr bash -c \
		'qgtm-fetch -n sim --from 2020-01-01 --to 2020-01-31 >/dev/full'
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-fetch: <stdout>: write error: No space left on device" ]]
}

@test "bad dates and sources are usage errors" {
	run -64 --separate-stderr qgtm-fetch sim --from 2020-13-01
	[[ $stderr == *"invalid date '2020-13-01'"* ]]
	run -64 --separate-stderr qgtm-fetch nope
	[[ $stderr == *"unknown source 'nope'"* ]]
	run -64 --separate-stderr qgtm-fetch sim --from 2020-02-01 --to 2020-01-01
}
