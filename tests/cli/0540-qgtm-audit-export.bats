#!/usr/bin/env bats
# 0540-qgtm-audit-export: export and lock-status against the S3 stand-in
# (tests/standin/s3_standin.py), which recomputes every SigV4 signature
# and checks each request as S3 with Object Lock does; here the tests
# check what it logged: method, path, the lock headers, the checksum.

bats_require_minimum_version 1.7.0

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T21:30:00Z
	mkdir -p "$QGTM_STATE_DIR/audit"
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	LOG="$BATS_TEST_TMPDIR/s3.log"
	export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
	export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
	for i in $(seq 5); do echo "{\"type\":\"t\",\"i\":$i}"; done |
		qgtm-audit append
}

teardown() {
	if [ -n "${S3PID:-}" ]; then kill "$S3PID"; wait "$S3PID" || true; fi
}

# start_s3 LOCKMODE: the stand-in on a free port, and a config for it.
start_s3() {
	rm -f "$BATS_TEST_TMPDIR/port"
	python3 "$QGTM_TOP/tests/standin/s3_standin.py" "$BATS_TEST_TMPDIR/port" \
		"$LOG" AKIDEXAMPLE "$AWS_SECRET_ACCESS_KEY" eu-west-1 "$1" 3>&- &
	S3PID=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.05; done
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
	printf 'audit:\n  s3_endpoint: "http://127.0.0.1:%s"\n  s3_region: eu-west-1\n  export_to: "s3://audit-bkt/qgtm/"\n  retain_days: 3650\n' \
		"$(cat "$BATS_TEST_TMPDIR/port")" >"$QGTM_CONFIG"
}

@test "export uploads new entries and checkpoints, locked, signed, checksummed" {
	start_s3 COMPLIANCE
	KEY="$BATS_TEST_TMPDIR/k.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null && chmod 600 "$KEY"
	QGTM_AUDIT_CHECKPOINT_KEY=$(cat "$KEY") qgtm-audit checkpoint >/dev/null
	run -0 --separate-stderr qgtm-audit export
	[ "$(jq -r .key <<<"$output" | tr '\n' ' ')" = "qgtm/checkpoints/00000000000000000005.json qgtm/chain/00000000000000000000-00000000000000000005.jsonl " ]
	[ "$(jq -r .retain_until <<<"$output" | sort -u)" = 2036-02-28T21:30:00Z ]
	[ "$(jq -r .status "$LOG" | sort -u)" = 200 ]
	jq -e -s 'map(select(.method == "PUT")) | length == 2' "$LOG"
	jq -e '.headers["x-amz-object-lock-mode"] == "COMPLIANCE" and
		.headers["x-amz-object-lock-retain-until-date"] == "2036-02-28T21:30:00Z"' "$LOG"
	# The chain segment: its bytes, their SHA-256 and base64 checksum.
	seg=$(jq -c 'select(.path | endswith(".jsonl"))' "$LOG")
	[ "$(jq -r .path <<<"$seg")" = /audit-bkt/qgtm/chain/00000000000000000000-00000000000000000005.jsonl ]
	[ "$(jq -r .sha256 <<<"$seg")" = "$(sha256sum <"$CHAIN" | cut -d ' ' -f 1)" ]
	[ "$(jq -r '.headers["x-amz-content-sha256"]' <<<"$seg")" = "$(sha256sum <"$CHAIN" | cut -d ' ' -f 1)" ]
	[ "$(jq -r '.headers["x-amz-checksum-sha256"]' <<<"$seg")" = "$(openssl dgst -sha256 -binary <"$CHAIN" | base64)" ]
	[[ $(jq -r .headers.authorization <<<"$seg") =~ ^AWS4-HMAC-SHA256\ Credential=AKIDEXAMPLE/[0-9]{8}/eu-west-1/s3/aws4_request,\ SignedHeaders=[a-z0-9\;-]*x-amz-object-lock-mode[a-z0-9\;-]*,\ Signature=[0-9a-f]{64}$ ]]
	# Nothing new: nothing sent. Two more entries: only they are sent.
	: >"$LOG"
	run -0 qgtm-audit export
	[ -z "$output" ] && [ ! -s "$LOG" ]
	printf '{"type":"t","i":6}\n{"type":"t","i":7}\n' | qgtm-audit append
	run -0 --separate-stderr qgtm-audit export
	[ "$(jq -r .key <<<"$output")" = qgtm/chain/00000000000000000006-00000000000000000007.jsonl ]
	[ "$(jq -r .sha256 "$LOG")" = "$(tail -n 2 "$CHAIN" | sha256sum | cut -d ' ' -f 1)" ]
}

@test "a wrong secret: 403 from the stand-in, exit 77, nothing marked exported" {
	start_s3 COMPLIANCE
	AWS_SECRET_ACCESS_KEY=wrong run -77 --separate-stderr qgtm-audit export
	[[ $stderr == *"HTTP 403"*"SignatureDoesNotMatch"* ]]
	[ ! -e "$CHAIN.export" ]
	[ "$(jq -r .why "$LOG")" = SignatureDoesNotMatch ]
}

@test "lock-status: 0 only for COMPLIANCE with a default retention" {
	start_s3 COMPLIANCE
	run -0 --separate-stderr qgtm-audit lock-status
	[ "$output" = '{"type":"audit_lock_status","bucket":"audit-bkt","enabled":true,"mode":"COMPLIANCE","days":30}' ]
	[ "$(jq -r '.method + " " + .path + "?" + .query' "$LOG")" = "GET /audit-bkt?object-lock=" ]
	teardown
	start_s3 GOVERNANCE
	run -1 --separate-stderr qgtm-audit lock-status
	[[ $stderr == *"not on in COMPLIANCE mode"* ]]
	teardown
	start_s3 none
	run -69 --separate-stderr qgtm-audit lock-status
	[[ $stderr == *"HTTP 404 ObjectLockConfigurationNotFoundError"* ]]
}

@test "export without a destination is a usage error" {
	run -64 --separate-stderr qgtm-audit export
	[[ $stderr == *"not s3://bucket/prefix"* ]]
}
