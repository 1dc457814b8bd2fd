"""d/dx x^n = n x^(n+1) (exponent typo) in a chain.

Article: planted error (power rule).
"""
import sympy as sp

from derivcheck import chain, claim
x = sp.Symbol("x", positive=True)
n = sp.Symbol("n", positive=True, integer=True)
EXPECT = {"power-rule": (2, "")}


@claim("power-rule", "d/dx x^n = n x^(n-1)")
def power_rule():
    return chain(("derivative", sp.diff(x**n, x)), ("as printed", n * x**(n + 1)))
