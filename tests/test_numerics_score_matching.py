"""The score-matching engines: csm_sm_gap against the Gaussian closed form (dps 15, 30, 100),
input validation, the log-space score, exact moments."""
from fractions import Fraction as F

import mpmath as mp
import numpy as np
import pytest

from numerics import score_matching as ns


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_gaussian_prior_closed_form(dps):
    got = ns.csm_sm_gap([1], ["0.3"], [F(1, 4)], "0.8", "0.6", dps=dps)
    with mp.workdps(dps + 5):
        a, b, s2 = mp.mpf("0.8"), mp.mpf("0.6"), mp.mpf(1) / 4
        ref = 1 / b**2 - 1 / (a**2 * s2 + b**2)
        assert abs(got - ref) <= mp.mpf(10) ** -(dps - 5) * max(abs(ref), 1 / b**2)


def test_dirac_prior_gives_zero_and_precision_is_restored():
    mp.mp.dps = 15
    assert abs(ns.csm_sm_gap([1], [2], [0], 1, 0.5, dps=30)) < mp.mpf(10) ** -25
    assert mp.mp.dps == 15


def test_floats_are_read_as_decimals():
    m = ns.mixture([0.3, 0.7], [-2, 1.5], [0.25, 1], 0.8, 0.6)
    with mp.workdps(40):
        assert m.w[0] == mp.mpf(3) / 10 or abs(m.w[0] - mp.mpf("0.3")) < mp.mpf(10) ** -14


@pytest.mark.parametrize("args, match", [
    (([0.5, 0.6], [0, 1], [1, 1], 1, 1), "weights=.*sum to"),
    (([1.2, -0.2], [0, 1], [1, 1], 1, 1), "weights=.* >= 0"),
    (([1], [0], [-1], 1, 1), "variances="),
    (([1], [0], [1], 0, 1), "a=0"),
    (([1], [0], [1], 1, 0), "b=0"),
    (([1], [float("nan")], [1], 1, 1), "means\\[0\\]"),
    (([1, 0], [0], [1], 1, 1), "equal length"),
])
def test_bad_input_names_the_argument(args, match):
    with pytest.raises(ValueError, match=match):
        ns.csm_sm_gap(*args)


def test_dps_must_be_an_int_of_at_least_15():
    with pytest.raises(ValueError, match="dps"):
        ns.csm_sm_gap([1], [0], [1], 1, 1, dps=10)


def test_score_is_the_derivative_of_the_log_density():
    with mp.workdps(30):
        m = ns.mixture([0.3, 0.7], [-2, 1.5], [0.25, 1], 0.8, 0.6)
        for x in (mp.mpf(-3), mp.mpf("0.5"), mp.mpf(4)):
            fd = mp.diff(lambda z: mp.log(ns.density(m, z)), x)
            assert abs(ns.score(m, x) - fd) < mp.mpf(10) ** -20


def test_float64_score_is_finite_where_the_naive_one_fails():
    args = ([0.3, 0.7], [-2, 1.5], [0.25, 1], 0.8, 0.6)
    xs = np.array([0.0, 50.0, -80.0])
    assert np.all(np.isfinite(ns.score_f64(xs, *args)))
    assert np.isnan(ns.score_f64_naive(np.array([50.0]), *args)[0])


def test_exact_moments_of_one_gaussian():
    mom = ns.exact_moments([1], [F(1, 2)], [F(1, 3)], 1, 1, 4)    # N(1/2, 4/3)
    m, v = F(1, 2), F(4, 3)
    assert mom[:5] == [1, m, m * m + v, m**3 + 3 * m * v, m**4 + 6 * m * m * v + 3 * v * v]


def test_normal_equations_solve_exactly():
    mom = ns.exact_moments([F(1, 2), F(1, 2)], [-1, 1], [F(1, 4), F(1, 4)], F(1, 2), F(1, 2), 6)
    G, h = ns.normal_equations(mom, 3)
    th = ns.solve_exact(G, h)
    assert all(sum(G[i][j] * th[j] for j in range(4)) == h[i] for i in range(4))


@pytest.mark.parametrize("dps", [15, 30])
def test_posterior_variance_of_g_from_its_own_law(dps):
    """Var(g | x) from the law of g equals a^2/b^4 Var(x0 | x) (g is affine in x0), and for a
    Gaussian prior both are the constant a^2 s^2/(b^2 V)."""
    with mp.workdps(dps):
        m = ns.mixture([0.3, 0.7], [-2, 1.5], [0.25, 1], 0.8, 0.6)
        for x in (mp.mpf(-3), mp.mpf("0.5"), mp.mpf(4)):
            ref = m.a**2 / m.b**4 * ns.posterior(m, x)[1]
            assert abs(ns.g_posterior_var(m, x) - ref) < mp.mpf(10) ** -(dps - 3)
        g = ns.mixture([1], [0], ["0.25"], "0.8", "0.6")
        closed = g.a**2 * g.s2[0] / (g.b**2 * g.V[0])
        assert abs(ns.g_posterior_var(g, mp.mpf(2)) - closed) < mp.mpf(10) ** -(dps - 3)


@pytest.mark.parametrize("dps", [15, 30])
def test_kernel_averaged_over_the_prior_is_the_marginal(dps):
    """E_{x0 ~ p0} N(x; a x0, b^2) = p_t(x) (A1), by quadrature over x0 against the closed-form mixture."""
    with mp.workdps(dps):
        m = ns.mixture([0.3, 0.7], [-2, 1.5], [0.25, 1], 0.8, 0.6)
        for x in (mp.mpf(-3), mp.mpf("0.5"), mp.mpf(4)):
            assert abs(ns.expect_p0(m, ns.kernel(m, x)) / ns.density(m, x) - 1) < mp.mpf(10) ** -(dps - 3)


def test_csm_of_the_true_score_by_component_is_the_gap():
    """CSM(s*) conditioning on the component equals 1/b^2 - J(p_t) (A6), two quadrature routes."""
    with mp.workdps(30):
        m = ns.mixture([0.3, 0.7], [-2, 1.5], [0.25, 1], 0.8, 0.6)
        by_comp = ns.csm_by_component(m, lambda x: ns.score(m, x))
        assert abs(by_comp - (1 / m.b**2 - ns.fisher(m))) < mp.mpf(10) ** -25
