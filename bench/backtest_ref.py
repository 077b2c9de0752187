#!/usr/bin/python3
"""bench/backtest_ref.py [--replay] BARS FROM TO SYMBOL...: time-series
momentum in plain pandas, written from its definition and not from QGTM
code, for bench/backtest.sh. Prints "date,return" for every session of
FROM..TO. By default every formation is computed at once over the whole
file (the usual vectorized pandas program); with --replay the signal is
rebuilt at each session from the closes known then, as a day-by-day
backtest such as qgtm-backtest does. Both give the same returns.

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


def formation_weights(close, month_end):
    """The weights formed at each month-end session (rows) from the
    closes given, 0 where an instrument has too little history."""
    daily = close.pct_change().iloc[1:]
    sigma = np.sqrt(ANNUALIZATION * daily.ewm(com=COM_DAYS,
                                              adjust=True).var(bias=True))
    me_close = close[month_end]
    ret12 = me_close / me_close.shift(LOOKBACK_MONTHS) - 1.0
    sig = sigma.reindex(me_close.index)
    live = ret12.notna() & sig.notna() & (sig > 0)
    n = live.sum(axis=1).clip(lower=1)
    w = np.sign(ret12) * TARGET_VOL / sig
    w = w.div(n, axis=0).clip(-MAX_WEIGHT, MAX_WEIGHT)
    return w.where(live, 0.0).round(WEIGHT_DECIMALS)


def held_vectorized(close, month_end, window):
    """The weights held after each session, every formation at once."""
    return formation_weights(close, month_end).reindex(
        close.index).ffill().fillna(0.0)


def held_replay(close, month_end, window):
    """The same, the signal rebuilt at each session of the window from
    the closes known then, as a day-by-day backtest does."""
    held = pd.DataFrame(0.0, index=close.index, columns=close.columns)
    for t in close.index[window]:
        w = formation_weights(close.loc[:t], month_end.loc[:t])
        if len(w) > 0:
            held.loc[t] = w.iloc[-1]
    return held


def daily_returns(close, start, end, held_fn):
    """The portfolio's return for every session of [start, end]."""
    window = (close.index >= start) & (close.index <= end)
    held = held_fn(close, month_ends(close.index), window)
    held.loc[~window] = 0.0
    r = close.pct_change()
    port = (held.shift(1) * r).sum(axis=1)
    return port[window]


def main(argv):
    replay = len(argv) > 1 and argv[1] == "--replay"
    if replay:
        argv = argv[1:]
    if len(argv) < 5:
        sys.exit("usage: backtest_ref.py [--replay] BARS FROM TO SYMBOL...")
    t0 = time.perf_counter()
    close = closes(argv[1], argv[4:])
    port = daily_returns(close, pd.Timestamp(argv[2]), pd.Timestamp(argv[3]),
                         held_replay if replay else held_vectorized)
    out = ["date,return"]
    out += ["%s,%.17g" % (d.strftime("%Y-%m-%d"), x)
            for d, x in port.items()]
    print("\n".join(out))
    print("pandas_seconds=%.6f" % (time.perf_counter() - t0),
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
