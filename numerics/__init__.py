"""High-precision engines. Depends on mpmath and numpy only; imports nothing of the project.

Every engine returns an ``Estimate`` (value, error, method, dps, n, seed).
"""
from .estimate import Estimate
from .montecarlo import sample_mean
from .precision import DEFAULT_DPS, MAX_DPS, digits, rel_diff, rtol_for

__all__ = ["DEFAULT_DPS", "Estimate", "MAX_DPS", "digits", "rel_diff", "rtol_for", "sample_mean"]
