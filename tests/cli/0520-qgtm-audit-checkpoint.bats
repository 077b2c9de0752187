#!/usr/bin/env bats
# 0520-qgtm-audit-checkpoint: signed checkpoints, re-checked with openssl
# as qgtm-audit(1) tells a third party to; the Merkle index beside the
# chain, which prove uses and verify checks.

bats_require_minimum_version 1.7.0

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T21:30:00Z
	mkdir -p "$QGTM_STATE_DIR/audit"
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	KEY="$BATS_TEST_TMPDIR/checkpoint.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null
	chmod 600 "$KEY"
	PUB=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | base64)
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
	printf 'audit:\n  checkpoint_key: "%s"\n  checkpoint_pubkey: "%s"\n' \
		"$KEY" "$PUB" >"$QGTM_CONFIG"
	for i in $(seq 20); do echo "{\"type\":\"t\",\"i\":$i}"; done |
		qgtm-audit append
}

@test "checkpoint signs (size, root); openssl re-checks it; verify too" {
	root=$(qgtm-audit root)
	run -0 --separate-stderr qgtm-audit checkpoint
	[ "$(jq -r .size <<<"$output")" = 20 ]
	[ "$(jq -r .root <<<"$output")" = "$root" ]
	[ "$(jq -r .key <<<"$output")" = "$PUB" ]
	line=$(tail -n 1 "$CHAIN")
	[ "$(jq -r .seq <<<"$line")" = 20 ]
	[ "$(jq -r .v <<<"$output")" = 2 ]
	printf 'qgtm-audit\n%s\n%s\n%s\n' 20 "$(printf "$(sed 's/../\\x&/g' <<<"$root")" | base64)" \
		"$(jq -r .ts <<<"$output")" >"$BATS_TEST_TMPDIR/note"
	jq -r .rec.sig <<<"$line" | base64 -d >"$BATS_TEST_TMPDIR/sig"
	openssl pkey -in "$KEY" -pubout -out "$BATS_TEST_TMPDIR/pub.pem"
	openssl pkeyutl -verify -pubin -inkey "$BATS_TEST_TMPDIR/pub.pem" \
		-rawin -in "$BATS_TEST_TMPDIR/note" -sigfile "$BATS_TEST_TMPDIR/sig"
	run -0 --separate-stderr qgtm-audit verify
	[[ $output == "ok entries=21 "* ]]
	# Nothing published: verify says a rewrite could not show.
	[[ $stderr == *"no published checkpoint found"* ]]
}

@test "verify refuses a checkpoint by another key than the configured one" {
	qgtm-audit checkpoint >/dev/null
	other=$(openssl genpkey -algorithm ed25519 | openssl pkey -pubout \
		-outform DER | tail -c 32 | base64)
	printf 'audit:\n  checkpoint_pubkey: "%s"\n' "$other" >"$QGTM_CONFIG"
	run -1 --separate-stderr qgtm-audit verify
	[ "$stderr" = "qgtm-audit: $CHAIN:21: seq 20: checkpoint: signed by another key than audit.checkpoint_pubkey" ]
}

@test "a key file readable by others is refused, nothing appended" {
	chmod 644 "$KEY"
	state_snapshot "$BATS_TEST_TMPDIR/before"
	run -77 --separate-stderr qgtm-audit checkpoint
	[[ $stderr == *"has mode 0644; must be 0600"* ]]
	assert_state_unchanged "$BATS_TEST_TMPDIR/before"
}

@test "prove writes the index; answers agree without it; verify checks it" {
	qgtm-audit prove --index 7 >"$BATS_TEST_TMPDIR/p1"
	[ -s "$CHAIN.idx" ]
	qgtm-audit prove --index 7 >"$BATS_TEST_TMPDIR/p2"
	rm "$CHAIN.idx"
	qgtm-audit prove --index 7 >"$BATS_TEST_TMPDIR/p3"
	diff -u "$BATS_TEST_TMPDIR/p1" "$BATS_TEST_TMPDIR/p2"
	diff -u "$BATS_TEST_TMPDIR/p1" "$BATS_TEST_TMPDIR/p3"
	run -0 qgtm-audit verify
	# Leaf 7 is node 2*7 - popcount(7) = 11, after the 64-byte header.
	printf 'X' | dd of="$CHAIN.idx" bs=1 seek=$((64 + 32 * 11)) conv=notrunc 2>/dev/null
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *":8: seq 7: the index '$CHAIN.idx' does not match"* ]]
	rm "$CHAIN.idx"
	qgtm-audit root >/dev/null
	sed -i '$d' "$CHAIN"
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"its commit mark says"*"committed entries were cut off its end"* ]]
	# Without the commit mark (a copy of the chain), the index tells.
	rm "$CHAIN.commit"
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"$CHAIN.idx: covers 20 entries, the chain has 19"* ]]
}
