"""Report sections an article adds: run them, and check what they return.

A section function returns one of:

- ``"markdown"``;
- ``("markdown", figures)`` where ``figures`` is a list (or tuple) of matplotlib Figures, of
  PNG bytes, or of ``(name, figure)`` pairs. A Figure without a name is saved as
  ``<function name>-<k>.png``; a name without an extension gets ``.png``.

>>> def gaps():
...     return "The gap", []
>>> validate("Gaps", gaps, gaps())
('The gap', ())

Anything else, or a section that raises, becomes a one-line error naming the section; the page
shows the error in place of the section and the command exits 1.
"""
from __future__ import annotations

import re

from .records import Section

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class SectionError(Exception):
    """A section that raised or returned something the report cannot use."""


def _is_figure(obj) -> bool:
    return isinstance(obj, bytes) or (hasattr(obj, "savefig") and hasattr(obj, "axes"))


def validate(title: str, fn, res):
    """(markdown, ((name, figure), ...)) from a section's return value, or SectionError."""
    where = f"section {title!r} ({getattr(fn, '__name__', fn)})"
    if isinstance(res, str):
        return res, ()
    if not (isinstance(res, tuple) and len(res) == 2 and isinstance(res[0], str)):
        raise SectionError(f"{where} returned {type(res).__name__}: return markdown, or "
                           "(markdown, [figure or (name, figure), ...])")
    md, figs = res
    if _is_figure(figs):
        figs = [figs]
    if not isinstance(figs, (list, tuple)):
        raise SectionError(f"{where}: the figures are a {type(figs).__name__}, not a list")
    out, seen = [], set()
    for k, item in enumerate(figs, 1):
        name, fig = item if isinstance(item, tuple) and len(item) == 2 else (None, item)
        if not _is_figure(fig):
            raise SectionError(f"{where}: figure {k} is a {type(fig).__name__}, not a matplotlib "
                               "Figure or PNG bytes")
        name = name or f"{getattr(fn, '__name__', 'figure')}-{k}.png"
        if not isinstance(name, str) or not _NAME.match(name):
            raise SectionError(f"{where}: figure name {name!r} must be letters, digits, '.', '-' or '_'")
        if "." not in name:
            name += ".png"
        if not name.endswith(".png"):
            raise SectionError(f"{where}: figure {name!r} must be a .png (figures are saved as PNG)")
        if name in seen:
            raise SectionError(f"{where}: two figures are named {name!r}")
        seen.add(name)
        out.append((name, fig))
    return md, tuple(out)


def run_sections(article) -> tuple[tuple[Section, ...], list[str]]:
    """The article's sections, and one line per section that failed (the others still run)."""
    out, errors = [], []
    for order, title, fn in article.sections:
        try:
            md, figs = validate(title, fn, fn())
        except SectionError as exc:
            errors.append(f"{article.path}: {exc}")
            md, figs = f"**This section could not be shown:** {exc}", ()
        except Exception as exc:
            errors.append(f"{article.path}: section {title!r} raised {type(exc).__name__}: {exc}")
            md, figs = f"**This section could not be computed:** `{type(exc).__name__}: {exc}`", ()
        out.append(Section(title, md, figs, order))
    return tuple(out), errors
