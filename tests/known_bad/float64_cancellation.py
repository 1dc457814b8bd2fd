"""(1 - cos x)/x^2 = 1/2 near 0, evaluated in float64: cancellation gives 0 at x = 1e-8.

Article: planted error (float64 cancellation).
"""
import math

from derivcheck import Estimate, agrees, claim

EXPECT = {"cancel": (1, "")}


@claim("cancel", "(1 - cos x)/x^2 -> 1/2: the float64 value at x = 1e-8", tag="numeric")
def cancel():
    x = 1e-8
    return agrees(Estimate((1 - math.cos(x)) / x**2, 0, "float64"), 0.5, rtol=1e-6)
