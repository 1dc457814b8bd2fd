"""Monte Carlo means with standard errors."""
from __future__ import annotations

import numpy as np

from .estimate import Estimate


def sample_mean(samples, method: str, seed: int) -> Estimate:
    """Mean of i.i.d. samples with its standard error s/sqrt(n).

    >>> sample_mean([1.0, 2.0, 3.0], "demo", 0).value
    2.0
    """
    x = np.asarray(samples, dtype=float)
    n = x.size
    if n < 2:
        raise ValueError(f"sample_mean needs at least 2 samples, got n={n}")
    return Estimate(float(x.mean()), float(x.std(ddof=1) / np.sqrt(n)), method, None, n, seed,
                    f"standard error of the mean of {n} samples")
