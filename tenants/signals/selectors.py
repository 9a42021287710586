"""Reading the signals of the current loket, and writing them as CSV for Opgroeien."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet

from tenants.signals.models import LocationSignal

CSV_HEADER = [
    "date",
    "location",
    "dossier_number",
    "municipality",
    "what_happened",
    "what_was_done",
    "recorded_at",
]


def loket_signals(*, location_id: int | None = None) -> QuerySet[LocationSignal]:
    signals = LocationSignal.objects.select_related("location", "location__municipality")
    if location_id:
        signals = signals.filter(location_id=location_id)
    return signals.order_by("-happened_on", "-id")


def _cell(value: str) -> str:
    # A cell starting with a formula character would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def signals_csv(*, signals) -> str:
    """Semicolon-separated, one row per signal (UTF-8 with BOM added by the view)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for signal in signals:
        writer.writerow(
            [
                signal.happened_on.isoformat(),
                _cell(signal.location_name),
                _cell(signal.location.dossier_number if signal.location else ""),
                signal.location.municipality.name_nl if signal.location else "",
                _cell(signal.what_happened),
                _cell(signal.what_was_done),
                signal.recorded_at.isoformat(timespec="minutes"),
            ]
        )
    return out.getvalue()
