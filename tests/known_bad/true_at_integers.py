"""sin(pi x) = 0 at every integer x, not in general.

Article: planted error (true at integers).
"""
import sympy as sp

from derivcheck import claim, identity
x = sp.Symbol("x", real=True)
EXPECT = {"sine": (1, "")}


@claim("sine", "sin(pi x) = 0")
def sine():
    return identity(sp.sin(sp.pi * x), 0)
