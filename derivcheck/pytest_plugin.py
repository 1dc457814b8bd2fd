"""pytest: every claim of derivations/*.py is a test item, ``derivations/<stem>.py::<name>``.

Verdicts must not depend on the process: the plugin sets PYTHONHASHSEED=0 for the processes
pytest starts (pytest-xdist's workers), and a process whose own hashing is randomised runs its
claims in one helper process started with the fixed seed.
"""
from __future__ import annotations

import os
import sys

import pytest

from .registry import DerivationError, load_article
from .run import run_claim


class ClaimFailure(Exception):
    """Carries the verdict from runtest to repr_failure."""


_POOL = []


def pytest_configure(config):
    os.environ["PYTHONHASHSEED"] = "0"


def pytest_unconfigure(config):
    while _POOL:
        _POOL.pop().shutdown(cancel_futures=True)


def _run(claim):
    """run_claim here when this process hashes with seed 0, else in a fixed-seed helper process."""
    if not sys.flags.hash_randomization:
        return run_claim(claim)
    import multiprocessing as mproc
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from .parallel import _claim_job, _crashed
    if not _POOL:
        _POOL.append(ProcessPoolExecutor(1, mp_context=mproc.get_context("spawn")))
    try:
        return _POOL[0].submit(_claim_job, claim.source, claim.name, None, 0).result()
    except BrokenProcessPool as exc:
        _POOL.pop().shutdown(cancel_futures=True)
        return _crashed(claim, exc)


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".py" and file_path.parent.name == "derivations" \
            and not file_path.name.startswith("_"):
        return DerivationFile.from_parent(parent, path=file_path)
    return None


class DerivationFile(pytest.File):
    def collect(self):
        try:
            article = load_article(self.path)
        except DerivationError as exc:
            raise self.CollectError(str(exc)) from None
        for c in article.claims:
            item = ClaimItem.from_parent(self, name=c.name, claim=c)
            if c.slow:
                item.add_marker(pytest.mark.slow)
            yield item


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.verdict = None

    def runtest(self):
        self.verdict = _run(self.claim)
        self.user_properties.append(("verdict", str(self.verdict.status)))
        if not self.verdict.ok:
            raise ClaimFailure(self.verdict)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return excinfo.value.args[0].message
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.claim.line - 1, f"claim {self.claim.id}"
