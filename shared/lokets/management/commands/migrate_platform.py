"""Migrate everything: the public schema, the template schema, then every loket's schema."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from shared.lokets.services import template_schema_ensure


class Command(BaseCommand):
    help = (
        "Migrate the public schema, create or migrate the template schema new lokets are "
        "cloned from, and migrate every loket's schema (in parallel with --executor)."
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
        template_schema_ensure(verbosity=verbosity)
        call_command(
            "migrate_schemas",
            tenant=True,
            executor=options["executor"],
            interactive=False,
            verbosity=verbosity,
        )
