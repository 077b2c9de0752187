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
	touch "$TREE/lib/risk.c" "$TREE/lib/broker_sim.c" "$TREE/lib/broker_x.c"
	printf '%s\n' '# owners' '*  @qgtm/engineers' \
		'/lib/risk.c  @qgtm/risk-owners' '/lib/broker*.c @a @b' \
		'/gone.c @c' >"$TREE/CODEOWNERS"
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
	[ "$(cut -d ' ' -f 3 MANIFEST | sort | tr '\n' ' ')" = "README audit_chain_verification.txt backtest_methodology.pdf codeowners_audit.txt kill_switch_history.json risk_limits_config.json s3_bucket_policy.json " ]
	[ "$(ls | wc -l)" -eq 8 ]
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
	grep -q 'No CODEOWNERS file' "$OUT/codeowners_audit.txt"
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
