#!/usr/bin/env bats
# 0900-hostile: every program that reads records or files, fed binary
# garbage, a 10 MiB line, 100000 nested '[', an empty file, CRLF line ends,
# NaN, Inf, a negative quantity, an unknown symbol and Unicode in a name.
# The table (tests/fixtures/hostile/table) says the exit code of each;
# a refusal is one stderr line and no change of state.

HOSTILE=${BATS_TEST_DIRNAME}/../fixtures/hostile

setup_file() {
	# The large cases are made here, never committed.
	sh "$HOSTILE/gen.sh" "$BATS_FILE_TMPDIR/cases"
}

setup() {
	load ../lib
	export QGTM_NOW=2026-11-20T21:30:00Z
	CASES=$BATS_FILE_TMPDIR/cases
	BASE=$BATS_TEST_TMPDIR/base
	TOKEN=t0k3n-S3CRET-for-tests
}

# base: a state that has seen one run of every program: the sim store, the
# kill switch, a chain, a book, the pages (and so the chain's index).
base() {
	qgtm-fetch sim >/dev/null
	qgtm-risk status >/dev/null
	qgtm-audit append "$HOSTILE/records/valid"
	qgtm-order submit --broker sim "$HOSTILE/decisions/valid" >/dev/null
	qgtm-status render --out "$BATS_TEST_TMPDIR/pages" >/dev/null
	rm -rf "$BASE"
	cp -a "$QGTM_STATE_DIR" "$BASE"
}

# case_file INPUT CASE: the file of one case.
case_file() {
	case $2 in
	garbage | long | nested | empty) echo "$CASES/$2" ;;
	crlf) echo "$CASES/$1/crlf" ;;
	*) echo "$HOSTILE/$1/$2" ;;
	esac
}

# api METHOD PATH QUERY BODY-FILE: qgtm-api as a web server runs it.
api() {
	local hash
	hash=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/qgtm.yaml
	printf 'api:\n  tokens: ["alice:%s"]\n  public_origins: ["http://127.0.0.1:8080"]\n' "$hash" >"$QGTM_CONFIG"
	REQUEST_METHOD=$1 SCRIPT_NAME=/api PATH_INFO=${2#/api} QUERY_STRING=$3 \
	HTTP_HOST=127.0.0.1:8080 HTTP_ORIGIN=http://127.0.0.1:8080 \
	HTTP_AUTHORIZATION="Bearer $TOKEN" CONTENT_TYPE=application/json \
	CONTENT_LENGTH=$(stat -c %s "$4") qgtm-api <"$4"
}

# feed PROGRAM FILE: run one program of the table on one case file.
feed() {
	case $1 in
	risk-check) qgtm-risk check "$2" ;;
	order-submit) qgtm-order submit --broker sim "$2" ;;
	audit-append) qgtm-audit append "$2" ;;
	signal) qgtm-signal -s tsmom "$2" ;;
	signal-store)
		cat "$2" >>"$QGTM_STATE_DIR/data/sim/GLD.jsonl"
		QGTM_NOW=2026-11-24T21:30:00Z qgtm-signal -s tsmom </dev/null ;;
	stats-summary) qgtm-stats summary "$2" ;;
	stats-pbo) qgtm-stats pbo --partitions 2 "$2" ;;
	backtest)
		qgtm-backtest --strategy tsmom --from 2026-11-16 --to 2026-11-20 \
			--param "$(head -n 1 "$2" | tr -d '\0')" ;;
	status-render)
		cp "$2" "$QGTM_STATE_DIR/oms/orders.jsonl"
		qgtm-status render --out "$BATS_TEST_TMPDIR/pages" ;;
	digest)
		cp "$2" "$QGTM_STATE_DIR/oms/orders.jsonl"
		qgtm-digest --format json ;;
	api-body) api POST /api/v1/flatten "" "$2" ;;
	api-query) api GET /api/v1/status "$(head -c 4096 "$2" | tr -d '\0\n')" \
		/dev/null ;;
	esac
}

# The state files a run may not touch: those of the base, but where feed
# itself puts the case (the store file, the journal).
snapshot() {
	(cd "$QGTM_STATE_DIR" && find . -type f ! -name lock ! -name '*.lock' \
		-print0 | sort -z | xargs -0 -r sha256sum) >"$1"
}

# check_rows PROGRAM: run every row of PROGRAM in the table; print each
# row that fails and why, and fail if any did.
check_rows() {
	local prog=$1 input c want http f bad=0 prefix
	while read -r p input c want http; do
		[ "$p" = "$prog" ] || continue
		f=$(case_file "$input" "$c")
		rm -rf "$QGTM_STATE_DIR"
		cp -a "$BASE" "$QGTM_STATE_DIR"
		# the store file and journal feed replaces, as the run will see them
		case $prog in
		signal-store) cat "$f" >>"$QGTM_STATE_DIR/data/sim/GLD.jsonl" ;;
		status-render | digest) cp "$f" "$QGTM_STATE_DIR/oms/orders.jsonl" ;;
		esac
		snapshot "$BATS_TEST_TMPDIR/before"
		rm -rf "$QGTM_STATE_DIR"
		cp -a "$BASE" "$QGTM_STATE_DIR"
		run --separate-stderr feed "$prog" "$f"
		prefix=qgtm-${prog%%-*}
		[ "$prog" != stats-summary ] && [ "$prog" != stats-pbo ] ||
			prefix=qgtm-stats
		[ "$prog" != signal-store ] || prefix=qgtm-signal
		if [ "$status" -ne "$want" ]; then
			echo "$prog $c: exit $status, want $want: $stderr"
			bad=1
		elif [ "$want" -ne 0 ]; then
			if ! [[ $stderr == "$prefix: "* ]] ||
				! assert_one_line "$stderr"; then
				echo "$prog $c: want one line '$prefix: ...', got: $stderr"
				bad=1
			fi
		elif [ -n "$http" ]; then
			if [ "$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' <<<"$output")" != "$http" ]; then
				echo "$prog $c: want HTTP $http, got: ${output%%$'\r'*}"
				bad=1
			fi
		elif [ -n "$stderr" ]; then
			echo "$prog $c: exit 0 with stderr: $stderr"
			bad=1
		fi
		# Refusals, and readers whatever they answer, change nothing.
		case $want:$prog in
		0:risk-check | 0:order-submit | 0:audit-append) ;;
		*)
			snapshot "$BATS_TEST_TMPDIR/after"
			diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" ||
				{ echo "$prog $c: the state changed"; bad=1; } ;;
		esac
		if [ "$c" = crlf ] && [ "$status" -eq 0 ]; then
			local crlf_out=$output
			rm -rf "$QGTM_STATE_DIR"
			cp -a "$BASE" "$QGTM_STATE_DIR"
			run --separate-stderr feed "$prog" "$(case_file "$input" valid)"
			[ "$output" = "$crlf_out" ] ||
				{ echo "$prog crlf: prints other than valid"; bad=1; }
		fi
	done < <(sed 's/#.*//; /^[[:space:]]*$/d' "$HOSTILE/table")
	return "$bad"
}

@test "the table names every case of every program once" {
	run -0 awk '!/^#/ && NF { n[$1 " " $3]++ }
		END { for (k in n) if (n[k] != 1) { print k; bad = 1 }; exit bad }' \
		"$HOSTILE/table"
	# and every typed case file the table names exists
	while read -r p input c want http; do
		[ -e "$(case_file "$input" "$c")" ] || { echo "$input/$c"; false; }
	done < <(sed 's/#.*//; /^[[:space:]]*$/d' "$HOSTILE/table")
}

@test "qgtm-risk check" {
	base
	check_rows risk-check
}

@test "qgtm-order submit" {
	base
	check_rows order-submit
}

@test "qgtm-audit append" {
	base
	check_rows audit-append
}

@test "qgtm-signal: its input and its store" {
	base
	check_rows signal
	check_rows signal-store
}

@test "qgtm-stats summary and pbo" {
	base
	check_rows stats-summary
	check_rows stats-pbo
}

@test "qgtm-backtest --param" {
	base
	check_rows backtest
}

@test "qgtm-status render and qgtm-digest on a hostile order journal" {
	base
	check_rows status-render
	check_rows digest
}

@test "qgtm-api: a hostile body or query string" {
	base
	check_rows api-body
	check_rows api-query
}
