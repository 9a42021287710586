"""Reading a loket's providers: which locations a user may manage, and their free places."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from shared.accounts.models import Membership, User
from shared.accounts.permissions import Access, has_access, objects_granted
from shared.catalogue.vocabulary import AGE_GROUP_MONTHS, AgeGroup, first_of_month
from shared.geography.models import Municipality, Postcode
from shared.lokets.models import Loket
from tenants.providers.models import Location, Organizer
from tenants.providers.occupancy import MonthOccupancy, location_occupancy, occupancy_months
from tenants.providers.services import LOCATION_CHANGE_PERMISSION, LOCATION_FIELDS

# What a provider's own staff may change of a granted location. The organizer, the kind
# of care and the dossier number follow Opgroeien's licence, and publishing and the order
# of the priority groups are the loket's decision: those stay with loket staff.
PROVIDER_EDITABLE_FIELDS = tuple(
    name
    for name in LOCATION_FIELDS
    if name not in {"organizer", "kind", "dossier_number", "is_published", "priority_order"}
)

GRID_MONTHS = 12


# Who manages a location: the loket's staff every one, provider staff those granted to
# them (the role table's object grant, ``LOCATION_CHANGE_PERMISSION``).
LOCATION_MANAGERS = (Access.LOKET_STAFF, Access.PROVIDER_STAFF_OF_OBJECT)


def locations_manageable_by(*, user: User, loket: Loket) -> QuerySet[Location]:
    """Every location for the loket's staff; only the granted ones for provider staff.

    Call it inside ``loket``'s schema (a request on its host). Anyone else gets none, so
    looking a location up through this queryset never reveals one the user may not manage.
    """
    locations = Location.objects.select_related("organizer").order_by("name", "pk")
    return objects_granted(locations, *LOCATION_MANAGERS, user=user, loket=loket)


def locations_granted_to(*, user: User, locations: QuerySet[Location]) -> QuerySet[Location]:
    """Of ``locations``, those granted to ``user`` (the object grant itself, whatever roles
    the user holds): what the team page shows and changes for provider staff."""
    return get_objects_for_user(
        user,
        LOCATION_CHANGE_PERMISSION,
        klass=locations,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def location_fields_editable_by(*, user: User, loket: Loket) -> tuple[str, ...]:
    if has_access(Access.LOKET_STAFF, user=user, loket=loket):
        return LOCATION_FIELDS
    return PROVIDER_EDITABLE_FIELDS


def organizers_with_counts() -> QuerySet[Organizer]:
    return Organizer.objects.annotate(location_count=Count("locations")).order_by("name", "pk")


def working_area(*, loket: Loket) -> QuerySet[Municipality]:
    """The municipalities a loket's locations may lie in."""
    return loket.municipalities.order_by("name_nl")


def postcode_fits_municipality(*, postcode: str, municipality: Municipality) -> bool:
    """False only when the postcode is known and none of its places lies in the municipality.

    Postcodes missing from the geography list are accepted (the list may be partial).
    """
    known = Postcode.objects.filter(code=postcode, municipality__isnull=False)
    return not known.exists() or known.filter(municipality=municipality).exists()


def location_grantees(*, location: Location) -> list[User]:
    """Provider staff who were granted this location, by e-mail address."""
    users = get_users_with_perms(
        location,
        with_superusers=False,
        with_group_users=False,
        only_with_perms_in=[LOCATION_CHANGE_PERMISSION.split(".", 1)[1]],
    )
    return sorted(users, key=lambda user: user.email)


def grantable_provider_staff(*, loket: Loket) -> QuerySet[User]:
    """Accounts that hold the provider staff role in this loket."""
    return (
        User.objects.filter(
            memberships__loket=loket,
            memberships__role=Membership.Role.PROVIDER_STAFF,
            is_active=True,
        )
        .distinct()
        .order_by("email")
    )


def age_groups_for_location(*, location: Location) -> list[str]:
    """The age groups a location cares for: those sharing a year or more with its age range.

    A slight overlap does not count (out-of-school care from 30 months is no toddler care);
    a location with a very short range gets every group it overlaps at all.
    """
    overlaps = {
        group: min(high, location.age_max_months) - max(low, location.age_min_months) + 1
        for group, (low, high) in AGE_GROUP_MONTHS.items()
    }
    groups = [group for group in AgeGroup.values if overlaps[group] >= 12]
    return groups or [group for group in AgeGroup.values if overlaps[group] > 0]


@dataclass(frozen=True)
class FreePlacesEntry:
    """A month and age group the provider counts in, with the free places published now."""

    month: date
    age_group: str
    free_places: int
    updated_at: datetime


def future_availabilities(
    *, location: Location, today: date | None = None
) -> list[FreePlacesEntry]:
    """The location's known free places from this month on, as parents see them now.

    One entry per month and age group the provider counts in (``Availability``): the
    licensed places minus placements and open offers, with the provider's correction.
    """
    current = first_of_month(today or timezone.localdate())
    rows = {
        (row.month, row.age_group): row
        for row in location.availabilities.filter(month__gte=current)
    }
    if not rows:
        return []
    months = occupancy_months(
        start=current,
        count=(max(month for month, _group in rows).year - current.year) * 12
        + max(month for month, _group in rows).month
        - current.month
        + 1,
    )
    published = {
        (item.month, age_group): free
        for item in location_occupancy(location=location, months=months)
        for age_group, free in item.free.items()
    }
    return [
        FreePlacesEntry(
            month=month,
            age_group=age_group,
            free_places=published.get((month, age_group)) or 0,
            updated_at=row.updated_at,
        )
        for (month, age_group), row in sorted(rows.items())
    ]


@dataclass
class AvailabilityGrid:
    """Free places of one location: a row per month, a column per age group.

    ``values`` are the free places published now (None: not known); ``occupancy`` has
    each month's figures side by side.
    """

    months: list[date]
    age_groups: list[str]
    values: dict[tuple[date, str], int] = field(default_factory=dict)
    updated_at: datetime | None = None
    updated_by: User | None = None
    occupancy: list[MonthOccupancy] = field(default_factory=list)

    def value(self, month: date, age_group: str) -> int | None:
        return self.values.get((month, age_group))


def availability_grid(
    *, location: Location, today: date | None = None, months: int = GRID_MONTHS
) -> AvailabilityGrid:
    """The next ``months`` months (this one first) by the age groups the location cares for.

    An age group outside the location's range still shows when a count was kept for it.
    """
    month_list = occupancy_months(start=today, count=months)
    occupancy = location_occupancy(location=location, months=month_list)
    grid = AvailabilityGrid(
        months=month_list,
        age_groups=list(occupancy[0].free) if occupancy else [],
        occupancy=occupancy,
    )
    for item in occupancy:
        for age_group, free in item.free.items():
            if free is not None:
                grid.values[(item.month, age_group)] = free
        if item.updated_at and (grid.updated_at is None or item.updated_at > grid.updated_at):
            grid.updated_at, grid.updated_by = item.updated_at, item.updated_by
    return grid
