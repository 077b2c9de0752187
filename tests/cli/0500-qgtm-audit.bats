#!/usr/bin/env bats
# 0500-qgtm-audit: append and verify the audit chain; the hashes and the
# Merkle root re-computed with jq, sha256sum and xxd as qgtm-audit(1) says;
# bad input, bad config and output errors change nothing.

bats_require_minimum_version 1.7.0

ZERO=0000000000000000000000000000000000000000000000000000000000000000
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

setup() {
	load ../lib
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	RECS="$FIXTURES/audit-records.jsonl"
	export QGTM_NOW=2026-04-12T22:00:00Z
	mkdir -p "$QGTM_STATE_DIR"
}

# The tool with stdout on a full disk (run captures stdout otherwise).
to_full() {
	"$@" >/dev/full
}

# hash_lines: the SHA-256 of each line of stdin, without its newline.
hash_lines() {
	while IFS= read -r body; do
		printf '%s' "$body" | sha256sum | cut -d ' ' -f 1
	done
}

# mth FIRST COUNT: the RFC 9162 root of leaves[FIRST..FIRST+COUNT-1].
mth() {
	local k=1
	if [ "$2" -eq 1 ]; then
		echo "${leaves[$1]}"
		return
	fi
	while [ $((k * 2)) -lt "$2" ]; do k=$((k * 2)); done
	printf '01%s%s' "$(mth "$1" "$k")" "$(mth $(($1 + k)) $(($2 - k)))" |
		xxd -r -p | sha256sum | cut -d ' ' -f 1
}

# merkle_root FILE: the Merkle root of FILE's lines, from the definition.
merkle_root() {
	local line
	leaves=()
	while IFS= read -r line; do
		leaves+=("$({ printf '\0'; printf '%s' "$line"; } |
			sha256sum | cut -d ' ' -f 1)")
	done <"$1"
	if [ "${#leaves[@]}" -eq 0 ]; then echo "$EMPTY"; else mth 0 "${#leaves[@]}"; fi
}

@test "-h prints the SYNOPSIS of qgtm-audit(1)" {
	usage_lines qgtm-audit >"$BATS_TEST_TMPDIR/usage"
	mandoc_synopsis qgtm-audit >"$BATS_TEST_TMPDIR/synopsis"
	diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
	run -0 --separate-stderr qgtm-audit append -h
	[ "${lines[0]}" = "usage: qgtm-audit append [-Ckqtv] [-c config] [-f chain] [file ...]" ]
}

@test "the man page is lint clean" {
	run -0 mandoc -Tlint -Wwarning "$QGTM_TOP/man/man1/qgtm-audit.1"
	[ -z "$output" ]
}

@test "usage errors exit 64" {
	run -64 --separate-stderr qgtm-audit
	run -64 --separate-stderr qgtm-audit frobnicate
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
	run -64 --separate-stderr qgtm-audit verify extra
	run -64 --separate-stderr qgtm-audit verify -t
	run -0 --separate-stderr qgtm-audit -V
	[[ $output == "qgtm-audit "* ]]
}

@test "a missing chain verifies as the empty tree" {
	run -0 --separate-stderr qgtm-audit verify
	[ "$output" = "ok entries=0 head=$ZERO root=$EMPTY" ]
	[ -z "$stderr" ]
	[ ! -e "$CHAIN" ]
}

@test "append then verify round trip, silent on success" {
	run -0 --separate-stderr qgtm-audit append "$RECS"
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 --separate-stderr qgtm-audit append <"$RECS"
	[ "$(wc -l <"$CHAIN")" -eq 12 ]
	run -0 --separate-stderr qgtm-audit verify
	[ -z "$stderr" ]
	head=$(tail -n 1 "$CHAIN" | jq -r .hash)
	[ "$output" = "ok entries=12 head=$head root=$(merkle_root "$CHAIN")" ]
	# Each record is kept (members sorted), in order, at the pinned time.
	jq -c .rec "$CHAIN" | head -n 6 >"$BATS_TEST_TMPDIR/recs"
	jq -cS . "$RECS" | diff -u - "$BATS_TEST_TMPDIR/recs"
	[ "$(jq -r .ts "$CHAIN" | sort -u)" = 2026-04-12T22:00:00Z ]
	run -0 qgtm-audit verify -q
	[ -z "$output" ]
}

@test "the jq + sha256sum recipe of qgtm-audit(1) re-verifies the chain" {
	qgtm-audit append "$RECS"
	cd "$QGTM_STATE_DIR/audit"
	jq -cS 'del(.hash)' chain.jsonl | hash_lines >computed
	jq -r .hash chain.jsonl | diff -u - computed
	sed 's/^{"hash":"[0-9a-f]*",/{/' chain.jsonl | hash_lines | diff -u - computed
	{ printf '%064d\n' 0; sed '$d' computed; } >linked
	jq -r .prev chain.jsonl | diff -u - linked
	jq -r .seq chain.jsonl | awk '$1 != NR - 1 { exit 1 }'
	jq -cS . chain.jsonl | cmp - chain.jsonl
}

@test "outside the jq limits (reals), the sed recipe still holds" {
	printf '%s\n' '{"type":"signal","weight":0.1,"c":"\u001f"}' >"$BATS_TEST_TMPDIR/r"
	qgtm-audit append "$BATS_TEST_TMPDIR/r"
	grep -q '"weight":0.10000000000000001' "$CHAIN"
	jq -cS 'del(.hash)' "$CHAIN" | hash_lines >"$BATS_TEST_TMPDIR/jq"
	sed 's/^{"hash":"[0-9a-f]*",/{/' "$CHAIN" | hash_lines >"$BATS_TEST_TMPDIR/sed"
	jq -r .hash "$CHAIN" >"$BATS_TEST_TMPDIR/stored"
	diff -u "$BATS_TEST_TMPDIR/stored" "$BATS_TEST_TMPDIR/sed"
	run -1 cmp -s "$BATS_TEST_TMPDIR/stored" "$BATS_TEST_TMPDIR/jq"
}

@test "the man page example prints what it shows" {
	echo '{"type":"alert","v":1,"msg":"drill"}' >"$BATS_TEST_TMPDIR/alert"
	qgtm-audit append <"$BATS_TEST_TMPDIR/alert"
	run -0 qgtm-audit verify
	want=$(mandoc -Tascii "$QGTM_TOP/man/man1/qgtm-audit.1" | col -b |
		sed -n 's/^[[:space:]]*\(ok entries=1 .*\)/\1/p')
	[ "$output" = "$want" ]
}

@test "-t copies the records to stdout after appending" {
	run -0 --separate-stderr qgtm-audit append -t "$RECS"
	jq -c . "$RECS" >"$BATS_TEST_TMPDIR/want"
	printf '%s\n' "$output" | diff -u "$BATS_TEST_TMPDIR/want" -
	[ "$(wc -l <"$CHAIN")" -eq 6 ]
}

@test "append -t >/dev/full: the append is durable, exit 74, one line" {
	run -74 --separate-stderr to_full qgtm-audit append -t "$RECS"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-audit: <stdout>: write error"* ]]
	run -0 qgtm-audit verify
	[[ $output == "ok entries=6 "* ]]
}

@test "verify >/dev/full exits 74 with one line" {
	qgtm-audit append "$RECS"
	run -74 --separate-stderr to_full qgtm-audit verify
	assert_one_line "$stderr"
	[[ $stderr == *"write error"* ]]
}

@test "malformed JSON at line 2 of stdin: 65, one line, nothing appended" {
	qgtm-audit append "$RECS"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	printf '%s\n' '{"type":"a"}' '{"type":' '{"type":"b"}' >"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr qgtm-audit append <"$BATS_TEST_TMPDIR/in"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-audit: <stdin>:2: invalid JSON"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "a bad line after megabytes of stdin: 65 naming the line, nothing appended" {
	qgtm-audit append "$RECS"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	# Past the 4 MiB a batch keeps in memory: the rest went to a temp file.
	awk 'BEGIN { for (i = 0; i < 50000; i++)
		printf "{\"type\":\"t\",\"i\":%d,\"pad\":\"%080d\"}\n", i, i }' \
		>"$BATS_TEST_TMPDIR/in"
	echo '{"type":"t","i":' >>"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr qgtm-audit append <"$BATS_TEST_TMPDIR/in"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-audit: <stdin>:50001: invalid JSON"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
	sed -i '$d' "$BATS_TEST_TMPDIR/in"
	run -0 qgtm-audit append -t <"$BATS_TEST_TMPDIR/in"
	cmp <(printf '%s\n' "$output") "$BATS_TEST_TMPDIR/in"
	run -0 qgtm-audit verify
	[[ $output == "ok entries=50006 "* ]]
}

@test "a wrong-typed or missing type: 65 naming file:line" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	printf '%s\n' '{"type":"a"}' '{"type":5}' >"$BATS_TEST_TMPDIR/recs.jsonl"
	run -65 --separate-stderr qgtm-audit append "$BATS_TEST_TMPDIR/recs.jsonl"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-audit: $BATS_TEST_TMPDIR/recs.jsonl:2: field 'type': expected a string" ]]
	printf '%s\n' '{"v":1}' >"$BATS_TEST_TMPDIR/notype.jsonl"
	run -65 --separate-stderr qgtm-audit append "$BATS_TEST_TMPDIR/notype.jsonl"
	[[ $stderr == *"notype.jsonl:1: missing field 'type'" ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "-k appends the good records, warns, and exits 65" {
	printf '%s\n' '{"type":"a"}' '[1]' '{"type":"b"}' '{"type":5}' >"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr qgtm-audit append -k "$BATS_TEST_TMPDIR/in"
	[[ $stderr == *"in:2: not a JSON object"* ]]
	[[ $stderr == *"in:4: field 'type'"* ]]
	[[ $stderr == *"2 bad record(s) skipped"* ]]
	[ "$(jq -r .rec.type "$CHAIN" | tr '\n' ' ')" = "a b " ]
	run -0 qgtm-audit verify
}

@test "an unreadable input file: 66, one line naming it, nothing appended" {
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -66 --separate-stderr qgtm-audit append "$RECS" "$BATS_TEST_TMPDIR/missing.jsonl"
	assert_one_line "$stderr"
	[[ $stderr == *"'$BATS_TEST_TMPDIR/missing.jsonl'"* ]]
	run -66 --separate-stderr qgtm-audit append -k "$BATS_TEST_TMPDIR"
	assert_one_line "$stderr"
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "malformed YAML config: 78 naming bad.yaml:LINE" {
	printf 'common:\n  state_dir: x\n bad: [\n' >"$BATS_TEST_TMPDIR/bad.yaml"
	run -78 --separate-stderr qgtm-audit append -c "$BATS_TEST_TMPDIR/bad.yaml" "$RECS"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-audit: $BATS_TEST_TMPDIR/bad.yaml:3: "* ]]
	run -78 --separate-stderr qgtm-audit verify -c "$BATS_TEST_TMPDIR/bad.yaml"
	[ ! -e "$CHAIN" ]
}

@test "a tampered entry: verify exits 1 naming the line" {
	qgtm-audit append "$RECS"
	sed -i '3s/"side":"buy"/"side":"sell"/' "$CHAIN"
	run -1 --separate-stderr qgtm-audit verify
	[ -z "$output" ]
	[ "$stderr" = "qgtm-audit: $CHAIN:3: seq 2: hash mismatch" ]
}

@test "a deleted line: verify names the gap" {
	qgtm-audit append "$RECS"
	sed -i 4d "$CHAIN"
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == "qgtm-audit: $CHAIN:4: seq 4: expected seq 3 "* ]]
}

@test "an unfinished append's tail: verify says so, repair or the next append cuts it" {
	qgtm-audit append "$RECS"
	printf '{"hash":"ab' >>"$CHAIN"
	run -1 --separate-stderr qgtm-audit verify
	[ "$stderr" = "qgtm-audit: $CHAIN:7: uncommitted tail of 11 bytes (an append that did not finish; qgtm-audit repair cuts it)" ]
	run -1 --separate-stderr qgtm-audit trace x
	run -0 --separate-stderr qgtm-audit repair
	[[ $stderr == *"off '$CHAIN'; kept it in '$CHAIN.torn-"* ]]
	[ "$(cat "$CHAIN".torn-*)" = '{"hash":"ab' ]
	run -0 qgtm-audit verify
	[[ $output == "ok entries=6 "* ]]
	# Never acknowledged, a tail cannot block the next record (a FLATTEN
	# after a killed cycle): append cuts it, keeping a copy, and warns.
	rm "$CHAIN".torn-*
	printf '{"hash":"cd' >>"$CHAIN"
	run -0 --separate-stderr qgtm-audit append "$RECS"
	[[ $stderr == *'msg="cut an uncommitted tail of 11 bytes'* ]]
	[ "$(cat "$CHAIN".torn-*)" = '{"hash":"cd' ]
	run -0 qgtm-audit verify
	[[ $output == "ok entries=12 "* ]]
}

@test "a torn last line of a chain without a commit mark: verify says so, repair cuts it" {
	qgtm-audit append "$RECS"
	rm "$CHAIN.commit"
	printf '{"hash":"ab' >>"$CHAIN"
	run -1 --separate-stderr qgtm-audit verify
	[ "$stderr" = "qgtm-audit: $CHAIN:7: torn last line (incomplete write)" ]
	run -65 --separate-stderr qgtm-audit append "$RECS"
	[[ $stderr == *"torn last line"* ]]
	run -0 --separate-stderr qgtm-audit repair
	run -0 qgtm-audit verify
	[[ $output == "ok entries=6 "* ]]
}

@test "repair completes a whole last entry that lacks only its newline" {
	qgtm-audit append "$RECS"
	cp "$CHAIN" "$BATS_TEST_TMPDIR/whole"
	truncate -s -1 "$CHAIN"
	run -1 --separate-stderr qgtm-audit verify
	[ "$stderr" = "qgtm-audit: $CHAIN:6: torn last line (incomplete write)" ]
	run -0 --separate-stderr qgtm-audit repair
	[[ $stderr == *'msg="completed the last entry, which lacked only its newline"'* ]]
	cmp "$BATS_TEST_TMPDIR/whole" "$CHAIN"
	[ -z "$(find "$QGTM_STATE_DIR/audit" -name 'chain.jsonl.torn-*')" ]
	# A torn entry the commit mark commits is never cut.
	truncate -s -7 "$CHAIN"
	run -65 --separate-stderr qgtm-audit repair
	assert_one_line "$stderr"
	[[ $stderr == *"chain.jsonl:6: a committed entry is torn; refusing to cut what was acknowledged"* ]]
}

@test "-f names another chain; verify of a directory is 66" {
	run -0 qgtm-audit append -f "$BATS_TEST_TMPDIR/other.jsonl" "$RECS"
	run -0 qgtm-audit verify -f "$BATS_TEST_TMPDIR/other.jsonl"
	[[ $output == "ok entries=6 "* ]]
	[ ! -e "$CHAIN" ]
	run -66 --separate-stderr qgtm-audit verify -f "$BATS_TEST_TMPDIR"
	assert_one_line "$stderr"
}

@test "a chain locked for 10 s: append exits 75" {
	mkdir -p "$QGTM_STATE_DIR/audit"
	exec 9>"$CHAIN.lock"
	flock 9
	run -75 --separate-stderr qgtm-audit append "$RECS"
	exec 9>&-
	assert_one_line "$stderr"
	[[ $stderr == *"busy"* ]]
	[ ! -e "$CHAIN" ]
}
