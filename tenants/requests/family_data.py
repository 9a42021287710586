"""A family's own data, to hand over (access request) or to erase (erasure request).

``request_export`` reads one request of the active loket as the family may see it: the
child, the family, the need, the choices with their offers and places, the history in
words. Never another family's data, and nothing of the registry's internals (keyed
hashes, identities, entry ids). The parents' portal puts the parts of every loket
together (``shared.portal.own_data``); loket staff handle desk registrations (requests
without an account) of their own loket here: ``desk_family_export`` and
``desk_family_erase``, both recorded in the audit trail.

A desk registration's family, in one loket, is every request without an account made
with the same e-mail address (the registry's ``family_key``), or, without one, the
requests of the same registration (its submission).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from shared.accounts.models import User
from shared.catalogue.vocabulary import LANGUAGES, care_plan_days, day_parts_in_order
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.allocation.models import Offer
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.history import describe_event
from tenants.requests.models import (
    ChildcareRequest,
    ChoiceStatus,
    Priority,
    RequestChoice,
    RequestEvent,
    RequestNote,
)
from tenants.requests.parts import Part, RequestNotFound
from tenants.requests.retention import parts_anonymise, parts_withdraw

EXPORTED_EVENT = "data_exported"
ERASED_AT_DESK = "erasure_at_desk"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _requests_with_everything():
    return ChildcareRequest.objects.select_related("residence").prefetch_related(
        Prefetch(
            "choices",
            queryset=RequestChoice.objects.select_related("location", "placement").prefetch_related(
                Prefetch("offers", queryset=Offer.objects.order_by("created_at", "id"))
            ),
        ),
        Prefetch(
            "events",
            queryset=RequestEvent.objects.exclude(kind=RequestEvent.Kind.NOTE).order_by("at", "id"),
        ),
        Prefetch("notes", queryset=RequestNote.objects.order_by("created_at", "id")),
    )


def request_export(
    request: ChildcareRequest, *, loket: Loket, include_notes: bool = False
) -> dict[str, Any]:
    """One request of the active loket as a plain dict (read with ``_requests_with_everything``).

    ``include_notes``: the loket staff's notes, which parents never see on their pages; a
    desk export made by staff holds them (staff hand it over), a parent's download not.
    """
    statuses = dict(RequestStatus.choices)
    choice_statuses = dict(ChoiceStatus.choices)
    offer_statuses = dict(Offer.Status.choices)
    priorities = dict(Priority.choices)
    choices = []
    for choice in request.choices.all():
        placement = getattr(choice, "placement", None)  # None: no place accepted here
        choices.append(
            {
                "rank": choice.rank,
                "location": choice.location.name,
                "status": choice.status,
                "status_label": str(choice_statuses.get(choice.status, choice.status)),
                "status_changed_at": _iso(choice.status_changed_at),
                "offers": [
                    {
                        "start_date": _iso(offer.start_date),
                        "days": [
                            f"{day}: {part}"
                            for day, part in care_plan_days(day_parts_in_order(offer.care_plan))
                        ],
                        "answer_by": _iso(offer.answer_by),
                        "status": offer.status,
                        "status_label": str(offer_statuses.get(offer.status, offer.status)),
                        "decline_reason": offer.decline_reason,
                        "answered_at": _iso(offer.answered_at),
                    }
                    for offer in choice.offers.all()
                ],
                "placement": (
                    {"location": choice.location.name, "start_date": _iso(placement.start_date)}
                    if placement is not None
                    else None
                ),
            }
        )
    exported: dict[str, Any] = {
        "reference": request.reference,
        "submission": str(request.submission),
        "loket": {"name": loket.name, "email": loket.email, "phone": loket.phone},
        "status": request.status,
        "status_label": str(statuses.get(request.status, request.status)),
        "registered_at": _iso(request.registered_at),
        "personal_data_removed_at": _iso(request.anonymised_at),
        "child": {
            "first_name": request.child_first_name,
            "last_name": request.child_last_name if request.anonymised_at is None else "",
            "birth_date": _iso(request.child_birth_date),
            "is_expected_birth": request.is_expected_birth,
            "national_number": request.national_number,
        },
        "family": {
            "guardians": [
                {key: str(guardian.get(key, "")) for key in ("name", "email", "phone", "relation")}
                for guardian in request.guardians
                if isinstance(guardian, dict)
            ],
            "contact_email": request.contact_email,
            "contact_phone": request.contact_phone,
            "street": request.street,
            "postcode": request.postcode,
            "municipality": request.residence.name,
            "language": str(dict(LANGUAGES).get(request.language, request.language)),
        },
        "need": {
            "desired_start": _iso(request.desired_start),
            "days": [f"{day}: {part}" for day, part in care_plan_days(request.care_plan)],
            "other_locations_or_dates_fine": request.is_flexible,
            "priority_situations": [str(priorities.get(code, code)) for code in request.priorities],
            "remarks": request.remarks,
            "consent_at": _iso(request.consent_at),
            "confirmed_until": _iso(request.confirmed_until),
        },
        "choices": choices,
        "history": [
            {"at": _iso(event.at), "what": describe_event(kind=event.kind, details=event.details)}
            for event in request.events.all()
        ],
    }
    if include_notes:
        exported["notes"] = [
            {"at": _iso(note.created_at), "text": note.text} for note in request.notes.all()
        ]
    return exported


def requests_export(request_ids: list[int], *, loket: Loket, include_notes: bool = False) -> list:
    """The active loket's requests ``request_ids``, oldest first, each as ``request_export``."""
    found = _requests_with_everything().filter(pk__in=request_ids).order_by("registered_at", "id")
    return [request_export(each, loket=loket, include_notes=include_notes) for each in found]


# --- Desk registrations: loket staff handle the family's requests -------------------------


def _desk_family_entries(*, loket: Loket, reference: str) -> list[RegistryEntry]:
    entry = RegistryEntry.objects.filter(loket=loket, reference=reference).first()
    if entry is None:
        raise RequestNotFound(reference)
    if entry.parent_id is not None:
        raise ValidationError(
            _(
                "This request belongs to a parent's account: the parent downloads or erases "
                "their data on “My requests”."
            ),
            code="has_account",
        )
    family = RegistryEntry.objects.filter(loket=loket, parent__isnull=True)
    if entry.family_key:
        family = family.filter(family_key=entry.family_key)
    else:
        family = family.filter(submission=entry.submission)
    return list(family.order_by("id"))


def desk_family_export(*, loket: Loket, reference: str, actor: User, now: datetime) -> dict:
    """Everything this loket holds of the family of desk registration ``reference``.

    ``RequestNotFound`` when the loket has no such request, ``ValidationError`` when it
    belongs to an account (the parent downloads it). The download is audited.
    """
    entries = _desk_family_entries(loket=loket, reference=reference)
    exported = requests_export(
        [entry.request_id for entry in entries], loket=loket, include_notes=True
    )
    for item in exported:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.VIEWED,
            object_type=AuditEvent.ObjectType.REQUEST,
            reference=item["reference"],
            details={"event": EXPORTED_EVENT},
            at=now,
        )
    return {"generated_at": now.isoformat(), "loket": loket.name, "requests": exported}


def desk_family_summary(*, loket: Loket, reference: str) -> list[ChildcareRequest]:
    """The family's requests in this loket (for the confirmation page), oldest first."""
    entries = _desk_family_entries(loket=loket, reference=reference)
    return list(
        ChildcareRequest.objects.filter(pk__in=[entry.request_id for entry in entries]).order_by(
            "registered_at", "id"
        )
    )


@transaction.atomic
def desk_family_erase(
    *, loket: Loket, reference: str, actor: User, now: datetime
) -> dict[str, int]:
    """Withdraw the family's open requests in this loket and remove their personal data.

    Only this loket's requests: parts of the same registration in other lokets are
    erased by those lokets. Registry entries are locked first, in id order, then the
    requests (``tenants.requests.parts``' lock order). Recorded in the audit trail.
    """
    if connection.tenant.pk != loket.pk:
        raise RequestNotFound(reference)
    chosen = _desk_family_entries(loket=loket, reference=reference)
    entries = list(
        RegistryEntry.objects.select_for_update(of=("self",))
        .select_related("loket")
        .filter(pk__in=[entry.pk for entry in chosen], parent__isnull=True)
        .order_by("id")
    )
    requests = ChildcareRequest.objects.select_for_update().in_bulk(
        [entry.request_id for entry in entries]
    )
    parts = [
        Part(entry=entry, request=requests[entry.request_id])
        for entry in entries
        if entry.request_id in requests
    ]
    for choice in RequestChoice.objects.filter(request_id__in=requests).order_by("rank", "id"):
        next(part for part in parts if part.request.pk == choice.request_id).choices.append(choice)
    withdrawn = parts_withdraw(parts, actor=actor, now=now)
    # Each removal is in the audit trail: "anonymised", why "erasure_at_desk", by whom.
    anonymised = parts_anonymise(parts, actor=actor, now=now, why=ERASED_AT_DESK)
    return {"withdrawn": withdrawn, "anonymised": anonymised}
