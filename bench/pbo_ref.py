#!/usr/bin/env python3
"""bench/pbo_ref.py MATRIX.csv S METRIC: the numpy reference of CSCV PBO for
bench/pbo.sh, written from the definition in qgtm-stats(1) (Bailey,
Borwein, Lopez de Prado and Zhu 2017; the pypbo conventions): the first
T mod S rows dropped, S contiguous blocks, every choice of S/2 blocks as
in-sample; the first best in-sample column ranked out of sample with
average ranks for ties; w = rank / (N + 1); PBO = share of logit <= 0.
Each half is a fresh slice of the rows, so nothing is shared with the C
code's block sums. Prints pbo=, splits= and the time taken."""
import itertools
import sys
import time

import numpy as np


def metric(x, kind):
    m = x.mean(axis=0)
    return m if kind == "mean" else m / x.std(axis=0, ddof=1)


def main():
    path, s, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    m = np.loadtxt(path, delimiter=",", ndmin=2)
    t0 = time.perf_counter()
    t, n = m.shape
    m = m[t % s:]
    blocks = np.array_split(m, s)
    logits = []
    for ins in itertools.combinations(range(s), s // 2):
        oos = [b for b in range(s) if b not in ins]
        r = metric(np.vstack([blocks[b] for b in ins]), kind)
        rb = metric(np.vstack([blocks[b] for b in oos]), kind)
        best = int(np.argmax(r))
        v = rb[best]
        rank = (rb < v).sum() + ((rb == v).sum() + 1) / 2.0
        w = rank / (n + 1)
        logits.append(np.log(w / (1 - w)))
    logits = np.array(logits)
    pbo = (logits <= 0).mean()
    print("pbo=%.12g" % pbo)
    print("splits=%d" % len(logits))
    print("logit_mean=%.12g" % logits.mean())
    print("seconds=%.3f" % (time.perf_counter() - t0))


main()
