"""Reports identical across machines: float64 results that differ in the last ulp (another BLAS
kernel, another SIMD path for exp or a reduction) must not change a page (the Markdown; figures
of float64 error distributions, Vieta's A9, are listed in FLOAT64_FIGURES: they may move by a
pixel). Every article is tested, its Markdown and its figures' bytes.

The test nudges the results of numpy's platform-dependent routines by one ulp and regenerates
article pages in this process: every page must stay byte-identical.
"""
import functools
from pathlib import Path

import numpy as np
import pytest

from derivcheck.registry import load_article
from derivcheck.report import article_markdown, render_figures
from derivcheck.run import run_claim
from derivcheck.sections import run_sections

ROOT = Path(__file__).resolve().parents[1]
NUDGED = {                           # routines whose last bit depends on the CPU, the libm or the BLAS
    np: ("exp", "log", "expm1", "log1p", "logaddexp", "dot", "sum", "mean", "std", "cov", "einsum",
         "matmul", "polyfit"),           # not sqrt: IEEE 754 makes it correctly rounded, like + - * /
    np.linalg: ("eigvalsh", "eigvals", "eigh", "svd", "solve", "inv", "norm", "lstsq"),
}


def _up(x):
    if isinstance(x, tuple):
        return tuple(_up(v) for v in x)
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return np.nextafter(x, np.inf)
    if isinstance(x, (float, np.floating)) and not isinstance(x, bool):
        return type(x)(np.nextafter(x, np.inf))
    return x


def _nudge(fn):
    @functools.wraps(fn)
    def nudged(*args, **kwargs):
        out = fn(*args, **kwargs)
        buf = kwargs.get("out")
        if isinstance(buf, np.ndarray) and buf.dtype.kind == "f":
            np.copyto(buf, np.nextafter(buf, np.inf))
            return buf
        return _up(out)
    return _Ufunc(fn, nudged) if isinstance(fn, np.ufunc) else nudged


class _Ufunc:
    """A nudged ufunc that keeps its methods (np.logaddexp.accumulate, np.add.reduce), nudged too."""

    def __init__(self, ufunc, call):
        self._ufunc, self._call = ufunc, call

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def __getattr__(self, name):
        attr = getattr(self._ufunc, name)
        return _nudge(attr) if name in ("reduce", "accumulate", "reduceat", "outer") else attr


def _page(stem: str) -> tuple[str, dict]:
    """The page's Markdown and its figures' PNG bytes by name."""
    art = load_article(ROOT / "derivations" / f"{stem}.py")
    verdicts = [run_claim(c) for c in art.claims if not c.slow]
    claims = [c for c in art.claims if not c.slow]
    secs, _ = run_sections(art)
    secs = render_figures(secs)
    art = art.__class__(art.stem, art.path, art.title, art.source, art.summary, tuple(claims), art.sections)
    page = article_markdown(art, verdicts, secs, "versions", f"figures/{stem}")
    return page, {name: png for s in secs for name, png in s.figures}


PLATFORM_DEPENDENT: dict[str, str] = {}      # stem -> the measured cause, for a strict xfail
FLOAT64_FIGURES = {                          # figures whose data is float64 rounding error itself
    ("vieta", "a9_ecdf.png"): "the empirical CDF of 20 000 float64 root errors (numpy.roots is LAPACK)",
    ("vieta", "a9_separation.png"): "the same errors against the root separation",
}
STEMS = sorted(p.stem for p in (ROOT / "derivations").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.slow
@pytest.mark.parametrize("stem", [
    pytest.param(s, marks=pytest.mark.xfail(reason=PLATFORM_DEPENDENT[s], strict=True))
    if s in PLATFORM_DEPENDENT else s for s in STEMS])
def test_pages_do_not_depend_on_the_last_ulp(stem, monkeypatch):
    plain, plain_figs = _page(stem)
    for mod, names in NUDGED.items():
        for name in names:
            if hasattr(mod, name):
                monkeypatch.setattr(mod, name, _nudge(getattr(mod, name)))
    nudged, nudged_figs = _page(stem)
    if nudged != plain:
        diff = [(a, b) for a, b in zip(plain.splitlines(), nudged.splitlines()) if a != b]
        pytest.fail(f"{stem}: {len(diff)} lines change with the last ulp, e.g. {diff[:3]}")
    assert sorted(plain_figs) == sorted(nudged_figs)
    moved = [n for n in plain_figs if plain_figs[n] != nudged_figs[n] and (stem, n) not in FLOAT64_FIGURES]
    assert not moved, f"{stem}: figures change with the last ulp: {moved}"
