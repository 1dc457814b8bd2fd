"""det(A + B) = det A + det B for 2x2 matrices.

Article: planted error (determinant additive).
"""
import sympy as sp

from derivcheck import claim, identity
A = sp.Matrix(2, 2, sp.symbols("a1:5", real=True))
B = sp.Matrix(2, 2, sp.symbols("b1:5", real=True))
EXPECT = {"det": (1, "")}


@claim("det", "det(A + B) = det(A) + det(B)")
def det():
    return identity((A + B).det(), A.det() + B.det())
