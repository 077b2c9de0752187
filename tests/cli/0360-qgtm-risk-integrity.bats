#!/usr/bin/env bats
# qgtm-risk: a kill-switch state that proves itself. Someone who can
# write the state directory but holds no operator key deletes, empties,
# restores or edits the state, or forges a record in the audit chain: each
# attempt is detected, alerted, and leaves the gate at NO_NEW or above
# (here FLATTEN, the tier the chain holds), approving no new risk.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	load killswitch
	ks_market
	ks_operators
	ks_discord
	qgtm-risk escalate --to FLATTEN --reason drawdown --by alice >/dev/null
	: >"$S/log"
}

teardown() {
	ks_discord_stop
}

# detected HEALTH: status exits 69 at FLATTEN with HEALTH, check approves
# no new risk, and the alert says why.
detected() {
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier FLATTEN" ]
	[ "${lines[6]}" = "health $1" ]
	run -0 --separate-stderr decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[ "$output" = "FLATTEN rejected null null KILL_SWITCH_FLATTEN" ]
	run -0 alerts
	[[ ${lines[0]} == "qgtm-risk: kill switch state is $1 ("*"); acting as FLATTEN: nothing passes"* ]]
}

# lower_forged FILE: a writer of the state directory appends the forged
# tier record in FILE to the chain and edits the state to match it.
lower_forged() {
	qgtm-audit append "$1" >/dev/null
	sed -i 's/"FLATTEN"/"NORMAL"/; s/"seq":"1"/"seq":"2"/' \
		"$QGTM_STATE_DIR/risk/killswitch.json"
}

# A two-person reset to NORMAL cannot even be asked for over such a state.
no_reset() {
	run -77 --separate-stderr qgtm-risk reset --key "$BATS_TEST_TMPDIR/alice.key" \
		--to NORMAL --reason r --by alice
	[ "$(jq -r .code <<<"$output")" = STATE_UNTRUSTED ]
}

@test "the state and its marker deleted: missing, not a fresh NORMAL" {
	rm "$QGTM_STATE_DIR/risk/killswitch.json" "$QGTM_STATE_DIR/risk/killswitch.init"
	detected missing
	[[ ${lines[0]} == *"the audit chain records the kill switch"* ]]
	no_reset
}

@test "risk/ emptied (program key included): missing, at FLATTEN" {
	rm -rf "${QGTM_STATE_DIR:?}/risk"
	detected missing
	no_reset
}

@test "an old backup of risk/ restored: tampered, the chain's tier holds" {
	rm -rf "${QGTM_STATE_DIR:?}"/* && ks_market
	# The program key outside the state directory, as qgtm.yaml(5) advises
	# (restoring risk/ without it is caught as a bad signature instead).
	openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/program.key" 2>/dev/null
	chmod 600 "$BATS_TEST_TMPDIR/program.key"
	printf '  program_key: "%s"\n' "$BATS_TEST_TMPDIR/program.key" >>"$QGTM_CONFIG"
	qgtm-risk status >/dev/null     # a fresh start at NORMAL
	cp -a "$QGTM_STATE_DIR/risk" "$BATS_TEST_TMPDIR/backup"
	qgtm-risk escalate --to FLATTEN --reason drawdown --by alice >/dev/null
	: >"$S/log"
	rm -rf "${QGTM_STATE_DIR:?}/risk"
	cp -a "$BATS_TEST_TMPDIR/backup" "$QGTM_STATE_DIR/risk"
	detected tampered
	[[ ${lines[0]} == *"the state says NORMAL (seq 0) but the audit chain says FLATTEN (seq 1)"* ]]
}

@test "the state edited to NORMAL: tampered" {
	sed -i 's/"FLATTEN"/"NORMAL"/' "$QGTM_STATE_DIR/risk/killswitch.json"
	detected tampered
	no_reset
}

@test "the state edited with a later seq: tampered" {
	sed -i 's/"FLATTEN"/"NORMAL"/; s/"seq":"1"/"seq":"2"/' \
		"$QGTM_STATE_DIR/risk/killswitch.json"
	detected tampered
}

@test "a forged lowering record appended to the chain: tampered, not applied" {
	jq -c '.rec | .to = "NORMAL" | .from = "FLATTEN" | .seq = 2' \
		"$QGTM_STATE_DIR/audit/chain.jsonl" | tail -1 >"$BATS_TEST_TMPDIR/forged"
	lower_forged "$BATS_TEST_TMPDIR/forged"
	detected tampered
	[[ ${lines[0]} == *"/audit/chain.jsonl:2: a tier record without a valid signature (to NORMAL, seq 2)"* ]]
}

@test "a lowering signed by the program key does not count" {
	# The program key signs raises; a writer who took it still cannot
	# lower: the record lacks the two operators' request and approval.
	jq -c '.rec | .to = "NORMAL" | .from = "FLATTEN" | .seq = 2 | del(.sig)' \
		"$QGTM_STATE_DIR/audit/chain.jsonl" | tail -1 >"$BATS_TEST_TMPDIR/rec"
	jq -cjS . "$BATS_TEST_TMPDIR/rec" >"$BATS_TEST_TMPDIR/signed"
	sig=$(openssl pkeyutl -sign -rawin -inkey "$QGTM_STATE_DIR/risk/program.key" \
		-in "$BATS_TEST_TMPDIR/signed" | base64 -w0)
	jq -c --arg s "$sig" '.sig = $s' "$BATS_TEST_TMPDIR/rec" >"$BATS_TEST_TMPDIR/forged"
	lower_forged "$BATS_TEST_TMPDIR/forged"
	detected tampered
	[[ ${lines[0]} == *"not a two-person reset (to NORMAL, seq 2)"* ]]
}

@test "a tampered state is repaired by an escalation, then lowered by two" {
	sed -i 's/"FLATTEN"/"NORMAL"/' "$QGTM_STATE_DIR/risk/killswitch.json"
	qgtm-risk escalate --to NO_NEW --reason repair --by bob >/dev/null
	run -5 qgtm-risk status         # the chain's FLATTEN stands
	[ "${lines[6]}" = "health ok" ]
	id=$(qgtm-risk reset --key "$BATS_TEST_TMPDIR/alice.key" --to NORMAL \
		--reason "all clear" --by alice | jq -r .id)
	qgtm-risk approve --key "$BATS_TEST_TMPDIR/bob.key" --by bob "$id" >/dev/null
	run -0 qgtm-risk status
	[ "${lines[6]}" = "health ok" ]
	run -0 ks_chain_tiers
	[ "$output" = "$(printf 'NORMAL>FLATTEN\nFLATTEN>FLATTEN\nFLATTEN>NORMAL')" ]
	# Request and approval are in the chain, by the programs that made them.
	run -0 jq -r '.rec.type' "$QGTM_STATE_DIR/audit/chain.jsonl"
	[ "$(grep -c '^reset_request$' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^reset_approval$' <<<"$output")" -eq 1 ]
}

@test "an unsigned escalation over a good state: honored, and tampered" {
	jq -c '.rec | .seq = 2 | del(.sig)' "$QGTM_STATE_DIR/audit/chain.jsonl" |
		tail -1 >"$BATS_TEST_TMPDIR/forged"
	qgtm-audit append "$BATS_TEST_TMPDIR/forged" >/dev/null
	detected tampered
}

# witness: checkpoints published where the state's writer cannot reach (a
# witness file standing in for the bucket), signed by their own key.
witness() {
	KEY=$BATS_TEST_TMPDIR/checkpoint.pem
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null && chmod 600 "$KEY"
	PUB=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | base64)
	mkdir "$BATS_TEST_TMPDIR/witness"
	printf 'audit:\n  checkpoint_key: "%s"\n  checkpoint_pubkey: "%s"\n  checkpoint_file: "%s"\n' \
		"$KEY" "$PUB" "$BATS_TEST_TMPDIR/witness/checkpoints.jsonl" >>"$QGTM_CONFIG"
}

@test "risk/, the chain and its mark all deleted: the published checkpoint tells it from a fresh install" {
	witness
	qgtm-audit checkpoint >/dev/null
	rm -rf "${QGTM_STATE_DIR:?}/risk" "${QGTM_STATE_DIR:?}/audit"
	: >"$S/log"
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier NO_NEW" ]
	[ "${lines[6]}" = "health missing" ]
	[[ $stderr == *"audit chain: $QGTM_STATE_DIR/audit/chain.jsonl: has 0 entries, but the published checkpoint ($BATS_TEST_TMPDIR/witness/checkpoints.jsonl:1) is entry 1: entries were cut off its end"* ]]
	run -0 --separate-stderr decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[[ $output == "NO_NEW rejected"* || $output == "NO_NEW resized"* ]]
	[[ $output != *"0.200000"* ]]
	run -0 alerts
	[[ $output == *"acting as NO_NEW"* ]]
}

# relink_without_tiers CHAIN: the chain rewritten as a writer of the state
# directory can (no key needed): every tier record and checkpoint replaced
# by a plain record, every seq, prev and hash recomputed in the canonical
# form, and the commit mark beside it made to match. As many entries as
# before, every link good.
relink_without_tiers() {
	python3 - "$1" <<'PY'
import hashlib, json, sys
path = sys.argv[1]
entries = [json.loads(l) for l in open(path)]
def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
prev, out = "0" * 64, []
for seq, e in enumerate(entries):
    rec = e["rec"]
    if rec.get("type") in ("tier", "audit_checkpoint"):
        rec = {"type": "t", "i": seq}
    n = {"prev": prev, "rec": rec, "seq": seq, "ts": e["ts"]}
    n["hash"] = prev = hashlib.sha256(canon(n).encode()).hexdigest()
    out.append(canon(n) + "\n")
open(path, "w").write("".join(out))
open(path + ".commit", "w").write(canon({"bytes": len("".join(out).encode()),
    "entries": len(out), "head": prev}))
PY
}

@test "the chain relinked without its FLATTEN, risk/ restored: the published root catches it" {
	rm -rf "${QGTM_STATE_DIR:?}"/* && ks_market
	witness
	qgtm-risk status >/dev/null     # a fresh start at NORMAL
	cp -a "$QGTM_STATE_DIR/risk" "$BATS_TEST_TMPDIR/backup"
	qgtm-risk escalate --to FLATTEN --reason drawdown --by alice >/dev/null
	qgtm-audit checkpoint >/dev/null
	echo '{"type":"t","i":0}' | qgtm-audit append >/dev/null
	n=$(wc -l <"$QGTM_STATE_DIR/audit/chain.jsonl")
	relink_without_tiers "$QGTM_STATE_DIR/audit/chain.jsonl"
	rm -rf "${QGTM_STATE_DIR:?}/risk"
	cp -a "$BATS_TEST_TMPDIR/backup" "$QGTM_STATE_DIR/risk"
	: >"$S/log"
	# Every link holds and nothing was cut: only the root tells.
	[ "$(wc -l <"$QGTM_STATE_DIR/audit/chain.jsonl")" = "$n" ]
	run -0 qgtm-audit verify -C
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier NO_NEW" ]
	[[ $stderr == *"do not have the root of the published checkpoint"* ]]
	run -0 --separate-stderr decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[[ $output == "NO_NEW rejected"* || $output == "NO_NEW resized"* ]]
	run -0 alerts
	[[ $output == *"acting as NO_NEW"* ]]
}
