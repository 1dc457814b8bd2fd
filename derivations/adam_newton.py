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

@claim("N1", r"the minimiser of $m(\Delta)=g^\top\Delta+\tfrac12\Delta^\top H\Delta$ solves $\nabla m=0$: $\Delta=-H^{-1}g$; $H\succ0$ by Sylvester ($h_{11}>0$, $\det H>0$) makes it the unique minimum (symbolic $2\times2$)")
def N1():
    H = sym_matrix(2)
    g = sp.Matrix(sp.symbols("g1 g2", real=True))
    D = sp.Matrix(sp.symbols("d1 d2", real=True))
    m = (g.T * D)[0] + (D.T * H * D)[0] / 2
    sol = sp.solve([sp.diff(m, di) for di in D], list(D), dict=True)[0]
    return [identity(sp.Matrix([sol[di] for di in D]), -H.inv() * g, "stationary point = -H^-1 g"),
            identity(sp.hessian(m, list(D)), H, "the Hessian of the model is H"),
            identity(H.det(), H[0, 0] * H[1, 1] - H[0, 1] ** 2, "Sylvester's second minor")]


def _spd_examples(count=6, seed=SEED):
    """Seeded integer SPD matrices A A^T + I (entries of A in [-5, 5]), sizes 2..4, as SymPy Rationals."""
    rng = np.random.default_rng(seed)
    for k in range(count):
        n = 2 + k % 3
        A = sp.Matrix(rng.integers(-5, 6, size=(n, n)).tolist())
        yield A * A.T + sp.eye(n), sp.Matrix(rng.integers(-9, 10, size=n).tolist()), \
            sp.Matrix([sp.Rational(int(v), 7) for v in rng.integers(-20, 21, size=n)])


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
    L = sp.log(sp.cosh(t1 - 1)) + (t1 * t2 - 2) ** 2 / 2 + t2**4 / 4
    grad = sp.Matrix([sp.diff(L, t1), sp.diff(L, t2)])
    H = sp.hessian(L, (t1, t2))
    p0 = {t1: sp.Rational(1, 2), t2: sp.Rational(1, 3)}
    u = (2, -1)
    at = {t1: p0[t1] + ep * u[0], t2: p0[t2] + ep * u[1]}
    lhs = grad.subs(at) - grad.subs(p0) - ep * H.subs(p0) * sp.Matrix(u)
    ser = lhs.applyfunc(lambda e: sp.series(e, ep, 0, 3).removeO())
    third = sp.Matrix([sum(sp.diff(L, vi, t1 if a == 0 else t2, t1 if b == 0 else t2) * u[a] * u[b]
                           for a in range(2) for b in range(2)) for vi in (t1, t2)]).subs(p0)
    return [identity(ser.applyfunc(lambda e: e.coeff(ep, 0)), sp.zeros(2, 1), "no eps^0 term"),
            identity(ser.applyfunc(lambda e: e.coeff(ep, 1)), sp.zeros(2, 1), "no eps^1 term"),
            identity(ser.applyfunc(lambda e: e.coeff(ep, 2)), third / 2, "eps^2 coefficient = (1/2) L'''[u, u]")]


sigma = sp.Symbol("sigma", positive=True)


@claim("N4", r"for a linear gradient $g=H\delta$: $\mathbb E[gg^\top]=H(\Sigma+\mu\mu^\top)H$, $\mathrm{Cov}(g)=H\Sigma H$; with $\Sigma=\sigma^2I$, $\mu=0$: $\sigma^2H^2$ (symbolic $3\times3$)")
def N4():
    H = sym_matrix(3)
    Sig = sym_matrix(3, "s")
    muv = sp.Matrix(sp.symbols("mu1:4", real=True))
    Edd = Sig + muv * muv.T                                  # E[delta delta^T]
    return [identity(H * Edd * H.T, H * (Sig + muv * muv.T) * H, "E[g g^T] = H E[delta delta^T] H^T"),
            identity(H * Edd * H.T - (H * muv) * (H * muv).T, H * Sig * H, "Cov(g) = H Sigma H"),
            identity(H * (sigma**2 * sp.eye(3)) * H.T, sigma**2 * H**2, "isotropic: sigma^2 H^2")]


H3 = ((2.0, 1.0, 0.0), (1.0, 3.0, 0.5), (0.0, 0.5, 1.0))
NS_N4 = (10**3, 10**4, 10**5, 10**6)


@functools.lru_cache(maxsize=None)
def n4_errors(reps=10):
    return tuple(na.outer_error(H3, 0.1, N, reps, SEED + N % 1009) for N in NS_N4)


def _slope(xs, ys):
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


@claim("N4-mc", r"Monte Carlo: the relative Frobenius error of $\frac1N\sum gg^\top$ against $\sigma^2H^2$ (RMS over 10 replicates) falls like $N^{-1/2}$: fitted slope $-0.5\pm0.1$ over $N=10^3..10^6$",
       tag="asymptotic", dps=(15,))
def N4_mc():
    errs = n4_errors()
    return agrees(Estimate(_slope(NS_N4, errs), 0, "log-log slope of the RMS error"), -0.5, atol=0.1,
                  resolution=0.2,  # declared: a slope fitted to 5 Monte Carlo RMS errors
                  label="slope")


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


# --- N8: the EMA behind beta2 > beta1 ---------------------------------------------------------------

beta, t_ = sp.symbols("beta t", positive=True)


@claim("N8", r"EMA $v_t=(1-\beta)\sum_{k<t}\beta^kx_{t-k}$, i.i.d. $x$: $\mathbb Ev_t=(1-\beta^t)\mathbb Ex$ (the bias correction is exact), $\mathrm{Var}\,v_t=\frac{(1-\beta)(1-\beta^{2t})}{1+\beta}\mathrm{Var}\,x$; Gaussian $g$: $\mathrm{sd}(v_\infty)/\mathbb Ev_\infty=\sqrt{2(1-\beta)/(1+\beta)}$",
       simplifiers=(sp.factor,))
def N8():
    k = sp.Symbol("k", integer=True, nonnegative=True)
    tt = sp.Symbol("t", integer=True, positive=True)
    mean = (1 - beta) * sp.summation(beta**k, (k, 0, tt - 1))
    var = (1 - beta) ** 2 * sp.summation(beta ** (2 * k), (k, 0, tt - 1))
    out = [identity(sp.simplify(mean), 1 - beta**tt, "mean factor"),
           identity(sp.simplify(var), (1 - beta) * (1 - beta ** (2 * tt)) / (1 + beta), "variance factor")]
    out += [identity(sum((1 - beta) ** 2 * beta ** (2 * j) for j in range(n)),
                     (1 - beta) * (1 - beta ** (2 * n)) / (1 + beta), f"t = {n} term by term") for n in range(1, 6)]
    gg = sp.Symbol("g", real=True)
    var_x = _moments(gg**4, (gg,), 4) - _moments(gg**2, (gg,), 4) ** 2    # x = g^2, g ~ N(0, 1): 3 - 1
    out.append(identity(sp.sqrt((1 - beta) / (1 + beta) * var_x) / 1, sp.sqrt(2 * (1 - beta) / (1 + beta)),
                        "t -> oo, x = g^2: sd/mean"))
    return out


EMA_CASES = ((0.9, 200, 20000), (0.999, 6000, 6000))


@functools.lru_cache(maxsize=None)
def ema_runs():
    return {b: na.ema_mc(b, t, r, SEED + int(1000 * b)) for b, t, r in EMA_CASES}


@claim("N8-mc", r"Monte Carlo of the EMA of $g^2$ ($g\sim\mathcal N(0,1)$): mean $1-\beta^t$ and sd $\sqrt{2(1-\beta)(1-\beta^{2t})/(1+\beta)}$ within 4 SE at $\beta=0.9$ and $0.999$",
       tag="numeric", dps=(15,))
def N8_mc():
    out = []
    for b, t, _ in EMA_CASES:
        mean, sd = ema_runs()[b]
        out.append(agrees(mean, 1 - b**t, k_sigma=4, label=f"beta = {b}, t = {t}: mean"))
        out.append(agrees(sd, math.sqrt(2 * (1 - b) * (1 - b ** (2 * t)) / (1 + b)), k_sigma=4,
                          label=f"beta = {b}, t = {t}: sd"))
    return out


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


SXX = ((1.0, 0.3), (0.3, 2.0))
BS = (1, 8, 64)


@functools.lru_cache(maxsize=None)
def batch_runs(reps=50_000):
    return {B: na.minibatch_cov(B, reps, SEED + B) for B in BS}


@claim("N10", r"per-sample $g_i=-x_ir_i$ with $r\perp x$, $\mathbb E r^2=\sigma^2$: $\mathrm{Cov}(g_B)\cdot B/\sigma^2=\mathbb E[xx^\top]=H_{GN}$ for $B\in\{1,8,64\}$ (linear regression, 4 SE per entry)",
       tag="numeric", dps=(15,))
def N10():
    out = []
    for B, (M, se) in batch_runs().items():
        for i, j in ((0, 0), (0, 1), (1, 1)):
            out.append(agrees(Estimate(float(M[i, j]), float(se[i, j]), "Monte Carlo", None, 50_000, SEED + B),
                              SXX[i][j], k_sigma=4, label=f"B = {B}, entry ({i + 1},{j + 1})",
                              resolution=0.15))  # declared: 4 SE of 50 000 minibatches are 2.6-4.9 % of an entry
    return out


@claim("N10-swap", r"the article's mean-field swap: the minibatch gradient of $B=64$ samples has $\mathbb E[g_Bg_B^\top]=\sigma^2H_{GN}$ (entry (1,1), within 20%)",
       tag="approx", expected="REFUTED", finding="article-error", dps=(15,),
       why=r"$(\mathbb E\mathcal Jr)(\mathbb E\mathcal Jr)^\top$ is not $\mathbb E[\mathcal Jrr^\top\mathcal J^\top]$: for a mean of $B$ samples the outer product is $\sigma^2H_{GN}/B$; the swap holds for single-sample gradients only")
def N10_swap():
    M, se = batch_runs()[64]
    return agrees(Estimate(float(M[0, 0]) / 64, float(se[0, 0]) / 64, "E[g_B g_B^T]_11 / sigma^2, Monte Carlo"),
                  SXX[0][0], rtol=0.2, k_sigma=4, label="B = 64")


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
            identity(sp.simplify(lyap), sp.zeros(2, 2), "Lyapunov: (I - eta H) Sigma (I - eta H)^T + eta^2 C - Sigma = 0"),
            identity(sp.simplify(H * Sig * H + sr**2 * H), sp.simplify(2 * sr**2 * H * (2 * I2 - eta * H).inv()),
                     "E[g g^T] = 2 sigma_r^2 H (2I - eta H)^-1")]


@functools.lru_cache(maxsize=None)
def ar1_run(eta_h=0.1):
    return na.sgd_ar1(eta_h, 1.0, 1.0, 2 * 10**6, SEED)


@claim("N11-sim", r"AR(1) simulation ($T=2\cdot10^6$, $\eta=0.1$, $h=c=p=1$): $\mathrm{Var}\,\theta$ and $\mathbb Eg^2=h^2\mathrm{Var}\,\theta+c$ match the formulas within 4 errors $\sqrt{2\tau/T}$",
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
                  label="share of the H^2 term")


# --- N12: simulated regimes of Adam's jitter --------------------------------------------------------

ETA, STEPS, WINDOW = 1e-3, 150_000, (100_000, 150_000)
RMSPROP_STEPS = 50_000
H_A1, H_A2 = (1.0, 10.0, 100.0), (1.0, 1e2, 1e4)
NU = 1e-2


@functools.lru_cache(maxsize=None)
def q_rotation():
    Q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((3, 3)))
    return Q


@functools.lru_cache(maxsize=None)
def adam_runs():
    """One batched run: (a) diag(1,10,100), (a') diag(1,1e2,1e4), (b) rotated, (c) Fisher-like noise."""
    Q = q_rotation()
    Hs = [np.diag(H_A1), np.diag(H_A2), Q @ np.diag(H_A1) @ Q.T, np.diag(H_A1)]
    noise = np.zeros((4, 3))
    noise[3] = NU * np.sqrt(H_A1)
    out = na.run_adam(Hs, np.ones(3), STEPS, lr=ETA, noise=noise, seed=SEED, window=WINDOW)
    return Hs, out


def jitter(r):
    Hs, out = adam_runs()
    th, g, v = out["theta"][:, r], out["g"][:, r], out["v_hat"][:, r]
    rms = np.sqrt((th**2).mean(axis=0))
    return rms, np.sqrt(v.mean(axis=0)), th, g


@claim("N12a", r"separable quadratic, deterministic gradients: Adam's normalised jitter $\mathrm{rms}(\delta_i)/\eta$ is the same for every $h_i$ (within 1%) and $\sqrt{\bar v_i}\approx h_i\,\mathrm{rms}\,\delta_i$ (within 2%), for $h=(1,10,100)$ and $(1,10^2,10^4)$ — isotropy by scale invariance",
       tag="model", dps=(15,))
def N12a():
    out = []
    for r, hs in ((0, H_A1), (1, H_A2)):
        rms, sv, _, _ = jitter(r)
        spread = float(rms.max() / rms.min() - 1)
        out.append(agrees(Estimate(spread, 0, f"rms/eta = {', '.join(f'{v / ETA:.4f}' for v in rms)}"), 0,
                          scale=1, atol=0.01, label=f"h = {hs}: spread of rms(delta_i)/eta"))
        ratio = sv / (np.asarray(hs) * rms)
        out.append(agrees(Estimate(float(np.max(np.abs(ratio - 1))), 0,
                                   f"sqrt(v)/(h rms) = {', '.join(f'{v:.4f}' for v in ratio)}"), 0, scale=1, atol=0.02,
                          label=f"h = {hs}: sqrt(v_i) against h_i rms(delta_i)"))
    return out


@claim("N12b", r"rotated $H=Q\,\mathrm{diag}(1,10,100)Q^\top$: the isotropy of step 7 holds, $\mathrm{diag}\,\mathbb E[gg^\top]=\bar\sigma^2\mathrm{diag}H^2$ (each ratio within 20% of 1)",
       tag="model", expected="REFUTED", finding="failed-assumption", dps=(15,),
       why=r"for a non-diagonal Hessian Adam's jitter is rank 1 (a sign-pattern oscillation: one eigenvalue of $\mathrm{Cov}(\delta)$ carries all of it), not $\sigma^2I$; the ratios are 2-3")
def N12b():
    Hs, _ = adam_runs()
    _, _, th, g = jitter(2)
    s2 = float(np.mean(th**2))
    ratios = (g**2).mean(axis=0) / (s2 * np.diag(Hs[2] @ Hs[2]))
    worst = int(np.argmax(np.abs(ratios - 1)))
    return agrees(Estimate(float(ratios[worst]), 0, f"ratios {', '.join(f'{v:.3f}' for v in ratios)}"), 1,
                  rtol=0.2, label=f"coordinate {worst + 1}")


@claim("N12c", r"Fisher-like noise $g=H\theta+\nu\sqrt h\,\xi$ ($\nu=10^{-2}$, $h=(1,10,100)$): $\sqrt{\bar v_i}/\sqrt{h_i}$ is nearly constant (within 25%) while $\sqrt{\bar v_i}/h_i$ varies by more than a factor 5: $\sqrt v$ tracks $\sqrt H$, not $H$",
       tag="model", dps=(15,))
def N12c():
    _, sv, _, _ = jitter(3)
    h = np.asarray(H_A1)
    a, b = sv / np.sqrt(h), sv / h
    return [agrees(Estimate(float(a.max() / a.min() - 1), 0, f"sqrt(v)/sqrt(h) = {', '.join(f'{v:.4g}' for v in a)}"),
                   0, atol=0.25, scale=1, resolution=0.25,  # declared: a 25 % spread band (weak)
                   label="spread of sqrt(v_i)/sqrt(h_i)"),
            agrees(Estimate(int(b.max() / b.min() > 5), 0, f"sqrt(v)/h = {', '.join(f'{v:.4g}' for v in b)}"), 1,
                   label="sqrt(v_i)/h_i varies by more than 5x")]


@claim("N12-rmsprop", r"RMSprop ($\beta_1=0$, $\epsilon=0$) on $\tfrac12h\theta^2$ in exact-exponent arithmetic (mpmath) first collapses $|\theta|$ far below the float64 range and then regrows into the period-2 orbit $\theta=\pm\eta/2$",
       tag="model", dps=(30,))
def N12_rmsprop():
    traj = rmsprop_traj()
    low = min(abs(v) for v in traj)
    tail = [abs(v) for v in traj[-10:]]
    return [agrees(Estimate(int(low < mp.mpf(10) ** -320), 0, f"smallest |theta| = {mp.nstr(low, 3)}"), 1,
                   label="passes below the float64 range (1e-320)"),
            agrees(Estimate(max(tail) / (ETA / 2), 0, "late |theta| / (eta/2)", 30), 1, rtol=1e-3,
                   label="period-2 orbit at eta/2")]


@functools.lru_cache(maxsize=None)
def rmsprop_traj():
    """|theta| of RMSprop, h = 10, theta_0 = 1, beta2 = 0.999, in mpmath (exponent unbounded)."""
    return na.rmsprop_mp(10.0, 1.0, RMSPROP_STEPS, ETA, 0.999, dps=30)


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
    A = np.asarray(A_N13)
    H = np.eye(2) + A
    rows = []
    for s in SIGMAS:
        E = na.gauss_hermite_ggT(A, s)
        ser = H @ H - 2 * s**2 * H + s**4 * (4 * H + 5 / 3 * np.eye(2))
        coef = (E - H @ H + 2 * s**2 * H) / s**4
        rows.append((s, float(np.linalg.norm(E - H @ H) / np.linalg.norm(H @ H)), float(np.linalg.norm(E - ser)), coef))
    return H, rows


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
            agrees(Estimate(float(np.linalg.norm(last - target) / np.linalg.norm(target)), 0,
                            "relative distance at sigma = 0.025"), 0, scale=1, atol=0.01,
                   label="sigma^4 coefficient -> 4H + 5/3 I")]


# --- the engine's own API -------------------------------------------------------------------------

H_EX = ((2, 1), (1, 3))                                      # a non-diagonal integer SPD example
G_EX = (1, 1)


@claim("P-A3", r"for $H=\begin{pmatrix}2&1\\1&3\end{pmatrix}$, $g=(1,1)$: the Adam-lens step $-D^{-1}g$, $D=\mathrm{diag}\sqrt{(H^2)_{ii}}$, is the Newton step (angle 0)",
       tag="model", expected="REFUTED", finding="failed-assumption", dps=(30,),
       why=r"the row norms $\sqrt5,\sqrt{10}$ overestimate $H_{ii}=2,3$ by 12% and 5%, and the off-diagonal coupling is ignored: the steps are 8.7 degrees apart")
def P_A3():
    ang = na.adam_newton_angle([list(r) for r in H_EX], list(G_EX), dps=30)
    # an independent route: both steps in exact SymPy arithmetic, the angle evaluated at 40 digits
    H, g = sp.Matrix(H_EX), sp.Matrix(G_EX)
    newton = -H.inv() * g
    adam = sp.Matrix([-g[i] / sp.sqrt((H * H)[i, i]) for i in range(2)])
    cos = (newton.T * adam)[0] / (newton.norm() * adam.norm())
    with mp.workdps(30):
        ref = mp.mpf(str(sp.N(sp.acos(cos) * 180 / sp.pi, 40)))
        return [agrees(Estimate(ang, 0, "adam_newton_angle (degrees)", 30), ref, atol=mp.mpf(10) ** -25,
                       label="the engine against exact SymPy steps"),
                agrees(Estimate(ang, 0, "adam_newton_angle (degrees)", 30), 0, atol=mp.mpf("0.5"),
                       label="angle within half a degree of 0", expect="REFUTED")]


# --- report sections ------------------------------------------------------------------------------


def _vec(v, k=4):
    return "(" + ", ".join(f"{float(x):.{k}g}" for x in v) + ")"


@section("Newton, the lens, and what sqrt(v) estimates (N1, N5, N6, P-A3)", order=1)
def lens_section():
    H, th0, star = next(_spd_examples())
    g = H * (th0 - star)
    step = -H.LUsolve(g)
    Hi = sp.Matrix([[1, 2], [2, 1]])                         # indefinite
    ev = Hi.eigenvals()
    Hn = np.asarray(H_EX, dtype=float)
    row, absH, diag = np.linalg.norm(Hn, axis=1), np.diag(na.abs_matrix(Hn)), np.abs(np.diag(Hn))
    tab = ["| $i$ | $|H_{ii}|$ | $|H|_{ii}$ | $\\|H_{i,:}\\|$ | overestimate of $|H_{ii}|$ | of $|H|_{ii}$ |", "|---|---|---|---|---|---|"]
    tab += [f"| {i + 1} | {diag[i]:.6f} | {absH[i]:.6f} | {row[i]:.6f} | {row[i] / diag[i] - 1:+.2%} | {row[i] / absH[i] - 1:+.2%} |"
            for i in range(2)]
    ang = na.adam_newton_angle([list(r) for r in H_EX], list(G_EX))
    text = (f"**N1.** Integer SPD example $H$ = ${sp.latex(H)}$, $\\theta_0$ = ${sp.latex(th0.T)}$, "
            f"$\\theta^*$ = ${sp.latex(star.T)}$: the Newton step is ${sp.latex(step.T)}$ and lands on "
            f"${sp.latex((th0 + step).T)}$ = $\\theta^*$ exactly. Indefinite $H={sp.latex(Hi)}$: eigenvalues "
            f"{', '.join(str(k) for k in sorted(ev))} (one negative, one positive): $-H^{{-1}}g$ is then a saddle point of the model.\n\n"
            f"**P-A3** for $H={sp.latex(sp.Matrix(H_EX))}$ (what $\\sqrt v/\\sigma$ estimates under isotropy):\n\n"
            + "\n".join(tab) + f"\n\nAngle between the Adam-lens step $-D^{{-1}}g$ and Newton's $-H^{{-1}}g$ for "
            f"$g={G_EX}$: {mp.nstr(ang, 8)} degrees (`adam_newton_angle`, 30 digits).\n\n"
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


ETA_H = (0.1, 0.5, 1.0, 1.5, 1.9)


@functools.lru_cache(maxsize=None)
def regime_points():
    return {e: na.sgd_ar1(e, 1.0, 1.0, 4 * 10**5, SEED + int(10 * e)) for e in ETA_H}


@section("Monte Carlo, EMA, minibatches and the regime map (N4, N8, N10, N11)", order=2)
def mc_section():
    errs = n4_errors()
    n4 = ", ".join(f"$N=10^{{{round(math.log10(N))}}}$: {e:.3e}" for N, e in zip(NS_N4, errs))
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
            + "\n".join(ema) + "\n\nAt $\\beta=0.9$ the second-moment estimate fluctuates by 32% of its mean, at "
            "$\\beta=0.999$ by 3%: a long average is needed for $\\hat v$ to estimate anything, while $m$ must stay local.\n\n"
            "**N10**, linear regression at the optimum ($\\sigma=0.5$, 50 000 minibatches per $B$):\n\n" + "\n".join(mb) +
            "\n\nThe outer product of a minibatch mean is $1/B$ of $\\sigma^2H_{GN}$ (claim N10-swap, expected REFUTED).\n\n"
            f"**N11**, SGD with additive noise, $T=2\\cdot10^6$: $\\mathrm{{Var}}\\,\\theta$ = {var.value:.5f} ± {var.error:.5f} "
            f"(theory {0.1 / 1.9:.5f}), $\\mathbb Eg^2$ = {eg2.value:.5f} ± {eg2.error:.5f} (theory {0.1 / 1.9 + 1:.5f}).\n\n"
            "**Regime map** (P-A2): per direction, jitter term / noise term against $\\eta h$ ($T=4\\cdot10^5$ each):\n\n" + "\n".join(reg))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(NS_N4, errs, "o-", label="RMS relative error (10 replicates)")
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
        rows.append(f"| {name} | {_vec(rms / ETA)} | {_vec(sv / (h * rms)) if r != 2 else '–'} | {_vec(sv / np.sqrt(h))} | {_vec(sv / h)} |")
    rms_a, _, _, _ = jitter(0)
    eta_sigma = ETA / float(np.sqrt(np.mean(rms_a**2)))
    _, _, th_b, g_b = jitter(2)
    eig = np.linalg.eigvalsh(np.cov(th_b.T) / ETA**2)
    s2 = float(np.mean(th_b**2))
    ratios = (g_b**2).mean(axis=0) / (s2 * np.diag(Hs[2] @ Hs[2]))
    traj = rmsprop_traj()
    low = min(range(len(traj)), key=lambda i: abs(traj[i]))
    eig_text = ", ".join(stable(e, 3, noise=1e-12 * float(max(abs(eig)))) for e in eig)   # rounding noise as a bound
    text = ("The second figure puts $\\sqrt{\\bar v_i}/\\sigma$ from each simulation against $|H|_{ii}$, "
            "$\\|H_{i,:}\\|$ and $\\sqrt{H_{ii}}$ (identity line): on the line for $|H|_{ii}$ in (a), off it in (b), "
            "parallel to $\\sqrt{H_{ii}}$ in (c).\n\n"
            f"Adam $\\beta=(0.9, 0.999)$, $\\eta={ETA}$, $\\epsilon=0$, $\\theta_0=\\mathbf 1$, {STEPS} steps, averages over "
            f"steps {WINDOW[0]}-{WINDOW[1]} (seed {SEED} for the noise of run (c)); all four runs in one batched float64 "
            "simulation.\n\n" + "\n".join(rows) +
            f"\n\n**P-A5, the scale:** in run (a), $\\sigma=\\mathrm{{rms}}\\,\\delta$ = {1 / eta_sigma:.4f}$\\eta$, so "
            f"$\\eta/\\sigma$ = {eta_sigma:.2f}: Adam's step is Newton's times {eta_sigma:.1f}, not Newton's.\n\n"
            f"**(b)** eigenvalues of $\\mathrm{{Cov}}(\\delta)/\\eta^2$: ({eig_text}) — rank 1, a sign-pattern oscillation; "
            f"$\\mathrm{{diag}}\\,\\mathbb E[gg^\\top]/(\\bar\\sigma^2\\mathrm{{diag}}H^2)$ = {_vec(ratios)} (all 1 under assumption 7).\n\n"
            f"**RMSprop in mpmath** ($h=10$, $\\beta_2=0.999$): $|\\theta|$ falls to {mp.nstr(abs(traj[low]), 3)} at step {low + 1} "
            f"and regrows to the orbit $\\pm\\eta/2$ (|θ| = {mp.nstr(abs(traj[-1]), 8)} at step {len(traj)}). In float64 the "
            "iterate underflows to exactly 0 and stays there (g = 0, no momentum): an artefact of the arithmetic, not of RMSprop.")
    plt = pyplot()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.8))
    th_a = out["theta"][:, 0]
    win = 2000
    for i in range(3):
        sq = np.convolve(th_a[:, i] ** 2, np.ones(win) / win, mode="valid")
        a1.plot(np.arange(sq.size)[::50] + WINDOW[0] + win, np.sqrt(sq[::50]) / ETA, lw=1, label=f"h = {H_A1[i]:g}")
    a1.set(xlabel="step", ylabel="rolling rms(delta_i) / eta", title="(a) identical jitter per coordinate")
    a1.legend(fontsize=8)
    a2.bar(["1", "2", "3"], np.maximum(eig, 1e-22))
    a2.set(yscale="log", ylabel="eigenvalue of Cov(delta)/eta^2", title="(b) rotated H: rank-1 jitter")
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
            f"({target[0, 0]:.4f}, {target[0, 1]:.4f}, {target[1, 1]:.4f}); $80\\times80$ Gauss-Hermite nodes.\n\n" + "\n".join(tab))
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
    rms_a, _, _, _ = jitter(0)
    eta_sigma = ETA / float(np.sqrt(np.mean(rms_a**2)))
    Hn = np.asarray(H_EX, dtype=float)
    over = np.linalg.norm(Hn, axis=1) / np.abs(np.diag(Hn)) - 1
    items = [
        "**P-A1, isotropy is an assumption.** SGD with Fisher-like noise makes $\\Sigma=\\eta\\sigma_r^2(2I-\\eta H)^{-1}$ "
        "nearly isotropic for small $\\eta h$ (N11), but then the noise term dominates and $v\\propto H$; deterministic Adam "
        "on a diagonal $H$ is isotropic by scale invariance (N12a: rms$(\\delta_i)/\\eta$ equal to 1%); a rotated $H$ gives "
        f"rank-1 jitter (N12b: the largest eigenvalue of Cov$(\\delta)$ carries {eig[-1] / eig.sum():.1%}). Isotropy is also "
        "parametrisation-dependent: rescaling $\\theta=C\\varphi$ changes Adam's jitter in $\\theta$, while Newton is invariant.",
        "**P-A2, which term dominates.** $\\mathbb E[gg^\\top]=H\\Sigma H+C$; per direction under SGD the ratio is "
        "$\\eta h/(2-\\eta h)$: 0.053 at $\\eta h=0.1$, 1 at $\\eta h=1$, 19 at $\\eta h=1.9$ (regime map). The article keeps "
        "only $H\\Sigma H$ in step 7 and only $C$ in step 11: the 'square-root paradox' is which term dominates, not "
        "instantaneous against long-run averaging.",
        f"**P-A3, the diagonal approximation.** For $H={sp.latex(sp.Matrix(H_EX))}$ the row norms overestimate $|H_{{ii}}|$ by "
        f"{over[0]:.1%} and {over[1]:.1%}; the steps are {mp.nstr(na.adam_newton_angle([list(r) for r in H_EX], list(G_EX)), 4)} "
        "degrees apart. The first inequality of the chain can be an equality for a non-diagonal row "
        "($H=\\begin{pmatrix}0&1\\\\1&0\\end{pmatrix}$: $\\|H_{1,:}\\|=|H|_{11}=1$), so the tests assert it non-strictly.",
        "**P-A4, the sign.** For indefinite $H$ the square root returns $|H|$: the lens is saddle-free Newton (N6).",
        f"**P-A5, the scale.** Adam ≈ Newton only up to $\\eta/\\sigma$ (N7); measured in N12a: $\\eta/\\sigma$ = {eta_sigma:.2f}.",
        "**P-A6, momentum, $\\epsilon$, non-stationarity.** The lens sets $\\hat m=g$ and $\\epsilon=0$ and uses "
        "$\\mathcal H_{\\theta_t}\\approx\\mathcal H_{\\theta^*}$, which fails far from $\\theta^*$; in N12 momentum is what "
        "carries Adam through the float64 underflow that stops RMSprop.",
        "**P-A7, heuristics without a check.** The SDE 'half an order larger' remark of step 11 is an analogy with "
        "nothing to test here; it is reported, not graded. The mean-field swap of step 11 is off by $1/B$ (N10-swap).",
        f"**Fisher-like noise** (N12c): $\\sqrt{{\\bar v_i}}/\\sqrt{{h_i}}$ = {_vec(sv_c / np.sqrt(H_A1))}: Adam then acts like "
        "$H^{-1/2}$ preconditioning, consistent with 'Adam ≈ GN$^{-1/2}$'.",
    ]
    return "\n".join(f"- {t}" for t in items)
