"""The demo region Oost-Brabant: lokets, domains and accounts. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from shared.accounts.models import Membership
from shared.accounts.services import membership_grant, user_ensure
from shared.geography.models import Municipality
from shared.geography.services import geography_import_demo
from shared.lokets.models import Loket
from shared.lokets.services import loket_domain_name, loket_ensure, region_ensure
from tenants.providers.demo import demo_locations_seed
from tenants.requests.demo import demo_requests_seed

DEMO_PASSWORD = "demo-opvangloket"  # noqa: S105 - published demo password, demo data only


@dataclass(frozen=True)
class DemoLoket:
    slug: str
    name: str
    kind: str
    nis_codes: tuple[str, ...]
    address: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""


DEMO_LOKETS = (
    DemoLoket(
        "herent",
        "Lokaal Loket Kinderopvang Herent",
        Loket.Kind.MUNICIPAL,
        ("24038",),
        "Wijgmaalsesteenweg 14, 3020 Herent",
        "016 85 30 00",
        "kinderopvang@herent.demo.test",
        "Maandag 9:00–12:00 en 13:30–16:00\nWoensdag 9:00–12:00\nDonderdag 13:30–19:00",
    ),
    DemoLoket(
        "tienen",
        "Lokaal Loket Kinderopvang Tienen",
        Loket.Kind.MUNICIPAL,
        ("24107",),
        "Grote Markt 27, 3300 Tienen",
        "016 80 56 00",
        "kinderopvang@tienen.demo.test",
        "Maandag tot vrijdag 8:30–12:00\nDinsdag 13:30–18:00",
    ),
    DemoLoket(
        "tielt-winge",
        "Lokaal Loket Kinderopvang Tielt-Winge",
        Loket.Kind.MUNICIPAL,
        ("24135",),
        "Kouterstraat 2, 3390 Tielt-Winge",
        "016 63 40 54",
        "kinderopvang@tielt-winge.demo.test",
        "Dinsdag en donderdag 9:00–12:00",
    ),
    DemoLoket(
        "leuven",
        "Lokaal Loket Kinderopvang Leuven",
        Loket.Kind.MUNICIPAL,
        ("24062",),
        "Professor Van Overstraetenplein 1, 3000 Leuven",
        "016 27 20 00",
        "kinderopvang@leuven.demo.test",
        "Maandag tot vrijdag 9:00–12:30\nWoensdag 13:30–17:00",
    ),
    DemoLoket(
        "hageland",
        "Intergemeentelijk Loket Kinderopvang Hageland",
        Loket.Kind.INTERMUNICIPAL,
        ("24137", "24054", "24133"),
        "Dorpsstraat 1, 3380 Glabbeek",
        "016 77 06 23",
        "kinderopvang@hageland.demo.test",
        "Maandag in Glabbeek 9:00–12:00\nWoensdag in Kortenaken 13:30–16:30\n"
        "Vrijdag in Linter 9:00–12:00",
    ),
    DemoLoket("audit", "Opgroeien — audit", Loket.Kind.AUDITOR, ()),
)

REGION_SLUG = "oost-brabant"


@dataclass
class DemoSummary:
    urls: list[tuple[str, str]]
    accounts: list[tuple[str, str]]


def demo_seed(*, port: int = 8000) -> DemoSummary:
    """Create (or bring up to date) the demo region; safe to run any number of times."""
    geography_import_demo()
    with transaction.atomic():
        region = region_ensure(
            slug=REGION_SLUG,
            name="Oost-Brabant",
            domain=f"{REGION_SLUG}.{settings.BASE_DOMAIN}",
            description=(
                "Samenwerking van de lokale loketten kinderopvang in het oosten van "
                "Vlaams-Brabant: één plek om opvang te zoeken en aan te vragen."
            ),
        )
    lokets = []
    for spec in DEMO_LOKETS:
        lokets.append(
            loket_ensure(
                slug=spec.slug,
                name=spec.name,
                kind=spec.kind,
                region=None if spec.kind == Loket.Kind.AUDITOR else region,
                municipalities=Municipality.objects.filter(nis_code__in=spec.nis_codes),
                domain=loket_domain_name(spec.slug),
                address=spec.address,
                phone=spec.phone,
                email=spec.email,
                opening_hours=spec.opening_hours,
            )
        )

    accounts = [("ouder@demo.test", "parent")]
    with transaction.atomic():
        parent = user_ensure(
            email="ouder@demo.test", password=DEMO_PASSWORD, full_name="An Peeters"
        )
        for loket in lokets:
            if loket.is_auditor:
                auditor = user_ensure(
                    email="auditor@demo.test", password=DEMO_PASSWORD, full_name="Audit Opgroeien"
                )
                membership_grant(user=auditor, role=Membership.Role.AUDITOR, loket=loket)
                accounts.append(("auditor@demo.test", "auditor"))
                continue
            staff = user_ensure(
                email=f"loket.{loket.slug}@demo.test",
                password=DEMO_PASSWORD,
                full_name=f"Loket {loket.slug.title()}",
            )
            membership_grant(user=staff, role=Membership.Role.LOKET_STAFF, loket=loket)
            provider = user_ensure(
                email=f"opvang.{loket.slug}@demo.test",
                password=DEMO_PASSWORD,
                full_name=f"Opvang {loket.slug.title()}",
            )
            membership_grant(user=provider, role=Membership.Role.PROVIDER_STAFF, loket=loket)
            demo_locations_seed(loket=loket, provider_staff=provider)
            accounts += [
                (staff.email, f"loket staff {loket.slug}"),
                (provider.email, f"provider staff {loket.slug}"),
            ]
        coordinator = user_ensure(
            email="coordinator@demo.test", password=DEMO_PASSWORD, full_name="Coördinator Regio"
        )
        membership_grant(user=coordinator, role=Membership.Role.REGION_COORDINATOR, region=region)
        accounts.append(("coordinator@demo.test", "region coordinator"))
    demo_requests_seed(parent=parent)

    suffix = f":{port}" if port not in (80, 443) else ""
    urls = [("platform", f"http://{settings.BASE_DOMAIN}{suffix}/")]
    urls.append(("portal Oost-Brabant", f"http://{region.domain}{suffix}/"))
    urls += [(loket.name, f"http://{loket_domain_name(loket.slug)}{suffix}/") for loket in lokets]
    return DemoSummary(urls=urls, accounts=accounts)
