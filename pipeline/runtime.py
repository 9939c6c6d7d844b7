"""The runtime: what every stage works with (configuration, store, converter, clock)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.convert import Converter
from pipeline.hardening import require_defused_openpyxl
from pipeline.permissions import Sharing
from pipeline.store import Store

if TYPE_CHECKING:
    from pipeline.pool import WorkerPool

log = logging.getLogger("unionforms")


@dataclass
class Runtime:
    """What the stages work with: configuration, store, converter and the clock."""

    config: Config
    store: Store
    converter: Converter
    clock: Callable[[], datetime] = datetime.now
    sharing: Sharing = field(default_factory=Sharing)
    # The last failure of each file, so a retried failure is logged in one line (``engine``).
    failures: dict[Path, str] = field(default_factory=dict)
    # Seconds spent in each stage since the runtime opened (for the benchmark and the log).
    timings: dict[str, float] = field(default_factory=dict)
    pool: WorkerPool | None = None  # the output stages' processes, once started

    def timed(self, name: str, started: float) -> None:
        """Add the time since ``started`` (``time.perf_counter``) to stage ``name``."""
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def start_workers(self) -> None:
        """Start the worker processes ``[performance] workers`` asks for (none for one)."""
        from pipeline.pool import WorkerPool, pool_size

        size = pool_size(self.config)
        if self.pool is None and size > 1 and not self.store.read_only:
            self.pool = WorkerPool(self.config, size)

    @property
    def outbox(self) -> Path:
        return self.config.folders.outbox

    def close(self) -> None:
        """Close everything, even when closing one of them fails."""
        closers = [self.converter.close, self.store.close]
        if self.pool is not None:
            closers.insert(0, self.pool.close)
        for close in closers:
            try:
                close()
            except Exception:
                log.warning("关闭时出错", exc_info=True)


def open_runtime(
    config: Config, clock: Callable[[], datetime] = datetime.now, read_only: bool = False
) -> Runtime:
    """The runtime for ``config``; ``read_only`` opens the store for reading only."""
    require_defused_openpyxl()
    limits = config.limits
    store = Store(config.folders.state, read_only, limits.database_wait_seconds)
    converter = Converter(limits.soffice, limits.convert_timeout_seconds)
    return Runtime(
        config, store, converter, clock, Sharing.from_group(config.permissions.share_group)
    )
