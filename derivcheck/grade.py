"""Grading: the links of a claim -> its verdict, scope and whether it meets its expectation.

- Every link meets its own expectation: ``expect="REFUTED"`` links must be refuted, all others
  must pass. An expected-REFUTED claim names its finding links (a claim with one link needs no
  name); a supporting link that fails makes the claim miss its expectation, so a broken reference
  can never hide behind the refuted one.
- Consistency checks never confirm a claim on their own: a claim whose passing links are all
  consistency checks is INCONCLUSIVE.
- ``scope="instances"``: exact evaluation of instances is CONFIRMED ("exact on k instances"),
  never PROVED.
"""
from __future__ import annotations

from dataclasses import dataclass

from .records import Claim, Link, Status

PASS = (Status.PROVED, Status.CONFIRMED)
RANK = {Status.ERROR: -1, Status.REFUTED: 0, Status.INCONCLUSIVE: 1, Status.CONFIRMED: 2, Status.PROVED: 3}


@dataclass(frozen=True)
class Grade:
    status: Status
    ok: bool
    basis: str
    scope: str
    problem: str = ""
    links: tuple = ()            # the links as graded (instances shown as CONFIRMED)


def link_meets(link: Link) -> bool:
    return link.status is Status.REFUTED if link.expect == "REFUTED" else link.status in PASS


def _worst(links) -> Status:
    return min((l.status for l in links), key=RANK.__getitem__)


def _name(l: Link) -> str:
    kind = "step" if l.kind == "step" else "link"
    return f"{kind} {l.index}" + (f" ({l.label})" if l.label else "")


def _basis(links, status) -> str:
    return "; ".join(sorted({l.basis for l in links if l.status is status}))


def _scope(links, status: Status, instances: bool) -> str:
    chosen = [l for l in links if l.status is status] or links
    if instances and status is Status.CONFIRMED and any(l.basis.startswith("exact on") for l in chosen):
        return next(l.basis for l in chosen if l.basis.startswith("exact on"))
    words = {"general": "in general", "instances": "on instances", "points": "at points",
             "estimate": "an estimate", "consistency": "consistency check", "box": "on a box"}
    if status is Status.REFUTED:                   # a counterexample refutes; its scope is how it was found
        words = {**words, "general": "exact counterexample", "instances": "exact counterexample"}
    found = []
    for l in chosen:
        w = words.get(l.scope, "")
        if w and w not in found:
            found.append(w)
    return ", ".join(found)


def grade(claim: Claim, links: list[Link]) -> Grade:
    if not links:
        return Grade(Status.INCONCLUSIVE, False, "nothing to check", "", "the claim returned nothing")
    if claim.expected == "REFUTED":
        return _grade_refuted(claim, links)
    return _grade_pass(claim, links)


def _grade_refuted(claim: Claim, links: list[Link]) -> Grade:
    marked = [l for l in links if l.expect == "REFUTED"]
    if not marked and len(links) > 1:
        status = _worst(links)
        return Grade(status, False, _basis(links, status), _scope(links, status, False),
                     f"an expected-REFUTED claim with {len(links)} links must name its finding: "
                     "expect='REFUTED' on that link (expect_refuted=(k,) on a chain); every other "
                     "link must then pass")
    findings = marked or links
    support = [l for l in links if l not in findings]
    if not all(l.status is Status.REFUTED for l in findings):
        miss = next(l for l in findings if l.status is not Status.REFUTED)
        status = _worst([l for l in findings if l.status is not Status.REFUTED])
        return Grade(status, False, _basis(findings, status), _scope(findings, status, False),
                     f"{_name(miss)} was expected to be refuted and is {miss.status}")
    bad = [l for l in support if not link_meets(l)]
    problem = ""
    if bad:
        problem = "supporting " + "; ".join(f"{_name(l)} is {l.status}" for l in bad) + \
                  ": every link not named as the finding must pass"
    return Grade(Status.REFUTED, not bad, _basis(findings, Status.REFUTED),
                 _scope(findings, Status.REFUTED, False), problem)


def _grade_pass(claim: Claim, links: list[Link]) -> Grade:
    negative = [l for l in links if l.expect == "REFUTED"]
    main = [l for l in links if l.expect != "REFUTED"]
    if not main:
        return Grade(_worst(links), False, _basis(links, _worst(links)), "", "every link is expected "
                     "to be refuted: declare the claim expected='REFUTED' with a finding")
    status, problem = _worst(main), ""
    instances = claim.scope == "instances"
    if instances:
        k = sum(l.status is Status.PROVED for l in main)
        links = [_as_instance(l, k) if l.status is Status.PROVED and l.expect != "REFUTED" else l
                 for l in links]
        main = [l for l in links if l.expect != "REFUTED"]
        status = _worst(main)
    basis = _basis(main, status)
    if status in PASS and not any(l.status in PASS and not l.consistency for l in main):
        status, basis = Status.INCONCLUSIVE, "consistency checks only"
        problem = ("every passing link is a consistency check (a quantity compared with itself by "
                   "the same route): add an independent route")
    if claim.expected == "PROVED" and status is not Status.PROVED and not problem:
        problem = f"expected PROVED, got {status}"
    ok = (status is Status.PROVED if claim.expected == "PROVED" else status in PASS)
    wrong = [l for l in negative if l.status is not Status.REFUTED]
    if wrong:
        ok = False
        problem = (problem + "; " if problem else "") + "; ".join(
            f"{_name(l)} was expected to be refuted and is {l.status}" for l in wrong)
    return Grade(status, ok, basis, _scope(main, status, instances), problem, tuple(links))


def _as_instance(l: Link, k: int) -> Link:
    from dataclasses import replace
    return replace(l, status=Status.CONFIRMED, basis=f"exact on {k} instance{'s' if k != 1 else ''}",
                   scope="instances")
