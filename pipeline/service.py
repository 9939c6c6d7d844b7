"""Running the watcher as a service: its log, its console lines and the stop signals."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, TextIO

from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from pipeline.runtime import Runtime
from pipeline.watch import Watcher

log = logging.getLogger("unionforms")
LOG_NAME = "watch.log"


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


def log_to(state: Path, console: TextIO) -> None:
    """Everything into ``state/watch.log``; the form lines and notices also on the console."""
    logger = logging.getLogger("unionforms")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    file_handler = RotatingFileHandler(
        state / LOG_NAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    console_handler = logging.StreamHandler(console)
    console_handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%Y-%m-%d %H:%M:%S"))
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.addHandler(file_handler)
    logger.addHandler(console_handler)


def run_service(rt: Runtime, polling: bool, interval: float | None, console: TextIO) -> None:
    """Run the service until Ctrl+C or SIGTERM."""
    log_to(rt.config.folders.state, console)
    seconds = interval or rt.config.watch.polling_interval_seconds
    watcher = Watcher(rt, (lambda: PollingObserver(timeout=seconds)) if polling else Observer)
    mode = f"每{seconds:g}秒轮询一次" if polling else "接收文件系统的变化通知"
    log.info("开始监视收件箱：%s（%s）；按 Ctrl+C 停止", watcher.inbox, mode)
    with stop_on_signals(watcher):
        watcher.run()
