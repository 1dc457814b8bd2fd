"""The gap rhs - lhs of a bound: its domain, its ball, float and mpmath forms, certified witnesses,
tight points (where the gap is 0) and the global search for its smallest value."""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath as mp
import numpy as np
import sympy as sp
from flint import arb

from numerics.intervals import branch_and_bound, enclose, search

from ._arb import Unsupported, ball_of, compile_expr, workprec
from .records import Claim, Link, Status

REACH = 30           # an infinite end of the domain is cut here for the box (unless box= says)
PREC = 128           # bits of the ball arithmetic
MAX_BOXES = 20000
TIME_LIMIT = 60.0    # a safety net only: the box budgets decide, so verdicts do not depend on load


def domain_of(symbols, declared: dict) -> dict:
    """Symbol -> (lo, hi) as SymPy numbers (may be +-oo): the assumptions narrowed by ``declared``."""
    out = {}
    for s in symbols:
        if s.is_real is not True:
            raise ValueError(f"bound over {s}: a bound needs real symbols; create {s} with real=True "
                             "(or positive=True)")
        if s.is_integer:
            raise ValueError(f"bound over the integer {s}: branch and bound works over the reals; use a "
                             f"real symbol (the bound then holds between the integers too) or check instances")
        lo = 0 if (s.is_nonnegative or s.is_positive) else -sp.oo
        hi = 0 if (s.is_nonpositive or s.is_negative) else sp.oo
        spec = declared.get(s, declared.get(str(s)))
        if spec is not None:
            if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
                raise ValueError(f"domain={{{s}: {spec!r}}}: give an interval (lo, hi)")
            lo, hi = sp.Max(lo, sp.sympify(spec[0])), sp.Min(hi, sp.sympify(spec[1]))
        if not bool(sp.sympify(lo) <= sp.sympify(hi)):
            raise ValueError(f"domain of {s}: ({lo}, {hi}) is empty")
        out[s] = (sp.sympify(lo), sp.sympify(hi))
    return out


def outward(v, down: bool) -> float:
    """A float at or beyond the SymPy number v (rounded away from the inside of the interval)."""
    if v in (sp.oo, -sp.oo):
        return float(v)
    f = float(sp.N(v, 30))
    if sp.Rational(f) != v and (sp.Rational(f) > v) == down:
        f = math.nextafter(f, -math.inf if down else math.inf)
    return f


def point_box(dom: dict) -> list:
    """Float (lo, hi) per symbol where a counterexample may lie: the domain, open at 0 for
    positive and negative symbols (so that a shrunk point keeps the assumptions)."""
    out = []
    for s, (lo, hi) in dom.items():
        a, b = outward(lo, False), outward(hi, True)          # rounded inwards
        out.append((1e-300 if (s.is_positive and a == 0) else a, -1e-300 if (s.is_negative and b == 0) else b))
    return out


def finite_box(dom: dict, box: dict | None) -> list:
    """Float (lo, hi) per symbol: the domain, cut to ``box`` (default +-REACH) where infinite."""
    out = []
    for s, (lo, hi) in dom.items():
        spec = (box or {}).get(s, (box or {}).get(str(s)))
        if spec is not None:
            lo, hi = sp.Max(lo, sp.sympify(spec[0])), sp.Min(hi, sp.sympify(spec[1]))
        lo = lo if lo.is_finite else sp.Max(-REACH, sp.Min(hi, 0) - REACH)
        hi = hi if hi.is_finite else sp.Min(REACH, sp.Max(lo, 0) + REACH)
        out.append((outward(lo, True), outward(hi, False)))
    return out


def text_of(v: float) -> str:
    """A short decimal for a coordinate: '0', '1.5', '-0.003'."""
    t = f"{v:.15g}"
    return t[:-2] if t.endswith(".0") else t


@dataclass(frozen=True)
class Witness:
    point: tuple         # coordinates as decimal text
    radius: float        # every point within this distance (each coordinate) is a counterexample
    enclosure: object    # arb ball of rhs - lhs on that box


class Gap:
    """rhs - lhs compiled once: ``ball`` (arb, with a gradient for the mean-value form), ``floats``
    (numpy, for the search) and ``mp`` (mpmath, for high-precision values)."""

    def __init__(self, expr, symbols):
        self.expr, self.symbols = sp.sympify(expr), list(symbols)
        self.missing = ""
        self.ball = self.grad = None
        try:
            self.ball = compile_expr(self.expr, self.symbols)
            grads = [compile_expr(sp.diff(self.expr, s), self.symbols) for s in self.symbols]
            self.grad = lambda a: [g(a) for g in grads]
        except Unsupported as exc:
            self.missing = "" if self.ball is not None else exc.name
        self._np = sp.lambdify(self.symbols, self.expr, ["scipy", "numpy"])
        self.mp = sp.lambdify(self.symbols, self.expr, "mpmath")

    def floats(self, pts: np.ndarray) -> np.ndarray:
        """The gap at float points (m, d); NaN where it is not real."""
        with np.errstate(all="ignore"):
            try:
                v = np.asarray(self._np(*pts.T) if self.symbols else self._np())
            except (NameError, TypeError, ValueError, AttributeError):
                return np.full(len(pts), np.nan)
            if np.iscomplexobj(v):
                v = np.where(np.abs(v.imag) <= 1e-12 * np.abs(v), v.real, np.nan)
        return np.broadcast_to(v.astype(float), (len(pts),))

    def at(self, texts, radius: float = 0.0, bits: int = PREC):
        """An enclosure of the gap on the box of half-width ``radius`` around a decimal point."""
        with workprec(bits):
            balls = [ball_of(t) + (arb(0, radius) if radius else 0) for t in texts]
            return self.ball(balls)

    def bnb(self, box, strict=False, exclude=(), max_boxes=MAX_BOXES, time_limit=TIME_LIMIT):
        return branch_and_bound(self.ball, box, grad=self.grad, strict=strict, exclude=exclude,
                                max_boxes=max_boxes, time_limit=time_limit, prec=PREC)

    def value(self, texts, dps: int):
        with mp.workdps(dps):
            return self.mp(*[mp.mpf(t) for t in texts])


def _violates(v, strict: bool) -> bool:
    return v.is_finite() and bool(v <= 0 if strict else v < 0)


def certify(gap: Gap, point, box, strict: bool) -> Witness | None:
    """Shrink a violating point to short decimals and certify a box around it in ball arithmetic."""
    if gap.ball is None:
        return None
    for k in range(0, 18):
        texts = tuple(text_of(round(c, k)) if k < 17 else repr(float(c)) for c in point)
        inside = all(lo <= float(t) <= hi for t, (lo, hi) in zip(texts, box))
        if inside and _violates(gap.at(texts), strict):
            break
    else:
        return None
    texts = _simpler(gap, list(texts), box, strict)
    best = Witness(texts, 0.0, gap.at(texts))
    room = min(min(float(t) - lo, hi - float(t)) for t, (lo, hi) in zip(texts, box)) if box else 1.0
    for e in range(1, 13):
        r = 10.0 ** -e
        if r <= room:
            with workprec(PREC):
                v = enclose(gap.ball, [(float(t) - r, float(t) + r) for t in texts], gap.grad)
            if _violates(v, strict):
                return Witness(texts, r, v)
    return best


def _simpler(gap: Gap, texts: list, box, strict: bool) -> tuple:
    """Coordinate by coordinate, the simplest value (0, +-1, +-2, then 1, 2, 5 times powers of
    ten of the same sign, smallest first) that keeps the violation certified."""
    for i, t in enumerate(texts):
        c = float(t)
        mags = [m * 10.0 ** k for k in range(-3, 16) for m in (1, 2, 5) if m * 10.0 ** k < abs(c)]
        for cand in ["0", "1", "-1", "0.5", "-0.5", "2", "-2"] + [text_of(math.copysign(m, c)) for m in mags]:
            if cand == t or not (box[i][0] <= float(cand) <= box[i][1]):
                continue
            trial = texts[:i] + [cand] + texts[i + 1:]
            if _violates(gap.at(trial), strict):
                texts = trial
                break
    return tuple(texts)


def exact_candidates(point, digits: int = 6):
    """Short exact numbers near a float point (for recognising a tight point): k-digit roundings,
    then nsimplify with pi and E."""
    seen = []
    for k in range(0, digits + 1):
        t = {i: sp.Rational(text_of(round(v, k))) for i, v in enumerate(point)}
        if t not in seen:
            seen.append(t)
    try:
        seen.append({i: sp.nsimplify(v, [sp.pi, sp.E], tolerance=1e-7) for i, v in enumerate(point)})
    except (ValueError, TypeError):
        pass
    return seen


def interval_text(v, digits: int = 4) -> str:
    return f"[{mp.nstr(mp.mpf(float(v.lower())), digits)}, {mp.nstr(mp.mpf(float(v.upper())), digits)}]"


def global_min(gap: Gap, dom: dict, seed: int, dps: int, n: int = 3000, extra=()):
    """(smallest value at ``dps``, its point as texts, draws): seeded draws over the whole domain
    (log-spread on infinite sides), the best refined by pattern search, re-evaluated at dps."""
    box = [(float(lo) if lo.is_finite else -math.inf, float(hi) if hi.is_finite else math.inf)
           for lo, hi in dom.values()]
    best = search(gap.floats, box, n=n, seed=seed, starts=6, extra=extra)
    out = None
    for _, pt in best:
        texts = tuple(text_of(c) for c in pt)
        try:
            v = gap.value(texts, dps)
        except (ValueError, ZeroDivisionError, TypeError):
            continue
        if isinstance(v, mp.mpc):
            if abs(v.imag) > abs(v.real) * mp.mpf(10) ** (-dps // 2):
                continue
            v = v.real
        if out is None or v < out[0]:
            out = (v, texts)
    return (out[0], out[1], n) if out else (None, None, n)


def reproduce(claim: Claim, symbols, texts, ladder) -> str:
    pt = ",".join(f"{s}={t}" for s, t in zip(symbols, texts))
    return (f'derivcheck check "{claim.source}::{claim.name}"' + (f" --at {pt}" if pt else "")
            + f" --dps {','.join(map(str, ladder))}")


def where(symbols, texts) -> str:
    return ", ".join(f"{s} = {t}" for s, t in zip(symbols, texts)) or "(no free symbols)"


def refuted_link(b_lhs, b_rhs, gap: Gap, w, claim, index, label, ladder, basis, names=("lhs", "rhs")):
    """A REFUTED link from a certified witness: the point, both sides, the enclosure."""
    syms, d = gap.symbols, min(max(ladder), 30)
    subs = {s: sp.Rational(t) for s, t in zip(syms, w.point)}
    with mp.workdps(max(ladder)):
        vals = [sp.N(sp.sympify(e).xreplace(subs), d) for e in (b_lhs, b_rhs)]
    around = (f"every point within {w.radius:g} of it (each coordinate)" if w.radius
              else "the point itself")
    cert = f"rhs - lhs in {interval_text(w.enclosure)} < 0 on {around} (arb ball arithmetic, {PREC} bits)"
    ev = (("at", where(syms, w.point) + "   (shrunk to short decimals)"),
          ("values", f"{names[0]} = {vals[0]}\n{names[1]} = {vals[1]}"),
          ("certified", cert))
    return Link(index, label, Status.REFUTED, basis, evidence=ev, scope="box",
                reproduce=reproduce(claim, syms, w.point, ladder), certified=cert)
