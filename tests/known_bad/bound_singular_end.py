"""A lower bound with the wrong constant on a domain whose end is singular for balls:
x log x >= -1/3 on (0, 1] (the minimum is -1/e = -0.3679 at x = 1/e).

Article: planted error (a rounded constant; boxes touching x = 0 never enclose log x).
"""
import sympy as sp

from derivcheck import bound, claim

x = sp.Symbol("x", positive=True)
EXPECT = {"xlogx": (1, "")}


@claim("xlogx", r"$x\log x\ge-1/3$ for $0<x\le1$")
def xlogx():
    return bound(-sp.Rational(1, 3), x * sp.log(x), domain={x: (0, 1)})
