"""How fast unionforms is, measured as a new user would: figures printed and written as JSON.

    python -m benchmarks.bench [--forms 80] [--growth 10000,100000] [--skip pool,watch] ...

Run from the checkout with the package installed (``pip install -e .``). Nothing is
asserted: this is not a test, and no test is timed. Sections:

templates  the built-in templates prepared with the template cache empty, and read back
        from it; every run after uses that cache, warm, as an office's runs do after its first.
kinds   per kind, ``--forms`` distinct filled forms (``benchmarks.makeforms``) processed by
        ``unionforms process`` in a fresh folder, end to end (the process start included);
        the same forms through the engine in this process, for the time of each stage; and
        the floor (``benchmarks.floor``): openpyxl and plain docxtpl on the same forms. The
        ratio is pipeline / floor, per form.
pool    every kind's forms in one batch, with one process and with the default pool, in
        turns ``--rounds`` times; the best time of each, and the CPU time of each. Then the
        ceiling: what the machine gives as many processes sharing nothing — the same batch
        run by one process in as many folders at once, against one run alone; and, before
        and after, bare arithmetic and openpyxl loading and saving the same forms
        (``benchmarks.ceiling``).
growth  ``--growth-forms`` new forms after the store was filled with 0 and each ``--growth``
        number of records (``benchmarks.growth``), each on a fresh copy of the filled folder,
        the sizes in turns ``--growth-rounds`` times (a run is short: a few seconds against
        the minutes of filling); per-form cost at each size, the best kept, and the median
        (runs of one size differ by up to a fifth on this kind of machine, more than the
        10 % looked for: one lucky run is less likely among nine than among five).
watch   ``unionforms watch`` on a trickle of forms: p50 and p95 latency from a file complete
        in the inbox to its documents in the outbox.

Every run has a folder of its own, and nothing is deleted before the end (the temporary
folder then; one given with ``--dir`` is kept): on a file system without a journal, as this
machine's ext4 is, a new file is placed past the files deleted in the last minutes, and a
run that followed the deletion of the previous run's 15,000 files spent a sixth of its CPU
time there. unionforms' own modules are byte-compiled first, as a wheel's are when
installed. The load average of the machine is recorded at the start of every section:
figures taken on a busy machine are not worth comparing. ``--quiet`` waits for the load to
fall below it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.ceiling import ceiling
from benchmarks.floor import floor_seconds
from benchmarks.growth import prefill, seed_indexes, seed_rows
from benchmarks.makeforms import make_forms
from benchmarks.runs import (
    Timed,
    byte_compiled,
    cli_command,
    cli_process,
    cli_run,
    copied_folder,
    drop,
    inprocess_run,
    stored_records,
    working_folder,
)
from benchmarks.watchlatency import watch_latency
from forms import KINDS, get_kind
from forms.base import FormKind
from pipeline import render
from pipeline.config import Config
from pipeline.pool import pool_size

Forms = list[tuple[str, bytes]]
STAGES = ("read", "check", "number", "render", "archive", "release", "export")
SHOWN = {"check": "validate", "load": "intake", "screen_file": "intake"}


def load_now() -> float:
    return round(os.getloadavg()[0], 2)


def wait_quiet(threshold: float | None, patience: float) -> float:
    """The load average, after waiting up to ``patience`` seconds for it to fall below
    ``threshold``."""
    deadline = time.monotonic() + patience
    while threshold is not None and load_now() >= threshold and time.monotonic() < deadline:
        print(f"  (load {load_now()}, waiting for it to fall below {threshold})", flush=True)
        time.sleep(30)
    return load_now()


def _setup_parents(config: Config, kind: FormKind, forms: dict[str, Forms]) -> list[Any]:
    if kind.parent is None:
        return []
    inprocess_run(config, forms[kind.parent.kind], workers=False)
    return stored_records(config, kind.parent.kind)


def templates_section(root: Path) -> dict[str, Any]:
    """Every built-in template prepared with the template cache empty (an installation's first
    run pays that once), then read back from it as every later run does. From here on, every
    run of this benchmark uses that cache (``pipeline.template_cache``), warm."""
    os.environ["XDG_CACHE_HOME"] = os.environ["LOCALAPPDATA"] = str(root / "cache")
    names = sorted(p.name for p in render.builtin_templates().iterdir() if p.name.endswith(".docx"))
    seconds = []
    for _ in range(2):
        render._prepared.cache_clear()  # as a new process
        started = time.perf_counter()
        for name in names:
            render.prepared_template(Config(), name)
        seconds.append(time.perf_counter() - started)
    print(
        f"templates: {len(names)} prepared in {seconds[0]:.2f} s with the cache empty,"
        f" read back from it in {1000 * seconds[1]:.0f} ms",
        flush=True,
    )
    return {
        "templates": len(names),
        "prepared_s": round(seconds[0], 3),
        "read_back_s": round(seconds[1], 4),
    }


def kinds_section(root: Path, count: int, today: date) -> tuple[dict[str, Any], dict[str, Forms]]:
    made: dict[str, Forms] = {}
    figures: dict[str, Any] = {}
    for kind in KINDS:
        cli_config = working_folder(root / kind.key / "cli")
        here_config = working_folder(root / kind.key / "here")
        parents = _setup_parents(cli_config, kind, made)
        _setup_parents(here_config, kind, made)
        forms = made[kind.key] = make_forms(kind, Config(), today, count, parents or None)
        load = load_now()
        cli = cli_run(cli_config, forms)
        here, jobs = inprocess_run(here_config, forms)
        floor = floor_seconds(here_config, jobs, dict(forms), root / kind.key / "floor")
        figures[kind.key] = kind_figures(cli, here, floor, load)
        show_kind(kind, figures[kind.key])
    return figures, made


def forms_only(root: Path, count: int, today: date) -> dict[str, Forms]:
    """The forms ``kinds_section`` makes, without timing anything (``--skip kinds``)."""
    made: dict[str, Forms] = {}
    for kind in KINDS:
        parents = _setup_parents(working_folder(root / kind.key / "forms"), kind, made)
        made[kind.key] = make_forms(kind, Config(), today, count, parents or None)
    return made


def kind_figures(cli: Timed, here: Timed, floor: float, load: float) -> dict[str, Any]:
    per_stage = {name: 1000 * seconds / here.forms for name, seconds in here.stages.items()}
    floor_ms = 1000 * floor / cli.forms
    return {
        "forms": cli.forms,
        "end_to_end_ms_per_form": round(cli.ms_per_form, 1),
        "forms_per_second": round(1000 / cli.ms_per_form, 1),
        "peak_rss_mb": round(cli.peak_rss_mb, 1),
        "in_process_ms_per_form": round(here.ms_per_form, 1),
        "stage_ms_per_form": {k: round(v, 2) for k, v in per_stage.items()},
        "floor_ms_per_form": round(floor_ms, 1),
        "ratio_to_floor": round(cli.ms_per_form / floor_ms, 2),
        "load_average": load,
    }


def show_kind(kind: FormKind, figures: dict[str, Any]) -> None:
    stages = figures["stage_ms_per_form"]
    main = "  ".join(f"{SHOWN.get(name, name)} {stages.get(name, 0):.1f}" for name in STAGES)
    print(
        f"{kind.key:16} {figures['forms']:4} forms  {figures['forms_per_second']:6.1f} forms/s"
        f"  {figures['end_to_end_ms_per_form']:6.1f} ms/form  floor"
        f" {figures['floor_ms_per_form']:6.1f}  ratio {figures['ratio_to_floor']:.2f}"
        f"  peak {figures['peak_rss_mb']:.0f} MB  (load {figures['load_average']})\n"
        f"{'':16} stages ms/form: {main}",
        flush=True,
    )


def pool_section(root: Path, made: dict[str, Forms], rounds: int) -> dict[str, Any]:
    """The batch with one process and with the pool, in turns, ``rounds`` times each, each
    run in a folder of its own; the best time of each (a shared machine only ever makes a
    run slower). Then the machine's ceiling for this very work: as many one-process runs of
    the whole batch at once, in folders of their own, against one run alone."""
    batch = [form for kind in KINDS for form in made[kind.key]]
    load = load_now()
    size = pool_size(Config())
    sample = [data for _, data in batch[:: max(1, len(batch) // 240)]]
    ceilings = [ceiling(sample, size)]
    timed: dict[int, Timed] = {}
    for turn in range(rounds):
        for workers in (1, 0):
            run = cli_run(working_folder(root / f"workers-{workers}-{turn}", workers), batch)
            if workers not in timed or run.seconds < timed[workers].seconds:
                timed[workers] = run
    together = side_by_side(root, batch, size)
    ceilings.append(ceiling(sample, size))
    speedup = timed[1].seconds / timed[0].seconds
    same_work = size * timed[1].seconds / together
    got = {name: [c[name] for c in ceilings] for name in ceilings[0]}
    print(
        f"pool: {len(batch)} forms of every kind in one batch: one process"
        f" {timed[1].ms_per_form:.1f} ms/form ({timed[1].cpu_seconds:.1f} CPU-s), {size}"
        f" workers {timed[0].ms_per_form:.1f} ms/form ({timed[0].cpu_seconds:.1f} CPU-s),"
        f" speed-up {speedup:.2f}x  (load {load})\n"
        f"      ceiling, {size} processes sharing nothing: the same batch run {size} times"
        f" at once in folders of their own {same_work:.2f}x; bare arithmetic before/after"
        f" {got['arithmetic'][0]:.2f}x/{got['arithmetic'][1]:.2f}x, openpyxl loading and"
        f" saving {len(sample)} of the forms {got['libraries'][0]:.2f}x/"
        f"{got['libraries'][1]:.2f}x",
        flush=True,
    )
    return {
        "forms": len(batch),
        "one_process_ms_per_form": round(timed[1].ms_per_form, 1),
        "one_process_cpu_seconds": round(timed[1].cpu_seconds, 1),
        "workers": size,
        "pool_ms_per_form": round(timed[0].ms_per_form, 1),
        "pool_cpu_seconds": round(timed[0].cpu_seconds, 1),
        "speedup": round(speedup, 2),
        "same_batch_side_by_side": round(same_work, 2),
        "machine_ceiling": ceilings,
        "rounds": rounds,
        "load_average": load,
    }


def side_by_side(root: Path, batch: Forms, count: int) -> float:
    """Seconds for ``count`` one-process runs of the whole batch at once, each in a folder
    of its own: the pool's work with nothing shared (no store, no order, no messages)."""
    folders = [working_folder(root / f"alone-{index}", 1) for index in range(count)]
    for config in folders:
        drop(config, batch)
    started = time.perf_counter()
    with ThreadPoolExecutor(count) as runs:
        list(runs.map(lambda config: cli_process(config, len(batch)), folders))
    return time.perf_counter() - started


def growth_section(
    root: Path, sizes: list[int], count: int, made: dict[str, Forms], today: date, rounds: int
) -> list[dict[str, Any]]:
    """The same new forms after the store was filled with 0 and each of ``sizes`` records,
    each size's folder copied afresh for every run; the sizes in turns, ``rounds`` times, the
    best time of each kept, and the median (this machine's speed drifts by more than the
    10 % looked for)."""
    seed = working_folder(root / "seed")
    seed_forms = [form for kind in KINDS for form in made[kind.key][:2]]
    inprocess_run(seed, seed_forms, workers=False)
    seeds, indexes = seed_rows(seed), seed_indexes(seed)
    roots = [kind for kind in KINDS if kind.parent is None]
    forms = [
        form
        for kind in roots
        for form in make_forms(kind, Config(), today, count // len(roots) + 200)[200:]
    ]
    filled: dict[int, tuple[Config, float]] = {}
    for size in [0, *sizes]:
        config = working_folder(root / f"filled-{size}")
        prefill(config, seeds, size, today.year, indexes)
        # The office's registers were exported as those records came in: export them once,
        # untimed, as they would be before the next batch arrives.
        filled[size] = config, cli_command(config, "registers")
    runs: dict[int, list[float]] = {size: [] for size in filled}
    loads: dict[int, float] = {}
    for turn in range(rounds):
        for size, (config, _exported) in filled.items():
            here = copied_folder(config, root / f"growth-{size}-{turn}")
            # Filling the store wrote its 100 MB in seconds, as no office does: written back
            # to disk while the batch runs, it made each of the batch's fsyncs wait (2 s).
            os.sync()
            loads[size] = load_now()
            runs[size].append(cli_run(here, forms).ms_per_form)
    results = []
    for size, (_config, exported) in filled.items():
        best, middle = min(runs[size]), statistics.median(runs[size])
        results.append(
            {
                "records_before": size,
                "forms": len(forms),
                "first_export_seconds": round(exported, 1),
                "ms_per_form": round(best, 1),
                "median_ms_per_form": round(middle, 1),
                "all_ms_per_form": [round(ms, 1) for ms in runs[size]],
                "rounds": rounds,
                "load_average": loads[size],
            }
        )
        print(
            f"growth: {size:7} records before, {len(forms)} new forms:"
            f" {best:.1f} ms/form, best of {rounds} (median {middle:.1f})  (load {loads[size]})",
            flush=True,
        )
    return results


def watch_section(root: Path, count: int, today: date) -> dict[str, Any]:
    config = working_folder(root / "watch")
    forms = make_forms(get_kind("hardship"), Config(), today, count)
    load = load_now()
    latency = watch_latency(config, forms, pause=0.5)
    print(
        f"watch: {count} forms one at a time: p50 {latency.p50:.2f} s, p95 {latency.p95:.2f} s"
        f" (stability delay {latency.stability:g} s)  (load {load})",
        flush=True,
    )
    return {
        "forms": count,
        "p50_seconds": round(latency.p50, 3),
        "p95_seconds": round(latency.p95, 3),
        "stability_seconds": latency.stability,
        "all_seconds": [round(s, 3) for s in latency.seconds],
        "load_average": load,
    }


def overall(figures: dict[str, Any]) -> dict[str, Any]:
    forms = sum(f["forms"] for f in figures.values())
    pipeline = sum(f["end_to_end_ms_per_form"] * f["forms"] for f in figures.values())
    floor = sum(f["floor_ms_per_form"] * f["forms"] for f in figures.values())
    return {"forms": forms, "ratio_to_floor": round(pipeline / floor, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=80, help="forms per kind")
    parser.add_argument("--growth", default="10000,100000", help="records to pre-fill")
    parser.add_argument("--growth-forms", type=int, default=200)
    parser.add_argument("--watch-forms", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each (pool), best kept")
    parser.add_argument(
        "--growth-rounds", type=int, default=9, help="runs of each size (growth), best kept"
    )
    parser.add_argument("--skip", default="", help="sections to skip: kinds,pool,growth,watch")
    parser.add_argument("--quiet", type=float, default=None, help="wait for a load below this")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results.json"))
    parser.add_argument("--dir", type=Path, default=None, help="working folder (default: temp)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    root = args.dir or Path(tempfile.mkdtemp(prefix="unionforms-bench-"))
    today = date.today()
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": wait_quiet(args.quiet, 1800),
        },
        "date": today.isoformat(),
    }
    print(f"unionforms benchmark in {root}; load {results['machine']['load_average_at_start']}")
    byte_compiled()
    results["templates"] = templates_section(root / "templates")
    if "kinds" in skip:
        made = forms_only(root / "kinds", args.forms, today)
    else:
        results["kinds"], made = kinds_section(root / "kinds", args.forms, today)
        results["overall"] = overall(results["kinds"])
        print(f"all kinds: ratio to the floor {results['overall']['ratio_to_floor']:.2f}")
    if "pool" not in skip:
        wait_quiet(args.quiet, 600)
        results["pool"] = pool_section(root / "pool", made, args.rounds)
    if "growth" not in skip:
        sizes = [int(size) for size in args.growth.split(",") if size]
        results["growth"] = growth_section(
            root / "growth", sizes, args.growth_forms, made, today, args.growth_rounds
        )
    if "watch" not in skip:
        wait_quiet(args.quiet, 600)
        results["watch"] = watch_section(root / "watch", args.watch_forms, today)
    results["machine"]["load_average_at_end"] = load_now()
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written: {args.json}")
    if args.dir is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
