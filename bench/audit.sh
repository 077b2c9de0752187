#!/bin/bash
# bench/audit.sh [entries]: the audit chain's costs on a chain of N
# realistic entries (default 1000000; signal, decision, order and fill
# records of one trace each):
#  - verify against the floor any verifier pays, sha256sum of the same
#    file, both timed in this run on this file; prints their ratio
#    (target: at most 2);
#  - prove: the first call builds the index "<chain>.idx", later calls
#    read it; prints the build time and the slowest and mean of 100 proofs
#    of random indexes (target: 10 ms each), process start included;
#  - append throughput, batched (100,000 records a call, one fsync each)
#    and with one fsync per record (one qgtm-audit append per record).
# Prints figures, never fails on them: it is not a test.
set -euo pipefail

n=${1:-1000000}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${QGTM_BIN:-$top/build/bin}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
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
printf 'append-batched: records=%d ms=%s records_per_s=%.0f\n' "$n" \
	"$(ms "$t0" "$t1")" "$(awk -v n="$n" -v a="$t0" -v b="$t1" \
	'BEGIN { print n / ((b - a) / 1e9) }')"

t0=$(now_ns); "$bin/qgtm-audit" verify >/dev/null; t1=$(now_ns)
sha256sum "$chain" >/dev/null; t2=$(now_ns)
printf 'verify: entries=%d bytes=%d verify_ms=%s sha256sum_ms=%s ratio=%.2f\n' \
	"$n" "$(stat -c %s "$chain")" "$(ms "$t0" "$t1")" "$(ms "$t1" "$t2")" \
	"$(awk -v a=$((t1 - t0)) -v b=$((t2 - t1)) 'BEGIN { print a / b }')"

t0=$(now_ns); "$bin/qgtm-audit" prove --index 0 >/dev/null; t1=$(now_ns)
printf 'index-build: ms=%s bytes=%d\n' "$(ms "$t0" "$t1")" \
	"$(stat -c %s "$chain.idx")"
max=0 sum=0
for ((k = 0; k < 100; k++)); do
	i=$(( (RANDOM * 32768 + RANDOM) % n ))
	t0=$(now_ns); "$bin/qgtm-audit" prove --index "$i" >/dev/null; t1=$(now_ns)
	d=$((t1 - t0)) sum=$((sum + t1 - t0))
	[ "$d" -gt "$max" ] && max=$d
done
printf 'prove: calls=100 max_ms=%s mean_ms=%s\n' "$(ms 0 "$max")" \
	"$(ms 0 $((sum / 100)))"

t0=$(now_ns); "$bin/qgtm-audit" verify >/dev/null; t1=$(now_ns)
sha256sum "$chain" >/dev/null; t2=$(now_ns)
printf 'verify-with-index: verify_ms=%s sha256sum_ms=%s ratio=%.2f\n' \
	"$(ms "$t0" "$t1")" "$(ms "$t1" "$t2")" \
	"$(awk -v a=$((t1 - t0)) -v b=$((t2 - t1)) 'BEGIN { print a / b }')"

head -n 200 "$dir/records.jsonl" >"$dir/few.jsonl"
export QGTM_STATE_DIR=$dir/one
mkdir -p "$dir/one/audit"
t0=$(now_ns)
while IFS= read -r rec; do
	printf '%s\n' "$rec" | "$bin/qgtm-audit" append
done <"$dir/few.jsonl"
t1=$(now_ns)
printf 'append-fsync-each: records=200 ms=%s records_per_s=%.0f\n' \
	"$(ms "$t0" "$t1")" "$(awk -v a="$t0" -v b="$t1" \
	'BEGIN { print 200 / ((b - a) / 1e9) }')"
