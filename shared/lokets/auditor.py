"""The read-only database role of the auditor tenant: only what the auditor pages read.

The role is cluster-wide (PostgreSQL roles belong to the server, not to a database);
its grants belong to the database this runs in. Running it again changes nothing, so
``migrate_platform`` runs it after every migration, and several databases on one server
(the demo, test databases) can share the role.

What it may read is listed here, table by table, and column by column where a table
also holds who the child or the parent is (``PUBLIC_GRANTS``, ``LOKET_GRANTS``):
everything else is refused by PostgreSQL itself, whatever the application asks. No
sessions, no accounts (password or e-mail: the trail names staff through the
``auditor_staff_member`` view, parents by a pseudonym), no allauth e-mail rows, no
drafts, no names, contact data, notes or history of requests, no TEMP tables. A loket
created later is granted when it is created (``loket_create``), not by default
privileges: a table added by a migration stays unreadable until it is listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from django.conf import settings
from django.db import DatabaseError, connection, transaction

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Schemas of PostgreSQL itself; nothing there is granted or revoked here.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

# None: every column (the table holds nothing about a child or a parent).
Columns = tuple[str, ...] | None

# Public schema: lokets, regions and municipalities (published facts), the published
# catalogue (the same as the public search), the registry's status facts per request,
# and the staff accounts' e-mail addresses (a view over accounts and memberships).
PUBLIC_GRANTS: Mapping[str, Columns] = MappingProxyType(
    {
        "lokets_loket": None,
        "lokets_region": None,
        "lokets_domain": None,
        "lokets_loket_municipalities": None,
        "geography_municipality": None,
        "geography_postcode": None,
        "catalogue_cataloguelocation": None,
        "catalogue_catalogueavailability": None,
        "registry_registryentry": ("id", "loket_id", "request_id", "age_group"),
        "auditor_staff_member": None,
    }
)

# Each loket's schema (and the template and the auditor tenant's): what a request is,
# where it was asked, and the audit trail.
LOKET_GRANTS: Mapping[str, Columns] = MappingProxyType(
    {
        "requests_childcarerequest": (
            "id",
            "reference",
            "status",
            "desired_start",
            "residence_id",
            "priorities",
            "registered_at",
            "is_urgent",
        ),
        "requests_requestchoice": ("id", "request_id", "rank", "location_id", "status"),
        "providers_location": ("id", "name"),
        "audit_auditevent": None,
    }
)


def _quote(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise ValueError(f"not a valid role or schema name: {name!r}")
    return connection.ops.quote_name(name)


def _grant(cursor, *, schema: str, grants: Mapping[str, Columns], role: str) -> None:
    """Revoke everything on ``schema``'s tables from ``role``, then grant ``grants``."""
    quoted = connection.ops.quote_name(schema)
    cursor.execute(f"REVOKE CREATE ON SCHEMA {quoted} FROM {role}")
    cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted} FROM {role}")
    cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {quoted} FROM {role}")
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'p') AND c.relname = ANY(%s)",
        [schema, list(grants)],
    )
    present = {row[0] for row in cursor.fetchall()}
    if not present:
        cursor.execute(f"REVOKE USAGE ON SCHEMA {quoted} FROM {role}")
        return
    cursor.execute(f"GRANT USAGE ON SCHEMA {quoted} TO {role}")
    for table in sorted(present):
        columns = grants[table]
        target = f"{quoted}.{connection.ops.quote_name(table)}"
        if columns is None:
            cursor.execute(f"GRANT SELECT ON {target} TO {role}")
        else:
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"GRANT SELECT ({names}) ON {target} TO {role}")


def auditor_schema_grant(*, schema: str, role: str | None = None) -> None:
    """Grant the auditor's role what the auditor pages read in one loket's ``schema``."""
    role = role or settings.AUDITOR_DB_ROLE
    name = _quote(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is not None:  # else migrate_platform creates it, with grants
            _grant(cursor, schema=_schema(schema), grants=LOKET_GRANTS, role=name)


# Staff e-mail addresses for the auditors' audit trail: members of a loket in a staff
# role. The view reads accounts with its owner's rights; the auditor's role reads only
# the view, so parents' addresses and every password stay out of its reach.
STAFF_VIEW = """
CREATE OR REPLACE VIEW public.auditor_staff_member AS
SELECT membership.user_id, membership.loket_id, membership.role, account.email
FROM public.accounts_membership AS membership
JOIN public.accounts_user AS account ON account.id = membership.user_id
WHERE membership.loket_id IS NOT NULL
  AND membership.role IN ('loket_staff', 'provider_staff', 'auditor')
"""


def _schema(schema: str) -> str:
    if not ROLE_NAME.match(schema):
        raise ValueError(f"not a valid schema name: {schema!r}")
    return schema


def _loket_schemas(cursor) -> set[str]:
    cursor.execute("SELECT schema_name FROM lokets_loket")
    return {row[0] for row in cursor.fetchall()} | {settings.TENANT_BASE_SCHEMA}


def auditor_role_ensure(*, role: str | None = None, password: str | None = None) -> list[str]:
    """Create or update the auditor's role; return the schemas it may read.

    LOGIN, no superuser, no CREATEDB or CREATEROLE, every transaction read-only by
    default; in this database CONNECT, no TEMP (revoked from PUBLIC, kept for the role
    that runs this), and SELECT on ``PUBLIC_GRANTS`` and, in every loket's schema, on
    ``LOKET_GRANTS`` only. Any other privilege on tables, and the default privileges
    earlier versions gave, are revoked. ``password`` None leaves the password as it is
    (the embedded server trusts local connections).
    """
    role = role or settings.AUDITOR_DB_ROLE
    name = _quote(role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            try:
                with transaction.atomic():
                    cursor.execute(f"CREATE ROLE {name}")
            except DatabaseError:
                # Created meanwhile by another database on the same server (tests).
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone() is None:
                    raise
        cursor.execute(
            f"ALTER ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            "NOBYPASSRLS INHERIT"
        )
        if password is not None:
            cursor.execute(f"ALTER ROLE {name} PASSWORD %s", [password])
        cursor.execute(f"ALTER ROLE {name} SET default_transaction_read_only = on")
        cursor.execute("SELECT current_database()")
        database = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"GRANT CONNECT ON DATABASE {database} TO {name}")
        cursor.execute(STAFF_VIEW)
        # TEMP is PUBLIC's by default: take it from PUBLIC, keep it for the application.
        cursor.execute(f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC, {name}")
        cursor.execute(f"GRANT TEMPORARY ON DATABASE {database} TO CURRENT_USER")
        # Earlier versions made every new schema and table readable by default.
        cursor.execute(f"ALTER DEFAULT PRIVILEGES REVOKE ALL ON SCHEMAS FROM {name}")
        cursor.execute(f"ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM {name}")
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(%s) "
            "AND nspname NOT LIKE 'pg\\_%%' ORDER BY nspname",
            [list(SYSTEM_SCHEMAS)],
        )
        schemas = [row[0] for row in cursor.fetchall()]
        lokets = _loket_schemas(cursor)
        readable = []
        for schema in schemas:
            grants = _grants_of(schema, lokets=lokets)
            _grant(cursor, schema=schema, grants=grants, role=name)
            if grants:
                readable.append(schema)
    return readable


def _grants_of(schema: str, *, lokets: Iterable[str]) -> Mapping[str, Columns]:
    if schema == "public":
        return PUBLIC_GRANTS
    return LOKET_GRANTS if schema in set(lokets) else MappingProxyType({})
