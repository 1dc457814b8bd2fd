"""bound(), extremum(), minimax() and certify_difference(): verdicts, certificates, evidence."""
import time
from dataclasses import replace

import pytest
import sympy as sp

from derivcheck import Claim, Status, bound, extremum, minimax, run_claim
from derivcheck.bounds import certify_difference, gap_figure

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
B = 4 * sp.log(2) ** 2
SQUAREPLUS = lambda b: (x + sp.sqrt(x**2 + b)) / 2
SOFTPLUS = sp.log(1 + sp.exp(x))


def _run(item, name="c", **kw):
    c = Claim(f"t.{name}", name, "a statement", lambda: item, source="tests/t.py", **kw)
    return run_claim(c)


def _link(item, **kw):
    return _run(item, **kw).links[0]


def _ev(link) -> dict:
    return dict(link.evidence)


# --- bounds: proved -----------------------------------------------------------------------------

def test_squareplus_proved_on_the_box_with_its_tight_point_found():
    t0 = time.process_time()
    link = _link(bound(SOFTPLUS, SQUAREPLUS(B), domain={x: (-30, 30)}))
    assert link.status is Status.PROVED and link.scope == "box"
    assert "x = 0" in _ev(link)["tight"] and "sub-boxes" in _ev(link)["certified"]
    assert time.process_time() - t0 < 5


def test_squareplus_proved_on_all_of_r_with_tail_chains():
    link = _link(bound(SOFTPLUS, SQUAREPLUS(B), tight=({x: 0},),
                       tails={sp.oo: [x + sp.exp(-x), x + 1 / (x + 1) ** 2],
                              -sp.oo: [sp.exp(x), 1 / (x - 1) ** 2]}))
    assert link.status is Status.PROVED, link.evidence
    tails = [t for k, t in link.evidence if k == "tails"]
    assert len(tails) == 2 and all("proved exactly" in t for t in tails)


def test_squareplus_without_tails_is_confirmed_with_the_certified_part_apart():
    link = _link(bound(SOFTPLUS, SQUAREPLUS(B)))
    assert link.status is Status.CONFIRMED and link.scope == "points"
    assert "[-30, 30]" in _ev(link)["certified"] and "search only" in _ev(link)["tails"]


def test_squareplus_with_b_slightly_small_is_refuted_at_a_certified_point():
    v = _run(bound(SOFTPLUS, SQUAREPLUS(B - sp.Rational(1, 1000))))
    link = v.links[0]
    assert v.status is Status.REFUTED and link.certified.startswith("rhs - lhs in [")
    assert _ev(link)["at"].startswith("x = 0") and "--at x=0" in link.reproduce


def test_exp_above_its_tangent_is_proved_on_r_by_quick_tail_rules():
    link = _link(bound(1 + x, sp.exp(x)))
    assert link.status is Status.PROVED and "rising" in " ".join(t for k, t in link.evidence if k == "tails")


def test_a_manifest_sign_is_proved_in_general():
    link = _link(bound(-1, x**2 + sp.exp(y)))
    assert link.status is Status.PROVED and link.scope == "general"


def test_two_variables_with_a_small_margin():
    g = x**2 + y**2 - sp.Rational(3, 5) * x + sp.Rational(2, 5) * y + sp.Rational(13, 100)
    t0 = time.process_time()
    link = _link(bound(-sp.Rational(1, 10**10), g, domain={x: (-1, 1), y: (-1, 1)}))
    assert link.status is Status.PROVED and time.process_time() - t0 < 5


# --- bounds: refuted, undecided -----------------------------------------------------------------

def test_strict_bound_with_equality_is_refuted_exactly():
    link = _link(bound(2 * x, x**2 + 1, strict=True, tight=({x: 1},)))
    assert link.status is Status.REFUTED and "exactly" in link.certified


def test_a_bound_violated_only_far_out_is_found_and_shrunk():
    link = _link(bound(sp.log(1 + x**2), 12))
    assert link.status is Status.REFUTED and _ev(link)["at"].startswith("x = 500")


def test_reproduce_line_pins_the_point():
    c = Claim("t.p", "p", "s", lambda: bound(SOFTPLUS, SQUAREPLUS(B - sp.Rational(1, 1000))),
              source="tests/t.py")
    assert run_claim(replace(c, domain={"x": ["0"]}, points=1)).status is Status.REFUTED
    ok = Claim("t.q", "q", "s", lambda: bound(SOFTPLUS, SQUAREPLUS(B)), source="tests/t.py")
    assert run_claim(replace(ok, domain={"x": ["2"]}, points=1)).status is Status.CONFIRMED


def test_no_ball_implementation_falls_back_to_the_search():
    link = _link(bound(sp.besselj(0, x), 1, domain={x: (0, 10)}))
    assert link.status is Status.CONFIRMED and "besselj" in _ev(link)["certified"]


def test_complex_symbols_are_refused():
    z = sp.Symbol("z")
    v = _run(bound(0, sp.Abs(z)))
    assert v.status is Status.ERROR and "real=True" in v.message


def test_same_inputs_same_report():
    item = bound(sp.log(1 + x**2), 12)
    assert _run(item).message == _run(item).message


# --- extrema and minimax ------------------------------------------------------------------------

def test_extremum_proved_and_refuted_both_ways():
    f = x * sp.exp(-x)
    assert _link(extremum(f, over={x: (0, 5)}, value=1 / sp.E, at={x: 1})).status is Status.PROVED
    low = _link(extremum(f, over={x: (0, 5)}, value=sp.Rational(7, 20)))       # 0.35 < 1/e
    assert low.status is Status.REFUTED and "exceeds" in _ev(low)["finding"]
    high = _link(extremum(f, over={x: (0, 5)}, value=sp.Rational(2, 5)))      # 0.4 > 1/e
    assert high.status is Status.REFUTED and "short of" in _ev(high)["certified"]


def test_minimum_and_wrong_maximiser():
    g = (x - 1) ** 2 + 2
    assert _link(extremum(g, over={x: (-3, 3)}, kind="min", value=2, at={x: 1})).status is Status.PROVED
    wrong = _link(extremum(g, over={x: (-3, 3)}, kind="min", value=2, at={x: sp.Rational(11, 10)}))
    assert wrong.status is Status.REFUTED


def test_minimax_confirmed_and_refuted():
    c = sp.Symbol("c", real=True)
    f = sp.Abs(x**2 - c)
    good = _link(minimax(f, param=(c, 0, 1), over={x: (0, 1)}, value=sp.Rational(1, 2)))
    assert good.status is Status.CONFIRMED and "2 maximiser(s)" in _ev(good)["equioscillation"]
    bad = _link(minimax(f, param=(c, 0, 1), over={x: (0, 1)}, value=sp.Rational(3, 5)))
    assert bad.status is Status.REFUTED


# --- certify_difference -------------------------------------------------------------------------

def test_certify_difference_outcomes():
    kind, text = certify_difference(sp.sin(2 * x), 2 * sp.sin(x), {x: "1"}, 30)
    assert kind == "certified" and "excludes 0" in text and "bits" in text
    assert certify_difference(sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x), {"x": "1.25"}, 30)[0] == "contains-zero"
    kind, text = certify_difference(sp.besselj(0, x), 1, {x: "1"}, 30)
    assert kind == "uncertified" and "besselj" in text and "30 and 60 dps" in text


def test_certify_difference_reads_decimals_exactly_and_takes_complex_points():
    assert certify_difference(10 * x, 1, {x: "0.1"}, 30)[0] == "contains-zero"      # 10 * 0.1 = 1 exactly
    z = sp.Symbol("z")
    kind, text = certify_difference(sp.log(z**2), 2 * sp.log(z), {z: "-1+0.5j"}, 30)
    assert kind == "certified" and "i" in text                       # the branch cut: differs by 2 pi i
    with pytest.raises(ValueError, match="no value for x"):
        certify_difference(x, 1, {}, 30)


def test_gap_figure_shades_the_certified_region():
    fig = gap_figure(SOFTPLUS, SQUAREPLUS(B), x, -5, 5, certified=[(-5, 5)])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x" and len(ax.patches) == 1 and len(ax.lines) == 2


def test_strict_range_with_exact_tails_and_the_claim_domain():
    assert _link(bound(0, 1 / (1 + sp.exp(-x)), strict=True)).status is Status.PROVED
    link = _link(bound(sp.cos(x), 1 - x**2 / 2 + x**4 / 24), domain={x: (-3, 3)})   # @claim(domain=...)
    assert link.status is Status.PROVED and "[-3, 3]" in _ev(link)["certified"]     # tight of order 6 at 0
    assert "derivative of order 6" in _ev(link)["tight"]


def test_integer_symbols_are_refused():
    n = sp.Symbol("n", integer=True)
    v = _run(bound(sp.cos(n), 1))
    assert v.status is Status.ERROR and "integer" in v.message


def test_tail_rules_never_prove_a_false_tail():
    from derivcheck._tails import prove_tail
    assert not prove_tail(x**3, sp.exp(x), [], x, 1, 1)[0]                 # false on (1.86, 4.54)
    assert not prove_tail(sp.log(1 + x**2), 12, [], x, 30, 1)[0]            # false beyond 403.4
    assert not prove_tail(sp.exp(x), 1 / (x - 1) ** 2, [], x, -1, -1)[0]    # false near x = -1
    assert prove_tail(x**3, sp.exp(x), [], x, 5, 1)[0]                      # true from 4.54 on
