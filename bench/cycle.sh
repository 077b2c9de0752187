#!/bin/bash
# bench/cycle.sh [runs]: the CPU of one daily cycle (examples/cycle.sh) on
# a state with 10 days of sim history against one with a year (issue 22:
# a year may change it by less than 10%, goal ratio<=1.10). The two states
# end on the same Friday; the cycle measured is the next Monday's, after
# that day's feeds (`qgtm-fetch all`, untimed), each run on a fresh copy.
# CPU is user + system of every process (bash's time), so a shared
# machine's load barely moves it; wall is printed beside it. Then each
# stage alone, fed the saved output of the stage before it, again on a
# fresh copy per run. The two states are run in turn (paired), so a
# change in the machine's load moves both alike. Medians of `runs` runs
# (default 5) with min and max. When the goal is missed, the reason line
# gives the share of the growth in the stages that read the kill switch,
# a read that verifies the whole audit chain (lib/risk/ks_chain.c).
# The states are built once (examples/replay.sh) under build/bench-cycle/
# (the year is copied from build/bench-pages/ when pages.sh built it).
# Exits 0 when over the goal: it is not a test.
set -euo pipefail

runs=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.bash"
bench_world
export QGTM_DECAY=0

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

declare -A WALL=() CPU=() SCPU=()

# run_once LABEL STATE: one whole cycle, then each stage alone, on fresh
# copies of STATE; the CPU ms go to CPU[LABEL] and SCPU[LABEL.stage].
run_once() {
	local label=$1 src=$2 s prev w c
	fresh "$src"
	read -r w c <<<"$(cpu "$top/examples/cycle.sh")"
	WALL[$label]+="$w " CPU[$label]+="$c "
	# The stages one by one, each fed the saved output before it.
	fresh "$src"
	prev=/dev/null
	for s in $stages; do
		read -r w c <<<"$(cpu bash -c \
		    "$(declare -f stage); stage $s <$prev >$dir/$s.out || true")"
		SCPU[$label.$s]+="$c "
		[ "$s" = audit_append ] || prev=$dir/$s.out
	done
}

# report LABEL: the whole cycle's and each stage's min/median/max.
report() {
	local label=$1 s
	# shellcheck disable=SC2086 # lists of numbers
	printf 'cycle: %s whole wall_ms=%s cpu_ms=%s (min/median/max of %d)\n' \
	    "$label" "$(paired_mmm ${WALL[$label]} | tr ' ' /)" \
	    "$(paired_mmm ${CPU[$label]} | tr ' ' /)" "$runs"
	for s in $stages; do
		# shellcheck disable=SC2086
		printf 'cycle: %s stage=%s cpu_ms=%s\n' "$label" "$s" \
		    "$(paired_mmm ${SCPU[$label.$s]} | tr ' ' /)"
	done
}

days10=$(state 10)
year=$(state 365)
printf 'cycle: states days10: %s audit entries, year: %s (wc -l of the chain)\n' \
    "$(cat "$days10"/audit/*.jsonl 2>/dev/null | wc -l)" \
    "$(cat "$year"/audit/*.jsonl 2>/dev/null | wc -l)"
# Paired: the two states in turn, so a change in the machine's load
# moves both alike.
for ((i = 0; i < runs; i++)); do
	run_once days10 "$days10"
	run_once year "$year"
done
report days10
report year
# shellcheck disable=SC2086
CPU_days10=$(paired_mmm ${CPU[days10]} | cut -d' ' -f2)
# shellcheck disable=SC2086
CPU_year=$(paired_mmm ${CPU[year]} | cut -d' ' -f2)
result cycle.year_vs_days10_cpu "$CPU_year" ms limit days10_cpu \
    "$CPU_days10" 'ratio<=1.10'
# The growth of each stage's median, year over days10, and the part of
# it in the stages whose kill-switch read walks the whole chain.
grow=0 ks=0
for s in $stages; do
	# shellcheck disable=SC2086
	g=$(awk -v a="$(paired_mmm ${SCPU[year.$s]} | cut -d' ' -f2)" \
	    -v b="$(paired_mmm ${SCPU[days10.$s]} | cut -d' ' -f2)" \
	    'BEGIN { print a - b }')
	grow=$(awk -v x="$grow" -v g="$g" 'BEGIN { print x + g }')
	case $s in risk_check|order_submit|risk_evaluate)
		ks=$(awk -v x="$ks" -v g="$g" 'BEGIN { print x + g }') ;;
	esac
done
awk -v a="$CPU_year" -v b="$CPU_days10" -v g="$grow" -v k="$ks" '
BEGIN { if (a / b > 1.10) {
	printf "cycle: MISSED year/days10 CPU %.3g > 1.10\n", a / b
	printf "cycle: reason: of the stages\x27 growth %g ms, %g ms is in " \
	    "risk_check, order_submit and risk_evaluate, whose kill-switch " \
	    "read verifies the whole audit chain (the trust model)\n", g, k } }'
