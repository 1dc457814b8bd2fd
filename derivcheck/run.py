"""Running claims: run_claim(claim) -> Verdict; run_article(path) -> ArticleResult.

A claim whose own code raises becomes an ERROR verdict naming the file, line and cause; the
other claims still run. A claim function that takes ``dps`` is run once per rung of its ladder,
and its agreements must hold at every rung (REFUTED at all: refuted; mixed: INCONCLUSIVE).
"""
from __future__ import annotations

import inspect
import os
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

import sympy as sp

from .checks import check_agreement, check_identity, seed_for
from .grade import grade
from .limits import ClaimTimeout, wall_clock
from .records import Agreement, Bound, Chain, Claim, Extremum, Identity, Link, Minimax, Section, Status, Verdict
from .registry import Article, DerivationError, load_article
from .report import latex_of, text_block
from .sections import run_sections

def _outputs(out) -> list:
    items = list(out) if isinstance(out, (list, tuple)) else [out]
    for item in items:
        if not isinstance(item, (Identity, Chain, Agreement, Bound, Extremum, Minimax)):
            raise TypeError(f"returned {type(item).__name__} {str(item)[:60]!r}, not identity(), "
                            "chain(), agrees(), bound(), extremum() or minimax()")
    return items


def _check_items(items, claim: Claim, ladder, seed: int) -> tuple[list[Link], list[str]]:
    links, latex = [], []
    for item in items:
        if isinstance(item, Chain):
            steps = item.steps
            subst = (lambda e: e.subs(item.given, simultaneous=True)) if item.given else (lambda e: e)
            latex += [latex_of(s.label, s.expr) for s in steps]
            residuals = []
            for k in range(1, len(steps)):
                link, res = check_identity(subst(sp.sympify(steps[k - 1].expr)),
                                           subst(sp.sympify(steps[k].expr)), claim, k + 1,
                                           steps[k].label, ladder, seed, (f"step{k}", f"step{k + 1}"))
                links.append(replace(link, kind="step",
                                     expect="REFUTED" if k + 1 in item.expect_refuted else "pass"))
                residuals.append(res)
            links[-len(residuals):] = _note_compensation(links[-len(residuals):], residuals)
        elif isinstance(item, Identity):
            latex.append(latex_of(item.label, item.lhs, item.rhs))
            link = check_identity(item.lhs, item.rhs, claim, len(links) + 1, item.label, ladder, seed)[0]
            links.append(replace(link, expect=item.expect, consistency=item.consistency,
                                 scope="consistency" if item.consistency else link.scope))
        elif isinstance(item, Bound):
            from .bounds import check_bound
            latex.append(latex_of(item.label, item.lhs, item.rhs, rel=r"<" if item.strict else r"\le"))
            links.append(replace(check_bound(item, claim, len(links) + 1, ladder, seed), expect=item.expect, kind="bound"))
        elif isinstance(item, Extremum):
            from .bounds import check_extremum
            over = ",".join(sp.latex(v) for v in item.over)
            latex.append(latex_of(item.label, item.f, item.value, rel="=",
                                  prefix=rf"\{item.kind}_{{{over}}}\;"))
            links.append(replace(check_extremum(item, claim, len(links) + 1, ladder, seed), expect=item.expect,
                                 kind="extremum"))
        elif isinstance(item, Minimax):
            from .bounds import check_minimax
            latex.append(latex_of(item.label, item.param[0], item.value, rel="=",
                                  prefix=r"\operatorname{arg\,min\,max}\;"))
            links.append(replace(check_minimax(item, claim, len(links) + 1, ladder, seed), expect=item.expect,
                                 kind="minimax"))
        else:
            link = check_agreement(item, len(links) + 1, item.label, claim.resolution)
            if link.floored:                  # float64 rounding noise: the bound, not the platform's digits
                latex.append((str(item.label), r"\text{value} \approx " + latex_of("", item.expected)[1] +
                              r"\ \text{(float64; the difference is below }10^{-13}\text{, rounding noise)}"))
            else:
                latex.append(latex_of(item.label, item.estimate.value, item.expected, approx=True))
            links.append(replace(link, expect=item.expect))
    return links, latex


def _note_compensation(links: list[Link], residuals: list) -> list[Link]:
    """A typo at step k shows as +r at step k and -r at step k+1: say so."""
    out = list(links)
    for i in range(len(links) - 1):
        r, s = residuals[i], residuals[i + 1]
        if links[i].status is Status.REFUTED and r is not None and s is not None \
                and _vanishes(sp.expand(r + s)):
            note = (f"step {links[i + 1].index} has the opposite residual: the end result holds and "
                    f"the error is local to step {links[i].index}")
            out[i] = replace(links[i], evidence=links[i].evidence + (("note", note),))
    return out


def _vanishes(expr) -> bool:
    return expr.is_zero_matrix if isinstance(expr, sp.MatrixBase) else expr == 0


def _combine_rungs(per_rung: list[list[Link]], ladder) -> list[Link]:
    """Agreements computed at each dps: REFUTED only when refuted at every rung."""
    out = []
    for links in zip(*per_rung):
        statuses = {l.status for l in links}
        base = links[-1]
        if len(statuses) > 1:
            detail = ", ".join(f"{d} dps: {l.status}" for d, l in zip(ladder, links))
            base = replace(base, status=Status.INCONCLUSIVE,
                           evidence=base.evidence + (("precision", f"depends on precision ({detail})"),))
        elif len(links) > 1:
            base = replace(base, evidence=base.evidence + (
                ("precision", f"same verdict at {' and '.join(map(str, ladder))} dps"),))
        out.append(base)
    return out


def run_claim(claim: Claim, dps=None, seed: int = 0) -> Verdict:
    """Build what the claim returns, check it, and grade it; never raises for the claim's faults,
    and never runs past ``claim.limit`` seconds (INCONCLUSIVE, naming the stage it was in)."""
    ladder = tuple(dps or claim.dps)
    t0 = time.perf_counter()
    stage = ["running the claim's code"]
    try:
        with wall_clock(claim.limit):
            return _run_claim(claim, ladder, seed, t0, stage)
    except ClaimTimeout:
        return _timeout_verdict(claim, ladder, seed, time.perf_counter() - t0, stage[0])


def _run_claim(claim: Claim, ladder, seed: int, t0: float, stage: list) -> Verdict:
    per_dps = "dps" in inspect.signature(claim.fn).parameters
    try:                                             # the claim's own code
        outs = [_outputs(claim.fn(dps=d)) for d in ladder] if per_dps else [_outputs(claim.fn())]
    except Exception as exc:
        return _error_verdict(claim, exc, ladder, seed, time.perf_counter() - t0)
    stage[0] = "checking what the claim returned"
    try:                                             # the checker's work on what it returned
        if per_dps:
            per_rung = [_check_items(o, claim, (d,), seed) for o, d in zip(outs, ladder)]
            links = _combine_rungs([p[0] for p in per_rung], ladder)
            latex = per_rung[-1][1]
        else:
            links, latex = _check_items(outs[0], claim, ladder, seed)
    except Exception as exc:
        return _error_verdict(claim, exc, ladder, seed, time.perf_counter() - t0, checker=True)
    g = grade(claim, links)
    links = list(g.links or links)
    shown = [l for l in links if l.status is not Status.REFUTED or claim.expected == "REFUTED"]
    refuted = g.status is Status.REFUTED             # a counterexample's size, not its supporting links'
    rels = [l.worst_rel for l in shown if l.worst_rel is not None and (l.status is Status.REFUTED) == refuted]
    digs = [l.digits for l in shown if l.digits is not None and l.status is not Status.REFUTED]
    worst = max(rels) if rels else None
    floored = worst is not None and all(l.floored for l in shown if l.worst_rel == worst)
    v = Verdict(claim.id, g.status, g.basis, g.ok, "", tuple(links),
                tuple(latex), worst, min(digs) if digs else None, ladder,
                seed_for(claim.id, seed), round(time.perf_counter() - t0, 3), scope=g.scope,
                problem=g.problem, floored=floored)
    return _finish(claim, v)


def _timeout_verdict(claim, ladder, seed, seconds, stage: str) -> Verdict:
    basis = f"stopped at its limit of {claim.limit:g} s"
    cause = (f"{claim.source}::{claim.name}: still {stage} after {claim.limit:g} s (the claim's limit; "
             "raise it with @claim(..., limit=SECONDS) if the work is meant to take longer)")
    link = Link(1, "", Status.INCONCLUSIVE, basis, evidence=(("limit", cause),))
    v = Verdict(claim.id, Status.INCONCLUSIVE, basis, False, "", (link,), (), None, None, ladder,
                seed_for(claim.id, seed), round(seconds, 3), problem=f"stopped at its limit of {claim.limit:g} s while {stage}")
    return _finish(claim, v)


def _finish(claim: Claim, v: Verdict) -> Verdict:
    summary, message = text_block(claim, v)
    return replace(v, summary=summary, message=message)


def _error_verdict(claim, exc, ladder, seed, seconds, checker: bool = False) -> Verdict:
    tb = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in tb if Path(f.filename).name == Path(claim.source).name]
    if checker:                                      # name the checker's frame, not the claim's
        f = tb[-1]
        basis = "the checker failed on what the claim returned"
        cause = (f"{claim.source}::{claim.name}: checking raised {type(exc).__name__}: "
                 f"{exc or '(no message)'} in {Path(f.filename).name}:{f.lineno}")
    else:
        line = frames[-1].lineno if frames else claim.line
        basis = "the claim's code raised"
        cause = f"{claim.source}:{line}: {claim.name}: {type(exc).__name__}: {exc or '(no message)'}"
    evidence = (("cause", cause),)
    if os.environ.get("DERIVCHECK_DEBUG"):                 # --debug: the whole traceback
        evidence += (("traceback", "".join(traceback.format_exception(exc)).rstrip()),)
    link = Link(1, "", Status.ERROR, basis, evidence=evidence)
    v = Verdict(claim.id, Status.ERROR, basis, False, "", (link,), (), None,
                None, ladder, seed_for(claim.id, seed), round(seconds, 3))
    return _finish(claim, v)


@dataclass(frozen=True)
class ArticleResult:
    article: Article
    verdicts: tuple[Verdict, ...]
    sections: tuple[Section, ...]
    errors: tuple[str, ...] = ()     # one line per section that failed


def discover(root: Path = Path("derivations")) -> list[Path]:
    """The derivation files of the project, sorted by name."""
    return sorted(p for p in Path(root).glob("*.py") if not p.name.startswith("_"))


def select(claims, selectors) -> list[Claim]:
    """Claims matching any selector: an article stem, a claim id, or a bare claim name."""
    if not selectors:
        return list(claims)
    return [c for c in claims if any(s in (c.article, c.id, c.name) for s in selectors)]


def resolve(selectors, root: Path = Path("derivations")):
    """Articles named by the selectors (all when none), or DerivationError for an unknown one."""
    paths = discover(root)
    stems = {p.stem for p in paths}
    wanted = {s.split(".")[0] for s in selectors} if selectors else stems
    unknown = sorted(w for w in wanted if w not in stems)
    if unknown:
        raise DerivationError(f"no article {unknown[0]!r} in {root}/ (articles: {', '.join(sorted(stems))})")
    return [p for p in paths if p.stem in wanted]


__all__ = ["run_claim", "run_sections", "discover", "select", "resolve", "ArticleResult",
           "DerivationError", "load_article"]
