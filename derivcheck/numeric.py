"""Numeric evidence for an identity: seeded random points, evaluated on a precision ladder.

A point agrees when the relative difference at the top rung is within ``rtol_for(dps)``, or when
the residual shrinks with precision (a value that is zero up to rounding). It mismatches only
when the residual is stable across two rungs: the same nonzero number at both precisions. Anything
else climbs the ladder (doubling the dps up to ``MAX_DPS``) and, still undecided, stays undecided.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

import mpmath as mp
import sympy as sp

from numerics.precision import MAX_DPS, fmt, rel_diff, rtol_for

STABLE = mp.mpf(10) ** -10      # a residual that keeps 10 digits across two rungs is real


@dataclass(frozen=True)
class PointResult:
    point: dict               # Symbol -> value as text ("1.25" or "0.5+1.25j")
    outcome: str              # "agree", "mismatch", "undecided", "error"
    rungs: tuple = ()         # (dps, lhs, rhs) per evaluated rung
    rel: object = None        # relative difference at the top rung
    note: str = ""


def _draw(sym, spec, rng: random.Random) -> str:
    """One value for ``sym``: from the claim's domain spec, else from the symbol's assumptions."""
    if callable(spec):
        return str(spec(rng))
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(v, (int, float)) for v in spec):
        return f"{rng.uniform(*spec):.4g}"                  # (lo, hi): a real interval
    if isinstance(spec, (list, tuple)):
        return str(rng.choice(spec))                        # a list of values to choose from
    if sym.is_integer:
        lo, hi = (1, 12) if sym.is_positive else (0, 12) if sym.is_nonnegative else (-10, 10)
        return str(rng.randint(lo, hi) * (-1 if sym.is_negative else 1) or 0)
    if sym.is_positive or sym.is_nonnegative or sym.is_negative or sym.is_nonpositive:
        v = 10 ** rng.uniform(-1, 1)
        return f"{-v if (sym.is_negative or sym.is_nonpositive) else v:.4g}"
    if sym.is_real:
        return f"{rng.uniform(-5, 5):.4g}"
    return f"{rng.uniform(-3, 3):.4g}{rng.uniform(-3, 3):+.4g}j"


def _candidates(sym, spec):
    """Simpler values to shrink towards, respecting the symbol's domain."""
    vals = ["0", "1", "-1", "2", "0.5", "-2", "3"]
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(v, (int, float)) for v in spec):
        return [v for v in vals if spec[0] <= float(v) <= spec[1]]
    if spec is not None:
        return []
    if sym.is_integer:
        vals = [v for v in vals if "." not in v]
    if sym.is_positive:
        return [v for v in vals if float(v) > 0]
    if sym.is_nonnegative:
        return [v for v in vals if float(v) >= 0]
    if sym.is_negative:
        return [v for v in vals if float(v) < 0]
    if sym.is_zero is False:
        return [v for v in vals if float(v) != 0]
    return vals


_COMPLEX = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([+-][0-9.]+(?:[eE][+-]?[0-9]+)?)j$")


def to_mp(text: str):
    """A point's value at the current working precision; decimal text is read exactly.

    >>> to_mp("0.5-1.25j")
    mpc(real='0.5', imag='-1.25')
    """
    m = _COMPLEX.match(text)
    return mp.mpc(mp.mpf(m.group(1)), mp.mpf(m.group(2))) if m else mp.mpf(text)


def to_exact(text: str):
    """A point's value as an exact SymPy number (decimal text read exactly, never as a float).

    >>> to_exact("0.1-2.5j")
    1/10 - 5*I/2
    """
    m = _COMPLEX.match(text)
    if m:
        return sp.Rational(m.group(1)) + sp.I * sp.Rational(m.group(2))
    return sp.Rational(text)


UNEVALUATED = (sp.Derivative, sp.Integral, sp.Sum, sp.Product, sp.Limit)


def _prepare(expr):
    """Derivatives are taken symbolically (exact); integrals, sums, products and limits are kept
    for evaluation at the point, at the working precision."""
    if expr.has(sp.Derivative):
        expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    return expr


def evalf_at(expr, symbols, vals, dps: int):
    """``expr`` at the point by SymPy's evalf: the point substituted exactly, limits taken,
    integrals, sums and products evaluated numerically at ``dps`` (+5 guard) digits."""
    subs = {s: to_exact(v) for s, v in zip(symbols, vals)}
    e = expr.xreplace(subs)
    if e.has(sp.Limit):
        e = e.replace(lambda a: isinstance(a, sp.Limit), lambda a: a.doit())
    val = sp.N(e, dps + 5, maxn=max(200, 4 * dps))
    re_, im_ = val.as_real_imag()
    if not (re_.is_Number and im_.is_Number):
        raise ValueError(f"cannot evaluate {expr} to a number")
    to = lambda v: mp.mpf(sp.Float(v, dps + 5)._mpf_)
    return mp.mpc(to(re_), to(im_)) if im_ else to(re_)


def _entries(expr) -> list:
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    if isinstance(expr, (list, tuple)):
        return [sp.sympify(e) for e in expr]
    return [sp.sympify(expr)]


class Evaluator:
    """Both sides lambdified once to mpmath (entrywise for matrices); evalf where mpmath lacks."""

    def __init__(self, lhs, rhs, symbols):
        self.symbols = list(symbols)
        self.sides = tuple([_prepare(e) for e in _entries(side)] for side in (lhs, rhs))
        if len(self.sides[0]) != len(self.sides[1]):
            raise ValueError(f"sides have {len(self.sides[0])} and {len(self.sides[1])} entries")
        self.fns = [self._lambdify(side) for side in self.sides]

    def _lambdify(self, side):
        if any(e.has(*UNEVALUATED) for e in side):
            return None                            # evaluated by evalf at the working precision
        try:
            return sp.lambdify(self.symbols, side, modules="mpmath")
        except Exception:
            return None

    def _evalf(self, side, vals, dps):
        return [evalf_at(expr, self.symbols, vals, dps) for expr in side]

    def by_evalf(self, vals, dps):
        """(lhs entries, rhs entries) by the second route: SymPy's evalf at an exact point."""
        with mp.workdps(dps):
            return tuple(self._evalf(side, vals, dps) for side in self.sides)

    def __call__(self, vals, dps):
        """(lhs entries, rhs entries) at ``dps`` digits."""
        with mp.workdps(dps):
            args = [to_mp(v) for v in vals]
            out = []
            for side, fn in zip(self.sides, self.fns):
                try:
                    vec = fn(*args) if fn is not None else self._evalf(side, vals, dps)
                except (NameError, TypeError, AttributeError):
                    vec = self._evalf(side, vals, dps)
                vec = [+mp.mpmathify(v) for v in vec]
                if not all(mp.isfinite(v) for v in vec):
                    raise ZeroDivisionError(f"non-finite value {mp.nstr(vec[0], 5)}")
                out.append(vec)
            return tuple(out)


def _unsettled(a1, a2, d1) -> bool:
    """A side whose value moves between rungs by more than 1e-3 relative (ill-conditioned: e.g.
    exp(exp(1000)) needs hundreds of digits) decides nothing; values near 0 are rounding noise."""
    scale = max(abs(a1), abs(a2))
    return scale > mp.mpf(10) ** (-d1 // 2) and abs(a1 - a2) > mp.mpf("1e-3") * scale


def _classify(l1, r1, l2, r2, d1, d2):
    """One entry at two rungs: 'agree', 'zero' (residual falls with precision), 'mismatch'
    (the same nonzero residual at both rungs, beyond tolerance at both), or None (climb).
    Nothing is decided while either side is still moving with precision."""
    if _unsettled(l1, l2, d1) or _unsettled(r1, r2, d1):
        return None
    if rel_diff(l2, r2) <= rtol_for(d2):
        return "agree"
    res1, res2 = l1 - r1, l2 - r2
    if res2 and abs(res1 - res2) <= STABLE * abs(res2) and rel_diff(l1, r1) > rtol_for(d1):
        return "mismatch"
    if abs(res2) <= abs(res1) * mp.mpf(10) ** (-(d2 - d1) / 2):
        return "zero"
    return None


def compare_point(ev: Evaluator, vals, ladder) -> PointResult:
    """Climb the ladder at one point until agreement or a stable mismatch is established."""
    point = dict(zip(ev.symbols, vals))
    todo = sorted(set(ladder))
    if len(todo) < 2:
        todo.append(2 * todo[0])
    rungs = []
    while todo:
        d = todo.pop(0)
        try:
            lhs, rhs = ev(vals, d)
        except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError) as exc:
            return PointResult(point, "error", tuple(rungs),
                               note=f"{type(exc).__name__}: {exc or 'division by zero'}")
        rungs.append((d, lhs, rhs))
        if todo:
            continue                               # finish the requested ladder first
        (d1, l1, r1), (d2, l2, r2) = rungs[-2], rungs[-1]
        with mp.workdps(d2):
            kinds = [_classify(*e, d1, d2) for e in zip(l1, r1, l2, r2)]
            rel = max((rel_diff(a, b) for a, b, k in zip(l2, r2, kinds) if k != "zero"),
                      default=mp.mpf(0))
        if "mismatch" in kinds:
            return PointResult(point, "mismatch", tuple(rungs), rel)
        if None not in kinds:
            note = ""
            if "zero" in kinds:
                i = kinds.index("zero")
                note = (f"residual falls with precision: {fmt(abs(l1[i] - r1[i]), 3)} at {d1} dps, "
                        f"{fmt(abs(l2[i] - r2[i]), 3)} at {d2} dps")
            return PointResult(point, "agree", tuple(rungs), rel, note=note)
        if 2 * d <= MAX_DPS:
            todo.append(2 * d)                     # undecided: re-evaluate at higher precision
    return PointResult(point, "undecided", tuple(rungs),
                       note=f"the sides or their residual had not settled by {MAX_DPS} dps")


def _signed(sym, spec) -> bool:
    """A real symbol free to take either sign (no domain given)."""
    return spec is None and bool(sym.is_real) and not sym.is_integer and not any(
        (sym.is_positive, sym.is_nonnegative, sym.is_negative, sym.is_nonpositive))


def sample_points(symbols, domain: dict, n: int, seed: int):
    """Seeded draws, each a tuple of value texts in the order of ``symbols``.

    Real symbols free in sign run through every sign pattern first (every orthant, when there
    are at most 2**k <= n of them), so a step valid only for positive values cannot hide.
    """
    rng = random.Random(seed)
    specs = [domain.get(s, domain.get(str(s))) for s in symbols]
    signed = [i for i, (s, sp_) in enumerate(zip(symbols, specs)) if _signed(s, sp_)]
    patterns = 2 ** len(signed) if 2 ** len(signed) <= max(n, 1) else 0
    i = 0
    while True:
        vals = [_draw(s, sp_, rng) for s, sp_ in zip(symbols, specs)]
        if i < patterns:
            for bit, j in enumerate(signed):
                mag = vals[j].lstrip("-")
                vals[j] = ("-" if (i >> bit) & 1 else "") + mag
        i += 1
        yield tuple(vals)


def shrink(ev: Evaluator, vals, ladder, domain, budget: int = 40):
    """Replace coordinates by simpler values while the mismatch persists (derandomized)."""
    vals, result = list(vals), None
    for i, sym in enumerate(ev.symbols):
        for cand in _candidates(sym, domain.get(sym, domain.get(str(sym)))):
            if budget <= 0 or cand == vals[i]:
                continue
            budget -= 1
            trial = vals[:i] + [cand] + vals[i + 1:]
            res = compare_point(ev, trial, ladder)
            if res.outcome == "mismatch":
                vals, result = trial, res
                break
    return tuple(vals), result
