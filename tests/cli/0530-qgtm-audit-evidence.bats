#!/usr/bin/env bats
# 0530-qgtm-audit-evidence: the auditor's evidence package: every part
# present and listed in MANIFEST, each re-checkable as its README says,
# and a part without data saying so.

bats_require_minimum_version 1.7.0

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T21:30:00Z
	mkdir -p "$QGTM_STATE_DIR/audit"
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	OUT="$BATS_TEST_TMPDIR/evidence"
	for i in $(seq 5); do echo "{\"type\":\"t\",\"i\":$i}"; done |
		qgtm-audit append
	# A tree with a CODEOWNERS of its own, where evidence runs.
	TREE="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$TREE/lib"
	mkdir -p "$TREE/lib/dir/sub"
	touch "$TREE/lib/risk.c" "$TREE/lib/broker_sim.c" "$TREE/lib/broker_x.c" \
		"$TREE/lib/dir/sub/x.c" "$TREE/lib/dir/sub/y.c" "$TREE/lib/other.c"
	printf '%s\n' '# owners' '*  @qgtm/engineers' \
		'/lib/risk.c  @qgtm/risk-owners' '/lib/broker*.c @a @b' \
		'/gone.c @c' '/lib/dir/ @d' '/lib/dir/sub/y.c @qgtm/engineers' \
		>"$TREE/CODEOWNERS"
	# No repository above the test's directory answers for its trees.
	export GIT_CEILING_DIRECTORIES=$BATS_TEST_TMPDIR
}

# commit AUTHOR SUBJECT [TRAILER] FILE...: append to each FILE of $TREE and
# commit them as AUTHOR ("Name <email>"), with the trailer line if given.
commit() {
	local author=$1 subject=$2 trailer=
	shift 2
	case $1 in *:*) trailer=$1; shift ;; esac
	for f; do echo "$subject" >>"$TREE/$f"; done
	git -C "$TREE" add "$@"
	GIT_AUTHOR_NAME=${author% <*} GIT_AUTHOR_EMAIL=${author#*<} \
	GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.org \
		git -C "$TREE" commit -q -m "$subject" ${trailer:+-m "$trailer"}
}

@test "evidence writes every part, listed with its sha256 in MANIFEST" {
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
	printf 'audit:\n  export_to: "s3://audit-bucket/qgtm/"\n  retain_days: 400\n' \
		>"$QGTM_CONFIG"
	cd "$TREE"
	run -0 --separate-stderr qgtm-audit evidence --out "$OUT"
	[ -z "$output" ]
	cd "$OUT"
	sha256sum -c --quiet MANIFEST
	[ "$(cut -d ' ' -f 3 MANIFEST | sort | tr '\n' ' ')" = "CHANGELOG.md README audit_chain_verification.txt backtest_methodology.pdf codeowners_audit.txt kill_switch_history.json rederive_sample.json risk_changes.jsonl risk_limits_config.json s3_bucket_policy.json s3_lock_status.json " ]
	[ "$(ls | wc -l)" -eq 12 ]
	grep -qx "result: $(qgtm-audit verify)" audit_chain_verification.txt
	[ "$(jq -r .type risk_limits_config.json)" = limits ]
	[ "$(jq -r .config risk_limits_config.json)" = "$QGTM_CONFIG" ]
	[ "$(jq -r '.changes | type' kill_switch_history.json)" = array ]
	[ "$(jq -r .since kill_switch_history.json)" = 2025-03-02T21:30:00Z ]
	[ "$(head -c 5 backtest_methodology.pdf)" = "%PDF-" ]
	mandoc -Tpdf "$QGTM_TOP/share/qgtm/evidence/backtest_methodology.7" |
		cmp - backtest_methodology.pdf
	cmp README "$QGTM_TOP/share/qgtm/evidence/README"
	jq -e '.Statement[] | select(.Sid == "DenyPutWithoutComplianceLock") |
		.Resource == "arn:aws:s3:::audit-bucket/qgtm/*" and
		.Condition.StringNotEquals["s3:object-lock-mode"] == "COMPLIANCE"' \
		s3_bucket_policy.json
	jq -e '.Statement[] | select(.Sid == "DenyShortRetention") |
		.Condition.NumericLessThan["s3:object-lock-remaining-retention-days"] == "400"' \
		s3_bucket_policy.json
	grep -qx '/lib/risk.c	@qgtm/risk-owners' codeowners_audit.txt
	grep -qx '	matches lib/broker_x.c' codeowners_audit.txt
	grep -qx '/gone.c	@c' codeowners_audit.txt
	grep -qx '	matches no file' codeowners_audit.txt
	! grep -q engineers codeowners_audit.txt
}

@test "parts without data say so inside their file" {
	cd "$BATS_TEST_TMPDIR"
	qgtm-audit evidence --out "$OUT"
	[ "$(jq -r .available "$OUT/s3_bucket_policy.json")" = false ]
	jq -e '.available == false and (.reason | test("no bucket is configured"))' \
		"$OUT/s3_lock_status.json"
	grep -q 'No CODEOWNERS file' "$OUT/codeowners_audit.txt"
	grep -q '^No CHANGELOG.md in the directory qgtm-audit evidence ran in' \
		"$OUT/CHANGELOG.md"
	jq -e '.type == "risk_changes" and .available == false and
		(.reason | test("no CODEOWNERS"))' "$OUT/risk_changes.jsonl"
}

@test "codeowners_audit.txt lists each risk-critical file with its owners" {
	cd "$TREE"
	qgtm-audit evidence --out "$OUT"
	cd "$OUT"
	grep -qx '/lib/dir/	@d' codeowners_audit.txt
	grep -qx '	matches lib/dir/sub/x.c' codeowners_audit.txt
	sed -n '/^file	owners$/,$p' codeowners_audit.txt >files
	printf '%s\n' 'file	owners' 'lib/broker_sim.c	@a @b' \
		'lib/broker_x.c	@a @b' 'lib/dir/sub/x.c	@d' \
		'lib/risk.c	@qgtm/risk-owners' | diff - files
	grep -q 'files: every file but hidden ones: not a git checkout' \
		codeowners_audit.txt
	jq -e '.available == false and (.reason | test("not a git checkout"))' \
		risk_changes.jsonl
	[ "$(wc -l <risk_changes.jsonl)" -eq 1 ]
}

@test "risk_changes.jsonl: the commits of risk paths, with second sign-offs" {
	git init -q "$TREE"
	commit 'Ann <ann@example.org>' 'start' CODEOWNERS lib/other.c
	commit 'Ann <ann@example.org>' 'risk alone' lib/risk.c
	commit 'Ann <ann@example.org>' 'risk reviewed' \
		'Reviewed-by: Bob <bob@example.org>' lib/risk.c lib/other.c
	commit 'Ann <ann@example.org>' 'own sign-off' \
		'Signed-off-by: Ann <ann@example.org>' lib/dir/sub/x.c
	commit 'Ann <ann@example.org>' 'generic only' lib/other.c lib/dir/sub/y.c
	echo '# Changelog' >"$TREE/CHANGELOG.md"
	cd "$TREE"
	qgtm-audit evidence --out "$OUT"
	cd "$OUT"
	cmp CHANGELOG.md "$TREE/CHANGELOG.md"
	jq -s -e '.[0] | .type == "risk_changes" and .available and
		.commits == 3 and .without_second_signoff == 2' risk_changes.jsonl
	[ "$(jq -r 'select(.type == "risk_change") | .subject' risk_changes.jsonl |
		paste -s -d ,)" = "own sign-off,risk reviewed,risk alone" ]
	jq -s -e '.[] | select(.subject == "risk reviewed") |
		.author == "Ann" and .email == "ann@example.org" and
		.files == ["lib/risk.c"] and
		.second_signoff == ["Reviewed-by: Bob <bob@example.org>"] and
		.signoffs == .second_signoff and
		(.commit | test("^[0-9a-f]{40}$")) and
		(.date | test("^[0-9]{4}-"))' risk_changes.jsonl
	jq -s -e '.[] | select(.subject == "own sign-off") | .second_signoff == [] and
		.signoffs == ["Signed-off-by: Ann <ann@example.org>"]' \
		risk_changes.jsonl
	jq -s -e '.[] | select(.subject == "risk alone") | .signoffs == []' \
		risk_changes.jsonl
	grep -q 'files: the files git tracks' codeowners_audit.txt
	sed -n '/^file	owners$/,$p' codeowners_audit.txt >files
	# only the files git tracks: the brokers were never committed
	printf '%s\n' 'file	owners' 'lib/dir/sub/x.c	@d' \
		'lib/risk.c	@qgtm/risk-owners' | diff - files
}

@test "--out creates the missing parents of its directory, mode 0750" {
	[ ! -e "$QGTM_STATE_DIR/evidence" ]
	qgtm-audit evidence --out "$QGTM_STATE_DIR/evidence/2026-03"
	[ -s "$QGTM_STATE_DIR/evidence/2026-03/MANIFEST" ]
	[ "$(stat -c %a "$QGTM_STATE_DIR/evidence")" = 750 ]
}

@test "a damaged chain: the package says so and evidence exits 1" {
	sed -i '3s/"i":3/"i":4/' "$CHAIN"
	run -1 --separate-stderr qgtm-audit evidence --out "$OUT"
	[[ $stderr == *"the chain did not verify"* ]]
	grep -q "^result: FAILED: .*chain.jsonl:3: seq 2: hash mismatch" \
		"$OUT/audit_chain_verification.txt"
	(cd "$OUT" && sha256sum -c --quiet MANIFEST)
}

@test "evidence without --out is a usage error" {
	run -64 --separate-stderr qgtm-audit evidence
}
