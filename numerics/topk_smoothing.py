"""Smooth Top-k: GradTopK (gradient of log e_k(e^z)) and the threshold constructions f(z - lambda)
with sum f = k for f = sigma (ThreSig), min(1, e^z) (ThreExp) and the two-piece f_s (ThreSmooth).

Every function applies its construction to z = x/tau, as the article does. ``dps=None``: float64,
log-space throughout (a subtraction-free log-space dynamic programme for the elementary symmetric
polynomials; safeguarded Newton for the sigmoid threshold; log-sum-exps in the closed forms).
An integer ``dps``: mpmath at that precision, a list of mpf.
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
import numpy as np


def _mpf(v):
    if isinstance(v, Fraction):
        return mp.mpf(v.numerator) / v.denominator
    if isinstance(v, (float, np.floating)):
        return mp.mpf(str(float(v)))
    return mp.mpf(v)


def _prep(x, k, tau, dps):
    """Validated z = x/tau: a float64 array, or a list of mpf at the working precision."""
    if dps is not None and (isinstance(dps, bool) or not isinstance(dps, int) or dps < 1):
        raise ValueError(f"dps={dps!r} must be None or a positive int")
    arr = x if isinstance(x, np.ndarray) and x.dtype.kind in "fiu" else np.asarray(x, dtype=object)
    if arr.ndim != 1:
        raise ValueError(f"x must be one-dimensional, got shape {arr.shape}")
    n = arr.size
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n - 1:
        raise ValueError(f"k={k!r} must be an integer with 1 <= k <= n-1 = {n - 1} (n = {n})")
    if dps is None:
        xf = np.asarray(x, dtype=float)
        t = float(tau)
        if not np.all(np.isfinite(xf)):
            raise ValueError("x must be finite (got nan or inf)")
        if not (math.isfinite(t) and t > 0):
            raise ValueError(f"tau={tau!r} must be finite and > 0")
        with np.errstate(over="ignore"):
            z = xf / t
        if not np.all(np.isfinite(z)):
            raise ValueError(f"x/tau is not finite in float64 (tau={tau!r} too small for max|x| = {np.abs(xf).max():g})")
        return z, int(k)
    xm = [_mpf(v) for v in arr]
    t = _mpf(tau)
    if not all(mp.isfinite(v) for v in xm):
        raise ValueError("x must be finite (got nan or inf)")
    if not (mp.isfinite(t) and t > 0):
        raise ValueError(f"tau={tau!r} must be finite and > 0")
    return [v / t for v in xm], int(k)


def _lse(a, axis=None):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return np.squeeze(out, axis=axis) if axis is not None else float(out.ravel()[0])


# --- GradTopK --------------------------------------------------------------------------------------

def grad_topk(x, k, tau=1.0, dps=None):
    """p_i = Z_{k,i}/Z_k = y_i e_{k-1}(y_{-i}) / e_k(y), y = e^z, z = x/tau.

    >>> [round(float(v), 12) for v in grad_topk([0.0, 0.0, 0.0, 0.0], 2)]
    [0.5, 0.5, 0.5, 0.5]
    """
    if dps is not None:
        with mp.workdps(dps + 10):
            z, k = _prep(x, k, tau, dps)
            out = _grad_mp(z, k)
        with mp.workdps(dps):
            return [+v for v in out]
    z, k = _prep(x, k, tau, None)
    n = z.size
    # prefix P[i, j] = log e_j(y_1..y_i) by log-space cumulative sums: only logaddexp, no subtraction
    P = np.full((n + 1, k), -np.inf)
    P[:, 0] = 0.0
    for j in range(1, k):
        P[1:, j] = np.logaddexp.accumulate(z + P[:-1, j - 1])
    logek = _lse(z + P[:-1, k - 1])                          # log e_k(y)
    # log e_{k-1}(y_{-i}) = LSE_j (P[i-1, j] + S[i+1, k-1-j]), S built column by column from the end
    acc = P[:-1, k - 1].copy()                               # j = k-1 with S[., 0] = 0
    S = np.zeros(n + 1)                                      # R[l, 0] = 0: log e_0 of the last l entries
    rz = z[::-1]
    for jj in range(1, k):
        S_new = np.full(n + 1, -np.inf)
        S_new[1:] = np.logaddexp.accumulate(rz + S[:-1])    # S over reversed suffixes, column jj
        S = S_new
        suffix = S[::-1][1:]                                 # log e_jj(y_{i+1..n}) for i = 1..n
        acc = np.logaddexp(acc, P[:-1, k - 1 - jj] + suffix)
    p = np.exp(z + acc - logek)
    return np.minimum(p * (k / p.sum()), 1.0)        # the common rounding error of log e_k cancels


def _grad_mp(z, k):
    y = [mp.exp(v) for v in z]
    n = len(y)
    P = [[mp.mpf(1)] + [mp.mpf(0)] * k]
    for i in range(n):
        row = P[-1]
        P.append([row[0]] + [row[j] + y[i] * row[j - 1] for j in range(1, k + 1)])
    S = [[mp.mpf(1)] + [mp.mpf(0)] * k]
    for i in reversed(range(n)):
        row = S[0]
        S.insert(0, [row[0]] + [row[j] + y[i] * row[j - 1] for j in range(1, k + 1)])
    ek = P[n][k]
    return [y[i] * mp.fsum(P[i][j] * S[i + 1][k - 1 - j] for j in range(k)) / ek for i in range(n)]


def log_ek(x, k, tau=1.0, dps=30):
    """log e_k(e^{x/tau}) in mpmath (the smoothed top-k sum is tau times this)."""
    with mp.workdps(dps + 10):
        z = [_mpf(v) / _mpf(tau) for v in x]
        e = [mp.mpf(1)] + [mp.mpf(0)] * k
        for v in z:
            y = mp.exp(v)
            e = [e[0]] + [e[j] + y * e[j - 1] for j in range(1, k + 1)]
        r = mp.log(e[k])
    with mp.workdps(dps):
        return +r


# --- ThreSig: sigmoid threshold --------------------------------------------------------------------

def _sigmoid64(u, shift: float = 0.0):
    """sigma(u - shift) = 1/(1 + e^(shift - u)) in float64, in one buffer (e^.. may overflow to
    inf, giving 0)."""
    out = np.subtract(shift, u)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
        out += 1.0
        np.reciprocal(out, out=out)
    return out


class _SigmoidSums:
    """sum sigma(z - lam) and sum sigma'(z - lam) with sigma' = t sigma^2, t = e^(lam - z) (no
    cancellation in 1 - sigma), in three preallocated buffers: new arrays of 1e6 floats cost more
    in page faults than the arithmetic."""

    def __init__(self, z):
        self.z, self.t, self.s = z, np.empty_like(z), np.empty_like(z)

    def __call__(self, lam: float) -> tuple[float, float]:
        t, s = self.t, self.s
        np.subtract(lam, self.z, out=t)
        with np.errstate(over="ignore", invalid="ignore"):
            np.exp(t, out=t)
            np.add(t, 1.0, out=s)
            np.reciprocal(s, out=s)
            F = float(s.sum())
            np.multiply(s, s, out=s)
            np.multiply(s, t, out=s)
        np.nan_to_num(s, copy=False, nan=0.0, posinf=0.0)      # t = inf: sigma = 0, sigma' = 0
        return F, float(s.sum())


def sigmoid_threshold(z, k, dps=None):
    """lambda with sum sigma(z_i - lambda) = k: the B11 bracket, then Newton safeguarded by the bracket
    (float64: on log F - log k, nearly linear where F is a sum of exponential tails)."""
    n = len(z)
    if dps is None:
        c = math.log(k / (n - k))                             # sigma^-1(k/n)
        lo, hi = float(np.min(z)) - c, float(np.max(z)) - c   # F(lo) >= k >= F(hi)
        part = np.partition(z, n - k - 1)
        mid = 0.5 * (float(part[n - k - 1]) + float(part[n - k:].min()))   # between z_(k+1) and z_(k)
        lam = min(max(mid, lo), hi)
        sums = _SigmoidSums(np.asarray(z, dtype=float))
        for _ in range(200):                                  # Newton on log F(lam) - log k
            Fs, dF = sums(lam)
            if Fs > k:
                lo = lam
            else:
                hi = lam
            step = lam + (math.log(Fs) - math.log(k)) * Fs / dF if dF > 0 and Fs > 0 else None
            new = step if step is not None and lo < step < hi else 0.5 * (lo + hi)
            if abs(new - lam) <= 4e-16 * max(1.0, abs(lam)) or hi - lo <= 4e-16 * max(1.0, abs(lam)):
                return new
            lam = new
        return lam
    c = mp.log(mp.mpf(k) / (n - k))
    lo, hi = min(z) - c, max(z) - c
    tol = mp.mpf(2) ** (-mp.mp.prec + 8)
    lam = (lo + hi) / 2
    for _ in range(20 * mp.mp.prec):
        s = [1 / (1 + mp.exp(lam - v)) for v in z]
        F, dF = mp.fsum(s) - k, mp.fsum(si * (1 - si) for si in s)
        lo, hi = (lam, hi) if F > 0 else (lo, lam)
        new = lam + F / dF if dF > 0 else (lo + hi) / 2
        if not lo < new < hi:
            new = (lo + hi) / 2
        if abs(new - lam) <= tol * max(1, abs(lam)):
            return new
        lam = new
    raise mp.NoConvergence(f"sigmoid threshold did not converge (n={n}, k={k})")


def sigmoid_topk(x, k, tau=1.0, dps=None):
    """sigma(z_i - lambda) with sum = k (ThreSig; no closed form, not softmax at k = 1)."""
    if dps is not None:
        with mp.workdps(dps + 10):
            z, k = _prep(x, k, tau, dps)
            lam = sigmoid_threshold(z, k, dps)
            out = [1 / (1 + mp.exp(lam - v)) for v in z]
        with mp.workdps(dps):
            return [+v for v in out]
    z, k = _prep(x, k, tau, None)
    return _sigmoid64(z, sigmoid_threshold(z, k))


# --- ThreExp and ThreSmooth: closed forms over the sorted entries ------------------------------------

def _top_sorted(z, count):
    """Indices of the ``count`` largest entries, in descending order (argpartition, then a sort)."""
    n = z.size
    if count >= n:
        return np.argsort(-z, kind="stable")
    idx = np.argpartition(-z, count)[:count]
    return idx[np.argsort(-z[idx], kind="stable")]


def exp_threshold(z, k, dps=None):
    """lambda_m = LSE(z_(m+1..n)) - log(k - m), m = 0..k-1 saturated, with z_(m) >= lambda_m >= z_(m+1)."""
    if dps is not None:
        zs = sorted(z, reverse=True)
        best = None
        for m in range(k):
            lam = mp.log(mp.fsum(mp.exp(v) for v in zs[m:])) - mp.log(k - m)
            viol = max(lam - (zs[m - 1] if m else mp.inf), zs[m] - lam, 0)
            if viol == 0:
                return lam
            best = min(best or (viol, lam), (viol, lam))
        return best[1]
    order = _top_sorted(z, k + 1)
    top = z[order]
    rest = np.delete(z, order[:k]) if z.size > k else np.array([])
    rest_lse = _lse(rest) if rest.size else -np.inf
    best = None
    for m in range(k):
        L = np.logaddexp(_lse(top[m:k]) if m < k else -np.inf, rest_lse)
        lam = L - math.log(k - m)
        upper = top[m - 1] if m else np.inf
        viol = max(lam - upper, top[m] - lam, 0.0)
        if viol == 0:
            return lam
        best = min(best or (viol, lam), (viol, lam))
    return best[1]


def exp_topk(x, k, tau=1.0, dps=None):
    """min(1, e^{z_i - lambda}) with the threshold of B12; saturated entries are exactly 1."""
    if dps is not None:
        with mp.workdps(dps + 10):
            z, k = _prep(x, k, tau, dps)
            lam = exp_threshold(z, k, dps)
            out = [min(mp.mpf(1), mp.exp(v - lam)) for v in z]
        with mp.workdps(dps):
            return [+v for v in out]
    z, k = _prep(x, k, tau, None)
    lam = exp_threshold(z, k)
    return np.where(z >= lam, 1.0, np.exp(np.minimum(z - lam, 0.0)))


def _log_root(c, s):
    """log(sqrt(c^2 + e^s) + c) without cancellation (for c < 0: s - log(sqrt(c^2 + e^s) - c))."""
    if c == 0:
        return s / 2
    half = 0.5 * np.logaddexp(2 * math.log(abs(c)), s)
    return float(np.logaddexp(half, math.log(c))) if c > 0 else s - float(np.logaddexp(half, math.log(-c)))


def smooth_threshold(z, k, dps=None):
    """lambda for f_s: m entries at or above lambda; m = 0: log B_0 - log 2k; m = n: log 2(n-k) - log A_n
    (the branch the published listing omits); otherwise the rationalised root of
    A_m u^2/2 + (k - m) u - B_m/2 = 0, u = e^lambda."""
    n = len(z)
    if dps is not None:
        zs = sorted(z, reverse=True)
        cands = []
        for m in range(n + 1):
            A = mp.fsum(mp.exp(-v) for v in zs[:m])
            B = mp.fsum(mp.exp(v) for v in zs[m:])
            if m == 0:
                lam = mp.log(B) - mp.log(2 * k)
            elif m == n:
                lam = mp.log(2 * (n - k)) - mp.log(A)
            else:
                c = k - m
                r = mp.sqrt(c * c + A * B)
                lam = mp.log(B) - mp.log(r + c) if c >= 0 else mp.log(r - c) - mp.log(A)
            viol = max(lam - (zs[m - 1] if m else mp.inf), (zs[m] if m < n else mp.ninf) - lam, 0)
            if viol == 0:
                return lam
            cands.append((viol, lam))
        return min(cands)[1]
    cnt = min(n, 2 * k + 1)                                  # m <= 2k: each entry above lambda gives >= 1/2
    order = _top_sorted(z, cnt)
    zs = z[order]
    full = cnt >= n
    rest_lse = -np.inf if full else _lse(np.delete(z, order))
    logA = np.concatenate([[-np.inf], np.logaddexp.accumulate(-zs)])            # log A_m, m = 0..len
    logB_top = np.concatenate([np.logaddexp.accumulate(zs[::-1])[::-1], [-np.inf]])
    logB = np.logaddexp(logB_top, rest_lse)                                      # log B_m
    best = None
    for m in range(zs.size + 1):
        if m == 0:
            lam = logB[0] - math.log(2 * k)
        elif m == n:
            lam = math.log(2 * (n - k)) - logA[n]
        else:
            lam = logB[m] - _log_root(k - m, logA[m] + logB[m])
        upper = zs[m - 1] if m else np.inf
        lower = zs[m] if m < zs.size else (-np.inf if full else float(np.max(np.delete(z, order))))
        viol = max(lam - upper, lower - lam, 0.0)
        if viol == 0:
            return lam
        best = min(best or (viol, lam), (viol, lam))
    return best[1]


def f_smooth(u, dps=None):
    """f_s(u) = 1 - e^{-u}/2 for u >= 0, e^u/2 for u < 0."""
    if dps is not None:
        return 1 - mp.exp(-u) / 2 if u >= 0 else mp.exp(u) / 2
    u = np.asarray(u, dtype=float)
    return np.where(u >= 0, 1 - 0.5 * np.exp(-np.abs(u)), 0.5 * np.exp(-np.abs(u)))


def smooth_topk(x, k, tau=1.0, dps=None):
    """f_s(z_i - lambda) with the threshold of B14, the m = n branch included."""
    if dps is not None:
        with mp.workdps(dps + 10):
            z, k = _prep(x, k, tau, dps)
            lam = smooth_threshold(z, k, dps)
            out = [f_smooth(v - lam, dps) for v in z]
        with mp.workdps(dps):
            return [+v for v in out]
    z, k = _prep(x, k, tau, None)
    return f_smooth(z - smooth_threshold(z, k))


def adaptive_dps(gap, tau, extra=30):
    """dps > gap/(tau ln 10) + extra: the digits an e^{-gap/tau} needs to survive next to 1."""
    return int(math.ceil(float(gap) / (float(tau) * math.log(10)) + extra)) + 1
