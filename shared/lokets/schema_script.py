"""New loket schemas from a DDL script of the template schema, made once per deploy.

django-tenants' clone function copies the template table by table through whole-database
catalog views (``pg_indexes``, ``information_schema``) and re-installs itself on every
clone, so each new loket cost about a second plus 24 ms for every loket already there.
Instead ``migrate_platform`` (``script_build``) reads the template's catalog once and
stores one script: tables with their columns, defaults and identity sequences, the rows
the template holds (``django_migrations``, ``django_content_type``), constraints
(deferrable foreign keys included), indexes, sequence values and ownership, triggers.
Before it is stored, the script is run into a scratch schema that is rolled back and
compared with the template (``schema_catalog``), so a script that would make a different
schema is never stored.

The script is keyed by the migration state of the code (every migration on disk): a
loket created after a deploy whose migrations the template has not had yet finds no
script for its state and is created by running the migrations instead, never from a
stale script. Grants are not in the script: ``loket_create`` grants the auditor's role
as it does for a migrated schema (``shared.lokets.auditor``).

Every name put into SQL here is a catalog name, quoted (``_q``); values are literals
(``_lit``) or parameters.
"""

# ruff: noqa: S608

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from shared.lokets.models import SchemaScript

# Kinds of objects the script makes; a template with anything else (views, functions,
# types, row security, comments) is not scripted, and lokets are made by migrations.
SCRIPTED_RELKINDS = ("r", "i", "S")
KEEP_SCRIPTS = 10
SCRATCH_SCHEMA = "loket_script_check"


class ScriptUnsupported(Exception):
    """The template holds objects the script does not reproduce."""


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every (app, migration) a fully migrated schema records, read from the code once per
    process (the migrations on disk do not change while it runs)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    names: set[tuple[str, str]] = set()
    for key in loader.graph.nodes:
        names.add(key)
        names.update(loader.graph.nodes[key].replaces or ())
    return frozenset(names)


def migration_state(migrations: frozenset[tuple[str, str]] | None = None) -> str:
    """A short key for a set of applied migrations (the code's when not given)."""
    names = sorted(f"{app}.{name}" for app, name in (migrations or expected_migrations()))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def applied_migrations(schema: str) -> frozenset[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {_q(schema)}.django_migrations")
        return frozenset(cursor.fetchall())


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _rows(cursor, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _lit(value: str) -> str:
    """A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1)."""
    return "'" + value.replace("'", "''") + "'"


def _refuse_unsupported(cursor, schema: str) -> None:
    checks = {
        "views, partitioned or foreign tables": (
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind <> ALL(%s)",
            [schema, list(SCRIPTED_RELKINDS)],
        ),
        "functions": (
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = %s",
            [schema],
        ),
        "types": (
            "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = %s AND t.typrelid = 0 AND t.typelem = 0",
            [schema],
        ),
        "row security or options": (
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND (c.relrowsecurity OR c.reloptions IS NOT NULL "
            "OR c.relpersistence <> 'p')",
            [schema],
        ),
        "comments": (
            "SELECT count(*) FROM pg_description d JOIN pg_class c ON c.oid = d.objoid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            [schema],
        ),
        "extended statistics": (
            "SELECT count(*) FROM pg_statistic_ext s JOIN pg_namespace n "
            "ON n.oid = s.stxnamespace WHERE n.nspname = %s",
            [schema],
        ),
    }
    for what, (sql, params) in checks.items():
        if _rows(cursor, sql, params)[0][0]:
            raise ScriptUnsupported(f"the schema {schema} holds {what}")


def _django_statements() -> dict[tuple[str, str], str]:
    """The SQL Django runs for each named index and constraint of the models at the code's
    migration state, by (table, name).

    PostgreSQL does not give back every expression as it was written: an index on
    ``status IN ('proposed', 'confirmed')`` reads back as ``= ANY (ARRAY[...])``, which
    parses into a different (equivalent) tree. Indexes and constraints with a name in the
    models are therefore made with the same statement the migration ran.
    """
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    statements: dict[tuple[str, str], str] = {}
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        for model in state.apps.get_models():
            table = model._meta.db_table
            for index in model._meta.indexes:
                statements[(table, index.name)] = str(index.create_sql(model, editor))
            for constraint in model._meta.constraints:
                statement = constraint.create_sql(model, editor)
                if statement is not None:
                    statements[(table, constraint.name)] = str(statement)
    return statements


def _script_of(cursor, schema: str) -> str:
    """The statements that make ``schema`` again, with names relative to the search path.

    Run with the search path set to ``schema`` alone, so that ``pg_get_*`` name its own
    objects without a schema and public ones (``public.accounts_user``) with it.
    """
    _refuse_unsupported(cursor, schema)
    statements: list[str] = []
    tables = _rows(
        cursor,
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
        [schema],
    )
    sequences = {
        name: (type_, start, increment, minimum, maximum, cache, cycle, last, identity)
        for name, type_, start, increment, minimum, maximum, cache, cycle, last, identity in _rows(
            cursor,
            "SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
            "s.seqmin, s.seqmax, s.seqcache, s.seqcycle, pg_sequence_last_value(c.oid), "
            "EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
            "AND d.objid = c.oid AND d.deptype = 'i') "
            "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "ORDER BY c.relname",
            [schema],
        )
    }

    def sequence_options(name: str, *, with_type: bool = True) -> str:
        type_, start, increment, minimum, maximum, cache, cycle, _, _ = sequences[name]
        return (
            (f"AS {type_} " if with_type else "")
            + f"INCREMENT BY {increment} MINVALUE {minimum} MAXVALUE {maximum} "
            f"START WITH {start} CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}"
        )

    for name, values in sequences.items():
        if not values[-1]:  # a sequence of its own (identity ones come with their column)
            statements.append(f"CREATE SEQUENCE {_q(name)} {sequence_options(name)}")

    identity_sequences = dict(
        _rows(
            cursor,
            "SELECT d.refobjid::regclass::text || '.' || a.attname, c.relname "
            "FROM pg_depend d JOIN pg_class c ON c.oid = d.objid "
            "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'i' AND c.relkind = 'S' "
            "AND n.nspname = %s",
            [schema],
        )
    )
    for oid, table in tables:
        columns = []
        for name, type_, not_null, default, identity, generated, collation in _rows(
            cursor,
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
            "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END "
            "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
            "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            [oid],
        ):
            column = f"{_q(name)} {type_}"
            if collation:
                column += f" COLLATE {_q(collation)}"
            if generated == "s":
                column += f" GENERATED ALWAYS AS ({default}) STORED"
            elif default is not None:
                column += f" DEFAULT {default}"
            if identity:
                sequence = identity_sequences[f"{table}.{name}"]
                kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
                column += (
                    f" GENERATED {kind} AS IDENTITY (SEQUENCE NAME {_q(sequence)} "
                    f"{sequence_options(sequence, with_type=False)})"
                )
            if not_null:
                column += " NOT NULL"
            columns.append(column)
        statements.append(f"CREATE TABLE {_q(table)} ({', '.join(columns)})")

    # The rows the template holds (the migrations applied, the content types), as JSON.
    for oid, table in tables:
        insertable = [
            name
            for (name,) in _rows(
                cursor,
                "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                [oid],
            )
        ]
        names = ", ".join(_q(name) for name in insertable)
        cursor.execute(f"SELECT json_agg(t ORDER BY t.ctid) FROM {_q(table)} AS t")
        rows = cursor.fetchone()[0]
        if rows:
            data = json.dumps(rows, separators=(",", ":"), ensure_ascii=False)
            statements.append(
                f"INSERT INTO {_q(table)} ({names}) OVERRIDING SYSTEM VALUE SELECT {names} "
                f"FROM json_populate_recordset(NULL::{_q(table)}, {_lit(data)}::json)"
            )

    # Constraints: keys first, so that the foreign keys find them.
    order = {"p": 0, "u": 1, "x": 2, "c": 3, "f": 4}
    constraints = _rows(
        cursor,
        "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
        "ORDER BY c.relname, k.conname",
        [schema],
    )
    from_django = _django_statements()
    for table, name, kind, definition in sorted(constraints, key=lambda row: order[row[2]]):
        if kind != "f" and (table, name) in from_django:
            statements.append(from_django[(table, name)])
        else:
            statements.append(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    ident = _rows(cursor, "SELECT quote_ident(%s)", [schema])[0][0]
    prefix, prefix_only = f" ON {ident}.", f" ON ONLY {ident}."
    for table, name, definition in _rows(
        cursor,
        "SELECT t.relname, c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
        "WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY c.relname",
        [schema],
    ):
        if (table, name) in from_django:
            statements.append(from_django[(table, name)])
            continue
        definition = definition.replace(prefix_only, " ON ONLY ", 1)
        statements.append(definition.replace(prefix, " ON ", 1))
    for (definition,) in _rows(
        cursor,
        "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
        "AND NOT t.tgisinternal ORDER BY c.relname, t.tgname",
        [schema],
    ):
        statements.append(definition.replace(prefix, " ON ", 1))
    # Sequences owned by a column (serial) and the values every sequence has reached.
    for sequence, table, column in _rows(
        cursor,
        "SELECT s.relname, t.relname, a.attname FROM pg_depend d "
        "JOIN pg_class s ON s.oid = d.objid JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "JOIN pg_namespace n ON n.oid = s.relnamespace WHERE n.nspname = %s "
        "AND s.relkind = 'S' AND d.deptype = 'a' AND d.classid = 'pg_class'::regclass "
        "ORDER BY s.relname",
        [schema],
    ):
        statements.append(f"ALTER SEQUENCE {_q(sequence)} OWNED BY {_q(table)}.{_q(column)}")
    for name, values in sequences.items():
        if values[7] is not None:
            statements.append(f"SELECT setval({_lit(_q(name))}, {values[7]}, true)")
    return ";\n".join(statements) + ";\n"


def _in_schema(cursor, schema: str, sql: str) -> None:
    """Run ``sql`` with the search path set to ``schema`` alone, then put it back."""
    cursor.execute("SELECT current_setting('search_path')")
    previous = cursor.fetchone()[0]
    cursor.execute("SELECT set_config('search_path', %s, true)", [_q(schema)])
    try:
        cursor.execute(sql)
    finally:
        cursor.execute("SELECT set_config('search_path', %s, true)", [previous])


def _script_read(cursor, schema: str) -> str:
    cursor.execute("SELECT current_setting('search_path')")
    previous = cursor.fetchone()[0]
    cursor.execute("SELECT set_config('search_path', %s, true)", [_q(schema)])
    try:
        return _script_of(cursor, schema)
    finally:
        cursor.execute("SELECT set_config('search_path', %s, true)", [previous])


class _Rollback(Exception):
    pass


def script_build(*, schema: str | None = None) -> SchemaScript:
    """Read the template's script, check it makes the same schema, and store it under the
    template's migration state (which must be the code's: the template is migrated)."""
    schema = schema or settings.TENANT_BASE_SCHEMA
    applied = applied_migrations(schema)
    missing = expected_migrations() - applied
    if missing:
        raise ScriptUnsupported(
            f"the schema {schema} lacks {len(missing)} migrations, e.g. {sorted(missing)[0]}"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        script = _script_read(cursor, schema)
        # Run it into a scratch schema, compare, roll back. Grants are left out: the
        # template gets the auditor's after this (ensure_auditor_role), a loket at once.
        try:
            with transaction.atomic():
                cursor.execute(f"CREATE SCHEMA {_q(SCRATCH_SCHEMA)}")
                try:
                    with transaction.atomic():
                        _in_schema(cursor, SCRATCH_SCHEMA, script)
                except DatabaseError as error:
                    raise ScriptUnsupported(f"the script fails: {error}") from error
                made = schema_catalog(SCRATCH_SCHEMA, privileges=False)
                raise _Rollback
        except _Rollback:
            pass
        template = schema_catalog(schema, privileges=False)
        if made != template:
            differing = sorted(key for key in template if made.get(key) != template.get(key))
            raise ScriptUnsupported(f"the script makes a different {', '.join(differing)}")
        state = migration_state(applied)
        stored, _ = SchemaScript.objects.update_or_create(
            migration_state=state,
            defaults={"script": script, "migrations": len(applied), "template": schema},
        )
        kept = SchemaScript.objects.order_by("-created_at").values_list("pk", flat=True)
        SchemaScript.objects.exclude(pk__in=list(kept[:KEEP_SCRIPTS])).delete()
    return stored


def script_current() -> SchemaScript | None:
    """The stored script for the code's migration state, or None (never a stale one)."""
    return SchemaScript.objects.filter(migration_state=migration_state()).first()


def schema_create_from_script(*, schema: str) -> bool:
    """Create ``schema`` from the current script; False (nothing made) when there is none
    for the code's migration state and the template cannot give one."""
    script = script_current()
    if script is None:
        try:
            script = script_build()
        except ScriptUnsupported:
            return False
        if script.migration_state != migration_state():  # the template is not the code's
            return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {_q(schema)}")
        _in_schema(cursor, schema, script.script)
    return True


def schema_catalog(schema: str, *, privileges: bool = True) -> dict[str, Any]:
    """What a schema holds, with its own name left out, to compare two schemas: tables and
    columns, constraints, indexes, sequences (options, value, owner column), triggers,
    privileges on the schema, its tables, columns and sequences, and its rows of
    ``django_migrations`` and ``django_content_type``."""
    own = f"{_q(schema)}."

    def plain(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(own, "").replace(f"{schema}.", "")
        if isinstance(value, (list, tuple)):
            return tuple(plain(item) for item in value)
        return value

    def listing(cursor, sql: str) -> list[tuple]:
        return sorted(plain(tuple(row)) for row in _rows(cursor, sql, {"schema": schema}))

    catalog: dict[str, Any] = {}
    with connection.cursor() as cursor:
        catalog["columns"] = listing(
            cursor,
            "SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod), "
            "a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
            "a.attcollation, a.attstattarget, "
            "row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE n.nspname = %(schema)s AND a.attnum > 0 AND NOT a.attisdropped",
        )
        catalog["relations"] = listing(
            cursor,
            "SELECT c.relname, c.relkind, c.relpersistence, c.reloptions::text, "
            "c.relrowsecurity, pg_get_userbyid(c.relowner) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %(schema)s",
        )
        catalog["constraints"] = listing(
            cursor,
            "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), "
            "k.condeferrable, k.condeferred, k.convalidated, i.relname "
            "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_class i ON i.oid = k.conindid WHERE n.nspname = %(schema)s",
        )
        catalog["indexes"] = listing(
            cursor,
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, "
            "i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s",
        )
        catalog["sequences"] = listing(
            cursor,
            "SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, "
            "s.seqmin, s.seqmax, s.seqcache, s.seqcycle, pg_sequence_last_value(c.oid), "
            "(SELECT t.relname || '.' || a.attname || ':' || d.deptype::text FROM pg_depend d "
            "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid "
            "AND a.attnum = d.refobjsubid WHERE d.classid = 'pg_class'::regclass "
            "AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass "
            "AND d.deptype IN ('a', 'i')) "
            "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s",
        )
        catalog["triggers"] = listing(
            cursor,
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgisinternal, "
            "t.tgdeferrable, t.tginitdeferred FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %(schema)s AND NOT t.tgisinternal",
        )
        catalog["migrations"] = listing(
            cursor, f"SELECT id, app, name FROM {_q(schema)}.django_migrations"
        )
        catalog["content_types"] = listing(
            cursor, f"SELECT id, app_label, model FROM {_q(schema)}.django_content_type"
        )
    if not privileges:
        return catalog
    with connection.cursor() as cursor:
        # Privileges as who may do what (an owner's implicit rights count as granted).
        catalog["schema_privileges"] = listing(
            cursor,
            "SELECT pg_get_userbyid(p.grantee), p.privilege_type, p.is_grantable "
            "FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) p "
            "WHERE n.nspname = %(schema)s",
        )
        catalog["relation_privileges"] = listing(
            cursor,
            "SELECT c.relname, pg_get_userbyid(p.grantee), p.privilege_type, p.is_grantable "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
            "aclexplode(coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' "
            "ELSE 'r' END)::\"char\", c.relowner))) p "
            "WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'S', 'v', 'm', 'p')",
        )
        catalog["column_privileges"] = listing(
            cursor,
            "SELECT c.relname, a.attname, pg_get_userbyid(p.grantee), p.privilege_type "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(a.attacl) p "
            "WHERE n.nspname = %(schema)s AND a.attacl IS NOT NULL",
        )
    return catalog
