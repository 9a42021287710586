"""Reading a loket's requests for its staff: filtered lists, one request in full, its links.

Every query here runs in the schema of the current loket (the host's), except
``linked_lokets``, which reads only the public registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from shared.catalogue.vocabulary import DAY_CODES, HALF_DAYS
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry, RequestStatus
from shared.registry.selectors import entries_of_child
from tenants.providers.models import Location
from tenants.requests.models import (
    ChildcareRequest,
    FormerReference,
    Priority,
    RequestChoice,
    RequestEvent,
    RequestNote,
)

# Values of the priority filter besides the situations themselves.
ANY_PRIORITY = "any"
NO_PRIORITY = "none"
# Values of the "registered by" filter.
BY_STAFF = "staff"
BY_PARENT = "parent"


def _choices_with_locations() -> Prefetch:
    return Prefetch(
        "choices", queryset=RequestChoice.objects.select_related("location").order_by("rank")
    )


def loket_requests(
    *,
    status: str | None = None,
    start_month: date | None = None,
    location: Location | None = None,
    priority: str | None = None,
    registered_by: str | None = None,
    registered_since: date | None = None,
) -> QuerySet[ChildcareRequest]:
    """The requests of this loket in the legal order (time of registration), filtered.

    ``start_month``: any day of the desired start month. ``priority``: a ``Priority``
    value, ``"any"`` or ``"none"``. ``registered_by``: ``"staff"`` (at the desk) or
    ``"parent"``. ``registered_since``: registered on that day (local time) or later.
    Choices and their locations come prefetched: a page of the list costs
    the same few queries whatever its length.
    """
    requests = ChildcareRequest.objects.select_related("residence", "registered_by")
    if status:
        requests = requests.filter(status=status)
    if start_month:
        requests = requests.filter(
            desired_start__year=start_month.year, desired_start__month=start_month.month
        )
    if location is not None:
        requests = requests.filter(
            Exists(RequestChoice.objects.filter(request=OuterRef("pk"), location=location))
        )
    if priority == ANY_PRIORITY:
        requests = requests.exclude(priorities=[])
    elif priority == NO_PRIORITY:
        requests = requests.filter(priorities=[])
    elif priority:
        requests = requests.filter(priorities__contains=[priority])
    if registered_since:
        since = timezone.make_aware(datetime.combine(registered_since, time.min))
        requests = requests.filter(registered_at__gte=since)
    if registered_by == BY_STAFF:
        requests = requests.filter(registered_by__isnull=False)
    elif registered_by == BY_PARENT:
        requests = requests.filter(registered_by__isnull=True)
    return requests.prefetch_related(_choices_with_locations()).order_by("registered_at", "id")


def request_detail(*, reference: str) -> ChildcareRequest | None:
    """One request of this loket with its choices, history and notes; None if not here.

    A former reference (of a loket merged into this one) finds the request too: compare
    the answer's ``reference`` with the one asked for to tell.
    """
    requests = ChildcareRequest.objects.select_related(
        "residence", "registered_by", "parent"
    ).prefetch_related(
        _choices_with_locations(),
        Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
        Prefetch("notes", queryset=RequestNote.objects.select_related("author")),
        "former_references",
    )
    found = requests.filter(reference=reference).first()
    if found is None:
        found = requests.filter(former_references__reference=reference).first()
    return found


def current_reference(*, reference: str) -> str | None:
    """The reference of the request a former reference (of a merged loket) now names."""
    return (
        FormerReference.objects.filter(reference=reference)
        .values_list("request__reference", flat=True)
        .first()
    )


def filterable_locations() -> QuerySet[Location]:
    """The locations of this loket that staff can filter requests on."""
    return Location.objects.order_by("name")


@dataclass(frozen=True)
class LinkedLoket:
    """Another loket where the same child has a request: which loket, not what is in it."""

    loket_name: str
    status: str

    @property
    def status_label(self) -> str:
        return str(RequestStatus(self.status).label)


def linked_lokets(*, request: ChildcareRequest, loket: Loket | None = None) -> list[LinkedLoket]:
    """The other lokets where the child of ``request`` has a request, oldest first.

    The child is recognised through the public registry (the keyed hash of the name and
    date of birth, or of the national register number), like at registration. Only the
    loket's name and the request's status come back: never a reference or anything else
    of another loket's request. ``loket`` defaults to the loket of the connection.
    """
    loket = loket or connection.tenant
    own = RegistryEntry.objects.filter(loket_id=loket.pk, request_id=request.pk)
    entries = (
        entries_of_child(own)
        .exclude(loket_id=loket.pk)
        .order_by("registered_at", "id")
        .values_list("loket__name", "status")
    )
    return [LinkedLoket(loket_name=name, status=status) for name, status in entries]


def masked_national_number(*, request: ChildcareRequest) -> str:
    """The national register number as staff see it: only its last two digits.

    ``25031512345`` → ``••.••.••-•••.45``; empty when none was given.
    """
    digits = request.national_number
    return f"••.••.••-•••.{digits[-2:]}" if digits else ""


@dataclass(frozen=True)
class CarePlanRow:
    part: str  # "am" or "pm"
    days: list[bool]  # Monday to Friday


def care_plan_grid(*, request: ChildcareRequest) -> list[CarePlanRow]:
    """The care plan as a week: a row for mornings and one for afternoons, Monday to Friday."""
    needed = set(request.care_plan)
    return [
        CarePlanRow(part=part, days=[f"{day}_{part}" in needed for day in DAY_CODES])
        for part in HALF_DAYS
    ]


def priority_labels(*, request: ChildcareRequest) -> list[str]:
    return [str(Priority(value).label) for value in request.priorities if value in Priority.values]
