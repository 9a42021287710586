"""Registering, changing and withdrawing childcare requests, across lokets, atomically.

A parent registers once; each loket that holds a chosen location gets its own
``ChildcareRequest`` in its own schema, and the public registry gets one entry per
loket request. All of it happens in one database transaction: every loket has its
part, or none has.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from opvangloket.crypto import encrypt_text
from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import age_groups_for, months_between
from shared.geography.models import Municipality
from shared.lokets.models import Loket
from shared.registry.identity import (
    child_keys,
    email_key,
    national_number_digits,
    validate_national_number,
)
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests.history import request_event_record
from tenants.requests.models import (
    DAY_PARTS,
    ChildcareRequest,
    Priority,
    RequestChoice,
    RequestEvent,
)
from tenants.requests.rules import care_plan_errors, confirmation_due, rule_errors


@dataclass
class RequestData:
    """Everything a parent (or the desk) fills in; what a draft holds once complete."""

    child_first_name: str
    child_last_name: str
    child_birth_date: date
    is_expected_birth: bool
    street: str
    postcode: str
    residence: Municipality
    desired_start: date
    care_plan: list[str]
    choices: list[CatalogueLocation]  # ranked
    consent: bool
    national_number: str = ""
    guardians: list[dict] = field(default_factory=list)
    contact_email: str = ""
    contact_phone: str = ""
    language: str = "nl"
    is_flexible: bool = False
    priorities: list[str] = field(default_factory=list)
    remarks: str = ""


def request_data_errors(*, data: RequestData, today: date) -> dict[str, list[str]]:
    """Every reason why ``data`` cannot be registered yet, by field."""
    errors = rule_errors(
        today=today,
        birth_date=data.child_birth_date,
        is_expected_birth=data.is_expected_birth,
        desired_start=data.desired_start,
        choices=data.choices,
    )
    if not data.child_last_name.strip():
        errors.setdefault("child_last_name", []).append(_("Fill in the child's last name."))
    if not data.is_expected_birth and not data.child_first_name.strip():
        errors.setdefault("child_first_name", []).append(_("Fill in the child's first name."))
    if data.national_number:
        try:
            validate_national_number(data.national_number)
        except ValidationError as error:
            errors.setdefault("national_number", []).extend(error.messages)
    if plan_errors := care_plan_errors(data.care_plan):
        errors.setdefault("care_plan", []).extend(plan_errors)
    if set(data.priorities) - set(Priority.values):
        errors.setdefault("priorities", []).append(_("Unknown priority situation."))
    if not data.consent:
        errors.setdefault("consent", []).append(
            _("We can only register the request with your consent.")
        )
    return errors


def open_registrations_of_child(
    *, first_name: str, last_name: str, birth_date: date, national_number: str = ""
):
    """Open registry entries of this child in any loket (which lokets, not their content)."""
    keys = child_keys(
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        national_number=national_number,
    )
    matches = RegistryEntry.objects.filter(name_key=keys.name_key)
    if keys.national_number_key:
        matches = matches | RegistryEntry.objects.filter(
            national_number_key=keys.national_number_key
        )
    return (
        matches.filter(status=RequestStatus.OPEN).select_related("loket").order_by("registered_at")
    )


def _new_reference(loket: Loket, registered_at: datetime) -> tuple[int, str]:
    """Reserve the next request id of this loket and its reference (``HER-2026-00042``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('requests_childcarerequest', 'id'))")
        request_id = cursor.fetchone()[0]
    prefix = "".join(char for char in loket.slug.upper() if char.isalpha())[:3].ljust(3, "X")
    return request_id, f"{prefix}-{registered_at:%Y}-{request_id:05d}"


def _add_choices(
    request: ChildcareRequest, choices: list[CatalogueLocation], *, now: datetime
) -> list[RequestChoice]:
    taken = set(request.choices.values_list("location_id", flat=True))
    next_rank = (max(request.choices.values_list("rank", flat=True), default=0)) + 1
    added = []
    for choice in choices:
        if choice.location_id in taken:
            continue
        added.append(
            RequestChoice.objects.create(
                request=request,
                location_id=choice.location_id,
                rank=next_rank,
                status_changed_at=now,
            )
        )
        taken.add(choice.location_id)
        next_rank += 1
    return added


@transaction.atomic
def request_submit(
    *,
    data: RequestData,
    parent: User | None,
    now: datetime,
    registered_by: User | None = None,
    add_to_open_requests: bool = False,
) -> list[RegistryEntry]:
    """Register ``data``: one request per loket of the chosen locations, all or nothing.

    With ``add_to_open_requests``, a loket where this child already has an open request
    gets the new locations added to that request instead of a second request.
    """
    errors = request_data_errors(data=data, today=timezone.localdate(now))
    if errors:
        raise ValidationError(errors)
    keys = child_keys(
        first_name=data.child_first_name,
        last_name=data.child_last_name,
        birth_date=data.child_birth_date,
        national_number=data.national_number,
    )
    existing = {
        entry.loket_id: entry
        for entry in open_registrations_of_child(
            first_name=data.child_first_name,
            last_name=data.child_last_name,
            birth_date=data.child_birth_date,
            national_number=data.national_number,
        )
        if add_to_open_requests and (parent is None or entry.parent_id in (None, parent.pk))
    }
    submission = next(iter(existing.values())).submission if existing else uuid.uuid4()
    by_loket: dict[Loket, list[CatalogueLocation]] = defaultdict(list)
    for choice in data.choices:
        by_loket[choice.loket].append(choice)

    age_months = months_between(
        data.child_birth_date, max(data.desired_start, data.child_birth_date)
    )
    age_group = (age_groups_for(age_months) or ["school"])[0]
    actor = registered_by or parent
    entries = []
    for loket, choices in by_loket.items():
        with tenant_context(loket):
            if loket.pk in existing:
                entry = existing[loket.pk]
                request = ChildcareRequest.objects.select_for_update().get(pk=entry.request_id)
                added = _add_choices(request, choices, now=now)
                request_event_record(
                    request=request,
                    kind=RequestEvent.Kind.CHOICES_ADDED,
                    actor=actor,
                    details={
                        "locations": [
                            choice.name
                            for choice in choices
                            if choice.location_id in {new.location_id for new in added}
                        ]
                    },
                    at=now,
                )
                entries.append(entry)
                continue
            request_id, reference = _new_reference(loket, now)
            request = ChildcareRequest.objects.create(
                id=request_id,
                reference=reference,
                submission=submission,
                parent=parent,
                registered_by=registered_by,
                child_first_name=data.child_first_name.strip(),
                child_last_name=data.child_last_name.strip(),
                child_birth_date=data.child_birth_date,
                is_expected_birth=data.is_expected_birth,
                national_number_encrypted=encrypt_text(national_number_digits(data.national_number))
                if data.national_number
                else "",
                guardians=data.guardians,
                contact_email=data.contact_email.strip().lower(),
                contact_phone=data.contact_phone,
                street=data.street,
                postcode=data.postcode,
                residence=data.residence,
                language=data.language,
                desired_start=data.desired_start,
                care_plan=sorted(data.care_plan, key=DAY_PARTS.index),
                is_flexible=data.is_flexible,
                priorities=data.priorities,
                remarks=data.remarks,
                consent_at=now,
                registered_at=now,
                confirmed_until=confirmation_due(loket=loket, today=timezone.localdate(now)),
            )
            _add_choices(request, choices, now=now)
            request_event_record(
                request=request,
                kind=RequestEvent.Kind.SUBMITTED,
                actor=actor,
                details={"by_staff": registered_by is not None},
                at=now,
            )
        entries.append(
            RegistryEntry.objects.create(
                loket=loket,
                request_id=request.pk,
                reference=request.reference,
                submission=submission,
                name_key=keys.name_key,
                national_number_key=keys.national_number_key,
                parent=parent,
                claim_email_key=email_key(data.contact_email) if data.contact_email else "",
                desired_start=data.desired_start,
                age_group=age_group,
                residence=data.residence,
                has_priority=bool(data.priorities),
                registered_by_staff=registered_by is not None,
                registered_at=now,
            )
        )
    return entries
