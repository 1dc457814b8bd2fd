r"""Math that renders on GitHub: Markdown eats a backslash before ASCII punctuation (`\{` becomes
`{`) before the math renderer sees it, so sets lose their braces and matrices their rows.

- inline math ``$...$`` is rewritten with command words instead (`\lbrace`, `\rbrace`,
  `\thinspace`, `\Vert`, `\cr`, ...), which Markdown leaves alone;
- display math ``$$...$$`` becomes a fenced ```` ```math ```` block, which Markdown does not touch.

>>> inline(r"the set $\{x\,:\,\|x\|\le1\}$")
'the set $\\lbrace x\\thinspace :\\thinspace \\Vert x\\Vert \\le1\\rbrace $'
"""
from __future__ import annotations

import re

_WORDS = {"{": r"\lbrace ", "}": r"\rbrace ", ",": r"\thinspace ", ";": r"\thickspace ",
          ":": r"\medspace ", "!": r"\negthinspace ", "|": r"\Vert ", "\\": r"\cr ", "_": r"\_",
          "%": r"\%", "&": r"\&", "#": r"\#", " ": r"\space "}
_ESCAPE = re.compile(r"\\([{},;:!|\\ ])")
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$(?!\$)", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)


def _words(math: str) -> str:
    return _ESCAPE.sub(lambda m: _WORDS[m.group(1)], math)


def inline(text: str) -> str:
    """Every ``$...$`` span of ``text`` with escaped punctuation spelled as command words."""
    return _INLINE.sub(lambda m: "$" + _words(m.group(1)) + "$", text)


def display(tex: str) -> list[str]:
    """A display formula as the lines of a ```math block."""
    return ["```math", tex.strip(), "```"]


def markdown(md: str) -> str:
    """Markdown written by an article's section: display math fenced, inline math rewritten;
    code blocks are left as they are."""
    parts = re.split(r"(^```.*?^```[ \t]*$)", md, flags=re.S | re.M)
    out = []
    for k, part in enumerate(parts):
        if k % 2:                                        # a fenced code block
            out.append(part)
            continue
        part = _DISPLAY.sub(lambda m: "\n" + "\n".join(display(m.group(1))) + "\n", part)
        out.append(inline(part))
    return "".join(out)


def unsafe_spans(page: str) -> list[str]:
    """Inline math spans outside code blocks that still hold a backslash before punctuation
    (table cells may hold an escaped pipe ``\\|``, which GitHub's table syntax needs)."""
    text = re.sub(r"^```.*?^```[ \t]*$", "", page, flags=re.S | re.M)
    bad = []
    for m in _INLINE.finditer(text):
        if re.search(r"\\[{},;:!\\]", m.group(1)) or re.search(r"(?<!\\)\\\\\|", m.group(1)):
            bad.append(m.group(0))
    return bad
