"""Var(U) = 1/6 for U uniform on (0, 1) (it is 1/12), 50 000 samples.

Article: planted error (wrong variance).
"""
import numpy as np

from derivcheck import agrees, claim
from numerics import sample_mean

EXPECT = {"var": (1, "")}


@claim("var", "Var U = 1/6", tag="numeric")
def var():
    rng = np.random.default_rng(5)
    u = rng.random(50_000)
    return agrees(sample_mean((u - 0.5) ** 2, "mean of (U - 1/2)^2", 5), 1 / 6)
