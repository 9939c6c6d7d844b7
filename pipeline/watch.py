"""``unionforms watch``: the pipeline as a service on the inbox.

The truth is a scan of the inbox fed to the stability tracker; watchdog (its native observer,
or its polling one for network shares that deliver no events) only hints that something
changed, which brings the next scan forward, and a full rescan runs every ``rescan_seconds``
in case a hint was missed. The files a scan finds ready run through the engine as one batch;
the registers are exported after batches, at most once per ``register_debounce_seconds``.
``Watcher.tick`` does one round and never sleeps, so tests drive it without threads.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from pipeline.engine import OUTCOMES, collect_inbox, export_all, process_files
from pipeline.files import is_ignored
from pipeline.inputs import Source
from pipeline.job import Job
from pipeline.runtime import Runtime
from pipeline.stability import StabilityTracker

log = logging.getLogger("unionforms")
# Events our own reading causes; they say nothing about new or changed forms.
QUIET_EVENTS = frozenset({"opened", "closed_no_write", "attrib"})
HINT_PAUSE = 0.25  # after a hint, let a burst of events settle into one scan
MIN_SLEEP = 0.05  # a floor under every sleep: whatever goes wrong, the loop cannot spin
RETRY_FIRST, RETRY_MAX = 1.0, 60.0  # the inbox or the store unavailable: everything waits
FILE_RETRY_FIRST, FILE_RETRY_MAX = 60.0, 3600.0  # one form failing: only that form waits


class Hints(FileSystemEventHandler):
    """watchdog's events reduced to "look again"; our outputs and lock files are no news."""

    def __init__(self, wake: Callable[[], None], skip: tuple[Path, ...]) -> None:
        self.wake = wake
        self.skip = skip

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in QUIET_EVENTS:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(os.fsdecode(raw)) if raw else None
            if path and not is_ignored(path) and not any(path.is_relative_to(s) for s in self.skip):
                self.wake()
                return


class Watcher:
    """The inbox service: ``tick`` does one round, ``run`` ticks until ``stopping``."""

    def __init__(
        self,
        rt: Runtime,
        observer: Callable[[], BaseObserver] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        config = rt.config
        self.rt = rt
        self.inbox = config.folders.inbox
        self.skip = (config.folders.outbox, config.folders.state)
        self.settings = config.watch
        self.tracker = StabilityTracker(
            config.watch.stability_seconds,
            config.watch.incomplete_seconds,
            config.limits.max_unpacked_mb * 1048576,
        )
        self.make_observer = observer  # None: rescans only (tests drive ``tick`` by hand)
        self.clock = clock
        self.stopping = False
        self.observer: BaseObserver | None = None
        self.identity: tuple[int, int] | None = None
        self.available: bool | None = None
        self.retry_at = self.last_scan = float("-inf")
        self.retry_delay = RETRY_FIRST
        self.dirty_since: float | None = float("-inf")  # export once at start: a crash may
        self.exports = 0  # have left the registers behind the store
        self.exported_on: date | None = None  # the date of the last export (``rt.clock``)
        self.backoff: dict[Path, float] = {}  # failing file: its last delay
        self.waiting: dict[Path, float] = {}  # failed file: when to try it again
        self.failing_registers: set[str] = set()
        self.said: set[str] = set()
        self._wake_r, self._wake_w = socket.socketpair()
        for end in (self._wake_r, self._wake_w):
            end.setblocking(False)

    # -- one round ------------------------------------------------------------------------

    def tick(self, now: float | None = None) -> list[Job]:
        """Scan the inbox, process what is ready, export the registers when due."""
        now = self.clock() if now is None else now
        if now < self.retry_at:
            return []
        try:
            if not self._inbox_present(now):
                return []
            self._wake_waiting(now)
            collected = collect_inbox(self.rt.config)
            self._say_skipped(collected.skipped)
            files = collected.sources
            self.last_scan = now
            jobs = self._process(self.tracker.ready(files, now), now)
            self._new_day(now)
            if self._export_due(now):
                self.export()
        except Exception:  # a service keeps going: say what happened, wait, try again
            log.exception("处理时出错，%.0f秒后重试", self.retry_delay)
            self._retry_later(now)
            if self.dirty_since is None:  # forms may have been finished before the error
                self.dirty_since = now
            return []
        self.retry_delay = RETRY_FIRST
        return jobs

    def _say_skipped(self, notes: list[str]) -> None:
        """Files the inbox holds but no scan takes (a hard link to a file elsewhere, a name
        that is not UTF-8): said once each, not at every scan."""
        for note in notes:
            if note not in self.said:
                log.warning("%s", note)
                self.said.add(note)

    def _wake_waiting(self, now: float) -> None:
        """Failed files whose wait is over are looked at again like new ones."""
        for path, retry_at in list(self.waiting.items()):
            if now >= retry_at:
                del self.waiting[path]
                self.tracker.forget(path)

    def _process(self, ready: list[Source], now: float) -> list[Job]:
        if not ready:
            return []
        result = process_files(ready, self.rt, report, lambda: self.stopping)
        for job in result.jobs:
            if job.outcome == "failed":
                self._file_failed(job.source, now)
            elif job.outcome:
                self.backoff.pop(job.source, None)
            if job.outcome:
                self.tracker.done(job.source)
        if result.stopped and not self.stopping:
            log.warning("%s", result.stopped)
            self._retry_later(now)  # the store is locked: everything waits, with backoff
        if result.jobs and self.dirty_since is None:
            self.dirty_since = now
        return result.jobs

    def _file_failed(self, path: Path, now: float) -> None:
        """One form failed for a reason of ours: only it waits, longer each time (capped)."""
        delay = min(self.backoff[path] * 2, FILE_RETRY_MAX) if path in self.backoff else None
        delay = delay or FILE_RETRY_FIRST
        self.backoff[path] = delay
        self.waiting[path] = now + delay
        log.warning("%s 处理失败，%.0f分钟后再试（其他表单照常处理）", path.name, delay / 60)

    def _export_due(self, now: float) -> bool:
        debounce = self.settings.register_debounce_seconds
        return self.dirty_since is not None and now >= self.dirty_since + debounce

    def _new_day(self, now: float) -> None:
        """On a new day the registers whose rows change with the date (overdue hazards, files
        due for their yearly review) are exported again, whether forms came in or not."""
        if self.dirty_since is None and self.exported_on not in (None, self.rt.clock().date()):
            self.dirty_since = now

    def export(self) -> None:
        """Export the registers; one that cannot be written is said once and tried again."""
        day = self.rt.clock().date()
        result = export_all(self.rt)
        self.exports += 1
        self.exported_on = day
        failing = {failure.title for failure in result.failures}
        for failure in result.failures:
            if failure.title not in self.failing_registers:
                log.warning("%s", failure.message)
        for title in self.failing_registers - failing:
            log.info("台账“%s”已恢复更新", title)
        self.failing_registers = failing
        self.dirty_since = self.clock() if failing else None
        log.info("台账已更新（%d份）", len(result.written))

    def _retry_later(self, now: float) -> None:
        self.retry_at = now + self.retry_delay
        self.retry_delay = min(self.retry_delay * 2, RETRY_MAX)

    def _inbox_present(self, now: float) -> bool:
        """Whether the inbox can be read; keeps the observer in step with it."""
        try:
            status = self.inbox.stat()
            with os.scandir(self.inbox) as entries:
                next(entries, None)
        except OSError as exc:
            if self.available is not False:
                log.warning("收件箱无法访问：%s（%s）；将反复重试，恢复后自动继续", self.inbox, exc)
            self.available = False
            self._stop_observer()
            self._retry_later(now)
            return False
        if self.available is False:
            log.info("收件箱已恢复：%s", self.inbox)
        self.available = True
        self._keep_observer((status.st_dev, status.st_ino))
        return True

    def next_wake(self, now: float) -> float:
        """Seconds until something is due: a retry, a file's check, the registers, a rescan."""
        if now < self.retry_at:
            return self.retry_at - now
        due = [self.last_scan + self.settings.rescan_seconds]
        due += self.waiting.values()
        if (ready_at := self.tracker.next_due()) is not None:
            due.append(ready_at)
        if self.dirty_since is not None:
            due.append(self.dirty_since + self.settings.register_debounce_seconds)
        return max(min(due) - now, MIN_SLEEP)

    # -- watchdog -------------------------------------------------------------------------

    def _keep_observer(self, identity: tuple[int, int]) -> None:
        """Start watching, and start again when the inbox is a new folder or the observer died.

        An observer that could not start (e.g. the inotify watch limit) is not retried for the
        same folder: the rescans still find everything, only later.
        """
        healthy = self.observer is None or (
            self.observer.is_alive() and all(e.is_alive() for e in self.observer.emitters)
        )
        if self.make_observer is None or (identity == self.identity and healthy):
            return
        self._stop_observer()
        self.identity = identity
        observer = self.make_observer()
        try:
            observer.schedule(Hints(self.hint, self.skip), str(self.inbox), recursive=True)
            observer.start()
        except OSError as exc:
            log.warning(
                "无法接收收件箱的变化通知（%s）；改为每%.0f秒扫描一次",
                exc,
                self.settings.rescan_seconds,
            )
            return
        self.observer = observer

    def _stop_observer(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=10)
            self.observer = None
        self.identity = None

    # -- the loop -------------------------------------------------------------------------

    def hint(self) -> None:
        """Something changed under the inbox (called from watchdog's thread)."""
        with suppress(OSError):  # the wake-up socket is full: a wake-up is pending anyway
            self._wake_w.send(b"\0")

    @property
    def wakeup_fileno(self) -> int:
        return self._wake_w.fileno()

    def run(self) -> None:
        """Tick until asked to stop; between ticks, sleep until a hint, a signal or a deadline."""
        try:
            while not self.stopping:
                self.tick()
                if not self.stopping:
                    self._sleep(self.next_wake(self.clock()))
        finally:
            self.close()
        log.info("已停止监视收件箱：%s", self.inbox)

    def _sleep(self, seconds: float) -> None:
        woken, _, _ = select.select([self._wake_r], [], [], seconds)
        if woken:
            time.sleep(HINT_PAUSE)
            with suppress(OSError):
                while self._wake_r.recv(4096):
                    pass

    def close(self) -> None:
        """Stop watching; bring the registers up to date if forms came in since the last export."""
        self._stop_observer()
        self._wake_r.close()
        self._wake_w.close()
        if self.dirty_since is not None and self.available:
            try:
                self.export()
            except Exception:
                log.exception("退出前更新台账失败；下次启动时会重新导出")


def report(job: Job) -> None:
    """One line per processed form: time (from the log format), file, outcome, serial."""
    if job.outcome:
        detail = job.record.ident if job.record and job.outcome == "accepted" else job.message
        log.info("%s  %s  %s", job.display_name, OUTCOMES.get(job.outcome, job.outcome), detail)
