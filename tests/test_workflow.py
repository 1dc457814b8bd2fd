"""The user's workflow: partial reports, validated sections, bad files, any folder, CI JSON,
options that do what they say, math that renders on GitHub, pytest where the files are."""
import json
import math
import textwrap
from pathlib import Path

import pytest

from derivcheck.cli import main
from derivcheck.ghmath import inline, markdown, unsafe_spans
from numerics.precision import fmt, stable

GOOD = '''
    """{title}

    Article: a test article
    """
    import sympy as sp
    from derivcheck import claim, identity, section

    x = sp.Symbol("x", real=True)

    @claim("sq", r"$\\{{x\\,:\\,(x+1)^2=x^2+2x+1\\}}$ is all of $\\mathbb R$")
    def sq():
        return identity((x + 1)**2, x**2 + 2*x + 1)

    @claim("wrong", "x + x = 3x", expected="REFUTED", finding="article-error", why="2x, not 3x")
    def wrong():
        return identity(x + x, 3*x)
'''


def _project(tmp_path, names=("alpha", "gamma")) -> Path:
    (tmp_path / "derivations").mkdir()
    for n in names:
        (tmp_path / "derivations" / f"{n}.py").write_text(textwrap.dedent(GOOD.format(title=n.title())))
    return tmp_path


def _run(monkeypatch, cwd, *argv) -> int:
    monkeypatch.chdir(cwd)
    return main(list(argv))


def test_partial_report_keeps_the_other_rows(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path)
    assert _run(monkeypatch, root, "report", "--jobs", "1") == 0
    index = (root / "reports" / "README.md").read_text()
    assert "(alpha.md)" in index and "(gamma.md)" in index
    (root / "derivations" / "alpha.py").write_text(
        (root / "derivations" / "alpha.py").read_text().replace('"""Alpha', '"""Alpha renamed'))
    assert _run(monkeypatch, root, "report", "alpha", "--jobs", "1") == 0
    index = (root / "reports" / "README.md").read_text()
    assert "Alpha renamed" in index and "(gamma.md)" in index
    assert "wrote 2 files (2 pages, 0 figures)" in capsys.readouterr().err


def test_sections_are_validated(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path, ("alpha",))
    extra = textwrap.dedent('''
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        @section("Figures")
        def figs():
            fig, ax = plt.subplots()
            ax.plot([0, 1], [0, 1])
            fig2, ax2 = plt.subplots()
            ax2.plot([0, 1], [1, 0])
            return "two figures", [fig, ("gap", fig2)]

        @section("Broken")
        def broken():
            return 42
    ''')
    path = root / "derivations" / "alpha.py"
    path.write_text(path.read_text() + extra)
    assert _run(monkeypatch, root, "report", "--jobs", "1") == 1
    err = capsys.readouterr().err
    assert "section 'Broken' (broken) returned int" in err
    figs = sorted(p.name for p in (root / "reports" / "figures" / "alpha").iterdir())
    assert figs == ["figs-1.png", "gap.png"]
    page = (root / "reports" / "alpha.md").read_text()
    assert "could not be shown" in page and "![gap.png]" in page
    assert _run(monkeypatch, root, "check", "derivations/alpha.py", "--sections") == 1


def test_one_bad_file_never_stops_the_others(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path)
    (root / "derivations" / "beta.py").write_text("def broken(:\n")
    assert _run(monkeypatch, root, "report", "--jobs", "1") == 1
    assert (root / "reports" / "alpha.md").exists() and (root / "reports" / "gamma.md").exists()
    assert "derivations/beta.py: SyntaxError at line 1" in capsys.readouterr().err
    assert _run(monkeypatch, root, "list") == 1
    out = capsys.readouterr()
    assert "alpha:" in out.out and "beta.py: SyntaxError" in out.err
    assert _run(monkeypatch, root, "verify", "--json", "v.json") == 1
    doc = json.loads((root / "v.json").read_text())
    assert doc["totals"]["load_errors"] == 1 and doc["load_errors"][0]["path"].endswith("beta.py")


def test_run_from_anywhere(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path)
    (root / "sub" / "deeper").mkdir(parents=True)
    assert _run(monkeypatch, root / "sub" / "deeper", "verify", "alpha") == 0
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    assert _run(monkeypatch, outside, "list") == 2
    assert "no derivations/ folder" in capsys.readouterr().err
    assert _run(monkeypatch, outside, "list", "--root", str(root)) == 0


def test_json_is_versioned_with_totals_and_counterexamples(tmp_path, monkeypatch):
    root = _project(tmp_path, ("alpha",))
    assert _run(monkeypatch, root, "verify", "--json", "out.json") == 0
    doc = json.loads((root / "out.json").read_text())
    assert (doc["format"], doc["version"], doc["result"]) == ("derivcheck-verdicts", 1, "pass")
    assert doc["totals"]["claims"] == 2 and doc["totals"]["REFUTED"] == 1
    wrong = next(c for c in doc["claims"] if c["id"] == "alpha.wrong")
    assert wrong["finding"] == "article-error" and wrong["counterexample"]["reproduce"]
    assert wrong["scope"] and "x" in wrong["counterexample"]["point"] or wrong["counterexample"]


def test_options_do_what_they_say(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path, ("alpha",))
    assert _run(monkeypatch, root, "verify", "nosuch") == 2
    assert _run(monkeypatch, root, "verify", "alpha.nosuch") == 2
    assert _run(monkeypatch, root, "check", "derivations/alpha.py::sq", "--at", "x=abc") == 2
    assert _run(monkeypatch, root, "check", "derivations/alpha.py::sq", "--at", "y=1") == 2
    assert "has no symbol 'y'" in capsys.readouterr().err
    assert _run(monkeypatch, root, "check", "derivations/alpha.py::sq", "--at", "x=2", "--debug") == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as ver:
        main(["--version"])
    assert ver.value.code == 0 and capsys.readouterr().out.startswith("derivcheck ")


def test_math_renders_on_github(tmp_path, monkeypatch):
    root = _project(tmp_path, ("alpha",))
    assert _run(monkeypatch, root, "report", "--jobs", "1") == 0
    page = (root / "reports" / "alpha.md").read_text()
    assert r"\lbrace" in page and r"\{" not in page.split("```text")[0]
    assert unsafe_spans(page) == [] and "```math" in page
    assert markdown("a $$\\frac12\\,x$$ b") == "a \n```math\n\\frac12\\,x\n```\n b"
    assert inline(r"$\|x\|$") == r"$\Vert x\Vert $"


def test_committed_reports_render_on_github():
    for page in sorted(Path("reports").glob("*.md")):
        bad = unsafe_spans(page.read_text())
        assert not bad, f"{page}: {bad[:3]}"


def test_float64_results_print_only_stable_digits():
    """The last ulp of a float64 result (which differs between BLAS kernels) never reaches a page."""
    for x in (2.9999999999999916, -0.475809987279954, 0.1 + 0.2, 1e-3 / 3, 123456.789012345):
        for y in (math.nextafter(x, math.inf), math.nextafter(x, -math.inf)):
            assert fmt(x, 30) == fmt(y, 30) and stable(x) == stable(y)
    assert stable(4.9e-15, 2, noise=1e-13) == stable(1.2e-14, 2, noise=1e-13) == "|x| < 1e-13"


def test_pytest_collects_derivations_where_they_are(pytester):
    pytester.makeconftest('pytest_plugins = ["derivcheck.pytest_plugin"]')
    pytester.mkdir("mine")
    (pytester.path / "mine" / "alpha.py").write_text(textwrap.dedent(GOOD.format(title="Alpha")))
    (pytester.path / "mine" / "broken.py").write_text("def broken(:\n")
    pytester.runpytest("mine", "-p", "no:cacheprovider").assert_outcomes()      # not derivations
    res = pytester.runpytest("--derivations", "mine", "mine", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=2, failed=1)                 # broken.py: one failing item, not two
    pytester.runpytest("mine/alpha.py", "-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_bare_path_beside_a_claim_selects_the_whole_file():
    from derivcheck.commands import split_targets
    assert split_targets(["a/x.py::F1", "b/y.py"]) == (["a/x.py", "b/y.py"], ["x.F1", "y"])
    assert split_targets(["a/x.py", "b/y.py"]) == (["a/x.py", "b/y.py"], [])
    assert split_targets(["a/x.py::F1", "a/x.py::F2"]) == (["a/x.py"], ["x.F1", "x.F2"])
