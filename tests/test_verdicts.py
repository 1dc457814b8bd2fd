"""Verdicts that say exactly what was shown: scope, kinds of finding, per-link expectations,
consistency, resolving power, evaluation at working precision, limits, process independence."""
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import clirun

from derivcheck import Estimate, InvalidClaim, Status, agrees, chain, claim, identity
from derivcheck.grade import grade
from derivcheck.numeric import to_exact
from derivcheck.records import Link
from derivcheck.registry import load_article
from derivcheck.run import run_claim

ROOT = Path(__file__).resolve().parents[1]
KNOWN_BAD = ROOT / "tests" / "known_bad"
x = sp.Symbol("x", real=True)
y = sp.Symbol("y", positive=True)


def _claim(fn, **kw):
    claim(fn.__name__.replace("_", "-"), "a test claim", **kw)(fn)
    return fn.__claim__


# --- scope ------------------------------------------------------------------------------------

def test_instances_are_confirmed_not_proved():
    def inst():
        return [identity(sp.Integer(n) ** 2, sp.Integer(n * n)) for n in (2, 3)]
    v = run_claim(_claim(inst, scope="instances"))
    assert v.status is Status.CONFIRMED and v.ok and v.scope == "exact on 2 instances"


def test_general_proof_has_general_scope():
    def gen():
        return identity((y + 1) ** 2, y**2 + 2 * y + 1)
    v = run_claim(_claim(gen))
    assert v.status is Status.PROVED and v.scope == "in general"


# --- kinds of finding and per-link expectations -------------------------------------------------

def test_expected_refuted_needs_a_finding():
    with pytest.raises(InvalidClaim, match="finding="):
        claim("f", "s", expected="REFUTED", why="w")(lambda: None)
    with pytest.raises(InvalidClaim, match="only for expected='REFUTED'"):
        claim("g", "s", finding="pitfall")(lambda: None)


def _link(i, status, expect="pass", consistency=False):
    return Link(i, f"l{i}", status, "b", expect=expect, consistency=consistency, scope="points")


def test_grade_a_supporting_link_cannot_hide():
    def graded_refuted():
        pass
    c = _claim(graded_refuted, expected="REFUTED", finding="article-error", why="w")
    g = grade(c, [_link(1, Status.REFUTED), _link(2, Status.REFUTED, "REFUTED")])
    assert g.status is Status.REFUTED and not g.ok and "supporting link 1" in g.problem
    g = grade(c, [_link(1, Status.PROVED), _link(2, Status.REFUTED, "REFUTED")])
    assert g.ok and g.status is Status.REFUTED
    g = grade(c, [_link(1, Status.PROVED), _link(2, Status.REFUTED)])      # finding not named
    assert not g.ok and "must name its finding" in g.problem


def test_grade_consistency_alone_is_inconclusive():
    def graded_pass():
        pass
    c = _claim(graded_pass)
    assert grade(c, [_link(1, Status.CONFIRMED, consistency=True)]).status is Status.INCONCLUSIVE
    assert grade(c, [_link(1, Status.CONFIRMED, consistency=True), _link(2, Status.CONFIRMED)]).ok


def test_chain_expect_refuted_names_the_typo():
    def typo():
        return chain(("a", (y + 1) ** 2), ("typo", y**2 + 2 * y + 2), ("back", (y + 1) ** 2),
                     expect_refuted=(2, 3))
    v = run_claim(_claim(typo, expected="REFUTED", finding="article-error", why="a typo"))
    assert v.ok, v.message


# --- resolving power --------------------------------------------------------------------------

def test_resolution_rejects_loose_tolerance_and_zero_without_scale():
    def loose():
        return agrees(Estimate(1.04, 0.2, "mc"), 1.0)             # 4 sigma = 0.8 of the value
    v = run_claim(_claim(loose))
    assert v.status is Status.INCONCLUSIVE and "cannot resolve" in v.message

    def zero():
        return agrees(Estimate(1e-3, 0, "diff"), 0, atol=1e-2)
    assert "declare scale=" in run_claim(_claim(zero)).message

    def declared():
        return agrees(Estimate(1e-3, 0, "diff"), 0, atol=1e-2, scale=1)
    assert run_claim(_claim(declared)).status is Status.CONFIRMED


def test_estimate_from_samples_computes_its_error():
    rng = np.random.default_rng(0)
    e = Estimate.from_samples(rng.standard_normal(10_000), "normal", seed=0)
    assert abs(e.error - 0.01) < 1e-3 and "computed" in e.error_text()
    assert "supplied" in Estimate(1.0, 0.1).error_text()
    b = Estimate.from_series(np.repeat(rng.standard_normal(100), 50), "blocks", batches=20)
    iid = Estimate.from_samples(np.repeat(rng.standard_normal(100), 50), "naive")
    assert b.error > 3 * iid.error                          # batch means see the correlation
    with pytest.raises(ValueError, match="batches"):
        Estimate.from_series([1.0, 2.0, 3.0], "short", batches=2)


# --- evaluation that never loses precision ------------------------------------------------------

def test_points_are_read_exactly():
    assert to_exact("0.1") == sp.Rational(1, 10)
    assert to_exact("1.5-2j") == sp.Rational(3, 2) - 2 * sp.I


def test_symbolic_limit_sum_is_not_refuted():
    k = sp.Symbol("k", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)

    def geo():
        return identity(sp.Sum(sp.Rational(1, 2) ** k, (k, 1, n)), 1 - sp.Rational(1, 2) ** n)
    v = run_claim(_claim(geo, timeout=2, simplifiers=(lambda e: e.subs(n, n),)))
    assert v.ok, v.message


def test_unevaluated_derivative_and_integral_are_evaluated():
    t = sp.Symbol("t", real=True)

    def deriv():
        return identity(sp.Derivative(y * sp.log(y), y), sp.log(y) + 1)

    def integ():
        return identity(sp.Integral(t * sp.exp(-t**2), (t, 0, y)), (1 - sp.exp(-y**2)) / 2)
    for fn in (deriv, integ):
        v = run_claim(_claim(fn))
        assert v.ok, v.message


def test_difference_below_working_precision_is_found():
    a, b, c = sp.symbols("a b c", real=True)

    def mask():
        return identity(sp.exp(a) / (sp.exp(a) + sp.exp(b) + sp.exp(c - 10000)),
                        sp.exp(a) / (sp.exp(a) + sp.exp(b)))
    v = run_claim(_claim(mask))
    assert v.status is Status.REFUTED and "residual itself is not zero" in v.message, v.message
    assert "inf digits" not in v.message.split("numeric")[0]


def test_residual_printed_whole_not_its_numerator():
    def tiny():
        return identity(sp.Integer(1), 1 - sp.exp(-100))
    v = run_claim(_claim(tiny))
    assert v.status is Status.REFUTED and "constant -1" not in v.message and "exp(-100)" in v.message


def test_refuted_carries_a_second_route_and_certification():
    def wrong():
        return identity(sp.sin(2 * x), 2 * sp.sin(x))
    v = run_claim(_claim(wrong))
    assert v.status is Status.REFUTED and "second    : SymPy evalf" in v.message
    assert "certified" in v.message


def test_sign_hint_only_when_the_positive_point_holds():
    def holds_for_positive():
        return identity(sp.sqrt(x**2), x)

    def fails_everywhere():
        return identity(x**2, x**3)
    assert "hint" in run_claim(_claim(holds_for_positive)).message
    assert "hint" not in run_claim(_claim(fails_everywhere)).message


# --- a limit on everything a claim does ---------------------------------------------------------

def test_a_looping_claim_stops_and_the_others_run():
    t0 = time.monotonic()
    res = clirun.cli("check", KNOWN_BAD / "loops_forever.py", cwd=ROOT, timeout=120)
    assert time.monotonic() - t0 < 60
    assert res.returncode == 1 and "loops INCONCLUSIVE" in res.stdout and "limit of 0.5 s" in res.stdout
    assert "2 as expected, 1 not, of 3 claims" in res.stdout, res.stdout


def test_a_looping_claim_fails_one_pytest_item(pytester):
    pytester.makeconftest('pytest_plugins = ["derivcheck.pytest_plugin"]')
    pytester.mkdir("derivations")
    (pytester.path / "derivations" / "loops.py").write_text((KNOWN_BAD / "loops_forever.py").read_text())
    pytester.runpytest("derivations", "-p", "no:cacheprovider").assert_outcomes(passed=2, failed=1)


# --- verdicts independent of the process --------------------------------------------------------

def _verify_json(tmp: Path, seed: str, targets) -> list:
    out = tmp / f"v{seed}.json"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-m", "derivcheck", "check", *map(str, targets), "--json", str(out),
                    "--no-cache"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)
    recs = json.loads(out.read_text())["claims"]
    for r in recs:
        r.pop("seconds", None)
    return recs


@pytest.mark.slow
def test_verdicts_do_not_depend_on_the_hash_seed(tmp_path):
    """The whole known-bad corpus (one file's simplify is hash-order dependent) under three seeds."""
    files = sorted(KNOWN_BAD.glob("*.py"))
    runs = [_verify_json(tmp_path, s, files) for s in ("1", "6", "12345")]
    assert len(runs[0]) >= 49 and runs[0] == runs[1] == runs[2]
    assert next(r for r in runs[0] if r["id"] == "simplify_false_zero.angle")["verdict"] == "REFUTED"


def test_float64_rounding_noise_is_shown_as_a_bound_not_digits():
    def noise():
        return agrees(Estimate(4.398e-16, 0, "float64 route"), 0, atol=1e-10, scale=1)

    def real():
        return agrees(Estimate(3e-12, 0, "float64 route"), 0, atol=1e-10, scale=1)
    quiet, loud = run_claim(_claim(noise)), run_claim(_claim(real))
    assert quiet.status is loud.status is Status.CONFIRMED
    assert quiet.floored and "4.398" not in str(quiet.latex) and "below }10^{-13}" in quiet.latex[0][1]
    assert not loud.floored and "rounding noise" not in loud.latex[0][1] and "3" in loud.latex[0][1]
