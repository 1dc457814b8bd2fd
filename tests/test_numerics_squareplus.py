"""The SquarePlus engines: known values at dps 15, 30 and 100, argument checks, and cross-checks of
``squareplus_minimax_b`` (route A) against nested bisection (route B) and of
``squareplus_max_error`` against a dense search for the extrema that does not use beta."""
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from numerics import squareplus as nsq
from numerics.squareplus import squareplus_max_error, squareplus_minimax_b

# b* to 60 digits (route A at 80 digits, agreeing with route B to its 1e-28 bracket); kept as
# text and read at the working precision of each test
B_STAR_TEXT = "1.52382103251875066419356022863975792890625377207057466060550"


def b_star():
    """b* at the current working precision (call it inside the precision it is compared at)."""
    return mp.mpf(B_STAR_TEXT)


def _close(a, b, digits):
    """|a - b| <= 10^-digits |b|; text is read at digits + 10 digits."""
    with mp.workdps(digits + 10):
        return abs(mp.mpf(a) - mp.mpf(b)) <= mp.mpf(10) ** -digits * abs(mp.mpf(b))


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_minimax_b_known_value_and_precision_restored(dps):
    with mp.workdps(110):
        ref = nsq.minimax_route_a(100)[0]
    assert _close(ref, B_STAR_TEXT, 58)
    before = mp.mp.dps
    got = squareplus_minimax_b(dps)
    assert mp.mp.dps == before
    assert isinstance(got, mp.mpf)
    assert _close(got, ref, dps - 5)


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_max_error_closed_forms(dps):
    with mp.workdps(dps + 10):
        for bb in (4, Fraction(25, 4), 9, 10):        # b >= 4: M(b) = e_b(0) = sqrt(b)/2 - log 2
            exact = mp.sqrt(mp.mpf(bb.numerator) / bb.denominator) / 2 - mp.log(2)
            assert _close(squareplus_max_error(bb, dps), exact, dps - 5)
        # at b*, M = log 2 - sqrt(b*)/2 (equioscillation)
        bs = mp.mpf(B_STAR_TEXT)
        assert _close(squareplus_max_error(bs, dps), mp.log(2) - mp.sqrt(bs) / 2, dps - 5)


def _max_error_by_search(bb, dps):
    """Second route: the positive maximum by golden-section search of e_b on a bracket from a coarse
    float grid (no beta, no derivative), the negative one from e_b(0); the max of the two."""
    grid = np.linspace(0, 80, 8001)
    k = int(np.argmax(nsq.error_f64(grid, float(bb))))
    with mp.workdps(dps + 10):
        b_ = mp.mpf(bb)
        lo, hi = mp.mpf(grid[max(k - 1, 0)]), mp.mpf(grid[k + 1])
        g = (mp.sqrt(5) - 1) / 2
        for _ in range(int((dps + 10) * 2.4)):        # golden ratio^-n below 10^-(dps/2 + 5)
            c, d = hi - g * (hi - lo), lo + g * (hi - lo)
            if nsq.error(c, b_) >= nsq.error(d, b_):
                hi = d
            else:
                lo = c
        plus = nsq.error((lo + hi) / 2, b_)
        return max(plus, abs(mp.sqrt(b_) / 2 - mp.log(2)))


@pytest.mark.parametrize("bb", ["0.05", "0.7", "1.5238", "1.9", "1.9218120556728", "2.5", "3.9", "3.999"])
@pytest.mark.parametrize("dps", [15, 30])
def test_max_error_against_a_search_without_beta(bb, dps):
    assert _close(squareplus_max_error(bb, dps), _max_error_by_search(bb, dps), dps - 5)


def test_max_error_near_the_dominance_bound_and_near_4():
    with mp.workdps(50):
        bound = 4 * mp.log(2) ** 2
        for bb in (bound, bound * (1 + mp.mpf(10) ** -20), bound * (1 - mp.mpf(10) ** -20)):
            m = squareplus_max_error(bb, 40)             # the negative part vanishes: M = M_+
            assert _close(m, nsq.error(nsq.critical_point(bb), bb), 35)
        near4 = 4 - mp.mpf(10) ** -20                    # x* ~ sqrt(12 (1 - b/4)) ~ 1.7e-10
        assert _close(squareplus_max_error(near4, 40), squareplus_max_error(4, 40), 19)


def test_tiny_b_critical_point_leaves_any_fixed_window():
    with mp.workdps(40):
        bb = mp.mpf(10) ** -30
        xs = nsq.critical_point(bb)
        assert xs > 60                                   # beta(x*) = b: x* ~ log(4/b) + 2 log x*
        assert _close(nsq.beta(xs), bb, 30)
        assert _close(squareplus_max_error(bb, 30), mp.log(2) - mp.sqrt(bb) / 2, 25)


def test_inputs_int_float_str_fraction_mpf_agree():
    ref = squareplus_max_error("1.5", 30)
    for v in (1.5, Fraction(3, 2), mp.mpf("1.5")):
        assert squareplus_max_error(v, 30) == ref
    assert squareplus_max_error(0.1, 30) == squareplus_max_error("0.1", 30)   # float through str()
    assert squareplus_max_error(2, 30) == squareplus_max_error("2", 30)


@pytest.mark.parametrize("bad, match", [(0, "b=0 is outside"), (-1, "b=-1 is outside"), (10.5, "outside"),
                                        (float("nan"), "not finite"), (float("inf"), "not finite"),
                                        ("abc", "not a number"), (True, "not a bool")])
def test_max_error_rejects_bad_b(bad, match):
    with pytest.raises(ValueError, match=match):
        squareplus_max_error(bad)


@pytest.mark.parametrize("dps", [14, 30.0, "30", True])
def test_dps_must_be_an_int_at_least_15(dps):
    with pytest.raises(ValueError, match="dps="):
        squareplus_max_error(1, dps)
    with pytest.raises(ValueError, match="dps="):
        squareplus_minimax_b(dps)


def test_route_a_against_route_b_and_the_float_grid():
    bA, xA, mA = nsq.minimax_route_a(40)
    bB, xB, mB = nsq.minimax_route_b(40)
    assert _close(bB, bA, 27) and _close(mB, mA, 26) and _close(xB, xA, 15)
    bC, mC = nsq.minimax_grid_f64(n=100_001)
    assert abs(bC / float(bA) - 1) < 1e-6 and abs(mC / float(mA) - 1) < 1e-6


def test_slope_is_the_derivative_of_the_error():
    with mp.workdps(40):
        for t, bb in (("-3.1", "0.4"), ("0.2", "1.5"), ("7", "3"), ("45", "2")):
            t, bb = mp.mpf(t), mp.mpf(bb)
            assert _close(nsq.error_slope(t, bb), mp.diff(lambda z: nsq.error(z, bb), t), 30)


def test_stable_error_matches_the_definition():
    with mp.workdps(60):
        for t in ("-30", "-1.25", "0", "2.5", "30"):
            t = mp.mpf(t)
            direct = (t + mp.sqrt(t * t + 2)) / 2 - mp.log(1 + mp.exp(t))
            assert _close(nsq.error(t, mp.mpf(2)), direct, 45)
    grid = np.linspace(-30, 30, 61)
    assert np.allclose(nsq.error_f64(grid, 2.0), [float(nsq.error(t, 2)) for t in grid], rtol=1e-13, atol=0)


def test_critical_point_rejects_b_without_one():
    with pytest.raises(ValueError, match="only for 0 < b < 4"):
        nsq.critical_point(mp.mpf(4))


def test_golden_section_and_article_recipe():
    assert abs(nsq.golden_section(lambda t: (t - 0.3) ** 2, 0, 1, 1e-10) - 0.3) < 1e-8
    b_rep, g = nsq.article_recipe(tol=1e-12)
    assert abs(b_rep - float(B_STAR_TEXT)) < 5e-11 and abs(g / float(mp.log(2) - mp.sqrt(mp.mpf(B_STAR_TEXT)) / 2) - 1) < 1e-9


def test_listing_max_is_the_fixed_arithmetic_max_over_the_grid():
    sub = nsq.article_grid()[::40]                     # the whole grid in the fixed arithmetic is slow
    for a in (1.0, 1.2344, 1.23443, 1.3):
        full = max(nsq.error_listing_fixed(t, a) for t in sub.tolist())
        assert nsq.listing_max(sub, a) == full
        assert abs(full - float(np.max(nsq.error_f64_listing(sub, a)))) < 1e-15   # numpy agrees to rounding
    with pytest.raises(ValueError, match="margin=0"):
        nsq.listing_max(sub, 1.0, margin=0)
