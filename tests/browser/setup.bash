# tests/browser/setup.bash: what the browser bats files share
# (tests/cli/0760-browser.bats, 0765-browser-a11y.bats; `load
# ../browser/setup` at the top of the file): the pages and qgtm-api served
# by lighttpd (the shipped etc/lighttpd/qgtm.conf, login switched on) on a
# free loopback port, qgtm-daemon beating and rendering every second, and
# the helpers below. Its tests are skipped without lighttpd, chromium or
# tests/browser/node_modules (`make deps`).

# The state every test starts from: two weeks of the sim market replayed
# up to yesterday, so the sim broker holds positions. Built once.
setup_file() {
	(
		BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR/seed
		load ../lib
		# The cycle's qgtm-risk evaluate kept below its limits: the
		# tier starts NORMAL whatever the market did.
		printf 'risk:\n  max_drawdown: 0.5\n  max_daily_loss: 0.5\n' \
		    >"$BATS_FILE_TMPDIR/replay.yaml"
		QGTM_REPLAY_END=$(date -u -d yesterday +%F) \
		    QGTM_CONFIG="$BATS_FILE_TMPDIR/replay.yaml" \
		    "$QGTM_TOP/examples/replay.sh" 14 2>/dev/null
	)
}

setup() {
	load ../lib
	command -v lighttpd >/dev/null || skip "lighttpd is not installed"
	[ -x /usr/bin/chromium ] || skip "chromium is not installed"
	[ -d "$QGTM_TOP/tests/browser/node_modules/playwright-core" ] ||
		skip "no playwright-core: run make deps"
	source "$QGTM_TOP/tests/browser/serve.bash"
	export QGTM_TOP
	export QGTM_ARTIFACTS="$QGTM_TOP/build/browser-artifacts"
	cp -R "$BATS_FILE_TMPDIR/seed/state" "$QGTM_STATE_DIR"
	# The test secrets: an API token, a login password, a key file and
	# the environment variables the programs read.
	TOKEN=tok-S3CRET-0760
	export QGTM_HTTP_USER=opa QGTM_HTTP_PASSWORD=pw-S3CRET-0760
	export QGTM_ALPACA_KEY_ID=S3CRET-alpaca-id
	export QGTM_ALPACA_SECRET_KEY=S3CRET-alpaca-key
	export QGTM_DISCORD_WEBHOOK_URL=https://127.0.0.1:9/api/webhooks/1/S3CRET-hook
	printf 'S3CRET-fred-key\n' >"$BATS_TEST_TMPDIR/fred.key"
	chmod 600 "$BATS_TEST_TMPDIR/fred.key"
	export QGTM_CONFIG=$BATS_TEST_TMPDIR/qgtm.yaml
	cat >"$QGTM_CONFIG" <<-YAML
	daemon:
	  heartbeat_s: 1
	  render_s: 1
	  cycle: ""
	fetch:
	  fred:
	    api_key_file: "$BATS_TEST_TMPDIR/fred.key"
	api:
	  users: ["opa:alice"]
	  tokens: ["bob:$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)"]
	YAML
	port=$(serve_free_port)
	base=http://127.0.0.1:$port
	printf '  public_origins: ["%s"]\n' "$base" >>"$QGTM_CONFIG"
	serve_config "$BATS_TEST_TMPDIR/srv" "$port" "$QGTM_HTTP_USER" \
	    "$QGTM_HTTP_PASSWORD" >/dev/null
}

teardown() {
	[ -z "${DPID:-}" ] || kill -TERM "$DPID" 2>/dev/null || true
	serve_stop
	wait 2>/dev/null || true
	# Built with SANITIZE=1, a report of the daemon or the API fails.
	! grep -s 'Sanitizer\|runtime error:' "$BATS_TEST_TMPDIR/daemon.log" \
	    "$SERVE/lighttpd.out" "$SERVE/error.log"
}

# browser SCRIPT ARG ...: node tests/browser/SCRIPT.mjs ARG ..., its output
# shown when it fails.
browser() {
	run node "$QGTM_TOP/tests/browser/$1.mjs" "${@:2}"
	echo "$output"
	[ "$status" -eq 0 ]
}

# start_daemon: qgtm-daemon -v in the background, until the pages it
# renders show its heartbeat.
start_daemon() {
	local i
	qgtm-daemon -v 2>>"$BATS_TEST_TMPDIR/daemon.log" &
	DPID=$!
	for i in $(seq 50); do
		[ "$(jq -r .heartbeat_colour "$QGTM_STATE_DIR/www/status.json" \
		    2>/dev/null)" = green ] && return 0
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/daemon.log"
	return 1
}

# start_all: the daemon, then the web server.
start_all() {
	start_daemon
	serve_start
}

# plant FILE LINE: append the JSON line LINE to the state file FILE.
plant() {
	mkdir -p "$(dirname "$QGTM_STATE_DIR/$1")"
	printf '%s\n' "$2" >>"$QGTM_STATE_DIR/$1"
}

# ago SECONDS: the UTC time SECONDS ago, as the records write it.
ago() {
	date -u -d "@$(($(date +%s) - $1))" +%FT%TZ
}

# open_positions: the lines of qgtm-order positions that hold a symbol.
open_positions() {
	qgtm-order positions | grep -cv '^\(cash\|equity\) ' || true
}
