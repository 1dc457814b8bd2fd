"""derivcheck: check a mathematical derivation claim by claim, symbolically and numerically.

A derivation file declares claims with ``@claim``; each returns ``identity(lhs, rhs)``,
``chain((label, expr), ...)`` or ``agrees(estimate, expected)``. The checker grades each claim
PROVED, CONFIRMED, REFUTED, INCONCLUSIVE or ERROR, with the numbers behind the verdict.
"""
from . import kernels

kernels.pin()                           # before NumPy is first imported (numerics imports it)

from numerics.estimate import Estimate  # noqa: E402

from .records import FINDINGS, Claim, Status, Verdict
from .registry import (DerivationError, InvalidClaim, agrees, bound, chain, claim, extremum, identity,
                       minimax, section)
from .run import run_claim

__all__ = [
    "Claim", "DerivationError", "Estimate", "FINDINGS", "InvalidClaim", "Status", "Verdict",
    "agrees", "bound", "chain", "claim", "extremum", "identity", "minimax", "run_claim", "section",
]


def _check_exports() -> None:
    public = {k for k, v in globals().items() if not k.startswith("_") and not hasattr(v, "__path__")
              and getattr(v, "__module__", "").split(".")[0] in ("derivcheck", "numerics")} | {"FINDINGS"}
    assert public == set(__all__), f"__all__ out of date: {sorted(public ^ set(__all__))}"


_check_exports()
