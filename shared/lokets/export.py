"""All of a loket's data in a documented, versioned format, so that a loket can leave us.

One ZIP: ``manifest.json`` (format and version, loket, when, by whom, every file with its
record count and SHA-256) and one JSON-lines file per kind of record: every table of the
loket's schema (``providers_location.jsonl``, ``requests_childcarerequest.jsonl``, …),
and from the public schema the loket itself (``loket.json``), its staff memberships, the
accounts its rows point to and its registry entries (without the keyed hashes, which mean
nothing outside this platform). ``docs/export-format.md`` documents every field; a test
holds it to ``export_format()``, so a new column cannot slip into the files undocumented.

The files are read in one REPEATABLE READ transaction: one consistent moment of the
loket. National register numbers are written in the clear (they are stored encrypted
under our keys, which the loket does not take along): the file is personal data, so only
loket staff may download it and every download is in the loket's audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_tenants.utils import schema_context

from opvangloket.crypto import decrypt_text
from opvangloket.downloads import download_name
from shared.accounts.models import Membership, User
from shared.geography.models import Municipality
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry

FORMAT_NAME = "opvangloket-loket-export"
# Raise on any change a reader could trip over (a field removed, renamed or retyped);
# a new field or file is additive and keeps the version (readers ignore what they do
# not know), but is documented in docs/export-format.md all the same.
FORMAT_VERSION = 1
MEDIA_TYPE = "application/zip"

# The loket apps whose every table is exported (the loket's own schema). django-guardian's
# object permissions and the content types are the platform's access control, not the
# loket's data, and stay behind.
LOKET_APP_LABELS = ("providers", "requests", "allocation", "audit", "signals")

# Columns written differently from how they are stored.
DECRYPTED = {"national_number_encrypted": "national_number"}
REGISTRY_COLUMNS = (
    "id",
    "request_id",
    "reference",
    "submission",
    "child",
    "status",
    "desired_start",
    "age_group",
    "residence",
    "has_priority",
    "registered_by_staff",
    "registered_at",
    "has_offer",
    "placed_at",
    "closed_at",
)
LOKET_COLUMNS = (
    "id",
    "slug",
    "name",
    "kind",
    "reference_prefix",
    "schema_name",
    "address",
    "phone",
    "email",
    "website",
    "opening_hours",
    "is_active",
    "max_choices",
    "registration_window_months",
    "registration_from_pregnancy_month",
    "response_days",
    "offer_answer_days",
    "confirmation_interval_months",
    "personal_data_retention_months",
    "shows_waiting_position",
    "uses_allocation_rounds",
    "created_at",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class RecordFile:
    """One file of the export: its name, what one record is, and its columns."""

    name: str
    record: str  # a lazy translation: English in the docs, the reader's language on the page
    columns: tuple[Column, ...]


# --- Describing the format -------------------------------------------------------------


def _field_type(field: models.Field) -> str:
    if isinstance(field, ArrayField):
        return f"list of {_field_type(field.base_field)}"
    if field.is_relation:
        if field.related_model is Municipality:
            return "text (NIS code)"
        return "integer (id)"
    kind = field.get_internal_type()
    if kind in {"DateTimeField"}:
        return "date-time (ISO 8601 with offset)"
    if kind == "DateField":
        return "date (YYYY-MM-DD)"
    if kind == "TimeField":
        return "time (HH:MM:SS, Brussels time)"
    if kind == "DecimalField":
        return "decimal (text)"
    if kind == "BooleanField":
        return "boolean"
    if kind == "UUIDField":
        return "text (UUID)"
    if kind == "JSONField":
        return "JSON"
    if "Integer" in kind or kind.endswith("AutoField"):
        return "integer"
    return "text"


def _field_description(field: models.Field) -> str:
    with translation.override("en"):
        text = str(field.verbose_name)
        if field.primary_key:
            text = "id of the record, unique within the file"
        elif field.is_relation and field.related_model is Municipality:
            text = f"{text} (the municipality's NIS code)"
        elif field.is_relation:
            target = (
                "accounts.jsonl"
                if field.related_model is User
                else f"{field.related_model._meta.db_table}.jsonl"
            )
            text = f"{text}: id of a record in {target}"
        help_text = str(field.help_text or "")
    choices = getattr(field, "choices", None) or (
        field.base_field.choices if isinstance(field, ArrayField) else None
    )
    if choices:
        text += "; one of " + ", ".join(f"`{value}`" for value, _label in choices)
    if help_text:
        text += f" ({help_text.rstrip('.')})"
    if field.null:
        text += "; may be null"
    return text


def _column_name(field: models.Field) -> str:
    if field.name in DECRYPTED:
        return DECRYPTED[field.name]
    if field.is_relation and field.related_model is Municipality:
        return f"{field.name}_nis_code"
    return field.attname


def _columns(fields: Iterable[models.Field]) -> tuple[Column, ...]:
    columns = []
    for field in fields:
        if field.name in DECRYPTED:
            columns.append(
                Column(
                    DECRYPTED[field.name],
                    "text",
                    "the child's national register number, in the clear (stored encrypted); "
                    "empty when not given",
                )
            )
            continue
        columns.append(Column(_column_name(field), _field_type(field), _field_description(field)))
    return tuple(columns)


def loket_models() -> list[type[models.Model]]:
    """Every model of the loket's schema that is exported, in a stable order."""
    return [
        model for label in LOKET_APP_LABELS for model in apps.get_app_config(label).get_models()
    ]


# What one record is, for the models without a verbose_name of their own (Django's
# generated name is no msgid).
RECORD_NAMES = {
    "requests_requestevent": gettext_lazy("an event in the history of a request"),
    "requests_requestnote": gettext_lazy("a note of the loket on a request"),
    "requests_requestnotice": gettext_lazy("an e-mail about a request, recorded once"),
    "allocation_offernotice": gettext_lazy("an e-mail about an offer, recorded once"),
    "allocation_overduedigest": gettext_lazy(
        "the loket's daily e-mail of choices past the answering time"
    ),
}


def export_format() -> list[RecordFile]:
    """What each file of this format version holds, column by column (for the docs)."""
    loket_fields = [Loket._meta.get_field(name) for name in LOKET_COLUMNS]
    registry_fields = [RegistryEntry._meta.get_field(name) for name in REGISTRY_COLUMNS]
    files = [
        RecordFile(
            "loket.json",
            gettext_lazy("the loket (one JSON object, not lines)"),
            (
                *_columns(loket_fields),
                Column("region", "text", "slug of the loket's region; may be null"),
                Column(
                    "working_area", "list of text (NIS code)", "municipalities of its working area"
                ),
                Column("domains", "list of text", "host names; the primary one first"),
            ),
        ),
        RecordFile(
            "memberships.jsonl",
            gettext_lazy("a staff role in the loket"),
            (
                Column("user_id", "integer (id)", "the person: id of a record in accounts.jsonl"),
                Column(
                    "role",
                    "text",
                    "one of " + ", ".join(f"`{v}`" for v, _ in Membership.Role.choices),
                ),
                Column("created_at", "date-time (ISO 8601 with offset)", "since when"),
            ),
        ),
        RecordFile(
            "accounts.jsonl",
            gettext_lazy("an account that a record of this export points to (staff, parents)"),
            (
                Column("id", "integer (id)", "id of the account, as the other files use it"),
                Column("email", "text", "e-mail address (the login)"),
                Column("full_name", "text", "full name"),
                Column("preferred_language", "text", "one of `nl`, `fr`, `en`"),
            ),
        ),
        RecordFile(
            "registry_entries.jsonl",
            gettext_lazy("the loket's entry in the cross-loket child registry, one per request"),
            tuple(
                column
                if column.name != "child_id"
                else Column(
                    "child",
                    "text (UUID)",
                    "the child identity: requests with the same value are the same child "
                    "(also across lokets)",
                )
                for column in _columns(registry_fields)
            ),
        ),
    ]
    for model in loket_models():
        files.append(
            RecordFile(
                f"{model._meta.db_table}.jsonl",
                # Lazy: the page shows it in the reader's language, the docs in English.
                RECORD_NAMES.get(model._meta.db_table, model._meta.verbose_name),
                _columns(model._meta.concrete_fields),
            )
        )
    return files


# --- Writing ---------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return value


def _line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode()


def _model_records(model: type[models.Model], nis_codes: dict[int, str]) -> Iterator[dict]:
    fields = list(model._meta.concrete_fields)
    names = [field.attname for field in fields]
    for values in model.objects.order_by("pk").values_list(*names).iterator(chunk_size=2000):
        record = {}
        for field, value in zip(fields, values, strict=True):
            if field.name in DECRYPTED:
                value = decrypt_text(value) if value else ""
            elif field.is_relation and field.related_model is Municipality:
                value = nis_codes.get(value) if value is not None else None
            record[_column_name(field)] = _json_value(value)
        yield record


def _user_ids(model: type[models.Model]) -> set[int]:
    ids: set[int] = set()
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is User:
            ids |= set(
                model.objects.exclude(**{field.attname: None}).values_list(field.attname, flat=True)
            )
    return ids


@dataclass(frozen=True)
class ExportSummary:
    manifest: dict[str, Any]

    @property
    def records(self) -> int:
        return sum(item["records"] for item in self.manifest["files"])


def loket_export_write(
    *, loket: Loket, out: IO[bytes], by: str = "", now: dt.datetime | None = None
) -> ExportSummary:
    """Write the loket's export as a ZIP to ``out``; returns the manifest.

    Reads in one REPEATABLE READ, read-only transaction when called outside one (a
    page, the API, the command), so every file shows the same moment.
    """
    now = now or timezone.now()
    if connection.in_atomic_block:
        return _write(loket=loket, out=out, by=by, now=now)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _write(loket=loket, out=out, by=by, now=now)


def _write(*, loket: Loket, out: IO[bytes], by: str, now: dt.datetime) -> ExportSummary:
    nis_codes = dict(Municipality.objects.values_list("id", "nis_code"))
    entries: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, records: Iterable[dict[str, Any]], *, lines: bool = True) -> None:
            digest = hashlib.sha256()
            count = size = 0
            with archive.open(name, "w", force_zip64=True) as member:
                if lines:
                    for record in records:
                        data = _line(record)
                        member.write(data)
                        digest.update(data)
                        count += 1
                        size += len(data)
                else:
                    (record,) = records
                    data = json.dumps(record, ensure_ascii=False, indent=2).encode()
                    member.write(data)
                    digest.update(data)
                    count, size = 1, len(data)
            files.append(
                {"name": name, "records": count, "bytes": size, "sha256": digest.hexdigest()}
            )

        loket = Loket.objects.get(pk=loket.pk)
        record = {name: _json_value(getattr(loket, name)) for name in LOKET_COLUMNS}
        record["region"] = loket.region.slug if loket.region_id else None
        record["working_area"] = sorted(loket.municipalities.values_list("nis_code", flat=True))
        record["domains"] = list(
            loket.domains.order_by("-is_primary", "domain").values_list("domain", flat=True)
        )
        add("loket.json", [record], lines=False)
        memberships = list(
            Membership.objects.filter(loket=loket)
            .order_by("id")
            .values("user_id", "role", "created_at")
        )
        add("memberships.jsonl", ({k: _json_value(v) for k, v in m.items()} for m in memberships))
        user_ids = {m["user_id"] for m in memberships}
        with schema_context(loket.schema_name):
            for model in loket_models():
                user_ids |= _user_ids(model)
        accounts = (
            User.objects.filter(id__in=user_ids)
            .order_by("id")
            .values("id", "email", "full_name", "preferred_language")
        )
        add("accounts.jsonl", accounts.iterator())
        registry = (
            RegistryEntry.objects.filter(loket=loket)
            .order_by("id")
            .values_list(*[n if n != "child" else "child__public_id" for n in REGISTRY_COLUMNS])
        )
        for values in registry.iterator(chunk_size=2000):
            row = {}
            for name, value in zip(REGISTRY_COLUMNS, values, strict=True):
                if name == "residence":
                    row["residence_nis_code"] = nis_codes.get(value)
                else:
                    row[name] = _json_value(value)
            entries.append(row)
        add("registry_entries.jsonl", entries)
        with schema_context(loket.schema_name):
            for model in loket_models():
                add(f"{model._meta.db_table}.jsonl", _model_records(model, nis_codes))
            with connection.cursor() as cursor:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
                applied = [f"{app}.{name}" for app, name in cursor.fetchall()]
        manifest = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "loket": {
                "slug": loket.slug,
                "name": loket.name,
                "reference_prefix": loket.reference_prefix,
            },
            "created_at": now.isoformat(),
            "created_by": by,
            "documentation": "docs/export-format.md",
            "schema_migrations": applied,
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return ExportSummary(manifest=manifest)


def export_file_name(*, loket: Loket, now: dt.datetime) -> str:
    return download_name("export", whose=loket.name, first=timezone.localdate(now), ext="zip")


def loket_export_spooled(
    *, loket: Loket, by: str = "", now: dt.datetime | None = None
) -> tuple[IO[bytes], ExportSummary]:
    """The export in a temporary file (memory first, disk when large), rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    summary = loket_export_write(loket=loket, out=out, by=by, now=now)
    out.seek(0)
    return out, summary


def loket_export_read(data: bytes | IO[bytes]) -> dict[str, list[dict[str, Any]]]:
    """Read an export back (tests, and anyone checking a file): every file's records,
    after checking the format, the counts and the checksums. Raises ``ValueError``."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT_NAME:
            raise ValueError("not an Opvangloket loket export")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format version {manifest.get('format_version')} is not known")
        result: dict[str, list[dict[str, Any]]] = {"manifest.json": [manifest]}
        for item in manifest["files"]:
            raw = archive.read(item["name"])
            if hashlib.sha256(raw).hexdigest() != item["sha256"]:
                raise ValueError(f"{item['name']}: checksum does not match")
            if item["name"].endswith(".json"):
                records = [json.loads(raw)]
            else:
                records = [json.loads(line) for line in raw.decode().splitlines() if line]
            if len(records) != item["records"]:
                raise ValueError(
                    f"{item['name']}: {len(records)} records, manifest says {item['records']}"
                )
            result[item["name"]] = records
    return result


def loket_export_download(
    *, loket: Loket, actor: User | None, channel: str, now: dt.datetime | None = None
) -> tuple[IO[bytes], ExportSummary]:
    """The export for a person or an operator, recorded in the loket's audit trail.

    ``channel``: ``page``, ``api`` or ``command``. The event holds the format version
    and the number of records, no personal data. The file is made first, so a failed
    export records nothing and a recorded one was handed out.
    """
    from tenants.audit.models import AuditEvent
    from tenants.audit.services import audit_record

    now = now or timezone.now()
    out, summary = loket_export_spooled(
        loket=loket, by=actor.email if actor is not None else "", now=now
    )
    with schema_context(loket.schema_name), transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.VIEWED,
            object_type=AuditEvent.ObjectType.LOKET_DATA,
            details={
                "channel": channel,
                "format_version": FORMAT_VERSION,
                "records": summary.records,
            },
            at=now,
        )
    return out, summary
