"""``--at name=value,...``: pin a claim's identities to one point, refusing what cannot be meant."""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from .numeric import to_exact
from .records import Chain


class AtError(Exception):
    """An --at value that is not a number, names no symbol, or breaks a symbol's assumptions."""


def parse_at(at: str) -> dict:
    """{'p': '1', 'q': '0.5'} from 'p=1,q=0.5', every value a decimal or complex number."""
    try:
        pairs = dict(kv.split("=", 1) for kv in at.split(","))
    except ValueError:
        raise AtError(f"--at {at!r}: write name=value pairs separated by commas") from None
    for k, v in pairs.items():
        try:
            to_exact(v.strip())
        except (TypeError, ValueError):
            raise AtError(f"--at {k}={v}: {v!r} is not a number (write 1.5, -2 or 0.5+1j)") from None
    return {k.strip(): v.strip() for k, v in pairs.items()}


def _symbols(claim) -> dict:
    out = claim.fn() if "dps" not in claim.fn.__code__.co_varnames[:claim.fn.__code__.co_argcount] \
        else claim.fn(dps=claim.dps[0])
    items = out if isinstance(out, (list, tuple)) else [out]
    syms = set()
    for it in items:
        exprs = [s.expr for s in it.steps] if isinstance(it, Chain) else \
            [getattr(it, a) for a in ("lhs", "rhs", "f") if hasattr(it, a)]     # identity, bound, extremum
        for e in exprs:
            syms |= getattr(e if isinstance(e, sp.MatrixBase) else sp.sympify(e), "free_symbols", set())
    return {str(s): s for s in syms}


def _breaks(sym, value) -> str:
    v = to_exact(value)
    if not v.is_real and sym.is_real:
        return "is real"
    for flag, ok in (("positive", lambda: v > 0), ("nonnegative", lambda: v >= 0),
                     ("negative", lambda: v < 0), ("integer", lambda: v.is_integer)):
        if getattr(sym, f"is_{flag}") and not ok():
            return f"is {flag}"
    return ""


def pin(claim, at: str):
    """The claim with its identities pinned to the point (a reproduce line), or AtError."""
    pairs = parse_at(at)
    try:
        syms = _symbols(claim)
    except Exception:
        syms = None                           # the claim's code raises: the run will say so
    if syms is not None:
        unknown = sorted(set(pairs) - set(syms))
        if unknown:
            raise AtError(f"--at {unknown[0]}=...: {claim.name} has no symbol {unknown[0]!r} "
                          f"(its symbols: {', '.join(sorted(syms)) or 'none'})")
        for k, v in pairs.items():
            why = _breaks(syms[k], v)
            if why:
                raise AtError(f"--at {k}={v}: {k} {why} by its assumptions in {claim.source}")
    return replace(claim, domain={k: [v] for k, v in pairs.items()}, points=1)
