# bench/lib.bash: sourced by the bench scripts (not one itself: make bench
# runs bench/*.sh). See bench/README.md for the result line.

# result NAME VALUE UNIT peer|limit REF REF_VALUE [GOAL]: print one figure
# and what it is compared with, measured in the same run:
#   result: name=NAME value=VALUE unit=UNIT peer=REF ref=REF_VALUE ratio=R [goal=GOAL]
# (limit=REF for a limit), R = VALUE / REF_VALUE. No value may hold a space.
result() {
	local name=$1 value=$2 unit=$3 kind=$4 ref=$5 refv=$6 goal=${7-}
	printf 'result: name=%s value=%s unit=%s %s=%s ref=%s ratio=%s%s\n' \
		"$name" "$value" "$unit" "$kind" "$ref" "$refv" \
		"$(awk -v a="$value" -v b="$refv" \
		'BEGIN { if (b == 0) print "inf"; else printf "%.3g", a / b }')" \
		"${goal:+ goal=$goal}"
}

# paired N A B: time the shell functions A and B in turn, A B A B ..., N
# times each after one warm-up of each, as whole runs (bash's time: wall,
# and CPU as user + system of every process they ran). Prints a line
# "paired: A ... B ... A/B ..." with each figure's min, median and max in
# ms (the ratio pair by pair, so that a drift of the machine's speed
# between pairs cancels), and sets PAIRED_A and PAIRED_B to the median
# wall ms of A and B, and PAIRED_CPU_A and PAIRED_CPU_B to their median
# CPU ms. A and B must print nothing on standard error that matters: it is
# where the times are read from. N is at least 5 for a figure of
# bench/RESULTS.md.
paired() {
	local n=$1 a=$2 b=$3 i t wa wb ca cb ratios= TIMEFORMAT='%3R %3U %3S'
	local -a aw=() bw=() ac=() bc=()
	{ time "$a" >/dev/null 2>&1; } 2>/dev/null
	{ time "$b" >/dev/null 2>&1; } 2>/dev/null
	for ((i = 0; i < n; i++)); do
		t=$({ time "$a" >/dev/null 2>&1; } 2>&1)
		read -r wa ca <<<"$(awk '{ print $1 * 1000, ($2 + $3) * 1000 }' <<<"$t")"
		t=$({ time "$b" >/dev/null 2>&1; } 2>&1)
		read -r wb cb <<<"$(awk '{ print $1 * 1000, ($2 + $3) * 1000 }' <<<"$t")"
		aw+=("$wa") bw+=("$wb") ac+=("$ca") bc+=("$cb")
		ratios+="$(awk -v x="$wa" -v y="$wb" 'BEGIN { printf "%.4g", x / y }') "
	done
	# shellcheck disable=SC2086 # lists of numbers
	PAIRED_A=$(paired_mmm ${aw[*]} | cut -d' ' -f2)
	PAIRED_B=$(paired_mmm ${bw[*]} | cut -d' ' -f2)
	PAIRED_CPU_A=$(paired_mmm ${ac[*]} | cut -d' ' -f2)
	PAIRED_CPU_B=$(paired_mmm ${bc[*]} | cut -d' ' -f2)
	printf 'paired: runs=%d %s_wall_ms=%s %s_wall_ms=%s %s_cpu_ms=%s %s_cpu_ms=%s wall_ratio=%s (min/median/max)\n' \
		"$n" "$a" "$(paired_mmm ${aw[*]} | tr ' ' /)" \
		"$b" "$(paired_mmm ${bw[*]} | tr ' ' /)" \
		"$a" "$(paired_mmm ${ac[*]} | tr ' ' /)" \
		"$b" "$(paired_mmm ${bc[*]} | tr ' ' /)" \
		"$(paired_mmm $ratios | tr ' ' /)"
}

# paired_mmm X...: "min median max" of the numbers (median of an even
# count: the mean of the middle two).
paired_mmm() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%g %g %g\n", v[1], m, v[NR] }'
}

# bench_world: the start of a script that runs the programs as an operator
# would, on a state of its own: QGTM_TOP=$top (set before sourcing this),
# the programs of $QGTM_BIN (else build/bin) first on PATH, every other
# QGTM_* variable of the caller's environment unset, UTC and the C locale.
bench_world() {
	local v
	export QGTM_TOP=$top
	export PATH="${QGTM_BIN:-$top/build/bin}:$PATH"
	for v in $(env | sed -n 's/^\(QGTM_[A-Z_]*\)=.*/\1/p'); do
		case $v in QGTM_TOP|QGTM_BIN) ;; *) unset "$v" ;; esac
	done
	export TZ=UTC LC_ALL=C
}

# bench_chain_state: a new state directory $dir, removed when the script
# exits, with an empty audit/ and the clock pinned (QGTM_STATE_DIR,
# QGTM_NOW exported): where the audit benches build their chains.
bench_chain_state() {
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	export QGTM_STATE_DIR=$dir QGTM_NOW=2026-11-20T21:30:00Z
	mkdir -p "$dir/audit"
}
