#!/usr/bin/env bats
# Correlation and OpenTelemetry: one signal's trace_id in the audit chain,
# in every log line of the cycle and in the OTLP/JSON spans, to a stand-in
# collector (tests/standin/otlp.py, which checks the shape strictly) and to
# QGTM_OTEL_FILE; the W3C traceparent through the pipe and in TRACEPARENT.

setup() {
	load ../lib
	export QGTM_NOW=2026-11-20T21:30:00Z QGTM_DEBUG=1
	S=$BATS_TEST_TMPDIR/otlp
	mkdir -p "$S"
	OTLP="$QGTM_TOP/tests/standin/otlp.py"
	CHAIN=$QGTM_STATE_DIR/audit/chain.jsonl
}

teardown() {
	[ -z "${CPID:-}" ] || kill "$CPID" 2>/dev/null || true
	[ -z "${DPID:-}" ] || kill -9 "$DPID" 2>/dev/null || true
}

# start_collector: the stand-in on a free loopback port, as the endpoint.
start_collector() {
	python3 "$OTLP" serve "$S/port" "$S/received" &
	CPID=$!
	for _ in $(seq 100); do [ -s "$S/port" ] && break; sleep 0.05; done
	export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat "$S/port")
}

# cycle: the pipe of examples/cycle.sh, each stage's stderr in S/NAME.err.
cycle() {
	qgtm-fetch sim 2>"$S/fetch.err" |
		qgtm-signal --strategy tsmom 2>"$S/signal.err" |
		qgtm-risk check 2>"$S/risk.err" |
		qgtm-order submit --broker sim 2>"$S/order.err" |
		qgtm-audit append 2>"$S/audit.err"
}

# spans FILE: the checked spans of FILE, one JSON line each, into S/spans.
spans() {
	python3 "$OTLP" check "$1" >"$S/spans"
}

# span_id SERVICE NAME: the spanId of the span of SERVICE named NAME in
# trace $TRACE (exactly one such span).
span_id() {
	jq -r --arg s "$1" --arg n "$2" --arg t "$TRACE" \
		'select(.service == $s and .name == $n and .traceId == $t) | .spanId' \
		"$S/spans" >"$S/id"
	[ "$(wc -l <"$S/id")" -eq 1 ]
	cat "$S/id"
}

# parent_of SPANID: its parentSpanId.
parent_of() {
	jq -r --arg i "$1" 'select(.spanId == $i) | .parentSpanId' "$S/spans"
}

# check_trace: one signal's path, found by its trace_id in the audit
# chain, the logs and the spans, with every stage parented on the last.
check_trace() {
	TRACE=$(jq -r 'select(.rec.type == "signal") | .rec.trace_id' "$CHAIN")
	[ "${#TRACE}" -eq 32 ]
	# the audit chain
	qgtm-audit trace "$TRACE" | jq -r .kind | sort -u >"$S/kinds"
	printf '%s\n' decision fill order signal | diff - "$S/kinds"
	# every record of the trace carries a traceparent of that trace
	[ "$(jq -r --arg t "$TRACE" 'select(.rec.trace_id == $t and
		(.rec.traceparent | startswith("00-" + $t + "-") | not)) | .seq' \
		"$CHAIN" | wc -l)" -eq 0 ]
	# every log line of signal, risk, order and audit names the trace
	for p in signal risk order audit; do
		grep -q "prog=qgtm-$p trace_id=$TRACE " "$S/$p.err"
		run ! grep -v "trace_id=$TRACE " "$S/$p.err"
	done
	# the spans: one per stage in the trace, each the child of the last
	signal=$(span_id qgtm-signal qgtm-signal)
	risk=$(span_id qgtm-risk "qgtm-risk check")
	order=$(span_id qgtm-order "qgtm-order submit")
	audit=$(span_id qgtm-audit "qgtm-audit append")
	[ -z "$(parent_of "$signal")" ]
	[ "$(parent_of "$risk")" = "$signal" ]
	[ "$(parent_of "$order")" = "$risk" ]
	[ "$(parent_of "$audit")" = "$order" ]
	# the records name their stage's span
	[ "$(jq -r 'select(.rec.type == "decision") | .rec.traceparent' \
		"$CHAIN")" = "00-$TRACE-$risk-01" ]
	# one "submit" child of qgtm-order's span per order, by client order id
	jq -r 'select(.rec.type == "order") | .rec.client_order_id' "$CHAIN" |
		sort >"$S/orders"
	[ "$(wc -l <"$S/orders")" -gt 1 ]
	jq -r --arg o "$order" 'select(.name == "submit" and
		.parentSpanId == $o) | .attributes.client_order_id' "$S/spans" |
		sort | diff "$S/orders" -
	[ "$(jq -r --arg o "$order" 'select(.parentSpanId == $o and
		.name == "submit") | .attributes.symbol' "$S/spans" |
		grep -c '^[A-Z][A-Z]*$')" -eq "$(wc -l <"$S/orders")" ]
}

@test "a cycle to a collector: one trace_id in the audit chain, the logs and the spans" {
	start_collector
	cycle
	[ ! -e "$S/received.errors" ]
	[ "$(wc -l <"$S/received")" -eq 5 ]
	spans "$S/received"
	check_trace
	# the service names, one request per program
	jq -r .service "$S/spans" | sort -u >"$S/services"
	printf 'qgtm-%s\n' audit fetch order risk signal | diff - "$S/services"
	qgtm-audit verify
}

@test "QGTM_OTEL_FILE: one request per program and line, the same trace" {
	export QGTM_OTEL_FILE=$S/spans.jsonl
	cycle
	[ "$(wc -l <"$QGTM_OTEL_FILE")" -eq 5 ]
	spans "$QGTM_OTEL_FILE"
	check_trace
}

@test "programs writing QGTM_OTEL_FILE at once never mix their lines" {
	export QGTM_OTEL_FILE=$S/spans.jsonl
	for i in $(seq 8); do
		qgtm-fetch sim >/dev/null 2>&1 &
	done
	wait
	[ "$(wc -l <"$QGTM_OTEL_FILE")" -eq 8 ]
	spans "$QGTM_OTEL_FILE"
	[ "$(jq -r .traceId "$S/spans" | sort -u | wc -l)" -eq 8 ]
}

@test "the stand-in refuses what is not OTLP/JSON" {
	export QGTM_OTEL_FILE=$S/good.jsonl
	qgtm-fetch sim >/dev/null
	spans "$QGTM_OTEL_FILE"
	# a number where a decimal string belongs, base64 ids, a lost parent
	jq -c '.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano |= tonumber' \
		"$QGTM_OTEL_FILE" >"$S/bad1"
	jq -c '.resourceSpans[0].scopeSpans[0].spans[0].spanId = "AAECAwQFBgc="' \
		"$QGTM_OTEL_FILE" >"$S/bad2"
	jq -c '.resourceSpans[0].scopeSpans[0].spans[0].parentSpanId = "0123456789abcdef"' \
		"$QGTM_OTEL_FILE" >"$S/bad3"
	for f in bad1 bad2 bad3; do
		run -1 python3 "$OTLP" check "$S/$f"
	done
}

@test "a dead collector costs one warning per program, never a failure" {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$S/port"
	export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat "$S/port")
	cycle
	for p in fetch signal risk order audit; do
		[ "$(grep -c 'warning: cannot export spans' "$S/$p.err")" -eq 1 ]
	done
	qgtm-audit verify
	[ "$(jq -s 'map(select(.rec.type == "fill")) | length' "$CHAIN")" -gt 0 ]
}

@test "a program started with TRACEPARENT continues that trace" {
	export QGTM_OTEL_FILE=$S/spans.jsonl
	parent=00f067aa0ba902b7
	TRACE=4bf92f3577b34da6a3ce929d0e0e4736
	TRACEPARENT=00-$TRACE-$parent-01 qgtm-fetch sim >/dev/null
	python3 "$OTLP" check "$QGTM_OTEL_FILE" --external "$parent" >"$S/spans"
	[ "$(parent_of "$(span_id qgtm-fetch qgtm-fetch)")" = "$parent" ]
	# an invalid one starts a trace of its own
	rm "$QGTM_OTEL_FILE"
	TRACEPARENT=00-$TRACE-0000000000000000-01 qgtm-fetch sim >/dev/null
	spans "$QGTM_OTEL_FILE"
	[ "$(jq -r .traceId "$S/spans")" != "$TRACE" ]
}

@test "the daemon hands its span to its stages in TRACEPARENT" {
	export QGTM_OTEL_FILE=$S/spans.jsonl
	fake=$BATS_TEST_TMPDIR/fake
	mkdir -p "$fake"
	printf '#!/bin/sh\necho "$TRACEPARENT" >>"%s"\n' "$S/seen" >"$fake/qgtm-status"
	chmod +x "$fake/qgtm-status"
	printf 'daemon:\n  heartbeat_s: 1\n  render_s: 1\n  cycle: ""\n' >"$S/d.yaml"
	PATH="$fake:$PATH" qgtm-daemon -c "$S/d.yaml" 2>"$S/daemon.err" &
	DPID=$!
	for _ in $(seq 50); do [ -s "$S/seen" ] && break; sleep 0.1; done
	kill -TERM "$DPID"
	wait "$DPID"
	DPID=
	spans "$QGTM_OTEL_FILE"
	id=$(jq -r 'select(.service == "qgtm-daemon") | .spanId' "$S/spans")
	trace=$(jq -r 'select(.service == "qgtm-daemon") | .traceId' "$S/spans")
	[ "$(head -1 "$S/seen")" = "00-$trace-$id-01" ]
}

@test "a backtest is one span, not one a simulated day" {
	export QGTM_OTEL_FILE=$S/spans.jsonl
	qgtm-backtest --strategy tsmom --from 2001-02-01 --to 2001-02-28 \
		--out "$S/bt" >/dev/null
	spans "$QGTM_OTEL_FILE"
	[ "$(wc -l <"$S/spans")" -eq 1 ]
	[ "$(jq -r .name "$S/spans")" = qgtm-backtest ]
}

@test "without QGTM_OTEL_FILE or an endpoint nothing is traced" {
	cycle
	[ "$(jq -s 'map(select(.rec | has("traceparent"))) | length' "$CHAIN")" -eq 0 ]
	TRACE=$(jq -r 'select(.rec.type == "signal") | .rec.trace_id' "$CHAIN")
	grep -q "trace_id=$TRACE " "$S/order.err"
}
