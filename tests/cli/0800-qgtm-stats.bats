#!/usr/bin/env bats
# qgtm-stats: summary, psr, dsr, mintrl and pbo against published figures,
# and the bad-input paths (one line naming file and line, nothing printed).

setup() {
	load ../lib
}

# near FILE KEY WANT TOL: the KEY=value line of FILE is within TOL of WANT.
near() {
	awk -F= -v k="$2" -v w="$3" -v t="$4" '$1 == k { f = 1;
		d = $2 - w; if (d < 0) d = -d; if (d > t) { print k "=" $2; exit 1 } }
		END { if (!f) { print "no " k; exit 1 } }' "$1"
}

@test "-h prints the SYNOPSIS of qgtm-stats(1)" {
	usage_lines qgtm-stats >"$BATS_TEST_TMPDIR/usage"
	mandoc_synopsis qgtm-stats >"$BATS_TEST_TMPDIR/synopsis"
	diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
}

@test "summary: empyrical's weekly_returns figures (test_stats.py)" {
	qgtm-stats summary --periods-per-year 52 "$FIXTURES/stats-weekly.txt" \
		>"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" vol 0.38851569394870583 1e-10
	near "$BATS_TEST_TMPDIR/out" annual_return 0.24690830513998208 1e-10
	near "$BATS_TEST_TMPDIR/out" calmar 2.4690830513998208 1e-10
	near "$BATS_TEST_TMPDIR/out" max_drawdown -0.1 1e-12
	near "$BATS_TEST_TMPDIR/out" hit_rate 0.75 1e-12
	# the same series at 252 a year is empyrical's mixed_returns DAILY
	qgtm-stats summary <"$FIXTURES/stats-weekly.txt" >"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" sharpe 1.6368951821422701 1e-10
	near "$BATS_TEST_TMPDIR/out" sortino 2.456518422202588 1e-10
}

@test "summary -j prints one stats record" {
	qgtm-stats summary -j "$FIXTURES/stats-weekly.txt" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r '[.type, .stat, .n] | @tsv' "$BATS_TEST_TMPDIR/out"
	[ "$output" = "stats	summary	9" ]
}

@test "dsr: Bailey and Lopez de Prado (2014), 46 trials give 0.9505" {
	qgtm-stats dsr --sr 2.5 --annualized 250 --n 1250 --trials 46 \
		--trials-var 0.5 --skew -3 --kurtosis 10 >"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" dsr 0.9505 5e-5
	qgtm-stats dsr --sr 2.5 --annualized 250 --n 1250 --trials 88 \
		--trials-var 0.5 >"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" dsr 0.95 1e-3
}

@test "mintrl and psr: Bailey and Lopez de Prado (2012) A.3 and Figure 16" {
	qgtm-stats mintrl --sr 2 --sr-benchmark 1 --annualized 12 --skew -0.72 \
		--kurtosis 5.78 >"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" mintrl 59.895 0.01
	near "$BATS_TEST_TMPDIR/out" years 4.99 0.005
	qgtm-stats psr --sr 0.8183 --sr-benchmark 0.144338 --n 134 \
		--skew -1.4455 --kurtosis 7.0497 >"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" psr 0.99999 1e-5
}

@test "pbo: ties count as overfit at the median (derived in test_stats.c)" {
	qgtm-stats pbo --partitions 4 --metric mean \
		"$FIXTURES/stats-pbo-reversal.csv" >"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" pbo 1 0
	near "$BATS_TEST_TMPDIR/out" splits 6 0
	near "$BATS_TEST_TMPDIR/out" logit_max 0 1e-12
}

@test "pbo --metric mean: one row a block is a valid CSCV" {
	printf '%s\n' -1,1 -2,2 1,-1 2,-2 >"$BATS_TEST_TMPDIR/m.csv"
	qgtm-stats pbo --partitions 4 --metric mean "$BATS_TEST_TMPDIR/m.csv" \
		>"$BATS_TEST_TMPDIR/out"
	near "$BATS_TEST_TMPDIR/out" pbo 1 0
	near "$BATS_TEST_TMPDIR/out" splits 6 0
	near "$BATS_TEST_TMPDIR/out" rows 4 0
	run -65 --separate-stderr qgtm-stats pbo --partitions 4 \
		"$BATS_TEST_TMPDIR/m.csv"
	[[ $stderr == *"need at least 2 rows per partition"* ]]
}

@test "bad input: one line naming file and line, exit 65, nothing printed" {
	printf '0.1\n0.2\nabc\n' >"$BATS_TEST_TMPDIR/r.txt"
	run -65 --separate-stderr qgtm-stats summary "$BATS_TEST_TMPDIR/r.txt"
	[ -z "$output" ]
	[ "$stderr" = "qgtm-stats: $BATS_TEST_TMPDIR/r.txt:3: cell 1: not a number" ]
	printf '1,2\n3\n' >"$BATS_TEST_TMPDIR/m.csv"
	run -65 --separate-stderr qgtm-stats pbo "$BATS_TEST_TMPDIR/m.csv"
	[ -z "$output" ]
	[ "$stderr" = "qgtm-stats: $BATS_TEST_TMPDIR/m.csv:2: 1 cells, expected 2 as on line 1" ]
	printf '1\n2\n3\n4\n' >"$BATS_TEST_TMPDIR/one.csv"
	run -65 --separate-stderr qgtm-stats pbo --partitions 2 "$BATS_TEST_TMPDIR/one.csv"
	assert_one_line "$stderr"
	run -65 --separate-stderr qgtm-stats pbo "$FIXTURES/stats-pbo-reversal.csv"
	[[ $stderr == *"need at least 2 rows per partition"* ]]
	run -65 --separate-stderr qgtm-stats summary </dev/null
	assert_one_line "$stderr"
}

@test "bad usage: odd partitions, missing or foreign options, exit 64" {
	run -64 --separate-stderr qgtm-stats pbo --partitions 3 "$FIXTURES/stats-pbo-reversal.csv"
	[ "$stderr" = "qgtm-stats: --partitions must be even and 2-24" ]
	run -64 --separate-stderr qgtm-stats psr --sr 1
	[ "$stderr" = "qgtm-stats: missing --n" ]
	run -64 --separate-stderr qgtm-stats psr --sr 1 --n 10 --trials 3
	run -64 --separate-stderr qgtm-stats psr --sr x --n 10
	run -64 --separate-stderr qgtm-stats nope
	run -64 --separate-stderr qgtm-stats
}

@test "a missing file is 66; a full stdout is 74" {
	run -66 --separate-stderr qgtm-stats summary "$BATS_TEST_TMPDIR/none"
	qgtm-stats summary "$FIXTURES/stats-weekly.txt" >/dev/full 2>/dev/null || rc=$?
	[ "$rc" -eq 74 ]
}

# pbo_same FILE S METRIC: qgtm-stats pbo and the numpy peer bench/pbo_ref.py
# give the same PBO and split count and logit means within 1e-9.
pbo_same() {
	qgtm-stats pbo --partitions "$2" --metric "$3" "$1" >"$BATS_TEST_TMPDIR/c"
	/usr/bin/python3 "$QGTM_TOP/bench/pbo_ref.py" "$1" "$2" "$3" \
		>"$BATS_TEST_TMPDIR/p"
	[ "$(sed -n 's/^pbo=//p' "$BATS_TEST_TMPDIR/c")" = \
		"$(sed -n 's/^pbo=//p' "$BATS_TEST_TMPDIR/p")" ]
	[ "$(sed -n 's/^splits=//p' "$BATS_TEST_TMPDIR/c")" = \
		"$(sed -n 's/^splits=//p' "$BATS_TEST_TMPDIR/p")" ]
	near "$BATS_TEST_TMPDIR/c" logit_mean \
		"$(sed -n 's/^logit_mean=//p' "$BATS_TEST_TMPDIR/p")" 1e-9
}

@test "pbo equals the numpy peer's (bench/pbo_ref.py), Sharpe and mean" {
	/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
		skip "python3-numpy is missing: no peer"
	/usr/bin/python3 -c "
import numpy as np
rng = np.random.default_rng(7)
m = rng.normal(0.0002, 0.01, size=(403, 30)) + rng.normal(0, 0.001, size=(1, 30))
np.savetxt('$BATS_TEST_TMPDIR/m.csv', m, delimiter=',', fmt='%.10f')
np.savetxt('$BATS_TEST_TMPDIR/one.csv', m[:16], delimiter=',', fmt='%.10f')"
	pbo_same "$BATS_TEST_TMPDIR/m.csv" 16 sharpe
	pbo_same "$BATS_TEST_TMPDIR/m.csv" 10 mean
	pbo_same "$BATS_TEST_TMPDIR/m.csv" 20 sharpe
	pbo_same "$BATS_TEST_TMPDIR/one.csv" 16 mean     # one row a block
}
