"""Back up one loket: its schema (pg_dump) and its rows of the public schema, one snapshot."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared.lokets.backups import loket_backup
from shared.lokets.models import Loket


class Command(BaseCommand):
    help = "Back up one loket. Example: backup_loket herent herent-backup.zip"

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file", help="the ZIP to write")

    def handle(self, *args, **options):
        loket = Loket.objects.filter(slug=options["slug"]).first()
        if loket is None:
            raise CommandError(f"unknown loket: {options['slug']}")
        try:
            with Path(options["file"]).open("wb") as out:
                summary = loket_backup(loket=loket, out=out)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        rows = sum(summary.manifest["public_rows"].values())
        self.stdout.write(f"{options['file']}: schema {loket.schema_name} and {rows} public rows")
