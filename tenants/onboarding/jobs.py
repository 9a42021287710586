"""The background job that runs queued imports (thin wrapper over the service)."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.jobs.registry import loket_job
from shared.lokets.models import Loket
from tenants.onboarding.services import JOB_NAME, imports_run_pending


@loket_job(JOB_NAME, every=timedelta(minutes=1))
def imports_job(*, loket: Loket, now: datetime) -> dict:
    """Idempotent: a run that finished is never run again; an empty queue does nothing."""
    return {"imports": imports_run_pending(loket=loket)}
