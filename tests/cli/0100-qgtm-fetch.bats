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

# sim_world FILE [KEY: VALUE]: a config whose sim world answers all six
# feeds, with one more line under fetch.sim.
sim_world() {
	printf 'fetch:\n  sim:\n    feeds: [fred, alpaca, cftc, lbma, eia, openbb]\n    %s\n' \
		"${2:-seed: 42}" >"$1"
}

@test "the sim world: six feeds by their own names, marked sim, 6/6 healthy" {
	sim_world "$BATS_TEST_TMPDIR/w.yaml"
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/w.yaml QGTM_NOW=2026-03-16T22:00:00Z
	run -1 qgtm-fetch health
	[ "${lines[0]}" = "Data feeds: 0/6 healthy (fred, alpaca, cftc, lbma, eia, openbb)" ]
	run -0 qgtm-fetch all
	run -0 jq -r '[.feed, .status, .sim] | @tsv' <<<"$output"
	[ "${lines[*]}" = "fred	ok	true alpaca	ok	true cftc	ok	true lbma	ok	true eia	ok	true openbb	ok	true" ]
	run -0 qgtm-fetch health
	[ "$output" = "Data feeds: 6/6 healthy (fred, alpaca, cftc, lbma, eia, openbb)" ]
	d=$QGTM_STATE_DIR/data
	# Each with its provider's timing: COT at Friday 15:30 New York, the
	# WPSR on Wednesday 10:30, FRED from the day after its vintage.
	run -0 jq -r 'select(.date == "2026-03-10") | .available_at' "$d/cftc/088691-oi.jsonl"
	[ "$output" = "2026-03-13T19:30:00Z" ]
	run -0 jq -r 'select(.date == "2026-03-06") | .available_at' "$d/eia/WCESTUS1.jsonl"
	[ "$output" = "2026-03-11T14:30:00Z" ]
	run -0 jq -r 'select(.date == "2026-03-12") | .available_at' "$d/fred/DFII10.jsonl"
	[ "$output" = "2026-03-14T04:00:00Z" ]
	# ALFRED vintages: the weekly dollar index is revised a week later.
	run -0 jq -r 'select(.date == "2026-02-20") | .available_at' "$d/fred/DTWEXBGS.jsonl"
	[ "${lines[*]}" = "2026-02-24T05:00:00Z 2026-03-03T05:00:00Z" ]
	# A holiday is FRED's "." (Presidents' Day, 2026-02-16).
	run -0 jq -c 'select(.date == "2026-02-16") | .value' "$d/fred/DGS10.jsonl"
	[ "$output" = null ]
	# The alpaca bars are the sim market's.
	run -0 qgtm-fetch -n sim --from 2026-03-16 --to 2026-03-16
	[ "$(jq -r 'select(.symbol == "GLD") | .close' <<<"$output")" = \
		"$(jq -r 'select(.date == "2026-03-16") | .close' "$d/alpaca/GLD.jsonl")" ]
	# Three years of COT and six of crude stocks for the strategies.
	[ "$(wc -l <"$d/cftc/088691-oi.jsonl")" -ge 156 ]
	[ "$(wc -l <"$d/eia/WCESTUS1.jsonl")" -ge 312 ]
	run -0 qgtm-fetch all
	run -0 jq -s 'map(.rows) | add' <<<"$output"
	[ "$output" -eq 0 ]             # a rerun adds nothing
}

@test "the sim world is deterministic from its seed" {
	sim_world "$BATS_TEST_TMPDIR/a.yaml"
	sim_world "$BATS_TEST_TMPDIR/b.yaml" "seed: 7"
	export QGTM_NOW=2026-03-16T22:00:00Z
	for run in a1:a a2:a b:b; do
		QGTM_STATE_DIR=$BATS_TEST_TMPDIR/${run%:*} \
			qgtm-fetch -c "$BATS_TEST_TMPDIR/${run#*:}.yaml" all >/dev/null
	done
	for f in fred/DFII10 cftc/084691-mm-short eia/WCESTUS1 lbma/silver; do
		jq -c '[.date, .value, .available_at]' "$BATS_TEST_TMPDIR/a1/data/$f.jsonl" >"$BATS_TEST_TMPDIR/x"
		jq -c '[.date, .value, .available_at]' "$BATS_TEST_TMPDIR/a2/data/$f.jsonl" >"$BATS_TEST_TMPDIR/y"
		jq -c '[.date, .value, .available_at]' "$BATS_TEST_TMPDIR/b/data/$f.jsonl" >"$BATS_TEST_TMPDIR/z"
		cmp "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/y"
		! cmp -s "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/z"
	done
	# A later fetch serves the same values for the same dates.
	QGTM_STATE_DIR=$BATS_TEST_TMPDIR/a1 QGTM_NOW=2026-03-27T22:00:00Z \
		qgtm-fetch -c "$BATS_TEST_TMPDIR/a.yaml" eia >/dev/null
	run -0 jq -r 'select(.date == "2026-03-06") | .value' "$BATS_TEST_TMPDIR/a1/data/eia/WCESTUS1.jsonl"
	[ "${#lines[@]}" -eq 1 ]
}

@test "a sim-world parameter out of range: exit 78 with file:line" {
	sim_world "$BATS_TEST_TMPDIR/v.yaml" "rate_vol: -0.5"
	run -78 --separate-stderr qgtm-fetch -c "$BATS_TEST_TMPDIR/v.yaml" all
	[ "$stderr" = "qgtm-fetch: $BATS_TEST_TMPDIR/v.yaml:4: fetch.sim.rate_vol: expected a number >=0, got '-0.5'" ]
	sim_world "$BATS_TEST_TMPDIR/s.yaml" "seed: forty-two"
	run -78 --separate-stderr qgtm-fetch -c "$BATS_TEST_TMPDIR/s.yaml" all
	[ "$stderr" = "qgtm-fetch: $BATS_TEST_TMPDIR/s.yaml:4: fetch.sim.seed: expected an integer, got 'forty-two'" ]
	sim_world "$BATS_TEST_TMPDIR/h.yaml" "history_days: 0"
	run -78 qgtm-fetch -c "$BATS_TEST_TMPDIR/h.yaml" health
	[ ! -e "$QGTM_STATE_DIR/feeds.jsonl" ]
}
