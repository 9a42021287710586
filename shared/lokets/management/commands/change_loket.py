"""Rename a loket, give it a new host or another organiser (``shared.lokets.working_area``)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shared.lokets.models import Loket
from shared.lokets.working_area import loket_organiser_change, loket_rename


class Command(BaseCommand):
    help = (
        "Change a loket's name, slug (its host; the old host redirects) or organiser. "
        "Example: change_loket tielt-winge --name 'Loket Tielt-Winge' "
        "--organiser 'Gemeente Tielt-Winge'"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the loket's current slug")
        parser.add_argument("--name", help="the new name")
        parser.add_argument("--new-slug", help="the new slug: the new host is <slug>.<base domain>")
        parser.add_argument("--organiser", help="who runs the loket from now on")

    def handle(self, *args, **options):
        loket = Loket.objects.filter(slug=options["slug"]).first()
        if loket is None:
            raise CommandError(f"unknown loket: {options['slug']}")
        if not any(options[name] is not None for name in ("name", "new_slug", "organiser")):
            raise CommandError("nothing to change: give --name, --new-slug or --organiser")
        by = "manage.py change_loket"
        try:
            if options["name"] is not None or options["new_slug"] is not None:
                loket = loket_rename(
                    loket=loket,
                    name=options["name"] or loket.name,
                    slug=options["new_slug"],
                    by=by,
                )
            if options["organiser"] is not None:
                loket = loket_organiser_change(
                    loket=loket, organiser_name=options["organiser"], by=by
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        domain = loket.get_primary_domain()
        self.stdout.write(
            f"{loket.slug}: {loket.name} ({loket.organiser_name or '-'}), https://{domain.domain}/"
        )
