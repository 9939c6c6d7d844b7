"""The runtime: what every stage works with (configuration, store, converter, clock)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.config import Config
from pipeline.convert import Converter
from pipeline.hardening import require_defused_openpyxl
from pipeline.permissions import Sharing
from pipeline.store import Store

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

    @property
    def outbox(self) -> Path:
        return self.config.folders.outbox

    def close(self) -> None:
        """Close everything, even when closing one of them fails."""
        for close in (self.converter.close, self.store.close):
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
