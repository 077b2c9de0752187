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
	case $1 in .git|build|build-*|demo|guide|node_modules) return 0 ;; esac
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
	# The guide writes under guide/ alone, never demo/ (make demo's).
	[ -s "$top/guide/state/audit/chain.jsonl" ]
	[ -s "$top/guide/paper/oms/orders.jsonl" ]
	[ ! -e "$top/demo" ]
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
		case $p in demo/*|build/*|guide/*) continue ;; esac
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

@test "the guide's test files and suites exist, tsmom's where its tests are" {
	# Each row "NAME Ta Pa FILE Ta Li SUITE" of the table of day 4.
	sed -n 's/^\.It .* Ta Pa \(tests\/unit\/[a-z_]*\.c\) Ta Li \([a-z_]*\)$/\1 \2/p' \
		"$PAGE" >"$BATS_TEST_TMPDIR/suites"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/suites")" -eq 2 ]
	while read -r f suite; do
		grep -q "suite_create(\"$suite\")" "$QGTM_TOP/$f" ||
			{ echo "$f has no suite $suite"; false; }
	done <"$BATS_TEST_TMPDIR/suites"
	grep -qx 'tests/unit/test_strategy.c strategy' "$BATS_TEST_TMPDIR/suites"
	grep -q 'tsmom' "$QGTM_TOP/tests/unit/test_strategy.c"
	grep -q 'CK_RUN_SUITE=strategy ' "$PAGE"
	grep -q 'qgtm-signal --strategy tsmom' "$QGTM_TOP/tests/cli/0200-qgtm-signal.bats"
}

@test "the guide answers what a new engineer had to guess" {
	for s in 'git add -p' 'QGTM_PRECOMMIT_UNIT=0' 'CK_TIMEOUT_MULTIPLIER' \
		'daemon.cycle' '/api/v1/strategies/tsmom/performance' \
		'python3 tests/standin/alpaca.py PORTFILE LOGFILE' \
		'http://127.0.0.1:8080/docs/' 'etc/lighttpd/qgtm.conf' \
		'QGTM_OTEL_FILE' 'make demo' 'https://paper-api.alpaca.markets'; do
		grep -qF -- "$s" "$PAGE" || { echo "the guide lacks: $s"; false; }
	done
	# Its state is its own: nothing of it under demo/, which make demo
	# deletes.
	! grep -q 'demo/guide' "$PAGE"
	grep -q 'QGTM_STATE_DIR=$PWD/guide/state' "$PAGE"
	# QGTM_PRECOMMIT_UNIT is the hook's, and check reads the multiplier.
	grep -q 'QGTM_PRECOMMIT_UNIT' "$QGTM_TOP/tools/pre-commit"
}
