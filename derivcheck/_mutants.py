"""Mutation sites of a claim: which tokens of its source to change, and the mutated file's bytes.

A site is one small change (a numeric literal, a ``+``/``-``, a unary minus, an exponent) found
with ``ast`` in the claim's function and in the module-level names and helper functions it reads;
the change is spliced into the file's bytes at the node's position, so every other byte (and every
line number) stays as it was. Labels, seeds, tolerances, precisions and sizes are never changed.
A source comment on the changed line, ``# mutate: equivalent (reason)`` or ``# mutate: skip
(reason)``, declares a site and keeps it from running.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

# Keyword arguments that set how a claim is checked, never what it states.
KEEP_KEYWORDS = {"rtol", "atol", "k_sigma", "dps", "seed", "n", "label", "resolution", "scale", "max_error",
                 "size", "shape", "count", "batches", "points", "timeout", "limit", "tol", "maxdegree",
                 "maxsteps", "extraprec", "extradps", "maxprec", "maxterms", "figsize", "expect",
                 "consistency", "num", "repeat", "samples", "workers", "chunk", "prec", "error", "method",
                 "digits"}
# Calls whose arguments are precisions, seeds, sizes or formatting.
KEEP_CALLS = {"workdps", "workprec", "extradps", "extraprec", "default_rng", "RandomState", "seed", "range",
              "enumerate", "zeros", "ones", "empty", "full", "arange", "linspace", "logspace", "reshape",
              "nstr", "round", "format", "subplots", "figure", "lru_cache", "cache", "normal",
              "standard_normal", "uniform", "integers", "choice", "permutation", "random", "symbols",
              "from_samples", "from_series", "set", "plot", "loglog", "bar", "step", "hist", "text"}
KEEP_NAMES = re.compile(r"(?i)(tol|seed|dps|prec|count|size|samples|batch|resolution|limit|"
                        r"timeout|repeat|steps|k_sigma|^n$|^n_|_n$|^n\d*$)")
SHAPES = re.compile(r"(?i)(matrix|eye|zeros|ones|empty|full|symarray)")   # their int arguments are sizes
MARK = re.compile(r"#\s*mutate:\s*(equivalent|skip)\b\s*(?:\((.*)\))?")
KINDS = ("literal", "sign", "unary", "exponent")


@dataclass(frozen=True)
class Site:
    """One mutation: bytes [start, end) of the file become ``new``."""

    line: int                  # the line the change is on
    kind: str                  # "literal", "sign", "unary", "exponent"
    start: int
    end: int
    new: bytes
    what: str                  # "0.3 -> 0.303", "+ -> -"
    change: float | None       # the relative size of a literal's change
    tier: int                  # 0 article's side, 1 names it reads, 2 rest of the claim, 3 names that
                               # reads, 4 integer arguments >= 20 (precisions, counts)
    where: str                 # "claim body", "module name R", "helper branches"
    mark: tuple = ()           # ("equivalent"|"skip", reason) from a source comment


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


class Finder:
    """Walks a subtree and records sites, skipping what the module docstring says is kept."""

    def __init__(self, src: "Source", tier_of):
        self.src, self.tier_of, self.out = src, tier_of, []

    def walk(self, node, where: str):
        self.where = where
        self._visit(node)

    def _visit(self, node):
        if isinstance(node, (ast.JoinedStr, ast.Raise, ast.Assert)):
            return
        if isinstance(node, ast.If) and any(isinstance(n, ast.Raise) for n in node.body):
            return [self._visit(stmt) for stmt in node.orelse]    # an argument check: not a statement
        if isinstance(node, ast.Subscript):              # indices are positions, not statements
            return self._visit(node.value)
        if isinstance(node, ast.Call):
            name = _callee(node)
            self._visit(node.func)
            if name in KEEP_CALLS:
                return
            for i, arg in enumerate(node.args):
                if name == "Estimate" and i >= 1 or SHAPES.search(name) and isinstance(arg, ast.Constant) \
                        or _size(arg):
                    continue                             # error, method, dps, n, seed; sizes
                if isinstance(arg, ast.Constant) and type(arg.value) is int and arg.value >= 20 \
                        and name not in _ARTICLE_SIDE and name != "chain":
                    self._sites(arg, last=True)          # most likely a precision or a count: last
                else:
                    self._visit(arg)
            for kw in node.keywords:
                if kw.arg not in KEEP_KEYWORDS:
                    self._visit(kw.value)
            return
        if isinstance(node, ast.keyword) and node.arg in KEEP_KEYWORDS:
            return
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(KEEP_NAMES.search(n.id) for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)):
                return
        if isinstance(node, ast.BinOp) and any(isinstance(o, ast.Name) and KEEP_NAMES.search(o.id) for o in (
                _names(node.right) if isinstance(node.op, ast.Pow) else (node.left, node.right))):
            return                                       # dps + 10, 10**-(dps - 5)
        if _size(node):                                  # 20_000, 10**6, 2**16: sample sizes
            return
        if isinstance(node, ast.FunctionDef):            # a helper: its body, not its decorators
            for stmt in node.body:
                self._visit(stmt)
            return
        self._sites(node)
        for child in ast.iter_child_nodes(node):
            self._visit(child)

    def _sites(self, node, last: bool = False):
        src, self.last = self.src, last
        if isinstance(node, ast.Constant) and type(node.value) in (int, float, complex):
            for new, what, change in _literal(node.value):
                self._add(node, "literal", src.span(node), new, what, change)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            at = src.operator(node.left, node.right, "+-")
            if at is not None:
                old = "+" if isinstance(node.op, ast.Add) else "-"
                new = "-" if old == "+" else "+"
                self._add(node, "sign", (at, at + 1), new, f"{old} -> {new}", None, src.line_of(at))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            s, _ = src.span(node)
            self._add(node, "unary", (s, s + 1), "", f"-{_short(src.text(node.operand))} -> "
                      f"{_short(src.text(node.operand))}", None)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            r = node.right
            if isinstance(r, ast.Constant) and type(r.value) is int:
                new, what = str(r.value + 1), f"**{r.value} -> **{r.value + 1}"
            else:
                old = src.text(r)
                new, what = f"({old} + 1)", f"**{_short(old)} -> **({_short(old)} + 1)"
            self._add(r, "exponent", src.span(r), new, what, None)

    def _add(self, node, kind, span, new, what, change, line=None):
        line = line or node.lineno
        self.out.append(Site(line, kind, span[0], span[1], new.encode(), what, change,
                             4 if self.last else self.tier_of(node), self.where, self.src.marks.get(line, ())))


def _size(node) -> bool:
    if isinstance(node, ast.Constant):
        return type(node.value) is int and node.value >= 1000
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.left, ast.Constant)
            and node.left.value in (2, 10) and isinstance(node.right, ast.Constant)
            and type(node.right.value) is int and node.right.value >= 3)


def _names(node):
    return [n for n in ast.walk(node) if isinstance(n, ast.Name)]


def _short(text: str, width: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _literal(v):
    """(replacement text, description, relative change) for a numeric literal."""
    if type(v) is int:
        return [(str(v + 1), f"{v} -> {v + 1}", 1 / abs(v) if v else None)]
    out = []
    for f in (1.01, 1.2):
        nv = v * f if v else (0.01 if f == 1.01 else 0.2)
        text = repr(float(f"{nv:.12g}")) if type(v) is float else repr(complex(f"{nv:.12g}"))
        out.append((text, f"{v!r} -> {text}", f - 1 if v else None))
    return out


class Source:
    """A file's bytes with ast positions (UTF-8 byte columns) turned into byte offsets."""

    def __init__(self, data: bytes):
        self.data = data
        self.starts, pos = [0], 0
        for ln in data.splitlines(keepends=True):
            pos += len(ln)
            self.starts.append(pos)
        self.tree = ast.parse(data)
        self.marks = {}
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            m = tok.type == tokenize.COMMENT and MARK.search(tok.string)
            if m:
                self.marks[tok.start[0]] = (m.group(1), (m.group(2) or "").strip())

    def span(self, node) -> tuple[int, int]:
        return (self.starts[node.lineno - 1] + node.col_offset,
                self.starts[node.end_lineno - 1] + node.end_col_offset)

    def text(self, node) -> str:
        s, e = self.span(node)
        return self.data[s:e].decode()

    def line_of(self, offset: int) -> int:
        return next(i for i, s in enumerate(self.starts) if s > offset)

    def operator(self, left, right, chars: str):
        """The byte offset of the operator between two operands (past parentheses and comments)."""
        s, e = self.span(left)[1], self.span(right)[0]
        k = s
        while k < e:
            ch = chr(self.data[k])
            if ch == "#":
                k = self.data.find(b"\n", k, e)
                if k < 0:
                    return None
            elif ch in chars:
                return k
            k += 1
        return None

    def line(self, n: int) -> str:
        return self.data[self.starts[n - 1]:self.starts[n]].decode().rstrip("\r\n")


_ARTICLE_SIDE = {"identity": (1, "rhs"), "agrees": (1, "expected"), "bound": (1, "rhs"),
                 "extremum": (None, "value")}


def _article_side(fn: ast.FunctionDef) -> list:
    """The subtrees holding what the article states: rhs, expected value, chain steps after the first."""
    out = []
    for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
        name = _callee(call)
        if name == "chain":
            for arg in call.args[1:]:
                out.append(arg.elts[1] if isinstance(arg, ast.Tuple) and len(arg.elts) == 2 else arg)
        elif name in _ARTICLE_SIDE:
            pos, kw = _ARTICLE_SIDE[name]
            if pos is not None and len(call.args) > pos:
                out.append(call.args[pos])
            out += [k.value for k in call.keywords if k.arg in (kw, "at")]
    return out


def _loads(nodes) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _locals(fn: ast.FunctionDef, loops: bool = True) -> dict:
    """Local name -> the values assigned to it in the function (assignments, and loop targets:
    the instances a claim iterates over, which ``loops=False`` leaves out)."""
    out = {}
    for node in ast.walk(fn):
        pairs = ([(t, node.value) for t in node.targets] if isinstance(node, ast.Assign) else
                 [(node.target, node.iter)] if loops and isinstance(node, (ast.For, ast.comprehension)) else
                 [(node.optional_vars, node.context_expr)] if isinstance(node, ast.withitem) and node.optional_vars else [])
        for target, value in pairs:
            for n in ast.walk(target):
                if isinstance(n, ast.Name):
                    out.setdefault(n.id, []).append(value)
    return out


def _definitions(tree: ast.Module) -> dict:
    """Module-level name -> the statements defining it (assignments, helper functions)."""
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            if not any(isinstance(d, ast.Call) and _callee(d) in ("claim", "section") for d in stmt.decorator_list):
                out.setdefault(stmt.name, []).append(stmt)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        out.setdefault(n.id, []).append(stmt)
    return out


def _closure(names: set, defs: dict, seen: set) -> list:
    """The definitions reached from ``names``, transitively, each once (in file order)."""
    todo, found = sorted(names), []
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        for stmt in defs[name]:
            found.append((name, stmt))
            todo += sorted(_loads([stmt]) - seen)
    return sorted(found, key=lambda p: p[1].lineno)


def find_function(tree: ast.Module, line: int):
    """The FunctionDef whose first line (its first decorator's, if any) is ``line``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            if line in (first, node.lineno):
                return node
    return None


def claim_sites(data: bytes, line: int) -> tuple[list[Site], "Source"]:
    """Every mutation site of the claim defined at ``line`` of the file ``data``, best first."""
    src = Source(data)
    fn = find_function(src.tree, line)
    if fn is None:
        return [], src
    side = _article_side(fn)
    local, assigned = _locals(fn), _locals(fn, loops=False)
    side_names, todo = set(), sorted(_loads(side))
    while todo:                                       # local names the article's side is built from
        name = todo.pop()
        if name not in side_names:
            side_names.add(name)
            todo += sorted(_loads(assigned.get(name, [])) - side_names)
    marked = {id(n) for root in side + [v for k in side_names for v in assigned.get(k, [])] for n in ast.walk(root)}
    finder = Finder(src, lambda node: 0 if id(node) in marked else 2)
    finder.walk(fn, "claim body")
    defs, seen = _definitions(src.tree), set(local) | {a.arg for a in fn.args.args}
    for tier, names in ((1, side_names), (3, _loads([fn]))):
        for name, stmt in _closure(names - set(local), defs, seen):
            finder.tier_of = lambda node, t=tier: t
            kind = "helper" if isinstance(stmt, ast.FunctionDef) else "module name"
            finder.walk(stmt, f"{kind} {name}")
    return unique(finder.out), src


def unique(sites: list[Site]) -> list[Site]:
    """The sites, each change once (an exponent literal is found twice), best first."""
    kept = {}
    for s in sites:
        kept.setdefault((s.start, s.end, s.new), s)
    return order(list(kept.values()))


def order(sites: list[Site]) -> list[Site]:
    """Best first: by tier; within a tier the kinds take turns and the lines take turns."""
    rank, seen = {}, {}
    for s in sorted(sites, key=lambda s: (s.tier, s.start, s.new)):
        key = (s.tier, s.kind)
        rank[s] = seen[key] = seen.get(key, -1) + 1
    first = sorted(sites, key=lambda s: (s.tier, rank[s], KINDS.index(s.kind), s.start, s.new))
    turn, seen = {}, {}
    for s in first:
        key = (s.tier, s.line)
        turn[s] = seen[key] = seen.get(key, -1) + 1
    return sorted(first, key=lambda s: (s.tier, turn[s]))      # stable: keeps the kinds' turns


def apply(data: bytes, site: Site) -> bytes:
    return data[:site.start] + site.new + data[site.end:]
