"""A wall-clock limit on everything a claim does: its own code, the checks, the agreements.

On the main thread of a POSIX process the limit is a real-time alarm (``signal.setitimer``)
that raises ``ClaimTimeout`` where the claim is, even inside ``while True:`` or an mpmath loop;
the symbolic worker a check had started is killed by its own ``finally``. ``ClaimTimeout``
derives from BaseException, so a claim's ``except Exception:`` cannot swallow it. Off the main
thread (where no alarm can be set) the limit is not enforced, and ``enforced()`` says so.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time


class ClaimTimeout(BaseException):
    """Raised inside a claim that ran past its limit."""


def enforced() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def wall_clock(seconds: float):
    """Raise ClaimTimeout in this block after ``seconds``; nested limits keep the outer deadline."""
    if not enforced() or not seconds or seconds <= 0:
        yield
        return
    outer = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer and outer < seconds:                    # an enclosing limit ends sooner: keep it
        yield
        return

    def _alarm(signum, frame):
        raise ClaimTimeout(f"past the limit of {seconds:g} s")
    start = time.monotonic()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer:                                    # give the enclosing limit its remaining time
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3))
