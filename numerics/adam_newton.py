"""Adam seen as a Newton step: the Adam-lens step angle, Adam and SGD simulations on quadratics,
EMA and minibatch Monte Carlo, the stationary AR(1) model, and Gauss-Hermite moments.

Adam is the standard one: m, v EMAs with bias corrections, update -lr * m_hat/(sqrt(v_hat) + eps).
"""
from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from .estimate import Estimate


def _symmetric_nonsingular(H):
    M = mp.matrix(H)
    n = M.rows
    if M.cols != n:
        raise ValueError(f"H must be square, got {M.rows}x{M.cols}")
    if any(not mp.isfinite(M[i, j]) for i in range(n) for j in range(n)):
        raise ValueError("H must have finite entries")
    if any(M[i, j] != M[j, i] for i in range(n) for j in range(i)):
        raise ValueError("H must be symmetric")
    if mp.det(M) == 0:
        raise ValueError("H must be nonsingular (det H = 0): Newton's step -H^-1 g is undefined")
    return M


def adam_newton_angle(H, g, dps: int = 30):
    """Angle in degrees between Newton's step -H^-1 g and the Adam-lens step -D^-1 g,
    D = diag(sqrt((H^2)_ii)), for a symmetric nonsingular H (nested lists, definite or not);
    mpmath at ``dps``.

    >>> mp.nstr(adam_newton_angle([[2, 0], [0, 5]], [1, 1]), 10)      # diagonal: the same step
    '0.0'
    >>> mp.nstr(adam_newton_angle([[1, 2], [2, 1]], [1, 0]), 10)      # indefinite: acos(-1/sqrt 5)
    '116.5650512'
    >>> adam_newton_angle([[1, 1], [1, 1]], [1, 0])
    Traceback (most recent call last):
    ...
    ValueError: H must be nonsingular (det H = 0): Newton's step -H^-1 g is undefined
    """
    with mp.workdps(dps + 10):
        M = _symmetric_nonsingular(H)
        n = M.rows
        gv = mp.matrix(list(g))
        if gv.rows != n:
            raise ValueError(f"g has {gv.rows} entries, H is {n}x{n}")
        if all(v == 0 for v in gv):
            raise ValueError("g = 0: both steps vanish and the angle is undefined")
        newton = -mp.lu_solve(M, gv)
        H2 = M * M
        adam = mp.matrix([-gv[i] / mp.sqrt(H2[i, i]) for i in range(n)])
        dot = mp.fsum(newton[i] * adam[i] for i in range(n))
        cos = dot / (mp.norm(newton) * mp.norm(adam))
        ang = mp.degrees(mp.acos(max(-1, min(1, cos))))
    with mp.workdps(dps):
        return +ang


def abs_matrix(H: np.ndarray) -> np.ndarray:
    """|H| = U |Lambda| U^T."""
    lam, U = np.linalg.eigh(H)
    return (U * np.abs(lam)) @ U.T


# --- Adam on quadratics, batched over independent runs ---------------------------------------------

def run_adam(Hs, theta0, steps, lr=1e-3, betas=(0.9, 0.999), eps=0.0, noise=None, seed=0, window=None):
    """Adam on L_r = 1/2 theta' H_r theta for a stack of runs r (Hs: (R, d, d)); gradient
    g = H theta + noise_r * xi with xi ~ N(0, I) (``noise``: (R, d) scales or None).

    Returns dict of arrays over the late ``window`` = (start, stop) steps: theta (T, R, d), g, m_hat, v_hat.
    """
    Hs = np.asarray(Hs, dtype=float)
    R, d, _ = Hs.shape
    th = np.broadcast_to(np.asarray(theta0, dtype=float), (R, d)).copy()
    m, v = np.zeros((R, d)), np.zeros((R, d))
    b1, b2 = betas
    rng = np.random.default_rng(seed)
    start, stop = window or (0, steps)
    keep_th, keep_g, keep_m, keep_v = [], [], [], []
    block = 4096                                   # noise drawn per block: the same stream as per step
    with np.errstate(invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            g = np.einsum("rij,rj->ri", Hs, th)
            if noise is not None:
                if (t - 1) % block == 0:
                    xi = rng.standard_normal((min(block, steps - t + 1), R, d))
                g = g + noise * xi[(t - 1) % block]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            mh, vh = m / (1 - b1**t), v / (1 - b2**t)
            step = np.where(vh > 0, mh / np.sqrt(vh), 0.0) if eps == 0 else mh / (np.sqrt(vh) + eps)
            th = th - lr * step
            if start < t <= stop:
                keep_th.append(th.copy())
                keep_g.append(g)
                keep_m.append(mh)
                keep_v.append(vh)
    return {"theta": np.array(keep_th), "g": np.array(keep_g), "m_hat": np.array(keep_m), "v_hat": np.array(keep_v)}


def rmsprop_mp(h, theta0, steps, lr, beta2, dps=30):
    """RMSprop (beta1 = 0, eps = 0) on 1/2 h theta^2 in mpmath (no underflow): the trajectory of |theta|."""
    with mp.workdps(dps):
        th, v, out = mp.mpf(theta0), mp.mpf(0), []
        h, lr, b2 = mp.mpf(h), mp.mpf(lr), mp.mpf(beta2)
        c2, b2t = 1 - b2, mp.mpf(1)
        for t in range(1, steps + 1):
            g = h * th
            v = b2 * v + c2 * g * g
            b2t *= b2                                  # beta2^t, as a running product
            vh = v / (1 - b2t)
            th = th - lr * g / mp.sqrt(vh) if vh else th
            out.append(th)
        return out


# --- Monte Carlo: gradient outer products, EMA, minibatches ----------------------------------------

def outer_errors(H, sigma, N, reps, seed) -> np.ndarray:
    """The ``reps`` values of ||mean_N g g' - sigma^2 H^2||_F / ||sigma^2 H^2||_F, g = H delta,
    delta ~ N(0, sigma^2 I), each from N fresh samples."""
    if N < 1 or reps < 1:
        raise ValueError(f"N = {N}, reps = {reps}: both must be at least 1")
    rng = np.random.default_rng(seed)
    H = np.asarray(H, dtype=float)
    target = sigma**2 * H @ H
    errs = []
    for _ in range(reps):
        g = np.einsum("nj,ij->ni", rng.standard_normal((N, H.shape[0])), sigma * H)   # einsum: thin matmul is slow
        errs.append(np.linalg.norm(np.einsum("ni,nj->ij", g, g) / N - target) / np.linalg.norm(target))
    return np.array(errs)


def outer_error(H, sigma, N, reps, seed) -> float:
    """RMS over ``reps`` of the relative errors of ``outer_errors``."""
    return float(np.sqrt(np.mean(np.square(outer_errors(H, sigma, N, reps, seed)))))


def ema_mc(beta, t, reps, seed):
    """(mean, sd) estimates of v_t = (1-beta) sum beta^k x_{t-k}, x = g^2, g ~ N(0,1), v_0 = 0,
    each as an Estimate (the sd with the standard error of a Gaussian-approximated sd)."""
    rng = np.random.default_rng(seed)
    v = np.zeros(reps)
    for _ in range(t):
        v = beta * v + (1 - beta) * rng.standard_normal(reps) ** 2
    mean = Estimate(float(v.mean()), float(v.std(ddof=1) / math.sqrt(reps)), f"EMA Monte Carlo, beta={beta}, t={t}",
                    None, reps, seed)
    sd = float(v.std(ddof=1))
    kurt = float(np.mean((v - v.mean()) ** 4) / sd**4)
    return mean, Estimate(sd, sd * math.sqrt((kurt - 1) / (4 * reps)), "sd of v_t", None, reps, seed)


def ema_ar1_mc(beta, phi, t, reps, seed):
    """(mean, sd) Estimates of the EMA v_t of x = g^2 when g is a stationary AR(1) with unit variance,
    g_s = phi g_{s-1} + sqrt(1 - phi^2) z_s (autocorrelated gradients); v_0 = 0."""
    if not (0 < beta < 1 and 0 <= phi < 1):
        raise ValueError(f"beta = {beta}, phi = {phi}: need 0 < beta < 1 and 0 <= phi < 1")
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(reps)
    v = np.zeros(reps)
    c = math.sqrt(1 - phi * phi)
    for _ in range(t):
        g = phi * g + c * rng.standard_normal(reps)
        v = beta * v + (1 - beta) * g * g
    sd = float(v.std(ddof=1))
    kurt = float(np.mean((v - v.mean()) ** 4) / sd**4)
    return (Estimate(float(v.mean()), sd / math.sqrt(reps), f"EMA of AR(1) g^2, beta={beta}, phi={phi}", None, reps, seed),
            Estimate(sd, sd * math.sqrt((kurt - 1) / (4 * reps)), "sd of v_t", None, reps, seed))


def minibatch_cov(B, reps, seed, sigma=0.5, Sxx=((1.0, 0.3), (0.3, 2.0))):
    """Cov(g_B) * B / sigma^2 for linear regression at the optimum: g_i = -x_i r_i, r ~ N(0, sigma^2),
    x ~ N(0, Sxx), minibatch mean of B samples; returns (estimate matrix, standard errors)."""
    rng = np.random.default_rng(seed)
    L = np.linalg.cholesky(np.asarray(Sxx))
    x = rng.standard_normal((reps, B, 2)) @ L.T
    r = sigma * rng.standard_normal((reps, B, 1))
    gB = (-(x * r)).mean(axis=1)
    prods = np.einsum("ri,rj->rij", gB, gB) * B / sigma**2
    return prods.mean(axis=0), prods.std(axis=0, ddof=1) / math.sqrt(reps)


def ar1_rel_errors(eta, h, T, p=1.0):
    """Relative standard errors of the time averages of theta^2 and g^2 over T steps of the
    stationary Gaussian AR(1) theta_{t+1} = a theta_t - eta p xi_t, a = 1 - eta p h, g = h theta + xi.

    theta^2 has autocorrelation a^(2k): sqrt(2 (1 + a^2) / ((1 - a^2) T)) (valid for either sign
    of a, i.e. eta p h in (0, 2)); g has rho_k = -(eta p h / 2) a^(k-1), so g^2 has
    sqrt(2 (1 + (eta p h)^2 / (2 (1 - a^2))) / T).

    >>> [round(x * 1e3, 4) for x in ar1_rel_errors(0.1, 1.0, 1_800_000)]
    [3.2534, 1.0679]
    """
    k = eta * p * h
    if not 0 < k < 2:
        raise ValueError(f"eta p h = {k} is outside (0, 2): the AR(1) is not stationary; take a smaller eta")
    if T < 2:
        raise ValueError(f"T = {T}: give at least 2 steps")
    a2 = (1 - k) ** 2
    return (math.sqrt(2 * (1 + a2) / ((1 - a2) * T)), math.sqrt(2 * (1 + k * k / (2 * (1 - a2))) / T))


def sgd_ar1(eta, h, c, T, seed, p=1.0):
    """theta_{t+1} = theta_t - eta p (h theta_t + xi_t), xi ~ N(0, c): (Var theta, E g^2) as time
    averages after a 10 % burn-in, with the AR(1) standard errors of ``ar1_rel_errors``."""
    from scipy.signal import lfilter
    if c <= 0 or h <= 0:
        raise ValueError(f"h = {h}, c = {c}: both must be positive")
    rng = np.random.default_rng(seed)
    xi = math.sqrt(c) * rng.standard_normal(T)
    a = 1 - eta * p * h
    y = lfilter([-eta * p], [1, -a], xi)                     # y_t = theta_{t+1}, theta_0 = 0
    th, g = y[:-1], h * y[:-1] + xi[1:]                      # theta_t and g_t = h theta_t + xi_t
    burn = T // 10                                           # drop the transient
    th, g = th[burn:], g[burn:]
    rel_th, rel_g = ar1_rel_errors(eta, h, th.size, p)
    var, eg2 = float(np.mean(th**2)), float(np.mean(g**2))
    return (Estimate(var, var * rel_th, "AR(1) simulation, Var theta", None, th.size, seed,
                     "AR(1) formula sqrt(2(1+a^2)/((1-a^2)T))"),
            Estimate(eg2, eg2 * rel_g, "AR(1) simulation, E g^2", None, th.size, seed,
                     "AR(1) formula sqrt(2(1+(eta h)^2/(2(1-a^2)))/T)"))


def gauss_hermite_ggT(A, sigma, nodes=80):
    """E[g g'] / sigma^2 for L = sum log cosh theta_i + 1/2 theta' A theta (2-D), delta ~ N(0, sigma^2 I),
    by a nodes x nodes Gauss-Hermite rule with probabilists' weights."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / math.sqrt(2 * math.pi)
    d1, d2 = np.meshgrid(sigma * x, sigma * x, indexing="ij")
    W = np.outer(w, w)
    A = np.asarray(A, dtype=float)
    g1 = np.tanh(d1) + A[0, 0] * d1 + A[0, 1] * d2
    g2 = np.tanh(d2) + A[1, 0] * d1 + A[1, 1] * d2
    E = np.array([[np.sum(W * g1 * g1), np.sum(W * g1 * g2)], [np.sum(W * g2 * g1), np.sum(W * g2 * g2)]])
    return E / sigma**2
