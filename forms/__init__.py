"""The form kinds, registered in one tuple. Adding a kind means adding its module here."""

from __future__ import annotations

from forms import (
    accident,
    fp_pledge,
    fp_visit,
    hardship,
    hardship_review,
    hazard,
    hazard_followup,
    proposal,
    proposal_review,
    visit,
)
from forms.base import FormKind, link_kinds

# Registry order is processing order within a batch: a hazard comes before its follow-ups.
KINDS: tuple[FormKind, ...] = (
    hardship.KIND,
    hazard.KIND,
    hazard_followup.KIND,
    accident.KIND,
    fp_pledge.KIND,
    visit.KIND,
    hardship_review.KIND,
    fp_visit.KIND,
    proposal.KIND,
    proposal_review.KIND,
)
link_kinds(KINDS)


class UnknownKind(KeyError):
    """No registered form kind has this key."""


def get_kind(key: str) -> FormKind:
    for kind in KINDS:
        if kind.key == key:
            return kind
    raise UnknownKind(key)
