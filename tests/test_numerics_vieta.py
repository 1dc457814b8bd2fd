"""The root engines against known roots (dps 15, 30, 100), mpmath.polyroots and numpy.roots."""
import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics import vieta as nv


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_known_quartic_and_cubic(dps):
    with mp.workdps(dps):
        tol = mp.mpf(10) ** -(dps - 5)
        assert nv.mismatch(nv.quartic_roots(10, 35, 50, 24, dps=dps), [1, 2, 3, 4]) < tol
        assert nv.mismatch(nv.cubic_roots(6, 11, 6, dps=dps), [1, 2, 3]) < tol
        # (x-1)^4: every resolvent root vanishes; the route still returns 1 four times
        assert nv.mismatch(nv.quartic_roots(4, 6, 4, 1, dps=dps), [1, 1, 1, 1]) < tol


def test_real_roots_are_chopped_and_complex_kept():
    roots = nv.quartic_roots(0, 0, 0, -1, dps=30)            # x^4 - 1
    assert sorted(r.imag for r in roots) == [-1, 0, 0, 1]


finite = st.floats(-4, 4, allow_nan=False).map(lambda v: round(v, 3))


@given(st.lists(finite, min_size=4, max_size=4), st.lists(finite, min_size=4, max_size=4))
def test_quartic_route_matches_polyroots(re, im):
    roots = [complex(a, b) for a, b in zip(re, im)]
    with mp.workdps(40):
        es = nv.elementary([mp.mpc(r) for r in roots])
    sep = min(abs(a - b) for i, a in enumerate(roots) for b in roots[i + 1:])
    ref, _ = nv.reference_roots(nv.vieta_coeffs(*es), 40)
    got = nv.quartic_roots(*es, dps=40)
    # near-multiple roots lose digits like eps^(1/m); away from them the match is 30+ digits
    tol = mp.mpf(10) ** -30 if sep > 1e-2 else mp.mpf(10) ** -8
    assert nv.mismatch(got, ref) < tol


def test_float64_route_matches_numpy_on_random_quartics():
    roots = nv.random_quartics(400, seed=2)
    es = nv.elementary_f64(roots)
    route = nv.match_error_f64(nv.quartic_roots_f64(es), roots)
    direct = nv.match_error_f64(np.array([np.roots([1, -e[0], e[1], -e[2], e[3]]) for e in es]), roots)
    assert np.median(route) < 10 * np.median(direct) + 1e-15


def test_batched_roots_are_numpys_roots_bit_for_bit():
    roots = nv.random_quartics(400, 7)
    es = nv.elementary_f64(roots)
    coeffs = np.column_stack([np.ones(len(es)), -es[:, 0], es[:, 1], -es[:, 2], es[:, 3]])
    assert np.array_equal(nv.roots_batched(coeffs), np.array([np.roots(c) for c in coeffs]))
    with pytest.raises(ValueError, match="nonzero"):
        nv.roots_batched(np.array([[0.0, 1, 2]]))


def test_vectorised_matching_pairs_the_closest_roots_first():
    true = np.array([[0, 1, 2, 3], [1j, -1j, 5, 5.5]], dtype=complex)
    found = np.array([[3.1, 2, 0.9, 0], [5.4, 5.05, -1j, 1j]], dtype=complex)
    err = nv.match_error_f64(found, true)
    assert np.allclose(err, [0.1, 0.1 / 5.5])          # 0.9 against 1; 5.4 against 5.5 after 5.05-5


def test_float64_w4_by_sqrt_fails_exactly_where_the_s7_w4_is_negative():
    roots = np.random.default_rng(3).standard_normal((2000, 4))
    es = nv.elementary_f64(roots)
    wrong = nv.match_error_f64(nv.quartic_roots_f64(es, w4_by_sqrt=True), roots) > 1e-6
    assert np.array_equal(wrong, nv.s7_f64(es)[3].real < 0)
    assert abs(wrong.mean() - 0.5) < 4 * 0.5 / np.sqrt(len(roots))      # the rate is 1/2 (x -> -x)
    assert np.all(nv.match_error_f64(nv.quartic_roots_f64(es), roots) < 1e-6)


def test_float64_w4_pitfall_agrees_with_the_50_digit_route():
    roots = np.random.default_rng(4).standard_normal((30, 4))
    es = nv.elementary_f64(roots)
    wrong64 = nv.match_error_f64(nv.quartic_roots_f64(es, w4_by_sqrt=True), roots) > 1e-6
    with mp.workdps(50):
        for row, bad in zip(roots, wrong64):
            exact = nv.elementary([mp.mpf(float(v)) for v in row])
            u = max(nv.resolvent_roots(*exact, dps=50), key=abs)
            found = nv.quartic_branch(*exact, u, dps=50, w4_by_sqrt=True)
            assert (nv.mismatch(found, [mp.mpf(float(v)) for v in row]) > mp.mpf(10) ** -40) == bad


def test_float64_route_checks_its_argument():
    with pytest.raises(ValueError, match="e must be an"):
        nv.quartic_roots_f64(np.zeros(4))
    w = nv.s7_f64(np.array([[11.0, 41, 61, 30]]))                         # roots 1, 2, 3, 5
    assert np.allclose(np.sort(nv.roots_from_w(*w).real), [[1, 2, 3, 5]])
