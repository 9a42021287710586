"""A real Celery worker (prefork, two processes) for the tests, on a real Redis broker.

It runs ``opvangloket.celery``'s app with two test jobs registered besides the product's:
``tests.where`` records its schema and fails in loket Beta. Like ``fault_worker.py``, it
can pause a job's process before the first statement containing ``FAULT_PAUSE_ON`` (once:
the file ``FAULT_PAUSED`` then holds the process id, for the test to kill), and records
e-mails as JSON lines ``[to, subject]`` in ``FAULT_MAILS``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _pause_once() -> None:
    marker = Path(os.environ["FAULT_PAUSED"])
    if marker.exists() or (marker.parent / "paused-once").exists():
        return
    (marker.parent / "paused-once").write_text("")
    marker.write_text(str(os.getpid()))
    time.sleep(120)
    sys.exit("not killed")


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root), str(root / "src")]
    import django

    django.setup()
    from celery.signals import worker_process_init
    from django.db import connection

    from opvangloket.celery import app
    from shared.jobs.registry import loket_job

    @loket_job("tests.where")
    def where(*, loket, now):
        if loket.slug == "beta":
            raise RuntimeError("beta is broken")
        return {"schema": connection.schema_name}

    pattern = os.environ.get("FAULT_PAUSE_ON", "")

    def pause_on_pattern(execute, sql, params, many, context):
        if pattern and pattern in sql:
            _pause_once()
        return execute(sql, params, many, context)

    @worker_process_init.connect
    def wrap_queries(**kwargs):
        # Each worker process has its own connection: wrap it there, not in the parent.
        connection.close()
        connection.execute_wrappers.append(pause_on_pattern)

    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",
            "--hostname=tests@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


if __name__ == "__main__":
    main()
