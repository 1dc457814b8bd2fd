"""Declaring claims: the @claim and @section decorators, the result builders, loading by path.

Claims register in their own module (``__claims__``), never in a global registry, so a file
loaded twice (by pytest's doctest collection and by the runner) cannot collide with itself.
"""
from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path

from .records import EXPECTATIONS, TAGS, Agreement, Chain, Claim, Identity, Step

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


class InvalidClaim(Exception):
    """A claim declared wrongly: duplicate id, empty statement, unknown tag. Raised at import."""


class DerivationError(Exception):
    """A derivation file that cannot be loaded; the message is one line naming file and cause."""


def identity(lhs, rhs, label: str = "") -> Identity:
    """``lhs == rhs`` with both sides kept (a bool, e.g. from ``sympy.Eq``, is refused)."""
    for side, name in ((lhs, "lhs"), (rhs, "rhs")):
        if isinstance(side, bool) or type(side).__name__ in ("BooleanTrue", "BooleanFalse",
                                                              "Equality"):
            raise TypeError(f"identity({name}={side!r}): pass both sides, not a comparison "
                            "(sympy.Eq collapses to True/False and loses the sides)")
    return Identity(lhs, rhs, label)


def chain(*steps, given: dict | None = None) -> Chain:
    """Steps as ``(label, expr)`` pairs typed as the article prints them."""
    if len(steps) < 2:
        raise TypeError(f"chain() needs at least 2 steps, got {len(steps)}")
    return Chain(tuple(Step(*s) for s in steps), dict(given or {}))


def agrees(estimate, expected, *, rtol=0, atol=0, k_sigma: float = 4.0, max_error=None,
           label: str = "") -> Agreement:
    """A numeric or statistical estimate against the value the article predicts."""
    return Agreement(estimate, expected, rtol, atol, k_sigma, max_error, label)


def claim(name: str, statement: str, *, tag: str = "exact", assumptions=(), expected: str = "pass",
          why: str = "", dps=(30, 60), domain=None, points: int = 8, timeout: float = 10.0,
          simplifiers=(), slow: bool = False, memory_mb: int = 2048):
    """Register the decorated function as claim ``<module stem>.<name>``."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidClaim(f"claim name {name!r} must be letters, digits, '-' or '_'")
    if tag not in TAGS:
        raise InvalidClaim(f"claim {name!r}: tag={tag!r} is not one of {', '.join(TAGS)}")
    if expected not in EXPECTATIONS:
        raise InvalidClaim(f"claim {name!r}: expected={expected!r} is not one of {EXPECTATIONS}")
    if expected == "REFUTED" and not why:
        raise InvalidClaim(f"claim {name!r}: an expected REFUTED claim needs why='...' "
                           "(what the article gets wrong)")
    if not all(isinstance(d, int) and d > 5 for d in dps):
        raise InvalidClaim(f"claim {name!r}: dps={dps!r} must be integers above 5")

    def register(fn):
        if not isinstance(statement, str) or not statement.strip():
            raise InvalidClaim(f"claim {name!r} in {_where(fn)} has no statement")
        mod = fn.__globals__
        claims = mod.setdefault("__claims__", {})
        line = fn.__code__.co_firstlineno
        if name in claims:
            raise InvalidClaim(f"claim id {name!r} is defined twice in {_where(fn)} "
                               f"(lines {claims[name].line} and {line})")
        stem = Path(mod.get("__file__", "<string>")).stem
        claims[name] = Claim(f"{stem}.{name}", name, statement.strip(), fn, tag, tuple(assumptions),
                             expected, why, tuple(dps), dict(domain or {}), points, timeout,
                             tuple(simplifiers), slow, _relpath(mod.get("__file__", "")), line, memory_mb)
        fn.__claim__ = claims[name]
        return fn
    return register


def section(title: str, order: int = 0):
    """Register a report section: the function returns Markdown, or (Markdown, figures)."""
    def register(fn):
        fn.__globals__.setdefault("__sections__", []).append((order, title, fn))
        return fn
    return register


def _relpath(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _where(fn) -> str:
    return _relpath(fn.__globals__.get("__file__", "<string>"))


@dataclass(frozen=True)
class Article:
    stem: str
    path: str
    title: str
    source: str            # the "Article:" line: author, title, date, URL
    summary: str
    claims: tuple[Claim, ...]
    sections: tuple        # (order, title, fn)


def load_article(path) -> Article:
    """Import a derivation file by path; any failure becomes a one-line DerivationError."""
    path = Path(path)
    rel = _relpath(str(path))
    if not path.exists():
        raise DerivationError(f"{rel}: no such file")
    if path.suffix != ".py":
        raise DerivationError(f"{rel}: not a Python file (a derivation is a .py module)")
    name = f"_derivation_{path.stem}_{zlib.crc32(str(path.resolve()).encode()):x}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except InvalidClaim as exc:
        raise DerivationError(f"{rel}: {exc}") from exc
    except SyntaxError as exc:
        raise DerivationError(f"{rel}: SyntaxError at line {exc.lineno}: {exc.msg}") from exc
    except BaseException as exc:
        raise DerivationError(f"{rel}: {_cause(exc, path)}") from exc
    finally:
        sys.modules.pop(name, None)
    claims = tuple(getattr(module, "__claims__", {}).values())
    if not claims:
        raise DerivationError(f"{rel}: defines no claims (decorate functions with @claim)")
    doc = inspect.getdoc(module) or path.stem
    title, _, rest = doc.partition("\n")
    source = next((ln.split(":", 1)[1].strip() for ln in rest.splitlines()
                   if ln.startswith("Article:")), "")
    summary = "\n".join(ln for ln in rest.strip().splitlines() if not ln.startswith("Article:"))
    return Article(path.stem, rel, title.strip(), source, summary.strip(), claims,
                   tuple(sorted(getattr(module, "__sections__", []), key=lambda s: s[:2])))


def _cause(exc: BaseException, path: Path) -> str:
    """'ImportError at line 4: No module named x', the line taken from the deepest frame in path."""
    line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__))
                 if Path(f.filename).resolve() == path.resolve()), None)
    at = f" at line {line}" if line else ""
    return f"{type(exc).__name__}{at}: {exc}"
