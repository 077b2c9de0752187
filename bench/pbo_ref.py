#!/usr/bin/python3
"""bench/pbo_ref.py MATRIX.csv S METRIC: the numpy peer of CSCV PBO for
bench/pbo.sh and tests/cli/0810, written as a skilled numpy user would from
the definition in qgtm-stats(1) (Bailey, Borwein, Lopez de Prado and Zhu
2017; the pypbo conventions): the first T mod S rows dropped, S contiguous
blocks, every choice of S/2 blocks as in-sample; the first best in-sample
column ranked out of sample with average ranks for ties; w = rank / (N + 1);
PBO = share of logit <= 0.

It is the same algorithm as the C code, not a handicapped one: each
column's per-block sums and sums of squares (about the column's mean) are
made once, then every split's in-sample and out-of-sample sums are one
matrix product of the 0/1 split matrix with them, and the metrics, the
argmax and the ranks of all 12,870 splits are whole-array operations.
Prints pbo=, splits=, logit_mean= and the seconds taken after the load.
METRIC is sharpe or mean; mean takes blocks of one row."""
import itertools
import sys
import time

import numpy as np


def main():
    path, s, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    m = np.loadtxt(path, delimiter=",", ndmin=2)
    t0 = time.perf_counter()
    t, n = m.shape
    m = m[t % s:]
    length = m.shape[0] // s
    centre = m.mean(axis=0)
    dev = (m - centre).reshape(s, length, n)
    bsum = dev.sum(axis=1)                      # s x n
    bsq = (dev * dev).sum(axis=1)
    # One row per split, in the C code's order (ascending bit masks of
    # popcount S/2 = combinations of the block indices in colex order).
    masks = sorted(sum(1 << b for b in c)
                   for c in itertools.combinations(range(s), s // 2))
    ins = ((np.array(masks)[:, None] >> np.arange(s)) & 1).astype(float)
    cnt = length * s / 2

    def metric(sel):
        sm, sq = sel @ bsum, sel @ bsq
        mean = sm / cnt
        if kind == "mean":
            return mean + centre
        var = np.maximum((sq - sm * mean) / (cnt - 1), 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (mean + centre) / np.sqrt(var)

    r, rb = metric(ins), metric(1 - ins)
    best = np.argmax(np.where(np.isnan(r), -np.inf, r), axis=1)
    v = rb[np.arange(len(masks)), best][:, None]
    rank = (rb < v).sum(axis=1) + ((rb == v).sum(axis=1) + 1) / 2.0
    w = rank / (n + 1)
    logits = np.log(w / (1 - w))
    print("pbo=%.12g" % (logits <= 0).mean())
    print("splits=%d" % len(logits))
    print("logit_mean=%.12g" % logits.mean())
    print("seconds=%.3f" % (time.perf_counter() - t0))


main()
