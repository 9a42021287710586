"""A location that stops or loses its licence: close it and help its families further.

``location_close`` does everything in one transaction, without a background job:

- the location records ``closes_on`` and is taken out of the catalogue **at once**, whatever
  the date: a location known to close must not draw new requests in the weeks before, and
  an immediate unpublish needs no job to run on the day itself (the date stays on the
  location and in each family's history);
- its open choices end as "location closes", their open offers are withdrawn;
- a child placed there has the placement ended: the choice ends as "location closes", the
  request is open again with its original registration time (so the priority rules give it
  back its place in every queue), needed from the closing day at the latest, and the
  choices that closed when the place was accepted (in this loket and in others, through
  the registry) are in review again;
- every affected request gets a ``location_closed`` event (``details.location_id``), which is
  also how loket staff read who was affected afterwards.

Each family is told by e-mail (written to the outbox in the same transaction, sent after
the commit) in the request's language, with a link to
"Mijn aanvragen", where ``closing_alternatives`` suggests nearby locations with free places.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared.accounts.models import User
from shared.accounts.permissions import Access, has_access
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.selectors import CatalogueQuery, Sort, search_catalogue
from shared.catalogue.services import catalogue_location_sync
from shared.catalogue.vocabulary import age_in_months
from shared.lokets.models import Loket
from shared.lokets.selectors import current_loket
from shared.registry.models import RegistryEntry, RequestStatus
from shared.registry.selectors import is_same_child
from tenants.allocation.models import Offer
from tenants.allocation.notices import allocation_email_add
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.providers.models import Location
from tenants.requests.emails import my_request_url
from tenants.requests.family import family_email
from tenants.requests.history import record_location_closed, record_reopened_after_closing
from tenants.requests.models import (
    OPEN_CHOICE_STATUSES,
    ChildcareRequest,
    ChoiceStatus,
    RequestChoice,
    RequestEvent,
)
from tenants.requests.parts import lock_child, part_set_status
from tenants.requests.rules import confirmation_due

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 200
# The closing day: in the recent past (a licence withdrawn last month) up to two years ahead.
CLOSING_PAST_DAYS = 365
CLOSING_FUTURE_DAYS = 2 * 365
# How far and how many nearby alternatives a family is shown.
ALTERNATIVES_RADIUS_KM = 15.0
ALTERNATIVES_LIMIT = 5


@dataclass(frozen=True)
class AffectedRequest:
    """A request touched by a closing, as loket staff see it in the summary."""

    reference: str
    child_name: str
    was_placed: bool
    had_offer: bool
    reopened_locations: tuple[str, ...]
    has_email: bool


def _set_status(choices: list[RequestChoice], status: str, now: datetime) -> None:
    for choice in choices:
        choice.status = status
        choice.status_changed_at = now
    RequestChoice.objects.bulk_update(choices, ["status", "status_changed_at"])


def _reopen_choices_closed_on_placement(request: ChildcareRequest, now: datetime) -> list[str]:
    """Choices that closed when the place was accepted, in review again (open locations only)."""
    choices = list(
        RequestChoice.objects.select_for_update(of=("self",))
        .select_related("location")
        .filter(
            request=request, status=ChoiceStatus.CLOSED_ELSEWHERE, location__closes_on__isnull=True
        )
        .order_by("rank", "id")
    )
    _set_status(choices, ChoiceStatus.IN_REVIEW, now)
    return [choice.location.name for choice in choices]


def _reopen_request(
    request: ChildcareRequest,
    *,
    loket: Loket,
    needed_from: date,
    now: datetime,
    entry: RegistryEntry | None = None,
) -> list[str]:
    """The request back to open, with its registration time untouched."""
    reopened = _reopen_choices_closed_on_placement(request, now)
    request.desired_start = max(request.desired_start, needed_from)
    request.confirmed_until = confirmation_due(loket=loket, today=timezone.localdate(now))
    part_set_status(
        request,
        status=RequestStatus.OPEN,
        now=now,
        entry=entry,
        also=["desired_start", "confirmed_until"],
    )
    return reopened


def _lock_entries(requests: list[ChildcareRequest], loket: Loket) -> dict[int, RegistryEntry]:
    """The registry entries of the affected requests' children, locked in id order.

    The lock order of ``tenants.requests.parts`` (registry, then each loket's rows), as
    ``offer_accept`` takes it, so a closing and an accept at the same time wait for each
    other instead of deadlocking.
    """
    return lock_child(
        RegistryEntry.objects.filter(loket_id=loket.pk, request_id__in=[r.pk for r in requests])
    )


def _reopen_elsewhere(
    *, placed: RegistryEntry, entries: dict[int, RegistryEntry], needed_from: date, now: datetime
) -> list[str]:
    """Requests of the child in other lokets that were cancelled by this placement.

    Runs before the placed request itself reopens: ``placed.placed_at`` tells which
    cancellations this placement made.
    """
    reopened: list[str] = []
    if placed.placed_at is None:
        return reopened
    for entry in entries.values():
        if (
            entry.pk == placed.pk
            or not is_same_child(entry, placed)
            or entry.status != RequestStatus.CANCELLED
            or entry.closed_at != placed.placed_at  # cancelled by this very placement
        ):
            continue
        with tenant_context(entry.loket):
            request = (
                ChildcareRequest.objects.select_for_update().filter(pk=entry.request_id).first()
            )
            if request is None or request.status != RequestStatus.CANCELLED:
                continue
            names = _reopen_request(
                request, loket=entry.loket, needed_from=needed_from, now=now, entry=entry
            )
            record_reopened_after_closing(request, actor=None, at=now, locations=names)
        reopened.extend(names)
    return reopened


def closing_day_check(closes_on: date, *, today: date) -> None:
    """Refuse (ValidationError on ``closes_on``) a day more than a year ago or over two ahead."""
    earliest = today - timedelta(days=CLOSING_PAST_DAYS)
    latest = today + timedelta(days=CLOSING_FUTURE_DAYS)
    if closes_on < earliest:
        message = _("Choose a closing day on %(date)s at the earliest.")
        limit, code = earliest, "closes_on_too_early"
    elif closes_on > latest:
        message = _("Choose a closing day on %(date)s at the latest.")
        limit, code = latest, "closes_on_too_late"
    else:
        return
    raise ValidationError(
        {"closes_on": ValidationError(message % {"date": limit.strftime("%d/%m/%Y")}, code=code)}
    )


def _audit_location(*, location: Location, actor: User, event: str, now: datetime, **details):
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.LOCATION,
        object_id=location.pk,
        details={"event": event, "location_id": location.pk, **details},
        at=now,
    )


@transaction.atomic
def location_reopen(*, location: Location, actor: User, now: datetime) -> Location:
    """Loket staff undo a closing (entered by mistake, or the provider goes on after all).

    The location is no longer closing and may be published again (staff do that on its
    page: it stays out of the offer until then). Choices and placements the closing ended
    stay ended: each family was told, and may choose the location again. The closing and
    the reopening stay in the loket's audit trail and the requests' history.
    """
    loket = current_loket()
    if not has_access(Access.LOKET_STAFF, user=actor, loket=loket):
        raise PermissionDenied
    location = Location.objects.select_for_update().get(pk=location.pk)
    if location.closes_on is None:
        raise ValidationError(
            _("%(name)s is not closing.") % {"name": location.name}, code="not_closing"
        )
    closed_on = location.closes_on
    location.closes_on = None
    location.closing_reason = ""
    location.save(update_fields=["closes_on", "closing_reason", "updated_at"])
    _audit_location(
        location=location,
        actor=actor,
        event="location_reopened",
        now=now,
        closes_on=closed_on.isoformat(),
    )
    return location


def location_closings(*, location: Location) -> list[AuditEvent]:
    """The closings and reopenings of ``location``, oldest first (the loket's audit trail)."""
    return list(
        AuditEvent.objects.filter(object_type=AuditEvent.ObjectType.LOCATION, object_id=location.pk)
        .select_related("actor")
        .order_by("at", "id")
    )


@transaction.atomic
def location_close(
    *, location: Location, closes_on: date, reason: str, actor: User, now: datetime
) -> list[AffectedRequest]:
    """Loket staff record that ``location`` stops on ``closes_on``; returns who was affected.

    Refused (ValidationError) when the location is already closing, or for a day more
    than a year ago or more than two years ahead (``closing_day_check``). Only loket staff of
    the current loket may close a location (PermissionDenied otherwise).
    """
    loket = current_loket()
    if not has_access(Access.LOKET_STAFF, user=actor, loket=loket):
        raise PermissionDenied
    closing_day_check(closes_on, today=timezone.localdate(now))
    location = Location.objects.select_for_update().select_related("organizer").get(pk=location.pk)
    if location.closes_on is not None:
        raise ValidationError(
            _("%(name)s is already closing on %(date)s.")
            % {"name": location.name, "date": location.closes_on.strftime("%d/%m/%Y")},
            code="already_closing",
        )
    reason = reason.strip()[:REASON_MAX_LENGTH]
    location.closes_on = closes_on
    location.closing_reason = reason
    location.is_published = False
    location.save(update_fields=["closes_on", "closing_reason", "is_published", "updated_at"])
    catalogue_location_sync(loket=loket, location=location)
    _audit_location(
        location=location,
        actor=actor,
        event="location_closed",
        now=now,
        closes_on=closes_on.isoformat(),
    )

    touched = ChildcareRequest.objects.filter(
        choices__location=location,
        choices__status__in=(*OPEN_CHOICE_STATUSES, ChoiceStatus.ACCEPTED),
    ).distinct()
    entries = _lock_entries(list(touched), loket)
    offers = list(
        Offer.objects.select_for_update(of=("self",))
        .filter(choice__location=location, status=Offer.Status.OPEN)
        .order_by("id")
    )
    for offer in offers:
        offer.status = Offer.Status.WITHDRAWN
        offer.answered_at = now
    Offer.objects.bulk_update(offers, ["status", "answered_at"])
    offered_choices = {offer.choice_id for offer in offers}
    choices = list(
        RequestChoice.objects.select_for_update(of=("self",))
        .filter(location=location, status__in=(*OPEN_CHOICE_STATUSES, ChoiceStatus.ACCEPTED))
        .order_by("request_id", "id")
    )
    placed_choices = {choice.pk for choice in choices if choice.status == ChoiceStatus.ACCEPTED}
    _set_status(choices, ChoiceStatus.LOCATION_CLOSED, now)
    requests = ChildcareRequest.objects.select_for_update(of=("self",)).in_bulk(
        [choice.request_id for choice in choices]
    )
    own_entries = {
        entry.request_id: entry for entry in entries.values() if entry.loket_id == loket.pk
    }
    affected: list[AffectedRequest] = []
    to_tell: list[int] = []
    for choice in choices:
        request = requests[choice.request_id]
        was_placed = choice.pk in placed_choices
        reopened: list[str] = []
        entry = own_entries.get(request.pk)
        # A request whose personal data were removed (tenants.requests.retention) has no
        # family left to look for another place: its choice ends, it is not reopened.
        if was_placed and request.status == RequestStatus.PLACED and not request.anonymised_at:
            elsewhere = (
                _reopen_elsewhere(placed=entry, entries=entries, needed_from=closes_on, now=now)
                if entry is not None
                else []
            )
            reopened = _reopen_request(
                request, loket=loket, needed_from=closes_on, now=now, entry=entry
            )
            reopened += elsewhere
        record_location_closed(
            request,
            actor=actor,
            at=now,
            location=location.name,
            location_id=location.pk,
            closes_on=closes_on,
            reason=reason,
            was_placed=was_placed,
            offer_withdrawn=choice.pk in offered_choices,
            reopened=reopened,
        )
        affected.append(
            AffectedRequest(
                reference=request.reference,
                child_name=request.child_name,
                was_placed=was_placed,
                had_offer=choice.pk in offered_choices,
                reopened_locations=tuple(reopened),
                has_email=bool(family_email(request)),
            )
        )
        to_tell.append(request.pk)
    location_closed_notify(loket=loket, location_id=location.pk, request_ids=to_tell)
    return affected


def location_closed_notify(*, loket: Loket, location_id: int, request_ids: list[int]) -> int:
    """E-mail each family of ``request_ids`` that the location closes; returns how many.

    Runs in the closing's transaction and writes each e-mail to the outbox
    (``shared.lokets.outbox``): they leave after the commit, at least once, and a mail
    server that is down never undoes the closing. An e-mail that cannot be made is logged;
    loket staff see in the summary whom to phone.
    """
    sent = 0
    with tenant_context(loket):
        location = Location.objects.get(pk=location_id)
        requests = ChildcareRequest.objects.filter(pk__in=request_ids).select_related("parent")
        for request in requests:
            address = family_email(request)
            if not address:
                continue
            try:
                with transaction.atomic():  # a savepoint: a failure keeps the closing
                    _send_closed(request=request, location=location, loket=loket, to=address)
            except Exception:
                logger.exception(
                    "location closing e-mail not sent",
                    extra={"loket": loket.slug, "reference": request.reference},
                )
            else:
                sent += 1
    return sent


def _send_closed(*, request: ChildcareRequest, location: Location, loket: Loket, to: str) -> None:
    context = {
        "child_name": request.child_name,
        "reference": request.reference,
        "loket": loket,
        "location": location,
        "closes_on": location.closes_on,
        "is_open": request.status == RequestStatus.OPEN,
        "url": my_request_url(request=request, loket=loket),
    }
    allocation_email_add("location_closed", to=to, language=request.language, context=context)


# --- Selectors -------------------------------------------------------------------------


def closing_events(*, location: Location) -> QuerySet[RequestEvent]:
    """The ``location_closed`` events of this location: who was affected by its closing."""
    return (
        RequestEvent.objects.filter(
            kind=RequestEvent.Kind.LOCATION_CLOSED, details__location_id=location.pk
        )
        .select_related("request")
        .order_by("request__registered_at", "id")
    )


def closing_alternatives(
    *, request: ChildcareRequest, loket: Loket, limit: int = ALTERNATIVES_LIMIT
) -> list[CatalogueLocation]:
    """Nearby published locations with free places for a request whose location closes.

    Run in the request's loket schema. Empty unless the request is open and one of its
    choices ended because its location closes. Same kind of care as the closing location,
    an age range that fits the child at the desired start, free places in that month, near
    the family's postcode; never a location the request already chose in this loket.
    """
    if request.status != RequestStatus.OPEN:
        return []
    closed = list(
        request.choices.filter(status=ChoiceStatus.LOCATION_CLOSED).select_related("location")
    )
    if not closed:
        return []
    chosen = list(request.choices.values_list("location_id", flat=True))
    query = CatalogueQuery(
        kind=closed[0].location.kind,
        age_months=age_in_months(request.child_birth_date, request.desired_start),
        start=request.desired_start,
        free_places=True,
        near=request.postcode,
        radius_km=ALTERNATIVES_RADIUS_KM,
        sort=Sort.DISTANCE,
    )
    found = search_catalogue(query=query, loket=loket).exclude(loket=loket, location_id__in=chosen)
    return list(found[:limit])


def parent_closing_alternatives(*, parent_request) -> list[CatalogueLocation]:
    """Alternatives for a parent's request (``shared.portal.selectors.SubmissionView``).

    Read per open part whose location closes, in that part's loket; each location once.
    """
    found: dict[int, CatalogueLocation] = {}
    for part in parent_request.parts:
        if not part.is_open or not any(
            choice.status == ChoiceStatus.LOCATION_CLOSED for choice in part.choices
        ):
            continue
        with tenant_context(part.loket):
            entry = RegistryEntry.objects.filter(pk=part.id).first()
            request = (
                ChildcareRequest.objects.filter(pk=entry.request_id).first() if entry else None
            )
            if request is None:
                continue
            for location in closing_alternatives(request=request, loket=part.loket):
                found.setdefault(location.pk, location)
    return list(found.values())[:ALTERNATIVES_LIMIT]
