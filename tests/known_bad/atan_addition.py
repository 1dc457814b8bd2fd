"""atan x + atan y = atan((x+y)/(1-xy)) fails when xy > 1.

Article: planted error (atan addition).
"""
import sympy as sp

from derivcheck import claim, identity
x, y = sp.symbols("x y", positive=True)
EXPECT = {"atan": (1, "")}


@claim("atan", "atan(x) + atan(y) = atan((x + y)/(1 - x y))")
def atan_claim():
    return identity(sp.atan(x) + sp.atan(y), sp.atan((x + y) / (1 - x * y)))
