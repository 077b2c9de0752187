#!/bin/bash
# bench/fetch.sh [latency_ms]: `qgtm-fetch all` against the stand-in
# providers (tests/standin/feeds.py) with latency_ms (default 200) added to
# every response, against the slowest of the six feeds fetched alone, all
# measured in the same run on fresh stores. Prints each feed's time, and
# the wall time of `all` against the slowest feed (result lines:
# bench/README.md; the goal: at most 1.3 times it).
set -euo pipefail

lat=${1:-200}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${QGTM_BIN:-$top/build/bin}
dir=$(mktemp -d)
python3 "$top/tests/standin/feeds.py" "$dir/port" /dev/null /dev/null "$lat" &
standin=$!
trap 'kill $standin; rm -rf "$dir"' EXIT
. "$top/bench/lib.bash"
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
base=http://127.0.0.1:$(cat "$dir/port")
cat >"$dir/cfg.yaml" <<CFG
common:
  universe: [GLD, SLV]
fetch:
  fred: {url: "$base/fred"}
  alpaca: {url: "$base"}
  cftc: {url: "$base", page_rows: 3}
  lbma: {url: "$base"}
  eia: {url: "$base"}
  openbb: {url: "$base"}
CFG
export QGTM_CONFIG=$dir/cfg.yaml QGTM_NOW=2026-03-16T12:00:00Z
export FRED_API_KEY=bench APCA_API_KEY_ID=bench APCA_API_SECRET_KEY=bench
export EIA_API_KEY=bench

now_ms() { date +%s%3N; }
slowest=0
for f in fred alpaca cftc lbma eia openbb; do
	export QGTM_STATE_DIR=$dir/state-$f
	t0=$(now_ms); "$bin/qgtm-fetch" "$f" >/dev/null; t1=$(now_ms)
	echo "fetch: feed=$f ms=$((t1 - t0))"
	[ $((t1 - t0)) -gt "$slowest" ] && slowest=$((t1 - t0))
done
export QGTM_STATE_DIR=$dir/state-all
t0=$(now_ms); "$bin/qgtm-fetch" all >/dev/null; t1=$(now_ms)
echo "fetch: latency_ms=$lat"
result fetch.all_ms $((t1 - t0)) ms peer slowest_feed "$slowest" 'ratio<=1.3'
