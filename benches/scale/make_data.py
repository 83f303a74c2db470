"""Writes a synthetic scale-case index (spec + CSV) for kommunrank benchmarks.

    python3 benches/scale/make_data.py OUT_DIR [UNITS] [INDICATORS]

Defaults: 100,000 units x 50 indicators (the issue's scale case), 5 pillars,
weights 1-3, uniform +-25% weight uncertainty. Values share a common factor
(correlation about 0.36 between indicators), as real indicators do. Seeded:
the same arguments give the same files.
"""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
k = int(sys.argv[3]) if len(sys.argv) > 3 else 50
os.makedirs(out, exist_ok=True)
random.seed(1)
with open(os.path.join(out, "data.csv"), "w") as f:
    f.write("id," + ",".join(f"x{i:02d}" for i in range(k)) + "\n")
    for u in range(n):
        base = random.gauss(0, 1)
        f.write(f"u{u:06d}," + ",".join(
            f"{50 + 10 * (0.6 * base + 0.8 * random.gauss(0, 1)):.4f}" for _ in range(k)) + "\n")
spec = ('[index]\nid = "scale"\n[data]\nfiles = ["data.csv"]\n[units]\nid = "id"\n'
        '[sensitivity.weights]\nmethod = "uniform"\nspread = 0.25\n')
for p in range(5):
    spec += f'[[node]]\nid = "p{p}"\n'
for i in range(k):
    spec += f'[[indicator]]\nid = "x{i:02d}"\nparent = "p{i % 5}"\nweight = {1 + i % 3}\n'
with open(os.path.join(out, "scale.toml"), "w") as f:
    f.write(spec)
