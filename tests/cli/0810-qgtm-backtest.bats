#!/usr/bin/env bats
# qgtm-backtest: a month of tsmom over the sim market through the live
# path, its outputs, determinism, and the bad-option paths.

setup() {
	load ../lib
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
}

# bt DIR [ARG ...]: a February 2001 backtest of tsmom writing into DIR.
bt() {
	dir=$1
	shift
	qgtm-backtest --strategy tsmom --from 2001-02-01 --to 2001-02-28 \
		--out "$dir" "$@" >"$dir.report"
}

# key FILE KEY: the value of KEY=value in FILE.
key() {
	sed -n "s/^$2=//p" "$1"
}

@test "-h prints the SYNOPSIS of qgtm-backtest(1)" {
	usage_lines qgtm-backtest >"$BATS_TEST_TMPDIR/usage"
	mandoc_synopsis qgtm-backtest >"$BATS_TEST_TMPDIR/synopsis"
	diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
}

@test "a month: report, returns, trades and chart agree; no state is left" {
	bt "$BATS_TEST_TMPDIR/a"
	r="$BATS_TEST_TMPDIR/a.report"
	[ "$(key "$r" from)" = 2001-02-01 ]
	[ "$(key "$r" to)" = 2001-02-28 ]
	[ "$(key "$r" days)" -eq 19 ]
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/a/returns.csv") - 1))" -eq 19 ]
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/a/trades.csv") - 1))" -eq "$(key "$r" trades)" ]
	[ "$(key "$r" trades)" -gt 0 ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/a/returns.csv" | cut -d, -f3)" = "$(key "$r" final_equity)" ]
	# the daily returns give the report's Sharpe through qgtm-stats
	cut -d, -f2 "$BATS_TEST_TMPDIR/a/returns.csv" | sed 1d >"$BATS_TEST_TMPDIR/ret"
	qgtm-stats summary "$BATS_TEST_TMPDIR/ret" >"$BATS_TEST_TMPDIR/sum"
	awk -v a="$(key "$r" sharpe)" -v b="$(key "$BATS_TEST_TMPDIR/sum" sharpe)" \
		'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }'
	head -c 4 "$BATS_TEST_TMPDIR/a/equity.svg" | grep -q '^<svg'
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/a/equity.svg")" = "</svg>" ]
	[ ! -e "$QGTM_STATE_DIR" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "the same run twice gives the same bytes; a parameter changes it" {
	bt "$BATS_TEST_TMPDIR/a"
	bt "$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a/returns.csv" "$BATS_TEST_TMPDIR/b/returns.csv"
	diff -u "$BATS_TEST_TMPDIR/a/trades.csv" "$BATS_TEST_TMPDIR/b/trades.csv"
	bt "$BATS_TEST_TMPDIR/c" --param target_vol=0.1
	! diff -q "$BATS_TEST_TMPDIR/a/returns.csv" "$BATS_TEST_TMPDIR/c/returns.csv"
}

@test "bad options: one line, exit 64, nothing written, no state left" {
	run -64 --separate-stderr qgtm-backtest --strategy nope --out "$BATS_TEST_TMPDIR/o"
	[ "$stderr" = "qgtm-backtest: unknown strategy 'nope' (known: tsmom xsmom vol_risk_parity gold_silver_ratio real_rate_gold cot_positioning inventory_surprise combined)" ]
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --param nope=1 \
		--out "$BATS_TEST_TMPDIR/o"
	[ "$stderr" = "qgtm-backtest: unknown parameter 'nope' of strategy tsmom" ]
	run -64 --separate-stderr qgtm-backtest --strategy tsmom \
		--param lookback_months=1.5 --out "$BATS_TEST_TMPDIR/o"
	[ "$stderr" = "qgtm-backtest: --param lookback_months: expected an integer, got '1.5'" ]
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --from 2001-02-30 \
		--out "$BATS_TEST_TMPDIR/o"
	assert_one_line "$stderr"
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --from 2001-02-03 \
		--to 2001-02-04 --out "$BATS_TEST_TMPDIR/o"
	assert_one_line "$stderr"
	run -64 --separate-stderr qgtm-backtest
	[ -z "$output" ]
	[ ! -e "$BATS_TEST_TMPDIR/o" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "--grid and --walk-forward: PBO, DSR and the stitched test windows" {
	o="$BATS_TEST_TMPDIR/wf"
	qgtm-backtest --strategy tsmom --from 2001-01-02 --to 2001-02-28 \
		--grid target_vol=0.1,0.4 --walk-forward train=10,test=5,anchored \
		--out "$o" >"$o.report"
	r="$o.report"
	[ "$(key "$r" configs)" -eq 2 ]
	n=$(key "$r" sessions)
	[ "$(wc -l <"$o/grid.csv")" -eq "$n" ]
	[ "$(head -n 1 "$o/grid.csv" | tr ',' '\n' | wc -l)" -eq 2 ]
	[ "$(cat "$o/grid-configs.txt")" = "target_vol=0.1
target_vol=0.4" ]
	# qgtm-stats reads the same matrix to the same PBO
	qgtm-stats pbo "$o/grid.csv" >"$BATS_TEST_TMPDIR/pbo"
	awk -v a="$(key "$r" pbo)" -v b="$(key "$BATS_TEST_TMPDIR/pbo" pbo)" \
		'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }'
	# the walk starts after the first training window and covers the rest once
	[ "$(key "$r" oos_from)" = "$(\
		sed -n 2p "$o/walkforward.csv" | cut -d, -f1)" ]
	[ "$(($(wc -l <"$o/walkforward.csv") - 1))" -eq "$(key "$r" oos_days)" ]
	[ "$(key "$r" oos_days)" -eq $((n - 10)) ]
	[ "$(key "$r" folds)" -eq $(((n - 10 + 4) / 5)) ]
	grep -q '<h1>tsmom: walk-forward</h1>' "$o/report.html"
	grep -q '<svg ' "$o/report.html"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "bad --grid or --walk-forward: exit 64 and nothing written" {
	o="$BATS_TEST_TMPDIR/o"
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --walk-forward \
		train=10,test=5 --out "$o"
	[ "$stderr" = "qgtm-backtest: --walk-forward needs --grid" ]
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --grid \
		target_vol=0.1,0.2 --walk-forward train=10 --out "$o"
	assert_one_line "$stderr"
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --grid nope=1,2 \
		--out "$o"
	[ "$stderr" = "qgtm-backtest: unknown parameter 'nope' of strategy tsmom" ]
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --grid \
		target_vol=0.1 --out "$o"
	[ "$stderr" = "qgtm-backtest: --grid: need at least 2 configurations" ]
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --from 2001-02-01 \
		--to 2001-02-09 --grid target_vol=0.1,0.2 --out "$o"
	[[ $stderr == *"too few for PBO"* ]]
	[ ! -e "$o" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "the live pipe, run day by day, gives the backtest's equity to the cent" {
	qgtm-backtest --strategy tsmom --from 2001-01-29 --to 2001-02-06 \
		--out "$BATS_TEST_TMPDIR/bt" >/dev/null
	sed 1d "$BATS_TEST_TMPDIR/bt/returns.csv" | cut -d, -f1,3 >"$BATS_TEST_TMPDIR/want"
	from=--from=2000-01-03
	for d in $(cut -d, -f1 "$BATS_TEST_TMPDIR/want"); do
		export QGTM_NOW=${d}T21:00:00Z    # the session close, as pinned
		qgtm-fetch ${from:+"$from"} sim >/dev/null
		from=
		qgtm-signal -s tsmom </dev/null >"$BATS_TEST_TMPDIR/sig"
		qgtm-risk check "$BATS_TEST_TMPDIR/sig" >"$BATS_TEST_TMPDIR/dec"
		qgtm-order submit -b sim "$BATS_TEST_TMPDIR/dec" >/dev/null
		qgtm-order positions -j >"$BATS_TEST_TMPDIR/pos"
		printf '%s,%s\n' "$d" "$(jq -r 'select(.type == "account") | .equity' \
			"$BATS_TEST_TMPDIR/pos")"
	done >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the range holds trading days: the equity moves
	[ "$(cut -d, -f2 "$BATS_TEST_TMPDIR/got" | sort -u | wc -l)" -gt 2 ]
}

@test "decay: one line per strategy, the last 126 sessions against the rest" {
	QGTM_NOW=2030-01-02T00:00:00Z qgtm-backtest decay --strategy tsmom \
		--strategy real_rate_gold --from 2001-01-01 --to 2001-12-31 \
		>"$BATS_TEST_TMPDIR/d"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/d")" -eq 2 ]
	grep -q '^strategy=tsmom insample_sharpe=[-0-9.]* recent_sharpe=[-0-9.]* ratio=[-0-9.]* status=\(ok\|decayed\|no_edge\) insample_days=122 recent_days=126$' \
		"$BATS_TEST_TMPDIR/d"
	# never traded without stored observations: no Sharpe, no edge
	grep -q '^strategy=real_rate_gold insample_sharpe=nan recent_sharpe=nan ratio=nan status=no_edge ' \
		"$BATS_TEST_TMPDIR/d"
	# the status follows the documented rule from the printed Sharpes
	awk '/tsmom/ { split($2, a, "="); split($3, b, "="); split($5, s, "=");
		want = a[2] > 0 ? (b[2] < 0.5 * a[2] ? "decayed" : "ok") : "no_edge";
		exit want != s[2] }' "$BATS_TEST_TMPDIR/d"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "decay -j: decay records with the dates of the split" {
	QGTM_NOW=2030-01-02T00:00:00Z qgtm-backtest decay -j --strategy tsmom \
		--from 2001-01-01 --to 2001-12-31 >"$BATS_TEST_TMPDIR/d.json"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/d.json")" -eq 1 ]
	[ "$(jq -r '[.type, .strategy, .basis, .from, .to, .recent_days,
		.insample_days, .ts] | join(" ")' "$BATS_TEST_TMPDIR/d.json")" = \
		"decay tsmom backtest 2001-01-02 2001-12-31 126 122 2030-01-02T00:00:00Z" ]
	jq -e '.status | IN("ok", "decayed", "no_edge")' "$BATS_TEST_TMPDIR/d.json"
}

@test "decay: bad strategy, short range or a backtest option: exit 64" {
	run -64 --separate-stderr qgtm-backtest decay --strategy nope
	assert_one_line "$stderr"
	run -64 --separate-stderr qgtm-backtest decay --strategy tsmom \
		--from 2001-01-01 --to 2001-06-30
	assert_one_line "$stderr"
	run -64 --separate-stderr qgtm-backtest decay --param target_vol=0.1
	run -64 --separate-stderr qgtm-backtest --strategy tsmom -j
	[ -z "$(ls -A "$TMPDIR")" ]
}

# plant_dfii10: DFII10 yields for every day of 2000-2001 in the user's
# store, each known at noon the next day.
plant_dfii10() {
	mkdir -p "$QGTM_STATE_DIR/data/fred"
	jq -nc 'range(0; 730) | (946684800 + . * 86400) as $t |
		{type: "obs", source: "fred", series: "DFII10",
		 date: ($t | todate | .[0:10]),
		 value: (((. * 7) % 23) / 10 + 1 | tostring),
		 available_at: ($t + 129600 | todate)}' \
		>"$QGTM_STATE_DIR/data/fred/DFII10.jsonl"
}

@test "real_rate_gold backtests over the user's stored yields, untouched" {
	rr=(--strategy real_rate_gold --from 2001-02-01 --to 2001-02-28
		--param window_days=20 --param entry_z=0.5)
	qgtm-backtest "${rr[@]}" >"$BATS_TEST_TMPDIR/none"
	[ "$(key "$BATS_TEST_TMPDIR/none" trades)" -eq 0 ]
	plant_dfii10
	sum=$(cksum <"$QGTM_STATE_DIR/data/fred/DFII10.jsonl")
	qgtm-backtest "${rr[@]}" >"$BATS_TEST_TMPDIR/obs"
	[ "$(key "$BATS_TEST_TMPDIR/obs" trades)" -gt 0 ]
	[ "$(cksum <"$QGTM_STATE_DIR/data/fred/DFII10.jsonl")" = "$sum" ]
	[ "$(ls "$QGTM_STATE_DIR/data")" = fred ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "a bad stored observation: exit 65, one line, no state left" {
	plant_dfii10
	echo '{"type":"obs","date":' >>"$QGTM_STATE_DIR/data/fred/DFII10.jsonl"
	run -65 --separate-stderr qgtm-backtest --strategy real_rate_gold \
		--from 2001-02-01 --to 2001-02-28
	assert_one_line "$stderr"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "--frictionless: each return is the sum of yesterday's approved weights times today's returns" {
	qgtm-backtest --strategy tsmom --from 2001-02-26 --to 2001-03-06 \
		--frictionless --out "$BATS_TEST_TMPDIR/bt" >"$BATS_TEST_TMPDIR/r"
	[ "$(key "$BATS_TEST_TMPDIR/r" trades)" -eq 0 ]
	sed 1d "$BATS_TEST_TMPDIR/bt/returns.csv" | cut -d, -f1,2 >"$BATS_TEST_TMPDIR/got"
	# the weights: the live signal through the live risk gate each session
	from=--from=2000-01-03
	for d in $(cut -d, -f1 "$BATS_TEST_TMPDIR/got"); do
		export QGTM_NOW=${d}T21:00:00Z
		qgtm-fetch ${from:+"$from"} sim >>"$BATS_TEST_TMPDIR/bars"
		from=
		qgtm-signal -s tsmom </dev/null >"$BATS_TEST_TMPDIR/sig"
		qgtm-risk check "$BATS_TEST_TMPDIR/sig" |
			jq -r --arg d "$d" '.targets[] | "w \($d) \(.symbol) \(.approved_weight)"'
	done >"$BATS_TEST_TMPDIR/w"
	jq -r 'select(.type == "bar") | "c \(.date) \(.symbol) \(.close)"' \
		"$BATS_TEST_TMPDIR/bars" >"$BATS_TEST_TMPDIR/c"
	# r_t = sum over symbols of w_{t-1} (c_t / c_{t-1} - 1); nothing is
	# held before the first session
	cat "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/w" | awk '
		$1 == "c" { c[$2, $3] = $4; if (!($2 in seen)) { seen[$2]; dates[++n] = $2 } }
		$1 == "w" { if ($4 != "null") w[$2, $3] = $4; if (!($2 in win)) { win[$2]; days[++k] = $2 } ; sym[$3] }
		END {
			for (i = 1; i <= n; i++) prev[dates[i]] = dates[i - 1]
			for (j = 1; j <= k; j++) {
				t = days[j]; r = 0
				if (j > 1) for (s in sym) if (((days[j - 1], s) in w) && w[days[j - 1], s] != 0)
					r += w[days[j - 1], s] * (c[t, s] / c[prev[t], s] - 1)
				printf "%s,%.17g\n", t, r
			}
		}' >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq "$(wc -l <"$BATS_TEST_TMPDIR/got")" ]
	paste -d, "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want" | awk -F, '
		$1 != $3 { exit 1 }
		{ d = $2 - $4; if (d < 0) d = -d; if (d > 1e-12) exit 1; moved += $2 != 0 }
		NR == 1 && $2 != 0 { exit 1 }
		END { exit moved < 3 }'
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "--frictionless keeps the live path's bad-option rules" {
	run -64 --separate-stderr qgtm-backtest decay --frictionless
	[ -z "$output" ]
	run -64 --separate-stderr qgtm-backtest --strategy tsmom --no-save
	[ -z "$output" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "decay saves its records in the state directory for the readiness page" {
	QGTM_NOW=2030-01-02T00:00:00Z qgtm-backtest decay -j --strategy tsmom \
		--strategy real_rate_gold --from 2001-01-01 --to 2001-12-31 \
		>"$BATS_TEST_TMPDIR/d.json"
	saved=$QGTM_STATE_DIR/research/decay.jsonl
	diff -u "$BATS_TEST_TMPDIR/d.json" "$saved"
	[ "$(jq -r '[keys_unsorted[] | select(. != "v" and . != "src" and . != "clock")] | join(" ")' "$saved" | sort -u)" = \
		"type ts strategy basis from recent_from to insample_sharpe recent_sharpe ratio status insample_days recent_days" ]
	# a text run appends the same records again; --no-save appends none
	QGTM_NOW=2030-01-03T00:00:00Z qgtm-backtest decay --strategy tsmom \
		--from 2001-01-01 --to 2001-12-31 >/dev/null
	[ "$(wc -l <"$saved")" -eq 3 ]
	[ "$(tail -n 1 "$saved" | jq -r '[.strategy, .ts] | join(" ")')" = \
		"tsmom 2030-01-03T00:00:00Z" ]
	cp "$saved" "$BATS_TEST_TMPDIR/before"
	QGTM_NOW=2030-01-04T00:00:00Z qgtm-backtest decay --no-save --strategy tsmom \
		--from 2001-01-01 --to 2001-12-31 >"$BATS_TEST_TMPDIR/t"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/t")" -eq 1 ]
	cmp "$BATS_TEST_TMPDIR/before" "$saved"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "decay takes the recent window from the paper record when it is long enough" {
	# the user's paper book: 100 GLD bought by tsmom at the first close
	# of 2001 and held, on the sim prices of the user's store
	QGTM_NOW=2001-12-31T22:00:00Z qgtm-fetch --from=2000-01-03 sim >"$BATS_TEST_TMPDIR/bars"
	jq -r 'select(.symbol == "GLD" and .date >= "2001") | "\(.date) \(.close)"' \
		"$BATS_TEST_TMPDIR/bars" >"$BATS_TEST_TMPDIR/gld"
	read -r d0 c0 <"$BATS_TEST_TMPDIR/gld"
	mkdir -p "$QGTM_STATE_DIR/oms"
	jq -nc --arg ts "${d0}T21:00:00Z" --arg c "$c0" '
		{order: {type: "order", ts: $ts, client_order_id: "qgtm-paper",
		  strategy: "tsmom", symbol: "GLD", side: "buy", qty: "100",
		  order_type: "market", status: "filled"},
		 fill: {type: "fill", ts: $ts, client_order_id: "qgtm-paper",
		  symbol: "GLD", side: "buy", qty: "100", price: $c,
		  commission: "1.00",
		  notional: ($c | tonumber * 100 | . * 100 | round / 100 | tostring)}}' \
		>"$QGTM_STATE_DIR/oms/orders.jsonl"
	QGTM_NOW=2002-01-02T00:00:00Z qgtm-backtest decay -j --no-save \
		--strategy tsmom --from 2001-01-01 --to 2001-12-31 >"$BATS_TEST_TMPDIR/d.json"
	n=$(wc -l <"$BATS_TEST_TMPDIR/gld")
	[ "$(jq -r '[.basis, .from, .recent_from, .to, .recent_days,
		.insample_days] | join(" ")' "$BATS_TEST_TMPDIR/d.json")" = \
		"paper 2001-01-02 $(sed -n "$((n - 125))p" "$BATS_TEST_TMPDIR/gld" | cut -d' ' -f1) 2001-12-31 126 $((n - 126))" ]
	# the recent Sharpe is that of the paper PnL, 100 x the change of
	# the GLD close, over its last 126 sessions
	tail -n 127 "$BATS_TEST_TMPDIR/gld" | awk -v got="$(jq .recent_sharpe "$BATS_TEST_TMPDIR/d.json")" '
		NR > 1 { x = 100 * ($2 - prev); s += x; ss += x * x; k++ }
		{ prev = $2 }
		END { m = s / k; sd = sqrt((ss - k * m * m) / (k - 1))
		    want = m / sd * sqrt(252); d = got - want
		    exit !(k == 126 && d < 1e-9 && d > -1e-9) }'
	[ ! -e "$QGTM_STATE_DIR/research/decay.jsonl" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

# peer_agree QGTM PEER: the return matrices QGTM and PEER (CSV, a session a
# row, the same columns) are the same shape, differ nowhere by more than
# 1e-12, and some returns are not 0.
peer_agree() {
	paste -d, "$1" "$2" | awk -F, -v nq="$(wc -l <"$1")" \
		-v np="$(wc -l <"$2")" '
		{ k = NF / 2; for (i = 1; i <= k; i++) { d = $i - $(i + k)
		    if (d < 0) d = -d; if (d > m) m = d; moved += $i != 0 } }
		END { print "sessions " nq " " np " max_abs_diff " m " moved " moved
		    exit !(nq == np && nq > 100 && m <= 1e-12 && moved > 100) }'
}

@test "--frictionless and --grid give the vectorized pandas peer's returns to 1e-12" {
	/usr/bin/python3 -c 'import pandas, numpy' 2>/dev/null ||
		skip "python3-pandas or python3-numpy is missing: no peer"
	cfg=$BATS_TEST_TMPDIR/q.yaml
	printf '%s\n' 'common:' '  universe: [GLD, SLV, TLT, SPY]' 'fetch:' \
		'  sim:' '    start: "2000-01-03"' 'risk:' \
		'  max_gross_exposure: 10' '  max_net_exposure: 10' >"$cfg"
	QGTM_NOW=2003-01-31T23:00:00Z qgtm-fetch -q -c "$cfg" \
		--from 2000-01-03 --to 2003-01-31 sim >"$BATS_TEST_TMPDIR/bars"
	qgtm-backtest -c "$cfg" --strategy tsmom --from 2001-06-01 \
		--to 2002-12-31 --frictionless --out "$BATS_TEST_TMPDIR/bt" >/dev/null
	/usr/bin/python3 "$QGTM_TOP/bench/backtest_ref.py" "$BATS_TEST_TMPDIR/bars" \
		2001-06-01 2002-12-31 GLD SLV TLT SPY >"$BATS_TEST_TMPDIR/ref.csv"
	sed 1d "$BATS_TEST_TMPDIR/bt/returns.csv" | cut -d, -f1 >"$BATS_TEST_TMPDIR/qd"
	sed 1d "$BATS_TEST_TMPDIR/ref.csv" | cut -d, -f1 >"$BATS_TEST_TMPDIR/pd"
	diff -u "$BATS_TEST_TMPDIR/qd" "$BATS_TEST_TMPDIR/pd"
	sed 1d "$BATS_TEST_TMPDIR/bt/returns.csv" | cut -d, -f2 >"$BATS_TEST_TMPDIR/q"
	sed 1d "$BATS_TEST_TMPDIR/ref.csv" | cut -d, -f2 >"$BATS_TEST_TMPDIR/p"
	peer_agree "$BATS_TEST_TMPDIR/q" "$BATS_TEST_TMPDIR/p"
	qgtm-backtest -c "$cfg" --strategy tsmom --from 2001-06-01 \
		--to 2002-12-31 --frictionless --grid lookback_months=6,12 \
		--grid vol_com_days=30,60 --out "$BATS_TEST_TMPDIR/g" >/dev/null
	/usr/bin/python3 "$QGTM_TOP/bench/backtest_ref.py" --grid 6,12 30,60 \
		"$BATS_TEST_TMPDIR/bars" 2001-06-01 2002-12-31 GLD SLV TLT SPY |
		sed 1d | cut -d, -f2- >"$BATS_TEST_TMPDIR/pg"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/pg" | tr , '\n' | wc -l)" -eq 4 ]
	peer_agree "$BATS_TEST_TMPDIR/g/grid.csv" "$BATS_TEST_TMPDIR/pg"
}
