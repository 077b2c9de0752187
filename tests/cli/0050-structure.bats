#!/usr/bin/env bats
# STRUCTURE.md names every program (cmd/qgtm-*.c) and every library module
# (lib/F/*.c, lib/F/*/*.c) that exists, and names nothing that does not;
# its "Layers" are the folders of lib/, and tools/layers holds them: no
# include or call against the layers, and an edit relinks only the
# programs that depend on it.

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
	named 'lib/[a-z_]+/([a-z_]+/)?[a-z0-9_]+\.c' >"$BATS_TEST_TMPDIR/named"
	existing 'lib/*/*.c lib/*/*/*.c' >"$BATS_TEST_TMPDIR/existing"
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

@test "every module has its row in the table of its folder" {
	for f in $(existing 'lib/*/*.c lib/*/*/*.c'); do
		d=${f#lib/}
		d=${d%%/*}
		awk -v h="### \`lib/$d/\`" -v row="| \`$f\` |" '
			$0 == h { in_folder = 1; next }
			/^##/ { in_folder = 0 }
			in_folder && index($0, row) == 1 { found = 1 }
			END { exit !found }' "$QGTM_TOP/STRUCTURE.md" ||
			{ echo "no row under lib/$d/: $f"; false; }
	done
}

@test "tools/layers check is silent and passes on the sources and the build" {
	build=$(dirname "$QGTM_BIN")
	[ -d "$build/lib" ] || { echo "no objects in $build/lib"; false; }
	run -0 "$QGTM_TOP/tools/layers" check
	[ -z "$output" ]
	run -0 "$QGTM_TOP/tools/layers" check "$build"
	[ -z "$output" ]
}

@test "the layers of STRUCTURE.md are the folders of lib/" {
	run -0 "$QGTM_TOP/tools/layers" list
	[ "${#lines[@]}" -ge 2 ]
	printf '%s\n' "${lines[@]}" | sort >"$BATS_TEST_TMPDIR/layers"
	(cd "$QGTM_TOP/lib" && for d in */; do echo "${d%/}"; done) | sort \
		>"$BATS_TEST_TMPDIR/folders"
	diff -u "$BATS_TEST_TMPDIR/folders" "$BATS_TEST_TMPDIR/layers"
}

# scratch_tree: a copy of the sources tools/layers reads, in $top.
scratch_tree() {
	top=$BATS_TEST_TMPDIR/top
	mkdir -p "$top"
	cp -R "$QGTM_TOP/lib" "$QGTM_TOP/cmd" "$QGTM_TOP/tools" \
		"$QGTM_TOP/STRUCTURE.md" "$top/"
	run -0 "$top/tools/layers" check
	[ -z "$output" ]
}

# include_after_first FILE HEADER: FILE with #include "HEADER" after its
# first #include "..." line.
include_after_first() {
	awk -v h="$2" '{ print } !done && /^#include "/ {
		print "#include \"" h "\""; done = 1 }' "$1" >"$1.new"
	mv "$1.new" "$1"
	grep -qx "#include \"$2\"" "$1"
}

@test "tools/layers check fails on an include of a higher layer" {
	scratch_tree
	include_after_first "$top/lib/base/text.c" report/report.h
	run -1 "$top/tools/layers" check
	[ "$output" = "layers: lib/base/text.c includes report/report.h, a higher layer" ]
}

@test "tools/layers check fails on an include of another folder's internal header" {
	scratch_tree
	printf '/* x_int.h: internal to risk/ */\n' >"$top/lib/risk/x_int.h"
	# Its own folder may include it.
	include_after_first "$top/lib/risk/gate.c" risk/x_int.h
	run -0 "$top/tools/layers" check
	[ -z "$output" ]
	include_after_first "$top/lib/order/oms.c" risk/x_int.h
	run -1 "$top/tools/layers" check
	[ "$output" = "layers: lib/order/oms.c includes risk/x_int.h, internal to risk/" ]
}

@test "an edit of one strategy recompiles it and relinks only what uses it" {
	build=$(dirname "$QGTM_BIN")
	b=${build##*/}
	[ -d "$build/lib" ] || skip "no build tree at $build to copy"
	case $b in
	build) san= ;;
	build-san) san=SANITIZE=1 ;;
	*) skip "the build tree $build is not the tree's build/ or build-san/" ;;
	esac
	top=$BATS_TEST_TMPDIR/top
	mkdir -p "$top/tests"
	(cd "$QGTM_TOP" && cp -a lib cmd Makefile config.mk mk tools \
		STRUCTURE.md "$top/") && cp -a "$QGTM_TOP/tests/helper" "$top/tests/" &&
		cp -a "$build" "$top/$b"
	# Up to date first (a no-op when the build is); a copy that cannot
	# build says nothing of what an edit rebuilds.
	make -s -C "$top" $san all >/dev/null 2>&1 ||
		skip "the copy of the tree does not build"
	# What must relink: every program and helper whose folders include
	# strategy/, by tools/layers as the Makefile asks it.
	for c in "$top"/cmd/qgtm-*.c "$top"/tests/helper/*.c; do
		"$top/tools/layers" uses "$c" | grep -qx strategy || continue
		c=${c##*/}
		echo "cc $b/bin/${c%.c}"
	done >"$BATS_TEST_TMPDIR/links"
	grep -qx "cc $b/bin/qgtm-signal" "$BATS_TEST_TMPDIR/links"
	{
		echo "cc $b/lib/strategy/tsmom.o"
		echo "ar $b/lib/libqgtm-strategy.a"
		cat "$BATS_TEST_TMPDIR/links"
	} | sort >"$BATS_TEST_TMPDIR/want"
	touch "$top/lib/strategy/tsmom.c"
	run -0 make -C "$top" $san all
	printf '%s\n' "${lines[@]}" | grep -E '^(cc|ar) ' |
		sed -E 's/^ar rcs ([^ ]+) .*/ar \1/; s/^cc .* -o ([^ ]+) .*/cc \1/' |
		sort >"$BATS_TEST_TMPDIR/did"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/did"
	for p in qgtm-digest qgtm-fetch qgtm-order; do
		if grep -qx "cc $b/bin/$p" "$BATS_TEST_TMPDIR/did"; then
			echo "relinked: $p"
			false
		fi
	done
}
