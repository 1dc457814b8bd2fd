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
                      Extremum, Identity, Minimax, Step)

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
          expect: str = "pass", tight=(), box: dict | None = None, tails: dict | None = None) -> Bound:
    """``lhs <= rhs`` (``<`` when strict) at every point of a domain: the symbols' assumptions
    narrowed by ``domain`` ({Symbol: (lo, hi)}, either end may be ``sympy.oo``).

    PROVED when every sub-box of the domain is certified by ball arithmetic (python-flint's arb,
    branch and bound with the mean-value form), or when SymPy shows rhs - lhs manifestly
    nonnegative. REFUTED with a certified counterexample: a short decimal point and a box around
    it on which rhs - lhs < 0 rigorously, with a reproduce line. Otherwise CONFIRMED by a seeded
    global search (the worst point and margin shown), with the certified part reported apart.

    ``tight`` lists the points {Symbol: value} where equality holds: a neighbourhood of each is
    proved when SymPy shows rhs - lhs and its gradient vanish there exactly and its Hessian is
    certified diagonally dominant (convex) nearby. A strict bound with equality at a point is
    REFUTED there.

    Unbounded domains: branch and bound covers ``box`` (default: infinite ends cut at +-30); in one
    variable each tail beyond it is proved by exact sign rules (see derivcheck._tails) applied
    to lhs <= rhs, or to a chain lhs <= m1 <= ... <= rhs given in ``tails={sympy.oo: [m1, ...],
    -sympy.oo: [...]}``. A tail left unproved makes the verdict CONFIRMED, never PROVED.

    Example (a bound tight at x = 0, proved on the box, both tails by the sign rules)::

        x = sp.Symbol("x", real=True)
        bound(1 + x, sp.exp(x), tight=({x: 0},))      # PROVED: convex at 0; tails exact
    """
    for name, pts in (("tight", tight),):
        if not all(isinstance(t, dict) for t in pts):
            raise TypeError(f"bound({name}={pts!r}): give a tuple of points such as ({{x: 0}},)")
    tails = dict(tails or {})
    bad = [k for k in tails if _oo_sign(k) == 0]
    if bad:
        raise TypeError(f"bound(tails={{{bad[0]!r}: ...}}): the keys are sympy.oo and -sympy.oo")
    return Bound(lhs, rhs, bool(strict), dict(domain or {}), label, _expect(expect, "bound"),
                 tuple(dict(t) for t in tight), dict(box or {}),
                 {_oo_sign(k): tuple(v) for k, v in tails.items()})


def _oo_sign(key) -> int:
    """+1 for sympy.oo or "+oo", -1 for -sympy.oo or "-oo", 0 for anything else."""
    text = str(key).replace(" ", "")
    return {"oo": 1, "+oo": 1, "-oo": -1, "inf": 1, "-inf": -1}.get(text, 0)


def extremum(f, over: dict, *, kind: str = "max", value=None, at=None, label: str = "",
             expect: str = "pass") -> Extremum:
    """The maximum (``kind="max"``) or minimum of ``f`` over ``over`` ({Symbol: (lo, hi)}) is
    ``value``, attained at ``at`` ({Symbol: value}) when given.

    Three parts: f <= value (>= for a minimum) certified by branch and bound away from the
    extremiser, with a neighbourhood of ``at`` proved by the tight-point rule; f(at) = value
    (SymPy exactly, else at high precision); and a second route, a local optimiser from many
    seeded starts, that must agree. PROVED when all three are exact or certified; CONFIRMED
    when the value agrees only numerically; REFUTED with a certified point beyond the value, or
    when the value is certified out of reach (the bound holds with room to spare).

    Example (the maximum of x e^-x on [0, 5] is 1/e at x = 1)::

        x = sp.Symbol("x", real=True)
        extremum(x * sp.exp(-x), over={x: (0, 5)}, value=1 / sp.E, at={x: 1})   # PROVED
    """
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


def minimax(f, param, over: dict, *, value, level=None, label: str = "", expect: str = "pass") -> Minimax:
    """``min over b of max over x of f(x, b)`` is attained at b = ``value`` (``param=(b, lo, hi)``),
    with minimax level ``level`` when given.

    Checked by the equioscillation property (at b = value the largest local maxima of f over x
    are equal) and a perturbation check: for b = value +- delta the maximum over x is certified
    larger than the maximum at value (a point beats the branch-and-bound upper bound). CONFIRMED
    at best (a local property at the scales delta tried); REFUTED when a perturbed b is certified
    better. Example::

        x, b = sp.symbols("x b", real=True)
        minimax(sp.Abs(x**2 - b), param=(b, 0, 1), over={x: (0, 1)}, value=sp.Rational(1, 2))
    """
    if not (isinstance(param, tuple) and len(param) == 3):
        raise TypeError(f"minimax(param={param!r}): give (Symbol, lo, hi)")
    import sympy as sp
    try:
        inside = bool(sp.sympify(param[1]) < sp.sympify(value) < sp.sympify(param[2]))
    except TypeError:                            # a symbolic end that cannot be compared: trust it
        inside = True
    if not inside:
        raise TypeError(f"minimax(param={param!r}, value={value!r}): the window must satisfy lo < value < hi "
                        "(the perturbation steps are 1 % and 0.1 % of its width)")
    return Minimax(f, param, dict(over), value, level, label, _expect(expect, "minimax"))
