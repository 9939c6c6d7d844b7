"""LibreOffice in headless mode: legacy .xls/.doc to .xlsx/.docx, and documents to PDF.

Each converter uses a private LibreOffice profile (``-env:UserInstallation``): two soffice
processes sharing the default profile wait on each other or fail silently, so a converter also
runs one conversion at a time. soffice runs in a process group of its own, so the terminal's
Ctrl+C does not reach it; when we are interrupted (a second Ctrl+C, SIGTERM) or time out, the
whole group is killed and reaped before the profile is removed; a conversion that times out is
a fault of this machine, not the form's (``ConverterStuck``: the form waits in the inbox).
Conversions are cached by content in the private folder for the converter's lifetime: a batch
reads a legacy file at intake and again when its turn comes, and converts it once (a worker's
conversion is handed to the main process's converter).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from pipeline.errors import ConversionUnavailable, ConverterStuck, PdfFailed

NO_SOFFICE = (
    "这是旧版Office格式（{suffix}），需要LibreOffice转换后才能读取，但本机未安装LibreOffice。"
    "请在Excel/Word/WPS中用“另存为”保存为{target}格式后重新提交，"
    "或由管理员安装LibreOffice。"
)
# Word's odd-page section breaks (each copy of a pledge starts a sheet of its own) print as
# blank pages only when LibreOffice is told not to skip them; standard fonts are embedded too,
# so the PDF prints the same on any printer.
PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"},'
    '"EmbedStandardFonts":{"type":"boolean","value":"true"}}'
)
GROUP_GONE_SECONDS = 5.0  # how long a killed soffice's processes are given to be gone


def find_soffice(command: str = "soffice") -> str | None:
    """The LibreOffice executable; ``libreoffice`` stands in for ``soffice`` only when the
    configuration did not name a command of its own."""
    found = shutil.which(command)
    if found is None and command == "soffice":
        found = shutil.which("libreoffice")
    return found


class Converter:
    """Runs ``soffice --convert-to`` with a profile of its own and a time limit."""

    def __init__(self, command: str = "soffice", timeout: float = 120) -> None:
        self.command = command
        self.timeout = timeout
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()  # one soffice at a time on the profile

    @property
    def available(self) -> bool:
        return find_soffice(self.command) is not None

    def convert(self, data: bytes, suffix: str, target: str) -> bytes:
        """Convert ``data`` (a file ending in ``suffix``) to the format ``target``."""
        executable = find_soffice(self.command)
        if executable is None:
            raise ConversionUnavailable(NO_SOFFICE.format(suffix=suffix, target=f".{target}"))
        cached = self._cached(hashlib.sha256(data).hexdigest(), target)
        if cached.is_file():
            return cached.read_bytes()
        with self._lock, tempfile.TemporaryDirectory(prefix="unionforms-convert-") as work:
            source = Path(work) / f"form{suffix}"
            source.write_bytes(data)
            out_dir = Path(work) / "out"
            self._run(executable, source, out_dir, target)
            results = list(out_dir.glob(f"*.{target.split(':')[0]}"))
            if not results:
                raise ConversionUnavailable(
                    f"LibreOffice未能把此{suffix}文件转换为.{target}（文件可能已损坏或加了密码）；"
                    f"请在Office/WPS中另存为.{target}格式后重新提交。"
                )
            shutil.move(results[0], cached)
        return cached.read_bytes()

    def remember(self, digest: str, target: str, converted: bytes) -> None:
        """Take the conversion of the file whose SHA-256 is ``digest`` as made: a worker
        process converted it (``pipeline.pipelined``), and this process needs it again."""
        self._cached(digest, target).write_bytes(converted)

    def _cached(self, digest: str, target: str) -> Path:
        if self._profile is None:
            self._profile = self._new_profile()
        folder = Path(self._profile.name) / "converted"
        folder.mkdir(exist_ok=True)
        return folder / f"{digest}.{target.split(':')[0]}"

    def to_pdf(self, document: Path) -> bytes:
        """The PDF of a Word document, for printing; ``PdfFailed`` says in Chinese why not."""
        executable = find_soffice(self.command)
        if executable is None:
            raise PdfFailed("本机未安装LibreOffice（soffice），无法生成PDF")
        if self._profile is None:
            self._profile = self._new_profile()
        with self._lock, tempfile.TemporaryDirectory(prefix="unionforms-pdf-") as work:
            source = Path(work) / f"document{document.suffix}"
            source.write_bytes(document.read_bytes())
            out_dir = Path(work) / "out"
            try:
                self._run(executable, source, out_dir, PDF_EXPORT)
            except ConverterStuck:
                raise PdfFailed(f"LibreOffice转换超时（超过{self.timeout:.0f}秒）") from None
            result = out_dir / f"{source.stem}.pdf"
            if not result.is_file() or result.stat().st_size == 0:
                raise PdfFailed("LibreOffice没有生成PDF（文书可能已损坏）")
            return result.read_bytes()

    @staticmethod
    def _new_profile() -> tempfile.TemporaryDirectory[str]:
        # A profile soffice was killed over may hold files it still had open: never fail
        # the cleanup over them.
        return tempfile.TemporaryDirectory(prefix="unionforms-lo-", ignore_cleanup_errors=True)

    def _run(self, executable: str, source: Path, out_dir: Path, target: str) -> None:
        assert self._profile is not None
        profile = Path(self._profile.name).as_uri()
        command = [
            executable,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            str(source),
        ]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            # LibreOffice hanging is this machine's trouble, not the clerk's: the form stays in
            # the inbox and is tried again (the watcher waits longer each time for this file).
            _kill_group(process)
            raise ConverterStuck(
                f"LibreOffice转换超时（超过{self.timeout:.0f}秒），已将其终止"
            ) from None
        except BaseException:  # Ctrl+C, SIGTERM: never leave soffice running on the profile
            _kill_group(process)
            raise

    def close(self) -> None:
        if self._profile is not None:
            profile, self._profile = self._profile, None
            profile.cleanup()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill soffice and whatever it started, reap it, and wait (a little) for the rest of its
    group to be gone: soffice.bin, killed too, may still be dying, holding its profile."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + GROUP_GONE_SECONDS
    while _group_running(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _group_running(group: int) -> bool:
    """Whether a process of process group ``group`` still runs. A killed one left for init
    to reap (a zombie) holds nothing, and init may take seconds to reap it."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue
        if pgrp == str(group) and state != "Z":
            return True
    return False
