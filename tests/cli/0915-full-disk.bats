#!/usr/bin/env bats
# 0915-full-disk: the safety acts on a full disk. On a small tmpfs filled
# to its last block, escalation to FLATTEN succeeds (its reserve is
# released) and alerts, `qgtm-order flatten --broker sim` leaves the sim
# broker flat and `qgtm-risk check` approves no new risk. Where tmpfs
# cannot be mounted, the first test says so and skips; the fault-injection
# test (every write failing) runs everywhere.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	load killswitch
	DISK=$BATS_TEST_TMPDIR/disk
	mkdir -p "$DISK"
}

teardown() {
	ks_discord_stop
	if mountpoint -q "$DISK"; then umount "$DISK"; fi
}

# start: the market, a book of two positions at the sim broker, the
# Discord stand-in, and a started kill switch (its reserve made).
start() {
	ks_market
	rm "$QGTM_STATE_DIR/oms/orders.jsonl"
	qgtm-order submit --broker sim "$FIXTURES/order-decisions.jsonl" >/dev/null
	[ "$(qgtm-order positions | grep -vc '^cash\|^equity')" -eq 2 ]
	ks_discord
	qgtm-risk status >/dev/null
	[ -f "$QGTM_STATE_DIR/risk/reserve" ]
}

# fill: write zeros until the file system has not one block left.
fill() {
	dd if=/dev/zero of="$DISK/fill" bs=64k 2>/dev/null || true
	dd if=/dev/zero of="$DISK/fill2" bs=512 2>/dev/null || true
	[ "$(df --output=avail -B1 "$DISK" | tail -1 | tr -d ' ')" -eq 0 ]
	! printf x >"$DISK/probe" 2>/dev/null || [ ! -s "$DISK/probe" ]
}

@test "full tmpfs: FLATTEN takes and alerts, the sim broker goes flat, check approves nothing" {
	if ! mount -t tmpfs -o size=16m tmpfs "$DISK" 2>/dev/null; then
		echo "# tmpfs cannot be mounted here: see the fault-injection test" >&3
		skip "mount -t tmpfs refused"
	fi
	echo "# full disk: a 16 MiB tmpfs filled to its last block" >&3
	export QGTM_STATE_DIR=$DISK/state
	start
	fill
	run -0 --separate-stderr qgtm-risk escalate --to FLATTEN --reason "disk full drill" --by alice
	[ "$(jq -r '.from + ">" + .to' <<<"$output")" = "NORMAL>FLATTEN" ]
	[[ $stderr == *"released the disk reserve"* ]]
	run -0 alerts
	[ "${lines[0]}" = "qgtm-risk: kill switch NORMAL -> FLATTEN by alice: disk full drill. Scope: every strategy and order. Consequence: nothing passes; positions are to be closed." ]
	run -5 qgtm-risk status
	[ "${lines[6]}" = "health ok" ]
	run -0 --separate-stderr qgtm-order flatten --broker sim --by alice --reason "disk full" --yes
	run -0 qgtm-order positions
	[ "$(grep -vc '^cash\|^equity' <<<"$output")" -eq 0 ]
	run -0 --separate-stderr decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[ "$output" = "FLATTEN rejected null null KILL_SWITCH_FLATTEN" ]
	# Still full: the reserve is not made again while the disk is short.
	[ ! -e "$QGTM_STATE_DIR/risk/reserve" ]
	run -0 ks_chain_tiers
	[ "$output" = "NORMAL>FLATTEN" ]
	qgtm-audit verify >/dev/null
	# Room again: the next read makes the reserve again.
	rm "$DISK/fill" "$DISK/fill2"
	qgtm-risk status >/dev/null || true
	[ -f "$QGTM_STATE_DIR/risk/reserve" ]
}

@test "every write failing: escalate alerts, and every reader acts as FLATTEN" {
	echo "# full disk: QGTM_FAULT=write:1+ (lib/base/fault.c)" >&3
	start
	QGTM_FAULT=write:1+ run -74 --separate-stderr qgtm-risk escalate --to FLATTEN \
		--reason "disk full drill" --by alice
	[[ $stderr == *"the change to FLATTEN cannot be made durable"* ]]
	run -0 alerts
	[[ ${lines[0]} == "qgtm-risk: kill switch escalation to FLATTEN by alice FAILED: "*"Every program acts as at least NO_NEW"* ]]
	# The intent slot, rewritten in place, needs no new block.
	QGTM_FAULT=write:1+ run -69 --separate-stderr qgtm-risk status
	[ "${lines[0]}" = "tier FLATTEN" ]
	[ "${lines[6]}" = "health undurable" ]
	QGTM_FAULT=write:1+ run -0 --separate-stderr decide "$BATS_TEST_TMPDIR/signal.jsonl"
	[ "$output" = "FLATTEN rejected null null KILL_SWITCH_FLATTEN" ]
	run -0 alerts
	[[ ${lines[1]} == "qgtm-risk: kill switch state is undurable (a change to FLATTEN by alice at "*"was not made durable); acting as FLATTEN"* ]]
	# Once writes work, the escalation is made and the state is trusted.
	qgtm-risk escalate --to FLATTEN --reason retry --by alice >/dev/null 2>&1
	run -5 qgtm-risk status
	[ "${lines[6]}" = "health ok" ]
	run -0 ks_chain_tiers
	[ "$output" = "NORMAL>FLATTEN" ]
}
