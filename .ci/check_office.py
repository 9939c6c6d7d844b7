"""Check a working folder after ``unionforms demo`` ran there from an installed wheel (#8).

Run with the venv's python from inside the working folder: the registers and documents exist
and hold the samples' names, nothing is left in the inbox, and every accepted form is archived.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from openpyxl import load_workbook

from forms import KINDS


def main() -> int:
    here = Path.cwd()
    inbox, outbox = here / "inbox", here / "outbox"
    problems = []
    left = [p for p in inbox.rglob("*") if p.is_file()]
    if left:
        problems.append(f"left in the inbox: {left}")
    register = outbox / "registers" / "困难职工档案台账.xlsx"
    cells = [c for row in load_workbook(register).active.iter_rows(values_only=True) for c in row]
    if "张示例" not in cells:
        problems.append(f"张示例 missing from {register}")
    for kind in KINDS:
        documents = sorted((outbox / "documents" / kind.title).rglob("*.docx"))
        if not documents:
            problems.append(f"no documents for {kind.key}")
    approval = next((outbox / "documents").rglob("*补助审批表-张示例.docx"), None)
    if approval is None:
        problems.append("no 补助审批表 for 张示例")
    else:
        text = "\n".join(
            cell.text
            for table in docx.Document(str(approval)).tables
            for row in table.rows
            for cell in row.cells
        )
        if "张示例" not in text or "人民币" not in text:
            problems.append(f"{approval.name} does not hold the sample's values")
    if not list((outbox / "archive").rglob("manifest.json")):
        problems.append("nothing archived")
    for problem in problems:
        print("check_office:", problem, file=sys.stderr)
    print("check_office:", "ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
