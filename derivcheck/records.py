"""Records: what a claim is, what it returns, and the verdict it earns. Data only, no logic."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable

from numerics.estimate import Estimate


class Status(str, enum.Enum):
    """The five verdicts (DEVELOPERS.md): only PROVED and CONFIRMED are passes."""

    PROVED = "PROVED"              # SymPy reduced the residual to 0, or an exact decision procedure
    CONFIRMED = "CONFIRMED"        # independent numerical evidence at stated precision
    REFUTED = "REFUTED"            # a reproducible counterexample, stable across precisions
    INCONCLUSIVE = "INCONCLUSIVE"  # timeout, non-convergence, undecided: never a pass
    ERROR = "ERROR"                # the claim's own code raised

    def __str__(self) -> str:
        return self.value


TAGS = ("exact", "approx", "asymptotic", "model", "extension", "numeric")
EXPECTATIONS = ("pass", "PROVED", "REFUTED")
LINK_EXPECTATIONS = ("pass", "REFUTED")

# What an expected-REFUTED claim found, and the report heading it is filed under. Only the first
# is the article's fault.
FINDINGS = {
    "article-error": "What the article gets wrong",
    "failed-assumption": "Where an assumption of the article fails",
    "pitfall": "Pitfalls the article avoids (a tempting variant is wrong)",
    "listing-bug": "Bugs in code listings",
}

# What a verdict covers (DEVELOPERS.md: PROVED only for the statement as declared).
SCOPES = {
    "general": "in general",          # a symbolic reduction or exact decision over the free symbols
    "instances": "on instances",      # exact evaluation of specific cases of a general statement
    "points": "at points",            # numeric evaluation at sampled points
    "estimate": "an estimate",        # quadrature, simulation, fit
    "consistency": "consistency",     # a quantity compared with itself by the same route
    "box": "on a box",                # a bound or extremum certified by interval arithmetic
}


@dataclass(frozen=True)
class Claim:
    """One checkable statement of an article; ``fn`` builds what is checked (lazily)."""

    id: str                      # "<article>.<name>", article = module stem
    name: str                    # the article's or spec's label: "A6", "eq2-3"
    statement: str               # one line, may hold $LaTeX$
    fn: Callable[..., Any]
    tag: str = "exact"
    assumptions: tuple[str, ...] = ()
    expected: str = "pass"       # "pass": PROVED or CONFIRMED; "PROVED"; "REFUTED" (strict xfail)
    why: str = ""                # for an expected REFUTED claim: what the article gets wrong
    dps: tuple[int, ...] = (30, 60)
    domain: dict = field(default_factory=dict)   # Symbol -> (lo, hi) or "complex"/"real"/...
    points: int = 8              # random points for the numeric check of identities; 0: none
    timeout: float = 10.0        # wall-clock seconds for the symbolic ladder
    simplifiers: tuple[Any, ...] = ()            # extra domain-specific simplifiers (callables)
    slow: bool = False
    source: str = ""             # path of the derivation file, relative when possible
    line: int = 0
    memory_mb: int = 2048        # address-space ceiling of the symbolic worker, MiB
    finding: str = ""            # for an expected REFUTED claim: a key of FINDINGS
    scope: str = "general"       # "instances": the claim evaluates instances of a general statement
    limit: float = 300.0         # wall-clock seconds for everything the claim does
    resolution: float = 0.1      # an agreement's tolerance may be at most this fraction of |expected|

    @property
    def article(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Identity:
    """lhs == rhs, both sides kept (never sympy.Eq, which collapses to True/False)."""

    lhs: Any
    rhs: Any
    label: str = ""
    expect: str = "pass"         # "REFUTED": this link is the finding of an expected-REFUTED claim
    consistency: bool = False    # the same quantity by the same route: never confirmation alone


@dataclass(frozen=True)
class Step:
    label: str
    expr: Any


@dataclass(frozen=True)
class Chain:
    """Steps typed as the article prints them; adjacent steps are compared after ``given``."""

    steps: tuple[Step, ...]
    given: dict = field(default_factory=dict)
    expect_refuted: tuple[int, ...] = ()     # step numbers k (step k-1 -> k) expected to fail


@dataclass(frozen=True)
class Agreement:
    """An estimate against an expected value: |obs - exp| <= atol + rtol*|exp| + k_sigma*error."""

    estimate: Estimate
    expected: Any
    rtol: Any = 0
    atol: Any = 0
    k_sigma: float = 4.0
    max_error: Any = None        # an estimate whose error exceeds this decides nothing
    label: str = ""
    expect: str = "pass"
    consistency: bool = False
    resolution: float | None = None   # None: the claim's; the largest tolerance/|scale| that decides
    scale: Any = None            # the size the tolerance is judged against (needed when expected = 0)


@dataclass(frozen=True)
class Bound:
    """lhs <= rhs (lhs < rhs when strict) at every point of the domain: the symbols' assumptions
    narrowed by ``domain`` ({Symbol: (lo, hi)}, either end may be +-oo)."""

    lhs: Any
    rhs: Any
    strict: bool = False
    domain: dict = field(default_factory=dict)
    label: str = ""
    expect: str = "pass"
    tight: tuple = ()            # points {Symbol: value} where equality holds (excluded from boxes)
    box: dict = field(default_factory=dict)      # where branch and bound runs on an unbounded domain
    tails: dict = field(default_factory=dict)    # +oo/-oo -> intermediate expressions for a tail


@dataclass(frozen=True)
class Extremum:
    """The maximum (or minimum) of f over the domain is ``value``, attained at ``at`` if given."""

    f: Any
    over: dict
    kind: str = "max"            # "max" or "min"
    value: Any = None
    at: Any = None               # {Symbol: value} of the extremiser, if the article names it
    label: str = ""
    expect: str = "pass"


@dataclass(frozen=True)
class Link:
    """The outcome of one comparison: an identity, or step k -> k+1 of a chain."""

    index: int
    label: str
    status: Status
    basis: str
    residual: str = ""            # the symbolic residual, as text, when not reduced to 0
    worst_rel: float | None = None
    digits: float | None = None
    evidence: tuple[tuple[str, str], ...] = ()   # (key, value) lines for the text block
    reproduce: str = ""
    kind: str = "item"            # "step" for a link of a chain
    expect: str = "pass"          # "REFUTED" for a link that is the claim's finding
    scope: str = ""               # a key of SCOPES
    consistency: bool = False
    certified: str = ""           # for REFUTED: how the counterexample was certified, or what it rests on
    precision: str = ""           # an agreement's working precision: "float64" or its dps
    floored: bool = False         # a float64 difference below F64_FLOOR: shown as a bound, not digits


@dataclass(frozen=True)
class Verdict:
    """What a claim earned, with every number needed to believe it."""

    claim_id: str
    status: Status
    basis: str                    # "symbolic (expand)", "exact random points", "numeric at points", ...
    ok: bool                      # status meets the claim's expectation
    summary: str                  # first line of the text block
    links: tuple[Link, ...] = ()
    latex: tuple = ()             # (label, LaTeX) of the claim's steps or sides
    worst_rel: float | None = None
    digits: float | None = None
    dps: tuple[int, ...] = ()
    seed: int | None = None
    seconds: float = 0.0
    message: str = ""             # the full text block (also pytest's failure text)
    scope: str = ""               # what the verdict covers, in words ("in general", "exact on 6 instances")
    problem: str = ""             # why the verdict misses the claim's expectation, when it does
    floored: bool = False         # worst_rel is the float64 floor (the true value is below it)


@dataclass(frozen=True)
class Section:
    """A part of the report an article adds: Markdown, plus figures to save beside it."""

    title: str
    markdown: str
    figures: tuple[tuple[str, Any], ...] = ()    # (file name, matplotlib Figure)
    order: int = 0


@dataclass(frozen=True)
class Minimax:
    """min over the parameter of (max over ``over`` of f) is attained at ``value`` (the parameter),
    where f equioscillates; ``level`` is the minimax value itself when the article states it."""

    f: Any
    param: tuple                 # (Symbol, lo, hi)
    over: dict
    value: Any
    level: Any = None
    label: str = ""
    expect: str = "pass"
