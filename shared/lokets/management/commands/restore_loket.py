"""Restore one loket from its backup into the running platform (one transaction)."""

from django.core.management.base import BaseCommand, CommandError

from shared.lokets.backups import RestoreRefused, loket_restore


class Command(BaseCommand):
    help = "Restore a loket from backup_loket's file. Example: restore_loket herent-backup.zip"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="drop the loket with the same slug first (in the same transaction)",
        )

    def handle(self, *args, **options):
        try:
            report = loket_restore(source=options["file"], replace=options["replace"])
        except RestoreRefused as refused:
            raise CommandError(
                "restore refused, nothing changed: " + " ".join(refused.messages)
            ) from refused
        rows = sum(report.rows.values())
        self.stdout.write(f"restored {report.slug} (schema {report.schema}, {rows} public rows)")
        if report.accounts_recreated:
            self.stdout.write("accounts recreated: " + ", ".join(report.accounts_recreated))
        if report.migrated:
            self.stdout.write("the schema was behind the code and has been migrated")
