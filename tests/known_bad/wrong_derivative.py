"""d/dx sin(x)^2 written as 2 sin(x).

Article: planted error (a wrong derivative).
"""
import sympy as sp

from derivcheck import claim, identity

x = sp.Symbol("x", real=True)
EXPECT = {"deriv": (1, "")}


@claim("deriv", "d/dx sin(x)^2 = 2 sin x")
def deriv():
    return identity(sp.diff(sp.sin(x)**2, x), 2*sp.sin(x))
