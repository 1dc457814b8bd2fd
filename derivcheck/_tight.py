"""Tight points of a bound: where rhs - lhs = 0, so no box around them certifies by itself.

A neighbourhood N of a tight point t is proved when SymPy shows g(t) = 0 and grad g(t) = 0
exactly and ball arithmetic shows the Hessian of g diagonally dominant with a nonnegative
diagonal on N (so g is convex on N and g >= g(t) + grad g(t).(x - t) = 0 there). In one variable
at an end of the domain, g(t) = 0 and g' of the right sign on N (g monotone away from t) also do.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from numerics.intervals import branch_and_bound

from ._arb import Unsupported, compile_expr, workprec
from ._gap import PREC, Gap

RADII = (0.5, 0.1, 0.02, 4e-3, 1e-3, 1e-4)
FLOOR = 1e-6          # an unprovable tight point is left out within this distance


@dataclass(frozen=True)
class Tight:
    point: dict           # Symbol -> SymPy number
    status: str           # "proved", "open" (left out, unproved), "strict" (equality refutes <), "not-tight"
    nbhd: tuple = ()      # ((lo, hi), ...) the neighbourhood proved or left out
    text: str = ""
    order: int = 2        # the order of the derivative whose sign proved the neighbourhood


def zero(e) -> bool:
    """SymPy shows e == 0 (a ball enclosure that excludes 0 answers no at once)."""
    e = sp.sympify(e)
    if e == 0:
        return True
    if e.is_number:
        try:
            with workprec(PREC):
                v = compile_expr(e, [])([])
            if v.is_finite() and not v.contains(0):
                return False
        except (Unsupported, ValueError, TypeError, ZeroDivisionError):
            pass
    try:
        return sp.simplify(e) == 0 or (e.is_number and e.equals(0) is True)
    except Exception:
        return False


def _where(t: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in t.items())


def _nbhd(center, box, r):
    return tuple((max(lo, c - r), min(hi, c + r)) for c, (lo, hi) in zip(center, box))


def _convex(gap: Gap, box_of, budget: float):
    """The first neighbourhood (largest radius) on which the Hessian is diagonally dominant."""
    syms = gap.symbols
    try:
        H = [[compile_expr(sp.diff(gap.expr, a, b), syms) for b in syms] for a in syms]
    except Unsupported:
        return None, 0

    def h(x):
        rows = [H[i][i](x) - sum((abs(H[i][j](x)) for j in range(len(syms)) if j != i), 0)
                for i in range(len(syms))]
        out = rows[0]
        for r in rows[1:]:
            out = out.min(r)
        return out
    for r in RADII:
        res = branch_and_bound(h, box_of(r), max_boxes=2000, time_limit=budget, prec=PREC)
        if res.status == "proved":
            return box_of(r), res
    return None, None


def _monotone(gap: Gap, t, box, budget: float):
    """One variable, t at an end of the box: g' >= 0 to the right of lo, or <= 0 left of hi."""
    (lo, hi), c = box[0], float(t)
    d = sp.diff(gap.expr, gap.symbols[0])
    sign = 1 if abs(c - lo) <= abs(hi - c) else -1
    try:
        f = compile_expr(sign * d, gap.symbols)
    except Unsupported:
        return None, None
    for r in RADII:
        nb = ((c, min(hi, c + r)),) if sign > 0 else ((max(lo, c - r), c),)
        res = branch_and_bound(f, nb, max_boxes=2000, time_limit=budget, prec=PREC)
        if res.status == "proved":
            return nb, res
    return None, None


def tight_point(gap: Gap, t: dict, box, strict: bool, budget: float = 60.0, depth: int = 0) -> Tight:
    """Classify a declared tight point and prove a neighbourhood of it when the rules allow.

    In one variable a vanishing second derivative is handled by the same rule applied to
    g'' (up to two levels: a tight point of order 6), since g(t) = g'(t) = 0 and g'' >= 0 near
    t give g >= 0 there."""
    t = {s: sp.sympify(t.get(s, t.get(str(s)))) for s in gap.symbols}
    if any(v is None for v in t.values()):
        missing = [str(s) for s in gap.symbols if t[s] is None]
        raise ValueError(f"tight point {t}: give a value for {', '.join(missing)}")
    center = [float(sp.N(v, 20)) for v in t.values()]
    g0 = gap.expr.subs(t)
    if not zero(g0):
        with workprec(PREC):
            v = compile_expr(g0, [])([]) if gap.ball is not None else None
        if v is not None and v.is_finite() and not v.contains(0):
            return Tight(t, "not-tight", text=f"rhs - lhs = {sp.N(g0, 6)} at {_where(t)}, not 0")
        return Tight(t, "open", _nbhd(center, box, FLOOR * _scale(box)),
                     f"{_where(t)}: rhs - lhs = 0 to {PREC} bits but not shown exactly")
    if strict:
        return Tight(t, "strict", text=f"rhs - lhs = 0 exactly at {_where(t)} (SymPy), so the strict "
                                       "inequality fails there")
    grad0 = [gap.expr.diff(s).subs(t) for s in gap.symbols]
    if all(zero(d) for d in grad0):
        nb, res = _convex(gap, lambda r: _nbhd(center, box, r * _scale(box)), budget)
        how = "the Hessian is diagonally dominant (convex)" if len(center) > 1 else "d²/d{0}² (rhs - lhs) >= 0"
        rule = "rhs - lhs = 0 and its gradient = 0 exactly (SymPy); " + how.format(gap.symbols[0])
        if nb is None and len(center) == 1 and depth < 2:
            inner = tight_point(Gap(sp.diff(gap.expr, gap.symbols[0], 2), gap.symbols), t, box, False,
                                budget, depth + 1)
            if inner.status == "proved":
                order = inner.order + 2
                span = " x ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in inner.nbhd)
                return Tight(t, "proved", inner.nbhd, f"{_where(t)}: rhs - lhs and its derivatives up to order "
                                                      f"{order - 1} vanish exactly (SymPy); the derivative of order "
                                                      f"{order} is >= 0 on {span}", order)
    elif len(center) == 1 and (center[0] in box[0]):
        nb, res = _monotone(gap, center[0], box, budget)
        rule = "rhs - lhs = 0 exactly (SymPy) at an end of the domain; monotone away from it"
    else:
        return Tight(t, "not-tight", text=f"the gradient of rhs - lhs is not 0 at {_where(t)}")
    if nb is None:
        return Tight(t, "open", _nbhd(center, box, FLOOR * _scale(box)),
                     f"{_where(t)}: rhs - lhs = 0 exactly, but no neighbourhood proved by the convexity rule")
    span = " x ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in nb)
    return Tight(t, "proved", nb, f"{_where(t)}: {rule} on {span} ({res.boxes} boxes)")


def _scale(box) -> float:
    return max(max(hi - lo for lo, hi in box), 1e-300)
