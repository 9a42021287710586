"""migrate_platform: every schema compared in one query, only those behind migrated."""

import pytest
from django.core.management import call_command
from django.db import connection

from shared.lokets.platform_migrations import platform_migrate, schemas_behind
from shared.lokets.schema_script import script_current

pytestmark = pytest.mark.django_db

TEMPLATE = "loket_template"


def unapply_signals(schema: str) -> None:
    """Really undo a tenant app's migrations in one schema (its table is dropped)."""
    call_command(
        "migrate_schemas", "signals", "zero", schema_name=schema, interactive=False, verbosity=0
    )
    connection.set_schema_to_public()


def has_table(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s", [schema, table]
        )
        return cursor.fetchone() is not None


def recorded(schema: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, app, name, applied FROM "{schema}".django_migrations')
        return sorted(cursor.fetchall())


def test_up_to_date_schemas_are_skipped_and_those_behind_are_migrated(world):
    assert schemas_behind(["public", TEMPLATE, "alpha", "beta", "gamma", "audit"]) == []
    unapply_signals("alpha")
    unapply_signals(TEMPLATE)
    assert not has_table("alpha", "signals_locationsignal")
    assert schemas_behind(["alpha", "beta", TEMPLATE]) == ["alpha", TEMPLATE]
    beta_before = recorded("beta")

    report = platform_migrate()

    assert sorted(report.migrated) == ["alpha", TEMPLATE]
    assert {"public", "beta", "gamma", "audit"} <= set(report.up_to_date)
    assert has_table("alpha", "signals_locationsignal")
    assert has_table(TEMPLATE, "signals_locationsignal")
    assert recorded("beta") == beta_before  # not even a migrate run with nothing to do
    assert schemas_behind(["alpha", TEMPLATE]) == []
    # The template's script is there again for new lokets, with the table it got back.
    script = script_current()
    assert script is not None and "signals_locationsignal" in script.script


def test_a_schema_without_migrations_table_counts_as_behind(world):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "half_made"')
    assert schemas_behind(["beta", "half_made"]) == ["half_made"]
