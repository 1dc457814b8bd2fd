"""pi = 355/113, true to 7 digits: float64 agreement is not a proof.

Article: planted error (pi approximation).
"""
import sympy as sp

from derivcheck import claim, identity
EXPECT = {"pi": (1, "")}


@claim("pi", "pi = 355/113")
def pi_claim():
    return identity(sp.pi, sp.Rational(355, 113))
