r"""Smooth approximations of Top-k: GradTopK and the threshold constructions

Article: Su Jianlin (苏剑林), 《Softmax后传：寻找Top-K的光滑近似》 ("Softmax, continued: looking for a smooth approximation of Top-k"), 2024-09-19, https://kexue.fm/archives/10373

The Top-k indicator $\mathcal T_k$ is replaced by a smooth map into $\{p\in[0,1]^n:\sum p_i=k\}$
that should preserve order, ignore shifts and tend to $\mathcal T_k$ as $\tau\to0$ (applied to
$x/\tau$). **GradTopK** is the gradient of $\log e_k(e^x)$, computed by a recursion; **ThreTopK** is
$f(x-\lambda)$ with $\sum f=k$, in closed form for $f=\min(1,e^z)$ (ThreExp) and the two-piece
$f_s$ (ThreSmooth), by root finding for $f=\sigma$ (ThreSig). Exact identities are proved
symbolically for $n\le6$; rates are confirmed by ratios at adaptive precision; the article's
false statements (Su's 2019 iteration stays in $[0,1]$ and keeps the order; $f_s$ is smooth;
ThreSmooth at $k=1$ is softmax) and the bugs of its code listings are expected-REFUTED claims
with their counterexamples. Standard input $x_H=(0.3,-1.2,2.5,0.8,1.9,-0.4)$, $k=3$
(boundary gap $\delta=0.5$). The implementations follow the formulas of the text, not the
listings, which are modelled separately here.
"""
import functools
import itertools
import math

import gmpy2
import mpmath as mp
import numpy as np
import sympy as sp

from derivcheck import Estimate, agrees, chain, claim, identity, section
from derivcheck import bound
from derivcheck.figures import pyplot
from numerics import topk_smoothing as nt
from numerics.precision import stable

XH = (0.3, -1.2, 2.5, 0.8, 1.9, -0.4)
K_H, DELTA = 3, 0.5
TOP_H = tuple(1 if i in (2, 4, 3) else 0 for i in range(6))          # T_3(x_H): 2.5, 1.9, 0.8
TAUS = (0.1, 0.05, 0.02, 0.01)
SEED = 20240919
CONSTRUCTIONS = {"GradTopK": nt.grad_topk, "ThreExp": nt.exp_topk, "ThreSig": nt.sigmoid_topk,
                 "ThreSmooth": nt.smooth_topk}


# --- fixed float64 arithmetic for the float64 pitfalls and the published listings ------------------
# Where the float64 behaviour of a listing is the finding, it runs in one fixed float64 arithmetic:
# IEEE +, -, *, /, sqrt, exp and log correctly rounded (MPFR, gmpy2's IEEE double context) and sums
# correctly rounded (math.fsum). numpy's exp, log and sum may differ in the last bit between CPUs
# and libraries, and the listings amplify such bits into visible differences.

_IEEE64 = gmpy2.ieee(64)


def _cr64(fn, a):
    """fn (gmpy2.exp or gmpy2.log) correctly rounded to float64, elementwise; a float for a scalar."""
    arr = np.asarray(a, dtype=float)
    with gmpy2.context(_IEEE64):
        out = [float(fn(v)) for v in arr.ravel().tolist()]
    return out[0] if arr.ndim == 0 else np.array(out).reshape(arr.shape)


def exp64(a):
    """Correctly rounded float64 exp (inf on overflow, subnormal or 0 on underflow).

    >>> exp64(0.0), exp64(710.0), exp64([0.0, -800.0]).tolist()
    (1.0, inf, [1.0, 0.0])
    """
    return _cr64(gmpy2.exp, a)


def log64(a):
    """Correctly rounded float64 log (log 0 = -inf, log of a negative number or nan = nan).

    >>> log64(1.0), log64(0.0)
    (0.0, -inf)
    """
    return _cr64(gmpy2.log, a)


def lse64(a):
    """log-sum-exp m + log(sum e^(a - m)) in the fixed arithmetic (nan or inf propagate)."""
    a = np.asarray(a, dtype=float)
    m = float(np.max(a))
    if not math.isfinite(m):
        return m
    return m + log64(math.fsum(exp64(a - m)))


def e_sym(ys, k):
    """e_k(ys) by enumerating k-subsets."""
    return sp.Add(*[sp.Mul(*c) for c in itertools.combinations(ys, k)]) if k >= 0 else sp.Integer(0)  # mutate: equivalent (k < 0 is never reached)


def Zki(ys, k, i):
    """Z_{k,i}: the k-subsets containing i."""
    return ys[i] * e_sym([y for j, y in enumerate(ys) if j != i], k - 1)


# --- B1-B5: GradTopK, exactly -------------------------------------------------------------------

def _topk_sum(x, k):
    return sum(sorted(x, reverse=True)[:k])


@claim("B1", r"top-$k$ sum $=\max_{|S|=k}\sum_{i\in S}x_i$, and its one-sided partial derivatives (steps $\pm\tfrac13$, exact rationals) are $\mathcal T_k(x)$ where $x_{(k)}>x_{(k+1)}$; at a boundary tie they differ (only a subgradient); seeded integer vectors, $n\le7$",
       scope="instances")
def B1():
    rng = np.random.default_rng(SEED)
    out, h = [], sp.Rational(1, 3)        # mutate: equivalent (any step below the integer gap 1 gives the same quotients)
    for t in range(8):
        n = int(rng.integers(3, 8))
        k = int(rng.integers(1, n))
        x = [int(v) for v in rng.integers(-4 if t % 2 else -9, 5 if t % 2 else 10, n)]
        out.append(identity(_topk_sum(x, k), max(sum(c) for c in itertools.combinations(x, k)), f"x = {x}, k = {k}: max over subsets"))
        right = [(_topk_sum([v + h * int(j == i) for j, v in enumerate(x)], k) - _topk_sum(x, k)) / h for i in range(n)]
        left = [(_topk_sum(x, k) - _topk_sum([v - h * int(j == i) for j, v in enumerate(x)], k)) / h for i in range(n)]
        xs = sorted(x, reverse=True)
        if xs[k - 1] > xs[k]:
            T = [int(v >= xs[k - 1]) for v in x]
            out.append(identity(sp.Matrix(right + left), sp.Matrix(T + T), f"x = {x}, k = {k}: one-sided gradients = T_k"))
        else:                                                # boundary tie: right 1, left 0 on a tied entry
            i = x.index(xs[k - 1])
            out.append(identity(right[i] - left[i], 1, f"x = {x}, k = {k}: boundary tie, one-sided derivatives 1 and 0"))
    return out


@claim("B2", r"$Z_k=\sum_{|S|=k}e^{\sum_Sx_i}=e_k(y)$, $y=e^x$, $Z_{k,i}=y_ie_{k-1}(y_{-i})$ and $[\mathcal{ST}_k]_i=\partial\log Z_k/\partial x_i=Z_{k,i}/Z_k$ (symbolic $x$, every $n\le6$ and $1\le k\le n-1$; $i=1$, the other $i$ by the symmetry of $e_k$)")
def B2():
    Zs, eks, grads, Zk1s = [], [], [], []
    for n in range(2, 7):
        xs = sp.symbols(f"x1:{n + 1}", real=True)
        ys = [sp.exp(v) for v in xs]
        for k in range(1, n):
            Zs.append(sp.expand(sp.Add(*[sp.exp(sum(c)) for c in itertools.combinations(xs, k)])))
            eks.append(sp.expand(e_sym(ys, k)))
            # d log Z_k / d x_1 = (d Z_k / d x_1) / Z_k: the numerator must be Z_k1
            grads.append(sp.expand(sp.diff(e_sym(ys, k), xs[0])))
            Zk1s.append(sp.expand(Zki(ys, k, 0)))
    return [identity(sp.Matrix(Zs), sp.Matrix(eks), "Z_k = e_k(e^x) (n = 2..6, every k)"),
            identity(sp.Matrix(grads), sp.Matrix(Zk1s), "d Z_k / d x_1 = Z_k1, so d log Z_k / d x_1 = Z_k1 / Z_k (n = 2..6, every k)")]


@claim("B3", r"the article's recursion $Z_{k,i}=y_i(Z_{k-1}-Z_{k-1,i})$, $\sum_iZ_{k,i}=kZ_k$, $Z_{1,i}=y_i$ (symbolic $y_1..y_n$, every $n\le6$ and $k\le n$)")
def B3():
    rec, sums, ksums = [], [], []
    for n in range(2, 7):
        ys = sp.symbols(f"y1:{n + 1}", positive=True)
        for k in range(1, n + 1):
            rec += [sp.expand(Zki(ys, k, i) - ys[i] * (e_sym(ys, k - 1) - (Zki(ys, k - 1, i) if k > 1 else 0)))
                    for i in range(n)]
            sums.append(sp.expand(sum(Zki(ys, k, i) for i in range(n))))
            ksums.append(sp.expand(k * e_sym(ys, k)))
    return [identity(sp.Matrix(rec), sp.zeros(len(rec), 1), "recursion, every i (n = 2..6, k = 1..n)"),
            identity(sp.Matrix(sums), sp.Matrix(ksums), "sum_i Z_ki = k Z_k (n = 2..6, k = 1..n)")]


@claim("B4", r"GradTopK sums to $k$ exactly, $1-p_i=e_k(y_{-i})/e_k(y)$ (so $0<p_i<1$: both $p_i$ and $1-p_i$ are ratios of polynomials with positive coefficients in $y>0$), is softmax at $k=1$, is shift invariant ($Z_{k,\cdot}(x+c)=e^{kc}Z_{k,\cdot}(x)$) and permutation equivariant (symbolic $y$, every $n\le6$ and $1\le k\le n-1$)")
def B4():
    rows = {"k = 1: softmax": ([], []), "sum = k": ([], []), "1 - p_1 = e_k(y_-1)/e_k(y)": ([], []),
            "Z_k1(e^c y) = e^(kc) Z_k1(y)": ([], []), "swapping x1, x2 swaps p1, p2": ([], [])}
    for n in range(2, 7):
        for label, (lhs, rhs) in _b4_links(n).items():
            rows[label][0].extend(lhs)
            rows[label][1].extend(rhs)
    return [identity(sp.Matrix(lhs), sp.Matrix(rhs), f"{label} (n = 2..6, every k; numerators over e_k(y))")
            for label, (lhs, rhs) in rows.items()]


def _b4_links(n):
    """label -> (left sides, right sides) over k = 1..n-1 at this n."""
    ys = sp.symbols(f"y1:{n + 1}", positive=True)
    c = sp.Symbol("c", positive=True)                       # c = e^shift
    swap = {ys[0]: ys[1], ys[1]: ys[0]}
    out = {"k = 1: softmax": ([Zki(ys, 1, 0) / e_sym(ys, 1)], [ys[0] / sum(ys)]),
           "sum = k": ([], []), "1 - p_1 = e_k(y_-1)/e_k(y)": ([], []),
           "Z_k1(e^c y) = e^(kc) Z_k1(y)": ([], []), "swapping x1, x2 swaps p1, p2": ([], [])}
    for k in range(1, n):
        # p_i = Z_ki / e_k(y) share the denominator e_k(y) > 0: compare numerators, as polynomials
        ek = e_sym(ys, k)
        for label, lhs, rhs in (("sum = k", sum(Zki(ys, k, i) for i in range(n)), k * ek),
                                ("1 - p_1 = e_k(y_-1)/e_k(y)", ek - Zki(ys, k, 0), e_sym(ys[1:], k)),
                                ("Z_k1(e^c y) = e^(kc) Z_k1(y)", Zki([c * y for y in ys], k, 0), c**k * Zki(ys, k, 0)),
                                ("swapping x1, x2 swaps p1, p2", sp.Matrix([Zki(ys, k, 0), ek]).xreplace(swap),
                                 sp.Matrix([Zki(ys, k, 1), ek]))):
            out[label][0].append(sp.expand(lhs))
            out[label][1].append(sp.expand(rhs))
    return out


@claim("B5", r"$p_i-p_j=(y_i-y_j)\,e_{k-1}(y_{-\{i,j\}})/e_k(y)$, so $\mathrm{sign}(p_i-p_j)=\mathrm{sign}(x_i-x_j)$ for $k\le n-1$, since $e_{k-1}(y_{-\{i,j\}})>0$ (symbolic $y$, every $n\le6$ and $1\le k\le n-1$; $i,j=1,2$, the other pairs by symmetry)")
def B5():
    lhs, rhs = [], []
    for n in range(2, 7):
        ys = sp.symbols(f"y1:{n + 1}", positive=True)
        for k in range(1, n):                                # numerators over the common e_k(y) > 0
            lhs.append(sp.expand(Zki(ys, k, 0) - Zki(ys, k, 1)))
            rhs.append(sp.expand((ys[0] - ys[1]) * e_sym(ys[2:], k - 1)))
    return identity(sp.Matrix(lhs), sp.Matrix(rhs), "Z_k1 - Z_k2 = (y1 - y2) e_{k-1}(y_-{1,2}) (n = 2..6, every k)")


def _sample(count, seed=SEED, lo=-5, hi=5):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(2, 9))
        k = int(rng.integers(1, n))
        yield rng.uniform(lo, hi, n), k


@claim("B6", r"$0\le\tau\log Z_k(x/\tau)-\text{top-}k(x)\le\tau\log\binom nk$ (200 seeded inputs, $\tau\in\{1,0.1\}$, 30 digits)",
       tag="numeric", dps=(30,))
def B6():
    bad = 0
    for x, k in _sample(100):
        top = sum(sorted(x, reverse=True)[:k])
        for tau in (1, 0.1):
            gap = tau * nt.log_ek(list(x), k, tau, 30) - top
            bad += not (-mp.mpf(10) ** -25 <= gap <= tau * mp.log(math.comb(len(x), k)) + mp.mpf(10) ** -25)
    return agrees(Estimate(bad, 0, "violations among 200 evaluations", 30, 200, SEED), 0, label="bound")


@claim("B2-dp", r"GradTopK three ways at 50 digits agree to $10^{-30}$: subset enumeration, the article's recursion (log form, with subtraction) and the subtraction-free DP ($n\le8$, every $k$, $x$ uniform on $[-5,5]$); on $x_H/0.5$ to $10^{-40}$",
       tag="numeric", dps=(50,))
def B2_dp():
    worst = mp.mpf(0)
    rng = np.random.default_rng(SEED + 2)
    cases = [(list(XH), 3, 0.5)] + [(list(rng.uniform(-5, 5, n)), k, 1) for n in (3, 5, 8) for k in range(1, n)]
    with mp.workdps(50):
        for x, k, tau in cases:
            z = [nt._mpf(v) / nt._mpf(tau) for v in x]
            brute = _enumerate(z, k)
            rec = _recursion_mp(z, k)
            dp = nt.grad_topk(x, k, tau, dps=50)
            w = max(max(abs(a - b), abs(a - c)) for a, b, c in zip(brute, rec, dp))
            if (x, k, tau) == cases[0]:
                first = w
            worst = max(worst, w)
        return [agrees(Estimate(first, 0, "max difference of the three routes", 50), 0, scale=1, atol=mp.mpf(10) ** -40,
                       label="x_H / 0.5, k = 3"),
                agrees(Estimate(worst, 0, f"max difference over {len(cases)} cases", 50), 0, scale=1, atol=mp.mpf(10) ** -30,
                       label="random inputs")]


def _enumerate(z, k):
    n = len(z)
    subs = list(itertools.combinations(range(n), k))
    w = [mp.exp(mp.fsum(z[i] for i in S)) for S in subs]
    tot = mp.fsum(w)
    return [mp.fsum(wi for wi, S in zip(w, subs) if i in S) / tot for i in range(n)]


def _recursion_mp(z, k):
    """The article's log-form recursion: log Z_{k,i} = z_i + log(e^{log Z_{k-1}} - e^{log Z_{k-1,i}})."""
    logZi = list(z)
    logZ = mp.log(mp.fsum(mp.exp(v) for v in logZi))
    for kk in range(2, k + 1):
        logZi = [zi + mp.log(mp.exp(logZ) - mp.exp(li)) for zi, li in zip(z, logZi)]
        logZ = mp.log(mp.fsum(mp.exp(v) for v in logZi)) - mp.log(kk)
    return [mp.exp(li - logZ) for li in logZi]


# --- rates (B7, B12, B13, B14) --------------------------------------------------------------------

RATE = {"GradTopK": (1.0, 1.0), "ThreExp": (1.0, 1.0), "ThreSig": (0.5, 1.0), "ThreSmooth": (0.5, 0.5)}


@functools.lru_cache(maxsize=None)
def rate_rows(name):
    """(tau, dps, err_inf, rho) with rho = err / e^{-c delta/tau}, c = 1 or 1/2, at adaptive dps."""
    c, _ = RATE[name]
    rows = []
    for tau in TAUS:
        dps = nt.adaptive_dps(DELTA, tau)
        with mp.workdps(dps):
            p = CONSTRUCTIONS[name](list(XH), K_H, tau, dps=dps)
            err = max(abs(pi - ti) for pi, ti in zip(p, TOP_H))
            rows.append((tau, dps, err, err / mp.exp(-c * nt._mpf(DELTA) / nt._mpf(tau))))
    return rows


def _rate_claim(name):
    c, limit = RATE[name]
    rows = rate_rows(name)
    rhos = [r[3] for r in rows]
    mono = all(a < b for a, b in zip(rhos, rhos[1:])) or all(a > b for a, b in zip(rhos, rhos[1:]))
    slope = float(np.polyfit([1 / t for t in TAUS], [float(mp.log(r[2])) for r in rows], 1)[0])
    dps = rows[-1][1]
    return [agrees(Estimate(int(mono), 0, "rho over tau = 0.1, 0.05, 0.02, 0.01: " +
                            ", ".join(mp.nstr(r, 10) for r in rhos)), 1, label="rho monotone in tau"),
            agrees(Estimate(rhos[-1], 0, f"rho at tau = 0.01 ({dps} digits)", dps), limit, atol=mp.mpf(10) ** -6,
                   label=f"rho(0.01) within 1e-6 of {limit}"),
            agrees(Estimate(slope, 0, "least-squares slope of ln err against 1/tau"), -c * DELTA,
                   rtol=0.01, label=f"slope -{c:g} delta")]


@claim("B7", r"GradTopK: $\|\mathcal{ST}_3(x_H/\tau)-\mathcal T_3(x_H)\|_\infty=e^{-\delta/\tau}(1+o(1))$: the ratio tends to 1 monotonically, and $\ln\mathrm{err}$ has slope $-\delta$ in $1/\tau$",
       tag="asymptotic", dps=(60,))
def B7():
    return _rate_claim("GradTopK")


@claim("B12-rate", r"ThreExp: error $e^{-\delta/\tau}(1+o(1))$ on $x_H$, $k=3$", tag="asymptotic", dps=(60,))
def B12_rate():
    return _rate_claim("ThreExp")


@claim("B13", r"ThreSig: error $e^{-\delta/(2\tau)}(1+o(1))$ on $x_H$, $k=3$: half the exponent of GradTopK", tag="asymptotic",
       dps=(60,))
def B13():
    return _rate_claim("ThreSig")


@claim("B14-rate", r"ThreSmooth: error $\tfrac12e^{-\delta/(2\tau)}(1+o(1))$ on $x_H$, $k=3$", tag="asymptotic", dps=(60,))
def B14_rate():
    return _rate_claim("ThreSmooth")


@claim("B7-l1", r"GradTopK: $\|\mathcal{ST}_3(x_H/\tau)-\mathcal T_3(x_H)\|_1=2\sum_{j\notin\Omega}p_j$ for $\tau=0.1,0.05,0.02,0.01$ (adaptive dps, relative $10^{-25}$)",
       tag="exact", dps=(60,))
def B7_l1():
    worst = mp.mpf(0)
    for tau in TAUS:
        dps = nt.adaptive_dps(DELTA, tau)
        with mp.workdps(dps):
            p = nt.grad_topk(list(XH), K_H, tau, dps=dps)
            l1 = mp.fsum(abs(pi - ti) for pi, ti in zip(p, TOP_H))
            out = 2 * mp.fsum(pi for pi, ti in zip(p, TOP_H) if not ti)
            worst = max(worst, abs(l1 - out) / out)
    return agrees(Estimate(worst, 0, "max relative |l1 - 2 sum outside| over the tau grid", 60), 0, scale=1,
                  atol=mp.mpf(10) ** -25, label="l1 identity")


# --- the two iterations the article sets aside (B8, B9) ------------------------------------------

def su2019(x, k, tau=1, dps=50):
    """Su's 2019 soft-k-max: x <- x - min x; p <- p + softmax((1 - p) x), k times."""
    with mp.workdps(dps):
        z = [nt._mpf(v) / nt._mpf(tau) for v in x]
        lo = min(z)
        z = [v - lo for v in z]
        p = [mp.mpf(0)] * len(z)
        for _ in range(k):
            y = [(1 - pi) * zi for pi, zi in zip(p, z)]
            m = max(y)
            e = [mp.exp(v - m) for v in y]
            s = mp.fsum(e)
            p = [pi + ei / s for pi, ei in zip(p, e)]
        return p


def weighted_softmax_iter(x, k, tau, dps=None):
    """p <- p + softmax(z; 1 - p), k times (stats.stackexchange 454788); float64 when dps is None
    (the fixed arithmetic: correctly rounded exp, log and sums)."""
    if dps is None:
        z = np.asarray(x, dtype=float) / tau
        p = np.zeros_like(z)
        for _ in range(k):
            lw = log64(np.maximum(1 - p, 0.0)) + z
            lw -= lw.max()
            w = exp64(lw)
            p = p + w / math.fsum(w)
        return p
    with mp.workdps(dps):
        z = [nt._mpf(v) / nt._mpf(tau) for v in x]
        p = [mp.mpf(0)] * len(z)
        for _ in range(k):
            w = [(1 - pi) * mp.exp(zi - max(z)) for pi, zi in zip(p, z)]
            s = mp.fsum(w)
            p = [pi + wi / s for pi, wi in zip(p, w)]
        return p


@claim("B8", r"Su's 2019 iteration keeps $p\in[0,1]$: for $x=(0,1,2)$, $k=2$, $\tau=1$ no entry exceeds 1",
       tag="exact", expected="REFUTED", finding="failed-assumption", dps=(50,),
       why=r"the article only says $p\in[0,1]$ is hard to prove; it is false: the entry of the largest input is 1.0496 (and the sum is still exactly $k$)")
def B8():
    p = su2019([0, 1, 2], 2)
    with mp.workdps(50):
        return [agrees(Estimate(mp.fsum(p), 0, "sum of the output", 50), 2, atol=mp.mpf(10) ** -40, label="sum = k"),
                agrees(Estimate(max(0, max(p) - 1), 0, f"largest entry {mp.nstr(max(p), 12)}, excess over 1", 50), 0,
                       atol=mp.mpf(10) ** -40, label="no entry above 1", expect="REFUTED")]


@claim("B8-order", r"Su's 2019 iteration preserves the order: for $x=(0,11,12)$, $k=2$, the entry of 12 is at least that of 11",
       tag="exact", expected="REFUTED", finding="failed-assumption", dps=(50,),
       why="the iteration reverses the order here: the entry of the input 11 exceeds 1 and exceeds the entry of 12")
def B8_order():
    p = su2019([0, 11, 12], 2)
    with mp.workdps(50):
        return agrees(Estimate(max(0, p[1] - p[2]), 0, f"p = ({', '.join(mp.nstr(v, 10) for v in p)}): p(11) - p(12)", 50),
                      0, atol=mp.mpf(10) ** -40, label="order kept")


@functools.lru_cache(maxsize=None)
def su_sample(count=3000):
    """(non-monotone, above 1, largest entry) over the random sample of the spec."""
    rng = np.random.default_rng(SEED)
    nonmono = above = 0
    big = mp.mpf(0)
    for _ in range(count):
        n = int(rng.integers(2, 9))
        k = int(rng.integers(1, n))
        x = rng.uniform(-5, 5, n)
        p = su2019(list(x), k, 1, dps=20)
        order = np.argsort(x)
        ps = [p[i] for i in order]
        nonmono += any(b < a for a, b in zip(ps, ps[1:]))
        above += max(p) > 1
        big = max(big, max(p))
    return nonmono, above, big, count


@claim("B8-conv", r"Su's 2019 iteration does converge to $\mathcal T_3$ on $x_H$: $\|p-\mathcal T_3(x_H)\|_\infty$ decreases over $\tau=0.1,0.05,0.02,0.01$ and is below $10^{-20}$ at $\tau=0.01$ (adaptive dps)",
       tag="asymptotic", dps=(60,))
def B8_conv():
    errs = []
    for tau in TAUS:
        dps = nt.adaptive_dps(3.7, tau)
        p = su2019(list(XH), K_H, tau, dps=dps)
        with mp.workdps(dps):
            errs.append(max(abs(a - b) for a, b in zip(p, TOP_H)))
    dec = all(b < a for a, b in zip(errs, errs[1:]))
    return [agrees(Estimate(int(dec), 0, "errors " + ", ".join(mp.nstr(e, 4) for e in errs)), 1, label="error decreasing"),
            agrees(Estimate(errs[-1], 0, "error at tau = 0.01", 60), 0, scale=1, atol=mp.mpf(10) ** -20,
                   label="error at tau = 0.01 below 1e-20")]


B9_X, B9_TAU = (3, 2, 1, 4), 0.02


@claim("B9", r"weighted-softmax iteration, $k=2$: as $\tau\to0$ the output tends to $(1.5,0.5,0,\dots)$ on (largest, second, rest), not to $\mathcal T_2$ ($x=(3,2,1,4)$, $\tau=0.02$, adaptive dps)",
       tag="asymptotic", dps=(60,))
def B9():
    dps = max(60, nt.adaptive_dps(1, B9_TAU))
    p = weighted_softmax_iter(B9_X, 2, B9_TAU, dps)
    with mp.workdps(dps):
        return [agrees(Estimate(p[3], 0, "entry of the largest input", dps), 1.5, atol=mp.mpf(10) ** -15, label="largest: 1.5"),
                agrees(Estimate(p[0], 0, "entry of the second largest", dps), 0.5, atol=mp.mpf(10) ** -15, label="second: 0.5"),
                agrees(Estimate(max(p[1], p[2]), 0, "largest of the others", dps), 0, scale=1, atol=mp.mpf(10) ** -15, label="rest: 0")]


@claim("B9-float64", r"the float64 weighted-softmax iteration's output at $\tau=0.02$ ($\mathcal T_2$ within $10^{-12}$) is its true limit",
       tag="numeric", expected="REFUTED", finding="pitfall", dps=(60,),
       why=r"$1-p_{\max}\sim e^{-(x_{(1)}-x_{(2)})/\tau}=e^{-50}$ rounds to 0 in float64, so float64 shows $\mathcal T_2$; at adaptive precision the entries are 1.5 and 0.5")
def B9_float64():
    p64 = weighted_softmax_iter(B9_X, 2, B9_TAU)
    dps = max(60, nt.adaptive_dps(1, B9_TAU))
    ref = weighted_softmax_iter(B9_X, 2, B9_TAU, dps)
    with mp.workdps(dps):
        return [agrees(Estimate(float(np.max(np.abs(p64 - np.array([0, 0, 0, 1]) - np.array([1, 0, 0, 0])))), 0,
                                "float64 against T_2"), 0, atol=1e-12, scale=1, label="float64 shows T_2"),
                agrees(Estimate(float(p64[3]), 0, "float64 entry of the largest input"), ref[3], atol=mp.mpf(10) ** -6,
                       label="float64 against the adaptive-precision value", expect="REFUTED")]


# --- ThreTopK with a general f (B10, B11), the closed forms (B12, B14), f_s (B15, B16), sg (B17) -----

@claim("B10", r"implicit gradient of $\sum_if(x_i-\lambda)=k$: $\partial\lambda/\partial x_j=f'(z_j)/\sum_if'(z_i)$, summing to 1; the Jacobian $f'(z_i)\delta_{ij}-f'(z_i)f'(z_j)/\sum_lf'(z_l)$ is symmetric with zero row sums (undefined $f$, $n=3$)")
def B10():
    xs = sp.symbols("x1:4", real=True)
    lam = sp.Symbol("lambda", real=True)
    f = sp.Function("f")
    fp = [sp.Symbol(f"d{i + 1}", positive=True) for i in range(3)]       # f'(z_i)
    F = sum(f(xi - lam) for xi in xs)
    sub = {sp.diff(f(xi - lam), xi): fp[i] for i, xi in enumerate(xs)}
    dF_dx = [sp.diff(F, xi).subs(sub) for xi in xs]
    dF_dl = sp.diff(F, lam).subs({sp.diff(f(xi - lam), lam): -fp[i] for i, xi in enumerate(xs)})
    grad = [-g / dF_dl for g in dF_dx]                                     # implicit function theorem
    S = sum(fp)
    J = sp.Matrix(3, 3, lambda i, j: fp[i] * (1 if i == j else 0) - fp[i] * fp[j] / S)
    return [identity(sp.Matrix(grad), sp.Matrix([d / S for d in fp]), "d lambda / d x_j"),
            identity(sum(grad), 1, "sum_j d lambda / d x_j = 1"),
            identity(J - J.T, sp.zeros(3, 3), "J symmetric"),
            identity(J * sp.ones(3, 1), sp.zeros(3, 1), "rows sum to 0")]


H_FD = mp.mpf(10) ** -20


def fd_jacobian(fn, x, k, tau, dps=50):
    with mp.workdps(dps):
        x = [nt._mpf(v) for v in x]
        cols = []
        for j in range(len(x)):
            xp, xm = list(x), list(x)
            xp[j] += H_FD
            xm[j] -= H_FD
            a, b = fn(xp, k, tau, dps=dps), fn(xm, k, tau, dps=dps)
            cols.append([(u - v) / (2 * H_FD) for u, v in zip(a, b)])
        return mp.matrix(cols).T


def threshold_jacobian(name, x, k, tau, dps=50):
    """The B10 formula for ThreTopK (1/tau for the temperature)."""
    with mp.workdps(dps + 10):
        z = [nt._mpf(v) / nt._mpf(tau) for v in x]
        if name == "ThreSig":
            lam = nt.sigmoid_threshold(z, k, dps)
            fp = [(1 / (1 + mp.exp(lam - v))) * (1 - 1 / (1 + mp.exp(lam - v))) for v in z]
        elif name == "ThreSmooth":
            lam = nt.smooth_threshold(z, k, dps)
            fp = [mp.exp(-abs(v - lam)) / 2 for v in z]
        else:
            lam = nt.exp_threshold(z, k, dps)
            fp = [mp.exp(v - lam) if v < lam else mp.mpf(0) for v in z]
        S = mp.fsum(fp)
        n = len(z)
        return mp.matrix([[(fp[i] * (i == j) - fp[i] * fp[j] / S) / nt._mpf(tau) for j in range(n)] for i in range(n)])


@claim("B10-fd", r"the B10 Jacobian against central differences ($h=10^{-20}$, 50 digits) within $10^{-25}$: ThreSig and ThreSmooth on $x_H$ ($k=3$, $\tau=0.5$), ThreExp at a point away from saturation; the finite-difference matrix is symmetric, PSD and has zero row sums (to $10^{-25}$)",
       tag="numeric", dps=(50,))
def B10_fd():
    out = []
    x_exp = (0.3, -1.2, 0.5, 0.8, 0.1, -0.4)                 # k = 3, no entry saturated at tau = 2  # mutate: equivalent (the identities hold at any point off the kinks)
    for name, x, tau in (("ThreSig", XH, 0.5), ("ThreSmooth", XH, 0.5), ("ThreExp", x_exp, 2)):
        with mp.workdps(50):
            J = threshold_jacobian(name, x, K_H, tau)
            F = fd_jacobian(CONSTRUCTIONS[name], x, K_H, tau)
            diff = max(abs(J[i, j] - F[i, j]) for i in range(6) for j in range(6))
            # symmetry, PSD and row sums on the finite-difference matrix (the analytic one is symmetric by construction)
            asym = max(abs(F[i, j] - F[j, i]) for i in range(6) for j in range(6))
            rows = max(abs(mp.fsum(F[i, j] for j in range(6))) for i in range(6))
            eig = min(mp.eigsy((F + F.T) / 2)[0])
            out.append(agrees(Estimate(diff, 0, "max |analytic - finite difference|", 50), 0, scale=1, atol=mp.mpf(10) ** -25,
                              label=f"{name}: Jacobian"))
            out.append(agrees(Estimate(max(asym, rows, max(-eig, 0)), 0,
                                       "finite differences: asymmetry, row sums, negative eigenvalue", 50),
                              0, scale=1, atol=mp.mpf(10) ** -25, label=f"{name}: symmetric PSD, zero row sums (finite differences)"))
    return out


@claim("B11", r"the bisection bracket: $F(x_{\min}-\sigma^{-1}(k/n))\ge k\ge F(x_{\max}-\sigma^{-1}(k/n))$ for $F(\lambda)=\sum\sigma(x_i-\lambda)$ (500 seeded inputs, 30 digits)",
       tag="exact", dps=(30,))
def B11():
    bad = 0
    with mp.workdps(30):
        for x, k in _sample(500, SEED + 11, -20, 20):
            z = [mp.mpf(float(v)) for v in x]
            c = mp.log(mp.mpf(k) / (len(z) - k))
            F = lambda lam: mp.fsum(1 / (1 + mp.exp(lam - v)) for v in z)
            bad += not (F(min(z) - c) >= k >= F(max(z) - c))
    return agrees(Estimate(bad, 0, "violations among 500 inputs", 30, 500, SEED + 11), 0, label="bracket")


@claim("B12", r"ThreExp at $k=1$: the $m=0$ branch $\lambda=\mathrm{LSE}(x)\ge x_{\max}$ is always valid and $e^{x_i-\lambda}$ is softmax ($n=4$)")
def B12():
    xs = sp.symbols("x1:5", real=True)
    lse = sp.log(sum(sp.exp(v) for v in xs))
    return [identity(sp.exp(xs[0] - lse), sp.exp(xs[0]) / sum(sp.exp(v) for v in xs), "e^(x1 - LSE) = softmax_1"),
            identity(sp.expand_log(lse - xs[0], force=True),
                     sp.log(1 + sum(sp.exp(v - xs[0]) for v in xs[1:])), "LSE - x1 = log(1 + ...) >= 0")]


@claim("B12-unique", r"ThreExp's closed form is unique for $k<n$: exactly one $m\in\{0..k-1\}$ passes the interval test $x_{(m)}\ge\lambda_m\ge x_{(m+1)}$, $\lambda_m=\log\sum_{i>m}e^{x_{(i)}}-\log(k-m)$ (200 seeded inputs, 30 digits)",
       tag="exact", dps=(30,))
def B12_unique():
    counts = {}
    with mp.workdps(30):
        for x, k in _sample(200, SEED + 12):
            zs = sorted((mp.mpf(float(v)) for v in x), reverse=True)
            ok = 0
            for m in range(k):
                lam = mp.log(mp.fsum(mp.exp(v) for v in zs[m:])) - mp.log(k - m)
                ok += (m == 0 or zs[m - 1] >= lam) and lam >= zs[m]
            counts[ok] = counts.get(ok, 0) + 1
    return agrees(Estimate(sum(c for ok, c in counts.items() if ok != 1), 0,
                           "inputs without exactly one valid m (valid-m counts: " +
                           ", ".join(f"{ok}: {c}" for ok, c in sorted(counts.items())) + ")", 30, 200, SEED + 12), 0,
                  label="exactly one branch")


@claim("B12-weak", r"ThreExp is strictly monotone: on $x=(10,9,0,0)$, $k=3$, $\tau=1$ the entries of 10 and 9 differ",
       tag="exact", expected="REFUTED", finding="article-error", dps=(30,),
       why="saturated entries tie at exactly 1, so only weak monotonicity holds (entries lie in (0,1], not (0,1))")
def B12_weak():
    p = nt.exp_topk([10, 9, 0, 0], 3, 1, dps=30)
    with mp.workdps(30):
        return agrees(Estimate(int(p[0] > p[1]), 0, f"p = ({', '.join(mp.nstr(v, 8) for v in p)})", 30), 1,
                      label="p(10) > p(9)")


@claim("B13-k1", r"ThreSig at $k=1$ is not softmax: for $n=2$, $\lambda=(x_1+x_2)/2$ solves $\sigma(x_1-\lambda)+\sigma(x_2-\lambda)=1$, so the output is $\sigma(\Delta/2)$, not $\sigma(\Delta)$; the root finder agrees at $\Delta=10$ (50 digits)",
       tag="exact", dps=(50,))
def B13_k1():
    D = sp.Symbol("Delta", positive=True)
    sig = lambda t: 1 / (1 + sp.exp(-t))
    with mp.workdps(50):
        p = nt.sigmoid_topk([10, 0], 1, 1, dps=50)
        half, soft = 1 / (1 + mp.exp(-5)), 1 / (1 + mp.exp(-10))
    return [identity(sig(D / 2) + sig(-D / 2), 1, "lambda = (x1 + x2)/2: sigma(Delta/2) + sigma(-Delta/2) = 1"),
            agrees(Estimate(p[0], 0, f"root finder, x = (10, 0) (softmax would give {mp.nstr(soft, 8)})", 50), half,
                   atol=mp.mpf(10) ** -40, label="ThreSig entry of 10 = sigma(5)")]


A_, B_, u_, c_ = sp.symbols("A B u c", positive=True)


@claim("B14", r"ThreSmooth: with $m$ entries above $\lambda$, $\sum f_s=k$ is $\tfrac12A_mu^2+(k-m)u-\tfrac12B_m=0$ in $u=e^\lambda$, solved by $u=B_m/(\sqrt{(k-m)^2+A_mB_m}+(k-m))$; $m=0$: $\lambda=\log B_0-\log2k$; the missing $m=n$ branch: $\lambda=\log(2(n-k))-\log A_n$")
def B14():
    km = sp.Symbol("d", real=True)                           # k - m
    root = B_ / (sp.sqrt(km**2 + A_ * B_) + km)
    n_, k_ = sp.symbols("n k", positive=True)
    lam = sp.Symbol("lambda", real=True)
    return [identity(sp.expand(A_ * root**2 / 2 + km * root - B_ / 2).simplify(), 0, "the root solves the quadratic"),
            identity(B_ * sp.exp(-(sp.log(B_) - sp.log(2 * k_))) / 2, k_, "m = 0: sum e^(x - lambda)/2 = k"),
            identity(n_ - A_ * sp.exp(sp.log(2 * (n_ - k_)) - sp.log(A_)) / 2, k_, "m = n: sum (1 - e^(lambda - x)/2) = k")]


@claim("B14-branch", r"the published ThreSmooth listing (branches $m=0..n-1$ only) returns a value for every input",
       tag="exact", expected="REFUTED", finding="listing-bug", dps=(30,),
       why=r"it omits the branch $m=n$ ($\lambda<x_{\min}$): $x=(0,0.1,0.2)$, $k=2$ returns nothing; this happens only for $k>n/2$, as the author says in the comments. The listing is the one printed in the English translation of the article, not verified against the Chinese original; the formulas of the text are correct.")
def B14_branch():
    got = listing_smooth([0, 0.1, 0.2], 2)
    with mp.workdps(30):
        ref = mp.fsum(nt.smooth_topk([0, 0.1, 0.2], 2, 1, dps=30))
    return [agrees(Estimate(ref, 0, "sum of ThreSmooth with the m = n branch, 30 digits", 30), 2, atol=mp.mpf(10) ** -25,
                   label="with the m = n branch: a vector summing to k"),
            agrees(Estimate(int(got is None), 0, "listing returned nothing" if got is None else "listing returned a vector"),
                   0, label="listing on x = (0, 0.1, 0.2), k = 2", expect="REFUTED")]


zz = sp.Symbol("z", real=True)
f_pos, f_neg = 1 - sp.exp(-zz) / 2, sp.exp(zz) / 2


@claim("B15", r"$f_s$ is $C^1$: $f_s(0^\pm)=\tfrac12$ and $f_s'(0^\pm)=\tfrac12$")
def B15():
    return [identity(f_pos.subs(zz, 0), f_neg.subs(zz, 0), "f_s(0+) = f_s(0-)"),
            identity(sp.diff(f_pos, zz).subs(zz, 0), sp.diff(f_neg, zz).subs(zz, 0), "f_s'(0+) = f_s'(0-)")]


@claim("B15-range", r"ThreSig and ThreSmooth entries lie strictly in $(0,1)$, and $(0,1)$ is the sharp range: $0<\sigma(z)<1$ and $0<f_s(z)<1$ for every real $z$ ($f_s=1-e^{-z}/2$ for $z\ge0$, $e^z/2$ for $z\le0$), with infimum 0 and supremum 1 (the limits $z\to\mp\infty$), unlike ThreExp's $\min(1,e^z)$, which attains 1")
def B15_range():
    sig = 1 / (1 + sp.exp(-zz))
    # the limits z -> -oo, +oo: continuous compositions of exp, so the values at the ends (exp(-oo) = 0)
    ends = [sig.subs(zz, -sp.oo), sig.subs(zz, sp.oo), f_neg.subs(zz, -sp.oo), f_pos.subs(zz, sp.oo)]
    inf_s, sup_s, inf_f, sup_f = ends
    return [identity(sp.Matrix(ends), sp.Matrix([0, 1, 0, 1]), "inf and sup of sigma and f_s (z -> -oo, +oo): 0 and 1"),
            bound(inf_s, sig, strict=True, label="sigma > inf sigma"), bound(sig, sup_s, strict=True, label="sigma < sup sigma"),
            bound(inf_f, f_pos, strict=True, domain={zz: (0, sp.oo)}, label="f_s > inf f_s, z >= 0"),
            bound(f_pos, sup_f, strict=True, domain={zz: (0, sp.oo)}, label="f_s < sup f_s, z >= 0"),
            bound(inf_f, f_neg, strict=True, domain={zz: (-sp.oo, 0)}, label="f_s > inf f_s, z <= 0"),
            bound(f_neg, sup_f, strict=True, domain={zz: (-sp.oo, 0)}, label="f_s < sup f_s, z <= 0")]


@claim("B15-smooth", r"the article: $f_s$ is smooth everywhere, so $f_s''(0^+)=f_s''(0^-)$",
       tag="exact", expected="REFUTED", finding="article-error",
       why=r"$f_s''(0^+)=-\tfrac12$ and $f_s''(0^-)=+\tfrac12$: $f_s$ is only $C^1$, and the Jacobian of ThreSmooth has a kink where some $x_i=\lambda$")
def B15_smooth():
    return identity(sp.diff(f_pos, zz, 2).subs(zz, 0), sp.diff(f_neg, zz, 2).subs(zz, 0), "f_s''(0+) against f_s''(0-)")


@claim("B15-kink", r"the ThreSmooth Jacobian has a kink where some $x_i$ crosses $\lambda$: on $x=(a,0.5,-1)$, $k=1$, $\tau=1$, the entry $\partial p_1/\partial x_1$ is continuous at the $a^*$ with $a^*=\lambda(a^*)$ (jump below $10^{-10}$ over $a^*\pm10^{-12}$) while its one-sided slopes in $a$ differ by more than $0.1$ (50 digits; slopes stable between steps $10^{-12}$ and $10^{-16}$)",
       tag="numeric", dps=(50,))
def B15_kink():
    with mp.workdps(50):
        rest = [mp.mpf("0.5"), mp.mpf(-1)]          # mutate: equivalent (every such crossing has the kink)
        a0 = mp.findroot(lambda a: a - nt.smooth_threshold([a] + rest, 1, 50), mp.mpf("0.7"))
        J = lambda a: threshold_jacobian("ThreSmooth", [a] + rest, 1, 1)[0, 0]
        J0 = J(a0)
        jumps = []
        for h in (mp.mpf(10) ** -12, mp.mpf(10) ** -16):
            left, right = (J0 - J(a0 - h)) / h, (J(a0 + h) - J0) / h
            jumps.append(right - left)
        cont = abs(J(a0 + mp.mpf(10) ** -12) - J(a0 - mp.mpf(10) ** -12))
        return [agrees(Estimate(cont, 0, f"|J11(a*+h) - J11(a*-h)|, a* = {mp.nstr(a0, 12)}", 50), 0, scale=1,
                       atol=mp.mpf(10) ** -10, label="J11 continuous at the crossing"),
                agrees(Estimate(jumps[0], 0, "right slope - left slope, h = 1e-12", 50), jumps[1], atol=mp.mpf(10) ** -10,
                       label="one-sided slopes converge (h = 1e-12 against 1e-16)"),
                agrees(Estimate(int(abs(jumps[1]) > mp.mpf("0.1")), 0, f"slope jump {mp.nstr(jumps[1], 8)}"), 1,
                       label="the slopes differ: a kink")]


@claim("B16", r"the article's exercise: for $k=1$ ThreSmooth reduces to softmax; on $x=(10,0)$, $\tau=1$",
       tag="exact", expected="REFUTED", finding="article-error", dps=(50,),
       why=r"only when $\max\mathrm{softmax}\le\tfrac12$ (branch $m=0$); otherwise $m=1$ and the maps differ: at $x=(10,0)$ ThreSmooth gives $1-e^{-5}/2=0.99663$ against softmax $\sigma(10)=0.99995$")
def B16():
    with mp.workdps(50):
        p = nt.smooth_topk([10, 0], 1, 1, dps=50)
        sm = 1 / (1 + mp.exp(-10))
        return agrees(Estimate(p[0], 0, "ThreSmooth entry of 10", 50), sm, atol=mp.mpf(10) ** -40, label="against softmax")


@claim("B16-iff", r"when $\max\mathrm{softmax}(x)\le\tfrac12$ ThreSmooth at $k=1$ is softmax ($x=(0.1,0,-0.1)$, 50 digits); for $n=2$ the $m=1$ branch differs from $\sigma(\Delta)$ at $O(\Delta^2)$ with a nonzero coefficient ($-1/16$)",
       tag="exact", dps=(50,))
def B16_iff():
    with mp.workdps(50):
        x = [mp.mpf("0.1"), mp.mpf(0), mp.mpf("-0.1")]
        p = nt.smooth_topk(x, 1, 1, dps=50)
        s = mp.fsum(mp.exp(v) for v in x)
        diff = max(abs(pi - mp.exp(v) / s) for pi, v in zip(p, x))
    D = sp.Symbol("Delta", positive=True)
    # n = 2, k = 1, m = 1: x = (D, 0); A_1 = e^-D, B_1 = 1, k - m = 0: u = sqrt(B/A) = e^(D/2)
    lam = sp.log(sp.sqrt(1 / sp.exp(-D)))
    p1 = 1 - sp.exp(-(D - lam)) / 2
    coeff = sp.series(p1 - 1 / (1 + sp.exp(-D)), D, 0, 3).removeO().coeff(D, 2)
    return [agrees(Estimate(diff, 0, "max |ThreSmooth - softmax|", 50), 0, scale=1, atol=mp.mpf(10) ** -40, label="equal below 1/2"),
            identity(sp.series(p1 - 1 / (1 + sp.exp(-D)), D, 0, 2).removeO(), 0, "agree to first order in Delta"),
            identity(coeff, sp.Rational(-1, 16), "Delta^2 coefficient of the difference is -1/16")]


@claim("B17", r"stop-gradient trick: $\tilde\lambda(x)=x\cdot\mathrm{sg}[v]+\mathrm{sg}[\lambda-x\cdot v]$ has value $\lambda$ and gradient $v$ (sg arguments as fresh constants)")
def B17():
    xs = sp.Matrix(sp.symbols("x1:4", real=True))
    v = sp.Matrix(sp.symbols("v1:4", real=True))            # frozen nabla lambda at x0
    lam0 = sp.Symbol("lambda0", real=True)
    x0 = sp.Matrix(sp.symbols("a1:4", real=True))
    frozen = lam0 - (x0.T * v)[0]                             # sg[lambda - x.v], evaluated at x0
    lt = (xs.T * v)[0] + frozen
    return [identity(lt.subs(dict(zip(xs, x0))), lam0, "value at x0"),
            identity(sp.Matrix([sp.diff(lt, xi) for xi in xs]), v, "gradient")]


# --- derived results (B18-B20) --------------------------------------------------------------------

def grad_jacobian(x, k, tau, dps=50):
    """pi_ij - p_i p_j (conditional-Poisson covariance), pi_ij by enumeration, times 1/tau."""
    with mp.workdps(dps + 10):
        z = [nt._mpf(v) / nt._mpf(tau) for v in x]
        n = len(z)
        subs = list(itertools.combinations(range(n), k))
        w = [mp.exp(mp.fsum(z[i] for i in S)) for S in subs]
        tot = mp.fsum(w)
        pi = [[mp.fsum(wi for wi, S in zip(w, subs) if i in S and j in S) / tot for j in range(n)] for i in range(n)]
        return mp.matrix([[(pi[i][j] - pi[i][i] * pi[j][j]) / nt._mpf(tau) for j in range(n)] for i in range(n)])


@claim("B18", r"GradTopK is the inclusion probability of $P(S)\propto e^{\sum_Sx_i}$ on $k$-subsets; its Jacobian is $\mathrm{Cov}(\mathbb 1_S)=\pi_{ij}-p_ip_j$ (finite differences, $10^{-25}$), PSD of rank $n-1$ (one eigenvalue below $10^{-40}$) with zero row sums ($x_H$, $k=3$, $\tau=0.5$)",
       tag="numeric", dps=(50,))
def B18():
    with mp.workdps(50):
        J = grad_jacobian(XH, K_H, 0.5)
        F = fd_jacobian(nt.grad_topk, XH, K_H, 0.5)
        diff = max(abs(J[i, j] - F[i, j]) for i in range(6) for j in range(6))
        ev = sorted(mp.eigsy(J)[0])
        return [agrees(Estimate(diff, 0, "max |Cov - finite difference|", 50), 0, scale=1, atol=mp.mpf(10) ** -25, label="Jacobian"),
                agrees(Estimate(abs(ev[0]), 0, "smallest |eigenvalue|", 50), 0, scale=1, atol=mp.mpf(10) ** -40, label="one zero eigenvalue"),
                agrees(Estimate(int(all(e > mp.mpf(10) ** -10 for e in ev[1:])), 0,
                                f"other eigenvalues from {mp.nstr(ev[1], 4)}"), 1, label="the others positive")]


@claim("B19", r"variational form: ThreSig $=\nabla\Phi$, $\Phi(x)=\min_\lambda\sum_i\mathrm{softplus}(x_i-\lambda)+k\lambda$ (envelope theorem; central differences within $10^{-25}$), and LML stationarity $x_i+\log\frac{1-p_i}{p_i}$ equal for every $i$ to $10^{-40}$ ($x_H$, $k=3$, $\tau=1$; true of $p=\sigma(x-\lambda)$ by construction); the softplus bound $0\le\tau\Phi(x/\tau)-\text{top-}k(x)\le n\tau\log2$ (60 seeded evaluations, 40 digits)",
       tag="numeric", dps=(50,))
def B19():
    def Phi(x):
        lam = nt.sigmoid_threshold(x, K_H, 50)
        return mp.fsum(mp.log1p(mp.exp(v - lam)) for v in x) + K_H * lam
    with mp.workdps(60):
        x = [nt._mpf(v) for v in XH]
        p = nt.sigmoid_topk(x, K_H, 1, dps=50)
        grad = []
        for j in range(6):
            xp, xm = list(x), list(x)
            xp[j] += H_FD
            xm[j] -= H_FD
            grad.append((Phi(xp) - Phi(xm)) / (2 * H_FD))
        stat = [v + mp.log((1 - pi) / pi) for v, pi in zip(x, p)]
        return [agrees(Estimate(max(abs(a - b) for a, b in zip(grad, p)), 0, "max |grad Phi - ThreSig|", 50), 0,
                       scale=1, atol=mp.mpf(10) ** -25, label="gradient of Phi"),
                # p = sigma(x - lambda) makes x_i + log((1-p_i)/p_i) = lambda by construction
                agrees(Estimate(max(stat) - min(stat), 0, "spread of x_i + log((1-p_i)/p_i)", 50), 0,
                       scale=1, atol=mp.mpf(10) ** -40, label="LML stationarity", consistency=True),
                _softplus_bound()]


def _softplus_bound(count=30):
    """0 <= tau Phi(x/tau) - top-k(x) <= n tau log 2 on seeded inputs (Ogryczak-Tamir, ReLU <= softplus <= ReLU + log 2)."""
    bad, lo, hi = 0, mp.inf, mp.mpf(0)
    with mp.workdps(40):
        for x, k in _sample(count, SEED + 19):
            top = mp.fsum(sorted((nt._mpf(v) for v in x), reverse=True)[:k])
            for tau in (1, 0.1):
                z = [nt._mpf(v) / nt._mpf(tau) for v in x]
                lam = nt.sigmoid_threshold(z, k, 40)
                gap = nt._mpf(tau) * (mp.fsum(mp.log1p(mp.exp(v - lam)) for v in z) + k * lam) - top
                ratio = gap / (len(x) * nt._mpf(tau) * mp.log(2))
                lo, hi = min(lo, ratio), max(hi, ratio)
                bad += not (0 <= gap <= len(x) * nt._mpf(tau) * mp.log(2))
    return agrees(Estimate(bad, 0, f"violations among {2 * count} evaluations; gap / (n tau log 2) from "
                                   f"{mp.nstr(lo, 3)} to {mp.nstr(hi, 3)}", 40, 2 * count, SEED + 19), 0,
                  label="0 <= tau Phi(x/tau) - top-k(x) <= n tau log 2")


def complement_violation(name, x, k, tau=1, dps=30):
    with mp.workdps(dps):
        f = CONSTRUCTIONS[name]
        a = f(list(x), k, tau, dps=dps)
        b = f([-nt._mpf(v) for v in x], len(x) - k, tau, dps=dps)
        return max(abs(ai - (1 - bi)) for ai, bi in zip(a, b))


@claim("B20", r"complement symmetry $\mathcal{ST}_k(x)=\mathbf 1-\mathcal{ST}_{n-k}(-x)$ holds for GradTopK, ThreSig and ThreSmooth (60 seeded inputs, 30 digits, within $10^{-25}$); $\mathrm{GradTopK}_{n-1}(x)=\mathbf 1-\mathrm{softmax}(-x)$",
       tag="numeric", dps=(30,))
def B20():
    out = []
    for name in ("GradTopK", "ThreSig", "ThreSmooth"):
        worst = max(complement_violation(name, x, k) for x, k in _sample(60, SEED + 20))
        out.append(agrees(Estimate(worst, 0, "largest violation", 30), 0, scale=1, atol=mp.mpf(10) ** -25, label=name))
    with mp.workdps(30):
        x = [nt._mpf(v) for v in XH]
        g = nt.grad_topk(x, 5, 1, dps=30)
        s = mp.fsum(mp.exp(-v) for v in x)
        out.append(agrees(Estimate(max(abs(gi - (1 - mp.exp(-v) / s)) for gi, v in zip(g, x)), 0, "x_H, k = n-1", 30), 0,
                          scale=1, atol=mp.mpf(10) ** -25, label="GradTopK_{n-1} = 1 - softmax(-x)"))
    return out


@claim("B20-exp", r"complement symmetry holds for ThreExp as well (largest violation over 60 seeded inputs below $10^{-6}$)",
       tag="numeric", expected="REFUTED", finding="pitfall", dps=(30,),
       why=r"$\min(1,e^z)$ is not antisymmetric about $\tfrac12$ ($f(-z)\ne1-f(z)$), so ThreExp breaks the symmetry that $\sigma$ and $f_s$ have")
def B20_exp():
    worst, at = max((complement_violation("ThreExp", x, k), (tuple(np.round(x, 3).tolist()), k)) for x, k in _sample(60, SEED + 20))
    return agrees(Estimate(worst, 0, f"largest violation, at x = {at[0]}, k = {at[1]}", 30), 0, atol=1e-6, label="ThreExp")


# --- the published code listings, modelled -------------------------------------------------------

def listing_exp(x, k):
    """The exp-threshold listing: m + 1 saturated entries, but log(k - m) in the threshold (fixed
    float64 arithmetic)."""
    x = np.asarray(x, dtype=float)
    xs = np.sort(x)[::-1]
    for m in range(k):
        lam = log64(math.fsum(exp64(xs[m + 1:]))) - log64(k - m)
        if xs[m] >= lam >= (xs[m + 1] if m + 1 < xs.size else -np.inf):
            return np.minimum(1.0, exp64(x - lam))
    return None


def listing_exp_exact(x, k, dps=40):
    """The same listing in exact arithmetic (``dps`` digits): "vector", "nothing", or "tie" when the
    first branch that is not rejected has lambda equal to its end point x_(m+2) (then k = n - 1, m = k - 1,
    one term in the sum, lambda = x_(n)): there float64 rounding alone decides."""
    with mp.workdps(dps):
        xs = sorted((mp.mpf(float(v)) for v in x), reverse=True)
        for m in range(k):
            lam = mp.log(mp.fsum(mp.exp(v) for v in xs[m + 1:])) - mp.log(k - m)
            margin = min(xs[m] - lam, lam - (xs[m + 1] if m + 1 < len(xs) else mp.ninf))
            if abs(margin) < mp.mpf(10) ** (10 - dps):
                return "tie"
            if margin > 0:
                return "vector"
        return "nothing"


def _fs64(u):
    """f_s in the fixed float64 arithmetic."""
    e = exp64(-np.abs(u))
    return np.where(u >= 0, 1 - 0.5 * e, 0.5 * e)


def listing_smooth(x, k):
    """The smooth-threshold listing: branches m = 0..n-1, no m = n (fixed float64 arithmetic)."""
    x = np.asarray(x, dtype=float)
    xs = np.sort(x)[::-1]
    n = xs.size
    for m in range(n):
        A, B = math.fsum(exp64(-xs[:m])), math.fsum(exp64(xs[m:]))
        lam = log64(B) - log64(math.sqrt((k - m) ** 2 + A * B) + (k - m))
        if (xs[m - 1] if m else np.inf) >= lam >= xs[m]:
            return _fs64(x - lam)
    return None


def listing_sigmoid(x, k, steps=20):
    """The sigmoid listing: 20 bisection steps on the B11 bracket, sigma at the last midpoint (fixed
    float64 arithmetic)."""
    z = np.asarray(x, dtype=float)
    c = log64(k / (z.size - k))
    lo, hi = z.min() - c, z.max() - c
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if math.fsum(1 / (1 + exp64(mid - z))) > k else (lo, mid)
    return 1 / (1 + exp64(0.5 * (lo + hi) - z))


def listing_grad(x, k, tau):
    """The GradTopK listing: unshifted exponentials of log Z and a clamped difference (fixed float64
    arithmetic; log-sum-exp as max + log of the correctly rounded sum)."""
    z = np.asarray(x, dtype=float) / tau
    with np.errstate(invalid="ignore"):
        logZi = z.copy()
        logZ = lse64(logZi)
        for kk in range(2, k + 1):
            logZi = z + log64(np.maximum(exp64(logZ) - exp64(logZi), 1e-12))
            logZ = lse64(logZi) - log64(kk)
        return exp64(logZi - logZ)


@claim("L-exp", r"the published exp-threshold listing returns vectors summing to $k$ ($x=(3,2,1,4)$, $k=1$)",
       tag="numeric", expected="REFUTED", finding="listing-bug", dps=(15,),
       why=r"off by one: it saturates $m+1$ entries but divides by $k-m$, so every returned vector sums to $k+1$ (and for some inputs nothing is returned). The listing is the one printed in the English translation of the article, not verified against the Chinese original; the formulas of the text are correct.")
def L_exp():
    got = listing_exp([3, 2, 1, 4], 1)
    with mp.workdps(30):
        ref = mp.fsum(nt.exp_topk([3, 2, 1, 4], 1, 1, dps=30))
    return [agrees(Estimate(ref, 0, "sum of the text's ThreExp, 30 digits", 30), 1, atol=mp.mpf(10) ** -25,
                   label="the formulas of the text sum to k"),
            agrees(Estimate(math.fsum(got), 0, f"listing output {np.round(got, 6).tolist()}"), 1, atol=1e-12,
                   label="sum of the listing's output", expect="REFUTED")]


GRAD_TAUS = (1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)


UNDERFLOW = 1e-290            # entries below it lose digits to float64 underflow (2.2e-308 and subnormals)


@functools.lru_cache(maxsize=None)
def grad_reference(tau):
    """GradTopK on x_H, k = 3, at adaptive precision (the spread 3.7 of x_H), as mpf."""
    return tuple(nt.grad_topk(list(XH), K_H, tau, dps=nt.adaptive_dps(3.7, tau)))


@functools.lru_cache(maxsize=None)
def dp_float64_rows():
    """(tau, max |DP - reference|, max |DP/reference - 1| over the entries above UNDERFLOW, largest entry
    outside T_3 times e^(delta/tau)) for the stable float64 DP of the numerics module."""
    rows = []
    for tau in GRAD_TAUS:
        ref, dp = grad_reference(tau), nt.grad_topk(XH, K_H, tau)
        with mp.workdps(30):
            rel = max(abs(mp.mpf(float(d)) / r - 1) for d, r in zip(dp, ref) if r > UNDERFLOW)
            tail = max(mp.mpf(float(d)) for d, t in zip(dp, TOP_H) if not t) * mp.exp(nt._mpf(DELTA) / nt._mpf(tau))
        rows.append((tau, float(np.max(np.abs(dp - np.array([float(r) for r in ref])))), float(rel), tail))
    return rows


@functools.lru_cache(maxsize=None)
def grad_float64_table():
    """(tau, listing error, entries outside [0,1], listing sum, NaN) for the GradTopK listing."""
    rows = []
    for tau in GRAD_TAUS:
        ref = np.array([float(v) for v in grad_reference(tau)])
        lst = listing_grad(XH, K_H, tau)
        rows.append((tau, float(np.nanmax(np.abs(lst - ref))) if not np.all(np.isnan(lst)) else float("nan"),
                     bool(np.any((lst < 0) | (lst > 1))), math.fsum(lst), bool(np.any(np.isnan(lst)))))
    return rows


@claim("L-grad", r"the published GradTopK listing in float64 stays within $[0,1]$ on $x_H$ ($k=3$) for every $\tau\in[10^{-3},1]$",
       tag="numeric", expected="REFUTED", finding="listing-bug", dps=(15,),
       why=r"cancellation and the clamp $\max(\cdot,10^{-12})$ push entries outside $[0,1]$ while the sum stays $k$; at smaller $\tau$ the unshifted exponentials overflow to NaN (float64 with correctly rounded exp and log; the table of the listings section gives the $\tau$ values). A check of 'sum = k' alone misses it. The listing is the one printed in the English translation of the article, not verified against the Chinese original; the formulas of the text are correct.")
def L_grad():
    rows = grad_float64_table()
    bad = [r for r in rows if r[2] or r[4]]
    first = bad[0] if bad else rows[0]
    finite = [r for r in rows if not r[4]]
    return [agrees(Estimate(_noise_bound(max(abs(r[3] - K_H) for r in finite), 1e-12), 0,
                            f"max |sum - 3| over the {len(finite)} tau values without NaN (shown as the bound 1e-12 "
                            "when below it)"),
                   0, scale=K_H, atol=1e-12, label="the listing's sum stays k (what a sum-only test sees)"),
            agrees(Estimate(len(bad), 0, f"tau values with entries outside [0,1] or NaN; first at tau = {first[0]} "
                                         f"(sum {stable(first[3])})"), 0, label="entries in [0,1]", expect="REFUTED")]


@claim("DP-f64", r"the stable float64 DP GradTopK agrees with mpmath to $10^{-12}$ on $x_H$, $k=3$, over $\tau\in[10^{-3},1]$, in absolute terms and relative to each entry above $10^{-290}$ (float64 underflow), so that entries far below the float64 spacing near 1 keep their digits: at $\tau=0.01$ the largest entry outside $\mathcal T_3$ times $e^{\delta/\tau}$ is 1 within $10^{-12}$ (exactly $1-O(e^{-\delta/\tau})$)",
       tag="numeric", dps=(15,))
def DP_f64():
    rows = dp_float64_rows()
    tail = rows[GRAD_TAUS.index(0.01)][3]
    return [agrees(Estimate(_noise_bound(max(r[1] for r in rows)), 0, "max |DP - mpmath| over the tau grid "
                            "(shown as the bound 1e-12 when below it)"), 0, scale=1, atol=1e-12, label="stable DP, absolute"),
            # relative errors of tiny entries add up one rounding of logaddexp per step of the DP: a
            # libm whose logaddexp differs in the last bit moves them to ~6e-13, hence the higher floor
            agrees(Estimate(_noise_bound(max(r[2] for r in rows), 1e-12), 0, "max |DP / mpmath - 1| over the entries "
                            "above 1e-290 and the tau grid (shown as the bound 1e-12 when below it)"), 0, scale=1,
                   atol=1e-12, label="stable DP, relative to each entry"),
            agrees(Estimate(_noise_bound(float(abs(tail - 1)), 1e-12), 0, "float64 DP, tau = 0.01: |(largest entry "
                            "outside T_3) e^(delta/tau) - 1| (shown as the bound 1e-12 when below it)"), 0, scale=1, atol=1e-12,
                   label="tiny entries to relative accuracy: the rate e^(-delta/tau) in float64")]


def _noise_bound(v, noise=1e-12):
    """A float64 deviation below ``noise`` is reported as the bound ``noise`` (an upper bound, the
    same decision against a tolerance above it), so the page does not carry the platform's last bits."""
    return noise if v < noise else v


# --- the property table --------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def property_table(count=150):
    """construction -> property -> (failures, worst) on a seeded sample (float64, tau = 1), as in
    the hypothesis tests: sum, range, weak order, shift, permutation, complement, Jacobian."""
    rng = np.random.default_rng(SEED + 30)
    res = {name: {} for name in CONSTRUCTIONS}
    for _ in range(count):
        n = int(rng.integers(2, 9))
        k = int(rng.integers(1, n))
        x = rng.uniform(-20, 20, n)
        perm = rng.permutation(n)
        c = float(rng.uniform(-100, 100))
        for name, f in CONSTRUCTIONS.items():
            p = f(x, k)
            checks = {
                "sum = k": abs(p.sum() - k) / k,
                "range [0,1]": max(0.0, -p.min(), p.max() - 1),
                "weak order": max([0.0] + [p[i] - p[j] for i in range(n) for j in range(n) if x[i] < x[j]]),
                "shift invariance": float(np.max(np.abs(f(x + c, k) - p))),
                "permutation equivariance": float(np.max(np.abs(f(x[perm], k) - p[perm]))),
                "complement symmetry": float(np.max(np.abs(p - (1 - f(-x, n - k))))),
            }
            for prop, v in checks.items():
                bad, worst = res[name].get(prop, (0, 0.0))
                tol = 1e-6 if prop == "complement symmetry" else 1e-12
                res[name][prop] = (bad + (v > tol), max(worst, v))
    return res, count


@functools.lru_cache(maxsize=None)
def mp_route_table(count=24):
    """construction -> max |float64 - 30 digits| over the first ``count`` inputs of the property sample."""
    rng = np.random.default_rng(SEED + 30)
    worst = dict.fromkeys(CONSTRUCTIONS, 0.0)
    for _ in range(count):
        n = int(rng.integers(2, 9))
        k = int(rng.integers(1, n))
        x = rng.uniform(-20, 20, n)
        rng.permutation(n), rng.uniform(-100, 100)            # keep the stream of property_table
        for name, f in CONSTRUCTIONS.items():
            ref = f(list(x), k, 1, dps=30)
            worst[name] = max(worst[name], max(abs(float(r) - v) for r, v in zip(ref, f(x, k))))
    return worst, count


@claim("PROPS", r"in float64 the four constructions agree with their 30-digit evaluation to $10^{-12}$ (24 seeded inputs), and sum to $k$, keep the weak order, are shift invariant and permutation equivariant (150 seeded inputs, $n\le8$, $x\in[-20,20]$; $10^{-12}$)",
       tag="numeric", dps=(15,))
def PROPS():
    res, count = property_table()
    ref, n_ref = mp_route_table()
    out = []
    for name, props in res.items():
        out.append(agrees(Estimate(_noise_bound(ref[name]), 0, f"max |float64 - 30 digits| over {n_ref} inputs "
                                   "(shown as the bound 1e-12 when below it)", None, n_ref), 0,
                          scale=1, atol=1e-12, label=f"{name}: float64 against mpmath"))
        checks = ("weak order", "shift invariance", "permutation equivariance")
        worst = max(props[p][1] for p in checks)
        out.append(agrees(Estimate(sum(props[p][0] for p in checks), 0,
                                   f"failures (worst deviation {stable(worst, 2, noise=1e-12)})", None, count), 0,
                          label=f"{name}: weak order, shift, permutation"))
        bad, worst = props["sum = k"]
        # GradTopK's float64 output is renormalised to sum k (numerics: p * (k / p.sum())): the sum
        # cannot fail there, so it is a consistency check; the link above is the independent route
        out.append(agrees(Estimate(bad, 0, f"inputs with |sum - k|/k > 1e-12 (worst {stable(worst, 2, noise=1e-12)})", None, count),
                          0, label=f"{name}: sum = k", consistency=name == "GradTopK"))
    return out


@claim("B10-range", r"strict ranges at adaptive precision ($\mathrm{dps}>\text{spread}/\ln10+30$): GradTopK, ThreSig and ThreSmooth entries lie in $(0,1)$ and are strictly monotone; ThreExp entries lie in $(0,1]$ (30 seeded inputs, $n\le8$, $x\in[-20,20]$, $\tau=1$)",
       tag="numeric", dps=(50,))
def B10_range():
    rng = np.random.default_rng(SEED + 31)
    bad = dict.fromkeys(CONSTRUCTIONS, 0)
    closest = dict.fromkeys(CONSTRUCTIONS, mp.inf)
    count = 30
    for _ in range(count):
        n = int(rng.integers(2, 9))
        k = int(rng.integers(1, n))
        x = rng.uniform(-20, 20, n)
        dps = nt.adaptive_dps(float(np.ptp(x)), 1)
        order = np.argsort(x)
        for name, f in CONSTRUCTIONS.items():
            p = f(list(x), k, 1, dps=dps)             # mutate: equivalent (the strict range and order hold at every tau > 0; tau is an instance parameter)
            ps = [p[i] for i in order]
            if name == "ThreExp":
                ok = all(0 < v <= 1 for v in p) and all(a <= b for a, b in zip(ps, ps[1:]))
            else:
                ok = all(0 < v < 1 for v in p) and all(a < b for a, b in zip(ps, ps[1:]))
                closest[name] = min(closest[name], min(min(v, 1 - v) for v in p))  # mutate: equivalent (report text only)
            bad[name] += not ok
    return [agrees(Estimate(bad[name], 0, f"violations among {count} inputs" +
                            (f" (closest entry to 0 or 1: {mp.nstr(closest[name], 3)})" if name != "ThreExp" else " (range (0,1], weak order)"),
                            None, count, SEED + 31), 0, label=name) for name in CONSTRUCTIONS]


# --- report sections ------------------------------------------------------------------------------


def _v(p, k=6):
    return "(" + ", ".join(mp.nstr(v, k) if isinstance(v, mp.mpf) else f"{float(v):.{k}g}" for v in p) + ")"


@section("In short", order=-1)
def in_short():
    su1, su2 = su2019([0, 1, 2], 2), su2019([0, 11, 12], 2)
    nonmono, above, big, n_su = su_sample()
    rho = {name: rate_rows(name)[-1][3] for name in RATE}
    with mp.workdps(50):
        ts, sm = nt.smooth_topk([10, 0], 1, 1, dps=50)[0], 1 / (1 + mp.exp(-10))
    dps = max(60, nt.adaptive_dps(1, B9_TAU))
    ws, ws64 = weighted_softmax_iter(B9_X, 2, B9_TAU, dps), weighted_softmax_iter(B9_X, 2, B9_TAU)
    rows = grad_float64_table()
    bad_grad = [r[0] for r in rows if r[2] or r[4]]
    nan_grad = [r[0] for r in rows if r[4]]
    exp_viol = max(complement_violation("ThreExp", x, k) for x, k in _sample(60, SEED + 20))
    return (
        "**Right.** GradTopK (the gradient of $\\log Z_k$, $Z_k=e_k(e^x)$) has every property the article lists: "
        "the recursion, sum $=k$, entries in $(0,1)$, softmax at $k=1$, shift invariance and strict order are proved "
        "symbolically for every $n\\le6$ (B2-B5). The threshold construction $f(x-\\lambda)$ has the stated implicit "
        "gradient (B10, checked against finite differences to $10^{-25}$), the bisection bracket is valid (B11), and "
        "ThreExp at $k=1$ is softmax (B12). The convergence rates hold on the test input ($k=3$, gap $\\delta=0.5$): "
        "the error divided by the predicted rate tends to its limit (1, 1, 1 and 1/2); at $\\tau=0.01$ it is within "
        + ", ".join(f"{mp.nstr(abs(r - RATE[n][1]), 2)} ({n})" for n, r in rho.items())
        + " of it: GradTopK and ThreExp converge like $e^{-\\delta/\\tau}$, ThreSig and ThreSmooth "
        "only like $e^{-\\delta/(2\\tau)}$. The article rightly rejects the weighted-softmax iteration: at $x=(3,2,1,4)$, "
        f"$\\tau=0.02$ it gives {mp.nstr(ws[3], 6)} and {mp.nstr(ws[0], 6)} on the two largest entries, not 1 and 1.\n\n"
        "**Wrong.** Su's 2019 iteration, which the article only calls hard to analyse, does leave $[0,1]$ "
        f"($x=(0,1,2)$, $k=2$: largest entry {mp.nstr(max(su1), 6)}) and can reverse the order ($x=(0,11,12)$: "
        f"{mp.nstr(su2[1], 6)} for 11 against {mp.nstr(su2[2], 6)} for 12); on {n_su} random inputs {above / n_su:.1%} "
        f"have an entry above 1 and {nonmono / n_su:.1%} are not monotone. The two-piece $f_s$ is not smooth, only $C^1$ "
        "($f_s''$ jumps from $+\\tfrac12$ to $-\\tfrac12$ at 0). ThreSmooth at $k=1$ is softmax only when the largest "
        f"softmax entry is at most $\\tfrac12$ (at $x=(10,0)$: {mp.nstr(ts, 6)} against {mp.nstr(sm, 6)}). ThreExp is "
        "only weakly monotone: saturated entries tie at exactly 1.\n\n"
        "**Code listings** (those of the English translation, not checked against the Chinese original; the formulas "
        f"of the text are right): the exp-threshold listing returns vectors summing to $k+1$ (sum {math.fsum(listing_exp([3, 2, 1, 4], 1)):.6g} "
        "at $x=(3,2,1,4)$, $k=1$); the smooth-threshold listing lacks the branch $\\lambda<x_{\\min}$ and returns "
        "nothing for some inputs with $k>n/2$; the GradTopK listing leaves $[0,1]$ in float64 for "
        f"$\\tau\\le{max(bad_grad)}$ on the test input while its sum stays 3, and returns NaN from $\\tau={max(nan_grad)}$.\n\n"
        "**Pitfalls.** In float64 the weighted-softmax iteration seems to converge to the Top-2 indicator "
        f"(largest entry {stable(ws64[3], 6)}), because $1-p_{{\\max}}\\approx e^{{-50}}$ rounds to 0; ThreExp, unlike "
        f"the other three, breaks the complement symmetry $\\mathcal{{ST}}_k(x)=1-\\mathcal{{ST}}_{{n-k}}(-x)$ (violation up to "
        f"{mp.nstr(exp_viol, 3)} on 60 random inputs).")


def _cell(x, digits=2, noise=1e-12):
    """A float64 deviation for a table cell: rounding noise as a bound, the pipe escaped."""
    return stable(x, digits, noise=noise).replace("|", "\\|")


@section("Properties per construction", order=1)
def property_section():
    res, count = property_table()
    props = ["sum = k", "range [0,1]", "weak order", "shift invariance", "permutation equivariance", "complement symmetry"]
    rows = ["| property | Su 2019 | weighted softmax | GradTopK | ThreExp | ThreSig | ThreSmooth |", "|---|---|---|---|---|---|---|"]
    nonmono, above, big, n_su = su_sample()
    su = {"sum = k": "holds (B8)", "range [0,1]": f"**fails** ({above}/{n_su} above 1, max {mp.nstr(big, 4)})",
          "weak order": f"**fails** ({nonmono}/{n_su} non-monotone)", "shift invariance": "by construction (subtracts min x)",
          "permutation equivariance": "by construction", "complement symmetry": "not checked"}
    ws = {"sum = k": "by construction (k probability vectors)", "range [0,1]": "**fails** (limit 1.5, B9)",
          "weak order": "not checked", "shift invariance": "by construction", "permutation equivariance": "by construction",
          "complement symmetry": "not checked"}
    for prop in props:
        cells = [su[prop], ws[prop]]
        for name in CONSTRUCTIONS:
            bad, worst = res[name][prop]
            if prop == "range [0,1]":
                strict = {"GradTopK": "(0,1) (B4, B10-range)", "ThreExp": "(0,1] (B10-range)"}.get(name, "(0,1) (B15-range, B10-range)")
                cells.append(f"cannot fail in float64 (clamped or bounded f); {strict}" if not bad else f"**fails** ({bad}/{count})")
            elif prop == "sum = k" and name == "GradTopK":
                cells.append("exact (B4); float64 renormalises to $k$, so not a test there" if not bad else f"**fails** ({bad}/{count})")
            elif prop == "complement symmetry" and name == "ThreExp":
                cells.append(f"fails, as predicted (max {worst:.3g}; B20-exp)" if bad else f"holds here (max {_cell(worst, noise=1e-12)})")
            else:
                cells.append(f"holds (max dev. {_cell(worst)})" if not bad else f"**fails** ({bad}/{count})")
        rows.append(f"| {prop} | " + " | ".join(cells) + " |")
    extra = [("strict order", "fails (B8-order)", "not checked", "holds (B5)", "fails, as predicted (saturation ties, B12-weak)", "holds (B10-range)", "holds (B10-range)"),
             ("convergence to T_k", "holds (B8-conv)", "**fails** (1.5, 0.5)", "holds", "holds", "holds", "holds"),
             ("rate exponent", "–", "–", "delta (B7)", "delta (B12-rate)", "delta/2 (B13)", "delta/2, factor 1/2 (B14-rate)"),
             ("k = 1 is softmax", "yes (one softmax step)", "yes (one softmax step)", "yes (B4)", "yes (B12)", "no: sigma(Delta/2) for n = 2 (B13-k1)", "**only if max softmax <= 1/2** (B16)"),
             ("smoothness class", "C-inf (composition of smooth maps)", "C-inf", "C-inf", "kink (min(1, e^z))", "C-inf", "**C^1 only** (B15-smooth)"),
             ("Jacobian symmetric PSD, zero row sums", "–", "–", "holds (B18)", "holds (B10-fd)", "holds (B10-fd)", "holds (B10-fd)")]
    rows += [f"| {r[0]} | " + " | ".join(r[1:]) + " |" for r in extra]
    text = (f"Float64 rows: {count} seeded inputs (seed {SEED + 30}; $n$ in 2..8, $k$ in 1..n-1, $x$ uniform on "
            "$[-20,20]$, $\\tau=1$, shifts $c$ in $[-100,100]$), tolerance $10^{-12}$ ($10^{-6}$ for complement symmetry). "
            f"Su 2019: the spec's random sample of {n_su} inputs (seed {SEED}, $x$ on $[-5,5]$, $\\tau=1$). "
            "The same properties run as hypothesis tests in `tests/test_numerics_topk_smoothing.py`.\n\n" + "\n".join(rows))
    return text


@section("Point values on x_H (k = 3, tau = 0.5)", order=2)
def point_section():
    rows = ["| construction | output (float64) | threshold $\\lambda$ | max \\|float64 - 50 digits\\| | first Jacobian column (50 digits) | max \\|column - finite difference\\| |",
            "|---|---|---|---|---|---|"]
    with mp.workdps(60):
        z = [nt._mpf(v) / nt._mpf(0.5) for v in XH]
        lams = {"GradTopK": None, "ThreExp": nt.exp_threshold(z, 3, 50), "ThreSig": nt.sigmoid_threshold(z, 3, 50),
                "ThreSmooth": nt.smooth_threshold(z, 3, 50)}
    for name, f in CONSTRUCTIONS.items():
        p64, p50 = f(XH, K_H, 0.5), f(list(XH), K_H, 0.5, dps=50)
        with mp.workdps(50):
            J = grad_jacobian(XH, K_H, 0.5) if name == "GradTopK" else threshold_jacobian(name, XH, K_H, 0.5)
            col = [J[i, 0] for i in range(6)]
            fd = _fd_column(f, XH, K_H, 0.5)
            gap = max(abs(a - b) for a, b in zip(col, fd))
        rows.append(f"| {name} | {_v(p64, 8)} | {mp.nstr(lams[name], 15) if lams[name] is not None else '–'} | "
                    f"{_cell(max(abs(float(a) - b) for a, b in zip(p50, p64)))} | {_v(col, 6)} | {mp.nstr(gap, 2)} |")
    return (f"$\\log Z_3(x_H/0.5)$ = {mp.nstr(nt.log_ek(list(XH), 3, 0.5, 30), 20)}. Jacobian columns: "
            "$\\pi_{i1}-p_ip_1$ over $\\tau$ for GradTopK (B18), the B10 formula for the thresholds, each against "
            "central differences ($h=10^{-20}$, 50 digits).\n\n" + "\n".join(rows))


def _fd_column(fn, x, k, tau, j=0, dps=50):
    """Column j of the Jacobian by central differences (h = 1e-20)."""
    with mp.workdps(dps):
        xp, xm = [nt._mpf(v) for v in x], [nt._mpf(v) for v in x]
        xp[j] += H_FD
        xm[j] -= H_FD
        return [(u - v) / (2 * H_FD) for u, v in zip(fn(xp, k, tau, dps=dps), fn(xm, k, tau, dps=dps))]


@section("Convergence rates (B7, B12, B13, B14)", order=3)
def rate_section():
    rows = ["| construction | $\\tau$ | dps | $\\mathrm{err}_\\infty$ | $\\rho$ | limit |", "|---|---|---|---|---|---|"]
    fits = []
    for name, (c, limit) in RATE.items():
        for tau, dps, err, rho in rate_rows(name):
            rows.append(f"| {name} | {tau} | {dps} | {mp.nstr(err, 6)} | {mp.nstr(rho, 12)} | {limit} |")
        slope = float(np.polyfit([1 / t for t in TAUS], [float(mp.log(r[2])) for r in rate_rows(name)], 1)[0])
        fits.append(f"{name}: fitted slope {slope:.5f}, predicted {-c * DELTA:g}")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    inv = np.array([1 / t for t in TAUS])
    for name, (c, limit) in RATE.items():
        errs = [float(mp.log(r[2])) for r in rate_rows(name)]
        slope = float(np.polyfit(inv, errs, 1)[0])
        line, = ax.plot(inv, errs, "o", label=f"{name} (fit {slope:.4f})")
        ax.plot(inv, math.log(limit) - c * DELTA * inv, "--", color=line.get_color(), lw=0.8)
    ax.set(xlabel="1/tau", ylabel="ln err_inf", title="x_H, k = 3, delta = 0.5: dashed lines are the predictions")
    ax.legend(fontsize=8)
    return ("Working precision $\\mathrm{dps}>\\delta/(\\tau\\ln10)+30$ at each $\\tau$; "
            "$\\rho=\\mathrm{err}_\\infty/e^{-c\\delta/\\tau}$ with $c=1$ (GradTopK, ThreExp) or $c=\\frac12$ (ThreSig, ThreSmooth).\n\n"
            + "\n".join(rows) + "\n\n" + "; ".join(fits) + "."), (("rates.png", fig),)


@section("Counterexamples and the article's false statements", order=4)
def counter_section():
    su1, su2 = su2019([0, 1, 2], 2), su2019([0, 11, 12], 2)
    dps = max(60, nt.adaptive_dps(1, B9_TAU))
    ws = weighted_softmax_iter(B9_X, 2, B9_TAU, dps)
    ws64 = weighted_softmax_iter(B9_X, 2, B9_TAU)
    with mp.workdps(50):
        ts, sm = nt.smooth_topk([10, 0], 1, 1, dps=50), [1 / (1 + mp.exp(-10)), 1 / (1 + mp.exp(10))]
    tie = {name: f([1, 0, 0], 2, 0.01) for name, f in CONSTRUCTIONS.items()}
    worst = max((complement_violation("ThreExp", x, k), k) for x, k in _sample(60, SEED + 20))
    nonmono, above, big, n_su = su_sample()
    rows = ["| input | $k$ | $\\tau$ | construction | property that fails | measured |", "|---|---|---|---|---|---|",
            f"| (0, 1, 2) | 2 | 1 | Su 2019 | $p\\le1$ | {_v(su1, 8)} |",
            f"| (0, 11, 12) | 2 | 1 | Su 2019 | $p\\le1$, order | {_v(su2, 8)} |",
            f"| (3, 2, 1, 4) | 2 | 0.02 | weighted softmax | limit $\\mathcal T_2$ | {dps} digits: {_v(ws, 8)}; float64: {_v(ws64, 8)} |",
            f"| (10, 0) | 1 | 1 | ThreSmooth | $=$ softmax | {_v(ts, 10)} against {_v(sm, 10)} |",
            f"| (10, 9, 0, 0) | 3 | 1 | ThreExp | strict order | {_v(nt.exp_topk([10, 9, 0, 0], 3), 8)} |",
            f"| random (seed {SEED + 20}) | {worst[1]} | 1 | ThreExp | complement symmetry | violation {mp.nstr(worst[0], 6)} |"]
    tie_txt = "; ".join(f"{n}: {_v(p, 6)}" for n, p in tie.items())
    text = ("\n".join(rows) + f"\n\n**Su's 2019 iteration** on the random sample ({n_su} inputs, seed {SEED}, $n$ in 2..8, "
            f"$x$ uniform on $[-5,5]$, $\\tau=1$): {nonmono} non-monotone ({nonmono / n_su:.1%}), {above} with an entry above 1 "
            f"({above / n_su:.1%}), largest entry {mp.nstr(big, 6)}.\n\n"
            f"**Boundary tie** $x=(1,0,0)$, $k=2$, $\\tau=0.01$: the two tied entries tend to $q/r=1/2$, not to a "
            f"multi-hot vector: {tie_txt}.")
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    D = np.linspace(0.01, 8, 200)
    smooth = np.array([nt.smooth_topk([d, 0.0], 1)[0] for d in D])
    soft = 1 / (1 + np.exp(-D))
    a1.plot(D, smooth, label="ThreSmooth, k = 1")
    a1.plot(D, soft, "--", label="softmax")
    a1.set(xlabel="Delta = x1 - x2", ylabel="entry of x1", title="B16: n = 2, they differ for every Delta > 0")
    a1.legend()
    a2.loglog(D, np.abs(smooth - soft), label="|ThreSmooth - softmax|")
    a2.loglog(D, D**2 / 16, "k--", lw=0.8, label="Delta^2/16")
    a2.set(xlabel="Delta", ylabel="difference")
    a2.legend()
    fig2, ax2 = plt.subplots(figsize=(6, 4))
    u = np.linspace(-3, 3, 601)
    ax2.plot(u, nt.f_smooth(u), label="f_s")
    ax2.plot(u, 0.5 * np.exp(-np.abs(u)), label="f_s'")
    ax2.plot(u, np.where(u >= 0, -0.5, 0.5) * np.exp(-np.abs(u)), label="f_s'' (jump at 0)")
    ax2.axvline(0, color="gray", lw=0.5)
    ax2.set(xlabel="z", title="B15: f_s is C^1, not smooth")
    ax2.legend()
    fig3, ax3 = plt.subplots(figsize=(6, 4))
    taus = (0.5, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01)
    f64 = [weighted_softmax_iter(B9_X, 2, t)[3] for t in taus]
    hp = [float(weighted_softmax_iter(B9_X, 2, t, max(60, nt.adaptive_dps(1, t)))[3]) for t in taus]
    ax3.semilogx(taus, f64, "o-", label="float64")
    ax3.semilogx(taus, hp, "s--", label="adaptive dps")
    ax3.axhline(1.5, color="k", lw=0.6)
    ax3.axhline(1.0, color="gray", lw=0.6, ls=":")
    ax3.set(xlabel="tau", ylabel="entry of the largest input", title="B9: float64 shows T_2, the limit is 1.5")
    ax3.legend()
    return text, (("b16_softmax.png", fig), ("b15_fs.png", fig2), ("b9_iteration.png", fig3))


@section("The published code listings", order=5)
def listing_section():
    rng = np.random.default_rng(SEED)
    none_exp = kplus = none_smooth = none_smooth_small_k = total = 0
    exact = {"vector": 0, "nothing": 0, "tie": 0}
    tie_none = mismatch = 0
    sig_err = 0.0
    for _ in range(3000):
        n = int(rng.integers(2, 9))
        k = int(rng.integers(1, n))
        x = rng.uniform(-5, 5, n)
        total += 1
        le, cls = listing_exp(x, k), listing_exp_exact(x, k)
        exact[cls] += 1
        none_exp += le is None
        tie_none += cls == "tie" and le is None
        mismatch += cls != "tie" and (le is None) != (cls == "nothing")
        kplus += le is not None and abs(math.fsum(le) - (k + 1)) < 1e-9
        ls = listing_smooth(x, k)
        none_smooth += ls is None
        none_smooth_small_k += ls is None and k <= n / 2
        sig_err = max(sig_err, abs(math.fsum(listing_sigmoid(x, k)) - k))
    sig_h = max(abs(math.fsum(listing_sigmoid(np.array(XH) / t, 3)) - 3) for t in TAUS)
    rows = ["| listing | defect | input | measured symptom | correct implementation |", "|---|---|---|---|---|",
            f"| exp threshold | $m+1$ saturated, divides by $k-m$ | (3, 2, 1, 4), $k=1$ | sum {math.fsum(listing_exp([3, 2, 1, 4], 1)):.6f} | sum {math.fsum(nt.exp_topk([3, 2, 1, 4], 1)):.6f} |",
            f"| exp threshold | same | random sample | {exact['nothing']}/{total} return nothing in exact arithmetic; on {exact['tie']} more "
            f"($k=n-1$) the last branch has $\\lambda=x_{{(n)}}$ exactly, so rounding decides: in float64 {tie_none} of them return "
            f"nothing as well ({none_exp}/{total} in all; {mismatch} other disagreements with exact arithmetic); "
            f"{kplus}/{total - none_exp} returned vectors sum to $k+1$ | always a vector summing to $k$ |",
            f"| smooth threshold | no $m=n$ branch | (0, 0.1, 0.2), $k=2$ | returns {'nothing' if listing_smooth([0, 0.1, 0.2], 2) is None else 'a vector'} | {_v(nt.smooth_topk([0, 0.1, 0.2], 2), 6)} |",
            f"| smooth threshold | same | random sample | {none_smooth}/{total} return nothing, {none_smooth_small_k} of them with $k\\le n/2$ | – |",
            f"| sigmoid | 20 bisection steps | $x_H/\\tau$, $\\tau$ = 0.1..0.01; sample | max \\|sum - k\\| = {sig_h:.2e}; {sig_err:.2e} on the sample (range $\\cdot2^{{-20}}$ ~ {np.ptp(XH) / 0.01 * 2**-20:.1e}) | {_cell(abs(math.fsum(nt.sigmoid_topk(XH, 3, 0.01)) - 3))} |"]
    grows = ["| $\\tau$ | listing error | outside [0,1] | listing $\\sum p$ | NaN | stable DP error (absolute; relative) |",
             "|---|---|---|---|---|---|"]
    for (tau, err, out, s, nan), (_, dp, rel, _) in zip(grad_float64_table(), dp_float64_rows()):
        grows.append(f"| {tau} | {_cell(err, 2)} | {'yes' if out else 'no'} | {stable(s)} | "
                     f"{'yes' if nan else 'no'} | {_cell(dp)}; {_cell(rel)} |")
    plt = pyplot()
    rowsg = grad_float64_table()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    t = [r[0] for r in rowsg]
    a1.loglog(t, [r[1] if np.isfinite(r[1]) and r[1] >= 1e-13 else np.nan for r in rowsg], "o-",
              label="listing (errors below 1e-13, rounding, left out)")
    nan_t = [r[0] for r in rowsg if r[4]]
    a1.loglog(nan_t, [1.0] * len(nan_t), "rx", ms=9, label="listing returns NaN")
    a1.axhline(1e-12, color="C2", ls="--", label="stable log-space DP: error below 1e-12 at every tau")
    a1.set(xlabel="tau", ylabel="max |error| against mpmath", title="GradTopK in float64, x_H, k = 3",
           xlim=(7e-4, 1.5), ylim=(1e-19, 30))
    a1.legend(fontsize=8, loc="lower left")
    ent = [listing_grad(XH, 3, x) for x in t]
    lo = [float(np.min(e)) for e in ent]                     # nan where the listing returns NaN
    hi = [float(np.max(e)) for e in ent]
    a2.semilogx(t, [r[3] for r in rowsg], "o-", label="sum p (listing)")
    a2.semilogx(t, lo, "v--", label="min entry (listing)")
    a2.semilogx(t, hi, "^--", label="max entry (listing)")
    a2.axhline(3, color="gray", lw=0.5)
    a2.set(xlabel="tau", title="the sum stays 3 while entries leave [0,1]")
    a2.legend(fontsize=8)
    return ("Listings modelled as published (this module; not part of the public API), run on the named inputs and on "
            f"the random sample of {total} inputs (seed {SEED}), in float64 with correctly rounded exp and log and "
            "correctly rounded sums (so that the measured symptoms are the same on every machine). The listings turn "
            "last-bit differences into visible ones: with another libm the counts of inputs decided by rounding and the "
            "digits of the GradTopK listing's errors below $10^{-5}$ change, not the defects.\n\n" + "\n".join(rows) +
            "\n\n**GradTopK listing in float64** on $x_H$, $k=3$ (errors up to $10^{-5}$, at $\\tau\\ge0.1$, are rounding "
            "amplified by the subtraction $e^{\\log Z}-e^{\\log Z_i}$; from $\\tau=0.05$ the clamp and the lost entries give "
            "errors of order 1; from $\\tau=0.005$ the unshifted $e^{\\log Z}$ overflows; the stable DP's deviations are "
            "rounding, shown as bounds):\n\n" + "\n".join(grows)), (("gradtopk_float64.png", fig),)


@section("Outputs against tau, and the benchmarks", order=6)
def outputs_section():
    plt = pyplot()
    taus = np.logspace(math.log10(2), -2, 40)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    for ax, (name, f) in zip(axes.ravel(), CONSTRUCTIONS.items()):
        vals = np.array([f(XH, K_H, t) for t in taus])
        for i in range(6):
            ax.semilogx(taus, vals[:, i], label=f"x = {XH[i]}")
            ax.axhline(TOP_H[i], color="gray", ls="--", lw=0.5)
        ax.set(title=name, xlabel="tau", ylabel="output")
        ax.invert_xaxis()
    axes[0, 0].legend(fontsize=7)
    text = ("Each panel: the six entries on $x_H$, $k=3$, against $\\tau$ from 2 down to 0.01; dashed lines at "
            "$\\mathcal T_3(x_H)$. Timings of the float64 constructions on $n=10^6$, $k=100$, and the cost of the dynamic "
            "programme against $n$ and $k$, are in [performance.md](performance.md) (machine-dependent, kept out of "
            "this page so that it stays byte-identical).")
    return text, (("outputs_vs_tau.png", fig),)


def _naive_smooth_lambda(x, k, m):
    """The ThreSmooth threshold of branch m as printed, log B - log(sqrt((k-m)^2 + AB) + (k-m)), in the
    fixed float64 arithmetic (log 0 = -inf when the sum cancels)."""
    xs = np.sort(np.asarray(x, dtype=float))[::-1]
    A, B = math.fsum(exp64(-xs[:m])), math.fsum(exp64(xs[m:]))
    return log64(B) - log64(math.sqrt((k - m) ** 2 + A * B) + (k - m))


@section("Precision floors, cancellation and guards", order=7)
def floors_section():
    taus = (0.05, 0.04, 0.03, 0.025, 0.02)
    f64 = [float(weighted_softmax_iter(B9_X, 2, t)[3]) for t in taus]
    first = next((t for t, v in zip(taus, f64) if abs(v - 1) < 1e-12), None)
    fixed = weighted_softmax_iter(B9_X, 2, B9_TAU, 15)
    dps = max(60, nt.adaptive_dps(1, B9_TAU))
    adapt = weighted_softmax_iter(B9_X, 2, B9_TAU, dps)
    rows = ["| $x$ ($k=2$) | branch $m$ | as printed (float64, correctly rounded exp/log) | rationalised (float64, numerics module) | 30 digits |", "|---|---|---|---|---|"]
    for t in (20, 40):
        x = [0.0, 0.0, 0.0, -float(t)]
        with mp.workdps(30):
            ref = nt.smooth_threshold([mp.mpf(v) for v in x], 2, 30)
        rows.append(f"| (0, 0, 0, -{t}) | 3 | {stable(_naive_smooth_lambda(x, 2, 3), 12)} | "
                    f"{stable(nt.smooth_threshold(np.array(x), 2), 12)} | {mp.nstr(ref, 15)} |")
    sig = []
    for t in TAUS:
        with mp.workdps(40):
            ref = nt.sigmoid_topk(list(XH), 3, t, dps=40)
        sig.append(max(abs(float(r) - v) for r, v in zip(ref, listing_sigmoid(np.array(XH) / t, 3))))
    guards = []
    for k in (0, 6):
        try:
            nt.sigmoid_topk(XH, k)
        except ValueError as e:
            guards.append(f"$k={k}$: `ValueError: {e}`")
    return ("**Float64 floor of the weighted-softmax iteration** ($x=(3,2,1,4)$, $k=2$): entry of the largest input in "
            "float64 (correctly rounded exp, log and sums) at $\\tau$ = " + ", ".join(f"{t}: {stable(v, 8)}" for t, v in zip(taus, f64)) +
            f"; float64 first shows $\\mathcal T_2$ (within $10^{{-12}}$) at $\\tau={first}$, once "
            "$e^{-(x_{(1)}-x_{(2)})/\\tau}$ falls below the float64 spacing near 1. "
            f"At a fixed 15 digits, $\\tau=0.02$ gives {_v(fixed, 8)}, the same spurious $\\mathcal T_2$; at the adaptive "
            f"{dps} digits it gives {_v(adapt, 8)}.\n\n"
            "**Cancellation in the ThreSmooth closed form** for $k-m<0$ and $A_mB_m\\ll(k-m)^2$: the threshold $\\lambda$ of "
            "the valid branch, evaluated as printed and in the rationalised form $\\log(\\sqrt{(k-m)^2+A_mB_m}-(k-m))-\\log A_m$:"
            "\n\n" + "\n".join(rows) + "\n\n"
            "**Sigmoid listing, entry error** against the 40-digit root on $x_H$, $k=3$: " +
            ", ".join(f"$\\tau={t}$: {stable(v, 2, noise=1e-13)}" for t, v in zip(TAUS, sig)) + ".\n\n"
            "**Degenerate $k$** (no finite threshold at $k=0$ or $k=n$): " + "; ".join(guards) + ".")
