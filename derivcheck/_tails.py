"""Tails of a one-variable bound: lhs <= rhs on x >= X (or x <= -X) by exact sign rules.

Balls cannot reach infinity, so beyond the box a bound needs an argument. On a tail, write
x = X + s (x = -X - s on the left) with s >= 0, and prove each step d = next - prev >= 0 of the
chain lhs <= m1 <= ... <= rhs (just lhs <= rhs when no intermediate expressions are given) by
the first rule that applies:

- ``sign``: SymPy shows d(s) >= 0 for every s >= 0 (a manifestly nonnegative form after
  ``together``/``factor``, or a polynomial in s with nonnegative coefficients);
- ``rising``: d(0), ..., d^(k-1)(0) >= 0 (exactly, or certified in ball arithmetic) and d^(k)
  has a manifest sign, k <= 3 (Taylor's formula with integral remainder);
- ``falling``: the limit of d as s -> oo is >= 0 (SymPy) and -d' >= 0 by ``sign`` or ``rising``
  (d decreases to its limit);
- ``squares`` and ``logs``: d = A - B with A, B sums of manifestly nonnegative terms, and
  A^2 - B^2 >= 0 (a square root against a rational function) or log A - log B >= 0 (an
  exponential against a power: e^-x <= (x + 1)^-2 for x >= 30) by the rules above.

For the tails named in ``tails=`` every rule is tried (``falling`` needs a SymPy limit, the
slowest part); for the others only the quick rules (sign, rising) on lhs <= rhs itself.
"""
from __future__ import annotations

import sympy as sp

from ._arb import Unsupported, compile_expr, workprec

S = sp.Symbol("s", nonnegative=True)
MAX_OPS = 150          # larger expressions are not factored (too slow to be worth it)


def _constants(e):
    """Non-rational constant atoms (log(2), pi, sqrt(2), exp(-30)) -> signed dummies, so that
    SymPy's sign rules work on the structure without slow numerical evaluation."""
    subs = {}
    for a in e.atoms(sp.Function, sp.Pow, sp.NumberSymbol):
        if a.is_number and not a.is_Rational:
            try:
                with workprec(128):
                    v = compile_expr(a, [])([])
            except (Unsupported, ValueError, TypeError):
                continue
            if v.is_finite() and (v > 0 or v < 0):
                subs[a] = sp.Dummy(positive=True) if v > 0 else sp.Dummy(negative=True)
    return subs


def _manifest(e, strict: bool = False) -> bool:
    """SymPy's sign rules show e >= 0 (e > 0 when strict) for every s >= 0 (constants replaced by
    signed symbols; a numerator polynomial in s checked coefficient by coefficient in balls)."""
    e = sp.sympify(e)
    if e.is_number:
        return _nonneg_number(e, strict)
    subs = _constants(e)
    q = e.xreplace(subs)
    if q.is_positive or (not strict and q.is_nonnegative):
        return True
    if sp.count_ops(q) > MAX_OPS:
        return False
    try:
        t = sp.together(q)
        n, d = sp.fraction(sp.factor(t))
        if t.is_positive or (n.is_positive and d.is_positive):
            return True
        if strict:
            return False
        if t.is_nonnegative or (n.is_nonnegative and d.is_positive):
            return True
        n, d = sp.fraction(sp.together(e))
        coeffs = sp.Poly(sp.expand(n), S).coeffs()
        if any(c.free_symbols for c in coeffs):
            return False
        return bool(d.xreplace(subs).is_positive) and all(_nonneg_number(c) for c in coeffs)
    except (sp.PolynomialError, sp.GeneratorsNeeded, TypeError, ValueError):
        return False


def _nonneg_number(c, strict: bool = False) -> bool:
    c = sp.sympify(c)
    if c.is_positive or (not strict and (c == 0 or c.is_nonnegative)):
        return True
    try:
        with workprec(128):
            v = compile_expr(c, [])([])
        return v.is_finite() and bool(v > 0 if strict else v >= 0)
    except (Unsupported, ValueError, TypeError):
        return False


def _rising(e, k_max: int = 3, strict: bool = False) -> str:
    if _manifest(e, strict):
        return "sign"
    d = e
    for k in range(1, k_max + 1):
        if not _nonneg_number(d.subs(S, 0), strict and k == 1):
            return ""
        d = sp.diff(d, S)
        if _manifest(d):
            return f"rising (order {k})"
    return ""


def _falling(e, strict: bool = False) -> str:
    try:
        lim = sp.limit(e, S, sp.oo)
    except Exception:
        return ""
    if lim.is_finite is False and lim != sp.oo:
        return ""
    if not (lim == sp.oo or _nonneg_number(lim)):
        return ""
    how = _rising(-sp.diff(e, S)) if not strict else ("sign" if _manifest(-sp.diff(e, S), True) else "")
    return f"falling to the limit {lim} ({how} for -d')" if how else ""


def _split(d):
    """(A, B) with d = A - B and A, B sums of manifestly nonnegative terms, else None."""
    terms = sp.Add.make_args(sp.expand(d))
    a = [t for t in terms if _manifest(t)]
    b = [-t for t in terms if not _manifest(t)]
    if not a or not b or not all(_manifest(t) for t in b):
        return None
    return sp.Add(*a), sp.Add(*b)


def _forms(d):
    """d itself, then A^2 - B^2 and log A - log B for d = A - B (each >= 0 iff d >= 0)."""
    out = [("", d)]
    ab = _split(d)
    if ab is not None:
        a, b = ab
        out.append(("squares, ", sp.expand(a**2 - b**2)))
        if _manifest(a, True) and _manifest(b, True):          # logs need both sides positive
            out.append(("logs, ", sp.expand_log(sp.log(a), force=True) - sp.expand_log(sp.log(b), force=True)))
    return out


def prove_step(prev, nxt, x, X, side: int, deep: bool = True, strict: bool = False) -> str:
    """The rule proving prev <= nxt for x = X + side*s, s >= 0; '' when none applies.
    ``deep=False`` tries only the quick rules (sign, rising) on d itself."""
    at = {x: X + side * S}
    d = sp.sympify(nxt).subs(at) - sp.sympify(prev).subs(at)
    how = _rising(d, strict=strict) or (deep and _falling(d, strict))
    if how or not deep:
        return how or ""
    forms = _forms(d)[1:]
    for name, e in forms:
        how = _rising(e, strict=strict)
        if how:
            return name + how
    for name, e in forms:
        how = _falling(e, strict)
        if how:
            return name + how
    return ""


def prove_tail(lhs, rhs, chain, x, X, side: int, deep: bool = True, strict: bool = False):
    """(proved?, text): the chain lhs <= m1 <= ... <= rhs on the tail, step by step."""
    seq = [lhs, *chain, rhs]
    where = f"{x} >= {X}" if side > 0 else f"{x} <= {X}"
    rules = []
    for k in range(1, len(seq)):
        how = prove_step(seq[k - 1], seq[k], x, X, side, deep, strict)
        if not how:
            step = f"step {k} ({sp.sstr(seq[k - 1])[:40]} <= {sp.sstr(seq[k])[:40]})" if chain else "lhs <= rhs"
            return False, f"{where}: {step} not decided by the tail rules (sign, rising, falling, logs)"
        rules.append(how)
    via = f" via {len(chain)} intermediate expression(s)" if chain else ""
    return True, f"{where}: proved exactly{via} ({'; '.join(rules)})"
