"""int_0^oo x e^-x dx claimed to be 2 (it is 1).

Article: planted error (wrong integral constant).
"""
import sympy as sp

from derivcheck import claim, identity
x = sp.Symbol("x", positive=True)
EXPECT = {"integral": (1, "")}


@claim("integral", "int_0^oo x exp(-x) dx = 2")
def integral():
    return identity(sp.integrate(x * sp.exp(-x), (x, 0, sp.oo)), 2)
