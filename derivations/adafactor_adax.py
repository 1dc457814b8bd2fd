r"""AdaFactor and AdaX: rank-1 I-divergence factoring, and bias correction as a moving average

Article: Su Jianlin (苏剑林), 《AdaFactor优化器浅析（附开源实现）》 ("A brief analysis of the AdaFactor optimizer") 2020-03-23, https://kexue.fm/archives/7302, and 《AdaX优化器浅析（附开源实现）》 ("A brief analysis of the AdaX optimizer") 2020-05-11, https://kexue.fm/archives/7387

AdaFactor stores the second moment of a weight matrix as a rank-1 product; under the
I-divergence the best fit is row sums times column sums over the total (a global minimum, by
convexity in log-coordinates), and its value is the total mass times a mutual information. Both
articles rewrite bias-corrected $\hat v_t$ as a moving average with coefficient $\hat\beta_{2,t}$
and ask for $\hat\beta_{2,1}=0$, $\hat\beta_{2,\infty}=1$: Adam fails the second, AdaFactor's
$1-t^{-c}$ and AdaX pass. The identities are exact; the criterion does not fix which gradients
weigh most (AdaFactor with $c<1$ favours the newest, AdaX the oldest), the Euclidean fit of a
positive matrix is positive (Perron-Frobenius), and AdaX's raw accumulator overflows float64 at
step 7 098 183 while its moving-average form cannot. AdaX also drops the bias correction of the
momentum; neither article analyses that, and it is not checked here.
"""
import functools
import math
import random
from fractions import Fraction as F

import mpmath as mp
import numpy as np
import sympy as sp

from derivcheck import Estimate, agrees, bound, chain, claim, identity, section
from derivcheck.figures import nstr, pyplot
from numerics.precision import stable
from numerics import adafactor_adax as na

SEED_F, SEED_X = 7302, 7387           # AdaFactor's and AdaX's archive numbers
ADAM_B2, C_DEF = F(999, 1000), F("0.8")
ADAX_B2 = F(1, 10**4)   # mutate: equivalent (AdaX's default; the recursion identities that read it hold for every beta_2 > 0, and the claims whose numbers depend on it type those numbers)
T_REF = (1, 2, 10, 100, 10**3, 10**4, 10**5)
C_SMALL = ((1, 2), (3, 4))   # mutate: equivalent (a test instance: any positive matrix is as valid for the Newton and SVD cross-checks)
SYM = dict(points=20, dps=(30, 50))    # the default cross-check: 20 seeded points at 30 and 50 digits


def exp_as_powers(e):
    """exp(k log t) written as t^k, powers of products split, then one fraction (exact rewriting:
    a cheaper stage than simplify for N10 and N11's power identities)."""
    return sp.cancel(sp.expand(sp.powsimp(e.rewrite(sp.exp)), power_base=True))


@functools.lru_cache(maxsize=None)
def c_random():
    """The reference random positive 5 x 7 matrix (entries in [0.1, 2], three decimals, seeded)."""
    rng = np.random.default_rng(SEED_F)
    return tuple(tuple(F(str(round(float(v), 3))) for v in row) for row in rng.uniform(0.1, 2.0, (5, 7)))


def sym_matrix(m, n, name="c", **assume):
    return sp.Matrix(m, n, lambda i, j: sp.Symbol(f"{name}{i + 1}{j + 1}", **(assume or {"positive": True})))


def idiv(C, a, b):
    """l(a, b) = sum_ij c_ij log(c_ij / (a_i b_j)) - c_ij + a_i b_j, as the article writes it."""
    return sum(C[i, j] * sp.log(C[i, j] / (a[i] * b[j])) - C[i, j] + a[i] * b[j]
               for i in range(C.rows) for j in range(C.cols))


def margins(C):
    r = [sum(C[i, :]) for i in range(C.rows)]
    s = [sum(C[:, j]) for j in range(C.cols)]
    return r, s, sum(r)


# --- N1-N6: the I-divergence and its rank-1 optimum --------------------------------------------------

p, q, x, s_ = sp.symbols("p q x s", positive=True)
phi = x * sp.log(x) - x + 1                       # x log x >= x - 1, equality iff x = 1


@claim("N1", r"$p\log(p/q)-p+q=q\,\phi(p/q)$ with $\phi(x)=x\log x-x+1$; $\phi(1)=\phi'(1)=0$, $\phi''=1/x>0$ and $\phi(x)=\int_1^x\frac{x-s}{s}ds\ge0$ (the integrand has the sign of $x-s$), so the I-divergence is $\ge0$ with equality iff $p=q$", **SYM)
def N1():
    return [identity(p * sp.log(p / q) - p + q, q * phi.subs(x, p / q), "p log(p/q) - p + q = q phi(p/q)"),
            identity(phi.subs(x, 1), 0, "phi(1) = 0"),
            identity(sp.diff(phi, x).subs(x, 1), 0, "phi'(1) = 0"),
            identity(sp.diff(phi, x, 2), 1 / x, "phi'' = 1/x"),
            identity(phi, sp.integrate((x - s_) / s_, (s_, 1, x)), "Taylor with integral remainder")]


@claim("N1-bound", r"$\phi(x)=x\log x-x+1\ge0$ for $x>0$, tight at $x=1$ (interval branch and bound on $[0,30]$, exact tail beyond; a second route to N1)",
       tag="exact", slow=True)
def N1_bound():
    return [bound(0, phi, domain={x: (0, sp.oo)}, tight=({x: 1},), label="phi >= 0"),
            identity(phi.subs(x, 1), 0, "equality at x = 1")]


@claim("N2", r"stationarity: $\partial l/\partial a_i=\sum_j(b_j-c_{ij}/a_i)$, $\partial l/\partial b_j=\sum_i(a_i-c_{ij}/b_j)$ (symbolic $2\times2$ and $2\times3$ $C$)", **SYM)
def N2():
    out = []
    for m, n in ((2, 2), (2, 3)):   # mutate: equivalent (the partial derivatives hold for every size)
        C, a, b = sym_matrix(m, n), sp.symbols(f"a1:{m + 1}", positive=True), sp.symbols(f"b1:{n + 1}", positive=True)
        l = idiv(C, a, b)
        out.append(identity(sp.Matrix([sp.diff(l, ai) for ai in a]),
                            sp.Matrix([sum(b[j] - C[i, j] / a[i] for j in range(n)) for i in range(m)]), f"dl/da, {m}x{n}"))
        out.append(identity(sp.Matrix([sp.diff(l, bj) for bj in b]),
                            sp.Matrix([sum(a[i] - C[i, j] / b[j] for i in range(m)) for j in range(n)]), f"dl/db, {m}x{n}"))
    return out + [_idiv_at_a_point()]


lam = sp.Symbol("lambda", positive=True)


@claim("N3", r"scale ambiguity: $l(\lambda a,b/\lambda)=l(a,b)$ for $\lambda>0$ (symbolic $2\times3$)", **SYM)
def N3():
    C, a, b = sym_matrix(2, 3), sp.symbols("a1:3", positive=True), sp.symbols("b1:4", positive=True)
    return [identity(idiv(C, [lam * v for v in a], [v / lam for v in b]), idiv(C, a, b), "l(lambda a, b/lambda)"),
            _idiv_at_a_point()]


def _idiv_at_a_point():
    """l as printed, term by term, at one point: the definition that N2 and N3 differentiate and rescale."""
    C0 = sp.Matrix([[1, 2, 3], [4, 5, 6]])
    return identity(idiv(C0, [1, 2], [1, 1, 1]),
                    (2 * sp.log(2) + 3 * sp.log(3) + 4 * sp.log(2) + 5 * sp.log(sp.Rational(5, 2))
                     + 6 * sp.log(3)) - 21 + 9, "l at C = (1 2 3; 4 5 6), a = (1, 2), b = (1, 1, 1)")


@claim("N4", r"$a_i=\sum_jc_{ij}$, $b_j=\sum_ic_{ij}/\sum_{ij}c_{ij}$ solve the stationarity equations: all $m+n$ partials vanish (symbolic $2\times3$)", **SYM)
def N4():
    C, a, b = sym_matrix(2, 3), sp.symbols("a1:3", positive=True), sp.symbols("b1:4", positive=True)
    r, s, T = margins(C)
    opt = {**dict(zip(a, r)), **{b[j]: s[j] / T for j in range(3)}}
    grad = sp.Matrix([sum(b[j] - C[i, j] / a[i] for j in range(3)) for i in range(2)]
                     + [sum(a[i] - C[i, j] / b[j] for i in range(2)) for j in range(3)])     # N2's partials
    return identity(grad.subs(opt), sp.zeros(5, 1), "the partials at the closed form")


@claim("N4-convex", r"in log-coordinates $a=e^\alpha$, $b=e^\beta$: $l=\sum c(\log c-\alpha_i-\beta_j)-c+e^{\alpha_i+\beta_j}$, Hessian $\sum_{ij}e^{\alpha_i+\beta_j}(e_i+f_j)(e_i+f_j)^\top$, so $z^\top Hz=\sum e^{\alpha_i+\beta_j}(z_i+z'_j)^2\ge0$ with equality only along the scale orbit $(1,\dots,1,-1,\dots,-1)$: every stationary point is a global minimum and the minimisers are exactly the orbit of N3 (symbolic $2\times3$)",
       tag="extension", **SYM)
def N4_convex():
    m, n = 2, 3
    C = sym_matrix(m, n)
    al, be = sp.symbols(f"alpha1:{m + 1}", real=True), sp.symbols(f"beta1:{n + 1}", real=True)
    L = sum(C[i, j] * (sp.log(C[i, j]) - al[i] - be[j]) - C[i, j] + sp.exp(al[i] + be[j]) for i in range(m) for j in range(n))
    unit = lambda k: sp.Matrix([1 if r == k else 0 for r in range(m + n)])
    H = sum((sp.exp(al[i] + be[j]) * (unit(i) + unit(m + j)) * (unit(i) + unit(m + j)).T
             for i in range(m) for j in range(n)), sp.zeros(m + n, m + n))
    z = sp.Matrix(sp.symbols(f"z1:{m + n + 1}", real=True))
    orbit = sp.Matrix([1] * m + [-1] * n)
    return [identity(L, idiv(C, [sp.exp(v) for v in al], [sp.exp(v) for v in be]), "l in log-coordinates"),
            identity(sp.hessian(L, al + be), H, "Hessian = sum of rank-one PSD terms"),
            identity((z.T * H * z)[0], sum(sp.exp(al[i] + be[j]) * (z[i] + z[m + j]) ** 2 for i in range(m) for j in range(n)),
                     "z' H z is a sum of squares"),
            identity(H * orbit, sp.zeros(m + n, 1), "the scale orbit is in the kernel")]


def _starts(m, n, count, seed):
    rng = random.Random(seed)
    return [([rng.uniform(-3, 3) for _ in range(m)], [rng.uniform(-3, 3) for _ in range(n)]) for _ in range(count)]


@functools.lru_cache(maxsize=None)
def newton_runs(which, count, dps):
    C = C_SMALL if which == "2x2" else c_random()
    m, n = len(C), len(C[0])
    runs = [na.idiv_newton(C, al, be, dps=dps) for al, be in _starts(m, n, count, SEED_F + m)]
    return C, runs


def newton_gaps(which, count, dps):
    C, runs = newton_runs(which, count, dps)
    a, b, loss = na.idiv_rank1_optimum(C, dps=dps)
    with mp.workdps(dps):
        dl = max(abs(r[2] - loss) for r in runs)
        dp = max(abs(r[0][i] * r[1][j] - a[i] * b[j]) for r in runs
                 for i in range(len(a)) for j in range(len(b)))
        spread = max(r[2] for r in runs) - min(r[2] for r in runs)   # mutate: skip (the spread is shown in the report, not tested)
    return loss, dl, dp, spread, max(r[3] for r in runs)


def _newton_links(dps, counts):
    out = []
    for which, count in counts:
        loss, dl, dp, spread, its = newton_gaps(which, count, dps)
        tag = f"{which}: {count} starts, at most {its} Newton steps"
        out.append(agrees(Estimate(dl, 0, f"{tag}, max |l_Newton - l*|", dps, 20, SEED_F), 0, atol=mp.mpf(10) ** -20,
                          scale=loss, label=f"{which}: loss"))
        out.append(agrees(Estimate(dp, 0, f"{tag}, max |a_i b_j - r_i s_j / T|", dps, 20, SEED_F), 0,
                          atol=mp.mpf(10) ** -20, scale=1, label=f"{which}: product a b^T"))
    return out


@claim("N4-newton", r"damped Newton in log-coordinates (gauge $\beta_n=0$) from seeded random starts in $[-3,3]$, at 30 digits (20 starts for $C=\begin{pmatrix}1&2\\3&4\end{pmatrix}$, 5 for the random $5\times7$ matrix), converges to $l^*$ of the closed form within $10^{-20}$, and $a_ib_j$ to $r_is_j/T$ within $10^{-20}$",
       tag="numeric", dps=(30,))
def N4_newton(dps):
    return _newton_links(dps, (("2x2", 20), ("5x7", 5)))   # mutate: equivalent (numbers of random starts)


@claim("N4-newton-deep", r"as N4-newton with 20 starts for the random $5\times7$ matrix, at 30 and 50 digits",
       tag="numeric", dps=(30, 50), slow=True)
def N4_newton_deep(dps):
    return _newton_links(dps, (("5x7", 20),))   # mutate: equivalent (a number of random starts)


def _factored_update(g, eps1):
    """float64: g / sqrt(rank-1 fit of g^2 + eps1), the fit from row and column sums (S5)."""
    g2 = np.asarray(g, dtype=float) ** 2 + eps1
    r, s = g2.sum(axis=1), g2.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(g, dtype=float) / np.sqrt(np.outer(r, s) / s.sum())


@claim("N4-eps", r"the factored update $g/\sqrt{v}$, $v$ the rank-1 fit of $g^2$, stays finite without AdaFactor's $\epsilon_1$ when a row of the gradient is zero ($g=\begin{pmatrix}0&0\\1&2\end{pmatrix}$, float64)",
       tag="extension", expected="REFUTED", finding="pitfall", dps=(15,),
       why=r"a zero row of $g^2$ has row sum 0, so the fit's row is 0 and the update is $0/0=$ nan; with $\epsilon_1=10^{-30}$ added to $g^2$ (as AdaFactor does, before factoring) every row sum is positive and the update is finite (0 on that row)")
def N4_eps():
    g = [[0.0, 0.0], [1.0, 2.0]]
    with_eps, without = _factored_update(g, 1e-30), _factored_update(g, 0.0)
    return [agrees(Estimate(int(np.all(np.isfinite(with_eps))), 0, f"eps1 = 1e-30: update {with_eps.tolist()}"), 1,
                   label="with eps1: finite"),
            agrees(Estimate(int(np.all(np.isfinite(without))), 0, f"eps1 = 0: update {without.tolist()}"), 1,
                   label="without eps1: finite", expect="REFUTED")]


@claim("N5", r"the marginal reading: $a_ib_j=r_is_j/T=T\,\hat r_i\hat s_j$, $\hat r,\hat s$ the marginals of $\hat c=C/T$ (symbolic $2\times3$)", **SYM)
def N5():
    C = sym_matrix(2, 3)
    r, s, T = margins(C)
    rh, sh, _ = margins(C / T)
    return [identity(sp.Matrix(rh), sp.Matrix(r) / T, "row marginal of c_hat = r/T"),
            identity(sp.Matrix(sh), sp.Matrix(s) / T, "column marginal of c_hat = s/T"),
            identity(sp.Matrix(2, 3, lambda i, j: r[i] * (s[j] / T)),
                     sp.Matrix(2, 3, lambda i, j: T * (r[i] / T) * (s[j] / T)), "a_i b_j = T r_hat_i s_hat_j")]


@claim("N6", r"the minimum value: $l^*=l(r,s/T)=T\cdot I(\hat c)$, the total mass times the mutual information of $\hat c$; and $l^*=0$ for every rank-1 $C=uv^\top$ (symbolic $2\times2$, rank-1 $2\times3$)",
       tag="extension", **SYM)
def N6():
    C = sym_matrix(2, 2)
    r, s, T = margins(C)
    rh, sh = [v / T for v in r], [v / T for v in s]
    TI = T * sum((C[i, j] / T) * sp.log((C[i, j] / T) / (rh[i] * sh[j])) for i in range(2) for j in range(2))
    u, v = sp.symbols("u1:3", positive=True), sp.symbols("v1:4", positive=True)
    R = sp.Matrix(2, 3, lambda i, j: u[i] * v[j])
    rr, ss, TT = margins(R)
    rf, sf, Tf = [ui * sum(v) for ui in u], [vj * sum(u) for vj in v], sum(u) * sum(v)   # factorised margins
    return [identity(idiv(C, r, [v / T for v in s]), TI, "l* = T I(c_hat)"),
            identity(sp.Matrix(rr + ss + [TT]), sp.Matrix(rf + sf + [Tf]), "rank 1: r = u sum(v), s = v sum(u), T = sum(u) sum(v)"),
            identity(idiv(R, rf, [vj / Tf for vj in sf]), 0, "rank 1: l* = 0")]


def _test_matrices(count=12, seed=SEED_F):
    """Seeded integer matrices 2x2 .. 4x5 with entries in 0..9, some zeros, positive margins."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        m, n = int(rng.integers(2, 5)), int(rng.integers(2, 6))
        M = rng.integers(0, 10, size=(m, n))
        if M.sum(axis=0).min() > 0 and M.sum(axis=1).min() > 0:
            out.append(M.tolist())
    return out


@claim("N6-num", r"$l^*$ from the closed form (`idiv_rank1_optimum`) equals $T\cdot I(\hat c)$ computed from the normalised matrix and equals $l(a,b)$ evaluated directly, on 12 seeded integer matrices with zero entries, within $10^{-25}$ relative; rank-1 inputs give $l^*=0$ within $10^{-25}$; $C=I_2$ gives $2\log2$",
       tag="numeric", dps=(30,))
def N6_num(dps):
    out = []
    worst_mi = worst_l = mp.mpf(0)
    with mp.workdps(dps):
        for M in _test_matrices():
            a, b, loss = na.idiv_rank1_optimum(M, dps=dps)
            worst_mi = max(worst_mi, abs(loss - na.mutual_information_mass(M, dps=dps)) / loss)
            worst_l = max(worst_l, abs(loss - na.idiv_loss(M, a, b, dps=dps)) / loss)
        tol = mp.mpf(10) ** -(dps - 5)
        out.append(agrees(Estimate(worst_mi, 0, "max rel. |l* - T I(c_hat)| over 12 matrices", dps, 12, SEED_F), 0,
                          atol=tol, scale=1, label="closed form = T I(c_hat)"))
        out.append(agrees(Estimate(worst_l, 0, "max rel. |l* - l(a, b)| over 12 matrices", dps, 12, SEED_F), 0,
                          atol=tol, scale=1, label="closed form = l(a, b) evaluated directly"))
        ranks1 = [[[u * v for v in (1, 2, 5)] for u in (1, 3)], [[F(1, 3) * u * v for v in (2, F(1, 2))] for u in (7, 1, 2)]]
        worst = max(abs(na.idiv_loss(R, *na.idiv_rank1_optimum(R, dps=dps)[:2], dps=dps)) for R in ranks1)
        out.append(agrees(Estimate(worst, 0, "max |l(a, b)| at the closed form, two rank-1 matrices", dps), 0,
                          atol=tol, scale=1, label="rank 1: l* = 0"))
        out.append(agrees(Estimate(na.idiv_rank1_optimum([[1, 0], [0, 1]], dps=dps)[2], 0, "l* of I_2", dps),
                          2 * mp.log(2), rtol=tol, label="C = I_2 (zeros, 0 log 0 = 0)"))
    return out


# --- N7: the Euclidean alternative --------------------------------------------------------------------

@claim("N7", r"Perron-Frobenius for $2\times2$ $C\ge0$: $CC^\top=\begin{pmatrix}P&Q\\Q&R\end{pmatrix}$ has the top eigenvector $(Q,\lambda_+-P)$ with $(\lambda_+-P)(\lambda_+-R)=Q^2\ge0$ and $(\lambda_+-P)+(\lambda_+-R)=\sqrt{(P-R)^2+4Q^2}\ge0$, so both entries are $\ge0$, and $v_1\propto C^\top u_1\ge0$: a non-negative Euclidean optimum $\sigma_1u_1v_1^\top$ exists (symbolic)",
       tag="extension", **SYM)
def N7():
    C = sym_matrix(2, 2, nonnegative=True)
    G = C * C.T
    P_, Q_, R_ = G[0, 0], G[0, 1], G[1, 1]
    D = sp.sqrt((P_ - R_) ** 2 + 4 * Q_**2)
    lp = (P_ + R_ + D) / 2
    e = sp.Matrix([Q_, lp - P_])
    return [identity(G * e, lp * e, "C C^T e = lambda_+ e"),
            identity((lp - P_) * (lp - R_), Q_**2, "product of the two gaps"),
            identity((lp - P_) + (lp - R_), D, "sum of the two gaps")]


@functools.lru_cache(maxsize=None)
def euclid_sample(count=60, dps=30, seed=SEED_F):
    """Power iteration against numpy's SVD on seeded matrices (even k: positive, odd k: integer
    with zeros). Returns the max rel. gaps of sigma_1, of the optimum (simple sigma_1 only) and of
    the Eckart-Young loss, the smallest entry / largest of the optimum for positive matrices and
    for matrices with zeros, and the number of matrices with a repeated top singular value."""
    rng = np.random.default_rng(seed)
    gs = gp = gl = 0.0
    pos_min, zero_min, repeated = math.inf, math.inf, 0
    for k in range(count):
        m, n = int(rng.integers(2, 6)), int(rng.integers(2, 7))
        M = rng.uniform(0.01, 3, (m, n)) if k % 2 == 0 else rng.integers(0, 4, (m, n)).astype(float)
        if M.sum(axis=0).min() == 0 or M.sum(axis=1).min() == 0:
            continue
        sig, u, v, _ = na.euclid_rank1([[F(str(x_)) for x_ in row] for row in M.tolist()], dps=dps)
        U, S, Vt = np.linalg.svd(M)
        prod = np.array([[float(sig * ui * vj) for vj in v] for ui in u])
        gs = max(gs, abs(float(sig) - S[0]) / S[0])
        gl = max(gl, abs(float(np.sum((M - prod) ** 2)) - float(np.sum(S[1:] ** 2))) / float(np.sum(M**2)))
        if len(S) > 1 and S[0] - S[1] < 1e-9 * S[0]:
            repeated += 1                          # the optimum is not unique: nothing to compare
        else:
            ref = S[0] * np.outer(U[:, 0], Vt[0])
            gp = max(gp, float(np.abs(prod - ref).max() / np.abs(ref).max()))
        ratio = float(prod.min() / prod.max())
        if k % 2 == 0:
            pos_min = min(pos_min, ratio)
        else:
            zero_min = min(zero_min, ratio)
    return gs, gp, gl, pos_min, zero_min, repeated


def _within(gap):
    """A float64 relative gap as text: below 1e-13 (rounding noise, which depends on the LAPACK) as that bound."""
    txt = stable(gap, 2, noise=1e-13)
    return "within 1e-13 relative, i.e. to rounding," if txt.startswith("|x|") else f"to {txt} relative"


@claim("N7-num", r"power iteration on $CC^\top$ from a positive start (30 digits) against numpy's SVD on 60 seeded matrices (positive, and integer with zeros): $\sigma_1$ and, where $\sigma_1$ is simple, $\sigma_1u_1v_1^\top$ agree within $10^{-12}$, $\|C-\sigma_1u_1v_1^\top\|_F^2=\sum_{k\ge2}\sigma_k^2$ (Eckart-Young), and no entry of the optimum is negative",
       tag="numeric", dps=(30,))
def N7_num(dps):
    gs, gp, gl, pos_min, zero_min, repeated = euclid_sample(dps=dps)
    return [agrees(Estimate(gs, 0, "max rel. gap of sigma_1, power iteration vs numpy SVD", None, 60, SEED_F), 0,
                   atol=1e-12, scale=1, label="sigma_1"),
            agrees(Estimate(gp, 0, f"max rel. gap of sigma_1 u_1 v_1^T ({repeated} matrices with a repeated sigma_1 left out)",
                            None, 60, SEED_F), 0, atol=1e-12, scale=1, label="the optimum"),
            agrees(Estimate(gl, 0, "max rel. gap of the Frobenius loss to sum_k>=2 sigma_k^2", None, 60, SEED_F), 0,
                   atol=1e-12, scale=1, label="Eckart-Young loss"),
            agrees(Estimate(int(min(pos_min, zero_min) < 0), 0,
                            f"smallest entry / largest: {pos_min:.3g} (positive C), {zero_min:.3g} (C with zeros)"), 0,
                   label="no negative entry")]


th = sp.Symbol("theta", real=True)


@claim("N7-degenerate", r"the degenerate case $C=I_2$ ($\sigma_1=\sigma_2=1$): every $ww^\top$, $w=(\cos\theta,\sin\theta)$, is a Euclidean optimum ($\|I-ww^\top\|_F^2=1$), and $\theta=-\pi/4$ has off-diagonal entries $-\tfrac12$",
       tag="extension", simplifiers=(sp.trigsimp,), **SYM)
def N7_degenerate():
    w = sp.Matrix([sp.cos(th), sp.sin(th)])
    E = sp.eye(2) - w * w.T
    wm = w.subs(th, -sp.pi / 4)
    return [identity(sum(e**2 for e in E), 1, "||I - w w^T||_F^2 = 1 for every theta"),
            identity((wm * wm.T)[0, 1], -sp.Rational(1, 2), "theta = -pi/4: a negative entry")]


@claim("N7-neg", r"the article (S3): a Euclidean rank-1 fit 'may produce negative entries'; checked on the matrices AdaFactor factors ($g^2+\epsilon_1>0$): some of 30 seeded positive matrices, or the two reference matrices, has a Euclidean optimum with a negative entry",
       tag="extension", expected="REFUTED", finding="article-error", dps=(30,),
       why=r"for a positive matrix the top singular value is simple and $u_1,v_1$ are positive (Perron-Frobenius; N7), so the optimum $\sigma_1u_1v_1^\top$ is entrywise positive (smallest entry / largest entry 0.0168 on the sample, 0.312 and 0.323 for the reference matrices); negative entries need a repeated top singular value of a matrix with zeros ($C=I_2$, N7-degenerate) or come from the iterates of a fitting algorithm. The article's other reason, no closed form (the fit needs an eigenvector), stands")
def N7_neg(dps):
    pos_min = euclid_sample(dps=dps)[3]
    refs = [C_SMALL, c_random()]
    ref_min = min(float(min(s * ui * vj for ui in u for vj in v) / max(s * ui * vj for ui in u for vj in v))
                  for s, u, v, _ in (na.euclid_rank1(C, dps=dps) for C in refs))
    return agrees(Estimate(int(min(pos_min, ref_min) < 0), 0,
                           f"smallest entry / largest: {pos_min:.3g} (sample), {ref_min:.3g} (reference matrices)"), 1,
                  label="a negative entry occurs")


# --- N8-N11: Adam, the running mean and AdaFactor's schedule -----------------------------------------------

b2, P, vh, g2, tt = sp.symbols("beta_2 P vhat g2 t", positive=True)   # P = beta2^(t-1) or (1+beta2)^(t-1)
adam_bhat = b2 * (1 - P) / (1 - b2 * P)                 # the article's hat beta_{2,t}, beta2^t = beta2 P
adax_bhat = 1 - b2 / ((1 + b2) * P - 1)                 # AdaX's, (1+beta2)^t = (1+beta2) P


@claim("N8", r"Adam: $\hat v_t=v_t/(1-\beta_2^t)$ with $v_t=\beta_2v_{t-1}+(1-\beta_2)g_t^2$ is the moving average $\hat\beta_{2,t}\hat v_{t-1}+(1-\hat\beta_{2,t})g_t^2$, $\hat\beta_{2,t}=\beta_2(1-\beta_2^{t-1})/(1-\beta_2^t)$ ($P=\beta_2^{t-1}$)", **SYM)
def N8():
    return chain(("raw recursion, v_{t-1} = vhat_{t-1}(1 - P), divided by 1 - beta2^t",
                  (b2 * vh * (1 - P) + (1 - b2) * g2) / (1 - b2 * P)),
                 ("the moving average with the article's hat beta", adam_bhat * vh + (1 - adam_bhat) * g2))


def _rational_g2(count, seed):
    rng = random.Random(seed)
    return [F(rng.randint(1, 10**4), 10**3) for _ in range(count)]   # mutate: equivalent (another seeded sample of g^2 is as valid)


def adam_bhat_exact(t, b):
    return b * (1 - b ** (t - 1)) / (1 - b**t)


def adax_bhat_exact(t, b):
    return 1 - b / ((1 + b) ** t - 1)


def _exact_run(raw, bhat, steps=300):
    """(max |raw - moving average| over the steps, last raw, last average), in Fractions."""
    g = _rational_g2(steps, SEED_F)
    v = (raw(g), na.run_ema(g, [1 - bhat(t) for t in range(1, steps + 1)]))
    return max(abs(x_ - y_) for x_, y_ in zip(*v)), v[0][-1], v[1][-1]


@functools.lru_cache(maxsize=None)
def exact_adam():
    """Adam, beta2 = 999/1000."""
    return _exact_run(lambda g: na.run_adam_raw(g, ADAM_B2), lambda t: adam_bhat_exact(t, ADAM_B2))


@functools.lru_cache(maxsize=None)
def exact_adax():
    """AdaX, beta2 = 1e-4."""
    return _exact_run(lambda g: na.run_adax_raw(g, ADAX_B2), lambda t: adax_bhat_exact(t, ADAX_B2))


def exact_runs():
    return {"adam": exact_adam(), "adax": exact_adax()}


@claim("N8-exact", r"Fractions, $\beta_2=999/1000$, 300 seeded rational $g_t^2$: the raw recursion and the moving average with the article's $\hat\beta_{2,t}$ are identical at every step",
       tag="exact", scope="instances", dps=(30,))
def N8_exact():
    gap, raw, ema = exact_adam()
    return [identity(sp.Rational(gap.numerator, gap.denominator), 0, "max over 300 steps |raw - moving average|"),
            identity(sp.Rational(raw.numerator, raw.denominator), sp.Rational(ema.numerator, ema.denominator), "hat v_300")]


@functools.lru_cache(maxsize=None)
def _mp_run(kind, beta2, seed, steps, dps):
    """max rel. gap between the raw recursion at ``dps`` and the moving average with the stable
    1 - hat beta (expm1/log1p) at ``dps``."""
    rng = random.Random(seed)
    with mp.workdps(dps):
        g = [mp.mpf(rng.uniform(0.01, 10)) for _ in range(steps)]
        b = na._mpf(beta2)
        raw = na.run_adax_raw(g, b) if kind == "adax" else na.run_adam_raw(g, b)
        om = [na.one_minus_beta_hat(kind, t, beta2, dps) for t in range(1, steps + 1)]
        ema = na.run_ema(g, om)
        return max(abs(x_ - y_) / abs(y_) for x_, y_ in zip(raw, ema))


def mp_adam(steps=2000, dps=50):
    return _mp_run("adam", ADAM_B2, SEED_F, steps, dps)


def mp_adax(steps=2000, dps=50):
    return _mp_run("adax", ADAX_B2, SEED_X, steps, dps)


def mp_runs(kind, steps=2000, dps=50):
    return mp_adax(steps, dps) if kind == "adax" else mp_adam(steps, dps)


@claim("N8-mp", r"2000 steps at 50 digits: Adam's raw recursion and the moving average ($1-\hat\beta_{2,t}$ from expm1) differ by less than $10^{-45}$ relative at every step",
       tag="numeric", dps=(50,))
def N8_mp(dps):
    return agrees(Estimate(mp_adam(2000, dps), 0, "max rel. gap over 2000 steps", dps, 2000, SEED_F), 0,
                  atol=mp.mpf(10) ** -45, scale=1, label="raw = moving average")


u_ = sp.Symbol("u", positive=True)                  # beta2 = 1/(1+u) in (0, 1)


@claim("N9", r"Adam's endpoints: $\hat\beta_{2,1}=0$; $\beta_2-\hat\beta_{2,t}=(1-\beta_2)\beta_2^t/(1-\beta_2^t)$ exactly, so $\hat\beta_{2,t}\to\beta_2$ (not 1) for $0<\beta_2<1$, the gap decaying like $\beta_2^t$",
       tag="asymptotic", **SYM)
def N9():
    bb = 1 / (1 + u_)
    t_ = sp.Symbol("t", positive=True)
    return [identity(adam_bhat.subs(P, 1), 0, "t = 1: P = beta2^0 = 1"),
            identity(b2 - adam_bhat, (1 - b2) * (b2 * P) / (1 - b2 * P), "the gap, beta2^t = beta2 P"),
            identity(sp.limit(bb * (1 - bb ** (t_ - 1)) / (1 - bb**t_), t_, sp.oo), bb, "limit t -> oo, beta2 = 1/(1+u)")]


N9_BETAS = (F("0.9"), F("0.999"))


def n9_rows(dps=30):
    """(beta2, t, gap from the exact form, gap by subtraction of the article's formula at dps)."""
    rows = []
    with mp.workdps(dps):
        for b in N9_BETAS:
            bm = na._mpf(b)
            for k in range(1, 7):
                t = 10**k
                exact = (1 - bm) * bm**t / (1 - bm**t)
                sub = bm - bm * (1 - bm ** (t - 1)) / (1 - bm**t)
                rows.append((b, t, exact, sub))
    return rows


@claim("N9-num", r"$\beta_2\in\{0.9,0.999\}$: $\hat\beta_{2,1}=0$ in Fractions; $t=10^k$ ($k=1..6$), 30 digits: the subtraction $\beta_2-\hat\beta_{2,t}$ of the article's formula matches the exact gap $(1-\beta_2)\beta_2^t/(1-\beta_2^t)$ within $10^{-25}$ wherever the gap exceeds $10^{-24}$ (elsewhere the subtraction returns 0: 0.9 from $t=10^3$, 0.999 from $t=10^5$)",
       tag="numeric", dps=(30,))
def N9_num(dps):
    out = [identity(sp.Rational(adam_bhat_exact(1, b)), 0, f"beta2 = {b}: hat beta_1 in Fractions") for b in N9_BETAS]
    for b, t, exact, sub in n9_rows(dps):
        if exact > mp.mpf(10) ** -(dps - 6):
            out.append(agrees(Estimate(sub, 0, "beta2 - hat beta by subtraction", dps), exact, atol=mp.mpf(10) ** -(dps - 5),
                              label=f"beta2 = {b}, t = {t}"))
        else:
            out.append(agrees(Estimate(sub, 0, f"subtraction; exact gap {mp.nstr(exact, 3)}", dps), 0, atol=0, scale=1,
                              label=f"beta2 = {b}, t = {t}: below the precision, the subtraction gives 0"))
    return out


@claim("N10", r"the running mean $\frac1t\sum_{i\le t}g_i^2$ is the moving average with $\hat\beta_{2,t}=1-1/t$; $1-t^{-c}$ is 0 at $t=1$ and tends to 1 for $c>0$; for $0<c<1$, $t\ge2$: $(1-t^{-1})-(1-t^{-c})=t^{-1}(t^{1-c}-1)$ and $t^{1-c}-1=\int_0^{(1-c)\log t}e^sds>0$",
       simplifiers=(exp_as_powers,), **SYM)
def N10():
    S, c = sp.Symbol("S", positive=True), sp.Symbol("c", positive=True)
    t_ = sp.Symbol("t", positive=True)
    return [identity((1 - 1 / t_) * S / (t_ - 1) + g2 / t_, (S + g2) / t_, "running mean: hat v_{t-1} = S/(t-1)"),
            identity(1 - sp.Integer(1) ** (-c), 0, "1 - 1^-c = 0"),
            identity(sp.limit(1 - t_ ** (-c), t_, sp.oo), 1, "1 - t^-c -> 1"),
            identity((1 - 1 / t_) - (1 - t_ ** (-c)), (t_ ** (1 - c) - 1) / t_, "difference of the schedules"),
            identity(t_ ** (1 - c) - 1, sp.integrate(sp.exp(s_), (s_, 0, (1 - c) * sp.log(t_))), "t^(1-c) - 1 as an integral")]


@claim("N10-bound", r"$1-t^{-c}<1-t^{-1}$ for $c\in[0.01,0.99]$, $t\ge2$ (interval branch and bound on $t\le30$, seeded search beyond; a second route to N10's inequality); the bound is sharp near $c=1$: the margin at $t=2$, $c=0.99$ is below $0.004$",
       tag="exact")
def N10_bound():
    t_, c = sp.Symbol("t", positive=True), sp.Symbol("c", positive=True)
    lhs, rhs = 1 - t_ ** (-c), 1 - 1 / t_
    margin = (rhs - lhs).subs({t_: 2, c: sp.Rational(99, 100)})
    return [bound(lhs, rhs, strict=True, domain={t_: (2, sp.oo), c: (sp.Rational(1, 100), sp.Rational(99, 100))},
                  label="AdaFactor's schedule below the running mean"),
            agrees(Estimate(mp.mpf(sp.N(margin, 30)), 0, "(1 - 1/t) - (1 - t^-c) at t = 2, c = 0.99", 30), 0,
                   atol=mp.mpf("0.004"), scale=mp.mpf("0.04"), label="sharp near c = 1")]


i_, c_, Q_ = sp.symbols("i c Q", positive=True)


@claim("N11", r"weights $w_{t,i}=(1-\hat\beta_{2,i})\prod_{k>i}\hat\beta_{2,k}$ sum to $1-\prod_k\hat\beta_{2,k}=1$ when $\hat\beta_{2,1}=0$; AdaFactor: $w_{t,i+1}/w_{t,i}=\big(\tfrac i{i+1}\big)^c/(1-(i+1)^{-c})$, $=1$ at $c=1$; for $c<1$, $(\tfrac i{i+1})^c>\tfrac i{i+1}>1-(i+1)^{-c}$ (with $c=1-d$ the differences are $\tfrac i{i+1}((1+\tfrac1i)^d-1)$ and $((i+1)^d-1)/(i+1)$, positive for $d>0$), so the ratio is $>1$: recent gradients weigh more; for $c>1$ every inequality flips",
       tag="extension", simplifiers=(exp_as_powers,), **SYM)
def N11():
    Sm, bh = sp.symbols("S bhat", positive=True)
    wi = i_ ** (-c_) * (1 - (i_ + 1) ** (-c_)) * Q_           # Q = prod_{k=i+2}^t (1 - k^-c)
    wi1 = (i_ + 1) ** (-c_) * Q_
    ratio = (i_ / (i_ + 1)) ** c_ / (1 - (i_ + 1) ** (-c_))
    d = sp.Symbol("d", positive=True)                            # c = 1 - d < 1
    return [identity(1 - (bh * Sm + (1 - bh)), bh * (1 - Sm), "induction: 1 - S_t = hat beta_t (1 - S_{t-1})"),
            identity(wi1 / wi, ratio, "ratio of consecutive weights"),
            identity(ratio.subs(c_, 1), 1, "c = 1: uniform"),
            identity((i_ / (i_ + 1)) ** (1 - d) - i_ / (i_ + 1),
                     i_ / (i_ + 1) * (((i_ + 1) / i_) ** d - 1), "(i/(i+1))^c - i/(i+1), c = 1 - d"),
            identity(i_ / (i_ + 1) - (1 - (i_ + 1) ** (-(1 - d))),
                     ((i_ + 1) ** d - 1) / (i_ + 1), "i/(i+1) - (1 - (i+1)^-c), c = 1 - d")]


@claim("N11-bound", r"AdaFactor's consecutive-weight ratio $(\tfrac i{i+1})^c/(1-(i+1)^{-c})>1$ for $c\in[0.05,0.95]$, $i\ge1$ (interval branch and bound, seeded search beyond; a second route to N11's sign); near $c=1$ the bound is close: the ratio at $i=2$, $c=0.95$ is below $1.06$",
       tag="extension", slow=True)
def N11_bound():
    ratio = (i_ / (i_ + 1)) ** c_ / (1 - (i_ + 1) ** (-c_))
    near = ratio.subs({i_: 2, c_: sp.Rational(19, 20)}) - 1
    return [bound(1, ratio, strict=True, domain={i_: (1, sp.oo), c_: (sp.Rational(1, 20), sp.Rational(19, 20))},
                  label="ratio > 1"),
            agrees(Estimate(mp.mpf(sp.N(near, 30)), 0, "ratio - 1 at i = 2, c = 0.95", 30), 0,
                   atol=mp.mpf("0.06"), scale=mp.mpf("0.6"), label="close to the bound near c = 1")]


def schedule_om(kind, t, param, dps):
    """[1 - hat beta_k for k = 1..t] (stable forms)."""
    if kind == "adafactor":
        with mp.workdps(dps + 10):
            c = na._mpf(na.to_fraction(param))
            return [mp.mpf(k) ** -c for k in range(1, t + 1)]
    return [na.one_minus_beta_hat(kind, k, param, dps + 10) for k in range(1, t + 1)]


@functools.lru_cache(maxsize=None)
def weights(kind, t, param, dps=30):
    """w_{t,1..t} for a schedule: closed forms where the article has them, else the product form."""
    if kind == "adax":
        return na.adax_ema_weights(t, param, dps=dps)
    with mp.workdps(dps + 10):
        if kind == "adam":
            b = na._mpf(param)
            w = [(1 - b) * b ** (t - i) / -mp.expm1(t * mp.log(b)) for i in range(1, t + 1)]
        elif kind == "mean":
            w = [mp.mpf(1) / t] * t
        else:
            w = na.ema_weights(schedule_om(kind, t, param, dps))
    with mp.workdps(dps):
        return [+v for v in w]


def impulse(om, k):
    """hat v_t of the moving average fed the unit impulse g_i^2 = delta_ik (i, k from 1); the
    steps before k leave hat v = 0, so the recursion starts at step k."""
    return na.run_ema([1] + [0] * (len(om) - k), om[k - 1:])[-1]


N11_T, N11_T_NUM = 10**4, 2000


@functools.lru_cache(maxsize=None)
def n11_checks(dps=30):
    """Per c: (max rel. gap closed form vs impulse responses at k = 1, t/2; smallest consecutive
    ratio; largest consecutive ratio)."""
    out = {}
    with mp.workdps(dps + 10):
        for c in ("0.5", "0.8", "1.5"):
            om = schedule_om("adafactor", N11_T_NUM, c, dps)
            w = na.ema_weights(om)
            gap = max(abs(impulse(om, k) - w[k - 1]) / w[k - 1] for k in (1, N11_T_NUM // 2))
            ratios = [w[i + 1] / w[i] for i in range(N11_T_NUM - 1)]
            out[c] = (gap, min(ratios), max(ratios), abs(mp.fsum(w) - 1))
    return out


@claim("N11-num", r"exact Fractions for $c=1$ ($t=200$): every weight is $1/t$; at 30 digits for $c\in\{0.5,0.8,1.5\}$, $t=2000$: the product-form weights match the impulse responses of the moving-average recursion at $k=1,t/2$ ($10^{-25}$), sum to 1, and consecutive ratios are all $>1$ for $c<1$, all $<1$ for $c=1.5$",
       tag="numeric", dps=(30,))
def N11_num(dps):
    w = na.ema_weights([F(1, k) for k in range(1, 201)])
    out = [identity(sp.Rational(max(abs(v - F(1, 200)) for v in w)), 0, "c = 1, t = 200: max |w - 1/t| (Fractions)")]
    tol = mp.mpf(10) ** -(dps - 5)
    for c, (gap, lo, hi, sum_gap) in n11_checks(dps).items():
        out.append(agrees(Estimate(gap, 0, "max rel. gap, product form vs impulse response", dps), 0, atol=tol, scale=1,
                          label=f"c = {c}: weights"))
        out.append(agrees(Estimate(sum_gap, 0, "|sum w - 1|", dps), 0, atol=tol, scale=1, label=f"c = {c}: sum"))
        side = lo > 1 if c != "1.5" else hi < 1
        out.append(agrees(Estimate(int(side), 0, f"consecutive ratios in [{mp.nstr(lo, 8)}, {mp.nstr(hi, 8)}]", dps), 1,
                          label=f"c = {c}: ratios {'> 1' if c != '1.5' else '< 1'}"))
    return out


@claim("N11-criterion", r"the endpoint criterion $\hat\beta_{2,1}=0$, $\hat\beta_{2,\infty}=1$ fixes which gradients weigh most: every schedule that meets it, like $c=0.8$, gives the newest gradient more weight than the oldest (checked for $c=1.5$ at $t=10^4$)",
       tag="extension", expected="REFUTED", finding="pitfall", dps=(30,),
       why=r"$1-t^{-1.5}$ meets both endpoints, yet $w_{t,1}/w_{t,t}=1.8\times10^5$ at $t=10^4$ for $c=1.5$ (the oldest weighs most), against $3.1\times10^{-9}$ for $c=0.8$; AdaX meets them too and has $w_{t,1}/w_{t,t}=2.72$ (O3). The criterion leaves the ordering open")
def N11_criterion(dps):
    w8, w15 = weights("adafactor", N11_T, "0.8", dps), weights("adafactor", N11_T, "1.5", dps)
    return [identity(1 - sp.Integer(1) ** (-sp.Rational(3, 2)), 0, "c = 1.5 meets hat beta_1 = 0"),
            identity(sp.limit(1 - tt ** (-sp.Rational(3, 2)), tt, sp.oo), 1, "c = 1.5 meets hat beta_oo = 1"),
            agrees(Estimate(int(w8[-1] > w8[0]), 0, f"c = 0.8: w_oldest/w_newest = {mp.nstr(w8[0] / w8[-1], 4)}", dps), 1,
                   label="c = 0.8: newest heavier"),
            agrees(Estimate(int(w15[-1] > w15[0]), 0, f"c = 1.5: w_oldest/w_newest = {mp.nstr(w15[0] / w15[-1], 4)}", dps), 1,
                   label="c = 1.5: newest heavier", expect="REFUTED")]


# --- O1-O4: AdaX ----------------------------------------------------------------------------------------

@claim("O1", r"AdaX: $\hat v_t=v_t/((1+\beta_2)^t-1)$ with $v_t=(1+\beta_2)v_{t-1}+\beta_2g_t^2$ is the moving average with $\hat\beta_{2,t}=1-\beta_2/((1+\beta_2)^t-1)$ ($P=(1+\beta_2)^{t-1}$)", **SYM)
def O1():
    return chain(("raw recursion, v_{t-1} = vhat_{t-1}(P - 1), divided by (1+beta2)^t - 1",
                  ((1 + b2) * vh * (P - 1) + b2 * g2) / ((1 + b2) * P - 1)),
                 ("the moving average with AdaX's hat beta", adax_bhat * vh + (1 - adax_bhat) * g2))


@claim("O1-exact", r"Fractions, $\beta_2=10^{-4}$, 300 seeded rational $g_t^2$: AdaX's raw recursion and its moving average are identical at every step",
       tag="exact", scope="instances", dps=(30,))
def O1_exact():
    gap, raw, ema = exact_adax()
    return [identity(sp.Rational(gap.numerator, gap.denominator), 0, "max over 300 steps |raw - moving average|"),
            identity(sp.Rational(raw.numerator, raw.denominator), sp.Rational(ema.numerator, ema.denominator), "hat v_300")]


@claim("O1-mp", r"2000 steps at 50 digits: AdaX's raw recursion and the moving average ($1-\hat\beta_{2,t}$ from expm1/log1p) differ by less than $10^{-45}$ relative",
       tag="numeric", dps=(50,))
def O1_mp(dps):
    return agrees(Estimate(mp_adax(2000, dps), 0, "max rel. gap over 2000 steps", dps, 2000, SEED_X), 0,
                  atol=mp.mpf(10) ** -45, scale=1, label="raw = moving average")


xx = sp.Symbol("x", positive=True)                    # x = t log(1 + beta2)


@claim("O2", r"AdaX's endpoints: $\hat\beta_{2,1}=0$ exactly and $\hat\beta_{2,t}\to1$; for $\beta_2t\ll1$: $1-\hat\beta_{2,t}=\frac1t-\frac{t-1}{2t}\beta_2+O(\beta_2^2)$ (the running mean, $c=1$); for $\beta_2t\gg1$: $1-\hat\beta_{2,t}=\beta_2e^{-x}/(1-e^{-x})\sim\beta_2e^{-x}$, $x=t\log(1+\beta_2)$",
       tag="asymptotic", **SYM)
def O2():
    t_ = sp.Symbol("t", positive=True)
    om = b2 / ((1 + b2) ** t_ - 1)
    return [identity(adax_bhat.subs(P, 1), 0, "t = 1: P = (1+beta2)^0 = 1"),
            identity(sp.limit(1 - om, t_, sp.oo), 1, "limit t -> oo"),
            identity(sp.series(om, b2, 0, 2).removeO(), 1 / t_ - (t_ - 1) / (2 * t_) * b2, "series in beta2"),
            identity(b2 / (sp.exp(xx) - 1), b2 * sp.exp(-xx) / (1 - sp.exp(-xx)), "(1+beta2)^t = e^x"),
            identity(sp.limit(b2 * sp.exp(-xx) / (1 - sp.exp(-xx)) / (b2 * sp.exp(-xx)), xx, sp.oo), 1, "~ beta2 e^-x")]


def adax_om(t, dps=30):
    return na.one_minus_beta_hat("adax", t, ADAX_B2, dps)


@claim("O2-small", r"approximation 'AdaX starts as the running mean': at $\beta_2=10^{-4}$ the relative error of $1-\hat\beta_{2,t}\approx1/t$ is $\frac{t-1}2\beta_2$ up to a relative $(t+1)\beta_2/5$, at $t=10,100,1000$ ($4.50\cdot10^{-4}$, $4.94\cdot10^{-3}$, $0.0491$ measured)",
       tag="approx", dps=(30,))
def O2_small(dps):
    out = []
    with mp.workdps(dps):
        b = na._mpf(ADAX_B2)
        for t in (10, 100, 1000):
            err = 1 - t * adax_om(t, dps)
            out.append(agrees(Estimate(err, 0, "1 - t (1 - hat beta_t)", dps), (t - 1) * b / 2, rtol=(t + 1) * b / 5,
                              label=f"t = {t}"))
    return out


@claim("O2-break", r"where the running-mean picture breaks: at $t=1/\beta_2=10^4$, $t(1-\hat\beta_{2,t})=1/((1+\beta_2)^{1/\beta_2}-1)\to1/(e-1)=0.582$ (42% below the running mean); for $\beta_2t\gg1$ the tail $\beta_2e^{-x}$ holds to $e^{-x}$ relative: $4.5\cdot10^{-5}$ at $t=10^5$, $2.1\cdot10^{-9}$ at $2\cdot10^5$",
       tag="asymptotic", dps=(30,))
def O2_break(dps):
    with mp.workdps(dps):
        b = na._mpf(ADAX_B2)
        mid = 10**4 * adax_om(10**4, dps)
        out = [agrees(Estimate(mid, 0, "t (1 - hat beta_t) at t = 1/beta2", dps), 1 / (mp.e - 1), rtol=b,
                      label="t = 1/beta2: 1/(e-1)")]
        for t in (10**5, 2 * 10**5):
            x_ = t * mp.log1p(b)
            ratio = adax_om(t, dps) / (b * mp.exp(-x_))
            out.append(agrees(Estimate(ratio - 1, 0, "(1 - hat beta_t)/(beta2 e^-x) - 1", dps), mp.exp(-x_),
                              rtol=2 * mp.exp(-x_) + mp.mpf(10) ** -(dps - 8), label=f"t = {t}: tail"))
    return out


def _f64(fn, x):
    """fn(x) rounded to the nearest float64 (from 200-bit mpmath): expm1 and log1p with the same bits
    on every machine, unlike the platform's libm."""
    with mp.workprec(200):
        return float(fn(mp.mpf(x)))


@claim("O2-float64", r"evaluating AdaX's $\hat\beta_{2,1}=1-\beta_2/((1+\beta_2)^1-1)$ in float64 at $\beta_2=10^{-4}$ gives 0",
       tag="numeric", expected="REFUTED", finding="pitfall", dps=(15,),
       why=r"$(1+10^{-4})-1$ cancels in float64: the formula gives $\hat\beta_{2,1}=-1.10\times10^{-13}$ (a negative decay coefficient); $1-\beta_2/\mathrm{expm1}(t\,\mathrm{log1p}\,\beta_2)$ and exact rationals give 0")
def O2_float64():
    bb = 1e-4
    naive = 1 - bb / ((1 + bb) ** 1 - 1)
    via_expm1 = 1 - bb / _f64(mp.expm1, 1 * _f64(mp.log1p, bb))
    return [agrees(Estimate(via_expm1, 0, "float64, expm1/log1p rounded to nearest"), 0, atol=0, scale=1, label="expm1/log1p: 0"),
            agrees(Estimate(naive, 0, "float64, the formula as printed"), 0, atol=1e-16, scale=1,
                   label="the formula as printed", expect="REFUTED")]


j_ = sp.Symbol("i", positive=True, integer=True)


@claim("O3", r"AdaX's weights: $v_t=\sum_{i\le t}\beta_2(1+\beta_2)^{t-i}g_i^2$ (each term satisfies the raw recursion), so $w_{t,i}=\beta_2(1+\beta_2)^{t-i}/((1+\beta_2)^t-1)$; $\sum_iw_{t,i}=1$; $w_{t,t}=1-\hat\beta_{2,t}$; $w_{t,i+1}/w_{t,i}=1/(1+\beta_2)<1$: the **oldest** gradient weighs most, $w_{t,1}/w_{t,t}=(1+\beta_2)^{t-1}$",
       tag="extension", **SYM)
def O3():
    t_ = sp.Symbol("t", positive=True, integer=True)
    w = lambda i: b2 * (1 + b2) ** (t_ - i) / ((1 + b2) ** t_ - 1)
    return [identity((1 + b2) * b2 * (1 + b2) ** (t_ - 1 - j_), b2 * (1 + b2) ** (t_ - j_), "term i of v_{t-1}, times (1+beta2)"),
            identity(sp.summation(b2 * (1 + b2) ** (t_ - j_), (j_, 1, t_)), (1 + b2) ** t_ - 1, "sum of the numerators"),
            identity(w(t_), 1 - (1 - b2 / ((1 + b2) ** t_ - 1)), "w_{t,t} = 1 - hat beta_t"),
            identity(w(j_ + 1) / w(j_), 1 / (1 + b2), "consecutive ratio"),
            identity(w(1) / w(t_), (1 + b2) ** (t_ - 1), "oldest / newest")]


@functools.lru_cache(maxsize=None)
def o3_checks(dps=50, t_all=100, t_big=2000):
    """max rel. gaps: adax_ema_weights vs impulses through the raw recursion (all k at t_all; k = 1,
    t/2, t at t_big); and 1 - w_t vs the article's hat beta_t in Fractions at the reference t."""
    with mp.workdps(dps):
        b = na._mpf(ADAX_B2)
        gaps = []
        for t, ks in ((t_all, range(1, t_all + 1)), (t_big, (1, t_big // 2, t_big))):
            w = na.adax_ema_weights(t, ADAX_B2, dps=dps)
            for k in ks:
                resp = na.run_adax_raw([1 if i == k else 0 for i in range(1, t + 1)], b)[-1]
                gaps.append(abs(resp - w[k - 1]) / w[k - 1])
        art = max(abs((1 - na.adax_ema_weights(t, ADAX_B2, dps=dps)[-1]) - na._mpf(adax_bhat_exact(t, ADAX_B2)))
                  for t in T_REF[:5])
        return max(gaps), art


@claim("O3-num", r"at 50 digits: `adax_ema_weights` matches the impulse responses of AdaX's raw recursion ($g_i^2=\delta_{ik}$; every $k$ at $t=100$, $k\in\{1,t/2,t\}$ at $t=2000$) within $10^{-45}$, and $1-w_{t,t}$ equals the article's $\hat\beta_{2,t}$ (exact Fractions) for $t\le10^3$",
       tag="numeric", dps=(50,))
def O3_num(dps):
    gap, art = o3_checks(dps)
    return [agrees(Estimate(gap, 0, "max rel. gap, closed form vs impulse response", dps), 0, atol=mp.mpf(10) ** -45, scale=1,
                   label="weights = impulse responses"),
            agrees(Estimate(art, 0, "max |1 - w_tt - hat beta_t|, t = 1..1000", dps), 0, atol=mp.mpf(10) ** -45, scale=1,
                   label="1 - w_tt = hat beta_t")]


@claim("O3-recency", r"AdaX supports the AdaFactor article's recency argument (S6): like $c<1$, it gives the newest gradient more weight than the oldest (at $t=10^4$, $\beta_2=10^{-4}$)",
       tag="extension", expected="REFUTED", finding="pitfall", dps=(30,),
       why=r"AdaX's weights grow towards the past: $w_{t,1}/w_{t,t}=(1+\beta_2)^{t-1}=2.718$ at $t=10^4$ and $2.2\times10^4$ at $t=10^5$; what the AdaX article says it confirms is the endpoint criterion, which AdaX meets (O2), not the recency of $c<1$")
def O3_recency(dps):
    w = weights("adax", N11_T, ADAX_B2, dps)
    w8 = weights("adafactor", N11_T, "0.8", dps)
    return [agrees(Estimate(int(w8[-1] > w8[0]), 0, f"c = 0.8: w_newest/w_oldest = {mp.nstr(w8[-1] / w8[0], 4)}", dps), 1,
                   label="AdaFactor c = 0.8: newest heavier"),
            agrees(Estimate(int(w[-1] > w[0]), 0, f"AdaX: w_newest/w_oldest = {mp.nstr(w[-1] / w[0], 6)}", dps), 1,
                   label="AdaX: newest heavier", expect="REFUTED")]


@functools.lru_cache(maxsize=None)
def o4_bounds(count=10, t=1000, dps=30):
    """Violations of min g^2 <= hat v_t <= max g^2 over seeded sequences of widely varying scale,
    hat v from AdaX's weights (and the raw form) at 30 digits; and the smallest weight."""
    rng = random.Random(SEED_X)
    bad, wmin = 0, mp.inf
    with mp.workdps(dps):
        w = na.adax_ema_weights(t, ADAX_B2, dps=dps)
        wmin = min(w)
        for _ in range(count):
            g = [mp.mpf(10) ** rng.uniform(-30, 30) for _ in range(t)]
            v = mp.fsum(wi * gi for wi, gi in zip(w, g))
            bad += int(not (min(g) <= v <= max(g)))
    return bad, wmin


@claim("O4", r"$\hat v_t$ is a convex combination of $g_1^2..g_t^2$ (weights $>0$ summing to 1, O3), so $\min_ig_i^2\le\hat v_t\le\max_ig_i^2$: no violation on 10 seeded sequences ($t=1000$, $g^2$ from $10^{-30}$ to $10^{30}$)",
       tag="exact", dps=(30,))
def O4(dps):
    bad, wmin = o4_bounds(dps=dps)
    return [agrees(Estimate(int(wmin > 0), 0, f"smallest weight {mp.nstr(wmin, 6)}", dps), 1, label="weights > 0"),
            agrees(Estimate(bad, 0, "violations among 10 sequences", dps, 10, SEED_X), 0, label="min <= hat v <= max")]


def _kind(h):
    return "nan" if math.isnan(h) else "inf" if math.isinf(h) else "0" if h == 0 else "finite"


@functools.lru_cache(maxsize=None)
def overflow_demo(half=16000):
    """float64 runs of the raw form (phases of hat v: (first step, kind)) and the moving-average
    form (max rel. |hat v - g^2|, all finite) across the threshold, for g^2 = 1, 4, 1/4."""
    tstar = na.adax_overflow_step(ADAX_B2)
    b = float(ADAX_B2)
    res = {}
    for g in (1.0, 4.0, 0.25):
        phases = []
        for t, v, q, h in na.adax_raw_f64(g, b, tstar - half, 2 * half):
            if not phases or phases[-1][1] != _kind(h):
                phases.append((t, _kind(h)))
        ema = na.adax_ema_f64(g, b, tstar - half, 2 * half, g)
        res[g] = (tuple(phases), max(abs(h - g) / g for _, h in ema), all(math.isfinite(h) for _, h in ema))
    return tstar, res


@claim("O4-overflow", r"AdaX's raw accumulator in float64 at $\beta_2=10^{-4}$: $(1+\beta_2)^t$ first exceeds DBL_MAX at $t^*=\lceil\log(\mathrm{DBL\_MAX})/\mathrm{log1p}(\beta_2)\rceil=7\,098\,183$ (30 digits, against float64 pow). Constant $g^2$: the raw $\hat v_t$ is nan from $t^*$ on for $g^2=1$; for $g^2=4$ it is inf from $\log(g^2)/\mathrm{log1p}(\beta_2)\approx13\,864$ steps before $t^*$ and nan from $t^*$; for $g^2=1/4$ it is 0 from $t^*$ and nan about 13 863 steps later. The moving-average form stays finite and equal to $g^2$ throughout",
       tag="extension", dps=(30,))
def O4_overflow():
    tstar, res = overflow_demo()
    b = float(ADAX_B2)
    ok_pow = (1 + b) ** (tstar - 1) < math.inf
    try:
        (1 + b) ** tstar
        raises = 0
    except OverflowError:
        raises = 1
    shift = math.log(4) / math.log1p(b)
    ph = {g: dict((k, t) for t, k in r[0]) for g, r in res.items()}
    text = lambda g: ", ".join(f"{k} from {t}" for t, k in res[g][0])
    return [agrees(Estimate(tstar, 0, "ceil(log DBL_MAX / log1p beta2), mpmath 30 digits"), 7098183, label="t* = 7 098 183"),
            agrees(Estimate(int(ok_pow) + raises, 0, "float64 pow: finite at t*-1, OverflowError at t*"), 2,
                   label="float64 pow agrees"),
            agrees(Estimate(ph[1.0].get("nan", 0), 0, f"g^2 = 1: {text(1.0)}"), tstar, label="g^2 = 1: nan from t*"),
            agrees(Estimate(tstar - ph[4.0].get("inf", 0), 0, f"g^2 = 4: {text(4.0)}"), shift, atol=1.5,
                   label="g^2 = 4: inf from log(4)/log1p(beta2) steps before t*"),
            agrees(Estimate(ph[4.0].get("nan", 0), 0, f"g^2 = 4: {text(4.0)}"), tstar, label="g^2 = 4: nan from t*"),
            agrees(Estimate(ph[0.25].get("0", 0), 0, f"g^2 = 1/4: {text(0.25)}"), tstar, label="g^2 = 1/4: 0 from t*"),
            agrees(Estimate(ph[0.25].get("nan", 0) - tstar, 0, f"g^2 = 1/4: {text(0.25)}"), shift, atol=1.5,
                   label="g^2 = 1/4: nan log(4)/log1p(beta2) steps after t*"),
            agrees(Estimate(max(r[1] for r in res.values()) + (0 if all(r[2] for r in res.values()) else 1), 0,
                            "max rel. |hat v - g^2| in the moving-average form (1 added if any value is not finite)"), 0,
                   atol=1e-12, scale=1, label="the moving-average form is immune")]


# --- N12: factoring and averaging commute ----------------------------------------------------------------

@claim("N12", r"row and column sums are linear: $\mathrm{rowsum}(\hat\beta V+(1-\hat\beta)G)=\hat\beta\,\mathrm{rowsum}V+(1-\hat\beta)\mathrm{rowsum}G$ (likewise columns), so from zero the accumulators $v^{(r)},v^{(c)}$ are the row and column sums of $V_t$, have the same total, and $v^{(r)}_iv^{(c)}_j/\sum_jv^{(c)}_j$ is the N4 fit of $V_t$; the fit of $\lambda V$ is $\lambda$ times the fit of $V$, so dividing the factored product by $1-\beta_2^t$ (S5) bias-corrects it exactly (symbolic $2\times3$)",
       tag="extension", **SYM)
def N12():
    V, G = sym_matrix(2, 3, "V"), sym_matrix(2, 3, "G")
    bh = sp.Symbol("bhat", positive=True)
    W = bh * V + (1 - bh) * G
    rs = lambda M: sp.Matrix([sum(M[i, :]) for i in range(M.rows)])
    cs = lambda M: sp.Matrix([sum(M[:, j]) for j in range(M.cols)])
    return [identity(rs(W), bh * rs(V) + (1 - bh) * rs(G), "row sums"),
            identity(cs(W), bh * cs(V) + (1 - bh) * cs(G), "column sums"),
            identity(sum(rs(W)), sum(cs(W)), "equal totals"),
            identity(sp.Matrix(2, 3, lambda i, j: sp.together(rs(lam * V)[i] * cs(lam * V)[j] / sum(cs(lam * V)))),
                     sp.Matrix(2, 3, lambda i, j: sp.together(lam * rs(V)[i] * cs(V)[j] / sum(cs(V)))),   # one fraction per entry (exact)
                     "the fit is 1-homogeneous: bias-correcting the factored product once (S5) is exact")]


def factored_run(schedule, steps, shape, seed, num=F, eps1=F(1, 10**30), fit_at=(1, 2, 10, 50, 100), track_avg=False):
    """(max |v^(r) - rowsum V| and |v^(c) - colsum V| over every step, max |factored fit - N4 fit
    of V| over the steps ``fit_at``, and with ``track_avg`` the max rel. |factored fit - moving
    average of the per-step fits| over those steps)."""
    rng = random.Random(seed)
    m, n = shape
    V = [[num(0)] * n for _ in range(m)]
    vr, vc, avg_fit = [num(0)] * m, [num(0)] * n, [[num(0)] * n for _ in range(m)]   # mutate: equivalent (every schedule tested has hat beta_1 = 0, which erases the starting value)
    g_rc = g_fit = g_avg = 0
    for t in range(1, steps + 1):
        bh = schedule(t)
        G = [[num(rng.randint(0, 10**4)) / 10**3 + eps1 for _ in range(n)] for _ in range(m)]   # mutate: equivalent (the identities are linear in G: the sign of the 1e-30 offset changes nothing)
        V = [[bh * V[i][j] + (1 - bh) * G[i][j] for j in range(n)] for i in range(m)]
        gr, gc = [sum(r) for r in G], [sum(G[i][j] for i in range(m)) for j in range(n)]
        vr = [bh * vr[i] + (1 - bh) * gr[i] for i in range(m)]          # the two factored accumulators
        vc = [bh * vc[j] + (1 - bh) * gc[j] for j in range(n)]
        rows, cols = [sum(r) for r in V], [sum(V[i][j] for i in range(m)) for j in range(n)]
        g_rc = max(g_rc, *(abs(a - b) for a, b in zip(vr + vc, rows + cols)))
        if track_avg:
            Tg = sum(gr)
            avg_fit = [[bh * avg_fit[i][j] + (1 - bh) * gr[i] * gc[j] / Tg for j in range(n)] for i in range(m)]
        if t in fit_at:
            fit = [[vr[i] * vc[j] / sum(vc) for j in range(n)] for i in range(m)]
            ref = [[rows[i] * cols[j] / sum(cols) for j in range(n)] for i in range(m)]
            g_fit = max(g_fit, *(abs(fit[i][j] - ref[i][j]) for i in range(m) for j in range(n)))
            if track_avg:
                g_avg = max(g_avg, *(abs(fit[i][j] - avg_fit[i][j]) / fit[i][j] for i in range(m) for j in range(n)))
    return g_rc, g_fit, g_avg


def _random_schedule(seed):
    rng = random.Random(seed)
    cache = {1: F(0)}
    return lambda t: cache.setdefault(t, F(rng.randint(0, 99), 100))


# each schedule below is an instance: N12's identities are linear and hold for every schedule
N12_SCHEDULES = {
    "random rationals, hat beta_1 = 0": lambda: _random_schedule(SEED_F),
    "c = 1 (running mean)": lambda: (lambda t: 1 - F(1, t)),   # mutate: equivalent (any schedule is an instance)
    "Adam, beta2 = 999/1000": lambda: (lambda t: ADAM_B2 * (1 - ADAM_B2 ** (t - 1)) / (1 - ADAM_B2**t)),   # mutate: equivalent (any schedule is an instance)
    "AdaX, beta2 = 1/10^4": lambda: (lambda t: 1 - ADAX_B2 / ((1 + ADAX_B2) ** t - 1)),   # mutate: equivalent (any schedule is an instance)
}


@functools.lru_cache(maxsize=None)
def n12_exact(steps=100):
    return {name: factored_run(make(), steps, (3, 4), SEED_F + k) for k, (name, make) in enumerate(N12_SCHEDULES.items())}


@claim("N12-exact", r"Fractions, $3\times4$ matrices $g^2+\epsilon_1$ ($\epsilon_1=10^{-30}$), 100 seeded steps, four rational schedules (random with $\hat\beta_1=0$, $c=1$, Adam's, AdaX's): the factored accumulators equal the row and column sums of the full moving average at every step, and their fit equals the N4 fit of $V_t$ (checked at $t=1,2,10,50,100$), exactly",
       tag="exact", scope="instances", dps=(30,))
def N12_exact():
    out = []
    for name, (g_rc, g_fit, _) in n12_exact().items():
        out.append(identity(sp.Rational(g_rc), 0, f"{name}: max gap of the accumulators to the row and column sums"))
        out.append(identity(sp.Rational(g_fit), 0, f"{name}: max gap of the factored fit to the N4 fit of V_t"))
    return out


@functools.lru_cache(maxsize=None)
def n12_mp(dps=50, steps=100):
    with mp.workdps(dps + 10):
        c = mp.mpf("0.8")
        sched = lambda t: 1 - mp.mpf(t) ** -c
        return factored_run(sched, steps, (3, 4), SEED_X, num=mp.mpf, eps1=mp.mpf(10) ** -30, fit_at=range(1, steps + 1))


@claim("N12-mp", r"AdaFactor's schedule $c=0.8$ at 50 digits ($3\times4$, 100 steps): the same three gaps are below $10^{-45}$ (entries of $V$ are of order 1)",
       tag="numeric", dps=(50,))
def N12_mp(dps):
    g_rc, g_fit, _ = n12_mp(dps)
    return agrees(Estimate(max(g_rc, g_fit), 0, "max gap (rows, columns, fit) over 100 steps", dps, 100, SEED_X), 0,
                  atol=mp.mpf(10) ** -45, scale=1, label="factoring commutes with averaging")


@claim("N12-order", r"the factored accumulator is the moving average of the per-step rank-1 fits of $g_t^2+\epsilon_1$ (Fractions, random rational schedule, 100 steps, compared at $t=1,2,10,50,100$: relative gap below $10^{-3}$)",
       tag="extension", expected="REFUTED", finding="pitfall", dps=(30,),
       why=r"the fit is not linear: averaging the row and column sums first (what the article's S5 does) and fitting once differs from averaging per-step fits by up to 16.8% relative on this run; the article's order is the one that equals the I-divergence fit of the averaged matrix")
def N12_order():
    ga = factored_run(_random_schedule(SEED_F), 100, (3, 4), SEED_F, track_avg=True)[2]
    return agrees(Estimate(float(ga), 0, "max rel. |fit of averages - average of fits| over 100 steps"), 0,
                  atol=1e-3, scale=1, label="average of per-step fits")


# --- report sections ----------------------------------------------------------------------------------

SCHED = (("Adam, beta2 = 0.999", "adam", ADAM_B2), ("AdaX, beta2 = 1e-4", "adax", ADAX_B2),
         ("AdaFactor, c = 0.8", "adafactor", C_DEF), ("AdaFactor, c = 0.5", "adafactor", F(1, 2)),
         ("AdaFactor, c = 1.5", "adafactor", F(3, 2)), ("running mean (c = 1)", "mean", None))


def _om_stable(kind, t, param, dps=30):
    if kind == "adafactor":
        with mp.workdps(dps):
            return mp.mpf(t) ** -na._mpf(param)
    return na.one_minus_beta_hat(kind, t, param, dps)


@functools.lru_cache(maxsize=None)
def weight_rows(ts=(10, 10**3, 10**4)):
    rows = []
    for name, kind, param in SCHED:
        for t in ts:
            w = weights(kind, t, param, 30)
            k = max(range(t), key=lambda i: w[i])
            rows.append((name, t, w[0], w[-1], w[0] / w[-1], k + 1))
    return rows


def _sci(x, k=3):
    return nstr(x, k) if x != 0 else "0"


@section("In short", order=-1)
def in_short():
    loss2 = na.idiv_rank1_optimum(C_SMALL)[2]
    loss5 = na.idiv_rank1_optimum(c_random())[2]
    _, dl, _, _, _ = newton_gaps("2x2", 20, 30)
    w = {(r[0], r[1]): r for r in weight_rows()}
    adax4, f8 = w[("AdaX, beta2 = 1e-4", 10**4)], w[("AdaFactor, c = 0.8", 10**4)]
    f15 = w[("AdaFactor, c = 1.5", 10**4)]
    adax5 = na.adax_ema_weights(10**5, ADAX_B2)
    tstar, res = overflow_demo()
    pos_min = euclid_sample()[3]
    ga = factored_run(_random_schedule(SEED_F), 100, (3, 4), SEED_F, track_avg=True)[2]
    bb = 1e-4
    naive = 1 - bb / ((1 + bb) ** 1 - 1)
    gap_adam = (1 - 0.999) * 0.999**10**4 / (1 - 0.999**10**4)
    items = [
        "**Right, and proved.** AdaFactor's rank-1 fit under the I-divergence is exactly row sums times column "
        "sums over the total: the stationarity equations, the closed form, and (added here) its global optimality, since "
        "the divergence is convex in log-coordinates and flat only along the scale orbit $(\\lambda a,b/\\lambda)$. Its "
        f"minimum is the total mass times the mutual information of $C/T$: {nstr(loss2, 10)} for "
        f"$\\begin{{pmatrix}}1&2\\\\3&4\\end{{pmatrix}}$ and {nstr(loss5, 10)} for the random $5\\times7$ matrix; Newton's "
        f"method from 20 random starts lands on the same value (largest difference "
        f"{'below 1e-30' if dl == 0 else _sci(dl)}).",
        "**Right, and proved.** Both bias corrections are moving averages: Adam's with "
        "$\\hat\\beta_{2,t}=\\beta_2(1-\\beta_2^{t-1})/(1-\\beta_2^t)$, AdaX's with $1-\\beta_2/((1+\\beta_2)^t-1)$. "
        f"Exact rational runs of 300 steps agree to the last digit; at 50 digits, 2000 steps differ by at most "
        f"{_sci(mp_runs('adam'))} (Adam) and {_sci(mp_runs('adax'))} (AdaX). All schedules start at "
        f"$\\hat\\beta_{{2,1}}=0$; Adam's tends to $\\beta_2$, not 1 (gap {gap_adam:.2e} at $t=10^4$), "
        "AdaFactor's $1-t^{-c}$ and AdaX's tend to 1, as the articles say.",
        "**Right about $c<1$, but the criterion does not decide it.** With $\\hat\\beta_{2,t}=1-t^{-c}$ and $c<1$ newer "
        f"gradients get more weight (at $t=10^4$, $c=0.8$: newest/oldest = {nstr(1 / f8[4], 4)}). Yet the endpoint "
        "criterion $\\hat\\beta_{2,1}=0$, $\\hat\\beta_{2,\\infty}=1$ allows the opposite: $c=1.5$ meets it with "
        f"oldest/newest = {nstr(f15[4], 4)}, and so does AdaX, whose weights grow towards the past by $1+\\beta_2$ per "
        f"step: oldest/newest = {nstr(adax4[4], 6)} at $t=10^4$ and {nstr(adax5[0] / adax5[-1], 6)} at $t=10^5$. "
        "So AdaX 'confirms' the AdaFactor post only in the sense of the endpoint criterion; it does not support the "
        "recency argument for $c<1$.",
        "**Wrong as a reason: Euclidean fits are not negative.** The AdaFactor post says a Euclidean rank-1 fit may "
        "produce negative entries. For the positive matrices AdaFactor factors ($g^2+\\epsilon_1>0$) the Euclidean optimum "
        "is the top singular pair, which Perron-Frobenius makes positive (smallest entry / largest entry "
        f"{pos_min:.3g} over 30 random positive matrices). Negative optima exist only with a repeated top singular "
        "value, e.g. $C=I_2$. The other reason, no closed form, stands: the I-divergence fit is sums, the Euclidean fit "
        "an eigenvector.",
        f"**Float64 caveats (beyond the articles).** AdaX's raw accumulator grows like $(1+\\beta_2)^t$ and overflows "
        f"float64 at step {tstar:,} for $\\beta_2=10^{{-4}}$ (earlier for $g^2>1$), after which $\\hat v_t$ is inf, 0 or "
        f"nan; the moving-average form never overflows. The printed formula evaluated naively in float64 gives "
        f"$\\hat\\beta_{{2,1}}={naive:.3g}$ instead of 0 (cancellation in $(1+\\beta_2)-1$).",
        "**Factoring and averaging commute** exactly when, as the post does, row and column sums are averaged and the "
        "fit is formed afterwards (exact on 100 rational steps); averaging per-step fits instead differs by up to "
        f"{float(ga):.1%}.",
        "**Not checked:** AdaX's dropping of the momentum's bias correction, AdaFactor's update clipping and relative "
        "step size, and any training behaviour; neither article derives them.",
    ]
    return "\n".join(f"- {t}" for t in items)


def _vec(v, k=6):
    return "(" + ", ".join(nstr(x, k) for x in v) + ")"


@section("The rank-1 fit: closed form, Newton, and the Euclidean alternative (N4-N7)", order=1)
def rank1_section():
    rows = ["| matrix | $l^*$ closed form | $T\\cdot I(\\hat c)$ | Newton, 20 starts: min .. max | Euclidean $\\sigma_1$ | smallest / largest entry of the Euclidean optimum |",
            "|---|---|---|---|---|---|"]
    parts = []
    for name, which, C in (("$\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}$", "2x2", C_SMALL), ("random $5\\times7$", "5x7", c_random())):
        a, b, loss = na.idiv_rank1_optimum(C)
        _, runs = newton_runs(which, 20 if which == "2x2" else 5, 30)
        ls = [r[2] for r in runs]
        sig, u, v, _ = na.euclid_rank1(C)
        ent = [sig * ui * vj for ui in u for vj in v]
        rows.append(f"| {name} | {nstr(loss, 15)} | {nstr(na.mutual_information_mass(C), 15)} | "
                    f"{nstr(min(ls), 15)} .. {nstr(max(ls), 15)} ({len(ls)} starts) | {nstr(sig, 10)} | {nstr(min(ent) / max(ent), 4)} (all positive) |")
        if which == "2x2":
            fit = [[a[i] * b[j] for j in range(2)] for i in range(2)]
            eu = [[sig * u[i] * v[j] for j in range(2)] for i in range(2)]
            parts.append(f"For $C=\\begin{{pmatrix}}1&2\\\\3&4\\end{{pmatrix}}$: $a={_vec(a)}$, $b={_vec(b)}$, "
                         f"$ab^\\top=\\begin{{pmatrix}}{nstr(fit[0][0], 6)}&{nstr(fit[0][1], 6)}\\\\{nstr(fit[1][0], 6)}&{nstr(fit[1][1], 6)}\\end{{pmatrix}}$; "
                         f"Euclidean optimum $\\begin{{pmatrix}}{nstr(eu[0][0], 6)}&{nstr(eu[0][1], 6)}\\\\{nstr(eu[1][0], 6)}&{nstr(eu[1][1], 6)}\\end{{pmatrix}}$ "
                         f"(signs $+\\,+\\,/\\,+\\,+$).")
        else:
            parts.append(f"Random $5\\times7$ (seed {SEED_F}, entries in $[0.1,2]$): $a={_vec(a, 5)}$, $b={_vec(b, 4)}$.")
    gs, gp, gl, pmin, zmin, rep = euclid_sample()
    text = ("\n".join(rows) + "\n\n" + "\n\n".join(parts) +
            f"\n\nOn 60 seeded matrices the power iteration and numpy's SVD agree {_within(max(gs, gp))} (one matrix with a "
            f"repeated $\\sigma_1$ is left out of the comparison of optima); smallest entry / largest entry of the Euclidean "
            f"optimum: {pmin:.3g} for positive matrices, {zmin:.3g} for integer matrices with zeros (never negative). "
            "$C=I_2$ has the optima $ww^\\top$ for every unit $w$, among them $w=(1,-1)/\\sqrt2$ with entries $-\\tfrac12$: "
            "the only way to a negative Euclidean optimum of a non-negative matrix. The article's 'negative entries' "
            "therefore applies to such degenerate matrices and to the iterates of a fitting algorithm, not to the optimum "
            "of a positive $\\hat v_t$; the closed form and the convenience of the I-divergence remain valid reasons.\n\n"
            "The figure shows $l$ along the scale orbit $\\alpha+\\lambda(1,1)$, $\\beta-\\lambda(1,1)$ (flat, N3) and along "
            "a random unit direction in $(\\alpha,\\beta)$ (convex, N4-convex), through the optimum of the $2\\times2$ example.")
    return text, (("idiv_landscape.png", _landscape_figure()),)


def _landscape_figure():
    plt = pyplot()
    C = np.array(C_SMALL, dtype=float)
    a, b, _ = na.idiv_rank1_optimum(C_SMALL)
    x0 = np.log(np.array([float(v) for v in a] + [float(v) for v in b]))
    loss = lambda z: float(np.sum(C * (np.log(C) - z[:2, None] - z[None, 2:]) - C + np.exp(z[:2, None] + z[None, 2:])))
    rng = np.random.default_rng(SEED_F)
    d = rng.standard_normal(4)
    d /= np.linalg.norm(d)
    orbit = np.array([1, 1, -1, -1]) / 2.0
    s = np.linspace(-2, 2, 201)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(s, [loss(x0 + v * orbit) for v in s], label="along the scale orbit (a, b) -> (lambda a, b/lambda)")
    ax.plot(s, [loss(x0 + v * d) for v in s], label=f"along a random unit direction (seed {SEED_F})")
    ax.axhline(float(na.idiv_rank1_optimum(C_SMALL)[2]), color="gray", ls=":", lw=0.8, label="l* = T I(c_hat)")
    ax.set(xlabel="step along the direction (log-coordinates)", ylabel="I-divergence l(a, b)",
           title="C = [[1, 2], [3, 4]]: a flat valley, convex across it")
    ax.legend(fontsize=8)
    return fig


@section("Schedules: the decay coefficient of each bias correction (N8-N10, O1, O2)", order=2)
def schedule_section():
    head = "| $t$ | " + " | ".join(n for n, k, _ in SCHED if k != "adafactor" or _ == C_DEF) + " |"
    keep = [s for s in SCHED if s[1] != "adafactor" or s[2] == C_DEF]
    rows = [head, "|" + "---|" * (len(keep) + 1)]
    for t in T_REF:
        cells = []
        for _, kind, param in keep:
            om = _om_stable(kind, t, param)
            with mp.workdps(30):
                cells.append(f"{nstr(1 - om, 10)} ($1-\\hat\\beta$ = {_sci(om)})")
        rows.append(f"| {t} | " + " | ".join(cells) + " |")
    n9 = ["| $\\beta_2$ | $t$ | exact gap $(1-\\beta_2)\\beta_2^t/(1-\\beta_2^t)$ | $\\beta_2-\\hat\\beta_{2,t}$ by subtraction (30 digits) |",
          "|---|---|---|---|"]
    n9 += [f"| {float(b)} | {t} | {_sci(e, 4)} | {_sci(sb, 4)} |" for b, t, e, sb in n9_rows()]
    text = ("$\\hat\\beta_{2,t}$ computed stably ($1-\\hat\\beta_{2,t}$ from expm1/log1p or $t^{-c}$, never by subtracting "
            "nearly equal numbers):\n\n" + "\n".join(rows) +
            "\n\nAdam's coefficient freezes at $\\beta_2$, so its newest gradient keeps weight $1-\\beta_2$ for ever; "
            "AdaFactor's and AdaX's tend to 1. AdaX follows the running mean $1-1/t$ while $\\beta_2t\\ll1$ and then "
            "decays exponentially (claims O2-small, O2-break). **Adam's gap to its limit** (N9):\n\n" + "\n".join(n9) +
            "\n\nBelow about $10^{-30}$ the subtraction at 30 digits returns exactly 0; the exact form keeps the value.")
    plt = pyplot()
    ts = np.unique(np.round(np.logspace(0, 6, 240)).astype(int))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, kind, param in SCHED:
        if kind == "adafactor" and param == F(3, 2):
            continue
        ax.loglog(ts, [float(_om_stable(kind, int(t), param)) for t in ts], label=name)
    ax.loglog(ts, 1.0 / ts, "k:", lw=1, label="1/t")
    ax.set_ylim(1e-12, 2)
    below = math.log1p(float(ADAX_B2) / 1e-12) / math.log1p(float(ADAX_B2))     # AdaX's 1 - hat beta = 1e-12
    ax.set(xlabel="step t", ylabel="1 - hat beta_{2,t} (weight of the newest gradient)",
           title=f"bias corrections as moving averages (AdaX below 1e-12 from t = {below:.3g})")
    ax.legend(fontsize=8)
    return text, (("one_minus_beta_hat.png", fig),)


@section("Weights: which gradients the moving average trusts (N11, O3)", order=3)
def weight_section():
    rows = ["| schedule | $t$ | oldest $w_{t,1}$ | newest $w_{t,t}$ | oldest / newest | heaviest index $i$ (first, if tied) |", "|---|---|---|---|---|---|"]
    rows += [f"| {n} | {t} | {_sci(o, 4)} | {_sci(nw, 4)} | {_sci(r, 4)} | {k} |" for n, t, o, nw, r, k in weight_rows()]
    text = ("$\\hat v_t=\\sum_iw_{t,i}g_i^2$, $\\sum_iw_{t,i}=1$; index 1 is the oldest gradient. For AdaX "
            "$w_{t,i}=\\beta_2(1+\\beta_2)^{t-i}/((1+\\beta_2)^t-1)$, so oldest / newest $=(1+\\beta_2)^{t-1}$: the "
            "**oldest** gradient is heaviest (O3). AdaFactor's $c<1$ and Adam favour the newest, $c=1$ is uniform, "
            "$c=1.5$ and AdaX favour the oldest, although every schedule but Adam's meets "
            "$\\hat\\beta_{2,1}=0$, $\\hat\\beta_{2,\\infty}=1$ (N11-criterion).\n\n" + "\n".join(rows))
    plt = pyplot()
    t = N11_T
    fig, ax = plt.subplots(figsize=(7, 4.5))
    age = np.arange(t)[::-1] + 1                      # t - i + 1 for i = 1..t
    for name, kind, param in SCHED:
        w = np.array([float(v) for v in weights(kind, t, param, 30)])
        ax.loglog(age, np.where(w > 0, w, np.nan), label=name)
    ax.set_ylim(1e-16, 1)
    ax.set(xlabel="age t - i + 1 of the gradient (1 = newest)", ylabel="weight w_{t,i}",
           title=f"weight profiles at t = {t}: AdaX and c = 1.5 rise with age, c < 1 and Adam fall")
    ax.legend(fontsize=8)
    return text, (("weight_profiles.png", fig),)


@section("Recursions, exactness and float64 (N8, O1, O4, N12)", order=4)
def recursion_section():
    ex = exact_runs()
    tstar, res = overflow_demo()
    rows = ["| check | Adam ($\\beta_2=0.999$) | AdaX ($\\beta_2=10^{-4}$) |", "|---|---|---|",
            f"| Fractions, 300 steps: max gap raw vs moving average | {ex['adam'][0]} | {ex['adax'][0]} |",
            f"| 50 digits, 2000 steps: max rel. gap | {_sci(mp_runs('adam'))} | {_sci(mp_runs('adax'))} |"]
    fl = ["| $g^2$ | raw $\\hat v_t$ in float64, phases from $t^*-16000$ | moving-average form: max rel. $|\\hat v-g^2|$ |", "|---|---|---|"]
    for g, (phases, dev, finite) in res.items():
        fl.append(f"| {g} | " + "; ".join(f"{k} from {t:,}" for t, k in phases) + f" | {dev:.2e} ({'finite' if finite else 'NOT finite'}) |")
    bb = 1e-4
    n12 = n12_exact()
    text = ("\n".join(rows) + f"\n\n**Overflow of AdaX's raw state** (O4): $t^*=\\lceil\\log(\\mathrm{{DBL\\_MAX}})/\\mathrm{{log1p}}(10^{{-4}})\\rceil$ "
            f"= {tstar:,}. Constant $g^2$, float64, started from the exact state at $t^*-16000$:\n\n" + "\n".join(fl) +
            "\n\nFor $g^2>1$ the raw $\\hat v$ is already inf before $t^*$ and nan after it; for $g^2<1$ it is 0 after $t^*$ "
            "until $v_t$ overflows too, then nan. The moving-average form evaluates $1-\\hat\\beta_{2,t}$ as "
            "$-\\beta_2e^{-x}/\\mathrm{expm1}(-x)$, $x=t\\,\\mathrm{log1p}\\,\\beta_2$, which underflows harmlessly to 0 "
            "(`math.expm1(x)` itself raises OverflowError there).\n\n"
            f"**Cancellation:** $1-\\beta_2/((1+\\beta_2)^1-1)$ in float64 = {1 - bb / ((1 + bb) ** 1 - 1):.4g}; with "
            f"expm1/log1p (rounded to nearest) = {1 - bb / _f64(mp.expm1, _f64(mp.log1p, bb))}; with Fractions = {adax_bhat_exact(1, ADAX_B2)}.\n\n"
            "**Factored accumulators** (N12, Fractions, $3\\times4$, 100 steps): largest gaps to the row/column sums "
            "and to the N4 fit of the full average: " + "; ".join(f"{k}: {v[0]}, {v[1]}" for k, v in n12.items()) + ".")
    return text


@section("Caveats and context", order=5)
def caveats():
    items = [
        "**$\\epsilon_1$ placement.** AdaFactor adds $\\epsilon_1$ (default $10^{-30}$) to $g^2$ before factoring, so every "
        "row and column sum is positive and the closed form is defined; the factored claims (N12) use $g^2+\\epsilon_1$. "
        "A zero row of $g^2$ without it makes the fit's row 0 and the update $0/0$ (`idiv_rank1_optimum` refuses such "
        "input with a ValueError naming the row).",
        "**Zero entries.** $c\\log c=0$ at $c=0$; the closed form, convexity and $l^*=T\\cdot I(\\hat c)$ hold with zeros "
        "(N6-num includes them; $C=I_2$ gives $2\\log2$). A non-negative matrix with positive margins and a zero entry is "
        "never rank 1, so there $l^*>0$.",
        "**Near rank 1.** The loss is evaluated as $\\sum_{ij}f_{ij}\\phi(c_{ij}/f_{ij})$ with exact margins and a series "
        "for $\\phi$ near 1, so it keeps its relative accuracy when $l^*$ is tiny; the textbook $\\sum c\\log(cT/(rs))$ "
        "at 30 digits is dominated by rounding once $l^*<10^{-28}$.",
        "**Indexing.** $w_{t,i}$ with $i=1$ the oldest gradient, $\\hat\\beta_{2,1}$ the first step; closed forms and "
        "recursions are compared on unit impulses (N11-num, O3-num), which would expose a shift by one step.",
        "**AdaX's momentum** has no bias correction in AdaX; the article does not analyse it and it is not checked.",
    ]
    return "\n".join(f"- {t}" for t in items)
