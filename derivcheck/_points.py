"""Bounds decided at points: a bound pinned to one point (a reproduce line), and the verdict of
the global search where no ball enclosure exists (a counterexample shrunk and checked across the
precision ladder, never certified)."""
from __future__ import annotations

import mpmath as mp

from numerics.precision import fmt

from ._gap import (Gap, Witness, domain_of, interval_text, point_box, refuted_link, reproduce, text_of,
                   where as _where)
from ._tight import zero
from .records import Link, Status


def by_search(b, gap, claim, index, ladder, worst, wpt, n, lines) -> Link:
    """No certificate: REFUTED (uncertified) by a negative value stable across the ladder,
    INCONCLUSIVE when it moves with precision, else CONFIRMED by the search."""
    if worst is not None and (worst <= 0 if b.strict else worst < 0):
        wpt, worst = _shrink_numeric(gap, wpt, point_box(domain_of(gap.symbols, b.domain)), max(ladder), b.strict)
        low = gap.value(wpt, min(ladder) if len(ladder) > 1 else max(ladder) // 2)
        if not (isinstance(low, mp.mpf) and abs(low - worst) <= mp.mpf(10) ** -10 * abs(worst)):
            return Link(index, b.label, Status.INCONCLUSIVE, "undecided", scope="points", evidence=tuple(lines) + (
                ("at", _where(gap.symbols, wpt)),
                ("precision", f"rhs - lhs = {fmt(worst, 6)} at {max(ladder)} dps but {fmt(low, 6)} at lower "
                              "precision: not a stable counterexample")))
        return Link(index, b.label, Status.REFUTED, "global search (uncertified)", scope="points",
                    evidence=tuple(lines) + (("at", _where(gap.symbols, wpt)),
                                             ("difference", f"rhs - lhs = {fmt(worst, 6)} at {max(ladder)} dps")),
                    reproduce=reproduce(claim, gap.symbols, wpt, ladder),
                    certified=(f"uncertified: arb lacks {gap.missing}" if gap.missing else
                               "uncertified: no ball around the point excludes 0") +
                    f"; rests on evaluation at {max(ladder)} dps")
    if worst is None:
        return Link(index, b.label, Status.INCONCLUSIVE, "undecided", evidence=tuple(lines), scope="points")
    lines = lines + [("search", f"worst point {_where(gap.symbols, wpt)}: rhs - lhs = {fmt(worst, 6)} "
                                f"at {max(ladder)} dps ({n} seeded draws)")]
    return Link(index, b.label, Status.CONFIRMED, "global search", evidence=tuple(lines), scope="points")


def _shrink_numeric(gap: Gap, texts, box, dps: int, strict: bool):
    """Without balls: the shortest decimal point (then 0, +-1, 1/2, 2 per coordinate) still violating
    the bound at ``dps`` digits; returns (texts, value)."""
    def bad(pt):
        try:
            v = gap.value(pt, dps)
        except (ValueError, ZeroDivisionError, TypeError):
            return None
        return v if isinstance(v, mp.mpf) and (v <= 0 if strict else v < 0) else None
    pts = [tuple(text_of(round(float(c), k)) for c in texts) for k in range(0, 16)] + [tuple(texts)]
    best = next(p for p in pts if all(lo <= float(t) <= hi for t, (lo, hi) in zip(p, box)) and bad(p) is not None)
    for i in range(len(best)):
        for cand in ("0", "1", "-1", "0.5", "2", "-2"):
            trial = best[:i] + (cand,) + best[i + 1:]
            if box[i][0] <= float(cand) <= box[i][1] and bad(trial) is not None:
                best = trial
                break
    return best, bad(best)


def at_point(b, gap: Gap, texts, claim, index, ladder) -> Link:
    """A bound at one point (a reproduce line, or no free symbols): the enclosure decides."""
    if gap.ball is None:
        return Link(index, b.label, Status.INCONCLUSIVE, "undecided", scope="points",
                    evidence=(("certified", f"none: arb lacks {gap.missing}"),))
    v = gap.at(texts)
    if v.is_finite() and (v <= 0 if b.strict else v < 0):
        return refuted_link(b.lhs, b.rhs, gap, Witness(tuple(texts), 0.0, v), claim, index, b.label,
                            ladder, "interval arithmetic (arb)")
    ev = (("at", _where(gap.symbols, texts)), ("certified", f"rhs - lhs in {interval_text(v)} (arb)"))
    if v.is_finite() and (v > 0 if b.strict else v >= 0):
        status = Status.PROVED if not gap.symbols else Status.CONFIRMED
        return Link(index, b.label, status, "interval arithmetic (arb)", evidence=ev,
                    scope="box" if not gap.symbols else "points")
    if not gap.symbols and not b.strict and zero(gap.expr):
        return Link(index, b.label, Status.PROVED, "symbolic (equality)", evidence=ev, scope="general")
    return Link(index, b.label, Status.INCONCLUSIVE, "undecided", evidence=ev, scope="points")
