#!/usr/bin/env python3
"""The W1 Monte Carlo workload as a researcher would write it in numpy:
minmax-normalise once, perturb every node's weights by +-25% (uniform,
re-normalised), effective weights as products down the tree, scores as one
matrix product per chunk of runs, competition ranks by argsort, exact
per-unit rank histograms with bincount.

    python3 benches/baseline/mc_numpy.py [RUNS]

Prints runs per second. Reads benches/w1_data.csv and uses the hierarchy of
benches/w1.toml (6 pillars, 2 dimensions), written out below.
"""
import sys
import time
from pathlib import Path

import numpy as np

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CHUNK = 1024
here = Path(__file__).resolve().parent.parent
raw = np.genfromtxt(here / "w1_data.csv", delimiter=",", skip_header=1)[:, 1:]
n, k = raw.shape
z = 100 * (raw - raw.min(0)) / (raw.max(0) - raw.min(0))

# Hierarchy of benches/w1.toml: indicator j -> pillar j % 6 (weight 1 + j % 2),
# pillar p -> dimension p % 2 (weight 1 + p % 3), dimensions weight 1.
ind_w = np.array([1 + j % 2 for j in range(k)], float)
pil_of = np.array([j % 6 for j in range(k)])
pil_w = np.array([1 + p % 3 for p in range(6)], float)
dim_of = np.array([p % 2 for p in range(6)])
dim_w = np.ones(2)

rng = np.random.default_rng(1)
hist = np.zeros((n, n), np.int64)


def shares(w, groups, ngroups):
    sums = np.zeros((w.shape[0], ngroups))
    for g in range(ngroups):
        sums[:, g] = w[:, groups == g].sum(1)
    return w / sums[:, groups]


start = time.perf_counter()
done = 0
while done < RUNS:
    r = min(CHUNK, RUNS - done)
    wi = ind_w * rng.uniform(0.75, 1.25, (r, k))
    wp = pil_w * rng.uniform(0.75, 1.25, (r, 6))
    wd = dim_w * rng.uniform(0.75, 1.25, (r, 2))
    eff = shares(wi, pil_of, 6) * shares(wp, dim_of, 2)[:, pil_of] * (wd / wd.sum(1, keepdims=True))[:, dim_of[pil_of]]
    scores = eff @ z.T  # r x n
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    ranks[np.arange(r)[:, None], order] = np.arange(1, n + 1)
    # Competition ties: units with equal scores share the best rank.
    sorted_scores = np.take_along_axis(scores, order, 1)
    tie = np.concatenate([np.zeros((r, 1), bool), sorted_scores[:, 1:] == sorted_scores[:, :-1]], 1)
    pos = np.where(tie, 0, np.arange(1, n + 1))
    best = np.maximum.accumulate(pos, axis=1)
    ranks[np.arange(r)[:, None], order] = best
    for u in range(n):
        hist[u] += np.bincount(ranks[:, u] - 1, minlength=n)
    done += r
elapsed = time.perf_counter() - start
print(f"numpy baseline: {RUNS} runs in {elapsed:.3f} s = {RUNS / elapsed:,.0f} runs/s ({n} units x {k} indicators)")
