"""A tight bound stated strictly: 2x < x^2 + 1 for all real x (equality at x = 1).

Article: planted error (AM-GM holds with equality at x = 1, so the strict form is false).
"""
import sympy as sp

from derivcheck import bound, claim

x = sp.Symbol("x", real=True)
EXPECT = {"strict": (1, "")}


@claim("strict", r"$2x < x^2 + 1$ for all real $x$")
def strict():
    return bound(2 * x, x**2 + 1, strict=True)
