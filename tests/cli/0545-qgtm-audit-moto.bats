#!/usr/bin/env bats
# 0545-qgtm-audit-moto: checkpoint, export and verify against a real S3
# implementation, moto's standalone server (python3 -m moto.server) on a
# loopback port: uploads with Object Lock accepted (Content-MD5), the
# retention read back, the newest checkpoint found by verify, deletion
# and shortening refused. Skipped, saying why, where moto is missing.

bats_require_minimum_version 1.7.0

setup() {
	load ../lib
	if ! python3 -c 'import moto.server' 2>/dev/null; then
		skip "moto's server is not installed (python3 -m moto.server; Debian has no python3-moto)"
	fi
	export QGTM_NOW=2026-03-02T21:30:00Z
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	mkdir -p "$QGTM_STATE_DIR/audit"
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	python3 -m moto.server -H 127.0.0.1 -p 0 >"$BATS_TEST_TMPDIR/moto.out" 2>&1 3>&- &
	MOTOPID=$!
	for _ in $(seq 200); do
		PORT=$(sed -n 's|.*Running on http://127.0.0.1:\([0-9]*\).*|\1|p' "$BATS_TEST_TMPDIR/moto.out")
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	[ -n "$PORT" ]
	URL="http://127.0.0.1:$PORT"
	curl -sSf -X PUT -H 'x-amz-bucket-object-lock-enabled: true' "$URL/audit-bkt" >/dev/null
	KEY="$BATS_TEST_TMPDIR/k.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null && chmod 600 "$KEY"
	PUB=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | base64)
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
	printf 'audit:\n  s3_endpoint: "%s"\n  s3_region: us-east-1\n  export_to: "s3://audit-bkt/qgtm/"\n  retain_days: 3650\n  checkpoint_key: "%s"\n  checkpoint_pubkey: "%s"\n' \
		"$URL" "$KEY" "$PUB" >"$QGTM_CONFIG"
	for i in $(seq 5); do echo "{\"type\":\"t\",\"i\":$i}"; done | qgtm-audit append
}

teardown() {
	if [ -n "${MOTOPID:-}" ]; then kill "$MOTOPID"; wait "$MOTOPID" || true; fi
}

# s3 METHOD PATH [CURL ARGS]: a signed request to moto; body, then status.
s3() {
	local method=$1 path=$2
	shift 2
	curl -sS -X "$method" --aws-sigv4 aws:amz:us-east-1:s3 --user testing:testing \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@" -w '\n%{http_code}\n' "$URL$path"
}

@test "moto: checkpoint and export are accepted and locked; verify anchors to the bucket; deletion and shortening refused" {
	run -0 --separate-stderr qgtm-audit checkpoint
	[ "$(sed -n 2p <<<"$output" | jq -r .key)" = qgtm/checkpoints/00000000000000000005.json ]
	run -0 --separate-stderr qgtm-audit export
	[ "$(jq -r .key <<<"$output" | tr '\n' ' ')" = "qgtm/checkpoints/00000000000000000005.json qgtm/chain/00000000000000000000-00000000000000000005.jsonl " ]
	# moto 5 answers ?retention with the object; HeadObject shows the lock.
	run -0 s3 HEAD /audit-bkt/qgtm/chain/00000000000000000000-00000000000000000005.jsonl -I
	[[ $output == *"x-amz-object-lock-mode: COMPLIANCE"* ]]
	[[ $output == *"x-amz-object-lock-retain-until-date: 2036-02-28T21:30:00"* ]]
	printf '{"type":"t","i":6}\n' | qgtm-audit append
	run -0 qgtm-audit verify
	[[ $output == *" published=5 from=s3://audit-bkt/qgtm/checkpoints/00000000000000000005.json" ]]
	# Cut in the state directory: verify fails against moto's copy.
	cp "$CHAIN" "$BATS_TEST_TMPDIR/whole"
	head -n 5 "$BATS_TEST_TMPDIR/whole" >"$CHAIN" && rm -f "$CHAIN".*
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"has 5 entries, but the published checkpoint (s3://audit-bkt/qgtm/checkpoints/00000000000000000005.json) is entry 5"* ]]
	# The locked version cannot be deleted nor its retention shortened.
	vid=$(s3 GET '/audit-bkt?prefix=qgtm%2Fchain%2F&versions=' | sed -n 's|.*<VersionId>\([^<]*\)</VersionId>.*|\1|p' | head -n 1)
	[ -n "$vid" ]
	run -0 s3 DELETE "/audit-bkt/qgtm/chain/00000000000000000000-00000000000000000005.jsonl?versionId=$vid"
	[[ $output == *AccessDenied*$'\n'403 ]]
	body='<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2027-01-01T00:00:00Z</RetainUntilDate></Retention>'
	run -0 s3 PUT "/audit-bkt/qgtm/chain/00000000000000000000-00000000000000000005.jsonl?retention=&versionId=$vid" \
		-H "Content-MD5: $(printf '%s' "$body" | openssl dgst -md5 -binary | base64)" --data-binary "$body"
	[[ $output != *$'\n'200 ]]
	run -0 s3 HEAD /audit-bkt/qgtm/chain/00000000000000000000-00000000000000000005.jsonl -I
	[[ $output == *"x-amz-object-lock-retain-until-date: 2036-02-28T21:30:00"* ]]
}

@test "moto: an Object Lock upload with only x-amz-checksum-sha256 (the old export) gets 400" {
	printf 'x\n' >"$BATS_TEST_TMPDIR/body"
	run -0 s3 PUT /audit-bkt/k -H "x-amz-object-lock-mode: COMPLIANCE" \
		-H "x-amz-object-lock-retain-until-date: 2036-01-01T00:00:00Z" \
		-H "x-amz-checksum-sha256: $(openssl dgst -sha256 -binary "$BATS_TEST_TMPDIR/body" | base64)" \
		--data-binary "@$BATS_TEST_TMPDIR/body"
	[[ $output == *MissingUploadObjectWithObjectLockHeaders*$'\n'400 ]]
}
