#!/usr/bin/env bats
# qgtm-status metrics: the operator's figures for node_exporter's textfile
# collector, checked by a strict parser of the Prometheus text exposition
# format 0.0.4 written here (prom_check), and against the status model.

setup() {
	load ../lib
	export QGTM_NOW=2026-11-20T21:30:00Z
	M=$BATS_TEST_TMPDIR/metrics
}

# prom_check FILE: FILE is text exposition format 0.0.4
# (https://prometheus.io/docs/instrumenting/exposition_formats/): only
# "# HELP name text", "# TYPE name type" and samples; every metric named
# qgtm_*, with one HELP and one TYPE before its samples, its samples
# together; label names and escaped label values well formed; each value
# a float; no series twice; the file ends with a newline.
prom_check() {
	python3 - "$1" <<'EOF'
import re, sys
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(\{{(?:{LABEL})(?:,{LABEL})*\}})? (\S+)$")
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "no final newline"
help_, type_, done, series, cur = {}, {}, set(), set(), None
for n, line in enumerate(text[:-1].split("\n"), 1):
    where = f"line {n}: {line!r}"
    m = re.match(rf"^# (HELP|TYPE) ({NAME}) (.+)$", line)
    if m:
        kind, name, rest = m.groups()
        seen = help_ if kind == "HELP" else type_
        assert name not in seen, f"{where}: second {kind}"
        assert name not in done and name != cur or kind == "TYPE" and \
            name == cur and name not in type_, f"{where}: {kind} after samples"
        if kind == "TYPE":
            assert rest in ("counter", "gauge", "histogram", "summary",
                            "untyped"), where
        seen[name] = rest
        if cur != name:
            if cur is not None:
                done.add(cur)
            cur = name
        continue
    m = SAMPLE.match(line)
    assert m, f"{where}: not a sample"
    name, labels, value = m.groups()
    assert name.startswith("qgtm_"), f"{where}: not qgtm_*"
    assert name == cur and name in help_ and name in type_, \
        f"{where}: sample outside its metric's block"
    float(value)
    assert (name, labels) not in series, f"{where}: series twice"
    series.add((name, labels))
assert series, "no sample"
EOF
}

# value NAME [LABELS]: the sample's value in $M.
value() {
	S="$1${2:+{$2\}}" awk '$1 == ENVIRON["S"] { print $2 }' "$M"
}

@test "metrics prints valid text exposition of the status model" {
	"$QGTM_TOP/examples/cycle.sh"
	qgtm-status render --out "$BATS_TEST_TMPDIR/www"
	qgtm-status metrics >"$M"
	prom_check "$M"
	[ "$(value qgtm_killswitch_tier)" = 0 ]
	[ "$(value qgtm_killswitch_tier_state 'tier="NORMAL"')" = 1 ]
	[ "$(grep -c '^qgtm_killswitch_tier_state{' "$M")" -eq 5 ]
	[ "$(value qgtm_killswitch_healthy)" = 1 ]
	S=$BATS_TEST_TMPDIR/www/status.json
	[ "$(value qgtm_equity_dollars)" = "$(jq -r .equity "$S")" ]
	[ "$(value qgtm_daily_pnl_dollars)" = "$(jq -r .gain "$S")" ]
	[ "$(value qgtm_broker_reachable)" = 1 ]
	[ "$(value qgtm_audit_entries)" = \
		"$(qgtm-audit verify | sed 's/.*entries=\([0-9]*\).*/\1/')" ]
	# one 1/0 series per feed of the readiness model
	jq -r '.rows[] | select(.id == "feeds") | .details | to_entries[] | select(.value | type == "object") |
		"qgtm_feed_healthy{feed=\"\(.key)\"} \(if .value.healthy then 1 else 0 end)"' \
		"$BATS_TEST_TMPDIR/www/readiness.json" >"$BATS_TEST_TMPDIR/feeds"
	[ -s "$BATS_TEST_TMPDIR/feeds" ]
	grep '^qgtm_feed_healthy{' "$M" | diff "$BATS_TEST_TMPDIR/feeds" -
}

@test "no heartbeat yet: no sample; after a beat, its age in seconds" {
	qgtm-status metrics >"$M"
	prom_check "$M"
	grep -q '^# TYPE qgtm_heartbeat_age_seconds gauge$' "$M"
	[ -z "$(value qgtm_heartbeat_age_seconds)" ]
	qgtm-status beat
	QGTM_NOW=2026-11-20T21:31:30Z qgtm-status metrics >"$M"
	prom_check "$M"
	[ "$(value qgtm_heartbeat_age_seconds)" = 90 ]
}

@test "the tier as a number and as the labelled series" {
	qgtm-risk escalate --to NO_NEW --reason "drill" --by alice
	qgtm-status metrics >"$M"
	prom_check "$M"
	[ "$(value qgtm_killswitch_tier)" = 3 ]
	[ "$(value qgtm_killswitch_tier_state 'tier="NO_NEW"')" = 1 ]
	[ "$(value qgtm_killswitch_tier_state 'tier="NORMAL"')" = 0 ]
	[ "$(awk '/^qgtm_killswitch_tier_state/ { s += $2 } END { print s }' "$M")" -eq 1 ]
}

@test "--out replaces the file atomically, mode 0644, same text as stdout" {
	mkdir -p "$BATS_TEST_TMPDIR/textfile"
	out=$BATS_TEST_TMPDIR/textfile/qgtm.prom
	echo stale >"$out"
	qgtm-status metrics --out "$out"
	qgtm-status metrics >"$M"
	diff "$M" "$out"
	[ "$(stat -c %a "$out")" = 644 ]
	[ "$(ls "$BATS_TEST_TMPDIR/textfile")" = qgtm.prom ]
}

@test "an unwritable --out exits 73 and leaves nothing" {
	run -73 --separate-stderr qgtm-status metrics --out "$BATS_TEST_TMPDIR/none/qgtm.prom"
	assert_one_line "$stderr"
	[[ $stderr == "qgtm-status: cannot write '$BATS_TEST_TMPDIR/none/qgtm.prom': "* ]]
	[ ! -e "$BATS_TEST_TMPDIR/none" ]
}

@test "metrics takes no operand" {
	run -64 --separate-stderr qgtm-status metrics extra
	[ -z "$output" ]
}
