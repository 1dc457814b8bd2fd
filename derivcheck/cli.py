"""The command line: list, verify, check, report. Exit 0 all as expected, 1 otherwise, 2 usage."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .records import Status
from .registry import DerivationError, load_article
from .report import write_report
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
        if name == "check":
            v.add_argument("--at", help="evaluate identities at this point only: p=1,q=0")
    r = sub.add_parser("report", help="regenerate the Markdown reports")
    r.add_argument("targets", nargs="*", help="article stems or derivation file paths")
    r.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    return p


def _progress(i: int, n: int, verdict, width: int) -> None:
    mark = "ok" if verdict.ok else "FAIL"
    print(f"[{i:>{width}}/{n}] {verdict.claim_id:<40} {str(verdict.status):<12} {mark:<4} "
          f"{verdict.seconds:6.2f}s", file=sys.stderr, flush=True)


def _run(paths, selectors, dps, seed, slow=True, at=None) -> list[ArticleResult]:
    arts = [load_article(p) for p in paths]
    todo = [(a, c) for a in arts for c in select(a.claims, selectors) if slow or not c.slow]
    if selectors and not todo:
        raise DerivationError(f"no claim matches {', '.join(selectors)}")
    verdicts = {}
    width = len(str(len(todo)))
    for i, (a, c) in enumerate(todo, 1):
        if at:
            c = _pin(c, at)
        verdicts[c.id] = run_claim(c, dps, seed)
        _progress(i, len(todo), verdicts[c.id], width)
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
            results = _run(resolve(args.targets), args.targets, args.dps, args.seed, args.slow)
        elif args.cmd == "check":
            paths, sels = _split_targets(args.targets)
            results = _run(paths, sels, args.dps, args.seed, args.slow, args.at)
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
    results = _run(paths, [], None, 0)
    results = [ArticleResult(r.article, r.verdicts, run_sections(r.article)) for r in results]
    written = write_report(results, args.out, index=not files)
    print(f"wrote {len(written)} files to {args.out}/ in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    return 0 if all(v.ok for r in results for v in r.verdicts) else 1
