"""Tests of numerics/perturb_max.py: known values, argument errors, and second routes."""
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from numerics import perturb_max as pm


def _softmax(mu):
    e = [mp.exp(mp.mpf(str(m))) for m in mu]
    return [v / mp.fsum(e) for v in e]


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_gaussian_n2_closed_form(dps):
    # p_1 = Phi(Delta / sqrt 2), since eps_2 - eps_1 ~ N(0, 2)
    p = pm.perturb_max_probs(["0.7", 0], dps=dps)
    with mp.workdps(dps):
        assert abs(p[0] - mp.ncdf(mp.mpf("0.7") / mp.sqrt(2))) < mp.mpf(10) ** (5 - dps)
        assert abs(p[0] + p[1] - 1) < mp.mpf(10) ** (5 - dps)


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_gumbel_is_softmax(dps):
    mu = [1, 0, -1]
    p = pm.perturb_max_probs(mu, noise="gumbel", dps=dps)
    with mp.workdps(dps):
        for a, b in zip(p, _softmax(mu)):
            assert abs(a - b) < mp.mpf(10) ** (5 - dps) * b


def test_two_routes_agree_gaussian_n3():
    a = pm.perturb_max_probs([1, 0, -1], dps=30)
    b = pm.quantile_form_probs([1, 0, -1], dps=30)
    with mp.workdps(30):
        assert max(abs(x - y) for x, y in zip(a, b)) < mp.mpf(10) ** -25


def test_bivariate_normal_route():
    # p_1 = Phi_2(Delta_12/sqrt2, Delta_13/sqrt2; 1/2)
    p = pm.perturb_max_probs([1, 0, -1], dps=30)
    with mp.workdps(35):
        r2 = mp.sqrt(2)
        assert abs(pm.normal_cdf2_half(1 / r2, 2 / r2) - p[0]) < mp.mpf(10) ** -25


def test_ties_give_equal_probabilities():
    p = pm.perturb_max_probs([0.5, 0.5, -1, 2], dps=20)
    assert p[0] == p[1]
    with mp.workdps(20):
        assert abs(mp.fsum(p) - 1) < mp.mpf(10) ** -15


def test_input_types_are_equivalent():
    a = pm.perturb_max_probs([Fraction(1, 2), 0, -1], dps=20)
    b = pm.perturb_max_probs(["0.5", mp.mpf(0), -1.0], dps=20)
    c = pm.perturb_max_probs((0.5, np.int64(0), -1), dps=20)
    assert a == b == c


def test_argmin_is_reflected_argmax_for_gaussian():
    lo = pm.argmin_probs([1, 0, -1], dps=20)
    hi = pm.perturb_max_probs([-1, 0, 1], dps=20)
    with mp.workdps(20):
        assert max(abs(x - y) for x, y in zip(lo, hi)) < mp.mpf(10) ** -15


def test_norm_ppf_lower_against_erfinv_and_deep_tail():
    with mp.workdps(30):
        for s in ("0.5", "0.1", "1e-5"):
            q = mp.mpf(s)
            assert abs(pm.norm_ppf_lower(q) - mp.sqrt(2) * mp.erfinv(2 * q - 1)) < mp.mpf(10) ** -24
        x = pm.norm_ppf_lower(mp.mpf("1e-400"))          # below float64: asymptotic start
        assert abs(mp.ncdf(x) / mp.mpf("1e-400") - 1) < mp.mpf(10) ** -25


def test_quantile_rule_small_K_by_hand():
    # K = 1: the single node t = 1/2, x = 0: p_hat_i = prod_{j != i} Phi(mu_i - mu_j)
    p = pm.perturb_max_quantile_rule([1, 0], 1, dps=20)
    with mp.workdps(20):
        assert abs(p[0] - mp.ncdf(1)) < mp.mpf(10) ** -18
        assert abs(p[1] - mp.ncdf(-1)) < mp.mpf(10) ** -18


def test_quantile_rule_against_direct_sum():
    # the pair-symmetry shortcut against the plain sum with erfinv quantiles
    mu, K = [0.3, -1.2, 2.0], 9
    p = pm.perturb_max_quantile_rule(mu, K, dps=25)
    with mp.workdps(30):
        m = [mp.mpf(str(v)) for v in mu]
        xs = [mp.sqrt(2) * mp.erfinv(2 * mp.mpf(k) / (K + 1) - 1) for k in range(1, K + 1)]
        for i in range(3):
            ref = mp.fsum(mp.fprod(mp.ncdf(m[i] - m[j] + x) for j in range(3) if j != i) for x in xs) / K
            assert abs(p[i] - ref) < mp.mpf(10) ** -22


def test_quantile_rule_n2_sums_to_one_and_gumbel_runs():
    p = pm.perturb_max_quantile_rule([0.7, 0], 50, dps=30)
    with mp.workdps(30):
        assert abs(p[0] + p[1] - 1) < mp.mpf(10) ** -25
    g = pm.perturb_max_quantile_rule([1, 0, -1], 200, noise="gumbel", dps=20)
    assert all(abs(a - b) < 0.01 for a, b in zip(g, _softmax([1, 0, -1])))


def test_monte_carlo_against_quadrature():
    p = pm.perturb_max_probs([1, 0, -1], dps=15)
    w = pm.sample_argmax([1, 0, -1], "gaussian", 200_000, seed=7)
    for i in range(3):
        x = (w == i).astype(float)
        se = x.std(ddof=1) / np.sqrt(x.size)
        assert abs(x.mean() - float(p[i])) < 5 * se


def test_monte_carlo_is_seeded():
    a = pm.sample_argmax([1, 0, -1], "gumbel", 1000, seed=3, chunk=300)
    b = pm.sample_argmax([1, 0, -1], "gumbel", 1000, seed=3, chunk=300)
    assert (a == b).all()


@pytest.mark.parametrize("call, match", [
    (lambda: pm.perturb_max_probs([1]), "mu="),
    (lambda: pm.perturb_max_probs([1, float("inf")]), r"mu\[1\]"),
    (lambda: pm.perturb_max_probs([1, "x"]), r"mu\[1\]"),
    (lambda: pm.perturb_max_probs([1, 0], noise="cauchy"), "noise="),
    (lambda: pm.perturb_max_probs([1, 0], dps=10), "dps=10"),
    (lambda: pm.perturb_max_probs([1, 0], dps=30.0), "dps=30.0"),
    (lambda: pm.perturb_max_quantile_rule([1, 0], 0), "K=0"),
    (lambda: pm.perturb_max_quantile_rule([1, 0], 2.5), "K=2.5"),
    (lambda: pm.perturb_max_quantile_rule([1, 0], 5, noise="x"), "noise="),
    (lambda: pm.perturb_max_quantile_rule([1, 0], 5, dps=14), "dps=14"),
])
def test_argument_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
