#!/usr/bin/env bats
# qgtm-risk: the two-person reset (reset, approve) and each refusal.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	for op in alice bob carol; do
		openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/$op.key" 2>/dev/null
		chmod 600 "$BATS_TEST_TMPDIR/$op.key"
		pub=$(openssl pkey -in "$BATS_TEST_TMPDIR/$op.key" -pubout -outform DER |
			tail -c 32 | base64)
		eval "${op}_pub=\$pub"
	done
	# carol has a key but is not an operator.
	cat >"$BATS_TEST_TMPDIR/qgtm.yaml" <<-EOF
	risk:
	  operators: ["alice:$alice_pub", "bob:$bob_pub"]
	  reset_expiry_minutes: 30
	EOF
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
	qgtm-risk escalate --to FLATTEN --reason "drawdown" --by alice >/dev/null
}

# request OP TIER: a reset request by OP, its id in $id.
request() {
	qgtm-risk reset --key "$BATS_TEST_TMPDIR/$1.key" --to "$2" \
		--reason "all clear" --by "$1" >"$BATS_TEST_TMPDIR/req"
	id=$(jq -r .id "$BATS_TEST_TMPDIR/req")
}

# refused ACT CODE: the output is one reset_refusal with CODE.
refused() {
	[ "$(jq -r '[.type, .act, .code] | join(" ")' <<<"$output")" = "reset_refusal $1 $2" ]
}

@test "alice asks, bob approves: the tier goes down, both are recorded" {
	request alice WARN
	run -0 jq -r '[.type, .from, .to, .by, .clock, (.sig | length)] | join(" ")' \
		"$BATS_TEST_TMPDIR/req"
	[ "$output" = "reset_request FLATTEN WARN alice pinned 88" ]
	run -5 qgtm-risk status       # a request changes nothing yet
	run -0 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r '[.type, .request_id, .by, .to] | join(" ")' <<<"${lines[0]}")" = "reset_approval $id bob WARN" ]
	[ "$(jq -r '[.type, .from, .to, .by, .approved_by, .request_id] | join(" ")' <<<"${lines[1]}")" = "tier FLATTEN WARN alice bob $id" ]
	run -2 qgtm-risk status
	[ "${lines[3]}" = "by alice" ]
	[ "${lines[4]}" = "approved_by bob" ]
	run -0 qgtm-risk history
	[ "${lines[1]}" = "2026-01-05T21:30:00Z FLATTEN -> WARN by alice approved_by bob: all clear" ]
}

@test "a request is approved once: a replay is TIER_CHANGED" {
	request alice NORMAL
	qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id" >/dev/null
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id"
	refused approve TIER_CHANGED
}

@test "refused: the requester approves her own request (SAME_OPERATOR)" {
	request alice WARN
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/alice.key" --by alice "$id"
	refused approve SAME_OPERATOR
	[[ $stderr == *"approve refused: 'alice' made the request"* ]]
	run -5 qgtm-risk status
}

@test "refused: an approver who is not an operator (UNKNOWN_OPERATOR)" {
	request alice WARN
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/carol.key" --by carol "$id"
	refused approve UNKNOWN_OPERATOR
	run -77 --separate-stderr qgtm-risk reset --key "$BATS_TEST_TMPDIR/carol.key" \
		--to WARN --reason r --by carol
	refused reset UNKNOWN_OPERATOR
	run -5 qgtm-risk status
}

@test "refused: an expired request (EXPIRED), by the system clock" {
	# With 0 minutes a request expires the second after it was made.
	printf '  reset_expiry_minutes: 0\n' >>"$BATS_TEST_TMPDIR/qgtm.yaml"
	sed -i '/reset_expiry_minutes: 30/d' "$BATS_TEST_TMPDIR/qgtm.yaml"
	request alice WARN
	sleep 2
	# A pinned clock at the request's own moment does not revive it.
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id"
	refused approve EXPIRED
	[[ $stderr == *"(system clock)"* ]]
	QGTM_NOW=$(jq -r .created "$BATS_TEST_TMPDIR/req") run -77 --separate-stderr \
		qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id"
	refused approve EXPIRED
	run -5 qgtm-risk status
	# The refusals are in the audit chain, made by qgtm-risk itself.
	run -0 jq -r 'select(.rec.type == "reset_refusal") | .rec.code' \
		"$QGTM_STATE_DIR/audit/chain.jsonl"
	[ "$output" = "$(printf 'EXPIRED\nEXPIRED')" ]
}

@test "a pinned clock cannot make a request that lasts to 2099" {
	QGTM_NOW=2099-01-01T00:00:00Z request alice WARN
	now=$(date -u +%s)
	exp=$(date -u -d "$(jq -r .expires "$BATS_TEST_TMPDIR/req")" +%s)
	[ $((exp - now)) -le 1800 ] && [ $((exp - now)) -ge 1700 ]
	[ "$(jq -r .clock "$BATS_TEST_TMPDIR/req")" = pinned ]
	# The approval under the same pinned clock says so too, in the chain.
	QGTM_NOW=2099-01-01T00:00:00Z qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" \
		--by bob "$id" >"$BATS_TEST_TMPDIR/out"
	run -0 jq -r 'select(.rec.type == "tier" and .rec.to == "WARN") |
		[.rec.clock, .rec.approval.clock] | join(" ")' "$QGTM_STATE_DIR/audit/chain.jsonl"
	[ "$output" = "pinned pinned" ]
}

@test "one key under two names is a config error, and cannot approve itself" {
	cat >"$BATS_TEST_TMPDIR/dup.yaml" <<-EOF
	risk:
	  operators:
	    - "alice:$alice_pub"
	    - "mallory:$alice_pub"
	EOF
	QGTM_CONFIG="$BATS_TEST_TMPDIR/dup.yaml" run -78 --separate-stderr qgtm-risk status
	[[ $stderr == *"dup.yaml:4: risk.operators: 'mallory' has the key of 'alice'"* ]]
	# Nor may an operator pass for the program key.
	printf 'risk:\n  operators: ["program:%s"]\n' "$bob_pub" >"$BATS_TEST_TMPDIR/dup.yaml"
	QGTM_CONFIG="$BATS_TEST_TMPDIR/dup.yaml" run -78 --separate-stderr qgtm-risk status
	[[ $stderr == *"dup.yaml:2: risk.operators: 'program' names the program key"* ]]
}

@test "refused: the tier changed since the request (TIER_CHANGED)" {
	request alice WARN
	first=$id
	request bob THROTTLE
	qgtm-risk approve --key "$BATS_TEST_TMPDIR/alice.key" --by alice "$id" >/dev/null
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$first"
	refused approve TIER_CHANGED
	run -3 qgtm-risk status
	# The state lost and repaired at the same tier is a change too.
	request alice WARN
	rm "$QGTM_STATE_DIR/risk/killswitch.json"
	qgtm-risk escalate --to THROTTLE --reason repair --by bob >/dev/null 2>&1 || true
	qgtm-risk escalate --to NO_NEW --reason repair --by bob >/dev/null 2>&1
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id"
	refused approve TIER_CHANGED
	run -4 qgtm-risk status
}

@test "refused: a tampered request (BAD_SIGNATURE)" {
	request alice WARN
	f="$QGTM_STATE_DIR/risk/requests/$id.json"
	jq -c '.to = "NORMAL"' "$f" >"$f.new" && mv "$f.new" "$f"
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id"
	refused approve BAD_SIGNATURE
	run -5 qgtm-risk status
}

@test "refused: an approval signed with another operator's key (BAD_SIGNATURE)" {
	request alice WARN
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/carol.key" --by bob "$id"
	refused approve BAD_SIGNATURE
	run -5 qgtm-risk status
}

@test "refused: a reset that does not go lower (NOT_LOWER)" {
	run -77 --separate-stderr qgtm-risk reset --key "$BATS_TEST_TMPDIR/alice.key" \
		--to FLATTEN --reason r --by alice
	refused reset NOT_LOWER
}

@test "refused: an unknown request id (NO_REQUEST)" {
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" \
		--by bob 0123456789abcdef
	refused approve NO_REQUEST
	run -77 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" \
		--by bob ../../etc
	refused approve NO_REQUEST
}

@test "a key file open to others is refused with 77; no key is a usage error" {
	chmod 644 "$BATS_TEST_TMPDIR/alice.key"
	run -77 --separate-stderr qgtm-risk reset --key "$BATS_TEST_TMPDIR/alice.key" \
		--to WARN --reason r --by alice
	[[ $stderr == *"has mode 0644; must be 0600" ]]
	run -64 --separate-stderr qgtm-risk reset --to WARN --reason r --by alice
	[[ $stderr == *"no key: give --key or set QGTM_OPERATOR_KEY" ]]
	chmod 600 "$BATS_TEST_TMPDIR/alice.key"
	QGTM_OPERATOR_KEY="$BATS_TEST_TMPDIR/alice.key" run -0 --separate-stderr \
		qgtm-risk reset --to WARN --reason r --by alice
}
