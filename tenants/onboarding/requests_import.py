"""Importing a loket's waiting list from another system: every request or none.

Each row is one child's request with its ranked choices, its family and its **original
moment of registration**: the legal order of the waiting lists follows it, so the
request is registered as of that moment (``request_submit(now=registered_at)``, the
rules of that day). Rows are checked by the same service as the desk's registration
(``request_data_errors``) and saved by it (``request_submit``), so the registry
recognises children it knows already (linked, not duplicated) and figures count each
child once. A second run of the same file changes nothing: each row's stable
``external_id`` is kept (``ExternalRecord``) and a row seen before is left alone.
The columns are documented in ``docs/operations.md`` ("Importing a waiting list").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opvangloket.bulk_writes import analyze_models
from opvangloket.forms import service_error_messages
from opvangloket.text import fold
from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import DAY_PARTS
from shared.geography.models import Municipality, Postcode
from shared.lokets.models import Loket
from shared.registry.models import Child, PossibleDuplicate, RegistryEntry
from tenants.onboarding.columns import (
    Column,
    Header,
    Invalid,
    Problem,
    parse_date,
    parse_moment,
    parse_yes_no,
    read_header,
    split_list,
)
from tenants.onboarding.files import Table
from tenants.onboarding.models import ExternalRecord, ImportKind
from tenants.providers.models import Location
from tenants.requests.models import ChildcareRequest, Priority, RequestChoice, RequestEvent
from tenants.requests.rules import confirmation_due
from tenants.requests.services import RequestData, request_data_errors, request_submit

MAX_ROWS = 5000
Progress = Callable[[int, int], None]

COLUMNS = (
    Column("external_id", "extern_id", required=True),
    Column("registered_at", "ingeschreven_op", required=True),
    Column("child_first_name", "voornaam_kind"),
    Column("child_last_name", "achternaam_kind", required=True),
    Column("birth_date", "geboortedatum", required=True),
    Column("expected_birth", "verwachte_geboorte"),
    Column("national_number", "rijksregisternummer"),
    Column("parent_1_name", "ouder_1_naam"),
    Column("parent_1_email", "ouder_1_email"),
    Column("parent_1_phone", "ouder_1_telefoon"),
    Column("parent_2_name", "ouder_2_naam"),
    Column("parent_2_email", "ouder_2_email"),
    Column("parent_2_phone", "ouder_2_telefoon"),
    Column("street", "straat", required=True),
    Column("postcode", "postcode", required=True),
    Column("nis_code", "nis_code"),
    Column("language", "taal"),
    Column("desired_start", "gewenste_start", required=True),
    Column("care_plan", "opvangplan", required=True),
    Column("choices", "keuzes", required=True),
    Column("priorities", "voorrang"),
    Column("flexible", "flexibel"),
    Column("remarks", "opmerkingen"),
)
# Which column a service's error on a field of RequestData belongs to.
FIELD_COLUMNS = {
    "child_first_name": "child_first_name",
    "child_last_name": "child_last_name",
    "child_birth_date": "birth_date",
    "national_number": "national_number",
    "street": "street",
    "postcode": "postcode",
    "desired_start": "desired_start",
    "care_plan": "care_plan",
    "choices": "choices",
    "priorities": "priorities",
    "consent": "",
    "expected_children": "",
    "child_id": "",
}

DAY_WORDS = {
    "mon": ("ma", "maandag", "mo", "monday", "lu", "lundi", "1"),
    "tue": ("di", "dinsdag", "tu", "tuesday", "ma", "mardi", "2"),
    "wed": ("wo", "woensdag", "we", "wednesday", "me", "mercredi", "3"),
    "thu": ("do", "donderdag", "th", "thursday", "je", "jeudi", "4"),
    "fri": ("vr", "vrijdag", "fr", "friday", "ve", "vendredi", "5"),
}
# Dutch first: "ma" is maandag (the French "ma" for mardi is not read).
_DAYS: dict[str, str] = {}
for _code, _words in DAY_WORDS.items():
    for _word in _words:
        _DAYS.setdefault(_word, _code)
HALF_WORDS = {"am": ("vm", "voormiddag", "am", "morning"), "pm": ("nm", "namiddag", "pm")}
_HALVES = {word: code for code, words in HALF_WORDS.items() for word in words}
PRIORITY_WORDS = {
    Priority.WORK_OR_TRAINING: ("work_or_training", "werk", "werk of opleiding", "arbeid"),
    Priority.SIBLING: ("sibling", "broer of zus", "broer_zus", "broer/zus", "zus", "broer"),
    Priority.FOSTER_CHILD: ("foster_child", "pleegkind"),
}
_PRIORITIES = {fold(word): code for code, words in PRIORITY_WORDS.items() for word in words}
LANGUAGES = {"nl", "fr", "en", "de"}


@dataclass
class RequestsReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    linked_children: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "linked_children": self.linked_children,
            "dry_run": self.dry_run,
            "problems": [problem.as_dict() for problem in self.problems],
        }


@dataclass
class _Row:
    number: int
    external_id: str
    registered_at: datetime | None
    data: RequestData | None


class _RollBack(Exception):
    pass


def parse_care_plan(value: str) -> list[str]:
    """``ma,di,wo`` (whole days), ``ma-vm,di-nm`` (half days) or our codes ``mon_am``."""
    plan: list[str] = []
    for token in split_list(value):
        word = token.strip().lower()
        if word in DAY_PARTS:
            plan.append(word)
            continue
        day_word, half_word = ([*re.split(r"[-_ ]", word, maxsplit=1), ""])[:2]
        day = _DAYS.get(day_word) if day_word else None
        if day is None:
            raise Invalid(
                _("%(day)s is not a day of the week; write e.g. ma,di,wo or ma-vm,di-nm.")
                % {"day": token}
            )
        if not half_word:
            plan += [f"{day}_am", f"{day}_pm"]
        elif half_word in _HALVES:
            plan.append(f"{day}_{_HALVES[half_word]}")
        else:
            raise Invalid(_("Write a half day as vm or nm, e.g. ma-vm."))
    return plan


def parse_priorities(value: str) -> list[str]:
    found = []
    for token in split_list(value):
        code = _PRIORITIES.get(fold(token))
        if code is None:
            raise Invalid(
                _("Unknown priority %(word)s; use werk, broer of zus or pleegkind.")
                % {"word": token}
            )
        found.append(str(code))
    return list(dict.fromkeys(found))


class _Importer:
    def __init__(self, *, loket: Loket, staff: User, dry_run: bool, progress: Progress | None):
        self.loket = loket
        self.staff = staff
        self.report = RequestsReport(dry_run=dry_run)
        self.progress = progress or (lambda done, total: None)
        self.header = Header(names=[])
        self.municipalities = {
            municipality.nis_code: municipality for municipality in Municipality.objects.all()
        }
        self.postcode_municipality = {
            code: municipality_id
            for code, municipality_id in Postcode.objects.filter(municipality__isnull=False)
            .order_by("code", "id")
            .values_list("code", "municipality_id")
            .distinct("code")
        }
        self.known = set(
            ExternalRecord.objects.filter(kind=ImportKind.REQUESTS).values_list(
                "external_id", flat=True
            )
        )
        catalogue = {
            entry.location_id: entry
            for entry in CatalogueLocation.objects.filter(loket=loket).select_related("loket")
        }
        self.locations: dict[str, CatalogueLocation] = {}
        for location_id, dossier in Location.objects.values_list("pk", "dossier_number"):
            if location_id in catalogue:
                self.locations[str(location_id)] = catalogue[location_id]
                if dossier:
                    self.locations[fold(dossier)] = catalogue[location_id]
        for external_id, location_id in ExternalRecord.objects.filter(
            kind=ImportKind.LOCATIONS
        ).values_list("external_id", "object_id"):
            if location_id in catalogue:
                self.locations[fold(external_id)] = catalogue[location_id]

    def problem(self, row: int, column: str, message: str) -> None:
        self.report.problems.append(Problem(row, self.header.of(column) if column else "", message))

    def read_row(self, number: int, cells: dict[str, str]) -> _Row:
        errors: dict[str, list[str]] = {}

        def parse(column: str, parser: Callable[[str], object], default: object = None):
            text = cells.get(column, "")
            if not text.strip():
                return default
            try:
                return parser(text)
            except Invalid as error:
                errors.setdefault(column, []).append(str(error))
                return default

        external_id = cells.get("external_id", "").strip()
        if not external_id:
            errors.setdefault("external_id", []).append(
                _("Give each row the other system's stable id: a second import then skips it.")
            )
        registered_at = parse("registered_at", parse_moment)
        if registered_at is None and "registered_at" not in errors:
            errors["registered_at"] = [
                _("The moment of registration is needed: it sets the order.")
            ]
        birth_date = parse("birth_date", parse_date)
        desired_start = parse("desired_start", parse_date)
        for column, value in (("birth_date", birth_date), ("desired_start", desired_start)):
            if value is None and column not in errors:
                errors[column] = [_("This date is needed.")]
        care_plan = parse("care_plan", parse_care_plan, [])
        priorities = parse("priorities", parse_priorities, [])
        is_expected = parse("expected_birth", parse_yes_no, False)
        is_flexible = parse("flexible", parse_yes_no, False)
        choices: list[CatalogueLocation] = []
        for reference in split_list(cells.get("choices", "")):
            location = self.locations.get(fold(reference))
            if location is None:
                errors.setdefault("choices", []).append(
                    _("No location of this loket is known as %(reference)s.")
                    % {"reference": reference}
                )
            elif location not in choices:
                choices.append(location)
        residence = self._residence(cells, errors)
        language = cells.get("language", "").strip().lower() or "nl"
        if language not in LANGUAGES:
            errors.setdefault("language", []).append(_("Use a language code: nl, fr, en or de."))
        guardians = []
        for index in (1, 2):
            guardian = {
                "name": cells.get(f"parent_{index}_name", "").strip(),
                "email": cells.get(f"parent_{index}_email", "").strip().lower(),
                "phone": cells.get(f"parent_{index}_phone", "").strip(),
                "relation": "",
            }
            if guardian["name"] or guardian["email"] or guardian["phone"]:
                guardians.append(guardian)
        data = None
        if registered_at and birth_date and desired_start and residence:
            data = RequestData(
                child_first_name=cells.get("child_first_name", "").strip(),
                child_last_name=cells.get("child_last_name", "").strip(),
                child_birth_date=birth_date,
                is_expected_birth=bool(is_expected),
                national_number=cells.get("national_number", "").strip(),
                street=cells.get("street", "").strip(),
                postcode=cells.get("postcode", "").strip(),
                residence=residence,
                desired_start=desired_start,
                care_plan=list(care_plan),
                choices=choices,
                # The family consented in the other system; the loket moves its data here.
                consent=True,
                guardians=guardians,
                contact_email=guardians[0]["email"] if guardians else "",
                contact_phone=guardians[0]["phone"] if guardians else "",
                language=language,
                is_flexible=bool(is_flexible),
                priorities=list(priorities),
                remarks=cells.get("remarks", "").strip()[:2000],
            )
            if not errors.get("choices"):
                # The rules of the day it was registered: the order counts from then.
                for name, messages in request_data_errors(
                    data=data, today=timezone.localdate(registered_at)
                ).items():
                    column = FIELD_COLUMNS.get(name, name)
                    if column not in errors:
                        errors.setdefault(column, []).extend(messages)
        for column, messages in errors.items():
            for message in messages:
                self.problem(number, column, message)
        return _Row(number=number, external_id=external_id, registered_at=registered_at, data=data)

    def _residence(
        self, cells: dict[str, str], errors: dict[str, list[str]]
    ) -> Municipality | None:
        nis_code = cells.get("nis_code", "").strip()
        if nis_code:
            municipality = self.municipalities.get(nis_code)
            if municipality is None:
                errors.setdefault("nis_code", []).append(
                    _("Unknown NIS code %(nis)s.") % {"nis": nis_code}
                )
            return municipality
        postcode = cells.get("postcode", "").strip()
        municipality_id = self.postcode_municipality.get(postcode)
        if municipality_id is None:
            if postcode:
                errors.setdefault("postcode", []).append(
                    _("We do not know the postcode %(code)s.") % {"code": postcode}
                )
            return None
        return next(m for m in self.municipalities.values() if m.pk == municipality_id)

    def save(self, rows: list[_Row], *, total_steps: int, done_steps: int) -> None:
        """Register every new row in the order of registration, in one transaction."""
        import_day = timezone.localdate()
        created_ids: list[int] = []
        children_before = Child.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ordered = sorted(rows, key=lambda row: (row.registered_at, row.number))
        try:
            with transaction.atomic():
                for index, row in enumerate(ordered, start=1):
                    try:
                        entries = request_submit(
                            data=row.data,
                            parent=None,
                            now=row.registered_at,
                            registered_by=self.staff,
                            add_to_open_requests=True,
                            notify_family=False,
                        )
                    except ValidationError as error:
                        for name, messages in service_error_messages(error).items():
                            for message in messages:
                                self.problem(row.number, FIELD_COLUMNS.get(name, name), message)
                        raise _RollBack from error
                    entry = entries[0]
                    if entry.registered_at == row.registered_at:
                        created_ids.append(entry.request_id)
                        self.report.created += 1
                    if entry.child_id <= children_before:
                        self.report.linked_children += 1
                    ExternalRecord.objects.create(
                        kind=ImportKind.REQUESTS,
                        external_id=row.external_id,
                        object_id=entry.request_id,
                        imported_at=timezone.now(),
                    )
                    if index % 25 == 0 or index == len(ordered):
                        self.progress(done_steps + index, total_steps)
                # The family confirms from the import on, not from the old registration.
                ChildcareRequest.objects.filter(pk__in=created_ids).update(
                    confirmed_until=confirmation_due(loket=self.loket, today=import_day)
                )
                if self.report.dry_run:
                    raise _RollBack
        except _RollBack:
            if not self.report.dry_run or self.report.problems:
                self.report.created = self.report.linked_children = 0
            return
        analyze_models(ChildcareRequest, RequestChoice, RequestEvent, ExternalRecord)
        analyze_models(RegistryEntry, Child, PossibleDuplicate)


def requests_import(
    *,
    table: Table,
    loket: Loket,
    staff: User,
    dry_run: bool = False,
    renames: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> RequestsReport:
    """Register the waiting list of ``table`` in ``loket`` (the active schema), all or nothing.

    ``staff`` is the loket staff member who imports (the requests are registered at the
    desk by them). ``progress(done, total)`` is called while rows are checked and saved.
    """
    importer = _Importer(loket=loket, staff=staff, dry_run=dry_run, progress=progress)
    importer.header = read_header(table.header, COLUMNS, renames=renames)
    importer.report.problems.extend(importer.header.problems)
    if importer.report.problems:
        return importer.report
    rows_in = [
        (number, cells) for number, cells in table.rows if any(cell.strip() for cell in cells)
    ]
    if not rows_in:
        importer.problem(2, "", _("The file has no rows below its header."))
        return importer.report
    if len(rows_in) > MAX_ROWS:
        importer.problem(
            rows_in[MAX_ROWS][0],
            "",
            _("At most %(count)s rows can be imported at once.") % {"count": MAX_ROWS},
        )
        return importer.report
    importer.report.rows = len(rows_in)
    names = importer.header.names
    seen: dict[str, int] = {}
    new_rows: list[_Row] = []
    total = 2 * len(rows_in)
    for index, (number, cells) in enumerate(rows_in, start=1):
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
            importer.problem(number, "", _("This row has more cells than the header."))
        by_name = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        external_id = by_name.get("external_id", "").strip()
        if external_id in seen:
            importer.problem(
                number,
                "external_id",
                _("The id %(id)s is also on row %(row)s.")
                % {"id": external_id, "row": seen[external_id]},
            )
            continue
        if external_id:
            seen[external_id] = number
        if external_id in importer.known:
            importer.report.unchanged += 1
        else:
            new_rows.append(importer.read_row(number, by_name))
        if index % 50 == 0:
            importer.progress(index, total)
    importer.progress(len(rows_in), total)
    if importer.report.is_valid and new_rows:
        importer.save(new_rows, total_steps=total, done_steps=len(rows_in))
    importer.report.problems.sort(key=lambda problem: problem.row)
    importer.progress(total, total)
    return importer.report
