"""Background jobs of planning clients, in the loket's schema: expired tokens are deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.jobs.registry import loket_job
from shared.lokets.models import Loket
from tenants.planning_clients.services import tokens_clear_expired


@loket_job("planning_clients.clear_expired_tokens", every=timedelta(days=1))
def clear_expired_tokens(*, loket: Loket, now: datetime) -> dict:
    """Expired tokens are refused anyway; this keeps the table small. Idempotent."""
    return {"deleted": tokens_clear_expired(now=now)}
