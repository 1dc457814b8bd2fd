"""log(exp(z)) = z for complex z: false once |Im z| > pi.

Article: planted error (log of exp).
"""
import sympy as sp

from derivcheck import claim, identity
z = sp.Symbol("z")
EXPECT = {"log-exp": (1, "")}


@claim("log-exp", "log(exp(z)) = z", domain={z: ["0.5+4j", "1-5j"]})
def log_exp():
    return identity(sp.log(sp.exp(z)), z)
