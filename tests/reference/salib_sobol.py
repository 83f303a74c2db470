"""Figures for analyze.rs::sobol_point_estimates_equal_salibs: SALib 1.6 sobol.analyze
(calc_second_order=False) estimators on fixed outputs, laid out and centred as analyze() does.

    pip install SALib==1.6.0 && python3 tests/reference/salib_sobol.py
"""
import numpy as np, math
from SALib.analyze.sobol import first_order, total_order, separate_output_values
N, D = 16, 3
ya = [100 + math.sin(j) + 0.5 * math.cos(3 * j) for j in range(N)]
yb = [100 + math.cos(j) * 2 + 0.1 * j for j in range(N)]
yab = [[100 + math.sin(j + i) + 0.3 * i * math.cos(j) for j in range(N)] for i in range(D)]
# SALib's layout: rows A, AB_1..AB_D, B per base point
Y = []
for j in range(N):
    Y.append(ya[j]); Y += [yab[i][j] for i in range(D)]; Y.append(yb[j])
Y = np.array(Y)
Y = (Y - Y.mean()) / Y.std()
A, B, AB, BA = separate_output_values(Y, D, N, False)
for i in range(D):
    print(repr(float(first_order(A, AB[:, i], B))), repr(float(total_order(A, AB[:, i], B))))
