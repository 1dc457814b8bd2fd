"""numerics.intervals: branch and bound against brute force, enclosures, the global search."""
from fractions import Fraction

import flint
import numpy as np
import pytest
from flint import arb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numerics.intervals import ball, branch_and_bound, enclose, search

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _poly(coeffs):
    """p and p' as ball callables (Horner), and p exactly on rationals."""
    def horner(cs, a):
        r = arb(0)
        for c in reversed(cs):
            r = r * a + c
        return r
    deriv = [k * c for k, c in enumerate(coeffs)][1:] or [0]
    exact = lambda x: sum(Fraction(c) * Fraction(x) ** k for k, c in enumerate(coeffs))
    return (lambda a: horner(coeffs, a[0])), (lambda a: [horner(deriv, a[0])]), exact


def _true_min(coeffs, lo, hi) -> float:
    """Minimum over [lo, hi]: the ends, a fine grid and the real critical points."""
    p = np.polynomial.Polynomial(coeffs)
    xs = [lo, hi, *np.linspace(lo, hi, 2001)]
    xs += [r.real for r in p.deriv().roots() if abs(r.imag) < 1e-9 and lo <= r.real <= hi]
    return float(min(p(np.array(xs))))


polys = st.lists(st.integers(-6, 6), min_size=2, max_size=6).filter(lambda c: any(c[1:]))


@SETTINGS
@given(polys, st.integers(-20, 20))
def test_one_variable_agrees_with_brute_force(coeffs, shift):
    coeffs = [coeffs[0] + shift] + coeffs[1:]
    g, grad, exact = _poly(coeffs)
    out = branch_and_bound(g, [(-2.0, 2.0)], grad=grad, max_boxes=20000, min_width=1e-12)
    m = _true_min(coeffs, -2.0, 2.0)
    if out.status == "proved":                      # soundness: never a false proof
        assert m >= -1e-9
    if out.status == "refuted":                     # soundness: the witness is a real violation
        assert exact(out.witness[0]) < 0
    if m > 1e-6:
        assert out.status == "proved", (coeffs, m, out)
    if m < -1e-6:
        assert out.status == "refuted", (coeffs, m, out)


@SETTINGS
@given(st.lists(st.integers(-4, 4), min_size=6, max_size=6), st.integers(-5, 5))
def test_two_variables_sound_against_a_grid(c, shift):
    def g(a):
        x, y = a
        return c[0] * x * x + c[1] * x * y + c[2] * y * y + c[3] * x + c[4] * y + (c[5] + shift)
    out = branch_and_bound(g, [(-1.0, 1.0), (-1.5, 0.5)], max_boxes=4000, time_limit=2.0)
    xs, ys = np.meshgrid(np.linspace(-1, 1, 81), np.linspace(-1.5, 0.5, 81))
    grid = (c[0] * xs**2 + c[1] * xs * ys + c[2] * ys**2 + c[3] * xs + c[4] * ys + (c[5] + shift)).min()
    if out.status == "proved":
        assert grid >= 0
    if out.status == "refuted":
        x, y = map(Fraction, out.witness)
        val = c[0] * x * x + c[1] * x * y + c[2] * y * y + c[3] * x + c[4] * y + (c[5] + shift)
        assert val < 0
    if grid < -0.05:
        assert out.status == "refuted"


def test_mean_value_form_certifies_a_small_margin_with_few_boxes():
    # min of (x - 0.3)^2 + 1e-10 written expanded: the natural form alone needs ~1e5 boxes
    c = arb("0.09") + arb("1e-10")
    g = lambda a: a[0] * a[0] - arb("0.6") * a[0] + c
    out = branch_and_bound(g, [(-2.0, 2.0)], grad=lambda a: [2 * a[0] - arb("0.6")])
    assert out.status == "proved" and out.boxes < 1000 and 0 < out.margin <= 1.0000001e-10


def test_strict_and_excluded_boxes():
    g = lambda a: a[0] * a[0]                       # 0 at x = 0: >= 0 holds, > 0 does not
    assert branch_and_bound(g, [(-1.0, 1.0)], strict=True).status == "refuted"
    out = branch_and_bound(g, [(-1.0, 1.0)], strict=True, exclude=[[(-1e-3, 1e-3)]], min_width=1e-6)
    assert out.status == "proved" and out.excluded >= 1


def test_budget_leaves_boxes_open_and_restores_precision():
    before = flint.ctx.prec
    out = branch_and_bound(lambda a: a[0] * a[0], [(-1.0, 1.0)], strict=True, max_boxes=30,
                           exclude=[[(-1e-300, 1e-300)]], prec=300)
    assert out.status in ("open", "refuted") and flint.ctx.prec == before


@pytest.mark.parametrize("prec", [53, 100, 333])     # about 15, 30 and 100 digits
def test_enclosure_contains_the_value(prec):
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        v = enclose(lambda a: a[0].exp() - 1 - a[0], [(0.5, 0.5)])
        assert v.contains(arb("0.5").exp() - arb("1.5"))
        assert ball(0.0, 1.0) >= 0 and ball(-1.0, 1.0).contains(-1)
    finally:
        flint.ctx.prec = old


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="box="):
        branch_and_bound(lambda a: a[0], [(1.0, 0.0)])
    with pytest.raises(ValueError, match="max_boxes"):
        branch_and_bound(lambda a: a[0], [(0.0, 1.0)], max_boxes=0)
    with pytest.raises(ValueError, match="search"):
        search(lambda p: p[:, 0], [(0, 1)], n=0)


def test_search_finds_a_far_minimum_and_a_narrow_one():
    far = search(lambda p: -np.log1p(p[:, 0] ** 2) + 12, [(-np.inf, np.inf)], n=2000, seed=3)
    assert far[0][0] < 0 and abs(far[0][1][0]) > 403
    narrow = search(lambda p: (p[:, 0] - 1 / 3) ** 2 - 1e-8, [(-5.0, 5.0)], n=2000, seed=3)
    assert narrow[0][0] < 0
    assert search(lambda p: (p[:, 0] - 1) ** 2, [(-5.0, 5.0)], seed=1) == \
        search(lambda p: (p[:, 0] - 1) ** 2, [(-5.0, 5.0)], seed=1)      # seeded: reproducible
