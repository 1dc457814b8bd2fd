"""The command line: list, verify, check, report, new, mutate, bench.

Exit 0: every claim met its expectation; 1: a claim did not, a file could not be loaded or a
section failed; 2: a usage error (an unknown selector, a path that does not exist, a bad --at).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from .commands import UsageError, cmd_check, cmd_list, cmd_report, cmd_verify
from .pin import AtError
from .project import NoProject, find_root
from .registry import DerivationError


def _dps(text: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dps {text!r}: give integers such as 30,60") from None
    if not vals or any(v <= 5 for v in vals):
        raise argparse.ArgumentTypeError(f"--dps {text!r}: every precision must be above 5 digits")
    return vals


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand."""
    c = argparse.ArgumentParser(add_help=False)
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="print tracebacks (of the checker, and of a claim that raises)")
    c.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                   help="the project folder (holding derivations/); default: found from here upwards")
    c.add_argument("--no-cache", action="store_true", default=argparse.SUPPRESS,
                   help="recompute every verdict (default: reuse verdicts whose inputs are unchanged)")
    return c


def _parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version
    try:
        ver = version("derivcheck")
    except PackageNotFoundError:
        ver = "unknown"
    common = _common()
    p = argparse.ArgumentParser(prog="derivcheck", description=__doc__, parents=[common],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"derivcheck {ver}")
    sub = p.add_subparsers(dest="cmd", required=True)
    _add = sub.add_parser
    sub.add_parser = lambda *a, **k: _add(*a, parents=[common], **k)     # --debug/--root anywhere
    sub.add_parser("list", help="list articles and their claims")
    for name, helptext in (("verify", "verify articles or claims of derivations/"),
                           ("check", "verify derivation files anywhere (PATH or PATH::claim)")):
        v = sub.add_parser(name, help=helptext)
        v.add_argument("targets", nargs="*" if name == "verify" else "+",
                       help="article stems or claim ids" if name == "verify" else "paths")
        v.add_argument("--json", type=Path, help="write one record per claim to this file")
        v.add_argument("--dps", type=_dps, help="precision ladder, e.g. 30,60")
        v.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
        v.add_argument("--slow", action=argparse.BooleanOptionalAction, default=True,
                       help="include claims marked slow (default: yes)")
        v.add_argument("--strict", action="store_true",
                       help="a REFUTED identity must be certified (an enclosure excluding 0) or exact")
        v.add_argument("--jobs", "-j", type=_jobs, default=1, help="worker processes (default 1: serial)")
        if name == "check":
            v.add_argument("--at", help="evaluate identities at this point only: p=1,q=0")
            v.add_argument("--sections", action="store_true",
                           help="also run the report sections (without writing a report)")
    r = sub.add_parser("report", help="regenerate the Markdown reports")
    r.add_argument("targets", nargs="*", help="article stems or derivation file paths")
    r.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    r.add_argument("--jobs", "-j", type=_jobs, default=os.cpu_count() or 1,
                   help="worker processes, one article each (default: the number of CPUs)")
    n = sub.add_parser("new", help="scaffold derivations/NAME.py: a derivation module that passes as generated")
    n.add_argument("name", help="module name (letters, digits, _), e.g. my_article")
    n.add_argument("--dir", type=Path, default=Path("derivations"), help="folder (default derivations/)")
    b = sub.add_parser("bench", help="measure timings and cost growth; writes reports/performance.md")
    b.add_argument("--repeat", type=_jobs, default=5, help="runs per engine timing (median, default 5)")
    b.add_argument("--suite-repeat", type=_jobs, default=3, help="runs per suite timing (median, default 3)")
    b.add_argument("--skip-suite", action="store_true",
                   help="engines only: leave out the suite timings, the mutation run and the claim profile")
    m = sub.add_parser("mutate", help="mutation testing: does each claim see a change of its own source?")
    m.add_argument("targets", nargs="*", help="article stems, claim ids or derivation file paths")
    m.add_argument("--max-per-claim", type=_jobs, default=3, help="mutants per claim (default 3)")
    m.add_argument("--jobs", "-j", type=_jobs, default=1, help="worker processes (default 1)")
    m.add_argument("--json", type=Path, help="write every mutant and its outcome to this file")
    m.add_argument("--out", type=Path, default=None,
                   help="folder of the per-article records the report pages read (default reports/mutation)")
    m.add_argument("--engines", action="store_true",
                   help="also mutate the numerics/ functions the claims reach, run against those claims")
    return p


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"--jobs {text!r}: give a positive integer")
    return n


def fix_hash_seed() -> None:
    """Re-run this command with PYTHONHASHSEED=0 when hashing is randomised: SymPy's heuristics
    (``simplify``) can depend on the iteration order of sets, so a verdict could depend on the
    process. Every command runs with the same hash seed on every machine."""
    if sys.flags.hash_randomization and os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-m", "derivcheck", *sys.argv[1:]])


def main(argv=None) -> int:
    if argv is None:
        fix_hash_seed()
    try:
        return _main(argv)
    except BrokenPipeError:                       # `derivcheck list | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


_DEFAULTS = {"json": None, "out": Path("reports"), "dir": Path("derivations")}


def _typed_here(t: str) -> str:
    """A path (or path::claim) the user typed, made absolute where it was typed."""
    path, sep, name = t.partition("::")
    if path.endswith(".py") and not Path(path).is_absolute():
        return str(Path.cwd() / path) + sep + name
    return t


def _enter_project(args) -> None:
    """Run from the project root, the paths the user typed kept as meant; ``check`` of explicit
    files and ``new`` also work outside any project."""
    for name, default in _DEFAULTS.items():
        val = getattr(args, name, None)
        if isinstance(val, Path) and val != default and not val.is_absolute():
            setattr(args, name, Path.cwd() / val)
    if getattr(args, "targets", None):
        args.targets = [_typed_here(t) for t in args.targets]
    try:
        root = find_root(given=getattr(args, "root", None))
    except NoProject:
        if args.cmd in ("check", "new") and getattr(args, "root", None) is None:
            return
        raise
    os.chdir(root)


def _main(argv=None) -> int:
    args = _parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    if debug:
        os.environ["DERIVCHECK_DEBUG"] = "1"
    if getattr(args, "no_cache", False):
        os.environ["DERIVCHECK_NO_CACHE"] = "1"
    from . import cache
    cache.REUSED[0] = 0
    t0 = time.perf_counter()
    try:
        _enter_project(args)
        if args.cmd == "list":
            return cmd_list(args)
        if args.cmd == "verify":
            return cmd_verify(args)
        if args.cmd == "check":
            return cmd_check(args)
        if args.cmd == "new":
            return _new(args)
        if args.cmd == "mutate":
            from .mutate import main as mutate_main
            return mutate_main(args)
        if args.cmd == "bench":
            from .bench import main as bench_main
            return bench_main(["--repeat", str(args.repeat), "--suite-repeat", str(args.suite_repeat)]
                              + (["--skip-suite"] if args.skip_suite else []))
        return cmd_report(args, t0)
    except (UsageError, AtError, NoProject) as exc:
        print(f"derivcheck: error: {exc}", file=sys.stderr)
        return 2
    except DerivationError as exc:
        if debug:
            traceback.print_exc()
        print(f"derivcheck: error: {exc}", file=sys.stderr)
        return 1


_TEMPLATE = '''r"""{title}

Article: <Author>, "<Title>" (<year>), <url>

What the article derives, in two or three sentences; which steps are exact, which approximate.
"""
import mpmath as mp
import sympy as sp

from derivcheck import Estimate, agrees, bound, chain, claim, identity

x = sp.Symbol("x", real=True)            # symbols as the article prints them, assumptions at creation
t = sp.Symbol("t", positive=True)


@claim("eq1", r"$(x+t)^2=x^2+2tx+t^2$, typed step by step as printed")
def eq1():
    return chain(("the square", (x + t) ** 2),
                 ("expanded as printed", x**2 + 2 * t * x + t**2))


@claim("eq2-quad", r"$\\int_0^1 x^2\\,dx=1/3$ by quadrature (an independent numeric route)", tag="numeric", dps=(30, 60))
def eq2_quad(dps):
    with mp.workdps(dps):
        value, err = mp.quad(lambda v: v**2, [0, 1], error=True)
        return agrees(Estimate(value, err, "tanh-sinh quadrature", dps), mp.mpf(1) / 3,
                      atol=mp.mpf(10) ** -(dps - 5))


@claim("ineq3", r"$e^x \\ge 1 + x$ for every real $x$, with equality at $x = 0$")
def ineq3():
    return bound(1 + x, sp.exp(x), tight=({{x: 0}},))   # interval branch and bound; tails exact
'''


def _new(args) -> int:
    import re
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", args.name):
        print(f"derivcheck: error: NAME={args.name!r} must be a Python module name (letters, digits, _)",
              file=sys.stderr)
        return 2
    path = args.dir / f"{args.name}.py"
    if path.exists():
        print(f"derivcheck: error: {path} exists; not overwritten", file=sys.stderr)
        return 2
    args.dir.mkdir(parents=True, exist_ok=True)
    title = args.name.replace("_", " ").capitalize()
    path.write_text(_TEMPLATE.format(title=title))
    print(f"wrote {path}: edit the docstring's Article: line and the claims, then run "
          f"`derivcheck check {path}`", file=sys.stderr)
    return 0
