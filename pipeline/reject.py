"""Returning a form: the original byte for byte, a marked copy and a plain-text report.

The report ``<name>.错误说明.txt`` (the whole file name, so ``张三.xls`` and ``张三.docx``
returned together keep a report each) is UTF-8 with a byte-order mark and Windows line ends,
so Notepad on any Windows version shows the Chinese correctly. A form from ``inbox/运行部/``
goes back to ``rejected/运行部/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline import docx_form, xlsx_form
from pipeline.errors import FormRejected, InvalidForm
from pipeline.files import safe_file_name, write_atomic
from pipeline.job import Job, Problem
from pipeline.permissions import Sharing

Marker = Callable[[bytes, list[Problem]], bytes | None]
MARKERS: dict[str, Marker] = {"xlsx": xlsx_form.mark, "docx": docx_form.mark}
MARK_NOTES = {
    "xlsx": "出错的单元格已标红并附批注",
    "docx": "出错的内容已标红并附批注",
}


def report_text(job: Job, error: FormRejected, marked: Path | None) -> str:
    lines = [
        "【退回说明】",
        f"文件：{job.display_name}",
        f"收到时间：{job.received_at:%Y-%m-%d %H:%M}",
    ]
    if job.kind is not None:
        lines.append(f"表单：{job.kind.title}")
    if isinstance(error, InvalidForm):
        lines.append(f"结论：未通过校验，共{len(error.problems)}处需要修改。")
        if marked is not None:
            lines.append(f"已附标注副本“{marked.name}”，{MARK_NOTES.get(job.fmt, '')}。")
        lines.append("")
        lines += [f"{number}. {p.sentence()}" for number, p in enumerate(error.problems, 1)]
        lines += ["", "请修改后把表单重新放入收件箱。"]
    else:
        lines += ["结论：未登记。", "", error.message]
    return "\r\n".join(lines) + "\r\n"


def returned_name(name: str) -> str:
    """The returned original's name: bounded, so "<name>.错误说明.txt" beside it still fits."""
    return safe_file_name(name, 120)


def report_path(original: Path) -> Path:
    return original.with_name(f"{original.name}.错误说明.txt")


def marked_path(original: Path, fmt: str) -> Path:
    return original.with_name(f"{original.name}.标注.{fmt}")


def write_rejection(
    job: Job, error: FormRejected, original: Path, sharing: Sharing | None = None
) -> list[Path]:
    """Write the returned original to ``original``, the marked copy (when there is one) and
    the report beside it. The original's bytes are kept, byte for byte."""
    if not job.data:
        job.data = job.source.read_bytes()
    write_atomic(original, job.data, sharing)
    outputs = [original]
    marked = None
    marker = MARKERS.get(job.fmt)
    if isinstance(error, InvalidForm) and marker is not None:
        data = marker(job.content, error.problems)
        if data is not None:
            marked = write_atomic(marked_path(original, job.fmt), data, sharing)
            outputs.append(marked)
    report = report_path(original)
    write_atomic(report, report_text(job, error, marked).encode("utf-8-sig"), sharing)
    outputs.append(report)
    return outputs
