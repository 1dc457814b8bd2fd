r"""SquarePlus: when it dominates SoftPlus, and the minimax fit

Article: Su Jianlin (苏剑林), 《SquarePlus：可能是运算最简单的ReLU光滑近似》 ("SquarePlus: possibly the cheapest smooth approximation of ReLU"), 2021-12-29, https://kexue.fm/archives/8833

$\mathrm{SquarePlus}_b(x)=q_b(x)=\tfrac12(x+\sqrt{x^2+b})$, $b>0$, smooths ReLU with arithmetic and one
square root (J. T. Barron, arXiv:2112.11687). The article shows that it is increasing and convex and
solves two exercises against $\mathrm{SoftPlus}(x)=s(x)=\log(1+e^x)$: (1) $q_b\ge s$ everywhere iff
$b\ge4\log^22$, by squaring and by concavity of $\log\log(1+e^x)$ with Jensen; (2) the $b$ that
minimises $\max_x|q_b-s|$, found numerically with a grid on $[-2,4)$ and Powell's method. The
checker proves exercise 1 step by step (naming the positivity that makes the squaring an
equivalence), adds the structure of the error $e_b=q_b-s$ (even, one positive critical point for
$b<4$, a $b/(4|x|)$ tail), and computes the minimax $b^*$ by three routes. Notation:
$h(x)=4s(x)s(-x)$, $\beta(x)=x^2/\sinh^2(x/2)$.
"""
import functools
import math
import random

import mpmath as mp
import numpy as np
import sympy as sp

from derivcheck import Estimate, agrees, bound, claim, extremum, identity, minimax, section
from derivcheck.figures import nstr, pyplot
from numerics import squareplus as nsq
from numerics.precision import rtol_for, stable

# --- symbols, spelled as the article prints them --------------------------------------------------
x = sp.Symbol("x", real=True)
b = sp.Symbol("b", positive=True)
xp = sp.Symbol("x", positive=True)           # the positive half-line (x > 0)
xn = sp.Symbol("x", negative=True)           # the negative half-line (x < 0)
u = sp.Symbol("u", positive=True)            # u = e^x in the lemma
y = sp.Symbol("y", positive=True)            # y = x/2 in the tanh bound


def SquarePlus(t, bb=b):
    return (t + sp.sqrt(t**2 + bb)) / 2      # eq. (1)


def SoftPlus(t):
    return sp.log(sp.exp(t) + 1)


def h(t):
    return 4 * SoftPlus(t) * SoftPlus(-t)    # the right side of the article's bound, eq. (5)


e_b = SquarePlus(x) - SoftPlus(x)            # the error e_b(x)
LOG2 = sp.log(2)
BOUND = 4 * LOG2**2                          # the article's 4 log^2 2
DELTA = sp.Rational(1, 10**6)                # b = 4 log^2 2 - DELTA, just below the bound
PRINTED = {"b": "1.52382103", "M": "0.075931", "4log^2 2": "1.921812"}   # the article, "..." after each
NUM_DPS = (30, 50)                           # every numeric claim at two precisions
SEED = 8833


def _exp_rewrite(e):
    """A residual with tanh/sinh rewritten through exp, then simplified."""
    return sp.simplify(e.rewrite(sp.exp))


# --- mpmath versions of the definitions (a second code path, never the SymPy expressions) --------

def q_mp(t, bb):
    return (t + mp.sqrt(t * t + bb)) / 2


def s_mp(t):
    return mp.log(1 + mp.exp(t))             # straight from the definition (fine at mpmath precision)


def h_mp(t):
    return 4 * mp.log1p(mp.exp(t)) * mp.log1p(mp.exp(-t))


def dh_mp(t):
    """h'(x) = 4 (sigma(x) s(-x) - s(x) sigma(-x)), sigma the logistic function."""
    sig = lambda z: 1 / (1 + mp.exp(-z))
    return 4 * (sig(t) * mp.log1p(mp.exp(-t)) - mp.log1p(mp.exp(t)) * sig(-t))


# --- F1: the ReLU limit and SquarePlus > ReLU -----------------------------------------------------

@claim("F1", r"$q_0(x)=\max(x,0)$ and, for $b>0$, $q_b(x)-\max(x,0)=\tfrac12(\sqrt{x^2+b}-|x|)=\frac{b}{2(\sqrt{x^2+b}+|x|)}>0$ (cases $x\ge0$, $x<0$)")
def F1():
    xnn = sp.Symbol("x", nonnegative=True)
    return [identity(SquarePlus(xnn, 0), xnn, "x >= 0: (x + sqrt(x^2))/2 = x"),
            identity(SquarePlus(xn, 0), 0, "x < 0: (x + sqrt(x^2))/2 = 0"),
            identity(SquarePlus(xnn) - xnn, (sp.sqrt(xnn**2 + b) - xnn) / 2, "x >= 0: q_b - x"),
            identity(SquarePlus(xn) - 0, (sp.sqrt(xn**2 + b) - sp.Abs(xn)) / 2, "x < 0: q_b - 0"),
            identity((sp.sqrt(x**2 + b) - sp.Abs(x)) / 2, b / (2 * (sp.sqrt(x**2 + b) + sp.Abs(x))),
                     "rationalise: (sqrt(x^2+b) - |x|)/2 = b/(2(sqrt(x^2+b) + |x|))"),
            identity(sp.sign(b / (2 * (sp.sqrt(x**2 + b) + sp.Abs(x)))), 1,
                     "the rationalised gap is positive (b > 0; SymPy's sign from the assumptions)")]


def _draws(n, seed, xr=(-50, 50), br=(0, 10)):
    rng = random.Random(seed)
    return [(mp.mpf(f"{rng.uniform(*xr):.6f}"), mp.mpf(f"{max(rng.uniform(*br), 1e-3):.6f}"))
            for _ in range(n)]


@claim("F1-num", r"at 200 seeded points $x\in[-50,50]$, $b\in(0,10]$: $q_b(x)-\max(x,0)>0$, and it equals $b/(2(\sqrt{x^2+b}+|x|))$",
       tag="numeric", dps=NUM_DPS)
def F1_num(dps):
    with mp.workdps(dps + 10):               # the direct difference cancels ~log10(4x^2/b) digits
        pts = _draws(200, SEED)
        gaps = [q_mp(t, bb) - max(t, 0) for t, bb in pts]
        rel = max(abs(g - bb / (2 * (mp.sqrt(t * t + bb) + abs(t)))) / g for g, (t, bb) in zip(gaps, pts))
        bad = sum(1 for g in gaps if g <= 0)
    return [agrees(Estimate(bad, 0, "points with q_b - ReLU <= 0", dps, 200, SEED), 0, atol=0.5, scale=200,
                   label="no point has SquarePlus <= ReLU"),
            agrees(Estimate(rel, 0, "max rel. diff, direct difference vs rationalised form", dps, 200, SEED),
                   0, atol=rtol_for(dps), scale=1, label="the gap is b/(2(sqrt(x^2+b)+|x|))")]


@claim("F1-asym", r"$q_b(x)-\max(x,0)\sim\frac{b}{4|x|}\to0$ as $|x|\to\infty$", tag="asymptotic")
def F1_asym():
    return [identity(sp.limit(x * (SquarePlus(x) - x), x, sp.oo), b / 4, "x -> +oo: x (q_b - x) -> b/4"),
            identity(sp.limit(x * SquarePlus(x), x, -sp.oo), -b / 4, "x -> -oo: x q_b -> -b/4")]


# --- F2: the derivatives, and the earlier misprint ------------------------------------------------

D2_PRINTED = b / (2 * (x**2 + b) ** sp.Rational(3, 2))          # eq. (4), as printed now
D2_MISPRINT = b / (2 * (1 + x**2) ** sp.Rational(3, 2))         # the earlier version: (1 + x^2)


@claim("F2", r"$q_b'=\tfrac12\big(1+x/\sqrt{x^2+b}\big)>0$ and $q_b''=b/\big(2(x^2+b)^{3/2}\big)>0$ (eqs. 3-4)")
def F2():
    xnn = sp.Symbol("x", nonnegative=True)
    return [identity(sp.diff(SquarePlus(x), x), (1 + x / sp.sqrt(x**2 + b)) / 2, "eq. (3)"),
            identity(sp.diff(SquarePlus(x), x, 2), D2_PRINTED, "eq. (4), as printed"),
            identity(sp.sign((1 + xnn / sp.sqrt(xnn**2 + b)) / 2), 1, "q_b' > 0 for x >= 0"),
            identity((1 + xn / sp.sqrt(xn**2 + b)) / 2, b / (2 * sp.sqrt(xn**2 + b) * (sp.sqrt(xn**2 + b) - xn)),
                     "x < 0: q_b' = b/(2R(R + |x|)), R = sqrt(x^2 + b)"),
            identity(sp.sign(b / (2 * sp.sqrt(xn**2 + b) * (sp.sqrt(xn**2 + b) - xn))), 1, "q_b' > 0 for x < 0"),
            identity(sp.sign(D2_PRINTED), 1, "q_b'' > 0: convex")]


@claim("F2-misprint", r"the earlier printing $q_b''=b/\big(2(1+x^2)^{3/2}\big)$",
       expected="REFUTED", finding="article-error",
       why=r"an earlier version of the article printed $(1+x^2)$ for $(x^2+b)$ in the denominator of "
           r"$q_b''$, corrected after a reader's comment; the two agree only at $b=1$, so the "
           r"counterexample has $b\neq1$ (the current eq. (4) is PROVED in F2)")
def F2_misprint():
    return [identity(sp.diff(SquarePlus(x), x, 2), D2_MISPRINT, "q_b'' against the misprint", expect="REFUTED"),
            identity(D2_PRINTED.subs(b, 1), D2_MISPRINT.subs(b, 1), "at b = 1 the two coincide")]


@claim("F2-num", r"`mpmath.diff` of $q_b$ (orders 1 and 2) agrees with eqs. (3)-(4) at 20 seeded points, relative tolerance $10^{-25}$ at 30 digits",
       tag="numeric", dps=NUM_DPS)
def F2_num(dps):
    worst = {1: mp.mpf(0), 2: mp.mpf(0)}
    with mp.workdps(dps):
        for t, bb in _draws(20, SEED + 2, (-5, 5), (0.1, 10)):
            f = lambda z: q_mp(z, bb)
            r = mp.sqrt(t * t + bb)
            exact = {1: (1 + t / r) / 2, 2: bb / (2 * r**3)}
            for k in (1, 2):
                worst[k] = max(worst[k], abs(mp.diff(f, t, k) / exact[k] - 1))
    return [agrees(Estimate(worst[k], 0, f"max rel. diff, mpmath.diff order {k} vs eq. ({k + 2})", dps, 20,
                            SEED + 2), 0, atol=rtol_for(dps), scale=1, label=f"order {k}") for k in (1, 2)]


# --- F3: SquarePlus >= SoftPlus iff b >= 4 log^2 2 -----------------------------------------------

@claim("F3a", r"$s(x)-x=s(-x)$, i.e. $\log(e^x+1)-x=\log(e^{-x}+1)$ (eq. 5, right)")
def F3a():
    return identity(SoftPlus(x) - x, SoftPlus(-x), "log(e^x + 1) - x = log(e^-x + 1)")


@claim("F3b", r"$2s(x)-x=s(x)+s(-x)>0$: the hypothesis that makes squaring an equivalence")
def F3b():
    return [identity(2 * SoftPlus(x) - x, SoftPlus(x) + SoftPlus(-x), "2s(x) - x = s(x) + s(-x)"),
            identity(sp.sign(SoftPlus(x) + SoftPlus(-x)), 1, "s(x) + s(-x) > 0 (each log(1 + e^t) > 0)")]


@claim("F3c", r"$q_b-s=\frac{b-h(x)}{2(\sqrt{x^2+b}+2s(x)-x)}$ with a positive denominator (F3b), so $q_b(x)\ge s(x)\iff x^2+b\ge(2s(x)-x)^2\iff b\ge h(x)$ (eq. 5)")
def F3c():
    R, P = sp.sqrt(x**2 + b), 2 * SoftPlus(x) - x
    return [identity(SquarePlus(x) - SoftPlus(x), (R - P) / 2, "q_b - s = (sqrt(x^2+b) - (2s - x))/2"),
            identity((x**2 + b) - P**2, b - h(x), "squaring: x^2 + b - (2s - x)^2 = b - 4 s(x) s(-x)"),
            identity(SquarePlus(x) - SoftPlus(x), (b - h(x)) / (2 * (R + P)),
                     "exact reduction of the squaring step: q_b - s = (b - h)/(2(sqrt(x^2+b) + 2s - x))"),
            identity(sp.sign(R + SoftPlus(x) + SoftPlus(-x)), 1,
                     "the denominator sqrt(x^2+b) + s(x) + s(-x) is positive, so sign(q_b - s) = sign(b - h)")]


LEMMA = sp.exp(x) * (SoftPlus(x) - sp.exp(x)) / ((sp.exp(x) + 1)**2 * SoftPlus(x)**2)    # eq. (6), as printed


@claim("F3d", r"$\frac{d^2}{dx^2}\log\log(e^x+1)=\frac{e^x(\log(e^x+1)-e^x)}{(e^x+1)^2\log^2(e^x+1)}<0$ (eq. 6), because $r(u)=u-\log(1+u)$ has $r(0)=0$, $r'(u)=\frac u{1+u}>0$")
def F3d():
    r = u - sp.log(1 + u)
    return [identity(sp.diff(sp.log(SoftPlus(x)), x, 2), LEMMA, "eq. (6), as printed"),
            identity(r.subs(u, 0), 0, "r(0) = 0"),
            identity(sp.diff(r, u), u / (1 + u), "r'(u) = u/(1 + u)"),
            identity(sp.sign(u / (1 + u)), 1, "r'(u) > 0 for u > 0, so r(u) > 0: log(1 + u) < u"),
            identity(sp.exp(x) * (SoftPlus(x) - sp.exp(x)), -sp.exp(x) * r.subs(u, sp.exp(x)),
                     "numerator of eq. (6) = -e^x r(e^x) < 0"),
            identity(sp.sign(((sp.exp(x) + 1) * SoftPlus(x))**2), 1, "the denominator is positive")]


@claim("F3e", r"Jensen for the concave $\log s$ at $\pm x$: $\log s(x)+\log s(-x)=\log\frac{h(x)}4\le2\log\log2$, so $h(x)\le h(0)=4\log^22$ (eq. 7)")
def F3e():
    t = sp.Symbol("t", real=True)
    phi2 = sp.diff(sp.log(SoftPlus(t)), t, 2)
    dphi = sp.diff(sp.log(SoftPlus(x)), x)
    return [identity(sp.log(SoftPlus(x)) + sp.log(SoftPlus(-x)), sp.log(h(x) / 4), "log s(x) + log s(-x) = log(h/4)"),
            identity(2 * sp.log(SoftPlus(0)), 2 * sp.log(LOG2), "2 log s(0) = 2 log log 2 (eq. 7, right)"),
            identity(h(0), BOUND, "h(0) = 4 log^2 2"),
            identity(sp.diff(sp.log(SoftPlus(x)) + sp.log(SoftPlus(-x)), x),
                     sp.integrate(phi2, (t, -x, x)),
                     "d/dx [log s(x) + log s(-x)] = integral of (log s)'' over [-x, x] < 0 for x > 0: equality only at x = 0")]


@claim("F3-box", r"interval arithmetic on a box: $h(x)\le4\log^22$ on $[-30,30]$, $\max_{[-40,40]}h=h(0)=4\log^22$, and $s(x)\le q_{4\log^22}(x)$ on $[-30,30]$ (equality only at $x=0$)")
def F3_box():
    return [bound(h(x), BOUND, domain={x: (-30, 30)}, tight=({x: 0},), label="h <= 4 log^2 2 on [-30, 30]"),
            extremum(h(x), over={x: (-40, 40)}, kind="max", value=BOUND, at={x: 0}, label="max of h on [-40, 40]"),
            bound(SoftPlus(x), SquarePlus(x, BOUND), domain={x: (-30, 30)}, tight=({x: 0},),
                  label="SoftPlus <= SquarePlus at b = 4 log^2 2 on [-30, 30]")]


# the tails |x| >= 30 by chains SoftPlus <= m1 <= m2 <= SquarePlus: for x >= 30, s = x + log(1 + e^-x)
# <= x + e^-x <= x + 1/(x+1)^2 <= x + b/(2(sqrt(x^2+b) + x)); for x <= -30, s <= e^x <= 1/(x-1)^2 <= q_b
TAILS = {sp.oo: [x + sp.exp(-x), x + 1 / (x + 1)**2], -sp.oo: [sp.exp(x), 1 / (x - 1)**2]}


@claim("F3-bound", r"$q_b(x)\ge s(x)$ for every real $x$ at $b=4\log^22$ (interval arithmetic on $[-30,30]$, exact tail chains beyond); larger $b$ follow by F4d, smaller $b$ fail at $x=0$ (F3-sharp)",
       slow=True)
def F3_bound():
    return [bound(SoftPlus(x), SquarePlus(x, BOUND), tight=({x: 0},), tails=TAILS,
                  label="SoftPlus <= SquarePlus at b = 4 log^2 2, all real x"),
            identity(SquarePlus(0, BOUND), SoftPlus(0),
                     "equality at x = 0: q_b(0) = sqrt(b)/2 = log 2 = s(0), so no smaller b works")]


@functools.lru_cache(maxsize=None)
def h_scan(dps, step="0.05", offset="0.0123"):
    """Stationary points of h on [-40, 40]: sign changes of h' on a shifted grid, then findroot."""
    with mp.workdps(dps):
        n = int(80 / mp.mpf(step))
        grid = [-40 + mp.mpf(offset) + k * mp.mpf(step) for k in range(n)]
        vals = [dh_mp(t) for t in grid]
        roots = [mp.findroot(dh_mp, (grid[k], grid[k + 1]), solver="anderson")
                 for k in range(n - 1) if (vals[k] > 0) != (vals[k + 1] > 0)]
        return tuple(roots), tuple(h_mp(r) for r in roots), 4 * mp.log(2) ** 2


@claim("F3-num", r"$h$ has one stationary point on $[-40,40]$ (sign scan of $h'$ plus `findroot`), at $x=0$, where $h=4\log^22$ to $10^{-28}$",
       tag="numeric", dps=NUM_DPS)
def F3_num(dps):
    roots, values, bound = h_scan(dps)
    est = lambda v, what: Estimate(v, 0, what, dps, 1600)
    return [agrees(est(len(roots), "stationary points of h on [-40, 40]"), 1, atol=0.5, resolution=0.5,
                   label="one stationary point (a count: any error is >= 1)"),
            agrees(est(roots[0], "the stationary point"), 0, atol=mp.mpf(10) ** -(dps - 5), scale=1, label="at x = 0"),
            agrees(est(values[0], "h at the stationary point"), bound, rtol=mp.mpf(10) ** -(dps - 2), label="h(0) = 4 log^2 2")]


@functools.lru_cache(maxsize=None)
def counterexample(dps):
    """(b, x, q_b(x), s(x), q_b - s) at b = 4 log^2 2 - 1e-6, x = 0 (where e_b is smallest, F5)."""
    with mp.workdps(dps):
        bb = 4 * mp.log(2) ** 2 - mp.mpf(10) ** -6
        x0 = mp.mpf(0)
        return bb, x0, q_mp(x0, bb), s_mp(x0), q_mp(x0, bb) - s_mp(x0)


@claim("F3-sharp", r"for $b=4\log^22-10^{-6}$, $q_b(x)\ge s(x)$ for every $x$", tag="numeric", dps=NUM_DPS,
       expected="REFUTED", finding="pitfall",
       why=r"the bound is sharp: just below $4\log^22$ SquarePlus dips under SoftPlus at $x=0$, by "
           r"$10^{-6}/(2(\sqrt b+2\log2))\approx1.8\cdot10^{-7}$")
def F3_sharp(dps):
    bb, x0, q0, s0, diff = counterexample(dps)
    bexact = BOUND - DELTA
    return [bound(SoftPlus(x), SquarePlus(x, bexact), label="SoftPlus <= SquarePlus for all x (interval arithmetic)",
                  expect="REFUTED"),
            agrees(Estimate(max(-diff, 0), 0, "s(0) - q_b(0), the amount by which SoftPlus exceeds SquarePlus",
                            dps), 0, atol=rtol_for(dps), scale=mp.mpf(10) ** -6,
                   label="no point has q_b < s", expect="REFUTED"),
            identity(sp.sign(SquarePlus(0, bexact) - SoftPlus(0)), -1, "exact: sign(q_b(0) - s(0)) = -1"),
            identity(SquarePlus(0, bexact) - SoftPlus(0), -DELTA / (2 * (sp.sqrt(bexact) + 2 * LOG2)),
                     "exact: q_b(0) - s(0) = -delta/(2(sqrt b + 2 log 2))")]


@claim("F3-grid", r"at $b=4\log^22$, $\min(q_b-s)$ over 4001 points of $[-40,40]$ is $\ge-10^{-25}$, and 0 at $x=0$",
       tag="numeric", dps=NUM_DPS)
def F3_grid(dps):
    with mp.workdps(dps):
        bb = 4 * mp.log(2) ** 2
        vals = [(q_mp(t, bb) - s_mp(t), t) for t in (mp.mpf(k) / 50 - 40 for k in range(4001))]
        low, at = min(vals)
    return [agrees(Estimate(max(-low, 0), 0, "-min over the grid of q_b - s (0 if none negative)", dps, 4001),
                   0, atol=mp.mpf(10) ** -25, scale=mp.mpf(10) ** -6, label="min over the grid >= -1e-25"),
            agrees(Estimate(at, 0, "the grid minimiser", dps, 4001), 0, atol=mp.mpf(10) ** -9, scale=1,
                   label="attained at x = 0")]


# --- F4: the structure of the error e_b = q_b - s (not in the article) ---------------------------

@claim("F4a", r"$e_b(-x)=e_b(x)$: $q_b(x)-x=q_b(-x)$ and $s(x)-x=s(-x)$", tag="extension")
def F4a():
    return [identity(SquarePlus(x) - x, SquarePlus(-x), "q_b(x) - x = q_b(-x)"),
            identity(e_b.subs(x, -x), e_b, "e_b(-x) = e_b(x)")]


@claim("F4a-num", r"evenness at 50 seeded points $x\in[-50,50]$, each side from the definition $q_b-s$: $|e_b(-x)-e_b(x)|<10^{-26}$",
       tag="numeric", dps=NUM_DPS)
def F4a_num(dps):
    with mp.workdps(dps):
        worst = max(abs((q_mp(-t, bb) - s_mp(-t)) - (q_mp(t, bb) - s_mp(t))) for t, bb in _draws(50, SEED + 4))
    return agrees(Estimate(worst, 0, "max |e_b(-x) - e_b(x)|, definition on both sides", dps, 50, SEED + 4),
                  0, atol=mp.mpf(10) ** -(dps - 4), scale=mp.mpf(10) ** -3, label="even")


@claim("F4bcd", r"$e_b(0)=\tfrac12\sqrt b-\log2=\frac{b-4\log^22}{2(\sqrt b+2\log2)}$; $e_b''(0)=\frac1{2\sqrt b}-\frac14=\frac{4-b}{4\sqrt b(2+\sqrt b)}$; $\partial_be_b=\frac1{4\sqrt{x^2+b}}>0$",
       tag="extension")
def F4bcd():
    return [identity(e_b.subs(x, 0), sp.sqrt(b) / 2 - LOG2, "(b) e_b(0)"),
            identity(sp.sqrt(b) / 2 - LOG2, (b - BOUND) / (2 * (sp.sqrt(b) + 2 * LOG2)),
                     "(b) negative exactly when b < 4 log^2 2"),
            identity(sp.sign(2 * (sp.sqrt(b) + 2 * LOG2)), 1, "(b) the denominator is positive"),
            identity(sp.diff(e_b, x, 2).subs(x, 0), 1 / (2 * sp.sqrt(b)) - sp.Rational(1, 4), "(c) e_b''(0)"),
            identity(1 / (2 * sp.sqrt(b)) - sp.Rational(1, 4), (4 - b) / (4 * sp.sqrt(b) * (2 + sp.sqrt(b))),
                     "(c) x = 0 is a local minimum iff b < 4"),
            identity(sp.diff(e_b, b), 1 / (4 * sp.sqrt(x**2 + b)), "(d) d e_b / d b"),
            identity(sp.sign(1 / (4 * sp.sqrt(x**2 + b))), 1, "(d) positive for every x")]


@claim("F4e", r"$e_b(x)\sim\frac{b}{4|x|}>0$ as $|x|\to\infty$: an algebraic, not exponential, tail", tag="asymptotic")
def F4e():
    return [identity(sp.limit(x * e_b, x, sp.oo), b / 4, "x -> +oo: x e_b -> b/4"),
            identity(sp.limit(x * e_b, x, -sp.oo), -b / 4, "x -> -oo: x e_b -> -b/4")]


# --- F5: the critical points, and the minimax constant b* ----------------------------------------

BETA = xp**2 / sp.sinh(xp / 2)**2


@claim("F5-crit", r"for $x>0$: $2e_b'(x)=\frac x{\sqrt{x^2+b}}-\tanh\frac x2=\frac{\tanh^2(x/2)\,(\beta(x)-b)}{\sqrt{x^2+b}\,(x+\tanh(x/2)\sqrt{x^2+b})}$, and $\beta=x^2/\sinh^2(x/2)$ falls strictly from 4 to 0: one positive critical point iff $0<b<4$",
       tag="extension", simplifiers=(_exp_rewrite,))
def F5_crit():
    R, th = sp.sqrt(xp**2 + b), sp.tanh(xp / 2)
    g = xp / sp.sinh(xp / 2)
    return [identity(2 / (1 + sp.exp(-x)) - 1, sp.tanh(x / 2), "2 s'(x) - 1 = tanh(x/2)"),
            identity(2 * sp.diff(SquarePlus(xp) - SoftPlus(xp), xp), xp / R - th, "2 e_b'(x)"),
            identity(xp / R - th, th**2 * (BETA - b) / (R * (xp + th * R)), "exact reduction: sign e_b' = sign(beta - b)"),
            identity(sp.sign(th**2 / (R * (xp + th * R))), 1, "the prefactor is positive for x > 0"),
            identity(sp.diff(g, xp), sp.cosh(xp / 2) * (sp.tanh(xp / 2) - xp / 2) / sp.sinh(xp / 2)**2,
                     "(x/sinh(x/2))' = cosh(x/2)(tanh(x/2) - x/2)/sinh^2(x/2)"),
            identity(sp.diff(y - sp.tanh(y), y), sp.tanh(y)**2, "(y - tanh y)' = tanh^2 y > 0, zero at 0: tanh y < y"),
            identity(sp.limit(BETA, xp, 0), 4, "beta -> 4 as x -> 0+"),
            identity(sp.limit(BETA, xp, sp.oo), 0, "beta -> 0 as x -> oo")]


@functools.lru_cache(maxsize=None)
def route_a(dps):
    """(b*, x*, M(b*)) by the 2x2 system at ``dps`` digits."""
    return nsq.minimax_route_a(dps)


@functools.lru_cache(maxsize=None)
def route_b(dps=40):
    """(b*, x*, M(b*)) by nested bisection at ``dps`` digits."""
    return nsq.minimax_route_b(dps)


@functools.lru_cache(maxsize=None)
def route_c():
    """(b*, M(b*)) by the float64 grid."""
    return nsq.minimax_grid_f64()


@functools.lru_cache(maxsize=None)
def slope_scan(dps=30, step="0.01"):
    """Sign changes of e_{b*}' on [0.01, 60] (step 1e-2)."""
    with mp.workdps(dps):
        bs = +route_a(60)[0]
        grid = [mp.mpf(k) * mp.mpf(step) for k in range(1, 6001)]
        signs = [nsq.error_slope(t, bs) > 0 for t in grid]
        return tuple(grid[k] for k in range(len(grid) - 1) if signs[k] != signs[k + 1])


@claim("F5-scan", r"at $b^*$ the sign scan of $e_b'$ on $[0.01,60]$ (step $10^{-2}$) finds exactly one sign change, at $x^*$",
       tag="numeric", dps=NUM_DPS)
def F5_scan(dps):
    changes = slope_scan(dps)
    xs = route_a(60)[1]
    return [agrees(Estimate(len(changes), 0, "sign changes of e_b' on [0.01, 60]", dps, 6000), 1, atol=0.5,
                   resolution=0.5, label="one positive critical point (a count: any error is >= 1)"),
            agrees(Estimate(changes[0] + mp.mpf("0.005"), mp.mpf("0.005") / 4, "the bracketing grid cell", dps, 6000),
                   xs, label="it brackets x* of route A")]


@claim("F5-A", r"route A (the equioscillation system $e_b'(x)=0$, $e_b(x)=\log2-\tfrac12\sqrt b$ by `findroot`, bracketed first): $b^*$ at 40 and 60 digits agree to $\ge35$ digits",
       tag="extension")
def F5_A():
    (b40, x40, m40), (b60, x60, m60) = route_a(40), route_a(60)   # mutate: equivalent (the two precisions: any two runs at >= 40 digits agree to 35)
    r = mp.mpf(10) ** -35                    # mutate: equivalent (a tolerance: the routes agree to 41 digits, so 34 or 36 digits hold too)
    return [agrees(Estimate(b40, 0, "route A b*", 40), b60, rtol=r, label="b*"),
            agrees(Estimate(x40, 0, "route A x*", 40), x60, rtol=r, label="x*"),
            agrees(Estimate(m40, 0, "route A M(b*)", 40), m60, rtol=r, label="M(b*)")]


@claim("F5-B", r"route B (nested bisection: $x^*$ on the sign of $e_b'$, $b^*$ on the sign of $M_+-M_-$, bracket $10^{-28}$; at 40 and 50 digits) agrees with route A to $\ge25$ digits",
       tag="extension", dps=(40, 50))
def F5_B(dps):
    bB, xB, mB = route_b(dps)
    bA, xA, mA = route_a(60)
    with mp.workdps(dps):
        inner = mp.mpf(10) ** -22
        lo_gap = nsq.positive_max(mp.mpf(1), inner)[0] - (mp.log(2) - mp.mpf(1) / 2)
        hi_gap = nsq.positive_max(4 * mp.log(2) ** 2, inner)[0]
    r = mp.mpf(10) ** -25
    return [agrees(Estimate(bB, mp.mpf(10) ** -28 / 2, "route B b*", dps), bA, rtol=r, label="b*"),
            agrees(Estimate(mB, 0, "route B M(b*)", dps), mA, rtol=r, label="M(b*)"),
            agrees(Estimate(xB, 0, "route B x*", dps), xA, rtol=mp.mpf(10) ** -15, label="x* (bisected to 1e-22)"),
            agrees(Estimate(mp.sign(lo_gap), 0, "sign of M_+ - M_- at b = 1", dps), -1, label="M_+ < M_- at b = 1"),
            agrees(Estimate(mp.sign(hi_gap), 0, "sign of M_+ - M_- at b = 4 log^2 2", dps), 1,
                   label="M_+ > M_- = 0 at b = 4 log^2 2: one crossing, M_+ rising and M_- falling (F4b, F4d)")]


@claim("F5-C", r"route C (float64: max of $|e_b|$ on $4\cdot10^5$ points of $[-20,20]$, golden-section on $b$) agrees with route A to $\ge6$ digits",
       tag="numeric", slow=True)
def F5_C():
    bC, mC = route_c()
    bA, _, mA = route_a(40)                  # mutate: equivalent (route A at any precision >= 20 gives b* far below the 1e-6 tolerance)
    return [agrees(Estimate(bC, 0, "route C b*, float64 grid"), bA, rtol=1e-6, label="b*"),
            agrees(Estimate(mC, 0, "route C M(b*), float64 grid"), mA, rtol=1e-6, label="M(b*)")]


@claim("F5-minimax", r"interval check of the minimax: at $b^*$ (route A) $|e_b|$ equioscillates on $[-30,30]$, $\max_x|e_{b^*}|\le M(1+10^{-6})$ is certified, and $b^*$ moved either way by 1% or 0.1% of $[1,4\log^22]$ is certified worse",
       tag="extension")
def F5_minimax():
    X_WINDOW = 30                           # mutate: equivalent (any window [-w, w] holding +-x* = +-3.56: |e_b| decays outside)
    bA, _, mA = route_a(40)
    bs, m = sp.Float(mp.nstr(bA, 40), 40), sp.Float(mp.nstr(mA, 40), 40)
    window = (1, 4 * sp.Float(LOG2.evalf(30))**2)   # mutate: equivalent (the window only sets the perturbations, 1% and 0.1% of its width; any window of similar width checks the same local property)
    return minimax(sp.Abs(SquarePlus(x) - SoftPlus(x)), param=(b, *window),
                   over={x: (-X_WINDOW, X_WINDOW)}, value=bs, level=m, label="min over b of max over x of |e_b|")


DELTAS = ("1e-3", "1e-6", "1e-9")


@functools.lru_cache(maxsize=None)
def perturbation(dps=40):
    """[(delta, M(b*+delta) - M(b*), M(b*-delta) - M(b*))], M by squareplus_max_error."""
    bs = route_a(60)[0]
    with mp.workdps(dps + 10):
        m0 = nsq.squareplus_max_error(bs, dps)
        return [(mp.mpf(d), nsq.squareplus_max_error(bs + mp.mpf(d), dps) - m0,
                 nsq.squareplus_max_error(bs - mp.mpf(d), dps) - m0) for d in DELTAS]


@claim("F5-opt", r"optimality: $M(b^*\pm\delta)>M(b^*)$ for $\delta\in\{10^{-3},10^{-6},10^{-9}\}$, with the one-sided slopes $\frac1{4\sqrt{x^{*2}+b^*}}$ (right, $M_+$) and $\frac1{4\sqrt{b^*}}$ (left, $M_-$)",
       tag="extension")
def F5_opt():
    _, xs, _ = route_a(60)
    bs = route_a(60)[0]
    right, left = 1 / (4 * mp.sqrt(xs**2 + bs)), 1 / (4 * mp.sqrt(bs))
    out = []
    for d, up, down in perturbation():
        out += [agrees(Estimate(up / d, 0, f"(M(b*+d) - M(b*))/d, d = {nstr(d, 1)}", 40), right, rtol=d,
                       label=f"right slope, delta = {nstr(d, 1)}"),
                agrees(Estimate(down / d, 0, f"(M(b*-d) - M(b*))/d, d = {nstr(d, 1)}", 40), left, rtol=d,
                       label=f"left slope, delta = {nstr(d, 1)}")]
    return out


def _truncated(value, printed, what, label, expect="pass"):
    """``value`` truncated (not rounded) to the decimals of ``printed`` equals ``printed`` (the
    article writes "..." after its digits): a value off by one unit of the last printed digit fails."""
    places = len(printed.split(".")[1])
    with mp.workdps(40):
        cut = mp.floor(mp.mpf(value) * mp.mpf(10) ** places) / mp.mpf(10) ** places
        return agrees(Estimate(cut, 0, f"{what} = {nstr(value, 15)}, truncated to {places} decimals", 40),
                      mp.mpf(printed), atol=mp.mpf(10) ** -(places + 12), label=label, expect=expect)


@claim("F5-article", r"the article's $b=1.52382103\cdots$, maximal error $0.075931\cdots$ and $4\log^22=1.921812\cdots$ are route A's values truncated to the printed digits",
       tag="numeric")
def F5_article():
    bA, _, mA = route_a(40)
    with mp.workdps(40):
        bound = 4 * mp.log(2) ** 2
    return [_truncated(value, PRINTED[key], f"route A {key}", f"{key}: printed {PRINTED[key]}...")
            for key, value in (("b", bA), ("M", mA), ("4log^2 2", bound))]


# --- F6: the article's numerical procedure --------------------------------------------------------

@functools.lru_cache(maxsize=None)
def grid_study(dps=30):
    """The article's grid at b*: the float points around x* and 0, e_b there (mpmath, exact floats).
    By F5, e_b* rises on (0, x*) and falls after it, so the grid max of e_b* is at a neighbour of x*
    and the grid max of -e_b* at the point nearest 0."""
    grid = nsq.article_grid()
    with mp.workdps(dps):
        bs, xs, m = (+v for v in route_a(60)[:3])
        k = int(np.searchsorted(grid, float(xs)))
        near = [mp.mpf(float(g)) for g in grid[k - 2:k + 2]]
        plus = max(nsq.error(t, bs) for t in near)
        i0 = int(np.argmin(np.abs(grid)))
        minus = -nsq.error(mp.mpf(float(grid[i0])), bs)
        dist = min(abs(t - xs) for t in near)
        e2 = mp.diff(lambda t: nsq.error(t, bs), xs, 2)
        return {"b": bs, "x": xs, "M": m, "deficit": m - plus, "predicted": -e2 * dist**2 / 2,
                "grid0": float(grid[i0]), "minus": minus, "gridmax": max(plus, minus), "dist": dist,
                "slopes": (1 / (4 * mp.sqrt(xs**2 + bs)), 1 / (4 * mp.sqrt(bs)))}


@functools.lru_cache(maxsize=None)
def recipe(name):
    """b (and the objective there) from the article's objective g(a) = max over a grid of |e_{a^2}|
    (the listing in fixed float64 arithmetic, nsq.listing_max):
    "golden" (its grid, golden-section to an a-tolerance of 1e-14), "powell" (the listing as printed),
    "bounded" (SciPy's bounded minimize_scalar, default tolerance), "step 0.001", "step 0.01"."""
    from scipy.optimize import minimize, minimize_scalar
    if name == "golden":
        return nsq.article_recipe(tol=1e-14)
    step = float(name.split()[1]) if name.startswith("step") else 1e-4
    grid = nsq.article_grid() if step == 1e-4 else np.arange(-2, 4, step)
    g = lambda a: nsq.listing_max(grid, float(np.ravel(a)[0]))      # fixed float64 arithmetic
    if name == "powell":
        r = minimize(g, 0, method="Powell", options={"xtol": 1e-10, "ftol": 1e-10, "maxiter": 100000})
        return float(r.x[0]) ** 2, float(r.fun)
    if name == "bounded":
        r = minimize_scalar(g, bounds=(0.5, 2.0), method="bounded")
        return float(r.x) ** 2, float(r.fun)
    a = nsq.golden_section(g, 0.5, 2.0, 1e-14)
    return a * a, g(a)


RECIPES = ("golden", "powell", "bounded", "step 0.001", "step 0.01")


def recipes():
    return {k: recipe(k) for k in RECIPES}


@claim("F6", r"the article's recipe: its window $[-2,4)$ contains $x^*(b^*)$; its grid (step $10^{-4}$) loses only $\approx\tfrac12|e''(x^*)|d^2$ at $x^*$; re-run with golden-section, it gives $b^*$ to the printed digits, off by the predicted grid bias",
       tag="approx", dps=NUM_DPS)
def F6(dps):
    gs = grid_study(dps)
    b_rep, g_rep = recipe("golden")
    shift = gs["deficit"] / sum(gs["slopes"])
    with mp.workdps(dps):
        ends = [mp.sign(nsq.error_slope(mp.mpf(t), gs["b"])) for t in ("0.5", "4")]
    return [agrees(Estimate(ends[0], 0, "sign of e_b*' at x = 0.5", dps), 1, label="e_b*' > 0 at x = 0.5"),
            agrees(Estimate(ends[1], 0, "sign of e_b*' at x = 4", dps), -1,
                   label="e_b*' < 0 at the window's end x = 4: the unique x* (F5-crit) is inside; "
                         "-x* is outside, harmless by evenness"),
            agrees(Estimate(gs["deficit"], 0, "M_+(b*) - max over the grid of e_b*", dps), gs["predicted"],
                   rtol=mp.mpf("1e-3"), label="grid deficit at x* = |e''(x*)| d^2/2 (Taylor)"),
            agrees(Estimate(gs["gridmax"], 0, "max over the grid of |e_b*|", dps), gs["M"], rtol=mp.mpf(10) ** -20,
                   label="the grid contains 0 (up to 2.2e-13): max over the grid of |e_b*| = M(b*)"),
            _truncated(b_rep, PRINTED["b"], "b from the re-run recipe (float64)",
                       "re-run (float64, golden-section): truncates to the printed 1.52382103"),
            agrees(Estimate(b_rep - float(gs["b"]), 0, "reproduced b - b*", None), shift, rtol=0.05,
                   label="the deviation is the grid bias deficit/(M_+' + |M_-'|)")]


@claim("F6-listing", r"the article's listing as printed (grid $[-2,4)$ step $10^{-4}$, SciPy Powell from $a=0$, $b=a^2$) returns $b$ truncating to the printed $1.52382103$, the minimiser of its grid objective",
       tag="approx")
def F6_listing():
    b_pow, g_pow = recipe("powell")
    bA, _, mA = route_a(40)
    b_gold = nsq.article_recipe(tol=1e-14)[0]
    return [_truncated(b_pow, PRINTED["b"], "Powell on the listing's objective (vectorised)",
                       "b truncates to 1.52382103"),
            agrees(Estimate(b_pow, 0, "Powell on the listing's objective"), b_gold, atol=1e-13,
                   label="Powell stops at golden-section's minimiser of the same grid objective, within 1% of "
                         "that grid's bias b - b* (F6)"),
            agrees(Estimate(g_pow, 0, "the listing's objective at its optimum"), mA, rtol=1e-9,
                   label="its objective is M(b*) to 9 digits")]


# --- pitfalls: tempting variants that fail --------------------------------------------------------

@claim("P-overflow", r"in float64, $\log(1+e^x)$ as written gives $e_b(800)$", tag="numeric",
       expected="REFUTED", finding="pitfall",
       why=r"$e^{800}$ overflows float64, so the listing's formula returns $-\infty$ at $x=800$; the "
           r"stable form $\max(x,0)+\mathrm{log1p}(e^{-|x|})$ is needed (the article's window $[-2,4)$ never goes there)")
def P_overflow():
    with mp.workdps(30):
        exact = nsq.error(800, mp.mpf("1.5"))
    with np.errstate(over="ignore"):
        naive = float((800 + np.sqrt(800.0**2 + 1.5)) / 2 - np.log(np.exp(800.0) + 1))
    stable = float(nsq.error_f64(800.0, 1.5))
    return [agrees(Estimate(naive, 0, "float64, log(exp(x) + 1)"), exact, rtol=1e-6, expect="REFUTED",
                   label="naive float64"),
            agrees(Estimate(stable, 0, "float64, stable even form"), exact, rtol=1e-12, label="stable float64")]


@claim("P-cancel", r"in float64, $q_b(x)-s(x)$ as written gives $e_b(\pm10^8)\approx b/(4\cdot10^8)$", tag="numeric",
       expected="REFUTED", finding="pitfall",
       why=r"for large $|x|$ both terms are within $10^{-9}$ of $\max(x,0)$ and the difference cancels to 0 "
           r"(relative error 1); the stable form $\frac{b}{2(\sqrt{x^2+b}+|x|)}-\mathrm{log1p}(e^{-|x|})$ keeps every digit")
def P_cancel():
    with mp.workdps(30):
        exact = nsq.error(10**8, mp.mpf("1.5"))
    naive = lambda t: float((t + np.sqrt(t * t + 1.5)) / 2 - (max(t, 0) + np.log1p(np.exp(-abs(t)))))
    return [agrees(Estimate(naive(1e8), 0, "float64, q_b - s at x = 1e8"), exact, rtol=1e-6, expect="REFUTED",
                   label="x = +1e8"),
            agrees(Estimate(naive(-1e8), 0, "float64, q_b - s at x = -1e8"), exact, rtol=1e-6, expect="REFUTED",
                   label="x = -1e8"),
            agrees(Estimate(float(nsq.error_f64(1e8, 1.5)), 0, "float64, stable form"), exact, rtol=1e-12,
                   label="stable float64")]


@claim("P-findroot", r"`mpmath.findroot` on $e_{b^*}'$ started at $x_0=0.5$ (no bracket) finds $x^*$", tag="numeric",
       expected="REFUTED", finding="pitfall",
       why=r"$x=0$ is also a critical point of $e_b$ and the secant iteration from $0.5$ converges to it; "
           r"bracketing on $(0.5,60)$ first gives $x^*=3.5646\ldots$")
def P_findroot():
    bs, xs, _ = route_a(40)
    with mp.workdps(40):
        free = mp.findroot(lambda t: nsq.error_slope(t, bs), mp.mpf("0.5"))
        bracketed = mp.findroot(lambda t: nsq.error_slope(t, bs), (mp.mpf("0.5"), mp.mpf(60)), solver="anderson")
    return [agrees(Estimate(free, 0, "findroot from x0 = 0.5", 40), xs, rtol=mp.mpf(10) ** -30, expect="REFUTED",
                   label="unbracketed"),
            agrees(Estimate(bracketed, 0, "findroot on the bracket (0.5, 60)", 40), xs, rtol=mp.mpf(10) ** -30,
                   label="bracketed")]


@claim("P-grid", r"a grid of step $10^{-2}$ (or SciPy's bounded `minimize_scalar` at its default tolerance) on the article's objective reproduces the printed $b=1.52382103\cdots$",
       tag="approx", expected="REFUTED", finding="pitfall",
       why=r"the grid max underestimates $M_+$ by $\approx\tfrac12|e''(x^*)|d^2$, which biases $b$ upwards: "
           r"by $5\cdot10^{-7}$ at step $10^{-2}$; `minimize_scalar(method='bounded')` stops at "
           r"its default `xatol=1e-5` in $a$ and misses $b$ by $2.6\cdot10^{-6}$. Step $10^{-3}$ still truncates correctly")
def P_grid():
    rec = {k: recipe(k) for k in ("bounded", "step 0.001", "step 0.01")}
    return [_truncated(rec["step 0.01"][0], PRINTED["b"], "golden-section on a grid of step 1e-2", "step 1e-2",
                       expect="REFUTED"),
            _truncated(rec["bounded"][0], PRINTED["b"], "minimize_scalar(method='bounded'), default xatol",
                       "bounded, default tolerance", expect="REFUTED"),
            _truncated(rec["step 0.001"][0], PRINTED["b"], "golden-section on a grid of step 1e-3", "step 1e-3")]


# --- report sections ------------------------------------------------------------------------------

def _trunc(value, decimals):
    """``value`` truncated (not rounded) to ``decimals`` decimals, as text."""
    with mp.workdps(60):
        t = mp.floor(mp.mpf(value) * 10**decimals) / mp.mpf(10) ** decimals
        return mp.nstr(t, decimals + 3, min_fixed=-10, max_fixed=10, strip_zeros=False)[:len(str(int(t))) + 1 + decimals]


def _agreeing(value, printed):
    """Significant digits of ``printed`` that ``value`` truncated to the same decimals matches."""
    mine = _trunc(value, len(printed.split(".")[1]))
    sig = lambda s: s.replace(".", "").lstrip("0")
    n = 0
    for c1, c2 in zip(sig(mine), sig(printed)):
        if c1 != c2:
            break
        n += 1
    return mine, n, len(sig(printed))


def _digits(a, c):
    from numerics.precision import digits, rel_diff
    with mp.workdps(70):
        d = digits(rel_diff(mp.mpf(a), mp.mpf(c)))
    return "all" if d == float("inf") else f"{d:.1f}"


@section("In short", order=-1)
def in_short():
    bA, xA, mA = route_a(60)
    bB = route_b()[0]
    with mp.workdps(40):
        bound = 4 * mp.log(2) ** 2
    _, nb, tb = _agreeing(bA, PRINTED["b"])
    _, nm, tm = _agreeing(mA, PRINTED["M"])
    rec = recipes()
    b_rep = rec["golden"][0]
    gs = grid_study()
    return (
        f"**Exercise 1 is right and its proof is complete.** SquarePlus$_b(x)=\\frac12(x+\\sqrt{{x^2+b}})$ lies "
        f"above SoftPlus $\\log(1+e^x)$ for every $x$ exactly when $b\\ge4\\log^22={nstr(bound, 16)}\\ldots$ "
        "(the article prints 1.921812⋯). Every step is proved symbolically (F3a-F3e): the squaring step is an "
        "equivalence because $2\\,\\mathrm{SoftPlus}(x)-x=\\mathrm{SoftPlus}(x)+\\mathrm{SoftPlus}(-x)>0$, a "
        "hypothesis the article uses without saying so; the sign of its eq. (6) rests on $\\log(1+u)<u$, proved "
        "here. Independently, interval arithmetic with exact tail bounds certifies SquarePlus$_{4\\log^22}\\ge$ "
        "SoftPlus on all of $\\mathbb R$ (F3-bound). The bound is sharp: at $b=4\\log^22-10^{-6}$ SquarePlus falls "
        "below SoftPlus at $x=0$ by "
        f"{nstr(-counterexample(30)[4], 3)}.\n\n"
        f"**Exercise 2: the article's numbers are right to every digit it prints.** The best $b$ in the "
        f"min-max sense is $b^*={nstr(bA, 25)}\\ldots$ with maximal error $M(b^*)={nstr(mA, 25)}\\ldots$; the "
        f"article prints $1.52382103\\cdots$ ({nb} of {tb} significant digits agree by truncation) and "
        f"$0.075931\\cdots$ ({nm} of {tm}). These values are **confirmed, not proved**: no closed form is known, "
        "$b^*$ is the root of the transcendental equioscillation system "
        "$e_b'(x)=0,\\;e_b(x)=\\log2-\\frac12\\sqrt b$, and two independent high-precision routes agree to "
        f"{_digits(bA, bB)} digits. The error curve touches $\\pm M$ three times: at $x=0$ (below) and at "
        f"$x=\\pm{nstr(xA, 8)}$ (above).\n\n"
        f"**The article's numerical recipe is adequate.** Its grid $[-2,4)$ (step $10^{{-4}}$) contains the "
        f"maximiser $x^*={nstr(xA, 6)}$ (not $-x^*$, which does not matter because the error is even, a fact "
        "the article does not state); the grid loses "
        f"{nstr(gs['deficit'], 2)} of the maximum, which shifts $b$ by {nstr(mp.mpf(b_rep) - gs['b'], 2)}, "
        "far below the printed digits. A grid of step $10^{-2}$, or SciPy's bounded scalar minimiser at its "
        f"default tolerance, would have missed the printed digits (off by {nstr(mp.mpf(rec['step 0.01'][0]) - gs['b'], 2)} "
        f"and {nstr(mp.mpf(rec['bounded'][0]) - gs['b'], 2)}).\n\n"
        "**Derivatives.** The first and second derivatives in the current article are correct; an earlier "
        "version printed $(1+x^2)$ for $(x^2+b)$ in the second derivative, which is wrong except at $b=1$.\n\n"
        "**Not in the article.** $e_b=\\mathrm{SquarePlus}_b-\\mathrm{SoftPlus}$ is even; for $b<4$ it has one "
        "positive critical point (where $b=x^2/\\sinh^2(x/2)$), none for $b\\ge4$; and it decays only like "
        "$b/(4|x|)$, so claims 'for all $x$' need the asymptotic argument, not a finite grid.")


@section("Exercise 1: the dominance bound (F3)", order=1)
def bound_section():
    roots, values, bound = h_scan(30)
    rows = ["| quantity | value |", "|---|---|",
            f"| $4\\log^22$, exact | ${sp.latex(BOUND)}$ |",
            f"| $4\\log^22$, 30 digits | {nstr(bound, 30)} |",
            f"| stationary points of $h=4s(x)s(-x)$ on $[-40,40]$ (sign scan of $h'$ + `findroot`) | {len(roots)} |",
            f"| the maximiser | {nstr(roots[0], 3)} |",
            f"| $h$ there minus $4\\log^22$ | {nstr(values[0] - bound, 3)} |"]
    ce = ["| dps | $b$ | $x$ | $q_b(x)$ | $s(x)$ | $q_b(x)-s(x)$ |", "|---|---|---|---|---|---|"]
    for d in NUM_DPS:
        bb, x0, q0, s0, diff = counterexample(d)
        ce.append(f"| {d} | {nstr(bb, 20)} | {nstr(x0, 1)} | {nstr(q0, 20)} | {nstr(s0, 20)} | {nstr(diff, 20)} |")
    text = ("The article's eq. (5) squares $\\sqrt{x^2+b}\\ge2s(x)-x$. **That is an equivalence only because "
            "$2s(x)-x=s(x)+s(-x)>0$** (F3b); the checker proves the exact reduction\n\n"
            "$$q_b(x)-s(x)=\\frac{b-h(x)}{2\\big(\\sqrt{x^2+b}+2s(x)-x\\big)},\\qquad h(x)=4s(x)s(-x),$$\n\n"
            "whose denominator is positive, so $q_b\\ge s$ at $x$ iff $b\\ge h(x)$ (F3c). The maximum of $h$ is "
            "$h(0)=4\\log^22$ by concavity of $\\log s$ (eq. 6, F3d) and Jensen at $\\pm x$ (eq. 7, F3e). A second, "
            "independent proof: arb ball arithmetic certifies $h\\le4\\log^22$ and $s\\le q_{4\\log^22}$ on $[-30,30]$ "
            "(F3-box) and, with exact chains $s\\le x+e^{-x}\\le x+(x+1)^{-2}\\le q_b$ for $x\\ge30$ and "
            "$s\\le e^x\\le(x-1)^{-2}\\le q_b$ for $x\\le-30$, on all of $\\mathbb R$ (F3-bound).\n\n"
            + "\n".join(rows) + "\n\n**Sharpness:** just below the bound, at $x=0$:\n\n" + "\n".join(ce))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    t = np.linspace(-8, 8, 801)
    hv = 4 * np.log1p(np.exp(t)) * np.log1p(np.exp(-t))
    ax.plot(t, hv, label="h(x) = 4 SoftPlus(x) SoftPlus(-x)")
    ax.axhline(float(bound), color="r", ls="--", label=f"4 log^2 2 = {float(bound):.6f}")
    ax.set(xlabel="x", ylabel="h(x)", title="SquarePlus_b >= SoftPlus at x iff b >= h(x); max h = h(0)")
    ax.legend()
    from derivcheck.bounds import gap_figure
    gap = gap_figure(SoftPlus(x), SquarePlus(x, BOUND), x, -8, 8, certified=[(-8, 8)],
                     title="SquarePlus - SoftPlus at b = 4 log^2 2: >= 0, zero only at x = 0 (F3-box, F3-bound)")
    return text, (("h_bound.png", fig), ("gap_at_bound.png", gap))


@functools.lru_cache(maxsize=None)
def v_curve(n=61):
    """(b, M_+(b), M_-(b)) near b*, at 20 digits (M_+ through the engine's critical point)."""
    out = []
    with mp.workdps(20):
        for bb in np.linspace(1.3, 1.75, n):
            b_ = mp.mpf(str(bb))
            xs = nsq.critical_point(b_)
            out.append((bb, float(nsq.error(xs, b_)), float(mp.log(2) - mp.sqrt(b_) / 2)))
    return out


def _minimax_tables():
    routes = {"A40": route_a(40), "A60": route_a(60), "B40": route_b(40), "B50": route_b(50),
              "C": (route_c()[0], None, route_c()[1])}
    label = {"A40": "A, 2x2 `findroot`, 40 digits", "A60": "A, 2x2 `findroot`, 60 digits",
             "B40": "B, nested bisection, 40 digits", "B50": "B, nested bisection, 50 digits",
             "C": "C, float64 grid, $4\\cdot10^5$ points of $[-20,20]$, golden-section"}
    k = {"A40": 32, "A60": 50, "B40": 32, "B50": 32}
    rows = ["| route | $b^*$ | $x^*$ | $M(b^*)$ |", "|---|---|---|---|"]
    for key, (bb, xx, mm) in routes.items():
        cell = (lambda v, n=k.get(key): nstr(v, n) if n else stable(v, 12))    # float64 route C: 12 digits (grid-limited to ~11)
        rows.append(f"| {label[key]} | {cell(bb)} | {'' if xx is None else nstr(xx, 18)} | {cell(mm)} |")
    agree = ["| pair | digits of agreement in $b^*$ | in $M(b^*)$ |", "|---|---|---|"]
    for p, q in (("A40", "A60"), ("B40", "A60"), ("B50", "A60"), ("B40", "B50"), ("C", "A60"), ("C", "B40")):
        agree.append(f"| {p} - {q} | {_digits(routes[p][0], routes[q][0])} | {_digits(routes[p][2], routes[q][2])} |")
    pert = ["| $\\delta$ | $M(b^*+\\delta)-M(b^*)$ | $M(b^*-\\delta)-M(b^*)$ |", "|---|---|---|"]
    for d, up, down in perturbation():
        pert.append(f"| {nstr(d, 1)} | {nstr(up, 8)} | {nstr(down, 8)} |")
    art = ["| quantity | article (printed, then ⋯) | computed, truncated | computed | significant digits agreeing |",
           "|---|---|---|---|---|"]
    with mp.workdps(40):
        bound = 4 * mp.log(2) ** 2
    for key, val in (("b", routes["A60"][0]), ("M", routes["A60"][2]), ("4log^2 2", bound)):
        mine, n, tot = _agreeing(val, PRINTED[key])
        art.append(f"| {key} | {PRINTED[key]} | {mine} | {nstr(val, 20)} | {n} of {tot} |")
    return "\n".join(rows), "\n".join(agree), "\n".join(pert), "\n".join(art)


def _minimax_figures():
    plt = pyplot()
    bs, xs, m = (float(v) for v in route_a(60)[:3])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    t = np.linspace(-15, 15, 1201)
    ax.plot(t, nsq.error_f64(t, bs), label="e_b*(x) = SquarePlus - SoftPlus")
    for sgn in (1, -1):
        ax.axhline(sgn * m, color="gray", ls="--", lw=0.8)
    ax.plot([-xs, 0, xs], [m, -m, m], "ro", label=f"equioscillation at -x*, 0, x* (x* = {xs:.4f})")
    ax.set(xlabel="x", ylabel="e_b*(x)", title=f"b* = {bs:.10f}: the error touches +-M = +-{m:.6f} three times")
    ax.legend()
    fig2, ax2 = plt.subplots(figsize=(7, 4.5))
    v = np.array(v_curve())
    ax2.plot(v[:, 0], v[:, 1], label="M_+(b) = max e_b = e_b(x*(b))")
    ax2.plot(v[:, 0], v[:, 2], label="M_-(b) = -e_b(0) = log 2 - sqrt(b)/2")
    ax2.plot(v[:, 0], np.maximum(v[:, 1], v[:, 2]), "k", lw=2, alpha=0.4, label="M(b) = max(M_+, M_-)")
    ax2.plot([bs], [m], "ro", label=f"crossing b* = {bs:.8f}")
    ax2.set(xlabel="b", ylabel="error", title="M(b) is V-shaped with a unique minimum at b*")
    ax2.legend()
    return (("error_at_bstar.png", fig), ("v_shape.png", fig2))


@section("Exercise 2: the minimax constant (F5)", order=2)
def minimax_section():
    rows, agree, pert, art = _minimax_tables()
    text = ("For $0<b<4\\log^22$ the error $e_b=q_b-s$ is even, has its minimum $e_b(0)=\\frac12\\sqrt b-\\log2<0$ "
            "at 0 and its maximum at $\\pm x^*(b)$, the unique positive root of $e_b'$ (F5-crit), where "
            "$b=x^2/\\sinh^2(x/2)$. So $M(b)=\\max\\big(\\log2-\\frac12\\sqrt b,\\;e_b(x^*(b))\\big)$; the first "
            "branch falls (F4b) and the second rises (F4d: $\\partial_be_b>0$ everywhere) with $b$, so $M$ has a "
            "unique minimiser $b^*$, the root of the **transcendental equioscillation system**\n\n"
            "$$e_b'(x^*)=0,\\qquad e_b(x^*)=\\log2-\\tfrac12\\sqrt b,$$\n\n"
            "with $M(b^*)=\\log2-\\frac12\\sqrt{b^*}$. No closed form is known: the verdict is CONFIRMED by "
            "independent routes, **not PROVED**.\n\n" + rows + "\n\n" + agree
            + "\n\nOptimality by perturbation ($M$ by `squareplus_max_error` at 40 digits; the one-sided slopes "
            "are $1/(4\\sqrt{x^{*2}+b^*})$ to the right and $1/(4\\sqrt{b^*})$ to the left, F5-opt):\n\n" + pert
            + "\n\nThe article's printed digits, compared by truncation (the article writes ⋯ after them):\n\n" + art)
    return text, _minimax_figures()


@section("The article's numerical procedure (F6)", order=3)
def procedure_section():
    gs = grid_study()
    rec = recipes()
    bs = gs["b"]
    rows = ["| item | value |", "|---|---|",
            "| window | $[-2,4)$, `np.arange(-2, 4, 0.0001)`, 60000 points |",
            f"| $x^*(b^*)$ | {nstr(gs['x'], 12)} (inside; $-x^*$ is outside, harmless by evenness) |",
            f"| grid point nearest 0 | {gs['grid0']!r} |",
            f"| distance of $x^*$ to the nearest grid point | {nstr(gs['dist'], 4)} |",
            f"| grid-max deficit $M_+(b^*)-\\max_{{\\rm grid}}e_{{b^*}}$ | {nstr(gs['deficit'], 4)} "
            f"(Taylor $\\frac12|e''(x^*)|d^2$: {nstr(gs['predicted'], 4)}) |",
            f"| $\\max_{{\\rm grid}}|e_{{b^*}}|-M(b^*)$ | {nstr(gs['gridmax'] - gs['M'], 3)} |"]
    runs = ["| recipe on the article's objective | $b$ | $b-b^*$ | truncates to the printed 1.52382103 |",
            "|---|---|---|---|"]
    names = {"golden": "grid step $10^{-4}$, golden-section, $a$-tolerance $10^{-14}$",
             "powell": "the listing as printed: SciPy Powell from $a=0$, xtol = ftol = $10^{-10}$",
             "bounded": "grid step $10^{-4}$, `minimize_scalar(method='bounded')`, default `xatol=1e-5` in $a$",
             "step 0.001": "grid step $10^{-3}$, golden-section", "step 0.01": "grid step $10^{-2}$, golden-section"}
    for key, label in names.items():
        bb = rec[key][0]
        ok = _trunc(bb, 8) == PRINTED["b"]
        runs.append(f"| {label} | {bb!r} | {nstr(mp.mpf(bb) - bs, 3)} | {'yes' if ok else 'no'} |")
    shift = gs["deficit"] / sum(gs["slopes"])
    return ("The grid maximum underestimates $M_+$ by the deficit $D$, so the objective crosses later: the "
            f"predicted shift of $b$ is $D/(M_+'+|M_-'|)$ = {nstr(shift, 4)}. Run to convergence, the "
            "article's recipe is limited by its grid to about 11 digits of $b$, three more than it prints. "
            "The recipes evaluate the listing in float64 with IEEE $+,-,\\times,/,\\sqrt{}$ and with $\\exp$, "
            "$\\log$ rounded to nearest (not the platform's libm), so the digits of $b$ below are the same on "
            "every machine.\n\n"
            + "\n".join(rows) + "\n\n" + "\n".join(runs))


@section("SquarePlus against SoftPlus and ReLU; the tail of the error", order=4)
def shape_section():
    plt = pyplot()
    bs = float(route_a(40)[0])
    bound = 4 * math.log(2) ** 2
    fig, ax = plt.subplots(figsize=(7, 4.5))
    t = np.linspace(-6, 6, 601)
    ax.plot(t, np.maximum(t, 0), "k", lw=1, label="ReLU")
    ax.plot(t, np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t))), lw=2, label="SoftPlus")
    for bb, name in ((1.0, "1"), (bs, f"b* = {bs:.6f}"), (bound, f"4 log^2 2 = {bound:.6f}")):
        ax.plot(t, (t + np.sqrt(t * t + bb)) / 2, "--", label=f"SquarePlus, b = {name}")
    ax.set(xlabel="x", ylabel="value", title="ReLU, SoftPlus and SquarePlus")
    ax.legend()
    fig2, (ax2, ax3) = plt.subplots(1, 2, figsize=(10, 4.5))
    t = np.logspace(np.log10(5), 6, 241)          # e_b > 0 beyond x ~ 1.2 at b*
    for bb, name in ((bs, "b*"), (bound, "4 log^2 2")):
        ax2.loglog(t, nsq.error_f64(t, bb), label=f"e_b(x), b = {name}")
        ax3.semilogx(t, 4 * t * nsq.error_f64(t, bb) / bb, label=f"b = {name}")
    ax2.loglog(t, bs / (4 * t), "k:", label="b*/(4x)")
    ax2.set(xlabel="x (the same for -x: e_b is even)", ylabel="e_b(x)", title="the error decays like b/(4|x|)")
    ax2.legend()
    ax3.axhline(1, color="gray", lw=0.8)
    ax3.set(xlabel="x", ylabel="e_b(x) / (b/(4x))", title="ratio to the asymptote tends to 1")
    ax3.legend()
    return ("The error tends to 0 from above in both tails, only like $b/(4|x|)$ (F4e): a statement 'for all "
            "$x$' needs this asymptotic argument, not only a finite grid.",
            (("functions.png", fig), ("tail.png", fig2)))
