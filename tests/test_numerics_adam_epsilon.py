"""The Adam-epsilon engines against known values (dps 15, 30, 100) and a second route (quadrature)."""
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numerics import adam_epsilon as ne


def rel(x, y):
    return abs(x - y) / max(abs(y), mp.mpf(10) ** -300)


def tol(dps):
    return mp.mpf(10) ** -(dps - 5)


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_known_values(dps):
    with mp.workdps(dps + 20):
        # a = 0 slope and value; b -> 0 is erf(a/sqrt 2); b = a gives the clip kink at z = 0
        s1 = mp.erf(1 / mp.sqrt(2))
        assert rel(ne.adam_eps_clip_slope(1, dps), s1) < tol(dps)
        assert ne.adam_eps_clip_mean(0, 3, dps) == 0
        # m1(a, b) for b >> 1 is a/b up to e^{-b^2/2}-small terms: at b = 40, a = 1 exactly 1/40 to 300 digits
        assert rel(ne.adam_eps_clip_mean(1, 40, dps), mp.mpf(1) / 40) < tol(dps)
        # m2(0, b) = 1 - dPhi + (dPhi - 2 b phi(b))/b^2 with dPhi = erf(b/sqrt 2); at b = 1:
        d = mp.erf(1 / mp.sqrt(2))
        assert rel(ne.clip_moment2(0, 1, dps), 1 - d + d - 2 * mp.npdf(1)) < tol(dps)


POINTS = [(0.7, 1.3), (-2.1, 0.4), (3, 0.05), (0.2, 8), ("50", "0.5"), (-8, "1e-3")]


@pytest.mark.parametrize("a,b,dps", [(a, b, d) for a, b in POINTS for d in (15, 30)] + [(0.7, 1.3, 100), ("50", "0.5", 100)])
def test_closed_forms_match_quadrature(a, b, dps):
    q1, e1 = ne.clip_moment_quad(a, b, 1, dps)
    q2, e2 = ne.clip_moment_quad(a, b, 2, dps)
    with mp.workdps(dps + 5):
        assert rel(ne.adam_eps_clip_mean(a, b, dps), q1) < tol(dps)
        assert rel(ne.clip_moment2(a, b, dps), q2) < tol(dps)


@pytest.mark.parametrize("a,b", [("1e-20", 1), ("1e-12", "1e-6"), ("1e-8", "1e6"), (50, "1e-6"), (-50, "1e6"),
                                 ("0.3", "1e-6"), ("0.3", "1e6"), (50, 50)])
def test_accuracy_in_the_cancellation_regimes(a, b):
    """Against the same closed form at 3x the precision (the terms cancel; the guard digits must cover it)."""
    got = ne.adam_eps_clip_mean(a, b, 30)
    with mp.workdps(200):
        A, B = mp.mpf(a), mp.mpf(b)
        ref = ne._m1(abs(A), B) * mp.sign(A)
        assert rel(got, ref) < tol(30)
        assert rel(ne.adam_eps_clip_slope(b, 30), mp.erf(B / mp.sqrt(2)) / B) < tol(30)


def test_fixed_guard_digits_would_fail():
    """The pitfall: at a = 1e-20, b = 1 ten fixed guard digits (dps 40 + 10) lose about 20 digits."""
    with mp.workdps(50):
        naive = ne._m1(mp.mpf("1e-20"), mp.mpf(1))
    with mp.workdps(120):
        exact = ne._m1(mp.mpf("1e-20"), mp.mpf(1))
        assert rel(naive, exact) > mp.mpf(10) ** -35
        assert rel(ne.adam_eps_clip_mean("1e-20", 1, 40), exact) < tol(40)


@settings(max_examples=8, deadline=None, derandomize=True, database=None)
@given(st.floats(-8, 8), st.floats(-3, 1.3))
def test_mean_matches_quadrature_on_random_points(a, lb):
    b = 10 ** lb
    q, _ = ne.clip_moment_quad(a, b, 1, 30)
    assert abs(ne.adam_eps_clip_mean(a, b, 30) - q) <= tol(30) * max(abs(q), mp.mpf(10) ** -20)


def test_inputs_are_read_exactly_and_checked():
    x = ne.adam_eps_clip_mean(Fraction(7, 10), Fraction(13, 10))
    assert x == ne.adam_eps_clip_mean("0.7", "1.3") == ne.adam_eps_clip_mean(0.7, 1.3)
    with mp.workdps(30):
        assert ne.adam_eps_clip_mean(-0.7, 1.3) == -x
    for bad, match in [(dict(b=0), "b=0.0 must be > 0"), (dict(b=-1), "must be > 0"),
                       (dict(b=float("inf")), "not finite"), (dict(a=float("nan")), "not finite"),
                       (dict(dps=14), "dps=14"), (dict(dps=30.0), "dps=30.0"), (dict(a=[1]), "give an int")]:
        kw = dict(a=1, b=1) | bad
        with pytest.raises(ValueError, match=match):
            ne.adam_eps_clip_mean(kw["a"], kw["b"], kw.get("dps", 30))
    with pytest.raises(ValueError, match="b=0.0"):
        ne.adam_eps_clip_slope(0)
    with pytest.raises(ValueError, match="power=3"):
        ne.clip_moment_quad(1, 1, 3)


def test_precision_is_restored():
    mp.mp.dps = 15
    ne.adam_eps_clip_mean(0.3, 1e-6, 60)
    ne.softsign_moments_quad(0.3, 2, 30)
    assert mp.mp.dps == 15


def test_float64_grid_matches_tanh_sinh():
    a = np.array([0.0, 0.7, 3.0, 20.0])
    for b in (1e-2, 1.3, 40.0):
        got = ne.softsign_mean_grid(a, b)
        got2 = ne.softsign_mean_grid(a, b, power=2)
        for ai, g1, g2 in list(zip(a, got, got2))[1::2]:
            m1, m2 = ne.softsign_moments_quad(float(ai), b, 20)
            assert abs(g1 - float(m1)) < 1e-12 and abs(g2 - float(m2)) < 1e-12


def test_softsign_quadrature_needs_the_break_at_zero():
    """Without z = 0 among the breakpoints a far kink (a = 50) makes tanh-sinh miss the bulk."""
    a, b = mp.mpf(50), mp.mpf("0.5")
    f = lambda z: max(-1, min(1, (a + z) / b)) * mp.npdf(z)
    bad = mp.quad(f, [-mp.inf, -a - b, -a + b, mp.inf])
    good, _ = ne.clip_moment_quad(a, b, 1, 30)
    assert abs(good - ne.adam_eps_clip_mean(a, b)) < 1e-25
    assert abs(bad - good) > 1e-3


def test_monte_carlo_and_ratio_estimator():
    e = ne.clip_mean_mc(0.7, 1.3, 200_000, 3)
    assert abs(e.value - float(ne.adam_eps_clip_mean(0.7, 1.3))) < 4 * e.error and e.n == 200_000
    g, H, s2 = (1.0, -2.0), ((2, 0.5), (0.5, 1)), (4.0, 9.0)
    est = ne.softsign_eta_mc(g, H, s2, 8, 1.0, 200_000, 5)
    exact = ne.eta_exact(ne.softsign_moments_f64(g, s2, 8, 1.0), g, H)
    assert abs(est.value - exact) < 4 * est.error and est.error < 0.01 * exact


def test_meanfield_optimum_reduces_to_sign_sgd():
    """eps = 0: K10 is beta G/(A + beta^2 C) of the previous article."""
    g, H, s2, B = (1.0, -2.0), ((2, 0.5), (0.5, 1)), (4.0, 9.0), 8
    with mp.workdps(30):
        kappa2 = (4 / mp.mpf(1) + 9 / mp.mpf(4)) / 2
        beta = 1 / mp.sqrt(1 + mp.pi * kappa2 / (2 * B))
        prev = beta * 3 / (3 + beta**2 * 2 * (-0.5))
        assert rel(ne.eta_meanfield(g, H, s2, B, 0), prev) < tol(30)
