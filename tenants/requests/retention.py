"""How long a request keeps personal data, and removing it (retention and erasure).

A closed request (withdrawn, lapsed, placed, cancelled) keeps its personal data for the
loket's ``personal_data_retention_months`` after closing (``RegistryEntry.closed_at``);
then the job ``requests.anonymise_closed`` removes it. A parent who erases their account,
and loket staff erasing a desk registration's family, withdraw the open requests first
(``parts_withdraw``, through ``part_set_status``) and remove the data at once.

Removing the personal data (``request_anonymise``) blanks, in the loket's schema, the
child's names and national register number, the guardians, contact data and street, the
remarks, staff notes, the free text in the history (reasons, the child's first name) and
in offers (reasons); the date of birth keeps only its month. What the figures and the
loket's own follow-up need stays: statuses, dates, choices, offers and placements, the
municipality and postcode of residence, the age group. In the public registry the entry
keeps its child identity, loket, municipality, statuses and dates (the figures read only
these), and loses what could find the family again: its keyed hashes of the names, the
national number and the e-mail address, its family and its account. Every removal is
written to the loket's audit trail. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django_tenants.utils import tenant_context

from shared.accounts.models import User
from shared.catalogue.vocabulary import shift_months
from shared.lokets.models import Loket
from shared.registry.claim_codes import claim_codes_revoke
from shared.registry.models import PossibleDuplicate, RegistryEntry, RequestStatus
from tenants.allocation.models import Offer
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.history import CHILD_FIELD, record_withdrawn
from tenants.requests.models import (
    OPEN_CHOICE_STATUSES,
    ChildcareRequest,
    RequestChoice,
    RequestEvent,
    RequestNote,
)
from tenants.requests.parts import Part, part_set_status
from tenants.requests.withdrawal import choices_withdraw

logger = logging.getLogger(__name__)

CLOSED_STATUSES = (
    RequestStatus.PLACED,
    RequestStatus.WITHDRAWN,
    RequestStatus.LAPSED,
    RequestStatus.CANCELLED,
)
# What an anonymised request shows where the child's last name was (the field is required).
ANONYMISED_NAME = "—"
# The audit trail's action detail for a removal.
ANONYMISED_EVENT = "anonymised"
# Free text a history event may hold, by key of ``RequestEvent.details`` (a reason; a
# location's note with its answer). Only text is emptied: a note's id stays an id.
_FREE_TEXT_KEYS = ("reason", "note")


def audit_trail_kept_months() -> int:
    """How long the audit trail keeps an event: ``OPVANGLOKET_AUDIT_RETENTION_MONTHS`` (60)."""
    default = os.environ.get("OPVANGLOKET_AUDIT_RETENTION_MONTHS", "60")
    return int(getattr(settings, "AUDIT_RETENTION_MONTHS", default))


def _scrubbed_details(details: object) -> object:
    if not isinstance(details, dict):
        return details
    scrubbed = dict(details)
    for key in _FREE_TEXT_KEYS:
        if isinstance(scrubbed.get(key), str) and scrubbed[key]:
            scrubbed[key] = ""
    if scrubbed.get("field") == CHILD_FIELD:
        for side in ("from", "to"):
            value = scrubbed.get(side)
            if isinstance(value, dict) and value.get("first_name"):
                scrubbed[side] = {**value, "first_name": ""}
    return scrubbed


def request_anonymise(
    request: ChildcareRequest, *, now: datetime, actor: User | None = None, why: str = "retention"
) -> bool:
    """Remove the personal data of ``request`` (the active loket's), and of its registry entry.

    Call inside ``transaction.atomic`` with the entry and the request locked (registry
    first). False when it had been done before: nothing is written twice.
    """
    if request.anonymised_at is not None:
        return False
    loket = connection.tenant
    parent_id = request.parent_id
    request.child_first_name = ""
    request.child_last_name = ANONYMISED_NAME
    request.child_birth_date = request.child_birth_date.replace(day=1)
    request.national_number_encrypted = ""
    request.guardians = []
    request.contact_email = ""
    request.contact_phone = ""
    request.street = ""
    request.remarks = ""
    request.parent = None
    request.anonymised_at = now
    request.save(
        update_fields=[
            "child_first_name",
            "child_last_name",
            "child_birth_date",
            "national_number_encrypted",
            "guardians",
            "contact_email",
            "contact_phone",
            "street",
            "remarks",
            "parent",
            "anonymised_at",
            "updated_at",
        ]
    )
    RequestNote.objects.filter(request=request).exclude(text="").update(text="")
    # A location's note with its answer is free text too; the reason code stays (figures).
    RequestChoice.objects.filter(request=request).exclude(answer_note="").update(answer_note="")
    events = list(RequestEvent.objects.filter(request=request))
    for event in events:
        event.details = _scrubbed_details(event.details)
    RequestEvent.objects.bulk_update(events, ["details"])
    Offer.objects.filter(choice__request=request).update(decline_reason="", passed_over_reason="")
    # The family's own actions no longer say who they were; staff's views stay recorded.
    if parent_id is not None:
        AuditEvent.objects.filter(reference=request.reference, actor_id=parent_id).update(
            actor=None
        )
    # A decision on a possible duplicate may name the family in its reason.
    PossibleDuplicate.objects.filter(
        Q(entry__loket_id=loket.pk, entry__request_id=request.pk)
        | Q(other__loket_id=loket.pk, other__request_id=request.pk)
    ).exclude(decision_reason="").update(decision_reason="")
    # An erased desk registration can no longer be claimed with its receipt.
    for submission in RegistryEntry.objects.filter(
        loket_id=loket.pk, request_id=request.pk
    ).values_list("submission", flat=True):
        claim_codes_revoke(submission=submission, now=now)
    RegistryEntry.objects.filter(loket_id=loket.pk, request_id=request.pk).update(
        # Not a hash of anything: the entry can never be found by the child's names again.
        name_key=f"anonymised-{secrets.token_hex(16)}",
        national_number_key="",
        claim_email_key="",
        family_key="",
        parent=None,
        expected_birth=None,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.REQUEST,
        object_id=request.pk,
        reference=request.reference,
        details={"event": ANONYMISED_EVENT, "why": why},
        at=now,
    )
    return True


def parts_withdraw(
    parts: list[Part], *, actor: User | None, now: datetime, reason: str = ""
) -> int:
    """Withdraw every open part of ``parts`` (locked, registry first), whatever its choices.

    For erasure: unlike a parent's withdrawal (``changes.request_withdraw``) this also
    ends a request with an accepted place elsewhere open, and withdraws open offers.
    """
    withdrawn = 0
    for part in parts:
        if not part.is_open:
            continue
        with tenant_context(part.loket):
            part_set_status(part.request, status=RequestStatus.WITHDRAWN, now=now, entry=part.entry)
            choices_withdraw(
                [choice for choice in part.choices if choice.status in OPEN_CHOICE_STATUSES],
                now=now,
            )
            record_withdrawn(part.request, actor=actor, at=now, whole_request=True, reason=reason)
        withdrawn += 1
    return withdrawn


def parts_anonymise(parts: list[Part], *, actor: User | None, now: datetime, why: str) -> int:
    """Remove the personal data of every part of ``parts`` (locked, registry first)."""
    anonymised = 0
    for part in parts:
        with tenant_context(part.loket):
            anonymised += request_anonymise(part.request, now=now, actor=actor, why=why)
    return anonymised


@dataclass(frozen=True)
class RetentionRun:
    anonymised: int
    audit_events_deleted: int
    failed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "anonymised": self.anonymised,
            "audit_events_deleted": self.audit_events_deleted,
            "failed": self.failed,
        }


def months_before(now: datetime, months: int) -> datetime:
    """The same moment ``months`` earlier (on the month's last day if it is shorter)."""
    return datetime.combine(shift_months(now.date(), -months), now.timetz())


def retention_cutoff(*, loket: Loket, now: datetime) -> datetime:
    """Requests closed before this moment keep no personal data in ``loket``."""
    return months_before(now, loket.personal_data_retention_months)


def requests_anonymise_closed(*, loket: Loket, now: datetime) -> dict[str, int]:
    """Remove the personal data of ``loket``'s requests closed longer than it keeps them.

    Run in the loket's schema (the job ``requests.anonymise_closed``). Each request in its
    own transaction: one that fails is logged and tried again at the next run. Audit
    events older than ``audit_trail_kept_months`` are deleted too.
    """
    cutoff = retention_cutoff(loket=loket, now=now)
    candidates = list(
        RegistryEntry.objects.filter(
            loket=loket, status__in=CLOSED_STATUSES, closed_at__lt=cutoff
        ).values_list("request_id", flat=True)
    )
    pending = list(
        ChildcareRequest.objects.filter(pk__in=candidates, anonymised_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    anonymised = failed = 0
    for request_id in pending:
        try:
            with transaction.atomic():
                entry = (
                    RegistryEntry.objects.select_for_update(of=("self",))
                    .filter(
                        loket=loket,
                        request_id=request_id,
                        status__in=CLOSED_STATUSES,
                        closed_at__lt=cutoff,
                    )
                    .first()
                )
                if entry is None:
                    continue  # reopened meanwhile
                request = (
                    ChildcareRequest.objects.select_for_update()
                    .filter(pk=request_id, anonymised_at__isnull=True)
                    .first()
                )
                if request is not None and request_anonymise(request, now=now):
                    anonymised += 1
        except Exception:
            failed += 1
            logger.exception(
                "request not anonymised", extra={"loket": loket.slug, "request_id": request_id}
            )
    deleted, _per_model = AuditEvent.objects.filter(
        at__lt=months_before(now, audit_trail_kept_months())
    ).delete()
    return RetentionRun(
        anonymised=anonymised, audit_events_deleted=deleted, failed=failed
    ).as_dict()
