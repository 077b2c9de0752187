#!/usr/bin/env bats
# qgtm-signal: the strategies besides tsmom, --as-of, and the combination.

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T22:00:00Z
	qgtm-fetch sim >/dev/null
}

@test "--as-of is --now" {
	unset QGTM_NOW
	qgtm-signal -s xsmom --as-of 2026-03-02T22:00:00Z </dev/null >"$BATS_TEST_TMPDIR/a"
	qgtm-signal -s xsmom --now 2026-03-02T22:00:00Z </dev/null >"$BATS_TEST_TMPDIR/b"
	run -0 jq -r '.as_of' "$BATS_TEST_TMPDIR/a"
	[ "$output" = 2026-03-02T22:00:00Z ]
	run -0 jq -c '.targets' "$BATS_TEST_TMPDIR/a"
	a=$output
	run -0 jq -c '.targets' "$BATS_TEST_TMPDIR/b"
	[ "$a" = "$output" ]
}

@test "price strategies: xsmom nets to zero, vol_risk_parity sums to one" {
	qgtm-signal -s xsmom -s vol_risk_parity -s gold_silver_ratio </dev/null >"$BATS_TEST_TMPDIR/s"
	run -0 jq -r '[.strategy, (.targets | length),
		([.targets[].weight | tonumber] | add * 1e6 | round | fabs)] | @tsv' "$BATS_TEST_TMPDIR/s"
	[ "${lines[0]}" = "xsmom	9	0" ]
	[ "${lines[1]}" = "vol_risk_parity	9	1000000" ]
	[ "${lines[2]}" = "gold_silver_ratio	2	0" ]
}

@test "strategies without their data say so with weight 0" {
	run -0 --separate-stderr qgtm-signal -s real_rate_gold -s cot_positioning -s inventory_surprise </dev/null
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/s"
	run -0 jq -r '.targets[] | [.symbol, .weight, .reason.no_data, .reason.hint] | @tsv' "$BATS_TEST_TMPDIR/s"
	[ "${lines[0]}" = "GLD	0.000000	fred/DFII10	run qgtm-fetch fred" ]
	[ "${lines[1]}" = "GLD	0.000000	cftc/088691-oi	run qgtm-fetch cftc" ]
	[ "${lines[2]}" = "SLV	0.000000	cftc/084691-oi	run qgtm-fetch cftc" ]
	[ "${lines[3]}" = "USO	0.000000	eia/WCESTUS1	run qgtm-fetch eia" ]
}

@test "real_rate_gold pairs each session with a yield a day older" {
	# A yield for every session, known the next morning.
	jq -c '{type: "obs", source: "fred", series: "DFII10", date,
		value: (.close | .[0:1] + "." + .[1:3]),
		available_at: (.date + "T12:00:00Z" | fromdateiso8601 + 86400 | todateiso8601)}' \
		"$QGTM_STATE_DIR/data/sim/GLD.jsonl" >"$BATS_TEST_TMPDIR/obs"
	mkdir -p "$QGTM_STATE_DIR/data/fred"
	cp "$BATS_TEST_TMPDIR/obs" "$QGTM_STATE_DIR/data/fred/DFII10.jsonl"
	qgtm-signal -s real_rate_gold </dev/null >"$BATS_TEST_TMPDIR/s"
	run -0 jq -r '.targets[0] | [.reason.date, .reason.real_yield_date,
		(.weight | tonumber | fabs | . == 0 or . == 0.25), (.reason | has("no_data"))] | @tsv' "$BATS_TEST_TMPDIR/s"
	[ "$output" = "2026-03-02	2026-02-27	true	false" ]
}

@test "combined: contributions sum to each weight exactly" {
	printf 'signal:\n  combined:\n    budgets: [tsmom=0.333333, xsmom=0.5, real_rate_gold=0.25]\n' >"$BATS_TEST_TMPDIR/c.yaml"
	qgtm-signal -c "$BATS_TEST_TMPDIR/c.yaml" -s combined </dev/null >"$BATS_TEST_TMPDIR/s"
	run -0 jq -r '[.strategy, (.targets | length),
		([.targets[] | ((.weight | tonumber) * 1e6 | round) -
		 ([.contributions[] | tonumber * 1e6 | round] | add)] | map(fabs) | add),
		(.targets[0].contributions | keys | join(","))] | @tsv' "$BATS_TEST_TMPDIR/s"
	[ "$output" = "combined	9	0	real_rate_gold,tsmom,xsmom" ]
}

@test "combined: a bad budget is exit 78 naming it" {
	printf 'signal:\n  combined:\n    budgets: [tsmom=x]\n' >"$BATS_TEST_TMPDIR/c.yaml"
	run -78 --separate-stderr qgtm-signal -c "$BATS_TEST_TMPDIR/c.yaml" -s combined </dev/null
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-signal: signal.combined.budgets: bad item 'tsmom=x'"* ]]
	[ -z "$output" ]
}

@test "combined with the default budget tsmom=1 backtests exactly as tsmom" {
	for s in tsmom combined; do
		QGTM_STATE_DIR=$BATS_TEST_TMPDIR/st-$s qgtm-backtest --strategy $s \
			--from 2025-11-01 --to 2026-01-31 --out "$BATS_TEST_TMPDIR/$s" >/dev/null
	done
	cmp "$BATS_TEST_TMPDIR/tsmom/returns.csv" "$BATS_TEST_TMPDIR/combined/returns.csv"
	printf 'signal:\n  combined:\n    budgets: [tsmom=0.5]\n' >"$BATS_TEST_TMPDIR/c.yaml"
	QGTM_STATE_DIR=$BATS_TEST_TMPDIR/st-half qgtm-backtest -c "$BATS_TEST_TMPDIR/c.yaml" \
		--strategy combined --from 2025-11-01 --to 2026-01-31 --out "$BATS_TEST_TMPDIR/half" >/dev/null
	! cmp -s "$BATS_TEST_TMPDIR/tsmom/returns.csv" "$BATS_TEST_TMPDIR/half/returns.csv"
}
