r"""Adam as an approximate Newton step: the squared gradient as the square of the Hessian

Article: Su Jianlin, 《从Hessian近似看自适应学习率优化器》 ("Adaptive learning-rate optimizers seen through Hessian approximation"), 2024-11-29, https://kexue.fm/archives/10588 (the view it credits: I. Molybog et al., "A Theory on Adam Instability in Large-Scale Machine Learning", https://arxiv.org/abs/2304.09871)

SGD and Adam are Newton steps with $\mathcal H$ replaced by $\eta^{-1}I$ and
$\eta^{-1}\mathrm{diag}(\sqrt{\hat v}+\epsilon)$; linearising the gradient at the optimum and taking
$\theta-\theta^*\sim\mathcal N(0,\sigma^2I)$ gives $\mathbb E[gg^\top]\approx\sigma^2\mathcal H^2$, so
$\sqrt{\hat v}/\sigma\approx\mathcal H$ for a diagonal Hessian. The algebra is exact; what $\sqrt v$
estimates is a row norm (not $|H_{ii}|$) when $H$ is not diagonal, the square root returns $|H|$
(saddle-free Newton), the equivalence holds up to $\eta/\sigma$, isotropy is an assumption that
simulations satisfy or violate, and under SGD with Fisher-like noise $\mathbb E[gg^\top]$ tracks $H$,
not $H^2$: which of $H\Sigma H$ and the noise $C$ dominates is set by $\eta h$. Regimes are
**MODEL** claims; the article's SDE remark is an analogy with nothing to check.
"""
import functools
import itertools
import math

import mpmath as mp
import numpy as np
import sympy as sp

from derivcheck import Estimate, agrees, chain, claim, identity, section
from derivcheck.figures import pyplot
from numerics import adam_newton as na
from numerics.precision import stable

SEED = 10588


def sym_matrix(n, name="h"):
    """A symbolic symmetric n x n matrix h_ij = h_ji."""
    return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"{name}{min(i, j) + 1}{max(i, j) + 1}", real=True))


# --- N1, N2: Newton's step and the Newton lens --------------------------------------------------

@claim("N1", r"the minimiser of $m(\Delta)=g^\top\Delta+\tfrac12\Delta^\top H\Delta$ solves $\nabla m=0$: $\Delta=-H^{-1}g$; $H\succ0$ by Sylvester ($h_{11}>0$, $\det H>0$) makes it the unique minimum, by completing the square: $m-m^*=\frac{h_{11}}2(y_1+\frac{h_{12}}{h_{11}}y_2)^2+\frac{\det H}{2h_{11}}y_2^2$, $y=\Delta-\Delta^*$ (symbolic $2\times2$)")
def N1():
    H = sym_matrix(2)
    g = sp.Matrix(sp.symbols("g1 g2", real=True))
    D = sp.Matrix(sp.symbols("d1 d2", real=True))
    m = (g.T * D)[0] + (D.T * H * D)[0] / 2
    sol = sp.solve([sp.diff(m, di) for di in D], list(D), dict=True)[0]
    y1, y2 = D[0] - sol[D[0]], D[1] - sol[D[1]]                # the displacement from the stationary point
    return [identity(sp.Matrix([sol[di] for di in D]), -H.inv() * g, "stationary point = -H^-1 g"),
            identity(sp.hessian(m, list(D)), H, "the Hessian of the model is H"),
            identity(H.det(), H[0, 0] * H[1, 1] - H[0, 1] ** 2, "Sylvester's second minor"),
            identity(m - m.subs({di: sol[di] for di in D}),
                     H[0, 0] / 2 * (y1 + H[0, 1] / H[0, 0] * y2) ** 2 + H.det() / (2 * H[0, 0]) * y2**2,
                     "m - m(stationary) = h11/2 (y1 + h12 y2/h11)^2 + det H/(2 h11) y2^2 > 0 for y != 0 when h11 > 0, det H > 0",
                     )]


def _spd_examples(count=6, seed=SEED):
    """Seeded integer SPD matrices A A^T + I (entries of A in [-5, 5]), sizes 2..4, as SymPy Rationals."""
    rng = np.random.default_rng(seed)
    for k in range(count):
        n = 2 + k % 3
        A = sp.Matrix(rng.integers(-5, 6, size=(n, n)).tolist())
        H = A * A.T + sp.eye(n)  # mutate: equivalent (any invertible H keeps the Newton step exact)
        th0 = sp.Matrix(rng.integers(-9, 10, size=n).tolist())
        yield H, th0, sp.Matrix([sp.Rational(int(v), 7) for v in rng.integers(-20, 21, size=n)])  # mutate: equivalent (another rational theta* is another valid instance)


@claim("N1-exact", r"on a quadratic $\tfrac12(\theta-\theta^*)^\top H(\theta-\theta^*)$ one Newton step lands exactly on $\theta^*$ (exact rationals; seeded integer SPD $AA^\top+I$, sizes 2-4)")
def N1_exact():
    out = []
    for k, (H, th0, star) in enumerate(_spd_examples()):
        g = H * (th0 - star)                                  # the gradient at theta_0
        out.append(identity(th0 - H.LUsolve(g), star, f"example {k + 1} ({H.rows}x{H.rows})"))
    return out


eta, eps_ = sp.symbols("eta epsilon", positive=True)


@claim("N2", r"ignoring momentum, Adam's update $\theta-\eta g/(\sqrt{\hat v}+\epsilon)$ is $\theta-[\eta^{-1}\mathrm{diag}(\sqrt{\hat v}+\epsilon)]^{-1}g$, and SGD's $\theta-\eta g$ is $\theta-(\eta^{-1}I)^{-1}g$")
def N2():
    th = sp.Matrix(sp.symbols("t1:4", real=True))
    g = sp.Matrix(sp.symbols("g1:4", real=True))
    v = sp.symbols("v1:4", positive=True)
    adam = sp.Matrix([th[i] - eta * g[i] / (sp.sqrt(v[i]) + eps_) for i in range(3)])
    lens = th - (sp.diag(*[(sp.sqrt(vi) + eps_) / eta for vi in v])).inv() * g
    return [identity(adam, lens, "Adam = Newton with H = diag(sqrt(v) + eps)/eta"),
            identity(th - eta * g, th - (sp.eye(3) / eta).inv() * g, "SGD = Newton with H = I/eta")]


# --- N3, N4, N5: linearisation, the outer product, what sqrt(v) estimates ---------------------------

@claim("N3", r"$g(\theta_0+\varepsilon u)-g(\theta_0)-\varepsilon H(\theta_0)u=\tfrac{\varepsilon^2}2\nabla^3\mathcal L[u,u]+O(\varepsilon^3)$ (test function $\log\cosh(t_1-1)+\tfrac12(t_1t_2-2)^2+t_2^4/4$, $\theta_0=(\tfrac12,\tfrac13)$, $u=(2,-1)$)",
       timeout=30)
def N3():
    t1, t2, ep = sp.symbols("t1 t2 varepsilon", real=True)
    L = sp.log(sp.cosh(t1 - 1)) + (t1 * t2 - 2) ** 2 / 2 + t2**4 / 4  # mutate: equivalent (any smooth test function)
    grad = sp.Matrix([sp.diff(L, t1), sp.diff(L, t2)])
    H = sp.hessian(L, (t1, t2))
    p0 = {t1: sp.Rational(1, 2), t2: sp.Rational(1, 3)}  # mutate: equivalent (any expansion point)
    u = (2, -1)  # mutate: equivalent (any direction)
    at = {t1: p0[t1] + ep * u[0], t2: p0[t2] + ep * u[1]}
    lhs = grad.subs(at) - grad.subs(p0) - ep * H.subs(p0) * sp.Matrix(u)
    coeff = [lhs.applyfunc(lambda e: sp.diff(e, ep, k).subs(ep, 0) / sp.factorial(k)) for k in range(3)]   # Taylor coefficients
    third = sp.Matrix([sum(sp.diff(L, vi, t1 if a == 0 else t2, t1 if b == 0 else t2) * u[a] * u[b]
                           for a in range(2) for b in range(2)) for vi in (t1, t2)]).subs(p0)
    return [identity(coeff[0], sp.zeros(2, 1), "no eps^0 term"),
            identity(coeff[1], sp.zeros(2, 1), "no eps^1 term"),
            identity(coeff[2], third / 2, "eps^2 coefficient = (1/2) L'''[u, u]")]


sigma = sp.Symbol("sigma", positive=True)


@claim("N4", r"for a linear gradient $g=H\delta$: $\mathbb E[gg^\top]=H(\Sigma+\mu\mu^\top)H$, $\mathrm{Cov}(g)=H\Sigma H$; with $\Sigma=\sigma^2I$, $\mu=0$: $\sigma^2H^2$ (symbolic $3\times3$)")
def N4():
    H = sym_matrix(3)
    Sig = sym_matrix(3, "s")
    muv = sp.Matrix(sp.symbols("mu1:4", real=True))
    e = sp.Matrix(sp.symbols("e1:4", real=True))             # delta = mu + e, E e = 0, E e e^T = Sigma
    gg = (H * (muv + e)) * (H * (muv + e)).T
    Egg = gg.applyfunc(lambda x: _expect_centred(x, list(e), Sig))
    Eg = (H * (muv + e)).applyfunc(lambda x: _expect_centred(x, list(e), Sig))
    return [identity(Egg, H * (Sig + muv * muv.T) * H, "E[g g^T] = H (Sigma + mu mu^T) H, expanding g g^T"),
            identity(Egg - Eg * Eg.T, H * Sig * H, "Cov(g) = H Sigma H"),
            identity(H * (sigma**2 * sp.eye(3)) * H.T, sigma**2 * H**2, "isotropic: sigma^2 H^2")]


def _expect_centred(expr, es, Sig):
    """E of a polynomial of degree <= 2 in centred e with E e_i e_j = Sig_ij, term by term."""
    poly = sp.Poly(sp.expand(expr), *es)
    total = 0
    for powers, coeff in poly.terms():
        idx = [i for i, k in enumerate(powers) for _ in range(k)]
        if len(idx) > 2:
            raise ValueError(f"degree {len(idx)} > 2: needs more than the covariance")
        total += coeff * (1 if not idx else 0 if len(idx) == 1 else Sig[idx[0], idx[1]])
    return sp.expand(total)


H3 = ((2.0, 1.0, 0.0), (1.0, 3.0, 0.5), (0.0, 0.5, 1.0))  # mutate: equivalent (any H is an instance: the mean square error is K/N for every H)
NS_N4, N4_REPS = (10, 100, 1000, 10000), 200  # mutate: equivalent (any sample sizes: the mean square error is K/N for every N)
NS_N4_DEEP, N4_REPS_DEEP = (30, 300, 3000, 30000), 400  # mutate: equivalent (any sample sizes: the mean square error is K/N for every N)


@functools.lru_cache(maxsize=None)
def _n4_samples(deep):
    Ns, reps = (NS_N4_DEEP, N4_REPS_DEEP) if deep else (NS_N4, N4_REPS)
    return np.array([na.outer_errors(H3, 0.1, N, reps, SEED + N % 1009 + (7 if deep else 0)) for N in Ns]).T  # mutate: equivalent (another seed)


def n4_samples(deep=False):
    """(replicates x N) relative errors, independent samples for every N and replicate."""
    return _n4_samples(bool(deep))


def n4_errors():
    return tuple(float(v) for v in np.sqrt(np.mean(n4_samples() ** 2, axis=0)))


def _fro(M):
    """Frobenius norm with an exactly rounded sum (math.fsum) and sqrt."""
    return math.sqrt(math.fsum(float(x) ** 2 for x in np.ravel(M)))


def _slope(xs, ys):
    """Least-squares slope of log y against log x, in mpmath (no BLAS, no platform libm)."""
    with mp.workdps(30):
        lx, ly = [mp.log(mp.mpf(x)) for x in xs], [mp.log(mp.mpf(y)) for y in ys]
        mx, my = mp.fsum(lx) / len(lx), mp.fsum(ly) / len(ly)
        return float(mp.fsum((a - mx) * (b - my) for a, b in zip(lx, ly)) / mp.fsum((a - mx) ** 2 for a in lx))  # mutate: equivalent (sum of (b - my) is 0: adding a constant to a - mx changes nothing)


RATE = sp.Rational(-1, 2)                                     # the Monte Carlo rate N^(-1/2)


N4_TEXT = (r"the relative Frobenius error of $\frac1N\sum gg^\top$ against $\sigma^2H^2$ falls like $N^{{-1/2}}$: exactly, since a mean of $N$ i.i.d. "
           r"outer products has mean square error $K/N$ ($\mathrm{{rms}}=\sqrt{{K/N}}$, log-log slope $-\tfrac12$); Monte Carlo: the log-log slope over "
           r"$N={}..{}$ (3 decades), fitted per replicate ({} independent replicates), is $-0.5$ within 4 SE")


def n4_links(deep):
    Nn, K = sp.symbols("N K", positive=True)
    Ns = NS_N4_DEEP if deep else NS_N4
    slopes = [_slope(Ns, row) for row in n4_samples(deep)]
    return [identity(Nn * sp.diff(sp.log(sp.sqrt(K / Nn)), Nn), RATE, "d log rms / d log N for rms = sqrt(K/N)"),
            agrees(Estimate.from_samples(slopes, "log-log slope of one replicate's errors", SEED), float(RATE),
                   k_sigma=4, label="slope")]


@claim("N4-mc", N4_TEXT.format(NS_N4[0], NS_N4[-1], N4_REPS), tag="asymptotic", dps=(15,))
def N4_mc():
    return n4_links(False)


@claim("N4-mc-deep", N4_TEXT.format(NS_N4_DEEP[0], NS_N4_DEEP[-1], N4_REPS_DEEP), tag="asymptotic", dps=(15,), slow=True)
def N4_mc_deep():
    return n4_links(True)


@claim("N5", r"$(H^2)_{11}-H_{11}^2=h_{12}^2+h_{13}^2$: $\sqrt{\mathbb E[g_1^2]}/\sigma=\|H_{1,:}\|\ge|H_{11}|$, with equality iff the row is diagonal (symbolic $3\times3$)")
def N5():
    H = sym_matrix(3)
    return identity((H**2)[0, 0] - H[0, 0] ** 2, H[0, 1] ** 2 + H[0, 2] ** 2, "(H^2)_11 - H_11^2")


def chain_violations(count=500, seed=SEED):
    """(violations, draws, tightest gap): ||H_i|| >= |H|_ii >= |H_ii| with 1e-12 relative slack, and
    equality throughout for diagonal rows, on seeded symmetric integer matrices (entries in [-5, 5])."""
    rng = np.random.default_rng(seed)
    bad, tight = 0, math.inf
    for _ in range(count):
        n = int(rng.integers(2, 6))
        A = rng.integers(-5, 6, size=(n, n)).astype(float)
        H = np.triu(A) + np.triu(A, 1).T
        if rng.random() < 0.3:                                       # some rows diagonal
            i = int(rng.integers(n))
            H[i, :] = H[:, i] = 0
            H[i, i] = rng.integers(-5, 6)
        row, absH, diag = np.linalg.norm(H, axis=1), np.diag(na.abs_matrix(H)), np.abs(np.diag(H))
        slack = 1e-12 * np.maximum(row, 1)
        bad += int(not np.array_equal(H, H.T))                          # the draw must be symmetric
        bad += int(np.any(row < absH - slack) or np.any(absH < diag - slack))
        offdiag = np.abs(H - np.diag(np.diag(H))).sum(axis=1) == 0
        bad += int(np.any(np.abs(row[offdiag] - diag[offdiag]) > slack[offdiag]))
        tight = min(tight, float(np.min(row - diag)))
    return bad, count


@claim("N5-chain", r"$\|H_{i,:}\|_2\ge|H|_{ii}\ge|H_{ii}|$ for seeded random symmetric integer matrices (500 draws, sizes 2-5, 1e-12 slack), equality for diagonal rows",
       tag="numeric", dps=(15,))
def N5_chain():
    bad, total = chain_violations()
    return agrees(Estimate(bad, 0, f"violations among {total} matrices", None, total, SEED), 0, label="chain")


# --- N6, N7: the sign and the scale -----------------------------------------------------------------

@claim("N6", r"for $H=\mathrm{diag}(2,-1)$: $\sqrt{\mathbb E[g^2]}/\sigma=|H|$, Newton's step is $(-\delta_1,-\delta_2)$ and the Adam-lens step $-|H|^{-1}g$ is $(-\delta_1,+\delta_2)$: saddle-free Newton")
def N6():
    d1, d2 = sp.symbols("delta1 delta2", real=True)
    H = sp.diag(2, -1)
    g = H * sp.Matrix([d1, d2])
    Eg2 = sp.Matrix([(H**2)[i, i] * sigma**2 for i in range(2)])          # E g_i^2 = (H^2)_ii sigma^2
    absH = sp.diag(*[sp.sqrt(Eg2[i]) / sigma for i in range(2)])
    return [identity(absH, sp.diag(2, 1), "sqrt(E g^2)/sigma = |H|"),
            identity(-H.inv() * g, sp.Matrix([-d1, -d2]), "Newton"),
            identity(-absH.inv() * g, sp.Matrix([-d1, d2]), "Adam lens: the sign of the negative direction flips")]


@claim("N7", r"with $\beta_1=0$, $\epsilon=0$, $v=\mathbb E[g^2]$ and diagonal $H\succ0$: $\Delta\theta_{\rm Adam}=-(\eta/\sigma)H^{-1}g$, the Newton step iff $\eta=\sigma$")
def N7():
    h = sp.symbols("h1:3", positive=True)
    g = sp.Matrix(sp.symbols("g1:3", real=True))
    H = sp.diag(*h)
    v = [h[i] ** 2 * sigma**2 for i in range(2)]
    step = sp.Matrix([-eta * g[i] / sp.sqrt(v[i]) for i in range(2)])
    return [identity(step, -(eta / sigma) * H.inv() * g, "Adam step"),
            identity(step.subs(eta, sigma), -H.inv() * g, "eta = sigma: Newton")]


@claim("P-A1", r"isotropy depends on the parametrisation: for $\theta=C\varphi$, $C=\mathrm{diag}(c_i)\succ0$, Adam ($\beta_1=0$, $\epsilon=0$) run on $\varphi$ moves $\theta$ by $C$ times Adam's step in $\theta$ (so a jitter isotropic in one parametrisation is scaled by $c_i$ in the other), while Newton's step is the same in both (symbolic $3\times3$)",
       tag="model")
def P_A1():
    c = sp.symbols("c1:4", positive=True)
    C = sp.diag(*c)
    H = sym_matrix(3)
    g = sp.Matrix(sp.symbols("g1:4", real=True))             # the gradient in theta
    v = sp.symbols("v1:4", positive=True)                     # the second moments of g in theta
    adam_theta = sp.Matrix([-eta * g[i] / sp.sqrt(v[i]) for i in range(3)])
    g_phi = C * g                                              # chain rule: dL/dphi = C dL/dtheta
    adam_phi = sp.Matrix([-eta * g_phi[i] / sp.sqrt(c[i] ** 2 * v[i]) for i in range(3)])   # v_phi = c^2 v
    newton_phi = -(C * H * C).inv() * g_phi
    return [identity(C * adam_phi, C * adam_theta, "Adam on phi, mapped to theta: C times Adam's theta step"),
            identity(C * newton_phi, -H.inv() * g, "Newton on phi, mapped to theta: the theta Newton step")]


# --- N8: the EMA behind beta2 > beta1 ---------------------------------------------------------------

beta, t_ = sp.symbols("beta t", positive=True)


@claim("N8", r"EMA $v_t=(1-\beta)\sum_{k<t}\beta^kx_{t-k}$, i.i.d. $x$: $\mathbb Ev_t=(1-\beta^t)\mathbb Ex$ (the bias correction is exact), $\mathrm{Var}\,v_t=\frac{(1-\beta)(1-\beta^{2t})}{1+\beta}\mathrm{Var}\,x$; Gaussian $g$: $\mathrm{sd}(v_\infty)/\mathbb Ev_\infty=\sqrt{2(1-\beta)/(1+\beta)}$",
       simplifiers=(sp.factor,))
def N8():
    tt = sp.Symbol("t", integer=True, positive=True)
    b1, Eg = sp.Symbol("beta1", positive=True), sp.Symbol("Eg", real=True)
    mean_t, var_t = 1 - beta**tt, (1 - beta) * (1 - beta ** (2 * tt)) / (1 + beta)
    Em_t = (1 - b1**tt) * Eg
    # each closed form F_t of a sum S_t = sum_{k<t} a_k by induction on t: F_1 = a_0 and F_{t+1} - F_t = a_t
    out = [identity(mean_t.subs(tt, 1), 1 - beta, "mean factor, t = 1"),
           identity(mean_t.subs(tt, tt + 1) - mean_t, (1 - beta) * beta**tt, "mean factor: F_(t+1) - F_t = (1 - beta) beta^t"),
           identity(var_t.subs(tt, 1), (1 - beta) ** 2, "variance factor, t = 1"),
           identity(var_t.subs(tt, tt + 1) - var_t, (1 - beta) ** 2 * beta ** (2 * tt),
                    "variance factor: F_(t+1) - F_t = (1 - beta)^2 beta^(2t)")]
    out += [identity(sum((1 - beta) ** 2 * beta ** (2 * j) for j in range(n)), var_t.subs(tt, n), f"t = {n} term by term")
            for n in range(1, 6)]
    out += [identity(Em_t.subs(tt, 1), (1 - b1) * Eg, "E m_1 = (1 - beta1) E g"),
            identity(Em_t.subs(tt, tt + 1) - Em_t, (1 - b1) * b1**tt * Eg, "E m_t = (1 - beta1^t) E g: F_(t+1) - F_t = (1 - beta1) beta1^t E g"),
            identity(Em_t.subs(Eg, 0), 0, "E m_t = 0 at stationarity (E g = H E delta = 0)")]
    gg = sp.Symbol("g", real=True)
    var_x = _moments(gg**4, (gg,), 4) - _moments(gg**2, (gg,), 4) ** 2    # x = g^2, g ~ N(0, 1): 3 - 1
    out.append(identity(sp.sqrt((1 - beta) / (1 + beta) * var_x) / 1, sp.sqrt(2 * (1 - beta) / (1 + beta)),
                        "t -> oo, x = g^2: sd/mean"))
    return out


EMA_CASES = ((0.9, 10, 200_000), (0.999, 500, 20_000))      # small t: 1 - beta^t and 1 - beta^(2t) far from 1


@functools.lru_cache(maxsize=None)
def ema_runs():
    return {b: na.ema_mc(b, t, r, SEED + int(1000 * b)) for b, t, r in EMA_CASES}


@claim("N8-mc", r"Monte Carlo of the EMA of $g^2$ ($g\sim\mathcal N(0,1)$): mean $1-\beta^t$ and sd $\sqrt{2(1-\beta)(1-\beta^{2t})/(1+\beta)}$ within 4 SE at $\beta=0.9$, $t=10$ and $\beta=0.999$, $t=500$ (where $\beta^t$ = 0.35 and 0.61: the bias correction matters)",
       tag="numeric", dps=(15,))
def N8_mc():
    out = []
    for b, t, _ in EMA_CASES:
        mean, sd = ema_runs()[b]
        out.append(agrees(mean, 1 - b**t, k_sigma=4, label=f"beta = {b}, t = {t}: mean"))
        out.append(agrees(sd, math.sqrt(2 * (1 - b) * (1 - b ** (2 * t)) / (1 + b)), k_sigma=4,
                          label=f"beta = {b}, t = {t}: sd"))
    return out


AUTO = (0.99, 0.9, 2000, 4000)                               # beta, phi, t, reps


@functools.lru_cache(maxsize=None)
def ema_ar1_run():
    b, f, t, r = AUTO
    return na.ema_ar1_mc(b, f, t, r, SEED + 7)


@claim("N8-autocorr", r"the pitfall of N8: the i.i.d. spread $\mathrm{sd}(v_\infty)/\mathbb Ev_\infty=\sqrt{2(1-\beta)/(1+\beta)}$ holds for autocorrelated gradients (stationary AR(1) $g$ with lag-one correlation $\phi=0.9$, $\beta=0.99$, $t=2000$, 4000 replicates)",
       tag="model", expected="REFUTED", finding="pitfall", dps=(15,),
       why=r"real gradients are autocorrelated: for AR(1) $g$, $x=g^2$ has correlation $\phi^{2k}$ and $\mathrm{sd}/\mathrm{mean}=\sqrt{\frac{2(1-\beta)}{1+\beta}\cdot\frac{1+\beta\phi^2}{1-\beta\phi^2}}$ = 0.302, three times the i.i.d. 0.100: the effective sample size of the EMA is 9 times smaller")
def N8_autocorr():
    b, f, _, _ = AUTO
    mean, sd = ema_ar1_run()
    iid = math.sqrt(2 * (1 - b) / (1 + b))
    corr = iid * math.sqrt((1 + b * f * f) / (1 - b * f * f))  # sum_jk beta^(j+k) phi^(2|j-k|) = (1+b f^2)/((1-b^2)(1-b f^2))
    return [agrees(mean, 1, k_sigma=4, label="mean = E g^2 = 1 (bias factor 1 - beta^t ~ 1)"),
            agrees(sd, corr, k_sigma=4, label="sd against the autocorrelated formula"),
            agrees(sd, iid, k_sigma=4, label="sd against the i.i.d. formula", expect="REFUTED")]


# --- N9, N10: Gauss-Newton and the 1/B of the mean-field swap --------------------------------------

@claim("N9", r"$\mathcal L=\tfrac12r^2$, $r=y-f$: $\nabla^2\mathcal L=\mathcal J\mathcal J^\top-r\nabla^2f$ ($f=w_1\tanh(w_2x)$); the linearised surrogate's Hessian is exactly $\mathcal J\mathcal J^\top$")
def N9():
    w1, w2, xx, y = sp.symbols("w1 w2 x y", real=True)
    f = w1 * sp.tanh(w2 * xx)
    r = y - f
    J = sp.Matrix([sp.diff(f, w1), sp.diff(f, w2)])
    W = (w1, w2)
    a1, a2 = sp.symbols("a1 a2", real=True)                  # the linearisation point
    flin = f.subs({w1: a1, w2: a2}) + sum(J.subs({w1: a1, w2: a2})[i] * (W[i] - (a1, a2)[i]) for i in range(2))
    return [identity(sp.hessian(r**2 / 2, W), J * J.T - r * sp.hessian(f, W), "Hessian of the loss"),
            identity(sp.hessian((y - flin) ** 2 / 2, W), (J * J.T).subs({w1: a1, w2: a2}), "linearised: J J^T")]


SXX = ((1.0, 0.3), (0.3, 2.0))  # mutate: equivalent (any SPD E[xx^T] is an instance: the simulation draws x from SXX and is compared with SXX)
BATCH_REPS = {1: 100_000, 8: 40_000, 64: 20_000}  # mutate: equivalent (any batch sizes B and minibatch counts are instances)
DEEP_REPS = {1: 500_000, 8: 200_000, 64: 50_000}  # mutate: equivalent (any batch sizes B and minibatch counts are instances)


def batch_runs(reps=None):
    """Monte Carlo of Cov(g_B) B / sigma^2 per B, with ``reps`` minibatches per B (default BATCH_REPS)."""
    return _batch_runs(tuple(sorted((reps or BATCH_REPS).items())))


def _seed(B, reps):
    return SEED + B + reps % 997  # mutate: equivalent (another seed)


@functools.lru_cache(maxsize=None)
def _batch_runs(reps):
    return {B: na.minibatch_cov(B, n, _seed(B, n), Sxx=SXX) for B, n in reps}


def n10_links(reps):
    out = []
    for B, (M, se) in batch_runs(reps).items():
        for i, j in np.ndindex(*M.shape):                     # every entry ((1,2) and (2,1) are the same estimate)
            # the off-diagonal entry on the scale of the diagonal ones (its resolution: sqrt(S11 S22))
            out.append(agrees(Estimate(float(M[i, j]), float(se[i, j]), "Monte Carlo", None, reps[B], _seed(B, reps[B])),
                              SXX[i][j], k_sigma=4, scale=math.sqrt(SXX[i][i] * SXX[j][j]), label=f"B = {B}, entry ({i + 1},{j + 1})"))
    return out


N10_TEXT = (r"per-sample $g_i=-x_ir_i$ with $r\perp x$, $\mathbb E r^2=\sigma^2$: $\mathrm{{Cov}}(g_B)\cdot B/\sigma^2=\mathbb E[xx^\top]=H_{{GN}}$ "
            r"for $B\in\{{1,8,64\}}$ (linear regression, {} minibatches per $B$, 4 SE per entry)")


@claim("N10", N10_TEXT.format("100 000/40 000/20 000"), tag="numeric", dps=(15,))
def N10():
    return n10_links(BATCH_REPS)


@claim("N10-deep", N10_TEXT.format("500 000/200 000/50 000"), tag="numeric", dps=(15,), slow=True)
def N10_deep():
    return n10_links(DEEP_REPS)


@claim("N10-swap", r"the article's mean-field swap: the minibatch gradient of $B=64$ samples has $\mathbb E[g_Bg_B^\top]=\sigma^2H_{GN}$ (entry (1,1), within 20%)",
       tag="approx", expected="REFUTED", finding="article-error", dps=(15,),
       why=r"$(\mathbb E\mathcal Jr)(\mathbb E\mathcal Jr)^\top$ is not $\mathbb E[\mathcal Jrr^\top\mathcal J^\top]$: for a mean of $B$ samples the outer product is $\sigma^2H_{GN}/B$; the swap holds for single-sample gradients only")
def N10_swap():
    M, se = batch_runs()[64]
    return agrees(Estimate(float(M[0, 0]) / 64, float(se[0, 0]) / 64, "E[g_B g_B^T]_11 / sigma^2, Monte Carlo"),
                  SXX[0][0], rtol=0.2, k_sigma=4, label="B = 64", expect="REFUTED")


@claim("N10-full", r"full batch over $N$ fixed samples, $g=-\frac1N\sum_i x_ir_i$ with $\mathbb Er=0$, $\mathbb E[rr^\top]=\sigma^2I$: $\mathbb E_r[gg^\top]=(\sigma^2/N)\hat H_{GN}$, $\hat H_{GN}=\frac1N\sum_ix_ix_i^\top$ (symbolic, $N=3$ samples in 2 dimensions)")
def N10_full():
    n = 3
    X = sp.Matrix(n, 2, lambda i, j: sp.Symbol(f"x{i + 1}{j + 1}", real=True))
    r = sp.Matrix(sp.symbols(f"r1:{n + 1}", real=True))
    g = -(X.T * r) / n
    Egg = (g * g.T).applyfunc(lambda e: _expect_centred(e, list(r), sigma**2 * sp.eye(n)))
    m = 2  # mutate: equivalent (any number of samples: the identity holds for every N)
    Xm, rm = X[:m, :], r[:m, :]
    b = sp.Matrix(sp.symbols(f"b1:{m + 1}", real=True))
    gb = -(Xm.T * (rm + b)) / m  # mutate: equivalent (b -> -b is another residual mean: the result is even in b)
    Egb = (gb * gb.T).applyfunc(lambda e: _expect_centred(e, list(rm), sigma**2 * sp.eye(m)))
    gbar = -(Xm.T * b) / m  # mutate: equivalent (gbar gbar^T is even in gbar)
    return [identity(Egg, sigma**2 / n * (X.T * X / n), "E_r[g g^T] = (sigma^2/N) H_GN-hat"),
            identity(Egb, sigma**2 / m * (Xm.T * Xm / m) + gbar * gbar.T,
                     "residual mean b: E_r[g g^T] = (sigma^2/N) H_GN-hat + gbar gbar^T (uncentred: the mean gradient enters)")]


# --- N11: the stationary model that reconciles the square root -------------------------------------

p_, h_, c_, s_ = sp.symbols("p h c s", positive=True)


@claim("N11", r"preconditioned SGD $\theta_{t+1}=\theta_t-\eta P(H\theta_t+\xi_t)$: scalar $\mathrm{Var}\,\theta=\frac{\eta pc}{h(2-\eta ph)}$; for $P=I$, $C=\sigma_r^2H$: $\Sigma=\eta\sigma_r^2(2I-\eta H)^{-1}$ solves the Lyapunov equation and $\mathbb E[gg^\top]=H\Sigma H+C=2\sigma_r^2H(2I-\eta H)^{-1}\propto H$ (symbolic $2\times2$)",
       tag="model", simplifiers=(sp.factor,), timeout=40)
def N11():
    sol = sp.solve(sp.Eq(s_, (1 - eta * p_ * h_) ** 2 * s_ + eta**2 * p_**2 * c_), s_)
    H = sym_matrix(2)
    sr = sp.Symbol("sigma_r", positive=True)
    Sig = eta * sr**2 * (2 * sp.eye(2) - eta * H).inv()
    I2 = sp.eye(2)
    lyap = (I2 - eta * H) * Sig * (I2 - eta * H).T + eta**2 * sr**2 * H - Sig
    return [identity(sol[0], eta * p_ * c_ / (h_ * (2 - eta * p_ * h_)), "scalar stationary variance"),
            identity(lyap.applyfunc(sp.cancel), sp.zeros(2, 2), "Lyapunov: (I - eta H) Sigma (I - eta H)^T + eta^2 C - Sigma = 0"),
            identity((H * Sig * H + sr**2 * H).applyfunc(sp.cancel), (2 * sr**2 * H * (2 * I2 - eta * H).inv()).applyfunc(sp.cancel),
                     "E[g g^T] = 2 sigma_r^2 H (2I - eta H)^-1")]


@functools.lru_cache(maxsize=None)
def ar1_run(eta_h=0.1):
    return na.sgd_ar1(eta_h, 1.0, 1.0, 2 * 10**6, SEED)


@claim("N11-sim", r"AR(1) simulation ($T=2\cdot10^6$, $\eta=0.1$, $h=c=p=1$): $\mathrm{Var}\,\theta$ and $\mathbb Eg^2=h^2\mathrm{Var}\,\theta+c$ match the formulas within 4 standard errors of the AR(1) ($\sqrt{2(1+a^2)/((1-a^2)T)}$ for $\theta^2$, $a=1-\eta h$; $\sqrt{2(1+(\eta h)^2/(2(1-a^2)))/T}$ for $g^2$)",
       tag="numeric", dps=(15,))
def N11_sim():
    var, eg2 = ar1_run()
    v_th = 0.1 / (2 - 0.1)
    return [agrees(var, v_th, k_sigma=4, label="Var theta"), agrees(eg2, v_th + 1, k_sigma=4, label="E g^2")]


@claim("N11-regime", r"the article's step 7 ('$\mathbb E[gg^\top]\approx\sigma^2H^2$') describes SGD with Fisher-like noise at $\eta h=0.1$: the $H\Sigma H$ term carries most of $\mathbb Eg^2$",
       tag="model", expected="REFUTED", finding="failed-assumption", dps=(15,),
       why=r"per direction the jitter term / noise term is $\eta h/(2-\eta h)=0.053$ at $\eta h=0.1$: the noise term, $\propto H$, dominates and $\sqrt v\propto\sqrt H$; the $H^2$ term wins only for $\eta h>1$")
def N11_regime():
    var, eg2 = ar1_run()
    share = var.value / eg2.value                            # h^2 Var theta / E g^2 with h = 1
    return agrees(Estimate(share, 0, "share of the H Sigma H term in E g^2 (simulation)"), 1, atol=0.5,
                  label="share of the H^2 term", expect="REFUTED")


ETA_H = (0.1, 0.5, 1.0, 1.5, 1.9)  # mutate: equivalent (another eta h is another instance: simulation and formula both read it)


@functools.lru_cache(maxsize=None)
def regime_points():
    return {e: na.sgd_ar1(e, 1.0, 1.0, 4 * 10**5, SEED + int(10 * e)) for e in ETA_H}


@claim("P-A2-sim", r"regime map: per direction under SGD with additive noise $c$ the jitter term over the noise term, $h^2\mathrm{Var}\,\theta/c$, is $\eta h/(2-\eta h)$ at $\eta h\in\{0.1,0.5,1,1.5,1.9\}$ (AR(1) simulation, $T=4\cdot10^5$ each, 4 SE of the AR(1) formula, valid for $\eta h>1$ too)",
       tag="model", dps=(15,))
def P_A2_sim():
    return [agrees(v, e / (2 - e), k_sigma=4, label=f"eta h = {e}") for e, (v, _) in regime_points().items()]


B_, srr = sp.Symbol("B", positive=True), sp.Symbol("sigma_r", positive=True)


@claim("P-A2", r"under Adam-driven jitter $\sigma\sim\eta$ with minibatch noise $C=\sigma_r^2H/B$, per direction the $H\Sigma H$ term over the noise term is $h^2\eta^2/(\sigma_r^2h/B)=h\eta^2B/\sigma_r^2$: the $H^2$ term wins iff $h\eta^2B\gg\sigma_r^2$ (large batch, sharp directions)",
       tag="model")
def P_A2():
    hh = sp.Symbol("h", positive=True)
    jit, noise = hh * eta**2 * hh, srr**2 * hh / B_                # (H Sigma H)_ii with Sigma = eta^2 I; C_ii
    return identity(jit / noise, hh * eta**2 * B_ / srr**2, "ratio of the two terms")


# --- N12: simulated regimes of Adam's jitter --------------------------------------------------------

ETA = 1e-3  # mutate: equivalent (any learning rate is an instance: the simulations and the expected values all scale with ETA)
STEPS, WINDOW = 60_000, (30_000, 60_000)                     # default run: stationary from about step 30 000
DEEP_STEPS, DEEP_WINDOW = 150_000, (100_000, 150_000)        # the deep run (slow claims)
RMSPROP_STEPS = 50_000
H_A1, H_A2 = (1.0, 10.0, 100.0), (1.0, 1e2, 1e4)  # mutate: equivalent (any curvatures h_i > 0 are instances)
NU = 1e-2  # mutate: equivalent (any noise level is an instance: run (c) and its expected values both read NU; runs (a)-(b) do not)
BATCHES = 10                                                 # batch means over the averaging window


@functools.lru_cache(maxsize=None)
def rotated_H():
    """Q diag(1,10,100) Q' with Q from the QR decomposition of a seeded Gaussian 3x3 matrix, computed in
    mpmath (40 digits, Householder signs as LAPACK's) and rounded to float64: no LAPACK, no BLAS."""
    G = np.random.default_rng(1).standard_normal((3, 3))
    with mp.workdps(40):
        Q, _ = mp.qr(mp.matrix(G.tolist()))
        H = Q * mp.diag(list(H_A1)) * Q.T
        return np.array([[float(H[i, j]) for j in range(3)] for i in range(3)])


RUNS = ("a", "a'", "b", "c")                                # the order of the batched runs


def adam_runs(deep=False):
    """One batched run: (a) diag(1,10,100), (a') diag(1,1e2,1e4), (b) rotated, (c) Fisher-like noise."""
    return _adam_runs(bool(deep))                              # one cache entry per run, however called


@functools.lru_cache(maxsize=None)
def _adam_runs(deep):
    Hs = [np.diag(H_A1), np.diag(H_A2), rotated_H(), np.diag(H_A1)]
    noise = np.zeros((4, 3))
    noise[3] = NU * np.sqrt(H_A1)
    steps, window = (DEEP_STEPS, DEEP_WINDOW) if deep else (STEPS, WINDOW)
    out = na.run_adam(Hs, np.ones(3), steps, lr=ETA, noise=noise, seed=SEED, window=window)
    return Hs, out


def jitter(r, deep=False):
    Hs, out = adam_runs(deep)
    th, g, v = out["theta"][:, r], out["g"][:, r], out["v_hat"][:, r]
    rms = np.sqrt((th**2).mean(axis=0))
    return rms, np.sqrt(v.mean(axis=0)), th, g


def mean_square(series, what):
    """Time average of an autocorrelated series over the window, with a batch-means SE."""
    return Estimate.from_series(series, what, SEED, BATCHES)


def _rms_ratio(a, b, what):
    """sqrt(a/b) - 1 for two independent mean squares, with the delta-method SE."""
    r = math.sqrt(a.value / b.value)
    return Estimate(r - 1, r / 2 * math.hypot(a.error / a.value, b.error / b.value), what, None, a.n, SEED,
                    "batch-means SE of both mean squares, delta method")


def n12a_links(deep=False):
    out = []
    Hs, out_r = adam_runs(deep)
    for r in (RUNS.index("a"), RUNS.index("a'")):           # the two separable runs
        hs = tuple(float(x) for x in np.diag(Hs[r]))
        th = out_r["theta"][:, r] / ETA
        ms = [mean_square(th[:, i] ** 2, f"mean of (delta_{i + 1}/eta)^2, h = {hs[i]:g}") for i in range(len(hs))]
        for i, j in itertools.combinations(range(len(hs)), 2):  # every pair of coordinates
            out.append(agrees(_rms_ratio(ms[j], ms[i], f"rms(delta_{j + 1})/rms(delta_{i + 1}) - 1"), 0, k_sigma=4, scale=1,
                              label=f"h = {hs}: coordinate {j + 1} against {i + 1}"))
    return out


N12A_TEXT = (r"separable quadratic, deterministic gradients: Adam's normalised jitter $\mathrm{{rms}}(\delta_i)/\eta$ is the same for every $h_i$ "
             r"(the ratios of $\mathrm{{rms}}\,\delta_i$ are 1 within 4 batch-means SE), "
             r"for $h=(1,10,100)$ and $(1,10^2,10^4)$ — isotropy by scale invariance ({} Adam steps, window {}-{})")


@claim("N12a", N12A_TEXT.format(STEPS, *WINDOW), tag="model", dps=(15,))
def N12a():
    return n12a_links()


@claim("N12a-deep", N12A_TEXT.format(DEEP_STEPS, *DEEP_WINDOW), tag="model", dps=(15,), slow=True)
def N12a_deep():
    return n12a_links(deep=True)


def eta_over_sigma(deep=False):
    """eta / sigma with sigma^2 the mean of delta^2 over the three coordinates of run (a); delta-method SE."""
    _, out = adam_runs(deep)
    ms = mean_square((out["theta"][:, 0] / ETA) ** 2, "mean (delta/eta)^2")
    ratio = 1 / math.sqrt(ms.value)
    return Estimate(ratio, ratio * ms.error / (2 * ms.value), "eta / rms(delta), float64 Adam", None, ms.n, SEED,
                    "batch means of delta^2, delta method")


P_A5_TEXT = (r"the article's step 9 reads Adam's step as Newton's: with $\sigma=\mathrm{{rms}}\,\delta$ of Adam's own jitter "
             r"(run N12a, $h=(1,10,100)$, $\eta=10^{{-3}}$, {} steps), $\eta/\sigma=1$ within 10%")
P_A5_WHY = (r"the identification needs $\eta=\sigma$ (N7), which the article sets silently; Adam's jitter has "
            r"$\sigma\approx0.028\eta$, so $\eta/\sigma\approx35$: Adam's step is Newton's times 35")


@claim("P-A5", P_A5_TEXT.format(STEPS), tag="model", expected="REFUTED", finding="failed-assumption", dps=(15,), why=P_A5_WHY)
def P_A5():
    return agrees(eta_over_sigma(), 1, rtol=0.1, label="eta / sigma", expect="REFUTED")


@claim("P-A5-deep", P_A5_TEXT.format(DEEP_STEPS), tag="model", expected="REFUTED", finding="failed-assumption", dps=(15,),
       why=P_A5_WHY, slow=True)
def P_A5_deep():
    return [agrees(eta_over_sigma(True), 1, rtol=0.1, label="eta / sigma", expect="REFUTED"),
            agrees(eta_over_sigma(True), eta_over_sigma().value, k_sigma=4, atol=4 * eta_over_sigma().error,
                   label="the deep run agrees with the default run")]


@claim("N12b", r"rotated $H=Q\,\mathrm{diag}(1,10,100)Q^\top$: the isotropy of step 7 holds, $\mathrm{diag}\,\mathbb E[gg^\top]=\bar\sigma^2\mathrm{diag}H^2$ (each ratio within 20% of 1)",
       tag="model", expected="REFUTED", finding="failed-assumption", dps=(15,),
       why=r"for a non-diagonal Hessian Adam's jitter is rank 1 (a sign-pattern oscillation: one eigenvalue of $\mathrm{Cov}(\delta)$ carries all of it), not $\sigma^2I$; the ratios are 2-3")
def N12b():
    Hs, _ = adam_runs()
    _, _, th, g = jitter(2)
    s2 = float(np.mean(th**2))
    ratios = (g**2).mean(axis=0) / (s2 * np.diag(Hs[2] @ Hs[2]))
    worst = int(np.argmax(np.abs(ratios - 1)))
    return agrees(Estimate(round(float(ratios[worst]), 2), 0, f"ratios {_vec(ratios, 3)} (3 digits: chaotic run)"), 1,
                  rtol=0.2, label=f"coordinate {worst + 1}", expect="REFUTED")


def n12c_terms():
    """Per coordinate of run (c): the batch-means estimate of mean(v_i/h_i - h_i theta_i^2), which
    is nu^2 if sqrt(v_i)/sqrt(h_i) = sqrt(nu^2 + h_i E theta_i^2), and h_i E theta_i^2 itself."""
    _, out = adam_runs()
    th, v = out["theta"][:, 3], out["v_hat"][:, 3]
    h = np.asarray(H_A1)
    noise = [Estimate.from_series(v[:, i] / h[i] - h[i] * th[:, i] ** 2, "mean of v_i/h_i - h_i theta_i^2", SEED, 10)
             for i in range(3)]
    return noise, h * (th**2).mean(axis=0)


@claim("N12c", r"Fisher-like noise $g=H\theta+\nu\sqrt h\,\xi$ ($\nu=10^{-2}$, $h=(1,10,100)$): per coordinate $\sqrt{\bar v_i}/\sqrt{h_i}=\sqrt{\nu^2+h_i\mathbb E\theta_i^2}$ (the mean of $\hat v_i/h_i-h_i\theta_i^2$ is $\nu^2$ within 4 batch-means SE), with $h_i\mathbb E\theta_i^2<\nu^2$, while $\sqrt{\bar v_i}/h_i$ varies by more than a factor 5: $\sqrt v$ tracks $\sqrt H$, not $H$",
       tag="model", dps=(15,))
def N12c():
    noise, jit = n12c_terms()
    _, sv, _, _ = jitter(3)
    b = sv / np.asarray(H_A1)
    out = [agrees(e, NU**2, k_sigma=4, label=f"h = {H_A1[i]:g}: mean of v/h - h theta^2 = nu^2") for i, e in enumerate(noise)]
    out.append(agrees(Estimate(int(np.all(jit < NU**2)), 0, f"h E theta^2 / nu^2 = {_vec(jit / NU**2, 2)}"), 1,
                      label="the noise term dominates in every coordinate"))
    out.append(agrees(Estimate(int(b.max() / b.min() > 5), 0, f"sqrt(v)/h = {_vec(b, 3)}"), 1,
                      label="sqrt(v_i)/h_i varies by more than 5x"))
    return out


RMSPROP_SHORT = 25_000                                       # default: the collapse and the return to the normal range


def _rmsprop_links(traj):
    low = min(abs(v) for v in traj)
    below = int(low < mp.mpf(10) ** -320)  # mutate: equivalent (a lower threshold: the trajectory passes far below both)
    back = int(abs(traj[-1]) > mp.mpf(10) ** -10)
    return [agrees(Estimate(below, 0, f"smallest |theta| = {mp.nstr(low, 3)}"), 1,
                   label="passes below the float64 range (1e-320)"),
            agrees(Estimate(back, 0, f"|theta| at step {len(traj)} = {mp.nstr(abs(traj[-1]), 3)}"), 1,
                   label="regrows into the normal range (above 1e-10)")]


@claim("N12-rmsprop", r"RMSprop ($\beta_1=0$, $\epsilon=0$, $h=10$, $\beta_2=0.999$, $\eta=10^{-3}$) on $\tfrac12h\theta^2$ in exact-exponent arithmetic (mpmath) first collapses $|\theta|$ far below the float64 range and then regrows ($2.5\cdot10^4$ steps)",
       tag="model", dps=(30,))
def N12_rmsprop():
    return _rmsprop_links(rmsprop_traj(RMSPROP_SHORT))


@claim("N12-rmsprop-deep", r"RMSprop as in N12-rmsprop, $5\cdot10^4$ steps: after the collapse $|\theta|$ regrows into the period-2 orbit $\theta=\pm\eta/2$ (late $|\theta|$ within $10^{-3}$ of $\eta/2$)",
       tag="model", dps=(30,), slow=True)
def N12_rmsprop_deep():
    traj = rmsprop_traj()
    tail = [abs(v) for v in traj[-10:]]
    return _rmsprop_links(traj) + [agrees(Estimate(max(tail) / (ETA / 2), 0, "late |theta| / (eta/2)", 30), 1, rtol=1e-3,
                                          label="period-2 orbit at eta/2")]


@functools.lru_cache(maxsize=None)
def rmsprop_traj(steps=RMSPROP_STEPS):
    """|theta| of RMSprop, h = 10, theta_0 = 1, beta2 = 0.999, in mpmath (exponent unbounded)."""
    return na.rmsprop_mp(10.0, 1.0, steps, ETA, 0.999, dps=30)


# --- N13: beyond the quadratic --------------------------------------------------------------------

A_N13 = ((1.0, 0.5), (0.5, 2.0))
SIGMAS = (0.2, 0.1, 0.05, 0.025)


@claim("N13", r"$\mathcal L=\sum_i\log\cosh\theta_i+\tfrac12\theta^\top A\theta$, $\delta\sim\mathcal N(0,\sigma^2I)$: $\mathbb E[gg^\top]/\sigma^2=H^2-2\sigma^2H+\sigma^4(4H+\tfrac53I)+O(\sigma^6)$, $H=I+A$ (Isserlis, symbolic $A$)",
       tag="asymptotic", timeout=40)
def N13():
    a11, a12, a22 = sp.symbols("a11 a12 a22", real=True)
    A = sp.Matrix([[a11, a12], [a12, a22]])
    H = sp.eye(2) + A
    u1, u2 = sp.symbols("u1 u2", real=True)
    d = sp.Matrix([sigma * u1, sigma * u2])
    tanh5 = lambda z: z - z**3 / 3 + 2 * z**5 / 15            # enough for O(sigma^6) in E g g^T / sigma^2
    g = sp.Matrix([tanh5(d[0]), tanh5(d[1])]) + A * d
    E = (g * g.T).applyfunc(lambda e: _moments(e, (u1, u2), order=6))
    series = H**2 * sigma**2 - 2 * sigma**4 * H + sigma**6 * (4 * H + sp.Rational(5, 3) * sp.eye(2))
    return identity(E, series, "E[g g^T] to order sigma^6")


def _moments(expr, us, order):
    """E over independent N(0,1) u of a polynomial in sigma*u, truncated at sigma^order."""
    poly = sp.Poly(sp.expand(expr), *us, sigma)
    total = 0
    for powers, coeff in poly.terms():
        *up, sp_pow = powers
        if sp_pow > order or any(p % 2 for p in up):
            continue
        total += coeff * sigma**sp_pow * sp.Mul(*[sp.factorial2(p - 1) for p in up])
    return sp.expand(total)


@functools.lru_cache(maxsize=None)
def n13_table():
    """Per sigma: the relative error against H^2, the distance to the three-term series and the
    fitted sigma^4 coefficient, from the mpmath Gauss-Hermite rule (20 digits), then as floats."""
    with mp.workdps(20):
        A = mp.matrix(A_N13)
        H = mp.eye(2) + A
        H2 = H * H
        rows = []
        for s in SIGMAS:
            E = na.gauss_hermite_ggT(A_N13, s, dps=20)
            s = mp.mpf(s)
            ser = H2 - 2 * s**2 * H + s**4 * (4 * H + mp.mpf(5) / 3 * mp.eye(2))
            coef = (E - H2 + 2 * s**2 * H) / s**4
            rows.append((float(s), float(mp.mnorm(E - H2, "f") / mp.mnorm(H2, "f")), float(mp.mnorm(E - ser, "f")),
                         np.array(coef.tolist(), dtype=float)))
    return np.array(H.tolist(), dtype=float), rows


@claim("N13-gh", r"$80\times80$ Gauss-Hermite at $\sigma\in\{0.2,..,0.025\}$ ($A=\begin{pmatrix}1&.5\\.5&2\end{pmatrix}$): the relative error against $H^2$ falls with log-log slope 2, the difference with the three-term series like $\sigma^6$ (slope 6), and the fitted $\sigma^4$ coefficient tends to $4H+\tfrac53I$",
       tag="asymptotic", dps=(15,))
def N13_gh():
    H, rows = n13_table()
    s = [r[0] for r in rows]
    target = 4 * H + 5 / 3 * np.eye(2)
    last = rows[-1][3]
    return [agrees(Estimate(_slope(s, [r[1] for r in rows]), 0, "log-log slope"), 2, atol=0.05,
                   label="relative error against H^2: slope 2"),
            agrees(Estimate(_slope(s, [r[2] for r in rows]), 0, "log-log slope"), 6, atol=0.2,
                   label="difference with the series: slope 6"),
            agrees(Estimate(_fro(last - target) / _fro(target), 0,
                            "relative distance at sigma = 0.025"), 0, scale=1, atol=0.01,
                   label="sigma^4 coefficient -> 4H + 5/3 I")]


# --- the engine's own API -------------------------------------------------------------------------

H_EX = ((2, 1), (1, 3))                                      # a non-diagonal integer SPD example
G_EX = (1, 1)
H_IND = ((1, 2), (2, 1))                                     # indefinite: eigenvalues 3 and -1
G_IND = (1, 0)
PA3_CASES = ((H_EX, G_EX), (H_IND, G_IND))


def sympy_angle(Hm, gv):
    """The angle (degrees, 40 digits) between -H^-1 g and -D^-1 g in exact SymPy arithmetic."""
    H, g = sp.Matrix(Hm), sp.Matrix(gv)
    newton = -H.inv() * g
    adam = sp.Matrix([-g[i] / sp.sqrt((H * H)[i, i]) for i in range(H.rows)])
    cos = sp.nsimplify((newton.T * adam)[0] / (newton.norm() * adam.norm()))
    return mp.mpf(str(sp.N(sp.acos(cos) * 180 / sp.pi, 40)))


@claim("P-A3", r"the Adam-lens step $-D^{-1}g$, $D=\mathrm{diag}\sqrt{(H^2)_{ii}}$, is the Newton step (angle 0) for non-diagonal $H$: $H=\begin{pmatrix}2&1\\1&3\end{pmatrix}$, $g=(1,1)$ (positive definite) and $H=\begin{pmatrix}1&2\\2&1\end{pmatrix}$, $g=(1,0)$ (indefinite)",
       tag="model", expected="REFUTED", finding="failed-assumption", dps=(30,),
       why=r"$D$ holds the row norms ($\sqrt5,\sqrt{10}$ against $H_{ii}=2,3$; $\sqrt5$ against $|H|_{ii}=2$ and $|H_{ii}|=1$ for the indefinite $H$) and drops the coupling: the steps are 8.7 and 116.6 degrees apart")
def P_A3():
    out = []
    for k, (Hm, gv) in enumerate(PA3_CASES):
        ang = na.adam_newton_angle([list(r) for r in Hm], list(gv), dps=30)
        name = "positive definite" if k == 0 else "indefinite"
        with mp.workdps(30):
            ref = sympy_angle(Hm, gv)                          # an independent route: exact SymPy steps
            out += [agrees(Estimate(ang, 0, "adam_newton_angle (degrees)", 30), ref, atol=mp.mpf(10) ** -25,
                           label=f"{name}: the engine against exact SymPy steps"),
                    agrees(Estimate(ang, 0, "adam_newton_angle (degrees)", 30), 0, atol=mp.mpf("0.5"),
                           label=f"{name}: angle within half a degree of 0", expect="REFUTED")]
    Hn = np.asarray(H_IND, dtype=float)
    row, absH = np.linalg.norm(Hn, axis=1), np.diag(na.abs_matrix(Hn))
    out.append(agrees(Estimate(float(row[0]), 0, "row norm of the indefinite H"), float(absH[0]), rtol=0.05,
                      label="indefinite: D_11 = ||H_1,:|| equals |H|_11 = 2", expect="REFUTED"))
    return out


# --- report sections ------------------------------------------------------------------------------


def _pm(e, k=1):
    """value ± error with ``k`` decimals."""
    return f"{e.value:.{k}f} ± {e.error:.{k}f}"


def _vec(v, k=4):
    return "(" + ", ".join(f"{float(x):.{k}g}" for x in v) + ")"


@section("In short", order=-1)
def in_short():
    es = eta_over_sigma()
    var, eg2 = ar1_run()
    share = var.value / eg2.value
    angles = [mp.nstr(na.adam_newton_angle([list(r) for r in Hm], list(gv)), 4) for Hm, gv in PA3_CASES]
    M64, _ = batch_runs()[64]
    _, auto_sd = ema_ar1_run()
    _, sv_c, _, _ = jitter(3)
    a = sv_c / np.sqrt(H_A1)
    return (
        "**Right.** The algebra is exact: SGD and Adam are Newton steps with $\\mathcal H$ replaced by $\\eta^{-1}I$ and "
        "$\\eta^{-1}\\mathrm{diag}(\\sqrt{\\hat v}+\\epsilon)$, the linearised gradient gives "
        "$\\mathbb E[gg^\\top]=H\\Sigma H$, and with $\\Sigma=\\sigma^2I$ this is $\\sigma^2H^2$, so "
        "$\\sqrt{\\hat v}/\\sigma$ recovers a diagonal $H$ (N1-N7, proved). The bias correction of the EMA is exact (N8).\n\n"
        "**Only under assumptions.** (1) The identification with Newton needs $\\eta=\\sigma$, which the article sets "
        f"silently: in a simulated Adam run $\\eta/\\sigma$ = {_pm(es)}, so Adam's step is about {es.value:.0f} Newton "
        "steps (P-A5). (2) For a non-diagonal $H$, $\\sqrt v/\\sigma$ estimates row norms, not $|H_{ii}|$, and the "
        f"lens step is {angles[0]} degrees from Newton's for a positive definite example and {angles[1]} degrees for an "
        "indefinite one (P-A3); for indefinite $H$ the lens is saddle-free Newton (N6). (3) Isotropy of the jitter holds "
        "for deterministic Adam on a diagonal $H$ (N12a) but fails for a rotated $H$, where the jitter is rank 1 (N12b). "
        "(4) Under SGD with Fisher-like noise at $\\eta h=0.1$ the $H\\Sigma H$ term carries only "
        f"{share:.1%} of $\\mathbb Eg^2$: the noise term dominates and $\\sqrt v\\propto\\sqrt H$ "
        f"(N11-regime; in the Adam run with such noise $\\sqrt{{v_i}}/\\sqrt{{h_i}}$ = {_vec(a, 3)}, N12c). "
        "The $H^2$ term wins only for $\\eta h>1$. (5) Isotropy depends on the parametrisation: rescaling "
        "$\\theta=C\\varphi$ scales Adam's jitter by $C$ while Newton is invariant (P-A1).\n\n"
        "**A pitfall.** The EMA spread $\\sqrt{2(1-\\beta)/(1+\\beta)}$ assumes independent gradients; for "
        f"autocorrelated ones (AR(1), $\\phi$ = {AUTO[1]}, $\\beta$ = {AUTO[0]}) the simulated spread is {auto_sd.value:.3f} "
        f"against the i.i.d. {math.sqrt(2 * (1 - AUTO[0]) / (1 + AUTO[0])):.3f} (N8-autocorr).\n\n"
        "**Wrong.** The mean-field swap of step 11 treats the outer product of a minibatch mean as "
        f"$\\sigma^2H_{{GN}}$; for $B=64$ it is $1/64$ of that (simulated $(1,1)$ entry {M64[0, 0] / 64:.4f} against "
        f"{SXX[0][0]}, N10-swap).\n\n"
        "**Not checkable.** The SDE 'half an order larger' remark is an analogy with nothing to test."
    )


@section("Newton, the lens, and what sqrt(v) estimates (N1, N5, N6, P-A3)", order=1)
def lens_section():
    H, th0, star = next(_spd_examples())
    g = H * (th0 - star)
    step = -H.LUsolve(g)
    Hi = sp.Matrix([[1, 2], [2, 1]])                         # indefinite
    ev = Hi.eigenvals()
    tab = ["| $H$ | $g$ | $i$ | $|H_{ii}|$ | $|H|_{ii}$ | $\\|H_{i,:}\\|$ | overestimate of $|H_{ii}|$ | of $|H|_{ii}$ | angle to Newton |",
           "|---|---|---|---|---|---|---|---|---|"]
    for Hm, gv in PA3_CASES:
        Hn = np.asarray(Hm, dtype=float)
        row, absH, diag = np.linalg.norm(Hn, axis=1), np.diag(na.abs_matrix(Hn)), np.abs(np.diag(Hn))
        ang = mp.nstr(na.adam_newton_angle([list(r) for r in Hm], list(gv)), 8)
        tab += [f"| ${sp.latex(sp.Matrix(Hm))}$ | {gv} | {i + 1} | {diag[i]:.6f} | {absH[i]:.6f} | {row[i]:.6f} | "
                f"{row[i] / diag[i] - 1:+.2%} | {row[i] / absH[i] - 1:+.2%} | {ang + ' deg' if i == 0 else ''} |" for i in range(2)]
    text = (f"**N1.** Integer SPD example $H$ = ${sp.latex(H)}$, $\\theta_0$ = ${sp.latex(th0.T)}$, "
            f"$\\theta^*$ = ${sp.latex(star.T)}$: the Newton step is ${sp.latex(step.T)}$ and lands on "
            f"${sp.latex((th0 + step).T)}$ = $\\theta^*$ exactly. Indefinite $H={sp.latex(Hi)}$: eigenvalues "
            f"{', '.join(str(k) for k in sorted(ev))} (one negative, one positive): $-H^{{-1}}g$ is then a saddle point of the model.\n\n"
            "**P-A3**, what $\\sqrt v/\\sigma$ estimates under isotropy, and the angle between the Adam-lens step "
            "$-D^{-1}g$ and Newton's $-H^{-1}g$ (`adam_newton_angle`, 30 digits). For the positive definite $H$, "
            "$|H|_{ii}=H_{ii}$ and the two overestimates coincide; the indefinite $H$ separates them:\n\n"
            + "\n".join(tab) + "\n\n"
            "**N6** ($H=\\mathrm{diag}(2,-1)$): Newton $(-\\delta_1,-\\delta_2)$, Adam lens $(-\\delta_1,+\\delta_2)$: "
            "the square root returns $|H|$, so the lens is saddle-free Newton.")
    plt = pyplot()
    rng = np.random.default_rng(SEED)
    fig, ax = plt.subplots(figsize=(6, 5))
    for kind, mk in (("diagonal", "o"), ("non-diagonal", "s")):
        xs, ys1, ys2 = [], [], []
        for _ in range(15):
            if kind == "diagonal":
                Hr = np.diag(rng.uniform(0.2, 5, 3))
            else:
                Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
                Hr = Q @ np.diag(rng.uniform(0.2, 5, 3)) @ Q.T
            xs += list(np.abs(np.diag(Hr)))
            ys1 += list(np.sqrt(np.diag(Hr @ Hr)))                  # sqrt(E g_i^2)/sigma = row norm
            ys2 += list(np.diag(na.abs_matrix(Hr)))
        ax.plot(xs, ys1, mk, ms=4, label=f"{kind}: ||H_i,:|| = sqrt(E g_i^2)/sigma")
        if kind != "diagonal":
            ax.plot(xs, ys2, "x", ms=4, label=f"{kind}: |H|_ii")
    lim = [0, 5.5]
    ax.plot(lim, lim, "k-", lw=0.8, label="identity")
    ax.set(xlabel="|H_ii|", ylabel="Adam-lens estimate", title="sqrt(v)/sigma estimates row norms, not the diagonal")
    ax.legend(fontsize=8)
    return text, (("lens_estimate.png", fig),)


@section("Monte Carlo, EMA, minibatches and the regime map (N4, N8, N10, N11)", order=2)
def mc_section():
    errs = n4_errors()
    n4 = ", ".join(f"$N={N}$: {e:.3e}" for N, e in zip(NS_N4, errs))
    ema = ["| $\\beta$ | $t$ | reps | MC mean ± SE | $1-\\beta^t$ | MC sd ± SE | formula sd | $\\mathrm{sd}/\\mathrm{mean}$ at $t\\to\\infty$ |",
           "|---|---|---|---|---|---|---|---|"]
    for b, t, r in EMA_CASES:
        mean, sd = ema_runs()[b]
        ema.append(f"| {b} | {t} | {r} | {mean.value:.5f} ± {mean.error:.1e} | {1 - b**t:.5f} | {sd.value:.5f} ± {sd.error:.1e} | "
                   f"{math.sqrt(2 * (1 - b) * (1 - b ** (2 * t)) / (1 + b)):.5f} | {math.sqrt(2 * (1 - b) / (1 + b)):.4f} |")
    mb = ["| $B$ | $\\mathrm{Cov}(g_B)B/\\sigma^2$ (11, 12, 22) | SE | $\\mathbb E[xx^\\top]$ |", "|---|---|---|---|"]
    for B, (M, se) in batch_runs().items():
        mb.append(f"| {B} | {M[0, 0]:.4f}, {M[0, 1]:.4f}, {M[1, 1]:.4f} | {se[0, 0]:.4f}, {se[0, 1]:.4f}, {se[1, 1]:.4f} | 1, 0.3, 2 |")
    var, eg2 = ar1_run()
    reg = ["| $\\eta h$ | simulated $h^2\\mathrm{Var}\\theta/c$ | theory $\\eta h/(2-\\eta h)$ | dominant term |", "|---|---|---|---|"]
    for e, (v, g2) in regime_points().items():
        reg.append(f"| {e} | {v.value:.4f} ± {v.error:.4f} | {e / (2 - e):.4f} | {'H Sigma H (H^2)' if e > 1 else 'noise C (H)' if e < 1 else 'tie'} |")
    text = (f"**N4.** RMS relative Frobenius error of $\\frac1N\\sum gg^\\top$ ({n4}); fitted slope "
            f"{_slope(NS_N4, errs):.3f} (expected $-0.5$).\n\n**N8**, the EMA of $g^2$ behind $\\beta_2>\\beta_1$:\n\n"
            + "\n".join(ema) + f"\n\nOnce stationary, at $\\beta=0.9$ the second-moment estimate fluctuates by {math.sqrt(0.2 / 1.9):.0%} of its mean, at "
            f"$\\beta=0.999$ by {math.sqrt(0.002 / 1.999):.1%}: a long average is needed for $\\hat v$ to estimate anything, while $m$ must stay local.\n\n"
            f"**N10**, linear regression at the optimum ($\\sigma=0.5$; minibatches per $B$: {', '.join(f'{b}: {n:,}' for b, n in BATCH_REPS.items())}):\n\n" + "\n".join(mb) +
            "\n\nThe outer product of a minibatch mean is $1/B$ of $\\sigma^2H_{GN}$ (claim N10-swap, expected REFUTED).\n\n"
            f"**N11**, SGD with additive noise, $T=2\\cdot10^6$: $\\mathrm{{Var}}\\,\\theta$ = {var.value:.5f} ± {var.error:.5f} "
            f"(theory {0.1 / 1.9:.5f}), $\\mathbb Eg^2$ = {eg2.value:.5f} ± {eg2.error:.5f} (theory {0.1 / 1.9 + 1:.5f}).\n\n"
            "**Regime map** (P-A2): per direction, jitter term / noise term against $\\eta h$ ($T=4\\cdot10^5$ each):\n\n" + "\n".join(reg))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(NS_N4, errs, "o-", label=f"RMS relative error ({N4_REPS} replicates)")
    ax.loglog(NS_N4, errs[0] * (np.array(NS_N4) / NS_N4[0]) ** -0.5, "k--", label="slope -1/2")
    ax.set(xlabel="N", ylabel="||mean g g' - sigma^2 H^2|| / ||sigma^2 H^2||", title=f"N4: fitted slope {_slope(NS_N4, errs):.3f}")
    ax.legend()
    fig2, ax2 = plt.subplots(figsize=(6, 4))
    eh = np.linspace(0.02, 1.98, 200)
    ax2.semilogy(eh, eh / (2 - eh), label="H Sigma H term / c (theory)")
    ax2.semilogy(eh, np.ones_like(eh), label="noise term C / c")
    ax2.errorbar(ETA_H, [regime_points()[e][0].value for e in ETA_H], yerr=[2 * regime_points()[e][0].error for e in ETA_H],
                 fmt="o", label="simulation (h^2 Var theta / c)")
    ax2.axvline(1, color="gray", ls=":", label="eta h = 1: H^2 term takes over")
    ax2.set(xlabel="eta h", ylabel="term / c", title="which term of E g^2 = h^2 Var(theta) + c dominates")
    ax2.legend(fontsize=8)
    return text, (("n4_error.png", fig), ("regime_map.png", fig2))


@section("Simulated regimes of Adam's jitter (N12)", order=3)
def n12_section():
    Hs, out = adam_runs()
    rows = ["| run | $\\mathrm{rms}(\\delta_i)/\\eta$ | $\\sqrt{\\bar v_i}/(h_i\\,\\mathrm{rms}\\,\\delta_i)$ | $\\sqrt{\\bar v_i}/\\sqrt{h_i}$ | $\\sqrt{\\bar v_i}/h_i$ |",
            "|---|---|---|---|---|"]
    names = ("(a) h = (1, 10, 100)", "(a') h = (1, 1e2, 1e4)", "(b) rotated Q diag(1,10,100) Q'", "(c) Fisher-like noise, nu = 1e-2")
    for r, name in enumerate(names):
        rms, sv, th, g = jitter(r)
        h = np.diag(Hs[r])
        k = 4 if r == 3 else 2                               # runs (a)-(b) are chaotic: 2 stable digits
        spread = _vec(rms / ETA, k) if r == 3 else f"all in [{math.floor(rms.min() / ETA * 1e3) / 1e3:.3f}, {math.ceil(rms.max() / ETA * 1e3) / 1e3:.3f}]"
        rows.append(f"| {name} | {spread} | {_vec(sv / (h * rms), k) if r != 2 else '–'} | {_vec(sv / np.sqrt(h), k)} | {_vec(sv / h, k)} |")
    es = eta_over_sigma()
    _, _, th_b, g_b = jitter(2)
    eig = np.linalg.eigvalsh(np.cov(th_b.T) / ETA**2)
    s2 = float(np.mean(th_b**2))
    ratios = (g_b**2).mean(axis=0) / (s2 * np.diag(Hs[2] @ Hs[2]))
    traj = rmsprop_traj()
    low = min(range(len(traj)), key=lambda i: abs(traj[i]))
    eig_text = ", ".join(stable(e, 2, noise=1e-12 * float(max(abs(eig)))) for e in eig)   # rounding noise as a bound
    text = ("The second figure puts $\\sqrt{\\bar v_i}/\\sigma$ from each simulation against $|H|_{ii}$, "
            "$\\|H_{i,:}\\|$ and $\\sqrt{H_{ii}}$ (identity line): on the line for $|H|_{ii}$ in (a), off it in (b), "
            "parallel to $\\sqrt{H_{ii}}$ in (c).\n\n"
            f"Adam $\\beta=(0.9, 0.999)$, $\\eta={ETA}$, $\\epsilon=0$, $\\theta_0=\\mathbf 1$, {STEPS} steps, averages over "
            f"steps {WINDOW[0]}-{WINDOW[1]} (seed {SEED} for the noise of run (c)); all four runs in one batched float64 "
            "simulation that uses only $+,-,\\times,/$ and $\\sqrt{}$ (correctly rounded under IEEE 754; $H\\theta$ summed in a fixed "
            "order, $\\beta^t$ as a running product, the rotation $Q$ computed in mpmath), so the trajectory is bitwise the same on every "
            "machine. The deterministic runs (a)-(b) are nevertheless chaotic (a one-ulp change anywhere moves $\\eta/\\sigma$ by about "
            "one batch-means SE), so their entries are shown as a range or to 2 digits, and the claims compare them with batch-means "
            "errors; run (c) is driven by its seeded noise and is shown to 4.\n\n" + "\n".join(rows) +
            f"\n\n**P-A5, the scale:** in run (a), $\\sigma=\\mathrm{{rms}}\\,\\delta$ = {1 / es.value:.2g}$\\eta$, so "
            f"$\\eta/\\sigma$ = {_pm(es)} (batch-means SE): Adam's step is Newton's times {es.value:.0f}, not Newton's.\n\n"
            f"**(b)** eigenvalues of $\\mathrm{{Cov}}(\\delta)/\\eta^2$: ({eig_text}) — rank 1, a sign-pattern oscillation; "
            f"$\\mathrm{{diag}}\\,\\mathbb E[gg^\\top]/(\\bar\\sigma^2\\mathrm{{diag}}H^2)$ = {_vec(ratios, 3)} (all 1 under assumption 7).\n\n"
            f"**RMSprop in mpmath** ($h=10$, $\\beta_2=0.999$): $|\\theta|$ falls to {mp.nstr(abs(traj[low]), 3)} at step {low + 1} "
            f"and regrows to the orbit $\\pm\\eta/2$ (|θ| = {mp.nstr(abs(traj[-1]), 8)} at step {len(traj)}). In float64 the "
            "iterate leaves the normal range instead (whether it then sticks at exactly 0 or at a subnormal depends on the order "
            "of the operations): an artefact of the arithmetic, not of RMSprop.")
    plt = pyplot()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.8))
    th_a = out["theta"][:, 0]
    win = 2000
    for i in range(3):
        sq = np.convolve(th_a[:, i] ** 2, np.ones(win) / win, mode="valid")
        a1.plot(np.arange(sq.size)[::50] + WINDOW[0] + win, np.sqrt(sq[::50]) / ETA, lw=1, label=f"h = {H_A1[i]:g}")
    a1.set(xlabel="step", ylabel="rolling rms(delta_i) / eta", title="(a) identical jitter per coordinate")
    a1.legend(fontsize=8)
    a2.bar(["1", "2", "3"], np.clip(eig, 0, None) / eig.sum())             # the two small ones are rounding noise
    a2.set(ylim=(0, 1.05), xlabel="eigenvalue (ascending)", ylabel="share of trace Cov(delta)", title="(b) rotated H: rank-1 jitter")
    _, sv_c, _, _ = jitter(3)
    x = np.arange(3)
    a3.bar(x - 0.2, sv_c / np.sqrt(H_A1) / (sv_c[0] / 1), 0.4, label="sqrt(v)/sqrt(h) (normalised)")
    a3.bar(x + 0.2, sv_c / np.asarray(H_A1) / sv_c[0], 0.4, label="sqrt(v)/h (normalised)")
    a3.set(xticks=x, xticklabels=[f"h={v:g}" for v in H_A1], title="(c) Fisher noise: sqrt(v) ~ sqrt(H)")
    a3.legend(fontsize=8)
    fig2, axs = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, r, name in zip(axs, (0, 2, 3), ("(a) diagonal H", "(b) rotated H", "(c) Fisher-like noise")):
        rms, sv, th, _ = jitter(r)
        sig = float(np.sqrt(np.mean(th**2)))
        H = Hs[r]
        refs = {"|H|_ii": np.diag(na.abs_matrix(H)), "||H_i,:||": np.linalg.norm(H, axis=1),
                "sqrt(H_ii)": np.sqrt(np.abs(np.diag(H)))}
        for (label, ref), mk in zip(refs.items(), "os^"):
            ax.loglog(ref, sv / sig, mk, label=label)
        lim = [min(min(v.min() for v in refs.values()), (sv / sig).min()) / 2,
               max(max(v.max() for v in refs.values()), (sv / sig).max()) * 2]
        ax.loglog(lim, lim, "k-", lw=0.6)
        ax.set(xlabel="reference", ylabel="sqrt(v_i)/sigma (simulation)", title=name)
        ax.legend(fontsize=7)
    return text, (("n12_regimes.png", fig), ("n12_sqrt_v.png", fig2))


@section("Beyond the quadratic (N13)", order=4)
def n13_section():
    H, rows = n13_table()
    tab = ["| $\\sigma$ | rel. error against $H^2$ | $\\|$GH $-$ series$\\|$ | fitted $\\sigma^4$ coefficient (11, 12, 22) |", "|---|---|---|---|"]
    tab += [f"| {s} | {e:.4e} | {d:.3e} | {c[0, 0]:.4f}, {c[0, 1]:.4f}, {c[1, 1]:.4f} |" for s, e, d, c in rows]
    target = 4 * H + 5 / 3 * np.eye(2)
    text = (f"$A={sp.latex(sp.Matrix(A_N13))}$, $H=I+A$; target $\\sigma^4$ coefficient $4H+\\frac53I$ = "
            f"({target[0, 0]:.4f}, {target[0, 1]:.4f}, {target[1, 1]:.4f}); $80\\times80$ Gauss-Hermite nodes (mpmath, 20 digits).\n\n" + "\n".join(tab))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    s = [r[0] for r in rows]
    ax.loglog(s, [r[1] for r in rows], "o-", label="||E gg'/sigma^2 - H^2|| / ||H^2||")
    ax.loglog(s, [r[2] for r in rows], "s-", label="difference with the three-term series")
    ax.loglog(s, rows[0][1] * (np.array(s) / s[0]) ** 2, "k--", lw=0.8, label="slope 2")
    ax.loglog(s, rows[0][2] * (np.array(s) / s[0]) ** 6, "k:", lw=0.8, label="slope 6")
    ax.set(xlabel="sigma", ylabel="error", title="non-quadratic loss: corrections to sigma^2 H^2")
    ax.legend(fontsize=8)
    return text, (("n13_error.png", fig),)


@section("Pitfalls, with numbers", order=5)
def pitfalls():
    _, sv_c, _, _ = jitter(3)
    _, _, th_b, _ = jitter(2)
    eig = np.linalg.eigvalsh(np.cov(th_b.T))
    es = eta_over_sigma()
    Hn = np.asarray(H_EX, dtype=float)
    over = np.linalg.norm(Hn, axis=1) / np.abs(np.diag(Hn)) - 1
    row_i = np.linalg.norm(np.asarray(H_IND, dtype=float), axis=1)
    _, out_a = adam_runs()
    m_ratio = float(np.sqrt(np.mean(out_a["m_hat"][:, 0] ** 2)) / np.sqrt(np.mean(out_a["g"][:, 0] ** 2)))
    abs_i = np.diag(na.abs_matrix(np.asarray(H_IND, dtype=float)))
    items = [
        "**P-A1, isotropy is an assumption.** SGD with Fisher-like noise makes $\\Sigma=\\eta\\sigma_r^2(2I-\\eta H)^{-1}$ "
        "nearly isotropic for small $\\eta h$ (N11), but then the noise term dominates and $v\\propto H$; deterministic Adam "
        "on a diagonal $H$ is isotropic by scale invariance (N12a: rms$(\\delta_i)/\\eta$ equal to 1%); a rotated $H$ gives "
        f"rank-1 jitter (N12b: the largest eigenvalue of Cov$(\\delta)$ carries {eig[-1] / eig.sum():.1%}). Isotropy is also "
        "parametrisation-dependent: rescaling $\\theta=C\\varphi$ changes Adam's jitter in $\\theta$ by the factors $c_i$, while Newton is invariant (claim P-A1).",
        "**P-A2, which term dominates.** $\\mathbb E[gg^\\top]=H\\Sigma H+C$; per direction under SGD the ratio is "
        f"$\\eta h/(2-\\eta h)$: {0.1 / 1.9:.3f} at $\\eta h=0.1$, 1 at $\\eta h=1$, {1.9 / 0.1:.0f} at $\\eta h=1.9$ (regime map). The article keeps "
        "only $H\\Sigma H$ in step 7 and only $C$ in step 11: the 'square-root paradox' is which term dominates, not "
        "instantaneous against long-run averaging.",
        f"**P-A3, the diagonal approximation.** For $H={sp.latex(sp.Matrix(H_EX))}$ the row norms overestimate $|H_{{ii}}|$ by "
        f"{over[0]:.1%} and {over[1]:.1%}; the steps are {mp.nstr(na.adam_newton_angle([list(r) for r in H_EX], list(G_EX)), 4)} "
        f"degrees apart. For the indefinite $H={sp.latex(sp.Matrix(H_IND))}$ the row norm {row_i[0]:.4f} overestimates "
        f"$|H|_{{11}}$ = {abs_i[0]:.4f} by {row_i[0] / abs_i[0] - 1:.1%} and $|H_{{11}}|$ = 1 by {row_i[0] - 1:.1%}, and for $g={G_IND}$ "
        f"the steps are {mp.nstr(na.adam_newton_angle([list(r) for r in H_IND], list(G_IND)), 4)} degrees apart. "
        "The first inequality of the chain can be an equality for a non-diagonal row "
        "($H=\\begin{pmatrix}0&1\\\\1&0\\end{pmatrix}$: $\\|H_{1,:}\\|=|H|_{11}=1$), so the tests assert it non-strictly.",
        "**P-A4, the sign.** For indefinite $H$ the square root returns $|H|$: the lens is saddle-free Newton (N6).",
        f"**P-A5, the scale.** Adam ≈ Newton only up to $\\eta/\\sigma$ (N7); measured in N12a: $\\eta/\\sigma$ = {_pm(es)} (claim P-A5: the article sets $\\eta=\\sigma$ silently).",
        "**P-A6, momentum, $\\epsilon$, non-stationarity.** The lens sets $\\hat m=g$ and $\\epsilon=0$ and uses "
        "$\\mathcal H_{\\theta_t}\\approx\\mathcal H_{\\theta^*}$, which fails far from $\\theta^*$. The N12 runs use Adam itself "
        f"($\\beta_1=0.9$, $\\epsilon=0$): in run (a) $\\mathrm{{rms}}(\\hat m)/\\mathrm{{rms}}(g)$ = {m_ratio:.2g} (2 digits: the run is "
        f"chaotic), since momentum averages the oscillating gradient away; the lens's $\\hat m=g$ is off by a factor {1 / m_ratio:.0f} there.",
        "**P-A7, heuristics without a check.** The SDE 'half an order larger' remark of step 11 is an analogy with "
        "nothing to test here; it is reported, not graded. The mean-field swap of step 11 is off by $1/B$ (N10-swap).",
        f"**Fisher-like noise** (N12c): $\\sqrt{{\\bar v_i}}/\\sqrt{{h_i}}$ = {_vec(sv_c / np.sqrt(H_A1))}: Adam then acts like "
        "$H^{-1/2}$ preconditioning, consistent with 'Adam ≈ GN$^{-1/2}$'.",
    ]
    return "\n".join(f"- {t}" for t in items)
