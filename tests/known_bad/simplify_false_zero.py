"""A nonzero constant that SymPy's simplify reduces to 0 under some hash seeds.

Article: planted error (-180 acos(7823207/7823209)/pi is -0.04097 degrees, not 0).
"""
import sympy as sp

from derivcheck import claim, identity

EXPECT = {"angle": (1, "")}


@claim("angle", "the angle between the two steps is 0 degrees")
def angle():
    return identity(-180 * sp.acos(sp.Rational(7823207, 7823209)) / sp.pi, 0)
