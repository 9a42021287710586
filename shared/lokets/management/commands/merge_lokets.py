"""Merge one loket into another (``shared.lokets.merging``); --dry-run says what that does."""

from django.core.management.base import BaseCommand

from shared.lokets.management.commands._loket_transfer import lokets_by_slug, transfer_run
from shared.lokets.merging import loket_merge


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
        source, target = lokets_by_slug(options["source"], options["target"])
        transfer_run(
            self.stdout,
            lambda: loket_merge(
                source=source,
                target=target,
                dry_run=options["dry_run"],
                by="manage.py merge_lokets",
            ),
        )
