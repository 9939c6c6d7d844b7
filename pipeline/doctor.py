"""``unionforms doctor``: what a crash, a vanished file or a read-only inbox left behind, and
what to do about each — read from the store, changing nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.store import Store, Submission


@dataclass(frozen=True)
class Finding:
    subject: str  # the serial, or the file when it has none
    problem: str
    remedy: str


def examine(store: Store) -> list[Finding]:
    """Every leftover the store knows of, and the database's own health."""
    findings = [_finding(store, submission) for submission in store.leftovers()]
    health = store.execute("PRAGMA quick_check").fetchone()[0]
    if health != "ok":
        findings.append(
            Finding(
                "状态数据库",
                f"数据库自检发现问题（{health}）",
                "停止监视服务，把 state 文件夹整个复制一份留底，再联系维护人员",
            )
        )
    return findings


def _finding(store: Store, submission: Submission) -> Finding:
    received = submission.received_at[:16].replace("T", " ")
    where = f"“{Path(submission.source_path).name}”（{received}收到）"
    present = Path(submission.source_path).exists()
    if submission.stuck is not None:
        return Finding(
            where,
            "已处理完毕，但无法从收件箱删除（收件箱没有写权限？）；以后不再处理它",
            f"检查收件箱的写权限后删除 {submission.source_path}",
        )
    if submission.stage == "rejecting":
        return Finding(
            where,
            "退回时被中断，退回的文件可能不完整",
            "运行 unionforms process 即可完成退回"
            if present
            else "把这份文件（内容不变）放回收件箱，运行 unionforms process 完成退回",
        )
    serial = store.ident_of(submission.record_id) if submission.record_id else "（无编号）"
    return Finding(
        f"{serial} {where}",
        "已编号，但还没有生成文书和归档（处理时被中断）；台账中已有这一行",
        "运行 unionforms process 即可接着完成"
        if present
        else "原文件已不在收件箱：找到原文件（内容不变）放回收件箱任意位置，运行 unionforms "
        "process 会接着生成文书和归档；找不到时，请在台账中注明此编号作废，不要重复使用",
    )
