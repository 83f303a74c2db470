"""COINr's Treat() default path (winsorise, then log_CT on the original
values), transliterated line by line from COINr's R/treat.R (functions
skew, kurt, check_SkewKurt, winsorise, log_CT, Treat.numeric) so that the
figures in tests/suite/methods.rs can be recomputed without R. Pure Python.

    python3 tests/reference/coinr_treat.py
"""
import math


def skew(x):  # e1071 type 2 = Excel SKEW
    n = len(x)
    m = sum(x) / n
    d = [v - m for v in x]
    y = math.sqrt(n) * sum(v**3 for v in d) / (sum(v**2 for v in d) ** 1.5)
    return y * math.sqrt(n * (n - 1)) / (n - 2)


def kurt(x):  # e1071 type 2 = Excel KURT
    n = len(x)
    m = sum(x) / n
    d = [v - m for v in x]
    r = n * sum(v**4 for v in d) / (sum(v**2 for v in d) ** 2)
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def check(x, st=2.0, kt=3.5):
    return abs(skew(x)) < st or kurt(x) < kt


def winsorise(x, winmax=5, st=2.0, kt=3.5):
    x = list(x)
    passing = check(x, st, kt)
    nwin = 0
    imax = imin = []
    while (not passing) and nwin < winmax:
        if skew(x) >= 0:
            mx = max(x)
            imax = [i for i, v in enumerate(x) if v == mx]
            nxt = max(v for i, v in enumerate(x) if i not in imax)
            for i in imax:
                x[i] = nxt
        else:
            mn = min(x)
            imin = [i for i, v in enumerate(x) if v == mn]
            nxt = min(v for i, v in enumerate(x) if i not in imin)
            for i in imin:
                x[i] = nxt
        nwin = len(imax) + len(imin)
        passing = check(x, st, kt)
    return x, nwin


def log_ct(x):
    lo, hi = min(x), max(x)
    return [math.log(v - lo + 0.01 * (hi - lo)) for v in x]


def treat(x, winmax=5, st=2.0, kt=3.5):
    if check(x, st, kt):
        return "none", list(x)
    x1, nwin = winsorise(x, winmax, st, kt)
    if check(x1, st, kt):
        return "winsorised", x1
    return "log", log_ct(x)


CASES = {
    # the side follows the current skewness: one step high, then two low
    "side": list(range(1, 16)) + [-54, 311, -36],
    # max_points counts distinct units: 4 units in 4 steps with winmax 5
    "distinct": list(range(1, 35)) + [137, 151, 158, 302],
    # the log fallback: log_CT of the original values
    "log": [1, 2, 3, 4, 5, 6, 7, 8, 9, 100],
}

if __name__ == "__main__":
    for name, x in CASES.items():
        print(name, "skew", repr(skew(x)), "kurt", repr(kurt(x)))
        for winmax in (5, 1, 0):
            action, y = treat(x, winmax)
            print("  winmax", winmax, action, [repr(v) for v in y])
