"""Returning a form: the original byte for byte, a marked copy and a plain-text report.

The report ``<stem>.错误说明.txt`` is UTF-8 with a byte-order mark and Windows line ends, so
Notepad on any Windows version shows the Chinese correctly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline import docx_form, xlsx_form
from pipeline.errors import FormRejected, InvalidForm
from pipeline.files import safe_name, write_atomic
from pipeline.job import Job, Problem

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
    """The returned original's name: bounded, so "<stem>.错误说明.txt" beside it still fits."""
    return safe_name(Path(name).stem, 120) + Path(name).suffix[:10]


def write_rejection(job: Job, error: FormRejected, original: Path) -> list[Path]:
    """Write the returned original to ``original``, the marked copy (when there is one) and
    the report beside it. The original's bytes are kept, byte for byte."""
    folder = original.parent
    write_atomic(original, job.data)
    outputs = [original]
    marked = None
    marker = MARKERS.get(job.fmt)
    if isinstance(error, InvalidForm) and marker is not None:
        data = marker(job.content, error.problems)
        if data is not None:
            marked = write_atomic(folder / f"{original.stem}.标注.{job.fmt}", data)
            outputs.append(marked)
    report = folder / f"{original.stem}.错误说明.txt"
    write_atomic(report, report_text(job, error, marked).encode("utf-8-sig"))
    outputs.append(report)
    return outputs
