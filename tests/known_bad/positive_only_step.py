"""sqrt(xy) = sqrt(x) sqrt(y), valid for x, y > 0, used for all real x, y.

Article: planted error (a step valid only for positive values, without that assumption).
"""
import sympy as sp

from derivcheck import chain, claim

x, y = sp.symbols("x y", real=True)
EXPECT = {"split": (2, "")}


@claim("split", "sqrt(x y) splits into sqrt(x) sqrt(y)")
def split():
    return chain(("start", sp.sqrt(x*y)), ("split the root", sp.sqrt(x)*sp.sqrt(y)))
