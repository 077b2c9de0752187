#!/bin/bash
# bench/audit.sh [entries]: the audit chain's costs on a chain of N
# realistic entries (default 1000000; signal, decision, order and fill
# records of one trace each), each against a peer or a limit measured in
# the same run (result lines: bench/README.md):
#  - verify against the floor any verifier pays, sha256sum of the same
#    file (goal: at most 2 times it), without and with the index;
#  - prove: the first call builds the index "<chain>.idx" (against
#    sha256sum of the chain), later calls read it; the slowest and mean of
#    100 proofs of random indexes, process start included (limit: 10 ms);
#  - append, batched (100,000 records a call, one fsync each) and with one
#    fsync per record (one qgtm-audit append per record), against
#    appending the same bytes with cat and `sync -d` as often.
# Prints figures, never fails on them: it is not a test.
set -euo pipefail

n=${1:-1000000}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${QGTM_BIN:-$top/build/bin}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$top/bench/lib.bash"
export QGTM_STATE_DIR=$dir QGTM_NOW=2026-11-20T21:30:00Z
chain=$dir/audit/chain.jsonl
mkdir -p "$dir/audit"

now_ns() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

# Four records per trace, as the pipeline writes them.
awk -v n="$n" 'BEGIN {
	split("GLD SLV IAU PPLT", sym, " ")
	for (i = 0; i < n; i++) {
		t = int(i / 4); s = sym[t % 4 + 1]; k = i % 4
		tid = sprintf("tr-%08d", t); coid = sprintf("co-%08d", t)
		if (k == 0)
			printf "{\"type\":\"signal\",\"v\":1,\"trace_id\":\"%s\",\"symbol\":\"%s\",\"ts\":\"2026-11-20T21:30:00Z\",\"strategy\":\"tsmom\",\"lookback\":252,\"score\":\"0.%06d\",\"target_weight\":\"0.125000\"}\n", tid, s, t % 1000000
		else if (k == 1)
			printf "{\"type\":\"decision\",\"v\":1,\"trace_id\":\"%s\",\"client_order_id\":\"%s\",\"symbol\":\"%s\",\"verdict\":\"accept\",\"limits\":{\"max_gross\":\"1.500000\",\"max_position\":\"0.250000\"},\"qty\":\"%d\"}\n", tid, coid, s, t % 500 + 1
		else if (k == 2)
			printf "{\"type\":\"order\",\"v\":1,\"trace_id\":\"%s\",\"client_order_id\":\"%s\",\"broker_order_id\":\"b-%08d\",\"symbol\":\"%s\",\"side\":\"buy\",\"qty\":\"%d\",\"order_type\":\"market\",\"tif\":\"day\"}\n", tid, coid, t, s, t % 500 + 1
		else
			printf "{\"type\":\"fill\",\"v\":1,\"trace_id\":\"%s\",\"client_order_id\":\"%s\",\"broker_order_id\":\"b-%08d\",\"symbol\":\"%s\",\"qty\":\"%d\",\"price\":\"182.%06d\",\"fee\":\"0.000000\"}\n", tid, coid, t, s, t % 500 + 1, t % 1000000
	}
}' >"$dir/records.jsonl"
split -l 100000 "$dir/records.jsonl" "$dir/part."

t0=$(now_ns)
for f in "$dir"/part.*; do "$bin/qgtm-audit" append "$f"; done
t1=$(now_ns)
# The peer: the chain's bytes in as many appends, each made durable.
split -n "l/$(ls "$dir"/part.* | wc -l)" "$chain" "$dir/raw."
t2=$(now_ns)
for f in "$dir"/raw.??; do cat "$f" >>"$dir/raw"; sync -d "$dir/raw"; done
t3=$(now_ns)
result audit.append_batched_ms "$(ms "$t0" "$t1")" ms peer cat+sync \
	"$(ms "$t2" "$t3")"

t0=$(now_ns); "$bin/qgtm-audit" verify >/dev/null; t1=$(now_ns)
sha256sum "$chain" >/dev/null; t2=$(now_ns)
result audit.verify_ms "$(ms "$t0" "$t1")" ms peer sha256sum \
	"$(ms "$t1" "$t2")" 'ratio<=2'
echo "audit: entries=$n bytes=$(stat -c %s "$chain")"

t0=$(now_ns); "$bin/qgtm-audit" prove --index 0 >/dev/null; t1=$(now_ns)
sha256sum "$chain" >/dev/null; t2=$(now_ns)
result audit.index_build_ms "$(ms "$t0" "$t1")" ms peer sha256sum \
	"$(ms "$t1" "$t2")"
echo "audit: index_bytes=$(stat -c %s "$chain.idx")"
max=0 sum=0
for ((k = 0; k < 100; k++)); do
	i=$(( (RANDOM * 32768 + RANDOM) % n ))
	t0=$(now_ns); "$bin/qgtm-audit" prove --index "$i" >/dev/null; t1=$(now_ns)
	d=$((t1 - t0)) sum=$((sum + t1 - t0))
	[ "$d" -gt "$max" ] && max=$d
done
result audit.prove_max_ms "$(ms 0 "$max")" ms limit target 10 'ratio<=1'
result audit.prove_mean_ms "$(ms 0 $((sum / 100)))" ms limit target 10 \
	'ratio<=1'

t0=$(now_ns); "$bin/qgtm-audit" verify >/dev/null; t1=$(now_ns)
sha256sum "$chain" >/dev/null; t2=$(now_ns)
result audit.verify_with_index_ms "$(ms "$t0" "$t1")" ms peer sha256sum \
	"$(ms "$t1" "$t2")" 'ratio<=2'

head -n 200 "$dir/records.jsonl" >"$dir/few.jsonl"
export QGTM_STATE_DIR=$dir/one
mkdir -p "$dir/one/audit"
t0=$(now_ns)
while IFS= read -r rec; do
	printf '%s\n' "$rec" | "$bin/qgtm-audit" append
done <"$dir/few.jsonl"
t1=$(now_ns)
# The peer: the same 200 entries, one append and one sync -d each.
while IFS= read -r line; do
	printf '%s\n' "$line" >>"$dir/raw1"
	sync -d "$dir/raw1"
done <"$dir/one/audit/chain.jsonl"
t2=$(now_ns)
result audit.append_fsync_each_ms "$(ms "$t0" "$t1")" ms peer cat+sync \
	"$(ms "$t1" "$t2")"
