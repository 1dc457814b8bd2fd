"""SymPy expressions -> callables on python-flint balls (arb for real, acb for complex arguments).

``compile_expr(expr, symbols)`` walks the expression once and returns a function of a list of
balls that encloses the expression's value on them (rigorous: every operation rounds outwards).
A function arb lacks raises ``Unsupported`` naming it, so callers can say what an enclosure
would need instead of guessing.

>>> import sympy as sp
>>> from flint import arb
>>> x = sp.Symbol("x", real=True)
>>> f = compile_expr(sp.exp(x) - 1 - x, [x])
>>> f([arb("0.5")]) > 0
True
"""
from __future__ import annotations

import re
from contextlib import contextmanager

import flint
import sympy as sp
from flint import acb, arb


class Unsupported(Exception):
    """The expression uses a function with no ball implementation; ``name`` says which."""

    def __init__(self, name: str):
        super().__init__(f"arb lacks {name}")
        self.name = name


@contextmanager
def workprec(bits: int):
    """flint's working precision in bits, restored afterwards (flint.ctx.prec is global)."""
    old = flint.ctx.prec
    flint.ctx.prec = int(bits)
    try:
        yield
    finally:
        flint.ctx.prec = old


def _method(name):
    return lambda v: getattr(v, name)()


_FUNCS = {                         # SymPy function name -> ball method
    "exp": _method("exp"), "log": _method("log"), "sin": _method("sin"), "cos": _method("cos"),
    "tan": _method("tan"), "atan": _method("atan"), "asin": _method("asin"), "acos": _method("acos"),
    "sinh": _method("sinh"), "cosh": _method("cosh"), "tanh": _method("tanh"),
    "asinh": _method("asinh"), "acosh": _method("acosh"), "atanh": _method("atanh"),
    "erf": _method("erf"), "erfc": _method("erfc"), "gamma": _method("gamma"),
    "loggamma": _method("lgamma"), "digamma": _method("digamma"), "zeta": _method("zeta"),
    "cot": _method("cot"), "sec": _method("sec"), "csc": _method("csc"),
    "LambertW": _method("lambertw"), "Abs": abs, "sign": _method("sgn"),
}
_CONSTS = {"Pi": lambda: arb.pi(), "pi": lambda: arb.pi(), "Exp1": lambda: arb.const_e(), "E": lambda: arb.const_e(), "EulerGamma": lambda: arb.const_euler(),
           "Catalan": lambda: arb.const_catalan(), "ImaginaryUnit": lambda: acb(0, 1)}


def _num(p: int, q: int):
    return arb(p) if q == 1 else arb(p) / arb(q)


def _ipow(x, n: int):
    """x**n by squaring (arb's ** is NaN on a ball around 0); an even power is kept >= 0."""
    if n < 0:
        return 1 / _ipow(x, -n)
    r, base, k = arb(1) if isinstance(x, arb) else acb(1), x, n
    while k:
        if k & 1:
            r = r * base
        base, k = base * base, k >> 1
    if n % 2 == 0 and isinstance(r, arb) and not r >= 0:
        r = r.nonnegative_part()
    return r


def _pow(base, e, exact_exp):
    if exact_exp is not None and exact_exp.is_Integer:
        return _ipow(base, int(exact_exp))
    if exact_exp == sp.Rational(1, 2):
        return base.sqrt()
    if exact_exp == sp.Rational(-1, 2):
        return base.rsqrt()
    return base ** e


def _fold(parts, add: bool = False, op: str = ""):
    """parts[0] + parts[1] + ... (add), their product, or their max/min (op)."""
    def fold(a):
        s = parts[0](a)
        for f in parts[1:]:
            v = f(a)
            s = getattr(s, op)(v) if op else (s + v if add else s * v)
        return s
    return fold


def _compile(e, index):
    if e.is_Symbol:
        i = index[e]
        return lambda a: a[i]
    if e.is_Rational:
        p, q = int(e.p), int(e.q)
        return lambda a: _num(p, q)
    if e.is_Float:
        r = sp.Rational(e)                      # a Float is a binary fraction: read it exactly
        p, q = int(r.p), int(r.q)
        return lambda a: _num(p, q)
    name = type(e).__name__
    if name in _CONSTS:
        return lambda a: _CONSTS[name]()
    if e.is_Add or e.is_Mul:
        return _fold([_compile(t, index) for t in e.args], add=e.is_Add)
    if e.is_Pow:
        fb, fe = _compile(e.base, index), _compile(e.exp, index)
        exact = e.exp if e.exp.is_Rational else None
        if e.base == sp.E:
            return lambda a: fe(a).exp()
        return lambda a: _pow(fb(a), fe(a), exact)
    if name in ("Max", "Min"):
        return _fold([_compile(t, index) for t in e.args], op=name.lower())
    if name in _FUNCS and len(e.args) == 1:
        f, g = _FUNCS[name], _compile(e.args[0], index)
        return lambda a: f(g(a))
    raise Unsupported(name)


def compile_expr(expr, symbols):
    """A function of a list of balls (in the order of ``symbols``) enclosing ``expr``."""
    expr = sp.sympify(expr)
    index = {s: i for i, s in enumerate(symbols)}
    missing = expr.free_symbols - set(index)
    if missing:
        raise ValueError(f"compile_expr(symbols={list(symbols)}): {sorted(map(str, missing))} also occur")
    return _compile(expr, index)


_COMPLEX = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([+-][0-9.]+(?:[eE][+-]?[0-9]+)?)j$")


def ball_of(text: str):
    """A decimal string read exactly: the ball encloses the decimal number itself (not a float).

    >>> ball_of("0.1").contains(arb(1) / 10), ball_of("0.5+1.25j")
    (True, 0.500000000000000 + 1.25000000000000j)
    """
    m = _COMPLEX.match(text.strip())
    if m:
        return acb(ball_of(m.group(1)), ball_of(m.group(2)))
    r = sp.Rational(text.strip())
    return _num(int(r.p), int(r.q))


def interval(lo, hi):
    """A ball containing [lo, hi] (numbers or exact decimal strings); nonnegative when lo >= 0."""
    a, b = (ball_of(v) if isinstance(v, str) else arb(v) for v in (lo, hi))
    u = a.union(b)
    return u.nonnegative_part() if a >= 0 and not u >= 0 else u
