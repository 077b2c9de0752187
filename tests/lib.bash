# tests/lib.bash: the hermetic environment of every bats file (git
# test-lib.sh): a private HOME and state directory, UTC, the C locale, no
# QGTM_* from the caller, and the freshly built programs first in PATH.
# Load it from setup(): `load ../lib`.

bats_require_minimum_version 1.7.0

: "${QGTM_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${QGTM_BIN:=$QGTM_TOP/build/bin}"

for v in $(env | sed -n 's/^\(QGTM_[A-Z_]*\)=.*/\1/p'); do
	case $v in QGTM_TOP|QGTM_BIN) ;; *) unset "$v" ;; esac
done
unset XDG_CONFIG_HOME JOURNAL_STREAM
export HOME="$BATS_TEST_TMPDIR/home"
export TZ=UTC LC_ALL=C
# libfaketime (the clock tests, the man examples) is an LD_PRELOAD library;
# under ASan (make SANITIZE=1 check) it comes before ASan's runtime, which
# ASan refuses unless told this order is meant.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export QGTM_STATE_DIR="$BATS_TEST_TMPDIR/state"
export PATH="$QGTM_BIN:$PATH"
mkdir -p "$HOME"
FIXTURES="$QGTM_TOP/tests/fixtures"

# state_snapshot FILE: list every file under the state directory with its
# checksum, so a test can prove a failed run changed nothing.
state_snapshot() {
	(cd "$QGTM_STATE_DIR" 2>/dev/null && find . -type f -print0 | sort -z |
		xargs -0 -r sha256sum) >"$1"
}

# assert_state_unchanged BEFORE: the state directory is as in BEFORE and
# holds no temporary file.
assert_state_unchanged() {
	state_snapshot "$BATS_TEST_TMPDIR/after.snap"
	diff -u "$1" "$BATS_TEST_TMPDIR/after.snap"
	! find "$QGTM_STATE_DIR" -name '*.tmp.*' 2>/dev/null | grep -q .
}

# assert_one_line TEXT: TEXT is exactly one line.
assert_one_line() {
	[ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]
}

# mandoc_synopsis NAME: the SYNOPSIS of man page NAME, one line per form
# (continuation lines joined, spaces squeezed).
mandoc_synopsis() {
	MANWIDTH=200 mandoc -Tascii -Owidth=200 "$QGTM_TOP/man/man1/$1.1" | col -bx |
		awk '/^SYNOPSIS/ { f = 1; next } /^[A-Z]/ { f = 0 }
		f && /^     [^ ]/ { if (cur != "") print cur; cur = $0; next }
		f && /[^ ]/ { cur = cur " " $0 }
		END { if (cur != "") print cur }' |
		sed 's/  */ /g; s/^ //; s/ $//'
}

# usage_lines PROG: the usage text of PROG -h without "usage:", one form a
# line, spaces squeezed.
usage_lines() {
	"$1" -h | sed 's/^usage: //; s/  */ /g; s/^ //; s/ $//'
}

# alpaca_standin DIR: start the Alpaca Trading API stand-in
# (tests/standin/alpaca.py) in DIR (its port file and request log, S), its
# base URL in URL and its pid in STANDIN_PID; alpaca_ctl JSON steers it
# (POST /_ctl); standin_stop, for teardown, stops it.
alpaca_standin() {
	S=$1
	mkdir -p "$S"
	python3 "$QGTM_TOP/tests/standin/alpaca.py" "$S/port" "$S/log" &
	STANDIN_PID=$!
	for _ in $(seq 100); do [ -s "$S/port" ] && break; sleep 0.05; done
	URL=http://127.0.0.1:$(cat "$S/port")
}

alpaca_ctl() {
	curl -sf -X POST --data "$1" "$URL/_ctl" >/dev/null
}

standin_stop() {
	kill "$STANDIN_PID" 2>/dev/null || true
	wait "$STANDIN_PID" 2>/dev/null || true
}

# discord_standin DIR: start the Discord webhook stand-in
# (tests/standin/discord.py) logging to DIR/log; QGTM_DISCORD_WEBHOOK_URL
# points at it and DISCORD_PID is its pid, for teardown to kill.
discord_standin() {
	mkdir -p "$1"
	python3 "$QGTM_TOP/tests/standin/discord.py" "$1/port" "$1/log" &
	DISCORD_PID=$!
	for _ in $(seq 100); do [ -s "$1/port" ] && break; sleep 0.05; done
	export QGTM_DISCORD_WEBHOOK_URL="http://127.0.0.1:$(cat "$1/port")/api/webhooks/123/sec-ret"
}

# Record builders: the records the tests plant, one function a shape, so
# a test says what differs and not 300 characters of JSON. Each prints one
# line, byte for byte what the programs write.

# bar_rec SYMBOL DATE CLOSE [SRC [VOLUME]]: a "bar" of the sim source with
# open, high, low and close CLOSE, stamped and available at DATE 21:00 UTC;
# SRC defaults to qgtm-fetch, VOLUME to 1000.
bar_rec() {
	printf '{"type":"bar","v":1,"ts":"%sT21:00:00Z","src":"%s","source":"sim","symbol":"%s","date":"%s","open":"%s","high":"%s","low":"%s","close":"%s","volume":%s,"available_at":"%sT21:00:00Z"}\n' \
		"$2" "${4:-qgtm-fetch}" "$1" "$2" "$3" "$3" "$3" "$3" \
		"${5:-1000}" "$2"
}

# signal_rec [SYMBOL=WEIGHT[@PRICE]]...: a "signal" of strategy "s"
# (trace_id "t", params_hash "h") as of 2026-01-05T21:00:00Z, one target an
# argument, in their order; with no argument, no target.
signal_rec() {
	local t w targets= sep=
	for t; do
		w=${t#*=}
		targets+="$sep{\"symbol\":\"${t%%=*}\",\"weight\":\"${w%%@*}\""
		[[ $w != *@* ]] || targets+=",\"price\":\"${w#*@}\""
		targets+='}'
		sep=,
	done
	printf '{"type":"signal","v":1,"trace_id":"t","strategy":"s","params_hash":"h","as_of":"2026-01-05T21:00:00Z","targets":[%s]}\n' \
		"$targets"
}

# recon_rec TS SEVERITY CHECK DETAIL [SYMBOL]: a "recon" record of
# qgtm-order at TS (DETAIL plain text, no quote or backslash).
recon_rec() {
	printf '{"type":"recon","v":1,"ts":"%s","src":"qgtm-order","severity":"%s","check":"%s"%s,"detail":"%s"}\n' \
		"$1" "$2" "$3" "${5:+,\"symbol\":\"$5\"}" "$4"
}
