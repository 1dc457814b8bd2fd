"""Pages identical across architectures: float64 results that differ in the last ulp (another
BLAS kernel, another SIMD path for exp or a reduction) must not change a page. On x86-64 the
kernels are pinned (derivcheck.kernels, tested with this machine's own kernels in
test_kernels.py); this test covers what pinning cannot, a machine of another architecture.

The test nudges by one ulp the results of numpy's platform-dependent routines called by the
article's code (derivations, numerics, the checker; not matplotlib's own arithmetic, which draws
the same on every machine with the pinned versions and kernels) and regenerates the article's
page in this process: its Markdown and its figures must stay byte-identical, except Vieta's A9
figures, whose data is float64 rounding error itself (FLOAT64_FIGURES).
"""
import functools
import sys
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


RENDERER = ("matplotlib", "numpy", "PIL")   # callers whose arithmetic is not the article's


def _caller() -> str:
    """The module of the first frame outside this file (a nudged ufunc's method is called via _Ufunc)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return "" if frame is None else frame.f_globals.get("__name__", "")


def _nudge(fn):
    @functools.wraps(fn)
    def nudged(*args, **kwargs):
        out = fn(*args, **kwargs)
        if _caller().split(".")[0] in RENDERER:
            return out
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


def _compute(stem: str):
    """The article's non-slow verdicts and its sections, figures not yet drawn."""
    art = load_article(ROOT / "derivations" / f"{stem}.py")
    claims = tuple(c for c in art.claims if not c.slow)
    verdicts = [run_claim(c) for c in claims]
    secs, _ = run_sections(art)
    art = art.__class__(art.stem, art.path, art.title, art.source, art.summary, claims, art.sections)
    return art, verdicts, secs


def _clear_engine_caches() -> None:
    """Engines memoise (functools.lru_cache): a nudged run must recompute, not reuse plain values."""
    for name, mod in list(sys.modules.items()):
        if name == "numerics" or name.startswith("numerics."):
            for obj in vars(mod).values():
                if callable(getattr(obj, "cache_clear", None)):
                    obj.cache_clear()


def _render(stem: str, art, verdicts, secs) -> tuple[str, dict]:
    """The page's Markdown and its figures' PNG bytes by name (drawn with numpy as it is: the
    renderer's own arithmetic is matplotlib's, the same on every machine with the pinned versions)."""
    secs = render_figures(secs)
    page = article_markdown(art, verdicts, secs, "versions", f"figures/{stem}")
    return page, {name: png for s in secs for name, png in s.figures}


FLOAT64_FIGURES = {                          # figures whose data is float64 rounding error itself
    ("vieta", "a9_ecdf.png"): "the empirical CDF of 20 000 float64 root errors (numpy.roots is LAPACK)",
    ("vieta", "a9_separation.png"): "the same errors against the root separation",
}
STEMS = sorted(p.stem for p in (ROOT / "derivations").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_pages_do_not_depend_on_the_last_ulp(stem, monkeypatch):
    plain, plain_figs = _render(stem, *_compute(stem))
    for mod, names in NUDGED.items():
        for name in names:
            if hasattr(mod, name):
                monkeypatch.setattr(mod, name, _nudge(getattr(mod, name)))
    _clear_engine_caches()
    computed = _compute(stem)            # the article's numbers under the nudge ...
    monkeypatch.undo()                   # ... drawn by an un-nudged renderer
    nudged, nudged_figs = _render(stem, *computed)
    if nudged != plain:
        diff = [(a, b) for a, b in zip(plain.splitlines(), nudged.splitlines()) if a != b]
        pytest.fail(f"{stem}: {len(diff)} lines change with the last ulp, e.g. {diff[:3]}")
    assert sorted(plain_figs) == sorted(nudged_figs)
    moved = [n for n in plain_figs if plain_figs[n] != nudged_figs[n] and (stem, n) not in FLOAT64_FIGURES]
    assert not moved, f"{stem}: figures change with the last ulp: {moved}"
