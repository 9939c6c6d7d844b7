"""The form kinds, registered in one tuple. Adding a kind means adding its module here."""

from __future__ import annotations

from forms import (
    accident,
    equipment,
    equipment_loan,
    fp_pledge,
    fp_visit,
    hardship,
    hardship_review,
    hazard,
    hazard_followup,
    model_worker,
    motion,
    motion_reply,
    proposal,
    proposal_review,
    visit,
)
from forms.base import FormKind
from forms.links import link_kinds

# Registry order is processing order within a batch: a record comes before its follow-ups
# (a hazard before its 整改回执, a hardship file before its visits and reviews).
KINDS: tuple[FormKind, ...] = (
    hardship.KIND,
    visit.KIND,
    hardship_review.KIND,
    hazard.KIND,
    hazard_followup.KIND,
    accident.KIND,
    fp_pledge.KIND,
    fp_visit.KIND,
    proposal.KIND,
    proposal_review.KIND,
    motion.KIND,
    motion_reply.KIND,
    model_worker.KIND,
    equipment.KIND,
    equipment_loan.KIND,
)
link_kinds(KINDS)


class UnknownKind(KeyError):
    """No registered form kind has this key."""


def get_kind(key: str) -> FormKind:
    for kind in KINDS:
        if kind.key == key:
            return kind
    raise UnknownKind(key)
