#!/usr/bin/env bats
# qgtm-onboarding(7) is true: its commands, taken from the page itself
# (tests/examples.bash), run in order on a fresh state in a scratch copy of
# the source tree and print what the page shows; the displays it does not
# run use make targets that exist, the files it names exist, and CODEOWNERS
# has a line for every directory it routes.

setup() {
	load ../lib
	load ../examples
	PAGE="$QGTM_TOP/man/man7/qgtm-onboarding.7"
}

# The generated directories of a source tree, which the scratch tree and
# CODEOWNERS leave out.
generated() {
	case $1 in .git|build|build-*|demo|node_modules) return 0 ;; esac
	return 1
}

# scratch_top DIR: a source tree at DIR whose sources are links to the real
# ones and whose build/bin is QGTM_BIN, so that the guide writes only in DIR.
scratch_top() {
	local e
	mkdir -p "$1/build"
	for e in "$QGTM_TOP"/* "$QGTM_TOP"/.[!.]*; do
		[ -e "$e" ] || continue
		generated "${e##*/}" || ln -s "$e" "$1/${e##*/}"
	done
	ln -s "$QGTM_BIN" "$1/build/bin"
}

@test "the guide's commands run in order on a fresh state and print what it shows" {
	top="$BATS_TEST_TMPDIR/top"
	scratch_top "$top"
	examples_script "$PAGE" all >"$BATS_TEST_TMPDIR/guide.sh"
	# All five days have commands the test runs.
	[ "$(grep -c '^example ' "$BATS_TEST_TMPDIR/guide.sh")" -ge 20 ]
	cd "$top"
	run -0 env TMPDIR="$BATS_TEST_TMPDIR" bash "$BATS_TEST_TMPDIR/guide.sh"
	[ -s "$top/demo/guide/audit/chain.jsonl" ]
}

@test "the guide has its five days" {
	for d in 1 2 3 4 5; do
		grep -q "^\.Ss Day $d: " "$PAGE" || { echo "no day $d"; false; }
	done
}

@test "every make target the guide names exists" {
	awk '/^\$ make / { for (i = 3; i <= NF; i++) if ($i !~ /^-/) print $i }' \
		"$PAGE" | sort -u >"$BATS_TEST_TMPDIR/targets"
	grep -qx setup "$BATS_TEST_TMPDIR/targets"
	grep -qx check "$BATS_TEST_TMPDIR/targets"
	grep -qx docs "$BATS_TEST_TMPDIR/targets"
	while read -r t; do
		make -C "$QGTM_TOP" -n "$t" >/dev/null ||
			{ echo "no make target: $t"; false; }
	done <"$BATS_TEST_TMPDIR/targets"
}

@test "every file and directory the guide names exists" {
	sed -n 's/^\.\(It \)\{0,1\}Pa \(.*\)/\2/p' "$PAGE" | tr ' ' '\n' |
		grep -E '^[A-Za-z]' | grep -v '^Pa$' | sort -u >"$BATS_TEST_TMPDIR/paths"
	grep -qx lib/strategy/tsmom.c "$BATS_TEST_TMPDIR/paths"
	while read -r p; do
		case $p in demo/*|build/*) continue ;; esac
		[ -e "$QGTM_TOP/$p" ] || { echo "named but missing: $p"; false; }
	done <"$BATS_TEST_TMPDIR/paths"
}

@test "CODEOWNERS has a line for every directory of the tree" {
	for d in "$QGTM_TOP"/*/ "$QGTM_TOP"/.[!.]*/; do
		[ -d "$d" ] || continue
		d=${d%/}
		d=${d##*/}
		generated "$d" && continue
		grep -q "^/$d/ " "$QGTM_TOP/CODEOWNERS" ||
			{ echo "CODEOWNERS lacks /$d/"; false; }
	done
}

@test "CODEOWNERS names only paths that exist" {
	awk '/^\// { print $1 }' "$QGTM_TOP/CODEOWNERS" | while read -r p; do
		# shellcheck disable=SC2086 # a glob on purpose (/lib/audit*.c)
		set -- "$QGTM_TOP"$p
		[ -e "$1" ] || { echo "CODEOWNERS names a missing path: $p"; exit 1; }
	done
}

# owner_of FILE: the owners CODEOWNERS gives FILE (the last matching rule).
owner_of() {
	awk -v f="/$1" '
	/^\// {
		p = $1
		if (p ~ /\/$/ ? index(f, p) == 1 : f == p) {
			$1 = ""; o = $0
		}
	}
	END { sub(/^ +/, "", o); print o }' "$QGTM_TOP/CODEOWNERS"
}

@test "each risk-critical file has an owner other than the catch-all's" {
	generic=$(awk '$1 == "*" { $1 = ""; sub(/^ +/, ""); print }' \
		"$QGTM_TOP/CODEOWNERS")
	[ "$generic" = @qgtm/engineers ]
	for f in lib/base/cfgkeys.c examples/cycle.sh examples/paper.yaml \
		cmd/qgtm-daemon.c lib/cli/daemon.c lib/data/pit.c \
		lib/data/calendar.c share/qgtm/calendar/fomc.txt CODEOWNERS \
		lib/risk/gate.c lib/order/oms.c cmd/qgtm-risk.c \
		lib/audit/chain.c lib/report/evidence.c; do
		[ -e "$QGTM_TOP/$f" ] || { echo "missing: $f"; false; }
		o=$(owner_of "$f")
		case " $o " in
		*" @qgtm/risk-owners "*|*" @qgtm/audit-owners "*) ;;
		*) echo "$f: owned by '$o'"; false ;;
		esac
	done
	[[ " $(owner_of CODEOWNERS) " == *" @qgtm/risk-owners @qgtm/audit-owners "* ]]
}
