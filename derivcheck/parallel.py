"""Running claims and articles in worker processes, with the verdicts of a serial run.

Seeds are derived from claim ids (``checks.seed_for``), never from the order of execution, so a
claim gives the same verdict and evidence in any worker. A worker that dies (a crash, an
``os._exit``, the kernel's OOM killer) costs only the claims it was running: they become ERROR
verdicts naming the cause, finished results are kept, and the rest runs on a fresh pool.
"""
from __future__ import annotations

import multiprocessing as mproc
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .records import Link, Status, Verdict
from .registry import load_article
from .report import render_figures, text_block
from .run import run_claim, run_sections, select

_ARTICLES: dict = {}                     # per worker: path -> Article, loaded once


def _article(path: str):
    if path not in _ARTICLES:
        _ARTICLES[path] = load_article(path)
    return _ARTICLES[path]


def _claim_job(path: str, name: str, dps, seed: int) -> Verdict:
    claim = next(c for c in _article(path).claims if c.name == name)
    return run_claim(claim, dps, seed)


def _article_job(path: str, names, dps, seed: int, sections: bool):
    art = _article(path)
    verdicts = [run_claim(c, dps, seed) for c in art.claims if c.name in names]
    secs = render_figures(run_sections(art)) if sections else ()
    return verdicts, secs


def _crashed(claim, exc) -> Verdict:
    cause = (f"{claim.source}::{claim.name}: the worker process died while running this claim, also when "
             f"rerun alone ({type(exc).__name__}); the other claims were not affected")
    link = Link(1, "", Status.ERROR, "the worker process died", evidence=(("cause", cause),))
    v = Verdict(claim.id, Status.ERROR, "the worker process died", False, "", (link,))
    summary, message = text_block(claim, v)
    return Verdict(v.claim_id, v.status, v.basis, False, summary, v.links, message=message)


def _context():
    return mproc.get_context("fork" if sys.platform != "win32" else "spawn")


def run_claims(todo, jobs: int, dps, seed: int, progress) -> dict:
    """{claim id: Verdict} for [(article, claim)], in ``jobs`` processes; ``progress(verdict)``.
    When a worker dies, every claim it took down is rerun alone: only the culprit is an ERROR."""
    verdicts, failed = {}, []
    with ProcessPoolExecutor(jobs, mp_context=_context()) as pool:
        futs = [(a, c, pool.submit(_claim_job, a.path, c.name, dps, seed)) for a, c in todo]
        for a, c, fut in futs:
            try:
                verdicts[c.id] = fut.result()
                progress(verdicts[c.id])
            except BrokenProcessPool:
                failed.append((a, c))
    for a, c in failed:
        with ProcessPoolExecutor(1, mp_context=_context()) as pool:
            try:
                verdicts[c.id] = pool.submit(_claim_job, a.path, c.name, dps, seed).result()
            except BrokenProcessPool as exc:
                verdicts[c.id] = _crashed(c, exc)
        progress(verdicts[c.id])
    return verdicts


def run_articles(arts, selectors, jobs: int, dps, seed: int, slow: bool, sections: bool, progress):
    """[(verdicts, sections)] per article, one article per task (claims and sections share caches)."""
    tasks = []
    for a in arts:
        names = {c.name for c in select(a.claims, selectors) if slow or not c.slow}
        tasks.append((a, names))
    out, failed = {}, []
    order = sorted(tasks, key=lambda t: -Path(t[0].path).stat().st_size)   # big articles first
    with ProcessPoolExecutor(jobs, mp_context=_context()) as pool:
        futs = [(a, names, pool.submit(_article_job, a.path, names, dps, seed, sections)) for a, names in order]
        for a, names, fut in futs:
            try:
                out[a.path] = fut.result()
            except BrokenProcessPool:
                failed.append((a, names))
    for a, names in failed:                              # alone on a fresh pool: who really died?
        with ProcessPoolExecutor(1, mp_context=_context()) as pool:
            try:
                out[a.path] = pool.submit(_article_job, a.path, names, dps, seed, sections).result()
            except BrokenProcessPool as exc:
                out[a.path] = ([_crashed(c, exc) for c in a.claims if c.name in names], ())
    for a, _ in tasks:
        for v in out[a.path][0]:
            progress(v)
    return [out[a.path] for a in arts]
