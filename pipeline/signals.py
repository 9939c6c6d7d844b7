"""Stopping on request: Ctrl+C or SIGTERM lets the form in hand finish, then stops.

The first signal sets ``stopping`` on the target and says so in the log; the work loop asks it
between forms. A second Ctrl+C stops at once (``KeyboardInterrupt``): the store resumes the
interrupted form on the next run. A wake-up file descriptor, when given, makes a sleeping
``select`` return at once.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

log = logging.getLogger("unionforms")


class Stoppable(Protocol):
    stopping: bool


class StopRequest:
    """A plain target: ``stopping`` becomes true on the first signal."""

    def __init__(self) -> None:
        self.stopping = False

    def __call__(self) -> bool:
        return self.stopping


@contextmanager
def stop_on_signals(target: Stoppable, wakeup_fd: int | None = None) -> Iterator[None]:
    def request_stop(signum: int, frame: Any) -> None:
        if target.stopping and signum == signal.SIGINT:
            raise KeyboardInterrupt
        target.stopping = True
        log.warning("收到停止信号：处理完手头的表单后停止（再按一次 Ctrl+C 立即停止）")

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    old_fd = signal.set_wakeup_fd(wakeup_fd, warn_on_full_buffer=False) if wakeup_fd else None
    try:
        yield
    finally:
        if wakeup_fd:
            signal.set_wakeup_fd(old_fd if old_fd is not None else -1)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
