"""Occupancy and free places of a location, per month and age group.

A location's licensed places are shared by the age groups it cares for. In a month:

- **placed**: placements current that month (from their start date to their end date;
  a placement without an end date keeps its place), whatever the child's age group;
- **offered**: offers waiting for the parent's answer that start in or before that month
  (an offer holds the place the child would take on accepting);
- **computed free** = licensed - placed - offered, never below 0.

The free places a location **publishes** (the catalogue, the offer check) are known only
for the months and age groups the provider has counted (an ``Availability`` row, its
*correction*, kept with who and when): the computed free places plus the correction,
between 0 and the licensed places. Elsewhere they are **not known** — never "0".

A row kept from before corrections existed (``correction`` empty) is the provider's own
count: it publishes that count minus the open offers of that month and age group, and a
placement takes one from it (``tenants.providers.services.availability_take_place``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from shared.accounts.models import User
from shared.catalogue.vocabulary import AgeGroup, add_months, age_groups_at, first_of_month
from tenants.allocation.models import Offer, Placement
from tenants.providers.models import Availability, Location
from tenants.requests.models import ChoiceStatus

# How many months the grid, the API and the catalogue look ahead (this month first).
OCCUPANCY_MONTHS = 12
MAX_OCCUPANCY_MONTHS = 36


@dataclass
class MonthOccupancy:
    """One month of one location, every figure side by side."""

    month: date
    licensed: int
    placed: int
    placed_by_age_group: dict[str, int]
    offered: int
    computed_free: int
    # Per age group the location counts in: the published free places, None when not known.
    free: dict[str, int | None] = field(default_factory=dict)
    # The provider's corrections of this month, per age group (who and when).
    corrections: dict[str, Availability] = field(default_factory=dict)

    @property
    def is_known(self) -> bool:
        return any(value is not None for value in self.free.values())

    @property
    def free_total(self) -> int | None:
        """The most children of any one age group that could still start; None: not known."""
        known = [value for value in self.free.values() if value is not None]
        return max(known) if known else None

    @property
    def updated_at(self) -> datetime | None:
        return max((row.updated_at for row in self.corrections.values()), default=None)

    @property
    def updated_by(self) -> User | None:
        latest = max(self.corrections.values(), key=lambda row: row.updated_at, default=None)
        return latest.updated_by if latest else None


def occupancy_months(*, start: date | None = None, count: int = OCCUPANCY_MONTHS) -> list[date]:
    """``count`` months from the month of ``start`` (default: this month)."""
    first = first_of_month(start or timezone.localdate())
    return [add_months(first, offset) for offset in range(count)]


def current_placements(*, location: Location, on: date | None = None):
    """The location's placements that hold a place on ``on`` or later (not ended yet)."""
    day = on or timezone.localdate()
    return Placement.objects.filter(location=location, choice__status=ChoiceStatus.ACCEPTED).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


def _counted_age_groups(location: Location, rows: list[Availability]) -> list[str]:
    # Imported here: selectors imports the services, which import this module.
    from tenants.providers.selectors import age_groups_for_location

    served = set(age_groups_for_location(location=location))
    kept = {row.age_group for row in rows}
    return [group for group in AgeGroup.values if group in served or group in kept]


def _published(
    *, row: Availability | None, computed_free: int, licensed: int, offered_here: int
) -> int | None:
    if row is None:
        return None
    if row.correction is None:  # the provider's own count, from before corrections
        return max(row.free_places - offered_here, 0)
    return min(max(computed_free + row.correction, 0), licensed)


def location_occupancy(*, location: Location, months: list[date]) -> list[MonthOccupancy]:
    """Placed, offered, computed and published free places of ``location`` in ``months``.

    Three queries whatever the number of months.
    """
    if not months:
        return []
    first, after = months[0], add_months(months[-1], 1)
    placements = list(
        Placement.objects.filter(location=location, choice__status=ChoiceStatus.ACCEPTED)
        .filter(start_date__lt=after)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("start_date", "end_date", "age_group")
    )
    offers = [
        (start, age_groups_at(birth, start))
        for start, birth in Offer.objects.filter(
            choice__location=location, status=Offer.Status.OPEN, start_date__lt=after
        ).values_list("start_date", "choice__request__child_birth_date")
    ]
    rows = list(
        Availability.objects.filter(location=location, month__in=months).select_related(
            "updated_by"
        )
    )
    by_month: dict[date, dict[str, Availability]] = {}
    for row in rows:
        by_month.setdefault(row.month, {})[row.age_group] = row
    age_groups = _counted_age_groups(location, rows)
    licensed = location.licensed_capacity
    result = []
    for month in months:
        following = add_months(month, 1)
        current = [
            age_group
            for start, end, age_group in placements
            if start < following and (end is None or end >= month)
        ]
        offered = sum(1 for start, _groups in offers if start < following)
        computed_free = max(licensed - len(current) - offered, 0)
        corrections = by_month.get(month, {})
        occupancy = MonthOccupancy(
            month=month,
            licensed=licensed,
            placed=len(current),
            placed_by_age_group=dict(Counter(current)),
            offered=offered,
            computed_free=computed_free,
            corrections=corrections,
        )
        for age_group in age_groups:
            offered_here = sum(
                1
                for start, groups in offers
                if first_of_month(start) == month and age_group in groups
            )
            occupancy.free[age_group] = _published(
                row=corrections.get(age_group),
                computed_free=computed_free,
                licensed=licensed,
                offered_here=offered_here,
            )
        result.append(occupancy)
    return result


def month_occupancy(*, location: Location, month: date) -> MonthOccupancy:
    return location_occupancy(location=location, months=[first_of_month(month)])[0]


def free_places_for_child(*, location: Location, month: date, age_groups: list[str]) -> int | None:
    """Free places in ``month`` for a child of ``age_groups``; None when they are not known."""
    occupancy = month_occupancy(location=location, month=month)
    known = [occupancy.free[group] for group in age_groups if occupancy.free.get(group) is not None]
    return max(known) if known else None


def correction_for(*, occupancy: MonthOccupancy, free_places: int) -> int:
    """The correction that makes the month publish ``free_places`` now."""
    return free_places - occupancy.computed_free


def published_free_places(
    *, location: Location, today: date | None = None
) -> list[tuple[date, str, int]]:
    """(month, age group, free places) the catalogue shows: the known ones, from this month."""
    start = first_of_month(today or timezone.localdate())
    months = sorted(
        {
            month
            for month in Availability.objects.filter(
                location=location, month__gte=start
            ).values_list("month", flat=True)
        }
    )
    if not months:
        return []
    span = (months[-1].year - start.year) * 12 + months[-1].month - start.month + 1
    occupancy = location_occupancy(
        location=location, months=occupancy_months(start=start, count=span)
    )
    return [
        (item.month, age_group, free)
        for item in occupancy
        for age_group, free in item.free.items()
        if free is not None
    ]
