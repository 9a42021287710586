"""Write all of a loket's data in the documented export format (docs/export-format.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared.accounts.models import User
from shared.lokets.export import loket_export_download
from shared.lokets.models import Loket


class Command(BaseCommand):
    help = "Export a loket's data (data portability). Example: export_loket herent herent.zip"

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file", help="the ZIP to write")
        parser.add_argument(
            "--by", help="e-mail of the platform operator making it (in the audit trail)"
        )

    def handle(self, *args, **options):
        loket = Loket.objects.filter(slug=options["slug"]).first()
        if loket is None:
            raise CommandError(f"unknown loket: {options['slug']}")
        actor = None
        if options["by"]:
            actor = User.objects.filter(email=options["by"].lower(), is_staff=True).first()
            if actor is None:
                raise CommandError(f"no platform operator with e-mail {options['by']}")
        out, summary = loket_export_download(loket=loket, actor=actor, channel="command")
        Path(options["file"]).write_bytes(out.read())
        self.stdout.write(
            f"{options['file']}: {summary.records} records in {len(summary.manifest['files'])} "
            f"files (format version {summary.manifest['format_version']})"
        )
