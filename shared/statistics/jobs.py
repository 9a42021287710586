"""Background jobs of the figures: the previous month's snapshot, stored once."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from shared.catalogue.vocabulary import add_months, first_of_month
from shared.jobs.registry import platform_job
from shared.statistics.services import snapshots_store


@platform_job("statistics.monthly_snapshots")
def monthly_snapshots(*, now: datetime) -> dict:
    previous = add_months(first_of_month(timezone.localdate(now)), -1)
    return {"stored": snapshots_store(month=previous)}
