"""The commands behind the CLI: list, verify, check, report. One bad file never stops the others."""
from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from .jsonout import write_json
from . import cache
from .parallel import _article_job, run_articles, run_claims
from .project import load_all
from .records import Status
from .registry import DerivationError
from .report import render_figures, write_report
from .run import ArticleResult, discover, resolve, run_claim, run_sections, select


class UsageError(Exception):
    """A command line that names something that does not exist, or a value it cannot use (exit 2)."""


def progress_line(i: int, n: int, verdict, width: int) -> None:
    mark = "ok" if verdict.ok else "FAIL"
    print(f"[{i:>{width}}/{n}] {verdict.claim_id:<40} {str(verdict.status):<12} {mark:<4} "
          f"{verdict.seconds:6.2f}s", file=sys.stderr, flush=True)


def _report_load_errors(errors) -> None:
    for e in errors:
        if os.environ.get("DERIVCHECK_DEBUG") and e.trace:
            print(e.trace.rstrip(), file=sys.stderr)
        print(f"derivcheck: error: {e.message}", file=sys.stderr)


def cmd_list(args) -> int:
    arts, errors = load_all(discover(Path("derivations")))
    for a in arts:
        print(f"{a.stem}: {a.title} ({len(a.claims)} claims)")
        for c in a.claims:
            print(f"  {c.id:<36} [{c.tag}] {c.statement[:70]}")
    _report_load_errors(errors)
    return 1 if errors else 0


def _existing(paths) -> list:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file")
    return list(paths)


def run_selection(paths, selectors, args, at=None):
    """(results, load errors) for the claims of ``paths`` matching ``selectors``."""
    arts, errors = load_all(_existing(paths))
    todo = [(a, c) for a in arts for c in select(a.claims, selectors) if args.slow or not c.slow]
    if selectors and not todo and not errors:
        raise UsageError(f"no claim matches {', '.join(selectors)}")
    width, done = len(str(len(todo))), []

    def progress(v):
        done.append(v)
        progress_line(len(done), len(todo), v, width)
    if at:
        from .pin import pin
        todo = [(a, pin(c, at)) for a, c in todo]
    if args.jobs > 1 and not at:
        verdicts = run_claims(todo, args.jobs, args.dps, args.seed, progress)
    else:
        verdicts = {}
        for a, c in todo:
            verdicts[c.id] = run_claim(c, args.dps, args.seed) if at else \
                cache.cached_claim(c, args.dps, args.seed, run_claim)
            progress(verdicts[c.id])
    results = [ArticleResult(a, tuple(verdicts[c.id] for c in a.claims if c.id in verdicts), ())
               for a in arts]
    if getattr(args, "sections", False):
        results = [_with_sections(r) for r in results]
    return results, errors


def _with_sections(r: ArticleResult) -> ArticleResult:
    secs, errs = run_sections(r.article)
    for e in errs:
        print(f"derivcheck: error: {e}", file=sys.stderr)
    print(f"{r.article.stem}: {len(secs)} sections, {len(errs)} failed", file=sys.stderr)
    return replace(r, sections=tuple(render_figures(secs)), errors=tuple(errs))


def cmd_verify(args) -> int:
    try:
        paths = resolve(args.targets)
    except DerivationError as exc:
        raise UsageError(str(exc)) from None
    return finish(*run_selection(paths, args.targets, args), args)


def cmd_check(args) -> int:
    paths, sels = split_targets(args.targets)
    return finish(*run_selection(paths, sels, args, args.at), args)


def split_targets(targets):
    """Paths and their claim selectors from 'path' or 'path::claim'."""
    paths, sels, whole = [], [], []
    for t in targets:
        path, _, name = t.partition("::")
        if path not in paths:
            paths.append(path)
        if name:
            sels.append(f"{Path(path).stem}.{name}")
        else:
            whole.append(Path(path).stem)
    return paths, (sels + whole if sels else [])      # a bare path beside path::claim: all its claims


def strict_failure(v) -> bool:
    """--strict: a REFUTED identity must rest on an exact argument or a certified enclosure."""
    if v.status is not Status.REFUTED:
        return False
    bad = [l for l in v.links if l.status is Status.REFUTED and l.basis.startswith("numeric")]
    return any(not l.certified.startswith("certified") for l in bad)


def finish(results, errors, args) -> int:
    verdicts = [v for r in results for v in r.verdicts]
    for v in verdicts:
        if not v.ok or v.status not in (Status.PROVED, Status.CONFIRMED):
            print(v.message + "\n")
    strict = [v for v in verdicts if v.ok and args.strict and strict_failure(v)]
    for v in strict:
        print(f"--strict: {v.claim_id} is REFUTED without a certified counterexample")
    bad = [v for v in verdicts if not v.ok] + strict
    section_errors = [e for r in results for e in r.errors]
    n = len(verdicts)
    if cache.REUSED[0]:
        print(f"{cache.REUSED[0]} of {n} verdicts reused from the cache (.derivcheck/cache; --no-cache "
              "recomputes)", file=sys.stderr)
    print(f"{n - len(bad)} as expected, {len(bad)} not, of {n} claims: " + ", ".join(
        f"{s} {k}" for s in Status if (k := sum(v.status is s for v in verdicts))) +
        (f"; {len(errors)} file(s) could not be loaded" if errors else "") +
        (f"; {len(section_errors)} section(s) failed" if section_errors else ""))
    _report_load_errors(errors)
    failed = bool(bad or errors or section_errors)
    if args.json:
        write_json(args.json, results, errors, strict, failed)
    return 1 if failed else 0


def cmd_report(args, t0: float) -> int:
    stems = [t for t in args.targets if not t.endswith(".py")]
    files = [Path(t) for t in args.targets if t.endswith(".py")]
    try:
        paths = (resolve(stems) if stems or not files else []) + _existing(files)
    except DerivationError as exc:
        raise UsageError(str(exc)) from None
    arts, errors = load_all(paths)
    n = sum(len(a.claims) for a in arts)
    width, done = len(str(n)), []

    def progress(v):
        done.append(v)
        progress_line(len(done), n, v, width)
    if args.jobs > 1 and len(arts) > 1:
        runs = run_articles(arts, [], min(args.jobs, len(arts)), None, 0, True, True, progress)
    else:
        runs = []
        for a in arts:
            vs, secs, _, errs, hit = _article_job(a.path, {c.name for c in a.claims}, None, 0, True, a)
            cache.REUSED[0] += len(vs) if hit else 0
            for v in vs:
                progress(v)
            runs.append((vs, secs, errs))
    results = [ArticleResult(a, tuple(vs), tuple(secs), tuple(errs)) for a, (vs, secs, errs) in zip(arts, runs)]
    partial = None if not args.targets else [p.stem for p in discover(Path("derivations"))]
    in_project = all(Path(a.path).parent.name == "derivations" for a in arts)
    written = write_report(results, args.out, index=in_project, partial_order=partial)
    section_errors = [e for r in results for e in r.errors]
    for e in section_errors:
        print(f"derivcheck: error: {e}", file=sys.stderr)
    _report_load_errors(errors)
    pages = sum(p.suffix == ".md" for p in written)
    if cache.REUSED[0]:
        print(f"{cache.REUSED[0]} of {n} verdicts reused from the cache (--no-cache recomputes)", file=sys.stderr)
    print(f"wrote {len(written)} files ({pages} pages, {len(written) - pages} figures) to {args.out}/ "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    ok = all(v.ok for r in results for v in r.verdicts)
    return 0 if ok and not errors and not section_errors else 1
