"""Helpers that derivation modules build their claims on, tested on their own."""
import mpmath as mp
import pytest
import sympy as sp

from derivcheck.registry import load_article

integrate_gaussian = load_article("derivations/score_matching.py").claims[0].fn.__globals__["integrate_gaussian"]


def test_integrate_gaussian_matches_quadrature_at_a_point():
    t, c = sp.Symbol("t", real=True), sp.Symbol("c", positive=True)
    expr = (3 - 2 * t) * sp.exp(-c * (t - 1) ** 2 / 3 + t / 5 - 2)
    closed = integrate_gaussian(expr, t).subs(c, sp.Rational(7, 4))
    f = sp.lambdify(t, expr.subs(c, sp.Rational(7, 4)), "mpmath")
    with mp.workdps(30):
        assert abs(sp.N(closed, 30) - mp.quad(f, [-mp.inf, 1, mp.inf])) < mp.mpf(10) ** -25


@pytest.mark.parametrize("expr, match", [
    ("t**2*exp(-t**2)", "linear"),
    ("exp(-t**3)", "linear"),
    ("exp(t**2)", "diverges"),
    ("exp(-t**2)*exp(-t)*cos(t)", "linear"),
    ("t", "not one exponential"),
])
def test_integrate_gaussian_refuses_other_shapes(expr, match):
    t = sp.Symbol("t", real=True)
    with pytest.raises(ValueError, match=match):
        integrate_gaussian(sp.sympify(expr, locals={"t": t}), t)
