"""Building organizers, locations and free places inside a test loket, through the services."""

from __future__ import annotations

import itertools
import json
from datetime import date, time
from typing import Any

from django.db import connection
from django_tenants.utils import tenant_context

from shared.geography.models import Municipality
from shared.lokets.models import Loket
from tenants.providers import services
from tenants.providers.models import Location, Organizer

_numbers = itertools.count(1)

DEFAULT_POSTCODE = {
    "24038": ("3020", "Herent"),
    "24107": ("3300", "Tienen"),
    "24137": ("3380", "Glabbeek"),
    "24054": ("3470", "Kortenaken"),
    "24133": ("3350", "Linter"),
    "24062": ("3000", "Leuven"),
    "24135": ("3390", "Tielt-Winge"),
}


def make_organizer(loket: Loket, **fields: Any) -> Organizer:
    with tenant_context(loket):
        return services.organizer_create(
            name=fields.pop("name", f"Vzw Kind {next(_numbers)}"), **fields
        )


def make_location(loket: Loket, *, nis_code: str | None = None, **fields: Any) -> Location:
    """A published group-care location in the loket's (first) municipality unless told otherwise."""
    with tenant_context(loket):
        municipality = (
            Municipality.objects.get(nis_code=nis_code)
            if nis_code
            else loket.municipalities.order_by("nis_code").first()
        )
        postcode, place = DEFAULT_POSTCODE[municipality.nis_code]
        organizer = fields.pop("organizer", None) or services.organizer_create(
            name=f"Organisator {next(_numbers)}"
        )
        values = {
            "organizer": organizer,
            "name": f"Kinderdagverblijf {next(_numbers)}",
            "kind": "group",
            "street": "Dorpsstraat 1",
            "postcode": postcode,
            "place": place,
            "municipality": municipality,
            "licensed_capacity": 18,
            "age_min_months": 0,
            "age_max_months": 36,
            "opening_days": [1, 2, 3, 4, 5],
            "opens_at": time(7, 0),
            "closes_at": time(18, 30),
            "tariff": "income_related",
            "languages": ["nl"],
            "is_published": True,
        }
        values.update(fields)
        return services.location_create(**values)


def set_free_places(loket: Loket, location: Location, month: date, age_group: str, count: int):
    with tenant_context(loket):
        return services.availability_set(
            location=location, month=month, age_group=age_group, free_places=count, user=None
        )


def grant_location(loket: Loket, location: Location, user) -> None:
    with tenant_context(loket):
        services.location_grant(location=location, user=user)


def location_in(loket: Loket, pk: int) -> Location | None:
    """The location with this id in ``loket``'s own schema, if any (fresh from the database)."""
    with tenant_context(loket):
        return Location.objects.select_related("organizer").filter(pk=pk).first()


def make_location_unknown_to(owner: Loket, other: Loket, **fields: Any) -> Location:
    """A location of ``owner`` whose id is not used by any location of ``other``.

    Ids are per schema, so the same number may well exist in both lokets; a test about a
    guessed id must be sure the other loket has no location of its own with that id.
    """
    while True:
        location = make_location(owner, **fields)
        if location_in(other, location.pk) is None:
            return location


def make_locations_with_the_same_id(first: Loket, second: Loket) -> tuple[Location, Location]:
    """One location in each loket, both with the same id (each schema has its own sequence)."""
    sequences = []
    for loket in (first, second):
        with tenant_context(loket), connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence('providers_location', 'id')")
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            sequences.append((loket, sequence, cursor.fetchone()[0]))
    target = max(value for _loket, _sequence, value in sequences) + 1
    for loket, sequence, _value in sequences:
        with tenant_context(loket), connection.cursor() as cursor:
            cursor.execute("SELECT setval(%s, %s, false)", [sequence, target])
    made = make_location(first), make_location(second)
    assert made[0].pk == made[1].pk == target
    return made


def location_post_data(location: Location, **changes) -> dict:
    """What the edit form posts for ``location``, with ``changes``."""
    data = {
        "organizer": location.organizer_id,
        "name": location.name,
        "kind": location.kind,
        "dossier_number": location.dossier_number,
        "street": location.street,
        "postcode": location.postcode,
        "place": location.place,
        "municipality": location.municipality_id,
        "licensed_capacity": location.licensed_capacity,
        "age_min_months": location.age_min_months,
        "age_max_months": location.age_max_months,
        "opening_days": [str(day) for day in location.opening_days],
        "opens_at": "07:00",
        "closes_at": "18:30",
        "tariff": location.tariff,
        "daily_price": "",
        "languages": location.languages,
        "description": "",
        "phone": "",
        "email": "",
        "website": "",
        "is_published": "on" if location.is_published else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def grid_field(month: date, age_group: str) -> str:
    """The name of a cell of the free-places grid form."""
    return f"places_{month:%Y_%m}_{age_group}"


def api(client, method: str, path: str, data=None):
    """An API call with a JSON body (``data``), or without a body."""
    if data is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")
