#!/usr/bin/env bats
# 0540-qgtm-audit-export: export and lock-status against the S3 stand-in
# (tests/standin/s3_standin.py), which recomputes every SigV4 signature
# and checks each request as S3 with Object Lock does; here the tests
# check what it logged: method, path, the lock headers, the checksums,
# the retention read back; and the stand-in's own refusals (the rules
# moto and AWS enforce), by requests sent with curl.

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

# s3curl METHOD PATH_AND_QUERY [BODYFILE] [HEADER...]: one SigV4-signed
# request to the stand-in by curl; prints the body, then the status.
s3curl() {
	local method=$1 path=$2 body=${3:-/dev/null} sha
	shift 3 || shift $#
	sha=$(sha256sum <"$body" | cut -d ' ' -f 1)
	curl -sS -X "$method" --aws-sigv4 aws:amz:eu-west-1:s3 \
		--user "AKIDEXAMPLE:$AWS_SECRET_ACCESS_KEY" \
		-H "x-amz-content-sha256: $sha" "$@" --data-binary "@$body" \
		-w '\n%{http_code}\n' "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")$path"
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
	: >"$LOG"
	run -0 --separate-stderr qgtm-audit export
	[ "$(jq -r .key <<<"$output" | tr '\n' ' ')" = "qgtm/checkpoints/00000000000000000005.json qgtm/chain/00000000000000000000-00000000000000000005.jsonl " ]
	[ "$(jq -r .retain_until <<<"$output" | sort -u)" = 2036-02-28T21:30:00Z ]
	[ "$(jq -r .status "$LOG" | sort -u)" = 200 ]
	jq -e -s 'map(select(.method == "PUT")) | length == 2' "$LOG"
	# Each PUT is followed by the read-back of its retention and legal
	# hold; the bucket's Object Lock configuration is read last.
	[ "$(jq -r '.method + " " + .query' "$LOG" | tr '\n' ,)" = "PUT ,GET retention=,HEAD ,PUT ,GET retention=,HEAD ,GET object-lock=," ]
	[ "$(jq -c .read_back <<<"$output" | sort -u)" = '{"mode":"COMPLIANCE","retain_until":"2036-02-28T21:30:00Z","legal_hold":"OFF","version_id":"v000002"}
{"mode":"COMPLIANCE","retain_until":"2036-02-28T21:30:00Z","legal_hold":"OFF","version_id":"v000003"}' ]
	jq -e -s 'map(select(.method == "PUT")) | all(.headers["x-amz-object-lock-mode"] == "COMPLIANCE" and
		.headers["x-amz-object-lock-retain-until-date"] == "2036-02-28T21:30:00Z" and
		.headers["content-md5"] != null and
		.headers["x-amz-sdk-checksum-algorithm"] == "SHA256")' "$LOG"
	# The chain segment: its bytes, their SHA-256 and base64 checksum.
	seg=$(jq -c 'select(.method == "PUT" and (.path | endswith(".jsonl")))' "$LOG")
	[ "$(jq -r .path <<<"$seg")" = /audit-bkt/qgtm/chain/00000000000000000000-00000000000000000005.jsonl ]
	[ "$(jq -r .sha256 <<<"$seg")" = "$(sha256sum <"$CHAIN" | cut -d ' ' -f 1)" ]
	[ "$(jq -r '.headers["x-amz-content-sha256"]' <<<"$seg")" = "$(sha256sum <"$CHAIN" | cut -d ' ' -f 1)" ]
	[ "$(jq -r '.headers["x-amz-checksum-sha256"]' <<<"$seg")" = "$(openssl dgst -sha256 -binary <"$CHAIN" | base64)" ]
	[ "$(jq -r '.headers["content-md5"]' <<<"$seg")" = "$(openssl dgst -md5 -binary <"$CHAIN" | base64)" ]
	[[ $(jq -r .headers.authorization <<<"$seg") =~ ^AWS4-HMAC-SHA256\ Credential=AKIDEXAMPLE/[0-9]{8}/eu-west-1/s3/aws4_request,\ SignedHeaders=[a-z0-9\;-]*x-amz-object-lock-mode[a-z0-9\;-]*,\ Signature=[0-9a-f]{64}$ ]]
	# Nothing new: nothing sent. Two more entries: only they are sent.
	: >"$LOG"
	run -0 qgtm-audit export
	[ -z "$output" ] && [ ! -s "$LOG" ]
	printf '{"type":"t","i":6}\n{"type":"t","i":7}\n' | qgtm-audit append
	run -0 --separate-stderr qgtm-audit export
	[ "$(jq -r .key <<<"$output")" = qgtm/chain/00000000000000000006-00000000000000000007.jsonl ]
	[ "$(jq -r 'select(.method == "PUT") | .sha256' "$LOG")" = "$(tail -n 2 "$CHAIN" | sha256sum | cut -d ' ' -f 1)" ]
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
	run -0 --separate-stderr qgtm-audit lock-status -j
	[ "$output" = '{"type":"audit_lock_status","bucket":"audit-bkt","enabled":true,"mode":"COMPLIANCE","days":30,"retain_days":3650,"objects":[]}' ]
	[ "$(jq -r '.method + " " + .path + "?" + .query' "$LOG" | tr '\n' ,)" = "GET /audit-bkt?object-lock=,GET /audit-bkt?prefix=qgtm%2Fchain%2F&versions=,GET /audit-bkt?prefix=qgtm%2Fcheckpoints%2F&versions=," ]
	run -0 --separate-stderr qgtm-audit lock-status
	[ "$output" = "bucket audit-bkt: Object Lock enabled, COMPLIANCE by default for 30 days" ]
	teardown
	start_s3 GOVERNANCE
	run -1 --separate-stderr qgtm-audit lock-status
	[[ $stderr == *"not on in COMPLIANCE mode"* ]]
	# Nor does an export to it succeed: its objects are locked, the
	# bucket's default is not, and the export says so.
	run -1 --separate-stderr qgtm-audit export
	[ "$stderr" = "qgtm-audit: audit-bkt: Object Lock is not on in COMPLIANCE mode with a default retention (enabled 'Enabled', mode 'GOVERNANCE')" ]
	[ ! -e "$CHAIN.export" ]
	teardown
	start_s3 none
	run -69 --separate-stderr qgtm-audit lock-status
	[[ $stderr == *"HTTP 404 ObjectLockConfigurationNotFoundError"* ]]
}

@test "a key with a space and non-ASCII bytes is signed as S3 canonicalizes it" {
	# SigV4's canonical URI is the path URI-encoded once, '/' kept; the
	# stand-in signs it so and stores keys decoded.
	start_s3 COMPLIANCE
	sed -i 's|export_to: "s3://audit-bkt/qgtm/"|export_to: "s3://audit-bkt/qgtm archive/€ü+=/"|' "$QGTM_CONFIG"
	KEY="$BATS_TEST_TMPDIR/k.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null && chmod 600 "$KEY"
	PUB=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | base64)
	printf '  checkpoint_key: "%s"\n  checkpoint_pubkey: "%s"\n' "$KEY" "$PUB" >>"$QGTM_CONFIG"
	run -0 --separate-stderr qgtm-audit export
	[ "$(jq -r .key <<<"$output")" = "qgtm archive/€ü+=/chain/00000000000000000000-00000000000000000004.jsonl" ]
	[ "$(jq -r 'select(.method == "PUT") | .path' "$LOG")" = "/audit-bkt/qgtm%20archive/%E2%82%AC%C3%BC%2B%3D/chain/00000000000000000000-00000000000000000004.jsonl" ]
	run -0 --separate-stderr qgtm-audit checkpoint
	[ "$(jq -r .status "$LOG" | sort -u)" = 200 ]
	# verify lists the versions under the prefix and reads the newest back.
	run -0 qgtm-audit verify
	[[ $output == *" published=5 from=s3://audit-bkt/qgtm archive/€ü+=/checkpoints/00000000000000000005.json" ]]
}

@test "503 SlowDown is retried after a backoff, so many times at most" {
	export S3_SLOWDOWN=2
	start_s3 COMPLIANCE
	printf 'http:\n  backoff_ms: 20\n  retries: 3\n' >>"$QGTM_CONFIG"
	run -0 --separate-stderr qgtm-audit export
	[ "$(jq -r '.method + " " + (.status | tostring)' "$LOG" | tr '\n' ,)" = "PUT 503,PUT 503,PUT 200,GET 200,HEAD 200,GET 200," ]
	teardown
	: >"$LOG"
	export S3_SLOWDOWN=10
	start_s3 COMPLIANCE
	printf 'http:\n  backoff_ms: 20\n  retries: 3\n' >>"$QGTM_CONFIG"
	printf '{"type":"t","i":6}\n' | qgtm-audit append
	run -69 --separate-stderr qgtm-audit export
	[[ $stderr == *"HTTP 503 SlowDown: Please reduce your request rate."* ]]
	[ "$(jq -r .status "$LOG" | tr '\n' ,)" = "503,503,503,503," ]
	# The policy every HTTP client shares: no wait past
	# http.retry_wait_max_ms, so no retry at all here.
	teardown
	: >"$LOG"
	start_s3 COMPLIANCE
	printf 'http:\n  backoff_ms: 20\n  retries: 3\n  retry_wait_max_ms: 10\n' >>"$QGTM_CONFIG"
	run -69 --separate-stderr qgtm-audit export
	[ "$(jq -r .status "$LOG" | tr '\n' ,)" = "503," ]
}

@test "export without a destination is a usage error" {
	run -64 --separate-stderr qgtm-audit export
	[[ $stderr == *"not s3://bucket/prefix"* ]]
}

@test "the stand-in refuses a locked upload without Content-MD5 or an SDK checksum, as AWS does" {
	start_s3 COMPLIANCE
	printf 'x\n' >"$BATS_TEST_TMPDIR/body"
	lock=(-H "x-amz-object-lock-mode: COMPLIANCE" -H "x-amz-object-lock-retain-until-date: 2036-01-01T00:00:00Z")
	sha=$(openssl dgst -sha256 -binary "$BATS_TEST_TMPDIR/body" | base64)
	run -0 s3curl PUT /audit-bkt/k "$BATS_TEST_TMPDIR/body" "${lock[@]}"
	[[ $output == *"<Code>InvalidRequest</Code><Message>Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters</Message>"*$'\n'400 ]]
	# A checksum without x-amz-sdk-checksum-algorithm is not enough
	# (AWS's PutObject page; moto refuses it too).
	run -0 s3curl PUT /audit-bkt/k "$BATS_TEST_TMPDIR/body" "${lock[@]}" -H "x-amz-checksum-sha256: $sha"
	[[ $output == *InvalidRequest*$'\n'400 ]]
	# The bucket's default retention asks the same of a plain upload.
	run -0 s3curl PUT /audit-bkt/k "$BATS_TEST_TMPDIR/body"
	[[ $output == *InvalidRequest*$'\n'400 ]]
	run -0 s3curl PUT /audit-bkt/k "$BATS_TEST_TMPDIR/body" "${lock[@]}" -H "Content-MD5: $(printf 'y\n' | openssl dgst -md5 -binary | base64)"
	[[ $output == *BadDigest*$'\n'400 ]]
	run -0 s3curl PUT /audit-bkt/k "$BATS_TEST_TMPDIR/body" "${lock[@]}" -H "x-amz-sdk-checksum-algorithm: SHA256" -H "x-amz-checksum-sha256: $(printf 'y\n' | openssl dgst -sha256 -binary | base64)"
	[[ $output == *BadDigest*$'\n'400 ]]
	run -0 s3curl PUT /audit-bkt/k "$BATS_TEST_TMPDIR/body" "${lock[@]}" -H "x-amz-sdk-checksum-algorithm: SHA256" -H "x-amz-checksum-sha256: $sha"
	[[ $output == *$'\n'200 ]]
	run -0 s3curl GET '/audit-bkt/k?retention=' "" 
	[[ $output == *"<Mode>COMPLIANCE</Mode><RetainUntilDate>2036-01-01T00:00:00Z</RetainUntilDate>"*$'\n'200 ]]
}

@test "a locked version cannot be deleted; COMPLIANCE retention cannot be shortened" {
	start_s3 COMPLIANCE
	run -0 --separate-stderr qgtm-audit export
	key=$(jq -r .key <<<"$output")
	run -0 s3curl DELETE "/$(jq -r .bucket <<<"$output")/$key?versionId=v000001" ""
	[[ $output == *AccessDenied*$'\n'403 ]]
	printf '<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>' >"$BATS_TEST_TMPDIR/ret"
	run -0 s3curl PUT "/audit-bkt/$key?retention=" "$BATS_TEST_TMPDIR/ret" -H "Content-MD5: $(openssl dgst -md5 -binary "$BATS_TEST_TMPDIR/ret" | base64)"
	[[ $output == *AccessDenied*$'\n'403 ]]
	run -0 s3curl GET "/audit-bkt/$key?retention=" ""
	[[ $output == *"<RetainUntilDate>2036-02-28T21:30:00Z</RetainUntilDate>"* ]]
}

@test "lock-status reads each newest object's lock back; --probe shows deletion and shortening refused" {
	start_s3 COMPLIANCE
	KEY="$BATS_TEST_TMPDIR/k.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null && chmod 600 "$KEY"
	QGTM_AUDIT_CHECKPOINT_KEY=$(cat "$KEY") qgtm-audit checkpoint >/dev/null
	qgtm-audit export >/dev/null
	: >"$LOG"
	run -0 --separate-stderr qgtm-audit lock-status -j --probe
	[ "$(jq -c .objects <<<"$output")" = '[{"mode":"COMPLIANCE","retain_until":"2036-02-28T21:30:00Z","legal_hold":"OFF","version_id":"v000003","key":"qgtm/chain/00000000000000000000-00000000000000000005.jsonl"},{"mode":"COMPLIANCE","retain_until":"2036-02-28T21:30:00Z","legal_hold":"OFF","version_id":"v000002","key":"qgtm/checkpoints/00000000000000000005.json"}]' ]
	[ "$(jq -c .probe <<<"$output")" = '{"type":"audit_lock_probe","bucket":"audit-bkt","key":"qgtm/lock-probe/2026-03-02T21:30:00Z","version_id":"v000004","delete":"refused","delete_status":403,"delete_code":"AccessDenied","shorten":"refused","shorten_status":403,"shorten_code":"AccessDenied","shorten_to":"2036-02-27T21:30:00Z"}' ]
	# The probe touched its own object only, and sent no other change.
	[ "$(jq -r 'select(.method != "GET" and .method != "HEAD") | .method + " " + .path + "?" + .query + " " + (.status | tostring)' "$LOG")" = "PUT /audit-bkt/qgtm/lock-probe/2026-03-02T21%3A30%3A00Z? 200
PUT /audit-bkt/qgtm/lock-probe/2026-03-02T21%3A30%3A00Z?retention=&versionId=v000004 403
DELETE /audit-bkt/qgtm/lock-probe/2026-03-02T21%3A30%3A00Z?versionId=v000004 403" ]
	jq -e -s 'map(select(.method == "PUT" and (.query | startswith("retention")))) | length == 1 and all(.headers["content-md5"] != null)' "$LOG"
	# A delete marker (a delete without a version id, which Object Lock
	# allows) hides no version: the locked one is read back still.
	run -0 s3curl DELETE /audit-bkt/qgtm/chain/00000000000000000000-00000000000000000005.jsonl ""
	[[ $output == *$'\n'204 ]]
	: >"$LOG"
	run -0 --separate-stderr qgtm-audit lock-status --probe
	[ "${lines[1]}" = "object qgtm/chain/00000000000000000000-00000000000000000005.jsonl version v000003: COMPLIANCE until 2036-02-28T21:30:00Z, legal hold OFF" ]
	[ "$(jq -r 'select(.path | endswith(".jsonl")) | .method + " " + .query + " " + (.status | tostring)' "$LOG" | tr '\n' ,)" = "GET retention=&versionId=v000003 200,HEAD versionId=v000003 200," ]
	[ "${lines[3]}" = "probe qgtm/lock-probe/2026-03-02T21:30:00Z version v000006: delete refused (HTTP 403 AccessDenied), shorten to 2036-02-27T21:30:00Z refused (HTTP 403 AccessDenied)" ]
}

@test "lock-status --probe fails, naming it, when the store lets a locked version go" {
	start_s3 leaky
	run -1 --separate-stderr qgtm-audit lock-status -j --probe
	[ "$stderr" = "qgtm-audit: qgtm/lock-probe/2026-03-02T21:30:00Z: S3 accepted a shorter retention and the deletion of a locked version: Object Lock does not hold" ]
	[ "$(jq -r '.probe.delete + " " + .probe.shorten' <<<"$output")" = "accepted accepted" ]
	# Without --probe, nothing is written and the configuration passes.
	run -0 qgtm-audit lock-status
}

@test "the evidence package holds lock-status's proof, or why it fails" {
	start_s3 COMPLIANCE
	qgtm-audit export >/dev/null
	cd "$BATS_TEST_TMPDIR"
	qgtm-audit evidence --out ev
	grep -q '  s3_lock_status.json$' ev/MANIFEST
	jq -e '.type == "audit_lock_status" and .mode == "COMPLIANCE" and
		.objects[0].key == "qgtm/chain/00000000000000000000-00000000000000000004.jsonl" and
		.objects[0].retain_until == "2036-02-28T21:30:00Z"' ev/s3_lock_status.json
	teardown
	start_s3 GOVERNANCE
	qgtm-audit evidence --out ev2
	jq -e '.available == false and (.reason | test("not on in COMPLIANCE mode")) and
		.read.mode == "GOVERNANCE"' ev2/s3_lock_status.json
}

@test "export fails when the retention read back is not COMPLIANCE: HTTP 200 is no proof" {
	start_s3 unlocking
	run -1 --separate-stderr qgtm-audit export
	[ "$stderr" = "qgtm-audit: qgtm/chain/00000000000000000000-00000000000000000004.jsonl: uploaded, but its retention read back is mode '' until '', not COMPLIANCE until 2036-02-28T21:30:00Z" ]
	[ ! -e "$CHAIN.export" ]
}

@test "checkpoint publishes to the bucket; a state-directory writer cannot rewrite or cut the chain past it" {
	start_s3 COMPLIANCE
	KEY="$BATS_TEST_TMPDIR/k.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null && chmod 600 "$KEY"
	PUB=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | base64)
	printf '  checkpoint_key: "%s"\n  checkpoint_pubkey: "%s"\n' "$KEY" "$PUB" >>"$QGTM_CONFIG"
	run -0 --separate-stderr qgtm-audit checkpoint
	[ "$(sed -n 2p <<<"$output" | jq -r '.to + " " + .key')" = "s3 qgtm/checkpoints/00000000000000000005.json" ]
	[ "$(jq -r 'select(.method == "GET") | .query' "$LOG")" = "retention=" ]
	printf '{"type":"t","i":6}\n' | qgtm-audit append
	run -0 qgtm-audit verify
	[[ $output == *" published=5 from=s3://audit-bkt/qgtm/checkpoints/00000000000000000005.json" ]]
	# A delete marker (bucket write, no bypass) hides no version.
	run -0 s3curl DELETE /audit-bkt/qgtm/checkpoints/00000000000000000005.json ""
	[[ $output == *204 ]]
	run -0 qgtm-audit verify
	[[ $output == *" published=5 "* ]]
	# The state directory's writer: cut, rewritten, or started afresh.
	cp "$CHAIN" "$BATS_TEST_TMPDIR/whole"
	head -n 5 "$BATS_TEST_TMPDIR/whole" >"$CHAIN"
	rm -f "$CHAIN".*
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"has 5 entries, but the published checkpoint (s3://audit-bkt/qgtm/checkpoints/00000000000000000005.json) is entry 5: entries were cut off its end" ]]
	rm -rf "$QGTM_STATE_DIR"/*
	mkdir -p "$QGTM_STATE_DIR/audit"
	for i in $(seq 9); do echo "{\"type\":\"t\",\"i\":$((i + 100))}"; done | qgtm-audit append
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"$CHAIN:6: the 5 entries before this one do not have the root of the published checkpoint (s3://audit-bkt/qgtm/checkpoints/00000000000000000005.json): the chain was rewritten" ]]
	# Her own key makes a checkpoint verify refuses (she cannot publish it).
	EVIL="$BATS_TEST_TMPDIR/evil.pem"
	openssl genpkey -algorithm ed25519 -out "$EVIL" 2>/dev/null && chmod 600 "$EVIL"
	QGTM_AUDIT_CHECKPOINT_KEY=$(cat "$EVIL") qgtm-audit checkpoint -c /dev/null >/dev/null
	run -1 --separate-stderr qgtm-audit verify
}
