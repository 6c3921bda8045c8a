"""A per-article time budget, so a pathological input cannot stall a worker.

The logic is synchronous Python running on the worker's main thread, so a SIGALRM timer can
interrupt it between bytecodes. Where no alarm is available (another thread, another OS)
the budget is not enforced rather than failing the message.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from .logic.errors import Rejected


class _Expired(BaseException):
    """A BaseException, so that catch-all handlers inside the logic cannot swallow it."""


def _raise_expired(_signum, _frame):
    raise _Expired()


@contextmanager
def time_budget(seconds: float):
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    # The handler is (re)installed only when another one took its place: installing it per
    # message cost 3% of a worker's time.
    if signal.getsignal(signal.SIGALRM) is not _raise_expired:
        signal.signal(signal.SIGALRM, _raise_expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise Rejected("time_budget_exceeded", f"processing took longer than the {seconds:g} s budget") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
