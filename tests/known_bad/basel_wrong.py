"""sum 1/k^2 claimed to be pi^2/8 (the odd-k sum) instead of pi^2/6.

Article: planted error (basel wrong).
"""
import sympy as sp

from derivcheck import claim, identity
k = sp.Symbol("k", positive=True, integer=True)
EXPECT = {"basel": (1, "")}


@claim("basel", "sum_k 1/k^2 = pi^2/8")
def basel():
    return identity(sp.summation(1 / k**2, (k, 1, sp.oo)), sp.pi**2 / 8)
