#!/usr/bin/env bats
# qgtm-status beat: heartbeats in the kill switch's backend.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
}

@test "-h prints the SYNOPSIS of qgtm-status(1)" {
	usage_lines qgtm-status >"$BATS_TEST_TMPDIR/usage"
	mandoc_synopsis qgtm-status >"$BATS_TEST_TMPDIR/synopsis"
	diff -u "$BATS_TEST_TMPDIR/synopsis" "$BATS_TEST_TMPDIR/usage"
}

@test "beat is silent and leaves the newest beat; -j prints it" {
	run -0 --separate-stderr qgtm-status beat
	[ -z "$output" ]
	[ -z "$stderr" ]
	run -0 jq -r '.name + " " + .ts' "$QGTM_STATE_DIR/risk/heartbeat.json"
	[ "$output" = "qgtm 2026-01-05T21:30:00Z" ]
	QGTM_NOW=2026-01-05T21:31:00Z run -0 qgtm-status beat -j daemon
	[ "$(jq -r '[.type, .name, .ts, .pid != null] | join(" ")' <<<"$output")" = "heartbeat daemon 2026-01-05T21:31:00Z true" ]
	run -0 jq -r '.name + " " + .ts' "$QGTM_STATE_DIR/risk/heartbeat.json"
	[ "$output" = "daemon 2026-01-05T21:31:00Z" ]
}

@test "usage errors exit 64" {
	run -64 --separate-stderr qgtm-status
	run -64 --separate-stderr qgtm-status beat a b
	run -64 --separate-stderr qgtm-status flush
	[[ $stderr == "qgtm-status: unknown command 'flush'"* ]]
}

@test "an unknown backend is a config error (78)" {
	printf 'state:\n  backend: "mongodb://x"\n' >"$BATS_TEST_TMPDIR/c.yaml"
	run -78 --separate-stderr qgtm-status beat -c "$BATS_TEST_TMPDIR/c.yaml"
}
