"""Run the due background jobs of every active loket (and the platform's), or some of them.

manage.py run_jobs                          # every due job, every loket
manage.py run_jobs --loket herent --job requests.confirmation_reminders --force
manage.py run_jobs --now 2027-03-01T09:00   # as if it were then (catch-up, tests)
manage.py run_jobs --every 300              # keep running, every 5 minutes (demo)
"""

from __future__ import annotations

import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from shared.jobs.models import JobRun
from shared.jobs.registry import registered_jobs
from shared.jobs.services import jobs_run


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--now: not an ISO date and time: {value!r}") from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = "Run the due background jobs, per loket in its own schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loket", action="append", dest="lokets", metavar="SLUG")
        parser.add_argument(
            "--job",
            action="append",
            dest="jobs",
            metavar="NAME",
            help=f"one of: {', '.join(job.name for job in registered_jobs())}",
        )
        parser.add_argument("--now", help="the clock of the jobs, ISO 8601 (default: now)")
        parser.add_argument("--force", action="store_true", help="run even when not due")
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="keep running, every SECONDS"
        )

    def handle(self, *args, **options) -> None:
        if options["every"] and options["now"]:
            raise CommandError("--every runs on the real clock; leave out --now")
        while True:
            now = parse_now(options["now"]) if options["now"] else timezone.now()
            try:
                runs = jobs_run(
                    now=now, slugs=options["lokets"], names=options["jobs"], force=options["force"]
                )
            except LookupError as error:
                raise CommandError(str(error)) from error
            for run in runs:
                where = run.loket.slug if run.loket_id else "platform"
                line = f"{run.job} [{where}] {run.status} {run.result or run.error}"
                style = self.style.ERROR if run.status == JobRun.Status.FAILED else str
                self.stdout.write(style(line))
            failed = [run for run in runs if run.status == JobRun.Status.FAILED]
            if not options["every"]:
                if failed:
                    raise CommandError(f"{len(failed)} of {len(runs)} job runs failed")
                return
            close_old_connections()
            time.sleep(options["every"])
