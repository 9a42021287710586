"""Running background jobs: per loket in its own schema, each run recorded as a ``JobRun``.

One loket's failure is logged (tagged with the loket) and recorded, and the runner goes
on with the next job and the next loket. The management command ``run_jobs``, the Celery
tasks and the tests all come through here.
"""

from __future__ import annotations

import logging
import traceback
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime

import sentry_sdk
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context

from shared.jobs.models import JobRun
from shared.jobs.registry import LOKET, PLATFORM, Job, job_named, registered_jobs
from shared.lokets.models import Loket

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 4000


def job_lokets(*, slugs: Iterable[str] | None = None) -> QuerySet[Loket]:
    """The lokets jobs run for: active, with requests of their own (not auditors)."""
    lokets = (
        Loket.objects.filter(is_active=True)
        .exclude(kind=Loket.Kind.AUDITOR)
        .exclude(schema_name=get_public_schema_name())
        .order_by("slug")
    )
    if slugs is not None:
        lokets = lokets.filter(slug__in=list(slugs))
    return lokets


def job_is_due(*, job: Job, loket: Loket | None, now: datetime) -> bool:
    """Due unless it succeeded for this loket within ``job.every`` before ``now``.

    A tenth of the interval is given as slack, so that a scheduler ticking every
    interval does not skip every other tick for a run that finished a little late.
    """
    since = now - job.every + job.every / 10
    return not JobRun.objects.filter(
        job=job.name,
        loket=loket,
        status=JobRun.Status.SUCCEEDED,
        ran_for__gt=since,
        ran_for__lte=now,
    ).exists()


@contextmanager
def _job_lock(*, job: Job, loket: Loket | None) -> Iterator[bool]:
    """Hold PostgreSQL's advisory lock of this job for this loket, waiting at most
    ``JOB_LOCK_WAIT_SECONDS`` for another worker to let go of it.

    A session lock: it ends with the connection, so a killed worker's lock is gone as
    soon as PostgreSQL sees its socket close (a redelivered task waits for that). Two
    workers (a beat tick too many, a slow run) never run the same job for the same loket
    at once.
    """
    keys = [zlib.crc32(job.name.encode()) - 2**31, loket.pk if loket is not None else 0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", keys)
        held = cursor.fetchone()[0]
        wait = int(settings.JOB_LOCK_WAIT_SECONDS * 1000)
        if not held and wait > 0:
            # In a caller's transaction, a savepoint keeps a timeout from breaking it.
            guard = transaction.atomic if connection.in_atomic_block else nullcontext
            try:
                with guard():
                    cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{wait}ms"])
                    cursor.execute("SELECT pg_advisory_lock(%s, %s)", keys)
                held = True
            except OperationalError:
                held = False
            finally:
                cursor.execute("RESET lock_timeout")
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", keys)


def job_run(*, job: Job, loket: Loket | None, now: datetime) -> JobRun | None:
    """Run one job once (for one loket, or for the platform) and record how it went.

    ``None`` when another worker is running this job for this loket right now. Runs
    still "running" while the lock is free were left by a worker that stopped: they are
    marked interrupted, and this run does their work (jobs are idempotent).
    """
    with _job_lock(job=job, loket=loket) as held:
        if not held:
            logger.info("background job already running", extra={"job": job.name})
            return None
        JobRun.objects.filter(job=job.name, loket=loket, status=JobRun.Status.RUNNING).update(
            status=JobRun.Status.INTERRUPTED, finished_at=timezone.now()
        )
        return _job_run_locked(job=job, loket=loket, now=now)


def _job_run_locked(*, job: Job, loket: Loket | None, now: datetime) -> JobRun:
    run = JobRun.objects.create(job=job.name, loket=loket, ran_for=now, started_at=timezone.now())
    tag = loket.slug if loket is not None else "platform"
    # Jobs commit their own work item by item (a sent e-mail must stay recorded). Only when
    # called inside a transaction (a test, a caller's atomic block) is the job kept in a
    # savepoint, so that a database error in it does not break the caller's transaction.
    guard = transaction.atomic if connection.in_atomic_block else nullcontext
    try:
        with guard():
            if loket is None:
                result = job.function(now=now)
            else:
                with tenant_context(loket):
                    result = job.function(loket=loket, now=now)
    except Exception as error:
        logger.exception("background job failed", extra={"job": job.name, "loket": tag})
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("loket", tag)
            scope.set_tag("job", job.name)
            sentry_sdk.capture_exception(error)
        run.status = JobRun.Status.FAILED
        run.error = "".join(traceback.format_exception_only(error)).strip()[:ERROR_MAX_LENGTH]
    else:
        run.status = JobRun.Status.SUCCEEDED
        run.result = result if isinstance(result, dict) else {}
        logger.info(
            "background job done", extra={"job": job.name, "loket": tag, "result": run.result}
        )
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "error", "finished_at"])
    return run


def _selected(names: Iterable[str] | None, scope: str) -> list[Job]:
    if names is None:
        return registered_jobs(scope=scope)
    return [job for job in (job_named(name) for name in names) if job.scope == scope]


def loket_jobs_run(
    *,
    loket: Loket,
    now: datetime,
    names: Iterable[str] | None = None,
    force: bool = False,
) -> list[JobRun]:
    """Run the due loket jobs (or ``names``) for one loket, in its schema."""
    names = list(names) if names is not None else None
    runs = [
        job_run(job=job, loket=loket, now=now)
        for job in _selected(names, LOKET)
        if force or job_is_due(job=job, loket=loket, now=now)
    ]
    return [run for run in runs if run is not None]


def platform_jobs_run(
    *, now: datetime, names: Iterable[str] | None = None, force: bool = False
) -> list[JobRun]:
    """Run the due platform jobs (or ``names``) once, in the public schema."""
    names = list(names) if names is not None else None
    runs = [
        job_run(job=job, loket=None, now=now)
        for job in _selected(names, PLATFORM)
        if force or job_is_due(job=job, loket=None, now=now)
    ]
    return [run for run in runs if run is not None]


def jobs_run(
    *,
    now: datetime,
    slugs: Iterable[str] | None = None,
    names: Iterable[str] | None = None,
    force: bool = False,
) -> list[JobRun]:
    """Every due job: the platform's once (unless only some lokets are asked), then per loket."""
    names = list(names) if names is not None else None
    for name in names or []:
        job_named(name)  # an unknown name is an error, not silently nothing
    runs = [] if slugs is not None else platform_jobs_run(now=now, names=names, force=force)
    for loket in job_lokets(slugs=slugs):
        runs.extend(loket_jobs_run(loket=loket, now=now, names=names, force=force))
    return runs
