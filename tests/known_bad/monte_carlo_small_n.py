"""E[U] = 0.53 checked with 40 samples: within 2 standard errors, so a plain z-test would pass it; the claim states the resolution it needs and the checker declines to decide.

Article: planted error (monte carlo small n).
"""
import numpy as np

from derivcheck import agrees, claim
from numerics import sample_mean

EXPECT = {"mean-small-n": ("INCONCLUSIVE", 1)}


@claim("mean-small-n", "E[U] = 0.53 for U uniform on (0, 1), from 40 samples", tag="numeric")
def mean_small_n():
    rng = np.random.default_rng(3)
    return agrees(sample_mean(rng.random(40), "mean of U(0,1) samples", 3), 0.53, max_error=0.005)
