"""log(a b) = log a + log b for complex a, b: the principal branch breaks it.

Article: planted error (branch cut log).
"""
import sympy as sp

from derivcheck import claim, identity
a, b = sp.symbols("a b")                       # complex: nothing forbids Im log a + Im log b > pi
EXPECT = {"log-product": (1, "")}


@claim("log-product", "log(a*b) = log(a) + log(b)")
def log_product():
    return identity(sp.log(a * b), sp.log(a) + sp.log(b))
