"""Merge one loket into another (``shared.lokets.merging``); --dry-run says what that does."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shared.lokets.merging import MergeRefused, loket_merge
from shared.lokets.models import Loket


class Command(BaseCommand):
    help = (
        "Merge loket <source> into loket <target> (slugs): everything of the source moves, in "
        "one transaction. Example: merge_lokets tielt-winge hageland --dry-run"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="slug of the loket that is merged (it goes)")
        parser.add_argument("target", help="slug of the loket it is merged into (it stays)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what moves and every conflict only"
        )

    def handle(self, *args, **options):
        lokets = {
            loket.slug: loket
            for loket in Loket.objects.filter(slug__in=[options["source"], options["target"]])
        }
        for slug in (options["source"], options["target"]):
            if slug not in lokets:
                raise CommandError(f"unknown loket: {slug}")
        try:
            report = loket_merge(
                source=lokets[options["source"]],
                target=lokets[options["target"]],
                dry_run=options["dry_run"],
                by="manage.py merge_lokets",
            )
        except MergeRefused as refused:
            self.stdout.write("\n".join(refused.report.lines()))
            raise CommandError(" ".join(refused.messages)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write("\n".join(report.lines()))
