"""Importing free places (per location, month and age group) from another system.

Saved by the providers' own service (``availabilities_set``), so each count becomes a
correction of the computed free places exactly as when a provider types it on the page,
and the catalogue is written once per location. A count equal to the one kept already is
left alone: a second run of the same file changes nothing. All rows or none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opvangloket.bulk_writes import analyze_models
from opvangloket.forms import service_error_messages
from opvangloket.text import fold
from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import AgeGroup
from tenants.onboarding.columns import Column, Problem, read_header
from tenants.onboarding.files import Table
from tenants.onboarding.models import ExternalRecord, ImportKind
from tenants.onboarding.requests_import import Progress, RequestsReport
from tenants.providers.models import Availability, Location
from tenants.providers.services import availabilities_set

COLUMNS = (
    Column("location", "locatie", required=True),
    Column("month", "maand", required=True),
    Column("age_group", "leeftijdsgroep", required=True),
    Column("free_places", "vrije_plaatsen", required=True),
)
AGE_WORDS = {
    AgeGroup.BABY: ("baby", "babys", "baby's", "0-18"),
    AgeGroup.TODDLER: ("toddler", "peuter", "peuters", "18-36"),
    AgeGroup.PRESCHOOL: ("preschool", "kleuter", "kleuters"),
    AgeGroup.SCHOOL: ("school", "schoolkind", "schoolkinderen"),
}
_AGES = {fold(word): code for code, words in AGE_WORDS.items() for word in words}
_MONTH = re.compile(r"^\s*(?:(\d{4})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{4}))(?:[-/.]0?1)?\s*$")


class _RollBack(Exception):
    pass


def parse_month(value: str) -> date | None:
    match = _MONTH.match(value)
    if not match:
        return None
    year, month = (
        (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    )
    if not (1 <= int(month) <= 12 and 2000 <= int(year) <= 2099):
        return None
    return date(int(year), int(month), 1)


def free_places_import(
    *,
    table: Table,
    staff: User,
    dry_run: bool = False,
    renames: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> RequestsReport:
    """Set the free places of ``table`` in the active loket's locations, all or nothing."""
    report = RequestsReport(dry_run=dry_run)
    progress = progress or (lambda done, total: None)
    header = read_header(table.header, COLUMNS, renames=renames)
    report.problems.extend(header.problems)
    if report.problems:
        return report
    locations: dict[str, Location] = {}
    for location in Location.objects.all():
        locations[str(location.pk)] = location
        if location.dossier_number:
            locations[fold(location.dossier_number)] = location
    by_pk = {location.pk: location for location in locations.values()}
    for external_id, object_id in ExternalRecord.objects.filter(
        kind=ImportKind.LOCATIONS
    ).values_list("external_id", "object_id"):
        if object_id in by_pk:
            locations[fold(external_id)] = by_pk[object_id]
    kept = {
        (row.location_id, row.month, row.age_group): row.free_places
        for row in Availability.objects.all()
    }
    wanted: dict[Location, dict[tuple[date, str], int]] = defaultdict(dict)
    rows_of: dict[int, list[int]] = defaultdict(list)
    seen: dict[tuple[int, date, str], int] = {}
    rows = [(n, cells) for n, cells in table.rows if any(cell.strip() for cell in cells)]
    report.rows = len(rows)

    def problem(row: int, column: str, message: str) -> None:
        report.problems.append(Problem(row, header.of(column) if column else "", message))

    for number, cells in rows:
        cell = {name: value for name, value in zip(header.names, cells, strict=False) if name}
        location = locations.get(fold(cell.get("location", "")))
        if location is None:
            problem(
                number,
                "location",
                _("No location of this loket is known as %(reference)s.")
                % {"reference": cell.get("location", "")},
            )
        month = parse_month(cell.get("month", ""))
        if month is None:
            problem(number, "month", _("Write the month as 2027-01 or 01/2027."))
        age_group = _AGES.get(fold(cell.get("age_group", "")))
        if age_group is None:
            problem(
                number,
                "age_group",
                _("Unknown age group; use baby, peuter, kleuter or schoolkind."),
            )
        text = cell.get("free_places", "").strip()
        count = int(text) if text.isdigit() else None
        if count is None:
            problem(number, "free_places", _("Write the number of free places, 0 or more."))
        if location is None or month is None or age_group is None or count is None:
            continue
        key = (location.pk, month, str(age_group))
        if key in seen:
            problem(
                number,
                "",
                _("The same location, month and age group are also on row %(row)s.")
                % {"row": seen[key]},
            )
            continue
        seen[key] = number
        if kept.get(key) == count:
            report.unchanged += 1
            continue
        wanted[location][(month, str(age_group))] = count
        rows_of[location.pk].append(number)
    progress(len(rows), 2 * len(rows) or 1)
    if report.problems or not wanted:
        report.problems.sort(key=lambda problem: problem.row)
        return report
    try:
        with transaction.atomic():
            for index, (location, counts) in enumerate(wanted.items(), start=1):
                try:
                    availabilities_set(location=location, free_places=counts, user=staff)
                except ValidationError as error:
                    for messages in service_error_messages(error).values():
                        for message in messages:
                            problem(rows_of[location.pk][0], "free_places", message)
                    raise _RollBack from error
                report.created += len(counts)
                progress(len(rows) + index * len(rows) // len(wanted), 2 * len(rows))
            if dry_run:
                raise _RollBack
    except _RollBack:
        if report.problems:
            report.created = 0
        return report
    analyze_models(Availability, CatalogueLocation)
    return report
