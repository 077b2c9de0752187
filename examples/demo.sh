#!/bin/bash
# examples/demo.sh: what `make demo` runs. A fresh demo state directory,
# eight weeks of the sim market replayed day by day through the real pipe,
# then a short summary and where to look next. No account, no network.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="${QGTM_BIN:-$top/build/bin}:$PATH"
export QGTM_STATE_DIR="$top/demo/state"
end=${QGTM_REPLAY_END:-$(date -u -d yesterday +%F)}
export QGTM_REPLAY_END=$end

rm -rf "$top/demo"
mkdir -p "$QGTM_STATE_DIR"
echo "demo: replaying 8 weeks of the sim market into $QGTM_STATE_DIR"
"$top/examples/replay.sh" 56
export QGTM_NOW="${end}T21:30:00Z"

echo
echo "== account (as of $QGTM_NOW) =="
qgtm-order positions
echo
echo "orders placed:  $(grep -c '"type":"order"' "$QGTM_STATE_DIR/oms/orders.jsonl" 2>/dev/null || echo 0)"
echo "audit:          $(qgtm-audit verify)"
cat <<MSG

Look further (the same state directory):
  export QGTM_STATE_DIR=$QGTM_STATE_DIR PATH=${QGTM_BIN:-$top/build/bin}:\$PATH
  qgtm-order orders                 # every order the sim broker filled
  qgtm-risk limits                  # the limits as enforced
  jq -c 'select(.rec.type=="fill") | .rec' \$QGTM_STATE_DIR/audit/chain.jsonl | head
  man -M $top/man qgtm              # the manual
MSG
