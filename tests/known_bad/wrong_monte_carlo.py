"""The mean of U(0,1) claimed to be 0.53: 20 000 samples (standard error 0.002) put it 15
standard errors away.

Article: planted error (a wrong Monte Carlo claim).
"""
import numpy as np

from derivcheck import agrees, claim
from numerics import sample_mean

EXPECT = {"mean": (1, "")}


@claim("mean", "E[U] = 0.53 for U uniform on (0, 1)", tag="numeric")
def mean():
    rng = np.random.default_rng(1)
    return agrees(sample_mean(rng.random(20_000), "mean of U(0,1) samples", 1), 0.53)
