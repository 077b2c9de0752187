#!/usr/bin/env bats
# qgtm-fetch against the stand-in providers (tests/standin/feeds.py) on
# loopback: the requests each client sends (golden files), the store,
# every failure mode, `all` and `health`.

FEEDS="fred alpaca cftc lbma eia openbb"

setup() {
	load ../lib
	S=$BATS_TEST_TMPDIR/standin
	mkdir -p "$S"
	: >"$S/faults"
	python3 "$QGTM_TOP/tests/standin/feeds.py" "$S/port" "$S/log" \
		"$S/faults" "${STANDIN_LATENCY_MS:-0}" &
	STANDIN_PID=$!
	for _ in $(seq 100); do [ -s "$S/port" ] && break; sleep 0.05; done
	port=$(cat "$S/port")
	base=http://127.0.0.1:$port
	cat >"$BATS_TEST_TMPDIR/cfg.yaml" <<-EOF
	common:
	  universe: [GLD, SLV]
	http:
	  connect_timeout_ms: 1000
	  timeout_ms: 2500
	  retries: 1
	  backoff_ms: 10
	fetch:
	  sim:
	    feeds: []
	  feed_timeout_ms: 1500
	  fred:
	    url: "$base/fred"
	    series: [DGS10, T10YIE]
	  alpaca:
	    url: "$base"
	  cftc:
	    url: "$base"
	    page_rows: 3
	  lbma:
	    url: "$base"
	  eia:
	    url: "$base"
	  openbb:
	    url: "$base"
	EOF
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/cfg.yaml
	export QGTM_NOW=2026-03-16T12:00:00Z
	export FRED_API_KEY=fred0secret0key0never0shown0123
	export APCA_API_KEY_ID=PKSECRETKEYID0001
	export APCA_API_SECRET_KEY=alpaca0secret0never0shown
	export EIA_API_KEY=eia0secret0never0shown
}

teardown() {
	kill "$STANDIN_PID" 2>/dev/null || true
	wait "$STANDIN_PID" 2>/dev/null || true
}

# assert_no_secret FILE...: none of the keys appears in the files.
assert_no_secret() {
	! grep -F -e "$FRED_API_KEY" -e "$APCA_API_KEY_ID" \
		-e "$APCA_API_SECRET_KEY" -e "$EIA_API_KEY" "$@"
}

# requests SOURCE: the logged requests of SOURCE, without the source name.
requests() {
	sed -n "s/^$1 //p; /^  /p" "$S/log"
}

@test "each client sends the requests pinned in its golden file" {
	for f in $FEEDS; do
		: >"$S/log"
		run -0 --separate-stderr qgtm-fetch "$f"
		[ -n "$output" ]
		run -0 qgtm-fetch "$f"           # the rerun asks from the store on
		[ -z "$output" ]
		requests "$f" >"$BATS_TEST_TMPDIR/$f.req"
		# UPDATE_GOLDEN=1 rewrites the files (review the diff!)
		[ -z "${UPDATE_GOLDEN:-}" ] ||
			cp "$BATS_TEST_TMPDIR/$f.req" "$FIXTURES/fetch-$f.golden"
		diff -u "$FIXTURES/fetch-$f.golden" "$BATS_TEST_TMPDIR/$f.req"
	done
	assert_no_secret "$S/log" "$QGTM_STATE_DIR/feeds.jsonl"
}

@test "records carry the source's release rule in available_at" {
	qgtm-fetch cftc >/dev/null
	run -0 jq -r 'select(.date == "2026-03-03") | .available_at' \
		"$QGTM_STATE_DIR/data/cftc/088691-mm-long.jsonl"
	[ "$output" = "2026-03-06T20:30:00Z" ]      # Friday 15:30 EST
	qgtm-fetch eia >/dev/null
	run -0 jq -r '[.date, .value, .available_at] | @tsv' \
		"$QGTM_STATE_DIR/data/eia/WCESTUS1.jsonl"
	[ "${lines[0]}" = "2026-02-27	441207.000000	2026-03-04T15:30:00Z" ]
	[ "${lines[1]}" = "2026-03-06	443915.000000	2026-03-11T14:30:00Z" ]
	qgtm-fetch alpaca >/dev/null
	run -0 jq -r 'select(.date == "2026-03-09") | [.close, .available_at] | @tsv' \
		"$QGTM_STATE_DIR/data/alpaca/GLD.jsonl"
	[ "$output" = "205.000000	2026-03-09T20:00:00Z" ]  # 16:00 EDT
}

# ny_1530 DATE: 15:30 New York on DATE, in UTC.
ny_1530() {
	date -u -d "@$(TZ=America/New_York date -d "$1 15:30" +%s)" +%FT%TZ
}

# friday_1530 DATE: Friday 15:30 New York of DATE's week, in UTC.
friday_1530() {
	ny_1530 "$(date -u -d "$1 +$((5 - $(date -u -d "$1" +%u))) days" +%F)"
}

@test "a COT backfill over 2023-2026 stores every report at its real release" {
	sed -i 's|^fetch:$|fetch:\n  lookback_days: 1300|' "$BATS_TEST_TMPDIR/cfg.yaml"
	run -0 qgtm-fetch cftc
	run -0 jq -r '[.date, .available_at] | @tsv' \
		"$QGTM_STATE_DIR/data/cftc/088691-oi.jsonl"
	[ "${#lines[@]}" -eq 167 ]      # 2023-01-03 .. 2026-03-10, weekly
	declare -A table
	while IFS=$'\t' read -r report release _; do
		table[$report]=$(ny_1530 "$release")
	done < <(grep -v '^#' "$FIXTURES/cot-releases.tsv")
	[ "${#table[@]}" -ge 70 ]
	bad=0 listed=0
	for line in "${lines[@]}"; do
		date=${line%%$'\t'*} got=${line#*$'\t'}
		want=${table[$date]:-$(friday_1530 "$date")}
		[ -z "${table[$date]:-}" ] || listed=$((listed + 1))
		[ "$got" = "$want" ] || { echo "$date: $got, CFTC $want"; bad=1; }
	done
	[ "$bad" -eq 0 ]
	[ "$listed" -ge 70 ]
	# The shutdown backlog: the first catch-up on Wednesday 2025-11-19.
	run -0 jq -r 'select(.date == "2025-09-30") | .available_at' \
		"$QGTM_STATE_DIR/data/cftc/084691-mm-long.jsonl"
	[ "$output" = "2025-11-19T20:30:00Z" ]
}

@test "fred: the '.' is a missing value and a revision is a later vintage" {
	qgtm-fetch fred >/dev/null
	run -0 jq -c 'select(.date == "2026-03-09") | .value' \
		"$QGTM_STATE_DIR/data/fred/DGS10.jsonl"
	[ "$output" = "null" ]
	run -0 jq -r 'select(.date == "2026-03-03") | [.value, .available_at] | @tsv' \
		"$QGTM_STATE_DIR/data/fred/DGS10.jsonl"
	[ "${lines[0]}" = "1.510000	2026-03-05T05:00:00Z" ]
	[ "${lines[1]}" = "1.560000	2026-03-11T04:00:00Z" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "fred: a first fetch over 15 years of a daily series goes in windows" {
	# FRED refuses a real-time period of more than 2,000 vintage dates: a
	# first fetch asks for windows of 2,000 days, the last one open.
	sed -i -e 's/^fetch:$/fetch:\n  lookback_days: 5479/' \
		-e 's/series: \[DGS10, T10YIE\]/series: [DEXUSEU]/' "$QGTM_CONFIG"
	run -0 qgtm-fetch fred
	# Each weekday once, known from its first vintage, though a value
	# current at a window's start comes again in that window.
	[ "$(jq -r .date <<<"$output" | sort | uniq | wc -l)" -eq 3913 ]
	[ "${#lines[@]}" -eq 3913 ]
	run -0 sed -n 's/^fred GET .*realtime_start=\([0-9-]*\)&realtime_end=\([0-9-]*\)&.*/\1 \2/p' "$S/log"
	[ "${lines[*]}" = "2011-03-16 2016-09-04 2016-09-05 2022-02-25 2022-02-26 9999-12-31" ]
	run -0 jq -r '.date + " " + .available_at' "$QGTM_STATE_DIR/data/fred/DEXUSEU.jsonl"
	[ "${#lines[@]}" -eq 3913 ]
	[ "${lines[0]}" = "2011-03-16 2011-03-18T04:00:00Z" ]
	[ "${lines[-1]}" = "2026-03-13 2026-03-17T04:00:00Z" ]
	[ -z "$(printf '%s\n' "${lines[@]}" | cut -d ' ' -f 1 | sort | uniq -d)" ]
	run -0 jq -r .status "$QGTM_STATE_DIR/feeds.jsonl"
	[ "$output" = ok ]
}

@test "cftc: the Socrata app token goes as X-App-Token, from the env or a file" {
	run -0 qgtm-fetch cftc
	! grep -q X-App-Token "$S/log"
	rm -rf "$QGTM_STATE_DIR/data"
	: >"$S/log"
	tok=socrata0app0token0never0shown
	SOCRATA_APP_TOKEN=$tok run -0 --separate-stderr qgtm-fetch cftc
	[ "$(grep -c '^cftc GET' "$S/log")" -eq 2 ]
	sha=$(printf %s "$tok" | sha256sum | cut -c 1-16)
	[ "$(grep -c "^  X-App-Token: <secret> sha256:$sha$" "$S/log")" -eq 2 ]
	rm -rf "$QGTM_STATE_DIR/data"
	: >"$S/log"
	printf '%s\n' "$tok" >"$BATS_TEST_TMPDIR/tok"
	chmod 600 "$BATS_TEST_TMPDIR/tok"
	sed -i "s|^    page_rows: 3$|    page_rows: 3\n    app_token_file: \"$BATS_TEST_TMPDIR/tok\"|" "$QGTM_CONFIG"
	run -0 --separate-stderr qgtm-fetch cftc
	[ "$(grep -c "^  X-App-Token: <secret> sha256:$sha$" "$S/log")" -eq 2 ]
	! grep -qF "$tok" "$S/log" "$QGTM_STATE_DIR/feeds.jsonl"
	[[ $stderr != *"$tok"* ]]
}

@test "lbma: the man page says valuing with LBMA prices needs IBA's licence" {
	run -0 mandoc -T ascii "$QGTM_TOP/man/man1/qgtm-fetch.1"
	run -0 awk '/^CAVEATS/, /^[A-Z ]+$/ && !/^CAVEATS/' <<<"$(col -b <<<"$output")"
	[[ $(tr -s ' \n' '  ' <<<"$output") == *"Using them for valuation"*"needs a licence from IBA"* ]]
}

@test "a bar of a session still open is not fetched" {
	QGTM_NOW=2026-03-13T19:59:59Z run -0 qgtm-fetch openbb
	run -0 jq -r '.date' "$QGTM_STATE_DIR/data/openbb/GLD.jsonl"
	[ "${lines[-1]}" = "2026-03-12" ]
}

# fetch_waits_out_429 FEED: the stand-in answers FEED's first request 429;
# the fetch waits at least 1 s, then its 4 requests go through and the
# feed is ok.
fetch_waits_out_429() {
	echo "$1 429 1" >"$S/faults"
	t0=$(date +%s%N)
	run -0 qgtm-fetch "$1"
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 1000 ]
	[ "$(grep -c "^$1 GET" "$S/log")" -eq 4 ]
	run -0 jq -r '.status' "$QGTM_STATE_DIR/feeds.jsonl"
	[ "$output" = ok ]
}

@test "429 with Retry-After is waited out and retried" {
	fetch_waits_out_429 lbma
}

@test "alpaca: a 429 without Retry-After is waited out until X-RateLimit-Reset" {
	sed -i 's|timeout_ms: 2500|timeout_ms: 5000|' "$BATS_TEST_TMPDIR/cfg.yaml"
	# the stand-in's reset is the second after next: at least 1 s away
	fetch_waits_out_429 alpaca
}

@test "alpaca sip: the stand-in refuses recent SIP data; the client asks up to 15 minutes ago" {
	run -0 curl -s -H "APCA-API-KEY-ID: k" -H "APCA-API-SECRET-KEY: s" \
		"$base/v2/stocks/bars?symbols=GLD&timeframe=1Day&feed=sip"
	[ "$output" = '{"message": "subscription does not permit querying recent SIP data"}' ]
	: >"$S/log"
	sed -i 's|^  alpaca:$|  alpaca:\n    feed: sip|' "$BATS_TEST_TMPDIR/cfg.yaml"
	run -0 --separate-stderr qgtm-fetch alpaca
	[ -s "$QGTM_STATE_DIR/data/alpaca/GLD.jsonl" ]
	run -0 requests alpaca
	[[ ${lines[0]} == *"&end=2026-03-16T11%3A45%3A00Z&"*"&feed=sip&"* ]]
	: >"$S/log"
	sed -i 's|feed: sip|feed: iex|' "$BATS_TEST_TMPDIR/cfg.yaml"
	QGTM_NOW=2026-03-17T12:00:00Z run -0 --separate-stderr qgtm-fetch alpaca
	run -0 requests alpaca
	[[ ${lines[0]} == *"&end=2026-03-17T12%3A00%3A00Z&"*"&feed=iex&"* ]]
}

# fails SOURCE FAULT N CODE REASON: the fault makes the fetch exit CODE,
# the store holds nothing of the source, the feed record says REASON.
fails() {
	echo "$1 $2 $3" >"$S/faults"
	run "-$4" --separate-stderr qgtm-fetch "$1"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-fetch: $1: "*"$5"* ]]
	[ -z "$output" ]
	! ls "$QGTM_STATE_DIR"/data/"$1"/*.jsonl 2>/dev/null
	run -0 jq -r '[.feed, .status, .rows, .reason] | @tsv' \
		"$QGTM_STATE_DIR/feeds.jsonl"
	[[ ${lines[-1]} == "$1	error	0	$1: "*"$5"* ]]
	assert_no_secret "$QGTM_STATE_DIR/feeds.jsonl"
	[[ $stderr != *"$FRED_API_KEY"* && $stderr != *"$EIA_API_KEY"* ]]
	rm -f "$QGTM_STATE_DIR/feeds.jsonl"
}

@test "5xx, timeouts and truncated bodies: an error, nothing stored" {
	fails fred 500 "" 69 "HTTP 500: Internal Server Error"
	fails eia 500 "" 69 "HTTP 500"
	fails eia timeout 2 75 "Timeout was reached"
	fails cftc truncated 2 75 "partial file"
}

@test "an HTML page, a cut body or a bad number: an error, nothing stored" {
	fails alpaca html 2 76 "unexpected response: not JSON"
	fails eia badjson 2 76 "unexpected response: not JSON"
	fails lbma badvalue 1 76 "field 'v[0]': expected a number"
	fails fred badvalue 1 76 "field 'value': expected a number"
	fails cftc badvalue 1 76 "field 'open_interest_all': expected a number"
	fails openbb html 1 76 "not JSON"
}

@test "a missing key is a config error that names no secret" {
	unset FRED_API_KEY
	run -78 --separate-stderr qgtm-fetch fred
	[ "$stderr" = "qgtm-fetch: secret not configured: set FRED_API_KEY or fetch.fred.api_key_file" ]
	[ ! -s "$S/log" ]
}

@test "all: every feed at once; one failing stops none of the others" {
	echo "fred 500" >"$S/faults"
	echo "openbb timeout" >>"$S/faults"
	start=$(date +%s%N)
	run -69 qgtm-fetch all
	elapsed=$((($(date +%s%N) - start) / 1000000))
	[ "$elapsed" -lt 4000 ]
	run -0 jq -r '[.feed, .status] | @tsv' <<<"$output"
	[ "${lines[*]}" = "fred	error alpaca	ok cftc	ok lbma	ok eia	ok openbb	error" ]
	run -0 jq -r 'select(.feed == "openbb") | .reason' "$QGTM_STATE_DIR/feeds.jsonl"
	[ "$output" = "openbb: timed out after 1500 ms" ]
	[ -s "$QGTM_STATE_DIR/data/alpaca/GLD.jsonl" ]
}

@test "health: n/6 healthy, with the reason when not" {
	run -1 qgtm-fetch health
	[ "${lines[0]}" = "Data feeds: 0/6 healthy (fred, alpaca, cftc, lbma, eia, openbb)" ]
	[ "${lines[1]}" = "fred: no good fetch" ]
	run -0 qgtm-fetch all
	run -0 qgtm-fetch health
	[ "$output" = "Data feeds: 6/6 healthy (fred, alpaca, cftc, lbma, eia, openbb)" ]
	# Two days later nothing was fetched: old, and the schedule moved on.
	QGTM_NOW=2026-03-18T23:00:00Z run -1 qgtm-fetch health -j
	[ "${#lines[@]}" -eq 6 ]
	run -0 jq -r 'select(.feed == "eia") | .reason' <<<"$output"
	[[ $output == "last good fetch 2026-03-16T12:00:00Z is over 24 h old" ]]
	# Within 24 h, but Monday's session closed and no bar of it came.
	QGTM_NOW=2026-03-16T23:00:00Z run -1 qgtm-fetch health
	[ "${lines[0]}" = "Data feeds: 4/6 healthy (fred, alpaca, cftc, lbma, eia, openbb)" ]
	[ "${lines[1]}" = "alpaca: stale: newest observation 2026-03-13, schedule has 2026-03-16" ]
	# The COT of Tuesday 2026-03-17 is out on Friday at 15:30 EDT.
	QGTM_NOW=2026-03-20T20:00:00Z qgtm-fetch all >/dev/null || true
	QGTM_NOW=2026-03-20T20:00:00Z run -1 qgtm-fetch health -j
	run -0 jq -r 'select(.feed == "cftc") | .reason' <<<"$output"
	[ "$output" = "stale: newest observation 2026-03-10, schedule has 2026-03-17" ]
}

@test "alpaca intraday: SYMBOL@1Hour series keyed by start, known when each bar ends" {
	sed -i 's|^  alpaca:$|  alpaca:\n    timeframe: 1Hour|' "$BATS_TEST_TMPDIR/cfg.yaml"
	export QGTM_NOW=2026-03-13T16:45:00Z
	run -0 --separate-stderr qgtm-fetch alpaca
	f=$QGTM_STATE_DIR/data/alpaca/GLD@1Hour.jsonl
	run -0 grep -c '"type":"bar"' "$f"
	# Nine sessions of 7 hours, and on March 13 the bars that ended by 16:45Z.
	[ "$output" -eq $((9 * 7 + 2)) ]
	run -0 jq -r 'select(.date | startswith("2026-03-13")) | [.date, .available_at] | @tsv' "$f"
	[ "${lines[0]}" = "2026-03-13T14:30:00Z	2026-03-13T15:30:00Z" ]
	[ "${lines[1]}" = "2026-03-13T15:30:00Z	2026-03-13T16:30:00Z" ]
	[ "${#lines[@]}" -eq 2 ]
	grep -q 'timeframe=1Hour' "$S/log"
	[ ! -e "$QGTM_STATE_DIR/data/alpaca/GLD.jsonl" ]
	# Later the same day: the rest of the day comes in, nothing twice.
	QGTM_NOW=2026-03-16T12:00:00Z run -0 qgtm-fetch alpaca
	run -0 jq -r '.date' "$f"
	[ "$(printf '%s\n' "$output" | sort | uniq -d | wc -l)" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq $((10 * 7)) ]
}
