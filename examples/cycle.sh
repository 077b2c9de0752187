#!/bin/bash
# examples/cycle.sh: one whole trading cycle, the one script qgtm-daemon
# (daemon.cycle), etc/systemd/qgtm-cycle.service and etc/cron/qgtm.crontab
# run (installed as $(SHAREDIR)/cycle.sh). Every stage is a real program;
# each prints what it did as JSON Lines for the next. The feeds are fetched
# before it (qgtm-fetch.timer, the crontab's 16:10 line: `qgtm-fetch all`).
#   1. the bars of common.price_source, the signals of signal.strategies,
#      the risk gate, the orders to order.broker (sim by default, alpaca for
#      paper and live), the kill-switch rules (qgtm-risk evaluate), and
#      every record into the audit chain;
#   2. the book reconciled against the broker (qgtm-order reconcile);
#   3. on Fridays (New York), the decay check of every strategy
#      (qgtm-backtest decay; QGTM_DECAY=0 never, 1 always; extra arguments
#      in QGTM_DECAY_ARGS).
# The config is $QGTM_CONFIG as for every program. Pin the moment with
# QGTM_NOW=2026-11-20T21:30:00Z to replay a day.
set -euo pipefail

# common.price_source as the programs read it.
source=$(qgtm-fetch -C | sed -n 's/^  price_source: "\(.*\)"$/\1/p' | head -n 1)

qgtm-fetch "${source:-sim}" |
	qgtm-signal |
	qgtm-risk check |
	qgtm-order submit |
	qgtm-risk evaluate |
	qgtm-audit append

# A break is recorded and exits 1; the cycle goes on to the decay check.
rc=0
qgtm-order reconcile >/dev/null || rc=$?

weekday=$(TZ=America/New_York date -d "${QGTM_NOW:-now}" +%u)
if [ "${QGTM_DECAY:-}" = 1 ] || { [ -z "${QGTM_DECAY:-}" ] && [ "$weekday" = 5 ]; }; then
	# shellcheck disable=SC2086  # QGTM_DECAY_ARGS is a list of words
	qgtm-backtest decay -q ${QGTM_DECAY_ARGS:-} >/dev/null
fi
exit "$rc"
