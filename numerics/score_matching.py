"""Score matching and conditional score matching for a 1-D Gaussian-mixture prior under the kernel
N(a x0, b^2): the marginal, its score from log-space responsibilities, posterior moments, the
Fisher information by quadrature, exact rational moments, and the Monte Carlo routes.

Objectives carry the article's convention, no factor 1/2: SM = E (s* - s)^2, CSM = E (g - s)^2 with
g = -(x_t - a x0)/b^2. With the 1/2 of Vincent and Hyvarinen every constant halves.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import numpy as np

from .estimate import Estimate


def _mp(v, name: str):
    """int, float (read through str, so 0.3 is 3/10), str, Fraction or mpf -> mpf; finite only."""
    if isinstance(v, Fraction):
        out = mp.mpf(v.numerator) / v.denominator
    elif isinstance(v, (float, np.floating)):
        out = mp.mpf(str(float(v)))
    else:
        try:
            out = mp.mpf(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name}={v!r} is not a number") from None
    if not mp.isfinite(out):
        raise ValueError(f"{name}={v!r} must be finite")
    return out


@dataclass(frozen=True)
class Mixture:
    """p0 = sum_j w_j N(mu_j, s2_j) and the kernel N(a x0, b^2), as mpf at the working precision."""

    w: tuple
    mu: tuple
    s2: tuple
    a: object
    b: object

    def __post_init__(self):            # hashed on every cached point evaluation: hash once
        object.__setattr__(self, "_hash", hash((self.w, self.mu, self.s2, self.a, self.b)))

    def __hash__(self):
        return self._hash

    @property
    def M(self):                       # component means of p_t
        return tuple(self.a * m for m in self.mu)

    @property
    def V(self):                       # component variances of p_t (A1)
        return tuple(self.a**2 * v + self.b**2 for v in self.s2)


def mixture(weights, means, variances, a, b) -> Mixture:
    """Validated instance; raises ValueError naming the offending argument."""
    ws, ms, vs = (list(v) if not isinstance(v, (str, bytes)) else None for v in (weights, means, variances))
    if ws is None or ms is None or vs is None or not (len(ws) == len(ms) == len(vs) >= 1):
        raise ValueError(f"weights, means and variances must be sequences of equal length >= 1, got "
                         f"lengths {[len(v) if hasattr(v, '__len__') else None for v in (weights, means, variances)]}")
    w = tuple(_mp(v, f"weights[{i}]") for i, v in enumerate(ws))
    mu = tuple(_mp(v, f"means[{i}]") for i, v in enumerate(ms))
    s2 = tuple(_mp(v, f"variances[{i}]") for i, v in enumerate(vs))
    A, B = _mp(a, "a"), _mp(b, "b")
    if any(v < 0 for v in w):
        raise ValueError(f"weights={list(weights)} must be >= 0")
    if abs(mp.fsum(w) - 1) > mp.mpf("1e-12"):
        raise ValueError(f"weights={list(weights)} sum to {mp.nstr(mp.fsum(w), 15)}, not 1 (they are not renormalised)")
    if any(v < 0 for v in s2):
        raise ValueError(f"variances={list(variances)} must be >= 0 (0 is a point mass)")
    if A == 0:
        raise ValueError("a=0: the kernel N(a x0, b^2) must depend on x0 (a != 0)")
    if not B > 0:
        raise ValueError(f"b={b!r} must be > 0")
    return Mixture(w, mu, s2, A, B)


@functools.lru_cache(maxsize=64)
def _consts(m: Mixture, prec: int):
    """Per component, at one precision: log(w_j) - log(2 pi V_j)/2 (-inf for w_j = 0), M_j, 1/V_j,
    and the posterior of x0 given (x, j): mean alpha_j + beta_j x, variance s2_j b^2/V_j."""
    out = []
    for w, mu, s2, M, V in zip(m.w, m.mu, m.s2, m.M, m.V):
        c = mp.log(w) - mp.log(2 * mp.pi * V) / 2 if w else mp.ninf
        beta = m.a * s2 / V
        out.append((c, M, 1 / V, mu - beta * M, beta, s2 * m.b**2 / V))
    return tuple(out)


@functools.lru_cache(maxsize=400_000)
def _at(m: Mixture, x, prec: int):
    """(p_t(x), s*(x), E[x0|x], Var(x0|x)) at one point, responsibilities in log space: r_j =
    e_j / sum e, e_j = exp(l_j - max l), l_j = log(w_j N(x; M_j, V_j)). Quadratures of different
    integrands visit the same nodes, so the mixture is evaluated once per node and precision."""
    cs = _consts(m, prec)
    logs = [c - (x - M) ** 2 * iV / 2 for c, M, iV, *_ in cs]
    top = max(logs)
    e = [mp.exp(l - top) for l in logs]
    tot = mp.fsum(e)
    r = [v / tot for v in e]
    star = mp.fsum(ri * (M - x) * iV for ri, (_, M, iV, *_) in zip(r, cs))
    means = [al + be * x for _, _, _, al, be, _ in cs]
    mean = mp.fsum(ri * mi for ri, mi in zip(r, means))
    second = mp.fsum(ri * (vi + mi**2) for ri, mi, (*_, vi) in zip(r, means, cs))
    return mp.exp(top) * tot, star, mean, second - mean**2


def density(m: Mixture, x):
    return _at(m, x, mp.mp.prec)[0]


def score(m: Mixture, x):
    """s*(x) = sum_j r_j (-(x - M_j)/V_j), responsibilities in log space."""
    return _at(m, x, mp.mp.prec)[1]


def posterior(m: Mixture, x):
    """(E[x0 | x_t = x], Var(x0 | x_t = x)) from the per-component Gaussian posteriors (A3)."""
    return _at(m, x, mp.mp.prec)[2:]


def breakpoints(m: Mixture):
    """-inf, each mean of p_t -/+ 6 of its standard deviations, the means, midpoints, +inf."""
    Ms = sorted(set(m.M))
    pts = set(Ms) | {(u + v) / 2 for u, v in zip(Ms, Ms[1:])}
    for M, V in zip(m.M, m.V):
        pts |= {M - 6 * mp.sqrt(V), M + 6 * mp.sqrt(V)}
    return [mp.ninf] + sorted(pts) + [mp.inf]


def expect_pt(m: Mixture, f):
    """E_{p_t}[f(x)] = int p_t f by tanh-sinh quadrature on the breakpoint rule."""
    return mp.quad(lambda x: density(m, x) * f(x), breakpoints(m))


def fisher(m: Mixture):
    """J(p_t) = int p_t (s*)^2."""
    return expect_pt(m, lambda x: score(m, x) ** 2)


def csm_sm_gap(weights, means, variances, a, b, dps=30):
    """C = CSM - SM = 1/b^2 - J(p_t) (no 1/2 factor) for p0 = sum w_j N(means_j, variances_j) and the
    kernel N(a x0, b^2), by quadrature at dps + 10 digits; an mpf at ``dps`` digits.

    >>> mp.nstr(csm_sm_gap([1], [0], [1], 1, 1), 15)       # Gaussian prior: 1/b^2 - 1/(a^2 s^2 + b^2)
    '0.5'
    >>> csm_sm_gap([0.5, 0.6], [0, 1], [1, 1], 1, 1)
    Traceback (most recent call last):
    ...
    ValueError: weights=[0.5, 0.6] sum to 1.1, not 1 (they are not renormalised)
    """
    if not isinstance(dps, int) or isinstance(dps, bool) or dps < 15:
        raise ValueError(f"dps={dps!r} must be an int >= 15")
    with mp.workdps(dps + 10):
        m = mixture(weights, means, variances, a, b)
        c = 1 / m.b**2 - fisher(m)
    with mp.workdps(dps):
        return +c


def polynomial(theta):
    """x -> sum_k theta_k x^k, the coefficients read once (``_mp``) at the current precision; Horner."""
    coef = [_mp(t, "theta") for t in reversed(theta)]

    def f(x):
        out = mp.mpf(0)
        for ck in coef:
            out = out * x + ck
        return out
    return f


def sm_quad(m: Mixture, theta):
    """SM(theta) = int p_t (s* - s_theta)^2 (no 1/2)."""
    f = polynomial(theta)
    return expect_pt(m, lambda x: (score(m, x) - f(x)) ** 2)


def csm_posterior(m: Mixture, f):
    """CSM(f) = int p_t E[(g - f(x))^2 | x]: g is affine in x0, so E[g|x] = -(x - a E[x0|x])/b^2
    (Tweedie) and Var(g|x) = a^2/b^4 Var(x0|x) (route 2)."""
    def inner(x):
        mean, var = posterior(m, x)
        return (-(x - m.a * mean) / m.b**2 - f(x)) ** 2 + m.a**2 / m.b**4 * var
    return expect_pt(m, inner)


def g_posterior_var(m: Mixture, x):
    """Var(g | x_t = x) from the law of g = -e/b itself: given (x, j), e ~ N(b (x - M_j)/V_j,
    a^2 s_j^2/V_j), so g has mean -(x - M_j)/V_j and variance a^2 s_j^2/(b^2 V_j); mixed over the
    responsibilities r_j (log space) by the law of total variance."""
    cs = _consts(m, mp.mp.prec)
    logs = [c - (x - M) ** 2 * iV / 2 for c, M, iV, *_ in cs]
    top = max(logs)
    e = [mp.exp(l - top) for l in logs]
    r = [v / mp.fsum(e) for v in e]
    means = [-(x - M) * iV for _, M, iV, *_ in cs]
    varis = [m.a**2 * s2 * iV / m.b**2 for s2, (_, _, iV, *_) in zip(m.s2, cs)]
    mean = mp.fsum(ri * gi for ri, gi in zip(r, means))
    return mp.fsum(ri * (vi + gi**2) for ri, vi, gi in zip(r, varis, means)) - mean**2


def mmse_route(m: Mixture):
    """C = a^2/b^4 E Var(x0 | x_t) (A6 d)."""
    return m.a**2 / m.b**4 * expect_pt(m, lambda x: posterior(m, x)[1])


def csm_by_component(m: Mixture, f):
    """CSM(f) = sum_j w_j int N(x; M_j, V_j) E[(-e/b - f(x))^2 | x, j] dx, conditioning on the
    component instead of the posterior: e | x, j ~ N(b (x - M_j)/V_j, a^2 s_j^2 / V_j). On the
    breakpoint rule, so that f = s* is evaluated at nodes already visited."""
    total = mp.mpf(0)
    for w, M, V, s2 in zip(m.w, m.M, m.V, m.s2):
        me = lambda x: m.b * (x - M) / V
        ve = m.a**2 * s2 / V
        pdf = lambda x: mp.exp(-(x - M) ** 2 / (2 * V)) / mp.sqrt(2 * mp.pi * V)
        total += w * mp.quad(lambda x: pdf(x) * ((me(x) / m.b + f(x)) ** 2 + ve / m.b**2), breakpoints(m))
    return total


def expect_p0(m: Mixture, phi):
    """E_{x0 ~ p0} phi(x0): quadrature per component, a point mass evaluated directly."""
    out = mp.mpf(0)
    for w, mu, s2 in zip(m.w, m.mu, m.s2):
        if s2 == 0:
            out += w * phi(mu)
            continue
        sd = mp.sqrt(s2)
        out += w * mp.quad(lambda z: mp.exp(-(z - mu) ** 2 / (2 * s2)) / mp.sqrt(2 * mp.pi * s2) * phi(z),
                           [mp.ninf, mu - 6 * sd, mu, mu + 6 * sd, mp.inf])
    return out


def kernel(m: Mixture, x):
    """z -> p(x | x0 = z) = N(x; a z, b^2), memoised (the quadratures over x0 share their nodes)."""
    return functools.lru_cache(maxsize=None)(
        lambda z: mp.exp(-(x - m.a * z) ** 2 / (2 * m.b**2)) / mp.sqrt(2 * mp.pi * m.b**2))


def plugin_bias_coefficient(m: Mixture, x):
    """c_1(x) = A Var(k)/B^3 - Cov(dk, k)/B^2 (delta method), k = p(x|x0), dk = d/dx p(x|x0)."""
    k = kernel(m, x)
    dk = lambda z: k(z) * (-(x - m.a * z) / m.b**2)
    A, B = expect_p0(m, dk), expect_p0(m, k)
    var_k = expect_p0(m, lambda z: k(z) ** 2) - B**2
    cov = expect_p0(m, lambda z: dk(z) * k(z)) - A * B
    return A * var_k / B**3 - cov / B**2, A / B


# --- exact rational moments (the A8/A9 route) ------------------------------------------------------

def _fr(v):
    return Fraction(str(v)) if isinstance(v, float) else Fraction(v)


def exact_moments(weights, means, variances, a, b, kmax: int):
    """E_{p_t}[x^n], n = 0..kmax, as Fractions: E X^n = M E X^(n-1) + (n-1) V E X^(n-2) per component."""
    a, b = _fr(a), _fr(b)
    out = [Fraction(0)] * (kmax + 1)
    for w, mu, s2 in zip(weights, means, variances):
        M, V = a * _fr(mu), a * a * _fr(s2) + b * b
        mom = [Fraction(1), M]
        for n in range(2, kmax + 1):
            mom.append(M * mom[n - 1] + (n - 1) * V * mom[n - 2])
        for n in range(kmax + 1):
            out[n] += _fr(w) * mom[n]
    return out


def normal_equations(moments, degree: int):
    """G_ij = E x^(i+j), h_k = -k E x^(k-1) for the monomial model sum theta_k x^k (exact)."""
    G = [[moments[i + j] for j in range(degree + 1)] for i in range(degree + 1)]
    h = [-k * moments[k - 1] if k else Fraction(0) for k in range(degree + 1)]
    return G, h


def solve_exact(G, h):
    """Gauss-Jordan elimination in Fractions."""
    n = len(h)
    A = [list(row) + [h[i]] for i, row in enumerate(G)]
    for c in range(n):
        p = next(r for r in range(c, n) if A[r][c] != 0)
        A[c], A[p] = A[p], A[c]
        A[c] = [v / A[c][c] for v in A[c]]
        for r in range(n):
            if r != c and A[r][c] != 0:
                A[r] = [vr - A[r][c] * vc for vr, vc in zip(A[r], A[c])]
    return [A[i][n] for i in range(n)]


def csm_exact(theta, moments, b):
    """CSM(theta) = 1/b^2 - 2 h.theta + theta' G theta (A8/A9), exact for rational inputs."""
    G, h = normal_equations(moments, len(theta) - 1)
    th, b = [_fr(t) for t in theta], _fr(b)
    quad = sum(th[i] * G[i][j] * th[j] for i in range(len(th)) for j in range(len(th)))
    return 1 / (b * b) - 2 * sum(hk * t for hk, t in zip(h, th)) + quad


# --- Monte Carlo (float64, vectorised) -------------------------------------------------------------

def score_f64(x, weights, means, variances, a, b):
    """The mixture score in float64 with log-sum-exp responsibilities (finite for any finite x).
    One pass per component over 1-D arrays (a trailing axis of 2 or 3 components is slow)."""
    x = np.asarray(x, dtype=float)
    M = [a * float(m) for m in means]
    V = [a * a * float(v) + b * b for v in variances]
    d = [x - Mj for Mj in M]                                  # x - M_j
    logs = [math.log(float(w)) - 0.5 * math.log(2 * math.pi * Vj) - dj * dj * (0.5 / Vj)
            for w, dj, Vj in zip(weights, d, V)]
    top = functools.reduce(np.maximum, logs[1:], logs[0].copy())
    num, den = np.zeros_like(x), np.zeros_like(x)
    for L, dj, Vj in zip(logs, d, V):
        L -= top
        np.exp(L, out=L)                                      # responsibility weight of component j
        den += L
        L *= dj
        L *= -1.0 / Vj
        num += L
    num /= den
    return num


def score_f64_naive(x, weights, means, variances, a, b, exp=np.exp):
    """p_t'(x)/p_t(x) with densities in float64: 0/0 = nan once both underflow (the pitfall).
    ``exp``: the elementwise exponential (pass a correctly rounded one for results that do not
    depend on the libm); the sums over components run left to right, the rest is IEEE + - * / sqrt."""
    x = np.asarray(x, dtype=float)[..., None]
    M = a * np.asarray(means, dtype=float)
    V = a * a * np.asarray(variances, dtype=float) + b * b
    dens = np.asarray(weights, dtype=float) * exp(-(x - M) ** 2 / (2 * V)) / np.sqrt(2 * np.pi * V)
    num, den = dens[..., 0] * (-(x[..., 0] - M[0]) / V[0]), dens[..., 0]
    for j in range(1, dens.shape[-1]):
        num, den = num + dens[..., j] * (-(x[..., 0] - M[j]) / V[j]), den + dens[..., j]
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


def sample_x0(rng, n, weights, means, variances):
    """x0 ~ p0: component j ~ Categorical(w) by inversion of one uniform, x0 = mu_j + s_j xi."""
    w = np.asarray(weights, dtype=float)
    j = np.searchsorted(np.cumsum(w)[:-1] / w.sum(), rng.random(n), side="right")
    out = rng.standard_normal(n)
    out *= np.take(np.sqrt(np.asarray(variances, dtype=float)), j)
    out += np.take(np.asarray(means, dtype=float), j)
    return out


def sample_pairs(rng, n, weights, means, variances, a, b):
    """(x0, eps, x_t): x0 ~ p0 (``sample_x0``), eps ~ N(0, 1), x_t = a x0 + b eps."""
    x0 = sample_x0(rng, n, weights, means, variances)
    eps = rng.standard_normal(n)
    return x0, eps, a * x0 + b * eps


def poly(theta, x):
    """sum_k theta_k x^k by Horner's rule (float64)."""
    out = np.full_like(np.asarray(x, dtype=float), float(theta[-1]))
    for t in reversed(theta[:-1]):
        out *= x
        out += float(t)
    return out


def gap_samples(theta, x0, eps, xt, weights, means, variances, a, b, star=None):
    """D_i = (g_i - s_theta)^2 - (s* - s_theta)^2, whose mean is C for every theta; ``star``: the
    scores s*(x_t) when already computed (several theta on one sample)."""
    s_th = poly(theta, xt)
    star = score_f64(xt, weights, means, variances, a, b) if star is None else star
    g, d = eps * (-1.0 / b) - s_th, star - s_th               # g - s_theta, s* - s_theta
    return g * g - d * d


def mean_se(samples, method, seed) -> Estimate:
    x = np.asarray(samples, dtype=float)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)), method, None, x.size, seed)


def plugin_score_bias(rng, x, N, reps, weights, means, variances, a, b, chunk=20_000) -> Estimate:
    """Mean and standard error of the plug-in score s_N(x) = sum_i d/dx p(x|x0_i) / sum_i p(x|x0_i),
    x0_i ~ p0, over ``reps`` replications of N draws (kernel weights in log space)."""
    vals = []
    for start in range(0, reps, chunk):
        m = min(chunk, reps - start)
        r = x - a * sample_x0(rng, m * N, weights, means, variances).reshape(m, N)   # x - a x0
        logk = r * r * (-0.5 / (b * b))
        logk -= logk.max(axis=1, keepdims=True)
        k = np.exp(logk)
        vals.append((k * r).sum(axis=1) / k.sum(axis=1) * (-1 / (b * b)))
    return mean_se(np.concatenate(vals), f"plug-in score at x={x}, N={N}", None)
