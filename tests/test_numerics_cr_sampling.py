"""The CR-sampling engines: known values (exact, and at dps 15, 30, 100 for the mpmath routes), the
argument checks, and cross-checks of the exact enumeration against Monte Carlo and of the
selection and reweighting engines against brute force and against each other."""
import itertools
import random
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from numerics import cr_sampling as ncr
from numerics.cr_sampling import cr_expected_error, cr_optimal_probs

X = [[1, 2, 0], [0, 1, 3]]                 # norm products 1, 5, 12: p* = (1/18, 5/18, 2/3)
Y = [[1, 0], [2, 1], [0, 4]]
U3 = [Fraction(1, 3)] * 3


def test_reference_instance_exact_values():
    p = cr_optimal_probs(X, Y)
    assert p == [Fraction(1, 18), Fraction(5, 18), Fraction(2, 3)]
    assert cr_expected_error(X, Y, p) == 18**2 - 202               # Z^2 - |XY|_F^2
    assert cr_expected_error(X, Y, U3) == 3 * (1 + 25 + 144) - 202
    for r in range(1, 9):                                          # 3^8 = 6561 draws enumerated
        assert cr_expected_error(X, Y, p, r) == Fraction(122, r)


def test_input_types_give_the_same_exact_value():
    want = cr_expected_error(X, Y, U3)
    assert cr_expected_error(np.array(X), sp.Matrix(Y), ["1/3", "1/3", "1/3"]) == want
    assert cr_expected_error(sp.Matrix(X), Y, [sp.Rational(1, 3)] * 3) == want
    assert isinstance(want, Fraction)


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_inexact_input_returns_mpf_at_30_digits(dps):
    with mp.workdps(dps):
        got = cr_expected_error(X, Y, [1 / 3, 1 / 3, 1 - 2 / 3])
        assert mp.mp.dps == dps                                    # precision restored
    assert isinstance(got, mp.mpf)
    assert abs(got - 308) < 1e-12                                  # float probabilities: ~1e-16 off 1/3
    assert cr_optimal_probs([[1, 1]], [[1], [2]]) == [Fraction(1, 3), Fraction(2, 3)]    # products 1, 2
    q = cr_optimal_probs([[1, 1], [1, 0]], [[1], [2]])             # products sqrt(2), 2: irrational
    assert all(isinstance(v, mp.mpf) for v in q)
    with mp.workdps(40):
        assert abs(q[0] - mp.sqrt(2) / (mp.sqrt(2) + 2)) < mp.mpf(10) ** -29


def test_irrational_optimum_against_closed_form():
    Xi, Yi = [[1, 1, 0], [0, 2, 1]], [[1, 1], [0, 1], [2, 0]]
    q = cr_optimal_probs(Xi, Yi)
    with mp.workdps(40):
        a = [mp.sqrt(1 * 2), mp.sqrt(5 * 1), mp.sqrt(1 * 4)]
        z = mp.fsum(a)
        XY = [[1, 2], [2, 2]]
        want = z**2 - sum(v * v for row in XY for v in row)
        assert abs(cr_expected_error(Xi, Yi, q) - want) < mp.mpf(10) ** -27


def test_sympy_irrational_probabilities_are_accepted():
    s2 = sp.sqrt(2)
    p = [s2 / (s2 + 2), 2 / (s2 + 2)]                              # p* of X = [[1, 1], [1, 0]], Y = [[1], [2]]
    got = cr_expected_error([[1, 1], [1, 0]], [[1], [2]], p)
    with mp.workdps(40):
        want = (mp.sqrt(2) + 2) ** 2 - (1 + 2) ** 2 - 1           # Z^2 - |XY|_F^2, XY = [[3], [1]]
        assert abs(got - want) < mp.mpf(10) ** -27


def test_zero_column_gets_probability_zero():
    Xz = [[1, 0, 2], [0, 0, 1]]
    p = cr_optimal_probs(Xz, Y)
    assert p[1] == 0
    e1, e2 = cr_expected_error(Xz, Y, p, 1), cr_expected_error(Xz, Y, p, 2)     # p* irrational: mpf
    with mp.workdps(40):
        z = mp.sqrt(1 * 1) * 1 + mp.sqrt(5) * 4                    # |x_1||y_1| + |x_3||y_3|
        assert abs(e1 - (z**2 - 81)) < mp.mpf(10) ** -27          # |XY|_F^2 = |[[1, 8], [0, 4]]|^2 = 81
        assert abs(e2 - e1 / 2) < mp.mpf(10) ** -27
    est = ncr.monte_carlo_error(Xz, Y, [float(v) for v in p], 1, n=10**5, seed=2)   # p_2 = 0 is never drawn
    assert abs(est.value - float(e1)) <= 4 * est.error


@pytest.mark.parametrize("call, match", [
    (lambda: cr_expected_error([[1, 2]], [[1], [1], [1]], U3), "columns"),
    (lambda: cr_expected_error(X, Y, [Fraction(1, 2)] * 2), "length"),
    (lambda: cr_expected_error(X, Y, [Fraction(-1, 3), Fraction(2, 3), Fraction(2, 3)]), "negative"),
    (lambda: cr_expected_error(X, Y, [Fraction(1, 3), Fraction(1, 3), Fraction(1, 4)]), "sums to"),
    (lambda: cr_expected_error(X, Y, [0.3, 0.3, 0.3]), "sums to"),
    (lambda: cr_expected_error(X, Y, [Fraction(1, 2), Fraction(1, 2), 0]), r"probs\[2\] = 0"),
    (lambda: cr_expected_error(X, Y, U3, r=0), "r=0"),
    (lambda: cr_expected_error(X, Y, U3, r=True), "r=True"),
    (lambda: cr_optimal_probs([[0, 0]], [[1], [1]]), "every norm product"),
    (lambda: cr_expected_error([[1, 2], [3]], [[1], [1]], [0.5, 0.5]), "rectangular"),
])
def test_argument_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _rand(rng, n, l, m):
    return ([[rng.randint(-3, 3) for _ in range(l)] for _ in range(n)],
            [[rng.randint(-3, 3) for _ in range(m)] for _ in range(l)])


@pytest.mark.parametrize("r", [1, 2, 4])
def test_exact_enumeration_against_monte_carlo(r):
    """Second route: the exact E_r (enumeration) lies within 4 SE of 2*10^5 seeded replications."""
    rng = random.Random(7 + r)
    Xr, Yr = _rand(rng, 2, 4, 3)
    w = [rng.randint(1, 5) for _ in range(4)]
    p = [Fraction(v, sum(w)) for v in w]
    exact = float(cr_expected_error(Xr, Yr, p, r))
    est = ncr.monte_carlo_error(Xr, Yr, p, r, n=2 * 10**5, seed=r)
    assert est.n == 2 * 10**5 and est.error > 0
    assert abs(est.value - exact) <= 4 * est.error
    assert 4 * est.error < 0.05 * exact                            # the check can see a 5% error


def test_estimator_mean_unbiased_and_dedup_biased():
    XY = [5, 2, 2, 13]
    assert ncr.estimator_mean(X, Y, U3, 3) == XY
    dedup = ncr.estimator_mean(X, Y, U3, 2, keep_duplicates=False)
    assert dedup == [Fraction(5, 6) * v for v in XY]               # XY - (1/2) sum p_i v_i


def test_selection_engines_against_brute_force():
    rng = random.Random(3)
    for _ in range(30):
        Xr, Yr = _rand(rng, 2, 6, 2)
        G = ncr.gram(Xr, Yr)
        Xa, Ya = np.array(Xr), np.array(Yr)
        for r in range(1, 6):
            brute = min(int(((Xa[:, list(S)] @ Ya[list(S), :] - Xa @ Ya) ** 2).sum())
                        for S in itertools.combinations(range(6), r))
            assert ncr.best_subset(G, r)[0] == brute
            assert ncr.norm_ranking(G, r)[0] >= brute
            assert ncr.greedy_tuples(G, r, 6 - r)[0] == brute
    with pytest.raises(ValueError, match="k=2"):
        ncr.greedy_tuples(G, 3, 2)


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_diagonal_weights_routes_agree(dps):
    """Shapes n=2, l=5, m=3, r=4 pairwise distinct, so a transposition error cannot pass silently."""
    rng = np.random.default_rng(5)
    Xr, Yr = rng.integers(-3, 4, size=(2, 5)), rng.integers(-3, 4, size=(5, 3))
    S = [0, 1, 3, 4]
    C, R = Xr[:, S], Yr[S, :]
    h, e = ncr.diag_weights(C, R, Xr, Yr), ncr.diag_weights(C, R, Xr, Yr, "explicit")
    assert np.allclose(h, e, rtol=1e-10, atol=0)
    hm = ncr.diag_weights(C.tolist(), R.tolist(), Xr.tolist(), Yr.tolist(), dps=dps)
    em = ncr.diag_weights(C.tolist(), R.tolist(), Xr.tolist(), Yr.tolist(), "explicit", dps=dps)
    with mp.workdps(dps):
        assert max(abs(a - b) for a, b in zip(hm, em)) <= mp.mpf(10) ** -(dps - 5) * max(abs(b) for b in em)
    L = ncr.full_weights(C, R, Xr @ Yr)
    full = ((C @ L @ R - Xr @ Yr) ** 2).sum()
    diag = ((C @ np.diag(h) @ R - Xr @ Yr) ** 2).sum()
    assert full <= diag + 1e-9 <= ((C @ R - Xr @ Yr) ** 2).sum() + 2e-9


def test_exact_enumeration_in_integers_matches_the_mpf_route():
    """The integer enumeration of E_r (exact input) against the same sum in mpmath (float input)."""
    X, Y = [[1, -2, 0, 3], [2, 1, 1, 0]], [[1, 0], [2, -1], [0, 1], [1, 1]]
    p = [Fraction(1, 6), Fraction(1, 3), Fraction(1, 4), Fraction(1, 4)]
    for r in (1, 2, 3):
        exact = ncr.cr_expected_error(X, Y, p, r)
        assert isinstance(exact, Fraction)
        assert abs(ncr.cr_expected_error(X, Y, [float(v) for v in p], r) - mp.mpf(exact.numerator) / exact.denominator) < 1e-12

