#!/bin/bash
# bench/cycle.sh [runs]: the CPU of one daily cycle (examples/cycle.sh) on
# a state with 10 days of sim history against one with a year (issue 22:
# a year may change it by less than 10%, goal ratio<=1.10). The two states
# end on the same Friday; the cycle measured is the next Monday's, after
# that day's feeds (`qgtm-fetch all`, untimed), each run on a fresh copy.
# CPU is user + system of every process (bash's time), so a shared
# machine's load barely moves it; wall is printed beside it. Then each
# stage alone, fed the saved output of the stage before it, again on a
# fresh copy per run. Medians of `runs` runs (default 5) with min and max.
# The states are built once (examples/replay.sh) under build/bench-cycle/
# (the year is copied from build/bench-pages/ when pages.sh built it).
# Exits 0 when over the goal: it is not a test.
set -euo pipefail

runs=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
export QGTM_TOP=$top
export PATH="${QGTM_BIN:-$top/build/bin}:$PATH"
for v in $(env | sed -n 's/^\(QGTM_[A-Z_]*\)=.*/\1/p'); do
	case $v in QGTM_TOP|QGTM_BIN) ;; *) unset "$v" ;; esac
done
export TZ=UTC LC_ALL=C QGTM_DECAY=0
. "$top/bench/lib.bash"

end=2026-10-30			# a Friday, as in bench/pages.sh
day=2026-11-02			# the Monday after: the cycle measured
cache=$top/build/bench-cycle

# state DAYS: build (once) the state of DAYS days of replay up to $end.
state() {
	local d=$cache/days$1-$end
	if [ ! -f "$d/done" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		if [ "$1" = 365 ] && [ -f "$top/build/bench-pages/year-$end/done" ]; then
			cp -R "$top/build/bench-pages/year-$end/state" "$d/state"
		else
			echo "cycle.sh: replaying $1 days into $d" >&2
			QGTM_STATE_DIR=$d/state QGTM_REPLAY_END=$end \
			    "$top/examples/replay.sh" "$1" 2>/dev/null
		fi
		touch "$d/done"
	fi
	echo "$d/state"
}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# fresh SRC: a copy of the state SRC as it is before the Monday's cycle
# (the feeds fetched), in $dir/s.
fresh() {
	rm -rf "$dir/s"
	cp -R "$1" "$dir/s"
	QGTM_STATE_DIR=$dir/s QGTM_NOW=${day}T21:10:00Z \
	    qgtm-fetch all >/dev/null 2>&1 || true
}

# cpu CMD...: run CMD with the state $dir/s at the cycle's moment; print
# "wall_ms cpu_ms".
cpu() {
	local t TIMEFORMAT='%3R %3U %3S'
	t=$({ time QGTM_STATE_DIR=$dir/s QGTM_NOW=${day}T21:30:00Z \
	    "$@" 2>/dev/null; } 2>&1)
	awk '{ printf "%g %g\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t"
}

stages="fetch signal risk_check order_submit risk_evaluate audit_append reconcile"

# stage NAME: the command of one stage of examples/cycle.sh.
stage() {
	case $1 in
	fetch) qgtm-fetch sim ;;
	signal) qgtm-signal ;;
	risk_check) qgtm-risk check ;;
	order_submit) qgtm-order submit ;;
	risk_evaluate) qgtm-risk evaluate ;;
	audit_append) qgtm-audit append ;;
	reconcile) qgtm-order reconcile ;;
	esac
}

# measure LABEL STATE: the whole cycle, then each stage, runs times each;
# sets CPU_<LABEL> to the whole cycle's median CPU ms.
measure() {
	local label=$1 src=$2 i s prev w c
	local -a ws=() cs=()
	declare -A scpu=()
	for ((i = 0; i < runs; i++)); do
		fresh "$src"
		read -r w c <<<"$(cpu "$top/examples/cycle.sh")"
		ws+=("$w") cs+=("$c")
		# The stages one by one, each fed the saved output before it.
		fresh "$src"
		prev=/dev/null
		for s in $stages; do
			read -r w c <<<"$(cpu bash -c \
			    "$(declare -f stage); stage $s <$prev >$dir/$s.out || true")"
			scpu[$s]+="$c "
			[ "$s" = audit_append ] || prev=$dir/$s.out
		done
	done
	printf 'cycle: %s whole wall_ms=%s cpu_ms=%s (min/median/max of %d)\n' \
	    "$label" "$(paired_mmm "${ws[@]}" | tr ' ' /)" \
	    "$(paired_mmm "${cs[@]}" | tr ' ' /)" "$runs"
	for s in $stages; do
		# shellcheck disable=SC2086
		printf 'cycle: %s stage=%s cpu_ms=%s\n' "$label" "$s" \
		    "$(paired_mmm ${scpu[$s]} | tr ' ' /)"
	done
	printf -v "CPU_$label" '%s' "$(paired_mmm "${cs[@]}" | cut -d' ' -f2)"
}

CPU_days10='' CPU_year=''
days10=$(state 10)
year=$(state 365)
printf 'cycle: states days10: %s audit entries, year: %s (wc -l of the chain)\n' \
    "$(cat "$days10"/audit/*.jsonl 2>/dev/null | wc -l)" \
    "$(cat "$year"/audit/*.jsonl 2>/dev/null | wc -l)"
measure days10 "$days10"
measure year "$year"
result cycle.year_vs_days10_cpu "$CPU_year" ms limit days10_cpu \
    "$CPU_days10" 'ratio<=1.10'
awk -v a="$CPU_year" -v b="$CPU_days10" 'BEGIN { if (a / b > 1.10)
	printf "cycle: MISSED year/days10 CPU %.3g > 1.10\n", a / b }'
