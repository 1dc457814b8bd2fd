"""Precision as data: the dps ladder, tolerances keyed by dps, digits of agreement.

Users speak in decimal digits (``dps``); every tolerance derives from one rule, mpmath's
``rtol = 10**-(dps-5)``, kept here as data so that no check carries its own magic number.
"""
from __future__ import annotations

import math

import mpmath as mp

DEFAULT_DPS = (30, 60)          # the ladder every identity is evaluated on
MAX_DPS = 240                   # undecided residuals are re-evaluated up to this precision
GUARD_DIGITS = 5                # digits a tolerance leaves for rounding in the evaluation

# Derived tolerances, for reference in reports: rtol at each rung of the usual ladder.
RTOL = {dps: 10.0 ** -(dps - GUARD_DIGITS) for dps in (15, 30, 50, 60, 80, 100, 120, 240)}


def rtol_for(dps: int) -> mp.mpf:
    """Relative tolerance at ``dps`` digits.

    >>> float(rtol_for(30))
    1e-25
    """
    if dps <= GUARD_DIGITS:
        raise ValueError(f"dps={dps} leaves no digits after {GUARD_DIGITS} guard digits; use dps > 5")
    return mp.mpf(10) ** -(dps - GUARD_DIGITS)


def rel_diff(a, b):
    """|a - b| / max(|a|, |b|), 0 when both are 0 (relative, so 2**-99 vs 2**-98 is 1/2).

    >>> float(rel_diff(mp.mpf(2)**-99, mp.mpf(2)**-98))
    0.5
    """
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale else mp.mpf(0)


def digits(rel) -> float:
    """Decimal digits of agreement for a relative difference (inf for an exact match).

    >>> digits(1e-12)
    12.0
    """
    rel = float(rel)
    return math.inf if rel == 0 else round(-math.log10(rel), 1)


def fmt(x, n: int = 30) -> str:
    """A number for humans: ``mp.nstr`` at ``n`` digits, with complex numbers kept readable."""
    if isinstance(x, (int,)) or x is None:
        return str(x)
    if isinstance(x, float):                # float64: 12 digits, the ones every platform agrees on
        return mp.nstr(mp.mpf(x), min(n, 12))
    if isinstance(x, complex):
        x = mp.mpc(x)                      # exact: a double fits any precision
    if isinstance(x, mp.mpc):
        return mp.nstr(x.real, n) if x.imag == 0 else mp.nstr(x, n)
    if isinstance(x, mp.mpf):
        return mp.nstr(x, n)
    return str(x)


def stable(x, digits: int = 10, noise: float | None = None) -> str:
    """A float64 result printed only to the digits every platform agrees on: ``digits``
    significant digits, and below ``noise`` (rounding noise, e.g. 1e-13 for values of order 1) a
    bound instead of digits, so a different BLAS kernel cannot change the report.

    >>> stable(2.9999999999999916), stable(-3.6e-19, noise=1e-12), stable(0.0024, 3)
    ('3', '|x| < 1e-12', '0.0024')
    """
    x = float(x)
    if noise is not None and abs(x) < noise:
        return f"|x| < {noise:.0e}".replace("e-0", "e-")
    return f"{x:.{digits}g}"


def sci(x) -> str:
    """Three significant digits, the way differences are shown: ``7.41e-2``.

    >>> sci(0.0741)
    '7.41e-2'
    """
    x = float(x)
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    mant, exp = f"{x:.2e}".split("e")
    return f"{mant}e{int(exp)}"
