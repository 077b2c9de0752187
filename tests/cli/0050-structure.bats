#!/usr/bin/env bats
# STRUCTURE.md names every program (cmd/qgtm-*.c) and every library module
# (lib/*.c) that exists, and names nothing that does not.

setup() {
	load ../lib
}

# named PATTERN: the paths STRUCTURE.md names that match PATTERN, sorted.
named() {
	grep -oE "$1" "$QGTM_TOP/STRUCTURE.md" | sort -u
}

# existing GLOB: the files of the tree that match GLOB, sorted.
existing() {
	(cd "$QGTM_TOP" && for f in $1; do [ -e "$f" ] && echo "$f"; done) | sort -u
}

@test "every program STRUCTURE.md names exists and every program is named" {
	named 'cmd/qgtm-[a-z]+\.c' >"$BATS_TEST_TMPDIR/named"
	existing 'cmd/qgtm-*.c' >"$BATS_TEST_TMPDIR/existing"
	[ -s "$BATS_TEST_TMPDIR/existing" ]
	diff -u "$BATS_TEST_TMPDIR/existing" "$BATS_TEST_TMPDIR/named"
}

@test "every module STRUCTURE.md names exists and every module is named" {
	named 'lib/[a-z0-9_]+\.c' >"$BATS_TEST_TMPDIR/named"
	existing 'lib/*.c' >"$BATS_TEST_TMPDIR/existing"
	[ -s "$BATS_TEST_TMPDIR/existing" ]
	diff -u "$BATS_TEST_TMPDIR/existing" "$BATS_TEST_TMPDIR/named"
}

@test "every program's table row names its file" {
	for f in $(existing 'cmd/qgtm-*.c'); do
		p=${f#cmd/}
		p=${p%.c}
		grep -q "^| \`$p\` | \`$f\` |" "$QGTM_TOP/STRUCTURE.md" ||
			{ echo "no row: $p"; false; }
	done
}
