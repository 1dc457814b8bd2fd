"""An additive mask of -10000 called exactly equal to the hard mask.

Article: planted error (the sides differ by e^-10000 relative, far below any working precision).
"""
import sympy as sp

from derivcheck import claim, identity

a, b, c = sp.symbols("a b c", real=True)
EXPECT = {"mask": (1, "")}


@claim("mask", "softmax with an additive -10000 mask equals the hard mask exactly")
def mask():
    soft = sp.exp(a) / (sp.exp(a) + sp.exp(b) + sp.exp(c - 10000))
    hard = sp.exp(a) / (sp.exp(a) + sp.exp(b))
    return identity(soft, hard)
