#!/usr/bin/env bats
# 0510-qgtm-audit-proofs: root, prove, consistency, check-proof and merkle
# against the certificate-transparency reference vectors
# (cpp/merkletree/merkle_tree_test.cc); trace, sample and repair on a chain
# made by the sim cycle; SIGKILL during append loses no acknowledged entry;
# append keeps the index current, and the proofs right after each append
# (and while appends go on) check against an independent RFC 9162
# verifier (rfc9162.py).

bats_require_minimum_version 1.7.0

ROOT8=5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328
ROOT6=76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T21:30:00Z
	mkdir -p "$QGTM_STATE_DIR/audit"
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	LEAVES="$BATS_TEST_TMPDIR/leaves"
	printf '\n00\n10\n2021\n3031\n40414243\n5051525354555657\n606162636465666768696a6b6c6d6e6f\n' >"$LEAVES"
}

@test "merkle reproduces the reference root and proofs" {
	run -0 qgtm-audit merkle "$LEAVES"
	[ "$output" = "$ROOT8" ]
	qgtm-audit merkle --prove 5 "$LEAVES" >"$BATS_TEST_TMPDIR/p"
	printf '%s\n' bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b \
		ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0 \
		d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7 >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/p"
	qgtm-audit merkle --size 5 --consistency 2 "$LEAVES" >"$BATS_TEST_TMPDIR/c"
	printf '%s\n' 5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e \
		bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/c"
	run -64 --separate-stderr qgtm-audit merkle --consistency 0 "$LEAVES"
	run -64 --separate-stderr qgtm-audit merkle --prove 8 "$LEAVES"
	printf 'zz\n' >"$BATS_TEST_TMPDIR/bad"
	run -65 --separate-stderr qgtm-audit merkle "$BATS_TEST_TMPDIR/bad"
	[[ $stderr == *"bad:1: "* ]]
}

@test "check-proof accepts the reference proofs and rejects altered ones" {
	qgtm-audit merkle --consistency 6 "$LEAVES" >"$BATS_TEST_TMPDIR/c"
	run -0 qgtm-audit check-proof --from 6 --to 8 --old-root $ROOT6 --root $ROOT8 "$BATS_TEST_TMPDIR/c"
	[ "$output" = "ok consistency" ]
	run -1 --separate-stderr qgtm-audit check-proof --from 6 --to 8 --old-root $ROOT8 --root $ROOT6 "$BATS_TEST_TMPDIR/c"
	leaf=$(printf '00%s' 40414243 | xxd -r -p | sha256sum | cut -d ' ' -f 1)
	qgtm-audit merkle --prove 5 "$LEAVES" >"$BATS_TEST_TMPDIR/p"
	run -0 qgtm-audit check-proof --index 5 --size 8 --leaf "$leaf" --root $ROOT8 "$BATS_TEST_TMPDIR/p"
	[ "$output" = "ok inclusion" ]
	run -1 --separate-stderr qgtm-audit check-proof --index 4 --size 8 --leaf "$leaf" --root $ROOT8 "$BATS_TEST_TMPDIR/p"
	leaf=$(printf '00%s' 5051525354555657 | xxd -r -p | sha256sum | cut -d ' ' -f 1)
	run -1 --separate-stderr qgtm-audit check-proof --index 5 --size 8 --leaf "$leaf" --root $ROOT8 "$BATS_TEST_TMPDIR/p"
	[[ $stderr == *"does not lead to the root"* ]]
	run -64 --separate-stderr qgtm-audit check-proof --index 6 --size 8 --root $ROOT8 "$BATS_TEST_TMPDIR/p"
}

@test "prove and check-proof agree on a cycle's chain; trace and sample" {
	QGTM_BIN="$QGTM_BIN" PATH="$QGTM_BIN:$PATH" "$QGTM_TOP/examples/cycle.sh" >/dev/null 2>&1
	run -0 qgtm-audit root
	root=$output
	n=$(wc -l <"$CHAIN")
	line=$(sed -n 4p "$CHAIN")
	leaf=$({ printf '\0'; printf '%s' "$line"; } | sha256sum | cut -d ' ' -f 1)
	qgtm-audit prove --index 3 >"$BATS_TEST_TMPDIR/p"
	run -0 qgtm-audit check-proof --index 3 --size "$n" --leaf "$leaf" --root "$root" "$BATS_TEST_TMPDIR/p"
	run -0 qgtm-audit root --size 7
	old=$output
	qgtm-audit consistency --from 7 >"$BATS_TEST_TMPDIR/c"
	run -0 qgtm-audit check-proof --from 7 --to "$n" --old-root "$old" --root "$root" "$BATS_TEST_TMPDIR/c"
	id=$(jq -r 'select(.rec.type == "fill") | .rec.client_order_id' "$CHAIN" | head -1)
	qgtm-audit trace "$id" >"$BATS_TEST_TMPDIR/t"
	jq -r .kind "$BATS_TEST_TMPDIR/t" >"$BATS_TEST_TMPDIR/kinds"
	printf '%s\n' signal decision order fill >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/kinds"
	[ "$(jq -r .inclusion "$BATS_TEST_TMPDIR/t" | sort -u)" = verified ]
	run -1 --separate-stderr qgtm-audit trace no-such-id
	qgtm-audit sample -n 5 --seed 7 >"$BATS_TEST_TMPDIR/s1"
	qgtm-audit sample -n 5 --seed 7 >"$BATS_TEST_TMPDIR/s2"
	diff -u "$BATS_TEST_TMPDIR/s1" "$BATS_TEST_TMPDIR/s2"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/s1")" -eq 5 ]
}

@test "SIGKILL during append 200 times loses no acknowledged entry" {
	for i in $(seq 50); do echo "{\"type\":\"t\",\"i\":$i}"; done >"$BATS_TEST_TMPDIR/recs"
	acked=0
	for k in $(seq 200); do
		qgtm-audit append "$BATS_TEST_TMPDIR/recs" &
		pid=$!
		[ $((RANDOM % 2)) -eq 0 ] && sleep 0.00$((RANDOM % 10))
		# Every tenth append lives: some are acknowledged even where
		# starting a program takes longer than the sleeps (ASan).
		[ $((k % 10)) -eq 0 ] || kill -9 "$pid" 2>/dev/null || true
		if wait "$pid"; then acked=$((acked + 50)); fi
		if ! qgtm-audit verify -q 2>"$BATS_TEST_TMPDIR/err"; then
			grep -Eq 'torn last line|uncommitted tail' "$BATS_TEST_TMPDIR/err"
			qgtm-audit repair 2>/dev/null
			qgtm-audit verify -q
		fi
		# No chain yet when every append so far died before creating it.
		[ "$(cat "$CHAIN" 2>/dev/null | wc -l)" -ge "$acked" ]
	done
	[ "$acked" -gt 0 ]
	run -0 qgtm-audit verify
}

# idx_size N: the size of the index of N entries (64 + 32 (2N - popcount N)).
idx_size() {
	local n=$1 pop=0 m=$1
	while [ "$m" -gt 0 ]; do pop=$((pop + (m & 1))); m=$((m >> 1)); done
	echo $((64 + 32 * (2 * n - pop)))
}

# check_proofs N: prove inclusion of the last and of a random entry in the tree
# of N entries, and consistency from every older size in OLD to N, each
# checked by rfc9162.py against roots it computes from the chain's lines.
check_proofs() {
	local n=$1 i old p="$BATS_TEST_TMPDIR/proof"
	for i in $((n - 1)) $((RANDOM % n)); do
		qgtm-audit prove --index "$i" --size "$n" >"$p"
		python3 "$BATS_TEST_DIRNAME/rfc9162.py" inclusion "$CHAIN" "$i" "$n" "$p"
	done
	for old in $OLD; do
		qgtm-audit consistency --from "$old" --to "$n" >"$p"
		python3 "$BATS_TEST_DIRNAME/rfc9162.py" consistency "$CHAIN" "$old" "$n" "$p"
	done
}

@test "append keeps the index current: proofs right after each append check" {
	for i in $(seq 20); do echo "{\"type\":\"t\",\"i\":$i}"; done >"$BATS_TEST_TMPDIR/recs"
	qgtm-audit append "$BATS_TEST_TMPDIR/recs"
	qgtm-audit root >/dev/null      # builds the index from scratch
	ino=$(stat -c %i "$CHAIN.idx")
	OLD="1 8 19"
	for k in $(seq 21 32); do
		echo "{\"type\":\"t\",\"i\":$k}" | qgtm-audit append
		# Current before anything reads it, and the same file.
		[ "$(stat -c %s "$CHAIN.idx")" -eq "$(idx_size "$k")" ]
		[ "$(stat -c %i "$CHAIN.idx")" = "$ino" ]
		check_proofs "$k"
		OLD="1 8 19 $k"
	done
	# The verifier is not vacuous: a changed hash, a wrong index fail.
	qgtm-audit prove --index 3 >"$BATS_TEST_TMPDIR/p"
	awk 'NR == 1 { $0 = (substr($0, 1, 1) == "0" ? "1" : "0") substr($0, 2) } 1' \
		"$BATS_TEST_TMPDIR/p" >"$BATS_TEST_TMPDIR/p2"
	! cmp -s "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/p2"
	run -1 python3 "$BATS_TEST_DIRNAME/rfc9162.py" inclusion "$CHAIN" 3 32 "$BATS_TEST_TMPDIR/p2"
	run -0 python3 "$BATS_TEST_DIRNAME/rfc9162.py" inclusion "$CHAIN" 3 32 "$BATS_TEST_TMPDIR/p"
	run -1 python3 "$BATS_TEST_DIRNAME/rfc9162.py" inclusion "$CHAIN" 4 32 "$BATS_TEST_TMPDIR/p"
	qgtm-audit consistency --from 7 >"$BATS_TEST_TMPDIR/c"
	run -1 python3 "$BATS_TEST_DIRNAME/rfc9162.py" consistency "$CHAIN" 6 32 "$BATS_TEST_TMPDIR/c"
	run -0 qgtm-audit verify -q
}

@test "proofs while appends go on check, and the index stays valid" {
	for i in $(seq 10); do echo "{\"type\":\"t\",\"i\":$i}"; done >"$BATS_TEST_TMPDIR/recs"
	qgtm-audit append "$BATS_TEST_TMPDIR/recs"
	qgtm-audit root >/dev/null
	for k in $(seq 12); do
		qgtm-audit append "$BATS_TEST_TMPDIR/recs"
	done &
	pid=$!
	OLD="3 10"
	for k in $(seq 8); do
		# The entries committed so far (the commit mark's).
		n=$(jq .entries "$CHAIN.commit")
		check_proofs "$n"
	done
	wait "$pid"
	run -0 qgtm-audit verify -q
	[ "$(stat -c %s "$CHAIN.idx")" -eq "$(idx_size 130)" ]
	check_proofs 130
}
