"""A wrong derivative written as an unevaluated Derivative object.

Article: planted error (d/dx x log x is log x + 1, not log x).
"""
import sympy as sp

from derivcheck import claim, identity

x = sp.Symbol("x", positive=True)
EXPECT = {"dxlogx": (1, "")}


@claim("dxlogx", "d/dx (x log x) = log x")
def dxlogx():
    return identity(sp.Derivative(x * sp.log(x), x), sp.log(x))
