#!/usr/bin/env bats
# Every program's -h is its man page's SYNOPSIS (git t0450), -V names it,
# and a bad option is exit 64 with the usage on stderr.

setup() {
	load ../lib
}

programs() {
	for p in "$QGTM_BIN"/qgtm-*; do basename "$p"; done
}

@test "there is a man page for every program" {
	for p in $(programs); do
		[ -f "$QGTM_TOP/man/man1/$p.1" ] || { echo "no man page: $p"; false; }
	done
}

@test "-h prints the SYNOPSIS on stdout and exits 0" {
	for p in $(programs); do
		usage_lines "$p" >"$BATS_TEST_TMPDIR/usage"
		mandoc_synopsis "$p" >"$BATS_TEST_TMPDIR/synopsis"
		diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
	done
}

@test "-V prints the program and version" {
	for p in $(programs); do
		run -0 "$p" -V
		[[ $output == "$p "[0-9]* ]]
	done
}

@test "an unknown option is exit 64 with the usage (or where to find it) on stderr" {
	for p in $(programs); do
		run -64 --separate-stderr "$p" -Z
		[ -z "$output" ]
		[[ $stderr == *"usage: $p"* || $stderr == *"try '$p -h'"* ]]
	done
}

@test "every man page is mandoc -Tlint clean" {
	run -0 mandoc -Tlint -Wwarning "$QGTM_TOP"/man/man*/*
	[ -z "$output" ]
}
