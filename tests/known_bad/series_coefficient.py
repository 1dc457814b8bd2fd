"""the x^3 coefficient of exp(x) typed as 1/3 instead of 1/6.

Article: planted error (series coefficient).
"""
import sympy as sp

from derivcheck import claim, identity
x = sp.Symbol("x", real=True)
EXPECT = {"series": (1, "x**3")}


@claim("series", "exp(x) = 1 + x + x^2/2 + x^3/3 + O(x^4)")
def series():
    return identity(sp.series(sp.exp(x), x, 0, 4).removeO(), 1 + x + x**2 / 2 + x**3 / 3)
