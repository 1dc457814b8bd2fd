"""A claim supported only by a consistency check: a quantity against itself by the same route.

Article: planted error (no independent route).
"""
import mpmath as mp

from derivcheck import Estimate, agrees, claim

EXPECT = {"same": ("INCONCLUSIVE", "consistency")}


def engine(x):
    return mp.sin(x) ** 2


@claim("same", "the engine's value at 0.3 is sin(0.3)^2", tag="numeric")
def same():
    with mp.workdps(30):
        return agrees(Estimate(engine(mp.mpf("0.3")), 0, "engine", 30), engine(mp.mpf("0.3")),
                      atol=mp.mpf(10) ** -25, consistency=True)
