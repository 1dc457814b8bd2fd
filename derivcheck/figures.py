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


# --- plotted data rounded far below a pixel (so float64 rounding noise moves no pixel) ----------

LINEAR_STEPS = 10 ** 7     # a linear axis is quantised to a power of ten at most span / 1e7
LOG_DIGITS = 6             # a log axis to 6 significant digits (4e-7 of a decade)


def _quantiser(scale: str, lo: float, hi: float):
    """Rounding for one axis: absolute to a power of ten on a linear axis, relative on a log axis;
    None where there is nothing to round (an empty or non-finite span, a symlog or other scale)."""
    import math

    import numpy as np
    if scale == "log":
        def q(v):
            v = np.asarray(v, dtype=float)
            return np.array([float(f"{x:.{LOG_DIGITS}g}") if math.isfinite(x) else x for x in v.ravel()]
                            ).reshape(v.shape)
        return q
    span = abs(hi - lo)
    if scale != "linear" or not math.isfinite(span) or span == 0:
        return None
    step = 10.0 ** math.floor(math.log10(span / LINEAR_STEPS))

    def q(v):
        v = np.asarray(v, dtype=float)
        return np.round(v / step) * step
    return q


def stabilise(fig) -> None:
    """Round what each axes draws in data coordinates (lines, markers, filled areas, bars, text
    positions, axis limits) to far below a pixel, so that a float64 result that differs in its last
    bits from one machine to the next (another BLAS, another SIMD path) draws the same pixels.
    Artists drawn in axes coordinates, images and anything of a scale other than linear or log are
    left as they are."""
    import numpy as np
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon, Rectangle
    from matplotlib.text import Text
    for ax in fig.axes:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()        # autoscaled from the data as drawn
        qx, qy = _quantiser(ax.get_xscale(), x0, x1), _quantiser(ax.get_yscale(), y0, y1)
        if qx is None and qy is None:
            continue

        def both(xy, tr):
            xd, yd = tr.contains_branch_seperately(ax.transData)
            xy = np.array(xy, dtype=float)
            if xy.size == 0:
                return xy
            if xd and qx:
                xy[..., 0] = qx(xy[..., 0])
            if yd and qy:
                xy[..., 1] = qy(xy[..., 1])
            return xy
        for art in ax.get_children():
            tr = art.get_transform()
            if isinstance(art, Line2D):
                xy = both(np.column_stack([np.asarray(art.get_xdata(), float), np.asarray(art.get_ydata(), float)]), tr)
                art.set_data(xy[:, 0], xy[:, 1])
            elif isinstance(art, Collection):     # markers placed at offsets, or areas drawn as paths
                off = np.asarray(art.get_offsets(), dtype=float)
                if off.size and np.any(off) and art.get_offset_transform() is not None:
                    art.set_offsets(both(off, art.get_offset_transform()))
                else:
                    for path in art.get_paths():
                        if len(path.vertices):
                            path.vertices = both(path.vertices, tr)
            elif isinstance(art, Rectangle) and art is not ax.patch:
                (a, b), (c, d) = both([[art.get_x(), art.get_y()],
                                       [art.get_x() + art.get_width(), art.get_y() + art.get_height()]], tr)
                art.set_bounds(a, b, c - a, d - b)
            elif isinstance(art, Polygon):
                art.set_xy(both(art.get_xy(), tr))
            elif isinstance(art, Text) and art.get_text():
                art.set_position(tuple(both([art.get_position()], tr)[0]))
        if qx:
            ax.set_xlim(*(float(v) for v in qx([x0, x1])))
        if qy:
            ax.set_ylim(*(float(v) for v in qy([y0, y1])))
