"""The quantization model of scaling: Zipf tails by the Hurwitz zeta, the Poissonised data model,
deterministic thresholds, Monte Carlo of a model that learns quanta in order, and slope fits.

p_k = k^-s / zeta(s), s = gamma + 1. Tails are always zeta(s, n+1)/zeta(s), never 1 minus a partial
sum (which cancels catastrophically once the tail is below the working precision).
"""
from __future__ import annotations

import functools
import math

import mpmath as mp
import numpy as np

from .estimate import Estimate

GUARD = 10                       # extra digits carried inside; agreement is checked at two levels


def num(v):
    """A user's number at the working precision; a float is read as the decimal it prints as
    (0.4 means 4/10, not the binary double 0.40000000000000002220...).

    >>> with mp.workdps(30): print(num(0.4) + 1)
    1.4
    """
    return mp.mpf(repr(float(v))) if isinstance(v, float) else mp.mpf(v)


def _check(gamma, name="gamma"):
    g = num(gamma)
    if not g > 0:
        raise ValueError(f"{name}={gamma}: the Zipf law p_k ~ k^-(gamma+1) needs gamma > 0 "
                         "(at gamma = 0 the normaliser zeta(1) diverges)")
    return g


def _two_levels(f, dps: int, what: str):
    """f(prec) at dps+GUARD and dps+2*GUARD; raises NoConvergence when they disagree at dps."""
    with mp.workdps(dps + GUARD):
        a = f(dps + GUARD)
    with mp.workdps(dps + 2 * GUARD):
        b = f(dps + 2 * GUARD)
    with mp.workdps(dps):
        if abs(a - b) > abs(b) * mp.mpf(10) ** -(dps + 1):
            raise mp.NoConvergence(f"{what}: {mp.nstr(a, 12)} and {mp.nstr(b, 12)} at "
                                   f"{dps + GUARD} and {dps + 2 * GUARD} digits disagree")
        return +b


def tail_fraction(gamma, n, dps=30):
    """sum_{k>n} p_k = zeta(gamma+1, n+1) / zeta(gamma+1), to ``dps`` digits (n up to 1e12 and beyond).

    >>> mp.nstr(tail_fraction(1, 0), 10)
    '1.0'
    >>> mp.nstr(tail_fraction(0.5, 1000, dps=30), 20)
    '0.024203928351922930774'
    """
    _check(gamma)
    if int(n) != n or n < 0:
        raise ValueError(f"n={n}: the number of learned quanta must be an integer >= 0")
    return _two_levels(lambda p: mp.zeta(num(gamma) + 1, int(n) + 1) / mp.zeta(num(gamma) + 1),
                       dps, f"tail_fraction(gamma={gamma}, n={n})")


def local_slope(gamma, n, dps=30):
    """d ln T / d ln n = -(gamma+1) n zeta(gamma+2, n+1)/zeta(gamma+1, n+1) (claim B5)."""
    with mp.workdps(dps + GUARD):
        s = num(gamma) + 1
        v = -s * n * mp.zeta(s + 1, n + 1) / mp.zeta(s, n + 1)
    with mp.workdps(dps):
        return +v


def threshold_n(gamma, D, tau, dps=30) -> int:
    """n(D) = floor((D/(tau Z))^(1/s)): the largest n with D p_n >= tau, verified exactly at the edges."""
    with mp.workdps(dps + GUARD):
        s = num(gamma) + 1
        Z = mp.zeta(s)
        D, tau = num(D), num(tau)
        k = int(mp.floor((D / (tau * Z)) ** (1 / s)))
        served = lambda j: D * mp.mpf(j) ** -s / Z >= tau if j > 0 else True
        while not served(k):
            k -= 1
        while served(k + 1):
            k += 1
        return k


def _q(tau, lam):
    """Q(tau, lam) = P(Poisson(lam) < tau): a finite sum for integer tau, else the incomplete gamma."""
    if tau == int(tau):
        return mp.exp(-lam) * mp.fsum(lam**j / mp.factorial(j) for j in range(int(tau)))
    return mp.gammainc(tau, lam, mp.inf, regularized=True)


def _tail_integral(tau, s, Z, D, x0):
    """int_{x0}^inf p_x Q(tau, D p_x) dx with lam = D p_x: (D/Z)^(1/s)/(s D) int_0^lam0 lam^(-1/s) Q dlam."""
    lam0 = D * x0**-s / Z
    pref = (D / Z) ** (1 / s) / (s * D)
    if tau == int(tau):                  # exact: lower incomplete gammas
        inner = mp.fsum(mp.gammainc(j + 1 - 1 / s, 0, lam0) / mp.factorial(j) for j in range(int(tau)))
    else:                                # lam = v^4 removes the endpoint singularity lam^(-1/s)
        m = 4
        inner = mp.quad(lambda v: m * v**(m - 1 - m / s) * _q(tau, v**m), [0, lam0 ** (1 / mp.mpf(m))])
    return pref * inner


def poisson_loss_fraction(gamma, D, tau, dps=30, head=1000, em_terms=8):
    """(E[L] - a)/(b - a) = sum_k p_k Q(tau, D p_k) for counts c_k ~ Poisson(D p_k), quantum k learned
    iff c_k >= tau. Exact head k < head, then Euler-Maclaurin: the tail integral (exact for integer
    tau), f(head)/2 and ``em_terms`` derivative corrections. Accurate to ``dps`` digits for D up to
    1e12 (checked at two working precisions).

    >>> mp.nstr(poisson_loss_fraction(1, 0, 1), 10)
    '1.0'
    """
    _check(gamma)
    if not D >= 0 or not tau > 0:
        raise ValueError(f"need D >= 0 and tau > 0, got D={D}, tau={tau}")
    if D == 0:
        return mp.mpf(1)

    def run(prec):
        s = num(gamma) + 1
        Z, Dm, t = mp.zeta(s), num(D), num(tau)
        f = lambda x: x**-s / Z * _q(t, Dm * x**-s / Z)
        total = mp.fsum(f(mp.mpf(k)) for k in range(1, head))
        total += _tail_integral(t, s, Z, Dm, mp.mpf(head)) + f(mp.mpf(head)) / 2
        for j in range(1, em_terms + 1):
            total -= mp.bernoulli(2 * j) / mp.factorial(2 * j) * mp.diff(f, mp.mpf(head), 2 * j - 1)
        return total
    return _two_levels(run, dps, f"poisson_loss_fraction(gamma={gamma}, D={D}, tau={tau})")


def poisson_closed_form(gamma, D, tau, dps=30):
    """(1/(gamma Z)) (D/Z)^-theta Gamma(tau+theta)/Gamma(tau), theta = gamma/(gamma+1) (claim B7')."""
    with mp.workdps(dps + GUARD):
        g = num(gamma)
        s, Z = g + 1, mp.zeta(g + 1)
        th = g / s
        v = (num(D) / Z) ** -th * mp.gamma(tau + th) / (mp.gamma(tau) * g * Z)
    with mp.workdps(dps):
        return +v


def fit_slope(x, y) -> tuple[float, float]:
    """Ordinary least squares of ln y on ln x: (slope, its standard error).

    >>> [round(v, 12) for v in fit_slope([1, 10, 100], [1, 0.1, 0.01])]
    [-1.0, 0.0]
    """
    lx, ly = np.log(np.asarray(x, dtype=float)), np.log(np.asarray(y, dtype=float))
    A = np.vstack([lx, np.ones_like(lx)]).T
    coef, res, *_ = np.linalg.lstsq(A, ly, rcond=None)
    dof = max(len(lx) - 2, 1)
    resid = ly - A @ coef
    se = math.sqrt(float(resid @ resid) / dof / float(((lx - lx.mean()) ** 2).sum()))
    return float(coef[0]), se


def log_integers(lo: float, hi: float, count: int, strict: bool = True) -> np.ndarray:
    """``count`` log-spaced integers from lo to hi, rounded; with ``strict`` a collision (fewer than
    ``count`` distinct values) is an error, else duplicates are dropped.

    >>> log_integers(1, 100, 3).tolist()
    [1, 10, 100]
    """
    vals = np.unique(np.rint(np.logspace(math.log10(lo), math.log10(hi), count)).astype(np.int64))
    if strict and vals.size != count:
        raise ValueError(f"{count} log-spaced integers in [{lo}, {hi}] collide; widen the range")
    return vals


def _counts(ranks, cap=1 << 22):
    """(ranks, counts) of the distinct values: bincount below ``cap``, a sort only for the rare rest."""
    small = ranks[ranks < cap]
    c = np.bincount(small)
    r_small = np.nonzero(c)[0]
    r_big, c_big = np.unique(ranks[ranks >= cap], return_counts=True)
    return np.concatenate([r_small, r_big]), np.concatenate([c[r_small], c_big])


HEAD_CAP = 1 << 20          # ranks counted by one multinomial draw; the tail beyond is sampled draw by draw


@functools.lru_cache(maxsize=8)
def _zipf_head(s: float, K: int):
    """(p_1..p_K, T_K) of numpy's Zipf law P(k) = k^-s/zeta(s), the tail mass by Hurwitz zeta."""
    Z = float(mp.zeta(s))
    p = np.arange(1, K + 1, dtype=float) ** -s / Z
    return p, float(mp.zeta(s, K + 1)) / Z


def tail_proposals(s: float, K: int, size: int, rng):
    """One round of the tail sampler: ``size`` proposals k = floor(X) + 1, X Pareto on [K, inf), so
    P(propose k) ~ the integral of x^-s over the cell [k-1, k], which exceeds k^-s; and for each
    whether it is accepted, with probability k^-s / that integral (above 1 - s/(2K)).
    Returns (k, accepted). The mean acceptance is (s-1) K^(s-1) zeta(s, K+1).

    >>> k, ok = tail_proposals(1.4, 1000, 10, np.random.default_rng(0))
    >>> bool(k.min() > 1000), ok.dtype.name
    (True, 'bool')
    """
    if not s > 1 or K < 1:
        raise ValueError(f"the tail sampler needs s > 1 and K >= 1, got s={s}, K={K}")
    x = K * rng.random(size) ** (-1.0 / (s - 1))
    k = np.floor(x) + 1.0
    cell = np.expm1((1 - s) * np.log1p(-1.0 / k)) * k ** (1 - s) / (s - 1)   # int_{k-1}^k x^-s dx > 0
    return k, rng.random(k.size) * cell <= k ** -s


def _zipf_tail(s: float, K: int, m: int, rng) -> np.ndarray:
    """``m`` ranks from P(k | k > K) ~ k^-s, exactly, by rejection from ``tail_proposals``."""
    out = []
    while m > 0:
        k, accepted = tail_proposals(s, K, m + 16 + m // 8, rng)
        ok = k[accepted][:m]
        out.append(ok)
        m -= ok.size
    return np.concatenate(out) if out else np.zeros(0)


def zipf_counts(s: float, D: int, rng, method: str = "multinomial"):
    """(ranks, counts) of the distinct values among D i.i.d. Zipf(s) ranks.

    ``multinomial``: the counts of ranks 1..K (K = min(D, 2^20), at least 1024) in one multinomial
    draw, the number beyond K among them, and those ranks by ``_zipf_tail``: the same law as D
    calls of the sampler, at O(K) cost instead of O(D). ``zipf``: numpy's sampler, D draws."""
    if method == "zipf":
        return _counts(rng.zipf(s, size=int(D)))
    K = int(min(HEAD_CAP, max(1024, D)))
    p, tail = _zipf_head(float(s), K)
    c = rng.multinomial(int(D), np.append(p, tail))
    head = np.nonzero(c[:K])[0]
    big, c_big = np.unique(_zipf_tail(s, K, int(c[K]), rng), return_counts=True)
    return np.concatenate([head + 1.0, big]), np.concatenate([c[head], c_big])


def simulate_learned_quanta(gamma, D, taus, reps, seed, method: str = "multinomial") -> dict:
    """Monte Carlo of the multinomial data model: D i.i.d. Zipf ranks (numpy's P(k) = k^-s/zeta(s)),
    counted (``zipf_counts``); quantum k learned iff its count >= tau; L = 1 - sum_{learned} p_k.
    Mean over ``reps`` for each threshold in ``taus`` (the same samples serve every threshold):
    {tau: Estimate}."""
    s = gamma + 1
    if s <= 1:
        raise ValueError(f"the Zipf law needs s = gamma + 1 > 1, got gamma={gamma}")
    taus = tuple(taus) if isinstance(taus, (tuple, list)) else (taus,)
    Z = float(mp.zeta(s))
    rng = np.random.default_rng(seed)
    losses = {t: [] for t in taus}
    for _ in range(reps):
        ranks, counts = zipf_counts(s, D, rng, method)
        for t in taus:
            losses[t].append(1.0 - float(np.sum(ranks[counts >= t].astype(float) ** -s)) / Z)
    out = {}
    for t, v in losses.items():
        x = np.array(v)
        err = float(x.std(ddof=1) / math.sqrt(reps)) if reps > 1 else 0.0
        out[t] = Estimate(float(x.mean()), err, f"{method} Monte Carlo, D={int(D)}, tau={t}", None, reps, seed)
    return out


def finite_tail(gamma, n, K, dps=30):
    """T_K(n) = 1 - H_{n,s}/H_{K,s} for K quanta, as (H_{K,s} - H_{n,s})/H_{K,s} by Hurwitz zetas."""
    with mp.workdps(dps + GUARD):
        s = num(gamma) + 1
        if n >= K:
            return mp.mpf(0)
        v = (mp.zeta(s, n + 1) - mp.zeta(s, K + 1)) / (mp.zeta(s) - mp.zeta(s, K + 1))
    with mp.workdps(dps):
        return +v
