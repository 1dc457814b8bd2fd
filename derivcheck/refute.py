"""What a REFUTED identity must survive before it is printed, and what the sides can hide.

- ``second_route``: the counterexample re-evaluated by SymPy's evalf at an exact point and twice
  the top precision, a path that shares nothing with the mpmath code of the ladder;
- ``certify``: the difference enclosed in a ball (python-flint) that excludes 0, where the
  functions involved have enclosures;
- ``hidden_difference``: the residual forms the symbolic ladder reached, evaluated at points where
  the sides agree: a dropped e^-10000 term is far below the sides' precision, but the residual
  itself is the same nonzero number at two precisions;
- ``sign_hint``: a hint about missing sign assumptions, given only when the claim holds at the
  positive counterpart of the counterexample.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from numerics.precision import fmt, rel_diff, rtol_for

from .numeric import STABLE, Evaluator, PointResult, compare_point, evalf_at

MAX_FORMS = 4            # residual forms evaluated (the smallest ones the ladder reached)
MAX_FORM_POINTS = 3      # agreeing points at which they are evaluated


def second_route(ev: Evaluator, res: PointResult, ladder) -> tuple[bool, str]:
    """(survives, text): does the mismatch at ``res.point`` hold by SymPy's evalf at 2x the top dps?"""
    top = max(d for d, _, _ in res.rungs)
    d2 = 2 * top
    vals = tuple(res.point.values())
    _, l1, r1 = res.rungs[-1]
    try:
        l2, r2 = ev.by_evalf(vals, d2)
    except Exception as exc:                       # evalf cannot evaluate what mpmath could
        return True, f"second route unavailable ({type(exc).__name__}: {exc}); rests on the ladder"
    with mp.workdps(d2):
        i = max(range(len(l1)), key=lambda j: rel_diff(l1[j], r1[j]))
        diff1, diff2 = l1[i] - r1[i], l2[i] - r2[i]
        same = rel_diff(l2[i], r2[i]) > rtol_for(d2) and abs(diff2 - diff1) <= mp.mpf(10)**-6 * abs(diff1)
    n = min(top, 30)
    text = (f"SymPy evalf at the exact point, {d2} dps: lhs - rhs = {fmt(diff2, n)} "
            f"(ladder: {fmt(diff1, n)})")
    return same, text


def certify(lhs: list, rhs: list, symbols, point: dict, entry: int, dps: int) -> str:
    """How the counterexample is certified: an enclosure of lhs - rhs excluding 0, or what the
    verdict rests on instead."""
    from .bounds import certify_difference
    ls, rs = lhs, rhs
    pt = {s: point[s] for s in symbols}
    try:
        kind, text = certify_difference(sp.sympify(ls[entry]), sp.sympify(rs[entry]), pt, dps)
    except Exception as exc:
        return f"not certified ({type(exc).__name__}: {exc}); rests on two independent evaluations"
    return f"{kind}: {text}"


def _form_value(entries, symbols, vals, dps):
    with mp.workdps(dps):
        return [evalf_at(sp.sympify(e), symbols, vals, dps) if getattr(e, "free_symbols", None) is not None
                else mp.mpmathify(e) for e in entries]


def hidden_difference(dec, symbols, agree: list[PointResult], ladder):
    """(point, stage, entry, value, side value) for a residual form that is stably nonzero where the
    sides agree; None when every form falls with precision (or none can be evaluated)."""
    forms = sorted(dec.exprs[1:], key=lambda f: sum(sp.count_ops(e) for e in f[1]))[:MAX_FORMS]
    d1, d2 = min(ladder), max(max(ladder), 2 * min(ladder))
    for res in agree[:MAX_FORM_POINTS]:
        vals = tuple(res.point.values())
        for stage, entries in forms:
            try:
                v1, v2 = _form_value(entries, symbols, vals, d1), _form_value(entries, symbols, vals, d2)
            except Exception:
                continue
            with mp.workdps(d2):
                for i, (a, b) in enumerate(zip(v1, v2)):
                    if b != 0 and mp.isfinite(b) and abs(a - b) <= STABLE * abs(b):
                        side = res.rungs[-1][1][min(i, len(res.rungs[-1][1]) - 1)]
                        return res.point, stage, i, b, side, (d1, d2)
    return None


def hidden_evidence(found, names) -> list[tuple[str, str]]:
    point, stage, i, value, side, (d1, d2) = found
    entry = f" (entry {i})" if i else ""
    rel = abs(value) / abs(side) if side else abs(value)
    return [
        ("at", ", ".join(f"{k} = {v}" for k, v in point.items()) or "(no free symbols)"),
        ("residual", f"{names[1]} - {names[0]}{entry} after '{stage}' = {fmt(value, 15)}, the same "
                     f"at {d1} and {d2} dps"),
        ("difference", f"abs {mp.nstr(abs(value), 3)}, rel {mp.nstr(rel, 3)} against |{names[0]}| = {fmt(abs(side), 6)}: "
                       "below the precision at which the sides were compared, so the sides looked "
                       "equal; the residual itself is not zero"),
    ]


def sign_hint(ev: Evaluator, point: dict, domain: dict, ladder, also: dict | None = None) -> list[tuple[str, str]]:
    """Name symbols that took a negative value only because nothing forbade it, and only when the
    claim holds once they are made positive, at the counterexample and at the unshrunk point
    ``also`` (a shrunk point such as x = -1 can hold at x = 1 by accident)."""
    loose = [sym for sym, v in point.items() if not (sym.is_positive or sym.is_nonnegative)
             and sym not in domain and str(sym) not in domain and not sym.is_integer
             and (("j" in v and not sym.is_real) or (v.startswith("-") and sym.is_real is not False))]
    if not loose:
        return []
    flipped = tuple(_positive(v) if sym in loose else v for sym, v in point.items())
    for pt in (point, also or {}):
        if not pt:
            continue
        trial = tuple(_positive(v) if sym in loose else v for sym, v in pt.items())
        try:
            if compare_point(ev, trial, ladder).outcome != "agree":
                return []
        except Exception:
            return []
    names = ", ".join(map(str, loose))
    verb = "carries" if len(loose) == 1 else "carry"
    return [("hint", f"{names} {verb} no sign assumption, so negative or complex values are tried; the "
             f"claim holds at the positive point ({', '.join(flipped)}): if the article means positive "
             "values, create the symbols with positive=True")]


def _positive(v: str) -> str:
    if "j" in v:
        return str(abs(complex(v)))
    return v.lstrip("-")
