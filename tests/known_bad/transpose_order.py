"""(AB)^T = A^T B^T for 2x2 matrices (the order is reversed in truth).

Article: planted error (a wrong matrix identity).
"""
import sympy as sp

from derivcheck import claim, identity

A = sp.Matrix(2, 2, sp.symbols("a0:4", real=True))
B = sp.Matrix(2, 2, sp.symbols("b0:4", real=True))
EXPECT = {"transpose": (1, "")}


@claim("transpose", "(AB)^T = A^T B^T")
def transpose():
    return identity((A*B).T, A.T*B.T)
