"""Small helpers for report sections: a headless pyplot and numbers printed without rounding."""
from __future__ import annotations

import mpmath as mp


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display; deterministic PNGs via report.figure_bytes)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def nstr(x, k: int = 6) -> str:
    """``k`` digits of a number; an mpf keeps its own precision (never rounded to 15 digits first).

    >>> nstr(mp.mpf(1) / 3, 4), nstr(0.125, 2)
    ('0.3333', '0.13')
    """
    return mp.nstr(x if isinstance(x, (mp.mpf, mp.mpc)) else mp.mpf(x), k)
