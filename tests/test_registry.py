"""Declaring claims, loading files, and the public facades."""
import textwrap
from pathlib import Path

import pytest

import derivcheck
import numerics
from derivcheck.registry import DerivationError, load_article
from derivcheck.run import discover

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, body, name="art.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


HEADER = '''"""Title\n\nArticle: test\n"""\nimport sympy as sp\nfrom derivcheck import claim, identity\nx = sp.Symbol("x")\n'''


def test_every_derivation_has_an_article_line_and_claims():
    paths = discover(ROOT / "derivations")
    assert paths
    for path in paths:
        art = load_article(path)
        assert art.source, f"{path} has no 'Article:' line"
        assert art.claims


def test_public_names_match_all():
    import types
    for mod in (derivcheck, numerics):
        public = {k for k, v in vars(mod).items()
                  if not k.startswith("_") and not isinstance(v, types.ModuleType)}
        assert public == set(mod.__all__), (mod.__name__, sorted(public ^ set(mod.__all__)))


def test_duplicate_claim_id_names_both_lines(tmp_path):
    path = write(tmp_path, HEADER + '''
@claim("eq4", "one")
def a():
    return identity(x, x)

@claim("eq4", "two")
def b():
    return identity(x, x)
''')
    with pytest.raises(DerivationError, match=r"claim id 'eq4' is defined twice in .*art.py \(lines 9 and 13\)"):
        load_article(path)


@pytest.mark.parametrize("decl, message", [
    ('@claim("e1", "")', "has no statement"),
    ('@claim("e1", "s", tag="exactish")', "tag='exactish' is not one of"),
    ('@claim("e1", "s", expected="REFUTED")', "needs why="),
    ('@claim("e 1", "s")', "must be letters"),
    ('@claim("e1", "s", dps=(3, 60))', "must be integers above 5"),
])
def test_invalid_claims_are_rejected_at_import(tmp_path, decl, message):
    path = write(tmp_path, HEADER + f"\n{decl}\ndef f():\n    return identity(x, x)\n")
    with pytest.raises(DerivationError, match=message):
        load_article(path)


@pytest.mark.parametrize("body, message", [
    ("def f(:\n", "SyntaxError at line"),
    ("import no_such_module_xyz\n", "ModuleNotFoundError at line 1"),
    ("raise RuntimeError('boom')\n", "RuntimeError at line 1: boom"),
    ("x = 1\n", "defines no claims"),
])
def test_broken_files_give_one_line_errors(tmp_path, body, message):
    with pytest.raises(DerivationError, match=message) as info:
        load_article(write(tmp_path, body))
    assert "\n" not in str(info.value) and "art.py" in str(info.value)


def test_missing_and_non_python_paths(tmp_path):
    with pytest.raises(DerivationError, match="no such file"):
        load_article(tmp_path / "nope.py")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DerivationError, match="not a Python file"):
        load_article(tmp_path / "notes.txt")
