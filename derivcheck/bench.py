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


def _wall_env(cmd, repeat: int, env: dict, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True, env={**os.environ, **env})
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _touch(path: Path, original: bytes, state: list) -> None:
    """Change one byte of an article (a trailing newline toggled): its cached verdicts go stale."""
    state[0] = not state[0]
    path.write_bytes(original + (b"\n" if state[0] else b""))


def suite_timings(repeat: int):
    """Cold (no cache) and warm suites, one article touched, one claim by node id."""
    py, cold, warm = sys.executable, {"DERIVCHECK_NO_CACHE": "1"}, {"DERIVCHECK_NO_CACHE": "0"}
    pytest = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    one = Path("derivations/vieta.py")
    original, state = one.read_bytes(), [False]
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows += [("default `pytest`, cold (no cache)", _wall_env(pytest, repeat, cold)),
                     ("`derivcheck verify --jobs 2`, cold (one run)", _wall_env([py, "-m", "derivcheck", "verify", "--jobs", "2"], 1, cold)),
                     ("`derivcheck report`, cold (one run)", _wall_env([py, "-m", "derivcheck", "report", "--out", tmp], 1, cold))]
            _wall_env(pytest, 1, warm)                                   # fill the cache
            _wall_env([py, "-m", "derivcheck", "report", "--out", tmp], 1, warm)
            rows += [("default `pytest`, warm (nothing changed)", _wall_env(pytest, repeat, warm)),
                     ("default `pytest`, warm after touching one article (vieta)",
                      _wall_env(pytest, repeat, warm, lambda: _touch(one, original, state))),
                     ("`derivcheck report`, warm after touching one article (vieta)",
                      _wall_env([py, "-m", "derivcheck", "report", "--out", tmp], repeat, warm,
                                lambda: _touch(one, original, state))),
                     ("one claim by node id: `pytest derivations/vieta.py::A6`, cold",
                      _wall_env(pytest + ["derivations/vieta.py::A6"], repeat, cold)),
                     ("one claim: `derivcheck check derivations/vieta.py::A6`, cold",
                      _wall_env([py, "-m", "derivcheck", "check", "derivations/vieta.py::A6"], repeat, cold))]
    finally:
        one.write_bytes(original)
    return rows


def engine_floors(repeat: int):
    """Engines against the numpy floor of the same size: one np.exp pass, one np.partition."""
    from numerics import entropy_scale, score_matching, topk_smoothing
    rng = np.random.default_rng(0)
    x6, x20 = rng.standard_normal(10**6), rng.standard_normal(2**20)
    exp6, exp20 = _median_time(lambda: np.exp(x6), repeat), _median_time(lambda: np.exp(x20), repeat)
    part6 = _median_time(lambda: np.partition(x6, 10**6 - 101), repeat)
    sig = _median_time(lambda: topk_smoothing.sigmoid_topk(x6, 100, 1.0), repeat)
    ent = _median_time(lambda: entropy_scale.softmax_entropy(x20, 5.0), repeat)
    w, m, v = [0.3, 0.7], [-2, 1.5], [0.25, 1]

    def sm():
        x0, e, xt = score_matching.sample_pairs(rng, 10**6, w, m, v, 0.8, 0.6)
        score_matching.gap_samples((0.5, -1, 0.1, -0.05), x0, e, xt, w, m, v, 0.8, 0.6)
    smt = _median_time(sm, repeat)
    normal = _median_time(lambda: rng.standard_normal(10**6), repeat)
    return [("ThreSig (sigmoid threshold), n = 1e6, k = 100", f"{sig * 1e3:.1f} ms", "60 ms",
             f"{sig / exp6:.0f}x one np.exp, {sig / part6:.0f}x one np.partition"),
            ("softmax entropy, n = 2^20", f"{ent * 1e3:.1f} ms", "10 ms", f"{ent / exp20:.0f}x one np.exp"),
            ("score-matching Monte Carlo (pairs and gap samples)", f"{1e6 / smt:.3g} samples/s", "1e7 samples/s",
             f"{smt / normal:.1f}x one 1e6 standard_normal draw")]


def article_engines(repeat: int):
    """The public engines of the articles: seconds per call at dps 30 and 60, rates of the simulations."""
    from numerics import (adafactor_adax, adam_epsilon, batch_size_lr, cr_sampling, fourier_density,
                          lossless_widening, perturb_max, squareplus)
    a = ["1", "0.5", "-0.25"]
    rows = []
    for name, call in (
            ("squareplus_minimax_b (uncached route A)", lambda d: squareplus.minimax_route_a(d)),
            ("squareplus_max_error(b = 1.5)", lambda d: squareplus.squareplus_max_error("1.5", d)),
            ("perturb_max_probs, Gaussian, n = 3", lambda d: perturb_max.perturb_max_probs([1, 0, -1], "gaussian", d)),
            ("perturb_max_probs, Gumbel, n = 3", lambda d: perturb_max.perturb_max_probs([1, 0, -1], "gumbel", d)),
            ("fourier_density_cdf (N = 2)", lambda d: fourier_density.fourier_density_cdf(a, "0.3", d)),
            ("fourier_density_derivative_energy (N = 2)", lambda d: fourier_density.fourier_density_derivative_energy(a, d)),
            ("adam_eps_clip_mean(a = 1, b = 2)", lambda d: adam_epsilon.adam_eps_clip_mean(1, 2, d)),
            ("idiv_rank1_optimum (3 x 4)", lambda d: adafactor_adax.idiv_rank1_optimum(
                [[1, 2, 3, 4], [2, 1, 5, 3], [4, 3, 2, 1]], d))):
        rows.append((name, *(f"{_median_time(lambda: call(d), repeat) * 1e3:.2f} ms" for d in (30, 60))))
    rows.append(("perturb_max_quantile_rule, K = 1e3 (dps 20)", f"{_median_time(lambda: perturb_max.perturb_max_quantile_rule([1, 0, -1], 1000), max(1, repeat // 2)) * 1e3:.0f} ms", "–"))
    rows.append(("adax_ema_weights(t = 1e5, beta2 = 1e-4)", f"{_median_time(lambda: adafactor_adax.adax_ema_weights(10**5, '1e-4'), max(1, repeat // 2)):.2f} s", "–"))
    X = np.arange(1, 13, dtype=float).reshape(3, 4)
    rows.append(("cr_expected_error (3 x 4 by 4 x 3), exact", f"{_median_time(lambda: cr_sampling.cr_expected_error(X.astype(int).tolist(), X.T.astype(int).tolist(), cr_sampling.cr_optimal_probs(X.astype(int).tolist(), X.T.astype(int).tolist())), repeat) * 1e3:.2f} ms", "–"))
    params = lossless_widening.random_params(768, 3072, seed=0)
    wide = lossless_widening.widen_bert_block(params, 12)
    x = np.random.default_rng(0).standard_normal((128, 1536))
    rows.append(("widened BERT block forward pass (d = 768 -> 1536, 12 heads, n = 128, float64)",
                 f"{_median_time(lambda: lossless_widening.bert_block(x, wide, 12), repeat) * 1e3:.0f} ms", "–"))
    n = 200_000
    sim = _median_time(lambda: batch_size_lr.simulate_optimal_lr([1, -2], [[2, 0.5], [0.5, 1]], [[4, 0], [0, 9]], 8, n, 1, "sign"), 3)
    rows.append(("sign-SGD optimum by simulation (B = 8, 2-D)", f"{n / sim:.3g} minibatches/s", "–"))
    sim = _median_time(lambda: adam_epsilon.softsign_eta_mc([1, -2], [[2, 0.5], [0.5, 1]], [4, 9], 8, 0.1, n, 1), 3)
    rows.append(("SoftSign-SGD optimum by simulation (B = 8, 2-D)", f"{n / sim:.3g} minibatches/s", "–"))
    return rows


SIX = ("adam_newton", "vieta", "entropy_scale", "quantization_scaling", "score_matching", "topk_smoothing")


def mutate_timing():
    """One run of mutation testing on the six first articles (3 mutants per claim, 2 workers): the
    budget is 5 minutes."""
    with tempfile.TemporaryDirectory() as tmp:
        return (f"`derivcheck mutate {' '.join(SIX)} --max-per-claim 3 --jobs 2` (one run; budget 300 s)",
                _wall([sys.executable, "-m", "derivcheck", "mutate", *SIX, "--max-per-claim", "3", "--jobs", "2",
                       "--out", tmp], 1))


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


def _article_row(stem, rows):
    default = [r for r in rows if not r[3]]
    top = max(default, default=None)
    return (stem, f"{len(rows)} ({len(rows) - len(default)})", f"{sum(r[0] for r in default):.1f}",
            f"{sum(r[0] for r in rows if r[3]):.1f}", f"{sum(r[1] for r in rows):.1f}",
            f"{top[2]} ({top[0]:.2f} s)" if top else "")


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


def bound_timings(repeat: int):
    """Branch and bound (arb balls, mean-value form): the time to certify a 1-D and a 2-D bound
    whose smallest gap is 1e-10, and boxes per second; medians over ``repeat`` runs."""
    import sympy as sp

    from numerics.intervals import branch_and_bound

    from ._arb import compile_expr
    x, y = sp.symbols("x y", real=True)
    r = sp.Rational
    cases = [("1-D: x^2 - 3x/5 + 9/100 + 1e-10 >= 0 on [-2, 2]",
              x**2 - r(3, 5) * x + r(9, 100) + r(1, 10**10), [x], [(-2.0, 2.0)]),
             ("2-D: (x - 3/10)^2 + (y + 1/5)^2 + 1e-10 >= 0 (expanded) on [-1, 1]^2",
              x**2 + y**2 - r(3, 5) * x + r(2, 5) * y + r(13, 100) + r(1, 10**10), [x, y], [(-1.0, 1.0)] * 2)]
    rows = []
    for name, e, syms, box in cases:
        g = compile_expr(e, syms)
        grads = [compile_expr(sp.diff(e, v), syms) for v in syms]
        out = []
        t = _median_time(lambda: out.append(branch_and_bound(g, box, grad=lambda a: [d(a) for d in grads],
                                                             max_boxes=10**6, time_limit=60.0)), repeat)
        rows.append((name, out[-1].status, out[-1].boxes, t, out[-1].boxes / t))
    return rows


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


def write(repeat: int, suite_repeat: int, suite: bool = True) -> Path:
    import mpmath
    figs = OUT / "figures" / "performance"
    figs.mkdir(parents=True, exist_ok=True)
    if suite:
        print("timing the suite ...", file=sys.stderr, flush=True)
        suite_rows = suite_timings(suite_repeat) + [mutate_timing()]
        print("profiling claims ...", file=sys.stderr, flush=True)
        prof = claim_profile()
    else:
        suite_rows, prof = [], {}
    print("cost growth ...", file=sys.stderr, flush=True)
    prec, mc, (tk_n, tk_k), ent = precision_growth(repeat), mc_rates(repeat), topk_growth(repeat), entropy_growth(repeat)
    bnd = bound_timings(repeat)
    floors = engine_floors(max(repeat, 7))
    engines = article_engines(repeat)
    (figs / "precision.png").write_bytes(_plot({"point check": prec}, "dps (first rung; second at 2 dps)", "seconds", "numeric point check"))
    (figs / "topk_n.png").write_bytes(_plot(tk_n, "n (k = 100)", "seconds", "float64 Top-k against n"))
    (figs / "topk_k.png").write_bytes(_plot(tk_k, "k (n = 1e5)", "seconds", "float64 Top-k against k"))
    (figs / "entropy_n.png").write_bytes(_plot({"softmax_entropy": ent}, "n", "seconds", "float64 softmax entropy against n"))
    lines = ["# Performance", "",
             f"Generated by `derivcheck bench` on {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, mpmath backend {mpmath.libmp.BACKEND}; medians of {suite_repeat} run(s) for the "
             f"suite and {repeat} for the engines. Machine-dependent: regenerate with `derivcheck bench`.", "",
             "## The suite", "", (_table(["command", "wall time (s)"], [(n, f"{t:.1f}") for n, t in suite_rows])
                                  if suite_rows else "Not measured in this run (`derivcheck bench --skip-suite`): "
                                  "run `derivcheck bench` for the suite's cold and warm timings."), "",
             "Budgets: default `pytest` cold under 60 s (the project's target; the hard limit is 2 minutes), one claim "
             "by node id under 3 s. Warm runs reuse cached verdicts (`.derivcheck/cache`); touching one article reruns "
             "only that article.", "",
             "## Engines at their floor", "",
             _table(["engine", "median", "goal", "against the numpy floor"], floors), "",
             "## The articles' engines", "",
             _table(["engine", "dps 30 (or as stated)", "dps 60"], engines), "",
             "## Where the time goes, per article (serial, in-process)", "",
             "" if prof else "Not measured in this run (`--skip-suite`).", ""]
    if prof:
        lines += [_table(["article", "claims (slow)", "default claims (s)", "slow claims (s)", "symbolic ladder (s)",
                          "slowest default claim"], [_article_row(stem, rows) for stem, rows in prof.items()]),
                  "", f"All articles: {sum(sum(r[0] for r in rows if not r[3]) for rows in prof.values()):.1f} s of "
                  "default claims, serial; the default `pytest` runs them on every core with the unit tests.", ""]
    for stem, rows in prof.items():
        lines += [f"**{stem}**, slowest claims:", "",
                  _table(["claim", "total (s)", "symbolic (s)", "numeric and claim code (s)", "slow"],
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
              "![entropy](figures/performance/entropy_n.png)", "",
              "**Bounds by branch and bound** (arb balls at 128 bits, mean-value form; smallest gap 1e-10):", "",
              _table(["bound", "verdict", "boxes", "seconds", "boxes per second"],
                     [(n, st, b, f"{t:.4f}", f"{r:.3g}") for n, st, b, t, r in bnd]), ""]
    page = OUT / "performance.md"
    page.write_text("\n".join(lines))
    return page


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="derivcheck bench")
    p.add_argument("--repeat", type=int, default=5, help="runs per engine timing (median)")
    p.add_argument("--suite-repeat", type=int, default=3, help="runs per suite timing (median)")
    p.add_argument("--skip-suite", action="store_true",
                   help="engines only: leave out the suite timings, the mutation run and the claim profile")
    args = p.parse_args(argv if argv is not None else sys.argv[2:])
    page = write(args.repeat, args.suite_repeat, not args.skip_suite)
    print(f"wrote {page}", file=sys.stderr)
    return 0


__all__ = ["main"]
