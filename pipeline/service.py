"""Running the watcher as a service: the observer it uses and the stop signals."""

from __future__ import annotations

import logging

from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from pipeline.runtime import Runtime
from pipeline.signals import stop_on_signals
from pipeline.watch import Watcher

log = logging.getLogger("unionforms")


def run_service(rt: Runtime, polling: bool, interval: float | None) -> None:
    """Run the service until Ctrl+C or SIGTERM (logging is set up by the caller)."""
    seconds = interval or rt.config.watch.polling_interval_seconds
    watcher = Watcher(rt, (lambda: PollingObserver(timeout=seconds)) if polling else Observer)
    mode = f"每{seconds:g}秒轮询一次" if polling else "接收文件系统的变化通知"
    log.info("开始监视收件箱：%s（%s）；按 Ctrl+C 停止", watcher.inbox, mode)
    with stop_on_signals(watcher, watcher.wakeup_fileno):
        watcher.run()
