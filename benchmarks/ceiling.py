"""What this machine gives two processes at this moment: the ceiling of any pool's speed-up.

A shared or virtual machine may count two cores and give far less than two cores' work (a
neighbour's build, a host that shares its cores). Two processes doing pure Python arithmetic,
which share nothing, show what the machine gives: their speed-up over one process doing both
halves is the most the worker pool can reach, measured just before and after it.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor

WORK = 15_000_000  # about a second of arithmetic per half on this kind of machine


def _spin(count: int) -> int:
    total = 0
    for number in range(count):
        total += number
    return total


def ceiling(processes: int = 2) -> float:
    """The speed-up of ``processes`` processes over one on work that shares nothing."""
    started = time.perf_counter()
    for _ in range(processes):
        _spin(WORK)
    alone = time.perf_counter() - started
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_spin, [1] * processes))  # started before the clock
        started = time.perf_counter()
        list(pool.map(_spin, [WORK] * processes))
        together = time.perf_counter() - started
    return alone / together
