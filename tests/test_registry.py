"""Checks every registered kind gets for free: adding a kind to the registry covers it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from forms import KINDS
from forms.base import FormKind
from pipeline import records
from pipeline.engine import BatchResult, collect, open_runtime, process_batch
from pipeline.render import ENVIRONMENT, full_context, load_template
from pipeline.samples import write_samples
from tests.conftest import NOW, Workspace, make_config

KIND_IDS = [kind.key for kind in KINDS]


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, BatchResult]]:
    """Every sample of every kind, good and bad, processed in one batch."""
    root = tmp_path_factory.mktemp("registry")
    config = make_config(root)
    rt = open_runtime(config, clock=lambda: NOW)
    for kind in KINDS:
        write_samples(kind, config, kind.samples(NOW.date()), config.folders.inbox / kind.key)
    result = process_batch(collect([config.folders.inbox]), rt)
    yield Workspace(root, config, rt), result
    rt.close()


def jobs_of(result: BatchResult, kind: FormKind) -> list:  # type: ignore[type-arg]
    return [job for job in result.jobs if job.subfolder == kind.key]


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_kind_has_good_and_bad_samples(kind: FormKind) -> None:
    samples = kind.samples(NOW.date())
    assert any(s.good for s in samples) and any(not s.good for s in samples)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_samples_built_from_the_blank_form_are_accepted_or_rejected_as_meant(
    kind: FormKind, processed: tuple[Workspace, BatchResult]
) -> None:
    _, result = processed
    samples = kind.samples(NOW.date())
    outcomes = {job.name: job for job in jobs_of(result, kind)}
    for sample in samples:
        job = next(j for n, j in outcomes.items() if n.startswith(sample.name))
        if sample.good:
            assert job.outcome == "accepted", [p.sentence() for p in job.problems] or job.message
        else:
            assert job.outcome == "rejected" and job.problems, job.message


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_template_variables_are_all_supplied(
    kind: FormKind, processed: tuple[Workspace, BatchResult]
) -> None:
    ws, _ = processed
    views = records.all_views(ws.rt.store)[kind.key]
    assert views, "no accepted sample to build a context from"
    for record in views:
        context = full_context(kind, ws.config, record, NOW.date())
        for document in kind.documents:
            template = load_template(ws.config, document.template)
            missing = template.get_undeclared_template_variables(ENVIRONMENT, context)
            assert missing == set(), f"{document.template}: {sorted(missing)}"


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_every_register_column_maps_to_a_value(kind: FormKind) -> None:
    for register in kind.registers:
        for column in register.columns:
            assert register.value_types.get(column.key) or kind.value_type(column.key), (
                f"{register.title}: column {column.key!r} is neither a field nor a derived value"
            )
        if register.highlight:
            assert register.value_types.get(register.highlight) or kind.value_type(
                register.highlight
            )


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_documents_exist_for_every_accepted_sample(
    kind: FormKind, processed: tuple[Workspace, BatchResult]
) -> None:
    _ws, result = processed
    for job in jobs_of(result, kind):
        if job.outcome == "accepted":
            assert [Path(p).name for p in job.documents] and len(job.documents) == len(
                kind.documents
            )
            assert all(p.stat().st_size > 0 for p in job.documents)
