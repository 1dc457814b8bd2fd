"""exp(pi sqrt(163)) is not an integer, though it agrees with one to 30 digits' relative precision.

Article: planted error (a value that looks zero at low precision).
"""
import sympy as sp

from derivcheck import claim, identity

EXPECT = {"ramanujan": (1, "")}


@claim("ramanujan", "exp(pi sqrt(163)) = 640320^3 + 744")
def ramanujan():
    return identity(sp.exp(sp.pi*sp.sqrt(163)), sp.Integer(640320)**3 + 744)
