"""Shared fixtures: a private inbox/outbox/state per test, a fixed clock, sample forms made
from the blank forms, and helpers to read what the pipeline wrote."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings
from openpyxl import load_workbook

from forms import get_kind
from pipeline.config import Config, Folders, Performance, Rules
from pipeline.engine import BatchResult, Runtime, collect_inbox, open_runtime, process_batch
from pipeline.samples import fill_docx, fill_xlsx
from pipeline.store import Store

NOW = datetime(2026, 6, 15, 10, 30)

# Property tests (tests/test_properties.py): "ci" runs the same examples every time, in any
# worker of ``pytest -n``, and writes no example database; HYPOTHESIS_PROFILE=explore searches
# further on a developer's machine. No deadline: one example fills a whole form, and the
# machine is shared.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# Prepared templates are cached in the user's cache folder (``pipeline.template_cache``): the
# tests, and the programs they start, keep theirs in a folder of this test process instead.
TEMPLATE_CACHE = tempfile.mkdtemp(prefix="unionforms-test-cache-")
os.environ["XDG_CACHE_HOME"] = os.environ["LOCALAPPDATA"] = TEMPLATE_CACHE
atexit.register(shutil.rmtree, TEMPLATE_CACHE, ignore_errors=True)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
_no_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) 未安装：.ci/run 会安装它，本机跳过此测试"
)


def needs_soffice(test: Any) -> Any:
    """A test that runs LibreOffice: marked ``soffice`` (``pytest -m "not soffice"`` leaves it
    out) and skipped, with the reason shown, where LibreOffice is not installed."""
    return pytest.mark.soffice(_no_soffice(test))


@dataclass
class Workspace:
    """Folders, configuration and runtime of one test."""

    root: Path
    config: Config
    rt: Runtime

    @property
    def inbox(self) -> Path:
        return self.config.folders.inbox

    @property
    def outbox(self) -> Path:
        return self.config.folders.outbox

    def sample_values(self, kind: str, index: int = 0, **changes: Any) -> dict[str, Any]:
        return get_kind(kind).samples(NOW.date())[index].values | changes

    def xlsx(self, kind: str, index: int = 0, **changes: Any) -> bytes:
        return fill_xlsx(get_kind(kind), self.config, self.sample_values(kind, index, **changes))

    def docx(self, kind: str, index: int = 0, **changes: Any) -> bytes:
        return fill_docx(get_kind(kind), self.config, self.sample_values(kind, index, **changes))

    def drop(self, name: str, data: bytes, subfolder: str = "") -> Path:
        folder = self.inbox / subfolder
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(data)
        return path

    def process(self) -> BatchResult:
        return process_batch(collect_inbox(self.config), self.rt)

    def outputs(self, folder: str, pattern: str = "*") -> list[Path]:
        return sorted(p for p in (self.outbox / folder).rglob(pattern) if p.is_file())


def office(root: Path, extra: str = "", store: bool = False) -> Path:
    """A working folder for the command line (inbox ``in``, outbox ``out``, state ``st``);
    returns its configuration file. ``extra`` is appended to the file; ``store`` makes the
    empty store, as ``init`` does (without it, only processing a form makes one)."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "unionforms.toml"
    config.write_text(
        f'[folders]\ninbox = "in"\noutbox = "out"\nstate = "st"\n{extra}', encoding="utf-8"
    )
    (root / "in").mkdir(exist_ok=True)
    if store:
        Store(root / "st").close()
    return config


def run_cli(config: Path, *args: str) -> Result:
    """``unionforms --config CONFIG ARGS...`` as a person types it."""
    from pipeline.cli import main

    return CliRunner().invoke(
        main, ["--config", str(config), *args], catch_exceptions=False, prog_name="unionforms"
    )


def make_config(root: Path, workers: int = 1, **rules: Any) -> Config:
    """Folders under ``root``; one process unless ``workers`` (tests that replace stage
    functions in this process need them run here)."""
    folders = Folders(inbox=root / "inbox", outbox=root / "outbox", state=root / "state")
    return Config(folders=folders, rules=Rules(**rules), performance=Performance(workers=workers))


@pytest.fixture(scope="session")
def by_format(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BatchResult]:
    """Every sample of every kind processed once as .xlsx and once as .docx, apart: the
    records other tests compare theirs with."""
    from tests.batches import process_samples  # (tests.batches imports this module)

    return {fmt: process_samples(tmp_path_factory.mktemp(fmt), fmt) for fmt in ("xlsx", "docx")}


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    config = make_config(tmp_path)
    config.folders.inbox.mkdir(parents=True)
    rt = open_runtime(config, clock=lambda: NOW)
    yield Workspace(tmp_path, config, rt)
    rt.close()


def docx_text(path: Path) -> str:
    """All text of a Word document: paragraphs, then table cells row by row."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def register_rows(path: Path) -> tuple[list[str], list[list[Any]]]:
    """The header (its labels on one line, as the printed two-line labels read) and the data
    rows of a register (title rows skipped)."""
    ws = load_workbook(path).active
    rows = [list(row) for row in ws.iter_rows(min_row=3, values_only=True)]
    return [str(h).replace("\n", "") for h in rows[0]], rows[1:]


def break_rendering_for(monkeypatch: pytest.MonkeyPatch, name: str, error: Exception) -> None:
    """Make rendering fail with ``error`` for the form of the person called ``name`` only."""
    from pipeline import stages

    real_render = stages.render_documents

    def broken_for_one(kind, record, *args):  # type: ignore[no-untyped-def]
        if record.values["name"] == name:
            raise error
        return real_render(kind, record, *args)

    monkeypatch.setattr(stages, "render_documents", broken_for_one)
