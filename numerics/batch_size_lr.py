"""The one-step optimal learning rate of SGD and of sign-SGD on a quadratic loss, exact and simulated.

``sgd_optimal_lr`` is exact (a ``Fraction``) for exact inputs; ``signsgd_optimal_lr`` evaluates the
erf means in mpmath. The simulations build every minibatch from ``B`` per-example draws and return
the ratio of means a/c with a delta-method standard error (``Estimate.from_samples`` of the
influence values ``r + (a_k - r c_k)/c``).
"""
from __future__ import annotations

import functools
from fractions import Fraction

import mpmath as mp
import numpy as np

from .estimate import Estimate


class _Inexact(Exception):
    """An entry is an mpf: the exact route does not apply."""


def _exact(x, name):
    """int, Fraction, decimal string, float (through str()), SymPy/numpy rationals -> Fraction."""
    if isinstance(x, bool):
        raise ValueError(f"{name}={x!r}: give a number, not a bool")
    if isinstance(x, (mp.mpf, mp.mpc)):
        raise _Inexact
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if hasattr(x, "p") and hasattr(x, "q") and getattr(x, "is_Rational", False):   # sympy Rational
        return Fraction(int(x.p), int(x.q))
    try:
        return Fraction(str(x))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name}={x!r} is not a finite exact number (give an int, Fraction, decimal "
                         "string, finite float or mpf)") from None


def _mpf(x, name):
    try:
        v = x if isinstance(x, mp.mpf) else mp.mpf(_exact(x, name).numerator) / _exact(x, name).denominator
    except _Inexact:
        raise ValueError(f"{name}={x!r}: complex entries are not allowed") from None
    if not mp.isfinite(v):
        raise ValueError(f"{name}={x!r} is not finite")
    return v


def _rows(M, n, name):
    """A square n x n matrix (nested lists, numpy array, SymPy Matrix) as a list of rows."""
    if hasattr(M, "tolist"):
        M = M.tolist()
    rows = [list(r) for r in M]
    if len(rows) != n or any(len(r) != n for r in rows):
        raise ValueError(f"{name} must be {n}x{n} to match len(g)={n}, got shape "
                         f"{len(rows)}x{len(rows[0]) if rows else 0}")
    return rows


def _convert(g, H, Sigma, B, conv):
    g = [conv(v, "g") for v in (g.tolist() if hasattr(g, "tolist") else list(g))]
    n = len(g)
    if n == 0 or all(v == 0 for v in g):
        raise ValueError(f"g={g!r}: the gradient must be a non-empty, non-zero vector")
    Hm = [[conv(v, "H") for v in r] for r in _rows(H, n, "H")]
    Sm = [[conv(v, "Sigma") for v in r] for r in _rows(Sigma, n, "Sigma")]
    Bv = conv(B, "B")
    if not Bv > 0:
        raise ValueError(f"B={B!r}: the batch size must be positive")
    return g, Hm, Sm, Bv


def _ldl_pivots(M, name):
    """Pivots of a symmetric LDL^T without pivoting; a zero pivot needs a zero remaining column."""
    n = len(M)
    if any(M[i][j] != M[j][i] for i in range(n) for j in range(i)):
        raise ValueError(f"{name} must be symmetric, got {name}[0..][..] = {M!r}")
    A = [r[:] for r in M]
    piv = []
    for k in range(n):
        d = A[k][k]
        piv.append(d)
        if d == 0:
            if any(A[i][k] != 0 for i in range(k + 1, n)):
                piv.append(-1)          # a zero pivot with a non-zero column: indefinite
                return piv
            continue
        for i in range(k + 1, n):
            f = A[i][k] / d
            for j in range(k + 1, n):
                A[i][j] -= f * A[k][j]
    return piv


def _check_H_Sigma(H, S, diagonal):
    if not all(p > 0 for p in _ldl_pivots(H, "H")):
        raise ValueError(f"H={H!r} must be positive definite (an LDL^T pivot is <= 0)")
    if not all(p >= 0 for p in _ldl_pivots(S, "Sigma")):
        raise ValueError(f"Sigma={S!r} must be positive semidefinite (an LDL^T pivot is < 0)")
    n = len(S)
    if diagonal and (any(S[i][j] != 0 for i in range(n) for j in range(n) if i != j)
                     or any(S[i][i] <= 0 for i in range(n))):
        raise ValueError(f"Sigma={S!r}: sign-SGD needs a diagonal Sigma with a positive diagonal "
                         "(independent coordinates, each with noise)")


def sgd_optimal_lr(g, H, Sigma, B):
    """eta* = g'g / (g'Hg + tr(Sigma H)/B): exact Fraction for exact inputs, mpf (30 digits) otherwise.

    >>> sgd_optimal_lr([1, -2], [[2, "0.5"], ["0.5", 1]], [[4, 0], [0, 9]], 8)
    Fraction(40, 49)
    >>> sgd_optimal_lr([1, 0], [[1, 2], [2, 1]], [[1, 0], [0, 1]], 1)
    Traceback (most recent call last):
    ...
    ValueError: H=[[Fraction(1, 1), Fraction(2, 1)], [Fraction(2, 1), Fraction(1, 1)]] must be positive definite (an LDL^T pivot is <= 0)
    """
    try:
        g, H, S, B = _convert(g, H, Sigma, B, _exact)
    except _Inexact:
        with mp.workdps(40):
            g, H, S, B = _convert(g, H, Sigma, B, _mpf)
            _check_H_Sigma(H, S, False)
            r = _sgd_formula(g, H, S, B)
        with mp.workdps(30):
            return +r
    _check_H_Sigma(H, S, False)
    return _sgd_formula(g, H, S, B)


def _sgd_formula(g, H, S, B):
    n = len(g)
    gg = sum(v * v for v in g)
    gHg = sum(g[i] * H[i][j] * g[j] for i in range(n) for j in range(n))
    trSH = sum(S[i][j] * H[j][i] for i in range(n) for j in range(n))
    return gg / (gHg + trSH / B)


def _sign_parts(g, H, mu):
    n = len(g)
    num = mp.fsum(mu[i] * g[i] for i in range(n))
    den = mp.fsum(H[i][i] for i in range(n)) + mp.fsum(mu[i] * mu[j] * H[i][j]
                                                        for i in range(n) for j in range(n) if i != j)
    return num, den


def signsgd_optimal_lr(g, H, Sigma, B, dps: int = 30, means: str = "erf"):
    """Exact one-step optimum of sign-SGD, g_B ~ N(g, Sigma/B) with diagonal Sigma, quadratic loss:
    sum mu_i g_i / (sum H_ii + sum_{i != j} mu_i mu_j H_ij), mu_i = erf(g_i sqrt(B)/(sigma_i sqrt 2)).

    ``means="algebraic"`` uses the article's substitute mu_i = r_i/sqrt(pi/(2B) + r_i^2), r = g/sigma.
    Evaluated at dps + 10 and dps + 20 digits; returned at ``dps`` (correct to dps - 5 digits).

    >>> mp.nstr(signsgd_optimal_lr([1, 0.5], [[1, 0], [0, 1]], [[1, 0], [0, 1]], 10**6), 12)
    '0.75'
    >>> signsgd_optimal_lr([1, 1], [[1, 0], [0, 1]], [[1, 0], [0, 0]], 1)
    Traceback (most recent call last):
    ...
    ValueError: Sigma=[[mpf('1.0'), mpf('0.0')], [mpf('0.0'), mpf('0.0')]]: sign-SGD needs a diagonal Sigma with a positive diagonal (independent coordinates, each with noise)
    """
    if means not in ("erf", "algebraic"):
        raise ValueError(f"means={means!r}: give 'erf' (exact) or 'algebraic' (the article's substitute)")
    if not (isinstance(dps, int) and dps > 5):
        raise ValueError(f"dps={dps!r}: give an integer above 5")
    vals = []
    for extra in (10, 20):
        with mp.workdps(dps + extra):
            gv, Hm, S, Bv = _convert(g, H, Sigma, B, _mpf)
            _check_H_Sigma(Hm, S, True)
            mu = sign_means(gv, [S[i][i] for i in range(len(gv))], Bv, means)
            num, den = _sign_parts(gv, Hm, mu)
            vals.append(num / den)
    with mp.workdps(dps + 10):
        if abs(vals[0] - vals[1]) > abs(vals[1]) * mp.mpf(10) ** -(dps - 4):
            raise ValueError(f"signsgd_optimal_lr: the denominator cancels beyond dps+10={dps + 10} "
                             "digits (ill-conditioned H); raise dps")
    with mp.workdps(dps):
        return +vals[1]


def sign_means(g, sigma2, B, means="erf"):
    """mu_i = E sign(g_i + sigma_i z/sqrt(B)) = erf(g_i sqrt(B/2)/sigma_i), or the algebraic substitute."""
    out = []
    for gi, s2 in zip(g, sigma2):
        r = gi / mp.sqrt(s2)
        out.append(mp.erf(r * mp.sqrt(B / 2)) if means == "erf" else r / mp.sqrt(mp.pi / (2 * B) + r * r))
    return out


# --- simulations: explicit minibatches, ratio of means with a delta-method SE -----------------------

LAWS = ("gauss", "rademacher", "t5")


def _unit_noise(rng, shape, law):
    """Per-example noise with mean 0 and variance 1 under three laws."""
    if law == "gauss":
        return rng.standard_normal(shape)
    if law == "rademacher":
        return rng.integers(0, 2, size=shape, dtype=np.int8) * 2.0 - 1.0
    if law == "t5":
        return rng.standard_t(5, size=shape) * np.sqrt(3 / 5)
    raise ValueError(f"law={law!r}: give one of {LAWS}")


def minibatch_means(g, Sigma, B, n, seed, law="gauss", chunk=None):
    """n minibatch means, each the average of B per-example gradients g + L z (L L' = Sigma)."""
    if not (isinstance(B, (int, np.integer)) and B >= 1):
        raise ValueError(f"B={B!r}: a simulated batch holds a positive integer number of examples")
    if not (isinstance(n, (int, np.integer)) and n >= 2):
        raise ValueError(f"n={n!r}: give at least 2 minibatches")
    g = np.asarray(g, dtype=float)
    L = np.linalg.cholesky(np.asarray(Sigma, dtype=float) + 0.0)
    rng = np.random.default_rng(seed)
    chunk = chunk or max(1, 4_000_000 // (B * g.size))
    out = np.empty((n, g.size))
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        z = _unit_noise(rng, (m, B, g.size), law).mean(axis=1)
        out[s:s + m] = g + z @ L.T
    return out


def ratio_estimate(a, c, method, seed):
    """a-bar / c-bar with the delta-method SE, as the mean of the influence values."""
    a, c = np.asarray(a, float), np.asarray(c, float)
    r = a.mean() / c.mean()
    return Estimate.from_samples(r + (a - r * c) / c.mean(), method, seed)


def simulate_optimal_lr(g, H, Sigma, B, n, seed, rule="sgd", law="gauss"):
    """Estimate eta* = E[u'g]/E[u'Hu] with u = g_B (rule "sgd") or sign(g_B) (rule "sign")."""
    x = minibatch_means(g, Sigma, B, n, seed, law)
    u = x if rule == "sgd" else np.sign(x)
    if rule not in ("sgd", "sign"):
        raise ValueError(f"rule={rule!r}: give 'sgd' or 'sign'")
    Hn = np.asarray(H, dtype=float)
    a, c = u @ np.asarray(g, float), np.einsum("ki,ij,kj->k", u, Hn, u)
    return ratio_estimate(a, c, f"{rule} eta* = E[u'g]/E[u'Hu], {law} per-example noise, B={B}", seed)


def loss_after_step(g, H, x, etas):
    """Mean over the rows of x of L(theta - eta x) - L(theta) = -eta x'g + eta^2 x'Hx/2 (quadratic),
    at every eta (common random numbers), with its standard error."""
    a, c = x @ np.asarray(g, float), np.einsum("ki,ij,kj->k", x, np.asarray(H, float), x)
    d = -np.outer(etas, a) + 0.5 * np.outer(np.asarray(etas) ** 2, c)
    return d.mean(axis=1), d.std(axis=1, ddof=1) / np.sqrt(x.shape[0])


# --- the non-quadratic loss of L17: sum log cosh + theta'A0 theta/2 --------------------------------

def logcosh_optimal_lr(theta, A0, sigma2B, nodes: int = 40, dps: int = 30):
    """Root of f'(eta) = -E[x'grad L(theta - eta x)], x ~ N(g, diag(sigma2B)), g = grad L(theta),
    L = sum log cosh theta_i + theta'A0 theta/2. The tanh part separates over coordinates (1-D
    Gauss-Hermite, ``nodes`` nodes, equal to the tensor rule); the A0 part is exact."""
    with mp.workdps(dps + 10):
        th = [_mpf(t, "theta") for t in theta]
        A = [[_mpf(v, "A0") for v in r] for r in A0]
        n = len(th)
        s = [mp.sqrt(_mpf(v, "sigma2B")) for v in sigma2B]
        g = [mp.tanh(th[i]) + mp.fsum(A[i][j] * th[j] for j in range(n)) for i in range(n)]
        X, W = _hermite(nodes)
        Ex = g
        ExAx = mp.fsum(A[i][j] * (g[i] * g[j] + (s[i] ** 2 if i == j else 0)) for i in range(n) for j in range(n))
        xAth = mp.fsum(Ex[i] * A[i][j] * th[j] for i in range(n) for j in range(n))

        def fprime(eta):
            t = mp.fsum(W[k] * (g[i] + s[i] * X[k]) * mp.tanh(th[i] - eta * (g[i] + s[i] * X[k]))
                        for i in range(n) for k in range(len(X)))
            return -(t + xAth - eta * ExAx)

        eta = mp.findroot(fprime, mp.mpf(_sgd_formula(g, _hess(th, A), [[s[i] ** 2 if i == j else 0 for j in range(n)]
                                                                         for i in range(n)], 1)))
        return g, _hess(th, A), eta


def _hess(th, A):
    n = len(th)
    return [[A[i][j] + (mp.sech(th[i]) ** 2 if i == j else 0) for j in range(n)] for i in range(n)]


def _hermite(nodes):
    """Cached per (nodes, working precision); see ``_hermite_at``."""
    return _hermite_at(nodes, mp.mp.dps)


@functools.lru_cache(maxsize=None)
def _hermite_at(nodes, dps):
    """Probabilists' Gauss-Hermite nodes and weights (weights sum to 1): numpy's nodes refined by
    Newton's method on He_n (three-term recurrence) at the working precision, w_k = n!/(n He_{n-1}(x_k))^2."""
    def he(t):
        p0, p1 = mp.mpf(1), t
        for k in range(1, nodes):
            p0, p1 = p1, t * p1 - k * p0
        return p1, p0                                   # He_n(t), He_{n-1}(t)

    xs, ws = [], []
    for x0 in np.polynomial.hermite_e.hermegauss(nodes)[0]:
        t = mp.mpf(float(x0))
        for _ in range(100):
            pn, pm = he(t)
            step = pn / (nodes * pm)                    # He_n' = n He_{n-1}
            t -= step
            if abs(step) < mp.eps * 4 * (1 + abs(t)):
                break
        pn, pm = he(t)
        xs.append(t)
        ws.append(mp.factorial(nodes) / (nodes * pm) ** 2)
    return xs, ws
