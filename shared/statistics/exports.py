"""Figures as CSV and XLSX, one row per period and municipality (Opgroeien's template)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from shared.statistics.selectors import Period, Scope, figures_compute

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


def export_csv(*, scope: Scope, periods: list[Period]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(export_header())
    writer.writerows(export_rows(scope=scope, periods=periods))
    return out.getvalue()


def export_xlsx(*, scope: Scope, periods: list[Period]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    sheet.append(export_header())
    for row in export_rows(scope=scope, periods=periods):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
