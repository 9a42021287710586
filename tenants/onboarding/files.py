"""Reading an uploaded table: CSV (any of ``;``, ``,`` or tab) or an Excel workbook (XLSX).

Both become the same thing, a :class:`Table` of text cells with the row numbers a person
sees in a spreadsheet (the header is row 1), so that every importer checks one shape.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
NUL = "\x00"


class TableError(ValueError):
    """The file cannot be read as a table at all (row, message)."""

    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)


def is_xlsx(data: bytes) -> bool:
    return data[:4] == XLSX_MAGIC


def decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page.
        return data.decode("cp1252", errors="replace")


def _cell_text(value: object) -> str:
    """A workbook cell as the text a person reads in it (dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def xlsx_table(data: bytes) -> Table:
    """The first sheet of a workbook; cells read as values, never as formulas."""
    from openpyxl import load_workbook  # only when a workbook is uploaded

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise TableError(1, _("This is not an Excel workbook (XLSX) that can be read.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows_read = sheet.iter_rows(values_only=True)
        header_row = next(rows_read, None)
        if header_row is None:
            raise TableError(1, _("The file is empty."))
        header = [_cell_text(value) for value in header_row]
        while header and not header[-1]:
            header.pop()
        table = Table(header=header)
        for number, values in enumerate(rows_read, start=2):
            cells = [_cell_text(value) for value in values]
            if any(NUL in cell for cell in cells):
                raise TableError(number, _("This line contains a NUL character."))
            table.rows.append((number, cells))
        return table
    finally:
        workbook.close()


def csv_table(text: str) -> Table:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise TableError(1, _("The file is empty."))
    if NUL in text:
        line = text.count("\n", 0, text.index(NUL)) + 1
        raise TableError(line, _("This line contains a NUL character."))
    counts = {delimiter: lines[0].count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    reader = csv.reader(io.StringIO(text), delimiter=best if counts[best] else ",")
    table: Table | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise TableError(
                reader.line_num,
                _("A cell of this row is longer than %(count)s characters.")
                % {"count": csv.field_size_limit()},
            ) from error
        if table is None:
            table = Table(header=[cell.strip() for cell in cells])
        else:
            table.rows.append((reader.line_num, [cell.strip() for cell in cells]))
    if table is None:
        raise TableError(1, _("The file is empty."))
    return table


def read_table(data: bytes) -> Table:
    """A CSV file or an XLSX workbook, told apart by its first bytes."""
    return xlsx_table(data) if is_xlsx(data) else csv_table(decode_csv(data))
