"""``process_files`` with a worker pool (``pipeline.pool``).

Intake: each file is loaded here (its hash, its submission, an accepted duplicate found) and
read by a worker meanwhile (screened, identified, its values taken out). Then each form is
checked and numbered here in turn, exactly as in a serial run, while the workers write the
documents and archive copies of the forms before it; forms are finished (recorded, released,
reported) in the same order. What a worker finds is taken up when one process would have
found it (a file that is no form at intake, a file that cannot be read at its turn), so a
batch gives the same serials, outputs and console lines with or without workers. At most two
files per worker are in hand at once (their bytes travel to the worker). A locked store stops
the batch after the workers' files are written (those forms resume on the next run); a second
Ctrl+C stops the workers at once (so do they).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from functools import partial

from pipeline import engine, pool
from pipeline.engine import STOPPED, BatchResult, _isolated, accept, reject, run_stages
from pipeline.inputs import Source
from pipeline.job import Job
from pipeline.pool import Done
from pipeline.runtime import Runtime
from pipeline.stages import INTAKE, PARSING_STAGES, number

Stage = Callable[[Job, Runtime], None]
# Intake's stages left once a worker has read the file (noting its kind in the store).
AFTER_READING = tuple(stage for stage in INTAKE[1:] if stage not in PARSING_STAGES)
AT_INTAKE = frozenset(stage.__name__ for stage in INTAKE)


def split_stages() -> tuple[tuple[Stage, ...], tuple[Stage, ...]]:
    """The stages up to numbering, which run in order here, and the output stages after it,
    which write files only and may run in a worker (``pipeline.pool``)."""
    stages = tuple(engine.STAGES)  # as the engine has them (tests replace some)
    if number not in stages:
        return stages, ()
    cut = stages.index(number) + 1
    return stages[:cut], stages[cut:]


class PooledBatch:
    """One batch through the worker pool (see the module docstring)."""

    def __init__(
        self,
        rt: Runtime,
        result: BatchResult,
        on_done: Callable[[Job], None] | None,
        should_stop: Callable[[], bool],
    ) -> None:
        assert rt.pool is not None
        self.rt, self.pool = rt, rt.pool
        self.result, self.on_done, self.should_stop = result, on_done, should_stop
        self.in_hand = 2 * self.pool.size
        self.reading: dict[int, Future[Done]] = {}  # files read by workers at intake
        self.running: set[Future[Done]] = set()  # of those, the ones not read yet
        self.read: dict[int, Done] = {}  # readings taken up at the form's turn
        self.writing: dict[int, Future[Done]] = {}  # outputs being written

    # -- intake --------------------------------------------------------------------------

    def take_in(self, sources: list[Source]) -> list[Job]:
        """``engine._take_in`` with the files read in the workers: the forms ready to number."""
        loaded: list[tuple[Job, bool]] = []
        for source in sources:
            if self.should_stop():
                self.result.stopped = STOPPED
                break
            job = Job.from_source(source, self.rt.clock())
            self.result.jobs.append(job)
            _keep_fewer(self.running, self.in_hand)
            loaded.append((job, _isolated(job, self.rt, self._load)))
        ready = []
        for job, going in loaded:
            if going and _isolated(job, self.rt, self._take_reading):
                ready.append(job)
            elif self.on_done and job.outcome != "skipped":
                self.on_done(job)
        return ready

    def _load(self, job: Job, rt: Runtime) -> bool:
        """Intake's first stage here, the reading in a worker; a form an interrupted run
        numbered is known already, and its intake runs here whole."""
        if not run_stages(job, rt, INTAKE[:1]) or job.outcome == "skipped":
            return False
        if job.resumed_stage or job.record is not None:
            return run_stages(job, rt, INTAKE[1:])
        self.reading[id(job)] = future = self.pool.submit(job, PARSING_STAGES)
        self.running.add(future)
        return True

    def _take_reading(self, job: Job, rt: Runtime) -> bool:
        """A worker's reading of the file: what intake would have found is taken up now,
        what the reading stage would have found waits for the form's turn."""
        future = self.reading.pop(id(job), None)
        if future is None:
            return True
        done = future.result()
        pool.apply(job, done, rt.timings)
        if done.converted:
            rt.converter.remember(job.sha256, job.fmt, done.converted)
        if done.stopped_at in AT_INTAKE:
            rejection = pool.failure(job, done)
            if rejection is not None:
                return _returned(job, rt, rejection)
        elif done.stopped_at:
            self.read[id(job)] = done
        return run_stages(job, rt, AFTER_READING)

    # -- numbering and outputs -----------------------------------------------------------

    def finish(self, ready: list[Job]) -> None:
        """Each form checked and numbered here in turn while the workers write the documents
        of the forms before it; forms are finished in the same order."""
        waiting: deque[Job] = deque()
        try:
            for job in ready:
                if self.should_stop():
                    self.result.stopped = STOPPED
                    break
                _isolated(job, self.rt, self._number_then_submit)
                waiting.append(job)
                self._finish_in_order(waiting, self.in_hand)
            self._finish_in_order(waiting, 0)
        except engine.StoreLocked:
            wait(self.writing.values())  # nothing keeps writing after the batch; they resume
            raise
        except BaseException:  # a second Ctrl+C: stop the workers too, the forms resume
            self.pool.kill()
            raise

    def _number_then_submit(self, job: Job, rt: Runtime) -> bool:
        """``engine._finish`` up to numbering; the output stages go to a worker."""
        in_order, output = split_stages()
        if not engine.resume_or_reload(job, rt):
            return True
        reading = self.read.pop(id(job), None)
        if reading is not None:  # the file could not be read: as the reading stage says
            rejection = pool.failure(job, reading)
            return _returned(job, rt, rejection) if rejection else True
        if run_stages(job, rt, in_order):
            self.writing[id(job)] = self.pool.submit(job, output)
        return True

    def _finish_in_order(self, waiting: deque[Job], keep: int) -> None:
        """Finish the forms at the head of ``waiting`` whose outputs are written, waiting for
        them while more than ``keep`` forms are in hand."""
        while waiting:
            future = self.writing.get(id(waiting[0]))
            if future is not None and not future.done() and len(waiting) <= keep:
                return
            job = waiting.popleft()
            if future is not None:
                del self.writing[id(job)]
                _isolated(job, self.rt, partial(_accept, future=future))
            if self.on_done and job.outcome != "skipped":
                self.on_done(job)


def _accept(job: Job, rt: Runtime, future: Future[Done]) -> bool:
    rejection = pool.outcome(job, future.result(), rt.timings)
    if rejection is not None:
        return _returned(job, rt, rejection)
    accept(job, rt)
    return True


def _returned(job: Job, rt: Runtime, rejection: engine.FormRejected) -> bool:
    """Return a file a worker found wrong, from its bytes read again when this process has
    forgotten them (a file changed meanwhile is left for the next run instead)."""
    if job.data or engine.reload(job, rt):
        reject(job, rt, rejection)
    return False


def _keep_fewer(running: set[Future[Done]], most: int) -> None:
    """Wait until fewer than ``most`` of ``running`` still run: each holds a file's bytes."""
    running -= {future for future in running if future.done()}
    while len(running) >= most:
        running -= wait(running, return_when=FIRST_COMPLETED).done
