"""Bounds and extrema: lhs <= rhs over a domain, and the maximum or minimum of f, certified by
interval branch and bound where the domain is a bounded box, by a seeded global search elsewhere.

(Being written: the entry points below are the contract the runner calls.)
"""
from __future__ import annotations

from .records import Bound, Claim, Extremum, Link


def check_bound(b: Bound, claim: Claim, index: int, ladder, seed: int) -> Link:
    raise NotImplementedError("bound() claims are not checked yet")


def check_extremum(e: Extremum, claim: Claim, index: int, ladder, seed: int) -> Link:
    raise NotImplementedError("extremum() claims are not checked yet")
