r"""CR approximation of a matrix product: column-row selection and importance sampling

Article: Su Jianlin (苏剑林), 《低秩近似之路（三）：CR》 ("The road to low-rank approximation, part 3: CR"), 2024-10-11, https://kexue.fm/archives/10427

$XY=\sum_{i=1}^l x_iy_i^\top$ is approximated by $r$ of its $l$ outer products. Keeping the $r$
largest norms $\|x_i\|\|y_i\|$ is optimal when the $v_i=\mathrm{vec}(x_iy_i^\top)$ are pairwise
orthogonal and only a heuristic otherwise. Allowing weights gives the importance-sampling
estimator $\frac1r\sum_j x_{s_j}y_{s_j}^\top/p_{s_j}$ (draws with replacement) whose single-draw
error $\sum_i\|v_i\|^2/p_i-\|XY\|_F^2$ is minimised by $p_i\propto\|x_i\|\|y_i\|$ (AM-GM). The
checker proves the identities symbolically, evaluates them exactly (rational arithmetic) on
instances, confirms them by Monte Carlo, and checks the extensions: greedy $k$-tuples and the
optimal general and diagonal reweightings with the Hadamard-product Gram identities (the
article's $\otimes$ there is the elementwise product). The $1/r$ law for $r$ draws is standard
but not derived in the article. The article's remark that exact selection is NP-hard is hedged
there and is not checked.
"""
import functools
import math
import random
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp

from derivcheck import Estimate, agrees, claim, identity, section
from derivcheck.figures import nstr, pyplot
from numerics import cr_sampling as ncr
from numerics.cr_sampling import cr_expected_error, cr_optimal_probs
from numerics.precision import rtol_for

SEED = 10427
X_REF = ((1, 2, 0), (0, 1, 3))      # reference instance, n = 2, l = 3  # mutate: equivalent (another integer instance; its quoted values are pinned in C2-zero, C2-dedup)
Y_REF = ((1, 0), (2, 1), (0, 4))    # m = 2; norm products 1, 5, 12  # mutate: equivalent (another integer instance; its quoted values are pinned in C2-zero, C2-dedup)
MC_N = 10**6                                     # Monte Carlo replications (heavy tails need many)
COUNTER_X, COUNTER_Y = ((-3, 2, 2),), ((1,), (1,), (1,))   # norm ranking is not optimal (r = 1)


def F(q):
    return sp.Rational(q.numerator, q.denominator)   # Fraction -> SymPy Rational (exact)


def _mat(A):
    return sp.Matrix([list(r) for r in A])


def _cols(l):
    return range(l)


# --- exact helpers written from the definitions (a second code path beside numerics/) -------------

def _xy(X, Y):
    return [[sum(Fraction(X[a][i]) * Y[i][b] for i in range(len(Y))) for b in range(len(Y[0]))]
            for a in range(len(X))]


def _sq_norms(X, Y):
    """(|x_i|^2 |y_i|^2)_i as Fractions."""
    return [sum(Fraction(X[a][i]) ** 2 for a in range(len(X))) * sum(Fraction(v) ** 2 for v in Y[i])
            for i in range(len(Y))]


def c3_formula(X, Y, p):
    """The article's single-draw error: sum over v_i != 0 of |v_i|^2/p_i, minus |XY|_F^2."""
    q = _sq_norms(X, Y)
    return sum(qi / pi for qi, pi in zip(q, p) if qi) - sum(v * v for row in _xy(X, Y) for v in row)


def _pair_nonzero(X, Y, i):
    """x_i y_i^T != 0, i.e. both x_i and y_i are non-zero."""
    return any(X[a][i] for a in range(len(X))) and any(Y[i])


def _rand_instance(rng, n_max=3, l_max=5, m_max=3, lo=-4, hi=4, zero=0.15):
    n, l, m = rng.randint(1, n_max), rng.randint(2, l_max), rng.randint(1, m_max)  # mutate: equivalent (another valid instance: the claims on it are general)
    X = [[rng.randint(lo, hi) for _ in range(l)] for _ in range(n)]  # mutate: equivalent (another valid instance: the claims on it are general)
    Y = [[rng.randint(lo, hi) for _ in range(m)] for _ in range(l)]  # mutate: equivalent (another valid instance: the claims on it are general)
    for i in range(l):                            # some zero columns of X (then p*_i = 0)
        if rng.random() < zero:
            for a in range(n):
                X[a][i] = 0  # mutate: equivalent (another valid instance: the claims on it are general)
    if not any(_pair_nonzero(X, Y, i) for i in range(l)):  # mutate: equivalent (another valid instance: the claims on it are general)
        X[0][0], Y[0][0] = 1, 1  # mutate: equivalent (another valid instance: the claims on it are general)
    return X, Y


def _rand_probs(rng, X, Y, positive_all=False):
    """Rational p with p_i > 0 wherever v_i != 0 (p_i = 0 allowed where v_i = 0)."""
    w = [rng.randint(1, 9) if (_pair_nonzero(X, Y, i) or positive_all or rng.random() < 0.5) else 0 for i in range(len(Y))]  # mutate: equivalent (another valid distribution)
    return [Fraction(v, sum(w)) for v in w]


@functools.lru_cache(maxsize=None)
def instances(count, seed, **kw):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        X, Y = _rand_instance(rng, **kw)
        out.append((X, Y, _rand_probs(rng, X, Y)))
    return tuple(out)


# --- C1: the reformulation ------------------------------------------------------------------------

Xs = sp.Matrix(2, 3, lambda a, i: sp.Symbol(f"x{a + 1}{i + 1}", real=True))     # X, n = 2, l = 3
Ys = sp.Matrix(3, 2, lambda i, b: sp.Symbol(f"y{i + 1}{b + 1}", real=True))     # Y, l = 3, m = 2
lam = sp.symbols("lambda1:4", real=True)


def vec(M):
    return sp.Matrix([M[a, b] for a in range(M.rows) for b in range(M.cols)])    # row-major vec


def _fro2(M):
    return sum(v**2 for v in M)


@claim("C1", r"$XY=\sum_ix_iy_i^\top$; $\|xy^\top\|_F^2=\|x\|^2\|y\|^2$; $X\boldsymbol S=X_{[:,S]}$, "
       r"$\boldsymbol S^\top Y=Y_{[S,:]}$; $\|\sum_i\lambda_iv_i-\sum_iv_i\|=\|X\Lambda Y-XY\|_F$ (symbolic $2\times3$, $3\times2$)")
def C1():
    outer = [Xs[:, i] * Ys[i, :] for i in _cols(3)]
    S = sp.Matrix([[1, 0], [0, 0], [0, 1]])                    # selects S = {1, 3}
    v = [vec(o) for o in outer]
    return [identity(Xs * Ys, outer[0] + outer[1] + outer[2], "XY = sum of outer products"),
            identity(_fro2(outer[0]), _fro2(Xs[:, 0]) * _fro2(Ys[0, :]), "|x y^T|_F^2 = |x|^2 |y|^2"),
            identity(Xs * S, Xs[:, [0, 2]], "X S = X[:, S]"),
            identity(S.T * Ys, Ys[[0, 2], :], "S^T Y = Y[S, :]"),
            identity(_fro2(sum((lam[i] * v[i] for i in _cols(3)), sp.zeros(4, 1)) - (v[0] + v[1] + v[2])),
                     _fro2(Xs * sp.diag(*lam) * Ys - Xs * Ys),
                     "|sum lambda_i v_i - sum v_i|^2 = |X Lambda Y - XY|_F^2")]


@claim("C1-int", r"the C1 identities exactly on 40 seeded integer instances with $n,l,m\le5$ and a random subset $S$ (SymPy integer matrices)",
       scope="instances", dps=(30,))
def C1_int():
    rng = random.Random(SEED + 1)
    out = []
    for k in range(40):
        n, l, m = (rng.randint(1, 5) for _ in range(3))  # mutate: equivalent (another valid instance: the claims on it are general)
        Xm = sp.Matrix(n, l, lambda *_: rng.randint(-5, 5))  # mutate: equivalent (another valid instance: the claims on it are general)
        Ym = sp.Matrix(l, m, lambda *_: rng.randint(-5, 5))  # mutate: equivalent (another valid instance: the claims on it are general)
        S = sorted(rng.sample(range(l), rng.randint(1, l)))  # mutate: equivalent (another valid instance: the claims on it are general)
        Sel = sp.Matrix(l, len(S), lambda i, j: int(i == S[j]))          # the 0/1 selection matrix
        lam_ = [rng.randint(-3, 3) for _ in range(l)]  # mutate: equivalent (another valid instance: the claims on it are general)
        outer = [Xm[:, i] * Ym[i, :] for i in range(l)]
        lhs = [Xm * Ym, Xm * Sel, Sel.T * Ym, _fro2(sum((lam_[i] * outer[i] for i in range(l)), sp.zeros(n, m)) - Xm * Ym)]
        rhs = [sum(outer, sp.zeros(n, m)), Xm[:, S], Ym[S, :], _fro2(Xm * sp.diag(*lam_) * Ym - Xm * Ym)]
        norms = sp.Matrix([_fro2(o) - _fro2(Xm[:, i]) * _fro2(Ym[i, :]) for i, o in enumerate(outer)])
        resid = [_fro2(a - b) for a, b in zip(lhs[:3], rhs[:3])] + [lhs[3] - rhs[3]] + list(norms)
        out.append(identity(sp.Matrix(resid), sp.zeros(4 + l, 1),
                            f"instance {k}: {n}x{l} times {l}x{m}, S = {S}"))
    return out


# --- C2: unbiasedness and the column/row scaling ----------------------------------------------------

ps = sp.symbols("p1:3", positive=True)
P3 = (ps[0], ps[1], 1 - ps[0] - ps[1])                          # a distribution on {1, 2, 3}


def _m_hat(draw, p):
    """(1/r) sum_j x_{s_j} y_{s_j}^T / p_{s_j}, duplicates kept."""
    r = len(draw)
    return sum((Xs[:, s] * Ys[s, :] / p[s] for s in draw), sp.zeros(2, 2)) / r


@claim("C2", r"$\mathbb E[\hat M_r]=XY$ for symbolic $X,Y,p$ ($l=3$, $r=1,2$); columns $x_{s_j}(rp_{s_j})^{-1/2}$ "
       r"and rows $y_{s_j}^\top(rp_{s_j})^{-1/2}$ give $CR=\hat M_r$ (draws with and without a repeat)")
def C2():
    e1 = sum((P3[s] * _m_hat((s,), P3) for s in _cols(3)), sp.zeros(2, 2))
    e2 = sum((P3[s] * P3[t] * _m_hat((s, t), P3) for s in _cols(3) for t in _cols(3)), sp.zeros(2, 2))
    links = [identity(e1, Xs * Ys, "r = 1: sum_i p_i x_i y_i^T / p_i = XY"),
             identity(e2, Xs * Ys, "r = 2: sum over the 9 ordered draws = XY")]
    for draw in ((0, 2), (1, 1)):
        r = len(draw)
        C = sp.Matrix.hstack(*[Xs[:, s] / sp.sqrt(r * P3[s]) for s in draw])
        R = sp.Matrix.vstack(*[Ys[s, :] / sp.sqrt(r * P3[s]) for s in draw])
        links.append(identity(C * R, _m_hat(draw, P3), f"draw {tuple(s + 1 for s in draw)}: C R = M_hat"))
    return links


@claim("C2-enum", r"$\mathbb E[\hat M_r]=XY$ exactly by enumerating the $l^r$ ordered draws, 24 integer instances, $l\le4$, $r\le3$, rational $p$",
       scope="instances", dps=(30,))
def C2_enum():
    out = []
    for k, (X, Y, p) in enumerate(instances(24, SEED + 2, l_max=4)):
        r = 1 + k % 3  # mutate: equivalent (other numbers of draws: E[M_r] = XY for every r)
        mean = ncr.estimator_mean(X, Y, p, r)
        out.append(identity(sp.Matrix(len(X), len(Y[0]), [F(v) for v in mean]), _mat(X) * _mat(Y),
                            f"instance {k}: l={len(Y)}, r={r}"))
    return out


@claim("C2-zero", r"$\sum_iv_i=\mathbb E_{i\sim p}[v_i/p_i]$ 'for any distribution $p$' (S5), here with $p_3=0$ while $v_3\neq0$",
       expected="REFUTED", finding="failed-assumption", scope="instances", dps=(30,),
       why=r"the identity needs $p_i>0$ wherever $v_i\ne0$, which the article assumes silently: on the reference "
           r"instance with $p=(\frac12,\frac12,0)$ the mean of the estimator is $x_1y_1^\top+x_2y_2^\top=\begin{psmallmatrix}5&2\\2&1\end{psmallmatrix}$, "
           r"not $XY=\begin{psmallmatrix}5&2\\2&13\end{psmallmatrix}$; a zero $p_i$ is harmless only for $v_i=0$")
def C2_zero():
    half = [Fraction(1, 2), Fraction(1, 2), Fraction(0)]
    X0 = [[1, 2, 0], [0, 1, 0]]                                   # x_3 = 0, so v_3 = 0
    m1 = ncr.estimator_mean(X_REF, Y_REF, half, 1)
    m0 = ncr.estimator_mean(X0, Y_REF, half, 2)
    M1 = sp.Matrix(2, 2, [F(v) for v in m1])
    return [identity(M1, _mat(X_REF) * _mat(Y_REF), "p_3 = 0, v_3 != 0: E[M_1] = XY", expect="REFUTED"),
            identity(sp.Matrix(2, 2, [F(v) for v in m0]), _mat(X0) * _mat(Y_REF), "p_3 = 0, v_3 = 0: E[M_2] = XY"),
            identity(M1, _mat(X_REF)[:, :2] * _mat(Y_REF)[:2, :], "E[M_1] = x_1 y_1^T + x_2 y_2^T (the terms with p_i > 0)"),
            identity(sp.Matrix.hstack(M1, _mat(X_REF) * _mat(Y_REF)), sp.Matrix([[5, 2, 5, 2], [2, 1, 2, 13]]),
                     "the values quoted: E[M_1] = [[5, 2], [2, 1]], XY = [[5, 2], [2, 13]]")]


@claim("C2-dedup", r"dropping repeated indices (each drawn index counted once, weight $1/(rp_i)$) keeps the estimator unbiased",
       expected="REFUTED", finding="pitfall", scope="instances", dps=(30,),
       why=r"draws are with replacement and the estimator must keep duplicates: for $r=2$ the deduplicated "
           r"estimator has mean $XY-\tfrac12\sum_ip_ix_iy_i^\top$, on the reference instance with uniform $p$ "
           r"$\tfrac56XY=\begin{psmallmatrix}25/6&5/3\\5/3&65/6\end{psmallmatrix}$ instead of $XY$; keeping duplicates gives $XY$ exactly")
def C2_dedup():
    u = [Fraction(1, 3)] * 3
    dedup = ncr.estimator_mean(X_REF, Y_REF, u, 2, keep_duplicates=False)
    keep = ncr.estimator_mean(X_REF, Y_REF, u, 2)
    XY = _mat(X_REF) * _mat(Y_REF)
    D = sp.Matrix(2, 2, [F(v) for v in dedup])
    pv = sum((F(u[i]) * _mat(X_REF)[:, i] * _mat(Y_REF)[i, :] for i in _cols(3)), sp.zeros(2, 2))
    return [identity(D, XY, "uniform p, r = 2, duplicates dropped", expect="REFUTED"),
            identity(sp.Matrix(2, 2, [F(v) for v in keep]), XY, "uniform p, r = 2, duplicates kept"),
            identity(D, XY - pv / 2, "duplicates dropped: mean = XY - (1/2) sum_i p_i x_i y_i^T"),
            identity(D, sp.Matrix([[sp.Rational(25, 6), sp.Rational(5, 3)], [sp.Rational(5, 3), sp.Rational(65, 6)]]),
                     "the value quoted: (5/6) XY = [[25/6, 5/3], [5/3, 65/6]]")]


# --- C3: the single-draw error ----------------------------------------------------------------------

V = [sp.Matrix(sp.symbols(f"v{i + 1}_1:3", real=True)) for i in _cols(3)]        # v_i in R^2, l = 3
S_V = V[0] + V[1] + V[2]


def _n2(v):
    return (v.T * v)[0]


@claim("C3", r"$\mathbb E_{i\sim p}\|v_i/p_i-\sum_jv_j\|^2=\sum_i\|v_i\|^2/p_i-\|\sum_iv_i\|^2$ (symbolic $v_i\in\mathbb R^2$, $l=3$, $p_3=1-p_1-p_2$)")
def C3():
    definition = sum(P3[i] * _n2(V[i] / P3[i] - S_V) for i in _cols(3))
    formula = sum(_n2(V[i]) / P3[i] for i in _cols(3)) - _n2(S_V)
    return identity(definition, formula, "E_1(p) by its definition = the article's formula")


@claim("C3-exact", r"$E_1(p)$ by enumeration of the draws (`cr_expected_error`) equals $\sum_{v_i\ne0}\|x_i\|^2\|y_i\|^2/p_i-\|XY\|_F^2$ exactly (Fractions) on 200 seeded integer instances ($n,m\le3$, $l\le5$, zero columns, rational $p$)",
       scope="instances", dps=(30,))
def C3_exact():
    return [identity(F(cr_expected_error(X, Y, p)), F(c3_formula(X, Y, p)),
                     f"instance {k}: {len(X)}x{len(Y)} times {len(Y)}x{len(Y[0])}")
            for k, (X, Y, p) in enumerate(instances(200, SEED + 3))]


@functools.lru_cache(maxsize=None)
def ref_probs():
    """The distributions of the error table: uniform, p*, three seeded random ones (rational)."""
    rng = random.Random(SEED + 4)
    out = {"uniform": [Fraction(1, 3)] * 3, "p*": cr_optimal_probs(X_REF, Y_REF)}
    for k in range(3):
        w = [rng.randint(1, 20) for _ in range(3)]  # mutate: equivalent (another valid instance: the claims on it are general)
        out[f"random {k + 1}"] = [Fraction(v, sum(w)) for v in w]
    return out


@functools.lru_cache(maxsize=None)
def mc(name, r, n=MC_N):
    seed = SEED + 100 * r + list(ref_probs()).index(name)      # one stream per (distribution, r)
    return ncr.monte_carlo_error(X_REF, Y_REF, ref_probs()[name], r, n, seed)


@claim("C3-mc", r"Monte Carlo ($10^6$ seeded draws, SE from the samples) of $\|x_sy_s^\top/p_s-XY\|_F^2$ on the reference instance agrees with the C3 formula within $4$ SE, for uniform $p$ and for $p^*$",
       tag="numeric", dps=(30,))
def C3_mc():
    return [agrees(mc(name, 1), F(c3_formula(X_REF, Y_REF, ref_probs()[name])), k_sigma=4, resolution=0.01,
                   label=f"{name}") for name in ("uniform", "p*")]


# --- C4: the optimal distribution -------------------------------------------------------------------

a_ = sp.symbols("a1:4", positive=True)          # a_i = |v_i| = |x_i||y_i|
Z = a_[0] + a_[1] + a_[2]
pp = sp.Symbol("p", positive=True)
aa, zz = sp.symbols("a Z", positive=True)
mu = sp.Symbol("mu", positive=True)


def E1_sym(p, s2=sp.Symbol("s2", nonnegative=True)):
    return sum(a_[i] ** 2 / p[i] for i in _cols(3)) - s2          # s2 = |XY|_F^2


@claim("C4", r"AM-GM termwise, $\|v\|^2/p+pZ^2-2\|v\|Z=(\|v\|/\sqrt p-\sqrt pZ)^2$; so $E_1(p)-(Z^2-\|XY\|^2)=\sum_i(\|v_i\|/\sqrt{p_i}-\sqrt{p_i}Z)^2\ge0$, zero at $p_i^*=\|v_i\|/Z$; "
       r"$p^*$ is the stationary point of the Lagrangian and the Hessian $\mathrm{diag}(2a_i^2/p_i^3)$ is positive ($l=3$)")
def C4():
    star = [a_[i] / Z for i in _cols(3)]
    p3 = sp.Symbol("p3", positive=True)
    p_free = (ps[0], ps[1], p3)
    lag = sum(a_[i] ** 2 / p_free[i] for i in _cols(3)) + mu * (sum(p_free) - 1)
    grad = sp.Matrix([sp.diff(lag, v) for v in (*p_free, mu)])
    hess = sp.hessian(sum(a_[i] ** 2 / p_free[i] for i in _cols(3)), p_free)
    return [identity(aa**2 / pp + pp * zz**2 - 2 * aa * zz, (aa / sp.sqrt(pp) - sp.sqrt(pp) * zz) ** 2,
                     "termwise: a^2/p + p Z^2 - 2 a Z = (a/sqrt p - sqrt p Z)^2"),
            identity(E1_sym(P3) - (Z**2 - sp.Symbol("s2", nonnegative=True)),
                     sum((a_[i] / sp.sqrt(P3[i]) - sp.sqrt(P3[i]) * Z) ** 2 for i in _cols(3)),
                     "E_1(p) - E_1(p*) = sum of squares (uses sum p_i Z^2 = Z^2)"),
            identity(E1_sym(star), Z**2 - sp.Symbol("s2", nonnegative=True), "E_1(p*) = Z^2 - |XY|^2"),
            identity(grad.subs({ps[0]: star[0], ps[1]: star[1], p3: star[2], mu: Z**2}), sp.zeros(4, 1),
                     "p_i = a_i/Z, mu = Z^2 solves grad L = 0 (the branch with every p_i > 0)"),
            identity(hess, sp.diag(*[2 * a_[i] ** 2 / p_free[i] ** 3 for i in _cols(3)]), "Hessian = diag(2 a_i^2/p_i^3)"),
            identity(sp.sign(2 * a_[0] ** 2 / p3**3), 1, "each diagonal entry is positive: E_1 is strictly convex")]


@claim("C4-solve", r"SymPy `solve` of $\nabla_{p,\mu}\big(\sum_ia_i^2/p_i+\mu(\sum_ip_i-1)\big)=0$ ($l=3$): of its sign-flipped branches $p_i=s_ia_i/\sum_js_ja_j$ exactly one has every $p_i>0$ at the sample point $a=(2,3,7)$ (that the minimiser is unique for every $a$ is C4), and it is $p_i=a_i/Z$ symbolically",
       slow=True)
def C4_solve():
    p_free = sp.symbols("q1:4", positive=True)
    m = sp.Symbol("m", real=True)
    lag = sum(a_[i] ** 2 / p_free[i] for i in _cols(3)) + m * (sum(p_free) - 1)
    sols = sp.solve([sp.diff(lag, v) for v in (*p_free, m)], [*p_free, m], dict=True)
    num = {a_[0]: 2, a_[1]: 3, a_[2]: 7}                        # a sample point decides the signs
    positive = [s for s in sols if all(s[q].subs(num) > 0 for q in p_free)]
    return [identity(sp.Integer(len(positive)), 1, f"branches with every p_i > 0 (of {len(sols)})")] + \
        [identity(positive[0][p_free[i]], a_[i] / Z, f"p_{i + 1} = a_{i + 1}/Z") for i in _cols(3)]


def _e1_mp(sq, p, s2):
    return mp.fsum(q / pi for q, pi in zip(sq, p) if q) - s2


@functools.lru_cache(maxsize=None)
def simplex_study(n_inst=30, n_pts=1000, dps=50):
    """min over random rational simplex points of E_1(p) - E_1(p*), per instance (mpmath at dps)."""
    rng = random.Random(SEED + 5)
    worst = []
    with mp.workdps(dps):
        for _ in range(n_inst):
            X, Y = _rand_instance(rng, zero=0.2)
            sq = [mp.mpf(q.numerator) / q.denominator for q in _sq_norms(X, Y)]
            s2 = mp.mpf(int(sum(v * v for row in _xy(X, Y) for v in row)))      # an integer
            z = mp.fsum(mp.sqrt(q) for q in sq)
            best = _e1_mp(sq, [mp.sqrt(q) / z for q in sq], s2)
            qi = [int(q) for q in _sq_norms(X, Y)]                  # integer instances: integer norms
            gaps = []
            for _ in range(n_pts):
                w = [rng.randint(1, 1000) for _ in sq]
                W, prod = sum(w), math.prod(w)              # p = w / W: E_1 = W sum q_i / w_i - |XY|^2
                gaps.append(mp.mpf(W * sum(q * (prod // v) for q, v in zip(qi, w))) / prod - s2 - best)
            worst.append((min(gaps), best, z * z - s2))
    return worst


@claim("C4-prop", r"on 30 seeded integer instances (with zero columns) and 1000 random rational points of the simplex each: $E_1(p)\ge E_1(p^*)$ (margin $10^{-40}$ at 50 digits; the closest point comes within $10^{-4}$), and $E_1(p^*)=Z^2-\|XY\|_F^2$",
       tag="numeric", dps=(50,))
def C4_prop(dps):
    st = simplex_study(dps=dps)
    gap_tol = mp.mpf(10) ** -40                                   # the margin below E_1(p*)
    low = min(g for g, _, _ in st)
    dev = max(abs(b - c) for _, b, c in st)
    return [agrees(Estimate(sum(g < -gap_tol for g, _, _ in st), 0, "instances with a point below E_1(p*)", dps, 30000, SEED + 5),
                   0, atol=0.5, scale=30, label=f"no point beats p* (smallest gap {nstr(low, 3)})"),
            agrees(Estimate(low, 0, "smallest E_1(p) - E_1(p*) over the 30000 points", dps, 30000, SEED + 5), 0,
                   atol=mp.mpf(10) ** -4, scale=1, label="the test has teeth: some point comes within 1e-4 of E_1(p*)"),
            agrees(Estimate(dev, 0, "max |E_1(p*) - (Z^2 - |XY|^2)|", dps, 30, SEED + 5), 0, atol=rtol_for(dps), scale=1,
                   label="optimal error = Z^2 - |XY|_F^2")]


@functools.lru_cache(maxsize=None)
def perturbation(eps_text, n_dir=5):
    """(E_1(p* + eps d) - E_1(p*))/eps^2 by the engine (enumeration) against Z^3 sum d_i^2/a_i."""
    rng = random.Random(SEED + 6)
    with mp.workdps(40):
        sq = _sq_norms(X_REF, Y_REF)
        a = [mp.sqrt(mp.mpf(q.numerator) / q.denominator) for q in sq]
        z = mp.fsum(a)
        star = [v / z for v in a]
        e0 = cr_expected_error(X_REF, Y_REF, star)
        eps = mp.mpf(eps_text)
        out = []
        for _ in range(n_dir):
            d = [mp.mpf(rng.uniform(-1, 1)) for _ in a]
            d = [v - mp.fsum(d) / len(d) for v in d]                 # a direction inside the simplex
            e = cr_expected_error(X_REF, Y_REF, [s + eps * v for s, v in zip(star, d)])  # mutate: equivalent (-eps d raises E_1 by the same eps^2 term)
            out.append(((e - e0) / eps**2, z**3 * mp.fsum(v * v / ai for v, ai in zip(d, a))))
    return out


@claim("C4-perturb", r"moving from $p^*$ by $\epsilon d$ ($\sum d_i=0$, 5 seeded directions) raises $E_1$ (by enumeration) by $\epsilon^2Z^3\sum_id_i^2/\|v_i\|$ to relative $10^{-4}$ at $\epsilon=10^{-6}$ and $5\cdot10^{-2}$ at $\epsilon=10^{-3}$: quadratically, no linear term",
       tag="numeric", dps=(30,))
def C4_perturb():
    out = []
    for eps, rt in (("1e-6", mp.mpf("1e-4")), ("1e-3", mp.mpf("5e-2"))):
        for k, (got, want) in enumerate(perturbation(eps)):
            out.append(agrees(Estimate(got, 0, f"(E_1(p*+eps d) - E_1(p*))/eps^2, eps={eps}", 30, 1, SEED + 6), want,
                              rtol=rt, label=f"eps = {eps}, direction {k + 1}"))
    return out


# --- C5: r independent draws divide the error by r (not derived in the article) ---------------------

@claim("C5", r"$E_2(p)=E_1(p)/2$: the sum over the 9 ordered pairs of draws is $(\sum_ip_i)E_1/2+(\mathbb E T)^2/2$ for any deviations $T_i$ and weights $p_i$, and $\mathbb E T=0$ for $T_i=v_i/p_i-\sum_jv_j$ with symbolic $v_i$ and $p$ ($l=3$; one coordinate, the squared norm being a sum over coordinates): the cross term of a mean of i.i.d. zero-mean terms vanishes",
       tag="extension")
def C5():
    v = sp.symbols("w1:4", real=True)
    s = sum(v)
    T = [v[i] / P3[i] - s for i in _cols(3)]                    # zero-mean single-draw deviations
    t, q = sp.symbols("t1:4", real=True), sp.symbols("q1:4", real=True)     # any deviations, any weights
    e2 = sum(q[i] * q[j] * ((t[i] + t[j]) / 2) ** 2 for i in _cols(3) for j in _cols(3))
    e1 = sum(q[i] * t[i] ** 2 for i in _cols(3))
    mean = sum(q[i] * t[i] for i in _cols(3))
    return [identity(e2, sum(q) * e1 / 2 + mean ** 2 / 2, "the 9 ordered pairs: E((T_1 + T_2)/2)^2 = (sum p) E T^2/2 + (E T)^2/2"),
            identity(sum(P3), 1, "sum p = 1"),
            identity(sum(P3[i] * T[i] for i in _cols(3)), 0, "E[v_s/p_s - sum v] = 0: the cross term (E T)^2 vanishes, E_2 = E_1/2")]


R_LIST = (1, 2, 3)  # mutate: equivalent (other numbers of draws: the 1/r law holds for every r)


@claim("C5-exact", r"$E_r(p)$ by enumerating all $l^r$ ordered draws equals $E_1(p)/r$ (C3 formula) exactly, $r\in\{1,2,3\}$, 40 seeded integer instances with $l\le4$, and $r=1..8$ on the reference instance",
       tag="extension", scope="instances", dps=(30,))
def C5_exact():
    out = [identity(sp.Matrix([F(cr_expected_error(X, Y, p, r)) for r in R_LIST]),
                    sp.Matrix([F(c3_formula(X, Y, p)) / r for r in R_LIST]), f"instance {k}: l = {len(Y)}, r = 1, 2, 3")
           for k, (X, Y, p) in enumerate(instances(40, SEED + 7, l_max=4))]
    for r in range(1, 9):
        p = cr_optimal_probs(X_REF, Y_REF)
        out.append(identity(F(cr_expected_error(X_REF, Y_REF, p, r)), F(c3_formula(X_REF, Y_REF, p)) / r,
                            f"reference instance, p*, r = {r} ({3 ** r if 3 ** r <= ncr.MAX_DRAWS else 3} draws enumerated)"))
    return out


MC_R = (1, 2, 4, 8)  # mutate: equivalent (other numbers of draws: the 1/r law holds for every r)


@claim("C5-mc", r"Monte Carlo ($10^6$ seeded replications each, SE from the samples) of $E_r$ on the reference instance, $r\in\{1,2,4,8\}$, uniform $p$ and $p^*$: within 4 SE of $E_1/r$",
       tag="extension", dps=(30,), slow=True)
def C5_mc():
    return [agrees(mc(name, r), F(c3_formula(X_REF, Y_REF, ref_probs()[name])) / r, k_sigma=4, resolution=0.01,
                   label=f"{name}, r = {r}") for name in ("uniform", "p*") for r in MC_R]


# --- C6: norm ranking -------------------------------------------------------------------------------

xv = [sp.Matrix(sp.symbols(f"x{i}_1:3", real=True)) for i in (1, 2)]  # mutate: equivalent (x_1 = x_2 is a special case of the same identity)
yv = [sp.Matrix(sp.symbols(f"y{i}_1:4", real=True)) for i in (1, 2)]  # mutate: equivalent (y_1 = y_2 is a special case of the same identity)


@claim("C6", r"$\langle v_i,v_j\rangle=(x_i^\top x_j)(y_i^\top y_j)$ (symbolic $x\in\mathbb R^2$, $y\in\mathbb R^3$); with pairwise orthogonal $v_i$, $\|\sum_{i\in D}v_i\|^2=\sum_{i\in D}\|v_i\|^2$, so dropping the smallest norms is optimal")
def C6():
    v = [vec(xv[i] * yv[i].T) for i in (0, 1)]  # mutate: equivalent (v_1 = v_2 is a special case of the same identity)
    c = sp.symbols("c1:4", real=True)                           # orthogonal v_i: y_i = c_i e_i
    w = [vec(xv[0] * (c[i] * sp.eye(3)[:, i]).T) for i in range(3)]
    s13 = _n2(w[0] + w[2])                  # mutate: equivalent (|v_1 - v_3|^2 = |v_1|^2 + |v_3|^2 too)
    return [identity((v[0].T * v[1])[0], (xv[0].T * xv[1])[0] * (yv[0].T * yv[1])[0], "<v_1, v_2> = (x_1.x_2)(y_1.y_2)"),
            identity(s13, _n2(w[0]) + _n2(w[2]), "orthogonal: |v_1 + v_3|^2 = |v_1|^2 + |v_3|^2")]


H8 = sp.Matrix([[(-1) ** bin(i & j).count("1") for j in range(8)] for i in range(8)])   # Sylvester Hadamard  # mutate: equivalent (-H is a Hadamard matrix too; a non-Hadamard H8 fails the orthogonality assertion)


@functools.lru_cache(maxsize=None)
def orthogonal_cases(count=40):
    """Integer instances with pairwise orthogonal y_i (scaled rows of a Hadamard matrix), l <= 8."""
    rng = random.Random(SEED + 8)
    out = []
    for _ in range(count):
        l, n = rng.randint(3, 8), rng.randint(1, 3)  # mutate: equivalent (another valid instance: the claims on it are general)
        rows = rng.sample(range(8), l)
        scale = [rng.choice((1, 1, 2, 3)) for _ in rows]                # ties are likely
        Y = [[c * int(H8[k, j]) for j in range(8)] for c, k in zip(scale, rows)]
        X = [[rng.randint(-3, 3) for _ in range(l)] for _ in range(n)]  # mutate: equivalent (another valid instance: the claims on it are general)
        out.append((X, Y))
    return tuple(out)


@claim("C6-orth", r"for pairwise orthogonal $v_i$ (40 seeded integer instances, $l\le8$, every $r<l$) norm ranking attains the enumerated best $r$-subset error",
       scope="instances", dps=(30,))
def C6_orth():
    out = []
    for k, (X, Y) in enumerate(orthogonal_cases()):
        G = ncr.gram(X, Y)
        assert all(G[i][j] == 0 for i in range(len(G)) for j in range(len(G)) if i != j), "not orthogonal"
        rs = range(1, len(G))
        out.append(identity(sp.Matrix([ncr.norm_ranking(G, r)[0] for r in rs]), sp.Matrix([ncr.best_subset(G, r)[0] for r in rs]),
                            f"instance {k}: l = {len(G)}, r = 1..{len(G) - 1}"))
    return out


@functools.lru_cache(maxsize=None)
def counterexample_search(tries=400):
    """Seeded random integer instances (l <= 6): those where norm ranking is not optimal, smallest first."""
    rng = random.Random(SEED + 9)
    found = []
    for _ in range(tries):
        X, Y = _rand_instance(rng, n_max=2, l_max=6, m_max=2, lo=-3, hi=3, zero=0)
        G = ncr.gram(X, Y)
        for r in range(1, len(G)):
            nr, best = ncr.norm_ranking(G, r), ncr.best_subset(G, r)
            if nr[0] > best[0]:
                size = (len(G), len(X) * len(Y[0]), sum(abs(v) for row in X + Y for v in row))
                found.append((size, X, Y, r, nr, best))
    found.sort(key=lambda t: t[0])
    return found, tries


@claim("C6-general", r"keeping the $r$ largest norms $\|x_i\|\|y_i\|$ is optimal for general (non-orthogonal) $v_i$",
       expected="REFUTED", finding="pitfall", scope="instances", dps=(30,),
       why=r"only an approximation, as the article says: for $X=(-3,2,2)$, $Y=(1,1,1)^\top$, $r=1$ norm ranking keeps "
           r"index 1 (error $(2+2)^2=16$) while keeping index 2 gives $(-3+2)^2=1$; a seeded search over 400 integer "
           r"instances with $l\le6$ finds many more (the smallest is in the report)")
def C6_general():
    G = ncr.gram(COUNTER_X, COUNTER_Y)
    nr, best = ncr.norm_ranking(G, 1), ncr.best_subset(G, 1)
    found, tries = counterexample_search()
    _, X, Y, r, nr2, best2 = found[0]
    return [identity(F(nr[0]), F(best[0]), f"X = (-3, 2, 2), Y = (1, 1, 1)^T, r = 1: norm ranking keeps {nr[1]}, best keeps {best[1]}",
                     expect="REFUTED"),
            identity(sp.Matrix([nr[0], best[0], *nr[1], *best[1]]), sp.Matrix([16, 1, 0, 1]),
                     "the values quoted: errors 16 and 1, kept index 1 and 2 (0-based 0 and 1)"),
            identity(F(nr2[0]), F(best2[0]), f"smallest counterexample of the search: X = {X}, Y = {Y}, r = {r}", expect="REFUTED")]


# --- C7: greedy k-tuples ----------------------------------------------------------------------------

@claim("C7", r"greedy $k$-tuples: $k=1$ removes the same indices as norm ranking (ties broken by index) and $k=l-r$ attains the enumerated optimum (60 seeded integer instances with ties, $l\le7$, every $r$)",
       tag="extension", scope="instances", dps=(30,))
def C7():
    rng = random.Random(SEED + 11)
    mask = lambda keep: sum(2**i for i in keep)      # a kept set as an integer  # mutate: equivalent (3**i, 2**(i+1) encode sets one-to-one too)
    out = []
    for k in range(60):
        X, Y = _rand_instance(rng, n_max=2, l_max=7, m_max=2, lo=-2, hi=2, zero=0.1)  # mutate: equivalent (another valid instance: the claims on it are general)
        G = ncr.gram(X, Y)
        rs = range(1, len(G))
        out.append(identity(sp.Matrix([mask(ncr.greedy_tuples(G, r, 1)[1]) for r in rs]),
                            sp.Matrix([mask(ncr.norm_ranking(G, r)[1]) for r in rs]), f"instance {k}, k = 1: kept sets"))
        out.append(identity(sp.Matrix([ncr.greedy_tuples(G, r, len(G) - r)[0] for r in rs]),
                            sp.Matrix([ncr.best_subset(G, r)[0] for r in rs]), f"instance {k}, k = l - r: errors"))
    return out


@functools.lru_cache(maxsize=None)
def greedy_study(count=500, l=8, r=4, k=2):
    """(optimum, greedy k, norm ranking, mean |cos| between the v_i) over seeded random instances."""
    rng = np.random.default_rng(SEED + 12)
    out = []
    for _ in range(count):
        X = rng.integers(-3, 4, size=(3, l)).tolist()
        Y = rng.integers(-3, 4, size=(l, 3)).tolist()
        G = ncr.gram(X, Y)
        g = np.array([[float(v) for v in row] for row in G])
        d = np.sqrt(np.diag(g))  # mutate: equivalent (the mean |cos| colours the plot; no claim checks it)
        nz = d > 0  # mutate: equivalent (the mean |cos| colours the plot; no claim checks it)
        cos = np.abs(g[np.ix_(nz, nz)] / np.outer(d[nz], d[nz]))  # mutate: equivalent (the mean |cos| colours the plot; no claim checks it)
        m = cos.shape[0]
        mean_cos = float((cos.sum() - m) / (m * (m - 1))) if m > 1 else 0.0  # mutate: equivalent (the mean |cos| colours the plot; no claim checks it)
        out.append((ncr.best_subset(G, r)[0], ncr.greedy_tuples(G, r, k)[0], ncr.norm_ranking(G, r)[0], mean_cos))
    return out


@claim("C7-gap", r"over 500 seeded integer instances ($l=8$, $r=4$, $k=2$) greedy pairs and norm ranking never beat the enumerated optimum (diagnostic: their gaps are tabulated in the report)",
       tag="extension", scope="instances", dps=(30,), points=0)
def C7_gap():
    out = []
    for k, (o, g, n, _) in enumerate(greedy_study()):
        gap_g, gap_n = g - o, n - o         # mutate: equivalent (errors are >= 0: min(g + o, 0) = 0 as well)
        out.append(identity(sp.Integer(min(gap_g, gap_n, 0)), 0, f"instance {k}: min(greedy - best, ranking - best, 0)"))
    return out


# --- C8 / C9: the optimal reweightings of a selection C = X[:, S], R = Y[S, :] ---------------------

@functools.lru_cache(maxsize=None)
def selections(count=8):
    """(X, Y, S) with n, m, l, r pairwise distinct; S may repeat an index (a draw with replacement)."""
    rng = random.Random(SEED + 13)
    out = [(X_REF, Y_REF, (1, 2)), ([[1, 2, 0], [0, 1, 3]], Y_REF, (2, 2))]  # mutate: equivalent (another valid instance: the claims on it are general)
    while len(out) < count:
        n, l, m, r = rng.sample(range(2, 7), 4)  # mutate: equivalent (another valid instance: the claims on it are general)
        if r >= l:
            continue
        X = [[rng.randint(-3, 3) for _ in range(l)] for _ in range(n)]  # mutate: equivalent (another valid instance: the claims on it are general)
        Y = [[rng.randint(-3, 3) for _ in range(m)] for _ in range(l)]  # mutate: equivalent (another valid instance: the claims on it are general)
        S = tuple(rng.choice(range(l)) for _ in range(r)) if len(out) % 2 else tuple(sorted(rng.sample(range(l), r)))  # mutate: equivalent (another valid instance: the claims on it are general)
        out.append((X, Y, S))
    return tuple(out)


def _CR(X, Y, S):
    Xm, Ym = _mat(X), _mat(Y)
    return Xm[:, list(S)], Ym[list(S), :], Xm * Ym


@functools.lru_cache(maxsize=None)
def exact_weights(k):
    """Lambda* = C^+ XY R^+ and lambda* = (U^T U)^+ U^T V 1 (Hadamard route) with SymPy's pinv."""
    X, Y, S = selections()[k]
    C, R, M = _CR(X, Y, S)
    Lam = C.pinv() * M * R.pinv()
    UtU = (C.T * C).multiply_elementwise(R * R.T)            # the article's "(C^T C) x (R R^T)": Hadamard
    UtV = (C.T * _mat(X)).multiply_elementwise(R * _mat(Y).T)
    lamd = UtU.pinv() * UtV * sp.ones(len(Y), 1)
    return C, R, M, Lam, lamd, UtU, UtV


@functools.lru_cache(maxsize=None)
def weight_errors(k):
    """|C Lambda* R - XY|_F^2, |C diag(lambda*) R - XY|_F^2, |C R - XY|_F^2 for selection k (exact)."""
    C, R, M, Lam, lamd, *_ = exact_weights(k)
    return _fro2(C * Lam * R - M), _fro2(C * sp.diag(*lamd) * R - M), _fro2(C * R - M)


@claim("C8", r"$\Lambda^*=C^\dagger XYR^\dagger$ satisfies the normal equations $C^\top(C\Lambda^*R-XY)R^\top=0$ exactly (SymPy `pinv`, 8 integer instances with $n,m,l,r$ pairwise distinct, some with a repeated index)",
       tag="extension", scope="instances", dps=(30,))
def C8():
    out = []
    for k, (X, Y, S) in enumerate(selections()):
        C, R, M, Lam, *_ = exact_weights(k)
        out.append(identity(C.T * (C * Lam * R - M) * R.T, sp.zeros(C.cols, R.rows), f"instance {k}: S = {S}"))
    return out


@claim("C8-num", r"`numpy.linalg.lstsq` on $(R^\top\otimes_{\rm Kron}C)\,\mathrm{vec}\Lambda=\mathrm{vec}(XY)$ gives the error of $C^\dagger XYR^\dagger$ to $10^{-10}$ relative, and 200 seeded perturbations of $\Lambda^*$ never lower the error",
       tag="numeric", dps=(30,))
def C8_num():
    rng = np.random.default_rng(SEED + 14)
    worst, lower = 0.0, 0
    for k in range(len(selections())):
        C, R, M, Lam, *_ = exact_weights(k)
        errs = weight_errors(k)
        Cf, Rf, Mf = (np.array(A.tolist(), dtype=float) for A in (C, R, M))
        L = ncr.full_weights(Cf, Rf, Mf)
        e_ls = float(((Cf @ L @ Rf - Mf) ** 2).sum())
        worst = max(worst, abs(e_ls - float(errs[0])) / max(float(errs[0]), 1.0))
        Lf = np.array(Lam.tolist(), dtype=float)
        for _ in range(25):
            P = Lf + 1e-3 * rng.standard_normal(Lf.shape)
            lower += float(((Cf @ P @ Rf - Mf) ** 2).sum()) < float(errs[0]) - 1e-12
    return [agrees(Estimate(worst, 0, "max rel. diff of the errors, lstsq vs pinv", None, 8), 0, atol=1e-10, scale=1,
                   label="lstsq = pinv"),
            agrees(Estimate(lower, 0, "perturbations with a lower error", None, 200, SEED + 14), 0, atol=0.5, scale=200,
                   label="no perturbation is better")]


Cs = sp.Matrix(2, 2, lambda a, i: sp.Symbol(f"c{a + 1}{i + 1}", real=True))     # C: n = 2, r = 2
Rs = sp.Matrix(2, 3, lambda i, b: sp.Symbol(f"r{i + 1}{b + 1}", real=True))     # R: r = 2, m = 3
X9 = sp.Matrix(2, 4, lambda a, j: sp.Symbol(f"x{a + 1}{j + 1}", real=True))     # X: n = 2, l = 4
Y9 = sp.Matrix(4, 3, lambda j, b: sp.Symbol(f"y{j + 1}{b + 1}", real=True))     # Y: l = 4, m = 3


@claim("C9", r"with $u_i=\mathrm{vec}(c_ir_i^\top)$, $v_j=\mathrm{vec}(x_jy_j^\top)$: $(U^\top V)_{ij}=(c_i^\top x_j)(r_i^\top y_j)$, $U^\top V=(C^\top X)\circ(RY^\top)$, $U^\top U=(C^\top C)\circ(RR^\top)$ "
       r"($\circ$ = elementwise: the article's $\otimes$); symbolic $C_{2\times2}$, $R_{2\times3}$, $X_{2\times4}$, $Y_{4\times3}$")
def C9():
    U = sp.Matrix.hstack(*[vec(Cs[:, i] * Rs[i, :]) for i in range(2)])
    Vm = sp.Matrix.hstack(*[vec(X9[:, j] * Y9[j, :]) for j in range(4)])
    entry = sp.Matrix(2, 4, lambda i, j: (Cs[:, i].T * X9[:, j])[0] * (Rs[i, :] * Y9[j, :].T)[0])
    return [identity(U.T * Vm, entry, "(U^T V)_ij = (c_i^T x_j)(r_i^T y_j)"),
            identity(U.T * Vm, (Cs.T * X9).multiply_elementwise(Rs * Y9.T), "U^T V = (C^T X) o (R Y^T)"),
            identity(U.T * U, (Cs.T * Cs).multiply_elementwise(Rs * Rs.T), "U^T U = (C^T C) o (R R^T)")]


@claim("C9-exact", r"$\lambda^*=(U^\top U)^\dagger U^\top V\mathbf 1$ (Hadamard route, SymPy `pinv`) satisfies the normal equations $U^\top(U\lambda^*-\mathrm{vec}\,XY)=0$ exactly, also with repeated indices ($U^\top U$ singular); "
       r"and $\|C\Lambda^*R-XY\|\le\|C\,\mathrm{diag}(\lambda^*)R-XY\|\le\|CR-XY\|$ on every instance",
       tag="extension", scope="instances", dps=(30,))
def C9_exact():
    out, order_bad = [], 0
    for k, (X, Y, S) in enumerate(selections()):
        C, R, M, Lam, lamd, UtU, UtV = exact_weights(k)
        errs = weight_errors(k)
        U = sp.Matrix.hstack(*[vec(C[:, i] * R[i, :]) for i in range(C.cols)])
        out.append(identity(U.T * (U * lamd - vec(M)), sp.zeros(C.cols, 1), f"instance {k}: S = {S}"))
        order_bad += not (errs[0] <= errs[1] <= errs[2])
    return out + [identity(sp.Integer(order_bad), 0, "instances violating full <= diagonal <= 0/1 selection")]


@claim("C9-num", r"$\lambda^*$ by the Hadamard route equals `lstsq` on the explicit $nm\times r$ system to $10^{-10}$ (float64, 8 instances; with repeats the errors are compared) and to $10^{-25}$ at 30 digits (mpmath, instances where $U^\top U$ is non-singular)",
       tag="numeric", dps=(30,))
def C9_num(dps):
    w64, wmp = 0.0, mp.mpf(0)
    for k, (X, Y, S) in enumerate(selections()):
        C, R, M, _, _, UtU, _ = exact_weights(k)
        Cf, Rf, Mf = (np.array(A.tolist(), dtype=float) for A in (C, R, M))
        h, e = (ncr.diag_weights(Cf, Rf, X, Y, route) for route in ("hadamard", "explicit"))
        err = lambda lam: float(((Cf @ np.diag(lam) @ Rf - Mf) ** 2).sum())
        w64 = max(w64, abs(err(h) - err(e)) / max(err(e), 1.0))
        if UtU.det() != 0:                                      # lambda* unique (no repeats, no zero u_i)
            w64 = max(w64, float(np.abs(h - e).max() / np.abs(e).max()))
            hm, em = (ncr.diag_weights(C.tolist(), R.tolist(), X, Y, route, dps=dps) for route in ("hadamard", "explicit"))
            with mp.workdps(dps):
                wmp = max(wmp, max(abs(a - b) for a, b in zip(hm, em)) / max(abs(b) for b in em))
    return [agrees(Estimate(w64, 0, "max rel. diff, Hadamard vs explicit, float64", None, 8), 0, atol=1e-10, scale=1, label="float64"),
            agrees(Estimate(wmp, 0, "max rel. diff, Hadamard vs explicit, mpmath", dps, 8), 0, atol=rtol_for(dps), scale=1, label=f"{dps} digits")]


# --- report ---------------------------------------------------------------------------------------

def _q(v):
    """A Fraction or mpf for a table: exact fractions as a/b, others to 10 digits."""
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return nstr(v, 10)


def _z(est, exact):
    return (est.value - float(exact)) / est.error


def _tex(M):
    return "$" + sp.latex(M) + "$"


@functools.lru_cache(maxsize=None)
def error_table_rows():
    rows = []
    for name, p in ref_probs().items():
        ex = cr_expected_error(X_REF, Y_REF, p)
        est = mc(name, 1)
        rows.append((name, p, ex, c3_formula(X_REF, Y_REF, p), est, _z(est, ex)))
    return rows


@functools.lru_cache(maxsize=None)
def r_table_rows(rs=tuple(range(1, 9))):
    out = []
    for name in ("uniform", "p*"):
        p = ref_probs()[name]
        e1 = c3_formula(X_REF, Y_REF, p)
        for r in rs:
            est = mc(name, r)
            out.append((name, r, cr_expected_error(X_REF, Y_REF, p, r), e1 / r, est, _z(est, e1 / r)))
    return out


def _e_r_formula(X, Y, p, r):
    """E_r(p) = E_1(p)/r (C5, verified by enumeration), E_1 by the C3 formula; p* irrational: mpf."""
    if all(isinstance(v, Fraction) for v in p):
        return c3_formula(X, Y, p) / r
    with mp.workdps(30):
        sq = [mp.mpf(q.numerator) / q.denominator for q in _sq_norms(X, Y)]
        s2 = mp.mpf(int(sum(v * v for row in _xy(X, Y) for v in row)))
        return _e1_mp(sq, p, s2) / r


def selection_row(X, Y, r):
    """Errors |approximation - XY|_F^2 of every method for one instance and r."""
    G = ncr.gram(X, Y)
    best, nr, l = ncr.best_subset(G, r), ncr.norm_ranking(G, r), len(G)
    row = {"best 0/1 subset": best[0], "norm ranking": nr[0]}
    if (l - r) % 2 == 0:
        row["greedy k = 2"] = ncr.greedy_tuples(G, r, 2)[0]
    Xf, Yf = np.array(X, dtype=float), np.array(Y, dtype=float)
    C, R, M = Xf[:, list(nr[1])], Yf[list(nr[1]), :], Xf @ Yf
    lam = ncr.diag_weights(C, R, Xf, Yf)
    row["norm-ranked, diagonal reweighting"] = float(((C @ np.diag(lam) @ R - M) ** 2).sum())
    L = ncr.full_weights(C, R, M)
    row["norm-ranked, full Lambda*"] = float(((C @ L @ R - M) ** 2).sum())
    row["sampling E_r(p*)"] = _e_r_formula(X, Y, cr_optimal_probs(X, Y), r)
    row["sampling E_r(uniform)"] = _e_r_formula(X, Y, [Fraction(1, l)] * l, r)
    return row


@functools.lru_cache(maxsize=None)
def random10(seed=SEED + 15):
    rng = random.Random(seed)
    X = [[rng.randint(-3, 3) for _ in range(10)] for _ in range(3)]
    Y = [[rng.randint(-3, 3) for _ in range(4)] for _ in range(10)]
    return X, Y


@functools.lru_cache(maxsize=None)
def c10_study(count=60):
    """Mean of error / |XY|_F^2 per method over seeded random l = 10 instances, r = 2, 4, 6."""
    rng = random.Random(SEED + 16)
    acc = {r: {} for r in (2, 4, 6)}
    for _ in range(count):
        X = [[rng.randint(-3, 3) for _ in range(10)] for _ in range(3)]
        Y = [[rng.randint(-3, 3) for _ in range(4)] for _ in range(10)]
        s2 = float(sum(v * v for row in _xy(X, Y) for v in row))
        for r in acc:
            for k, v in selection_row(X, Y, r).items():
                acc[r].setdefault(k, []).append(float(v) / s2)
    return {r: {k: float(np.mean(v)) for k, v in d.items()} for r, d in acc.items()}


@section("In short", order=-1)
def in_short():
    rows = {name: (ex, est, z) for name, _, ex, _, est, z in error_table_rows()}
    pstar = ref_probs()["p*"]
    found, tries = counterexample_search()
    st = greedy_study()
    opt_k2 = sum(1 for o, g, _, _ in st if g == o)
    opt_nr = sum(1 for o, _, n, _ in st if n == o)
    c10 = c10_study()
    prods = ", ".join(str(math.isqrt(int(q))) for q in _sq_norms(X_REF, Y_REF))
    G = ncr.gram(COUNTER_X, COUNTER_Y)
    (e_nr, k_nr), (e_best, _) = ncr.norm_ranking(G, 1), ncr.best_subset(G, 1)
    return (
        "**The article's sampling analysis is right.** For any distribution $p$ with $p_i>0$ wherever "
        "$x_iy_i^\\top\\neq0$, one importance-weighted draw $x_sy_s^\\top/p_s$ is unbiased and its squared "
        "Frobenius error has mean $\\sum_i\\|x_i\\|^2\\|y_i\\|^2/p_i-\\|XY\\|_F^2$ (C3, proved symbolically, and "
        "exact on 200 integer instances); the AM-GM step of the article is correct, so $p_i\\propto\\|x_i\\|\\|y_i\\|$ "
        "is the unique minimiser with error $(\\sum_i\\|x_i\\|\\|y_i\\|)^2-\\|XY\\|_F^2$ (C4). On the reference "
        f"instance the norm products are {prods}, so $p^*=({', '.join(_q(v) for v in pstar)})$ and the error "
        f"falls from {_q(rows['uniform'][0])} (uniform $p$) to {_q(rows['p*'][0])}; Monte Carlo with $10^6$ draws "
        f"gives {nstr(rows['uniform'][1].value, 6)} ± {nstr(rows['uniform'][1].error, 2)} and "
        f"{nstr(rows['p*'][1].value, 6)} ± {nstr(rows['p*'][1].error, 2)}.\n\n"
        "**What the article does not derive.** Its error is that of a single draw; with $r$ independent draws "
        "(with replacement) the error is divided by $r$ — standard, checked here exactly by enumerating all "
        "$l^r$ draws and by Monte Carlo (C5). The draws must be kept with their duplicates: counting a "
        "repeated index once biases the estimator (for $r=2$ its mean is $XY-\\frac12\\sum_ip_ix_iy_i^\\top$, "
        "C2-dedup), and a zero probability on a non-zero outer product makes it biased (C2-zero), a "
        "hypothesis the article leaves implicit.\n\n"
        "**Keeping the largest norms is only a heuristic, as the article says.** It is optimal when the outer "
        "products are pairwise orthogonal (C6-orth), but not in general: for $X=(-3,2,2)$, $Y=(1,1,1)^\\top$, "
        f"$r=1$ it keeps the column of norm {abs(COUNTER_X[0][k_nr[0]])} with error {e_nr}, while keeping a column of "
        f"norm 2 leaves error {e_best} (C6-general; a seeded search finds {len(found)} (instance, $r$) counterexamples among {tries} random integer instances). "
        f"On 500 random instances ($l=8$, $r=4$) norm ranking finds the best subset in {opt_nr}, greedy pairs "
        f"in {opt_k2} (C7).\n\n"
        "**The reweighting formulas are right**, with the article's $\\otimes$ read as the elementwise "
        "(Hadamard) product: $U^\\top V=(C^\\top X)\\circ(RY^\\top)$ and $U^\\top U=(C^\\top C)\\circ(RR^\\top)$ "
        "(C9); $\\Lambda^*=C^\\dagger XYR^\\dagger$ satisfies the normal equations (C8).\n\n"
        "**Sampling solves a relaxed problem** (weights $1/(rp_i)$ instead of 1). On random instances with "
        f"$l=10$, $r=4$, the mean error relative to $\\|XY\\|_F^2$ is {c10[4]['best 0/1 subset']:.3f} for the best "
        f"0/1 subset, {c10[4]['norm ranking']:.3f} for norm ranking, {c10[4]['norm-ranked, diagonal reweighting']:.3f} "
        f"after diagonal reweighting, and {float(c10[4]['sampling E_r(p*)']):.3f} in expectation for sampling with $p^*$: "
        "sampling pays off in cost ($O(rmn)$) and unbiasedness, not in the error of one approximation. The "
        "article's remark that exact selection is NP-hard is hedged there and is not checked.")


@section("The reference instance", order=1)
def instance_section():
    X, Y = _mat(X_REF), _mat(Y_REF)
    sq = _sq_norms(X_REF, Y_REF)
    z = sum(math.isqrt(int(q)) for q in sq)                         # the norm products are integers here
    rows = ["| $i$ | $x_i$ | $\\|x_i\\|$ | $y_i$ | $\\|y_i\\|$ | $\\|x_i\\|\\|y_i\\|$ | $p_i^*$ |", "|---|---|---|---|---|---|---|"]
    for i, p in enumerate(ref_probs()["p*"]):
        rows.append(f"| {i + 1} | {tuple(X_REF[a][i] for a in range(2))} | ${sp.latex(sp.sqrt(sum(X[a, i] ** 2 for a in range(2))))}$ | "
                    f"{Y_REF[i]} | ${sp.latex(sp.sqrt(sum(v * v for v in Y[i, :])))}$ | {math.isqrt(int(sq[i]))} | {_q(p)} |")
    return (f"$X={_tex(X)[1:-1]}$ ($n=2$, $l=3$), $Y={_tex(Y)[1:-1]}$ ($m=2$): the norm products are integers, so "
            f"$p^*$ and every error are rational. $XY={_tex(X * Y)[1:-1]}$, $\\|XY\\|_F^2={_fro2(X * Y)}$, "
            f"$Z=\\sum_i\\|x_i\\|\\|y_i\\|={z}$, optimal single-draw error $Z^2-\\|XY\\|_F^2={z ** 2 - _fro2(X * Y)}$.\n\n"
            + "\n".join(rows))


def _e1_grid(P):
    """E_1 on the reference instance for an array of distributions P (rows), float64 (C3 formula)."""
    q = np.array([float(v) for v in _sq_norms(X_REF, Y_REF)])
    return (q / P).sum(axis=1) - float(sum(v * v for row in _xy(X_REF, Y_REF) for v in row))


@section("Single-draw error and the optimal distribution (C3, C4)", order=2)
def error_section():
    rows = ["| $p$ | $p_1,p_2,p_3$ | $E_1$ exact (enumeration) | C3 formula | Monte Carlo $10^6$ ± SE | $z$ |",
            "|---|---|---|---|---|---|"]
    for name, p, ex, fo, est, z in error_table_rows():
        rows.append(f"| {name} | {', '.join(_q(v) for v in p)} | {_q(ex)} | {_q(fo)} | "
                    f"{nstr(est.value, 7)} ± {nstr(est.error, 2)} | {z:+.2f} |")
    plt = pyplot()
    rng = np.random.default_rng(SEED + 17)
    P = rng.dirichlet(np.ones(3), size=10**4)
    e_star = {name: ex for name, _, ex, *_ in error_table_rows()}
    gap = _e1_grid(P) - float(e_star["p*"])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.hist(gap, bins=np.logspace(np.log10(max(gap.min(), 1e-3)), np.log10(gap.max()), 60), color="C0")
    ax.axvline(gap.min(), color="r", ls="--", label=f"minimum over the sample: {gap.min():.3g} (> 0)")
    ax.set(xscale="log", xlabel="E_1(p) - E_1(p*)", ylabel="count",
           title="10^4 uniform random points of the simplex, reference instance")
    ax.legend()
    fig2, ax2 = plt.subplots(figsize=(7, 4.5))
    t = np.linspace(0.005, 0.995, 300)
    A, B = np.meshgrid(t, t)
    ok = A + B < 0.995
    Pg = np.stack([A[ok], B[ok], 1 - A[ok] - B[ok]], axis=1)
    Zg = np.full(A.shape, np.nan)
    Zg[ok] = _e1_grid(Pg)
    im = ax2.pcolormesh(A, B, np.log10(Zg), shading="auto", cmap="viridis")
    fig2.colorbar(im, ax=ax2, label="log10 E_1(p)")
    ps_ = [float(v) for v in ref_probs()["p*"]]
    ax2.plot(ps_[0], ps_[1], "r*", ms=14,
             label=f"p* = ({', '.join(_q(v) for v in ref_probs()['p*'])}), E_1 = {_q(e_star['p*'])}")
    ax2.plot(1 / 3, 1 / 3, "o", mfc="w", mec="k", label=f"uniform, E_1 = {_q(e_star['uniform'])}")
    ax2.set(xlabel="p_1", ylabel="p_2 (p_3 = 1 - p_1 - p_2)", title="single-draw error over the simplex")
    ax2.legend(loc="upper right")
    text = ("The exact column enumerates the three draws in rational arithmetic (`cr_expected_error`); the "
            "formula column is $\\sum_i\\|x_i\\|^2\\|y_i\\|^2/p_i-\\|XY\\|_F^2$ computed separately; the Monte Carlo "
            "standard error is computed from the samples. The per-draw squared error has heavy tails when a "
            "small $p_i$ meets a large norm (uniform $p$ here), hence $10^6$ draws.\n\n" + "\n".join(rows))
    return text, (("gap_histogram.png", fig), ("simplex_heatmap.png", fig2))


@section("r draws with replacement (C5; not derived in the article)", order=3)
def r_section():
    rows = ["| $p$ | $r$ | $E_r$ exact ($3^r$ draws enumerated) | $E_1/r$ | Monte Carlo $10^6$ ± SE | $z$ |",
            "|---|---|---|---|---|---|"]
    data = r_table_rows()
    for name, r, ex, er, est, z in data:
        rows.append(f"| {name} | {r} | {_q(ex)} | {_q(er)} | {nstr(est.value, 7)} ± {nstr(est.error, 2)} | {z:+.2f} |")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, name in enumerate(("uniform", "p*")):
        d = [t for t in data if t[0] == name]
        rs = np.array([t[1] for t in d])
        ax.plot(rs, [float(t[2]) for t in d], "-", color=f"C{k}", label=f"{name}: exact E_r")
        ax.errorbar(rs, [t[4].value for t in d], yerr=[2 * t[4].error for t in d], fmt="o", color=f"C{k}",
                    ms=4, capsize=3, label=f"{name}: Monte Carlo ± 2 SE")
    ax.set(xscale="log", yscale="log", xlabel="r (draws)", ylabel="E_r = E||M_r - XY||_F^2",
           title="the error of r draws is E_1/r (slope -1)")
    ax.legend()
    return ("Every exact value enumerates all $3^r$ ordered draws ($r\\le8$: at most 6561) with duplicates kept, "
            "so the $1/r$ law is checked, not assumed.\n\n" + "\n".join(rows), (("error_vs_r.png", fig),))


def _cell(v, scale):
    """An error for the table: exact values as they are, float64 values below 1e-12 |XY|^2 as 0."""
    if isinstance(v, (int, Fraction)):
        return _q(Fraction(v))
    return "0 (to rounding)" if abs(v) < 1e-12 * scale else nstr(v, 6)


def _sel_table(X, Y, rs):
    scale = float(sum(v * v for row in _xy(X, Y) for v in row))
    rows = [selection_row(X, Y, r) for r in rs]
    keys = list(dict.fromkeys(k for row in rows for k in row))
    out = ["| method | " + " | ".join(f"$r={r}$" for r in rs) + " |", "|---|" + "---|" * len(rs)]
    for k in keys:
        out.append(f"| {k} | " + " | ".join(_cell(row[k], scale) if k in row else "" for row in rows) + " |")
    return "\n".join(out)


@section("Selection, reweighting and sampling compared (C6, C7, C10)", order=4)
def selection_section():
    X10, Y10 = random10()
    found, tries = counterexample_search()
    _, Xc, Yc, rc, nrc, bc = found[0]
    st = greedy_study()
    gaps_k2 = np.array([(g - o) / o if o else 0.0 for o, g, _, _ in st])
    gaps_nr = np.array([(n - o) / o if o else 0.0 for o, _, n, _ in st])
    gt = ["| method ($l=8$, $r=4$, 500 instances) | optimal in | median rel. gap | 90% | max |", "|---|---|---|---|---|"]
    for name, g in (("greedy pairs ($k=2$)", gaps_k2), ("norm ranking", gaps_nr)):
        gt.append(f"| {name} | {int((g == 0).sum())} | {np.median(g):.3f} | {np.quantile(g, 0.9):.3f} | {g.max():.3f} |")
    c10 = c10_study()
    ct = ["| method (mean error / $\\|XY\\|_F^2$, 60 instances, $l=10$) | $r=2$ | $r=4$ | $r=6$ |", "|---|---|---|---|"]
    for k in c10[2]:
        ct.append(f"| {k} | " + " | ".join(f"{c10[r][k]:.3f}" for r in (2, 4, 6)) + " |")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    o = np.array([t[0] for t in st], dtype=float)
    n = np.array([t[2] for t in st], dtype=float)
    sc = ax.scatter(o, n, c=[t[3] for t in st], s=10, cmap="plasma")
    lim = max(o.max(), n.max())
    ax.plot([0, lim], [0, lim], "k--", lw=0.8, label="diagonal: norm ranking optimal")
    fig.colorbar(sc, ax=ax, label="mean |cos| between the v_i")
    ax.set(xlabel="best 0/1 subset error (enumeration)", ylabel="norm-ranking error",
           title="500 random integer instances, l = 8, r = 4")
    ax.legend()
    text = ("Errors are $\\|\\cdot-XY\\|_F^2$. Sampling rows give the expected error of $r$ draws with "
            "replacement, $E_1/r$ (C5); the reweighted rows reweight the norm-ranked subset.\n\n"
            "**Reference instance** ($l=3$):\n\n" + _sel_table(X_REF, Y_REF, (1, 2))
            + f"\n\n**A seeded random instance** ($n=3$, $l=10$, $m=4$, entries in $[-3,3]$):\n\n"
            + _sel_table(X10, Y10, (2, 4, 6))
            + f"\n\n**Norm ranking is not optimal in general** (C6-general). A minimal "
            f"example: $X=(-3,2,2)$, $Y=(1,1,1)^\\top$, $r=1$: norm ranking error "
            f"{ncr.norm_ranking(ncr.gram(COUNTER_X, COUNTER_Y), 1)[0]}, optimum "
            f"{ncr.best_subset(ncr.gram(COUNTER_X, COUNTER_Y), 1)[0]}. The smallest counterexample of the seeded "
            f"search ({tries} instances): $X={Xc}$, $Y={Yc}$, $r={rc}$: norm ranking keeps {nrc[1]} (error {nrc[0]}), "
            f"the optimum keeps {bc[1]} (error {bc[0]}).\n\n**Greedy $k$-tuples** (C7; relative gap to the optimum):\n\n"
            + "\n".join(gt) + "\n\n**Relaxed against original problem** (C10; no verdict beyond the orderings of C9):\n\n"
            + "\n".join(ct))
    return text, (("norm_ranking_scatter.png", fig),)


@section("Reweighting: the Hadamard Gram identities (C8, C9)", order=5)
def reweight_section():
    C, R, M, Lam, lamd, UtU, UtV = exact_weights(0)
    errs = weight_errors(0)
    U = sp.Matrix.hstack(*[vec(C[:, i] * R[i, :]) for i in range(C.cols)])
    Vm = sp.Matrix.hstack(*[vec(_mat(X_REF)[:, j] * _mat(Y_REF)[j, :]) for j in range(3)])
    rows = ["| quantity | explicit ($U$, $V$ built by vec) | Hadamard route |", "|---|---|---|",
            f"| $U^\\top V$ | {_tex(U.T * Vm)} | {_tex(UtV)} |",
            f"| $U^\\top U$ | {_tex(U.T * U)} | {_tex(UtU)} |"]
    return ("In the article's formulas $U^\\top V=(C^\\top X)\\otimes(RY^\\top)$ and "
            "$U^\\top U=(C^\\top C)\\otimes(RR^\\top)$ the symbol $\\otimes$ is the **Hadamard (elementwise) "
            "product** $\\circ$, not the Kronecker product (which would give matrices of the wrong size); in C8 "
            "$R^\\top\\otimes C$ is the Kronecker product of the vectorised system. Reference instance, "
            "$S=\\{2,3\\}$ (the norm-ranked pair):\n\n" + "\n".join(rows)
            + f"\n\n$\\lambda^*={sp.latex(lamd.T)}^\\top$, $\\Lambda^*=C^\\dagger XYR^\\dagger={sp.latex(Lam)}$. Errors: "
            f"full $\\Lambda^*$ {errs[0]}, diagonal $\\lambda^*$ {errs[1]}, plain 0/1 selection {errs[2]} "
            "(the ordering of C9-exact). With a repeated index $U^\\top U$ is singular and $\\lambda^*$ is not "
            "unique; the pseudo-inverse still satisfies the normal equations (C9-exact).")
