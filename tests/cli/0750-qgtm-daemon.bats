#!/usr/bin/env bats
# qgtm-daemon: the long-running loop, with a short-interval config.

setup() {
	load ../lib
	CFG="$BATS_TEST_TMPDIR/fast.yaml"
	printf 'daemon:\n  heartbeat_s: 1\n  render_s: 1\n  cycle: ""\n' >"$CFG"
	FAKE="$BATS_TEST_TMPDIR/fake"
	mkdir -p "$FAKE"
}

teardown() {
	[ -z "${DPID:-}" ] || kill -9 "$DPID" 2>/dev/null || true
}

# start_daemon [ARG ...]: qgtm-daemon -v in the background, stderr kept.
start_daemon() {
	qgtm-daemon -v "$@" 2>"$BATS_TEST_TMPDIR/err" &
	DPID=$!
}

# wait_for CMD ...: until CMD succeeds, at most 5 s.
wait_for() {
	local i
	for i in $(seq 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# stop_daemon: SIGTERM; it must exit 0 within a second.
stop_daemon() {
	local t0=$(date +%s%N) rc=0
	kill -TERM "$DPID"
	wait "$DPID" || rc=$?
	DPID=
	[ "$rc" -eq 0 ]
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000 ]
}

# fake_stage NAME BODY: a program NAME first in PATH running BODY.
fake_stage() {
	printf '#!/bin/sh\n%s\n' "$2" >"$FAKE/$1"
	chmod +x "$FAKE/$1"
}

@test "-h prints the SYNOPSIS of qgtm-daemon(1)" {
	usage_lines qgtm-daemon >"$BATS_TEST_TMPDIR/usage"
	mandoc_synopsis qgtm-daemon >"$BATS_TEST_TMPDIR/synopsis"
	diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
}

@test "usage errors exit 64, config errors 78" {
	run -64 --separate-stderr qgtm-daemon extra
	run -64 --separate-stderr qgtm-daemon -x
	printf 'daemon:\n  heartbeat_s: 0\n' >"$BATS_TEST_TMPDIR/zero.yaml"
	run -78 --separate-stderr qgtm-daemon -c "$BATS_TEST_TMPDIR/zero.yaml"
	printf 'state:\n  backend: "mongodb://x"\n' >"$BATS_TEST_TMPDIR/bad.yaml"
	run -78 --separate-stderr qgtm-daemon -c "$BATS_TEST_TMPDIR/bad.yaml"
}

@test "beats appear, pages render, SIGTERM exits 0 within a second" {
	start_daemon -c "$CFG"
	wait_for test -s "$QGTM_STATE_DIR/www/index.html"
	wait_for test -s "$QGTM_STATE_DIR/www/status.json"
	run -0 jq -r .name "$QGTM_STATE_DIR/risk/heartbeat.json"
	[ "$output" = daemon ]
	first=$(jq -r .ts "$QGTM_STATE_DIR/risk/heartbeat.json")
	wait_for sh -c "[ \"\$(jq -r .ts '$QGTM_STATE_DIR/risk/heartbeat.json')\" != '$first' ]"
	stop_daemon
	grep -q 'stage=render status=0' "$BATS_TEST_TMPDIR/err"
	grep -q 'msg=stopped' "$BATS_TEST_TMPDIR/err"
}

@test "a failing stage is logged and the loop goes on" {
	fake_stage qgtm-risk 'echo evaluate broke >&2; exit 3'
	PATH="$FAKE:$PATH" start_daemon -c "$CFG"
	wait_for sh -c "[ \$(grep -c 'stage=evaluate status=3' '$BATS_TEST_TMPDIR/err') -ge 2 ]"
	grep -q 'evaluate broke' "$BATS_TEST_TMPDIR/err"
	grep -q 'stage=render status=0' "$BATS_TEST_TMPDIR/err"
	kill -0 "$DPID"
	stop_daemon
}

@test "a stage over its time limit is killed; SIGTERM still stops at once" {
	printf '  stage_timeout_s: 1\n' >>"$CFG"
	fake_stage qgtm-status "echo \$\$ >'$BATS_TEST_TMPDIR/stage.pid'; exec sleep 30"
	PATH="$FAKE:$PATH" start_daemon -c "$CFG"
	wait_for grep -q "stage=render msg=\"'qgtm-status' timed out after 1 s\"" "$BATS_TEST_TMPDIR/err"
	run ! kill -0 "$(cat "$BATS_TEST_TMPDIR/stage.pid")"
	stop_daemon
}

@test "the cycle runs once on a trading day after the close" {
	fake_stage cycle "echo ran >>'$BATS_TEST_TMPDIR/cycles'"
	printf 'daemon:\n  heartbeat_s: 1\n  render_s: 60\n  cycle: "%s"\n' \
		"$FAKE/cycle" >"$CFG"
	# Friday 2026-11-20: close 21:00Z, cycle at 21:30Z.
	QGTM_NOW=2026-11-20T21:29:00Z start_daemon -c "$CFG"
	sleep 1.5
	stop_daemon
	[ ! -e "$BATS_TEST_TMPDIR/cycles" ]
	QGTM_NOW=2026-11-20T21:31:00Z start_daemon -c "$CFG"
	wait_for test -s "$BATS_TEST_TMPDIR/cycles"
	sleep 2
	stop_daemon
	[ "$(wc -l <"$BATS_TEST_TMPDIR/cycles")" -eq 1 ]
	# Saturday: none.
	rm "$BATS_TEST_TMPDIR/cycles"
	QGTM_NOW=2026-11-21T21:31:00Z start_daemon -c "$CFG"
	sleep 1.5
	stop_daemon
	[ ! -e "$BATS_TEST_TMPDIR/cycles" ]
}

@test "READY=1 and WATCHDOG=1 reach NOTIFY_SOCKET" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	sock="$BATS_TEST_TMPDIR/notify.sock"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(5)
got = []
while "WATCHDOG=1" not in got:
    got.append(s.recv(256).decode())
print(" ".join(got))' "$sock" >"$BATS_TEST_TMPDIR/got" &
	rpid=$!
	wait_for test -S "$sock"
	NOTIFY_SOCKET="$sock" start_daemon -c "$CFG"
	wait "$rpid"
	stop_daemon
	[[ $(cat "$BATS_TEST_TMPDIR/got") == "READY=1"*"WATCHDOG=1" ]]
}

@test "a killed daemon's heartbeat turns yellow, then red" {
	start_daemon -c "$CFG"
	wait_for test -s "$QGTM_STATE_DIR/risk/heartbeat.json"
	kill -9 "$DPID"
	wait "$DPID" || true
	DPID=
	ts=$(jq -r .ts "$QGTM_STATE_DIR/risk/heartbeat.json")
	last=$(date -u -d "$ts" +%s)
	for age in 5:green 70:yellow 130:red; do
		now=$(date -u -d "@$((last + ${age%:*}))" +%FT%TZ)
		qgtm-status render --now "$now"
		run -0 jq -r '[.. | .heartbeat_colour? // empty][0]' \
			"$QGTM_STATE_DIR/www/status.json"
		[ "$output" = "${age#*:}" ]
	done
}

@test "the default cycle is the build's SHAREDIR/cycle.sh; the config overrides it" {
	# The SHAREDIR the programs were compiled with (mk/sharedir.mk): make
	# install PREFIX=/usr compiles them again with /usr/share/qgtm.
	[ -f "$QGTM_BIN/../sharedir.stamp" ] || skip "QGTM_BIN is not a build tree's"
	sharedir=$(cat "$QGTM_BIN/../sharedir.stamp")
	[ -n "$sharedir" ]
	run -0 qgtm-fetch -C -c /dev/null
	[[ $output == *"  cycle: \"$sharedir/cycle.sh\""* ]]
	printf 'daemon:\n  cycle: "/opt/elsewhere/cycle.sh"\n' >"$BATS_TEST_TMPDIR/o.yaml"
	run -0 qgtm-fetch -C -c "$BATS_TEST_TMPDIR/o.yaml"
	[[ $output == *'  cycle: "/opt/elsewhere/cycle.sh"'* ]]
}
