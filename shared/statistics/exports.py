"""Figures as CSV and XLSX, one row per period and municipality (Opgroeien's template).

For a region, the figures per loket (``selectors.figures_per_loket``) are a table too: one
row per period and loket, then the region's total; a CSV of their own (``table="lokets"``)
and a third sheet in the XLSX.

"Why no offer" (``answers.why_no_offer``) is its own table: one row per period,
municipality of the location, kind of care and reason; a CSV of its own
(``table="why_no_offer"``) and a second sheet in the XLSX.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from opvangloket.downloads import csv_text
from shared.lokets.models import Region
from shared.statistics.answers import why_no_offer_table
from shared.statistics.selectors import Period, Scope, figures_compute, figures_per_loket

TABLES = ("figures", "why_no_offer", "lokets")
# What each CSV is called (``<what>-<whose>-<first>-<last>.csv``); the XLSX holds them all.
FILE_NAMES = {
    "figures": "cijfers",
    "why_no_offer": "waarom-geen-aanbod",
    "lokets": "cijfers-per-loket",
}

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


# The per-loket breakdown's figures, in the columns' order.
LOKET_FIELDS = (
    "unique_requests",
    "unique_without_offer",
    "waiting",
    "placements",
    "priority",
    "requests",
    "lapsed",
    "withdrawn",
    "licensed_places",
    "free_places",
)


def per_loket_table(*, scope: Scope, periods: list[Period]) -> tuple[list[str], list[list]]:
    """Per period, one row per loket of the region and then the region's total, where each
    child counts once (a child registered in two lokets counts in both of their rows)."""
    header = [
        _("period"),
        _("loket"),
        _("unique requests"),
        _("unique requests without offer"),
        _("children waiting"),
        _("placements"),
        _("children in a priority group"),
        _("requests"),
        _("lapsed"),
        _("withdrawn"),
        _("licensed places"),
        _("free places"),
    ]
    region = Region.objects.get(pk=scope.region_id)
    table = []
    total_label = _("%(region)s: total, each child once") % {"region": region.name}
    for period in periods:
        for row in figures_per_loket(region=region, period=period):
            table.append([period.label, row["name"], *(row[field] for field in LOKET_FIELDS)])
        totals = figures_compute(scope=scope, period=period)["totals"]
        table.append([period.label, total_label, *(totals[field] for field in LOKET_FIELDS)])
    return header, table


def export_csv(*, scope: Scope, periods: list[Period], table: str = "figures") -> str:
    """``table``: ``"figures"`` (Opgroeien's columns), ``"why_no_offer"`` or, for a region,
    ``"lokets"`` (per loket and the region's total)."""
    if table == "why_no_offer":
        header, rows = why_no_offer_table(scope=scope, periods=periods)
    elif table == "lokets":
        header, rows = per_loket_table(scope=scope, periods=periods)
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
    if scope.region_id is not None:
        header, rows = per_loket_table(scope=scope, periods=periods)
        lokets = workbook.create_sheet(_("Per loket")[:31])
        lokets.append(header)
        for row in rows:
            lokets.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
