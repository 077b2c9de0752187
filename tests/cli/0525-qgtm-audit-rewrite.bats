#!/usr/bin/env bats
# 0525-qgtm-audit-rewrite: what someone who may write the state directory,
# but holds neither the checkpoint key nor write access to the bucket, can
# do to the chain: rewrite it (records changed, deleted or inserted, every
# later hash recomputed, the checkpoints dropped) or cut it at a line
# boundary (no index). A driver makes the 140 and 40 variants; verify must
# fail on every one against the published checkpoint, and refuse
# checkpoints signed by another key.

bats_require_minimum_version 1.7.0

setup() {
	load ../lib
	export QGTM_NOW=2026-03-02T21:30:00Z
	mkdir -p "$QGTM_STATE_DIR/audit" "$BATS_TEST_TMPDIR/witness"
	CHAIN="$QGTM_STATE_DIR/audit/chain.jsonl"
	# The published copy lies outside the state directory (a witness).
	PUBLISHED="$BATS_TEST_TMPDIR/witness/checkpoints.jsonl"
	KEY="$BATS_TEST_TMPDIR/checkpoint.pem"
	openssl genpkey -algorithm ed25519 -out "$KEY" 2>/dev/null
	chmod 600 "$KEY"
	PUB=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | base64)
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
	printf 'audit:\n  checkpoint_key: "%s"\n  checkpoint_pubkey: "%s"\n  checkpoint_file: "%s"\n' \
		"$KEY" "$PUB" "$PUBLISHED" >"$QGTM_CONFIG"
}

# records FROM TO: test records FROM..TO appended to the chain.
records() {
	for i in $(seq "$1" "$2"); do echo "{\"type\":\"t\",\"i\":$i}"; done |
		qgtm-audit append
}

# The attacker's tool: rewrite the chain and recompute every hash.
# rewrite.py IN OUTDIR MODE: MODE "rewrite" writes the 140 variants
# OUTDIR/NNN.jsonl: for each of the 35 records, the record changed, the
# record deleted, a record inserted after it, or it and the last record
# changed; every checkpoint dropped, seq, prev and hash recomputed in the
# canonical form (sorted keys, compact). MODE "resign" keeps the
# checkpoints but gives them the rewritten roots (no valid signature).
rewrite() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
src, out = sys.argv[1], sys.argv[2]
recs = [json.loads(l)["rec"] for l in open(src)]
data = [r for r in recs if r.get("type") != "audit_checkpoint"]
def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
def chain(rs):
    prev, lines = "0" * 64, []
    for seq, r in enumerate(rs):
        e = {"prev": prev, "rec": r, "seq": seq, "ts": "2026-03-02T21:30:00Z"}
        e["hash"] = prev = hashlib.sha256(canon(e).encode()).hexdigest()
        lines.append(canon(e) + "\n")
    return "".join(lines)
n = 0
for k in range(len(data)):
    forged = dict(data[k], i=-1)
    for rs in (data[:k] + [forged] + data[k + 1:],
               data[:k] + data[k + 1:],
               data[:k + 1] + [{"type": "t", "i": 1000}] + data[k + 1:],
               data[:k] + [forged] + data[k + 1:-1] + [dict(data[-1], i=-2)]):
        open("%s/%03d.jsonl" % (out, n), "w").write(chain(rs))
        n += 1
print(n)
PY
}

@test "140 rewritten histories, checkpoints dropped, hashes recomputed: verify fails on each" {
	records 1 15
	qgtm-audit checkpoint >/dev/null
	records 16 30
	qgtm-audit checkpoint >/dev/null
	records 31 35
	run -0 qgtm-audit verify
	[[ $output == *" published=31 from=$PUBLISHED:2" ]]
	mkdir "$BATS_TEST_TMPDIR/v"
	[ "$(rewrite "$CHAIN" "$BATS_TEST_TMPDIR/v")" = 140 ]
	detected=0 total=0
	for f in "$BATS_TEST_TMPDIR"/v/*.jsonl; do
		total=$((total + 1))
		# Each variant is a valid chain on its own: only the anchor tells.
		qgtm-audit verify -q -c /dev/null -f "$f"
		cp "$f" "$CHAIN"
		rm -f "$CHAIN.idx" "$CHAIN.commit"     # she can drop the mark too
		if ! qgtm-audit verify -q 2>"$BATS_TEST_TMPDIR/err"; then
			grep -q -e "do not have the root of the published checkpoint" \
				-e "published checkpoint ($PUBLISHED:2) is missing here" \
				-e "entries were cut off its end" "$BATS_TEST_TMPDIR/err"
			detected=$((detected + 1))
		fi
	done
	echo "detected $detected of $total"
	[ "$total" = 140 ] && [ "$detected" = 140 ]
}

@test "40 chains cut at a line boundary, no index: verify fails on each as cut" {
	records 1 39
	qgtm-audit checkpoint >/dev/null      # entry 39, published size 39
	records 40 44
	cp "$CHAIN" "$BATS_TEST_TMPDIR/whole"
	detected=0
	for k in $(seq 0 39); do
		head -n "$k" "$BATS_TEST_TMPDIR/whole" >"$CHAIN"
		rm -f "$CHAIN.idx" "$CHAIN.commit"     # she can drop the mark too
		run -1 --separate-stderr qgtm-audit verify
		[[ $stderr == *"has $k entries, but the published checkpoint ($PUBLISHED:1) is entry 39: entries were cut off its end" ]]
		detected=$((detected + 1))
	done
	echo "detected $detected of 40"
	[ "$detected" = 40 ]
	# The whole chain, and one cut after the checkpoint, still verify.
	head -n 41 "$BATS_TEST_TMPDIR/whole" >"$CHAIN"
	run -0 qgtm-audit verify
	[[ $output == "ok entries=41 "*" published=39 "* ]]
}

@test "a checkpoint signed by an attacker's key is refused, in the chain and published" {
	records 1 5
	qgtm-audit checkpoint >/dev/null
	cp "$CHAIN" "$BATS_TEST_TMPDIR/good"
	EVIL="$BATS_TEST_TMPDIR/evil.pem"
	openssl genpkey -algorithm ed25519 -out "$EVIL" 2>/dev/null && chmod 600 "$EVIL"
	# In the chain: made with the attacker's key, published to a copy.
	evil=$(QGTM_AUDIT_CHECKPOINT_KEY=$(cat "$EVIL") qgtm-audit checkpoint -c /dev/null)
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"$CHAIN:7: seq 6: checkpoint: signed by another key than audit.checkpoint_pubkey" ]]
	# Its key field removed: the signature itself fails under ours.
	sed -i '$d' "$CHAIN"
	rm -f "$CHAIN.commit"   # a writer of the state directory drops the mark
	jq -c 'del(.key)' <<<"$evil" >"$BATS_TEST_TMPDIR/evil.json"
	jq -c '.' "$BATS_TEST_TMPDIR/evil.json" | qgtm-audit append
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"$CHAIN:7: seq 6: checkpoint: checkpoint of size 6: bad signature, or not by audit.checkpoint_pubkey" ]]
	# Published by the attacker (a file she can write) with her key.
	cp "$BATS_TEST_TMPDIR/good" "$CHAIN"
	rm -f "$CHAIN.idx" "$CHAIN.commit"
	run -1 --separate-stderr qgtm-audit verify --against "$BATS_TEST_TMPDIR/evil.json"
	[ "$stderr" = "qgtm-audit: $BATS_TEST_TMPDIR/evil.json:1: checkpoint of size 6: bad signature, or not by audit.checkpoint_pubkey" ]
	# Without a configured key nothing is trusted: a warning says so.
	printf 'audit:\n  checkpoint_file: "%s"\n' "$PUBLISHED" >"$QGTM_CONFIG"
	run -0 --separate-stderr qgtm-audit verify
	[[ $stderr == *"checkpoint signatures not checked: no audit.checkpoint_pubkey"* ]]
}

@test "verify --against: a checkpoint record, chain entry or witness line; bad lines name file:line" {
	records 1 5
	ck=$(qgtm-audit checkpoint | head -n 1)
	records 6 7
	# The witness line, as alerts and the digest carry it.
	sighex=$(jq -r .sig <<<"$ck" | base64 -d | od -An -tx1 -v | tr -d ' \n')
	printf 'alert: audit checkpoint size 5 root %s time %s sig %s\n' \
		"$(jq -r .root <<<"$ck")" "$(jq -r .ts <<<"$ck")" "$sighex" >"$BATS_TEST_TMPDIR/w"
	run -0 qgtm-audit verify --against "$BATS_TEST_TMPDIR/w"
	[[ $output == *" published=5 from=$BATS_TEST_TMPDIR/w:1" ]]
	sed -n 6p "$CHAIN" >"$BATS_TEST_TMPDIR/entry"
	run -0 qgtm-audit verify --against "$BATS_TEST_TMPDIR/entry"
	# A line that is not a checkpoint is an integrity failure, not skipped.
	printf '%s\n{"type":"audit_checkpoint","origin":"qgtm-audit","v":2,"size":3}\n' "$ck" >"$BATS_TEST_TMPDIR/bad"
	run -1 --separate-stderr qgtm-audit verify --against "$BATS_TEST_TMPDIR/bad"
	[ "$stderr" = "qgtm-audit: $BATS_TEST_TMPDIR/bad:2: not a checkpoint: root is not 64 lowercase hex digits" ]
	printf 'audit checkpoint size 5 root zz\n' >"$BATS_TEST_TMPDIR/bad"
	run -1 --separate-stderr qgtm-audit verify --against "$BATS_TEST_TMPDIR/bad"
	[[ $stderr == *"/bad:1: not a checkpoint: not JSON, nor \"audit checkpoint size N root HEX time T sig HEX\"" ]]
	jq -c 'del(.sig)' <<<"$ck" >"$BATS_TEST_TMPDIR/bad"
	run -1 --separate-stderr qgtm-audit verify --against "$BATS_TEST_TMPDIR/bad"
	[[ $stderr == *"/bad:1: not a checkpoint: unsigned (no sig)" ]]
	# The published file itself, unparsable: never skipped.
	echo 'garbage' >>"$PUBLISHED"
	run -1 --separate-stderr qgtm-audit verify
	[[ $stderr == *"$PUBLISHED:2: not a checkpoint: "* ]]
	run -66 --separate-stderr qgtm-audit verify --against "$BATS_TEST_TMPDIR/none"
}

@test "an unsigned checkpoint in the chain is an integrity failure naming chain:line" {
	records 1 5
	qgtm-audit checkpoint | head -n 1 | jq -c 'del(.sig)' >"$BATS_TEST_TMPDIR/unsigned"
	sed -i '$d' "$CHAIN"
	rm -f "$CHAIN.commit"   # a writer of the state directory drops the mark
	qgtm-audit append "$BATS_TEST_TMPDIR/unsigned"
	run -1 --separate-stderr qgtm-audit verify -c /dev/null
	[[ $stderr == *"$CHAIN:6: seq 5: not a checkpoint: unsigned (no sig)" ]]
}
