"""``--json``: the machine-readable result of a run, versioned (``format``, ``version``).

{"format": "derivcheck-verdicts", "version": 1, "result": "pass" | "fail",
 "totals": {"claims", "as_expected", "not_as_expected", "PROVED", ..., "load_errors", "section_errors"},
 "load_errors": [{"path", "message"}], "section_errors": [message, ...],
 "claims": [{"id", "article", "source", "line", "statement", "tag", "expected", "finding", "verdict",
             "ok", "scope", "basis", "problem", "worst_rel", "digits", "dps", "seed", "seconds",
             "message", "counterexample": null | {"point", "values", "difference", "certified",
             "reproduce"}}]}
"""
from __future__ import annotations

import json

from .records import Status

FORMAT, VERSION = "derivcheck-verdicts", 1


def _point(text: str) -> dict:
    text = text.split("   (")[0]
    if text.startswith("("):
        return {}
    return dict(kv.split(" = ", 1) for kv in text.split(", ") if " = " in kv)


def counterexample(v) -> dict | None:
    if v.status is not Status.REFUTED:
        return None
    link = next((l for l in v.links if l.status is Status.REFUTED), None)
    if link is None:
        return None
    ev = dict(link.evidence)
    return {"link": link.index, "label": link.label, "point": _point(ev.get("at", "")),
            "values": ev.get("values", "").splitlines(), "difference": ev.get("difference", ""),
            "certified": link.certified, "reproduce": link.reproduce}


def record(c, v) -> dict:
    return {"id": v.claim_id, "article": c.article, "source": c.source, "line": c.line,
            "statement": c.statement, "tag": c.tag, "expected": c.expected, "finding": c.finding,
            "verdict": str(v.status), "ok": v.ok, "scope": v.scope, "basis": v.basis,
            "problem": v.problem, "worst_rel": v.worst_rel, "digits": v.digits, "dps": list(v.dps),
            "seed": v.seed, "seconds": v.seconds, "message": v.message,
            "counterexample": counterexample(v)}


def write_json(path, results, load_errors, strict_failures, failed: bool) -> None:
    claims = {c.id: c for r in results for c in r.article.claims}
    verdicts = [v for r in results for v in r.verdicts]
    strict = {v.claim_id for v in strict_failures}
    recs = [record(claims[v.claim_id], v) for v in verdicts]
    for r in recs:
        if r["id"] in strict:
            r["ok"], r["problem"] = False, "--strict: the counterexample is not certified"
    section_errors = [e for r in results for e in r.errors]
    totals = {"claims": len(recs), "as_expected": sum(r["ok"] for r in recs),
              "not_as_expected": sum(not r["ok"] for r in recs),
              **{str(s): sum(v.status is s for v in verdicts) for s in Status},
              "load_errors": len(load_errors), "section_errors": len(section_errors)}
    doc = {"format": FORMAT, "version": VERSION, "result": "fail" if failed else "pass",
           "totals": totals, "load_errors": [{"path": e.path, "message": e.message} for e in load_errors],
           "section_errors": section_errors, "claims": recs}
    path.write_text(json.dumps(doc, indent=1) + "\n")
