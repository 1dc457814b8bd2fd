"""(-1)^(2n) = 1 needs an integer n; n is only real here.

Article: planted error (integer power of minus one).
"""
import sympy as sp

from derivcheck import claim, identity
n = sp.Symbol("n", real=True)                  # integer=True was meant
EXPECT = {"parity": (1, "")}


@claim("parity", "(-1)**(2n) = 1")
def parity():
    return identity((-1) ** (2 * n), 1)
