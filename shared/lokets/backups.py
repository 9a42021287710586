"""Backing up one loket and restoring it into a running platform, without touching another.

A backup is a ZIP (``manifest.json``, ``schema.sql``, ``public.json``):

- ``schema.sql``: ``pg_dump --schema=<the loket's schema>`` in plain SQL (tables, rows,
  identity sequences, constraints, indexes, the schema's ``django_migrations``), without
  owners or grants;
- ``public.json``: the loket's rows of the public schema, as Django serialises them: the
  loket with its working area, its domains, staff memberships, registry entries with
  their answers, possible duplicates and child identities, catalogue locations with
  their free places, job runs, drafts made on its host, figure snapshots, and the
  accounts its rows point to (to recreate one that was deleted since).

Both are read from one snapshot: the public rows in a REPEATABLE READ transaction that
exports its snapshot, ``pg_dump --snapshot`` reading the schema in the same one.

``loket_restore`` puts all of it back in **one transaction** on Django's connection (the
SQL file is run statement by statement, its ``COPY`` blocks through psycopg's COPY), so a
restore that fails leaves nothing behind; ``replace=True`` first drops the loket that
is there now (``loket_drop``), in that same transaction. Only the backed-up loket's
schema and rows are written; ids are kept, so the registry, the catalogue and every
link between them are as they were. National register numbers and registry hashes are
as stored: restore with the same ``OPVANGLOKET_DATA_KEYS`` and ``OPVANGLOKET_REGISTRY_KEY``.
"""

# ruff: noqa: S603, S608  (our own pg_dump with fixed options; names quoted, from the catalog)
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from shared.accounts.models import Membership, User
from shared.catalogue.models import CatalogueAvailability, CatalogueLocation
from shared.jobs.models import JobRun
from shared.lokets.auditor import auditor_schema_grant
from shared.lokets.models import Domain, Loket
from shared.lokets.platform_migrations import schemas_behind, schemas_migrate
from shared.portal.models import RequestDraft
from shared.registry.models import Child, PossibleDuplicate, RegistryAnswer, RegistryEntry
from shared.statistics.models import FigureSnapshot

BACKUP_FORMAT = "opvangloket-loket-backup"
BACKUP_VERSION = 1


# --- PostgreSQL's client programs ------------------------------------------------------


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise ValueError(f"no version in {version_text!r}")
    return int(match.group(1))


def pg_binary_candidates(name: str) -> list[Path]:
    """Where ``name`` (``pg_dump``, ``pg_restore``, ``psql``) may be, in order of preference:
    ``OPVANGLOKET_PG_BIN_DIR``, the binaries pgserver ships (the embedded server's own
    version), then ``PATH``."""
    found: list[Path] = []
    if os.environ.get("OPVANGLOKET_PG_BIN_DIR"):
        found.append(Path(os.environ["OPVANGLOKET_PG_BIN_DIR"]) / name)
    try:
        import pgserver  # the embedded server's package; absent in production
    except ImportError:
        pass
    else:
        found.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return [path for path in found if path.is_file() and os.access(path, os.X_OK)]


def pg_binary(name: str) -> Path:
    """The first ``name`` whose major version is at least the server's (``pg_dump`` refuses
    a newer server). Raises ``RuntimeError`` when there is none."""
    server_major = connection.cursor().connection.info.server_version // 10000
    tried = []
    for path in pg_binary_candidates(name):
        version = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, check=True
        ).stdout
        if _major(version.split(")")[-1]) >= server_major:
            return path
        tried.append(f"{path} ({version.strip()})")
    raise RuntimeError(
        f"no {name} for PostgreSQL {server_major} or newer; set OPVANGLOKET_PG_BIN_DIR "
        f"(tried: {', '.join(tried) or 'nothing found'})"
    )


def pg_connection_args() -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for a client program on Django's database."""
    settings = connection.settings_dict
    args = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


# --- What belongs to a loket in the public schema --------------------------------------


def _public_querysets(loket: Loket) -> list[tuple[str, models.QuerySet]]:
    """The loket's public rows, parents before children (the order of a restore)."""
    entries = RegistryEntry.objects.filter(loket=loket)
    return [
        ("lokets.loket", Loket.objects.filter(pk=loket.pk)),
        (
            "lokets.loket_municipalities",
            Loket.municipalities.through.objects.filter(loket=loket),
        ),
        ("lokets.domain", Domain.objects.filter(tenant=loket)),
        ("accounts.membership", Membership.objects.filter(loket=loket)),
        ("registry.child", Child.objects.filter(entries__loket=loket).distinct()),
        ("registry.registryentry", entries),
        ("registry.registryanswer", RegistryAnswer.objects.filter(entry__loket=loket)),
        (
            "registry.possibleduplicate",
            PossibleDuplicate.objects.filter(Q(entry__loket=loket) | Q(other__loket=loket)),
        ),
        ("catalogue.cataloguelocation", CatalogueLocation.objects.filter(loket=loket)),
        (
            "catalogue.catalogueavailability",
            CatalogueAvailability.objects.filter(catalogue_location__loket=loket),
        ),
        ("jobs.jobrun", JobRun.objects.filter(loket=loket)),
        ("portal.requestdraft", RequestDraft.objects.filter(loket=loket)),
        ("statistics.figuresnapshot", FigureSnapshot.objects.filter(scope=f"loket:{loket.pk}")),
    ]


def _referenced_user_ids(loket: Loket) -> set[int]:
    """Accounts the loket's rows point to, in its schema and in the public rows."""
    ids: set[int] = set(Membership.objects.filter(loket=loket).values_list("user_id", flat=True))
    ids |= set(
        RegistryEntry.objects.filter(loket=loket, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    ids |= set(RequestDraft.objects.filter(loket=loket).values_list("owner_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname"
            " FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
            " WHERE c.contype = 'f' AND c.connamespace = %s::regnamespace"
            " AND c.confrelid = 'public.accounts_user'::regclass",
            [loket.schema_name],
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT DISTINCT {connection.ops.quote_name(column)} FROM {table}"
                f" WHERE {connection.ops.quote_name(column)} IS NOT NULL"
            )
            ids |= {row[0] for row in cursor.fetchall()}
    return ids


def _serialised(queryset: models.QuerySet, **options: Any) -> list[dict[str, Any]]:
    """Rows as Django's serialiser gives them, with the whole precision of every value
    (its JSON encoder cuts times to milliseconds): JSON-ready through ``_plain``."""
    return _plain(serializers.serialize("python", queryset, **options))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class BackupSummary:
    manifest: dict[str, Any]


def loket_backup(*, loket: Loket, out: IO[bytes], now: dt.datetime | None = None) -> BackupSummary:
    """Write a backup of ``loket`` (its schema and its public rows) as a ZIP to ``out``."""
    now = now or timezone.now()
    pg_dump = pg_binary("pg_dump")
    args, env = pg_connection_args()
    if connection.in_atomic_block:
        raise RuntimeError("loket_backup needs its own transaction (the snapshot it shares)")
    connection.set_schema_to_public()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        # pg_dump reads the schema in this transaction's snapshot, while it is open.
        dumped = subprocess.run(
            [
                str(pg_dump),
                *args,
                "--schema",
                loket.schema_name,
                "--snapshot",
                snapshot,
                "--no-owner",
                "--no-privileges",
                "--format",
                "plain",
            ],
            capture_output=True,
            env=env,
            check=False,
        )
        if dumped.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {dumped.stderr.decode(errors='replace')}")
        schema_sql = dumped.stdout
        public: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for label, queryset in _public_querysets(loket):
            rows = _serialised(queryset.order_by("pk"))
            public[label] = rows
            counts[label] = len(rows)
        users = User.objects.filter(pk__in=_referenced_user_ids(loket)).order_by("pk")
        public["accounts.user"] = _serialised(
            users,
            fields=[
                "email",
                "full_name",
                "preferred_language",
                "password",
                "is_active",
                "date_joined",
                "guardian_key",
            ],
        )
        counts["accounts.user"] = len(public["accounts.user"])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT app, name FROM {connection.ops.quote_name(loket.schema_name)}"
                ".django_migrations ORDER BY app, name"
            )
            migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    public_json = json.dumps(public, ensure_ascii=False).encode()
    manifest = {
        "format": BACKUP_FORMAT,
        "format_version": BACKUP_VERSION,
        "loket": {"id": loket.pk, "slug": loket.slug, "schema": loket.schema_name},
        "created_at": now.isoformat(),
        "server_version": connection.cursor().connection.info.server_version,
        "pg_dump": subprocess.run(
            [str(pg_dump), "--version"], capture_output=True, text=True, check=True
        ).stdout.strip(),
        "schema_migrations": migrations,
        "public_rows": counts,
        "files": [
            {"name": "schema.sql", "bytes": len(schema_sql), "sha256": _sha256(schema_sql)},
            {"name": "public.json", "bytes": len(public_json), "sha256": _sha256(public_json)},
        ],
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("schema.sql", schema_sql)
        archive.writestr("public.json", public_json)
    return BackupSummary(manifest=manifest)


# --- Dropping and restoring ------------------------------------------------------------


def loket_drop(*, loket: Loket) -> None:
    """Remove a loket: its public rows and its schema (in the caller's transaction, or
    in one of its own). Child identities left without any entry go too."""
    with transaction.atomic():
        connection.set_schema_to_public()
        child_ids = set(
            RegistryEntry.objects.filter(loket=loket).values_list("child_id", flat=True)
        )
        for _label, queryset in reversed(_public_querysets(loket)):
            if queryset.model not in (Loket, Child):
                pks = list(queryset.values_list("pk", flat=True))
                queryset.model.objects.filter(pk__in=pks).delete()
        Child.objects.filter(pk__in=child_ids, entries__isnull=True).delete()
        Loket.objects.filter(pk=loket.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {connection.ops.quote_name(loket.schema_name)} CASCADE")


class RestoreRefused(ValidationError):
    """The backup cannot go back into this platform as it is (nothing was changed)."""


@dataclass
class RestoreReport:
    slug: str
    schema: str
    rows: dict[str, int] = field(default_factory=dict)
    accounts_recreated: list[str] = field(default_factory=list)
    migrated: bool = False


def backup_read(source: str | Path | IO[bytes]) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
    """The manifest, schema SQL and public rows of a backup, after checking format and
    checksums. Raises ``RestoreRefused``."""
    try:
        with zipfile.ZipFile(source) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            contents = {item["name"]: archive.read(item["name"]) for item in manifest["files"]}
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise RestoreRefused(
            _("This is not a loket backup: %(error)s") % {"error": error}
        ) from error
    if manifest.get("format") != BACKUP_FORMAT or manifest.get("format_version") != BACKUP_VERSION:
        raise RestoreRefused(_("This is not a loket backup of a version this platform reads."))
    for item in manifest["files"]:
        if _sha256(contents[item["name"]]) != item["sha256"]:
            raise RestoreRefused(
                _("%(file)s is damaged: its checksum does not match.") % {"file": item["name"]}
            )
    return manifest, contents["schema.sql"], json.loads(contents["public.json"])


_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config\(|\\(un)?restrict )")
_COPY_LINE = re.compile(r"^COPY .* FROM stdin;$")


def _sql_chunks(script: str) -> Iterator[tuple[str, str | None]]:
    """(statements, None) and (COPY statement, its data) from a plain pg_dump script.

    Session settings (``SET …``, ``set_config``) are left out: they would outlive the
    restore on Django's connection, and the script names every object with its schema.
    """
    statements: list[str] = []
    lines = iter(script.splitlines(keepends=True))
    for line in lines:
        if _COPY_LINE.match(line):
            if statements:
                yield "".join(statements), None
                statements = []
            data = []
            for row in lines:
                if row == "\\.\n" or row == "\\.":
                    break
                data.append(row)
            yield line.rstrip().rstrip(";"), "".join(data)
        elif line.startswith("--") or _SESSION_LINE.match(line):
            continue
        elif line.startswith("\\"):
            raise RestoreRefused(
                _("The schema file holds a psql command: %(line)s") % {"line": line}
            )
        else:
            statements.append(line)
    if "".join(statements).strip():
        yield "".join(statements), None


def _run_schema_sql(script: str) -> None:
    raw = connection.connection  # psycopg's connection, inside Django's transaction
    with raw.cursor() as cursor:
        for statements, data in _sql_chunks(script):
            if data is None:
                cursor.execute(statements)
            else:
                with cursor.copy(statements) as copy:
                    copy.write(data.encode())


def _deserialised(label: str, rows: list[dict[str, Any]]) -> Iterable[Any]:
    for row in rows:
        row.setdefault("model", label)
    return serializers.deserialize("python", rows, ignorenonexistent=True)


def _sequence_catch_up(models_: Iterable[type[models.Model]]) -> None:
    """Each public table's id sequence past the ids put back (never moved backwards)."""
    with connection.cursor() as cursor:
        for model in models_:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            (sequence,) = cursor.fetchone()
            if sequence is None:
                continue
            cursor.execute(f"SELECT last_value FROM {sequence}")
            (last,) = cursor.fetchone()
            cursor.execute(f"SELECT MAX(id) FROM {table}")
            (highest,) = cursor.fetchone()
            if highest is not None and highest > last:
                cursor.execute("SELECT setval(%s, %s)", [sequence, highest])


def _refusals(
    *, manifest: dict[str, Any], public: dict[str, Any], replacing: Loket | None
) -> list[str]:
    problems: list[str] = []
    (loket_row,) = public["lokets.loket"]
    fields = loket_row["fields"]
    if replacing is None and Loket.objects.filter(pk=loket_row["pk"], slug=fields["slug"]).exists():
        # The loket itself is still there: one thing to say.
        return [
            _("The schema %(schema)s exists already: restore with replace to drop it first.")
            % {"schema": fields["schema_name"]}
        ]
    others = Loket.objects.exclude(pk=replacing.pk) if replacing else Loket.objects.all()
    if others.filter(pk=loket_row["pk"]).exists():
        problems.append(_("Another loket has this loket's id (%(id)s).") % {"id": loket_row["pk"]})
    for name in ("slug", "schema_name", "reference_prefix"):
        if others.filter(**{name: fields[name]}).exists():
            problems.append(
                _("Another loket already has %(field)s %(value)s.")
                % {"field": name, "value": fields[name]}
            )
    if replacing is None and schema_exists(fields["schema_name"]):
        problems.append(
            _("The schema %(schema)s exists already: restore with replace to drop it first.")
            % {"schema": fields["schema_name"]}
        )
    domains = [row["fields"]["domain"] for row in public["lokets.domain"]]
    taken = Domain.objects.filter(domain__in=domains).exclude(
        tenant_id=replacing.pk if replacing else None
    )
    for domain in taken.values_list("domain", flat=True):
        problems.append(_("The domain %(domain)s belongs to another loket.") % {"domain": domain})
    for row in public["accounts.user"]:
        same_id = User.objects.filter(pk=row["pk"]).first()
        if same_id is None and User.objects.filter(email=row["fields"]["email"]).exists():
            problems.append(
                _("Account %(id)s is gone and its e-mail address now belongs to another account.")
                % {"id": row["pk"]}
            )
    return problems


def loket_restore(*, source: str | Path | IO[bytes], replace: bool = False) -> RestoreReport:
    """Put a loket back from its backup, in one transaction (all or nothing).

    Refused (``RestoreRefused``, nothing changed) when another loket holds its id, slug,
    schema, reference prefix or a domain, when its schema exists and ``replace`` is off,
    or when an account it needs is gone and its e-mail address was given to another.
    ``replace``: the loket there now (same slug) is dropped first, in the same
    transaction. Another loket's schema and rows are never written.
    """
    manifest, schema_sql, public = backup_read(source)
    slug = manifest["loket"]["slug"]
    report = RestoreReport(slug=slug, schema=manifest["loket"]["schema"])
    connection.set_schema_to_public()
    with transaction.atomic():
        current = Loket.objects.filter(slug=slug).first() if replace else None
        problems = _refusals(manifest=manifest, public=public, replacing=current)
        if problems:
            raise RestoreRefused(problems)
        if current is not None:
            loket_drop(loket=current)
        for row in public["accounts.user"]:
            if not User.objects.filter(pk=row["pk"]).exists():
                next(iter(_deserialised("accounts.user", [row]))).save(save_m2m=False)
                report.accounts_recreated.append(row["fields"]["email"])
        _run_schema_sql(schema_sql.decode())
        connection.set_schema_to_public()
        restored_models = []
        for label, rows in public.items():
            if label == "accounts.user":
                continue
            model = apps.get_model(label)
            restored_models.append(model)
            written = 0
            for item in _deserialised(label, rows):
                if model is Child and Child.objects.filter(pk=item.object.pk).exists():
                    continue  # still shared with another loket's entries
                if model is PossibleDuplicate and not (
                    RegistryEntry.objects.filter(pk=item.object.entry_id).exists()
                    and RegistryEntry.objects.filter(pk=item.object.other_id).exists()
                ):
                    continue  # the other loket's entry is gone since
                if (
                    model is PossibleDuplicate
                    and PossibleDuplicate.objects.filter(pk=item.object.pk).exists()
                ):
                    continue  # a pair between two entries of this loket, or kept by the other
                item.save(save_m2m=False)
                written += 1
            report.rows[label] = written
        _sequence_catch_up([User, *restored_models])
        auditor_schema_grant(schema=report.schema)
    # An older backup: its schema is brought up to the code's migrations, as any loket's.
    if schemas_behind([report.schema]):
        report.migrated = True
        schemas_migrate([report.schema])
    return report
