"""An error bar that is the sample standard deviation, not the standard error.

Article: planted error (4 sigma of the spread is five times the claimed value).
"""
import numpy as np

from derivcheck import Estimate, agrees, claim

EXPECT = {"ratio": ("INCONCLUSIVE", "cannot resolve")}


@claim("ratio", "the expected ratio is 0.6 (it is 1.2)", tag="numeric")
def ratio():
    rng = np.random.default_rng(3)
    x = 1.2 + 0.8 * rng.standard_normal(400)
    return agrees(Estimate(float(x.mean()), float(x.std()), "mean with its standard deviation", n=400), 0.6)
