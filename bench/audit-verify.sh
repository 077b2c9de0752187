#!/bin/bash
# bench/audit-verify.sh [entries]: how long `qgtm-audit verify` takes over a
# chain of N entries (default 100000), against the floor any verifier must
# pay: reading and hashing the same bytes once with sha256sum, measured in
# the same run on the same file. Prints both times and their ratio.
set -euo pipefail

n=${1:-100000}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${QGTM_BIN:-$top/build/bin}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export QGTM_STATE_DIR=$dir QGTM_NOW=2026-11-20T21:30:00Z

for ((i = 0; i < n; i++)); do
	printf '{"type":"fill","v":1,"symbol":"GLD","qty":"%d","price":"182.340000"}\n' "$i"
done >"$dir/records.jsonl"
"$bin/qgtm-audit" append "$dir/records.jsonl"
chain=$dir/audit/chain.jsonl

now_ms() { date +%s%3N; }
t0=$(now_ms); "$bin/qgtm-audit" verify >/dev/null; t1=$(now_ms)
sha256sum "$chain" >/dev/null; t2=$(now_ms)
verify=$((t1 - t0)) floor=$((t2 - t1))
[ "$floor" -gt 0 ] || floor=1
printf 'audit-verify: entries=%d bytes=%d verify_ms=%d sha256sum_ms=%d ratio=%.1f\n' \
	"$n" "$(stat -c %s "$chain")" "$verify" "$floor" \
	"$(awk -v a="$verify" -v b="$floor" 'BEGIN { print a / b }')"
