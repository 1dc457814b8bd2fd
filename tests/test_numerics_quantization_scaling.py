"""Zipf tails, the Poissonised sum and the Monte Carlo engine against closed forms (dps 15, 30, 100)."""
import math

import mpmath as mp
import numpy as np
import pytest

from numerics import quantization_scaling as nq


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_tail_at_gamma_one_is_pi2_over_6_minus_partial_sum(dps):
    with mp.workdps(dps + 10):
        ref = 1 - mp.fsum(mp.mpf(k) ** -2 for k in range(1, 51)) / (mp.pi**2 / 6)
    with mp.workdps(dps):
        assert abs(nq.tail_fraction(1, 50, dps) - ref) < abs(ref) * mp.mpf(10) ** -(dps - 3)


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_tail_of_nothing_learned_is_one(dps):
    assert nq.tail_fraction(0.4, 0, dps) == 1


def test_tail_at_huge_n_matches_the_asymptotic_expansion():
    with mp.workdps(40):
        g, n = mp.mpf("0.4"), mp.mpf(10) ** 12
        em = n**-g / g - n ** (-g - 1) / 2 + (g + 1) * n ** (-g - 2) / 12
        assert abs(nq.tail_fraction(0.4, 10**12, 30) * mp.zeta(g + 1) / em - 1) < mp.mpf(10) ** -28


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="gamma > 0"):
        nq.tail_fraction(0, 10)
    with pytest.raises(ValueError, match="integer"):
        nq.tail_fraction(0.4, 2.5)
    with pytest.raises(ValueError, match="s = gamma \\+ 1 > 1"):
        nq.simulate_learned_quanta(0.0, 100, 1, 2, 0)
    with pytest.raises(ValueError, match="D >= 0"):
        nq.poisson_loss_fraction(0.4, -1, 1)


def test_poisson_sum_does_not_depend_on_where_the_head_ends():
    a = nq.poisson_loss_fraction(1, 50, 2, dps=30, head=200)
    b = nq.poisson_loss_fraction(1, 50, 2, dps=30, head=1500)
    assert abs(a - b) < abs(a) * mp.mpf(10) ** -27


@pytest.mark.parametrize("D", [10**4, 10**12])
def test_poisson_sum_equals_closed_form_at_large_D(D):
    a, b = nq.poisson_loss_fraction(0.4, D, 3, dps=40), nq.poisson_closed_form(0.4, D, 3, dps=40)
    assert abs(a / b - 1) < mp.mpf(10) ** -30


def test_threshold_is_exact_at_its_edges():
    for D in (10, 1234.5, 10**6, 10**11):
        k = nq.threshold_n(0.4, D, 5)
        with mp.workdps(40):
            Z, s = mp.zeta(mp.mpf("1.4")), mp.mpf("1.4")
            assert k == 0 or mp.mpf(D) * mp.mpf(k) ** -s / Z >= 5
            assert mp.mpf(D) * mp.mpf(k + 1) ** -s / Z < 5


def test_monte_carlo_is_reproducible_and_close_to_the_closed_form():
    a = nq.simulate_learned_quanta(0.4, 20_000, (1, 5), 5, seed=3)[1]
    b = nq.simulate_learned_quanta(0.4, 20_000, 1, 5, seed=3)[1]
    assert a.value == b.value and a.error == b.error
    cf = float(nq.poisson_closed_form(0.4, 20_000, 1))
    assert abs(a.value - cf) < 0.03 * cf


def test_fit_slope_recovers_a_power_law():
    xs = nq.log_integers(10, 10**6, 21)
    slope, se = nq.fit_slope(xs, [3.0 * v**-0.7 for v in xs])
    assert abs(slope + 0.7) < 1e-12 and se < 1e-10


def test_finite_tail_vanishes_at_K():
    assert nq.finite_tail(0.4, 100, 100) == 0
    assert 0 < nq.finite_tail(0.4, 99, 100) < nq.tail_fraction(0.4, 99)


def test_tail_sampler_follows_the_conditional_zipf_law():
    rng = np.random.default_rng(5)
    s, K = 1.4, 1000
    x = nq._zipf_tail(s, K, 400_000, rng)
    assert x.min() >= K + 1 and np.all(x == np.floor(x))
    edges = [K, K + 1, K + 3, K + 10, K + 100, 3000, 10**4, 10**6, np.inf]
    with mp.workdps(30):
        Zt = mp.zeta(s, K + 1)
        p = [float((mp.zeta(s, lo + 1) - (mp.zeta(s, hi + 1) if hi != np.inf else 0)) / Zt)
             for lo, hi in zip(edges[:-1], edges[1:])]
    obs = np.array([((x > lo) & (x <= hi)).sum() for lo, hi in zip(edges[:-1], edges[1:])])
    expected = np.array(p) * x.size
    chi2 = float(((obs - expected) ** 2 / expected).sum())
    assert chi2 < 24.3                     # chi-square, 7 degrees of freedom: P(exceed) = 0.001


@pytest.mark.parametrize("D", [1000, pytest.param(30_000, marks=pytest.mark.slow)])
def test_multinomial_counts_match_numpys_sampler_in_law(D):
    a = nq.simulate_learned_quanta(0.4, D, (1, 5), 100, seed=11)
    b = nq.simulate_learned_quanta(0.4, D, (1, 5), 100, seed=12, method="zipf")
    for t in (1, 5):
        z = (a[t].value - b[t].value) / math.hypot(a[t].error, b[t].error)
        assert abs(z) < 3.5, (t, a[t], b[t])
    ranks, counts = nq.zipf_counts(1.4, D, np.random.default_rng(0))
    assert counts.sum() == D and np.unique(ranks).size == ranks.size


@pytest.mark.parametrize("s, K, seed", [(1.4, 1000, 1), (1.4, 10, 2), (2.5, 5, 3)])
def test_tail_sampler_accepts_at_the_exact_rate_below_one(s, K, seed):
    # P(accept) = sum_k cell_k/total * k^-s/cell_k = (s-1) K^(s-1) zeta(s, K+1) < 1; a sign error in the
    # cell integral makes every proposal pass (rate 1), which the chi-square test above cannot see
    k, ok = nq.tail_proposals(s, K, 2_000_000, np.random.default_rng(seed))
    with mp.workdps(30):
        exact = float((mp.mpf(s) - 1) * mp.mpf(K) ** (mp.mpf(s) - 1) * mp.zeta(s, K + 1))
    rate = ok.mean()
    se = math.sqrt(exact * (1 - exact) / ok.size)
    assert rate < 1 and abs(rate - exact) < 4 * se, (rate, exact, se)
    assert k.min() >= K + 1


def test_tail_sampler_checks_its_arguments():
    with pytest.raises(ValueError, match="s > 1 and K >= 1"):
        nq.tail_proposals(1.0, 10, 5, np.random.default_rng(0))
