"""Vieta's substitution with 27 mistyped as 9 in step 3.

Article: planted error (a wrong coefficient).
"""
import sympy as sp

from derivcheck import chain, claim

p, q = sp.symbols("p q", real=True)
w = sp.Symbol("w", positive=True)

EXPECT = {"eq2-3": (3, "p**3")}


@claim("eq2-3", "Vieta's substitution leaves w**3 - p**3/(27 w**3) + q")
def eq2_3():
    return chain(("eq. (1) after x = w - p/(3w)", (w - p/(3*w))**3 + p*(w - p/(3*w)) + q),
                 ("expand", w**3 - p**3/(27*w**3) + q + 0*p),
                 ("the w and 1/w terms cancel (typo: 9 for 27)", w**3 - p**3/(9*w**3) + q))
