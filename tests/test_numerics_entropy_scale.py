"""The entropy engines against closed forms (dps 15, 30, 100), mpmath references and invariants."""
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics import entropy_scale as ne


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_two_point_entropy_is_the_binary_entropy(dps):
    with mp.workdps(dps):
        lam = mp.mpf(3) / 7
        p = 1 / (1 + mp.exp(-lam))
        h2 = -p * mp.log(p) - (1 - p) * mp.log(1 - p)
        assert abs(ne.softmax_entropy([0, 1], lam, dps=dps) - h2) < mp.mpf(10) ** -(dps - 3)


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_equal_scores_give_log_n(dps):
    with mp.workdps(dps):
        assert abs(ne.softmax_entropy([2] * 7, 5, dps=dps) - mp.log(7)) < mp.mpf(10) ** -(dps - 3)


def test_float64_matches_mpmath_and_stays_finite_at_extremes():
    rng = np.random.default_rng(0)
    for n, lam in ((5, 0.3), (300, 7.0), (4096, 40.0)):
        s = rng.standard_normal(n)
        ref = ne.softmax_entropy(list(map(mp.mpf, s)), lam, dps=30)
        assert abs(float(ne.softmax_entropy(s, lam)) - float(ref)) < 1e-12 * max(1, float(ref))
    big = rng.standard_normal(2**20)
    for lam in (0.0, 1e-3, 1e4, 1e8):
        h = float(ne.softmax_entropy(big, lam))
        assert 0 <= h <= math.log(big.size) + 1e-9


def test_vectorised_over_lambda():
    s = np.arange(5.0)
    lams = np.array([0.0, 1.0, 2.0])
    rows = ne.softmax_entropy(np.broadcast_to(s, (3, 5)), lams)
    assert np.allclose(rows, [float(ne.softmax_entropy(s, l)) for l in lams], rtol=0, atol=1e-15)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="finite"):
        ne.softmax_entropy([0.0, float("nan")], 1.0)
    with pytest.raises(ValueError, match="non-empty"):
        ne.softmax_entropy([], 1.0)
    with pytest.raises(ValueError, match="no lam > 0"):
        ne.invariant_lambda([0, 1, 2], math.log(3))
    with pytest.raises(ValueError, match="tied maxima"):
        ne.invariant_lambda([1, 1, 0], 0.1)


def test_invariant_lambda_hits_the_target_at_30_digits():
    s = ne.gaussian_scores(1000)
    lam = ne.invariant_lambda(s, 2.0, dps=30)
    with mp.workdps(30):
        assert abs(ne.softmax_entropy(list(map(mp.mpf, s)), lam, dps=30) - 2) < mp.mpf(10) ** -25
    assert abs(ne.invariant_lambda(s, 2.0, dps=None) - float(lam)) < 1e-9 * float(lam)


def test_spike_closed_form_against_the_vector():
    n, lam = 1000, 4.5
    s = np.r_[1.0, np.zeros(n - 1)]
    assert abs(float(ne.spike_entropy(lam, n)) - float(ne.softmax_entropy(s, lam))) < 1e-12


def test_sphere_quadrature_two_routes():
    for lam, d in ((0.125, 64), (1, 32), (4, 512)):
        assert abs(ne.sphere_h_f64(lam, d) - float(ne.sphere_h(lam, d, 20).value)) < 1e-9 * d


def test_phi_and_pd_limit_closed_forms():
    assert abs(ne.phi(1) + mp.log((1 + mp.sqrt(5)) / 2) / 2) < mp.mpf(10) ** -14
    assert abs(ne.pd_entropy_limit(2) - 2 * mp.log(2)) < mp.mpf(10) ** -14


def test_local_exponent_of_an_exact_power():
    ns = np.array([2.0**k for k in range(6, 21)])
    eps = ne.local_exponents(ns, np.log(ns) ** 0.5)
    assert np.allclose(eps, 0.5, atol=1e-12)


scores = st.lists(st.floats(-10, 10, allow_nan=False), min_size=2, max_size=64)
lams = st.floats(1e-6, 20)


@given(scores, lams)
def test_sandwich_and_range(s, lam):
    s = np.array(s)
    h = float(ne.softmax_entropy(s, lam))
    h_fast = math.log(s.size) - lam * (s.max() - s.mean())
    assert max(0.0, h_fast) - 1e-12 <= h <= math.log(s.size) + 1e-12


@given(scores, lams, st.floats(1e-3, 5))
def test_entropy_does_not_increase_in_lambda(s, lam, step):
    s = np.array(s)
    assert ne.softmax_entropy(s, lam + step) <= ne.softmax_entropy(s, lam) + 1e-12


def test_annealed_root_two_routes():
    a64 = ne.annealed_lambda(2**12, 1.0, 64)
    amp = ne.annealed_lambda(2**12, 1.0, 64, dps=15)
    assert abs(a64 - float(amp)) < 1e-9 * a64


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_entropy_by_definition_matches_log_sum_exp(dps):
    s, lam = [0.5, -1.25, 2.0, 3.0, 3.0], mp.mpf(7) / 3
    with mp.workdps(dps + 5):
        assert abs(ne.entropy_by_definition(s, lam, dps) - ne.entropies_mp(s, [lam], dps)[0]) < mp.mpf(10) ** -(dps - 2)


def test_rem_entropy_mean_n2_against_quadrature():
    """n = 2: H = h2(sigmoid(lam (z1 - z2))) with z1 - z2 ~ N(0, 2), by a direct 1-D quadrature."""
    from scipy.integrate import quad
    lam = 2.0 * math.sqrt(2 * math.log(2))
    def h(w):
        p = 1 / (1 + math.exp(min(-lam * w, 700.0)))
        return -sum(q * math.log(q) for q in (p, 1 - p) if q > 0)
    ref = quad(lambda w: h(w) * math.exp(-w * w / 4) / math.sqrt(4 * math.pi), -np.inf, np.inf)[0]
    assert abs(ne.rem_entropy_mean(2, 2.0) - ref) < 1e-8


def test_rem_entropy_mean_against_monte_carlo():
    e = ne.rem_entropy_mc(1000, 2.0, 2000, 3)
    assert abs(e.value - ne.rem_entropy_mean(1000, 2.0)) < 4 * e.error


def test_pd_sticks_never_round_to_one():
    """Beta(0.75, 0.25) draws round to 1.0 in float64 now and then; the gamma route keeps them finite."""
    e = ne.pd_entropy_mc(0.25, 20_000, 8823, sticks=50)
    assert math.isfinite(e.value) and math.isfinite(e.error)


@pytest.mark.parametrize("d", [16, 64])
def test_sphere_scores_have_the_moments_of_a_random_direction(d):
    """t = cos(angle) to a uniform direction in R^d: E t = 0, E t^2 = 1/d, E t^4 = 3/(d(d+2))."""
    t = ne.sphere_scores(4096, d)
    assert abs(t.mean()) < 1e-12
    assert abs((t**2).mean() * d - 1) < 1e-3
    assert abs((t**4).mean() * d * (d + 2) / 3 - 1) < 3e-3


def test_rem_entropy_mean_is_converged_in_the_gauss_legendre_order():
    for n in (100, 10**6):
        assert abs(ne.rem_entropy_mean(n, 2.0, order=96) - ne.rem_entropy_mean(n, 2.0, order=160)) < 1e-11


def test_rem_entropy_mc_blocks_draw_the_same_stream_as_single_rows():
    a, b = ne.rem_entropy_mc(50, 2.0, 30, 5, chunk=7), ne.rem_entropy_mc(50, 2.0, 30, 5, chunk=30)
    rng = np.random.default_rng(5)
    rows = [float(ne.softmax_entropy(rng.standard_normal(50), 2.0 * math.sqrt(2 * math.log(50)))) for _ in range(30)]
    assert a.value == b.value and abs(a.value - sum(rows) / 30) < 1e-14
