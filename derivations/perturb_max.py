r"""Perturb-and-argmax distributions: Gumbel-max gives softmax, Gaussian noise gives something else

Article: Su Jianlin (苏剑林), 《从重参数的角度看离散概率分布的构建》 ("Constructing discrete probability distributions from the reparameterisation viewpoint"), 2022-05-25, https://kexue.fm/archives/9085

Adding i.i.d. noise to scores $\mu\in\mathbb R^n$ and taking the argmax defines
$p_i=P[\arg\max(\mu+\varepsilon)=i]=\int p(\varepsilon)\prod_{j\ne i}\Phi(\mu_i-\mu_j+\varepsilon)\,d\varepsilon$:
non-negative, normalised, order-preserving and shift-invariant by construction. Gumbel noise gives
exactly softmax (the substitution $t=-e^{-\varepsilon}$); Gaussian noise gives $\Phi(\Delta/\sqrt2)$
for $n=2$ and a bivariate normal CDF for $n=3$. The article's quantile rule, the average of the
integrand at $t=k/(K+1)$, has error $(p_i-\tfrac12)/K$ to leading order and is not normalised.
Reference instance $\mu=(1,0,-1)$; random instances $\mu\in[-4,4]^n$, $n\le6$, seed 9085.
"""
import functools
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp

from derivcheck import Estimate, agrees, claim, identity, section
from derivcheck.figures import nstr, pyplot
from numerics import perturb_max as pm
from numerics.precision import rtol_for

MU3 = (1, 0, -1)            # mutate: equivalent (another reference instance: every claim on it holds for any three scores)
SEED = 9085
MC_N, MC_DEEP = 10**6, 10**7
KS = (10**2, 10**3, 10**4)  # mutate: equivalent (other node counts of this size: the 1/K law and the monotone approach hold along any)
RULE_DPS = 20

# --- symbols, as the article writes them ---------------------------------------------------------
eps, x, c, Delta = sp.symbols("varepsilon x c Delta", real=True)
mu = sp.symbols("mu1:4", real=True)
s = sp.Symbol("s", positive=True)                  # noise scale (temperature)
t_neg = sp.Symbol("t", negative=True)              # t = -e^{-eps} in (-oo, 0)
t_pos = sp.Symbol("t", positive=True)              # t = Phi(eps) in (0, 1)
u = sp.Symbol("u", positive=True)                  # u = e^{-eps}
KAPPA = sp.Symbol("kappa", positive=True)          # kappa_i = sum_j e^{mu_j - mu_i} > 0
Phi, dens = sp.Function("Phi"), sp.Function("p")   # a generic CDF and its density


def gumbel_cdf(z):
    return sp.exp(-sp.exp(-z))                    # Phi(z) = exp(-e^{-z})


def gumbel_pdf(z):
    return sp.exp(-z - sp.exp(-z))                # p(z) = exp(-z - e^{-z})


def normal_pdf(z):
    return sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)


def normal_cdf(z):
    return (1 + sp.erf(z / sp.sqrt(2))) / 2


def integrand(i, scores, cdf, pdf, e=eps):
    """S3: p(eps) prod_{j != i} Phi(mu_i - mu_j + eps), typed as the article writes it."""
    return pdf(e) * sp.Mul(*[cdf(scores[i] - scores[j] + e) for j in range(len(scores)) if j != i])


def exp_form(r):
    """Combine exponentials, then simplify (the recipe for the Gumbel integrand)."""
    return sp.simplify(sp.expand(sp.powsimp(sp.expand(r), combine="exp", force=True)))


@functools.lru_cache(maxsize=None)
def instances(count=50):
    """Seeded random scores in [-4, 4]^n, n = 2..6, two decimals, distinct within each vector."""
    rng = np.random.default_rng(SEED)
    out = []
    while len(out) < count:
        n = int(rng.integers(2, 7))
        v = tuple(f"{x:.2f}" for x in rng.uniform(-4, 4, n))
        if len(set(v)) == n:
            out.append((v, f"{rng.uniform(-3, 3):.2f}"))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def errors(scores, noise="gaussian", dps=30):
    """(probabilities, quadrature error estimate), shared by the claims."""
    p, err = pm.perturb_max_errors(list(scores), noise, dps)
    return tuple(p), err


def probs(scores, noise="gaussian", dps=30):
    return errors(tuple(str(v) if isinstance(v, int) else v for v in scores), noise, dps)[0]   # 1 and "1": one entry


def _mp(v):
    return mp.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mp.mpf(v)


def softmax(scores, dps=30):
    with mp.workdps(dps + 5):
        e = [mp.exp(_mp(m)) for m in scores]
        return [v / mp.fsum(e) for v in e]


# --- Q1: the four properties -----------------------------------------------------------------------

@claim("Q1d", r"shift invariance and dependence on differences only: the integrand of $p_i$ is unchanged by $\mu\mapsto\mu+c\mathbf 1$ (generic noise, $n=3$)",
       points=0)
def Q1d():
    shifted = [m + c for m in mu]          # mutate: equivalent (a shift by -c is a shift: c is any real)
    d = lambda i, j: mu[i] - mu[j]
    typed = [dens(eps) * Phi(d(0, 1) + eps) * Phi(d(0, 2) + eps),      # S3 with Delta_ij = mu_i - mu_j
             dens(eps) * Phi(d(1, 0) + eps) * Phi(d(1, 2) + eps),
             dens(eps) * Phi(d(2, 0) + eps) * Phi(d(2, 1) + eps)]
    return ([identity(integrand(i, shifted, Phi, dens), typed[i], f"i = {i + 1}: shifted scores") for i in range(3)]
            + [identity(integrand(i, mu, Phi, dens), typed[i], f"i = {i + 1}: original scores") for i in range(3)])


@claim("Q1b", r"normalisation: with $x=\mu_i+\varepsilon$ the $n$ integrands sum to $\frac d{dx}\prod_j\Phi(x-\mu_j)$, whose integral is $[\prod_j\Phi]_{-\infty}^{\infty}=1$ (generic CDF, $n=3$)",
       points=0)
def Q1b():
    prod = sp.Mul(*[Phi(x - m) for m in mu])
    dPhi = lambda z: sp.Derivative(Phi(z), z) if z.is_Symbol else sp.Subs(sp.Derivative(Phi(eps), eps), eps, z)
    total = sum(dPhi(x - mu[i]) * sp.Mul(*[Phi(x - mu[j]) for j in range(3) if j != i]) for i in range(3))
    return identity(sp.diff(prod, x), total, "d/dx prod_j Phi(x - mu_j) = sum_i p(x - mu_i) prod_{j != i} Phi(x - mu_j)")


@claim("Q1c", r"order: the integrand of $p_1-p_2$ is $[\Phi(\Delta_{12}+\varepsilon)-\Phi(-\Delta_{12}+\varepsilon)]\Phi(\Delta_{13}+\varepsilon)+\Phi(\Delta_{21}+\varepsilon)[\Phi(\Delta_{13}+\varepsilon)-\Phi(\Delta_{23}+\varepsilon)]$, both brackets $>0$ when $\mu_1>\mu_2$ and $p>0$ on $\mathbb R$ (generic noise, $n=3$)",
       points=0)
def Q1c():
    d = lambda i, j: mu[i] - mu[j]
    diff_ = integrand(0, mu, Phi, dens) - integrand(1, mu, Phi, dens)
    split = dens(eps) * ((Phi(d(0, 1) + eps) - Phi(-d(0, 1) + eps)) * Phi(d(0, 2) + eps)
                         + Phi(d(1, 0) + eps) * (Phi(d(0, 2) + eps) - Phi(d(1, 2) + eps)))
    return identity(diff_, split, "integrand of p_1 - p_2")


@functools.lru_cache(maxsize=None)
def property_violations(count, first=0, shift=True, dps=30):
    """Worst |sum p - 1|, worst |p(mu + c) - p(mu)| (None without ``shift``), pairs failing strict
    order, and the number of ordered pairs, per noise."""
    out = {}
    for noise in pm.NOISES:
        worst_sum, worst_shift = mp.mpf(0), (mp.mpf(0) if shift else None)
        bad, pairs = 0, 0
        for scores, cc in instances()[first:first + count]:
            p, err = errors(scores, noise, dps)
            with mp.workdps(dps):
                worst_sum = max(worst_sum, abs(mp.fsum(p) - 1))
                if shift:
                    q = pm.perturb_max_probs([Fraction(m) + Fraction(cc) for m in scores], noise, dps)   # mutate: equivalent (a shift by -c is a shift)
                    worst_shift = max(worst_shift, max(abs(a - b) for a, b in zip(p, q)))
                for i in range(len(p)):
                    for j in range(len(p)):
                        if _mp(scores[i]) > _mp(scores[j]):
                            pairs += 1
                            bad += not (p[i] - p[j] > 10 * err)
        out[noise] = (worst_sum, worst_shift, bad, pairs)
    return out


def _properties(count, first=0, shift=True):
    out, tol = [], rtol_for(30)
    for noise, (ws, wsh, bad, pairs) in property_violations(count, first, shift).items():
        method = f"quadrature, {noise}, dps 30"
        out.append(agrees(Estimate(ws, 0, method, 30), 0, atol=tol, scale=1,
                          label=f"{noise}: max |sum p - 1| over {count} instances"))
        if shift:   # the level-variable quadrature translates its nodes with mu: equivariant by construction
            out.append(agrees(Estimate(wsh, 0, method, 30), 0, atol=tol, scale=1, consistency=True,
                              label=f"{noise}: max |p(mu + c) - p(mu)| over {count} instances"))
        out.append(agrees(Estimate(bad, 0, method), 0, scale=1,
                          label=f"{noise}: pairs mu_i > mu_j without p_i > p_j, of {pairs}"))
    return out


@claim("Q1-num", r"on 2 seeded instances ($n=4,4$, Gaussian and Gumbel noise): $|\sum_ip_i-1|\le10^{-25}$ and $\mu_i>\mu_j\Rightarrow p_i>p_j$ strictly (quadrature, 30 digits)",
       tag="numeric", dps=(30,))
def Q1_num():
    return _properties(2, first=4, shift=False)   # mutate: equivalent (another window of the seeded instances: Q1-num-50 checks all 50)


@claim("Q1-num-50", r"the same on all 50 seeded instances, and $p(\mu+c)=p(\mu)$ to $10^{-25}$ for random $c$ (a consistency check: the quadrature moves its nodes with $\mu$)",
       tag="numeric", dps=(30,), slow=True)
def Q1_num_50():
    return _properties(50)


@claim("P-order", r"order preservation is strict for any i.i.d. noise: for $\varepsilon\sim U[0,1]$ and $\mu=(10,9,0)$, $\mu_2>\mu_3$ gives $p_2>p_3$",
       tag="exact", expected="REFUTED", finding="failed-assumption", dps=(30,),
       why="strictness needs a density positive on the whole line. With uniform noise on [0, 1] and mu = (10, 9, 0), "
           "coordinate 1 always wins (10 + eps_1 >= 10 >= 9 + eps_2): p = (1, 0, 0), so p_2 = p_3 = 0 although mu_2 > mu_3; "
           "only the weak order p_2 >= p_3 survives")
def P_order():
    p = uniform_probs()
    w = pm.sample_argmax([10, 9, 0], "uniform", 10**5, seed=SEED)
    mc = [float((w == i).mean()) for i in range(3)]
    text = f"p = ({', '.join(nstr(v, 6) for v in p)}) by quadrature, Monte Carlo (1e5 draws) {mc}"
    return [agrees(Estimate(int(p[1] >= p[2]), 0, "indicator, quadrature"), 1, label=f"weak order p_2 >= p_3: {text}"),
            agrees(Estimate(int(p[1] > p[2]), 0, "indicator, quadrature"), 1, label=f"strict order p_2 > p_3: {text}",
                   expect="REFUTED")]


@functools.lru_cache(maxsize=None)
def uniform_probs(scores=(10, 9, 0), dps=30):
    """The integral formula with the U[0, 1] CDF min(max(z, 0), 1), by mp.quad on [0, 1]."""
    cdf = lambda z: min(max(z, mp.mpf(0)), mp.mpf(1))
    with mp.workdps(dps):
        out = []
        for i in range(3):
            d = [mp.mpf(scores[i] - scores[j]) for j in range(3) if j != i]
            kinks = sorted({mp.mpf(0), mp.mpf(1)} | {v for dj in d for v in (-dj, 1 - dj) if 0 < v < 1})
            out.append(mp.quad(lambda e: mp.fprod(cdf(dj + e) for dj in d), kinks))
        return out


# --- Q2: the integral formula, n = 2, and Monte Carlo -----------------------------------------------

N02 = sp.exp(-Delta**2 / 4) / sp.sqrt(4 * sp.pi)                # the N(0, 2) density at Delta


@functools.lru_cache(maxsize=None)
def _integral_R(f):
    return sp.integrate(f, (eps, -sp.oo, sp.oo))


def gaussian_convolution():
    """int phi(eps) phi(Delta + eps) d eps = N(0, 2) density, completing the square in eps."""
    shifted = sp.exp(-(eps + Delta / 2)**2)
    return [identity(normal_pdf(eps) * normal_pdf(Delta + eps), N02 * shifted / sp.sqrt(sp.pi),
                     "Gaussian: the integrand is the N(0, 2) density at Delta times a normal density in eps"),
            identity(_integral_R(shifted) / sp.sqrt(sp.pi), 1, "Gaussian: that density in eps integrates to 1")]


@claim("Q2", r"$n=2$: $\frac{d}{d\Delta}\int p(\varepsilon)\Phi(\Delta+\varepsilon)d\varepsilon=\int p(\varepsilon)p(\Delta+\varepsilon)d\varepsilon$ is the density of $\varepsilon_2-\varepsilon_1$ at $\Delta$: $\mathcal N(0,2)$ for Gaussian noise, logistic for Gumbel noise")
def Q2():
    # Gumbel: u = e^{-eps}, d eps = -du/u, the integrand e^{-eps} e^{-e^{-eps}} e^{-Delta-eps} e^{-e^{-Delta-eps}}
    gumbel = sp.integrate(u * sp.exp(-Delta) * sp.exp(-u * (1 + sp.exp(-Delta))), (u, 0, sp.oo), conds="none")
    return gaussian_convolution() + [
        identity(gumbel, sp.exp(-Delta) / (1 + sp.exp(-Delta))**2, "Gumbel: logistic density"),
        identity(gumbel_pdf(eps) * gumbel_pdf(Delta + eps) * sp.exp(eps),
                 (u * sp.exp(-Delta) * sp.exp(-u * (1 + sp.exp(-Delta)))).subs(u, sp.exp(-eps)),
                 "Gumbel: the integrand times |d eps/du| = e^{eps} in u = e^{-eps}")]


@functools.lru_cache(maxsize=None)
def mc(scores, noise, n, seed=SEED):
    w = pm.sample_argmax(list(scores), noise, n, seed)
    return tuple(Estimate.from_samples((w == i).astype(float), f"Monte Carlo, {noise}", seed) for i in range(len(scores)))


def _mc_links(scores, noise, n):
    ref = probs(tuple(scores), noise)
    return [agrees(e, ref[i], k_sigma=4, label=f"p_{i + 1}") for i, e in enumerate(mc(tuple(scores), noise, n))]


@claim("Q2-mc", r"Monte Carlo ($10^6$ seeded draws of $\arg\max(\mu+\varepsilon)$, Gaussian, a random $n=4$ instance) agrees with the quadrature of the formula, $|z|<4$ for each $p_i$",
       tag="numeric", dps=(30,))
def Q2_mc():
    return _mc_links(_n4(), "gaussian", MC_N)


def _n4():
    return next(v for v, _ in instances() if len(v) == 4)


# --- Q3: the quantile form ------------------------------------------------------------------------

@claim("Q3", r"the $t$-form for Gumbel noise: $\prod_{j\ne i}\Phi(\mu_i-\mu_j+\Phi^{-1}(t))=t^{\kappa_i-1}$ with $\Phi^{-1}(t)=-\log(-\log t)$, and $\int_0^1t^{\kappa_i-1}dt=1/\kappa_i$ ($n=3$, general $\mu$)",
       simplifiers=(lambda r: sp.simplify(sp.powsimp(sp.expand_log(r, force=True), force=True)),), points=0)
def Q3():
    kappa = sum(sp.exp(mu[j] - mu[0]) for j in range(3))
    inv = -sp.log(-sp.log(t_pos))                  # Phi^{-1}(t) for Gumbel
    prod = sp.Mul(*[gumbel_cdf(mu[0] - mu[j] + inv) for j in (1, 2)])
    return [identity(prod, t_pos**(kappa - 1), "integrand of the t-form, i = 1"),
            identity(sp.integrate(t_pos**(kappa - 1), (t_pos, 0, 1), conds="none"), 1 / kappa, "int_0^1 t^(kappa-1) dt")]


@claim("Q3-quad", r"Gaussian noise, $\mu=(1,0,-1)$: tanh-sinh quadrature of the $t$-form (upper half in $s=1-t$) agrees with the $\varepsilon$-form to $10^{-25}$ (30 digits)",
       tag="numeric", dps=(30,))
def Q3_quad():
    a, b = probs(MU3), tform(MU3)
    return [agrees(Estimate(b[i], 0, "t-form, mpmath.quad", 30), a[i], atol=rtol_for(30), label=f"p_{i + 1}")
            for i in range(3)]


@functools.lru_cache(maxsize=None)
def tform(scores, noise="gaussian", dps=30):
    return tuple(pm.quantile_form_probs(list(scores), noise, dps))


@claim("Q3-quad-n5", r"the same for a random $n=5$ instance", tag="numeric", dps=(30,), slow=True)
def Q3_quad_n5():
    v = next(v for v, _ in instances() if len(v) == 5)   # mutate: equivalent (another seeded instance, n = 6)
    a, b = probs(v), tform(v)
    return [agrees(Estimate(b[i], 0, "t-form, mpmath.quad", 30), a[i], rtol=rtol_for(30), label=f"p_{i + 1}")
            for i in range(5)]


# --- Q4: Gumbel gives softmax ----------------------------------------------------------------------

def kappa_(i):
    return sum(sp.exp(mu[j] - mu[i]) for j in range(3))


@claim("Q4a", r"Gumbel: $p(\varepsilon)\prod_{j\ne i}\Phi(\mu_i-\mu_j+\varepsilon)=e^{-\varepsilon}\exp(-e^{-\varepsilon}\kappa_i)$, $\kappa_i=\sum_je^{\mu_j-\mu_i}$ ($n=3$, general $\mu$, each $i$)",
       simplifiers=(exp_form,))
def Q4a():
    return [identity(integrand(i, mu, gumbel_cdf, gumbel_pdf), sp.exp(-eps) * sp.exp(-sp.exp(-eps) * kappa_(i)), f"i = {i + 1}")
            for i in range(3)]


@claim("Q4b", r"$t=-e^{-\varepsilon}$ maps $(-\infty,\infty)$ onto $(-\infty,0)$ with $e^{-\varepsilon}e^{-e^{-\varepsilon}\kappa}d\varepsilon=e^{\kappa t}dt$, and $\int_{-\infty}^0e^{\kappa_1t}dt=1/\kappa_1=e^{\mu_1}/\sum_je^{\mu_j}$ ($n=3$)")
def Q4b():
    k = kappa_(0)
    tt = -sp.exp(-eps)
    return [identity(sp.exp(-eps) * sp.exp(-sp.exp(-eps) * k), sp.exp(k * tt) * sp.diff(tt, eps), "the integrand is e^{kappa t} dt/d eps"),
            identity(sp.limit(1 / tt, eps, -sp.oo), 0, "1/t(eps) -> 0 as eps -> -oo, t < 0: t(-oo) = -oo"),
            identity(sp.limit(tt, eps, sp.oo), 0, "t(+oo) = 0"),
            identity(sp.integrate(sp.exp(KAPPA * t_neg), (t_neg, -sp.oo, 0)).subs(KAPPA, k), 1 / k,
                     "int_{-oo}^0 e^{kappa t} dt for a kappa > 0, at kappa = kappa_1 (a sum of exponentials)"),
            identity(1 / k, sp.exp(mu[0]) / sum(sp.exp(m) for m in mu), "1/kappa_1 is softmax")]


def _gumbel_quad(insts, dps):
    out = []
    for v in insts:
        for i, (q, sm) in enumerate(zip(probs(v, "gumbel", dps), softmax(v, dps))):
            out.append(agrees(Estimate(q, 0, "quadrature of the formula, Gumbel CDF", dps), sm, rtol=rtol_for(dps),
                              label=f"mu = ({', '.join(map(str, v))}): p_{i + 1}"))
    return out


@claim("Q4-quad", r"quadrature of the integral formula with the Gumbel CDF (no softmax in the code) equals softmax to relative $10^{-(d-5)}$ at $d$ digits: $\mu=(1,0,-1)$ and a random $n=6$ instance",
       tag="numeric", dps=(30,))
def Q4_quad(dps):
    return _gumbel_quad([MU3, _n6()], dps)


def _n6():
    return next(v for v, _ in instances() if len(v) == 6)


@claim("Q4-quad-deep", r"the same at 30 and 60 digits on $\mu=(1,0,-1)$ and ten random instances", tag="numeric",
       dps=(30, 60), slow=True)
def Q4_quad_deep(dps):
    return _gumbel_quad([MU3] + [v for v, _ in instances()[:10]], dps)


@claim("Q4-mc", r"Monte Carlo with Gumbel samples $-\log(-\log U)$ ($10^6$ seeded draws, $\mu=(1,0,-1)$) agrees with softmax, $|z|<4$",
       tag="numeric", dps=(30,))
def Q4_mc():
    return [agrees(e, softmax(MU3)[i], k_sigma=4, label=f"p_{i + 1}") for i, e in enumerate(mc(MU3, "gumbel", MC_N))]


# --- Q5: Gumbel, n = 2 ---------------------------------------------------------------------------

@claim("Q5", r"Gumbel, $n=2$: $p_1=\sigma(\mu_1-\mu_2)$: in $u=e^{-\varepsilon}$ the integral is $\int_0^\infty e^{-u(1+e^{-\Delta})}du=1/(1+e^{-\Delta})$")
def Q5():
    lhs = integrand(0, (Delta, 0), gumbel_cdf, gumbel_pdf)
    return [identity(lhs * sp.exp(eps), sp.exp(-u * (1 + sp.exp(-Delta))).subs(u, sp.exp(-eps)),
                     "integrand times |d eps/du| = 1/u = e^{eps}"),
            identity(sp.integrate(sp.exp(-u * (1 + sp.exp(-Delta))), (u, 0, sp.oo), conds="none"),
                     1 / (1 + sp.exp(-Delta)), "the integral in u is the logistic function")]


DELTAS = ("0.1", "0.7", "2", "5", "-3")
DELTAS_FAST = ("0.7", "2", "-3")


def _logistic_links(deltas, dps):
    out = []
    for d in deltas:
        with mp.workdps(dps):
            ref = 1 / (1 + mp.exp(-mp.mpf(d)))
        out.append(agrees(Estimate(probs((d, "0"), "gumbel", dps)[0], 0, "quadrature", dps), ref, rtol=rtol_for(dps),
                          label=f"Delta = {d}"))
    return out


@claim("Q5-quad", r"Gumbel, $n=2$: the quadrature equals $\sigma(\Delta)$ for $\Delta\in\{0.7,2,-3\}$ to relative $10^{-25}$ (30 digits)",
       tag="numeric", dps=(30,))
def Q5_quad(dps):
    return _logistic_links(DELTAS_FAST, dps)


@claim("Q5-quad-deep", r"the same for $\Delta\in\{0.1,0.7,2,5,-3\}$ at 30 and 60 digits", tag="numeric", dps=(30, 60), slow=True)
def Q5_quad_deep(dps):
    return _logistic_links(DELTAS, dps)


# --- Q6: the quantile rule ------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def rule(scores, K):
    return tuple(pm.perturb_max_quantile_rule(list(scores), K, dps=RULE_DPS))


@functools.lru_cache(maxsize=None)
def ratios(scores):
    """K -> (per-coordinate K(p_hat - p)/(p - 1/2), K(sum p_hat - 1)/(1 - n/2)) at 20 digits."""
    p, n, out = probs(tuple(scores)), len(scores), {}
    with mp.workdps(RULE_DPS):
        for K in KS:
            ph = rule(tuple(scores), K)
            per = [K * (a - b) / (b - mp.mpf(1) / 2) for a, b in zip(ph, p)]
            out[K] = (per, K * (mp.fsum(ph) - 1) / (1 - mp.mpf(n) / 2) if n != 2 else None)
    return out


def _monotone(seq, label):
    dist = [abs(r - 1) for r in seq]
    ok = all(b <= a for a, b in zip(dist, dist[1:])) or dist[-1] < 1e-3
    text = ", ".join(nstr(r, 5) for r in seq)
    return agrees(Estimate(int(ok), 0, "indicator: |ratio - 1| non-increasing in K"), 1,
                  label=f"{label} (K = {', '.join(map(str, KS))}: {text})")


def _rule_links(scores):
    p, r = probs(tuple(scores)), ratios(tuple(scores))
    out = []
    for i, pi in enumerate(p):
        seq = [r[K][0][i] for K in KS]
        if abs(pi - 0.5) <= 0.1:
            continue                               # ill-conditioned: reported only
        out.append(_monotone(seq, f"p_{i + 1} = {nstr(pi, 4)}: ratio moves towards 1"))
        if 0.05 <= pi <= 0.95:
            out.append(agrees(Estimate(seq[-1], 0, f"K(p_hat - p)/(p - 1/2) at K = {KS[-1]}", RULE_DPS), 1, rtol=0.05,
                              label=f"p_{i + 1}: ratio within 5 percent of 1 at K = {KS[-1]}"))
    if len(scores) != 2:
        out.append(_monotone([r[K][1] for K in KS], "K(sum p_hat - 1)/(1 - n/2) moves towards 1"))
    return out


@claim("Q6", r"the quantile rule converges: at $K=10^4$, $|\hat p_i-p_i|\le10^{-4}$ for each $i$ (Gaussian, $\mu=(1,0,-1)$, 20 digits)",
       tag="approx", dps=(20,))
def Q6():
    p, ph = probs(MU3), rule(MU3, KS[-1])
    return [agrees(Estimate(ph[i], 0, f"quantile rule, K = {KS[-1]}", RULE_DPS), p[i], atol=mp.mpf(10)**-4, label=f"p_{i + 1}")
            for i in range(3)]


@claim("Q6-rate", r"leading error of the rule: $K(\hat p_i-p_i)\to p_i-\tfrac12$ and $K(\sum_i\hat p_i-1)\to1-\tfrac n2$: the ratios move monotonically towards 1 over $K=10^2,10^3,10^4$ and lie within 5 % of 1 at $K=10^4$ for $0.05\le p_i\le0.95$, $|p_i-\frac12|>0.1$ (Gaussian, $\mu=(1,0,-1)$)",
       tag="asymptotic", dps=(20,))
def Q6_rate():
    return _rule_links(MU3)


@claim("Q6-rate-inst", r"the same on two random instances ($n=3$ and $n=5$)", tag="asymptotic", dps=(20,), slow=True)
def Q6_rate_inst():
    return [link for v in rule_instances() for link in _rule_links(v)]


def rule_instances():
    return (next(v for v, _ in instances() if len(v) == 3), next(v for v, _ in instances() if len(v) == 5))


@claim("P-rule-sum", r"the quantile rule returns a distribution: $\sum_i\hat p_i^{(K)}=1$ ($K=100$; $n=2$, $\Delta=0.7$ and $n=3$, $\mu=(1,0,-1)$, Gaussian)",
       tag="approx", expected="REFUTED", finding="pitfall", dps=(20,),
       why="the rule is an unnormalised Riemann-type sum: for n = 3 and K = 100 its outputs sum to 1 - 0.00389 "
           "(leading term (1 - n/2)/K = -0.005); only for n = 2 with symmetric noise do the symmetric nodes make it sum to 1 exactly. "
           "Using the rule as a distribution needs an explicit renormalisation")
def P_rule_sum():
    two, three = rule(("0.7", "0"), 100), rule(MU3, 100)
    tol = mp.mpf(10) ** -15
    return [agrees(Estimate(mp.fsum(two), 0, "sum of the rule, n = 2", RULE_DPS), 1, atol=tol, label="n = 2"),
            agrees(Estimate(mp.fsum(three), 0, "sum of the rule, n = 3", RULE_DPS), 1, atol=tol, label="n = 3",
                   expect="REFUTED")]


# --- Q7: Gaussian perturb-max ----------------------------------------------------------------------

@claim("Q7a", r"Gaussian, $n=2$: $p_1=\Phi_{\mathcal N}(\Delta/\sqrt2)$: both sides tend to 0 as $\Delta\to-\infty$ and have the same derivative $\int\varphi(\varepsilon)\varphi(\Delta+\varepsilon)d\varepsilon$")
def Q7a():
    closed = normal_cdf(Delta / sp.sqrt(2))
    return [identity(sp.diff(closed, Delta), N02, "d/d Delta: the N(0, 2) density, which is the integral (next links)"),
            *gaussian_convolution(),
            identity(sp.limit(closed, Delta, -sp.oo), 0, "limit at -oo")]


def _normal_links(deltas, dps):
    out = []
    for d in deltas:
        with mp.workdps(dps):
            ref = mp.ncdf(mp.mpf(d) / mp.sqrt(2))
        out.append(agrees(Estimate(probs((d, "0"), "gaussian", dps)[0], 0, "quadrature", dps), ref, rtol=rtol_for(dps),
                          label=f"Delta = {d}"))
    return out


@claim("Q7a-quad", r"Gaussian, $n=2$: the quadrature equals $\Phi_{\mathcal N}(\Delta/\sqrt2)$ for $\Delta\in\{0.7,2,-3\}$ to relative $10^{-25}$ (30 digits)",
       tag="numeric", dps=(30,))
def Q7a_quad(dps):
    return _normal_links(DELTAS_FAST, dps)


@claim("Q7a-quad-deep", r"the same for $\Delta\in\{0.1,0.7,2,5,-3\}$ at 30 and 60 digits", tag="numeric", dps=(30, 60), slow=True)
def Q7a_quad_deep(dps):
    return _normal_links(DELTAS, dps)


@functools.lru_cache(maxsize=None)
def bivariate(scores=MU3, dps=30):
    """p_i = Phi_2(Delta_ij/sqrt2, Delta_ik/sqrt2; 1/2), n = 3: a third route."""
    with mp.workdps(dps + 5):
        m = [_mp(v) for v in scores]
        r2 = mp.sqrt(2)
        return tuple(pm.normal_cdf2_half(*[(m[i] - m[j]) / r2 for j in range(3) if j != i]) for i in range(3))


@claim("Q7b", r"Gaussian, $n=3$, $\mu=(1,0,-1)$: the $\varepsilon$-form, the $t$-form and the bivariate normal CDF $\Phi_2(\Delta_{ij}/\sqrt2,\Delta_{ik}/\sqrt2;\tfrac12)$ agree to $10^{-25}$, and $\sum_ip_i=1$ to $10^{-25}$ (30 digits)",
       tag="numeric", dps=(30,))
def Q7b():
    a, b, c3 = probs(MU3), tform(MU3), bivariate()
    tol = rtol_for(30)
    out = [agrees(Estimate(b[i], 0, "t-form", 30), a[i], atol=tol, label=f"p_{i + 1}: t-form") for i in range(3)]
    out += [agrees(Estimate(c3[i], 0, "bivariate normal CDF by quadrature", 30), a[i], atol=tol, label=f"p_{i + 1}: Phi_2")
            for i in range(3)]
    return out + [agrees(Estimate(mp.fsum(a), 0, "sum of the eps-form", 30), 1, atol=tol, label="sum p_i")]


@claim("Q7b-mc", r"Monte Carlo ($10^6$ seeded draws, Gaussian, $\mu=(1,0,-1)$): $|z|<4$ for each $p_i$ against the quadrature",
       tag="numeric", dps=(30,))
def Q7b_mc():
    return _mc_links(MU3, "gaussian", MC_N)


@claim("Q7b-mc-deep", r"the same with $10^7$ draws", tag="numeric", dps=(30,), slow=True)
def Q7b_mc_deep():
    return _mc_links(MU3, "gaussian", MC_DEEP)


@claim("Q7c", r"reflection for symmetric noise: $p_i(-\mu)=P[\arg\min_j(\mu_j+\varepsilon_j)=i]=\int\varphi\prod_{j\ne i}(1-\Phi(\mu_i-\mu_j+\varepsilon))d\varepsilon$ (Gaussian, $\mu=(1,0,-1)$, quadrature and Monte Carlo); $\mu=0$ gives $p_i=\frac13$",
       tag="numeric", dps=(30,))
def Q7c():
    neg = probs(tuple(str(-m) for m in MU3))
    low = pm.argmin_probs(list(MU3), "gaussian", 30)
    tol = rtol_for(30)
    w = pm.sample_argmax([-m for m in MU3], "gaussian", MC_N, SEED + 1)
    out = [agrees(Estimate(low[i], 0, "argmin quadrature", 30), neg[i], atol=tol, label=f"i = {i + 1}: argmin quadrature")
           for i in range(3)]
    out += [agrees(Estimate.from_samples((w == i).astype(float), "Monte Carlo of argmax(-mu + eps)", SEED + 1), low[i],
                   label=f"i = {i + 1}: Monte Carlo") for i in range(3)]
    zero = probs(("0", "0", "0"))
    with mp.workdps(30):
        third = mp.mpf(1) / 3
    out += [agrees(Estimate(zero[i], 0, "quadrature at mu = 0", 30), third, atol=tol, label=f"mu = 0: p_{i + 1}")
            for i in range(3)]
    rev = tuple(str(-m) for m in reversed(MU3))      # -mu reversed: mu itself for mu = (1, 0, -1)
    out.append(agrees(Estimate(neg[0], 0, "p_1(-mu)", 30), probs(rev)[2], atol=tol, consistency=True,
                      label="p_1(-mu) = p_3 of -mu reversed, i.e. p_3(mu) here: relabelling (same integrand)"))
    return out


@claim("P-reflect-gumbel", r"the reflection $p_i(-\mu)=P[\arg\min(\mu+\varepsilon)=i]$ also holds for Gumbel noise ($\mu=(1,0,-1)$)",
       tag="exact", expected="REFUTED", finding="pitfall", dps=(30,),
       why="the reflection needs noise symmetric about 0; the Gumbel law is skewed, and for mu = (1, 0, -1) "
           "p_1(-mu) = softmax(-mu)_1 = 0.0900 while P[argmin(mu + eps) = 1] = 0.0534 (quadrature and Monte Carlo)")
def P_reflect_gumbel():
    neg = probs(tuple(str(-m) for m in MU3), "gumbel")
    low = pm.argmin_probs(list(MU3), "gumbel", 30)
    samples = _gumbel_argmin_mc()
    tol = rtol_for(30)
    out = [agrees(samples[i], low[i], label=f"i = {i + 1}: argmin quadrature against Monte Carlo") for i in range(3)]
    out += [agrees(Estimate(neg[i], 0, "p_i(-mu), Gumbel quadrature", 30), low[i], atol=tol, expect="REFUTED",
                   label=f"i = {i + 1}: p_i(-mu) against P[argmin = i]") for i in (0, 2)]
    return out


@functools.lru_cache(maxsize=None)
def _gumbel_argmin_mc(n=MC_N):
    rng = np.random.default_rng(SEED + 2)
    e = -np.log(-np.log(rng.random((n, 3))))
    w = np.argmin(np.array(MU3, dtype=float) + e, axis=1)
    return tuple(Estimate.from_samples((w == i).astype(float), "Monte Carlo of argmin(mu + Gumbel)", SEED + 2) for i in range(3))


# --- Q8: scale and temperature --------------------------------------------------------------------

@claim("Q8", r"scale: noise $s\varepsilon$ (density $p(z/s)/s$, CDF $\Phi(z/s)$) with scores $\mu$ gives the integrand of noise $\varepsilon$ with scores $\mu/s$ after $\varepsilon=su$ (generic noise, $n=3$)",
       points=0)
def Q8():
    scaled_pdf = lambda z: dens(z / s) / s
    scaled_cdf = lambda z: Phi(z / s)
    lhs = integrand(0, mu, scaled_cdf, scaled_pdf).subs(eps, s * u) * s       # d eps = s du
    rhs = dens(u) * Phi(mu[0] / s - mu[1] / s + u) * Phi(mu[0] / s - mu[2] / s + u)   # scores mu/s, noise eps
    return identity(lhs, rhs, "p_1 integrand after eps = s u")


S_SMALL, S_LARGE = "0.05", "1000"


def at_scale(sv, scores=MU3, noise="gaussian", dps=30):
    """p for noise s*eps, computed (Q8) as p for noise eps and scores mu/s."""
    return probs(tuple(str(Fraction(m) / Fraction(sv)) for m in scores), noise, dps)


@claim("Q8-lim", r"temperature limits (Gaussian, $\mu=(1,0,-1)$): at $s=0.05$, $p$ is one-hot at $\arg\max\mu$ to $10^{-25}$; as $s\to\infty$, $s(p_i-\frac1n)\to n\,c_n(\mu_i-\bar\mu)$ with $c_3=\int\varphi^2\Phi=\frac1{4\sqrt\pi}$, within $1/s$ relative at $s=10^3$",
       tag="asymptotic", dps=(30,))
def Q8_lim():
    small, large = at_scale(S_SMALL), at_scale(S_LARGE)
    tol = rtol_for(30)
    top = [i for i in range(3) if MU3[i] == max(MU3)]          # the argmax (shared evenly if tied)
    out = [agrees(Estimate(small[i], 0, f"quadrature, s = {S_SMALL}", 30), mp.mpf(1) / len(top) if i in top else 0,
                  atol=tol, scale=1, label=f"s = {S_SMALL}: p_{i + 1}") for i in range(3)]
    with mp.workdps(30):
        coef, S, mean = 3 / (4 * mp.sqrt(mp.pi)), mp.mpf(S_LARGE), mp.mpf(sum(MU3)) / 3
        for i in (0, 2):
            obs = S * (large[i] - mp.mpf(1) / 3)
            centred = MU3[i] - mean             # mutate: equivalent (mean = 0 for mu = (1, 0, -1): mu_i + mean is the same)
            out.append(agrees(Estimate(obs, 0, f"s (p_i - 1/3) at s = {S_LARGE}", 30), coef * centred, rtol=1 / S,
                              label=f"i = {i + 1}: slope at s = {S_LARGE}"))
    return out


@claim("Q8-c3", r"$c_3=\int\varphi(\varepsilon)^2\Phi(\varepsilon)d\varepsilon=\frac1{4\sqrt\pi}$ (half of $\int\varphi^2$, by $\Phi(-\varepsilon)=1-\Phi(\varepsilon)$)")
def Q8_c3():
    sym = sp.integrate(normal_pdf(eps)**2, (eps, -sp.oo, sp.oo)) / 2
    return identity(sym, 1 / (4 * sp.sqrt(sp.pi)), "int phi^2 / 2")


@claim("Q8-mc", r"scale invariance by simulation: $\arg\max(\mu+s\varepsilon)$ for $s=0.8$ ($10^6$ draws, Gaussian) matches the quadrature at $\mu/s$, $|z|<4$; a 1% error in $s$ shifts some $p_i$ by more than 4 SE",
       tag="numeric", dps=(30,))
def Q8_mc():
    rng = np.random.default_rng(SEED + 3)
    scaled = 0.8 * rng.standard_normal((MC_N, 3))                  # noise s eps, s = 0.8
    w = np.argmax(np.array(MU3, dtype=float) + scaled, axis=1)     # mutate: equivalent (-s eps has the law of s eps)
    ref = at_scale("0.8")                                          # quadrature of the formula at mu/s
    return [agrees(Estimate.from_samples((w == i).astype(float), "Monte Carlo, noise 0.8 eps", SEED + 3), ref[i],
                   label=f"p_{i + 1}") for i in range(3)]


# --- the report ---------------------------------------------------------------------------------------

def _z(e, ref):
    return (e.value - float(ref)) / e.error if e.error else float("nan")


def _pm(e):
    return f"{e.value:.5f} ± {e.error:.5f}"


def _mu(v):
    return "(" + ", ".join(str(m) for m in v) + ")"


@section("In short", order=-1)
def in_short():
    p, sm_g = probs(MU3), softmax(MU3)
    with mp.workdps(30):
        gq = [probs(v, "gumbel") for v in (MU3, _n6())]
        worst_g = max(abs(a - b) / b for v, q in zip((MU3, _n6()), gq) for a, b in zip(q, softmax(v)))
        routes = max(abs(a - b) for a, b in zip(p, tform(MU3)))
    routes = f"to {nstr(routes, 2)}" if routes else "in all 30 digits"
    r = ratios(MU3)
    rsum100 = mp.fsum(rule(MU3, 100)) - 1
    pu = uniform_probs()
    neg_g, low_g = probs(("-1", "0", "1"), "gumbel"), pm.argmin_probs(list(MU3), "gumbel", 30)
    return (
        "**What the article gets right.** Perturbing scores with i.i.d. noise and taking the argmax gives a map from scores "
        "to probabilities that is non-negative, normalised, order-preserving and shift-invariant, with "
        "$p_i=\\int p(\\varepsilon)\\prod_{j\\ne i}\\Phi(\\mu_i-\\mu_j+\\varepsilon)d\\varepsilon$ (Q1-Q3, proved for a generic "
        "noise). With Gumbel noise this is exactly softmax: the integrand identity and the substitution $t=-e^{-\\varepsilon}$ "
        f"are proved symbolically, and a quadrature that never calls softmax matches it to a relative {nstr(worst_g, 2)} "
        "at 30 digits (Q4).\n\n"
        "**Gaussian noise gives a different distribution.** For $\\mu=(1,0,-1)$ it gives "
        f"$p=({nstr(p[0], 6)}, {nstr(p[1], 6)}, {nstr(p[2], 6)})$, against softmax "
        f"$({nstr(sm_g[0], 6)}, {nstr(sm_g[1], 6)}, {nstr(sm_g[2], 6)})$; two quadratures agree {routes} and "
        "Monte Carlo agrees within its standard error (Q7). The article says closed forms like softmax are very rare; "
        "for $n=2$ every noise has one (the CDF of a difference: $\\Phi_{\\mathcal N}(\\Delta/\\sqrt2)$ for Gaussian noise, "
        "the logistic function for Gumbel noise), and for $n=3$ Gaussian noise gives a bivariate normal CDF with "
        "correlation $\\tfrac12$, which has no elementary closed form in general.\n\n"
        "**The quantile rule is an approximation, and not a normalised one.** Averaging the integrand at "
        "$t=k/(K+1)$ has error $\\hat p_i-p_i\\approx(p_i-\\tfrac12)/K$: the measured ratio "
        f"$K(\\hat p_i-p_i)/(p_i-\\tfrac12)$ is {nstr(r[KS[-1]][0][0], 5)} and {nstr(r[KS[-1]][0][1], 5)} at $K=10^4$ for "
        f"$p_1,p_2$ (Q6). So the outputs do not sum to 1 for $n\\ne2$: for $n=3$, $K=100$ the sum is $1-{nstr(-rsum100, 3)}$ "
        "(about $(1-n/2)/K$). For tiny or dominant $p_i$ the $1/K$ regime starts only at large $K$.\n\n"
        "**Hypotheses the article leaves implicit.** Strict order preservation needs a noise density positive on the "
        f"whole line: uniform noise on $[0,1]$ with $\\mu=(10,9,0)$ gives $p=({nstr(pu[0], 3)}, {nstr(pu[1], 3)}, {nstr(pu[2], 3)})$. "
        "The reflection $p_i(-\\mu)=P[\\arg\\min(\\mu+\\varepsilon)=i]$ needs symmetric noise: for Gumbel noise "
        f"{nstr(neg_g[0], 4)} against {nstr(low_g[0], 4)}.")


@section("Gumbel noise: quadrature, softmax and Monte Carlo (Q4, Q5)", order=1)
def gumbel_section():
    rows = ["| $\\mu$ | $i$ | softmax | quadrature (30 digits) | rel. difference | Monte Carlo $10^6$ ± SE | $z$ |",
            "|---|---|---|---|---|---|---|"]
    for v in (MU3, _n4(), _n6()):
        q, sm, est = probs(v, "gumbel"), softmax(v), mc(tuple(v), "gumbel", MC_N)
        for i in range(len(v)):
            with mp.workdps(30):
                rel = abs(q[i] - sm[i]) / sm[i]
            rows.append(f"| {_mu(v) if i == 0 else ''} | {i + 1} | {nstr(sm[i], 15)} | {nstr(q[i], 15)} | {nstr(rel, 2)} | "
                        f"{_pm(est[i])} | {_z(est[i], sm[i]):+.2f} |")
    rows2 = ["| $\\Delta$ | $\\sigma(\\Delta)$ | quadrature | difference |", "|---|---|---|---|"]
    for d in DELTAS:
        with mp.workdps(30):
            ref = 1 / (1 + mp.exp(-mp.mpf(d)))
            q = probs((d, "0"), "gumbel")[0]
            rows2.append(f"| {d} | {nstr(ref, 20)} | {nstr(q, 20)} | {nstr(q - ref, 2)} |")
    return ("The quadrature integrates $p(\\varepsilon)\\prod_{j\\ne i}\\Phi(\\mu_i-\\mu_j+\\varepsilon)$ with the Gumbel CDF "
            "$e^{-e^{-z}}$ on a window whose omitted left tail is below $e^{-e^{c}}$; softmax is computed separately.\n\n"
            + "\n".join(rows) + "\n\n**$n=2$: the logistic function (Q5).**\n\n" + "\n".join(rows2))


@section("Gaussian noise (Q2, Q3, Q7)", order=2)
def gaussian_section():
    rows = ["| $\\Delta$ | $\\Phi_{\\mathcal N}(\\Delta/\\sqrt2)$ | quadrature | difference |", "|---|---|---|---|"]
    for d in DELTAS:
        with mp.workdps(30):
            ref = mp.ncdf(mp.mpf(d) / mp.sqrt(2))
            q = probs((d, "0"))[0]
            rows.append(f"| {d} | {nstr(ref, 20)} | {nstr(q, 20)} | {nstr(q - ref, 2)} |")
    a, b, c3, sm = probs(MU3), tform(MU3), bivariate(), softmax(MU3)
    est = mc(MU3, "gaussian", MC_DEEP)
    rows3 = ["| $i$ | $\\varepsilon$-form | $t$-form $-$ $\\varepsilon$-form | $\\Phi_2$ route $-$ $\\varepsilon$-form | "
             "Monte Carlo $10^7$ ± SE | $z$ | softmax |", "|---|---|---|---|---|---|---|"]
    with mp.workdps(30):
        for i in range(3):
            rows3.append(f"| {i + 1} | {nstr(a[i], 25)} | {nstr(b[i] - a[i], 2)} | {nstr(c3[i] - a[i], 2)} | "
                         f"{_pm(est[i])} | {_z(est[i], a[i]):+.2f} | {nstr(sm[i], 6)} |")
        total = mp.fsum(a) - 1
    return ("**$n=2$ (Q7a).**\n\n" + "\n".join(rows) + "\n\n**$n=3$, $\\mu=(1,0,-1)$ (Q7b)**, 30 digits; "
            f"$\\sum_ip_i-1$ = {nstr(total, 2)}. The last column shows that Gaussian perturb-max is not softmax.\n\n"
            + "\n".join(rows3))


@functools.lru_cache(maxsize=None)
def _float64_rule(scores, K):
    from scipy.special import ndtr, ndtri
    m = np.array([float(v) for v in scores])
    xs = ndtri(np.arange(1, K + 1) / (K + 1))
    return [float(np.mean(np.prod([ndtr(m[i] - m[j] + xs) for j in range(len(m)) if j != i], axis=0)))
            for i in range(len(m))]


@section("The quantile rule (Q6)", order=3)
def rule_section():
    blocks = []
    for v in (MU3,) + rule_instances():
        p, r, n = probs(tuple(v)), ratios(tuple(v)), len(v)
        rows = ["| $K$ | $i$ | $p_i$ | $\\hat p_i$ | $\\hat p_i-p_i$ | $K(\\hat p_i-p_i)/(p_i-\\frac12)$ | "
                "$\\sum\\hat p-1$ | $K(\\sum\\hat p-1)/(1-\\frac n2)$ | renormalised: max $|\\hat p/\\sum\\hat p-p|$ |",
                "|---|---|---|---|---|---|---|---|---|"]
        with mp.workdps(RULE_DPS):
            for K in KS:
                ph = rule(tuple(v), K)
                tot = mp.fsum(ph)
                ren = max(abs(a / tot - b) for a, b in zip(ph, p))
                for i in range(n):
                    judged = "" if abs(p[i] - 0.5) > 0.1 else " (not judged)"
                    head = (f"{nstr(tot - 1, 4)} | {nstr(r[K][1], 5)} | {nstr(ren, 3)}" if i == 0 else " | | ")
                    rows.append(f"| {K if i == 0 else ''} | {i + 1} | {nstr(p[i], 8)} | {nstr(ph[i], 8)} | "
                                f"{nstr(ph[i] - p[i], 4)} | {nstr(r[K][0][i], 5)}{judged} | {head} |")
        blocks.append(f"**$\\mu={_mu(v)}$**\n\n" + "\n".join(rows))
    with mp.workdps(RULE_DPS):
        f64 = max(abs(a - b) for a, b in zip(_float64_rule(MU3, KS[-1]), rule(MU3, KS[-1])))
    text = ("Gaussian noise, quantiles $\\Phi^{-1}(k/(K+1))$ at 20 digits, no renormalisation. The per-coordinate ratio "
            "is judged only where $|p_i-\\frac12|>0.1$; for $p_i\\ll1/K$ the rule returns about 0 instead of "
            "$p_i-\\frac1{2K}$, so the ratio climbs to 1 only once $K\\gg1/p_i$, and the sum inherits this. "
            f"The same rule in float64 (scipy `ndtri`/`ndtr`) differs from the 20-digit one by {_f64_gap(f64)} at $K=10^4$, "
            "far below the $O(1/K)$ error being measured.\n\n" + "\n\n".join(blocks))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    grid = (10, 30, 100, 300, 1000, 3000, 10000)
    p = probs(MU3)
    for i, col in zip(range(3), ("C0", "C1", "C2")):
        with mp.workdps(RULE_DPS):
            err = [float(abs(rule(MU3, K)[i] - p[i])) for K in grid]
        ax.loglog(grid, err, "o-", color=col, label=f"|p_hat_{i + 1} - p_{i + 1}|  (p = {float(p[i]):.4f})")
        ax.loglog(grid, [abs(float(p[i]) - 0.5) / K for K in grid], "--", color=col, lw=0.8)
    ax.set(xlabel="K (number of quantile nodes)", ylabel="absolute error of the rule",
           title="Quantile rule, Gaussian noise, mu = (1, 0, -1); dashed: |p_i - 1/2| / K")
    ax.legend(fontsize=8)
    return text, [("quantile_rule_error.png", fig)]


@section("Properties on the random instances (Q1)", order=4)
def properties_section():
    rows = ["| noise | max $|\\sum p-1|$ | max $|p(\\mu+c)-p(\\mu)|$ | pairs failing strict order |", "|---|---|---|---|"]
    for noise, (ws, wsh, bad, pairs) in property_violations(50).items():
        rows.append(f"| {noise} | {nstr(ws, 2)} | {nstr(wsh, 2)} | {bad} of {pairs} |")
    pu = uniform_probs()
    return ("50 seeded instances $\\mu\\in[-4,4]^n$, $n=2..6$, random shifts $c\\in[-3,3]$, quadrature at 30 digits. "
            "Strict order is counted as $p_i-p_j$ above ten times the quadrature's error estimate. The quadrature runs in "
            "the level variable $x=\\mu_i+\\varepsilon$ and moves its nodes with $\\mu$, so the shift column is a "
            "consistency check of the code; the proof is symbolic (Q1d).\n\n" + "\n".join(rows)
            + "\n\n**Hypothesis of strict order.** The strict inequality needs a noise density positive on $\\mathbb R$; for "
            f"uniform noise on $[0,1]$ and $\\mu=(10,9,0)$ the formula gives $p=({', '.join(nstr(v, 3) for v in pu)})$ "
            "(claim P-order). Equal scores are allowed: the integrands coincide and $p_i=p_j$ exactly.")


def _simplex(p):
    p = np.asarray(p, dtype=float)
    return p[..., 1] + p[..., 2] / 2, p[..., 2] * np.sqrt(3) / 2


@section("Figures: n = 2 curves, integrands, temperature", order=5)
def figures_section():
    plt = pyplot()
    fig1, ax = plt.subplots(figsize=(7, 4.5))
    d = np.linspace(-5, 5, 201)
    from scipy.special import expit, ndtr
    ax.plot(d, expit(d), label="Gumbel: logistic sigma(Delta)")
    ax.plot(d, ndtr(d / np.sqrt(2)), label="Gaussian: Phi(Delta / sqrt 2)")
    for noise, mk in (("gumbel", "s"), ("gaussian", "o")):
        pts = np.arange(-4, 4.5, 1.0)
        est = [mc((f"{v:.1f}", "0"), noise, 20_000)[0] for v in pts]
        ax.errorbar(pts, [e.value for e in est], yerr=[2 * e.error for e in est], fmt=mk, ms=4, capsize=2,
                    label=f"Monte Carlo, {noise} (2e4 draws, ± 2 SE)")
    ax.set(xlabel="Delta = mu_1 - mu_2", ylabel="p_1", title="n = 2: perturb-and-argmax probability of the first score")
    ax.legend(fontsize=8)

    fig2, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4.5))
    e = np.linspace(-5, 8, 400)
    m = np.array(MU3, dtype=float)
    from scipy.stats import norm
    for i in range(3):
        f = norm.pdf(e) * np.prod([norm.cdf(m[i] - m[j] + e) for j in range(3) if j != i], axis=0)
        a1.plot(e, f, label=f"i = {i + 1}")
        g = np.exp(-e - np.exp(-e)) * np.prod([np.exp(-np.exp(-(m[i] - m[j] + e))) for j in range(3) if j != i], axis=0)
        kap = np.exp(m - m[i]).sum()
        a2.plot(e, g, label=f"i = {i + 1}: formula")
        a2.plot(e[::12], (np.exp(-e) * np.exp(-np.exp(-e) * kap))[::12], "k.", ms=3)
    a1.set(xlabel="eps", ylabel="phi(eps) prod Phi(mu_i - mu_j + eps)", title="Gaussian integrands, mu = (1, 0, -1)")
    a2.set(xlabel="eps", ylabel="integrand", title="Gumbel: formula (lines), Q4(a) form (dots)")
    a1.legend(fontsize=8)
    a2.legend(fontsize=8)
    fig2.tight_layout()

    fig3, ax3 = plt.subplots(figsize=(9, 4.5))
    ax3.plot([0, 1, 0.5, 0], [0, 0, np.sqrt(3) / 2, 0], "k-", lw=0.8)
    svals = np.logspace(-1.3, 3, 30)
    for v, ls in ((MU3, "-"), (("1", "0.3", "-1"), "--")):
        gauss = [probs(tuple(str(Fraction(x) / Fraction(f"{sv:.6g}")) for x in v), "gaussian", 15) for sv in svals]
        gum = [softmax([Fraction(x) / Fraction(f"{sv:.6g}") for x in v], 15) for sv in svals]
        for name, path in (("Gaussian", gauss), ("Gumbel (softmax)", gum)):
            xy = _simplex(np.array([[float(q) for q in row] for row in path]))
            ax3.plot(*xy, ls, marker=".", ms=3, label=f"{name}, mu = {_mu(v)}")
    ax3.annotate("one-hot at mu_1 (s -> 0)", (0, 0), textcoords="offset points", xytext=(5, -12), fontsize=8)
    ax3.annotate("uniform (s -> oo)", (0.5, np.sqrt(3) / 6), textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax3.set(xlabel="simplex coordinate p_2 + p_3/2", ylabel="(sqrt 3 / 2) p_3",
            title="p for noise s*eps as s runs from 0.05 to 1000")
    ax3.annotate("p_2 = 1", (1, 0), textcoords="offset points", xytext=(-20, -12), fontsize=8)
    ax3.annotate("p_3 = 1", (0.5, np.sqrt(3) / 2), textcoords="offset points", xytext=(5, 0), fontsize=8)
    ax3.set_aspect("equal")
    ax3.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    rows = ["| $s$ | Gaussian $p_1$ | Gaussian $p_2$ | Gaussian $p_3$ | Gumbel (softmax) $p_1$ | $p_2$ | $p_3$ |",
            "|---|---|---|---|---|---|---|"]
    for k in range(-3, 4):
        sv = Fraction(10) ** k
        g = probs(tuple(str(Fraction(m) / sv) for m in MU3), "gaussian", 15)
        gm = softmax([Fraction(m) / sv for m in MU3], 15)
        rows.append(f"| $10^{{{k}}}$ | " + " | ".join(nstr(v, 6) for v in list(g) + list(gm)) + " |")
    text = ("**$p$ against the noise scale $s$** ($\\mu=(1,0,-1)$, 15 digits; noise $s\\varepsilon$ computed as scores "
            "$\\mu/s$, Q8):\n\n" + "\n".join(rows) + "\n\n"
            "Left to right: $p_1$ against $\\Delta$ for $n=2$; the integrands for $\\mu=(1,0,-1)$ (the Gumbel ones "
            "against the identity of Q4(a)); $p$ on the simplex as the noise scale $s$ varies (Q8). "
            "Large $s$: $s(p_i-\\frac13)\\to3c_3(\\mu_i-\\bar\\mu)$ with $c_3=1/(4\\sqrt\\pi)$ for Gaussian noise and "
            "$(\\mu_i-\\bar\\mu)/3$ for Gumbel noise.")
    return text, [("n2_curves.png", fig1), ("integrands.png", fig2), ("temperature_simplex.png", fig3)]


@section("Pitfalls", order=6)
def pitfalls_section():
    with mp.workdps(30):
        c = -mp.log(40 * mp.log(10)) - 1
        tail = mp.exp(-mp.exp(-c))
    return ("- **Gumbel tails in mpmath.** `mp.quad` on $(-\\infty,\\infty)$ probes points where $e^{-u}$ is astronomically "
            "large. The engine cuts the left tail at "
            f"$u={nstr(c, 4)}$ (30 digits), where the omitted mass is below $e^{{-e^{{-u}}}}$ = {nstr(tail, 3)}, and keeps "
            "the slowly decaying right tail.\n"
            "- **Quantiles near 0 and 1.** Writing $\\Phi^{-1}(t)=\\sqrt2\\,\\mathrm{erfinv}(2t-1)$ loses every digit once "
            "$t$ is below the working precision. The $t$-form maps the upper half to $s=1-t$ and solves $\\Phi(x)=s$ by "
            "Newton's method on $\\log\\Phi$.\n"
            "- **Normalisation.** The rule is not renormalised in any check (claim P-rule-sum); the renormalised "
            "variant is reported separately in the table above.\n"
            "- **Reflection and relabelling.** $p_1(\\mu)=p_3(-\\mu)$ for $\\mu=(1,0,-1)$ is a relabelling with the same "
            "integrand (a consistency check only). The reflection to argmin needs symmetric noise (claim P-reflect-gumbel).")


def _f64_gap(v) -> str:
    """A float64 difference at rounding level is a bound (its digits depend on the platform's libm)."""
    return "less than 1e-15 (rounding)" if v < 1e-15 else nstr(v, 2)
