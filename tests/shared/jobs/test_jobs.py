"""The job framework: registry, runner, run_jobs over every loket, and the Celery tasks."""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from shared.jobs import registry
from shared.jobs.models import JobRun
from shared.jobs.services import jobs_run
from shared.jobs.tasks import loket_schemas, run_loket_jobs

pytestmark = pytest.mark.django_db

JOB_LOKETS = ["alpha", "beta", "gamma"]  # active, not the auditor


@pytest.fixture
def schema_probe():
    """A test job that records the schema it runs in, and fails in beta."""
    seen: list[tuple[str, str]] = []

    @registry.loket_job("tests.probe")
    def probe(*, loket, now):
        seen.append((loket.slug, connection.schema_name))
        if loket.slug == "beta":
            raise RuntimeError("beta is broken")
        return {"ok": 1}

    yield seen
    registry._jobs.pop("tests.probe")


def runs_of(job: str) -> dict[str, str]:
    return {
        (run.loket.slug if run.loket_id else "platform"): run.status
        for run in JobRun.objects.filter(job=job).select_related("loket")
    }


def test_the_apps_register_their_jobs():
    names = [job.name for job in registry.registered_jobs()]
    assert {"requests.confirmation_reminders", "requests.lapse_unconfirmed"} <= set(names)
    assert "portal.purge_drafts" in names
    assert registry.job_named("portal.purge_drafts").scope == registry.PLATFORM


def test_a_second_job_by_the_same_name_is_refused():
    with pytest.raises(ImproperlyConfigured):
        registry.loket_job("requests.confirmation_reminders")(lambda *, loket, now: None)


def test_run_jobs_runs_every_loket_in_its_schema_and_one_failure_stops_no_other(
    schema_probe, caplog
):
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError, match="1 of 3"):
        call_command("run_jobs", "--job", "tests.probe", "--now", "2027-01-04T09:00")

    assert schema_probe == [("alpha", "alpha"), ("beta", "beta"), ("gamma", "gamma")]
    assert runs_of("tests.probe") == {"alpha": "succeeded", "beta": "failed", "gamma": "succeeded"}
    failed = JobRun.objects.get(job="tests.probe", status="failed")
    assert "beta is broken" in failed.error
    assert timezone.localtime(failed.ran_for).isoformat().startswith("2027-01-04T09:00")
    assert [record.loket for record in caplog.records if hasattr(record, "job")] == ["beta"]
    assert connection.schema_name == "public"


def test_run_jobs_runs_every_job_for_every_loket_and_the_platform_once(capsys):
    call_command("run_jobs", "--now", "2027-01-04T09:00")
    assert runs_of("requests.confirmation_reminders") == dict.fromkeys(JOB_LOKETS, "succeeded")
    assert runs_of("requests.lapse_unconfirmed") == dict.fromkeys(JOB_LOKETS, "succeeded")
    assert runs_of("portal.purge_drafts") == {"platform": "succeeded"}
    assert "requests.confirmation_reminders [alpha] succeeded" in capsys.readouterr().out


def test_a_job_is_not_run_again_before_it_is_due(schema_probe):
    now = timezone.now()
    jobs_run(now=now, names=["tests.probe"], slugs=["alpha"])
    jobs_run(now=now + timedelta(minutes=30), names=["tests.probe"], slugs=["alpha"])
    assert len(schema_probe) == 1
    jobs_run(now=now + timedelta(minutes=30), names=["tests.probe"], slugs=["alpha"], force=True)
    jobs_run(now=now + timedelta(hours=2), names=["tests.probe"], slugs=["alpha"])
    assert len(schema_probe) == 3
    # A failed run is due again at once.
    jobs_run(now=now, names=["tests.probe"], slugs=["beta"])
    jobs_run(now=now + timedelta(minutes=1), names=["tests.probe"], slugs=["beta"])
    assert [slug for slug, _schema in schema_probe].count("beta") == 2


def test_run_jobs_for_one_loket_and_bad_arguments(schema_probe):
    call_command("run_jobs", "--loket", "gamma", "--job", "tests.probe")
    assert schema_probe == [("gamma", "gamma")]
    with pytest.raises(CommandError, match="no background job"):
        call_command("run_jobs", "--job", "tests.nothing")
    with pytest.raises(CommandError, match="ISO"):
        call_command("run_jobs", "--now", "yesterday")


def test_an_inactive_loket_and_the_auditor_get_no_jobs(world, schema_probe):
    gamma = world.lokets["gamma"]
    gamma.is_active = False
    gamma.save(update_fields=["is_active"])
    try:
        assert loket_schemas() == ["alpha", "beta"]
        assert run_loket_jobs("gamma") == {}
        assert run_loket_jobs("audit") == {}
    finally:
        gamma.is_active = True
        gamma.save(update_fields=["is_active"])


def test_the_task_function_runs_the_lokets_jobs(schema_probe):
    result = run_loket_jobs("alpha", now="2027-01-04T09:00:00+01:00", jobs=["tests.probe"])
    assert result == {"tests.probe": "succeeded"}
    assert schema_probe == [("alpha", "alpha")]


@pytest.fixture
def celery_module(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    sys.modules.pop("opvangloket.celery", None)
    module = importlib.import_module("opvangloket.celery")
    yield module
    sys.modules.pop("opvangloket.celery", None)


def test_the_celery_tasks_call_the_runner_without_a_broker(celery_module, schema_probe):
    result = celery_module.run_loket_jobs("gamma", jobs=["tests.probe"])
    assert result == {"tests.probe": "succeeded"}
    assert schema_probe == [("gamma", "gamma")]
    assert celery_module.run_platform_jobs() == {
        "accounts.purge_sessions": "succeeded",
        "lokets.drop_merged_schemas": "succeeded",
        "mail.outbox_send": "succeeded",
        "portal.purge_drafts": "succeeded",
        "statistics.monthly_snapshots": "succeeded",
    }
    schedule = celery_module.app.conf.beat_schedule["run-due-jobs"]
    assert schedule["task"] == celery_module.dispatch_jobs.name


def test_beat_fans_out_one_task_per_loket(celery_module, monkeypatch):
    sent = []
    monkeypatch.setattr(celery_module.run_loket_jobs, "delay", sent.append)
    monkeypatch.setattr(celery_module.run_platform_jobs, "delay", lambda: sent.append("platform"))
    assert celery_module.dispatch_jobs() == 3
    assert sent == ["platform", *JOB_LOKETS]


def test_without_a_broker_there_is_no_celery(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    sys.modules.pop("opvangloket.celery", None)
    with pytest.raises(ImproperlyConfigured):
        importlib.import_module("opvangloket.celery")
    sys.modules.pop("opvangloket.celery", None)


def test_expiring_offers_is_a_loket_job(world):
    runs = jobs_run(now=timezone.now(), names=["allocation.offers_expire"], slugs=["alpha"])
    assert [(run.status, run.result) for run in runs] == [("succeeded", {"expired": 0})]


def test_a_job_another_worker_is_running_for_a_loket_is_not_run_twice(
    world, schema_probe, settings
):
    """The second worker waits a moment, then skips the job for that loket only; the lock
    ends with the first worker's connection, and the run it left "running" is then marked
    interrupted."""
    settings.JOB_LOCK_WAIT_SECONDS = 0.2
    import zlib

    import psycopg

    from tests.support.servers import test_database_url

    now = timezone.now()
    alpha = world.lokets["alpha"]
    left_running = JobRun.objects.create(
        job="tests.probe", loket=alpha, ran_for=now, started_at=now
    )
    key = zlib.crc32(b"tests.probe") - 2**31
    with psycopg.connect(test_database_url(), autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s, %s)", [key, alpha.pk])
        jobs_run(now=now, names=["tests.probe"])
        assert [slug for slug, _ in schema_probe] == ["beta", "gamma"]
        left_running.refresh_from_db()
        assert left_running.status == JobRun.Status.RUNNING

    jobs_run(now=now, names=["tests.probe"], slugs=["alpha"])
    assert [slug for slug, _ in schema_probe] == ["beta", "gamma", "alpha"]
    left_running.refresh_from_db()
    assert left_running.status == JobRun.Status.INTERRUPTED
