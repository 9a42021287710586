"""Create a loket: its row, its schema (cloned from the template) and its domain."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shared.geography.models import Municipality
from shared.lokets.models import Loket, Region
from shared.lokets.services import loket_create


class Command(BaseCommand):
    help = "Create a loket. Example: create_loket herent 'Lokaal Loket Herent' --nis 24038"

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--kind", default=Loket.Kind.MUNICIPAL, choices=Loket.Kind.values)
        parser.add_argument("--region", help="slug of the region")
        parser.add_argument("--nis", nargs="*", default=[], help="NIS codes of its working area")
        parser.add_argument("--domain", help="host name; default <slug>.<base domain>")

    def handle(self, *args, **options):
        municipalities = list(Municipality.objects.filter(nis_code__in=options["nis"]))
        missing = set(options["nis"]) - {m.nis_code for m in municipalities}
        if missing:
            raise CommandError(f"unknown NIS codes: {', '.join(sorted(missing))}")
        region = None
        if options["region"]:
            region = Region.objects.filter(slug=options["region"]).first()
            if region is None:
                raise CommandError(f"unknown region: {options['region']}")
        try:
            loket = loket_create(
                slug=options["slug"],
                name=options["name"],
                kind=options["kind"],
                region=region,
                municipalities=municipalities,
                domain=options["domain"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"created loket {loket.slug} (schema {loket.schema_name})")
