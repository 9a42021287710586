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


# Tables whose rows are named by a text key, not an id: what a served site or a thread
# leaves there (sessions, the database cache's login counters) is found by its key.
KEYED_TABLES = {
    "public.django_session": "session_key",
    "public.opvangloket_cache": "cache_key",
}


# Rows Django makes when it first needs them and then keeps in memory (content types and
# their permissions) or that record the schema itself: never removed.
KEPT_TABLES = ("django_content_type", "auth_permission", "django_migrations")


@dataclass
class CommittedMarks:
    """What the database held when a test module started: each table's last id, and the
    keys of the keyed tables."""

    last_ids: dict[str, int]
    keys: dict[str, set[str]]


def _tables_with_ids(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT quote_ident(c.table_schema) || '.' || quote_ident(c.table_name)
        FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.column_name = 'id' AND c.data_type IN ('integer', 'bigint')
          AND t.table_type = 'BASE TABLE'
          AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1
        """
    )
    return [name for (name,) in cursor.fetchall() if name.rsplit(".", 1)[1] not in KEPT_TABLES]


def _last_ids(cursor, tables: list[str]) -> dict[str, int]:
    if not tables:
        return {}
    cursor.execute(
        " UNION ALL ".join(
            f"SELECT '{table}', coalesce(max(id), 0) FROM {table}" for table in tables
        )
    )
    return dict(cursor.fetchall())


def committed_marks() -> CommittedMarks:
    """The marks of what is committed now (see ``committed_rows_remove``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        last_ids = _last_ids(cursor, _tables_with_ids(cursor))
        keys = {}
        for table, column in KEYED_TABLES.items():
            cursor.execute(f"SELECT {column} FROM {table}")
            keys[table] = {key for (key,) in cursor.fetchall()}
    return CommittedMarks(last_ids=last_ids, keys=keys)


def committed_rows_remove(marks: CommittedMarks) -> list[str]:
    """Delete every row committed after ``marks`` (in one transaction; Django's foreign
    keys are checked at its end, so the order of the tables does not matter) and return
    the tables it came from.

    A test module that commits (a served site, pg_dump, threads, fault tests) removes what
    it made itself; what its requests caused besides (audit events, sessions, login
    counters, an organiser left by its location, a confirmation in the outbox, the
    accounts a government login made) would stay in the lokets every later module on this
    worker shares, and a test that counts its own rows would count those too. Rows it
    changed are not put back: that is each module's own cleanup.
    """
    from django.db import connection, transaction

    removed = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        now = _last_ids(
            cursor, [table for table in _tables_with_ids(cursor) if table in marks.last_ids]
        )
        for table, last in now.items():
            if last > marks.last_ids[table]:
                cursor.execute(f"DELETE FROM {table} WHERE id > %s", [marks.last_ids[table]])
                removed.append(table)
        for table, column in KEYED_TABLES.items():
            cursor.execute(f"SELECT {column} FROM {table}")
            added = [key for (key,) in cursor.fetchall() if key not in marks.keys[table]]
            if added:
                cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [added])
                removed.append(table)
    return removed
