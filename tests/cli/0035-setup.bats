#!/usr/bin/env bats
# make setup in a scratch git repository holding a copy of this tree (with
# its build, mtimes kept, so the build step has little to do): the hook, the
# build, the demo state; then the hook itself: it refuses badly formatted
# staged C lines, checks only the staged lines, and runs the unit suites.
# The real checkout's .git/hooks is never touched.

setup_file() {
	load ../lib
	export SCRATCH="$BATS_FILE_TMPDIR/clone"
	mkdir -p "$SCRATCH"
	tar -C "$QGTM_TOP" --exclude=./.git --exclude=./demo \
		--exclude=./build-san --exclude=./build-fuzz -cf - . |
		tar -C "$SCRATCH" -xf -
	cd "$SCRATCH"
	git init -q
	git add -A
	git -c user.name=t -c user.email=t@example.org commit -q --no-verify -m base
}

setup() {
	load ../lib
	cd "$SCRATCH"
	export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org
	export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
	unset QGTM_BIN
}

# real_hooks: the real checkout's hooks, with their checksums (nothing
# when it has none, or is no git checkout).
real_hooks() {
	local hooks
	hooks=$(cd "$QGTM_TOP" && git rev-parse --path-format=absolute \
		--git-path hooks 2>/dev/null) || return 0
	[ -d "$hooks" ] || return 0
	(cd "$hooks" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

@test "make setup installs the hook, builds, and leaves a demo state" {
	real_hooks >"$BATS_TEST_TMPDIR/before"
	run -0 make setup
	[[ $output == *"setup: installed $SCRATCH/.git/hooks/pre-commit"* ]] ||
		[[ $output == *"setup: installed .git/hooks/pre-commit"* ]]
	[[ $output == *"setup: done"* ]]
	[ -x .git/hooks/pre-commit ]
	cmp tools/pre-commit .git/hooks/pre-commit
	[ -x build/bin/qgtm-audit ]
	run -0 env QGTM_STATE_DIR="$SCRATCH/demo/state" build/bin/qgtm-audit verify
	[[ $output == "ok entries="* ]]
	real_hooks | diff -u "$BATS_TEST_TMPDIR/before" -
}

@test "make setup-hook again is fine; a hook of one's own is left alone" {
	run -0 make setup-hook
	[[ $output == *"setup: installed"* ]]
	printf '#!/bin/sh\nexit 0\n' >.git/hooks/pre-commit
	run -0 make setup-hook
	[[ $output == *"is not tools/pre-commit; left alone"* ]]
	[ "$(cat .git/hooks/pre-commit)" = "$(printf '#!/bin/sh\nexit 0')" ]
	run -0 make setup-hook   # put ours back for the next tests
	rm .git/hooks/pre-commit
	run -0 make setup-hook
	cmp tools/pre-commit .git/hooks/pre-commit
}

@test "the hook refuses a badly formatted staged C line" {
	mkdir -p scratch
	printf 'int f(void){return 1;}\n' >scratch/bad.c
	git add scratch/bad.c
	run ! env QGTM_PRECOMMIT_UNIT=0 git commit -q -m bad
	[[ $output == *"not formatted as .clang-format says"* ]]
	[[ $output == *"diff --git"* ]]
	git reset -q scratch/bad.c
	rm scratch/bad.c
}

@test "the hook takes a well formatted line, in a file with older lines it would reformat" {
	# lib/risk/gate.c has KNF continuation lines clang-format would change.
	run ! env -C "$SCRATCH" sh -c 'clang-format lib/risk/gate.c | cmp -s - lib/risk/gate.c'
	printf '\n/* a staged line */\n' >>lib/risk/gate.c
	printf 'int\ng(void)\n{\n\treturn 1;\n}\n' >scratch-good.c
	git add lib/risk/gate.c scratch-good.c
	run -0 env QGTM_PRECOMMIT_UNIT=0 git commit -q -m good
	[ "$(git log -1 --format=%s)" = good ]
}

@test "the hook runs the unit suites" {
	echo >>README.md
	git add README.md
	run -0 env CK_RUN_SUITE=money git commit -q -m docs
	[[ $output == *"100%: Checks: "* ]]
}
