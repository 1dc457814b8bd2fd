"""The Fourier-density engines: known results (dps 15, 30, 100), argument checks, and each public
engine against a second route (quadrature of |A|^2, the periodic trapezoidal rule)."""
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numerics import fourier_density as fd

REF = ["1", "0.6-0.3j", "-0.2+0.4j"]

part = st.floats(-1, 1, allow_nan=False).map(lambda v: round(v, 3))
entry = st.tuples(part, part).map(lambda t: complex(*t))
params = st.lists(entry, min_size=1, max_size=5).filter(lambda a: any(abs(v) > 0.05 for v in a))
points = st.floats(-1, 1, allow_nan=False).map(lambda v: round(v, 4))


def quad_cdf(a, x, dps):
    """Phi by quadrature of |A|^2 / (2 sum |a_k|^2): no c_n, no closed form."""
    with mp.workdps(dps + 10):
        ak = fd.coefficients(a, dps)
        A = lambda t: mp.fsum(v * mp.expjpi(-k * t) for k, v in enumerate(ak))
        x = mp.mpf(str(x)) if isinstance(x, float) else mp.mpf(x)     # floats through str, as the engine
        val = mp.quad(lambda t: abs(A(t)) ** 2, [-1, x]) if x > -1 else 0
        return val / (2 * mp.fsum(abs(v) ** 2 for v in ak))


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_known_cdf_and_energy(dps):
    # a = (1, 1): f = 2 + 2 cos(pi x), p = (1 + cos(pi x))/2, Phi = (x+1)/2 + sin(pi x)/(2 pi), int |f'|^2 = 4 pi^2
    with mp.workdps(dps):
        tol = mp.mpf(10) ** -(dps - 5)
        x = mp.mpf(3) / 10
        phi = fd.fourier_density_cdf([1, 1], "0.3", dps)
        assert isinstance(phi, mp.mpf)
        assert abs(phi - ((x + 1) / 2 + mp.sin(mp.pi * x) / (2 * mp.pi))) < tol
        assert abs(fd.fourier_density_derivative_energy([1, 1], dps) - 4 * mp.pi**2) < tol * 40
        # a single coefficient: the uniform density, Phi(x) = (x+1)/2, no energy
        assert abs(fd.fourier_density_cdf([2j], "-0.5", dps) - mp.mpf(1) / 4) < tol
        assert fd.fourier_density_derivative_energy(["3"], dps) == 0


@pytest.mark.parametrize("dps", [15, 30, 100])
def test_cdf_ends_and_reference_instance(dps):
    with mp.workdps(dps):
        tol = mp.mpf(10) ** -(dps - 5)
        assert abs(fd.fourier_density_cdf(REF, -1, dps)) < tol
        assert abs(fd.fourier_density_cdf(REF, 1, dps) - 1) < tol
        assert abs(fd.fourier_density_cdf(REF, "0.3", dps) - quad_cdf(REF, "0.3", dps)) < tol


@settings(max_examples=15)
@given(params, points)
def test_cdf_against_quadrature(a, x):
    with mp.workdps(30):
        assert abs(fd.fourier_density_cdf(a, x, 30) - quad_cdf(a, x, 30)) < mp.mpf(10) ** -25


@settings(max_examples=15)
@given(params)
def test_energy_against_trapezoid_and_quadrature(a):
    N = len(a) - 1
    c = fd.autocorrelation(a, 30)
    with mp.workdps(40):
        fp = lambda t: -2 * mp.pi * mp.fsum(n * (c[n] * mp.expjpi(n * t)).imag for n in range(1, N + 1))
        trap = fd.periodic_trapezoid(lambda t: fp(t) ** 2, 2 * N + 1, 30)
        ak = fd.coefficients(a, 30)
        def fprime(t):                                   # f' = 2 Re(A' conj A): without c_n
            z = [mp.expjpi(-k * t) for k in range(N + 1)]
            A = mp.fsum(v * z[k] for k, v in enumerate(ak))
            return 2 * (mp.fsum(-mp.j * mp.pi * k * v * z[k] for k, v in enumerate(ak)) * mp.conj(A)).real
        quad = mp.quad(lambda t: fprime(t) ** 2, [-1, 0, 1])
    e = fd.fourier_density_derivative_energy(a, 30)
    scale = max(1, abs(e))
    assert abs(e - trap) < mp.mpf(10) ** -25 * scale
    assert abs(e - quad) < mp.mpf(10) ** -25 * scale


def test_trapezoid_with_too_few_nodes_is_not_exact():
    """The pitfall the trapezoid route avoids: M <= 2N nodes alias |f'|^2."""
    c = fd.autocorrelation(REF, 30)
    fp = lambda t: -2 * mp.pi * mp.fsum(n * (c[n] * mp.expjpi(n * t)).imag for n in (1, 2))
    exact = fd.fourier_density_derivative_energy(REF, 30)
    assert abs(fd.periodic_trapezoid(lambda t: fp(t) ** 2, 3, 30) - exact) > 1e-3


@settings(max_examples=15)
@given(params, points)
def test_density_is_abs_A_squared_with_the_sign_convention(a, x):
    with mp.workdps(30):
        c0 = fd.autocorrelation(a, 30)[0]
        direct = abs(fd.amplitude(a, x, 30)) ** 2 / (2 * c0)
        assert abs(fd.density(a, x, 30) - direct) < mp.mpf(10) ** -25


def test_sign_convention_on_a_non_symmetric_instance():
    # mixing conventions (c_n on exp(-i pi n x)) mirrors the density: p(x) != p(-x) here
    with mp.workdps(30):
        p = fd.density(REF, "0.5", 30)
        assert abs(p - fd.density(REF, "-0.5", 30)) > 0.05
        assert abs(p - abs(fd.amplitude(REF, "0.5", 30)) ** 2 / (2 * fd.autocorrelation(REF, 30)[0])) < 1e-25


@settings(max_examples=15)
@given(params, st.floats(0, 6.28))
def test_phase_and_reversal_invariance(a, phi):
    rot = [complex(v * complex(math.cos(phi), math.sin(phi))) for v in a]
    rev = [complex(v).conjugate() for v in reversed(a)]
    for x in ("-0.7", "0.2"):
        p = fd.density(a, x, 20)
        assert abs(fd.density(rot, x, 20) - p) < 1e-12
        assert abs(fd.density(rev, x, 20) - p) < 1e-15


def test_other_number_types():
    from fractions import Fraction
    with mp.workdps(30):
        third = fd.fourier_density_cdf([1, 1], Fraction(1, 3), 30)
        assert abs(third - (mp.mpf(2) / 3 + mp.sin(mp.pi / 3) / (2 * mp.pi))) < mp.mpf(10) ** -25
        assert fd.fourier_density_cdf([np.float64(1), np.complex128(1)], np.float64(0.25), 30) == \
            fd.fourier_density_cdf(["1", "1"], "0.25", 30)


def test_floats_go_through_str():
    with mp.workdps(30 + fd.GUARD):
        assert fd.coefficients([0.1], 30)[0] == mp.mpc("0.1")
        assert fd.coefficients([0.1 + 0.2j], 30)[0] == mp.mpc("0.1", "0.2")
    assert fd.fourier_density_cdf([1, 0.1], 0.1, 30) == fd.fourier_density_cdf(["1", "0.1"], "0.1", 30)


@pytest.mark.parametrize("a, match", [
    ([], "non-empty"), ("1,2", "non-empty"), ([0, 0j, "0"], "all entries are zero"),
    ([1, float("nan")], r"a\[1\]=nan: entries must be finite"), ([1, "inf"], "finite"),
    ([1, complex(0, float("inf"))], "finite"), ([1, "abc"], "not a number"), ([1, None], "give a real or complex"),
])
def test_bad_parameters(a, match):
    with pytest.raises(ValueError, match=match):
        fd.fourier_density_cdf(a, 0)
    with pytest.raises(ValueError, match=match):
        fd.fourier_density_derivative_energy(a)


@pytest.mark.parametrize("x", [1.5, -1.0001, "2", float("nan"), float("inf"), 0.5j, mp.mpc(0, 1), "x", True])
def test_bad_x(x):
    with pytest.raises(ValueError, match="x="):
        fd.fourier_density_cdf(REF, x)


@pytest.mark.parametrize("dps", [14, 30.0, True, "30", None])
def test_bad_dps(dps):
    with pytest.raises(ValueError, match="dps="):
        fd.fourier_density_cdf(REF, 0, dps)
    with pytest.raises(ValueError, match="dps="):
        fd.fourier_density_derivative_energy(REF, dps)


def test_critical_minimum_against_a_dense_grid():
    fmin, xmin = fd.critical_min(REF, 30)
    grid = np.linspace(-1, 1, 20001)
    f64 = fd.density_f64(REF, grid) * 2 * 1.65
    assert fmin <= f64.min() + 1e-12                    # a grid minimum is an upper bound
    assert abs(float(fmin) - f64.min()) < 1e-6
    with mp.workdps(30):
        assert abs(fd.density(REF, xmin, 30) * 2 * fd.autocorrelation(REF, 30)[0] - fmin) < 1e-25


def test_float64_routes_match_the_mpmath_engine():
    xs = np.linspace(-1, 1, 41)
    phi64 = fd.cdf_f64(REF, xs)
    p64 = fd.density_f64(REF, xs)
    for x, v, p in zip(xs, phi64, p64):
        assert abs(float(fd.fourier_density_cdf(REF, float(x), 30)) - v) < 1e-14
        assert abs(float(fd.density(REF, float(x), 30)) - p) < 1e-14


def test_inverse_cdf_round_trip_and_seeded_sampling():
    u = np.linspace(0.0005, 0.9995, 999)
    x = fd.inverse_cdf_f64(REF, u)
    assert np.max(np.abs(fd.cdf_f64(REF, x) - u)) < 1e-12
    assert np.array_equal(fd.sample(REF, 1000, 3), fd.sample(REF, 1000, 3))
    with pytest.raises(ValueError, match="n="):
        fd.sample(REF, 0, 1)


def test_toeplitz_sections_of_an_autocorrelation_are_psd():
    c = fd.autocorrelation(REF, 30)
    T = fd.toeplitz(c, 12, 30)
    assert fd.min_eigenvalue(T, 30) > 0
    T64 = fd.toeplitz_f64(c, 12)
    assert np.allclose(np.array(T.tolist(), dtype=complex), T64, rtol=0, atol=1e-15)


def test_cholesky_certificate_against_the_eigenvalue():
    """T + s I has a Cholesky factor exactly when s > -lambda_min (a second route to lambda_min)."""
    T = fd.toeplitz(fd.autocorrelation(REF, 30), 12, 30)
    lam = fd.min_eigenvalue(T, 30)
    assert fd.is_positive_definite(T, 0, 30)
    assert fd.is_positive_definite(T, -lam + mp.mpf(10) ** -10, 30)
    assert not fd.is_positive_definite(T, -lam - mp.mpf(10) ** -10, 30)


@pytest.mark.parametrize("a, xmin", [([1, -1], 0), ([1, 2, 1], 1), ([1, 0, 0, 1j], mp.mpf(-5) / 6)])
def test_critical_minimum_where_A_vanishes_on_the_circle(a, xmin):
    """min f = 0 where A has a zero on the unit circle (a double or higher root of f')."""
    fmin, x = fd.critical_min(a, 30)
    assert abs(fmin) < 1e-20
    assert abs(x - xmin) < 1e-8
