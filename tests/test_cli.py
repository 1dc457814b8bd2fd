"""The command line as a user meets it: exit codes, one-line errors, --json, check --at."""
import json

import pytest
from pathlib import Path

import clirun

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, cwd=ROOT):
    return clirun.cli(*args, cwd=cwd, timeout=300)


@pytest.mark.slow
def test_verify_vieta_json(tmp_path):
    out = tmp_path / "out.json"
    res = cli("verify", "vieta", "--json", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    recs = json.loads(out.read_text())["claims"]
    assert len(recs) >= 8 and all(r["ok"] for r in recs)
    assert {r["verdict"] for r in recs} <= {"PROVED", "CONFIRMED", "REFUTED"}
    assert {"REFUTED"} <= {r["verdict"] for r in recs if r["expected"] == "REFUTED"}
    keys = {"id", "article", "statement", "tag", "expected", "verdict", "ok", "basis", "digits",
            "dps", "seed", "seconds", "message"}
    assert keys <= set(recs[0])
    assert "[" in res.stderr and "vieta.A6" in res.stderr          # progress lines


def test_verify_one_claim_and_unknown_article():
    assert cli("verify", "vieta.A6").returncode == 0
    res = cli("verify", "nosuch")
    assert res.returncode == 2 and res.stderr.strip().count("\n") == 0
    assert "no article 'nosuch'" in res.stderr


def test_usage_error_exits_2():
    assert cli("verify", "--dps", "3,60").returncode == 2
    assert cli("frobnicate").returncode == 2


def test_check_a_failing_file_and_reproduce_it():
    path = "tests/known_bad/wrong_coefficient.py"
    res = cli("check", path)
    assert res.returncode == 1 and "REFUTED at step 3 of 3" in res.stdout
    line = next(l for l in res.stdout.splitlines() if "reproduce" in l).split(": ", 1)[1]
    args = line.split()[1:]
    again = cli(*[a.strip('"') for a in args])
    assert again.returncode == 1 and "at        : p = 1, q = 0, w = 1" in again.stdout


def test_broken_file_one_line(tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("def f(:\n")
    res = cli("check", str(bad))
    assert res.returncode == 1
    assert res.stderr.strip().startswith("derivcheck: error:") and "SyntaxError at line 1" in res.stderr
    assert "Traceback" not in res.stderr
