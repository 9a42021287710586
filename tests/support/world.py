"""The lokets, regions and accounts every test can rely on, created once per test session.

Creating schemas is the slow part, so tests never create lokets of their own unless
that is what they test; they insert their own rows inside these lokets instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.accounts.models import Membership, User
from shared.accounts.services import membership_grant, user_ensure
from shared.geography.models import Municipality
from shared.geography.services import geography_import_demo
from shared.lokets.models import Loket, Region
from shared.lokets.services import loket_create, region_ensure, template_schema_ensure

PASSWORD = "test-Opvang-2026"


@dataclass
class World:
    region: Region
    lokets: dict[str, Loket] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def host(self, slug: str) -> str:
        return f"{slug}.localhost"


def build_world() -> World:
    geography_import_demo()
    template_schema_ensure()
    region = region_ensure(slug="testregio", name="Testregio", domain="testregio.localhost")
    world = World(region=region)
    specs = {
        "alpha": ("Loket Alpha", Loket.Kind.MUNICIPAL, ["24038"]),
        "beta": ("Loket Beta", Loket.Kind.MUNICIPAL, ["24107"]),
        "gamma": ("Loket Gamma", Loket.Kind.INTERMUNICIPAL, ["24137", "24054", "24133"]),
        "audit": ("Audit", Loket.Kind.AUDITOR, []),
    }
    for slug, (name, kind, nis_codes) in specs.items():
        world.lokets[slug] = loket_create(
            slug=slug,
            name=name,
            kind=kind,
            region=None if kind == Loket.Kind.AUDITOR else region,
            municipalities=Municipality.objects.filter(nis_code__in=nis_codes),
            address=f"Marktplein 1, {name}",
            phone="016 00 00 00",
            email=f"{slug}@loket.test",
            opening_hours="Maandag 9:00-12:00\nWoensdag 13:00-17:00",
        )

    def account(key: str, role: str | None = None, loket: str | None = None) -> None:
        user = user_ensure(email=f"{key}@test.test", password=PASSWORD, full_name=key.title())
        if role == Membership.Role.REGION_COORDINATOR:
            membership_grant(user=user, role=role, region=region)
        elif role is not None:
            membership_grant(user=user, role=role, loket=world.lokets[loket])
        world.users[key] = user

    account("parent")
    account("other_parent")
    for slug in ("alpha", "beta", "gamma"):
        account(f"staff_{slug}", Membership.Role.LOKET_STAFF, slug)
        account(f"provider_{slug}", Membership.Role.PROVIDER_STAFF, slug)
    account("auditor", Membership.Role.AUDITOR, "audit")
    account("coordinator", Membership.Role.REGION_COORDINATOR)
    operator = user_ensure(email="operator@test.test", password=PASSWORD)
    operator.is_staff = operator.is_superuser = True
    operator.save()
    world.users["operator"] = operator
    return world


def committed_trail_marks(world: World) -> dict[str, int]:
    """The last id of each loket's audit trail and of the claim codes, as committed now."""
    from django.db import connection

    marks = {}
    with connection.cursor() as cursor:
        for slug, loket in world.lokets.items():
            cursor.execute(
                f'SELECT coalesce(max(id), 0) FROM "{loket.schema_name}".audit_auditevent'
            )
            marks[slug] = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM public.registry_claimcode")
        marks["claim codes"] = cursor.fetchone()[0]
    return marks


def committed_trail_restore(world: World, marks: dict[str, int]) -> None:
    """Remove the audit events and claim codes committed after ``marks``.

    A test module that commits (a served site, pg_dump, a fault test) cleans up the rows
    it made, but the audit trail it caused in the shared lokets would stay: a later
    module on the same worker that counts its own events would count those too.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for slug, loket in world.lokets.items():
            cursor.execute(
                f'DELETE FROM "{loket.schema_name}".audit_auditevent WHERE id > %s', [marks[slug]]
            )
        cursor.execute(
            "DELETE FROM public.registry_claimcode WHERE id > %s", [marks["claim codes"]]
        )
