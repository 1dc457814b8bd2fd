"""the small root of x^2 + 1e8 x + 1 by the textbook formula in float64.

Article: planted error (float64 quadratic root).
"""
import math

import mpmath as mp

from derivcheck import Estimate, agrees, claim

EXPECT = {"root": (1, "")}


@claim("root", "(-b + sqrt(b^2 - 4ac))/(2a) gives the small root of x^2 + 1e8 x + 1 to 1e-10", tag="numeric")
def root():
    b = 1e8
    naive = (-b + math.sqrt(b * b - 4)) / 2
    with mp.workdps(40):
        exact = (-mp.mpf(b) + mp.sqrt(mp.mpf(b) ** 2 - 4)) / 2
    return agrees(Estimate(naive, 0, "float64 textbook formula"), exact, rtol=1e-10)
