"""Mutation testing: sites are found and spliced exactly, kept things are kept, a vacuous claim is caught."""
import json
import textwrap
from pathlib import Path

import pytest

from derivcheck import _mutant_pool, mutate
from derivcheck._mutants import apply, claim_sites

HEADER = '''"""A planted derivation for mutation testing.

Article: none, a test file.
"""
import time

import sympy as sp

from derivcheck import Estimate, agrees, claim, identity

x = sp.Symbol("x", real=True)
'''

VACUOUS = HEADER + '''
EXPR = x**2 + 3*x + 1


@CLAIM("vacuous", "an expression equals itself (both sides read the same name)")
def vacuous():
    return identity(EXPR, EXPR)


@CLAIM("loose", "a constant agrees with a 9% tolerance", tag="numeric")
def loose():
    return agrees(Estimate(0.5, 0, "typed in", 15), 0.5, rtol=0.09)


@CLAIM("strict", "the square of x + 1, expanded")
def strict():
    return identity(sp.expand((x + 1)**2), x**2 + 2*x + 1)
'''


def _source(text: str) -> str:
    """The planted file's text. (The decorator is spelled @CLAIM here: pytest's plugin takes a
    file named on its command line that holds the real spelling for a derivation.)"""
    return textwrap.dedent(text).replace("@CLAIM(", "@" + "claim(")


def _write(tmp_path, text, name="planted.py"):
    path = tmp_path / name
    path.write_text(_source(text))
    return path


def _sites(text, name):
    text = _source(text)
    data = text.encode()
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if f'claim("{name}"' in ln)
    return claim_sites(data, line)[0], data


def test_splice_changes_only_the_site_bytes():
    text = HEADER + '''
@CLAIM("u", "unicode before the site: é")
def u():
    return identity(x + 1, "é" and x + 2)     # é: byte columns differ from character columns
'''
    sites, data = _sites(text, "u")
    assert sites
    for s in sites:
        out = apply(data, s)
        assert out[:s.start] == data[:s.start] and out[s.start + len(s.new):] == data[s.end:]
        compile(out, "m.py", "exec")
    kinds = {(s.kind, s.what) for s in sites}
    assert ("literal", "2 -> 3") in kinds and ("sign", "+ -> -") in kinds
    assert sites[0].tier == 0 and b"2" in data[sites[0].start:sites[0].end] or sites[0].kind == "sign"


def test_labels_seeds_tolerances_and_sizes_are_kept():
    text = HEADER + '''
import numpy as np
SEED, N_SAMPLES = 7, 1000


@CLAIM("k", "only the article's 0.25 may change", tag="numeric", dps=(30, 60))
def k(dps):
    rng = np.random.default_rng(11)
    v = rng.normal(size=(N_SAMPLES, 3)).mean() * 0 + 0.25
    with sp.evaluate(True):
        pass
    return agrees(Estimate(v, 0.001, "mc", dps, 1000, SEED), 0.25, rtol=0.01, atol=1e-3, k_sigma=4,
                  label="label 2", resolution=0.2, scale=1, max_error=0.5)
'''
    sites, data = _sites(text, "k")
    changed = {data[s.start:s.end].decode() for s in sites}
    assert changed <= {"0.25", "0", "+", "*"}, changed
    assert any(s.tier == 0 and s.what.startswith("0.25") for s in sites)


def test_article_side_comes_first():
    text = HEADER + '''
@CLAIM("sides", "lhs computed, rhs as printed")
def sides():
    lhs = sp.expand((x + 1)**2)
    return identity(lhs, x**2 + 2*x + 1)
'''
    sites, data = _sites(text, "sides")
    first = sites[0]
    assert first.tier == 0 and data.splitlines()[first.line - 1].strip().startswith(b"return")


def test_a_source_comment_declares_a_site():
    text = HEADER + '''
@CLAIM("marked", "a declared site is listed, not run")
def marked():
    return identity((-x)**2, x**2)   # mutate: equivalent (the sign of a squared term does not matter)
'''
    sites, _ = _sites(text, "marked")
    marks = {s.mark for s in sites}
    assert ("equivalent", "the sign of a squared term does not matter") in marks


@pytest.fixture(scope="module")
def vacuous_record(tmp_path_factory):
    path = _write(tmp_path_factory.mktemp("mut"), VACUOUS)
    return mutate.mutate_articles([path], [], max_per_claim=3, jobs=2)[0]


def test_a_vacuous_claim_is_reported(vacuous_record):
    by_id = {c["id"]: c for c in vacuous_record["claims"]}
    vac = by_id["planted.vacuous"]
    assert vac["baseline"]["ok"] and len(vac["mutants"]) == 3
    assert all(m["outcome"] == "survived" for m in vac["mutants"])
    assert all(m["where"] == "module name EXPR" for m in vac["mutants"])
    assert all(m["outcome"] in mutate.KILLED for m in by_id["planted.strict"]["mutants"])
    loose = {m["change"]: m["outcome"] for m in by_id["planted.loose"]["mutants"]}
    assert loose["0.5 -> 0.505"] == "survived" and loose["0.5 -> 0.6"] == "killed"
    t = vacuous_record["totals"]
    assert t["survived"] == 5 and t["score"] == "44% (4/9)"
    out = mutate.text([vacuous_record])
    assert "SURVIVED planted.vacuous" in out and "before : EXPR = x**2 + 3*x + 1" in out
    assert "tolerance" in out and "(as written 0.5: moved by 0.01 relative); abs 5.00e-3" in out


def test_records_and_the_report_section(vacuous_record, tmp_path):
    assert mutate.mutation_score("planted", tmp_path) is None
    assert "No mutation run is recorded" in mutate.strictness_markdown("planted", tmp_path)
    written = mutate.write_records([vacuous_record], tmp_path / "mutation")
    again = mutate.write_records([vacuous_record], tmp_path / "again")
    assert written[0].read_bytes() == again[0].read_bytes()
    assert "seconds" not in written[0].read_text()
    json.loads(written[0].read_text())
    assert mutate.mutation_score("planted", tmp_path) == "44% (4/9)"
    md = mutate.strictness_markdown("planted", tmp_path)
    assert md.startswith("## How strict are these checks") and "planted.vacuous" in md and "44%" in md


def test_a_mutant_past_its_limit_is_killed_by_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(_mutant_pool, "CAP", 1.0)   # below the runner's own limit for the claim
    path = _write(tmp_path, HEADER + '''
DELAY = 0


@CLAIM("sleepy", "sleeps for 30 s when DELAY is changed")
def sleepy():
    time.sleep(DELAY * 30)
    return identity(x, x)
''', "sleepy.py")
    rec = mutate.mutate_articles([path], [], max_per_claim=2, jobs=2)[0]
    outcome = {m["change"]: m["outcome"] for m in rec["claims"][0]["mutants"]}
    assert outcome == {"30 -> 31": "survived", "0 -> 1": "timeout"}
    assert rec["totals"]["timeout"] == 1


def test_cli_mutate_lists_mutants(tmp_path, capsys):
    from derivcheck.cli import main
    path = _write(tmp_path, VACUOUS)
    code = main(["mutate", f"{path}::vacuous", "--max-per-claim", "1", "--out", str(tmp_path / "rec"),
                 "--json", str(tmp_path / "all.json")])
    out = capsys.readouterr()
    assert code == 0 and "SURVIVED planted.vacuous" in out.out and "[1/1] planted.vacuous" in out.err
    assert not (tmp_path / "rec").exists()          # a selection of claims is not recorded
    assert json.loads((tmp_path / "all.json").read_text())["articles"][0]["claims"][0]["id"] == "planted.vacuous"


def test_engine_mutants_run_against_the_claims_that_reach_them(tmp_path):
    path = _write(tmp_path, HEADER + '''
from numerics import vieta as nv


@CLAIM("match", "roots -1, 3 against -1.1, 2.8: the worst relative mismatch is 1/11", tag="numeric")
def match():
    return agrees(Estimate(nv.mismatch([-1, 3], [-1.1, 2.8]), 0, "greedy matching", 15), sp.Rational(1, 11),
                  rtol=1e-12)
''', "engine_use.py")
    rec = mutate.mutate_articles([path], [], max_per_claim=2, jobs=2, engines=True)[0]
    assert rec["claims"][0]["baseline"]["ok"]
    eng = rec["engines"]
    (f,) = [f for f in eng["functions"] if f["function"] == "numerics/vieta.py::mismatch"]
    assert f["claims"] == ["engine_use.match"] and len(f["mutants"]) == 2
    assert all(m["outcome"] in mutate.KILLED and m["claims"][0]["id"] == "engine_use.match" for m in f["mutants"])
    assert "numerics/vieta.py::quartic_roots" in eng["unchecked"]
    assert not any(u.startswith(("numerics/estimate.py", "numerics/precision.py")) for u in eng["unchecked"])
    assert "engines: 2 mutants in 1 functions: 2 killed" in mutate.text([rec])


def test_sizes_are_kept_and_precision_like_arguments_come_last():
    text = HEADER + '''
def work(v, digits, n):
    return v


@CLAIM("sizes", "sample sizes are kept, an integer argument >= 20 comes last")
def sizes():
    v = work(x + 1, 50, 20_000) + work(x, 30, 10**6)
    return identity(v, 2*x + 1)
'''
    sites, data = _sites(text, "sizes")
    changed = [(data[s.start:s.end].decode(), s.tier) for s in sites]
    assert not any(t in ("20_000", "10**6", "6", "10") for t, _ in changed), changed
    assert {t for t, tier in changed if tier == 4} == {"50", "30"}
    assert sites[-1].tier == 4 and sites[0].tier == 0


def test_a_mutant_that_breaks_the_file_or_the_worker_is_killed_by_an_exception(tmp_path):
    path = _write(tmp_path, HEADER + '''
import os
K = 1
if K != 1:
    raise RuntimeError("module-level failure")


@CLAIM("fragile", "the file fails to load when K changes; the worker dies when Q does")
def fragile():
    if Q:
        os._exit(Q)
    return identity(x * K, x)


Q = False or 0
''', "fragile.py")
    rec = mutate.mutate_articles([path], [], max_per_claim=2, jobs=2)[0]
    why = {m["where"]: m["summary"] for m in rec["claims"][0]["mutants"]}
    assert all(m["outcome"] == "error" for m in rec["claims"][0]["mutants"]), why
    assert why["module name K"].startswith(f"the mutated file does not load: {path}: RuntimeError")
    assert why["module name Q"] == "the worker process died"
