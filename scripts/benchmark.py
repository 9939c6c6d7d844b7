"""Throughput of the pipeline on generated hardship forms; prints figures, asserts nothing.

    python scripts/benchmark.py [--batches 4] [--size 50]

Each batch drops ``size`` distinct filled forms into a fresh inbox and processes them. The
per-form time should stay flat from batch to batch while the store and the registers grow
(registers are exported once per batch, never appended per form).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms import get_kind
from forms.samples import fictional_id
from pipeline import engine
from pipeline.config import Config, Folders
from pipeline.samples import fill_xlsx


class Laps:
    """Called once per finished form: the time since the previous one."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.last = time.perf_counter()

    def __call__(self, job: engine.Job) -> None:
        now = time.perf_counter()
        self.times.append(now - self.last)
        self.last = now


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--size", type=int, default=50)
    args = parser.parse_args()
    kind = get_kind("hardship")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = Config(folders=Folders(inbox=root / "in", outbox=root / "out", state=root / "st"))
        rt = engine.open_runtime(config)
        base = kind.samples(rt.clock().date())[0].values
        print(
            f"{'batch':>5} {'forms':>5} {'make s':>7} {'total s':>8} {'ms/form':>8} "
            f"{'export s':>8} {'records':>7}"
        )
        for batch in range(args.batches):
            inbox = root / "in"
            inbox.mkdir(exist_ok=True)
            started = time.perf_counter()
            for i in range(args.size):
                n = batch * args.size + i + 1
                values = base | {
                    "id_number": fictional_id("19800315", 2 * (n % 499) + 1),
                    "name": f"张示例{n}"[:20],
                    "requested_amount": str(100 + n),
                }
                (inbox / f"f{n:05d}.xlsx").write_bytes(fill_xlsx(kind, config, values))
            made = time.perf_counter()
            lap = Laps()
            result = engine.process_batch(engine.collect_inbox(config), rt, lap)
            done = time.perf_counter()
            export_started = time.perf_counter()
            engine.export_all(rt)
            export = time.perf_counter() - export_started
            accepted = result.count("accepted")
            print(
                f"{batch + 1:>5} {accepted:>5} {made - started:>7.1f} {done - made:>8.1f} "
                f"{1000 * statistics.median(lap.times):>8.0f} {export:>8.2f} "
                f"{(batch + 1) * args.size:>7}"
            )
        rt.close()


if __name__ == "__main__":
    main()
