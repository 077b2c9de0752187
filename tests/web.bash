# tests/web.bash: the checks that any web server serving QGTM through
# its shipped config must pass, shared by tests/cli/0730 (lighttpd) and
# 0732 (nginx). Each file's setup starts its server and sets:
#   base   the server's URL (http://127.0.0.1:PORT)
#   LOGIN  an operator login user:password in the server's htpasswd
#   AUDIT  an auditor Bearer token of api.auditor_tokens
#   www    the web root the pages were rendered into
#   T      a directory of the test's own ($BATS_TEST_TMPDIR); the shipped
#          config's doc site is "$T/docs/"
# Each check is one function that fails at its first wrong answer; what
# only one server does stays in that server's file.
# shellcheck shell=bash disable=SC2154,SC2016 # the names above; "$" is text

# web_get PATH [curl options]: the HTTP code into $code, the body into $out.
web_get() {
	local path=$1
	shift
	code=$(curl -s -o "$T/body" -w '%{http_code}' "$@" "$base$path")
	out=$(cat "$T/body")
}

# web_headers PATH [curl options]: the response headers of a GET, CRs
# removed and a newline added after the last, into $hdr.
web_headers() {
	local path=$1
	shift
	hdr=$(curl -s -D - -o /dev/null "$@" "$base$path" | tr -d '\r')$'\n'
}

# web_pages_need_login: every page and its JSON answers 401 without a
# login and with a wrong one, 200 with $LOGIN.
web_pages_need_login() {
	local u
	for u in / /index.html /readiness.html /status.json /readiness.json \
	    /favicon.svg; do
		web_get "$u"
		[ "$code" = 401 ]
		web_get "$u" -u opa:wrong
		[ "$code" = 401 ]
	done
	web_get / -u "$LOGIN"
	[ "$code" = 200 ]
	[[ $out == *"CONNECTION LOST"* && $out == *"\$100,000.00"* ]]
	web_get /readiness.html -u "$LOGIN"
	[ "$code" = 200 ]
	[[ $out == *"<!DOCTYPE html>"* ]]
	web_get /status.json -u "$LOGIN"
	[ "$code" = 200 ]
	[ "$(jq -r .tier <<<"$out")" = NORMAL ]
	web_get /readiness.json -u "$LOGIN"
	[ "$code" = 200 ]
	jq -e . <<<"$out" >/dev/null
}

# web_phone_page_live: "/" and "/index.html" (the rendered file removed)
# are qgtm-api's phone page with the status of the request inlined and
# shown (no body class "wait"), to a login or a known token; a Bearer
# token opens no static file.
web_phone_page_live() {
	local u
	rm "$www/index.html"
	for u in / /index.html '/?x=1'; do
		web_get "$u" -u "$LOGIN"
		[ "$code" = 200 ]
		[[ $out == *'<body class="">'* ]]
		[[ $out == *'<dd id="e" class="up">$100,000.00</dd>'* ]]
		[[ $out =~ data-t=\"[0-9T:-]+Z\"\>[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\ ET\< ]]
		[[ $out == *'<span id="v" data-ok="0" class="red">Needs attention: System has never checked in</span>'* ]]
	done
	web_headers / -u "$LOGIN"
	[[ $hdr == *"Content-Type: text/html; charset=utf-8"* ]]
	[[ $hdr == *"Content-Security-Policy: default-src 'self'"* ]]
	web_get / -H "Authorization: Bearer $AUDIT"
	[ "$code" = 200 ]
	[[ $out == *'$100,000.00'* ]]
	web_get / -H "Authorization: Bearer nope"
	[ "$code" = 401 ]
	[[ $out != *'$100,000.00'* ]]
	for u in /readiness.html /status.json /readiness.json /favicon.svg; do
		web_get "$u" -H "Authorization: Bearer $AUDIT"
		[ "$code" = 401 ]
	done
}

# web_api_needs_login: /api/v1/ answers a login or a known token, and
# nothing else; a token opens no page.
web_api_needs_login() {
	web_get /api/v1/status
	[ "$code" = 401 ]
	web_get /api/v1/status -u opa:wrong
	[ "$code" = 401 ]
	web_get /api/v1/status -u "$LOGIN"
	[ "$code" = 200 ]
	[ "$(jq -r .verdict <<<"$out")" = \
		"Needs attention: System has never checked in" ]
	web_get /api/v1/status -H "Authorization: Bearer $AUDIT"
	[ "$code" = 200 ]
	[ "$(jq -r .equity_text <<<"$out")" = '$100,000.00' ]
	web_get /readiness.html -H "Authorization: Bearer $AUDIT"
	[ "$code" = 401 ]
	web_get /api/v1/status -H "Authorization: Bearer nope"
	[ "$code" = 401 ]
	web_get /api/v1/audit/verify -H "Authorization: Bearer $AUDIT"
	[ "$code" = 200 ]
	[ "$(jq -r .valid <<<"$out")" = true ]
	web_get /api/v1/nothing -u "$LOGIN"
	[ "$code" = 404 ]
}

# web_docs_site: the doc site is served from "$T/docs/" (where the
# config says make install puts it), not from the web root, to a login
# only; the readiness page links to it.
web_docs_site() {
	local u
	web_get /docs/index.html -u "$LOGIN"
	[ "$code" = 404 ]
	mkdir -p "$www/docs" "$T/docs"
	echo '<!DOCTYPE html><title>in www</title>' >"$www/docs/index.html"
	echo '<!DOCTYPE html><title>QGTM docs</title>' >"$T/docs/index.html"
	for u in /docs/index.html /docs/; do
		web_get "$u" -u "$LOGIN"
		[ "$code" = 200 ]
		[[ $out == *"QGTM docs"* ]]
	done
	web_get /docs/index.html
	[ "$code" = 401 ]
	web_get /docs/index.html -H "Authorization: Bearer $AUDIT"
	[ "$code" = 401 ]
	web_get /readiness.html -u "$LOGIN"
	[[ $out == *'<a id="docs" href="docs/index.html">Docs</a>'* ]]
}
