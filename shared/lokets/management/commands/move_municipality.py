"""Move a municipality to another loket's working area (``shared.lokets.municipality_move``)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shared.geography.models import Municipality
from shared.lokets.models import Loket
from shared.lokets.municipality_move import MoveRefused, municipality_move


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
        lokets = {
            loket.slug: loket
            for loket in Loket.objects.filter(slug__in=[options["source"], options["target"]])
        }
        for slug in (options["source"], options["target"]):
            if slug not in lokets:
                raise CommandError(f"unknown loket: {slug}")
        try:
            report = municipality_move(
                municipality=municipality,
                source=lokets[options["source"]],
                target=lokets[options["target"]],
                dry_run=options["dry_run"],
                by="manage.py move_municipality",
            )
        except MoveRefused as refused:
            self.stdout.write("\n".join(refused.report.lines()))
            raise CommandError(" ".join(refused.messages)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write("\n".join(report.lines()))
