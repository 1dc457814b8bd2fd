"""Where the project is, and loading many derivation files where one bad file stops nothing.

The project root is the nearest folder, from the working directory upwards, that holds a
``derivations/`` folder (or the one given with ``--root``). Commands run from there, so paths in
reports and reproduce lines are the same wherever they were started.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

from .registry import DerivationError, load_article

DERIVATIONS = "derivations"


class NoProject(Exception):
    """No derivations/ folder in the working directory or above it."""


def find_root(start: Path | None = None, given: Path | None = None) -> Path:
    """The project root: ``given`` (which must hold derivations/), else the nearest folder upwards."""
    if given is not None:
        root = Path(given).resolve()
        if not (root / DERIVATIONS).is_dir():
            raise NoProject(f"--root {given}: no {DERIVATIONS}/ folder there")
        return root
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DERIVATIONS).is_dir():
            return folder
    raise NoProject(f"no {DERIVATIONS}/ folder in {here} or above it: run inside a derivcheck "
                    "project, or give --root DIR")


@dataclass(frozen=True)
class LoadError:
    path: str
    message: str                 # one line: the file and the cause
    trace: str = ""              # the traceback of the cause (printed with --debug)


def load_all(paths) -> tuple[list, list[LoadError]]:
    """(articles, load errors): every file that loads is returned, each that does not is one error."""
    arts, errors = [], []
    for p in paths:
        try:
            arts.append(load_article(p))
        except DerivationError as exc:
            cause = exc.__cause__ or exc
            trace = "".join(traceback.format_exception(cause))
            errors.append(LoadError(str(p), str(exc), trace))
    return arts, errors


def merge_index_rows(old_index: str, new_rows: dict, order: list[str]) -> list[str]:
    """Rows of the index table for every article: the new rows for the articles just run, the
    old rows (kept as they were) for the others, in the order of ``order`` (article stems)."""
    old = {}
    for line in old_index.splitlines():
        if line.startswith("| [") and "](" in line:
            stem = line.split("](", 1)[1].split(".md)", 1)[0]
            old[stem] = line
    rows = {**old, **new_rows}
    return [rows[s] for s in order if s in rows] + [rows[s] for s in sorted(rows) if s not in order]
