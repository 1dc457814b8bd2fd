"""The text block and the Markdown pages: stable, complete, and what the code generates."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derivcheck import kernels

from derivcheck.registry import load_article
from derivcheck.run import run_claim

ROOT = Path(__file__).resolve().parent.parent
KNOWN_BAD = Path(__file__).parent / "known_bad"


def test_text_block_of_the_mistyped_cubic(monkeypatch):
    monkeypatch.chdir(ROOT)
    claim = load_article(KNOWN_BAD / "wrong_coefficient.py").claims[0]
    v = run_claim(claim)
    lines = v.message.splitlines()
    assert lines[0] == ('claim tests/known_bad/wrong_coefficient.py::eq2-3 REFUTED at step 3 of 3: '
                        '"the w and 1/w terms cancel (typo: 9 for 27)" (expected pass)')
    text = v.message
    assert "  statement : Vieta's substitution leaves w**3 - p**3/(27 w**3) + q" in text
    assert "  residual  : step3 - step2 = -2*p**3/(27*w**3)" in text
    assert "  at        : p = 1, q = 0, w = 1   (shrunk)" in text
    assert "  values    : step2 = 0.962962962962962962962962962963" in text
    assert "              step3 = 0.888888888888888888888888888889" in text
    assert "  difference: abs 7.41e-2, rel 7.69e-2; tolerance rtol 1.00e-55" in text
    assert "  precision : stable at 30 and 60 dps -> a real mismatch, not rounding" in text
    assert "2. expand: PROVED" in text and "3. the w and 1/w terms cancel (typo: 9 for 27): REFUTED" in text
    assert ('  reproduce : derivcheck check "tests/known_bad/wrong_coefficient.py::eq2-3" '
            '--at p=1,q=0,w=1 --dps 30,60') in text
    assert run_claim(claim).message == text                  # deterministic


@pytest.mark.slow
def test_reports_are_deterministic_and_not_stale(tmp_path):
    """`derivcheck report`, computed afresh (no cache), equals the committed reports/ (whose pages
    were written by another run: deterministic), byte for byte with the pinned float64 kernels
    (elsewhere up to what other kernels may change: test_kernels.py); the cache's equality with a
    fresh run is tested in test_cache.py."""
    subprocess.run([sys.executable, "-m", "derivcheck", "report", "--no-cache", "--out", str(tmp_path / "a")],
                   cwd=ROOT, check=False, capture_output=True)
    from test_kernels import differences
    wrong = differences(tmp_path / "a", strict=kernels.pinned())
    assert not wrong, "\n".join(wrong[:20])


def _label_figure():
    from derivcheck.figures import pyplot
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 10, 100], [1e-3, 1e-2, 1e-1])
    ax.set(xscale="log", yscale="log", title="t")
    ax.set_ylabel("a long label " * 4)          # taller than the figure: sticks out at top and bottom
    return fig


def test_figures_are_cropped_like_savefig_tight_and_deterministic():
    import io

    from PIL import Image

    from derivcheck.report import FIGURE_DPI, figure_bytes
    one, two = figure_bytes(_label_figure()), figure_bytes(_label_figure())
    assert one == two
    ref = io.BytesIO()
    _label_figure().savefig(ref, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    got, want = Image.open(io.BytesIO(one)).size, Image.open(ref).size
    assert abs(got[0] - want[0]) <= 3 and abs(got[1] - want[1]) <= 3, (got, want)
    assert got[1] > 3 * FIGURE_DPI                # the label is in the picture, not cut at the edges
