"""2^-99 x taken for 2^-98 x: an absolute tolerance would pass it.

Article: planted error (a tiny-value false positive).
"""
import sympy as sp

from derivcheck import claim, identity

x = sp.Symbol("x", positive=True)
EXPECT = {"tiny": (1, "")}


@claim("tiny", "x / 2^99 = x / 2^98")
def tiny():
    return identity(x/sp.Integer(2)**99, x/sp.Integer(2)**98)
