"""Demo locations: about sixty realistic locations over the demo lokets (idempotent)."""

from __future__ import annotations

import random
from datetime import time
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.accounts.models import User
from shared.catalogue.vocabulary import AgeGroup, CareKind, Tariff, add_months, first_of_month
from shared.geography.models import Municipality
from shared.lokets.models import Loket
from tenants.providers import services
from tenants.providers.models import Location, Organizer

# Per loket: (NIS code, postcode, place, streets) of the places its locations stand in.
PLACES = {
    "herent": [
        ("24038", "3020", "Herent", ["Wijgmaalsesteenweg", "Kerkstraat", "Mechelsesteenweg"]),
        ("24038", "3020", "Veltem-Beisem", ["Veltem-Beisem Dorp", "Lostraat"]),
        ("24038", "3020", "Winksele", ["Delleweg", "Winkselsesteenweg"]),
    ],
    "tienen": [
        ("24107", "3300", "Tienen", ["Leuvenselaan", "Grote Markt", "Sint-Truidensesteenweg"]),
        ("24107", "3300", "Kumtich", ["Kumtichstraat", "Ganzendries"]),
        ("24107", "3300", "Oplinter", ["Oplintersesteenweg"]),
    ],
    "tielt-winge": [
        ("24135", "3390", "Sint-Joris-Winge", ["Staatsbaan", "Dorp"]),
        ("24135", "3390", "Houwaart", ["Houwaartstraat"]),
    ],
    "leuven": [
        ("24062", "3000", "Leuven", ["Naamsestraat", "Tiensestraat", "Brusselsestraat"]),
        ("24062", "3001", "Heverlee", ["Naamsesteenweg", "Celestijnenlaan"]),
        ("24062", "3010", "Kessel Lo", ["Diestsesteenweg", "Holsbeeksesteenweg"]),
        # Not Wilsele (3012): the demo geography places that postcode in Herent, and a
        # location's postcode must lie in its municipality (location_create).
        ("24062", "3000", "Leuven", ["Aarschotsesteenweg"]),
    ],
    "hageland": [
        ("24137", "3380", "Glabbeek", ["Dorpsstraat", "Kapelleweg"]),
        ("24054", "3470", "Kortenaken", ["Staatsbaan", "Kerkstraat"]),
        ("24133", "3350", "Linter", ["Stationsstraat", "Hoogstraat"]),
    ],
}
COUNTS = {"herent": 11, "tienen": 13, "tielt-winge": 7, "leuven": 20, "hageland": 11}

GROUP_NAMES = [
    "Kinderdagverblijf 't Kabouterhuis",
    "KDV De Speelvogel",
    "Crèche Zonnestraal",
    "Kinderdagverblijf Ukkepuk",
    "KDV De Rupsjes",
    "Kinderdagverblijf Hummeltjes",
    "KDV Klein Duimpje",
    "Crèche Pimpampoentje",
    "Kinderdagverblijf De Vlindertuin",
    "KDV Het Nestje",
]
FAMILY_NAMES = [
    "Onthaalouder An",
    "Onthaalouder Sofie",
    "Gezinsopvang Het Boomhutje",
    "Onthaalouder Fatima",
    "Gezinsopvang De Kleine Wereld",
    "Onthaalouder Lies",
]
SCHOOL_NAMES = [
    "IBO De Speelplaats",
    "Buitenschoolse opvang De Knapzak",
    "IBO Tjiftjaf",
    "BKO De Schommel",
    "IBO 't Speelkasteel",
]
ORGANIZERS = [
    "Vzw Kinderopvang Oost-Brabant",
    "Vzw Kleine Wereld",
    "Landelijke Kinderopvang",
    "Gemeentelijke kinderopvang",
    "Vzw Ferm Kinderopvang",
    "Bv Kinderparadijs",
]


def _location_specs(slug: str, rng: random.Random) -> list[dict]:
    specs = []
    for number in range(COUNTS[slug]):
        nis_code, postcode, place, streets = PLACES[slug][number % len(PLACES[slug])]
        kind = [CareKind.GROUP, CareKind.GROUP, CareKind.FAMILY, CareKind.OUT_OF_SCHOOL][number % 4]
        names = {CareKind.GROUP: GROUP_NAMES, CareKind.FAMILY: FAMILY_NAMES}.get(kind, SCHOOL_NAMES)
        income = rng.random() < 0.8
        school = kind == CareKind.OUT_OF_SCHOOL
        specs.append(
            {
                "dossier_number": f"DEMO-{slug[:3].upper()}-{number + 1:03d}",
                "name": f"{names[(number // 4 + len(slug)) % len(names)]} {place}",
                "kind": kind,
                "street": f"{rng.choice(streets)} {rng.randint(1, 180)}",
                "postcode": postcode,
                "place": place,
                "nis_code": nis_code,
                "licensed_capacity": {
                    CareKind.FAMILY: 8,
                    CareKind.GROUP: rng.choice([18, 28, 36]),
                }.get(kind, rng.choice([40, 60, 84])),
                "age_min_months": 30 if school else 0,
                "age_max_months": 144 if school else 36,
                "opening_days": [1, 2, 3, 4, 5] if rng.random() < 0.85 else [1, 2, 4, 5],
                "opens_at": time(7, rng.choice([0, 15, 30])) if not school else time(7, 0),
                "closes_at": time(18, rng.choice([0, 15, 30])),
                "tariff": Tariff.INCOME_RELATED if income else Tariff.FREE_PRICE,
                "daily_price": None if income else Decimal(rng.choice(["31.50", "34.00", "38.75"])),
                "languages": ["nl", "fr"]
                if rng.random() < 0.3
                else (["nl", "en"] if rng.random() < 0.2 else ["nl"]),
                "is_inclusive": rng.random() < 0.25,
                "description": "",
                "phone": f"016 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "email": f"info.{slug}{number + 1}@opvang.demo.test",
                "organizer": ORGANIZERS[number % len(ORGANIZERS)],
                "full": number % 5 == 0,
            }
        )
    return specs


def demo_locations_seed(*, loket: Loket, provider_staff: User | None) -> int:
    """Create the demo locations of ``loket`` that do not exist yet; return how many exist."""
    if loket.slug not in COUNTS:
        return 0
    rng = random.Random(loket.slug)  # the same demo every time
    this_month = first_of_month(timezone.localdate())
    with tenant_context(loket):
        for spec in _location_specs(loket.slug, rng):
            if Location.objects.filter(dossier_number=spec["dossier_number"]).exists():
                continue
            organizer_name = spec.pop("organizer")
            organizer = Organizer.objects.filter(name=organizer_name).first() or (
                services.organizer_create(name=organizer_name)
            )
            is_full = spec.pop("full")
            municipality = Municipality.objects.get(nis_code=spec.pop("nis_code"))
            centre = services.postcode_centre(spec["postcode"], spec["place"])
            if centre is not None:  # spread the demo locations around their village centre
                spec["latitude"] = centre[0] + Decimal(rng.randint(-90, 90)) / 10000
                spec["longitude"] = centre[1] + Decimal(rng.randint(-140, 140)) / 10000
            location = services.location_create(
                organizer=organizer, municipality=municipality, is_published=True, **spec
            )
            groups = (
                [AgeGroup.PRESCHOOL, AgeGroup.SCHOOL]
                if location.kind == CareKind.OUT_OF_SCHOOL
                else [AgeGroup.BABY, AgeGroup.TODDLER]
            )
            services.availabilities_set(
                location=location,
                free_places={
                    (add_months(this_month, offset), group): 0 if is_full else rng.randint(0, 3)
                    for offset in range(6)
                    for group in groups
                },
                user=None,
            )
        if provider_staff is not None:
            for location in Location.objects.order_by("dossier_number")[:3]:
                services.location_grant(location=location, user=provider_staff)
        return Location.objects.count()
