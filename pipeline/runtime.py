"""The runtime: what every stage works with (configuration, store, converter, clock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.config import Config
from pipeline.convert import Converter
from pipeline.store import Store


@dataclass
class Runtime:
    """What the stages work with: configuration, store, converter and the clock."""

    config: Config
    store: Store
    converter: Converter
    clock: Callable[[], datetime] = datetime.now

    @property
    def outbox(self) -> Path:
        return self.config.folders.outbox

    def close(self) -> None:
        self.converter.close()
        self.store.close()


def open_runtime(config: Config, clock: Callable[[], datetime] = datetime.now) -> Runtime:
    limits = config.limits
    return Runtime(
        config,
        Store(config.folders.state),
        Converter(limits.soffice, limits.convert_timeout_seconds),
        clock,
    )
