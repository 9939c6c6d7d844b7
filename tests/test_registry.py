"""Checks every registered kind gets for free: adding a kind to the registry covers it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from forms import KINDS, get_kind
from forms.base import FormKind
from pipeline import records
from pipeline.cli import main
from pipeline.engine import BatchResult, collect_inbox, open_runtime, process_batch
from pipeline.render import ENVIRONMENT, full_context, load_template
from pipeline.samples import run_samples, sample_rounds
from tests.conftest import NOW, Workspace, make_config

KIND_IDS = [kind.key for kind in KINDS]


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, BatchResult]]:
    """Every sample of every kind, good and bad, processed in one batch."""
    root = tmp_path_factory.mktemp("registry")
    config = make_config(root)
    rt = open_runtime(config, clock=lambda: NOW)
    inbox = config.folders.inbox
    run = run_samples(
        config,
        NOW.date(),
        inbox,
        lambda: process_batch(collect_inbox(config), rt),
        per_kind_folders=True,
    )
    yield Workspace(root, config, rt), BatchResult(jobs=run.jobs)
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
    for register in (*kind.registers, *(listing.register for listing in kind.listings)):
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


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_a_child_kind_names_a_parent_kind_and_its_key(kind: FormKind) -> None:
    if kind.parent is None:
        return
    parent = get_kind(kind.parent.kind)
    assert parent.serial_prefix, "a parent must have serials for its children to name"
    assert kind.parent.key in {spec.key for spec in kind.model.field_defs()}
    assert KINDS.index(parent) < KINDS.index(kind), "the batch must number the parent first"
    assert [k.key for k in sample_rounds()[0]] == [k.key for k in KINDS if k.parent is None]


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_listing_commands_are_unique_and_documented(kind: FormKind) -> None:
    commands = [listing.command for k in KINDS for listing in k.listings]
    assert len(commands) == len(set(commands))
    for listing in kind.listings:
        assert listing.help and listing.empty and listing.command in main.commands


def test_every_kind_has_an_accepted_sample_in_the_batch(
    processed: tuple[Workspace, BatchResult],
) -> None:
    _, result = processed
    accepted = {job.kind.key for job in result.jobs if job.outcome == "accepted" and job.kind}
    assert accepted == set(KIND_IDS)
