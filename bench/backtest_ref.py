#!/usr/bin/python3
"""bench/backtest_ref.py [--grid LOOKBACKS COMS] BARS FROM TO SYMBOL...:
time-series momentum in vectorized pandas, the program a skilled user
writes, from its definition and not from QGTM code, for bench/backtest.sh
and tests/cli/0810. Prints "date,return" for every session of FROM..TO:
every formation is computed at once over the whole file. With --grid,
LOOKBACKS and COMS are comma-separated lists of lookback_months and
vol_com_days; the bars are read once and the same program loops over
every configuration, the first list varying fastest (as qgtm-backtest
--grid orders them), printing "date,r1,r2,..." in that order.

BARS holds bar records (JSON Lines, as `qgtm-fetch sim` prints them); the
other records are skipped. The rule, after Moskowitz, Ooi and Pedersen
(2012), "Time series momentum", JFE 104(2):228-250, as
/work/shared/reference/methods.md section 6.1 states it and tsmom in
qgtm-strategies(7) parameterizes it:
  - formation at each month's last session; the weight is then held to
    the next formation;
  - signal: the sign of the return from the last session of the month
    12 months earlier to the formation close;
  - ex-ante volatility (Eq. 1): sigma^2 = 261 * exponentially weighted
    variance about the exponentially weighted mean of the daily returns
    up to the formation, centre of mass 60 days, finite-sample weights
    (pandas ewm(com=60, adjust=True).var(bias=True));
  - weight = sign * 0.40 / sigma / N, N the instruments with a signal
    that month (Eq. 5, the equal-weighted average), capped at +-0.25
    (max_weight) and quoted to 6 decimal places as a signal's weights are;
  - frictionless holding: a session's return is the sum over instruments
    of the weight held since the previous close times the instrument's
    close-to-close return. Nothing is held before FROM.
"""
import json
import sys
import time

import numpy as np
import pandas as pd

LOOKBACK_MONTHS = 12
COM_DAYS = 60
ANNUALIZATION = 261
TARGET_VOL = 0.40
MAX_WEIGHT = 0.25
WEIGHT_DECIMALS = 6


def closes(path, symbols):
    """The close of each symbol by session date (a DataFrame)."""
    rows = []
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("type") == "bar" and rec["symbol"] in symbols:
                rows.append((rec["date"], rec["symbol"], float(rec["close"])))
    df = pd.DataFrame(rows, columns=["date", "symbol", "close"])
    wide = df.pivot(index="date", columns="symbol", values="close")
    wide.index = pd.to_datetime(wide.index)
    return wide.sort_index()[list(symbols)]


def month_ends(index):
    """Whether each session is its month's last: the next one is in
    another month (the calendar's knowledge; the last row of the file has
    no successor and is not one)."""
    months = pd.Series(index.to_period("M"), index=index)
    nxt = months.shift(-1)
    return nxt.notna() & (nxt != months)


def formation_weights(close, month_end, lookback, com):
    """The weights formed at each month-end session (rows) from the
    closes given, 0 where an instrument has too little history."""
    daily = close.pct_change().iloc[1:]
    sigma = np.sqrt(ANNUALIZATION * daily.ewm(com=com,
                                              adjust=True).var(bias=True))
    me_close = close[month_end]
    ret12 = me_close / me_close.shift(lookback) - 1.0
    sig = sigma.reindex(me_close.index)
    live = ret12.notna() & sig.notna() & (sig > 0)
    n = live.sum(axis=1).clip(lower=1)
    w = np.sign(ret12) * TARGET_VOL / sig
    w = w.div(n, axis=0).clip(-MAX_WEIGHT, MAX_WEIGHT)
    return w.where(live, 0.0).round(WEIGHT_DECIMALS)


def daily_returns(close, start, end, lookback=LOOKBACK_MONTHS,
                  com=COM_DAYS):
    """The portfolio's return for every session of [start, end]: the
    weights formed at each month-end, held to the next formation."""
    window = (close.index >= start) & (close.index <= end)
    held = formation_weights(close, month_ends(close.index), lookback,
                             com).reindex(close.index).ffill().fillna(0.0)
    held.loc[~window] = 0.0
    port = (held.shift(1) * close.pct_change()).sum(axis=1)
    return port[window]


def main(argv):
    grid = None
    if len(argv) > 3 and argv[1] == "--grid":
        grid = [(lb, com) for com in map(int, argv[3].split(","))
                for lb in map(int, argv[2].split(","))]
        argv = argv[3:]
    if len(argv) < 5:
        sys.exit("usage: backtest_ref.py [--grid LOOKBACKS COMS] BARS FROM "
                 "TO SYMBOL...")
    t0 = time.perf_counter()
    close = closes(argv[1], argv[4:])
    start, end = pd.Timestamp(argv[2]), pd.Timestamp(argv[3])
    if grid is None:
        cols = [daily_returns(close, start, end)]
    else:
        cols = [daily_returns(close, start, end, lb, com)
                for lb, com in grid]
    out = ["date," + ",".join("r%d" % (i + 1) for i in range(len(cols)))
           if grid else "date,return"]
    dates = cols[0].index.strftime("%Y-%m-%d")
    m = np.column_stack([c.to_numpy() for c in cols])
    out += [d + "," + ",".join("%.17g" % x for x in row)
            for d, row in zip(dates, m)]
    print("\n".join(out))
    print("pandas_seconds=%.6f" % (time.perf_counter() - t0),
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
