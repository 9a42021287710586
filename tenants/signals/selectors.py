"""Reading the signals of the current loket, and writing them as CSV for Opgroeien."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opvangloket.downloads import csv_text
from tenants.signals.models import LocationSignal


def csv_header() -> list[str]:
    """The columns, in the reader's language."""
    return [
        _("date"),
        _("location"),
        _("dossier number"),
        _("municipality"),
        _("what happened"),
        _("what was done"),
        _("recorded at"),
    ]


def loket_signals(
    *, location_id: int | None = None, recorded_since: date | None = None
) -> QuerySet[LocationSignal]:
    """The loket's signals, newest first; ``recorded_since``: recorded that day or later."""
    signals = LocationSignal.objects.select_related("location", "location__municipality")
    if location_id:
        signals = signals.filter(location_id=location_id)
    if recorded_since:
        since = timezone.make_aware(datetime.combine(recorded_since, time.min))
        signals = signals.filter(recorded_at__gte=since)
    return signals.order_by("-happened_on", "-id")


def signals_csv(*, signals) -> str:
    """One row per signal, as every CSV download is written (``opvangloket.downloads``)."""
    return csv_text(
        csv_header(),
        (
            [
                signal.happened_on.isoformat(),
                signal.location_name,
                signal.location.dossier_number if signal.location else "",
                signal.location.municipality.name_nl if signal.location else "",
                signal.what_happened,
                signal.what_was_done,
                signal.recorded_at.isoformat(timespec="minutes"),
            ]
            for signal in signals
        ),
    )
