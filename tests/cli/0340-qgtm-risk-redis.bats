#!/usr/bin/env bats
# qgtm-risk and qgtm-status beat on the Redis backend, against a real
# redis-server started on a free loopback port: the tier operators see in
# redis-cli, compare-and-set under concurrent escalations, heartbeats,
# and failing closed when Redis is stopped, killed or loses its data.

setup() {
	load ../lib
	command -v redis-server >/dev/null || skip "redis-server is not installed"
	export QGTM_NOW=2026-01-05T21:30:00Z
	start_redis
	printf 'state:\n  backend: "redis://127.0.0.1:%s/0"\n' "$PORT" >"$BATS_TEST_TMPDIR/qgtm.yaml"
	export QGTM_CONFIG="$BATS_TEST_TMPDIR/qgtm.yaml"
}

teardown() {
	local p
	for p in ${REDIS_PIDS:-}; do
		kill -CONT "$p" 2>/dev/null || true
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# start_redis: a redis-server on a free port ($PORT), up when PING answers.
# A port another program holds makes redis-server exit: try the next one.
start_redis() {
	local i try
	: "${PORT:=$(( 20000 + RANDOM % 20000 ))}"
	for try in 1 2 3 4 5; do
		while redis-cli -p "$PORT" PING >/dev/null 2>&1; do PORT=$((PORT + 1)); done
		redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
			--daemonize no >"$BATS_TEST_TMPDIR/redis.log" 2>&1 3>&- &
		REDIS_PID=$!
		REDIS_PIDS="${REDIS_PIDS:-} $REDIS_PID"
		for i in $(seq 200); do
			redis-cli -p "$PORT" PING 2>/dev/null | grep -q PONG && return 0
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.05
		done
		PORT=$((PORT + 1))
	done
	false
}

rcli() {
	redis-cli -p "$PORT" "$@"
}

@test "the tier lives in the hash qgtm:killswitch, as redis-cli shows it" {
	run -0 qgtm-risk status
	[ "${lines[5]}" = "backend redis://127.0.0.1:$PORT/0" ]
	qgtm-risk escalate --to NO_NEW --reason "desk call" --by alice >/dev/null
	run -0 rcli HGET qgtm:killswitch tier
	[ "$output" = NO_NEW ]
	run -4 qgtm-risk status
	run -0 rcli XLEN qgtm:killswitch:events
	[ "$output" = 1 ]
	run -0 qgtm-risk history
	[ "$output" = "2026-01-05T21:30:00Z NORMAL -> NO_NEW by alice approved_by -: desk call" ]
	# The state directory holds the marker, not the state; the change is
	# in the audit chain, signed.
	[ ! -e "$QGTM_STATE_DIR/risk/killswitch.json" ]
	[ -f "$QGTM_STATE_DIR/risk/killswitch.init" ]
	run -0 jq -r '.rec | [.type, .to, .signer, (.sig | length)] | join(" ")' \
		"$QGTM_STATE_DIR/audit/chain.jsonl"
	[ "$output" = "tier NO_NEW program 88" ]
}

@test "the tier edited in Redis: tampered, the chain's tier holds" {
	qgtm-risk escalate --to FLATTEN --reason drill --by alice >/dev/null
	rcli HSET qgtm:killswitch tier NORMAL >/dev/null
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier FLATTEN" ]
	[ "${lines[6]}" = "health tampered" ]
	[[ $stderr == *"the state says NORMAL (seq 1) but the audit chain says FLATTEN (seq 1)"* ]]
	# Emptied: missing, still at the chain's FLATTEN.
	rcli FLUSHALL >/dev/null
	rm "$QGTM_STATE_DIR/risk/killswitch.init"
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier FLATTEN" ]
	[ "${lines[6]}" = "health missing" ]
}

@test "escalations at once through WATCH/MULTI: none is lost" {
	qgtm-risk status >/dev/null
	pids=
	for t in WARN THROTTLE NO_NEW FLATTEN WARN THROTTLE NO_NEW FLATTEN; do
		qgtm-risk escalate --to $t --reason "to $t" --by op >/dev/null 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || true; done
	run -5 qgtm-risk status
	qgtm-risk history -j >"$BATS_TEST_TMPDIR/h"
	run -0 jq -rs 'reduce .[] as $r ({ok: true, to: "NORMAL", seq: 0};
		{ok: (.ok and $r.from == .to and $r.seq == .seq + 1),
		to: $r.to, seq: $r.seq}) | .ok' "$BATS_TEST_TMPDIR/h"
	[ "$output" = true ]
	run -0 rcli HGET qgtm:killswitch seq
	[ "$output" = "$(wc -l <"$BATS_TEST_TMPDIR/h")" ]
}

@test "Redis stopped mid-run fails closed, and recovers when it answers" {
	qgtm-risk escalate --to WARN --reason r --by alice >/dev/null
	kill -STOP "$REDIS_PID"
	signal_rec >"$BATS_TEST_TMPDIR/sig"
	run -0 --separate-stderr qgtm-risk check "$BATS_TEST_TMPDIR/sig"
	[ "$(jq -r 'select(.type == "decision") | .tier' <<<"$output")" = NO_NEW ]
	[[ $stderr == *"kill switch state is unavailable"*"acting as NO_NEW"* ]]
	run -75 --separate-stderr qgtm-risk status
	[ "${lines[6]}" = "health unavailable" ]
	kill -CONT "$REDIS_PID"
	run -2 qgtm-risk status
	[ "${lines[6]}" = "health ok" ]
}

@test "Redis stopped: an escalation to FLATTEN still takes, through the chain" {
	qgtm-risk escalate --to WARN --reason r --by alice >/dev/null
	kill -STOP "$REDIS_PID"
	run -0 --separate-stderr qgtm-risk escalate --to FLATTEN --reason "redis down" --by alice
	[ "$(jq -r '[.from, .to, .health] | join(" ")' <<<"$output")" = "NO_NEW FLATTEN unavailable" ]
	[[ $stderr == *"the change to FLATTEN is in the audit chain only"* ]]
	run -75 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier FLATTEN" ]
	kill -CONT "$REDIS_PID"
	# Back: Redis says WARN, the chain FLATTEN; an escalation repairs it.
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier FLATTEN" ]
	[ "${lines[6]}" = "health tampered" ]
	qgtm-risk escalate --to FLATTEN --reason repair --by alice >/dev/null 2>&1
	run -5 qgtm-risk status
	[ "${lines[6]}" = "health ok" ]
}

@test "Redis killed and back empty: missing, not a fresh NORMAL" {
	qgtm-risk escalate --to THROTTLE --reason r --by alice >/dev/null
	kill -9 "$REDIS_PID"
	wait "$REDIS_PID" 2>/dev/null || true
	run -75 --separate-stderr qgtm-risk status
	start_redis
	run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier NO_NEW" ]
	[ "${lines[6]}" = "health missing" ]
	run -0 --separate-stderr qgtm-risk escalate --to NO_NEW --reason repair --by bob
	run -4 qgtm-risk status
	run -0 rcli HGET qgtm:killswitch tier
	[ "$output" = NO_NEW ]
}

@test "heartbeats: the newest in qgtm:heartbeat, all in a stream" {
	qgtm-status beat daemon
	QGTM_NOW=2026-01-05T21:31:00Z qgtm-status beat daemon
	run -0 rcli HGET qgtm:heartbeat ts
	[ "$output" = "2026-01-05T21:31:00Z" ]
	run -0 rcli XLEN qgtm:heartbeats
	[ "$output" = 2 ]
	kill -9 "$REDIS_PID"
	wait "$REDIS_PID" 2>/dev/null || true
	run -75 --separate-stderr qgtm-status beat
}

@test "a two-person reset through Redis" {
	openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/a.key" 2>/dev/null
	openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/b.key" 2>/dev/null
	chmod 600 "$BATS_TEST_TMPDIR"/*.key
	a=$(openssl pkey -in "$BATS_TEST_TMPDIR/a.key" -pubout -outform DER | tail -c 32 | base64)
	b=$(openssl pkey -in "$BATS_TEST_TMPDIR/b.key" -pubout -outform DER | tail -c 32 | base64)
	printf 'state:\n  backend: "redis://127.0.0.1:%s/0"\nrisk:\n  operators: ["a:%s", "b:%s"]\n' \
		"$PORT" "$a" "$b" >"$BATS_TEST_TMPDIR/qgtm.yaml"
	qgtm-risk escalate --to FLATTEN --reason r --by a >/dev/null
	id=$(qgtm-risk reset --key "$BATS_TEST_TMPDIR/a.key" --to NORMAL --reason ok --by a | jq -r .id)
	run -0 rcli HGET "qgtm:requests:$id" by
	[ "$output" = a ]
	run -0 --separate-stderr qgtm-risk approve --key "$BATS_TEST_TMPDIR/b.key" --by b "$id"
	run -0 rcli HGET qgtm:killswitch approved_by
	[ "$output" = b ]
}
