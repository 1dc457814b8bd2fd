"""(a^b)^c = a^(bc) for complex a: false off the principal branch.

Article: planted error (branch cut power).
"""
import sympy as sp

from derivcheck import claim, identity
a = sp.Symbol("a")
b, c = sp.Rational(2), sp.Rational(1, 2)
EXPECT = {"power": (1, "")}


@claim("power", "(a**2)**(1/2) = a for complex a")
def power():
    return identity((a**b)**c, a**(b * c))
