# tests/cli/killswitch.bash: what the kill-switch bats files share: a
# store of three bars, a book holding 100 GLD, a signal that adds risk
# (GLD to 0.2, SLV new at 0.05), one that reduces it, decide(), and the
# Discord stand-in for alerts. Load it after ../lib: `load killswitch`.

# ks_market: the bars, the book and the two signals.
ks_market() {
	mkdir -p "$QGTM_STATE_DIR/data/sim"
	for s in GLD:100 SLV:20 GDX:40; do
		bar_rec "${s%:*}" 2026-01-02 "${s#*:}" t 1 \
			>"$QGTM_STATE_DIR/data/sim/${s%:*}.jsonl"
	done
	# 100 GLD held (10000.00 of 100000.00 equity: weight 0.1).
	mkdir -p "$QGTM_STATE_DIR/oms"
	printf '%s\n' '{"order":{"client_order_id":"qgtm-x"},"fill":{"symbol":"GLD","side":"buy","qty":"100","price":"100.000000","commission":"0.00","notional":"10000.00"}}' \
		>"$QGTM_STATE_DIR/oms/orders.jsonl"
	# GLD up to 0.2, SLV new at 0.05, GDX none.
	printf '%s\n' '{"type":"signal","v":1,"ts":"2026-01-05T21:00:00Z","src":"t","trace_id":"0123456789abcdef0123456789abcdef","strategy":"tsmom","params_hash":"h","as_of":"2026-01-05T21:00:00Z","targets":[{"symbol":"GLD","weight":"0.200000"},{"symbol":"SLV","weight":"0.050000"}]}' \
		>"$BATS_TEST_TMPDIR/signal.jsonl"
	printf '%s\n' '{"type":"signal","v":1,"ts":"2026-01-05T21:00:00Z","src":"t","trace_id":"0123456789abcdef0123456789abcdef","strategy":"tsmom","params_hash":"h","as_of":"2026-01-05T21:00:00Z","targets":[{"symbol":"GLD","weight":"0.040000"},{"symbol":"SLV","weight":"0.000000"}]}' \
		>"$BATS_TEST_TMPDIR/reduce.jsonl"
}

# decide FILE: "tier status GLD-approved SLV-approved reasons" of check.
decide() {
	qgtm-risk check "$1" >"$BATS_TEST_TMPDIR/out"
	jq -r 'select(.type == "decision") | [.tier, .status,
		(.targets[] | .approved_weight // "null"), (.reasons | join(","))] |
		join(" ")' "$BATS_TEST_TMPDIR/out"
}

# ks_discord: start the Discord stand-in and point the alerts at it;
# ks_discord_stop in teardown.
ks_discord() {
	S=$BATS_TEST_TMPDIR/standin
	mkdir -p "$S"
	python3 "$QGTM_TOP/tests/standin/discord.py" "$S/port" "$S/log" &
	STANDIN_PID=$!
	for _ in $(seq 100); do [ -s "$S/port" ] && break; sleep 0.05; done
	export QGTM_DISCORD_WEBHOOK_URL="http://127.0.0.1:$(cat "$S/port")/api/webhooks/123/tok-en"
}

ks_discord_stop() {
	kill "$STANDIN_PID" 2>/dev/null || true
	wait "$STANDIN_PID" 2>/dev/null || true
}

# alerts: the contents posted so far, one a line.
alerts() {
	jq -r .content "$S/log" 2>/dev/null
}

# ks_operators: keys and config for operators alice and bob.
ks_operators() {
	for op in alice bob; do
		openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/$op.key" 2>/dev/null
		chmod 600 "$BATS_TEST_TMPDIR/$op.key"
		eval "${op}_pub=$(openssl pkey -in "$BATS_TEST_TMPDIR/$op.key" -pubout -outform DER | tail -c 32 | base64)"
	done
	printf 'risk:\n  operators: ["alice:%s", "bob:%s"]\n' "$alice_pub" "$bob_pub" \
		>"$BATS_TEST_TMPDIR/qgtm.yaml"
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
}

# ks_chain_tiers: the tier changes in the audit chain, "FROM>TO" each.
ks_chain_tiers() {
	jq -r 'select(.rec.type == "tier") | .rec.from + ">" + .rec.to' \
		"$QGTM_STATE_DIR/audit/chain.jsonl" | uniq
}
