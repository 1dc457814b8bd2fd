"""CR approximation of a matrix product: expected sampling error, optimal probabilities, selection.

X is n x l with columns x_i, Y is l x m with rows y_i^T, XY = sum_i x_i y_i^T and v_i = vec(x_i y_i^T).
The r-draw estimator is M_r = (1/r) sum_j x_{s_j} y_{s_j}^T / p_{s_j} with s_1..s_r i.i.d. ~ p, kept
WITH duplicates (a repeated index counts twice). Public API:

- ``cr_expected_error(X, Y, probs, r=1)`` = E ||M_r - XY||_F^2, from the definition: a finite sum
  over the l^r ordered draws (l^r <= 10^4), else 1/r times the single-draw sum. Exact inputs give a
  ``Fraction``; floats or irrational entries give an ``mpf`` at 30 digits.
- ``cr_optimal_probs(X, Y)`` = p_i* = |x_i||y_i| / sum_j |x_j||y_j|: Fractions when every norm
  product is rational, else ``mpf`` at 30 digits.

Also: the mean of the estimator by enumeration, a Monte Carlo of the squared error (``Estimate``
from the samples), exact 0/1 selection (enumeration, norm ranking, greedy k-tuples, through the
Gram matrix <v_i, v_j> = (x_i.x_j)(y_i.y_j)), and the optimal reweightings in float64 and mpmath.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

import mpmath as mp
import numpy as np

from .estimate import Estimate

__all__ = ["cr_expected_error", "cr_optimal_probs",                      # the public API
           "best_subset", "diag_weights", "estimator_mean", "full_weights", "gram", "greedy_tuples",
           "monte_carlo_error", "norm_ranking", "subset_error"]

MAX_DRAWS = 10**4            # enumerate the l^r ordered draws up to this many
OUT_DPS = 30                 # digits of an inexact result


class _Inexact(Exception):
    pass


def _fraction(x):
    """An exact entry as a Fraction (int, Fraction, SymPy Rational, decimal string), else _Inexact."""
    if isinstance(x, bool):
        raise ValueError(f"entry {x!r}: give a number, not a bool")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if getattr(x, "is_Rational", False) and hasattr(x, "p"):                  # SymPy Rational
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, str):
        try:
            return Fraction(x)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"entry {x!r} is not a decimal or fraction string such as '0.25'") from None
    raise _Inexact


def _mpf(x):
    """Any real entry as an mpf at the current precision (SymPy numbers through evalf)."""
    try:
        f = _fraction(x)
        return mp.mpf(f.numerator) / f.denominator
    except _Inexact:
        pass
    if hasattr(x, "evalf"):
        return mp.mpf(str(x.evalf(mp.mp.dps + 5)))
    v = mp.mpf(x)
    if not mp.isfinite(v):
        raise ValueError(f"entry {x!r} is not finite")
    return v


def _rows(A, name):
    rows = A.tolist() if hasattr(A, "tolist") else A
    rows = [list(r) for r in rows]
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise ValueError(f"{name} must be a non-empty rectangular matrix (nested lists, numpy array or "
                         f"SymPy Matrix), got row lengths {[len(r) for r in rows]}")
    return rows


def _parse(X, Y, probs=None):
    """(X, Y, probs, exact): Fractions when every entry is exact, else mpf. Checks the shapes."""
    Xr, Yr = _rows(X, "X"), _rows(Y, "Y")
    if len(Xr[0]) != len(Yr):
        raise ValueError(f"X is {len(Xr)}x{len(Xr[0])} and Y is {len(Yr)}x{len(Yr[0])}: X must have as "
                         "many columns as Y has rows (X is n x l, Y is l x m)")
    entries = [v for r in Xr + Yr for v in r] + (list(probs) if probs is not None else [])
    try:
        [_fraction(v) for v in entries]
        conv, exact = _fraction, True
    except _Inexact:
        conv, exact = _mpf, False
    Xc = [[conv(v) for v in r] for r in Xr]
    Yc = [[conv(v) for v in r] for r in Yr]
    pc = None if probs is None else [conv(v) for v in probs]
    return Xc, Yc, pc, exact


def _outer(X, Y, i):
    """vec(x_i y_i^T), row-major."""
    return [X[a][i] * Y[i][b] for a in range(len(X)) for b in range(len(Y[0]))]


def _check_probs(X, Y, p, exact, probs, allow_zero=False):
    l = len(Y)
    if len(p) != l:
        raise ValueError(f"probs has length {len(p)}, but X has l={l} columns: give one probability per column")
    if any(v < 0 for v in p):
        raise ValueError(f"probs={list(probs)!r} has a negative entry: probabilities must be >= 0")
    total = sum(p)
    if (total != 1) if exact else abs(total - 1) > mp.mpf(10) ** -12:
        raise ValueError(f"probs={list(probs)!r} sums to {total}, not 1: normalise the probabilities")
    for i in range(l):
        if p[i] == 0 and not allow_zero and any(_outer(X, Y, i)):
            raise ValueError(f"probs[{i}] = 0 while x_{i} y_{i}^T != 0: the estimator would be biased; "
                             "give every non-zero outer product a positive probability")


def _check_r(r):
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 1:
        raise ValueError(f"r={r!r}: give an int >= 1 (the number of draws)")
    return int(r)


def _draw_sums(X, Y, p, r, keep_duplicates=True):
    """Yield (probability, M_r as a row-major list) over the ordered draws with p_s > 0."""
    l = len(Y)
    T = [[t / p[i] for t in _outer(X, Y, i)] if p[i] else None for i in range(l)]
    idx = [i for i in range(l) if p[i]]
    for draw in itertools.product(idx, repeat=r):
        w = math.prod((p[s] for s in draw), start=Fraction(1) if isinstance(p[0], Fraction) else mp.mpf(1))
        acc = [0] * len(T[idx[0]])
        for s in (draw if keep_duplicates else sorted(set(draw))):
            acc = [a + t for a, t in zip(acc, T[s])]
        yield w, [a / r for a in acc]


def _expected_error(X, Y, p, r):
    S = [sum(X[a][i] * Y[i][b] for i in range(len(Y))) for a in range(len(X)) for b in range(len(Y[0]))]
    if isinstance(p[0], Fraction):
        return _expected_error_exact(X, Y, p, r, S)
    total = 0
    for w, M in _draw_sums(X, Y, p, r):
        total += w * sum((u - s) ** 2 for u, s in zip(M, S))
    return total


def _expected_error_exact(X, Y, p, r, S):
    """The same finite sum in integers: every x_i y_i^T / p_i and XY over one denominator D, every
    p_i over one denominator q; one Fraction at the end (same value, no Fraction per term)."""
    idx = [i for i in range(len(Y)) if p[i]]
    T = {i: [t / p[i] for t in _outer(X, Y, i)] for i in idx}
    D = math.lcm(*(Fraction(v).denominator for v in S + [t for i in idx for t in T[i]]))
    q = math.lcm(*(p[i].denominator for i in idx))
    Ti = {i: [int(t * D) for t in T[i]] for i in idx}
    rS = [int(v * D) * r for v in S]                                  # r D (XY), row-major
    w = {i: int(p[i] * q) for i in idx}
    total = 0
    for draw in itertools.product(idx, repeat=r):
        acc = [sum(col) for col in zip(*(Ti[s] for s in draw))]
        total += math.prod(w[s] for s in draw) * sum((a - b) ** 2 for a, b in zip(acc, rS))
    return Fraction(total, q ** r * (r * D) ** 2)


def cr_expected_error(X, Y, probs, r=1):
    """E ||(1/r) sum_j x_{s_j} y_{s_j}^T / p_{s_j} - XY||_F^2 for i.i.d. draws s_j ~ probs.

    >>> cr_expected_error([[1, 2]], [[1], [1]], [Fraction(1, 2), Fraction(1, 2)])
    Fraction(1, 1)
    >>> cr_expected_error([[1, 2]], [[1], [1]], ['0.5', '0.5'], r=4)
    Fraction(1, 4)
    """
    r = _check_r(r)
    Xc, Yc, p, exact = _parse(X, Y, probs)
    _check_probs(Xc, Yc, p, exact, probs)
    reps = r if len(p) ** r <= MAX_DRAWS else 1           # beyond 10^4 draws: E_r = E_1 / r (independence)
    if exact:
        return _expected_error(Xc, Yc, p, reps) * Fraction(reps, r)
    with mp.workdps(OUT_DPS + 10):
        Xc, Yc, p, _ = _parse(X, Y, probs)
        val = _expected_error(Xc, Yc, p, reps) * reps / r
    with mp.workdps(OUT_DPS):
        return +val


def _rational_sqrt(q: Fraction):
    a, b = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(a, b) if a * a == q.numerator and b * b == q.denominator else None


def cr_optimal_probs(X, Y):
    """p_i* = |x_i| |y_i| / sum_j |x_j| |y_j| (Fractions when every norm product is rational).

    >>> cr_optimal_probs([[3, 0, 1]], [[4], [7], [0]])
    [Fraction(1, 1), Fraction(0, 1), Fraction(0, 1)]
    """
    Xc, Yc, _, exact = _parse(X, Y)
    l = len(Yc)
    sq = [sum(Xc[a][i] ** 2 for a in range(len(Xc))) * sum(v * v for v in Yc[i]) for i in range(l)]
    if all(q == 0 for q in sq):
        raise ValueError("X, Y: every norm product |x_i||y_i| is 0 (XY = 0 term by term), so no "
                         "distribution p* exists; give at least one non-zero column-row pair")
    if exact:
        roots = [_rational_sqrt(q) for q in sq]
        if all(v is not None for v in roots):
            return [v / sum(roots) for v in roots]
    with mp.workdps(OUT_DPS + 10):
        a = [mp.sqrt(_mpf(q) if isinstance(q, Fraction) else q) for q in sq]
        z = mp.fsum(a)
        out = [v / z for v in a]
    with mp.workdps(OUT_DPS):
        return [+v for v in out]


def estimator_mean(X, Y, probs, r=1, keep_duplicates=True):
    """E[M_r] by enumerating the l^r ordered draws (exact input: Fractions), as a row-major list.
    ``keep_duplicates=False`` counts a repeated index once, and a p_i = 0 with x_i y_i^T != 0 is
    accepted: both are biased variants, computed here to show the bias.

    >>> estimator_mean([[1, 2]], [[1], [1]], ['0.5', '0.5'], r=2)
    [Fraction(3, 1)]
    >>> estimator_mean([[1, 2]], [[1], [1]], ['0.5', '0.5'], r=2, keep_duplicates=False)
    [Fraction(9, 4)]
    """
    r = _check_r(r)
    Xc, Yc, p, exact = _parse(X, Y, probs)
    if not exact:
        raise ValueError("estimator_mean needs exact X, Y, probs (ints, Fractions, decimal strings)")
    _check_probs(Xc, Yc, p, exact, probs, allow_zero=True)      # a p_i = 0 is allowed here: it shows the bias
    if len(p) ** r > MAX_DRAWS:
        raise ValueError(f"r={r}: l^r = {len(p) ** r} ordered draws exceed {MAX_DRAWS}; lower r")
    mean = None
    for w, M in _draw_sums(Xc, Yc, p, r, keep_duplicates):
        mean = [w * u for u in M] if mean is None else [a + w * u for a, u in zip(mean, M)]
    return mean


def monte_carlo_error(X, Y, probs, r=1, n=10**6, seed=0, chunk=2 * 10**5):
    """Monte Carlo of ||M_r - XY||_F^2 in float64: mean and standard error of ``n`` replications."""
    r = _check_r(r)
    Xf, Yf = np.array(_rows(X, "X"), dtype=float), np.array(_rows(Y, "Y"), dtype=float)
    p = np.array([float(v) for v in probs])
    if Xf.shape[1] != Yf.shape[0] or p.size != Yf.shape[0] or np.any(p < 0) or abs(p.sum() - 1) > 1e-12:
        raise ValueError(f"monte_carlo_error: X {Xf.shape}, Y {Yf.shape}, probs={list(probs)!r}: need "
                         "matching shapes and probs >= 0 summing to 1")
    V = np.einsum("ai,ib->iab", Xf, Yf).reshape(len(p), -1)
    if np.any((p == 0) & np.any(V != 0, axis=1)):
        raise ValueError(f"probs={list(probs)!r}: a zero probability on a non-zero x_i y_i^T biases the estimator")
    T = np.divide(V, p[:, None], out=np.zeros_like(V), where=p[:, None] > 0)     # never drawn if p_i = 0
    S = (Xf @ Yf).ravel()
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, n, chunk):
        idx = rng.choice(len(p), size=(min(chunk, n - start), r), p=p)
        acc = np.zeros((idx.shape[0], S.size))
        for j in range(r):
            acc += T[idx[:, j]]
        out.append(((acc / r - S) ** 2).sum(axis=1))
    return Estimate.from_samples(np.concatenate(out), f"Monte Carlo, {r} draw(s) with replacement", seed)


# --- 0/1 selection, exactly through the Gram matrix ------------------------------------------------

def gram(X, Y):
    """G_ij = <v_i, v_j> = (x_i . x_j)(y_i . y_j), exact for exact input."""
    Xc, Yc = _rows(X, "X"), _rows(Y, "Y")
    if not (len(Xc[0]) == len(Yc) and all(type(v) is int for r in Xc + Yc for v in r)):
        Xc, Yc, _, _ = _parse(X, Y)                              # plain ints are used as they are (fast)
    l, Xt = len(Yc), list(zip(*Xc))                              # Xt[i] = x_i
    G = [[sum(u * v for u, v in zip(Xt[i], Xt[j])) * sum(u * v for u, v in zip(Yc[i], Yc[j]))
          for j in range(l)] for i in range(l)]
    if all(isinstance(v, Fraction) and v.denominator == 1 for row in G for v in row):
        G = [[int(v) for v in row] for row in G]                 # an integer Gram matrix as ints
    return G


def subset_error(G, keep):
    """||X_[:,S] Y_[S,:] - XY||_F^2 = ||sum of the dropped v_i||^2."""
    keep = set(keep)
    drop = [i for i in range(len(G)) if i not in keep]
    return sum(G[i][j] for i in drop for j in drop)


def best_subset(G, r):
    """(error, keep) of the best r-subset by enumeration (ties: the first in lexicographic order)."""
    return min(((subset_error(G, S), S) for S in itertools.combinations(range(len(G)), r)),
               key=lambda t: t[0])


def norm_ranking(G, r):
    """(error, keep): keep the r largest |v_i| (drop the smallest first; ties drop the lower index)."""
    order = sorted(range(len(G)), key=lambda i: (G[i][i], i))
    keep = tuple(sorted(order[len(G) - r:]))
    return subset_error(G, keep), keep


def greedy_tuples(G, r, k):
    """(error, keep): (l-r)/k times remove the k remaining v_i whose sum has the smallest norm."""
    l = len(G)
    if k < 1 or (l - r) % k:
        raise ValueError(f"k={k!r}: give k >= 1 dividing l - r = {l - r}")
    left = list(range(l))
    for _ in range((l - r) // k):
        K = min(itertools.combinations(left, k), key=lambda K: sum(G[i][j] for i in K for j in K))
        left = [i for i in left if i not in K]
    return subset_error(G, left), tuple(left)


# --- optimal reweightings of a selection C = X[:, S], R = Y[S, :] ----------------------------------

def full_weights(C, R, M):
    """Lambda* minimising ||C Lambda R - M||_F, by least squares on (R^T kron C) vec(Lambda) = vec(M)
    (vec stacks columns: numpy order 'F'). float64."""
    C, R, M = (np.asarray(A, dtype=float) for A in (C, R, M))
    A = np.kron(R.T, C)
    lam = np.linalg.lstsq(A, M.ravel(order="F"), rcond=None)[0]
    return lam.reshape(C.shape[1], R.shape[0], order="F")


def diag_weights(C, R, X, Y, route="hadamard", dps=None):
    """lambda* minimising ||C diag(lambda) R - XY||_F. route "hadamard": (U^T U)^+ U^T V 1 with
    U^T V = (C^T X) o (R Y^T), U^T U = (C^T C) o (R R^T) (o = elementwise); route "explicit":
    least squares on the nm x r matrix U of columns vec(c_i r_i^T) (float64: ``lstsq``; mpmath: the
    normal equations of the explicit U). float64, or mpmath at ``dps`` (there U^T U must be
    non-singular: no repeated or zero columns c_i r_i^T)."""
    if route not in ("hadamard", "explicit"):
        raise ValueError(f"route={route!r}: give 'hadamard' or 'explicit'")
    if dps is None:
        C, R, X, Y = (np.asarray(A, dtype=float) for A in (C, R, X, Y))
        if route == "hadamard":
            return np.linalg.pinv((C.T @ C) * (R @ R.T)) @ (((C.T @ X) * (R @ Y.T)) @ np.ones(X.shape[1]))
        U = np.stack([np.outer(C[:, i], R[i]).ravel() for i in range(C.shape[1])], axis=1)
        return np.linalg.lstsq(U, (X @ Y).ravel(), rcond=None)[0]
    with mp.workdps(dps + 10):
        out = _diag_weights_mp(*(mp.matrix([[_mpf(v) for v in row] for row in _rows(A, name)])
                                 for A, name in ((C, "C"), (R, "R"), (X, "X"), (Y, "Y"))), route)
    with mp.workdps(dps):
        return [+v for v in out]


def _diag_weights_mp(C, R, X, Y, route):
    """lambda* in mpmath at the current precision (U^T U must be non-singular)."""
    k, n, m = C.cols, C.rows, R.cols
    if route == "hadamard":                       # (C^T C) o (R R^T) lambda = ((C^T X) o (R Y^T)) 1
        CC, RR, CX, RY = C.T * C, R * R.T, C.T * X, R * Y.T
        A = mp.matrix([[CC[i, j] * RR[i, j] for j in range(k)] for i in range(k)])
        b = mp.matrix([mp.fsum(CX[i, j] * RY[i, j] for j in range(X.cols)) for i in range(k)])
    else:                                         # the explicit nm x k matrix U (row-major vec), normal equations
        XY = X * Y
        U = mp.matrix([[C[a, i] * R[i, c] for i in range(k)] for a in range(n) for c in range(m)])
        A, b = U.T * U, U.T * mp.matrix([XY[a, c] for a in range(n) for c in range(m)])
    lam = mp.lu_solve(A, b)
    return [lam[i] for i in range(k)]
