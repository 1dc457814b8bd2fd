"""Verdicts -> the text block (pytest and terminal) and Markdown pages. Never re-runs anything."""
from __future__ import annotations

import shutil
from pathlib import Path

import mpmath as mp
import sympy as sp

from numerics.precision import fmt, sci

from .ghmath import display, inline, markdown
from .records import FINDINGS, Claim, Status, Verdict

FINDING_WORDS = {"article-error": "the article's error", "failed-assumption": "an assumption fails",
                 "pitfall": "a pitfall the article avoids", "listing-bug": "a bug in a code listing"}

MAX_LATEX = 700                 # longer expressions are summarised, not printed
KEY_WIDTH = 10


def latex_of(label, lhs, rhs=None, approx: bool = False, rel: str | None = None, prefix: str = "") -> tuple:
    """(label, LaTeX of ``lhs = rhs``), long expressions summarised. The label stays out of the
    math (a ``%`` or ``_`` in a label would break it)."""
    def tex(e):
        if isinstance(e, (mp.mpf, mp.mpc, float, int)):
            return fmt(e, 15)
        e = sp.sympify(e) if not isinstance(e, sp.MatrixBase) else e
        t = sp.latex(e)
        return t if len(t) <= MAX_LATEX else rf"\text{{(an expression of {sp.count_ops(e)} operations)}}"
    rel = rel or (r"\approx" if approx else "=")
    body = prefix + (tex(lhs) if rhs is None else f"{tex(lhs)} {rel} {tex(rhs)}")
    return (str(label), body)


def _kv(key: str, value: str) -> list[str]:
    lines = str(value).splitlines() or [""]
    out = [f"  {key:<{KEY_WIDTH}}: {lines[0]}"]
    out += [" " * (KEY_WIDTH + 4) + ln for ln in lines[1:]]
    return out


def _where(claim: Claim, v: Verdict) -> str:
    bad = next((l for l in v.links if l.status is v.status), None)
    if v.status in (Status.PROVED, Status.CONFIRMED) or bad is None or v.status is Status.ERROR:
        return ""
    total = max(l.index for l in v.links)
    kind = bad.kind
    label = f': "{bad.label}"' if bad.label else ""
    if kind == "step":
        return f" at step {bad.index} of {total}{label}"
    return f" at item {bad.index} of {total}{label}" if total > 1 else f"{label}"


def text_block(claim: Claim, v: Verdict) -> tuple[str, str]:
    """(summary line, full block): the same text for pytest, the terminal and the report."""
    expect = "" if v.ok else f" (expected {claim.expected})"
    if v.ok and claim.expected == "REFUTED":
        expect = f" (expected: {FINDING_WORDS.get(claim.finding, claim.finding)})"
    scope = f"; {v.scope}" if v.scope and v.scope != v.basis else ""
    basis = f" [{v.basis}{scope}]" if v.status in (Status.PROVED, Status.CONFIRMED) else ""
    summary = f"claim {claim.source}::{claim.name} {v.status}{_where(claim, v)}{basis}{expect}"
    if not v.ok and v.problem:
        summary += f": {v.problem}"
    lines = [summary] + _kv("statement", claim.statement)
    if claim.why and claim.expected == "REFUTED":
        lines += _kv("finding", f"{FINDING_WORDS.get(claim.finding, claim.finding)}: {claim.why}")
    if v.scope and v.status not in (Status.PROVED, Status.CONFIRMED):
        lines += _kv("scope", v.scope)
    focus = next((l for l in v.links if l.status is v.status), None)
    if v.status not in (Status.PROVED, Status.CONFIRMED) and focus is not None:
        for key, val in focus.evidence:
            lines += _kv(key, val)
    if len(v.links) > 1 or (v.links and v.status in (Status.PROVED, Status.CONFIRMED)):
        lines += _kv("checks", "\n".join(_link_line(l) for l in v.links))
    for l in v.links:                    # bounds and extrema carry their own evidence, pass or fail
        if l.kind in BOUND_KINDS and l is not focus_shown(v, focus):
            for key, val in l.evidence:
                lines += _kv(f"{l.index}. {key}" if len(v.links) > 1 else key, val)
    if focus is not None and focus.certified and not any(k == "certified" for k, _ in focus.evidence):
        lines += _kv("certified", focus.certified)
    if focus is not None and focus.reproduce:
        lines += _kv("reproduce", focus.reproduce)
    if v.seed is not None:
        lines += _kv("seed", f"{v.seed} (derived from the claim id; dps {','.join(map(str, v.dps))})")
    return summary, "\n".join(lines)


BOUND_KINDS = ("bound", "extremum", "minimax")


def focus_shown(v: Verdict, focus):
    """The link whose evidence the block already printed (that of a verdict that is not a pass)."""
    return focus if v.status not in (Status.PROVED, Status.CONFIRMED) else None


def _link_line(l) -> str:
    dig = f", {l.digits} digits" if l.digits not in (None,) and l.status is not Status.REFUTED else ""
    dig = f", at least {l.digits:g} digits (float64)" if l.floored and dig else dig
    label = f". {l.label}" if l.label else ""
    kind = "step " if l.kind == "step" else ""
    tags = [t for t, on in (("expected REFUTED", l.expect == "REFUTED"), ("consistency check", l.consistency),
                            ("certified", l.certified.startswith("certified"))) if on]
    tag = f" [{', '.join(tags)}]" if tags else ""
    return f"{kind}{l.index}{label}: {l.status} ({l.basis}{dig}){tag}"


# --- Markdown ---------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return inline(str(text)).replace("|", r"\|").replace("\n", " ")


def _verdict_cell(claim: Claim, v: Verdict) -> str:
    if claim.expected == "REFUTED":
        return f"{v.status} (expected)" if v.ok else f"**{v.status}** (expected REFUTED) ✗"
    return str(v.status) if v.ok else f"**{v.status}** ✗"


def claims_table(claims, verdicts) -> list[str]:
    rows = ["| claim | tag | statement | verdict | scope | basis | worst rel. diff | dps |",
            "|---|---|---|---|---|---|---|---|"]
    for c, v in zip(claims, verdicts):
        rel = ("< " if v.floored else "") + sci(v.worst_rel) if v.worst_rel is not None else "–"
        rows.append(f"| [{c.name}](#{_anchor(c.name)}) | {c.tag} | {_cell(c.statement)} | "
                    f"{_verdict_cell(c, v)} | {_cell(v.scope or '–')} | {_cell(_short_basis(v.basis))} | {rel} | "
                    f"{_precision(v)} |")
    return rows


def _short_basis(basis: str) -> str:
    parts = basis.split("; ")
    return basis if len(parts) <= 3 else f"{parts[0]}; ... ({len(parts)} methods, see the claim)"


def _precision(v: Verdict) -> str:
    """The precision the claim was checked at: the agreements' own (float64 or dps), else the ladder."""
    used = sorted({l.precision for l in v.links if l.precision}, key=lambda p: (p != "float64", p))
    if used and all(l.precision for l in v.links):
        return ",".join(used)
    return ",".join(map(str, v.dps))


def findings(claims, verdicts) -> list[str]:
    """The expected-REFUTED claims grouped by kind of finding; only the first kind is the article's fault."""
    out = []
    for kind, title in FINDINGS.items():
        rows = [(c, v) for c, v in zip(claims, verdicts) if c.expected == "REFUTED" and c.finding == kind]
        if not rows:
            continue
        out += [f"## {title}", ""]
        for c, v in rows:
            mark = "" if v.ok else f" (**not as expected: {v.status}**)"
            out.append(f"- [{c.name}](#{_anchor(c.name)}){mark}: {_cell(c.why)}")
        out.append("")
    return out


LEGEND = [
    "## Legend", "",
    "- **Verdicts.** PROVED: SymPy reduced the residual to exactly 0, or an exact decision procedure "
    "(exact arithmetic at random points with its error bound; interval arithmetic over a box) showed "
    "the statement as declared. CONFIRMED: independent numerical evidence at stated precision, or a "
    "statement checked exactly on instances only. REFUTED: a reproducible counterexample (a point, the "
    "values, the difference, re-evaluated by a second route and certified by an enclosure where "
    "possible). INCONCLUSIVE: a timeout, non-convergence, an undecided simplification, a tolerance too "
    "loose to resolve the claim, or consistency checks only; never a pass. ERROR: the claim's code raised.",
    "- **Scope** (what a verdict covers): *in general* (a symbolic reduction or exact decision over the "
    "free symbols and their assumptions); *exact on k instances* (exact evaluation of specific cases of a "
    "general statement); *at points* (numeric evaluation at seeded points); *an estimate* (quadrature, "
    "simulation, fit, with its error); *on a box* (interval arithmetic); *consistency check* (a quantity "
    "compared with itself by the same route: shown, never a confirmation on its own).",
    "- **Kinds of finding** of an expected-REFUTED claim: *the article's error*; *an assumption fails* "
    "(stated or silent); *a pitfall the article avoids* (the article is right, a tempting variant is "
    "wrong); *a bug in a code listing*. Every other link of such a claim must pass.",
    "- **Basis**: the check that decided (e.g. `symbolic (expand)`, `exact random points`, `numeric at "
    "points`, the method of an estimate). **Tag**: the kind of statement (exact, approx, asymptotic, model, "
    "extension, numeric). **Worst rel. diff**: the largest relative difference among the passing checks. "
    "**dps**: the decimal digits of the precision ladder.",
    "- An agreement passes when |obs - exp| <= atol + rtol |exp| + k_sigma error, and decides only when "
    "that tolerance is at most the resolution (10 % by default, or as declared and printed) of |expected| "
    "or of a declared scale.", ""]


def _anchor(name: str) -> str:
    return "claim-" + name.lower().replace("_", "-")


def counts(verdicts) -> dict:
    out = {s: 0 for s in Status}
    for v in verdicts:
        out[v.status] += 1
    return out


def claim_detail(c: Claim, v: Verdict) -> list[str]:
    out = [f'<a id="{_anchor(c.name)}"></a>', f"### {c.name}: {inline(c.statement)}", ""]
    meta = [f"tag **{c.tag}**", f"verdict **{v.status}**" + ("" if v.ok else " (not as expected)")]
    if c.assumptions:
        meta.append("assumes " + "; ".join(c.assumptions))
    if c.expected != "pass":
        meta.append(f"expected {c.expected}")
    out += ["; ".join(meta) + ".", ""]
    if c.why:
        out += [f"{FINDINGS.get(c.finding, 'Finding')}: {inline(c.why)}", ""]
    if v.scope:
        out += [f"Scope: {v.scope}.", ""]
    for item in v.latex:
        label, tex = item if isinstance(item, tuple) else ("", item)
        if label:
            out += [f"*{_cell(label)}*:", ""]
        out += display(tex) + [""]
    if v.links:
        out += [f"- {_cell(_link_line(l))}" for l in v.links] + [""]
    if v.status not in (Status.PROVED, Status.CONFIRMED) or c.expected == "REFUTED" or \
            any(l.kind in BOUND_KINDS for l in v.links):
        out += ["```text", v.message, "```", ""]
    return out


def article_markdown(article, verdicts, sections, versions: str, fig_dir: str) -> str:
    claims = article.claims
    n = counts(verdicts)
    ok = sum(v.ok for v in verdicts)
    lines = [f"# {article.title}", "",
             f"- **Article:** {article.source}" if article.source else "- **Article:** (not given)",
             f"- **Derivation:** `{article.path}`",
             f"- **Checked with:** {versions}. Numeric points are drawn with a seed derived from each claim "
             "id (printed with the claim); Monte Carlo estimates print their own seed.", "",
             markdown(article.summary), ""]
    lines += _sections([s for s in sections if s.order < 0], fig_dir)
    lines += ["## Claims", "", f"{len(claims)} claims; {ok} meet their expectation. " +
              ", ".join(f"{s}: {k}" for s, k in n.items() if k) + ".", ""]
    lines += claims_table(claims, verdicts) + [""] + findings(claims, verdicts) + ["## Claims in detail", ""]
    for c, v in zip(claims, verdicts):
        lines += claim_detail(c, v)
    lines += _sections([s for s in sections if s.order >= 0], fig_dir)
    lines += _strictness(article.stem, fig_dir) + LEGEND
    return "\n".join(lines).rstrip() + "\n"


def _sections(sections, fig_dir) -> list[str]:
    lines = []
    for s in sections:
        lines += [f"## {s.title}", "", markdown(s.markdown.strip()), ""]
        lines += [f"![{name}]({fig_dir}/{name})" for name, _ in s.figures]
        if s.figures:
            lines.append("")
    return lines


def _strictness(stem: str, fig_dir: str) -> list[str]:
    """'How strict are these checks', from the last `derivcheck mutate` run kept beside the reports."""
    try:
        from .mutate import strictness_markdown
    except ImportError:
        return []
    try:
        md = strictness_markdown(stem, Path("reports"))
    except Exception as exc:
        md = f"The mutation record could not be read: {type(exc).__name__}: {exc}"
    if md and not md.lstrip().startswith("## "):
        md = "## How strict are these checks\n\n" + md
    return [md.strip(), ""] if md else []


INDEX_HEAD = ["# derivcheck reports", "",
              "One page per article; every claim with its verdict and evidence. Generated by "
              "`derivcheck report`; do not edit by hand.", "",
              "| article | claims | PROVED | CONFIRMED | REFUTED | INCONCLUSIVE | ERROR | as expected "
              "| mutation score |",
              "|---|---|---|---|---|---|---|---|---|"]


def index_row(r) -> str:
    n = counts(r.verdicts)
    ok = sum(v.ok for v in r.verdicts)
    try:
        from .mutate import mutation_score
        score = mutation_score(r.article.stem, Path("reports")) or "–"
    except ImportError:
        score = "–"
    return (f"| [{_cell(r.article.title)}]({r.article.stem}.md) | {len(r.verdicts)} | "
            + " | ".join(str(n[s]) for s in Status) + f" | {ok}/{len(r.verdicts)} | {score} |")


def index_markdown(results, old: str | None = None, order=None) -> str:
    """The index; with ``old`` (the index as it was) the rows of articles not in ``results`` are
    kept, so a partial run updates only its own rows."""
    from .project import merge_index_rows
    new = {r.article.stem: index_row(r) for r in results}
    if old is None:
        rows = list(new.values())
    else:
        rows = merge_index_rows(old, new, list(order or new))
    return "\n".join(INDEX_HEAD + rows) + "\n"


def versions() -> str:
    import matplotlib
    import numpy
    from . import kernels
    return (f"SymPy {sp.__version__}, mpmath {mp.__version__} (backend {mp.libmp.BACKEND}), "
            f"NumPy {numpy.__version__}, Matplotlib {matplotlib.__version__}; {kernels.status()}")


def write_report(results, out: Path, index: bool = True, partial_order=None) -> list[Path]:
    """Write one page per article (and the index); figures go to ``figures/<stem>/``. With
    ``partial_order`` (the stems of every article of the project) the index keeps the rows of the
    articles not in ``results``. Returns every file written, figures included."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for r in results:
        fig_dir = out / "figures" / r.article.stem
        if fig_dir.exists():
            shutil.rmtree(fig_dir)
        for s in r.sections:
            for name, fig in s.figures:
                fig_dir.mkdir(parents=True, exist_ok=True)
                (fig_dir / name).write_bytes(fig if isinstance(fig, bytes) else figure_bytes(fig))
                written.append(fig_dir / name)
        page = out / f"{r.article.stem}.md"
        page.write_text(article_markdown(r.article, r.verdicts, r.sections, versions(),
                                         f"figures/{r.article.stem}"))
        written.append(page)
    if index:
        old = None
        if partial_order is not None and (out / "README.md").exists():
            old = (out / "README.md").read_text()
        (out / "README.md").write_text(index_markdown(results, old, partial_order))
        written.append(out / "README.md")
    return written


FIGURE_DPI, FIGURE_PAD, _MARGIN = 110, 0.1, 1.0         # dots per inch; pad and margin in inches


def _off_pixel_edges(fig, wpx: float, hpx: float) -> None:
    """Move every axes edge to a quarter pixel (by less than a pixel). An edge exactly on a pixel
    boundary is snapped to one pixel or the next by the last bit of a transform (the spine and the
    ticks there move when another BLAS composes the affine matrices)."""
    import math
    for ax in fig.axes:
        p = ax.get_position()
        x0, x1 = ((math.floor(v * wpx) + 0.25) / wpx for v in (p.x0, p.x1))
        y0, y1 = ((math.floor(v * hpx) + 0.25) / hpx for v in (p.y0, p.y1))
        ax.set_position([x0, y0, x1 - x0, y1 - y0])


def figure_bytes(fig) -> bytes:
    """Deterministic PNG bytes of the figure cropped to its artists plus FIGURE_PAD inches (what
    ``savefig(bbox_inches="tight")`` gives) from a single draw: the canvas first grows by a margin
    on every side with the axes kept in place, so labels that stick out are drawn, then the pixels
    are cropped. No software tag; the figure is closed afterwards."""
    import io
    import math

    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    from .figures import stabilise
    stabilise(fig)                       # data rounded far below a pixel, before the layout is drawn
    W, H = fig.get_size_inches()
    w, h = W + 2 * _MARGIN, H + 2 * _MARGIN
    for ax in fig.axes:
        p = ax.get_position()
        ax.set_position([(p.x0 * W + _MARGIN) / w, (p.y0 * H + _MARGIN) / h, p.width * W / w, p.height * H / h])
    fig.set_size_inches(w, h)
    fig.set_dpi(FIGURE_DPI)
    _off_pixel_edges(fig, w * FIGURE_DPI, h * FIGURE_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer()).padded(FIGURE_PAD)
    buf = io.BytesIO()
    if box.x0 < 0 or box.y0 < 0 or box.x1 > w or box.y1 > h:      # beyond the margin: let savefig crop
        fig.savefig(buf, format="png", dpi=FIGURE_DPI, bbox_inches="tight", metadata={"Software": None})
    else:
        img = np.asarray(canvas.buffer_rgba())
        rows = img.shape[0]
        c0, c1 = math.floor(box.x0 * FIGURE_DPI), math.ceil(box.x1 * FIGURE_DPI)
        r0, r1 = rows - math.ceil(box.y1 * FIGURE_DPI), rows - math.floor(box.y0 * FIGURE_DPI)
        Image.fromarray(img[max(r0, 0):r1, max(c0, 0):c1]).save(buf, format="png", dpi=(FIGURE_DPI, FIGURE_DPI))
    plt.close(fig)
    return buf.getvalue()


def render_figures(sections) -> tuple:
    """The sections with their figures rendered to PNG bytes (picklable, and the memory freed)."""
    from dataclasses import replace
    return tuple(replace(s, figures=tuple((n, f if isinstance(f, bytes) else figure_bytes(f)) for n, f in s.figures))
                 for s in sections)
