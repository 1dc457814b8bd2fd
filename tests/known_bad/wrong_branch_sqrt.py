"""sqrt(x^2) = x taken without x >= 0.

Article: planted error (a wrong branch of a square root).
"""
import sympy as sp

from derivcheck import claim, identity

x = sp.Symbol("x", real=True)
EXPECT = {"root": (1, "")}


@claim("root", "sqrt(x^2) = x for real x")
def root():
    return identity(sp.sqrt(x**2), x)
