#!/usr/bin/env bats
# The EXAMPLES of every man page really run: each page's example commands,
# extracted from the page (tests/examples.bash), run in order in a scratch
# directory on a copy of a replayed demo state, and each exits 0 and prints
# what the page shows. The examples need no network and no account.

setup_file() {
	load ../lib
	export QGTM_REPLAY_END=2026-03-06
	QGTM_STATE_DIR="$BATS_FILE_TMPDIR/demo-state" \
		"$QGTM_TOP/examples/replay.sh" 56 2>/dev/null
}

setup() {
	load ../lib
	load ../examples
}

# run_page PAGE: PAGE's examples in a scratch directory of their own, on a
# copy of the demo state, as a reader at a shell would run them.
run_page() {
	local dir
	dir="$BATS_TEST_TMPDIR/$(basename "$1")"
	mkdir -p "$dir/home"
	cp -R "$BATS_FILE_TMPDIR/demo-state" "$dir/state"
	examples_script "$1" >"$dir/examples.sh" || return 1
	# The state ends on a fixed day: the examples run on the evening
	# after it (libfaketime), as the clock check of the programs that
	# trade (risk.clock_max_ahead_s) refuses a state months old.
	(cd "$dir" && HOME="$dir/home" QGTM_STATE_DIR="$dir/state" TMPDIR="$dir" \
		faketime -f "@2026-03-06 23:00:00" bash examples.sh)
}

@test "the replayed demo state is there" {
	[ -s "$BATS_FILE_TMPDIR/demo-state/audit/chain.jsonl" ]
}

@test "every program's page has an EXAMPLES section with a command that runs" {
	for p in "$QGTM_BIN"/qgtm-*; do
		page="$QGTM_TOP/man/man1/${p##*/}.1"
		run -0 examples_script "$page"
		[[ $output == *"example ${p##*/}.1:"* ]] ||
			{ echo "no example run: $page"; false; }
	done
}

@test "every program's page has every section a reader looks for" {
	for p in "$QGTM_BIN"/qgtm-*; do
		page="$QGTM_TOP/man/man1/${p##*/}.1"
		for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES "EXIT STATUS" \
			EXAMPLES "SEE ALSO"; do
			grep -qx "\.Sh $s" "$page" || { echo "${page##*/}: no $s"; false; }
		done
	done
}

@test "every example of every page exits 0 and prints what the page shows" {
	failed=
	for page in "$QGTM_TOP"/man/man1/*.1 "$QGTM_TOP"/man/man7/*.7; do
		case $page in */qgtm-onboarding.7) continue ;; esac
		run_page "$page" || failed="$failed ${page##*/}"
	done
	[ -z "$failed" ] || { echo "failed:$failed"; false; }
}

@test "the extractor refuses a display it cannot run and a failing command" {
	mkdir "$BATS_TEST_TMPDIR/pages"
	page="$BATS_TEST_TMPDIR/pages/bad.1"
	printf '.Sh EXAMPLES\n.Bd -literal\nqgtm-order positions\n.Ed\n' >"$page"
	run ! examples_script "$page"
	printf '.Sh EXAMPLES\n.Bd -literal\n$ false\n.Ed\n' >"$page"
	run -1 run_page "$page"
	[[ $output == *"bad.1:3: exit 1: false"* ]]
	printf '.Sh EXAMPLES\n.Bd -literal\n$ echo a\nb\n.Ed\n' >"$page"
	run ! run_page "$page"
	printf '.Sh EXAMPLES\n.Bd -literal\n$ printf "a\\en\\enc\\en"\na\n\\&...\nc\n.Ed\n' >"$page"
	run -0 run_page "$page"
	printf '.Sh EXAMPLES\n.Bd -literal\n$ true\n.Ed\n' >"$page"
	run -0 run_page "$page"
}
