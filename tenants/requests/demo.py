"""Demo requests: the demo parent's own request and a waiting list in every demo loket.

Some children are registered in two lokets, as happens in real life, so that the
registry's de-duplication shows. Idempotent: nothing is added once the demo parent
has a request.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import DAY_PARTS, CareKind
from shared.geography.models import Municipality
from shared.registry.models import RegistryEntry
from tenants.requests.models import Priority
from tenants.requests.services import RequestData, request_submit

FIRST_NAMES = [
    "Noor",
    "Lucas",
    "Emma",
    "Louis",
    "Olivia",
    "Arthur",
    "Mila",
    "Jules",
    "Lina",
    "Adam",
    "Elena",
    "Finn",
    "Yasmine",
    "Vic",
    "Ella",
    "Mohamed",
    "Lou",
    "Gust",
]
LAST_NAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "El Amrani",
    "Vermeulen",
    "Van den Broeck",
]
STREETS = ["Kerkstraat", "Stationsstraat", "Dorpsstraat", "Schoolstraat", "Molenstraat"]


def _choices(rng: random.Random, region_locations: list[CatalogueLocation], nis_codes: list[str]):
    nearby = [loc for loc in region_locations if loc.municipality.nis_code in nis_codes]
    pool = nearby if len(nearby) >= 2 else region_locations
    return rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))


def demo_requests_seed(*, parent: User, count: int = 36) -> int:
    """Register the demo requests (once); return how many registry entries exist."""
    if RegistryEntry.objects.filter(parent=parent).exists():
        return RegistryEntry.objects.count()
    rng = random.Random(2026)  # the same demo every time
    locations = list(
        CatalogueLocation.objects.filter(kind__in=[CareKind.GROUP, CareKind.FAMILY])
        .select_related("loket", "municipality")
        .order_by("loket__slug", "location_id")
    )
    if not locations:
        return 0
    municipalities = {m.nis_code: m for m in Municipality.objects.all()}
    started = timezone.now() - timedelta(days=30)

    def register(
        number: int,
        *,
        first: str,
        last: str,
        born_days_ago: int,
        nis: str,
        choices: list[CatalogueLocation],
        user: User | None,
        email: str,
    ) -> None:
        residence = municipalities[nis]
        registered_at = started + timedelta(hours=18 * number + rng.randint(0, 10))
        day = timezone.localtime(registered_at).date()
        data = RequestData(
            child_first_name=first if born_days_ago > 0 else "",
            child_last_name=last,
            child_birth_date=day - timedelta(days=born_days_ago),
            is_expected_birth=born_days_ago < 0,
            street=f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
            postcode=residence.main_postcode or "3000",
            residence=residence,
            desired_start=day + timedelta(days=rng.randint(60, 300)),
            care_plan=rng.sample(DAY_PARTS, k=rng.choice([6, 8, 10])),
            choices=choices,
            consent=True,
            guardians=[{"name": f"Ouder {last}", "email": email, "phone": "0470 00 00 00"}],
            contact_email=email,
            priorities=rng.sample(list(Priority.values), k=rng.choice([0, 0, 1, 1, 2])),
        )
        request_submit(data=data, parent=user, now=registered_at, notify_family=False)

    register(
        0,
        first="Noor",
        last="Peeters",
        born_days_ago=90,
        nis="24038",
        choices=[
            next(loc for loc in locations if loc.loket.slug == slug)
            for slug in ("herent", "leuven")
        ],
        user=parent,
        email=parent.email,
    )
    for number in range(1, count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        nis = rng.choice(list(municipalities))
        born = rng.choice([-120, -60, 30, 120, 200, 300])
        register(
            number,
            first=first,
            last=last,
            born_days_ago=born,
            nis=nis,
            choices=_choices(rng, locations, [nis]),
            user=None,
            email=f"gezin{number}@demo.test",
        )
        if number % 6 == 0:  # the same child registered again, in another loket
            others = [loc for loc in locations if loc.municipality.nis_code != nis]
            register(
                number,
                first=first.upper(),
                last=last,
                born_days_ago=born,
                nis=nis,
                choices=rng.sample(others, k=1),
                user=None,
                email=f"gezin{number}@demo.test",
            )
    return RegistryEntry.objects.count()
