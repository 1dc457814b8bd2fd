"""pytest: every claim of derivations/*.py is a test item, ``derivations/<stem>.py::<name>``.

Verdicts must not depend on the process: the plugin sets PYTHONHASHSEED=0 for the processes
pytest starts (pytest-xdist's workers), and a process whose own hashing is randomised runs its
claims in one helper process started with the fixed seed.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from . import cache
from .registry import DerivationError, load_article
from .run import run_claim


class ClaimFailure(Exception):
    """Carries the verdict from runtest to repr_failure."""


_POOL = []


def pytest_addoption(parser):
    parser.addini("derivation_paths", type="paths", default=["derivations"],
                  help="folders whose *.py files are derivations (one test item per claim)")
    parser.addoption("--derivations", action="append", default=[], metavar="DIR",
                     help="a folder of derivation files (adds to the derivation_paths ini option)")
    parser.addoption("--no-verdict-cache", action="store_true",
                     help="recompute every claim's verdict (default: reuse verdicts whose inputs are unchanged)")


def pytest_configure(config):
    os.environ["PYTHONHASHSEED"] = "0"
    if config.getoption("no_verdict_cache"):
        os.environ["DERIVCHECK_NO_CACHE"] = "1"


def pytest_report_header(config):
    from . import kernels
    return f"derivcheck: {kernels.status()}"


def pytest_terminal_summary(terminalreporter, config):
    reused = sum(1 for reps in terminalreporter.stats.values() for r in reps
                 if getattr(r, "when", "") == "call" and ("verdict_cached", True) in getattr(r, "user_properties", []))
    if reused:
        terminalreporter.write_line(f"derivcheck: {reused} verdicts reused from the cache "
                                    "(.derivcheck/cache; --no-verdict-cache recomputes)")


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` starts no workers for a selection of single items (``file.py::claim``): one
    claim then runs in seconds instead of paying for the workers' start-up."""
    args = [a for a in config.args if not a.startswith("-")]
    if args and all("::" in a for a in args):
        return 0
    return None


def pytest_unconfigure(config):
    while _POOL:
        _POOL.pop().shutdown(cancel_futures=True)


def _run(claim):
    """run_claim here when this process hashes with seed 0, else in a fixed-seed helper process."""
    if not sys.flags.hash_randomization:
        return cache.cached_claim(claim, None, 0, run_claim)
    import multiprocessing as mproc
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from .parallel import _claim_job, _crashed
    if not _POOL:
        _POOL.append(ProcessPoolExecutor(1, mp_context=mproc.get_context("spawn")))
    try:
        v, hit = _POOL[0].submit(_claim_job, claim.source, claim.name, None, 0, True).result()
        cache.REUSED[0] += hit
        return v
    except BrokenProcessPool as exc:
        _POOL.pop().shutdown(cancel_futures=True)
        return _crashed(claim, exc)


def _folders(config) -> list:
    given = [config.invocation_params.dir / d for d in config.getoption("derivations")]
    ini = [p if not isinstance(p, str) else config.rootpath / p for p in config.getini("derivation_paths")]
    return [Path(p).resolve() for p in ini + given]


def _named_on_command_line(config, file_path) -> bool:
    for arg in config.args:
        path = arg.split("::", 1)[0]
        if path.endswith(".py") and (config.invocation_params.dir / path).resolve() == file_path.resolve():
            return True
    return False


def is_derivation(config, file_path) -> bool:
    """A derivation file: a .py in one of the derivation folders, or a file given explicitly."""
    if file_path.suffix != ".py" or file_path.name.startswith("_") or file_path.name == "conftest.py":
        return False
    if file_path.parent.resolve() in _folders(config):
        return True
    if file_path.name.startswith("test_") or not _named_on_command_line(config, file_path):
        return False
    return re.search(r"^@claim\(", file_path.read_text(errors="replace"), re.M) is not None


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """Derivation files are collected once, as claims: the doctest collector would import them a
    second time (and report a broken file twice)."""
    found = yield
    if not is_derivation(parent.config, file_path):
        return found
    found = [c for c in (found or []) if type(c).__name__ != "DoctestModule"
             and not isinstance(c, pytest.Module)]
    return found + [DerivationFile.from_parent(parent, path=file_path)]


class DerivationFile(pytest.File):
    def collect(self):
        try:
            article = load_article(self.path)
        except DerivationError as exc:                 # one failing item; the other files still run
            yield LoadFailure.from_parent(self, name="load", message=str(exc))
            return
        for c in article.claims:
            item = ClaimItem.from_parent(self, name=c.name, claim=c)
            if c.slow:
                item.add_marker(pytest.mark.slow)
            yield item


class LoadFailure(pytest.Item):
    """A derivation file that cannot be loaded: one item that fails with the one-line cause."""

    def __init__(self, *, message, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def runtest(self):
        raise ClaimFailure(self.message)

    def repr_failure(self, excinfo, style=None):
        return self.message if isinstance(excinfo.value, ClaimFailure) else super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"derivation file {self.path.name}"


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.verdict = None

    def runtest(self):
        before = cache.REUSED[0]
        self.verdict = _run(self.claim)
        if cache.REUSED[0] > before:
            self.user_properties.append(("verdict_cached", True))
        self.user_properties.append(("verdict", str(self.verdict.status)))
        if not self.verdict.ok:
            raise ClaimFailure(self.verdict)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return excinfo.value.args[0].message
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.claim.line - 1, f"claim {self.claim.id}"
