"""Checks: an identity, a chain of steps, an agreement -> Link records with their evidence.

Order (stop at the first verdict): the symbolic ladder in a worker (PROVED, or an exact
counterexample), then mpmath at seeded random points on the dps ladder (REFUTED when a mismatch
is stable across precisions, CONFIRMED when every point agrees), else INCONCLUSIVE.
"""
from __future__ import annotations

import zlib
from dataclasses import replace

import mpmath as mp
import sympy as sp

from numerics.precision import digits, fmt, rel_diff, rtol_for, sci

from .numeric import Evaluator, PointResult, compare_point, sample_points, shrink
from .records import Agreement, Claim, Link, Status
from .refute import certify, hidden_difference, hidden_evidence, second_route, sign_hint
from .symbolic import decide_zero

F64_FLOOR = 1e-13        # float64 differences below this are rounding noise: they differ between platforms
MAX_DRAWS = 4            # draws per requested point before giving up on unevaluable points


def seed_for(*parts) -> int:
    """A stable 31-bit seed from text parts (claim id, link index, user seed)."""
    return zlib.crc32("/".join(map(str, parts)).encode()) & 0x7FFFFFFF


def _symbols(*exprs):
    syms = set()
    for e in exprs:
        syms |= getattr(sp.sympify(e) if not isinstance(e, sp.MatrixBase) else e, "free_symbols", set())
    return sorted(syms, key=str)


def _numeric(ev: Evaluator, claim: Claim, ladder, seed: int):
    """Evaluate at ``claim.points`` seeded points; returns (results, failed evaluations)."""
    results, errors = [], []
    draws = sample_points(ev.symbols, claim.domain, claim.points, seed)
    want = claim.points if ev.symbols else 1
    for _ in range(MAX_DRAWS * want):
        res = compare_point(ev, next(draws), ladder)
        (errors if res.outcome == "error" else results).append(res)
        if res.outcome == "mismatch" or len(results) >= want:
            break
    return results, errors


def _point_text(point: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items()) or "(no free symbols)"


def _mismatch_evidence(res: PointResult, names, shrunk: bool):
    (d1, l1, r1), (d2, l2, r2) = res.rungs[-2], res.rungs[-1]
    i = max(range(len(l2)), key=lambda j: rel_diff(l2[j], r2[j]))
    entry = f" (entry {i})" if len(l2) > 1 else ""
    n = min(d1, 30)
    ab = abs(l2[i] - r2[i])
    return [
        ("at", _point_text(res.point) + ("   (shrunk)" if shrunk else "")),
        ("values", f"{names[0]}{entry} = {fmt(l1[i], n)}\n{names[1]}{entry} = {fmt(r1[i], n)}"),
        ("difference", f"abs {sci(ab)}, rel {sci(res.rel)}; tolerance rtol {sci(rtol_for(d2))}"),
        ("precision", f"stable at {d1} and {d2} dps -> a real mismatch, not rounding"),
    ]


def check_identity(lhs, rhs, claim: Claim, index: int, label: str, ladder, seed: int,
                   names=("lhs", "rhs")) -> tuple[Link, object]:
    """One identity -> (Link, residual expression or None)."""
    sym_seed = seed_for(claim.id, index, seed)
    is_mat = isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase)
    lhs_, rhs_ = (sp.Matrix(lhs), sp.Matrix(rhs)) if is_mat else (sp.sympify(lhs), sp.sympify(rhs))
    if is_mat and lhs_.shape != rhs_.shape:
        raise ValueError(f"{label or 'identity'}: shapes {lhs_.shape} and {rhs_.shape} differ")
    resid = rhs_ - lhs_
    dec = decide_zero(resid, claim.timeout, claim.simplifiers, sym_seed, claim.memory_mb)
    ev = Evaluator(lhs_, rhs_, _symbols(lhs_, rhs_))
    results, errors = _numeric(ev, claim, ladder, sym_seed) if claim.points else ([], [])
    if dec.outcome == "zero" and dec.heuristic and any(r.outcome == "mismatch" for r in results):
        # A heuristic simplifier (simplify, a claim's own) can return a false zero, and whether it does
        # can depend on the process (SymPy orders some internals by object address): a mismatch that
        # survives the second route below then decides, exactly as if the stage had not reduced.
        res = next(r for r in results if r.outcome == "mismatch")
        if second_route(ev, res, ladder)[0]:
            dec = replace(dec, outcome="undecided", method="", heuristic=False)
    agree = [r for r in results if r.outcome == "agree"]
    bad = next((r for r in results if r.outcome == "mismatch"), None)
    worst = max((r.rel for r in agree), default=None)
    ev_lines, reproduce, certified, survives, cx_rel = [], "", "", True, None
    if dec.outcome not in ("zero",):
        ev_lines.append(("residual", f"{names[1]} - {names[0]} = {dec.residual}   "
                                     f"({_ladder_text(dec)})"))
    if dec.outcome == "nonzero":
        ev_lines.append(("exact", dec.detail))
    if bad is not None:
        vals, res = shrink(ev, tuple(bad.point.values()), ladder, claim.domain)
        res = res or bad
        cx_rel = float(res.rel)
        ev_lines += _mismatch_evidence(res, names, res is not bad)
        survives, route = second_route(ev, res, ladder)
        ev_lines.append(("second", route))
        entry = _worst_entry(res)
        certified = certify(ev.sides[0], ev.sides[1], ev.symbols, res.point, entry, max(ladder))
        ev_lines.append(("certified", certified))
        ev_lines += sign_hint(ev, res.point, claim.domain, ladder, also=bad.point)
        pt = ",".join(f"{k}={v}" for k, v in res.point.items())
        reproduce = f'derivcheck check "{claim.source}::{claim.name}"' + (f" --at {pt}" if pt else "") \
            + f" --dps {','.join(map(str, ladder))}"
    hidden = None
    if dec.outcome != "zero" and bad is None and agree and dec.exprs:
        hidden = hidden_difference(dec, ev.symbols, agree, ladder)
        if hidden is not None:
            ev_lines += hidden_evidence(hidden, names)
            pt = ",".join(f"{k}={v}" for k, v in hidden[0].items())
            reproduce = f'derivcheck check "{claim.source}::{claim.name}"' + (f" --at {pt}" if pt else "")
    num_text = _numeric_text(results, errors, ladder, claim.points)
    certain = certified.startswith("certified")
    if dec.outcome == "zero":
        if bad is not None:
            status, basis, scope = Status.INCONCLUSIVE, "symbolic and numeric disagree", "points"
            ev_lines.insert(0, ("conflict", f"{dec.method} reduced the residual to 0, yet a stable "
                                            "numeric mismatch exists: check the symbols' assumptions"))
        else:
            status, scope = Status.PROVED, "general"
            basis = "exact random points" if dec.method == "exact random points" else f"symbolic ({dec.method})"
            if dec.detail:
                ev_lines.append(("exact", dec.detail))
    elif dec.outcome == "nonzero":
        status, scope = Status.REFUTED, "general"
        basis = "exact random points" if dec.method == "exact random points" else f"symbolic ({dec.method})"
    elif bad is not None and not survives:
        status, basis, scope = Status.INCONCLUSIVE, "mismatch not reproduced by a second route", "points"
    elif bad is not None:
        status, scope = Status.REFUTED, "points"
        basis = "numeric at points" + (" (certified)" if certain else "")
    elif hidden is not None:
        status, basis, scope = Status.REFUTED, "numeric (the residual itself)", "points"
    elif results and len(agree) == len(results) and len(results) >= (claim.points if ev.symbols else 1):
        status, basis, scope = Status.CONFIRMED, "numeric at points", "points"
    else:
        status, basis, scope = Status.INCONCLUSIVE, "undecided", "points"
    if dec.outcome in ("timeout", "error") or (dec.outcome == "undecided" and status != Status.REFUTED):
        ev_lines.append(("symbolic", dec.detail or _ladder_text(dec)))
    if num_text:
        ev_lines.append(("numeric", num_text))
    if status is Status.REFUTED:                 # the counterexample's size, not the agreeing points'
        worst = cx_rel
    link = Link(index, label, status, basis, residual="" if dec.outcome == "zero" else dec.residual,
                worst_rel=None if worst is None or hidden else float(worst),
                digits=None if worst is None or hidden or status is Status.REFUTED else digits(worst),
                evidence=tuple(ev_lines), reproduce=reproduce, scope=scope,
                certified=certified if status is Status.REFUTED else "")
    return link, (None if dec.outcome == "zero" else resid)


def _worst_entry(res: PointResult) -> int:
    _, l2, r2 = res.rungs[-1]
    return max(range(len(l2)), key=lambda j: rel_diff(l2[j], r2[j]))


def _ladder_text(dec) -> str:
    if dec.outcome == "timeout":
        return dec.detail
    if dec.outcome == "nonzero":
        return "exact evaluation: not identically zero"
    last = dec.stages[-1] if dec.stages else "expand"
    return f"{last} did not reach 0"


def _numeric_text(results, errors, ladder, wanted) -> str:
    if not results and not errors:
        return ""
    agree = [r for r in results if r.outcome == "agree"]
    parts = [f"{len(agree)} of {len(results)} seeded points agree at {'/'.join(map(str, ladder))} dps"]
    if agree:
        worst = max(r.rel for r in agree)
        parts.append(f"worst rel. diff {sci(worst)} ({digits(worst)} digits)")
    zero = [r for r in agree if r.note]
    if zero:
        parts.append(f"{len(zero)} by a residual that falls with precision")
    undecided = [r for r in results if r.outcome == "undecided"]
    if undecided:
        parts.append(f"{len(undecided)} undecided ({undecided[0].note})")
    if errors:
        parts.append(f"{len(errors)} draws not evaluable (e.g. at {_point_text(errors[0].point)}: "
                     f"{errors[0].note})")
    if len(results) < wanted and not any(r.outcome == "mismatch" for r in results):
        parts.append(f"only {len(results)} of {wanted} points evaluable")
    return "; ".join(parts)


def check_agreement(a: Agreement, index: int, label: str, resolution: float = 0.1) -> Link:
    """|obs - exp| <= atol + rtol*|exp| + k_sigma*error; too large an error decides nothing, and
    neither does a tolerance above ``resolution`` times |expected| (or |scale|).
    The comparison runs at the estimate's precision (plus guard digits), not at mpmath's default."""
    with mp.workdps(max(15, a.estimate.dps or 15) + 5):
        return _check_agreement(a, index, label, a.resolution or resolution)


def _check_agreement(a: Agreement, index: int, label: str, resolution: float) -> Link:
    est = a.estimate
    obs, err = mp.mpmathify(est.value), mp.mpmathify(est.error or 0)
    exp_ = mp.mpmathify(a.expected)
    dev = abs(obs - exp_)
    tol = mp.mpmathify(a.atol) + mp.mpmathify(a.rtol) * abs(exp_) + a.k_sigma * err
    scale = abs(mp.mpmathify(a.scale)) if a.scale is not None else abs(exp_)
    rel = dev / abs(exp_) if exp_ else dev
    z = f", z = {fmt(dev / err, 3)}" if err else ""
    lines = [("estimate", est.describe()),
             ("expected", fmt(exp_)),
             ("difference", f"abs {sci(dev)}, rel {sci(rel)}{z}; tolerance {sci(tol)} "
                            f"(atol {sci(a.atol)} + rtol {sci(a.rtol)}*|exp| + {a.k_sigma:g} sigma)")]
    if err:
        lines.append(("error", est.error_text()))
    status = Status.CONFIRMED if dev <= tol else Status.REFUTED
    if a.max_error is not None and err > mp.mpmathify(a.max_error):
        status = Status.INCONCLUSIVE
        lines.append(("resolution", f"error {sci(err)} exceeds the {sci(a.max_error)} this claim "
                                    "needs to decide: raise n or dps"))
    elif status is Status.CONFIRMED and tol > 0 and (scale == 0 or tol > resolution * scale):
        status = Status.INCONCLUSIVE
        against = (f"{resolution:g} x |scale| = {sci(resolution * scale)}" if a.scale is not None else
                   f"{resolution:g} x |expected| = {sci(resolution * scale)}")
        why = ("the expected value is 0: declare scale= (the size an error would have)" if scale == 0
               else f"tolerance {sci(tol)} against {against}")
        lines.append(("resolution", f"the estimate cannot resolve the claim: {why}; reduce the error "
                                    "or the tolerance, or declare a coarser resolution= with a reason"))
    elif status is Status.CONFIRMED and tol == 0:
        lines.append(("resolution", "exact comparison (tolerance 0)"))
    elif status is Status.CONFIRMED:
        lines.append(("resolution", f"tolerance {sci(tol)} = {sci(tol / scale)} of |"
                                    f"{'scale' if a.scale is not None else 'expected'}| "
                                    f"(at most {resolution:g})"))
    floored = est.dps is None and rel < F64_FLOOR        # float64 rounding noise: a bound, not digits
    rel = mp.mpf(F64_FLOOR) if floored else rel
    return Link(index, label, status, est.method or "estimate", worst_rel=float(rel),
                digits=digits(rel) if exp_ else None, evidence=tuple(lines), floored=floored,
                scope="consistency" if a.consistency else "estimate", consistency=a.consistency,
                precision="float64" if est.dps is None else str(est.dps))
