#!/usr/bin/env bats
# etc/systemd and etc/cron: the daemon, the timers and their cron twin.

setup() {
	load ../lib
	UNITS="$QGTM_TOP/etc/systemd"
	# The digest units belong to qgtm-digest's tests.
	MINE=$(cd "$UNITS" && ls qgtm-*.service qgtm-*.timer | grep -v '^qgtm-digest\.')
}

@test "systemd-analyze verify is clean" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	d="$BATS_TEST_TMPDIR/units"
	mkdir -p "$d"
	# As make install writes them, with the built programs as the prefix.
	for u in $MINE; do
		sed "s|/usr/local/bin/|$QGTM_BIN/|g; s|/usr/local/share/qgtm/|$QGTM_TOP/examples/|g" \
			"$UNITS/$u" >"$d/$u"
	done
	cd "$d"
	run -0 systemd-analyze verify --man=no $MINE
	[ -z "$output" ]
}

@test "every service is hardened and documented" {
	for u in $(printf '%s\n' $MINE | grep '\.service$'); do
		for k in 'ProtectSystem=strict' 'StateDirectory=qgtm' \
		    'ReadWritePaths=/var/lib/qgtm' \
		    'NoNewPrivileges=yes' 'PrivateTmp=yes' 'ProtectHome=yes' \
		    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
		    'CapabilityBoundingSet=' 'SystemCallFilter=@system-service'; do
			grep -qx "$k" "$UNITS/$u" || { echo "$u: no $k"; false; }
		done
		grep -q '^Documentation=man:' "$UNITS/$u"
		# RestartPreventExitStatus= does nothing without Restart=.
		if grep -q '^Restart=' "$UNITS/$u"; then
			grep -qx 'RestartPreventExitStatus=64 65 77 78' "$UNITS/$u"
		else
			! grep -q '^RestartPreventExitStatus=' "$UNITS/$u" ||
				{ echo "$u: RestartPreventExitStatus= without Restart="; false; }
		fi
	done
}

@test "systemd-analyze security rates every shipped service at most 2.0" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	cd "$BATS_TEST_TMPDIR"
	for u in "$UNITS"/*.service; do
		run -0 systemd-analyze security --offline=true "$u"
		score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' <<<"$output")
		[ -n "$score" ] || { echo "${u##*/}: no score in: ${lines[-1]}"; false; }
		echo "${u##*/} $score"
		awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
			{ echo "${u##*/}: exposure $score over 2.0"; false; }
	done
}

@test "the daemon restarts on failure under a watchdog" {
	u="$UNITS/qgtm-daemon.service"
	grep -qx 'Type=notify' "$u"
	grep -qx 'Restart=on-failure' "$u"
	grep -q '^WatchdogSec=[1-9]' "$u"
	grep -qx 'ExecStart=/usr/local/bin/qgtm-daemon' "$u"
}

@test "every timer has its service, and cron runs the same programs" {
	for t in $(printf '%s\n' $MINE | grep '\.timer$'); do
		[ -f "$UNITS/${t%.timer}.service" ]
		prog=$(sed -n 's|^ExecStart=\([^ ]*\).*|\1|p' "$UNITS/${t%.timer}.service")
		grep -q "$prog" "$QGTM_TOP/etc/cron/qgtm.crontab" ||
			{ echo "$t: $prog not in the crontab"; false; }
	done
}
