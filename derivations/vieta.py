r"""Vieta's relations solved by symmetric substitution (quadratic and quartic; the cubic as an extension)

Article: Su Jianlin, 《从对称角度看代数方程》 ("Algebraic equations seen through symmetry"), 2011-04-29, https://kexue.fm/archives/1336

The data are the symmetric functions of the roots ($x^2-ax+b$; $x^4-ax^3+bx^2-cx+d$, so $a..d$
are $e_1..e_4$, not the usual coefficients). The substitution $x_{1,2}=y_1\pm y_2$ solves the
quadratic; applied twice to the quartic and followed by one elimination it leaves a cubic in
$u=w_2^2$, Euler's resolvent. The article stops at that cubic; the reconstruction of the roots
(A8) and the cubic by the $\mathbb Z_3$ substitution (E1-E3) are added here as extensions, so
that the checker has a complete method to test. The article's two typos are claims expected to
be REFUTED.
"""
import functools
import itertools

import mpmath as mp
import numpy as np
import sympy as sp

from derivcheck import Estimate, agrees, chain, claim, identity, section
from numerics import vieta as nv

# --- symbols, spelled as the article prints them ----------------------------------------------
a, b, c, d = sp.symbols("a b c d")              # e1..e4 (complex unless a claim says)
x = sp.Symbol("x")
x1, x2, x3, x4 = X = sp.symbols("x1:5")
y1, y2, y3, y4 = sp.symbols("y1:5")
z1, z3 = sp.symbols("z1 z3")
w1, w3, w4 = sp.symbols("w1 w3 w4")
w2 = sp.Symbol("w2", nonzero=True)           # S7 divides by w2
u, t = sp.symbols("u t")

e1, e2, e3, e4 = (sum(sp.Mul(*cmb) for cmb in itertools.combinations(X, k)) for k in range(1, 5))
s1, s2, s3 = x1 + x2 - x3 - x4, x1 + x3 - x2 - x4, x1 + x4 - x2 - x3

S4 = {x1: y1 + y2, x2: y1 - y2, x3: y3 + y4, x4: y3 - y4}          # first substitution
Z = {z1: y1**2 - y2**2, z3: y3**2 - y4**2}                         # definitions of z1, z3 (S5)
S5 = (2*(y1 + y3), z1 + z3 + 4*y1*y3, 2*z1*y3 + 2*z3*y1, z1*z3)    # left-hand sides of S5
W = {y1: w1 + w2, y3: w1 - w2, z1: w3 + w4, z3: w3 - w4}           # second substitution
S6 = (4*w1, 2*w3 + 4*(w1**2 - w2**2), 4*(w1*w3 - w2*w4), w3**2 - w4**2)   # left-hand sides of S6

W1 = a/4
A = a*b/2 - c - a**3/8                                              # = 2 w1 b - c - 8 w1^3
W3 = b/2 - 2*(W1**2 - w2**2)                                       # S7
W4 = (2*W1*b - c - 8*W1**3)/(4*w2) + 2*W1*w2                       # S7
R = 64*u**3 + (32*b - 12*a**2)*u**2 + (sp.Rational(3, 4)*a**4 - 4*a**2*b + 4*b**2 + 4*a*c
                                        - 16*d)*u - A**2            # A6, the resolvent
Rt = t**3 + (8*b - 3*a**2)*t**2 + (3*a**4 - 16*a**2*b + 16*b**2 + 16*a*c - 64*d)*t \
    - (a**3 - 4*a*b + 8*c)**2                                       # A6 in t = 16u
E = {a: e1, b: e2, c: e3, d: e4}


def on_roots(expr):
    return expr.subs(E, simultaneous=True)


# --- A1: the quadratic --------------------------------------------------------------------------

@claim("A1", r"$(x-y_1-y_2)(x-y_1+y_2)=x^2-2y_1x+y_1^2-y_2^2$, so $x_{1,2}=\frac a2\pm\sqrt{\frac{a^2}4-b}$ solve $x^2-ax+b=0$ for all complex $a,b$ and either branch")
def A1():
    root = sp.sqrt(a**2/4 - b)                        # y2, either branch (the sign only swaps x1, x2)
    return [identity((x - y1 - y2)*(x - y1 + y2), x**2 - 2*y1*x + (y1**2 - y2**2),
                     "S2, the product, as printed"),
            identity((a/2)**2 - root**2, b, "y1 = a/2, y2^2 = a^2/4 - b satisfy y1^2 - y2^2 = b"),
            identity((x - (a/2 + root))*(x - (a/2 - root)), x**2 - a*x + b,
                     "x1,2 = a/2 +- sqrt(a^2/4 - b) are the two roots of x^2 - a x + b")]


@claim("A1-num", r"the quadratic formula agrees with `mpmath.polyroots` on 20 random complex quadratics",
       tag="numeric", dps=(50, 80))
def A1_num(dps):
    rng, worst = np.random.default_rng(11), mp.mpf(0)
    with mp.workdps(dps):
        for _ in range(20):
            aa, bb = (mp.mpc(*rng.uniform(-3, 3, 2)) for _ in range(2))
            r = mp.sqrt(aa**2/4 - bb)
            worst = max(worst, nv.mismatch([aa/2 + r, aa/2 - r], nv.reference_roots([1, -aa, bb], dps)[0]))
    return agrees(Estimate(worst, 0, "max root mismatch vs mpmath.polyroots", dps, 20, 11), 0,
                  scale=1, atol=mp.mpf(10)**-(dps - 10))


# --- A2-A4: the two substitutions ---------------------------------------------------------------

@claim("A2", r"under $x_{1,2}=y_1\pm y_2$, $x_{3,4}=y_3\pm y_4$ the quartic Vieta system becomes S5, i.e. the quartic factors as $(x^2-2y_1x+z_1)(x^2-2y_3x+z_3)$")
def A2():
    lhs = [e.subs(S4, simultaneous=True) for e in (e1, e2, e3, e4)]
    rhs = [s.subs(Z, simultaneous=True) for s in S5]
    quartic = sp.Mul(*[(x - xi) for xi in X]).subs(S4, simultaneous=True)
    return [identity(l, r, f"e{k} = S5 equation {k}") for k, (l, r) in enumerate(zip(lhs, rhs), 1)] + [
        identity(quartic, ((x**2 - 2*y1*x + z1)*(x**2 - 2*y3*x + z3)).subs(Z, simultaneous=True),
                 "the factorisation")]


@claim("typo-4x1x3", r"as printed, the second equation of S5 reads $z_1+z_3+4x_1x_3=b$",
       expected="REFUTED", finding="article-error", why=r"the article prints $4x_1x_3$ where $4y_1y_3$ is meant")
def typo_4x1x3():
    printed = z1 + z3 + 4*x1*x3                                      # as the article prints it
    return identity(e2.subs(S4, simultaneous=True),
                    printed.subs(Z, simultaneous=True).subs(S4, simultaneous=True),
                    "e2 after S4 vs the printed equation")


@claim("typo-z1", r"as printed, $z_1=y_1^2-y_1^2$ makes $z_1z_3=d$ the fourth equation of S5",
       expected="REFUTED", finding="article-error", why=r"the article prints $z_1=y_1^2-y_1^2$ (which is 0) where $y_1^2-y_2^2$ is meant")
def typo_z1():
    printed = {z1: y1**2 - y1**2, z3: y3**2 - y4**2}                 # as printed: z1 = 0
    return identity(e4.subs(S4, simultaneous=True), (z1*z3).subs(printed, simultaneous=True),
                    "e4 after S4 vs z1*z3 with the printed z1")


@claim("A3", r"$y_{1,3}=w_1\pm w_2$, $z_{1,3}=w_3\pm w_4$ turn the left-hand sides of S5 into those of S6")
def A3():
    return [identity(s5.subs(W, simultaneous=True), s6, f"S5 -> S6, equation {k}")
            for k, (s5, s6) in enumerate(zip(S5, S6), 1)]


@claim("A4", r"$w_1=\frac{e_1}4$, $w_2=\frac{s_1}4$, $w_3=\frac{x_1x_2+x_3x_4}2$, $w_4=\frac{x_1x_2-x_3x_4}2$ reproduce $e_1..e_4$ in S6")
def A4():
    meaning = {w1: e1/4, w2: s1/4, w3: (x1*x2 + x3*x4)/2, w4: (x1*x2 - x3*x4)/2}
    return [identity(s6.subs(meaning, simultaneous=True), e, f"S6 equation {k}")
            for k, (s6, e) in enumerate(zip(S6, (e1, e2, e3, e4)), 1)]


# --- S7, A5: the elimination --------------------------------------------------------------------

@claim("S7", r"$2w_1\times$(second equation of S6) $-$ (third) $=8w_1(w_1^2-w_2^2)+4w_2w_4$")
def S7():
    return chain(("2 w1 (S6.2) - (S6.3)", 2*w1*S6[1] - S6[2]),
                 ("as printed", 8*w1*(w1**2 - w2**2) + 4*w2*w4))


@claim("A5", r"for $w_2\neq0$, $w_1=\frac a4$ and the S7 formulas for $w_3,w_4$ satisfy the first three equations of S6", assumptions=("w2 != 0",))
def A5():
    sol = {w1: W1, w3: W3, w4: W4}
    return [identity(S6[0].subs(sol, simultaneous=True), a, "S6 equation 1"),
            identity(S6[1].subs(sol, simultaneous=True), b, "S6 equation 2"),
            identity(S6[2].subs(sol, simultaneous=True), c, "S6 equation 3")]


# --- A6: the resolvent ----------------------------------------------------------------------------

@claim("A6", r"$16u(w_3^2-w_4^2-d)=R(u)$, $64R(t/16)=R_t(t)$, and $R_t(t)=\prod_j(t-s_j^2)$ in the roots")
def A6():
    return [identity((16*w2**2*(W3**2 - W4**2 - d)), R.subs(u, w2**2), "16u (w3^2 - w4^2 - d) = R(u)"),
            identity(64*R.subs(u, t/16), Rt, "64 R(t/16) = Rt(t)"),
            identity(on_roots(Rt), sp.Mul(*[(t - s**2) for s in (s1, s2, s3)]), "Rt = prod (t - s_j^2)")]


# --- A7: why a cubic ------------------------------------------------------------------------------

def _permute(expr, perm):
    return expr.xreplace(dict(zip(X, [X[i] for i in perm])))


@functools.lru_cache(maxsize=None)
def symmetry():
    """Orbit of s1^2 under S4, its stabiliser, and the dihedral group <(12),(34),(13)(24)>."""
    from sympy.combinatorics import Permutation, PermutationGroup
    perms = list(itertools.permutations(range(4)))
    images = {sp.expand(_permute(s1**2, p)) for p in perms}
    stab = [p for p in perms if sp.expand(_permute(s1**2, p) - s1**2) == 0]
    dihedral = PermutationGroup([Permutation([1, 0, 2, 3]), Permutation([0, 1, 3, 2]),
                                 Permutation([2, 3, 0, 1])])
    return images, stab, {tuple(g.array_form) for g in dihedral.elements}


@claim("A7", r"the $S_4$-orbit of $s_1^2$ has 3 elements; its stabiliser is the dihedral group of order 8, which fixes $w_3$ and $w_2w_4$")
def A7():
    images, stab, dihedral = symmetry()
    W3x, W2W4x = (x1*x2 + x3*x4)/2, s1/4*(x1*x2 - x3*x4)/2
    return ([identity(len(images), 3, "orbit size (all 24 permutations)"),
             identity(len(stab), 8, "stabiliser order"),
             identity(len(set(stab) & dihedral), 8, "stabiliser = <(12),(34),(13)(24)>")]
            + [identity(_permute(f, p), f, f"{name} fixed by {p}")
               for p in stab for f, name in ((W3x, "w3"), (W2W4x, "w2 w4"))])


# --- A8: the reconstruction (beyond the article) ------------------------------------------------

TEST_QUARTICS = {           # name -> roots (the data are e1..e4 of these); generic: no two pair sums agree
    "four real roots": (-sp.Rational(3, 2), sp.Rational(1, 3), 1, sp.sqrt(11)),
    "two complex pairs": (1 + 2*sp.I, 1 - 2*sp.I, -sp.Rational(1, 3) + sp.I/sp.sqrt(2),
                          -sp.Rational(1, 3) - sp.I/sp.sqrt(2)),
    "complex coefficients": (1 + sp.I, -2, sp.Rational(1, 3) - sp.I, sp.sqrt(2)*sp.I),
}


def _num(r, dps):
    """A SymPy (or Python) number as an mpmath number at ``dps`` digits (1/3, sqrt 7 are not binary)."""
    re_, im_ = (sp.N(v, dps) for v in sp.sympify(r).as_real_imag())
    with mp.workdps(dps):
        return mp.mpc(mp.mpf(str(re_)), mp.mpf(str(im_))) if im_ != 0 else mp.mpf(str(re_))  # mutate: equivalent (mpc(x, 0) is x)


def _e(roots, dps):
    with mp.workdps(dps + 10):
        return nv.elementary([_num(r, dps + 10) for r in roots])


def branches(roots, dps):
    """All 3 x 2 x 2 x 2 branch choices: (j, s2, sy2, sy4, mismatch against polyroots).

    A8 assumes u != 0: a test quartic whose resolvent has a root near 0 (two equal pair sums) would
    take the 4-fold-root fallback of ``quartic_branch`` instead of S7, so it is refused here."""
    es = _e(roots, dps)
    ref, _ = nv.reference_roots(nv.vieta_coeffs(*es), dps)
    us = nv.resolvent_roots(*es, dps=dps)
    if min(abs(u_) for u_ in us) < mp.mpf(10)**-3:
        raise ValueError(f"roots={roots}: a resolvent root is near 0 (min |u_j| = "
                         f"{mp.nstr(min(abs(u_) for u_ in us), 3)}); A8 needs generic quartics")
    out = []
    for j, s, sy2, sy4 in itertools.product(range(3), (1, -1), (1, -1), (1, -1)):
        found = nv.quartic_branch(*es, us[j], s, sy2, sy4, dps=dps)
        with mp.workdps(dps):
            out.append((j, s, sy2, sy4, nv.mismatch(found, ref)))
    return out


@claim("A8", r"from any nonzero resolvent root $u$, either $w_2=\pm\sqrt u$ and any branches of $y_2,y_4$, $\{y_1\pm y_2, y_3\pm y_4\}$ is the root multiset",
       tag="extension", assumptions=("R(u) = 0, u != 0",))
def A8():
    quad = sp.Poly(sp.expand((x**2 - 2*y1*x + z1)*(x**2 - 2*y3*x + z3)), x).all_coeffs()
    r = sp.sqrt(y1**2 - z1)                                          # y2, either branch
    return ([identity(sp.expand(q * (-1)**k), s, f"coefficient of x^{4 - k} is the S5 left-hand side")
             for k, (q, s) in enumerate(zip(quad[1:], S5), 1)]
            + [identity(W3**2 - W4**2 - d, R.subs(u, w2**2)/(16*w2**2),
                        "w3^2 - w4^2 - d = R(u)/(16u): S6's fourth equation holds at a root u != 0"),
               identity((x - (y1 + r))*(x - (y1 - r)), x**2 - 2*y1*x + z1,
                        "y1 +- y2 with y2 = +-sqrt(y1^2 - z1) are the roots of x^2 - 2 y1 x + z1")])


@claim("A8-num", r"on three generic quartics (real roots, complex roots, complex coefficients) all 24 branch choices give the root multiset of `mpmath.polyroots` to 1e-40 at 50 digits",
       tag="extension", dps=(50, 80))
def A8_num(dps):
    worst = max(m for roots in TEST_QUARTICS.values() for *_, m in branches(roots, dps))
    return agrees(Estimate(worst, 0, "max mismatch over 3 quartics x 24 branches (all through S7)", dps, 72), 0,
                  scale=1, atol=mp.mpf(10)**-(dps - 10))


@claim("quartic-roots-num", r"`quartic_roots` (the route) agrees with `mpmath.polyroots` on 12 random quartics, real and complex",
       tag="extension", dps=(50, 80))
def quartic_roots_num(dps):
    return against_polyroots(nv.quartic_roots, 4, seed=5, dps=dps)


def against_polyroots(solver, degree, seed, dps, count=12):
    """The route against mpmath.polyroots on random polynomials, every other one complex."""
    rng, worst = np.random.default_rng(seed), mp.mpf(0)
    for k in range(count):
        es = rng.normal(size=degree) + (1j * rng.normal(size=degree) if k % 2 else 0)  # mutate: equivalent (another random instance)
        es = [mp.mpmathify(complex(v)) for v in es]
        worst = max(worst, nv.mismatch(solver(*es, dps=dps),
                                       nv.reference_roots(nv.vieta_coeffs(*es), dps)[0]))
    return agrees(Estimate(worst, 0, "max mismatch vs mpmath.polyroots", dps, count, seed), 0,
                  scale=1, atol=mp.mpf(10)**-(dps - 10))


# --- pitfalls as claims --------------------------------------------------------------------------

@claim("P-u0", r"for the roots $\{1,2,3,4\}$ the resolvent has the root $u=0$ ($1+4=2+3$, so $s_3=0$): S7 then divides by zero; pick $u=\arg\max|u_j|$")
def P_u0():
    pair = {x1: 1, x2: 2, x3: 3, x4: 4}
    return [identity(on_roots(Rt).subs(t, 0).xreplace(pair), 0, "Rt(0) = 0"),
            identity(s3.xreplace(pair), 0, "s3 = 0")]


@claim("P-w4", r"$w_4=+\sqrt{w_3^2-d}$ (an independent square root) equals the S7 value $w_4$",
       expected="REFUTED", finding="pitfall", tag="extension", domain={s: (-3, 3) for s in X},
       why="(not in the article) the principal root is |w4|, wrong whenever S7's w4 = (x1 x2 - x3 x4)/2 is negative, "
           "which is half of all quartics (claims P-w4-sym, P-w4-rate-mc); S7 fixes w4 linearly from w2")
def P_w4():
    w3x, w4x = (x1*x2 + x3*x4)/2, (x1*x2 - x3*x4)/2
    return identity(sp.sqrt(w3x**2 - e4), w4x, "principal root vs S7")


@claim("P-w4-sym", r"under $x\to-x$ the data become $(-a,b,-c,d)$; $R(u)$ and $w_3$ are unchanged and $w_4\to-w_4$ (the same $w_2=+\sqrt u$), so the principal $+\sqrt{w_3^2-d}=|w_4|$ is wrong for exactly one of the two quartics",
       tag="extension")
def P_w4_sym():
    neg, flip = {xi: -xi for xi in X}, {a: -a, c: -c}
    return ([identity(e.subs(neg, simultaneous=True), (-1)**k * e, f"e{k}(-x) = (-1)^{k} e{k}(x)")
             for k, e in enumerate((e1, e2, e3, e4), 1)]
            + [identity(R.subs(flip, simultaneous=True), R, "R(u) unchanged: the same resolvent roots"),
               identity(W3.subs(flip, simultaneous=True), W3, "w3 unchanged"),
               identity(W4.subs(flip, simultaneous=True), -W4, "w4 changes sign")])


W4_SEED, W4_COUNT = 7, 20000


@functools.lru_cache(maxsize=None)
def w4_study():
    """Float64, quartics with four real N(0,1) roots: (independent root fails, S7 fails, S7's w4)."""
    roots = np.random.default_rng(W4_SEED).standard_normal((W4_COUNT, 4))
    es = nv.elementary_f64(roots)
    w1_, w2_, w3_, w4_ = nv.s7_f64(es)
    wrong = nv.match_error_f64(nv.quartic_roots_f64(es, w4_by_sqrt=True), roots) > 1e-6
    s7_wrong = nv.match_error_f64(nv.roots_from_w(w1_, w2_, w3_, w4_), roots) > 1e-6
    return wrong, s7_wrong, w4_.real


@claim("P-w4-rate-mc", r"over random quartics with four real $N(0,1)$ roots the independent $w_4=+\sqrt{w_3^2-d}$ gives wrong roots with probability $\frac12$, exactly where S7's $w_4<0$; S7 never fails",
       tag="extension")
def P_w4_rate_mc():
    wrong, s7_wrong, w4_ = w4_study()
    return [agrees(Estimate.from_samples(wrong, f"failure indicator of the independent w4 over {W4_COUNT} "
                                         "quartics (float64, error > 1e-6)", W4_SEED), sp.Rational(1, 2),
                   label="failure rate"),
            identity(int(np.sum(wrong != (w4_ < 0))), 0, "quartics where 'fails' and 'S7 w4 < 0' disagree"),
            identity(int(np.sum(s7_wrong)), 0, "quartics where S7's w4 gives wrong roots")]


# --- extension E: the cubic by the Z3 substitution ---------------------------------------------

y0 = sp.Symbol("y0")
omega = -sp.Rational(1, 2) + sp.sqrt(3)/2*sp.I
Xc = [y0 + omega**k*y1 + omega**(-k)*y2 for k in range(3)]
ec = [sum(sp.Mul(*cmb) for cmb in itertools.combinations(Xc, k)) for k in (1, 2, 3)]


@claim("E1", r"$x_k=y_0+\omega^ky_1+\omega^{-k}y_2$ gives $e_1=3y_0$, $e_2=3y_0^2-3y_1y_2$, $e_3=y_0^3+y_1^3+y_2^3-3y_0y_1y_2$", tag="extension")
def E1():
    rhs = (3*y0, 3*y0**2 - 3*y1*y2, y0**3 + y1**3 + y2**3 - 3*y0*y1*y2)
    return [identity(l, r, f"e{k}") for k, (l, r) in enumerate(zip(ec, rhs), 1)]


@claim("E2", r"$P=\frac{a^2-3b}9=y_1y_2$, $S=c+\frac{2a^3}{27}-\frac{ab}3=y_1^3+y_2^3$, and $S^2-4P^3=-\mathrm{disc}/27$", tag="extension")
def E2():
    P, S = (a**2 - 3*b)/9, c + 2*a**3/27 - a*b/3
    data = {a: 3*y0, b: 3*y0**2 - 3*y1*y2, c: y0**3 + y1**3 + y2**3 - 3*y0*y1*y2}     # E1
    return [identity(P.subs(data, simultaneous=True), y1*y2, "P = y1 y2"),
            identity(S.subs(data, simultaneous=True), y1**3 + y2**3, "S = y1^3 + y2^3"),
            identity(S**2 - 4*P**3, -sp.discriminant(x**3 - a*x**2 + b*x - c, x)/27, "S^2 - 4P^3")]


@claim("E3", r"with $y_1^3=T$ a root of $T^2-ST+P^3$ and $y_2=P/y_1$, $y_1^3+y_2^3=S$; for roots $\{1,2,3\}$ (disc $>0$) $S^2-4P^3=-4/27<0$: $T$ is non-real (casus irreducibilis)", tag="extension")
def E3():
    P, S = sp.symbols("P S")
    T = (S + sp.sqrt(S**2 - 4*P**3))/2
    Pv, Sv = (a**2 - 3*b)/9, c + 2*a**3/27 - a*b/3
    cubic = {a: 6, b: 11, c: 6}                                       # roots 1, 2, 3
    return [identity(T + (P/T**sp.Rational(1, 3))**3, S, "y1^3 + (P/y1)^3 = S"),
            identity((Sv**2 - 4*Pv**3).subs(cubic), sp.Rational(-4, 27), "S^2 - 4P^3 at {1,2,3}"),
            identity(sp.sign(sp.im(T.subs({S: Sv, P: Pv}).subs(cubic))), 1, "Im T > 0 at {1,2,3}")]


@claim("E3-independent", r"independent principal cube roots $y_1=T_1^{1/3}$, $y_2=T_2^{1/3}$ of the two roots of $T^2-ST+P^3$ satisfy $y_1y_2=P$",
       expected="REFUTED", finding="pitfall", tag="extension", domain={a: (-3, 3), b: (-3, 3), c: (-3, 3)},
       why="(not in the article) the cube roots must be tied by y2 = P/y1; independent principal roots miss by a factor omega^k")
def E3_independent():
    P, S = (a**2 - 3*b)/9, c + 2*a**3/27 - a*b/3
    r = sp.sqrt(S**2 - 4*P**3)
    return identity(((S + r)/2)**sp.Rational(1, 3) * ((S - r)/2)**sp.Rational(1, 3), P,
                    "product of independent cube roots")


@claim("E-num", r"`cubic_roots` agrees with `mpmath.polyroots` on 12 random real and complex cubics",
       tag="extension", dps=(50, 80))
def E_num(dps):
    return against_polyroots(nv.cubic_roots, 3, seed=3, dps=dps)


# --- A9 and the multiple-root pitfall: float64 and perturbation studies -------------------------

A9_SEED, A9_COUNT = 20111, 20000


@functools.lru_cache(maxsize=None)
def accuracy():
    """The A9 protocol: the route in float64 against numpy.roots on the same quartics.
    Returns (route errors, numpy.roots errors, minimal root separation, roots, the two root arrays)."""
    roots = nv.random_quartics(A9_COUNT, A9_SEED)
    es = nv.elementary_f64(roots)
    route = nv.quartic_roots_f64(es)
    direct = nv.roots_batched(np.column_stack([np.ones(len(es)), -es[:, 0], es[:, 1], -es[:, 2], es[:, 3]]))
    return (nv.match_error_f64(route, roots), nv.match_error_f64(direct, roots),
            nv.min_separation(roots), roots, route, direct)


QUANTILES = (50, 99, 100)
UNIT = np.finfo(float).eps / 2           # errors below the unit roundoff count as the unit roundoff
FACTOR = 2                               # "as accurate as": within a factor 2


def _log_ratio(x, y):
    return np.log10(np.maximum(x, UNIT) / np.maximum(y, UNIT))


@claim("A9", r"in float64 the route is as accurate as `numpy.roots` (within a factor 2) over 20 000 random quartics: per quartic on geometric average, and at the 50%, 99% and 100% quantiles of the error scaled by the minimal root separation",
       tag="numeric")
def A9():
    route, direct, sep, roots, found, ref = accuracy()
    tol = float(np.log10(FACTOR))
    links = [agrees(Estimate.from_samples(_log_ratio(route, direct), "per-quartic log10(route/numpy.roots) "
                                          "error ratio", A9_SEED), 0, atol=tol, scale=1,
                    label="geometric mean of the error ratio, in decades",
                    resolution=0.35)]  # declared: the claim is a factor 2 = 0.30 decades
    for q in QUANTILES:
        r = float(_log_ratio(np.percentile(route * sep, q), np.percentile(direct * sep, q)))
        links.append(agrees(Estimate(r, 0, f"log10 ratio of the {q}% quantiles of error x separation",
                                     None, A9_COUNT, A9_SEED), 0, atol=tol, scale=1,
                            label=f"{q}% quantile of error x separation, in decades",
                            resolution=0.35))  # declared: as above
    with mp.workdps(30):                    # the vectorised matcher against the mpmath one
        diff = max(abs(mp.mpf(float(err[i])) - nv.mismatch([mp.mpc(z) for z in f[i]], [mp.mpc(z) for z in roots[i]]))
                   / max(mp.mpf(float(err[i])), UNIT) for err, f in ((route, found), (direct, ref)) for i in range(100))
    links.append(agrees(Estimate(diff, 0, "match_error_f64 vs mismatch (mpmath), first 100 quartics", 30, 200),
                        0, atol=1e-6, scale=1, label="the error measure, two implementations"))
    return links


EPSILONS = [mp.mpf(10) ** -k for k in range(8, 25, 2)]  # mutate: equivalent (any small eps obeys the law)
MULTIPLE = {2: (1, 1, -2, 3), 3: (1, 1, 1, -2), 4: (1, 1, 1, 1)}      # m -> roots with 1 m-fold
ROUTES = ("route", "mpmath.polyroots")


def _q1(m):
    """q(1) for p(x) = (x-1)^m q(x): the product of (1 - r) over the other roots."""
    return sp.Mul(*[1 - r for r in MULTIPLE[m][m:]])


@functools.lru_cache(maxsize=None)
def perturbation(m, route="route", dps=60):
    """(eps, the m roots near 1) when e4 moves by +eps, by the article's route or mpmath.polyroots."""
    es = _e(MULTIPLE[m], dps)
    out = []
    for eps in EPSILONS:
        with mp.workdps(dps + 10):                       # e4 + eps must not round at 15 digits
            e4_eps = es[3] + eps
        if route == "route":
            roots = nv.quartic_roots(es[0], es[1], es[2], e4_eps, dps=dps)
        else:
            roots = nv.reference_roots(nv.vieta_coeffs(es[0], es[1], es[2], e4_eps), dps)[0]
        out.append((eps, sorted(roots, key=lambda r: abs(r - 1))[:m]))
    return out


def _slope(pairs):
    xs = np.log10([float(e) for e, _ in pairs])
    ys = np.log10([float(max(abs(r - 1) for r in near)) for _, near in pairs])
    (k, _), cov = np.polyfit(xs, ys, 1, cov=True)
    return float(k), float(np.sqrt(cov[0, 0]))


def _leading(m, route):
    """max over the m near roots of |delta^m q(1)/(-eps) - 1| at the smallest eps: p + eps = 0 gives
    delta^m q(1 + delta) = -eps, so delta^m = -eps/q(1) up to a relative O(delta)."""
    eps, near = perturbation(m, route)[-1]
    q1 = mp.mpf(_q1(m))
    with mp.workdps(60):
        return max(abs((r - 1)**m * q1 / (-eps) - 1) for r in near), (eps / abs(q1))**(mp.mpf(1)/m)


@claim("P-mult", r"near an $m$-fold root a perturbation $+\varepsilon$ of $e_4$ moves the roots by $\delta$ with $\delta^m=-\varepsilon/q(1)$, $p=(x-1)^mq$, to leading order, in both routes: log-log slopes $1/2, 1/3, 1/4$ over $\varepsilon=10^{-8}..10^{-24}$",
       tag="asymptotic")
def P_mult():
    out = []
    for m in MULTIPLE:
        for route in ROUTES:
            k, se = _slope(perturbation(m, route))
            out.append(agrees(Estimate(k, se, f"log-log slope of |delta| ({route}; a float64 fit of 60-digit "
                                       f"displacements), m = {m}", None, len(EPSILONS)),
                              sp.Rational(1, m), atol=1e-4, label=f"slope, m = {m}, {route}"))
            dev, delta = _leading(m, route)
            out.append(agrees(Estimate(dev, 0, f"|delta^m q(1)/(-eps) - 1| at eps = 1e-24 ({route})", 60, m),
                              0, atol=2 * delta, scale=1, label=f"leading term, m = {m}, {route}"))
    return out


# --- report sections --------------------------------------------------------------------------

def _n(v, k=10):
    """A number for a table: real as mp.nstr, complex as 'a + bi' (never Python's '(a+bj)')."""
    if isinstance(v, str):
        return v
    v = mp.mpmathify(v)
    if isinstance(v, mp.mpf) or abs(v.imag) < mp.mpf(10)**-40 * abs(v):      # a rounding residue
        return mp.nstr(mp.re(v), k)
    im_ = f"{mp.nstr(abs(v.imag), k)}i"
    if abs(v.real) < mp.mpf(10)**-40 * abs(v):
        return ("-" if v.imag < 0 else "") + im_
    return f"{mp.nstr(v.real, k)} {'-' if v.imag < 0 else '+'} {im_}"


def _roots_text(rs, k=8):
    return ", ".join(_n(r, k) for r in rs)


def _typo_residuals():
    e2p = (z1 + z3 + 4*x1*x3).subs(Z, simultaneous=True).subs(S4, simultaneous=True)
    e2c = (z1 + z3 + 4*y1*y3).subs(Z, simultaneous=True)
    e4p = (y1**2 - y1**2) * (y3**2 - y4**2)                      # z1 z3 with the printed z1
    e4c = (y1**2 - y2**2) * (y3**2 - y4**2)
    return sp.expand(e2p - e2c), sp.expand(e4p - e4c)


@functools.lru_cache(maxsize=None)
def _a8_worst(dps=50):
    return max(m for roots in TEST_QUARTICS.values() for *_, m in branches(roots, dps))


@section("In short", order=-1)
def in_short():
    images, stab, _ = symmetry()
    r2, r4 = _typo_residuals()
    wrong, *_ = w4_study()
    rate = Estimate.from_samples(wrong, "w4 failure rate", W4_SEED)
    route, direct, sep, *_ = accuracy()
    geo = 10**float(np.mean(_log_ratio(route, direct)))
    raw_max = float(np.max(route) / np.max(direct))
    sep_max = float(np.percentile(route * sep, 100) / np.percentile(direct * sep, 100))
    slopes = ", ".join(f"{_slope(perturbation(m))[0]:.4f} for m = {m}" for m in MULTIPLE)
    return (
        "**The article's method is right.** The substitution $x_{1,2}=y_1\\pm y_2$ solves the quadratic; "
        "applied to the quartic twice ($x_{1,2}=y_1\\pm y_2$, $x_{3,4}=y_3\\pm y_4$, then $y_{1,3}=w_1\\pm w_2$, "
        "$z_{1,3}=w_3\\pm w_4$) and followed by the elimination S7, it leaves a cubic in $u=w_2^2$. Every step is "
        "proved symbolically (claims A1-A6), and the cubic is Euler's resolvent: in $t=16u$ its roots are "
        "$s_j^2$, the squared differences of pair sums of the roots. It is a cubic because $s_1^2$ takes "
        f"exactly {len(images)} values under the 24 permutations of the roots (its stabiliser has "
        f"{len(stab)} elements, A7).\n\n"
        "**Two typos, no error of substance.** The article prints $4x_1x_3$ for $4y_1y_3$ (the printed "
        f"equation is off by ${sp.latex(r2)}$) and $z_1=y_1^2-y_1^2$ for $y_1^2-y_2^2$ (which makes "
        f"$z_1z_3=d$ off by ${sp.latex(r4)}$).\n\n"
        "**Where the article stops.** It ends at the cubic and does not say how to get the roots back. "
        "That step is added here and proved (A8): any nonzero resolvent root and any of the "
        "$3\\times2\\times2\\times2=24$ branch choices give the roots; on three generic quartics all 24 choices "
        f"agree with `mpmath.polyroots` to {mp.nstr(_a8_worst(), 2)} at 50 digits. Two conditions are needed. "
        "The resolvent root must be nonzero (for roots 1, 2, 3, 4 one root is 0 and S7 divides by zero; "
        "take the root of largest modulus). And $w_4$ must come from S7's linear formula: the tempting "
        "independent root $w_4=+\\sqrt{w_3^2-d}$ gives wrong roots for exactly half of all quartics "
        f"(measured {rate.value:.4f} ± {rate.error:.4f} over {rate.n} random quartics, and exactly $\\frac12$ by the "
        "symmetry $x\\to-x$).\n\n"
        "**Numerically** (not in the article): in float64 the route is about as accurate as `numpy.roots`. "
        f"Per quartic its error is on average {geo:.2f} times as large. Its worst error of {A9_COUNT} is "
        f"{raw_max:.1f} times numpy's worst, but once errors are scaled by the root separation the worst "
        f"cases agree within a factor {max(sep_max, 1/sep_max):.2f}: the bad cases are close roots. Near an "
        "$m$-fold root both routes lose accuracy like $\\varepsilon^{1/m}$ (fitted slopes "
        f"{slopes}).\n\n"
        "**The cubic** (an extension): the $\\mathbb Z_3$ analogue $x_k=y_0+\\omega^ky_1+\\omega^{-k}y_2$ "
        "solves it (E1-E3), provided the cube roots are tied by $y_2=P/y_1$. With three real roots the "
        "intermediate $T$ is non-real (casus irreducibilis).")


@section("The article's two typos", order=1)
def typo_table():
    r2, r4 = _typo_residuals()
    rows = ["| equation | as printed | as meant | printed minus meant (after S4) |", "|---|---|---|---|",
            rf"| S5, second | $z_1+z_3+4x_1x_3=b$ | $z_1+z_3+4y_1y_3=b$ | ${sp.latex(r2)}$ |",
            rf"| definition of $z_1$ | $z_1=y_1^2-y_1^2$ | $z_1=y_1^2-y_2^2$ | ${sp.latex(r4)}$ (in $z_1z_3=d$) |"]
    return "Both are REFUTED above (claims `typo-4x1x3`, `typo-z1`); the checker encodes the corrected equations.\n\n" + "\n".join(rows)


REPORT_QUARTICS = dict(TEST_QUARTICS, **{"vanishing resolvent root {1,2,3,4}": (1, 2, 3, 4),
                                         "4-fold root (x-1)^4": (1, 1, 1, 1)})


def _sj_squared(roots, dps):
    rr = [_num(r, dps) for r in roots]
    with mp.workdps(dps):
        return sorted([(rr[0] + rr[k] - sum(rr[j] for j in range(1, 4) if j != k))**2 for k in (1, 2, 3)],
                      key=lambda v: (float(mp.re(v)), float(mp.im(v))))


def _label(roots):
    return ", ".join(f"${sp.latex(sp.sympify(r))}$" for r in roots)


@section("Roots of the test quartics (50 digits)", order=2)
def roots_table():
    dps = 50
    rows = ["| quartic (roots) | $t_j=16u_j$ (route) | $s_j^2$ (from the known roots) | route roots | `mpmath.polyroots` | reference path | max mismatch |",
            "|---|---|---|---|---|---|---|"]
    for name, roots in REPORT_QUARTICS.items():
        es = _e(roots, dps)
        ts = [16*u_ for u_ in nv.resolvent_roots(*es, dps=dps)]
        ref, path = nv.reference_roots(nv.vieta_coeffs(*es), dps)
        found = nv.quartic_roots(*es, dps=dps)
        rows.append(f"| {name} ({_label(roots)}) | {_roots_text(ts, 6)} | {_roots_text(_sj_squared(roots, dps), 6)} | "
                    f"{_roots_text(found)} | {_roots_text(ref)} | {path} | {mp.nstr(nv.mismatch(found, ref), 3)} |")
    cub = ["| cubic (roots) | $T$ (larger root of $T^2-ST+P^3$) | route roots | `mpmath.polyroots` | max mismatch |",
           "|---|---|---|---|---|"]
    for name, roots in {"three real roots {1,2,3} (casus irreducibilis)": (1, 2, 3),
                        "one real root {2, 1±i}": (2, 1 + 1j, 1 - 1j),
                        "complex coefficients {i, -1, 2-i}": (1j, -1, 2 - 1j)}.items():
        with mp.workdps(dps + 10):
            ea, eb, ec_ = nv.elementary([mp.mpmathify(r) for r in roots])
            P, S = (ea**2 - 3*eb)/9, ec_ + 2*ea**3/27 - ea*eb/3
            T = max((S + mp.sqrt(S*S - 4*P**3))/2, (S - mp.sqrt(S*S - 4*P**3))/2, key=abs)
        found = nv.cubic_roots(ea, eb, ec_, dps=dps)
        ref, _ = nv.reference_roots(nv.vieta_coeffs(ea, eb, ec_), dps)
        cub.append(f"| {name} | {_n(T, 8)} | {_roots_text(found)} | {_roots_text(ref)} | "
                   f"{mp.nstr(nv.mismatch(found, ref), 3)} |")
    return ("$s_j$ are the pair-sum differences of the known roots. The route picks "
            "$u=\\arg\\max_j|u_j|$. Mismatches of order $10^{-50}$ are the working precision.\n\n"
            + "\n".join(rows) + "\n\n**Extension E, cubics.** With three "
            "real roots, $T$ is non-real: the real roots are reached through complex numbers.\n\n"
            + "\n".join(cub))


@section(f"All 24 branch choices (A8) for the quartic with roots "
         f"{', '.join(str(sp.sympify(r)) for r in TEST_QUARTICS['four real roots'])}", order=3)
def branch_table():
    roots = TEST_QUARTICS["four real roots"]
    us = nv.resolvent_roots(*_e(roots, 50), dps=50)
    rows = ["| resolvent root $u_j$ | sign of $w_2$ | sign of $y_2$ | sign of $y_4$ | mismatch vs `polyroots` |",
            "|---|---|---|---|---|"]
    for j, s, sy2, sy4, m in branches(roots, 50):
        rows.append(f"| $u_{j}$ = {_n(us[j], 6)} | {s:+d} | {sy2:+d} | {sy4:+d} | {mp.nstr(m, 3)} |")
    worst = max(m for *_, m in branches(roots, 50))
    return (f"At 50 digits. Every branch goes through S7 (no $u_j$ is near 0); the worst mismatch, "
            f"{mp.nstr(worst, 3)}, is the working precision, against the tolerance $10^{{-40}}$ of claim "
            "`A8-num`.\n\n" + "\n".join(rows))


@section("Why a cubic (A7): the orbit of $s_1^2$ and its stabiliser", order=4)
def symmetry_table():
    images, stab, _ = symmetry()
    orbit = ", ".join(f"${sp.latex(sp.factor(i))}$" for i in sorted(images, key=str))
    stab_text = ", ".join("(" + " ".join(str(i + 1) for i in p) + ")" for p in stab)
    return (f"Orbit of $s_1^2$ under the 24 permutations of the roots ({len(images)} elements): {orbit}.\n\n"
            f"Stabiliser ({len(stab)} permutations, one-line notation): {stab_text}; it equals the dihedral "
            "group generated by (12), (34), (13)(24), which preserves the pairing {{1,2},{3,4}}.")


@section("Accuracy in float64 (A9)", order=5)
def accuracy_section():
    import matplotlib.pyplot as plt
    route, direct, sep, *_ = accuracy()
    rows = ["| quantile | route | `numpy.roots` | ratio | route, error x separation | `numpy.roots`, error x separation | ratio |",
            "|---|---|---|---|---|---|---|"]
    for q in QUANTILES:
        r, d_ = np.percentile(route, q), np.percentile(direct, q)
        rs, ds = np.percentile(route * sep, q), np.percentile(direct * sep, q)
        rows.append(f"| {q}% | {r:.3e} | {d_:.3e} | {r / d_:.2f} | {rs:.3e} | {ds:.3e} | {rs / ds:.2f} |")
    lr = Estimate.from_samples(_log_ratio(route, direct), "log ratio", A9_SEED)
    worst = np.argsort(route)[-200:]
    share = float(np.mean(sep[worst] < np.median(sep)))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for data, name in ((route, "route (resolvent by numpy.roots)"), (direct, "numpy.roots")):
        xs = np.sort(np.maximum(data, UNIT))
        ax.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", label=name)
    ax.set(xscale="log", xlabel="error relative to max(1,|x|) (floored at the unit roundoff)",
           ylabel="empirical CDF", title=f"{A9_COUNT} random quartics, seed {A9_SEED}")
    ax.legend()
    fig2, ax2 = plt.subplots(figsize=(7, 4.5))
    ax2.loglog(sep, np.maximum(route, UNIT), ".", ms=1, alpha=0.4, label="route")
    ax2.loglog(sep, np.maximum(direct, UNIT), ".", ms=1, alpha=0.4, label="numpy.roots")
    ax2.set(xlabel="minimal root separation", ylabel="error (floored at the unit roundoff)",
            title="error against root separation")
    ax2.legend(markerscale=8)
    text = ("Protocol: half the quartics have four real N(0,1) roots, half two "
            "complex-conjugate pairs; errors after greedy nearest-root matching, relative to "
            f"max(1,|x|), floored at the unit roundoff {UNIT:.2e}.\n\n" + "\n".join(rows) +
            f"\n\nPer quartic, the mean of $\\log_{{10}}$(route error / `numpy.roots` error) is "
            f"{lr.value:.4f} ± {lr.error:.4f}: the route is {10**lr.value:.2f} times less accurate on geometric "
            f"average (claim `A9` allows a factor {FACTOR}). The raw maximum is {np.max(route) / np.max(direct):.1f} "
            "times numpy's, but after scaling by the minimal root separation the quantiles agree. "
            f"Of the 200 worst route errors, {share:.0%} come from quartics whose minimal root "
            "separation is below the median: the worst cases are close roots.")
    return text, (("a9_ecdf.png", fig), ("a9_separation.png", fig2))


def _multiple_roots_figure():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    eps = np.array([float(e) for e in EPSILONS])
    for m, colour in zip(MULTIPLE, ("C0", "C1", "C2")):
        slopes = []
        for route, style in zip(ROUTES, ("o", "x")):
            pts = perturbation(m, route)
            slopes.append(_slope(pts)[0])
            ax.loglog(eps, [float(max(abs(r - 1) for r in nr)) for _, nr in pts], style, color=colour,
                      ms=7 if style == "o" else 9, mfc="none" if style == "o" else None,
                      label=f"m = {m}: slopes {slopes[0]:.4f} (route), {slopes[1]:.4f} (polyroots)"
                      if route == ROUTES[1] else None)
        ax.loglog(eps, (eps / abs(float(_q1(m)))) ** (1 / m), "-", color=colour, lw=0.8,
                  label="(eps/|q(1)|)^(1/m), leading order" if m == 2 else None)
    ax.set(xlabel="perturbation eps of e4", ylabel="displacement of the m-fold root", ylim=(1e-14, 1e2),
           title="roots move like eps^(1/m) (60 digits; circles: route, crosses: polyroots)")
    ax.legend(fontsize=8, loc="upper left")
    return fig


@section("Pitfalls, with numbers", order=6)
def pitfalls():
    import matplotlib.pyplot as plt
    dps = 50
    out = []
    es = _e((1, 2, 3, 4), dps)
    us = nv.resolvent_roots(*es, dps=dps)
    with mp.workdps(dps):
        A_ = es[0]*es[1]/2 - es[2] - es[0]**3/8
    out.append(f"- **Choosing $u=0$.** Roots {{1,2,3,4}}: resolvent roots $u_j$ = {_roots_text(us, 6)}. "
               f"With $u=0$, S7 computes $w_4=A/(4w_2)+2w_1w_2$ with $A$ = {mp.nstr(A_, 6)} and $w_2=0$: "
               "a division by zero. The route takes $u=\\arg\\max_j|u_j|$, which is zero only for a "
               "4-fold root, where $A=0$ too.")
    wrong, s7_wrong, _ = w4_study()
    rate = Estimate.from_samples(wrong, "failure rate", W4_SEED)
    out.append(f"- **$w_4$ by its own square root.** Over {W4_COUNT} random quartics with four real N(0,1) "
               f"roots (seed {W4_SEED}, float64), the principal $w_4=+\\sqrt{{w_3^2-d}}$ gives wrong roots in "
               f"{int(np.sum(wrong))} cases: a rate of {rate.value:.4f} ± {rate.error:.4f} (standard error), "
               "exactly where S7's $w_4$ is negative. The exact rate is $\\frac12$: $x\\to-x$ keeps $u$ and "
               "$w_2=+\\sqrt u$ but flips $w_4$ (claim `P-w4-sym`), so the principal root is wrong for exactly one "
               f"of $x$ and $-x$. S7's linear formula fails in {int(np.sum(s7_wrong))} cases. Claim `P-w4` shows a "
               "counterexample.")
    chopped = chopped_parts(dps)
    out.append(f"- **Complex intermediates.** For 50 random quartics with four real roots, the largest "
               f"imaginary part left on a real resolvent root or real root (before chopping, relative to "
               f"max(1,|x|)) is {mp.nstr(chopped, 3)}, against a working precision of $10^{{-{dps}}}$.")
    _, path = nv.reference_roots([1, -4, 6, -4, 1], dps)
    out.append(f"- **`mpmath.polyroots` on $(x-1)^4$:** {path}. The route itself handles the 4-fold "
               "root exactly (all $u_j=0$, $A=0$, $w_4=\\pm\\sqrt{w_3^2-d}$).")
    fits = [f"m={m}, {route}: {k:.4f} ± {se:.1e}" for m in MULTIPLE for route in ROUTES
            for k, se in (_slope(perturbation(m, route)),)]
    lead = [f"m={m}: {mp.nstr(_leading(m, 'route')[0], 2)} (route), {mp.nstr(_leading(m, ROUTES[1])[0], 2)} "
            f"(polyroots)" for m in MULTIPLE]
    out.append("- **Near-multiple roots** lose accuracy like $\\varepsilon^{1/m}$ in both routes: fitted slopes "
               + "; ".join(fits) + " (1/m = 0.5, 0.3333, 0.25). The displacement $\\delta$ obeys "
               "$\\delta^m=-\\varepsilon/q(1)$ with $p=(x-1)^mq$: at $\\varepsilon=10^{-24}$, "
               "$|\\delta^mq(1)/(-\\varepsilon)-1|$ = " + "; ".join(lead) + " (claim `P-mult`).")
    out.append("- **Sign convention.** The article's $a,b,c,d$ are $e_1..e_4$: $x^4-ax^3+bx^2-cx+d$, so "
               "$p=-a$, $q=b$, $r=-c$, $s=d$ in $x^4+px^3+qx^2+rx+s$; `numerics/vieta.py` takes $e_1..e_4$.")
    fig2, ax2 = plt.subplots(figsize=(7, 4.5))
    ax2.bar(["independent sqrt for w4", "S7 (linear in w2)"], [rate.value, float(np.mean(s7_wrong))],
            yerr=[rate.error, 0], capsize=6)
    ax2.axhline(0.5, color="k", lw=0.8, ls="--", label="exact rate 1/2")
    ax2.set(ylabel="failure rate", ylim=(0, 1), title=f"{W4_COUNT} random real quartics (seed {W4_SEED})")
    ax2.legend()
    return "\n".join(out), (("multiple_roots.png", _multiple_roots_figure()), ("w4_failure_rate.png", fig2))


def chopped_parts(dps):
    """The largest imaginary part the Cardano-type cubic leaves on real resolvent roots and on the
    real roots of the quartic (before chopping), relative to max(1, |x|)."""
    rng = np.random.default_rng(13)
    worst = mp.mpf(0)
    for _ in range(50):
        es = nv.elementary([mp.mpf(float(v)) for v in rng.standard_normal(4)])
        us = nv.resolvent_roots(*es, dps=dps, chop=False)
        found = nv.quartic_branch(*es, max(us, key=abs), dps=dps)
        worst = max([worst] + [abs(mp.im(r)) / max(1, abs(r)) for r in list(us) + found])
    return worst
