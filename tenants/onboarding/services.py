"""Starting and running an import: a queued ``ImportRun`` that a job (or a thread) runs.

The page (or the API) stores the upload as a pending run and returns at once. The run is
done by the loket job ``onboarding.imports`` (``manage.py run_jobs``, Celery beat) and,
with ``IMPORTS_START_AT_ONCE`` (the default, so the demo needs no worker), also by a
thread started when the upload is committed; the job's advisory lock per loket keeps the
two from running at once. The import itself is one transaction (all or nothing), so its
progress is written through a second database connection that others can read meanwhile.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shared.accounts.models import User
from shared.lokets.models import Loket
from tenants.onboarding.files import TableError, read_table
from tenants.onboarding.mappings import mapping_named
from tenants.onboarding.models import ImportKind, ImportRun

MAX_IMPORT_BYTES = 10 * 2**20
JOB_NAME = "onboarding.imports"


def import_start(
    *,
    loket: Loket,
    kind: str,
    file_name: str,
    content: bytes,
    user: User,
    dry_run: bool = False,
    mapping: str = "",
    language: str = "nl",
) -> ImportRun:
    """Queue an import in the active loket; it starts once this transaction commits."""
    run = ImportRun.objects.create(
        kind=kind,
        mapping=mapping,
        file_name=file_name[:200],
        content=content,
        is_dry_run=dry_run,
        language=language,
        created_by=user,
        created_at=timezone.now(),
    )
    if settings.IMPORTS_START_AT_ONCE:
        transaction.on_commit(lambda: _start_thread(loket))
    return run


def _start_thread(loket: Loket) -> None:
    threading.Thread(target=_run_in_thread, args=(loket.pk,), daemon=True).start()


def _run_in_thread(loket_id: int) -> None:
    from shared.jobs.registry import job_named
    from shared.jobs.services import job_run

    try:
        loket = Loket.objects.get(pk=loket_id)
        job_run(job=job_named(JOB_NAME), loket=loket, now=timezone.now())
    finally:
        close_old_connections()
        connections.close_all()


class _ProgressWriter:
    """Writes a run's progress on a connection of its own, outside the import's transaction."""

    def __init__(self, run: ImportRun, schema_name: str):
        self.run = run
        self.connection = connections.create_connection("default")
        self.schema_name = schema_name

    def __call__(self, done: int, total: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {self.connection.ops.quote_name(self.schema_name)}")
            cursor.execute(
                "UPDATE onboarding_importrun SET rows_done = %s, rows_total = %s WHERE id = %s",
                [done, total, self.run.pk],
            )

    def close(self) -> None:
        self.connection.close()


def import_run(*, run: ImportRun, loket: Loket) -> ImportRun:
    """Run one queued import in the active loket's schema and keep its report."""
    from tenants.onboarding.free_places_import import free_places_import
    from tenants.onboarding.requests_import import requests_import
    from tenants.providers.imports import locations_import

    run.status = ImportRun.Status.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    progress = _ProgressWriter(run, loket.schema_name)
    mapping = mapping_named(run.mapping)
    renames = mapping.columns if mapping is not None and mapping.kind == run.kind else None
    try:
        with translation.override(run.language):
            content = bytes(run.content)
            if run.kind == ImportKind.LOCATIONS:
                import io

                report = locations_import(
                    csv_file=io.BytesIO(content),
                    loket=loket,
                    dry_run=run.is_dry_run,
                    renames=renames,
                )
                result = {
                    "rows": report.rows,
                    "created": report.locations_created,
                    "organizers_created": report.organizers_created,
                    "unchanged": report.unchanged,
                    "problems": [
                        {"row": p.row, "column": p.field, "message": p.message}
                        for p in report.problems
                    ],
                }
            else:
                try:
                    table = read_table(content)
                except TableError as error:
                    result = {
                        "rows": 0,
                        "problems": [{"row": error.row, "column": "", "message": error.message}],
                    }
                else:
                    if run.kind == ImportKind.REQUESTS:
                        report = requests_import(
                            table=table,
                            loket=loket,
                            staff=run.created_by,
                            dry_run=run.is_dry_run,
                            renames=renames,
                            progress=progress,
                        )
                    else:
                        report = free_places_import(
                            table=table,
                            staff=run.created_by,
                            dry_run=run.is_dry_run,
                            renames=renames,
                            progress=progress,
                        )
                    result = report.as_dict()
    except Exception:
        run.status = ImportRun.Status.FAILED
        run.report = {
            "problems": [
                {
                    "row": 0,
                    "column": "",
                    "message": _(
                        "The import stopped on an unexpected error; nothing was imported."
                    ),
                }
            ]
        }
        raise
    else:
        run.report = result
        run.status = ImportRun.Status.REFUSED if result["problems"] else ImportRun.Status.DONE
    finally:
        progress.close()
        run.content = b""  # the file holds personal data: kept no longer than needed
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "report", "content", "finished_at"])
        run.refresh_from_db(fields=["rows_done", "rows_total"])
    return run


def imports_run_pending(*, loket: Loket) -> int:
    """Every queued import of the loket, oldest first; returns how many ran.

    A run left "running" was stopped with its worker (its transaction rolled back): the
    job holds the loket's lock, so no one else runs it, and it is run again.
    """
    count = 0
    while True:
        run = (
            ImportRun.objects.filter(
                status__in=[ImportRun.Status.PENDING, ImportRun.Status.RUNNING]
            )
            .order_by("created_at", "id")
            .first()
        )
        if run is None:
            return count
        import_run(run=run, loket=loket)
        count += 1
