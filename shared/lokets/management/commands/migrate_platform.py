"""Migrate everything: the public schema and its cache table, the template and its script
for new lokets, every loket that is behind; then the auditor's role."""

from django.core.management.base import BaseCommand

from shared.lokets.platform_migrations import platform_migrate


class Command(BaseCommand):
    help = (
        "Migrate the public schema, create or migrate the template schema and store the "
        "script new lokets are made from, migrate every loket's schema that misses a "
        "migration (all are compared in one query; in parallel with --executor "
        "multiprocessing), and grant the auditor's read-only role its tables."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--executor",
            default="standard",
            choices=["standard", "multiprocessing"],
            help="multiprocessing: migrate lokets in parallel processes "
            "(OPVANGLOKET_MIGRATION_PROCESSES).",
        )

    def handle(self, *args, **options):
        report = platform_migrate(executor=options["executor"], verbosity=options["verbosity"])
        if options["verbosity"]:
            self.stdout.write(
                f"migrated {len(report.migrated)} schemas"
                + (f" ({', '.join(report.migrated)})" if report.migrated else "")
                + f", {len(report.up_to_date)} already up to date"
            )
