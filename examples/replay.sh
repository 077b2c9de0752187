#!/bin/bash
# examples/replay.sh [days]: replay the last `days` calendar days (default
# 56, eight weeks) as the installed schedule runs them (etc/systemd,
# etc/cron): on each weekday the feeds at 21:10 UTC (`qgtm-fetch all`, the
# fetch timer) and then the cycle at 21:30 UTC (cycle.sh), after the New
# York close in winter and summer. The window ends yesterday, or on
# QGTM_REPLAY_END (YYYY-MM-DD). The decay check of cycle.sh is left to the
# caller (QGTM_DECAY=0) unless QGTM_DECAY is set.
set -euo pipefail

days=${1:-56}
end=${QGTM_REPLAY_END:-$(date -u -d yesterday +%F)}
here=$(dirname "$0")
export QGTM_DECAY=${QGTM_DECAY:-0}
i=0
for ((back = days - 1; back >= 0; back--)); do
	day=$(date -u -d "$end - $back days" +%F)
	case $(date -u -d "$day" +%u) in 6|7) continue ;; esac
	i=$((i + 1))
	[ -t 2 ] && printf 'replay: %s (%d)\r' "$day" "$i" >&2
	QGTM_NOW="${day}T21:10:00Z" qgtm-fetch all >/dev/null ||
		echo "replay: $day: a feed failed (qgtm-fetch health)" >&2
	QGTM_NOW="${day}T21:30:00Z" "$here/cycle.sh"
done
printf 'replay: %d weekdays, %s to %s\n' "$i" \
	"$(date -u -d "$end - $((days - 1)) days" +%F)" "$end" >&2
