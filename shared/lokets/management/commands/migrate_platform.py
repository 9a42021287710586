"""Migrate everything: the public schema and its cache table, the template, every loket;
then the auditor's role."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from shared.lokets.services import template_schema_ensure


class Command(BaseCommand):
    help = (
        "Migrate the public schema, create or migrate the template schema new lokets are "
        "cloned from, migrate every loket's schema (in parallel with --executor), and grant "
        "the auditor's read-only role SELECT on every table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--executor",
            default="standard",
            choices=["standard", "multiprocessing"],
            help="multiprocessing: migrate lokets in parallel processes.",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        # The shared cache's table (login throttling; skipped when Redis is configured).
        call_command("createcachetable", verbosity=verbosity)
        template_schema_ensure(verbosity=verbosity)
        call_command(
            "migrate_schemas",
            tenant=True,
            executor=options["executor"],
            interactive=False,
            verbosity=verbosity,
        )
        # Last: the read-only role must be able to read the tables just created.
        call_command("ensure_auditor_role", verbosity=verbosity)
