"""sum_{k=1}^n k written as n(n-1)/2.

Article: planted error (off by one sum).
"""
import sympy as sp

from derivcheck import claim, identity
n = sp.Symbol("n", positive=True, integer=True)
k = sp.Symbol("k", positive=True, integer=True)
EXPECT = {"sum": (1, "")}


@claim("sum", "sum_{k=1}^n k = n(n-1)/2")
def sum_claim():
    return identity(sp.summation(k, (k, 1, n)), n * (n - 1) / 2)
