"""`derivcheck mutate`: mutation testing of derivations. Does each claim check anything?

Each mutant changes one token of a claim's own source (a literal, a ``+``/``-``, a unary minus, an
exponent; see ``_mutants``), is loaded with the normal loader from a copy of the file and graded
by the normal runner, with the seeds of a normal run, in a forked worker under a time limit. A
mutant is *killed* when the claim no longer meets its expectation (by its verdict, by an
exception, or by a timeout, counted apart) and *survives* otherwise: then either the perturbed
statement is still true (an equivalent mutant; say so with ``# mutate: equivalent (reason)`` on
the line) or the check is too weak to see the change.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ._mutant_pool import KILLED, count, run_claims, run_engines, site_record
from ._mutants import claim_sites
from .registry import DerivationError, load_article
from .run import resolve, select

TITLE = "How strict are these checks"


def mutate_articles(paths, selectors, max_per_claim: int = 3, jobs: int = 1, progress=None,
                    engines: bool = False) -> list[dict]:
    """One record per article: its claims, their mutants and what became of each."""
    records, todo, tmp = [], [], Path(tempfile.mkdtemp(prefix="derivcheck-mutate-"))
    try:
        for path in paths:
            try:
                art = load_article(path)
            except DerivationError as exc:           # one bad file never stops the others
                print(f"derivcheck: error: {exc}", file=sys.stderr)
                records.append({"article": Path(path).stem, "error": str(exc), "claims": [], "complete": False})
                continue
            data = Path(path).read_bytes()
            rec = {"article": art.stem, "source": art.path, "max_per_claim": max_per_claim,
                   "complete": not selectors or all(c in select(art.claims, selectors) for c in art.claims),
                   "claims": []}
            for claim in select(art.claims, selectors):
                sites, src = claim_sites(data, claim.line)
                run = [s for s in sites if not s.mark][:max_per_claim]
                crec = {"id": claim.id, "expected": claim.expected, "line": claim.line, "mutants": [],
                        "declared": [site_record(s, src) for s in sites if s.mark]}
                rec["claims"].append(crec)
                todo.append((claim, crec, data, src, run))
            records.append(rec)
        base = run_claims(todo, tmp, max(1, jobs), progress, engines)
        if engines:
            for rec in (r for r in records if "error" not in r):
                rec["engines"] = run_engines(rec, base, tmp, max_per_claim, max(1, jobs), progress)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for rec in records:
        rec["totals"] = _totals(rec["claims"])
    return records


def _totals(claims) -> dict:
    t = count(m for c in claims if c["expected"] != "REFUTED" for m in c["mutants"])
    t["declared"] = sum(len(c["declared"]) for c in claims)
    t["refuted_claim_mutants"] = count(m for c in claims if c["expected"] == "REFUTED"
                                        for m in c["mutants"])["mutants"]
    return t


def survivors(rec: dict, refuted: bool = False) -> list[tuple[dict, dict]]:
    """(claim, mutant) for every survivor; those of expected-REFUTED claims only when asked."""
    return [(c, m) for c in rec["claims"] for m in c["mutants"] if m["outcome"] == "survived"
            and (c["expected"] == "REFUTED") == refuted]


def _survivor_text(c: dict, m: dict, source: str) -> list[str]:
    rel = f"; worst rel {m['worst_rel']:.3g}" if m.get("worst_rel") is not None else ""
    out = [f"  SURVIVED {c['id']}  {source}:{m['line']} ({m['where']}): {m['kind']} {m['change']}",
           f"    before : {m['before']}", f"    after  : {m['after']}",
           f"    verdict: {m['summary']}{rel}"]
    ours, written = m.get("agreements", []), c["baseline"].get("agreements", [])
    if len(written) != len(ours):                    # a mutant changed the number of agreements
        written = [{}] * len(ours)
    for a, w in zip(ours, written):
        out.append(f"    agrees : {a.get('label') or 'estimate'}: expected {a.get('expected')} "
                   f"({_moved(w.get('expected'), a.get('expected'))}); {a.get('difference')}")
    return out


def _moved(before, after) -> str:
    """How far the expected value moved: the size of the change, to set against the tolerance."""
    try:
        b, a = float(before), float(after)
    except (TypeError, ValueError):
        return "as written: not comparable"
    if a == b:
        return "unchanged by the mutant"
    if b == 0:
        return f"as written 0: moved by {abs(a):.3g}"
    return f"as written {before}: moved by {abs(a - b) / abs(b):.3g} relative"


def _claim_line(c: dict) -> str:
    ms, base = c["mutants"], c["baseline"]
    if not base["ok"]:
        return (f"the claim as written is {base['verdict']} (expected {c['expected']}): "
                f"{len(ms)} mutants not run")
    if not ms:
        return "no mutation site (no literal, sign or exponent outside labels, seeds and tolerances)"
    n = {k: sum(m["outcome"] == k for m in ms) for k in KILLED + ("survived",)}
    parts = [f"{n['killed']} killed by the verdict"] + [f"{n[k]} {w}" for k, w in (
        ("error", "by an exception"), ("timeout", "by a timeout")) if n[k]] + [f"{n['survived']} survived"]
    return f"{len(ms)} mutants: " + ", ".join(parts)


def text(records) -> str:
    lines = []
    for rec in records:
        if "error" in rec:
            lines.append(f"{rec['article']}: not mutated: {rec['error']}")
            continue
        t = rec["totals"]
        lines.append(f"{rec['article']}: {t['mutants']} mutants of claims expected to pass: "
                     f"{t['killed']} killed by the verdict, {t['error']} by an exception, {t['timeout']} "
                     f"by a timeout, {t['survived']} survived; score {t['score'] or 'n/a'}")
        for c in rec["claims"]:
            lines.append(f"  {c['id']:<36} {_claim_line(c)}")
            lines += [f"    line {m['line']:<4} {m['kind']:<8} {m['change']:<28} "
                      f"{'exception' if m['outcome'] == 'error' else m['outcome']:<9} {m.get('verdict', '')}"
                      for m in c["mutants"] if m["outcome"] != "not run"]
            for d in c["declared"]:
                lines.append(f"    declared {d['mark']} at line {d['line']} ({d['change']}): {d['reason']}")
        for c, m in survivors(rec):
            lines += _survivor_text(c, m, rec["source"])
        refuted = survivors(rec, refuted=True)
        if refuted:
            lines.append(f"  {len(refuted)} survivor(s) of expected-REFUTED claims (a perturbed false "
                         "statement usually stays false; not counted in the score):")
            for c, m in refuted:
                lines.append(f"    {c['id']} line {m['line']}: {m['kind']} {m['change']}: {m['after']}")
        if "engines" in rec:
            lines += _engine_text(rec["engines"])
    return "\n".join(lines)


def _engine_text(eng: dict) -> list[str]:
    t = eng["totals"]
    lines = [f"  engines: {t['mutants']} mutants in {len(eng['functions'])} functions: {t['killed']} killed "
             f"by a verdict, {t['error']} by an exception, {t['timeout']} by a timeout, {t['survived']} "
             f"survived; score {t['score'] or 'n/a'}"]
    for f in eng["functions"]:
        lines.append(f"    {f['function']:<44} {count(f['mutants'])['score'] or 'no sites'}  "
                     f"(reached by {', '.join(f['claims'])})")
        for m in f["mutants"]:
            if m["outcome"] == "survived":
                lines += [f"    SURVIVED {f['function']} line {m['line']}: {m['kind']} {m['change']} "
                          f"(every claim that reaches it still passes)",
                          f"      before : {m['before']}", f"      after  : {m['after']}"]
    if eng["unchecked"]:
        lines.append(f"  engine functions no passing claim reaches: {', '.join(eng['unchecked'])}")
    return lines


def record_path(stem: str, root=Path("reports")) -> Path:
    return Path(root) / "mutation" / f"{stem}.json"


def write_records(records, out: Path) -> list[Path]:
    """reports/mutation/<stem>.json for every article whose claims all ran (deterministic)."""
    written = []
    for rec in records:
        if rec["complete"]:
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{rec['article']}.json"
            path.write_text(json.dumps(rec, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            written.append(path)
    return written


def _load(stem: str, root) -> dict | None:
    try:
        return json.loads(record_path(stem, root).read_text())
    except (OSError, ValueError):
        return None


def mutation_score(stem: str, root=Path("reports")) -> str | None:
    """'94% (62/66)' from the last recorded `derivcheck mutate` run, or None."""
    rec = _load(stem, root)
    return rec["totals"]["score"] if rec else None


def strictness_markdown(stem: str, root=Path("reports")) -> str:
    """The section 'How strict are these checks' (with its heading) for the article's page."""
    rec = _load(stem, root)
    head = f"## {TITLE}\n\n"
    if rec is None:
        return head + f"No mutation run is recorded (run `derivcheck mutate {stem}`).\n"
    t = rec["totals"]
    out = [f"`derivcheck mutate` changed one token at a time in the claims' own source (a numeric "
           f"literal, a `+`/`-`, a unary minus, an exponent; the article's side first, at most "
           f"{rec['max_per_claim']} per claim) and graded each mutant as a normal run does. Of "
           f"{t['mutants']} mutants of claims expected to pass, {t['killed']} were caught by the verdict, "
           f"{t['error']} by an exception and {t['timeout']} by the time limit; {t['survived']} survived: "
           f"**mutation score {t['score'] or 'n/a'}**. A survivor is either an equivalent change (the "
           "statement stays true, e.g. another valid test instance) or a check too weak to see it."]
    if t["refuted_claim_mutants"]:
        out.append(f"The {t['refuted_claim_mutants']} mutants of expected-REFUTED claims are not scored (a "
                   "perturbed false statement usually stays false).")
    declared = {}                     # one entry per claim and line, with the number of sites on it
    for c in rec["claims"]:
        for d in c["declared"]:
            key = (c["id"], d["line"], d["mark"], d["reason"] or "no reason given")
            declared[key] = declared.get(key, 0) + 1
    if declared:
        out.append("Sites declared in the source and not run: " + "; ".join(
            f"`{cid}` line {line} ({f'{n} sites, ' if n > 1 else ''}{mark}: {reason})"
            for (cid, line, mark, reason), n in declared.items()) + ".")
    surv = survivors(rec)
    if surv:
        out += ["", "Surviving mutants (the changed claim still met its expectation):", "",
                "| claim | line | change | after | verdict of the mutant |", "|---|---|---|---|---|"]
        out += [_row(c["id"], m) for c, m in surv]
    eng = rec.get("engines")
    if eng:
        t = eng["totals"]
        out += ["", f"Engine mutants (the `numerics/` functions the claims reach, each run against those "
                f"claims): {t['mutants']} in {len(eng['functions'])} functions, score {t['score'] or 'n/a'}."]
        out += ["", "| function | line | change | after | claims that still pass |", "|---|---|---|---|---|"] + [
            _row(f["function"], m, ", ".join(f["claims"])) for f in eng["functions"] for m in f["mutants"]
            if m["outcome"] == "survived"]
        if eng["unchecked"]:
            out += ["", "Engine functions no passing claim reaches: " + ", ".join(f"`{u}`" for u in eng["unchecked"]) + "."]
    return head + "\n".join(out) + "\n"


def _code(text: str) -> str:
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _row(name: str, m: dict, last: str | None = None) -> str:
    verdict = m["summary"].split(" ", 2)[-1] if m["summary"].startswith("claim ") else m["summary"]
    cells = [name, str(m["line"]), f"{m['kind']} {_code(m['change'])}", _code(m["after"]), last or verdict]
    return "| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |"


def _paths(targets):
    """(derivation files, claim selectors) from stems, claim ids, PATH and PATH::claim (exit 2 if unknown)."""
    from .commands import UsageError
    split = [t.partition("::") for t in targets]
    files = list(dict.fromkeys(p for p, _, _ in split if p.endswith(".py")))
    stems = [t for t, (p, _, _) in zip(targets, split) if not p.endswith(".py")]
    sels = stems + [f"{Path(p).stem}.{name}" for p, _, name in split if p.endswith(".py") and name]
    missing = [f for f in files if not Path(f).exists()]
    try:
        if missing:
            raise DerivationError(f"{missing[0]}: no such file")
        return (resolve(stems) if stems or not files else []) + [Path(f) for f in files], sels
    except DerivationError as exc:
        raise UsageError(str(exc)) from None


def main(args) -> int:
    """The `mutate` command (args from cli.py): print the mutants, write the records."""
    paths, sels = _paths(args.targets)
    t0 = time.monotonic()

    finished = [0]

    def progress(label, ms, seconds, n):
        finished[0] += n is not None
        where = f"[{finished[0]:>{len(str(n))}}/{n}]" if n else "[engine]"
        what = ("not run: the claim as written misses its expectation" if any(
            m.get("outcome") == "not run" for m in ms) else f"{sum(m.get('outcome') in KILLED for m in ms)} "
            f"killed, {sum(m.get('outcome') == 'survived' for m in ms)} survived")
        print(f"{where} {label:<40} {len(ms)} mutants, {what} {seconds:6.2f}s", file=sys.stderr, flush=True)
    records = mutate_articles(paths, sels, args.max_per_claim, args.jobs, progress, args.engines)
    if sels and not any(r["claims"] for r in records):
        from .commands import UsageError
        raise UsageError(f"no claim matches {', '.join(sels)}")
    print(text(records))
    if args.json:
        args.json.write_text(json.dumps({"articles": records}, indent=1, sort_keys=True) + "\n")
    written = write_records(records, args.out or Path("reports") / "mutation")
    print(f"mutated {sum(len(r['claims']) for r in records)} claims in {time.monotonic() - t0:.1f} s"
          + (f"; wrote {', '.join(map(str, written))}" if written else ""), file=sys.stderr)
    return 0 if all(c["baseline"]["ok"] for r in records for c in r["claims"]) and not any(
        "error" in r for r in records) else 1
