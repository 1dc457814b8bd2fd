"""A square with the sign of the cross term flipped.

Article: planted error (a sign flip).
"""
import sympy as sp

from derivcheck import claim, identity

a, b = sp.symbols("a b", real=True)
EXPECT = {"square": (1, "a*b")}


@claim("square", "(a + b)^2 = a^2 - 2ab + b^2")
def square():
    return identity((a + b)**2, a**2 - 2*a*b + b**2)
