#!/bin/bash
# examples/cycle.sh: one whole trading cycle on the embedded defaults (the
# sim market and the sim broker; no account, no network). Every stage is a
# real program; each prints what it did as JSON Lines for the next.
# Pin the moment with QGTM_NOW=2026-11-20T21:30:00Z to replay a day.
set -euo pipefail

qgtm-fetch sim |
	qgtm-signal --strategy tsmom |
	qgtm-risk check |
	qgtm-order submit --broker sim |
	qgtm-audit append
