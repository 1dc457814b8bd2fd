"""sin 2x = 2 sin x (the false identity hypothesis shrinks to x = 1).

Article: planted error (double angle).
"""
import sympy as sp

from derivcheck import claim, identity
x = sp.Symbol("x", real=True)
EXPECT = {"double": (1, "")}


@claim("double", "sin(2x) = 2 sin(x)")
def double():
    return identity(sp.sin(2 * x), 2 * sp.sin(x))
