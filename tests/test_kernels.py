"""Pinned float64 kernels: the pages are computed with NumPy's baseline loops and OpenBLAS's
Nehalem kernels on one thread (derivcheck.kernels), so every x86-64 machine computes the same bits.

The slow test is the other machine: it regenerates every page with this machine's own kernels
(NumPy's AVX2/AVX-512 loops, OpenBLAS's kernel for this CPU) and compares them with the committed
pages. Only the numbers that measure float64 rounding itself may differ (Vieta's A9 compares the
errors of numpy.roots and of the route on 20 000 quartics), the line naming the kernels, and
in a figure a few anti-aliased pixels (at most 0.1%: the renderer's own transforms run on NumPy's
kernels too, and a vertex on a pixel boundary may snap either way). With the pinned kernels the
pages are byte-identical (tests/test_report.py).
"""
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from derivcheck import kernels

ROOT = Path(__file__).resolve().parents[1]
X86 = platform.machine().lower() in ("x86_64", "amd64")
# what may differ where numbers measure the kernels' rounding, per page: (heading, text) pairs (a
# differing line is allowed when it lies under a heading containing the first and contains the
# second), and the figures that may move
KERNEL_DEPENDENT = {
    "vieta": ((("A9", ""), ("", "A9"), ("", "numpy.roots")), ("a9_ecdf.png", "a9_separation.png")),
    # F3-bound's search runs out to x = -1e9, where float64 rhs - lhs is rounding noise: which draw
    # looks worst, and where the pattern search stops, is decided by the last bits (the 60-digit
    # value printed is exact at that point; the tails beyond |x| = 30 are proved separately)
    "squareplus": ((("F3-bound", "search : worst point"),), ()),
}


PIXELS = 1e-3      # with other kernels a figure may differ in a few anti-aliased pixels, no more


def _pixels_moved(old: bytes, new: bytes):
    """(pixels that differ, all pixels) of two PNGs; (None, 0) when their sizes differ."""
    import io

    import numpy as np
    from PIL import Image
    a, b = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), dtype=int) for x in (old, new))
    if a.shape != b.shape:
        return None, 0
    return int((np.abs(a - b).sum(axis=2) > 0).sum()), a.shape[0] * a.shape[1]


def _unpinned_env(**env) -> dict:
    """This process's environment without the pinning it inherited from derivcheck."""
    return {**{k: v for k, v in os.environ.items() if k not in kernels.PINNED}, **env}


def _status(code: str, **env) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env=_unpinned_env(**env), check=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(not X86, reason="kernels are pinned on x86-64 only")
def test_this_pytest_process_computes_with_pinned_kernels():
    assert kernels.status().startswith("pinned float64 kernels"), kernels.status()


@pytest.mark.skipif(not X86, reason="kernels are pinned on x86-64 only")
def test_status_names_why_the_kernels_are_native():
    show = "from derivcheck import kernels; print(kernels.status())"
    assert _status(show).startswith("pinned float64 kernels (NumPy baseline SIMD, OpenBLAS Nehalem, 1 thread)")
    assert _status(show, DERIVCHECK_KERNELS="native").startswith("native float64 kernels (DERIVCHECK_KERNELS=native")
    assert _status("import numpy; " + show).startswith(
        "native float64 kernels (NumPy was imported before derivcheck")


def allowed(stem: str, old: str, new: str) -> list[str]:
    """The lines of a page that differ beyond what the kernels may change (empty: the page agrees)."""
    a, b = old.splitlines(), new.splitlines()
    if len(a) != len(b):
        return [f"{len(a)} lines against {len(b)}"]
    markers = KERNEL_DEPENDENT.get(stem, ((), ()))[0]
    bad, heading = [], ""
    for x, y in zip(a, b):
        if x.startswith("#"):
            heading = x
        if x == y or x.startswith("- **Checked with:**"):
            continue
        if not any(h in heading and t in x for h, t in markers):
            bad.append(f"{x!r} -> {y!r}")
    return bad


@pytest.mark.slow
@pytest.mark.skipif(not X86, reason="kernels are pinned on x86-64 only")
def test_pages_computed_with_this_machines_own_kernels_agree(tmp_path):
    native = subprocess.run([sys.executable, "-m", "derivcheck", "report", "--no-cache", "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, env=_unpinned_env(DERIVCHECK_KERNELS="native"))
    assert native.returncode == 0, native.stdout[-2000:] + native.stderr[-2000:]
    page = (tmp_path / "vieta.md").read_text()
    own = page.split("- **Checked with:** ", 1)[1].split("\n", 1)[0]
    if "NumPy baseline, OpenBLAS Nehalem" in own:
        pytest.skip("this machine's own kernels are the pinned ones: nothing to compare")
    wrong = differences(tmp_path, strict=False)
    assert not wrong, "pages depend on the float64 kernels:\n" + "\n".join(wrong[:20])


def differences(generated: Path, strict: bool) -> list[str]:
    """What differs between the pages in ``generated`` and the committed reports/: every byte when
    ``strict`` (pages computed with the pinned kernels), else beyond what other kernels may change."""
    committed, wrong = ROOT / "reports", []
    for path in sorted(generated.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(generated)
        if not (committed / rel).exists():
            wrong.append(f"reports/{rel} is missing: run derivcheck report")
            continue
        old, new = (committed / rel).read_bytes(), path.read_bytes()
        if old == new:
            continue
        if strict:
            wrong.append(f"reports/{rel} is stale: run derivcheck report")
        elif rel.suffix == ".md":
            wrong += [f"{rel}: {line}" for line in allowed(rel.stem, old.decode(), new.decode())]
        elif not (len(rel.parts) == 3 and rel.parts[2] in KERNEL_DEPENDENT.get(rel.parts[1], ((), ()))[1]):
            moved, total = _pixels_moved(old, new)
            if moved is None or moved > PIXELS * total:
                wrong.append(f"{rel}: {'the size' if moved is None else f'{moved} of {total} pixels'} "
                             "changed with the kernels")
    return wrong


def _ramp(y, scale):
    from derivcheck.figures import pyplot
    fig, ax = pyplot().subplots(figsize=(4, 3))
    ax.plot(range(1, len(y) + 1), y, "o-")
    ax.fill_between(range(1, len(y) + 1), y, alpha=0.3)
    ax.set(xscale=scale, yscale=scale)
    return fig


@pytest.mark.parametrize("scale", ["linear", "log"])
def test_a_figure_draws_the_same_values_whatever_the_last_bits_of_its_data(scale):
    import numpy as np

    from derivcheck.figures import stabilise
    from derivcheck.report import figure_bytes
    y = np.geomspace(1e-3, 7.3, 40) * (1 + 0.37 * np.sin(np.arange(40)))
    figs = [_ramp(v, scale) for v in (y, y * (1 + 1e-12), y * 1.02)]   # rounding noise x 1e4; a real change
    drawn = [np.asarray(f.axes[0].lines[0].get_ydata(), float) for f in figs]
    assert not np.array_equal(drawn[0], drawn[1])
    for f in figs:
        stabilise(f)
    (a, b, c), lims = ([np.asarray(f.axes[0].lines[0].get_ydata(), float) for f in figs],
                       [f.axes[0].get_ylim() for f in figs])
    area = [np.asarray(f.axes[0].collections[0].get_paths()[0].vertices) for f in figs]
    assert np.array_equal(a, b) and lims[0] == lims[1] and np.array_equal(area[0], area[1])
    err = np.abs(a / y - 1) if scale == "log" else np.abs(a - y) / (lims[0][1] - lims[0][0])
    assert np.max(err) < 1e-5                                      # far below a pixel
    assert not np.array_equal(a, c)
    assert figure_bytes(figs[0]) == figure_bytes(figs[1]) != figure_bytes(figs[2])
