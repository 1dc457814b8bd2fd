"""Running claims and articles in worker processes, with the verdicts of a serial run.

Seeds are derived from claim ids (``checks.seed_for``), never from the order of execution, so a
claim gives the same verdict and evidence in any worker. A worker that dies (a crash, an
``os._exit``, the kernel's OOM killer) costs only the claims it was running: they become ERROR
verdicts naming the cause, finished results are kept, and the rest runs on a fresh pool.
"""
from __future__ import annotations

import json
import multiprocessing as mproc
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from . import cache
from .records import Link, Status, Verdict
from .registry import load_article
from .report import render_figures, text_block
from .run import run_claim, run_sections, select

_ARTICLES: dict = {}                     # per worker: path -> Article, loaded once


def _article(path: str):
    if path not in _ARTICLES:
        _ARTICLES[path] = load_article(path)
    return _ARTICLES[path]


def _claim_job(path: str, name: str, dps, seed: int, counted: bool = False):
    """The verdict of one claim (from the cache when its key matches); with ``counted``,
    (verdict, whether it came from the cache)."""
    claim = next(c for c in _article(path).claims if c.name == name)
    before = cache.REUSED[0]
    v = cache.cached_claim(claim, dps, seed, run_claim)
    return (v, cache.REUSED[0] > before) if counted else v


def _article_job(path: str, names, dps, seed: int, sections: bool, art=None):
    """(verdicts, rendered sections, seconds, section errors, from the cache?) of one article."""
    t0 = time.perf_counter()
    k = cache.key(path, "article", tuple(sorted(names)), dps, seed, sections) if cache.enabled() else None
    hit = cache.load(k) if k else None
    if hit is not None:
        return (*hit[:2], time.perf_counter() - t0, hit[2], True)
    art = art or _article(path)
    verdicts = [run_claim(c, dps, seed) for c in art.claims if c.name in names]
    secs, errors = run_sections(art) if sections else ((), [])
    out = (verdicts, render_figures(secs), errors)
    if k:
        cache.store(k, out)
    return out[0], out[1], time.perf_counter() - t0, out[2], False


TIMINGS = Path(".derivcheck") / "timings.json"     # seconds per article of the last run: scheduling only


def _read_timings() -> dict:
    try:
        data = json.loads(TIMINGS.read_text())
        return {k: float(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError, TypeError):
        return {}


def _write_timings(update: dict) -> None:
    try:
        TIMINGS.parent.mkdir(exist_ok=True)
        TIMINGS.write_text(json.dumps({**_read_timings(), **update}, indent=1, sort_keys=True))
    except OSError:
        pass                                       # a read-only checkout schedules by file size


def schedule(arts, timings: dict) -> list:
    """Longest first: by the seconds an article took last time; articles never timed come first,
    largest file first (a new derivation is not assumed cheap)."""
    return sorted(arts, key=lambda a: (a.stem in timings, -timings.get(a.stem, 0.0),
                                       -Path(a.path).stat().st_size))


def _crashed(claim, exc) -> Verdict:
    cause = (f"{claim.source}::{claim.name}: the worker process died while running this claim, also when "
             f"rerun alone ({type(exc).__name__}); the other claims were not affected")
    link = Link(1, "", Status.ERROR, "the worker process died", evidence=(("cause", cause),))
    v = Verdict(claim.id, Status.ERROR, "the worker process died", False, "", (link,))
    summary, message = text_block(claim, v)
    return Verdict(v.claim_id, v.status, v.basis, False, summary, v.links, message=message)


def _context():
    return mproc.get_context("fork" if sys.platform != "win32" else "spawn")


def _isolated(jobs: int, calls, crashed, done=lambda key, result: None) -> dict:
    """{key: result} of [(key, fn, args)] on ``jobs`` processes. The calls a dying worker took down
    are rerun one by one on fresh single-worker pools; one that dies again gets ``crashed(key, exc)``."""
    out, failed = {}, []
    with ProcessPoolExecutor(jobs, mp_context=_context()) as pool:
        futs = [(key, fn, args, pool.submit(fn, *args)) for key, fn, args in calls]
        for key, fn, args, fut in futs:
            try:
                out[key] = fut.result()
                done(key, out[key])
            except BrokenProcessPool:
                failed.append((key, fn, args))
    for key, fn, args in failed:
        with ProcessPoolExecutor(1, mp_context=_context()) as pool:
            try:
                out[key] = pool.submit(fn, *args).result()
            except BrokenProcessPool as exc:
                out[key] = crashed(key, exc)
        done(key, out[key])
    return out


def run_claims(todo, jobs: int, dps, seed: int, progress) -> dict:
    """{claim id: Verdict} for [(article, claim)], in ``jobs`` processes; ``progress(verdict)``.
    When a worker dies only the claim that killed it is an ERROR; the others keep their results."""
    claims = {c.id: c for _, c in todo}
    calls = [(c.id, _claim_job, (a.path, c.name, dps, seed, True)) for a, c in todo]
    out = _isolated(jobs, calls, lambda key, exc: (_crashed(claims[key], exc), False),
                    lambda key, res: progress(res[0]))
    cache.REUSED[0] += sum(hit for _, hit in out.values())
    return {k: v for k, (v, _) in out.items()}


def run_articles(arts, selectors, jobs: int, dps, seed: int, slow: bool, sections: bool, progress):
    """[(verdicts, sections, section errors)] per article, one article per task (claims and
    sections share caches)."""
    names = {a.path: {c.name for c in select(a.claims, selectors) if slow or not c.slow} for a in arts}
    by_path = {a.path: a for a in arts}
    order = schedule(arts, _read_timings())
    calls = [(a.path, _article_job, (a.path, names[a.path], dps, seed, sections)) for a in order]
    out = _isolated(jobs, calls, lambda path, exc: (
        [_crashed(c, exc) for c in by_path[path].claims if c.name in names[path]], (), None,
        [f"{path}: the worker process died while computing this article ({type(exc).__name__})"], False))
    if sections and not selectors:                  # a full run: remember what each article cost
        _write_timings({a.stem: out[a.path][2] for a in arts if out[a.path][2] is not None})
    for a in arts:
        for v in out[a.path][0]:
            progress(v)
    cache.REUSED[0] += sum(len(out[a.path][0]) for a in arts if out[a.path][4])
    return [(out[a.path][0], out[a.path][1], out[a.path][3]) for a in arts]
