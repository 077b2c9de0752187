#!/usr/bin/env bats
# The whole cycle on the embedded defaults: examples/cycle.sh, the
# README's replay by hand, and `make demo`'s script agree.

setup() {
	load ../lib
	export PATH="$QGTM_TOP/examples:$PATH"
}

@test "one cycle through every real program leaves a verified audit chain" {
	export QGTM_NOW=2026-03-02T21:30:00Z
	run -0 --separate-stderr cycle.sh
	[ -z "$output" ]
	run -0 qgtm-audit verify
	[[ $output == "ok entries="* ]]
	run -0 jq -r '.rec.type' "$QGTM_STATE_DIR/audit/chain.jsonl"
	[[ $output == *signal* ]]
	[[ $output == *decision* ]]
	[[ $output == *order* ]]
	[[ $output == *fill* ]]
	# One trace_id from the signal to every fill.
	run -0 jq -r 'select(.rec.type=="signal" or .rec.type=="fill") | .rec.trace_id' \
		"$QGTM_STATE_DIR/audit/chain.jsonl"
	[ "$(printf '%s\n' "$output" | sort -u | wc -l)" -eq 1 ]
}

@test "the README's replay by hand gives the demo's results" {
	export QGTM_REPLAY_END=$(date -u -d yesterday +%F)
	sed -n '/<!-- replay:/,/<!-- \/replay -->/p' "$QGTM_TOP/README.md" |
		sed '1,2d;$d' | sed '$d' >"$BATS_TEST_TMPDIR/by-hand.sh"
	grep -q 'qgtm-fetch sim | qgtm-signal' "$BATS_TEST_TMPDIR/by-hand.sh"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p build && ln -s "$QGTM_BIN" build/bin
	run -0 bash -eo pipefail by-hand.sh
	by_hand=$output
	top=$BATS_TEST_TMPDIR/demo-top
	mkdir -p "$top" && cp -R "$QGTM_TOP/examples" "$top/"
	run -0 --separate-stderr env QGTM_BIN="$QGTM_BIN" "$top/examples/demo.sh"
	demo=$output
	# The positions and the audit verdict (entries, head, root) agree.
	while IFS= read -r line; do
		[[ $demo == *"$line"* ]] || { echo "demo lacks: $line"; false; }
	done <<<"$by_hand"
	[[ $by_hand == *"ok entries="* ]]
}
