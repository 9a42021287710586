"""The receipt of a registration at the desk: what a parent without e-mail takes home.

Loket staff print it (or hand over its PDF) right after registering, and again later
from the request's page. It says what the order of the waiting lists depends on (the
date and time of registration), the reference to quote, the locations in the family's
order, the references of the same registration in other lokets, how long the request
stays open and how to follow it: online with the e-mail address given, or at the loket.
Each print is in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from shared.accounts.models import User
from shared.lokets.links import loket_url
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.models import ChildcareRequest
from tenants.requests.parts import RequestNotFound

RECEIPT_PRINTED = "receipt"


@dataclass(frozen=True)
class OtherLoketPart:
    loket: str
    reference: str


@dataclass(frozen=True)
class Receipt:
    loket: Loket
    reference: str
    registered_at: datetime
    child_first_name: str
    child_birth_date: date
    is_expected_birth: bool
    desired_start: date
    locations: list[str]
    confirmed_until: date | None
    confirmation_interval_months: int
    contact_email: str
    follow_url: str
    signup_url: str
    other_lokets: list[OtherLoketPart] = field(default_factory=list)


def request_receipt(*, loket: Loket, reference: str, actor: User, now: datetime) -> Receipt:
    """The receipt of this loket's request ``reference``; recorded as a print by ``actor``."""
    childcare_request = (
        ChildcareRequest.objects.prefetch_related("choices__location")
        .filter(reference=reference, anonymised_at__isnull=True)
        .first()
    )
    if childcare_request is None:
        raise RequestNotFound(reference)
    others = (
        RegistryEntry.objects.filter(submission=childcare_request.submission)
        .exclude(loket=loket)
        .select_related("loket")
        .order_by("loket__name")
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEWED,
        object_type=AuditEvent.ObjectType.REQUEST,
        reference=reference,
        details={"what": RECEIPT_PRINTED},
        at=now,
    )
    return Receipt(
        loket=loket,
        reference=childcare_request.reference,
        registered_at=childcare_request.registered_at,
        child_first_name=childcare_request.child_first_name,
        child_birth_date=childcare_request.child_birth_date,
        is_expected_birth=childcare_request.is_expected_birth,
        desired_start=childcare_request.desired_start,
        locations=[
            choice.location.name
            for choice in sorted(childcare_request.choices.all(), key=lambda c: c.rank)
        ],
        confirmed_until=childcare_request.confirmed_until,
        confirmation_interval_months=loket.confirmation_interval_months,
        contact_email=childcare_request.contact_email,
        follow_url=loket_url(loket=loket, path="/mijn-aanvragen/"),
        signup_url=loket_url(loket=loket, path="/account/signup/"),
        other_lokets=[
            OtherLoketPart(loket=entry.loket.name, reference=entry.reference) for entry in others
        ],
    )


def references_of_this_loket(references: list[str]) -> set[str]:
    """Which of these references are requests of the active loket (its schema)."""
    return set(
        ChildcareRequest.objects.filter(reference__in=references).values_list(
            "reference", flat=True
        )
    )
