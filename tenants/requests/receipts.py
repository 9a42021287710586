"""The receipt of a registration at the desk: what a parent without e-mail takes home.

Loket staff print it (or hand over its PDF) right after registering, and again later
from the request's page. It says what the order of the waiting lists depends on (the
date and time of registration), the reference to quote, the locations in the family's
order, the references of the same registration in other lokets, how long the request
stays open and how to follow it: online with the e-mail address given, or at the loket.
Each print is in the audit trail.

A request no account holds yet carries a claim code (``tenants.requests.claim_codes``)
on the receipt printed when the code is issued: the registry keeps only its hash, so the
plain code is kept for a while in the staff member's session, encrypted
(``receipt_codes_remember``), just long enough to show and print that receipt and its
PDF (``CLAIM_CODE_SHOWN_SECONDS``), and only while it is still the request's live code.
A parent's own download of the receipt never holds a code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from opvangloket.crypto import decrypt_text, encrypt_text
from opvangloket.downloads import download_name
from shared.accounts.models import User
from shared.lokets.links import loket_url
from shared.lokets.models import Loket
from shared.registry.claim_codes import IssuedCode, claim_code_live
from shared.registry.models import RegistryEntry
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.models import ChildcareRequest
from tenants.requests.parts import RequestNotFound

RECEIPT_PRINTED = "receipt"
# Where the staff member's session keeps the codes just issued (reference -> code, encrypted).
CLAIM_CODES_SESSION_KEY = "receipt_claim_codes"
# How long after its issue the receipt (page and PDF) shows a code, in that session.
CLAIM_CODE_SHOWN_SECONDS = 60 * 60
CLAIM_PATH = "/mijn-aanvragen/koppelen/"


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
    # The parent account that holds the request ("" for a desk registration without one).
    account_email: str = ""
    other_lokets: list[OtherLoketPart] = field(default_factory=list)
    submission: uuid.UUID | None = None
    # No account holds the request yet: it can be claimed with a code (on claim_url).
    is_claimable: bool = False
    claim_url: str = ""
    # Only on the receipt printed when the code was issued.
    claim_code: str = ""
    claim_code_expires_at: datetime | None = None


def request_receipt(*, loket: Loket, reference: str, actor: User, now: datetime) -> Receipt:
    """The receipt of this loket's request ``reference``; recorded as a print by ``actor``."""
    childcare_request = (
        ChildcareRequest.objects.select_related("parent")
        .prefetch_related("choices__location")
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
        account_email=childcare_request.parent.email if childcare_request.parent else "",
        other_lokets=[
            OtherLoketPart(loket=entry.loket.name, reference=entry.reference) for entry in others
        ],
        submission=childcare_request.submission,
        is_claimable=childcare_request.parent_id is None,
        claim_url=loket_url(loket=loket, path=CLAIM_PATH),
    )


def receipt_codes_remember(*, session: Any, codes: dict[str, IssuedCode], now: datetime) -> None:
    """Keep the codes just issued (reference → code) in this session, to print them once."""
    kept = _live_session_codes(session, now=now)
    for reference, issued in codes.items():
        kept[reference] = {
            "code": encrypt_text(issued.code),
            "expires_at": issued.expires_at.isoformat(),
            "issued": now.timestamp(),
        }
    session[CLAIM_CODES_SESSION_KEY] = kept


def _live_session_codes(session: Any, *, now: datetime) -> dict[str, dict]:
    kept = session.get(CLAIM_CODES_SESSION_KEY) or {}
    return {
        reference: item
        for reference, item in kept.items()
        if now.timestamp() - item.get("issued", 0) < CLAIM_CODE_SHOWN_SECONDS
    }


def receipt_with_issued_code(*, receipt: Receipt, session: Any, now: datetime) -> Receipt:
    """The receipt with the code this session issued for it, while that code is live."""
    kept = _live_session_codes(session, now=now)
    if session.get(CLAIM_CODES_SESSION_KEY, {}) != kept:
        session[CLAIM_CODES_SESSION_KEY] = kept
    item = kept.get(receipt.reference)
    if item is None or not receipt.is_claimable or receipt.submission is None:
        return receipt
    try:
        code = decrypt_text(item["code"])
    except ValueError:
        return receipt
    if not claim_code_live(submission=receipt.submission, code=code, now=now):
        return receipt
    return replace(
        receipt,
        claim_code=code,
        claim_code_expires_at=datetime.fromisoformat(item["expires_at"]),
    )


def references_of_this_loket(references: list[str]) -> set[str]:
    """Which of these references are requests of the active loket (its schema)."""
    return set(
        ChildcareRequest.objects.filter(reference__in=references).values_list(
            "reference", flat=True
        )
    )


def receipt_file_name(receipt: Receipt) -> str:
    """The PDF's name: the request's reference and the day it is printed."""
    return download_name(
        "ontvangstbewijs", whose=receipt.reference, first=timezone.localdate(), ext="pdf"
    )
