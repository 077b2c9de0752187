#!/usr/bin/env bats
# 0550-qgtm-audit-rederive: a traced cycle's signal and risk decision
# computed again from the point-in-time store as of the signal's moment
# and the recorded parameters, and compared with the chain: ten sampled
# cycles of a demo-like state match; a stored observation or a recorded
# parameter changed since, or another risk limit, is named with the field
# it moves, and the exit is 1.

bats_require_minimum_version 1.7.0

# The state every test starts from: three weeks of the demo's world
# (examples/demo.yaml: all six feeds from the sim world, the seven
# strategies in one combined book) replayed up to a fixed Friday, 11
# cycles. Built once.
setup_file() {
	(
		BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR/seed
		load ../lib
		{
			cat "$QGTM_TOP/examples/demo.yaml"
			# qgtm-risk evaluate kept below its limits: the tier
			# stays NORMAL whatever the market did.
			printf 'risk:\n  max_drawdown: 0.5\n  max_daily_loss: 0.5\n'
		} >"$BATS_FILE_TMPDIR/demo.yaml"
		QGTM_REPLAY_END=2026-12-04 \
		    QGTM_CONFIG="$BATS_FILE_TMPDIR/demo.yaml" \
		    "$QGTM_TOP/examples/replay.sh" 15 2>/dev/null
	)
}

setup() {
	load ../lib
	cp -R "$BATS_FILE_TMPDIR/seed/state" "$QGTM_STATE_DIR"
	export QGTM_CONFIG="$BATS_FILE_TMPDIR/demo.yaml"
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	# The first cycle: 2026-11-20, whose tsmom formed on 2026-10-30.
	TRACE=$(jq -r 'select(.rec.type == "signal") | .rec.trace_id' "$CHAIN" |
		head -n 1)
}

@test "ten sampled cycles of the demo re-derive to what the chain recorded" {
	[ "$(grep -c '"type":"signal"' "$CHAIN")" -eq 11 ]
	run -0 --separate-stderr qgtm-audit rederive --sample 10 --seed s1
	[ -z "$stderr" ]
	# One summary a cycle, ten distinct cycles, every one matching.
	sums=$(grep -E '^[0-9a-f]{32}: ' <<<"$output")
	[ "$(printf '%s\n' "$sums" | wc -l)" -eq 10 ]
	[ "$(cut -d: -f1 <<<"$sums" | sort -u | wc -l)" -eq 10 ]
	run -1 grep -v ': match, 30 items (seed s1)$' <<<"$sums"
	# The same seed picks the same cycles; -j gives the same verdicts.
	run -0 qgtm-audit rederive -j --sample 10 --seed s1
	[ "${#lines[@]}" -eq 10 ]
	run -0 jq -r '[.type, .result, .seed, (.items | length),
		([.items[] | select(.result != "match")] | length)] | @tsv' <<<"$output"
	[ "$(sort -u <<<"$output")" = "$(printf 'rederive\tmatch\ts1\t30\t0')" ]
}

@test "the evidence package carries ten cycles re-derived, seeded by its name" {
	run -0 qgtm-audit evidence --out "$BATS_TEST_TMPDIR/ev/visit-7"
	cd "$BATS_TEST_TMPDIR/ev/visit-7"
	sha256sum -c --quiet MANIFEST
	grep -q ' rederive_sample.json$' MANIFEST
	[ "$(jq -r '[.seed, (.cycles | length), ([.cycles[].result] | unique | join(","))] | @tsv' rederive_sample.json)" = "$(printf 'visit-7\t10\tmatch')" ]
	# The auditor draws the same cycles from the seed.
	run -0 qgtm-audit rederive -j --sample 10 --seed visit-7
	[ "$(jq -r .trace_id <<<"$output")" = "$(jq -r '.cycles[].trace_id' "$BATS_TEST_TMPDIR/ev/visit-7/rederive_sample.json")" ]
}

@test "one cycle: every item on a line, the lineage of each strategy" {
	run -0 --separate-stderr qgtm-audit rederive "$TRACE"
	[ -z "$stderr" ]
	[ "${lines[-1]}" = "$TRACE: match, 30 items" ]
	out=$output
	items=$(grep -v " lineage " <<<"$out" | sed '$d')
	[ "$(printf '%s\n' "$items" | wc -l)" -eq 30 ]
	# Every item matches, each named as the man page says.
	run -1 grep -v ': match$' <<<"$items"
	cut -d' ' -f2- <<<"$items" | sed 's/: match$//' >"$BATS_TEST_TMPDIR/items"
	for s in cot_positioning gold_silver_ratio inventory_surprise \
	    real_rate_gold tsmom vol_risk_parity xsmom; do
		grep -qx "strategy $s" "$BATS_TEST_TMPDIR/items"
	done
	for w in 'signal params_hash' 'signal data_as_of' 'combined GLD' \
	    'combined DBC' 'decision equity' 'decision status' \
	    'decision reasons' 'decision GLD' 'decision DBC'; do
		grep -qx "$w" "$BATS_TEST_TMPDIR/items"
	done
	# The lineage: the series each strategy read, as of the signal.
	grep -qx "$TRACE lineage tsmom sim/GLD as_of 2026-11-20T21:30:00Z rows 277 last 2026-11-20 available_at 2026-11-20T21:00:00Z" <<<"$out"
	grep -q "^$TRACE lineage real_rate_gold fred/DFII10 as_of 2026-11-20T21:30:00Z " <<<"$out"
	grep -q "^$TRACE lineage inventory_surprise eia/" <<<"$out"
	grep -q "^$TRACE lineage cot_positioning cftc/" <<<"$out"
	# Nothing read was known after the signal's moment.
	run -0 qgtm-audit rederive -j "$TRACE"
	run -0 jq -r '.lineage[] | select(.last_available_at > .as_of) | .series' <<<"$output"
	[ -z "$output" ]
}

@test "a stored observation changed since is named, exit 1" {
	local f=$QGTM_STATE_DIR/data/sim/GLD.jsonl
	# GLD's close of 2026-10-30, tsmom's formation day, edited in the store.
	grep -q '"date":"2026-10-30".*"close":"325.730000"' "$f"
	sed -i '/"date":"2026-10-30"/s/"close":"325.730000"/"close":"300.000000"/' "$f"
	run -1 --separate-stderr qgtm-audit rederive "$TRACE"
	[ -z "$stderr" ]
	[[ $output == *"$TRACE strategy tsmom: differs at GLD.contribution: recorded \"-0.062500\", recomputed \"-0.047220\""* ]]
	[[ $output == *"$TRACE strategy gold_silver_ratio: differs at GLD.reason.z: "* ]]
	[ "${lines[-1]}" = "$TRACE: differs, 30 items" ]
	# The decision took the recorded signal: it still matches.
	grep -q "^$TRACE decision GLD: match$" <<<"$output"
	run -1 qgtm-audit rederive -j "$TRACE"
	run -0 jq -r '.items[] | select(.item == "strategy tsmom") |
		"\(.result) \(.field) \(.recorded) \(.recomputed)"' <<<"$output"
	[ "$output" = "differs GLD.contribution -0.062500 -0.047220" ]
}

@test "a recorded parameter that does not give the recorded weights is named" {
	# The first cycle's signal and decision again under a new trace, with
	# tsmom's lookback recorded as 6 months (the records' bytes edited, so
	# every other number stays as written): the chain still verifies.
	forged=0123456789abcdef0123456789abcdef
	grep "\"trace_id\":\"$TRACE\"" "$CHAIN" |
		grep '"type":"signal"\|"type":"decision"' |
		sed -e 's/^.*"rec":\(.*\),"seq":[0-9]*,"ts":"[^"]*"}$/\1/' \
		    -e "s/\"trace_id\":\"$TRACE\"/\"trace_id\":\"$forged\"/" \
		    -e 's/"tsmom":{"annualization":261,"lookback_months":12,/"tsmom":{"annualization":261,"lookback_months":6,/' |
		qgtm-audit append
	run -0 qgtm-audit verify
	run -1 --separate-stderr qgtm-audit rederive "$forged"
	[ -z "$stderr" ]
	grep -q "^$forged signal params_hash: differs: recorded \"[0-9a-f]\{16\}\", recomputed \"[0-9a-f]\{16\}\"$" <<<"$output"
	grep -qx "$forged strategy tsmom: differs at GLD.contribution: recorded \"-0.062500\", recomputed \"0.062500\"" <<<"$output"
	grep -qx "$forged combined GDX: differs at reason.tsmom.lookback_from: recorded \"2025-10-31\", recomputed \"2026-04-30\"" <<<"$output"
	# The other strategies did not move.
	grep -qx "$forged strategy xsmom: match" <<<"$output"
	grep -qx "$forged strategy cot_positioning: match" <<<"$output"
	[ "${lines[-1]}" = "$forged: differs, 30 items" ]
	# The honest cycle still matches.
	run -0 qgtm-audit rederive "$TRACE"
}

@test "another risk limit than the decision's is named in the decision" {
	sed 's/^risk:$/risk:\n  max_gross_exposure: 0.2/' \
		"$BATS_FILE_TMPDIR/demo.yaml" >"$BATS_TEST_TMPDIR/tight.yaml"
	run -1 --separate-stderr qgtm-audit rederive \
		-c "$BATS_TEST_TMPDIR/tight.yaml" "$TRACE"
	[ -z "$stderr" ]
	grep -qx "$TRACE decision status: differs: recorded \"approved\", recomputed \"resized\"" <<<"$output"
	grep -q "^$TRACE decision GLD: differs at approved_weight: " <<<"$output"
	# The signal does not depend on the limits.
	grep -q "^$TRACE combined GLD: match$" <<<"$output"
}

@test "a damaged chain is not trusted: exit 1, nothing re-derived" {
	sed -i '3s/"clock":"pinned"/"clock":"pinneD"/' "$CHAIN"
	run -1 --separate-stderr qgtm-audit rederive "$TRACE"
	[ -z "$output" ]
	[[ $stderr == "qgtm-audit: "*"chain.jsonl:3: "* ]]
	run -1 --separate-stderr qgtm-audit rederive --sample 3 --seed x
	[ -z "$output" ]
}

@test "rederive: an unknown trace is 1; a bad operand or option is 64" {
	run -1 --separate-stderr qgtm-audit rederive 00000000000000000000000000000000
	[ -z "$output" ]
	[ "$stderr" = "qgtm-audit: no signal of trace '00000000000000000000000000000000' in the chain" ]
	run -64 qgtm-audit rederive
	run -64 qgtm-audit rederive "$TRACE" --sample 2
	run -64 qgtm-audit rederive --seed x "$TRACE"
	run -64 --separate-stderr qgtm-audit rederive --sample two
	[ "$stderr" = "qgtm-audit: --sample 'two': not a count" ]
	run -64 qgtm-audit rederive -n 2 "$TRACE"
}
