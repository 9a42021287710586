"""Move a municipality to another loket's working area (``shared.lokets.municipality_move``)."""

from django.core.management.base import BaseCommand, CommandError

from shared.geography.models import Municipality
from shared.lokets.management.commands._loket_transfer import lokets_by_slug, transfer_run
from shared.lokets.municipality_move import municipality_move


class Command(BaseCommand):
    help = (
        "Move a municipality (NIS code) with its locations and their requests from loket "
        "<source> to loket <target>. Example: move_municipality 24135 tienen hageland --dry-run"
    )

    def add_arguments(self, parser):
        parser.add_argument("nis_code", help="the municipality's NIS code, e.g. 24135")
        parser.add_argument("source", help="slug of the loket it leaves")
        parser.add_argument("target", help="slug of the loket it joins")
        parser.add_argument("--dry-run", action="store_true", help="report only")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(nis_code=options["nis_code"]).first()
        if municipality is None:
            raise CommandError(f"unknown municipality: {options['nis_code']}")
        source, target = lokets_by_slug(options["source"], options["target"])
        transfer_run(
            self.stdout,
            lambda: municipality_move(
                municipality=municipality,
                source=source,
                target=target,
                dry_run=options["dry_run"],
                by="manage.py move_municipality",
            ),
        )
