"""A general statement checked exactly on a few instances: CONFIRMED, never PROVED.

Article: planted error (n^2 - n + 41 is prime for n = 1..3; not for n = 41).
"""
import sympy as sp

from derivcheck import claim, identity

EXPECT = {"euler": ("NOT_PROVED", "exact on 3 instances")}


@claim("euler", "n^2 - n + 41 has no divisor below 41 for every n (checked at n = 1, 2, 3)",
       scope="instances", expected="PROVED")
def euler():
    return [identity(sp.Integer(min(sp.divisors(n * n - n + 41)[1:])), sp.Integer(n * n - n + 41))
            for n in (1, 2, 3)]
