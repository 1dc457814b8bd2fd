"""The four Top-k constructions: float64 against mpmath (dps 15, 30, 100), the property tests of
the spec (hypothesis), stability at small tau, and the input errors."""
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from numerics import topk_smoothing as nt

FUNCS = (nt.grad_topk, nt.sigmoid_topk, nt.exp_topk, nt.smooth_topk)
SYMMETRIC = (nt.grad_topk, nt.sigmoid_topk, nt.smooth_topk)
XH = [0.3, -1.2, 2.5, 0.8, 1.9, -0.4]


@pytest.mark.parametrize("dps", [15, 30, 100])
@pytest.mark.parametrize("f", FUNCS)
def test_mpmath_mode_sums_to_k(f, dps):
    p = f(XH, 3, 0.5, dps=dps)
    with mp.workdps(dps):
        assert all(isinstance(v, mp.mpf) for v in p)
        assert abs(mp.fsum(p) - 3) <= 3 * mp.mpf(10) ** -(dps - 5)


def test_grad_topk_against_enumeration_at_100_digits():
    import itertools
    with mp.workdps(110):
        z = [mp.mpf(str(v)) / mp.mpf("0.5") for v in XH]
        subs = list(itertools.combinations(range(6), 3))
        w = [mp.exp(mp.fsum(z[i] for i in S)) for S in subs]
        ref = [mp.fsum(wi for wi, S in zip(w, subs) if i in S) / mp.fsum(w) for i in range(6)]
    p = nt.grad_topk(XH, 3, 0.5, dps=100)
    assert max(abs(a - b) for a, b in zip(p, ref)) < mp.mpf(10) ** -95


@pytest.mark.parametrize("f", FUNCS)
@pytest.mark.parametrize("tau", [1, 0.1, 0.01, 1e-3])
def test_float64_matches_mpmath_down_to_small_tau(f, tau):
    p64 = f(XH, 3, tau)
    ref = f(XH, 3, tau, dps=nt.adaptive_dps(3.7, tau))
    assert np.all(np.isfinite(p64)) and p64.min() >= 0 and p64.max() <= 1
    assert max(abs(float(a) - b) for a, b in zip(ref, p64)) < 1e-12


def test_exp_topk_saturates_to_exactly_one():
    p = nt.exp_topk([10.0, 9.0, 0.0, 0.0], 3)
    assert p[0] == 1.0 and p[1] == 1.0


@pytest.mark.parametrize("args, match", [
    (([1, 2, 3], 0), "1 <= k <= n-1"), (([1, 2, 3], 3), "1 <= k <= n-1"), (([1], 1), "1 <= k"),
    (([1, 2, 3], 1.5), "integer"), (([[1, 2], [3, 4]], 1), "one-dimensional"),
    (([1, float("nan"), 3], 1), "finite"), (([1, 2, 3], 1, 0.0), "tau"), (([1, 2, 3], 1, float("inf")), "tau"),
    (([1e308, 0, 0], 1, 1e-10), "x/tau"),
])
def test_bad_input(args, match):
    for f in FUNCS:
        with pytest.raises(ValueError, match=match):
            f(*args)


def test_bad_dps():
    with pytest.raises(ValueError, match="dps"):
        nt.grad_topk(XH, 2, dps=0)


def test_the_missing_branch_is_used_for_large_k():
    p = nt.smooth_topk([0, 0.1, 0.2], 2, dps=30)
    with mp.workdps(30):
        assert abs(mp.fsum(p) - 2) < mp.mpf(10) ** -25
    assert abs(nt.smooth_topk([0, 0.1, 0.2], 2).sum() - 2) < 1e-12


def _distinct(xs, gap=1e-3):
    s = sorted(xs)
    return all(b - a >= gap for a, b in zip(s, s[1:]))


vectors = st.lists(st.floats(-20, 20, allow_nan=False), min_size=2, max_size=8).filter(_distinct)


@given(vectors, st.data())
def test_properties_in_float64(x, data):
    x = np.array(x)
    n = x.size
    k = data.draw(st.integers(1, n - 1))
    c = data.draw(st.floats(-100, 100))
    perm = np.array(data.draw(st.permutations(range(n))))
    for f in FUNCS:
        p = f(x, k)
        assert abs(p.sum() - k) <= 1e-12 * k
        assert p.min() >= 0 and p.max() <= 1
        order = np.argsort(x)
        assert np.all(np.diff(p[order]) >= -1e-12)
        assert np.max(np.abs(f(x + c, k) - p)) <= 1e-12
        assert np.max(np.abs(f(x[perm], k) - p[perm])) <= 1e-12
    for f in SYMMETRIC:
        assert np.max(np.abs(f(x, k) - (1 - f(-x, n - k)))) <= 1e-12


@given(vectors, st.floats(1e-3, 10))
def test_k1_reductions(x, tau):
    x = np.array(x)
    z = x / tau
    soft = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert np.max(np.abs(nt.grad_topk(x, 1, tau) - soft)) < 1e-12
    assert np.max(np.abs(nt.exp_topk(x, 1, tau) - soft)) < 1e-12
    if soft.max() <= 0.5 - 1e-9:
        assert np.max(np.abs(nt.smooth_topk(x, 1, tau) - soft)) < 1e-12


@given(vectors.filter(lambda v: len(v) <= 6), st.data())
def test_strict_checks_in_mpmath(x, data):
    k = data.draw(st.integers(1, len(x) - 1))
    dps = nt.adaptive_dps(max(x) - min(x), 1)
    order = np.argsort(x)
    for f in SYMMETRIC:
        p = f(x, k, 1, dps=dps)
        assert all(0 < v < 1 for v in p)
        ps = [p[i] for i in order]
        assert all(a < b for a, b in zip(ps, ps[1:]))
    p = nt.exp_topk(x, k, 1, dps=dps)
    assert all(0 < v <= 1 for v in p)


@given(vectors, st.data())
def test_smooth_max_bound(x, data):
    k = data.draw(st.integers(1, len(x) - 1))
    top = sum(sorted(x, reverse=True)[:k])
    gap = nt.log_ek(x, k, 1, 30) - top
    assert -1e-20 <= gap <= math.log(math.comb(len(x), k)) + 1e-20
