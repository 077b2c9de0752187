#!/usr/bin/env bats
# The operator pages' accessibility in a real browser: axe-core
# (tests/browser/axe.mjs, injected into Debian's chromium) finds no
# violation on either page, in light, dark and toggled modes, and in the
# warning, connection-lost and stale states; the shared colours meet WCAG
# AA; the shipped lighttpd config serves the icon and compresses. The set
# up is 0760's (tests/browser/setup.bash), and so are its skips.

load ../browser/setup

# axe PAGE NAME ARG ...: axe.mjs on $base/PAGE, screenshot NAME.
axe() {
	[ -f "$QGTM_TOP/tests/browser/node_modules/axe-core/axe.min.js" ] ||
		skip "no axe-core: run make deps"
	browser axe "$base/$1" --name "a11y-$2" "${@:3}"
}

@test "every colour of the pages has AA contrast (4.5:1) in light and dark" {
	qgtm-status render
	run node "$QGTM_TOP/tests/browser/contrast.mjs" \
	    "$QGTM_STATE_DIR/www/index.html"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"light --wa "* && $output == *"dark --ln "* ]]
}

@test "the server sends the icon and gzips the pages, their JSON and the API" {
	start_all
	local u hdr
	for u in / /readiness.html /status.json /readiness.json /api/v1/status; do
		hdr=$(curl -sf --compressed -D- -o /dev/null \
		    -u "$QGTM_HTTP_USER:$QGTM_HTTP_PASSWORD" "$base$u")
		echo "$u: $hdr"
		grep -qi '^Content-Encoding: gzip' <<<"$hdr"
	done
	hdr=$(curl -sf -D- -o "$BATS_TEST_TMPDIR/icon" \
	    -u "$QGTM_HTTP_USER:$QGTM_HTTP_PASSWORD" "$base/favicon.svg")
	grep -qi '^Content-Type: image/svg+xml' <<<"$hdr"
	cmp "$BATS_TEST_TMPDIR/icon" "$QGTM_STATE_DIR/www/favicon.svg"
	# Without Accept-Encoding, the page as it is.
	run -0 curl -sf -D- -o /dev/null \
	    -u "$QGTM_HTTP_USER:$QGTM_HTTP_PASSWORD" "$base/"
	[[ $output != *Content-Encoding* ]]
}

@test "axe: the phone page, light and dark" {
	start_all
	axe "" phone-light --mode light
	axe "" phone-dark --mode dark
}

@test "axe: the readiness page, light, dark and toggled both ways" {
	start_all
	axe readiness.html ready-light --mode light
	axe readiness.html ready-dark --mode dark
	axe readiness.html ready-toggled --mode toggled
	axe readiness.html ready-toggled-dark --mode toggled-dark
}

@test "axe: both pages with the safety switch at WARN, light and dark" {
	run -0 qgtm-risk escalate --to WARN --reason 'a11y drill' --by opa
	start_all
	axe "" phone-warn --mode light
	axe "" phone-warn-dark --mode dark
	axe readiness.html ready-warn --mode light
	axe readiness.html ready-warn-dark --mode dark
}

@test "axe: the phone page with CONNECTION LOST, light and dark" {
	start_all
	axe "" phone-lost --mode light --then "kill $(cat "$SERVE/lighttpd.pid")" \
	    --until body.lost
	serve_start
	axe "" phone-lost-dark --mode dark --then "kill $(cat "$SERVE/lighttpd.pid")" \
	    --until body.lost
}

@test "axe: the readiness page after the server stopped" {
	start_all
	axe readiness.html ready-lost --mode light \
	    --then "kill $(cat "$SERVE/lighttpd.pid")"
}

# Stale: the pages as rendered two days ago by a daemon dead since, the
# files as old; the API still answers with the clock of now.
@test "axe: both pages rendered two days ago, no daemon" {
	qgtm-status render --now "$(ago 172800)"
	touch -d '2 days ago' "$QGTM_STATE_DIR"/www/*
	serve_start
	axe readiness.html ready-stale --mode light
	axe readiness.html ready-stale-dark --mode dark
	axe "" phone-stale --mode light
}
