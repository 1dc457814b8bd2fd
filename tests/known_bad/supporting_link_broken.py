"""An expected-REFUTED claim whose reference link is broken: the finding cannot hide it.

Article: planted error (the engine check compares with a wrong reference).
"""
import sympy as sp

from derivcheck import claim, identity

x = sp.Symbol("x", positive=True)
EXPECT = {"finding": ("NOT_OK", "supporting link 1")}


@claim("finding", "sqrt(x^2) = -x for positive x (false), with a reference that is also wrong",
       expected="REFUTED", finding="article-error", why="sqrt(x^2) = x for x > 0")
def finding():
    return [identity(sp.sqrt(x**2), x + 1, label="reference"),
            identity(sp.sqrt(x**2), -x, label="the finding", expect="REFUTED")]
