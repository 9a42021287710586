"""Reading a location's queue, its offers and the exceptions loket staff follow up.

The queue is ordered in SQL, however long it is: for a location with the income-related
tariff, requests registered from 1 April 2024 with an absolute-priority situation come
first, by the location's own order of the priority groups; everything else, and every
tie, by the time of registration (``registered_at``, then the request's id).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from shared.catalogue.vocabulary import (
    AGE_GROUP_MONTHS,
    Tariff,
    add_months,
    care_plan_days,
    day_parts_in_order,
    first_of_month,
)
from shared.lokets.models import Loket
from shared.registry.children import in_one_family
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.allocation.matching import PlaceOrder
from tenants.allocation.models import Offer
from tenants.providers.models import Location
from tenants.providers.occupancy import current_placements
from tenants.requests.models import OPEN_CHOICE_STATUSES, ChoiceStatus, Priority, RequestChoice
from tenants.requests.parts import in_each_loket

# The choices still waiting in a location's queue.
QUEUE_STATUSES = (ChoiceStatus.IN_REVIEW, ChoiceStatus.OTHER_DATE, ChoiceStatus.OFFERED)
# Waiting without an offer: passing over one of these needs a reason.
WITHOUT_OFFER_STATUSES = (ChoiceStatus.IN_REVIEW, ChoiceStatus.OTHER_DATE)
# The priority rules of 1 April 2024 apply to requests registered from that day on.
PRIORITY_RULES_FROM = datetime(2024, 4, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Brussels"))


class MonthsOfAge(Func):
    """Whole months from a date of birth to a start date, never below 0 (SQL ``AGE``).

    The same count as ``shared.catalogue.vocabulary.age_in_months``, the one Python
    function for a child's age; keep the two in step. Its two expressions
    must be columns: the template uses them twice.
    """

    output_field = IntegerField()
    template = (
        "GREATEST(0, (EXTRACT(YEAR FROM AGE(%(expressions)s)) * 12"
        " + EXTRACT(MONTH FROM AGE(%(expressions)s)))::integer)"
    )


def priority_groups(*, location: Location) -> list[str]:
    """The location's order of the absolute-priority groups, every group once."""
    ordered = [group for group in location.priority_order if group in Priority.values]
    ordered = list(dict.fromkeys(ordered))
    return ordered + [group for group in Priority.values if group not in ordered]


def _priority_rank(location: Location) -> Case | Value:
    """0 for the best-ranked priority group, … ; ``len(groups)`` without absolute priority."""
    groups = priority_groups(location=location)
    if location.tariff != Tariff.INCOME_RELATED:
        return Value(len(groups), output_field=IntegerField())
    return Case(
        *(
            When(
                request__registered_at__gte=PRIORITY_RULES_FROM,
                request__priorities__contains=[group],
                then=Value(position),
            )
            for position, group in enumerate(groups)
        ),
        default=Value(len(groups)),
        output_field=IntegerField(),
    )


QUEUE_ORDER = ("priority_rank", "request__registered_at", "request_id")


def place_orders(*, location: Location, choice_ids: list[int]) -> dict[int, PlaceOrder]:
    """Where each of these choices of ``location`` stands in its legal order, by choice id.

    The very order of ``location_queue`` (``QUEUE_ORDER``: the priority group, the
    registration time, the request id), for the matching of an allocation round.
    """
    rows = (
        RequestChoice.objects.filter(location=location, pk__in=choice_ids)
        .annotate(priority_rank=_priority_rank(location))
        .values_list("pk", "priority_rank", "request__registered_at", "request_id")
    )
    return {
        pk: PlaceOrder(priority_rank=rank, registered_at=registered_at, request_id=request_id)
        for pk, rank, registered_at, request_id in rows
    }


def _queue_base(*, location: Location) -> QuerySet[RequestChoice]:
    return RequestChoice.objects.filter(location=location, status__in=QUEUE_STATUSES).annotate(
        priority_rank=_priority_rank(location),
        age_at_start=MonthsOfAge(F("request__desired_start"), F("request__child_birth_date")),
    )


def location_queue(
    *,
    location: Location,
    start_month: date | None = None,
    age_months: int | None = None,
    age_group: str | None = None,
    is_urgent: bool | None = None,
    choice_id: int | None = None,
) -> QuerySet[RequestChoice]:
    """Every open choice of the location, in the order places are offered.

    Each row has its request (``select_related``), ``queue_rank`` (1 first, counted over
    the whole queue even when filtered), ``priority_rank`` (0 for the location's first
    priority group; the number of groups when the request has no absolute priority here),
    ``age_at_start`` (whole months at the desired start) and ``open_offers`` (prefetched).

    ``start_month``: any day of the desired start month. ``age_months``: exactly this many
    whole months old at the desired start. ``age_group``: an ``AgeGroup`` value, by the
    age at the desired start. ``is_urgent``: only requests loket staff marked urgent (they
    keep their rank: urgency never changes the order). ``choice_id``: only that choice,
    with its rank in the whole queue.
    """
    conditions = Q()
    if start_month is not None:
        first = first_of_month(start_month)
        conditions &= Q(
            request__desired_start__gte=first, request__desired_start__lt=add_months(first, 1)
        )
    if age_months is not None:
        conditions &= Q(age_at_start=age_months)
    if age_group is not None:
        low, high = AGE_GROUP_MONTHS[age_group]
        conditions &= Q(age_at_start__gte=low, age_at_start__lte=high)
    if is_urgent:
        conditions &= Q(request__is_urgent=True)
    if choice_id is not None:
        conditions &= Q(pk=choice_id)
    order = [F(name).asc() for name in QUEUE_ORDER]
    queue = _queue_base(location=location).annotate(
        queue_rank=Window(RowNumber(), order_by=order),
    )
    if conditions:
        # Filtered on an expression of the window, the filter runs after the ranking
        # (Django wraps the query), so ranks stay those of the whole queue.
        queue = queue.annotate(
            shown_rank=Case(When(conditions, then=F("queue_rank")), output_field=IntegerField())
        ).filter(shown_rank__isnull=False)
    return (
        queue.select_related("request")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(status=Offer.Status.OPEN),
                to_attr="open_offers",
            )
        )
        .order_by(*order)
    )


def ranked_higher_without_offer(
    *, choice: RequestChoice, start_date: date | None = None
) -> QuerySet[RequestChoice]:
    """Open choices of the same location ranked above ``choice`` that wait without an offer.

    With ``start_date``, only children who want to start in that month or earlier: a child
    who wants to start later is not passed over by an offer for an earlier place.
    """
    location = choice.location
    queue = _queue_base(location=location)
    target = queue.filter(pk=choice.pk).values("priority_rank", "request__registered_at").first()
    if target is None:
        return queue.none()
    rank, registered_at = target["priority_rank"], target["request__registered_at"]
    higher = (
        Q(priority_rank__lt=rank)
        | Q(priority_rank=rank, request__registered_at__lt=registered_at)
        | Q(
            priority_rank=rank,
            request__registered_at=registered_at,
            request_id__lt=choice.request_id,
        )
    )
    waiting = queue.filter(higher, status__in=WITHOUT_OFFER_STATUSES).exclude(pk=choice.pk)
    if start_date is not None:
        waiting = waiting.filter(request__desired_start__lt=add_months(start_date, 1))
    return waiting


def locations_with_queue_counts(locations: QuerySet[Location]) -> QuerySet[Location]:
    """``locations`` with ``waiting`` (open choices) and ``open_offer_count``, in one query."""
    return locations.annotate(
        waiting=Count("choices", filter=Q(choices__status__in=QUEUE_STATUSES), distinct=True),
        open_offer_count=Count(
            "choices__offers",
            filter=Q(choices__offers__status=Offer.Status.OPEN),
            distinct=True,
        ),
    )


# How long the queue pages show choices that ended without the location's doing.
RECENT_ENDINGS_DAYS = 30
# Endings the location did not decide: the offer expired, or the child has a place elsewhere.
ENDED_ELSEWHERE_STATUSES = (ChoiceStatus.EXPIRED, ChoiceStatus.CLOSED_ELSEWHERE)


def _recent_endings(now: datetime, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}status__in": ENDED_ELSEWHERE_STATUSES,
            f"{prefix}status_changed_at__gte": now - timedelta(days=RECENT_ENDINGS_DAYS),
        }
    )


def location_recent_endings(*, location: Location, now: datetime) -> QuerySet[RequestChoice]:
    """Choices of the location that ended lately without its doing, newest first: an offer
    expired without an answer, or the child found a place elsewhere (the parent is not
    e-mailed about that; the location sees it here)."""
    return (
        RequestChoice.objects.filter(_recent_endings(now), location=location)
        .select_related("request")
        .order_by("-status_changed_at", "-id")
    )


def locations_with_recent_endings(
    locations: QuerySet[Location], *, now: datetime
) -> QuerySet[Location]:
    """``locations`` with ``expired_count`` and ``closed_elsewhere_count`` of the last days."""
    recent = _recent_endings(now, prefix="choices__")
    return locations.annotate(
        expired_count=Count(
            "choices", filter=recent & Q(choices__status=ChoiceStatus.EXPIRED), distinct=True
        ),
        closed_elsewhere_count=Count(
            "choices",
            filter=recent & Q(choices__status=ChoiceStatus.CLOSED_ELSEWHERE),
            distinct=True,
        ),
    )


def locations_with_overdue(
    *, locations: QuerySet[Location], loket: Loket, now: datetime
) -> QuerySet[Location]:
    """The locations with choices in review longer than the loket's ``response_days``.

    A choice is counted from ``status_changed_at``: the registration, or later when the
    location was added to the request or the request reopened. Each location has
    ``overdue_count`` and ``oldest_overdue`` (the earliest such moment); one query,
    however many locations and choices. Most overdue first.
    """
    overdue = Q(
        choices__status=ChoiceStatus.IN_REVIEW,
        choices__status_changed_at__lt=now - timedelta(days=loket.response_days),
        choices__request__status=RequestStatus.OPEN,
    )
    return (
        locations.annotate(
            overdue_count=Count("choices", filter=overdue),
            oldest_overdue=Min("choices__status_changed_at", filter=overdue),
        )
        .filter(overdue_count__gt=0)
        .order_by("oldest_overdue", "name", "pk")
    )


def _new_choices(since: datetime, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}status": ChoiceStatus.IN_REVIEW,
            f"{prefix}status_changed_at__gte": since,
            f"{prefix}request__status": RequestStatus.OPEN,
        }
    )


def new_choices_count(*, locations: QuerySet[Location], since: datetime) -> int:
    """Choices of ``locations`` that came in review since ``since`` and wait for an answer:
    the locations' new work (the same moment as the answer clock counts from)."""
    return RequestChoice.objects.filter(_new_choices(since), location__in=locations).count()


def locations_with_new_choices(
    locations: QuerySet[Location], *, since: datetime
) -> QuerySet[Location]:
    """``locations`` with ``new_count``: their choices of ``new_choices_count``."""
    return locations.annotate(
        new_count=Count("choices", filter=_new_choices(since, prefix="choices__"), distinct=True)
    )


def advised_places_in_use(*, location: Location) -> int:
    """Open offers and current placements of the location made on a family-support
    organisation's advice.

    A placement counts until its end date; one that ended (or whose choice ended, as when
    the location closes) no longer does.
    """
    offers = Offer.objects.filter(choice__location=location, status=Offer.Status.OPEN).exclude(
        advising_organisation=""
    )
    placements = current_placements(location=location).exclude(offer__advising_organisation="")
    return offers.count() + placements.count()


def exception_offers(*, locations: QuerySet[Location] | None = None) -> QuerySet[Offer]:
    """Offers made while passing over children ranked higher, or on a toeleider's advice."""
    offers = Offer.objects.filter(~Q(passed_over_reason="") | ~Q(advising_organisation=""))
    if locations is not None:
        offers = offers.filter(choice__location__in=locations)
    return offers.select_related("choice__location", "choice__request", "created_by").order_by(
        "-created_at", "-id"
    )


def offers_for_locations(
    *, locations: QuerySet[Location], status: str | None = None
) -> QuerySet[Offer]:
    offers = Offer.objects.filter(choice__location__in=locations)
    if status:
        offers = offers.filter(status=status)
    return offers.select_related("choice__location", "choice__request").order_by(
        "-created_at", "-id"
    )


def request_offers(*, request_id: int) -> QuerySet[Offer]:
    """Every offer made for one request of this loket, newest first."""
    return (
        Offer.objects.filter(choice__request_id=request_id)
        .select_related("choice__location", "created_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class QueueLine:
    """One row of the queue as pages and the API show it.

    Of the child only what a provider needs to plan a place (least data): the first name,
    the age at the desired start, the care plan and the priority; never the last name,
    the date of birth or the family's contact details (those come with a placement).
    """

    choice: RequestChoice
    rank: int
    age_at_start: int
    days_per_week: float
    child_first_name: str
    care_plan: list[str]  # half-day codes, Monday morning first
    care_plan_days: list[tuple[str, str]]  # ("Monday", "whole day"), in the active language
    priorities: list[str]  # Priority values
    priority_labels: list[str]
    has_absolute_priority: bool
    registered_at: datetime
    open_offer: Offer | None
    is_urgent: bool = False


def queue_lines(queue: QuerySet[RequestChoice], *, location: Location) -> list[QueueLine]:
    groups = len(priority_groups(location=location))
    return [
        QueueLine(
            choice=choice,
            rank=choice.queue_rank,
            age_at_start=choice.age_at_start,
            days_per_week=choice.request.days_per_week,
            child_first_name=choice.request.child_first_name,
            care_plan=day_parts_in_order(choice.request.care_plan),
            care_plan_days=care_plan_days(choice.request.care_plan),
            priorities=list(choice.request.priorities),
            priority_labels=[
                str(Priority(value).label)
                for value in choice.request.priorities
                if value in Priority.values
            ],
            has_absolute_priority=choice.priority_rank < groups,
            registered_at=choice.request.registered_at,
            open_offer=choice.open_offers[0] if choice.open_offers else None,
            is_urgent=choice.request.is_urgent,
        )
        for choice in queue
    ]


def queue_line_of(*, choice: RequestChoice) -> QueueLine | None:
    """The queue row of one choice (its rank in the whole queue); None once it left it."""
    location = choice.location
    lines = queue_lines(location_queue(location=location, choice_id=choice.pk), location=location)
    return lines[0] if lines else None


def parent_offer(*, user, public_id) -> tuple[Loket, Offer] | None:
    """An offer made for one of this parent's requests, in whichever loket; None otherwise.

    Found through the parent's registry entries: one query per loket that holds a request
    of theirs, and never an offer of anyone else's request.
    """
    entries = RegistryEntry.objects.filter(parent=user).select_related("loket")
    found = None
    for loket, loket_entries in in_each_loket(entries):
        offer = (
            Offer.objects.select_related("choice__request", "choice__location")
            .filter(
                public_id=public_id,
                choice__request_id__in=[entry.request_id for entry in loket_entries],
            )
            .first()
        )
        if offer is not None:
            found = (loket, offer)
    return found


def entries_closing_with(
    *, placed: RegistryEntry, entries: list[RegistryEntry]
) -> list[RegistryEntry]:
    """The child's entries that a place accepted for ``placed`` closes: ``placed`` itself and
    the family's other open ones, in every loket. Another family's entries of what looks
    like the same child stay open: their loket decides (a possible duplicate)."""
    return [
        entry
        for entry in entries
        if entry.pk == placed.pk
        or (entry.status == RequestStatus.OPEN and in_one_family(entry, placed))
    ]


@dataclass(frozen=True)
class ClosingChoice:
    """A choice that accepting an offer would close, as the parent reads it."""

    loket_name: str
    location_name: str
    status_label: str


def closing_on_accept(*, loket: Loket, offer: Offer) -> list[ClosingChoice]:
    """What accepting ``offer`` would close: the family's other open choices of the child.

    Read without locks, for the confirmation page; the accept itself decides under locks
    (``services.offer_accept``) with the same rule (``entries_closing_with``).
    """
    placed = RegistryEntry.objects.get(loket_id=loket.pk, request_id=offer.choice.request_id)
    entries = list(RegistryEntry.objects.filter(child_id=placed.child_id).select_related("loket"))
    closing = entries_closing_with(placed=placed, entries=entries)
    labels = dict(ChoiceStatus.choices)
    found: list[ClosingChoice] = []
    for part_loket, loket_entries in in_each_loket(closing):
        choices = (
            RequestChoice.objects.select_related("location")
            .filter(
                request_id__in=[entry.request_id for entry in loket_entries],
                status__in=OPEN_CHOICE_STATUSES,
            )
            .exclude(pk=offer.choice_id if part_loket.pk == loket.pk else None)
            .order_by("request_id", "rank", "id")
        )
        found.extend(
            ClosingChoice(
                loket_name=part_loket.name,
                location_name=choice.location.name,
                status_label=str(labels.get(choice.status, choice.status)),
            )
            for choice in choices
        )
    return found
