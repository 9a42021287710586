"""The rules docs/scaling.md needs for Citus schema-based sharding, checked on every model
and on the real database catalog: each loket schema can live whole on one node, public
tables can become reference tables.

- a loket's table refers only to its own schema and to public tables; no public table
  refers to a loket's table, and no view reads across schemas;
- keys are BIGINT (our apps' primary and foreign key columns, and DEFAULT_AUTO_FIELD);
- no code qualifies SQL with a loket's schema except the few modules listed here, each of
  which reads one schema per statement (or, for migrate_platform's check, one schema per
  UNION ALL branch: docs/scaling.md says how it is split per node).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = ("shared.", "tenants.", "opvangloket")
SCHEMA_QUALIFYING_MODULES = {
    "shared/lokets/schema_script.py",  # the template's DDL script, one schema
    "shared/lokets/backups.py",  # one loket's django_migrations
    "shared/lokets/platform_migrations.py",  # migrations behind: one schema per branch
}


def _ours(model) -> bool:
    return model.__module__.startswith(OUR_APPS)


def _to_django_tables() -> set[tuple[str, str]]:
    """Columns of our tables that point at Django's own (auth's groups and permissions keep
    Django's integer keys; they are public, reference tables in the plan)."""
    return {
        (model._meta.db_table, field.column)
        for model in apps.get_models(include_auto_created=True)
        if _ours(model)
        for field in model._meta.concrete_fields
        if field.is_relation and not _ours(field.related_model)
    }


def _our_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.startswith(OUR_APPS)
    }


def test_new_keys_default_to_bigint():
    assert settings.DEFAULT_AUTO_FIELD == "django.db.models.BigAutoField"
    small = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.startswith(OUR_APPS)
        for field in model._meta.concrete_fields
        if (field.primary_key or field.is_relation)
        and not (field.is_relation and not _ours(field.related_model))
        and isinstance(field.target_field if field.is_relation else field, models.AutoField)
        and not isinstance(field.target_field if field.is_relation else field, models.BigAutoField)
    ]
    assert small == []


def _key_columns(schema: str) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cl.relname, a.attname, format_type(a.atttypid, a.atttypmod)"
            " FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
            " WHERE c.contype IN ('p', 'f') AND c.connamespace = %s::regnamespace",
            [schema],
        )
        return cursor.fetchall()


def test_every_key_column_of_our_tables_is_bigint_in_the_catalog(world):
    ours = _our_tables()
    integers = {"integer", "smallint", "bigint"}
    small = [
        f"{schema}.{table}.{column}: {kind}"
        for schema in ("public", "alpha")
        for table, column, kind in _key_columns(schema)
        if table in ours
        and (table, column) not in _to_django_tables()
        and kind in integers
        and kind != "bigint"
    ]
    assert small == []


def test_foreign_keys_stay_in_their_own_schema_or_point_to_public(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.conrelid::regclass::text, rn.nspname, c.confrelid::regclass::text"
            " FROM pg_constraint c"
            " JOIN pg_namespace n ON n.oid = c.connamespace"
            " JOIN pg_class r ON r.oid = c.confrelid"
            " JOIN pg_namespace rn ON rn.oid = r.relnamespace"
            " WHERE c.contype = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        )
        wrong = [
            f"{table} -> {target}"
            for schema, table, target_schema, target in cursor.fetchall()
            if target_schema not in (schema, "public")
        ]
    assert wrong == []


def test_no_view_reads_another_schema_than_its_own_and_public(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT vn.nspname, v.relname, tn.nspname"
            " FROM pg_rewrite rw JOIN pg_class v ON v.oid = rw.ev_class AND v.relkind IN ('v', 'm')"
            " JOIN pg_namespace vn ON vn.oid = v.relnamespace"
            " JOIN pg_depend d ON d.objid = rw.oid AND d.classid = 'pg_rewrite'::regclass"
            " JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace"
            " WHERE vn.nspname NOT IN ('pg_catalog', 'information_schema')"
        )
        wrong = [
            f"{schema}.{view} reads {other}"
            for schema, view, other in cursor.fetchall()
            if other not in (schema, "public", "pg_catalog")
        ]
    assert wrong == []


SCHEMA_QUALIFIED = re.compile(r"(quote_name|_q)\([^)]*schema[^)]*\)\}\s*\"?\s*\"?\.")


def test_only_the_listed_modules_qualify_sql_with_a_schema():
    found = {
        str(path.relative_to(ROOT))
        for package in ("shared", "tenants", "src/opvangloket")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and SCHEMA_QUALIFIED.search(path.read_text())
    }
    assert found <= SCHEMA_QUALIFYING_MODULES, sorted(found - SCHEMA_QUALIFYING_MODULES)
