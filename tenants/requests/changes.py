"""A parent's changes to a registered request, in every loket that holds a part, atomically.

A parent registers once; the "request" they see is a submission with one part per loket
(a ``ChildcareRequest`` in each loket's schema and a ``RegistryEntry`` each in the public
schema). Changes that concern the child's need (start date, care plan) and withdrawing
the whole request apply to every open part in one transaction; choices are per part.
Nothing changes once a place has been accepted anywhere, or when no part is open.
Every change records a ``RequestEvent`` in the part it touches and keeps the registry
entry in step.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import age_group_at, day_parts_in_order
from shared.lokets.models import Loket
from shared.registry.children import family_join
from shared.registry.identity import family_key
from shared.registry.models import RegistryEntry, RequestStatus
from shared.registry.selectors import unclaimed_entries_of
from tenants.requests.history import (
    record_changed,
    record_choice_order_changed,
    record_choice_removed,
    record_choices_added,
    record_claimed,
    record_withdrawn,
)
from tenants.requests.models import ChildcareRequest, ChoiceStatus
from tenants.requests.parts import (
    Part,
    RegistryKeys,
    RequestNotFound,
    choices_add,
    chosen_locations,
    find_part,
    in_each_loket,
    lock_submission,
    open_parts,
    part_create,
    part_set_status,
    part_touch,
    shared_fields_of,
)
from tenants.requests.rules import care_plan_errors, rule_errors
from tenants.requests.withdrawal import choices_withdraw

WITHDRAW_REASON_MAX_LENGTH = 500
# How a desk registration was claimed (``request_claim``), as its history records it.
CLAIMED_BY_EMAIL = "email"
CLAIMED_BY_CODE = "code"


def _change_field(
    part: Part, *, field: str, value: Any, shown: tuple[Any, Any], user: User, now: datetime
) -> None:
    """Set one field of a part's request in its loket and record the change (from, to)."""
    with tenant_context(part.loket):
        setattr(part.request, field, value)
        part.request.save(update_fields=[field, "updated_at"])
        record_changed(part.request, actor=user, at=now, field=field, old=shown[0], new=shown[1])


@transaction.atomic
def request_change_desired_start(
    *, user: User, submission: uuid.UUID, desired_start: date, now: datetime
) -> list[RegistryEntry]:
    """Move the desired start date of every open part; the registry's age group follows."""
    parts = open_parts(lock_submission(parent=user, submission=submission))
    child = parts[0].request
    errors = rule_errors(
        today=timezone.localdate(now),
        birth_date=child.child_birth_date,
        is_expected_birth=child.is_expected_birth,
        desired_start=desired_start,
        choices=chosen_locations(parts),
    )
    if errors.get("desired_start"):
        raise ValidationError({"desired_start": errors["desired_start"]})
    age_group = age_group_at(child.child_birth_date, desired_start)
    for part in parts:
        previous = part.request.desired_start
        if previous == desired_start:
            continue
        _change_field(
            part,
            field="desired_start",
            value=desired_start,
            shown=(previous.isoformat(), desired_start.isoformat()),
            user=user,
            now=now,
        )
        part.entry.desired_start = desired_start
        part.entry.age_group = age_group
        part.entry.save(update_fields=["desired_start", "age_group", "updated_at"])
    return [part.entry for part in parts]


@transaction.atomic
def request_change_care_plan(
    *, user: User, submission: uuid.UUID, care_plan: list[str], now: datetime
) -> list[RegistryEntry]:
    """Replace the care plan (half-days of the week) of every open part."""
    if plan_errors := care_plan_errors(care_plan):
        raise ValidationError({"care_plan": plan_errors})
    plan = day_parts_in_order(care_plan)
    parts = open_parts(lock_submission(parent=user, submission=submission))
    for part in parts:
        previous = list(part.request.care_plan)
        if previous == plan:
            continue
        _change_field(
            part, field="care_plan", value=plan, shown=(previous, plan), user=user, now=now
        )
        # The registry holds no care plan; its entry still shows when the request changed.
        part.entry.save(update_fields=["updated_at"])
    return [part.entry for part in parts]


def _new_part(
    *, template: Part, loket: Loket, locations: list[CatalogueLocation], user: User, now: datetime
) -> RegistryEntry:
    """Register the request in a loket that had no part yet: a copy of the child and need."""
    return part_create(
        loket=loket,
        submission=template.entry.submission,
        fields=shared_fields_of(template.request),
        keys=RegistryKeys(
            name_key=template.entry.name_key,
            national_number_key=template.entry.national_number_key,
            claim_email_key=template.entry.claim_email_key,
            family_key=template.entry.family_key,
        ),
        child=template.entry.child,
        locations=locations,
        parent=user,
        registered_by=None,
        now=now,
        added_later=True,
    )


@transaction.atomic
def request_add_choices(
    *,
    user: User,
    submission: uuid.UUID,
    locations: list[CatalogueLocation],
    now: datetime,
) -> list[RegistryEntry]:
    """Add catalogue locations, ranked last, to the part of their loket.

    A location in a loket where the request has no part yet registers the request there
    (a new part with the same child and need), under the rules of that loket.
    Locations already chosen are left as they are; a withdrawn choice is opened again.
    """
    if not locations:
        raise ValidationError({"choices": [_("Choose at least one location.")]})
    parts = lock_submission(parent=user, submission=submission)
    still_open = open_parts(parts)
    open_by_loket = {part.loket.pk: part for part in still_open}
    closed_lokets = {part.loket.pk for part in parts} - set(open_by_loket)

    chosen = {
        (part.loket.pk, choice.location_id): choice
        for part in still_open
        for choice in part.choices
    }
    problems: dict[str, list[str]] = defaultdict(list)
    wanted: dict[int, list[CatalogueLocation]] = defaultdict(list)
    lokets: dict[int, Loket] = {}
    for location in dict.fromkeys(locations):
        lokets[location.loket_id] = location.loket
        earlier = chosen.get((location.loket_id, location.location_id))
        if earlier is None or earlier.status == ChoiceStatus.WITHDRAWN:
            wanted[location.loket_id].append(location)
        elif not earlier.is_open:
            # An answer of the provider (no place, an offer declined) stands.
            problems["choices"].append(
                _("%(location)s has already answered your request (%(status)s).")
                % {"location": location.name, "status": earlier.get_status_display()}
            )
    if not wanted and not problems:
        return [part.entry for part in still_open]

    for loket_id in wanted:
        if loket_id in closed_lokets:
            problems["choices"].append(
                _(
                    "Your request at %(loket)s is closed: register a new request to choose "
                    "its locations again."
                )
                % {"loket": lokets[loket_id].name}
            )
    child = still_open[0].request
    rules = {
        "today": timezone.localdate(now),
        "birth_date": child.child_birth_date,
        "is_expected_birth": child.is_expected_birth,
        "desired_start": child.desired_start,
    }
    added_here = [location for loket_id in open_by_loket for location in wanted.get(loket_id, [])]
    # Where the request is registered already, only the loket's maximum of choices counts.
    growing = [part for part in still_open if part.loket.pk in wanted]
    if added_here:
        problems["choices"].extend(
            rule_errors(**rules, choices=chosen_locations(growing) + added_here).get("choices", [])
        )
    # In a loket new to the request, it is a registration there, with all its rules.
    fresh = [
        location
        for loket_id, loket_locations in wanted.items()
        if loket_id not in open_by_loket and loket_id not in closed_lokets
        for location in loket_locations
    ]
    if fresh:
        for field_name, messages in rule_errors(**rules, choices=fresh).items():
            problems[field_name].extend(messages)
    problems = {
        name: list(dict.fromkeys(messages)) for name, messages in problems.items() if messages
    }
    if problems:
        raise ValidationError(problems)

    entries = [part.entry for part in still_open]
    for loket_id, loket_locations in wanted.items():
        part = open_by_loket.get(loket_id)
        if part is None:
            entries.append(
                _new_part(
                    template=still_open[0],
                    loket=lokets[loket_id],
                    locations=loket_locations,
                    user=user,
                    now=now,
                )
            )
            continue
        with tenant_context(part.loket):
            choices_add(part.request, loket_locations, now=now, chosen=part.choices)
            record_choices_added(
                part.request,
                actor=user,
                at=now,
                locations=[location.name for location in loket_locations],
            )
            part_touch(part.request, now=now)
    return entries


@transaction.atomic
def request_remove_choice(
    *, user: User, submission: uuid.UUID, part: int, choice: int, now: datetime
) -> RegistryEntry:
    """Withdraw one open choice of one part; the part keeps at least one open choice."""
    parts = lock_submission(parent=user, submission=submission)
    target = find_part(parts, part)
    open_parts(parts)
    removed = next((item for item in target.choices if item.pk == choice), None)
    if removed is None:
        raise RequestNotFound(choice)
    if not target.is_open or not removed.is_open:
        raise ValidationError(
            _("%(location)s is no longer open in your request.")
            % {"location": removed.location.name},
            code="closed",
        )
    if len(target.open_choices) == 1:
        raise ValidationError(
            _(
                "%(location)s is the only location left in your request at %(loket)s. "
                "To stop there, withdraw the request at this loket."
            )
            % {"location": removed.location.name, "loket": target.loket.name},
            code="last_choice",
        )
    with tenant_context(target.loket):
        choices_withdraw([removed], now=now)  # a place it held on offer ends with it
        record_choice_removed(target.request, actor=user, at=now, location=removed.location.name)
    target.entry.save(update_fields=["updated_at"])
    return target.entry


@transaction.atomic
def request_reorder_choices(
    *, user: User, submission: uuid.UUID, part: int, order: list[int], now: datetime
) -> RegistryEntry:
    """Rank the open choices of one part in ``order`` (choice ids, most wanted first).

    The open choices take the ranks they held between them, in the new order; choices
    that are no longer open keep theirs.
    """
    parts = lock_submission(parent=user, submission=submission)
    target = find_part(parts, part)
    open_parts(parts)
    if not target.is_open:
        raise ValidationError(_("This part of your request is closed."), code="closed")
    open_choices = {choice.pk: choice for choice in target.open_choices}
    if len(order) != len(set(order)) or set(order) != set(open_choices):
        raise ValidationError(
            {"order": [_("Give every open location of this loket once, in the order you want.")]}
        )
    if order == list(open_choices):
        return target.entry
    ranks = sorted(choice.rank for choice in open_choices.values())
    with tenant_context(target.loket):
        for rank, choice_id in zip(ranks, order, strict=True):
            choice = open_choices[choice_id]
            if choice.rank != rank:
                choice.rank = rank
                choice.save(update_fields=["rank"])
        record_choice_order_changed(
            target.request,
            actor=user,
            at=now,
            locations=[open_choices[choice_id].location.name for choice_id in order],
        )
    target.entry.save(update_fields=["updated_at"])
    return target.entry


@transaction.atomic
def request_withdraw(
    *,
    user: User,
    submission: uuid.UUID,
    now: datetime,
    part: int | None = None,
    reason: str = "",
) -> list[RegistryEntry]:
    """Withdraw the whole request (every open part) or, with ``part``, one loket's part."""
    parts = lock_submission(parent=user, submission=submission)
    targets = open_parts(parts)
    if part is not None:
        chosen = find_part(parts, part)
        if not chosen.is_open:
            raise ValidationError(_("This part of your request is closed already."), code="closed")
        targets = [chosen]
    reason = reason.strip()[:WITHDRAW_REASON_MAX_LENGTH]
    for target in targets:
        with tenant_context(target.loket):
            part_set_status(
                target.request, status=RequestStatus.WITHDRAWN, now=now, entry=target.entry
            )
            choices_withdraw(target.open_choices, now=now)  # and the places held on offer
            record_withdrawn(
                target.request, actor=user, at=now, whole_request=part is None, reason=reason
            )
    return [target.entry for target in targets]


@transaction.atomic
def request_claim(
    *,
    user: User,
    now: datetime,
    entries: QuerySet[RegistryEntry] | None = None,
    via: str = CLAIMED_BY_EMAIL,
) -> list[RegistryEntry]:
    """Link desk registrations to the user: their family, their history, their account.

    By default the ones made with one of the user's verified e-mail addresses: runs when a
    parent logs in, confirms an address or asks for it (``shared.portal.claims``), never
    when a page is only read. With ``entries`` (a submission's unclaimed entries: the
    claim code of its receipt, ``tenants.requests.claim_codes``) those, locked and waited
    for; ``via`` says in the history which way it was claimed.
    """
    if entries is None:
        selected = unclaimed_entries_of(user).select_for_update(of=("self",), skip_locked=True)
    else:
        selected = entries.filter(parent__isnull=True).select_for_update(of=("self",))
    entries = list(selected.select_related("loket").order_by("registered_at", "id"))
    for _loket, loket_entries in in_each_loket(entries):
        request_ids = list(
            ChildcareRequest.objects.filter(
                pk__in=[entry.request_id for entry in loket_entries], parent__isnull=True
            ).values_list("pk", flat=True)
        )
        ChildcareRequest.objects.filter(pk__in=request_ids).update(parent=user, updated_at=now)
        for claimed in ChildcareRequest.objects.filter(pk__in=request_ids):
            record_claimed(claimed, actor=user, at=now, via=via)
    RegistryEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        parent=user, updated_at=now
    )
    for entry in entries:
        entry.parent = user
    family_join(entries=entries, family_key=family_key(parent_id=user.pk))
    return entries
