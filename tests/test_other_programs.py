"""Forms saved by other programs: LibreOffice round trips of .xlsx and .docx, legacy .xls and
.doc converted through LibreOffice, password-protected files, WPS and Office lock files.

LibreOffice starts cost seconds each, so every file that needs it is converted in one module
fixture with four soffice runs, and the legacy files go through the pipeline in one batch.
"""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from forms import KINDS
from forms.base import FormKind
from pipeline import docx_form
from pipeline.config import Config, Limits
from pipeline.convert import Converter
from pipeline.engine import BatchResult, collect_inbox, open_runtime, process_batch
from pipeline.errors import ConverterStuck
from pipeline.files import is_ignored
from pipeline.samples import FILLERS
from tests.batches import (
    assert_same_records,
    drop_files,
    every_good_sample,
    good_samples,
    jobs_by_sample,
    replaced_in_part,
    run_batch,
)
from tests.conftest import NOW, SOFFICE, Workspace, make_config, needs_soffice

KIND_IDS = [kind.key for kind in KINDS]
LEGACY = {"xlsx": "xls", "docx": "doc"}


def soffice_convert(files: list[Path], target: str, out: Path, profile: Path) -> None:
    """One LibreOffice run converting ``files`` to ``target``, in a private profile."""
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def saved_by_libreoffice(
    by_format: dict[str, BatchResult], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, bytes]]:
    """The good samples of every kind, as ``{kind/name.ext: bytes}`` by what LibreOffice did:
    'xlsx' and 'docx' opened and saved again, 'xls' and 'doc' saved in the old formats."""
    root = tmp_path_factory.mktemp("libreoffice")
    results: dict[str, dict[str, bytes]] = {}
    for fmt, fill in FILLERS.items():
        files = []
        made = every_good_sample(
            by_format["xlsx"], lambda k, v, fill=fill: fill(k, Config(), v), fmt
        )
        for name, data in made.items():
            path = root / "source" / name.replace("/", "~")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            files.append(path)
        for target in (fmt, LEGACY[fmt]):
            soffice_convert(files, target, root / target, root / "profile")
            results[target] = {
                path.name.replace("~", "/", 1): path.read_bytes()
                for path in (root / target).iterdir()
            }
    return results


@pytest.fixture(scope="module")
def resaved(
    saved_by_libreoffice: dict[str, dict[str, bytes]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, BatchResult]:
    """The forms LibreOffice saved again, a batch per format."""
    return {
        fmt: run_batch(tmp_path_factory.mktemp(f"resaved-{fmt}"), saved_by_libreoffice[fmt])
        for fmt in ("xlsx", "docx")
    }


@pytest.fixture(scope="module")
def legacy_batch(
    saved_by_libreoffice: dict[str, dict[str, bytes]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[BatchResult, dict[str, bytes]]:
    """Each good sample once, as .xls and .doc in turn, through the pipeline in one batch."""
    files: dict[str, bytes] = {}
    for suffix in ("xls", "doc"):
        for index, (name, data) in enumerate(sorted(saved_by_libreoffice[suffix].items())):
            if index % 2 == (suffix == "doc"):
                files[name] = data
    return run_batch(tmp_path_factory.mktemp("legacy"), files), files


@needs_soffice
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_forms_saved_again_by_libreoffice_give_the_same_records(
    kind: FormKind,
    fmt: str,
    saved_by_libreoffice: dict[str, dict[str, bytes]],
    resaved: dict[str, BatchResult],
    by_format: dict[str, BatchResult],
) -> None:
    saved = {k: v for k, v in saved_by_libreoffice[fmt].items() if k.startswith(f"{kind.key}/")}
    assert len(saved) == len(good_samples(kind, by_format["xlsx"]))
    for data in saved.values():  # really written by LibreOffice
        assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")
    assert_same_records(resaved[fmt], by_format["xlsx"], kind)


@needs_soffice
@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_legacy_xls_and_doc_are_converted_and_the_original_archived(
    kind: FormKind,
    legacy_batch: tuple[BatchResult, dict[str, bytes]],
    by_format: dict[str, BatchResult],
) -> None:
    result, files = legacy_batch
    assert_same_records(result, by_format["xlsx"], kind)
    for job in jobs_by_sample(result, kind).values():
        assert job.archive_dir is not None
        original = job.archive_dir / f"原件-{job.name}"
        assert original.read_bytes() == files[f"{kind.key}/{job.name}"]
        assert original.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # really the old format


@needs_soffice
def test_with_workers_each_legacy_file_is_converted_once(
    saved_by_libreoffice: dict[str, dict[str, bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker reads the file at intake and the main process needs the conversion again at
    the form's turn: LibreOffice runs once per file all the same (each run costs seconds)."""
    files = dict(sorted(saved_by_libreoffice["xls"].items())[:3])
    runs = tmp_path / "soffice-runs.txt"
    real_run = Converter._run

    def counted(self: Converter, executable: str, source: Path, out: Path, target: str) -> None:
        with runs.open("a", encoding="utf-8") as handle:  # from every process
            handle.write(f"{os.getpid()} {source.name}\n")
        real_run(self, executable, source, out, target)

    monkeypatch.setattr(Converter, "_run", counted)  # before the workers start
    config = make_config(tmp_path, workers=2)
    drop_files(config, files)
    rt = open_runtime(config, clock=lambda: NOW)
    try:
        rt.start_workers()
        result = process_batch(collect_inbox(config), rt)
    finally:
        rt.close()
    assert [job.outcome for job in result.jobs] == ["accepted"] * len(files)
    made = runs.read_text(encoding="utf-8").splitlines()
    assert len(made) == len(files)
    assert str(os.getpid()) not in {line.split()[0] for line in made}  # all in the workers


@needs_soffice
def test_without_libreoffice_a_legacy_file_is_returned_saying_what_to_do(
    saved_by_libreoffice: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    config = make_config(tmp_path)
    config = config.model_copy(update={"limits": Limits(soffice=str(tmp_path / "no-such-soffice"))})
    name, data = next(iter(saved_by_libreoffice["xls"].items()))
    result = run_batch(tmp_path, {Path(name).name: data}, config)
    (job,) = result.jobs
    assert job.outcome == "rejected"
    assert "未安装LibreOffice" in job.message and "另存为" in job.message
    assert ".xlsx" in job.message and "安装LibreOffice" in job.message
    assert (tmp_path / "outbox" / "rejected" / Path(name).name).read_bytes() == data


def _running_with(text: str) -> list[str]:
    """Processes whose command line mentions ``text`` (e.g. a converter's profile folder)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                found.append(cmdline.parent.name)
        except OSError:
            continue
    return found


@needs_soffice
def test_the_converter_gives_up_after_its_time_limit_and_leaves_no_process(
    saved_by_libreoffice: dict[str, dict[str, bytes]],
) -> None:
    data = next(iter(saved_by_libreoffice["doc"].values()))
    converter = Converter(str(SOFFICE), timeout=0.2)
    try:
        with pytest.raises(ConverterStuck, match="超时"):  # a system fault: the form waits
            converter.convert(data, ".doc", "docx")
        assert converter._profile is not None
        assert _running_with(converter._profile.name) == []
    finally:
        converter.close()


@needs_soffice
def test_two_converters_at_once_each_use_their_own_profile(
    saved_by_libreoffice: dict[str, dict[str, bytes]],
) -> None:
    """Two soffice runs sharing a profile wait on each other or fail: a watcher and a
    command-line run may convert at the same moment."""
    name, data = next(iter(saved_by_libreoffice["doc"].items()))
    kind = next(k for k in KINDS if name.startswith(f"{k.key}/"))
    converters = [Converter(str(SOFFICE)), Converter(str(SOFFICE))]
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda c: c.convert(data, ".doc", "docx"), converters))
    finally:
        for converter in converters:
            converter.close()
    first, second = (docx_form.read(result, kind) for result in results)
    assert {k: v.value for k, v in first.fields.items()} == {
        k: v.value for k, v in second.fields.items()
    }
    assert any(v.value for v in first.fields.values())


def encrypted(data: bytes, password: str = "1234") -> bytes:
    buffer = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, buffer)
    return buffer.getvalue()


def test_password_protected_forms_are_returned_saying_so(ws: Workspace) -> None:
    ws.drop("加密.xlsx", encrypted(ws.xlsx("hardship")))
    ws.drop("加密.docx", encrypted(ws.docx("hardship")))
    jobs = ws.process().jobs
    assert [job.outcome for job in jobs] == ["rejected", "rejected"]
    for job in jobs:
        assert "密码" in job.message and job.kind is None
        report = ws.outbox / "rejected" / f"{job.name}.错误说明.txt"
        assert "设置了打开密码" in report.read_text(encoding="utf-8-sig")


def test_office_wps_and_libreoffice_lock_files_are_left_alone(ws: Workspace) -> None:
    """Word and WPS on Windows write ``~$name``, WPS on Linux ``.~name``, LibreOffice
    ``.~lock.name#``, Word's autosave ``~WRL0001.tmp``; only the form itself is processed."""
    data = ws.docx("hardship")
    locks = [
        "~$申请.docx",
        ".~申请.docx",
        ".~lock.申请.docx#",
        "~WRL0001.tmp",
        "~$申请.xlsx",
        ".~申请.xlsx",
    ]
    assert all(is_ignored(Path(name)) for name in locks)
    for name in locks:
        ws.drop(name, b"\x0bWPS-user" + bytes(150))  # what lock files hold: the owner's name
    ws.drop("申请.docx", data)
    (job,) = ws.process().jobs
    assert job.name == "申请.docx" and job.outcome == "accepted"
    assert sorted(p.name for p in ws.inbox.iterdir()) == sorted(locks)


def test_a_wps_style_docx_with_its_own_custom_properties_is_identified(ws: Workspace) -> None:
    """WPS adds its own custom property (KSOProductBuildVer) beside ours on save."""
    data = replaced_in_part(
        ws.docx("hardship"),
        "docProps/custom.xml",
        b"</Properties>",
        b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="9" '
        b'name="KSOProductBuildVer"><vt:lpwstr>2052-11.1.0.11830</vt:lpwstr></property>'
        b"</Properties>",
    )
    ws.drop("WPS保存.docx", data)
    (job,) = ws.process().jobs
    assert job.outcome == "accepted" and job.kind is not None and job.kind.key == "hardship"
