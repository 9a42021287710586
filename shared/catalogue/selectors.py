"""Searching the regional catalogue: one query, the same for pages and API."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin
from django.utils import timezone

from opvangloket.text import fold
from shared.catalogue.models import CatalogueAvailability, CatalogueLocation
from shared.catalogue.vocabulary import (
    AgeGroup,
    Tariff,
    add_months,
    age_groups_for,
    first_of_month,
)
from shared.geography.models import Postcode
from shared.lokets.models import Loket, Region

EARTH_RADIUS_KM = 6371.0


class Sort:
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    FREE_PLACES = "free_places"
    NAME = "name"


@dataclass(frozen=True)
class CatalogueQuery:
    """What a parent asks of the catalogue; every field is optional."""

    municipality: str | None = None  # NIS code
    kind: str | None = None
    age_months: int | None = None  # the child's age at the desired start
    start: date | None = None  # desired start month
    days: tuple[int, ...] = ()  # weekdays needed, 1 = Monday
    income_tariff: bool = False
    free_places: bool = False
    near: str | None = None  # postcode
    radius_km: float | None = None
    language: str | None = None
    inclusive: bool = False
    text: str = ""
    sort: str = Sort.RELEVANCE
    extra: dict = field(default_factory=dict, compare=False)


def postcode_point(code: str) -> tuple[float, float] | None:
    """The centre of a postcode (average of its places), or None when unknown."""
    points = list(
        Postcode.objects.filter(code=code, latitude__isnull=False).values_list(
            "latitude", "longitude"
        )
    )
    if not points:
        return None
    return (
        sum(float(lat) for lat, _ in points) / len(points),
        sum(float(lon) for _, lon in points) / len(points),
    )


def _distance_km(latitude: float, longitude: float):
    """Great-circle distance in SQL (spherical law of cosines), with core functions only."""
    cosine = Sin(Radians(Value(latitude))) * Sin(Radians(F("latitude"))) + Cos(
        Radians(Value(latitude))
    ) * Cos(Radians(F("latitude"))) * Cos(Radians(F("longitude")) - Radians(Value(longitude)))
    # Rounding can push the cosine a hair past 1; clamp before ACOS.
    clamped = Greatest(Least(cosine, Value(1.0)), Value(-1.0))
    return ACos(clamped) * Value(EARTH_RADIUS_KM)


def search_catalogue(
    *, query: CatalogueQuery, region: Region | None = None, loket: Loket | None = None
) -> QuerySet[CatalogueLocation]:
    """Published locations matching ``query``.

    On a loket's host (``loket``) the loket's region is searched, the loket's working area
    first; on a portal (``region``) the whole region; with neither, every loket.
    Each row is annotated with ``free_places`` (for the start month, or this month, and
    the child's age group when known; None when the location publishes no count for it),
    ``distance_km`` (when ``near`` is known) and ``in_working_area``.
    """
    locations = CatalogueLocation.objects.select_related("municipality", "loket")
    if loket is not None:
        region = loket.region
        locations = locations.filter(Q(region=region) if region else Q(loket=loket))
    elif region is not None:
        locations = locations.filter(region=region)

    if query.municipality:
        locations = locations.filter(municipality__nis_code=query.municipality)
    if query.kind:
        locations = locations.filter(kind=query.kind)
    if query.age_months is not None:
        locations = locations.filter(
            age_min_months__lte=query.age_months, age_max_months__gte=query.age_months
        )
    if query.days:
        locations = locations.filter(opening_days__contains=list(query.days))
    if query.income_tariff:
        locations = locations.filter(tariff=Tariff.INCOME_RELATED)
    if query.language:
        locations = locations.filter(languages__contains=[query.language])
    if query.inclusive:
        locations = locations.filter(is_inclusive=True)
    if query.text:
        for word in fold(query.text).split():
            locations = locations.filter(search_text__contains=word)

    month = first_of_month(query.start or timezone.localdate())
    places = CatalogueAvailability.objects.filter(catalogue_location=OuterRef("pk"), month=month)
    if query.age_months is not None:
        places = places.filter(age_group__in=age_groups_for(query.age_months))
    free_places_total = (
        places.order_by()
        .values("catalogue_location")
        .annotate(total=Sum("free_places"))
        .values("total")
    )
    # None when the location publishes no count for that month (not known), never 0.
    locations = locations.annotate(
        free_places=Subquery(free_places_total, output_field=IntegerField())
    )
    if query.free_places:
        locations = locations.filter(Exists(places.filter(free_places__gt=0)))

    point = postcode_point(query.near) if query.near else None
    if point is not None:
        latitude, longitude = point
        locations = locations.annotate(distance_km=_distance_km(latitude, longitude))
        if query.radius_km:
            # A bounding box first, so that the coordinates index does the coarse work.
            lat_span = query.radius_km / 111.0
            lon_span = query.radius_km / (111.0 * max(math.cos(math.radians(latitude)), 0.01))
            locations = locations.filter(
                latitude__range=(latitude - lat_span, latitude + lat_span),
                longitude__range=(longitude - lon_span, longitude + lon_span),
                distance_km__lte=query.radius_km,
            )
    else:
        locations = locations.annotate(distance_km=Value(None, output_field=FloatField()))

    if loket is not None:
        area = list(loket.municipalities.values_list("pk", flat=True))
        locations = locations.annotate(
            in_working_area=Case(
                When(municipality_id__in=area, then=Value(True)), default=Value(False)
            )
        )
    else:
        locations = locations.annotate(in_working_area=Value(False))

    order = {
        Sort.DISTANCE: [F("distance_km").asc(nulls_last=True), "name", "id"],
        Sort.FREE_PLACES: [F("free_places").desc(nulls_last=True), "name", "id"],
        Sort.NAME: ["name", "id"],
    }.get(query.sort)
    if order is None:  # relevance: own working area first, then nearest, then name
        order = ["-in_working_area", F("distance_km").asc(nulls_last=True), "name", "id"]
    return locations.order_by(*order)


def catalogue_map_markers(
    *, query: CatalogueQuery, region: Region | None = None, loket: Loket | None = None
) -> list[dict]:
    """The results of ``search_catalogue`` that have coordinates: all of them, not one page.

    The same query and scope as the result list, so the map never shows a location the
    list would not (nor one of another region); a location without coordinates is only in
    the list. In the list's order.
    """
    located = search_catalogue(query=query, region=region, loket=loket).filter(
        latitude__isnull=False, longitude__isnull=False
    )
    # The ordering's annotations are selected too: an unselected constant one (no
    # ``near``) would be an ORDER BY NULL, which PostgreSQL refuses.
    fields = ("pk", "name", "street", "postcode", "place", "latitude", "longitude")
    return list(located.values(*fields, "in_working_area", "distance_km", "free_places"))


def catalogue_location_detail(*, pk: int, region: Region | None, loket: Loket | None):
    """One catalogue location, if it is visible from this host (same scope as the search)."""
    locations = CatalogueLocation.objects.select_related("municipality", "loket", "region")
    if loket is not None:
        scope = Q(region=loket.region) if loket.region_id else Q(loket=loket)
        locations = locations.filter(scope)
    elif region is not None:
        locations = locations.filter(region=region)
    return locations.prefetch_related("availabilities").filter(pk=pk).first()


# How many months a location's page lists, known or not.
DETAIL_MONTHS = 12


def free_places_by_month(
    *, location: CatalogueLocation, today: date | None = None
) -> list[tuple[date, list[tuple[str, int]] | None]]:
    """Each month from this one: [(age group label, free places)], or None when not known.

    At least ``DETAIL_MONTHS`` months, and up to the last month the location publishes.
    """
    current = first_of_month(today or timezone.localdate())
    labels = dict(AgeGroup.choices)
    known: dict[date, list[tuple[str, int]]] = {}
    for availability in location.availabilities.all():
        if availability.month >= current:
            known.setdefault(availability.month, []).append(
                (labels[availability.age_group], availability.free_places)
            )
    months = [add_months(current, offset) for offset in range(DETAIL_MONTHS)]
    months += sorted(month for month in known if month not in months)
    return [(month, known.get(month)) for month in months]
