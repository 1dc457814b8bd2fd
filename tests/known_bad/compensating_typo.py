"""A typo at step 2 that step 3 undoes: the end result holds, the error is local.

Article: planted error (a compensating pair of wrong steps).
"""
import sympy as sp

from derivcheck import chain, claim

x = sp.Symbol("x", real=True)
EXPECT = {"local": (2, "")}


@claim("local", "(x+1)^2 - 1 = x^2 + 2x")
def local():
    return chain(("start", (x + 1)**2 - 1),
                 ("expand (typo: +3 for +1)", x**2 + 2*x + 3 - 1),
                 ("simplify", x**2 + 2*x))
