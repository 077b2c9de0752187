#!/bin/bash
# examples/replay.sh [days]: replay the last `days` calendar days (default
# 56, eight weeks) of the sim market, one cycle per weekday at 21:30 UTC
# (after the New York close in winter and summer), through cycle.sh.
# The window ends yesterday, or on QGTM_REPLAY_END (YYYY-MM-DD).
set -euo pipefail

days=${1:-56}
end=${QGTM_REPLAY_END:-$(date -u -d yesterday +%F)}
here=$(dirname "$0")
i=0
for ((back = days - 1; back >= 0; back--)); do
	day=$(date -u -d "$end - $back days" +%F)
	case $(date -u -d "$day" +%u) in 6|7) continue ;; esac
	i=$((i + 1))
	[ -t 2 ] && printf 'replay: %s (%d)\r' "$day" "$i" >&2
	QGTM_NOW="${day}T21:30:00Z" "$here/cycle.sh"
done
printf 'replay: %d weekdays, %s to %s\n' "$i" \
	"$(date -u -d "$end - $((days - 1)) days" +%F)" "$end" >&2
