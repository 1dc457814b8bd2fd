"""Extrema and minimax parameters: three routes each (see registry.extremum and registry.minimax).

An extremum ``max f = V`` is the bound f <= V (certified by branch and bound, the maximiser's
neighbourhood by the tight-point rule), the value f(at) = V (SymPy exactly, else at high
precision), and a multi-start local optimiser that must find V again. A minimax parameter b* is
checked by equioscillation (the largest local maxima over x of f(., b*) are equal) and by
perturbation: for b* +- delta a point is certified above the certified maximum at b*.
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from numerics.intervals import search
from numerics.precision import fmt

from ._gap import (PREC, Gap, certify, domain_of, exact_candidates, finite_box, global_min, refuted_link,
                   text_of, where)
from ._tight import tight_point, zero
from .checks import seed_for
from .records import Claim, Extremum, Link, Minimax, Status

AGREE = 1e-9            # the optimiser must find the stated value to this relative accuracy


def _symbols(f, over: dict, what: str):
    syms = sorted((k for k in over if isinstance(k, sp.Symbol)), key=str)
    extra = sp.sympify(f).free_symbols - set(syms)
    if extra or len(syms) != len(over):
        raise ValueError(f"{what}(over={over!r}): give an interval for every symbol of f "
                         f"({', '.join(sorted(map(str, sp.sympify(f).free_symbols)))}) keyed by the Symbol")
    return syms


def _maximiser(gap: Gap, at, gpt):
    """The stated extremiser, else the optimiser's point recognised exactly, else None."""
    if at:
        return dict(at)
    if gpt is None:
        return None
    for c in exact_candidates([float(v) for v in gpt]):
        t = {s: c[i] for i, s in enumerate(gap.symbols)}
        if zero(gap.expr.subs(t)):
            return t
    return None


def check_extremum(e: Extremum, claim: Claim, index: int, ladder, seed: int) -> Link:
    f, V = sp.sympify(e.f), sp.sympify(e.value)
    syms = _symbols(f, e.over, "extremum")
    sign = 1 if e.kind == "max" else -1
    word, rel = ("maximum", "<=") if sign > 0 else ("minimum", ">=")
    gap, dom = Gap(sign * (V - f), syms), domain_of(syms, e.over)
    box, dps = finite_box(dom, None), max(ladder)
    gmin, gpt, n = global_min(gap, dom, seed_for(claim.id, index, seed), dps)
    lines = [] if gmin is None else [("optimiser", f"{n} seeded draws, the best 6 refined: {word} "
                                      f"{fmt(sp.N(V, 20) - sign * sp.Float(str(gmin), 20), 15)} at "
                                      f"{where(syms, gpt)} (stated {fmt(sp.N(V, 20), 15)})")]
    if gap.ball is None:
        return Link(index, e.label, Status.INCONCLUSIVE, "undecided", scope="points",
                    evidence=tuple(lines) + (("certified", f"none: arb lacks {gap.missing}"),))
    at = _maximiser(gap, e.at, gpt)
    tights = [tight_point(gap, at, box, False)] if at else []
    out = gap.bnb(box, False, [t.nbhd for t in tights if t.nbhd])
    if out.status == "refuted" or (gmin is not None and gmin < 0):
        w = certify(gap, out.witness if out.status == "refuted" else [float(v) for v in gpt], box, False)
        if w is not None:
            link = refuted_link(V, f, gap, w, claim, index, e.label, ladder, "interval arithmetic (arb)",
                                names=("stated", "f"))
            return replace(link, evidence=link.evidence + (("finding", f"f exceeds the stated {word} there"),))
    scale = max(1.0, abs(float(sp.N(V))))
    if gmin is not None and gmin > AGREE * scale:
        return _out_of_reach(e, gap, V, box, gmin, index, word, lines)
    lines = [("bound", f"f {rel} {sp.sstr(V)} on {' x '.join(f'[{text_of(a)}, {text_of(b)}]' for a, b in box)}: "
                       f"{out.boxes} sub-boxes by arb ({PREC} bits)" +
              ("" if out.status == "proved" else f", {out.n_open} left undecided"))] + \
        [("attained", t.text) for t in tights] + lines
    return _grade_extremum(e, gap, at, dom, out, tights, lines, index, dps, scale)


def _grade_extremum(e, gap, at, dom, out, tights, lines, index, dps, scale) -> Link:
    exact_at = bool(at) and zero(gap.expr.subs(at))
    if at and not exact_at:
        v = gap.value([text_of(float(sp.N(c, 20))) for c in at.values()], dps)
        if abs(v) > AGREE * scale:
            return Link(index, e.label, Status.REFUTED, "numeric at the stated point", scope="points",
                        evidence=tuple(lines) + (("at", f"f({where(gap.symbols, list(at.values()))}) differs "
                                                        f"from the stated value by {fmt(v, 3)}"),))
    bounded = all(lo.is_finite and hi.is_finite for lo, hi in dom.values())
    if not bounded:
        lines.append(("domain", "unbounded: the bound is certified on the box only, beyond it by the search"))
    if bounded and out.status == "proved" and exact_at and all(t.status == "proved" for t in tights):
        return Link(index, e.label, Status.PROVED, "interval arithmetic (arb)", evidence=tuple(lines), scope="box")
    return Link(index, e.label, Status.CONFIRMED, "branch and bound and optimiser", evidence=tuple(lines),
                scope="points")


def _out_of_reach(e, gap, V, box, gmin, index, word, lines) -> Link:
    """The optimiser stays short of the stated value: certify that f stays short everywhere."""
    delta = sp.Float(str(gmin), 20) / 2
    res = Gap(gap.expr - delta, gap.symbols).bnb(box, False)
    gap_text = f"f stays {fmt(delta, 3)} or more short of the stated {word} {sp.sstr(V)} on the whole box"
    if res.status == "proved":
        cert = f"{gap_text}: every one of {res.boxes} sub-boxes certified (arb, {PREC} bits)"
        return Link(index, e.label, Status.REFUTED, "interval arithmetic (arb)", scope="box",
                    evidence=tuple(lines) + (("certified", cert),), certified=cert)
    return Link(index, e.label, Status.INCONCLUSIVE, "undecided", scope="points",
                evidence=tuple(lines) + (("search", f"the optimiser stays {fmt(gmin, 3)} short of the stated "
                                                    f"{word}, but branch and bound could not certify it "
                                                    f"({res.status})"),))


# --- minimax ----------------------------------------------------------------------------------

def _maxima(f, xs, box, seed):
    """Distinct local maxima (value, point) of f over the box, largest first: in one variable the
    local maxima of a 4001-point grid (ends included), refined; else a multi-start search."""
    g = Gap(-f, xs)
    if len(xs) == 1:
        import numpy as np
        (lo, hi), = box
        grid = np.linspace(lo, hi, 4001)
        v = -g.floats(grid[:, None])
        peaks = [i for i in range(len(grid)) if np.isfinite(v[i])
                 and (i == 0 or v[i] >= v[i - 1]) and (i == len(grid) - 1 or v[i] >= v[i + 1])]
        starts = [grid[i] for i in sorted(peaks, key=lambda i: -v[i])[:8]]
        found = search(g.floats, box, n=1, seed=seed, starts=1, extra=starts) if starts else []
        found = [_refine1(g, p, lo, hi) for p in starts] or found
    else:
        found = search(g.floats, box, n=2000, seed=seed, starts=16)
    out = []
    for v, p in sorted(found, key=lambda t: t[0]):
        if all(max(abs(a - b) for a, b in zip(p, q)) > 1e-5 * _width(box) for _, q in out):
            out.append((-v, p))
    return out


def _refine1(g, x0, lo, hi):
    from numerics.intervals import _compass
    import numpy as np
    v, x = _compass(g.floats, np.array([x0]), np.array([lo]), np.array([hi]))
    return float(v), (float(x[0]),)


def _width(box) -> float:
    return max(hi - lo for lo, hi in box)


def _perturbed(f, b, bstar, lo, hi, xs, box, M, eps, seed):
    """('up', text) when each b* +- delta has a point certified above M + eps; ('down', text)
    when some perturbed b has a smaller maximum; ('undecided', text) otherwise."""
    for frac in (1e-2, 1e-3):
        for sgn in (1, -1):
            bv = bstar + sgn * sp.Float(frac * (float(hi) - float(lo)), 20)
            top = _maxima(f.subs(b, bv), xs, box, seed)[0]
            above = Gap(f.subs(b, bv) - sp.Float(M + eps, 30), xs).at([text_of(c) for c in top[1]])
            if above > 0:
                continue
            if top[0] < M - eps:
                return "down", f"{b} = {fmt(bv, 8)} gives max f = {fmt(top[0], 10)} < {fmt(M, 10)}"
            return "undecided", f"{b} = {fmt(bv, 8)}: no point certified above {fmt(M + eps, 10)}"
    return "up", (f"{b} = {sp.sstr(bstar)} +- 1e-2 and 1e-3 of [{lo}, {hi}]: each has a point with f "
                  f"certified above {fmt(M + eps, 10)} (arb)")


def check_minimax(m: Minimax, claim: Claim, index: int, ladder, seed: int) -> Link:
    b, blo, bhi = m.param
    f, bstar = sp.sympify(m.f), sp.sympify(m.value)
    xs = _symbols(f.subs(b, 0), m.over, "minimax")
    box, s = finite_box(domain_of(xs, m.over), None), seed_for(claim.id, index, seed)
    fb = f.subs(b, bstar)
    tops = _maxima(fb, xs, box, s)
    M = tops[0][0]
    level = [t for t in tops if abs(t[0] - M) <= 1e-7 * max(1.0, abs(M))]
    pts = "; ".join(where(xs, [text_of(round(c, 8)) for c in p]) for _, p in level[:4])
    lines = [("equioscillation", f"at {b} = {sp.sstr(bstar)}: {len(level)} maximiser(s) with the same "
                                 f"value {fmt(M, 10)} ({pts})")]
    eps = 1e-6 * max(1.0, abs(M))
    ub = Gap(sp.Float(M + eps, 30) - fb, xs).bnb(box, False)
    cert = f"max over x of f at {b} = {sp.sstr(bstar)} is <= {fmt(M + eps, 10)}"
    if ub.status != "proved":
        return Link(index, m.label, Status.INCONCLUSIVE, "undecided", scope="points", evidence=tuple(lines) + (
            ("certified", f"{cert}: not certified ({ub.n_open} boxes open)"),))
    lines.append(("certified", f"{cert} ({ub.boxes} sub-boxes, arb)"))
    how, text = _perturbed(f, b, bstar, blo, bhi, xs, box, M, eps, s)
    lines.append(("perturbation", text))
    if how != "up":
        status = Status.REFUTED if how == "down" else Status.INCONCLUSIVE
        return Link(index, m.label, status, "perturbation (search)", evidence=tuple(lines), scope="points")
    if m.level is not None and abs(M - float(sp.N(m.level))) > 1e-7 * max(1.0, abs(M)):
        return Link(index, m.label, Status.REFUTED, "numeric (search)", scope="points",
                    evidence=tuple(lines) + (("level", f"max f = {fmt(M, 10)}, stated {sp.sstr(m.level)}"),))
    if len(level) < 2:
        lines.append(("equioscillation", "a single maximiser at the top level: not a minimax point"))
        return Link(index, m.label, Status.INCONCLUSIVE, "undecided", evidence=tuple(lines), scope="points")
    return Link(index, m.label, Status.CONFIRMED, "equioscillation and perturbation", evidence=tuple(lines),
                scope="points")
