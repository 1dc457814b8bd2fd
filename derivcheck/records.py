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

    @property
    def article(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Identity:
    """lhs == rhs, both sides kept (never sympy.Eq, which collapses to True/False)."""

    lhs: Any
    rhs: Any
    label: str = ""


@dataclass(frozen=True)
class Step:
    label: str
    expr: Any


@dataclass(frozen=True)
class Chain:
    """Steps typed as the article prints them; adjacent steps are compared after ``given``."""

    steps: tuple[Step, ...]
    given: dict = field(default_factory=dict)


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


@dataclass(frozen=True)
class Verdict:
    """What a claim earned, with every number needed to believe it."""

    claim_id: str
    status: Status
    basis: str                    # "symbolic (expand)", "exact random points", "numeric at points", ...
    ok: bool                      # status meets the claim's expectation
    summary: str                  # first line of the text block
    links: tuple[Link, ...] = ()
    latex: tuple[str, ...] = ()   # the claim's steps or sides, in LaTeX
    worst_rel: float | None = None
    digits: float | None = None
    dps: tuple[int, ...] = ()
    seed: int | None = None
    seconds: float = 0.0
    message: str = ""             # the full text block (also pytest's failure text)


@dataclass(frozen=True)
class Section:
    """A part of the report an article adds: Markdown, plus figures to save beside it."""

    title: str
    markdown: str
    figures: tuple[tuple[str, Any], ...] = ()    # (file name, matplotlib Figure)
    order: int = 0
