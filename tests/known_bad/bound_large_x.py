"""A bound that holds on every naive grid and fails only far out: log(1 + x^2) <= 12.

Article: planted error (true for |x| < 403.4, false beyond: e^12 - 1 = x^2).
"""
import sympy as sp

from derivcheck import bound, claim

x = sp.Symbol("x", real=True)
EXPECT = {"far": (1, "")}


@claim("far", r"$\log(1 + x^2) \le 12$ for all real $x$")
def far():
    return bound(sp.log(1 + x**2), 12)
