"""exp(-1000) = 0: an absolute tolerance would pass it; relative differences do not.

Article: planted error (tiny exponential).
"""
import sympy as sp

from derivcheck import claim, identity
EXPECT = {"tiny": (1, "")}


@claim("tiny", "exp(-1000) = 0")
def tiny():
    return identity(sp.exp(-1000), 0)
