"""Bounds and extrema: lhs <= rhs over a domain, and the maximum or minimum of f, certified by
interval branch and bound where the domain is a bounded box, by a seeded global search elsewhere.

A bound's verdict, in order:

1. SymPy shows rhs - lhs manifestly nonnegative (positive when strict): PROVED, scope "general".
2. Branch and bound on the box with python-flint's arb balls: a point where rhs - lhs < 0
   rigorously is shrunk to short decimals and certified on a box around it: REFUTED. Every
   sub-box certified, every tight point's neighbourhood proved (derivcheck._tight) and, on an
   unbounded domain, every tail proved by the exact rules of derivcheck._tails: PROVED, scope
   "box". The evidence gives the boxes, the smallest certified margin and the region covered.
3. Otherwise a seeded global search (dense draws, log-spread on infinite sides, the best refined
   by pattern search and re-evaluated at the top dps): a negative value is certified as in 2
   (REFUTED); none gives CONFIRMED, scope "points", with the worst point and margin, and the
   certified part reported apart ("proved on [-30, 30] except within 1e-06 of x = 0").

``certify_difference`` encloses an identity's residual at a point, for a certified REFUTED.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp
from flint import arb

from numerics.intervals import search
from numerics.precision import fmt

from ._arb import Unsupported, ball_of, compile_expr, workprec
from ._extrema import check_extremum, check_minimax
from ._gap import (PREC, Gap, certify, domain_of, exact_candidates, finite_box, global_min,
                   interval_text, point_box, refuted_link, reproduce, text_of, where as _where)
from ._points import at_point as _at_point, by_search as _by_search
from ._tails import prove_tail
from ._tight import tight_point, zero
from .checks import seed_for
from .records import Bound, Claim, Link, Status

__all__ = ["certify_difference", "check_bound", "check_extremum", "check_minimax", "gap_figure"]


def _pins(symbols, domain: dict):
    """The point of a reproduce line (``--at x=1`` pins every symbol to one value), or None."""
    vals = [domain.get(s, domain.get(str(s))) for s in symbols]
    if symbols and all(isinstance(v, list) and len(v) == 1 for v in vals):
        return tuple(str(v[0]) for v in vals)
    return None


def _span(box) -> str:
    return " x ".join(f"[{text_of(lo)}, {text_of(hi)}]" for lo, hi in box)


def _open_text(syms, out) -> str:
    """'within 1e-06 of x = 0' for the hull of the undecided boxes."""
    hull = [(min(b[i][0] for b in out.open_boxes), max(b[i][1] for b in out.open_boxes))
            for i in range(len(syms))]
    c = [(lo + hi) / 2 for lo, hi in hull]
    r = max((hi - lo) / 2 for lo, hi in hull)
    more = f" ({out.n_open} undecided sub-boxes)" if out.n_open > 1 else ""
    return f"within {r:.2g} of {_where(syms, [text_of(round(v, 12)) for v in c])}{more}"


def _auto_tight(gap: Gap, out, box, strict):
    """An undeclared tight point: the search minimum, recognised exactly (short decimals or
    nsimplify) where rhs - lhs = 0 exactly, then classified like a declared one."""
    if not out.open_boxes:
        return None
    hull = [(min(b[i][0] for b in out.open_boxes), max(b[i][1] for b in out.open_boxes))
            for i in range(len(gap.symbols))]
    best = search(gap.floats, hull, n=400, seed=0, starts=2)
    if not best:
        return None
    for cand in exact_candidates(best[0][1]):
        t = {s: cand[i] for i, s in enumerate(gap.symbols)}
        if zero(gap.expr.subs(t)):
            return tight_point(gap, t, box, strict)
    return None


def _manifest(expr, strict: bool) -> bool:
    forms = [expr] + ([sp.factor(sp.together(expr))] if sp.count_ops(expr) <= 150 else [])
    return any((f.is_positive if strict else f.is_nonnegative) for f in forms)


def _equality_link(b, t, claim, index, ladder) -> Link:
    """A strict bound with rhs - lhs = 0 exactly at a point: REFUTED there."""
    syms = list(t.point)
    return Link(index, b.label, Status.REFUTED, "symbolic (equality at a point)", scope="general",
                evidence=(("at", _where(syms, [str(v) for v in t.point.values()])), ("certified", t.text)),
                certified=t.text, reproduce=reproduce(claim, syms, [text_of(float(v)) for v in t.point.values()],
                                                      ladder))


def check_bound(b: Bound, claim: Claim, index: int, ladder, seed: int) -> Link:
    """lhs <= rhs (lhs < rhs when strict) over the domain -> a Link (see the module docstring)."""
    lhs, rhs = sp.sympify(b.lhs), sp.sympify(b.rhs)
    expr = rhs - lhs
    syms = sorted(expr.free_symbols, key=str)
    gap = Gap(expr, syms)
    pins = _pins(syms, claim.domain)
    if pins is not None or not syms:
        return _at_point(b, gap, pins or (), claim, index, ladder)
    declared = {k: v for k, v in claim.domain.items() if isinstance(v, tuple)}   # @claim(domain=...)
    dom = domain_of(syms, {**declared, **b.domain})
    if _manifest(expr, b.strict):
        return Link(index, b.label, Status.PROVED, "symbolic (manifest sign)", scope="general",
                    evidence=(("exact", f"rhs - lhs = {sp.factor(sp.together(expr))} is manifestly "
                                        f"{'positive' if b.strict else 'nonnegative'} (SymPy)"),))
    worst, wpt, n = global_min(gap, dom, seed_for(claim.id, index, seed), max(ladder))
    if gap.ball is None:
        return _by_search(b, gap, claim, index, ladder, worst, wpt, n,
                          [("certified", f"none: arb lacks {gap.missing}, so no enclosure")])
    box = finite_box(dom, b.box)
    tights = [tight_point(gap, t, box, b.strict) for t in b.tight]
    strict_eq = next((t for t in tights if t.status == "strict"), None)
    if strict_eq is not None:
        return _equality_link(b, strict_eq, claim, index, ladder)
    out = gap.bnb(box, b.strict, [t.nbhd for t in tights if t.nbhd])
    auto = _auto_tight(gap, out, box, b.strict) if out.status == "open" else None
    if auto is not None and auto.status == "strict":
        return _equality_link(b, auto, claim, index, ladder)
    if auto is not None and auto.status == "proved":      # an undeclared tight point, proved: again
        tights.append(auto)
        out = gap.bnb(box, b.strict, [t.nbhd for t in tights if t.nbhd])
    violated = worst is not None and (worst <= 0 if b.strict else worst < 0)
    if out.status == "refuted" or violated:
        point = out.witness if out.status == "refuted" else [float(v) for v in wpt]
        w = certify(gap, point, point_box(dom), b.strict)
        if w is not None:
            return refuted_link(lhs, rhs, gap, w, claim, index, b.label, ladder, "interval arithmetic (arb)")
        if violated:
            return _by_search(b, gap, claim, index, ladder, worst, wpt, n, [])
    return _grade(b, gap, claim, index, ladder, dom, box, out, tights, worst, wpt, n)


def _exact(v: float):
    """The float v as a SymPy number: a short form when it is exactly v, else its binary value
    (a tail must start exactly where the box ends)."""
    short = sp.nsimplify(v)
    return short if short.is_Rational and float(short) == v and sp.Rational(v) == short else sp.Rational(v)


def _tails(b: Bound, gap: Gap, dom, box):
    """(all tails proved?, text lines) for the parts of a 1-D domain beyond the box."""
    if len(gap.symbols) != 1:
        unb = [str(s) for s, (lo, hi) in dom.items() if not (lo.is_finite and hi.is_finite)]
        return (not unb), ([("tails", f"{', '.join(unb)} unbounded: beyond the box by the search only")]
                           if unb else [])
    x, (lo, hi), (blo, bhi) = gap.symbols[0], dom[gap.symbols[0]], box[0]
    ok, lines = True, []
    for side, end, X in ((1, hi, _exact(bhi)), (-1, lo, _exact(blo))):
        if end.is_finite:
            continue
        done, text = prove_tail(b.lhs, b.rhs, list(b.tails.get(side, ())), x, X, side,
                                deep=side in b.tails, strict=b.strict)
        ok &= done
        lines.append(("tails", text + ("" if done else "; there by the search only")))
    return ok, lines


def _grade(b, gap, claim, index, ladder, dom, box, out, tights, worst, wpt, n) -> Link:
    syms = gap.symbols
    region = f"{_span(box)}: {out.boxes} sub-boxes, {out.certified} certified by arb ball arithmetic ({PREC} bits)"
    if out.margin is not None:
        region += f"; smallest certified lower bound of rhs - lhs {fmt(out.margin, 3)}"
    for t in tights:
        if t.status == "open":
            r = max((hi - lo) / 2 for lo, hi in t.nbhd)
            region += f"; except within {r:.2g} of {', '.join(f'{k} = {v}' for k, v in t.point.items())} (tight)"
    if out.status == "open":
        region += f"; undecided {_open_text(syms, out)}"
    lines = [("certified", region)] + [("tight", t.text) for t in tights]
    tails_ok, tail_lines = _tails(b, gap, dom, box)
    lines += tail_lines
    if worst is not None:
        lines.append(("search", f"worst point {_where(syms, wpt)}: rhs - lhs = {fmt(worst, 6)} at "
                                f"{max(ladder)} dps ({n} seeded draws over the domain, the best 6 "
                                "refined by pattern search)"))
    proved = out.status == "proved" and tails_ok and all(t.status in ("proved", "not-tight") for t in tights)
    if proved:
        return Link(index, b.label, Status.PROVED, "interval arithmetic (arb)", evidence=tuple(lines),
                    scope="box")
    if worst is None:
        return Link(index, b.label, Status.INCONCLUSIVE, "undecided", evidence=tuple(lines), scope="points")
    if b.strict and worst < mp.mpf(10) ** -(max(ladder) // 2):
        lines.append(("tight", f"rhs - lhs falls to {fmt(worst, 3)} near {_where(syms, wpt)}: equality "
                               "there would refute the strict bound; declare tight= or prove it"))
        return Link(index, b.label, Status.INCONCLUSIVE, "undecided (nearly tight)", evidence=tuple(lines),
                    scope="points")
    hint = [] if b.tight or out.status != "open" else [
        ("hint", "if equality holds at a point, declare it: tight=({...},) proves its neighbourhood")]
    return Link(index, b.label, Status.CONFIRMED, "global search", evidence=tuple(lines + hint),
                scope="points")


# --- identities: a certified counterexample ---------------------------------------------------

def certify_difference(lhs, rhs, point: dict, dps: int) -> tuple[str, str]:
    """Enclose rhs - lhs at ``point`` ({Symbol or name: decimal text such as "1.25" or
    "0.5+1.25j"}, read exactly) in a ball; returns ("certified", text) when the ball excludes 0,
    ("contains-zero", text) when it does not at any precision tried, ("uncertified", text) when
    no enclosure can be computed.

    >>> x = sp.Symbol("x", real=True)
    >>> certify_difference(sp.sin(2 * x), 2 * sp.sin(x), {x: "1"}, 30)[0]
    'certified'
    >>> certify_difference(sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x), {x: "1"}, 30)[0]
    'contains-zero'
    """
    diff = sp.sympify(rhs) - sp.sympify(lhs)
    syms = sorted(diff.free_symbols, key=str)
    vals = {str(k): v for k, v in point.items()}
    missing = [str(s) for s in syms if str(s) not in vals]
    if missing:
        raise ValueError(f"certify_difference(point={point!r}): no value for {', '.join(missing)}")
    try:
        f = compile_expr(diff, syms)
    except Unsupported as exc:
        return "uncertified", (f"the enclosure cannot be computed: arb lacks {exc.name}; rests on two "
                               f"evaluations at {dps} and {2 * dps} dps")
    bits = max(200, int(dps * 3.33) + 40)
    for _ in range(4):
        with workprec(bits):
            v = _evaluate(f, [ball_of(str(vals[str(s)])) for s in syms])
            if v is None:
                return "uncertified", (f"the enclosure is not finite at {bits} bits (a singularity at the "
                                       f"point?); rests on two evaluations at {dps} and {2 * dps} dps")
            text = _enclosure_text(v)
            if not v.contains(0):
                return "certified", f"rhs - lhs in {text}, excludes 0 (arb, {bits} bits)"
        bits *= 2
    return "contains-zero", (f"rhs - lhs in {text} at {bits // 2} bits contains 0: the difference may "
                             "vanish at this point")


def _evaluate(f, balls):
    """f on real balls, or on complex ones where the real evaluation leaves the reals (log(-1))."""
    from flint import acb
    for args in (balls, [acb(b) if isinstance(b, arb) else b for b in balls]):
        try:
            v = f(args)
        except (TypeError, ValueError, ZeroDivisionError, AttributeError):
            continue
        if _finite(v):
            return v
    return None


def _finite(v) -> bool:
    return v.is_finite() if isinstance(v, arb) else (v.real.is_finite() and v.imag.is_finite())


def _enclosure_text(v) -> str:
    if isinstance(v, arb):
        return interval_text(v, 6)
    return f"{interval_text(v.real, 6)} + {interval_text(v.imag, 6)}i"


# --- figures ----------------------------------------------------------------------------------

def gap_figure(lhs, rhs, symbol, lo, hi, *, certified=None, title: str = "", n: int = 801):
    """A matplotlib Figure of rhs - lhs over [lo, hi] (one variable), the certified region
    ``certified`` ([(a, b), ...]) shaded; for article sections (deterministic, no randomness)."""
    import numpy as np

    from .figures import pyplot
    plt = pyplot()
    g = sp.lambdify(symbol, sp.sympify(rhs) - sp.sympify(lhs), "numpy")
    xs = np.linspace(float(lo), float(hi), n)
    with np.errstate(all="ignore"):
        ys = np.broadcast_to(np.asarray(g(xs), dtype=float), xs.shape)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, (a, b) in enumerate(certified or ()):
        ax.axvspan(a, b, color="tab:green", alpha=0.15, lw=0, label="certified (arb)" if k == 0 else None)
    ax.axhline(0, color="0.4", lw=0.8)
    ax.plot(xs, ys, color="tab:blue", lw=1.5, label="rhs - lhs")
    ax.set_xlabel(str(symbol))
    ax.set_ylabel("rhs - lhs")
    ax.set_title(title or "the gap of the bound")
    ax.legend(loc="best")
    fig.tight_layout()
    return fig
