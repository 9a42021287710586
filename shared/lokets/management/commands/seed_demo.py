"""Create the demo region Oost-Brabant with its lokets and accounts (idempotent)."""

from django.core.management.base import BaseCommand

from shared.lokets.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create or update the demo region, lokets and accounts; prints URLs and accounts."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options):
        summary = demo_seed(port=options["port"])
        self.stdout.write("\nOpvangloket demo\n================\n")
        for label, url in summary.urls:
            self.stdout.write(f"  {url:<40} {label}")
        self.stdout.write(f"\nAccounts (password: {DEMO_PASSWORD}):")
        for email, role in summary.accounts:
            self.stdout.write(f"  {email:<32} {role}")
        self.stdout.write("")
