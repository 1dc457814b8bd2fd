"""Perturb-and-argmax probabilities p_i = P[argmax_j(mu_j + eps_j) = i] for i.i.d. noise.

Two quadrature routes to the same numbers, and the article's quantile rule:

- ``perturb_max_probs``: the integral formula in the level variable x = mu_i + eps,
  ``p_i = int p(x - mu_i) prod_{j != i} Phi(x - mu_j) dx``, by a vector Gauss-Legendre rule that
  shares the CDF values between the n integrands (for Gumbel noise softmax is never used);
- ``quantile_form_probs``: the substituted form ``int_0^1 prod_{j != i} Phi(mu_i - mu_j +
  Phi^{-1}(t)) dt`` by ``mpmath.quad``, with the upper half mapped to ``s = 1 - t`` so that no
  node rounds to 1;
- ``perturb_max_quantile_rule``: the average of the integrand at t = k/(K+1), k = 1..K, not
  renormalised.

>>> [mp.nstr(p, 12) for p in perturb_max_probs([1, 0, -1], dps=15)]
['0.7287510153', '0.22409830478', '0.0471506799191']
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import mpmath as mp
import numpy as np
from mpmath.calculus.quadrature import GaussLegendre
from scipy.special import ndtri

NOISES = ("gaussian", "gumbel")
GUARD = 5                     # working digits above the requested dps
_STEP = 4                     # width of a Gauss-Legendre panel in the level variable
_GL = GaussLegendre(mp.mp)


# --- argument checks ---------------------------------------------------------------------------

def _check_dps(dps) -> int:
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ValueError(f"dps={dps!r}: give an int >= 15 (decimal digits of the result)")
    return dps


def _check_noise(noise) -> str:
    if noise not in NOISES:
        raise ValueError(f"noise={noise!r}: give one of {', '.join(map(repr, NOISES))}")
    return noise


def _scores(mu) -> list:
    """``mu`` as mpf at the current precision (floats through str(), fractions exactly)."""
    if isinstance(mu, (str, bytes)) or not hasattr(mu, "__len__") or len(mu) < 2:
        raise ValueError(f"mu={mu!r}: give a sequence of at least 2 scores")
    out = []
    for k, m in enumerate(mu):
        if isinstance(m, Fraction):
            v = mp.mpf(m.numerator) / m.denominator
        elif isinstance(m, (int, np.integer)) and not isinstance(m, bool):
            v = mp.mpf(int(m))
        elif isinstance(m, (float, np.floating)):
            v = mp.mpf(str(float(m)))
        elif isinstance(m, (str, mp.mpf)):
            try:
                v = mp.mpf(m)
            except ValueError:
                raise ValueError(f"mu[{k}]={m!r}: not a number") from None
        else:
            raise ValueError(f"mu[{k}]={m!r}: give int, float, str, Fraction or mpf")
        if not mp.isfinite(v):
            raise ValueError(f"mu[{k}]={m!r}: scores must be finite")
        out.append(v)
    return out


# --- the two noises ------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _gauss_consts(prec):
    """(1/sqrt 2, 1/sqrt(2 pi)) at ``prec`` bits, computed once."""
    with mp.workprec(prec):
        return 1 / mp.sqrt(2), 1 / mp.sqrt(2 * mp.pi)


def _cdf(noise, x):
    return mp.erfc(-x * _gauss_consts(mp.mp.prec)[0]) / 2 if noise == "gaussian" else mp.exp(-mp.exp(-x))


def _pdf(noise, x):
    if noise == "gaussian":
        return mp.exp(-x * x / 2) * _gauss_consts(mp.mp.prec)[1]
    return mp.exp(-x - mp.exp(-x))


def _panels(noise, mu, dps) -> list:
    """Breakpoints in the level variable; the omitted mass is below 10**-(dps+10)."""
    lo, hi = min(mu), max(mu)
    digits = (dps + 10) * mp.log(10)
    if noise == "gaussian":                       # 2(1 - Phi(L)) < exp(-L^2/2)
        a, b = lo - mp.sqrt(2 * digits), hi + mp.sqrt(2 * digits)
    else:                                         # left: e^{-e^c}; right: e^{-(x - mu_i)}
        a, b = lo - mp.log(digits) - 1, hi + digits
    top = hi + _STEP if noise == "gumbel" else b
    cuts = [a + _STEP * k for k in range(int((top - a) / _STEP) + 1)]
    while noise == "gumbel" and cuts[-1] < b:     # the right tail is ~exp(-x): panels double
        cuts.append(min(b, hi + 2 * (cuts[-1] - hi)))
    return sorted(set(cuts + [b] + [m for m in mu if a < m < b]))


def _vector_quad(F, points, n):
    """Gauss-Legendre on each panel, degree raised until every component converges."""
    prec, eps = mp.mp.prec, mp.mp.eps
    total, err = [mp.mpf(0)] * n, mp.mpf(0)
    top = _GL.guess_degree(prec) + 2
    for a, b in zip(points[:-1], points[1:]):
        results, e = [], mp.inf
        for degree in range(2, top + 1):
            nodes = _GL.get_nodes(a, b, degree, prec)
            vals = [F(x) for x, _ in nodes]
            results.append([mp.fdot((w, v[i]) for (_, w), v in zip(nodes, vals)) for i in range(n)])
            if len(results) > 1:
                e = max(_GL.estimate_error([r[i] for r in results], prec, eps) for i in range(n))
                if e <= eps:
                    break
        else:
            raise mp.NoConvergence(f"panel [{mp.nstr(a, 5)}, {mp.nstr(b, 5)}]: error {mp.nstr(e, 3)} "
                                   f"after degree {top}; raise dps")
        total = [t + s for t, s in zip(total, results[-1])]
        err += e
    return total, err


def _survival(noise, x):
    return _cdf(noise, -x) if noise == "gaussian" else -mp.expm1(-mp.exp(-x))


def _level_integrand(noise, mu, survival=False):
    """x -> [p(x - mu_i) prod_{j != i} Phi(x - mu_j)]_i (with 1 - Phi when ``survival``: argmin)."""
    n, G = len(mu), (_survival if survival else _cdf)

    def F(x):
        c = [G(noise, x - m) for m in mu]
        left = [mp.mpf(1)]                        # prefix and suffix products: prod_{j != i} c_j
        for v in c[:-1]:
            left.append(left[-1] * v)
        out, right = [None] * n, mp.mpf(1)
        for i in range(n - 1, -1, -1):
            out[i] = _pdf(noise, x - mu[i]) * left[i] * right
            right *= c[i]
        return out
    return F


def perturb_max_errors(mu, noise="gaussian", dps=30):
    """``(probabilities, quadrature error estimate)``; see ``perturb_max_probs``."""
    _check_noise(noise)
    _check_dps(dps)
    with mp.workdps(dps + GUARD):
        m = _scores(mu)
        vals, err = _vector_quad(_level_integrand(noise, m), _panels(noise, m, dps), len(m))
    with mp.workdps(dps):
        return [+v for v in vals], +err


def perturb_max_probs(mu, noise="gaussian", dps=30):
    """``[p_1, ..., p_n]``, ``p_i = P[argmax(mu + eps) = i]`` for i.i.d. standard ``noise``
    ("gaussian" or "gumbel", CDF exp(-exp(-x))), correct to dps - 5 significant digits.

    Quadrature of the integral formula; for Gumbel noise it agrees with softmax without using it:

    >>> p = perturb_max_probs([1, 0, -1], noise="gumbel", dps=20)
    >>> abs(p[0] - mp.e / (mp.e + 1 + 1 / mp.e)) < 1e-15          # mpmath's default 15 digits
    True
    >>> perturb_max_probs([1], dps=20)
    Traceback (most recent call last):
    ...
    ValueError: mu=[1]: give a sequence of at least 2 scores
    """
    return perturb_max_errors(mu, noise, dps)[0]


# --- quantiles -----------------------------------------------------------------------------------

def norm_ppf_lower(s):
    """Phi^{-1}(s) for 0 < s <= 1/2 at the working precision, by Newton on log Phi (no 2s - 1,
    so s = 1e-40 keeps every digit).

    >>> mp.nstr(norm_ppf_lower(mp.mpf("0.025")), 10)
    '-1.959963985'
    """
    fs = float(s)
    if fs > 1e-300:
        x = mp.mpf(float(ndtri(fs)))
    else:
        L = -mp.log(s)
        x = -mp.sqrt(2 * L - mp.log(4 * mp.pi * L))
    tol, ls = mp.mpf(2) ** (4 - mp.mp.prec), mp.log(s)
    for _ in range(60):
        c = _cdf("gaussian", x)
        dx = (mp.log(c) - ls) * c / _pdf("gaussian", x)
        x -= dx
        # Newton converges quadratically, next error ~ (1 + |x|) dx^2: stop once that is below tol
        if (1 + abs(x)) * dx * dx <= tol:
            return x
    raise mp.NoConvergence(f"norm_ppf_lower(s={mp.nstr(s, 5)}): Newton did not converge")


def _ppf(noise, t, upper=False):
    """Phi^{-1}(t), or Phi^{-1}(1 - t) when ``upper`` (t <= 1/2 given exactly)."""
    if noise == "gaussian":
        x = norm_ppf_lower(t)
        return -x if upper else x
    return -mp.log(-mp.log1p(-t)) if upper else -mp.log(-mp.log(t))


def quantile_form_probs(mu, noise="gaussian", dps=30):
    """The t-form ``int_0^1 prod_{j != i} Phi(mu_i - mu_j + Phi^{-1}(t)) dt`` by tanh-sinh
    (``mpmath.quad``) on [0, 1/2] in t and on [0, 1/2] in s = 1 - t: a second route.

    >>> [mp.nstr(p, 12) for p in quantile_form_probs([1, 0, -1], dps=15)]
    ['0.7287510153', '0.22409830478', '0.0471506799191']
    """
    _check_noise(noise)
    _check_dps(dps)
    out, memo = [], {}                            # the n integrals share their nodes: Phi^{-1} once each

    def inv(t, upper):
        if (t, upper) not in memo:
            memo[t, upper] = _ppf(noise, t, upper)
        return memo[t, upper]
    with mp.workdps(dps + GUARD):
        m = _scores(mu)
        for i in range(len(m)):
            d = [m[i] - m[j] for j in range(len(m)) if j != i]
            halves = [mp.quad(lambda t: mp.fprod(_cdf(noise, dj + inv(t, up)) for dj in d), [0, 0.5])
                      for up in (False, True)]
            out.append(halves[0] + halves[1])
    with mp.workdps(dps):
        return [+v for v in out]


def argmin_probs(mu, noise="gaussian", dps=30):
    """``P[argmin(mu + eps) = i] = int p(x - mu_i) prod_{j != i} (1 - Phi(x - mu_j)) dx``, by the
    panelled Gauss-Legendre rule of ``perturb_max_probs`` (1 - Phi without cancellation).

    >>> [mp.nstr(p, 8) for p in argmin_probs([1, 0, -1], dps=15)]
    ['0.04715068', '0.2240983', '0.72875102']
    """
    _check_noise(noise)
    _check_dps(dps)
    with mp.workdps(dps + GUARD):
        m = _scores(mu)
        vals, _ = _vector_quad(_level_integrand(noise, m, survival=True), _panels(noise, m, dps), len(m))
    with mp.workdps(dps):
        return [+v for v in vals]


@lru_cache(maxsize=32)
def quantile_nodes(K: int, noise: str, dps: int) -> tuple:
    """Phi^{-1}(k/(K+1)), k = 1..K, at ``dps`` + guard digits, each t = k/(K+1) exact."""
    with mp.workdps(dps + GUARD):
        ts = [mp.mpf(k) / (K + 1) for k in range(1, (K + 1) // 2 + 1)]
        low = [_ppf(noise, t) for t in ts]
        # Gaussian: Phi^{-1}(1 - t) = -Phi^{-1}(t), no second solve
        high = [-x for x in low] if noise == "gaussian" else [_ppf(noise, t, True) for t in ts]
        return tuple(low + high[: K - len(ts)][::-1])


def perturb_max_quantile_rule(mu, K, noise="gaussian", dps=20):
    """The article's rule ``(1/K) sum_k prod_{j != i} Phi(mu_i - mu_j + Phi^{-1}(k/(K+1)))``
    for each i, as a list of mpf, NOT renormalised (for n = 3 it sums to about 1 - 1/(2K)).

    >>> p = perturb_max_quantile_rule([1, 0, -1], 100)
    >>> mp.nstr(sum(p) - 1, 4)
    '-0.003887'
    >>> perturb_max_quantile_rule([1, 0], 0)
    Traceback (most recent call last):
    ...
    ValueError: K=0: give an int >= 1 (the number of quantile nodes)
    """
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or K < 1:
        raise ValueError(f"K={K!r}: give an int >= 1 (the number of quantile nodes)")
    _check_noise(noise)
    _check_dps(dps)
    K = int(K)
    xs = quantile_nodes(K, noise, dps)
    with mp.workdps(dps + GUARD):
        m = _scores(mu)
        n = len(m)
        col = {}                                  # d = mu_i - mu_j -> [Phi(d + x_k)]_k
        for d in sorted({m[i] - m[j] for i in range(n) for j in range(n) if i != j}):
            if noise == "gaussian" and -d in col:     # Phi(d + x_k) = 1 - Phi(-d + x_{K+1-k}), d > 0
                col[d] = [1 - v for v in reversed(col[-d])]
            else:
                col[d] = [_cdf(noise, d + x) for x in xs]
        out = []
        for i in range(n):
            cols = [col[m[i] - m[j]] for j in range(n) if j != i]
            head = cols[0] if n > 2 else [mp.mpf(1)] * K     # all columns but the last, multiplied
            for c in cols[1:-1]:
                head = [a * b for a, b in zip(head, c)]
            out.append(mp.fdot(head, cols[-1]) / K)
    with mp.workdps(dps):
        return [+v for v in out]


# --- Monte Carlo -----------------------------------------------------------------------------------

def sample_argmax(mu, noise, n: int, seed: int, chunk: int = 10**6) -> np.ndarray:
    """Winners ``argmax(mu + eps)`` of ``n`` seeded draws (float64, vectorised in chunks);
    ``noise`` may also be "uniform" (eps ~ U[0, 1]) for the strict-order counterexample.

    >>> sample_argmax([10, 9, 0], "uniform", 5, seed=1).tolist()
    [0, 0, 0, 0, 0]
    """
    if noise not in NOISES + ("uniform",):
        raise ValueError(f"noise={noise!r}: give 'gaussian', 'gumbel' or 'uniform'")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r}: give a positive int (number of draws)")
    scores = np.array([float(v) for v in _scores(mu)])
    rng = np.random.default_rng(seed)
    out = np.empty(n, dtype=np.int8)
    for start in range(0, n, chunk):
        size = (min(chunk, n - start), scores.size)
        if noise == "gaussian":
            eps = rng.standard_normal(size)
        elif noise == "gumbel":
            eps = -np.log(-np.log(rng.random(size)))
        else:
            eps = rng.random(size)
        out[start:start + size[0]] = np.argmax(scores + eps, axis=1)
    return out


def normal_cdf2_half(h, k):
    """The bivariate normal CDF with correlation 1/2, ``P[Z1 <= h, Z2 <= k]``, as
    ``int_{-inf}^h phi(x) Phi((k - x/2)/sqrt(3/4)) dx`` at the working precision.

    >>> mp.nstr(normal_cdf2_half(0, 0), 12)        # 1/4 + arcsin(1/2)/(2 pi) = 1/3
    '0.333333333333'
    """
    c = mp.sqrt(mp.mpf(3) / 4)
    return mp.quad(lambda x: _pdf("gaussian", x) * _cdf("gaussian", (k - x / 2) / c), [-mp.inf, h])


__all__ = ["NOISES", "argmin_probs", "normal_cdf2_half", "norm_ppf_lower", "perturb_max_errors",
           "perturb_max_probs", "perturb_max_quantile_rule", "quantile_form_probs", "quantile_nodes",
           "sample_argmax"]
