#!/usr/bin/env bats
# 0505-qgtm-audit-kill: appends are all or nothing across SIGKILL. 200
# runs of `qgtm-audit append` on batches of 1 to 4,000 records are killed
# at random moments (build/bin/audit-kill, tests/helper/audit-kill.c);
# after each kill and `qgtm-audit repair`, verify passes, every
# acknowledged record is in the chain and no record of a batch that was
# not acknowledged is, except a batch whose commit had happened when the
# kill came (its commit mark already counted it), which must be whole.

bats_require_minimum_version 1.7.0

setup() {
	load ../lib
	export QGTM_NOW=2026-04-12T22:00:00Z
	mkdir -p "$QGTM_STATE_DIR"
}

@test "200 SIGKILLs during appends: after repair, only acknowledged batches, whole" {
	seed=$RANDOM
	run -0 --separate-stderr audit-kill -k 200 -m 4000 -s "$seed" "$BATS_TEST_TMPDIR"
	echo "seed $seed: $output"
	# Nothing on stderr but repair's warnings of what it cut.
	! grep -v "^qgtm-audit: warning: cut what no commit covers" <<<"$stderr" | grep -q .
	[[ $output == "audit-kill: runs="*" kills=200 "* ]]
	# Some kills came in the middle of a write, leaving a tail to cut.
	[[ $output != *" tails_cut=0 "* ]]
}

@test "a kill leaves a tail that verify refuses and repair cuts" {
	chain=$QGTM_STATE_DIR/audit/chain.jsonl
	mkdir -p "$QGTM_STATE_DIR/audit"
	echo '{"type":"t","i":0}' | qgtm-audit append
	cp "$chain.commit" "$BATS_TEST_TMPDIR/mark"
	for i in 1 2 3; do echo "{\"type\":\"t\",\"i\":$i}"; done | qgtm-audit append
	# As if killed after its fsync, before its commit.
	cp "$BATS_TEST_TMPDIR/mark" "$chain.commit"
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == "qgtm-audit: $chain:2: uncommitted tail of "*" bytes (an append that did not finish; qgtm-audit repair cuts it)" ]]
	run -1 --separate-stderr qgtm-audit trace t
	run -1 --separate-stderr qgtm-audit root
	run -0 --separate-stderr qgtm-audit repair
	[ "$(wc -l <"$chain".torn-*)" -eq 3 ]
	run -0 qgtm-audit verify
	[[ $output == "ok entries=1 "* ]]
}
