"""Keeping the regional catalogue in step with the lokets' locations (same transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from opvangloket.text import fold
from shared.catalogue.models import CatalogueAvailability, CatalogueLocation
from shared.catalogue.vocabulary import first_of_month
from shared.lokets.models import Loket

# Only fields that mean the same in both tables are copied by name.
COPIED_FIELDS = (
    "name",
    "kind",
    "dossier_number",
    "street",
    "postcode",
    "place",
    "municipality_id",
    "licensed_capacity",
    "age_min_months",
    "age_max_months",
    "opening_days",
    "opens_at",
    "closes_at",
    "tariff",
    "daily_price",
    "languages",
    "is_inclusive",
    "description",
    "phone",
    "email",
    "website",
)


@transaction.atomic
def catalogue_location_sync(
    *, loket: Loket, location, free_places: Iterable[tuple[date, str, int]] | None = None
) -> CatalogueLocation | None:
    """Write the catalogue row of ``location`` (a ``tenants.providers.Location``) of ``loket``.

    A published location is inserted or updated with its future free places
    (``free_places``: (month, age group, count) as the loket computes them; a month or age
    group left out is not known); an unpublished one is removed. Call it inside the
    transaction that changed the location.
    """
    if not location.is_published:
        catalogue_location_remove(loket=loket, location_id=location.pk)
        return None
    organizer = location.organizer
    values = {field: getattr(location, field) for field in COPIED_FIELDS}
    values.update(
        region_id=loket.region_id,
        organizer_name=organizer.name,
        latitude=float(location.latitude) if location.latitude is not None else None,
        longitude=float(location.longitude) if location.longitude is not None else None,
        closing_periods=[
            {
                "starts_on": period.starts_on.isoformat(),
                "ends_on": period.ends_on.isoformat(),
                "reason": period.reason,
            }
            for period in location.closing_periods.all()
        ],
        search_text=fold(f"{location.name} {organizer.name} {location.place}"),
    )
    current_month = first_of_month(timezone.localdate())
    availabilities = [
        availability
        for availability in location.availabilities.all()
        if availability.month >= current_month
    ]
    values["availability_updated_at"] = max(
        (availability.updated_at for availability in availabilities), default=None
    )
    entry, _ = CatalogueLocation.objects.update_or_create(
        loket=loket, location_id=location.pk, defaults=values
    )
    if free_places is None:
        free_places = [
            (availability.month, availability.age_group, availability.free_places)
            for availability in availabilities
        ]
    entry.availabilities.all().delete()
    CatalogueAvailability.objects.bulk_create(
        CatalogueAvailability(
            catalogue_location=entry, month=month, age_group=age_group, free_places=count
        )
        for month, age_group, count in free_places
        if first_of_month(month) >= current_month
    )
    return entry


def catalogue_location_remove(*, loket: Loket, location_id: int) -> None:
    CatalogueLocation.objects.filter(loket=loket, location_id=location_id).delete()


def catalogue_region_moved(*, loket: Loket) -> None:
    """A loket joined or left a region: its catalogue rows follow."""
    CatalogueLocation.objects.filter(loket=loket).update(region_id=loket.region_id)
