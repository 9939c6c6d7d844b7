"""What this machine gives two processes at this moment: the ceiling of any pool's speed-up.

A shared or virtual machine may count two cores and give far less than two cores' work (a
neighbour's build, a host that shares its cores), and work that churns memory (parsing and
writing XML, compressing) gains less from a second core than arithmetic does. Two measures,
each the speed-up of processes that share nothing over one process doing all the work:

- ``arithmetic``: pure Python additions, what the cores give at best;
- ``libraries``: openpyxl loading and saving the benchmark's own forms — the bare libraries'
  work, split in halves with no store, no order and no messages between the processes.

The pool's speed-up is read against these, measured in the same run.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from openpyxl import load_workbook

WORK = 15_000_000  # about a second of arithmetic per half on this kind of machine


def _spin(count: int) -> int:
    total = 0
    for number in range(count):
        total += number
    return total


def _load_and_save(forms: Sequence[bytes]) -> int:
    for data in forms:
        load_workbook(io.BytesIO(data)).save(io.BytesIO())
    return len(forms)


def _speedup(work: Callable[[Any], int], shares: list[Any], whole: list[Any]) -> float:
    started = time.perf_counter()
    for share in whole:
        work(share)
    alone = time.perf_counter() - started
    with ProcessPoolExecutor(len(shares)) as pool:
        list(pool.map(_spin, [1] * len(shares)))  # started before the clock
        started = time.perf_counter()
        list(pool.map(work, shares))
        together = time.perf_counter() - started
    return alone / together


def ceiling(forms: Sequence[bytes], processes: int = 2) -> dict[str, float]:
    """The speed-up of ``processes`` processes over one: on arithmetic, and on openpyxl
    loading and saving ``forms`` (a share each)."""
    shares = [list(forms[index::processes]) for index in range(processes)]
    return {
        "arithmetic": round(_speedup(_spin, [WORK] * processes, [WORK] * processes), 2),
        "libraries": round(_speedup(_load_and_save, shares, [list(forms)]), 2),
    }
