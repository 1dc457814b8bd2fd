"""The one record every numeric engine returns: a value together with its error."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Estimate:
    """A numeric result and how far it can be trusted.

    ``error`` is a standard error (Monte Carlo), a quadrature or truncation bound, or 0 for a
    value computed exactly; ``dps`` is the working precision (None for float64), ``n`` the
    sample size and ``seed`` the seed of a random engine.

    >>> Estimate(0.5, 0.01, "binomial proportion", n=2500, seed=1).describe()
    '0.5 ± 0.01 (binomial proportion, n=2500, seed=1)'
    """

    value: Any
    error: Any = 0
    method: str = ""
    dps: int | None = None
    n: int | None = None
    seed: int | None = None
    error_source: str = "supplied"   # "supplied" by the caller, or how the engine computed it

    @classmethod
    def from_samples(cls, samples, method: str, seed: int | None = None) -> "Estimate":
        """The mean of i.i.d. samples with its standard error s/sqrt(n), computed here.

        >>> e = Estimate.from_samples([1.0, 2.0, 3.0, 4.0], "demo", seed=3)
        >>> (e.value, round(e.error, 4), e.n, e.error_source)
        (2.5, 0.6455, 4, 'standard error of the mean of 4 samples')
        """
        import numpy as np
        x = np.asarray(samples, dtype=float).ravel()
        if x.size < 2:
            raise ValueError(f"Estimate.from_samples needs at least 2 samples, got n={x.size}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"Estimate.from_samples: {int((~np.isfinite(x)).sum())} samples are not finite")
        se = float(x.std(ddof=1) / np.sqrt(x.size))
        return cls(float(x.mean()), se, method, None, int(x.size), seed,
                   f"standard error of the mean of {x.size} samples")

    @classmethod
    def from_series(cls, series, method: str, seed: int | None = None, batches: int = 20) -> "Estimate":
        """The mean of an autocorrelated series with a batch-means standard error: the series is
        cut into ``batches`` contiguous batches whose means are treated as independent (valid when
        a batch is much longer than the correlation time).

        >>> e = Estimate.from_series([0.0, 1.0] * 50, "alternating", batches=10)
        >>> (e.value, e.error, e.error_source)
        (0.5, 0.0, 'batch means: 10 batches of 10')
        """
        import numpy as np
        x = np.asarray(series, dtype=float).ravel()
        if batches < 2 or x.size < 2 * batches:
            raise ValueError(f"Estimate.from_series: {x.size} values cannot make {batches} batches "
                             "of at least 2; give a longer series or fewer batches")
        m = x.size // batches
        means = x[: m * batches].reshape(batches, m).mean(axis=1)
        se = float(means.std(ddof=1) / np.sqrt(batches))
        return cls(float(means.mean()), se, method, None, int(m * batches), seed,
                   f"batch means: {batches} batches of {m}")

    def describe(self) -> str:
        from .precision import fmt

        parts = [self.method] if self.method else []
        parts += [f"{k}={v}" for k, v in (("dps", self.dps), ("n", self.n), ("seed", self.seed))
                  if v is not None]
        err = f" ± {fmt(self.error, 3)}" if self.error else ""
        return f"{fmt(self.value)}{err} ({', '.join(parts)})"

    def error_text(self) -> str:
        """Where the error came from: computed by the engine, or supplied by the author."""
        if self.error_source == "supplied":
            return "error supplied by the caller (not computed by the checker)"
        return f"error computed: {self.error_source}"
