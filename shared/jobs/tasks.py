"""What the Celery tasks do, as plain functions (``opvangloket/celery.py`` wraps them).

A task gets a loket's schema name, never a model instance: it looks the loket up and
sets the tenant itself, so the worker needs no tenant-aware Celery extension.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from shared.jobs.services import job_lokets, loket_jobs_run, platform_jobs_run


def _clock(now: str | None) -> datetime:
    """The job's clock: ``now`` (ISO 8601; without an offset, in Brussels time) or the real one."""
    if not now:
        return timezone.now()
    moment = datetime.fromisoformat(now)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _summary(runs) -> dict:
    return {run.job: run.status for run in runs}


def loket_schemas() -> list[str]:
    """Schema names of the lokets jobs run for: one task each."""
    return list(job_lokets().values_list("schema_name", flat=True))


def run_loket_jobs(schema_name: str, now: str | None = None, jobs: list[str] | None = None) -> dict:
    """Run the due jobs of one loket; an inactive or unknown loket is skipped."""
    loket = job_lokets().filter(schema_name=schema_name).first()
    if loket is None:
        return {}
    return _summary(loket_jobs_run(loket=loket, now=_clock(now), names=jobs))


def run_platform_jobs(now: str | None = None) -> dict:
    return _summary(platform_jobs_run(now=_clock(now)))
