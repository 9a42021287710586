"""Loket staff's decisions on possible duplicates, recorded in the deciding loket's audit trail.

The decisions themselves are the registry's (``shared.registry.duplicates``), which may
not import a loket app. Pages and API call these wrappers instead, so that no decision
can miss the audit trail (as ``history.py`` does for request events), and the decision
and its audit event commit together or not at all. Run in the deciding loket's schema.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from shared.accounts.models import User
from shared.lokets.selectors import current_loket
from shared.registry.duplicates import (
    child_split_family,
    duplicate_confirm,
    duplicate_of_loket,
    duplicate_reject,
    duplicate_view,
)
from shared.registry.models import PossibleDuplicate, RegistryEntry
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.parts import RequestNotFound

CONFIRMED_EVENT = "duplicate_confirmed"
REJECTED_EVENT = "duplicate_rejected"
SPLIT_EVENT = "child_split"


def _audit(
    *,
    actor: User,
    event: str,
    reference: str,
    request_id: int | None,
    at: datetime,
    duplicate_ids: list[int],
) -> None:
    # Ids and the kind only: the reason is free text and stays with the decision.
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.REQUEST,
        object_id=request_id,
        reference=reference,
        details={"event": event, "duplicate_ids": duplicate_ids},
        at=at,
    )


@transaction.atomic
def loket_duplicate_decide(
    *, duplicate_id: int, is_same_child: bool, actor: User, reason: str, now: datetime
) -> PossibleDuplicate:
    """Confirm (``is_same_child``) or reject a possible duplicate of the current loket.

    ``DuplicateNotFound`` for a duplicate without an entry here; the registry's service
    refuses the rest (PermissionDenied, ValidationError).
    """
    loket = current_loket()
    duplicate = duplicate_of_loket(loket=loket, duplicate_id=duplicate_id)
    decide = duplicate_confirm if is_same_child else duplicate_reject
    duplicate = decide(duplicate=duplicate, loket=loket, actor=actor, reason=reason, now=now)
    own = duplicate_view(duplicate=duplicate, loket=loket).own
    _audit(
        actor=actor,
        event=CONFIRMED_EVENT if is_same_child else REJECTED_EVENT,
        reference=own.reference,
        request_id=own.request_id,
        at=now,
        duplicate_ids=[duplicate.pk],
    )
    return duplicate


@transaction.atomic
def loket_child_split(
    *, reference: str, actor: User, reason: str, now: datetime
) -> list[PossibleDuplicate]:
    """Split the family of this loket's request ``reference`` off a wrongly merged child."""
    loket = current_loket()
    entry = RegistryEntry.objects.filter(loket=loket, reference=reference).first()
    if entry is None:
        raise RequestNotFound(reference)
    _child, records = child_split_family(
        entry=entry, loket=loket, actor=actor, reason=reason, now=now
    )
    _audit(
        actor=actor,
        event=SPLIT_EVENT,
        reference=entry.reference,
        request_id=entry.request_id,
        at=now,
        duplicate_ids=[record.pk for record in records],
    )
    return records
