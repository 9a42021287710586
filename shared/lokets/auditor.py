"""The read-only database role of the auditor tenant: SELECT on every schema, nothing else.

The role is cluster-wide (PostgreSQL roles belong to the server, not to a database);
its grants belong to the database this runs in. Running it again changes nothing, so
``migrate_platform`` runs it after every migration, and several databases on one server
(the demo, test databases) can share the role.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import DatabaseError, connection

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Schemas of PostgreSQL itself; every other schema (public, template, lokets) is readable.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


def _quote(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise ValueError(f"not a valid role or schema name: {name!r}")
    return connection.ops.quote_name(name)


def auditor_role_ensure(*, role: str | None = None, password: str | None = None) -> list[str]:
    """Create or update the auditor's role; return the schemas it may read.

    LOGIN, no superuser, no CREATEDB or CREATEROLE, every transaction read-only by
    default; USAGE on every schema and SELECT on every table, also on schemas and tables
    created later by the role that runs the migrations (default privileges). Any other
    privilege on tables is revoked. ``password`` None leaves the password as it is (the
    embedded server trusts local connections).
    """
    role = role or settings.AUDITOR_DB_ROLE
    name = _quote(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            try:
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
        database = cursor.fetchone()[0]
        cursor.execute(f"GRANT CONNECT ON DATABASE {connection.ops.quote_name(database)} TO {name}")
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(%s) "
            "AND nspname NOT LIKE 'pg\\_%%' ORDER BY nspname",
            [list(SYSTEM_SCHEMAS)],
        )
        schemas = [row[0] for row in cursor.fetchall()]
        for schema in schemas:
            quoted = connection.ops.quote_name(schema)
            cursor.execute(f"REVOKE CREATE ON SCHEMA {quoted} FROM {name}")
            cursor.execute(f"GRANT USAGE ON SCHEMA {quoted} TO {name}")
            cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted} FROM {name}")
            cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {quoted} FROM {name}")
            cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {quoted} TO {name}")
        # Lokets created later are cloned by the same role: their schema and tables are
        # readable at once, without running this again.
        cursor.execute(f"ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {name}")
        cursor.execute(f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {name}")
    return schemas
