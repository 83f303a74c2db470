#!/usr/bin/env python3
"""The W1 Monte Carlo workload in numpy, written for speed: the strongest
baseline we could write (issue 21). Against mc_numpy.py (a researcher's
first version) it takes chunks of 4,096 runs, ranks every run of a chunk
with one argsort, counts all the chunk's rank histograms with one
bincount over flat (unit, rank) indices instead of a loop over units, and
also computes the per-run mean absolute rank shift and Spearman's rho (no
ties in W1: 1 - 6 sum d^2 / (n (n^2 - 1))), whose quantiles it takes over
all runs. It does not compute Kendall's tau or top-k stability.

    python3 benches/baseline/mc_numpy_fast.py [RUNS]

Leave OPENBLAS_CORETYPE unset so that OpenBLAS picks its own kernel.
Prints runs per second.
"""
import sys
import time
from pathlib import Path

import numpy as np

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
CHUNK = 4096
here = Path(__file__).resolve().parent.parent
raw = np.genfromtxt(here / "w1_data.csv", delimiter=",", skip_header=1)[:, 1:]
n, k = raw.shape
z = 100 * (raw - raw.min(0)) / (raw.max(0) - raw.min(0))

# Hierarchy of benches/w1.toml (see mc_numpy.py).
ind_w = np.array([1 + j % 2 for j in range(k)], float)
pil_of = np.array([j % 6 for j in range(k)])
pil_w = np.array([1 + p % 3 for p in range(6)], float)
dim_of = np.array([p % 2 for p in range(6)])
dim_w = np.ones(2)
# Group-sum matrices: shares by one matrix product.
pil_sum = (pil_of[:, None] == np.arange(6)[None, :]).astype(float)  # k x 6
dim_sum = (dim_of[:, None] == np.arange(2)[None, :]).astype(float)  # 6 x 2

rng = np.random.default_rng(1)
hist = np.zeros(n * n, np.int64)
flat_base = (np.arange(n) * n)[None, :]

# Nominal ranks (competition; W1 has no ties).
eff0 = (ind_w / (ind_w @ pil_sum)[pil_of]) * (pil_w / (pil_w @ dim_sum)[dim_of])[pil_of] * 0.5
nominal = np.empty(n, np.int64)
nominal[np.argsort(-(z @ eff0), kind="stable")] = np.arange(1, n + 1)

shifts, rhos = [], []
start = time.perf_counter()
done = 0
while done < RUNS:
    r = min(CHUNK, RUNS - done)
    wi = ind_w * rng.uniform(0.75, 1.25, (r, k))
    wp = pil_w * rng.uniform(0.75, 1.25, (r, 6))
    wd = dim_w * rng.uniform(0.75, 1.25, (r, 2))
    si = wi / (wi @ pil_sum)[:, pil_of]
    sp = wp / (wp @ dim_sum)[:, dim_of]
    sd = wd / wd.sum(1, keepdims=True)
    eff = si * sp[:, pil_of] * sd[:, dim_of[pil_of]]
    scores = eff @ z.T  # r x n
    order = np.argsort(-scores, axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, n + 1)[None, :], axis=1)
    hist += np.bincount((flat_base + ranks - 1).ravel(), minlength=n * n)
    d = ranks - nominal[None, :]
    shifts.append(np.abs(d).mean(1))
    rhos.append(1 - 6 * (d * d).sum(1) / (n * (n * n - 1)))
    done += r
shift = np.concatenate(shifts)
rho = np.concatenate(rhos)
q = np.quantile(shift, [0.05, 0.5, 0.95]), np.quantile(rho, [0.05, 0.5, 0.95])
elapsed = time.perf_counter() - start
print(
    f"numpy baseline (fast): {RUNS} runs in {elapsed:.3f} s = {RUNS / elapsed:,.0f} runs/s "
    f"({n} units x {k} indicators; mean |shift| {shift.mean():.3f})"
)
