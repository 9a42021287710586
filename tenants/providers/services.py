"""Use cases of a loket's providers: locations, their publication and free places.

Every change that a parent could see is written to the regional catalogue in the same
database transaction (``shared.catalogue.services``), so search results are never stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from shared.accounts.models import User
from shared.accounts.permissions import Access, has_access
from shared.catalogue.services import catalogue_location_remove, catalogue_location_sync
from shared.catalogue.vocabulary import first_of_month
from shared.geography.models import Municipality, Postcode
from shared.lokets.models import Loket
from shared.lokets.selectors import current_loket
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.providers.models import (
    Availability,
    ClosingPeriod,
    Location,
    Organizer,
    is_priority_order,
)
from tenants.providers.occupancy import (
    correction_for,
    location_occupancy,
    published_free_places,
)

LOCATION_CHANGE_PERMISSION = "providers.change_location"

ORGANIZER_FIELDS = ("name", "company_number", "email", "phone", "website")
LOCATION_FIELDS = (
    "organizer",
    "name",
    "kind",
    "dossier_number",
    "street",
    "postcode",
    "place",
    "municipality",
    "latitude",
    "longitude",
    "licensed_capacity",
    "age_min_months",
    "age_max_months",
    "opening_days",
    "opens_at",
    "closes_at",
    "tariff",
    "daily_price",
    "priority_order",
    "languages",
    "is_inclusive",
    "description",
    "phone",
    "email",
    "website",
    "is_published",
)


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return fields


def _sync(location: Location) -> None:
    catalogue_location_sync(
        loket=current_loket(),
        location=location,
        free_places=published_free_places(location=location) if location.is_published else [],
    )


def free_places_publish(*, location: Location) -> None:
    """Placements or offers of ``location`` changed: the catalogue shows its free places anew.

    Call it in the transaction that changed them.
    """
    _sync(location)


@transaction.atomic
def organizer_create(**fields: Any) -> Organizer:
    organizer = Organizer(**_only(fields, ORGANIZER_FIELDS))
    organizer.full_clean()
    organizer.save()
    return organizer


@transaction.atomic
def organizer_update(*, organizer: Organizer, **fields: Any) -> Organizer:
    for field, value in _only(fields, ORGANIZER_FIELDS).items():
        setattr(organizer, field, value)
    organizer.full_clean()
    organizer.save()
    # The organizer's name is shown with each of its published locations.
    for location in organizer.locations.filter(is_published=True):
        _sync(location)
    return organizer


@transaction.atomic
def organizer_delete(*, organizer: Organizer) -> None:
    """Remove an organizer that no longer runs any location."""
    if organizer.locations.exists():
        raise ValidationError(
            _("%(name)s still runs locations; delete or move them first."),
            params={"name": organizer.name},
            code="has_locations",
        )
    organizer.delete()


def postcode_centre(code: str, place: str = "") -> tuple[Decimal, Decimal] | None:
    """The centre of the place (or else the average of the postcode's places).

    Used for locations entered without coordinates.
    """
    places = Postcode.objects.filter(code=code, latitude__isnull=False)
    if place and places.filter(place__iexact=place).exists():
        places = places.filter(place__iexact=place)
    centre = places.aggregate(latitude=Avg("latitude"), longitude=Avg("longitude"))
    if centre["latitude"] is None:
        return None
    quantum = Decimal("0.000001")
    return Decimal(centre["latitude"]).quantize(quantum), Decimal(centre["longitude"]).quantize(
        quantum
    )


def _fill_coordinates(location: Location) -> None:
    if location.latitude is None or location.longitude is None:
        centre = postcode_centre(location.postcode, location.place)
        if centre is not None:
            location.latitude, location.longitude = centre


def location_address_check(
    *, loket: Loket, municipality: Municipality | None, postcode: str, check_area: bool = True
) -> None:
    """A location lies in the loket's working area, at a postcode of its municipality.

    Raises a ValidationError keyed by field name (``municipality``, ``postcode``). Called
    by ``location_create`` and ``location_update``; the import calls it for every row
    first, so that one report lists the problems of all rows.
    """
    # selectors reads this module's field lists, so it is imported when needed.
    from tenants.providers.selectors import postcode_fits_municipality, working_area

    if municipality is None:
        return
    if check_area and not working_area(loket=loket).filter(pk=municipality.pk).exists():
        raise ValidationError(
            {
                "municipality": ValidationError(
                    _("%(name)s is not in this loket's working area."),
                    params={"name": municipality.name},
                    code="outside_working_area",
                )
            }
        )
    if postcode and not postcode_fits_municipality(postcode=postcode, municipality=municipality):
        raise ValidationError(
            {
                "postcode": ValidationError(
                    _("Postcode %(postcode)s does not lie in %(municipality)s."),
                    params={"postcode": postcode, "municipality": municipality.name},
                    code="postcode_elsewhere",
                )
            }
        )


def _check_priority_order(location: Location) -> None:
    # The loket's own order of the groups with absolute priority: each group once.
    if location.priority_order and not is_priority_order(location.priority_order):
        raise ValidationError(
            {
                "priority_order": ValidationError(
                    _("Put each of the three priority groups in order once."),
                    code="not_an_order",
                )
            }
        )


def _validate(location: Location, *, check_address: bool, check_area: bool) -> None:
    """The model's own checks and the loket's rules, all errors in one ValidationError."""
    errors: dict[str, list[ValidationError]] = {}
    checks = [location.full_clean, lambda: _check_priority_order(location)]
    if check_address:
        checks.append(
            lambda: location_address_check(
                loket=current_loket(),
                municipality=location.municipality if location.municipality_id else None,
                postcode=location.postcode,
                check_area=check_area,
            )
        )
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def location_create(**fields: Any) -> Location:
    location = Location(**_only(fields, LOCATION_FIELDS))
    _fill_coordinates(location)
    _validate(location, check_address=True, check_area=True)
    location.save()
    _sync(location)
    return location


@transaction.atomic
def location_update(*, location: Location, **fields: Any) -> Location:
    # Read from the database: a form may already have changed the instance it was given.
    previous_postcode = (
        Location.objects.filter(pk=location.pk).values_list("postcode", flat=True).first()
    )
    for field, value in _only(fields, LOCATION_FIELDS).items():
        setattr(location, field, value)
    if location.postcode != previous_postcode and "latitude" not in fields:
        location.latitude = location.longitude = None
    if location.is_published and (
        Location.objects.filter(pk=location.pk, closes_on__isnull=False).exists()
    ):
        # A closing location stays out of the catalogue (tenants.allocation.closing).
        raise ValidationError(
            {"is_published": _("A location that closes cannot be shown to parents again.")},
            code="closing",
        )
    _fill_coordinates(location)
    # A change of anything else leaves an existing address alone.
    _validate(
        location,
        check_address="municipality" in fields or "postcode" in fields,
        check_area="municipality" in fields,
    )
    location.save()
    _sync(location)
    return location


@transaction.atomic
def location_delete(*, location: Location) -> None:
    """Delete a location that no request ever chose; one with requests is closed instead."""
    if location.choices.exists():
        raise ValidationError(
            _(
                "Parents have chosen this location, so it cannot be deleted: their requests "
                "would lose it. Unpublish it, or close it if it stops."
            )
        )
    location_id = location.pk
    location.delete()
    # guardian refers to objects by a generic key: its grants would outlive the location.
    content_type = ContentType.objects.get_for_model(Location)
    for permission_model in (UserObjectPermission, GroupObjectPermission):
        permission_model.objects.filter(
            content_type=content_type, object_pk=str(location_id)
        ).delete()
    catalogue_location_remove(loket=current_loket(), location_id=location_id)


@transaction.atomic
def closing_period_add(
    *, location: Location, starts_on: date, ends_on: date, reason: str = ""
) -> ClosingPeriod:
    period = ClosingPeriod(location=location, starts_on=starts_on, ends_on=ends_on, reason=reason)
    period.full_clean()
    period.save()
    _sync(location)
    return period


@transaction.atomic
def closing_period_remove(*, period: ClosingPeriod) -> None:
    location = period.location
    period.delete()
    _sync(location)


def _check_free_places(*, location: Location, free_places: int) -> None:
    if free_places < 0:
        raise ValidationError(_("Free places cannot be negative."), code="negative")
    if free_places > location.licensed_capacity:
        raise ValidationError(
            _("Free places cannot exceed the %(capacity)s licensed places."),
            params={"capacity": location.licensed_capacity},
            code="above_capacity",
        )


def _corrections(
    *, location: Location, free_places: dict[tuple[date, str], int]
) -> dict[tuple[date, str], int]:
    months = sorted({first_of_month(month) for month, _age_group in free_places})
    occupancy = {item.month: item for item in location_occupancy(location=location, months=months)}
    return {
        (first_of_month(month), age_group): correction_for(
            occupancy=occupancy[first_of_month(month)], free_places=count
        )
        for (month, age_group), count in free_places.items()
    }


def _save_corrections(
    *, location: Location, free_places: dict[tuple[date, str], int], user: User | None
) -> list[Availability]:
    """The provider's count of each month and age group becomes its correction.

    The correction is what the count says beyond licensed places minus placements and open
    offers right now, so that later placements and offers move the published figure.
    """
    # Locked: an offer made meanwhile would make the correction count it twice.
    Location.objects.select_for_update().filter(pk=location.pk).first()
    corrections = _corrections(location=location, free_places=free_places)
    saved = []
    for (month, age_group), count in free_places.items():
        key = (first_of_month(month), age_group)
        availability, _created = Availability.objects.update_or_create(
            location=location,
            month=key[0],
            age_group=age_group,
            defaults={"free_places": count, "correction": corrections[key], "updated_by": user},
        )
        saved.append(availability)
    return saved


@transaction.atomic
def availability_set(
    *, location: Location, month: date, age_group: str, free_places: int, user: User | None
) -> Availability:
    """The provider's count of the free places of one month and age group, as of now.

    Kept as a correction of the computed free places (``tenants.providers.occupancy``),
    with who and when.
    """
    _check_free_places(location=location, free_places=free_places)
    (availability,) = _save_corrections(
        location=location, free_places={(month, age_group): free_places}, user=user
    )
    _sync(location)
    return availability


@transaction.atomic
def availabilities_set(
    *,
    location: Location,
    free_places: dict[tuple[date, str], int],
    user: User | None,
    cleared: Iterable[tuple[date, str]] = (),
) -> list[Availability]:
    """Record many months and age groups at once (one catalogue write).

    ``cleared`` lists months and age groups whose count is no longer known: their rows go.
    """
    for count in free_places.values():
        _check_free_places(location=location, free_places=count)
    for month, age_group in cleared:
        Availability.objects.filter(
            location=location, month=first_of_month(month), age_group=age_group
        ).delete()
    saved = _save_corrections(location=location, free_places=free_places, user=user)
    _sync(location)
    return saved


@transaction.atomic
def location_grant(*, location: Location, user: User, actor: User | None = None) -> None:
    """Let a provider's staff member keep this location and its free places up to date.

    Only provider staff of this very loket can be granted a location. Recorded in the
    audit trail (by ``actor``; None: the system), by ids only.
    """
    if not has_access(Access.PROVIDER_STAFF, user=user, loket=current_loket()):
        raise ValidationError(
            _("%(user)s is not provider staff of this loket."),
            params={"user": user},
            code="not_provider_staff",
        )
    assign_perm(LOCATION_CHANGE_PERMISSION, user, location)
    _audit_grant(location=location, user=user, actor=actor, event="location_granted")


@transaction.atomic
def location_revoke(*, location: Location, user: User, actor: User | None = None) -> None:
    remove_perm(LOCATION_CHANGE_PERMISSION, user, location)
    _audit_grant(location=location, user=user, actor=actor, event="location_withdrawn")


def _audit_grant(*, location: Location, user: User, actor: User | None, event: str) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.LOCATION,
        object_id=location.pk,
        details={"event": event, "user": user.pk},
    )


@transaction.atomic
def availability_take_place(
    *, location: Location, month: date, age_groups: Iterable[str]
) -> Availability | None:
    """A placement from ``month`` takes the place its offer held: never refused.

    The offer counted against the month's free places while it waited; as a placement it
    counts on (``tenants.providers.occupancy``), so a correction needs no change. A count
    kept from before corrections existed loses one place (not below 0). Returns the row of
    the child's age group the place is counted in, or None when no count is kept.
    """
    rows = list(
        Availability.objects.select_for_update()
        .filter(location=location, month=first_of_month(month), age_group__in=list(age_groups))
        .order_by("id")
    )
    if not rows:
        _sync(location)
        return None
    own_counts = [row for row in rows if row.correction is None and row.free_places > 0]
    if own_counts:
        own_counts[0].free_places -= 1
        own_counts[0].save(update_fields=["free_places", "updated_at"])
    _sync(location)
    return (own_counts or rows)[0]
