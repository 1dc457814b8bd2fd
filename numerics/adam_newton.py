"""Adam seen as a Newton step: the Adam-lens step angle, Adam and SGD simulations on quadratics,
EMA and minibatch Monte Carlo, the stationary AR(1) model, and Gauss-Hermite moments.

Adam is the standard one: m, v EMAs with bias corrections, update -lr * m_hat/(sqrt(v_hat) + eps).
"""
from __future__ import annotations

import functools
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

    Only elementwise +, -, *, / and sqrt are used (correctly rounded under IEEE 754 on every
    platform): H theta is summed over j in a fixed order (no BLAS, no einsum) and beta^t is a
    running product (no pow), so the float64 trajectory is bitwise the same on every machine.
    With eps = 0 the first gradient must be nonzero in every coordinate (else v_hat = 0).

    Returns dict of arrays over the late ``window`` = (start, stop) steps: theta (T, R, d), g, m_hat, v_hat.
    """
    cols, th = _adam_setup(Hs, theta0)
    d, R = th.shape
    m, v = np.zeros((d, R)), np.zeros((d, R))
    b1, b2 = betas
    c1, c2 = 1 - b1, 1 - b2
    b1t = b2t = 1.0
    rng = np.random.default_rng(seed)
    start, stop = window or (0, steps)
    keep_th, keep_g, keep_m, keep_v = [], [], [], []
    block = 4096                                   # noise drawn per block: the same stream as per step
    with np.errstate(invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            g = cols[0] * th[0]
            for j in range(1, d):                  # H theta, summed over j in a fixed order
                g = g + cols[j] * th[j]
            if noise is not None:
                if (t - 1) % block == 0:
                    xis = rng.standard_normal((min(block, steps - t + 1), R, d)).transpose(0, 2, 1) * np.asarray(noise).T
                g = g + xis[(t - 1) % block]
            m = b1 * m + c1 * g
            v = b2 * v + c2 * (g * g)
            b1t, b2t = b1t * b1, b2t * b2          # beta^t as running products
            mh, vh = m / (1 - b1t), v / (1 - b2t)
            th = th - lr * (mh / np.sqrt(vh) if eps == 0 else mh / (np.sqrt(vh) + eps))
            if start < t <= stop:
                keep_th.append(th)
                keep_g.append(g)
                keep_m.append(mh)
                keep_v.append(vh)
    return _adam_output(keep_th, keep_g, keep_m, keep_v)


def _adam_setup(Hs, theta0):
    """The columns of H as (d, R) arrays (cols[j][i, r] = H_r[i, j]) and theta as (d, R)."""
    Hs = np.asarray(Hs, dtype=float)
    if Hs.ndim != 3 or Hs.shape[1] != Hs.shape[2]:
        raise ValueError(f"Hs has shape {Hs.shape}: give a stack (R, d, d) of square matrices")
    R, d, _ = Hs.shape
    cols = [np.ascontiguousarray(Hs[:, :, j].T) for j in range(d)]
    return cols, np.broadcast_to(np.asarray(theta0, dtype=float), (R, d)).T.copy()


def _adam_output(th, g, m, v):
    out = {k: np.array(x).transpose(0, 2, 1) for k, x in (("theta", th), ("g", g), ("m_hat", m), ("v_hat", v))}
    if not np.all(np.isfinite(out["theta"])):
        raise ValueError("Adam produced NaN (v_hat = 0 with eps = 0): start where every gradient is nonzero or give eps > 0")
    return out


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


def ar1_filter(x, a, b):
    """y_t = a y_{t-1} + b x_t with y_{-1} = 0, |a| < 1, vectorised by chunks: inside a chunk
    y_k = a^k (y_start + b sum_{s<=k} a^-s x_s) with the powers as running products (no pow).

    >>> [float(v) for v in ar1_filter(np.array([1.0, 0.0, 0.0, 2.0]), 0.5, 2.0)]
    [2.0, 1.0, 0.5, 4.25]
    """
    x = np.asarray(x, dtype=float)
    if not abs(a) < 1:
        raise ValueError(f"a = {a}: the filter needs |a| < 1 (a stationary AR(1))")
    if a == 0:
        return b * x
    L = max(1, min(2048, int(150 / -math.log10(abs(a)))))    # |a|^-L stays below 1e150
    up = np.cumprod(np.full(L, 1 / a)) * a                   # a^-k, k = 0..L-1
    down = np.cumprod(np.full(L, a))                         # a^(k+1)
    y, prev = np.empty_like(x), 0.0
    for s0 in range(0, x.size, L):
        n = min(L, x.size - s0)
        acc = np.cumsum(up[:n] * x[s0:s0 + n]) * b           # b sum_{s<=k} a^-s x_s
        y[s0:s0 + n] = down[:n] * prev + (down[:n] / a) * acc
        prev = y[s0 + n - 1]
    return y


def sgd_ar1(eta, h, c, T, seed, p=1.0):
    """theta_{t+1} = theta_t - eta p (h theta_t + xi_t), xi ~ N(0, c): (Var theta, E g^2) as time
    averages after a 10 % burn-in, with the AR(1) standard errors of ``ar1_rel_errors``."""
    if c <= 0 or h <= 0:
        raise ValueError(f"h = {h}, c = {c}: both must be positive")
    rng = np.random.default_rng(seed)
    xi = math.sqrt(c) * rng.standard_normal(T)
    a = 1 - eta * p * h
    y = ar1_filter(xi, a, -eta * p)                          # y_t = theta_{t+1}, theta_0 = 0
    th, g = y[:-1], h * y[:-1] + xi[1:]                      # theta_t and g_t = h theta_t + xi_t
    burn = T // 10                                           # drop the transient
    th, g = th[burn:], g[burn:]
    rel_th, rel_g = ar1_rel_errors(eta, h, th.size, p)
    var, eg2 = float(np.mean(th**2)), float(np.mean(g**2))
    return (Estimate(var, var * rel_th, "AR(1) simulation, Var theta", None, th.size, seed,
                     "AR(1) formula sqrt(2(1+a^2)/((1-a^2)T))"),
            Estimate(eg2, eg2 * rel_g, "AR(1) simulation, E g^2", None, th.size, seed,
                     "AR(1) formula sqrt(2(1+(eta h)^2/(2(1-a^2)))/T)"))


@functools.lru_cache(maxsize=None)
def hermite_rule(nodes, dps):
    """Gauss-Hermite nodes and weights with probabilists' weights (sum 1), in mpmath at ``dps``."""
    with mp.workdps(dps):
        X, W = mp.gauss_quadrature(nodes, "hermite")
        return tuple(mp.sqrt(2) * x for x in X), tuple(w / mp.sqrt(mp.pi) for w in W)


def gauss_hermite_ggT(A, sigma, nodes=80, dps=25):
    """E[g g'] / sigma^2 (an mpmath matrix) for L = sum log cosh theta_i + 1/2 theta' A theta (2-D),
    delta ~ N(0, sigma^2 I), by the nodes x nodes product Gauss-Hermite rule (probabilists'
    weights) in mpmath at ``dps``, evaluated through its 1-D factors: with t = tanh(d),
    g_i = t_i + sum_j A_ij d_j and E over the product rule factorises into 1-D sums."""
    x, w = hermite_rule(nodes, dps)
    with mp.workdps(dps):
        s = mp.mpf(sigma)
        A = mp.matrix(A)
        d = [s * xi for xi in x]
        E1 = {k: mp.fsum(wi * f for wi, f in zip(w, col)) for k, col in (
            ("1", [1] * nodes), ("d", d), ("t", [mp.tanh(v) for v in d]), ("dd", [v * v for v in d]),
            ("tt", [mp.tanh(v) ** 2 for v in d]), ("td", [mp.tanh(v) * v for v in d]))}
        E = mp.matrix(2, 2)
        for i in range(2):
            for k in range(2):
                j, l = 1 - i, 1 - k                           # the other coordinate
                same = E1["tt"] if i == k else E1["t"] ** 2   # E t_i t_k
                td = lambda a, b: E1["td"] if a == b else E1["t"] * E1["d"]   # E t_a d_b
                dd = lambda a, b: E1["dd"] if a == b else E1["d"] ** 2        # E d_a d_b
                E[i, k] = (same + sum(A[k, b] * td(i, b) for b in range(2)) + sum(A[i, a] * td(k, a) for a in range(2))
                           + sum(A[i, a] * A[k, b] * dd(a, b) for a in range(2) for b in range(2)))
                del j, l
        return E / s**2
