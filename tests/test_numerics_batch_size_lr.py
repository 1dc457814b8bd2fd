"""The batch-size engines: exact SGD optimum (Fractions) against SymPy, sign-SGD optimum at dps 15, 30
and 100 against a quadrature route, argument errors, the simulations against the exact optima, and
the Gauss-Hermite rule."""
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from numerics import batch_size_lr as nb

G, H, S = (1, -2), ((2, "0.5"), ("0.5", 1)), ((4, 0), (0, 9))


def test_sgd_exact_on_the_reference_instance():
    assert nb.sgd_optimal_lr(G, H, S, 8) == Fraction(40, 49)
    assert nb.sgd_optimal_lr(list(G), np.array([[2, 0.5], [0.5, 1]]), sp.Matrix(S), Fraction(8)) == Fraction(40, 49)
    # floats become decimal strings: 0.1 is exactly 1/10
    assert nb.sgd_optimal_lr([0.1], [[1]], [[0.1]], 1) == Fraction(1, 11)


def test_sgd_mpf_inputs_give_an_mpf():
    with mp.workdps(30):
        v = nb.sgd_optimal_lr([mp.mpf(1), -2], H, S, 8)
        assert isinstance(v, mp.mpf) and abs(v - mp.mpf(40) / 49) < mp.mpf(10) ** -25


small = st.integers(-4, 4)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(
    st.lists(st.lists(small, min_size=n, max_size=n), min_size=n, max_size=n),
    st.lists(st.lists(small, min_size=n, max_size=n), min_size=n, max_size=n),
    st.lists(st.integers(1, 9), min_size=n, max_size=n), st.integers(1, 100))))
def test_sgd_against_sympy(data):
    A, M, g, B = data
    Hm, Sm = sp.Matrix(A) * sp.Matrix(A).T + sp.eye(len(g)), sp.Matrix(M) * sp.Matrix(M).T
    gv = sp.Matrix(g)
    ref = (gv.T * gv)[0] / ((gv.T * Hm * gv)[0] + (Sm * Hm).trace() / B)
    got = nb.sgd_optimal_lr(g, Hm, Sm, B)
    assert sp.Rational(got.numerator, got.denominator) == ref


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_signsgd_against_quadrature_of_the_sign(dps):
    got = nb.signsgd_optimal_lr(G, H, S, 8, dps=dps)
    with mp.workdps(dps + 10):
        mu = []
        for gi, s2 in ((1, 4), (-2, 9)):
            jump = -gi * mp.sqrt(8) / mp.sqrt(s2)
            mu.append(-mp.quad(mp.npdf, [-mp.inf, jump]) + mp.quad(mp.npdf, [jump, mp.inf]))
        ref = (mu[0] * 1 + mu[1] * -2) / (3 + 2 * mu[0] * mu[1] * mp.mpf("0.5"))
        assert abs(got - ref) <= abs(ref) * mp.mpf(10) ** -(dps - 5)


def test_signsgd_limits_and_algebraic_means():
    # B -> oo: G/(A + C); here g = (1, -2), C = 2 * (-1) * 0.5 = -1
    assert abs(nb.signsgd_optimal_lr(G, H, S, 10**12) - mp.mpf(3) / 2) < mp.mpf(10) ** -20
    # algebraic means with equal ratios and diagonal H: (G/A)/sqrt(1 + pi kappa^2/(2B))
    v = nb.signsgd_optimal_lr((1, 2), ((1, 0), (0, 3)), ((4, 0), (0, 16)), 5, means="algebraic")
    with mp.workdps(30):
        assert abs(v - mp.mpf(3) / 4 / mp.sqrt(1 + mp.pi * 4 / 10)) < mp.mpf(10) ** -25


@pytest.mark.parametrize("args, match", [
    (((1, 0), ((1, 2), (2, 1)), S, 1), "positive definite"),
    (((1, 0), ((1, 2), (3, 1)), S, 1), "symmetric"),
    (((1, 0), H, ((1, 2), (2, 1)), 1), "positive semidefinite"),
    (((1, 0), H, S, 0), "B=0"),
    (((0, 0), H, S, 1), "non-zero"),
    (((1, 2, 3), H, S, 1), "2x2|3x3"),
    (((float("nan"), 1), H, S, 1), "finite"),
])
def test_argument_errors(args, match):
    with pytest.raises(ValueError, match=match):
        nb.sgd_optimal_lr(*args)


def test_signsgd_needs_a_diagonal_positive_sigma():
    with pytest.raises(ValueError, match="diagonal"):
        nb.signsgd_optimal_lr(G, H, ((4, 1), (1, 9)), 8)
    with pytest.raises(ValueError, match="means="):
        nb.signsgd_optimal_lr(G, H, S, 8, means="tanh")


@pytest.mark.parametrize("law", nb.LAWS)
def test_simulated_sgd_optimum(law):
    e = nb.simulate_optimal_lr(G, [[2, .5], [.5, 1]], S, 8, 50_000, 3, "sgd", law)
    assert abs(e.value - 40 / 49) < 4 * e.error and e.error < 2e-3


def test_simulated_sign_optimum():
    e = nb.simulate_optimal_lr(G, [[2, .5], [.5, 1]], S, 8, 50_000, 4, "sign")
    assert abs(e.value - float(nb.signsgd_optimal_lr(G, H, S, 8))) < 4 * e.error


def test_minibatches_are_explicit_means():
    x = nb.minibatch_means((0.0, 0.0), ((1, 0), (0, 1)), 4, 20_000, 5, "rademacher")
    # a mean of 4 signs takes only the values k/2 - 1
    assert set(np.unique(x[:, 0])) <= {-1.0, -0.5, 0.0, 0.5, 1.0}
    assert abs(x[:, 0].var() - 0.25) < 0.02
    with pytest.raises(ValueError, match="B=0"):
        nb.minibatch_means((0.0,), ((1,),), 0, 10, 1)


@pytest.mark.parametrize("dps", [15, 30])
def test_hermite_rule_moments(dps):
    with mp.workdps(dps):
        X, W = nb._hermite(20)
        for k, m in ((0, 1), (2, 1), (4, 3), (10, 945)):
            assert abs(mp.fsum(w * x**k for x, w in zip(X, W)) - m) < mp.mpf(10) ** -(dps - 5) * m


def test_logcosh_optimum_tends_to_the_quadratic_formula():
    g, Hh, eta = nb.logcosh_optimal_lr((0.01,), ((Fraction(1, 2),),), (Fraction(1, 2),), 40, 30)
    l3 = nb._sgd_formula(g, Hh, [[mp.mpf(1) / 2]], 1)
    assert abs(l3 / eta - 1) < 1e-7
