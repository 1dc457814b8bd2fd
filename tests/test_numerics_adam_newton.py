"""The Adam-lens engines: the step angle (dps 15, 30, 100), the N5 chain and exact Newton steps as
hypothesis properties, the AR(1) model, Gauss-Hermite moments, Adam's scale invariance."""
import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from numerics import adam_newton as na


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_angle_against_a_direct_formula(dps):
    ang = na.adam_newton_angle([[2, 1], [1, 3]], [1, 1], dps=dps)
    with mp.workdps(dps + 10):
        newton = [-(3 - 1) / mp.mpf(5), -(2 - 1) / mp.mpf(5)]          # -H^-1 g with det 5
        adam = [-1 / mp.sqrt(5), -1 / mp.sqrt(10)]
        cos = (newton[0] * adam[0] + newton[1] * adam[1]) / (mp.norm(newton) * mp.norm(adam))
        assert abs(ang - mp.degrees(mp.acos(cos))) < mp.mpf(10) ** -(dps - 3)


def test_angle_is_zero_for_diagonal_and_errors_are_clear():
    assert na.adam_newton_angle([[2, 0, 0], [0, 5, 0], [0, 0, 1]], [1, -2, 3]) == 0
    for H, g, match in (([[1, 2], [3, 1]], [1, 0], "symmetric"), ([[1, 1], [1, 1]], [1, 0], "nonsingular"),
                        ([[1, 0], [0, 1]], [0, 0], "g = 0"), ([[1, 0], [0, 1]], [1, 2, 3], "entries")):
        with pytest.raises(ValueError, match=match):
            na.adam_newton_angle(H, g)


small = st.integers(-5, 5)


@given(st.integers(2, 4).flatmap(lambda n: st.lists(st.lists(small, min_size=n, max_size=n), min_size=n, max_size=n)))
def test_row_norm_chain(rows):
    A = np.array(rows, dtype=float)
    H = np.triu(A) + np.triu(A, 1).T
    row, absH, diag = np.linalg.norm(H, axis=1), np.diag(na.abs_matrix(H)), np.abs(np.diag(H))
    slack = 1e-12 * np.maximum(row, 1)
    assert np.all(row >= absH - slack) and np.all(absH >= diag - slack)


@given(st.integers(2, 4).flatmap(lambda n: st.tuples(
    st.lists(st.lists(small, min_size=n, max_size=n), min_size=n, max_size=n),
    st.lists(small, min_size=n, max_size=n), st.lists(small, min_size=n, max_size=n))))
def test_newton_step_is_exact_on_quadratics(data):
    rows, th0, star = data
    A = sp.Matrix(rows)
    H = A * A.T + sp.eye(len(rows))
    g = H * (sp.Matrix(th0) - sp.Matrix(star))
    assert sp.Matrix(th0) - H.LUsolve(g) == sp.Matrix(star)


def test_ar1_matches_the_stationary_formulas():
    var, eg2 = na.sgd_ar1(0.5, 1.0, 2.0, 400_000, 3)
    assert abs(var.value - 0.5 * 2 / (2 - 0.5)) < 4 * var.error
    assert abs(eg2.value - (0.5 * 2 / 1.5 + 2)) < 4 * eg2.error


def test_gauss_hermite_is_exact_for_the_quadratic_part():
    E = na.gauss_hermite_ggT([[0.0, 0.0], [0.0, 0.0]], 1e-3)       # tanh only: E tanh(d)^2 / s^2 ~ 1
    assert abs(E[0, 0] - 1) < 1e-5 and abs(E[0, 1]) < 1e-12


def test_adam_is_scale_invariant_on_a_separable_quadratic():
    out = na.run_adam([np.diag([1.0, 8.0, 64.0])], np.ones(3), 3000, lr=1e-2, window=(2000, 3000))
    th = out["theta"][:, 0]
    assert np.allclose(th[:, 0], th[:, 1], rtol=1e-9, atol=1e-14) and np.allclose(th[:, 0], th[:, 2], rtol=1e-9, atol=1e-14)


def test_rmsprop_in_mpmath_does_not_underflow():
    traj = na.rmsprop_mp(10.0, 1.0, 6000, 1e-3, 0.999)
    assert all(v != 0 for v in traj) and min(abs(v) for v in traj) < mp.mpf(10) ** -20


@pytest.mark.parametrize("eta_h", [0.1, 1.5, 1.9])
def test_ar1_errors_match_the_spread_of_replicates(eta_h):
    """The AR(1) standard errors (also for eta h > 1, where a = 1 - eta h < 0) against the spread
    of 40 independent runs; the old sqrt(2 tau / T) is 4.2x too small at eta h = 1.9."""
    runs = [na.sgd_ar1(eta_h, 1.0, 1.0, 50_000, s) for s in range(40)]
    for k in (0, 1):
        spread = float(np.std([r[k].value for r in runs], ddof=1))
        assert 0.75 < spread / runs[0][k].error < 1.3


def test_ar1_errors_reject_a_non_stationary_step():
    with pytest.raises(ValueError, match="not stationary"):
        na.ar1_rel_errors(2.5, 1.0, 1000)


def test_angle_for_an_indefinite_matrix_is_acos_of_minus_one_over_sqrt5():
    """H = [[1, 2], [2, 1]], g = (1, 0): Newton's step (1/3, -2/3), the lens step -(1, 0)/sqrt 5."""
    for dps in (15, 30, 100):
        with mp.workdps(dps + 5):
            ref = mp.degrees(mp.acos(-1 / mp.sqrt(5)))
        assert abs(na.adam_newton_angle([[1, 2], [2, 1]], [1, 0], dps=dps) - ref) < mp.mpf(10) ** -(dps - 3)


def test_ema_of_autocorrelated_squares_against_the_closed_form():
    """phi = 0 is the i.i.d. case of ema_mc; phi > 0 inflates the sd by sqrt((1 + b phi^2)/(1 - b phi^2))."""
    b = 0.95
    for phi in (0.0, 0.8):
        mean, sd = na.ema_ar1_mc(b, phi, 600, 4000, 11)
        ref = np.sqrt(2 * (1 - b) / (1 + b) * (1 + b * phi**2) / (1 - b * phi**2))
        assert abs(mean.value - 1) < 4 * mean.error and abs(sd.value - ref) < 4 * sd.error
    with pytest.raises(ValueError, match="phi"):
        na.ema_ar1_mc(0.9, 1.0, 10, 10, 0)


def test_outer_errors_have_the_isserlis_mean_square():
    """N E||mean g g' - S||_F^2 / ||S||_F^2 = (tr S)^2/||S||_F^2 + 1 exactly, for every N (S = sigma^2 H^2)."""
    H = np.array([[2.0, 1.0], [1.0, 3.0]])
    S = 0.25 * H @ H
    K = np.trace(S) ** 2 / np.sum(S**2) + 1
    x = 50 * na.outer_errors(H, 0.5, 50, 4000, 5) ** 2
    assert abs(x.mean() - K) < 4 * x.std(ddof=1) / np.sqrt(x.size)
    with pytest.raises(ValueError, match="reps"):
        na.outer_errors(H, 0.5, 10, 0, 5)


def test_ar1_filter_against_the_recursion():
    x = np.random.default_rng(2).standard_normal(3000)
    for a in (0.9, -0.9, 0.5, 0.0, 0.99):
        y, prev = [], 0.0
        for v in x:
            prev = a * prev - 0.1 * v
            y.append(prev)
        assert np.max(np.abs(na.ar1_filter(x, a, -0.1) - np.array(y))) < 1e-12
    with pytest.raises(ValueError, match="stationary"):
        na.ar1_filter(x, 1.0, 1.0)


def test_gauss_hermite_factorised_rule_against_the_double_sum():
    """The 1-D factorisation equals the nodes x nodes double sum (10 nodes, 30 digits), and the
    rule is stable in the precision (dps 20 against 30 at 80 nodes)."""
    A, s = ((1.0, 0.5), (0.5, 2.0)), 0.3
    x, w = na.hermite_rule(10, 30)
    with mp.workdps(30):
        def g(d1, d2):
            return (mp.tanh(d1) + A[0][0] * d1 + A[0][1] * d2, mp.tanh(d2) + A[1][0] * d1 + A[1][1] * d2)
        direct = mp.matrix(2, 2)
        for xi, wi in zip(x, w):
            for xj, wj in zip(x, w):
                gv = g(s * xi, s * xj)
                for i in range(2):
                    for k in range(2):
                        direct[i, k] += wi * wj * gv[i] * gv[k]
        E = na.gauss_hermite_ggT(A, s, nodes=10, dps=30)
        assert mp.mnorm(E - direct / mp.mpf(s) ** 2, "f") < mp.mpf(10) ** -25
    hi, lo = na.gauss_hermite_ggT(A, 0.05, dps=30), na.gauss_hermite_ggT(A, 0.05, dps=20)
    with mp.workdps(30):
        assert mp.mnorm(hi - lo, "f") < mp.mpf(10) ** -17


def test_adam_uses_only_correctly_rounded_elementwise_arithmetic():
    """run_adam reproduces, bit for bit, the same update written with Python floats (IEEE double,
    math.sqrt): no BLAS, einsum or pow whose last bit could depend on the platform."""
    H = [[2.0, 0.3, 0.0], [0.3, 1.0, -0.7], [0.0, -0.7, 5.0]]
    out = na.run_adam([H], [1.0, -0.5, 0.25], 40, lr=1e-2)
    th, m, v, b1t, b2t = [1.0, -0.5, 0.25], [0.0] * 3, [0.0] * 3, 1.0, 1.0
    for t in range(40):
        g = [H[i][0] * th[0] + H[i][1] * th[1] + H[i][2] * th[2] for i in range(3)]
        m = [0.9 * m[i] + (1 - 0.9) * g[i] for i in range(3)]
        v = [0.999 * v[i] + (1 - 0.999) * (g[i] * g[i]) for i in range(3)]
        b1t, b2t = b1t * 0.9, b2t * 0.999
        th = [th[i] - 1e-2 * ((m[i] / (1 - b1t)) / math.sqrt(v[i] / (1 - b2t))) for i in range(3)]
        assert out["theta"][t, 0].tolist() == th
    with pytest.raises(ValueError, match="shape"):
        na.run_adam([[1.0, 0.0], [0.0, 1.0]], [1.0, 1.0], 3)
