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

from .records import (EXPECTATIONS, FINDINGS, LINK_EXPECTATIONS, TAGS, Agreement, Bound, Chain, Claim,
                      Extremum, Identity, Step)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


class InvalidClaim(Exception):
    """A claim declared wrongly: duplicate id, empty statement, unknown tag. Raised at import."""


class DerivationError(Exception):
    """A derivation file that cannot be loaded; the message is one line naming file and cause."""


def _expect(expect: str, where: str) -> str:
    if expect not in LINK_EXPECTATIONS:
        raise TypeError(f"{where}(expect={expect!r}): give 'pass' or 'REFUTED'")
    return expect


def identity(lhs, rhs, label: str = "", *, expect: str = "pass", consistency: bool = False) -> Identity:
    """``lhs == rhs`` with both sides kept (a bool, e.g. from ``sympy.Eq``, is refused).

    ``expect="REFUTED"`` names this link as the finding of an expected-REFUTED claim (every other
    link of the claim must then pass); ``consistency=True`` declares a comparison of a quantity with
    itself by the same route, which is shown as such and never confirms a claim on its own."""
    for side, name in ((lhs, "lhs"), (rhs, "rhs")):
        if isinstance(side, bool) or type(side).__name__ in ("BooleanTrue", "BooleanFalse",
                                                              "Equality"):
            raise TypeError(f"identity({name}={side!r}): pass both sides, not a comparison "
                            "(sympy.Eq collapses to True/False and loses the sides)")
    return Identity(lhs, rhs, label, _expect(expect, "identity"), bool(consistency))


def chain(*steps, given: dict | None = None, expect_refuted=()) -> Chain:
    """Steps as ``(label, expr)`` pairs typed as the article prints them.

    ``expect_refuted=(3,)`` names the steps (numbered from 1 as printed; step k is compared with
    step k-1) that an expected-REFUTED claim expects to fail; every other step must hold."""
    if len(steps) < 2:
        raise TypeError(f"chain() needs at least 2 steps, got {len(steps)}")
    bad = [k for k in expect_refuted if not (isinstance(k, int) and 2 <= k <= len(steps))]
    if bad:
        raise TypeError(f"chain(expect_refuted={tuple(expect_refuted)!r}): step numbers run from 2 to "
                        f"{len(steps)} (step k is compared with step k-1)")
    return Chain(tuple(Step(*s) for s in steps), dict(given or {}), tuple(expect_refuted))


def agrees(estimate, expected, *, rtol=0, atol=0, k_sigma: float = 4.0, max_error=None,
           label: str = "", expect: str = "pass", consistency: bool = False, resolution=None,
           scale=None) -> Agreement:
    """A numeric or statistical estimate against the value the article predicts.

    Passes when ``|obs - exp| <= atol + rtol*|exp| + k_sigma*error``, and decides only when that
    total tolerance is at most ``resolution`` (default: the claim's, 0.1) times ``|expected|`` (or
    ``|scale|``, which an expected value of 0 needs): a looser check is INCONCLUSIVE."""
    if resolution is not None and not resolution > 0:
        raise TypeError(f"agrees(resolution={resolution!r}): give a positive fraction such as 0.1")
    return Agreement(estimate, expected, rtol, atol, k_sigma, max_error, label,
                     _expect(expect, "agrees"), bool(consistency), resolution, scale)


def bound(lhs, rhs, *, strict: bool = False, domain: dict | None = None, label: str = "",
          expect: str = "pass", tight=()) -> Bound:
    """``lhs <= rhs`` (``<`` when strict) over the symbols' assumptions narrowed by ``domain``
    ({Symbol: (lo, hi)}); ``tight`` lists the points {Symbol: value} where equality holds."""
    return Bound(lhs, rhs, bool(strict), dict(domain or {}), label, _expect(expect, "bound"),
                 tuple(dict(t) for t in tight))


def extremum(f, over: dict, *, kind: str = "max", value=None, at=None, label: str = "",
             expect: str = "pass") -> Extremum:
    """The maximum (``kind="max"``) or minimum of ``f`` over ``over`` ({Symbol: (lo, hi)}) is
    ``value``, attained at ``at`` ({Symbol: value}) when given."""
    if kind not in ("max", "min"):
        raise TypeError(f"extremum(kind={kind!r}): give 'max' or 'min'")
    if value is None:
        raise TypeError("extremum() needs value=, the extremal value the article states")
    return Extremum(f, dict(over), kind, value, dict(at) if at else None, label, _expect(expect, "extremum"))


def claim(name: str, statement: str, *, tag: str = "exact", assumptions=(), expected: str = "pass",
          why: str = "", finding: str = "", dps=(30, 60), domain=None, points: int = 8,
          timeout: float = 10.0, simplifiers=(), slow: bool = False, memory_mb: int = 2048,
          scope: str = "general", limit: float = 300.0, resolution: float = 0.1):
    """Register the decorated function as claim ``<module stem>.<name>``.

    An expected-REFUTED claim names its ``finding`` (a key of ``FINDINGS``: "article-error",
    "failed-assumption", "pitfall", "listing-bug") and says ``why``. ``scope="instances"`` declares
    that the claim evaluates instances of a general statement, so an exact evaluation is CONFIRMED
    ("exact on k instances"), never PROVED. ``limit`` bounds the wall-clock seconds of everything
    the claim does; ``timeout`` bounds the symbolic ladder of each comparison."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidClaim(f"claim name {name!r} must be letters, digits, '-' or '_'")
    if tag not in TAGS:
        raise InvalidClaim(f"claim {name!r}: tag={tag!r} is not one of {', '.join(TAGS)}")
    if expected not in EXPECTATIONS:
        raise InvalidClaim(f"claim {name!r}: expected={expected!r} is not one of {EXPECTATIONS}")
    if expected == "REFUTED" and not why:
        raise InvalidClaim(f"claim {name!r}: an expected REFUTED claim needs why='...' "
                           "(what the article gets wrong)")
    if expected == "REFUTED" and finding not in FINDINGS:
        raise InvalidClaim(f"claim {name!r}: an expected REFUTED claim needs finding= one of "
                           f"{', '.join(FINDINGS)} (got {finding!r})")
    if expected != "REFUTED" and finding:
        raise InvalidClaim(f"claim {name!r}: finding={finding!r} is only for expected='REFUTED' claims")
    if scope not in ("general", "instances"):
        raise InvalidClaim(f"claim {name!r}: scope={scope!r} must be 'general' or 'instances'")
    if not (isinstance(limit, (int, float)) and limit > 0):
        raise InvalidClaim(f"claim {name!r}: limit={limit!r} must be a positive number of seconds")
    if not (isinstance(resolution, (int, float)) and resolution > 0):
        raise InvalidClaim(f"claim {name!r}: resolution={resolution!r} must be a positive fraction")
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
                             tuple(simplifiers), slow, _relpath(mod.get("__file__", "")), line, memory_mb,
                             finding, scope, float(limit), float(resolution))
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
