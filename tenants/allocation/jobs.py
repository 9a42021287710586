"""Background jobs of allocation, in the loket's schema: offers past their answer date expire."""

from __future__ import annotations

from datetime import datetime

from shared.jobs.registry import loket_job
from shared.lokets.models import Loket
from tenants.allocation.services import offers_expire_due


@loket_job("allocation.offers_expire")
def offers_expire(*, loket: Loket, now: datetime) -> dict:
    return {"expired": len(offers_expire_due(now=now))}
