#!/bin/sh
# fuzz-long.sh: the long fuzzing runs of issue 11: each harness built in
# build-fuzz/bin (make fuzz-build) for SECONDS (600 unless given), one at a
# time, through `make fuzz-<target>` with the binary taken as it is (no
# rebuild mid-run). Each target's summary goes to build-fuzz/long/<target>
# .log (start, end, executions, coverage, result), libFuzzer's own output
# to build-fuzz/long/<target>.out; a finding's reproducer is left as
# build-fuzz/<target>-crash-* (or -leak-, -timeout-).
#
# usage: tools/fuzz-long.sh [seconds [target ...]]
set -u
cd "$(dirname "$0")/.." || exit 1
secs=${1:-600}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
	for b in build-fuzz/bin/fuzz_*; do
		[ -x "$b" ] && set -- "$@" "${b#build-fuzz/bin/fuzz_}"
	done
fi
if [ $# -eq 0 ]; then
	echo "fuzz-long.sh: no harness built (make fuzz-build)" >&2
	exit 1
fi
mkdir -p build-fuzz/long
failed=0
for t in "$@"; do
	log=build-fuzz/long/$t.log out=build-fuzz/long/$t.out
	printf 'target: %s\nseconds: %s\nstart: %s\n' "$t" "$secs" \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$log"
	make -o "build-fuzz/bin/fuzz_$t" "fuzz-$t" FUZZ_SECONDS="$secs" \
	    >"$out" 2>&1
	rc=$?
	{
		echo "end: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "executions: $(sed -n \
		    's/^stat::number_of_executed_units: *//p' "$out")"
		echo "coverage: $(grep -E '^#[0-9]+' "$out" | tail -n 1 | sed \
		    's/^\(#[0-9]*\)[^c]*\(cov: [0-9]* ft: [0-9]* corp: [^ ]*\).*/\1 \2/')"
		if [ "$rc" -eq 0 ]; then
			echo "result: ok, no finding"
		else
			echo "result: FAILED (make exit $rc): $(grep -E \
			    '^==[0-9]+==ERROR|^SUMMARY|^fuzz: |Test unit written' \
			    "$out" | head -n 3 | tr '\n' ' ')"
		fi
	} >>"$log"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
done
[ "$failed" -eq 0 ]
