#!/usr/bin/env bats
# The auditor's day over HTTP alone: the shipped etc/lighttpd/qgtm.conf
# serving qgtm-api on loopback, an auditor's login (HTTP Basic, mapped by
# api.auditor_users), and curl. The operator made the state beforehand (a
# replay, a kill-switch escalation, an evidence package); the auditor's
# steps never read the state directory. Skipped without lighttpd.

setup_file() {
	(
		BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR/seed
		load ../lib
		# The cycle's qgtm-risk evaluate kept below its limits, as in
		# 0760: two limits that differ from their defaults.
		printf 'risk:\n  max_drawdown: 0.5\n  max_daily_loss: 0.5\n' \
			>"$BATS_FILE_TMPDIR/replay.yaml"
		export QGTM_CONFIG="$BATS_FILE_TMPDIR/replay.yaml"
		QGTM_REPLAY_END=$(date -u -d yesterday +%F) \
			"$QGTM_TOP/examples/replay.sh" 14 2>/dev/null
		# The operator's part: one escalation, the evidence package.
		qgtm-risk escalate --to WARN --reason "vol spike" --by alice \
			>/dev/null
		mkdir -p "$QGTM_STATE_DIR/evidence"
		qgtm-audit evidence --out "$QGTM_STATE_DIR/evidence/visit-1" \
			>/dev/null
		# The manual, as `make install` puts it (/docs/).
		if command -v mandoc >/dev/null && command -v cmark >/dev/null; then
			(cd "$QGTM_TOP" && sh mk/docs.sh "$BATS_FILE_TMPDIR/docs") \
				>/dev/null
		fi
	)
}

setup() {
	load ../lib
	command -v lighttpd >/dev/null || skip "lighttpd is not installed"
	source "$QGTM_TOP/tests/browser/serve.bash"
	cp -R "$BATS_FILE_TMPDIR/seed/state" "$QGTM_STATE_DIR"
	port=$(serve_free_port)
	base="http://127.0.0.1:$port"
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/qgtm.yaml
	cat "$BATS_FILE_TMPDIR/replay.yaml" >"$QGTM_CONFIG"
	printf 'api:\n  users: ["opa:olive"]\n  auditor_users: ["ann:ann"]\n  public_origins: ["%s"]\n' \
		"$base" >>"$QGTM_CONFIG"
	PW=pw-S3CRET-0735
	LOGIN=ann:$PW
	serve_config "$BATS_TEST_TMPDIR/serve" "$port" ann "$PW" >/dev/null
	# The manual where the shipped config looks for it, moved here.
	sed -i "s|/usr/local/share/qgtm/doc/html/|$BATS_FILE_TMPDIR/docs/|" \
		"$SERVE/lighttpd.conf"
	serve_start
}

teardown() {
	[ -z "${SERVE:-}" ] || serve_stop
}

# api PATH [curl options]: GET (or as the options say) PATH of the API as
# the auditor; the HTTP code into $code, the body into $BODY.
api() {
	local path=$1
	shift
	BODY=$BATS_TEST_TMPDIR/body
	code=$(curl -s -o "$BODY" -w '%{http_code}' -u "$LOGIN" "$@" \
		"$base/api/v1/$path")
}

# step NAME LIMIT: the seconds since the last step, at most LIMIT.
step() {
	local now
	now=$(date +%s)
	echo "# $1: $((now - T0)) s (limit $2 s)" >&3
	[ $((now - T0)) -lt "$2" ]
	T0=$now
}

@test "an auditor's day: verify, trace 10 sampled orders, the evidence, limits, kill switch" {
	# From here on nothing reads the state directory: HTTP only.
	(
		unset QGTM_STATE_DIR
		cd "$BATS_TEST_TMPDIR"
		T0=$(date +%s)
		# 1. The chain verifies (seed's budget: 5 minutes).
		api audit/verify
		[ "$code" = 200 ]
		[ "$(jq -r .valid "$BODY")" = true ]
		entries=$(jq -r .entries "$BODY")
		[ "$entries" -gt 40 ]
		[[ $(jq -r .root "$BODY") =~ ^[0-9a-f]{64}$ ]]
		[ "$(jq -r .consistency "$BODY")" = "no published checkpoint" ]
		step verify 300
		# 2. Every order of the journal, a page of 4 at a time.
		after=0
		: >orders.txt
		while [ "$after" != null ]; do
			api "journal/orders?after=$after&limit=4"
			[ "$code" = 200 ]
			jq -r '.records[] | select(.kind == "order") |
				.record.client_order_id' "$BODY" >>orders.txt
			total=$(jq -r .total "$BODY")
			after=$(jq -r .next "$BODY")
		done
		[ "$(wc -l <orders.txt)" -eq "$total" ]
		[ "$total" -ge 10 ]
		api journal/fills
		[ "$(jq -r '.records | length' "$BODY")" -ge 10 ]
		# 3. Ten orders drawn at random, each traced from its signal
		# to its fill at the broker (budget: 10 minutes for a trace).
		shuf -n 10 orders.txt >sample.txt
		[ "$(wc -l <sample.txt)" -eq 10 ]
		while read -r id; do
			api "audit/trace?order=$id"
			[ "$code" = 200 ]
			run -0 jq -r '[.entries[].kind] | join(" ")' "$BODY"
			[[ $output == "signal "*"decision "*"order "*"fill"* ]]
			[ "$(jq -r '[.entries[].inclusion] | unique | join(",")' "$BODY")" = verified ]
			[ "$(jq -r '[.orders, .fills_in_chain, .fills_at_broker] | join(" ")' "$BODY")" = "1 1 1" ]
			[ "$(jq -r '.broker_records[0].order.client_order_id' "$BODY")" = "$id" ]
		done <sample.txt
		step "trace 10 orders" 600
		# The API's own sample: entries of the chain, each traced.
		api "audit/sample?n=10&seed=visit-1"
		[ "$code" = 200 ]
		[ "$(jq -r '.samples | length' "$BODY")" = 10 ]
		[ "$(jq -r '[.samples[] | select(.trace != null) |
			.trace.fills_in_chain == .trace.fills_at_broker] | all' "$BODY")" = true ]
		api "audit/sample?n=10&seed=visit-1"
		cp "$BODY" again.json
		api "audit/sample?n=10&seed=visit-1"
		[ "$(jq -c '[.samples[].seq]' again.json)" = "$(jq -c '[.samples[].seq]' "$BODY")" ]
		step sample 600
		# Ten cycles re-derived from the store as of their moment: each
		# signal and decision equals what the chain recorded.
		api "audit/rederive?n=10&seed=visit-1"
		[ "$code" = 200 ]
		[ "$(jq -r 'length' "$BODY")" = 10 ]
		[ "$(jq -r '[.[].result] | unique | join(",")' "$BODY")" = match ]
		id=$(jq -r '.[0].trace_id' "$BODY")
		api "audit/rederive?trace=$id"
		[ "$code" = 200 ]
		[ "$(jq -r .result "$BODY")" = match ]
		[ "$(jq -r '.lineage | length' "$BODY")" -gt 0 ]
		api "audit/rederive?trace=no-such-trace"
		[ "$code" = 404 ]
		step "rederive 10 cycles" 600
		# 4. The evidence package: one archive, its MANIFEST checks.
		api evidence
		[ "$(jq -r .package "$BODY")" = visit-1 ]
		jq -r '.manifest[] | "\(.sha256)  \(.file)"' "$BODY" >manifest.api
		mkdir dl && cd dl
		code=$(curl -s -OJ -w '%{http_code}' -u "$LOGIN" \
			"$base/api/v1/evidence/archive")
		[ "$code" = 200 ]
		[ -f visit-1.tar ]
		tar -xf visit-1.tar
		(cd visit-1 && sha256sum -c --quiet MANIFEST)
		diff ../manifest.api visit-1/MANIFEST
		grep -q 'codeowners_audit.txt$' visit-1/MANIFEST
		cd ..
		step evidence 300
		# 5. The limits beside their defaults.
		api limits
		[ "$code" = 200 ]
		[ "$(jq -r '.limits[] | select(.key == "risk.max_drawdown") |
			[.value, .default, .differs] | join(" ")' "$BODY")" = "0.5 0.03 true" ]
		[ "$(jq -r '.limits[] | select(.key == "risk.max_order_notional") |
			[.value, .default, .differs] | join(" ")' "$BODY")" = "25000.00 25000.00 false" ]
		[ "$(jq -r .differing "$BODY")" = 2 ]
		[ "$(jq -r .gate.max_drawdown "$BODY")" = 0.500000 ]
		# 6. The kill switch's history, verified.
		api killswitch/history
		[ "$code" = 200 ]
		[ "$(jq -r '[.verified, .tier, .records] | join(" ")' "$BODY")" = "true WARN 1" ]
		[ "$(jq -r '.history[0] | [.verified, .record.to, .record.reason] | join("|")' "$BODY")" = "true|WARN|vol spike" ]
		step "limits and kill switch" 300
		# 7. The manual, behind the same login.
		if [ -f "$BATS_FILE_TMPDIR/docs/index.html" ]; then
			run -0 curl -sf -u "$LOGIN" "$base/docs/"
			[[ $output == *"qgtm-api.1.html"* ]]
			run -0 curl -sf -u "$LOGIN" "$base/docs/qgtm-api.1.html"
			[[ $output == *"evidence/archive"* ]]
		fi
		run curl -s -o /dev/null -w '%{http_code}' "$base/docs/"
		[ "$output" = 401 ]
	)
	! grep -rq S3CRET "$SERVE/error.log" "$SERVE/lighttpd.out"
}

@test "the auditor cannot act: flatten, reset and approve are 403" {
	before=$(wc -l <"$QGTM_STATE_DIR/audit/chain.jsonl")
	body='{"confirm":"FLATTEN ALL","nonce":"'$(date +%s)000-a'"}'
	for p in flatten reset approve killswitch/reset risk/approve; do
		api "$p" -H "Origin: $base" -H 'Content-Type: application/json' \
			-d "$body"
		[ "$code" = 403 ]
		[ "$(jq -r .error "$BODY")" = "an auditor may read, not act" ]
	done
	for m in PUT DELETE PATCH; do
		api evidence -X "$m"
		[ "$code" = 403 ]
	done
	# Nothing acted: no call in the chain, the book as it was.
	[ "$(wc -l <"$QGTM_STATE_DIR/audit/chain.jsonl")" = "$before" ]
	api status
	[ "$(jq -r .positions "$BODY")" -gt 0 ]
	# The operator's login is still what FLATTEN needs: not the auditor's.
	run -0 curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/flatten" \
		-H "Origin: $base" -d "$body"
	[ "$output" = 401 ]
}

@test "what does not match shows: a fill the broker lacks, a tampered kill switch" {
	api journal/orders
	id=$(jq -r '.records[0].record.client_order_id' "$BODY")
	# The journal's fill of that order altered behind the chain's back.
	jq -c --arg id "$id" 'if .fill.client_order_id == $id then
		.fill.price = "1.000000" else . end' \
		"$QGTM_STATE_DIR/oms/orders.jsonl" >"$BATS_TEST_TMPDIR/j"
	cp "$BATS_TEST_TMPDIR/j" "$QGTM_STATE_DIR/oms/orders.jsonl"
	api "audit/trace?order=$id"
	[ "$code" = 200 ]
	[ "$(jq -r '[.fills_in_chain, .fills_at_broker, .fills[0].at_broker] | join(" ")' "$BODY")" = "1 0 false" ]
	# The kill switch's state lowered by hand, with no record.
	jq -c '.tier = "NORMAL"' "$QGTM_STATE_DIR/risk/killswitch.json" \
		>"$BATS_TEST_TMPDIR/ks" && cp "$BATS_TEST_TMPDIR/ks" \
		"$QGTM_STATE_DIR/risk/killswitch.json"
	api killswitch/history
	[ "$code" = 200 ]
	[ "$(jq -r .verified "$BODY")" = false ]
	[ "$(jq -r .state.health "$BODY")" != ok ]
	! grep -q "$QGTM_STATE_DIR" "$BODY"
	# Bad queries are 400, unknown ids 404.
	for q in 'journal/orders?limit=0' 'journal/fills?after=-1' \
	    'audit/sample?n=101' 'audit/trace' 'audit/sample?n=x'; do
		api "$q"
		[ "$code" = 400 ]
	done
	api 'audit/trace?trace=0123456789abcdef0123456789abcdef'
	[ "$code" = 404 ]
}
