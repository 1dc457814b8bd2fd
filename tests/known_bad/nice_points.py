"""A false identity that holds at x = 0, 1, 2, 3.

Article: planted error (true at a few nice points only).
"""
import sympy as sp

from derivcheck import claim, identity

x = sp.Symbol("x", real=True)
EXPECT = {"nice": (1, "")}


@claim("nice", "sin(pi x) x (x-1)(x-2)(x-3) + x = x")
def nice():
    return identity(sp.sin(sp.pi*x)*x*(x - 1)*(x - 2)*(x - 3) + x, x)
