"""The verdict rules: symbolic first, numeric ladder second, estimates third."""
import threading
import time

import mpmath as mp
import pytest
import sympy as sp

from derivcheck import Estimate, Status, agrees, chain, identity, run_claim
from derivcheck.records import Claim
from derivcheck.symbolic import decide_zero, degree_bound

x = sp.Symbol("x", real=True)
p = sp.Symbol("p", positive=True)
v = sp.symbols("v0:5")


def make(fn, **kw) -> Claim:
    return Claim(id="t." + fn.__name__, name=fn.__name__, statement="test claim", fn=fn,
                 source="tests/test_checks.py", **kw)


def test_true_identity_is_proved_and_numerically_checked():
    verdict = run_claim(make(lambda: identity((x + 1)**2, x**2 + 2*x + 1)))
    assert verdict.status is Status.PROVED and verdict.ok
    assert "8 of 8 seeded points agree" in dict(verdict.links[0].evidence)["numeric"]


def test_false_identity_is_refuted_with_a_shrunk_point():
    verdict = run_claim(make(lambda: identity(sp.sin(2*x), 2*sp.sin(x))))
    assert verdict.status is Status.REFUTED and not verdict.ok
    assert "x = 1   (shrunk)" in verdict.message
    assert "stable at 30 and 60 dps" in verdict.message
    assert 'derivcheck check "tests/test_checks.py::<lambda>" --at x=1' in verdict.message


def test_expected_refuted_is_a_pass_only_when_refuted():
    wrong = run_claim(make(lambda: identity(x, x + 1), expected="REFUTED", why="planted"))
    right = run_claim(make(lambda: identity(x, x), expected="REFUTED", why="planted"))
    assert wrong.ok and not right.ok


def test_polynomial_identity_gets_schwartz_zippel_bound():
    d = decide_zero(sp.Integer(0) + (v[0] + v[1])**3 - (v[0] + v[1])**2 * (v[1] + v[0]) + 1 - 1 + v[2] - v[2]
                    + sp.Symbol("q") - sp.Symbol("q"))
    assert d.outcome == "zero"
    big = sum(v)**12 - sp.expand(sum(v)**12)
    d = decide_zero(big.subs(v[4], v[3] + 1) - big.subs(v[4], v[3] + 1))
    assert d.outcome == "zero"


def test_schwartz_zippel_decides_when_expand_is_skipped():
    from derivcheck.symbolic import schwartz_zippel
    outcome, text = schwartz_zippel((v[0] + v[1])**5 - sp.expand((v[0] + v[1])**5), seed=3)
    assert outcome == "zero" and "Schwartz-Zippel" in text and "<= " in text
    outcome, point, value = schwartz_zippel((v[0] + v[1])**5 - sp.expand((v[0] - v[1])**5), seed=3)
    assert outcome == "nonzero" and value != 0


def test_degree_bound():
    assert degree_bound(v[0]**3 * v[1] / (v[0] + 1) + 1) == (4, 1)


def test_hanging_simplification_times_out_inconclusive():
    s = sum(v)
    hang = lambda: identity(s**60, s**30 * (s + 1)**30)   # expand of a 60th power runs for minutes
    t0 = time.perf_counter()
    verdict = run_claim(make(hang, timeout=0.5, points=0))
    assert time.perf_counter() - t0 < 10
    assert verdict.status is Status.INCONCLUSIVE and not verdict.ok
    assert "stopped after 0.5 s in stage 'expand'" in verdict.message


def test_timeout_works_off_the_main_thread():
    s = sum(v)
    out = {}
    th = threading.Thread(target=lambda: out.update(d=decide_zero(s**60 - s**59 * (s + 2), timeout=0.5)))
    th.start()
    th.join(15)
    assert out["d"].outcome == "timeout"


def test_symbolic_timeout_falls_back_to_numeric_evidence():
    s = sum(v)
    verdict = run_claim(make(lambda: identity(s**60, s**30 * (s + 1)**30), timeout=0.5))
    assert verdict.status is Status.REFUTED
    assert "symbolic" in verdict.message


def test_tiny_values_are_compared_relatively():
    verdict = run_claim(make(lambda: identity(p / sp.Integer(2)**99, p / sp.Integer(2)**98)))
    assert verdict.status is Status.REFUTED
    assert "rel 5.00e-1" in verdict.message


def test_value_near_zero_is_reevaluated_not_refuted():
    n = sp.Symbol("n", integer=True)
    verdict = run_claim(make(lambda: identity(sp.sin(sp.pi * n) + sp.Integer(0) * n, 0)))
    assert verdict.status in (Status.PROVED, Status.CONFIRMED), verdict.message


def test_claim_that_raises_is_error_naming_the_line():
    def boom():
        return identity(1 / sp.Integer(0) * sp.nan, [][1])
    verdict = run_claim(make(boom))
    assert verdict.status is Status.ERROR
    assert "IndexError" in verdict.message and "tests/test_checks.py:" in verdict.message


def test_claim_returning_a_bool_is_error():
    verdict = run_claim(make(lambda: sp.Eq(x, x)))
    assert verdict.status is Status.ERROR and "not identity(), chain(), agrees()" in verdict.message


def test_identity_refuses_sympy_eq():
    with pytest.raises(TypeError, match="collapses"):
        identity(sp.Eq(x, x), x)


def test_chain_names_failing_step_and_residual():
    c = make(lambda: chain(("a", (x + 1)**2), ("b", x**2 + 2*x + 1), ("c", x**2 + 2*x + 2)))
    verdict = run_claim(c)
    assert verdict.summary.endswith('REFUTED at step 3 of 3: "c" (expected pass)')
    assert "step3 - step2 = 1" in verdict.message
    assert "2. b: PROVED" in verdict.message


def test_agreement_rules():
    est = Estimate(0.502, 0.001, "mc", n=10_000, seed=1)
    assert run_claim(make(lambda: agrees(est, 0.5), tag="numeric")).status is Status.CONFIRMED
    assert run_claim(make(lambda: agrees(est, 0.51), tag="numeric")).status is Status.REFUTED
    noisy = run_claim(make(lambda: agrees(est, 0.5, max_error=1e-4), tag="numeric"))
    assert noisy.status is Status.INCONCLUSIVE and "raise n or dps" in noisy.message


def test_dps_dependent_agreement_is_inconclusive_when_rungs_differ():
    def at(dps):
        with mp.workdps(dps):
            value = mp.mpf(1) + (mp.mpf(10)**-35 if dps == 60 else 0)   # off by 1e-35 at 60 dps only
        return agrees(Estimate(value, 0, "x", dps), 1, atol=mp.mpf(10)**-(dps - 10))
    verdict = run_claim(make(at, tag="numeric", dps=(30, 60)))
    assert verdict.status is Status.INCONCLUSIVE and "depends on precision" in verdict.message


def test_matrix_identity_entrywise():
    A = sp.Matrix(2, 2, sp.symbols("a0:4"))
    assert run_claim(make(lambda: identity((A * A).T, A.T * A.T))).status is Status.PROVED


def test_matrix_chain_names_the_compensating_step():
    M = lambda a: sp.Matrix([[a, 0], [0, 1]])
    verdict = run_claim(make(lambda: chain(("a", M(x)), ("b", M(x + 1)), ("c", M(x)))))
    assert verdict.status is Status.REFUTED and verdict.basis == "symbolic (expand)"
    assert "expand leaves the constant 1 (entry 0)" in verdict.message
    assert "local to step 2" in verdict.message
