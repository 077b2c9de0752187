#!/usr/bin/env bats
# Start-up: libcurl (and its ~30 shared libraries) is loaded only by a
# run that speaks HTTP (lib/net/curl_int.h), and a libcurl that cannot be
# used is one clear line, where the HTTP use is.

setup() {
	load ../lib
	export QGTM_NOW=2026-01-05T21:30:00Z
	discord_standin "$BATS_TEST_TMPDIR/standin"
}

teardown() {
	kill "$DISCORD_PID" 2>/dev/null || true
	wait "$DISCORD_PID" 2>/dev/null || true
}

@test "a program that speaks no HTTP does not load libcurl" {
	for p in "$QGTM_BIN"/qgtm-*; do
		LD_DEBUG=libs "$p" -V >/dev/null 2>"$BATS_TEST_TMPDIR/libs"
		grep -q 'calling init: /.*libc\.so' "$BATS_TEST_TMPDIR/libs"
		if grep -q 'libcurl' "$BATS_TEST_TMPDIR/libs"; then
			echo "$(basename "$p") loads libcurl at start-up"
			false
		fi
	done
}

@test "an alert loads libcurl on first use and is delivered" {
	LD_DEBUG=libs qgtm-risk escalate --to WARN --reason drill --by alice \
	    2>"$BATS_TEST_TMPDIR/libs"
	grep -q 'calling init: /.*libcurl\.so\.4' "$BATS_TEST_TMPDIR/libs"
	grep -q 'NORMAL -> WARN by alice: drill' "$BATS_TEST_TMPDIR/standin/log"
}

@test "a library that is not libcurl: one line, the tier still changes" {
	mkdir "$BATS_TEST_TMPDIR/fake"
	echo 'int not_curl;' >"$BATS_TEST_TMPDIR/fake/f.c"
	cc -shared -fPIC -o "$BATS_TEST_TMPDIR/fake/libcurl.so.4" \
	    "$BATS_TEST_TMPDIR/fake/f.c"
	LD_LIBRARY_PATH=$BATS_TEST_TMPDIR/fake run -0 --separate-stderr \
	    qgtm-risk escalate --to WARN --reason drill --by alice
	[ "$stderr" = "qgtm-risk: warning: alert not sent: libcurl.so.4 does not say its version (curl_version_info): not libcurl?" ]
	run -2 qgtm-risk status   # 2: WARN
	[[ ${lines[0]} == "tier WARN" ]]
	[ ! -s "$BATS_TEST_TMPDIR/standin/log" ]
}
