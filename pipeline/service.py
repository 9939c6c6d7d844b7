"""Running the watcher as a service: the observer it uses and the stop signals."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from pipeline.runtime import Runtime
from pipeline.watch import Watcher

log = logging.getLogger("unionforms")


@contextmanager
def stop_on_signals(watcher: Watcher) -> Iterator[None]:
    """Ctrl+C and SIGTERM let the form in hand finish, then stop; a second Ctrl+C stops at
    once (the store resumes that form on the next start).

    The handler sets a flag and says so; the wake-up fd makes the sleeping ``select`` return.
    """

    def request_stop(signum: int, frame: Any) -> None:
        if watcher.stopping and signum == signal.SIGINT:
            raise KeyboardInterrupt
        watcher.stopping = True
        log.info("收到停止信号：处理完手头的表单后退出")

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    old_fd = signal.set_wakeup_fd(watcher.wakeup_fileno, warn_on_full_buffer=False)
    try:
        yield
    finally:
        signal.set_wakeup_fd(old_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_service(rt: Runtime, polling: bool, interval: float | None) -> None:
    """Run the service until Ctrl+C or SIGTERM (logging is set up by the caller)."""
    seconds = interval or rt.config.watch.polling_interval_seconds
    watcher = Watcher(rt, (lambda: PollingObserver(timeout=seconds)) if polling else Observer)
    mode = f"每{seconds:g}秒轮询一次" if polling else "接收文件系统的变化通知"
    log.info("开始监视收件箱：%s（%s）；按 Ctrl+C 停止", watcher.inbox, mode)
    with stop_on_signals(watcher):
        watcher.run()
