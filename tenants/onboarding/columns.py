"""Columns of an import file: their English and Dutch names, and reading a header into them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from opvangloket.text import fold

YES = {"ja", "j", "yes", "y", "1", "true", "waar", "x", "oui"}
NO = {"nee", "n", "no", "0", "false", "onwaar", "", "non"}


@dataclass(frozen=True)
class Column:
    name: str  # English, used in the API and in mapping files
    dutch: str  # as in the example files
    required: bool = False


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: the file's row (the header is row 1) and its column."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class Invalid(Exception):
    """A cell that cannot be read; its message goes into the report."""


@dataclass
class Header:
    names: list[str | None]  # our column name of each cell (None: not ours)
    written: dict[str, str] = field(default_factory=dict)  # our name → as in the file
    problems: list[Problem] = field(default_factory=list)

    def of(self, column: str) -> str:
        return self.written.get(column, column)


def read_header(
    cells: list[str], columns: tuple[Column, ...], *, renames: dict[str, str] | None = None
) -> Header:
    """Our column of each header cell; unknown, repeated and missing columns are problems.

    ``renames`` (a mapping file's columns) maps another system's header to our names.
    """
    by_fold = {}
    for column in columns:
        by_fold[fold(column.name)] = column.name
        by_fold[fold(column.dutch)] = column.name
    for theirs, ours in (renames or {}).items():
        by_fold[fold(theirs)] = ours
    header = Header(names=[])
    for text in cells:
        name = by_fold.get(fold(text))
        if name == "":  # a mapping file says: their column, not needed here
            header.names.append(None)
            continue
        if name is None:
            if text.strip():
                header.problems.append(Problem(1, text.strip(), _("Unknown column.")))
        elif name in header.written:
            header.problems.append(Problem(1, text.strip(), _("This column appears twice.")))
            name = None
        else:
            header.written[name] = text.strip()
        header.names.append(name)
    for column in columns:
        if column.required and column.name not in header.written:
            header.problems.append(Problem(1, column.dutch, _("This column is missing.")))
    return header


_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.hu](\d{2})(?:[:.](\d{2}))?$")


def parse_date(value: str) -> date:
    value = value.strip()
    try:
        return (
            date.fromisoformat(value[:10]) if len(value) >= 10 and value[4] == "-" else _dmy(value)
        )
    except ValueError:
        raise Invalid(_("Write a date as 2025-03-14 or 14/03/2025.")) from None


def _dmy(value: str) -> date:
    match = _DATE.match(value)
    if not match:
        raise ValueError(value)
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


def parse_moment(value: str) -> datetime:
    """A registration moment in Belgian time: a date and a time to the minute or second."""
    value = value.strip().replace("T", " ")
    day_text, _sep, time_text = value.partition(" ")
    try:
        day = date.fromisoformat(day_text) if day_text[4:5] == "-" else _dmy(day_text)
        hour = minute = second = 0
        if time_text.strip():
            match = _TIME.match(time_text.strip())
            if not match:
                raise ValueError(time_text)
            hour, minute = int(match.group(1)), int(match.group(2))
            second = int(match.group(3) or 0)
        moment = datetime(day.year, day.month, day.day, hour, minute, second)
    except ValueError:
        raise Invalid(
            _("Write the moment of registration as 2025-03-14 09:30 or 14/03/2025 09:30:15.")
        ) from None
    return timezone.make_aware(moment)


def parse_yes_no(value: str) -> bool:
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise Invalid(_("Write yes or no (ja or nee)."))


def split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[|,;\n]+", value) if part.strip()]
