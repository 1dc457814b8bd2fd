"""A cube with one term of the binomial expansion dropped.

Article: planted error (a dropped term).
"""
import sympy as sp

from derivcheck import chain, claim

a, b = sp.symbols("a b")
EXPECT = {"cube": (2, "a*b**2")}


@claim("cube", "(a + b)^3 expands to a^3 + 3a^2 b + 3 a b^2 + b^3")
def cube():
    return chain(("the cube", (a + b)**3), ("expanded (3ab^2 dropped)", a**3 + 3*a**2*b + b**3))
