"""pytest: every claim of derivations/*.py is a test item, ``derivations/<stem>.py::<name>``."""
from __future__ import annotations

import pytest

from .registry import DerivationError, load_article
from .run import run_claim


class ClaimFailure(Exception):
    """Carries the verdict from runtest to repr_failure."""


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
        self.verdict = run_claim(self.claim)
        self.user_properties.append(("verdict", str(self.verdict.status)))
        if not self.verdict.ok:
            raise ClaimFailure(self.verdict)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return excinfo.value.args[0].message
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.claim.line - 1, f"claim {self.claim.id}"
