"""Migrating the whole platform: only the schemas that are behind, the rest in one query.

``migrate_schemas`` runs Django's ``migrate`` in every schema, even when there is
nothing to do: it loads the migration graph, renders the models of the migration state,
looks up the schema's tables and sends the post-migrate signal, about 0.25 s a schema
(over a minute for 300 lokets). Here one query compares every schema's
``django_migrations`` with the migrations of the code (``expected_migrations``); only
the schemas that miss one are handed to django-tenants' executor, one after the other
(``standard``) or in parallel processes (``multiprocessing``,
``TENANT_MULTIPROCESSING_MAX_PROCESSES``).
"""

# ruff: noqa: S608  (schema names come from the catalog and lokets_loket, quoted)

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.management.commands.migrate_schemas import Command as MigrateSchemas
from django_tenants.migration_executors import get_executor

from shared.lokets.models import Loket
from shared.lokets.schema_script import expected_migrations, script_build

# Schemas per query: one query for a few hundred, a few for thousands.
QUERY_CHUNK = 500


@dataclass
class PlatformMigration:
    """What ``platform_migrate`` did: the schemas it migrated and those already up to date."""

    migrated: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)


def schemas_behind(schemas: Sequence[str]) -> list[str]:
    """Those of ``schemas`` that miss a migration of the code (or have no
    ``django_migrations`` table yet), in the order given."""
    if not schemas:
        return []
    expected = sorted(expected_migrations())
    apps, names = [app for app, _ in expected], [name for _, name in expected]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [list(schemas)],
        )
        recorded = {row[0] for row in cursor.fetchall()}
        behind = {schema for schema in schemas if schema not in recorded}
        present = [schema for schema in schemas if schema in recorded]
        for start in range(0, len(present), QUERY_CHUNK):
            parts = [
                f"SELECT {_literal(schema)} WHERE EXISTS (SELECT 1 FROM expected e "
                f"WHERE NOT EXISTS (SELECT 1 FROM {connection.ops.quote_name(schema)}."
                "django_migrations m WHERE m.app = e.app AND m.name = e.name))"
                for schema in present[start : start + QUERY_CHUNK]
            ]
            cursor.execute(
                "WITH expected(app, name) AS MATERIALIZED "
                "(SELECT * FROM unnest(%s::text[], %s::text[])) " + " UNION ALL ".join(parts),
                [apps, names],
            )
            behind.update(row[0] for row in cursor.fetchall())
    return [schema for schema in schemas if schema in behind]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def schemas_migrate(schemas: Iterable[str], *, executor: str = "standard", verbosity: int = 0):
    """Run the migrations of these schemas through django-tenants' executor."""
    schemas = list(schemas)
    if not schemas:
        return
    parser = MigrateSchemas().create_parser("manage.py", "migrate_schemas")
    options = vars(
        parser.parse_args(["--tenant", "--noinput", "--skip-checks", f"--verbosity={verbosity}"])
    )
    options["executor"] = executor
    get_executor(codename=executor)((), options).run_migrations(tenants=schemas)
    connection.set_schema_to_public()


def template_migrate(*, verbosity: int = 0) -> bool:
    """Create the template schema if needed, migrate it if it is behind, and store its DDL
    script for new lokets (every time: it is cheap and checked against the template).
    True when it had migrations to run."""
    template = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [template])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(template)}")
    behind = bool(schemas_behind([template]))
    if behind:
        schemas_migrate([template], verbosity=verbosity)
    script_build(schema=template)
    return behind


def platform_migrate(*, executor: str = "standard", verbosity: int = 0) -> PlatformMigration:
    """The public schema, the template (and its script for new lokets), then every loket
    that is behind; the auditor's role last, so that it can read the new tables."""
    report = PlatformMigration()
    public = settings.PUBLIC_SCHEMA_NAME
    if schemas_behind([public]):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        report.migrated.append(public)
    else:
        report.up_to_date.append(public)
    # The shared cache's table (login throttling; skipped when Redis is configured).
    call_command("createcachetable", verbosity=verbosity)

    template = settings.TENANT_BASE_SCHEMA
    (report.migrated if template_migrate(verbosity=verbosity) else report.up_to_date).append(
        template
    )
    lokets = list(Loket.objects.order_by("schema_name").values_list("schema_name", flat=True))
    behind = schemas_behind(lokets)
    schemas_migrate(behind, executor=executor, verbosity=verbosity)
    report.migrated.extend(behind)
    report.up_to_date.extend(sorted(set(lokets) - set(behind)))
    call_command("ensure_auditor_role", verbosity=verbosity)
    return report
