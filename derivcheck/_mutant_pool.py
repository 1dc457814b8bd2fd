"""Running mutants for `derivcheck mutate`: one claim of one (mutated) file per forked worker.

A worker has its own process group, so a mutant past its time limit is killed together with the
symbolic worker it may have started. Optionally the worker records which ``numerics/`` functions
the claim calls (``sys.setprofile``), or swaps one ``numerics/`` module for a mutated copy. The
claim as written runs first (its baseline); its mutants only when it meets its expectation.
"""
from __future__ import annotations

import ast
import importlib.util
import multiprocessing as mproc
import os
import signal
import sys
import time
from dataclasses import replace
from multiprocessing.connection import wait
from pathlib import Path

from ._mutants import Finder, Site, Source, apply, unique
from .registry import DerivationError, load_article
from .run import run_claim

ENGINES = Path(__file__).resolve().parent.parent / "numerics"
SHARED = ("__init__", "estimate", "precision")    # numerics/ files the checker itself imports: not mutated
CAP, FLOOR, FACTOR = 60.0, 15.0, 10.0    # a mutant may take min(limit, CAP, max(FLOOR, FACTOR x baseline)) s
KILLED = ("killed", "error", "timeout")
MEMORY_MB = 6144                          # address space a mutant's worker may add to its parent's


def _child(conn, task: dict) -> None:
    """In the forked worker: load the (mutated) file, run one claim, send a summary of its verdict."""
    os.setpgid(0, 0)                      # its own process group: a timeout kills the symbolic worker too
    _cap_memory(MEMORY_MB)
    try:
        if task.get("engine"):
            _swap_engine(*task["engine"])
        claim = next(c for c in load_article(task["path"]).claims if c.name == task["name"])
        run = lambda: run_claim(replace(claim, source=task["source"]), None, 0)   # noqa: E731
        out = _traced(run) if task.get("trace") else (run(), ())
        conn.send(dict(_brief(out[0]), reached=sorted(out[1])))
    except DerivationError as exc:                 # named by its original path: records stay deterministic
        why = str(exc).replace(task["path"], task["source"])
        conn.send({"status": "ERROR", "ok": False, "summary": f"the mutated file does not load: {why}"})
    except Exception as exc:                # the runner itself failed on the mutant
        conn.send({"status": "ERROR", "ok": False, "summary": f"{type(exc).__name__}: {exc}"})
    conn.close()


def _cap_memory(mb: int) -> None:
    """A mutant that makes a claim allocate without bound gets a MemoryError, not the machine (Linux)."""
    try:
        import resource
        with open("/proc/self/status") as fh:
            vm = next(int(ln.split()[1]) * 1024 for ln in fh if ln.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + mb * 2**20, vm + mb * 2**20))
    except (ImportError, OSError, ValueError, StopIteration):
        pass


def _traced(fn):
    """fn() and the (file, first line) of every code object of numerics/ it called."""
    root, seen = os.path.realpath(ENGINES) + os.sep, set()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(root):
            seen.add((frame.f_code.co_filename, frame.f_code.co_firstlineno))
    sys.setprofile(profile)
    try:
        return fn(), seen
    finally:
        sys.setprofile(None)


def _swap_engine(module: str, path: str) -> None:
    """Make ``import numerics.<module>`` load the mutated copy at ``path`` (and its importers reload)."""
    import numerics
    for name in [m for m in sys.modules if m.startswith("numerics.") and m[9:] not in SHARED]:
        del sys.modules[name]
        if hasattr(numerics, name[9:]):
            delattr(numerics, name[9:])
    spec = importlib.util.spec_from_file_location(f"numerics.{module}", path)
    sys.modules[spec.name] = mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    setattr(numerics, module, mod)


def _brief(v) -> dict:
    agreements = [{"label": l.label, **{k: val for k, val in l.evidence if k in ("expected", "difference")}}
                  for l in v.links if any(k == "estimate" for k, _ in l.evidence)]
    causes = [val for l in v.links for k, val in l.evidence if k == "cause"]
    summary = f"{v.summary}: {causes[0]}" if str(v.status) == "ERROR" and causes else v.summary
    return {"status": str(v.status), "ok": v.ok, "summary": summary, "worst_rel": v.worst_rel,
            "agreements": agreements}


class Job:
    def __init__(self, claim, site, path: Path, limit: float, engine=None, trace=False, rest=()):
        self.claim, self.site, self.path, self.limit, self.rest = claim, site, path, limit, rest
        self.task = {"path": str(engine[2] if engine else path), "name": claim.name, "source": claim.source,
                     "engine": engine[:2] if engine else None, "trace": trace}


def _stop(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.join()


def run_pool(jobs: list[Job], n: int, done) -> None:
    """Run the jobs, ``n`` at a time; ``done(job, result, seconds)``; a job past its limit is killed
    (result None). ``done`` may append jobs (the mutants once their claim's baseline is known)."""
    running = {}
    while jobs or running:
        while jobs and len(running) < n:
            job, (recv, send) = jobs.pop(0), mproc.Pipe(duplex=False)
            proc = mproc.get_context("fork").Process(target=_child, args=(send, job.task))
            proc.start()
            send.close()
            running[recv] = (job, proc, time.monotonic())
        left = min(t0 + job.limit - time.monotonic() for job, _, t0 in running.values())
        for recv in wait(list(running), timeout=max(0.0, left)):
            job, proc, t0 = running.pop(recv)
            try:
                result = recv.recv()
            except EOFError:
                result = {"status": "ERROR", "ok": False, "summary": "the worker process died"}
            proc.join()
            done(job, result, time.monotonic() - t0)
        for recv, (job, proc, t0) in list(running.items()):
            if time.monotonic() - t0 > job.limit:
                del running[recv]
                _stop(proc)
                done(job, None, job.limit)


def run_claims(todo, tmp: Path, n: int, progress, trace: bool) -> dict:
    """Baselines, then the claims' mutants; {claim id: (claim, seconds, reached)} of passing claims."""
    left = {c.id: len(run) + 1 for c, *_, run in todo}
    spent, queue, base = {c.id: 0.0 for c, *_ in todo}, [], {}

    def done(job, result, seconds):
        claim, crec, data, src, run = next(t for t in todo if t[0] is job.claim)
        spent[claim.id] += seconds
        if job.site is None:                         # the baseline: the claim as written
            crec["baseline"] = _outcome(result)
            if result and result["ok"]:
                base[claim.id] = (claim, seconds, result.get("reached", []))
                jobs = []
                for k, site in enumerate(run):
                    path = tmp / f"{claim.article}-{claim.name}-{k}" / Path(claim.source).name
                    path.parent.mkdir(parents=True)
                    path.write_bytes(apply(data, site))
                    jobs.append(Job(claim, site, path, _limit(claim, seconds)))
                queue[:0] = jobs                     # depth first: a slow claim's mutants start early
            else:
                left[claim.id] = 1
                crec["mutants"] = [dict(site_record(s, src), outcome="not run") for s in run]
        else:
            crec["mutants"].append(dict(site_record(job.site, src), **_outcome(result, job.claim)))
            crec["mutants"].sort(key=lambda m: (m["line"], m["column"], m["change"]))
        left[claim.id] -= 1
        if left[claim.id] == 0 and progress:
            progress(claim.id, crec["mutants"], spent[claim.id], len(todo))

    queue += [Job(c, None, Path(c.source), min(c.limit, CAP), trace=trace)     # slow claims first
              for c, *_ in sorted(todo, key=lambda t: not t[0].slow)]
    run_pool(queue, n, done)
    return base


def _limit(claim, seconds: float) -> float:
    return min(claim.limit, CAP, max(FLOOR, FACTOR * seconds))


def functions(tree: ast.Module) -> list:
    """(qualified name, FunctionDef) of the top-level functions and methods of top-level classes."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            out += [(f"{node.name}.{f.name}", f) for f in node.body if isinstance(f, ast.FunctionDef)]
    return out


def enclosing(tree: ast.Module, line: int) -> str | None:
    """The name of the top-level function (or method) whose source holds ``line``."""
    for name, fn in functions(tree):
        first = fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno
        if first <= line <= fn.end_lineno:
            return name
    return None


def engine_sites(data: bytes, name: str) -> tuple[list[Site], Source]:
    """Every mutation site of the engine function ``name`` (its argument checks left out)."""
    src = Source(data)
    fn = dict(functions(src.tree))[name]
    finder = Finder(src, lambda node: 0)
    finder.walk(fn, f"engine {name}")
    return unique(finder.out), src


def run_engines(rec: dict, base: dict, tmp: Path, max_per: int, n: int, progress) -> dict:
    """Mutants of the numerics/ functions the article's passing claims reach, each run against
    those claims in turn until one kills it."""
    ids = {c["id"] for c in rec["claims"]}
    reach, trees = {}, {}
    for cid, (claim, _, reached) in sorted(base.items()):
        for file, line in reached if cid in ids else ():
            rel = os.path.relpath(file, os.path.realpath(ENGINES.parent))
            if Path(rel).stem not in SHARED and (name := enclosing(trees.setdefault(
                    rel, ast.parse(Path(file).read_bytes())), line)):
                reach.setdefault((rel, name), set()).add(cid)
    own = ENGINES / f"{rec['article']}.py"
    files = set(trees) | ({os.path.relpath(own, ENGINES.parent)} if own.exists() else set())
    unchecked = sorted(f"{f}::{name}" for f in files for name, _ in functions(
        trees.get(f) or ast.parse(Path(ENGINES.parent, f).read_bytes())) if (f, name) not in reach)
    out, queue = [], []

    def done(job, result, seconds):
        frec, m = job.rest
        m["claims"].append(dict(id=job.claim.id, **_outcome(result, job.claim)))
        if m["claims"][-1]["outcome"] in KILLED or len(m["claims"]) == len(frec["claims"]):
            m["outcome"] = m["claims"][-1]["outcome"]
            if all("outcome" in x for x in frec["mutants"]) and progress:
                progress(frec["function"], frec["mutants"], seconds, None)
        else:
            claim = base[frec["claims"][len(m["claims"])]][0]
            queue.append(Job(claim, job.site, None, _limit(claim, base[claim.id][1]), job.task["engine"] +
                              (claim.source,), rest=job.rest))

    for (rel, name), cids in sorted(reach.items()):
        data = Path(ENGINES.parent, rel).read_bytes()
        sites, src = engine_sites(data, name)
        frec = {"function": f"{rel}::{name}", "claims": sorted(cids), "mutants": []}
        out.append(frec)
        for k, site in enumerate([s for s in sites if not s.mark][:max_per]):
            path = tmp / f"engine-{len(out)}-{k}" / Path(rel).name
            path.parent.mkdir(parents=True)
            path.write_bytes(apply(data, site))
            m = dict(site_record(site, src), claims=[])
            frec["mutants"].append(m)
            claim, seconds, _ = base[frec["claims"][0]]
            queue.append(Job(claim, site, None, _limit(claim, seconds), (Path(rel).stem, str(path),
                                                                          claim.source), rest=(frec, m)))
    run_pool(queue, n, done)
    return {"functions": out, "unchecked": unchecked, "totals": count(m for f in out for m in f["mutants"])}


def site_record(site, src) -> dict:
    after = apply(src.data, site)
    line = after[src.starts[site.line - 1]:].split(b"\n", 1)[0].decode().rstrip("\r")
    rec = {"line": site.line, "column": site.start - src.starts[site.line - 1], "kind": site.kind,
           "change": site.what, "where": site.where,
           "before": src.line(site.line).strip(), "after": line.strip(), "size": site.change}
    if site.mark:
        rec.update(mark=site.mark[0], reason=site.mark[1])
    return rec


def _outcome(result, claim=None) -> dict:
    if result is None:
        return {"outcome": "timeout", "ok": False, "verdict": "killed at the time limit"}
    out = {"verdict": result["status"], "ok": result["ok"], "summary": result["summary"],
           "worst_rel": result.get("worst_rel"), "agreements": result.get("agreements", [])}
    if claim is not None:
        out["outcome"] = "survived" if result["ok"] else "error" if result["status"] == "ERROR" else "killed"
    return out


def count(mutants) -> dict:
    ms = [m for m in mutants if m.get("outcome", "not run") != "not run"]
    t = {k: sum(m["outcome"] == k for m in ms) for k in KILLED + ("survived",)}
    killed = sum(t[k] for k in KILLED)
    t.update(mutants=len(ms), score=f"{100 * killed / len(ms):.0f}% ({killed}/{len(ms)})" if ms else None)
    return t
