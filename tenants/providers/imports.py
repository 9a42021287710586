"""Importing a loket's locations from a CSV or XLSX file: every row or none, with a report per row.

The columns are documented in ``docs/operations.md`` ("Importing locations"). Each row
is checked by the same forms as the pages (``OrganizerForm``, ``LocationForm``) and saved
by the same services, so the catalogue is written in the import's one transaction. A row with an
``external_id`` (the other system's stable id, kept in ``tenants.onboarding``) that was
imported before is left alone, so a second run of the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opvangloket.bulk_writes import analyze_models
from opvangloket.forms import service_error_messages
from opvangloket.text import fold
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import CareKind, Tariff
from shared.geography.models import Municipality
from shared.lokets.models import Loket
from shared.lokets.selectors import current_loket
from tenants.onboarding.files import TableError, is_xlsx, xlsx_table
from tenants.onboarding.models import ExternalRecord, ImportKind
from tenants.providers.forms import LOCATION_FORM_FIELDS, LocationForm, OrganizerForm
from tenants.providers.models import Location, Organizer
from tenants.providers.selectors import working_area
from tenants.providers.services import (
    location_address_check,
    location_create,
    organizer_create,
)

MAX_ROWS = 2000
NUL = "\x00"


@dataclass(frozen=True)
class Column:
    """A CSV column: its English name, the Dutch name the example file uses, its form fields."""

    name: str
    dutch: str
    fields: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column("organizer", "organisator", ("organizer_name",), required=True),
    Column("company_number", "ondernemingsnummer", ("company_number",)),
    Column("name", "naam", ("name",), required=True),
    Column("kind", "soort", ("kind",), required=True),
    Column("dossier_number", "dossiernummer", ("dossier_number",)),
    Column("street", "straat", ("street",), required=True),
    Column("postcode", "postcode", ("postcode",), required=True),
    Column("place", "plaats", ("place",), required=True),
    Column("nis_code", "nis_code", ("municipality",), required=True),
    Column("capacity", "capaciteit", ("licensed_capacity",), required=True),
    Column("ages", "leeftijd", ("age_min_months", "age_max_months"), required=True),
    Column("opening_days", "openingsdagen", ("opening_days",)),
    Column("hours", "uren", ("opens_at", "closes_at")),
    Column("tariff", "tarief", ("tariff",), required=True),
    Column("daily_price", "dagprijs", ("daily_price",)),
    Column("languages", "talen", ("languages",)),
    Column("inclusive", "inclusief", ("is_inclusive",)),
    Column("phone", "telefoon", ("phone",)),
    Column("email", "e-mail", ("email",)),
    Column("published", "gepubliceerd", ("is_published",)),
    # The other system's stable id: a second import of the same row changes nothing.
    Column("external_id", "extern_id", ("external_id",)),
)

KIND_WORDS = {
    CareKind.GROUP: ("group", "groepsopvang", "kinderdagverblijf"),
    CareKind.FAMILY: ("family", "gezinsopvang", "onthaalouder"),
    CareKind.OUT_OF_SCHOOL: ("out_of_school", "buitenschoolse opvang", "bko", "ibo"),
}
TARIFF_WORDS = {
    Tariff.INCOME_RELATED: ("income_related", "inkomenstarief", "ikt"),
    Tariff.FREE_PRICE: ("free_price", "vrije prijs"),
}
DAY_WORDS = {
    1: ("1", "ma", "maandag", "mo", "monday"),
    2: ("2", "di", "dinsdag", "tu", "tuesday"),
    3: ("3", "wo", "woensdag", "we", "wednesday"),
    4: ("4", "do", "donderdag", "th", "thursday"),
    5: ("5", "vr", "vrijdag", "fr", "friday"),
    6: ("6", "za", "zaterdag", "sa", "saturday"),
    7: ("7", "zo", "zondag", "su", "sunday"),
}
YES = {"ja", "j", "yes", "y", "1", "true", "waar", "x"}
NO = {"nee", "n", "no", "0", "false", "onwaar", ""}

_KINDS = {fold(word): kind for kind, words in KIND_WORDS.items() for word in words}
_TARIFFS = {fold(word): tariff for tariff, words in TARIFF_WORDS.items() for word in words}
_DAYS = {word: day for day, words in DAY_WORDS.items() for word in words}
_RANGE = re.compile(r"^\s*(\d{1,3})\s*[-–]\s*(\d{1,3})\s*$")
_TIME = r"(\d{1,2})[:.hu](\d{2})"
_HOURS = re.compile(rf"^\s*{_TIME}\s*[-–]\s*{_TIME}\s*$")


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong, where: the file's row number (the header is row 1) and its column."""

    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    locations_created: int = 0
    organizers_created: int = 0
    unchanged: int = 0  # rows whose external id was imported before
    dry_run: bool = False
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def imported(self) -> bool:
        return self.is_valid and not self.dry_run and self.locations_created > 0


class _Invalid(Exception):
    """A cell that cannot be read; its message goes into the report."""


class _RollBack(Exception):
    pass


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # column name → cell text
    organizer_key: str = ""
    organizer_name: str = ""
    company_number: str = ""
    location_fields: dict[str, Any] = field(default_factory=dict)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page.
        return data.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _parse_kind(value: str) -> str:
    if fold(value) in _KINDS:
        return _KINDS[fold(value)]
    raise _Invalid(_("Unknown kind of care; use group, family or out_of_school."))


def _parse_tariff(value: str) -> str:
    if fold(value) in _TARIFFS:
        return _TARIFFS[fold(value)]
    raise _Invalid(_("Unknown tariff; use income_related or free_price."))


def _parse_ages(value: str) -> tuple[str, str]:
    match = _RANGE.match(value)
    if not match:
        raise _Invalid(_("Write the ages in months as youngest-oldest, e.g. 0-36."))
    return match.group(1), match.group(2)


def _day(token: str) -> int:
    day = _DAYS.get(token.strip().lower())
    if day is None:
        raise _Invalid(
            _("%(day)s is not a day; write e.g. ma,di,wo,do,vr or 1-5.") % {"day": token}
        )
    return day


def _parse_days(value: str) -> list[str]:
    days: set[int] = set()
    for part in re.split(r"[,\s/]+", value.strip()):
        if not part:
            continue
        if "-" in part or "–" in part:
            first, _sep, last = part.replace("–", "-").partition("-")
            start, end = _day(first), _day(last)
            if start > end:
                raise _Invalid(_("%(days)s is not an ascending range of days.") % {"days": part})
            days.update(range(start, end + 1))
        else:
            days.add(_day(part))
    return [str(day) for day in sorted(days)]


def _parse_hours(value: str) -> tuple[str, str]:
    match = _HOURS.match(value)
    if not match:
        raise _Invalid(_("Write the hours as opening-closing time, e.g. 07:00-18:30."))
    opens_h, opens_m, closes_h, closes_m = match.groups()
    return f"{int(opens_h):02d}:{opens_m}", f"{int(closes_h):02d}:{closes_m}"


def _parse_yes_no(value: str) -> bool:
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise _Invalid(_("Write yes or no (ja or nee)."))


def _parse_languages(value: str) -> list[str]:
    return [code.lower() for code in re.split(r"[,\s/]+", value.strip()) if code]


def _parse_price(value: str) -> str:
    return value.replace("€", "").replace("EUR", "").strip().replace(",", ".")


class _Importer:
    def __init__(self, *, loket: Loket, dry_run: bool, renames: dict[str, str] | None = None):
        self.loket = loket
        self.renames = renames or {}
        self.known_external_ids = set(
            ExternalRecord.objects.filter(kind=ImportKind.LOCATIONS).values_list(
                "external_id", flat=True
            )
        )
        self.report = ImportReport(dry_run=dry_run)
        self.municipalities = {
            municipality.nis_code: municipality for municipality in Municipality.objects.all()
        }
        self.headers: dict[str, str] = {}  # column name → header text as written in the file
        self.organizers_by_number: dict[str, Organizer] = {}
        self.organizers_by_name: dict[str, Organizer] = {}
        for organizer in Organizer.objects.all():
            if organizer.company_number:
                self.organizers_by_number[_digits(organizer.company_number)] = organizer
            self.organizers_by_name.setdefault(fold(organizer.name), organizer)

    # --- reporting ----------------------------------------------------------------------
    def problem(self, row: int, column: str, message: str) -> None:
        self.report.problems.append(ImportProblem(row=row, field=column, message=str(message)))

    def header_of(self, column: str) -> str:
        return self.headers.get(column, column)

    # --- the header ---------------------------------------------------------------------
    def read_header(self, header: list[str]) -> list[str | None]:
        """Column names in file order (None for a column that is not ours)."""
        by_fold = {}
        for column in COLUMNS:
            by_fold[fold(column.name)] = column.name
            by_fold[fold(column.dutch)] = column.name
        for theirs, ours in self.renames.items():
            by_fold[fold(theirs)] = ours
        names: list[str | None] = []
        for text in header:
            name = by_fold.get(fold(text))
            if name == "":  # a mapping file's column that is not imported
                names.append(None)
                continue
            if name is None:
                if text.strip():
                    self.problem(1, text.strip(), _("Unknown column."))
            elif name in self.headers:
                self.problem(1, text.strip(), _("This column appears twice."))
                name = None
            else:
                self.headers[name] = text.strip()
            names.append(name)
        uses_dutch = any(
            fold(self.headers[column.name]) == fold(column.dutch) != fold(column.name)
            for column in COLUMNS
            if column.name in self.headers
        )
        for column in COLUMNS:
            if column.required and column.name not in self.headers:
                self.problem(
                    1,
                    column.dutch if uses_dutch else column.name,
                    _("This column is missing."),
                )
        return names

    # --- one row ------------------------------------------------------------------------
    def read_row(self, row: _Row) -> None:
        cells = row.cells
        errors: dict[str, list[str]] = {}

        def parse(column: str, parser: Callable[[str], Any]) -> Any:
            try:
                return parser(cells.get(column, ""))
            except _Invalid as error:
                errors.setdefault(column, []).append(str(error))
                return None

        data: dict[str, Any] = {
            name: cells.get(name, "")
            for name in ("name", "dossier_number", "street", "postcode", "place", "phone", "email")
        }
        data["licensed_capacity"] = cells.get("capacity", "")
        if cells.get("kind", "").strip():
            data["kind"] = parse("kind", _parse_kind)
        if cells.get("tariff", "").strip():
            data["tariff"] = parse("tariff", _parse_tariff)
        if cells.get("ages", "").strip():
            ages = parse("ages", _parse_ages)
            if ages:
                data["age_min_months"], data["age_max_months"] = ages
        data["opening_days"] = parse("opening_days", _parse_days) or []
        if cells.get("hours", "").strip():
            hours = parse("hours", _parse_hours)
            if hours:
                data["opens_at"], data["closes_at"] = hours
        data["daily_price"] = _parse_price(cells.get("daily_price", ""))
        data["languages"] = _parse_languages(cells.get("languages", ""))
        data["is_inclusive"] = parse("inclusive", _parse_yes_no) or False
        data["is_published"] = parse("published", _parse_yes_no) or False
        nis_code = cells.get("nis_code", "").strip()
        municipality = self.municipalities.get(nis_code) if nis_code else None
        if municipality is not None:
            data["municipality"] = municipality.pk
        elif nis_code:
            errors.setdefault("nis_code", []).append(
                _("Unknown NIS code %(nis)s.") % {"nis": nis_code}
            )
        try:
            # The services' rule, checked here already so that every row is reported.
            location_address_check(
                loket=self.loket, municipality=municipality, postcode=data["postcode"]
            )
        except ValidationError as error:
            self._add_form_errors(errors, service_error_messages(error))

        form = LocationForm(
            data=data,
            loket=self.loket,
            # The order of the priority groups is not in the file: an import keeps it.
            editable=tuple(
                name for name in LOCATION_FORM_FIELDS if name not in {"organizer", "priority_order"}
            ),
        )
        if form.is_valid():
            row.location_fields = dict(form.cleaned_data)
        self._add_form_errors(errors, form.errors)

        row.organizer_name = cells.get("organizer", "").strip()
        row.company_number = cells.get("company_number", "").strip()
        existing = self.existing_organizer(row)
        if existing is None:
            organizer_form = OrganizerForm(
                data={"name": row.organizer_name, "company_number": row.company_number}
            )
            organizer_errors = dict(organizer_form.errors)
            if "name" in organizer_errors:
                organizer_errors["organizer_name"] = organizer_errors.pop("name")
            for name in ("email", "phone", "website"):
                organizer_errors.pop(name, None)
            self._add_form_errors(errors, organizer_errors)
        row.organizer_key = (
            _digits(row.company_number) if row.company_number else fold(row.organizer_name)
        )
        for column, messages in errors.items():
            for message in messages:
                self.problem(row.number, self.header_of(column) if column else "", message)

    def _add_form_errors(self, errors: dict[str, list[str]], form_errors: dict) -> None:
        """Form errors under their CSV column, unless that cell already could not be read."""
        already = set(errors)
        for form_field, messages in form_errors.items():
            column = _column_of(form_field)
            if column in already:
                continue
            errors.setdefault(column, []).extend(str(message) for message in messages)

    def existing_organizer(self, row: _Row) -> Organizer | None:
        if row.company_number:
            return self.organizers_by_number.get(_digits(row.company_number))
        return self.organizers_by_name.get(fold(row.organizer_name))

    # --- duplicates ---------------------------------------------------------------------
    def check_duplicates(self, rows: list[_Row]) -> None:
        """One location per dossier number (or, without one, per name and postcode)."""
        existing_dossiers = set(
            Location.objects.exclude(dossier_number="").values_list("dossier_number", flat=True)
        )
        existing_names = {
            (fold(name), postcode)
            for name, postcode in Location.objects.values_list("name", "postcode")
        }
        seen_dossiers: dict[str, int] = {}
        seen_names: dict[tuple[str, str], int] = {}
        seen_ids: dict[str, int] = {}
        for row in rows:
            external_id = row.cells.get("external_id", "")
            if external_id in seen_ids:
                self.problem(
                    row.number,
                    self.header_of("external_id"),
                    _("The id %(id)s is also on row %(row)s.")
                    % {"id": external_id, "row": seen_ids[external_id]},
                )
            elif external_id:
                seen_ids[external_id] = row.number
            dossier = row.cells.get("dossier_number", "")
            name_key = (fold(row.cells.get("name", "")), row.cells.get("postcode", ""))
            if dossier:
                column, message = "dossier_number", None
                if dossier in seen_dossiers:
                    message = _("Dossier number %(number)s is also on row %(row)s.") % {
                        "number": dossier,
                        "row": seen_dossiers[dossier],
                    }
                elif dossier in existing_dossiers:
                    message = _("A location with dossier number %(number)s already exists.") % {
                        "number": dossier
                    }
                seen_dossiers.setdefault(dossier, row.number)
            elif name_key[0]:
                column, message = "name", None
                if name_key in seen_names:
                    message = _("The same location is also on row %(row)s.") % {
                        "row": seen_names[name_key]
                    }
                elif name_key in existing_names:
                    message = _(
                        "A location with this name already exists at postcode %(postcode)s."
                    ) % {"postcode": name_key[1]}
                seen_names.setdefault(name_key, row.number)
            else:
                continue
            if message:
                self.problem(row.number, self.header_of(column), message)

    # --- saving -------------------------------------------------------------------------
    def save(self, rows: list[_Row]) -> None:
        """Create organizers and locations in one transaction; undo all on any error."""
        created: dict[str, Organizer] = {}
        try:
            with transaction.atomic():
                for row in rows:
                    try:
                        organizer = self.existing_organizer(row) or created.get(row.organizer_key)
                        if organizer is None:
                            organizer = organizer_create(
                                name=row.organizer_name, company_number=row.company_number
                            )
                            created[row.organizer_key] = organizer
                            self.report.organizers_created += 1
                        location = location_create(organizer=organizer, **row.location_fields)
                        self.report.locations_created += 1
                        if external_id := row.cells.get("external_id", ""):
                            ExternalRecord.objects.create(
                                kind=ImportKind.LOCATIONS,
                                external_id=external_id,
                                object_id=location.pk,
                                imported_at=timezone.now(),
                            )
                    except ValidationError as error:
                        for form_field, messages in service_error_messages(error).items():
                            for message in messages:
                                column = _column_of(form_field)
                                self.problem(
                                    row.number, self.header_of(column) if column else "", message
                                )
                        raise _RollBack from error
                if self.report.dry_run:
                    raise _RollBack
        except _RollBack:
            if not self.report.dry_run or self.report.problems:
                self.report.locations_created = self.report.organizers_created = 0
            return
        # A bulk write ends with fresh planner statistics for the tables it filled.
        analyze_models(Organizer, Location, CatalogueLocation, ExternalRecord)


def _digits(value: str) -> str:
    digits = "".join(char for char in value if char.isdigit())
    return digits.zfill(10)


def _column_of(form_field: str) -> str:
    if form_field == NON_FIELD_ERRORS:
        return ""
    for column in COLUMNS:
        if form_field in column.fields:
            return column.name
    return form_field


def _rows(reader: Any, importer: _Importer) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each row; a cell longer than the csv module reads (131,072
    characters) is reported on its line, and the reading stops there."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            importer.problem(
                reader.line_num,
                "",
                _("A cell of this row is longer than %(count)s characters.")
                % {"count": csv.field_size_limit()},
            )
            return  # the reader cannot go on past such a cell
        yield reader.line_num, cells


def _read(csv_file: IO[bytes] | IO[str] | None, text: str | None) -> str:
    if text is not None:
        return text.lstrip("\ufeff")
    if csv_file is None:
        raise TypeError("give csv_file or text")
    data = csv_file.read()
    return _decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")


def locations_import(
    *,
    csv_file: IO[bytes] | IO[str] | None = None,
    text: str | None = None,
    loket: Loket | None = None,
    dry_run: bool = False,
    renames: dict[str, str] | None = None,
) -> ImportReport:
    """Create the locations (and their new organizers) of a CSV or XLSX file in the current loket.

    ``renames`` maps another system's column names to ours (``tenants.onboarding.mappings``).

    Nothing is saved unless every row is right; the report then lists each problem as
    (row, column, message). With ``dry_run`` everything is checked, saved and rolled back,
    so the report says exactly what a real import would do.
    """
    active = current_loket()
    loket = loket or active
    if loket.pk != active.pk:
        raise RuntimeError("Import into a loket only from inside its own schema.")
    importer = _Importer(loket=loket, dry_run=dry_run, renames=renames)
    if text is None and csv_file is not None:
        data = csv_file.read()
        if isinstance(data, bytes) and is_xlsx(data):
            try:
                table = xlsx_table(data)
            except TableError as error:
                importer.problem(error.row, "", error.message)
                return importer.report
            return _import_rows(importer, iter([(1, table.header), *table.rows]))
        csv_file = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
    content = _read(csv_file, text)
    lines = content.splitlines()
    if not any(line.strip() for line in lines):
        importer.problem(1, "", _("The file is empty."))
        return importer.report
    if NUL in content:
        # PostgreSQL keeps no NUL character in text: the line is reported, nothing is read.
        line = content.count("\n", 0, content.index(NUL)) + 1
        importer.problem(line, "", _("This line contains a NUL character."))
        return importer.report
    reader = csv.reader(io.StringIO(content), delimiter=_delimiter(lines[0]))
    return _import_rows(importer, _rows(reader, importer))


def _import_rows(importer: _Importer, rows_read: Iterator[tuple[int, list[str]]]) -> ImportReport:
    """The import of the file's rows (the header first), CSV or workbook alike."""
    header = next(rows_read, None)
    if header is None:
        return importer.report
    names = importer.read_header(header[1])
    if not importer.report.is_valid and any(
        column.required and column.name not in importer.headers for column in COLUMNS
    ):
        # Every row would repeat the missing column's error: report the header alone.
        return importer.report
    rows: list[_Row] = []
    for number, cells in rows_read:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            importer.problem(
                number,
                "",
                _("At most %(count)s rows can be imported at once.") % {"count": MAX_ROWS},
            )
            break
        if len(cells) > len(names):
            importer.problem(number, "", _("This row has more cells than the header."))
        row = _Row(
            number=number,
            cells={name: cell.strip() for name, cell in zip(names, cells, strict=False) if name},
        )
        if row.cells.get("external_id", "") in importer.known_external_ids:
            importer.report.unchanged += 1  # imported before: left as it is now
            continue
        rows.append(row)
    importer.report.rows = len(rows) + importer.report.unchanged
    if not rows and importer.report.unchanged:
        return importer.report
    if not rows and importer.report.is_valid:
        importer.problem(2, "", _("The file has no rows below its header."))
    if not importer.report.is_valid and not rows:
        return importer.report
    for row in rows:
        importer.read_row(row)
    importer.check_duplicates(rows)
    if importer.report.is_valid:
        importer.save(rows)
    importer.report.problems.sort(key=lambda problem: problem.row)
    return importer.report


def example_csv(*, loket: Loket) -> str:
    """An example file with the Dutch column names and two rows in the loket's working area."""
    municipality = working_area(loket=loket).first()
    nis_code = municipality.nis_code if municipality else "24062"
    postcode = (municipality.main_postcode if municipality else "") or "3000"
    place = municipality.name_nl if municipality else "Leuven"
    rows: Iterable[list[str]] = [
        [column.dutch for column in COLUMNS],
        [
            "Vzw De Kinderkes",
            "0411.905.847",
            "Kinderdagverblijf De Kinderkes",
            "groepsopvang",
            "",
            "Dorpsstraat 1",
            postcode,
            place,
            nis_code,
            "28",
            "0-36",
            "ma,di,wo,do,vr",
            "07:00-18:30",
            "inkomenstarief",
            "",
            "nl,fr",
            "ja",
            "016 00 00 01",
            "info@dekinderkes.example",
            "ja",
            "LOC-1",
        ],
        [
            "Els Peeters",
            "",
            "Onthaalouder Els",
            "gezinsopvang",
            "",
            "Kerkstraat 5",
            postcode,
            place,
            nis_code,
            "8",
            "0-36",
            "1-4",
            "7:30-18:00",
            "vrije prijs",
            "32,50",
            "nl",
            "nee",
            "",
            "",
            "nee",
            "LOC-2",
        ],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()
