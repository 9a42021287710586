"""A desk registration's claim code: issued at the desk, typed by the parent later.

Loket staff get a code for a request without an account when they register it at the
desk (``desk_claim_codes_issue``) and again, revoking the one before, from the request's
page (``request_claim_code_issue``); each issue is in the loket's audit trail. The code
is printed on the receipt at that moment and never again (only its keyed hash is kept,
``shared.registry.claim_codes``).

A logged-in parent types the reference and the code (``request_claim_with_code``): every
part of that submission, in every loket, joins their account through the same
``request_claim`` as a claim by e-mail (family, history, audit trail), and the code is
used. A wrong code, a wrong reference, an expired, revoked or used code and a request
already claimed all give one and the same refusal (``ClaimRefused``), so the answers
tell nothing about which requests or codes exist.

Lock order: the claim code first (``claim_code_lock``), then the submission's registry
entries and each loket's rows as ``tenants.requests.parts`` says.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shared.accounts.models import User
from shared.lokets.models import Loket
from shared.registry.claim_codes import (
    IssuedCode,
    claim_code_create,
    claim_code_lock,
    claim_code_use,
)
from shared.registry.models import RegistryEntry
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.changes import CLAIMED_BY_CODE, request_claim
from tenants.requests.models import ChildcareRequest
from tenants.requests.parts import RequestNotFound

CLAIM_CODE_ISSUED = "claim_code_issued"
REFUSAL = _(
    "This reference and claim code do not match a request that can be linked to your "
    "account. Check both on the receipt and try again, or ask the loket for a new code."
)


class ClaimRefused(ValidationError):
    """The one answer to every claim that cannot go through, whatever the reason."""

    def __init__(self) -> None:
        super().__init__(REFUSAL, code="claim_refused")


def _issue(
    *, loket: Loket, request: ChildcareRequest, submission: uuid.UUID, actor: User, now: datetime
) -> IssuedCode:
    issued = claim_code_create(submission=submission, loket=loket, issued_by=actor, now=now)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.REQUEST,
        object_id=request.pk,
        reference=request.reference,
        details={"what": CLAIM_CODE_ISSUED},
        at=now,
    )
    return issued


@transaction.atomic
def request_claim_code_issue(
    *, loket: Loket, reference: str, actor: User, now: datetime
) -> IssuedCode:
    """A new claim code for this loket's request ``reference``; the one before is revoked.

    Only for a request no account holds yet (``ValidationError`` otherwise).
    """
    request = ChildcareRequest.objects.filter(
        reference=reference, anonymised_at__isnull=True
    ).first()
    entry = RegistryEntry.objects.filter(loket=loket, reference=reference).first()
    if request is None or entry is None:
        raise RequestNotFound(reference)
    if request.parent_id is not None or entry.parent_id is not None:
        raise ValidationError(
            _("This request is linked to a parent's account already: it needs no claim code."),
            code="claimed",
        )
    return _issue(loket=loket, request=request, submission=entry.submission, actor=actor, now=now)


def desk_claim_codes_issue(
    *, loket: Loket, entries: Iterable[RegistryEntry], actor: User, now: datetime
) -> dict[str, IssuedCode]:
    """Claim codes for what was just registered at the desk: one per submission without an
    account, each under the references of this loket it covers (reference → code).

    Call in the registration's transaction, in the loket's schema.
    """
    codes: dict[str, IssuedCode] = {}
    by_submission: dict[uuid.UUID, IssuedCode] = {}
    for entry in entries:
        if entry.parent_id is not None or entry.loket_id != loket.pk:
            continue
        if entry.submission not in by_submission:
            request = ChildcareRequest.objects.get(pk=entry.request_id)
            by_submission[entry.submission] = _issue(
                loket=loket, request=request, submission=entry.submission, actor=actor, now=now
            )
        codes[entry.reference] = by_submission[entry.submission]
    return codes


def _typed_reference(typed: str) -> str:
    return "".join(typed.split()).upper()


@transaction.atomic
def request_claim_with_code(
    *, user: User, reference: str, code: str, now: datetime
) -> list[RegistryEntry]:
    """Link the submission of ``reference`` to ``user`` with its receipt's claim code.

    Every part, in every loket; the code is then used. ``ClaimRefused`` for anything
    that does not fit, always the same.
    """
    claim_code = claim_code_lock(code=code, now=now)
    if claim_code is None:
        raise ClaimRefused()
    submission = RegistryEntry.objects.filter(submission=claim_code.submission)
    references = {entry.reference.upper() for entry in submission}
    if _typed_reference(reference) not in references:
        raise ClaimRefused()
    if submission.filter(parent__isnull=False).exists():
        # Claimed some other way meanwhile (by e-mail, or by another family: never).
        raise ClaimRefused()
    claimed = request_claim(user=user, now=now, entries=submission, via=CLAIMED_BY_CODE)
    if not claimed:
        raise ClaimRefused()
    claim_code_use(claim_code=claim_code, user=user, now=now)
    return claimed
