"""New lokets from the template's DDL script: the same schema as migrations make, never
from a script of another migration state."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from shared.lokets.models import Loket, SchemaScript
from shared.lokets.schema_script import (
    ScriptUnsupported,
    migration_state,
    schema_catalog,
    script_build,
    script_current,
)
from shared.lokets.services import loket_create

pytestmark = pytest.mark.django_db


def made_by_migrations(slug: str) -> Loket:
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        return loket_create(slug=slug, name=f"Loket {slug}", kind=Loket.Kind.MUNICIPAL)


def has_table(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s", [schema, table]
        )
        return cursor.fetchone() is not None


def test_a_loket_from_the_script_has_the_catalog_of_a_migrated_one(world):
    assert script_current() is not None  # built when the test world migrated the template
    scripted = loket_create(slug="scripted", name="Loket Scripted", kind=Loket.Kind.MUNICIPAL)
    migrated = made_by_migrations("migrated")
    fast, slow = schema_catalog(scripted.schema_name), schema_catalog(migrated.schema_name)
    for part in slow:  # one part at a time, so that a difference says where it is
        assert fast[part] == slow[part], part
    # What the comparison covers is really there: deferrable foreign keys (to the schema's
    # own tables and to public ones), sequences with their values, the auditor's grants.
    foreign_keys = [row for row in fast["constraints"] if row[2] == "f"]
    assert foreign_keys and all(row[4] and row[5] for row in foreign_keys)
    assert any("REFERENCES accounts_user(id)" in row[3] for row in foreign_keys)
    assert tuple(
        row[0] for row in fast["sequences"] if row[0] == "django_migrations_id_seq" and row[8]
    ) == ("django_migrations_id_seq",)
    assert any(
        grantee == settings.AUDITOR_DB_ROLE for _, grantee, *_ in fast["relation_privileges"]
    )
    assert fast["column_privileges"] and fast["migrations"] and fast["content_types"]


def test_a_script_of_another_migration_state_is_never_used(world):
    current = script_current()
    assert current is not None
    # A script made before the last migration, with something the code no longer makes.
    current.migration_state = "0" * 64
    current.script += "CREATE TABLE stale_marker (id integer);\n"
    current.save()
    assert script_current() is None

    loket = loket_create(slug="fresh", name="Loket Fresh", kind=Loket.Kind.MUNICIPAL)
    assert not has_table(loket.schema_name, "stale_marker")
    assert has_table(loket.schema_name, "requests_childcarerequest")
    rebuilt = script_current()
    assert rebuilt is not None and "stale_marker" not in rebuilt.script
    assert rebuilt.migration_state == migration_state()


def test_a_template_behind_the_code_gives_no_script_and_lokets_are_migrated(world):
    template = "loket_template"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {template}.django_migrations WHERE id = "
            f"(SELECT max(id) FROM {template}.django_migrations)"
        )
    SchemaScript.objects.all().delete()
    with pytest.raises(ScriptUnsupported):
        script_build()

    loket = loket_create(slug="behind", name="Loket Behind", kind=Loket.Kind.MUNICIPAL)
    assert script_current() is None
    migrated = schema_catalog(made_by_migrations("reference").schema_name)
    assert schema_catalog(loket.schema_name)["migrations"] == migrated["migrations"]
    assert schema_catalog(loket.schema_name)["columns"] == migrated["columns"]
