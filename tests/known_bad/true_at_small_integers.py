"""x^3 = x holds at -1, 0, 1 only: a check at "nice" points would pass it.

Article: planted error (true at small integers).
"""
import sympy as sp

from derivcheck import claim, identity
x = sp.Symbol("x", real=True)
EXPECT = {"cube": (1, "x**3")}


@claim("cube", "x**3 = x")
def cube():
    return identity(x**3, x)
