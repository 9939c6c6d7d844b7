"""How long ``unionforms generate pledges`` takes for a roster of N units (default 500).

Not a test: it prints figures. Each unit gets a pre-filled .xlsx and .docx form and the printed
pledge (.docx); the run is timed end to end through the command line, in a fresh folder.

    python benchmarks/pledge_batch.py [--units 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook


def roster(path: Path, units: int) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "负责人"])
    for number in range(units):
        ws.append([f"示例单位{number:04d}", f"示例{number:04d}号"])
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=500)
    units = parser.parse_args().units
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        command = [sys.executable, "-m", "pipeline"]
        subprocess.run([*command, "init", str(root)], check=True, capture_output=True)
        roster(root / "名单.xlsx", units)
        started = time.perf_counter()
        subprocess.run(
            [*command, "generate", "pledges", "--roster", "名单.xlsx", "--year", "2027"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
        made = sum(1 for _ in (root / "outbox" / "generated").rglob("*.*x"))
    load = os.getloadavg()[0]
    print(
        f"units {units}  files {made}  seconds {seconds:.1f}  ms/unit {1000 * seconds / units:.0f}"
    )
    print(f"load average at the end: {load:.2f} (2 cores; other work on the machine slows this)")


if __name__ == "__main__":
    main()
