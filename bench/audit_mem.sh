#!/bin/bash
# bench/audit_mem.sh [MiB]: the peak memory of `qgtm-audit append` (its
# VmHWM, as /usr/bin/time -f %M reports it, in KiB) on about MiB
# mebibytes of valid records from standard input (default 1024: the 1 GB
# of issue 16), against the limit of 64 MiB; and on 1/16 of that, to
# show the peak does not grow with the input. The records (signal,
# decision, order and fill, about 230 bytes each) are made in a temp dir,
# 64 MiB of them, and piped in as often as needed; the chain must then
# verify with one entry per record. Prints figures, never fails on them
# (only when the chain disagrees): it is not a test.
set -euo pipefail

mib=${1:-1024}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${QGTM_BIN:-$top/build/bin}
. "$top/bench/lib.bash"
bench_chain_state

# 64 MiB of records, four per trace, as the pipeline writes them.
awk -v bytes=$((64 * 1024 * 1024)) 'BEGIN {
	split("GLD SLV IAU PPLT", sym, " ")
	for (i = 0; total < bytes; i++) {
		t = int(i / 4); s = sym[t % 4 + 1]; k = i % 4
		tid = sprintf("tr-%08d", t); coid = sprintf("co-%08d", t)
		if (k == 0)
			r = sprintf("{\"type\":\"signal\",\"v\":1,\"trace_id\":\"%s\",\"symbol\":\"%s\",\"ts\":\"2026-11-20T21:30:00Z\",\"strategy\":\"tsmom\",\"lookback\":252,\"score\":\"0.%06d\",\"target_weight\":\"0.125000\"}", tid, s, t % 1000000)
		else if (k == 1)
			r = sprintf("{\"type\":\"decision\",\"v\":1,\"trace_id\":\"%s\",\"client_order_id\":\"%s\",\"symbol\":\"%s\",\"verdict\":\"accept\",\"limits\":{\"max_gross\":\"1.500000\",\"max_position\":\"0.250000\"},\"qty\":\"%d\"}", tid, coid, s, t % 500 + 1)
		else if (k == 2)
			r = sprintf("{\"type\":\"order\",\"v\":1,\"trace_id\":\"%s\",\"client_order_id\":\"%s\",\"broker_order_id\":\"b-%08d\",\"symbol\":\"%s\",\"side\":\"buy\",\"qty\":\"%d\",\"order_type\":\"market\",\"tif\":\"day\"}", tid, coid, t, s, t % 500 + 1)
		else
			r = sprintf("{\"type\":\"fill\",\"v\":1,\"trace_id\":\"%s\",\"client_order_id\":\"%s\",\"broker_order_id\":\"b-%08d\",\"symbol\":\"%s\",\"qty\":\"%d\",\"price\":\"182.%06d\",\"fee\":\"0.000000\"}", tid, coid, t, s, t % 500 + 1, t % 1000000)
		print r
		total += length(r) + 1
	}
}' >"$dir/part.jsonl"
part_bytes=$(stat -c %s "$dir/part.jsonl")
part_lines=$(wc -l <"$dir/part.jsonl")

# peak PARTS: pipe PARTS copies of the part into one append of a new
# chain; print the peak KiB and the seconds, check the chain.
peak() {
	local parts=$1 chain=$dir/audit/chain.jsonl out
	rm -f "$chain" "$chain".*
	out=$( { for ((p = 0; p < parts; p++)); do cat "$dir/part.jsonl"; done; } |
		/usr/bin/time -f '%M %e' "$bin/qgtm-audit" append 2>&1 >/dev/null)
	out=${out##*$'\n'}
	"$bin/qgtm-audit" verify >"$dir/verify"
	grep -q "^ok entries=$((parts * part_lines)) " "$dir/verify" || {
		echo "audit_mem: the chain does not hold the $((parts * part_lines)) records: $(cat "$dir/verify")" >&2
		exit 1
	}
	echo "audit_mem: input_bytes=$((parts * part_bytes)) records=$((parts * part_lines)) chain_bytes=$(stat -c %s "$chain") peak_kib=${out% *} seconds=${out#* }" >&2
	echo "${out% *}"
}

parts=$(( (mib * 1024 * 1024 + part_bytes - 1) / part_bytes ))
small=$(( parts / 16 > 0 ? parts / 16 : 1 ))
kib=$(peak "$small" 2>>"$dir/log")
result audit_mem.append_small_peak_kib "$kib" KiB limit 64MiB 65536 'ratio<=1'
kib=$(peak "$parts" 2>>"$dir/log")
result audit_mem.append_peak_kib "$kib" KiB limit 64MiB 65536 'ratio<=1'
cat "$dir/log"
echo "audit_mem: command: cat part.jsonl x $parts | /usr/bin/time -f '%M %e' qgtm-audit append"
