"""Incremental verification: verdicts cached by content, so a cached verdict can never be stale.

The key of a claim covers everything its verdict depends on: the bytes of its derivation file,
of the helper files beside it (``derivations/_*.py``), of every ``numerics`` module the file
imports (followed through their own imports) and of the checker itself (``derivcheck/*.py``);
the versions of Python and of the numeric libraries and the float64 kernels in use; the claim's name, the dps ladder and the
seed. The entry holds the pickled Verdict, byte-identical to a fresh run's. An article's entry for
``derivcheck report`` also holds its rendered sections. Entries live in ``.derivcheck/cache/``
(never committed); ``--no-cache`` (or ``DERIVCHECK_NO_CACHE=1``) recomputes everything.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

CACHE_DIR = Path(".derivcheck") / "cache"
_PKG = Path(__file__).resolve().parent
_NUMERICS = _PKG.parent / "numerics"
FORMAT = 1


def enabled() -> bool:
    return os.environ.get("DERIVCHECK_NO_CACHE", "") in ("", "0")


@functools.lru_cache(maxsize=None)
def _versions() -> str:
    import importlib.metadata as md
    libs = []
    for name in ("sympy", "mpmath", "numpy", "scipy", "matplotlib", "gmpy2", "python-flint", "pillow"):
        try:
            libs.append(f"{name}={md.version(name)}")
        except md.PackageNotFoundError:
            libs.append(f"{name}=-")
    from . import kernels
    return (f"{sys.version}|{'|'.join(libs)}|hashseed={os.environ.get('PYTHONHASHSEED', '')}|"
            f"{kernels.status()}")


def _numerics_imports(source: str, package: bool = False) -> set[str]:
    """Names of numerics modules a source file imports (``numerics.x`` or, inside the package, ``.x``)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod == "numerics" or (package and node.level == 1 and not mod):
                names |= {a.name for a in node.names}
            elif mod.startswith("numerics."):
                names.add(mod.split(".", 1)[1].split(".")[0])
            elif package and node.level == 1:
                names.add(mod.split(".")[0])
            if mod.split(".")[0] == "numerics" or (package and node.level == 1):
                names.add("__init__")
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".", 1)[1].split(".")[0] for a in node.names
                      if a.name.startswith("numerics.")}
            if any(a.name.split(".")[0] == "numerics" for a in node.names):
                names.add("__init__")
    return names


@functools.lru_cache(maxsize=256)
def _imports_of(path: Path, mtime_ns: int, size: int) -> frozenset:
    return frozenset(_numerics_imports(path.read_text(), package=True))


@functools.lru_cache(maxsize=256)
def _engine_files(source: str, numerics: Path) -> tuple[Path, ...]:
    todo, seen = list(_numerics_imports(source)), set()
    while todo:
        name = todo.pop()
        path = numerics / f"{name}.py"
        if name in seen or not path.exists():
            continue
        seen.add(name)
        st = path.stat()
        todo += list(_imports_of(path, st.st_mtime_ns, st.st_size))
    return tuple(sorted(numerics / f"{n}.py" for n in seen))


@functools.lru_cache(maxsize=None)
def _checker_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(_PKG.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def file_digest(path) -> str:
    """The digest of a derivation file and of everything of the project it depends on."""
    path = Path(path).resolve()
    src = path.read_bytes()
    h = hashlib.sha256(f"{FORMAT}|{_versions()}|{_checker_digest()}".encode())
    h.update(src)
    helpers = sorted(p for p in path.parent.glob("_*.py"))
    for p in helpers + list(_engine_files(src.decode("utf-8", "replace"), _NUMERICS)):
        h.update(str(p.name).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def key(path, *parts) -> str:
    return hashlib.sha256("|".join([file_digest(path), *map(repr, parts)]).encode()).hexdigest()


def load(k: str):
    if not enabled():
        return None
    try:
        with open(CACHE_DIR / f"{k}.pickle", "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        return None


def store(k: str, value) -> None:
    if not enabled():
        return
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = CACHE_DIR / f"{k}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, CACHE_DIR / f"{k}.pickle")
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass                                  # an unwritable checkout simply does not cache


REUSED = [0]                                  # verdicts taken from the cache in this process


def cached_claim(claim, dps, seed: int, run):
    """``run(claim, dps, seed)``, or its cached verdict (then counted in REUSED)."""
    if not enabled() or not claim.source:
        return run(claim, dps, seed)
    k = key(claim.source, "claim", claim.name, tuple(dps or claim.dps), seed)
    hit = load(k)
    if hit is not None:
        REUSED[0] += 1
        return hit
    v = run(claim, dps, seed)
    store(k, v)
    return v
