"""Celery for production: a beat schedule that runs the background jobs of every loket.

Only used when ``CELERY_BROKER_URL`` is set (Redis, e.g. ``redis://127.0.0.1:6379/0``):

    celery -A opvangloket.celery worker --concurrency 2
    celery -A opvangloket.celery beat

Without it there is no Celery at all: run ``manage.py run_jobs`` from cron (or
``--every SECONDS``). Beat fans out one task per loket, which takes the loket's schema
name and sets the tenant itself (``shared.jobs.tasks``); the runner decides what is due
from the recorded runs, so a tick too many does no harm, and jobs are idempotent.
"""

from __future__ import annotations

import os

from celery import Celery
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opvangloket.settings")

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if not BROKER_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL is not set: run `manage.py run_jobs` instead.")

# How often beat asks every loket to run its due jobs.
TICK_SECONDS = int(os.environ.get("OPVANGLOKET_JOBS_TICK", "600"))

app = Celery("opvangloket", broker=BROKER_URL)
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # A job is acknowledged once done: a worker lost mid-job has it run again (idempotent).
    # A killed worker process hands its task back at once; a whole worker host lost has
    # Redis give it to another worker after the visibility timeout (longer than any job).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    broker_transport_options={
        "visibility_timeout": int(os.environ.get("OPVANGLOKET_CELERY_VISIBILITY_TIMEOUT", "3600"))
    },
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    timezone="Europe/Brussels",
    beat_schedule={
        "run-due-jobs": {"task": "opvangloket.jobs.dispatch", "schedule": TICK_SECONDS},
    },
)


@app.task(name="opvangloket.jobs.dispatch")
def dispatch_jobs() -> int:
    """One task for the platform's jobs and one per loket; returns how many lokets."""
    from shared.jobs.tasks import loket_schemas

    run_platform_jobs.delay()
    schemas = loket_schemas()
    for schema_name in schemas:
        run_loket_jobs.delay(schema_name)
    return len(schemas)


@app.task(name="opvangloket.jobs.run_loket")
def run_loket_jobs(schema_name: str, now: str | None = None, jobs: list[str] | None = None) -> dict:
    from shared.jobs import tasks

    return tasks.run_loket_jobs(schema_name, now=now, jobs=jobs)


@app.task(name="opvangloket.jobs.run_platform")
def run_platform_jobs(now: str | None = None) -> dict:
    from shared.jobs import tasks

    return tasks.run_platform_jobs(now=now)
