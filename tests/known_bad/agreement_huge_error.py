"""A Monte Carlo agreement whose standard error is larger than the gap it should detect.

Article: planted error (20 samples cannot tell a mean of 1.5 from the claimed 1.0).
"""
import numpy as np

from derivcheck import Estimate, agrees, claim

EXPECT = {"mean": ("INCONCLUSIVE", "cannot resolve")}


@claim("mean", "the mean of the payoff is 1.0 (it is 1.5)", tag="numeric")
def mean():
    rng = np.random.default_rng(7)
    samples = 1.5 + 6.5 * rng.standard_normal(20)       # SE ~ 1.45 > the 0.5 gap
    return agrees(Estimate.from_samples(samples, "20 draws", seed=7), 1.0)
