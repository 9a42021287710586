"""One convention for every file people download (CSV, XLSX, PDF, JSON, ZIP).

- CSV: semicolon-separated (what a spreadsheet in Belgium expects), UTF-8 with a byte
  order mark (so that Excel shows "Crèche" and not "CrÃ¨che"), headers in the reader's
  language, text that starts like a formula defused;
- a file name that says what it is, whose and when, in lower case: ``<what>-<whose>-<first
  day>-<last day>.<ext>`` for a period (``cijfers-loket-herent-20260101-20261231.csv``),
  ``<what>-<whose>-<day>.<ext>`` for what a day's download holds
  (``ontvangstbewijs-her-2026-00012-20261203.pdf``, ``export-loket-herent-20261203.zip``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from django.http import HttpResponse
from django.utils.text import slugify

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Free text as a cell: one that starts with a formula character is not run as one."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(cell) for cell in header])
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return out.getvalue()


def download_name(what: str, *, whose: str, first: date, last: date | None = None, ext: str) -> str:
    """The file name of a download of ``first``..``last`` (both included), or of the one
    day ``first`` when there is no ``last``."""
    days = f"{first:%Y%m%d}" if last is None else f"{first:%Y%m%d}-{last:%Y%m%d}"
    return f"{slugify(what)}-{slugify(whose)}-{days}.{ext}"


def download_response(content: str | bytes, *, filename: str) -> HttpResponse:
    """``content`` as an attachment: CSV text gets its byte order mark."""
    if filename.endswith(".csv"):
        response = HttpResponse(BOM + str(content), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
