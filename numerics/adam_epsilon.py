"""Gaussian moments of the clipped and the soft sign, the engines behind Adam's epsilon.

With $z\\sim\\mathcal N(0,1)$, $a=g\\sqrt B/\\sigma$ and $b=\\epsilon\\sqrt B/\\sigma$:

- ``adam_eps_clip_mean(a, b)`` is $m_1=\\mathbb E[\\mathrm{clip}((a+z)/b,-1,1)]$ (erf closed form);
- ``adam_eps_clip_slope(b)`` is $\\partial m_1/\\partial a$ at $a=0$, $\\mathrm{erf}(b/\\sqrt2)/b$;
- ``clip_moment2(a, b)`` is $m_2=\\mathbb E[\\mathrm{clip}^2]$ (closed form);
- ``clip_moment_quad`` and ``softsign_moments_quad`` are quadratures split at every kink and at
  $z=0$ (the bulk of the density), the second route;
- ``softsign_mean_grid`` is a float64 composite Gauss-Legendre rule for whole grids in $a$;
- ``clip_mean_mc`` and ``softsign_eta_mc`` are seeded simulations returning an ``Estimate``.
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
import numpy as np

from .estimate import Estimate

GUARD = 12                     # guard digits carried on top of the cancellation estimate


def _num(x, name: str):
    """int, float (through str), str, Fraction or mpf -> mpf at the current precision."""
    if isinstance(x, bool) or not isinstance(x, (int, float, str, Fraction, mp.mpf)):
        raise ValueError(f"{name}={x!r}: give an int, float, str, Fraction or mpf")
    if isinstance(x, Fraction):
        v = mp.mpf(x.numerator) / x.denominator
    else:
        try:
            v = mp.mpf(str(x) if isinstance(x, float) else x)
        except (ValueError, TypeError):
            raise ValueError(f"{name}={x!r} is not a number; give e.g. {name}=0.5") from None
    if not mp.isfinite(v):
        raise ValueError(f"{name}={x!r} is not finite; give a finite real number")
    return v


def _dps(dps) -> int:
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ValueError(f"dps={dps!r}: give an int >= 15 (digits of the working precision)")
    return dps


def _positive_b(b, name="b"):
    if b <= 0:
        raise ValueError(f"{name}={mp.nstr(b, 8)} must be > 0 (b = eps sqrt(B)/sigma); "
                         "b -> 0 is sign-SGD, whose mean is erf(a/sqrt 2)")
    return b


def _guard(a, b, power=1) -> int:
    """Digits lost to cancellation: |log10 b| (power 1) or 2|log10 b| (power 2), |log10 |a||."""
    la = abs(math.log10(abs(float(a)))) if a else 0.0
    return GUARD + math.ceil(power * abs(math.log10(float(b))) + la)


def _m1(a, b):
    """The closed form at the current precision (a > 0)."""
    s2 = mp.sqrt(2)
    ep, em = mp.erf((a + b) / s2), mp.erf((a - b) / s2)
    ex = (mp.exp(-(a + b) ** 2 / 2) - mp.exp(-(a - b) ** 2 / 2)) / (b * mp.sqrt(2 * mp.pi))
    return (ep + em) / 2 + a / (2 * b) * (ep - em) + ex


def adam_eps_clip_mean(a, b, dps: int = 30):
    """$m_1(a,b)=\\mathbb E[\\mathrm{clip}((a+z)/b,-1,1)]$, correct to ``dps - 5`` digits.

    Exactly 0 at a = 0 (m1 is odd); guard digits grow with |log10 b| and |log10 |a|| (the terms
    are O(1) while m1 = O(a min(1, 1/b))).

    >>> mp.nstr(adam_eps_clip_mean(0.7, 1.3), 15)
    '0.415244592596211'
    >>> adam_eps_clip_mean(0, 2), mp.nstr(adam_eps_clip_mean("1e-20", 1, dps=40), 12)
    (mpf('0.0'), '6.82689492137e-21')
    >>> adam_eps_clip_mean(1, 0)
    Traceback (most recent call last):
    ...
    ValueError: b=0.0 must be > 0 (b = eps sqrt(B)/sigma); b -> 0 is sign-SGD, whose mean is erf(a/sqrt 2)
    """
    dps = _dps(dps)
    with mp.workdps(dps + 10):
        a_, b_ = _num(a, "a"), _positive_b(_num(b, "b"))
    if a_ == 0:
        return mp.mpf(0)
    with mp.workdps(dps + _guard(a_, b_)):
        a, b = _num(a, "a"), _num(b, "b")
        v = _m1(abs(a), b)
        v = v if a > 0 else -v
    with mp.workdps(dps):
        return +v


def adam_eps_clip_slope(b, dps: int = 30):
    """$\\partial m_1/\\partial a$ at $a=0$: $\\mathrm{erf}(b/\\sqrt2)/b$ (tends to $\\sqrt{2/\\pi}$ as b -> 0).

    >>> mp.nstr(adam_eps_clip_slope(1), 15), mp.nstr(adam_eps_clip_slope("1e-6"), 12)
    ('0.682689492137086', '0.797884560803')
    """
    dps = _dps(dps)
    with mp.workdps(dps + GUARD):
        b = _positive_b(_num(b, "b"))
        v = mp.erf(b / mp.sqrt(2)) / b
    with mp.workdps(dps):
        return +v


def clip_moment2(a, b, dps: int = 30):
    """$m_2(a,b)=\\mathbb E[\\mathrm{clip}((a+z)/b,-1,1)^2]$, closed form (even in a):

    $m_2=\\tfrac12[\\mathrm{erfc}\\tfrac{a+b}{\\sqrt2}+\\mathrm{erfc}\\tfrac{b-a}{\\sqrt2}]
    +[(a^2+1)\\Delta\\Phi+(a-b)\\varphi(a+b)-(a+b)\\varphi(a-b)]/b^2$,
    $\\Delta\\Phi=\\Phi(b-a)-\\Phi(-b-a)$.

    >>> mp.nstr(clip_moment2(0, 1), 15)
    '0.516058550961713'
    """
    dps = _dps(dps)
    with mp.workdps(dps + 10):
        a_, b_ = abs(_num(a, "a")), _positive_b(_num(b, "b"))
    with mp.workdps(dps + _guard(max(a_, 1), b_, power=2) + math.ceil(math.log10(1 + float(a_) ** 2))):
        a, b = abs(_num(a, "a")), _num(b, "b")
        s2 = mp.sqrt(2)
        tail = (mp.erfc((a + b) / s2) + mp.erfc((b - a) / s2)) / 2     # 1 - Delta Phi
        dphi = 1 - tail if b < 1 else (mp.erf((b - a) / s2) + mp.erf((b + a) / s2)) / 2
        v = tail + ((a * a + 1) * dphi + (a - b) * mp.npdf(a + b) - (a + b) * mp.npdf(a - b)) / b**2
    with mp.workdps(dps):
        return +v


def _pdf():
    """The standard normal density at the working precision (mp.npdf without its argument checks)."""
    c = 1 / mp.sqrt(2 * mp.pi)
    return lambda z: mp.exp(-z * z / 2) * c


def _breaks(a, b, kinks):
    pts = {-mp.inf, mp.inf, mp.mpf(0)} | {-a + k * b for k in kinks}
    return sorted(pts)


def clip_moment_quad(a, b, power: int = 1, dps: int = 30):
    """$\\mathbb E[\\mathrm{clip}((a+z)/b)^p]$ by tanh-sinh split at $-a\\pm b$ and at 0 -> (value, error).

    >>> v, e = clip_moment_quad(0.7, 1.3)
    >>> mp.nstr(v, 15), e < 1e-25
    ('0.415244592596211', True)
    """
    dps = _dps(dps)
    if power not in (1, 2):
        raise ValueError(f"power={power!r}: give 1 (the mean) or 2 (the second moment)")
    with mp.workdps(dps + 10):
        a, b = _num(a, "a"), _positive_b(_num(b, "b"))
        pdf = _pdf()
        f = lambda z: max(-1, min(1, (a + z) / b)) ** power * pdf(z)
        v, e = mp.quad(f, _breaks(a, b, (-1, 1)), error=True)
    with mp.workdps(dps):
        return +v, +e


def softsign_moments_quad(a, b, dps: int = 30, second: bool = True):
    """$(\\mathbb E[s],\\mathbb E[s^2])$ for $s=(a+z)/\\sqrt{(a+z)^2+b^2}$, the exact SoftSign moments,
    by tanh-sinh split at $-a$, $-a\\pm b$ and 0. Without the break at 0 a far-away kink makes
    the rule miss the bulk of the density (pitfall). ``second=False`` skips $\\mathbb E[s^2]$ (returned as None).

    >>> m, s = softsign_moments_quad(0, 1)
    >>> m, mp.nstr(s, 12)
    (mpf('0.0'), '0.344320457581')
    """
    dps = _dps(dps)
    with mp.workdps(dps + 10):
        a, b = _num(a, "a"), _positive_b(_num(b, "b"))
        pts, pdf = _breaks(a, b, (-1, 0, 1)), _pdf()
        m1 = mp.quad(lambda z: (a + z) / mp.sqrt((a + z) ** 2 + b * b) * pdf(z), pts)
        m2 = mp.quad(lambda z: (a + z) ** 2 / ((a + z) ** 2 + b * b) * pdf(z), pts) if second else None
    with mp.workdps(dps):
        return (+m1 if a != 0 else mp.mpf(0)), (+m2 if second else None)


def _panels(b, reach):
    """Panel edges in x = a + z: geometric near the pole pair x = +-ib, then width 0.25."""
    inner = [b / 4 * 1.5**k for k in range(200) if b / 4 * 1.5**k < min(1.0, reach)]
    outer = list(np.arange(max(inner[-1] if inner else 0, 0) + 0.25, reach + 0.25, 0.25))
    half = np.array([0.0] + inner + outer)
    return np.concatenate([-half[:0:-1], half])


def softsign_mean_grid(a_vals, b: float, nodes: int = 16, power: int = 1):
    """float64 $\\mathbb E[s^p]$ of the SoftSign for every a in ``a_vals`` at one b, by composite
    Gauss-Legendre in $x=a+z$ (panels graded towards the poles $\\pm ib$), one matrix product.

    >>> float(softsign_mean_grid([0.7], 1.3)[0]) - float(softsign_moments_quad(0.7, 1.3)[0]) < 1e-13
    True
    """
    a = np.asarray(a_vals, dtype=float)
    if not (b > 0 and math.isfinite(b)):
        raise ValueError(f"b={b!r} must be a finite number > 0")
    edges = _panels(b, float(np.max(np.abs(a), initial=0)) + 12.0)
    t, w = np.polynomial.legendre.leggauss(nodes)
    lo, hi = edges[:-1, None], edges[1:, None]
    x = ((hi - lo) / 2 * t + (hi + lo) / 2).ravel()
    wx = ((hi - lo) / 2 * w).ravel()
    f = (x / np.sqrt(x * x + b * b)) ** power
    dens = np.exp(-(x[None, :] - a[:, None]) ** 2 / 2) / math.sqrt(2 * math.pi)
    return dens @ (wx * f)


def clip_mean_mc(a: float, b: float, n: int, seed: int) -> Estimate:
    """Monte Carlo of $m_1$: mean of clip((a+z)/b) over n seeded standard normal draws.

    >>> e = clip_mean_mc(0.7, 1.3, 10_000, 1)
    >>> abs(e.value - 0.4152446) < 4 * e.error
    True
    """
    if n < 2:
        raise ValueError(f"n={n!r}: give at least 2 draws")
    z = np.random.default_rng(seed).standard_normal(n)
    return Estimate.from_samples(np.clip((a + z) / b, -1, 1), f"Monte Carlo of m1({a}, {b})", seed)


def softsign_eta_mc(g, H, sigma2, B, eps, n: int, seed: int, chunk: int = 250_000) -> Estimate:
    """$\\eta^*=\\mathbb E[u]\\cdot g/\\mathbb E[u^\\top Hu]$ for SoftSign-SGD on a quadratic, from n explicit
    minibatch means $\\tilde g_B\\sim\\mathcal N(g,\\mathrm{diag}(\\sigma^2)/B)$: a ratio estimator whose
    standard error is the delta-method one, computed from the samples' influence values."""
    g, H, s = np.asarray(g, float), np.asarray(H, float), np.sqrt(np.asarray(sigma2, float) / B)
    rng = np.random.default_rng(seed)
    num, den = [], []
    for start in range(0, n, chunk):
        gb = g + s * rng.standard_normal((min(chunk, n - start), g.size))
        u = gb / np.sqrt(gb * gb + eps * eps)
        num.append(u @ g)
        den.append(np.einsum("ki,ij,kj->k", u, H, u))
    num, den = np.concatenate(num), np.concatenate(den)
    eta = num.mean() / den.mean()
    infl = Estimate.from_samples((num - eta * den) / den.mean(), "influence values", seed)
    return Estimate(float(eta), infl.error, f"ratio estimator over {n} minibatches (eps={eps}, B={B})",
                    None, n, seed, f"delta method: {infl.error_source} (influence values)")


def eta_meanfield(g, H, sigma2, B, eps):
    """The article's optimum (K10): $\\eta^*=\\beta\\,u\\cdot g/(\\beta^2u^\\top Hu+(1-\\beta^2)\\mathrm{tr}H)$ with
    $u_i=g_i/\\sqrt{g_i^2+\\epsilon^2}$ (sign at eps = 0), $\\beta=(1+\\pi\\kappa^2/2B)^{-1/2}$ and
    $\\kappa^2$ the arithmetic mean of $\\sigma_i^2/(g_i^2+\\epsilon^2)$. Works on floats or mpf."""
    n = len(g)
    u = [gi / mp.sqrt(gi * gi + eps * eps) if eps else mp.sign(gi) for gi in g]
    kappa2 = sum(s / (gi * gi + eps * eps) for s, gi in zip(sigma2, g)) / n
    r = mp.pi * kappa2 / (2 * B)
    beta2, one_minus = 1 / (1 + r), r / (1 + r)          # 1 - beta^2 without cancellation
    C = sum(u[i] * u[j] * H[i][j] for i in range(n) for j in range(n))
    D = sum(H[i][i] for i in range(n))
    return mp.sqrt(beta2) * sum(ui * gi for ui, gi in zip(u, g)) / (beta2 * C + one_minus * D)


def eta_exact(moments, g, H):
    """K16: $\\eta^*=\\sum_i\\mathbb E[u_i]g_i/(\\sum_i\\mathbb E[u_i^2]H_{ii}+\\sum_{i\\ne j}\\mathbb E[u_i]\\mathbb E[u_j]H_{ij})$
    from per-coordinate moments [(E u_i, E u_i^2), ...] (independent coordinates)."""
    n = len(g)
    m = [mi for mi, _ in moments]
    den = sum(moments[i][1] * H[i][i] for i in range(n)) + sum(
        m[i] * m[j] * H[i][j] for i in range(n) for j in range(n) if i != j)
    return sum(mi * gi for mi, gi in zip(m, g)) / den


def softsign_moments_f64(g, sigma2, B, eps):
    """Per-coordinate (E u_i, E u_i^2) of SoftSign-SGD in float64 (``softsign_mean_grid``)."""
    out = []
    for gi, s2 in zip(g, sigma2):
        a, b = gi * math.sqrt(B / s2), eps * math.sqrt(B / s2)
        out.append((float(softsign_mean_grid([a], b)[0]), float(softsign_mean_grid([a], b, power=2)[0])))
    return out
