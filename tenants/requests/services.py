"""Registering a childcare request once, across lokets, atomically.

A parent registers once; each loket that holds a chosen location gets its own part
(``tenants.requests.parts``): a ``ChildcareRequest`` in its own schema and a registry
entry in the public schema. All of it happens in one database transaction: every loket
has its part, or none has. Changes after registering are in ``tenants.requests.changes``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from opvangloket.crypto import encrypt_text
from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import day_parts_in_order
from shared.geography.models import Municipality, Postcode
from shared.lokets.branding import branding_of_lokets
from shared.lokets.models import Loket
from shared.registry.children import (
    ChildFacts,
    Resolution,
    child_resolve,
    duplicates_record,
    family_children,
    open_entries_of,
)
from shared.registry.identity import (
    child_keys,
    email_key,
    family_key,
    national_number_digits,
    validate_national_number,
)
from shared.registry.models import Child, RegistryEntry
from tenants.requests.emails import my_requests_url
from tenants.requests.family import confirmation_address
from tenants.requests.history import record_choices_added
from tenants.requests.models import ChildcareRequest, Priority
from tenants.requests.parts import RegistryKeys, choices_add, part_create
from tenants.requests.rules import care_plan_errors, rule_errors
from tenants.requests.submission_emails import registered_requests, request_confirmation_send

# Unborn twins, triplets and quadruplets; more is registered at the loket's desk.
MAX_EXPECTED_CHILDREN = 4


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
    if not data.street.strip():
        errors.setdefault("street", []).append(_("Fill in the street and number."))
    postcode = data.postcode.strip()
    if not (len(postcode) == 4 and postcode.isdigit()):
        errors.setdefault("postcode", []).append(_("A Belgian postcode has 4 digits."))
    elif not Postcode.objects.filter(code=postcode).exists():
        errors.setdefault("postcode", []).append(
            _("We do not know the postcode %(code)s.") % {"code": postcode}
        )
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


def child_facts(*, data: RequestData, parent: User | None) -> ChildFacts:
    """What the registry may know of the child in ``data`` and its family: keyed hashes."""
    keys = child_keys(
        first_name=data.child_first_name,
        last_name=data.child_last_name,
        birth_date=data.child_birth_date,
        national_number=data.national_number,
    )
    return ChildFacts(
        name_key=keys.name_key,
        national_number_key=keys.national_number_key,
        family_key=family_key(
            parent_id=parent.pk if parent is not None else None,
            claim_email_key=email_key(data.contact_email) if data.contact_email else "",
        ),
        is_expected_birth=data.is_expected_birth,
        birth_date=data.child_birth_date,
    )


def open_registrations_of_child(
    *, data: RequestData, parent: User | None, at_the_desk: bool = False
) -> QuerySet[RegistryEntry]:
    """Open registry entries of this child (which lokets, not their content).

    A parent learns only of their own family's requests; loket staff at the desk also of
    other families' probable matches.
    """
    return open_entries_of(child_facts(data=data, parent=parent), across_families=at_the_desk)


def _family_child(
    *, child_id: uuid.UUID | None, facts: ChildFacts, registered_by: User | None = None
) -> Child | None:
    if child_id is None:
        return None
    # Loket staff may link any registered child (found at the desk); parents only their own.
    children = (
        Child.objects.filter(entries__isnull=False).distinct()
        if registered_by is not None
        else family_children(facts.family_key)
    )
    found = children.filter(public_id=child_id).first()
    if found is None:
        raise ValidationError({"child_id": [_("This is not one of the children you registered.")]})
    return found


@transaction.atomic
def request_submit(
    *,
    data: RequestData,
    parent: User | None,
    now: datetime,
    registered_by: User | None = None,
    add_to_open_requests: bool = False,
    notify_family: bool = True,
    follow_url: str = "",
    child_id: uuid.UUID | None = None,
    another_child: bool = False,
    expected_children: int = 1,
    confirm_to_contact_email: bool = False,
) -> list[RegistryEntry]:
    """Register ``data``: one request per loket of the chosen locations, all or nothing.

    With ``add_to_open_requests``, a loket where this child already has an open request
    of the same family (or, at the desk, of any family) gets the new locations added to
    that request instead of a second request.
    Which child it is: ``child_id`` names one of the family's children registered before
    (at the desk, ``registered_by``: any registered child), ``another_child`` says it is
    none of them, and otherwise the registry recognises it (``shared.registry.children``).
    ``expected_children`` above 1 (unborn twins and other multiples) registers one
    request for each child, each its own identity.
    The family gets a confirmation e-mail once the registration is committed (unless
    ``notify_family`` is off, as for seeded data), with a link to ``follow_url`` — by
    default "Mijn aanvragen" on the first loket's host — at the parent account's verified
    address, or at the desk at the typed one only with ``confirm_to_contact_email`` (the
    staff member read it back to the parent): ``family.confirmation_address``.
    """
    errors = request_data_errors(data=data, today=timezone.localdate(now))
    if not 1 <= expected_children <= MAX_EXPECTED_CHILDREN:
        errors.setdefault("expected_children", []).append(
            _("Give the number of children you expect: 1 to %(max)d.")
            % {"max": MAX_EXPECTED_CHILDREN}
        )
    elif expected_children > 1 and not data.is_expected_birth:
        errors.setdefault("expected_children", []).append(
            _("Register born children one by one: each has a name and a date of birth.")
        )
    if errors:
        raise ValidationError(errors)
    facts = child_facts(data=data, parent=parent)
    chosen = _family_child(child_id=child_id, facts=facts, registered_by=registered_by)
    entries: list[RegistryEntry] = []
    for number in range(expected_children):
        if number == 0 and chosen is not None and registered_by is not None:
            resolution = Resolution(child=chosen)  # staff's link: maybe another family's child
        elif number == 0:
            resolution = child_resolve(facts=facts, chosen=chosen, another_child=another_child)
        else:  # the next of the multiples: a child of its own
            resolution = Resolution(child=Child.objects.create())
        entries += _submit_one(
            data=data,
            facts=facts,
            resolution=resolution,
            parent=parent,
            registered_by=registered_by,
            now=now,
            add_to_open_requests=add_to_open_requests and number == 0,
        )
    to = confirmation_address(
        parent=parent,
        registered_by=registered_by,
        contact_email=data.contact_email,
        staff_checked_address=confirm_to_contact_email,
    )
    if notify_family and to:
        # Into the outbox in this transaction: it leaves after the commit, at least once.
        request_confirmation_send(
            to=to,
            language=data.language,
            child_name=f"{data.child_first_name} {data.child_last_name}".strip(),
            requests=registered_requests(entries=entries, choices=data.choices, now=now),
            follow_url=follow_url or my_requests_url(loket=entries[0].loket),
            by_staff=registered_by is not None,
            face=branding_of_lokets(entry.loket for entry in entries),
            loket=entries[0].loket,
        )
    return entries


def _submit_one(
    *,
    data: RequestData,
    facts: ChildFacts,
    resolution: Resolution,
    parent: User | None,
    registered_by: User | None,
    now: datetime,
    add_to_open_requests: bool,
) -> list[RegistryEntry]:
    """One child's registration: a part in each loket, or new choices in an open one."""
    # Adding to open requests changes parts that exist: their registry rows are locked
    # first, in id order (the lock order of tenants.requests.parts).
    existing = (
        {
            entry.loket_id: entry
            for entry in RegistryEntry.objects.filter(
                pk__in=open_entries_of(facts, across_families=registered_by is not None)
                .filter(child=resolution.child)
                .values("pk")
            )
            .select_for_update(of=("self",))
            .select_related("loket")
            .order_by("id")
        }
        if add_to_open_requests
        else {}
    )
    submission = next(iter(existing.values())).submission if existing else uuid.uuid4()
    by_loket: dict[Loket, list[CatalogueLocation]] = defaultdict(list)
    for choice in data.choices:
        by_loket[choice.loket].append(choice)

    fields = {
        "child_first_name": data.child_first_name.strip(),
        "child_last_name": data.child_last_name.strip(),
        "child_birth_date": data.child_birth_date,
        "is_expected_birth": data.is_expected_birth,
        "national_number_encrypted": encrypt_text(national_number_digits(data.national_number))
        if data.national_number
        else "",
        "guardians": data.guardians,
        "contact_email": data.contact_email.strip().lower(),
        "contact_phone": data.contact_phone,
        "street": data.street,
        "postcode": data.postcode,
        "residence_id": data.residence.pk,
        "language": data.language,
        "desired_start": data.desired_start,
        "care_plan": day_parts_in_order(data.care_plan),
        "is_flexible": data.is_flexible,
        "priorities": data.priorities,
        "remarks": data.remarks,
        "consent_at": now,
    }
    registry_keys = RegistryKeys(
        name_key=facts.name_key,
        national_number_key=facts.national_number_key,
        claim_email_key=email_key(data.contact_email) if data.contact_email else "",
        family_key=facts.family_key,
    )
    actor = registered_by or parent
    entries = []
    for loket, choices in by_loket.items():
        if loket.pk not in existing:
            entries.append(
                part_create(
                    loket=loket,
                    submission=submission,
                    fields=fields,
                    keys=registry_keys,
                    child=resolution.child,
                    locations=choices,
                    parent=parent,
                    registered_by=registered_by,
                    now=now,
                )
            )
            continue
        entry = existing[loket.pk]
        with tenant_context(loket):
            request = ChildcareRequest.objects.select_for_update().get(pk=entry.request_id)
            added = choices_add(request, choices, now=now)
            record_choices_added(
                request, actor=actor, at=now, locations=[location.name for location in added]
            )
        entries.append(entry)
    created = [entry for entry in entries if entry.registered_at == now]
    if created and resolution.matched_elsewhere:
        duplicates_record(entry=created[0], resolution=resolution, now=now)
    return entries
