"""A claim whose code never returns: stopped at its limit, the next claim still runs.

Article: planted error (a search loop without an exit).
"""
import sympy as sp

from derivcheck import claim, identity

x = sp.Symbol("x", real=True)
EXPECT = {"before": ("PASS", ""), "loops": ("INCONCLUSIVE", "limit of 0.5 s"), "after": ("PASS", "")}


@claim("before", "(x+1)^2 = x^2 + 2x + 1")
def before():
    return identity((x + 1)**2, x**2 + 2*x + 1)


@claim("loops", "a root is found by a search", limit=0.5)
def loops():
    k = 0
    while True:
        k += 1


@claim("after", "(x-1)^2 = x^2 - 2x + 1")
def after():
    return identity((x - 1)**2, x**2 - 2*x + 1)
