"""Deciding whether a residual is exactly zero, under a hard wall-clock timeout.

The ladder (expand, cancel, together, the claim's own simplifiers, then simplify) and, for
rational functions with rational coefficients, exact evaluation at random integer points with
the Schwartz-Zippel bound, all run in a forked worker process: a hung simplification is killed
after its timeout, whatever thread asked, and the caller hears which stages were reached.
"""
from __future__ import annotations

import multiprocessing as mproc
import random
import time
from dataclasses import dataclass

import sympy as sp

SZ_RANGE = 2**31            # integer points drawn from [-SZ_RANGE, SZ_RANGE]
SZ_TRIALS = 4               # independent points; P(false PROVED) <= (deg / |S|)**SZ_TRIALS


@dataclass(frozen=True)
class Decision:
    outcome: str            # "zero", "nonzero" (exact counterexample), "undecided", "timeout", "error"
    method: str = ""        # the stage that decided, e.g. "expand" or "exact random points"
    residual: str = ""      # the smallest residual reached when not zero
    detail: str = ""        # SZ bound, exact counterexample, timeout stage, error text
    stages: tuple[str, ...] = ()
    exprs: tuple = ()       # (stage, entries) of the residual forms reached, for numeric evaluation
    heuristic: bool = False  # "zero" from a heuristic stage (simplify, a claim's simplifier)

EXACT_STAGES = ("structural", "expand", "cancel", "together", "exact random points")


def _ladder(simplifiers):
    yield "expand", sp.expand
    yield "cancel", sp.cancel
    yield "together", _together
    yield "exact random points", None
    for f in simplifiers:                  # the claim's own, domain-specific and usually cheaper
        yield getattr(f, "__name__", repr(f)), f
    yield "simplify", sp.simplify


def _together(e):
    """The residual over one denominator, numerator expanded (zero iff the residual is zero)."""
    num, den = sp.fraction(sp.together(e))
    num = sp.expand(num)
    return num if num == 0 or den == 1 else num / den


def _is_rational_function(expr) -> bool:
    syms = sorted(expr.free_symbols, key=str)
    if not syms or not expr.is_rational_function(*syms):
        return False
    return all(a.is_Symbol or a.is_Rational or a is sp.I for a in expr.atoms())


def _range(sym) -> tuple[int, int]:
    """Integer points that respect the symbol's sign assumptions (a counterexample must be one)."""
    if sym.is_positive:
        return 1, SZ_RANGE
    if sym.is_negative:
        return -SZ_RANGE, -1
    if sym.is_nonnegative:
        return 0, SZ_RANGE
    if sym.is_nonpositive:
        return -SZ_RANGE, 0
    return -SZ_RANGE, SZ_RANGE


def degree_bound(expr) -> tuple[int, int]:
    """(numerator, denominator) total-degree bounds of a rational expression tree.

    >>> x, y = sp.symbols("x y")
    >>> degree_bound(x**2/(x + y) - y)
    (2, 1)
    """
    if expr.is_Symbol:
        return 1, 0
    if expr.is_Number or expr is sp.I or not expr.free_symbols:
        return 0, 0
    if expr.is_Add:
        parts = [degree_bound(a) for a in expr.args]
        den = sum(d for _, d in parts)
        return max(n + den - d for n, d in parts), den
    if expr.is_Mul:
        parts = [degree_bound(a) for a in expr.args]
        return sum(n for n, _ in parts), sum(d for _, d in parts)
    if expr.is_Pow and expr.exp.is_Integer:
        n, d = degree_bound(expr.base)
        k = int(expr.exp)
        return (k * n, k * d) if k >= 0 else (-k * d, -k * n)
    raise ValueError(f"not a rational expression: {expr}")


def schwartz_zippel(expr, seed: int):
    """Exact evaluation at random integer points; ('zero', bound) or ('nonzero', point, value)."""
    syms = sorted(expr.free_symbols, key=str)
    deg, _ = degree_bound(expr)
    ranges = {s: _range(s) for s in syms}
    size = min(hi - lo + 1 for lo, hi in ranges.values())
    rng = random.Random(seed)
    done = tries = 0
    while done < SZ_TRIALS and tries < 20 * SZ_TRIALS:
        tries += 1
        point = {s: sp.Integer(rng.randint(*ranges[s])) for s in syms}
        value = sp.expand(expr.xreplace(point))
        if value.has(sp.zoo, sp.nan, sp.oo):
            continue                       # a denominator vanished: draw again
        if value != 0:
            return "nonzero", point, value
        done += 1
    if done < SZ_TRIALS:
        return "undecided", f"denominators vanished at {tries} of {tries} points"
    bound = sp.Rational(deg, size) ** SZ_TRIALS
    return "zero", (f"exact at {SZ_TRIALS} random integer points, |coordinates| <= 2^31 and signs "
                    f"as assumed (seed {seed});"
                    f" numerator degree <= {deg}, P(nonzero identity passes) <= {sp.N(bound, 3)}"
                    " (Schwartz-Zippel)")


def _is_zero(entries) -> bool:
    return all(e == 0 for e in entries)


def _size(entries) -> int:
    return sum(sp.count_ops(e) for e in entries)


def _limit_memory(memory_mb):
    """Cap this worker's address space at its current size plus ``memory_mb`` MiB (Linux)."""
    try:
        import resource
        with open("/proc/self/status") as fh:
            vm = next(int(ln.split()[1]) * 1024 for ln in fh if ln.startswith("VmSize:"))
        cap = vm + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, OSError, ValueError, StopIteration):
        pass                                   # no ceiling where the platform cannot set one


def _worker(entries, simplifiers, seed, conn, memory_mb=None):
    if memory_mb:
        _limit_memory(memory_mb)
    try:
        _ladder_run(entries, simplifiers, seed, conn)
    except MemoryError:
        conn.send(("memory", memory_mb))


def _ladder_run(entries, simplifiers, seed, conn):
    best = entries
    for name, f in _ladder(simplifiers):
        conn.send(("stage", name))
        try:
            if f is None:
                if not all(_is_rational_function(e) or e == 0 for e in entries):
                    continue
                for i, e in enumerate(entries):
                    res = ("zero", "") if e == 0 else schwartz_zippel(e, seed + i)
                    if res[0] == "nonzero":
                        point = ", ".join(f"{k} = {v}" for k, v in res[1].items())
                        where = f" (entry {i})" if len(entries) > 1 else ""
                        conn.send(("nonzero", name, f"exact value {res[2]}{where} at {point}",
                                   _text(best)))
                        return
                    if res[0] != "zero":
                        break
                else:
                    conn.send(("zero", name, res[1] if len(entries) == 1 else
                               f"{len(entries)} entries; last: {res[1]}"))
                    return
                continue
            out = tuple(f(e) for e in entries)
        except MemoryError:
            raise
        except Exception as exc:           # a stage that fails is one rung lost, not the verdict
            conn.send(("note", f"{name} raised {type(exc).__name__}: {exc}"))
            continue
        if _is_zero(out):
            conn.send(("zero", name, ""))
            return
        const = next((i for i, e in enumerate(out) if e.is_Rational and e != 0), None)
        if const is not None:                  # a nonzero rational constant: exactly nonzero
            where = f" (entry {const})" if len(out) > 1 else ""
            conn.send(("nonzero", name, f"{name} leaves the constant {out[const]}{where}", _text(out)))
            return
        _send_form(conn, name, out)
        if best is entries or _size(out) < _size(best):
            best = out
            conn.send(("residual", name, _text(out)))
    conn.send(("undecided", "", ""))


def _send_form(conn, name, out) -> None:
    """A residual form for the caller to evaluate numerically (it may show a difference far
    below the precision of the sides, such as a dropped e^-10000 term)."""
    try:
        conn.send(("form", name, out))
    except Exception:                          # an unpicklable expression: the text still goes
        pass


def _text(entries) -> str:
    return str(entries[0]) if len(entries) == 1 else str(sp.Matrix(entries).T)


def decide_zero(expr, timeout: float = 10.0, simplifiers=(), seed: int = 0, memory_mb=None) -> Decision:
    """Is ``expr`` (a scalar, a Matrix or a sequence of entries) identically zero? Runs the ladder in a worker; never blocks past ``timeout``.

    >>> x = sp.Symbol("x")
    >>> decide_zero((x + 1)**2 - x**2 - 2*x - 1).outcome
    'zero'
    """
    entries = tuple(expr) if isinstance(expr, (list, tuple)) else (
        tuple(expr) if isinstance(expr, sp.MatrixBase) else (sp.sympify(expr),))
    entries = tuple(sp.sympify(e) for e in entries)
    if _is_zero(entries):
        return Decision("zero", "structural", stages=("structural",))
    ctx = mproc.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(entries, tuple(simplifiers), seed, send, memory_mb), daemon=True)
    proc.start()
    send.close()
    stages, residual, notes, forms = [], None, [], [("input", entries)]   # residual None: the input
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not recv.poll(left):
                where = stages[-1] if stages else "start"
                return Decision("timeout", where, residual or _text(entries),
                                f"symbolic ladder stopped after {timeout:g} s in stage '{where}'",
                                tuple(stages), tuple(forms))
            try:
                msg = recv.recv()
            except EOFError:
                return Decision("error", "", residual or _text(entries),
                                f"symbolic worker died (exit code {proc.exitcode}) in stage "
                                f"'{stages[-1] if stages else 'start'}'", tuple(stages), tuple(forms))
            kind = msg[0]
            if kind == "stage":
                stages.append(msg[1])
            elif kind == "residual":
                residual = msg[2]
            elif kind == "form":
                forms.append((msg[1], tuple(msg[2])))
            elif kind == "note":
                notes.append(msg[1])
            elif kind == "memory":
                where = stages[-1] if stages else "start"
                return Decision("timeout", where, residual or _text(entries),
                                f"symbolic ladder stopped at its memory ceiling of {msg[1]} MiB in stage "
                                f"'{where}'", tuple(stages), tuple(forms))
            elif kind == "zero":                 # a heuristic zero keeps the residual reached before it
                heuristic = msg[1] not in EXACT_STAGES
                return Decision("zero", msg[1], (residual or _text(entries)) if heuristic else "", msg[2],
                                tuple(stages), tuple(forms), heuristic)
            elif kind == "nonzero":
                return Decision("nonzero", msg[1], msg[3], msg[2], tuple(stages), tuple(forms))
            else:
                return Decision("undecided", "", residual or _text(entries), "; ".join(notes),
                                tuple(stages), tuple(forms))
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join(1)
