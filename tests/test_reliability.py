"""A user's own derivation files, bad input, resource limits, parallel runs: one clear line, the
documented exit code, bounded time, and never a pass that was not earned."""
import json
import textwrap
from pathlib import Path

import pytest
import sympy as sp

import clirun

from derivcheck import Status, run_claim
from derivcheck.registry import load_article
from derivcheck.symbolic import decide_zero

ROOT = Path(__file__).resolve().parent.parent
HEAD = '"""Title\n\nArticle: test\n"""\nimport os\nimport sympy as sp\nfrom derivcheck import claim, identity\nx = sp.Symbol("x")\n'


def cli(*args, cwd=ROOT, timeout=120):
    return clirun.cli(*args, cwd=cwd, timeout=timeout)


def write(tmp_path, name, body, head=HEAD):
    p = tmp_path / name
    p.write_text(head + textwrap.dedent(body))
    return p


BROKEN = {
    "syntax.py": ("@claim('a', 's')\ndef a(:\n    pass\n", "SyntaxError at line"),
    "importerr.py": ("import nonexistent_mod\n", "ModuleNotFoundError at line"),
    "raises.py": ("raise RuntimeError('boom at import')\n", "RuntimeError at line 9: boom at import"),
    "noclaims.py": ("", "defines no claims"),
    "dup.py": ("@claim('a', 's')\ndef a():\n    return identity(x, x)\n@claim('a', 't')\ndef b():\n"
               "    return identity(x, x)\n", "claim id 'a' is defined twice"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_gives_one_line_naming_file_and_cause(tmp_path, name):
    body, cause = BROKEN[name]
    path = write(tmp_path, name, body)
    res = cli("check", str(path))
    assert res.returncode == 1
    err = res.stderr.strip()
    assert err.count("\n") == 0 and name in err and cause in err and "Traceback" not in err


def test_missing_and_non_python_paths(tmp_path):
    res = cli("check", str(tmp_path / "nope.py"))
    assert res.returncode == 2 and "no such file" in res.stderr and res.stderr.strip().count("\n") == 0
    (tmp_path / "notes.txt").write_text("hello")
    res = cli("check", str(tmp_path / "notes.txt"))
    assert res.returncode == 1 and "not a Python file" in res.stderr


def test_debug_shows_the_traceback(tmp_path):
    path = write(tmp_path, "raises.py", BROKEN["raises.py"][0])
    assert "Traceback" in cli("--debug", "check", str(path)).stderr


def test_a_claim_that_raises_is_an_error_and_the_others_run(tmp_path):
    path = write(tmp_path, "mixed.py", """
        @claim("a", "raises")
        def a():
            return 1 / 0
        @claim("b", "fine")
        def b():
            return identity(x + x, 2 * x)
        @claim("c", "returns something that is not a claim result")
        def c():
            return 42
        """)
    res = cli("check", str(path), "--json", str(tmp_path / "out.json"))
    assert res.returncode == 1
    recs = {r["id"]: r for r in json.loads((tmp_path / "out.json").read_text())["claims"]}
    assert recs["mixed.a"]["verdict"] == "ERROR" and "ZeroDivisionError" in recs["mixed.a"]["message"]
    assert "mixed.py:12" in recs["mixed.a"]["message"]                  # file and line of the fault
    assert recs["mixed.b"]["verdict"] == "PROVED"
    assert recs["mixed.c"]["verdict"] == "ERROR" and "not identity(), chain(), agrees()" in recs["mixed.c"]["message"]


def test_values_that_do_not_settle_are_never_a_pass(tmp_path):
    path = write(tmp_path, "unsettled.py", """
        @claim("blowup", "exp(exp(1000 x)) = 2 exp(exp(1000 x)) at x = 1", domain={x: [1]}, points=2)
        def blowup():
            return identity(sp.exp(sp.exp(1000 * x)), 2 * sp.exp(sp.exp(1000 * x)))
        """)
    v = run_claim(load_article(path).claims[0])
    assert v.status is Status.INCONCLUSIVE and "had not settled" in v.message


def test_an_unevaluable_point_is_reported_not_passed(tmp_path):
    path = write(tmp_path, "pole.py", """
        @claim("pole", "zeta(x) sin(x) = zeta(x) sin(x) x, tried only at the pole of zeta", domain={x: [1]}, points=2)
        def pole():
            return identity(sp.zeta(x) * sp.sin(x), sp.zeta(x) * sp.sin(x) * x)
        """)
    v = run_claim(load_article(path).claims[0])
    assert v.status is Status.INCONCLUSIVE and "points evaluable" in v.message


def test_a_missing_assumption_is_named(tmp_path):
    path = write(tmp_path, "assume.py", """
        @claim("sq", "sqrt(x^2) = x")
        def sq():
            return identity(sp.sqrt(x**2), x)
        """)
    v = run_claim(load_article(path).claims[0])
    assert v.status is Status.REFUTED and "x carries no sign assumption" in v.message


def test_memory_ceiling_ends_inconclusive_and_names_the_limit():
    x = sp.Symbol("x")

    def hog(e):
        blocks = []
        while True:
            blocks.append(bytearray(50 * 1024 * 1024))
    dec = decide_zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1, timeout=60, simplifiers=(hog,), memory_mb=200)
    assert dec.outcome == "timeout" and "memory ceiling of 200 MiB" in dec.detail


CRASH = """
    @claim("before", "finishes")
    def before():
        return identity(x + x, 2 * x)
    @claim("dies", "its process dies")
    def dies():
        os._exit(3)
    @claim("after", "runs after the crash")
    def after():
        return identity(x * x, x**2)
    """


def test_a_crashing_claim_costs_only_itself_under_jobs(tmp_path):
    path = write(tmp_path, "crash.py", CRASH)
    res = cli("check", str(path), "--jobs", "2", "--json", str(tmp_path / "out.json"))
    recs = {r["id"]: r["verdict"] for r in json.loads((tmp_path / "out.json").read_text())["claims"]}
    assert recs == {"crash.before": "PROVED", "crash.dies": "ERROR", "crash.after": "PROVED"}
    assert res.returncode == 1 and "worker process died" in res.stdout


def _records(tmp_path, selectors, jobs):
    out = tmp_path / f"{jobs}.json"
    res = cli("verify", *selectors, "--jobs", jobs, "--json", str(out), timeout=900)
    assert res.returncode == 0, res.stdout[-2000:]
    return [{k: r[k] for k in r if k != "seconds"} for r in json.loads(out.read_text())["claims"]]


@pytest.mark.slow
def test_parallel_and_serial_runs_give_identical_records(tmp_path):
    assert _records(tmp_path, ["topk_smoothing"], "1") == _records(tmp_path, ["topk_smoothing"], "2")


@pytest.mark.slow
def test_parallel_and_serial_runs_agree_on_every_article(tmp_path):
    assert _records(tmp_path, [], "1") == _records(tmp_path, [], "2")


def test_strict_makes_inconclusive_a_failure(tmp_path):
    path = write(tmp_path, "undecided.py", """
        @claim("u", "undecidable here", domain={x: [1]}, points=1)
        def u():
            return identity(sp.exp(sp.exp(1000 * x)), 2 * sp.exp(sp.exp(1000 * x)))
        """)
    assert cli("check", str(path)).returncode == 1
    assert cli("check", str(path), "--strict").returncode == 1


def test_new_scaffolds_a_module_that_passes_as_generated(tmp_path):
    res = cli("new", "my_article", "--dir", str(tmp_path / "derivations"))
    path = tmp_path / "derivations" / "my_article.py"
    assert res.returncode == 0 and path.exists()
    assert "Article:" in path.read_text()
    res = cli("check", str(path))
    assert res.returncode == 0 and "as expected, 0 not" in res.stdout
    assert cli("new", "my_article", "--dir", str(tmp_path / "derivations")).returncode == 2     # no overwrite
    assert cli("new", "bad-name", "--dir", str(tmp_path)).returncode == 2


def test_report_of_a_file_anywhere(tmp_path):
    path = write(tmp_path, "mine.py", """
        @claim("a", "x + x = 2x")
        def a():
            return identity(x + x, 2 * x)
        """)
    res = cli("report", str(path), "--out", str(tmp_path / "rep"))
    assert res.returncode == 0 and (tmp_path / "rep" / "mine.md").exists()


def test_articles_are_scheduled_longest_first_and_new_ones_before_timed_ones(tmp_path):
    from types import SimpleNamespace

    from derivcheck.parallel import schedule
    files = {}
    for stem, size in (("a", 10), ("b", 30), ("c", 20), ("new_small", 1), ("new_big", 50)):
        files[stem] = tmp_path / f"{stem}.py"
        files[stem].write_text("x" * size)
    arts = [SimpleNamespace(stem=s, path=str(p)) for s, p in files.items()]
    order = [a.stem for a in schedule(arts, {"a": 9.0, "b": 1.0, "c": 4.0})]
    assert order == ["new_big", "new_small", "a", "c", "b"]
