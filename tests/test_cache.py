"""Incremental verification: a cached verdict is never stale, and equals a fresh one."""
import json
import shutil
import textwrap
from pathlib import Path

from derivcheck import cache
from derivcheck.cli import main
from derivcheck.jsonout import record
from derivcheck.registry import load_article
from derivcheck.run import run_claim

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = textwrap.dedent('''
    """Cached

    Article: a test article
    """
    import sympy as sp
    from derivcheck import claim, identity, section
    from numerics import vieta as nv

    x = sp.Symbol("x", real=True)

    @claim("sq", "a square")
    def sq():
        return identity((x + 1)**2, x**2 + 2*x + 1)

    @claim("wrong", "x + x = 3x", expected="REFUTED", finding="article-error", why="2x")
    def wrong():
        return identity(x + x, 3*x)

    @section("Roots")
    def roots():
        return "roots of x^2 - 3x + 2: " + ", ".join(str(r) for r in nv.cubic_roots(6, 11, 6))
''')


def _numerics_copy(tmp_path, monkeypatch) -> Path:
    engines = tmp_path / "numerics"
    shutil.copytree(ROOT / "numerics", engines, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_NUMERICS", engines)
    cache._engine_files.cache_clear()
    return engines


def test_any_byte_of_the_file_or_an_imported_engine_changes_the_key(tmp_path, monkeypatch):
    engines = _numerics_copy(tmp_path, monkeypatch)
    path = tmp_path / "cached.py"
    path.write_text(ARTICLE)
    k0 = cache.key(path, "claim", "sq", (30, 60), 0)
    path.write_text(ARTICLE + " ")
    k1 = cache.key(path, "claim", "sq", (30, 60), 0)
    assert k1 != k0
    for name, changes in (("vieta.py", True), ("precision.py", True), ("entropy_scale.py", False)):
        before = cache.key(path, "claim", "sq", (30, 60), 0)
        with open(engines / name, "a") as fh:
            fh.write("\n# one more line\n")
        assert (cache.key(path, "claim", "sq", (30, 60), 0) != before) is changes, name
    assert cache.key(path, "claim", "sq", (30, 60), 1) != cache.key(path, "claim", "sq", (30, 60), 0)
    assert cache.key(path, "claim", "sq", (30,), 0) != cache.key(path, "claim", "sq", (30, 60), 0)


def test_a_cached_verdict_is_byte_identical_to_a_fresh_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVCHECK_NO_CACHE", "0")          # even under pytest --no-verdict-cache
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cached.py"
    path.write_text(ARTICLE)
    claim = load_article(path).claims[1]
    fresh = run_claim(claim)
    before = cache.REUSED[0]
    first = cache.cached_claim(claim, None, 0, run_claim)
    again = cache.cached_claim(claim, None, 0, lambda *a: (_ for _ in ()).throw(AssertionError("rerun")))
    assert cache.REUSED[0] == before + 1
    assert again == first                                   # every field, links and evidence included
    rec = lambda v: json.dumps({**record(claim, v), "seconds": None}, sort_keys=True)
    assert rec(again) == rec(first) == rec(fresh)           # what a user sees: byte-identical


def test_cached_reports_equal_fresh_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DERIVCHECK_NO_CACHE", "0")
    (tmp_path / "derivations").mkdir()
    (tmp_path / "derivations" / "cached.py").write_text(ARTICLE)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--jobs", "1", "--out", "fresh"]) == 0
    assert main(["report", "--jobs", "1", "--out", "warm"]) == 0
    assert "2 of 2 verdicts reused" in capsys.readouterr().err
    assert main(["report", "--jobs", "1", "--out", "cold", "--no-cache"]) == 0
    monkeypatch.setenv("DERIVCHECK_NO_CACHE", "0")
    for name in ("cached.md", "README.md"):
        fresh = (tmp_path / "fresh" / name).read_bytes()
        assert (tmp_path / "warm" / name).read_bytes() == fresh == (tmp_path / "cold" / name).read_bytes()
