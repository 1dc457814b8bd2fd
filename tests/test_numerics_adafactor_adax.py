"""The AdaFactor/AdaX engines against known results (dps 15, 30, 100) and second routes: the
textbook sum of c log(cT/(rs)), damped Newton, numpy's SVD, exact Fraction recursions and mp.power."""
import math
import time
from fractions import Fraction as F

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from numerics import adafactor_adax as na

DPS = [15, 30, 100]


def tol(dps):
    return mp.mpf(10) ** -(dps - 5)


def textbook_loss(C, dps):
    """sum c log(c T / (r s)) at dps + 20 digits: the formula of the article, a second route."""
    with mp.workdps(dps + 20):
        M = [[mp.mpf(v) for v in row] for row in C]
        r, s = [mp.fsum(row) for row in M], [mp.fsum(col) for col in zip(*M)]
        T = mp.fsum(r)
        return mp.fsum(c * mp.log(c * T / (r[i] * s[j])) for i, row in enumerate(M) for j, c in enumerate(row) if c)


@pytest.mark.parametrize("dps", DPS)
def test_known_rank1_fit(dps):
    a, b, loss = na.idiv_rank1_optimum([[1, 2], [3, 4]], dps=dps)
    assert a == [3, 7] and [b[0] * 5, b[1] * 5] == [2, 3]
    with mp.workdps(dps):
        assert abs(loss - textbook_loss([[1, 2], [3, 4]], dps)) <= tol(dps) * loss
        assert abs(na.idiv_rank1_optimum([[1, 0], [0, 1]], dps=dps)[2] - 2 * mp.log(2)) <= tol(dps)
        assert abs(loss - na.mutual_information_mass([[1, 2], [3, 4]], dps=dps)) <= tol(dps) * loss
    assert na.idiv_rank1_optimum([[1, 2, 5], [3, 6, 15]], dps=dps)[2] == 0      # rank 1, exactly


@pytest.mark.parametrize("dps", [30, 60])
def test_near_rank1_keeps_relative_accuracy(dps):
    C = [[1, 2], [2, F(4) + F(1, 10**20)]]                    # l* ~ 1.4e-42
    loss = na.idiv_rank1_optimum(C, dps=dps)[2]
    with mp.workdps(dps):
        ref = na.mutual_information_mass(C, dps=120)               # the direct formula, at 120 digits
        assert abs(loss - ref) <= tol(dps) * ref
        naive = na.mutual_information_mass(C, dps=dps)             # the same formula at dps: rounding noise
        assert abs(naive - ref) > 10 * tol(dps) * ref


small = st.integers(0, 9)


@given(st.integers(2, 4).flatmap(lambda m: st.lists(st.lists(small, min_size=3, max_size=3), min_size=m, max_size=m)))
def test_closed_form_matches_the_textbook_formula(C):
    if min(map(sum, C)) == 0 or min(map(sum, zip(*C))) == 0:
        return
    loss = na.idiv_rank1_optimum(C, dps=30)[2]
    ref = textbook_loss(C, 30)
    with mp.workdps(30):
        assert abs(loss - ref) <= tol(30) * max(ref, 1e-10)
        assert loss >= 0


def test_newton_from_random_starts_reaches_the_closed_form():
    C = [[1, 2, 0.5], [3, 4, 1], [0, 1, 2]]
    a, b, loss = na.idiv_rank1_optimum(C, dps=30)
    rng = np.random.default_rng(3)
    for _ in range(3):
        aN, bN, lN, _ = na.idiv_newton(C, list(rng.uniform(-3, 3, 3)), list(rng.uniform(-3, 3, 3)), dps=30)
        with mp.workdps(30):
            assert abs(lN - loss) <= tol(30)
            assert max(abs(aN[i] * bN[j] - a[i] * b[j]) for i in range(3) for j in range(3)) <= mp.mpf(10) ** -20
            assert abs(na.idiv_loss(C, a, b, dps=30) - loss) <= tol(30) * loss


def test_every_input_type_gives_the_same_fit():
    ref = na.idiv_rank1_optimum([[F(1, 2), F(3, 2)], [1, 2]])
    for C in (np.array([[0.5, 1.5], [1.0, 2.0]]), sp.Matrix([[sp.Rational(1, 2), sp.Rational(3, 2)], [1, 2]]),
              [["0.5", "3/2"], [mp.mpf(1), 2.0]], ((0.5, 1.5), (1, 2))):
        assert na.idiv_rank1_optimum(C) == ref


@pytest.mark.parametrize("C, match", [
    ([[1, -1], [1, 1]], r"C\[0\]\[1\]=-1: entries must be >= 0"),
    ([[0, 0], [1, 1]], "row 0 sums to 0"),
    ([[0, 1], [0, 1]], "column 0 sums to 0"),
    ([1, 2, 3], "2-D matrix"),
    ([[1, 2], [3]], "rectangular"),
    ([[[1]]], "2-D matrix"),
    ([["x", 1]], r"C\[0\]\[0\]='x': not a number"),
    ([[float("nan"), 1]], "finite"),
])
def test_bad_matrices_are_named(C, match):
    with pytest.raises(ValueError, match=match):
        na.idiv_rank1_optimum(C)


@pytest.mark.parametrize("kw, match", [
    (dict(t=0), "t=0: give an int >= 1"), (dict(t=1.5), "t=1.5"), (dict(t=True), "t=True"),
    (dict(beta2=0), "beta2=0: must be > 0"), (dict(beta2=-1e-4), "beta2=-0.0001"), (dict(beta2="b"), "beta2='b'"),
    (dict(dps=14), "dps=14: give an int >= 15"), (dict(dps=30.0), "dps=30.0"),
])
def test_bad_weight_arguments_are_named(kw, match):
    args = dict(t=5, beta2=1e-4, dps=30) | kw
    with pytest.raises(ValueError, match=match):
        na.adax_ema_weights(**args)
    if "dps" in kw:
        with pytest.raises(ValueError, match=match):
            na.idiv_rank1_optimum([[1]], dps=kw["dps"])


def adax_bhat_exact(t, b):
    return 1 - b / ((1 + b) ** t - 1)


@pytest.mark.parametrize("dps", DPS)
def test_adax_weights_known_values(dps):
    b = F(1, 10**4)
    for t in (1, 2, 10, 1000):
        w = na.adax_ema_weights(t, b, dps=dps)
        with mp.workdps(dps + 10):
            assert abs(mp.fsum(w) - 1) <= tol(dps)
            exact = adax_bhat_exact(t, b)
            assert abs((1 - w[-1]) - mp.mpf(exact.numerator) / exact.denominator) <= tol(dps)
            assert all(x > y for x, y in zip(w, w[1:]))               # the oldest is heaviest
            # second route: the closed form by mp.power at more digits
            bm = mp.mpf(1) / 10**4
            ref = [bm * mp.power(1 + bm, t - i) / (mp.power(1 + bm, t) - 1) for i in range(1, t + 1)]
            assert max(abs(x - y) / y for x, y in zip(w, ref)) <= tol(dps)
    assert na.adax_ema_weights(1, "0.3", dps=dps) == [1]


def test_adax_weights_are_the_impulse_responses_of_the_raw_recursion():
    b, t = F(1, 10**4), 30
    w = na.adax_ema_weights(t, b, dps=50)
    for k in range(1, t + 1):
        resp = na.run_adax_raw([F(int(i == k)) for i in range(1, t + 1)], b)[-1]         # exact
        with mp.workdps(50):
            assert abs(w[k - 1] - mp.mpf(resp.numerator) / resp.denominator) <= tol(50) * w[k - 1]


def test_adax_weights_for_a_hundred_thousand_steps_are_fast():
    t0 = time.process_time()                                   # CPU time: immune to a loaded machine
    w = na.adax_ema_weights(10**5, 1e-4, dps=30)
    elapsed = time.process_time() - t0
    assert elapsed < 2.0, f"adax_ema_weights(10**5) took {elapsed:.2f} s of CPU time"
    with mp.workdps(30):
        assert abs(mp.fsum(w) - 1) <= tol(30)
        assert abs(w[0] / w[-1] - mp.power(1 + mp.mpf(1) / 10**4, 10**5 - 1)) <= tol(30) * w[0] / w[-1]


@pytest.mark.parametrize("kind, param", [("adam", 0.999), ("adax", 1e-4), ("adafactor", 0.8), ("mean", None)])
def test_every_schedule_starts_at_zero(kind, param):
    assert na.one_minus_beta_hat(kind, 1, param, dps=30) == 1


@pytest.mark.parametrize("dps", DPS)
def test_adam_schedule_against_the_exact_formula(dps):
    b = F(999, 1000)
    for t in (2, 10, 1000):
        exact = 1 - b * (1 - b ** (t - 1)) / (1 - b**t)
        with mp.workdps(dps):
            assert abs(na.one_minus_beta_hat("adam", t, b, dps) - mp.mpf(exact.numerator) / exact.denominator) <= tol(dps)


def test_exact_recursions_equal_their_moving_averages():
    g = [F(k % 7 + 1, 3) for k in range(60)]
    b = F(999, 1000)
    om = [1 - b * (1 - b ** (t - 1)) / (1 - b**t) for t in range(1, 61)]
    assert na.run_adam_raw(g, b) == na.run_ema(g, om)
    assert sum(na.ema_weights(om)) == 1


def test_power_iteration_matches_numpy_svd():
    rng = np.random.default_rng(1)
    for _ in range(5):
        M = rng.uniform(0, 2, (3, 4))
        sig, u, v, _ = na.euclid_rank1(M, dps=30)
        S = np.linalg.svd(M, compute_uv=False)
        assert abs(float(sig) - S[0]) <= 1e-12 * S[0]
        assert min(u) > 0 and min(v) > 0                       # Perron-Frobenius


def test_overflow_step_against_float64():
    t = na.adax_overflow_step(1e-4)
    assert t == math.ceil(math.log(na.DBL_MAX) / math.log1p(1e-4)) == 7098183
    assert (1 + 1e-4) ** (t - 1) < math.inf
    with pytest.raises(OverflowError):
        (1 + 1e-4) ** t


def test_float64_demonstrations():
    raw = na.adax_raw_f64(1.0, 1e-4, 7098183 - 5, 10)
    assert all(math.isfinite(h) for t, v, q, h in raw if t < 7098183)
    assert all(math.isnan(h) for t, v, q, h in raw if t >= 7098183)
    ema = na.adax_ema_f64(1.0, 1e-4, 7098183 - 5, 10, 1.0)
    assert all(h == 1.0 for _, h in ema)


def test_to_fraction_reads_floats_through_str():
    assert na.to_fraction(0.1) == F(1, 10)
    assert na.to_fraction(np.float64(0.999)) == F(999, 1000)
    assert na.to_fraction(sp.Float("0.25")) == F(1, 4)
    with pytest.raises(ValueError, match="give a finite"):
        na.to_fraction(None)
