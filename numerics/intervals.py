"""Branch and bound over boxes with ball arithmetic (python-flint arb), and a seeded global search.

``branch_and_bound(g, box)`` decides ``g >= 0`` (``> 0`` when strict) on a box: it encloses g on
each sub-box (the natural enclosure, intersected with the mean-value form when a gradient is
given), certifies the boxes whose enclosure is nonnegative, stops at the first point where g is
negative rigorously, and bisects the rest along the widest side until a budget runs out. The
callables take a list of arb balls, one per coordinate, and return an arb ball.

>>> from flint import arb
>>> out = branch_and_bound(lambda a: a[0] * a[0] - a[0] + 1, [(-2.0, 3.0)],
...                        grad=lambda a: [2 * a[0] - 1])
>>> out.status, 0 < out.margin <= 0.75
('proved', True)
>>> branch_and_bound(lambda a: a[0] * a[0] - arb("0.25"), [(-1.0, 1.0)]).status
'refuted'
"""
from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import flint
import gmpy2
import numpy as np
from flint import arb

__all__ = ["Outcome", "ball", "branch_and_bound", "enclose", "search"]

MAX_OPEN = 64          # undecided boxes kept for the report (the rest are counted)


@dataclass(frozen=True)
class Outcome:
    """What branch and bound established on a box."""

    status: str            # "proved" (every sub-box certified), "refuted" (witness), "open"
    boxes: int             # enclosures computed
    certified: int         # sub-boxes certified
    margin: float | None   # smallest certified lower bound of g over the certified sub-boxes
    witness: tuple | None  # a point (floats) at which g < 0 (<= 0 when strict) rigorously
    open_boxes: tuple      # undecided sub-boxes ((lo, hi), ...), at most MAX_OPEN of them
    n_open: int            # how many sub-boxes were left undecided
    excluded: int          # sub-boxes dropped because they lie inside an excluded box
    seconds: float


def ball(lo: float, hi: float):
    """An arb ball containing [lo, hi]; nonnegative when lo >= 0 (no rounding below 0)."""
    u = arb(lo).union(arb(hi))
    return u.nonnegative_part() if lo >= 0 and not u >= 0 else u


def enclose(g, box, grad=None):
    """An enclosure of g on the box: natural form, intersected with g(c) + grad(box).(box - c)."""
    balls = [ball(lo, hi) for lo, hi in box]
    nat = g(balls)
    if grad is None:
        return nat
    mid = [arb((lo + hi) / 2) for lo, hi in box]
    mv = g(mid)
    for d, b, c in zip(grad(balls), balls, mid):
        mv = mv + d * (b - c)
    if not mv.is_finite():
        return nat
    if not nat.is_finite():
        return mv
    return nat.intersection(mv) if nat.overlaps(mv) else mv


def _inside(box, outer) -> bool:
    return all(o[0] <= lo and hi <= o[1] for (lo, hi), o in zip(box, outer))


def _split(box):
    k = max(range(len(box)), key=lambda i: box[i][1] - box[i][0])
    lo, hi = box[k]
    m = (lo + hi) / 2
    return [box[:k] + [(lo, m)] + box[k + 1:], box[:k] + [(m, hi)] + box[k + 1:]]


def _check_box(box, name="box"):
    box = [(float(lo), float(hi)) for lo, hi in box]
    for lo, hi in box:
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise ValueError(f"{name}={box!r}: give finite (lo, hi) pairs with lo <= hi")
    return box


def branch_and_bound(g, box, *, grad=None, strict: bool = False, max_boxes: int = 20000,
                     min_width: float = 1e-9, time_limit: float = 5.0, prec: int = 128,
                     exclude=()) -> Outcome:
    """Decide g >= 0 (g > 0 when ``strict``) on ``box`` [(lo, hi), ...] by bisection.

    Sub-boxes inside a box of ``exclude`` are dropped (counted); those narrower than
    ``min_width`` (relative to the box) or beyond ``max_boxes``/``time_limit`` stay open."""
    box = _check_box(box)
    exclude = [_check_box(e, "exclude") for e in exclude]
    if max_boxes < 1:
        raise ValueError(f"max_boxes={max_boxes!r}: give a positive number of boxes")
    scale = [max(hi - lo, 1e-300) for lo, hi in box]
    t0, old = time.perf_counter(), flint.ctx.prec
    flint.ctx.prec = int(prec)
    try:
        return _bisect(g, grad, box, strict, max_boxes, min_width, time_limit, exclude, scale, t0)
    finally:
        flint.ctx.prec = old


def _bisect(g, grad, box, strict, max_boxes, min_width, time_limit, exclude, scale, t0):
    heap, count, n = [(0.0, 0, box)], 1, 0
    certified, margin, open_, n_open, n_excl = 0, None, [], 0, 0
    while heap:
        _, _, b = heapq.heappop(heap)
        if any(_inside(b, e) for e in exclude):
            n_excl += 1
            continue
        n += 1
        v = enclose(g, b, grad)
        if v.is_finite() and (v > 0 if strict else v >= 0):
            certified += 1
            low = float(v.lower())
            margin = low if margin is None else min(margin, low)
            continue
        mid = [(lo + hi) / 2 for lo, hi in b]
        vm = g([arb(c) for c in mid])
        if vm.is_finite() and (vm <= 0 if strict else vm < 0) and \
                not any(_inside([(c, c) for c in mid], e) for e in exclude):
            return Outcome("refuted", n, certified, margin, tuple(mid), (), 0, n_excl,
                           time.perf_counter() - t0)
        narrow = all((hi - lo) <= min_width * s for (lo, hi), s in zip(b, scale))
        if narrow or n >= max_boxes or time.perf_counter() - t0 > time_limit:
            n_open += 1
            if len(open_) < MAX_OPEN:
                open_.append(tuple(b))
            continue
        key = float(v.lower()) if v.is_finite() else -math.inf
        for c in _split(b):
            heapq.heappush(heap, (key, count, c))
            count += 1
    status = "proved" if not n_open else "open"
    return Outcome(status, n, certified, margin, None, tuple(open_), n_open, n_excl,
                   time.perf_counter() - t0)


# --- global search ----------------------------------------------------------------------------

def _pow10(u: np.ndarray) -> np.ndarray:
    """10**u correctly rounded (MPFR), the same bits on every machine (numpy's power is not)."""
    with gmpy2.context(precision=53):
        return np.array([float(gmpy2.exp10(gmpy2.mpfr(float(v)))) for v in u])


def _draw(lo: float, hi: float, n: int, rng) -> np.ndarray:
    """n values of one coordinate: uniform where bounded, log-spread far out on infinite sides,
    and crowded towards each finite end (where a narrow failure hides)."""
    if math.isfinite(lo) and math.isfinite(hi):
        w = hi - lo
        near = _pow10(rng.uniform(-9, 0, n)) * w
        return np.where(rng.random(n) < 0.7, rng.uniform(lo, hi, n),
                        np.where(rng.random(n) < 0.5, lo + near, hi - near))
    far = _pow10(rng.uniform(-6, 9, n))
    if math.isfinite(lo):
        return lo + np.where(rng.random(n) < 0.5, far, rng.uniform(0, 20, n))
    if math.isfinite(hi):
        return hi - np.where(rng.random(n) < 0.5, far, rng.uniform(0, 20, n))
    return np.where(rng.random(n) < 0.5, rng.uniform(-20, 20, n), rng.choice([-1.0, 1.0], n) * far)


def _compass(f, x, lo, hi, iters: int = 200):
    """Coordinate pattern search from x (float), staying inside [lo, hi]."""
    fx = f(x[None, :])[0]
    step = np.maximum(np.abs(x) * 0.1, 0.1)
    for _ in range(iters):
        moved = False
        for i in range(len(x)):
            for s in (step[i], -step[i]):
                y = x.copy()
                y[i] = min(max(y[i] + s, lo[i]), hi[i])
                fy = f(y[None, :])[0]
                if fy < fx:
                    x, fx, moved = y, fy, True
                    break
        if not moved:
            step = step / 4
            if np.all(step < 1e-14 * np.maximum(np.abs(x), 1e-300) + 1e-300):
                break
    return fx, x


def search(f, box, *, n: int = 4000, seed: int = 0, starts: int = 8, extra=()):
    """Seeded global minimisation of a vectorised float function f(points (m, d)) -> (m,)
    over a box whose ends may be infinite: ``n`` draws, the best ``starts`` refined by pattern
    search. Returns [(value, point), ...] best first (non-finite values are skipped)."""
    if n < 1 or starts < 1:
        raise ValueError(f"search(n={n!r}, starts={starts!r}): give positive counts")
    rng = np.random.default_rng(seed)
    lo = np.array([float(a) for a, _ in box])
    hi = np.array([float(b) for _, b in box])
    pts = np.column_stack([_draw(a, b, n, rng) for a, b in zip(lo, hi)])
    if len(extra):
        pts = np.vstack([pts, np.asarray(extra, dtype=float).reshape(-1, len(box))])
    with np.errstate(all="ignore"):
        vals = np.asarray(f(pts), dtype=float)
        ok = np.isfinite(vals)
        pts, vals = pts[ok], vals[ok]
        order = np.argsort(vals)[:starts]
        out = [_compass(f, pts[i].copy(), lo, hi) for i in order]
    return sorted(((float(v), tuple(map(float, x))) for v, x in out), key=lambda t: t[0])
