"""AdaFactor and AdaX: the rank-1 I-divergence fit, bias corrections as moving averages, weights.

Exact where the mathematics is rational (``fractions.Fraction``), mpmath with guard digits
elsewhere; float64 only in the functions whose names end in ``_f64``, which exist to show what
float64 does. Schedules are named ``"adam"`` (parameter beta2), ``"adax"`` (beta2),
``"adafactor"`` (c, hat beta = 1 - t^-c) and ``"mean"`` (no parameter, hat beta = 1 - 1/t).
"""
from __future__ import annotations

import math
import sys
from fractions import Fraction

import mpmath as mp
import numpy as np

GUARD = 10                        # extra digits carried inside every mpmath computation
DBL_MAX = sys.float_info.max
SCHEDULES = ("adam", "adax", "adafactor", "mean")


def _check_dps(dps):
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ValueError(f"dps={dps!r}: give an int >= 15 (the decimal digits of the result)")


def to_fraction(x, name: str = "x") -> Fraction:
    """An exact rational from an int, float (read through ``str``), str, Fraction, mpf or SymPy number.

    >>> to_fraction(0.1), to_fraction("1e-4"), to_fraction(mp.mpf(0.5))
    (Fraction(1, 10), Fraction(1, 10000), Fraction(1, 2))
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, (float, np.floating)) and math.isfinite(x):
        return Fraction(str(float(x)))
    if isinstance(x, str):
        try:
            return Fraction(x.strip())
        except ValueError:
            raise ValueError(f"{name}={x!r}: not a number; give e.g. '0.999' or '1/3'") from None
    if isinstance(x, mp.mpf) and mp.isfinite(x):
        man, exp = x.man_exp
        return Fraction(int(man)) * Fraction(2) ** int(exp)
    if getattr(x, "is_Rational", False):
        return Fraction(int(x.p), int(x.q))
    if getattr(x, "is_Float", False):
        return Fraction(str(x))
    raise ValueError(f"{name}={x!r}: give a finite int, float, str, Fraction, mpf or SymPy number")


def _mpf(q: Fraction):
    return mp.mpf(q.numerator) / q.denominator


def exact_matrix(C) -> list[list[Fraction]]:
    """C (nested lists, numpy array or SymPy Matrix) as rows of Fractions, checked: 2-D,
    entries >= 0, every row sum and column sum > 0."""
    rows = C.tolist() if hasattr(C, "tolist") else C
    if (not isinstance(rows, (list, tuple)) or not rows
            or not all(isinstance(r, (list, tuple)) and r for r in rows)
            or any(isinstance(v, (list, tuple)) for r in rows for v in r)):
        raise ValueError(f"C={C!r}: give a non-empty 2-D matrix (nested lists, numpy array or SymPy Matrix)")
    if len({len(r) for r in rows}) != 1:
        raise ValueError(f"C: rows have lengths {[len(r) for r in rows]}; give a rectangular matrix")
    M = [[to_fraction(v, f"C[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]
    neg = next(((i, j) for i, r in enumerate(M) for j, v in enumerate(r) if v < 0), None)
    if neg:
        raise ValueError(f"C[{neg[0]}][{neg[1]}]={rows[neg[0]][neg[1]]!r}: entries must be >= 0 (C is a second moment)")
    for kind, lines in (("row", M), ("column", list(zip(*M)))):
        zero = next((k for k, line in enumerate(lines) if sum(line) == 0), None)
        if zero is not None:
            raise ValueError(f"C: {kind} {zero} sums to 0; the closed form needs positive {kind} sums (add eps1 to g^2)")
    return M


def _phi_fit(c: Fraction, f: Fraction):
    """f * phi(c/f), phi(x) = x log x - x + 1 (>= 0, 0 log 0 = 0), without cancellation near x = 1."""
    if c == 0:
        return _mpf(f)
    u = (c - f) / f                                   # exact; x = 1 + u
    if abs(u) >= Fraction(1, 8):
        x = _mpf(c / f)
        return _mpf(f) * (x * mp.log(x) - x + 1)
    um, total, k = _mpf(u), mp.mpf(0), 2
    term = um * um / 2                                # phi(1+u) = sum_k>=2 (-u)^k / (k (k-1))
    while term and abs(term) > mp.eps * abs(total) / 16:
        total += term
        term = term * (-um) * (k - 1) / (k + 1)
        k += 1
    return _mpf(f) * total


def idiv_rank1_optimum(C, dps: int = 30):
    """(a, b, loss): a_i = row sums, b_j = column sums / total, loss = the minimum I-divergence.

    Sums are exact (Fractions); ``loss`` = sum_ij f_ij phi(c_ij / f_ij), f = a b^T, a sum of
    non-negative terms each evaluated without cancellation, so it is correct to dps - 5 digits
    even for nearly rank-1 C (exactly 0 for an exactly rank-1 rational C).

    >>> a, b, loss = idiv_rank1_optimum([[1, 2], [3, 4]])
    >>> [mp.nstr(v, 6) for v in a + b], mp.nstr(loss, 12)
    (['3.0', '7.0', '0.4', '0.6'], '0.0402174323048')
    >>> idiv_rank1_optimum([[1, -1], [1, 1]])
    Traceback (most recent call last):
    ...
    ValueError: C[0][1]=-1: entries must be >= 0 (C is a second moment)
    """
    _check_dps(dps)
    M = exact_matrix(C)
    r, s = [sum(row) for row in M], [sum(col) for col in zip(*M)]
    T = sum(r)
    with mp.workdps(dps + GUARD):
        loss = mp.fsum(_phi_fit(M[i][j], r[i] * s[j] / T) for i in range(len(r)) for j in range(len(s)))
    with mp.workdps(dps):
        return [+_mpf(v) for v in r], [+_mpf(v / T) for v in s], +loss


def idiv_loss(C, a, b, dps: int = 30):
    """l(a, b) = sum c log(c / (a_i b_j)) - c + a_i b_j at ``dps`` digits, 0 log 0 = 0 (direct formula)."""
    _check_dps(dps)
    with mp.workdps(dps + GUARD):
        M = [[_mpf(v) for v in row] for row in exact_matrix(C)]
        a, b = [mp.mpmathify(v) for v in a], [mp.mpmathify(v) for v in b]
        out = mp.fsum((c * mp.log(c / (a[i] * b[j])) if c else 0) - c + a[i] * b[j]
                      for i, row in enumerate(M) for j, c in enumerate(row))
    with mp.workdps(dps):
        return +out


def mutual_information_mass(C, dps: int = 30):
    """T * I(c_hat) from the normalised matrix and its marginals (a second route to the loss)."""
    _check_dps(dps)
    with mp.workdps(dps + GUARD):
        M = [[_mpf(v) for v in row] for row in exact_matrix(C)]
        T = mp.fsum(mp.fsum(r) for r in M)
        P = [[v / T for v in row] for row in M]
        pr, ps = [mp.fsum(r) for r in P], [mp.fsum(col) for col in zip(*P)]
        info = mp.fsum(p * mp.log(p / (pr[i] * ps[j])) for i, row in enumerate(P)
                       for j, p in enumerate(row) if p)
    with mp.workdps(dps):
        return +(T * info)


def idiv_newton(C, alpha, beta, dps: int = 30, max_iter: int = 200):
    """Damped Newton on l in log-coordinates a = exp(alpha), b = exp(beta), the gauge fixed by
    beta_n = 0 (the Hessian is singular along the scale orbit). Returns (a, b, loss, iterations).
    Independent of the closed form: it only uses C, the gradient and the Hessian."""
    _check_dps(dps)
    with mp.workdps(dps + GUARD):
        M = [[_mpf(v) for v in row] for row in exact_matrix(C)]
        m, n = len(M), len(M[0])
        x = [mp.mpf(v) for v in alpha] + [mp.mpf(v) - mp.mpf(beta[-1]) for v in beta[:-1]]
        f = lambda z: _log_loss(M, z, m, n)
        for it in range(1, max_iter + 1):
            g, H = _grad_hess(M, x, m, n)
            if mp.sqrt(mp.fsum(v * v for v in g)) < mp.mpf(10) ** -(dps + GUARD // 2):
                break
            d = mp.cholesky_solve(mp.matrix(H), mp.matrix([-v for v in g]))   # H > 0 once the gauge is fixed
            step, f0 = mp.mpf(1), f(x)
            slack = abs(f0) * mp.mpf(10) ** -(dps + GUARD // 2)     # rounding noise is not an ascent
            while f([xi + step * di for xi, di in zip(x, d)]) > f0 + slack and step > mp.mpf(10) ** -20:
                step /= 2
            x = [xi + step * di for xi, di in zip(x, d)]
        a, b = [mp.exp(v) for v in x[:m]], [mp.exp(v) for v in x[m:]] + [mp.mpf(1)]
        loss = f(x)
    with mp.workdps(dps):
        return [+v for v in a], [+v for v in b], +loss, it


def _log_loss(M, x, m, n):
    al, be = x[:m], list(x[m:]) + [mp.mpf(0)]
    return mp.fsum((c * (mp.log(c) - al[i] - be[j]) if c else 0) - c + mp.exp(al[i] + be[j])
                   for i, row in enumerate(M) for j, c in enumerate(row))


def _grad_hess(M, x, m, n):
    """Gradient and Hessian (lists) in (alpha, beta_1..beta_{n-1}): H = sum_ij e^(a_i+b_j)(e_i+f_j)(e_i+f_j)^T."""
    al, be = x[:m], list(x[m:]) + [mp.mpf(0)]
    k = m + n - 1
    g, H = [mp.mpf(0)] * k, [[mp.mpf(0)] * k for _ in range(k)]
    for i in range(m):
        for j in range(n):
            e = mp.exp(al[i] + be[j])
            idx = [i] + ([m + j] if j < n - 1 else [])       # beta_n is fixed (the gauge)
            for r in idx:
                g[r] += e - M[i][j]
                for c in idx:
                    H[r][c] += e
    return g, H



def euclid_rank1(C, dps: int = 30, max_iter: int = 100_000):
    """(sigma1, u, v, iterations): the top singular pair of C by power iteration on C C^T from the
    all-ones start (so a non-negative C keeps u, v >= 0 throughout); stops when u moves < 10^-dps."""
    _check_dps(dps)
    with mp.workdps(dps + GUARD):
        A = [[_mpf(v) for v in row] for row in exact_matrix(C)]
        cols = list(zip(*A))
        norm = lambda z: mp.sqrt(mp.fsum(x * x for x in z))
        u = [1 / mp.sqrt(len(A))] * len(A)
        stop = mp.mpf(10) ** -(dps + 2)
        for it in range(1, max_iter + 1):
            v = [mp.fdot(col, u) for col in cols]                     # C^T u
            w = [mp.fdot(row, v) for row in A]                        # C C^T u
            size = norm(w)
            w = [x / size for x in w]
            moved, u = norm([a - b for a, b in zip(w, u)]), w
            if moved < stop:
                break
        v = [mp.fdot(col, u) for col in cols]
        sigma = norm(v)
        v = [x / sigma for x in v]
    with mp.workdps(dps):
        return +sigma, [+x for x in u], [+x for x in v], it


def one_minus_beta_hat(kind: str, t: int, param=None, dps: int = 30):
    """1 - hat beta_{2,t}, the weight of the newest gradient, computed without cancellation:
    adam (1-b)/(-expm1(t log b)); adax b/expm1(t log1p b); adafactor t^-c; mean 1/t.

    >>> mp.nstr(one_minus_beta_hat("adax", 1, 1e-4), 20), mp.nstr(one_minus_beta_hat("adam", 1, 0.999), 20)
    ('1.0', '1.0')
    """
    _check_dps(dps)
    _check_t(t)
    if kind not in SCHEDULES:
        raise ValueError(f"kind={kind!r}: give one of {', '.join(SCHEDULES)}")
    with mp.workdps(dps + GUARD):
        p = None if kind == "mean" else _mpf(to_fraction(param, "param"))
        out = {"adam": lambda: (1 - p) / -mp.expm1(t * mp.log(p)), "adax": lambda: p / mp.expm1(t * mp.log1p(p)),
               "adafactor": lambda: mp.mpf(t) ** -p, "mean": lambda: mp.mpf(1) / t}[kind]()
    with mp.workdps(dps):
        return +out


def _check_t(t):
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t={t!r}: give an int >= 1 (the step count; the first step is t = 1)")


def _check_beta2(beta2):
    if not (b := to_fraction(beta2, "beta2")) > 0:
        raise ValueError(f"beta2={beta2!r}: must be > 0 (AdaX's default is 1e-4)")
    return b


def adax_ema_weights(t: int, beta2, dps: int = 30):
    """[w_{t,1}, ..., w_{t,t}] (index 0 the oldest) with AdaX's hat v_t = sum_i w_{t,i} g_i^2.

    Closed form w_{t,i} = beta2 (1+beta2)^(t-i) / ((1+beta2)^t - 1): the newest weight from
    expm1/log1p, the others by multiplying by (1 + beta2) towards the past (guard digits cover
    the t roundings; the values keep them). The newest weight is 1 - hat beta_{2,t}; t = 10**5
    takes about 0.3 s of CPU time.

    >>> w = adax_ema_weights(3, "1e-4")
    >>> [mp.nstr(v, 12) for v in w], mp.nstr(mp.fsum(w), 20)
    (['0.333366665556', '0.333333332222', '0.333300002222'], '1.0')
    >>> adax_ema_weights(0, 1e-4)
    Traceback (most recent call last):
    ...
    ValueError: t=0: give an int >= 1 (the step count; the first step is t = 1)
    """
    _check_t(t)
    b = _check_beta2(beta2)
    _check_dps(dps)
    t = int(t)
    with mp.workdps(dps + GUARD + len(str(t))):
        bm = _mpf(b)
        up = 1 + bm
        w = [mp.mpf(0)] * t
        w[-1] = bm / mp.expm1(t * mp.log1p(bm))
        for i in range(t - 2, -1, -1):
            w[i] = w[i + 1] * up
    return w                                  # carrying the guard digits (rounding t values costs as much again)


def ema_weights(one_minus):
    """w_{t,i} = (1 - hat beta_i) prod_{k>i} hat beta_k for a list of 1 - hat beta_k (k = 1..t);
    any number type (Fraction, mpf)."""
    w, prod = [None] * len(one_minus), 1
    for i in range(len(one_minus) - 1, -1, -1):
        w[i] = one_minus[i] * prod
        prod = prod * (1 - one_minus[i])
    return w


def run_ema(g2, one_minus):
    """hat v_t = hat beta_t hat v_{t-1} + (1 - hat beta_t) g_t^2 from hat v_0 = 0; returns all hat v_t."""
    out, vh = [], 0
    for g, om in zip(g2, one_minus):
        vh = (1 - om) * vh + om * g
        out.append(vh)
    return out


def run_adam_raw(g2, beta2):
    """Adam's raw second moment v_t = b v_{t-1} + (1-b) g_t^2, returned bias-corrected v_t/(1-b^t)."""
    out, v, p = [], 0, 1
    for g in g2:
        v, p = beta2 * v + (1 - beta2) * g, p * beta2
        out.append(v / (1 - p))
    return out


def run_adax_raw(g2, beta2):
    """AdaX's raw v_t = (1+b) v_{t-1} + b g_t^2, returned normalised v_t/((1+b)^t - 1)."""
    out, v, q = [], 0, 1
    for g in g2:
        v, q = (1 + beta2) * v + beta2 * g, q * (1 + beta2)
        out.append(v / (q - 1))
    return out


def adax_overflow_step(beta2, dps: int = 30) -> int:
    """The first t at which (1 + beta2)^t exceeds the largest float64: ceil(log DBL_MAX / log1p b)."""
    with mp.workdps(dps):
        return int(mp.ceil(mp.log(mp.mpf(DBL_MAX)) / mp.log1p(_mpf(_check_beta2(beta2)))))


def adax_raw_f64(g2: float, beta2: float, t0: int, steps: int):
    """float64 AdaX with constant g^2 from the exact state at t0 (v = g2 ((1+b)^t0 - 1), rounded to
    float64), then ``steps`` raw steps; returns (t, v_t, normaliser, hat v_t) per step."""
    with mp.workdps(30):
        x = t0 * mp.log1p(mp.mpf(beta2))
        v, q = float(g2 * mp.expm1(x)), float(mp.exp(x))
    out, up = [], 1.0 + beta2
    with np.errstate(over="ignore", invalid="ignore"):
        v, q = np.float64(v), np.float64(q)
        for t in range(t0 + 1, t0 + steps + 1):
            v, q = up * v + beta2 * g2, q * up
            out.append((t, float(v), float(q - 1), float(v / (q - 1))))
    return out


def adax_ema_f64(g2: float, beta2: float, t0: int, steps: int, vhat0: float):
    """float64 AdaX in the moving-average form, 1 - hat beta = -b e^-x / expm1(-x), x = t log1p(b)."""
    out, vh, lb = [], vhat0, math.log1p(beta2)
    for t in range(t0 + 1, t0 + steps + 1):
        x = t * lb
        om = -beta2 * math.exp(-x) / math.expm1(-x)
        vh = (1 - om) * vh + om * g2
        out.append((t, vh))
    return out
