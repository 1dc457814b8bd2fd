"""SquarePlus against SoftPlus: the error e_b = q_b - s, its extrema by root finding, and b*.

q_b(x) = (x + sqrt(x^2 + b))/2, s(x) = log(1 + e^x). The error is even, so every formula below
works with |x| and the form e_b(x) = b/(2(sqrt(x^2+b) + |x|)) - log1p(e^-|x|): two small positive
terms, no cancellation in the tails. For x > 0, e_b'(x) = 0 iff b = beta(x) = x^2/sinh^2(x/2),
which decreases from 4 to 0: brackets for x*(b) come from beta, never from a fixed window.

Public: ``squareplus_max_error(b, dps)`` = M(b) = sup_x |e_b(x)| and ``squareplus_minimax_b(dps)``
= the unique minimiser b* of M (no closed form is known; both are mpf at the requested precision).
The routes of the minimax (A: 2x2 Newton, B: nested bisection, C: float64 grid) and the article's
float64 grid recipe are here too, so that they can be compared.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import mpmath as mp
import numpy as np

__all__ = ["squareplus_max_error", "squareplus_minimax_b",          # the public API
           "article_grid", "article_recipe", "beta", "critical_point", "error", "error_f64",
           "error_f64_listing", "error_listing_fixed", "error_slope", "golden_section", "listing_max",
           "minimax_grid_f64", "minimax_route_a", "minimax_route_b", "positive_max"]

GUARD = 10                   # extra digits carried inside every high-precision engine
B_MAX = 10                   # squareplus_max_error accepts 0 < b <= B_MAX
ROUTE_B_BRACKET = (0.5, 60)  # valid bracket of x*(b) for b in [1, 4 log^2 2] (beta(0.5) > 3.9)


def _dps(dps) -> int:
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ValueError(f"dps={dps!r}: give an int >= 15 (decimal digits of the result)")
    return dps


def _b(b):
    """b as mpf at the working precision: int, float (through str), str, Fraction or mpf; 0 < b <= 10."""
    if isinstance(b, bool):
        raise ValueError(f"b={b!r}: give a number, not a bool")
    if isinstance(b, Fraction):
        v = mp.mpf(b.numerator) / b.denominator
    elif isinstance(b, (float, np.floating)):
        v = mp.mpf(str(float(b))) if math.isfinite(b) else mp.mpf(float(b))
    else:
        try:
            v = mp.mpf(b)
        except (TypeError, ValueError):
            raise ValueError(f"b={b!r} is not a number; give e.g. b=1.5 or b='1.5'") from None
    if not mp.isfinite(v):
        raise ValueError(f"b={b!r} is not finite; give a finite b with 0 < b <= {B_MAX}")
    if not 0 < v <= B_MAX:
        raise ValueError(f"b={b!r} is outside 0 < b <= {B_MAX}; b <= 0 is not SquarePlus "
                         f"(b = 0 is ReLU), and for b > {B_MAX} use M(b) = sqrt(b)/2 - log 2")
    return v


# --- the error and its slope (current mpmath precision) -------------------------------------------

def error(x, b):
    """e_b(x) = SquarePlus_b(x) - SoftPlus(x) in the stable even form (F4a, F4e)."""
    x = abs(mp.mpf(x))
    return b / (2 * (mp.sqrt(x * x + b) + x)) - mp.log1p(mp.exp(-x))


def error_slope(x, b):
    """e_b'(x) = 1/(e^|x|+1) - b/(2R(R+|x|)), R = sqrt(x^2+b), times sign(x) (e_b' is odd)."""
    x = mp.mpf(x)
    a = abs(x)
    r = mp.sqrt(a * a + b)
    return mp.sign(x) * (1 / (mp.exp(a) + 1) - b / (2 * r * (r + a)))


def beta(x):
    """beta(x) = x^2/sinh^2(x/2) for x > 0: e_b'(x) = 0 with x > 0 iff b = beta(x)."""
    return (x / mp.sinh(x / 2)) ** 2


def critical_point(b):
    """x*(b), the unique positive zero of e_b' for 0 < b < 4, bracketed through beta (F5)."""
    if not 0 < b < 4:
        raise ValueError(f"b={mp.nstr(b, 8)}: e_b' has a positive zero only for 0 < b < 4")
    hi = mp.mpf(1)
    while beta(hi) > b:                     # beta decreases: grow hi until beta(hi) <= b
        hi *= 2
    lo = hi / 2
    while beta(lo) < b:                     # b close to 4: x* is small
        lo /= 2
    f = lambda t: 2 * mp.log(t) - 2 * mp.log(mp.sinh(t / 2)) - mp.log(b)   # log beta - log b
    return mp.findroot(f, (lo, hi), solver="anderson")


def _max_error(b):
    """(M(b), x* or None) at the current precision; M = max(|e_b(0)|, e_b(x*))."""
    e0 = mp.sqrt(b) / 2 - mp.log(2)         # F4b: e_b(0)
    if b >= 4:                              # no positive critical point: the max is at 0
        return abs(e0), None
    xs = critical_point(b)
    return max(abs(e0), error(xs, b)), xs


def squareplus_max_error(b, dps: int = 30):
    """M(b) = sup_x |SquarePlus_b(x) - SoftPlus(x)| for 0 < b <= 10, to about dps - 5 digits.

    The extrema are located by root finding (x = 0 and x*(b) from beta(x) = b); the tails decay
    like b/(4|x|) and never exceed them.

    >>> mp.nstr(squareplus_max_error(9, dps=20), 20)   # b >= 4: the max is e_b(0) = 3/2 - log 2
    '0.80685281944005469058'
    >>> mp.nstr(squareplus_max_error("1.5238210325", dps=20), 12)   # near b*: M(b*) = 0.0759314...
    '0.0759314499398'

    >>> squareplus_max_error(0)
    Traceback (most recent call last):
    ValueError: b=0 is outside 0 < b <= 10; b <= 0 is not SquarePlus (b = 0 is ReLU), and for b > 10 use M(b) = sqrt(b)/2 - log 2
    """
    dps = _dps(dps)
    with mp.workdps(dps + GUARD):
        bb = _b(b)
        m, _ = _max_error(bb)
    with mp.workdps(dps):
        return +m


# --- route A: the equioscillation system by 2x2 Newton ---------------------------------------------

def _bisect(f, lo, hi, width):
    """Bisection on a sign change of f in [lo, hi] down to ``width``."""
    flo = f(lo)
    while hi - lo > width:
        mid = (lo + hi) / 2
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def _system(x, b):
    """(e_b'(x), e_b(x) + e_b(0)) and its Jacobian in (x, b): zero at (x*, b*)."""
    r, sig = mp.sqrt(x * x + b), 1 / (1 + mp.exp(-x))
    f1 = error_slope(x, b)
    f2 = error(x, b) + mp.sqrt(b) / 2 - mp.log(2)
    jac = [[b / (2 * r**3) - sig * (1 - sig), -x / (4 * r**3)],
           [f1, 1 / (4 * r) + 1 / (4 * mp.sqrt(b))]]
    return [f1, f2], jac


def minimax_route_a(dps: int = 40, b0="1.5"):
    """(b*, x*, M(b*)) from the 2x2 system, started from x*(b0) found by bisection on e_b'."""
    dps = _dps(dps)
    with mp.workdps(dps + GUARD):
        b0 = mp.mpf(b0)
        x0 = _bisect(lambda t: error_slope(t, b0), mp.mpf(ROUTE_B_BRACKET[0]),
                     mp.mpf(ROUTE_B_BRACKET[1]), mp.mpf("1e-6"))
        xs, bs = mp.findroot(lambda x, b: _system(x, b)[0], (x0, b0),
                             J=lambda x, b: _system(x, b)[1])
        m = mp.log(2) - mp.sqrt(bs) / 2
    with mp.workdps(dps):
        return +bs, +xs, +m


@functools.lru_cache(maxsize=None)
def squareplus_minimax_b(dps: int = 30):
    """b* = argmin_b M(b), the unique b with e_b(x*) = -e_b(0) (equioscillation), to dps - 5 digits.

    >>> mp.nstr(squareplus_minimax_b(20), 15)
    '1.52382103251875'
    """
    return minimax_route_a(_dps(dps))[0]


# --- route B: nested bisection, no Newton step -----------------------------------------------------

def _error_def(x, b):
    """e_b from the definition (x + sqrt(x^2+b))/2 - log(1 + e^x): a second code path for route B."""
    return (x + mp.sqrt(x * x + b)) / 2 - mp.log(1 + mp.exp(x))


def _slope_def(x, b):
    """e_b' from the definition: (1 + x/sqrt(x^2+b))/2 - 1/(1 + e^-x)."""
    return (1 + x / mp.sqrt(x * x + b)) / 2 - 1 / (1 + mp.exp(-x))


def positive_max(b, width):
    """(M_+(b), x*): x* by bisection on the sign of e_b' in ROUTE_B_BRACKET, both from the
    definition of e_b (not the stable form that routes A and the public API use)."""
    xs = _bisect(lambda t: _slope_def(t, b), mp.mpf(ROUTE_B_BRACKET[0]),
                 mp.mpf(ROUTE_B_BRACKET[1]), width)
    return _error_def(xs, b), xs


def minimax_route_b(dps: int = 40, width="1e-28"):
    """(b*, x*, M) by bisection on the sign of M_+(b) - M_-(b) over b in [1, 4 log^2 2]."""
    dps = _dps(dps)
    with mp.workdps(dps):
        inner = mp.mpf(10) ** -(dps // 2 + 2)      # e_b(x*) is stationary: error ~ inner^2
        gap = lambda b: positive_max(b, inner)[0] - (mp.log(2) - mp.sqrt(b) / 2)
        bs = _bisect(gap, mp.mpf(1), 4 * mp.log(2) ** 2, mp.mpf(width))
        m, xs = positive_max(bs, inner)
        return bs, xs, mp.log(2) - mp.sqrt(bs) / 2


# --- float64 routes: the brute-force grid (route C) and the article's recipe ---------------------

def error_f64(x, b):
    """e_b on a float64 array in the stable form (no overflow, no cancellation)."""
    a = np.abs(np.asarray(x, dtype=float))
    return b / (2 * (np.sqrt(a * a + b) + a)) - np.log1p(np.exp(-a))


def error_f64_listing(x, a):
    """The article's listing f(x, a) with b = a^2, as printed (vectorised): overflows past x ~ 709."""
    x = np.asarray(x, dtype=float)
    return np.abs((x + np.sqrt(x**2 + a**2)) / 2 - np.log(np.exp(x) + 1))


def _rounded64(fn, x: float) -> float:
    """fn(x) rounded to the nearest float64 from 200 bits (mpmath): the same bits on every machine."""
    with mp.workprec(200):
        return float(fn(mp.mpf(x)))


def error_listing_fixed(x: float, a: float) -> float:
    """One point of the article's listing in fixed float64 arithmetic: IEEE + - * / sqrt, and exp
    and log rounded to nearest (from 200-bit mpmath) instead of the platform's libm.

    >>> error_listing_fixed(0.0, 1.0) == abs(0.5 - _rounded64(mp.log, 2.0))
    True
    """
    x, a = float(x), float(a)
    return abs((x + math.sqrt(x * x + a * a)) / 2 - _rounded64(mp.log, _rounded64(mp.exp, x) + 1))


def listing_max(grid, a: float, margin: float = 1e-13) -> float:
    """max over ``grid`` of the listing's |e_{a^2}| in the fixed arithmetic of error_listing_fixed:
    numpy (within a few ulps, far below ``margin``) picks the points within ``margin`` of its max,
    and only those are evaluated in the fixed arithmetic, so the result does not depend on the libm."""
    if not margin > 0:
        raise ValueError(f"margin={margin} must be positive (e.g. 1e-13, above float64 rounding)")
    v = error_f64_listing(grid, a)
    near = np.asarray(grid)[v >= np.max(v) - margin]
    return max(error_listing_fixed(t, a) for t in near.tolist())


def golden_section(f, lo: float, hi: float, tol: float):
    """Minimiser of a unimodal f on [lo, hi] by golden-section search, to a bracket below tol."""
    g = (math.sqrt(5) - 1) / 2
    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
    fc, fd = f(c), f(d)
    while hi - lo > tol:
        if fc <= fd:
            hi, d, fd = d, c, fc
            c = hi - g * (hi - lo)
            fc = f(c)
        else:
            lo, c, fc = c, d, fd
            d = lo + g * (hi - lo)
            fd = f(d)
    return (lo + hi) / 2


def minimax_grid_f64(n: int = 400_001, window=(-20.0, 20.0), tol: float = 1e-12):
    """Route C: b minimising the max of |e_b| over a float64 grid, by golden-section on b."""
    grid = np.linspace(*window, n)
    bs = golden_section(lambda b: float(np.max(np.abs(error_f64(grid, b)))), 1.0, 1.9, tol)
    return bs, float(np.max(np.abs(error_f64(grid, bs))))


def article_grid():
    """The article's grid np.arange(-2, 4, 0.0001) (60000 points, 0 up to float rounding)."""
    return np.arange(-2, 4, 0.0001)


def article_recipe(tol: float = 1e-12, bracket=(0.5, 2.0)):
    """The article's objective g(a) = max over its grid of |e_{a^2}|, minimised over a by
    golden-section to an a-tolerance ``tol``; returns (b = a^2, g(a)). g is the listing in fixed
    float64 arithmetic (``listing_max``), so b has the same bits on every machine."""
    grid = article_grid()
    g = lambda a: listing_max(grid, a)
    a = golden_section(g, *bracket, tol)
    return a * a, g(a)
