"""Float64 kernels pinned, so that a page is byte-identical on every x86-64 machine.

NumPy picks SIMD loops for ``exp``, ``log``, ``power``, ``tanh``... by the CPU it finds (AVX2,
AVX-512), and OpenBLAS picks its BLAS kernels (and LAPACK's, which call them) the same way; each
choice rounds differently in the last bit. A number that measures float64 rounding itself (the
error of ``numpy.roots`` on 20 000 quartics, say) then differs from one machine to the next. So
before NumPy is first imported, derivcheck asks both libraries for their portable kernels:

- NumPy: no dispatch beyond the wheel's baseline (``NPY_ENABLE_CPU_FEATURES``);
- OpenBLAS: the Nehalem kernels (``OPENBLAS_CORETYPE``; every x86-64-v2 CPU runs them, and
  NumPy's wheel needs x86-64-v2 anyway), on one thread (``OPENBLAS_NUM_THREADS``; threaded
  reductions sum in an order that depends on the thread count).

``DERIVCHECK_KERNELS=native`` leaves the machine's own kernels (faster; the pages then say so and
may differ in the last digits of rounding-level numbers). If NumPy was imported before derivcheck
(an interactive session that imported NumPy first), pinning is too late: ``status()`` says so and
the pages carry it. Other architectures keep their own kernels; what keeps their pages identical
is that the project prints only stable digits (tests/test_stability.py).
"""
from __future__ import annotations

import ctypes
import os
import platform
import sys

# NumPy enables the features named here and its baseline: naming the baseline itself (x86-64-v2 for
# the wheels since NumPy 2.4) leaves the baseline alone; an older NumPy warns of the unknown name
# (ImportWarning, hidden by default) and keeps its baseline too
PINNED = {"NPY_ENABLE_CPU_FEATURES": "X86_V2", "OPENBLAS_CORETYPE": "Nehalem", "OPENBLAS_NUM_THREADS": "1"}
WANT_NATIVE = os.environ.get("DERIVCHECK_KERNELS", "").lower() == "native"
_X86 = platform.machine().lower() in ("x86_64", "amd64")
_TOO_LATE = "numpy" in sys.modules          # imported before derivcheck: its kernels are chosen


def pin() -> None:
    """Set the environment (once, at import of derivcheck, before NumPy loads)."""
    if _X86 and not WANT_NATIVE and not _TOO_LATE:
        os.environ.pop("NPY_DISABLE_CPU_FEATURES", None)      # NumPy refuses both at once
        os.environ.update(PINNED)


def _openblas_cores() -> list[str]:
    """The core name of every OpenBLAS loaded in this process (NumPy's and SciPy's own)."""
    names = []
    try:
        maps = open("/proc/self/maps").read().split("\n")
    except OSError:
        return names
    for path in dict.fromkeys(line.split()[-1] for line in maps if "openblas" in line and ".so" in line):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for sym in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                names.append(fn().decode())
                break
    return names


def status() -> str:
    """One line for the pages: which float64 kernels computed them."""
    import numpy  # noqa: F401  (loads OpenBLAS)
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    if not _X86:
        return f"{platform.machine()} native kernels"
    simd = [d for d in __cpu_dispatch__ if __cpu_features__.get(d)]
    cores = sorted(set(_openblas_cores()))
    if not simd and cores in ([], ["Nehalem"]) and os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        return "pinned float64 kernels (NumPy baseline SIMD, OpenBLAS Nehalem, 1 thread)"
    why = ("DERIVCHECK_KERNELS=native" if WANT_NATIVE else
           "NumPy was imported before derivcheck" if _TOO_LATE else "the pinning did not take")
    return f"native float64 kernels ({why}: NumPy {' '.join(simd) or 'baseline'}, OpenBLAS {' '.join(cores) or '-'})"


def pinned() -> bool:
    return status().startswith("pinned") or not _X86
