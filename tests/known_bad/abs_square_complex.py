"""|x|^2 = x^2 holds for real x only; the symbol was left complex.

Article: planted error (abs square complex).
"""
import sympy as sp

from derivcheck import claim, identity
x = sp.Symbol("x")                              # the assumption real=True was forgotten
EXPECT = {"abs": (1, "")}


@claim("abs", "Abs(x)**2 = x**2")
def abs_claim():
    return identity(sp.Abs(x)**2, x**2)
