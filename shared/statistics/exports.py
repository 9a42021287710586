"""Figures as CSV and XLSX, one row per period and municipality (Opgroeien's template).

"Why no offer" (``answers.why_no_offer``) is its own table: one row per period,
municipality of the location, kind of care and reason; a CSV of its own
(``table="why_no_offer"``) and a second sheet in the XLSX.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from opvangloket.downloads import csv_text
from shared.statistics.answers import why_no_offer_table
from shared.statistics.selectors import Period, Scope, figures_compute

TABLES = ("figures", "why_no_offer")

FIELDS = (
    "unique_requests",
    "unique_without_offer",
    "waiting",
    "placements",
    "lapsed",
    "withdrawn",
)


def export_header() -> list[str]:
    return [
        _("period"),
        _("municipality NIS code"),
        _("municipality"),
        _("unique requests"),
        _("unique requests without offer"),
        _("children waiting"),
        _("placements"),
        _("lapsed"),
        _("withdrawn"),
    ]


def export_rows(*, scope: Scope, periods: list[Period]) -> list[list]:
    rows = []
    for period in periods:
        figures = figures_compute(scope=scope, period=period)
        for row in figures["municipalities"]:
            if not row["unique_requests"]:
                continue  # a municipality with supply but no request in this period
            rows.append(
                [period.label, row["nis_code"], row["name"], *(row[field] for field in FIELDS)]
            )
    return rows


def export_csv(*, scope: Scope, periods: list[Period], table: str = "figures") -> str:
    """``table``: ``"figures"`` (Opgroeien's columns) or ``"why_no_offer"``."""
    if table == "why_no_offer":
        header, rows = why_no_offer_table(scope=scope, periods=periods)
    else:
        header, rows = export_header(), export_rows(scope=scope, periods=periods)
    return csv_text(header, rows)


def export_xlsx(*, scope: Scope, periods: list[Period]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    sheet.append(export_header())
    for row in export_rows(scope=scope, periods=periods):
        sheet.append(row)
    header, rows = why_no_offer_table(scope=scope, periods=periods)
    reasons = workbook.create_sheet(_("Why no offer")[:31])
    reasons.append(header)
    for row in rows:
        reasons.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
