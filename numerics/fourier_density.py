"""Fourier-series densities on [-1, 1]: f = sum_{|n|<=N} c_n exp(i pi n x) with c_n the
autocorrelation of free complex a_0..a_N, so that f = |A|^2, A(x) = sum_k a_k exp(-i pi k x).

Conventions: c_n = sum_k a_k conj(a_{k+n}) for n >= 0, c_{-n} = conj(c_n); p = f / (2 c_0).
High-precision routes (mpmath, ``dps`` digits) and a float64 route for sampling (numpy).
"""
from __future__ import annotations

import numbers

import mpmath as mp
import numpy as np

GUARD = 10                     # extra digits carried inside the engines


def _check_dps(dps):
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ValueError(f"dps={dps!r}: give an int >= 15 (digits of working precision)")


def _entry(v, k):
    if isinstance(v, (mp.mpc, mp.mpf)):
        z = mp.mpc(v)
    elif isinstance(v, complex):
        z = mp.mpc(str(v.real), str(v.imag))
    elif isinstance(v, numbers.Real) and not isinstance(v, bool):
        z = mp.mpc(str(v))
    elif isinstance(v, str):
        try:
            z = mp.mpc(mp.mpmathify(v.replace(" ", "")))
        except (ValueError, TypeError):
            raise ValueError(f"a[{k}]={v!r}: not a number mpmath.mpc accepts") from None
    else:
        raise ValueError(f"a[{k}]={v!r}: give a real or complex number (or its string)")
    if not (mp.isfinite(z.real) and mp.isfinite(z.imag)):
        raise ValueError(f"a[{k}]={v!r}: entries must be finite")
    return z


def coefficients(a, dps: int = 30):
    """The parameters as ``mpc`` at ``dps`` (+ guard) digits, checked.

    >>> coefficients([1, "0.5-0.25j"], dps=15)
    [mpc(real='1.0', imag='0.0'), mpc(real='0.5', imag='-0.25')]
    """
    _check_dps(dps)
    if isinstance(a, (str, bytes)) or not hasattr(a, "__len__") or len(a) == 0:
        raise ValueError(f"a={a!r}: give a non-empty sequence a_0..a_N of numbers")
    with mp.workdps(dps + GUARD):
        out = [_entry(v, k) for k, v in enumerate(a)]
        if all(z == 0 for z in out):
            raise ValueError(f"a={list(a)!r}: all entries are zero, so f = 0 cannot be normalised")
    return out


def autocorrelation(a, dps: int = 30):
    """c_0..c_N with c_n = sum_{k=0}^{N-n} a_k conj(a_{k+n}) (c_0 real and positive).

    >>> [mp.nstr(c, 6) for c in autocorrelation([1, 1j], dps=15)]
    ['2.0', '(0.0 - 1.0j)']
    """
    a = coefficients(a, dps)
    N = len(a) - 1
    with mp.workdps(dps + GUARD):
        c = [mp.fsum(a[k] * mp.conj(a[k + n]) for k in range(N - n + 1)) for n in range(N + 1)]
        c[0] = +c[0].real
        return c


def _real_x(x, name="x"):
    if isinstance(x, bool) or isinstance(x, complex) or isinstance(x, mp.mpc):
        raise ValueError(f"{name}={x!r}: give a real number with -1 <= {name} <= 1")
    try:
        if isinstance(x, float):
            xv = mp.mpf(str(x))                          # floats through str, as the parameters
        elif isinstance(x, numbers.Rational) and not isinstance(x, numbers.Integral):
            xv = mp.mpf(x.numerator) / x.denominator     # Fraction: exact ratio at working precision
        else:
            xv = mp.mpf(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={x!r}: give a real number with -1 <= {name} <= 1") from None
    if not (mp.isfinite(xv) and -1 <= xv <= 1):
        raise ValueError(f"{name}={x!r} is outside [-1, 1]: map the data to [-1, 1] first (e.g. by tanh)")
    return xv


def density(a, x, dps: int = 30):
    """p(x) = Re[1/2 + sum_{n>=1} (c_n/c_0) exp(i pi n x)] (the coefficient route).

    >>> mp.nstr(density([1, 1], 0, dps=15), 10)          # f = 2 + 2 cos(pi x), c_0 = 2
    '1.0'
    """
    c = autocorrelation(a, dps)
    with mp.workdps(dps + GUARD):
        xv = _real_x(x)
        s = mp.fsum(c[n] / c[0] * mp.expjpi(n * xv) for n in range(1, len(c)))
        val = mp.mpf(1) / 2 + s.real
    with mp.workdps(dps):
        return +val


def amplitude(a, x, dps: int = 30):
    """A(x) = sum_k a_k exp(-i pi k x); |A|^2 = f (the direct route, without c_n)."""
    a = coefficients(a, dps)
    with mp.workdps(dps + GUARD):
        xv = _real_x(x)
        return mp.fsum(ak * mp.expjpi(-k * xv) for k, ak in enumerate(a))


def fourier_density_cdf(a, x, dps: int = 30):
    """Phi(x) = integral of p from -1 to x, by termwise integration:
    Phi(x) = (x+1)/2 + Re sum_{n=1}^N (c_n/c_0) (exp(i pi n x) - (-1)^n) / (i pi n).

    Returns an ``mpf`` with absolute error below 10**-(dps-5) (guard digits inside).

    >>> mp.nstr(fourier_density_cdf([1, 1], 0, dps=15), 10)
    '0.5'
    >>> fourier_density_cdf([1, 1], 1.5)
    Traceback (most recent call last):
    ...
    ValueError: x=1.5 is outside [-1, 1]: map the data to [-1, 1] first (e.g. by tanh)
    """
    c = autocorrelation(a, dps)
    with mp.workdps(dps + GUARD):
        xv = _real_x(x)
        s = mp.fsum(c[n] / c[0] * (mp.expjpi(n * xv) - (-1) ** n) / (mp.j * mp.pi * n)
                    for n in range(1, len(c)))
        val = (xv + 1) / 2 + s.real
    with mp.workdps(dps):
        return +val


def fourier_density_derivative_energy(a, dps: int = 30):
    """The regulariser: integral over [-1, 1] of |f'(x)|^2 for the UNnormalised f,
    = 2 pi^2 sum_{n=-N}^{N} n^2 |c_n|^2 (orthogonality of exp(i pi n x) on [-1, 1]).

    >>> mp.nstr(fourier_density_derivative_energy([1, 1], dps=15), 12)   # f' = -2 pi sin(pi x)
    '39.4784176044'
    """
    c = autocorrelation(a, dps)
    with mp.workdps(dps + GUARD):
        val = 4 * mp.pi**2 * mp.fsum(n**2 * abs(c[n]) ** 2 for n in range(1, len(c)))
    with mp.workdps(dps):
        return +val


def cdf_printed(c, x):
    """The CDF formula as the article prints it (complex in general), from c_0..c_N:
    (x^2-1)/2 + 1/2 sum_{n=1}^N (c_n/c_0) (exp(i pi n x) - (-1)^n) / (i pi n)."""
    x = mp.mpf(x)
    s = mp.fsum(c[n] / c[0] * (mp.expjpi(n * x) - (-1) ** n) / (mp.j * mp.pi * n) for n in range(1, len(c)))
    return (x * x - 1) / 2 + s / 2


def critical_min(a, dps: int = 30):
    """(min f, argmin) on [-1, 1] from the critical points: f'(x) = 0 is a polynomial equation of
    degree 2N in z = exp(i pi x); its roots on the unit circle, plus x = 1, are the candidates."""
    c = autocorrelation(a, dps)
    N = len(c) - 1
    with mp.workdps(dps + GUARD):
        full = {n: c[n] for n in range(N + 1)} | {-n: mp.conj(c[n]) for n in range(1, N + 1)}
        f = lambda t: c[0] + 2 * mp.fsum((c[n] * mp.expjpi(n * t)).real for n in range(1, N + 1))  # real form
        cand = [mp.mpf(1)]
        if N >= 1:
            poly = [full[n] * n for n in range(N, -N - 1, -1)]     # z^N f'(x)/(i pi), highest first
            while poly and poly[0] == 0:
                poly.pop(0)
            roots = _roots(poly, dps) if len(poly) > 1 else []
            for z in roots:
                if abs(abs(z) - 1) < mp.mpf(10) ** (-dps // 2):
                    cand.append(mp.arg(z) / mp.pi)
        best = min(cand, key=f)
        return +f(best), +best


def _roots(poly, dps):
    """mpmath.polyroots; multiple roots (f with a zero of high order) need more steps and digits."""
    try:
        return mp.polyroots(poly, maxsteps=200, extraprec=4 * dps)
    except mp.libmp.NoConvergence:
        return mp.polyroots(poly, maxsteps=4000, extraprec=40 * dps)


def toeplitz(c, M: int, dps: int = 30):
    """The M x M Toeplitz section [c_{n-m}] (c_{-n} = conj(c_n), c_n = 0 for |n| > N), as an
    mpmath matrix whose entries keep ``dps`` + guard digits; ``c`` may be any list c_0, c_1, ...

    >>> T = toeplitz([2, 1j], 2, dps=15)
    >>> T[0, 0], T[1, 0], T[0, 1]                      # T[n, m] = c_{n-m}
    (mpf('2.0'), mpc(real='0.0', imag='1.0'), mpc(real='0.0', imag='-1.0'))
    """
    N = len(c) - 1
    get = lambda n: (c[n] if n <= N else 0) if n >= 0 else (mp.conj(c[-n]) if -n <= N else 0)
    with mp.workdps(dps + GUARD):
        return mp.matrix([[get(n - m) for m in range(M)] for n in range(M)])


def toeplitz_f64(c, M: int):
    """The same section in float64 (numpy), for large M."""
    c = np.array([complex(v) for v in c] + [0j] * max(0, M - len(c)))[:M]
    idx = np.arange(M)[:, None] - np.arange(M)[None, :]
    return np.where(idx >= 0, c[np.abs(idx)], np.conj(c[np.abs(idx)]))


def min_eigenvalue(T, dps: int = 30):
    """Smallest eigenvalue of a Hermitian mpmath matrix at ``dps`` digits."""
    with mp.workdps(dps + GUARD):
        ev = mp.eighe(T, eigvals_only=True)
        return +min(ev[i].real for i in range(len(ev)))


def is_positive_definite(T, shift=0, dps: int = 30) -> bool:
    """Whether ``T + shift I`` (Hermitian, mpmath) has a Cholesky factor at ``dps`` + guard digits,
    which certifies lambda_min(T) > -shift up to rounding at that precision."""
    with mp.workdps(dps + GUARD):
        try:
            mp.cholesky(T + mp.eye(T.rows) * mp.mpf(shift))
        except ValueError:
            return False
        return True


def periodic_trapezoid(fn, M: int, dps: int = 30):
    """(2/M) sum_{j<M} fn(-1 + 2j/M): exact for exp(i pi n x) with 0 < |n| < M (and n = 0)."""
    with mp.workdps(dps + GUARD):
        return mp.fsum(fn(-1 + mp.mpf(2 * j) / M) for j in range(M)) * 2 / M


# --- float64: vectorised CDF and inverse-CDF sampling -------------------------------------------

def _c_f64(a):
    a = np.asarray([complex(v) for v in a])
    N = len(a) - 1
    return np.array([np.sum(a[: N - n + 1] * np.conj(a[n:])) for n in range(N + 1)])


def _powers(x, N):
    """exp(i pi n x) for n = 1..N, by powers of exp(i pi x): shape x.shape + (N,)."""
    z = np.exp(1j * np.pi * np.asarray(x, dtype=float))
    out = np.empty(z.shape + (N,), dtype=complex)
    if N:
        out[..., 0] = z
    for n in range(1, N):
        out[..., n] = out[..., n - 1] * z
    return out


def density_f64(a, x):
    """p(x) in float64, vectorised over x."""
    c = _c_f64(a)
    return 0.5 + np.real(_powers(x, len(c) - 1) @ (c[1:] / c[0].real))


def cdf_f64(a, x):
    """Phi(x) in float64, vectorised over x (the same closed form as ``fourier_density_cdf``).

    >>> float(cdf_f64([1, 1], 0.0)), float(cdf_f64([1, 1], 1.0))
    (0.5, 1.0)
    """
    c = _c_f64(a)
    n = np.arange(1, len(c))
    w = c[1:] / c[0].real / (1j * np.pi * n)
    x = np.asarray(x, dtype=float)
    return (x + 1) / 2 + np.real(_powers(x, len(c) - 1) @ w - np.sum(w * (-1.0) ** n))


def inverse_cdf_f64(a, u, bisections: int = 20, newton: int = 4):
    """Phi^{-1}(u) by bisection on [-1, 1] (Phi is non-decreasing), then Newton steps
    x <- x - (Phi(x) - u)/p(x) kept inside the bracket."""
    u = np.asarray(u, dtype=float)
    lo, hi = -np.ones_like(u), np.ones_like(u)
    for _ in range(bisections):
        mid = (lo + hi) / 2
        below = cdf_f64(a, mid) < u
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    x = (lo + hi) / 2
    for _ in range(newton):
        p = density_f64(a, x)
        step = np.where(p > 1e-12, (cdf_f64(a, x) - u) / np.maximum(p, 1e-12), 0.0)
        x = np.clip(x - step, lo, hi)
    return x


def sample(a, n: int, seed: int):
    """n draws from p by inverse-CDF sampling of seeded uniforms (numpy default_rng(seed)).

    >>> xs = sample([1, 0.5], 1000, seed=1)
    >>> bool(xs.min() >= -1 and xs.max() <= 1)
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r}: give a positive int (number of samples)")
    return inverse_cdf_f64(a, np.random.default_rng(seed).uniform(size=n))
