#!/bin/bash
# bench/pbo.sh [rows] [cols] [partitions]: qgtm-stats pbo on a random T x N
# matrix (default 5000 x 100, S = 16: 12,870 splits) against the numpy
# reference bench/pbo_ref.py, measured in the same run on the same file.
# Checks that both give the same PBO and logit mean, then prints qgtm's
# time against numpy's (result lines: bench/README.md). Needs
# python3-numpy.
set -euo pipefail

rows=${1:-5000} cols=${2:-100} s=${3:-16}
py=${PYTHON:-/usr/bin/python3}  # the Debian python3-numpy
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${QGTM_BIN:-$top/build/bin}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$top/bench/lib.bash"

"$py" -c "
import numpy as np
rng = np.random.default_rng(20261123)
m = rng.normal(0.0002, 0.01, size=($rows, $cols))
m += rng.normal(0, 0.00005, size=(1, $cols))   # some persistent skill
np.savetxt('$dir/m.csv', m, delimiter=',', fmt='%.10f')"

now_ms() { date +%s%3N; }
t0=$(now_ms); "$bin/qgtm-stats" pbo --partitions "$s" "$dir/m.csv" >"$dir/c.out"; t1=$(now_ms)
"$py" "$top/bench/pbo_ref.py" "$dir/m.csv" "$s" sharpe >"$dir/py.out"; t2=$(now_ms)

get() { sed -n "s/^$2=//p" "$1"; }
pc=$(get "$dir/c.out" pbo) pn=$(get "$dir/py.out" pbo)
cm=$(get "$dir/c.out" logit_mean) pym=$(get "$dir/py.out" logit_mean)
awk -v a="$pc" -v b="$pn" -v x="$cm" -v y="$pym" 'BEGIN {
	d = x - y; if (d < 0) d = -d
	if (a != b || d > 1e-9) { print "pbo: MISMATCH qgtm=" a " numpy=" b \
	    " logit_mean " x " vs " y; exit 1 } }'
cms=$((t1 - t0)) pyms=$((t2 - t1))
echo "pbo: rows=$rows cols=$cols S=$s splits=$(get "$dir/c.out" splits) pbo=$pc (same as numpy) numpy_compute_s=$(get "$dir/py.out" seconds)"
# Issue 7's targets: at least 20x faster than numpy, and under 1 s.
result pbo.ms "$cms" ms peer numpy "$pyms" "ratio<=0.05"
result pbo.ms "$cms" ms limit target 1000 "ratio<=1"
