"""Storing the figures of a month once, so that reports on past months stay the same."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from shared.lokets.models import Loket, Region
from shared.statistics.models import FigureSnapshot
from shared.statistics.selectors import (
    figures_compute,
    period_of_month,
    scope_all,
    scope_for_loket,
    scope_for_region,
)


def snapshots_store(*, month: date) -> int:
    """Store the figures of ``month`` for every loket, region and all lokets together.

    Idempotent: a scope that already has a snapshot of that month keeps it. Returns how
    many snapshots were made.
    """
    period = period_of_month(month)
    scopes = [scope_all()]
    scopes += [scope_for_region(region=region) for region in Region.objects.order_by("pk")]
    scopes += [
        scope_for_loket(loket=loket)
        for loket in Loket.objects.exclude(kind=Loket.Kind.AUDITOR).order_by("pk")
    ]
    done = set(FigureSnapshot.objects.filter(month=period.start).values_list("scope", flat=True))
    made = 0
    for scope in scopes:
        if scope.key in done:
            continue
        figures = figures_compute(scope=scope, period=period, supply_month=period.start)
        with transaction.atomic():
            _, created = FigureSnapshot.objects.get_or_create(
                scope=scope.key, month=period.start, defaults={"figures": figures}
            )
        made += created
    return made
