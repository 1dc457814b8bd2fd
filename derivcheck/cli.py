"""The command line: list, verify, check, report, new, bench. Exit 0 all as expected, 1 otherwise, 2 usage."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .records import Status
from .registry import DerivationError, load_article
from .report import write_report
from .parallel import run_articles, run_claims
from .run import ArticleResult, resolve, run_claim, run_sections, select


def _dps(text: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dps {text!r}: give integers such as 30,60") from None
    if not vals or any(v <= 5 for v in vals):
        raise argparse.ArgumentTypeError(f"--dps {text!r}: every precision must be above 5 digits")
    return vals


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="derivcheck", description=__doc__)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list articles and their claims")
    for name, helptext in (("verify", "verify articles or claims of derivations/"),
                           ("check", "verify derivation files anywhere (PATH or PATH::claim)")):
        v = sub.add_parser(name, help=helptext)
        v.add_argument("targets", nargs="*" if name == "verify" else "+",
                       help="article stems or claim ids" if name == "verify" else "paths")
        v.add_argument("--json", type=Path, help="write one record per claim to this file")
        v.add_argument("--dps", type=_dps, help="precision ladder, e.g. 30,60")
        v.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
        v.add_argument("--slow", action=argparse.BooleanOptionalAction, default=True,
                       help="include claims marked slow (default: yes)")
        v.add_argument("--strict", action="store_true", help="INCONCLUSIVE counts as a failure")
        v.add_argument("--jobs", "-j", type=_jobs, default=1, help="worker processes (default 1: serial)")
        if name == "check":
            v.add_argument("--at", help="evaluate identities at this point only: p=1,q=0")
    r = sub.add_parser("report", help="regenerate the Markdown reports")
    r.add_argument("targets", nargs="*", help="article stems or derivation file paths")
    r.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    r.add_argument("--jobs", "-j", type=_jobs, default=os.cpu_count() or 1,
                   help="worker processes, one article each (default: the number of CPUs)")
    n = sub.add_parser("new", help="scaffold derivations/NAME.py: a derivation module that passes as generated")
    n.add_argument("name", help="module name (letters, digits, _), e.g. my_article")
    n.add_argument("--dir", type=Path, default=Path("derivations"), help="folder (default derivations/)")
    b = sub.add_parser("bench", help="measure timings and cost growth; writes reports/performance.md")
    b.add_argument("--repeat", type=_jobs, default=5, help="runs per engine timing (median, default 5)")
    b.add_argument("--suite-repeat", type=_jobs, default=3, help="runs per suite timing (median, default 3)")
    return p


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--jobs {text!r}: give a positive integer")
    return n


def _progress(i: int, n: int, verdict, width: int) -> None:
    mark = "ok" if verdict.ok else "FAIL"
    print(f"[{i:>{width}}/{n}] {verdict.claim_id:<40} {str(verdict.status):<12} {mark:<4} "
          f"{verdict.seconds:6.2f}s", file=sys.stderr, flush=True)


def _run(paths, selectors, dps, seed, slow=True, at=None, jobs=1) -> list[ArticleResult]:
    arts = [load_article(p) for p in paths]
    todo = [(a, c) for a in arts for c in select(a.claims, selectors) if slow or not c.slow]
    if selectors and not todo:
        raise DerivationError(f"no claim matches {', '.join(selectors)}")
    width, done = len(str(len(todo))), []

    def progress(v):
        done.append(v)
        _progress(len(done), len(todo), v, width)
    if at:
        todo = [(a, _pin(c, at)) for a, c in todo]
    if jobs > 1 and not at:
        verdicts = run_claims(todo, jobs, dps, seed, progress)
    else:
        verdicts = {}
        for a, c in todo:
            verdicts[c.id] = run_claim(c, dps, seed)
            progress(verdicts[c.id])
    return [ArticleResult(a, tuple(verdicts[c.id] for c in a.claims if c.id in verdicts), ())
            for a in arts]


def _pin(claim, at: str):
    """The claim with its domain pinned to one point (for a reproduce line)."""
    from dataclasses import replace
    try:
        pairs = dict(kv.split("=", 1) for kv in at.split(","))
    except ValueError:
        raise DerivationError(f"--at {at!r}: write name=value pairs separated by commas") from None
    return replace(claim, domain={k: [v] for k, v in pairs.items()}, points=1)


def _finish(results, args) -> int:
    verdicts = [v for r in results for v in r.verdicts]
    claims = {c.id: c for r in results for c in r.article.claims}
    for v in verdicts:
        if not v.ok or v.status not in (Status.PROVED, Status.CONFIRMED):
            print(v.message + "\n")
    bad = [v for v in verdicts if not v.ok or (args.strict and v.status is Status.INCONCLUSIVE)]
    n = len(verdicts)
    print(f"{n - len(bad)} as expected, {len(bad)} not, of {n} claims: " + ", ".join(
        f"{s} {k}" for s in Status if (k := sum(v.status is s for v in verdicts))))
    if args.json:
        recs = [_record(claims[v.claim_id], v) for v in verdicts]
        args.json.write_text(json.dumps({"claims": recs}, indent=1) + "\n")
    return 1 if bad else 0


def _record(c, v) -> dict:
    return {"id": v.claim_id, "article": c.article, "statement": c.statement, "tag": c.tag,
            "expected": c.expected, "verdict": str(v.status), "ok": v.ok, "basis": v.basis,
            "digits": v.digits, "worst_rel": v.worst_rel, "dps": list(v.dps), "seed": v.seed,
            "seconds": v.seconds, "message": v.message, "source": c.source}


def _split_targets(targets):
    """Paths and their claim selectors from 'path' or 'path::claim'."""
    paths, sels = [], []
    for t in targets:
        path, _, name = t.partition("::")
        if path not in paths:
            paths.append(path)
        if name:
            sels.append(f"{Path(path).stem}.{name}")
    return paths, sels


def main(argv=None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:                       # `derivcheck list | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv=None) -> int:
    args = _parser().parse_args(argv)
    t0 = time.perf_counter()
    try:
        if args.cmd == "list":
            for path in resolve([]):
                a = load_article(path)
                print(f"{a.stem}: {a.title} ({len(a.claims)} claims)")
                for c in a.claims:
                    print(f"  {c.id:<36} [{c.tag}] {c.statement[:70]}")
            return 0
        if args.cmd == "verify":
            results = _run(resolve(args.targets), args.targets, args.dps, args.seed, args.slow, jobs=args.jobs)
        elif args.cmd == "check":
            paths, sels = _split_targets(args.targets)
            results = _run(paths, sels, args.dps, args.seed, args.slow, args.at, args.jobs)
        elif args.cmd == "new":
            return _new(args)
        elif args.cmd == "bench":
            from .bench import main as bench_main
            return bench_main(["--repeat", str(args.repeat), "--suite-repeat", str(args.suite_repeat)])
        else:
            return _report(args, t0)
        return _finish(results, args)
    except DerivationError as exc:
        if args.debug:
            raise
        print(f"derivcheck: error: {exc}", file=sys.stderr)
        return 2 if "no such file" in str(exc) or "no article" in str(exc) or "--at" in str(exc) else 1


def _report(args, t0) -> int:
    stems = [t for t in args.targets if not t.endswith(".py")]
    files = [Path(t) for t in args.targets if t.endswith(".py")]
    paths = (resolve(stems) if stems or not files else []) + files
    arts = [load_article(p) for p in paths]
    n = sum(len(a.claims) for a in arts)
    width, done = len(str(n)), []

    def progress(v):
        done.append(v)
        _progress(len(done), n, v, width)
    if args.jobs > 1 and len(arts) > 1:
        runs = run_articles(arts, [], min(args.jobs, len(arts)), None, 0, True, True, progress)
    else:
        runs = []
        for a in arts:
            vs = [run_claim(c, None, 0) for c in a.claims]
            for v in vs:
                progress(v)
            runs.append((vs, run_sections(a)))
    results = [ArticleResult(a, tuple(vs), tuple(secs)) for a, (vs, secs) in zip(arts, runs)]
    written = write_report(results, args.out, index=not files)
    print(f"wrote {len(written)} files to {args.out}/ in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    return 0 if all(v.ok for r in results for v in r.verdicts) else 1


_TEMPLATE = '''r"""{title}

Article: <Author>, "<Title>" (<year>), <url>

What the article derives, in two or three sentences; which steps are exact, which approximate.
"""
import mpmath as mp
import sympy as sp

from derivcheck import Estimate, agrees, chain, claim, identity

x = sp.Symbol("x", real=True)            # symbols as the article prints them, assumptions at creation
t = sp.Symbol("t", positive=True)


@claim("eq1", r"$(x+t)^2=x^2+2tx+t^2$, typed step by step as printed")
def eq1():
    return chain(("the square", (x + t) ** 2),
                 ("expanded as printed", x**2 + 2 * t * x + t**2))


@claim("eq2-quad", r"$\\int_0^1 x^2\\,dx=1/3$ by quadrature (an independent numeric route)", tag="numeric", dps=(30, 60))
def eq2_quad(dps):
    with mp.workdps(dps):
        value, err = mp.quad(lambda v: v**2, [0, 1], error=True)
        return agrees(Estimate(value, err, "tanh-sinh quadrature", dps), mp.mpf(1) / 3,
                      atol=mp.mpf(10) ** -(dps - 5))
'''


def _new(args) -> int:
    import re
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", args.name):
        print(f"derivcheck: error: NAME={args.name!r} must be a Python module name (letters, digits, _)",
              file=sys.stderr)
        return 2
    path = args.dir / f"{args.name}.py"
    if path.exists():
        print(f"derivcheck: error: {path} exists; not overwritten", file=sys.stderr)
        return 2
    args.dir.mkdir(parents=True, exist_ok=True)
    title = args.name.replace("_", " ").capitalize()
    path.write_text(_TEMPLATE.format(title=title))
    print(f"wrote {path}: edit the docstring's Article: line and the claims, then run "
          f"`derivcheck check {path}`", file=sys.stderr)
    return 0
