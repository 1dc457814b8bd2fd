"""`derivcheck bench`: timings and cost growth, written to reports/performance.md.

Wall times are machine-dependent, so they live on this page only (article pages stay
byte-identical). Every figure is a median over repeated runs; exponents are least-squares slopes
on log-log axes.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .registry import load_article
from .report import figure_bytes
from .run import discover, run_claim

OUT = Path("reports")


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _slope(xs, ys) -> float:
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def _wall(cmd, repeat: int) -> float:
    def run():
        subprocess.run(cmd, check=False, capture_output=True)
    return _median_time(run, repeat)


def suite_timings(repeat: int):
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        return [("default `pytest` (slow checks left out)", _wall([py, "-m", "pytest", "-q", "-p", "no:cacheprovider"], repeat)),
                ("`pytest -n 2` (pytest-xdist, two processes)", _wall([py, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider"], repeat)),
                ("`derivcheck verify` (every claim, serial)", _wall([py, "-m", "derivcheck", "verify"], repeat)),
                ("`derivcheck verify --jobs 2`", _wall([py, "-m", "derivcheck", "verify", "--jobs", "2"], repeat)),
                ("`derivcheck report` (one process per article)", _wall([py, "-m", "derivcheck", "report", "--out", tmp], repeat))]


def claim_profile():
    """Per article: total time and the slowest claims, split into symbolic and the rest."""
    from . import checks
    spent = {"sym": 0.0}
    orig = checks.decide_zero

    def timed(*a, **k):
        t0 = time.perf_counter()
        try:
            return orig(*a, **k)
        finally:
            spent["sym"] += time.perf_counter() - t0
    checks.decide_zero = timed
    rows = {}
    try:
        for path in discover():
            art = load_article(path)
            per = []
            for c in art.claims:
                spent["sym"] = 0.0
                t0 = time.perf_counter()
                run_claim(c)
                total = time.perf_counter() - t0
                per.append((total, spent["sym"], c.name, c.slow))
            rows[art.stem] = sorted(per, reverse=True)
    finally:
        checks.decide_zero = orig
    return rows


def precision_growth(repeat: int):
    """Cost of one numeric point check (both sides at a ladder of two rungs) against dps."""
    import sympy as sp

    from .numeric import Evaluator, compare_point
    x, y = sp.symbols("x y")
    lhs = sp.exp(x) * sp.sin(y) ** 2 + sp.log(1 + x**2) * sp.cos(y) + sp.gamma(x + 2)
    rhs = lhs + sp.sin(x * y) ** 2 + sp.cos(x * y) ** 2 - 1
    ev = Evaluator(lhs, rhs, [x, y])
    out = []
    for d in (30, 60, 120, 240, 300):
        out.append((d, _median_time(lambda: compare_point(ev, ("0.7", "-1.3"), (d, 2 * d)), repeat)))
    return out


def mc_rates(repeat: int):
    """Samples per second of the Monte Carlo engines."""
    from numerics import adam_newton, entropy_scale, quantization_scaling, score_matching
    w, m, v = [0.3, 0.7], [-2, 1.5], [0.25, 1]
    rng = np.random.default_rng(0)

    def sm():
        x0, e, xt = score_matching.sample_pairs(rng, 10**6, w, m, v, 0.8, 0.6)
        score_matching.gap_samples((0.5, -1, 0.1, -0.05), x0, e, xt, w, m, v, 0.8, 0.6)
    cases = [("score matching: pairs and gap samples", 10**6, sm),
             ("quantization: Zipf draws, multinomial counts (D = 1e6)", 10**6,
              lambda: quantization_scaling.simulate_learned_quanta(0.4, 10**6, (1, 5), 1, 0)),
             ("quantization: Zipf draws, numpy's sampler (D = 1e6)", 10**6,
              lambda: quantization_scaling.simulate_learned_quanta(0.4, 10**6, (1, 5), 1, 0, method="zipf")),
             ("entropy: stick-breaking PD(0.25) (200 x 4000 sticks)", 200 * 4000,
              lambda: entropy_scale.pd_entropy_mc(0.25, 200, 0)),
             ("Adam lens: g g' outer products (N = 1e6, d = 3)", 10**6,
              lambda: adam_newton.outer_error(np.eye(3), 0.1, 10**6, 1, 0))]
    return [(name, n / _median_time(fn, repeat)) for name, n, fn in cases]


def topk_growth(repeat: int):
    from numerics import topk_smoothing as nt
    rng = np.random.default_rng(0)
    funcs = {"sigmoid_topk": nt.sigmoid_topk, "exp_topk": nt.exp_topk, "smooth_topk": nt.smooth_topk,
             "grad_topk": nt.grad_topk}
    by_n, by_k = {}, {}
    for name, f in funcs.items():
        ns = (10**4, 10**5, 10**6)
        by_n[name] = [(n, _median_time(lambda n=n: f(rng.standard_normal(n), 100), repeat if name != "grad_topk" or n < 10**6 else 1))
                      for n in ns]
        x = rng.standard_normal(10**5)
        by_k[name] = [(k, _median_time(lambda k=k: f(x, k), repeat if name != "grad_topk" or k < 1000 else 1))
                      for k in (10, 100, 1000)]
    return by_n, by_k


def entropy_growth(repeat: int):
    from numerics import entropy_scale as ne
    rng = np.random.default_rng(0)
    out = []
    for p in range(10, 21, 2):
        s = rng.standard_normal(2**p)
        out.append((2**p, _median_time(lambda: ne.softmax_entropy(s, 5.0), max(repeat, 7))))
    return out


def _plot(series, xlabel, ylabel, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, pts in series.items():
        xs, ys = zip(*pts)
        ax.loglog(xs, ys, "o-", label=f"{label} (slope {_slope(xs, ys):.2f})")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return figure_bytes(fig)


def _table(header, rows):
    return "\n".join([f"| {' | '.join(header)} |", "|" + "---|" * len(header)] +
                     [f"| {' | '.join(str(c) for c in r)} |" for r in rows])


def write(repeat: int, suite_repeat: int) -> Path:
    import mpmath
    figs = OUT / "figures" / "performance"
    figs.mkdir(parents=True, exist_ok=True)
    print("timing the suite ...", file=sys.stderr, flush=True)
    suite = suite_timings(suite_repeat)
    print("profiling claims ...", file=sys.stderr, flush=True)
    prof = claim_profile()
    print("cost growth ...", file=sys.stderr, flush=True)
    prec, mc, (tk_n, tk_k), ent = precision_growth(repeat), mc_rates(repeat), topk_growth(repeat), entropy_growth(repeat)
    (figs / "precision.png").write_bytes(_plot({"point check": prec}, "dps (first rung; second at 2 dps)", "seconds", "numeric point check"))
    (figs / "topk_n.png").write_bytes(_plot(tk_n, "n (k = 100)", "seconds", "float64 Top-k against n"))
    (figs / "topk_k.png").write_bytes(_plot(tk_k, "k (n = 1e5)", "seconds", "float64 Top-k against k"))
    (figs / "entropy_n.png").write_bytes(_plot({"softmax_entropy": ent}, "n", "seconds", "float64 softmax entropy against n"))
    lines = ["# Performance", "",
             f"Generated by `derivcheck bench` on {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, mpmath backend {mpmath.libmp.BACKEND}; medians of {suite_repeat} run(s) for the "
             f"suite and {repeat} for the engines. Machine-dependent: regenerate with `derivcheck bench`.", "",
             "## The suite", "", _table(["command", "wall time (s)"], [(n, f"{t:.1f}") for n, t in suite]), "",
             "Budgets of the issue tracker: default `pytest` under 60 s, `derivcheck report` under 30 s on 2 cores.", "",
             "## Where the time goes, per article (serial, in-process)", ""]
    for stem, rows in prof.items():
        total = sum(r[0] for r in rows)
        sym = sum(r[1] for r in rows)
        lines.append(f"**{stem}**: {len(rows)} claims, {total:.1f} s in claims ({sym:.1f} s symbolic ladder, "
                     f"{total - sym:.1f} s claim code and numeric checks). Slowest:")
        lines += ["", _table(["claim", "total (s)", "symbolic (s)", "numeric and claim code (s)", "slow"],
                             [(n, f"{t:.2f}", f"{s:.2f}", f"{t - s:.2f}", "yes" if sl else "") for t, s, n, sl in rows[:5]]), ""]
    lines += ["## Cost growth", "", "**Numeric point check** (two sides, two rungs d and 2d):", "",
              _table(["dps", "seconds"], [(d, f"{t:.4f}") for d, t in prec]),
              f"\nFitted exponent: time ~ dps^{_slope(*zip(*prec)):.2f}.", "", "![precision](figures/performance/precision.png)", "",
              "**Monte Carlo engines:**", "", _table(["engine", "samples per second"], [(n, f"{r:.3g}") for n, r in mc]), "",
              "**float64 Top-k, against n** (k = 100):", "",
              _table(["construction"] + [f"n = {n:g}" for n, _ in next(iter(tk_n.values()))] + ["exponent"],
                     [(k, *[f"{t:.4f}" for _, t in v], f"{_slope(*zip(*v)):.2f}") for k, v in tk_n.items()]), "",
              "**against k** (n = 1e5):", "",
              _table(["construction"] + [f"k = {k}" for k, _ in next(iter(tk_k.values()))] + ["exponent"],
                     [(k, *[f"{t:.4f}" for _, t in v], f"{_slope(*zip(*v)):.2f}") for k, v in tk_k.items()]), "",
              "The threshold constructions cost O(n) (a partial sort of the top k or 2k+1 entries, a few vectorised "
              "passes); the GradTopK dynamic programme costs O(nk) time and memory (k log-space cumulative sums over n).", "",
              "![topk n](figures/performance/topk_n.png)", "", "![topk k](figures/performance/topk_k.png)", "",
              "**Softmax entropy in float64:**", "", _table(["n", "seconds"], [(n, f"{t:.5f}") for n, t in ent]),
              f"\nFitted exponent {_slope(*zip(*ent)):.2f}; at n = 2^20: {ent[-1][1] * 1000:.1f} ms (budget 50 ms).", "",
              "![entropy](figures/performance/entropy_n.png)", ""]
    page = OUT / "performance.md"
    page.write_text("\n".join(lines))
    return page


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="derivcheck bench")
    p.add_argument("--repeat", type=int, default=5, help="runs per engine timing (median)")
    p.add_argument("--suite-repeat", type=int, default=3, help="runs per suite timing (median)")
    args = p.parse_args(argv if argv is not None else sys.argv[2:])
    page = write(args.repeat, args.suite_repeat)
    print(f"wrote {page}", file=sys.stderr)
    return 0


__all__ = ["main"]
