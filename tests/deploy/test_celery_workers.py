"""Background jobs on real Celery workers with a real Redis broker.

A worker process (prefork, two processes; ``tests/support/celery_worker.py``) runs the
product's Celery app against the test database. The tests send it tasks the way beat's
dispatch does (one per loket) and read what the jobs did from the database:

- a job runs for several lokets, each in its own schema, and one loket's failure stops no
  other;
- a worker process killed in the middle of the offers' expiry hands its task back; the
  job then runs again to the end, and every e-mail leaves once.

Redis: the one at 127.0.0.1:6379 when it answers (a database number of its own, emptied
afterwards), else a ``redis-server`` started here. Without either the tests are skipped
locally, and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings

from shared.jobs.models import JobRun
from tests.isolation import test_faults as faults
from tests.isolation.test_faults import later, mails_sent, offers_in_alpha
from tests.support.servers import ROOT, free_port, test_database_url

# The fault tests' committed world: what the workers write is visible to them, and
# removed afterwards (checked).
db = faults.db
committed = faults.committed
due_offers = faults.due_offers

ARTIFACTS = ROOT / "test-artifacts"
REDIS_DATABASE = 11


def _answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    url = f"redis://127.0.0.1:6379/{REDIS_DATABASE}"
    server = None
    if not _answers(url):
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("no Redis at 127.0.0.1:6379 and no redis-server to start")
            pytest.skip("no Redis at 127.0.0.1:6379 and no redis-server to start")
        port = free_port()
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        url = f"redis://127.0.0.1:{port}/{REDIS_DATABASE}"
        deadline = time.monotonic() + 10
        while not _answers(url):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        redis.Redis.from_url(url).flushdb()
        if server is not None:
            server.terminate()
            server.wait(10)


class Worker:
    def __init__(self, broker_url: str, tmp_path: Path, pause_on: str = "") -> None:
        self.tmp_path = tmp_path
        self.log_path = ARTIFACTS / f"celery-worker-{tmp_path.name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "CELERY_BROKER_URL": broker_url,
            "DATABASE_URL": test_database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "OPVANGLOKET_REGISTRY_KEY": settings.REGISTRY_KEY,
            "OPVANGLOKET_DATA_KEYS": ",".join(settings.DATA_KEYS),
            "DJANGO_SETTINGS_MODULE": "opvangloket.settings",
            "EMAIL_BACKEND": "tests.support.fault_worker.RecordingBackend",
            "FAULT_MAILS": str(tmp_path / "mails.jsonl"),
            "FAULT_PAUSED": str(tmp_path / "paused"),
            "FAULT_PAUSE_ON": pause_on,
            "PGAPPNAME": "celery-worker",
        }
        env.pop("SENTRY_DSN", None)
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.celery_worker"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.client = Celery("tests", broker=broker_url)

    def send(self, schema_name: str, *, jobs: list[str], now: str) -> None:
        """What beat's dispatch sends for one loket."""
        self.client.send_task(
            "opvangloket.jobs.run_loket", args=[schema_name], kwargs={"now": now, "jobs": jobs}
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text()


@pytest.fixture
def start_worker(broker_url, tmp_path):
    workers: list[Worker] = []

    def start(pause_on: str = "") -> Worker:
        worker = Worker(broker_url, tmp_path, pause_on=pause_on)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, worker: Worker, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if worker.process.poll() is not None:
            pytest.fail(f"the worker stopped while waiting for {what}:\n{worker.log()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}:\n{worker.log()[-3000:]}")
        time.sleep(0.1)


def finished_runs(job: str) -> dict[str, str]:
    return {
        run.loket.slug: run.status
        for run in JobRun.objects.filter(job=job)
        .exclude(status=JobRun.Status.RUNNING)
        .select_related("loket")
    }


def test_workers_run_a_job_for_every_loket_and_one_failure_stops_no_other(committed, start_worker):
    world = committed["world"]
    worker = start_worker()
    now = later()
    for slug in ("alpha", "beta", "gamma"):
        worker.send(world.lokets[slug].schema_name, jobs=["tests.where"], now=now)

    runs = wait_for(
        lambda: (lambda runs: runs if len(runs) == 3 else None)(finished_runs("tests.where")),
        worker,
        "the three lokets' runs",
    )
    assert runs == {"alpha": "succeeded", "beta": "failed", "gamma": "succeeded"}
    schemas = {
        run.loket.slug: run.result.get("schema")
        for run in JobRun.objects.filter(job="tests.where").select_related("loket")
    }
    assert schemas["alpha"] == world.lokets["alpha"].schema_name
    assert schemas["gamma"] == world.lokets["gamma"].schema_name
    failed = JobRun.objects.get(job="tests.where", loket=world.lokets["beta"])
    assert "beta is broken" in failed.error


def test_a_killed_worker_process_hands_its_job_back_and_no_e_mail_leaves_twice(
    committed, due_offers, start_worker, tmp_path
):
    """Killed (SIGKILL) after the first offer's expiry was written, before the commit: the
    worker hands the task back, another process runs the expiry again to the end (after
    PostgreSQL ended the killed process's session and its lock), and each e-mail of the
    six (to the parent and to the location, for three offers) leaves once."""
    alpha = committed["world"].lokets["alpha"]
    worker = start_worker(pause_on="allocation_offernotice")
    worker.send(alpha.schema_name, jobs=["allocation.offers_expire"], now=later())

    paused = tmp_path / "paused"
    wait_for(paused.exists, worker, "the job to reach its pause")
    os.kill(int(paused.read_text()), signal.SIGKILL)

    wait_for(
        lambda: JobRun.objects.filter(
            job="allocation.offers_expire", loket=alpha, status=JobRun.Status.SUCCEEDED
        ).exists(),
        worker,
        "the job to run again to the end",
    )
    statuses, notices = offers_in_alpha(committed, due_offers)
    assert statuses == ["expired"] * 3
    assert len(notices) == 6 == len(set(notices))
    sent = mails_sent(tmp_path)
    assert len(sent) == 6 == len(set(sent)), sent
    runs = list(
        JobRun.objects.filter(job="allocation.offers_expire", loket=alpha)
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert runs == ["interrupted", "succeeded"]
    assert "WorkerLostError" in worker.log() or "exited" in worker.log().lower()
