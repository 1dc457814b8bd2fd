"""Roots by symmetric substitution: the article's quartic route and the Z3 route for the cubic.

Conventions of the article: the data are the elementary symmetric polynomials, so the quartic is
x^4 - e1 x^3 + e2 x^2 - e3 x + e4 and the cubic x^3 - e1 x^2 + e2 x - e3 (not the usual
coefficients: p = -e1, r = -e3).
"""
from __future__ import annotations

import itertools

import mpmath as mp
import numpy as np

GUARD = 10                     # extra digits carried inside the routes


def _chop(x, dps):
    """A root with an imaginary part below the working precision is returned as real."""
    x = mp.mpc(x)
    if abs(x.imag) <= mp.mpf(10) ** -(dps - 5) * max(1, abs(x)):
        return mp.mpc(x.real, 0)
    return x


def _key(x):
    return (mp.nint(x.real * 10**12), mp.nint(x.imag * 10**12))


def cubic_roots(e1, e2, e3, dps: int = 50, chop: bool = True):
    """Roots of x^3 - e1 x^2 + e2 x - e3 by x_k = y0 + w^k y1 + w^-k y2 (w = exp(2 pi i/3)).

    y1^3 is the root T of T^2 - S T + P^3 of larger modulus and y2 = P/y1 (not an independent
    cube root). Real roots come back with their imaginary part chopped.

    >>> roots = cubic_roots(6, 11, 6, dps=30)
    >>> [mp.nstr(r.real, 12) for r in roots], all(r.imag == 0 for r in roots)
    (['1.0', '2.0', '3.0'], True)
    """
    with mp.workdps(dps + GUARD):
        a, b, c = (mp.mpmathify(v) for v in (e1, e2, e3))
        y0 = a / 3
        P = (a * a - 3 * b) / 9
        S = c + 2 * a**3 / 27 - a * b / 3
        disc = mp.sqrt(S * S - 4 * P**3)
        T = max((S + disc) / 2, (S - disc) / 2, key=abs)
        y1 = mp.cbrt(T) if T != 0 else mp.mpf(0)
        y2 = P / y1 if y1 != 0 else mp.mpf(0)
        w = mp.expjpi(mp.mpf(2) / 3)
        roots = [y0 + w**k * y1 + w**(-k) * y2 for k in range(3)]
    with mp.workdps(dps):
        return sorted(((_chop(+r, dps) if chop else +r) for r in roots), key=_key)


def resolvent(e1, e2, e3, e4):
    """Coefficients (in the cubic convention E1, E2, E3) of the resolvent in t = 16u."""
    a, b, c, d = e1, e2, e3, e4
    return (3 * a**2 - 8 * b, 3 * a**4 - 16 * a**2 * b + 16 * b**2 + 16 * a * c - 64 * d,
            (a**3 - 4 * a * b + 8 * c) ** 2)


def quartic_branch(e1, e2, e3, e4, u, s2=1, sy2=1, sy4=1, dps: int = 50, w4_by_sqrt=False):
    """The four roots from resolvent root ``u`` (= w2^2) and the signs of w2, y2, y4.

    ``w4_by_sqrt=True`` takes the pitfall route w4 = +sqrt(w3^2 - d), independent of w2, to
    measure how often it fails."""
    with mp.workdps(dps + GUARD):
        a, b, c, d = (mp.mpmathify(v) for v in (e1, e2, e3, e4))
        w1 = a / 4
        scale = max(1, abs(a) ** 2, abs(b))
        if abs(u) <= mp.mpf(10) ** -(dps - GUARD) * scale:       # a 4-fold root: A = 0, w2 = 0
            w2, w3 = mp.mpf(0), b / 2 - 2 * w1**2
            w4 = s2 * mp.sqrt(w3**2 - d)
        else:
            w2 = s2 * mp.sqrt(u)
            A = a * b / 2 - c - a**3 / 8
            w3 = b / 2 - 2 * (w1**2 - w2**2)
            w4 = mp.sqrt(w3**2 - d) if w4_by_sqrt else A / (4 * w2) + 2 * w1 * w2   # S7: linear
        y1, y3, z1, z3 = w1 + w2, w1 - w2, w3 + w4, w3 - w4
        y2, y4 = sy2 * mp.sqrt(y1**2 - z1), sy4 * mp.sqrt(y3**2 - z3)
        return [y1 + y2, y1 - y2, y3 + y4, y3 - y4]


def resolvent_roots(e1, e2, e3, e4, dps: int = 50, chop: bool = True):
    """u_j = t_j / 16 for the three roots t_j of the resolvent (the squares (s_j/4)^2)."""
    with mp.workdps(dps + GUARD):
        ts = cubic_roots(*resolvent(*(mp.mpmathify(v) for v in (e1, e2, e3, e4))), dps=dps + GUARD,
                         chop=chop)
        return [t / 16 for t in ts]


def quartic_roots(e1, e2, e3, e4, dps: int = 50):
    """Roots of x^4 - e1 x^3 + e2 x^2 - e3 x + e4 by the article's route.

    Resolvent (solved by ``cubic_roots``), the root u of largest modulus (u = 0 divides by zero
    in S7), w2 = sqrt(u), w3 and w4 from S7, then y2, y4 by square roots. Real roots come back
    with their imaginary part chopped to the working precision.

    >>> roots = quartic_roots(10, 35, 50, 24, dps=30)
    >>> [mp.nstr(r.real, 12) for r in roots], all(r.imag == 0 for r in roots)
    (['1.0', '2.0', '3.0', '4.0'], True)
    """
    u = max(resolvent_roots(e1, e2, e3, e4, dps), key=abs)
    roots = quartic_branch(e1, e2, e3, e4, u, dps=dps)
    with mp.workdps(dps):
        return sorted((_chop(+r, dps) for r in roots), key=_key)


def mismatch(xs, ys):
    """Greedy nearest-pair matching of two root lists; the largest error relative to max(1,|x|)."""
    xs, ys, worst = list(xs), list(ys), mp.mpf(0)
    while xs:
        i, j = min(itertools.product(range(len(xs)), range(len(ys))),
                   key=lambda ij: abs(xs[ij[0]] - ys[ij[1]]))
        worst = max(worst, abs(xs[i] - ys[j]) / max(1, abs(ys[j])))
        xs.pop(i)
        ys.pop(j)
    return worst


def reference_roots(coeffs, dps: int = 50):
    """mpmath.polyroots at ``dps``; on NoConvergence (multiple roots), retry with more steps and
    extra precision. Returns (roots, the path taken)."""
    with mp.workdps(dps):
        try:
            return mp.polyroots(coeffs, maxsteps=200, extraprec=60), "polyroots"
        except mp.libmp.NoConvergence:
            return (mp.polyroots(coeffs, maxsteps=2000, extraprec=500),
                    "polyroots failed (NoConvergence at maxsteps=200); retried with maxsteps=2000, "
                    "extraprec=500")


def vieta_coeffs(*es):
    """[1, -e1, e2, -e3, ...] for x^n - e1 x^(n-1) + ..., negated exactly: a plain minus would
    round an mpmath number to the current working precision."""
    def neg(v):
        return mp.fneg(v, exact=True) if isinstance(v, (mp.mpf, mp.mpc)) else -v
    return [1] + [neg(e) if k % 2 == 0 else e for k, e in enumerate(es)]


def elementary(roots):
    """e1..e_n of a list of numbers."""
    return [sum(mp.fprod(c) for c in itertools.combinations(roots, k))
            for k in range(1, len(roots) + 1)]


# --- float64: the route against numpy.roots ---------------------------------------------------

def roots_batched(coeffs):
    """``numpy.roots`` of every row of an (m, n + 1) coefficient array with nonzero leading and
    trailing coefficients: the same companion matrices, in one batched ``eigvals`` call.

    >>> np.allclose(np.sort(roots_batched(np.array([[1.0, -3, 2]]))[0]), [1, 2])
    True
    """
    c = np.asarray(coeffs)
    if c.ndim != 2 or c.shape[1] < 2:
        raise ValueError(f"coefficients must be an (m, n + 1) array with n >= 1, got shape {c.shape}")
    if np.any(c[:, 0] == 0) or np.any(c[:, -1] == 0):
        raise ValueError("leading and trailing coefficients must be nonzero (numpy.roots strips zeros)")
    n = c.shape[1] - 1
    A = np.zeros((len(c), n, n), dtype=np.result_type(c.dtype, float))
    A[:, np.arange(1, n), np.arange(n - 1)] = 1
    A[:, 0, :] = -c[:, 1:] / c[:, :1]
    return np.linalg.eigvals(A)


def s7_f64(e):
    """w1, w2, w3, w4 of the route in float64 for an (m, 4) array of e1..e4: the resolvent root
    of largest modulus by numpy.roots, w2 = +sqrt(u), w3 and w4 from S7 (w4 by the square root
    only where w2 = 0, a 4-fold root). A resolvent with a zero root (two equal pair sums, e.g.
    roots 1, 2, 3, 4) is refused by ``roots_batched``; random quartics do not hit it."""
    a, b, c, d = (e[:, k].astype(complex) for k in range(4))
    E1, E2, E3 = resolvent(a, b, c, d)
    t = roots_batched(np.stack([np.ones_like(E1), -E1, E2, -E3], axis=1))
    u = t[np.arange(len(a)), np.argmax(np.abs(t), axis=1)] / 16
    w1 = a / 4
    w2 = np.sqrt(u)
    A = a * b / 2 - c - a**3 / 8
    with np.errstate(divide="ignore", invalid="ignore"):
        w4 = np.where(w2 != 0, A / (4 * w2) + 2 * w1 * w2, np.sqrt((b / 2 - 2 * w1**2) ** 2 - d))
    w3 = b / 2 - 2 * (w1**2 - w2**2)
    return w1, w2, w3, w4


def quartic_roots_f64(e, w4_by_sqrt: bool = False):
    """The route in float64 for an (m, 4) array of e1..e4; resolvent by numpy.roots.

    ``w4_by_sqrt=True`` takes the pitfall w4 = +sqrt(w3^2 - d), independent of w2.

    >>> e = np.array([[11.0, 41, 61, 30]])                     # roots 1, 2, 3, 5
    >>> np.allclose(np.sort(quartic_roots_f64(e).real), [1, 2, 3, 5])
    True
    """
    e = np.asarray(e)
    if e.ndim != 2 or e.shape[1] != 4:
        raise ValueError(f"e must be an (m, 4) array of e1..e4, got shape {e.shape}")
    w1, w2, w3, w4 = s7_f64(e)
    if w4_by_sqrt:
        w4 = np.sqrt(w3**2 - e[:, 3])
    return roots_from_w(w1, w2, w3, w4)


def roots_from_w(w1, w2, w3, w4):
    """(m, 4) roots y1 +- y2, y3 +- y4 from arrays w1..w4 (principal square roots for y2, y4)."""
    y1, y3, z1, z3 = w1 + w2, w1 - w2, w3 + w4, w3 - w4
    y2, y4 = np.sqrt(y1**2 - z1), np.sqrt(y3**2 - z3)
    return np.stack([y1 + y2, y1 - y2, y3 + y4, y3 - y4], axis=1)


def random_quartics(m: int, seed: int):
    """m/2 quartics with four real N(0,1) roots and m/2 with two complex-conjugate pairs."""
    rng = np.random.default_rng(seed)
    half = m // 2
    real = rng.standard_normal((half, 4)).astype(complex)
    z = rng.standard_normal((m - half, 2)) + 1j * rng.standard_normal((m - half, 2))
    cplx = np.concatenate([z, z.conj()], axis=1)
    return np.concatenate([real, cplx])


def elementary_f64(roots):
    r = roots
    e1 = r.sum(1)
    e2 = sum(r[:, i] * r[:, j] for i, j in itertools.combinations(range(4), 2))
    e3 = sum(r[:, i] * r[:, j] * r[:, k] for i, j, k in itertools.combinations(range(4), 3))
    e4 = r.prod(1)
    return np.stack([e1, e2, e3, e4], axis=1).real


def match_error_f64(found, true):
    """Greedy matching per row (the closest remaining pair first); the max error relative to
    max(1, |x|), vectorised over rows."""
    d = np.abs(found[:, :, None] - true[:, None, :])
    n, k = d.shape[1], d.shape[2]
    scale = np.maximum(1.0, np.abs(true))
    rows = np.arange(len(true))
    err = np.zeros(len(true))
    for _ in range(min(n, k)):
        flat = np.argmin(d.reshape(len(true), -1), axis=1)
        j, c = np.divmod(flat, k)
        err = np.maximum(err, d[rows, j, c] / scale[rows, c])
        d[rows, j, :] = np.inf
        d[rows, :, c] = np.inf
    return err


def min_separation(roots):
    d = np.abs(roots[:, :, None] - roots[:, None, :])
    d[:, np.arange(4), np.arange(4)] = np.inf
    return d.min(axis=(1, 2))
