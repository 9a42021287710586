"""A loket's part of a parent's request: the one place that creates, locks and closes parts.

A parent registers once; every loket that holds a chosen location gets a *part*: a
``ChildcareRequest`` with its ``RequestChoice`` rows in the loket's own schema, and one
``RegistryEntry`` in the public schema. The parts of one registration share a
``submission``. The request's status and its registry entry's status are two copies of
one fact: ``part_set_status`` is the only way either changes, and it changes both.

Lock order, for every change that reaches more than one loket (a parent's change or
confirmation, accepting an offer, closing a location), so that two changes wait for
each other instead of deadlocking:

1. the registry entries in the public schema, ``SELECT … FOR UPDATE`` in one order: a
   submission's entries (``lock_submission``) or a child's entries in every loket
   (``lock_child``), always in id order;
2. only then rows in the lokets' schemas (requests, offers, choices), one loket at a
   time in the order of those entries.

Because every change of a part takes step 1 first, two changes of one child or one
submission never meet further down: the second waits on the registry rows. A change
inside one loket that touches no registry row (an answer to a choice, an offer) locks
the choice it answers before anything else.

Call these helpers inside ``transaction.atomic``: every lock is held until it commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from opvangloket.errors import NotFound
from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import age_group_at
from shared.lokets.models import Loket
from shared.registry.models import Child, RegistryAnswer, RegistryEntry, RequestStatus
from shared.registry.selectors import entries_of_child
from tenants.requests.history import record_submitted
from tenants.requests.models import ChildcareRequest, ChoiceStatus, RequestChoice
from tenants.requests.rules import confirmation_due

if TYPE_CHECKING:
    from tenants.providers.models import Location


class RequestNotFound(NotFound):
    """No request (part, choice) of this parent by that id: pages and API answer 404."""


# The child and the need: what every part of one submission holds alike (changes to the
# need are made in every open part at once).
SHARED_FIELDS = (
    "child_first_name",
    "child_last_name",
    "child_birth_date",
    "is_expected_birth",
    "national_number_encrypted",
    "guardians",
    "contact_email",
    "contact_phone",
    "street",
    "postcode",
    "residence_id",
    "language",
    "desired_start",
    "care_plan",
    "is_flexible",
    "priorities",
    "remarks",
    # The consent given when registering once covers every loket of the request.
    "consent_at",
)


@dataclass
class Part:
    """One loket's part of a request, read (and locked) in its loket's schema."""

    entry: RegistryEntry
    request: ChildcareRequest
    choices: list[RequestChoice] = field(default_factory=list)

    @property
    def loket(self) -> Loket:
        return self.entry.loket

    @property
    def is_open(self) -> bool:
        return self.request.status == RequestStatus.OPEN

    @property
    def open_choices(self) -> list[RequestChoice]:
        return [choice for choice in self.choices if choice.is_open]


def entries_by_loket(
    entries: Iterable[RegistryEntry],
) -> list[tuple[Loket, list[RegistryEntry]]]:
    """The entries grouped per loket, lokets in the order of their first entry."""
    groups: dict[int, tuple[Loket, list[RegistryEntry]]] = {}
    for entry in entries:
        groups.setdefault(entry.loket_id, (entry.loket, []))[1].append(entry)
    return list(groups.values())


def in_each_loket(
    entries: Iterable[RegistryEntry],
) -> Iterator[tuple[Loket, list[RegistryEntry]]]:
    """Enter each loket's schema in turn, with that loket's entries: one switch per loket."""
    for loket, loket_entries in entries_by_loket(entries):
        with tenant_context(loket):
            yield loket, loket_entries


def lock_submission(*, parent: User, submission: uuid.UUID) -> list[Part]:
    """Every part of the parent's submission, locked: registry rows first, then each loket's.

    Only entries whose parent is ``parent`` are read: another family's submission id finds
    nothing (``RequestNotFound``).
    """
    return _lock_parts(
        RegistryEntry.objects.filter(parent=parent, submission=submission), missing=submission
    )


def lock_submission_of(*, loket: Loket, request_id: int) -> list[Part]:
    """``loket``'s part holding request ``request_id``, locked as parts are.

    For loket staff acting for the family (at the desk). Only their own loket's part:
    nothing of one loket is written from another, so the family's parts elsewhere change
    when the parent or those lokets' staff fill them in (the identity is shared already).
    """
    if not RegistryEntry.objects.filter(loket=loket, request_id=request_id).exists():
        raise RequestNotFound(request_id)
    return _lock_parts(
        RegistryEntry.objects.filter(loket=loket, request_id=request_id), missing=request_id
    )


def _lock_parts(selected: QuerySet[RegistryEntry], *, missing: object) -> list[Part]:
    # Locked in id order, as lock_child locks a child's entries, so that a parent's change
    # and an accepted offer for the same child cannot take the same rows in two orders.
    locked = selected.select_for_update(of=("self",)).select_related("loket").order_by("id")
    entries = sorted(locked, key=lambda entry: (entry.registered_at, entry.id))
    parts: dict[int, Part] = {}
    for _loket, loket_entries in in_each_loket(entries):
        requests = ChildcareRequest.objects.select_for_update().in_bulk(
            [entry.request_id for entry in loket_entries]
        )
        here = {
            entry.request_id: Part(entry=entry, request=requests[entry.request_id])
            for entry in loket_entries
            if entry.request_id in requests
        }
        choices = (
            RequestChoice.objects.select_related("location")
            .filter(request_id__in=requests)
            .order_by("rank", "id")
        )
        for choice in choices:
            here[choice.request_id].choices.append(choice)
        parts.update({part.entry.pk: part for part in here.values()})
    if not parts:
        raise RequestNotFound(missing)
    return [parts[entry.pk] for entry in entries if entry.pk in parts]


def lock_child(entries: Iterable[RegistryEntry]) -> dict[int, RegistryEntry]:
    """Every registry entry of the children of ``entries``, in any loket, locked in id order.

    The first step of the lock order for changes that follow the child (an accepted offer
    closes the child's other requests; a closing location reopens them). By entry id.
    """
    entries = list(entries)
    if not entries:
        return {}
    return {
        entry.pk: entry
        for entry in entries_of_child(entries)
        .select_for_update(of=("self",))
        .select_related("loket")
    }


def change_refusal(*, request_statuses: Iterable[str], choice_statuses: Iterable[str]) -> str:
    """Why a parent may not change a request with these parts and choices ("" when they may)."""
    if ChoiceStatus.ACCEPTED in set(choice_statuses):
        return _(
            "A place has been accepted, so this request can no longer be changed here. "
            "Contact the loket if something is not right."
        )
    if RequestStatus.OPEN not in set(request_statuses):
        return _("This request is closed, so it can no longer be changed.")
    return ""


def open_parts(parts: list[Part]) -> list[Part]:
    """The open parts, when the request may still be changed; a ValidationError otherwise."""
    refusal = change_refusal(
        request_statuses=[part.request.status for part in parts],
        choice_statuses=[choice.status for part in parts for choice in part.choices],
    )
    if refusal:
        raise ValidationError(refusal, code="not_changeable")
    return [part for part in parts if part.is_open]


def chosen_locations(parts: list[Part]) -> list[CatalogueLocation]:
    """The parts' chosen locations as the rules see them (a loket and a name), not withdrawn."""
    return [
        CatalogueLocation(
            loket=part.loket, location_id=choice.location_id, name=choice.location.name
        )
        for part in parts
        for choice in part.choices
        if choice.status != ChoiceStatus.WITHDRAWN
    ]


def find_part(parts: list[Part], part_id: int) -> Part:
    """The part whose registry entry is ``part_id`` (the id parents' pages and API use)."""
    for part in parts:
        if part.entry.pk == part_id:
            return part
    raise RequestNotFound(part_id)


def part_set_status(
    request: ChildcareRequest,
    *,
    status: str,
    now: datetime,
    entry: RegistryEntry | None = None,
    also: Iterable[str] = (),
) -> None:
    """Give the request of the active loket ``status``, and its registry entry with it.

    The only way a request's status changes. ``also`` names other request fields changed
    with it (saved in the same statement; a new ``desired_start`` reaches the registry).
    ``entry``, when the caller holds it, is brought up to date in memory too.
    """
    loket = connection.tenant
    previous = request.status
    also = tuple(also)
    request.status = status
    request.save(update_fields=["status", *also, "updated_at"])
    changes: dict[str, Any] = {"status": status, "updated_at": now}
    if status == RequestStatus.OPEN:
        changes |= {"closed_at": None, "placed_at": None}
        if previous == RequestStatus.PLACED:
            changes["has_offer"] = False  # the place is gone: counted as waiting again
    elif status == RequestStatus.PLACED:
        changes |= {"placed_at": now, "closed_at": now}
    else:
        changes["closed_at"] = now
    if "desired_start" in also:
        changes["desired_start"] = request.desired_start
        changes["age_group"] = age_group_at(request.child_birth_date, request.desired_start)
    RegistryEntry.objects.filter(loket_id=loket.pk, request_id=request.pk).update(**changes)
    if entry is not None:
        for name, value in changes.items():
            setattr(entry, name, value)


def part_touch(request: ChildcareRequest, *, now: datetime) -> None:
    """The request of the active loket changed: its registry entry shows when."""
    RegistryEntry.objects.filter(loket_id=connection.tenant.pk, request_id=request.pk).update(
        updated_at=now
    )


def part_mark_offered(request: ChildcareRequest, *, now: datetime, offered: bool = True) -> None:
    """A place was offered for the request of the active loket: the figures count it.

    ``offered=False``: the location withdrew its only offer, so the request counts as
    without an offer again.
    """
    RegistryEntry.objects.filter(loket_id=connection.tenant.pk, request_id=request.pk).update(
        has_offer=offered, updated_at=now
    )


def part_answer_record(
    request: ChildcareRequest, *, location: Location, answer: str, reason: str, now: datetime
) -> None:
    """A location of the active loket answered without an offer (``RegistryAnswer.Answer``)
    with ``reason`` (an ``AnswerReason``): the registry keeps it for the figures, with the
    location's kind and municipality; a later answer of the same location replaces it."""
    entry = RegistryEntry.objects.get(loket_id=connection.tenant.pk, request_id=request.pk)
    RegistryAnswer.objects.update_or_create(
        entry=entry,
        location_id=location.pk,
        defaults={
            "location_kind": location.kind,
            "municipality_id": location.municipality_id,
            "answer": answer,
            "reason": reason,
            "answered_at": now,
        },
    )
    RegistryEntry.objects.filter(pk=entry.pk).update(updated_at=now)


def part_answer_clear(request: ChildcareRequest, *, location_id: int) -> None:
    """The location offers a place after all: its answer without an offer no longer stands."""
    RegistryAnswer.objects.filter(
        entry__loket_id=connection.tenant.pk,
        entry__request_id=request.pk,
        location_id=location_id,
    ).delete()


def new_reference(loket: Loket, registered_at: datetime) -> tuple[int, str]:
    """Reserve the next request id of this loket and its reference (``HER-2026-00042``).

    The prefix is the loket's own (unique across lokets), so a reference names one request.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('requests_childcarerequest', 'id'))")
        request_id = cursor.fetchone()[0]
    return request_id, f"{loket.reference_prefix}-{registered_at:%Y}-{request_id:05d}"


def choices_add(
    request: ChildcareRequest,
    locations: Iterable[CatalogueLocation],
    *,
    now: datetime,
    chosen: Iterable[RequestChoice] | None = None,
) -> list[CatalogueLocation]:
    """Add locations to the request, ranked last, in the active loket; returns those added.

    A location chosen already stays as it is, unless it was withdrawn: then it is in
    review again, ranked last. ``chosen`` are the request's choices when the caller has
    them (locked); otherwise they are read.
    """
    existing = {
        choice.location_id: choice
        for choice in (chosen if chosen is not None else request.choices.all())
    }
    next_rank = max((choice.rank for choice in existing.values()), default=0) + 1
    added = []
    for location in locations:
        choice = existing.get(location.location_id)
        if choice is None:
            existing[location.location_id] = RequestChoice.objects.create(
                request=request,
                location_id=location.location_id,
                rank=next_rank,
                status_changed_at=now,
            )
        elif choice.status == ChoiceStatus.WITHDRAWN:
            choice.status = ChoiceStatus.IN_REVIEW
            choice.rank = next_rank
            choice.status_changed_at = now
            choice.save(update_fields=["status", "rank", "status_changed_at"])
        else:
            continue
        added.append(location)
        next_rank += 1
    return added


@dataclass(frozen=True)
class RegistryKeys:
    """What the registry keeps of the child and the family: keyed hashes only."""

    name_key: str
    national_number_key: str = ""
    claim_email_key: str = ""
    family_key: str = ""


def part_create(
    *,
    loket: Loket,
    submission: uuid.UUID,
    fields: dict[str, Any],
    keys: RegistryKeys,
    child: Child,
    locations: list[CatalogueLocation],
    parent: User | None,
    registered_by: User | None,
    now: datetime,
    added_later: bool = False,
) -> RegistryEntry:
    """Register the request in ``loket``: its request, choices and history, and its entry.

    ``fields`` are the child and the need (``SHARED_FIELDS``); ``child`` the identity the
    registry resolved for it (``shared.registry.children``). The order of registration
    counts by law: for this loket the request is registered ``now``. ``added_later``: the
    parent registered elsewhere before and now added this loket's locations.
    """
    with tenant_context(loket):
        request_id, reference = new_reference(loket, now)
        request = ChildcareRequest.objects.create(
            id=request_id,
            reference=reference,
            submission=submission,
            parent=parent,
            registered_by=registered_by,
            **fields,
            registered_at=now,
            confirmed_until=confirmation_due(loket=loket, today=timezone.localdate(now)),
        )
        choices_add(request, locations, now=now, chosen=[])
        record_submitted(
            request,
            actor=registered_by or parent,
            at=now,
            by_staff=registered_by is not None,
            locations=[location.name for location in locations] if added_later else None,
        )
    return RegistryEntry.objects.create(
        loket=loket,
        request_id=request.pk,
        reference=request.reference,
        submission=submission,
        name_key=keys.name_key,
        national_number_key=keys.national_number_key,
        child=child,
        family_key=keys.family_key,
        expected_birth=request.child_birth_date if request.is_expected_birth else None,
        parent=parent,
        claim_email_key=keys.claim_email_key,
        desired_start=request.desired_start,
        # The registry counts the child in its age group on the desired start date.
        age_group=age_group_at(request.child_birth_date, request.desired_start),
        residence_id=request.residence_id,
        has_priority=bool(request.priorities),
        registered_by_staff=registered_by is not None,
        registered_at=now,
    )


def shared_fields_of(request: ChildcareRequest) -> dict[str, Any]:
    """The child and the need of an existing part, to register them in another loket."""
    return {name: getattr(request, name) for name in SHARED_FIELDS}
