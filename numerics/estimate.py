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

    def describe(self) -> str:
        from .precision import fmt

        parts = [self.method] if self.method else []
        parts += [f"{k}={v}" for k, v in (("dps", self.dps), ("n", self.n), ("seed", self.seed))
                  if v is not None]
        err = f" ± {fmt(self.error, 3)}" if self.error else ""
        return f"{fmt(self.value)}{err} ({', '.join(parts)})"
